//! PicGo's paste style as a Hoist link format: every style is carried over as the exact text
//! PicGo rendered (the `PICGO_*` patterns), `customLink` checked and noted when unused.

use hoist_core::link::{self, LinkFormat};
use serde_json::Value;

use crate::json::{at, str_at};

/// What PicGo's and PicList's `markdown` paste style renders: no alt text.
pub const PICGO_MARKDOWN: &str = "![]($url)";
/// PicGo's `HTML` paste style: no alt attribute.
pub const PICGO_HTML: &str = "<img src=\"$url\"/>";
/// PicGo's `UBB` paste style, upper-case tags.
pub const PICGO_UBB: &str = "[IMG]$url[/IMG]";
/// PicGo's custom link when `customLink` is empty.
const PICGO_DEFAULT_CUSTOM: &str = "![$fileName]($url)";

/// The link settings shared by every imported profile.
#[derive(Debug, Clone)]
pub(crate) struct LinkSettings {
    pub(crate) format: LinkFormat,
    pub(crate) custom: String,
    pub(crate) note: Option<String>,
}

/// `settings.pasteStyle` + `settings.customLink` → format and pattern. Every PicGo style is
/// imported as the exact text PicGo rendered, so notes and scripts keep getting the same
/// links: `markdown` is `![]($url)` (empty alt text, unlike Hoist's built-in Markdown),
/// `HTML` is `<img src="$url"/>`, `UBB` is `[IMG]$url[/IMG]`.
pub(crate) fn link_settings(config: &Value, notes: &mut Vec<String>) -> LinkSettings {
    let style = str_at(config, &["settings", "pasteStyle"]).unwrap_or_else(|| "markdown".into());
    let custom_link = str_at(config, &["settings", "customLink"]);
    if at(config, &["settings", "encodeOutputURL"]) == Some(&Value::Bool(false)) {
        notes.push(
            "encodeOutputURL=false is not kept: Hoist always percent-encodes keys in links, so \
             links with spaces or non-ASCII names work everywhere"
                .into(),
        );
    }
    let exact = |pattern: &str| (LinkFormat::Custom, pattern.to_owned());
    let (format, custom) = match style.to_ascii_lowercase().as_str() {
        "markdown" => exact(PICGO_MARKDOWN),
        "html" => exact(PICGO_HTML),
        "ubb" => exact(PICGO_UBB),
        "url" => (
            LinkFormat::Url,
            custom_link
                .clone()
                .unwrap_or_else(|| PICGO_DEFAULT_CUSTOM.into()),
        ),
        "custom" => exact(custom_link.as_deref().unwrap_or(PICGO_DEFAULT_CUSTOM)),
        other => {
            notes.push(format!(
                "unknown pasteStyle \"{other}\": links use PicGo's markdown ({PICGO_MARKDOWN})"
            ));
            exact(PICGO_MARKDOWN)
        }
    };
    let mut note = None;
    if let Some(c) = &custom_link
        && !matches!(style.to_ascii_lowercase().as_str(), "custom" | "url")
    {
        note = Some(format!(
            "customLink \"{c}\" is not used: the paste style is {style}; to use it: hoist profile edit NAME --link-format custom --custom-link '{c}'"
        ));
    }
    if format == LinkFormat::Custom
        && let Err(why) = link::validate_custom(&custom)
    {
        note = Some(format!(
            "customLink \"{custom}\" needs fixing before uploads work: {why}"
        ));
    }
    LinkSettings {
        format,
        custom,
        note,
    }
}

#[cfg(test)]
mod tests {
    use hoist_core::link::LinkFormat;
    use serde_json::json;

    use crate::fixtures::picgo_two_configs;
    use crate::flavor::Flavor;
    use crate::plan::plan;

    #[test]
    fn paste_styles() {
        let with = |style: &str, custom: &str| {
            let mut cfg = picgo_two_configs();
            cfg["settings"] = json!({"pasteStyle": style, "customLink": custom});
            let plan = plan(Flavor::PicGo, &cfg, &[], 0);
            let p = &plan.profiles[0].profile;
            (p.link_format, p.custom_link.clone(), plan.notes)
        };
        assert_eq!(with("markdown", "").0, LinkFormat::Custom);
        assert_eq!(with("markdown", "").1, "![]($url)");
        assert_eq!(with("HTML", "").1, "<img src=\"$url\"/>");
        assert_eq!(with("UBB", "").1, "[IMG]$url[/IMG]");
        assert_eq!(with("URL", "").0, LinkFormat::Url);
        let (f, c, _) = with("Custom", "[$fileName$extName]($url)");
        assert_eq!(
            (f, c.as_str()),
            (LinkFormat::Custom, "[$fileName$extName]($url)")
        );
        // Custom with an empty pattern: PicGo's default custom link.
        assert_eq!(with("Custom", "").1, "![$fileName]($url)");
        let (_, _, notes) = with("markdown", "<$url>");
        assert!(notes.iter().any(|n| n.contains("customLink")), "{notes:?}");
        let (_, _, notes) = with("Custom", "no url here");
        assert!(notes.iter().any(|n| n.contains("$url")), "{notes:?}");
    }
}
