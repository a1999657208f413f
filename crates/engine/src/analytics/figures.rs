//! What the dashboard shows, as the API sends it: the cards of a range, the points of the series,
//! the campaigns' funnels and the report the charts are drawn from; and the two ways figures are
//! derived from counts (rates and nearest-rank percentiles).

use serde::Serialize;

use super::range::Period;
use crate::clock::Millis;
use crate::store::analytics::Kind;

/// Contacts split by how they came.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BySource {
    /// Wrote to the business first (or was written to from the phone).
    pub conversation: i64,
    /// Came in a contacts import.
    pub import: i64,
    /// Added in the app, or first written to from the app.
    pub manual: i64,
    /// Added through the REST API with an API key.
    pub api: i64,
}

impl BySource {
    /// Counts one contact of a source (`manual` for any it does not know).
    pub(super) fn add(&mut self, source: &str) {
        match source {
            "conversation" => self.conversation += 1,
            "import" => self.import += 1,
            "api" => self.api += 1,
            _ => self.manual += 1,
        }
    }
}

/// Messages split by what they carried.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ByKind {
    /// Text messages.
    pub text: i64,
    /// Images, videos, stickers.
    pub media: i64,
    /// Voice notes and audio.
    pub voice: i64,
    /// Documents.
    pub document: i64,
    /// Locations, contact cards, anything else.
    pub other: i64,
}

impl ByKind {
    /// Counts one message of a kind.
    pub(super) fn add(&mut self, kind: Kind) {
        *match kind {
            Kind::Text => &mut self.text,
            Kind::Media => &mut self.media,
            Kind::Voice => &mut self.voice,
            Kind::Document => &mut self.document,
            Kind::Other => &mut self.other,
        } += 1;
    }
}

/// The cards of the dashboard for one range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    /// Business messages WhatsApp accepted.
    pub messages_sent: i64,
    /// Of those, the ones delivered to the customer's phone.
    pub messages_delivered: i64,
    /// Of those, the ones the customer read.
    pub messages_read: i64,
    /// Customers' messages.
    pub messages_received: i64,
    /// Business messages the customer answered within 24 hours.
    pub messages_replied: i64,
    /// Delivered ÷ sent, 0 to 1; null when nothing was sent.
    pub delivery_rate: Option<f64>,
    /// Read ÷ sent.
    pub read_rate: Option<f64>,
    /// Conversations a customer's message started.
    pub conversations_by_customers: i64,
    /// Conversations a business message started.
    pub conversations_by_business: i64,
    /// Contacts that became known.
    pub new_contacts: i64,
    /// The same, by how they came.
    pub new_contacts_by_source: BySource,
    /// Contacts with a message either way.
    pub active_contacts: i64,
    /// Contacts that opted out (and still are).
    pub opted_out: i64,
    /// Contacts the business wrote to.
    pub contacts_written_to: i64,
    /// Of those, the ones who replied within 24 hours.
    pub contacts_replied: i64,
    /// contactsReplied ÷ contactsWrittenTo; null when nobody was written to.
    pub reply_rate: Option<f64>,
    /// Customer messages the business answered (the first-response times counted).
    pub first_responses: i64,
    /// Median first-response time in seconds; null when there was none.
    pub median_first_response_seconds: Option<i64>,
    /// 90th percentile of the first-response times in seconds.
    pub p90_first_response_seconds: Option<i64>,
    /// Campaigns whose first message went out in the range.
    pub campaigns_run: i64,
}

/// The overview: the range's cards and the previous range's beside them.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    /// The range, as resolved.
    pub range: Period,
    /// The range's cards.
    #[serde(flatten)]
    pub current: Figures,
    /// The cards of the same number of days before it.
    pub previous: Figures,
}

