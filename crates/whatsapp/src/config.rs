//! How the link is set up: the WhatsApp Web address, which browser to drive and how, and where the
//! profile lives; plus finding a Chromium-family browser and the command line that keeps it quiet.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The real site. The driver has no other notion of where WhatsApp Web is.
pub const WHATSAPP_WEB_URL: &str = "https://web.whatsapp.com/";

/// Environment variable naming the browser to drive (see `API.md`).
pub const CHROMIUM_ENV: &str = "WHATSFLOW_CHROMIUM";

/// Everything [`crate::WhatsAppLink::start`] needs besides the engine.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// Where WhatsApp Web is served; `https://web.whatsapp.com/` unless a test or the demo says otherwise.
    pub url: String,
    /// The browser to drive; `None` finds one at launch: [`find_headless_browser`] when headless,
    /// else [`find_chromium`].
    pub chromium: Option<PathBuf>,
    /// No window at all (the default). `false` shows the browser window, for troubleshooting.
    pub headless: bool,
    /// The app's data directory: the vault file lives here and the private profile below it.
    pub data_dir: PathBuf,
    /// Launch Chromium as soon as the link starts (a saved session then reconnects by itself).
    pub connect_at_start: bool,
    /// How often a live session is sealed into the vault, so a crash loses little.
    pub checkpoint_every: Duration,
    /// How long after a newly linked session is ready its first seal waits: WhatsApp Web is
    /// still writing its stores then. A clean exit before that seals at once.
    pub first_save_after: Duration,
}

impl LinkConfig {
    /// The defaults for a data directory: the real site, a browser found on this machine, headless.
    pub fn new(data_dir: impl Into<PathBuf>) -> LinkConfig {
        LinkConfig {
            url: WHATSAPP_WEB_URL.to_owned(),
            chromium: None,
            headless: true,
            data_dir: data_dir.into(),
            connect_at_start: true,
            checkpoint_every: Duration::from_secs(5 * 60),
            first_save_after: Duration::from_secs(60),
        }
    }

    /// The private Chromium profile: plaintext session data lives only here, only while the app runs.
    pub fn profile_dir(&self) -> PathBuf {
        self.data_dir.join("whatsapp-profile")
    }
}

/// Why no browser could be found to drive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChromiumNotFound {
    /// `WHATSFLOW_CHROMIUM` names something that is not a file.
    #[error("{CHROMIUM_ENV} points to {}, which is not a file", .0.display())]
    NotAFile(PathBuf),
    /// Nothing on `PATH` nor in the usual install paths.
    #[error("no Chromium, Chrome or Edge found; install Chromium or set {CHROMIUM_ENV} to the browser's path")]
    Nowhere,
}

/// Finds the browser to drive: `WHATSFLOW_CHROMIUM` if set, else the first of `chromium`,
/// `chromium-browser`, `google-chrome`, `microsoft-edge` on `PATH`, else the usual install paths.
pub fn find_chromium() -> Result<PathBuf, ChromiumNotFound> {
    chromium_named_or_found(std::env::var_os(CHROMIUM_ENV), &[])
}

/// The headless shell where it is installed: Debian's `chromium-headless-shell` (the binary itself,
/// not `/usr/bin`'s wrapper script, which runs it as a child that a kill of the wrapper would miss)
/// or Chrome for Testing's `chrome-headless-shell` on `PATH`.
const HEADLESS_SHELLS: &[&str] = &[
    "/usr/lib/chromium/chromium-headless-shell",
    "chrome-headless-shell",
];

/// Finds the browser for a link without a window: `WHATSFLOW_CHROMIUM` if set, else the headless
/// shell if installed — a real Chromium with no browser UI, which costs far less memory than
/// `chromium --headless=new` on the same page (docs/benchmarks.md) — else [`find_chromium`]'s.
pub fn find_headless_browser() -> Result<PathBuf, ChromiumNotFound> {
    chromium_named_or_found(std::env::var_os(CHROMIUM_ENV), HEADLESS_SHELLS)
}

/// Whether `executable` is a headless shell, which takes the old `--headless` switch (it has no
/// other mode) rather than `--headless=new`.
pub fn is_headless_shell(executable: &Path) -> bool {
    executable
        .file_stem()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.ends_with("headless-shell"))
}

/// The browser lookup with the variable's value given (tests pass one instead of changing the
/// process's environment, which other tests running at the same time read); `preferred` are tried
/// before the usual browsers, as absolute paths or names on `PATH`.
fn chromium_named_or_found(
    named: Option<std::ffi::OsString>,
    preferred: &[&str],
) -> Result<PathBuf, ChromiumNotFound> {
    if let Some(value) = named.filter(|v| !v.is_empty()) {
        let path = PathBuf::from(value);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(ChromiumNotFound::NotAFile(path))
        };
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "microsoft-edge",
    ];
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .map(|dir| dir.join(executable_name(name)))
            .find(|candidate| candidate.is_file())
    };
    let find = |name: &str| {
        let path = Path::new(name);
        if path.is_absolute() {
            path.is_file().then(|| path.to_path_buf())
        } else {
            on_path(name)
        }
    };
    if let Some(path) = preferred
        .iter()
        .chain(names.iter())
        .find_map(|name| find(name))
    {
        return Ok(path);
    }
    install_paths()
        .into_iter()
        .find(|p| p.is_file())
        .ok_or(ChromiumNotFound::Nowhere)
}

