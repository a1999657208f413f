//! Contacts: the people the business talks to. Created from conversations, by hand, by import or by
//! the API; phone numbers are E.164.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::{store, Engine};

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    pub id: i64,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub id: i64,
    /// E.164; null for a WhatsApp user known only by a hidden `@lid` id.
    pub phone_number: Option<String>,
    /// WhatsApp's id for the person: `<digits>@c.us` or `<n>@lid`.
    pub wa_id: Option<String>,
    pub name: String,
    /// The name the person gave themselves in WhatsApp.
    pub push_name: String,
    pub email: String,
    pub notes: String,
    /// Custom fields (used in campaign personalisation as `{{field}}`).
    pub fields: BTreeMap<String, String>,
    pub opted_out: bool,
    /// manual | conversation | import | api
    pub source: String,
    pub first_message_at: Option<String>,
    pub last_message_at: Option<String>,
    pub messages_in: i64,
    pub messages_out: i64,
    pub unread_count: i64,
    pub tags: Vec<Tag>,
    pub created_at: String,
    pub updated_at: String,
}

impl Contact {
    /// What to call the contact: their saved name, else their WhatsApp name, else the number.
    pub fn display_name(&self) -> String {
        [&self.name, &self.push_name]
            .into_iter()
            .find(|s| !s.is_empty())
            .cloned()
            .or_else(|| self.phone_number.clone())
            .or_else(|| self.wa_id.clone())
            .unwrap_or_default()
    }
}

impl Engine {
    pub fn contact(&self, id: i64) -> Result<Contact> {
        self.db().with(|c| store::contacts::get(c, id))?.ok_or_else(|| Error::not_found("contact"))
    }
}
