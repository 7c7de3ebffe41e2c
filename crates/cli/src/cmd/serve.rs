//! `hoist serve`: runs the PicGo-compatible local server (hoist-server) headless, with the
//! CLI's config, keychain, S3 store, history and clipboard as its host. The HTTP API itself,
//! its checks and its JSON live in hoist-server; this file only supplies and caches profiles.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Args;
use hoist_core::Error;
use hoist_core::pipeline::{
    Env, FileError, NoProgress, Outcome, RunOptions, Source, Uploader, batch_links,
};
use hoist_core::secrets::Secret;
use hoist_history::History;
use hoist_s3::{S3Store, Uploaders};
use hoist_server::{ServerConfig, ServerHost, Started};

use crate::clipboard;
use crate::context::Ctx;
use crate::output;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (PicGo's, so editors need no change; 0 = any free port).
    #[arg(long, default_value_t = hoist_server::DEFAULT_PORT)]
    pub port: u16,
    /// Secret clients must send (Authorization: Bearer, X-PicGo-Secret, ?secret= or ?key=).
    /// Prefer HOIST_SERVER_SECRET: other local users can read command lines.
    #[arg(long, env = "HOIST_SERVER_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// Let web pages from this origin call the server (e.g. app://obsidian.md); repeatable.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// Largest request body, in MiB.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_body_mib: u64,
    /// Upload requests worked on at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub max_concurrent: u16,
    /// Upload requests that may wait for a turn; beyond that clients get 503 at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(0..=1024))]
    pub max_queue: u16,
}

pub async fn run(ctx: &Ctx, args: ServeArgs) -> Result<ExitCode, Error> {
    // Fail at start, not at the first request, when the config cannot be read.
    ctx.config()?;
    let host = Arc::new(CliHost {
        uploaders: Uploaders::new(ctx.paths.clone(), ctx.history()?, Env::system()),
    });
    let cfg = ServerConfig {
        port: args.port,
        secret: args
            .secret
            .filter(|s| !s.trim().is_empty())
            .map(Secret::new),
        allowed_origins: args.allow_origins,
        max_body_bytes: args.max_body_mib * 1024 * 1024,
        max_in_flight: usize::from(args.max_concurrent),
        max_queued: usize::from(args.max_queue),
        ..ServerConfig::default()
    };
    let with_secret = cfg.secret.is_some();
    let server = match hoist_server::start(host, cfg).await {
        Ok(Started::Running(server)) => server,
        Ok(Started::AlreadyRunning { addr }) => {
            eprintln!("hoist: a Hoist server is already running on http://{addr}; using it");
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(Error::Internal(e.to_string())),
    };
    // Always printed (even with --quiet): scripts and tests wait for this line.
    eprintln!("Hoist server listening on {}", server.url());
    if !with_secret {
        output::note(
            ctx.quiet,
            "no secret set: any program on this computer can upload through the server (set HOIST_SERVER_SECRET to require one)",
        );
    }
    let stop = server.shutdown_handle();
    tokio::spawn(async move {
        stop_signal().await;
        stop.shutdown();
    });
    server.stopped().await;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl+C, or SIGTERM from a service manager.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The server's view of the CLI: profiles are re-read per request, so `hoist profile edit`
/// applies without a restart; stores are kept while the profile and its credentials stay the
/// same, so requests reuse connections.
struct CliHost {
    uploaders: Uploaders,
}

impl ServerHost for CliHost {
    type Store = S3Store;

    fn uploader(&self, profile: Option<&str>) -> Result<Arc<Uploader<S3Store>>, Error> {
        let (uploader, _) = self.uploaders.get(profile)?;
        output::tls_warning(uploader.profile());
        Ok(uploader)
    }

    fn store(&self, profile: &str) -> Result<Arc<S3Store>, Error> {
        let (uploader, store) = self.uploaders.get(Some(profile))?;
        output::tls_warning(uploader.profile());
        Ok(store)
    }

    fn history(&self) -> Option<Arc<Mutex<History>>> {
        Some(self.uploaders.history().clone())
    }

    fn read_clipboard(&self) -> Result<Vec<Source>, Error> {
        Ok(clipboard::read()?.into_sources(chrono::Local::now().fixed_offset()))
    }

    /// Runs the pipeline; then, like PicGo, the links go to the clipboard in the profile's
    /// format, off the answer's path. Without a display there is no clipboard; that is not
    /// worth a message per request.
    async fn upload(
        &self,
        uploader: Arc<Uploader<S3Store>>,
        sources: Vec<Source>,
    ) -> Result<Vec<Result<Outcome, FileError>>, Error> {
        let results = uploader
            .run(sources, RunOptions::default(), &NoProgress)
            .await;
        let links = batch_links(uploader.profile(), &results);
        if !links.is_empty() {
            tokio::task::spawn_blocking(move || {
                if let Err(why) = clipboard::copy_links(&links) {
                    tracing::debug!("links not copied: {why}");
                }
            });
        }
        Ok(results)
    }
}
