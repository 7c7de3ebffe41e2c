//! Tauri commands: thin adapters that parse the UI's input, call the core (or the shell's
//! actions, jobs, profiles and settings modules) and map the result to `{code, message}`
//! errors. No upload, template or history logic is written here, and no other module calls
//! into this one: it is the top of the shell.

use std::path::PathBuf;

use hoist_core::check;
use hoist_core::config::Config;
use hoist_core::link::{self, LinkFormat};
use hoist_core::profiles as core_profiles;
use hoist_core::secrets::Keychain;
use hoist_core::{credentials, presets, remove};
use hoist_history::{Query, Record, Status};
use hoist_import::{ApplyOptions, Flavor, ProfileAction};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_opener::OpenerExt;

use crate::error::{IpcError, IpcResult};
use crate::markdown::{PlanView, UndoLine};
use crate::profiles::{self, Preview, PreviewRequest, ProfileDetail, SaveProfile};
use crate::settings::{self, Settings};
use crate::state::{Shell, UiState};
use crate::{actions, events, jobs, markdown, thumbs, tray};

/// Commands that touch the keychain, SQLite or the config run off the main (UI) thread.
async fn blocking<T: Send + 'static>(
    app: &AppHandle,
    f: impl FnOnce(&AppHandle) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    let app = app.clone();
    crate::error::off_main_thread(move || f(&app)).await
}

#[tauri::command]
pub fn app_state(ctx: State<'_, Shell>) -> UiState {
    // A new window's first call: scripts/bench-desktop.sh times the window's opening by it.
    tracing::info!(target: "hoist::ready", "the window asked for the state");
    ctx.app_state()
}

#[tauri::command]
pub async fn set_active_profile(app: AppHandle, name: String) -> IpcResult<UiState> {
    blocking(&app, move |app| actions::use_profile(app, &name)).await
}

#[tauri::command]
pub async fn save_settings(app: AppHandle, settings: Settings) -> IpcResult<UiState> {
    settings.validate()?;
    let ctx = app.state::<Shell>();
    let old = ctx.settings();
    actions::store_settings(&app, &settings)?;
    actions::apply_effects(&app, settings::effects(&old, &settings), &settings).await?;
    Ok(actions::state_changed(&app))
}

#[tauri::command]
pub async fn upload_clipboard(app: AppHandle) -> IpcResult<u64> {
    blocking(&app, |app| jobs::upload_clipboard(app, None)).await
}

#[tauri::command]
pub async fn pick_and_upload(app: AppHandle) -> IpcResult<Option<u64>> {
    let files = actions::image_dialog(&app).blocking_pick_files();
    match files {
        Some(files) => jobs::upload_paths(&app, &actions::to_paths(files)).map(Some),
        None => Ok(None),
    }
}

#[tauri::command]
pub fn upload_paths(app: AppHandle, paths: Vec<PathBuf>) -> IpcResult<u64> {
    jobs::upload_paths(&app, &paths)
}

#[tauri::command]
pub async fn retry_upload(app: AppHandle, history_id: i64) -> IpcResult<u64> {
    blocking(&app, move |app| jobs::retry(app, history_id)).await
}

#[tauri::command]
pub async fn copy_text(app: AppHandle, text: String) -> IpcResult<()> {
    blocking(&app, move |app| {
        Ok(app.state::<Shell>().clipboard.set_text(text)?)
    })
    .await
}

