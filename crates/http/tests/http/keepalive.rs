//! Keep-alive connections stay fast: every list route answers request after request on one
//! connection without waiting out the client's delayed ACK (the ~40 ms per answer a response
//! written in pieces used to pay under Nagle's algorithm).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use whatsflow_api::api::{Answer, Method};
use whatsflow_engine::webhooks::WebhookInput;
use whatsflow_engine::InboundMessage;

use crate::common::{Running, TOKEN};

/// Requests each route must answer on one connection within [`BUDGET`]. With the delayed-ACK stall
/// they took ≥ 40 ms each (≥ 0.8 s for 20); without it, a few ms each even in a debug build.
const REQUESTS: usize = 20;
const BUDGET: Duration = Duration::from_millis(600);

fn inbound(n: usize, from: usize) -> InboundMessage {
    let digits = format!("1555{:07}", from);
    InboundMessage {
        wa_message_id: format!("false_{digits}@c.us_KEEPALIVE{n}"),
        chat_id: format!("{digits}@c.us"),
        phone_number: Some(format!("+{digits}")),
        push_name: Some(format!("Customer number {from} with a longish name")),
        from_me: false,
        kind: "chat".into(),
        body: format!("hello, this is message {n}: do you still have the blue tulips in stock?"),
        caption: None,
        media: None,
        quoted_wa_id: None,
        timestamp: 1_700_000_000_000 + n as i64 * 1000,
    }
}

/// One keep-alive connection: writes a request, reads exactly one response by its length.
struct Connection {
    reader: BufReader<TcpStream>,
    port: u16,
}

impl Connection {
    fn open(port: u16) -> Connection {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Connection {
            reader: BufReader::new(stream),
            port,
        }
    }

    /// The status and the body's length.
    fn get(&mut self, path: &str) -> (u16, usize) {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n",
            self.port
        );
        self.reader.get_mut().write_all(request.as_bytes()).unwrap();
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).unwrap();
        let status = status_line[9..12].parse().unwrap();
        let mut length = None;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            assert!(
                !name.eq_ignore_ascii_case("transfer-encoding"),
                "{path}: answered chunked"
            );
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.trim().parse().unwrap());
            }
        }
        let length = length.unwrap_or_else(|| panic!("{path}: no Content-Length"));
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        (status, length)
    }
}

#[test]
fn every_list_route_stays_fast_on_a_keep_alive_connection() {
    let app = Running::start();
    // Its delivery log is a list route too (no worker runs here: the deliveries stay queued).
    app.engine
        .create_webhook(WebhookInput {
            url: "http://127.0.0.1:9/hook".into(),
            events: vec!["message.received".into()],
            enabled: None,
        })
        .unwrap();
    for n in 0..60 {
        app.engine.ingest(inbound(n, n)).unwrap();
    }
    for n in 60..120 {
        app.engine.ingest(inbound(n, 0)).unwrap();
    }
    let list_routes: Vec<&str> = whatsflow_api::routes::api()
        .routes()
        .iter()
        .filter(|r| r.method == Method::Get && matches!(r.answer, Answer::Page(_)))
        .map(|r| r.path)
        .collect();
    assert!(list_routes.contains(&"/api/v1/contacts"), "{list_routes:?}");
    // Every list route the fixture fills: the inbox's, the contacts' and the webhook's delivery log.
    // The others (campaigns, keys, …) answer a few bytes here, which no delayed ACK can hold up.
    let filled = [
        "/api/v1/chats",
        "/api/v1/contacts",
        "/api/v1/messages",
        "/api/v1/messages/search",
        "/api/v1/messages/contact/{contactId}",
        "/api/v1/webhooks/{id}/deliveries",
    ];
    for route in filled {
        assert!(
            list_routes.contains(&route),
            "{route} is not a list route: {list_routes:?}"
        );
        let search = if route.ends_with("/search") {
            "&q=tulips"
        } else {
            ""
        };
        let path = format!(
            "{}?limit=50{search}",
            route.replace("{contactId}", "1").replace("{id}", "1")
        );
        let mut connection = Connection::open(app.port());
        // The first answer on a connection was always fast (TCP quick-ACKs at its start).
        let (status, length) = connection.get(&path);
        assert_eq!(status, 200, "{path}");
        assert!(
            length > 4096,
            "{path}: the answer ({length} bytes) must be larger than tiny_http's write buffer for \
             this test to mean anything"
        );
        let started = Instant::now();
        let mut done = 0;
        while done < REQUESTS && started.elapsed() < BUDGET {
            assert_eq!(connection.get(&path).0, 200, "{path}");
            done += 1;
        }
        assert_eq!(
            done, REQUESTS,
            "{path}: only {done} of {REQUESTS} requests on one keep-alive connection were answered \
             within {BUDGET:?}"
        );
    }
}
