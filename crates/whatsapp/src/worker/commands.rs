//! What the engine asks of the link, carried out by the worker: connect, disconnect, send, look a
//! message up, ask for a pairing code; each a call into the page with its deadline, answered on the
//! caller's reply channel.

use super::*;

impl Worker {
    pub(super) async fn on_command(&mut self, command: Command) {
        match command {
            Command::Connect(reply) => {
                self.login = self.login.on_connect();
                // A page lacking parts stays that way until a fresh start.
                if self.phase.is_changed() {
                    if let Some(session) = self.phase.leave(Phase::Idle) {
                        session.close().await;
                    }
                }
                if self.phase.session().is_none() {
                    self.backoff.reset();
                    self.phase = Phase::LaunchAt(Instant::now());
                } else if self.view.pairing_code.is_some() {
                    self.back_to_qr();
                } else {
                    // After a logout from the phone the page shows a QR already: show it now.
                    self.refresh();
                }
                let _ = reply.send(Ok(()));
            }
            Command::Disconnect(reply) => {
                self.disconnect().await;
                let _ = reply.send(Ok(()));
            }
            Command::PairingCode(digits, reply) => match self.ready_page(false) {
                Ok(_) => self.request_pairing_code(digits, Some(reply)),
                Err(error) => {
                    let _ = reply.send(Err(error));
                }
            },
            Command::TakeOver(reply) => {
                self.page_call("takeover", json!({}), CALL_DEADLINE, false, reply, |_| {
                    Ok(())
                })
            }
            Command::CheckNumber(digits, reply) => self.page_call(
                "checkNumber",
                json!({ "digits": digits }),
                CALL_DEADLINE,
                true,
                reply,
                |value| Ok(value.as_str().map(str::to_owned)),
            ),
            Command::Send(message, reply) => self.send(*message, reply),
            Command::FindMessage(wa_message_id, reply) => {
                let key_id = key_id_of(&wa_message_id).to_owned();
                let args = json!({ "id": wa_message_id, "keyId": key_id });
                self.page_call("find", args, CALL_DEADLINE, true, reply, |value| {
                    Ok(value.as_i64().map(|ack| ack as i32))
                })
            }
            Command::MarkRead(chat_id, reply) => self.page_call(
                "markRead",
                json!({ "chatId": chat_id }),
                CALL_DEADLINE,
                true,
                reply,
                |_| Ok(()),
            ),
            Command::SetTyping(chat_id, on, reply) => {
                let args = json!({ "chatId": chat_id, "on": on });
                self.page_call("typing", args, CALL_DEADLINE, true, reply, |_| Ok(()))
            }
            Command::Stop(_) => unreachable!("handled by the loop"),
        }
    }

    /// The page, if calls can go to it now; `linked` asks for a linked, connected session.
    fn ready_page(&self, linked: bool) -> Result<chromiumoxide::Page, Error> {
        let state = self.current_state();
        let session = match &self.phase {
            Phase::Running(session) => session,
            Phase::Changed(_) => {
                let detail = self
                    .shared
                    .status
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .detail
                    .clone();
                return Err(Error::new(
                    ErrorCode::WhatsappUnavailable,
                    detail.unwrap_or_else(|| "WhatsApp Web changed".to_owned()),
                ));
            }
            Phase::Idle | Phase::LaunchAt(_) => {
                return Err(Error::new(
                    ErrorCode::WhatsappUnavailable,
                    format!("WhatsApp is not running ({})", state_name(state)),
                ))
            }
        };
        if linked && self.view.socket != Some(SocketState::Connected) {
            return Err(Error::new(
                ErrorCode::WhatsappUnavailable,
                format!("WhatsApp is not connected ({})", state_name(state)),
            ));
        }
        Ok(session.page.clone())
    }

