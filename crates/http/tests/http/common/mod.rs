//! What the HTTP integration tests share: the real server on an ephemeral port over a fresh data
//! directory, and HTTP/1.1 over a plain socket, so a test controls every header (Host included).
#![allow(dead_code)] // each test file uses its part

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use whatsflow_engine::{Engine, Options, SystemClock};
use whatsflow_http::rate_limit::RateLimit;
use whatsflow_http::{Server, ServerConfig};

pub const TOKEN: &str = "test-token-0123456789";

pub struct Running {
    server: Option<Server>,
    /// The engine behind the server, for seeding data directly.
    pub engine: Engine,
    _dir: tempfile::TempDir,
}

impl Running {
    pub fn start() -> Running {
        Running::serving(None, RateLimit::default())
    }

    /// With a built UI in `ui_dir`.
    pub fn start_with_ui(ui_dir: &std::path::Path) -> Running {
        Running::serving(Some(ui_dir.to_owned()), RateLimit::default())
    }

    /// With another budget for API keys.
    pub fn start_with_key_rate_limit(limit: RateLimit) -> Running {
        Running::serving(None, limit)
    }

    fn serving(ui_dir: Option<std::path::PathBuf>, key_rate_limit: RateLimit) -> Running {
        let dir = tempfile::tempdir().unwrap();
        let engine =
            Engine::open(Options::new(dir.path().join("data"), Arc::new(SystemClock))).unwrap();
        let config = ServerConfig {
            port: 0,
            token: Some(TOKEN.into()),
            ui_dir,
            key_rate_limit,
        };
        Running {
            server: Some(Server::start(engine.clone(), config).unwrap()),
            engine,
            _dir: dir,
        }
    }

    pub fn port(&self) -> u16 {
        self.server.as_ref().unwrap().addr().port()
    }

    /// One request; the status and the body's bytes (de-chunked).
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port())).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: 127.0.0.1:{}\r\n", self.port()));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let status = std::str::from_utf8(&response[9..12])
            .unwrap()
            .parse()
            .unwrap();
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(response.len(), |at| at + 4);
        let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
        let body = &response[split..];
        if head.contains("transfer-encoding: chunked") {
            (status, dechunk(body))
        } else {
            (status, body.to_vec())
        }
    }

    /// `send` with a text body; the answer read as JSON (a JSON string when it is not JSON).
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, Value) {
        let (status, bytes) = self.send(method, path, headers, body.as_bytes());
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// With the token and a JSON body (none for `null`).
    pub fn call(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let auth = format!("Bearer {TOKEN}");
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        self.raw(method, path, &headers, &body)
    }

    /// With the token, a file as the body.
    pub fn upload(&self, path: &str, file: &[u8]) -> (u16, Value) {
        let auth = format!("Bearer {TOKEN}");
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "text/csv"),
        ];
        let (status, bytes) = self.send("POST", path, &headers, file);
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// With the token, a GET whose answer is a file.
    pub fn download(&self, path: &str) -> (u16, Vec<u8>) {
        let auth = format!("Bearer {TOKEN}");
        self.send("GET", path, &[("Authorization", auth.as_str())], b"")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

/// Undoes `Transfer-Encoding: chunked` (the server streams large bodies, exports among them).
fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = body.windows(2).position(|w| w == b"\r\n") {
        let size_text = std::str::from_utf8(&body[..line_end]).unwrap_or("0");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[line_end + 2..line_end + 2 + size]);
        body = &body[line_end + 2 + size + 2..];
    }
    out
}
