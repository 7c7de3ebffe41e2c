//! "Test connection": a real PUT, HEAD, conditional second PUT, public GET and DELETE of a tiny
//! object, reported step by step so a user sees exactly which part of a profile is wrong, and
//! the measured answer to whether the bucket honours conditional writes, which the caller
//! records in the profile (`record_conditional_put`).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;

use crate::config::{Config, ConfigError, ResolvedProfile};
use crate::fetch;
use crate::link;
use crate::store::{PutRequest, Store, StoreError, StoreErrorKind};

/// One step's result.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub name: &'static str,
    pub ok: bool,
    /// What happened, in plain words (the error message on failure).
    pub detail: String,
    pub millis: u128,
}

const PROBE_BODY: &[u8] = b"hoist connection test\n";

/// Name of the step that probes conditional writes.
pub const CONDITIONAL_STEP: &str = "no overwrite (PUT)";

/// What a connection test found.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub steps: Vec<Step>,
    /// Whether the bucket refused a second write of the test object when asked to: the
    /// profile's `conditional_put`. `None` when the test could not tell.
    pub conditional_put: Option<bool>,
}

impl Checked {
    /// Every step ran (none skipped after a failed upload) and passed.
    pub fn all_ok(&self) -> bool {
        self.steps.len() == STEPS && self.steps.iter().all(|s| s.ok)
    }
}

/// Steps of a complete test.
const STEPS: usize = 5;

/// Runs the steps in order; later steps are skipped (not run) once the PUT fails, but the
/// DELETE always runs after a PUT that may have stored something, so no probe object is left
/// behind. The third step writes the test object again, asking the server to refuse because
/// the key is taken (`If-None-Match: *`, or the provider's own header): refused means the
/// bucket has conditional writes, written means it has not (the body is the same, so the later
/// steps are unaffected).
pub async fn test_connection<S: Store>(
    profile: &ResolvedProfile,
    store: &S,
    probe_id: &str,
) -> Checked {
    let key = format!(".hoist-test/{probe_id}.txt");
    let request = PutRequest {
        key: key.clone(),
        body: Bytes::from_static(PROBE_BODY),
        content_type: "text/plain; charset=utf-8".into(),
        cache_control: Some("no-store".into()),
        content_disposition: None,
        metadata: BTreeMap::new(),
        if_none_match: false,
    };
    let mut steps = Vec::new();
    let t = Instant::now();
    let put = store.put(request.clone()).await;
    if let Err(e) = &put {
        // A request that timed out or broke may still have been stored.
        if e.kind.is_retryable() {
            let _ = store.delete(&key).await;
        }
    }
    let put_ok = put.is_ok();
    steps.push(step(
        "upload (PUT)",
        t,
        put.map(|()| format!("wrote {key}")),
    ));
    if !put_ok {
        return Checked {
            steps,
            conditional_put: None,
        };
    }

    let t = Instant::now();
    steps.push(step("read back (HEAD)", t, read_back(store, &key).await));

    let t = Instant::now();
    let second = store
        .put(PutRequest {
            if_none_match: true,
            ..request
        })
        .await;
    let (conditional_put, detail) = conditional_answer(second);
    steps.push(step(CONDITIONAL_STEP, t, detail));

    let t = Instant::now();
    let public = match &profile.public_base {
        None => Err("no public URL is configured (public_base_url)".to_owned()),
        Some(base) => {
            let url = link::public_url(base, &key, "");
            public_get(&url, profile).await
        }
    };
    steps.push(step("public link (GET)", t, public));

    let t = Instant::now();
    let del = store.delete(&key).await;
    steps.push(step(
        "clean up (DELETE)",
        t,
        del.map(|()| "removed".to_owned()),
    ));
    Checked {
        steps,
        conditional_put,
    }
}

/// The HEAD step: the object just written is there, with the probe's size.
async fn read_back<S: Store>(store: &S, key: &str) -> Result<String, String> {
    match store.head(key).await.map_err(|e| e.to_string())? {
        Some(i) if i.size == PROBE_BODY.len() as u64 => Ok(format!("{} bytes", i.size)),
        Some(i) => Err(format!(
            "the object has {} bytes, expected {}",
            i.size,
            PROBE_BODY.len()
        )),
        None => Err("the object just written is not there".into()),
    }
}

/// What the second, conditional write of the test object says about the bucket. Refused as
/// taken: conditional writes work. Written, or refused for another lasting reason (a server
/// that does not implement the header answers 501, an old MinIO 304): Hoist must not rely on
/// them. A passing failure (timeout, 5xx) tells nothing.
fn conditional_answer(second: Result<(), StoreError>) -> (Option<bool>, Result<String, String>) {
    match second {
        Err(e) if e.kind == StoreErrorKind::AlreadyExists => (
            Some(true),
            Ok(
                "a second write to the same key was refused: uploads rely on it \
                (conditional_put = true)"
                    .to_owned(),
            ),
        ),
        Ok(()) => (
            Some(false),
            Ok(
                "the server let a second write replace the object: uploads check each key \
                first, under a lock shared by Hoist on this computer (conditional_put = false)"
                    .to_owned(),
            ),
        ),
        Err(e) if e.kind.is_retryable() => (None, Err(format!("could not tell: {e}"))),
        Err(e) => (
            Some(false),
            Ok(format!(
                "the server refused the conditional write itself ({}): uploads check each \
                 key first, under a lock shared by Hoist on this computer \
                 (conditional_put = false)",
                e.kind.code()
            )),
        ),
    }
}

