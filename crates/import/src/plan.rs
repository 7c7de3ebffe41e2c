//! The plan: what an import would do, computed from the parsed files alone (pure): the S3
//! configs as profiles, PicGo's default, the gallery as history rows, and the notes to show.

use std::collections::HashSet;

use hoist_core::config::Profile;
use hoist_core::secrets::Secret;
use hoist_history::NewRecord;
use serde_json::Value;

use crate::Flavor;
use crate::gallery::gallery_rows;
use crate::json::{at, str_at, str_field};
use crate::profiles::{
    LinkSettings, convert, link_settings, s3_configs, sanitize_name, unique_name,
};

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
    let (profiles, default_profile) = planned_profiles(config, &links, &mut notes);
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
        default_profile,
        server_port: server_port(config),
        history,
        history_without_link,
        notes,
    }
}

/// Every S3 config with a bucket as a profile under a unique name, and the one to become the
/// default. Configs without a bucket are skipped with a note.
fn planned_profiles(
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

/// `settings.server.port`, written as a number or as text.
fn server_port(config: &Value) -> Option<u16> {
    at(config, &["settings", "server", "port"]).and_then(|v| match v {
        Value::Number(n) => n.as_u64().and_then(|p| u16::try_from(p).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use hoist_core::config::Config;
    use hoist_core::link::LinkFormat;
    use hoist_core::presets::Addressing;
    use hoist_core::secrets::Secret;
    use hoist_imaging::OutputFormat;

    use super::*;
    use crate::PICGO_MARKDOWN;
    use crate::fixtures::{MINIO_SECRET, R2_SECRET, picgo_two_configs, profile};

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
}
