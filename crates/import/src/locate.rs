//! Where PicGo and PicList keep their files, and reading them: the usual places per OS, the
//! `configPath` redirect, the config JSON and the (possibly gzip-compressed) gallery.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::ImportError;
use crate::flavor::Flavor;

/// A gallery file bigger than this once decompressed is refused (a gzip bomb, not a gallery).
const MAX_GALLERY_BYTES: u64 = 512 * 1024 * 1024;
/// `configPath` redirects followed at most; more means a loop or a broken setup.
const MAX_REDIRECTS: usize = 4;

/// The places a setup usually lives, most likely first, from `HOME`, `XDG_CONFIG_HOME` and
/// `APPDATA` as `env` gives them (injectable so tests never see the real home).
pub fn candidates(flavor: Flavor, env: &dyn Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    // Node's os.homedir(), which PicGo uses: USERPROFILE on Windows (HOME there is Git Bash's
    // or MSYS's), HOME elsewhere.
    let [first, second] = if cfg!(windows) {
        ["USERPROFILE", "HOME"]
    } else {
        ["HOME", "USERPROFILE"]
    };
    let home = env(first)
        .filter(|h| !h.is_empty())
        .or_else(|| env(second))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let mut app_roots: Vec<PathBuf> = Vec::new();
    if cfg!(target_os = "windows") {
        app_roots.extend(env("APPDATA").filter(|a| !a.is_empty()).map(PathBuf::from));
    } else if cfg!(target_os = "macos") {
        app_roots.extend(home.as_ref().map(|h| h.join("Library/Application Support")));
    } else {
        let xdg = env("XDG_CONFIG_HOME")
            .filter(|x| !x.is_empty())
            .map(PathBuf::from);
        app_roots.extend(xdg.or_else(|| home.as_ref().map(|h| h.join(".config"))));
    }
    let mut out: Vec<PathBuf> = app_roots
        .iter()
        .flat_map(|root| flavor.app_dirs().map(|d| root.join(d).join("data.json")))
        .collect();
    out.extend(
        home.as_ref()
            .map(|h| h.join(flavor.core_dir()).join("config.json")),
    );
    out
}

/// The files of one setup, once found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The `data.json` (or `config.json`) found or given.
    pub data_json: PathBuf,
    /// The file the settings were read from: `data_json`, or where its `configPath` points.
    pub config: PathBuf,
    /// `picgo.db` / `piclist.db`, if one exists next to either of them.
    pub gallery: Option<PathBuf>,
}

/// A setup read from disk: where it was and its parsed contents.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub located: Located,
    pub config: Value,
    pub gallery: Vec<Value>,
    /// The gallery file's modification time, the creation time of rows that carry none.
    pub gallery_mtime_ms: i64,
}

/// Finds and reads a setup. `explicit` may be the config file or its folder; without it the
/// usual places ([`candidates`]) are tried in order.
pub fn load(
    flavor: Flavor,
    explicit: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, ImportError> {
    let data_json =
        match explicit {
            Some(p) if p.is_dir() => {
                let tried = [p.join("data.json"), p.join("config.json")];
                tried.iter().find(|c| c.is_file()).cloned().ok_or_else(|| {
                    ImportError::NotFound {
                        flavor,
                        looked: tried.to_vec(),
                        hint: String::new(),
                    }
                })?
            }
            Some(p) if p.exists() => p.to_path_buf(),
            Some(p) => {
                return Err(ImportError::NotFound {
                    flavor,
                    looked: vec![p.to_path_buf()],
                    hint: String::new(),
                });
            }
            None => {
                let looked = candidates(flavor, env);
                looked
                    .iter()
                    .find(|c| c.is_file())
                    .cloned()
                    .ok_or_else(|| ImportError::NotFound {
                        flavor,
                        looked: looked.clone(),
                        hint: format!(
                            " (pass the file or its folder: hoist import {} PATH)",
                            flavor.tag()
                        ),
                    })?
            }
        };
    let (config_path, config) = follow_config_path(&data_json)?;
    let gallery = [config_path.parent(), data_json.parent()]
        .into_iter()
        .flatten()
        .map(|dir| dir.join(flavor.gallery_file()))
        .find(|p| p.is_file());
    let (items, mtime) = match &gallery {
        Some(p) => (read_gallery(p)?, mtime_ms(p)),
        None => (Vec::new(), 0),
    };
    Ok(Loaded {
        located: Located {
            data_json,
            config: config_path,
            gallery,
        },
        config,
        gallery: items,
        gallery_mtime_ms: mtime,
    })
}

/// Reads `data_json` and, while it names another file in `configPath`, that file instead.
fn follow_config_path(data_json: &Path) -> Result<(PathBuf, Value), ImportError> {
    let mut path = data_json.to_path_buf();
    let mut seen = HashSet::new();
    loop {
        let value = read_json(&path)?;
        let next = value
            .get("configPath")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| match path.parent() {
                // A relative path is relative to the file that names it.
                Some(dir) => dir.join(s),
                None => PathBuf::from(s),
            });
        let Some(next) = next else {
            return Ok((path, value));
        };
        if next == path || !seen.insert(path.clone()) || seen.len() > MAX_REDIRECTS {
            return Ok((path, value));
        }
        if !next.is_file() {
            return Err(ImportError::Read {
                path: next,
                detail: format!(
                    "{} names it in \"configPath\" but it does not exist",
                    path.display()
                ),
            });
        }
        path = next;
    }
}

