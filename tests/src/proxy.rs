//! A fault-injecting TCP proxy on 127.0.0.1 for the fault suite, plus a bounded way to run a
//! child process.
//!
//! [`FaultProxy`] sits between `hoist` and the demo S3 server. Its [`Fault`] can be switched at
//! run time with [`FaultProxy::set`]; each new connection is handled with the fault in force
//! when it was accepted, except that [`Fault::Matching`] picks the requests it hits across all
//! connections (pooled connections carry many requests). Everything runs on plain threads; dropping the proxy stops the accept
//! loop, shuts every open connection down and joins every thread, so a test never leaves a
//! listener or a stuck thread behind.

use crate::Launch;
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::Run;

/// What the proxy does with a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Forward bytes both ways unchanged.
    Pass,
    /// Accept the connection and close it at once, before reading anything.
    Refuse,
    /// Pass requests without a body (HEAD, GET); of the first request with one, forward the
    /// head and at most `body_bytes` bytes of the body (never all of it), then reset both sides
    /// (RST, not a clean close).
    ResetMidBody { body_bytes: usize },
    /// Accept, read and discard whatever arrives, never forward and never answer.
    Stall,
    /// As [`Fault::ResetMidBody`], but after the partial body forward nothing more and never
    /// answer: the server has seen the request start and waits for the rest.
    StallMidBody { body_bytes: usize },
    /// Wait this long, then behave like [`Fault::Pass`].
    Delay(Duration),
    /// Read the first request (with `uploads_only`: the first one with a body, passing those
    /// before it), answer it with this status and body (no body for HEAD), and close the
    /// connection.
    Respond {
        uploads_only: bool,
        status: u16,
        reason: &'static str,
        content_type: &'static str,
        body: String,
    },
    /// Forward every request with its `x-amz-date` moved by this many seconds (the signature
    /// is left as it was, as a client with a wrong clock would have computed it).
    SkewClock { seconds: i64 },
    /// Forward every request unchanged, recording its request line (see
    /// [`FaultProxy::request_lines`]); [`Fault::Pass`] forwards bytes without reading requests.
    Log,
    /// Forward and record every request, except requests whose request line contains `needle`:
    /// counted over all connections since this fault was set, matching requests number
    /// `skip + 1` to `skip + times` get `then` (a `Respond`, `ResetMidBody` or `StallMidBody`
    /// fault, applied to that request), the others pass. E.g. `needle: "partNumber=2&"` with
    /// `skip: 0, times: 1` cuts the first attempt at part 2 of a multipart upload only.
    Matching {
        needle: &'static str,
        skip: usize,
        times: usize,
        then: Box<Fault>,
    },
}

impl Fault {
    /// HTTP 500 with an S3 `InternalError` body.
    pub fn internal_error() -> Fault {
        Fault::Respond {
            uploads_only: false,
            status: 500,
            reason: "Internal Server Error",
            content_type: "application/xml",
            body: s3_error_xml(
                "InternalError",
                "We encountered an internal error. Please try again.",
            ),
        }
    }

    /// HTTP 503 with an S3 `SlowDown` body.
    pub fn slow_down() -> Fault {
        Fault::Respond {
            uploads_only: false,
            status: 503,
            reason: "Slow Down",
            content_type: "application/xml",
            body: s3_error_xml("SlowDown", "Please reduce your request rate."),
        }
    }

    /// HTTP 502 with an HTML body, as a load balancer in front of a dead backend answers.
    pub fn bad_gateway() -> Fault {
        Fault::Respond {
            uploads_only: false,
            status: 502,
            reason: "Bad Gateway",
            content_type: "text/html",
            body: "<html><body><h1>502 Bad Gateway</h1></body></html>".to_owned(),
        }
    }

    /// A `Respond` fault that lets bodiless requests (HEAD, GET) through and answers the first
    /// upload; other faults are returned unchanged.
    pub fn on_uploads_only(self) -> Fault {
        match self {
            Fault::Respond {
                status,
                reason,
                content_type,
                body,
                ..
            } => Fault::Respond {
                uploads_only: true,
                status,
                reason,
                content_type,
                body,
            },
            other => other,
        }
    }
}

fn s3_error_xml(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>hoist-fault-proxy</RequestId></Error>"
    )
}

