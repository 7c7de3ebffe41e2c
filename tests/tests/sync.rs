//! Sync through the bucket, end to end: devices are separate config and data folders running
//! the real `hoist` against one S3 server on 127.0.0.1 (through a fault proxy, to take it
//! away for a while; the demo server, and moto). Their histories and profiles must converge row for row, a third device
//! must join from a snapshot, a wrong passphrase must change nothing, and the bucket must hold
//! no plain file name, link or access key id.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use hoist_core::config::{Config, Profile};
use hoist_core::link::LinkFormat;
use hoist_e2e::proxy::{Fault, FaultProxy};
use hoist_e2e::{ACCESS_KEY, Launch, Run, World, keychain_secret, real_keychain_or_skip};
use hoist_imaging::fixtures;
use serde_json::Value;

const PASS: &str = "correct horse battery staple";

/// One device: its own config and data folder, the same bucket.
struct Device {
    dir: PathBuf,
}

impl Device {
    fn new(w: &World, name: &str, endpoint: &str, extra_profiles: &str) -> Device {
        let dir = w.dir.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = format!(
            "schema = 1\ndefault_profile = \"local\"\n\n{}{extra_profiles}",
            w.profile_toml(
                "local",
                endpoint,
                "timeout_secs = 5\nconnect_timeout_secs = 2\nkey_template = \"s/{fileName}.{extName}\"\nprocessing = { format = \"keep\" }\nlink_format = \"url\""
            )
        );
        std::fs::write(dir.join("config.toml"), cfg).unwrap();
        Device { dir }
    }

    fn cmd(&self, w: &World, pass: &str) -> Command {
        let mut c = w.hoist();
        c.env("HOIST_CONFIG_DIR", &self.dir)
            .env("HOIST_SYNC_PASSPHRASE", pass);
        c
    }

    fn run(&self, w: &World, args: &[&str]) -> Run {
        Run::from(self.cmd(w, PASS).args(args).output_now().unwrap())
    }

    fn upload(&self, w: &World, name: &str, seed: u32) {
        let file = w.input(name, &fixtures::screenshot_png(40 + seed, 30));
        self.run(w, &["upload", "--no-copy", file.to_str().unwrap()])
            .expect_code(0);
    }

    fn sync(&self, w: &World) -> Value {
        let run = self.run(w, &["sync", "now", "--json"]);
        run.expect_code(0);
        serde_json::from_str(run.lines().last().unwrap()).unwrap()
    }

