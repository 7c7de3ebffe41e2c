//! Large files through the real `hoist upload`: a 20 MiB file of a profile with
//! `processing.allow_any_file` goes up as a multipart upload (16 MiB parts, so two) and reads
//! back byte-identical over HTTP; a part cut off mid-body is sent again on its own and the upload
//! still succeeds; a part the server refuses, or keeps failing, ends the upload with one plain
//! line, a failed history row and no unfinished multipart upload left on the server; and
//! Ctrl-C in the middle aborts the upload before `hoist` exits.
//!
//! `hoist` talks to the demo server through a [`FaultProxy`] that records every request line,
//! so the tests count requests exactly: the number of attempts is bounded, never timed.

use std::time::Duration;

use hoist_e2e::proxy::{Fault, FaultProxy, run_bounded};
use hoist_e2e::{Run, World, http_get, walk};
use serde_json::Value;

/// Kills a `hoist` run that takes longer than this (a hang is a failure, not a stuck job).
const LIMIT: Duration = Duration::from_secs(120);

/// Above the 16 MiB multipart threshold: a 16 MiB part and a 4 MiB one.
const SIZE: usize = 20 * 1024 * 1024;

/// A world whose profile takes any file and reaches the demo server through a proxy.
struct Rig {
    w: World,
    proxy: FaultProxy,
}

