//! Profile editing for the settings view: the same config model and keychain as `hoist
//! profile`, plus what a form needs (rename, duplicate, a live key/link preview). Secrets go
//! into the keychain and never come back out: the UI only learns whether one is stored.

use hoist_core::config::{Config, Profile, validate_profile_name};
use hoist_core::link::{self, LinkVars};
use hoist_core::presets;
use hoist_core::secrets::{Keychain, Secret};
use hoist_core::template::{KeyContext, Template, file_stem};
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

/// Validates and applies `req` to `cfg` (the caller saves it); a rename moves the keychain
/// secret and the active-profile mark. The first profile becomes the active one. Nothing is
/// changed when validation fails.
pub fn save(
    cfg: &mut Config,
    req: SaveProfile,
    keys: &dyn Fn() -> IpcResult<Keychain>,
) -> IpcResult<()> {
    let name = req.name.trim().to_owned();
    validate_profile_name(&name)?;
    let exists = |n: &str| cfg.profiles.contains_key(n);
    match req.original_name.as_deref() {
        None if exists(&name) => {
            return Err(IpcError::new(
                "config.profile_exists",
                format!("a profile named \"{name}\" already exists"),
            ));
        }
        Some(old) if !exists(old) => {
            return Err(IpcError::new(
                "config.unknown_profile",
                format!("no profile named \"{old}\""),
            ));
        }
        Some(old) if old != name && exists(&name) => {
            return Err(IpcError::new(
                "config.profile_exists",
                format!("a profile named \"{name}\" already exists"),
            ));
        }
        _ => {}
    }
    // The editor has no field for conditional_put: it holds what Test connection measured
    // (check::record_conditional_put), which a save of the form must not undo, unless the
    // form now names another bucket, for which only the preset's guess stands until tested.
    let mut req = req;
    if let Some(old) = cfg
        .profiles
        .get(req.original_name.as_deref().unwrap_or(&name))
    {
        req.config.conditional_put = old
            .same_bucket(&req.config)
            .then_some(old.conditional_put)
            .flatten();
    }
    // Validate the whole profile before anything is written, so a typo never lands on disk.
    req.config.resolve(&name)?;
    let secret = req.secret.filter(|s| !s.is_empty()).map(Secret::new);
    if let Some(secret) = &secret {
        keys()?.set(&name, secret)?;
    }
    if let Some(old) = req.original_name.filter(|o| *o != name) {
        if let Ok(k) = keys() {
            if secret.is_none()
                && let Ok(Some(s)) = k.get(&old)
            {
                k.set(&name, &s)?;
            }
            let _ = k.delete(&old);
        }
        cfg.profiles.remove(&old);
        if cfg.default_profile.as_deref() == Some(old.as_str()) {
            cfg.default_profile = Some(name.clone());
        }
    }
    cfg.profiles.insert(name.clone(), req.config);
    if cfg.default_profile.is_none() {
        cfg.default_profile = Some(name);
    }
    Ok(())
}

/// Copies profile `name` (and its keychain secret) to `new_name`.
pub fn duplicate(
    cfg: &mut Config,
    name: &str,
    new_name: &str,
    keys: &dyn Fn() -> IpcResult<Keychain>,
) -> IpcResult<()> {
    let new_name = new_name.trim();
    validate_profile_name(new_name)?;
    let p = get(cfg, name)?.config;
    if cfg.profiles.contains_key(new_name) {
        return Err(IpcError::new(
            "config.profile_exists",
            format!("a profile named \"{new_name}\" already exists"),
        ));
    }
    if let Ok(k) = keys()
        && let Ok(Some(s)) = k.get(name)
    {
        k.set(new_name, &s)?;
    }
    cfg.profiles.insert(new_name.to_owned(), p);
    Ok(())
}

/// Removes profile `name` and (best effort) its keychain secret.
pub fn remove(
    cfg: &mut Config,
    name: &str,
    keys: &dyn Fn() -> IpcResult<Keychain>,
) -> IpcResult<()> {
    if cfg.profiles.remove(name).is_none() {
        return Err(IpcError::new(
            "config.unknown_profile",
            format!("no profile named \"{name}\""),
        ));
    }
    if cfg.default_profile.as_deref() == Some(name) {
        // The next profile (alphabetically) becomes active, so uploads keep working.
        cfg.default_profile = cfg.profiles.keys().next().cloned();
    }
    if let Ok(k) = keys()
        && let Err(e) = k.delete(name)
    {
        tracing::warn!("profile \"{name}\" removed; its keychain secret could not be: {e}");
    }
    Ok(())
}