#[tauri::command]
pub fn open_url(app: AppHandle, url: String) -> IpcResult<()> {
    // Only web links: the webview must not be able to open local files or other schemes.
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(IpcError::new(
            "input.bad_url",
            "only http(s) links can be opened",
        ));
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| IpcError::new("open.failed", format!("cannot open the browser: {e}")))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryQuery {
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub profile: String,
    pub before_id: Option<i64>,
    pub limit: u32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRow {
    pub id: i64,
    pub created_at_ms: i64,
    pub profile: String,
    pub name: String,
    pub key: Option<String>,
    pub url: Option<String>,
    pub status: &'static str,
    pub bytes_in: Option<u64>,
    pub bytes_out: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub error: Option<String>,
    pub links: Option<jobs::Links>,
    pub thumbnail: Option<String>,
    /// `upload`, `mirror` (a copy of another profile's upload) or an `import:*` tag.
    pub origin: String,
}

#[derive(Debug, Serialize)]
pub struct HistoryPage {
    pub rows: Vec<HistoryRow>,
    pub total: u64,
}

fn row(rec: Record, cfg: &Config) -> HistoryRow {
    let custom = cfg
        .profiles
        .get(&rec.profile)
        .map(|p| p.custom_link.clone())
        .unwrap_or_default();
    let links = rec.url.as_ref().map(|_| {
        LinkFormat::all()
            .into_iter()
            .filter_map(|f| link::for_record(&rec, f, &custom).map(|l| (f.name(), l)))
            .collect()
    });
    let thumbnail = (rec.status == Status::Done).then(|| jobs::thumbnail_url(rec.id));
    HistoryRow {
        id: rec.id,
        created_at_ms: rec.created_at_ms,
        name: rec.source_name,
        key: rec.key,
        url: rec.url,
        status: rec.status.as_str(),
        bytes_in: rec.bytes_in,
        bytes_out: rec.bytes_out,
        width: rec.width,
        height: rec.height,
        error: rec.error_message,
        profile: rec.profile,
        links,
        thumbnail,
        origin: rec.origin,
    }
}

#[tauri::command]
pub async fn history_page(app: AppHandle, query: HistoryQuery) -> IpcResult<HistoryPage> {
    blocking(&app, move |app| {
        let ctx = app.state::<Shell>();
        let q = Query {
            profile: Some(query.profile).filter(|p| !p.is_empty()),
            search: Some(query.search.trim().to_owned()).filter(|s| !s.is_empty()),
            before_id: query.before_id,
            // One page is never unbounded: 0 would mean "everything" to the history.
            limit: query.limit.clamp(1, 2000),
            ..Query::default()
        };
        let (records, total) =
            ctx.with_history(|h| Ok::<_, IpcError>((h.list(&q)?, h.count(&q)?)))?;
        let cfg = ctx.config().unwrap_or_default();
        Ok(HistoryPage {
            rows: records.into_iter().map(|r| row(r, &cfg)).collect(),
            total,
        })
    })
    .await
}

#[tauri::command]
pub async fn delete_record(app: AppHandle, id: i64) -> IpcResult<()> {
    blocking(&app, move |app| {
        let ctx = app.state::<Shell>();
        if !ctx.with_history(|h| h.delete(id))? {
            return Err(IpcError::new(
                "history.not_found",
                format!("no upload has id {id}"),
            ));
        }
        thumbs::forget(&ctx.paths.data_dir, id);
        let _ = app.emit(events::HISTORY, ());
        crate::syncing::soon(app);
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn delete_remote(app: AppHandle, id: i64) -> IpcResult<()> {
    let ctx = app.state::<Shell>();
    let plan = remove::plan(ctx.history(), id)?;
    let store = ctx.store(&plan.record.profile)?;
    remove::delete_upload(ctx.history(), store.as_ref(), &plan).await?;
    thumbs::forget(&ctx.paths.data_dir, id);
    let _ = app.emit(events::HISTORY, ());
    crate::syncing::soon(&app);
    Ok(())
}

#[tauri::command]
pub fn providers() -> Vec<presets::PresetView> {
    presets::views()
}

#[tauri::command]
pub async fn get_profile(app: AppHandle, name: String) -> IpcResult<ProfileDetail> {
    blocking(&app, move |app| {
        profiles::get(&app.state::<Shell>().config()?, &name)
    })
    .await
}

#[tauri::command]
pub fn new_profile(provider: String) -> IpcResult<ProfileDetail> {
    profiles::new_for(&provider)
}

/// Loads the config, lets `f` change it, and saves it: the one way profile edits are written.
fn edit_config(
    app: &AppHandle,
    f: impl FnOnce(&mut Config) -> IpcResult<()>,
) -> IpcResult<UiState> {
    save_config_edit(app, f)?;
    Ok(actions::state_changed(app))
}

/// [`edit_config`] without telling the window, for a caller with more to change first.
fn save_config_edit(
    app: &AppHandle,
    f: impl FnOnce(&mut Config) -> IpcResult<()>,
) -> IpcResult<()> {
    let ctx = app.state::<Shell>();
    let mut cfg = ctx.config()?;
    f(&mut cfg)?;
    ctx.save_config(&cfg)?;
    crate::syncing::soon(app);
    Ok(())
}

#[tauri::command]
pub async fn save_profile(app: AppHandle, req: SaveProfile) -> IpcResult<UiState> {
    tracing::debug!("saving {req:?}");
    blocking(&app, move |app| {
        let renamed = req
            .original_name
            .clone()
            .map(|from| (from, req.name.clone()));
        save_config_edit(app, |cfg| profiles::save(cfg, req, &Keychain::system))?;
        if let Some((from, to)) = renamed {
            actions::profile_shortcut_follows(app, &from, Some(&to))?;
        }
        Ok(actions::state_changed(app))
    })
    .await
}

#[tauri::command]
pub async fn duplicate_profile(
    app: AppHandle,
    name: String,
    new_name: String,
) -> IpcResult<UiState> {
    blocking(&app, move |app| {
        edit_config(app, |cfg| {
            Ok(core_profiles::duplicate(
                cfg,
                &name,
                new_name.trim(),
                &Keychain::system,
            )?)
        })
    })
    .await
}

#[tauri::command]
pub async fn remove_profile(app: AppHandle, name: String) -> IpcResult<UiState> {
    blocking(&app, move |app| {
        save_config_edit(app, |cfg| {
            let removed = core_profiles::remove(cfg, &name, &Keychain::system)?;
            if let Some(e) = removed.secret_kept {
                tracing::warn!("profile \"{name}\" removed; its keychain secret could not be: {e}");
            }
            Ok(())
        })?;
        actions::profile_shortcut_follows(app, &name, None)?;
        Ok(actions::state_changed(app))
    })
    .await
}

#[derive(Debug, Serialize)]
pub struct TestStep {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
    pub millis: u64,
}

#[tauri::command]
pub async fn test_profile(app: AppHandle, name: String) -> IpcResult<Vec<TestStep>> {
    let ctx = app.state::<Shell>();
    let resolved = ctx.resolve(Some(&name))?;
    // Credentials are their own step: "no secret stored" is the most common first failure.
    let store = match ctx.store(&name) {
        Ok(s) => s,
        Err(e) => {
            return Ok(vec![TestStep {
                name: "credentials",
                ok: false,
                detail: e.message,
                millis: 0,
            }]);
        }
    };
    let probe = uuid::Uuid::new_v4().simple().to_string();
    let checked = check::test_connection(&resolved, store.as_ref(), &probe).await;
    let mut steps: Vec<TestStep> = checked
        .steps
        .into_iter()
        .map(|s| TestStep {
            name: s.name,
            ok: s.ok,
            detail: s.detail,
            millis: u64::try_from(s.millis).unwrap_or(u64::MAX),
        })
        .collect();
    // The measured answer replaces the preset's guess in the profile, as `hoist profile test`
    // does; the editor keeps it when the profile is saved again (profiles::save).
    if let Some(honoured) = checked.conditional_put {
        let path = ctx.paths.config_file();
        let profile = resolved.name.clone();
        let recorded = tauri::async_runtime::spawn_blocking(move || {
            check::record_conditional_put(&path, &profile, honoured)
        })
        .await;
        let failure = match recorded {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(detail) = failure {
            steps.push(TestStep {
                name: "record result",
                ok: false,
                detail,
                millis: 0,
            });
        }
    }
    Ok(steps)
}

/// The profile editor's "Choose…" for a watermark picture: its path, or `None` if cancelled.
#[tauri::command]
pub async fn pick_watermark_image(app: AppHandle) -> Option<String> {
    let picked = actions::image_dialog(&app)
        .set_title("Watermark picture")
        .blocking_pick_file()?;
    Some(picked.into_path().ok()?.display().to_string())
}

#[tauri::command]
pub async fn preview(app: AppHandle, req: PreviewRequest) -> IpcResult<Preview> {
    // It encodes a sample image: off the main thread.
    blocking(&app, move |_| {
        Ok(profiles::preview(&req, chrono::Local::now().fixed_offset()))
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub profiles_added: Vec<String>,
    pub profiles_skipped: Vec<String>,
    pub history_added: usize,
    pub messages: Vec<String>,
}

/// Imports PicGo's setup (or PicList's when PicGo's is not there): profiles, secrets into the
/// keychain and the gallery into history. `dry_run` reports without writing.
#[tauri::command]
pub async fn import_picgo(app: AppHandle, dry_run: bool) -> IpcResult<ImportSummary> {
    blocking(&app, move |app| {
        let ctx = app.state::<Shell>();
        let (flavor, loaded) =
            match hoist_import::load(Flavor::PicGo, None, &credentials::process_env) {
                Ok(l) => (Flavor::PicGo, l),
                Err(first) => {
                    match hoist_import::load(Flavor::PicList, None, &credentials::process_env) {
                        Ok(l) => (Flavor::PicList, l),
                        Err(_) => return Err(IpcError::new(first.code(), first.to_string())),
                    }
                }
            };
        let plan = hoist_import::plan(
            flavor,
            &loaded.config,
            &loaded.gallery,
            loaded.gallery_mtime_ms,
        );
        let opts = ApplyOptions {
            dry_run,
            overwrite: false,
        };
        let report = ctx
            .with_history(|h| {
                hoist_import::apply(
                    &plan,
                    &ctx.paths.config_file(),
                    Some(h),
                    &hoist_core::secrets::Keychain::system,
                    opts,
                )
            })
            .map_err(|e| IpcError::new(e.code(), e.to_string()))?;
        let mut messages = vec![format!(
            "{} at {}",
            flavor.label(),
            loaded.located.config.display()
        )];
        messages.extend(report.notes.iter().cloned());
        for p in &report.profiles {
            messages.extend(p.notes.iter().map(|n| format!("{}: {n}", p.name)));
        }
        if !dry_run {
            actions::state_changed(app);
        }
        Ok(ImportSummary {
            profiles_added: report
                .profiles
                .iter()
                .filter(|p| matches!(p.action, ProfileAction::Added | ProfileAction::Updated))
                .map(|p| p.name.clone())
                .collect(),
            profiles_skipped: report
                .profiles
                .iter()
                .filter(|p| matches!(p.action, ProfileAction::Skipped | ProfileAction::Unchanged))
                .map(|p| p.name.clone())
                .collect(),
            history_added: report.history_added,
            messages,
        })
    })
    .await
}

/// Runs a tray menu action by its id: the tray's own handler, reachable from the window (and
/// from end-to-end tests, which have no tray host to click).
#[tauri::command]
pub fn tray_action(app: AppHandle, id: String) {
    tray::handle(&app, &id);
}

/// The files of this run so far, for a window that opened after they started.
#[tauri::command]
pub fn session_jobs(app: AppHandle) -> Vec<jobs::JobState> {
    jobs::session_jobs(&app)
}

/// Cancels one running file of a batch.
#[tauri::command]
pub fn cancel_upload(app: AppHandle, job_id: String) -> IpcResult<()> {
    jobs::cancel(&app, &job_id)
}

/// The Markdown view's chooser: a folder, or Markdown files; `None` when cancelled.
#[tauri::command]
pub async fn md_pick(app: AppHandle, folder: bool) -> Option<Vec<PathBuf>> {
    let picked = if folder {
        actions::markdown_dialog(&app)
            .blocking_pick_folder()
            .map(|f| vec![f])
    } else {
        actions::markdown_dialog(&app).blocking_pick_files()
    };
    picked.map(actions::to_paths)
}

#[tauri::command]
pub async fn md_plan(
    app: AppHandle,
    paths: Vec<PathBuf>,
    profile: Option<String>,
    remote: bool,
) -> IpcResult<PlanView> {
    blocking(&app, move |app| {
        markdown::plan(app, &paths, profile.as_deref(), remote)
    })
    .await
}

#[tauri::command]
pub fn md_run(app: AppHandle, id: u64) -> IpcResult<()> {
    markdown::run(&app, id)
}

#[tauri::command]
pub async fn md_undo(app: AppHandle, run: String) -> IpcResult<Vec<UndoLine>> {
    blocking(&app, move |app| markdown::undo(app, &run)).await
}
