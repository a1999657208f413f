//! Messages changed after they arrived: deleted for everyone by their sender (revoked) or edited.
//! The stored message is updated in place and the text as it first arrived is kept for the
//! business; the UI hears `message.revoked` / `message.edited` with the whole message.

use crate::error::Result;
use crate::events::Event;
use crate::link::MessageChange;
use crate::{store, Engine};

/// Types whose text is the caption: an edit of one of these changes the caption, not the body.
const CAPTIONED: &[&str] = &["image", "video", "audio", "ptt", "document", "sticker"];

impl Engine {
    /// Applies a change WhatsApp reported. A message the database lacks (never stored, or its
    /// contact erased) and a repeat of a change already applied change nothing.
    pub fn apply_message_change(&self, change: &MessageChange) -> Result<()> {
        let now = self.now();
        self.write(|tx| {
            let Some(message) = store::messages::get_by_wa_id(tx, change.wa_message_id())? else {
                return Ok(());
            };
            let event: fn(super::Message) -> Event = match change {
                MessageChange::Revoked { .. } => {
                    if !store::messages::mark_revoked(tx, message.id, now)? {
                        return Ok(());
                    }
                    Event::MessageRevoked
                }
                MessageChange::Edited { text, .. } => {
                    let in_caption = CAPTIONED.contains(&message.kind.as_str());
                    if !store::messages::apply_edit(tx, message.id, text, in_caption, now)? {
                        return Ok(());
                    }
                    Event::MessageEdited
                }
            };
            if let Some(updated) = store::messages::get(tx, message.id)? {
                tx.emit(event(updated));
            }
            Ok(())
        })
    }
}
