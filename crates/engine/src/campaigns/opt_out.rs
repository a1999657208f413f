//! Opt-out by keyword: an inbound message that is exactly one of the keywords (case, accents,
//! surrounding spaces and punctuation ignored) opts the contact out of every running and later
//! campaign; START opts them back in. The keywords and an optional confirmation are settings.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Checks, Result};
use crate::events::Event;
use crate::inbox::{Direction, Message, SendMessage};
use crate::{store, Engine};

const KEY: &str = "opt_out";
const MAX_KEYWORDS: usize = 50;
const MAX_KEYWORD_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
/// What opts a contact out of campaigns, and back in, and what they are told.
pub struct OptOutSettings {
    /// A message that is exactly one of these opts the sender out.
    pub keywords: Vec<String>,
    /// A message that is exactly one of these opts the sender back in.
    pub opt_in_keywords: Vec<String>,
    /// Answer an opt-out with `confirmationText`.
    pub send_confirmation: bool,
    /// The confirmation sent when `sendConfirmation` is on.
    pub confirmation_text: String,
}

impl Default for OptOutSettings {
    fn default() -> OptOutSettings {
        OptOutSettings {
            keywords: [
                "STOP",
                "UNSUBSCRIBE",
                "STOPALL",
                "CANCEL",
                "END",
                "QUIT",
                "PARAR",
                "BAJA",
                "ARRÊT",
                "ABMELDEN",
            ]
            .map(str::to_owned)
            .to_vec(),
            opt_in_keywords: vec!["START".into()],
            send_confirmation: false,
            confirmation_text: "You will not receive any more messages from us. Reply START to \
                                subscribe again."
                .into(),
        }
    }
}

/// A message or keyword reduced for comparison: accents dropped, upper case, without surrounding
/// spaces and punctuation.
pub fn fold(text: &str) -> String {
    text.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .trim_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
        .to_uppercase()
}

/// What an inbound text asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// The contact asks to receive no more campaigns.
    OptOut,
    /// The contact asks to receive campaigns again.
    OptIn,
}

impl OptOutSettings {
    /// What a message asks for, if it is exactly one of the keywords.
    pub fn request_in(&self, text: &str) -> Option<Request> {
        let folded = fold(text);
        if folded.is_empty() {
            return None;
        }
        if self.keywords.iter().any(|k| fold(k) == folded) {
            Some(Request::OptOut)
        } else if self.opt_in_keywords.iter().any(|k| fold(k) == folded) {
            Some(Request::OptIn)
        } else {
            None
        }
    }

    fn cleaned(mut self) -> Result<OptOutSettings> {
        let mut checks = Checks::default();
        for (field, list) in [
            ("keywords", &mut self.keywords),
            ("optInKeywords", &mut self.opt_in_keywords),
        ] {
            let mut seen = Vec::new();
            for keyword in list.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
                if keyword.chars().count() > MAX_KEYWORD_CHARS {
                    checks.fail(
                        field,
                        format!("A keyword must be at most {MAX_KEYWORD_CHARS} characters"),
                    );
                } else if !seen.iter().any(|s: &String| fold(s) == fold(keyword)) {
                    seen.push(keyword.to_owned());
                }
            }
            if seen.len() > MAX_KEYWORDS {
                checks.fail(field, format!("At most {MAX_KEYWORDS} keywords"));
            }
            *list = seen;
        }
        if self.keywords.is_empty() {
            checks.fail("keywords", "Keep at least one opt-out keyword");
        }
        if let Some(both) = self
            .keywords
            .iter()
            .find(|k| self.opt_in_keywords.iter().any(|i| fold(i) == fold(k)))
        {
            checks.fail(
                "optInKeywords",
                format!("\"{both}\" cannot both opt out and opt in"),
            );
        }
        self.confirmation_text = self.confirmation_text.trim().to_owned();
        if self.send_confirmation && self.confirmation_text.is_empty() {
            checks.fail("confirmationText", "Write the confirmation to send");
        }
        checks.max_len(
            "confirmationText",
            "The confirmation",
            &self.confirmation_text,
            1000,
        );
        checks.finish()?;
        Ok(self)
    }
}

impl Engine {
    /// The opt-out keywords and confirmation (the defaults until saved).
    pub fn opt_out_settings(&self) -> Result<OptOutSettings> {
        self.db().with(|c| store::settings::get_or_default(c, KEY))
    }

