//! Reading a request into plain data: the query (profile selection, secrets), the upload body
//! in each form PicGo clients send (JSON list, empty = clipboard, multipart with files in any
//! field), and the delete list. Sizes are bounded while reading, never after.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Body;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::error::ApiError;

/// JSON bodies are lists of paths or ids; a megabyte is thousands of them.
pub(crate) const MAX_JSON_BYTES: u64 = 1024 * 1024;

/// The decoded query string, in order.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The Hoist profile a request asks for; `None` = the default profile.
///
/// PicGo: `?uploader=<type>&configName=<name>&configId=<id>`; PicList: `?picbed=<type>&
/// configName=<name>`; Hoist: `?profile=<name>`. After `hoist import`, a PicGo config's name is
/// the profile's name, so `configName` is the profile name. The uploader type is not needed
/// (every Hoist profile is S3). A `configId` alone cannot be mapped and is refused rather than
/// silently sending the file to the default bucket.
pub(crate) fn selected_profile(query: &[(String, String)]) -> Result<Option<String>, ApiError> {
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let config_name = get("configName");
    let profile = get("profile");
    if let (Some(a), Some(b)) = (config_name, profile)
        && a != b
    {
        return Err(ApiError::bad_request(
            "request.bad_selection",
            format!("configName \"{a}\" and profile \"{b}\" name different profiles"),
        ));
    }
    if let Some(name) = config_name.or(profile) {
        return Ok(Some(name.to_owned()));
    }
    if get("configId").is_some() {
        return Err(ApiError::bad_request(
            "request.bad_selection",
            "Hoist picks profiles by name: pass configName=<profile name> instead of configId",
        ));
    }
    Ok(None)
}

/// What an upload request asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UploadBody {
    /// Empty body, `{}`, `{"list": null}` or `{"list": []}`.
    Clipboard,
    /// Local paths and http(s) URLs, in order.
    List(Vec<String>),
    /// Files of a multipart form, in order.
    Files(Vec<FilePart>),
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FilePart {
    /// The client's file name without any folder part; `None` when it sent none.
    pub name: Option<String>,
    pub bytes: Bytes,
}

/// Reads an upload body, bounded by `max_body` bytes (JSON by [`MAX_JSON_BYTES`]) and `timeout`.
pub(crate) async fn read_upload<B>(
    headers: &HeaderMap,
    body: B,
    max_body: u64,
    timeout: Duration,
) -> Result<UploadBody, ApiError>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let multipart = content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data");
    let limit = if multipart {
        max_body
    } else {
        MAX_JSON_BYTES.min(max_body)
    };
    check_declared_length(headers, limit)?;
    let read = async {
        if multipart {
            read_multipart(&content_type, body, limit)
                .await
                .map(UploadBody::Files)
        } else {
            // Any other content type is read as JSON: `curl -d '{"list":[…]}'` sends
            // application/x-www-form-urlencoded, and PicGo accepts it.
            let bytes = read_all(body, limit).await?;
            parse_upload_json(&bytes)
        }
    };
    tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| slow_body())?
}

/// Reads a `/delete` body: `{"list": [{"id": "42"}, …]}`; ids may also be bare strings or
/// numbers. Items PicList sends back carry more fields; only `id` is read.
pub(crate) async fn read_delete<B>(
    headers: &HeaderMap,
    body: B,
    timeout: Duration,
) -> Result<Vec<i64>, ApiError>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    check_declared_length(headers, MAX_JSON_BYTES)?;
    let bytes = tokio::time::timeout(timeout, read_all(body, MAX_JSON_BYTES))
        .await
        .map_err(|_| slow_body())??;
    let bad = |m: &str| ApiError::bad_request("request.bad_list", m.to_owned());
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| bad_json())?;
    let list = value
        .get("list")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("the body must be {\"list\": [{\"id\": \"…\"}]}"))?;
    if list.is_empty() {
        return Err(bad("the list of uploads to delete is empty"));
    }
    list.iter()
        .map(|item| {
            let id = match item {
                Value::Object(m) => m.get("id").cloned().unwrap_or(Value::Null),
                other => other.clone(),
            };
            match &id {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            }
            .ok_or_else(|| bad("every item needs the \"id\" Hoist returned in fullResult"))
        })
        .collect()
}

