//! Building an `S3Store` from a resolved Hoist profile and its credentials: the one place where
//! profile settings become S3 settings.

use hoist_core::config::ResolvedProfile;
use hoist_core::credentials::Credentials;
use hoist_core::presets::Addressing;
use hoist_core::store::StoreError;

use crate::{DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, S3Settings, S3Store};

/// Attempts per request. Retries are the SDK's standard backoff for transient failures; they
/// are bounded so a dead server still fails within the profile's timeout budget.
const MAX_ATTEMPTS: u32 = 3;

impl S3Store {
    /// The store for `profile`, signing with `creds`.
    pub fn for_profile(
        profile: &ResolvedProfile,
        creds: &Credentials,
    ) -> Result<S3Store, StoreError> {
        S3Store::new(settings_for(profile, creds))
    }
}

/// The S3 settings a profile stands for.
pub fn settings_for(profile: &ResolvedProfile, creds: &Credentials) -> S3Settings {
    S3Settings {
        profile: profile.name.clone(),
        endpoint: Some(profile.endpoint.clone()),
        region: profile.region.clone(),
        bucket: profile.bucket.clone(),
        path_style: profile.addressing == Addressing::Path,
        acl: profile.acl.clone(),
        forbid_overwrite_header: profile.forbid_overwrite_header.clone(),
        access_key_id: creds.access_key_id.clone(),
        secret_access_key: creds.secret_access_key.expose().to_owned(),
        session_token: None,
        connect_timeout: profile.connect_timeout,
        operation_timeout: profile.timeout,
        max_attempts: MAX_ATTEMPTS,
        proxy: profile.proxy.clone(),
        allow_invalid_certs: profile.allow_invalid_certs,
        multipart_threshold: DEFAULT_MULTIPART_THRESHOLD,
        part_size: DEFAULT_PART_SIZE,
    }
}
