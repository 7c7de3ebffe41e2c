//! The key, URL and link the profile editor previews while the user types. It takes the same
//! stages as an upload, on a sample image of the kind the file name says: process it with the
//! profile's options ([`hoist_imaging::process`]), name it ([`crate::keys::key_for`]), build the
//! URL ([`link::public_url`]) and the link ([`link::file_link`]). So a preview and an upload of
//! that sample cannot disagree (a test uploads what it previewed and compares).

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::config::Profile;
use crate::keys::{KeyInputs, Output, key_for};
use crate::link::{self, FileLink, LinkFormat};
use crate::template::Template;

/// The `{uuid}` a preview shows (a real upload draws a random one).
pub const PREVIEW_UUID: uuid::Uuid =
    uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
/// The folder a previewed file is taken to be in, for `{localFolder:N}`.
pub const PREVIEW_FOLDER: &str = "/home/me/Pictures/blog";

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PreviewError {
    pub message: String,
    /// Where in the key template the problem is (a byte offset), when it is there.
    pub offset: Option<usize>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Preview {
    pub key: Option<String>,
    pub url: Option<String>,
    pub link: Option<String>,
    pub error: Option<PreviewError>,
    /// With a watermark: the processed sample as a `data:` URL, so the editor shows the mark
    /// as uploads will have it.
    pub image: Option<String>,
}

impl Preview {
    fn failed(key: Option<String>, message: String, offset: Option<usize>) -> Self {
        Self {
            key,
            url: None,
            link: None,
            error: Some(PreviewError { message, offset }),
            image: None,
        }
    }
}

/// What profile `name`'s settings (`profile`, maybe unfinished) give for a file called
/// `file_name` at `now`. An unfinished profile still previews the key; the error says what is
/// missing for the rest.
pub fn preview(
    name: &str,
    profile: &Profile,
    file_name: &str,
    now: DateTime<FixedOffset>,
) -> Preview {
    let template = match Template::parse(&profile.key_template) {
        Ok(t) => t,
        Err(e) => return Preview::failed(None, e.to_string(), Some(e.offset)),
    };
    let sample = hoist_imaging::sample_for(file_name);
    let processed = match hoist_imaging::process(&sample, &profile.processing) {
        Ok(p) => p,
        Err(e) => return Preview::failed(None, e.to_string(), None),
    };
    let image = profile.processing.watermark.is_some().then(|| {
        use base64::Engine as _;
        let data = base64::engine::general_purpose::STANDARD.encode(&processed.bytes);
        format!("data:{};base64,{data}", processed.mime)
    });
    let out = preview_named(name, profile, file_name, &template, &processed, now);
    Preview { image, ..out }
}

/// [`preview`] past processing: the key, the URL and the link.
fn preview_named(
    name: &str,
    profile: &Profile,
    file_name: &str,
    template: &Template,
    processed: &hoist_imaging::Processed,
    now: DateTime<FixedOffset>,
) -> Preview {
    let folder = Path::new(PREVIEW_FOLDER).join(file_name);
    let at = KeyInputs {
        now,
        uuid: PREVIEW_UUID,
        source_path: Some(&folder),
    };
    let (key, ext) = match key_for(
        template,
        name,
        file_name,
        Output::of(processed, &processed.bytes),
        at,
    ) {
        Ok(k) => k,
        Err(e) => return Preview::failed(None, e.to_string(), Some(e.offset)),
    };
    if profile.link_format == LinkFormat::Custom
        && let Err(e) = link::validate_custom(&profile.custom_link)
    {
        return Preview::failed(Some(key), e, None);
    }
    // The URL needs the rest of the profile; an unfinished form still previews the key.
    let resolved = match profile.resolve(name) {
        Ok(r) => r,
        Err(e) => return Preview::failed(Some(key), e.to_string(), None),
    };
    let Some(base) = resolved.public_base.as_deref() else {
        return Preview::failed(
            Some(key),
            "set a public base URL (custom domain) to get links".into(),
            None,
        );
    };
    let url = link::public_url(base, &key, &resolved.url_suffix);
    let link = link::file_link(
        profile.link_format,
        &profile.custom_link,
        &FileLink {
            url: &url,
            source_name: file_name,
            ext: &ext,
            key: &key,
            width: processed.width,
            height: processed.height,
        },
    );
    Preview {
        key: Some(key),
        url: Some(url),
        link: Some(link),
        error: None,
        image: None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hoist_imaging::OutputFormat;

    use super::*;
    use crate::mem::Mem;
    use crate::pipeline::{Env, NoProgress, RunOptions, Source, Uploader};

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-03-04T05:06:07+08:00").unwrap()
    }

    fn profile() -> Profile {
        Profile {
            provider: "custom".into(),
            endpoint: Some("http://127.0.0.1:9000".into()),
            bucket: "imgs".into(),
            public_base_url: Some("https://img.example.com".into()),
            key_template: "{year}/{month}/{fileName}.{extName}".into(),
            ..Profile::default()
        }
    }

    #[test]
    fn renders_key_url_and_link() {
        let p = preview("blog", &profile(), "screenshot.png", now());
        assert_eq!(p.key.as_deref(), Some("2026/03/screenshot.webp"));
        assert_eq!(
            p.url.as_deref(),
            Some("https://img.example.com/2026/03/screenshot.webp")
        );
        assert_eq!(
            p.link.as_deref(),
            Some("![screenshot](https://img.example.com/2026/03/screenshot.webp)")
        );
        assert_eq!(p.error, None);
    }

    #[test]
    fn points_at_template_errors() {
        let mut cfg = profile();
        cfg.key_template = "img/{yaer}/{fileName}".into();
        let p = preview("blog", &cfg, "a.png", now());
        let e = p.error.unwrap();
        assert_eq!(e.offset, Some(4), "{}", e.message);
        assert!(e.message.contains("yaer"), "{}", e.message);
        assert_eq!(p.key, None);
    }

    #[test]
    fn without_a_public_base_the_key_is_still_shown() {
        // R2 buckets have no public URL of their own: links need a custom domain.
        let mut cfg = profile();
        cfg.provider = "r2".into();
        cfg.endpoint = None;
        cfg.account_id = Some("0123456789abcdef0123456789abcdef".into());
        cfg.public_base_url = None;
        let p = preview("blog", &cfg, "a.png", now());
        assert!(p.key.is_some());
        assert!(p.error.unwrap().message.contains("public base URL"));
    }

    /// The regression the preview had: it kept `.bmp` for `keep` while the upload went up as
    /// PNG. Every output format × kinds of file: the previewed key, URL and link are the
    /// uploaded ones.
    #[tokio::test]
    async fn a_previewed_key_is_the_uploaded_key_for_every_output_format() {
        let names = [
            "shot.png",
            "photo.JPG",
            "old.bmp",
            "anim.gif",
            "x.webp",
            "scan.tif",
        ];
        for format in [
            OutputFormat::Keep,
            OutputFormat::Original,
            OutputFormat::Webp,
            OutputFormat::Jpeg,
            OutputFormat::Png,
            OutputFormat::Avif,
        ] {
            let mut cfg = profile();
            cfg.processing.format = format;
            // AVIF encodes take seconds in a debug build: one kind of file for it.
            let names = if format == OutputFormat::Avif {
                &names[..1]
            } else {
                &names[..]
            };
            cfg.key_template =
                "{profile}/{localFolder:1}/{fileName}-{md5:8}-{width}x{height}-{uuid}.{extName}"
                    .into();
            let uploader = Uploader::new(
                Arc::new(cfg.resolve("blog").unwrap()),
                Arc::new(Mem::new(true)),
                None,
                Env {
                    now: Arc::new(now),
                    uuid: Arc::new(|| PREVIEW_UUID),
                },
            );
            for name in names {
                let shown = preview("blog", &cfg, name, now());
                assert_eq!(shown.error, None, "{format:?} {name}");
                let dir = tempfile::tempdir().unwrap();
                let folder = dir.path().join("blog");
                std::fs::create_dir_all(&folder).unwrap();
                let path = folder.join(name);
                std::fs::write(&path, hoist_imaging::sample_for(name)).unwrap();
                let results = uploader
                    .run(vec![Source::Path(path)], RunOptions::default(), &NoProgress)
                    .await;
                let done = results.into_iter().next().unwrap().unwrap();
                assert_eq!(
                    shown.key.as_deref(),
                    Some(done.key.as_str()),
                    "{format:?} {name}"
                );
                assert_eq!(
                    shown.url.as_deref(),
                    Some(done.url.as_str()),
                    "{format:?} {name}"
                );
                assert_eq!(
                    shown.link.as_deref(),
                    Some(done.link(cfg.link_format, &cfg.custom_link).as_str()),
                    "{format:?} {name}"
                );
            }
        }
    }
}
