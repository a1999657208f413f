//! The event bus: everything the UI, the event stream and the webhooks hear about. A closed enum, so
//! every listener sees every kind at compile time.

use std::sync::OnceLock;

use serde::Serialize;

use crate::campaigns::{Campaign, CampaignStatus, Recipient};
use crate::clock::Millis;
use crate::contacts::Contact;
use crate::error::{Error, Result};
use crate::inbox::Message;
use crate::link::ConnectionStatus;
use crate::profile::Profile;

/// One thing that happened. The serialized `type` names are public (event stream and webhooks).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(tag = "type", content = "data")]
pub enum Event {
    /// Never published by the engine: a transport (the event stream, the desktop relay) sends it
    /// when its listener fell behind and events were dropped, so the listener reloads what it shows.
    #[serde(rename = "resync")]
    Resync,
    /// The business profile was saved.
    #[serde(rename = "profile.updated")]
    ProfileUpdated(Profile),
    /// The app lock was set, changed, removed, locked or unlocked.
    #[serde(rename = "lock.changed")]
    LockChanged(crate::lock::LockStatus),
    /// The WhatsApp connection changed state (QR rotated, connected, logged out, ...).
    #[serde(rename = "whatsapp.status")]
    ConnectionChanged(ConnectionStatus),
    /// A call to WhatsApp the user started (connect, take over, a pairing code) failed. Those calls
    /// answer at once and run on; this is how their failure is told (their success shows in
    /// `whatsapp.status`).
    #[serde(rename = "whatsapp.call_failed")]
    LinkCallFailed(crate::connection::LinkCallFailure),
    /// A contact appeared (from a conversation, by hand, by the API).
    #[serde(rename = "contact.created")]
    ContactCreated(Contact),
    /// A contact changed (edited, tagged, read, opted out).
    #[serde(rename = "contact.updated")]
    ContactUpdated(Contact),
    /// A contact opted out of campaigns (by an inbound keyword, by hand or through the API), sent
    /// beside the `contact.updated` of the same change.
    #[serde(rename = "contact.opted_out")]
    ContactOptedOut(Contact),
    /// A contact was deleted, with its messages and media.
    #[serde(rename = "contact.deleted")]
    ContactDeleted {
        /// The deleted contact's id.
        id: i64,
    },
    /// Many contacts changed at once (a bulk action): listeners reload instead of patching.
    #[serde(rename = "contacts.changed")]
    ContactsChanged(crate::contacts::BulkOutcome),
    /// An import was committed: listeners reload.
    #[serde(rename = "contacts.imported")]
    ContactsImported(crate::import::ImportCounts),
    /// How far a running import is (rows written of the total), for a progress bar.
    #[serde(rename = "contacts.import.progress")]
    ImportProgress {
        /// Rows written so far.
        done: usize,
        /// Rows to write in all.
        total: usize,
    },
    /// A tag was created, renamed, recoloured or deleted: every tag, by name.
    #[serde(rename = "tags.changed")]
    TagsChanged(Vec<crate::contacts::Tag>),
    /// A message arrived (or was sent from the phone itself).
    #[serde(rename = "message.received")]
    MessageReceived(Message),
    /// How far the history backfill is: the chats WhatsApp Web had loaded, read into the inbox
    /// after linking or reconnecting. Webhooks do not carry it; listeners reload when it is `done`.
    #[serde(rename = "history.sync")]
    HistorySync(crate::inbox::HistorySync),
    /// A message was queued for sending from the app.
    #[serde(rename = "message.created")]
    MessageCreated(Message),
    /// A message's status moved (sending, sent, delivered, read, failed).
    #[serde(rename = "message.updated")]
    MessageUpdated(Message),
    /// Its sender deleted a message for everyone (`revokedAt`; the text is kept).
    #[serde(rename = "message.revoked")]
    MessageRevoked(Message),
    /// Its sender edited a message (`editedAt`, `originalText`).
    #[serde(rename = "message.edited")]
    MessageEdited(Message),
    /// A campaign started sending (at once, or at its scheduled time).
    #[serde(rename = "campaign.started")]
    CampaignStarted(Campaign),
    /// A campaign was paused, by hand or by a ban sign (`statusReason` says which).
    #[serde(rename = "campaign.paused")]
    CampaignPaused(Campaign),
    /// A paused campaign was resumed by hand.
    #[serde(rename = "campaign.resumed")]
    CampaignResumed(Campaign),
    /// Every recipient was sent to, skipped or failed.
    #[serde(rename = "campaign.completed")]
    CampaignCompleted(Campaign),
    /// A campaign was cancelled: nothing more is sent for it.
    #[serde(rename = "campaign.cancelled")]
    CampaignCancelled(Campaign),
    /// A campaign could not start or go on (`statusReason` says why).
    #[serde(rename = "campaign.failed")]
    CampaignFailed(Campaign),
    /// A recipient's status moved (skipped, sent, delivered, read, failed, replied).
    #[serde(rename = "campaign.recipient_updated")]
    CampaignRecipientUpdated(Recipient),
    /// The app disabled a webhook because its deliveries kept failing (webhooks never carry this
    /// one: the receiver is the thing that fails).
    #[serde(rename = "webhook.disabled")]
    WebhookDisabled(crate::webhooks::WebhookDisabled),
}

