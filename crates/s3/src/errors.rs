//! Turns aws-sdk-s3 failures into `StoreError`s: a kind from the S3 error code (or the HTTP
//! status when there is no body) and one plain-words line naming profile, bucket and endpoint.
//! It never sees the secret key, so no message can contain it. It does not decide about HEAD
//! 404/403 ambiguity; the store does that with a probe request.

use std::error::Error as StdError;
use std::time::Duration;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use hoist_core::store::{StoreError, StoreErrorKind};

/// What a failed call looked like, before it becomes a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) kind: StoreErrorKind,
    /// HTTP status when the server answered.
    pub(crate) status: Option<u16>,
    /// S3 error code from the response body (`NoSuchBucket` …); HEAD responses have none.
    pub(crate) code: Option<String>,
    /// The server's message or the transport error chain, for the log and the `Other` case.
    pub(crate) detail: String,
    /// For `Timeout`: whether it was the TCP connect that timed out.
    pub(crate) connect_phase: bool,
}

/// The names a message mentions; built from the settings minus the secret.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub(crate) profile: String,
    pub(crate) bucket: String,
    pub(crate) endpoint: String,
    pub(crate) access_key_id: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) operation_timeout: Duration,
    pub(crate) acl: Option<String>,
}

/// Which request failed, for the wording of the message.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Op<'a> {
    /// PutObject, and the start and completion of a multipart upload.
    Put(&'a str),
    /// One part of a multipart upload.
    Part {
        key: &'a str,
        number: i32,
        of: usize,
    },
    /// The abort of an unfinished multipart upload.
    Abort(&'a str),
    Head(&'a str),
    Get(&'a str),
    Delete(&'a str),
    /// ListObjectsV2 of a prefix.
    List(&'a str),
    /// CopyObject from this key.
    Copy(&'a str),
    /// A presigned link for this key (signed locally: only its settings can fail).
    Presign(&'a str),
}

impl<'a> Op<'a> {
    fn describe(self) -> String {
        match self {
            Op::Put(k) => format!("upload of {k:?}"),
            Op::Part { key, number, of } => format!("upload of part {number} of {of} of {key:?}"),
            Op::Abort(k) => format!("removal of the unfinished upload of {k:?}"),
            Op::Head(k) => format!("lookup of {k:?}"),
            Op::Get(k) => format!("download of {k:?}"),
            Op::Delete(k) => format!("delete of {k:?}"),
            Op::List(p) => format!("listing of {p:?}"),
            Op::Copy(k) => format!("copy of {k:?}"),
            Op::Presign(k) => format!("link to {k:?}"),
        }
    }

    fn key(self) -> &'a str {
        match self {
            Op::Put(k)
            | Op::Abort(k)
            | Op::Head(k)
            | Op::Get(k)
            | Op::Delete(k)
            | Op::List(k)
            | Op::Copy(k)
            | Op::Presign(k) => k,
            Op::Part { key, .. } => key,
        }
    }
}

/// Classifies any SDK error of any operation.
pub(crate) fn classify_sdk<E>(err: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service.err().code().map(str::to_owned);
            let detail = service
                .err()
                .message()
                .map(str::to_owned)
                .unwrap_or_default();
            from_response(Some(status), code, detail)
        }
        SdkError::ResponseError(resp) => {
            let status = resp.raw().status().as_u16();
            from_response(Some(status), None, chain(err))
        }
        SdkError::TimeoutError(_) => Failure {
            kind: StoreErrorKind::Timeout,
            status: None,
            code: None,
            detail: chain(err),
            connect_phase: false,
        },
        SdkError::DispatchFailure(dispatch) => {
            let detail = chain(err);
            let kind = if dispatch.is_timeout() {
                StoreErrorKind::Timeout
            } else if dispatch.is_io() {
                StoreErrorKind::Connect
            } else if dispatch.is_user() {
                StoreErrorKind::Config
            } else if looks_like_connect_failure(&detail) {
                StoreErrorKind::Connect
            } else {
                StoreErrorKind::Other
            };
            Failure {
                kind,
                status: None,
                code: None,
                connect_phase: detail.contains("connect timeout"),
                detail,
            }
        }
        // Construction failures and future variants: the request never left this computer.
        _ => Failure {
            kind: StoreErrorKind::Config,
            status: None,
            code: None,
            detail: chain(err),
            connect_phase: false,
        },
    }
}

/// Classifies a failure of reading a response body after the headers arrived.
pub(crate) fn classify_body_error(err: &(dyn StdError + 'static)) -> Failure {
    let detail = chain(err);
    let lower = detail.to_ascii_lowercase();
    let kind = if lower.contains("timeout") || lower.contains("throughput") {
        StoreErrorKind::Timeout
    } else {
        StoreErrorKind::Connect
    };
    Failure {
        kind,
        status: None,
        code: None,
        detail,
        connect_phase: false,
    }
}

/// The kind for a server answer, by S3 error code first and HTTP status second.
pub(crate) fn from_response(status: Option<u16>, code: Option<String>, detail: String) -> Failure {
    let kind = kind_for(status, code.as_deref(), &detail);
    Failure {
        kind,
        status,
        code,
        detail,
        connect_phase: false,
    }
}

pub(crate) fn kind_for(status: Option<u16>, code: Option<&str>, detail: &str) -> StoreErrorKind {
    use StoreErrorKind as K;
    if let Some(code) = code {
        let by_code = match code {
            "NoSuchBucket" => Some(K::NoSuchBucket),
            "AccessDenied" | "AllAccessDisabled" | "AccountProblem" => Some(K::AccessDenied),
            "SignatureDoesNotMatch" => Some(K::WrongSecret),
            "InvalidAccessKeyId" => Some(K::InvalidAccessKey),
            "RequestTimeTooSkewed" => Some(K::ClockSkew),
            // AWS answers 409 ConditionalRequestConflict when another conditional write to the
            // key is in flight; the caller treats it like 412 (wait, HEAD, decide). Aliyun OSS
            // and Tencent COS refuse a write with their forbid-overwrite header as 409
            // FileAlreadyExists; IBM COS says ObjectAlreadyExists.
            "PreconditionFailed"
            | "ConditionalRequestConflict"
            | "FileAlreadyExists"
            | "ObjectAlreadyExists" => Some(K::AlreadyExists),
            "SlowDown"
            | "Throttling"
            | "ThrottlingException"
            | "TooManyRequests"
            | "RequestLimitExceeded" => Some(K::Throttled),
            "NotImplemented" | "AccessControlListNotSupported" | "MissingContentLength" => {
                Some(K::Unsupported)
            }
            "RequestTimeout" => Some(K::Timeout),
            "InternalError" => Some(K::Server),
            "ServiceUnavailable" => Some(K::Throttled),
            _ => None,
        };
        if let Some(kind) = by_code {
            return kind;
        }
    }
    // Providers phrase checksum/aws-chunked refusals in many ways (InvalidArgument,
    // InvalidRequest, 400 or 501); the words are the stable part.
    let lower = detail.to_ascii_lowercase();
    if lower.contains("chunked") || lower.contains("checksum") {
        return K::Unsupported;
    }
    match status {
        Some(412) => K::AlreadyExists,
        Some(429 | 503) => K::Throttled,
        Some(501) => K::Unsupported,
        Some(s) if s >= 500 => K::Server,
        Some(403) => K::AccessDenied,
        _ => K::Other,
    }
}

/// The one-line message for a failure.
pub(crate) fn to_store_error(ctx: &Context, op: Op<'_>, f: &Failure) -> StoreError {
    let Context {
        profile,
        bucket,
        endpoint,
        access_key_id,
        ..
    } = ctx;
    let answer = server_answer(f);
    let message = match f.kind {
        StoreErrorKind::InvalidAccessKey => {
            format!("profile {profile:?}: access key {access_key_id:?} is not known to {endpoint}")
        }
        StoreErrorKind::WrongSecret => format!(
            "profile {profile:?}: the secret access key is wrong for access key \
             {access_key_id:?} (signature mismatch) at {endpoint}"
        ),
        StoreErrorKind::NoSuchBucket => {
            format!("profile {profile:?}: bucket {bucket:?} does not exist at {endpoint}")
        }
        StoreErrorKind::AccessDenied => {
            let hint = if ctx.acl.is_some() && matches!(op, Op::Put(_) | Op::Part { .. }) {
                "; the bucket may refuse the ACL setting"
            } else {
                ""
            };
            format!(
                "profile {profile:?}: access denied to bucket {bucket:?} at {endpoint} for the \
                 {} (access key {access_key_id:?}){hint}",
                op.describe()
            )
        }
        StoreErrorKind::ClockSkew => format!(
            "profile {profile:?}: the clock of this computer differs from the server's by too \
             much ({endpoint}); correct the system time"
        ),
        StoreErrorKind::AlreadyExists => {
            let key = op.key();
            format!(
                "profile {profile:?}: object {key:?} already exists in bucket {bucket:?} at \
                 {endpoint}"
            )
        }
        StoreErrorKind::Connect => match certificate_problem(&f.detail) {
            Some(why) => format!(
                "profile {profile:?}: the TLS certificate of {endpoint} is not trusted ({why}); \
                 if this is your own server, set allow_invalid_certs = true in the profile"
            ),
            None => format!(
                "profile {profile:?}: cannot connect to {endpoint} ({})",
                connect_cause(&f.detail)
            ),
        },
        StoreErrorKind::Timeout if f.connect_phase => format!(
            "profile {profile:?}: timed out after {} connecting to {endpoint}",
            secs(ctx.connect_timeout)
        ),
        StoreErrorKind::Timeout if f.status.is_some() => format!(
            "profile {profile:?}: {endpoint} gave up waiting for the request body during the {} \
             ({answer})",
            op.describe()
        ),
        StoreErrorKind::Timeout => format!(
            "profile {profile:?}: timed out after {} waiting for {endpoint} to answer the {}",
            secs(ctx.operation_timeout),
            op.describe()
        ),
        StoreErrorKind::Throttled => format!(
            "profile {profile:?}: {endpoint} is throttling requests ({answer}); try again later"
        ),
        StoreErrorKind::Server => format!(
            "profile {profile:?}: server error at {endpoint} during the {} ({answer})",
            op.describe()
        ),
        StoreErrorKind::Unsupported => {
            let hint = if ctx.acl.is_some() {
                "; try without the ACL setting"
            } else {
                ""
            };
            format!(
                "profile {profile:?}: {endpoint} does not support the {} as sent ({answer}){hint}",
                op.describe()
            )
        }
        StoreErrorKind::Config => format!(
            "profile {profile:?}: the request for bucket {bucket:?} at {endpoint} could not be \
             built ({})",
            f.detail
        ),
        StoreErrorKind::Other => match (op, f.code.as_deref(), f.status) {
            (Op::Get(key), Some("NoSuchKey"), _) | (Op::Get(key), None, Some(404)) => format!(
                "profile {profile:?}: object {key:?} does not exist in bucket {bucket:?} at \
                 {endpoint}"
            ),
            _ => format!(
                "profile {profile:?}: the {} in bucket {bucket:?} failed at {endpoint} ({answer})",
                op.describe()
            ),
        },
    };
    StoreError::new(f.kind, message)
}

/// `HTTP 503 SlowDown: Please reduce your request rate`, or the transport detail.
fn server_answer(f: &Failure) -> String {
    let mut s = match f.status {
        Some(status) => format!("HTTP {status}"),
        None => String::new(),
    };
    if let Some(code) = &f.code {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(code);
    }
    if !f.detail.is_empty() {
        if !s.is_empty() {
            s.push_str(": ");
        }
        s.push_str(first_line(&f.detail));
    }
    if s.is_empty() {
        s.push_str("no details");
    }
    s
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

/// Plain words for why a TCP/TLS connection failed, from the error chain text.
fn connect_cause(detail: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    let known = [
        ("connection refused", "connection refused"),
        ("failed to lookup address", "host name not found"),
        ("name or service not known", "host name not found"),
        ("no such host", "host name not found"),
        ("dns error", "host name not found"),
        ("network is unreachable", "network unreachable"),
        ("no route to host", "no route to host"),
        ("connection reset", "connection reset by the server"),
        ("tls", "TLS handshake failed"),
        ("connection closed", "the server closed the connection"),
        ("broken pipe", "the server closed the connection"),
    ];
    for (needle, words) in known {
        if lower.contains(needle) {
            return words.to_owned();
        }
    }
    first_line(detail).to_owned()
}

/// Plain words for a refused server certificate (rustls's `InvalidCertificate` text in the
/// error chain), `None` when the failure is not about the certificate.
fn certificate_problem(detail: &str) -> Option<&'static str> {
    let lower = detail.to_ascii_lowercase();
    if !lower.contains("certificate") {
        return None;
    }
    let known = [
        ("unknownissuer", "self-signed or from an unknown authority"),
        ("unknown issuer", "self-signed or from an unknown authority"),
        ("not valid for name", "made for another host name"),
        ("notvalidforname", "made for another host name"),
        ("expired", "expired"),
        ("notvalidyet", "not valid yet"),
        ("revoked", "revoked"),
    ];
    Some(
        known
            .iter()
            .find(|(needle, _)| lower.contains(needle))
            .map_or("refused by the certificate check", |(_, words)| words),
    )
}

fn looks_like_connect_failure(detail: &str) -> bool {
    let lower = detail.to_ascii_lowercase();
    [
        "connect",
        "dns",
        "lookup",
        "refused",
        "unreachable",
        "tls",
        "certificate",
    ]
    .iter()
    .any(|n| lower.contains(n))
}

fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// The error and all its sources on one line (the SDK's top-level Display is often just
/// "dispatch failure").
pub(crate) fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if parts.last() != Some(&s) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use StoreErrorKind as K;

    fn ctx() -> Context {
        Context {
            profile: "blog".to_owned(),
            bucket: "imgs".to_owned(),
            endpoint: "http://127.0.0.1:9000".to_owned(),
            access_key_id: "AKIAEXAMPLE".to_owned(),
            connect_timeout: Duration::from_secs(3),
            operation_timeout: Duration::from_secs(5),
            acl: None,
        }
    }

    #[test]
    fn codes_map_to_kinds() {
        let cases = [
            ("NoSuchBucket", 404, K::NoSuchBucket),
            ("AccessDenied", 403, K::AccessDenied),
            ("SignatureDoesNotMatch", 403, K::WrongSecret),
            ("InvalidAccessKeyId", 403, K::InvalidAccessKey),
            ("RequestTimeTooSkewed", 403, K::ClockSkew),
            ("PreconditionFailed", 412, K::AlreadyExists),
            ("ConditionalRequestConflict", 409, K::AlreadyExists),
            ("FileAlreadyExists", 409, K::AlreadyExists),
            ("SlowDown", 503, K::Throttled),
            ("NotImplemented", 501, K::Unsupported),
            ("InternalError", 500, K::Server),
            ("AccessControlListNotSupported", 400, K::Unsupported),
        ];
        for (code, status, kind) in cases {
            assert_eq!(kind_for(Some(status), Some(code), ""), kind, "{code}");
        }
    }

    #[test]
    fn statuses_map_to_kinds_without_a_code() {
        assert_eq!(kind_for(Some(412), None, ""), K::AlreadyExists);
        assert_eq!(kind_for(Some(429), None, ""), K::Throttled);
        assert_eq!(kind_for(Some(503), None, ""), K::Throttled);
        assert_eq!(kind_for(Some(502), None, ""), K::Server);
        assert_eq!(kind_for(Some(501), None, ""), K::Unsupported);
        assert_eq!(kind_for(Some(403), None, ""), K::AccessDenied);
        assert_eq!(kind_for(Some(400), None, ""), K::Other);
    }

    #[test]
    fn chunked_and_checksum_complaints_are_unsupported() {
        assert_eq!(
            kind_for(
                Some(400),
                Some("InvalidArgument"),
                "aws-chunked encoding is not supported"
            ),
            K::Unsupported
        );
        assert_eq!(
            kind_for(
                Some(400),
                Some("InvalidRequest"),
                "x-amz-checksum-crc32 unsupported"
            ),
            K::Unsupported
        );
    }

    #[test]
    fn messages_name_profile_bucket_and_endpoint() {
        let f = from_response(Some(404), Some("NoSuchBucket".into()), String::new());
        let e = to_store_error(&ctx(), Op::Put("a.png"), &f);
        assert_eq!(
            e.message,
            r#"profile "blog": bucket "imgs" does not exist at http://127.0.0.1:9000"#
        );
        let f = from_response(
            Some(403),
            Some("SignatureDoesNotMatch".into()),
            String::new(),
        );
        let e = to_store_error(&ctx(), Op::Put("a.png"), &f);
        assert_eq!(e.kind, K::WrongSecret);
        assert!(
            e.message.contains("secret access key is wrong"),
            "{}",
            e.message
        );
        let f = from_response(
            Some(403),
            Some("RequestTimeTooSkewed".into()),
            String::new(),
        );
        let e = to_store_error(&ctx(), Op::Put("a.png"), &f);
        assert!(
            e.message.contains("clock of this computer"),
            "{}",
            e.message
        );
    }

    #[test]
    fn part_and_abort_failures_say_which_request() {
        let f = from_response(Some(500), Some("InternalError".into()), "boom".into());
        let op = Op::Part {
            key: "big.bin",
            number: 2,
            of: 3,
        };
        let e = to_store_error(&ctx(), op, &f);
        assert_eq!(
            e.message,
            "profile \"blog\": server error at http://127.0.0.1:9000 during the upload of part 2 \
             of 3 of \"big.bin\" (HTTP 500 InternalError: boom)"
        );
        let f = from_response(Some(403), Some("AccessDenied".into()), String::new());
        let e = to_store_error(&ctx(), Op::Abort("big.bin"), &f);
        assert!(
            e.message
                .contains("for the removal of the unfinished upload of \"big.bin\""),
            "{}",
            e.message
        );
        let f = from_response(Some(412), Some("PreconditionFailed".into()), String::new());
        let e = to_store_error(&ctx(), op, &f);
        assert!(
            e.message.contains("object \"big.bin\" already exists"),
            "{}",
            e.message
        );
    }

    #[test]
    fn connect_causes_are_plain_words() {
        assert_eq!(
            connect_cause(
                "dispatch failure: io error: tcp connect error: Connection refused (os error 111)"
            ),
            "connection refused"
        );
        assert_eq!(
            connect_cause("dns error: failed to lookup address information"),
            "host name not found"
        );
        assert_eq!(secs(Duration::from_millis(1500)), "1.5s");
        assert_eq!(secs(Duration::from_secs(5)), "5s");
    }

    #[test]
    fn refused_certificates_name_the_option() {
        let f = Failure {
            kind: K::Connect,
            status: None,
            code: None,
            detail: "dispatch failure: io error: client error (Connect): invalid peer \
                     certificate: UnknownIssuer"
                .to_owned(),
            connect_phase: false,
        };
        let e = to_store_error(&ctx(), Op::Put("a.png"), &f);
        assert_eq!(
            e.message,
            "profile \"blog\": the TLS certificate of http://127.0.0.1:9000 is not trusted \
             (self-signed or from an unknown authority); if this is your own server, set \
             allow_invalid_certs = true in the profile"
        );
        assert_eq!(
            certificate_problem("invalid peer certificate: certificate not valid for name"),
            Some("made for another host name")
        );
        assert_eq!(certificate_problem("connection refused"), None);
    }
}
