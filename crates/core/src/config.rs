//! The config file: where it lives, its schema (profiles and the default one), loading with
//! clear errors, atomic saving, and resolving a profile against its provider preset.
//! Secrets are not here (see `secrets`); this file holds only the names of env variables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hoist_imaging::{OutputFormat, ProcessOptions};
use serde::{Deserialize, Serialize};

use crate::fsio;
use crate::link::LinkFormat;
pub use crate::paths::Paths;
use crate::presets::{self, Addressing, Preset};
use crate::template::{Template, TemplateError};

/// Schema version written to new files. Bump it with a migration in `Config::migrate`.
pub const SCHEMA_VERSION: u32 = 1;
/// The PicGo S3 plugins' default, kept so PicGo users get the keys they know.
pub const DEFAULT_TEMPLATE: &str = "{year}/{month}/{md5}.{extName}";
pub const DEFAULT_CUSTOM_LINK: &str = "![$fileName]($url)";

/// The whole config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Schema version of the file; newer than this build understands → refused, not rewritten.
    pub schema: u32,
    /// Name of the profile used when none is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    pub profiles: BTreeMap<String, Profile>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            schema: SCHEMA_VERSION,
            default_profile: None,
            profiles: BTreeMap::new(),
        }
    }
}

/// One named destination: bucket + key template + processing + link format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    /// Provider preset id (`r2`, `aws`, `minio`, `garage`, `aliyun-oss`, `tencent-cos`, `b2`,
    /// `wasabi`, `custom`).
    pub provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Cloudflare account id, filled into the R2 endpoint pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub bucket: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addressing: Option<Addressing>,
    /// Canned ACL such as `public-read`; none is sent unless set (R2 rejects ACLs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acl: Option<String>,
    /// The access key id (not secret on its own; shown so users see which key is used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// Environment variable that supplies the access key id instead (headless machines, CI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id_env: Option<String>,
    /// Environment variable that supplies the secret access key instead of the keychain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<String>,
    /// Custom domain / CDN base for links, e.g. `https://img.example.com` or with a path prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_base_url: Option<String>,
    /// Appended verbatim to every URL (PicList's `urlSuffix`, e.g. an image-processing query).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub url_suffix: String,
    pub key_template: String,
    pub link_format: LinkFormat,
    pub custom_link: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<String>,
    /// Send `Content-Disposition: inline; filename*=…` with the original file name.
    pub content_disposition: bool,
    pub connect_timeout_secs: u64,
    pub timeout_secs: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    pub allow_invalid_certs: bool,
    /// What to do when the key already holds other content.
    pub collision: CollisionPolicy,
    /// Whether the bucket refuses a write to a taken key when asked to (`If-None-Match: *` or
    /// the provider's own header). `hoist profile test` measures it and records it here;
    /// unset = the preset's guess.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditional_put: Option<bool>,
    /// Reuse the link of an earlier upload of the same bytes (same profile and template).
    pub dedup: bool,
    pub processing: ProcessOptions,
    /// Other profiles every upload is also copied to (a backup bucket, a second CDN): the same
    /// bytes under each one's own key template. The link comes from this profile; each copy
    /// has its own history row, and a failed copy is retried on its own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<String>,
}

/// What happens when an upload's key already holds a different object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CollisionPolicy {
    /// Add a short suffix from the content hash before the extension (`image-3f9a2c.png`).
    #[default]
    Rename,
    /// Replace the existing object (explicit opt-in: old links then show the new image).
    Overwrite,
    /// Refuse the upload with an error naming the key.
    Fail,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            provider: "custom".into(),
            endpoint: None,
            account_id: None,
            region: None,
            bucket: String::new(),
            addressing: None,
            acl: None,
            access_key_id: None,
            access_key_id_env: None,
            secret_env: None,
            public_base_url: None,
            url_suffix: String::new(),
            key_template: DEFAULT_TEMPLATE.into(),
            link_format: LinkFormat::Markdown,
            custom_link: DEFAULT_CUSTOM_LINK.into(),
            cache_control: None,
            content_disposition: true,
            connect_timeout_secs: 10,
            timeout_secs: 60,
            proxy: None,
            allow_invalid_certs: false,
            collision: CollisionPolicy::Rename,
            conditional_put: None,
            dedup: true,
            processing: ProcessOptions::default(),
            mirrors: Vec::new(),
        }
    }
}

