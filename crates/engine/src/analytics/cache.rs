//! The last few reports, kept under what they were computed from: the range as resolved, the
//! business's zone and opening hours, and the database's data version. A dashboard load asks for
//! the overview and each chart separately, all of the same report; this computes it once. Any
//! committed write bumps the data version, so a report is never served after a change.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::figures::Report;
use super::range::{Granularity, Range};
use crate::business_hours::OpeningHours;
use crate::error::Result;

/// How many reports are kept (the dashboard's range, and a few it was switched between).
const KEPT: usize = 4;

/// What a report was computed from.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ReportKey {
    data_version: u64,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
    granularity: Granularity,
    business_hours: Vec<OpeningHours>,
}

impl ReportKey {
    /// `data_version` must have been read before the snapshot the report is computed from.
    pub fn new(data_version: u64, range: &Range, business_hours: &[OpeningHours]) -> ReportKey {
        ReportKey {
            data_version,
            tz: range.tz,
            from: range.from,
            to: range.to,
            granularity: range.granularity,
            business_hours: business_hours.to_vec(),
        }
    }
}

/// The kept reports, newest last.
#[derive(Default)]
pub struct ReportCache {
    kept: Mutex<Vec<(ReportKey, Arc<Report>)>>,
}

impl ReportCache {
    /// The report kept under `key`, or the one `compute` makes, then kept. Held locked while
    /// computing, so the requests of one dashboard load that arrive together wait for the first
    /// one's report instead of each computing it.
    pub(super) fn get_or_compute(
        &self,
        key: ReportKey,
        compute: impl FnOnce() -> Result<Report>,
    ) -> Result<Arc<Report>> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, report)) = kept.iter().find(|(k, _)| *k == key) {
            return Ok(report.clone());
        }
        let report = Arc::new(compute()?);
        // Reports of older data can never be asked for again.
        kept.retain(|(k, _)| k.data_version >= key.data_version);
        if kept.len() >= KEPT {
            kept.remove(0);
        }
        kept.push((key, report.clone()));
        Ok(report)
    }
}
