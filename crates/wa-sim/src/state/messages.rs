//! Messages both ways: inbound from the phone's contacts, outbound from the page with acks that
//! advance on timers, revokes and edits, and the media the page uploads and downloads.

use super::*;

impl Sim {
    pub(super) fn me(&self) -> Option<&Identity> {
        self.account.linked.as_ref()
    }

    pub(super) fn store(&mut self, message: Message) -> usize {
        match self.index.get(&message.id) {
            Some(&index) => index,
            None => {
                let index = self.messages.len();
                self.index.insert(message.id.clone(), index);
                self.messages.push(message);
                index
            }
        }
    }

    /// `/control/inbound`: someone writes to the business. Returns the message's serialised id.
    pub fn inbound(&mut self, inbound: NewInbound) -> String {
        let NewInbound {
            mut message,
            media,
            lid_phone,
            decrypt_delay_ms,
        } = inbound;
        if let Some((lid_user, phone)) = lid_phone {
            self.lid_phones.insert(lid_user, phone);
        }
        if let Some(lid_user) = message.from.strip_suffix("@lid") {
            message.lid_phone = self
                .lid_phones
                .get(lid_user)
                .map(|phone| format!("{phone}@c.us"));
        }
        if let (Some(media), Some(path)) = (media, message.direct_path.clone()) {
            self.media.insert(path, media);
        }
        if let Some(me) = self.me() {
            if message.to.is_empty() {
                message.to = format!("{}@c.us", me.phone);
            }
        }
        let id = message.id.clone();
        // Redelivering an id keeps the first record: the same message, delivered again.
        self.store(message);
        self.queue.push(Delivery {
            id: id.clone(),
            sent_to: None,
            decrypt_delay_ms,
        });
        self.flush_inbound();
        id
    }

    /// `/sim/send`: the page sends a message. Returns `{result, ack}` for the page.
    pub fn send(&mut self, outgoing: Outgoing, now: Instant) -> Result<Value, Fail> {
        self.current_page(&outgoing.page)?;
        let Some(me) = self.me().cloned().filter(|_| self.page_is_linked()) else {
            return Err(Fail::conflict("cannot send: this page is not logged in"));
        };
        let to = outgoing.to.as_str();
        let valid_chat = wid_user_is_digits(to, "@c.us")
            || wid_user_is_digits(to, "@lid")
            || to.ends_with("@g.us");
        if !valid_chat {
            return Err(Fail::bad_request(format!(
                "cannot send to {to:?}: not a user or group chat id"
            )));
        }
        let prefix = format!("true_{to}_");
        let key_id = outgoing
            .id
            .strip_prefix(&prefix)
            .filter(|key| !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric()))
            .ok_or_else(|| {
                Fail::bad_request(format!(
                    "message id {:?} is not an outgoing id for {to} (expected {prefix}<ID>)",
                    outgoing.id
                ))
            })?
            .to_string();
        if let Some(&index) = self.index.get(&outgoing.id) {
            // The same id sent again is the same message: WhatsApp deduplicates by id.
            let existing = &self.messages[index];
            return Ok(json!({"result": "OK", "ack": existing.ack, "duplicate": true}));
        }
        let own_id = if to.ends_with("@lid") {
            format!("{}@lid", me.lid)
        } else {
            format!("{}@c.us", me.phone)
        };
        let refusal = refusal(
            &outgoing,
            &key_id,
            &own_id,
            self.disappearing.get(to).copied(),
        );
        let at_ms = wall_clock_ms();
        let mut message = Message {
            id: outgoing.id.clone(),
            key_id,
            from_me: true,
            remote: to.to_string(),
            participant: None,
            from: own_id,
            to: to.to_string(),
            author: None,
            kind: outgoing.kind.clone(),
            body: outgoing.body.clone().unwrap_or_default(),
            caption: outgoing.caption.clone(),
            t: outgoing.t.unwrap_or(at_ms / 1000),
            ack: 0,
            notify_name: None,
            mimetype: outgoing.mimetype.clone(),
            filename: outgoing.filename.clone(),
            size: outgoing.size,
            direct_path: outgoing.direct_path.clone(),
            media_key: outgoing.media_key.clone(),
            media_key_timestamp: None,
            lat: None,
            lng: None,
            loc: None,
            vcard_formatted_name: None,
            quoted_id: outgoing.quoted_id.clone(),
            is_forwarded: false,
            lid_phone: None,
            latest_edit_t: None,
            at_ms,
            delivered: true,
            error: refusal,
            ack_generation: 0,
            ack_paused: false,
        };
        if message.error.is_some() {
            // Refused as it came.
        } else if is_media_type(&message.kind) {
            match message
                .direct_path
                .as_deref()
                .and_then(|p| self.media.get(p))
            {
                Some(media) => {
                    if message.size.is_none() {
                        message.size = Some(media.bytes.len() as u64);
                    }
                    if message.mimetype.is_none() {
                        message.mimetype = Some(media.mimetype.clone());
                    }
                }
                None => {
                    message.error = Some(format!(
                        "a {} message needs uploaded media (directPath from uploadMedia)",
                        message.kind
                    ));
                }
            }
        } else if message.kind == "chat" && message.body.is_empty() {
            message.error = Some("a chat message needs a body".into());
        }

