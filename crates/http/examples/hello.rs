//! The baseline of the HTTP benchmark (`scripts/bench-http.sh`): a bare tiny_http server answering
//! every request with `hello`, on the same listener setup (127.0.0.1, `TCP_NODELAY`) and the same
//! number of worker threads as `whatsflow-server`, so the gap to the API is the API's own work.
//!
//! ```text
//! cargo run --release -p whatsflow-http --example hello -- [PORT]
//! ```
//! Prints `hello listening on http://127.0.0.1:PORT/` once ready (PORT 0, the default, picks one).

use std::sync::Arc;

use tiny_http::{Header, Response};

/// As many as `whatsflow-server`'s request threads.
const WORKERS: usize = 16;

fn main() -> anyhow::Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => 0,
    };
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    socket2::SockRef::from(&listener).set_tcp_nodelay(true)?;
    let server = Arc::new(
        tiny_http::Server::from_listener(listener, None).map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .unwrap_or_default();
    println!("hello listening on http://127.0.0.1:{port}/");
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let server = server.clone();
            std::thread::spawn(move || {
                let content_type =
                    Header::from_bytes("Content-Type", "text/plain").expect("valid header");
                while let Ok(request) = server.recv() {
                    let response = Response::from_string("hello").with_header(content_type.clone());
                    let _ = request.respond(response);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}
