//! The page's side of the protocol: a page says hello, long-polls its events, reports its state,
//! confirms deliveries; a page that stops polling is dropped.

use super::*;

impl Sim {
    /// A page has loaded: it replaces any previous page, and either resumes its stored session
    /// or starts showing QR codes.
    pub fn hello(&mut self, hello: Hello, now: Instant) -> Value {
        if let Some(old) = self.page.take() {
            self.release_deliveries(&old.id);
            self.replaced_pages.insert(old.id);
        }
        let id = random_hex(16);
        self.page = Some(Page {
            id: id.clone(),
            keys: hello.keys,
            phase: Phase::Opening,
            has_identity: false,
            events: VecDeque::new(),
            qr_ref: None,
            qr_count: 0,
            alt_linking: None,
            synced: false,
            history_sent: false,
            reported_state: None,
            reported_synced: false,
            polls_in_flight: 0,
            last_contact: now,
        });
        // A freshly opened page is the one holding the session: any "opened elsewhere" is over.
        self.account.conflict = false;
        match hello.identity {
            Some(identity) if self.account.revoked.contains(&identity.device_id) => {
                self.set_phase(Phase::LoggingOut);
                self.push(json!({"kind": "logout", "reason": "device_revoked"}));
            }
            Some(identity) => {
                // An identity the server does not know is accepted too: the demo app restarts its
                // in-process simulator while the browser profile keeps the session.
                self.account.linked = Some(identity);
                if let Some(page) = self.page.as_mut() {
                    page.has_identity = true;
                }
                self.go_connected();
            }
            None => {
                // This browser has no session: whatever device was linked is not this page.
                self.account.linked = None;
                self.start_qr(now);
            }
        }
        let chats: Vec<(String, u32)> = self.disappearing.clone().into_iter().collect();
        for (chat_id, seconds) in chats {
            self.push(json!({"kind": "disappearing", "chatId": chat_id, "seconds": seconds}));
        }
        json!({
            "page": id,
            "missingModules": self.config.missing_modules,
            "lateModules": self.config.late_modules,
        })
    }

    /// The page said goodbye (unload) or stopped polling.
    pub fn page_left(&mut self, page_id: &str) {
        if self.page.as_ref().is_some_and(|page| page.id == page_id) {
            self.page = None;
            self.release_deliveries(page_id);
        }
    }

    pub(super) fn release_deliveries(&mut self, page_id: &str) {
        for delivery in &mut self.queue {
            if delivery.sent_to.as_deref() == Some(page_id) {
                delivery.sent_to = None;
            }
        }
    }

    /// Drops a page that stopped polling (closed tab, killed browser). Returns whether it did.
    pub fn reap(&mut self, now: Instant) -> bool {
        let gone = self.page.as_ref().is_some_and(|page| {
            page.polls_in_flight == 0 && now.duration_since(page.last_contact) > PAGE_GONE_AFTER
        });
        if gone {
            if let Some(id) = self.page.as_ref().map(|page| page.id.clone()) {
                tracing::debug!(page = %id, "wa-sim page stopped polling");
                self.page_left(&id);
            }
        }
        gone
    }

    pub fn report(&mut self, page_id: &str, state: String, has_synced: bool) -> Result<(), Fail> {
        let page = self.current_page(page_id)?;
        page.reported_state = Some(state);
        page.reported_synced = has_synced;
        Ok(())
    }

    /// The account's link is up from the server's side: show whichever state the world allows.
    pub(super) fn go_connected(&mut self) {
        if self.page.is_none() {
            return;
        }
        if self.account.banned {
            self.set_phase(Phase::TosBlock);
        } else if self.account.conflict {
            self.set_phase(Phase::Conflict);
        } else if !self.account.online {
            self.set_phase(Phase::Timeout);
        } else {
            self.set_phase(Phase::Connected);
            let history_sent = self.page.as_ref().is_some_and(|page| page.history_sent);
            if history_sent {
                // The page missed acks while it was cut off.
                let acks: Vec<Value> = self
                    .messages
                    .iter()
                    .filter(|message| message.from_me)
                    .map(|message| json!({"kind": "ack", "id": message.id, "ack": message.ack}))
                    .collect();
                for ack in acks {
                    self.push(ack);
                }
            } else {
                self.address_history();
                let history: Vec<&Message> = self
                    .messages
                    .iter()
                    .filter(|message| message.from_me || message.delivered)
                    .collect();
                let event = json!({"kind": "history", "messages": history});
                self.push(event);
                if let Some(page) = self.page.as_mut() {
                    page.history_sent = true;
                }
            }
            self.push(json!({"kind": "sync"}));
        }
    }

    /// The page finished showing the offline-delivery progress: queued messages may flow.
    pub fn synced(&mut self, page_id: &str) -> Result<(), Fail> {
        let page = self.current_page(page_id)?;
        if page.phase == Phase::Connected {
            page.synced = true;
        }
        self.flush_inbound();
        Ok(())
    }

    pub(super) fn flush_inbound(&mut self) {
        let Some(page) = self.page.as_ref() else {
            return;
        };
        if !(page.synced && page.phase == Phase::Connected) {
            return;
        }
        let page_id = page.id.clone();
        // Messages that arrived before any device was linked are addressed now.
        let me = self.me().map(|me| format!("{}@c.us", me.phone));
        let mut deliveries = Vec::new();
        for delivery in &mut self.queue {
            if delivery.sent_to.is_some() {
                continue;
            }
            if let Some(&index) = self.index.get(&delivery.id) {
                delivery.sent_to = Some(page_id.clone());
                if let (true, Some(me)) = (self.messages[index].to.is_empty(), &me) {
                    self.messages[index].to = me.clone();
                }
                deliveries.push(json!({
                    "message": self.messages[index],
                    "decryptDelayMs": delivery.decrypt_delay_ms,
                }));
            }
        }
        // What queued up (the phone was offline, or nothing was linked yet) arrives in batches.
        let mut deliveries = deliveries.into_iter().peekable();
        while deliveries.peek().is_some() {
            let batch: Vec<Value> = deliveries.by_ref().take(INBOUND_BATCH).collect();
            self.push(json!({"kind": "inbound", "deliveries": batch}));
        }
    }

    /// The page added these inbound messages to its `Msg` collection.
    pub fn delivered(&mut self, page_id: &str, ids: &[String]) -> Result<(), Fail> {
        self.current_page(page_id)?;
        // One pass over the queue for the whole batch (a burst confirms thousands at once); each
        // id confirms one delivery, since a message may deliberately be delivered twice.
        let mut unconfirmed: HashMap<&str, usize> = HashMap::new();
        for id in ids {
            *unconfirmed.entry(id.as_str()).or_default() += 1;
            if let Some(&index) = self.index.get(id) {
                self.messages[index].delivered = true;
            }
        }
        self.queue.retain(|d| {
            let confirms = d.sent_to.as_deref() == Some(page_id)
                && unconfirmed.get_mut(d.id.as_str()).is_some_and(|left| {
                    let hit = *left > 0;
                    *left = left.saturating_sub(1);
                    hit
                });
            !confirms
        });
        Ok(())
    }
}
