//! The sync log's data and its one merge rule. An entry is a finished upload (one per object:
//! profile + key) or a profile (by name); every change to one is an event stamped with a
//! Lamport clock and the device that made it. The event with the highest stamp is the entry's
//! state on every device, whatever order events arrive in, so devices converge:
//! - order is (clock, delete before edit, device id): a device's clock is past every event it
//!   has seen, so "after" means "made knowing of", never wall time, which may be skewed;
//! - at the same clock a delete wins over an edit;
//! - what a device does not yet know of can never be lost: no device rewrites another's events.

use std::collections::BTreeMap;

use hoist_history::{NewRecord, Record, Status};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Profile;

/// Where an event stands in the one order every device agrees on.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Lamport clock.
    pub clock: u64,
    /// The device that made the change.
    pub device: String,
    /// The entry was deleted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// Short hash of the content (empty for a delete): tells "changed here since" apart.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hash: String,
}

impl Stamp {
    /// Whether an event stamped `self` replaces one stamped `other`.
    pub fn beats(&self, other: &Stamp) -> bool {
        (self.clock, self.deleted, &self.device) > (other.clock, other.deleted, &other.device)
    }
}

/// What an entry holds. Secrets are never part of either: a profile's secret stays in the
/// keychain of each device, and an upload's local source path stays on its device.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "lowercase")]
// Nearly every body is an upload: boxing them would cost an allocation each for nothing.
#[allow(clippy::large_enum_variant)]
pub enum Body {
    Upload(Upload),
    /// Kept as JSON so a field a newer Hoist adds survives being passed on.
    Profile {
        name: String,
        profile: serde_json::Value,
    },
}

