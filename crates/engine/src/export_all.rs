//! "Export everything": one zip with the business's data as JSON (profile, contacts, tags,
//! messages, campaigns and their recipients), every media file, and a README.txt saying what each
//! file is. `contacts.json` is the contacts export's own JSON, so it imports back as it is.

use std::io::Write;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::contacts::ContactFilter;
use crate::error::{Error, Result};
use crate::export::ExportFile;
use crate::{store, Engine};

const README: &str = "\
WhatsFlow — everything the app kept for your business
======================================================

contacts.json              Your contacts with their tags and custom fields. This is the same file
                           as Contacts → Export (JSON): import it into WhatsFlow to bring them back.
business_profile.json      The business profile (name, country, time zone, ...).
tags.json                  Tags (name, colour).
contact_tags.json          Which contact has which tag (contact_id, tag_id).
messages.json              Every message sent and received, oldest first. `media_path` names the file
                           in the media/ folder of this zip.
campaigns.json             Campaigns: their message, audience and schedule.
campaign_recipients.json   Each campaign's recipients and what happened to each message.
media/                     Photos, documents, audio and video of the messages.

The .json files other than contacts.json hold one JSON array each: one object per row, with the
column names as keys, times in milliseconds since 1970-01-01 UTC (or RFC 3339 text), binary
values in base64.
";

/// Errors from the zip writer, which only fails on I/O or a bad name here.
fn zip_error(e: impl std::fmt::Display) -> Error {
    Error::internal(format!("could not write the export: {e}"))
}

impl Engine {
    /// The whole business as one zip (see the module's notes). Built in memory, as the API answers
    /// it in one piece.
    pub fn export_everything(&self) -> Result<ExportFile> {
        let now = crate::clock::to_rfc3339(self.now());
        let (contacts, tables) = self.db().with(|conn| {
            store::dump::snapshot(conn, || {
                let contacts = store::contacts::all_matching(conn, &ContactFilter::default())?;
                let tables = store::dump::TABLES
                    .iter()
                    .map(|table| Ok((*table, store::dump::table_rows(conn, table)?)))
                    .collect::<Result<Vec<_>>>()?;
                Ok((contacts, tables))
            })
        })?;
        let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        // Media is mostly compressed already.
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("README.txt", deflated).map_err(zip_error)?;
        zip.write_all(README.as_bytes()).map_err(zip_error)?;
        zip.start_file("contacts.json", deflated)
            .map_err(zip_error)?;
        zip.write_all(&crate::export::json(&contacts, &now)?)
            .map_err(zip_error)?;
        for (table, rows) in &tables {
            zip.start_file(format!("{table}.json"), deflated)
                .map_err(zip_error)?;
            let body = serde_json::to_vec_pretty(rows).map_err(zip_error)?;
            zip.write_all(&body).map_err(zip_error)?;
        }
        let media_dir = self.data_dir().join("media");
        let mut media: Vec<_> = std::fs::read_dir(&media_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| !name.ends_with(".part"))
            .collect();
        media.sort();
        for name in media {
            let bytes = std::fs::read(media_dir.join(&name))?;
            zip.start_file(format!("media/{name}"), stored)
                .map_err(zip_error)?;
            zip.write_all(&bytes).map_err(zip_error)?;
        }
        let body = zip.finish().map_err(zip_error)?.into_inner();
        Ok(ExportFile {
            filename: format!("whatsflow-export-{}.zip", &now[..10]),
            content_type: "application/zip",
            body,
            count: contacts.len(),
        })
    }
}
