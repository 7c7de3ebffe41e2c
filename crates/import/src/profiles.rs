//! PicGo S3 configs → Hoist profiles: which configs count, the provider guessed from the
//! endpoint, region, addressing, ACL, proxy and key template, profile names made valid and
//! unique, and which profile PicGo would have used by default.

use std::collections::HashSet;
use std::net::IpAddr;

use hoist_core::config::{DEFAULT_TEMPLATE, Profile};
use hoist_core::link::LinkFormat;
use hoist_core::presets::{self, Addressing, Preset};
use hoist_core::secrets::Secret;
use hoist_core::template::Template;
use hoist_imaging::{OutputFormat, ProcessOptions};
use serde_json::{Map, Value};

use crate::json::{at, bool_field, str_at, str_field};
use crate::links::LinkSettings;
use crate::urls::{Endpoint, public_url, sdk_location};

/// The two S3 uploader types: picgo-plugin-s3 and PicList's built-in one. Same field names.
const S3_TYPES: [&str; 2] = ["aws-s3", "aws-s3-plist"];

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

/// Every S3 config with a bucket as a profile under a unique name, and the one to become the
/// default. Configs without a bucket are skipped with a note.
pub(crate) fn planned_profiles(
    config: &Value,
    links: &LinkSettings,
    notes: &mut Vec<String>,
) -> (Vec<PlannedProfile>, Option<String>) {
    let mut profiles: Vec<PlannedProfile> = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    let mut default_profile: Option<(u8, String)> = None;
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
        let (profile, secret, profile_notes) = convert(obj, &bucket, &name, links);
        let id = str_field(obj, "_id");
        let is_default_id = id.is_some() && id == str_at(config, &["uploader", ty, "defaultId"]);
        let rank = default_rank(current.as_deref() == Some(ty), is_default_id);
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
    (profiles, default_profile.map(|(_, n)| n))
}

/// PicGo's choice first (the current uploader's default config), then any config of the
/// current uploader, then any type's default config, then the first: Hoist should never end
/// up with several profiles and no default. Lower is better.
fn default_rank(is_current_type: bool, is_default_id: bool) -> u8 {
    match (is_current_type, is_default_id) {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (false, false) => 3,
    }
}

/// Every S3 config object: each `uploader.<type>.configList[]` entry, and `picBed.<type>` only
/// when that type has no list (older PicGo kept one config there; newer ones mirror the
/// current list entry into it, which would be a duplicate).
pub(crate) fn s3_configs(config: &Value) -> Vec<(&'static str, &Map<String, Value>)> {
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

/// One S3 config object → profile, secret and notes. `name` is only used in hints.
pub(crate) fn convert(
    obj: &Map<String, Value>,
    bucket: &str,
    name: &str,
    links: &LinkSettings,
) -> (Profile, Option<Secret>, Vec<String>) {
    let mut notes = Vec::new();
    let path_style_flag = bool_field(obj, "pathStyleAccess").unwrap_or(false);
    let target = Target::of(obj, path_style_flag, name, &mut notes);
    let acl = acl(obj, target.preset, &mut notes);
    let key_template = key_template(obj, name, &mut notes);
    let location = sdk_location(
        target.endpoint.as_ref(),
        &target.region_or_preset,
        bucket,
        target.sdk_path_style,
    );
    let (public_base, url_suffix) = public_url(
        obj,
        &location,
        bucket,
        path_style_flag,
        target.provider,
        name,
        &mut notes,
    );
    let mut profile = Profile {
        provider: target.provider.to_owned(),
        endpoint: target.profile_endpoint,
        account_id: target.account_id,
        region: target.region,
        bucket: bucket.to_owned(),
        addressing: target.addressing,
        acl,
        access_key_id: str_field(obj, "accessKeyID"),
        public_base_url: public_base,
        url_suffix,
        key_template,
        link_format: links.format,
        custom_link: links.custom.clone(),
        proxy: proxy(obj),
        allow_invalid_certs: bool_field(obj, "rejectUnauthorized") == Some(false),
        // PicGo uploads the file as it is; an import must not start converting or stripping.
        processing: ProcessOptions {
            format: OutputFormat::Original,
            ..ProcessOptions::default()
        },
        ..Profile::default()
    };
    leave_base_to_preset(&mut profile, name);
    check_resolves(&profile, name, &mut notes);
    if profile.access_key_id.is_none() {
        notes.push(format!(
            "no access key id: hoist profile edit {name} --access-key-id ID"
        ));
    }
    let secret = str_field(obj, "secretAccessKey").map(Secret::new);
    (profile, secret, notes)
}

/// Where a config's requests went, as a provider preset and what the profile must say beyond it.
struct Target {
    provider: &'static str,
    preset: &'static Preset,
    /// The config's endpoint, if it parses.
    endpoint: Option<Endpoint>,
    /// The endpoint as the profile keeps it: only where the preset would not give the same.
    profile_endpoint: Option<String>,
    account_id: Option<String>,
    region: Option<String>,
    /// `region`, else the preset's.
    region_or_preset: String,
    addressing: Option<Addressing>,
    /// Whether PicGo's S3 SDK used path-style URLs.
    sdk_path_style: bool,
}

impl Target {
    fn of(
        obj: &Map<String, Value>,
        path_style_flag: bool,
        name: &str,
        notes: &mut Vec<String>,
    ) -> Target {
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
            *url != preset.endpoint_for(&region_or_preset, account_id.as_deref().unwrap_or(""))
        });
        let profile_endpoint = profile_endpoint.or_else(|| {
            // An unparsable endpoint is kept as written so `hoist profile show` points at it.
            endpoint.is_none().then(|| endpoint_raw.clone()).flatten()
        });
        Target {
            provider,
            preset,
            endpoint,
            profile_endpoint,
            account_id,
            region,
            region_or_preset,
            addressing,
            sdk_path_style,
        }
    }
}