fn parse_upload_json(bytes: &[u8]) -> Result<UploadBody, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(UploadBody::Clipboard);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| bad_json())?;
    let bad_list = || {
        ApiError::bad_request(
            "request.bad_list",
            "\"list\" must be an array of absolute file paths or http(s) URLs",
        )
    };
    let Value::Object(map) = value else {
        return Err(bad_list());
    };
    match map.get("list") {
        None | Some(Value::Null) => Ok(UploadBody::Clipboard),
        Some(Value::Array(items)) if items.is_empty() => Ok(UploadBody::Clipboard),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
                _ => Err(bad_list()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(UploadBody::List),
        Some(_) => Err(bad_list()),
    }
}

async fn read_multipart<B>(
    content_type: &str,
    body: B,
    limit: u64,
) -> Result<Vec<FilePart>, ApiError>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let boundary = multer::parse_boundary(content_type).map_err(|_| {
        ApiError::bad_request(
            "request.bad_form",
            "the multipart/form-data content type has no boundary",
        )
    })?;
    let stream =
        Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX)).into_data_stream();
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit));
    let mut form = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut parts = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| form_error(&e, limit))? {
        // A file is a part with a file name, or with a non-text type; plain text fields (some
        // clients add their own) are not files.
        let name = field.file_name().map(base_name);
        let is_file = name.is_some()
            || field
                .content_type()
                .is_some_and(|m| m.essence_str() != "text/plain");
        let bytes = field.bytes().await.map_err(|e| form_error(&e, limit))?;
        if is_file {
            parts.push(FilePart {
                name: name.filter(|n| !n.is_empty()),
                bytes,
            });
        }
    }
    if parts.is_empty() {
        return Err(ApiError::bad_request(
            "request.no_files",
            "the form holds no files (send them as file parts, in any field)",
        ));
    }
    Ok(parts)
}

fn form_error(e: &multer::Error, limit: u64) -> ApiError {
    match e {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            ApiError::too_large(limit)
        }
        multer::Error::StreamReadFailed(inner) if inner.is::<LengthLimitError>() => {
            ApiError::too_large(limit)
        }
        other => ApiError::bad_request(
            "request.bad_form",
            format!(
                "the multipart form cannot be read: {}",
                one_line(&other.to_string())
            ),
        ),
    }
}

/// The last path component of a client-given file name (browsers on Windows once sent full
/// paths); it becomes `{fileName}` in keys, so no folder part may survive.
fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_owned()
}

async fn read_all<B>(body: B, limit: u64) -> Result<Bytes, ApiError>
where
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    match Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX))
        .collect()
        .await
    {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(ApiError::too_large(limit)),
        Err(e) => Err(ApiError::bad_request(
            "request.bad_body",
            format!(
                "the request body cannot be read: {}",
                one_line(&e.to_string())
            ),
        )),
    }
}

/// Refuses a body declared too large before reading a byte of it.
fn check_declared_length(headers: &HeaderMap, limit: u64) -> Result<(), ApiError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(n) if n > limit => Err(ApiError::too_large(limit)),
        _ => Ok(()),
    }
}

fn bad_json() -> ApiError {
    ApiError::bad_request(
        "request.bad_json",
        "the body is not JSON; send {\"list\": [\"/abs/path.png\", \"https://…\"]} or nothing",
    )
}

