//! hoist-clipboard: what the user copied (a screenshot or files in a file manager) turned into
//! upload sources, and notices of each new copy ([`watch`]). Reading only: who owns the
//! clipboard afterwards (a detached holder for the CLI, the long-lived app for the desktop) is
//! each caller's business.

mod offered;
pub mod watch;

use std::path::PathBuf;

use bytes::Bytes;
use chrono::{DateTime, FixedOffset};
use hoist_core::Error;
use hoist_core::pipeline::Source;

/// What the clipboard held.
pub enum Content {
    /// PNG bytes of a clipboard image.
    Image(Vec<u8>),
    /// Paths of copied files.
    Files(Vec<PathBuf>),
}

impl Content {
    /// The upload sources: the copied files, or the image named `clipboard-<time>.png` (PicGo
    /// names pasted screenshots by time too, so links stay meaningful).
    pub fn into_sources(self, now: DateTime<FixedOffset>) -> Vec<Source> {
        match self {
            Content::Files(paths) => paths.into_iter().map(Source::Path).collect(),
            Content::Image(png) => vec![Source::Bytes {
                name: format!("clipboard-{}.png", now.format("%Y%m%d-%H%M%S")),
                bytes: Bytes::from(png),
            }],
        }
    }
}

/// True when there is a display server, hence a clipboard (always true off Linux).
pub fn has_display() -> bool {
    !cfg!(target_os = "linux") || hoist_core::session::has_display()
}

/// Whether the display server this process runs under still takes connections: a process that
/// serves the clipboard ends with its session, since the clipboard is gone with it.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn display_alive() -> bool {
    use hoist_core::session;
    let wayland = session::wayland_display().is_some_and(|name| {
        let name = std::path::PathBuf::from(name);
        let socket = match session::runtime_dir() {
            Some(dir) if name.is_relative() => std::path::PathBuf::from(dir).join(name),
            _ => name,
        };
        std::os::unix::net::UnixStream::connect(socket).is_ok()
    });
    wayland || (session::x11_display().is_some() && x11rb::connect(None).is_ok())
}

/// Opens the clipboard, with a plain reason when there is none.
pub fn open() -> Result<arboard::Clipboard, Error> {
    if !has_display() {
        return Err(Error::Clipboard(
            "no display (neither DISPLAY nor WAYLAND_DISPLAY is set), so there is no clipboard"
                .into(),
        ));
    }
    arboard::Clipboard::new()
        .map_err(|e| Error::Clipboard(format!("cannot open the clipboard: {e}")))
}

/// Reads copied files first (a file manager's copy also offers an icon image), then an image:
/// the PNG file the copying program offered, byte for byte, where the platform lets us ask
/// for it ([`offered`], which looks at what is offered before anything is read), else
/// arboard's pixels coded as a PNG. `clipboard.empty` when it holds neither.
pub fn read(cb: &mut arboard::Clipboard) -> Result<Content, Error> {
    // Asked first: it looks at what is offered, and steps aside when files are.
    if let Some(png) = offered::png() {
        return Ok(Content::Image(png));
    }
    if let Ok(files) = cb.get().file_list()
        && !files.is_empty()
    {
        return Ok(Content::Files(files));
    }
    match cb.get_image() {
        Ok(img) => {
            let w = u32::try_from(img.width).unwrap_or(u32::MAX);
            let h = u32::try_from(img.height).unwrap_or(u32::MAX);
            let png = hoist_imaging::fast_png(&img.bytes, w, h)
                .map_err(|e| Error::Clipboard(format!("cannot encode the clipboard image: {e}")))?;
            Ok(Content::Image(png))
        }
        Err(arboard::Error::ContentNotAvailable) => Err(Error::EmptyClipboard {
            detail: String::new(),
        }),
        Err(e) => Err(Error::EmptyClipboard {
            detail: format!(" ({e})"),
        }),
    }
}