impl Event {
    /// The event announcing that a started campaign moved to `status` (to sending again: it was
    /// resumed), if that move has one.
    pub(crate) fn campaign_moved(status: CampaignStatus, campaign: Campaign) -> Option<Event> {
        Some(match status {
            CampaignStatus::Sending => Event::CampaignResumed(campaign),
            CampaignStatus::Paused => Event::CampaignPaused(campaign),
            CampaignStatus::Cancelled => Event::CampaignCancelled(campaign),
            CampaignStatus::Completed => Event::CampaignCompleted(campaign),
            CampaignStatus::Failed => Event::CampaignFailed(campaign),
            _ => return None,
        })
    }
}

/// An event with its place in the stream: `id` grows by one per event, so a client can resume.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EventEnvelope {
    /// The event's number in this run of the program, growing by one.
    pub id: u64,
    /// When it happened.
    pub at: Millis,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// Whether a filter (names, `prefix.*` patterns, `*`) takes an event called `name`. Webhooks and the
/// event stream filter alike.
pub(crate) fn filter_takes(filter: &[String], name: &str) -> bool {
    filter.iter().any(|f| {
        f == "*"
            || f == name
            || f.strip_suffix('*')
                .is_some_and(|prefix| prefix.ends_with('.') && name.starts_with(prefix))
    })
}

/// Every event name the event stream sends, read once from the `Event` type's own schema (so a new
/// event is known here by construction).
fn stream_types() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let schema = serde_json::to_value(schemars::schema_for!(Event)).unwrap_or_default();
        let mut names = Vec::new();
        for variant in schema["oneOf"].as_array().into_iter().flatten() {
            let tag = &variant["properties"]["type"];
            let name = tag["const"].as_str().or_else(|| tag["enum"][0].as_str());
            names.extend(name.map(str::to_owned));
        }
        names
    })
}

/// Which events a listener of the event stream wants: event names and `prefix.*` patterns (or `*`),
/// by the names the stream sends or the names webhooks give the same events (`message.sent`,
/// `connection.status`, ...). No filter takes everything.
#[derive(Debug, Clone, Default)]
pub struct EventFilter(Vec<String>);

impl EventFilter {
    /// Reads a comma-separated list; an unknown name or pattern is a field error on `field`, so a
    /// typo never silently filters everything out.
    pub fn parse(field: &str, list: &str) -> Result<EventFilter> {
        let known = |name: &str| {
            stream_types().iter().any(|t| t == name) || crate::webhooks::EVENT_TYPES.contains(&name)
        };
        let names: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        for name in &names {
            let pattern_known = name.strip_suffix(".*").is_some_and(|prefix| {
                let prefix = format!("{prefix}.");
                stream_types().iter().any(|t| t.starts_with(&prefix))
                    || crate::webhooks::EVENT_TYPES
                        .iter()
                        .any(|t| t.starts_with(&prefix))
            });
            if !(name == "*" || known(name) || pattern_known) {
                return Err(Error::invalid_field(
                    field,
                    format!(
                        "Unknown event type {name:?}: use event names such as message.received, \
                         prefix.* patterns such as contact.*, or *"
                    ),
                ));
            }
        }
        Ok(EventFilter(names))
    }

    /// Whether this filter takes an event known by `names` (its stream name, and the webhook name
    /// where it has one). A `resync` always passes: it tells the listener to reload, whatever it
    /// listens to.
    pub fn takes(&self, names: &[&str]) -> bool {
        self.0.is_empty()
            || names.contains(&"resync")
            || names.iter().any(|name| filter_takes(&self.0, name))
    }

    /// The names an event is known by: its stream name, and the webhook name where it has one.
    pub fn names_of(event: &Event) -> Vec<String> {
        let stream_name = serde_json::to_value(event)
            .ok()
            .and_then(|v| v["type"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut names = vec![stream_name];
        names.extend(crate::webhooks::webhook_type(event).map(str::to_owned));
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_knows_every_event_name_from_the_type_itself() {
        for name in [
            "resync",
            "message.received",
            "contact.opted_out",
            "campaign.recipient_updated",
        ] {
            assert!(
                stream_types().iter().any(|t| t == name),
                "{name}: {:?}",
                stream_types()
            );
        }
    }

    #[test]
    fn filters_take_stream_and_webhook_names_and_refuse_unknown_ones() {
        let filter = EventFilter::parse("types", "message.sent, contact.*").unwrap();
        let names = |event: &Event| EventFilter::names_of(event);
        let takes = |event: &Event| {
            filter.takes(&names(event).iter().map(String::as_str).collect::<Vec<_>>())
        };
        assert_eq!(
            names(&Event::ContactDeleted { id: 1 }),
            vec!["contact.deleted", "contact.deleted"]
        );
        assert!(takes(&Event::ContactDeleted { id: 1 }));
        assert!(!takes(&Event::TagsChanged(Vec::new())));
        assert!(takes(&Event::Resync));
        assert!(EventFilter::default().takes(&["tags.changed"]));
        for bad in ["message.recieved", "nope.*", "message*"] {
            let err = EventFilter::parse("types", bad).unwrap_err();
            assert_eq!(err.details[0].field, "types", "{bad}");
        }
        assert!(
            EventFilter::parse("types", "whatsapp.status,connection.status,campaign.*").is_ok()
        );
    }
}
