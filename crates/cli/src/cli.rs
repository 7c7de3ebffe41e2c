//! The command-line grammar of `hoist` (clap derive). Parsing only: every subcommand's work is
//! in `cmd/`, which calls the core.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cmd::FormatArg;

#[derive(Parser, Debug)]
#[command(
    name = "hoist",
    version,
    about = "Upload images to any S3-compatible bucket and get links (a PicGo replacement)",
    after_help = "Typora: set the upload command to `hoist upload --format url`; the last N lines of stdout are the N URLs."
)]
pub struct Cli {
    /// Use this folder for config.toml and the history instead of the platform folders.
    #[arg(long, global = true, env = "HOIST_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
    /// Print nothing on stderr but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Log details to stderr (-v info, -vv debug). Secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Upload files, URLs or the clipboard and print one link per file.
    Upload(crate::cmd::upload::UploadArgs),
    /// Manage profiles (bucket + key template + processing + link format).
    #[command(subcommand)]
    Profile(Box<ProfileCmd>),
    /// Show past uploads.
    #[command(subcommand)]
    History(HistoryCmd),
    /// Config file helpers.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Run a local demo bucket, upload sample images to it and print their links.
    Demo(DemoArgs),
    /// Serve the PicGo-compatible upload API on 127.0.0.1 (Typora, Obsidian, VS Code, scripts).
    Serve(crate::cmd::serve::ServeArgs),
    /// Uploads a crash or a kill interrupted: list them, or finish them.
    #[command(subcommand)]
    Queue(QueueCmd),
    /// Import profiles, link format and gallery from PicGo or PicList.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Markdown folders: move their images into a bucket, check their image links.
    #[command(subcommand)]
    Md(crate::cmd::md::MdCmd),
    /// Upload the new images that land in folders, until Ctrl-C.
    Watch(crate::cmd::watch::WatchArgs),
    /// List a bucket's folders and objects.
    Ls(crate::cmd::bucket::LsArgs),
    /// Delete objects from a bucket (and the history rows that linked to them).
    Rm(crate::cmd::bucket::RmArgs),
    /// Move or rename an object in its bucket (copied, checked, then the original deleted).
    Mv(crate::cmd::bucket::MvArgs),
    /// Print links to objects in a bucket: public, or presigned for a private bucket.
    Link(crate::cmd::bucket::LinkArgs),
    /// Share the history and profiles with your other devices through your bucket,
    /// end-to-end encrypted.
    #[command(subcommand)]
    Sync(crate::cmd::sync::SyncCmd),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
}

#[derive(Subcommand, Debug)]
pub enum ProfileCmd {
    /// List profiles; the default one is marked with *.
    List,
    /// Show one profile's settings (never its secret).
    Show { name: Option<String> },
    /// Add a profile.
    Add {
        name: String,
        #[command(flatten)]
        fields: ProfileFields,
    },
    /// Change settings of a profile.
    Edit {
        name: String,
        #[command(flatten)]
        fields: ProfileFields,
    },
    /// Remove a profile and its keychain secret.
    Remove { name: String },
    /// Make a profile the default.
    Use { name: String },
    /// Check a profile for real: upload, read back, try to overwrite it with a conditional write
    /// (the answer is recorded as the profile's conditional_put), fetch the public link, delete.
    Test { name: Option<String> },
    /// List the provider presets.
    Providers,
}

