//! Uploaders per profile for long-running hosts (the local server, the desktop app). Profiles
//! are re-read from `config.toml` on every call, so `hoist profile edit` or the settings view
//! apply without a restart; a profile's store (and its connection pool) is reused while the
//! profile and its credentials stay the same.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hoist_core::Error;
use hoist_core::config::{Config, Paths, Profile, ResolvedProfile};
use hoist_core::credentials::{self, Credentials};
use hoist_core::pipeline::{Env, Mirror, Uploader};
use hoist_core::secrets::{Keychain, Secret};
use hoist_history::History;

use crate::S3Store;

struct Cached {
    profile: Profile,
    access_key_id: String,
    secret: Secret,
    uploader: Arc<Uploader<S3Store>>,
    store: Arc<S3Store>,
}

/// Looks up an environment variable named by a profile (`secret_env`, `access_key_id_env`).
pub type EnvLookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

pub struct Uploaders {
    paths: Paths,
    history: Arc<Mutex<History>>,
    env: Env,
    lookup: EnvLookup,
    cache: Mutex<HashMap<String, Cached>>,
}

impl Uploaders {
    pub fn new(paths: Paths, history: Arc<Mutex<History>>, env: Env) -> Self {
        Self {
            paths,
            history,
            env,
            lookup: Box::new(credentials::process_env),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Replaces the process environment as the source of `secret_env` / `access_key_id_env`
    /// (the desktop's demo bucket supplies its throwaway secret this way, never via a file).
    pub fn with_env_lookup(mut self, lookup: EnvLookup) -> Self {
        self.lookup = lookup;
        self
    }

    pub fn history(&self) -> &Arc<Mutex<History>> {
        &self.history
    }

    /// The uploader and store of profile `explicit`, or of the default profile for `None`,
    /// with the profile's mirrors.
    pub fn get(
        &self,
        explicit: Option<&str>,
    ) -> Result<(Arc<Uploader<S3Store>>, Arc<S3Store>), Error> {
        let cfg = Config::load(&self.paths.config_file())?;
        let (uploader, store) = self.plain(&cfg, explicit)?;
        let profile = uploader.profile();
        if profile.mirrors.is_empty() {
            return Ok((uploader, store));
        }
        // Made anew each time (cheap: the stores are the cached ones), so a mirror's own edit
        // applies at once too.
        let mirrors = Mirror::all(profile, |name| Ok(self.plain(&cfg, Some(name))?.0));
        let uploader = Uploader::in_paths(
            &self.paths,
            Arc::new(profile.clone()),
            store.clone(),
            Some(self.history.clone()),
            self.env.clone(),
        )
        .with_mirrors(mirrors);
        Ok((Arc::new(uploader), store))
    }

    /// The cached uploader (without mirrors) and store of a profile of `cfg`.
    fn plain(
        &self,
        cfg: &Config,
        explicit: Option<&str>,
    ) -> Result<(Arc<Uploader<S3Store>>, Arc<S3Store>), Error> {
        let name = cfg.pick_profile_name(explicit)?;
        let profile = cfg.profiles.get(&name).cloned().unwrap_or_default();
        let resolved: Arc<ResolvedProfile> = Arc::new(profile.resolve(&name)?);
        let creds: Credentials =
            credentials::resolve(&resolved, &|v| (self.lookup)(v), &Keychain::system)?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(&name)
            && c.profile == profile
            && c.access_key_id == creds.access_key_id
            && c.secret == creds.secret_access_key
        {
            return Ok((c.uploader.clone(), c.store.clone()));
        }
        let store = Arc::new(S3Store::for_profile(&resolved, &creds)?);
        // The long-running hosts' log says it each time a store that skips certificate checks
        // is made (the CLI prints the same line on stderr; the desktop's editor shows it too).
        if let Some(warning) = hoist_core::tls::warning(&resolved) {
            tracing::warn!("{warning}");
        }
        let uploader = Arc::new(Uploader::in_paths(
            &self.paths,
            resolved,
            store.clone(),
            Some(self.history.clone()),
            self.env.clone(),
        ));
        cache.insert(
            name,
            Cached {
                profile,
                access_key_id: creds.access_key_id,
                secret: creds.secret_access_key,
                uploader: uploader.clone(),
                store: store.clone(),
            },
        );
        Ok((uploader, store))
    }
}
