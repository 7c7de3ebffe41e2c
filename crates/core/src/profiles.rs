//! Profile operations, written once for the CLI and the desktop: add, update (a rename
//! included), duplicate, remove and set default, on a loaded [`Config`] (the caller saves it)
//! and the keychain that holds the profiles' secrets. One rule each:
//! - names follow [`validate_profile_name`]; a taken name is `config.profile_exists`;
//! - the whole profile is validated before anything changes, so a typo never lands on disk;
//! - the first profile becomes the default; a rename carries the secret and the default mark;
//! - removing the default makes the next profile by name the default (the caller says so), so
//!   uploads keep working;
//! - a profile's mirrors are profiles of the config; they follow a rename and a removal drops
//!   them, so no profile names one that is gone (another device's sync may still remove one);
//! - what `hoist profile test` measured (`conditional_put`) holds for the bucket it tested only.

use crate::Error;
use crate::config::{Config, ConfigError, Profile, validate_profile_name};
use crate::secrets::{Keychain, Secret, SecretError};

/// Opens the keychain when a secret must be stored or moved (it may be unreachable; most
/// operations never need it).
pub type Keys<'a> = &'a dyn Fn() -> Result<Keychain, SecretError>;

/// Adds profile `name`, with `secret` stored in the keychain when given.
pub fn add(
    cfg: &mut Config,
    name: &str,
    profile: Profile,
    secret: Option<&Secret>,
    keys: Keys<'_>,
) -> Result<(), Error> {
    validate_profile_name(name)?;
    if cfg.profiles.contains_key(name) {
        return Err(exists(name).into());
    }
    profile.resolve(name)?;
    cfg.check_mirrors(name, &profile)?;
    if let Some(secret) = secret {
        keys()?.set(name, secret)?;
    }
    cfg.profiles.insert(name.to_owned(), profile);
    if cfg.default_profile.is_none() {
        cfg.default_profile = Some(name.to_owned());
    }
    Ok(())
}

/// Replaces profile `original` by `profile` named `name` (a rename when they differ), with
/// `secret` stored when given.
pub fn update(
    cfg: &mut Config,
    original: &str,
    name: &str,
    mut profile: Profile,
    secret: Option<&Secret>,
    keys: Keys<'_>,
) -> Result<(), Error> {
    validate_profile_name(name)?;
    let Some(old) = cfg.profiles.get(original) else {
        return Err(cfg.unknown(original).into());
    };
    if original != name && cfg.profiles.contains_key(name) {
        return Err(exists(name).into());
    }
    keep_measurement(old, &mut profile);
    profile.resolve(name)?;
    if profile.mirrors.iter().any(|m| m == original) {
        return Err(ConfigError::Invalid {
            profile: name.into(),
            detail: "a profile cannot be its own mirror".into(),
        }
        .into());
    }
    cfg.check_mirrors(name, &profile)?;
    if let Some(secret) = secret {
        keys()?.set(name, secret)?;
    }
    if original != name {
        move_secret(original, name, secret.is_none(), keys)?;
        cfg.profiles.remove(original);
        if cfg.default_profile.as_deref() == Some(original) {
            cfg.default_profile = Some(name.to_owned());
        }
        // The profiles mirroring to it follow the rename.
        for other in cfg.profiles.values_mut() {
            for m in other.mirrors.iter_mut().filter(|m| *m == original) {
                *m = name.to_owned();
            }
        }
    }
    cfg.profiles.insert(name.to_owned(), profile);
    Ok(())
}

/// Copies profile `name` (and its keychain secret, when the keychain can be reached) to
/// `new_name`.
pub fn duplicate(
    cfg: &mut Config,
    name: &str,
    new_name: &str,
    keys: Keys<'_>,
) -> Result<(), Error> {
    validate_profile_name(new_name)?;
    let Some(profile) = cfg.profiles.get(name).cloned() else {
        return Err(cfg.unknown(name).into());
    };
    if cfg.profiles.contains_key(new_name) {
        return Err(exists(new_name).into());
    }
    if let Ok(k) = keys()
        && let Ok(Some(s)) = k.get(name)
    {
        k.set(new_name, &s)?;
    }
    cfg.profiles.insert(new_name.to_owned(), profile);
    Ok(())
}

/// What [`remove`] did beyond removing the profile.
#[derive(Debug, Default)]
pub struct Removed {
    /// The profile that became the default in place of the removed one.
    pub new_default: Option<String>,
    /// Why the profile's keychain secret stayed (the config change stands regardless).
    pub secret_kept: Option<SecretError>,
}

