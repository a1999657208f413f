//! Many connections at once, each kept open after its answer, as a browser opens its parallel
//! requests at page load: every one is served (tiny_http's thread pool once queued some behind the
//! long-lived ones for good; see vendor/tiny_http/PATCHED.md).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::{Running, TOKEN};

#[test]
fn a_burst_of_connections_kept_open_is_served_in_full() {
    let app = Running::start();
    let connections: Vec<TcpStream> = (0..12)
        .map(|_| TcpStream::connect(("127.0.0.1", app.port())).unwrap())
        .collect();
    for mut connection in &connections {
        let request = format!(
            "GET /api/v1/profile HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n",
            app.port()
        );
        connection.write_all(request.as_bytes()).unwrap();
    }
    let mut answered = 0;
    for connection in &connections {
        // Generous: only bounds how long a broken build takes to fail.
        connection
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut status_line = String::new();
        if BufReader::new(connection)
            .read_line(&mut status_line)
            .is_ok_and(|n| n > 0)
        {
            assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
            answered += 1;
        }
    }
    assert_eq!(answered, connections.len(), "connections left unanswered");
}