/// A profile with every preset default applied and every field checked: what the pipeline
/// and the store are built from.
#[derive(Debug, Clone)]
pub struct ResolvedProfile {
    pub name: String,
    pub preset: &'static Preset,
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    pub addressing: Addressing,
    pub acl: Option<String>,
    /// The bucket refuses a write to a taken key when asked to (else a HEAD check under a
    /// per-key lock guards overwrites).
    pub conditional_put: bool,
    /// The provider's own "do not overwrite" header, sent instead of `If-None-Match: *`.
    pub forbid_overwrite_header: Option<String>,
    pub collision: CollisionPolicy,
    pub dedup: bool,
    /// Base of public links; `None` when neither the profile nor the preset gives one.
    pub public_base: Option<String>,
    pub url_suffix: String,
    pub template: Template,
    pub link_format: LinkFormat,
    pub custom_link: String,
    pub cache_control: Option<String>,
    pub content_disposition: bool,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub proxy: Option<String>,
    pub allow_invalid_certs: bool,
    pub processing: ProcessOptions,
    /// The profiles uploads are copied to, by name (checked: not this one, none twice).
    pub mirrors: Vec<String>,
    pub access_key_id: Option<String>,
    pub access_key_id_env: Option<String>,
    pub secret_env: Option<String>,
}

/// Config problems, each naming the file or the profile and what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{detail}")]
    NoHome { detail: String },
    #[error("cannot read {path}: {detail}")]
    Read { path: PathBuf, detail: String },
    #[error("cannot write {path}: {detail}")]
    Write { path: PathBuf, detail: String },
    #[error(
        "cannot write {path}: the disk holding it is full; free some space there and try again"
    )]
    DiskFull { path: PathBuf },
    #[error("{path} is not a valid Hoist config: {detail} (the file was left as it is)")]
    Parse { path: PathBuf, detail: String },
    #[error(
        "{path} was written by a newer Hoist (schema {found}, this build knows {known}); update Hoist (the file was left as it is)"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("no profile named \"{name}\"{hint}")]
    UnknownProfile { name: String, hint: String },
    #[error("a profile named \"{name}\" already exists; choose another name, or edit that profile")]
    ProfileExists { name: String },
    #[error(
        "no profile is set up yet: add one with `hoist profile add NAME --provider …` (or try `hoist demo`)"
    )]
    NoProfiles,
    #[error("profile \"{profile}\": {detail}")]
    Invalid { profile: String, detail: String },
    #[error("profile \"{profile}\": {source}")]
    Template {
        profile: String,
        source: TemplateError,
    },
}

impl ConfigError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoHome { .. } => "config.no_home",
            Self::Read { .. } => "config.read",
            Self::Write { .. } => "config.write",
            Self::DiskFull { .. } => "config.disk_full",
            Self::Parse { .. } => "config.parse",
            Self::NewerSchema { .. } => "config.newer_schema",
            Self::UnknownProfile { .. } => "config.unknown_profile",
            Self::ProfileExists { .. } => "config.profile_exists",
            Self::NoProfiles => "config.no_profiles",
            Self::Invalid { .. } => "config.invalid",
            Self::Template { .. } => "config.template",
        }
    }
}