#[derive(Args, Debug, Default)]
pub struct ProfileFields {
    /// Provider preset: r2, aws, minio, garage, aliyun-oss, tencent-cos, b2, wasabi, custom.
    #[arg(long)]
    pub provider: Option<String>,
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Cloudflare account id (R2 endpoint).
    #[arg(long)]
    pub account_id: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub bucket: Option<String>,
    /// path or virtual.
    #[arg(long)]
    pub addressing: Option<String>,
    /// Canned ACL to send, e.g. public-read ("" to send none).
    #[arg(long)]
    pub acl: Option<String>,
    #[arg(long)]
    pub access_key_id: Option<String>,
    /// Read the access key id from this environment variable instead.
    #[arg(long, value_name = "VAR")]
    pub access_key_id_env: Option<String>,
    /// Read the secret access key from this environment variable instead of the keychain.
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,
    /// Read the secret access key from standard input and store it in the keychain.
    #[arg(long)]
    pub secret_stdin: bool,
    /// Custom domain / CDN for links, e.g. https://img.example.com ("" to unset).
    #[arg(long, value_name = "URL")]
    pub public_base_url: Option<String>,
    /// Text appended to every URL.
    #[arg(long)]
    pub url_suffix: Option<String>,
    /// Object key template, e.g. "{year}/{month}/{md5}.{extName}".
    #[arg(long)]
    pub template: Option<String>,
    #[arg(long, value_enum)]
    pub link_format: Option<FormatArg>,
    /// Custom link pattern with $url, $fileName, $extName, $key, $width, $height.
    #[arg(long)]
    pub custom_link: Option<String>,
    /// Output format: webp, jpeg, png, avif, keep (same format; the original bytes when
    /// nothing needs re-encoding) or original (the file exactly as it is, metadata included).
    #[arg(long)]
    pub image_format: Option<String>,
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: Option<u8>,
    /// WebP lossless.
    #[arg(long)]
    pub lossless: Option<bool>,
    /// Resize to fit this width (0 = no limit).
    #[arg(long)]
    pub max_width: Option<u32>,
    /// Resize to fit this height (0 = no limit).
    #[arg(long)]
    pub max_height: Option<u32>,
    /// Remove EXIF/GPS/XMP (true by default).
    #[arg(long)]
    pub strip_metadata: Option<bool>,
    /// Allow uploading files that are not images.
    #[arg(long)]
    pub allow_any_file: Option<bool>,
    /// Leave files smaller than this as they are (their own format, metadata still removed),
    /// e.g. 20KB; 0 = off.
    #[arg(long, value_parser = parse_size)]
    pub keep_below: Option<u64>,
    /// Files larger than this get --large-format and --large-quality, e.g. 5MB; 0 = off.
    #[arg(long, value_parser = parse_size)]
    pub large_above: Option<u64>,
    /// The format of files above --large-above (as --image-format).
    #[arg(long)]
    pub large_format: Option<String>,
    /// The quality of files above --large-above.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub large_quality: Option<u8>,
    /// Cache-Control header for uploads ("" to unset).
    #[arg(long)]
    pub cache_control: Option<String>,
    /// Request timeout in seconds.
    #[arg(long)]
    pub timeout: Option<u64>,
    /// HTTP(S) proxy URL ("" to unset).
    #[arg(long)]
    pub proxy: Option<String>,
    /// Accept any TLS certificate from this profile's servers (your own self-signed server;
    /// every run that uses the profile warns).
    #[arg(long)]
    pub allow_invalid_certs: Option<bool>,
    /// When the key already holds a different file: rename (add a hash suffix), overwrite, fail.
    #[arg(long, value_parser = ["rename", "overwrite", "fail"])]
    pub collision: Option<String>,
    /// Reuse the link of an earlier upload of the same file (true by default).
    #[arg(long)]
    pub dedup: Option<bool>,
    /// Whether the bucket refuses a write to a taken key when asked to (`hoist profile test`
    /// measures and records it; default: the provider preset's guess).
    #[arg(long)]
    pub conditional_put: Option<bool>,
    /// Draw this text on every image large enough ("" removes a text watermark).
    #[arg(long, value_name = "TEXT")]
    pub watermark: Option<String>,
    /// Draw this picture (a PNG with transparency) instead of text ("" to unset).
    #[arg(long, value_name = "PATH")]
    pub watermark_image: Option<String>,
    /// The watermark text's font: a font file or an installed family ("" = the system's).
    #[arg(long, value_name = "FONT")]
    pub watermark_font: Option<String>,
    /// The watermark's size in % of the image's shorter side (text height, picture width).
    #[arg(long, value_name = "PERCENT")]
    pub watermark_size: Option<f32>,
    /// The watermark text's colour, #rrggbb.
    #[arg(long, value_name = "COLOR")]
    pub watermark_color: Option<String>,
    /// 0 (invisible) to 1 (opaque).
    #[arg(long)]
    pub watermark_opacity: Option<f32>,
    /// Where the watermark goes.
    #[arg(long, value_parser = ["top-left", "top", "top-right", "left", "center", "right", "bottom-left", "bottom", "bottom-right"])]
    pub watermark_position: Option<String>,
    /// Distance from the edges, in % of the image's shorter side.
    #[arg(long, value_name = "PERCENT")]
    pub watermark_margin: Option<f32>,
    /// Repeat the watermark over the whole image.
    #[arg(long)]
    pub watermark_tiled: Option<bool>,
    /// Images whose shorter side is below this many pixels get no watermark.
    #[arg(long, value_name = "PX")]
    pub watermark_min_size: Option<u32>,
    /// Also copy every upload to this profile (repeat for several; the same bytes under its own
    /// key template; the link stays this profile's). Replaces the list; `--mirror ""` clears it.
    #[arg(long = "mirror", value_name = "PROFILE")]
    pub mirrors: Option<Vec<String>>,
    /// Make this the default profile.
    #[arg(long)]
    pub default: bool,
}

