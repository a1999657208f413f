//! [`WhatsAppLink`]: the engine's [`Link`] over WhatsApp Web. Each blocking trait method sends a
//! command to the worker task and waits for its answer, with a deadline.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use whatsflow_engine::link::OutgoingMessage;
use whatsflow_engine::{ConnectionState, ConnectionStatus, Engine, Error, ErrorCode, Link, Result};

use crate::config::LinkConfig;
use crate::sink::Sink;
use crate::worker::{self, Command, Reply, Shared};

/// How long a blocking caller waits for the worker beyond the call's own deadline.
const ANSWER_MARGIN: Duration = Duration::from_secs(15);

/// The WhatsApp link: a managed Chromium running WhatsApp Web, driven from a tokio task.
pub struct WhatsAppLink {
    commands: mpsc::UnboundedSender<Command>,
    shared: Arc<Shared>,
    worker: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for WhatsAppLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsAppLink")
            .field("state", &self.status().state)
            .finish_non_exhaustive()
    }
}

impl WhatsAppLink {
    /// Starts the link on the current tokio runtime (call it from inside the runtime). With
    /// `connect_at_start` (the default) Chromium starts at once and a saved session reconnects.
    pub fn start(engine: Engine, config: LinkConfig) -> Result<Arc<WhatsAppLink>> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::internal(
                "the WhatsApp link needs a tokio runtime: call start inside one, or use start_on",
            )
        })?;
        Ok(WhatsAppLink::start_on(&runtime, engine, config))
    }

    /// Starts the link on the given runtime (a multi-thread runtime the caller owns).
    pub fn start_on(
        runtime: &tokio::runtime::Handle,
        engine: Engine,
        config: LinkConfig,
    ) -> Arc<WhatsAppLink> {
        let mut initial = ConnectionStatus::new(if config.connect_at_start {
            ConnectionState::Starting
        } else {
            ConnectionState::Disconnected
        });
        initial.detail = Some("Starting".to_owned());
        let shared = Arc::new(Shared {
            status: Mutex::new(initial),
            pid: AtomicU32::new(0),
        });
        let sink = Sink::start(engine.clone(), runtime);
        let (commands, receiver) = mpsc::unbounded_channel();
        let worker = worker::spawn(engine, config, shared.clone(), sink, receiver, runtime);
        Arc::new(WhatsAppLink {
            commands,
            shared,
            worker: Mutex::new(Some(worker)),
        })
    }

    /// Stops cleanly: closes Chromium, seals the session into the vault and removes the plaintext
    /// profile. Blocks until done (call it from a blocking thread). Later calls do nothing.
    pub fn stop(&self) -> Result<()> {
        if self
            .worker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .is_none()
        {
            return Ok(());
        }
        self.ask(Duration::from_secs(60), Command::Stop)
    }

    /// The process id of the running Chromium (the browser process), if one runs.
    pub fn browser_pid(&self) -> Option<u32> {
        match self.shared.pid.load(Ordering::SeqCst) {
            0 => None,
            pid => Some(pid),
        }
    }

    /// Sends a command and waits for its answer for at most `deadline` plus a margin.
    fn ask<T>(&self, deadline: Duration, command: impl FnOnce(Reply<T>) -> Command) -> Result<T> {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        self.commands.send(command(reply)).map_err(|_| {
            Error::new(
                ErrorCode::WhatsappUnavailable,
                "the WhatsApp link has stopped",
            )
        })?;
        match answer.recv_timeout(deadline + ANSWER_MARGIN) {
            Ok(result) => result,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(Error::new(
                ErrorCode::WhatsappUnavailable,
                format!(
                    "WhatsApp did not answer within {} s",
                    (deadline + ANSWER_MARGIN).as_secs()
                ),
            )),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(Error::new(
                ErrorCode::WhatsappUnavailable,
                "the WhatsApp link has stopped",
            )),
        }
    }
}

/// Deadlines for the calls, matching the worker's own (it answers before these run out).
const SHORT: Duration = Duration::from_secs(30);
const LOGOUT: Duration = Duration::from_secs(45);
const SEND: Duration = Duration::from_secs(130);

/// Digits only, as WhatsApp wants them; a clear error otherwise.
fn digits(phone_digits: &str) -> Result<String> {
    let digits: String = phone_digits
        .chars()
        .filter(|c| !matches!(c, '+' | ' ' | '-' | '(' | ')'))
        .collect();
    if (5..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(Error::invalid_field(
            "phoneNumber",
            format!("{phone_digits:?} is not a phone number in international form (country code and number)"),
        ))
    }
}

impl Link for WhatsAppLink {
    fn status(&self) -> ConnectionStatus {
        self.shared
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn connect(&self) -> Result<()> {
        self.ask(SHORT, Command::Connect)
    }

    fn disconnect(&self) -> Result<()> {
        self.ask(LOGOUT, Command::Disconnect)
    }

    fn request_pairing_code(&self, phone_digits: &str) -> Result<String> {
        let digits = digits(phone_digits)?;
        self.ask(SHORT, |reply| Command::PairingCode(digits, reply))
    }

    fn take_over(&self) -> Result<()> {
        self.ask(SHORT, Command::TakeOver)
    }

    fn check_number(&self, phone_digits: &str) -> Result<Option<String>> {
        let digits = digits(phone_digits)?;
        self.ask(SHORT, |reply| Command::CheckNumber(digits, reply))
    }

    fn send(&self, message: &OutgoingMessage) -> Result<i32> {
        let message = Box::new(message.clone());
        self.ask(SEND, |reply| Command::Send(message, reply))
    }

    fn find_message(&self, wa_message_id: &str) -> Result<Option<i32>> {
        let id = wa_message_id.to_owned();
        self.ask(SHORT, |reply| Command::FindMessage(id, reply))
    }

    fn mark_read(&self, chat_id: &str) -> Result<()> {
        let chat = chat_id.to_owned();
        self.ask(SHORT, |reply| Command::MarkRead(chat, reply))
    }

    fn set_typing(&self, chat_id: &str, typing: bool) -> Result<()> {
        let chat = chat_id.to_owned();
        self.ask(SHORT, |reply| Command::SetTyping(chat, typing, reply))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_digits_are_checked_before_asking_whatsapp() {
        assert_eq!(digits("+55 11 91234-5678").unwrap(), "5511912345678");
        assert_eq!(digits("15551234567").unwrap(), "15551234567");
        assert!(digits("call me").is_err());
        assert!(digits("12").is_err());
        assert!(
            digits("1234567890123456").is_err(),
            "E.164 numbers have at most 15 digits"
        );
    }
}
