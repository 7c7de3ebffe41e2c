//! `hoist-desktop --demo`: the built-in local demo bucket, so a new user can drop an image and
//! get a working link with no cloud account. An S3-compatible server (hoist-demo, SigV4
//! checked) runs inside the app on 127.0.0.1 with its objects under the data dir, and a "demo"
//! profile points at it. Its throwaway key is supplied in memory (never written to a file).

use hoist_core::config::{Config, Paths, Profile};
use hoist_demo::{DemoConfig, DemoServer};

use crate::error::{IpcError, IpcResult};

pub const PROFILE: &str = "demo";
pub const ACCESS_KEY: &str = "hoist-demo";
/// The variable the demo profile's `secret_env` names; answered by the app itself.
pub const SECRET_ENV: &str = "HOIST_DEMO_SECRET";
// Not a secret: it guards a throwaway bucket on 127.0.0.1 that only this app serves.
pub const SECRET_KEY: &str = "hoist-demo-local-only";
/// Preferred ports, so links in the history keep working from one run to the next; any free
/// port is used when they are taken.
const S3_PORT: u16 = 39_100;
const PUBLIC_PORT: u16 = 39_101;

/// The environment lookup of the app's uploaders: the demo secret, else the process env.
pub fn env_lookup(var: &str) -> Option<String> {
    if var == SECRET_ENV {
        return Some(SECRET_KEY.to_owned());
    }
    hoist_core::credentials::process_env(var)
}

async fn start_on(paths: &Paths, s3_port: u16, public_port: u16) -> Result<DemoServer, String> {
    DemoServer::start(DemoConfig {
        data_dir: paths.data_dir.join("demo-bucket"),
        bucket: "demo".into(),
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET_KEY.into(),
        s3_port,
        public_port,
        ignore_conditional_writes: false,
        tls: false,
    })
    .await
    .map_err(|e| e.to_string())
}

/// Starts the demo bucket and writes the "demo" profile (made active when no other profile is).
pub async fn start(paths: &Paths) -> IpcResult<DemoServer> {
    let server = match start_on(paths, S3_PORT, PUBLIC_PORT).await {
        Ok(s) => s,
        Err(_) => start_on(paths, 0, 0).await.map_err(|e| {
            IpcError::new("demo.failed", format!("cannot start the demo bucket: {e}"))
        })?,
    };
    let mut cfg = Config::load(&paths.config_file())?;
    let existing = cfg.profiles.get(PROFILE).cloned().unwrap_or_default();
    let profile = Profile {
        provider: "custom".into(),
        endpoint: Some(server.s3_endpoint()),
        bucket: server.bucket().into(),
        access_key_id: Some(ACCESS_KEY.into()),
        secret_env: Some(SECRET_ENV.into()),
        public_base_url: Some(server.public_base()),
        // Keep what the user changed in the demo profile (template, format, processing).
        ..if existing.provider == "custom" {
            existing
        } else {
            Profile::default()
        }
    };
    cfg.profiles.insert(PROFILE.into(), profile);
    if cfg
        .default_profile
        .as_ref()
        .is_none_or(|d| !cfg.profiles.contains_key(d))
    {
        cfg.default_profile = Some(PROFILE.into());
    }
    cfg.save(&paths.config_file())?;
    tracing::info!(
        "demo bucket: S3 {} · public {}",
        server.s3_endpoint(),
        server.public_base()
    );
    Ok(server)
}
