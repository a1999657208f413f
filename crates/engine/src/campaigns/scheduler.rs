//! The campaign scheduler: a step function over the stored state, driven by the engine's `Clock`,
//! and the thread loop that calls it. Each step starts scheduled campaigns that are due, honours the
//! connection (waits while WhatsApp is away, pauses everything on a ban), and for each sending
//! campaign either waits (a message still in the outbox, the pacing policy) or skips the next
//! ineligible recipients with a reason, shows "typing…", and queues one message through the outbox
//! with its WhatsApp id chosen first. Every decision is re-read from the database, so a restarted
//! scheduler resumes exactly where the last one was, and the outbox alone ever sends a message.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::pacing::{self, Decision, Facts, PacingPolicy, WaitReason};
use super::template::Template;
use super::{values_of, CampaignStatus};
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::inbox::{Direction, Media, MessageStatus};
use crate::link::ConnectionState;
use crate::store::campaigns::CampaignRow;
use crate::store::messages::NewMessage;
use crate::{phone, store, Engine};

/// Sends failing one after another before every campaign is paused (a sign WhatsApp is blocking).
pub const FAILURES_BEFORE_PAUSE: i64 = 3;
/// Most recipients one step skips before it yields, so a long run of skips never holds up the rest.
const SKIPS_PER_STEP: usize = 200;
/// How long to wait before asking WhatsApp again after a failed number check.
const CHECK_RETRY_MS: Millis = 5_000;
/// The longest the thread sleeps between steps (a change not signalled is seen within this).
const MAX_IDLE: Duration = Duration::from_millis(1_000);

/// "typing…" shown to a recipient, with the message that follows it.
#[derive(Debug, Clone)]
struct Typing {
    campaign_id: i64,
    recipient_id: i64,
    chat_id: String,
    text: String,
    until: Millis,
}

/// The scheduler's state between steps: only the RNG and a typing indicator in progress; everything
/// else lives in the database.
pub struct Scheduler {
    engine: Engine,
    rng: StdRng,
    typing: Option<Typing>,
}

impl Scheduler {
    /// A scheduler drawing its gaps and spintax from `rng` (seeded in tests).
    pub fn new(engine: Engine, rng: StdRng) -> Scheduler {
        Scheduler {
            engine,
            rng,
            typing: None,
        }
    }

    /// Does everything due now; returns when something is next due (`None`: only a change wakes
    /// it, such as a message leaving the outbox or a campaign being started).
    pub fn step(&mut self) -> Result<Option<Millis>> {
        let engine = self.engine.clone();
        let now = engine.now();
        let mut wake = None;
        for row in engine
            .db()
            .with(|c| store::campaigns::with_status(c, CampaignStatus::Scheduled))?
        {
            match row.scheduled_at {
                Some(at) if at <= now => self.start_scheduled(&row)?,
                Some(at) => wake = earliest(wake, Some(at)),
                None => {}
            }
        }
        let sending = engine
            .db()
            .with(|c| store::campaigns::with_status(c, CampaignStatus::Sending))?;
        if sending.is_empty() {
            self.typing = None;
            return Ok(wake);
        }
        let state = engine
            .link()
            .map(|l| l.status().state)
            .unwrap_or(ConnectionState::Disconnected);
        if state == ConnectionState::Banned {
            self.typing = None;
            engine.pause_all_campaigns(Some(
                "WhatsApp blocked this number: sending stopped. Check the phone before resuming",
            ))?;
            return Ok(wake);
        }
        if state != ConnectionState::Connected {
            // Nothing fails for it: the campaigns wait, and go on once WhatsApp is back.
            for row in &sending {
                engine
                    .db()
                    .with(|c| store::campaigns::set_waiting(c, row.id, None, Some("whatsapp")))?;
            }
            return Ok(wake);
        }
        for row in sending {
            let next = self.advance(row, now)?;
            wake = earliest(wake, next);
        }
        Ok(wake)
    }

