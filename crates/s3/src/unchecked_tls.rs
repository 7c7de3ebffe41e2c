//! The SDK's HTTP client for a profile with `allow_invalid_certs`: reqwest with hoist-core's
//! certificate verifier (`hoist_core::tls`), behind the SDK's `HttpClient` interface.
//!
//! aws-smithy-http-client offers no way to put a custom rustls verifier into its connector (its
//! TLS context takes extra root certificates only), so this client is built on reqwest, which
//! takes a preconfigured rustls config and already does the rest that the SDK's connector does
//! for Hoist: proxies (CONNECT tunnels for https, absolute-form requests with
//! `Proxy-Authorization` for http), connect and read timeouts, connection pooling. Profiles
//! without the option keep the SDK's own client.

use std::fmt;
use std::time::Duration;

use aws_sdk_s3::config::SharedHttpClient;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;

/// An `HttpClient` whose connections accept any server certificate (the handshake signatures
/// are still checked). `proxy`, when set, carries every request.
///
/// The timeouts are the store's own: no operation of `S3Store` overrides them, so one
/// connector (one connection pool) serves every call.
pub(crate) fn client(
    connect_timeout: Duration,
    read_timeout: Duration,
    proxy: Option<reqwest::Proxy>,
) -> Result<SharedHttpClient, reqwest::Error> {
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(hoist_core::tls::accept_any_certificate())
        .connect_timeout(connect_timeout)
        .read_timeout(read_timeout)
        // The SDK sees every answer as sent: S3 redirects are errors to report, and retries
        // are the SDK's.
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never())
        // No proxy from the environment: the store reads nothing from it.
        .no_proxy();
    if let Some(proxy) = proxy {
        builder = builder.proxy(proxy);
    }
    let client = builder.build()?;
    Ok(SharedHttpClient::new(UncheckedTlsClient {
        connector: SharedHttpConnector::new(Connector { client }),
    }))
}

struct UncheckedTlsClient {
    connector: SharedHttpConnector,
}

impl fmt::Debug for UncheckedTlsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UncheckedTlsClient")
    }
}

impl HttpClient for UncheckedTlsClient {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.connector.clone()
    }
}

#[derive(Debug)]
struct Connector {
    client: reqwest::Client,
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let request = match request.try_into_http1x() {
            Ok(r) => r,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let (parts, body) = request.into_parts();
        let request = http::Request::from_parts(parts, reqwest::Body::wrap(body));
        let request = match reqwest::Request::try_from(request) {
            Ok(r) => r,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let client = self.client.clone();
        HttpConnectorFuture::new(async move {
            let response = client.execute(request).await.map_err(connector_error)?;
            let response = http::Response::from(response).map(SdkBody::from_body_1_x);
            HttpResponse::try_from(response).map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// Sorts a reqwest failure the way the SDK's own connector sorts hyper's, so `errors.rs`
/// classifies both alike (a timeout while connecting says "connect timeout", as there).
fn connector_error(e: reqwest::Error) -> ConnectorError {
    let e = e.without_url();
    if e.is_timeout() {
        if e.is_connect() {
            return ConnectorError::timeout(Box::new(ConnectTimeout(e)));
        }
        return ConnectorError::timeout(e.into());
    }
    let io = {
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        let mut found = false;
        while let Some(err) = cur {
            found |= err.is::<std::io::Error>();
            cur = err.source();
        }
        found
    };
    if e.is_connect() || io {
        ConnectorError::io(e.into())
    } else {
        ConnectorError::other(e.into(), None)
    }
}

#[derive(Debug)]
struct ConnectTimeout(reqwest::Error);

impl fmt::Display for ConnectTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HTTP connect timeout")
    }
}

impl std::error::Error for ConnectTimeout {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