fn acl(obj: &Map<String, Value>, preset: &Preset, notes: &mut Vec<String>) -> Option<String> {
    match str_field(obj, "acl") {
        Some(acl) if preset.acl => Some(acl),
        Some(acl) => {
            notes.push(format!(
                "acl \"{acl}\" dropped: {} does not accept ACLs",
                preset.name
            ));
            None
        }
        None => None,
    }
}

fn proxy(obj: &Map<String, Value>) -> Option<String> {
    str_field(obj, "proxy").map(|p| {
        if p.contains("://") {
            p
        } else {
            // picgo-plugin-s3 reads `host:port` as an HTTP proxy.
            format!("http://{p}")
        }
    })
}

fn key_template(obj: &Map<String, Value>, name: &str, notes: &mut Vec<String>) -> String {
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
    key_template
}

/// Leaves the public base to the preset when it gives the very same one.
fn leave_base_to_preset(profile: &mut Profile, name: &str) {
    let mut probe = profile.clone();
    probe.public_base_url = None;
    probe.key_template = DEFAULT_TEMPLATE.into();
    if let Ok(r) = probe.resolve(name)
        && r.public_base
            == profile
                .public_base_url
                .as_ref()
                .map(|b| b.trim_end_matches('/').to_owned())
    {
        profile.public_base_url = None;
    }
}

/// Template and link problems have their own notes; this catches the rest (a bad endpoint,
/// proxy or URL prefix).
fn check_resolves(profile: &Profile, name: &str, notes: &mut Vec<String>) {
    let mut probe = profile.clone();
    probe.key_template = DEFAULT_TEMPLATE.into();
    probe.link_format = LinkFormat::Url;
    if let Err(e) = probe.resolve(name) {
        notes.push(format!("needs attention before uploading: {e}"));
    }
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

/// `_configName` → a valid profile name: other characters become `-`, runs collapse, at most
/// 60 bytes (room for a `-N` suffix); empty → `fallback`.
pub(crate) fn sanitize_name(raw: &str, fallback: &str) -> String {
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

pub(crate) fn unique_name(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|n| !taken.contains(n))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use hoist_core::config::validate_profile_name;
    use hoist_core::link::LinkFormat;
    use serde_json::json;

    use super::*;
    use crate::fixtures::{picgo_two_configs, profile};
    use crate::flavor::Flavor;
    use crate::plan::plan;

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
}
