//! The event stream's memory: the last events kept in order so a client that reconnects with
//! `Last-Event-ID` misses nothing, and a condition variable to wake the streams.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use whatsflow_engine::events::EventFilter;
use whatsflow_engine::{Engine, Event, EventEnvelope};

/// How many recent events a reconnecting client can catch up on.
const KEEP: usize = 2048;

/// One event as the stream sends it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub id: u64,
    /// Whether it may be sent while the app is locked (only the lock's own changes may).
    pub shown_while_locked: bool,
    /// The names a `types` filter knows it by (its own, and its webhook name where that differs).
    pub names: Vec<String>,
    pub json: String,
}

impl Recorded {
    /// Whether a stream with this filter sends it.
    pub fn taken_by(&self, filter: &EventFilter) -> bool {
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        filter.takes(&names)
    }
}

#[derive(Default)]
pub struct EventLog {
    recent: Mutex<VecDeque<Recorded>>,
    changed: Condvar,
}

impl EventLog {
    /// Starts recording the engine's events on a thread of its own, which ends at the first event
    /// after the log is dropped (a server switched off and on again leaves no thread behind).
    pub fn start(engine: &Engine) -> Arc<EventLog> {
        let log = Arc::new(EventLog::default());
        let mut events = engine.subscribe();
        let weak = Arc::downgrade(&log);
        let clock = engine.clone();
        std::thread::Builder::new()
            .name("event-log".into())
            .spawn(move || loop {
                let received = events.blocking_recv();
                let Some(writer) = weak.upgrade() else { break };
                match received {
                    Ok(envelope) => writer.push(&envelope),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "event stream fell behind");
                        // The missed events' ids are never used again: the last one marks the gap.
                        writer.push(&EventEnvelope {
                            id: writer.last_id() + n,
                            at: clock.now(),
                            event: Event::Resync,
                        });
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            })
            .expect("spawn event-log thread");
        log
    }

    fn push(&self, envelope: &EventEnvelope) {
        let json = serde_json::to_string(envelope).unwrap_or_default();
        let shown_while_locked = matches!(envelope.event, Event::LockChanged(_) | Event::Resync);
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.push_back(Recorded {
            id: envelope.id,
            shown_while_locked,
            names: EventFilter::names_of(&envelope.event),
            json,
        });
        if recent.len() > KEEP {
            recent.pop_front();
        }
        self.changed.notify_all();
    }

    /// The newest event id, or 0.
    pub fn last_id(&self) -> u64 {
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .back()
            .map(|e| e.id)
            .unwrap_or(0)
    }

    /// Events after `after`, waiting up to `wait` for one to arrive. Empty on time-out. A client
    /// resuming from an event no longer kept gets a `resync` first: it missed some.
    pub fn after(&self, after: u64, wait: Duration, at: whatsflow_engine::Millis) -> Vec<Recorded> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let (recent, _) = self
            .changed
            .wait_timeout_while(recent, wait, |r| {
                r.back().map(|e| e.id).unwrap_or(0) <= after
            })
            .unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        if let Some(oldest) = recent.front().filter(|oldest| oldest.id > after + 1) {
            out.push(resync(oldest.id - 1, at));
        }
        out.extend(recent.iter().filter(|e| e.id > after).cloned());
        out
    }
}

/// The `resync` event with the id of the last event its listener missed.
pub fn resync(id: u64, at: whatsflow_engine::Millis) -> Recorded {
    let envelope = EventEnvelope {
        id,
        at,
        event: Event::Resync,
    };
    Recorded {
        id,
        shown_while_locked: true,
        names: vec!["resync".to_owned()],
        json: serde_json::to_string(&envelope).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_with(ids: std::ops::RangeInclusive<u64>) -> EventLog {
        let log = EventLog::default();
        for id in ids {
            log.push(&EventEnvelope {
                id,
                at: 0,
                event: Event::ContactDeleted { id: id as i64 },
            });
        }
        log
    }

    #[test]
    fn a_client_resuming_within_the_kept_events_gets_them_all() {
        let log = log_with(1..=10);
        let ids: Vec<u64> = log
            .after(4, Duration::ZERO, 0)
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, vec![5, 6, 7, 8, 9, 10]);
    }

    #[test]
    fn a_client_resuming_from_an_event_no_longer_kept_is_told_to_resync() {
        let log = log_with(1..=(KEEP as u64 + 10));
        let batch = log.after(3, Duration::ZERO, 0);
        assert_eq!(batch[0].id, 10, "the resync stands for the last missed id");
        assert!(
            batch[0].json.contains(r#""type":"resync""#),
            "{}",
            batch[0].json
        );
        assert!(batch[0].shown_while_locked);
        assert_eq!(batch[1].id, 11);
        assert_eq!(batch.len(), KEEP + 1);
    }
}
