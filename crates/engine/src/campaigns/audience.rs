//! Who a campaign reaches and what they read, before it is sent: the audience's size (and who of it
//! would be skipped), rendered variants of the message, and the exact message for one recipient.

use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use super::lifecycle::parse_schedule;
use super::template::{Template, Values};
use super::CampaignInput;
use crate::contacts::Contact;
use crate::error::{Checks, Error, Result};
use crate::store::campaigns::Audience;
use crate::{store, Engine};

/// What the preview is asked for: the campaign as in the wizard, and optionally a recipient.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default)]
pub struct PreviewRequest {
    #[serde(flatten)]
    /// The campaign as the wizard has it so far.
    pub campaign: CampaignInput,
    /// The contact to render the exact message for (default: the audience's first).
    pub contact_id: Option<i64>,
    /// How many random variants to show (1 to 20, default 5).
    pub variants: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
/// An audience's size, and who of it would be skipped.
pub struct AudienceSize {
    /// Contacts the audience selects.
    pub total: i64,
    /// Of those, opted out (skipped).
    pub opted_out: i64,
    /// Of those, without a phone number (skipped).
    pub no_phone: i64,
    /// Contacts that will be sent to.
    pub eligible: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
/// What the wizard shows before a campaign is sent.
pub struct Preview {
    /// Distinct renderings for one recipient, as spintax varies them.
    pub variants: Vec<String>,
    /// How many different texts the spintax can make.
    pub variant_count: u64,
    /// Who the campaign reaches.
    pub audience: AudienceSize,
    /// The exact message for the chosen (or first) recipient.
    pub recipient: Option<PreviewRecipient>,
    /// When sending would finish, starting at `scheduledAt` (or now) at the given pacing (RFC 3339).
    pub estimated_finish_at: Option<String>,
    /// The custom field keys contacts have: the variables a message may use besides name,
    /// first_name and phone.
    pub field_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
/// One recipient and the exact message they would get.
pub struct PreviewRecipient {
    /// The contact.
    pub contact_id: i64,
    /// Their name as shown in the app.
    pub name: String,
    /// Their number (E.164), if they have one.
    pub phone_number: Option<String>,
    /// The message this recipient gets (one spintax choice).
    pub message: Option<String>,
    /// Why this recipient would be skipped instead.
    pub skipped_reason: Option<String>,
}

/// The values a contact gives a template.
pub(crate) fn values_of(contact: &Contact) -> Values {
    let name = [&contact.name, &contact.push_name]
        .into_iter()
        .find(|s| !s.trim().is_empty())
        .cloned()
        .unwrap_or_default();
    Values {
        name,
        phone: contact.phone_number.clone().unwrap_or_default(),
        fields: contact.fields.clone(),
    }
}

impl CampaignInput {
    /// The contacts it selects, as the store counts and freezes them (all contacts until a target
    /// is chosen).
    pub(crate) fn audience(&self) -> Audience {
        Audience {
            target_type: self.target_type.unwrap_or_default(),
            target_tags: self.target_tags.clone(),
            tag_mode: self.tag_mode,
            exclude_tags: self.exclude_tags.clone(),
            contact_ids: self.contact_ids.clone(),
        }
    }
}

impl Engine {
    /// Rendered variants, the audience's size and the exact message for one recipient.
    pub fn preview_campaign(&self, request: PreviewRequest) -> Result<Preview> {
        let input = &request.campaign;
        // Checked as a save checks it: the finish estimate adds the gaps, which only the check bounds.
        let pacing = input.pacing.clone().unwrap_or_default();
        let mut checks = Checks::default();
        pacing.check(&mut checks);
        checks.finish()?;
        let template = Template::parse(input.message_content.trim())
            .map_err(|e| Error::invalid_field("messageContent", e.0))?;
        let keys = self.db().with(store::campaigns::custom_field_keys)?;
        template
            .check_variables(&|k| keys.contains(k))
            .map_err(|e| Error::invalid_field("messageContent", e.0))?;
        let audience = input.audience();
        let size = self
            .db()
            .with(|c| store::campaigns::count_audience(c, &audience))?;
        let contact_id = match request.contact_id {
            Some(id) => Some(id),
            None => self
                .db()
                .with(|c| store::campaigns::first_eligible(c, &audience))?,
        };
        let contact = contact_id.map(|id| self.contact(id)).transpose()?;
        let sample = contact.as_ref().map(values_of).unwrap_or_else(|| Values {
            name: "Ana Souza".into(),
            phone: "+15550100".into(),
            fields: BTreeMap::new(),
        });
        let wanted = request.variants.unwrap_or(5).clamp(1, 20);
        let mut rng = StdRng::from_entropy();
        let mut variants: Vec<String> = Vec::new();
        for _ in 0..wanted * 10 {
            if variants.len() >= wanted {
                break;
            }
            let fallback_values = Values {
                name: if sample.name.is_empty() {
                    "Ana".into()
                } else {
                    sample.name.clone()
                },
                ..sample.clone()
            };
            if let Ok(text) = template.render(&fallback_values, &mut rng) {
                if !variants.contains(&text) {
                    variants.push(text);
                }
            }
        }
        let recipient = contact.map(|c| {
            let (message, skipped_reason) = if c.opted_out {
                (None, Some("opted out".to_owned()))
            } else if c.phone_number.is_none() {
                (None, Some("no phone number".to_owned()))
            } else {
                match template.render(&values_of(&c), &mut rng) {
                    Ok(text) => (Some(text), None),
                    Err(e) => (None, Some(e.0)),
                }
            };
            PreviewRecipient {
                contact_id: c.id,
                name: c.display_name.clone(),
                phone_number: c.phone_number.clone(),
                message,
                skipped_reason,
            }
        });
        let eligible = size.total - size.opted_out - size.no_phone;
        // A schedule that does not parse is the save's error to report; here it means "now".
        let tz = self.business_zone()?;
        let start = input
            .scheduled_at
            .as_deref()
            .and_then(|text| parse_schedule(text, tz).ok());
        Ok(Preview {
            variants,
            variant_count: template.variant_count(),
            audience: AudienceSize {
                total: size.total,
                opted_out: size.opted_out,
                no_phone: size.no_phone,
                eligible,
            },
            recipient,
            estimated_finish_at: self
                .db()
                .with(|c| self.estimate_finish(c, &pacing, start, eligible))?,
            field_keys: keys.into_iter().collect(),
        })
    }
}
