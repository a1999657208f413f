//! API keys for scripts: random secrets shown once, stored only as a hash, with scopes (read, send,
//! admin), revocable at once. The transports turn a presented key into a caller with [`Scopes`];
//! the API table checks each route's scope against them.
//!
//! The hash is plain SHA-256, not a password hash (Argon2): a key is 32 random bytes, so there is
//! nothing to guess and no dictionary to slow down, and every request looks its key up by hash —
//! a deliberately slow hash there would cost each request tens of milliseconds and hand anyone who
//! can reach the port a cheap way to burn CPU.

use ring::rand::SecureRandom;
use serde::{Deserialize, Serialize};

use crate::clock::{to_rfc3339, Millis};
use crate::error::{Checks, Error, ErrorCode, Result};
use crate::{store, Engine};

/// Every key starts with this, so it is recognisable (and findable by secret scanners).
pub const KEY_PREFIX: &str = "wf_";
/// Random bytes in a key.
const KEY_BYTES: usize = 32;
/// Characters of the key kept to tell keys apart in lists (`wf_` and 8 of the random part).
const SHOWN_PREFIX: usize = 11;
/// `last_used_at` is written at most this often per key, so reads do not turn into writes.
const TOUCH_EVERY: Millis = 60_000;

/// What a key may do. `admin` implies the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Reading data.
    Read,
    /// Sending messages and changing data.
    Send,
    /// Settings, keys, webhooks, the app lock.
    Admin,
}

impl Scope {
    /// The scope's name on the wire and in the key's stored scope list.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Send => "send",
            Scope::Admin => "admin",
        }
    }
}

/// A key's scopes as a small copyable set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes {
    read: bool,
    send: bool,
    admin: bool,
}

impl Scopes {
    /// The set holding exactly the scopes listed.
    pub fn of(scopes: &[Scope]) -> Scopes {
        Scopes {
            read: scopes.contains(&Scope::Read),
            send: scopes.contains(&Scope::Send),
            admin: scopes.contains(&Scope::Admin),
        }
    }
    /// Whether a key with these scopes may do what `needed` covers.
    pub fn allow(self, needed: Scope) -> bool {
        self.admin
            || match needed {
                Scope::Read => self.read,
                Scope::Send => self.send,
                Scope::Admin => false,
            }
    }
}

/// What creating a key takes: a name people recognise and the scopes it grants.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiKeyInput {
    /// What the key is for, e.g. "order sync script".
    pub name: String,
    /// At least one of read, send, admin.
    pub scopes: Vec<Scope>,
}

/// A key as listed: never the secret.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    /// The key's row id, used to revoke it.
    pub id: i64,
    /// What the key is for, as its creator named it.
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    /// What the key may do.
    pub scopes: Vec<Scope>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; updated at most once a minute.
    pub last_used_at: Option<String>,
    /// RFC 3339; a revoked key is refused.
    pub revoked_at: Option<String>,
}

/// A key just created: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    /// The secret (`wf_…`): shown once, stored only as a hash.
    pub key: String,
    /// The key as it is listed from now on.
    #[serde(flatten)]
    pub api_key: ApiKey,
}

/// Who a valid key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHolder {
    /// The key's row id, which names the caller in logs and the audit.
    pub id: i64,
    /// The key's name, for logs.
    pub name: String,
    /// What the key may do, checked against each route's access.
    pub scopes: Scopes,
}