impl Config {
    /// Loads the file, or the empty default when it does not exist. A file that exists but
    /// cannot be parsed is an error and is never replaced with defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.into(),
                    detail: e.to_string(),
                });
            }
        };
        Self::parse(&text, path)
    }

    /// Parses config text; `path` is only for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        // Read the version first so a newer file is refused with the right message rather
        // than a confusing "unknown field" from a key this build has never heard of.
        #[derive(Deserialize)]
        struct Version {
            #[serde(default)]
            schema: Option<u32>,
        }
        let parse_err = |e: toml::de::Error| ConfigError::Parse {
            path: path.into(),
            detail: one_line(&e.to_string()),
        };
        let v: Version = toml::from_str(text).map_err(parse_err)?;
        let found = v.schema.unwrap_or(SCHEMA_VERSION);
        if found > SCHEMA_VERSION {
            return Err(ConfigError::NewerSchema {
                path: path.into(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        let mut cfg: Config = toml::from_str(text).map_err(parse_err)?;
        cfg.schema = SCHEMA_VERSION;
        Ok(cfg)
    }

    /// Writes the file atomically: a temp file in the same folder, flushed to disk, renamed
    /// over the old one, so a crash never leaves half a config.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let write_err = |detail: String| ConfigError::Write {
            path: path.into(),
            detail,
        };
        let io_err = |e: std::io::Error| {
            if fsio::is_disk_full(&e) {
                ConfigError::DiskFull { path: path.into() }
            } else {
                write_err(fsio::io_words(&e))
            }
        };
        let body = toml::to_string_pretty(self).map_err(|e| write_err(e.to_string()))?;
        fsio::save_atomically(
            path,
            "# Hoist configuration. Reference: docs/config.reference.toml\n",
            body.as_bytes(),
        )
        .map_err(io_err)
    }

    /// The name of the profile to use: the explicit one, else the default, else the only one.
    pub fn pick_profile_name(&self, explicit: Option<&str>) -> Result<String, ConfigError> {
        if let Some(name) = explicit {
            return if self.profiles.contains_key(name) {
                Ok(name.to_owned())
            } else {
                Err(self.unknown(name))
            };
        }
        if let Some(name) = &self.default_profile {
            if self.profiles.contains_key(name) {
                return Ok(name.clone());
            }
            return Err(self.unknown(name));
        }
        match self.profiles.len() {
            0 => Err(ConfigError::NoProfiles),
            1 => Ok(self.profiles.keys().next().cloned().unwrap_or_default()),
            _ => Err(ConfigError::Invalid {
                profile: String::new(),
                detail: "several profiles exist and none is the default: pass --profile NAME or run `hoist profile use NAME`".into(),
            }),
        }
    }

    /// The resolved profile `explicit` or the default one.
    pub fn resolve(&self, explicit: Option<&str>) -> Result<ResolvedProfile, ConfigError> {
        let name = self.pick_profile_name(explicit)?;
        let profile = self
            .profiles
            .get(&name)
            .ok_or_else(|| self.unknown(&name))?;
        profile.resolve(&name)
    }

    /// Every mirror of `profile` (named `name`) is a profile of this config. Checked when a
    /// profile is added or edited; a mirror removed later (here, or by another device's sync)
    /// makes that copy fail with a clear error instead of the upload.
    pub fn check_mirrors(&self, name: &str, profile: &Profile) -> Result<(), ConfigError> {
        match profile
            .mirrors
            .iter()
            .find(|m| !self.profiles.contains_key(*m))
        {
            Some(missing) => Err(ConfigError::Invalid {
                profile: name.into(),
                detail: format!("mirror \"{missing}\" is not a profile"),
            }),
            None => Ok(()),
        }
    }

    pub(crate) fn unknown(&self, name: &str) -> ConfigError {
        let hint = if self.profiles.is_empty() {
            String::new()
        } else {
            format!(
                " (profiles: {})",
                self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        ConfigError::UnknownProfile {
            name: name.into(),
            hint,
        }
    }
}

/// The longest profile name, in bytes of UTF-8.
pub const MAX_PROFILE_NAME_BYTES: usize = 64;

/// Profile names become keychain entries, file-name-ish ids in the UI and `{profile}` in keys.
pub fn validate_profile_name(name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_PROFILE_NAME_BYTES
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            profile: name.into(),
            detail: "a profile name uses letters, digits, '-', '_' or '.' (at most 64, not starting with '.')".into(),
        })
    }
}

impl Profile {
    /// Whether both name the same bucket (provider, endpoint, account, region and bucket
    /// alike), so that what was measured about one (`conditional_put`) holds for the other.
    pub fn same_bucket(&self, other: &Profile) -> bool {
        self.provider == other.provider
            && self.endpoint == other.endpoint
            && self.account_id == other.account_id
            && self.region == other.region
            && self.bucket.trim() == other.bucket.trim()
    }

