//! Webhooks: subscriptions to the engine's events, a persisted outbox of deliveries, and the worker
//! that delivers them, signed per the Standard Webhooks specification so receivers verify with a
//! ready-made library.
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

use std::collections::HashSet;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use ring::rand::SecureRandom;
use serde::{Deserialize, Serialize};

use crate::clock::{to_rfc3339, Millis};
use crate::error::{Checks, Error, Result};
use crate::events::Event;
use crate::inbox::MessageStatus;
use crate::page::{id_cursor, page_limit, Page};
use crate::store::webhooks::{Attempt, DeliveryRow, WebhookRow};
use crate::{store, Engine};

/// The event names a webhook may subscribe to; `campaign.*` and `message.*` style patterns and `*`
/// match by prefix.
pub const EVENT_TYPES: &[&str] = &[
    "message.received",
    "message.sent",
    "message.ack",
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "contact.opted_out",
    "connection.status",
    "campaign.*",
];

/// A receiver gets this long to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Retries stop this long after the event.
const RETRY_WINDOW: Millis = 24 * 60 * 60 * 1000;
/// The first retry waits about this long; each next one twice as long.
const FIRST_BACKOFF: Millis = 5_000;
/// No single wait is longer than this.
const MAX_BACKOFF: Millis = 60 * 60 * 1000;
/// A rotated-out secret keeps signing beside the new one this long.
const ROTATION_OVERLAP: Millis = 24 * 60 * 60 * 1000;
/// Deliveries failing for good in a row before the webhook is disabled.
const FAILURES_TO_DISABLE: i64 = 5;
/// How much of a receiver's answer the delivery log keeps.
const EXCERPT_BYTES: u64 = 1024;

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

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookUpdate {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    /// Enabling again clears the failure count.
    pub enabled: Option<bool>,
    /// A new secret; the old one keeps signing beside it for 24 h.
    pub rotate_secret: Option<bool>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why it was disabled by the app (deliveries kept failing); null when not.
    pub disabled_reason: Option<String>,
    /// Deliveries that failed for good in a row.
    pub consecutive_failures: i64,
    /// The signing secret (`whsec_…`), for the receiver's verification.
    pub secret: String,
    /// Until when (RFC 3339) the secret before the last rotation still signs too.
    pub previous_secret_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// One delivery in the log: its state and its last attempt.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    /// The `webhook-id` header: the same on every attempt, so receivers drop duplicates.
    pub event_id: String,
    pub event_type: String,
    /// pending, delivered or failed.
    pub state: String,
    pub attempts: i64,
    /// When the next attempt is due while pending (RFC 3339).
    pub next_attempt_at: Option<String>,
    /// The receiver's HTTP status on the last attempt.
    pub response_status: Option<i64>,
    /// What went wrong on the last attempt.
    pub error: Option<String>,
    /// The start of the receiver's last answer (at most 1 KiB).
    pub response_excerpt: Option<String>,
    pub duration_ms: Option<i64>,
    pub last_attempt_at: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
    /// The body sent.
    pub payload: serde_json::Value,
}

/// How many deliveries were queued again.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Requeued {
    pub requeued: usize,
}

/// Wakes the delivery worker when deliveries are queued.
#[derive(Default)]
pub(crate) struct WebhookSignal {
    pending: Mutex<bool>,
    wake: Condvar,
}

impl WebhookSignal {
    fn notify(&self) {
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.wake.notify_all();
    }
    fn wait(&self, timeout: Duration) {
        let pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let (mut pending, _) = self
            .wake
            .wait_timeout_while(pending, timeout, |p| !*p)
            .unwrap_or_else(|p| p.into_inner());
        *pending = false;
    }
}

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
fn matches(filter: &[String], event: &str) -> bool {
    filter.iter().any(|f| {
        f == "*"
            || f == event
            || f.strip_suffix('*')
                .is_some_and(|prefix| prefix.ends_with('.') && event.starts_with(prefix))
    })
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::internal("the system's random source failed"))?;
    Ok(bytes)
}

fn new_secret() -> Result<String> {
    use base64::Engine as _;
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(random_bytes::<32>()?)
    ))
}

