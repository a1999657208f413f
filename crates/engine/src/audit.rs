//! The audit log: sensitive actions, who did them and when. Engine operations write their own
//! entries inside their transactions; the API records every call an API key makes to change
//! something, under the key's name, so a script's doings can be told apart from the owner's.

use serde::Serialize;

use crate::clock::to_rfc3339;
use crate::error::Result;
use crate::{store, Engine};

/// One entry of the audit log.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// When (RFC 3339).
    pub at: String,
    /// Who: `user`, `system`, `api-key:<id>`.
    pub actor: String,
    /// What, e.g. `api_key.created`, `api.call`.
    pub action: String,
    /// The particulars (ids, names; never erased content).
    pub detail: serde_json::Value,
}

/// A call an API key made to change something, as the audit log records it.
#[derive(Debug, Clone, Copy)]
pub struct KeyCall<'a> {
    /// The key's id.
    pub key_id: i64,
    /// The route, e.g. `POST /api/v1/contacts/{id}/tags`.
    pub route: &'a str,
    /// The path called, e.g. `/api/v1/contacts/12/tags`.
    pub path: &'a str,
    /// The status of the answer.
    pub status: u16,
}

impl Engine {
    /// Records a call an API key made to change something, naming the key.
    pub fn audit_key_call(&self, call: KeyCall) -> Result<()> {
        let now = self.now();
        // A write transaction, so it queues with the others (see `Db::with_tx`).
        self.db().with_tx(|c| {
            let name = store::api_keys::get(c, call.key_id)?.map(|key| key.name);
            store::audit::insert(
                c,
                now,
                &format!("api-key:{}", call.key_id),
                "api.call",
                &serde_json::json!({
                    "keyId": call.key_id, "keyName": name, "route": call.route,
                    "path": call.path, "status": call.status,
                }),
            )
        })
    }

    /// The latest `limit` entries of the audit log, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let rows = self.db().with(|c| store::audit::latest(c, limit))?;
        Ok(rows
            .into_iter()
            .map(|row| AuditEntry {
                at: to_rfc3339(row.at),
                actor: row.actor,
                action: row.action,
                detail: serde_json::from_str(&row.detail).unwrap_or_default(),
            })
            .collect())
    }
}
