//! Operations on the WhatsApp connection, forwarded to the link with the engine's checks around them.
//! The calls that wait on Chromium (connect, take over, a pairing code) run on a thread of their own
//! and answer at once: their outcome arrives as events, so no request waits on WhatsApp Web.

use std::sync::{mpsc, Mutex};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::events::Event;
use crate::link::{ConnectionState, ConnectionStatus};
use crate::{phone, Engine};

/// A request to link WhatsApp by typing a code on the phone instead of scanning the QR code.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PairingRequest {
    /// The business's WhatsApp number, with country code or in the business country's format.
    pub phone_number: String,
}

/// A link call that failed after its request was answered.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkCallFailure {
    /// Which call: `connect`, `take-over` or `pairing-code`.
    pub call: String,
    /// What went wrong, for people.
    pub message: String,
}

type LinkJob = Box<dyn FnOnce() + Send>;

/// Where the link calls the user starts run: one thread, one call at a time in the order asked
/// (a pairing code asked after a connect goes after it), so no request thread waits on Chromium.
#[derive(Default)]
pub(crate) struct LinkCalls {
    queue: Mutex<Option<mpsc::Sender<LinkJob>>>,
}

impl LinkCalls {
    fn run(&self, job: LinkJob) {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        let job = match queue.as_ref() {
            Some(sender) => match sender.send(job) {
                Ok(()) => return,
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        // First call, or the thread is gone: start it. It ends when the engine (the sender) goes.
        let (sender, jobs) = mpsc::channel::<LinkJob>();
        let started = std::thread::Builder::new()
            .name("link-calls".into())
            .spawn(move || jobs.into_iter().for_each(|job| job()));
        match started {
            Ok(_) => {
                let _ = sender.send(job);
                *queue = Some(sender);
            }
            Err(e) => tracing::error!(error = %e, "could not start the link calls' thread"),
        }
    }
}

impl Engine {
    /// Starts (or resumes) the WhatsApp link. Answers at once with the status as it stands; the
    /// link's progress arrives as `whatsapp.status` events.
    pub fn connect_whatsapp(&self) -> Result<ConnectionStatus> {
        let link = self.link()?;
        self.in_background("connect", {
            let link = link.clone();
            move || link.connect()
        });
        Ok(link.status())
    }

    /// Logs the number out and forgets the saved session.
    pub fn disconnect_whatsapp(&self) -> Result<ConnectionStatus> {
        let link = self.link()?;
        link.disconnect()?;
        self.audit("whatsapp.disconnected", serde_json::json!({}))?;
        Ok(link.status())
    }

    /// "Use here": takes the session back from another browser. Answers at once, as connecting does.
    pub fn take_over_whatsapp(&self) -> Result<ConnectionStatus> {
        let link = self.link()?;
        self.in_background("take-over", {
            let link = link.clone();
            move || link.take_over()
        });
        Ok(link.status())
    }

    /// Asks WhatsApp for a code to link the number by typing it on the phone. The number and the
    /// state are checked at once; the code arrives in the status (`pairing-code`, `pairingCode`),
    /// a failure as `whatsapp.call_failed`.
    pub fn request_pairing_code(&self, request: PairingRequest) -> Result<ConnectionStatus> {
        let e164 = phone::normalize(&request.phone_number, self.default_region()?)
            .map_err(|e| Error::invalid_field("phoneNumber", format!("The {e}")))?;
        let link = self.link()?;
        // Linked already: a state the request conflicts with, not WhatsApp being unavailable.
        if matches!(
            link.status().state,
            ConnectionState::Connected
                | ConnectionState::Syncing
                | ConnectionState::PhoneOffline
                | ConnectionState::Conflict
        ) {
            return Err(Error::new(
                ErrorCode::Conflict,
                "WhatsApp is already linked: disconnect first to link by phone number",
            ));
        }
        let digits = phone::digits(&e164);
        self.in_background("pairing-code", {
            let link = link.clone();
            move || link.request_pairing_code(&digits).map(|_| ())
        });
        Ok(link.status())
    }

    /// Runs a link call on the link calls' thread; a failure is announced as `whatsapp.call_failed`.
    fn in_background(
        &self,
        call: &'static str,
        work: impl FnOnce() -> Result<()> + Send + 'static,
    ) {
        let engine = self.clone();
        self.link_calls().run(Box::new(move || {
            if let Err(e) = work() {
                tracing::warn!(call, error = %e, "a WhatsApp call failed");
                engine.emit(Event::LinkCallFailed(LinkCallFailure {
                    call: call.to_owned(),
                    message: e.message,
                }));
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::link::{Link, OutgoingMessage};

    /// A link already linked to a number; anything but `status` is a mistake here.
    struct Linked;

    impl Link for Linked {
        fn status(&self) -> ConnectionStatus {
            ConnectionStatus::new(ConnectionState::Connected)
        }
        fn connect(&self) -> Result<()> {
            unreachable!()
        }
        fn disconnect(&self) -> Result<()> {
            unreachable!()
        }
        fn request_pairing_code(&self, _: &str) -> Result<String> {
            Err(Error::new(
                ErrorCode::WhatsappUnavailable,
                "asked WhatsApp Web while linked",
            ))
        }
        fn take_over(&self) -> Result<()> {
            unreachable!()
        }
        fn check_number(&self, _: &str) -> Result<Option<String>> {
            unreachable!()
        }
        fn send(&self, _: &OutgoingMessage) -> Result<i32> {
            unreachable!()
        }
        fn find_message(&self, _: &str) -> Result<Option<i32>> {
            unreachable!()
        }
        fn mark_read(&self, _: &str) -> Result<()> {
            unreachable!()
        }
        fn set_typing(&self, _: &str, _: bool) -> Result<()> {
            unreachable!()
        }
    }

    #[test]
    fn a_pairing_code_while_linked_is_a_conflict() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::in_memory(Arc::new(crate::ManualClock::new(0)), dir.path()).unwrap();
        engine.set_link(Arc::new(Linked));
        let err = engine
            .request_pairing_code(PairingRequest {
                phone_number: "+14155550132".into(),
            })
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict, "{err}");
    }

    /// A link whose WhatsApp Web never answers until the gate opens; a pairing code then fails.
    #[derive(Default)]
    struct Gated {
        open: std::sync::Mutex<bool>,
        opened: std::sync::Condvar,
        calls: std::sync::Mutex<Vec<&'static str>>,
    }

    impl Gated {
        fn wait(&self, call: &'static str) {
            self.calls.lock().unwrap().push(call);
            let open = self.open.lock().unwrap();
            drop(self.opened.wait_while(open, |open| !*open).unwrap());
        }
        fn open(&self) {
            *self.open.lock().unwrap() = true;
            self.opened.notify_all();
        }
    }

    impl Link for Gated {
        fn status(&self) -> ConnectionStatus {
            ConnectionStatus::new(ConnectionState::Qr)
        }
        fn connect(&self) -> Result<()> {
            self.wait("connect");
            Ok(())
        }
        fn disconnect(&self) -> Result<()> {
            unreachable!()
        }
        fn request_pairing_code(&self, _: &str) -> Result<String> {
            self.wait("pairing-code");
            Err(Error::new(
                ErrorCode::WhatsappUnavailable,
                "WhatsApp Web gave no pairing code",
            ))
        }
        fn take_over(&self) -> Result<()> {
            self.wait("take-over");
            Ok(())
        }
        fn check_number(&self, _: &str) -> Result<Option<String>> {
            self.wait("check-number");
            Ok(None)
        }
        fn send(&self, _: &OutgoingMessage) -> Result<i32> {
            unreachable!()
        }
        fn find_message(&self, _: &str) -> Result<Option<i32>> {
            unreachable!()
        }
        fn mark_read(&self, _: &str) -> Result<()> {
            unreachable!()
        }
        fn set_typing(&self, _: &str, _: bool) -> Result<()> {
            unreachable!()
        }
    }

    #[test]
    fn link_calls_answer_while_whatsapp_web_has_not_and_report_through_events() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::in_memory(Arc::new(crate::ManualClock::new(0)), dir.path()).unwrap();
        let link = Arc::new(Gated::default());
        engine.set_link(link.clone());
        let mut events = engine.subscribe();

        // Every call returns though the link answers none of them (a call that waited would never
        // return: the receive below would give up and the test fail, not hang).
        let (answered, answers) = std::sync::mpsc::channel();
        let caller = {
            let engine = engine.clone();
            std::thread::spawn(move || {
                let _ = answered.send(engine.connect_whatsapp().map(|s| s.state));
                let _ = answered.send(engine.take_over_whatsapp().map(|s| s.state));
                let pairing = PairingRequest {
                    phone_number: "+14155550132".into(),
                };
                let _ = answered.send(engine.request_pairing_code(pairing).map(|s| s.state));
                let send = crate::inbox::SendMessage {
                    phone_number: "+14155550133".into(),
                    message: "Your order is ready".into(),
                    ..Default::default()
                };
                let _ = answered.send(engine.send_message(send).map(|_| ConnectionState::Qr));
            })
        };
        for call in ["connect", "take over", "pairing code", "send"] {
            let answer = answers
                .recv_timeout(std::time::Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("{call} waited on WhatsApp Web"));
            assert_eq!(answer.unwrap(), ConnectionState::Qr, "{call}");
        }
        caller.join().unwrap();
        assert!(
            !link.calls.lock().unwrap().contains(&"check-number"),
            "a send does not ask WhatsApp Web whether the number exists"
        );

        // Once WhatsApp Web answers, the calls ran in the order asked; the failed one is an event.
        link.open();
        let failure = loop {
            let envelope = events.blocking_recv().unwrap();
            if let Event::LinkCallFailed(failure) = envelope.event {
                break failure;
            }
        };
        assert_eq!(failure.call, "pairing-code");
        assert!(failure.message.contains("no pairing code"), "{failure:?}");
        assert_eq!(
            *link.calls.lock().unwrap(),
            ["connect", "take-over", "pairing-code"]
        );
    }
}
