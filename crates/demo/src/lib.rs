//! hoist-demo: a real S3-compatible server on 127.0.0.1 (s3s-fs, SigV4 checked) plus a plain HTTP
//! server that serves the bucket's objects publicly, standing in for a custom domain; both over
//! HTTPS with a self-signed certificate on request (`tls.rs`).
//! It owns starting and stopping both listeners; it does not talk to any remote service and is
//! not meant to be exposed beyond loopback.

mod guard;
mod names;
mod public;
mod tls;

use std::fmt;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls::pki_types::CertificateDer;
use s3s::service::S3ServiceBuilder;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

/// How to start a [`DemoServer`].
#[derive(Clone)]
pub struct DemoConfig {
    /// s3s-fs root; the bucket is the directory `data_dir/<bucket>`, created if missing.
    pub data_dir: PathBuf,
    /// The one bucket the demo offers (3–63 chars of `a-z0-9.-`, as S3 requires).
    pub bucket: String,
    /// The only access key id the S3 side accepts.
    pub access_key: String,
    /// Its secret; requests signed with another one get `SignatureDoesNotMatch`.
    pub secret_key: String,
    /// Port of the S3 endpoint on 127.0.0.1; 0 picks a free one.
    pub s3_port: u16,
    /// Port of the public object view on 127.0.0.1; 0 picks a free one.
    pub public_port: u16,
    /// Behave like a provider that ignores `If-None-Match: *` on PUT (Garage, OSS, COS, many
    /// self-hosted servers), so tests can prove that Hoist's HEAD check still protects objects.
    pub ignore_conditional_writes: bool,
    /// Serve both listeners over HTTPS with a self-signed certificate for `127.0.0.1` and
    /// `localhost` made at start, like a self-hosted MinIO with its own certificate. Clients
    /// that check certificates refuse it unless they trust [`DemoServer::certificate_der`].
    pub tls: bool,
}

impl DemoConfig {
    /// A config with the demo's default bucket and key pair and free ports.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            bucket: "hoist-demo".to_owned(),
            access_key: "HOISTDEMOACCESSKEY".to_owned(),
            secret_key: "hoist-demo-secret-key".to_owned(),
            s3_port: 0,
            public_port: 0,
            ignore_conditional_writes: false,
            tls: false,
        }
    }
}

impl fmt::Debug for DemoConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoConfig")
            .field("data_dir", &self.data_dir)
            .field("bucket", &self.bucket)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("s3_port", &self.s3_port)
            .field("public_port", &self.public_port)
            .field("tls", &self.tls)
            .finish()
    }
}

/// Why the demo server could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The config cannot work (bad bucket name, empty key …).
    #[error("demo server config: {0}")]
    Config(String),
    /// A filesystem or socket operation failed.
    #[error("demo server: {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// s3s-fs refused the data directory.
    #[error("demo server: s3s-fs cannot use {dir}: {detail}")]
    Storage { dir: PathBuf, detail: String },
    /// The background thread of [`DemoServer::start_blocking`] failed before reporting.
    #[error("demo server: the background thread stopped before the server started")]
    Thread,
}

/// Addresses and names both server flavours report.
#[derive(Clone)]
struct Endpoints {
    s3_addr: SocketAddr,
    public_addr: SocketAddr,
    bucket: String,
    data_dir: PathBuf,
    access_key: String,
    secret_key: String,
    /// The certificate both listeners present, with `DemoConfig::tls`.
    certificate: Option<CertificateDer<'static>>,
}

/// A running demo: the S3 endpoint and the public view, each on its own 127.0.0.1 port.
///
/// Both stop on [`DemoServer::shutdown`] or when this value is dropped (their tasks are aborted;
/// open connections are cut).
pub struct DemoServer {
    endpoints: Endpoints,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for DemoServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoServer")
            .field("s3", &self.endpoints.s3_addr)
            .field("public", &self.endpoints.public_addr)
            .field("bucket", &self.endpoints.bucket)
            .finish_non_exhaustive()
    }
}

