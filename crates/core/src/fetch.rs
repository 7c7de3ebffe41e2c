//! Downloading a remote image given by URL (CLI arguments, the server's `{"list": [url]}`),
//! with a size cap and timeouts, and the shared HTTP client settings (certificate checks per
//! kind of server: see `own_server_client`).

use std::time::Duration;

use bytes::Bytes;

use crate::config::ResolvedProfile;
use crate::error::Error;
use crate::read::MAX_FILE_BYTES;
use crate::tls;

/// Whether an argument is a URL to download rather than a local path.
pub fn is_url(arg: &str) -> bool {
    let lower = arg.get(..8).unwrap_or(arg).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// A client with bounded timeouts for downloads of any URL. It always checks certificates:
/// the URLs come from arguments and requests, not from a server the user vouched for.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, Error> {
    build(builder(timeout))
}

/// A client for a profile's own server (the public-link step of "test connection"). It
/// follows the profile's `allow_invalid_certs`: on a self-hosted MinIO the public URL is the
/// same host with the same self-signed certificate as the endpoint.
pub fn own_server_client(profile: &ResolvedProfile) -> Result<reqwest::Client, Error> {
    let b = builder(profile.timeout);
    if profile.allow_invalid_certs {
        build(b.tls_backend_preconfigured(tls::accept_any_certificate()))
    } else {
        build(b)
    }
}

fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout)
        .user_agent(concat!("hoist/", env!("CARGO_PKG_VERSION")))
}

fn build(builder: reqwest::ClientBuilder) -> Result<reqwest::Client, Error> {
    builder.build().map_err(|e| Error::Download {
        url: String::new(),
        detail: e.to_string(),
    })
}

/// Downloads `url` (at most `MAX_FILE_BYTES`).
pub async fn download(client: &reqwest::Client, url: &str) -> Result<Bytes, Error> {
    let fail = |detail: String| Error::Download {
        url: url.to_owned(),
        detail,
    };
    let mut resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| fail(reqwest_words(&e)))?;
    if !resp.status().is_success() {
        return Err(fail(format!("the server answered {}", resp.status())));
    }
    if let Some(len) = resp.content_length()
        && len > MAX_FILE_BYTES
    {
        return Err(fail(format!(
            "it is {len} bytes, above the {MAX_FILE_BYTES}-byte limit"
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| fail(reqwest_words(&e)))? {
        body.extend_from_slice(&chunk);
        if body.len() as u64 > MAX_FILE_BYTES {
            return Err(fail(format!(
                "it is larger than the {MAX_FILE_BYTES}-byte limit"
            )));
        }
    }
    Ok(Bytes::from(body))
}

/// Plain words for a reqwest failure: the kind first, then the innermost cause.
pub fn reqwest_words(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    format!("{what} ({cause})")
}

/// The last non-empty path segment, percent-decoded, without the query; `image` if none (or
/// when the URL does not parse).
pub fn name_from_url(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| {
            let last = u.path_segments()?.rev().find(|s| !s.is_empty())?.to_owned();
            Some(
                percent_encoding::percent_decode_str(&last)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        })
        .filter(|s| !s.contains(['/', '\\']) && s != ".." && s != ".")
        .unwrap_or_else(|| "image".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_urls() {
        assert_eq!(name_from_url("https://h/a/b%20c.png?x=1#f"), "b c.png");
        assert_eq!(name_from_url("https://h/"), "image");
        assert_eq!(name_from_url("https://h"), "image");
        assert_eq!(name_from_url("https://h/dir/"), "dir");
        assert_eq!(name_from_url("https://h/%2e%2e"), "image");
    }

    #[test]
    fn url_detection() {
        assert!(is_url("HTTPS://x/y.png"));
        assert!(is_url("http://x"));
        assert!(!is_url("/tmp/http://x"));
        assert!(!is_url("a.png"));
    }
}
