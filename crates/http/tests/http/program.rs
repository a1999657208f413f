//! The `whatsflow-server` program as a user runs it, in demo mode (the simulator stands in for
//! WhatsApp Web): killed outright, it comes back linked without a QR and without the browser the
//! killed run left behind; a second program on the same data directory refuses to start.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

const TOKEN: &str = "program-test-token-0123456789";

/// A running `whatsflow-server` process.
pub(crate) struct Program {
    pub(crate) child: Child,
    port: u16,
}

impl Program {
    /// The program in demo mode, with the simulator in-process.
    fn start(data_dir: &Path) -> Program {
        Program::launch(data_dir, &["--demo"])
    }

    /// The program pointed at a simulator that runs elsewhere (and so outlives it).
    pub(crate) fn start_against(data_dir: &Path, whatsapp_url: &str) -> Program {
        Program::launch(data_dir, &["--whatsapp-url", whatsapp_url])
    }

    fn launch(data_dir: &Path, args: &[&str]) -> Program {
        let mut child = Command::new(env!("CARGO_BIN_EXE_whatsflow-server"))
            .args(args)
            .args(["--port", "0", "--token", TOKEN, "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("whatsflow-server printed no ready line");
        let port = line
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Program { child, port }
    }

    /// Calls the REST API with the session token: the status and the JSON body.
    pub(crate) fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let auth = format!("Bearer {TOKEN}");
        let body = body.unwrap_or_else(|| serde_json::json!({}));
        let response = match method {
            "GET" => agent.get(url).header("Authorization", auth).call(),
            "POST" => agent
                .post(url)
                .header("Authorization", auth)
                .send_json(body),
            "PUT" => agent.put(url).header("Authorization", auth).send_json(body),
            other => panic!("no {other} in this helper"),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_json().unwrap_or(Value::Null),
        )
    }

    fn whatsapp_state(&self) -> String {
        let (_, answer) = self.call("GET", "/api/v1/whatsapp/status", None);
        answer["data"]["state"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub(crate) fn wait_for(&self, state: &str) {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let now = self.whatsapp_state();
            if now == state {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "WhatsApp stayed {now:?}, never {state:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Ends the program the way Ctrl-C does (it closes its browser and seals the session).
    pub(crate) fn stop(self) {
        drop(self);
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let _ = self.child.wait();
        }
    }
}

/// The processes running with `profile` as their browser profile. Chromium may rewrite its
/// command line into one space-separated title, so arguments are split at spaces too.
fn browsers_on(profile: &Path) -> Vec<u32> {
    let wanted = format!("--user-data-dir={}", profile.display());
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
                cmdline
                    .split(|b| *b == 0 || *b == b' ')
                    .any(|arg| arg == wanted.as_bytes())
            })
        })
        .collect()
}

fn profile_of(data_dir: &Path) -> PathBuf {
    data_dir.join("whatsapp-profile")
}

#[test]
fn a_killed_program_comes_back_linked_and_leaves_no_browser_behind() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = Program::start(&data);
    first.wait_for("qr");
    let sim_port = std::fs::read_to_string(data.join("demo-simulator.port")).unwrap();
    ureq::post(format!("http://127.0.0.1:{}/control/scan", sim_port.trim()))
        .send_json(serde_json::json!({}))
        .unwrap();
    first.wait_for("connected");
    let left = browsers_on(&profile_of(&data));
    assert!(!left.is_empty(), "the linked program runs a browser");

    // Killed outright: nothing of the program runs its shutdown, so its browser stays behind.
    let mut first = first;
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert!(
        !browsers_on(&profile_of(&data)).is_empty(),
        "the scenario: a browser outlives the killed program"
    );

    let second = Program::start(&data);
    second.wait_for("connected");
    let now = browsers_on(&profile_of(&data));
    assert!(
        left.iter().all(|pid| !now.contains(pid)),
        "the browser the killed run left is gone: {left:?} then {now:?}"
    );

    // Meanwhile a second program on the same data directory refuses to start, and says why.
    let refused = Command::new(env!("CARGO_BIN_EXE_whatsflow-server"))
        .args(["--demo", "--port", "0", "--token", TOKEN, "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("already running"), "{said}");
    assert_eq!(
        second.whatsapp_state(),
        "connected",
        "the running one is untouched"
    );

    second.stop();
    assert!(
        browsers_on(&profile_of(&data)).is_empty(),
        "a stopped program closes its browser"
    );
}