    /// The S3 endpoint: the profile's own, else the preset's for the region and account.
    fn endpoint_for(&self, preset: &Preset, region: &str, account: &str) -> Result<String, String> {
        let endpoint = match non_empty(&self.endpoint) {
            Some(e) => e.trim_end_matches('/').to_owned(),
            None if preset.endpoint.is_empty() => {
                return Err(format!(
                    "{} needs an endpoint, e.g. endpoint = \"http://127.0.0.1:9000\"",
                    preset.name
                ));
            }
            None => preset.endpoint_for(region, account),
        };
        if endpoint.contains('{') {
            return Err(format!(
                "the {} endpoint needs account_id (got {endpoint})",
                preset.name
            ));
        }
        check_http_url(&endpoint).map_err(|d| format!("endpoint {d}"))?;
        Ok(endpoint)
    }

    /// Where uploads are served from: the profile's own base, else the preset's (none for
    /// providers without public bucket URLs).
    fn public_base_for(
        &self,
        preset: &Preset,
        endpoint: &str,
        region: &str,
    ) -> Result<Option<String>, String> {
        let public_base = match non_empty(&self.public_base_url) {
            Some(u) => Some(u.trim_end_matches('/').to_owned()),
            None if preset.public_url.is_empty() => None,
            None => Some(presets::fill(
                &preset.public_url,
                &[
                    ("endpoint", endpoint),
                    ("bucket", &self.bucket),
                    ("region", region),
                ],
            )),
        };
        if let Some(base) = &public_base {
            check_http_url(base).map_err(|d| format!("public_base_url {d}"))?;
        }
        Ok(public_base)
    }

    /// A mirror is another profile, named once. Whether it exists is the config's to say
    /// ([`Config::check_mirrors`]): a profile alone cannot know.
    fn check_mirrors(&self, name: &str) -> Result<(), String> {
        for (i, m) in self.mirrors.iter().enumerate() {
            if m == name {
                return Err("a profile cannot be its own mirror".into());
            }
            if self.mirrors[..i].contains(m) {
                return Err(format!("mirror \"{m}\" is named twice"));
            }
        }
        Ok(())
    }

    fn check_processing(&self) -> Result<(), String> {
        let q = self.processing.quality;
        if !(1..=100).contains(&q) {
            return Err(format!("processing.quality must be 1 to 100 (got {q})"));
        }
        if self.processing.format == OutputFormat::Original
            && (self.processing.max_width.is_some() || self.processing.max_height.is_some())
        {
            return Err(
                "processing.format \"original\" uploads files unchanged, so they cannot be \
                 resized: remove max_width/max_height, or use format \"keep\" (same format, \
                 resized)"
                    .into(),
            );
        }
        if let Some(t) = self.processing.target_score
            && !(0.0..=100.0).contains(&t)
        {
            return Err(format!(
                "processing.target_score must be 0 to 100 (got {t})"
            ));
        }
        if self.processing.keep_below.is_some() && self.processing.format == OutputFormat::Original
        {
            return Err(
                "processing.keep_below does nothing with format \"original\" (every file is \
                 uploaded as it is): remove it"
                    .into(),
            );
        }
        if let Some(large) = &self.processing.large {
            if let Some(q) = large.quality
                && !(1..=100).contains(&q)
            {
                return Err(format!(
                    "processing.large.quality must be 1 to 100 (got {q})"
                ));
            }
            if let Some(below) = self.processing.keep_below
                && below > large.above
            {
                return Err(format!(
                    "processing.keep_below ({below} bytes) is above processing.large.above \
                     ({} bytes): a file cannot be both small and large",
                    large.above
                ));
            }
            if large.format == Some(OutputFormat::Original)
                && (self.processing.max_width.is_some() || self.processing.max_height.is_some())
            {
                return Err(
                    "processing.large.format \"original\" uploads large files unchanged, so \
                     they cannot be resized: remove max_width/max_height, or use \"keep\""
                        .into(),
                );
            }
        }
        if let Some(mark) = &self.processing.watermark {
            mark.check().map_err(|e| format!("processing.{e}"))?;
            let original = self.processing.format == OutputFormat::Original
                || self
                    .processing
                    .large
                    .as_ref()
                    .is_some_and(|l| l.format == Some(OutputFormat::Original));
            if original {
                return Err(
                    "\"original\" uploads files unchanged, so they cannot carry a watermark: \
                     use \"keep\" (their own format) or remove the watermark"
                        .into(),
                );
            }
        }
        Ok(())
    }

