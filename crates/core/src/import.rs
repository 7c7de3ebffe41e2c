//! Importing a PicGo / PicList setup: finding its `data.json` (following `configPath`), turning
//! its S3 configs, paste style and gallery into Hoist profiles and history rows (pure functions
//! over parsed JSON), and applying that plan to the config file, the keychain and the history.
//! Other uploaders (SM.MS, GitHub, …) are not converted, and no secret ever goes anywhere but
//! the keychain: gallery rows are rebuilt from a short list of link fields, never copied.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use hoist_history::{History, HistoryError, NewRecord, ORIGIN_PICGO, ORIGIN_PICLIST, Status};
use hoist_imaging::{OutputFormat, ProcessOptions};
use serde_json::{Map, Value};
use sha2::Digest as _;

use crate::config::{Config, ConfigError, DEFAULT_TEMPLATE, Profile, validate_profile_name};
use crate::link::{self, LinkFormat};
use crate::presets::{self, Addressing};
use crate::secrets::{Keychain, Secret, SecretError};
use crate::template::Template;

/// The two S3 uploader types: picgo-plugin-s3 and PicList's built-in one. Same field names.
const S3_TYPES: [&str; 2] = ["aws-s3", "aws-s3-plist"];
/// What PicGo's and PicList's `markdown` paste style renders: no alt text.
pub const PICGO_MARKDOWN: &str = "![]($url)";
/// PicGo's `HTML` paste style: no alt attribute.
pub const PICGO_HTML: &str = "<img src=\"$url\"/>";
/// PicGo's `UBB` paste style, upper-case tags.
pub const PICGO_UBB: &str = "[IMG]$url[/IMG]";
/// PicGo's custom link when `customLink` is empty.
const PICGO_DEFAULT_CUSTOM: &str = "![$fileName]($url)";
/// A gallery file bigger than this once decompressed is refused (a gzip bomb, not a gallery).
const MAX_GALLERY_BYTES: u64 = 512 * 1024 * 1024;
/// `configPath` redirects followed at most; more means a loop or a broken setup.
const MAX_REDIRECTS: usize = 4;
/// Gallery times outside 1990..2200 are not real upload times.
const PLAUSIBLE_MS: std::ops::RangeInclusive<i64> = 631_152_000_000..=7_258_118_400_000;

/// Which app the setup comes from; decides where to look and the history `origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    PicGo,
    PicList,
}

impl Flavor {
    /// `PicGo` / `PicList`, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Flavor::PicGo => "PicGo",
            Flavor::PicList => "PicList",
        }
    }

    /// The history `origin` of imported gallery rows.
    pub fn origin(self) -> &'static str {
        match self {
            Flavor::PicGo => ORIGIN_PICGO,
            Flavor::PicList => ORIGIN_PICLIST,
        }
    }

    /// The gallery file next to the config.
    pub fn gallery_file(self) -> &'static str {
        match self {
            Flavor::PicGo => "picgo.db",
            Flavor::PicList => "piclist.db",
        }
    }

    /// Electron names the app folder after the product; older builds used lower case.
    fn app_dirs(self) -> [&'static str; 2] {
        match self {
            Flavor::PicGo => ["picgo", "PicGo"],
            Flavor::PicList => ["piclist", "PicList"],
        }
    }

    /// The command-line-only variant (PicGo-Core, PicList-Core) keeps `config.json` here.
    fn core_dir(self) -> &'static str {
        match self {
            Flavor::PicGo => ".picgo",
            Flavor::PicList => ".piclist",
        }
    }

    /// Prefix of the history `profile` of rows that match no imported profile (`picgo:smms`).
    /// A `:` cannot occur in a profile name, so these never collide with a real profile.
    fn tag(self) -> &'static str {
        match self {
            Flavor::PicGo => "picgo",
            Flavor::PicList => "piclist",
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why an import could not run. Every message is one line and names the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("no {flavor} config found; looked for {}{hint}", list_paths(.looked))]
    NotFound {
        flavor: Flavor,
        looked: Vec<PathBuf>,
        hint: String,
    },
    #[error("cannot read {path}: {detail}")]
    Read { path: PathBuf, detail: String },
    #[error("{path} is not a {what}: {detail}")]
    Parse {
        path: PathBuf,
        what: &'static str,
        detail: String,
    },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    History(#[from] HistoryError),
}

impl ImportError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "import.not_found",
            Self::Read { .. } => "import.read",
            Self::Parse { .. } => "import.parse",
            Self::Config(e) => e.code(),
            Self::History(e) => e.code(),
        }
    }
}

fn list_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// Finding and reading the files
// ---------------------------------------------------------------------------------------------

/// The places a setup usually lives, most likely first, from `HOME`, `XDG_CONFIG_HOME` and
/// `APPDATA` as `env` gives them (injectable so tests never see the real home).
pub fn candidates(flavor: Flavor, env: &dyn Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    let home = env("HOME")
        .or_else(|| env("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let mut app_roots: Vec<PathBuf> = Vec::new();
    if cfg!(target_os = "windows") {
        app_roots.extend(env("APPDATA").filter(|a| !a.is_empty()).map(PathBuf::from));
    } else if cfg!(target_os = "macos") {
        app_roots.extend(home.as_ref().map(|h| h.join("Library/Application Support")));
    } else {
        let xdg = env("XDG_CONFIG_HOME")
            .filter(|x| !x.is_empty())
            .map(PathBuf::from);
        app_roots.extend(xdg.or_else(|| home.as_ref().map(|h| h.join(".config"))));
    }
    let mut out: Vec<PathBuf> = app_roots
        .iter()
        .flat_map(|root| flavor.app_dirs().map(|d| root.join(d).join("data.json")))
        .collect();
    out.extend(
        home.as_ref()
            .map(|h| h.join(flavor.core_dir()).join("config.json")),
    );
    out
}

/// The files of one setup, once found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The `data.json` (or `config.json`) found or given.
    pub data_json: PathBuf,
    /// The file the settings were read from: `data_json`, or where its `configPath` points.
    pub config: PathBuf,
    /// `picgo.db` / `piclist.db`, if one exists next to either of them.
    pub gallery: Option<PathBuf>,
}

/// A setup read from disk: where it was and its parsed contents.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub located: Located,
    pub config: Value,
    pub gallery: Vec<Value>,
    /// The gallery file's modification time, the creation time of rows that carry none.
    pub gallery_mtime_ms: i64,
}

/// Finds and reads a setup. `explicit` may be the config file or its folder; without it the
/// usual places ([`candidates`]) are tried in order.
pub fn load(
    flavor: Flavor,
    explicit: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, ImportError> {
    let data_json =
        match explicit {
            Some(p) if p.is_dir() => {
                let tried = [p.join("data.json"), p.join("config.json")];
                tried.iter().find(|c| c.is_file()).cloned().ok_or_else(|| {
                    ImportError::NotFound {
                        flavor,
                        looked: tried.to_vec(),
                        hint: String::new(),
                    }
                })?
            }
            Some(p) if p.exists() => p.to_path_buf(),
            Some(p) => {
                return Err(ImportError::NotFound {
                    flavor,
                    looked: vec![p.to_path_buf()],
                    hint: String::new(),
                });
            }
            None => {
                let looked = candidates(flavor, env);
                looked
                    .iter()
                    .find(|c| c.is_file())
                    .cloned()
                    .ok_or_else(|| ImportError::NotFound {
                        flavor,
                        looked: looked.clone(),
                        hint: format!(
                            " (pass the file or its folder: hoist import {} PATH)",
                            flavor.tag()
                        ),
                    })?
            }
        };
    let (config_path, config) = follow_config_path(&data_json)?;
    let gallery = [config_path.parent(), data_json.parent()]
        .into_iter()
        .flatten()
        .map(|dir| dir.join(flavor.gallery_file()))
        .find(|p| p.is_file());
    let (items, mtime) = match &gallery {
        Some(p) => (read_gallery(p)?, mtime_ms(p)),
        None => (Vec::new(), 0),
    };
    Ok(Loaded {
        located: Located {
            data_json,
            config: config_path,
            gallery,
        },
        config,
        gallery: items,
        gallery_mtime_ms: mtime,
    })
}

/// Reads `data_json` and, while it names another file in `configPath`, that file instead.
fn follow_config_path(data_json: &Path) -> Result<(PathBuf, Value), ImportError> {
    let mut path = data_json.to_path_buf();
    let mut seen = HashSet::new();
    loop {
        let value = read_json(&path)?;
        let next = value
            .get("configPath")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| match path.parent() {
                // A relative path is relative to the file that names it.
                Some(dir) => dir.join(s),
                None => PathBuf::from(s),
            });
        let Some(next) = next else {
            return Ok((path, value));
        };
        if next == path || !seen.insert(path.clone()) || seen.len() > MAX_REDIRECTS {
            return Ok((path, value));
        }
        if !next.is_file() {
            return Err(ImportError::Read {
                path: next,
                detail: format!(
                    "{} names it in \"configPath\" but it does not exist",
                    path.display()
                ),
            });
        }
        path = next;
    }
}

