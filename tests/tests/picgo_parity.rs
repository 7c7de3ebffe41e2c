//! Parity with PicGo itself: a PicGo config imported by `hoist import picgo` uploads on first
//! use and gives, for the same files, the key, the link and the pasted text that PicGo-Core with
//! picgo-plugin-s3 (installed from npm, see `tests/picgo/`) gives against the same bucket, and
//! the object is the file byte for byte (imported profiles use `original`, as PicGo uploads).
// PicGo-Core runs on the host's Node.js, which a test inside Wine cannot start.
#![cfg(not(windows))]

use std::collections::HashMap;
use std::path::PathBuf;

use hoist_e2e::{World, percent_decode, picgo, real_keychain_or_skip};
use hoist_imaging::fixtures;
use serde_json::{Value, json};

/// Characters Hoist percent-encodes in links and PicGo leaves as they are (README, "Import from
/// PicGo / PicList").
const STRICTER: &str = "()+!'*$&,;=:@";

/// Files whose names and formats exercise the key and link rules: spaces, CJK, brackets, an
/// upper-case extension, EXIF with GPS (which `original` keeps, as PicGo does).
fn inputs(w: &World) -> Vec<(PathBuf, Vec<u8>)> {
    let files: [(&str, Vec<u8>); 4] = [
        (
            "截图 2026-12-06 10.30.png",
            fixtures::screenshot_png(320, 200),
        ),
        (
            "IMG_0042.JPG",
            fixtures::photo_jpeg(640, 480, Some(6), true),
        ),
        (
            "diagram (final).webp",
            fixtures::webp_with_exif(200, 120, None, false),
        ),
        ("photo.jpeg", fixtures::photo_jpeg(300, 200, None, false)),
    ];
    files
        .into_iter()
        .map(|(name, bytes)| (w.input(name, &bytes), bytes))
        .collect()
}

/// The object key behind a link PicGo or Hoist made: under the public base, or the S3 endpoint
/// with the bucket (what picgo-plugin-s3 links to without a URL prefix); a query is no part of it.
fn key_of(w: &World, url: &str) -> String {
    let url = url.split('?').next().unwrap_or(url);
    let endpoint = format!(
        "{}/{}/",
        w.server.s3_endpoint().trim_end_matches('/'),
        w.server.bucket()
    );
    match url.strip_prefix(&endpoint) {
        Some(rest) => w.key_of(&format!("{}/{rest}", w.server.public_base())),
        None => w.key_of(url),
    }
}

/// One PicGo setup: the plugin fields beside the world's bucket, PicGo's settings, and the
/// paste style whose text is compared.
struct Case {
    name: &'static str,
    s3: Value,
    settings: Value,
    style: &'static str,
}

fn cases(w: &World) -> Vec<Case> {
    let public = w.server.public_base();
    vec![
        Case {
            // PicGo's defaults: Markdown, links to the S3 endpoint itself.
            name: "parity-markdown",
            s3: json!({"uploadPath": "{year}/{month}/{md5}.{extName}"}),
            settings: json!({"pasteStyle": "markdown", "encodeOutputURL": true}),
            style: "markdown",
        },
        Case {
            // A custom domain and a custom link with the file name, names kept in keys.
            name: "parity-custom",
            s3: json!({
                "uploadPath": "img/{fileName}-{md5:8}.{extName}",
                "urlPrefix": public, "disableBucketPrefixToURL": true
            }),
            settings: json!({"pasteStyle": "Custom", "customLink": "![$fileName]($url)"}),
            style: "Custom",
        },
        Case {
            // The newer outputURLPattern (over the endpoint's own address) with a fixed suffix,
            // HTML paste.
            name: "parity-pattern",
            s3: json!({
                "uploadPath": "shots/{year}/{sha256:12}.{extName}",
                "outputURLPattern": "{protocol}://{host}:{port}/{path}?v=2"
            }),
            settings: json!({"pasteStyle": "HTML"}),
            style: "HTML",
        },
        Case {
            name: "parity-ubb",
            s3: json!({
                "uploadPath": "{md5B64Short}/{fileName}.{extName}",
                "urlPrefix": public, "disableBucketPrefixToURL": true
            }),
            settings: json!({"pasteStyle": "UBB"}),
            style: "UBB",
        },
    ]
}

#[test]
fn an_imported_picgo_profile_gives_picgos_keys_links_and_pasted_text() {
    if !picgo::installed_or_skip() || !real_keychain_or_skip() {
        return;
    }
    let w = World::new();
    let files = inputs(&w);
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    for case in cases(&w) {
        let config = picgo::config(
            &picgo::plugin(&w, case.name, case.s3.clone()),
            case.settings.clone(),
        );
        let config_path = w.dir.path().join(case.name).join("config.json");
        std::fs::create_dir_all(config_path.parent().unwrap()).unwrap();
        std::fs::write(&config_path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();

        // Imported, then used at once: the secret went to the keychain, nothing else is set.
        let import = w.run(&["import", "picgo", config_path.to_str().unwrap()]);
        import.expect_code(0);
        let mut args = vec!["upload", "--no-copy", "-p", case.name];
        args.extend(paths.iter().map(|p| p.to_str().unwrap()));
        let hoist = w.run(&args);
        hoist.expect_code(0);
        assert!(
            !hoist.stderr.contains("note:"),
            "{}: {}",
            case.name,
            hoist.stderr
        );
        let hoist_lines: Vec<String> = hoist.lines().iter().map(|l| l.to_string()).collect();
        assert_eq!(hoist_lines.len(), files.len(), "{}: {hoist:?}", case.name);
        let hoist_links = history_links(&w, case.name);

        // PicGo second: it replaces objects without asking, with the same bytes here.
        let picgo = picgo::upload(&config_path, &config, &paths);
        for (i, ((path, bytes), theirs)) in files.iter().zip(&picgo).enumerate() {
            let name = path.file_name().unwrap().to_str().unwrap();
            assert_eq!(theirs.file_name, name);
            let pasted = theirs.pasted[case.style].as_str().unwrap();
            // Hoist percent-encodes the sub-delimiters PicGo leaves in keys (`(`, `)`, `+`, …):
            // the same object, a Markdown link that survives an unbalanced bracket, and no `+`
            // read as a space by S3's legacy decoding. Other names paste exactly as in PicGo.
            if name.contains(|c: char| STRICTER.contains(c)) {
                assert_eq!(
                    percent_decode(&hoist_lines[i]),
                    percent_decode(pasted),
                    "{}: {name}",
                    case.name
                );
            } else {
                assert_eq!(
                    hoist_lines[i], pasted,
                    "{}: {name}: Hoist pasted {:?}, PicGo {:?}",
                    case.name, hoist_lines[i], pasted
                );
            }
            let key = key_of(&w, &theirs.url);
            assert_eq!(key_of(&w, &hoist_links[name]), key, "{}: {name}", case.name);
            assert!(
                w.object(&key).is_some_and(|o| &o == bytes),
                "{}: {name}: {key} does not hold the file's bytes",
                case.name
            );
            assert!(&std::fs::read(path).unwrap() == bytes, "original modified");
        }
    }
}

/// The link of each file a profile uploaded, by file name, from Hoist's history.
fn history_links(w: &World, profile: &str) -> HashMap<String, String> {
    let run = w.run(&["history", "list", "--json", "-p", profile]);
    run.expect_code(0);
    run.lines()
        .iter()
        .map(|l| {
            let r: Value = serde_json::from_str(l).unwrap();
            (
                r["source_name"].as_str().unwrap().to_owned(),
                r["url"].as_str().expect("url in history").to_owned(),
            )
        })
        .collect()
}
