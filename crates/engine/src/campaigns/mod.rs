//! Broadcast campaigns: a message (personalised, with spintax, optionally with media) to an audience
//! of contacts, at a paced rate, now or at a time in the business's zone. This module holds the
//! campaign model, its validation and lifecycle (draft → scheduled → sending ⇄ paused → completed /
//! cancelled / failed), the preview, and per-recipient tracking; `scheduler` sends, `pacing` decides
//! when, `template` renders, `opt_out` honours STOP.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::clock::{to_rfc3339, Millis};
use crate::contacts::{Contact, TagMode};
use crate::error::{Checks, Error, ErrorCode, Result};
use crate::events::Event;
use crate::inbox::{MediaUpload, MessageStatus};
use crate::page::{id_cursor, page_limit, Page};
use crate::store::campaigns::{Audience, CampaignFields, CampaignRow, RecipientRow};
use crate::{store, Engine};

pub mod opt_out;
pub mod pacing;
pub mod scheduler;
pub mod template;

pub use pacing::PacingPolicy;
pub use scheduler::Scheduler;
use template::{Template, Values};

pub const MAX_NAME_CHARS: usize = 200;
/// A reply within this long after a campaign message counts as a reply to it.
pub const REPLY_WINDOW_MS: Millis = 72 * pacing::HOUR_MS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CampaignStatus {
    Draft,
    Scheduled,
    Sending,
    Paused,
    Completed,
    Cancelled,
    Failed,
}

impl CampaignStatus {
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
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::All => "all",
            TargetType::Tags => "tags",
            TargetType::Custom => "custom",
        }
    }
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
pub enum RecipientStatus {
    Pending,
    Skipped,
    Sent,
    Delivered,
    Read,
    Failed,
    Replied,
}

impl RecipientStatus {
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
    pub mimetype: String,
    pub filename: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    /// The template: variables like `{{first_name|there}}` and spintax like `{Hi|Hello}`. With media,
    /// it is the caption.
    pub message_content: String,
    pub media: Option<CampaignMedia>,
    pub target_type: TargetType,
    pub target_tags: Vec<i64>,
    pub tag_mode: TagMode,
    pub exclude_tags: Vec<i64>,
    pub contact_ids: Vec<i64>,
    /// When sending starts (RFC 3339, UTC); null for "when sent".
    pub scheduled_at: Option<String>,
    /// The same moment in the business's time zone, `YYYY-MM-DDTHH:MM`.
    pub scheduled_local: Option<String>,
    pub pacing: PacingPolicy,
    pub status: CampaignStatus,
    /// Why the campaign is paused or failed, for people.
    pub status_reason: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub total_recipients: i64,
    pub sent_count: i64,
    pub delivered_count: i64,
    pub read_count: i64,
    pub failed_count: i64,
    pub skipped_count: i64,
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
    pub created_at: String,
    pub updated_at: String,
}

/// What the wizard and the API submit to create or replace a campaign.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct CampaignInput {
    pub name: String,
    pub message_content: String,
    /// A file sent with the message (the message is its caption). On update, leaving it out keeps
    /// the current file.
    pub media: Option<MediaUpload>,
    /// On update: true drops the current file.
    pub remove_media: bool,
    pub target_type: Option<TargetType>,
    pub target_tags: Vec<i64>,
    pub tag_mode: TagMode,
    pub exclude_tags: Vec<i64>,
    pub contact_ids: Vec<i64>,
    /// ISO 8601. With an offset or `Z` it is that instant; without, a local time in the business's
    /// time zone (a time skipped by a DST change is refused; a repeated one means the first).
    pub scheduled_at: Option<String>,
    /// Pacing; fields left out take their defaults.
    pub pacing: Option<PacingPolicy>,
}

