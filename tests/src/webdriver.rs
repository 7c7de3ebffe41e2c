//! A small W3C WebDriver client for driving the real Hoist window: WebKitWebDriver (Debian's
//! webkit2gtk-driver) starts the app binary and hands us its webview. Only what the desktop
//! suite uses: sessions, CSS lookups, clicks, text, attributes, scripts, the window's place on
//! screen, switching to a window the app built anew, and screenshots.

use crate::Launch;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The W3C key of element references in JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub fn webkit_driver() -> Option<PathBuf> {
    ["/usr/bin/WebKitWebDriver", "/usr/local/bin/WebKitWebDriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The strings of a JSON array (what scripts and handle lists return); anything else is none.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

pub struct Session {
    /// When the app launch was requested (the driver was already up), for start-up timing.
    pub launched_at: Instant,
    driver: Child,
    base: String,
    id: String,
    http: reqwest::blocking::Client,
}

#[derive(Clone, Debug)]
pub struct Element(String);

impl Session {
    /// Starts WebKitWebDriver on a free loopback port with `env` (the app inherits it) and opens
    /// a session that launches `app` with `args`.
    pub fn start(app: &Path, args: &[String], env: &[(String, String)]) -> Session {
        let driver_bin = webkit_driver().expect("WebKitWebDriver");
        let port = free_port();
        let mut cmd = Command::new(driver_bin);
        cmd.arg(format!("--port={port}"))
            .arg("--host=127.0.0.1")
            // Without it Tauri's webview refuses automation and the session request hangs.
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let driver = cmd.spawn_now().expect("start WebKitWebDriver");
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let t = Instant::now();
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "WebKitWebDriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "webkitgtk:browserOptions": {"binary": app.display().to_string(), "args": args}
        }}});
        let mut s = Session {
            launched_at: Instant::now(),
            driver,
            base,
            id: String::new(),
            http,
        };
        let v = s.call("POST", "/session", Some(caps));
        s.id = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {v}"))
            .to_owned();
        s
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{}", self.base, path);
        let req = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self
                .http
                .post(&url)
                .json(&body.unwrap_or_else(|| json!({}))),
        };
        let resp = req
            .send()
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status();
        let v: Value = resp.json().unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {v}");
        v["value"].clone()
    }

    fn s(&self, path: &str) -> String {
        format!("/session/{}{}", self.id, path)
    }

    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let v = self.call(
            "POST",
            &self.s("/elements"),
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits up to `timeout` for an element matching `css`.
    pub fn wait(&self, css: &str, timeout: Duration) -> Element {
        let t = Instant::now();
        loop {
            if let Some(e) = self.find_all(css).into_iter().next() {
                return e;
            }
            assert!(
                t.elapsed() < timeout,
                "no element {css} after {timeout:?}; page text: {}",
                self.execute(
                    "return document.body ? document.body.innerText : ''",
                    json!([])
                )
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until `script` (a JS expression body returning a value) returns something truthy,
    /// and returns it.
    pub fn wait_for_script(&self, script: &str, timeout: Duration, what: &str) -> Value {
        let t = Instant::now();
        loop {
            let v = self.execute(script, json!([]));
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::Array(a) => !a.is_empty(),
                Value::Object(_) => true,
            };
            if truthy {
                return v;
            }
            assert!(t.elapsed() < timeout, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn click(&self, e: &Element) {
        self.call("POST", &self.s(&format!("/element/{}/click", e.0)), None);
    }

    pub fn text(&self, e: &Element) -> String {
        self.call("GET", &self.s(&format!("/element/{}/text", e.0)), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn attr(&self, e: &Element, name: &str) -> Option<String> {
        self.call(
            "GET",
            &self.s(&format!("/element/{}/attribute/{name}", e.0)),
            None,
        )
        .as_str()
        .map(str::to_owned)
    }

    pub fn send_keys(&self, e: &Element, text: &str) {
        self.call(
            "POST",
            &self.s(&format!("/element/{}/value", e.0)),
            Some(json!({"text": text})),
        );
    }

    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            &self.s("/execute/sync"),
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Runs `script`, which ends by calling its last argument with the result.
    pub fn execute_async(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            &self.s("/execute/async"),
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Calls a Rust command of the app through Tauri's IPC, as the UI does.
    pub fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let v = self.execute_async(
            "const done = arguments[arguments.length - 1];
                window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])
                  .then(v => done({ok: v === undefined ? null : v}), e => done({err: e}));",
            json!([cmd, args]),
        );
        match v.get("err") {
            Some(e) => Err(e.clone()),
            None => Ok(v["ok"].clone()),
        }
    }

    /// The session's top-level windows (web views the app has built).
    pub fn window_handles(&self) -> Vec<String> {
        strings(&self.call("GET", &self.s("/window/handles"), None))
    }

    /// Waits for a window other than `old` (the app built a new one) and drives it from now on.
    pub fn switch_to_new_window(&self, old: &str, timeout: Duration) {
        let t = Instant::now();
        loop {
            if let Some(h) = self.window_handles().into_iter().find(|h| h != old) {
                self.call("POST", &self.s("/window"), Some(json!({"handle": h})));
                return;
            }
            assert!(t.elapsed() < timeout, "the app built no new window");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Drives window `handle` from now on.
    pub fn switch_to(&self, handle: &str) {
        self.call("POST", &self.s("/window"), Some(json!({"handle": handle})));
    }

    /// A real mouse drag with the left button, from `from` to `to` (CSS pixels of the
    /// viewport), in steps, as a hand moves: W3C pointer actions, which WebKit turns into
    /// native events.
    pub fn drag(&self, from: (i64, i64), to: (i64, i64)) {
        let mut steps = vec![
            json!({"type": "pointerMove", "duration": 0, "x": from.0, "y": from.1}),
            json!({"type": "pointerDown", "button": 0}),
        ];
        for i in 1..=4 {
            steps.push(json!({
                "type": "pointerMove",
                "duration": 30,
                "x": from.0 + (to.0 - from.0) * i / 4,
                "y": from.1 + (to.1 - from.1) * i / 4,
            }));
        }
        steps.push(json!({"type": "pointerUp", "button": 0}));
        self.call(
            "POST",
            &self.s("/actions"),
            Some(json!({"actions": [{
                "type": "pointer",
                "id": "mouse",
                "parameters": {"pointerType": "mouse"},
                "actions": steps,
            }]})),
        );
    }

    /// Presses and releases one key (a W3C key value: "\u{E007}" is Enter, "\u{E00C}" Esc)
    /// on whatever has the focus. A key that closes the window (WebDriver then answers "no
    /// such window" for the release) is pressed all the same.
    pub fn press_key(&self, key: &str) {
        let resp = self
            .http
            .post(format!("{}{}", self.base, self.s("/actions")))
            .json(&json!({"actions": [{
                "type": "key",
                "id": "keyboard",
                "actions": [
                    {"type": "keyDown", "value": key},
                    {"type": "keyUp", "value": key},
                ],
            }]}))
            .send()
            .unwrap_or_else(|e| panic!("pressing {key:?}: {e}"));
        let status = resp.status();
        let v: Value = resp.json().unwrap_or(Value::Null);
        assert!(
            status.is_success() || v["value"]["error"] == "no such window",
            "pressing {key:?}: {status} {v}"
        );
    }

    pub fn window_handle(&self) -> String {
        self.call("GET", &self.s("/window"), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The window's frame on screen: x, y, width, height (X11 root coordinates).
    pub fn window_rect(&self) -> (i64, i64, i64, i64) {
        let v = self.call("GET", &self.s("/window/rect"), None);
        let n = |k: &str| {
            v[k].as_f64()
                .unwrap_or_else(|| panic!("no {k} in window rect {v}")) as i64
        };
        (n("x"), n("y"), n("width"), n("height"))
    }

    /// A PNG of the window's content.
    /// Saves a screenshot once the page has settled: finite CSS transitions and animations
    /// (a theme switch, a progress bar) have finished and two frames were painted since, so
    /// the picture shows what the test just checked rather than the frame before it.
    pub fn screenshot(&self, path: &Path) {
        let settled = self.execute_async(
            "const done = arguments[arguments.length - 1];
            const paint = () => requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
            const settle = (rounds) => {
              const running = document.getAnimations().filter(a => a.playState === 'running'
                && Number.isFinite(a.effect && a.effect.getComputedTiming().endTime));
              if (running.length === 0 || rounds === 0) return paint();
              Promise.allSettled(running.map(a => a.finished)).then(() => settle(rounds - 1));
            };
            settle(3);",
            json!([]),
        );
        assert_eq!(settled, true, "the page settles before a screenshot");
        let v = self.call("GET", &self.s("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("screenshot is base64");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }
}

impl Session {
    /// Asks the app to quit without panicking (for destructors): a failure only means it is
    /// already gone.
    pub fn quit_app(&self) {
        let _ = self
            .http
            .post(format!("{}/session/{}/execute/sync", self.base, self.id))
            .json(&json!({"script": "window.__TAURI_INTERNALS__.invoke('tray_action', {id: 'quit'}); return true", "args": []}))
            .send();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.id.is_empty() {
            let _ = self
                .http
                .delete(format!("{}/session/{}", self.base, self.id))
                .send();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
