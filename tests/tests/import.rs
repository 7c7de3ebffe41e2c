//! `hoist import picgo|piclist` end to end: realistic PicGo/PicList setups written from the
//! documented schemas (data.json, gzip picgo.db), imported by the real binary into a temp
//! config dir, then used for a real upload against the demo S3 server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hoist_e2e::{
    ACCESS_KEY, Launch, Run, SECRET, SECRET_ENV, World, http_get, real_keychain_or_skip,
};
use hoist_imaging::fixtures;
use serde_json::{Value, json};

const R2_SECRET: &str = "r2-secret-Vq83nKd0";
/// What PicList copies into gallery rows; must never reach Hoist's files.
const GALLERY_SECRET: &str = "gallery-row-secret-Pz71";
/// A session bus that does not exist: the keychain is unreachable, as on a headless machine.
const NO_BUS: &str = "unix:path=/nonexistent/hoist-e2e-bus";

/// A PicGo data.json with two S3 configs (picgo-plugin-s3's multi-config list, mirrored into
/// `picBed` the way PicGo does): one on the demo server, one on R2.
fn picgo_data_json(w: &World, demo_name: &str) -> Value {
    let demo = json!({
        "_id": "8b4d5f0e-demo", "_configName": demo_name,
        "_createdAt": 1_700_000_000_000_i64, "_updatedAt": 1_700_000_000_000_i64,
        "accessKeyID": ACCESS_KEY, "secretAccessKey": SECRET,
        "bucketName": w.server.bucket(), "uploadPath": "{year}/{month}/{md5}.{extName}",
        "region": "us-east-1", "endpoint": w.server.s3_endpoint(), "proxy": "",
        "urlPrefix": w.server.public_base(), "urlSuffix": "",
        "pathStyleAccess": true, "disableBucketPrefixToURL": true,
        "rejectUnauthorized": true, "acl": "public-read"
    });
    json!({
        "picBed": {
            "uploader": "aws-s3", "current": "aws-s3",
            "aws-s3": demo.clone(),
            "proxy": "", "transformer": "path"
        },
        "uploader": {
            "aws-s3": {
                "defaultId": "8b4d5f0e-demo",
                "configList": [
                    {
                        "_id": "1f2e3d4c-r2", "_configName": "R2 blog",
                        "accessKeyID": "r2-key-id", "secretAccessKey": R2_SECRET,
                        "bucketName": "blog", "uploadPath": "img/{year}/{md5}.{extName}",
                        "region": "", "endpoint": "https://0123abcd.r2.cloudflarestorage.com",
                        "urlPrefix": "https://img.blog.example/", "pathStyleAccess": false,
                        "rejectUnauthorized": true, "acl": "public-read"
                    },
                    demo
                ]
            }
        },
        "settings": {
            "pasteStyle": "markdown", "customLink": "", "encodeOutputURL": true,
            "autoCopyUrl": true, "server": {"port": 36677, "host": "127.0.0.1", "enable": true}
        },
        "picgoPlugins": {"picgo-plugin-s3": true}
    })
}

/// `n` gallery entries as PicGo's store writes them (id, createdAt, updatedAt added to each
/// upload result), some carrying the credentials PicList copies into rows.
fn gallery(w: &World, n: usize) -> Value {
    let items: Vec<Value> = (0..n)
        .map(|i| {
            let mut item = json!({
                "fileName": format!("shot {i}.png"), "extname": ".png",
                "imgUrl": format!("{}/2024/05/{i:04}.png", w.server.public_base()),
                "type": "aws-s3", "width": 640 + i, "height": 480,
                "id": format!("3b9f{i:04}-4c6e-4f5a-9d2b-7e1f0a8c{i:04}"),
                "createdAt": 1_714_000_000_000_i64 + i as i64 * 1000,
                "updatedAt": 1_714_000_000_000_i64 + i as i64 * 1000
            });
            if i % 10 == 0 {
                item["config"] =
                    json!({"accessKeyID": "AKLEAK", "secretAccessKey": GALLERY_SECRET});
                item["secretAccessKey"] = json!(GALLERY_SECRET);
            }
            item
        })
        .collect();
    json!({"gallery": items})
}