/// One bucket of the message series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessagePoint {
    /// The bucket's first day (YYYY-MM-DD).
    pub date: String,
    /// Business messages WhatsApp accepted.
    pub sent: i64,
    /// Of those, delivered by now.
    pub delivered: i64,
    /// Of those, read by now.
    pub read: i64,
    /// Customers' messages.
    pub received: i64,
    /// Business messages answered within 24 hours.
    pub replied: i64,
    /// Sent messages by kind.
    pub sent_by_kind: ByKind,
    /// Received messages by kind.
    pub received_by_kind: ByKind,
    /// Conversations a customer's message started.
    pub conversations_by_customers: i64,
    /// Conversations a business message started.
    pub conversations_by_business: i64,
    /// Customer messages of the bucket the business answered.
    pub first_responses: i64,
    /// Their median first-response time in seconds.
    pub median_first_response_seconds: Option<i64>,
    /// Their 90th-percentile first-response time in seconds.
    pub p90_first_response_seconds: Option<i64>,
}

/// Messages per bucket, and inbound messages by weekday and hour.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageSeries {
    /// The range, as resolved.
    pub range: Period,
    /// One point per bucket, oldest first.
    pub points: Vec<MessagePoint>,
    /// Inbound messages in the range by local weekday (Monday first) and hour (0–23).
    pub inbound_by_hour: Vec<Vec<i64>>,
}

/// One bucket of the contact series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactPoint {
    /// The bucket's first day (YYYY-MM-DD).
    pub date: String,
    /// Contacts that became known in the bucket.
    pub new_contacts: i64,
    /// The same, by how they came.
    pub by_source: BySource,
    /// Contacts known at the bucket's end.
    pub total: i64,
    /// Contacts that opted out in the bucket.
    pub opted_out: i64,
}

/// New contacts, totals and opt-outs per bucket.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactSeries {
    /// The range, as resolved.
    pub range: Period,
    /// One point per bucket, oldest first.
    pub points: Vec<ContactPoint>,
}

/// A campaign's funnel, from its messages.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignFigures {
    /// The campaign's id.
    pub campaign_id: i64,
    /// Its name.
    pub name: String,
    /// Its status (draft, scheduled, sending, paused, completed, cancelled, failed).
    pub status: String,
    /// When its first message went out (RFC 3339).
    pub first_sent_at: Option<String>,
    /// Messages WhatsApp accepted.
    pub sent: i64,
    /// Of those, delivered by now.
    pub delivered: i64,
    /// Of those, read by now.
    pub read: i64,
    /// Of those, answered by the recipient within 24 hours.
    pub replied: i64,
    /// Messages that could not be sent.
    pub failed: i64,
    /// Recipients who opted out within 24 hours of its message.
    pub opted_out: i64,
    /// Delivered ÷ sent; null when nothing was sent.
    pub delivery_rate: Option<f64>,
    /// Read ÷ sent.
    pub read_rate: Option<f64>,
    /// Replied ÷ sent.
    pub reply_rate: Option<f64>,
}

/// Everything the dashboard shows for a range: what the charts are drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The range, as resolved.
    pub range: Period,
    /// The range's cards.
    pub current: Figures,
    /// The cards of the same number of days before it.
    pub previous: Figures,
    /// The message series.
    pub messages: Vec<MessagePoint>,
    /// The contact series.
    pub contacts: Vec<ContactPoint>,
    /// Inbound messages by local weekday (Monday first) and hour.
    pub inbound_by_hour: Vec<Vec<i64>>,
    /// Campaigns with a message in the range, oldest first.
    pub campaigns: Vec<CampaignFigures>,
}

/// Nearest-rank percentile of sorted values.
pub(super) fn percentile(sorted: &[Millis], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1] / 1000)
}

/// part ÷ whole; none when whole is 0.
pub(crate) fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<Millis> = (1..=10).map(|s| s * 1000).collect();
        assert_eq!(percentile(&values, 0.5), Some(5));
        assert_eq!(percentile(&values, 0.9), Some(9));
        assert_eq!(percentile(&values[..1], 0.9), Some(1));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
