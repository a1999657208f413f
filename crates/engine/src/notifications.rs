//! Which events become a desktop notification, and what it says: the settings that turn each kind off,
//! and the policy, a pure function of the events seen so far, the settings and the app lock. A
//! program that can show notifications (the desktop shell) feeds every event to a [`Notifier`] and
//! shows what it yields; the policy itself never shows anything, so it is tested here without a
//! desktop.
//!
//! What notifies: a customer's message (one notification per chat, replaced as more arrive and
//! withdrawn once the chat is read; never a message sent from the phone or one caught up from
//! history), WhatsApp needing a new QR code, a campaign that finished, failed or was paused by a ban
//! sign, and a webhook the app disabled.
//!
//! **Decision:** with the app lock set, a notification never carries message text: it names the
//! sender and counts the messages, because whoever set a passcode wants the conversations behind it
//! and a notification is on screen for anyone at the computer. While the app is *locked* it does
//! not even name the sender ("New message"): a locked app shows nothing of the business, and a
//! customer's name on screen is already business data; the count and a click that opens the chat
//! after unlocking are enough to say that someone is waiting.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::campaigns::{Campaign, CampaignStatus};
use crate::error::Result;
use crate::events::Event;
use crate::inbox::{Direction, Message};
use crate::link::ConnectionState;
use crate::lock::LockStatus;
use crate::Engine;

const KEY: &str = "notifications";

/// A message whose WhatsApp time is older than this when it is stored was caught up, not received
/// live (the app was closed, the phone offline for long): it does not notify.
const HISTORY_AFTER_MS: i64 = 10 * 60_000;

/// Which kinds of desktop notification are shown; every kind is on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct NotificationSettings {
    /// A customer wrote (one notification per chat).
    pub messages: bool,
    /// WhatsApp was logged out and needs the QR code scanned again.
    pub whatsapp: bool,
    /// A campaign finished, failed or was paused by a ban sign.
    pub campaigns: bool,
    /// A webhook was disabled because its deliveries kept failing.
    pub webhooks: bool,
}

impl Default for NotificationSettings {
    fn default() -> NotificationSettings {
        NotificationSettings {
            messages: true,
            whatsapp: true,
            campaigns: true,
            webhooks: true,
        }
    }
}

/// What a click on a notification opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The inbox on this contact's chat.
    Chat(i64),
    /// The screen that links WhatsApp (the QR code).
    Connect,
    /// A campaign's page.
    Campaign(i64),
    /// Settings → REST API, where webhooks are listed.
    Webhooks,
}

impl Target {
    /// The UI's route for it (the part after `#`).
    pub fn route(self) -> String {
        match self {
            Target::Chat(id) => format!("/inbox/{id}"),
            Target::Connect => "/connect".into(),
            Target::Campaign(id) => format!("/campaigns/{id}"),
            Target::Webhooks => "/settings/api".into(),
        }
    }

    /// The notification's number: the same for the same thing (so a chat's notification replaces
    /// the one before), different across things.
    pub fn id(self) -> i32 {
        let (n, kind) = match self {
            Target::Chat(id) => (id, 0),
            Target::Connect => (0, 1),
            Target::Campaign(id) => (id, 2),
            Target::Webhooks => (0, 3),
        };
        // Ids stay far below this; wrapping keeps the number positive whatever happens.
        ((n.rem_euclid(1 << 28) << 2) | kind) as i32
    }
}

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// What a click opens; its `id()` names the notification.
    pub target: Target,
    /// The first line.
    pub title: String,
    /// The text under it.
    pub body: String,
}

/// What to do with the notifications on screen after an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Show this one, replacing a shown one with the same target.
    Show(Notification),
    /// Take back the one of this target (its chat was read, its contact deleted).
    Withdraw(Target),
}

/// What the policy needs to know beside the event: read from the engine for each event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The kinds switched on.
    pub settings: NotificationSettings,
    /// Whether a passcode is set and the app is locked now.
    pub lock: LockStatus,
    /// What to call the sender of a received message.
    pub sender: Option<String>,
}

/// The policy: a pure function of the events seen so far and the facts of each one.
#[derive(Debug, Default)]
pub struct Policy {
    /// Messages notified per chat since the chat was last read.
    waiting: HashMap<i64, u32>,
    /// The last WhatsApp connection state seen.
    whatsapp: Option<ConnectionState>,
}