fn read_json(path: &Path) -> Result<Value, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ImportError::Read {
        path: path.into(),
        detail: e.to_string(),
    })?;
    // serde_json's messages give line and column only, never file content (which has secrets).
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| ImportError::Parse {
        path: path.into(),
        what: "JSON file",
        detail: e.to_string(),
    })
}

/// Reads a PicGo/PicList gallery: gzip-compressed JSON (what current versions write) or plain
/// JSON, holding `{"gallery": [items…]}` (a bare list is accepted too).
pub fn read_gallery(path: &Path) -> Result<Vec<Value>, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::Read {
        path: path.into(),
        detail: e.to_string(),
    })?;
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .take(MAX_GALLERY_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| ImportError::Parse {
                path: path.into(),
                what: "gzip file",
                detail: e.to_string(),
            })?;
        if out.len() as u64 > MAX_GALLERY_BYTES {
            return Err(ImportError::Parse {
                path: path.into(),
                what: "gallery",
                detail: format!(
                    "more than {} MiB once decompressed",
                    MAX_GALLERY_BYTES >> 20
                ),
            });
        }
        out
    } else {
        bytes
    };
    let parse_err = |detail: String| ImportError::Parse {
        path: path.into(),
        what: "gallery (JSON, optionally gzip-compressed)",
        detail,
    };
    let text = String::from_utf8(text).map_err(|_| parse_err("not UTF-8 text".into()))?;
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| parse_err(e.to_string()))?;
    match value {
        Value::Array(items) => Ok(items),
        Value::Object(mut map) => match map.remove("gallery") {
            Some(Value::Array(items)) => Ok(items),
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(_) => Err(parse_err("\"gallery\" is not a list".into())),
        },
        _ => Err(parse_err(
            "expected an object with a \"gallery\" list".into(),
        )),
    }
}

fn mtime_ms(path: &Path) -> i64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// The plan: pure conversion
// ---------------------------------------------------------------------------------------------

/// What an import would do, computed from the parsed files alone.
#[derive(Debug, Clone)]
pub struct Plan {
    pub flavor: Flavor,
    pub profiles: Vec<PlannedProfile>,
    /// The profile of PicGo's current uploader config, to become Hoist's default if Hoist has none.
    pub default_profile: Option<String>,
    /// `settings.server.port`; Hoist's config has no server settings yet, so it is only shown.
    pub server_port: Option<u16>,
    /// One row per gallery item with a link, deduplicated by `import_ref`.
    pub history: Vec<NewRecord>,
    /// Gallery items skipped because they hold no http(s) link.
    pub history_without_link: usize,
    /// Things the user should know that concern no single profile.
    pub notes: Vec<String>,
}

/// One S3 config turned into a Hoist profile.
#[derive(Debug, Clone)]
pub struct PlannedProfile {
    pub name: String,
    /// `aws-s3` or `aws-s3-plist`.
    pub uploader: &'static str,
    /// Where it came from, e.g. `aws-s3 "R2 blog"`.
    pub source: String,
    pub profile: Profile,
    /// The secret access key found in the config; goes to the keychain only.
    pub secret: Option<Secret>,
    /// Settings that could not be carried over exactly, and problems to fix.
    pub notes: Vec<String>,
}

