//! Contact growth: the contacts that became known in each range (by source), the total known at
//! the end of each bucket, and the opt-outs; read from the contact rows alone.

use super::figures::{ContactPoint, Figures};
use super::range::Range;
use crate::error::Result;
use crate::store::analytics as sql;

/// Counts new contacts and opt-outs into the previous and the current range's figures, and returns
/// the current range's points.
pub(super) fn growth(
    conn: &rusqlite::Connection,
    range: &Range,
    figures: &mut [Figures; 2],
) -> Result<Vec<ContactPoint>> {
    let mut points: Vec<ContactPoint> = range
        .bucket_dates()
        .map(|date| ContactPoint {
            date,
            ..Default::default()
        })
        .collect();
    for (since, source) in sql::contact_arrivals(conn, range.previous_start, range.end)? {
        let Some(which) = range.which(since) else {
            continue;
        };
        let f = &mut figures[which];
        f.new_contacts += 1;
        f.new_contacts_by_source.add(&source);
        if which == 1 {
            let point = &mut points[range.bucket(since)];
            point.new_contacts += 1;
            point.by_source.add(&source);
        }
    }
    let mut total = sql::contacts_before(conn, range.start)?;
    for point in &mut points {
        total += point.new_contacts;
        point.total = total;
    }
    for at in sql::opt_outs(conn, range.previous_start, range.end)? {
        if let Some(which) = range.which(at) {
            figures[which].opted_out += 1;
            if which == 1 {
                points[range.bucket(at)].opted_out += 1;
            }
        }
    }
    Ok(points)
}