impl Policy {
    /// What to do for `event`, if anything.
    pub fn on_event(&mut self, event: &Event, facts: &Facts) -> Option<Notice> {
        match event {
            Event::MessageReceived(message) => self.on_message(message, facts),
            Event::ContactUpdated(contact) if contact.unread_count == 0 => self
                .waiting
                .remove(&contact.id)
                .map(|_| Notice::Withdraw(Target::Chat(contact.id))),
            Event::ContactDeleted { id } => self
                .waiting
                .remove(id)
                .map(|_| Notice::Withdraw(Target::Chat(*id))),
            Event::ConnectionChanged(status) => {
                let before = self.whatsapp.replace(status.state);
                let needs_qr = matches!(
                    status.state,
                    ConnectionState::Qr | ConnectionState::LoggedOut
                );
                // The QR code rotates every few seconds and a logout shows one: only the way in counts.
                let already = matches!(
                    before,
                    Some(
                        ConnectionState::Qr
                            | ConnectionState::LoggedOut
                            | ConnectionState::PairingCode
                    )
                );
                (facts.settings.whatsapp && needs_qr && !already).then(|| {
                    Notice::Show(Notification {
                        target: Target::Connect,
                        title: "WhatsApp needs a new QR code".into(),
                        body: "WhatsApp was logged out on this computer: scan the code again to \
                               receive and send messages."
                            .into(),
                    })
                })
            }
            Event::CampaignCompleted(campaign) => Self::campaign(
                facts,
                campaign,
                format!("Campaign “{}” finished", campaign.name),
            ),
            Event::CampaignFailed(campaign) => Self::campaign(
                facts,
                campaign,
                format!("Campaign “{}” stopped", campaign.name),
            ),
            // Paused by hand has no reason; a reason means the app paused it (a ban sign).
            Event::CampaignPaused(campaign) if campaign.status_reason.is_some() => Self::campaign(
                facts,
                campaign,
                format!("Campaign “{}” paused", campaign.name),
            ),
            Event::WebhookDisabled(webhook) => facts.settings.webhooks.then(|| {
                Notice::Show(Notification {
                    target: Target::Webhooks,
                    title: "A webhook was disabled".into(),
                    body: format!("{}: {}", webhook.url, webhook.reason),
                })
            }),
            _ => None,
        }
    }

    fn on_message(&mut self, message: &Message, facts: &Facts) -> Option<Notice> {
        let syncing = self.whatsapp == Some(ConnectionState::Syncing);
        if message.direction != Direction::In
            || syncing
            || is_history(message)
            || !facts.settings.messages
        {
            return None;
        }
        let count = self.waiting.entry(message.contact_id).or_default();
        *count += 1;
        let count = *count;
        let messages = |n: u32| {
            if n == 1 {
                "1 new message".to_owned()
            } else {
                format!("{n} new messages")
            }
        };
        let sender = facts.sender.clone().unwrap_or_else(|| "A customer".into());
        let (title, body) = if facts.lock.locked {
            let title = if count == 1 {
                "New message".to_owned()
            } else {
                messages(count)
            };
            (title, "Unlock WhatsFlow to read it.".to_owned())
        } else if facts.lock.enabled {
            (sender, messages(count))
        } else {
            let text = crate::chats::preview(
                &message.kind,
                &message.body,
                message.caption.as_deref(),
                message.media.as_ref().and_then(|m| m.filename.as_deref()),
            );
            let title = if count == 1 {
                sender
            } else {
                format!("{sender} · {}", messages(count))
            };
            (title, text)
        };
        Some(Notice::Show(Notification {
            target: Target::Chat(message.contact_id),
            title,
            body,
        }))
    }

    fn campaign(facts: &Facts, campaign: &Campaign, title: String) -> Option<Notice> {
        if !facts.settings.campaigns {
            return None;
        }
        let counts = format!(
            "{} sent, {} failed, {} skipped of {}",
            campaign.sent_count,
            campaign.failed_count,
            campaign.skipped_count,
            campaign.total_recipients
        );
        let body = match (&campaign.status, &campaign.status_reason) {
            (CampaignStatus::Completed, _) | (_, None) => counts,
            (_, Some(reason)) => format!("{reason} ({counts})"),
        };
        Some(Notice::Show(Notification {
            target: Target::Campaign(campaign.id),
            title,
            body,
        }))
    }
}

