//! A send's `mediaUrl`: the file fetched over http(s) when the message is queued, so it is sent
//! like an uploaded one. Bounded in size (as uploads), time and kind of content; every way it can
//! go wrong is a 400 on `mediaUrl` that says which, and nothing is queued.

use std::io::Read;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::http_client::{self, TlsRoots};
use crate::link::MediaFile;

/// The whole fetch (connect, answer, body) must be done within this.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(30);
/// Redirects followed (file hosts and CDNs redirect to the file itself).
const MAX_REDIRECTS: u32 = 5;
/// Kinds of content WhatsApp sends as media or documents (`text/*` ones are listed one by one:
/// a web page, `text/html`, is the usual answer of a wrong link, not a file).
const ACCEPTED_TOP_LEVEL: &[&str] = &["image", "video", "audio", "application"];
const ACCEPTED_TEXT: &[&str] = &["text/plain", "text/csv", "text/vcard", "text/x-vcard"];

fn refused(message: impl Into<String>) -> Error {
    Error::invalid_field("mediaUrl", message)
}

/// Whether WhatsFlow sends a file of this (parameter-free, lower-case) content type.
fn accepted(mimetype: &str) -> bool {
    let top = mimetype.split('/').next().unwrap_or_default();
    mimetype != "application/xhtml+xml"
        && (ACCEPTED_TOP_LEVEL.contains(&top) || ACCEPTED_TEXT.contains(&mimetype))
}

/// The URL's last path segment, decoded, as the file's name.
fn file_name(url: &url::Url) -> Option<String> {
    let last = url.path_segments()?.next_back()?;
    let name = percent_encoding::percent_decode_str(last)
        .decode_utf8_lossy()
        .trim()
        .to_owned();
    (!name.is_empty()).then_some(name)
}

