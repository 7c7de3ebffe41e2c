//! Every event the shell sends, by name, in one place. The window listens through
//! `ui/src/lib/events.ts`, which mirrors this list (a test below keeps the two equal); the tray
//! listens in Rust.

/// A file of a batch changed state (payload: `jobs::JobState`).
pub const JOB: &str = "upload://state";
/// Every file of a batch finished (payload: `jobs::BatchDone`).
pub const BATCH: &str = "upload://batch";
/// Profiles or settings changed (payload: `state::UiState`).
pub const STATE: &str = "app://state";
/// Show a view of the window: `upload`, `history` or `settings` (the tray's menu items).
pub const NAVIGATE: &str = "app://navigate";
/// Something started outside the window failed (payload: `{code, message}`).
pub const ERROR: &str = "app://error";
/// History rows were removed (no payload); the tray's recent uploads follow.
pub const HISTORY: &str = "history://changed";
/// A Markdown migration finished a file, ended or failed (payload: `markdown::Progress`).
pub const MD_PROGRESS: &str = "markdown://progress";
/// Markdown files were dropped on the window: the Markdown view plans them (payload: paths).
pub const MD_OFFER: &str = "markdown://offer";
/// Sync started, ended or changed its settings (payload: `syncing::SyncStatus`).
pub const SYNC: &str = "sync://state";

#[cfg(test)]
mod tests {
    use super::*;

    /// The names as the TypeScript mirror spells its constants.
    const ALL: [(&str, &str); 9] = [
        ("EVENT_JOB", JOB),
        ("EVENT_BATCH", BATCH),
        ("EVENT_STATE", STATE),
        ("EVENT_NAVIGATE", NAVIGATE),
        ("EVENT_ERROR", ERROR),
        ("EVENT_HISTORY", HISTORY),
        ("EVENT_MD_PROGRESS", MD_PROGRESS),
        ("EVENT_MD_OFFER", MD_OFFER),
        ("EVENT_SYNC", SYNC),
    ];

    /// `export const EVENT_X = 'name';` lines of the UI's mirror, in order.
    fn mirror() -> Vec<(String, String)> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/lib/events.ts");
        let text = std::fs::read_to_string(path).unwrap();
        text.lines()
            .filter_map(|l| l.strip_prefix("export const "))
            .map(|l| {
                let (name, value) = l.split_once(" = ").expect("NAME = 'value';");
                let value = value.trim_end_matches(';').trim_matches('\'');
                (name.to_owned(), value.to_owned())
            })
            .collect()
    }

    #[test]
    fn the_ui_mirrors_every_event_name_and_no_other() {
        let rust: Vec<(String, String)> = ALL
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(
            mirror(),
            rust,
            "ui/src/lib/events.ts must list src-tauri/src/events.rs's names, in order"
        );
    }
}
