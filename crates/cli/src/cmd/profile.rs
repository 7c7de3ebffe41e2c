//! `hoist profile …`: list, show, add, edit, remove, use, test, providers. Changes go through
//! the core's profile operations (`hoist_core::profiles`, the same as the desktop's) and are
//! saved atomically; secrets go to the keychain only.

use std::io::Read;
use std::process::ExitCode;

use hoist_core::Error;
use hoist_core::check;
use hoist_core::config::{CollisionPolicy, ConfigError, Profile, validate_profile_name};
use hoist_core::presets::{self, Addressing};
use hoist_core::profiles;
use hoist_core::secrets::{Keychain, Secret};
use hoist_imaging::{LargeFiles, OutputFormat};

use crate::cli::{ProfileCmd, ProfileFields};
use crate::context::Ctx;
use crate::output::outln;

pub async fn run(ctx: &Ctx, cmd: ProfileCmd) -> Result<ExitCode, Error> {
    match cmd {
        ProfileCmd::List => list(ctx),
        ProfileCmd::Show { name } => show(ctx, name.as_deref()),
        ProfileCmd::Add { name, fields } => save(ctx, &name, fields, true),
        ProfileCmd::Edit { name, fields } => save(ctx, &name, fields, false),
        ProfileCmd::Remove { name } => remove(ctx, &name),
        ProfileCmd::Use { name } => {
            let mut cfg = ctx.config()?;
            profiles::set_default(&mut cfg, &name)?;
            ctx.save_config(&cfg)?;
            eprintln!("hoist: \"{name}\" is now the default profile");
            Ok(ExitCode::SUCCESS)
        }
        ProfileCmd::Test { name } => test(ctx, name.as_deref()).await,
        ProfileCmd::Providers => {
            for p in presets::all() {
                outln!("{:<12} {}", p.id, p.name);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn list(ctx: &Ctx) -> Result<ExitCode, Error> {
    let cfg = ctx.config()?;
    if cfg.profiles.is_empty() {
        eprintln!("hoist: no profiles yet: add one with `hoist profile add NAME --provider …`");
        return Ok(ExitCode::SUCCESS);
    }
    let default = cfg.pick_profile_name(None).ok();
    for (name, p) in &cfg.profiles {
        let mark = if default.as_deref() == Some(name.as_str()) {
            "*"
        } else {
            " "
        };
        let endpoint = p.endpoint.as_deref().unwrap_or("(preset endpoint)");
        outln!(
            "{mark} {name:<16} {:<12} {:<20} {endpoint}",
            p.provider,
            p.bucket
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(ctx: &Ctx, name: Option<&str>) -> Result<ExitCode, Error> {
    let cfg = ctx.config()?;
    let name = cfg.pick_profile_name(name)?;
    let profile = &cfg.profiles[&name];
    // Printed as a config fragment, so it can be pasted into another config.toml as is.
    #[derive(serde::Serialize)]
    struct Fragment<'a> {
        profiles: std::collections::BTreeMap<&'a str, &'a Profile>,
    }
    let fragment = Fragment {
        profiles: [(name.as_str(), profile)].into(),
    };
    outln!(
        "{}",
        toml::to_string_pretty(&fragment)
            .unwrap_or_default()
            .trim_end()
    );
    match profile.resolve(&name) {
        Ok(r) => {
            outln!("# resolved endpoint: {}", r.endpoint);
            outln!("# resolved region: {}", r.region);
            match &r.public_base {
                Some(b) => outln!("# links start with: {b}/"),
                None => outln!("# links: no public URL configured (set public_base_url)"),
            }
            if let Some(w) = hoist_core::tls::warning(&r) {
                outln!("# warning: {w}");
            }
        }
        Err(e) => outln!("# problem: {e}"),
    }
    let secret = match &profile.secret_env {
        Some(var) if std::env::var_os(var).is_some() => format!("from ${var}"),
        _ => match Keychain::system().and_then(|k| k.get(&name)) {
            Ok(Some(_)) => "stored in the keychain".into(),
            Ok(None) => "not set".into(),
            Err(e) => format!("unknown ({e})"),
        },
    };
    outln!("# secret access key: {secret}");
    Ok(ExitCode::SUCCESS)
}

fn save(ctx: &Ctx, name: &str, f: ProfileFields, create: bool) -> Result<ExitCode, Error> {
    validate_profile_name(name)?;
    let mut cfg = ctx.config()?;
    let mut profile = match (cfg.profiles.get(name), create) {
        (None, false) => {
            return Err(ConfigError::UnknownProfile {
                name: name.into(),
                hint: " (add it with `hoist profile add`)".into(),
            }
            .into());
        }
        (Some(p), false) => p.clone(),
        (_, true) => Profile::default(),
    };
    apply(&mut profile, &f, name)?;
    let resolved = profile.resolve(name)?;
    let secret = if f.secret_stdin {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| invalid(name, &format!("cannot read the secret from stdin: {e}")))?;
        let s = s.trim_end_matches(['\n', '\r']).to_owned();
        if s.is_empty() {
            return Err(invalid(name, "the secret read from stdin is empty"));
        }
        Some(Secret::new(s))
    } else {
        None
    };
    let keys = Keychain::system;
    if create {
        profiles::add(&mut cfg, name, profile, secret.as_ref(), &keys)?;
    } else {
        profiles::update(&mut cfg, name, name, profile, secret.as_ref(), &keys)?;
    }
    if f.default {
        profiles::set_default(&mut cfg, name)?;
    }
    ctx.save_config(&cfg)?;
    let verb = if create { "added" } else { "updated" };
    eprintln!(
        "hoist: profile \"{name}\" {verb}{}",
        if secret.is_some() {
            " (secret stored in the keychain)"
        } else {
            ""
        }
    );
    if resolved.public_base.is_none() {
        eprintln!(
            "hoist: note: {} has no public API host: set --public-base-url to the bucket's custom domain",
            resolved.preset.name
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn invalid(name: &str, detail: &str) -> Error {
    Error::Config(ConfigError::Invalid {
        profile: name.into(),
        detail: detail.into(),
    })
}

/// Copies the given flags into the profile. An empty string unsets an optional field.
fn apply(p: &mut Profile, f: &ProfileFields, name: &str) -> Result<(), Error> {
    fn opt(target: &mut Option<String>, v: &Option<String>) {
        if let Some(v) = v {
            *target = (!v.trim().is_empty()).then(|| v.trim().to_owned());
        }
    }
    if let Some(v) = &f.provider {
        p.provider = v.clone();
    }
    opt(&mut p.endpoint, &f.endpoint);
    opt(&mut p.account_id, &f.account_id);
    opt(&mut p.region, &f.region);
    if let Some(v) = &f.bucket {
        p.bucket = v.trim().to_owned();
    }
    if let Some(v) = &f.addressing {
        p.addressing = match v.as_str() {
            "path" => Some(Addressing::Path),
            "virtual" => Some(Addressing::Virtual),
            "" => None,
            other => {
                return Err(invalid(
                    name,
                    &format!("addressing must be path or virtual (got {other})"),
                ));
            }
        };
    }
    opt(&mut p.acl, &f.acl);
    opt(&mut p.access_key_id, &f.access_key_id);
    opt(&mut p.access_key_id_env, &f.access_key_id_env);
    opt(&mut p.secret_env, &f.secret_env);
    opt(&mut p.public_base_url, &f.public_base_url);
    if let Some(v) = &f.url_suffix {
        p.url_suffix = v.clone();
    }
    if let Some(v) = &f.template {
        p.key_template = v.clone();
    }
    if let Some(v) = f.link_format {
        p.link_format = super::link_format(v);
    }
    if let Some(v) = &f.custom_link {
        p.custom_link = v.clone();
    }
    let image_format = |v: &str| match v.to_ascii_lowercase().as_str() {
        "webp" => Ok(OutputFormat::Webp),
        "jpeg" | "jpg" => Ok(OutputFormat::Jpeg),
        "png" => Ok(OutputFormat::Png),
        "avif" => Ok(OutputFormat::Avif),
        "keep" => Ok(OutputFormat::Keep),
        "original" => Ok(OutputFormat::Original),
        other => Err(invalid(
            name,
            &format!("image format must be webp, jpeg, png, avif, keep or original (got {other})"),
        )),
    };
    if let Some(v) = &f.image_format {
        p.processing.format = image_format(v)?;
    }
    if let Some(v) = f.keep_below {
        p.processing.keep_below = (v > 0).then_some(v);
    }
    match f.large_above {
        Some(0) => p.processing.large = None,
        Some(above) => {
            p.processing
                .large
                .get_or_insert(LargeFiles {
                    above,
                    format: None,
                    quality: None,
                })
                .above = above;
        }
        None => {}
    }
    if f.large_format.is_some() || f.large_quality.is_some() {
        let Some(large) = p.processing.large.as_mut() else {
            return Err(invalid(
                name,
                "--large-format and --large-quality need --large-above (the size they start at)",
            ));
        };
        if let Some(v) = &f.large_format {
            large.format = Some(image_format(v)?);
        }
        if f.large_quality.is_some() {
            large.quality = f.large_quality;
        }
    }
    if let Some(v) = f.quality {
        p.processing.quality = v;
    }
    if let Some(v) = f.lossless {
        p.processing.lossless = v;
    }
    if let Some(v) = f.max_width {
        p.processing.max_width = (v > 0).then_some(v);
    }
    if let Some(v) = f.max_height {
        p.processing.max_height = (v > 0).then_some(v);
    }
    if let Some(v) = f.strip_metadata {
        p.processing.strip_metadata = v;
    }
    if let Some(v) = f.allow_any_file {
        p.processing.allow_any_file = v;
    }
    opt(&mut p.cache_control, &f.cache_control);
    if let Some(v) = f.timeout {
        p.timeout_secs = v;
    }
    opt(&mut p.proxy, &f.proxy);
    if let Some(v) = f.allow_invalid_certs {
        p.allow_invalid_certs = v;
    }
    if let Some(v) = &f.collision {
        p.collision = match v.as_str() {
            "overwrite" => CollisionPolicy::Overwrite,
            "fail" => CollisionPolicy::Fail,
            _ => CollisionPolicy::Rename,
        };
    }
    watermark_fields(&mut p.processing.watermark, f);
    if let Some(v) = &f.mirrors {
        p.mirrors = v.iter().filter(|m| !m.is_empty()).cloned().collect();
    }
    if let Some(v) = f.dedup {
        p.dedup = v;
    }
    if f.conditional_put.is_some() {
        p.conditional_put = f.conditional_put;
    }
    Ok(())
}

fn remove(ctx: &Ctx, name: &str) -> Result<ExitCode, Error> {
    let mut cfg = ctx.config()?;
    let removed = profiles::remove(&mut cfg, name, &Keychain::system)?;
    ctx.save_config(&cfg)?;
    // The config change is what matters; a keychain that cannot be reached keeps a stale
    // secret, which we say rather than fail.
    match removed.secret_kept {
        None => eprintln!("hoist: profile \"{name}\" removed (and its keychain secret)"),
        Some(e) => eprintln!(
            "hoist: profile \"{name}\" removed; its keychain secret could not be removed: {e}"
        ),
    }
    if let Some(next) = removed.new_default {
        eprintln!("hoist: \"{next}\" is now the default profile");
    }
    Ok(ExitCode::SUCCESS)
}

async fn test(ctx: &Ctx, name: Option<&str>) -> Result<ExitCode, Error> {
    let cfg = ctx.config()?;
    let profile = cfg.resolve(name)?;
    let store = ctx.store(&profile, false)?;
    outln!(
        "Testing profile \"{}\": bucket \"{}\" at {}",
        profile.name,
        profile.bucket,
        profile.endpoint
    );
    let probe = uuid::Uuid::new_v4().simple().to_string();
    let checked = check::test_connection(&profile, &store, &probe).await;
    for s in &checked.steps {
        let mark = if s.ok { "ok  " } else { "FAIL" };
        outln!("  {mark} {:<18} {:>5} ms  {}", s.name, s.millis, s.detail);
    }
    if checked.steps.len() < 2 {
        outln!("  (the remaining steps need the upload to work first)");
    }
    let mut ok = checked.all_ok();
    if let Some(honoured) = checked.conditional_put {
        let path = ctx.paths.config_file();
        match check::record_conditional_put(&path, &profile.name, honoured) {
            Ok(true) => outln!(
                "Recorded conditional_put = {honoured} for \"{}\" in {}",
                profile.name,
                path.display()
            ),
            Ok(false) => {}
            Err(e) => {
                ok = false;
                eprintln!("hoist: the test result could not be recorded: {e}");
            }
        }
    }
    if ok {
        outln!("All good: uploads from this profile will work.");
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

/// The `--watermark*` flags onto the profile's watermark (made when a flag names one; gone
/// when it is left with neither text nor picture). Ranges are the core's to check.
fn watermark_fields(mark: &mut Option<hoist_imaging::Watermark>, f: &ProfileFields) {
    let touched = f.watermark.is_some()
        || f.watermark_image.is_some()
        || f.watermark_font.is_some()
        || f.watermark_size.is_some()
        || f.watermark_color.is_some()
        || f.watermark_opacity.is_some()
        || f.watermark_position.is_some()
        || f.watermark_margin.is_some()
        || f.watermark_tiled.is_some()
        || f.watermark_min_size.is_some();
    if !touched {
        return;
    }
    let m = mark.get_or_insert_with(Default::default);
    if let Some(v) = &f.watermark {
        m.text = v.clone();
    }
    if let Some(v) = &f.watermark_image {
        m.image = v.clone();
    }
    if let Some(v) = &f.watermark_font {
        m.font = v.clone();
    }
    if let Some(v) = f.watermark_size {
        m.size = v;
    }
    if let Some(v) = &f.watermark_color {
        m.color = v.clone();
    }
    if let Some(v) = f.watermark_opacity {
        m.opacity = v;
    }
    if let Some(v) = f
        .watermark_position
        .as_deref()
        .and_then(|p| serde_json::from_value(serde_json::Value::from(p)).ok())
    {
        m.position = v;
    }
    if let Some(v) = f.watermark_margin {
        m.margin = v;
    }
    if let Some(v) = f.watermark_tiled {
        m.tiled = v;
    }
    if let Some(v) = f.watermark_min_size {
        m.min_size = v;
    }
    if m.text.trim().is_empty() && m.image.trim().is_empty() {
        *mark = None;
    }
}