/// Writes `data.json` and a gzip-compressed `picgo.db` into a fresh folder of the world.
fn write_setup(w: &World, folder: &str, data: &Value, db_name: &str, db: &Value) -> PathBuf {
    let dir = folder
        .split('/')
        .fold(w.dir.path().to_path_buf(), |d, c| d.join(c));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("data.json"),
        serde_json::to_vec_pretty(data).unwrap(),
    )
    .unwrap();
    let plain = dir.join(format!("{db_name}.json"));
    std::fs::write(&plain, db.to_string()).unwrap();
    // A gzip member, what PicGo's zlib.gzip writes.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &std::fs::read(&plain).unwrap()).unwrap();
    std::fs::write(dir.join(db_name), gz.finish().unwrap()).unwrap();
    std::fs::remove_file(plain).unwrap();
    dir
}

fn import(w: &World, args: &[&str]) -> Run {
    let out = w
        .hoist()
        .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
        .args(["import"])
        .args(args)
        .output_now()
        .expect("run hoist import");
    Run::from(out)
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(snapshot(&p));
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn assert_no_secret_in(dir: &Path) {
    for (path, bytes) in snapshot(dir) {
        for secret in [SECRET, R2_SECRET, GALLERY_SECRET, "AKLEAK"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} found in {}",
                path.display()
            );
        }
    }
}

