//! The outbox side of webhooks: which engine events webhooks carry, which webhooks' filters take
//! them, and the deliveries queued for them inside the transaction of the change that caused them.

use serde::Serialize;

use super::signing::new_event_id;
use crate::clock::to_rfc3339;
use crate::error::Result;
use crate::events::Event;
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
        Event::ContactCreated(c) => ("contact.created", json(c)?),
        Event::ContactUpdated(c) => ("contact.updated", json(c)?),
        Event::ContactDeleted { id } => ("contact.deleted", serde_json::json!({ "id": id })),
        Event::ConnectionChanged(s) => ("connection.status", json(s)?),
        _ => return None,
    };
    Some((name, data))
}

/// Whether webhooks carry this event (so it must reach the outbox with its change).
pub(crate) fn carries(event: &Event) -> bool {
    webhook_event(event).is_some()
}

/// Whether a filter (names and `prefix.*` patterns) takes an event.
pub(super) fn matches(filter: &[String], event: &str) -> bool {
    filter.iter().any(|f| {
        f == "*"
            || f == event
            || f.strip_suffix('*')
                .is_some_and(|prefix| prefix.ends_with('.') && event.starts_with(prefix))
    })
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
                .filter(|(_, filter)| matches(filter, event_type))
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

    #[test]
    fn filters_match_names_patterns_and_all() {
        let filter = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(matches(&filter(&["message.received"]), "message.received"));
        assert!(!matches(&filter(&["message.received"]), "message.ack"));
        assert!(matches(&filter(&["message.*"]), "message.ack"));
        assert!(!matches(&filter(&["message.*"]), "messages.x"));
        assert!(matches(&filter(&["*"]), "contact.created"));
        assert!(matches(&filter(&["campaign.*"]), "campaign.completed"));
    }
}
