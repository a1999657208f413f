//! Each recipient's way: their status (pending, skipped with a reason, sent, delivered, read, failed,
//! replied) following the message's acks and the contact's replies, the campaign's counters kept in
//! step in the same transaction, the ban sign that pauses everything, and the recipients as pages
//! and as CSV.

use serde::Serialize;

use super::{scheduler, RecipientStatus, REPLY_WINDOW_MS};
use crate::clock::{to_rfc3339, Millis};
use crate::error::{Error, Result};
use crate::events::Event;
use crate::inbox::MessageStatus;
use crate::page::{id_cursor, page_limit, Page};
use crate::{store, Engine};

/// A campaign's recipient and where their message stands.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    /// Its id.
    pub id: i64,
    /// The campaign.
    pub campaign_id: i64,
    /// Null once the contact was deleted.
    pub contact_id: Option<i64>,
    /// The number it was frozen with (E.164).
    pub phone_number: String,
    /// The contact's name (empty once the contact is deleted).
    pub name: String,
    /// Its place in send order, from 1.
    pub position: i64,
    /// Where its message stands.
    pub status: RecipientStatus,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
    /// The message sent to it, once queued.
    pub message_id: Option<i64>,
    /// When WhatsApp accepted the message (RFC 3339).
    #[serde(serialize_with = "rfc3339")]
    #[schemars(with = "Option<String>")]
    pub sent_at: Option<Millis>,
    /// When it reached the recipient's phone (RFC 3339).
    #[serde(serialize_with = "rfc3339")]
    #[schemars(with = "Option<String>")]
    pub delivered_at: Option<Millis>,
    /// When the recipient read it (RFC 3339).
    #[serde(serialize_with = "rfc3339")]
    #[schemars(with = "Option<String>")]
    pub read_at: Option<Millis>,
    /// When the recipient wrote back (RFC 3339).
    #[serde(serialize_with = "rfc3339")]
    #[schemars(with = "Option<String>")]
    pub replied_at: Option<Millis>,
}

/// Times are milliseconds inside the engine and RFC 3339 on the wire.
fn rfc3339<S: serde::Serializer>(
    at: &Option<Millis>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_some(&to_rfc3339(*at)),
        None => serializer.serialize_none(),
    }
}

