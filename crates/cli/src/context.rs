//! What every subcommand needs: the resolved paths, the config, the history file and a store
//! for a profile. Opened lazily, so a command only touches what it uses.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hoist_core::Error;
use hoist_core::config::{Config, Paths, ResolvedProfile};
use hoist_core::credentials::{self, Credentials};
use hoist_core::pipeline::{Env, Mirror, Uploader};
use hoist_core::secrets::{Keychain, Secret};
use hoist_history::History;
use hoist_s3::S3Store;

use crate::output;

pub struct Ctx {
    pub paths: Paths,
    pub quiet: bool,
}

impl Ctx {
    pub fn new(config_dir: Option<PathBuf>, quiet: bool) -> Result<Ctx, Error> {
        Ok(Ctx {
            paths: Paths::resolve(config_dir)?,
            quiet,
        })
    }

    pub fn config(&self) -> Result<Config, Error> {
        Ok(Config::load(&self.paths.config_file())?)
    }

    pub fn save_config(&self, cfg: &Config) -> Result<(), Error> {
        Ok(cfg.save(&self.paths.config_file())?)
    }

    /// Opens (creating if needed) the history database in the data dir.
    pub fn history(&self) -> Result<Arc<Mutex<History>>, Error> {
        Ok(Arc::new(Mutex::new(self.paths.open_history()?)))
    }

    pub fn credentials(&self, profile: &ResolvedProfile) -> Result<Credentials, Error> {
        credentials::resolve(profile, &credentials::process_env, &Keychain::system)
    }

    /// The store for `profile`. With `dry_run`, missing credentials are replaced by a
    /// placeholder: nothing will be sent, and a dry run should work before secrets are set.
    /// A store that will connect without checking certificates says so on stderr.
    pub fn store(&self, profile: &ResolvedProfile, dry_run: bool) -> Result<S3Store, Error> {
        if !dry_run {
            output::tls_warning(profile);
        }
        let creds = match self.credentials(profile) {
            Ok(c) => c,
            Err(_) if dry_run => Credentials {
                access_key_id: "dry-run".into(),
                secret_access_key: Secret::new("dry-run"),
            },
            Err(e) => return Err(e),
        };
        Ok(S3Store::for_profile(profile, &creds)?)
    }

    /// The pipeline for `profile` as every uploading command builds it: its store, `history`,
    /// and its mirrors, each with its own store (a mirror whose store cannot be made fails its
    /// copies, not the upload). A dry run sends nothing, so it has no mirrors.
    pub fn uploader(
        &self,
        cfg: &Config,
        profile: Arc<ResolvedProfile>,
        history: Option<Arc<Mutex<History>>>,
        dry_run: bool,
    ) -> Result<Uploader<S3Store>, Error> {
        let store = Arc::new(self.store(&profile, dry_run)?);
        let mirrors = if dry_run {
            Vec::new()
        } else {
            Mirror::all(&profile, |name| {
                let mirror = Arc::new(cfg.resolve(Some(name))?);
                let store = Arc::new(self.store(&mirror, false)?);
                Ok(Arc::new(Uploader::in_paths(
                    &self.paths,
                    mirror,
                    store,
                    history.clone(),
                    Env::system(),
                )))
            })
        };
        Ok(
            Uploader::in_paths(&self.paths, profile, store, history, Env::system())
                .with_mirrors(mirrors),
        )
    }
}