    fn start_scheduled(&mut self, row: &CampaignRow) -> Result<()> {
        let engine = &self.engine;
        let input = super::input_of(row, false);
        match engine.check_campaign(&input, row.media_path.is_some()) {
            Ok(_) => engine.start_campaign(row.id, &[CampaignStatus::Scheduled]),
            Err(e) if e.code == crate::ErrorCode::ValidationFailed => {
                let reason = match e.details.as_slice() {
                    [] => e.message.clone(),
                    details => details
                        .iter()
                        .map(|d| d.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                };
                engine.move_campaign(
                    row.id,
                    &[CampaignStatus::Scheduled],
                    CampaignStatus::Failed,
                    Some(&format!("Could not start: {reason}")),
                )?;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// One sending campaign's turn.
    fn advance(&mut self, mut row: CampaignRow, now: Millis) -> Result<Option<Millis>> {
        let engine = self.engine.clone();
        let id = row.id;
        if let Some((recipient_id, message_id)) =
            engine.db().with(|c| store::campaigns::in_flight(c, id))?
        {
            match engine.db().with(|c| store::messages::get(c, message_id))? {
                Some(m) if matches!(m.status, MessageStatus::Queued | MessageStatus::Sending) => {
                    engine
                        .db()
                        .with(|c| store::campaigns::set_waiting(c, id, None, Some("sending")))?;
                    return Ok(None);
                }
                Some(_) => engine.track_campaign_message(message_id)?,
                // The message went with its contact (deleted after it was queued).
                None => {
                    engine.change_recipient(recipient_id, |r| {
                        r.status = super::RecipientStatus::Skipped;
                        r.reason = Some("contact deleted".into());
                    })?;
                }
            }
            row = match engine.db().with(|c| store::campaigns::get(c, id))? {
                Some(fresh) if fresh.status == CampaignStatus::Sending => fresh,
                _ => return Ok(Some(now)),
            };
        }
        if engine
            .db()
            .with(|c| store::campaigns::failures_in_row(c, id))?
            >= FAILURES_BEFORE_PAUSE
        {
            // A ban sign: the tracking that counted the last failure pauses every campaign and
            // wakes the scheduler; nothing more is sent meanwhile.
            self.drop_typing_of(id);
            return Ok(None);
        }
        if row.counts.pending() == 0 {
            self.drop_typing_of(id);
            engine.move_campaign(
                id,
                &[CampaignStatus::Sending],
                CampaignStatus::Completed,
                None,
            )?;
            return Ok(None);
        }
        let mut skipped = 0;
        let (recipient, contact) = loop {
            let Some(recipient) = engine
                .db()
                .with(|c| store::campaigns::next_pending(c, id))?
            else {
                // Counters say some are pending but none is left: the one in flight finishes it.
                return Ok(None);
            };
            let contact = match recipient.contact_id {
                Some(contact_id) => engine.db().with(|c| store::contacts::get(c, contact_id))?,
                None => None,
            };
            let reason = match &contact {
                None => Some("contact deleted"),
                Some(c) if c.opted_out => Some("opted out"),
                Some(c) if c.phone_number.is_none() => Some("no phone number"),
                Some(_) => None,
            };
            match (reason, contact) {
                (Some(reason), _) => {
                    engine.skip_recipient(recipient.id, reason)?;
                    skipped += 1;
                    if skipped >= SKIPS_PER_STEP {
                        return Ok(Some(now));
                    }
                }
                (None, Some(contact)) => break (recipient, contact),
                (None, None) => unreachable!("a recipient without a contact has a reason"),
            }
        };
        let policy: PacingPolicy = serde_json::from_str(&row.pacing).unwrap_or_default();
        let tz = engine.business_zone()?;
        let facts = engine.db().with(|c| {
            let linked_at = store::campaigns::linked_at(c)?;
            let (hourly_cap, _) = policy.caps_at(tz, linked_at, now);
            // The last 60 minutes: after `now - 1 h`, up to now.
            let hour_ago = now - pacing::HOUR_MS;
            let sent_last_hour = store::campaigns::count_outgoing_since(c, hour_ago + 1)?;
            let oldest_counted_in_hour = if sent_last_hour >= hourly_cap {
                store::campaigns::nth_newest_outgoing_after(c, hour_ago, hourly_cap)?
            } else {
                None
            };
            Ok(Facts {
                now,
                linked_at,
                last_send_at: store::campaigns::last_outgoing(c)?,
                gap_ms: row.next_gap_ms.max(policy.min_gap_ms),
                sent_last_hour,
                oldest_counted_in_hour,
                sent_today: store::campaigns::count_outgoing_since(
                    c,
                    pacing::today_start(tz, now),
                )?,
            })
        })?;
        if let Decision::WaitUntil { at, reason } = pacing::decide(&policy, tz, &facts) {
            self.drop_typing_of(id);
            engine.db().with(|c| {
                store::campaigns::set_waiting(c, id, Some(at), Some(wait_name(reason)))
            })?;
            return Ok(Some(at));
        }
        let typing = match self.typing.take() {
            Some(t) if t.campaign_id == id && t.recipient_id == recipient.id => t,
            other => {
                self.typing = other;
                self.drop_typing_of(id);
                let link = engine.link()?;
                let digits = phone::digits(contact.phone_number.as_deref().unwrap_or_default());
                let chat_id = match link.check_number(&digits) {
                    Ok(Some(chat_id)) => chat_id,
                    Ok(None) => {
                        engine.skip_recipient(recipient.id, "not on WhatsApp")?;
                        return Ok(Some(now));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not check a campaign recipient's number");
                        engine.db().with(|c| {
                            store::campaigns::set_waiting(
                                c,
                                id,
                                Some(now + CHECK_RETRY_MS),
                                Some("whatsapp"),
                            )
                        })?;
                        return Ok(Some(now + CHECK_RETRY_MS));
                    }
                };
                let template = match Template::parse(&row.message_content) {
                    Ok(t) => t,
                    Err(e) => {
                        engine.move_campaign(
                            id,
                            &[CampaignStatus::Sending],
                            CampaignStatus::Failed,
                            Some(&format!("The message cannot be used: {e}")),
                        )?;
                        return Ok(None);
                    }
                };
                let text = match template.render(&values_of(&contact), &mut self.rng) {
                    Ok(text) => text,
                    Err(e) => {
                        engine.skip_recipient(recipient.id, &e.0)?;
                        return Ok(Some(now));
                    }
                };
                let typing = Typing {
                    campaign_id: id,
                    recipient_id: recipient.id,
                    until: now + policy.typing_ms(text.chars().count()),
                    chat_id,
                    text,
                };
                if typing.until > now {
                    if let Err(e) = link.set_typing(&typing.chat_id, true) {
                        tracing::warn!(error = %e, "could not show typing");
                    }
                    let until = typing.until;
                    self.typing = Some(typing);
                    engine.db().with(|c| {
                        store::campaigns::set_waiting(c, id, Some(until), Some("typing"))
                    })?;
                    return Ok(Some(until));
                }
                typing
            }
        };
        if typing.until > now {
            let until = typing.until;
            self.typing = Some(typing);
            return Ok(Some(until));
        }
        let burst_sent = row.burst_sent + 1;
        let gap = policy.next_gap(burst_sent, &mut self.rng);
        let burst_sent = if burst_sent >= policy.burst_size {
            0
        } else {
            burst_sent
        };
        let queued = engine.queue_campaign_message(
            &row,
            &recipient,
            &typing.chat_id,
            &typing.text,
            gap,
            burst_sent,
        )?;
        // A queued message wakes the scheduler again when it leaves the outbox (the tracking
        // signals it); one not queued (paused meanwhile) is looked at again at once.
        Ok((!queued).then_some(now))
    }

    /// Stops a typing indicator of this campaign (it is paused, waiting, or moved on).
    fn drop_typing_of(&mut self, campaign_id: i64) {
        if let Some(t) = self.typing.take_if(|t| t.campaign_id == campaign_id) {
            if let Ok(link) = self.engine.link() {
                if let Err(e) = link.set_typing(&t.chat_id, false) {
                    tracing::warn!(error = %e, "could not stop typing");
                }
            }
        }
    }
}

fn earliest(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn wait_name(reason: WaitReason) -> &'static str {
    match reason {
        WaitReason::QuietHours => "quiet_hours",
        WaitReason::DailyCap => "daily_cap",
        WaitReason::HourlyCap => "hourly_cap",
        WaitReason::Gap => "gap",
    }
}

impl Engine {
    /// The scheduler thread: runs until `stop` is set. Run it on a thread of its own.
    pub fn run_campaigns(&self, stop: &AtomicBool) {
        let mut scheduler = Scheduler::new(self.clone(), StdRng::from_entropy());
        while !stop.load(Ordering::SeqCst) {
            let wake = match scheduler.step() {
                Ok(wake) => wake,
                Err(e) => {
                    tracing::warn!(error = %e, "campaign scheduler");
                    Some(self.now() + CHECK_RETRY_MS)
                }
            };
            let idle = match wake {
                Some(at) => Duration::from_millis((at - self.now()).max(0) as u64).min(MAX_IDLE),
                None => MAX_IDLE,
            };
            if !idle.is_zero() {
                self.campaign_signal().wait(idle);
            }
        }
    }

    /// Queues one campaign message through the outbox, in one transaction with the recipient's
    /// link to it and the campaign's pacing state, unless the campaign stopped sending or the
    /// recipient was dealt with meanwhile (a pause between "typing…" and the send); says which.
    fn queue_campaign_message(
        &self,
        campaign: &CampaignRow,
        recipient: &super::Recipient,
        chat_id: &str,
        text: &str,
        next_gap_ms: Millis,
        burst_sent: i64,
    ) -> Result<bool> {
        let wa_message_id = format!("true_{chat_id}_{}", crate::inbox::new_key_id());
        let media = match (&campaign.media_path, &campaign.media_mime) {
            (Some(path), Some(mimetype)) => Some(self.link_campaign_media(
                path,
                mimetype,
                campaign.media_filename.as_deref(),
                &wa_message_id,
            )?),
            _ => None,
        };
        let (kind, body, caption) = match &media {
            Some(m) => (
                crate::inbox::media_kind(&m.mimetype),
                "",
                Some(text).filter(|t| !t.is_empty()),
            ),
            None => ("chat", text, None),
        };
        let contact_id = recipient
            .contact_id
            .ok_or_else(|| Error::internal("recipient without contact"))?;
        let now = self.now();
        let queued = self.db().with_tx(|tx| {
            // A ban sign (failures in a row) stops the send even before the pause lands.
            let still_sending = store::campaigns::get(tx, campaign.id)?
                .is_some_and(|c| c.status == CampaignStatus::Sending)
                && store::campaigns::failures_in_row(tx, campaign.id)? < FAILURES_BEFORE_PAUSE;
            let still_pending = store::campaigns::recipient(tx, recipient.id)?.is_some_and(|r| {
                r.status == super::RecipientStatus::Pending && r.message_id.is_none()
            });
            if !still_sending || !still_pending {
                return Ok(None);
            }
            let row = NewMessage {
                wa_message_id: &wa_message_id,
                contact_id,
                direction: Direction::Out,
                kind,
                body,
                caption,
                media: media.as_ref(),
                quoted_wa_id: None,
                status: MessageStatus::Queued,
                ack: 0,
                campaign_id: Some(campaign.id),
                wa_timestamp: now,
                history: false,
            };
            let message = crate::inbox::queue_outbound(tx, &row, now)?;
            store::campaigns::attach_message(tx, recipient.id, message.id)?;
            store::campaigns::record_send(tx, campaign.id, next_gap_ms, burst_sent)?;
            store::campaigns::set_waiting(tx, campaign.id, None, Some("sending"))?;
            Ok(Some(message))
        })?;
        match queued {
            Some(message) => {
                self.emit(Event::MessageCreated(message));
                self.outbox_signal().notify();
                Ok(true)
            }
            None => {
                if let Some(m) = &media {
                    let _ = std::fs::remove_file(self.data_dir().join(&m.path));
                }
                Ok(false)
            }
        }
    }

    /// The campaign's file under the message's own name (a hard link, or a copy where links are
    /// not possible), so deleting one contact's messages never removes the campaign's file.
    fn link_campaign_media(
        &self,
        path: &str,
        mimetype: &str,
        filename: Option<&str>,
        wa_message_id: &str,
    ) -> Result<Media> {
        let source = self.data_dir().join(path);
        let safe: String = wa_message_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let relative = format!(
            "media/{safe}.{}",
            crate::inbox::extension(mimetype, filename)
        );
        let target = self.data_dir().join(&relative);
        if std::fs::hard_link(&source, &target).is_err() {
            std::fs::copy(&source, &target)?;
        }
        Ok(Media {
            path: relative,
            mimetype: mimetype.to_owned(),
            filename: filename.map(str::to_owned),
            size: std::fs::metadata(&target)?.len() as i64,
        })
    }
}
