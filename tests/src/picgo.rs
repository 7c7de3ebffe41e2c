//! PicGo itself as the reference: PicGo-Core and picgo-plugin-s3 installed from npm into
//! `tests/picgo/` (pinned by its package-lock.json; `npm ci --prefix tests/picgo`), driven by
//! `tests/picgo/upload.cjs` against the same demo bucket Hoist uses.

use crate::Launch;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::{ACCESS_KEY, SECRET, World, required};

/// `tests/picgo` in this checkout.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("picgo")
}

/// Whether PicGo-Core is installed; when it is not, the caller skips, unless
/// `HOIST_REQUIRE_PICGO` is set (scripts/test.sh installs it and sets it), which fails instead.
pub fn installed_or_skip() -> bool {
    if dir().join("node_modules/picgo-plugin-s3").is_dir() {
        return true;
    }
    assert!(
        !required("HOIST_REQUIRE_PICGO"),
        "PicGo-Core required but not installed: npm ci --prefix tests/picgo"
    );
    eprintln!("skipped: PicGo-Core not installed (npm ci --prefix tests/picgo)");
    false
}

/// One picgo-plugin-s3 config named `name` on this world's bucket and credentials, with the
/// fields of `overrides` on top.
pub fn plugin(w: &World, name: &str, overrides: Value) -> Value {
    let mut plugin = json!({
        "_id": format!("{name}-id"), "_configName": name,
        "accessKeyID": ACCESS_KEY, "secretAccessKey": SECRET,
        "bucketName": w.server.bucket(), "uploadPath": "{year}/{month}/{md5}.{extName}",
        "region": "us-east-1", "endpoint": w.server.s3_endpoint(),
        "pathStyleAccess": true, "rejectUnauthorized": true, "acl": "public-read"
    });
    for (k, v) in overrides.as_object().expect("plugin fields").clone() {
        plugin[k] = v;
    }
    plugin
}

/// The config PicGo reads (`~/.picgo/config.json` or a PicGo app's `data.json`) with `plugin`
/// as its current and only S3 config, the way PicGo stores it (mirrored into `picBed`), and
/// `settings` as PicGo's `settings` object.
pub fn config(plugin: &Value, settings: Value) -> Value {
    json!({
        "picBed": {"uploader": "aws-s3", "current": "aws-s3", "aws-s3": plugin},
        "uploader": {"aws-s3": {"defaultId": plugin["_id"], "configList": [plugin]}},
        "settings": settings,
        "picgoPlugins": {"picgo-plugin-s3": true}
    })
}

/// One file as PicGo uploaded it.
#[derive(Debug)]
pub struct Uploaded {
    pub file_name: String,
    /// The link PicGo made (`imgUrl`), before the paste style's URL encoding.
    pub url: String,
    /// What the PicGo app pastes for it in each paste style (`markdown`, `HTML`, `URL`, `UBB`,
    /// `Custom`), per the config's settings.
    pub pasted: Value,
}

/// The command that uploads `files` with PicGo-Core using the config at `config_path`.
pub fn command(config_path: &Path, files: &[PathBuf]) -> Command {
    let mut c = Command::new("node");
    c.arg(dir().join("upload.cjs"))
        .arg(config_path)
        .args(files)
        // PicGo writes its log and plugin state next to the config, never under HOME here.
        .env("HOME", config_path.parent().expect("config in a folder"))
        .stdin(std::process::Stdio::null());
    c
}

/// Uploads `files` in one PicGo-Core run with `config` (written to `config_path`), in order.
pub fn upload(config_path: &Path, config: &Value, files: &[PathBuf]) -> Vec<Uploaded> {
    std::fs::create_dir_all(config_path.parent().unwrap()).unwrap();
    std::fs::write(config_path, serde_json::to_vec_pretty(config).unwrap()).unwrap();
    let out: Output = command(config_path, files).output_now().expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "PicGo failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Uploaded> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("RESULT "))
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("PicGo result JSON");
            Uploaded {
                file_name: v["fileName"].as_str().unwrap().to_owned(),
                url: v["imgUrl"].as_str().unwrap().to_owned(),
                pasted: v["pasted"].clone(),
            }
        })
        .collect();
    assert_eq!(results.len(), files.len(), "{stdout}");
    results
}
