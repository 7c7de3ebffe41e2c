//! Where an S3 config's files were served, following picgo-plugin-s3: the endpoint as PicGo
//! accepts it, the URL its S3 SDK reported, and `urlPrefix` / `outputURLPattern` as a public
//! base URL and suffix.

use serde_json::{Map, Value};

use crate::json::{bool_field, str_field};

/// An endpoint as picgo-plugin-s3 accepts it: with or without `https://`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    scheme: String,
    /// `host[:port]`.
    authority: String,
    pub(crate) host: String,
    /// Path after the authority, without a trailing `/` (usually empty).
    path: String,
}

impl Endpoint {
    pub(crate) fn parse(raw: &str) -> Option<Endpoint> {
        let raw = raw.trim().trim_end_matches('/');
        let (scheme, rest) = match raw.split_once("://") {
            Some((s, r)) => (s.to_ascii_lowercase(), r),
            None => ("https".to_owned(), raw),
        };
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        if authority.is_empty()
            || authority.contains(char::is_whitespace)
            || authority.contains('@')
            || path.contains(['?', '#'])
        {
            return None;
        }
        let host = if authority.starts_with('[') {
            authority.split_inclusive(']').next().unwrap_or(authority)
        } else {
            match authority.rsplit_once(':') {
                Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
                _ => authority,
            }
        };
        if host.is_empty() {
            return None;
        }
        Some(Endpoint {
            scheme,
            authority: authority.to_owned(),
            host: host.to_owned(),
            path: path.trim_end_matches('/').to_owned(),
        })
    }

    pub(crate) fn url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.authority, self.path)
    }
}

/// The base of the URL PicGo's S3 SDK reported for an upload (its `Location` minus the key):
/// what PicGo linked to when no URL prefix was set, and where an `outputURLPattern`'s
/// `{protocol}`, `{host}`, `{port}` and `{path}` come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    scheme: String,
    host: String,
    port: String,
    /// `/bucket` (after any endpoint path) for path style, else the endpoint path.
    path_prefix: String,
}

impl Location {
    fn base(&self) -> String {
        let port = if self.port.is_empty() {
            String::new()
        } else {
            format!(":{}", self.port)
        };
        format!("{}://{}{port}{}", self.scheme, self.host, self.path_prefix)
    }
}

pub(crate) fn sdk_location(
    endpoint: Option<&Endpoint>,
    region: &str,
    bucket: &str,
    path_style: bool,
) -> Location {
    let (scheme, host, port, path) = match endpoint {
        Some(e) => {
            let port = e
                .authority
                .strip_prefix(&e.host)
                .and_then(|p| p.strip_prefix(':'))
                .unwrap_or("");
            (
                e.scheme.clone(),
                e.host.clone(),
                port.to_owned(),
                e.path.clone(),
            )
        }
        None => (
            "https".to_owned(),
            format!("s3.{region}.amazonaws.com"),
            String::new(),
            String::new(),
        ),
    };
    if path_style {
        Location {
            scheme,
            host,
            port,
            path_prefix: format!("{path}/{bucket}"),
        }
    } else {
        Location {
            scheme,
            host: format!("{bucket}.{host}"),
            port,
            path_prefix: path,
        }
    }
}

/// The public base URL and URL suffix, following picgo-plugin-s3: `outputURLPattern` wins
/// over `urlPrefix`/`urlSuffix`/`disableBucketPrefixToURL`; a prefix gets `/bucket` appended
/// for path style unless disabled; with neither, PicGo linked to the S3 API URL.
pub(crate) fn public_url(
    obj: &Map<String, Value>,
    location: &Location,
    bucket: &str,
    path_style_flag: bool,
    provider: &str,
    name: &str,
    notes: &mut Vec<String>,
) -> (Option<String>, String) {
    let suffix = str_field(obj, "urlSuffix").unwrap_or_default();
    if let Some(pattern) = str_field(obj, "outputURLPattern") {
        match pattern_base(&pattern, location, bucket) {
            Ok((base, pattern_suffix)) => return (Some(base), pattern_suffix),
            Err(why) => notes.push(format!(
                "outputURLPattern \"{pattern}\" cannot be carried over ({why}); links are built from \
                 the URL prefix or the bucket URL instead: check them, or set hoist profile edit {name} --public-base-url URL"
            )),
        }
    }
    if let Some(prefix) = str_field(obj, "urlPrefix") {
        let mut base = if prefix.contains("://") {
            prefix.trim_end_matches('/').to_owned()
        } else {
            notes.push(format!(
                "urlPrefix \"{prefix}\" has no scheme; https:// was added"
            ));
            format!("https://{}", prefix.trim_end_matches('/'))
        };
        if path_style_flag && bool_field(obj, "disableBucketPrefixToURL") != Some(true) {
            base = format!("{base}/{bucket}");
        }
        return (Some(base), suffix);
    }
    if provider == "r2" {
        notes.push(format!(
            "no public URL: PicGo linked to the R2 API host, which is not public; set the bucket's \
             domain with hoist profile edit {name} --public-base-url https://…"
        ));
        return (None, suffix);
    }
    (Some(location.base()), suffix)
}

