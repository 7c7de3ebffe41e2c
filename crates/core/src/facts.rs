//! The facts the web UI takes from Rust instead of restating them: provider presets, a new
//! profile's defaults, the key template's variables, the link formats and the profile-name
//! limit. A test writes them to `ui/src/lib/facts.json` (committed; the UI and its mock import
//! it) and fails when the committed file is stale.

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::config::{MAX_PROFILE_NAME_BYTES, Profile};
    use crate::link::LinkFormat;
    use crate::{presets, template};

    const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/facts.json");

    fn facts() -> String {
        let value = json!({
            "note": "Written by hoist-core's facts test (HOIST_WRITE_FACTS=1 cargo test facts); do not edit.",
            "presets": presets::views(),
            "profileDefaults": Profile::default(),
            "templateVariables": template::variable_names().collect::<Vec<_>>(),
            "linkFormats": LinkFormat::all().iter().map(|f| f.name()).collect::<Vec<_>>(),
            "profileNameMaxBytes": MAX_PROFILE_NAME_BYTES,
        });
        serde_json::to_string_pretty(&value).unwrap() + "\n"
    }

    #[test]
    fn the_ui_facts_file_is_current() {
        let want = facts();
        if std::env::var_os("HOIST_WRITE_FACTS").is_some() {
            std::fs::write(FILE, &want).unwrap();
        }
        let have = std::fs::read_to_string(FILE).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/lib/facts.json is stale: run `HOIST_WRITE_FACTS=1 cargo test facts` and commit it"
        );
    }
}
