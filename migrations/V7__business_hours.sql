-- Analytics: opening hours on the business profile, and no second copy of the figures.

-- Opening hours per weekday, a JSON array of {day: "mon".."sun", open: "HH:MM", close: "HH:MM"} in
-- the business's time zone; '[]' means none set, i.e. every hour counts (first-response times).
ALTER TABLE business_profile ADD COLUMN business_hours TEXT NOT NULL DEFAULT '[]';

-- The dashboard's figures are computed from the messages and contacts rows themselves (see
-- crates/engine/src/analytics.rs): a per-day counter table kept beside them could disagree with
-- them (history synced later, acks counted on the day they came, a changed time zone) and cannot
-- answer medians, reply rates or distinct contacts anyway.
DROP TABLE daily_stats;