impl DemoServer {
    /// Creates `data_dir/<bucket>`, binds both listeners on 127.0.0.1 and starts serving.
    ///
    /// Must be called inside a tokio runtime, which then runs the servers.
    ///
    /// # Errors
    /// [`DemoError::Config`] for an unusable bucket name or empty keys, [`DemoError::Io`] when
    /// the directory cannot be created or a port cannot be bound.
    pub async fn start(cfg: DemoConfig) -> Result<DemoServer, DemoError> {
        validate(&cfg)?;
        let bucket_dir = cfg.data_dir.join(&cfg.bucket);
        tokio::fs::create_dir_all(&bucket_dir)
            .await
            .map_err(|source| DemoError::Io {
                what: format!("create {}", bucket_dir.display()),
                source,
            })?;
        let root = canonical(&cfg.data_dir).await?;
        let bucket_dir = canonical(&bucket_dir).await?;

        let fs = s3s_fs::FileSystem::new(&root).map_err(|e| DemoError::Storage {
            dir: root.clone(),
            detail: format!("{e:?}"),
        })?;
        let s3_service = {
            let mut b = S3ServiceBuilder::new(fs);
            b.set_auth(guard::DemoAuth {
                access_key: cfg.access_key.clone(),
                secret_key: cfg.secret_key.clone(),
            });
            b.set_access(guard::BucketMustExist {
                root: root.clone(),
                ignore_conditional_writes: cfg.ignore_conditional_writes,
                claims: Default::default(),
            });
            b.build()
        };
        let site = Arc::new(public::PublicSite {
            root: root.clone(),
            bucket: cfg.bucket.clone(),
            bucket_dir,
        });

        let (acceptor, certificate) = if cfg.tls {
            let (acceptor, cert) = tls::self_signed()?;
            (Some(acceptor), Some(cert))
        } else {
            (None, None)
        };
        let s3_listener = bind(cfg.s3_port, "S3").await?;
        let public_listener = bind(cfg.public_port, "public").await?;
        let endpoints = Endpoints {
            s3_addr: local_addr(&s3_listener)?,
            public_addr: local_addr(&public_listener)?,
            bucket: cfg.bucket,
            data_dir: root,
            access_key: cfg.access_key,
            secret_key: cfg.secret_key,
            certificate,
        };

        let s3_task = tokio::spawn(accept_loop(s3_listener, acceptor.clone(), move |io| {
            http1::Builder::new().serve_connection(io, s3_service.clone())
        }));
        let public_task = tokio::spawn(accept_loop(public_listener, acceptor, move |io| {
            let site = Arc::clone(&site);
            http1::Builder::new().serve_connection(
                io,
                service_fn(move |req: Request<Incoming>| public::handle(Arc::clone(&site), req)),
            )
        }));
        tracing::debug!(
            s3 = %endpoints.s3_addr,
            public = %endpoints.public_addr,
            "demo server started"
        );
        Ok(DemoServer {
            endpoints,
            tasks: vec![s3_task, public_task],
        })
    }

