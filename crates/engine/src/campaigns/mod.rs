//! Broadcast campaigns: a message (personalised, with spintax, optionally with media) to an audience
//! of contacts, at a paced rate, now or at a time in the business's zone. This module holds the
//! campaign model and how a stored campaign is shown; `lifecycle` checks, saves and moves campaigns
//! (draft → scheduled → sending ⇄ paused → completed / cancelled / failed), `audience` previews who
//! and what, `tracking` follows each recipient, `scheduler` sends, `pacing` decides when,
//! `template` renders, `opt_out` honours STOP.

use chrono::TimeZone;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::clock::{to_rfc3339, Millis};
use crate::contacts::TagMode;
use crate::error::{Error, Result};
use crate::inbox::MediaUpload;
use crate::page::{id_cursor, page_limit, Page};
use crate::store::campaigns::CampaignRow;
use crate::{store, Engine};

mod audience;
mod lifecycle;
pub mod opt_out;
pub mod pacing;
pub mod scheduler;
pub mod template;
mod tracking;

pub(crate) use audience::values_of;
pub use audience::{AudienceSize, Preview, PreviewRecipient, PreviewRequest};
pub(crate) use lifecycle::input_of;
pub use lifecycle::parse_schedule;
pub use pacing::PacingPolicy;
pub use scheduler::Scheduler;
pub use tracking::Recipient;

/// The longest campaign name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// A reply within this long after a campaign message counts as a reply to it.
pub const REPLY_WINDOW_MS: Millis = 72 * pacing::HOUR_MS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
/// Where a campaign is in its life.
pub enum CampaignStatus {
    /// Being written; may be edited, sent or deleted.
    Draft,
    /// Waiting for its `scheduledAt`; may still be edited.
    Scheduled,
    /// Sending now (or waiting for its pace, quiet hours, or WhatsApp).
    Sending,
    /// Stopped by the user or by a ban sign (`statusReason` says which); resumes where it stopped.
    Paused,
    /// Every recipient was sent to or skipped.
    Completed,
    /// Ended by the user; messages already in the outbox still went out.
    Cancelled,
    /// Could not start or go on (`statusReason` says why).
    Failed,
}

impl CampaignStatus {
    /// The name stored and shown on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Sending => "sending",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Completed => "completed",
            CampaignStatus::Cancelled => "cancelled",
            CampaignStatus::Failed => "failed",
        }
    }
    /// The status a stored name stands for (draft for anything unknown).
    pub fn parse(text: &str) -> CampaignStatus {
        match text {
            "scheduled" => CampaignStatus::Scheduled,
            "sending" => CampaignStatus::Sending,
            "paused" => CampaignStatus::Paused,
            "completed" => CampaignStatus::Completed,
            "cancelled" => CampaignStatus::Cancelled,
            "failed" => CampaignStatus::Failed,
            _ => CampaignStatus::Draft,
        }
    }
}

/// Who a campaign is for.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    /// Every contact.
    #[default]
    All,
    /// Contacts with the tags in `targetTags` (any or all of them, per `tagMode`).
    Tags,
    /// The contacts in `contactIds`.
    Custom,
}

impl TargetType {
    /// The name stored and shown on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::All => "all",
            TargetType::Tags => "tags",
            TargetType::Custom => "custom",
        }
    }
    /// The target a stored name stands for (all for anything unknown).
    pub fn parse(text: &str) -> TargetType {
        match text {
            "tags" => TargetType::Tags,
            "custom" => TargetType::Custom,
            _ => TargetType::All,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
/// Where one recipient's message stands.
pub enum RecipientStatus {
    /// Not yet sent to.
    Pending,
    /// Not sent to, for `reason` (opted out, not on WhatsApp, deleted, no phone number).
    Skipped,
    /// WhatsApp accepted the message.
    Sent,
    /// It reached the recipient's phone.
    Delivered,
    /// The recipient read it.
    Read,
    /// It could not be sent, for `reason`.
    Failed,
    /// The recipient wrote back within 72 hours of it.
    Replied,
}

impl RecipientStatus {
    /// The name stored and shown on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientStatus::Pending => "pending",
            RecipientStatus::Skipped => "skipped",
            RecipientStatus::Sent => "sent",
            RecipientStatus::Delivered => "delivered",
            RecipientStatus::Read => "read",
            RecipientStatus::Failed => "failed",
            RecipientStatus::Replied => "replied",
        }
    }
    /// The status a stored name stands for (pending for anything unknown).
    pub fn parse(text: &str) -> RecipientStatus {
        match text {
            "skipped" => RecipientStatus::Skipped,
            "sent" => RecipientStatus::Sent,
            "delivered" => RecipientStatus::Delivered,
            "read" => RecipientStatus::Read,
            "failed" => RecipientStatus::Failed,
            "replied" => RecipientStatus::Replied,
            _ => RecipientStatus::Pending,
        }
    }
}

