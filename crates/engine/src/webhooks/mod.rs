//! Webhooks: subscriptions to the engine's events, a persisted outbox of deliveries, and the worker
//! that delivers them, signed per the Standard Webhooks specification so receivers verify with a
//! ready-made library. This module has the webhooks themselves (CRUD, the delivery log); `signing`,
//! `outbox` and `delivery` the three stages an event goes through.
//!
//! **Outbox.** Every event a webhook subscribes to is written to `webhook_deliveries` in the same
//! transaction as the change that caused it (`Engine::write` queues the events its `Tx` collected
//! before committing), and only then published to listeners: a crash, a receiver that is down, a
//! slow worker or a lagging event bus lose nothing, and the worker survives restarts (it reads only
//! the table).
//!
//! **Delivery.** Per webhook strictly in order: only its oldest pending delivery is attempted, and
//! the ones after it wait. Each webhook is served by a thread of its own while it has due work, so
//! a receiver that hangs (10 s timeout) never holds up another webhook or the app. Retries back off
//! exponentially with jitter for up to 24 h after the event, then the delivery is marked failed;
//! 4xx answers other than 408, 409 and 429 are not retried; 429 waits for its `Retry-After`. A
//! webhook whose deliveries keep failing is disabled with the reason, which the UI shows.

use serde::{Deserialize, Serialize};

use crate::clock::{to_rfc3339, Millis};
use crate::error::{Checks, Error, Result};
use crate::page::{id_cursor, page_limit, Page};
use crate::store::webhooks::{DeliveryRow, WebhookRow};
use crate::{store, Engine};

mod delivery;
mod outbox;
mod signing;

pub(crate) use delivery::WebhookSignal;
pub use delivery::TIMEOUT;
pub(crate) use outbox::carries;
pub use outbox::webhook_type;
pub use signing::sign;
use signing::{new_event_id, new_secret};

/// The event names a webhook may subscribe to; `campaign.*` and `message.*` style patterns match
/// every name with that prefix, `*` every event.
pub const EVENT_TYPES: &[&str] = &[
    "message.received",
    "message.sent",
    "message.ack",
    "message.revoked",
    "message.edited",
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "contact.opted_out",
    "connection.status",
    "campaign.started",
    "campaign.paused",
    "campaign.resumed",
    "campaign.completed",
    "campaign.cancelled",
    "campaign.failed",
    "campaign.recipient_updated",
];

/// A rotated-out secret keeps signing beside the new one this long.
const ROTATION_OVERLAP: Millis = 24 * 60 * 60 * 1000;

/// A new webhook, as the UI and the API submit it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookInput {
    /// `http://` or `https://`; loopback and LAN addresses are fine (it is your machine).
    pub url: String,
    /// Event names (see the list), `prefix.*` patterns, or `*` for all.
    pub events: Vec<String>,
    /// Default true.
    pub enabled: Option<bool>,
}

/// Changes to a webhook: what is left out stays as it is.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookUpdate {
    /// A new address (`http://` or `https://`).
    pub url: Option<String>,
    /// A new event filter.
    pub events: Option<Vec<String>>,
    /// Enabling again clears the failure count.
    pub enabled: Option<bool>,
    /// A new secret; the old one keeps signing beside it for 24 h.
    pub rotate_secret: Option<bool>,
}

/// A webhook: where the events go, which ones, and how it fares.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// Its id.
    pub id: i64,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Event names, `prefix.*` patterns or `*`.
    pub events: Vec<String>,
    /// Whether events are queued and delivered for it.
    pub enabled: bool,
    /// Why it was disabled by the app (deliveries kept failing); null when not.
    pub disabled_reason: Option<String>,
    /// Deliveries that failed for good in a row.
    pub consecutive_failures: i64,
    /// The signing secret (`whsec_…`), for the receiver's verification.
    pub secret: String,
    /// Until when (RFC 3339) the secret before the last rotation still signs too.
    pub previous_secret_until: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
}

