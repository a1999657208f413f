//! The event bus: everything the UI, the event stream and the webhooks hear about. A closed enum, so
//! every listener sees every kind at compile time.

use serde::Serialize;

use crate::campaigns::{Campaign, CampaignStatus, Recipient};
use crate::clock::Millis;
use crate::contacts::Contact;
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
    /// A message was queued for sending from the app.
    #[serde(rename = "message.created")]
    MessageCreated(Message),
    /// A message's status moved (sending, sent, delivered, read, failed).
    #[serde(rename = "message.updated")]
    MessageUpdated(Message),
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
