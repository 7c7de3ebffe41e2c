//! Applying a plan: profiles into the config file (saved once), secrets into the keychain,
//! new gallery rows into the history; what happened to each, for the CLI and the desktop.

use std::path::Path;

use hoist_core::config::{Config, validate_profile_name};
use hoist_core::secrets::{Keychain, Secret, SecretError};
use hoist_history::{History, NewRecord};

use crate::error::ImportError;
use crate::flavor::Flavor;
use crate::plan::Plan;

/// How [`apply`] treats what already exists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Compute and report, write nothing (no config, no keychain, no history).
    pub dry_run: bool,
    /// Replace existing profiles of the same name whose settings differ (else they are skipped).
    pub overwrite: bool,
}

/// What happened (or, in a dry run, would happen) to one profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileAction {
    Added,
    /// A profile of that name with the same settings exists.
    Unchanged,
    /// It existed with other settings and `overwrite` replaced it.
    Updated,
    /// It exists with other settings and was left alone (no `overwrite`).
    Skipped,
}

/// What happened to a profile's secret access key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretAction {
    /// Written to the keychain (in a dry run: would be).
    Stored,
    /// The keychain already holds this very secret.
    AlreadyStored,
    /// The keychain holds another secret for this unchanged profile; kept without `overwrite`.
    KeptExisting,
    /// The config had no secret access key.
    NoneInSource,
    /// The profile was skipped, so its secret was not touched either.
    Untouched,
    /// The keychain could not be used; the reason, in plain words.
    NotStored(String),
}

impl SecretAction {
    /// Whether the profile still lacks a usable secret after the import.
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::NoneInSource | Self::NotStored(_))
    }
}

/// One imported config: the profile it became, what happened to it and to its secret.
#[derive(Debug, Clone)]
pub struct ProfileReport {
    pub name: String,
    pub source: String,
    pub action: ProfileAction,
    pub secret: SecretAction,
    pub notes: Vec<String>,
}

/// The outcome of [`apply`], for the CLI summary and the desktop dialog.
#[derive(Debug, Clone)]
pub struct Report {
    pub flavor: Flavor,
    pub dry_run: bool,
    pub profiles: Vec<ProfileReport>,
    /// The profile made the default by this import, if any.
    pub default_set: Option<String>,
    /// Hoist's default when it was kept and differs from PicGo's choice: (kept, PicGo's).
    pub default_kept: Option<(String, String)>,
    pub history_added: usize,
    pub history_existing: usize,
    pub history_without_link: usize,
    pub server_port: Option<u16>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn count(&self, action: ProfileAction) -> usize {
        self.profiles.iter().filter(|p| p.action == action).count()
    }
}

/// Applies `plan`: profiles into the config at `config_path` (saved atomically, once),
/// secrets into the keychain (opened only if a secret is to be stored or compared), new
/// gallery rows into `history` in one transaction. `history` may be `None` in a dry run when
/// there is no history file yet (every row is then new). Nothing is written in a dry run.
///
/// A keychain that cannot be reached does not stop the import: the profiles are saved and the
/// report says which secrets are missing. Errors: the config cannot be read or written, the
/// history fails.
pub fn apply(
    plan: &Plan,
    config_path: &Path,
    history: Option<&History>,
    keychain: &dyn Fn() -> Result<Keychain, SecretError>,
    opts: ApplyOptions,
) -> Result<Report, ImportError> {
    let mut cfg = Config::load(config_path)?;
    let (mut reports, mut changed) = merge_profiles(plan, &mut cfg, opts.overwrite);
    let (default_set, default_kept) = choose_default(plan, &mut cfg);
    changed |= default_set.is_some();
    if changed && !opts.dry_run {
        cfg.save(config_path)?;
    }
    // Secrets after the config, so a failed save never leaves secrets of profiles that do not
    // exist.
    store_secrets(plan, &mut reports, keychain, opts);
    let (new_rows, existing) = new_history_rows(plan, history)?;
    if !opts.dry_run
        && !new_rows.is_empty()
        && let Some(h) = history
    {
        h.insert_many(&new_rows)?;
    }
    Ok(Report {
        flavor: plan.flavor,
        dry_run: opts.dry_run,
        profiles: reports,
        default_set,
        default_kept,
        history_added: new_rows.len(),
        history_existing: existing,
        history_without_link: plan.history_without_link,
        server_port: plan.server_port,
        notes: plan.notes.clone(),
    })
}

