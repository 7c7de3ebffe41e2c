//! The PNG file a program put on the clipboard, byte for byte, where the platform lets a reader
//! ask for it: Wayland and X11 (`image/png`, which every screenshot tool there offers) and
//! Windows (the registered "PNG" format, which the Snipping Tool and browsers offer).
//!
//! Why not only arboard's image: it decodes that same PNG to pixels, which then had to be coded
//! as a PNG again for the pipeline and the spool, to be decoded once more: two decodes and an
//! encode of a 2560×1440 screenshot before the WebP coding starts (see `hoist-bench paste`),
//! and the copy lost the file's colour profile. `None` means no PNG is offered (or it is not
//! one, or files are offered too: a file manager's copy offers an icon image beside them), and
//! the caller reads the files or arboard's pixels.

/// The clipboard's PNG, when one is offered and starts like a PNG file.
pub fn png() -> Option<Vec<u8>> {
    let bytes = platform::png()?;
    // Anything else the pipeline would refuse as an unknown image; arboard's decode gives the
    // plainer "holds no image" for it.
    bytes.starts_with(b"\x89PNG\r\n\x1a\n").then_some(bytes)
}

#[cfg(all(unix, not(target_os = "macos")))]
mod platform {
    /// Wayland first, as arboard chooses: its data-control protocol when the compositor has
    /// it, else XWayland's X11 clipboard.
    pub fn png() -> Option<Vec<u8>> {
        if hoist_core::session::wayland_display().is_some() {
            match wayland() {
                Ok(found) => return found,
                Err(e) => tracing::debug!("no Wayland data-control clipboard ({e}); trying X11"),
            }
        }
        if hoist_core::session::x11_display().is_some() {
            match x11::png() {
                Ok(found) => return found,
                Err(e) => tracing::debug!("the X11 clipboard's PNG could not be read: {e}"),
            }
        }
        None
    }

    /// `Ok(None)`: the compositor answered and nothing holds a PNG. `Err`: no data-control
    /// clipboard to ask.
    fn wayland() -> Result<Option<Vec<u8>>, wl_clipboard_rs::paste::Error> {
        use std::io::Read;
        use wl_clipboard_rs::paste::{
            ClipboardType, Error, MimeType, Seat, get_contents, get_mime_types,
        };
        // Copied files win over the icon image a file manager offers beside them.
        match get_mime_types(ClipboardType::Regular, Seat::Unspecified) {
            Ok(types) if types.contains("text/uri-list") || !types.contains("image/png") => {
                return Ok(None);
            }
            Ok(_) => {}
            Err(Error::NoSeats | Error::ClipboardEmpty | Error::NoMimeType) => return Ok(None),
            Err(e) => return Err(e),
        }
        match get_contents(
            ClipboardType::Regular,
            Seat::Unspecified,
            MimeType::Specific("image/png"),
        ) {
            Ok((mut pipe, _)) => {
                let mut bytes = Vec::new();
                Ok(pipe.read_to_end(&mut bytes).ok().map(|_| bytes))
            }
            Err(Error::NoSeats | Error::ClipboardEmpty | Error::NoMimeType) => Ok(None),
            Err(e) => Err(e),
        }
    }

    mod x11 {
        //! An ICCCM selection read: ConvertSelection to a window of our own, then the property,
        //! in INCR chunks when the owner sends it piecewise (large images always are).

        use std::sync::Arc;
        use std::sync::mpsc;
        use std::time::Duration;

        use x11rb::connection::Connection;
        use x11rb::protocol::Event;
        use x11rb::protocol::xproto::{
            Atom, AtomEnum, ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask,
            Property, WindowClass,
        };
        use x11rb::rust_connection::RustConnection;

        /// How long an owner may stay silent before the read gives up (a hung program must not
        /// hang the paste).
        const SILENCE: Duration = Duration::from_secs(3);

        type Res<T> = Result<T, Box<dyn std::error::Error>>;

        pub fn png() -> Res<Option<Vec<u8>>> {
            let (conn, screen) = x11rb::connect(None)?;
            let conn = Arc::new(conn);
            let root = conn.setup().roots[screen].root;
            let atom =
                |name: &[u8]| -> Res<Atom> { Ok(conn.intern_atom(false, name)?.reply()?.atom) };
            let at = Atoms {
                clipboard: atom(b"CLIPBOARD")?,
                incr: atom(b"INCR")?,
                prop: atom(b"HOIST_CLIPBOARD")?,
            };
            let (targets, png, uri_list) = (
                atom(b"TARGETS")?,
                atom(b"image/png")?,
                atom(b"text/uri-list")?,
            );
            let window = conn.generate_id()?;
            conn.create_window(
                x11rb::COPY_DEPTH_FROM_PARENT,
                window,
                root,
                0,
                0,
                1,
                1,
                0,
                WindowClass::COPY_FROM_PARENT,
                x11rb::COPY_FROM_PARENT,
                &CreateWindowAux::new().event_mask(EventMask::PROPERTY_CHANGE),
            )?;
            let watchdog = Watchdog::start(conn.clone(), window);
            // What is offered first: a file manager's copy offers an icon image beside the
            // files, and files win (the caller reads them); and some owners (xclip) answer any
            // target with their one content, which a request for an absent one would start.
            let read = convert(&conn, window, &at, targets, &watchdog).and_then(|offered| {
                let offered: Vec<Atom> = offered
                    .map(|b| {
                        b.chunks_exact(4)
                            .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
                            .collect()
                    })
                    .unwrap_or_default();
                if offered.contains(&uri_list) || !offered.contains(&png) {
                    return Ok(None);
                }
                convert(&conn, window, &at, png, &watchdog)
            });
            drop(watchdog);
            let _ = conn.destroy_window(window);
            let _ = conn.flush();
            read
        }

