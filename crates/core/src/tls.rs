//! What `allow_invalid_certs` means, in one place for every HTTP client that talks to a
//! profile's own servers (the S3 client in hoist-s3, the public-link check of "test
//! connection"): the certificate verifier that accepts any certificate, and the warning a
//! profile with the option shows whenever it is used.
//!
//! Only the certificate's chain, validity dates and host name go unchecked. The handshake
//! signatures are still verified with the crypto provider in use, so the connection is still
//! encrypted to whoever holds the key of the certificate the server presented: a passive
//! listener learns nothing, but an active man in the middle is no longer detected.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::config::ResolvedProfile;

/// A rustls client config (aws-lc-rs, TLS 1.2 and 1.3) that accepts any server certificate
/// but verifies the handshake signatures. No ALPN: clients built on it speak HTTP/1.1.
pub fn accept_any_certificate() -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(AnyCertificate {
        algorithms: provider.signature_verification_algorithms,
    });
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("the aws-lc-rs provider supports TLS 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
}

/// The one-line warning for a profile that skips certificate checks on an `https://` URL of
/// its own (endpoint, public links or proxy); `None` when nothing it connects to is affected.
pub fn warning(profile: &ResolvedProfile) -> Option<String> {
    // Profile URLs are checked to start with a lower-case scheme (config.rs).
    let https = |url: &str| url.starts_with("https://");
    let affected = https(&profile.endpoint)
        || profile.public_base.as_deref().is_some_and(https)
        || profile.proxy.as_deref().is_some_and(https);
    (profile.allow_invalid_certs && affected).then(|| {
        format!(
            "profile \"{}\": TLS certificates are not checked (allow_invalid_certs)",
            profile.name
        )
    })
}

/// Accepts every certificate chain and name; checks handshake signatures like the default
/// verifier does.
#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use rustls::server::{ClientHello, ResolvesServerCert};
    use rustls::sign::CertifiedKey;
    use rustls::{ClientConnection, ServerConfig, ServerConnection};

    /// A certificate for `127.0.0.1` signed by itself, and its PKCS#8 key.
    fn self_signed() -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
        let key = PrivatePkcs8KeyDer::from(made.signing_key.serialize_der());
        (made.cert.der().clone(), key.into())
    }

    /// Presents `cert` but signs the handshake with `key`, which need not be its key.
    #[derive(Debug)]
    struct Presents(Arc<CertifiedKey>);

    impl ResolvesServerCert for Presents {
        fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
            Some(self.0.clone())
        }
    }

    fn server(
        cert: CertificateDer<'static>,
        key: PrivateKeyDer<'static>,
        version: &'static rustls::SupportedProtocolVersion,
    ) -> Arc<ServerConfig> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let signing = provider.key_provider.load_private_key(key).unwrap();
        let resolver = Presents(Arc::new(CertifiedKey::new(vec![cert], signing)));
        Arc::new(
            ServerConfig::builder_with_provider(provider)
                .with_protocol_versions(&[version])
                .unwrap()
                .with_no_client_auth()
                .with_cert_resolver(Arc::new(resolver)),
        )
    }

    /// A full handshake in memory for server name `name`; the client's error if it refuses.
    fn handshake(
        client: rustls::ClientConfig,
        server: Arc<ServerConfig>,
        name: &str,
    ) -> Result<(), rustls::Error> {
        let name = ServerName::try_from(name.to_owned()).unwrap();
        let mut client = ClientConnection::new(Arc::new(client), name).unwrap();
        let mut server = ServerConnection::new(server).unwrap();
        for _ in 0..16 {
            if !client.is_handshaking() && !server.is_handshaking() {
                return Ok(());
            }
            let mut wire = Vec::new();
            while client.wants_write() {
                client.write_tls(&mut wire).unwrap();
            }
            let mut read = &wire[..];
            while !read.is_empty() {
                server.read_tls(&mut read).unwrap();
            }
            // A server-side failure shows up as the client's alert on the next turn.
            let _ = server.process_new_packets();
            let mut wire = Vec::new();
            while server.wants_write() {
                server.write_tls(&mut wire).unwrap();
            }
            let mut read = &wire[..];
            while !read.is_empty() {
                client.read_tls(&mut read).unwrap();
            }
            client.process_new_packets()?;
        }
        panic!("the handshake did not finish");
    }

    const VERSIONS: [&rustls::SupportedProtocolVersion; 2] =
        [&rustls::version::TLS12, &rustls::version::TLS13];

    #[test]
    fn any_self_signed_certificate_for_any_name_is_accepted() {
        for version in VERSIONS {
            let (cert, key) = self_signed();
            let server = server(cert, key, version);
            handshake(accept_any_certificate(), server.clone(), "127.0.0.1").unwrap();
            handshake(accept_any_certificate(), server, "minio.other.example").unwrap();
        }
    }

    #[test]
    fn the_default_verifier_refuses_the_same_certificate() {
        let (cert, key) = self_signed();
        let mut roots = rustls::RootCertStore::empty();
        // Even a store holding some other self-signed root does not vouch for this one.
        roots.add(self_signed().0).unwrap();
        let checked = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let err = handshake(
            checked,
            server(cert, key, &rustls::version::TLS13),
            "127.0.0.1",
        )
        .unwrap_err();
        assert!(
            matches!(err, rustls::Error::InvalidCertificate(_)),
            "{err:?}"
        );
    }

    #[test]
    fn a_server_without_the_certificates_key_is_refused() {
        for version in VERSIONS {
            let (cert, _) = self_signed();
            let (_, other_key) = self_signed();
            let err = handshake(
                accept_any_certificate(),
                server(cert, other_key, version),
                "127.0.0.1",
            )
            .unwrap_err();
            assert!(
                matches!(
                    err,
                    rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature)
                ),
                "{version:?}: {err:?}"
            );
        }
    }

    fn profile(endpoint: &str, allow: bool) -> ResolvedProfile {
        let p = crate::config::Profile {
            provider: "minio".into(),
            endpoint: Some(endpoint.into()),
            bucket: "b".into(),
            public_base_url: Some("http://127.0.0.1:9001".into()),
            allow_invalid_certs: allow,
            ..Default::default()
        };
        p.resolve("nas").unwrap()
    }

    #[test]
    fn warning_only_for_https_with_the_option() {
        assert_eq!(
            warning(&profile("https://nas.local:9000", true)).as_deref(),
            Some("profile \"nas\": TLS certificates are not checked (allow_invalid_certs)")
        );
        assert_eq!(warning(&profile("https://nas.local:9000", false)), None);
        assert_eq!(warning(&profile("http://nas.local:9000", true)), None);
        let mut p = profile("http://nas.local:9000", true);
        p.public_base = Some("https://img.nas.local".into());
        assert!(warning(&p).is_some());
    }
}