/// Fetches the file at `url`, at most `limit` bytes.
pub(crate) fn fetch(roots: &TlsRoots, url: &str, limit: usize) -> Result<MediaFile> {
    let parsed = url::Url::parse(url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| {
            refused("The media URL must be an http:// or https:// address of the file")
        })?;
    let agent = http_client::agent(
        roots,
        FETCH_TIMEOUT,
        MAX_REDIRECTS,
        &format!("WhatsFlow/{}", crate::VERSION),
    );
    let mut response = agent.get(parsed.as_str()).call().map_err(|e| {
        refused(format!(
            "Could not fetch the media URL ({e}): check that it is reachable from this computer"
        ))
    })?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(refused(format!(
            "The media URL answered HTTP {status} instead of the file"
        )));
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mimetype = header("content-type")
        .and_then(|v| v.split(';').next().map(|t| t.trim().to_ascii_lowercase()))
        .filter(|t| t.contains('/'))
        .ok_or_else(|| {
            refused("The media URL's answer does not say what kind of file it is (no Content-Type)")
        })?;
    if !accepted(&mimetype) {
        return Err(refused(format!(
            "The media URL answered {mimetype}, not a file WhatsApp sends (images, video, audio, \
             documents)"
        )));
    }
    let too_large = || {
        refused(format!(
            "The file at the media URL is larger than {} MB",
            limit / (1024 * 1024)
        ))
    };
    let declared = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    // One byte past the limit tells a file that is too large from one that fits exactly.
    let mut bytes = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            refused(format!(
                "The file at the media URL could not be read in full ({e})"
            ))
        })?;
    if bytes.len() > limit {
        return Err(too_large());
    }
    if bytes.is_empty() {
        return Err(refused("The file at the media URL is empty"));
    }
    Ok(MediaFile {
        bytes,
        mimetype,
        filename: file_name(&parsed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    use crate::error::ErrorCode;
    use crate::inbox::SendMessage;
    use crate::testing::test_engine;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";

    /// A loopback HTTP server for the fetches below, answering by path; its base URL.
    fn file_server() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut request_line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request_line.split(' ').nth(1).unwrap_or_default();
                let head = |status: &str, headers: &str| {
                    format!("HTTP/1.1 {status}\r\n{headers}Connection: close\r\n\r\n")
                };
                let (head, body): (String, Vec<u8>) = match path {
                    "/files/shop%20photo.png" => (
                        head(
                            "200 OK",
                            &format!(
                                "Content-Type: image/png\r\nContent-Length: {}\r\n",
                                PNG.len()
                            ),
                        ),
                        PNG.to_vec(),
                    ),
                    "/moved" => (
                        head(
                            "302 Found",
                            "Location: /files/shop%20photo.png\r\nContent-Length: 0\r\n",
                        ),
                        vec![],
                    ),
                    "/page" => (
                        head(
                            "200 OK",
                            "Content-Type: text/html; charset=utf-8\r\nContent-Length: 6\r\n",
                        ),
                        b"<html>".to_vec(),
                    ),
                    "/untyped" => (head("200 OK", "Content-Length: 3\r\n"), b"abc".to_vec()),
                    "/huge" => (
                        head(
                            "200 OK",
                            "Content-Type: video/mp4\r\nContent-Length: 100000000000\r\n",
                        ),
                        vec![],
                    ),
                    // No Content-Length: the size shows only while reading.
                    "/streamed" => (
                        head("200 OK", "Content-Type: image/jpeg\r\n"),
                        vec![7; 4096],
                    ),
                    _ => (head("404 Not Found", "Content-Length: 0\r\n"), vec![]),
                };
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        base
    }

    fn refusal(result: Result<MediaFile>) -> String {
        let error = result.expect_err("refused");
        assert_eq!(error.code, ErrorCode::ValidationFailed, "{error:?}");
        assert_eq!(error.details[0].field, "mediaUrl");
        error.message
    }

    #[test]
    fn files_are_fetched_and_bad_urls_are_refused_saying_why() {
        let base = file_server();
        let roots = TlsRoots::PublicWeb;
        let fetched = fetch(&roots, &format!("{base}/files/shop%20photo.png"), 1024).unwrap();
        assert_eq!(fetched.bytes, PNG);
        assert_eq!(fetched.mimetype, "image/png");
        assert_eq!(fetched.filename.as_deref(), Some("shop photo.png"));
        assert_eq!(
            fetch(&roots, &format!("{base}/moved"), 1024).unwrap().bytes,
            PNG
        );

        let cases = [
            ("ftp://127.0.0.1/x.png".to_owned(), "http:// or https://"),
            ("not a url".to_owned(), "http:// or https://"),
            (format!("{base}/nothing-here.png"), "HTTP 404"),
            (format!("{base}/page"), "text/html"),
            (format!("{base}/untyped"), "Content-Type"),
            (format!("{base}/huge"), "larger than"),
            (format!("{base}/streamed"), "larger than"),
            // A port nobody listens on (the discard port is closed on test machines).
            ("http://127.0.0.1:9/x.png".to_owned(), "Could not fetch"),
        ];
        for (url, says) in cases {
            let message = refusal(fetch(&roots, &url, 2048));
            assert!(message.contains(says), "{url}: {message}");
        }
    }

    #[test]
    fn a_send_with_a_media_url_queues_the_fetched_file_and_a_bad_one_queues_nothing() {
        let base = file_server();
        let engine = test_engine();
        engine.with_scripted_link();
        let send = |media_url: &str| {
            engine.send_message(SendMessage {
                phone_number: "+14155550123".into(),
                message: "Our new shop".into(),
                media_url: Some(media_url.into()),
                ..Default::default()
            })
        };
        let receipt = send(&format!("{base}/files/shop%20photo.png")).unwrap();
        let message = engine.message(receipt.message_id).unwrap();
        let media = message.media.expect("the fetched file");
        assert_eq!(
            (media.mimetype.as_str(), media.size),
            ("image/png", PNG.len() as i64)
        );
        assert_eq!(
            std::fs::read(engine.data_dir().join(&media.path)).unwrap(),
            PNG
        );
        assert_eq!(message.caption.as_deref(), Some("Our new shop"));

        let refused = send(&format!("{base}/page")).unwrap_err();
        assert_eq!(refused.details[0].field, "mediaUrl");
        let both = engine
            .send_message(SendMessage {
                phone_number: "+14155550123".into(),
                media: Some(Default::default()),
                media_url: Some(format!("{base}/files/shop%20photo.png")),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(both.details[0].field, "mediaUrl");
        let queued = engine.messages(None, None, 10).unwrap().items;
        assert_eq!(queued.len(), 1, "only the good send was queued");
    }

    #[test]
    fn content_types_and_file_names() {
        for ok in [
            "image/png",
            "video/mp4",
            "audio/ogg",
            "application/pdf",
            "text/csv",
        ] {
            assert!(accepted(ok), "{ok}");
        }
        for refused in [
            "text/html",
            "application/xhtml+xml",
            "text/javascript",
            "multipart/x",
        ] {
            assert!(!accepted(refused), "{refused}");
        }
        let url = url::Url::parse("https://cdn.example/files/Price%20list.pdf?v=2").unwrap();
        assert_eq!(file_name(&url).as_deref(), Some("Price list.pdf"));
        let root = url::Url::parse("https://cdn.example/").unwrap();
        assert_eq!(file_name(&root), None);
    }
}