fn hash(key: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn from_row(row: store::api_keys::KeyRow) -> ApiKey {
    ApiKey {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        scopes: serde_json::from_str(&row.scopes).unwrap_or_default(),
        created_at: to_rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(to_rfc3339),
        revoked_at: row.revoked_at.map(to_rfc3339),
    }
}

fn unauthorized(message: &str) -> Error {
    Error::new(ErrorCode::Unauthorized, message)
}

impl Engine {
    /// Creates a key with a fresh random secret; the answer is the only place the secret appears.
    pub fn create_api_key(&self, input: ApiKeyInput) -> Result<CreatedApiKey> {
        let name = input.name.trim().to_owned();
        let mut checks = Checks::default();
        if name.is_empty() {
            checks.fail("name", "Give the key a name");
        }
        checks.max_len("name", "The name", &name, 100);
        if input.scopes.is_empty() {
            checks.fail("scopes", "Choose at least one scope: read, send or admin");
        }
        checks.finish()?;
        let mut scopes = input.scopes;
        scopes.sort_by_key(|s| *s as u8);
        scopes.dedup();
        let mut random = [0u8; KEY_BYTES];
        ring::rand::SystemRandom::new()
            .fill(&mut random)
            .map_err(|_| Error::internal("the system's random source failed"))?;
        use base64::Engine as _;
        let key = format!(
            "{KEY_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random)
        );
        let prefix = key[..SHOWN_PREFIX].to_owned();
        let scopes_json =
            serde_json::to_string(&scopes).map_err(|e| Error::internal(e.to_string()))?;
        let now = self.now();
        let id = self.db().with_tx(|tx| {
            let id = store::api_keys::insert(tx, &name, &prefix, &hash(&key), &scopes_json, now)?;
            store::audit::insert(
                tx,
                now,
                "user",
                "api_key.created",
                &serde_json::json!({ "id": id, "name": name, "scopes": scopes }),
            )?;
            Ok(id)
        })?;
        Ok(CreatedApiKey {
            key,
            api_key: ApiKey {
                id,
                name,
                prefix,
                scopes,
                created_at: to_rfc3339(now),
                last_used_at: None,
                revoked_at: None,
            },
        })
    }

    /// Every key, revoked ones included (marked), oldest first.
    pub fn api_keys(&self) -> Result<Vec<ApiKey>> {
        let rows = self.db().with(store::api_keys::list)?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// Revokes a key: the next request with it is refused.
    pub fn revoke_api_key(&self, id: i64) -> Result<ApiKey> {
        let now = self.now();
        self.db().with_tx(|tx| {
            let Some(row) = store::api_keys::get(tx, id)? else {
                return Err(Error::not_found("API key"));
            };
            if store::api_keys::revoke(tx, id, now)? {
                store::audit::insert(
                    tx,
                    now,
                    "user",
                    "api_key.revoked",
                    &serde_json::json!({ "id": id, "name": row.name }),
                )?;
            }
            let row = store::api_keys::get(tx, id)?.ok_or_else(|| Error::not_found("API key"))?;
            Ok(from_row(row))
        })
    }

    /// The holder of a presented key; 401 when it is malformed, unknown or revoked.
    pub fn authenticate_api_key(&self, presented: &str) -> Result<KeyHolder> {
        if !presented.starts_with(KEY_PREFIX) || presented.len() > 200 {
            return Err(unauthorized(
                "This is not a WhatsFlow API key (they start with wf_)",
            ));
        }
        let Some(row) = self
            .db()
            .with(|c| store::api_keys::by_hash(c, &hash(presented)))?
        else {
            return Err(unauthorized("Unknown API key"));
        };
        if row.revoked_at.is_some() {
            return Err(unauthorized("This API key was revoked"));
        }
        let now = self.now();
        if row.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY) {
            self.db().with(|c| store::api_keys::touch(c, row.id, now))?;
        }
        let scopes: Vec<Scope> = serde_json::from_str(&row.scopes).unwrap_or_default();
        Ok(KeyHolder {
            id: row.id,
            name: row.name,
            scopes: Scopes::of(&scopes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn engine(dir: &std::path::Path) -> Engine {
        Engine::open(crate::Options::new(
            dir.to_owned(),
            Arc::new(crate::ManualClock::new(1_700_000_000_000)),
        ))
        .unwrap()
    }

    #[test]
    fn the_raw_key_is_stored_nowhere() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path());
        let created = engine
            .create_api_key(ApiKeyInput {
                name: "sync".into(),
                scopes: vec![Scope::Read],
            })
            .unwrap();
        assert!(created.key.starts_with("wf_") && created.key.len() >= 3 + 43);
        assert!(created.key.starts_with(&created.api_key.prefix));
        assert_eq!(
            engine.authenticate_api_key(&created.key).unwrap().id,
            created.api_key.id
        );
        drop(engine); // checkpoints the log into the file
        let secret_part = &created.key[SHOWN_PREFIX..];
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(secret_part),
                "the key's secret part was written to disk"
            );
        }
        let text =
            String::from_utf8_lossy(&std::fs::read(dir.path().join(store::DB_FILE)).unwrap())
                .into_owned();
        assert!(
            text.contains(&hash(&created.key)),
            "the hash is what is stored"
        );
    }

    #[test]
    fn scopes_admin_implies_the_others_and_revoke_refuses_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(dir.path());
        let admin = Scopes::of(&[Scope::Admin]);
        assert!(admin.allow(Scope::Read) && admin.allow(Scope::Send) && admin.allow(Scope::Admin));
        let send = Scopes::of(&[Scope::Send]);
        assert!(send.allow(Scope::Send) && !send.allow(Scope::Read) && !send.allow(Scope::Admin));
        let created = engine
            .create_api_key(ApiKeyInput {
                name: "k".into(),
                scopes: vec![Scope::Send, Scope::Send],
            })
            .unwrap();
        assert_eq!(created.api_key.scopes, vec![Scope::Send]);
        engine.authenticate_api_key(&created.key).unwrap();
        let revoked = engine.revoke_api_key(created.api_key.id).unwrap();
        assert!(revoked.revoked_at.is_some());
        let err = engine.authenticate_api_key(&created.key).unwrap_err();
        assert_eq!(err.code, ErrorCode::Unauthorized);
        assert!(err.message.contains("revoked"), "{}", err.message);
        for bad in ["", "wf_", "wf_nope", "Bearer x"] {
            assert_eq!(
                engine.authenticate_api_key(bad).unwrap_err().code,
                ErrorCode::Unauthorized
            );
        }
        let err = engine
            .create_api_key(ApiKeyInput {
                name: " ".into(),
                scopes: vec![],
            })
            .unwrap_err();
        assert_eq!(err.details.len(), 2);
        assert_eq!(
            engine.revoke_api_key(999).unwrap_err().code,
            ErrorCode::NotFound
        );
    }
}
