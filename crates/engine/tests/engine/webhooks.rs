//! Webhooks over https: a receiver on loopback presents a certificate made in the test (`rcgen`),
//! served by rustls. An engine told to trust that certificate delivers to it, signed; an engine with
//! the app's default trust (the public web's authorities) refuses it and logs why.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use whatsflow_engine::http_client::TlsRoots;
use whatsflow_engine::testing::new_contact;
use whatsflow_engine::webhooks::{Delivery, WebhookInput};
use whatsflow_engine::{Engine, ManualClock, Options};

/// One request the receiver got: its headers (lower-case names) and body.
struct Received {
    headers: Vec<(String, String)>,
    body: String,
}

/// An https server on 127.0.0.1 that answers every request 204 and reports it; its certificate is
/// self-signed for `localhost`.
struct HttpsReceiver {
    port: u16,
    cert_der: Vec<u8>,
    requests: mpsc::Receiver<Received>,
}

impl HttpsReceiver {
    fn start() -> HttpsReceiver {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert_der = made.cert.der().to_vec();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(made.signing_key.serialize_der().into());
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert_der.clone().into()], key)
            .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (sender, requests) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let connection = rustls::ServerConnection::new(config.clone()).unwrap();
                let mut tls = rustls::StreamOwned::new(connection, stream);
                // A client that refuses the certificate ends the handshake: nothing to report.
                if let Some(request) = read_request(&mut tls) {
                    let _ = tls.write_all(
                        b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    let _ = tls.flush();
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                    if sender.send(request).is_err() {
                        return;
                    }
                }
            }
        });
        HttpsReceiver {
            port,
            cert_der,
            requests,
        }
    }

    fn url(&self) -> String {
        format!("https://localhost:{}/hook", self.port)
    }
}

fn read_request(stream: &mut impl Read) -> Option<Received> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    if !line.starts_with("POST /hook ") {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")?
        .1
        .parse()
        .ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

/// An engine on a file database in `dir` with the given trust, and a webhook on every event.
fn engine_with_webhook(dir: &std::path::Path, roots: TlsRoots, url: &str) -> (Engine, i64) {
    let engine = Engine::open(Options {
        tls_roots: roots,
        ..Options::new(dir, Arc::new(ManualClock::new(1_780_000_000_000)))
    })
    .unwrap();
    let webhook = engine
        .create_webhook(WebhookInput {
            url: url.to_owned(),
            events: vec!["*".into()],
            enabled: None,
        })
        .unwrap();
    (engine, webhook.id)
}

/// Runs the delivery worker until the webhook's one delivery has had an attempt, and returns it.
fn first_attempt(engine: &Engine, webhook: i64) -> Delivery {
    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let (engine, stop) = (engine.clone(), stop.clone());
        std::thread::spawn(move || engine.run_webhooks(&stop))
    };
    let attempted = (0..600).find_map(|_| {
        let log = engine.webhook_deliveries(webhook, None, None, 10).unwrap();
        let delivery = log.items.into_iter().next()?;
        if delivery.attempts > 0 {
            Some(delivery)
        } else {
            std::thread::sleep(Duration::from_millis(50));
            None
        }
    });
    stop.store(true, Ordering::SeqCst);
    engine.wake_webhooks();
    worker.join().unwrap();
    attempted.expect("the worker attempted the delivery within 30 s")
}

#[test]
fn https_receivers_get_signed_deliveries_when_their_certificate_is_trusted() {
    let receiver = HttpsReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let (engine, webhook) = engine_with_webhook(
        dir.path(),
        TlsRoots::Only(vec![receiver.cert_der.clone()]),
        &receiver.url(),
    );
    let contact = engine
        .create_contact(new_contact("+14155550101", "Ada"))
        .unwrap();

    let delivery = first_attempt(&engine, webhook);
    assert_eq!(
        (
            delivery.state.as_str(),
            delivery.response_status,
            &delivery.error
        ),
        ("delivered", Some(204), &None)
    );
    let request = receiver
        .requests
        .recv_timeout(Duration::from_secs(30))
        .expect("the receiver got the delivery");
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("webhook-id"), Some(delivery.event_id.clone()));
    assert!(header("webhook-signature").is_some_and(|s| s.starts_with("v1,")));
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body["type"], "contact.created");
    assert_eq!(body["data"]["id"], contact.id);
}

#[test]
fn the_default_trust_refuses_a_certificate_the_public_web_did_not_issue() {
    let receiver = HttpsReceiver::start();
    let dir = tempfile::tempdir().unwrap();
    let (engine, webhook) = engine_with_webhook(dir.path(), TlsRoots::PublicWeb, &receiver.url());
    engine
        .create_contact(new_contact("+14155550102", "Grace"))
        .unwrap();

    let delivery = first_attempt(&engine, webhook);
    assert_eq!(delivery.state, "pending", "retried later: {delivery:?}");
    assert_eq!(delivery.response_status, None);
    let error = delivery.error.unwrap_or_default().to_lowercase();
    assert!(
        error.contains("certificate") || error.contains("issuer"),
        "the log says the certificate was refused: {error}"
    );
    assert!(
        receiver.requests.try_recv().is_err(),
        "nothing reached the receiver"
    );
}
