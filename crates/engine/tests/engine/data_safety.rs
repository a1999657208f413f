//! Keeping the business's data safe: backups taken while the app writes are whole databases, a
//! restore round-trips (and refuses files it must not take, leaving the data as it was), retention
//! keeps exactly 7 daily and 4 weekly backups, "Export everything" carries contacts that import
//! back unchanged, and "Erase everything" leaves nothing of the business behind.

use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use whatsflow_engine::backup::{BackupKind, RestoreSource, KEEP_DAILY, KEEP_WEEKLY};
use whatsflow_engine::contacts::{Contact, ContactFilter, NewContact, TagRef};
use whatsflow_engine::erase::EraseRequest;
use whatsflow_engine::import::{ImportFormat, ImportOptions};
use whatsflow_engine::link::{ConnectionState, ConnectionStatus, InboundMessage, Link};
use whatsflow_engine::profile::{BusinessDetails, ProfileInput};
use whatsflow_engine::{
    Engine, ErrorCode, ManualClock, MediaFile, Millis, Options, OutgoingMessage, Result,
};

const START: Millis = 1_780_000_000_000;
const DAY: Millis = 24 * 60 * 60 * 1000;

struct Setup {
    engine: Engine,
    clock: Arc<ManualClock>,
    dir: tempfile::TempDir,
}

fn open(dir: &std::path::Path, clock: &Arc<ManualClock>) -> Engine {
    Engine::open(Options::new(dir.to_owned(), clock.clone())).unwrap()
}