pub fn system_keychain() -> IpcResult<Keychain> {
    keychain()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRequest {
    pub config: Profile,
    pub file_name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PreviewError {
    pub message: String,
    pub offset: Option<usize>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Preview {
    pub key: Option<String>,
    pub url: Option<String>,
    pub link: Option<String>,
    pub error: Option<PreviewError>,
}

/// The key, URL and link the form's settings give for a sample 1280×800 image, computed by the
/// same code as real uploads. `now` and the sample bytes are inputs, so the preview is exact.
pub fn preview(req: &PreviewRequest, now: chrono::DateTime<chrono::FixedOffset>) -> Preview {
    let fail = |message: String, offset| Preview {
        key: None,
        url: None,
        link: None,
        error: Some(PreviewError { message, offset }),
    };
    let template = match Template::parse(&req.config.key_template) {
        Ok(t) => t,
        Err(e) => return fail(e.to_string(), Some(e.offset)),
    };
    use hoist_imaging::OutputFormat;
    let ext = match req.config.processing.format {
        OutputFormat::Keep | OutputFormat::Original => req
            .file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default(),
        OutputFormat::Webp => "webp".into(),
        OutputFormat::Jpeg => "jpg".into(),
        OutputFormat::Png => "png".into(),
        OutputFormat::Avif => "avif".into(),
    };
    let bytes = b"hoist preview sample";
    let key = match template.render(&KeyContext {
        now,
        file_name: &req.file_name,
        ext: &ext,
        bytes,
        width: Some(1280),
        height: Some(800),
        profile: "preview",
        uuid: uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        source_path: Some(
            std::path::Path::new("/home/me/Pictures/blog")
                .join(&req.file_name)
                .as_path(),
        ),
    }) {
        Ok(k) => k,
        Err(e) => return fail(e.to_string(), Some(e.offset)),
    };
    if let Err(e) = link::validate_custom(&req.config.custom_link)
        && req.config.link_format == link::LinkFormat::Custom
    {
        return Preview {
            key: Some(key),
            url: None,
            link: None,
            error: Some(PreviewError {
                message: e,
                offset: None,
            }),
        };
    }
    // The URL needs the rest of the profile; an incomplete form still previews the key.
    let (url, error) = match req.config.resolve("preview") {
        Ok(r) => match r.public_base.as_deref() {
            Some(base) => (Some(link::public_url(base, &key, &r.url_suffix)), None),
            None => (
                None,
                Some(PreviewError {
                    message: "set a public base URL (custom domain) to get links".into(),
                    offset: None,
                }),
            ),
        },
        Err(e) => (
            None,
            Some(PreviewError {
                message: e.to_string(),
                offset: None,
            }),
        ),
    };
    let link = url.as_deref().map(|url| {
        let ext_name = format!(".{ext}");
        link::render_link(
            req.config.link_format,
            &req.config.custom_link,
            &LinkVars {
                url,
                file_name: file_stem(&req.file_name),
                ext_name: &ext_name,
                key: &key,
                width: Some(1280),
                height: Some(800),
            },
        )
    });
    Preview {
        key: Some(key),
        url,
        link,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> chrono::DateTime<chrono::FixedOffset> {
        chrono::DateTime::parse_from_rfc3339("2026-03-04T05:06:07+08:00").unwrap()
    }

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

    #[test]
    fn preview_renders_key_url_and_link() {
        let p = preview(
            &PreviewRequest {
                config: demo_profile(),
                file_name: "screenshot.png".into(),
            },
            now(),
        );
        assert_eq!(p.key.as_deref(), Some("2026/03/screenshot.webp"));
        assert_eq!(
            p.url.as_deref(),
            Some("https://img.example.com/2026/03/screenshot.webp")
        );
        assert_eq!(
            p.link.as_deref(),
            Some("![screenshot](https://img.example.com/2026/03/screenshot.webp)")
        );
        assert_eq!(p.error, None);
    }

    #[test]
    fn preview_points_at_template_errors() {
        let mut cfg = demo_profile();
        cfg.key_template = "img/{yaer}/{fileName}".into();
        let p = preview(
            &PreviewRequest {
                config: cfg,
                file_name: "a.png".into(),
            },
            now(),
        );
        let e = p.error.unwrap();
        assert_eq!(e.offset, Some(4), "{}", e.message);
        assert!(e.message.contains("yaer"), "{}", e.message);
        assert_eq!(p.key, None);
    }

    #[test]
    fn preview_without_public_base_still_shows_the_key() {
        // R2 buckets have no public URL of their own: links need a custom domain.
        let mut cfg = demo_profile();
        cfg.provider = "r2".into();
        cfg.endpoint = None;
        cfg.account_id = Some("0123456789abcdef0123456789abcdef".into());
        cfg.public_base_url = None;
        let p = preview(
            &PreviewRequest {
                config: cfg,
                file_name: "a.png".into(),
            },
            now(),
        );
        assert!(p.key.is_some());
        assert!(p.error.unwrap().message.contains("public base URL"));
    }

    fn mock_keys() -> impl Fn() -> IpcResult<Keychain> {
        let store = keyring_mock();
        move || Ok(Keychain::with_store(store.clone()))
    }

    fn keyring_mock() -> std::sync::Arc<keyring_core::CredentialStore> {
        keyring_core::mock::Store::new().unwrap()
    }

    #[test]
    fn a_save_keeps_the_measured_conditional_put_of_the_same_bucket_only() {
        let keys = mock_keys();
        let mut cfg = Config::default();
        let measured = Profile {
            conditional_put: Some(false),
            ..demo_profile()
        };
        cfg.profiles.insert("blog".into(), measured);
        let edit = |cfg: &mut Config, config: Profile| {
            save(
                cfg,
                SaveProfile {
                    original_name: Some("blog".into()),
                    name: "blog".into(),
                    config,
                    secret: None,
                },
                &keys,
            )
            .unwrap();
        };
        // The form sends what it loaded before the test recorded the answer.
        let form = Profile {
            link_format: hoist_core::link::LinkFormat::Url,
            ..demo_profile()
        };
        edit(&mut cfg, form.clone());
        assert_eq!(cfg.profiles["blog"].conditional_put, Some(false));
        assert_eq!(
            cfg.profiles["blog"].link_format,
            hoist_core::link::LinkFormat::Url
        );
        let moved = Profile {
            bucket: "other".into(),
            ..form
        };
        edit(&mut cfg, moved);
        assert_eq!(cfg.profiles["blog"].conditional_put, None, "another bucket");
    }

    #[test]
    fn rename_moves_the_secret_and_the_active_mark() {
        let keys = mock_keys();
        let mut cfg = Config::default();
        let add = |cfg: &mut Config, name: &str, secret: Option<&str>| {
            save(
                cfg,
                SaveProfile {
                    original_name: None,
                    name: name.into(),
                    config: demo_profile(),
                    secret: secret.map(Into::into),
                },
                &keys,
            )
        };
        add(&mut cfg, "blog", Some("s3cret")).unwrap();
        assert_eq!(cfg.default_profile.as_deref(), Some("blog"));
        assert_eq!(
            add(&mut cfg, "blog", None).unwrap_err().code,
            "config.profile_exists"
        );
        save(
            &mut cfg,
            SaveProfile {
                original_name: Some("blog".into()),
                name: "notes".into(),
                config: demo_profile(),
                secret: None,
            },
            &keys,
        )
        .unwrap();
        assert!(!cfg.profiles.contains_key("blog"));
        assert_eq!(cfg.default_profile.as_deref(), Some("notes"));
        let k = keys().unwrap();
        assert_eq!(k.get("notes").unwrap().unwrap().expose(), "s3cret");
        assert!(k.get("blog").unwrap().is_none());

        duplicate(&mut cfg, "notes", "notes-2", &keys).unwrap();
        assert_eq!(k.get("notes-2").unwrap().unwrap().expose(), "s3cret");
        remove(&mut cfg, "notes", &keys).unwrap();
        assert_eq!(cfg.default_profile.as_deref(), Some("notes-2"));
        assert!(k.get("notes").unwrap().is_none());
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
