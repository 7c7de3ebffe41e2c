//! The plan: what an import would do, computed from the parsed files alone (pure): the link
//! settings, the S3 configs as profiles, the gallery as history rows, and the notes to show.

use hoist_history::NewRecord;
use serde_json::Value;

use crate::flavor::Flavor;
use crate::gallery::gallery_rows;
use crate::json::at;
use crate::links::link_settings;
use crate::profiles::{PlannedProfile, planned_profiles};

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
    use crate::fixtures::{MINIO_SECRET, R2_SECRET, picgo_two_configs, profile};
    use crate::links::PICGO_MARKDOWN;

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