/// A finished upload as every device sees it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    pub profile: String,
    pub key: String,
    pub url: String,
    pub created_at_ms: i64,
    pub source_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_template: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_out: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    pub origin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One change: the entry, its new stamp, and its content unless deleted.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Event {
    pub id: String,
    pub stamp: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// The id of the upload entry of `key` in `profile`'s bucket (profile names hold no `/`).
pub fn upload_id(profile: &str, key: &str) -> String {
    format!("u:{profile}/{key}")
}

/// The id of profile `name`'s entry.
pub fn profile_id(name: &str) -> String {
    format!("p:{name}")
}

impl Body {
    pub fn id(&self) -> String {
        match self {
            Body::Upload(u) => upload_id(&u.profile, &u.key),
            Body::Profile { name, .. } => profile_id(name),
        }
    }

    /// A short, stable hash of the content.
    pub fn hash(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(&Sha256::digest(&bytes)[..12])
    }

    /// Profile `name` as it syncs.
    pub fn profile(name: &str, profile: &Profile) -> Body {
        Body::Profile {
            name: name.to_owned(),
            profile: serde_json::to_value(profile).unwrap_or_default(),
        }
    }
}

impl Upload {
    /// The synced part of a finished upload's row; `None` for rows that are not a finished
    /// upload with a link (jobs in flight and failures stay on their device).
    pub fn from_record(r: &Record) -> Option<Upload> {
        if r.status != Status::Done {
            return None;
        }
        Some(Upload {
            profile: r.profile.clone(),
            key: r.key.clone()?,
            url: r.url.clone()?,
            created_at_ms: r.created_at_ms,
            source_name: r.source_name.clone(),
            key_template: r.key_template.clone(),
            mime: r.mime.clone(),
            bytes_in: r.bytes_in,
            bytes_out: r.bytes_out,
            width: r.width,
            height: r.height,
            sha256: r.sha256.clone(),
            origin: r.origin.clone(),
            import_ref: r.import_ref.clone(),
            note: r.note.clone(),
        })
    }

    /// The row this device stores for it; `source_path` is this device's own, if it has one.
    pub fn to_record(&self, source_path: Option<String>) -> NewRecord {
        NewRecord {
            created_at_ms: self.created_at_ms,
            profile: self.profile.clone(),
            source_name: self.source_name.clone(),
            source_path,
            key: Some(self.key.clone()),
            key_template: self.key_template.clone(),
            url: Some(self.url.clone()),
            mime: self.mime.clone(),
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            width: self.width,
            height: self.height,
            sha256: self.sha256.clone(),
            status: Status::Done,
            error_code: None,
            error_message: None,
            attempts: 1,
            origin: self.origin.clone(),
            import_ref: self.import_ref.clone(),
            note: self.note.clone(),
        }
    }
}

/// The changes made here since the last sync: `local` (this device's entries now, by id)
/// against `baseline` (the stamp of each entry as of the last sync). New and changed entries
/// become edits, entries gone become deletes; all stamped `clock` by `device`.
pub fn local_changes(
    local: &BTreeMap<String, Body>,
    baseline: &BTreeMap<String, Stamp>,
    device: &str,
    clock: u64,
) -> Vec<Event> {
    let stamp = |deleted: bool, hash: String| Stamp {
        clock,
        device: device.to_owned(),
        deleted,
        hash,
    };
    let mut out = Vec::new();
    for (id, body) in local {
        let hash = body.hash();
        let changed = baseline.get(id).is_none_or(|b| b.deleted || b.hash != hash);
        if changed {
            out.push(Event {
                id: id.clone(),
                stamp: stamp(false, hash),
                body: Some(body.clone()),
            });
        }
    }
    for (id, b) in baseline {
        if !b.deleted && !local.contains_key(id) {
            out.push(Event {
                id: id.clone(),
                stamp: stamp(true, String::new()),
                body: None,
            });
        }
    }
    out
}

/// Keeps, of `events`, those that beat what `baseline` knows (and the later of two for one
/// entry), and records them in `baseline`. What is returned is what this device must apply.
pub fn merge(
    baseline: &mut BTreeMap<String, Stamp>,
    events: Vec<Event>,
) -> BTreeMap<String, Event> {
    let mut won: BTreeMap<String, Event> = BTreeMap::new();
    for e in events {
        if e.stamp.deleted != e.body.is_none() {
            continue; // malformed: a delete with content or an edit without
        }
        if baseline.get(&e.id).is_some_and(|b| !e.stamp.beats(b)) {
            continue;
        }
        baseline.insert(e.id.clone(), e.stamp.clone());
        won.insert(e.id.clone(), e);
    }
    won
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(key: &str, name: &str) -> Body {
        Body::Upload(Upload {
            profile: "r2".into(),
            key: key.into(),
            url: format!("https://i.example/{key}"),
            created_at_ms: 1,
            source_name: name.into(),
            key_template: None,
            mime: None,
            bytes_in: None,
            bytes_out: None,
            width: None,
            height: None,
            sha256: None,
            origin: "upload".into(),
            import_ref: None,
            note: None,
        })
    }

    fn local(bodies: &[Body]) -> BTreeMap<String, Body> {
        bodies.iter().map(|b| (b.id(), b.clone())).collect()
    }

    /// Every device applying the same events in any order ends with the same stamps.
    #[test]
    fn any_arrival_order_gives_the_same_state() {
        let a = local_changes(&local(&[up("x.png", "a")]), &BTreeMap::new(), "aaaa", 1);
        let b = local_changes(&local(&[up("x.png", "b")]), &BTreeMap::new(), "bbbb", 1);
        let mut base_a = BTreeMap::new();
        let del = local_changes(
            &BTreeMap::new(),
            &{
                let mut m = BTreeMap::new();
                merge(&mut m, a.clone());
                m
            },
            "cccc",
            2,
        );
        let orders = [
            [a.clone(), b.clone(), del.clone()],
            [del.clone(), b.clone(), a.clone()],
            [b.clone(), del.clone(), a.clone()],
        ];
        let mut finals = Vec::new();
        for order in orders {
            let mut base = BTreeMap::new();
            for events in order {
                merge(&mut base, events);
            }
            finals.push(base);
        }
        assert!(finals.windows(2).all(|w| w[0] == w[1]));
        assert!(
            finals[0][&upload_id("r2", "x.png")].deleted,
            "the later delete wins"
        );
        // Two edits at one clock: the device id decides, the same way everywhere.
        merge(&mut base_a, a);
        let won = merge(&mut base_a, b);
        assert_eq!(won.len(), 1, "bbbb > aaaa");
    }

    #[test]
    fn a_delete_wins_over_an_edit_at_the_same_clock_and_loses_to_a_later_one() {
        let id = upload_id("r2", "x.png");
        let mut base = BTreeMap::new();
        merge(
            &mut base,
            local_changes(&local(&[up("x.png", "a")]), &BTreeMap::new(), "zzzz", 5),
        );
        let del = Event {
            id: id.clone(),
            stamp: Stamp {
                clock: 5,
                device: "aaaa".into(),
                deleted: true,
                hash: String::new(),
            },
            body: None,
        };
        assert_eq!(merge(&mut base, vec![del]).len(), 1);
        // The same upload made again, knowing of the delete: it comes back.
        let again = local_changes(&local(&[up("x.png", "a")]), &base, "aaaa", 6);
        assert_eq!(again.len(), 1);
        assert!(!again[0].stamp.deleted);
        assert_eq!(merge(&mut base, again).len(), 1);
        assert!(!base[&id].deleted);
    }

    #[test]
    fn only_what_changed_since_the_last_sync_is_sent() {
        let mine = local(&[up("a.png", "a"), up("b.png", "b")]);
        let mut base = BTreeMap::new();
        merge(&mut base, local_changes(&mine, &BTreeMap::new(), "d", 1));
        assert!(local_changes(&mine, &base, "d", 2).is_empty());
        let fewer = local(&[up("a.png", "renamed")]);
        let changes = local_changes(&fewer, &base, "d", 2);
        let kinds: Vec<(bool, &str)> = changes
            .iter()
            .map(|e| (e.stamp.deleted, e.id.as_str()))
            .collect();
        assert_eq!(kinds, [(false, "u:r2/a.png"), (true, "u:r2/b.png")]);
    }
}
