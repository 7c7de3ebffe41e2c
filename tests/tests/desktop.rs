//! The desktop app, driven end to end as a real window: WebKitWebDriver launches the real
//! `hoist-desktop` under Xvfb + D-Bus, and the test uses it as a person would (buttons, tabs,
//! the profile switcher) plus the X clipboard through xclip, a real global shortcut through
//! xdotool, a real XDND drag and drop from another program (tests/drag_source.py), a second
//! launch with a file argument, and the embedded PicGo server. Every upload is checked in the
//! real S3 server's bucket and fetched back over HTTP. Screenshots of every view in both themes
//! go to `$HOIST_SCREENSHOTS` (default `<target>/e2e-screenshots`).
//!
//! One test function: the app is single-instance per D-Bus session, so two windows cannot run
//! side by side.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hoist_core::config::Config;
use hoist_e2e::webdriver::{Session, strings, webkit_driver};
use hoist_e2e::{Launch, SECRET, SECRET_ENV, World, hoist_bin, http_get, required};
use hoist_imaging::fixtures;
use serde_json::{Value, json};

const LONG: Duration = Duration::from_secs(30);

/// The app binary (with the UI from ui/dist embedded); `HOIST_DESKTOP_BIN`
/// points the figures at a release build.
fn desktop_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HOIST_DESKTOP_BIN") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    // Without a display there is nothing to drive, and no reason to build the app.
    std::env::var_os("DISPLAY")?;
    let bin = hoist_e2e::built_bin("hoist-desktop", "hoist-desktop");
    bin.is_file().then_some(bin)
}

fn tools_ready() -> Option<(PathBuf, String)> {
    let display = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty());
    let xclip = Command::new("xclip")
        .arg("-version")
        .stderr(Stdio::null())
        .status()
        .is_ok();
    match (desktop_bin(), display, webkit_driver(), xclip) {
        (Some(bin), Some(d), Some(_), true) => Some((bin, d)),
        (bin, d, driver, xclip) => {
            assert!(
                !required("HOIST_REQUIRE_DESKTOP"),
                "desktop e2e required but missing: binary {bin:?}, DISPLAY {d:?}, WebKitWebDriver {driver:?}, xclip {xclip}"
            );
            eprintln!(
                "skipped: needs hoist-desktop, an X display, WebKitWebDriver and xclip (run scripts/test.sh)"
            );
            None
        }
    }
}

fn screenshots_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("HOIST_SCREENSHOTS") {
        return PathBuf::from(d);
    }
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("e2e-screenshots")
}

