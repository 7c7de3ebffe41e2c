//! The bucket browser's S3 requests (`hoist_core::bucket::Browse`): ListObjectsV2 with a
//! delimiter, DeleteObjects, CopyObject and presigned GETs. The rules over them (paging, moving
//! without loss, lifetimes) are the core's.

use std::time::{Duration, SystemTime};

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use hoist_core::bucket::{Browse, Cursor, Listed, Page};
use hoist_core::store::{StoreError, StoreErrorKind};

use crate::S3Store;
use crate::errors::{self, Op};

impl Browse for S3Store {
    async fn list_page(
        &self,
        prefix: &str,
        folders: bool,
        cursor: Cursor<'_>,
        max: usize,
    ) -> Result<Page, StoreError> {
        let mut req = self
            .client
            .list_objects_v2()
            .bucket(&self.settings.bucket)
            .prefix(prefix)
            .max_keys(i32::try_from(max).unwrap_or(i32::MAX));
        match cursor {
            Cursor::Start => {}
            Cursor::Token(t) => req = req.continuation_token(t),
            Cursor::After(k) => req = req.start_after(k),
        }
        if folders {
            req = req.delimiter("/");
        }
        let out = req
            .send()
            .await
            .map_err(|e| self.error(Op::List(prefix), &errors::classify_sdk(&e)))?;
        Ok(Page {
            folders: out
                .common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_owned))
                .collect(),
            objects: out
                .contents()
                .iter()
                .filter_map(|o| {
                    Some(Listed {
                        key: o.key()?.to_owned(),
                        size: o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                        modified_ms: o.last_modified().and_then(|t| t.to_millis().ok()),
                    })
                })
                .collect(),
            next: out
                .next_continuation_token()
                .filter(|_| out.is_truncated() == Some(true))
                .map(str::to_owned),
        })
    }

    async fn delete_batch(&self, keys: &[String]) -> Result<Vec<(String, StoreError)>, StoreError> {
        let Some(first) = keys.first() else {
            return Ok(Vec::new());
        };
        let ids = keys
            .iter()
            .map(|k| ObjectIdentifier::builder().key(k).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::new(StoreErrorKind::Config, e.to_string()))?;
        let delete = Delete::builder()
            .set_objects(Some(ids))
            .quiet(true)
            .build()
            .map_err(|e| StoreError::new(StoreErrorKind::Config, e.to_string()))?;
        let out = self
            .client
            .delete_objects()
            .bucket(&self.settings.bucket)
            .delete(delete)
            .customize()
            .mutate_request(md5_instead_of_crc32)
            .send()
            .await
            .map_err(|e| self.error(Op::Delete(first), &errors::classify_sdk(&e)))?;
        Ok(out
            .errors()
            .iter()
            .map(|e| {
                let key = e.key().unwrap_or_default().to_owned();
                let f = errors::from_response(
                    None,
                    e.code().map(str::to_owned),
                    e.message().unwrap_or_default().to_owned(),
                );
                let err = self.error(Op::Delete(&key), &f);
                (key, err)
            })
            .collect())
    }

    async fn copy(&self, from: &str, to: &str) -> Result<(), StoreError> {
        // The source is `bucket/key` with each key segment URL-encoded (S3's rule for
        // x-amz-copy-source), as in public links.
        let source = format!(
            "{}{}",
            self.settings.bucket,
            hoist_core::link::public_url("", from, "")
        );
        self.client
            .copy_object()
            .bucket(&self.settings.bucket)
            .copy_source(source)
            .key(to)
            .send()
            .await
            .map(drop)
            .map_err(|e| self.error(Op::Copy(from), &errors::classify_sdk(&e)))
    }

    async fn presign_get(
        &self,
        key: &str,
        start: SystemTime,
        lifetime: Duration,
    ) -> Result<String, StoreError> {
        let config = PresigningConfig::builder()
            .start_time(start)
            .expires_in(lifetime)
            .build()
            .map_err(|e| StoreError::new(StoreErrorKind::Config, e.to_string()))?;
        // The client computes no response checksums unless asked (see `S3Store::new`), so the
        // URL carries no x-amz-checksum-mode, which R2 and Garage refuse.
        let req = self
            .client
            .get_object()
            .bucket(&self.settings.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| self.error(Op::Presign(key), &errors::classify_sdk(&e)))?;
        Ok(req.uri().to_owned())
    }
}

/// DeleteObjects must carry a checksum of its body. The SDK sends CRC32 headers, which R2
/// answers with 501 and Aliyun OSS, Tencent COS, Ceph and older MinIO refuse for want of
/// Content-MD5; every S3-compatible server accepts Content-MD5, so that is sent instead (the
/// request is signed after this).
fn md5_instead_of_crc32(request: &mut aws_smithy_runtime_api::client::orchestrator::HttpRequest) {
    use md5::{Digest, Md5};
    let Some(body) = request.body().bytes() else {
        return;
    };
    let digest = aws_smithy_types::base64::encode(Md5::digest(body));
    let headers = request.headers_mut();
    let checksums: Vec<String> = headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .filter(|n| n.starts_with("x-amz-checksum-") || n == "x-amz-sdk-checksum-algorithm")
        .collect();
    for name in checksums {
        headers.remove(name);
    }
    headers.insert("content-md5", digest);
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::{DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, S3Settings};

    /// What a DeleteObjects request carries on the wire: a one-shot server on 127.0.0.1 reads
    /// it and answers that everything was deleted.
    #[tokio::test]
    async fn delete_objects_sends_content_md5_and_no_crc32() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            // The head, then Content-Length bytes of body.
            loop {
                let n = conn.read(&mut buf).unwrap();
                seen.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&seen).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len: usize = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse().unwrap());
                    if seen.len() >= end + 4 + len || n == 0 {
                        break;
                    }
                }
            }
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult></DeleteResult>";
            write!(
                conn,
                "HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            String::from_utf8(seen).unwrap()
        });
        let store = S3Store::new(S3Settings {
            profile: "t".into(),
            endpoint: Some(format!("http://127.0.0.1:{port}")),
            region: "us-east-1".into(),
            bucket: "b".into(),
            path_style: true,
            acl: None,
            forbid_overwrite_header: None,
            access_key_id: "AK".into(),
            secret_access_key: "SK".into(),
            session_token: None,
            connect_timeout: Duration::from_secs(2),
            operation_timeout: Duration::from_secs(5),
            max_attempts: 1,
            proxy: None,
            allow_invalid_certs: false,
            multipart_threshold: DEFAULT_MULTIPART_THRESHOLD,
            part_size: DEFAULT_PART_SIZE,
        })
        .unwrap();
        let left = store
            .delete_batch(&["a.png".to_owned(), "b/c.png".to_owned()])
            .await
            .unwrap();
        assert!(left.is_empty());
        let request = server.join().unwrap();
        let lower = request.to_ascii_lowercase();
        let (head, body) = request.split_once("\r\n\r\n").unwrap();
        use md5::{Digest, Md5};
        let md5 = aws_smithy_types::base64::encode(Md5::digest(body.as_bytes()));
        assert!(
            head.lines()
                .any(|l| l.eq_ignore_ascii_case(&format!("content-md5: {md5}"))),
            "{head}"
        );
        assert!(!lower.contains("x-amz-checksum"), "{head}");
        assert!(!lower.contains("x-amz-sdk-checksum"), "{head}");
        assert!(body.contains("<Key>b/c.png</Key>"), "{body}");
    }
}
