//! `hoist demo`: a local S3-compatible bucket (hoist-demo, SigV4 checked) on 127.0.0.1, sample
//! images uploaded to it through the real pipeline, their links printed in every format and
//! fetched back over HTTP. Needs no cloud account and leaves the user's config untouched.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use hoist_core::Error;
use hoist_core::config::{Paths, Profile};
use hoist_core::credentials::Credentials;
use hoist_core::link::LinkFormat;
use hoist_core::pipeline::{Env, RunOptions, Source, Uploader};
use hoist_core::secrets::Secret;
use hoist_demo::{DemoConfig, DemoServer};
use hoist_imaging::fixtures;
use hoist_s3::S3Store;

use crate::cli::DemoArgs;
use crate::context::Ctx;
use crate::output::outln;
use crate::output::{self, StderrProgress};

const ACCESS_KEY: &str = "hoist-demo";
// Not a secret: it only guards a throwaway bucket on 127.0.0.1 for the life of this command.
const SECRET_KEY: &str = "hoist-demo-local-only";

pub async fn run(ctx: &Ctx, args: DemoArgs) -> Result<ExitCode, Error> {
    let tmp;
    let data_dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => {
            tmp = tempfile::tempdir().map_err(|e| demo_err(format!("no temp folder: {e}")))?;
            tmp.path().to_path_buf()
        }
    };
    let server = DemoServer::start(DemoConfig {
        data_dir: data_dir.join("bucket-data"),
        bucket: "demo".into(),
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET_KEY.into(),
        s3_port: args.port,
        public_port: 0,
        ignore_conditional_writes: false,
        tls: false,
    })
    .await
    .map_err(|e| demo_err(format!("cannot start the demo bucket: {e}")))?;
    eprintln!(
        "Demo bucket \"demo\" running: S3 API {}  public links {}",
        server.s3_endpoint(),
        server.public_base()
    );

    let profile = Profile {
        provider: "custom".into(),
        endpoint: Some(server.s3_endpoint()),
        bucket: server.bucket().into(),
        access_key_id: Some(ACCESS_KEY.into()),
        public_base_url: Some(server.public_base()),
        key_template: "{year}/{month}/{md5}.{extName}".into(),
        ..Profile::default()
    }
    .resolve("demo")?;
    let creds = Credentials {
        access_key_id: ACCESS_KEY.into(),
        secret_access_key: Secret::new(SECRET_KEY),
    };
    let store = Arc::new(S3Store::for_profile(&profile, &creds)?);

    let files = if args.files.is_empty() {
        write_samples(&data_dir)?
    } else {
        args.files.clone()
    };
    let sources: Vec<Source> = files.iter().cloned().map(Source::Path).collect();
    let profile = Arc::new(profile);
    // The demo's own folder is its data dir: locks there, no history (so no spool).
    let paths = Paths {
        config_dir: data_dir.clone(),
        data_dir: data_dir.clone(),
    };
    let uploader = Uploader::in_paths(&paths, profile.clone(), store, None, Env::system());
    let progress = StderrProgress::new(ctx.quiet, sources.len());
    let results = uploader
        .run(sources, RunOptions::default(), &progress)
        .await;

    let client = hoist_core::fetch::http_client(profile.timeout)?;
    let mut failed = false;
    for r in &results {
        match r {
            Ok(o) => {
                outln!();
                outln!(
                    "{}: {} → {} {} ({}×{}, metadata stripped)",
                    o.source_name,
                    output::size(o.bytes_in),
                    output::size(o.bytes_out),
                    o.ext.to_uppercase(),
                    o.width.unwrap_or(0),
                    o.height.unwrap_or(0),
                );
                for f in LinkFormat::all() {
                    if f != LinkFormat::Custom {
                        outln!("  {:<9} {}", format!("{}:", f.label()), o.link(f, ""));
                    }
                }
                let check = match client.get(&o.url).send().await {
                    Ok(resp) if resp.status().is_success() => {
                        let ct = resp
                            .headers()
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("?")
                            .to_owned();
                        match resp.bytes().await {
                            Ok(b) if b.len() as u64 == o.bytes_out => {
                                format!("link works: HTTP 200, {ct}, {} bytes", b.len())
                            }
                            Ok(b) => {
                                failed = true;
                                format!("link returned {} bytes, expected {}", b.len(), o.bytes_out)
                            }
                            Err(e) => {
                                failed = true;
                                format!("link read failed: {e}")
                            }
                        }
                    }
                    Ok(resp) => {
                        failed = true;
                        format!("link answered {}", resp.status())
                    }
                    Err(e) => {
                        failed = true;
                        format!("link failed: {}", hoist_core::fetch::reqwest_words(&e))
                    }
                };
                outln!("  {check}");
            }
            Err(e) => {
                failed = true;
                eprintln!("hoist: {}: {}", e.source_name, e.error);
            }
        }
    }
    if args.serve {
        eprintln!(
            "\nServing the demo bucket; open the links above in a browser. Press Ctrl+C to stop."
        );
        let _ = tokio::signal::ctrl_c().await;
    } else {
        eprintln!("\nDone. Run `hoist demo --serve` to keep the bucket up and open the links.");
    }
    server.shutdown().await;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A screenshot-like PNG and a photo-like JPEG with EXIF orientation and GPS, so the demo shows
/// conversion, rotation and metadata stripping on inputs like a writer's.
fn write_samples(dir: &std::path::Path) -> Result<Vec<PathBuf>, Error> {
    let samples = dir.join("samples");
    std::fs::create_dir_all(&samples).map_err(|e| demo_err(e.to_string()))?;
    let files = [
        ("screenshot.png", fixtures::screenshot_png(1280, 800)),
        ("photo.jpg", fixtures::photo_jpeg(1600, 1200, Some(6), true)),
    ];
    let mut out = Vec::new();
    for (name, bytes) in files {
        let path = samples.join(name);
        std::fs::write(&path, bytes).map_err(|e| demo_err(e.to_string()))?;
        out.push(path);
    }
    Ok(out)
}

fn demo_err(detail: String) -> Error {
    Error::Internal(format!("demo: {detail}"))
}
