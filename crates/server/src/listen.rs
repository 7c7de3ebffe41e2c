//! Binding, the accept loop and stopping: loopback only, HTTP/1.1 with header timeouts, a cap
//! on open connections, graceful shutdown, and what to do when the port is taken (another
//! Hoist → reuse it; PicGo or anything else → a clear error naming the port).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::api::App;
use crate::error::ServerError;
use crate::{MARKER_HEADER, ServerConfig, ServerHost};

/// Open connections at once; beyond this new ones are closed at once. Editors open one or two.
const MAX_CONNECTIONS: usize = 256;
/// A client must send its request headers within this time (slow-loris guard).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a shutdown waits for requests in progress before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How long the "who holds the port" probe waits for an answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The result of [`start`].
pub enum Started {
    /// This process now serves the API.
    Running(RunningServer),
    /// Another Hoist already serves the API on this port; use it.
    AlreadyRunning { addr: SocketAddr },
}

/// A server running on a tokio runtime. Dropping it does not stop it; call
/// [`RunningServer::shutdown`] or a [`ShutdownHandle`].
pub struct RunningServer {
    addr: SocketAddr,
    stop: ShutdownHandle,
    task: JoinHandle<()>,
}

/// Stops the server from anywhere (a signal handler, the desktop app's settings); cheap to clone.
#[derive(Clone)]
pub struct ShutdownHandle(Arc<watch::Sender<bool>>);

impl ShutdownHandle {
    /// Asks the server to stop accepting, finish requests in progress and exit.
    pub fn shutdown(&self) {
        self.0.send_replace(true);
    }
}

impl RunningServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.stop.clone()
    }

    /// Stops the server and waits until requests in progress are answered (at most 10 s).
    pub async fn shutdown(self) {
        self.stop.shutdown();
        let _ = self.task.await;
    }

    /// Waits until the server has stopped (after a [`ShutdownHandle::shutdown`]).
    pub async fn stopped(self) {
        let _ = self.task.await;
    }
}

/// Binds `cfg.bind:cfg.port` and serves the API until shut down. Must run inside a tokio
/// runtime.
///
/// # Errors
/// [`ServerError::NotLoopback`] for a non-loopback address; when the port is taken,
/// [`Started::AlreadyRunning`] if a Hoist server holds it, else [`ServerError::PicGoRunning`]
/// or [`ServerError::PortInUse`]; [`ServerError::Bind`] for other socket errors.
pub async fn start<H: ServerHost>(host: Arc<H>, cfg: ServerConfig) -> Result<Started, ServerError> {
    let addr = SocketAddr::new(cfg.bind, cfg.port);
    if !cfg.bind.is_loopback() {
        return Err(ServerError::NotLoopback { addr });
    }
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return match probe(addr).await {
                Holder::Hoist => Ok(Started::AlreadyRunning { addr }),
                Holder::PicGo => Err(ServerError::PicGoRunning { port: cfg.port }),
                Holder::Other => Err(ServerError::PortInUse { port: cfg.port }),
            };
        }
        Err(e) => {
            return Err(ServerError::Bind {
                addr,
                detail: e.to_string(),
            });
        }
    };
    let addr = listener.local_addr().map_err(|e| ServerError::Bind {
        addr,
        detail: e.to_string(),
    })?;
    let app = Arc::new(App::new(host, cfg, addr.port()));
    let (tx, rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, app, rx));
    Ok(Started::Running(RunningServer {
        addr,
        stop: ShutdownHandle(Arc::new(tx)),
        task,
    }))
}

async fn accept_loop<H: ServerHost>(
    listener: TcpListener,
    app: Arc<App<H>>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let app = app.clone();
        let service = service_fn(move |req: Request<Incoming>| {
            let app = app.clone();
            async move { Ok::<_, Infallible>(app.handle(req).await) }
        });
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection ended: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {SHUTDOWN_GRACE:?}; stopping anyway");
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Holder {
    Hoist,
    PicGo,
    Other,
}

/// Who answers on `addr`: `POST /heartbeat` with Hoist's marker header, PicGo's `alive`
/// answer, or anything else (including silence).
async fn probe(addr: SocketAddr) -> Holder {
    let ask = async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        let req = format!(
            "POST /heartbeat HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.ok()?;
        let mut buf = Vec::new();
        s.take(64 * 1024).read_to_end(&mut buf).await.ok()?;
        Some(buf)
    };
    match tokio::time::timeout(PROBE_TIMEOUT, ask).await {
        Ok(Some(answer)) => classify(&String::from_utf8_lossy(&answer)),
        _ => Holder::Other,
    }
}

fn classify(answer: &str) -> Holder {
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((answer, ""));
    let marker = format!("{MARKER_HEADER}:");
    if head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with(&marker))
    {
        Holder::Hoist
    } else if body.contains("\"alive\"") {
        Holder::PicGo
    } else {
        Holder::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_holders_are_told_apart() {
        assert_eq!(
            classify("HTTP/1.1 200 OK\r\nX-Hoist: 1\r\ncontent-length: 2\r\n\r\n{}"),
            Holder::Hoist
        );
        assert_eq!(
            classify("HTTP/1.1 200 OK\r\n\r\n{\"success\":true,\"result\":\"alive\"}"),
            Holder::PicGo
        );
        assert_eq!(classify("HTTP/1.1 404 Not Found\r\n\r\n"), Holder::Other);
        assert_eq!(classify(""), Holder::Other);
    }
}