#[derive(Subcommand, Debug)]
pub enum HistoryCmd {
    /// Newest uploads first.
    List {
        #[arg(short = 'n', long, default_value_t = 20)]
        limit: u32,
        #[arg(short, long)]
        profile: Option<String>,
        /// Only failed uploads.
        #[arg(long)]
        failed: bool,
        #[arg(long)]
        json: bool,
    },
    /// Find uploads by file name, key or URL.
    Search {
        text: String,
        #[arg(short = 'n', long, default_value_t = 20)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Upload failed (or interrupted) uploads again, by id, from their kept source.
    Retry {
        ids: Vec<i64>,
        /// Retry every failed upload that still has its source.
        #[arg(long)]
        all_failed: bool,
        #[arg(short, long, value_enum)]
        format: Option<FormatArg>,
        #[arg(long)]
        no_copy: bool,
    },
    /// Check the link of every upload and list the broken ones (exit 1 if any).
    Check(CheckArgs),
    /// Print (and copy) the link of an upload by its id.
    Copy {
        id: i64,
        #[arg(short, long, value_enum)]
        format: Option<FormatArg>,
        #[arg(long)]
        no_copy: bool,
    },
}

/// What `hoist history check` is asked.
#[derive(Args, Debug)]
pub struct CheckArgs {
    #[arg(short, long)]
    pub profile: Option<String>,
    /// Upload the broken ones again from their kept source; each row gets the new link.
    #[arg(long)]
    pub reupload: bool,
    #[command(flatten)]
    pub limits: crate::cmd::LinkCheckArgs,
    /// One JSON object per broken upload on stdout.
    #[arg(long)]
    pub json: bool,
    /// Link format of re-uploaded files (default: the profile's).
    #[arg(short, long, value_enum)]
    pub format: Option<FormatArg>,
    #[arg(long)]
    pub no_copy: bool,
}

#[derive(Subcommand, Debug)]
pub enum QueueCmd {
    /// Uploads that were started but never finished.
    List,
    /// Finish every interrupted upload (the desktop app does this at start).
    Resume {
        #[arg(short, long, value_enum)]
        format: Option<FormatArg>,
        #[arg(long)]
        no_copy: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Print where the config file and history are.
    Path,
}

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// From PicGo (data.json and picgo.db) or PicGo-Core (~/.picgo/config.json).
    Picgo(ImportArgs),
    /// From PicList (data.json and piclist.db).
    Piclist(ImportArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// data.json (or config.json), or the folder holding it (default: the usual places).
    pub path: Option<PathBuf>,
    /// Show what would change and write nothing (no config, keychain or history).
    #[arg(long)]
    pub dry_run: bool,
    /// Replace existing profiles of the same name whose settings differ (else they are skipped).
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Port of the demo S3 API (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Keep the demo bucket running (until Ctrl+C) so the links can be opened.
    #[arg(long)]
    pub serve: bool,
    /// Where the demo bucket keeps its files (default: a temporary folder).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Images to upload instead of the generated samples.
    pub files: Vec<PathBuf>,
}

/// A size in bytes as people write it: `20000`, `20KB`, `20 KiB`, `5MB`, `1.5 MiB` (KB = 1000
/// bytes, KiB = 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 20000, 20KB, 5MB)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit {other:?} (use B, KB, KiB, MB, MiB)"
            ));
        }
    };
    Ok((n * mult).round() as u64)
}

#[cfg(test)]
mod size_tests {
    use super::parse_size;

    #[test]
    fn sizes_as_people_write_them() {
        assert_eq!(parse_size("20000"), Ok(20_000));
        assert_eq!(parse_size("20KB"), Ok(20_000));
        assert_eq!(parse_size("20 KiB"), Ok(20_480));
        assert_eq!(parse_size("1.5MiB"), Ok(1_572_864));
        assert_eq!(parse_size("5mb"), Ok(5_000_000));
        assert!(parse_size("five").is_err());
        assert!(parse_size("5 parsecs").unwrap_err().contains("unit"));
    }
}