/// Whether WhatsApp's time for the message is well before the app stored it: caught up, not live.
fn is_history(message: &Message) -> bool {
    let millis = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.timestamp_millis())
    };
    match (millis(&message.timestamp), millis(&message.created_at)) {
        (Some(sent), Some(stored)) => stored - sent > HISTORY_AFTER_MS,
        _ => false,
    }
}

/// The policy fed from an engine: reads the facts of each event and asks the policy.
pub struct Notifier {
    engine: Engine,
    policy: Policy,
}

impl Notifier {
    /// What to do for `event`, if anything.
    pub fn on_event(&mut self, event: &Event) -> Result<Option<Notice>> {
        let sender = match event {
            Event::MessageReceived(m) if m.direction == Direction::In => self
                .engine
                .contact(m.contact_id)
                .ok()
                .map(|c| c.display_name),
            _ => None,
        };
        let facts = Facts {
            settings: self.engine.notification_settings()?,
            lock: self.engine.lock_status(),
            sender,
        };
        Ok(self.policy.on_event(event, &facts))
    }
}

impl Engine {
    /// Which kinds of notification are shown.
    pub fn notification_settings(&self) -> Result<NotificationSettings> {
        self.setting(KEY)
    }

    /// Saves which kinds of notification are shown.
    pub fn save_notification_settings(
        &self,
        settings: NotificationSettings,
    ) -> Result<NotificationSettings> {
        self.save_setting(KEY, &settings)?;
        Ok(settings)
    }

