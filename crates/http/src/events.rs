//! The event stream's memory: the last events kept in order so a client that reconnects with
//! `Last-Event-ID` misses nothing, and a condition variable to wake the streams.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use whatsflow_engine::{Engine, EventEnvelope};

/// How many recent events a reconnecting client can catch up on.
const KEEP: usize = 2048;

/// One event as the stream sends it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub id: u64,
    /// Whether it may be sent while the app is locked (only the lock's own changes may).
    pub shown_while_locked: bool,
    pub json: String,
}

#[derive(Default)]
pub struct EventLog {
    recent: Mutex<VecDeque<Recorded>>,
    changed: Condvar,
}

impl EventLog {
    /// Starts recording the engine's events on a thread of its own.
    pub fn start(engine: &Engine) -> Arc<EventLog> {
        let log = Arc::new(EventLog::default());
        let mut events = engine.subscribe();
        let writer = log.clone();
        std::thread::Builder::new()
            .name("event-log".into())
            .spawn(move || loop {
                match events.blocking_recv() {
                    Ok(envelope) => writer.push(&envelope),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "event stream fell behind");
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            })
            .expect("spawn event-log thread");
        log
    }

    fn push(&self, envelope: &EventEnvelope) {
        let json = serde_json::to_string(envelope).unwrap_or_default();
        let shown_while_locked = matches!(envelope.event, whatsflow_engine::Event::LockChanged(_));
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.push_back(Recorded {
            id: envelope.id,
            shown_while_locked,
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

    /// Events after `after`, waiting up to `wait` for one to arrive. Empty on time-out.
    pub fn after(&self, after: u64, wait: Duration) -> Vec<Recorded> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let (recent, _) = self
            .changed
            .wait_timeout_while(recent, wait, |r| {
                r.back().map(|e| e.id).unwrap_or(0) <= after
            })
            .unwrap_or_else(|p| p.into_inner());
        recent.iter().filter(|e| e.id > after).cloned().collect()
    }
}