    /// Checks and saves the opt-out keywords and confirmation.
    pub fn save_opt_out_settings(&self, settings: OptOutSettings) -> Result<OptOutSettings> {
        let settings = settings.cleaned()?;
        let value =
            serde_json::to_value(&settings).map_err(|e| crate::Error::internal(e.to_string()))?;
        let now = self.now();
        self.db()
            .with(|c| store::settings::set(c, KEY, &value, now))?;
        Ok(settings)
    }

    /// Opts the sender of an inbound keyword message out (or back in): stored, audit-logged, their
    /// unsent recipients in running campaigns skipped, and the confirmation sent when it is on.
    pub(crate) fn apply_opt_out_keywords(
        &self,
        message: &Message,
        settings: &OptOutSettings,
    ) -> Result<()> {
        if message.direction != Direction::In || message.kind != "chat" {
            return Ok(());
        }
        let Some(request) = settings.request_in(&message.body) else {
            return Ok(());
        };
        let opted_out = request == Request::OptOut;
        let now = self.now();
        let changed = self.write(|tx| {
            if store::contacts::set_opted_out(tx, &[message.contact_id], opted_out, now)?.is_empty()
            {
                return Ok(None);
            }
            store::audit::insert(
                tx,
                now,
                "system",
                if opted_out {
                    "contact.opted_out"
                } else {
                    "contact.opted_in"
                },
                &serde_json::json!({
                    "contactId": message.contact_id,
                    "keyword": message.body.trim(),
                    "messageId": message.id,
                }),
            )?;
            let contact = crate::contacts::contact_on(tx, message.contact_id)?;
            tx.emit(Event::ContactUpdated(contact.clone()));
            if opted_out {
                tx.emit(Event::ContactOptedOut(contact.clone()));
            }
            Ok(Some(contact))
        })?;
        let Some(contact) = changed else {
            return Ok(());
        };
        if opted_out {
            let unsent = self
                .db()
                .with(|c| store::campaigns::unsent_of_contact(c, message.contact_id))?;
            for recipient_id in unsent {
                self.skip_recipient(recipient_id, "opted out")?;
            }
            if settings.send_confirmation {
                if let Some(phone) = contact.phone_number {
                    if let Err(e) = self.send_message(SendMessage {
                        phone_number: phone,
                        message: settings.confirmation_text.clone(),
                        ..Default::default()
                    }) {
                        tracing::warn!(error = %e, "could not send the opt-out confirmation");
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_the_whole_message_whatever_the_case_and_accents() {
        let settings = OptOutSettings::default();
        for (text, expected) in [
            ("STOP", Some(Request::OptOut)),
            ("stop", Some(Request::OptOut)),
            ("  Stop. ", Some(Request::OptOut)),
            ("arret", Some(Request::OptOut)),
            ("Arrêt!", Some(Request::OptOut)),
            ("ARRÊT", Some(Request::OptOut)),
            ("baja", Some(Request::OptOut)),
            ("start", Some(Request::OptIn)),
            ("please stop", None),
            ("stop sending me these", None),
            ("STOPP", None),
            ("", None),
            ("!!", None),
        ] {
            assert_eq!(settings.request_in(text), expected, "{text:?}");
        }
    }

    #[test]
    fn settings_are_cleaned_and_checked() {
        let cleaned = OptOutSettings {
            keywords: vec![" stop ".into(), "STOP".into(), "".into(), "halt".into()],
            ..Default::default()
        }
        .cleaned()
        .unwrap();
        assert_eq!(cleaned.keywords, ["stop", "halt"]);
        for (bad, field) in [
            (
                OptOutSettings {
                    keywords: vec![],
                    ..Default::default()
                },
                "keywords",
            ),
            (
                OptOutSettings {
                    opt_in_keywords: vec!["Stop".into()],
                    ..Default::default()
                },
                "optInKeywords",
            ),
            (
                OptOutSettings {
                    send_confirmation: true,
                    confirmation_text: " ".into(),
                    ..Default::default()
                },
                "confirmationText",
            ),
        ] {
            let err = bad.cleaned().unwrap_err();
            assert_eq!(err.details[0].field, field);
        }
    }
}