impl Engine {
    /// A page of a campaign's recipients in send order, after a position.
    pub fn campaign_recipients(
        &self,
        id: i64,
        status: Option<RecipientStatus>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Recipient>> {
        self.campaign_row(id)?;
        let after_position = id_cursor(cursor)?.unwrap_or(0);
        let limit = page_limit(limit);
        let rows = self
            .db()
            .with(|c| store::campaigns::recipients(c, id, status, after_position, limit + 1))?;
        Ok(Page::from_overfetch(rows, limit, |r: &Recipient| {
            r.position.to_string()
        }))
    }

    /// Every recipient of a campaign as CSV (UTF-8, a header row).
    pub fn export_campaign_recipients(&self, id: i64) -> Result<Vec<u8>> {
        self.campaign_row(id)?;
        let mut out = csv::Writer::from_writer(Vec::new());
        let csv_error = |e: csv::Error| Error::internal(format!("could not write CSV: {e}"));
        out.write_record([
            "position",
            "phone_number",
            "name",
            "status",
            "reason",
            "sent_at",
            "delivered_at",
            "read_at",
            "replied_at",
        ])
        .map_err(csv_error)?;
        let mut after = 0;
        loop {
            let page = self
                .db()
                .with(|c| store::campaigns::recipients(c, id, None, after, 1000))?;
            let Some(last) = page.last() else { break };
            after = last.position;
            for r in page {
                let time = |t: Option<Millis>| t.map(to_rfc3339).unwrap_or_default();
                out.write_record([
                    r.position.to_string(),
                    r.phone_number,
                    r.name,
                    r.status.as_str().to_owned(),
                    r.reason.unwrap_or_default(),
                    time(r.sent_at),
                    time(r.delivered_at),
                    time(r.read_at),
                    time(r.replied_at),
                ])
                .map_err(csv_error)?;
            }
        }
        out.into_inner()
            .map_err(|e| Error::internal(format!("could not write CSV: {e}")))
    }

    /// Applies a change to a recipient (and its campaign's counters) and announces it.
    pub(crate) fn change_recipient(
        &self,
        recipient_id: i64,
        change: impl FnOnce(&mut Recipient),
    ) -> Result<Option<Recipient>> {
        self.write(|tx| {
            let Some(old) = store::campaigns::recipient(tx, recipient_id)? else {
                return Ok(None);
            };
            let mut new = old.clone();
            change(&mut new);
            if new == old {
                return Ok(None);
            }
            store::campaigns::save_recipient(tx, &old, &new)?;
            tx.emit(Event::CampaignRecipientUpdated(new.clone()));
            Ok(Some(new))
        })
    }

    /// Skips a recipient that has not been sent to, with a reason.
    pub(crate) fn skip_recipient(&self, recipient_id: i64, reason: &str) -> Result<()> {
        self.change_recipient(recipient_id, |r| {
            if r.status == RecipientStatus::Pending && r.message_id.is_none() {
                r.status = RecipientStatus::Skipped;
                r.reason = Some(reason.to_owned());
            }
        })?;
        Ok(())
    }

    /// Follows a campaign message's status onto its recipient: sent, delivered, read, failed. A
    /// failure counts towards the ban sign; called by the outbox and ack paths, and by the
    /// scheduler for a message whose update it may have missed (a crash in between).
    pub(crate) fn track_campaign_message(&self, message_id: i64) -> Result<()> {
        let Some(recipient_id) = self
            .db()
            .with(|c| store::campaigns::recipient_of_message(c, message_id))?
        else {
            return Ok(());
        };
        let message = self.message(message_id)?;
        let at = self.now();
        let updated = self.change_recipient(recipient_id, |r| match message.status {
            MessageStatus::Queued | MessageStatus::Sending | MessageStatus::Received => {}
            MessageStatus::Failed => {
                r.status = RecipientStatus::Failed;
                r.reason = Some(
                    message
                        .error
                        .clone()
                        .unwrap_or_else(|| "sending failed".into()),
                );
                r.sent_at = None;
                r.delivered_at = None;
                r.read_at = None;
            }
            reached => {
                r.sent_at.get_or_insert(at);
                if matches!(
                    reached,
                    MessageStatus::Delivered | MessageStatus::Read | MessageStatus::Played
                ) {
                    r.delivered_at.get_or_insert(at);
                }
                if matches!(reached, MessageStatus::Read | MessageStatus::Played) {
                    r.read_at.get_or_insert(at);
                }
                if r.status != RecipientStatus::Replied {
                    r.status = match reached {
                        MessageStatus::Sent => RecipientStatus::Sent,
                        MessageStatus::Delivered => RecipientStatus::Delivered,
                        _ => RecipientStatus::Read,
                    };
                    r.reason = None;
                }
            }
        })?;
        let failed_now = updated.filter(|r| r.status == RecipientStatus::Failed);
        if let Some(recipient) = failed_now {
            let in_row = self
                .db()
                .with(|c| store::campaigns::failures_in_row(c, recipient.campaign_id))?;
            if in_row >= scheduler::FAILURES_BEFORE_PAUSE {
                self.pause_all_campaigns(Some(&format!(
                    "{in_row} messages in a row could not be sent: WhatsApp may be limiting this \
                     number. Check the phone before resuming"
                )))?;
            }
        }
        self.campaign_signal().notify();
        Ok(())
    }

    /// Called whenever a message's status moved: a campaign message's recipient follows it once it
    /// left the outbox (queued and sending change nothing for the recipient, nor for the scheduler).
    pub(crate) fn after_campaign_message(&self, message: &crate::inbox::Message) {
        let in_outbox = matches!(
            message.status,
            MessageStatus::Queued | MessageStatus::Sending
        );
        if message.campaign_id.is_some() && !in_outbox {
            if let Err(e) = self.track_campaign_message(message.id) {
                tracing::warn!(error = %e, "could not track a campaign message");
            }
        }
    }

    /// Inbound messages: replies to campaign messages of the last 72 hours, and maybe opt-outs.
    /// The opt-out settings are read once and the waiting recipients in one go for the whole batch.
    pub(crate) fn campaign_inbound(&self, messages: &[crate::inbox::Message]) -> Result<()> {
        let inbound: Vec<(&crate::inbox::Message, Millis)> = messages
            .iter()
            .filter(|m| m.direction == crate::inbox::Direction::In)
            .map(|m| {
                let at = chrono::DateTime::parse_from_rfc3339(&m.timestamp)
                    .map(|t| t.timestamp_millis())
                    .unwrap_or_else(|_| self.now());
                (m, at)
            })
            .collect();
        if inbound.is_empty() {
            return Ok(());
        }
        let waiting = self.db().with(|c| {
            let mut waiting = Vec::new();
            for (message, at) in &inbound {
                for recipient_id in
                    store::campaigns::awaiting_reply(c, message.contact_id, *at, REPLY_WINDOW_MS)?
                {
                    waiting.push((recipient_id, *at));
                }
            }
            Ok(waiting)
        })?;
        for (recipient_id, at) in waiting {
            self.change_recipient(recipient_id, |r| {
                if r.replied_at.is_none() {
                    r.status = RecipientStatus::Replied;
                    r.replied_at = Some(at);
                }
            })?;
        }
        let settings = self.opt_out_settings()?;
        for (message, _) in inbound {
            self.apply_opt_out_keywords(message, &settings)?;
        }
        Ok(())
    }
}