    /// Applies the preset (profile setting > preset > default) and checks every field.
    pub fn resolve(&self, name: &str) -> Result<ResolvedProfile, ConfigError> {
        let invalid = |detail: String| ConfigError::Invalid {
            profile: name.into(),
            detail,
        };
        let preset = presets::get(&self.provider).ok_or_else(|| {
            invalid(format!(
                "unknown provider \"{}\" (known: {})",
                self.provider,
                presets::ids()
            ))
        })?;
        if self.bucket.trim().is_empty() {
            return Err(invalid("no bucket is set".into()));
        }
        let region = non_empty(&self.region).unwrap_or(&preset.region).to_owned();
        let account = non_empty(&self.account_id).unwrap_or("");
        let endpoint = self
            .endpoint_for(preset, &region, account)
            .map_err(invalid)?;
        if self.acl.is_some() && !preset.acl {
            return Err(invalid(format!(
                "{} does not accept ACLs; remove acl from the profile",
                preset.name
            )));
        }
        let public_base = self
            .public_base_for(preset, &endpoint, &region)
            .map_err(invalid)?;
        if let Some(proxy) = non_empty(&self.proxy) {
            check_http_url(proxy).map_err(|d| invalid(format!("proxy {d}")))?;
        }
        let template =
            Template::parse(&self.key_template).map_err(|source| ConfigError::Template {
                profile: name.into(),
                source,
            })?;
        // One rule for custom patterns (the import and the editor's preview use it too): an
        // empty one means PicGo's fallback, Markdown.
        if self.link_format == LinkFormat::Custom
            && let Err(why) = crate::link::validate_custom(&self.custom_link)
        {
            return Err(invalid(format!("custom_link: {why}")));
        }
        self.check_processing().map_err(invalid)?;
        self.check_mirrors(name).map_err(invalid)?;
        if self.timeout_secs == 0 || self.connect_timeout_secs == 0 {
            return Err(invalid("timeouts must be at least 1 second".into()));
        }
        Ok(ResolvedProfile {
            name: name.into(),
            preset,
            endpoint,
            region,
            bucket: self.bucket.trim().to_owned(),
            addressing: self.addressing.unwrap_or(preset.addressing),
            acl: non_empty(&self.acl).map(str::to_owned),
            conditional_put: self.conditional_put.unwrap_or(preset.conditional_put),
            forbid_overwrite_header: (!preset.forbid_overwrite_header.is_empty())
                .then(|| preset.forbid_overwrite_header.clone()),
            collision: self.collision,
            dedup: self.dedup,
            public_base,
            url_suffix: self.url_suffix.clone(),
            template,
            link_format: self.link_format,
            custom_link: self.custom_link.clone(),
            cache_control: non_empty(&self.cache_control).map(str::to_owned),
            content_disposition: self.content_disposition,
            connect_timeout: Duration::from_secs(self.connect_timeout_secs),
            timeout: Duration::from_secs(self.timeout_secs),
            proxy: non_empty(&self.proxy).map(str::to_owned),
            allow_invalid_certs: self.allow_invalid_certs,
            processing: self.processing.clone(),
            mirrors: self.mirrors.clone(),
            access_key_id: non_empty(&self.access_key_id).map(str::to_owned),
            access_key_id_env: non_empty(&self.access_key_id_env).map(str::to_owned),
            secret_env: non_empty(&self.secret_env).map(str::to_owned),
        })
    }
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// An absolute http(s) URL with a host, parsed by the `url` crate (WHATWG rules, as browsers
/// and the HTTP clients read it).
fn check_http_url(text: &str) -> Result<(), String> {
    let must_be_http = || format!("\"{text}\" must start with http:// or https://");
    let parsed = match url::Url::parse(text) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => return Err(must_be_http()),
        Err(e) => return Err(format!("\"{text}\" is not a valid URL ({e})")),
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(must_be_http());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("\"{text}\" has no valid host"));
    }
    Ok(())
}

