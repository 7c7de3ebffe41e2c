//! hoist-s3: the `Store` for S3-compatible services, built on aws-sdk-s3 with an explicit config.
//! It owns the SDK client setup (credentials, addressing, checksums, timeouts, retries, proxy,
//! certificate checks) and the S3 requests behind `Store`; it reads no environment variables,
//! no `~/.aws` and no provider presets (those are data elsewhere), and never logs or prints the
//! secret key.
//!
//! A body up to `S3Settings::multipart_threshold` is one PutObject; a longer one is a multipart
//! upload (see `multipart.rs` for its retry and abort rules). Either way the body is the
//! in-memory `Bytes` of the request; parts are slices of it, not copies.

mod browse;
mod errors;
mod from_profile;
mod multipart;
mod unchecked_tls;
pub mod uploaders;

pub use from_profile::settings_for;
pub use multipart::{
    DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, MAX_PARTS, MIN_PART_SIZE, wait_for_aborts,
};
pub use uploaders::Uploaders;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_s3::config::{
    BehaviorVersion, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ObjectCannedAcl};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use bytes::Bytes;
use hoist_core::store::{ObjectInfo, PutRequest, Store, StoreError, StoreErrorKind};

use crate::errors::{Context, Failure, Op};

/// Everything needed to talk to one bucket. Built by the caller from a profile plus the secret
/// from the keychain; nothing here is read from the environment.
#[derive(Clone)]
pub struct S3Settings {
    /// Profile name, used only in messages.
    pub profile: String,
    /// `https://…` or `http://…` endpoint; `None` means AWS S3 for `region`.
    pub endpoint: Option<String>,
    /// Signing region (`auto` for R2, `us-east-1` for MinIO …). Must not be empty.
    pub region: String,
    pub bucket: String,
    /// `true`: `https://endpoint/bucket/key` (MinIO, Garage); `false`: `https://bucket.endpoint/key`.
    pub path_style: bool,
    /// Canned ACL such as `public-read`; `None` sends no ACL header (R2 and "bucket owner
    /// enforced" AWS buckets reject ACLs).
    pub acl: Option<String>,
    /// The provider's own "do not overwrite" header (`x-oss-forbid-overwrite`), sent as `true`
    /// instead of `If-None-Match: *` when a request asks for a write that must not replace an
    /// object; `None` sends `If-None-Match: *`.
    pub forbid_overwrite_header: Option<String>,
    pub access_key_id: String,
    /// Never logged or printed: `Debug` shows `<redacted>`.
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// Limit for establishing the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Limit for one whole call including retries; a server that accepts and then stalls fails
    /// with `Timeout` after this long instead of hanging.
    pub operation_timeout: Duration,
    /// Attempts per call with the SDK's standard retry (backoff with jitter); 0 counts as 1.
    pub max_attempts: u32,
    /// `http://` or `https://` proxy for all requests (user:password in the URL is allowed and
    /// redacted from `Debug`).
    pub proxy: Option<String>,
    /// Accept any TLS certificate from the endpoint (and from an `https://` proxy): for a
    /// self-hosted server with its own certificate. Handshake signatures are still checked
    /// (`hoist_core::tls`); plain `http://` endpoints are unaffected.
    pub allow_invalid_certs: bool,
    /// Bodies longer than this many bytes go up as a multipart upload
    /// ([`DEFAULT_MULTIPART_THRESHOLD`] for profiles).
    pub multipart_threshold: u64,
    /// Bytes per part of a multipart upload, the last part excepted ([`DEFAULT_PART_SIZE`] for
    /// profiles). At least [`MIN_PART_SIZE`]; a body that would need more than [`MAX_PARTS`]
    /// parts gets larger ones.
    pub part_size: u64,
}

impl S3Settings {
    /// The endpoint as shown in messages: the configured one, or AWS's regional endpoint.
    pub fn endpoint_label(&self) -> String {
        match &self.endpoint {
            Some(e) => e.trim_end_matches('/').to_owned(),
            None => format!("https://s3.{}.amazonaws.com", self.region),
        }
    }
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("profile", &self.profile)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("bucket", &self.bucket)
            .field("path_style", &self.path_style)
            .field("acl", &self.acl)
            .field("forbid_overwrite_header", &self.forbid_overwrite_header)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("max_attempts", &self.max_attempts)
            .field("proxy", &self.proxy.as_deref().map(redact_userinfo))
            .field("allow_invalid_certs", &self.allow_invalid_certs)
            .field("multipart_threshold", &self.multipart_threshold)
            .field("part_size", &self.part_size)
            .finish()
    }
}

