//! Files on their way through the page. Received files arrive from the script in base64 pieces
//! before their message and are put together here; outgoing files go to the page the same way,
//! in pieces small enough for one CDP message each, before the `send` call that names them.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::{json, Value};
use whatsflow_engine::link::MediaFile;

use crate::page::{self, CallError, CALL_DEADLINE};

/// Received files above this are not kept in memory (the script already refuses them).
const MAX_MEDIA_BYTES: usize = 64 * 1024 * 1024;
/// Outgoing files travel to the page in pieces of this size (base64 inside one CDP message).
const MEDIA_PIECE_BYTES: usize = 3 * 1024 * 1024;

/// Received files being put together, by message id, until the message itself arrives.
#[derive(Debug, Default)]
pub(crate) struct Downloads {
    parts: HashMap<String, Vec<u8>>,
}

impl Downloads {
    /// Adds piece `index` of the file of message `id`; piece 0 starts the file afresh. A piece
    /// that is not base64, or one making the file too large, drops the file.
    pub fn add_piece(&mut self, id: String, index: usize, data: &str) {
        let bytes = match BASE64.decode(data) {
            Ok(bytes) => bytes,
            Err(error) => {
                // The message id holds the sender's number: debug level only.
                tracing::warn!(%error, "a piece of a received file was not base64");
                tracing::debug!(%id, "the message of that file");
                self.parts.remove(&id);
                return;
            }
        };
        if index == 0 {
            self.parts.insert(id.clone(), Vec::new());
        }
        let Some(parts) = self.parts.get_mut(&id) else {
            return;
        };
        if parts.len() + bytes.len() > MAX_MEDIA_BYTES {
            tracing::warn!("a received file is too large to keep");
            tracing::debug!(%id, "the message of that file");
            self.parts.remove(&id);
            return;
        }
        parts.extend_from_slice(&bytes);
    }

    /// The whole file of message `id`, if every one of its `size` bytes arrived.
    pub fn take(&mut self, id: &str, size: usize) -> Option<Vec<u8>> {
        match self.parts.remove(id) {
            Some(bytes) if bytes.len() == size => Some(bytes),
            Some(bytes) => {
                tracing::warn!(
                    expected = size,
                    got = bytes.len(),
                    "a received file arrived incomplete"
                );
                tracing::debug!(id, "the message of that file");
                None
            }
            None => None,
        }
    }

    /// Forgets files whose messages died with the page (a reload or a new browser).
    pub fn clear(&mut self) {
        self.parts.clear();
    }
}

/// Hands `media` to the page in pieces under a token unique to this send; returns the `media`
/// argument of the `send` call that uses them.
pub(crate) async fn upload(
    page: &chromiumoxide::Page,
    key_id: &str,
    media: &MediaFile,
) -> Result<Value, CallError> {
    let token = format!("{key_id}-{}", rand::random::<u32>());
    for data in pieces(&media.bytes) {
        page::call(
            page,
            "putMedia",
            &json!({ "token": token, "data": data }),
            CALL_DEADLINE,
        )
        .await?;
    }
    Ok(json!({ "token": token, "mimetype": media.mimetype, "filename": media.filename }))
}

/// The file as base64 pieces, each small enough for one CDP message.
fn pieces(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .chunks(MEDIA_PIECE_BYTES)
        .map(|piece| BASE64.encode(piece))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        BASE64.encode(bytes)
    }

    #[test]
    fn pieces_are_put_together_in_order() {
        let mut downloads = Downloads::default();
        downloads.add_piece("m1".into(), 0, &b64(b"hello "));
        downloads.add_piece("m2".into(), 0, &b64(b"other"));
        downloads.add_piece("m1".into(), 1, &b64(b"world"));
        assert_eq!(
            downloads.take("m1", 11).as_deref(),
            Some(&b"hello world"[..])
        );
        assert_eq!(downloads.take("m1", 11), None, "taken once");
        assert_eq!(downloads.take("m2", 5).as_deref(), Some(&b"other"[..]));
    }

    #[test]
    fn a_file_with_a_missing_or_bad_piece_is_not_kept() {
        let mut downloads = Downloads::default();
        downloads.add_piece("late".into(), 1, &b64(b"no start"));
        assert_eq!(downloads.take("late", 8), None, "piece 0 never came");

        downloads.add_piece("short".into(), 0, &b64(b"abc"));
        assert_eq!(downloads.take("short", 10), None, "incomplete");

        downloads.add_piece("bad".into(), 0, &b64(b"abc"));
        downloads.add_piece("bad".into(), 1, "not base64!");
        assert_eq!(downloads.take("bad", 3), None);
    }

    #[test]
    fn a_first_piece_starts_the_file_afresh_and_clear_forgets_all() {
        let mut downloads = Downloads::default();
        downloads.add_piece("m".into(), 0, &b64(b"stale"));
        downloads.add_piece("m".into(), 0, &b64(b"fresh"));
        assert_eq!(downloads.take("m", 5).as_deref(), Some(&b"fresh"[..]));

        downloads.add_piece("m".into(), 0, &b64(b"gone"));
        downloads.clear();
        assert_eq!(downloads.take("m", 4), None);
    }

    #[test]
    fn a_file_too_large_is_dropped() {
        let mut downloads = Downloads::default();
        let piece = vec![0u8; MAX_MEDIA_BYTES / 2 + 1];
        downloads.add_piece("big".into(), 0, &b64(&piece));
        downloads.add_piece("big".into(), 1, &b64(&piece));
        assert_eq!(downloads.take("big", piece.len() * 2), None);
    }

    #[test]
    fn outgoing_pieces_decode_to_the_file() {
        let file: Vec<u8> = (0..MEDIA_PIECE_BYTES * 2 + 10)
            .map(|i| (i % 251) as u8)
            .collect();
        let pieces: Vec<String> = pieces(&file).collect();
        assert_eq!(pieces.len(), 3);
        let mut back = Vec::new();
        for piece in &pieces {
            let bytes = BASE64.decode(piece).unwrap();
            assert!(bytes.len() <= MEDIA_PIECE_BYTES);
            back.extend(bytes);
        }
        assert_eq!(back, file);
    }
}