/// A webhook the app disabled, as the `webhook.disabled` event tells it (without its secret: the
/// event stream is read by more than admins).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDisabled {
    /// The webhook's id.
    pub id: i64,
    /// Where its deliveries went.
    pub url: String,
    /// Why it was disabled, for people.
    pub reason: String,
}

/// One delivery in the log: its state and its last attempt.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Its id.
    pub id: i64,
    /// The webhook it is for.
    pub webhook_id: i64,
    /// The `webhook-id` header: the same on every attempt, so receivers drop duplicates.
    pub event_id: String,
    /// The event's name, e.g. `message.received`.
    pub event_type: String,
    /// pending, delivered or failed.
    pub state: String,
    /// Attempts made so far.
    pub attempts: i64,
    /// When the next attempt is due while pending (RFC 3339).
    pub next_attempt_at: Option<String>,
    /// The receiver's HTTP status on the last attempt.
    pub response_status: Option<i64>,
    /// What went wrong on the last attempt.
    pub error: Option<String>,
    /// The start of the receiver's last answer (at most 1 KiB).
    pub response_excerpt: Option<String>,
    /// How long the last attempt took.
    pub duration_ms: Option<i64>,
    /// When the last attempt was made (RFC 3339).
    pub last_attempt_at: Option<String>,
    /// When the event happened and the delivery was queued (RFC 3339).
    pub created_at: String,
    /// When the receiver took it (RFC 3339).
    pub delivered_at: Option<String>,
    /// The body sent.
    pub payload: serde_json::Value,
}

/// How many deliveries were queued again.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Requeued {
    /// Deliveries queued again.
    pub requeued: usize,
}

fn check_input(checks: &mut Checks, url: &str, events: &[String]) {
    match url::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() => {}
        Ok(_) => checks.fail("url", "The URL must start with http:// or https://"),
        Err(_) => checks.fail("url", "This is not a URL (e.g. http://127.0.0.1:9000/hook)"),
    }
    checks.max_len("url", "The URL", url, 2000);
    if events.is_empty() {
        checks.fail("events", "Choose at least one event (or * for all)");
    }
    for event in events {
        let known = event == "*"
            || EVENT_TYPES.contains(&event.as_str())
            || event.strip_suffix(".*").is_some_and(|prefix| {
                EVENT_TYPES
                    .iter()
                    .any(|t| t.starts_with(&format!("{prefix}.")))
            });
        if !known {
            checks.fail(
                "events",
                format!(
                    "Unknown event {event:?}: use one of {}, a prefix.* pattern, or *",
                    EVENT_TYPES.join(", ")
                ),
            );
        }
    }
}

fn from_row(row: WebhookRow, now: Millis) -> Webhook {
    Webhook {
        id: row.id,
        url: row.url,
        events: serde_json::from_str(&row.events).unwrap_or_default(),
        enabled: row.active,
        disabled_reason: row.disabled_reason,
        consecutive_failures: row.consecutive_failures,
        secret: row.secret,
        previous_secret_until: row
            .previous_secret_until
            .filter(|until| *until > now)
            .map(to_rfc3339),
        created_at: to_rfc3339(row.created_at),
        updated_at: to_rfc3339(row.updated_at),
    }
}

fn delivery_from_row(row: DeliveryRow) -> Delivery {
    Delivery {
        id: row.id,
        webhook_id: row.webhook_id,
        event_id: row.event_id,
        event_type: row.event_type,
        next_attempt_at: (row.state == "pending").then(|| to_rfc3339(row.next_attempt_at)),
        state: row.state,
        attempts: row.attempts,
        response_status: row.last_status,
        error: row.last_error,
        response_excerpt: row.response_excerpt,
        duration_ms: row.duration_ms,
        last_attempt_at: row.last_attempt_at.map(to_rfc3339),
        created_at: to_rfc3339(row.created_at),
        delivered_at: row.delivered_at.map(to_rfc3339),
        payload: serde_json::from_str(&row.payload).unwrap_or_default(),
    }
}

