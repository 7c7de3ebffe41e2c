//! The few strings the Rust side shows itself (tray menu, notifications), in English and
//! Simplified Chinese, and which of the two the `language` setting means. The window's strings
//! live in the UI's dictionaries.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    UploadClipboard,
    UploadClipboardTo,
    UploadFiles,
    Recent,
    NoRecent,
    SwitchProfile,
    NoProfiles,
    Open,
    OpenHistory,
    OpenSettings,
    Quit,
    Uploaded,
    UploadedMany,
    Copied,
    Failed,
    FailedSome,
    MirrorFailed,
}

/// The text of `key` in `lang` (`en` or `zh-CN`; `auto` is resolved by the caller).
pub fn tr(lang: &str, key: Key) -> &'static str {
    use Key::*;
    let zh = lang == "zh-CN";
    match (key, zh) {
        (UploadClipboard, false) => "Upload clipboard",
        (UploadClipboard, true) => "上传剪贴板",
        (UploadClipboardTo, false) => "Upload clipboard to",
        (UploadClipboardTo, true) => "上传剪贴板到",
        (UploadFiles, false) => "Upload files…",
        (UploadFiles, true) => "上传文件…",
        (Recent, false) => "Recent uploads",
        (Recent, true) => "最近上传",
        (NoRecent, false) => "Nothing uploaded yet",
        (NoRecent, true) => "还没有上传记录",
        (SwitchProfile, false) => "Switch profile",
        (SwitchProfile, true) => "切换配置",
        (NoProfiles, false) => "No profile yet",
        (NoProfiles, true) => "还没有配置",
        (Open, false) => "Open Hoist",
        (Open, true) => "打开 Hoist",
        (OpenHistory, false) => "History…",
        (OpenHistory, true) => "上传记录…",
        (OpenSettings, false) => "Settings…",
        (OpenSettings, true) => "设置…",
        (Quit, false) => "Quit",
        (Quit, true) => "退出",
        (Uploaded, false) => "Uploaded",
        (Uploaded, true) => "上传成功",
        (UploadedMany, false) => "Uploaded {n} images",
        (UploadedMany, true) => "已上传 {n} 张图片",
        (Copied, false) => "The link is in the clipboard.",
        (Copied, true) => "链接已复制到剪贴板。",
        (Failed, false) => "Upload failed",
        (Failed, true) => "上传失败",
        (FailedSome, false) => "{n} uploads failed",
        (FailedSome, true) => "{n} 个文件上传失败",
        (MirrorFailed, false) => "Copy to a mirror failed (retry it in History)",
        (MirrorFailed, true) => "复制到镜像失败（可在上传记录中重试）",
    }
}

/// The effective language: `auto` follows `LANG`/`LC_ALL` (zh* → zh-CN).
pub fn language(setting: &str) -> &'static str {
    match setting {
        "zh-CN" => "zh-CN",
        "en" => "en",
        _ => {
            let env = ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
                .unwrap_or_default();
            if env.starts_with("zh") { "zh-CN" } else { "en" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_differs_from_english_for_every_key() {
        use Key::*;
        for k in [
            UploadClipboard,
            UploadClipboardTo,
            UploadFiles,
            Recent,
            NoRecent,
            SwitchProfile,
            NoProfiles,
            Open,
            OpenHistory,
            OpenSettings,
            Quit,
            Uploaded,
            UploadedMany,
            Copied,
            Failed,
            FailedSome,
            MirrorFailed,
        ] {
            assert_ne!(tr("en", k), tr("zh-CN", k), "{k:?}");
        }
    }
}
