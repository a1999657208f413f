//! SQL for the `business_profile` table (one row).

use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::{to_rfc3339, Millis};
use crate::error::Result;
use crate::profile::{BusinessDetails, Profile, ProfileInput};

/// Read on every list that shows numbers (their region), so the statement is kept prepared.
pub(crate) fn get(conn: &Connection) -> Result<Option<Profile>> {
    Ok(conn
        .prepare_cached(
            "SELECT business_name, industry, website, description, business_type, country, timezone,
                    created_at, updated_at, business_hours
             FROM business_profile WHERE id = 1",
        )?
        .query_row(
            [],
            |row| {
                let details = BusinessDetails {
                    business_name: row.get(0)?,
                    industry: row.get(1)?,
                    website: row.get(2)?,
                    description: row.get(3)?,
                    business_type: row.get(4)?,
                    country: row.get(5)?,
                    timezone: row.get(6)?,
                };
                Ok(Profile {
                    details,
                    created_at: to_rfc3339(row.get(7)?),
                    updated_at: to_rfc3339(row.get(8)?),
                    business_hours: serde_json::from_str(&row.get::<_, String>(9)?)
                        .unwrap_or_default(),
                })
            },
        )
        .optional()?)
}

pub(crate) fn upsert(conn: &Connection, input: &ProfileInput, now: Millis) -> Result<()> {
    let p = &input.details;
    conn.execute(
        "INSERT INTO business_profile
             (id, business_name, industry, website, description, business_type, country, timezone,
              created_at, updated_at, business_hours)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, coalesce(?9, '[]'))
         ON CONFLICT (id) DO UPDATE SET
             business_name = excluded.business_name, industry = excluded.industry,
             website = excluded.website, description = excluded.description,
             business_type = excluded.business_type, country = excluded.country,
             timezone = excluded.timezone, updated_at = excluded.updated_at,
             business_hours = coalesce(?9, business_hours)",
        params![
            p.business_name,
            p.industry,
            p.website,
            p.description,
            p.business_type,
            p.country,
            p.timezone,
            now,
            input
                .business_hours
                .as_ref()
                .map(|h| serde_json::to_string(h).unwrap_or_else(|_| "[]".into()))
        ],
    )?;
    Ok(())
}
