//! Secret audit: a representative session with debug logging on (`-vv`, and one run at
//! `HOIST_LOG=trace`) — profiles added with the secret in an environment variable and (with a
//! Secret Service) through `--secret-stdin` into the real keychain, uploads, a wrong-secret
//! failure and its retry, `profile show`, `profile test`, `history list --json`, `queue list`,
//! `config path` — then no output line of any of those commands, and no file under the config
//! dir, the data dir, the demo server's folders or the test's temp dir, contains the secret or
//! the wrong secret, raw or in the usual encodings (base64, hex, UTF-16).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use hoist_e2e::proxy::run_bounded;
use hoist_e2e::{ACCESS_KEY, Launch, Run, SECRET, World, keychain_available, required};
use hoist_imaging::fixtures;

const LIMIT: Duration = Duration::from_secs(120);
/// The variable the audited profile reads its secret from.
const AUDIT_ENV: &str = "HOIST_AUDIT_SECRET";
/// A wrong secret is a secret too: it may be someone's other key.
const WRONG: &str = "wrong-Audit-Secret-7Kp2";

/// The byte strings that must not appear anywhere.
fn needles() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for s in [SECRET, WRONG] {
        out.push((format!("{s} (raw)"), s.as_bytes().to_vec()));
        for (i, n) in base64_needles(s.as_bytes()).into_iter().enumerate() {
            out.push((format!("{s} (base64, offset {i})"), n.into_bytes()));
        }
        out.push((
            format!("{s} (hex)"),
            s.bytes()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into_bytes(),
        ));
        out.push((
            format!("{s} (UTF-16LE)"),
            s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        ));
    }
    out
}

/// Plain base64 of `b` (with padding).
fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// What `secret` looks like inside any longer base64 text, for each of the three alignments
/// it can have there: the characters that depend on the secret's bytes only.
fn base64_needles(secret: &[u8]) -> Vec<String> {
    (0..3)
        .map(|k| {
            let mut padded = vec![0u8; k];
            padded.extend_from_slice(secret);
            let full = padded.len() / 3 * 4;
            let skip = if k == 0 { 0 } else { 4 };
            base64(&padded)[skip..full].to_owned()
        })
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => walk(&p, out),
                Ok(t) if t.is_file() => out.push(p),
                _ => {}
            }
        }
    }
}

/// Every command of the session, with its output, for the audit at the end.
struct Session<'a> {
    w: &'a World,
    data: PathBuf,
    runs: Vec<(String, Run)>,
}

impl Session<'_> {
    fn cmd(&self, secret: Option<&str>) -> Command {
        let mut c = self.w.hoist();
        c.env("HOIST_DATA_DIR", &self.data);
        match secret {
            Some(s) => c.env(AUDIT_ENV, s),
            None => c.env_remove(AUDIT_ENV),
        };
        c
    }

    fn run(&mut self, args: &[&str], secret: Option<&str>) -> &Run {
        self.run_with(args, secret, None, &[])
    }

    fn run_with(
        &mut self,
        args: &[&str],
        secret: Option<&str>,
        stdin: Option<&str>,
        env: &[(&str, &str)],
    ) -> &Run {
        let mut c = self.cmd(secret);
        c.arg("-vv").args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        let run = match stdin {
            None => run_bounded(&mut c, LIMIT),
            Some(input) => {
                let mut child = c
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn_now()
                    .unwrap();
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(input.as_bytes())
                    .unwrap();
                Run::from(child.wait_with_output().unwrap())
            }
        };
        self.runs.push((args.join(" "), run));
        &self.runs.last().unwrap().1
    }
}

/// Removes the keychain profile (and its secret) even when the test fails half-way.
struct KeychainProfile<'a> {
    w: &'a World,
    data: PathBuf,
    name: String,
}

impl Drop for KeychainProfile<'_> {
    fn drop(&mut self) {
        let _ = self
            .w
            .hoist()
            .env("HOIST_DATA_DIR", &self.data)
            .args(["profile", "remove", &self.name])
            .output_now();
    }
}

