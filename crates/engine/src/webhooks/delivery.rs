//! The delivery worker: per webhook strictly in order, on a thread of its own while it has due
//! work, signed, with retries backing off for up to 24 h and a webhook disabled once its deliveries
//! keep failing (see the parent module's notes).

use std::collections::HashSet;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;

use super::sign;
use crate::clock::Millis;
use crate::error::Result;
use crate::events::Event;
use crate::store::webhooks::{Attempt, DeliveryRow, WebhookRow};
use crate::{store, Engine};

/// A receiver gets this long to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Retries stop this long after the event.
const RETRY_WINDOW: Millis = 24 * 60 * 60 * 1000;
/// The first retry waits about this long; each next one twice as long.
const FIRST_BACKOFF: Millis = 5_000;
/// No single wait is longer than this.
const MAX_BACKOFF: Millis = 60 * 60 * 1000;
/// Deliveries failing for good in a row before the webhook is disabled.
const FAILURES_TO_DISABLE: i64 = 5;
/// How much of a receiver's answer the delivery log keeps.
const EXCERPT_BYTES: u64 = 1024;

/// Wakes the delivery worker when deliveries are queued.
#[derive(Default)]
pub(crate) struct WebhookSignal {
    pending: Mutex<bool>,
    wake: Condvar,
}

impl WebhookSignal {
    pub(crate) fn notify(&self) {
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
        self.write(|tx| {
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
                tx.emit(Event::WebhookDisabled(super::WebhookDisabled {
                    id: webhook.id,
                    url: webhook.url.clone(),
                    reason,
                }));
            }
            Ok(())
        })?;
        Ok(state == "delivered")
    }

    pub(super) fn webhook_signal(&self) -> &WebhookSignal {
        &self.inner.webhooks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

#[cfg(test)]
mod disabling {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::testing::{new_contact, test_engine};
    use crate::webhooks::{WebhookDisabled, WebhookInput};

    #[test]
    fn a_webhook_refused_five_times_in_a_row_is_disabled_and_announced() {
        // A receiver that refuses every delivery.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        let engine = test_engine();
        let webhook = engine
            .create_webhook(WebhookInput {
                url: url.clone(),
                events: vec!["contact.created".into()],
                enabled: None,
            })
            .unwrap();
        for i in 0..FAILURES_TO_DISABLE {
            engine
                .create_contact(new_contact(&format!("+1415555{:04}", 100 + i), "Someone"))
                .unwrap();
        }
        let mut events = engine.subscribe();
        let agent =
            crate::http_client::agent(engine.tls_roots(), TIMEOUT, 0, "WhatsFlow-Webhooks/test");
        let stop = AtomicBool::new(false);
        for _ in 0..FAILURES_TO_DISABLE {
            engine.deliver_due(webhook.id, &agent, &stop);
        }
        let announced: Vec<Event> = std::iter::from_fn(|| events.try_recv().ok())
            .map(|e| e.event)
            .filter(|e| matches!(e, Event::WebhookDisabled(_)))
            .collect();
        assert_eq!(announced.len(), 1, "{announced:?}");
        let Event::WebhookDisabled(WebhookDisabled {
            id,
            url: shown,
            reason,
        }) = &announced[0]
        else {
            unreachable!()
        };
        assert_eq!((*id, shown.as_str()), (webhook.id, url.as_str()));
        assert!(reason.contains("5 deliveries in a row"), "{reason}");
        assert!(!engine.webhook(webhook.id).unwrap().enabled);
    }
}
