//! One run of the managed Chromium: launched on the private profile, one tab with the bridge
//! injected before WhatsApp Web loads, and the stream of reports from that tab.

use std::path::Path;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::emulation::{
    SetUserAgentOverrideParams, UserAgentBrandVersion, UserAgentMetadata,
};
use chromiumoxide::cdp::browser_protocol::inspector::EventTargetCrashed;
use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use chromiumoxide::cdp::browser_protocol::target::{CloseTargetParams, GetTargetsParams};
use chromiumoxide::cdp::js_protocol::runtime::{AddBindingParams, EventBindingCalled};
use chromiumoxide::listeners::EventStream;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use tokio::task::JoinHandle;

use crate::config::{
    browser_args, desktop_user_agent, find_chromium, find_headless_browser, is_headless_shell,
    sandbox_possible, ChromiumNotFound, LinkConfig,
};
use crate::page::{BINDING, INJECTED_SCRIPT};

/// How long Chromium may take to start and open its DevTools socket.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the first navigation may take before it counts as failed.
const NAVIGATION_TIMEOUT: Duration = Duration::from_secs(60);

/// A running Chromium with the WhatsApp tab.
pub(crate) struct Session {
    browser: Browser,
    handler: JoinHandle<()>,
    pub page: Page,
    pub events: EventStream<EventBindingCalled>,
    /// Fires if the tab's renderer dies while the browser lives on.
    pub crashes: EventStream<EventTargetCrashed>,
    pub pid: Option<u32>,
}

/// Why Chromium could not be brought up; `retry` is false when trying again cannot help.
#[derive(Debug)]
pub(crate) struct LaunchError {
    pub message: String,
    pub retry: bool,
}

impl LaunchError {
    fn retry(message: String) -> LaunchError {
        LaunchError {
            message,
            retry: true,
        }
    }
}

impl Session {
    /// Starts Chromium on `profile_dir` and opens WhatsApp Web with the bridge in place.
    pub async fn launch(config: &LinkConfig, profile_dir: &Path) -> Result<Session, LaunchError> {
        let executable = match &config.chromium {
            Some(path) => path.clone(),
            None if config.headless => find_headless_browser().map_err(not_found)?,
            None => find_chromium().map_err(not_found)?,
        };
        clear_singleton_locks(profile_dir);
        // The desktop agent from the first request on, whatever the binary calls itself (the
        // headless shell says "HeadlessChrome"); the tab's override below adds its client hints.
        let (agent, _) = desktop_user_agent(&installed_version(&executable).await);
        let mut builder = BrowserConfig::builder()
            .chrome_executable(&executable)
            .user_data_dir(profile_dir)
            // Our own complete command line: chromiumoxide's defaults include `enable-automation`,
            // which tells the page it is automated.
            .disable_default_args()
            .args(browser_args(sandbox_possible()))
            .arg(format!("user-agent={agent}"))
            .launch_timeout(LAUNCH_TIMEOUT)
            .request_timeout(Duration::from_secs(120))
            // The window's own size, not an 800x600 emulation.
            .viewport(None);
        builder = if !config.headless {
            builder.with_head()
        } else if is_headless_shell(&executable) {
            // The builder's default, plain `--headless`: the shell's only mode.
            builder
        } else {
            builder.new_headless_mode()
        };
        let browser_config = builder.build().map_err(|message| LaunchError {
            message,
            retry: false,
        })?;
        let (mut browser, mut handler) =
            Browser::launch(browser_config).await.map_err(|error| {
                LaunchError::retry(format!(
                    "Chromium ({}) did not start: {error}",
                    executable.display()
                ))
            })?;
        let pid = browser
            .get_mut_child()
            .and_then(|child| child.as_mut_inner().id());
        // The handler drives every CDP exchange; when it ends, the browser is gone.
        let handler = tokio::spawn(async move {
            while let Some(event) = handler.next().await {
                if let Err(error) = event {
                    tracing::debug!(%error, "the DevTools connection failed");
                    break;
                }
            }
        });
        match open_tab(&browser, &config.url).await {
            Ok((page, events, crashes)) => Ok(Session {
                browser,
                handler,
                page,
                events,
                crashes,
                pid,
            }),
            Err(error) => {
                let _ = browser.kill().await;
                handler.abort();
                Err(error)
            }
        }
    }

    /// Whether Chromium has exited (crashed, killed, or closed from outside).
    pub fn has_exited(&mut self) -> bool {
        if self.handler.is_finished() {
            return true;
        }
        matches!(self.browser.try_wait(), Ok(Some(_)) | Err(_))
    }

    /// Closes Chromium cleanly so its files are consistent, killing it if it does not comply.
    pub async fn close(mut self) {
        let closed = tokio::time::timeout(Duration::from_secs(10), async {
            let _ = self.browser.close().await;
            self.browser.wait().await
        })
        .await;
        if !matches!(closed, Ok(Ok(_))) {
            tracing::warn!("Chromium did not close in time; killing it");
            let _ = self.browser.kill().await;
            let _ = self.browser.wait().await;
        }
        self.handler.abort();
    }