/// `outputURLPattern` → (base, suffix) when it is `<fixed text>/{path}<fixed text>`, where the
/// fixed text may use `{protocol}`, `{host}`, `{port}` and `{bucket}` (known at import time).
/// Anything depending on the file (`{fileName}`, `{dir}`, regex replacements, dates) is not
/// representable as base + key and is refused with the reason.
fn pattern_base(
    pattern: &str,
    location: &Location,
    bucket: &str,
) -> Result<(String, String), String> {
    let Some(at) = pattern.find("{path}") else {
        return Err("it does not end with {path}".into());
    };
    let (prefix, suffix) = (&pattern[..at], &pattern[at + "{path}".len()..]);
    if suffix.contains('{') {
        return Err("only fixed text may follow {path}".into());
    }
    let prefix = prefix
        .replace("{protocol}", &location.scheme)
        .replace("{host}", &location.host)
        .replace("{port}", &location.port)
        .replace("{bucket}", bucket);
    if let Some(open) = prefix.find('{') {
        let var = prefix[open..]
            .split_inclusive('}')
            .next()
            .unwrap_or(&prefix[open..]);
        return Err(format!("{var} depends on each file"));
    }
    let Some(base) = prefix.strip_suffix('/') else {
        return Err("{path} must follow a '/'".into());
    };
    // `{path}` is the whole URL path: for path style it starts with the bucket.
    let base = format!("{}{}", base.trim_end_matches('/'), location.path_prefix);
    let host_ok = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .and_then(|r| r.split('/').next())
        .is_some_and(|h| !h.is_empty() && !h.ends_with(':'));
    if !host_ok {
        return Err(format!("it gives \"{base}\", not an http(s) URL"));
    }
    Ok((base, suffix.to_owned()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::fixtures::{picgo_two_configs, profile};
    use crate::flavor::Flavor;
    use crate::plan::plan;

    #[test]
    fn disable_bucket_prefix_keeps_the_prefix_as_is() {
        let mut cfg = picgo_two_configs();
        cfg["uploader"]["aws-s3"]["configList"][1]["disableBucketPrefixToURL"] = json!(true);
        let plan = plan(Flavor::PicGo, &cfg, &[], 0);
        assert_eq!(
            profile(&plan, "MinIO-local")
                .profile
                .public_base_url
                .as_deref(),
            Some("https://img.example.com")
        );
    }

    #[test]
    fn output_url_pattern_with_path_becomes_base_and_suffix() {
        let cfg = json!({"picBed": {"aws-s3": {
            "bucketName": "b", "endpoint": "https://s3.example.net", "pathStyleAccess": true,
            "outputURLPattern": "https://cdn.example.net/{path}!webp", "urlPrefix": "https://ignored"
        }}});
        let plan = plan(Flavor::PicGo, &cfg, &[], 0);
        let p = &plan.profiles[0].profile;
        // {path} of a path-style URL starts with the bucket.
        assert_eq!(
            p.public_base_url.as_deref(),
            Some("https://cdn.example.net/b")
        );
        assert_eq!(p.url_suffix, "!webp");
        assert_eq!(
            plan.profiles[0].name, "b",
            "no _configName: the bucket names it"
        );

        let cfg = json!({"picBed": {"aws-s3": {
            "bucketName": "b", "endpoint": "https://s3.example.net",
            "outputURLPattern": "{protocol}://{host}/{path}"
        }}});
        let plan = crate::plan(Flavor::PicGo, &cfg, &[], 0);
        let r = plan.profiles[0].profile.resolve("b").unwrap();
        assert_eq!(r.public_base.as_deref(), Some("https://b.s3.example.net"));
    }

    #[test]
    fn output_url_pattern_that_depends_on_the_file_is_reported() {
        let cfg = json!({"picBed": {"aws-s3": {
            "bucketName": "b", "endpoint": "https://s3.example.net",
            "urlPrefix": "https://img.example.net",
            "outputURLPattern": "https://cdn.example.net/{dir}/{fileName}"
        }}});
        let plan = plan(Flavor::PicGo, &cfg, &[], 0);
        let p = &plan.profiles[0];
        assert_eq!(
            p.profile.public_base_url.as_deref(),
            Some("https://img.example.net")
        );
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("outputURLPattern") && n.contains("{dir}")),
            "{:?}",
            p.notes
        );
    }
}