fn new_event_id() -> Result<String> {
    let bytes = random_bytes::<16>()?;
    Ok(format!(
        "msg_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the secret's bytes.
pub fn sign(secret: &str, event_id: &str, timestamp: i64, body: &str) -> Result<String> {
    use base64::Engine as _;
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key_bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| Error::internal("the webhook's secret is not valid base64"))?;
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key_bytes);
    let tag = ring::hmac::sign(&key, format!("{event_id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
    ))
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

/// The wait before retry number `attempt` (1 = the first retry): doubling from 5 s up to an hour,
/// each drawn at random between half and all of it so receivers coming back are not stampeded.
fn backoff(attempt: i64) -> Millis {
    let full = FIRST_BACKOFF
        .saturating_mul(1 << attempt.clamp(1, 20).saturating_sub(1))
        .min(MAX_BACKOFF);
    rand::thread_rng().gen_range(full / 2..=full)
}

/// What an attempt's outcome means for the delivery.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Delivered,
    /// Try again, no earlier than after this long (a 429's `Retry-After`).
    Retry(Option<Millis>),
    /// A 4xx that retrying cannot fix.
    Give,
}

fn verdict(status: Option<u16>, retry_after: Option<&str>) -> Verdict {
    match status {
        Some(200..=299) => Verdict::Delivered,
        Some(429) => Verdict::Retry(
            retry_after
                .and_then(|v| v.trim().parse::<i64>().ok())
                .map(|seconds| seconds.max(0) * 1000),
        ),
        Some(408 | 409) => Verdict::Retry(None),
        Some(400..=499) => Verdict::Give,
        _ => Verdict::Retry(None),
    }
}

impl Engine {
    pub fn webhooks(&self) -> Result<Vec<Webhook>> {
        let now = self.now();
        let rows = self.db().with(store::webhooks::list)?;
        Ok(rows.into_iter().map(|r| from_row(r, now)).collect())
    }

    pub fn webhook(&self, id: i64) -> Result<Webhook> {
        let row = self
            .db()
            .with(|c| store::webhooks::get(c, id))?
            .ok_or_else(|| Error::not_found("Webhook"))?;
        Ok(from_row(row, self.now()))
    }

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

    /// Wakes the delivery worker (after the clock moved, in tests).
    pub fn wake_webhooks(&self) {
        self.webhook_signal().notify();
    }

    /// Delivers webhooks until `stop` is set: the program's webhook thread runs this.
    pub fn run_webhooks(&self, stop: &AtomicBool) {
        let busy: Arc<Mutex<HashSet<i64>>> = Arc::default();
        let mut workers: Vec<std::thread::JoinHandle<()>> = Vec::new();
        let stop_workers = Arc::new(AtomicBool::new(false));
        let agent = crate::http_client::agent(
            self.tls_roots(),
            TIMEOUT,
            0, // a receiver that redirects is misconfigured: logged, not followed
            &format!("WhatsFlow-Webhooks/{}", crate::VERSION),
        );
        while !stop.load(Ordering::SeqCst) {
            workers.retain(|w| !w.is_finished());
            let heads = match self.db().with(store::webhooks::heads) {
                Ok(heads) => heads,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook worker");
                    Vec::new()
                }
            };
            let now = self.now();
            let mut wait = Duration::from_secs(1);
            for (webhook_id, due) in heads {
                if due > now {
                    wait = wait.min(Duration::from_millis((due - now) as u64));
                    continue;
                }
                if !busy
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(webhook_id)
                {
                    continue;
                }
                let (engine, still_busy, stop, agent) = (
                    self.clone(),
                    busy.clone(),
                    stop_workers.clone(),
                    agent.clone(),
                );
                let spawned = std::thread::Builder::new()
                    .name(format!("webhook-{webhook_id}"))
                    .spawn(move || {
                        engine.deliver_due(webhook_id, &agent, &stop);
                        still_busy
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&webhook_id);
                        engine.webhook_signal().notify();
                    });
                match spawned {
                    Ok(worker) => workers.push(worker),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not start a webhook thread");
                        busy.lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&webhook_id);
                    }
                }
            }
            self.webhook_signal()
                .wait(wait.max(Duration::from_millis(10)));
        }
        stop_workers.store(true, Ordering::SeqCst);
        for worker in workers {
            let _ = worker.join();
        }
    }

    /// Delivers a webhook's due deliveries in order until one is not delivered or none is due.
    fn deliver_due(&self, webhook_id: i64, agent: &ureq::Agent, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            let step = (|| -> Result<bool> {
                let Some(webhook) = self.db().with(|c| store::webhooks::get(c, webhook_id))? else {
                    return Ok(false);
                };
                let Some(head) = self.db().with(|c| store::webhooks::head(c, webhook_id))? else {
                    return Ok(false);
                };
                if !webhook.active || head.next_attempt_at > self.now() {
                    return Ok(false);
                }
                self.attempt(&webhook, &head, agent)
            })();
            match step {
                Ok(true) => continue,
                Ok(false) => return,
                Err(e) => {
                    tracing::warn!(error = %e, webhook_id, "webhook delivery");
                    return;
                }
            }
        }
    }

    /// One attempt at a delivery; true when it was delivered (the next may follow at once).
    fn attempt(
        &self,
        webhook: &WebhookRow,
        delivery: &DeliveryRow,
        agent: &ureq::Agent,
    ) -> Result<bool> {
        let now = self.now();
        let timestamp = now / 1000;
        let mut signatures = vec![sign(
            &webhook.secret,
            &delivery.event_id,
            timestamp,
            &delivery.payload,
        )?];
        if let (Some(previous), Some(until)) =
            (&webhook.previous_secret, webhook.previous_secret_until)
        {
            if until > now {
                signatures.push(sign(
                    previous,
                    &delivery.event_id,
                    timestamp,
                    &delivery.payload,
                )?);
            }
        }
        let started = Instant::now();
        let sent = agent
            .post(&webhook.url)
            .header("webhook-id", &delivery.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signatures.join(" "))
            .content_type("application/json")
            .send(delivery.payload.as_bytes());
        let (status, retry_after, excerpt, error) = match sent {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                // Only the start is read: a huge answer costs nothing but this excerpt.
                let mut bytes = Vec::new();
                let read = response
                    .body_mut()
                    .as_reader()
                    .take(EXCERPT_BYTES)
                    .read_to_end(&mut bytes);
                let error = match (status, read) {
                    (200..=299, _) => None,
                    (_, Err(e)) => {
                        Some(format!("HTTP {status}; the answer could not be read: {e}"))
                    }
                    _ => Some(format!("the receiver answered HTTP {status}")),
                };
                (
                    Some(status),
                    retry_after,
                    Some(String::from_utf8_lossy(&bytes).into_owned()),
                    error,
                )
            }
            Err(e) => (None, None, None, Some(e.to_string())),
        };
        let duration_ms = started.elapsed().as_millis() as i64;
        let after = self.now();
        let verdict = verdict(status, retry_after.as_deref());
        let attempts = delivery.attempts + 1;
        let (state, next_attempt_at) = match verdict {
            Verdict::Delivered => ("delivered", after),
            Verdict::Give => ("failed", after),
            Verdict::Retry(at_least) => {
                let wait = backoff(attempts).max(at_least.unwrap_or(0));
                if after + wait > delivery.created_at + RETRY_WINDOW {
                    ("failed", after)
                } else {
                    ("pending", after + wait)
                }
            }
        };
        let exhausted = state == "failed" && verdict != Verdict::Give;
        self.db().with_tx(|tx| {
            store::webhooks::record_attempt(
                tx,
                delivery.id,
                &Attempt {
                    state,
                    next_attempt_at,
                    status: status.map(i64::from),
                    error: error.as_deref(),
                    excerpt: excerpt.as_deref(),
                    duration_ms,
                    at: after,
                },
            )?;
            if state == "pending" {
                return Ok(());
            }
            let failed = state == "failed";
            let failures = store::webhooks::record_outcome(tx, webhook.id, failed, None, after)?;
            let reason = if exhausted {
                Some("A delivery kept failing for 24 hours: the receiver seems gone. Fix it, then enable the webhook again (failed deliveries can be sent again).".to_owned())
            } else if failed && failures >= FAILURES_TO_DISABLE {
                Some(format!("{failures} deliveries in a row were refused: fix the receiver, then enable the webhook again."))
            } else {
                None
            };
            if let Some(reason) = reason {
                store::webhooks::record_outcome(tx, webhook.id, false, Some(&reason), after)?;
                tracing::warn!(webhook = webhook.id, "{reason}");
            }
            Ok(())
        })?;
        Ok(state == "delivered")
    }

    fn webhook_signal(&self) -> &WebhookSignal {
        &self.inner.webhooks
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

    #[test]
    fn signature_matches_the_specification_example() {
        // The example of the Standard Webhooks specification (and of its libraries' tests).
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn verdicts_and_backoff() {
        assert_eq!(verdict(Some(204), None), Verdict::Delivered);
        assert_eq!(verdict(Some(400), None), Verdict::Give);
        assert_eq!(verdict(Some(410), None), Verdict::Give);
        assert_eq!(verdict(Some(408), None), Verdict::Retry(None));
        assert_eq!(verdict(Some(409), None), Verdict::Retry(None));
        assert_eq!(verdict(Some(429), Some("7")), Verdict::Retry(Some(7000)));
        assert_eq!(verdict(Some(503), None), Verdict::Retry(None));
        assert_eq!(verdict(Some(302), None), Verdict::Retry(None));
        assert_eq!(verdict(None, None), Verdict::Retry(None));
        for attempt in 1..40 {
            let wait = backoff(attempt);
            let full = (FIRST_BACKOFF << (attempt.min(20) - 1)).min(MAX_BACKOFF);
            assert!(
                wait >= full / 2 && wait <= full,
                "attempt {attempt}: {wait}"
            );
        }
    }
}