        if message.error.is_none() {
            if self.account.banned {
                message.error = Some("the number is banned (TOS_BLOCK)".into());
            } else if let Some(limit) = self.config.ban_after_per_minute {
                while self
                    .send_times
                    .front()
                    .is_some_and(|sent| now.duration_since(*sent) >= BAN_WINDOW)
                {
                    self.send_times.pop_front();
                }
                if self.send_times.len() >= limit as usize {
                    message.error = Some(format!(
                        "more than {limit} messages within a minute: the number is banned"
                    ));
                    self.ban();
                }
            }
        }
        let failed = message.error.is_some();
        if failed {
            tracing::debug!(id = %message.id, error = ?message.error, "wa-sim send failed");
            message.ack = -1;
        } else {
            self.send_times.push_back(now);
        }
        let ack = message.ack;
        let index = self.store(message);
        if !failed {
            self.schedule_ack(index, now);
        }
        Ok(json!({"result": if failed { "ERROR" } else { "OK" }, "ack": ack}))
    }

    fn schedule_ack(&mut self, index: usize, now: Instant) {
        let message = &self.messages[index];
        if !message.from_me || message.ack < 0 || message.ack >= 3 {
            return;
        }
        // A number not on WhatsApp gets the server's tick and never a delivery.
        if message.ack >= 1 && !self.exists(&message.to) {
            return;
        }
        let Some(delay) = self.config.ack_delays_ms[message.ack as usize] else {
            return;
        };
        self.timers.push(Timer {
            due: now + Duration::from_millis(delay),
            kind: TimerKind::Ack {
                id: message.id.clone(),
                generation: message.ack_generation,
            },
        });
    }

    pub(super) fn advance_ack(&mut self, id: &str, generation: u64, now: Instant) {
        let Some(&index) = self.index.get(id) else {
            return;
        };
        let cut_off = !self.account.online || self.account.conflict;
        let message = &mut self.messages[index];
        if message.ack_generation != generation {
            return;
        }
        if cut_off {
            message.ack_paused = true;
            return;
        }
        message.ack += 1;
        let event = json!({"kind": "ack", "id": message.id, "ack": message.ack});
        if self.page_is_connected() {
            self.push(event);
        }
        self.schedule_ack(index, now);
    }

    pub(super) fn resume_acks(&mut self, now: Instant) {
        if !self.account.online || self.account.conflict {
            return;
        }
        let paused: Vec<usize> = (0..self.messages.len())
            .filter(|&index| self.messages[index].ack_paused)
            .collect();
        for index in paused {
            self.messages[index].ack_paused = false;
            self.schedule_ack(index, now);
        }
    }

    /// `/control/ack {id, ack}`: moves a sent message's ack by hand; automatic progress stops.
    pub fn set_ack(&mut self, id: &str, ack: i8) -> Result<(), Fail> {
        let index = *self
            .index
            .get(id)
            .ok_or_else(|| Fail::not_found(format!("no message with id {id:?}")))?;
        let message = &mut self.messages[index];
        if !message.from_me {
            return Err(Fail::bad_request(format!(
                "{id} is an inbound message; acks belong to messages the page sent"
            )));
        }
        message.ack = ack;
        message.ack_generation += 1;
        message.ack_paused = false;
        let event = json!({"kind": "ack", "id": id, "ack": ack});
        if self.page_is_connected() {
            self.push(event);
        }
        Ok(())
    }

    /// `/control/revoke {id}`: the sender deletes a message for everyone.
    pub fn revoke(&mut self, id: &str) -> Result<(), Fail> {
        let index = self.inbound_index(id)?;
        let message = &mut self.messages[index];
        message.kind = "revoked".into();
        message.body = String::new();
        message.caption = None;
        let event = json!({"kind": "revoke", "id": id});
        if self.page_is_linked() {
            self.push(event);
        }
        Ok(())
    }

    /// `/control/edit {id, body}`: the sender edits a message.
    pub fn edit(&mut self, id: &str, body: &str) -> Result<(), Fail> {
        let index = self.inbound_index(id)?;
        let message = &mut self.messages[index];
        let t = wall_clock_ms() / 1000;
        let field = if message.kind == "chat" {
            message.body = body.to_string();
            "body"
        } else {
            message.caption = Some(body.to_string());
            "caption"
        };
        message.latest_edit_t = Some(t);
        let event = json!({"kind": "edit", "id": id, "field": field, "value": body, "t": t});
        if self.page_is_linked() {
            self.push(event);
        }
        Ok(())
    }

    fn inbound_index(&self, id: &str) -> Result<usize, Fail> {
        let index = *self
            .index
            .get(id)
            .ok_or_else(|| Fail::not_found(format!("no message with id {id:?}")))?;
        if self.messages[index].from_me {
            return Err(Fail::bad_request(format!(
                "{id} was sent by the page; only inbound messages can be changed by their sender"
            )));
        }
        Ok(index)
    }

    /// `queryWidExists`: users are on WhatsApp unless configured otherwise.
    pub fn exists(&self, wid: &str) -> bool {
        if let Some(digits) = phone_of_wid(wid) {
            return !self.config.not_on_whatsapp.contains(&format!("+{digits}"));
        }
        wid_user_is_digits(wid, "@lid")
    }

    pub fn record_seen(&mut self, chat_id: String) {
        self.activity.seen.push(chat_id);
    }

    pub fn record_chat_state(&mut self, chat_id: String, state: String) {
        let at_ms = wall_clock_ms();
        self.activity.typing.push(Typing {
            chat_id,
            state,
            t: at_ms / 1000,
            at_ms,
        });
    }

    /// Keeps bytes the page uploads (`uploadMedia`) and hands back where they live.
    pub fn upload(&mut self, bytes: Vec<u8>, mimetype: String) -> Value {
        let direct_path = new_direct_path();
        let media_key = new_media_key();
        let size = bytes.len();
        self.media.insert(
            direct_path.clone(),
            Media {
                bytes,
                mimetype,
                media_key: media_key.clone(),
            },
        );
        json!({
            "directPath": direct_path,
            "mediaKey": media_key,
            "mediaKeyTimestamp": wall_clock_ms() / 1000,
            "encFilehash": random_b64(32),
            "uploadHash": random_b64(32),
            "mmsUrl": format!("https://mmg.whatsapp.net{direct_path}"),
            "size": size,
        })
    }

    /// Media bytes for the page (which must present the message's media key) or for tests.
    pub fn media(&self, direct_path: &str, media_key: Option<&str>) -> Result<&Media, Fail> {
        let media = self
            .media
            .get(direct_path)
            .ok_or_else(|| Fail::not_found(format!("no media at {direct_path:?}")))?;
        if media_key.is_some_and(|key| key != media.media_key) {
            return Err(Fail {
                status: 403,
                code: "bad_media_key",
                message: "the media key does not match this media".into(),
            });
        }
        Ok(media)
    }
}

/// Why WhatsApp refuses a send as the page made it, if it does: an id not in the current format,
/// the wrong own id for the chat, a disappearing-message chat without its ephemeral fields.
fn refusal(
    outgoing: &Outgoing,
    key_id: &str,
    own_id: &str,
    disappearing: Option<u32>,
) -> Option<String> {
    let current_format = key_id.len() == 22
        && key_id.starts_with("3EB0")
        && key_id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b));
    if !current_format {
        return Some(format!(
            "message id {key_id:?} is not in the current format (3EB0 and 18 upper-case hex digits, from WAWebMsgKey.newId())"
        ));
    }
    if outgoing.from.as_deref() != Some(own_id) {
        return Some(format!(
            "a message to {} must come from {own_id}, not {:?} (in @lid chats the own id is getMaybeMeLidUser())",
            outgoing.to, outgoing.from
        ));
    }
    if let Some(seconds) = disappearing {
        if outgoing.ephemeral_duration != Some(seconds) {
            return Some(format!(
                "{} has disappearing messages ({seconds} s): the message needs getEphemeralFields(chat)",
                outgoing.to
            ));
        }
    }
    None
}