fn executable_name(name: &str) -> String {
    if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_owned()
    }
}

fn install_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = Vec::new();
    if cfg!(target_os = "macos") {
        for app in [
            "Chromium.app/Contents/MacOS/Chromium",
            "Google Chrome.app/Contents/MacOS/Google Chrome",
            "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
        ] {
            paths.push(Path::new("/Applications").join(app));
            if let Some(home) = std::env::var_os("HOME") {
                paths.push(Path::new(&home).join("Applications").join(app));
            }
        }
    } else if cfg!(windows) {
        for var in ["ProgramFiles", "ProgramFiles(x86)", "LOCALAPPDATA"] {
            if let Some(base) = std::env::var_os(var) {
                let base = PathBuf::from(base);
                paths.push(base.join(r"Google\Chrome\Application\chrome.exe"));
                paths.push(base.join(r"Microsoft\Edge\Application\msedge.exe"));
                paths.push(base.join(r"Chromium\Application\chrome.exe"));
            }
        }
    } else {
        for path in [
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/snap/bin/chromium",
            "/usr/bin/google-chrome",
            "/opt/google/chrome/chrome",
            "/usr/bin/microsoft-edge",
            "/opt/microsoft/msedge/msedge",
        ] {
            paths.push(PathBuf::from(path));
        }
    }
    paths
}

/// Features switched off because a single WhatsApp tab never uses them; each one is a service,
/// a process or a background download we would pay for in memory or traffic.
const DISABLED_FEATURES: &[&str] = &[
    "Translate",
    "TranslateUI",
    "OptimizationHints",
    "OptimizationGuideModelDownloading",
    "MediaRouter",
    "DialMediaRouteProvider",
    "AutofillServerCommunication",
    "CertificateTransparencyComponentUpdater",
    "InterestFeedContentSuggestions",
    "PrivacySandboxSettings4",
    "BackForwardCache",
    "HeavyAdIntervention",
    "SpareRendererForSitePerProcess",
    "PaintHolding",
    // One site in one tab: isolating origins into separate renderers only adds processes.
    "IsolateOrigins",
    "site-per-process",
    // New headless mode keeps a WebUI omnibox popup alive in a renderer of its own (~70 MB).
    "WebUIOmniboxPopup",
    "WebUIOmniboxAimPopup",
    "WebUIOmniboxFullPopup",
];