/// Converts a parsed setup. `fallback_time_ms` is the creation time of gallery rows that carry
/// none (the gallery file's modification time).
pub fn plan(flavor: Flavor, config: &Value, gallery: &[Value], fallback_time_ms: i64) -> Plan {
    let mut notes = Vec::new();
    let links = link_settings(config, &mut notes);
    let mut profiles: Vec<PlannedProfile> = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    let mut default_profile = None;
    let current =
        str_at(config, &["picBed", "current"]).or_else(|| str_at(config, &["picBed", "uploader"]));
    for (ty, obj) in s3_configs(config) {
        let config_name = str_field(obj, "_configName");
        let source = match &config_name {
            Some(n) => format!("{ty} \"{n}\""),
            None => ty.to_owned(),
        };
        let Some(bucket) = str_field(obj, "bucketName") else {
            notes.push(format!("{source} has no bucket name; not imported"));
            continue;
        };
        let base = sanitize_name(config_name.as_deref().unwrap_or(&bucket), ty);
        let name = unique_name(&base, &taken);
        taken.insert(name.clone());
        let (profile, secret, profile_notes) = convert(obj, &bucket, &name, &links);
        let id = str_field(obj, "_id");
        let is_default_id = id.is_some() && id == str_at(config, &["uploader", ty, "defaultId"]);
        let is_current_type = current.as_deref() == Some(ty);
        // PicGo's choice first (the current uploader's default config), then any config of the
        // current uploader, then any type's default config, then the first: Hoist should never
        // end up with several profiles and no default.
        let rank = match (is_current_type, is_default_id) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        if default_profile
            .as_ref()
            .is_none_or(|(best, _)| rank < *best)
        {
            default_profile = Some((rank, name.clone()));
        }
        profiles.push(PlannedProfile {
            name,
            uploader: ty,
            source,
            profile,
            secret,
            notes: profile_notes,
        });
    }
    if profiles.is_empty() {
        notes.push(format!(
            "no S3 config (aws-s3 or aws-s3-plist) in this {flavor} setup: no profile imported"
        ));
    }
    if let Some(notes_link) = links.note.clone() {
        notes.push(notes_link);
    }
    if !profiles.is_empty() {
        notes.push(
            "imported profiles upload files unchanged, as PicGo did (metadata and GPS \
             included); to convert to WebP and strip metadata: hoist profile edit NAME \
             --image-format webp"
                .into(),
        );
    }
    let server_port = at(config, &["settings", "server", "port"]).and_then(|v| match v {
        Value::Number(n) => n.as_u64().and_then(|p| u16::try_from(p).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    let (history, history_without_link, duplicates) =
        gallery_rows(flavor, gallery, &profiles, fallback_time_ms);
    if duplicates > 0 {
        notes.push(format!(
            "{duplicates} gallery entries repeat an earlier entry's id and were imported once"
        ));
    }
    Plan {
        flavor,
        profiles,
        default_profile: default_profile.map(|(_, n)| n),
        server_port,
        history,
        history_without_link,
        notes,
    }
}

/// Every S3 config object: each `uploader.<type>.configList[]` entry, and `picBed.<type>` only
/// when that type has no list (older PicGo kept one config there; newer ones mirror the
/// current list entry into it, which would be a duplicate).
fn s3_configs(config: &Value) -> Vec<(&'static str, &Map<String, Value>)> {
    let mut out = Vec::new();
    for ty in S3_TYPES {
        let list: Vec<&Map<String, Value>> = at(config, &["uploader", ty, "configList"])
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_object).collect())
            .unwrap_or_default();
        let mut ids = HashSet::new();
        for obj in &list {
            // The same `_id` twice is one config saved twice; keep the first.
            if let Some(id) = str_field(obj, "_id")
                && !ids.insert(id)
            {
                continue;
            }
            out.push((ty, *obj));
        }
        if list.is_empty()
            && let Some(single) = at(config, &["picBed", ty]).and_then(Value::as_object)
        {
            out.push((ty, single));
        }
    }
    out
}

/// The link settings shared by every imported profile.
#[derive(Debug, Clone)]
struct LinkSettings {
    format: LinkFormat,
    custom: String,
    note: Option<String>,
}

/// `settings.pasteStyle` + `settings.customLink` → format and pattern. Every PicGo style is
/// imported as the exact text PicGo rendered, so notes and scripts keep getting the same
/// links: `markdown` is `![]($url)` (empty alt text, unlike Hoist's built-in Markdown),
/// `HTML` is `<img src="$url"/>`, `UBB` is `[IMG]$url[/IMG]`.
fn link_settings(config: &Value, notes: &mut Vec<String>) -> LinkSettings {
    let style = str_at(config, &["settings", "pasteStyle"]).unwrap_or_else(|| "markdown".into());
    let custom_link = str_at(config, &["settings", "customLink"]);
    if at(config, &["settings", "encodeOutputURL"]) == Some(&Value::Bool(false)) {
        notes.push(
            "encodeOutputURL=false is not kept: Hoist always percent-encodes keys in links, so \
             links with spaces or non-ASCII names work everywhere"
                .into(),
        );
    }
    let exact = |pattern: &str| (LinkFormat::Custom, pattern.to_owned());
    let (format, custom) = match style.to_ascii_lowercase().as_str() {
        "markdown" => exact(PICGO_MARKDOWN),
        "html" => exact(PICGO_HTML),
        "ubb" => exact(PICGO_UBB),
        "url" => (
            LinkFormat::Url,
            custom_link
                .clone()
                .unwrap_or_else(|| PICGO_DEFAULT_CUSTOM.into()),
        ),
        "custom" => exact(custom_link.as_deref().unwrap_or(PICGO_DEFAULT_CUSTOM)),
        other => {
            notes.push(format!(
                "unknown pasteStyle \"{other}\": links use PicGo's markdown ({PICGO_MARKDOWN})"
            ));
            exact(PICGO_MARKDOWN)
        }
    };
    let mut note = None;
    if let Some(c) = &custom_link
        && !matches!(style.to_ascii_lowercase().as_str(), "custom" | "url")
    {
        note = Some(format!(
            "customLink \"{c}\" is not used: the paste style is {style}; to use it: hoist profile edit NAME --link-format custom --custom-link '{c}'"
        ));
    }
    if format == LinkFormat::Custom
        && let Err(why) = link::validate_custom(&custom)
    {
        note = Some(format!(
            "customLink \"{custom}\" needs fixing before uploads work: {why}"
        ));
    }
    LinkSettings {
        format,
        custom,
        note,
    }
}

/// One S3 config object → profile, secret and notes. `name` is only used in hints.
fn convert(
    obj: &Map<String, Value>,
    bucket: &str,
    name: &str,
    links: &LinkSettings,
) -> (Profile, Option<Secret>, Vec<String>) {
    let mut notes = Vec::new();
    let path_style_flag = bool_field(obj, "pathStyleAccess").unwrap_or(false);
    let endpoint_raw = str_field(obj, "endpoint");
    let endpoint = endpoint_raw.as_deref().and_then(Endpoint::parse);
    if let (Some(raw), None) = (&endpoint_raw, &endpoint) {
        notes.push(format!(
            "endpoint \"{raw}\" is not an http(s) URL; fix it with hoist profile edit {name} --endpoint URL"
        ));
    }
    let host = endpoint.as_ref().map(|e| e.host.to_ascii_lowercase());
    let provider = guess_provider(endpoint_raw.as_deref(), host.as_deref(), path_style_flag);
    let preset = presets::get(provider).unwrap_or_else(|| &presets::all()[0]);
    let account_id = (provider == "r2")
        .then(|| host.as_deref().and_then(|h| h.split('.').next()))
        .flatten()
        .map(str::to_owned);
    // picgo-plugin-s3 signs with region "auto" when none is set.
    let region = match str_field(obj, "region") {
        Some(r) => Some(r),
        None if endpoint_raw.is_some() => Some("auto".to_owned()),
        None => {
            notes.push(format!(
                "no region was set; Hoist uses {}: hoist profile edit {name} --region REGION if that is wrong",
                preset.region
            ));
            None
        }
    };
    let region_or_preset = region.clone().unwrap_or_else(|| preset.region.clone());
    // The SDK PicGo used falls back to path style for IP-address and localhost endpoints.
    let sdk_path_style = path_style_flag || host.as_deref().is_some_and(is_ip_or_localhost);
    let wanted = if sdk_path_style {
        Addressing::Path
    } else {
        Addressing::Virtual
    };
    let addressing = (wanted != preset.addressing).then_some(wanted);
    // Kept only when the preset would not produce the same endpoint, so the file stays short.
    let profile_endpoint = endpoint.as_ref().map(Endpoint::url).filter(|url| {
        *url != presets::fill(
            &preset.endpoint,
            &[
                ("region", &region_or_preset),
                ("account_id", account_id.as_deref().unwrap_or("")),
            ],
        )
    });
    let profile_endpoint = profile_endpoint.or_else(|| {
        // An unparsable endpoint is kept as written so `hoist profile show` points at it.
        endpoint.is_none().then(|| endpoint_raw.clone()).flatten()
    });
    let acl = match str_field(obj, "acl") {
        Some(acl) if preset.acl => Some(acl),
        Some(acl) => {
            notes.push(format!(
                "acl \"{acl}\" dropped: {} does not accept ACLs",
                preset.name
            ));
            None
        }
        None => None,
    };
    let proxy = str_field(obj, "proxy").map(|p| {
        if p.contains("://") {
            p
        } else {
            // picgo-plugin-s3 reads `host:port` as an HTTP proxy.
            format!("http://{p}")
        }
    });
    let key_template = match str_field(obj, "uploadPath") {
        Some(t) => t,
        // An empty path made PicGo store the file under its own name.
        None => "{fullName}".to_owned(),
    };
    if let Err(e) = Template::parse(&key_template) {
        notes.push(format!(
            "{e}; uploads with this profile fail until it is fixed: hoist profile edit {name} --template '…'"
        ));
    }
    let location = sdk_location(endpoint.as_ref(), &region_or_preset, bucket, sdk_path_style);
    let (public_base, url_suffix) = public_url(
        obj,
        &location,
        bucket,
        path_style_flag,
        provider,
        name,
        &mut notes,
    );
    let mut profile = Profile {
        provider: provider.to_owned(),
        endpoint: profile_endpoint,
        account_id,
        region,
        bucket: bucket.to_owned(),
        addressing,
        acl,
        access_key_id: str_field(obj, "accessKeyID"),
        public_base_url: public_base.clone(),
        url_suffix,
        key_template,
        link_format: links.format,
        custom_link: links.custom.clone(),
        proxy,
        allow_invalid_certs: bool_field(obj, "rejectUnauthorized") == Some(false),
        // PicGo uploads the file as it is; an import must not start converting or stripping.
        processing: ProcessOptions {
            format: OutputFormat::Original,
            ..ProcessOptions::default()
        },
        ..Profile::default()
    };
    // Leave the base to the preset when it gives the very same one.
    let mut probe = profile.clone();
    probe.public_base_url = None;
    probe.key_template = DEFAULT_TEMPLATE.into();
    if let Ok(r) = probe.resolve(name)
        && r.public_base == public_base.map(|b| b.trim_end_matches('/').to_owned())
    {
        profile.public_base_url = None;
    }
    // Template and link problems have their own notes; this catches the rest (a bad endpoint,
    // proxy or URL prefix).
    probe = profile.clone();
    probe.key_template = DEFAULT_TEMPLATE.into();
    probe.link_format = LinkFormat::Url;
    if let Err(e) = probe.resolve(name) {
        notes.push(format!("needs attention before uploading: {e}"));
    }
    if profile.access_key_id.is_none() {
        notes.push(format!(
            "no access key id: hoist profile edit {name} --access-key-id ID"
        ));
    }
    let secret = str_field(obj, "secretAccessKey").map(Secret::new);
    (profile, secret, notes)
}

fn guess_provider(
    endpoint_raw: Option<&str>,
    host: Option<&str>,
    path_style: bool,
) -> &'static str {
    let host = match (endpoint_raw, host) {
        (None, _) => return "aws",
        // An endpoint that does not parse: the generic preset; a note says what to fix.
        (Some(_), None) => return "custom",
        (Some(_), Some(host)) => host,
    };
    let is = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if is("r2.cloudflarestorage.com") {
        "r2"
    } else if is("aliyuncs.com") {
        "aliyun-oss"
    } else if is("myqcloud.com") {
        "tencent-cos"
    } else if is("backblazeb2.com") {
        "b2"
    } else if is("wasabisys.com") {
        "wasabi"
    } else if is("amazonaws.com") {
        "aws"
    } else if path_style {
        "minio"
    } else {
        "custom"
    }
}

fn is_ip_or_localhost(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok() || bare.eq_ignore_ascii_case("localhost")
}

/// An endpoint as picgo-plugin-s3 accepts it: with or without `https://`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Endpoint {
    scheme: String,
    /// `host[:port]`.
    authority: String,
    host: String,
    /// Path after the authority, without a trailing `/` (usually empty).
    path: String,
}