    /// Starts the demo on its own tokio runtime in a background thread, for plain `#[test]`
    /// code and command-line tools. The returned handle stops it when dropped.
    ///
    /// # Errors
    /// As [`DemoServer::start`], plus [`DemoError::Io`] when the runtime or thread cannot be
    /// created.
    pub fn start_blocking(cfg: DemoConfig) -> Result<BlockingDemo, DemoError> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("hoist-demo".to_owned())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(source) => {
                        let _ = ready_tx.send(Err(DemoError::Io {
                            what: "create tokio runtime".to_owned(),
                            source,
                        }));
                        return;
                    }
                };
                rt.block_on(async move {
                    match DemoServer::start(cfg).await {
                        Ok(server) => {
                            let _ = ready_tx.send(Ok(server.endpoints.clone()));
                            // Runs until the handle is dropped (which also drops the sender).
                            let _ = stop_rx.await;
                            server.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })
            .map_err(|source| DemoError::Io {
                what: "spawn demo server thread".to_owned(),
                source,
            })?;
        match ready_rx.recv() {
            Ok(Ok(endpoints)) => Ok(BlockingDemo {
                endpoints,
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(DemoError::Thread)
            }
        }
    }

    /// The S3 endpoint, `http://127.0.0.1:PORT` (path-style addressing).
    pub fn s3_endpoint(&self) -> String {
        self.endpoints.s3_endpoint()
    }
    /// Base URL of the public view: `GET {public_base}/{key}` returns the object.
    pub fn public_base(&self) -> String {
        self.endpoints.public_base()
    }
    /// The bucket name.
    pub fn bucket(&self) -> &str {
        &self.endpoints.bucket
    }
    /// The s3s-fs root (canonical path); objects are files under `data_dir/<bucket>/`.
    pub fn data_dir(&self) -> &Path {
        &self.endpoints.data_dir
    }
    /// The file that holds object `key` (its name made legal on Windows, see `names`).
    pub fn object_file(&self, key: &str) -> PathBuf {
        self.endpoints.object_file(key)
    }
    /// The access key id the S3 side accepts.
    pub fn access_key(&self) -> &str {
        &self.endpoints.access_key
    }
    /// The matching secret.
    pub fn secret_key(&self) -> &str {
        &self.endpoints.secret_key
    }

    /// The DER certificate of an HTTPS demo (`DemoConfig::tls`), `None` for plain HTTP.
    pub fn certificate_der(&self) -> Option<&[u8]> {
        self.endpoints.certificate.as_deref()
    }

    /// See [`BlockingDemo::unfinished_multipart_uploads`].
    pub fn unfinished_multipart_uploads(&self) -> Vec<String> {
        unfinished_uploads(&self.endpoints.data_dir)
    }

    /// Stops both listeners and waits until their sockets are closed, so the ports refuse
    /// connections once this returns.
    pub async fn shutdown(mut self) {
        let tasks = std::mem::take(&mut self.tasks);
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// A [`DemoServer`] running on its own runtime thread; see [`DemoServer::start_blocking`].
pub struct BlockingDemo {
    endpoints: Endpoints,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl fmt::Debug for BlockingDemo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingDemo")
            .field("s3", &self.endpoints.s3_addr)
            .field("public", &self.endpoints.public_addr)
            .field("bucket", &self.endpoints.bucket)
            .finish_non_exhaustive()
    }
}

impl BlockingDemo {
    /// See [`DemoServer::s3_endpoint`].
    pub fn s3_endpoint(&self) -> String {
        self.endpoints.s3_endpoint()
    }
    /// See [`DemoServer::public_base`].
    pub fn public_base(&self) -> String {
        self.endpoints.public_base()
    }
    /// The bucket name.
    pub fn bucket(&self) -> &str {
        &self.endpoints.bucket
    }
    /// See [`DemoServer::data_dir`].
    pub fn data_dir(&self) -> &Path {
        &self.endpoints.data_dir
    }
    /// See [`DemoServer::object_file`].
    pub fn object_file(&self, key: &str) -> PathBuf {
        self.endpoints.object_file(key)
    }
    /// The access key id the S3 side accepts.
    pub fn access_key(&self) -> &str {
        &self.endpoints.access_key
    }
    /// The matching secret.
    pub fn secret_key(&self) -> &str {
        &self.endpoints.secret_key
    }
    /// See [`DemoServer::certificate_der`].
    pub fn certificate_der(&self) -> Option<&[u8]> {
        self.endpoints.certificate.as_deref()
    }
    /// The files s3s-fs keeps for multipart uploads that were started and neither completed
    /// nor aborted (their state, parts and pending metadata, all in the data dir's root); empty
    /// when no upload is open. s3s-fs has no ListMultipartUploads, so tests look here.
    pub fn unfinished_multipart_uploads(&self) -> Vec<String> {
        unfinished_uploads(&self.endpoints.data_dir)
    }
    /// Stops the servers and waits for the background thread (dropping does the same).
    pub fn shutdown(self) {}
}

impl Drop for BlockingDemo {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Endpoints {
    fn s3_endpoint(&self) -> String {
        format!("{}://{}", self.scheme(), self.s3_addr)
    }
    fn object_file(&self, key: &str) -> PathBuf {
        let mut path = self.data_dir.join(&self.bucket);
        path.extend(names::stored_key(key).split('/'));
        path
    }

    fn public_base(&self) -> String {
        format!("{}://{}", self.scheme(), self.public_addr)
    }
    fn scheme(&self) -> &'static str {
        if self.certificate.is_some() {
            "https"
        } else {
            "http"
        }
    }
}

/// `.upload-<id>.json` (an open upload), `.upload_id-<id>.part-<n>` (its parts) and
/// `.bucket-….upload-<id>.metadata.json` (its pending metadata), sorted.
fn unfinished_uploads(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| {
            n.starts_with(".upload") || (n.starts_with(".bucket-") && n.contains(".upload-"))
        })
        .collect();
    names.sort();
    names
}

fn validate(cfg: &DemoConfig) -> Result<(), DemoError> {
    let b = &cfg.bucket;
    let ok_chars = b
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.');
    if !(3..=63).contains(&b.len()) || !ok_chars || b.starts_with('.') || b.contains("..") {
        return Err(DemoError::Config(format!(
            "bucket name {b:?} is not a valid S3 bucket name"
        )));
    }
    if cfg.access_key.is_empty() || cfg.secret_key.is_empty() {
        return Err(DemoError::Config(
            "access key and secret key must not be empty".to_owned(),
        ));
    }
    Ok(())
}

async fn canonical(path: &Path) -> Result<PathBuf, DemoError> {
    tokio::fs::canonicalize(path)
        .await
        .map_err(|source| DemoError::Io {
            what: format!("resolve {}", path.display()),
            source,
        })
}

async fn bind(port: u16, what: &str) -> Result<TcpListener, DemoError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|source| DemoError::Io {
            what: format!("bind the {what} port 127.0.0.1:{port}"),
            source,
        })
}

