//! moto, a second S3 implementation (Python, in memory), started on 127.0.0.1 for the suites
//! that must pass on more than one server (bucket browsing, sync). It checks no signatures, so
//! the signing tests stay on the demo server; what it adds is another server's own reading of
//! listing, paging, conditional writes, copies and multi-object deletes.

use crate::Launch;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::required;

/// The pinned version scripts/test.sh installs (`HOIST_MOTO_SERVER` names its `moto_server`).
pub const VERSION: &str = "5.2.6";

/// A running `moto_server` with one bucket whose objects anyone may read (a bucket policy, as a
/// public-read bucket on AWS has), stopped when dropped.
pub struct Moto {
    child: Child,
    port: u16,
    bucket: String,
    http: reqwest::blocking::Client,
}

impl Moto {
    /// Starts moto with `bucket`, or says the test is skipped when moto is not installed (a
    /// failure instead when the run requires it: `HOIST_REQUIRE_MOTO=1`, set by scripts/test.sh).
    pub fn start_or_skip(bucket: &str) -> Option<Moto> {
        let bin = std::env::var_os("HOIST_MOTO_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| "moto_server".into());
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        // A free port can be taken by another process before moto binds it: try a few.
        for _ in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let child = match Command::new(&bin)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn_now()
            {
                Ok(c) => c,
                Err(e) => {
                    assert!(
                        !required("HOIST_REQUIRE_MOTO"),
                        "moto required but {} does not start: {e}",
                        bin.display()
                    );
                    eprintln!("skipped: moto_server not found (run through scripts/test.sh)");
                    return None;
                }
            };
            let mut moto = Moto {
                child,
                port,
                bucket: bucket.to_owned(),
                http: http.clone(),
            };
            if moto.wait_ready() {
                moto.create_bucket();
                return Some(moto);
            }
        }
        panic!("moto_server did not start on 127.0.0.1");
    }

    /// Whether it answers (within 30 s: Python imports take a second or two); false when the
    /// process ended (its port was taken).
    fn wait_ready(&mut self) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if self.child.try_wait().ok().flatten().is_some() {
                return false;
            }
            if self.http.get(self.s3_endpoint()).send().is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    fn create_bucket(&self) {
        let url = self.bucket_url();
        let made = self.http.put(&url).send().expect("create the moto bucket");
        assert!(made.status().is_success(), "create bucket: {made:?}");
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [format!("arn:aws:s3:::{}", self.bucket), format!("arn:aws:s3:::{}/*", self.bucket)],
            }],
        });
        let set = self
            .http
            .put(format!("{url}?policy"))
            .body(policy.to_string())
            .send()
            .expect("set the moto bucket policy");
        assert!(set.status().is_success(), "bucket policy: {set:?}");
    }

    pub fn s3_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The bucket's objects are public: the public base is the bucket's path-style address.
    pub fn public_base(&self) -> String {
        self.bucket_url()
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    fn bucket_url(&self) -> String {
        format!("{}/{}", self.s3_endpoint(), self.bucket)
    }

    /// The object's path-style address, each key segment encoded as Hoist encodes links.
    fn object_url(&self, key: &str) -> String {
        hoist_core::link::public_url(&self.bucket_url(), key, "")
    }

    /// The object's bytes, read anonymously; `None` when there is none.
    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        let resp = self.http.get(self.object_url(key)).send().unwrap();
        match resp.status().as_u16() {
            200 => Some(resp.bytes().unwrap().to_vec()),
            404 => None,
            s => panic!("GET {key} from moto: {s}"),
        }
    }

    /// Puts an object as another tool would have (moto takes unsigned writes).
    pub fn seed(&self, key: &str, body: &[u8]) {
        let resp = self
            .http
            .put(self.object_url(key))
            // Without a type, the server's web framework reads the body as a form.
            .header("content-type", "application/octet-stream")
            .body(body.to_vec())
            .send()
            .unwrap();
        assert!(resp.status().is_success(), "seed {key}: {resp:?}");
    }

    /// Every key in the bucket, through ListObjectsV2 pages.
    pub fn object_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("list-type", "2")];
            if let Some(t) = &token {
                query.push(("continuation-token", t));
            }
            let url = reqwest::Url::parse_with_params(&self.bucket_url(), &query).unwrap();
            let xml = self.http.get(url).send().unwrap().text().unwrap();
            keys.extend(elements(&xml, "Key"));
            token = elements(&xml, "NextContinuationToken").into_iter().next();
            if token.is_none() {
                return keys;
            }
        }
    }

    /// The keys of multipart uploads started and not finished.
    pub fn unfinished_multipart_uploads(&self) -> Vec<String> {
        let xml = self
            .http
            .get(format!("{}?uploads", self.bucket_url()))
            .send()
            .unwrap()
            .text()
            .unwrap();
        elements(&xml, "Key")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text of every `<name>` element of an S3 XML reply, entities decoded.
fn elements(xml: &str, name: &str) -> Vec<String> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(v, _)| v))
        .map(|v| {
            v.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}
