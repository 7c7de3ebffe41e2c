//! Screen capture: the desktop's pixels (all monitors, or a region of them) and where each
//! monitor lies, for the capture overlay to show and the editor to crop from.
//!
//! X11 is read with GetImage on the root window (pixels are device pixels, so a HiDPI screen
//! gives its full resolution) and its monitors come from RandR. A Wayland session is refused in
//! words rather than captured through XWayland, whose root window shows only X clients (native
//! windows come out black): Wayland needs the desktop portal's Screenshot call, which is not
//! built yet; nor are Windows and macOS.

use image::RgbaImage;

mod source;
#[cfg(all(unix, not(target_os = "macos")))]
mod x11;

pub use source::into_source;

/// Why a capture did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// This session cannot be captured (no display, or a system Hoist cannot capture yet).
    #[error("screen capture is not available here: {reason}")]
    Unavailable { reason: String },
    /// The display server refused or failed the capture.
    #[error("the screen could not be captured: {reason}")]
    Failed { reason: String },
    /// The asked region has no pixel on the screen.
    #[error("the region {width}×{height} at ({x}, {y}) is outside the screen")]
    Outside {
        x: i32,
        y: i32,
        width: u32,
        height: u32,
    },
}

impl CaptureError {
    /// The stable machine-readable code: `capture.unavailable`, `capture.failed` or
    /// `capture.outside`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable { .. } => "capture.unavailable",
            Self::Failed { .. } => "capture.failed",
            Self::Outside { .. } => "capture.outside",
        }
    }
}

impl From<CaptureError> for hoist_core::Error {
    fn from(e: CaptureError) -> Self {
        hoist_core::Error::Capture {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// A rectangle of the desktop, in device pixels from the top-left of the whole desktop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Region {
    /// All of a desktop of `width`×`height`.
    pub fn whole((width, height): (u32, u32)) -> Self {
        Self {
            x: 0,
            y: 0,
            width,
            height,
        }
    }
}

impl std::str::FromStr for Region {
    type Err = String;

    /// `X,Y,WxH` in device pixels: `100,50,800x600`.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || {
            format!("a region is X,Y,WIDTHxHEIGHT in pixels, like 100,50,800x600 (got \"{text}\")")
        };
        let mut parts = text.trim().splitn(3, ',');
        let (Some(x), Some(y), Some(size)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let (w, h) = size.split_once(['x', 'X', '×']).ok_or_else(bad)?;
        let region = Region {
            x: x.trim().parse().map_err(|_| bad())?,
            y: y.trim().parse().map_err(|_| bad())?,
            width: w.trim().parse().map_err(|_| bad())?,
            height: h.trim().parse().map_err(|_| bad())?,
        };
        if region.width == 0 || region.height == 0 {
            return Err(format!("the region \"{text}\" has no pixels"));
        }
        Ok(region)
    }
}

/// One monitor of the desktop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Monitor {
    /// The system's name for it ("HDMI-1"; "screen" when the system names none).
    pub name: String,
    pub area: Region,
    pub primary: bool,
}

/// A connection to the desktop to capture.
pub struct Desktop {
    #[cfg(all(unix, not(target_os = "macos")))]
    inner: x11::X11,
}

impl Desktop {
    /// The session this process runs in (`DISPLAY`; a Wayland session is refused, see the
    /// module doc).
    pub fn open() -> Result<Self, CaptureError> {
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            if hoist_core::session::wayland_display().is_some() {
                return Err(CaptureError::Unavailable {
                    reason: "this is a Wayland session; capturing it needs the desktop portal, which Hoist does not use yet".into(),
                });
            }
            Self::open_x11(None)
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            Err(CaptureError::Unavailable {
                reason: format!(
                    "screen capture on {} is not built yet",
                    std::env::consts::OS
                ),
            })
        }
    }

    /// The X display named `display` (":1"), or `DISPLAY`'s when `None`.
    #[cfg(all(unix, not(target_os = "macos")))]
    pub fn open_x11(display: Option<&str>) -> Result<Self, CaptureError> {
        Ok(Self {
            inner: x11::X11::connect(display)?,
        })
    }

    /// The whole desktop's size in device pixels.
    pub fn size(&self) -> (u32, u32) {
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            self.inner.size()
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            (0, 0)
        }
    }

    /// The monitors, the primary one first (the first listed when the system marks none).
    pub fn monitors(&self) -> Result<Vec<Monitor>, CaptureError> {
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            let mut all = self.inner.monitors()?;
            // Servers that mark none (Xvfb, some setups without a display manager): the
            // first one listed is where the overlay's toolbar goes.
            if !all.iter().any(|m| m.primary)
                && let Some(first) = all.first_mut()
            {
                first.primary = true;
            }
            all.sort_by_key(|m| !m.primary);
            Ok(all)
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            Ok(Vec::new())
        }
    }

    /// The pixels of `region` (clipped to the desktop), or of the whole desktop; opaque RGBA.
    pub fn capture(&self, region: Option<Region>) -> Result<RgbaImage, CaptureError> {
        let whole = Region::whole(self.size());
        let asked = region.unwrap_or(whole);
        let clipped = clip(asked, whole).ok_or(CaptureError::Outside {
            x: asked.x,
            y: asked.y,
            width: asked.width,
            height: asked.height,
        })?;
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            self.inner.capture(clipped)
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            let _ = clipped;
            Err(CaptureError::Unavailable {
                reason: "no capture backend".into(),
            })
        }
    }
}

/// The part of `r` inside `bounds`, if any.
fn clip(r: Region, bounds: Region) -> Option<Region> {
    let right =
        (i64::from(r.x) + i64::from(r.width)).min(i64::from(bounds.x) + i64::from(bounds.width));
    let bottom =
        (i64::from(r.y) + i64::from(r.height)).min(i64::from(bounds.y) + i64::from(bounds.height));
    let (left, top) = (r.x.max(bounds.x), r.y.max(bounds.y));
    let (width, height) = (right - i64::from(left), bottom - i64::from(top));
    (width > 0 && height > 0).then_some(Region {
        x: left,
        y: top,
        width: width as u32,
        height: height as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_clipped_to_the_desktop() {
        let screen = Region {
            x: 0,
            y: 0,
            width: 100,
            height: 50,
        };
        let r = |x, y, width, height| Region {
            x,
            y,
            width,
            height,
        };
        assert_eq!(clip(r(10, 10, 20, 20), screen), Some(r(10, 10, 20, 20)));
        assert_eq!(clip(r(-5, 40, 20, 20), screen), Some(r(0, 40, 15, 10)));
        assert_eq!(clip(r(100, 0, 5, 5), screen), None);
        assert_eq!(clip(r(0, 0, 0, 5), screen), None);
    }

    #[test]
    fn regions_read_as_x_y_size() {
        let r: Region = "100,-20,800x600".parse().unwrap();
        assert_eq!(
            r,
            Region {
                x: 100,
                y: -20,
                width: 800,
                height: 600
            }
        );
        assert!(
            "100,50"
                .parse::<Region>()
                .unwrap_err()
                .contains("like 100,50,800x600")
        );
        assert!(
            "1,2,0x5"
                .parse::<Region>()
                .unwrap_err()
                .contains("no pixels")
        );
    }
}