fn local_addr(listener: &TcpListener) -> Result<SocketAddr, DemoError> {
    listener.local_addr().map_err(|source| DemoError::Io {
        what: "read the bound address".to_owned(),
        source,
    })
}

/// A connection as served: plain TCP, or TLS over it.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}
type Conn = TokioIo<Box<dyn Stream>>;

/// Longest a client may take over the TLS handshake before its connection is dropped.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// Accepts connections until aborted, each over TLS when `tls` is set. Connections live in a
/// `JoinSet` owned by this task, so aborting the task closes the listener and cuts every open
/// connection with it.
async fn accept_loop<F, C>(listener: TcpListener, tls: Option<TlsAcceptor>, serve: F)
where
    F: Fn(Conn) -> C + Clone + Send + 'static,
    C: Future<Output = Result<(), hyper::Error>> + Send + 'static,
{
    let mut conns: JoinSet<()> = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let (serve, tls) = (serve.clone(), tls.clone());
                    conns.spawn(async move {
                        let io: Box<dyn Stream> = match tls {
                            None => Box::new(stream),
                            Some(acceptor) => {
                                let handshake = acceptor.accept(stream);
                                match tokio::time::timeout(HANDSHAKE_LIMIT, handshake).await {
                                    Ok(Ok(tls_stream)) => Box::new(tls_stream),
                                    // A client that refuses the certificate ends up here.
                                    Ok(Err(e)) => {
                                        tracing::debug!(error = %e, "demo TLS handshake failed");
                                        return;
                                    }
                                    Err(_) => return,
                                }
                            }
                        };
                        if let Err(e) = serve(TokioIo::new(io)).await {
                            tracing::debug!(error = %e, "demo connection ended with an error");
                        }
                    });
                }
                Err(e) => {
                    // Usually EMFILE; back off instead of spinning.
                    tracing::warn!(error = %e, "demo server accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}