impl Engine {
    /// Every webhook, oldest first.
    pub fn webhooks(&self) -> Result<Vec<Webhook>> {
        let now = self.now();
        let rows = self.db().with(store::webhooks::list)?;
        Ok(rows.into_iter().map(|r| from_row(r, now)).collect())
    }

    /// One webhook.
    pub fn webhook(&self, id: i64) -> Result<Webhook> {
        let row = self
            .db()
            .with(|c| store::webhooks::get(c, id))?
            .ok_or_else(|| Error::not_found("Webhook"))?;
        Ok(from_row(row, self.now()))
    }

    /// Creates a webhook with a new signing secret; the URL and the filter are checked first.
    pub fn create_webhook(&self, input: WebhookInput) -> Result<Webhook> {
        let url = input.url.trim().to_owned();
        let mut checks = Checks::default();
        check_input(&mut checks, &url, &input.events);
        checks.finish()?;
        let events =
            serde_json::to_string(&input.events).map_err(|e| Error::internal(e.to_string()))?;
        let secret = new_secret()?;
        let now = self.now();
        let id = self.db().with_tx(|tx| {
            let id = store::webhooks::insert(
                tx,
                &url,
                &events,
                &secret,
                input.enabled.unwrap_or(true),
                now,
            )?;
            store::audit::insert(
                tx,
                now,
                "user",
                "webhook.created",
                &serde_json::json!({ "id": id, "url": url }),
            )?;
            Ok(id)
        })?;
        self.webhook(id)
    }

    /// Changes a webhook (and rotates its secret when asked), checked as on creation.
    pub fn update_webhook(&self, id: i64, update: WebhookUpdate) -> Result<Webhook> {
        let now = self.now();
        let current = self.webhook(id)?;
        let url = update
            .url
            .map(|u| u.trim().to_owned())
            .unwrap_or(current.url);
        let events = update.events.unwrap_or(current.events);
        let mut checks = Checks::default();
        check_input(&mut checks, &url, &events);
        checks.finish()?;
        let events_json =
            serde_json::to_string(&events).map_err(|e| Error::internal(e.to_string()))?;
        let secret = if update.rotate_secret == Some(true) {
            Some(new_secret()?)
        } else {
            None
        };
        self.db().with_tx(|tx| {
            store::webhooks::update(
                tx,
                id,
                &url,
                &events_json,
                update.enabled.unwrap_or(current.enabled),
                now,
            )?;
            if let Some(secret) = &secret {
                store::webhooks::rotate_secret(tx, id, secret, now + ROTATION_OVERLAP, now)?;
            }
            store::audit::insert(
                tx,
                now,
                "user",
                "webhook.updated",
                &serde_json::json!({ "id": id, "url": url, "secretRotated": secret.is_some() }),
            )
        })?;
        self.webhook_signal().notify();
        self.webhook(id)
    }

    /// Deletes a webhook with its delivery log.
    pub fn delete_webhook(&self, id: i64) -> Result<()> {
        let now = self.now();
        self.db().with_tx(|tx| {
            if !store::webhooks::delete(tx, id)? {
                return Err(Error::not_found("Webhook"));
            }
            store::audit::insert(
                tx,
                now,
                "user",
                "webhook.deleted",
                &serde_json::json!({ "id": id }),
            )
        })
    }

