//! "Erase everything": WhatsApp logged out, the session vault and its key destroyed, then the
//! database, media, backups and every other file of the business deleted from the data directory.
//! The engine stops serving (every call answers that the data was erased); the next start is a
//! fresh onboarding.

use serde::Deserialize;

use crate::error::{Error, ErrorCode, Result};
use crate::Engine;

/// The word that confirms an erase (the business name works too).
pub const CONFIRMATION_WORD: &str = "ERASE";

/// The one file kept: the running program's lock on the data directory (empty; it says nothing
/// about the business, and removing it would let a second program start on the directory).
const KEPT: &[&str] = &["whatsflow.lock"];

/// The body of an erase request.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EraseRequest {
    /// `ERASE`, or the business name exactly as saved in the profile.
    pub confirmation: String,
}

impl Engine {
    /// Erases everything once `confirmation` matches (see [`EraseRequest`]).
    pub fn erase_everything(&self, request: &EraseRequest) -> Result<()> {
        let typed = request.confirmation.trim();
        let business = self.profile()?.map(|p| p.details.business_name);
        let confirmed = typed == CONFIRMATION_WORD
            || business.as_deref().is_some_and(|name| typed == name.trim());
        if !confirmed {
            return Err(Error::invalid_field(
                "confirmation",
                "Type ERASE (or the business name) to confirm: nothing was erased",
            ));
        }
        // The link's logout destroys the vault and its key (keychain entry and key file) and the
        // browser profile; without it nothing was erased yet, so the user can try again.
        if let Ok(link) = self.link() {
            link.disconnect().map_err(|e| {
                Error::new(
                    ErrorCode::WhatsappUnavailable,
                    format!("Could not log WhatsApp out ({e}): nothing was erased"),
                )
            })?;
        }
        self.db().close();
        let mut failed = Vec::new();
        let entries = std::fs::read_dir(self.data_dir())?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if KEPT.iter().any(|k| name == *k) {
                continue;
            }
            let path = entry.path();
            let removed = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            if let Err(e) = removed {
                tracing::error!(error = %e, path = %path.display(), "could not erase");
                failed.push(path.display().to_string());
            }
        }
        if !failed.is_empty() {
            return Err(Error::internal(format!(
                "Some files could not be erased; delete them by hand: {}",
                failed.join(", ")
            )));
        }
        tracing::info!("erased everything; WhatsFlow starts fresh next time");
        Ok(())
    }
}