    /// Kills Chromium at once (it is already dead or unusable).
    pub async fn kill(mut self) {
        let _ = self.browser.kill().await;
        let _ = self.browser.wait().await;
        self.handler.abort();
    }
}

/// No browser to drive: trying again cannot help until one is installed.
fn not_found(error: ChromiumNotFound) -> LaunchError {
    LaunchError {
        message: error.to_string(),
        retry: false,
    }
}

/// What `<browser> --version` prints (`Chromium 156.0.8078.108 …`), or nothing if it cannot say.
/// Not asked on Windows, where `chrome.exe --version` opens a browser instead of printing: the
/// flag then names a recent version, and the tab's own override names the real one.
async fn installed_version(executable: &Path) -> String {
    if cfg!(windows) {
        return String::new();
    }
    let mut command = std::process::Command::new(executable);
    command.arg("--version");
    let asked = tokio::task::spawn_blocking(move || command.output());
    match tokio::time::timeout(Duration::from_secs(10), asked).await {
        Ok(Ok(Ok(output))) => String::from_utf8_lossy(&output.stdout).into_owned(),
        _ => String::new(),
    }
}

type Tab = (
    Page,
    EventStream<EventBindingCalled>,
    EventStream<EventTargetCrashed>,
);

/// Opens the WhatsApp tab: binding, report stream, desktop user agent and the injected script are
/// all in place before the first byte of the site loads, so no event is missed.
async fn open_tab(browser: &Browser, url: &str) -> Result<Tab, LaunchError> {
    let step = |what: &'static str| {
        move |error: chromiumoxide::error::CdpError| {
            LaunchError::retry(format!("could not {what}: {error}"))
        }
    };
    let page = browser
        .new_page("about:blank")
        .await
        .map_err(step("open a tab"))?;
    // Chromium opens a blank tab of its own at start; it would only cost memory.
    if let Ok(targets) = browser.execute(GetTargetsParams::default()).await {
        for target in targets.result.target_infos.clone() {
            if target.r#type == "page" && target.target_id != *page.target_id() {
                let _ = browser
                    .execute(CloseTargetParams::new(target.target_id))
                    .await;
            }
        }
    }
    page.execute(AddBindingParams::new(BINDING))
        .await
        .map_err(step("set up the page bridge"))?;
    let events = page
        .event_listener::<EventBindingCalled>()
        .await
        .map_err(step("listen to the page"))?;
    let crashes = page
        .event_listener::<EventTargetCrashed>()
        .await
        .map_err(step("watch the tab"))?;
    let version = browser
        .version()
        .await
        .map_err(step("read the browser version"))?;
    let (agent, major) = desktop_user_agent(&version.product);
    page.execute(user_agent_override(agent, major))
        .await
        .map_err(step("set the user agent"))?;
    page.execute(AddScriptToEvaluateOnNewDocumentParams::new(INJECTED_SCRIPT))
        .await
        .map_err(step("inject the bridge"))?;
    match tokio::time::timeout(NAVIGATION_TIMEOUT, page.goto(url)).await {
        Ok(Ok(_)) => Ok((page, events, crashes)),
        Ok(Err(error)) => Err(LaunchError::retry(format!("could not open {url}: {error}"))),
        Err(_) => Err(LaunchError::retry(format!(
            "{url} did not load within {} s",
            NAVIGATION_TIMEOUT.as_secs()
        ))),
    }
}

/// The user agent, its client hints and `navigator.platform` of an ordinary desktop browser.
fn user_agent_override(agent: String, major: String) -> SetUserAgentOverrideParams {
    let (platform, navigator_platform) = if cfg!(target_os = "macos") {
        ("macOS", "MacIntel")
    } else if cfg!(windows) {
        ("Windows", "Win32")
    } else {
        ("Linux", "Linux x86_64")
    };
    let brand = |name: &str, version: &str| UserAgentBrandVersion::new(name, version);
    let metadata = UserAgentMetadata {
        brands: Some(vec![
            brand("Chromium", &major),
            brand("Google Chrome", &major),
            brand("Not-A.Brand", "99"),
        ]),
        full_version_list: None,
        platform: platform.to_owned(),
        platform_version: String::new(),
        architecture: "x86".to_owned(),
        model: String::new(),
        mobile: false,
        bitness: Some("64".to_owned()),
        wow64: Some(false),
        form_factors: None,
    };
    SetUserAgentOverrideParams {
        user_agent: agent,
        accept_language: Some("en-US,en".to_owned()),
        platform: Some(navigator_platform.to_owned()),
        user_agent_metadata: Some(metadata),
    }
}

/// Stops every browser still running on `profile_dir`: one an app killed outright (SIGKILL, a
/// power cut of the app alone) left behind keeps the WhatsApp session open, so a second browser on
/// the same session would be told it is open in another window, and the session must not be sealed
/// while another process writes it. Browsers are found by their `--user-data-dir` argument, so
/// nothing else is touched; the programs hold their data directory exclusively (`whatsflow-http`'s
/// `Backend`), so a browser on its profile is never another live run's. Returns how many were
/// stopped. Linux only (it reads `/proc`).
pub(crate) fn stop_leftover_browsers(profile_dir: &Path) -> usize {
    #[cfg(target_os = "linux")]
    {
        // A browser still starting may spawn helpers after a scan: scan again until none is left.
        let mut stopped = 0;
        for _ in 0..3 {
            let found = leftover::on_profile(profile_dir);
            if found.is_empty() {
                break;
            }
            stopped += found.len();
            leftover::stop(&found);
        }
        stopped
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = profile_dir;
        0
    }
}