/// An engine on a database file (backups copy files), with a profile.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let engine = open(dir.path(), &clock);
    engine
        .save_profile(ProfileInput {
            details: BusinessDetails {
                business_name: "Corner Shop".into(),
                country: "US".into(),
                timezone: "America/New_York".into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
    Setup { engine, clock, dir }
}

fn add_contact(engine: &Engine, phone: &str, name: &str) -> Contact {
    engine
        .create_contact(NewContact {
            phone_number: phone.into(),
            name: name.into(),
            ..Default::default()
        })
        .unwrap()
}

fn names(engine: &Engine) -> Vec<String> {
    let mut names: Vec<String> = engine
        .export_contacts(
            &ContactFilter::default(),
            whatsflow_engine::export::ExportFormat::Json,
        )
        .map(|file| {
            let doc: serde_json::Value = serde_json::from_slice(&file.body).unwrap();
            doc["contacts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap();
    names.sort();
    names
}

fn sqlite(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn a_backup_taken_while_writes_happen_is_a_whole_database() {
    let s = setup();
    s.engine
        .db()
        .with(|c| {
            // 4 KiB a row: the database outgrows one step of the copy (256 pages), so writes land
            // between its steps.
            Ok(c.execute_batch(
                "CREATE TABLE pairs (n INTEGER NOT NULL, pad BLOB NOT NULL);
                 WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 599)
                 INSERT INTO pairs SELECT i, zeroblob(4096) FROM k;",
            )?)
        })
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (engine, stop, written) = (s.engine.clone(), stop.clone(), written.clone());
        std::thread::spawn(move || {
            let mut n = 0i64;
            // Each transaction adds two rows: a consistent copy always holds an even number.
            while !stop.load(Ordering::SeqCst) || n < 400 {
                engine
                    .db()
                    .with_tx(|tx| {
                        tx.execute(
                            "INSERT INTO pairs VALUES (?1, zeroblob(4096)), (?1, zeroblob(4096))",
                            [n],
                        )?;
                        Ok(())
                    })
                    .unwrap();
                n += 1;
                written.store(n as usize, Ordering::SeqCst);
                // Paced, so the copy's steps and the commits interleave without flooding the disk.
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        })
    };
    for i in 0..50 {
        add_contact(
            &s.engine,
            &format!("+1415555{:04}", i),
            &format!("Person {i}"),
        );
    }
    let mut backups = Vec::new();
    for _ in 0..3 {
        s.clock.advance(1000);
        backups.push(s.engine.back_up_now().unwrap());
    }
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert!(written.load(Ordering::SeqCst) >= 400);
    for backup in backups {
        let conn = sqlite(&s.dir.path().join("backups").join(&backup.name));
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "{}", backup.name);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM pairs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows % 2, 0, "a backup never holds half a transaction");
        assert_eq!(backup.kind, BackupKind::Manual);
    }
}

#[test]
fn restore_round_trip_keeps_the_replaced_data_as_a_backup() {
    let s = setup();
    add_contact(&s.engine, "+14155550100", "Ana");
    let backup = s.engine.back_up_now().unwrap();
    s.clock.advance(60_000);
    add_contact(&s.engine, "+14155550101", "Bruno");
    assert_eq!(names(&s.engine), ["Ana", "Bruno"]);

    let outcome = s
        .engine
        .restore_backup(RestoreSource::Listed(&backup.name))
        .unwrap();
    assert!(outcome.restart_required);
    assert!(outcome.message.contains("Restart"), "{}", outcome.message);
    // Staged only: the running engine still has the current data.
    assert_eq!(names(&s.engine), ["Ana", "Bruno"]);
    drop(s.engine);

    let engine = open(s.dir.path(), &s.clock);
    assert_eq!(names(&engine), ["Ana"], "the restart applied the backup");
    assert_eq!(
        engine.profile().unwrap().unwrap().details.business_name,
        "Corner Shop"
    );
    let restored: i64 = engine
        .db()
        .with(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'backup.restored'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(restored, 1);
    let replaced = engine
        .backups()
        .unwrap()
        .into_iter()
        .find(|b| b.kind == BackupKind::BeforeRestore)
        .expect("the replaced database is kept as a backup");

    // That backup, uploaded as a file, brings Bruno back: the round trip closes.
    let bytes = std::fs::read(s.dir.path().join("backups").join(&replaced.name)).unwrap();
    engine
        .restore_backup(RestoreSource::Upload(&bytes))
        .unwrap();
    drop(engine);
    let engine = open(s.dir.path(), &s.clock);
    assert_eq!(names(&engine), ["Ana", "Bruno"]);
}

#[test]
fn retention_keeps_exactly_seven_daily_and_four_weekly_over_sixty_days() {
    let s = setup();
    for day in 0..60 {
        s.clock.set(START + day * DAY);
        let taken = s.engine.backup_if_due().unwrap();
        assert!(taken.is_some(), "day {day}: the day's backup is due");
        s.clock.advance(3 * 60 * 60 * 1000);
        assert!(
            s.engine.backup_if_due().unwrap().is_none(),
            "day {day}: one backup a day"
        );
    }
    let backups = s.engine.backups().unwrap();
    let of = |kind| backups.iter().filter(|b| b.kind == kind).count();
    assert_eq!(of(BackupKind::Daily), KEEP_DAILY);
    assert_eq!(of(BackupKind::Weekly), KEEP_WEEKLY);
    assert_eq!(backups.len(), KEEP_DAILY + KEEP_WEEKLY);
    assert_eq!(
        std::fs::read_dir(s.dir.path().join("backups"))
            .unwrap()
            .count(),
        KEEP_DAILY + KEEP_WEEKLY,
        "nothing else is left in the folder"
    );
    // The newest is the last day's; the weekly ones are four different weeks, the latest ones.
    let last = chrono_day(START + 59 * DAY);
    assert!(backups[0].created_at.starts_with(&last));
    let mut weeks: Vec<&str> = backups
        .iter()
        .filter(|b| b.kind == BackupKind::Weekly)
        .map(|b| &b.created_at[..10])
        .collect();
    weeks.dedup();
    assert_eq!(weeks.len(), KEEP_WEEKLY);
}

fn chrono_day(at: Millis) -> String {
    whatsflow_engine::clock::to_rfc3339(at)[..10].to_owned()
}

#[test]
fn a_file_that_is_not_a_backup_is_refused_and_nothing_changes() {
    let s = setup();
    add_contact(&s.engine, "+14155550100", "Ana");
    let pending = s.dir.path().join("restore-pending.db");
    for bytes in [
        b"name,phone\nAna,+14155550100\n".as_slice(),
        b"".as_slice(),
        b"SQLite format 3\0 but then nothing".as_slice(),
    ] {
        let err = s
            .engine
            .restore_backup(RestoreSource::Upload(bytes))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed);
        assert!(
            err.message.contains("not a WhatsFlow backup"),
            "{}",
            err.message
        );
        assert!(!pending.exists());
    }
    // A SQLite database, but not WhatsFlow's.
    let other = s.dir.path().join("other.db");
    sqlite(&other)
        .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hi');")
        .unwrap();
    let err = s
        .engine
        .restore_backup(RestoreSource::Upload(&std::fs::read(&other).unwrap()))
        .unwrap_err();
    assert!(
        err.message.contains("not a WhatsFlow backup"),
        "{}",
        err.message
    );
    // A name that is not in the list (or tries to leave the folder).
    for name in ["../whatsflow.db", "whatsflow-nothing.db"] {
        let err = s
            .engine
            .restore_backup(RestoreSource::Listed(name))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
    }
    assert!(!pending.exists());
    assert!(!s.dir.path().join("restore-pending.db.partial").exists());
    drop(s.engine);
    assert_eq!(names(&open(s.dir.path(), &s.clock)), ["Ana"]);
}

#[test]
fn a_backup_from_a_newer_version_is_refused_clearly() {
    let s = setup();
    let backup = s.engine.back_up_now().unwrap();
    let path = s.dir.path().join("backups").join(&backup.name);
    sqlite(&path)
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (999, 'from_the_future', '2030-01-01T00:00:00Z', '0')",
            [],
        )
        .unwrap();
    let err = s
        .engine
        .restore_backup(RestoreSource::Listed(&backup.name))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationFailed);
    assert!(err.message.contains("newer WhatsFlow"), "{}", err.message);
    assert!(err.message.contains("999"), "{}", err.message);
    assert!(!s.dir.path().join("restore-pending.db").exists());
}

#[test]
fn a_backup_that_cannot_be_written_fails_clearly_and_leaves_the_data_alone() {
    let s = setup();
    add_contact(&s.engine, "+14155550100", "Ana");
    // Where the backups folder should be there is a file: nothing can be written there (the
    // tests run as root, for whom permissions would not stop a write).
    std::fs::write(s.dir.path().join("backups"), b"in the way").unwrap();
    let err = s.engine.back_up_now().unwrap_err();
    assert!(err.message.contains("backups folder"), "{}", err.message);
    assert_eq!(
        s.engine.backup_if_due().unwrap_err().code,
        ErrorCode::Internal
    );
    add_contact(&s.engine, "+14155550101", "Bruno");
    assert_eq!(names(&s.engine), ["Ana", "Bruno"], "the app carries on");
    std::fs::remove_file(s.dir.path().join("backups")).unwrap();
    assert!(s.engine.back_up_now().is_ok());
}

#[test]
fn an_unfinished_backup_is_never_listed_and_is_removed_at_start() {
    let s = setup();
    let done = s.engine.back_up_now().unwrap();
    // What a backup killed halfway leaves: its temporary file.
    let partial = s
        .dir
        .path()
        .join("backups")
        .join("whatsflow-20260101T000000000Z-manual.db.partial");
    std::fs::write(&partial, b"half a database").unwrap();
    assert_eq!(
        s.engine
            .backups()
            .unwrap()
            .iter()
            .map(|b| &b.name)
            .collect::<Vec<_>>(),
        [&done.name]
    );
    drop(s.engine);
    let engine = open(s.dir.path(), &s.clock);
    assert!(!partial.exists());
    assert_eq!(
        engine.backups().unwrap().len(),
        1,
        "reopening a current database takes no migration backup"
    );
}

fn message_with_photo(id: &str, digits: &str, photo: &[u8]) -> InboundMessage {
    InboundMessage {
        wa_message_id: format!("false_{digits}@c.us_{id}"),
        chat_id: format!("{digits}@c.us"),
        phone_number: None,
        push_name: Some("Rosa".into()),
        from_me: false,
        kind: "image".into(),
        body: "the shelf".into(),
        caption: None,
        media: Some(MediaFile {
            bytes: photo.to_vec(),
            mimetype: "image/jpeg".into(),
            filename: None,
        }),
        quoted_wa_id: None,
        timestamp: START,
    }
}

/// What a contact is, as the contacts export writes it (ids and times left out).
fn essence(engine: &Engine) -> Vec<String> {
    let file = engine
        .export_contacts(
            &ContactFilter::default(),
            whatsflow_engine::export::ExportFormat::Json,
        )
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&file.body).unwrap();
    let mut out: Vec<String> = doc["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let pick: Vec<String> = [
                "phoneNumber",
                "name",
                "email",
                "notes",
                "tags",
                "fields",
                "optedOut",
            ]
            .iter()
            .map(|k| c[*k].to_string())
            .collect();
            pick.join(" | ")
        })
        .collect();
    out.sort();
    out
}

