//! Operations on the WhatsApp connection, forwarded to the link with the engine's checks around them.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::link::{ConnectionState, ConnectionStatus};
use crate::{phone, Engine};

/// A request to link WhatsApp by typing a code on the phone instead of scanning the QR code.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PairingRequest {
    /// The business's WhatsApp number, with country code or in the business country's format.
    pub phone_number: String,
}

/// The code to type on the phone.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PairingCode {
    /// Eight characters to type on the phone: WhatsApp → Linked devices → Link with phone number.
    pub code: String,
}

impl Engine {
    /// Starts (or resumes) the WhatsApp link.
    pub fn connect_whatsapp(&self) -> Result<ConnectionStatus> {
        let link = self.link()?;
        link.connect()?;
        Ok(link.status())
    }

    /// Logs the number out and forgets the saved session.
    pub fn disconnect_whatsapp(&self) -> Result<ConnectionStatus> {
        let link = self.link()?;
        link.disconnect()?;
        self.audit("whatsapp.disconnected", serde_json::json!({}))?;
        Ok(link.status())
    }

    /// "Use here": takes the session back from another browser.
    pub fn take_over_whatsapp(&self) -> Result<ConnectionStatus> {
        let link = self.link()?;
        link.take_over()?;
        Ok(link.status())
    }

    /// Asks WhatsApp for a code to link the number by typing it on the phone.
    pub fn request_pairing_code(&self, request: PairingRequest) -> Result<PairingCode> {
        let e164 = phone::normalize(&request.phone_number, self.default_region()?)
            .map_err(|e| Error::invalid_field("phoneNumber", format!("The {e}")))?;
        let link = self.link()?;
        // Linked already: a state the request conflicts with, not WhatsApp being unavailable.
        if matches!(
            link.status().state,
            ConnectionState::Connected
                | ConnectionState::Syncing
                | ConnectionState::PhoneOffline
                | ConnectionState::Conflict
        ) {
            return Err(Error::new(
                ErrorCode::Conflict,
                "WhatsApp is already linked: disconnect first to link by phone number",
            ));
        }
        let code = link.request_pairing_code(&phone::digits(&e164))?;
        Ok(PairingCode { code })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::link::{Link, OutgoingMessage};

    /// A link already linked to a number; anything but `status` is a mistake here.
    struct Linked;

    impl Link for Linked {
        fn status(&self) -> ConnectionStatus {
            ConnectionStatus::new(ConnectionState::Connected)
        }
        fn connect(&self) -> Result<()> {
            unreachable!()
        }
        fn disconnect(&self) -> Result<()> {
            unreachable!()
        }
        fn request_pairing_code(&self, _: &str) -> Result<String> {
            Err(Error::new(
                ErrorCode::WhatsappUnavailable,
                "asked WhatsApp Web while linked",
            ))
        }
        fn take_over(&self) -> Result<()> {
            unreachable!()
        }
        fn check_number(&self, _: &str) -> Result<Option<String>> {
            unreachable!()
        }
        fn send(&self, _: &OutgoingMessage) -> Result<i32> {
            unreachable!()
        }
        fn find_message(&self, _: &str) -> Result<Option<i32>> {
            unreachable!()
        }
        fn mark_read(&self, _: &str) -> Result<()> {
            unreachable!()
        }
        fn set_typing(&self, _: &str, _: bool) -> Result<()> {
            unreachable!()
        }
    }

    #[test]
    fn a_pairing_code_while_linked_is_a_conflict() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::in_memory(Arc::new(crate::ManualClock::new(0)), dir.path()).unwrap();
        engine.set_link(Arc::new(Linked));
        let err = engine
            .request_pairing_code(PairingRequest {
                phone_number: "+14155550132".into(),
            })
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict, "{err}");
    }
}