/// Records a test's answer about conditional writes as the `conditional_put` of profile `name`
/// in the config file `path` (read fresh and saved atomically, so a concurrent edit of another
/// setting is not undone). Returns whether the file changed; a profile that is gone is left so.
pub fn record_conditional_put(
    path: &Path,
    name: &str,
    honoured: bool,
) -> Result<bool, ConfigError> {
    let mut cfg = Config::load(path)?;
    let Some(profile) = cfg.profiles.get_mut(name) else {
        return Ok(false);
    };
    if profile.conditional_put == Some(honoured) {
        return Ok(false);
    }
    profile.conditional_put = Some(honoured);
    cfg.save(path)?;
    Ok(true)
}

async fn public_get(url: &str, profile: &ResolvedProfile) -> Result<String, String> {
    let client = fetch::own_server_client(profile).map_err(|e| e.to_string())?;
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("{url}: {}", fetch::reqwest_words(&e)))?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| fetch::reqwest_words(&e))?;
    if !status.is_success() {
        return Err(format!(
            "{url} answered {status}: the bucket or custom domain is not publicly readable"
        ));
    }
    if body.as_ref() != PROBE_BODY {
        return Err(format!(
            "{url} answered, but with other content: public_base_url points somewhere else"
        ));
    }
    Ok(format!("{url} is reachable"))
}

fn step(name: &'static str, t: Instant, r: Result<String, impl ToString>) -> Step {
    let millis = t.elapsed().as_millis();
    match r {
        Ok(detail) => Step {
            name,
            ok: true,
            detail,
            millis,
        },
        Err(e) => Step {
            name,
            ok: false,
            detail: e.to_string(),
            millis,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Profile;
    use crate::mem::Mem;

    fn profile() -> ResolvedProfile {
        Profile {
            provider: "minio".into(),
            endpoint: Some("http://127.0.0.1:9".into()),
            bucket: "imgs".into(),
            // Nothing listens there: the public step fails at once, the others do not care.
            public_base_url: Some("http://127.0.0.1:1".into()),
            ..Profile::default()
        }
        .resolve("p")
        .unwrap()
    }

    #[tokio::test]
    async fn the_second_write_tells_whether_writes_are_conditional() {
        for honoured in [true, false] {
            let store = Mem::new(honoured);
            let checked = test_connection(&profile(), &store, "probe").await;
            assert_eq!(checked.conditional_put, Some(honoured));
            let names: Vec<_> = checked.steps.iter().map(|s| s.name).collect();
            assert_eq!(
                names,
                [
                    "upload (PUT)",
                    "read back (HEAD)",
                    CONDITIONAL_STEP,
                    "public link (GET)",
                    "clean up (DELETE)"
                ]
            );
            let probe = &checked.steps[2];
            assert!(probe.ok, "{probe:?}");
            assert!(
                probe
                    .detail
                    .contains(&format!("conditional_put = {honoured}")),
                "{probe:?}"
            );
            assert!(!checked.all_ok(), "the public step failed");
            assert_eq!(store.body(".hoist-test/probe.txt"), None, "probe removed");
            assert_eq!(*store.puts.lock().unwrap(), 2);
        }
    }

    #[test]
    fn lasting_and_passing_refusals() {
        let refused = |kind| conditional_answer(Err(StoreError::new(kind, "no")));
        assert_eq!(refused(StoreErrorKind::Unsupported).0, Some(false));
        assert_eq!(refused(StoreErrorKind::Other).0, Some(false));
        let (answer, detail) = refused(StoreErrorKind::Timeout);
        assert_eq!(answer, None, "a timeout tells nothing");
        assert!(detail.unwrap_err().starts_with("could not tell"));
    }

    #[test]
    fn the_answer_is_recorded_in_the_profile_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let mut cfg = Config::default();
        cfg.profiles.insert(
            "p".into(),
            Profile {
                bucket: "imgs".into(),
                ..Profile::default()
            },
        );
        cfg.save(&path).unwrap();
        assert!(record_conditional_put(&path, "p", false).unwrap());
        assert!(
            !record_conditional_put(&path, "p", false).unwrap(),
            "unchanged"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("conditional_put = false"), "{text}");
        assert!(record_conditional_put(&path, "p", true).unwrap());
        let cfg = Config::load(&path).unwrap();
        assert_eq!(cfg.profiles["p"].conditional_put, Some(true));
        assert!(!record_conditional_put(&path, "gone", true).unwrap());
    }
}
