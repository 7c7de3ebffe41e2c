//! Whether links still serve something: each URL asked with bounded concurrency and a timeout,
//! a broken one with its reason in plain words (404, 403, DNS, TLS, timeout). Shared by
//! `hoist md check` and `hoist history check` (the history's links, `check_history`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use futures::StreamExt;
use hoist_history::{History, Query, Record, Status};

use crate::error::Error;
use crate::fetch;
use crate::queue;

/// Links asked at once unless the user says otherwise (CLI and desktop alike): enough to hide
/// latency, few enough that a CDN does not rate-limit the checker.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// How long a link may take to answer unless the user says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// What asking a URL found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// It answered with a success status (after redirects).
    Alive(u16),
    /// It did not, and why.
    Broken(String),
}

/// Asks every URL, at most `concurrency` at once, each within `timeout`; one answer per URL,
/// in order. Certificates are always checked: a link readers follow must work for them.
pub async fn check_urls(
    urls: &[String],
    concurrency: usize,
    timeout: Duration,
) -> Result<Vec<Health>, Error> {
    let client = fetch::http_client(timeout)?;
    Ok(futures::stream::iter(urls)
        .map(|url| check_one(&client, url, timeout))
        .buffered(concurrency.max(1))
        .collect()
        .await)
}

/// A finished upload whose link does not serve.
#[derive(Debug, Clone)]
pub struct BrokenUpload {
    pub record: Record,
    pub reason: String,
    /// Its source is kept (the file is still there, or it came from a URL), so it can be
    /// uploaded again ([`queue::reupload_job_for`]).
    pub reuploadable: bool,
}

/// What checking the history's links found.
#[derive(Debug, Clone, Default)]
pub struct HistoryHealth {
    /// Finished uploads with a link.
    pub uploads: usize,
    /// Distinct links asked.
    pub links: usize,
    pub broken: Vec<BrokenUpload>,
}

/// Asks the link of every finished upload in `history` (of `profile` only, if given), each
/// distinct link once, newest upload first.
pub async fn check_history(
    history: &Mutex<History>,
    profile: Option<&str>,
    concurrency: usize,
    timeout: Duration,
) -> Result<HistoryHealth, Error> {
    let rows = {
        let h = history.lock().unwrap_or_else(|p| p.into_inner());
        h.list(&Query {
            profile: profile.map(str::to_owned),
            status: Some(Status::Done),
            limit: 0,
            ..Query::default()
        })?
    };
    let rows: Vec<Record> = rows.into_iter().filter(|r| r.url.is_some()).collect();
    let mut urls: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        let url = r.url.clone().unwrap_or_default();
        if !index.contains_key(&url) {
            index.insert(url.clone(), urls.len());
            urls.push(url);
        }
    }
    let health = check_urls(&urls, concurrency, timeout).await?;
    let mut out = HistoryHealth {
        uploads: rows.len(),
        links: urls.len(),
        broken: Vec::new(),
    };
    for record in rows {
        let i = index[record.url.as_deref().unwrap_or_default()];
        if let Health::Broken(reason) = &health[i] {
            out.broken.push(BrokenUpload {
                reuploadable: queue::reupload_job_for(&record).is_ok(),
                reason: reason.clone(),
                record,
            });
        }
    }
    Ok(out)
}

/// A HEAD first (cheap); servers that refuse HEAD (405, or a 403 from some CDNs) get a GET
/// whose body is not read. Network failures are final: asking again would only double a stall.
async fn check_one(client: &reqwest::Client, url: &str, timeout: Duration) -> Health {
    match client.head(url).send().await {
        Ok(r) if r.status().is_success() => return Health::Alive(r.status().as_u16()),
        Ok(r) if matches!(r.status().as_u16(), 404 | 410) => {
            return Health::Broken(status_words(r.status()));
        }
        Ok(_) => {}
        Err(e) => return Health::Broken(error_words(&e, timeout)),
    }
    match client.get(url).send().await {
        Ok(r) if r.status().is_success() => Health::Alive(r.status().as_u16()),
        Ok(r) => Health::Broken(status_words(r.status())),
        Err(e) => Health::Broken(error_words(&e, timeout)),
    }
}

fn status_words(status: reqwest::StatusCode) -> String {
    let what = match status.as_u16() {
        404 | 410 => "the file is not there",
        401 | 403 => "access is refused",
        429 => "too many requests; try again later",
        500..=599 => "the server failed",
        _ => "the server did not serve it",
    };
    format!("{} ({what})", status)
}

/// The kind of failure a reader would see, then its cause.
fn error_words(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f32());
    }
    let mut chain = String::new();
    let mut cause: Option<&dyn std::error::Error> = Some(e);
    while let Some(c) = cause {
        chain.push_str(&c.to_string().to_lowercase());
        chain.push(' ');
        cause = c.source();
    }
    let words = fetch::reqwest_words(e);
    if chain.contains("dns")
        || chain.contains("failed to lookup")
        || chain.contains("name or service not known")
    {
        format!("DNS: the host name does not resolve ({words})")
    } else if chain.contains("certificate") || chain.contains("tls") || chain.contains("handshake")
    {
        format!("TLS: {words}")
    } else {
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A loopback server answering each request line by its path: `/live` 200, `/gone` 404,
    /// `/nohead` 405 to HEAD and 200 to GET, `/stall` never; serves `n` connections and ends.
    async fn server(n: usize) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            for _ in 0..n {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = vec![0u8; 2048];
                let len = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..len]).into_owned();
                let head = req.starts_with("HEAD");
                let status = if req.contains(" /live ") {
                    "200 OK"
                } else if req.contains(" /gone ") {
                    "404 Not Found"
                } else if req.contains(" /nohead ") {
                    if head {
                        "405 Method Not Allowed"
                    } else {
                        "200 OK"
                    }
                } else {
                    held.push(sock);
                    continue;
                };
                let resp =
                    format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                let _ = sock.write_all(resp.as_bytes()).await;
            }
            // The stalled connection stays open past the client's timeout, then the server ends.
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(held);
        });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn live_missing_refused_head_and_stalled_links() {
        let base = server(5).await;
        let urls: Vec<String> = ["/live", "/gone", "/nohead", "/stall"]
            .iter()
            .map(|p| format!("{base}{p}"))
            .collect();
        let got = check_urls(&urls, 2, Duration::from_millis(700))
            .await
            .unwrap();
        assert_eq!(got[0], Health::Alive(200));
        assert!(
            matches!(&got[1], Health::Broken(w) if w.starts_with("404")),
            "{got:?}"
        );
        assert_eq!(got[2], Health::Alive(200));
        assert!(
            matches!(&got[3], Health::Broken(w) if w.contains("no answer within")),
            "{got:?}"
        );
        let refused = check_urls(
            &["http://127.0.0.1:1/x.png".into()],
            1,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        assert!(
            matches!(&refused[0], Health::Broken(w) if w.contains("cannot connect")),
            "{refused:?}"
        );
    }
}
