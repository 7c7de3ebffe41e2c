//! Makes the demo S3 side answer like real S3 where s3s/s3s-fs alone would not: an unknown
//! access key gets `InvalidAccessKeyId` (s3s's `SimpleAuth` says `NotSignedUp`), PUT/GET and
//! multipart uploads into a bucket that does not exist get `NoSuchBucket` (s3s-fs would create
//! the directory on PUT and say `NoSuchKey` on GET), and conditional writes (PUT and multipart
//! completion with `If-None-Match: *`) let exactly one racing writer win; and on Windows every
//! object operation's key becomes a legal file name before s3s-fs sees it (`names`). Signature
//! checking itself stays s3s's.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use s3s::access::S3Access;
use s3s::auth::{S3Auth, SecretKey};
use s3s::dto::{
    AbortMultipartUploadInput, CompleteMultipartUploadInput, CreateMultipartUploadInput,
    DeleteObjectInput, GetObjectInput, HeadObjectInput, IfNoneMatch, PutObjectInput,
    UploadPartInput,
};
use s3s::{S3Request, S3Result, s3_error};

use crate::names::stored_key;

/// Replaces an object key by the name the demo stores it under (the key itself but on Windows).
fn store_as(key: &mut String) {
    if let std::borrow::Cow::Owned(name) = stored_key(key) {
        *key = name;
    }
}

// `S3Auth` and `S3Access` are declared with `#[async_trait]`; the methods below are written out
// in the shape that macro produces so this crate needs no extra proc-macro dependency.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The single key pair of the demo.
pub(crate) struct DemoAuth {
    pub(crate) access_key: String,
    pub(crate) secret_key: String,
}

impl S3Auth for DemoAuth {
    fn get_secret_key<'life0, 'life1, 'async_trait>(
        &'life0 self,
        access_key: &'life1 str,
    ) -> BoxFuture<'async_trait, S3Result<SecretKey>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        let known = access_key == self.access_key;
        let secret = SecretKey::from(self.secret_key.as_str());
        Box::pin(async move {
            if known {
                Ok(secret)
            } else {
                Err(s3_error!(
                    InvalidAccessKeyId,
                    "The AWS Access Key Id you provided does not exist in our records."
                ))
            }
        })
    }
}

/// Rejects object writes and reads with `NoSuchBucket` unless `<root>/<bucket>` is a directory.
/// Every other operation keeps s3s's defaults, including the default `check` that refuses
/// anonymous requests.
pub(crate) struct BucketMustExist {
    pub(crate) root: PathBuf,
    /// Drop `If-None-Match` from PUTs and multipart completions before s3s-fs sees it (see
    /// `DemoConfig`).
    pub(crate) ignore_conditional_writes: bool,
    /// Keys a conditional write has claimed. s3s-fs checks "exists?" and writes in two steps,
    /// so two racing `If-None-Match: *` writes could both win; real S3 lets exactly one win, and
    /// so does this set. A DELETE releases the claim.
    pub(crate) claims: std::sync::Mutex<std::collections::HashSet<(String, String)>>,
}

async fn bucket_dir_exists(dir: PathBuf) -> S3Result<()> {
    match tokio::fs::metadata(&dir).await {
        Ok(meta) if meta.is_dir() => Ok(()),
        _ => Err(s3_error!(NoSuchBucket)),
    }
}

/// A (possibly conditional) write goes ahead when the bucket exists and no other conditional
/// write claimed the key first.
async fn write_allowed(dir: PathBuf, lost_race: bool) -> S3Result<()> {
    bucket_dir_exists(dir).await?;
    if lost_race {
        return Err(s3_error!(PreconditionFailed));
    }
    Ok(())
}

impl BucketMustExist {
    /// s3s has already validated the bucket name, so joining it cannot escape `root`.
    fn dir(&self, bucket: &str) -> PathBuf {
        Path::join(&self.root, bucket)
    }

    /// Applies `ignore_conditional_writes` to a write's `If-None-Match`, then claims the key
    /// for a conditional write; true when another conditional write claimed it first.
    fn lost_race(&self, if_none_match: &mut Option<IfNoneMatch>, bucket: &str, key: &str) -> bool {
        if self.ignore_conditional_writes {
            *if_none_match = None;
        }
        if_none_match.is_some() && {
            let claim = (bucket.to_owned(), key.to_owned());
            let mut claims = self.claims.lock().unwrap_or_else(|p| p.into_inner());
            !claims.insert(claim)
        }
    }
}

/// Access hooks that only rename the object key for storage (see `store_as`) and allow the
/// request, in the shape `#[async_trait]` gives the other hooks.
macro_rules! key_only_hooks {
    ($($name:ident: $input:ty),* $(,)?) => {$(
        fn $name<'life0, 'life1, 'async_trait>(
            &'life0 self,
            req: &'life1 mut S3Request<$input>,
        ) -> BoxFuture<'async_trait, S3Result<()>>
        where
            'life0: 'async_trait,
            'life1: 'async_trait,
            Self: 'async_trait,
        {
            store_as(&mut req.input.key);
            Box::pin(async { Ok(()) })
        }
    )*};
}

impl S3Access for BucketMustExist {
    fn put_object<'life0, 'life1, 'async_trait>(
        &'life0 self,
        req: &'life1 mut S3Request<PutObjectInput>,
    ) -> BoxFuture<'async_trait, S3Result<()>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        let input = &mut req.input;
        store_as(&mut input.key);
        let lost_race = self.lost_race(&mut input.if_none_match, &input.bucket, &input.key);
        Box::pin(write_allowed(self.dir(&req.input.bucket), lost_race))
    }

    fn create_multipart_upload<'life0, 'life1, 'async_trait>(
        &'life0 self,
        req: &'life1 mut S3Request<CreateMultipartUploadInput>,
    ) -> BoxFuture<'async_trait, S3Result<()>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        store_as(&mut req.input.key);
        Box::pin(bucket_dir_exists(self.dir(&req.input.bucket)))
    }

    fn complete_multipart_upload<'life0, 'life1, 'async_trait>(
        &'life0 self,
        req: &'life1 mut S3Request<CompleteMultipartUploadInput>,
    ) -> BoxFuture<'async_trait, S3Result<()>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        let input = &mut req.input;
        store_as(&mut input.key);
        let lost_race = self.lost_race(&mut input.if_none_match, &input.bucket, &input.key);
        Box::pin(write_allowed(self.dir(&req.input.bucket), lost_race))
    }

    fn delete_object<'life0, 'life1, 'async_trait>(
        &'life0 self,
        req: &'life1 mut S3Request<DeleteObjectInput>,
    ) -> BoxFuture<'async_trait, S3Result<()>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        store_as(&mut req.input.key);
        let claim = (req.input.bucket.clone(), req.input.key.clone());
        self.claims
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&claim);
        Box::pin(async { Ok(()) })
    }

    fn get_object<'life0, 'life1, 'async_trait>(
        &'life0 self,
        req: &'life1 mut S3Request<GetObjectInput>,
    ) -> BoxFuture<'async_trait, S3Result<()>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        store_as(&mut req.input.key);
        Box::pin(bucket_dir_exists(self.dir(&req.input.bucket)))
    }

    key_only_hooks! {
        head_object: HeadObjectInput,
        upload_part: UploadPartInput,
        abort_multipart_upload: AbortMultipartUploadInput,
    }
}
