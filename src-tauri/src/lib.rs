//! hoist-desktop: the Tauri 2 shell over the core crates. It owns the window, the tray, the
//! global shortcut, the clipboard, notifications, single-instance hand-over and the embedded
//! PicGo-compatible server; every upload goes through the core pipeline via `jobs`.

mod actions;
mod autostart;
mod bucket;
mod capture;
mod clipboard;
mod clipwatch;
pub mod commands;
mod demo;
mod error;
mod events;
#[cfg(target_os = "linux")]
mod handover;
mod i18n;
mod jobs;
mod linkhealth;
mod markdown;
mod notify;
mod profiles;
mod server;
mod settings;
mod shortcut;
mod state;
mod syncing;
mod thumbs;
mod tray;
mod watching;
mod window;

use std::path::{Path, PathBuf};

use hoist_core::config::Paths;
use tauri::{DragDropEvent, Manager, RunEvent, WindowEvent};

use crate::state::Shell;

/// Command-line options of the app (files to upload, `--hidden`, `--demo`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// Start in the tray without showing the window (start at login).
    pub hidden: bool,
    /// Run the built-in local demo bucket and select its profile.
    pub demo: bool,
    pub files: Vec<PathBuf>,
}

impl Args {
    /// Parses `argv` (without the program name); relative paths are taken from `cwd`.
    pub fn parse(argv: &[String], cwd: &Path) -> Args {
        let mut args = Args::default();
        for a in argv {
            match a.as_str() {
                "--hidden" => args.hidden = true,
                "--demo" => args.demo = true,
                // Flags WebKit, a desktop launcher or a future version may pass.
                s if s.starts_with("--") => {}
                s => args.files.push(cwd.join(s)),
            }
        }
        args
    }
}

