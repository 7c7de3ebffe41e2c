//! Reading local files into memory within Hoist's limits: regular files only, at most
//! [`MAX_FILE_BYTES`], and admitted by their estimated memory before they are read whole.

use std::path::Path;

use bytes::Bytes;
use tokio::io::AsyncReadExt;

use crate::admission::{Budget, Share};
use crate::error::Error;
use crate::fsio::io_words;

/// The largest single file the pipeline reads. The whole file is held in memory while it is
/// processed and uploaded (large ones go up as a multipart upload, in parts sliced from that
/// same buffer, see hoist-s3); refusing early beats exhausting memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// How much of a local file is read to estimate its memory before it is admitted: the image
/// size is in the header, which is well inside this even behind EXIF, XMP and ICC segments.
const HEAD_BYTES: u64 = 256 * 1024;

/// A local file, read once its share of the budget is taken. The share is estimated from the
/// file's first [`HEAD_BYTES`], so a file waiting for room holds next to nothing; one whose start
/// does not state its size (HEIC and AVIF, whose size libheif reads from the whole file) is read
/// whole first: its bytes are small next to its pixels.
pub(crate) async fn read_file_admitted(
    path: &Path,
    options: &hoist_imaging::ProcessOptions,
    budget: &Budget,
) -> Result<(Bytes, Share), Error> {
    let len = file_len(path).await?;
    let head = read_file(path, len, HEAD_BYTES).await?;
    if let Some(need) = hoist_imaging::peak_memory(&head, len, options) {
        drop(head);
        let share = budget.admit(need).await;
        return Ok((read_file(path, len, MAX_FILE_BYTES).await?, share));
    }
    drop(head);
    let input = read_file(path, len, MAX_FILE_BYTES).await?;
    let need = hoist_imaging::peak_memory(&input, input.len() as u64, options);
    Ok((input, budget.admit(need.unwrap_or(len)).await))
}

/// The size of a local file that may be read: a regular file within [`MAX_FILE_BYTES`].
async fn file_len(path: &Path) -> Result<u64, Error> {
    // Windows opens the device for `CON`, `nul.png`… in any folder: not a file, whatever exists.
    let device = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(crate::fsio::is_windows_device_name);
    if cfg!(windows) && device {
        return Err(Error::NotAFile {
            path: path.to_owned(),
        });
    }
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| read_error(path, &e))?;
    if meta.is_dir() {
        return Err(Error::IsDir {
            path: path.to_owned(),
        });
    }
    // A FIFO would block the open forever and a device never ends: only regular files.
    if !meta.is_file() {
        return Err(Error::NotAFile {
            path: path.to_owned(),
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(path, meta.len()));
    }
    Ok(meta.len())
}

/// Up to `limit` bytes from the start of a local file of (about) `len` bytes. When `limit` is
/// [`MAX_FILE_BYTES`], more than that is an error: a file can grow after its size was read.
async fn read_file(path: &Path, len: u64, limit: u64) -> Result<Bytes, Error> {
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| read_error(path, &e))?;
    let mut buf = Vec::with_capacity(usize::try_from(len.min(limit)).unwrap_or(0));
    let whole = limit == MAX_FILE_BYTES;
    file.take(if whole { limit + 1 } else { limit })
        .read_to_end(&mut buf)
        .await
        .map_err(|e| read_error(path, &e))?;
    if whole && buf.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(path, buf.len() as u64));
    }
    Ok(Bytes::from(buf))
}

fn read_error(path: &Path, e: &std::io::Error) -> Error {
    Error::Read {
        path: path.to_owned(),
        detail: io_words(e),
    }
}

fn too_big(path: &Path, size: u64) -> Error {
    Error::TooBig {
        name: path.display().to_string(),
        size,
        limit: MAX_FILE_BYTES,
    }
}