    /// A notifier for this engine's events, starting with nothing seen.
    pub fn notifier(&self) -> Notifier {
        Notifier {
            engine: self.clone(),
            policy: Policy::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::CampaignInput;
    use crate::events::EventEnvelope;
    use crate::link::ConnectionStatus;
    use crate::lock::SetPasscode;
    use crate::testing::{inbound, test_engine, TestEngine, T0};
    use tokio::sync::broadcast::Receiver;

    /// What the notifier makes of every event published since the last call.
    fn notices(notifier: &mut Notifier, events: &mut Receiver<EventEnvelope>) -> Vec<Notice> {
        let mut out = Vec::new();
        while let Ok(envelope) = events.try_recv() {
            out.extend(notifier.on_event(&envelope.event).unwrap());
        }
        out
    }

    fn shown(notice: &Notice) -> &Notification {
        match notice {
            Notice::Show(n) => n,
            other => panic!("expected a notification to show, got {other:?}"),
        }
    }

    fn receive(engine: &TestEngine, id: &str, digits: &str, name: &str, body: &str) {
        engine
            .ingest(inbound(id, digits, body).push_name(name).build())
            .unwrap();
    }

    /// The contact a chat notification is about.
    fn chat_of(notice: &Notice) -> i64 {
        match shown(notice).target {
            Target::Chat(id) => id,
            other => panic!("not a chat: {other:?}"),
        }
    }

    #[test]
    fn one_notification_per_chat_counts_its_messages_and_goes_when_the_chat_is_read() {
        let engine = test_engine();
        let mut events = engine.subscribe();
        let mut notifier = engine.notifier();
        receive(
            &engine,
            "A1",
            "5511912345678",
            "Maria",
            "Do you have size M?",
        );
        let first = notices(&mut notifier, &mut events);
        assert_eq!(first.len(), 1, "{first:?}");
        let maria = chat_of(&first[0]);
        assert_eq!(engine.contact(maria).unwrap().display_name, "Maria");
        assert_eq!(
            shown(&first[0]),
            &Notification {
                target: Target::Chat(maria),
                title: "Maria".into(),
                body: "Do you have size M?".into(),
            }
        );
        receive(&engine, "A2", "5511912345678", "Maria", "And in blue?");
        receive(&engine, "B1", "4915112345678", "Jo", "Hello");
        let next = notices(&mut notifier, &mut events);
        assert_eq!(next.len(), 2, "{next:?}");
        let jo = chat_of(&next[1]);
        assert_eq!(shown(&next[0]).target.id(), Target::Chat(maria).id());
        assert_eq!(shown(&next[0]).title, "Maria · 2 new messages");
        assert_eq!(shown(&next[0]).body, "And in blue?");
        assert_eq!(shown(&next[1]).title, "Jo");
        assert_ne!(Target::Chat(maria).id(), Target::Chat(jo).id());

        engine.mark_chat_read(maria).unwrap();
        assert_eq!(
            notices(&mut notifier, &mut events),
            vec![Notice::Withdraw(Target::Chat(maria))]
        );
        receive(&engine, "A3", "5511912345678", "Maria", "Thanks");
        let again = notices(&mut notifier, &mut events);
        assert_eq!(shown(&again[0]).title, "Maria", "the count starts again");
    }

    #[test]
    fn with_the_app_lock_no_text_and_while_locked_no_name() {
        let engine = test_engine();
        let mut events = engine.subscribe();
        let mut notifier = engine.notifier();
        engine
            .set_passcode(SetPasscode {
                current_passcode: None,
                new_passcode: "2468".into(),
            })
            .unwrap();
        receive(
            &engine,
            "A1",
            "5511912345678",
            "Maria",
            "My card number is 4111…",
        );
        receive(&engine, "A2", "5511912345678", "Maria", "Expiry 12/29");
        let unlocked = notices(&mut notifier, &mut events);
        assert_eq!(shown(&unlocked[0]).title, "Maria");
        assert_eq!(shown(&unlocked[0]).body, "1 new message");
        assert_eq!(shown(&unlocked[1]).body, "2 new messages");

        engine.lock_now().unwrap();
        receive(&engine, "B1", "4915112345678", "Jo", "Secret plan");
        receive(&engine, "B2", "4915112345678", "Jo", "More of it");
        for notice in notices(&mut notifier, &mut events) {
            let n = shown(&notice);
            for private in ["Jo", "Secret", "More"] {
                assert!(
                    !n.title.contains(private) && !n.body.contains(private),
                    "{n:?}"
                );
            }
        }
        receive(&engine, "B3", "4915112345678", "Jo", "Third");
        let locked = notices(&mut notifier, &mut events);
        assert_eq!(shown(&locked[0]).title, "3 new messages");
        assert_eq!(shown(&locked[0]).body, "Unlock WhatsFlow to read it.");
    }

    #[test]
    fn own_messages_history_and_switched_off_messages_never_notify() {
        let engine = test_engine();
        let mut events = engine.subscribe();
        let mut notifier = engine.notifier();
        engine
            .ingest(
                inbound("O1", "5511912345678", "sent from the phone")
                    .from_me()
                    .build(),
            )
            .unwrap();
        // Written an hour before the app stored it: caught up after a long absence.
        engine.clock.set(T0 + 60 * 60_000);
        engine
            .ingest(inbound("H1", "5511912345678", "old").at(T0).build())
            .unwrap();
        assert_eq!(notices(&mut notifier, &mut events), vec![]);

        // While WhatsApp syncs, what arrives is history too.
        engine
            .set_connection_status(ConnectionStatus::new(ConnectionState::Syncing))
            .unwrap();
        engine
            .ingest(
                inbound("H2", "5511912345678", "synced")
                    .at(T0 + 60 * 60_000)
                    .build(),
            )
            .unwrap();
        assert_eq!(notices(&mut notifier, &mut events), vec![]);
        engine
            .set_connection_status(ConnectionStatus::new(ConnectionState::Connected))
            .unwrap();
        engine
            .ingest(
                inbound("L1", "5511912345678", "live")
                    .at(T0 + 60 * 60_000)
                    .build(),
            )
            .unwrap();
        assert_eq!(notices(&mut notifier, &mut events).len(), 1);

        engine
            .save_notification_settings(NotificationSettings {
                messages: false,
                ..NotificationSettings::default()
            })
            .unwrap();
        engine
            .ingest(
                inbound("L2", "5511912345678", "live")
                    .at(T0 + 60 * 60_000)
                    .build(),
            )
            .unwrap();
        assert_eq!(notices(&mut notifier, &mut events), vec![]);
    }

    #[test]
    fn a_new_qr_code_notifies_once_on_the_way_in() {
        let mut policy = Policy::default();
        let facts = Facts {
            settings: NotificationSettings::default(),
            lock: LockStatus {
                enabled: false,
                locked: false,
            },
            sender: None,
        };
        let mut moved = |state| {
            policy.on_event(
                &Event::ConnectionChanged(ConnectionStatus::new(state)),
                &facts,
            )
        };
        use ConnectionState::*;
        assert_eq!(moved(Connected), None);
        let logged_out = moved(LoggedOut).expect("a logout notifies");
        assert_eq!(shown(&logged_out).target, Target::Connect);
        assert_eq!(
            moved(Qr),
            None,
            "the QR code after the logout is the same news"
        );
        assert_eq!(moved(Qr), None, "a rotated QR code is not news");
        assert_eq!(moved(Connected), None);
        assert!(moved(Qr).is_some(), "linked, then a QR code again");
        assert_eq!(moved(PairingCode), None);

        let off = Facts {
            settings: NotificationSettings {
                whatsapp: false,
                ..NotificationSettings::default()
            },
            ..facts.clone()
        };
        let mut quiet = Policy::default();
        let event = Event::ConnectionChanged(ConnectionStatus::new(LoggedOut));
        assert_eq!(quiet.on_event(&event, &off), None);
    }

    #[test]
    fn campaigns_notify_when_finished_or_paused_by_a_ban_sign_not_by_hand() {
        let engine = test_engine();
        let mut notifier = engine.notifier();
        engine
            .create_contact(crate::testing::new_contact("+14155550132", "Ana"))
            .unwrap();
        let mut campaign = engine
            .create_campaign(CampaignInput {
                name: "Spring sale".into(),
                message_content: "Hi".into(),
                target_type: Some(crate::campaigns::TargetType::All),
                ..Default::default()
            })
            .unwrap();
        campaign.status = CampaignStatus::Paused;
        assert_eq!(
            notifier
                .on_event(&Event::CampaignPaused(campaign.clone()))
                .unwrap(),
            None,
            "paused by hand"
        );
        campaign.status_reason = Some("5 messages in a row could not be sent".into());
        let paused = notifier
            .on_event(&Event::CampaignPaused(campaign.clone()))
            .unwrap()
            .expect("a ban sign notifies");
        assert_eq!(shown(&paused).title, "Campaign “Spring sale” paused");
        assert!(shown(&paused).body.starts_with("5 messages in a row"));
        assert_eq!(
            shown(&paused).target.route(),
            format!("/campaigns/{}", campaign.id)
        );

        campaign.status = CampaignStatus::Completed;
        campaign.status_reason = None;
        campaign.total_recipients = 3;
        campaign.sent_count = 2;
        campaign.failed_count = 1;
        let done = notifier
            .on_event(&Event::CampaignCompleted(campaign.clone()))
            .unwrap()
            .unwrap();
        assert_eq!(shown(&done).body, "2 sent, 1 failed, 0 skipped of 3");

        engine
            .save_notification_settings(NotificationSettings {
                campaigns: false,
                ..NotificationSettings::default()
            })
            .unwrap();
        assert_eq!(
            notifier
                .on_event(&Event::CampaignCompleted(campaign))
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_disabled_webhook_notifies_unless_switched_off() {
        let engine = test_engine();
        let mut notifier = engine.notifier();
        let event = Event::WebhookDisabled(crate::webhooks::WebhookDisabled {
            id: 4,
            url: "https://example.com/hook".into(),
            reason: "5 deliveries in a row were refused".into(),
        });
        let notice = notifier.on_event(&event).unwrap().unwrap();
        assert_eq!(shown(&notice).target, Target::Webhooks);
        assert!(shown(&notice).body.contains("example.com"));
        engine
            .save_notification_settings(NotificationSettings {
                webhooks: false,
                ..NotificationSettings::default()
            })
            .unwrap();
        assert_eq!(notifier.on_event(&event).unwrap(), None);
    }

    #[test]
    fn settings_default_to_everything_on_and_are_kept() {
        let engine = test_engine();
        assert_eq!(
            engine.notification_settings().unwrap(),
            NotificationSettings::default()
        );
        let some_off = NotificationSettings {
            messages: true,
            whatsapp: false,
            campaigns: true,
            webhooks: false,
        };
        engine.save_notification_settings(some_off).unwrap();
        assert_eq!(engine.notification_settings().unwrap(), some_off);
        assert_eq!(
            engine.preferences().unwrap(),
            crate::settings::Preferences::default(),
            "kept apart from the preferences"
        );
    }

    #[test]
    fn targets_have_distinct_ids_and_routes() {
        let targets = [
            Target::Chat(1),
            Target::Chat(2),
            Target::Connect,
            Target::Campaign(1),
            Target::Webhooks,
        ];
        let ids: std::collections::HashSet<i32> = targets.iter().map(|t| t.id()).collect();
        assert_eq!(ids.len(), targets.len());
        assert!(ids.iter().all(|id| *id >= 0));
        assert_eq!(Target::Chat(7).route(), "/inbox/7");
    }
}
