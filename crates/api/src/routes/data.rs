//! Routes of the data's safety: backups (list, back up now, restore a listed or uploaded one),
//! "Export everything" (a zip), "Erase everything", and where the log files are.

use schemars::JsonSchema;
use serde::Serialize;
use whatsflow_engine::backup::{BackupInfo, RestoreOutcome, RestoreSource};
use whatsflow_engine::erase::EraseRequest;
use whatsflow_engine::Error;

use crate::api::{data, raw, upload, Access, Method, NoBody, Raw, Route};

/// The backups and the folder they are in.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct BackupList {
    /// Newest first.
    backups: Vec<BackupInfo>,
    folder: String,
}

/// The answer to "Erase everything".
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Erased {
    erased: bool,
    message: String,
}

/// Where the log files are, for Settings → About.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct LogFolder {
    path: String,
}

/// The largest backup file a restore accepts as an upload.
const MAX_BACKUP_UPLOAD: usize = 1024 * 1024 * 1024;

/// Backups, export, erase, logs.
pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        data(
            Get,
            "/api/v1/backups",
            "data",
            Admin,
            "The backups, newest first, and their folder",
            |c, _: NoBody| -> Result<BackupList, Error> {
                Ok(BackupList {
                    backups: c.engine.backups()?,
                    folder: c
                        .engine
                        .data_dir()
                        .join(whatsflow_engine::backup::BACKUP_DIR)
                        .display()
                        .to_string(),
                })
            },
        ),
        data(
            Post,
            "/api/v1/backups",
            "data",
            Admin,
            "Back up now",
            |c, _: NoBody| -> Result<BackupInfo, Error> { c.engine.back_up_now() },
        ),
        upload(
            Post,
            "/api/v1/backups/restore",
            "data",
            Admin,
            "Restore a backup file (the body); applied when WhatsFlow restarts",
            |c, bytes| -> Result<RestoreOutcome, Error> {
                c.engine.restore_backup(RestoreSource::Upload(bytes))
            },
        )
        .max_body(MAX_BACKUP_UPLOAD),
        data(
            Post,
            "/api/v1/backups/{name}/restore",
            "data",
            Admin,
            "Restore a listed backup; applied when WhatsFlow restarts",
            |c, _: NoBody| -> Result<RestoreOutcome, Error> {
                let name = c.params.get("name").map(String::as_str).unwrap_or("");
                c.engine.restore_backup(RestoreSource::Listed(name))
            },
        ),
        raw(
            Get,
            "/api/v1/export",
            "data",
            Admin,
            "Export everything: one zip of JSON files, the media and a README",
            "application/zip",
            |c, _| {
                let file = c.engine.export_everything()?;
                Ok(Raw {
                    content_type: file.content_type.to_owned(),
                    body: file.body,
                })
            },
        ),
        data(
            Post,
            "/api/v1/erase",
            "data",
            Admin,
            "Erase everything (confirmation: ERASE or the business name); WhatsFlow then needs a restart",
            |c, request: EraseRequest| -> Result<Erased, Error> {
                c.engine.erase_everything(&request)?;
                Ok(Erased {
                    erased: true,
                    message: "Everything was erased. Close WhatsFlow; it starts fresh next time"
                        .to_owned(),
                })
            },
        ),
        data(
            Get,
            "/api/v1/app/logs",
            "data",
            Admin,
            "The folder of the log files",
            |_, _: NoBody| -> Result<LogFolder, Error> {
                Ok(LogFolder {
                    path: crate::logging::log_dir().display().to_string(),
                })
            },
        ),
    ]
}
