//! The engine's [`DesktopHost`]: what only the desktop shell can do for it — the OS's login item
//! (start at login, hidden in the tray) and restarting the app.

use tauri::AppHandle;
use tauri_plugin_autostart::ManagerExt;
use whatsflow_engine::desktop::DesktopHost;

/// The flag the login item starts WhatsFlow with: no window, only the tray.
pub const HIDDEN: &str = "--hidden";

pub struct Shell {
    pub app: AppHandle,
}

impl DesktopHost for Shell {
    fn set_start_at_login(&self, enabled: bool) -> Result<(), String> {
        let login = self.app.autolaunch();
        // Removing a login item that is not there is an error to the OS: only change what differs.
        if login.is_enabled().map_err(|e| e.to_string())? == enabled {
            return Ok(());
        }
        if enabled {
            login.enable()
        } else {
            login.disable()
        }
        .map_err(|e| e.to_string())
    }

    fn restart(&self) {
        // Through the event loop, as Quit: the exit handler stops the backend (sealing the WhatsApp
        // session) before the new process starts; it waits for the data directory's lock.
        self.app.request_restart();
    }
}