#[test]
fn no_secret_in_any_output_or_file() {
    let w = World::new();
    let data = w.dir.path().join("audit-data");
    let mut s = Session {
        w: &w,
        data: data.clone(),
        runs: Vec::new(),
    };
    let endpoint = w.server.s3_endpoint();
    let public = w.server.public_base();
    let profile_args = |name: &str| -> Vec<String> {
        [
            "profile",
            "add",
            name,
            "--provider",
            "minio",
            "--endpoint",
            &endpoint,
            "--bucket",
            w.server.bucket(),
            "--access-key-id",
            ACCESS_KEY,
            "--public-base-url",
            &public,
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .collect()
    };

    // A profile whose secret is in the environment.
    let mut add = profile_args("audit-env");
    add.extend(["--secret-env".into(), AUDIT_ENV.into()]);
    let add: Vec<&str> = add.iter().map(String::as_str).collect();
    s.run(&add, Some(SECRET)).expect_code(0);

    // A profile whose secret goes into the real keychain.
    let keychain = keychain_available();
    let kc_name = format!("audit-kc-{}", std::process::id());
    let _kc_guard = if keychain {
        // Created first, so the keychain entry goes even if adding fails half-way.
        let guard = KeychainProfile {
            w: &w,
            data: data.clone(),
            name: kc_name.clone(),
        };
        let mut add = profile_args(&kc_name);
        add.push("--secret-stdin".into());
        let add: Vec<&str> = add.iter().map(String::as_str).collect();
        s.run_with(&add, None, Some(&format!("{SECRET}\n")), &[])
            .expect_code(0);
        Some(guard)
    } else {
        assert!(
            !required("HOIST_REQUIRE_KEYCHAIN"),
            "Secret Service required but unreachable"
        );
        eprintln!(
            "keychain part skipped: no Secret Service on this bus (run through scripts/test.sh)"
        );
        None
    };

    // Uploads, one of them at trace level.
    let a = w.input("audit-a.png", &fixtures::screenshot_png(120, 80));
    let b = w.input("audit-b.jpg", &fixtures::photo_jpeg(64, 48, Some(6), true));
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    s.run(
        &["upload", "--profile", "audit-env", "--no-copy", "--json", a],
        Some(SECRET),
    )
    .expect_code(0);
    s.run_with(
        &["upload", "--profile", "audit-env", "--no-copy", b],
        Some(SECRET),
        None,
        &[("HOIST_LOG", "trace")],
    )
    .expect_code(0);
    if keychain {
        let c = w.input("audit-c.png", &fixtures::screenshot_png(90, 70));
        s.run(
            &[
                "upload",
                "--profile",
                &kc_name,
                "--no-copy",
                c.to_str().unwrap(),
            ],
            None,
        )
        .expect_code(0);
    }

    // A wrong secret: fails, kept in history, then retried with the right one.
    let d = w.input("audit-d.png", &fixtures::screenshot_png(100, 90));
    let failed = s.run(
        &[
            "upload",
            "--profile",
            "audit-env",
            "--no-copy",
            "--json",
            d.to_str().unwrap(),
        ],
        Some(WRONG),
    );
    failed.expect_code(1);
    assert!(failed.stderr.contains("secret"), "{}", failed.stderr);
    let id = serde_json::from_str::<serde_json::Value>(failed.lines()[0]).unwrap()["history_id"]
        .as_i64()
        .expect("failed job in history")
        .to_string();
    s.run(&["profile", "test", "audit-env"], Some(WRONG))
        .expect_code(1);
    s.run(&["history", "retry", &id, "--no-copy"], Some(SECRET))
        .expect_code(0);

    // Looking at things.
    s.run(&["profile", "show", "audit-env"], Some(SECRET))
        .expect_code(0);
    s.run(&["profile", "list"], Some(SECRET)).expect_code(0);
    s.run(&["profile", "test", "audit-env"], Some(SECRET))
        .expect_code(0);
    if keychain {
        s.run(&["profile", "show", &kc_name], None).expect_code(0);
        s.run(&["profile", "test", &kc_name], None).expect_code(0);
    }
    s.run(&["history", "list", "--json"], Some(SECRET))
        .expect_code(0);
    s.run(&["history", "list", "--failed"], Some(SECRET));
    s.run(&["queue", "list"], Some(SECRET)).expect_code(0);
    s.run(&["config", "path"], Some(SECRET)).expect_code(0);

    // The audit: every line of every command's output.
    let needles = needles();
    let mut lines = 0;
    for (cmd, run) in &s.runs {
        for line in run.stdout.lines().chain(run.stderr.lines()) {
            lines += 1;
            for (what, n) in &needles {
                assert!(
                    !contains(line.as_bytes(), n),
                    "{what} in the output of `hoist {cmd}`: {line}"
                );
            }
        }
    }
    assert!(
        s.runs.iter().any(|(_, r)| r.stderr.contains("DEBUG")),
        "-vv logged nothing at debug level: the audit would prove nothing"
    );

    // Every file of the config dir, the data dir, the demo server and this test's temp dir.
    let mut files = Vec::new();
    for dir in [
        w.config_dir(),
        data.clone(),
        w.server.data_dir().to_path_buf(),
        w.dir.path().to_path_buf(),
    ] {
        walk(&dir, &mut files);
    }
    files.sort();
    files.dedup();
    assert!(
        files.iter().any(|f| f.ends_with("history.sqlite")),
        "the history was not where the audit looks: {files:?}"
    );
    assert!(files.iter().any(|f| f.ends_with("config.toml")));
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_default();
        for (what, n) in &needles {
            assert!(!contains(&bytes, n), "{what} found in {}", f.display());
        }
    }
    eprintln!(
        "secret audit: {} commands, {lines} output lines, {} files checked{}",
        s.runs.len(),
        files.len(),
        if keychain { ", keychain included" } else { "" }
    );
}

#[test]
fn base64_needles_find_the_secret_at_every_alignment() {
    assert_eq!(base64(b"Man"), "TWFu");
    assert_eq!(base64(b"Ma"), "TWE=");
    for prefix in ["", "a", "ab", "abc", "abcd"] {
        let text = format!("{prefix}{SECRET}tail");
        let encoded = base64(text.as_bytes());
        assert!(
            base64_needles(SECRET.as_bytes())
                .iter()
                .any(|n| encoded.contains(n.as_str())),
            "{prefix:?}"
        );
    }
}
