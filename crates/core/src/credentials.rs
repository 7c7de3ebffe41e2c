//! Resolving a profile's credentials: the access key id from the config or a named environment
//! variable, the secret from a named environment variable or the keychain. Says exactly which
//! one is missing and how to supply it.

use crate::config::ResolvedProfile;
use crate::error::Error;
use crate::secrets::{Keychain, Secret, SecretError};

/// A resolved key pair. `Debug` is redacted through `Secret`.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

/// Reads an environment variable; `lookup` is injectable so tests need not touch the process
/// environment.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, for real callers.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Resolves credentials. `keychain` is only opened when the environment does not already
/// supply the secret, so a headless machine without a Secret Service never needs one.
pub fn resolve(
    profile: &ResolvedProfile,
    env: EnvLookup<'_>,
    keychain: &dyn Fn() -> Result<Keychain, SecretError>,
) -> Result<Credentials, Error> {
    let missing = |detail: String| Error::MissingCredentials {
        profile: profile.name.clone(),
        detail,
    };
    let access_key_id = match (&profile.access_key_id_env, &profile.access_key_id) {
        (Some(var), fallback) => match env(var) {
            Some(v) => v,
            None => fallback.clone().ok_or_else(|| {
                missing(format!(
                    "the environment variable {var} (access_key_id_env) is not set"
                ))
            })?,
        },
        (None, Some(id)) => id.clone(),
        (None, None) => {
            return Err(missing(format!(
                "no access key id: run `hoist profile edit {} --access-key-id ID` or set access_key_id_env",
                profile.name
            )));
        }
    };
    if let Some(var) = &profile.secret_env
        && let Some(v) = env(var)
    {
        return Ok(Credentials {
            access_key_id,
            secret_access_key: Secret::new(v),
        });
    }
    let env_hint = match &profile.secret_env {
        Some(var) => format!("; set the environment variable {var} instead"),
        None => format!(
            "; to read it from an environment variable instead: hoist profile edit {} --secret-env VAR",
            profile.name
        ),
    };
    let stored = keychain().and_then(|k| k.get(&profile.name));
    match stored {
        Ok(Some(secret)) => Ok(Credentials {
            access_key_id,
            secret_access_key: secret,
        }),
        Ok(None) => Err(missing(format!(
            "no secret access key in the keychain: store it with `hoist profile edit {} --secret-stdin`{env_hint}",
            profile.name
        ))),
        Err(e) => Err(missing(format!(
            "cannot read the secret access key: {e}{env_hint}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::Profile;

    fn profile(secret_env: Option<&str>, key_env: Option<&str>) -> ResolvedProfile {
        Profile {
            provider: "minio".into(),
            endpoint: Some("http://127.0.0.1:9".into()),
            bucket: "b".into(),
            access_key_id: Some("AK".into()),
            access_key_id_env: key_env.map(Into::into),
            secret_env: secret_env.map(Into::into),
            ..Profile::default()
        }
        .resolve("blog")
        .unwrap()
    }

    fn mock_keychain() -> Keychain {
        let store: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
        Keychain::with_store(store)
    }

    #[test]
    fn env_secret_wins_and_keychain_is_not_opened() {
        let env = |n: &str| (n == "BLOG_SECRET").then(|| "from-env".to_string());
        let kc = || -> Result<Keychain, SecretError> { panic!("keychain must not be opened") };
        let c = resolve(&profile(Some("BLOG_SECRET"), None), &env, &kc).unwrap();
        assert_eq!(c.secret_access_key.expose(), "from-env");
        assert_eq!(c.access_key_id, "AK");
    }

    #[test]
    fn keychain_secret_used_when_env_unset() {
        let k = mock_keychain();
        k.set("blog", &Secret::new("from-keychain")).unwrap();
        let env = |_: &str| None;
        let kc = || Ok(k.clone());
        let c = resolve(&profile(Some("BLOG_SECRET"), None), &env, &kc).unwrap();
        assert_eq!(c.secret_access_key.expose(), "from-keychain");
    }

    #[test]
    fn missing_secret_names_both_ways_to_supply_it() {
        let env = |_: &str| None;
        let kc = || Ok(mock_keychain());
        let e = resolve(&profile(Some("BLOG_SECRET"), None), &env, &kc).unwrap_err();
        let msg = e.to_string();
        assert_eq!(e.code(), "profile.missing_credentials");
        assert!(
            msg.contains("--secret-stdin") && msg.contains("BLOG_SECRET"),
            "{msg}"
        );
    }

    #[test]
    fn unavailable_keychain_is_explained() {
        let env = |_: &str| None;
        let kc = || {
            Err(SecretError::Unavailable {
                detail: "no bus".into(),
            })
        };
        let msg = resolve(&profile(Some("S"), None), &env, &kc)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("keychain is not available") && msg.contains(" S"),
            "{msg}"
        );
    }

    #[test]
    fn access_key_env_named_but_unset_is_reported() {
        let mut p = profile(None, Some("BLOG_KEY"));
        p.access_key_id = None;
        let env = |_: &str| None;
        let kc = || Ok(mock_keychain());
        let msg = resolve(&p, &env, &kc).unwrap_err().to_string();
        assert!(msg.contains("BLOG_KEY"), "{msg}");
    }
}