impl Endpoint {
    fn parse(raw: &str) -> Option<Endpoint> {
        let raw = raw.trim().trim_end_matches('/');
        let (scheme, rest) = match raw.split_once("://") {
            Some((s, r)) => (s.to_ascii_lowercase(), r),
            None => ("https".to_owned(), raw),
        };
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        if authority.is_empty()
            || authority.contains(char::is_whitespace)
            || authority.contains('@')
            || path.contains(['?', '#'])
        {
            return None;
        }
        let host = if authority.starts_with('[') {
            authority.split_inclusive(']').next().unwrap_or(authority)
        } else {
            match authority.rsplit_once(':') {
                Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
                _ => authority,
            }
        };
        if host.is_empty() {
            return None;
        }
        Some(Endpoint {
            scheme,
            authority: authority.to_owned(),
            host: host.to_owned(),
            path: path.trim_end_matches('/').to_owned(),
        })
    }

    fn url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.authority, self.path)
    }
}

/// The base of the URL PicGo's S3 SDK reported for an upload (its `Location` minus the key):
/// what PicGo linked to when no URL prefix was set, and where an `outputURLPattern`'s
/// `{protocol}`, `{host}`, `{port}` and `{path}` come from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Location {
    scheme: String,
    host: String,
    port: String,
    /// `/bucket` (after any endpoint path) for path style, else the endpoint path.
    path_prefix: String,
}

impl Location {
    fn base(&self) -> String {
        let port = if self.port.is_empty() {
            String::new()
        } else {
            format!(":{}", self.port)
        };
        format!("{}://{}{port}{}", self.scheme, self.host, self.path_prefix)
    }
}

fn sdk_location(
    endpoint: Option<&Endpoint>,
    region: &str,
    bucket: &str,
    path_style: bool,
) -> Location {
    let (scheme, host, port, path) = match endpoint {
        Some(e) => {
            let port = e
                .authority
                .strip_prefix(&e.host)
                .and_then(|p| p.strip_prefix(':'))
                .unwrap_or("");
            (
                e.scheme.clone(),
                e.host.clone(),
                port.to_owned(),
                e.path.clone(),
            )
        }
        None => (
            "https".to_owned(),
            format!("s3.{region}.amazonaws.com"),
            String::new(),
            String::new(),
        ),
    };
    if path_style {
        Location {
            scheme,
            host,
            port,
            path_prefix: format!("{path}/{bucket}"),
        }
    } else {
        Location {
            scheme,
            host: format!("{bucket}.{host}"),
            port,
            path_prefix: path,
        }
    }
}

/// The public base URL and URL suffix, following picgo-plugin-s3: `outputURLPattern` wins
/// over `urlPrefix`/`urlSuffix`/`disableBucketPrefixToURL`; a prefix gets `/bucket` appended
/// for path style unless disabled; with neither, PicGo linked to the S3 API URL.
fn public_url(
    obj: &Map<String, Value>,
    location: &Location,
    bucket: &str,
    path_style_flag: bool,
    provider: &str,
    name: &str,
    notes: &mut Vec<String>,
) -> (Option<String>, String) {
    let suffix = str_field(obj, "urlSuffix").unwrap_or_default();
    if let Some(pattern) = str_field(obj, "outputURLPattern") {
        match pattern_base(&pattern, location, bucket) {
            Ok((base, pattern_suffix)) => return (Some(base), pattern_suffix),
            Err(why) => notes.push(format!(
                "outputURLPattern \"{pattern}\" cannot be carried over ({why}); links are built from \
                 the URL prefix or the bucket URL instead: check them, or set hoist profile edit {name} --public-base-url URL"
            )),
        }
    }
    if let Some(prefix) = str_field(obj, "urlPrefix") {
        let mut base = if prefix.contains("://") {
            prefix.trim_end_matches('/').to_owned()
        } else {
            notes.push(format!(
                "urlPrefix \"{prefix}\" has no scheme; https:// was added"
            ));
            format!("https://{}", prefix.trim_end_matches('/'))
        };
        if path_style_flag && bool_field(obj, "disableBucketPrefixToURL") != Some(true) {
            base = format!("{base}/{bucket}");
        }
        return (Some(base), suffix);
    }
    if provider == "r2" {
        notes.push(format!(
            "no public URL: PicGo linked to the R2 API host, which is not public; set the bucket's \
             domain with hoist profile edit {name} --public-base-url https://…"
        ));
        return (None, suffix);
    }
    (Some(location.base()), suffix)
}

/// `outputURLPattern` → (base, suffix) when it is `<fixed text>/{path}<fixed text>`, where the
/// fixed text may use `{protocol}`, `{host}`, `{port}` and `{bucket}` (known at import time).
/// Anything depending on the file (`{fileName}`, `{dir}`, regex replacements, dates) is not
/// representable as base + key and is refused with the reason.
fn pattern_base(
    pattern: &str,
    location: &Location,
    bucket: &str,
) -> Result<(String, String), String> {
    let Some(at) = pattern.find("{path}") else {
        return Err("it does not end with {path}".into());
    };
    let (prefix, suffix) = (&pattern[..at], &pattern[at + "{path}".len()..]);
    if suffix.contains('{') {
        return Err("only fixed text may follow {path}".into());
    }
    let prefix = prefix
        .replace("{protocol}", &location.scheme)
        .replace("{host}", &location.host)
        .replace("{port}", &location.port)
        .replace("{bucket}", bucket);
    if let Some(open) = prefix.find('{') {
        let var = prefix[open..]
            .split_inclusive('}')
            .next()
            .unwrap_or(&prefix[open..]);
        return Err(format!("{var} depends on each file"));
    }
    let Some(base) = prefix.strip_suffix('/') else {
        return Err("{path} must follow a '/'".into());
    };
    // `{path}` is the whole URL path: for path style it starts with the bucket.
    let base = format!("{}{}", base.trim_end_matches('/'), location.path_prefix);
    let host_ok = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .and_then(|r| r.split('/').next())
        .is_some_and(|h| !h.is_empty() && !h.ends_with(':'));
    if !host_ok {
        return Err(format!("it gives \"{base}\", not an http(s) URL"));
    }
    Ok((base, suffix.to_owned()))
}