/// `http://user:pw@host:8080` → `http://<redacted>@host:8080`. A URL that does not parse is
/// not shown at all: it might hold a password where no parser expects one.
fn redact_userinfo(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(u) if u.username().is_empty() && u.password().is_none() => text.to_owned(),
        Ok(u) => format!(
            "{}://<redacted>@{}",
            u.scheme(),
            &u[url::Position::BeforeHost..]
        ),
        Err(_) => "<a proxy URL that does not parse>".to_owned(),
    }
}

/// A `Store` writing to one S3-compatible bucket.
///
/// Every call is bounded by `connect_timeout` and `operation_timeout`; failures come back as
/// `StoreError`s whose message names the profile, bucket and endpoint.
pub struct S3Store {
    settings: S3Settings,
    client: aws_sdk_s3::Client,
    ctx: Context,
}

impl fmt::Debug for S3Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Store")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl S3Store {
    /// Builds the SDK client from `settings` alone. Makes no network request.
    ///
    /// # Errors
    /// `StoreErrorKind::Config` for an empty bucket, region or key, a malformed endpoint or proxy
    /// URL, zero timeouts, or a part size below S3's minimum.
    pub fn new(settings: S3Settings) -> Result<S3Store, StoreError> {
        let ctx = Context {
            profile: settings.profile.clone(),
            bucket: settings.bucket.clone(),
            endpoint: settings.endpoint_label(),
            access_key_id: settings.access_key_id.clone(),
            connect_timeout: settings.connect_timeout,
            operation_timeout: settings.operation_timeout,
            acl: settings.acl.clone(),
        };
        let config_error = |what: String| {
            StoreError::new(
                StoreErrorKind::Config,
                format!("profile {:?}: {what}", settings.profile),
            )
        };
        if settings.bucket.trim().is_empty() {
            return Err(config_error("no bucket name is set".to_owned()));
        }
        if settings.region.trim().is_empty() {
            return Err(config_error("no region is set".to_owned()));
        }
        if settings.access_key_id.is_empty() || settings.secret_access_key.is_empty() {
            return Err(config_error(
                "the access key id or the secret access key is empty".to_owned(),
            ));
        }
        if let Some(endpoint) = &settings.endpoint {
            let ok = url::Url::parse(endpoint).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
            if !ok {
                return Err(config_error(format!(
                    "endpoint {endpoint:?} is not an http:// or https:// URL"
                )));
            }
        }
        if settings.connect_timeout.is_zero() || settings.operation_timeout.is_zero() {
            return Err(config_error("timeouts must be longer than zero".to_owned()));
        }
        if settings.part_size < MIN_PART_SIZE {
            return Err(config_error(format!(
                "the multipart part size is {} bytes; S3 needs at least {MIN_PART_SIZE}",
                settings.part_size
            )));
        }
        let credentials = Credentials::new(
            settings.access_key_id.clone(),
            settings.secret_access_key.clone(),
            settings.session_token.clone(),
            None,
            "hoist-profile",
        );
        // One budget for the whole call: a stalled attempt uses it up rather than being retried
        // max_attempts times, so a hang costs at most `operation_timeout`. The read timeout is
        // the same limit at the HTTP layer (time until the response head arrives).
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.operation_timeout)
            .operation_attempt_timeout(settings.operation_timeout)
            .operation_timeout(settings.operation_timeout)
            .build();
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .credentials_provider(credentials)
            .region(Region::new(settings.region.clone()))
            .force_path_style(settings.path_style)
            // aws-sdk-s3 >= 1.69 would add CRC32 trailers and aws-chunked bodies, which R2, OSS,
            // COS, OBS, B2 and older MinIO refuse (COMPAT.md §6).
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(settings.max_attempts.max(1)));
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.endpoint_url(endpoint.trim_end_matches('/'));
        }
        let proxy_error = |proxy: &str, e: &dyn fmt::Display| {
            config_error(format!(
                "proxy {:?} is not usable ({e})",
                redact_userinfo(proxy)
            ))
        };
        // One rule for which proxy URLs are usable (the SDK's), whichever client carries them.
        let proxy = match &settings.proxy {
            Some(p) => Some((
                p,
                ProxyConfig::all(p.as_str()).map_err(|e| proxy_error(p, &e))?,
            )),
            None => None,
        };
        if settings.allow_invalid_certs {
            let proxy = match proxy {
                Some((p, _)) => Some(
                    reqwest::Proxy::all(p.as_str())
                        .map_err(|e| proxy_error(p, &e.without_url()))?,
                ),
                None => None,
            };
            let client =
                unchecked_tls::client(settings.connect_timeout, settings.operation_timeout, proxy)
                    .map_err(|e| config_error(format!("the HTTP client cannot be built ({e})")))?;
            builder = builder.http_client(client);
        } else if let Some((_, proxy_config)) = proxy {
            builder = builder.http_client(proxied_http_client(proxy_config));
        }
        let client = aws_sdk_s3::Client::from_conf(builder.build());
        Ok(S3Store {
            settings,
            client,
            ctx,
        })
    }

    /// The settings this store was built from.
    pub fn settings(&self) -> &S3Settings {
        &self.settings
    }

    fn error(&self, op: Op<'_>, failure: &Failure) -> StoreError {
        tracing::debug!(
            kind = failure.kind.code(),
            status = ?failure.status,
            code = ?failure.code,
            detail = %failure.detail,
            "s3 request failed"
        );
        errors::to_store_error(&self.ctx, op, failure)
    }

    /// After a 404 HEAD: `Ok(())` when the bucket exists (so the key is what is missing).
    async fn bucket_exists(&self, op: Op<'_>) -> Result<(), StoreError> {
        match self
            .client
            .head_bucket()
            .bucket(&self.settings.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                let f = errors::classify_sdk(&e);
                match f.status {
                    // HEAD has no body: 404 can only mean the bucket is missing.
                    Some(404) => Err(self.error(
                        op,
                        &Failure {
                            kind: StoreErrorKind::NoSuchBucket,
                            ..f
                        },
                    )),
                    // A key without s3:ListBucket gets 403 on HeadBucket, yet a missing bucket
                    // would have been 404: the bucket exists.
                    Some(403) => Ok(()),
                    _ => Err(self.error(op, &f)),
                }
            }
        }
    }

    /// Explains a HEAD that failed without a body (403/400) with a GET that has one: a
    /// ListObjectsV2 of at most one key reports SignatureDoesNotMatch, InvalidAccessKeyId,
    /// RequestTimeTooSkewed, NoSuchBucket or AccessDenied by code.
    async fn explain_bodiless(&self, op: Op<'_>, head_failure: Failure) -> StoreError {
        let probe = self
            .client
            .list_objects_v2()
            .bucket(&self.settings.bucket)
            .max_keys(1)
            .send()
            .await;
        match probe {
            Err(e) => {
                let f = errors::classify_sdk(&e);
                if f.code.is_some() {
                    self.error(op, &f)
                } else {
                    self.error(op, &head_failure)
                }
            }
            // Credentials work for the bucket; the object itself is denied (or, for a key
            // without s3:ListBucket on AWS, missing — S3 cannot tell which).
            Ok(_) => self.error(op, &head_failure),
        }
    }
}