/// Removes profile `name` and, best effort, its keychain secret.
pub fn remove(cfg: &mut Config, name: &str, keys: Keys<'_>) -> Result<Removed, Error> {
    if cfg.profiles.remove(name).is_none() {
        return Err(cfg.unknown(name).into());
    }
    // No profile keeps copying to a profile that is gone.
    for other in cfg.profiles.values_mut() {
        other.mirrors.retain(|m| m != name);
    }
    let mut removed = Removed::default();
    if cfg.default_profile.as_deref() == Some(name) {
        cfg.default_profile = cfg.profiles.keys().next().cloned();
        removed.new_default.clone_from(&cfg.default_profile);
    }
    removed.secret_kept = keys().and_then(|k| k.delete(name)).err();
    Ok(removed)
}

/// Makes `name` the default profile.
pub fn set_default(cfg: &mut Config, name: &str) -> Result<(), ConfigError> {
    cfg.pick_profile_name(Some(name))?;
    cfg.default_profile = Some(name.to_owned());
    Ok(())
}

fn exists(name: &str) -> ConfigError {
    ConfigError::ProfileExists { name: name.into() }
}

/// `conditional_put` is a measurement of one bucket: an edit that leaves it unset keeps it
/// while the bucket stays the same; one that moves to another bucket without setting it anew
/// drops it, so the preset's guess stands until that bucket is tested.
fn keep_measurement(old: &Profile, new: &mut Profile) {
    if old.same_bucket(new) {
        if new.conditional_put.is_none() {
            new.conditional_put = old.conditional_put;
        }
    } else if new.conditional_put == old.conditional_put {
        new.conditional_put = None;
    }
}

