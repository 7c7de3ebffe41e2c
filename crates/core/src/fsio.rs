//! File-system plumbing every caller shares: I/O errors in plain words, Windows' device names,
//! and the one atomic save
//! (temp file in the same folder, flushed to disk, renamed over the old file) that the config
//! and the desktop settings use, so a crash never leaves half a file.

use std::io::Write;
use std::path::Path;

/// `io::Error`'s Display adds "(os error 2)"; users want the words only.
pub fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ if is_disk_full(e) => "the disk is full".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_owned(),
                None => s,
            }
        }
    }
}

/// Whether `name` (a file name, not a path) is one of Windows' device names, which open a device
/// in every folder whatever the extension: CON, PRN, AUX, NUL, COM1–9, LPT1–9 (also with
/// superscript digits), CONIN$, CONOUT$, in any case, trailing spaces ignored. Checked on every
/// platform so the rule is testable; only Windows acts on it.
pub fn is_windows_device_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default().trim_end();
    let upper = stem.to_ascii_uppercase();
    let numbered = (upper.starts_with("COM") || upper.starts_with("LPT"))
        && stem.chars().count() == 4
        && stem
            .chars()
            .nth(3)
            .is_some_and(|c| matches!(c, '1'..='9' | '¹' | '²' | '³'));
    numbered
        || matches!(
            upper.as_str(),
            "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
        )
}

/// Whether an I/O error means the file system is out of space (ENOSPC) or the user's quota is
/// used up: worth saying in those words rather than as an I/O error.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// Writes `header` then `body` to `path` atomically, creating its folder: readers see the old
/// file or the new one, never a part, even after a crash or a full disk.
pub fn save_atomically(path: &Path, header: &str, body: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(header.as_bytes())?;
    tmp.write_all(body)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_error_numbers_are_dropped() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_words(&e), "no such file");
        let e = std::io::Error::other("boom (os error 99)");
        assert_eq!(io_words(&e), "boom");
        assert!(is_disk_full(&std::io::Error::from(
            std::io::ErrorKind::StorageFull
        )));
    }

    #[test]
    fn a_save_replaces_the_whole_file_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/settings.toml");
        save_atomically(&path, "# header\n", b"a = 1\n").unwrap();
        save_atomically(&path, "# header\n", b"b = 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# header\nb = 2\n");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["settings.toml"]);
    }
}