/// `_configName` → a valid profile name: other characters become `-`, runs collapse, at most
/// 60 bytes (room for a `-N` suffix); empty → `fallback`.
fn sanitize_name(raw: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in raw.trim().chars() {
        let c = if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            c
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        if out.len() + c.len_utf8() > 60 {
            break;
        }
        out.push(c);
    }
    let trimmed = out.trim_matches('-').trim_start_matches(['.', '-']);
    if trimmed.is_empty() {
        fallback.to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn unique_name(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|n| !taken.contains(n))
        .unwrap_or_else(|| base.to_owned())
}

/// Gallery items → history rows, built from the link fields only (PicList also stores the
/// uploader's credentials in each item; they are never read). Returns the rows, the number
/// of items without a link, and the number of repeated ids.
fn gallery_rows(
    flavor: Flavor,
    gallery: &[Value],
    profiles: &[PlannedProfile],
    fallback_time_ms: i64,
) -> (Vec<NewRecord>, usize, usize) {
    // Public bases of the imported profiles, longest first so a nested base wins.
    let mut bases: Vec<(String, String, &str)> = profiles
        .iter()
        .filter_map(|p| {
            let mut probe = p.profile.clone();
            probe.key_template = DEFAULT_TEMPLATE.into();
            let r = probe.resolve(&p.name).ok()?;
            Some((r.public_base?, r.url_suffix, p.name.as_str()))
        })
        .collect();
    bases.sort_by_key(|(b, _, _)| std::cmp::Reverse(b.len()));
    let mut by_type: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in profiles {
        by_type.entry(p.uploader).or_default().push(&p.name);
    }
    let fallback_time_ms = if PLAUSIBLE_MS.contains(&fallback_time_ms) {
        fallback_time_ms
    } else {
        chrono::Utc::now().timestamp_millis()
    };
    let mut seen = HashSet::new();
    let (mut rows, mut without_link, mut duplicates) = (Vec::new(), 0, 0);
    for item in gallery {
        let Some(obj) = item.as_object() else {
            without_link += 1;
            continue;
        };
        let url = str_field(obj, "imgUrl")
            .or_else(|| str_field(obj, "url"))
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
        let Some(url) = url else {
            without_link += 1;
            continue;
        };
        let file_name = str_field(obj, "fileName");
        let import_ref = str_field(obj, "id").unwrap_or_else(|| {
            let mut h = sha2::Sha256::new();
            h.update(url.as_bytes());
            h.update([0]);
            h.update(file_name.as_deref().unwrap_or("").as_bytes());
            format!("sha256:{}", hex::encode(h.finalize()))
        });
        if !seen.insert(import_ref.clone()) {
            duplicates += 1;
            continue;
        }
        let matched = bases.iter().find_map(|(base, suffix, name)| {
            let rest = url.strip_prefix(base.as_str())?.strip_prefix('/')?;
            let rest = if suffix.is_empty() {
                rest.split(['?', '#']).next().unwrap_or(rest)
            } else {
                rest.strip_suffix(suffix.as_str()).unwrap_or(rest)
            };
            let key = percent_encoding::percent_decode_str(rest)
                .decode_utf8()
                .ok()?
                .into_owned();
            (!key.is_empty()).then_some((*name, key))
        });
        let ty = str_field(obj, "type");
        let profile = match (&matched, ty.as_deref()) {
            (Some((name, _)), _) => (*name).to_owned(),
            (None, Some(t)) if by_type.get(t).is_some_and(|n| n.len() == 1) => {
                by_type[t][0].to_owned()
            }
            (None, Some(t)) => format!("{}:{t}", flavor.tag()),
            (None, None) => flavor.tag().to_owned(),
        };
        let created_at_ms = ["createdAt", "updatedAt", "date"]
            .iter()
            .find_map(|k| obj.get(*k).and_then(time_ms))
            .unwrap_or(fallback_time_ms);
        rows.push(NewRecord {
            created_at_ms,
            profile,
            source_name: file_name.unwrap_or_else(|| crate::fetch::name_from_url(&url)),
            key: matched.map(|(_, k)| k),
            url: Some(url),
            width: dimension(obj.get("width")),
            height: dimension(obj.get("height")),
            status: Status::Done,
            origin: flavor.origin().to_owned(),
            import_ref: Some(import_ref),
            ..NewRecord::default()
        });
    }
    (rows, without_link, duplicates)
}

/// A gallery time: Unix milliseconds (what PicGo's store writes) or seconds, as a number or a
/// numeric string; anything implausible is ignored.
fn time_ms(v: &Value) -> Option<i64> {
    let n = match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    [n, n.saturating_mul(1000)]
        .into_iter()
        .find(|ms| PLAUSIBLE_MS.contains(ms))
}

fn dimension(v: Option<&Value>) -> Option<u32> {
    let n = v?.as_f64()?;
    (1.0..=f64::from(u32::MAX))
        .contains(&n)
        .then(|| n.round() as u32)
}

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn str_at(v: &Value, path: &[&str]) -> Option<String> {
    at(v, path).and_then(text)
}

fn str_field(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(text)
}

/// A non-empty trimmed string; numbers are accepted as text (an id written as a number).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// PicGo's forms store switches as booleans; hand-edited files sometimes say "true".
fn bool_field(obj: &Map<String, Value>, key: &str) -> Option<bool> {
    match obj.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Applying the plan
// ---------------------------------------------------------------------------------------------

/// How [`apply`] treats what already exists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Compute and report, write nothing (no config, no keychain, no history).
    pub dry_run: bool,
    /// Replace existing profiles of the same name whose settings differ (else they are skipped).
    pub overwrite: bool,
}

/// What happened (or, in a dry run, would happen) to one profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileAction {
    Added,
    /// A profile of that name with the same settings exists.
    Unchanged,
    /// It existed with other settings and `overwrite` replaced it.
    Updated,
    /// It exists with other settings and was left alone (no `overwrite`).
    Skipped,
}

/// What happened to a profile's secret access key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretAction {
    /// Written to the keychain (in a dry run: would be).
    Stored,
    /// The keychain already holds this very secret.
    AlreadyStored,
    /// The keychain holds another secret for this unchanged profile; kept without `overwrite`.
    KeptExisting,
    /// The config had no secret access key.
    NoneInSource,
    /// The profile was skipped, so its secret was not touched either.
    Untouched,
    /// The keychain could not be used; the reason, in plain words.
    NotStored(String),
}

impl SecretAction {
    /// Whether the profile still lacks a usable secret after the import.
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::NoneInSource | Self::NotStored(_))
    }
}

/// One imported config: the profile it became, what happened to it and to its secret.
#[derive(Debug, Clone)]
pub struct ProfileReport {
    pub name: String,
    pub source: String,
    pub action: ProfileAction,
    pub secret: SecretAction,
    pub notes: Vec<String>,
}

/// The outcome of [`apply`], for the CLI summary and the desktop dialog.
#[derive(Debug, Clone)]
pub struct Report {
    pub flavor: Flavor,
    pub dry_run: bool,
    pub profiles: Vec<ProfileReport>,
    /// The profile made the default by this import, if any.
    pub default_set: Option<String>,
    /// Hoist's default when it was kept and differs from PicGo's choice: (kept, PicGo's).
    pub default_kept: Option<(String, String)>,
    pub history_added: usize,
    pub history_existing: usize,
    pub history_without_link: usize,
    pub server_port: Option<u16>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn count(&self, action: ProfileAction) -> usize {
        self.profiles.iter().filter(|p| p.action == action).count()
    }
}

/// Applies `plan`: profiles into the config at `config_path` (saved atomically, once),
/// secrets into the keychain (opened only if a secret is to be stored or compared), new
/// gallery rows into `history` in one transaction. `history` may be `None` in a dry run when
/// there is no history file yet (every row is then new). Nothing is written in a dry run.
///
/// A keychain that cannot be reached does not stop the import: the profiles are saved and the
/// report says which secrets are missing. Errors: the config cannot be read or written, the
/// history fails.
pub fn apply(
    plan: &Plan,
    config_path: &Path,
    history: Option<&History>,
    keychain: &dyn Fn() -> Result<Keychain, SecretError>,
    opts: ApplyOptions,
) -> Result<Report, ImportError> {
    let mut cfg = Config::load(config_path)?;
    let mut reports = Vec::new();
    let mut changed = false;
    for p in &plan.profiles {
        let action = match cfg.profiles.get(&p.name) {
            None => ProfileAction::Added,
            Some(existing) if *existing == p.profile => ProfileAction::Unchanged,
            Some(_) if opts.overwrite => ProfileAction::Updated,
            Some(_) => ProfileAction::Skipped,
        };
        if matches!(action, ProfileAction::Added | ProfileAction::Updated) {
            debug_assert!(validate_profile_name(&p.name).is_ok());
            cfg.profiles.insert(p.name.clone(), p.profile.clone());
            changed = true;
        }
        let mut notes = p.notes.clone();
        if action == ProfileAction::Skipped {
            notes.insert(
                0,
                "a profile of this name exists with other settings; left as it is (re-run with --overwrite to replace it)".into(),
            );
        }
        reports.push(ProfileReport {
            name: p.name.clone(),
            source: p.source.clone(),
            action,
            secret: SecretAction::Untouched,
            notes,
        });
    }
    let mut default_set = None;
    let mut default_kept = None;
    if let Some(want) = &plan.default_profile
        && cfg.profiles.contains_key(want)
    {
        match &cfg.default_profile {
            Some(d) if cfg.profiles.contains_key(d) => {
                if d != want {
                    default_kept = Some((d.clone(), want.clone()));
                }
            }
            _ => {
                cfg.default_profile = Some(want.clone());
                default_set = Some(want.clone());
                changed = true;
            }
        }
    }
    if changed && !opts.dry_run {
        cfg.save(config_path)?;
    }

    // Secrets after the config, so a failed save never leaves secrets of profiles that do not
    // exist. The keychain is opened once, and only when needed.
    let mut kc: Option<Result<Keychain, SecretError>> = None;
    for (p, report) in plan.profiles.iter().zip(reports.iter_mut()) {
        report.secret = if report.action == ProfileAction::Skipped {
            SecretAction::Untouched
        } else if let Some(secret) = &p.secret {
            let k = kc.get_or_insert_with(keychain);
            match k {
                Ok(k) => store_secret(k, &p.name, secret, report.action, opts),
                Err(e) => SecretAction::NotStored(e.to_string()),
            }
        } else {
            SecretAction::NoneInSource
        };
    }

    let mut new_rows = Vec::new();
    let mut existing = 0;
    for row in &plan.history {
        let found = match (history, &row.import_ref) {
            (Some(h), Some(r)) => h.find_by_import_ref(&row.origin, r)?.is_some(),
            _ => false,
        };
        if found {
            existing += 1;
        } else {
            new_rows.push(row.clone());
        }
    }
    if !opts.dry_run
        && !new_rows.is_empty()
        && let Some(h) = history
    {
        h.insert_many(&new_rows)?;
    }
    Ok(Report {
        flavor: plan.flavor,
        dry_run: opts.dry_run,
        profiles: reports,
        default_set,
        default_kept,
        history_added: new_rows.len(),
        history_existing: existing,
        history_without_link: plan.history_without_link,
        server_port: plan.server_port,
        notes: plan.notes.clone(),
    })
}