/// A rename takes the secret along (unless a new one was just stored); an unreachable
/// keychain leaves it where it was.
fn move_secret(from: &str, to: &str, copy: bool, keys: Keys<'_>) -> Result<(), Error> {
    let Ok(k) = keys() else {
        return Ok(());
    };
    if copy && let Ok(Some(s)) = k.get(from) {
        k.set(to, &s)?;
    }
    let _ = k.delete(from);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keychain() -> Keychain {
        Keychain::with_store(keyring_core::mock::Store::new().unwrap())
    }

    fn profile(bucket: &str) -> Profile {
        Profile {
            provider: "minio".into(),
            endpoint: Some("http://127.0.0.1:9000".into()),
            bucket: bucket.into(),
            access_key_id: Some("AK".into()),
            ..Profile::default()
        }
    }

    #[test]
    fn the_first_profile_is_the_default_and_names_are_checked_once() {
        let k = keychain();
        let keys = || Ok(k.clone());
        let mut cfg = Config::default();
        add(
            &mut cfg,
            "图床",
            profile("a"),
            Some(&Secret::new("s1")),
            &keys,
        )
        .unwrap();
        assert_eq!(cfg.default_profile.as_deref(), Some("图床"));
        assert_eq!(k.get("图床").unwrap().unwrap().expose(), "s1");
        let e = add(&mut cfg, "图床", profile("b"), None, &keys).unwrap_err();
        assert_eq!(e.code(), "config.profile_exists");
        let e = add(&mut cfg, ".hidden", profile("b"), None, &keys).unwrap_err();
        assert_eq!(e.code(), "config.invalid");
        // An invalid profile is refused before anything changes.
        let e = add(
            &mut cfg,
            "bad",
            Profile::default(),
            Some(&Secret::new("x")),
            &keys,
        );
        assert!(e.is_err());
        assert!(!cfg.profiles.contains_key("bad"));
        assert!(k.get("bad").unwrap().is_none());
    }

    #[test]
    fn a_rename_carries_the_secret_and_the_default_mark() {
        let k = keychain();
        let keys = || Ok(k.clone());
        let mut cfg = Config::default();
        add(
            &mut cfg,
            "blog",
            profile("a"),
            Some(&Secret::new("s1")),
            &keys,
        )
        .unwrap();
        add(&mut cfg, "work", profile("w"), None, &keys).unwrap();
        let e = update(&mut cfg, "blog", "work", profile("a"), None, &keys).unwrap_err();
        assert_eq!(e.code(), "config.profile_exists");
        let e = update(&mut cfg, "nope", "x", profile("a"), None, &keys).unwrap_err();
        assert_eq!(e.code(), "config.unknown_profile");
        update(&mut cfg, "blog", "notes", profile("a"), None, &keys).unwrap();
        assert_eq!(cfg.default_profile.as_deref(), Some("notes"));
        assert!(!cfg.profiles.contains_key("blog"));
        assert_eq!(k.get("notes").unwrap().unwrap().expose(), "s1");
        assert!(k.get("blog").unwrap().is_none());
    }

    #[test]
    fn a_measurement_holds_for_its_bucket_only() {
        let k = keychain();
        let keys = || Ok(k.clone());
        let mut cfg = Config::default();
        let mut measured = profile("a");
        measured.conditional_put = Some(false);
        add(&mut cfg, "blog", measured, None, &keys).unwrap();
        // The form of the same bucket leaves it unset: the measurement stays.
        update(&mut cfg, "blog", "blog", profile("a"), None, &keys).unwrap();
        assert_eq!(cfg.profiles["blog"].conditional_put, Some(false));
        // Another bucket with the old value carried over: dropped.
        let mut moved = profile("b");
        moved.conditional_put = Some(false);
        update(&mut cfg, "blog", "blog", moved, None, &keys).unwrap();
        assert_eq!(cfg.profiles["blog"].conditional_put, None);
    }

    #[test]
    fn removing_the_default_makes_the_next_one_the_default() {
        let k = keychain();
        let keys = || Ok(k.clone());
        let mut cfg = Config::default();
        for n in ["a", "b", "c"] {
            add(&mut cfg, n, profile(n), Some(&Secret::new(n)), &keys).unwrap();
        }
        let r = remove(&mut cfg, "b", &keys).unwrap();
        assert!(r.new_default.is_none() && r.secret_kept.is_none());
        assert_eq!(cfg.default_profile.as_deref(), Some("a"));
        let r = remove(&mut cfg, "a", &keys).unwrap();
        assert_eq!(r.new_default.as_deref(), Some("c"));
        assert_eq!(cfg.default_profile.as_deref(), Some("c"));
        assert!(k.get("a").unwrap().is_none());
        let r = remove(&mut cfg, "c", &keys).unwrap();
        assert_eq!(r.new_default, None);
        assert_eq!(cfg.default_profile, None);
        assert_eq!(
            remove(&mut cfg, "c", &keys).unwrap_err().code(),
            "config.unknown_profile"
        );
    }

    #[test]
    fn mirrors_are_profiles_follow_a_rename_and_go_with_a_removal() {
        let k = keychain();
        let keys = || Ok(k.clone());
        let mut cfg = Config::default();
        add(&mut cfg, "backup", profile("bk"), None, &keys).unwrap();
        let mirrored = |m: &[&str]| Profile {
            mirrors: m.iter().map(|s| (*s).to_owned()).collect(),
            ..profile("main")
        };
        let e = add(&mut cfg, "blog", mirrored(&["nope"]), None, &keys).unwrap_err();
        assert_eq!(e.code(), "config.invalid");
        assert!(
            e.to_string().contains("mirror \"nope\" is not a profile"),
            "{e}"
        );
        let e = add(&mut cfg, "blog", mirrored(&["blog"]), None, &keys).unwrap_err();
        assert!(e.to_string().contains("its own mirror"), "{e}");
        let e = add(
            &mut cfg,
            "blog",
            mirrored(&["backup", "backup"]),
            None,
            &keys,
        )
        .unwrap_err();
        assert!(e.to_string().contains("named twice"), "{e}");
        add(&mut cfg, "blog", mirrored(&["backup"]), None, &keys).unwrap();
        // Renaming a profile into its own mirror is refused.
        let e = update(
            &mut cfg,
            "backup",
            "backup",
            mirrored(&["backup"]),
            None,
            &keys,
        );
        assert!(e.unwrap_err().to_string().contains("its own mirror"));
        update(&mut cfg, "backup", "offsite", profile("bk"), None, &keys).unwrap();
        assert_eq!(cfg.profiles["blog"].mirrors, ["offsite"]);
        remove(&mut cfg, "offsite", &keys).unwrap();
        assert!(cfg.profiles["blog"].mirrors.is_empty());
    }

    #[test]
    fn duplicate_copies_profile_and_secret() {
        let k = keychain();
        let keys = || Ok(k.clone());
        let mut cfg = Config::default();
        add(&mut cfg, "a", profile("a"), Some(&Secret::new("s")), &keys).unwrap();
        duplicate(&mut cfg, "a", "a-2", &keys).unwrap();
        assert_eq!(cfg.profiles["a-2"], cfg.profiles["a"]);
        assert_eq!(k.get("a-2").unwrap().unwrap().expose(), "s");
        assert_eq!(
            duplicate(&mut cfg, "a", "a-2", &keys).unwrap_err().code(),
            "config.profile_exists"
        );
        set_default(&mut cfg, "a-2").unwrap();
        assert_eq!(cfg.default_profile.as_deref(), Some("a-2"));
        assert!(set_default(&mut cfg, "zz").is_err());
    }
}