fn history_json(w: &World) -> Vec<Value> {
    let run = w.run(&["history", "list", "--json", "-n", "2000"]);
    run.expect_code(0);
    run.lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `hoist import picgo` without a path finds the setup where PicGo keeps it on this platform:
/// `%APPDATA%\\picgo` on Windows, `~/Library/Application Support/picgo` on macOS,
/// `~/.config/picgo` elsewhere.
#[test]
fn picgo_setup_is_found_where_picgo_keeps_it() {
    let w = World::new();
    let app_root = if cfg!(windows) {
        "home/AppData/Roaming"
    } else if cfg!(target_os = "macos") {
        "home/Library/Application Support"
    } else {
        "home/.config"
    };
    let setup = write_setup(
        &w,
        &format!("{app_root}/picgo"),
        &picgo_data_json(&w, "Found demo"),
        "picgo.db",
        &gallery(&w, 3),
    );
    let home = w.dir.path().join("home");
    let out = w
        .hoist()
        .env("DBUS_SESSION_BUS_ADDRESS", NO_BUS)
        .env("HOME", &home)
        .env("USERPROFILE", &home)
        .env("APPDATA", home.join("AppData").join("Roaming"))
        .env_remove("XDG_CONFIG_HOME")
        .args(["import", "picgo", "--dry-run"])
        .output_now()
        .unwrap();
    let run = Run::from(out);
    run.expect_code(0);
    let data_json = setup.join("data.json");
    assert!(
        run.stdout
            .contains(&format!("PicGo config: {}", data_json.display())),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Found-demo"), "{}", run.stdout);
    assert!(run.stdout.contains("3 links to add"), "{}", run.stdout);
}

#[test]
fn picgo_setup_becomes_two_profiles_and_1000_history_rows_idempotently() {
    let w = World::new();
    let setup = write_setup(
        &w,
        "picgo",
        &picgo_data_json(&w, "MinIO demo"),
        "picgo.db",
        &gallery(&w, 1000),
    );
    let setup_arg = setup.to_str().unwrap();
    let config_dir = w.config_dir();

    // A dry run reports everything and writes nothing: no config change, no history file.
    let before = snapshot(&config_dir);
    let dry = import(&w, &["picgo", setup_arg, "--dry-run"]);
    dry.expect_code(0);
    assert!(dry.stdout.contains("Dry run"), "{}", dry.stdout);
    assert!(
        dry.stdout.contains("would add") && dry.stdout.contains("1000 links to add"),
        "{}",
        dry.stdout
    );
    assert_eq!(snapshot(&config_dir), before, "the dry run wrote something");

    let run = import(&w, &["picgo", setup_arg]);
    run.expect_code(0);
    assert!(
        run.stdout.contains(
            "2 profiles added, 0 unchanged, 0 updated, 0 skipped; 1000 history rows added"
        ),
        "{}",
        run.stdout
    );
    if cfg!(windows) {
        // Credential Manager is always there: the secrets go into it (the test beside this
        // one may have put the same ones there first).
        let kept = run.stdout.matches("secret stored in the keychain").count()
            + run.stdout.matches("secret already in the keychain").count();
        assert_eq!(kept, 2, "{}", run.stdout);
        for name in ["R2-blog", "MinIO-demo"] {
            assert!(hoist_e2e::keychain_secret(name).is_some(), "{name}");
        }
    } else {
        // No keychain on this bus: the import goes on and says what to do.
        assert!(
            run.stdout
                .contains("Secrets still needed for: R2-blog, MinIO-demo")
                && run.stdout.contains("--secret-stdin"),
            "{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("36677"), "{}", run.stdout);
    // The world's own default profile is kept, and PicGo's choice is named.
    assert!(
        run.stdout.contains("Default profile stays local")
            && run.stdout.contains("hoist profile use MinIO-demo"),
        "{}",
        run.stdout
    );

    let toml = std::fs::read_to_string(config_dir.join("config.toml")).unwrap();
    for expected in [
        "[profiles.MinIO-demo]",
        "provider = \"minio\"",
        &format!("endpoint = \"{}\"", w.server.s3_endpoint()),
        &format!("public_base_url = \"{}\"", w.server.public_base()),
        "key_template = \"{year}/{month}/{md5}.{extName}\"",
        "custom_link = \"![]($url)\"",
        "[profiles.R2-blog]",
        "provider = \"r2\"",
        "account_id = \"0123abcd\"",
        "public_base_url = \"https://img.blog.example\"",
        "access_key_id = \"r2-key-id\"",
    ] {
        assert!(toml.contains(expected), "{expected} missing in:\n{toml}");
    }
    // MinIO takes no ACL: dropped, with a note.
    assert!(
        !toml.contains("acl =") && run.stdout.contains("acl \"public-read\" dropped"),
        "{toml}\n{}",
        run.stdout
    );
    let list = w.run(&["profile", "list"]);
    assert!(
        list.stdout.contains("MinIO-demo") && list.stdout.contains("R2-blog"),
        "{}",
        list.stdout
    );

    let rows = history_json(&w);
    assert_eq!(rows.len(), 1000);
    assert!(rows.iter().all(|r| r["origin"] == "import:picgo"
        && r["status"] == "done"
        && r["profile"] == "MinIO-demo"));
    let newest = &rows[0];
    assert_eq!(newest["source_name"], "shot 999.png");
    assert_eq!(
        newest["url"],
        format!("{}/2024/05/0999.png", w.server.public_base())
    );
    assert_eq!(newest["key"], "2024/05/0999.png");
    assert_eq!(newest["width"], 1639);
    assert_eq!(newest["created_at_ms"], 1_714_000_999_000_i64);
    assert_eq!(newest["import_ref"], "3b9f0999-4c6e-4f5a-9d2b-7e1f0a8c0999");
    assert_no_secret_in(&config_dir);

    // Re-running adds nothing.
    let again = import(&w, &["picgo", setup_arg]);
    again.expect_code(0);
    assert!(
        again
            .stdout
            .contains("0 profiles added, 2 unchanged, 0 updated, 0 skipped; 0 history rows added"),
        "{}",
        again.stdout
    );
    assert!(
        again.stdout.contains("1000 already there"),
        "{}",
        again.stdout
    );
    assert_eq!(history_json(&w).len(), 1000);
    assert_eq!(
        std::fs::read_to_string(config_dir.join("config.toml")).unwrap(),
        toml
    );

    // A profile changed since is left alone unless --overwrite.
    w.run(&["profile", "edit", "R2-blog", "--bucket", "renamed"])
        .expect_code(0);
    let skipped = import(&w, &["picgo", setup_arg]);
    skipped.expect_code(0);
    assert!(
        skipped.stdout.contains("skipped") && skipped.stdout.contains("--overwrite"),
        "{}",
        skipped.stdout
    );
    assert!(
        w.run(&["profile", "show", "R2-blog"])
            .stdout
            .contains("renamed")
    );
    let over = import(&w, &["picgo", setup_arg, "--overwrite"]);
    over.expect_code(0);
    assert!(over.stdout.contains("1 updated"), "{}", over.stdout);
    assert!(
        w.run(&["profile", "show", "R2-blog"])
            .stdout
            .contains("bucket = \"blog\"")
    );
    assert_no_secret_in(&config_dir);
}

/// The imported profile uploads to the demo bucket and prints PicGo's exact Markdown link.
#[test]
fn imported_profile_uploads_and_its_link_works() {
    let w = World::new();
    let setup = write_setup(
        &w,
        "picgo",
        &picgo_data_json(&w, "MinIO demo"),
        "picgo.db",
        &gallery(&w, 3),
    );
    import(&w, &["picgo", setup.to_str().unwrap()]).expect_code(0);
    // Without a keychain, the documented fallback: name an environment variable.
    w.run(&["profile", "edit", "MinIO-demo", "--secret-env", SECRET_ENV])
        .expect_code(0);

    let png = fixtures::screenshot_png(64, 48);
    let f = w.input("from picgo.png", &png);
    let up = w.run(&[
        "upload",
        "--no-copy",
        "-p",
        "MinIO-demo",
        f.to_str().unwrap(),
    ]);
    up.expect_code(0);
    let line = up.lines().last().copied().unwrap_or_default().to_owned();
    let url = line
        .strip_prefix("![](")
        .and_then(|l| l.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not PicGo's markdown link: {line}"));
    assert!(
        url.starts_with(&format!("{}/", w.server.public_base())),
        "{url}"
    );
    let (status, _, body) = http_get(url);
    assert_eq!(status, 200, "{url}");
    // Like PicGo, the imported profile uploads the file as it is.
    assert_eq!(body, png, "the file went up unchanged");
    assert!(url.ends_with(".png"), "{url}");
    assert_eq!(Some(body), w.object(&w.key_of(url)));
    // The key follows the imported PicGo template: {year}/{month}/{md5}.{extName}.
    let key = w.key_of(url);
    let parts: Vec<&str> = key.split('/').collect();
    assert_eq!(parts.len(), 3, "{key}");
    assert!(parts[0].len() == 4 && parts[1].len() == 2, "{key}");
    assert!(parts[2].len() > 33 && parts[2].contains('.'), "{key}");
}

/// PicList: `configPath` redirect, plain-JSON gallery, missing setup.
#[test]
fn piclist_redirect_and_missing_setup() {
    let w = World::new();
    let real = w.dir.path().join("synced");
    std::fs::create_dir_all(&real).unwrap();
    let mut data = picgo_data_json(&w, "plist demo");
    // PicList's built-in uploader keeps the same fields under its own type.
    let demo = data["uploader"]["aws-s3"]["configList"][1].clone();
    data["uploader"] =
        json!({"aws-s3-plist": {"configList": [demo], "defaultId": "8b4d5f0e-demo"}});
    data["picBed"] = json!({"current": "aws-s3-plist"});
    data["settings"]["pasteStyle"] = json!("URL");
    std::fs::write(real.join("data.json"), data.to_string()).unwrap();
    std::fs::write(real.join("piclist.db"), gallery(&w, 5).to_string()).unwrap();
    let app = w.dir.path().join("piclist");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("data.json"),
        json!({"configPath": real.join("data.json")}).to_string(),
    )
    .unwrap();

    let run = import(&w, &["piclist", app.join("data.json").to_str().unwrap()]);
    run.expect_code(0);
    assert!(run.stdout.contains("configPath"), "{}", run.stdout);
    assert!(
        run.stdout.contains("1 profile added") && run.stdout.contains("5 history rows added"),
        "{}",
        run.stdout
    );
    let show = w.run(&["profile", "show", "plist-demo"]);
    assert!(
        show.stdout.contains("link_format = \"url\""),
        "{}",
        show.stdout
    );
    let rows = history_json(&w);
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["origin"] == "import:piclist"));
    assert_no_secret_in(&w.config_dir());

    // Nothing to find: a one-line error naming every place looked at.
    let home = w.dir.path().join("empty-home");
    let out = w
        .hoist()
        .env("HOME", &home)
        .env("USERPROFILE", &home)
        .env("APPDATA", home.join("AppData").join("Roaming"))
        .env_remove("XDG_CONFIG_HOME")
        .args(["import", "piclist"])
        .output_now()
        .unwrap();
    let missing = Run::from(out);
    missing.expect_code(2);
    let err = missing.stderr.trim();
    assert!(!err.contains('\n'), "{err}");
    let app_dir = if cfg!(windows) {
        "AppData/Roaming/piclist/data.json"
    } else {
        ".config/piclist/data.json"
    };
    for looked in [app_dir, ".piclist/config.json"] {
        let path = looked.split('/').fold(home.clone(), |p, c| p.join(c));
        assert!(err.contains(&path.display().to_string()), "{looked}: {err}");
    }
}

/// With a real Secret Service (scripts/test.sh), the imported secret lands in the keychain,
/// only there, and uploads use it.
#[test]
fn imported_secret_lives_in_the_real_keychain_only() {
    if !real_keychain_or_skip() {
        return;
    }
    let w = World::new();
    // Keychain entries are global: a unique name keeps parallel runs apart.
    let name = format!("kc-import-{}", std::process::id());
    let mut data = picgo_data_json(&w, &name);
    // Only the demo config, so nothing else is written to the keychain.
    data["uploader"]["aws-s3"]["configList"] = json!([data["picBed"]["aws-s3"].clone()]);
    let setup = write_setup(&w, "picgo", &data, "picgo.db", &gallery(&w, 2));

    let out = w
        .hoist()
        .args(["import", "picgo", setup.to_str().unwrap()])
        .output_now()
        .unwrap();
    let run = Run::from(out);
    run.expect_code(0);
    assert!(
        run.stdout.contains("secret stored in the keychain"),
        "{}",
        run.stdout
    );
    assert_eq!(hoist_e2e::keychain_secret(&name).as_deref(), Some(SECRET));

    let f = w.input("kc.png", &fixtures::screenshot_png(40, 30));
    let out = w
        .hoist()
        .env_remove(SECRET_ENV)
        .args(["upload", "--no-copy", "--format", "url", "-p", &name])
        .arg(&f)
        .output_now()
        .unwrap();
    let up = Run::from(out);
    up.expect_code(0);
    assert_eq!(http_get(up.lines()[0]).0, 200);

    let again = Run::from(
        w.hoist()
            .args(["import", "picgo", setup.to_str().unwrap()])
            .output_now()
            .unwrap(),
    );
    again.expect_code(0);
    assert!(
        again.stdout.contains("secret already in the keychain"),
        "{}",
        again.stdout
    );
    assert_no_secret_in(&w.config_dir());

    w.run(&["profile", "remove", &name]).expect_code(0);
}
