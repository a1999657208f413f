//! The outbox worker: hands committed outbound messages to WhatsApp one at a time while connected,
//! retries with backoff, and after a crash looks a send left "sending" up before any retry, so
//! nothing is sent twice.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use super::{not_on_whatsapp, split_own_id, Message, MessageStatus};
use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;
use crate::link::{ConnectionState, MediaFile, OutgoingMessage};
use crate::{phone, store, Engine};

/// Tries before an outbound message is given up as failed.
const MAX_SEND_ATTEMPTS: i64 = 5;
/// Wakes the outbox worker when there is something to send or WhatsApp came back.
#[derive(Default)]
pub(crate) struct OutboxSignal {
    pending: Mutex<bool>,
    wake: Condvar,
}

impl OutboxSignal {
    pub(crate) fn notify(&self) {
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.wake.notify_all();
    }
    pub(crate) fn wait(&self, timeout: Duration) {
        let pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let (mut pending, _) = self
            .wake
            .wait_timeout_while(pending, timeout, |p| !*p)
            .unwrap_or_else(|p| p.into_inner());
        *pending = false;
    }
}

impl Engine {
    /// The outbox worker: runs until `stop` is set, handing queued messages to WhatsApp one at a time
    /// while it is connected. Run it on a thread of its own.
    pub fn run_outbox(&self, stop: &std::sync::atomic::AtomicBool) {
        use std::sync::atomic::Ordering;
        let mut reconciled = false;
        while !stop.load(Ordering::SeqCst) {
            let connected = self
                .link()
                .map(|l| l.status().state == ConnectionState::Connected)
                .unwrap_or(false);
            if connected {
                if !reconciled {
                    match self.reconcile_in_doubt() {
                        Ok(()) => reconciled = true,
                        Err(e) => {
                            tracing::warn!(error = %e, "could not reconcile interrupted sends")
                        }
                    }
                }
                match self.send_next() {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox"),
                }
            }
            self.outbox_signal().wait(Duration::from_millis(1000));
        }
    }

    /// After a crash, a send left "sending" may or may not have reached WhatsApp: look it up before
    /// any retry, so nothing is sent twice.
    fn reconcile_in_doubt(&self) -> Result<()> {
        let link = self.link()?;
        for id in self.db().with(store::messages::in_doubt)? {
            let Some(message) = self.db().with(|c| store::messages::get(c, id))? else {
                continue;
            };
            match link.find_message(&message.wa_message_id)? {
                Some(ack) => {
                    self.db().with(|c| store::messages::dequeue(c, id))?;
                    self.apply_ack(&message.wa_message_id, ack.max(1))?;
                }
                None => {
                    let now = self.now();
                    self.db()
                        .with(|c| store::messages::retry_later(c, id, now))?;
                }
            }
        }
        Ok(())
    }

    /// Sends the next due message; `Ok(false)` when there was none.
    fn send_next(&self) -> Result<bool> {
        let now = self.now();
        let Some((id, attempts)) = self.db().with_tx(|tx| {
            let next = store::messages::next_due(tx, now)?;
            if let Some((id, _)) = next {
                store::messages::claim(tx, id)?;
            }
            Ok(next)
        })?
        else {
            return Ok(false);
        };
        let message = self.message(id)?;
        self.update_status(id, MessageStatus::Sending, 0, None)?;
        let outgoing = self.outgoing(&message)?;
        let link = self.link()?;
        let result = match link.check_number(&phone::digits(&chat_user(&outgoing.chat_id))) {
            Ok(None) if outgoing.chat_id.ends_with("@c.us") => {
                Err(not_on_whatsapp(&chat_user(&outgoing.chat_id)))
            }
            Err(e) => Err(e),
            Ok(_) => link.send(&outgoing),
        };
        match result {
            Ok(ack) => {
                self.db().with(|c| store::messages::dequeue(c, id))?;
                self.apply_ack(&message.wa_message_id, ack.max(1))?;
            }
            Err(e) if e.code == ErrorCode::NotOnWhatsapp || attempts + 1 >= MAX_SEND_ATTEMPTS => {
                self.db().with(|c| store::messages::dequeue(c, id))?;
                self.update_status(id, MessageStatus::Failed, -1, Some(&e.message))?;
            }
            Err(e) => {
                tracing::warn!(error = %e, id, "send failed; will retry");
                let backoff = 2_000 * (1 << attempts.min(6));
                self.db()
                    .with(|c| store::messages::retry_later(c, id, now + backoff))?;
                self.update_status(id, MessageStatus::Queued, 0, Some(&e.message))?;
            }
        }
        Ok(true)
    }

    fn update_status(
        &self,
        id: i64,
        status: MessageStatus,
        ack: i32,
        error: Option<&str>,
    ) -> Result<()> {
        let now = self.now();
        let message = self.write(|tx| {
            store::messages::set_status(tx, id, status, ack, error, now)?;
            let message = store::messages::get(tx, id)?;
            if let Some(message) = &message {
                tx.emit(Event::MessageUpdated(message.clone()));
            }
            Ok(message)
        })?;
        if let Some(message) = message {
            self.after_campaign_message(&message);
        }
        Ok(())
    }

    fn outgoing(&self, message: &Message) -> Result<OutgoingMessage> {
        let (chat_id, key_id) = split_own_id(&message.wa_message_id)
            .ok_or_else(|| Error::internal("malformed outbound message id"))?;
        let media = match &message.media {
            Some(m) => Some(MediaFile {
                bytes: std::fs::read(self.data_dir().join(&m.path))?,
                mimetype: m.mimetype.clone(),
                filename: m.filename.clone(),
            }),
            None => None,
        };
        Ok(OutgoingMessage {
            key_id,
            wa_message_id: message.wa_message_id.clone(),
            chat_id,
            body: if media.is_some() {
                message.caption.clone().unwrap_or_default()
            } else {
                message.body.clone()
            },
            media,
            quoted_wa_id: message.quoted_wa_id.clone(),
        })
    }
}

fn chat_user(chat_id: &str) -> String {
    chat_id.split('@').next().unwrap_or_default().to_owned()
}
