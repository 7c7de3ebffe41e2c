//! The bucket browser's S3 requests (`hoist_core::bucket::Browse`): ListObjectsV2 with a
//! delimiter, DeleteObjects, CopyObject and presigned GETs. The rules over them (paging, moving
//! without loss, lifetimes) are the core's.

use std::time::{Duration, SystemTime};

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use hoist_core::bucket::{Browse, Listed, Page};
use hoist_core::store::{StoreError, StoreErrorKind};

use crate::S3Store;
use crate::errors::{self, Op};

impl Browse for S3Store {
    async fn list_page(
        &self,
        prefix: &str,
        folders: bool,
        token: Option<&str>,
        max: usize,
    ) -> Result<Page, StoreError> {
        let mut req = self
            .client
            .list_objects_v2()
            .bucket(&self.settings.bucket)
            .prefix(prefix)
            .max_keys(i32::try_from(max).unwrap_or(i32::MAX))
            .set_continuation_token(token.map(str::to_owned));
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
