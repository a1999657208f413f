//! A change and the events it causes, committed together: [`Engine::write`] runs a closure in one
//! write transaction whose [`Tx`] collects the events the change emits. Before the commit the events
//! webhooks carry are written to the webhook outbox on the same transaction; after it, every event
//! goes to the listeners. So a change that rolls back announces nothing, and a crash right after a
//! commit cannot lose a webhook delivery: the change and its deliveries are one commit.

use std::cell::RefCell;
use std::ops::Deref;

use rusqlite::Transaction;

use crate::error::Result;
use crate::events::Event;
use crate::Engine;

/// A write transaction that also collects the events of its change. Derefs to the SQLite
/// transaction, so `store::` functions take it as they are.
pub struct Tx<'t> {
    tx: &'t Transaction<'t>,
    events: RefCell<Vec<Event>>,
}

impl<'t> Deref for Tx<'t> {
    type Target = Transaction<'t>;
    fn deref(&self) -> &Transaction<'t> {
        self.tx
    }
}

impl Tx<'_> {
    /// Announces `event` once this transaction commits (and never if it rolls back); webhooks that
    /// take it get their delivery queued in this transaction.
    pub fn emit(&self, event: Event) {
        self.events.borrow_mut().push(event);
    }
}

impl Engine {
    /// Runs `change` in one write transaction with the events it emits (see the module's notes).
    pub fn write<T>(&self, change: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let (value, events, queued) = self.db().with_tx(|tx| {
            let scoped = Tx {
                tx,
                events: RefCell::new(Vec::new()),
            };
            let value = change(&scoped)?;
            let events = scoped.events.into_inner();
            let queued = self.queue_webhook_deliveries(tx, &events)?;
            Ok((value, events, queued))
        })?;
        if queued > 0 {
            self.wake_webhooks();
        }
        for event in events {
            self.publish(event);
        }
        Ok(value)
    }

    /// Announces an event that no change of its own goes with. One webhooks carry still takes the
    /// way of every such event: into the outbox in a transaction, then to the listeners.
    pub fn emit(&self, event: Event) {
        if !crate::webhooks::carries(&event) {
            self.publish(event);
            return;
        }
        if let Err(e) = self.write(|tx| {
            tx.emit(event);
            Ok(())
        }) {
            tracing::error!(error = %e, "could not queue an event's webhook deliveries");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::test_engine;
    use crate::webhooks::WebhookInput;
    use crate::{Error, Event};

    #[test]
    fn a_rolled_back_change_queues_and_announces_nothing_a_committed_one_both() {
        let engine = test_engine();
        let webhook = engine
            .create_webhook(WebhookInput {
                url: "http://127.0.0.1:9/hook".into(),
                events: vec!["contact.*".into()],
                enabled: None,
            })
            .unwrap();
        let mut listener = engine.subscribe();
        let queued = || {
            engine
                .webhook_deliveries(webhook.id, None, None, 10)
                .unwrap()
                .items
        };

        let failed = engine.write(|tx| {
            tx.emit(Event::ContactDeleted { id: 7 });
            Err::<(), _>(Error::internal("the change failed after emitting"))
        });
        assert!(failed.is_err());
        assert!(queued().is_empty(), "a rolled-back change queues nothing");
        assert!(listener.try_recv().is_err(), "and announces nothing");

        engine
            .write(|tx| {
                tx.emit(Event::ContactDeleted { id: 8 });
                Ok(())
            })
            .unwrap();
        let deliveries = queued();
        assert_eq!(deliveries.len(), 1);
        assert_eq!(deliveries[0].event_type, "contact.deleted");
        assert_eq!(deliveries[0].payload["data"]["id"], 8);
        let announced = listener.try_recv().unwrap();
        assert!(matches!(announced.event, Event::ContactDeleted { id: 8 }));
    }
}
