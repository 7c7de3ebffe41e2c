//! A second launch on Linux hands its arguments to the running Hoist before GTK or the event
//! loop start, then exits.
//!
//! tauri-plugin-single-instance does the same from its setup hook, that is after tao has opened
//! the display and started its threads; its `std::process::exit` then runs libX11's and
//! libstdc++'s exit handlers while tao's device thread may be in `XOpenDisplay`, which crashed the
//! second launch about once in 150 under load (SIGSEGV in `_XConnectXCB`, core dump read with
//! gdb). Here no such thread exists yet, and the hand-over skips building a window it would throw
//! away. The plugin stays registered: it owns the name in the first instance, and it still
//! catches two launches that race past this check.

use std::path::Path;

/// The D-Bus name and object path the plugin serves in the running instance (its
/// `platform_impl/linux.rs`, without the `semver` feature, which Hoist does not use).
fn bus_address(identifier: &str) -> (String, String) {
    let name = format!("{identifier}.SingleInstance");
    let path = format!("/{}", name.replace('.', "/").replace('-', "_"));
    (name, path)
}

/// Gives `argv` and `cwd` to the running instance's callback. `true` when it took them (this
/// process should exit), `false` when none runs or it cannot be reached (start normally).
pub fn forward_to_running(identifier: &str, argv: Vec<String>, cwd: &Path) -> bool {
    let (name, path) = bus_address(identifier);
    let Ok(bus) = zbus::blocking::Connection::session() else {
        return false;
    };
    let cwd = cwd.to_string_lossy().into_owned();
    match bus.call_method(
        Some(name.as_str()),
        path.as_str(),
        Some("org.SingleInstance.DBus"),
        "ExecuteCallback",
        &(argv, cwd),
    ) {
        Ok(_) => true,
        Err(e) => {
            // ServiceUnknown / NameHasNoOwner: the usual first launch, nothing to say.
            if !matches!(&e, zbus::Error::MethodError(n, ..)
                if n.as_str().ends_with(".ServiceUnknown") || n.as_str().ends_with(".NameHasNoOwner"))
            {
                tracing::warn!("cannot reach the running Hoist, starting another: {e}");
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_the_plugins() {
        assert_eq!(
            bus_address("app.hoist-desktop"),
            (
                "app.hoist-desktop.SingleInstance".to_string(),
                "/app/hoist_desktop/SingleInstance".to_string()
            )
        );
    }
}
