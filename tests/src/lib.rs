//! Shared harness of the end-to-end tests: a real S3-compatible demo server on 127.0.0.1 with
//! SigV4 checking (or, for the suites that run on two servers, moto), a throwaway config dir
//! with a profile pointing at it, and the real `hoist` binary run as a child process, exactly as
//! Typora or a shell would run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use hoist_demo::{BlockingDemo, DemoConfig, DemoServer};

mod launch;
pub mod moto;
pub mod picgo;
pub mod proxy;
pub mod wayland;
pub mod webdriver;
#[cfg(all(unix, not(target_os = "macos")))]
pub mod xvfb;

pub use launch::Launch;

pub const ACCESS_KEY: &str = "e2e-access-key";
pub const SECRET: &str = "e2e-secret-Zq9v2Lm4";
/// The environment variable the test profile names in `secret_env`.
pub const SECRET_ENV: &str = "HOIST_E2E_SECRET";

/// The `hoist` binary, (re)built once per test process: cargo only builds binaries of the
/// package under test, and this is another package, so without this a `cargo test -p
/// hoist-e2e` would silently run a stale binary. When it is up to date this costs a fraction of
/// a second.
pub fn hoist_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| built_bin("hoist-cli", "hoist"))
}

/// `target/<profile>/<bin>` of workspace package `package`, built first unless the caller
/// already built the whole workspace: scripts/test.sh sets `HOIST_E2E_PREBUILT=1` after
/// `cargo build --workspace --all-targets`. (Building one package alone would resolve
/// dependency features differently from the workspace build and recompile much of it.)
pub fn built_bin(package: &str, bin: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test exe path");
    // target/<profile>/deps/test-xxxx → target/<profile>/<bin>
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let path = dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
    if !required("HOIST_E2E_PREBUILT") {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", package, "--bin", bin])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p {package} failed");
    }
    path
}

/// The S3 server a [`World`] runs against.
pub enum Server {
    /// Hoist's demo server (s3s-fs): checks signatures, keeps objects as plain files.
    Demo(BlockingDemo),
    /// moto: another implementation, in memory, checking no signatures.
    Moto(moto::Moto),
}

impl Server {
    pub fn s3_endpoint(&self) -> String {
        match self {
            Server::Demo(d) => d.s3_endpoint(),
            Server::Moto(m) => m.s3_endpoint(),
        }
    }

    /// Where the bucket's objects are read anonymously (the profile's public base).
    pub fn public_base(&self) -> String {
        match self {
            Server::Demo(d) => d.public_base(),
            Server::Moto(m) => m.public_base(),
        }
    }

    pub fn bucket(&self) -> &str {
        match self {
            Server::Demo(d) => d.bucket(),
            Server::Moto(m) => m.bucket(),
        }
    }

    /// Whether requests with a wrong or no signature, or an expired presigned one, are refused.
    pub fn checks_signatures(&self) -> bool {
        matches!(self, Server::Demo(_))
    }

    fn demo(&self) -> &BlockingDemo {
        match self {
            Server::Demo(d) => d,
            Server::Moto(_) => panic!("moto keeps its objects in memory, not in files"),
        }
    }

    /// The demo server's data folder (not for moto).
    pub fn data_dir(&self) -> &Path {
        self.demo().data_dir()
    }

    /// The file holding `key` on the demo server (not for moto).
    pub fn object_file(&self, key: &str) -> PathBuf {
        self.demo().object_file(key)
    }

    /// The demo server's self-signed certificate when it speaks HTTPS.
    pub fn certificate_der(&self) -> Option<&[u8]> {
        match self {
            Server::Demo(d) => d.certificate_der(),
            Server::Moto(_) => None,
        }
    }

    pub fn unfinished_multipart_uploads(&self) -> Vec<String> {
        match self {
            Server::Demo(d) => d.unfinished_multipart_uploads(),
            Server::Moto(m) => m.unfinished_multipart_uploads(),
        }
    }
}

