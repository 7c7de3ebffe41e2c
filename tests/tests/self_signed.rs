//! Self-hosted servers with their own certificate, end to end: the demo server speaks HTTPS
//! with a self-signed certificate (as a MinIO on a NAS does), and the real `hoist` binary
//! uploads to it with `allow_invalid_certs = true`, refuses it without, and an imported PicGo
//! config with `rejectUnauthorized: false` works on first use.

use hoist_e2e::{Launch, Run, SECRET, SECRET_ENV, World, get_trusting};
use hoist_imaging::fixtures;
use serde_json::json;

const WARNING: &str =
    "hoist: warning: profile \"local\": TLS certificates are not checked (allow_invalid_certs)";
/// A session bus that does not exist: the keychain is unreachable, as on a headless machine.
const NO_BUS: &str = "unix:path=/nonexistent/hoist-e2e-bus";

/// Lines of stderr equal to `line`.
fn count(run: &Run, line: &str) -> usize {
    run.stderr.lines().filter(|l| *l == line).count()
}

/// The uploaded link of a successful run, and the object behind it read back over HTTPS
/// (trusting the demo's certificate) and from the server's files.
fn read_back(w: &World, up: &Run) -> (String, Vec<u8>) {
    let url = up.lines().last().copied().unwrap_or_default().to_owned();
    assert!(
        url.starts_with(&format!("{}/", w.server.public_base())),
        "{url}"
    );
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let (status, _, body) = get_trusting(&url, w.server.certificate_der());
    assert_eq!(status, 200, "{url}");
    assert_eq!(Some(&body), w.object(&w.key_of(&url)).as_ref(), "{url}");
    (url, body)
}

#[test]
fn upload_over_https_works_with_allow_invalid_certs_and_warns_once() {
    let w = World::with_tls("allow_invalid_certs = true\nlink_format = \"url\"");
    assert!(w.server.s3_endpoint().starts_with("https://"));
    let a = w.input("a.png", &fixtures::screenshot_png(64, 48));
    let b = w.input("b.png", &fixtures::screenshot_png(80, 40));
    let up = w.run(&[
        "upload",
        "--no-copy",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    up.expect_code(0);
    assert_eq!(up.lines().len(), 2, "{}", up.stdout);
    // One warning for the run, however many files it uploads; shown even with --quiet.
    assert_eq!(count(&up, WARNING), 1, "{}", up.stderr);
    let (_, body) = read_back(&w, &up);
    assert!(!body.is_empty());

    let quiet = w.run(&["--quiet", "upload", "--no-copy", a.to_str().unwrap()]);
    quiet.expect_code(0);
    assert_eq!(count(&quiet, WARNING), 1, "{}", quiet.stderr);

    // "Test connection" uses the option for the public link too (the same host and
    // certificate), and says so.
    let test = w.run(&["profile", "test"]);
    test.expect_code(0);
    assert!(test.stdout.contains("All good"), "{}", test.stdout);
    assert_eq!(count(&test, WARNING), 1, "{}", test.stderr);
    let show = w.run(&["profile", "show"]);
    show.expect_code(0);
    assert!(
        show.stdout.contains(
            "# warning: profile \"local\": TLS certificates are not checked (allow_invalid_certs)"
        ),
        "{}",
        show.stdout
    );
}

#[test]
fn without_the_option_the_upload_fails_with_one_clear_line() {
    let w = World::with_tls("link_format = \"url\"");
    let f = w.input("a.png", &fixtures::screenshot_png(64, 48));
    let up = w.run(&["upload", "--no-copy", f.to_str().unwrap()]);
    up.expect_code(1);
    assert!(up.stdout.trim().is_empty(), "{}", up.stdout);
    let errors: Vec<&str> = up
        .stderr
        .lines()
        .filter(|l| l.contains("not trusted"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", up.stderr);
    let expected = format!(
        "the TLS certificate of {} is not trusted (self-signed or from an unknown authority); \
         if this is your own server, set allow_invalid_certs = true in the profile",
        w.server.s3_endpoint()
    );
    assert!(
        errors[0].starts_with("hoist: a.png: ") && errors[0].ends_with(&expected),
        "{}",
        up.stderr
    );
    assert_eq!(count(&up, WARNING), 0, "{}", up.stderr);
    assert!(!up.stderr.contains(SECRET));
    for word in hoist_e2e::NOT_FOR_USERS {
        assert!(!up.stderr.contains(word), "{word} in {}", up.stderr);
    }
    // Nothing reached the bucket.
    assert!(hoist_e2e::walk(&w.server.data_dir().join(w.server.bucket())).is_empty());

    // The fix the message names works, and `history retry` then sends the kept upload.
    let cfg = w.config_dir().join("config.toml");
    let toml = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{toml}allow_invalid_certs = true\n")).unwrap();
    let retry = w.run(&["history", "retry", "--all-failed", "--no-copy"]);
    retry.expect_code(0);
    read_back(&w, &retry);
}

#[test]
fn imported_picgo_config_with_reject_unauthorized_false_uploads_on_first_use() {
    let w = World::with_tls("");
    let dir = w.dir.path().join("picgo");
    std::fs::create_dir_all(&dir).unwrap();
    let nas = json!({
        "_id": "5a1b-nas", "_configName": "NAS",
        "accessKeyID": hoist_e2e::ACCESS_KEY, "secretAccessKey": SECRET,
        "bucketName": w.server.bucket(), "uploadPath": "{year}/{md5}.{extName}",
        "region": "us-east-1", "endpoint": w.server.s3_endpoint(), "proxy": "",
        "urlPrefix": w.server.public_base(), "pathStyleAccess": true,
        "disableBucketPrefixToURL": true, "rejectUnauthorized": false
    });
    let data = json!({
        "picBed": {"uploader": "aws-s3", "current": "aws-s3", "aws-s3": nas.clone()},
        "uploader": {"aws-s3": {"defaultId": "5a1b-nas", "configList": [nas]}},
        "settings": {"pasteStyle": "URL"}
    });
    std::fs::write(dir.join("data.json"), data.to_string()).unwrap();
    let import = Run::from(
        w.hoist()
            .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
            .args(["import", "picgo", dir.to_str().unwrap()])
            .output_now()
            .unwrap(),
    );
    import.expect_code(0);
    assert!(
        import.stdout.contains("1 profile added"),
        "{}",
        import.stdout
    );
    let show = w.run(&["profile", "show", "NAS"]);
    assert!(
        show.stdout.contains("allow_invalid_certs = true"),
        "{}",
        show.stdout
    );
    // Without a keychain, the documented fallback: name an environment variable.
    w.run(&["profile", "edit", "NAS", "--secret-env", SECRET_ENV])
        .expect_code(0);

    let f = w.input("from picgo.png", &fixtures::screenshot_png(64, 48));
    let up = w.run(&["upload", "--no-copy", "-p", "NAS", f.to_str().unwrap()]);
    up.expect_code(0);
    assert_eq!(
        count(
            &up,
            "hoist: warning: profile \"NAS\": TLS certificates are not checked \
             (allow_invalid_certs)"
        ),
        1,
        "{}",
        up.stderr
    );
    read_back(&w, &up);
}