/// An HTTPS client like the SDK's default one (rustls, aws-lc) that sends everything through the
/// proxy. `Builder` cannot take a proxy, so each connector is built with `Connector::builder`,
/// which can.
fn proxied_http_client(proxy: ProxyConfig) -> aws_sdk_s3::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_with_connector_fn(move |settings, components| {
        let mut connector = aws_smithy_http_client::Connector::builder();
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            // Needed for the connect/read timeouts to take effect.
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector
            .proxy_config(proxy.clone())
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .build()
    })
}

fn head_info(out: &aws_sdk_s3::operation::head_object::HeadObjectOutput) -> ObjectInfo {
    ObjectInfo {
        size: out
            .content_length()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0),
        content_type: out.content_type().map(str::to_owned),
        etag: out.e_tag().map(str::to_owned),
        metadata: out
            .metadata()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect::<BTreeMap<_, _>>()
            })
            .unwrap_or_default(),
    }
}

impl S3Store {
    /// One PutObject with the whole body.
    async fn put_single(&self, req: &PutRequest) -> Result<(), StoreError> {
        let op = Op::Put(&req.key);
        let len = req.body.len();
        let mut call = self
            .client
            .put_object()
            .bucket(&self.settings.bucket)
            .key(&req.key)
            .content_type(&req.content_type)
            .content_length(i64::try_from(len).unwrap_or(i64::MAX))
            .set_cache_control(req.cache_control.clone())
            .set_content_disposition(req.content_disposition.clone())
            // A `Bytes` body has a known length: plain Content-Length, no aws-chunked framing.
            .body(ByteStream::from(req.body.clone()))
            .set_metadata(user_metadata(req));
        if let Some(acl) = &self.settings.acl {
            call = call.acl(ObjectCannedAcl::from(acl.as_str()));
        }
        let sent = match self.no_overwrite(req) {
            NoOverwrite::No => call.send().await,
            NoOverwrite::IfNoneMatch => call.if_none_match("*").send().await,
            NoOverwrite::Header(h) => call.customize().mutate_request(forbid(h)).send().await,
        };
        match sent {
            Ok(_) => {
                tracing::debug!(key = %req.key, bytes = len, "s3 put ok");
                Ok(())
            }
            Err(e) => {
                let f = errors::classify_sdk(&e);
                tracing::debug!(key = %req.key, status = ?f.status, "s3 put failed");
                Err(self.error(op, &f))
            }
        }
    }