fn store_secret(
    k: &Keychain,
    name: &str,
    secret: &Secret,
    action: ProfileAction,
    opts: ApplyOptions,
) -> SecretAction {
    match k.get(name) {
        Ok(Some(s)) if s == *secret => SecretAction::AlreadyStored,
        // The profile itself did not change: the stored secret may be a newer key the user set
        // on purpose, so it is only replaced when asked.
        Ok(Some(_)) if action == ProfileAction::Unchanged && !opts.overwrite => {
            SecretAction::KeptExisting
        }
        Ok(_) if opts.dry_run => SecretAction::Stored,
        Ok(_) => match k.set(name, secret) {
            Ok(()) => SecretAction::Stored,
            Err(e) => SecretAction::NotStored(e.to_string()),
        },
        Err(e) => SecretAction::NotStored(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;

    const R2_SECRET: &str = "r2-secret-DO-NOT-LEAK";
    const MINIO_SECRET: &str = "minio-secret-DO-NOT-LEAK";

    fn picgo_two_configs() -> Value {
        json!({
            "picBed": {
                "current": "aws-s3",
                "uploader": "aws-s3",
                // The mirror of the default list entry: must not become a third profile.
                "aws-s3": {
                    "_id": "id-minio", "_configName": "MinIO local",
                    "accessKeyID": "AKMINIO", "secretAccessKey": MINIO_SECRET,
                    "bucketName": "imgs", "endpoint": "http://127.0.0.1:9000",
                    "pathStyleAccess": true, "urlPrefix": "https://img.example.com/"
                }
            },
            "uploader": {
                "aws-s3": {
                    "defaultId": "id-minio",
                    "configList": [
                        {
                            "_id": "id-r2", "_configName": "R2 blog",
                            "accessKeyID": "AKR2", "secretAccessKey": R2_SECRET,
                            "bucketName": "blog",
                            "uploadPath": "{year}/{month}/{md5}.{extName}",
                            "endpoint": "https://0123abcd.r2.cloudflarestorage.com",
                            "region": "", "acl": "public-read",
                            "urlPrefix": "https://img.blog.example", "urlSuffix": "?v=1",
                            "pathStyleAccess": false, "rejectUnauthorized": true
                        },
                        {
                            "_id": "id-minio", "_configName": "MinIO local",
                            "accessKeyID": "AKMINIO", "secretAccessKey": MINIO_SECRET,
                            "bucketName": "imgs", "uploadPath": "",
                            "endpoint": "http://127.0.0.1:9000", "region": "us-east-1",
                            "pathStyleAccess": true, "rejectUnauthorized": false,
                            "urlPrefix": "https://img.example.com/", "acl": "public-read",
                            "proxy": "127.0.0.1:1080"
                        }
                    ]
                }
            },
            "settings": {"pasteStyle": "markdown", "server": {"port": 36677, "enable": true}}
        })
    }

    fn profile<'a>(plan: &'a Plan, name: &str) -> &'a PlannedProfile {
        plan.profiles
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| {
                panic!(
                    "no {name} in {:?}",
                    plan.profiles.iter().map(|p| &p.name).collect::<Vec<_>>()
                )
            })
    }

    #[test]
    fn two_s3_configs_become_two_profiles() {
        let plan = plan(Flavor::PicGo, &picgo_two_configs(), &[], 0);
        assert_eq!(plan.profiles.len(), 2, "{:?}", plan.profiles);
        assert_eq!(plan.default_profile.as_deref(), Some("MinIO-local"));
        assert_eq!(plan.server_port, Some(36677));

        let r2 = profile(&plan, "R2-blog");
        assert_eq!(r2.source, "aws-s3 \"R2 blog\"");
        let p = &r2.profile;
        assert_eq!(p.provider, "r2");
        assert_eq!(p.account_id.as_deref(), Some("0123abcd"));
        // The preset builds the same endpoint from the account id: not repeated in the file.
        assert_eq!(p.endpoint, None);
        assert_eq!(p.region.as_deref(), Some("auto"));
        assert_eq!(p.bucket, "blog");
        assert_eq!(p.addressing, Some(Addressing::Virtual));
        assert_eq!(p.acl, None, "R2 takes no ACL");
        assert!(r2.notes.iter().any(|n| n.contains("acl \"public-read\"")));
        assert_eq!(
            p.public_base_url.as_deref(),
            Some("https://img.blog.example")
        );
        assert_eq!(p.url_suffix, "?v=1");
        assert_eq!(p.key_template, "{year}/{month}/{md5}.{extName}");
        assert_eq!(p.access_key_id.as_deref(), Some("AKR2"));
        assert_eq!(r2.secret.as_ref().map(Secret::expose), Some(R2_SECRET));
        assert!(!p.allow_invalid_certs);
        let resolved = p.resolve("R2-blog").unwrap();
        assert_eq!(
            resolved.endpoint,
            "https://0123abcd.r2.cloudflarestorage.com"
        );

        let minio = profile(&plan, "MinIO-local");
        let p = &minio.profile;
        assert_eq!(p.provider, "minio");
        assert_eq!(p.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(p.addressing, None, "the MinIO preset is path style already");
        // picgo-plugin-s3 appends the bucket to the prefix for path style.
        assert_eq!(
            p.public_base_url.as_deref(),
            Some("https://img.example.com/imgs")
        );
        assert_eq!(p.key_template, "{fullName}");
        assert!(p.allow_invalid_certs);
        assert_eq!(p.proxy.as_deref(), Some("http://127.0.0.1:1080"));
        assert_eq!(p.link_format, LinkFormat::Custom);
        assert_eq!(p.custom_link, PICGO_MARKDOWN);
        // PicGo uploads files as they are; so do imported profiles, and the notes say so.
        assert_eq!(p.processing.format, OutputFormat::Original);
        assert!(
            plan.notes
                .iter()
                .any(|n| n.starts_with("imported profiles upload files unchanged, as PicGo did")),
            "{:?}",
            plan.notes
        );
        p.resolve("MinIO-local").unwrap();
        // Secrets only in `secret`, never in the profile that is written to the file.
        let mut cfg = Config::default();
        for p in &plan.profiles {
            cfg.profiles.insert(p.name.clone(), p.profile.clone());
        }
        let text = toml::to_string(&cfg).unwrap();
        assert!(!text.contains(R2_SECRET) && !text.contains(MINIO_SECRET));
    }

    #[test]
    fn disable_bucket_prefix_keeps_the_prefix_as_is() {
        let mut cfg = picgo_two_configs();
        cfg["uploader"]["aws-s3"]["configList"][1]["disableBucketPrefixToURL"] = json!(true);
        let plan = plan(Flavor::PicGo, &cfg, &[], 0);
        assert_eq!(
            profile(&plan, "MinIO-local")
                .profile
                .public_base_url
                .as_deref(),
            Some("https://img.example.com")
        );
    }

    #[test]
    fn piclist_builtin_single_config() {
        let cfg = json!({
            "picBed": {
                "current": "aws-s3-plist",
                "aws-s3-plist": {
                    "_configName": "oss", "accessKeyID": "AK", "secretAccessKey": "SK",
                    "bucketName": "pics", "endpoint": "oss-cn-hangzhou.aliyuncs.com",
                    "region": "oss-cn-hangzhou", "acl": "public-read",
                    "uploadPath": "img/{year}/{fileName}-{md5:8}.{extName}"
                }
            },
            "settings": {"pasteStyle": "URL"}
        });
        let plan = plan(Flavor::PicList, &cfg, &[], 0);
        assert_eq!(plan.profiles.len(), 1);
        let p = &plan.profiles[0];
        assert_eq!(p.name, "oss");
        assert_eq!(p.source, "aws-s3-plist \"oss\"");
        assert_eq!(p.profile.provider, "aliyun-oss");
        assert_eq!(
            p.profile.endpoint.as_deref(),
            Some("https://oss-cn-hangzhou.aliyuncs.com")
        );
        assert_eq!(p.profile.acl.as_deref(), Some("public-read"));
        assert_eq!(p.profile.addressing, None);
        assert_eq!(p.profile.link_format, LinkFormat::Url);
        // No prefix: PicGo linked to the virtual-hosted bucket URL.
        let r = p.profile.resolve("oss").unwrap();
        assert_eq!(
            r.public_base.as_deref(),
            Some("https://pics.oss-cn-hangzhou.aliyuncs.com")
        );
        assert_eq!(plan.default_profile.as_deref(), Some("oss"));
    }

    #[test]
    fn output_url_pattern_with_path_becomes_base_and_suffix() {
        let cfg = json!({"picBed": {"aws-s3": {
            "bucketName": "b", "endpoint": "https://s3.example.net", "pathStyleAccess": true,
            "outputURLPattern": "https://cdn.example.net/{path}!webp", "urlPrefix": "https://ignored"
        }}});
        let plan = plan(Flavor::PicGo, &cfg, &[], 0);
        let p = &plan.profiles[0].profile;
        // {path} of a path-style URL starts with the bucket.
        assert_eq!(
            p.public_base_url.as_deref(),
            Some("https://cdn.example.net/b")
        );
        assert_eq!(p.url_suffix, "!webp");
        assert_eq!(
            plan.profiles[0].name, "b",
            "no _configName: the bucket names it"
        );

        let cfg = json!({"picBed": {"aws-s3": {
            "bucketName": "b", "endpoint": "https://s3.example.net",
            "outputURLPattern": "{protocol}://{host}/{path}"
        }}});
        let plan = super::plan(Flavor::PicGo, &cfg, &[], 0);
        let r = plan.profiles[0].profile.resolve("b").unwrap();
        assert_eq!(r.public_base.as_deref(), Some("https://b.s3.example.net"));
    }

    #[test]
    fn output_url_pattern_that_depends_on_the_file_is_reported() {
        let cfg = json!({"picBed": {"aws-s3": {
            "bucketName": "b", "endpoint": "https://s3.example.net",
            "urlPrefix": "https://img.example.net",
            "outputURLPattern": "https://cdn.example.net/{dir}/{fileName}"
        }}});
        let plan = plan(Flavor::PicGo, &cfg, &[], 0);
        let p = &plan.profiles[0];
        assert_eq!(
            p.profile.public_base_url.as_deref(),
            Some("https://img.example.net")
        );
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("outputURLPattern") && n.contains("{dir}")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn providers_are_guessed_from_the_endpoint() {
        let cases = [
            ("https://s3.us-west-004.backblazeb2.com", false, "b2"),
            ("s3.wasabisys.com", false, "wasabi"),
            (
                "https://cos.ap-guangzhou.myqcloud.com",
                false,
                "tencent-cos",
            ),
            ("https://s3.eu-west-1.amazonaws.com", false, "aws"),
            ("", false, "aws"),
            ("https://garage.example.org", true, "minio"),
            ("https://storage.example.org", false, "custom"),
        ];
        for (endpoint, path_style, want) in cases {
            let cfg = json!({"picBed": {"aws-s3": {
                "bucketName": "b", "endpoint": endpoint, "pathStyleAccess": path_style,
                "region": "r1"
            }}});
            let plan = plan(Flavor::PicGo, &cfg, &[], 0);
            assert_eq!(plan.profiles[0].profile.provider, want, "{endpoint}");
        }
    }

    #[test]
    fn names_are_sanitised_and_made_unique() {
        let cfg = json!({"uploader": {
            "aws-s3": {"configList": [
                {"_id": "1", "_configName": "my bucket/1", "bucketName": "a"},
                {"_id": "2", "_configName": "my bucket?1", "bucketName": "b"},
                {"_id": "2", "_configName": "saved twice", "bucketName": "b"},
            ]},
            "aws-s3-plist": {"configList": [
                {"_id": "3", "_configName": ".../", "bucketName": "c"},
                {"_id": "4", "_configName": "图床 默认", "bucketName": "d"},
                {"_id": "5", "bucketName": "no name"},
            ]}
        }});
        let plan = plan(Flavor::PicList, &cfg, &[], 0);
        let names: Vec<_> = plan.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "my-bucket-1",
                "my-bucket-1-2",
                "aws-s3-plist",
                "图床-默认",
                "no-name"
            ]
        );
        for n in names {
            validate_profile_name(n).unwrap();
        }
        assert_eq!(sanitize_name(&"x".repeat(200), "f").len(), 60);
    }

    #[test]
    fn paste_styles() {
        let with = |style: &str, custom: &str| {
            let mut cfg = picgo_two_configs();
            cfg["settings"] = json!({"pasteStyle": style, "customLink": custom});
            let plan = plan(Flavor::PicGo, &cfg, &[], 0);
            let p = &plan.profiles[0].profile;
            (p.link_format, p.custom_link.clone(), plan.notes)
        };
        assert_eq!(with("markdown", "").0, LinkFormat::Custom);
        assert_eq!(with("markdown", "").1, "![]($url)");
        assert_eq!(with("HTML", "").1, "<img src=\"$url\"/>");
        assert_eq!(with("UBB", "").1, "[IMG]$url[/IMG]");
        assert_eq!(with("URL", "").0, LinkFormat::Url);
        let (f, c, _) = with("Custom", "[$fileName$extName]($url)");
        assert_eq!(
            (f, c.as_str()),
            (LinkFormat::Custom, "[$fileName$extName]($url)")
        );
        // Custom with an empty pattern: PicGo's default custom link.
        assert_eq!(with("Custom", "").1, "![$fileName]($url)");
        let (_, _, notes) = with("markdown", "<$url>");
        assert!(notes.iter().any(|n| n.contains("customLink")), "{notes:?}");
        let (_, _, notes) = with("Custom", "no url here");
        assert!(notes.iter().any(|n| n.contains("$url")), "{notes:?}");
    }

    #[test]
    fn unknown_template_variable_keeps_the_profile_and_says_so() {
        let mut cfg = picgo_two_configs();
        cfg["uploader"]["aws-s3"]["configList"][0]["uploadPath"] = json!("{year}/{nope}.{extName}");
        let plan = plan(Flavor::PicGo, &cfg, &[], 0);
        let r2 = profile(&plan, "R2-blog");
        assert_eq!(r2.profile.key_template, "{year}/{nope}.{extName}");
        assert!(
            r2.notes
                .iter()
                .any(|n| n.contains("{nope}") && n.contains("--template")),
            "{:?}",
            r2.notes
        );
    }

    #[test]
    fn gallery_rows_carry_links_only() {
        let gallery = vec![
            json!({
                "id": "g1", "imgUrl": "https://img.blog.example/2024/05/a%20b.png?v=1",
                "fileName": "a b.png", "extname": ".png", "type": "aws-s3",
                "width": 800, "height": 600, "createdAt": 1_700_000_000_000_i64,
                "secretAccessKey": "GALLERY-SECRET",
                "config": {"accessKeyID": "AK", "secretAccessKey": "GALLERY-SECRET-2"}
            }),
            json!({"imgUrl": "https://i.smms.example/x.jpg", "type": "smms",
                   "fileName": "x.jpg", "createdAt": 1_600_000_000}),
            json!({"fileName": "nolink.png"}),
            json!({"id": "g1", "imgUrl": "https://dup.example/a.png"}),
            json!({"url": "https://img.example.com/imgs/k/c.webp", "type": "aws-s3"}),
        ];
        let plan = plan(
            Flavor::PicList,
            &picgo_two_configs(),
            &gallery,
            1_650_000_000_000,
        );
        assert_eq!(plan.history.len(), 3);
        assert_eq!(plan.history_without_link, 1);
        assert!(
            plan.notes
                .iter()
                .any(|n| n.contains("1 gallery entries repeat"))
        );

        let a = &plan.history[0];
        assert_eq!(a.origin, ORIGIN_PICLIST);
        assert_eq!(a.import_ref.as_deref(), Some("g1"));
        assert_eq!(a.status, Status::Done);
        assert_eq!(a.profile, "R2-blog");
        assert_eq!(a.key.as_deref(), Some("2024/05/a b.png"));
        assert_eq!((a.width, a.height), (Some(800), Some(600)));
        assert_eq!(a.created_at_ms, 1_700_000_000_000);
        assert_eq!(a.source_name, "a b.png");

        let x = &plan.history[1];
        assert_eq!(x.profile, "piclist:smms");
        assert_eq!(x.created_at_ms, 1_600_000_000_000, "seconds are scaled");
        assert!(x.import_ref.as_deref().unwrap().starts_with("sha256:"));

        let c = &plan.history[2];
        assert_eq!(c.profile, "MinIO-local");
        assert_eq!(c.key.as_deref(), Some("k/c.webp"));
        assert_eq!(c.source_name, "c.webp");
        assert_eq!(
            c.created_at_ms, 1_650_000_000_000,
            "file time when the row has none"
        );

        let all = serde_json::to_string(&plan.history).unwrap();
        assert!(
            !all.contains("GALLERY-SECRET") && !all.contains("\"AK\""),
            "{all}"
        );
    }

    #[test]
    fn gallery_reads_gzip_and_plain_json() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let body = json!({"gallery": [{"id": "1", "imgUrl": "https://x.example/a.png"}]});
        let plain = dir.path().join("plain.db");
        std::fs::write(&plain, body.to_string()).unwrap();
        let gz = dir.path().join("gz.db");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(body.to_string().as_bytes()).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        assert_eq!(read_gallery(&plain).unwrap().len(), 1);
        assert_eq!(read_gallery(&gz).unwrap().len(), 1);

        std::fs::write(&plain, "{not json").unwrap();
        let e = read_gallery(&plain).unwrap_err();
        assert_eq!(e.code(), "import.parse");
        assert!(e.to_string().contains("plain.db"), "{e}");
    }

    #[test]
    fn config_path_is_followed_and_gallery_found_next_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("picgo");
        let real = dir.path().join("elsewhere");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::create_dir_all(&real).unwrap();
        std::fs::write(
            app.join("data.json"),
            json!({"configPath": "../elsewhere/data.json"}).to_string(),
        )
        .unwrap();
        std::fs::write(real.join("data.json"), picgo_two_configs().to_string()).unwrap();
        std::fs::write(
            real.join("picgo.db"),
            json!({"gallery": [{"id": "1", "imgUrl": "https://x.example/a.png"}]}).to_string(),
        )
        .unwrap();
        let home = dir.path().to_str().unwrap().to_owned();
        let env = move |k: &str| match k {
            "XDG_CONFIG_HOME" | "HOME" => Some(home.clone()),
            _ => None,
        };
        let loaded = load(Flavor::PicGo, None, &env).unwrap();
        assert_eq!(loaded.located.data_json, app.join("data.json"));
        assert_eq!(loaded.located.config, app.join("../elsewhere/data.json"));
        assert_eq!(
            loaded.located.gallery.as_deref(),
            Some(app.join("../elsewhere/picgo.db").as_path())
        );
        assert_eq!(loaded.gallery.len(), 1);
        let plan = plan(Flavor::PicGo, &loaded.config, &loaded.gallery, 0);
        assert_eq!(plan.profiles.len(), 2);

        // A folder works as PATH too.
        assert_eq!(
            load(Flavor::PicGo, Some(&app), &env)
                .unwrap()
                .located
                .config,
            app.join("../elsewhere/data.json")
        );

        // A redirect to nowhere names both files.
        std::fs::write(
            app.join("data.json"),
            json!({"configPath": "/nonexistent/data.json"}).to_string(),
        )
        .unwrap();
        let e = load(Flavor::PicGo, Some(&app), &env).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("/nonexistent/data.json") && msg.contains("configPath"),
            "{msg}"
        );
    }

    #[test]
    fn missing_config_lists_where_it_looked() {
        let env = |k: &str| (k == "HOME").then(|| "/home/nobody-here".to_owned());
        let e = load(Flavor::PicList, None, &env).unwrap_err();
        assert_eq!(e.code(), "import.not_found");
        let msg = e.to_string();
        if cfg!(target_os = "linux") {
            assert!(
                msg.contains("/home/nobody-here/.config/piclist/data.json"),
                "{msg}"
            );
        }
        assert!(
            msg.contains("/home/nobody-here/.piclist/config.json"),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
    }

    fn mock_keychain() -> Keychain {
        let store: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
        Keychain::with_store(store)
    }

    #[test]
    fn apply_is_idempotent_and_dry_run_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("config.toml");
        let history = History::open_in_memory().unwrap();
        let kc = mock_keychain();
        let gallery: Vec<Value> = (0..50)
            .map(|i| json!({"id": format!("id-{i}"), "imgUrl": format!("https://img.example.com/imgs/{i}.png")}))
            .collect();
        let plan = plan(
            Flavor::PicGo,
            &picgo_two_configs(),
            &gallery,
            1_700_000_000_000,
        );
        let keychain = || Ok(kc.clone());

        let dry = apply(
            &plan,
            &config_path,
            Some(&history),
            &keychain,
            ApplyOptions {
                dry_run: true,
                overwrite: false,
            },
        )
        .unwrap();
        assert_eq!(dry.count(ProfileAction::Added), 2);
        assert_eq!(dry.history_added, 50);
        assert!(!config_path.exists());
        assert_eq!(kc.get("R2-blog").unwrap(), None);
        assert_eq!(history.count(&hoist_history::Query::default()).unwrap(), 0);

        let first = apply(
            &plan,
            &config_path,
            Some(&history),
            &keychain,
            ApplyOptions::default(),
        )
        .unwrap();
        assert_eq!(first.count(ProfileAction::Added), 2);
        assert_eq!(first.default_set.as_deref(), Some("MinIO-local"));
        assert!(
            first
                .profiles
                .iter()
                .all(|p| p.secret == SecretAction::Stored)
        );
        assert_eq!(kc.get("R2-blog").unwrap().unwrap().expose(), R2_SECRET);
        assert_eq!(first.history_added, 50);
        let text = std::fs::read_to_string(&config_path).unwrap();
        assert!(!text.contains(R2_SECRET) && !text.contains(MINIO_SECRET));
        let cfg = Config::load(&config_path).unwrap();
        assert_eq!(cfg.resolve(None).unwrap().name, "MinIO-local");

        let again = apply(
            &plan,
            &config_path,
            Some(&history),
            &keychain,
            ApplyOptions::default(),
        )
        .unwrap();
        assert_eq!(again.count(ProfileAction::Unchanged), 2);
        assert!(
            again
                .profiles
                .iter()
                .all(|p| p.secret == SecretAction::AlreadyStored)
        );
        assert_eq!((again.history_added, again.history_existing), (0, 50));
        assert_eq!(again.default_set, None);
        assert_eq!(history.count(&hoist_history::Query::default()).unwrap(), 50);

        // A changed profile is skipped unless --overwrite.
        let mut cfg = Config::load(&config_path).unwrap();
        cfg.profiles.get_mut("R2-blog").unwrap().bucket = "other".into();
        cfg.save(&config_path).unwrap();
        let skipped = apply(
            &plan,
            &config_path,
            Some(&history),
            &keychain,
            ApplyOptions::default(),
        )
        .unwrap();
        let r2 = skipped
            .profiles
            .iter()
            .find(|p| p.name == "R2-blog")
            .unwrap();
        assert_eq!(
            (r2.action, &r2.secret),
            (ProfileAction::Skipped, &SecretAction::Untouched)
        );
        assert_eq!(
            Config::load(&config_path).unwrap().profiles["R2-blog"].bucket,
            "other"
        );
        let over = apply(
            &plan,
            &config_path,
            Some(&history),
            &keychain,
            ApplyOptions {
                dry_run: false,
                overwrite: true,
            },
        )
        .unwrap();
        assert_eq!(over.count(ProfileAction::Updated), 1);
        assert_eq!(
            Config::load(&config_path).unwrap().profiles["R2-blog"].bucket,
            "blog"
        );
    }

    #[test]
    fn unreachable_keychain_still_imports_profiles() {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("config.toml");
        let plan = plan(Flavor::PicGo, &picgo_two_configs(), &[], 0);
        let down = || {
            Err(SecretError::Unavailable {
                detail: "no D-Bus session".into(),
            })
        };
        let report = apply(&plan, &config_path, None, &down, ApplyOptions::default()).unwrap();
        assert_eq!(report.count(ProfileAction::Added), 2);
        assert!(report.profiles.iter().all(|p| p.secret.is_missing()));
        assert_eq!(Config::load(&config_path).unwrap().profiles.len(), 2);
    }
}
