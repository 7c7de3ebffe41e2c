//! The app's one clipboard owner. On X11 the process that set the clipboard must keep serving
//! it, so a single `arboard::Clipboard` lives on its own thread for the whole run and every
//! read and write goes through it. Reads happen here, in Rust: the webview has no clipboard
//! permission and image bytes never cross IPC.

use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};

use hoist_clipboard::Content;
use hoist_core::Error;

enum Request {
    Read(Sender<Result<Content, Error>>),
    SetText(String, Sender<Result<(), Error>>),
}

pub struct ClipboardOwner {
    tx: Mutex<Sender<Request>>,
}

impl ClipboardOwner {
    /// Starts the owner thread. The clipboard itself is opened on first use (and again after a
    /// failure), so a session without a display still starts.
    pub fn start() -> Self {
        let (tx, rx) = channel::<Request>();
        std::thread::Builder::new()
            .name("hoist-clipboard".into())
            .spawn(move || {
                let mut cb: Option<arboard::Clipboard> = None;
                for req in rx {
                    if cb.is_none() {
                        match hoist_clipboard::open() {
                            Ok(c) => cb = Some(c),
                            Err(e) => {
                                match req {
                                    Request::Read(reply) => drop(reply.send(Err(e))),
                                    Request::SetText(_, reply) => drop(reply.send(Err(e))),
                                }
                                continue;
                            }
                        }
                    }
                    let Some(c) = cb.as_mut() else { continue };
                    match req {
                        Request::Read(reply) => {
                            let _ = reply.send(hoist_clipboard::read(c));
                        }
                        Request::SetText(text, reply) => {
                            let r = c.set_text(text).map_err(|e| {
                                Error::Clipboard(format!("cannot write to the clipboard: {e}"))
                            });
                            let _ = reply.send(r);
                        }
                    }
                }
            })
            .expect("spawning the clipboard thread");
        Self { tx: Mutex::new(tx) }
    }

    fn ask<T>(&self, make: impl FnOnce(Sender<Result<T, Error>>) -> Request) -> Result<T, Error> {
        let (reply, answer) = channel();
        self.tx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(make(reply))
            .map_err(|_| Error::Clipboard("the clipboard thread stopped".into()))?;
        answer
            .recv()
            .map_err(|_| Error::Clipboard("the clipboard thread stopped".into()))?
    }

    /// The copied files or image; `clipboard.empty` when there is neither. Blocking.
    pub fn read(&self) -> Result<Content, Error> {
        self.ask(Request::Read)
    }

    /// Puts `text` in the clipboard; it stays pasteable while the app runs. Blocking.
    pub fn set_text(&self, text: String) -> Result<(), Error> {
        self.ask(|reply| Request::SetText(text, reply))
    }
}