    /// CreateMultipartUpload, then the parts and the completion (`multipart::send`, which
    /// aborts the upload on every failure).
    async fn put_multipart(
        &self,
        req: &PutRequest,
        sent: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), StoreError> {
        let op = Op::Put(&req.key);
        // The completion carries `If-None-Match: *`, but learning there that the key is taken
        // would cost the upload of every part first; a HEAD costs one small request. The
        // condition on the completion still settles a race with another writer, and stays the
        // only check for a write-only key whose HEAD is refused.
        if req.if_none_match && matches!(self.head(&req.key).await, Ok(Some(_))) {
            let taken = errors::from_response(
                Some(412),
                Some("PreconditionFailed".to_owned()),
                "the key exists (checked before a multipart upload)".to_owned(),
            );
            return Err(self.error(op, &taken));
        }
        let mut create = self
            .client
            .create_multipart_upload()
            .bucket(&self.settings.bucket)
            .key(&req.key)
            .content_type(&req.content_type)
            .set_cache_control(req.cache_control.clone())
            .set_content_disposition(req.content_disposition.clone())
            .set_metadata(user_metadata(req));
        if let Some(acl) = &self.settings.acl {
            create = create.acl(ObjectCannedAcl::from(acl.as_str()));
        }
        // OSS and COS check their header when the upload starts, too: a taken key is refused
        // before any part is sent. (S3 has no condition on CreateMultipartUpload.)
        let created = match self.no_overwrite(req) {
            NoOverwrite::Header(h) => create.customize().mutate_request(forbid(h)).send().await,
            NoOverwrite::No | NoOverwrite::IfNoneMatch => create.send().await,
        };
        let upload_id = match created {
            Ok(out) => out.upload_id().map(str::to_owned),
            Err(e) => return Err(self.error(op, &errors::classify_sdk(&e))),
        };
        let Some(upload_id) = upload_id.filter(|id| !id.is_empty()) else {
            let f = errors::from_response(
                Some(200),
                None,
                "the server started a multipart upload without naming it (no UploadId)".to_owned(),
            );
            return Err(self.error(op, &f));
        };
        tracing::debug!(key = %req.key, bytes = req.body.len(), "s3 multipart upload started");
        let upload = S3Upload {
            store: self,
            req,
            upload_id,
        };
        let retry = multipart::Retry {
            attempts: self.settings.max_attempts.max(1),
            backoff: multipart::backoff,
        };
        let result =
            multipart::send(&upload, &req.body, self.settings.part_size, retry, sent).await;
        if result.is_ok() {
            tracing::debug!(key = %req.key, bytes = req.body.len(), "s3 multipart upload ok");
        }
        result
    }

