//! The few strings the Rust side shows itself (tray menu, notifications), in English and
//! Simplified Chinese, and which of the two the `language` setting means. The window's strings
//! live in the UI's dictionaries.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    UploadClipboard,
    UploadClipboardTo,
    UploadFiles,
    CaptureRegion,
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
    PauseClipboardWatch,
    WatchConfirmTitle,
    WatchConfirmBody,
    WatchUpload,
    WatchSkip,
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
        (CaptureRegion, false) => "Capture region…",
        (CaptureRegion, true) => "截取区域…",
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
        (PauseClipboardWatch, false) => "Pause clipboard watch",
        (PauseClipboardWatch, true) => "暂停剪贴板监听",
        (WatchConfirmTitle, false) => "Upload the copied image?",
        (WatchConfirmTitle, true) => "上传刚复制的图片？",
        (WatchConfirmBody, false) => {
            "Clipboard watch: upload it with profile \"{profile}\" and put its link in the clipboard?"
        }
        (WatchConfirmBody, true) => "剪贴板监听：用配置“{profile}”上传，并把链接放进剪贴板？",
        (WatchUpload, false) => "Upload",
        (WatchUpload, true) => "上传",
        (WatchSkip, false) => "Skip",
        (WatchSkip, true) => "跳过",
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
            PauseClipboardWatch,
            WatchConfirmTitle,
            WatchConfirmBody,
            WatchUpload,
            WatchSkip,
        ] {
            assert_ne!(tr("en", k), tr("zh-CN", k), "{k:?}");
        }
    }
}
