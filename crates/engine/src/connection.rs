//! Operations on the WhatsApp connection, forwarded to the link with the engine's checks around them.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::link::ConnectionStatus;
use crate::{phone, Engine};

/// A request to link WhatsApp by typing a code on the phone instead of scanning the QR code.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
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
        let code = self.link()?.request_pairing_code(&phone::digits(&e164))?;
        Ok(PairingCode { code })
    }
}