    /// How `req` asks the server not to replace an existing object, if it does.
    fn no_overwrite<'a>(&'a self, req: &PutRequest) -> NoOverwrite<'a> {
        match (&self.settings.forbid_overwrite_header, req.if_none_match) {
            (_, false) => NoOverwrite::No,
            (Some(header), true) => NoOverwrite::Header(header),
            (None, true) => NoOverwrite::IfNoneMatch,
        }
    }

    /// Whether `key` holds exactly the body and metadata of `req` (after a completion whose
    /// answer was lost and whose retry then found the upload gone).
    async fn holds(&self, req: &PutRequest) -> bool {
        match self.head(&req.key).await {
            Ok(Some(info)) => {
                !req.metadata.is_empty()
                    && info.size == req.body.len() as u64
                    && req
                        .metadata
                        .iter()
                        .all(|(k, v)| info.metadata.get(k) == Some(v))
            }
            _ => false,
        }
    }
}

/// How a write asks the server to refuse it when the key is taken.
enum NoOverwrite<'a> {
    No,
    /// `If-None-Match: *` (AWS, R2, current MinIO).
    IfNoneMatch,
    /// The provider's own header, sent as `true` (Aliyun OSS, Tencent COS).
    Header(&'a str),
}

/// Adds `name: true` to a request before it is signed (the SDK has no field for a provider's
/// own header).
fn forbid(
    name: &str,
) -> impl Fn(&mut aws_smithy_runtime_api::client::orchestrator::HttpRequest) + Send + Sync + 'static
{
    let name = name.to_owned();
    move |request| {
        // The names come from the presets, whose test checks they are valid header names.
        if let Err(e) = request.headers_mut().try_insert(name.clone(), "true") {
            tracing::warn!(header = %name, "cannot send the no-overwrite header: {e}");
        }
    }
}

/// User metadata (`x-amz-meta-*`) of a request, `None` when there is none.
fn user_metadata(req: &PutRequest) -> Option<HashMap<String, String>> {
    (!req.metadata.is_empty()).then(|| {
        req.metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    })
}

/// One created multipart upload of an `S3Store`.
struct S3Upload<'a> {
    store: &'a S3Store,
    req: &'a PutRequest,
    upload_id: String,
}