        struct Atoms {
            clipboard: Atom,
            incr: Atom,
            /// The property of our window the owner writes to.
            prop: Atom,
        }

        /// The clipboard converted to `target`: `None` when the owner cannot (or there is none).
        fn convert(
            conn: &RustConnection,
            window: u32,
            at: &Atoms,
            target: Atom,
            watchdog: &Watchdog,
        ) -> Res<Option<Vec<u8>>> {
            conn.convert_selection(window, at.clipboard, target, at.prop, x11rb::CURRENT_TIME)?;
            conn.flush()?;
            receive(conn, window, at, watchdog)
        }

        /// Reads our window's `prop` whole and deletes it (which, during INCR, asks the owner
        /// for the next chunk).
        fn take(
            conn: &RustConnection,
            window: u32,
            prop: Atom,
        ) -> Res<x11rb::protocol::xproto::GetPropertyReply> {
            Ok(conn
                .get_property(true, window, prop, AtomEnum::ANY, 0, u32::MAX / 4)?
                .reply()?)
        }

        fn receive(
            conn: &RustConnection,
            window: u32,
            at: &Atoms,
            watchdog: &Watchdog,
        ) -> Res<Option<Vec<u8>>> {
            let (prop, incr) = (at.prop, at.incr);
            let mut out: Option<Vec<u8>> = None;
            loop {
                let event = conn.wait_for_event()?;
                watchdog.pet();
                match event {
                    Event::ClientMessage(m) if m.window == window => {
                        return Err("the clipboard's owner did not answer".into());
                    }
                    Event::SelectionNotify(e) if e.requestor == window && out.is_none() => {
                        if e.property == u32::from(AtomEnum::NONE) {
                            return Ok(None);
                        }
                        let reply = take(conn, window, prop)?;
                        if reply.type_ != incr {
                            return Ok(Some(reply.value));
                        }
                        // Deleting the INCR property (done by the read above) asks the owner
                        // for the first chunk.
                        let size = reply.value32().and_then(|mut v| v.next()).unwrap_or(0);
                        out = Some(Vec::with_capacity(size.min(256 << 20) as usize));
                        conn.flush()?;
                    }
                    Event::PropertyNotify(e)
                        if e.window == window
                            && e.atom == prop
                            && e.state == Property::NEW_VALUE =>
                    {
                        let Some(buf) = out.as_mut() else { continue };
                        let reply = take(conn, window, prop)?;
                        conn.flush()?;
                        if reply.value.is_empty() {
                            return Ok(out);
                        }
                        buf.extend_from_slice(&reply.value);
                    }
                    _ => {}
                }
            }
        }

        /// Wakes the blocked read with an event of its own after [`SILENCE`] without news; any
        /// event from the owner starts the wait again.
        struct Watchdog {
            tx: Option<mpsc::Sender<()>>,
            thread: Option<std::thread::JoinHandle<()>>,
        }

        impl Watchdog {
            fn start(conn: Arc<RustConnection>, window: u32) -> Self {
                let (tx, rx) = mpsc::channel::<()>();
                let thread = std::thread::spawn(move || {
                    loop {
                        match rx.recv_timeout(SILENCE) {
                            Ok(()) => continue,
                            Err(mpsc::RecvTimeoutError::Disconnected) => return,
                            Err(mpsc::RecvTimeoutError::Timeout) => {
                                let e = ClientMessageEvent::new(32, window, AtomEnum::NONE, [0; 5]);
                                let _ = conn.send_event(false, window, EventMask::NO_EVENT, e);
                                let _ = conn.flush();
                                return;
                            }
                        }
                    }
                });
                Self {
                    tx: Some(tx),
                    thread: Some(thread),
                }
            }

            fn pet(&self) {
                if let Some(tx) = &self.tx {
                    let _ = tx.send(());
                }
            }
        }

        impl Drop for Watchdog {
            fn drop(&mut self) {
                self.tx.take();
                if let Some(t) = self.thread.take() {
                    let _ = t.join();
                }
            }
        }
    }
}

#[cfg(windows)]
mod platform {
    pub fn png() -> Option<Vec<u8>> {
        // Copied files win over an image offered beside them.
        if clipboard_win::is_format_avail(clipboard_win::formats::CF_HDROP) {
            return None;
        }
        let format = clipboard_win::register_format("PNG")?;
        clipboard_win::get_clipboard(clipboard_win::formats::RawData(format.get())).ok()
    }
}

#[cfg(not(any(windows, all(unix, not(target_os = "macos")))))]
mod platform {
    /// macOS: arboard's TIFF pixels (its PNG would need an unsafe read of AppKit's type
    /// constant, which this workspace does not allow).
    pub fn png() -> Option<Vec<u8>> {
        None
    }
}
