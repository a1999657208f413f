//! A campaign's life: the checks every save and start goes through (every problem at once, with its
//! field), create, edit while draft or scheduled, duplicate, delete, and the moves between states —
//! send (now, or at its time), start (recipients frozen), pause, resume, cancel — each a `409` from
//! a state that does not allow it.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::template::Template;
use super::{Campaign, CampaignInput, CampaignStatus, PacingPolicy, TargetType, MAX_NAME_CHARS};
use crate::clock::{to_rfc3339, Millis};
use crate::error::{Checks, Error, ErrorCode, Result};
use crate::events::Event;
use crate::inbox::MediaUpload;
use crate::store::campaigns::{Audience, CampaignFields, CampaignRow};
use crate::{store, Engine};

/// A checked input, ready to store.
pub(crate) struct Checked {
    name: String,
    message_content: String,
    audience: Audience,
    scheduled_at: Option<Millis>,
    pacing: PacingPolicy,
}

impl Checked {
    /// What the store writes for it, with its media file (path, type, name) and pacing as JSON.
    fn fields<'a>(
        &'a self,
        media: Option<&'a (String, String, Option<String>)>,
        pacing: &'a str,
        status: CampaignStatus,
    ) -> CampaignFields<'a> {
        CampaignFields {
            name: &self.name,
            message_content: &self.message_content,
            media: media.map(|m| (m.0.as_str(), m.1.as_str(), m.2.as_deref())),
            audience: &self.audience,
            pacing,
            status,
            scheduled_at: self.scheduled_at,
        }
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

impl Engine {
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
        let audience = input.audience();
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
                &checked.fields(media.as_ref(), &pacing, CampaignStatus::Draft),
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
                &checked.fields(media.as_ref(), &pacing, status),
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

    /// Pauses every sending campaign before its next message, with a reason when WhatsApp showed a
    /// ban sign, without one when the owner asked (the tray's "Pause all campaigns"); nothing
    /// resumes by itself. Returns those it paused: one that moved on meanwhile (finished,
    /// cancelled) is left as it is, and scheduled ones keep their time (they have sent nothing).
    pub fn pause_all_campaigns(&self, reason: Option<&str>) -> Result<Vec<Campaign>> {
        let sending = self
            .db()
            .with(|c| store::campaigns::with_status(c, CampaignStatus::Sending))?;
        let mut paused = Vec::with_capacity(sending.len());
        for row in sending {
            match self.move_campaign(
                row.id,
                &[CampaignStatus::Sending],
                CampaignStatus::Paused,
                reason,
            ) {
                Ok(campaign) => paused.push(campaign),
                Err(e) if e.code == ErrorCode::Conflict => {}
                Err(e) => return Err(e),
            }
        }
        Ok(paused)
    }

    /// Sends again from where a paused campaign stopped.
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