impl multipart::Upload for S3Upload<'_> {
    async fn part(&self, number: i32, of: usize, body: Bytes) -> Result<String, StoreError> {
        let store = self.store;
        let len = body.len();
        let result = store
            .client
            .upload_part()
            .bucket(&store.settings.bucket)
            .key(&self.req.key)
            .upload_id(&self.upload_id)
            .part_number(number)
            .content_length(i64::try_from(len).unwrap_or(i64::MAX))
            .body(ByteStream::from(body))
            .customize()
            // The multipart driver retries each part itself, with a fresh time budget per
            // attempt; SDK retries inside one attempt would share that budget and multiply the
            // attempts.
            .config_override(aws_sdk_s3::Config::builder().retry_config(RetryConfig::disabled()))
            .send()
            .await;
        let op = Op::Part {
            key: &self.req.key,
            number,
            of,
        };
        match result {
            Ok(out) => match out.e_tag() {
                Some(etag) if !etag.is_empty() => {
                    tracing::debug!(key = %self.req.key, part = number, bytes = len, "s3 part ok");
                    Ok(etag.to_owned())
                }
                _ => Err(store.error(
                    op,
                    &errors::from_response(
                        Some(200),
                        None,
                        "the server accepted the part without an ETag".to_owned(),
                    ),
                )),
            },
            Err(e) => {
                let f = errors::classify_sdk(&e);
                tracing::debug!(
                    key = %self.req.key,
                    part = number,
                    status = ?f.status,
                    "s3 part failed"
                );
                Err(store.error(op, &f))
            }
        }
    }

    async fn complete(&self, parts: Vec<(i32, String)>) -> Result<(), StoreError> {
        let store = self.store;
        let parts = parts
            .into_iter()
            .map(|(number, etag)| {
                CompletedPart::builder()
                    .part_number(number)
                    .e_tag(etag)
                    .build()
            })
            .collect();
        let call = store
            .client
            .complete_multipart_upload()
            .bucket(&store.settings.bucket)
            .key(&self.req.key)
            .upload_id(&self.upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            );
        // AWS honours If-None-Match on the completion, OSS and COS their own header; the rest
        // of the conditional-write rules are the same as for PutObject (collision.rs).
        let completed = match store.no_overwrite(self.req) {
            NoOverwrite::No => call.send().await,
            NoOverwrite::IfNoneMatch => call.if_none_match("*").send().await,
            NoOverwrite::Header(h) => call.customize().mutate_request(forbid(h)).send().await,
        };
        match completed {
            Ok(_) => Ok(()),
            Err(e) => {
                let f = errors::classify_sdk(&e);
                // The SDK retries a completion whose answer was lost; the retry then finds the
                // upload gone because the first attempt finished it.
                if f.code.as_deref() == Some("NoSuchUpload") && store.holds(self.req).await {
                    return Ok(());
                }
                Err(store.error(Op::Put(&self.req.key), &f))
            }
        }
    }

    fn cleanup(&self) -> multipart::Cleanup {
        let store = self.store;
        let (client, ctx) = (store.client.clone(), store.ctx.clone());
        let (bucket, key) = (store.settings.bucket.clone(), self.req.key.clone());
        let upload_id = self.upload_id.clone();
        let abort: multipart::Request<()> = {
            let (client, ctx) = (client.clone(), ctx.clone());
            let (bucket, key, upload_id) = (bucket.clone(), key.clone(), upload_id.clone());
            Arc::new(move || {
                let call = client
                    .abort_multipart_upload()
                    .bucket(&bucket)
                    .key(&key)
                    .upload_id(&upload_id);
                let (key, ctx) = (key.clone(), ctx.clone());
                Box::pin(async move {
                    match call.send().await {
                        Ok(_) => {
                            tracing::debug!(key = %key, "s3 multipart upload aborted");
                            Ok(())
                        }
                        Err(e) => {
                            let f = errors::classify_sdk(&e);
                            // Already gone (completed meanwhile, or aborted before).
                            if f.code.as_deref() == Some("NoSuchUpload") {
                                return Ok(());
                            }
                            Err(errors::to_store_error(&ctx, Op::Abort(&key), &f))
                        }
                    }
                })
            })
        };
        let parts_left: multipart::Request<bool> = Arc::new(move || {
            let call = client
                .list_parts()
                .bucket(&bucket)
                .key(&key)
                .upload_id(&upload_id)
                .max_parts(1);
            let (key, ctx) = (key.clone(), ctx.clone());
            Box::pin(async move {
                match call.send().await {
                    Ok(out) => Ok(!out.parts().is_empty()),
                    Err(e) => {
                        let f = errors::classify_sdk(&e);
                        if f.code.as_deref() == Some("NoSuchUpload") {
                            return Ok(false);
                        }
                        Err(errors::to_store_error(&ctx, Op::Abort(&key), &f))
                    }
                }
            })
        });
        multipart::Cleanup { abort, parts_left }
    }
}

impl Store for S3Store {
    async fn put(&self, req: PutRequest) -> Result<(), StoreError> {
        self.put_with_progress(req, &|_| {}).await
    }