/// TOML errors span several lines with a caret diagram; a CLI error is one line.
fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.chars().all(|c| c == '^'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minio() -> Profile {
        Profile {
            provider: "minio".into(),
            endpoint: Some("http://127.0.0.1:9000/".into()),
            bucket: "imgs".into(),
            ..Profile::default()
        }
    }

    #[test]
    fn preset_fills_region_addressing_and_public_url() {
        let r = minio().resolve("blog").unwrap();
        assert_eq!(r.endpoint, "http://127.0.0.1:9000");
        assert_eq!(r.region, "us-east-1");
        assert_eq!(r.addressing, Addressing::Path);
        assert_eq!(r.public_base.as_deref(), Some("http://127.0.0.1:9000/imgs"));
        assert!(r.acl.is_none());
    }

    #[test]
    fn user_setting_beats_preset() {
        let mut p = minio();
        p.region = Some("eu-1".into());
        p.addressing = Some(Addressing::Virtual);
        p.public_base_url = Some("https://img.example.com/".into());
        let r = p.resolve("blog").unwrap();
        assert_eq!(r.region, "eu-1");
        assert_eq!(r.addressing, Addressing::Virtual);
        assert_eq!(r.public_base.as_deref(), Some("https://img.example.com"));
    }

    #[test]
    fn r2_needs_account_and_has_no_public_url() {
        let p = Profile {
            provider: "r2".into(),
            bucket: "b".into(),
            ..Profile::default()
        };
        let e = p.resolve("r").unwrap_err();
        assert!(e.to_string().contains("account_id"), "{e}");
        let p = Profile {
            account_id: Some("abc".into()),
            ..p
        };
        let r = p.resolve("r").unwrap();
        assert_eq!(r.endpoint, "https://abc.r2.cloudflarestorage.com");
        assert_eq!(r.region, "auto");
        assert!(r.public_base.is_none());
    }

    #[test]
    fn acl_refused_where_provider_has_none() {
        let p = Profile {
            provider: "r2".into(),
            account_id: Some("a".into()),
            bucket: "b".into(),
            acl: Some("public-read".into()),
            ..Profile::default()
        };
        assert_eq!(p.resolve("r").unwrap_err().code(), "config.invalid");
    }

    #[test]
    fn original_format_refuses_resizing_instead_of_ignoring_it() {
        let mut p = minio();
        p.processing.format = OutputFormat::Original;
        assert!(p.resolve("blog").is_ok());
        p.processing.max_height = Some(1080);
        let e = p.resolve("blog").unwrap_err();
        assert_eq!(e.code(), "config.invalid");
        assert_eq!(
            e.to_string(),
            "profile \"blog\": processing.format \"original\" uploads files unchanged, so they \
             cannot be resized: remove max_width/max_height, or use format \"keep\" (same \
             format, resized)"
        );
        p.processing.format = OutputFormat::Keep;
        assert!(p.resolve("blog").is_ok());
    }

    #[test]
    fn size_rules_are_checked_against_each_other() {
        let mut p = minio();
        p.processing.keep_below = Some(20_000);
        p.processing.large = Some(hoist_imaging::LargeFiles {
            above: 5_000_000,
            format: Some(OutputFormat::Jpeg),
            quality: Some(60),
        });
        assert!(p.resolve("blog").is_ok());
        let refused = |p: &Profile| p.resolve("blog").unwrap_err().to_string();
        let mut q = p.clone();
        q.processing.large.as_mut().unwrap().quality = Some(0);
        assert!(
            refused(&q).contains("large.quality must be 1 to 100"),
            "{}",
            refused(&q)
        );
        let mut q = p.clone();
        q.processing.keep_below = Some(6_000_000);
        assert!(
            refused(&q).contains("both small and large"),
            "{}",
            refused(&q)
        );
        let mut q = p.clone();
        q.processing.format = OutputFormat::Original;
        assert!(
            refused(&q).contains("keep_below does nothing"),
            "{}",
            refused(&q)
        );
        let mut q = p.clone();
        q.processing.max_width = Some(1920);
        q.processing.large.as_mut().unwrap().format = Some(OutputFormat::Original);
        assert!(refused(&q).contains("cannot be resized"), "{}", refused(&q));
    }

    #[test]
    fn bad_template_names_profile_and_position() {
        let p = Profile {
            key_template: "{year}/{nope}".into(),
            ..minio()
        };
        let e = p.resolve("blog").unwrap_err();
        assert_eq!(e.code(), "config.template");
        let msg = e.to_string();
        assert!(
            msg.contains("profile \"blog\"") && msg.contains("nope"),
            "{msg}"
        );
    }

    #[test]
    fn round_trip_through_file_is_lossless() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        let mut cfg = Config::default();
        cfg.profiles.insert("blog".into(), minio());
        cfg.default_profile = Some("blog".into());
        cfg.save(&path).unwrap();
        assert_eq!(Config::load(&path).unwrap(), cfg);
    }

    #[test]
    fn missing_file_is_empty_config() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Config::load(&dir.path().join("none.toml")).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn corrupt_file_is_an_error_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "schema = 1\n[profiles.x\nbucket=").unwrap();
        let e = Config::load(&path).unwrap_err();
        assert_eq!(e.code(), "config.parse");
        assert!(!e.to_string().contains('\n'));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "schema = 1\n[profiles.x\nbucket="
        );
    }

    #[test]
    fn newer_schema_refused() {
        let e = Config::parse("schema = 99\nfuture_key = 1\n", Path::new("c.toml")).unwrap_err();
        assert_eq!(e.code(), "config.newer_schema");
    }

    #[test]
    fn unknown_key_is_reported() {
        let e = Config::parse(
            "[profiles.a]\nbucket = \"b\"\nbukcet = \"x\"\n",
            Path::new("c.toml"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("bukcet"), "{e}");
    }

    #[test]
    fn picking_profiles() {
        let mut cfg = Config::default();
        assert_eq!(
            cfg.pick_profile_name(None).unwrap_err().code(),
            "config.no_profiles"
        );
        cfg.profiles.insert("a".into(), minio());
        assert_eq!(cfg.pick_profile_name(None).unwrap(), "a");
        cfg.profiles.insert("b".into(), minio());
        assert!(cfg.pick_profile_name(None).is_err());
        cfg.default_profile = Some("b".into());
        assert_eq!(cfg.pick_profile_name(None).unwrap(), "b");
        let e = cfg.pick_profile_name(Some("zz")).unwrap_err();
        assert!(e.to_string().contains("profiles: a, b"), "{e}");
    }

    #[test]
    fn profile_names_are_checked() {
        assert!(validate_profile_name("blog-2026_a.b").is_ok());
        // The same cases as the UI's isProfileName (ui/src/tests/profile-form.test.ts).
        for ok in ["图床", "blog-2", "my_blog.v2", "Ünïcode"] {
            assert!(validate_profile_name(ok).is_ok(), "{ok}");
        }
        let long = "图".repeat(22);
        for bad in ["", ".hidden", "a/b", "a b", "a\"b", long.as_str()] {
            assert!(validate_profile_name(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod reference_tests {
    use super::*;

    /// The documented reference config must stay a valid, resolvable config.
    #[test]
    fn reference_config_parses_and_resolves() {
        let text = include_str!("../../../docs/config.reference.toml");
        let cfg = Config::parse(text, Path::new("docs/config.reference.toml")).unwrap();
        let r = cfg.resolve(None).unwrap();
        assert_eq!(r.name, "blog");
        assert_eq!(r.public_base.as_deref(), Some("https://img.example.com"));
        assert_eq!(r.secret_env.as_deref(), Some("BLOG_SECRET"));
    }
}