#[cfg(target_os = "linux")]
mod leftover {
    use std::path::Path;
    use std::time::{Duration, Instant};

    use rustix::process::{kill_process, Pid, Signal};

    /// Processes (other than this one) whose command line names `profile_dir` as their profile.
    pub(super) fn on_profile(profile_dir: &Path) -> Vec<i32> {
        let wanted = format!("--user-data-dir={}", profile_dir.display());
        let own = std::process::id() as i32;
        std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| *pid != own)
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|cmdline| names_argument(&cmdline, wanted.as_bytes()))
            })
            .collect()
    }

    /// Whether a `/proc/<pid>/cmdline` holds `arg` as a whole argument. Arguments are separated by
    /// NULs, but Chromium may rewrite its process title into one line separated by spaces.
    pub(super) fn names_argument(cmdline: &[u8], arg: &[u8]) -> bool {
        let is_start = |at: usize| at == 0 || matches!(cmdline[at - 1], 0 | b' ');
        let is_end = |at: usize| cmdline.get(at).is_none_or(|b| matches!(b, 0 | b' '));
        cmdline
            .windows(arg.len())
            .enumerate()
            .any(|(at, window)| window == arg && is_start(at) && is_end(at + arg.len()))
    }

    /// Asks the processes to end, then kills those still there after 5 s; waits until they are gone.
    pub(super) fn stop(pids: &[i32]) {
        let signal = |signal| {
            for pid in pids.iter().filter_map(|pid| Pid::from_raw(*pid)) {
                let _ = kill_process(pid, signal);
            }
        };
        signal(Signal::TERM);
        if !gone_within(pids, Duration::from_secs(5)) {
            signal(Signal::KILL);
            gone_within(pids, Duration::from_secs(2));
        }
    }

    fn gone_within(pids: &[i32], limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while pids.iter().any(|pid| alive(*pid)) {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    }

    /// Gone once it no longer exists or is a zombie with no thread left: by then it has closed its
    /// files. (A process whose main thread ended shows as a zombie while its other threads run.)
    fn alive(pid: i32) -> bool {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return false;
        };
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim().chars().next());
        let threads = || std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, |t| t.count());
        !matches!(state, Some('Z' | 'X')) || threads() > 1
    }
}

/// A browser killed with its profile open leaves `Singleton*` locks that can make the next launch
/// hand over to a process that no longer exists; nothing else uses this private profile.
fn clear_singleton_locks(profile_dir: &Path) {
    for name in ["SingletonLock", "SingletonSocket", "SingletonCookie"] {
        let path = profile_dir.join(name);
        if path.symlink_metadata().is_ok() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command, Stdio};

    fn chromium_on(profile: &Path) -> Child {
        Command::new(find_chromium().unwrap())
            .args(["--headless=new", "--no-sandbox", "--disable-gpu"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_profile_argument_is_found_in_both_command_line_forms() {
        let arg = b"--user-data-dir=/data/whatsapp-profile";
        for (cmdline, expected) in [
            (&b"chromium\0--headless\0--user-data-dir=/data/whatsapp-profile\0about:blank\0"[..], true),
            (b"/usr/lib/chromium/chromium --headless --user-data-dir=/data/whatsapp-profile about:blank\0", true),
            (b"chromium\0--user-data-dir=/data/whatsapp-profile", true),
            (b"chromium\0--user-data-dir=/data/whatsapp-profile-2\0", false),
            (b"chromium --user-data-dir=/data/whatsapp-profile2 x", false),
            (b"chromium\0x--user-data-dir=/data/whatsapp-profile\0", false),
        ] {
            assert_eq!(
                leftover::names_argument(cmdline, arg),
                expected,
                "{}",
                String::from_utf8_lossy(cmdline)
            );
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_browser_left_on_the_profile_is_stopped_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("whatsapp-profile");
        // Another profile whose path starts with ours: not ours.
        let other = dir.path().join("whatsapp-profile-2");
        let mut left = chromium_on(&ours);
        let mut unrelated = chromium_on(&other);
        std::thread::sleep(std::time::Duration::from_millis(500));

        assert!(stop_leftover_browsers(&ours) >= 1);
        // Stopped: its exit can be collected (the kernel may take a moment to report it).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while left.try_wait().unwrap().is_none() {
            assert!(
                std::time::Instant::now() < deadline,
                "the left browser is gone"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            unrelated.try_wait().unwrap().is_none(),
            "a browser on another profile keeps running"
        );
        assert_eq!(
            stop_leftover_browsers(&ours),
            0,
            "nothing left the second time"
        );
        unrelated.kill().unwrap();
        unrelated.wait().unwrap();
    }
}