impl Rig {
    fn new(fault: Fault) -> Rig {
        let w = World::with_profile_extra("processing = { allow_any_file = true }");
        let proxy = FaultProxy::start(&w.server.s3_endpoint());
        proxy.set(fault);
        let path = w.config_dir().join("config.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let endpoint = proxy.url();
        let text: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with("endpoint = ") {
                    format!("endpoint = \"{endpoint}\"")
                } else {
                    l.to_owned()
                }
            })
            .collect();
        std::fs::write(&path, text.join("\n") + "\n").unwrap();
        Rig { w, proxy }
    }

    /// `hoist upload --json --no-copy` of a fresh 20 MiB binary file; the run, its one JSON
    /// result and the file's bytes.
    fn upload(&self, seed: u64) -> (Run, Value, Vec<u8>) {
        let data = pseudo_random(SIZE, seed);
        let f = self.w.input("archive.bin", &data);
        let mut cmd = self.w.hoist();
        cmd.args(["upload", "--json", "--no-copy", f.to_str().unwrap()]);
        let run = run_bounded(&mut cmd, LIMIT);
        for bad in hoist_e2e::NOT_FOR_USERS {
            assert!(!run.stderr.contains(bad), "{bad:?} shown:\n{}", run.stderr);
        }
        let lines = run.lines();
        assert_eq!(lines.len(), 1, "one JSON line: {run:?}");
        let result: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(
            std::fs::read(&f).unwrap(),
            data,
            "the original was modified"
        );
        (run, result, data)
    }

    /// Request lines seen by the proxy that contain `needle`.
    fn count(&self, needle: &str) -> usize {
        self.proxy
            .request_lines()
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    fn assert_nothing_left_open(&self) {
        assert_eq!(
            self.w.server.unfinished_multipart_uploads(),
            Vec::<String>::new(),
            "an unfinished multipart upload was left on the server; requests: {:#?}",
            self.proxy.request_lines()
        );
    }

    fn history(&self) -> Vec<Value> {
        let mut cmd = self.w.hoist();
        cmd.args(["history", "list", "--json"]);
        let run = run_bounded(&mut cmd, LIMIT);
        run.expect_code(0);
        run.lines()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// Binary noise (not text, not an image): passed through as `application/octet-stream`.
fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

const CREATE: &str = "?uploads ";
const PART_1: &str = "x-id=UploadPart&partNumber=1&";
const PART_2: &str = "x-id=UploadPart&partNumber=2&";
const ABORT: &str = "x-id=AbortMultipartUpload";

/// `POST /bucket/key?uploadId=… ` is the completion (the start is `?uploads`).
fn completions(rig: &Rig) -> usize {
    rig.proxy
        .request_lines()
        .iter()
        .filter(|l| l.starts_with("POST ") && l.contains("?uploadId="))
        .count()
}

/// The uploaded object is the file, in the bucket and behind its link.
fn assert_uploaded(rig: &Rig, result: &Value, data: &[u8]) {
    assert_eq!(result["ok"], true, "{result}");
    assert_eq!(result["mime"], "application/octet-stream", "{result}");
    assert_eq!(result["bytes_out"], SIZE as u64, "{result}");
    let url = result["url"].as_str().expect("url");
    let key = rig.w.key_of(url);
    let stored = rig.w.object(&key).expect("object in the bucket");
    assert!(stored == data, "stored bytes differ from the file");
    let (status, ct, body) = http_get(url);
    assert_eq!(status, 200);
    assert_eq!(ct, "application/octet-stream");
    assert!(body == data, "the link serves other bytes than the file");
}

#[test]
fn a_large_file_goes_up_in_parts_and_reads_back_identical() {
    let rig = Rig::new(Fault::Log);
    let (run, result, data) = rig.upload(1);
    run.expect_code(0);
    assert_uploaded(&rig, &result, &data);
    let lines = rig.proxy.request_lines();
    assert_eq!(rig.count(CREATE), 1, "{lines:#?}");
    assert_eq!(rig.count(PART_1), 1, "{lines:#?}");
    assert_eq!(rig.count(PART_2), 1, "{lines:#?}");
    assert_eq!(rig.count("partNumber=3&"), 0, "{lines:#?}");
    assert_eq!(completions(&rig), 1, "{lines:#?}");
    assert_eq!(rig.count(ABORT), 0, "{lines:#?}");
    // No single PUT of the whole file: every PUT is a part.
    assert!(
        lines
            .iter()
            .filter(|l| l.starts_with("PUT "))
            .all(|l| l.contains("x-id=UploadPart")),
        "{lines:#?}"
    );
    rig.assert_nothing_left_open();
    let rows = rig.history();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "done", "{rows:?}");
}

/// Part 2 is cut off mid-body once (connection reset): only part 2 is sent again.
#[test]
fn a_part_cut_off_midway_is_sent_again_on_its_own() {
    let rig = Rig::new(Fault::Matching {
        needle: PART_2,
        skip: 0,
        times: 1,
        then: Box::new(Fault::ResetMidBody {
            body_bytes: 1024 * 1024,
        }),
    });
    let (run, result, data) = rig.upload(2);
    run.expect_code(0);
    assert_uploaded(&rig, &result, &data);
    let lines = rig.proxy.request_lines();
    assert_eq!(
        rig.count(CREATE),
        1,
        "the upload was not restarted: {lines:#?}"
    );
    assert_eq!(rig.count(PART_1), 1, "{lines:#?}");
    assert_eq!(rig.count(PART_2), 2, "part 2 twice: {lines:#?}");
    assert_eq!(completions(&rig), 1, "{lines:#?}");
    assert_eq!(rig.count(ABORT), 0, "{lines:#?}");
    rig.assert_nothing_left_open();
}

/// The failed upload: one plain line naming the file and the part, a failed history row with
/// `code`, no object, and the upload aborted.
fn assert_failed_and_aborted(rig: &Rig, run: &Run, result: &Value, code: &str) {
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(result["ok"], false, "{result}");
    assert_eq!(result["code"], code, "{result}\n{}", run.stderr);
    // One line naming the file (a retryable failure adds a line on `hoist history retry`).
    let all: Vec<&str> = run.stderr.lines().filter(|l| !l.is_empty()).collect();
    let lines: Vec<&str> = all
        .iter()
        .copied()
        .filter(|l| l.starts_with("hoist: archive.bin: "))
        .collect();
    assert_eq!(lines.len(), 1, "one error line: {}", run.stderr);
    assert!(
        all.len() <= 2,
        "one error line and a hint at most: {}",
        run.stderr
    );
    assert!(lines[0].contains("part 2 of 2"), "{}", run.stderr);
    let objects = walk(&rig.w.server.data_dir().join(rig.w.server.bucket()));
    assert!(objects.is_empty(), "objects written: {objects:?}");
    assert_eq!(rig.count(ABORT), 1, "{:#?}", rig.proxy.request_lines());
    assert_eq!(completions(rig), 0, "{:#?}", rig.proxy.request_lines());
    rig.assert_nothing_left_open();
    let rows = rig.history();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "failed", "{rows:?}");
    assert_eq!(rows[0]["error_code"], code, "{rows:?}");
}