/// The campaign's media file.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignMedia {
    /// The file's MIME type.
    pub mimetype: String,
    /// The file's name, when it has one (documents).
    pub filename: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
/// A campaign as the API shows it, with its counters and, while it runs, its pace.
pub struct Campaign {
    /// Its id.
    pub id: i64,
    /// Its name, for the owner (recipients never see it).
    pub name: String,
    /// The template: variables like `{{first_name|there}}` and spintax like `{Hi|Hello}`. With media,
    /// it is the caption.
    pub message_content: String,
    /// The file sent with the message, if any.
    pub media: Option<CampaignMedia>,
    /// Who it is for.
    pub target_type: TargetType,
    /// With `tags`: the tags a contact needs (any or all of them, per `tagMode`).
    pub target_tags: Vec<i64>,
    /// With `tags`: whether a contact needs any or all of `targetTags`.
    pub tag_mode: TagMode,
    /// Contacts with any of these tags are left out, whatever the target.
    pub exclude_tags: Vec<i64>,
    /// With `custom`: the contacts picked by hand.
    pub contact_ids: Vec<i64>,
    /// When sending starts (RFC 3339, UTC); null for "when sent".
    pub scheduled_at: Option<String>,
    /// The same moment in the business's time zone, `YYYY-MM-DDTHH:MM`.
    pub scheduled_local: Option<String>,
    /// How fast and when it sends.
    pub pacing: PacingPolicy,
    /// Where it is in its life.
    pub status: CampaignStatus,
    /// Why the campaign is paused or failed, for people.
    pub status_reason: Option<String>,
    /// When sending first started (RFC 3339).
    pub started_at: Option<String>,
    /// When it completed, was cancelled or failed (RFC 3339).
    pub completed_at: Option<String>,
    /// Recipients frozen when sending started (0 before).
    pub total_recipients: i64,
    /// Recipients whose message WhatsApp accepted (delivered and read ones included).
    pub sent_count: i64,
    /// Recipients whose message reached their phone (read ones included).
    pub delivered_count: i64,
    /// Recipients who read their message.
    pub read_count: i64,
    /// Recipients whose message could not be sent.
    pub failed_count: i64,
    /// Recipients skipped, each with a reason.
    pub skipped_count: i64,
    /// Recipients who wrote back within 72 hours.
    pub replied_count: i64,
    /// Recipients not yet sent to (nor skipped, nor failed).
    pub pending_count: i64,
    /// While sending: when the next message may go out.
    pub next_send_at: Option<String>,
    /// While sending: what the next send waits for (gap, hourly_cap, daily_cap, quiet_hours,
    /// whatsapp, typing).
    pub waiting_for: Option<String>,
    /// While sending or paused: the estimated finish at the campaign's pace.
    pub estimated_finish_at: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

/// What the wizard and the API submit to create or replace a campaign.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CampaignInput {
    /// Its name, for the owner.
    pub name: String,
    /// The template: variables like `{{first_name|there}}` and spintax like `{Hi|Hello}`; with
    /// media, the caption.
    pub message_content: String,
    /// A file sent with the message (the message is its caption). On update, leaving it out keeps
    /// the current file.
    pub media: Option<MediaUpload>,
    /// On update: true drops the current file.
    pub remove_media: bool,
    /// Who it is for; required.
    pub target_type: Option<TargetType>,
    /// With `tags`: the tags a contact needs.
    pub target_tags: Vec<i64>,
    /// With `tags`: any or all of `targetTags`.
    pub tag_mode: TagMode,
    /// Contacts with any of these tags are left out.
    pub exclude_tags: Vec<i64>,
    /// With `custom`: the contacts picked by hand.
    pub contact_ids: Vec<i64>,
    /// ISO 8601. With an offset or `Z` it is that instant; without, a local time in the business's
    /// time zone (a time skipped by a DST change is refused; a repeated one means the first).
    pub scheduled_at: Option<String>,
    /// Pacing; fields left out take their defaults.
    pub pacing: Option<PacingPolicy>,
}

fn local_text(tz: Tz, at: Millis) -> Option<String> {
    tz.timestamp_millis_opt(at)
        .single()
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
}

/// The business's time zone (UTC before onboarding), read on `conn` (a change's own transaction
/// reads nothing through another connection).
fn business_zone_on(conn: &rusqlite::Connection) -> Result<Tz> {
    Ok(store::profile::get(conn)?.map_or(chrono_tz::UTC, |p| p.zone()))
}