fn slow_body() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request.timeout",
        "the request body arrived too slowly",
    )
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{Full, StreamBody};
    use hyper::body::Frame;

    fn q(s: &str) -> Vec<(String, String)> {
        query_pairs(Some(s))
    }

    #[test]
    fn picgo_and_piclist_selection_map_to_profile_names() {
        assert_eq!(selected_profile(&q("")).unwrap(), None);
        assert_eq!(
            selected_profile(&q("uploader=aws-s3&configName=blog&configId=x1")).unwrap(),
            Some("blog".into())
        );
        assert_eq!(
            selected_profile(&q("picbed=aws-s3-plist&configName=%E5%9B%BE%E5%BA%8A")).unwrap(),
            Some("图床".into())
        );
        assert_eq!(
            selected_profile(&q("profile=work&key=s")).unwrap(),
            Some("work".into())
        );
        assert_eq!(
            selected_profile(&q("picbed=aws-s3&configName=")).unwrap(),
            None
        );
        assert_eq!(
            selected_profile(&q("configId=abc")).unwrap_err().code,
            "request.bad_selection"
        );
        assert!(selected_profile(&q("configName=a&profile=b")).is_err());
    }

    async fn upload(ct: &str, body: &'static [u8]) -> Result<UploadBody, ApiError> {
        let mut h = HeaderMap::new();
        if !ct.is_empty() {
            h.insert(CONTENT_TYPE, ct.parse().unwrap());
        }
        read_upload(
            &h,
            Full::new(Bytes::from_static(body)),
            1000,
            Duration::from_secs(5),
        )
        .await
    }

    #[tokio::test]
    async fn json_forms() {
        for clip in [
            &b""[..],
            b"  \n",
            b"{}",
            b"{\"list\":[]}",
            b"{\"list\":null}",
        ] {
            assert_eq!(
                upload("application/json", clip).await.unwrap(),
                UploadBody::Clipboard
            );
        }
        assert_eq!(
            upload(
                "application/x-www-form-urlencoded",
                b"{\"list\":[\"/a.png\",\"https://h/b.png\"]}"
            )
            .await
            .unwrap(),
            UploadBody::List(vec!["/a.png".into(), "https://h/b.png".into()])
        );
        for bad in [
            &b"{\"list\":\"/a.png\"}"[..],
            b"{\"list\":[1]}",
            b"{\"list\":[\"\"]}",
            b"[]",
        ] {
            assert_eq!(upload("", bad).await.unwrap_err().code, "request.bad_list");
        }
        assert_eq!(
            upload("", b"list=/a.png").await.unwrap_err().code,
            "request.bad_json"
        );
    }

    #[tokio::test]
    async fn multipart_files_in_any_field_text_fields_ignored() {
        let body: &'static [u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"list\"; filename=\"C:\\\\shots\\\\a.png\"\r\nContent-Type: image/png\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.jpg\"\r\n\r\nBB\r\n--XyZ--\r\n";
        let UploadBody::Files(parts) = upload("multipart/form-data; boundary=XyZ", body)
            .await
            .unwrap()
        else {
            panic!("not files");
        };
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name.as_deref(), Some("a.png"));
        assert_eq!(&parts[0].bytes[..], b"AAA");
        assert_eq!(parts[1].name.as_deref(), Some("b.jpg"));

        let none: &'static [u8] =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--XyZ--\r\n";
        assert_eq!(
            upload("multipart/form-data; boundary=XyZ", none)
                .await
                .unwrap_err()
                .code,
            "request.no_files"
        );
        assert_eq!(
            upload("multipart/form-data", none).await.unwrap_err().code,
            "request.bad_form"
        );
    }

    #[tokio::test]
    async fn oversized_bodies_are_refused_declared_or_streamed() {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_LENGTH, "5000".parse().unwrap());
        let e = read_upload(&h, Full::new(Bytes::new()), 1000, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(
            (e.status, e.code.as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, "request.too_large")
        );

        // No length announced: the limit trips while streaming, for JSON and for forms.
        let chunks = || {
            StreamBody::new(futures::stream::iter((0..20).map(|_| {
                Ok::<_, std::io::Error>(Frame::data(Bytes::from(vec![b' '; 100])))
            })))
        };
        let e = read_upload(&HeaderMap::new(), chunks(), 1000, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(e.status, StatusCode::PAYLOAD_TOO_LARGE);
        let mut form = HeaderMap::new();
        form.insert(
            CONTENT_TYPE,
            "multipart/form-data; boundary=XyZ".parse().unwrap(),
        );
        let e = read_upload(&form, chunks(), 1000, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(e.status, StatusCode::PAYLOAD_TOO_LARGE, "{e:?}");
    }

    #[tokio::test]
    async fn delete_ids() {
        let empty = HeaderMap::new();
        let read = |b: &'static [u8]| {
            read_delete(
                &empty,
                Full::new(Bytes::from_static(b)),
                Duration::from_secs(5),
            )
        };
        assert_eq!(
            read(b"{\"list\":[{\"id\":\"4\",\"imgUrl\":\"x\"},{\"id\":5},\"6\",7]}")
                .await
                .unwrap(),
            vec![4, 5, 6, 7]
        );
        assert_eq!(
            read(b"{\"list\":[]}").await.unwrap_err().code,
            "request.bad_list"
        );
        assert_eq!(
            read(b"{\"list\":[{\"x\":1}]}").await.unwrap_err().code,
            "request.bad_list"
        );
        assert_eq!(read(b"nope").await.unwrap_err().code, "request.bad_json");
    }
}
