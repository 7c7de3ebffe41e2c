//! Provider presets: the embedded table of S3-compatible services and the lookups over it.
//! The table itself is data (`presets/providers.toml`); this file only loads and queries it.

use std::sync::OnceLock;

use serde::Deserialize;

/// URL addressing style for S3 requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Addressing {
    /// `https://host/bucket/key` — MinIO, Garage and most self-hosted servers need it.
    Path,
    /// `https://bucket.host/key` — Aliyun OSS and Tencent COS require it.
    Virtual,
}

/// One provider's defaults and quirks.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub id: String,
    pub name: String,
    /// Endpoint pattern with `{region}` / `{account_id}`; empty = the profile must give one.
    pub endpoint: String,
    pub region: String,
    pub addressing: Addressing,
    /// Whether the service accepts an ACL header at all.
    pub acl: bool,
    /// The starting guess of whether the bucket refuses a write to a taken key when asked to
    /// (`hoist profile test` measures it).
    pub conditional_put: bool,
    /// The provider's own "do not overwrite" header (`x-oss-forbid-overwrite`), sent as `true`
    /// instead of `If-None-Match: *`; empty = none.
    pub forbid_overwrite_header: String,
    pub checksum: String,
    /// Public URL base pattern (`{endpoint}`, `{bucket}`, `{region}`); empty = none usable.
    pub public_url: String,
    pub notes: String,
}

impl Preset {
    /// The endpoint this preset gives for `region` and `account_id`; a placeholder left
    /// unfilled (no account id where one is needed) stays in the text for the caller to refuse.
    pub fn endpoint_for(&self, region: &str, account_id: &str) -> String {
        fill(
            &self.endpoint,
            &[("region", region), ("account_id", account_id)],
        )
    }
}

#[derive(Deserialize)]
struct Table {
    provider: Vec<Preset>,
}

const PROVIDERS_TOML: &str = include_str!("../presets/providers.toml");

/// All presets, in the order of the data file. Parsed once; the file is part of the binary, so a
/// parse failure is a build defect caught by the tests below, not a user error.
pub fn all() -> &'static [Preset] {
    static TABLE: OnceLock<Vec<Preset>> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str::<Table>(PROVIDERS_TOML)
            .map(|t| t.provider)
            .unwrap_or_else(|e| panic!("embedded presets/providers.toml is invalid: {e}"))
    })
}

/// The preset with this id (`r2`, `aws`, `minio`, …), if any.
pub fn get(id: &str) -> Option<&'static Preset> {
    all().iter().find(|p| p.id == id)
}

/// Comma-separated ids, for error messages and help text.
/// What the profile editor shows of a preset (the UI's `Preset`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PresetView {
    pub id: String,
    pub name: String,
    pub endpoint: String,
    pub region: String,
    pub addressing: Addressing,
    pub acl: bool,
    pub public_url: String,
    pub notes: String,
}

/// Every preset as the editor shows it: the `providers` command and the UI's facts file.
pub fn views() -> Vec<PresetView> {
    all()
        .iter()
        .map(|p| PresetView {
            id: p.id.clone(),
            name: p.name.clone(),
            endpoint: p.endpoint.clone(),
            region: p.region.clone(),
            addressing: p.addressing,
            acl: p.acl,
            public_url: p.public_url.clone(),
            notes: p.notes.clone(),
        })
        .collect()
}

pub fn ids() -> String {
    all()
        .iter()
        .map(|p| p.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fills `{name}` placeholders from `vars`; a placeholder with no (or an empty) value stays, so
/// the caller can detect it and ask for the missing setting.
pub(crate) fn fill(pattern: &str, vars: &[(&str, &str)]) -> String {
    let mut out = pattern.to_owned();
    for (name, value) in vars.iter().filter(|(_, v)| !v.is_empty()) {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_has_every_required_provider() {
        for id in [
            "r2",
            "aws",
            "minio",
            "garage",
            "aliyun-oss",
            "tencent-cos",
            "b2",
            "wasabi",
            "custom",
        ] {
            assert!(get(id).is_some(), "preset {id} missing");
        }
        assert!(all().iter().all(|p| p.checksum == "when_required"));
    }

    #[test]
    fn provider_quirks_match_compat_notes() {
        assert_eq!(get("r2").unwrap().region, "auto");
        assert!(!get("r2").unwrap().acl);
        assert!(get("r2").unwrap().public_url.is_empty());
        assert_eq!(get("garage").unwrap().region, "garage");
        assert_eq!(get("minio").unwrap().addressing, Addressing::Path);
        assert_eq!(get("aliyun-oss").unwrap().addressing, Addressing::Virtual);
        assert_eq!(get("tencent-cos").unwrap().addressing, Addressing::Virtual);
    }

    #[test]
    fn forbid_overwrite_headers_are_the_documented_ones() {
        assert_eq!(
            get("aliyun-oss").unwrap().forbid_overwrite_header,
            "x-oss-forbid-overwrite"
        );
        assert_eq!(
            get("tencent-cos").unwrap().forbid_overwrite_header,
            "x-cos-forbid-overwrite"
        );
        for p in all() {
            let h = &p.forbid_overwrite_header;
            // Sent as an HTTP header name and signed: lower-case token characters only.
            assert!(
                h.is_empty()
                    || (h.starts_with("x-")
                        && h.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')),
                "{}: {h:?}",
                p.id
            );
            // A provider with its own header has atomic no-overwrite writes.
            assert!(h.is_empty() || p.conditional_put, "{}", p.id);
        }
    }

    #[test]
    fn fill_leaves_unknown_placeholders() {
        assert_eq!(
            fill("https://s3.{region}.x/{bucket}", &[("region", "eu-west-1")]),
            "https://s3.eu-west-1.x/{bucket}"
        );
        assert_eq!(fill("https://{a}.x", &[("a", "")]), "https://{a}.x");
    }
}
