//! The series as CSV files: one row per bucket (campaigns: one per campaign), with a header row.

use super::figures::{ByKind, CampaignFigures, ContactPoint, MessagePoint};
use crate::error::{Error, Result};

fn write_csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_failed = |e: csv::Error| Error::internal(format!("could not write CSV: {e}"));
    out.write_record(header).map_err(csv_failed)?;
    for row in rows {
        out.write_record(&row).map_err(csv_failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::internal(format!("could not write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::internal(e.to_string()))
}

fn cell(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn kinds(kinds: &ByKind) -> [String; 5] {
    [
        kinds.text,
        kinds.media,
        kinds.voice,
        kinds.document,
        kinds.other,
    ]
    .map(|n| n.to_string())
}

/// The message series.
pub(super) fn messages(points: &[MessagePoint]) -> Result<String> {
    write_csv(
        &[
            "date",
            "sent",
            "delivered",
            "read",
            "received",
            "replied",
            "sent_text",
            "sent_media",
            "sent_voice",
            "sent_document",
            "sent_other",
            "received_text",
            "received_media",
            "received_voice",
            "received_document",
            "received_other",
            "conversations_by_customers",
            "conversations_by_business",
            "first_responses",
            "median_first_response_seconds",
            "p90_first_response_seconds",
        ],
        points.iter().map(|p| {
            let mut row = vec![p.date.clone()];
            row.extend([p.sent, p.delivered, p.read, p.received, p.replied].map(|n| n.to_string()));
            row.extend(kinds(&p.sent_by_kind));
            row.extend(kinds(&p.received_by_kind));
            row.extend(
                [
                    p.conversations_by_customers,
                    p.conversations_by_business,
                    p.first_responses,
                ]
                .map(|n| n.to_string()),
            );
            row.push(cell(p.median_first_response_seconds));
            row.push(cell(p.p90_first_response_seconds));
            row
        }),
    )
}

/// The contact series.
pub(super) fn contacts(points: &[ContactPoint]) -> Result<String> {
    write_csv(
        &[
            "date",
            "new_contacts",
            "from_conversation",
            "from_import",
            "manual",
            "from_api",
            "total",
            "opted_out",
        ],
        points.iter().map(|p| {
            let s = &p.by_source;
            let mut row = vec![p.date.clone()];
            row.extend(
                [
                    p.new_contacts,
                    s.conversation,
                    s.import,
                    s.manual,
                    s.api,
                    p.total,
                    p.opted_out,
                ]
                .map(|n| n.to_string()),
            );
            row
        }),
    )
}

/// The campaigns' funnels.
pub(super) fn campaigns(campaigns: &[CampaignFigures]) -> Result<String> {
    write_csv(
        &[
            "campaign_id",
            "name",
            "status",
            "first_sent_at",
            "sent",
            "delivered",
            "read",
            "replied",
            "failed",
            "opted_out",
            "delivery_rate",
            "read_rate",
            "reply_rate",
        ],
        campaigns.iter().map(|c| {
            let mut row = vec![
                c.campaign_id.to_string(),
                c.name.clone(),
                c.status.clone(),
                cell(c.first_sent_at.as_ref()),
            ];
            row.extend(
                [
                    c.sent,
                    c.delivered,
                    c.read,
                    c.replied,
                    c.failed,
                    c.opted_out,
                ]
                .map(|n| n.to_string()),
            );
            row.extend([c.delivery_rate, c.read_rate, c.reply_rate].map(cell));
            row
        }),
    )
}
