//! Notices that the clipboard changed, on each desktop, for the desktop's clipboard watch. It
//! only says "something was copied": what was copied, and whether to act on it, is the
//! caller's (it reads the clipboard through its one owner).
//!
//! - X11 (and XWayland, which mirrors the Wayland clipboard to X clients): XFixes selection
//!   events: the X server wakes a blocked thread on each new owner of CLIPBOARD, no polling.
//! - Windows: `GetClipboardSequenceNumber`, a counter the system bumps on every change, read
//!   four times a second (a message-only window would need a message loop of its own for the
//!   same answer; the read costs no more than a system call).
//! - macOS: `NSPasteboard.changeCount`, the same kind of counter, read four times a second
//!   (AppKit has no change notification for the general pasteboard).
//! - A Wayland session without XWayland: not available (no portal offers clipboard change
//!   notices to ordinary apps); [`watch`] says so.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use hoist_core::Error;

/// A running watch; dropping it stops the thread and waits for it.
pub struct Watch {
    stop: Arc<AtomicBool>,
    wake: Option<Box<dyn Fn() + Send + Sync>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(wake) = &self.wake {
            wake();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Calls `changed` on its own thread each time something new is copied (by any program,
/// Hoist included), until the returned [`Watch`] is dropped. What is in the clipboard when the
/// watch starts is not a change.
pub fn watch(changed: impl FnMut() + Send + 'static) -> Result<Watch, Error> {
    platform::start(changed)
}

#[cfg(all(unix, not(target_os = "macos")))]
mod platform {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use x11rb::connection::Connection;
    use x11rb::protocol::Event;
    use x11rb::protocol::xfixes::{ConnectionExt as _, SelectionEventMask};
    use x11rb::protocol::xproto::{
        AtomEnum, ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, WindowClass,
    };
    use x11rb::rust_connection::RustConnection;
    use x11rb::wrapper::ConnectionExt as _;

    use super::Watch;
    use hoist_core::Error;

    fn unavailable(why: impl std::fmt::Display) -> Error {
        Error::Clipboard(format!("clipboard watch is not available here: {why}"))
    }

    pub fn start(mut changed: impl FnMut() + Send + 'static) -> Result<Watch, Error> {
        if hoist_core::session::x11_display().is_none() {
            return Err(unavailable(
                "there is no X display (a Wayland session without XWayland offers apps no clipboard change notices)",
            ));
        }
        let (conn, screen) = x11rb::connect(None).map_err(unavailable)?;
        let conn = Arc::new(conn);
        let root = conn.setup().roots[screen].root;
        let x = |e: &dyn std::fmt::Display| unavailable(format!("the X server said: {e}"));
        conn.xfixes_query_version(5, 0)
            .map_err(|e| x(&e))?
            .reply()
            .map_err(|e| x(&e))?;
        let clipboard = conn
            .intern_atom(false, b"CLIPBOARD")
            .map_err(|e| x(&e))?
            .reply()
            .map_err(|e| x(&e))?
            .atom;
        // An unmapped window of our own, only to be woken on stop.
        let window = conn.generate_id().map_err(|e| x(&e))?;
        conn.create_window(
            0,
            window,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            0,
            &CreateWindowAux::new().event_mask(EventMask::NO_EVENT),
        )
        .map_err(|e| x(&e))?;
        conn.xfixes_select_selection_input(
            window,
            clipboard,
            SelectionEventMask::SET_SELECTION_OWNER,
        )
        .map_err(|e| x(&e))?
        .check()
        .map_err(|e| x(&e))?;
        conn.sync().map_err(|e| x(&e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (conn.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("hoist-clipboard-watch".into())
            .spawn(move || {
                while !s.load(Ordering::SeqCst) {
                    match c.wait_for_event() {
                        Ok(Event::XfixesSelectionNotify(_)) if !s.load(Ordering::SeqCst) => {
                            changed();
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
            })
            .map_err(|e| Error::Internal(format!("cannot start the clipboard watch: {e}")))?;
        let wake = move || wake(&conn, window);
        Ok(Watch {
            stop,
            wake: Some(Box::new(wake)),
            thread: Some(thread),
        })
    }

    /// Sends the blocked thread an event of its own so it sees the stop flag.
    fn wake(conn: &RustConnection, window: u32) {
        let event = ClientMessageEvent::new(32, window, AtomEnum::NONE, [0u32; 5]);
        let _ = conn.send_event(false, window, EventMask::NO_EVENT, event);
        let _ = conn.destroy_window(window);
        let _ = conn.flush();
    }
}

#[cfg(any(windows, target_os = "macos"))]
mod platform {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::Watch;
    use hoist_core::Error;

    /// How often the change counter is read.
    const EVERY: Duration = Duration::from_millis(250);

    pub fn start(mut changed: impl FnMut() + Send + 'static) -> Result<Watch, Error> {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::Builder::new()
            .name("hoist-clipboard-watch".into())
            .spawn(move || {
                let mut seen = counter();
                while !s.load(Ordering::SeqCst) {
                    std::thread::sleep(EVERY);
                    let now = counter();
                    if now != seen && !s.load(Ordering::SeqCst) {
                        seen = now;
                        changed();
                    }
                }
            })
            .map_err(|e| Error::Internal(format!("cannot start the clipboard watch: {e}")))?;
        Ok(Watch {
            stop,
            wake: None,
            thread: Some(thread),
        })
    }

    #[cfg(windows)]
    fn counter() -> i64 {
        // 0 when the window station has no clipboard access: a value like any other here.
        clipboard_win::raw::seq_num().map_or(0, |n| i64::from(n.get()))
    }

    #[cfg(target_os = "macos")]
    fn counter() -> i64 {
        let board = objc2_app_kit::NSPasteboard::generalPasteboard();
        board.changeCount() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_starts_and_stops() {
        if crate::has_display() {
            drop(watch(|| {}).unwrap());
        }
    }

    /// On the X server the suite runs under (Xvfb); the other systems' counters have no
    /// display server to fake here.
    #[cfg(target_os = "linux")]
    #[test]
    fn each_copy_is_noticed_and_a_dropped_watch_stops() {
        use std::sync::mpsc::channel;
        use std::time::Duration;

        if !crate::has_display() {
            // Without a display it says why; the suite runs under Xvfb, where the rest runs.
            let e = watch(|| {}).err().expect("no display, no watch");
            assert!(e.to_string().contains("not available"), "{e}");
            return;
        }
        let (tx, rx) = channel();
        let w = watch(move || {
            let _ = tx.send(());
        })
        .unwrap();
        let mut cb = crate::open().unwrap();
        for text in ["one", "two"] {
            cb.set_text(text).unwrap();
            rx.recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("no notice for copy {text:?}"));
        }
        drop(w);
        cb.set_text("after").unwrap();
        // The sender went with the thread: the channel says so instead of a notice.
        assert!(rx.recv_timeout(Duration::from_secs(2)).is_err());
    }
}