/// The command line of the managed browser, flags without leading dashes (chromiumoxide adds them).
/// Measured with `examples/bench_link.rs`; see the crate README for the figures.
pub fn browser_args(sandbox: bool) -> Vec<String> {
    let mut args: Vec<String> = [
        // Quiet: no first-run UI, no phoning home, no updates, no sync, nothing but the one tab.
        "no-first-run",
        "no-default-browser-check",
        "disable-background-networking",
        "disable-component-update",
        "disable-sync",
        "disable-default-apps",
        "disable-extensions",
        "disable-component-extensions-with-background-pages",
        "disable-client-side-phishing-detection",
        "disable-domain-reliability",
        "disable-breakpad",
        "metrics-recording-only",
        "disable-notifications",
        "disable-prompt-on-repost",
        "mute-audio",
        "password-store=basic",
        "use-mock-keychain",
        // WhatsApp Web must keep its socket alive while hidden: no throttling of the only tab.
        "disable-background-timer-throttling",
        "disable-renderer-backgrounding",
        "disable-backgrounding-occluded-windows",
        // Memory: no GPU work and no GPU process, the network service inside the browser process,
        // one renderer. Each of the in-process switches saves ~16 MB PSS (measured, see
        // examples/bench_link.rs); a crash of either takes the browser down, and the link restarts it.
        "disable-gpu",
        "disable-software-rasterizer",
        "in-process-gpu",
        "enable-features=NetworkServiceInProcess2",
        "disable-dev-shm-usage",
        "renderer-process-limit=1",
        "disable-site-isolation-trials",
        "window-size=1280,900",
        // Do not announce automation to the page (navigator.webdriver).
        "disable-blink-features=AutomationControlled",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // Chromium reads only the last `disable-features`: every feature goes in this one.
    args.push(format!("disable-features={}", DISABLED_FEATURES.join(",")));
    // Not set: `js-flags=--max-old-space-size`. It saved nothing measurable at idle, and a cap low
    // enough to matter would crash the tab of an account with a long history (out of memory).
    // Not set: `single-process` (-35 MB), which Chromium does not support and which makes every
    // renderer hiccup a browser crash.
    if !sandbox {
        // Root cannot use Chromium's sandbox; without it the zygote processes are pure overhead.
        args.push("no-sandbox".to_owned());
        args.push("disable-setuid-sandbox".to_owned());
        args.push("no-zygote".to_owned());
    }
    args
}

/// Chromium refuses to start sandboxed as root; elsewhere the sandbox stays on.
pub(crate) fn sandbox_possible() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // /proc/self belongs to the effective user; no libc call needed.
        match std::fs::metadata("/proc/self") {
            Ok(meta) => meta.uid() != 0,
            Err(_) => true,
        }
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// The browser's major version in what `Browser.getVersion` reports (`HeadlessChrome/156.0.8078.108`)
/// or what `chromium --version` prints (`Chromium 156.0.8078.108 built on Debian…`).
fn major_version(text: &str) -> Option<&str> {
    text.split(|c: char| c == '/' || c.is_whitespace())
        .find(|token| token.contains('.') && token.starts_with(|c: char| c.is_ascii_digit()))
        .and_then(|version| version.split('.').next())
        .filter(|major| major.chars().all(|c| c.is_ascii_digit()))
}

/// A desktop user agent for the browser's own version, whichever binary runs (the headless shell
/// included): the real site refuses "HeadlessChrome". `version` is either form [`major_version`]
/// reads; an unknown one gives a recent version's agent.
pub(crate) fn desktop_user_agent(version: &str) -> (String, String) {
    let major = major_version(version).unwrap_or("130").to_owned();
    let platform = if cfg!(target_os = "macos") {
        "Macintosh; Intel Mac OS X 10_15_7"
    } else if cfg!(windows) {
        "Windows NT 10.0; Win64; x64"
    } else {
        "X11; Linux x86_64"
    };
    let agent = format!(
        "Mozilla/5.0 ({platform}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{major}.0.0.0 Safari/537.36"
    );
    (agent, major)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_have_no_leading_dashes_because_chromiumoxide_adds_them() {
        for arg in browser_args(false) {
            assert!(
                !arg.starts_with('-'),
                "{arg} would reach Chromium as ----{arg} and be ignored"
            );
        }
    }

    #[test]
    fn feature_switches_appear_once_because_chromium_keeps_only_the_last() {
        let args = browser_args(true);
        for switch in ["disable-features=", "enable-features="] {
            let count = args.iter().filter(|a| a.starts_with(switch)).count();
            assert_eq!(count, 1, "{switch} given {count} times: {args:?}");
        }
    }

    #[test]
    fn user_agent_names_chrome_not_headless_chrome() {
        let (agent, major) = desktop_user_agent("HeadlessChrome/156.0.8078.108");
        assert_eq!(major, "156");
        assert!(agent.contains("Chrome/156.0.0.0"), "{agent}");
        assert!(
            !agent.contains("Headless"),
            "the real site refuses headless agents: {agent}"
        );
        let (printed, major) =
            desktop_user_agent("Chromium 156.0.8078.108 built on Debian GNU/Linux 12 (bookworm)");
        assert_eq!(major, "156", "what `chromium --version` prints: {printed}");
        let (fallback, _) = desktop_user_agent("garbage");
        assert!(
            fallback.contains("Chrome/130.0.0.0"),
            "an unknown version still gives a usable agent"
        );
    }

    #[test]
    fn an_installed_headless_shell_is_preferred_and_takes_the_old_headless_switch() {
        let dir = tempfile::tempdir().unwrap();
        let shell = dir.path().join("chrome-headless-shell");
        std::fs::write(&shell, "").unwrap();
        let preferred = shell.to_str().unwrap();
        assert_eq!(chromium_named_or_found(None, &[preferred]).unwrap(), shell);
        // The variable still wins over any preference.
        let named = dir.path().join("my-chrome");
        std::fs::write(&named, "").unwrap();
        assert_eq!(
            chromium_named_or_found(Some(named.clone().into()), &[preferred]).unwrap(),
            named
        );
        // Not installed: the usual lookup, which never answers the missing shell.
        let missing = dir.path().join("chromium-headless-shell");
        let found = chromium_named_or_found(None, &[missing.to_str().unwrap()]);
        assert_ne!(found.ok(), Some(missing));

        assert!(is_headless_shell(&shell));
        assert!(is_headless_shell(Path::new(
            "/usr/lib/chromium/chromium-headless-shell"
        )));
        assert!(!is_headless_shell(Path::new("/usr/bin/chromium")));
        assert!(!is_headless_shell(Path::new("/usr/bin/google-chrome")));
    }

    #[test]
    fn a_missing_browser_named_in_the_environment_is_reported() {
        let error = chromium_named_or_found(Some("/nonexistent/chromium".into()), &[]).unwrap_err();
        assert_eq!(
            error,
            ChromiumNotFound::NotAFile(PathBuf::from("/nonexistent/chromium"))
        );
        assert!(
            error.to_string().contains("/nonexistent/chromium"),
            "{error}"
        );
    }
}