/// A running S3 server plus a config dir whose default profile `local` points at it.
pub struct World {
    pub server: Server,
    pub dir: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        Self::with_profile_extra("")
    }

    /// `extra` is TOML appended to the `[profiles.local]` table (e.g. `link_format = "url"`).
    pub fn with_profile_extra(extra: &str) -> World {
        Self::build(extra, false)
    }

    /// A world whose S3 server ignores `If-None-Match` (like many providers) when `ignoring`.
    pub fn build(extra: &str, ignore_conditional_writes: bool) -> World {
        Self::start(extra, ignore_conditional_writes, false)
    }

    /// A world whose demo server (S3 endpoint and public links) speaks HTTPS with a
    /// self-signed certificate, like a self-hosted MinIO with its own certificate.
    pub fn with_tls(extra: &str) -> World {
        Self::start(extra, false, true)
    }

    fn start(extra: &str, ignore_conditional_writes: bool, tls: bool) -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        let demo = DemoServer::start_blocking(DemoConfig {
            data_dir: dir.path().join("s3"),
            bucket: "e2e".into(),
            access_key: ACCESS_KEY.into(),
            secret_key: SECRET.into(),
            s3_port: 0,
            public_port: 0,
            ignore_conditional_writes,
            tls,
        })
        .expect("start demo S3 server");
        let w = World {
            server: Server::Demo(demo),
            dir,
        };
        w.write_config(extra);
        w
    }

    /// A world on moto instead of the demo server (`extra` as in [`World::with_profile_extra`]);
    /// `None` when moto is not installed and the run does not require it.
    pub fn on_moto(extra: &str) -> Option<World> {
        let moto = moto::Moto::start_or_skip("e2e")?;
        let w = World {
            server: Server::Moto(moto),
            dir: tempfile::tempdir().expect("tempdir"),
        };
        w.write_config(extra);
        Some(w)
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    pub fn write_config(&self, extra: &str) {
        let cfg = format!(
            "schema = 1\ndefault_profile = \"local\"\n\n{}",
            self.profile_toml(
                "local",
                self.server.s3_endpoint().as_str(),
                &format!("timeout_secs = 5\nconnect_timeout_secs = 2\n{extra}")
            )
        );
        std::fs::create_dir_all(self.config_dir()).unwrap();
        std::fs::write(self.config_dir().join("config.toml"), cfg).unwrap();
    }

    /// A `[profiles.NAME]` table for this world's bucket and credentials, talking to
    /// `endpoint` (the demo server's, or a proxy or a dead port in front of it), followed by
    /// `extra` TOML lines.
    pub fn profile_toml(&self, name: &str, endpoint: &str, extra: &str) -> String {
        format!(
            r#"[profiles.{name}]
provider = "minio"
endpoint = "{endpoint}"
bucket = "{bucket}"
access_key_id = "{ACCESS_KEY}"
secret_env = "{SECRET_ENV}"
public_base_url = "{public}"
{extra}
"#,
            bucket = self.server.bucket(),
            public = self.server.public_base(),
        )
    }

    /// A `hoist` command with this world's config dir and the secret in the environment;
    /// no display, so clipboard use is skipped unless a test puts DISPLAY back.
    pub fn hoist(&self) -> Command {
        self.hoist_at(hoist_bin())
    }

    /// [`World::hoist`] with another build of `hoist` (a release build, for figures).
    pub fn hoist_at(&self, bin: &Path) -> Command {
        let mut c = Command::new(bin);
        c.env("HOIST_CONFIG_DIR", self.config_dir())
            .env(SECRET_ENV, SECRET)
            .env_remove("HOIST_DATA_DIR")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
        c
    }

    /// Runs `hoist ARGS` and returns its output.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.hoist().args(args).output_now().expect("run hoist"))
    }

    /// Writes a file into this world's input folder and returns its path.
    pub fn input(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let dir = self.dir.path().join("inputs");
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// The object's bytes as stored by the S3 server (the demo's files are plain files; moto's
    /// are read anonymously).
    pub fn object(&self, key: &str) -> Option<Vec<u8>> {
        match &self.server {
            Server::Demo(d) => std::fs::read(d.object_file(key)).ok(),
            Server::Moto(m) => m.object(key),
        }
    }

    /// Puts an object straight into the S3 server, as another tool would have uploaded it (the
    /// demo server serves and lists plain files).
    pub fn seed(&self, key: &str, body: &[u8]) {
        let d = match &self.server {
            Server::Demo(d) => d,
            Server::Moto(m) => return m.seed(key, body),
        };
        let path = d.object_file(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }

    /// The keys of every object in the bucket (the demo server's own `.s3s` metadata left out),
    /// in no particular order; on Windows with `\\` between folders.
    pub fn object_keys(&self) -> Vec<String> {
        let d = match &self.server {
            Server::Demo(d) => d,
            Server::Moto(m) => return m.object_keys(),
        };
        let root = d.data_dir().join(d.bucket());
        walk(&root)
            .iter()
            .filter(|p| !p.to_string_lossy().contains(".s3s"))
            .filter_map(|p| p.strip_prefix(&root).ok())
            .map(|p| p.display().to_string())
            .collect()
    }

    /// The object key behind a public link of this world.
    pub fn key_of(&self, url: &str) -> String {
        let rest = url
            .strip_prefix(&format!("{}/", self.server.public_base()))
            .unwrap_or_else(|| panic!("{url} is not under {}", self.server.public_base()));
        rest.split('/')
            .map(percent_decode)
            .collect::<Vec<_>>()
            .join("/")
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// `%XX` escapes turned back into bytes (UTF-8 expected).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 3 <= b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8 key")
}

/// A finished `hoist` run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().filter(|l| !l.is_empty()).collect()
    }

    /// stdout as one JSON value per line (`--json` output).
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.lines()
            .into_iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// Panics with both streams when the run did not exit with `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Whether this platform's file systems allow `name` as a file name: on Windows not with
/// `<>:"/\|?*` or control characters, a trailing dot or space, or a device name (CON, NUL,
/// COM1…); elsewhere anything but `/` and NUL. Tests of awkward names use the ones the platform
/// can hold and test the others as what they are there.
pub fn legal_file_name(name: &str) -> bool {
    if cfg!(windows) {
        !hoist_core::fsio::is_windows_device_name(name)
            && !name.ends_with(['.', ' '])
            && !name.chars().any(|c| c < ' ' || "<>:\"/\\|?*".contains(c))
    } else {
        !name.contains(['/', '\0'])
    }
}

/// The secret the OS keychain holds for profile `name`, read by another program than Hoist:
/// `secret-tool` (libsecret) from the Secret Service on Linux; on Windows Credential Manager's
/// generic credential `<name>.hoist` through keyring-core's Windows store (Wine implements
/// `CredReadW`). `None` when there is none.
pub fn keychain_secret(name: &str) -> Option<String> {
    #[cfg(windows)]
    {
        let store = windows_native_keyring_store::Store::new().expect("Credential Manager");
        let entry = keyring_core::api::CredentialStoreApi::build(&*store, "hoist", name, None)
            .expect("credential entry");
        entry.get_password().ok()
    }
    #[cfg(not(windows))]
    {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", "hoist", "username", name])
            .output_now()
            .expect("run secret-tool");
        let v = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        (!v.is_empty()).then_some(v)
    }
}

/// GET `url` and return status, content type and body.
pub fn http_get(url: &str) -> (u16, String, Vec<u8>) {
    get_trusting(url, None)
}

/// [`http_get`] that also trusts `certificate` (DER), e.g. an HTTPS demo's self-signed one.
pub fn get_trusting(url: &str, certificate: Option<&[u8]>) -> (u16, String, Vec<u8>) {
    let mut builder = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10));
    if let Some(der) = certificate {
        let cert = reqwest::Certificate::from_der(der).expect("a DER certificate");
        builder = builder.tls_certs_only([cert]);
    }
    let client = builder.build().unwrap();
    let resp = client
        .get(url)
        .send()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, ct, resp.bytes().unwrap().to_vec())
}