    /// Runs one call into the page on its own task, so the worker keeps handling events meanwhile.
    fn page_call<T: Send + 'static>(
        &self,
        name: &'static str,
        args: Value,
        deadline: Duration,
        linked: bool,
        reply: Reply<T>,
        read: impl FnOnce(Value) -> Result<T, Error> + Send + 'static,
    ) {
        let page = match self.ready_page(linked) {
            Ok(page) => page,
            Err(error) => {
                let _ = reply.send(Err(error));
                return;
            }
        };
        tokio::spawn(async move {
            let answer = page::call(&page, name, &args, deadline)
                .await
                .map_err(|e| unavailable(&e))
                .and_then(read);
            let _ = reply.send(answer);
        });
    }

    pub(super) fn request_pairing_code(&self, digits: String, reply: Option<Reply<String>>) {
        let page = match self.ready_page(false) {
            Ok(page) => page,
            Err(error) => {
                if let Some(reply) = reply {
                    let _ = reply.send(Err(error));
                }
                return;
            }
        };
        let internal = self.internal.clone();
        tokio::spawn(async move {
            let result = page::call(
                &page,
                "pairingCode",
                &json!({ "digits": digits }),
                CALL_DEADLINE,
            )
            .await
            .and_then(|value| {
                value
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| CallError::Page("WhatsApp Web gave no pairing code".to_owned()))
            });
            let _ = internal.send(Internal::PairingCode {
                digits,
                result,
                reply,
            });
        });
    }

    fn send(&mut self, message: OutgoingMessage, reply: Reply<i32>) {
        let page = match self.ready_page(true) {
            Ok(page) => page,
            Err(error) => {
                let _ = reply.send(Err(error));
                return;
            }
        };
        if self.sent.len() > 10_000 {
            self.sent.clear();
        }
        self.sent
            .insert(message.key_id.clone(), message.wa_message_id.clone());
        tokio::spawn(async move {
            let answer = send_message(&page, message)
                .await
                .map_err(|e| unavailable(&e));
            let _ = reply.send(answer);
        });
    }

    /// Any phase → `Idle`: logs the number out at the user's request and forgets the session.
    async fn disconnect(&mut self) {
        let changed = self.phase.is_changed();
        if let Some(mut session) = self.phase.leave(Phase::Idle) {
            let linked_page = self.view.socket.as_ref().is_some_and(|s| !s.is_unpaired());
            if linked_page && !changed {
                match page::call(&session.page, "logout", &json!({}), CALL_DEADLINE).await {
                    Ok(_) => wait_for_logout(&mut session).await,
                    Err(error) => {
                        tracing::warn!(%error, "WhatsApp Web did not take the logout; forgetting the session anyway")
                    }
                }
            }
            session.close().await;
        }
        self.shared.pid.store(0, Ordering::SeqCst);
        self.login = Login::Unlinked;
        self.me = None;
        self.push_name = None;
        self.view = PageView::default();
        self.vault.forget().await;
        self.publish(
            ConnectionState::LoggedOut,
            Some("Logged out. Connect to link a phone again".to_owned()),
        );
    }
}

/// Hands the file (if any) to the page, then sends.
async fn send_message(
    page: &chromiumoxide::Page,
    message: OutgoingMessage,
) -> Result<i32, CallError> {
    let mut args = json!({
        "id": message.wa_message_id,
        "keyId": message.key_id,
        "chatId": message.chat_id,
        "body": message.body,
        "quotedId": message.quoted_wa_id,
    });
    if let Some(file) = &message.media {
        args["media"] = media::upload(page, &message.key_id, file).await?;
    }
    let ack = page::call(page, "send", &args, SEND_DEADLINE).await?;
    ack.as_i64()
        .map(|ack| ack as i32)
        .ok_or_else(|| CallError::Page(format!("WhatsApp Web answered {ack} instead of an ack")))
}

/// Waits until the page confirms the logout (its report, or the reload that follows), or gives up.
async fn wait_for_logout(session: &mut Session) {
    let confirmed = tokio::time::timeout(LOGOUT_GRACE, async {
        while let Some(event) = session.events.next().await {
            match PageEvent::parse(&event.payload) {
                Ok(PageEvent::Logout { .. }) => return,
                Ok(PageEvent::State { state, .. }) if state.is_unpaired() => return,
                _ => {}
            }
        }
    })
    .await;
    if confirmed.is_err() {
        tracing::warn!("WhatsApp Web did not confirm the logout in time");
    }
}

/// The id part of a serialized message id: `true_<chat>_<id>` (groups append `_<participant>`).
fn key_id_of(wa_message_id: &str) -> &str {
    wa_message_id.split('_').nth(2).unwrap_or(wa_message_id)
}

pub(super) fn unavailable(error: &CallError) -> Error {
    Error::new(
        ErrorCode::WhatsappUnavailable,
        format!("WhatsApp Web: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_come_out_of_serialized_ids() {
        assert_eq!(key_id_of("true_15551234567@c.us_3EB0A1B2"), "3EB0A1B2");
        assert_eq!(key_id_of("false_120363@g.us_ABC_15551234567@c.us"), "ABC");
        assert_eq!(key_id_of("odd"), "odd");
    }
}