/// Longest request head the proxy parses; the SDK's are about 1–2 KiB.
const MAX_HEAD: usize = 64 * 1024;
/// No socket of the proxy blocks longer than this, whatever the client does.
const IO_LIMIT: Duration = Duration::from_secs(30);

struct Shared {
    upstream: SocketAddr,
    fault: Mutex<Fault>,
    stop: AtomicBool,
    accepted: AtomicUsize,
    requests: AtomicUsize,
    /// Request lines seen by the per-request modes, in order.
    log: Mutex<Vec<String>>,
    /// Requests that matched the needle of a [`Fault::Matching`] since it was set.
    matched: AtomicUsize,
    /// Clones of the sockets of each open connection, so `Drop` can unblock the threads that
    /// use them. A connection's entry goes when its handler ends, so that closing the sockets
    /// really closes them (a clone left here would keep the connection open).
    sockets: Mutex<HashMap<usize, Vec<TcpStream>>>,
    next_id: AtomicUsize,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn track(&self, conn: usize, s: &TcpStream) {
        if let Ok(c) = s.try_clone() {
            self.sockets
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(conn)
                .or_default()
                .push(c);
        }
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// A TCP proxy from an ephemeral 127.0.0.1 port to `upstream`, with a switchable [`Fault`].
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts the proxy in [`Fault::Pass`] mode. `upstream` is a `http://host:port` URL or a
    /// `host:port` address on 127.0.0.1.
    pub fn start(upstream: &str) -> FaultProxy {
        let host_port = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let upstream: SocketAddr = host_port
            .parse()
            .unwrap_or_else(|e| panic!("upstream {host_port:?} is not ip:port: {e}"));
        assert!(upstream.ip().is_loopback(), "tests stay on 127.0.0.1");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            upstream,
            fault: Mutex::new(Fault::Pass),
            stop: AtomicBool::new(false),
            accepted: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
            matched: AtomicUsize::new(0),
            sockets: Mutex::new(HashMap::new()),
            next_id: AtomicUsize::new(0),
            workers: Mutex::new(Vec::new()),
        });
        let s = shared.clone();
        let accept = std::thread::Builder::new()
            .name("fault-proxy-accept".into())
            .spawn(move || accept_loop(&listener, &s))
            .expect("spawn proxy thread");
        FaultProxy {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`, for a profile's `endpoint`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Switches the behaviour for connections accepted from now on.
    pub fn set(&self, fault: Fault) {
        let mut current = self.shared.fault.lock().unwrap_or_else(|p| p.into_inner());
        self.shared.matched.store(0, Ordering::SeqCst);
        *current = fault;
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Request heads seen so far by the modes that parse requests (respond, cut, skew).
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Request lines (`PUT /bucket/key HTTP/1.1`) seen so far by those modes.
    pub fn request_lines(&self) -> Vec<String> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        for (_, conn) in self
            .shared
            .sockets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
        {
            for s in conn {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
        let workers: Vec<_> = self
            .shared
            .workers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
            .collect();
        for w in workers {
            let _ = w.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(client) = conn else { continue };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let _ = client.set_read_timeout(Some(IO_LIMIT));
        let _ = client.set_write_timeout(Some(IO_LIMIT));
        let _ = client.set_nodelay(true);
        let fault = shared
            .fault
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if fault == Fault::Refuse {
            // Closed here, at once: no worker thread or tracked clone that a loaded machine
            // could keep alive past the client's timeout.
            let _ = client.shutdown(Shutdown::Both);
            continue;
        }
        let conn = Conn {
            id: shared.next_id.fetch_add(1, Ordering::SeqCst),
            shared: shared.clone(),
        };
        shared.track(conn.id, &client);
        let worker = std::thread::Builder::new()
            .name("fault-proxy-conn".into())
            .spawn(move || {
                let _ = handle(client, fault, &conn);
            });
        if let Ok(w) = worker {
            let mut workers = shared.workers.lock().unwrap_or_else(|p| p.into_inner());
            workers.retain(|h| !h.is_finished());
            workers.push(w);
        }
    }
}

/// One accepted connection; dropping it forgets its sockets' clones.
struct Conn {
    id: usize,
    shared: Arc<Shared>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.shared
            .sockets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

fn handle(mut client: TcpStream, fault: Fault, conn: &Conn) -> io::Result<()> {
    let shared = &*conn.shared;
    match fault {
        Fault::Pass => pass(client, conn),
        // Closed by the accept loop before it gets here.
        Fault::Refuse => Ok(()),
        Fault::Stall => {
            swallow(&mut client, shared);
            Ok(())
        }
        Fault::Delay(d) => {
            let until = Instant::now() + d;
            while Instant::now() < until {
                if shared.stopping() {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(20).min(until - Instant::now()));
            }
            pass(client, conn)
        }
        Fault::Respond { .. }
        | Fault::ResetMidBody { .. }
        | Fault::StallMidBody { .. }
        | Fault::SkewClock { .. }
        | Fault::Log
        | Fault::Matching { .. } => per_request(client, conn, &fault),
    }
}

/// Reads and drops everything until the client gives up (or the proxy is dropped).
fn swallow(client: &mut TcpStream, shared: &Shared) {
    let mut buf = [0u8; 16 * 1024];
    while !shared.stopping() {
        match client.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

fn connect_upstream(conn: &Conn) -> io::Result<TcpStream> {
    let upstream = TcpStream::connect_timeout(&conn.shared.upstream, Duration::from_secs(5))?;
    let _ = upstream.set_read_timeout(Some(IO_LIMIT));
    let _ = upstream.set_write_timeout(Some(IO_LIMIT));
    let _ = upstream.set_nodelay(true);
    conn.shared.track(conn.id, &upstream);
    Ok(upstream)
}

/// Makes the socket's close send RST instead of FIN (the close itself happens when the last
/// handle of it is dropped, at the end of the connection's handler).
fn reset(s: &TcpStream) {
    let _ = socket2::SockRef::from(s).set_linger(Some(Duration::ZERO));
}

/// Forwards both ways unchanged until either side closes.
fn pass(client: TcpStream, conn: &Conn) -> io::Result<()> {
    let upstream = match connect_upstream(conn) {
        Ok(u) => u,
        Err(e) => {
            reset(&client);
            return Err(e);
        }
    };
    let (mut c_read, mut u_write) = (client.try_clone()?, upstream.try_clone()?);
    let (mut u_read, mut c_write) = (upstream, client);
    let back = std::thread::Builder::new()
        .name("fault-proxy-back".into())
        .spawn(move || {
            let _ = io::copy(&mut u_read, &mut c_write);
            let _ = c_write.shutdown(Shutdown::Write);
        })?;
    let result = io::copy(&mut c_read, &mut u_write).map(|_| ());
    let _ = u_write.shutdown(Shutdown::Write);
    let _ = back.join();
    result
}

/// Forwards request by request (answers flow back unchanged), applying `fault`:
/// `SkewClock` rewrites every request; `Respond` answers the first request itself;
/// `ResetMidBody` / `StallMidBody` pass bodiless requests (HEAD, GET …) and cut the first one
/// with a body; `Matching` applies its fault to the requests it picks; `Log` changes nothing.
fn per_request(mut client: TcpStream, conn: &Conn, fault: &Fault) -> io::Result<()> {
    let shared = &*conn.shared;
    let mut upstream = match connect_upstream(conn) {
        Ok(u) => u,
        Err(e) => {
            reset(&client);
            return Err(e);
        }
    };
    let cut = Arc::new(AtomicBool::new(false));
    let (mut u_read, mut c_write) = (upstream.try_clone()?, client.try_clone()?);
    let cut_back = cut.clone();
    let back = std::thread::Builder::new()
        .name("fault-proxy-back".into())
        .spawn(move || {
            // Answers flow back until a cut; what the server says after it (its answer to the
            // truncated request) never reaches the client. Checked per read: the flag is set
            // before the server can see the cut, and some systems (Wine) still deliver reads on
            // a socket shut down for reading.
            let mut chunk = [0u8; 16 * 1024];
            while let Ok(n) = u_read.read(&mut chunk) {
                if n == 0
                    || cut_back.load(Ordering::SeqCst)
                    || c_write.write_all(&chunk[..n]).is_err()
                {
                    break;
                }
            }
            // After a cut the client must see the cut (RST or silence), not a clean close.
            if !cut_back.load(Ordering::SeqCst) {
                let _ = c_write.shutdown(Shutdown::Write);
            }
        })?;
    let result = per_request_loop(&mut client, &mut upstream, shared, fault, &cut);
    if !cut.load(Ordering::SeqCst) {
        let _ = upstream.shutdown(Shutdown::Write);
    }
    let _ = back.join();
    result
}

fn per_request_loop(
    client: &mut TcpStream,
    upstream: &mut TcpStream,
    shared: &Shared,
    fault: &Fault,
    cut: &AtomicBool,
) -> io::Result<()> {
    let mut buf = Vec::new();
    loop {
        let Some(head) = read_head(client, &mut buf)? else {
            // EOF between requests, or something that is not HTTP/1.1: pass the rest through.
            upstream.write_all(&buf)?;
            io::copy(client, upstream)?;
            return Ok(());
        };
        shared.requests.fetch_add(1, Ordering::SeqCst);
        let request_line = String::from_utf8_lossy(&buf[..head.len])
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        shared
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(request_line.clone());
        let body_len = head.content_length.unwrap_or(0);
        let picked;
        let fault = match fault {
            Fault::Matching {
                needle,
                skip,
                times,
                then,
            } => {
                let hit = request_line.contains(needle) && {
                    let n = shared.matched.fetch_add(1, Ordering::SeqCst);
                    n >= *skip && n - skip < *times
                };
                picked = if hit { (**then).clone() } else { Fault::Log };
                &picked
            }
            other => other,
        };
        match fault {
            Fault::Respond {
                uploads_only,
                status,
                reason,
                content_type,
                body,
            } if !uploads_only || body_len > 0 || head.chunked => {
                // Read the whole request first: closing a socket with unread input sends RST,
                // and the client would see a reset instead of this answer.
                if !head.expects_continue {
                    let buffered = buf.len() - head.len;
                    discard(client, body_len.saturating_sub(buffered))?;
                }
                let is_head = request_line.starts_with("HEAD ");
                let resp = format!(
                    "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\nx-amz-request-id: hoist-fault-proxy\r\n\r\n{}",
                    body.len(),
                    if is_head { "" } else { body }
                );
                cut.store(true, Ordering::SeqCst);
                client.write_all(resp.as_bytes())?;
                client.flush()?;
                let _ = client.shutdown(Shutdown::Write);
                let _ = upstream.shutdown(Shutdown::Both);
                // Drain briefly so the answer is not cut off by a reset.
                let _ = client.set_read_timeout(Some(Duration::from_secs(2)));
                let mut sink = [0u8; 8192];
                while matches!(client.read(&mut sink), Ok(n) if n > 0) {}
                return Ok(());
            }
            Fault::ResetMidBody { body_bytes } | Fault::StallMidBody { body_bytes }
                if body_len > 1 && !head.chunked =>
            {
                upstream.write_all(&buf[..head.len])?;
                // Never the whole body: at most half of it.
                let mut left = (*body_bytes).min(body_len / 2);
                let first = (buf.len() - head.len).min(left);
                upstream.write_all(&buf[head.len..head.len + first])?;
                left -= first;
                let mut chunk = [0u8; 8192];
                while left > 0 {
                    let want = left.min(chunk.len());
                    let n = client.read(&mut chunk[..want])?;
                    if n == 0 {
                        break;
                    }
                    upstream.write_all(&chunk[..n])?;
                    left -= n;
                }
                upstream.flush()?;
                cut.store(true, Ordering::SeqCst);
                if matches!(fault, Fault::StallMidBody { .. }) {
                    // The server keeps waiting for the rest; the client for an answer.
                    swallow(client, shared);
                } else {
                    reset(client);
                    reset(upstream);
                }
                let _ = upstream.shutdown(Shutdown::Both);
                return Ok(());
            }
            _ => {
                if let Fault::SkewClock { seconds } = fault {
                    skew_amz_date(&mut buf[..head.len], *seconds);
                }
                upstream.write_all(&buf[..head.len])?;
                buf.drain(..head.len);
                if head.chunked {
                    upstream.write_all(&buf)?;
                    io::copy(client, upstream)?;
                    return Ok(());
                }
                let mut left = body_len;
                let from_buf = left.min(buf.len());
                upstream.write_all(&buf[..from_buf])?;
                buf.drain(..from_buf);
                left -= from_buf;
                let mut chunk = [0u8; 16 * 1024];
                while left > 0 {
                    let want = left.min(chunk.len());
                    let n = client.read(&mut chunk[..want])?;
                    if n == 0 {
                        return Ok(());
                    }
                    upstream.write_all(&chunk[..n])?;
                    left -= n;
                }
            }
        }
    }
}

/// What the proxy needs to know about one request head.
struct Head {
    /// Bytes of the head including the blank line.
    len: usize,
    content_length: Option<usize>,
    chunked: bool,
    expects_continue: bool,
}

/// Reads until `buf` holds a whole request head; `Ok(None)` on EOF before one, or when the
/// head is not parseable HTTP within [`MAX_HEAD`].
fn read_head(s: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Option<Head>> {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            let len = end + 4;
            let text = String::from_utf8_lossy(&buf[..len]).to_ascii_lowercase();
            let header = |name: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
            };
            return Ok(Some(Head {
                len,
                content_length: header("content-length:").and_then(|v| v.parse().ok()),
                chunked: header("transfer-encoding:").is_some_and(|v| v.contains("chunked")),
                expects_continue: header("expect:").is_some_and(|v| v.contains("100-continue")),
            }));
        }
        if buf.len() > MAX_HEAD {
            return Ok(None);
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn discard(s: &mut TcpStream, mut n: usize) -> io::Result<()> {
    let mut chunk = [0u8; 16 * 1024];
    while n > 0 {
        let want = n.min(chunk.len());
        let got = s.read(&mut chunk[..want])?;
        if got == 0 {
            break;
        }
        n -= got;
    }
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Moves the `x-amz-date: YYYYMMDDTHHMMSSZ` value in `head` by `seconds`, in place (same
/// length). Only the time of day changes, so the date in the credential scope still matches;
/// callers pick an offset that does not cross midnight (see [`same_day_skew`]).
fn skew_amz_date(head: &mut [u8], seconds: i64) {
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let Some(at) = find(&lower, b"\r\nx-amz-date:") else {
        return;
    };
    let mut v = at + b"\r\nx-amz-date:".len();
    while head.get(v) == Some(&b' ') {
        v += 1;
    }
    let Some(value) = head.get(v..v + 16) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(value) else {
        return;
    };
    let num = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<i64>().ok());
    let (Some(h), Some(m), Some(s)) = (num(9..11), num(11..13), num(13..15)) else {
        return;
    };
    let t = (h * 3600 + m * 60 + s + seconds).clamp(0, 86_399);
    let new = format!(
        "{}T{:02}{:02}{:02}Z",
        &text[..8],
        t / 3600,
        t / 60 % 60,
        t % 60
    );
    head[v..v + 16].copy_from_slice(new.as_bytes());
}

/// An offset of about an hour that keeps the current UTC time of day inside today: one hour
/// back, or one hour forward just after midnight.
pub fn same_day_skew() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let of_day = (secs % 86_400) as i64;
    // A test takes seconds; leave a margin on both sides.
    if of_day >= 3_600 + 600 { -3_600 } else { 3_600 }
}

/// Runs `cmd` with piped output and kills it if it is still running after `limit`, failing the
/// test: a hang becomes a failure instead of a stuck CI job.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn_now()
        .expect("spawn hoist");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for hoist") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = out_t.join().unwrap_or_default();
            let stderr = err_t.join().unwrap_or_default();
            panic!(
                "hoist still running after {limit:?}: killed\n--- stdout\n{}\n--- stderr\n{}",
                String::from_utf8_lossy(&stdout),
                String::from_utf8_lossy(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_date_moves_within_the_day() {
        let mut head =
            b"PUT /b/k HTTP/1.1\r\nhost: x\r\nx-amz-date: 20260522T134501Z\r\n\r\n".to_vec();
        skew_amz_date(&mut head, -3600);
        assert!(
            String::from_utf8_lossy(&head).contains("x-amz-date: 20260522T124501Z"),
            "{}",
            String::from_utf8_lossy(&head)
        );
        let mut head = b"GET / HTTP/1.1\r\nX-Amz-Date:20260522T003000Z\r\n\r\n".to_vec();
        skew_amz_date(&mut head, 3600);
        assert!(String::from_utf8_lossy(&head).contains("X-Amz-Date:20260522T013000Z"));
    }
}
