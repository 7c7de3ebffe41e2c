//! The checks every request passes before it may do anything: a loopback `Host` (defeats DNS
//! rebinding: a web page whose name resolves to 127.0.0.1 still sends its own name), an allowed
//! `Origin` or none (browsers always send it on cross-site POSTs; local programs do not), and
//! the secret. Secrets are compared in constant time and never appear in an error.

use hyper::HeaderMap;
use hyper::StatusCode;
use hyper::header::{AUTHORIZATION, HOST, HeaderValue, ORIGIN};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Names a browser may use for this server; anything else means the page reached us through a
/// name it controls.
const LOOPBACK_NAMES: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// Refuses a missing `Host` or one that is not a loopback name (with this server's port, if a
/// port is given).
pub(crate) fn check_host(headers: &HeaderMap, port: u16) -> Result<(), ApiError> {
    let refuse = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "request.bad_host",
            format!(
                "the Host header must be 127.0.0.1:{port}, localhost:{port} or [::1]:{port}; requests through other names are refused"
            ),
        )
    };
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refuse)?
        .trim()
        .to_ascii_lowercase();
    let (name, given_port) = match host.rsplit_once(':') {
        // `[::1]` alone contains colons but no port: only split after the closing bracket.
        Some((name, p)) if !p.contains(']') => (name, Some(p)),
        _ => (host.as_str(), None),
    };
    if !LOOPBACK_NAMES.contains(&name) {
        return Err(refuse());
    }
    match given_port {
        None => Ok(()),
        Some(p) if p.parse::<u16>().ok() == Some(port) => Ok(()),
        Some(_) => Err(refuse()),
    }
}

/// `Ok(None)` without an `Origin` header, `Ok(Some(origin))` for an allowed one, 403 otherwise.
/// `null` (sandboxed frames, `file://` pages, some redirects) is refused even if listed.
pub(crate) fn check_origin(
    headers: &HeaderMap,
    allowed: &[String],
) -> Result<Option<HeaderValue>, ApiError> {
    let Some(value) = headers.get(ORIGIN) else {
        return Ok(None);
    };
    let origin = value
        .to_str()
        .unwrap_or("")
        .trim()
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let ok = origin != "null"
        && !origin.is_empty()
        && allowed
            .iter()
            .any(|a| a.trim().trim_end_matches('/').eq_ignore_ascii_case(&origin));
    if ok {
        Ok(Some(value.clone()))
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "request.bad_origin",
            "requests from web pages are refused unless their origin is allowed (hoist serve --allow-origin)",
        ))
    }
}

/// Accepts the request when any offered secret matches: `Authorization: Bearer`,
/// `X-PicGo-Secret`, `?secret=` (PicGo) or `?key=` (PicList).
pub(crate) fn check_secret(
    headers: &HeaderMap,
    query: &[(String, String)],
    secret: &str,
) -> Result<(), ApiError> {
    let mut offered: Vec<&str> = Vec::new();
    for v in headers.get_all(AUTHORIZATION) {
        if let Ok(v) = v.to_str()
            && let Some((scheme, token)) = v.trim().split_once(' ')
            && scheme.eq_ignore_ascii_case("bearer")
        {
            offered.push(token.trim());
        }
    }
    for v in headers.get_all("x-picgo-secret") {
        if let Ok(v) = v.to_str() {
            offered.push(v.trim());
        }
    }
    for (k, v) in query {
        if k == "secret" || k == "key" {
            offered.push(v);
        }
    }
    if offered.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.required",
            "this server needs its secret: send Authorization: Bearer <secret>, X-PicGo-Secret, ?secret= or ?key=",
        ));
    }
    // Check every offer (no early exit) so timing says nothing about which one matched.
    let mut matched = false;
    for o in offered {
        matched |= same_secret(o, secret);
    }
    if matched {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.wrong_secret",
            "the secret is wrong",
        ))
    }
}

/// Constant-time equality: both sides are hashed first, so neither the length nor the first
/// differing byte of the real secret shows in the time taken.
fn same_secret(offered: &str, secret: &str) -> bool {
    let a = Sha256::digest(offered.as_bytes());
    let b = Sha256::digest(secret.as_bytes());
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// CORS headers for an allowed origin, on every response to it (preflights included).
pub(crate) fn cors_headers(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert("access-control-allow-origin", origin);
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("content-type, authorization, x-picgo-secret"),
    );
    // Chrome's Private Network Access asks before a public page may reach loopback; the origin
    // was allowed explicitly, so say yes.
    headers.insert(
        "access-control-allow-private-network",
        HeaderValue::from_static("true"),
    );
    headers.append("vary", HeaderValue::from_static("Origin"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn loopback_hosts_with_our_port_pass() {
        for ok in [
            "127.0.0.1:36677",
            "localhost:36677",
            "[::1]:36677",
            "LOCALHOST:36677",
            "127.0.0.1",
            "[::1]",
        ] {
            assert!(check_host(&with("host", ok), 36677).is_ok(), "{ok}");
        }
    }

    #[test]
    fn foreign_or_missing_hosts_are_refused() {
        for bad in [
            "evil.example",
            "evil.example:36677",
            "127.0.0.1.evil.example:36677",
            "localhost:80",
            "127.0.0.2:36677",
            "0.0.0.0:36677",
            "[::1]:1",
            "",
        ] {
            let e = check_host(&with("host", bad), 36677).unwrap_err();
            assert_eq!(e.status, StatusCode::FORBIDDEN, "{bad}");
            assert_eq!(e.code, "request.bad_host");
        }
        assert!(check_host(&HeaderMap::new(), 36677).is_err());
    }

    #[test]
    fn origins() {
        let allowed = vec!["https://notes.example".to_owned(), "null".to_owned()];
        assert_eq!(check_origin(&HeaderMap::new(), &allowed), Ok(None));
        assert!(
            check_origin(&with("origin", "https://notes.example"), &allowed)
                .unwrap()
                .is_some()
        );
        for bad in ["https://evil.example", "null", "https://notes.example.evil"] {
            let e = check_origin(&with("origin", bad), &allowed).unwrap_err();
            assert_eq!(
                (e.status, e.code.as_str()),
                (StatusCode::FORBIDDEN, "request.bad_origin")
            );
        }
        assert!(check_origin(&with("origin", "https://notes.example"), &[]).is_err());
    }

    #[test]
    fn every_secret_form_is_accepted_and_wrong_or_missing_refused() {
        let q = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
        let s = "s3cret";
        assert!(check_secret(&with("authorization", "Bearer s3cret"), &[], s).is_ok());
        assert!(check_secret(&with("authorization", "bearer  s3cret "), &[], s).is_ok());
        assert!(check_secret(&with("x-picgo-secret", "s3cret"), &[], s).is_ok());
        assert!(check_secret(&HeaderMap::new(), &q("secret", "s3cret"), s).is_ok());
        assert!(check_secret(&HeaderMap::new(), &q("key", "s3cret"), s).is_ok());

        let e = check_secret(&HeaderMap::new(), &[], s).unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str()),
            (StatusCode::UNAUTHORIZED, "auth.required")
        );
        for h in [
            with("authorization", "Bearer nope"),
            with("authorization", "Basic czNjcmV0"),
            with("x-picgo-secret", "s3cre"),
        ] {
            let e = check_secret(&h, &[], s);
            assert!(e.is_err(), "{h:?}");
        }
        let e = check_secret(&HeaderMap::new(), &q("key", "S3CRET"), s).unwrap_err();
        assert_eq!(e.code, "auth.wrong_secret");
        assert!(!e.message.contains(s));
    }
}