/// Puts the planned profiles into `cfg` (a changed one only with `overwrite`). Returns a report
/// per profile (its secret still `Untouched`) and whether `cfg` changed.
fn merge_profiles(plan: &Plan, cfg: &mut Config, overwrite: bool) -> (Vec<ProfileReport>, bool) {
    let mut reports = Vec::new();
    let mut changed = false;
    for p in &plan.profiles {
        let action = match cfg.profiles.get(&p.name) {
            None => ProfileAction::Added,
            Some(existing) if *existing == p.profile => ProfileAction::Unchanged,
            Some(_) if overwrite => ProfileAction::Updated,
            Some(_) => ProfileAction::Skipped,
        };
        if matches!(action, ProfileAction::Added | ProfileAction::Updated) {
            debug_assert!(validate_profile_name(&p.name).is_ok());
            cfg.profiles.insert(p.name.clone(), p.profile.clone());
            changed = true;
        }
        let mut notes = p.notes.clone();
        if action == ProfileAction::Skipped {
            notes.insert(
                0,
                "a profile of this name exists with other settings; left as it is (re-run with --overwrite to replace it)".into(),
            );
        }
        reports.push(ProfileReport {
            name: p.name.clone(),
            source: p.source.clone(),
            action,
            secret: SecretAction::Untouched,
            notes,
        });
    }
    (reports, changed)
}

/// Makes PicGo's choice Hoist's default when Hoist has none (or one that no longer exists).
/// Returns (the default set, Hoist's default kept beside PicGo's when they differ).
fn choose_default(plan: &Plan, cfg: &mut Config) -> (Option<String>, Option<(String, String)>) {
    let Some(want) = &plan.default_profile else {
        return (None, None);
    };
    if !cfg.profiles.contains_key(want) {
        return (None, None);
    }
    match &cfg.default_profile {
        Some(d) if cfg.profiles.contains_key(d) => {
            (None, (d != want).then(|| (d.clone(), want.clone())))
        }
        _ => {
            cfg.default_profile = Some(want.clone());
            (Some(want.clone()), None)
        }
    }
}

/// Fills in each report's secret action. The keychain is opened once, and only when needed.
fn store_secrets(
    plan: &Plan,
    reports: &mut [ProfileReport],
    keychain: &dyn Fn() -> Result<Keychain, SecretError>,
    opts: ApplyOptions,
) {
    let mut kc: Option<Result<Keychain, SecretError>> = None;
    for (p, report) in plan.profiles.iter().zip(reports.iter_mut()) {
        report.secret = if report.action == ProfileAction::Skipped {
            SecretAction::Untouched
        } else if let Some(secret) = &p.secret {
            let k = kc.get_or_insert_with(keychain);
            match k {
                Ok(k) => store_secret(k, &p.name, secret, report.action, opts),
                Err(e) => SecretAction::NotStored(e.to_string()),
            }
        } else {
            SecretAction::NoneInSource
        };
    }
}

/// The planned rows the history does not hold yet (by origin and `import_ref`), and how many
/// it does.
fn new_history_rows(
    plan: &Plan,
    history: Option<&History>,
) -> Result<(Vec<NewRecord>, usize), ImportError> {
    let mut new_rows = Vec::new();
    let mut existing = 0;
    for row in &plan.history {
        let found = match (history, &row.import_ref) {
            (Some(h), Some(r)) => h.find_by_import_ref(&row.origin, r)?.is_some(),
            _ => false,
        };
        if found {
            existing += 1;
        } else {
            new_rows.push(row.clone());
        }
    }
    Ok((new_rows, existing))
}