fn init_logging() {
    // Secrets are never formatted into log lines (they are `Secret`, redacted by Debug).
    let filter = tracing_subscriber::EnvFilter::try_from_env("HOIST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn run() {
    init_logging();
    let cwd = std::env::current_dir().unwrap_or_default();
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = Args::parse(&argv, &cwd);
    let context = tauri::generate_context!();
    // The plugin's own argv form: the program first.
    #[cfg(target_os = "linux")]
    if handover::forward_to_running(
        &context.config().identifier,
        std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        &cwd,
    ) {
        return;
    }
    let ctx = match Paths::resolve(None)
        .map_err(error::IpcError::from)
        .and_then(Shell::open)
    {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("hoist-desktop: {}", e.message);
            std::process::exit(2);
        }
    };

    let builder = tauri::Builder::default()
        // First, so a second launch hands over its files before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            let args = Args::parse(argv.get(1..).unwrap_or_default(), Path::new(&cwd));
            window::show(app, None);
            if !args.files.is_empty()
                && let Err(e) = jobs::upload_paths(app, &args.files)
            {
                jobs::report_background_error(app, &e);
            }
        }))
        .plugin(tauri_plugin_global_shortcut::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init());
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(
        tauri_plugin_autostart::Builder::new()
            .args(autostart::ARGS.iter().copied())
            .build(),
    );
    let app = builder
        .manage(ctx)
        .manage(jobs::Runs::default())
        .manage(markdown::Plans::default())
        .manage(watching::Watchers::default())
        .manage(clipwatch::ClipWatch::default())
        .manage(syncing::Syncer::default())
        .manage(capture::Held::default())
        .register_asynchronous_uri_scheme_protocol("thumb", |ctx, request, responder| {
            thumbs::handle(ctx.app_handle().clone(), request, responder);
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_state,
            commands::set_active_profile,
            commands::save_settings,
            commands::upload_clipboard,
            commands::pick_and_upload,
            commands::upload_paths,
            commands::retry_upload,
            commands::copy_text,
            commands::open_url,
            commands::history_page,
            commands::delete_record,
            commands::delete_remote,
            commands::providers,
            commands::get_profile,
            commands::new_profile,
            commands::save_profile,
            commands::duplicate_profile,
            commands::remove_profile,
            commands::test_profile,
            commands::preview,
            commands::pick_watermark_image,
            commands::import_picgo,
            commands::tray_action,
            commands::session_jobs,
            commands::cancel_upload,
            commands::md_pick,
            commands::md_plan,
            commands::md_run,
            commands::md_undo,
            bucket::bucket_list,
            bucket::bucket_delete,
            bucket::bucket_move,
            bucket::bucket_copy_links,
            bucket::bucket_open,
            bucket::bucket_adopt,
            bucket::bucket_upload,
            linkhealth::history_check,
            linkhealth::history_reupload,
            watching::watch_pick_folder,
            syncing::sync_status,
            syncing::sync_enable,
            syncing::sync_now,
            syncing::sync_disable,
            syncing::sync_forget,
            capture::capture_image,
            capture::capture_shown,
            capture::capture_upload,
            capture::capture_cancel,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            let ctx = handle.state::<Shell>();
            if let Some(e) = &ctx.settings_error {
                tracing::warn!("{e}; using the default settings (the file is left as it is)");
            }
            if args.demo {
                match tauri::async_runtime::block_on(demo::start(&ctx.paths)) {
                    Ok(server) => {
                        *ctx.demo.lock().unwrap_or_else(|p| p.into_inner()) = Some(server)
                    }
                    Err(e) => tracing::error!("{}", e.message),
                }
            }
            if let Err(e) = tray::create(&handle) {
                // No tray host (a bare X server, some Wayland desktops): the window still works.
                tracing::warn!("no tray icon: {e}");
            }
            let settings = ctx.settings();
            let startup = handle.clone();
            tauri::async_runtime::spawn(async move {
                let all = settings::Effects {
                    shortcut: true,
                    server: true,
                    autostart: false,
                    watch: true,
                    clipboard_watch: true,
                };
                if let Err(e) = actions::apply_effects(&startup, all, &settings).await {
                    tracing::warn!("{}", e.message);
                }
                // scripts/bench-desktop.sh times launches by this line.
                tracing::info!(target: "hoist::ready", "the shortcut and the server are ready");
                actions::state_changed(&startup);
                syncing::start_background(&startup);
                let resumed = jobs::resume_unfinished(&startup);
                if resumed > 0 {
                    tracing::info!("resumed {resumed} interrupted uploads");
                }
                if !args.files.is_empty()
                    && let Err(e) = jobs::upload_paths(&startup, &args.files)
                {
                    jobs::report_background_error(&startup, &e);
                }
            });
            // Started hidden (at login), Hoist builds no web view until the window is opened.
            if !args.hidden {
                window::show(&handle, None);
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // Paths go to Rust; the image bytes never cross IPC. (Closing the window destroys
            // it and its web view, see `window`; `RunEvent::ExitRequested` below keeps Hoist in
            // the tray, where Quit is.)
            if let WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) = event {
                // Markdown files are offered to the Markdown view; the rest are images.
                let images = markdown::take_dropped_markdown(window.app_handle(), paths);
                if (!images.is_empty() || images.len() == paths.len())
                    && let Err(e) = jobs::upload_paths(window.app_handle(), &images)
                {
                    jobs::report_background_error(window.app_handle(), &e);
                }
            }
            if let WindowEvent::Destroyed = event {
                if window.label() == capture::WINDOW {
                    capture::closed(window.app_handle());
                }
                window::closed();
            }
        })
        .build(context);
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("hoist-desktop: cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        if let RunEvent::ExitRequested { api, code, .. } = &event {
            // The last window closing is not a reason to quit while the tray is there; an
            // explicit Quit (with an exit code) is.
            if code.is_none() && app.tray_by_id(tray::TRAY_ID).is_some() {
                api.prevent_exit();
            }
        }
        if let RunEvent::Exit = event {
            jobs::stop_all(app);
            let ctx = app.state::<Shell>();
            if let Some(stop) = ctx
                .server
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .stop
                .take()
            {
                stop.shutdown();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_give_files_and_flags() {
        let a = Args::parse(
            &[
                "--hidden".into(),
                "a.png".into(),
                "/abs/b.png".into(),
                "--unknown".into(),
            ],
            Path::new("/home/me"),
        );
        assert!(a.hidden && !a.demo);
        assert_eq!(
            a.files,
            [PathBuf::from("/home/me/a.png"), PathBuf::from("/abs/b.png")]
        );
    }
}
