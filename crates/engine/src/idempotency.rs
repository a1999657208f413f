//! `Idempotency-Key` for requests that send: the first answer is kept for 24 hours and given again
//! to a repeat of the request with the same key, which sends nothing new. A script that lost an
//! answer to a timeout can retry without sending twice.

use crate::clock::Millis;
use crate::error::{Error, ErrorCode, Result};
use crate::{store, Engine};

/// How long a key's answer is kept.
pub const KEEP_FOR: Millis = 24 * 60 * 60 * 1000;
/// The longest key accepted.
const MAX_KEY_LEN: usize = 255;

/// What to do with a request carrying a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: run it, then [`Engine::finish_idempotent`] (or release on a server error).
    Run,
    /// Seen before: answer this again.
    Replay {
        /// The HTTP status the first request was answered with.
        status: u16,
        /// The first answer's body, as sent.
        body: String,
    },
}

impl Engine {
    /// Claims `key` for `caller`'s request on `route` (method and path), or finds its first answer.
    /// 409 when the first request with the key is still running; 422 when the key was used for
    /// another route.
    pub fn claim_idempotent(&self, caller: &str, key: &str, route: &str) -> Result<Claim> {
        if key.is_empty() || key.len() > MAX_KEY_LEN || key.chars().any(char::is_control) {
            return Err(Error::invalid_field(
                "Idempotency-Key",
                format!("The Idempotency-Key must be 1 to {MAX_KEY_LEN} printable characters"),
            ));
        }
        let now = self.now();
        self.db().with_tx(|tx| {
            store::idempotency::forget_older_than(tx, now - KEEP_FOR)?;
            if store::idempotency::claim(tx, caller, key, route, now)? {
                return Ok(Claim::Run);
            }
            let row = store::idempotency::get(tx, caller, key)?
                .ok_or_else(|| Error::internal("the idempotency key vanished"))?;
            if row.route != route {
                return Err(Error::new(
                    ErrorCode::ValidationFailed,
                    format!(
                        "This Idempotency-Key was used for {} already: use a new key for each request",
                        row.route
                    ),
                ));
            }
            if row.status == 0 {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    "The first request with this Idempotency-Key is still running: try again shortly",
                ));
            }
            Ok(Claim::Replay {
                status: row.status as u16,
                body: row.body,
            })
        })
    }

    /// Keeps the answer of a request that ran under `key`.
    pub fn finish_idempotent(
        &self,
        caller: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<()> {
        self.db()
            .with(|c| store::idempotency::finish(c, caller, key, i64::from(status), body))
    }

    /// Forgets `key` after a request that failed on the server's side, so a retry runs again.
    pub fn release_idempotent(&self, caller: &str, key: &str) -> Result<()> {
        self.db()
            .with(|c| store::idempotency::release(c, caller, key))
    }
}
