//! The demo's optional HTTPS, standing in for a self-hosted server with its own certificate: a
//! self-signed certificate for `127.0.0.1` and `localhost`, made fresh at every start (no key
//! is ever written to disk), and the acceptor both listeners wrap their connections in.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

use crate::DemoError;

/// The acceptor and the DER certificate it presents (for clients that want to trust it).
pub(crate) fn self_signed() -> Result<(TlsAcceptor, CertificateDer<'static>), DemoError> {
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .map_err(|e| DemoError::Config(format!("cannot make a TLS certificate: {e}")))?;
    let cert = made.cert.der().clone();
    let key = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .and_then(|b| {
        b.with_no_client_auth()
            .with_single_cert(vec![cert.clone()], key)
    })
    .map_err(|e| DemoError::Config(format!("cannot use the TLS certificate: {e}")))?;
    Ok((TlsAcceptor::from(Arc::new(config)), cert))
}