    /// The finished uploads as every device must see them.
    fn history(&self, w: &World) -> BTreeSet<(String, String, String, String, i64)> {
        let run = self.run(w, &["history", "list", "-n", "1000", "--json"]);
        run.expect_code(0);
        let rows: Vec<Value> = run
            .lines()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        rows.iter()
            .filter(|r| r["status"] == "done")
            .map(|r| {
                (
                    r["profile"].as_str().unwrap().to_owned(),
                    r["key"].as_str().unwrap().to_owned(),
                    r["url"].as_str().unwrap().to_owned(),
                    r["source_name"].as_str().unwrap().to_owned(),
                    r["created_at_ms"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    fn profiles(&self) -> BTreeMap<String, Profile> {
        Config::load(&self.dir.join("config.toml"))
            .unwrap()
            .profiles
    }
}

fn keys_of(h: &BTreeSet<(String, String, String, String, i64)>) -> Vec<String> {
    h.iter().map(|r| r.1.clone()).collect()
}

#[test]
fn devices_converge_through_the_bucket_and_a_third_joins_from_a_snapshot() {
    converge(World::new());
}

/// The same on another server's reading of listing, conditional writes and deletes.
#[test]
fn devices_converge_through_a_moto_bucket() {
    if let Some(w) = World::on_moto("") {
        converge(w);
    }
}

fn converge(w: World) {
    let proxy = FaultProxy::start(w.server.s3_endpoint().as_str());
    let endpoint = proxy.url();
    let extra = w.profile_toml(
        "blog",
        &endpoint,
        "key_template = \"blog/{fileName}.{extName}\"",
    );
    let a = Device::new(&w, "a", &endpoint, &format!("\n{extra}"));
    let b = Device::new(&w, "b", &endpoint, "");

    // Each device works alone first; both uploaded the same screenshot (one object).
    a.upload(&w, "one.png", 1);
    a.upload(&w, "two.png", 2);
    a.upload(&w, "same.png", 9);
    b.upload(&w, "three.png", 3);
    b.upload(&w, "same.png", 9);

    let first = a.run(&w, &["sync", "enable", "--name", "laptop"]);
    first.expect_code(0);
    assert!(first.stderr.contains("sync is on"), "{}", first.stderr);
    b.run(&w, &["sync", "enable", "--name", "desktop"])
        .expect_code(0);
    let got = a.sync(&w);
    assert_eq!(got["received"], 3, "b's two uploads and its profile: {got}");
    let (ha, hb) = (a.history(&w), b.history(&w));
    assert_eq!(ha, hb, "one history, row for row");
    assert_eq!(
        keys_of(&ha),
        ["s/one.png", "s/same.png", "s/three.png", "s/two.png"],
        "the same upload on two devices is one row"
    );
    assert_eq!(a.profiles(), b.profiles(), "the blog profile reached b");

    // Changes on both sides at once, one of them made while the bucket is unreachable.
    a.run(&w, &["rm", "s/one.png"]).expect_code(0);
    a.upload(&w, "four.png", 4);
    b.run(&w, &["profile", "edit", "blog", "--link-format", "html"])
        .expect_code(0);
    proxy.set(Fault::internal_error());
    let offline = b.run(&w, &["sync", "now"]);
    assert_ne!(offline.code, 0, "a sync without the bucket fails");
    let status = b.run(&w, &["sync", "status"]);
    assert!(
        status.stdout.contains("last attempt failed"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("waiting to be sent: 1"),
        "{}",
        status.stdout
    );
    proxy.set(Fault::Pass);
    a.sync(&w);
    b.sync(&w);
    a.sync(&w);
    let (ha, hb) = (a.history(&w), b.history(&w));
    assert_eq!(ha, hb);
    assert_eq!(
        keys_of(&ha),
        ["s/four.png", "s/same.png", "s/three.png", "s/two.png"]
    );
    assert_eq!(a.profiles(), b.profiles());
    assert_eq!(
        a.profiles()["blog"].link_format,
        LinkFormat::Html,
        "b's offline edit arrived"
    );

    // Both devices upload and sync at the same moment, twice: no batch of either is lost.
    for round in 0..2u32 {
        a.upload(&w, &format!("a-{round}.png"), 10 + round);
        b.upload(&w, &format!("b-{round}.png"), 20 + round);
        let both: Vec<_> = [&a, &b]
            .iter()
            .map(|d| {
                d.cmd(&w, PASS)
                    .args(["sync", "now"])
                    .stdout(Stdio::null())
                    .spawn_now()
                    .unwrap()
            })
            .collect();
        for mut child in both {
            assert!(child.wait().unwrap().success());
        }
    }
    a.sync(&w);
    b.sync(&w);
    let (ha, hb) = (a.history(&w), b.history(&w));
    assert_eq!(ha, hb, "synced at the same moment");
    for name in ["s/a-0.png", "s/a-1.png", "s/b-0.png", "s/b-1.png"] {
        assert!(
            keys_of(&ha).iter().any(|k| k == name),
            "{name} lost: {ha:?}"
        );
    }

    // A third device joins once the first has forgotten the second (a snapshot keeps what the
    // second wrote): a handful of requests, the same history.
    let forget_b = {
        let st: Value =
            serde_json::from_str(b.run(&w, &["sync", "status", "--json"]).lines()[0]).unwrap();
        st["device"].as_str().unwrap().to_owned()
    };
    a.run(&w, &["sync", "forget-device", &forget_b])
        .expect_code(0);
    let keys: Vec<String> = w
        .object_keys()
        .iter()
        .map(|k| k.replace('\\', "/"))
        .collect();
    assert!(
        !keys.iter().any(|k| k.contains(&forget_b)),
        "b's batches are gone: {keys:?}"
    );
    assert!(
        keys.iter().any(|k| k.starts_with(".hoist/sync/snap/")),
        "{keys:?}"
    );
    let c = Device::new(&w, "c", &endpoint, "");
    let joined = c.run(&w, &["sync", "enable", "--name", "new laptop"]);
    joined.expect_code(0);
    assert_eq!(c.history(&w), ha, "{}", joined.stderr);
    assert_eq!(c.profiles(), a.profiles());
    let report = c.sync(&w);
    assert_eq!(report["received"], 0, "{report}");
    assert!(report["requests"].as_u64().unwrap() <= 6, "{report}");

    // A wrong passphrase: a clear error, and nothing written here or there.
    let d = Device::new(&w, "d", &endpoint, "");
    let before = w.object_keys().len();
    let wrong = Run::from(
        d.cmd(&w, "not the passphrase")
            .args(["sync", "enable"])
            .output_now()
            .unwrap(),
    );
    assert_eq!(wrong.code, 2);
    assert!(wrong.stderr.contains("not the one"), "{}", wrong.stderr);
    assert!(!d.dir.join("sync.json").exists());
    assert_eq!(w.object_keys().len(), before);

    // The bucket holds only ciphertext under .hoist/sync/: no file name, link or key id.
    let mut sealed = 0;
    for key in w.object_keys() {
        let key = key.replace('\\', "/");
        if !key.starts_with(".hoist/sync/") || key.ends_with("/key") {
            continue;
        }
        sealed += 1;
        let bytes = w.object(&key).unwrap();
        for plain in [
            "three.png",
            "same",
            "blog/",
            "127.0.0.1",
            ACCESS_KEY,
            "laptop",
        ] {
            assert!(
                !bytes.windows(plain.len()).any(|x| x == plain.as_bytes()),
                "{key} holds {plain:?} in the clear"
            );
        }
    }
    assert!(sealed >= 4, "{sealed} sealed objects");
    // And the browser does not offer them as images.
    let ls = a.run(&w, &["ls", "-r"]);
    assert!(!ls.stdout.contains(".hoist"), "{}", ls.stdout);
    let link = a.run(&w, &["link", ".hoist/sync/key"]);
    assert_ne!(link.code, 0);
}

/// The passphrase given once goes to the real keychain (never to a file), later syncs read it
/// from there, and turning sync off removes it.
#[test]
fn the_passphrase_lives_in_the_keychain_until_sync_is_turned_off() {
    if !real_keychain_or_skip() {
        return;
    }
    let w = World::new();
    let a = Device::new(&w, "a", w.server.s3_endpoint().as_str(), "");
    a.upload(&w, "one.png", 1);
    let mut enable = a.cmd(&w, "");
    enable
        .env_remove("HOIST_SYNC_PASSPHRASE")
        .args(["sync", "enable", "--passphrase-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = enable.spawn_now().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASS}\n").as_bytes())
        .unwrap();
    Run::from(child.wait_with_output().unwrap()).expect_code(0);
    let st: Value =
        serde_json::from_str(a.run(&w, &["sync", "status", "--json"]).lines()[0]).unwrap();
    let entry = format!(".sync.{}", st["device"].as_str().unwrap());
    assert_eq!(keychain_secret(&entry).as_deref(), Some(PASS));
    for f in hoist_e2e::walk(&a.dir) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(PASS.len()).any(|x| x == PASS.as_bytes()),
            "{} holds the passphrase",
            f.display()
        );
    }
    let now = Run::from(
        a.cmd(&w, "")
            .env_remove("HOIST_SYNC_PASSPHRASE")
            .args(["sync", "now"])
            .output_now()
            .unwrap(),
    );
    now.expect_code(0);
    a.run(&w, &["sync", "disable"]).expect_code(0);
    assert_eq!(keychain_secret(&entry), None);
    assert!(a.run(&w, &["sync", "status"]).stdout.contains("sync: off"));
}