/// The server refuses part 2 (403 AccessDenied): not retried, the upload is aborted.
#[test]
fn a_refused_part_aborts_the_upload_and_leaves_nothing_open() {
    let rig = Rig::new(Fault::Matching {
        needle: PART_2,
        skip: 0,
        times: usize::MAX,
        then: Box::new(Fault::Respond {
            uploads_only: false,
            status: 403,
            reason: "Forbidden",
            content_type: "application/xml",
            body: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>\
                   <Message>Access Denied</Message><RequestId>hoist-fault-proxy</RequestId>\
                   </Error>"
                .to_owned(),
        }),
    });
    let (run, result, _) = rig.upload(3);
    assert_failed_and_aborted(&rig, &run, &result, "store.access_denied");
    assert!(run.stderr.contains("access denied"), "{}", run.stderr);
    assert_eq!(rig.count(PART_2), 1, "a refusal is not retried");
}

/// Part 2 fails with 500 every time: tried a bounded number of times (the profile's 3
/// attempts), then the upload is aborted.
#[test]
fn a_part_that_keeps_failing_is_tried_a_bounded_number_of_times_then_aborted() {
    let rig = Rig::new(Fault::Matching {
        needle: PART_2,
        skip: 0,
        times: usize::MAX,
        then: Box::new(Fault::internal_error()),
    });
    let (run, result, _) = rig.upload(4);
    assert_failed_and_aborted(&rig, &run, &result, "store.server_error");
    assert_eq!(rig.count(PART_1), 1, "{:#?}", rig.proxy.request_lines());
    assert_eq!(rig.count(PART_2), 3, "{:#?}", rig.proxy.request_lines());
}

/// Ctrl-C while part 2 is on its way (the proxy holds it): `hoist` drops the upload, which
/// aborts it on the server before the process exits with 130; the job stays in the history
/// for `hoist queue resume`.
#[test]
#[cfg(unix)]
fn ctrl_c_midway_aborts_the_upload_before_exiting() {
    use hoist_e2e::Launch;
    use std::io::Read;
    use std::process::Stdio;
    use std::time::Instant;

    let rig = Rig::new(Fault::Matching {
        needle: PART_2,
        skip: 0,
        times: usize::MAX,
        then: Box::new(Fault::StallMidBody {
            body_bytes: 1024 * 1024,
        }),
    });
    let data = pseudo_random(SIZE, 5);
    let f = rig.w.input("archive.bin", &data);
    let mut cmd = rig.w.hoist();
    cmd.args(["upload", "--json", "--no-copy", f.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn_now().expect("spawn hoist");
    let mut err = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    // Until part 2 has reached the proxy (bounded: a stuck run fails, nothing is timed).
    while rig.count(PART_2) == 0 {
        if started.elapsed() > LIMIT || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            panic!("part 2 was never sent: {:#?}", rig.proxy.request_lines());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("hoist did not exit after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = stderr.join().unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("hoist: interrupted"), "{stderr}");
    assert_eq!(rig.count(ABORT), 1, "{:#?}", rig.proxy.request_lines());
    assert_eq!(completions(&rig), 0, "{:#?}", rig.proxy.request_lines());
    rig.assert_nothing_left_open();
    let rows = rig.history();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "uploading", "{rows:?}");
    assert_eq!(std::fs::read(&f).unwrap(), data);
}
