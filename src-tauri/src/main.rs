//! The `hoist-desktop` binary: everything lives in the library so tests can reach it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before other threads allocate: freed image buffers go back to the system.
    hoist_malloc::tune_for_images();
    // GTK on X11 opens OpenGL to choose a screen's visuals, which loads the GL driver; a
    // tray-resident app does so for GTK's fallback tray icon when no StatusNotifier host runs
    // (Mesa's software driver pulls in LLVM: 102 → 71 MiB PSS measured without it). Nothing
    // here draws with GTK's GL: the web view renders without compositing (see `window`). A
    // value the user set is kept. What the app starts inherits it (WebKit's processes, which
    // draw without GDK's GL; `xdg-open`'s browser; GTK 4 reads other variables).
    // Not under WebDriver automation, whose snapshots need the web view's compositing and so
    // GDK's GL (tests/tests/desktop.rs checks this path with a plain launch).
    #[cfg(target_os = "linux")]
    if std::env::var_os("GDK_GL").is_none()
        && std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() != Ok("true")
    {
        // SAFETY: no other thread exists yet (the first line of `main`, and `tune_for_images`
        // starts none), so nothing can read the environment while it changes.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("GDK_GL", "disable")
        };
    }
    hoist_desktop::run();
}
