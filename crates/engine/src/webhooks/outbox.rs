//! The outbox side of webhooks: which engine events webhooks carry, which webhooks' filters take
//! them, and the deliveries queued for them inside the transaction of the change that caused them.

use serde::Serialize;

use super::signing::new_event_id;
use crate::clock::to_rfc3339;
use crate::error::Result;
use crate::events::{filter_takes, Event};
use crate::inbox::MessageStatus;
use crate::{store, Engine};

fn json<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// The webhook event name and data for an engine event, if webhooks carry it. The data is what the
/// REST API answers for that thing.
fn webhook_event(event: &Event) -> Option<(&'static str, serde_json::Value)> {
    let (name, data) = match event {
        Event::MessageReceived(m) => ("message.received", json(m)?),
        Event::MessageUpdated(m) => match m.status {
            MessageStatus::Sent => ("message.sent", json(m)?),
            MessageStatus::Delivered
            | MessageStatus::Read
            | MessageStatus::Played
            | MessageStatus::Failed => ("message.ack", json(m)?),
            _ => return None,
        },
        Event::MessageRevoked(m) => ("message.revoked", json(m)?),
        Event::MessageEdited(m) => ("message.edited", json(m)?),
        Event::ContactCreated(c) => ("contact.created", json(c)?),
        Event::ContactUpdated(c) => ("contact.updated", json(c)?),
        Event::ContactOptedOut(c) => ("contact.opted_out", json(c)?),
        Event::ContactDeleted { id } => ("contact.deleted", serde_json::json!({ "id": id })),
        Event::CampaignStarted(c) => ("campaign.started", json(c)?),
        Event::CampaignPaused(c) => ("campaign.paused", json(c)?),
        Event::CampaignResumed(c) => ("campaign.resumed", json(c)?),
        Event::CampaignCompleted(c) => ("campaign.completed", json(c)?),
        Event::CampaignCancelled(c) => ("campaign.cancelled", json(c)?),
        Event::CampaignFailed(c) => ("campaign.failed", json(c)?),
        Event::CampaignRecipientUpdated(r) => ("campaign.recipient_updated", json(r)?),
        Event::ConnectionChanged(s) => ("connection.status", json(s)?),
        _ => return None,
    };
    Some((name, data))
}

/// Whether webhooks carry this event (so it must reach the outbox with its change).
pub(crate) fn carries(event: &Event) -> bool {
    webhook_event(event).is_some()
}

/// The name webhooks give this event, if they carry it (the event stream's filter takes it too).
pub fn webhook_type(event: &Event) -> Option<&'static str> {
    webhook_event(event).map(|(name, _)| name)
}