fn read_json(path: &Path) -> Result<Value, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ImportError::Read {
        path: path.into(),
        detail: e.to_string(),
    })?;
    // serde_json's messages give line and column only, never file content (which has secrets).
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| ImportError::Parse {
        path: path.into(),
        what: "JSON file",
        detail: e.to_string(),
    })
}

/// Reads a PicGo/PicList gallery: gzip-compressed JSON (what current versions write) or plain
/// JSON, holding `{"gallery": [items…]}` (a bare list is accepted too).
pub fn read_gallery(path: &Path) -> Result<Vec<Value>, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::Read {
        path: path.into(),
        detail: e.to_string(),
    })?;
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .take(MAX_GALLERY_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| ImportError::Parse {
                path: path.into(),
                what: "gzip file",
                detail: e.to_string(),
            })?;
        if out.len() as u64 > MAX_GALLERY_BYTES {
            return Err(ImportError::Parse {
                path: path.into(),
                what: "gallery",
                detail: format!(
                    "more than {} MiB once decompressed",
                    MAX_GALLERY_BYTES >> 20
                ),
            });
        }
        out
    } else {
        bytes
    };
    let parse_err = |detail: String| ImportError::Parse {
        path: path.into(),
        what: "gallery (JSON, optionally gzip-compressed)",
        detail,
    };
    let text = String::from_utf8(text).map_err(|_| parse_err("not UTF-8 text".into()))?;
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| parse_err(e.to_string()))?;
    match value {
        Value::Array(items) => Ok(items),
        Value::Object(mut map) => match map.remove("gallery") {
            Some(Value::Array(items)) => Ok(items),
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(_) => Err(parse_err("\"gallery\" is not a list".into())),
        },
        _ => Err(parse_err(
            "expected an object with a \"gallery\" list".into(),
        )),
    }
}

fn mtime_ms(path: &Path) -> i64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fixtures::picgo_two_configs;
    use crate::flavor::Flavor;
    use crate::plan::plan;

    #[test]
    fn gallery_reads_gzip_and_plain_json() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let body = json!({"gallery": [{"id": "1", "imgUrl": "https://x.example/a.png"}]});
        let plain = dir.path().join("plain.db");
        std::fs::write(&plain, body.to_string()).unwrap();
        let gz = dir.path().join("gz.db");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(body.to_string().as_bytes()).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        assert_eq!(read_gallery(&plain).unwrap().len(), 1);
        assert_eq!(read_gallery(&gz).unwrap().len(), 1);

        std::fs::write(&plain, "{not json").unwrap();
        let e = read_gallery(&plain).unwrap_err();
        assert_eq!(e.code(), "import.parse");
        assert!(e.to_string().contains("plain.db"), "{e}");
    }

    #[test]
    fn config_path_is_followed_and_gallery_found_next_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("picgo");
        let real = dir.path().join("elsewhere");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::create_dir_all(&real).unwrap();
        std::fs::write(
            app.join("data.json"),
            json!({"configPath": "../elsewhere/data.json"}).to_string(),
        )
        .unwrap();
        std::fs::write(real.join("data.json"), picgo_two_configs().to_string()).unwrap();
        std::fs::write(
            real.join("picgo.db"),
            json!({"gallery": [{"id": "1", "imgUrl": "https://x.example/a.png"}]}).to_string(),
        )
        .unwrap();
        let home = dir.path().to_str().unwrap().to_owned();
        let env = move |k: &str| match k {
            "XDG_CONFIG_HOME" | "HOME" => Some(home.clone()),
            _ => None,
        };
        let loaded = load(Flavor::PicGo, None, &env).unwrap();
        assert_eq!(loaded.located.data_json, app.join("data.json"));
        assert_eq!(loaded.located.config, app.join("../elsewhere/data.json"));
        assert_eq!(
            loaded.located.gallery.as_deref(),
            Some(app.join("../elsewhere/picgo.db").as_path())
        );
        assert_eq!(loaded.gallery.len(), 1);
        let plan = plan(Flavor::PicGo, &loaded.config, &loaded.gallery, 0);
        assert_eq!(plan.profiles.len(), 2);

        // A folder works as PATH too.
        assert_eq!(
            load(Flavor::PicGo, Some(&app), &env)
                .unwrap()
                .located
                .config,
            app.join("../elsewhere/data.json")
        );

        // A redirect to nowhere names both files.
        std::fs::write(
            app.join("data.json"),
            json!({"configPath": "/nonexistent/data.json"}).to_string(),
        )
        .unwrap();
        let e = load(Flavor::PicGo, Some(&app), &env).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("/nonexistent/data.json") && msg.contains("configPath"),
            "{msg}"
        );
    }

    #[test]
    fn missing_config_lists_where_it_looked() {
        let env = |k: &str| (k == "HOME").then(|| "/home/nobody-here".to_owned());
        let e = load(Flavor::PicList, None, &env).unwrap_err();
        assert_eq!(e.code(), "import.not_found");
        let msg = e.to_string();
        if cfg!(target_os = "linux") {
            assert!(
                msg.contains("/home/nobody-here/.config/piclist/data.json"),
                "{msg}"
            );
        }
        assert!(
            msg.contains("/home/nobody-here/.piclist/config.json"),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
    }
}
