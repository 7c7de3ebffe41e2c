//! The server's two error types: `ApiError` (one refused or failed request, turned into a
//! status and PicGo's `{"success": false, "message"}` JSON with a stable `code`) and
//! `ServerError` (the server could not start). Neither ever carries a secret.

use std::net::SocketAddr;

use hyper::StatusCode;

/// A request answered with `success: false`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn too_large(limit: u64) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.too_large",
            format!("the request body is larger than the server's {limit}-byte limit"),
        )
    }

    /// A core error met while preparing a request: the client's fault when it named a profile
    /// that does not exist, the host's setup otherwise (config, keychain, history).
    pub fn from_core(e: &hoist_core::Error) -> Self {
        let status = match e.code() {
            "config.unknown_profile" => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, e.code(), e.to_string())
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The API binds loopback only: anything reachable from the network would let other
    /// machines upload the user's files.
    #[error("the server listens on loopback only (127.0.0.1 or ::1), not on {addr}")]
    NotLoopback { addr: SocketAddr },
    /// PicGo, PicList or another PicGo-compatible server answers on the port.
    #[error(
        "PicGo or another PicGo-compatible server already listens on port {port}; quit it or choose another port with --port"
    )]
    PicGoRunning { port: u16 },
    #[error(
        "port {port} is in use by another program (not Hoist); stop it or choose another port with --port"
    )]
    PortInUse { port: u16 },
    #[error("cannot listen on {addr}: {detail}")]
    Bind { addr: SocketAddr, detail: String },
}

impl ServerError {
    /// Stable machine-readable code; never rename one.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotLoopback { .. } => "server.not_loopback",
            Self::PicGoRunning { .. } => "server.picgo_running",
            Self::PortInUse { .. } => "server.port_in_use",
            Self::Bind { .. } => "server.bind",
        }
    }
}
