//! Profile editing for the settings view: the same config model and keychain as `hoist
//! profile`, plus what a form needs (rename, duplicate, a live key/link preview). Secrets go
//! into the keychain and never come back out: the UI only learns whether one is stored.

use hoist_core::config::{Config, Profile};
use hoist_core::presets;
pub use hoist_core::preview::Preview;
use hoist_core::profiles::{self, Keys};
use hoist_core::secrets::{Keychain, Secret};
use serde::{Deserialize, Serialize};

use crate::error::{IpcError, IpcResult};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDetail {
    pub name: String,
    pub config: Profile,
    pub has_secret: bool,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveProfile {
    pub original_name: Option<String>,
    pub name: String,
    pub config: Profile,
    /// A new secret; `None` (or empty) keeps the stored one.
    pub secret: Option<String>,
}

/// Never prints the secret, so a logged request cannot leak it.
impl std::fmt::Debug for SaveProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SaveProfile")
            .field("original_name", &self.original_name)
            .field("name", &self.name)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

fn keychain() -> IpcResult<Keychain> {
    Ok(Keychain::system()?)
}

pub fn has_secret(name: &str) -> bool {
    keychain()
        .and_then(|k| Ok(k.get(name)?))
        .is_ok_and(|s| s.is_some())
}

pub fn get(cfg: &Config, name: &str) -> IpcResult<ProfileDetail> {
    let config = cfg.profiles.get(name).cloned().ok_or_else(|| {
        IpcError::new(
            "config.unknown_profile",
            format!("no profile named \"{name}\""),
        )
    })?;
    Ok(ProfileDetail {
        name: name.to_owned(),
        has_secret: has_secret(name),
        config,
    })
}

/// A new profile's fields for `provider`: the defaults, with the preset's region.
pub fn new_for(provider: &str) -> IpcResult<ProfileDetail> {
    let preset = presets::get(provider).ok_or_else(|| {
        IpcError::new("config.invalid", format!("unknown provider \"{provider}\""))
    })?;
    let config = Profile {
        provider: preset.id.clone(),
        region: (!preset.region.is_empty()).then(|| preset.region.clone()),
        ..Profile::default()
    };
    Ok(ProfileDetail {
        name: String::new(),
        config,
        has_secret: false,
    })
}

/// Applies the editor's form to `cfg` through the core's profile operations (the caller
/// saves it): a new profile, or an edit of `original_name` (a rename when the name changed).
pub fn save(cfg: &mut Config, req: SaveProfile, keys: Keys<'_>) -> IpcResult<()> {
    let name = req.name.trim();
    let secret = req.secret.filter(|s| !s.is_empty()).map(Secret::new);
    match req.original_name.as_deref() {
        None => profiles::add(cfg, name, req.config, secret.as_ref(), keys)?,
        Some(old) => profiles::update(cfg, old, name, req.config, secret.as_ref(), keys)?,
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRequest {
    pub config: Profile,
    pub file_name: String,
    /// The profile's name as typed (for `{profile}`); empty while a new one has none.
    #[serde(default)]
    pub name: String,
}

/// The editor's live preview: the core's, which runs the upload's own stages on a sample.
pub fn preview(req: &PreviewRequest, now: chrono::DateTime<chrono::FixedOffset>) -> Preview {
    let name = match req.name.trim() {
        "" => "preview",
        n => n,
    };
    hoist_core::preview::preview(name, &req.config, &req.file_name, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo_profile() -> Profile {
        Profile {
            provider: "custom".into(),
            endpoint: Some("http://127.0.0.1:9000".into()),
            bucket: "imgs".into(),
            public_base_url: Some("https://img.example.com".into()),
            key_template: "{year}/{month}/{fileName}.{extName}".into(),
            ..Profile::default()
        }
    }

    fn mock_keys() -> impl Fn() -> Result<Keychain, hoist_core::secrets::SecretError> {
        let store = keyring_core::mock::Store::new().unwrap();
        move || Ok(Keychain::with_store(store.clone()))
    }

    #[test]
    fn the_form_adds_and_renames_through_the_core_rules() {
        let keys = mock_keys();
        let mut cfg = Config::default();
        let form = |original: Option<&str>, name: &str, secret: Option<&str>| SaveProfile {
            original_name: original.map(Into::into),
            name: name.into(),
            config: demo_profile(),
            secret: secret.map(Into::into),
        };
        save(&mut cfg, form(None, " blog ", Some("s3cret")), &keys).unwrap();
        assert_eq!(cfg.default_profile.as_deref(), Some("blog"));
        let e = save(&mut cfg, form(None, "blog", None), &keys).unwrap_err();
        assert_eq!(e.code, "config.profile_exists");
        // An empty secret field keeps the stored secret.
        save(&mut cfg, form(Some("blog"), "notes", Some("")), &keys).unwrap();
        assert_eq!(cfg.default_profile.as_deref(), Some("notes"));
        let k = keys().unwrap();
        assert_eq!(k.get("notes").unwrap().unwrap().expose(), "s3cret");
    }

    #[test]
    fn an_invalid_profile_changes_nothing() {
        let keys = mock_keys();
        let mut cfg = Config::default();
        let mut bad = demo_profile();
        bad.provider = "nope".into();
        let e = save(
            &mut cfg,
            SaveProfile {
                original_name: None,
                name: "x".into(),
                config: bad,
                secret: Some("s".into()),
            },
            &keys,
        )
        .unwrap_err();
        assert_eq!(e.code, "config.invalid");
        assert!(cfg.profiles.is_empty());
        assert!(keys().unwrap().get("x").unwrap().is_none());
    }
}
