//! Linking a phone: the QR that rotates and goes idle, the pairing code typed on the phone, and the
//! scan that links the number.

use super::*;

impl Sim {
    pub(super) fn start_qr(&mut self, now: Instant) {
        self.qr_generation += 1;
        let generation = self.qr_generation;
        let Some(page) = self.page.as_mut() else {
            return;
        };
        let qr_ref = format!("2@{}", random_b64(48));
        page.qr_ref = Some(qr_ref.clone());
        page.qr_count = 1;
        self.push(json!({"kind": "ref", "ref": qr_ref}));
        self.set_phase(Phase::Unpaired);
        self.schedule_qr(generation, now);
    }

    pub(super) fn schedule_qr(&mut self, generation: u64, now: Instant) {
        self.timers.push(Timer {
            due: now + Duration::from_millis(self.config.qr_rotate_ms),
            kind: TimerKind::QrRotate { generation },
        });
    }

    pub(super) fn rotate_qr(&mut self, generation: u64, now: Instant) {
        if generation != self.qr_generation || self.phase() != Some(Phase::Unpaired) {
            return;
        }
        let Some(page) = self.page.as_mut() else {
            return;
        };
        if page.qr_count >= QR_REFS_BEFORE_IDLE {
            self.set_phase(Phase::UnpairedIdle);
            return;
        }
        page.qr_count += 1;
        // The pairing-code screen shows no QR: the countdown to idle runs, the references do not.
        if page.alt_linking.is_none() {
            let qr_ref = format!("2@{}", random_b64(48));
            page.qr_ref = Some(qr_ref.clone());
            self.push(json!({"kind": "ref", "ref": qr_ref}));
        }
        self.schedule_qr(generation, now);
    }

    /// `WAWebLaunchSocketUtils.refreshQR()`: a page gone idle asks for codes again. On the
    /// pairing-code screen it changes nothing: `initializeQRLinking()` leaves that screen.
    pub fn refresh_qr(&mut self, page_id: &str, now: Instant) -> Result<(), Fail> {
        let page = self.current_page(page_id)?;
        let unpaired = matches!(page.phase, Phase::Unpaired | Phase::UnpairedIdle);
        if unpaired && page.alt_linking.is_none() {
            self.start_qr(now);
        }
        Ok(())
    }

    /// `initializeQRLinking()`: from the pairing-code screen back to QR codes.
    pub fn qr_linking(&mut self, page_id: &str, now: Instant) -> Result<(), Fail> {
        let page = self.current_page(page_id)?;
        page.alt_linking = None;
        if matches!(page.phase, Phase::Unpaired | Phase::UnpairedIdle) {
            self.start_qr(now);
        }
        Ok(())
    }

    /// The string the page's QR code encodes, while it shows one.
    pub fn qr(&self) -> Option<String> {
        let page = self.page.as_ref()?;
        if page.phase != Phase::Unpaired || page.alt_linking.is_some() {
            return None;
        }
        let keys = &page.keys;
        Some(format!(
            "{},{},{},{},{}",
            page.qr_ref.as_deref()?,
            keys.noise_pub,
            keys.identity_pub,
            keys.adv_secret,
            keys.platform
        ))
    }

    /// `startAltLinkingFlow(phone)`: a code the user types on the phone with that number.
    pub fn pairing_code(
        &mut self,
        page_id: &str,
        phone_digits: &str,
        now: Instant,
    ) -> Result<String, Fail> {
        if !(7..=15).contains(&phone_digits.len())
            || !phone_digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Fail::bad_request(format!(
                "a pairing code needs the phone number as 7 to 15 digits, got {phone_digits:?}"
            )));
        }
        let phase = self.current_page(page_id)?.phase;
        if !matches!(phase, Phase::Unpaired | Phase::UnpairedIdle) {
            return Err(Fail::conflict(format!(
                "a pairing code is only available while unpaired; the page is {}",
                phase.socket_state()
            )));
        }
        if phase == Phase::UnpairedIdle {
            self.start_qr(now);
        }
        let code = random_code();
        let page = self.current_page(page_id)?;
        page.alt_linking = Some(PendingCode {
            code: code.clone(),
            phone: phone_digits.to_string(),
        });
        // The code screen replaces the QR: give the user the full idle delay to type it.
        page.qr_count = 1;
        Ok(code)
    }

    /// `/control/pairing {code}`: the phone entered a code.
    pub fn enter_code(&mut self, code: &str) -> Result<Value, Fail> {
        let typed: String = code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_uppercase();
        let pending = self
            .page
            .as_ref()
            .filter(|page| matches!(page.phase, Phase::Unpaired | Phase::UnpairedIdle))
            .and_then(|page| page.alt_linking.clone());
        match pending {
            Some(pending) if pending.code == typed => {
                self.link(&pending.phone, DEFAULT_PUSH_NAME);
                Ok(json!({"ok": true, "phoneNumber": format!("+{}", pending.phone)}))
            }
            Some(_) => Err(Fail::bad_request(format!(
                "the code {code:?} does not match the one the page shows"
            ))),
            None => Err(Fail::conflict(
                "no page is waiting for a pairing code (call startAltLinkingFlow first)",
            )),
        }
    }

    /// `/control/scan`: the phone scans the QR code on screen.
    pub fn scan(&mut self, phone_digits: &str, push_name: &str) -> Result<(), Fail> {
        match self.phase() {
            Some(Phase::Unpaired) => {
                self.link(phone_digits, push_name);
                Ok(())
            }
            Some(phase) => Err(Fail::conflict(format!(
                "no QR code to scan: the page is {}",
                phase.socket_state()
            ))),
            None => Err(Fail::conflict(
                "no QR code to scan: no page is open on the simulator",
            )),
        }
    }

    fn link(&mut self, phone_digits: &str, push_name: &str) {
        let identity = Identity {
            device_id: random_hex(24),
            phone: phone_digits.to_string(),
            push_name: push_name.to_string(),
            lid: random_digits(15),
            device: rand::thread_rng().gen_range(2..40),
        };
        self.account.linked = Some(identity.clone());
        self.qr_generation += 1; // stops the QR rotation
        if let Some(page) = self.page.as_mut() {
            page.alt_linking = None;
            page.qr_ref = None;
            page.has_identity = true;
        }
        self.set_phase(Phase::Pairing);
        self.push(json!({"kind": "linked", "identity": identity}));
        self.go_connected();
    }
}