/// Whether the test run was started with a requirement for a real desktop part (the README's
/// test command sets these inside Xvfb + D-Bus + gnome-keyring). Without it, such tests say
/// they are skipped; with it, a missing part is a failure, never a silent pass.
pub fn required(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| v == "1")
}

/// Every file below `dir` (recursively); missing or unreadable folders give nothing.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Whether a Secret Service answers on this session bus (`secret-tool` is a second, independent
/// client of it).
pub fn keychain_available() -> bool {
    // Credential Manager is always there on Windows (and in Wine).
    if cfg!(windows) {
        return true;
    }
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        && Command::new("secret-tool")
            .args(["search", "service", "hoist-probe"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success() || s.code() == Some(1))
}

/// For tests of the real keychain: true when a Secret Service answers. Otherwise the test is
/// skipped with a message, unless the run requires the keychain (`HOIST_REQUIRE_KEYCHAIN=1`,
/// set by scripts/test.sh), where its absence fails the test.
pub fn real_keychain_or_skip() -> bool {
    if keychain_available() {
        return true;
    }
    assert!(
        !required("HOIST_REQUIRE_KEYCHAIN"),
        "Secret Service required but unreachable"
    );
    eprintln!("skipped: no Secret Service on this bus (run through scripts/test.sh)");
    false
}

/// Words a user must never see in Hoist's output: panics, backtraces, Rust debug formatting.
pub const NOT_FOR_USERS: [&str; 9] = [
    "panicked",
    "hoist: internal error",
    "RUST_BACKTRACE",
    "stack backtrace",
    "Error {",
    "Os {",
    "kind: ",
    "(os error",
    "Custom {",
];