impl Engine {
    /// The business's time zone (UTC before onboarding).
    pub(crate) fn business_zone(&self) -> Result<Tz> {
        self.db().with(business_zone_on)
    }

    pub(crate) fn campaign_row(&self, id: i64) -> Result<CampaignRow> {
        self.db()
            .with(|c| store::campaigns::get(c, id))?
            .ok_or_else(|| Error::not_found("campaign"))
    }

    /// When `remaining` sends at `pacing` would be done, starting at `start` (or now, when it is
    /// absent or past), counting what was already sent that day against the daily cap.
    pub(super) fn estimate_finish(
        &self,
        conn: &rusqlite::Connection,
        pacing: &PacingPolicy,
        start: Option<Millis>,
        remaining: i64,
    ) -> Result<Option<String>> {
        let tz = business_zone_on(conn)?;
        let now = self.now();
        let from = start.unwrap_or(now).max(now);
        let linked_at = store::campaigns::linked_at(conn)?;
        let sent_today =
            store::campaigns::count_outgoing_since(conn, pacing::today_start(tz, from))?;
        Ok(
            pacing::estimate_finish(pacing, tz, linked_at, from, remaining, sent_today)
                .map(to_rfc3339),
        )
    }

    /// The campaign as the API shows it, with its ETA while it runs; what else it needs is read
    /// on `conn`.
    fn present_campaign(&self, conn: &rusqlite::Connection, row: CampaignRow) -> Result<Campaign> {
        let tz = business_zone_on(conn)?;
        let pacing: PacingPolicy = serde_json::from_str(&row.pacing).unwrap_or_default();
        let pending = row.counts.pending();
        let estimated_finish_at = match row.status {
            CampaignStatus::Sending | CampaignStatus::Paused | CampaignStatus::Scheduled => {
                let start = row
                    .scheduled_at
                    .filter(|_| row.status == CampaignStatus::Scheduled);
                let remaining = if row.status == CampaignStatus::Scheduled {
                    let size = store::campaigns::count_audience(conn, &row.audience)?;
                    size.total - size.opted_out - size.no_phone
                } else {
                    pending
                };
                self.estimate_finish(conn, &pacing, start, remaining)?
            }
            _ => None,
        };
        Ok(Campaign {
            id: row.id,
            name: row.name,
            message_content: row.message_content,
            media: row.media_mime.map(|mimetype| CampaignMedia {
                mimetype,
                filename: row.media_filename,
            }),
            target_type: row.audience.target_type,
            target_tags: row.audience.target_tags,
            tag_mode: row.audience.tag_mode,
            exclude_tags: row.audience.exclude_tags,
            contact_ids: row.audience.contact_ids,
            scheduled_at: row.scheduled_at.map(to_rfc3339),
            scheduled_local: row.scheduled_at.and_then(|at| local_text(tz, at)),
            pacing,
            status: row.status,
            status_reason: row.status_reason,
            started_at: row.started_at.map(to_rfc3339),
            completed_at: row.completed_at.map(to_rfc3339),
            total_recipients: row.counts.total,
            sent_count: row.counts.sent,
            delivered_count: row.counts.delivered,
            read_count: row.counts.read,
            failed_count: row.counts.failed,
            skipped_count: row.counts.skipped,
            replied_count: row.counts.replied,
            pending_count: pending,
            next_send_at: row
                .next_send_at
                .filter(|_| row.status == CampaignStatus::Sending)
                .map(to_rfc3339),
            waiting_for: row
                .waiting_for
                .filter(|_| row.status == CampaignStatus::Sending),
            estimated_finish_at,
            created_at: to_rfc3339(row.created_at),
            updated_at: to_rfc3339(row.updated_at),
        })
    }

    /// One campaign, as the API shows it.
    pub fn campaign(&self, id: i64) -> Result<Campaign> {
        self.db().with(|c| self.campaign_on(c, id))
    }

    /// The campaign as read on `conn` (inside a change: as the change leaves it, for its events).
    pub(super) fn campaign_on(&self, conn: &rusqlite::Connection, id: i64) -> Result<Campaign> {
        let row = store::campaigns::get(conn, id)?.ok_or_else(|| Error::not_found("campaign"))?;
        self.present_campaign(conn, row)
    }

    /// Campaigns newest first, before an optional id, optionally of one status.
    pub fn campaigns(
        &self,
        status: Option<CampaignStatus>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Campaign>> {
        let before_id = id_cursor(cursor)?;
        let limit = page_limit(limit);
        let items = self.db().with(|c| {
            store::campaigns::list(c, status, before_id, limit + 1)?
                .into_iter()
                .map(|r| self.present_campaign(c, r))
                .collect::<Result<Vec<_>>>()
        })?;
        Ok(Page::from_overfetch(items, limit, |x| x.id.to_string()))
    }
}
