//! The file name under which the demo keeps an object: the key itself, except on Windows, where
//! some keys are not legal paths (`question?.png`, `a:b`, `CON.png`, a trailing dot). There
//! each `/`-separated component is made legal reversibly: `%` and the characters Windows
//! forbids become `%XX`, as do a trailing dot or space and the first letter of a reserved
//! device name. s3s-fs then stores and finds the object under that name, and the public view
//! looks it up the same way, so both sides agree and every key round-trips.

use std::borrow::Cow;

/// The name s3s-fs and the public view use for `key` on this platform.
pub(crate) fn stored_key(key: &str) -> Cow<'_, str> {
    if cfg!(windows) {
        windows_safe(key)
    } else {
        Cow::Borrowed(key)
    }
}

/// `key` with every component a legal Windows file name (see the module); unchanged when it
/// already is. Pure, so it is tested on every platform.
pub(crate) fn windows_safe(key: &str) -> Cow<'_, str> {
    if key.split('/').all(needs_no_change) {
        return Cow::Borrowed(key);
    }
    let parts: Vec<String> = key.split('/').map(encode_component).collect();
    Cow::Owned(parts.join("/"))
}

/// What Windows forbids in a file name (besides control characters).
const FORBIDDEN: &[char] = &['<', '>', ':', '"', '\\', '|', '?', '*'];

/// Escaped too, though legal, so that decoding is unambiguous (`a%3Fb` is not `a?b`).
const ESCAPE: char = '%';

/// CON, PRN, AUX, NUL, COM1–9, LPT1–9 (also with superscript digits), with or without an
/// extension, in any case: the list `hoist_core::fsio::is_windows_device_name` refuses as
/// inputs. Written here too because the demo server stands alone: it is what Hoist is tested
/// against, so it does not depend on Hoist's core.
fn is_reserved(component: &str) -> bool {
    let stem = component.split('.').next().unwrap_or_default().trim_end();
    let upper = stem.to_ascii_uppercase();
    matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || ((upper.starts_with("COM") || upper.starts_with("LPT"))
        && stem.chars().count() == 4
        && stem
            .chars()
            .nth(3)
            .is_some_and(|c| matches!(c, '1'..='9' | '¹' | '²' | '³')))
}

/// Legal on Windows and free of `%`, so it is stored as it is.
fn needs_no_change(c: &str) -> bool {
    !c.chars()
        .any(|ch| FORBIDDEN.contains(&ch) || ch == ESCAPE || ch < ' ')
        && is_legal_component(c)
}

fn is_legal_component(c: &str) -> bool {
    !c.chars().any(|ch| FORBIDDEN.contains(&ch) || ch < ' ')
        && !c.ends_with(['.', ' '])
        && !is_reserved(c)
}

fn encode_component(c: &str) -> String {
    if c == "." || c == ".." {
        // Never legal keys here (s3s refuses them); kept as they are so nothing new appears.
        return c.to_owned();
    }
    let mut out = String::with_capacity(c.len() + 8);
    let last = c.chars().count().saturating_sub(1);
    let reserved = is_reserved(c);
    for (i, ch) in c.chars().enumerate() {
        let must = FORBIDDEN.contains(&ch)
            || ch == ESCAPE
            || ch < ' '
            || (i == last && matches!(ch, '.' | ' '))
            || (i == 0 && reserved);
        if must {
            let mut buf = [0u8; 4];
            for b in ch.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> String {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .unwrap()
            .into_owned()
    }

    #[test]
    fn legal_keys_stay_as_they_are() {
        for key in [
            "2026/12/shot.png",
            "图片/截图 1.webp",
            "a b/c-d_e.f.jpg",
            "%",
        ] {
            let stored = windows_safe(key);
            if key == "%" {
                assert_eq!(stored, "%25");
            } else {
                assert!(matches!(stored, Cow::Borrowed(_)), "{key}");
            }
        }
    }

    #[test]
    fn illegal_names_become_legal_and_round_trip() {
        let cases = [
            ("question?.png", "question%3F.png"),
            ("a:b/c*d.png", "a%3Ab/c%2Ad.png"),
            ("CON.png", "%43ON.png"),
            ("dir/nul", "dir/%6Eul"),
            ("COM1.txt", "%43OM1.txt"),
            ("console.png", "console.png"),
            ("trailing./x.png", "trailing%2E/x.png"),
            ("space /x", "space%20/x"),
            ("50%/x<y>|\"z\".png", "50%25/x%3Cy%3E%7C%22z%22.png"),
            ("back\\slash", "back%5Cslash"),
        ];
        for (key, want) in cases {
            let stored = windows_safe(key);
            assert_eq!(stored, want, "{key}");
            assert!(stored.split('/').all(is_legal_component), "{stored}");
            assert_eq!(decode(&stored), key);
        }
    }

    #[test]
    fn distinct_keys_never_share_a_name() {
        let keys = ["a?b", "a%3Fb", "a%b", "a%25b", "CON", "%43ON", "x.", "x%2E"];
        let mut seen = std::collections::HashSet::new();
        for k in keys {
            assert!(seen.insert(windows_safe(k).into_owned()), "{k}");
        }
    }
}