impl Engine {
    /// Queues, on `tx`, the deliveries these events cause: each event a webhook carries, for every
    /// enabled webhook whose filter takes it. Called by `Engine::write` inside the change's
    /// transaction. Returns how many were queued.
    pub(crate) fn queue_webhook_deliveries(
        &self,
        tx: &rusqlite::Connection,
        events: &[Event],
    ) -> Result<usize> {
        let carried: Vec<_> = events.iter().filter_map(webhook_event).collect();
        if carried.is_empty() {
            return Ok(0);
        }
        let subscriptions: Vec<(i64, Vec<String>)> = store::webhooks::subscriptions(tx)?
            .into_iter()
            .map(|(id, events)| (id, serde_json::from_str(&events).unwrap_or_default()))
            .collect();
        let now = self.now();
        let mut queued = 0;
        for (event_type, data) in carried {
            let targets: Vec<i64> = subscriptions
                .iter()
                .filter(|(_, filter)| filter_takes(filter, event_type))
                .map(|(id, _)| *id)
                .collect();
            if targets.is_empty() {
                continue;
            }
            let event_id = new_event_id()?;
            let payload = serde_json::json!({
                "type": event_type, "id": event_id, "timestamp": to_rfc3339(now),
                "data": data,
            })
            .to_string();
            for webhook in targets {
                store::webhooks::insert_delivery(
                    tx, webhook, &event_id, event_type, &payload, now,
                )?;
                queued += 1;
            }
        }
        Ok(queued)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbox::SendMessage;
    use crate::testing::{inbound, new_contact, test_engine};
    use crate::webhooks::{WebhookInput, EVENT_TYPES};

    /// A webhook on `events` (no worker runs: its deliveries stay queued to be read).
    fn webhook_on(engine: &Engine, events: &[&str]) -> i64 {
        engine
            .create_webhook(WebhookInput {
                url: "http://127.0.0.1:9/hook".into(),
                events: events.iter().map(|e| e.to_string()).collect(),
                enabled: None,
            })
            .unwrap()
            .id
    }

    /// The queued deliveries' event names and data, oldest first.
    fn queued(engine: &Engine, webhook: i64) -> Vec<(String, serde_json::Value)> {
        let page = engine.webhook_deliveries(webhook, None, None, 100).unwrap();
        let mut deliveries: Vec<_> = page
            .items
            .into_iter()
            .map(|d| (d.event_type, d.payload["data"].clone()))
            .collect();
        deliveries.reverse();
        deliveries
    }

    #[test]
    fn opting_out_by_hand_or_by_keyword_announces_contact_opted_out_once() {
        let engine = test_engine().with_business_in("US");
        let webhook = webhook_on(&engine, &["contact.opted_out"]);
        let by_hand = engine
            .create_contact(new_contact("+14155550100", "Ana"))
            .unwrap();
        engine.set_opted_out(by_hand.id, true).unwrap();
        // Already out, then back in: neither is an opt-out.
        engine.set_opted_out(by_hand.id, true).unwrap();
        engine.set_opted_out(by_hand.id, false).unwrap();
        engine
            .ingest(inbound("1", "14155550111", "STOP").build())
            .unwrap();

        let deliveries = queued(&engine, webhook);
        let opted_out: Vec<_> = deliveries
            .iter()
            .map(|(name, data)| {
                let phone = data["phoneNumber"].as_str().unwrap_or_default().to_owned();
                (name.as_str(), phone, data["optedOut"].clone())
            })
            .collect();
        assert_eq!(
            opted_out,
            vec![
                ("contact.opted_out", "+14155550100".into(), true.into()),
                ("contact.opted_out", "+14155550111".into(), true.into()),
            ]
        );
    }

    #[test]
    fn a_send_to_a_new_number_announces_the_contact_it_creates() {
        let engine = test_engine().with_business_in("US");
        engine.with_scripted_link();
        let webhook = webhook_on(&engine, &["contact.*"]);
        let send = |phone: &str| {
            engine
                .send_message(SendMessage {
                    phone_number: phone.into(),
                    message: "Hello".into(),
                    ..Default::default()
                })
                .unwrap()
        };
        send("+14155550122");
        send("+14155550122");
        let deliveries = queued(&engine, webhook);
        assert_eq!(
            deliveries.len(),
            1,
            "only the first send creates: {deliveries:?}"
        );
        assert_eq!(deliveries[0].0, "contact.created");
        assert_eq!(deliveries[0].1["phoneNumber"], "+14155550122");
    }

    #[test]
    fn every_campaign_event_type_is_carried_and_taken_by_campaign_star() {
        let campaign_types: Vec<_> = EVENT_TYPES
            .iter()
            .filter(|t| t.starts_with("campaign."))
            .collect();
        assert_eq!(campaign_types.len(), 7);
        let filter = vec!["campaign.*".to_owned()];
        for name in campaign_types {
            assert!(filter_takes(&filter, name), "{name}");
        }
    }

    #[test]
    fn filters_match_names_patterns_and_all() {
        let filter = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(filter_takes(
            &filter(&["message.received"]),
            "message.received"
        ));
        assert!(!filter_takes(&filter(&["message.received"]), "message.ack"));
        assert!(filter_takes(&filter(&["message.*"]), "message.ack"));
        assert!(!filter_takes(&filter(&["message.*"]), "messages.x"));
        assert!(filter_takes(&filter(&["*"]), "contact.created"));
        assert!(filter_takes(&filter(&["campaign.*"]), "campaign.completed"));
    }
}