#[test]
fn export_everything_holds_every_file_and_its_contacts_import_back_unchanged() {
    let s = setup();
    let mut ana = NewContact {
        phone_number: "+14155550100".into(),
        name: "Ana".into(),
        email: "ana@example.com".into(),
        notes: "Prefers mornings".into(),
        tags: vec![TagRef::Name("VIP".into())],
        ..Default::default()
    };
    ana.fields.insert("city".into(), "Lisbon".into());
    s.engine.create_contact(ana).unwrap();
    add_contact(&s.engine, "+14155550101", "Bruno");
    s.engine
        .ingest(message_with_photo("P1", "14155550132", b"jpeg bytes"))
        .unwrap();

    let file = s.engine.export_everything().unwrap();
    assert_eq!(file.content_type, "application/zip");
    assert!(file.filename.ends_with(".zip"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&file.body)).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    names.sort();
    for expected in [
        "README.txt",
        "business_profile.json",
        "campaign_recipients.json",
        "campaigns.json",
        "contact_tags.json",
        "contacts.json",
        "messages.json",
        "tags.json",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let read = |zip: &mut zip::ZipArchive<_>, name: &str| {
        let mut bytes = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
        bytes
    };
    let media: Vec<&String> = names.iter().filter(|n| n.starts_with("media/")).collect();
    assert_eq!(media.len(), 1);
    assert_eq!(read(&mut zip, media[0]), b"jpeg bytes");
    let messages: serde_json::Value =
        serde_json::from_slice(&read(&mut zip, "messages.json")).unwrap();
    assert_eq!(messages[0]["body"], "the shelf");
    assert_eq!(
        format!("{}", messages[0]["media_path"].as_str().unwrap()),
        media[0].as_str()
    );
    let profile: serde_json::Value =
        serde_json::from_slice(&read(&mut zip, "business_profile.json")).unwrap();
    assert_eq!(profile[0]["business_name"], "Corner Shop");
    let readme = String::from_utf8(read(&mut zip, "README.txt")).unwrap();
    assert!(readme.contains("contacts.json"));

    // The export's contacts, imported into a new installation, are the same contacts.
    let contacts_json = read(&mut zip, "contacts.json");
    let fresh = tempfile::tempdir().unwrap();
    let target = Engine::in_memory(Arc::new(ManualClock::new(START)), fresh.path()).unwrap();
    target
        .save_profile(ProfileInput {
            details: BusinessDetails {
                business_name: "New Shop".into(),
                country: "US".into(),
                timezone: "America/New_York".into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
    let report = target
        .import_contacts(
            &contacts_json,
            &ImportOptions {
                format: Some(ImportFormat::Json),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(report.imported, 3);
    assert_eq!(essence(&target), essence(&s.engine));
}

/// A link that records the logout the erase asks for.
#[derive(Default)]
struct LoggedLink {
    logged_out: AtomicBool,
}

impl Link for LoggedLink {
    fn status(&self) -> ConnectionStatus {
        ConnectionStatus::new(ConnectionState::Connected)
    }
    fn connect(&self) -> Result<()> {
        Ok(())
    }
    fn disconnect(&self) -> Result<()> {
        self.logged_out.store(true, Ordering::SeqCst);
        Ok(())
    }
    fn request_pairing_code(&self, _: &str) -> Result<String> {
        Ok("ABCD1234".into())
    }
    fn take_over(&self) -> Result<()> {
        Ok(())
    }
    fn check_number(&self, digits: &str) -> Result<Option<String>> {
        Ok(Some(format!("{digits}@c.us")))
    }
    fn send(&self, _: &OutgoingMessage) -> Result<i32> {
        Ok(1)
    }
    fn find_message(&self, _: &str) -> Result<Option<i32>> {
        Ok(None)
    }
    fn mark_read(&self, _: &str) -> Result<()> {
        Ok(())
    }
    fn set_typing(&self, _: &str, _: bool) -> Result<()> {
        Ok(())
    }
}

fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn erase_everything_leaves_nothing_of_the_business() {
    let s = setup();
    let link = Arc::new(LoggedLink::default());
    s.engine.set_link(link.clone());
    add_contact(&s.engine, "+14155550100", "Ana");
    s.engine
        .ingest(message_with_photo("P1", "14155550132", b"jpeg bytes"))
        .unwrap();
    s.engine.back_up_now().unwrap();
    // What the WhatsApp link and the program keep beside the database.
    std::fs::write(s.dir.path().join("session.vault"), b"sealed").unwrap();
    std::fs::write(s.dir.path().join("session.key"), b"key").unwrap();
    std::fs::create_dir_all(s.dir.path().join("whatsapp-profile/Default")).unwrap();
    std::fs::write(s.dir.path().join("whatsflow.lock"), b"").unwrap();
    let before = entries(s.dir.path());

    for wrong in ["", "erase", "Corner", "DELETE"] {
        let err = s
            .engine
            .erase_everything(&EraseRequest {
                confirmation: wrong.into(),
            })
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed, "{wrong:?}");
    }
    assert!(!link.logged_out.load(Ordering::SeqCst));
    assert_eq!(
        entries(s.dir.path()),
        before,
        "a wrong confirmation erases nothing"
    );

    s.engine
        .erase_everything(&EraseRequest {
            confirmation: " Corner Shop ".into(),
        })
        .unwrap();
    assert!(
        link.logged_out.load(Ordering::SeqCst),
        "WhatsApp is logged out first"
    );
    assert_eq!(entries(s.dir.path()), ["whatsflow.lock"]);
    assert!(std::fs::read(s.dir.path().join("whatsflow.lock"))
        .unwrap()
        .is_empty());
    // The engine stops serving, and creates no database again.
    let err = s.engine.profile().unwrap_err();
    assert!(err.message.contains("erased"), "{}", err.message);
    assert_eq!(entries(s.dir.path()), ["whatsflow.lock"]);
    drop(s.engine);
    assert_eq!(entries(s.dir.path()), ["whatsflow.lock"]);

    // The next start is a fresh onboarding.
    let engine = open(s.dir.path(), &s.clock);
    assert!(engine.profile().unwrap().is_none());
    assert!(names(&engine).is_empty());
}

#[test]
fn erasing_a_contact_is_recorded_in_the_audit_log_without_their_details() {
    let s = setup();
    let ana = add_contact(&s.engine, "+14155550100", "Ana");
    s.engine.delete_contact(ana.id).unwrap();
    let (action, detail): (String, String) = s
        .engine
        .db()
        .with(|c| {
            Ok(c.query_row(
                "SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(action, "contact.erased");
    assert_eq!(detail, format!("{{\"contactId\":{}}}", ana.id));
    assert!(!detail.contains("Ana") && !detail.contains("4155550100"));
}
