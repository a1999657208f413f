//! What the phone and the network do to the link: offline and back, a second WhatsApp Web, takeover,
//! ban, logout, and the control API's reset and configuration.

use super::*;

impl Sim {
    /// Tells the page which modules it lacks and which register late.
    pub(super) fn push_module_config(&mut self) {
        let event = json!({
            "kind": "config",
            "missingModules": self.config.missing_modules,
            "lateModules": self.config.late_modules,
        });
        self.push(event);
    }

    /// `/control/disappearing`: the chat's disappearing-message timer changes (0: off).
    pub fn set_disappearing(&mut self, chat_id: String, seconds: u32) {
        if seconds == 0 {
            self.disappearing.remove(&chat_id);
        } else {
            self.disappearing.insert(chat_id.clone(), seconds);
        }
        self.push(json!({"kind": "disappearing", "chatId": chat_id, "seconds": seconds}));
    }

    /// `/control/deprecate`: WhatsApp says the loaded web client is outdated; a reload fixes it.
    pub fn deprecate(&mut self) -> Result<(), Fail> {
        if self.page.is_none() {
            return Err(Fail::conflict("no page is open, so none can be outdated"));
        }
        self.set_phase(Phase::DeprecatedVersion);
        Ok(())
    }

    pub fn go_offline(&mut self) {
        self.account.online = false;
        if self.page_is_connected() {
            self.set_phase(Phase::Timeout);
        }
    }

    pub fn go_online(&mut self, now: Instant) {
        self.account.online = true;
        self.resume_acks(now);
        if self.phase() == Some(Phase::Timeout) {
            self.go_connected();
        }
    }

    pub fn open_conflict(&mut self) -> Result<(), Fail> {
        if self.account.linked.is_none() {
            return Err(Fail::conflict(
                "no device is linked, so no other browser can take its session",
            ));
        }
        self.account.conflict = true;
        if matches!(
            self.phase(),
            Some(Phase::Connected | Phase::Timeout | Phase::Opening)
        ) {
            self.set_phase(Phase::Conflict);
        }
        Ok(())
    }

    /// `Socket.takeover()`.
    pub fn takeover(&mut self, page_id: &str, now: Instant) -> Result<(), Fail> {
        if self.current_page(page_id)?.phase == Phase::Conflict {
            self.account.conflict = false;
            self.set_phase(Phase::Opening);
            self.go_connected();
            self.resume_acks(now);
        }
        Ok(())
    }

    /// `Socket.reconnect()`.
    pub fn reconnect(&mut self, page_id: &str) -> Result<(), Fail> {
        if matches!(
            self.current_page(page_id)?.phase,
            Phase::Timeout | Phase::Opening
        ) {
            self.set_phase(Phase::Opening);
            self.go_connected();
        }
        Ok(())
    }

    pub fn ban(&mut self) {
        self.account.banned = true;
        if matches!(
            self.phase(),
            Some(
                Phase::Connected
                    | Phase::Timeout
                    | Phase::Conflict
                    | Phase::Opening
                    | Phase::Pairing
            )
        ) && self.page_is_linked()
        {
            self.set_phase(Phase::TosBlock);
        }
    }

    /// The phone removes the linked device (or the page logs itself out). Returns whether a device
    /// was linked.
    pub fn logout(&mut self) -> bool {
        let Some(identity) = self.account.linked.take() else {
            return false;
        };
        self.account.revoked.insert(identity.device_id);
        self.account.conflict = false;
        if self.page_is_linked() {
            if let Some(page) = self.page.as_mut() {
                page.has_identity = false;
            }
            let page_id = self.page.as_ref().map(|page| page.id.clone());
            if let Some(page_id) = page_id {
                self.release_deliveries(&page_id);
            }
            self.set_phase(Phase::LoggingOut);
            self.push(json!({"kind": "logout", "reason": "device_removed"}));
        }
        true
    }

    pub fn page_logout(&mut self, page_id: &str) -> Result<(), Fail> {
        self.current_page(page_id)?;
        self.logout();
        Ok(())
    }

    /// Back to a fresh simulator: default config, no history, not banned, nothing linked.
    pub fn reset(&mut self, now: Instant) {
        self.logout();
        let revoked = std::mem::take(&mut self.account.revoked);
        self.account = Account {
            revoked,
            ..Account::default()
        };
        self.config = Config::default();
        self.messages.clear();
        self.index.clear();
        self.queue.clear();
        self.media.clear();
        self.lid_phones.clear();
        self.activity = Activity::default();
        self.timers.clear();
        self.send_times.clear();
        self.disappearing.clear();
        self.push_module_config();
        if self.page.is_some() && self.phase() != Some(Phase::LoggingOut) {
            self.start_qr(now);
        }
    }

    pub fn configure(&mut self, change: ConfigChange, now: Instant) {
        if let Some(delays) = change.ack_delays_ms {
            self.config.ack_delays_ms = delays;
        }
        if let Some(numbers) = change.not_on_whatsapp {
            self.config.not_on_whatsapp = numbers;
        }
        if let Some(limit) = change.ban_after_per_minute {
            self.config.ban_after_per_minute = limit;
        }
        if let Some(modules) = change.missing_modules {
            self.config.missing_modules = modules;
            self.push_module_config();
        }
        if let Some(late) = change.late_modules {
            for (module, delay) in late {
                match delay {
                    Some(ms) => self.config.late_modules.insert(module, ms),
                    None => self.config.late_modules.remove(&module),
                };
            }
            self.push_module_config();
        }
        if let Some(rotate) = change.qr_rotate_ms {
            self.config.qr_rotate_ms = rotate;
            if self.phase() == Some(Phase::Unpaired) {
                // Restart the countdown with the new period, keeping the number of codes shown.
                self.qr_generation += 1;
                self.schedule_qr(self.qr_generation, now);
            }
        }
    }
}
