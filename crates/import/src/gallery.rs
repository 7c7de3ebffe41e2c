//! Gallery entries → history rows, built from the link fields only: PicList also stores the
//! uploader's credentials in each entry, and they are never read.

use std::collections::{BTreeMap, HashSet};

use hoist_core::config::DEFAULT_TEMPLATE;
use hoist_history::{NewRecord, Status};
use serde_json::{Map, Value};
use sha2::Digest as _;

use crate::flavor::Flavor;
use crate::json::str_field;
use crate::profiles::PlannedProfile;

/// Gallery times outside 1990..2200 are not real upload times.
const PLAUSIBLE_MS: std::ops::RangeInclusive<i64> = 631_152_000_000..=7_258_118_400_000;

/// Gallery items → history rows, built from the link fields only (PicList also stores the
/// uploader's credentials in each item; they are never read). Returns the rows, the number
/// of items without a link, and the number of repeated ids.
pub(crate) fn gallery_rows(
    flavor: Flavor,
    gallery: &[Value],
    profiles: &[PlannedProfile],
    fallback_time_ms: i64,
) -> (Vec<NewRecord>, usize, usize) {
    let owners = Owners::of(flavor, profiles);
    let fallback_time_ms = if PLAUSIBLE_MS.contains(&fallback_time_ms) {
        fallback_time_ms
    } else {
        chrono::Utc::now().timestamp_millis()
    };
    let mut seen = HashSet::new();
    let (mut rows, mut without_link, mut duplicates) = (Vec::new(), 0, 0);
    for item in gallery {
        let Some((obj, url)) = item.as_object().and_then(|obj| Some((obj, link(obj)?))) else {
            without_link += 1;
            continue;
        };
        let file_name = str_field(obj, "fileName");
        let import_ref = str_field(obj, "id")
            .unwrap_or_else(|| content_ref(&url, file_name.as_deref().unwrap_or("")));
        if !seen.insert(import_ref.clone()) {
            duplicates += 1;
            continue;
        }
        let matched = owners.key_of(&url);
        let profile = owners.profile_of(
            matched.as_ref().map(|(name, _)| *name),
            str_field(obj, "type").as_deref(),
        );
        let created_at_ms = ["createdAt", "updatedAt", "date"]
            .iter()
            .find_map(|k| obj.get(*k).and_then(time_ms))
            .unwrap_or(fallback_time_ms);
        rows.push(NewRecord {
            created_at_ms,
            profile,
            source_name: file_name.unwrap_or_else(|| hoist_core::fetch::name_from_url(&url)),
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

/// The imported profiles as owners of gallery links: by public base, else by uploader type.
struct Owners<'a> {
    flavor: Flavor,
    /// (public base, URL suffix, profile name), longest base first so a nested base wins.
    bases: Vec<(String, String, &'a str)>,
    by_type: BTreeMap<&'a str, Vec<&'a str>>,
}

impl<'a> Owners<'a> {
    fn of(flavor: Flavor, profiles: &'a [PlannedProfile]) -> Self {
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
        Owners {
            flavor,
            bases,
            by_type,
        }
    }

    /// The profile whose public base `url` starts with, and the object key after that base.
    fn key_of(&self, url: &str) -> Option<(&'a str, String)> {
        self.bases.iter().find_map(|(base, suffix, name)| {
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
        })
    }

    /// A row's history `profile`: the profile its link matched, else the only imported profile
    /// of its uploader type, else `picgo:<type>` (or just `picgo` without a type).
    fn profile_of(&self, matched: Option<&str>, ty: Option<&str>) -> String {
        match (matched, ty) {
            (Some(name), _) => name.to_owned(),
            (None, Some(t)) if self.by_type.get(t).is_some_and(|n| n.len() == 1) => {
                self.by_type[t][0].to_owned()
            }
            (None, Some(t)) => format!("{}:{t}", self.flavor.tag()),
            (None, None) => self.flavor.tag().to_owned(),
        }
    }
}

/// The entry's http(s) link, if it has one.
fn link(obj: &Map<String, Value>) -> Option<String> {
    str_field(obj, "imgUrl")
        .or_else(|| str_field(obj, "url"))
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

/// The `import_ref` of an entry without an id: a hash of its link and file name.
fn content_ref(url: &str, file_name: &str) -> String {
    let mut h = sha2::Sha256::new();
    h.update(url.as_bytes());
    h.update([0]);
    h.update(file_name.as_bytes());
    format!("sha256:{}", hex::encode(h.finalize()))
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

#[cfg(test)]
mod tests {
    use hoist_history::{ORIGIN_PICLIST, Status};
    use serde_json::json;

    use crate::fixtures::picgo_two_configs;
    use crate::flavor::Flavor;
    use crate::plan::plan;

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
}