fn store_secret(
    k: &Keychain,
    name: &str,
    secret: &Secret,
    action: ProfileAction,
    opts: ApplyOptions,
) -> SecretAction {
    match k.get(name) {
        Ok(Some(s)) if s == *secret => SecretAction::AlreadyStored,
        // The profile itself did not change: the stored secret may be a newer key the user set
        // on purpose, so it is only replaced when asked.
        Ok(Some(_)) if action == ProfileAction::Unchanged && !opts.overwrite => {
            SecretAction::KeptExisting
        }
        Ok(_) if opts.dry_run => SecretAction::Stored,
        Ok(_) => match k.set(name, secret) {
            Ok(()) => SecretAction::Stored,
            Err(e) => SecretAction::NotStored(e.to_string()),
        },
        Err(e) => SecretAction::NotStored(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hoist_history::History;
    use serde_json::{Value, json};

    use super::*;
    use crate::fixtures::{MINIO_SECRET, R2_SECRET, picgo_two_configs};
    use crate::flavor::Flavor;
    use crate::plan::plan;

    fn mock_keychain() -> Keychain {
        let store: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
        Keychain::with_store(store)
    }

    #[test]
    fn apply_is_idempotent_and_dry_run_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("config.toml");
        let history = History::open_in_memory().unwrap();
        let kc = mock_keychain();
        let gallery: Vec<Value> = (0..50)
            .map(|i| json!({"id": format!("id-{i}"), "imgUrl": format!("https://img.example.com/imgs/{i}.png")}))
            .collect();
        let plan = plan(
            Flavor::PicGo,
            &picgo_two_configs(),
            &gallery,
            1_700_000_000_000,
        );
        let keychain = || Ok(kc.clone());
        let run = |opts| apply(&plan, &config_path, Some(&history), &keychain, opts).unwrap();

        let dry = run(ApplyOptions {
            dry_run: true,
            overwrite: false,
        });
        assert_eq!(dry.count(ProfileAction::Added), 2);
        assert_eq!(dry.history_added, 50);
        assert!(!config_path.exists());
        assert_eq!(kc.get("R2-blog").unwrap(), None);
        assert_eq!(history.count(&hoist_history::Query::default()).unwrap(), 0);

        let first = run(ApplyOptions::default());
        assert_eq!(first.count(ProfileAction::Added), 2);
        assert_eq!(first.default_set.as_deref(), Some("MinIO-local"));
        assert!(
            first
                .profiles
                .iter()
                .all(|p| p.secret == SecretAction::Stored)
        );
        assert_eq!(kc.get("R2-blog").unwrap().unwrap().expose(), R2_SECRET);
        assert_eq!(first.history_added, 50);
        let text = std::fs::read_to_string(&config_path).unwrap();
        assert!(!text.contains(R2_SECRET) && !text.contains(MINIO_SECRET));
        let cfg = Config::load(&config_path).unwrap();
        assert_eq!(cfg.resolve(None).unwrap().name, "MinIO-local");

        let again = run(ApplyOptions::default());
        assert_eq!(again.count(ProfileAction::Unchanged), 2);
        assert!(
            again
                .profiles
                .iter()
                .all(|p| p.secret == SecretAction::AlreadyStored)
        );
        assert_eq!((again.history_added, again.history_existing), (0, 50));
        assert_eq!(again.default_set, None);
        assert_eq!(history.count(&hoist_history::Query::default()).unwrap(), 50);

        // A changed profile is skipped unless --overwrite.
        let mut cfg = Config::load(&config_path).unwrap();
        cfg.profiles.get_mut("R2-blog").unwrap().bucket = "other".into();
        cfg.save(&config_path).unwrap();
        let skipped = run(ApplyOptions::default());
        let r2 = skipped
            .profiles
            .iter()
            .find(|p| p.name == "R2-blog")
            .unwrap();
        assert_eq!(
            (r2.action, &r2.secret),
            (ProfileAction::Skipped, &SecretAction::Untouched)
        );
        assert_eq!(
            Config::load(&config_path).unwrap().profiles["R2-blog"].bucket,
            "other"
        );
        let over = run(ApplyOptions {
            dry_run: false,
            overwrite: true,
        });
        assert_eq!(over.count(ProfileAction::Updated), 1);
        assert_eq!(
            Config::load(&config_path).unwrap().profiles["R2-blog"].bucket,
            "blog"
        );
    }

    #[test]
    fn unreachable_keychain_still_imports_profiles() {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("config.toml");
        let plan = plan(Flavor::PicGo, &picgo_two_configs(), &[], 0);
        let down = || {
            Err(SecretError::Unavailable {
                detail: "no D-Bus session".into(),
            })
        };
        let report = apply(&plan, &config_path, None, &down, ApplyOptions::default()).unwrap();
        assert_eq!(report.count(ProfileAction::Added), 2);
        assert!(report.profiles.iter().all(|p| p.secret.is_missing()));
        assert_eq!(Config::load(&config_path).unwrap().profiles.len(), 2);
    }
}