/// xclip serving the clipboard; stopped (and reaped) when dropped.
struct Holder(std::process::Child);
impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Puts a PNG in the X clipboard from another program (as a screenshot tool would) and waits
/// until it is offered.
fn offer_png(display: &str, png: &Path) -> Holder {
    let child = Holder(
        Command::new("xclip")
            .args(["-quiet", "-selection", "clipboard", "-t", "image/png", "-i"])
            .arg(png)
            .env("DISPLAY", display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn_now()
            .unwrap(),
    );
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) {
        if clipboard_targets(display).contains("image/png") {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("xclip never offered the image");
}

fn clipboard_targets(display: &str) -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard", "-t", "TARGETS"])
        .env("DISPLAY", display)
        .output_now()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn clipboard_text(display: &str) -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .stderr(Stdio::null())
        .output_now()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_clipboard_text(display: &str, what: impl Fn(&str) -> bool) -> String {
    let t = Instant::now();
    loop {
        let text = clipboard_text(display);
        if what(&text) {
            return text;
        }
        assert!(
            t.elapsed() < LONG,
            "clipboard never held the link; it holds {text:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The URL in a Markdown link `![name](url)`.
fn url_in(link: &str) -> String {
    link.rsplit_once('(')
        .and_then(|(_, r)| r.strip_suffix(')'))
        .unwrap_or(link)
        .to_owned()
}

/// Waits until `world`'s bucket holds `n` objects and returns their keys.
fn wait_objects(world: &World, n: usize) -> Vec<String> {
    let t = Instant::now();
    loop {
        let keys = world.object_keys();
        if keys.len() >= n {
            return keys;
        }
        assert!(
            t.elapsed() < LONG,
            "bucket has {} objects, want {n}: {keys:?}",
            keys.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn done_rows(s: &Session) -> Vec<String> {
    strings(&s.execute(
        "return [...document.querySelectorAll('[data-testid=job-row][data-stage=done]')].map(r => r.dataset.url || '')",
        json!([]),
    ))
}

fn wait_done_rows(s: &Session, n: usize) -> Vec<String> {
    let t = Instant::now();
    loop {
        let rows = done_rows(s);
        if rows.len() >= n {
            return rows;
        }
        let failed = s.execute(
            "return [...document.querySelectorAll('[data-testid=job-row][data-stage=failed]')].map(r => r.innerText)",
            json!([]),
        );
        assert!(
            failed.as_array().is_none_or(|a| a.is_empty()),
            "an upload failed: {failed}"
        );
        assert!(t.elapsed() < LONG, "{} done rows, want {n}", rows.len());
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn set_theme(s: &Session, theme: &str) {
    // Toasts from earlier steps would cover the view in the screenshots.
    dismiss_toasts(s);
    s.execute(
        "document.documentElement.dataset.theme = arguments[0]; return true",
        json!([theme]),
    );
    std::thread::sleep(Duration::from_millis(300));
}

/// Closes the toasts on screen (they cover the bottom of the window).
fn dismiss_toasts(s: &Session) {
    s.execute(
        "document.querySelectorAll('[data-testid=toast] button').forEach(b => b.click()); return true",
        json!([]),
    );
}

fn tab(s: &Session, name: &str) {
    let t = s.wait(&format!("[data-testid=tab-{name}]"), LONG);
    s.click(&t);
    std::thread::sleep(Duration::from_millis(400));
}

/// A fake notification daemon (python-dbusmock's template) on the session bus, recording
/// every `Notify` call; stopped when dropped.
struct Notifications(std::process::Child);

impl Notifications {
    fn start() -> Option<Notifications> {
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "dbusmock", "--template", "notification_daemon"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn_now()
            .ok()?;
        let n = Notifications(child);
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) {
            let out = Command::new("gdbus")
                .args([
                    "call",
                    "--session",
                    "--dest",
                    "org.freedesktop.DBus",
                    "--object-path",
                    "/org/freedesktop/DBus",
                    "--method",
                    "org.freedesktop.DBus.NameHasOwner",
                    "org.freedesktop.Notifications",
                ])
                .output_now()
                .ok()?;
            if String::from_utf8_lossy(&out.stdout).contains("true") {
                return Some(n);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }

    /// The recorded calls, as gdbus prints them.
    fn calls(&self) -> String {
        let out = Command::new("gdbus")
            .args([
                "call",
                "--session",
                "--dest",
                "org.freedesktop.Notifications",
                "--object-path",
                "/org/freedesktop/Notifications",
                "--method",
                "org.freedesktop.DBus.Mock.GetCalls",
            ])
            .output_now()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, text: &str) -> String {
        let t = Instant::now();
        loop {
            let calls = self.calls();
            if calls.contains(text) {
                return calls;
            }
            assert!(
                t.elapsed() < LONG,
                "no notification with {text:?}; calls: {calls}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Notifications {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Accepts connections on 127.0.0.1 and never answers (a stalled server); stops when dropped.
struct Stall {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Stall {
    fn start() -> Stall {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(std::sync::atomic::Ordering::SeqCst) {
                if let Ok((conn, _)) = listener.accept()
                    && held.len() < 16
                {
                    held.push(conn);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Stall {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Stall {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Ends the app for good (the window's close only hides it to the tray).
struct QuitOnDrop<'a>(&'a Session, String);
impl Drop for QuitOnDrop<'_> {
    fn drop(&mut self) {
        self.0.quit_app();
        // Belt and braces: nothing of this test outlives it.
        let _ = Command::new("pkill").args(["-f", "--", &self.1]).status();
    }
}

#[test]
fn desktop_app_end_to_end() {
    let Some((bin, display)) = tools_ready() else {
        return;
    };
    let shots = screenshots_dir();
    let one = World::new();
    let two = World::new();
    // Nothing listens here: the `flaky` profile's uploads fail until its endpoint is fixed.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Nor here, for good: the editor's failing upload (step 10c).
    let offline_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // A server that accepts and never answers: uploads to `stall` hang until cancelled.
    let stall = Stall::start();
    // Two profiles, two buckets: `local` (active) and `second`; `flaky` and `stall` write to
    // bucket one through a dead port and a silent server.
    let config = [
        "schema = 1\ndefault_profile = \"local\"\n".to_owned(),
        one.profile_toml("local", &one.server.s3_endpoint(), ""),
        two.profile_toml(
            "second",
            &two.server.s3_endpoint(),
            "key_template = \"second/{fileName}.{extName}\"",
        ),
        one.profile_toml(
            "flaky",
            &format!("http://127.0.0.1:{closed_port}"),
            "connect_timeout_secs = 1\ntimeout_secs = 2",
        ),
        one.profile_toml(
            "offline",
            &format!("http://127.0.0.1:{offline_port}"),
            "connect_timeout_secs = 1\ntimeout_secs = 2",
        ),
        one.profile_toml(
            "stall",
            &format!("http://127.0.0.1:{}", stall.port),
            "timeout_secs = 60",
        ),
    ]
    .join("\n");
    let cfg_dir = one.config_dir();
    std::fs::write(cfg_dir.join("config.toml"), config).unwrap();
    let flaky_endpoint = format!("http://127.0.0.1:{closed_port}");
    let server_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // A watched screenshot folder with an old image in it (never to be uploaded).
    let watched = one.dir.path().join("Screenshots");
    std::fs::create_dir_all(&watched).unwrap();
    std::fs::write(watched.join("old.png"), fixtures::screenshot_png(70, 50)).unwrap();
    std::fs::write(
        cfg_dir.join("desktop.toml"),
        format!(
            "shortcut = \"Ctrl+Alt+U\"\nprofileShortcuts = {{ second = \"Ctrl+Alt+J\" }}\nserverEnabled = true\nserverPort = {server_port}\nlanguage = \"en\"\n\n[[watchFolders]]\npath = {:?}\nprofile = \"local\"\n",
            watched.display().to_string()
        ),
    )
    .unwrap();

    let notifications = Notifications::start();
    assert!(
        notifications.is_some() || !required("HOIST_REQUIRE_DESKTOP"),
        "python3-dbusmock's notification daemon did not start"
    );
    // A panel's tray host, there before the app, as on a desktop.
    let tray = TrayHost::start(&cfg_dir);
    let tag = format!("--e2e-tag={}", uuid_like());
    let arg_file = one.input("from-argument.png", &fixtures::screenshot_png(320, 200));
    let env = vec![
        ("HOIST_CONFIG_DIR".to_owned(), cfg_dir.display().to_string()),
        (SECRET_ENV.to_owned(), SECRET.to_owned()),
        ("LANG".to_owned(), "en_US.UTF-8".to_owned()),
    ];
    let s = Session::start(&bin, &[tag.clone(), arg_file.display().to_string()], &env);
    let _quit = QuitOnDrop(&s, tag.clone());
    s.wait("[data-testid=app-root][data-ready=true]", LONG);

    // 1. A file given on the command line is uploaded at start, and the window shows it
    //    although it started before the window listened.
    let keys = wait_objects(&one, 1);
    assert_eq!(keys.len(), 1, "{keys:?}");
    let first_key = keys[0].clone();
    let rows = wait_done_rows(&s, 1);
    assert!(rows[0].ends_with(&keys[0]), "{rows:?} vs {keys:?}");

    // 2. Clipboard upload from the window's button: object in bucket one, link in clipboard.
    let shot = fixtures::screenshot_png(1280, 720);
    let shot_path = one.input("screenshot.png", &shot);
    let holder = offer_png(&display, &shot_path);
    let before = done_rows(&s).len();
    s.click(&s.wait("[data-testid=upload-clipboard]", LONG));
    let rows = wait_done_rows(&s, before + 1);
    let link = wait_clipboard_text(&display, |t| t.starts_with("![clipboard-"));
    let url = url_in(&link);
    assert!(rows.contains(&url), "{rows:?} vs {url}");
    assert!(url.starts_with(&one.server.public_base()), "{url}");
    let (status, _, body) = http_get(&url);
    assert_eq!(status, 200);
    let img = image::load_from_memory(&body).unwrap();
    assert_eq!((img.width(), img.height()), (1280, 720));
    assert_eq!(wait_objects(&one, 2).len(), 2);
    drop(holder);
    // A desktop notification carried the link.
    if let Some(n) = &notifications {
        let calls = n.wait_for(&url);
        assert!(calls.contains("Notify"), "{calls}");
    }
    set_theme(&s, "light");
    s.screenshot(&shots.join("upload-light.png"));
    set_theme(&s, "dark");
    s.screenshot(&shots.join("upload-dark.png"));
    set_theme(&s, "light");

    // 2b. Drag and drop, for real: another program drags two images and a folder over XDND
    //     onto the window, as a file manager would.
    if drag_source_ready() {
        drop_files(&s, &one, &display, &shots);
        drop_markdown(&s, &one, &display, &shots);
    } else {
        assert!(
            !required("HOIST_REQUIRE_DESKTOP"),
            "drag and drop required: needs xdotool and /usr/bin/python3 with python3-gi and gir1.2-gtk-3.0"
        );
        eprintln!(
            "drag and drop skipped: needs xdotool and /usr/bin/python3 with python3-gi and gir1.2-gtk-3.0 (scripts/install-deps.sh)"
        );
    }

    // 3. The history view lists both uploads from the real SQLite file.
    tab(&s, "history");
    s.wait_for_script(
        "return document.querySelectorAll('[data-testid=history-row]').length >= 2",
        LONG,
        "two history rows",
    );
    set_theme(&s, "light");
    s.screenshot(&shots.join("history-light.png"));
    set_theme(&s, "dark");
    s.screenshot(&shots.join("history-dark.png"));
    set_theme(&s, "light");
    let search = s.wait("[data-testid=history-search]", LONG);
    s.send_keys(&search, "from-argument");
    s.wait_for_script(
        "const r = document.querySelectorAll('[data-testid=history-row]'); return r.length === 1 && r[0].innerText.includes('from-argument')",
        LONG,
        "search narrowing to one row",
    );

    // 4. Switch profile in the header, upload the clipboard again: it lands in bucket two.
    tab(&s, "upload");
    s.execute(
        "const el = document.querySelector('[data-testid=profile-switcher]'); el.value = 'second'; el.dispatchEvent(new Event('change', {bubbles: true})); return true",
        json!([]),
    );
    wait_config_default(&cfg_dir, "second");
    let holder = offer_png(&display, &shot_path);
    s.click(&s.wait("[data-testid=upload-clipboard]", LONG));
    let keys2 = wait_objects(&two, 1);
    assert!(keys2[0].starts_with("second/clipboard-"), "{keys2:?}");
    let link2 = wait_clipboard_text(&display, |t| t.contains(&two.server.public_base()));
    assert_eq!(http_get(&url_in(&link2)).0, 200);
    drop(holder);

    // 5. The tray's "Switch profile" item (its real handler; Xvfb has no tray host to click).
    s.invoke("tray_action", json!({"id": "profile:local"}))
        .unwrap();
    wait_config_default(&cfg_dir, "local");
    s.wait_for_script(
        "return document.querySelector('[data-testid=profile-switcher]').value === 'local'",
        LONG,
        "the switcher to follow the tray",
    );
    // Its "History…" and "Settings…" items open the window on that view.
    for view in ["history", "settings", "upload"] {
        s.invoke("tray_action", json!({"id": format!("open:{view}")}))
            .unwrap();
        s.wait(
            &format!("[data-testid=tab-{view}][aria-selected=true]"),
            LONG,
        );
    }

    // 5b. The tray's "Recent uploads": choosing one copies its link.
    let page = history_search(&s, "from-argument");
    let row = &page["rows"][0];
    let id = row["id"].as_i64().unwrap();
    let markdown = row["links"]["markdown"].as_str().unwrap().to_owned();
    s.invoke("tray_action", json!({"id": format!("recent:{id}")}))
        .unwrap();
    assert_eq!(wait_clipboard_text(&display, |t| t == markdown), markdown);

    // 5c. Settings apply their side effects at once: start at login writes the XDG autostart
    //     entry, and turning it off removes it.
    let state = s.invoke("app_state", json!({})).unwrap();
    let mut settings = state["settings"].clone();
    settings["autostart"] = json!(true);
    s.invoke("save_settings", json!({"settings": settings}))
        .unwrap();
    let autostart = autostart_file();
    let entry = std::fs::read_to_string(&autostart)
        .unwrap_or_else(|e| panic!("{}: {e}", autostart.display()));
    assert!(
        entry.contains("--hidden") && entry.contains("hoist-desktop"),
        "{entry}"
    );
    settings["autostart"] = json!(false);
    s.invoke("save_settings", json!({"settings": settings}))
        .unwrap();
    assert!(!autostart.exists());
    let bad = s.invoke("save_settings", json!({"settings": {"shortcut": "Ctrl+Nope+", "notifications": true, "autostart": false, "language": "en", "autoCopy": true, "serverEnabled": true, "serverPort": server_port}}));
    assert_eq!(bad.unwrap_err()["code"], "shortcut.invalid");
    // One key for two uses is refused, saying which.
    let mut clash = state["settings"].clone();
    clash["profileShortcuts"] = json!({"second": "Ctrl+Alt+J", "flaky": "ctrl+alt+u"});
    let refused = s
        .invoke("save_settings", json!({"settings": clash}))
        .unwrap_err();
    assert_eq!(refused["code"], "shortcut.conflict", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("already the Upload clipboard shortcut"),
        "{refused}"
    );

    // 6. The global shortcut, pressed through the X server.
    if Command::new("xdotool").arg("version").output_now().is_ok() {
        let holder = offer_png(
            &display,
            &one.input("shortcut.png", &fixtures::screenshot_png(300, 300)),
        );
        let n = wait_objects(&one, 2).len();
        xdotool(&display, &["key", "--clearmodifiers", "ctrl+alt+u"]);
        assert_eq!(wait_objects(&one, n + 1).len(), n + 1);
        // The profile's own shortcut: a clipboard image goes to the second bucket, while
        // `local` stays the active profile. (The first upload put its link in the clipboard:
        // an image is offered again.)
        drop(holder);
        let holder = offer_png(
            &display,
            &one.input("profile-shortcut.png", &fixtures::screenshot_png(260, 160)),
        );
        let m = two.object_keys().len();
        let app_state = s.invoke("app_state", json!({})).unwrap();
        assert_eq!(app_state["shortcutError"], Value::Null, "{app_state}");
        xdotool(&display, &["key", "--clearmodifiers", "ctrl+alt+j"]);
        let keys = wait_objects(&two, m + 1);
        assert!(
            keys.iter()
                .any(|k| k.replace('\\', "/").starts_with("second/")),
            "{keys:?}"
        );
        assert_eq!(
            s.invoke("app_state", json!({})).unwrap()["activeProfile"],
            "local"
        );
        drop(holder);
    } else {
        assert!(!required("HOIST_REQUIRE_DESKTOP"), "xdotool required");
    }

    // 6b. Clipboard watch, on the real X clipboard: an image copied by another program is
    //     uploaded and its link replaces it; Hoist's own link is not uploaded; copies made while
    //     paused (the tray's toggle, clicked through the tray host) are left alone, also after
    //     the pause ends; off again, nothing is watched.
    let mut settings = s.invoke("app_state", json!({})).unwrap()["settings"].clone();
    settings["clipboardWatch"] = json!(true);
    let state = s
        .invoke("save_settings", json!({"settings": settings}))
        .unwrap();
    assert_eq!(state["clipboardWatchError"], Value::Null, "{state}");
    let n = wait_objects(&one, 1).len();
    let holder = offer_png(
        &display,
        &one.input("copied.png", &fixtures::screenshot_png(280, 180)),
    );
    assert_eq!(wait_objects(&one, n + 1).len(), n + 1);
    let link = wait_clipboard_text(&display, |t| t.contains("http://127.0.0.1"));
    drop(holder);
    let copied_url = url_in(&link);
    assert_eq!(http_get(&copied_url).0, 200, "{link}");
    // Bounded wait for what must not happen: Hoist's own link coming back as an upload.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(one.object_keys().len(), n + 1, "the link was not uploaded");
    let paused = |want: bool| {
        let t = Instant::now();
        while s.invoke("app_state", json!({})).unwrap()["settings"]["clipboardWatchPaused"]
            != json!(want)
        {
            assert!(t.elapsed() < LONG, "the tray's pause never became {want}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    tray.click("Pause clipboard watch");
    paused(true);
    let holder = offer_png(
        &display,
        &one.input("while-paused.png", &fixtures::screenshot_png(240, 150)),
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(one.object_keys().len(), n + 1, "a paused copy was uploaded");
    assert!(clipboard_targets(&display).contains("image/png"));
    tray.click("Pause clipboard watch");
    paused(false);
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(one.object_keys().len(), n + 1, "the pause's copy was taken");
    drop(holder);
    let holder = offer_png(
        &display,
        &one.input("resumed.png", &fixtures::screenshot_png(200, 210)),
    );
    assert_eq!(wait_objects(&one, n + 2).len(), n + 2);
    wait_clipboard_text(&display, |t| t.contains("http://127.0.0.1"));
    drop(holder);
    // Asking first: Skip (Escape) leaves the copy alone, Upload takes it.
    if Command::new("xdotool").arg("version").output_now().is_ok() {
        settings["clipboardWatchConfirm"] = json!(true);
        s.invoke("save_settings", json!({"settings": settings}))
            .unwrap();
        let holder = offer_png(
            &display,
            &one.input("skipped.png", &fixtures::screenshot_png(150, 120)),
        );
        answer_prompt(&display, "Escape");
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(
            one.object_keys().len(),
            n + 2,
            "a skipped copy was uploaded"
        );
        drop(holder);
        let holder = offer_png(
            &display,
            &one.input("confirmed.png", &fixtures::screenshot_png(170, 130)),
        );
        answer_prompt(&display, "Return");
        assert_eq!(wait_objects(&one, n + 3).len(), n + 3);
        drop(holder);
        settings["clipboardWatchConfirm"] = json!(false);
    }
    settings["clipboardWatch"] = json!(false);
    s.invoke("save_settings", json!({"settings": settings}))
        .unwrap();
    let n = one.object_keys().len();
    let holder = offer_png(
        &display,
        &one.input("not-watched.png", &fixtures::screenshot_png(180, 180)),
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(one.object_keys().len(), n, "the watch is off");
    drop(holder);

    // 7. A second launch with a file hands it to the running app and exits.
    let n = wait_objects(&one, 3).len();
    let second = one.input("second-launch.png", &fixtures::screenshot_png(200, 120));
    let mut c = Command::new(&bin);
    c.arg(&second).arg(&tag);
    for (k, v) in &env {
        c.env(k, v);
    }
    // Without a display: the hand-over happens before GTK starts (src-tauri/src/handover.rs),
    // so it cannot race GTK's threads at exit, and this launch fails if it ever moves later.
    c.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    let t = Instant::now();
    let st = c
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "second instance: {st}");
    assert!(t.elapsed() < LONG);
    assert_eq!(wait_objects(&one, n + 1).len(), n + 1);

    // 8. The embedded PicGo-compatible server uploads through the app.
    let picgo = one.input("from-editor.png", &fixtures::screenshot_png(64, 64));
    let resp: Value = reqwest::blocking::Client::new()
        .post(format!("http://127.0.0.1:{server_port}/upload"))
        .json(&json!({"list": [picgo.display().to_string()]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(resp["success"], true, "{resp}");
    let served = resp["result"][0].as_str().unwrap();
    assert_eq!(http_get(served).0, 200);
    // It ran as a batch of the window's own: a done row with its link, like a drop.
    tab(&s, "upload");
    let t = Instant::now();
    while !done_rows(&s).iter().any(|u| u == served) {
        assert!(
            t.elapsed() < LONG,
            "no row for the editor's upload {served}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // 9. Delete an upload's object from the bucket through the history view (confirmed).
    tab(&s, "history");
    let search = s.wait("[data-testid=history-search]", LONG);
    s.execute(
        "const el = document.querySelector('[data-testid=history-search]'); el.value = ''; el.dispatchEvent(new Event('input', {bubbles: true})); return true",
        json!([]),
    );
    s.send_keys(&search, "from-editor");
    s.wait_for_script(
        "const r = document.querySelectorAll('[data-testid=history-row]'); return r.length === 1 && r[0].innerText.includes('from-editor')",
        LONG,
        "search for from-editor",
    );
    s.click(&s.wait("[data-testid=history-delete-remote]", LONG));
    s.click(&s.wait("[data-testid=confirm-remote-delete]", LONG));
    let t = Instant::now();
    while http_get(served).0 != 404 {
        assert!(
            t.elapsed() < LONG,
            "the object is still served after the delete"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    s.wait_for_script(
        "return document.querySelectorAll('[data-testid=history-row]').length === 0",
        LONG,
        "the deleted row to leave the history",
    );

    // 9b. The Bucket tab browses bucket two: folders, thumbnails, paging, links, move, delete.
    browse_bucket(&s, &two, &display, &shots);

    // 9c. History's Check links finds the upload whose object went missing, and Upload again
    //     stores it from its kept source under the same link.
    let row = history_search(&s, "from-argument")["rows"][0].clone();
    let first_url = row["url"].as_str().unwrap().to_owned();
    std::fs::remove_file(one.server.object_file(&first_key)).unwrap();
    assert_eq!(http_get(&first_url).0, 404);
    tab(&s, "history");
    s.click(&s.wait("[data-testid=history-check]", LONG));
    s.wait_for_script(
        "const s = document.querySelector('[data-testid=history-check-summary]'); return s && s.dataset.broken === '1'",
        LONG,
        "one broken link",
    );
    let broken = s.execute(
        "return [...document.querySelectorAll('[data-testid=history-broken]')].map(r => r.dataset.id + ' ' + r.innerText)",
        json!([]),
    );
    assert!(
        broken[0]
            .as_str()
            .unwrap_or_default()
            .starts_with(&format!("{} ", row["id"])),
        "{broken}"
    );
    set_theme(&s, "light");
    s.screenshot(&shots.join("history-check-light.png"));
    s.click(&s.wait("[data-testid=history-reupload]", LONG));
    let t = Instant::now();
    while http_get(&first_url).0 != 200 {
        assert!(t.elapsed() < LONG, "{first_url} never came back");
        std::thread::sleep(Duration::from_millis(100));
    }

    // 9d. A new image in the watched folder is uploaded with the folder's profile and its
    //     link copied; the image that was there before is not.
    let n = wait_objects(&one, 1).len();
    std::fs::write(
        watched.join("new shot.png"),
        fixtures::screenshot_png(260, 140),
    )
    .unwrap();
    let link = wait_clipboard_text(&display, |t| t.starts_with("![new shot]("));
    let (status, _, body) = http_get(&url_in(&link));
    assert_eq!(status, 200);
    let img = image::load_from_memory(&body).unwrap();
    assert_eq!((img.width(), img.height()), (260, 140));
    assert_eq!(wait_objects(&one, n + 1).len(), n + 1);
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(wait_objects(&one, 1).len(), n + 1, "old.png stays local");

    // 10. A failed upload stays, says why, and Retry finishes it once the cause is fixed.
    tab(&s, "upload");
    s.invoke("set_active_profile", json!({"name": "flaky"}))
        .unwrap();
    let kept = one.input("kept.png", &fixtures::screenshot_png(240, 160));
    let objects = wait_objects(&one, 1).len();
    s.invoke(
        "upload_paths",
        json!({"paths": [kept.display().to_string()]}),
    )
    .unwrap();
    s.wait("[data-testid=job-row][data-stage=failed]", LONG);
    let why = s
        .execute(
            "return document.querySelector('[data-testid=job-row][data-stage=failed]').innerText",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(why.contains("kept.png"), "{why}");
    let text = std::fs::read_to_string(cfg_dir.join("config.toml")).unwrap();
    std::fs::write(
        cfg_dir.join("config.toml"),
        text.replace(&flaky_endpoint, &one.server.s3_endpoint()),
    )
    .unwrap();
    set_theme(&s, "light");
    s.screenshot(&shots.join("upload-failed-light.png"));
    s.click(&s.wait("[data-testid=job-retry]", LONG));
    s.wait_for_script(
        "return document.querySelectorAll('[data-testid=job-row][data-stage=failed]').length === 0",
        LONG,
        "the retried upload to finish",
    );
    assert_eq!(wait_objects(&one, objects + 1).len(), objects + 1);
    s.invoke("set_active_profile", json!({"name": "local"}))
        .unwrap();

    // 10b. Cancel: an upload that hangs is stopped from its row and stays retryable.
    s.invoke("set_active_profile", json!({"name": "stall"}))
        .unwrap();
    let stuck = one.input("stalled.png", &fixtures::screenshot_png(200, 200));
    s.invoke(
        "upload_paths",
        json!({"paths": [stuck.display().to_string()]}),
    )
    .unwrap();
    s.wait("[data-testid=job-row][data-stage=uploading]", LONG);
    s.click(&s.wait("[data-testid=job-cancel]", LONG));
    s.wait_for_script(
        "return [...document.querySelectorAll('[data-testid=job-row][data-stage=failed]')].some(r => r.innerText.includes('stalled.png') && r.innerText.includes('cancelled'))",
        LONG,
        "the cancelled row",
    );
    let page = history_search(&s, "stalled");
    assert_eq!(page["rows"][0]["status"], "failed", "{page}");
    s.invoke("set_active_profile", json!({"name": "local"}))
        .unwrap();

    // 10c. An editor's upload that fails shows its row and a notification naming the file,
    //      and the editor is told why.
    let broken = one.input("editor-unreachable.png", &fixtures::screenshot_png(90, 90));
    let resp: Value = reqwest::blocking::Client::new()
        .post(format!(
            "http://127.0.0.1:{server_port}/upload?profile=offline"
        ))
        .json(&json!({"list": [broken.display().to_string()]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(resp["success"], false, "{resp}");
    assert!(
        resp["message"]
            .as_str()
            .is_some_and(|m| m.contains("editor-unreachable.png")),
        "{resp}"
    );
    s.wait_for_script(
        "return [...document.querySelectorAll('[data-testid=job-row][data-stage=failed]')].some(r => r.innerText.includes('editor-unreachable.png'))",
        LONG,
        "the failed row of the editor's upload",
    );
    if let Some(n) = &notifications {
        let calls = n.wait_for("editor-unreachable.png");
        assert!(calls.contains("Upload failed"), "{calls}");
    }

    // 11. Settings: the profiles list shows them all; screenshots.
    tab(&s, "settings");
    s.wait("[data-testid=profile-item][data-name=second]", LONG);
    set_theme(&s, "light");
    s.screenshot(&shots.join("settings-light.png"));
    set_theme(&s, "dark");
    s.screenshot(&shots.join("settings-dark.png"));
    // The profile editor, with its live key and link preview.
    s.click(&s.wait(
        "[data-testid=profile-item][data-name=local] [data-testid=profile-edit]",
        LONG,
    ));
    s.wait_for_script(
        "return document.body.innerText.includes('2026') || document.body.innerText.includes('.webp')",
        LONG,
        "the key preview",
    );
    s.screenshot(&shots.join("profile-dark.png"));
    set_theme(&s, "light");
    s.screenshot(&shots.join("profile-light.png"));
    // Its size rules: small files kept, large ones at a lower quality, saved in bytes.
    s.execute(
        "document.querySelector('[data-testid=pf-size-rules]').scrollIntoView({block: 'center'})",
        json!([]),
    );
    s.send_keys(&s.wait("#pf-keepbelow", LONG), "20");
    s.send_keys(&s.wait("#pf-largeabove", LONG), "5");
    s.send_keys(&s.wait("#pf-largeq", LONG), "60");
    s.screenshot(&shots.join("profile-rules-light.png"));
    // Its mirrors: every other profile offered, none checked.
    s.execute(
        "document.querySelector('[data-testid=pf-mirrors]').scrollIntoView({block: 'center'})",
        json!([]),
    );
    s.wait("[data-testid=pf-mirrors] [data-testid=pf-mirror]", LONG);
    s.screenshot(&shots.join("profile-mirrors-light.png"));
    // Its watermark: the sample the Rust preview marks, shown as typed; then off again, so
    // the rest of the run uploads unmarked images.
    s.execute(
        "document.querySelector('[data-testid=pf-watermark]').scrollIntoView({block: 'start'})",
        json!([]),
    );
    s.click(&s.wait("#pf-wm-on", LONG));
    s.send_keys(&s.wait("#pf-wm-text", LONG), "© Hoist e2e");
    s.wait_for_script(
        "const i = document.querySelector('[data-testid=pf-wm-preview]'); return !!i && i.src.startsWith('data:image/') && i.complete && i.naturalWidth > 0",
        LONG,
        "the watermark preview",
    );
    s.execute(
        "document.querySelector('[data-testid=pf-wm-preview]').scrollIntoView({block: 'center'})",
        json!([]),
    );
    s.screenshot(&shots.join("profile-watermark-light.png"));
    s.click(&s.wait("#pf-wm-on", LONG));
    s.click(&s.wait("[data-testid=pf-save]", LONG));
    let t = Instant::now();
    loop {
        let saved = Config::load(&cfg_dir.join("config.toml"))
            .ok()
            .and_then(|c| c.profiles.get("local").map(|p| p.processing.clone()));
        if let Some(p) = saved
            && p.keep_below == Some(20_000)
        {
            let large = p.large.expect("the large-file rule was saved");
            assert_eq!((large.above, large.quality), (5_000_000, Some(60)));
            break;
        }
        assert!(t.elapsed() < LONG, "the size rules were not saved");
        std::thread::sleep(Duration::from_millis(100));
    }

    // 11a. Settings → General shows each profile's shortcut (the one desktop.toml gave).
    s.click(&s.wait("[data-testid=settings-general]", LONG));
    s.wait("[data-testid=profile-shortcut][data-name=second]", LONG);
    s.execute(
        "document.querySelector('[data-testid=profile-shortcut][data-name=second]').scrollIntoView({block: 'center'})",
        json!([]),
    );
    s.wait_for_script(
        "return [...document.querySelectorAll('[data-testid=profile-shortcut][data-name=second] input')].some(i => i.value.includes('J'))",
        LONG,
        "the second profile's shortcut",
    );
    s.screenshot(&shots.join("settings-shortcuts-light.png"));
    // Its clipboard watch switch saves at once; the confirm and pause options come with it.
    let desktop_toml = || std::fs::read_to_string(cfg_dir.join("desktop.toml")).unwrap_or_default();
    s.execute(
        "document.querySelector('[data-testid=clipwatch]').scrollIntoView({block: 'center'})",
        json!([]),
    );
    s.click(&s.wait("#set-clipwatch", LONG));
    s.wait("#set-clipwatch-paused", LONG);
    let t = Instant::now();
    while !desktop_toml().contains("clipboardWatch = true") {
        assert!(
            t.elapsed() < LONG,
            "the clipboard watch switch was not saved"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    s.screenshot(&shots.join("settings-clipwatch-light.png"));
    s.click(&s.wait("#set-clipwatch", LONG));
    let t = Instant::now();
    while !desktop_toml().contains("clipboardWatch = false") {
        assert!(
            t.elapsed() < LONG,
            "turning the clipboard watch off was not saved"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // 11b. Settings → Watch folders lists the watched folder; turning its link copy off is
    //      saved to desktop.toml (and restarts its watcher).
    s.click(&s.wait("[data-testid=settings-watch]", LONG));
    let row = format!(
        "[data-testid=watch-folder][data-path={:?}]",
        watched.display().to_string()
    );
    s.wait(&row, LONG);
    set_theme(&s, "light");
    s.screenshot(&shots.join("settings-watch-light.png"));
    s.click(&s.wait(&format!("{row} [data-testid=watch-copy]"), LONG));
    let t = Instant::now();
    while !std::fs::read_to_string(cfg_dir.join("desktop.toml"))
        .unwrap_or_default()
        .contains("copyLinks = false")
    {
        assert!(
            t.elapsed() < LONG,
            "the watch folder's change was not saved"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // 11c. Settings → Sync: turned on with a passphrase (kept in the keychain); another device
    //      (the CLI with folders of its own) joins with the same passphrase and gets this
    //      history; its upload shows here after "Sync now", and the status says when.
    if hoist_e2e::real_keychain_or_skip() {
        const PASS: &str = "two devices, one library";
        s.click(&s.wait("[data-testid=settings-sync]", LONG));
        s.wait("[data-testid=sync-off]", LONG);
        set_theme(&s, "light");
        s.screenshot(&shots.join("settings-sync-off-light.png"));
        s.send_keys(&s.wait("[data-testid=sync-passphrase]", LONG), PASS);
        s.send_keys(&s.wait("[data-testid=sync-passphrase2]", LONG), PASS);
        s.send_keys(
            &s.wait("[data-testid=sync-device-name]", LONG),
            "e2e desktop",
        );
        s.click(&s.wait("[data-testid=sync-enable]", LONG));
        s.wait("[data-testid=sync-on] [data-testid=sync-last]", LONG);
        let other = one.dir.path().join("other-device");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(
            other.join("config.toml"),
            format!(
                "schema = 1\ndefault_profile = \"local\"\n\n{}",
                one.profile_toml("local", &one.server.s3_endpoint(), "")
            ),
        )
        .unwrap();
        let on_other = |args: &[&str]| {
            let out = one
                .hoist()
                .env("HOIST_CONFIG_DIR", &other)
                .env("HOIST_SYNC_PASSPHRASE", PASS)
                .args(args)
                .output_now()
                .unwrap();
            assert!(
                out.status.success(),
                "hoist {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        on_other(&["sync", "enable", "--name", "e2e laptop"]);
        let listed = on_other(&["history", "list", "-n", "100", "--json"]);
        assert!(listed.contains("from-argument.png"), "{listed}");
        let far = one.input("from-other-device.png", &fixtures::screenshot_png(150, 90));
        on_other(&["upload", "--no-copy", far.to_str().unwrap()]);
        on_other(&["sync", "now"]);
        s.click(&s.wait("[data-testid=sync-now]", LONG));
        s.wait_for_script(
            "return [...document.querySelectorAll('[data-testid=sync-device]')].some(r => r.innerText.includes('e2e laptop'))",
            LONG,
            "the other device listed by its name",
        );
        set_theme(&s, "light");
        s.screenshot(&shots.join("settings-sync-light.png"));
        let out = Command::new(hoist_bin())
            .args(["history", "search", "from-other-device", "--json"])
            .env("HOIST_CONFIG_DIR", &cfg_dir)
            .output_now()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("from-other-device.png"),
            "the other device's upload did not arrive"
        );
        // A profile removed on the other device takes its shortcut here with it.
        assert!(desktop_toml().contains("Ctrl+Alt+J"));
        on_other(&["profile", "remove", "second"]);
        on_other(&["sync", "now"]);
        s.click(&s.wait("[data-testid=sync-now]", LONG));
        let t = Instant::now();
        while desktop_toml().contains("Ctrl+Alt+J") {
            assert!(
                t.elapsed() < LONG,
                "the removed profile's shortcut stayed: {}",
                desktop_toml()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let cfg = Config::load(&cfg_dir.join("config.toml")).unwrap();
        assert!(!cfg.profiles.contains_key("second"));
    }

    // 12. The same history through the CLI (one SQLite file, shared).
    let out = Command::new(hoist_bin())
        .args(["history", "list", "--json"])
        .env("HOIST_CONFIG_DIR", &cfg_dir)
        .output_now()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    for name in ["from-argument.png", "second-launch.png", "kept.png"] {
        assert!(listed.contains(name), "{name} not in CLI history: {listed}");
    }
    assert!(!listed.contains(SECRET));

    // 13. Closing the window destroys it: WebKit's processes end and Hoist stays in the tray,
    //     whose menu still uploads; "History…" builds a new window that shows that upload.
    let web_processes = || {
        app_processes(&tag)
            .into_iter()
            .filter(|c| c.starts_with("WebKit"))
            .collect::<Vec<_>>()
    };
    assert!(!web_processes().is_empty(), "{:?}", app_processes(&tag));
    let old = s.window_handle();
    close_window(&display, "Hoist");
    let t = Instant::now();
    while web_processes()
        .iter()
        .any(|c| c.starts_with("WebKitWebProces"))
    {
        assert!(
            t.elapsed() < LONG,
            "the web process outlived the closed window: {:?}",
            app_processes(&tag)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let n = wait_objects(&one, 1).len();
    let holder = offer_png(
        &display,
        &one.input("tray-upload.png", &fixtures::screenshot_png(420, 260)),
    );
    tray.click("Upload clipboard");
    let link = wait_clipboard_text(&display, |t| t.starts_with("!["));
    drop(holder);
    assert_eq!(wait_objects(&one, n + 1).len(), n + 1);
    assert_eq!(http_get(&url_in(&link)).0, 200, "{link}");
    let name = link
        .strip_prefix("![")
        .and_then(|l| l.split_once(']'))
        .map(|(n, _)| n.to_owned())
        .unwrap();
    tray.click("History…");
    s.switch_to_new_window(&old, LONG);
    s.wait("[data-testid=tab-history][aria-selected=true]", LONG);
    s.wait_for_script(
        &format!(
            "return [...document.querySelectorAll('[data-testid=history-row]')].some(r => r.innerText.includes({}))",
            json!(name)
        ),
        LONG,
        "the tray's upload in the reopened window",
    );
    // Its thumbnail comes through the app's `thumb:` protocol, which the new web view has too.
    s.wait_for_script(
        &format!(
            "const r = [...document.querySelectorAll('[data-testid=history-row]')].find(r => r.innerText.includes({})); const i = r && r.querySelector('img'); return !!i && i.complete && i.naturalWidth > 0",
            json!(name)
        ),
        LONG,
        "the upload's thumbnail in the reopened window",
    );
    set_theme(&s, "light");
    s.screenshot(&shots.join("reopened-history-light.png"));

    // 15. Capture: a known pattern on the screen, the tray's "Capture region…", a mouse drag
    //     over the pattern in the overlay, Enter: the object's pixels are the pattern's, and
    //     Esc on a second overlay uploads nothing.
    let pattern = hoist_e2e::xvfb::pattern(240, 160);
    let painted = hoist_e2e::xvfb::paint_window(&display, 960, 300, &pattern);
    let main = s.window_handle();
    let before = wait_objects(&one, 1);
    let overlay = |s: &Session| {
        tray.click("Capture region…");
        s.switch_to_new_window(&main, LONG);
        s.wait("[data-testid=capture-overlay]", LONG);
        s.wait_for_script(
            "const i = document.querySelector('[data-testid=capture-picture]'); return !!i && i.complete && i.naturalWidth > 0",
            LONG,
            "the overlay's picture",
        );
        // Shown over the whole screen only once painted.
        let t = Instant::now();
        while s.window_rect() != (0, 0, 1280, 800) {
            assert!(
                t.elapsed() < LONG,
                "the overlay covers {:?}",
                s.window_rect()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    overlay(&s);
    s.drag((980, 320), (1180, 440));
    let size = s.wait("[data-testid=capture-size]", LONG);
    assert_eq!(s.text(&size), "200 × 120");
    s.screenshot(&shots.join("capture-overlay.png"));
    s.press_key("\u{E007}");
    let after = wait_objects(&one, before.len() + 1);
    // The images, not the sync log the app also writes to this bucket.
    let images = |keys: Vec<String>| -> Vec<String> {
        keys.into_iter()
            .filter(|k| !k.starts_with(".hoist/"))
            .collect()
    };
    let key = images(after.clone())
        .into_iter()
        .find(|k| !before.contains(k))
        .expect("the capture's object");
    let object = image::load_from_memory(&one.object(&key).unwrap())
        .unwrap()
        .to_rgba8();
    // The pattern's pixels under the dragged region, as the profile's processing makes them
    // (lossy WebP here, so compared with what the same encoder gives for the exact region).
    let region = image::imageops::crop_imm(&pattern, 20, 20, 200, 120).to_image();
    let processing = Config::load(&cfg_dir.join("config.toml"))
        .unwrap()
        .resolve(Some("local"))
        .unwrap()
        .processing;
    let want = hoist_imaging::process(
        &hoist_imaging::fast_png(region.as_raw(), 200, 120).unwrap(),
        &processing,
    )
    .unwrap();
    let want = image::load_from_memory(&want.bytes).unwrap().to_rgba8();
    assert_eq!(object.dimensions(), (200, 120), "{key}");
    assert!(
        object == want,
        "{key}: the uploaded pixels are not those of the region dragged"
    );
    let t = Instant::now();
    while s.window_handles().len() > 1 {
        assert!(t.elapsed() < LONG, "the overlay stayed after its upload");
        std::thread::sleep(Duration::from_millis(100));
    }
    overlay(&s);
    s.press_key("\u{E00C}");
    let t = Instant::now();
    while s.window_handles().len() > 1 {
        assert!(t.elapsed() < LONG, "Esc left the overlay open");
        std::thread::sleep(Duration::from_millis(100));
    }
    s.switch_to(&main);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        images(one.object_keys()),
        images(after),
        "Esc uploaded something"
    );
    drop(painted);

    // 14. The app as a user starts it, without WebDriver (so with its lighter web view: no
    //     compositing, GDK's GL off) paints its window; the screen is grabbed from outside.
    s.quit_app();
    let t = Instant::now();
    while !app_tree(&tag).is_empty() {
        assert!(t.elapsed() < LONG, "the app did not quit");
        std::thread::sleep(Duration::from_millis(100));
    }
    let plain = Figured::start(
        &bin,
        &[],
        &[
            ("HOIST_CONFIG_DIR", cfg_dir.display().to_string()),
            (SECRET_ENV, SECRET.to_owned()),
            ("LANG", "en_US.UTF-8".to_owned()),
            ("HOIST_LOG", "warn,hoist::ready=info".to_owned()),
        ],
    );
    plain.wait_line("the window asked for the state");
    let grabbed = shots.join("plain-launch.png");
    let t = Instant::now();
    loop {
        run_desktop_host(&["grab".as_ref(), grabbed.as_os_str()], Some(&display));
        let screen = image::open(&grabbed).unwrap().to_rgb8();
        let colours: std::collections::HashSet<[u8; 3]> = screen.pixels().map(|p| p.0).collect();
        // Text, icons and the theme's shades (an unpainted window is one flat colour), and the
        // ready state: the profile switcher's text at the header's right end (the window is
        // 900 px wide at the screen's top left).
        let switcher = (600..890)
            .flat_map(|x| (8..48).map(move |y| (x, y)))
            .filter(|&(x, y)| screen.get_pixel(x, y).0.iter().all(|&c| c < 110))
            .count();
        if colours.len() >= 64 && switcher >= 20 {
            break;
        }
        assert!(
            t.elapsed() < LONG,
            "the window is not painted ready: {} colours, {switcher} dark pixels where the profile switcher goes",
            colours.len()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    tray.click("Quit");
    plain.wait_exit();
}

/// Whether tests/drag_source.py can run: the system Python with GTK 3's introspection binding,
/// and xdotool to move the pointer.
fn drag_source_ready() -> bool {
    let ok = |c: &mut Command| {
        c.stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    ok(Command::new("xdotool").arg("version"))
        && ok(Command::new("/usr/bin/python3").args([
            "-c",
            "import gi; gi.require_version('Gtk', '3.0'); from gi.repository import Gtk",
        ]))
}

/// tests/drag_source.py: a GTK window at a given place on screen offering files over XDND; its
/// report lines arrive through a channel. Killed when dropped (it also stops by itself).
struct DragSource {
    _child: Holder,
    lines: std::sync::mpsc::Receiver<String>,
}

impl DragSource {
    fn start(display: &str, x: i64, y: i64, paths: &[&Path]) -> DragSource {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("drag_source.py");
        let mut child = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(x.to_string())
            .arg(y.to_string())
            .args(paths)
            .env("DISPLAY", display)
            .stdout(Stdio::piped())
            .spawn_now()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        DragSource {
            _child: Holder(child),
            lines,
        }
    }

    /// The next report line starting with one of `prefixes` (others are passed over).
    fn wait_line(&self, prefixes: &[&str]) -> String {
        let deadline = Instant::now() + LONG;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if prefixes.iter().any(|p| line.starts_with(p)) => return line,
                Ok(_) => {}
                Err(e) => panic!("the drag source never said {prefixes:?}: {e}"),
            }
        }
    }
}

/// tests/desktop_host.py `host`: a StatusNotifier tray host on the session bus, so the app's
/// tray icon registers as on a desktop with a panel and its menu can be clicked through D-Bus.
/// Must start before the app. Stopped when dropped.
struct TrayHost {
    _child: Holder,
    registered: PathBuf,
}

fn desktop_host() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("desktop_host.py")
}

/// Runs one tests/desktop_host.py command (on the X display `display`, if given) and fails the
/// test with its error when it fails.
fn run_desktop_host(args: &[&std::ffi::OsStr], display: Option<&str>) {
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.arg(desktop_host()).args(args);
    if let Some(d) = display {
        cmd.env("DISPLAY", d);
    }
    let out = cmd.output_now().unwrap();
    assert!(
        out.status.success(),
        "desktop_host.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TrayHost {
    fn start(dir: &Path) -> TrayHost {
        let registered = dir.join("tray-items");
        let _ = std::fs::remove_file(&registered);
        let child = Holder(
            Command::new("/usr/bin/python3")
                .arg(desktop_host())
                .arg("host")
                .arg(&registered)
                .stdout(Stdio::null())
                .spawn_now()
                .unwrap(),
        );
        let t = Instant::now();
        while !registered.exists() {
            assert!(t.elapsed() < LONG, "the tray host did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        TrayHost {
            _child: child,
            registered,
        }
    }

    /// Clicks the tray menu item labelled `label`, as a panel does: the app's real handler runs.
    fn click(&self, label: &str) {
        run_desktop_host(
            &[
                "click".as_ref(),
                self.registered.as_os_str(),
                label.as_ref(),
            ],
            None,
        );
    }
}

/// Closes the window titled `title` as a window manager's close button does (WM_DELETE_WINDOW).
fn close_window(display: &str, title: &str) {
    run_desktop_host(&["close".as_ref(), title.as_ref()], Some(display));
}

/// The names (`comm`) of the app's processes: the one started with `tag` and its descendants.
fn app_processes(tag: &str) -> Vec<String> {
    app_tree(tag)
        .iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok())
        .map(|c| c.trim().to_owned())
        .collect()
}

/// Waits for the clipboard watch's question and answers it with `key`, as a user would: the
/// dialog gets the keyboard focus (Xvfb has no window manager to give it) and the key is typed.
fn answer_prompt(display: &str, key: &str) {
    let t = Instant::now();
    let id = loop {
        let out = Command::new("xdotool")
            .args([
                "search",
                "--onlyvisible",
                "--name",
                "Upload the copied image",
            ])
            .env("DISPLAY", display)
            .output_now()
            .unwrap();
        if let Some(id) = String::from_utf8_lossy(&out.stdout).lines().next() {
            break id.to_owned();
        }
        assert!(t.elapsed() < LONG, "the clipboard watch never asked");
        std::thread::sleep(Duration::from_millis(100));
    };
    xdotool(display, &["windowfocus", "--sync", &id]);
    xdotool(display, &["key", "--clearmodifiers", key]);
}

fn xdotool(display: &str, args: &[&str]) {
    let st = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .status()
        .unwrap();
    assert!(st.success(), "xdotool {args:?}: {st}");
}

/// Drags `paths` from another program (the XDND drag source) onto the upload view's drop
/// zone, as a file manager would: the pointer presses on the source, moves onto the zone and is
/// released once the zone shows the hovering drag.
fn drag_onto_dropzone(s: &Session, display: &str, paths: &[&Path]) {
    let (wx, wy, ww, _) = s.window_rect();
    let zone = s.execute(
        "const r = document.querySelector('[data-testid=dropzone]').getBoundingClientRect(); return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)]",
        json!([]),
    );
    let (tx, ty) = (
        wx + zone[0].as_i64().unwrap(),
        wy + zone[1].as_i64().unwrap(),
    );
    // Beside the window: with no window manager, windows sit where they are put.
    let source = DragSource::start(display, wx + ww + 20, wy + 40, paths);
    let ready = source.wait_line(&["ready"]);
    let n: Vec<i64> = ready
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    let (sx, sy) = (n[0] + n[2] / 2, n[1] + n[3] / 2);

    xdotool(display, &["mousemove", &sx.to_string(), &sy.to_string()]);
    xdotool(display, &["mousedown", "1"]);
    // Steps, as a hand moves: the first one past GTK's drag threshold starts the drag.
    for i in 1..=10 {
        let x = sx + (tx - sx) * i / 10;
        let y = sy + (ty - sy) * i / 10;
        xdotool(display, &["mousemove", &x.to_string(), &y.to_string()]);
        std::thread::sleep(Duration::from_millis(50));
    }
    // XDND reports positions on motion only: wiggle by a pixel until the zone highlights.
    let t = Instant::now();
    let mut wiggle = 0;
    while s.execute(
        "return document.querySelector('[data-testid=dropzone]').dataset.hover",
        json!([]),
    ) != "true"
    {
        assert!(t.elapsed() < LONG, "the drop zone never showed the drag");
        wiggle = 1 - wiggle;
        xdotool(
            display,
            &["mousemove", &(tx + wiggle).to_string(), &ty.to_string()],
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    xdotool(display, &["mouseup", "1"]);
    assert_eq!(source.wait_line(&["end"]), "end dropped");
    s.wait_for_script(
        // (A Markdown drop leaves the upload view, drop zone included.)
        "const z = document.querySelector('[data-testid=dropzone]'); return !z || z.dataset.hover === 'false'",
        LONG,
        "the drop zone to leave its hover state",
    );
}

/// Step 2b: the drag source offers two images and a folder holding two more images (one in a
/// subfolder) and a text file, which a folder drop leaves alone. The pointer presses on the
/// source, moves onto the drop zone and is released once the zone shows the hovering drag;
/// then every image is a done row, an object that decodes, and one line of the clipboard.
fn drop_files(s: &Session, world: &World, display: &str, shots: &Path) {
    let first = world.input("dropped-first.png", &fixtures::screenshot_png(300, 200));
    let second = world.input(
        "dropped-photo.jpg",
        &fixtures::photo_jpeg(240, 180, None, false),
    );
    let folder = world.dir.path().join("dropped-folder");
    std::fs::create_dir_all(folder.join("nested")).unwrap();
    std::fs::write(
        folder.join("inside.png"),
        fixtures::screenshot_png(200, 150),
    )
    .unwrap();
    std::fs::write(
        folder.join("nested").join("deeper.png"),
        fixtures::screenshot_png(160, 120),
    )
    .unwrap();
    std::fs::write(folder.join("notes.txt"), "not an image\n").unwrap();
    let sizes = [(300, 200), (240, 180), (200, 150), (160, 120)];

    tab(s, "upload");
    let objects = wait_objects(world, 1).len();
    let before = done_rows(s);
    drag_onto_dropzone(s, display, &[&first, &second, &folder]);

    // Four rows, four objects, four lines: the text file is nowhere.
    let rows = wait_done_rows(s, before.len() + sizes.len());
    let dropped: Vec<&String> = rows.iter().filter(|r| !before.contains(r)).collect();
    assert_eq!(dropped.len(), sizes.len(), "{rows:?}");
    let text = wait_clipboard_text(display, |t| t.lines().count() == sizes.len());
    let mut seen = Vec::new();
    for line in text.lines() {
        let url = url_in(line);
        assert!(
            dropped.contains(&&url),
            "{url} is not a dropped row: {dropped:?}"
        );
        let (status, _, body) = http_get(&url);
        assert_eq!(status, 200, "{url}");
        let img =
            image::load_from_memory(&body).unwrap_or_else(|e| panic!("{url} does not decode: {e}"));
        seen.push((img.width(), img.height()));
    }
    seen.sort();
    let mut want = sizes.to_vec();
    want.sort();
    assert_eq!(seen, want, "{text}");
    let keys = wait_objects(world, objects + sizes.len());
    assert_eq!(keys.len(), objects + sizes.len(), "{keys:?}");
    let page = s.execute("return document.body.innerText", json!([]));
    let page = page.as_str().unwrap_or_default();
    for name in [
        "dropped-first.png",
        "dropped-photo.jpg",
        "inside.png",
        "deeper.png",
    ] {
        assert!(page.contains(name), "no row shows {name}: {page}");
    }
    assert!(
        !page.contains("notes.txt"),
        "the text file shows up: {page}"
    );
    assert!(
        !keys.iter().any(|k| k.contains("notes")),
        "the text file was uploaded: {keys:?}"
    );
    // The dropped files' thumbnails (those in view) are loaded, decoded and painted, so the
    // screenshot shows them.
    set_theme(s, "light");
    let in_view = format!(
        "const imgs = [...document.querySelectorAll('[data-testid=job-row]')].filter(r => {}.includes(r.dataset.url) && r.getBoundingClientRect().top < window.innerHeight).map(r => r.querySelector('img'));",
        json!(dropped)
    );
    s.wait_for_script(
        &format!("{in_view} return imgs.length > 0 && imgs.every(i => i)"),
        LONG,
        "the dropped files' thumbnails",
    );
    let painted = s.execute_async(
        &format!(
            "const done = arguments[arguments.length - 1]; {in_view}
        Promise.all(imgs.map(i => i.decode()))
          .then(() => requestAnimationFrame(() => requestAnimationFrame(() => done(true))), e => done(String(e)));"
        ),
        json!([]),
    );
    assert_eq!(painted, true, "the dropped files' thumbnails");
    s.screenshot(&shots.join("drop-light.png"));
}

/// Step 2c: a Markdown file dropped on the window is not uploaded as a file: the Markdown view
/// opens with its plan; Migrate uploads its image and rewrites the file; Undo puts it back.
fn drop_markdown(s: &Session, world: &World, display: &str, shots: &Path) {
    let dir = world.dir.path().join("blog");
    // A size no other step uploads, so it is a new object rather than a dedup hit.
    let figure = fixtures::screenshot_png(336, 208);
    std::fs::create_dir_all(dir.join("img")).unwrap();
    std::fs::write(dir.join("img/figure 1.png"), &figure).unwrap();
    let post = dir.join("post.md");
    let original =
        "# A post\n\n![Figure](<img/figure 1.png> \"A figure\")\n\n![gone](img/gone.png)\n";
    std::fs::write(&post, original).unwrap();
    let objects = wait_objects(world, 1).len();

    tab(s, "upload");
    drag_onto_dropzone(s, display, &[&post]);
    let totals = s.wait("[data-testid=md-totals]", LONG);
    let totals = s.text(&totals);
    assert!(totals.contains('1'), "{totals}");
    // Opened, the file shows each reference and what will happen to it.
    s.click(&s.wait("[data-testid=md-file] button", LONG));
    s.wait_for_script(
        "return [...document.querySelectorAll('[data-testid=md-ref]')].map(r => r.dataset.action).join() === 'upload,missing'",
        LONG,
        "the post's two references, one to upload and one missing",
    );
    set_theme(s, "light");
    s.screenshot(&shots.join("markdown-plan-light.png"));

    s.click(&s.wait("[data-testid=md-migrate]", LONG));
    s.click(&s.wait("[data-testid=confirm-md-migrate]", LONG));
    let summary = s.wait("[data-testid=md-summary]", LONG);
    let summary = s.text(&summary);
    let text = std::fs::read_to_string(&post).unwrap();
    let keys = wait_objects(world, objects + 1);
    let key = keys
        .iter()
        .find(|k| {
            text.contains(&hoist_core::link::public_url(
                &world.server.public_base(),
                k,
                "",
            ))
        })
        .unwrap_or_else(|| panic!("no object is linked from the post: {text} {keys:?}"));
    assert_eq!(
        text,
        original.replace(
            "<img/figure 1.png>",
            &format!(
                "<{}>",
                hoist_core::link::public_url(&world.server.public_base(), key, "")
            )
        ),
        "{summary}"
    );
    let (status, _, body) = http_get(&hoist_core::link::public_url(
        &world.server.public_base(),
        key,
        "",
    ));
    assert_eq!(status, 200);
    let img = image::load_from_memory(&body).unwrap();
    assert_eq!((img.width(), img.height()), (336, 208));
    let page = s.execute("return document.body.innerText", json!([]));
    assert!(
        page.as_str().unwrap_or_default().contains("img/gone.png"),
        "the missing image is reported: {page}"
    );
    set_theme(s, "light");
    s.screenshot(&shots.join("markdown-done-light.png"));

    s.click(&s.wait("[data-testid=md-undo]", LONG));
    s.wait("[data-testid=md-undo-line]", LONG);
    assert_eq!(std::fs::read_to_string(&post).unwrap(), original);
}

/// Puts `body` at `key` in `world`'s bucket as the S3 server stores objects (setup only; the
/// app reads them back through S3 requests).
/// The keys of the object rows the Bucket view shows.
fn bucket_rows(s: &Session) -> Vec<String> {
    strings(&s.execute(
        "return [...document.querySelectorAll('[data-testid=bucket-object]')].map(r => r.dataset.key)",
        json!([]),
    ))
}

fn wait_bucket_rows(s: &Session, what: &str, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
    let t = Instant::now();
    loop {
        let rows = bucket_rows(s);
        if ok(&rows) {
            return rows;
        }
        assert!(
            t.elapsed() < LONG,
            "bucket rows never showed {what}: {rows:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Opens the folder row whose text contains `name`, once the listing shows it.
fn open_bucket_folder(s: &Session, name: &str) {
    let script = format!(
        "const f = [...document.querySelectorAll('[data-testid=bucket-folder]')].find(r => r.innerText.includes({name:?})); if (f) f.click(); return !!f"
    );
    s.wait_for_script(&script, LONG, &format!("the folder {name}"));
}

/// Clicks the button `testid` of the object row of `key`.
fn bucket_action(s: &Session, key: &str, testid: &str) {
    let clicked = s.execute(
        "const row = [...document.querySelectorAll('[data-testid=bucket-object]')].find(r => r.dataset.key === arguments[0]); const b = row && row.querySelector(`[data-testid=${arguments[1]}]`); if (b) b.click(); return !!b",
        json!([key, testid]),
    );
    assert_eq!(clicked, json!(true), "no {testid} on the row of {key}");
}

fn browse_bucket(s: &Session, world: &World, display: &str, shots: &Path) {
    s.invoke("set_active_profile", json!({"name": "second"}))
        .unwrap();
    let published = wait_objects(world, 1)
        .into_iter()
        .find(|k| k.starts_with("second/"))
        .expect("step 4's upload in bucket two");
    for (i, name) in ["a sunset.png", "b.png", "c.png"].iter().enumerate() {
        let png = fixtures::screenshot_png(160 + 20 * i as u32, 100);
        world.seed(&format!("gallery/{name}"), &png);
    }
    world.seed("gallery/old/kept.png", &fixtures::screenshot_png(90, 60));
    for i in 0..1005 {
        world.seed(&format!("many/{i:04}.txt"), b"x");
    }

    tab(s, "bucket");
    s.wait_for_script(
        "const f = [...document.querySelectorAll('[data-testid=bucket-folder]')].map(r => r.innerText); return f.some(t => t.includes('gallery')) && f.some(t => t.includes('many')) && f.some(t => t.includes('second'))",
        LONG,
        "the top of bucket two: its three folders",
    );
    // Past one page: 1,000 rows, then Load more brings the other 5.
    open_bucket_folder(s, "many");
    wait_bucket_rows(s, "the first page of many/", |r| r.len() == 1000);
    // Toasts of earlier steps sit over the bottom of the list.
    dismiss_toasts(s);
    s.click(&s.wait("[data-testid=bucket-more]", LONG));
    wait_bucket_rows(s, "all of many/", |r| r.len() == 1005);
    // Back to the top by the breadcrumb, into gallery/.
    s.click(&s.wait("[data-testid=bucket-crumb]", LONG));
    open_bucket_folder(s, "gallery");
    let rows = wait_bucket_rows(s, "gallery/'s three images", |r| r.len() == 3);
    assert_eq!(
        rows,
        ["gallery/a sunset.png", "gallery/b.png", "gallery/c.png"]
    );
    // Thumbnails come through the thumb: protocol, read from the bucket.
    s.wait_for_script(
        "const imgs = [...document.querySelectorAll('[data-testid=bucket-object] img')]; return imgs.length === 3 && imgs.every(i => i.complete && i.naturalWidth > 0)",
        LONG,
        "three thumbnails loaded",
    );
    set_theme(s, "light");
    s.screenshot(&shots.join("bucket-light.png"));
    set_theme(s, "dark");
    s.screenshot(&shots.join("bucket-dark.png"));
    set_theme(s, "light");

    // A public link in the profile's format (Markdown).
    bucket_action(s, "gallery/a sunset.png", "bucket-copy");
    let public =
        hoist_core::link::public_url(&world.server.public_base(), "gallery/a sunset.png", "");
    let link = wait_clipboard_text(display, |t| t.contains(&public));
    assert_eq!(link, format!("![a sunset]({public})"));
    // An expiring one: signed, readable by anyone until it expires.
    s.execute(
        "const el = document.querySelector('[data-testid=bucket-link-kind]'); el.value = '86400'; el.dispatchEvent(new Event('change', {bubbles: true})); return true",
        json!([]),
    );
    bucket_action(s, "gallery/b.png", "bucket-copy");
    let signed = url_in(&wait_clipboard_text(display, |t| {
        t.contains("X-Amz-Signature=")
    }));
    let (status, _, body) = http_get(&signed);
    assert_eq!(status, 200);
    assert_eq!(Some(body), world.object("gallery/b.png"));

    // Move: into the old/ folder under a new name, confirmed; the copy is whole.
    let c = world.object("gallery/c.png").unwrap();
    bucket_action(s, "gallery/c.png", "bucket-move");
    let input = s.wait("[data-testid=bucket-move-input]", LONG);
    s.execute(
        "const el = document.querySelector('[data-testid=bucket-move-input]'); el.value = 'gallery/old/c2.png'; el.dispatchEvent(new Event('input', {bubbles: true})); return true",
        json!([]),
    );
    drop(input);
    s.click(&s.wait("[data-testid=bucket-move-confirm]", LONG));
    wait_bucket_rows(s, "c.png gone from gallery/", |r| r.len() == 2);
    assert_eq!(world.object("gallery/old/c2.png"), Some(c));
    assert_eq!(world.object("gallery/c.png"), None);

    // Delete two at once, after the confirmation.
    s.execute(
        "document.querySelectorAll('[data-testid=bucket-object] [data-testid=bucket-select]').forEach(c => c.click()); return true",
        json!([]),
    );
    dismiss_toasts(s);
    s.click(&s.wait("[data-testid=bucket-delete-selected]", LONG));
    s.click(&s.wait("[data-testid=confirm-bucket-delete]", LONG));
    wait_bucket_rows(s, "an empty gallery/", |r| r.is_empty());
    assert_eq!(world.object("gallery/a sunset.png"), None);
    assert_eq!(world.object("gallery/b.png"), None);

    // The published upload: moving it asks a second time, then the history follows it.
    let folder = published.rsplit_once('/').unwrap().0;
    s.click(&s.wait("[data-testid=bucket-crumb]", LONG));
    open_bucket_folder(s, folder);
    wait_bucket_rows(s, "step 4's upload", |r| r.contains(&published));
    bucket_action(s, &published, "bucket-move");
    s.wait("[data-testid=bucket-move-input]", LONG);
    s.execute(
        "const el = document.querySelector('[data-testid=bucket-move-input]'); el.value = 'moved/' ; el.dispatchEvent(new Event('input', {bubbles: true})); return true",
        json!([]),
    );
    s.click(&s.wait("[data-testid=bucket-move-confirm]", LONG));
    s.click(&s.wait("[data-testid=confirm-bucket-force]", LONG));
    let name = published.rsplit('/').next().unwrap();
    let moved = format!("moved/{name}");
    let t = Instant::now();
    // A move copies, checks the copy, then deletes: the original goes a moment after the copy
    // appears.
    while world.object(&moved).is_none() || world.object(&published).is_some() {
        assert!(
            t.elapsed() < LONG,
            "{published} never moved to {moved} (copy there: {}, original gone: {})",
            world.object(&moved).is_some(),
            world.object(&published).is_none()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let rows = history_search(s, name);
    let url = rows["rows"][0]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(url.ends_with(&format!("/moved/{name}")), "{rows}");
    assert_eq!(http_get(&url).0, 200);

    // Upload here: files go into the open folder under their own names, and show in it.
    let here = world.input("upload here.png", &fixtures::screenshot_png(120, 80));
    s.invoke(
        "bucket_upload",
        json!({"profile": null, "folder": "moved/", "paths": [here.display().to_string()]}),
    )
    .unwrap();
    // Its own name, and the extension of what the profile stores (WebP here).
    let key = "moved/upload here.webp";
    let t = Instant::now();
    while world.object(key).is_none() {
        assert!(
            t.elapsed() < LONG,
            "{key} never arrived: {:?}",
            world.object_keys()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    s.click(&s.wait("[data-testid=bucket-crumb]", LONG));
    open_bucket_folder(s, "moved");
    wait_bucket_rows(s, "the file uploaded here", |r| r.iter().any(|k| k == key));
}

/// The first history page matching `search`, through the app's own command.
fn history_search(s: &Session, search: &str) -> Value {
    s.invoke(
        "history_page",
        json!({"query": {"search": search, "profile": "", "beforeId": null, "limit": 5}}),
    )
    .unwrap()
}

/// Where the app puts its start-at-login entry (XDG autostart, under the test's HOME).
fn autostart_file() -> PathBuf {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".config"));
    config.join("autostart").join("hoist.desktop")
}

fn wait_config_default(dir: &Path, name: &str) {
    let want = format!("default_profile = \"{name}\"");
    let t = Instant::now();
    loop {
        let text = std::fs::read_to_string(dir.join("config.toml")).unwrap_or_default();
        if text.contains(&want) {
            return;
        }
        assert!(t.elapsed() < LONG, "config never got {want}: {text}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn uuid_like() -> String {
    format!(
        "{:x}{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// Figures for the README (run by scripts/bench-desktop.sh, not by the test suite), with the app
/// started as a user starts it (no automation inside it; a tray host and the X server drive it):
/// launch with the window to its first state; launch to the tray (`--hidden`) to ready for the
/// shortcut; tray-resident idle memory; global-shortcut-to-link-in-clipboard for a 2560×1440
/// screenshot (median of `HOIST_DESKTOP_RUNS`, default 10) with the window closed; memory 10 s
/// after a 50-image batch from an editor (the PicGo server); reopening the window from the tray
/// to its first state; memory with the window open and after closing it again; the binary size.
/// Memory is PSS summed over all the app's processes, with each process listed. Prints; asserts
/// only that the uploads worked.
#[test]
#[ignore = "a benchmark: scripts/bench-desktop.sh runs it"]
fn desktop_figures() {
    let Some((bin, display)) = tools_ready() else {
        return;
    };
    let runs: usize = std::env::var("HOIST_DESKTOP_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let world = World::new();
    let cfg_dir = world.config_dir();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        cfg_dir.join("desktop.toml"),
        format!("serverEnabled = true\nserverPort = {port}\nnotifications = false\nlanguage = \"en\"\nshortcut = \"Ctrl+Alt+U\"\n"),
    )
    .unwrap();
    let tray = TrayHost::start(&cfg_dir);
    let env = [
        ("HOIST_CONFIG_DIR", cfg_dir.display().to_string()),
        (SECRET_ENV, SECRET.to_owned()),
        ("HOIST_LOG", "warn,hoist::ready=info".to_owned()),
    ];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let settle = |secs| std::thread::sleep(Duration::from_secs(secs));

    // Launch with the window, to the window's first state.
    let window_launch = {
        let app = Figured::start(&bin, &[], &env);
        let t = app.wait_line("the window asked for the state");
        let d = t - app.started;
        tray.click("Quit");
        app.wait_exit();
        d
    };
    settle(1);

    // Launch to the tray, as at login.
    let app = Figured::start(&bin, &["--hidden"], &env);
    let ready = app.wait_line("the shortcut and the server are ready") - app.started;
    settle(5);
    let tray_idle = app_memory_by_process(&app.tag);

    // Shortcut → link, window closed. Distinct screenshots, so no upload is a dedup hit.
    let base = image::load_from_memory(&fixtures::screenshot_png(2560, 1440))
        .unwrap()
        .to_rgba8();
    let variant = |i: usize, img: &image::RgbaImage| {
        let mut img = img.clone();
        for (x, y, px) in img.enumerate_pixels_mut() {
            if x < 64 && y < 64 {
                *px = image::Rgba([(i * 37 % 256) as u8, (x * 4) as u8, (y * 4) as u8, 255]);
            }
        }
        let mut png = Vec::new();
        image::DynamicImage::ImageRgba8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    };
    let mut times = Vec::new();
    let mut last = String::new();
    for i in 0..runs {
        let path = world.input(&format!("shot-{i}.png"), &variant(i, &base));
        let holder = offer_png(&display, &path);
        let t = Instant::now();
        xdotool(&display, &["key", "--clearmodifiers", "ctrl+alt+u"]);
        let link = wait_clipboard_text(&display, |c| c.starts_with("![") && c != last);
        times.push(t.elapsed());
        last = link;
        drop(holder);
    }
    assert_eq!(wait_objects(&world, runs).len(), runs);
    times.sort();
    settle(5);
    let before_batch = app_memory_by_process(&app.tag);

    // A batch of 50 from an editor, through the PicGo-compatible server.
    let small = image::load_from_memory(&fixtures::screenshot_png(1920, 1080))
        .unwrap()
        .to_rgba8();
    let list: Vec<String> = (0..50)
        .map(|i| {
            world
                .input(&format!("batch-{i}.png"), &variant(100 + i, &small))
                .display()
                .to_string()
        })
        .collect();
    let t = Instant::now();
    let resp: Value = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap()
        .post(format!("http://127.0.0.1:{port}/upload"))
        .json(&json!({ "list": list }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let batch_time = t.elapsed();
    assert_eq!(resp["success"], true, "{resp}");
    assert_eq!(wait_objects(&world, runs + 50).len(), runs + 50);
    settle(10);
    let after_batch = app_memory_by_process(&app.tag);

    // Reopen the window from the tray, to its first state.
    let t = Instant::now();
    tray.click("Open Hoist");
    let reopen = app.wait_line("the window asked for the state") - t;
    settle(5);
    let window_idle = app_memory_by_process(&app.tag);
    close_window(&display, "Hoist");
    settle(5);
    let closed_again = app_memory_by_process(&app.tag);

    // The capture shortcut (the default Ctrl+PrintScreen) to the overlay showing its painted
    // picture of the whole screen; the memory with it open, and after Esc closed it.
    let mut overlay_times = Vec::new();
    let mut overlay_open = Vec::new();
    for i in 0..5 {
        let t = Instant::now();
        xdotool(&display, &["key", "--clearmodifiers", "ctrl+Print"]);
        overlay_times.push(app.wait_line("the capture overlay is showing") - t);
        if i == 4 {
            settle(5);
            overlay_open = app_memory_by_process(&app.tag);
        }
        settle(1);
        xdotool(&display, &["key", "--clearmodifiers", "Escape"]);
        settle(2);
    }
    overlay_times.sort();
    settle(5);
    let overlay_closed = app_memory_by_process(&app.tag);
    tray.click("Quit");
    app.wait_exit();

    let size = std::fs::metadata(&bin).map(|m| m.len()).unwrap_or(0);
    println!("desktop figures ({})", bin.display());
    println!(
        "  launch with the window to its first state   {:>6.0} ms",
        ms(window_launch)
    );
    println!(
        "  launch to the tray (--hidden) to ready       {:>6.0} ms",
        ms(ready)
    );
    println!(
        "  shortcut -> link in clipboard, 2560x1440 screenshot, window closed: median {:.0} ms, min {:.0} ms, max {:.0} ms ({runs} runs)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    println!(
        "  50-image batch from an editor (1920x1080 PNG) {:>5.1} s",
        batch_time.as_secs_f64()
    );
    println!(
        "  reopen the window from the tray to its state  {:>6.0} ms",
        ms(reopen)
    );
    let (w, h) = {
        use x11rb::connection::Connection;
        let (conn, n) = x11rb::connect(Some(&display)).unwrap();
        let root = &conn.setup().roots[n];
        (root.width_in_pixels, root.height_in_pixels)
    };
    println!(
        "  capture shortcut -> overlay showing, {w}x{h} screen: median {:.0} ms, min {:.0} ms, max {:.0} ms (5 runs)",
        ms(overlay_times[2]),
        ms(overlay_times[0]),
        ms(overlay_times[4])
    );
    for (what, m) in [
        ("tray-resident, idle, before any upload", &tray_idle),
        (
            "tray-resident, idle, after the shortcut uploads",
            &before_batch,
        ),
        ("tray-resident, 10 s after the 50-image batch", &after_batch),
        ("window open, idle", &window_idle),
        ("window closed again, idle", &closed_again),
        ("capture overlay open (window closed)", &overlay_open),
        ("capture overlay closed again", &overlay_closed),
    ] {
        let pss: u64 = m.iter().map(|p| p.2).sum();
        let each: Vec<String> = m
            .iter()
            .map(|(name, anon, pss)| {
                format!(
                    "{name} {:.1}, of it {:.1} anonymous",
                    *pss as f64 / 1024.0,
                    *anon as f64 / 1024.0
                )
            })
            .collect();
        println!(
            "  memory, {what}: PSS {:.1} MiB ({})",
            pss as f64 / 1024.0,
            each.join("; ")
        );
    }
    println!(
        "  binary size                                  {:>6.1} MiB",
        size as f64 / 1048576.0
    );
}

/// The app started for figures: stderr read line by line (with the time each arrived), and
/// killed when dropped if it is still there.
struct Figured {
    child: std::process::Child,
    tag: String,
    started: Instant,
    lines: std::sync::mpsc::Receiver<(Instant, String)>,
}

impl Figured {
    fn start(bin: &Path, args: &[&str], env: &[(&str, String)]) -> Figured {
        let tag = format!("--e2e-tag={}", uuid_like());
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .arg(&tag)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = cmd.spawn_now().unwrap();
        let err = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        Figured {
            child,
            tag,
            started,
            lines,
        }
    }

    /// When the next log line containing `text` arrived.
    fn wait_line(&self, text: &str) -> Instant {
        let deadline = Instant::now() + LONG;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((t, line)) if line.contains(text) => return t,
                Ok(_) => {}
                Err(e) => panic!("the app never logged {text:?}: {e}"),
            }
        }
    }

    fn wait_exit(&self) {
        let t = Instant::now();
        while !app_tree(&self.tag).is_empty() {
            assert!(t.elapsed() < LONG, "the app did not quit");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Figured {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = Command::new("pkill").args(["-f", "--", &self.tag]).status();
    }
}

/// The app process (found by its unique `tag` argument) and all its descendants (WebKit's web
/// and network processes).
fn app_tree(tag: &str) -> Vec<u32> {
    let out = Command::new("pgrep")
        .args(["-f", "--", tag])
        .output_now()
        .unwrap();
    let roots: Vec<u32> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .filter(|pid| {
            // pgrep -f also matches the WebKitWebDriver-launched wrapper shells, if any: keep the
            // app itself.
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim().starts_with("hoist-desktop"))
        })
        .collect();
    let mut parent_of = std::collections::HashMap::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            && let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r.to_owned())
            && let Some(ppid) = rest
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u32>().ok())
        {
            parent_of.insert(pid, ppid);
        }
    }
    let mut all = roots;
    let mut i = 0;
    while i < all.len() {
        let p = all[i];
        all.extend(
            parent_of
                .iter()
                .filter(|(_, pp)| **pp == p)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    all
}

/// Each of the app's processes (see [`app_tree`]) with its anonymous PSS (heaps, stacks) and
/// its PSS (the rest is shared libraries and files), in KiB.
fn app_memory_by_process(tag: &str) -> Vec<(String, u64, u64)> {
    app_tree(tag)
        .iter()
        .map(|pid| {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            let text =
                std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
            let field = |key: &str| -> u64 {
                text.lines()
                    .find(|l| l.starts_with(key))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
            };
            (name.trim().to_owned(), field("Pss_Anon:"), field("Pss:"))
        })
        .collect()
}