    /// A webhook's delivery log, newest first; `state` filters (pending, delivered, failed).
    pub fn webhook_deliveries(
        &self,
        id: i64,
        state: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Delivery>> {
        self.webhook(id)?;
        let before = id_cursor(cursor)?;
        let limit = page_limit(limit);
        let rows = self
            .db()
            .with(|c| store::webhooks::deliveries(c, id, state, before, limit + 1))?;
        let items = rows.into_iter().map(delivery_from_row).collect();
        Ok(Page::from_overfetch(items, limit, |d: &Delivery| {
            d.id.to_string()
        }))
    }

    /// Queues a delivery again (delivered or failed alike), with the same `webhook-id`.
    pub fn redeliver(&self, webhook_id: i64, delivery_id: i64) -> Result<Delivery> {
        let now = self.now();
        let row = self.db().with_tx(|tx| {
            store::webhooks::requeue(tx, webhook_id, Some(delivery_id), now)?;
            store::webhooks::get_delivery(tx, webhook_id, delivery_id)?
                .ok_or_else(|| Error::not_found("Delivery"))
        })?;
        self.webhook_signal().notify();
        Ok(delivery_from_row(row))
    }

    /// Queues every failed delivery of a webhook again.
    pub fn redeliver_failed(&self, webhook_id: i64) -> Result<Requeued> {
        self.webhook(webhook_id)?;
        let now = self.now();
        let requeued = self
            .db()
            .with_tx(|tx| store::webhooks::requeue(tx, webhook_id, None, now))?;
        self.webhook_signal().notify();
        Ok(Requeued { requeued })
    }

    /// Queues a `webhook.test` event for this webhook alone, whatever its filter.
    pub fn test_webhook(&self, id: i64) -> Result<Delivery> {
        let webhook = self.webhook(id)?;
        let now = self.now();
        let event_id = new_event_id()?;
        let payload = serde_json::json!({
            "type": "webhook.test", "id": event_id, "timestamp": to_rfc3339(now),
            "data": { "webhookId": webhook.id, "message": "A test event from WhatsFlow" },
        });
        let row = self.db().with_tx(|tx| {
            let delivery = store::webhooks::insert_delivery(
                tx,
                id,
                &event_id,
                "webhook.test",
                &payload.to_string(),
                now,
            )?;
            store::webhooks::get_delivery(tx, id, delivery)?
                .ok_or_else(|| Error::internal("the delivery vanished"))
        })?;
        self.webhook_signal().notify();
        Ok(delivery_from_row(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_events_are_checked_and_rotation_keeps_the_old_secret_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let clock = std::sync::Arc::new(crate::ManualClock::new(1_700_000_000_000));
        let engine = Engine::in_memory(clock.clone(), dir.path()).unwrap();
        let input = |url: &str, events: &[&str]| WebhookInput {
            url: url.into(),
            events: events.iter().map(|e| e.to_string()).collect(),
            enabled: None,
        };
        for (url, events) in [
            ("ftp://127.0.0.1/x", &["*"][..]),
            ("not a url", &["*"][..]),
            ("http://192.168.1.20:9000/hook", &["message.nope"][..]),
            ("http://192.168.1.20:9000/hook", &[][..]),
        ] {
            let err = engine.create_webhook(input(url, events)).unwrap_err();
            assert_eq!(
                err.code,
                crate::ErrorCode::ValidationFailed,
                "{url} {events:?}"
            );
        }
        let webhook = engine
            .create_webhook(input("http://192.168.1.20:9000/hook", &["message.*"]))
            .unwrap();
        assert!(webhook.enabled && webhook.secret.starts_with("whsec_"));
        let rotated = engine
            .update_webhook(
                webhook.id,
                WebhookUpdate {
                    rotate_secret: Some(true),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_ne!(rotated.secret, webhook.secret);
        assert!(rotated.previous_secret_until.is_some());
        clock.advance(ROTATION_OVERLAP + 1);
        assert!(engine
            .webhook(webhook.id)
            .unwrap()
            .previous_secret_until
            .is_none());
        engine.delete_webhook(webhook.id).unwrap();
        assert_eq!(
            engine.webhook(webhook.id).unwrap_err().code,
            crate::ErrorCode::NotFound
        );
    }
}
