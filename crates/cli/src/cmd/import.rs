//! `hoist import picgo|piclist [PATH]`: finds the setup, applies it through
//! `hoist_import`, and prints what changed (or would, with `--dry-run`) on stdout.
//! The conversion rules live in hoist-import; this file only opens files and words the report.

use std::process::ExitCode;

use hoist_core::Error;
use hoist_core::credentials;
use hoist_core::secrets::Keychain;
use hoist_history::History;
use hoist_import::{
    ApplyOptions, Flavor, ImportError, Located, ProfileAction, ProfileReport, Report, SecretAction,
};

use crate::cli::{ImportArgs, ImportCmd};
use crate::context::Ctx;
use crate::output::{self, outln};

pub fn run(ctx: &Ctx, cmd: ImportCmd) -> Result<ExitCode, Error> {
    let (flavor, args) = match cmd {
        ImportCmd::Picgo(a) => (Flavor::PicGo, a),
        ImportCmd::Piclist(a) => (Flavor::PicList, a),
    };
    let loaded = match hoist_import::load(flavor, args.path.as_deref(), &credentials::process_env) {
        Ok(l) => l,
        Err(e) => return Ok(fail(&e)),
    };
    let plan = hoist_import::plan(
        flavor,
        &loaded.config,
        &loaded.gallery,
        loaded.gallery_mtime_ms,
    );
    let opts = ApplyOptions {
        dry_run: args.dry_run,
        overwrite: args.overwrite,
    };
    let report = if args.dry_run {
        // A dry run must not create the history file; an existing one is only read.
        let path = ctx.paths.history_file();
        let history = if path.is_file() {
            Some(History::open(&path)?)
        } else {
            None
        };
        hoist_import::apply(
            &plan,
            &ctx.paths.config_file(),
            history.as_ref(),
            &Keychain::system,
            opts,
        )
    } else {
        let history = ctx.history()?;
        let history = history.lock().unwrap_or_else(|p| p.into_inner());
        hoist_import::apply(
            &plan,
            &ctx.paths.config_file(),
            Some(&history),
            &Keychain::system,
            opts,
        )
    };
    match report {
        Ok(r) => {
            print_report(&loaded.located, loaded.gallery.len(), &args, &r);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Ok(fail(&e)),
    }
}

fn fail(e: &ImportError) -> ExitCode {
    eprintln!("hoist: error: {e}");
    ExitCode::from(output::EXIT_SETUP)
}

fn print_report(located: &Located, gallery_items: usize, args: &ImportArgs, r: &Report) {
    let flavor = r.flavor;
    if located.config == located.data_json {
        outln!("{flavor} config: {}", located.config.display());
    } else {
        outln!(
            "{flavor} config: {} (configPath in {})",
            located.config.display(),
            located.data_json.display()
        );
    }
    match &located.gallery {
        Some(g) => outln!(
            "{flavor} gallery: {} ({gallery_items} entries)",
            g.display()
        ),
        None => outln!(
            "{flavor} gallery: none ({} not found next to the config)",
            flavor.gallery_file()
        ),
    }
    if r.dry_run {
        outln!("Dry run: nothing was written.");
    }

    outln!();
    outln!("Profiles:");
    if r.profiles.is_empty() {
        outln!("  (none)");
    }
    let width = r.profiles.iter().map(|p| p.name.chars().count()).max();
    for p in &r.profiles {
        print_profile(p, r.dry_run, flavor, width.unwrap_or(0));
    }
    if let Some(name) = &r.default_set {
        outln!(
            "Default profile{}: {name}",
            if r.dry_run { " would be" } else { "" }
        );
    }
    if let Some((kept, theirs)) = &r.default_kept {
        outln!("Default profile stays {kept} ({flavor} used {theirs}: hoist profile use {theirs})");
    }
    let missing: Vec<&str> = r
        .profiles
        .iter()
        .filter(|p| p.secret.is_missing() && p.action != ProfileAction::Skipped)
        .map(|p| p.name.as_str())
        .collect();
    if !missing.is_empty() {
        outln!(
            "Secrets still needed for: {}. Store each with `hoist profile edit NAME --secret-stdin`, \
             or read it from an environment variable with `hoist profile edit NAME --secret-env VAR`.",
            missing.join(", ")
        );
    }

    outln!();
    let verb = if r.dry_run { "to add" } else { "added" };
    let mut line = format!(
        "History: {} {verb}, {} already there",
        output::count(r.history_added, "link", "links"),
        r.history_existing
    );
    if r.history_without_link > 0 {
        line.push_str(&format!(
            ", {} without a link skipped",
            output::count(r.history_without_link, "entry", "entries")
        ));
    }
    outln!("{line}");
    if let Some(port) = r.server_port {
        outln!(
            "Server: {flavor}'s local server used port {port}. Hoist's config has no server settings \
             yet, so it was not imported; start Hoist's server on the same port (hoist serve --port {port}) \
             and Typora, Obsidian and VS Code keep working unchanged."
        );
    }
    if !r.notes.is_empty() {
        outln!();
        outln!("Notes:");
        for n in &r.notes {
            outln!("  - {n}");
        }
    }
    outln!();
    let (added, updated, skipped) = if r.dry_run {
        ("to add", "to update", "to skip")
    } else {
        ("added", "updated", "skipped")
    };
    outln!(
        "Summary{}: {} {added}, {} unchanged, {} {updated}, {} {skipped}; {} {verb}.",
        if r.dry_run { " (dry run)" } else { "" },
        output::count(r.count(ProfileAction::Added), "profile", "profiles"),
        r.count(ProfileAction::Unchanged),
        r.count(ProfileAction::Updated),
        r.count(ProfileAction::Skipped),
        output::count(r.history_added, "history row", "history rows"),
    );
    if r.count(ProfileAction::Skipped) > 0 && !args.overwrite {
        outln!(
            "Re-run with --overwrite to replace the skipped profiles with the imported settings."
        );
    }
}

fn print_profile(p: &ProfileReport, dry_run: bool, flavor: Flavor, width: usize) {
    let action = match (p.action, dry_run) {
        (ProfileAction::Added, false) => "added",
        (ProfileAction::Added, true) => "would add",
        (ProfileAction::Unchanged, _) => "unchanged",
        (ProfileAction::Updated, false) => "updated",
        (ProfileAction::Updated, true) => "would update",
        (ProfileAction::Skipped, false) => "skipped",
        (ProfileAction::Skipped, true) => "would skip",
    };
    let secret = match &p.secret {
        SecretAction::Stored if dry_run => "secret would go to the keychain".to_owned(),
        SecretAction::Stored => "secret stored in the keychain".to_owned(),
        SecretAction::AlreadyStored => "secret already in the keychain".to_owned(),
        SecretAction::KeptExisting => {
            "the keychain holds a different secret for it; kept (--overwrite replaces it)"
                .to_owned()
        }
        SecretAction::NoneInSource => format!("no secret in the {flavor} config"),
        SecretAction::Untouched => "secret not touched".to_owned(),
        SecretAction::NotStored(why) => format!("secret NOT stored: {why}"),
    };
    outln!(
        "  {action:<12} {:<width$}  from {}; {secret}",
        p.name,
        p.source
    );
    for n in &p.notes {
        outln!("      note: {n}");
    }
}
