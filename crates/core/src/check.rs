//! "Test connection": a real PUT, HEAD, public GET and DELETE of a tiny object, reported step by
//! step so a user sees exactly which part of a profile is wrong.

use std::collections::BTreeMap;
use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;

use crate::config::ResolvedProfile;
use crate::fetch;
use crate::link;
use crate::store::{PutRequest, Store};

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

/// Runs the steps in order; later steps are skipped (not run) once the PUT fails, but the
/// DELETE always runs after a successful PUT so no probe object is left behind.
pub async fn test_connection<S: Store>(
    profile: &ResolvedProfile,
    store: &S,
    probe_id: &str,
) -> Vec<Step> {
    let key = format!(".hoist-test/{probe_id}.txt");
    let mut steps = Vec::new();
    let t = Instant::now();
    let put = store
        .put(PutRequest {
            key: key.clone(),
            body: Bytes::from_static(PROBE_BODY),
            content_type: "text/plain; charset=utf-8".into(),
            cache_control: Some("no-store".into()),
            content_disposition: None,
            metadata: BTreeMap::new(),
            if_none_match: false,
        })
        .await;
    let put_ok = put.is_ok();
    steps.push(step(
        "upload (PUT)",
        t,
        put.map(|()| format!("wrote {key}")),
    ));
    if !put_ok {
        return steps;
    }

    let t = Instant::now();
    let head = store.head(&key).await;
    steps.push(step(
        "read back (HEAD)",
        t,
        head.map_err(|e| e.to_string()).and_then(|info| match info {
            Some(i) if i.size == PROBE_BODY.len() as u64 => Ok(format!("{} bytes", i.size)),
            Some(i) => Err(format!(
                "the object has {} bytes, expected {}",
                i.size,
                PROBE_BODY.len()
            )),
            None => Err("the object just written is not there".into()),
        }),
    ));

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
    steps
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
