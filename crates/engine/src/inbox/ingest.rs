//! Inbound messages into the store: what WhatsApp reported, alone or many at once, each batch in one
//! transaction. Idempotent on WhatsApp's message id (a repeat is skipped), each contact upserted and
//! counted once per batch. Live messages are announced one event each (and reach webhooks and
//! campaign tracking); history read from WhatsApp Web's loaded chats is stored marked as history and
//! announced to no one but the sync progress.

use std::collections::HashMap;

use serde::Serialize;

use super::{Direction, Media, MessageStatus};
use crate::error::Result;
use crate::events::Event;
use crate::link::InboundMessage;
use crate::store::contacts::MessageTally;
use crate::store::messages::NewMessage;
use crate::{phone, store, Engine};

/// Where inbound messages come from, which decides who hears about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Received live (also in the bursts WhatsApp delivers after being offline): each new message
    /// is announced (`message.received`, webhooks, campaign replies, opt-out keywords) and an
    /// inbound one is unread.
    Live,
    /// Read from the chats WhatsApp Web had loaded when it linked or reconnected: stored marked as
    /// history and counted, but neither unread nor announced (no notification, no webhook).
    History,
}

/// What one ingested batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IngestOutcome {
    /// Messages stored now.
    pub added: usize,
    /// Messages that were already stored (by their WhatsApp id) and were skipped.
    pub repeats: usize,
}

/// How far the history backfill of the current connection is, announced as `history.sync`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistorySync {
    /// Chats read so far.
    pub chats_done: usize,
    /// Chats WhatsApp Web has loaded and that the app keeps (people, not groups or channels).
    pub chats_total: usize,
    /// Messages read from those chats so far.
    pub messages_read: usize,
    /// Of those, the ones the inbox lacked and now has.
    pub messages_added: usize,
    /// Every loaded chat has been read.
    pub done: bool,
}

/// One message ready for its row: the phone it is filed under and its saved file.
struct Prepared {
    inbound: InboundMessage,
    phone: Option<String>,
    media: Option<Media>,
}

impl Engine {
    /// Records one live message (see [`Engine::ingest_batch`]).
    pub fn ingest(&self, inbound: InboundMessage) -> Result<()> {
        self.ingest_batch(vec![inbound], Origin::Live).map(|_| ())
    }

    /// Records what WhatsApp reported, in one transaction: each party's contact created or updated
    /// once, every message inserted unless its WhatsApp id is already there, the counters bumped
    /// once per contact. Repeats are skipped. Files are written before the transaction, named after
    /// their message, so a repeat rewrites the same file.
    pub fn ingest_batch(
        &self,
        batch: Vec<InboundMessage>,
        origin: Origin,
    ) -> Result<IngestOutcome> {
        if batch.is_empty() {
            return Ok(IngestOutcome::default());
        }
        let mut prepared = Vec::with_capacity(batch.len());
        for inbound in batch {
            let media = match &inbound.media {
                Some(file) => Some(self.save_media(&inbound.wa_message_id, file)?),
                None => None,
            };
            let phone = inbound
                .phone_number
                .clone()
                .or_else(|| phone::from_chat_id(&inbound.chat_id));
            prepared.push(Prepared {
                inbound,
                phone,
                media,
            });
        }
        let history = origin == Origin::History;
        let now = self.now();
        let (outcome, received) = self.write(|tx| {
            let parties = upsert_parties(tx, &prepared, now)?;
            let mut outcome = IngestOutcome::default();
            let mut tallies: HashMap<i64, MessageTally> = HashMap::new();
            let mut inserted = Vec::new();
            for item in &prepared {
                let inbound = &item.inbound;
                let contact_id = parties[inbound.chat_id.as_str()].0;
                let row = NewMessage {
                    wa_message_id: &inbound.wa_message_id,
                    contact_id,
                    direction: if inbound.from_me {
                        Direction::Out
                    } else {
                        Direction::In
                    },
                    kind: &inbound.kind,
                    body: &inbound.body,
                    caption: inbound.caption.as_deref(),
                    media: item.media.as_ref(),
                    quoted_wa_id: inbound.quoted_wa_id.as_deref(),
                    status: if inbound.from_me {
                        MessageStatus::Sent
                    } else {
                        MessageStatus::Received
                    },
                    ack: if inbound.from_me { 1 } else { 0 },
                    campaign_id: None,
                    wa_timestamp: inbound.timestamp,
                    history,
                };
                let Some(id) = store::messages::insert(tx, &row, now)? else {
                    outcome.repeats += 1;
                    continue;
                };
                if !history {
                    inserted.push(row.stored(id, now));
                }
                outcome.added += 1;
                let tally = MessageTally::one(!inbound.from_me, !history, inbound.timestamp);
                tallies
                    .entry(contact_id)
                    .and_modify(|t| t.add(tally))
                    .or_insert(tally);
            }
            for (contact_id, tally) in &tallies {
                store::contacts::count_messages(tx, *contact_id, tally, now)?;
            }
            if history {
                return Ok((outcome, Vec::new()));
            }
            // Announced after the counts moved, so a new contact is shown with its messages.
            let mut created: Vec<i64> = parties
                .values()
                .filter(|(id, new)| *new && tallies.contains_key(id))
                .map(|(id, _)| *id)
                .collect();
            created.sort_unstable();
            created.dedup();
            for contact_id in created {
                tx.emit(Event::ContactCreated(crate::contacts::contact_on(
                    tx, contact_id,
                )?));
            }
            for message in &inserted {
                tx.emit(Event::MessageReceived(message.clone()));
            }
            Ok((outcome, inserted))
        })?;
        if let Err(e) = self.campaign_inbound(&received) {
            tracing::warn!(error = %e, "could not track inbound messages for campaigns");
        }
        Ok(outcome)
    }

    /// Announces how far the history backfill is (`history.sync`; webhooks do not carry it).
    pub fn report_history_sync(&self, progress: HistorySync) {
        self.emit(Event::HistorySync(progress));
    }
}

/// Each chat of the batch upserted once, in order of first appearance: with the first phone any of
/// its messages knows and the latest push name its sender gave. Chat id → (contact id, created).
fn upsert_parties<'a>(
    tx: &rusqlite::Connection,
    prepared: &'a [Prepared],
    now: crate::Millis,
) -> Result<HashMap<&'a str, (i64, bool)>> {
    let mut order: Vec<&str> = Vec::new();
    let mut facts: HashMap<&str, (Option<&str>, Option<&str>)> = HashMap::new();
    for item in prepared {
        let inbound = &item.inbound;
        let push_name = if inbound.from_me {
            None
        } else {
            inbound
                .push_name
                .as_deref()
                .filter(|n| !n.trim().is_empty())
        };
        let entry = facts.entry(inbound.chat_id.as_str()).or_insert_with(|| {
            order.push(inbound.chat_id.as_str());
            (None, None)
        });
        entry.0 = entry.0.or(item.phone.as_deref());
        entry.1 = push_name.or(entry.1);
    }
    let mut parties = HashMap::with_capacity(order.len());
    for chat_id in order {
        let (phone, push_name) = facts[chat_id];
        let party =
            store::contacts::upsert_party(tx, phone, chat_id, push_name, "conversation", now)?;
        parties.insert(chat_id, party);
    }
    Ok(parties)
}