/// A campaign's recipient and where their message stands.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    pub id: i64,
    pub campaign_id: i64,
    /// Null once the contact was deleted.
    pub contact_id: Option<i64>,
    pub phone_number: String,
    pub name: String,
    pub position: i64,
    pub status: RecipientStatus,
    /// Why it was skipped or failed.
    pub reason: Option<String>,
    pub message_id: Option<i64>,
    pub sent_at: Option<String>,
    pub delivered_at: Option<String>,
    pub read_at: Option<String>,
    pub replied_at: Option<String>,
}

impl From<RecipientRow> for Recipient {
    fn from(r: RecipientRow) -> Recipient {
        Recipient {
            id: r.id,
            campaign_id: r.campaign_id,
            contact_id: r.contact_id,
            phone_number: r.phone_number,
            name: r.name,
            position: r.position,
            status: r.status,
            reason: r.reason,
            message_id: r.message_id,
            sent_at: r.sent_at.map(to_rfc3339),
            delivered_at: r.delivered_at.map(to_rfc3339),
            read_at: r.read_at.map(to_rfc3339),
            replied_at: r.replied_at.map(to_rfc3339),
        }
    }
}

/// What the preview is asked for: the campaign as in the wizard, and optionally a recipient.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PreviewRequest {
    #[serde(flatten)]
    pub campaign: CampaignInput,
    /// The contact to render the exact message for (default: the audience's first).
    pub contact_id: Option<i64>,
    /// How many random variants to show (1 to 20, default 5).
    pub variants: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AudienceSize {
    /// Contacts the audience selects.
    pub total: i64,
    /// Of those, opted out (skipped).
    pub opted_out: i64,
    /// Of those, without a phone number (skipped).
    pub no_phone: i64,
    /// Contacts that will be sent to.
    pub eligible: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// Distinct renderings for one recipient, as spintax varies them.
    pub variants: Vec<String>,
    /// How many different texts the spintax can make.
    pub variant_count: u64,
    pub audience: AudienceSize,
    /// The exact message for the chosen (or first) recipient.
    pub recipient: Option<PreviewRecipient>,
    /// When sending would finish, starting at `scheduledAt` (or now) at the given pacing.
    pub estimated_finish_at: Option<String>,
    /// The custom field keys contacts have: the variables a message may use besides name,
    /// first_name and phone.
    pub field_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRecipient {
    pub contact_id: i64,
    pub name: String,
    pub phone_number: Option<String>,
    /// The message this recipient gets (one spintax choice).
    pub message: Option<String>,
    /// Why this recipient would be skipped instead.
    pub skipped_reason: Option<String>,
}

/// A checked input, ready to store.
pub(crate) struct Checked {
    name: String,
    message_content: String,
    audience: Audience,
    scheduled_at: Option<Millis>,
    pacing: PacingPolicy,
}

/// The values a contact gives a template.
pub(crate) fn values_of(contact: &Contact) -> Values {
    let name = [&contact.name, &contact.push_name]
        .into_iter()
        .find(|s| !s.trim().is_empty())
        .cloned()
        .unwrap_or_default();
    Values {
        name,
        phone: contact.phone_number.clone().unwrap_or_default(),
        fields: contact.fields.clone(),
    }
}

/// Parses `scheduledAt`: an instant with offset, or a local time in `tz`.
pub fn parse_schedule(text: &str, tz: Tz) -> std::result::Result<Millis, String> {
    let text = text.trim();
    if let Ok(instant) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(instant.timestamp_millis());
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .ok_or_else(|| format!("\"{text}\" is not a date and time such as 2026-05-01T09:30"))?;
    match tz.from_local_datetime(&naive).earliest() {
        Some(t) => Ok(t.timestamp_millis()),
        None => Err(format!(
            "{} does not exist in {} (the clocks go forward then); choose another time",
            naive.format("%Y-%m-%d %H:%M"),
            tz.name()
        )),
    }
}

fn local_text(tz: Tz, at: Millis) -> Option<String> {
    tz.timestamp_millis_opt(at)
        .single()
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
}

/// The business's time zone (UTC before onboarding), read on `conn` (a change's own transaction
/// reads nothing through another connection).
fn business_zone_on(conn: &rusqlite::Connection) -> Result<Tz> {
    Ok(store::profile::get(conn)?
        .and_then(|p| Tz::from_str(&p.timezone).ok())
        .unwrap_or(chrono_tz::UTC))
}

impl Engine {
    /// The business's time zone (UTC before onboarding).
    pub(crate) fn business_zone(&self) -> Result<Tz> {
        self.db().with(business_zone_on)
    }

    /// Checks everything about a campaign input; every problem at once, with its field.
    pub(crate) fn check_campaign(&self, input: &CampaignInput, has_media: bool) -> Result<Checked> {
        let tz = self.business_zone()?;
        let now = self.now();
        let mut checks = Checks::default();
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            checks.fail("name", "Give the campaign a name");
        }
        checks.max_len("name", "The name", &name, MAX_NAME_CHARS);
        let message_content = input.message_content.trim().to_owned();
        if message_content.is_empty() && !has_media {
            checks.fail("messageContent", "Write a message");
        } else if message_content.chars().count() > crate::inbox::MAX_TEXT_CHARS {
            checks.fail(
                "messageContent",
                format!(
                    "The message must be at most {} characters",
                    crate::inbox::MAX_TEXT_CHARS
                ),
            );
        } else {
            match Template::parse(&message_content) {
                Err(e) => checks.fail("messageContent", e.0),
                Ok(template) if !template.variables().is_empty() => {
                    let keys = self.db().with(store::campaigns::custom_field_keys)?;
                    if let Err(e) = template.check_variables(&|k| keys.contains(k)) {
                        checks.fail("messageContent", e.0);
                    }
                }
                Ok(_) => {}
            }
        }
        let audience = Audience {
            target_type: input.target_type.unwrap_or_default(),
            target_tags: input.target_tags.clone(),
            tag_mode: input.tag_mode,
            exclude_tags: input.exclude_tags.clone(),
            contact_ids: input.contact_ids.clone(),
        };
        match input.target_type {
            None => checks.fail(
                "targetType",
                "Choose who receives the campaign: all, tags or custom",
            ),
            Some(TargetType::Tags) if input.target_tags.is_empty() => {
                checks.fail("targetTags", "Choose at least one tag")
            }
            Some(TargetType::Custom) if input.contact_ids.is_empty() => {
                checks.fail("contactIds", "Choose at least one contact")
            }
            _ => {}
        }
        let mut tags_exist = true;
        for (field, tags) in [
            ("targetTags", &input.target_tags),
            ("excludeTags", &input.exclude_tags),
        ] {
            let missing = self
                .db()
                .with(|c| store::campaigns::missing_tags(c, tags))?;
            if !missing.is_empty() {
                tags_exist = false;
                let list: Vec<String> = missing.iter().map(i64::to_string).collect();
                checks.fail(field, format!("Tag {} no longer exists", list.join(", ")));
            }
        }
        let scheduled_at = match input.scheduled_at.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => match parse_schedule(text, tz) {
                Ok(at) if at <= now => {
                    checks.fail("scheduledAt", "The scheduled time is in the past");
                    None
                }
                Ok(at) => Some(at),
                Err(message) => {
                    checks.fail("scheduledAt", message);
                    None
                }
            },
        };
        let pacing = input.pacing.clone().unwrap_or_default();
        pacing.check(&mut checks);
        let has_audience_fields = input.target_type.is_some()
            && !(audience.target_type == TargetType::Tags && audience.target_tags.is_empty())
            && !(audience.target_type == TargetType::Custom && audience.contact_ids.is_empty());
        if has_audience_fields && tags_exist {
            let size = self
                .db()
                .with(|c| store::campaigns::count_audience(c, &audience))?;
            if size.total - size.opted_out - size.no_phone <= 0 {
                checks.fail(
                    "targetType",
                    if size.total == 0 {
                        "The audience has no contacts"
                    } else {
                        "Every contact in the audience has opted out or has no phone number"
                    },
                );
            }
        }
        checks.finish()?;
        Ok(Checked {
            name,
            message_content,
            audience,
            scheduled_at,
            pacing,
        })
    }

    fn campaign_row(&self, id: i64) -> Result<CampaignRow> {
        self.db()
            .with(|c| store::campaigns::get(c, id))?
            .ok_or_else(|| Error::not_found("campaign"))
    }

    /// When `remaining` sends at `pacing` would be done, starting at `start` (or now, when it is
    /// absent or past), counting what was already sent that day against the daily cap.
    fn estimate_finish(
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
        let sent_today = store::campaigns::count_outgoing_since(
            conn,
            pacing::today_start(tz, from),
            pacing.daily_cap,
        )?;
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

    pub fn campaign(&self, id: i64) -> Result<Campaign> {
        self.db().with(|c| self.campaign_on(c, id))
    }

    /// The campaign as read on `conn` (inside a change: as the change leaves it, for its events).
    fn campaign_on(&self, conn: &rusqlite::Connection, id: i64) -> Result<Campaign> {
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

    /// Saves a media upload as the campaign's file under `media/`; returns (path, mimetype, filename).
    fn save_campaign_media(
        &self,
        upload: &MediaUpload,
    ) -> Result<(String, String, Option<String>)> {
        let file = crate::inbox::decode_upload(upload)?;
        let relative = format!(
            "media/campaign-{}.{}",
            crate::inbox::new_key_id(),
            crate::inbox::extension(&file.mimetype, file.filename.as_deref())
        );
        let absolute = self.data_dir().join(&relative);
        if let Some(parent) = absolute.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&absolute, &file.bytes)?;
        Ok((relative, file.mimetype, file.filename))
    }

    fn remove_campaign_media(&self, path: Option<&str>) {
        if let Some(path) = path.filter(|p| p.starts_with("media/campaign-") && !p.contains("..")) {
            if let Err(e) = std::fs::remove_file(self.data_dir().join(path)) {
                tracing::warn!(error = %e, path, "could not remove a campaign's media file");
            }
        }
    }

    /// Creates a campaign as a draft.
    pub fn create_campaign(&self, input: CampaignInput) -> Result<Campaign> {
        let checked = self.check_campaign(&input, input.media.is_some())?;
        let media = match &input.media {
            Some(upload) => Some(self.save_campaign_media(upload)?),
            None => None,
        };
        let now = self.now();
        let pacing = serde_json::to_string(&checked.pacing).unwrap_or_default();
        let id = self.db().with(|c| {
            store::campaigns::insert(
                c,
                &CampaignFields {
                    name: &checked.name,
                    message_content: &checked.message_content,
                    media: media
                        .as_ref()
                        .map(|m| (m.0.as_str(), m.1.as_str(), m.2.as_deref())),
                    audience: &checked.audience,
                    pacing: &pacing,
                    status: CampaignStatus::Draft,
                    scheduled_at: checked.scheduled_at,
                },
                now,
            )
        })?;
        self.campaign(id)
    }

    /// Replaces a draft or scheduled campaign. A scheduled one stays scheduled while it has a time,
    /// and goes back to draft when the time is cleared.
    pub fn update_campaign(&self, id: i64, input: CampaignInput) -> Result<Campaign> {
        let current = self.campaign_row(id)?;
        editable(&current)?;
        let keeps_media = current.media_path.is_some() && !input.remove_media;
        let checked = self.check_campaign(&input, input.media.is_some() || keeps_media)?;
        let new_media = match &input.media {
            Some(upload) => Some(self.save_campaign_media(upload)?),
            None => None,
        };
        let media = match (&new_media, keeps_media) {
            (Some(m), _) => Some((m.0.clone(), m.1.clone(), m.2.clone())),
            (None, true) => Some((
                current.media_path.clone().unwrap_or_default(),
                current.media_mime.clone().unwrap_or_default(),
                current.media_filename.clone(),
            )),
            (None, false) => None,
        };
        let status = match (current.status, checked.scheduled_at) {
            (CampaignStatus::Scheduled, Some(_)) => CampaignStatus::Scheduled,
            _ => CampaignStatus::Draft,
        };
        let now = self.now();
        let pacing = serde_json::to_string(&checked.pacing).unwrap_or_default();
        let saved = self.db().with_tx(|tx| {
            // Re-read inside the write lock: the scheduler may have started it meanwhile.
            let fresh =
                store::campaigns::get(tx, id)?.ok_or_else(|| Error::not_found("campaign"))?;
            editable(&fresh)?;
            store::campaigns::update(
                tx,
                id,
                &CampaignFields {
                    name: &checked.name,
                    message_content: &checked.message_content,
                    media: media
                        .as_ref()
                        .map(|m| (m.0.as_str(), m.1.as_str(), m.2.as_deref())),
                    audience: &checked.audience,
                    pacing: &pacing,
                    status,
                    scheduled_at: checked.scheduled_at,
                },
                now,
            )
        });
        match saved {
            Ok(()) => {
                if current.media_path.is_some() && (new_media.is_some() || !keeps_media) {
                    self.remove_campaign_media(current.media_path.as_deref());
                }
            }
            Err(e) => {
                if let Some(m) = &new_media {
                    self.remove_campaign_media(Some(&m.0));
                }
                return Err(e);
            }
        }
        self.campaign_signal().notify();
        self.campaign(id)
    }

    /// Deletes a campaign that is not sending (its messages stay in the conversations).
    pub fn delete_campaign(&self, id: i64) -> Result<()> {
        let current = self.campaign_row(id)?;
        if current.status == CampaignStatus::Sending {
            return Err(Error::new(
                ErrorCode::Conflict,
                "The campaign is sending: pause or cancel it first",
            ));
        }
        self.db().with(|c| store::campaigns::delete(c, id))?;
        self.remove_campaign_media(current.media_path.as_deref());
        Ok(())
    }

    /// A new draft with the same message, audience and pacing (and a copy of the media file).
    pub fn duplicate_campaign(&self, id: i64) -> Result<Campaign> {
        let current = self.campaign_row(id)?;
        let media = match &current.media_path {
            Some(path) => {
                let relative = format!(
                    "media/campaign-{}.{}",
                    crate::inbox::new_key_id(),
                    crate::inbox::extension(
                        current.media_mime.as_deref().unwrap_or_default(),
                        current.media_filename.as_deref()
                    )
                );
                std::fs::copy(self.data_dir().join(path), self.data_dir().join(&relative))?;
                Some(relative)
            }
            None => None,
        };
        let name: String = format!("{} (copy)", current.name)
            .chars()
            .take(MAX_NAME_CHARS)
            .collect();
        let now = self.now();
        let new_id = self.db().with(|c| {
            store::campaigns::insert(
                c,
                &CampaignFields {
                    name: &name,
                    message_content: &current.message_content,
                    media: media.as_deref().map(|p| {
                        (
                            p,
                            current.media_mime.as_deref().unwrap_or_default(),
                            current.media_filename.as_deref(),
                        )
                    }),
                    audience: &current.audience,
                    pacing: &current.pacing,
                    status: CampaignStatus::Draft,
                    scheduled_at: None,
                },
                now,
            )
        })?;
        self.campaign(new_id)
    }

    /// Starts a draft: at once (recipients frozen now), or at its scheduled time.
    pub fn send_campaign(&self, id: i64) -> Result<Campaign> {
        let current = self.campaign_row(id)?;
        if current.status != CampaignStatus::Draft {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!(
                    "The campaign is {}: only a draft can be sent",
                    current.status.as_str()
                ),
            ));
        }
        // Everything is checked again: tags may have been deleted, the time may have passed.
        self.check_campaign(&input_of(&current, true), current.media_path.is_some())?;
        if current.scheduled_at.is_some() {
            let now = self.now();
            let moved = self.db().with(|c| {
                store::campaigns::transition(
                    c,
                    id,
                    &[CampaignStatus::Draft],
                    CampaignStatus::Scheduled,
                    None,
                    now,
                )
            })?;
            if !moved {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    "The campaign changed meanwhile",
                ));
            }
            self.campaign_signal().notify();
            return self.campaign(id);
        }
        self.start_campaign(id, &[CampaignStatus::Draft])?;
        self.campaign(id)
    }

    /// Freezes the recipients and moves the campaign to sending, in one transaction.
    pub(crate) fn start_campaign(&self, id: i64, from: &[CampaignStatus]) -> Result<()> {
        let now = self.now();
        self.write(|tx| {
            let row = store::campaigns::get(tx, id)?.ok_or_else(|| Error::not_found("campaign"))?;
            if !from.contains(&row.status) {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    "The campaign changed meanwhile",
                ));
            }
            store::campaigns::freeze_recipients(tx, id, &row.audience)?;
            store::campaigns::transition(tx, id, from, CampaignStatus::Sending, None, now)?;
            tx.emit(Event::CampaignStarted(self.campaign_on(tx, id)?));
            Ok(())
        })?;
        self.audit("campaign.started", serde_json::json!({ "campaignId": id }))?;
        self.campaign_signal().notify();
        Ok(())
    }

    /// Stops sending before the next message; `resume` continues where it stopped.
    pub fn pause_campaign(&self, id: i64) -> Result<Campaign> {
        self.move_campaign(id, &[CampaignStatus::Sending], CampaignStatus::Paused, None)
    }

    pub fn resume_campaign(&self, id: i64) -> Result<Campaign> {
        self.move_campaign(id, &[CampaignStatus::Paused], CampaignStatus::Sending, None)
    }

    /// Ends a campaign for good; a message already handed to the outbox still goes out.
    pub fn cancel_campaign(&self, id: i64) -> Result<Campaign> {
        self.move_campaign(
            id,
            &[
                CampaignStatus::Draft,
                CampaignStatus::Scheduled,
                CampaignStatus::Sending,
                CampaignStatus::Paused,
            ],
            CampaignStatus::Cancelled,
            None,
        )
    }

    /// Moves a campaign between states, or answers 409 naming the state it is in.
    pub(crate) fn move_campaign(
        &self,
        id: i64,
        from: &[CampaignStatus],
        to: CampaignStatus,
        reason: Option<&str>,
    ) -> Result<Campaign> {
        let current = self.campaign_row(id)?;
        let now = self.now();
        let moved = self.write(|tx| {
            if !store::campaigns::transition(tx, id, from, to, reason, now)? {
                return Ok(None);
            }
            let campaign = self.campaign_on(tx, id)?;
            if let Some(event) = Event::campaign_moved(to, campaign.clone()) {
                tx.emit(event);
            }
            Ok(Some(campaign))
        })?;
        let Some(campaign) = moved else {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!(
                    "The campaign is {}; it cannot be {}",
                    current.status.as_str(),
                    match to {
                        CampaignStatus::Paused => "paused",
                        CampaignStatus::Sending => "resumed",
                        CampaignStatus::Cancelled => "cancelled",
                        CampaignStatus::Completed => "completed",
                        _ => "changed",
                    }
                ),
            ));
        };
        self.audit(
            &format!("campaign.{}", to.as_str()),
            serde_json::json!({ "campaignId": id, "reason": reason }),
        )?;
        self.campaign_signal().notify();
        Ok(campaign)
    }

    /// Rendered variants, the audience's size and the exact message for one recipient.
    pub fn preview_campaign(&self, request: PreviewRequest) -> Result<Preview> {
        let input = &request.campaign;
        let template = Template::parse(input.message_content.trim())
            .map_err(|e| Error::invalid_field("messageContent", e.0))?;
        let keys = self.db().with(store::campaigns::custom_field_keys)?;
        template
            .check_variables(&|k| keys.contains(k))
            .map_err(|e| Error::invalid_field("messageContent", e.0))?;
        let audience = Audience {
            target_type: input.target_type.unwrap_or_default(),
            target_tags: input.target_tags.clone(),
            tag_mode: input.tag_mode,
            exclude_tags: input.exclude_tags.clone(),
            contact_ids: input.contact_ids.clone(),
        };
        let size = self
            .db()
            .with(|c| store::campaigns::count_audience(c, &audience))?;
        let contact_id = match request.contact_id {
            Some(id) => Some(id),
            None => self
                .db()
                .with(|c| store::campaigns::first_eligible(c, &audience))?,
        };
        let contact = contact_id.map(|id| self.contact(id)).transpose()?;
        let sample = contact.as_ref().map(values_of).unwrap_or_else(|| Values {
            name: "Ana Souza".into(),
            phone: "+15550100".into(),
            fields: BTreeMap::new(),
        });
        let wanted = request.variants.unwrap_or(5).clamp(1, 20);
        let mut rng = StdRng::from_entropy();
        let mut variants: Vec<String> = Vec::new();
        for _ in 0..wanted * 10 {
            if variants.len() >= wanted {
                break;
            }
            let fallback_values = Values {
                name: if sample.name.is_empty() {
                    "Ana".into()
                } else {
                    sample.name.clone()
                },
                ..sample.clone()
            };
            if let Ok(text) = template.render(&fallback_values, &mut rng) {
                if !variants.contains(&text) {
                    variants.push(text);
                }
            }
        }
        let recipient = contact.map(|c| {
            let (message, skipped_reason) = if c.opted_out {
                (None, Some("opted out".to_owned()))
            } else if c.phone_number.is_none() {
                (None, Some("no phone number".to_owned()))
            } else {
                match template.render(&values_of(&c), &mut rng) {
                    Ok(text) => (Some(text), None),
                    Err(e) => (None, Some(e.0)),
                }
            };
            PreviewRecipient {
                contact_id: c.id,
                name: c.display_name.clone(),
                phone_number: c.phone_number.clone(),
                message,
                skipped_reason,
            }
        });
        let eligible = size.total - size.opted_out - size.no_phone;
        let pacing = input.pacing.clone().unwrap_or_default();
        // A schedule that does not parse is the save's error to report; here it means "now".
        let tz = self.business_zone()?;
        let start = input
            .scheduled_at
            .as_deref()
            .and_then(|text| parse_schedule(text, tz).ok());
        Ok(Preview {
            variants,
            variant_count: template.variant_count(),
            audience: AudienceSize {
                total: size.total,
                opted_out: size.opted_out,
                no_phone: size.no_phone,
                eligible,
            },
            recipient,
            estimated_finish_at: self
                .db()
                .with(|c| self.estimate_finish(c, &pacing, start, eligible))?,
            field_keys: keys.into_iter().collect(),
        })
    }

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
        let items = rows.into_iter().map(Recipient::from).collect();
        Ok(Page::from_overfetch(items, limit, |r: &Recipient| {
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

    // --- tracking ---

    /// Applies a change to a recipient (and its campaign's counters) and announces it.
    pub(crate) fn change_recipient(
        &self,
        recipient_id: i64,
        change: impl FnOnce(&mut RecipientRow),
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
            let recipient = Recipient::from(new);
            tx.emit(Event::CampaignRecipientUpdated(recipient.clone()));
            Ok(Some(recipient))
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
        let failed_now = std::cell::Cell::new(None);
        let updated = self.change_recipient(recipient_id, |r| {
            let was_failed = r.status == RecipientStatus::Failed;
            match message.status {
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
                    failed_now.set(Some(!was_failed));
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
                    if was_failed || r.status == RecipientStatus::Sent {
                        failed_now.set(Some(false));
                    }
                }
            }
        })?;
        if let (Some(recipient), Some(failed)) = (updated, failed_now.get()) {
            let in_row = self
                .db()
                .with(|c| store::campaigns::count_failure(c, recipient.campaign_id, failed))?;
            if failed && in_row >= scheduler::FAILURES_BEFORE_PAUSE {
                self.pause_all_campaigns(&format!(
                    "{in_row} messages in a row could not be sent: WhatsApp may be limiting this \
                     number. Check the phone before resuming"
                ))?;
            }
        }
        self.campaign_signal().notify();
        Ok(())
    }

    /// Called whenever a message's status moved: a campaign message's recipient follows it.
    pub(crate) fn after_campaign_message(&self, message: &crate::inbox::Message) {
        if message.campaign_id.is_some() {
            if let Err(e) = self.track_campaign_message(message.id) {
                tracing::warn!(error = %e, "could not track a campaign message");
            }
        }
    }

    /// An inbound message: a reply to campaign messages of the last 72 hours, and maybe an opt-out.
    pub(crate) fn campaign_inbound(&self, message: &crate::inbox::Message) -> Result<()> {
        if message.direction != crate::inbox::Direction::In {
            return Ok(());
        }
        let at = chrono::DateTime::parse_from_rfc3339(&message.timestamp)
            .map(|t| t.timestamp_millis())
            .unwrap_or_else(|_| self.now());
        let waiting = self.db().with(|c| {
            store::campaigns::awaiting_reply(c, message.contact_id, at, REPLY_WINDOW_MS)
        })?;
        for recipient_id in waiting {
            self.change_recipient(recipient_id, |r| {
                r.status = RecipientStatus::Replied;
                r.replied_at = Some(at);
            })?;
        }
        self.apply_opt_out_keywords(message)
    }

    /// Pauses every sending campaign with a reason (a ban sign); nothing resumes by itself.
    pub(crate) fn pause_all_campaigns(&self, reason: &str) -> Result<()> {
        let sending = self
            .db()
            .with(|c| store::campaigns::with_status(c, CampaignStatus::Sending))?;
        for row in sending {
            match self.move_campaign(
                row.id,
                &[CampaignStatus::Sending],
                CampaignStatus::Paused,
                Some(reason),
            ) {
                Ok(_) => {}
                Err(e) if e.code == ErrorCode::Conflict => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// 409 unless the campaign may still be edited.
fn editable(row: &CampaignRow) -> Result<()> {
    match row.status {
        CampaignStatus::Draft | CampaignStatus::Scheduled => Ok(()),
        other => Err(Error::new(
            ErrorCode::Conflict,
            format!(
                "The campaign is {}: only a draft or scheduled campaign can be edited",
                other.as_str()
            ),
        )),
    }
}

/// A stored campaign as input again, to re-check it before it starts (its schedule too, unless it is
/// the scheduled start itself).
pub(crate) fn input_of(row: &CampaignRow, with_schedule: bool) -> CampaignInput {
    CampaignInput {
        name: row.name.clone(),
        message_content: row.message_content.clone(),
        media: None,
        remove_media: false,
        target_type: Some(row.audience.target_type),
        target_tags: row.audience.target_tags.clone(),
        tag_mode: row.audience.tag_mode,
        exclude_tags: row.audience.exclude_tags.clone(),
        contact_ids: row.audience.contact_ids.clone(),
        scheduled_at: row.scheduled_at.filter(|_| with_schedule).map(to_rfc3339),
        pacing: serde_json::from_str(&row.pacing).ok(),
    }
}