    async fn put_with_progress(
        &self,
        req: PutRequest,
        sent: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), StoreError> {
        let len = req.body.len() as u64;
        if len > self.settings.multipart_threshold && len > 0 {
            return self.put_multipart(&req, sent).await;
        }
        self.put_single(&req).await?;
        sent(len);
        Ok(())
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, StoreError> {
        let op = Op::Head(key);
        let result = self
            .client
            .head_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .send()
            .await;
        match result {
            Ok(out) => {
                tracing::debug!(key, status = 200, "s3 head ok");
                Ok(Some(head_info(&out)))
            }
            Err(e) => {
                let f = errors::classify_sdk(&e);
                tracing::debug!(key, status = ?f.status, "s3 head failed");
                match f.status {
                    Some(404) if f.kind != StoreErrorKind::NoSuchBucket => {
                        self.bucket_exists(op).await.map(|()| None)
                    }
                    Some(400 | 403) if f.code.is_none() => Err(self.explain_bodiless(op, f).await),
                    _ => Err(self.error(op, &f)),
                }
            }
        }
    }

    async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        let op = Op::Get(key);
        let out = match self
            .client
            .get_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let f = errors::classify_sdk(&e);
                tracing::debug!(key, status = ?f.status, "s3 get failed");
                return Err(self.error(op, &f));
            }
        };
        match out.body.collect().await {
            Ok(data) => {
                let bytes = data.into_bytes();
                tracing::debug!(key, bytes = bytes.len(), "s3 get ok");
                Ok(bytes)
            }
            Err(e) => Err(self.error(op, &errors::classify_body_error(&e))),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let op = Op::Delete(key);
        match self
            .client
            .delete_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => {
                tracing::debug!(key, "s3 delete ok");
                Ok(())
            }
            Err(e) => {
                let f = errors::classify_sdk(&e);
                tracing::debug!(key, status = ?f.status, "s3 delete failed");
                Err(self.error(op, &f))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> S3Settings {
        S3Settings {
            profile: "blog".to_owned(),
            endpoint: Some("http://127.0.0.1:9000".to_owned()),
            region: "us-east-1".to_owned(),
            bucket: "imgs".to_owned(),
            path_style: true,
            acl: None,
            forbid_overwrite_header: None,
            access_key_id: "AKIAEXAMPLE".to_owned(),
            secret_access_key: "very-secret-value".to_owned(),
            session_token: Some("session-token-value".to_owned()),
            connect_timeout: Duration::from_secs(3),
            operation_timeout: Duration::from_secs(5),
            max_attempts: 3,
            proxy: Some("http://user:proxy-password@proxy.local:8080".to_owned()),
            allow_invalid_certs: false,
            multipart_threshold: DEFAULT_MULTIPART_THRESHOLD,
            part_size: DEFAULT_PART_SIZE,
        }
    }

    #[test]
    fn debug_redacts_secrets() {
        let text = format!("{:?}", settings());
        assert!(!text.contains("very-secret-value"), "{text}");
        assert!(!text.contains("session-token-value"), "{text}");
        assert!(!text.contains("proxy-password"), "{text}");
        assert!(text.contains("AKIAEXAMPLE") && text.contains("proxy.local:8080"));
    }

    #[test]
    fn bad_settings_are_config_errors() {
        let cases: [fn(&mut S3Settings); 8] = [
            |s| s.bucket.clear(),
            |s| s.region.clear(),
            |s| s.secret_access_key.clear(),
            |s| s.endpoint = Some("127.0.0.1:9000".to_owned()),
            |s| s.operation_timeout = Duration::ZERO,
            |s| s.part_size = MIN_PART_SIZE - 1,
            |s| s.proxy = Some("proxy.local:8080".to_owned()),
            |s| {
                s.allow_invalid_certs = true;
                s.proxy = Some("proxy.local:8080".to_owned());
            },
        ];
        for change in cases {
            let mut s = settings();
            change(&mut s);
            let err = S3Store::new(s).unwrap_err();
            assert_eq!(err.kind, StoreErrorKind::Config, "{}", err.message);
            assert!(
                err.message.starts_with("profile \"blog\": "),
                "{}",
                err.message
            );
            assert!(!err.message.contains("very-secret-value"));
        }
    }

    #[test]
    fn endpoint_label_defaults_to_aws() {
        let mut s = settings();
        s.endpoint = None;
        s.region = "eu-west-1".to_owned();
        assert_eq!(s.endpoint_label(), "https://s3.eu-west-1.amazonaws.com");
    }

    #[test]
    fn redacts_proxy_userinfo_only() {
        assert_eq!(
            redact_userinfo("http://u:p@h:1/x@y"),
            "http://<redacted>@h:1/x@y"
        );
        assert_eq!(redact_userinfo("http://h:1"), "http://h:1");
    }
}
