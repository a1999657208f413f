//! The chat list, search, thread windows and media files against a fresh database.

use super::*;
use crate::link::{InboundMessage, MediaFile};
use crate::testing::{self, test_engine, TestEngine, T0};

fn setup() -> TestEngine {
    test_engine()
}

/// A text from "Person <digits>".
fn inbound(id: &str, digits: &str, body: &str, at: Millis) -> InboundMessage {
    testing::inbound(id, digits, body)
        .push_name(&format!("Person {digits}"))
        .at(at)
        .build()
}

/// A message the business sent from its own phone.
fn outbound(id: &str, digits: &str, body: &str, at: Millis) -> InboundMessage {
    testing::inbound(id, digits, body)
        .push_name(&format!("Person {digits}"))
        .at(at)
        .from_me()
        .build()
}

fn names(page: &Page<Chat>) -> Vec<String> {
    page.items
        .iter()
        .map(|c| c.contact.display_name.clone())
        .collect()
}

fn contact_id(engine: &Engine, digits: &str) -> i64 {
    engine
        .db()
        .with(|c| {
            Ok(c.query_row(
                "SELECT id FROM contacts WHERE phone_number = ?1",
                [format!("+{digits}")],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

/// Tags are the contacts feature's; here they are set up directly in the tables.
fn tag(engine: &Engine, name: &str, digits: &[&str]) -> i64 {
    let tag_id = engine
        .db()
        .with(|c| {
            c.execute(
                "INSERT INTO tags (name, color, created_at) VALUES (?1, '#16a34a', 0)",
                [name],
            )?;
            Ok(c.last_insert_rowid())
        })
        .unwrap();
    for d in digits {
        let id = contact_id(engine, d);
        engine
            .db()
            .with(|c| {
                c.execute(
                    "INSERT INTO contact_tags (contact_id, tag_id, created_at) VALUES (?1, ?2, 0)",
                    [id, tag_id],
                )?;
                Ok(())
            })
            .unwrap();
    }
    tag_id
}

#[test]
fn chats_are_ordered_by_last_activity_and_a_new_message_moves_a_chat_to_the_top() {
    let s = setup();
    s.engine
        .ingest(inbound("A1", "15550000001", "first", T0))
        .unwrap();
    s.engine
        .ingest(inbound("B1", "15550000002", "second", T0 + 1_000))
        .unwrap();
    s.engine
        .ingest(inbound("C1", "15550000003", "third", T0 + 2_000))
        .unwrap();
    let page = s.engine.chats(&ChatFilter::default(), None, 50).unwrap();
    assert_eq!(
        names(&page),
        [
            "Person 15550000003",
            "Person 15550000002",
            "Person 15550000001"
        ],
        "the chat with the newest message comes first"
    );
    s.engine
        .ingest(outbound(
            "A2",
            "15550000001",
            "a reply from the phone",
            T0 + 3_000,
        ))
        .unwrap();
    let page = s.engine.chats(&ChatFilter::default(), None, 50).unwrap();
    assert_eq!(
        page.items[0].contact.display_name, "Person 15550000001",
        "any new message counts as activity"
    );
    let last = page.items[0].last_message.as_ref().unwrap();
    assert_eq!(last.preview, "a reply from the phone");
    assert_eq!(last.direction, Direction::Out);
    assert_eq!(last.status, MessageStatus::Sent);
    assert_eq!(page.next_cursor, None, "everything fitted on one page");
}

#[test]
fn contacts_without_messages_are_not_chats_but_can_be_opened() {
    let s = setup();
    s.engine
        .ingest(inbound("A1", "15550000001", "hi", T0))
        .unwrap();
    let lonely = s
        .engine
        .db()
        .with(|c| {
            c.execute(
                "INSERT INTO contacts (phone_number, name, created_at, updated_at) VALUES ('+15550009999', 'Zoe', 0, 0)",
                [],
            )?;
            Ok(c.last_insert_rowid())
        })
        .unwrap();
    let page = s.engine.chats(&ChatFilter::default(), None, 50).unwrap();
    assert_eq!(
        page.items.len(),
        1,
        "a contact nobody has written to has no chat yet"
    );
    let chat = s.engine.chat(lonely).unwrap();
    assert_eq!(chat.contact.display_name, "Zoe");
    assert_eq!(chat.last_message, None);
    assert_eq!(
        s.engine.chat(987_654).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn pages_follow_the_cursor_without_gaps_or_repeats_even_with_equal_times() {
    let s = setup();
    // Five chats share one timestamp: only the id tells them apart, and paging must still work.
    for i in 0..12 {
        let at = if i < 5 { T0 } else { T0 + i * 1_000 };
        s.engine
            .ingest(inbound(
                &format!("M{i}"),
                &format!("1555000{i:04}"),
                "hello",
                at,
            ))
            .unwrap();
    }
    let all = s.engine.chats(&ChatFilter::default(), None, 500).unwrap();
    assert_eq!(all.items.len(), 12);
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = s
            .engine
            .chats(&ChatFilter::default(), cursor.as_deref(), 5)
            .unwrap();
        assert!(page.items.len() <= 5);
        paged.extend(page.items.iter().map(|c| c.contact.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let expected: Vec<i64> = all.items.iter().map(|c| c.contact.id).collect();
    assert_eq!(
        paged, expected,
        "paging in fives yields the one-page list exactly"
    );
    let err = s
        .engine
        .chats(&ChatFilter::default(), Some("nonsense"), 5)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationFailed);
}

#[test]
fn unread_counts_grow_with_inbound_messages_and_reset_when_read() {
    let s = setup();
    s.engine
        .ingest(inbound("A1", "15550000001", "one", T0))
        .unwrap();
    s.engine
        .ingest(inbound("A2", "15550000001", "two", T0 + 1))
        .unwrap();
    s.engine
        .ingest(outbound("A3", "15550000001", "answer", T0 + 2))
        .unwrap();
    s.engine
        .ingest(inbound("B1", "15550000002", "other", T0 + 3))
        .unwrap();
    let unread = ChatFilter {
        unread_only: true,
        ..Default::default()
    };
    let page = s.engine.chats(&unread, None, 50).unwrap();
    let counts: Vec<(String, i64)> = page
        .items
        .iter()
        .map(|c| (c.contact.display_name.clone(), c.unread_count))
        .collect();
    assert_eq!(
        counts,
        [
            ("Person 15550000002".to_owned(), 1),
            ("Person 15550000001".to_owned(), 2)
        ],
        "inbound messages count as unread, the business's own do not"
    );
    s.engine
        .mark_chat_read(contact_id(&s.engine, "15550000001"))
        .unwrap();
    let page = s.engine.chats(&unread, None, 50).unwrap();
    assert_eq!(
        names(&page),
        ["Person 15550000002"],
        "a chat read is no longer in the unread filter"
    );
    let all = s.engine.chats(&ChatFilter::default(), None, 50).unwrap();
    assert_eq!(
        all.items.len(),
        2,
        "reading a chat does not hide it from the full list"
    );
}

#[test]
fn tag_and_text_filters_narrow_the_list_and_combine() {
    let s = setup();
    s.engine
        .ingest(inbound("A1", "15550000001", "x", T0))
        .unwrap();
    s.engine
        .ingest(inbound("B1", "15550000002", "x", T0 + 1))
        .unwrap();
    s.engine
        .ingest(inbound("C1", "15550000003", "x", T0 + 2))
        .unwrap();
    s.engine
        .db()
        .with(|c| {
            c.execute(
                "UPDATE contacts SET name = 'Rosa Martínez' WHERE phone_number = '+15550000002'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let vip = tag(&s.engine, "VIP", &["15550000001", "15550000002"]);
    let late = tag(&s.engine, "Late payer", &["15550000003"]);

    let by_tag = |ids: Vec<i64>| ChatFilter {
        tag_ids: ids,
        ..Default::default()
    };
    let page = s.engine.chats(&by_tag(vec![vip]), None, 50).unwrap();
    assert_eq!(names(&page), ["Rosa Martínez", "Person 15550000001"]);
    let tags: Vec<&str> = page.items[0]
        .contact
        .tags
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tags, ["VIP"], "each chat carries its contact's tags");
    let page = s.engine.chats(&by_tag(vec![vip, late]), None, 50).unwrap();
    assert_eq!(
        page.items.len(),
        3,
        "several tags match chats having any of them"
    );

    let q = |text: &str| ChatFilter {
        q: Some(text.into()),
        ..Default::default()
    };
    assert_eq!(
        names(&s.engine.chats(&q("rosa"), None, 50).unwrap()),
        ["Rosa Martínez"]
    );
    assert_eq!(
        names(&s.engine.chats(&q("martinez"), None, 50).unwrap()),
        ["Rosa Martínez"],
        "accents are ignored"
    );
    assert_eq!(
        names(&s.engine.chats(&q("+1555000000"), None, 50).unwrap()).len(),
        3,
        "numbers match by prefix"
    );
    let both = |text: &str, tag: i64| ChatFilter {
        q: Some(text.into()),
        tag_ids: vec![tag],
        ..Default::default()
    };
    assert_eq!(
        names(&s.engine.chats(&both("rosa", vip), None, 50).unwrap()),
        ["Rosa Martínez"]
    );
    assert!(
        s.engine
            .chats(&both("rosa", late), None, 50)
            .unwrap()
            .items
            .is_empty(),
        "text and tag filters combine with AND"
    );
    for odd in ["\"", "OR", "*", "a AND", "+", "(", "   "] {
        s.engine
            .chats(&q(odd), None, 50)
            .unwrap_or_else(|e| panic!("{odd:?} must not be a query error: {e}"));
    }
}

#[test]
fn search_finds_messages_newest_first_with_contact_and_marked_snippet() {
    let s = setup();
    s.engine
        .ingest(inbound(
            "A1",
            "15550000001",
            "Do you deliver roses on Sunday?",
            T0,
        ))
        .unwrap();
    s.engine
        .ingest(inbound("B1", "15550000002", "Tulips please", T0 + 1))
        .unwrap();
    s.engine
        .ingest(outbound(
            "A2",
            "15550000001",
            "Yes, roses go out every day",
            T0 + 2,
        ))
        .unwrap();
    let hits = s.engine.search_messages("rose", None, 10).unwrap().items;
    let bodies: Vec<&str> = hits.iter().map(|h| h.message.body.as_str()).collect();
    assert_eq!(
        bodies,
        [
            "Yes, roses go out every day",
            "Do you deliver roses on Sunday?"
        ]
    );
    assert_eq!(hits[0].contact.display_name, "Person 15550000001");
    assert!(
        hits[0].snippet.contains("\u{2}roses\u{3}"),
        "the matched word is marked for highlighting: {:?}",
        hits[0].snippet
    );
    let older = s
        .engine
        .search_messages("rose", Some(&hits[0].message.id.to_string()), 10)
        .unwrap();
    assert_eq!(
        older.items.len(),
        1,
        "the cursor continues after the last hit"
    );
    assert!(s
        .engine
        .search_messages("  ", None, 10)
        .unwrap()
        .items
        .is_empty());
    for odd in ["\"", "NEAR(", "a OR", "*", "-"] {
        s.engine
            .search_messages(odd, None, 10)
            .unwrap_or_else(|e| panic!("{odd:?} must not fail: {e}"));
    }
}

#[test]
fn a_window_around_a_message_reaches_both_ways_and_continues_with_cursors() {
    let s = setup();
    for i in 0..30 {
        s.engine
            .ingest(inbound(
                &format!("M{i:02}"),
                "15550000001",
                &format!("message {i}"),
                T0 + i * 1_000,
            ))
            .unwrap();
    }
    let target = s
        .engine
        .messages(None, None, 100)
        .unwrap()
        .items
        .into_iter()
        .find(|m| m.body == "message 10")
        .unwrap();
    let window = s.engine.message_context(target.id, 10).unwrap();
    let bodies: Vec<String> = window.messages.iter().map(|m| m.body.clone()).collect();
    let expected: Vec<String> = (6..=15).rev().map(|i| format!("message {i}")).collect();
    assert_eq!(
        bodies, expected,
        "five newer, the message itself and four older, newest first"
    );
    assert_eq!(window.message_id, target.id);

    let older = s
        .engine
        .conversation(window.contact_id, window.older_cursor.as_deref(), 100)
        .unwrap()
        .items;
    assert_eq!(
        older.first().unwrap().body,
        "message 5",
        "older messages continue right below the window"
    );
    assert_eq!(older.len(), 6);

    let newer_cursor: i64 = window.newer_cursor.as_deref().unwrap().parse().unwrap();
    let newer = s
        .engine
        .conversation_after(window.contact_id, newer_cursor, 100)
        .unwrap();
    assert_eq!(
        newer.items.last().unwrap().body,
        "message 16",
        "newer messages continue right above the window"
    );
    assert_eq!(
        newer.items.first().unwrap().body,
        "message 29",
        "newest first, like every list of messages"
    );
    assert_eq!(newer.next_cursor, None, "the newest message is on the page");
    let step = s
        .engine
        .conversation_after(window.contact_id, newer_cursor, 4)
        .unwrap();
    let bodies: Vec<&str> = step.items.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["message 19", "message 18", "message 17", "message 16"]
    );
    let next: i64 = step.next_cursor.as_deref().unwrap().parse().unwrap();
    assert_eq!(
        s.engine
            .conversation_after(window.contact_id, next, 1)
            .unwrap()
            .items[0]
            .body,
        "message 20",
        "the next cursor continues towards the present"
    );

    let latest = s.engine.messages(None, None, 1).unwrap().items.remove(0);
    let at_end = s.engine.message_context(latest.id, 10).unwrap();
    assert_eq!(
        at_end.newer_cursor, None,
        "a window at the newest message has nothing newer"
    );
    assert_eq!(
        s.engine.message_context(999_999, 10).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn scrolling_back_keeps_thread_order_when_history_arrives_late() {
    let s = setup();
    for i in 0..6 {
        s.engine
            .ingest(inbound(
                &format!("N{i}"),
                "15550000001",
                &format!("new {i}"),
                T0 + 100_000 + i,
            ))
            .unwrap();
    }
    // History synced afterwards: higher ids, older timestamps.
    for i in 0..6 {
        s.engine
            .ingest(inbound(
                &format!("O{i}"),
                "15550000001",
                &format!("old {i}"),
                T0 + i,
            ))
            .unwrap();
    }
    let id = contact_id(&s.engine, "15550000001");
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = s.engine.conversation(id, cursor.as_deref(), 4).unwrap();
        assert!(page.items.len() <= 4);
        seen.extend(page.items.into_iter().map(|m| m.body));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let expected: Vec<String> = (0..6)
        .rev()
        .map(|i| format!("new {i}"))
        .chain((0..6).rev().map(|i| format!("old {i}")))
        .collect();
    assert_eq!(
        seen, expected,
        "every message once, in time order, across pages"
    );
}

#[test]
fn media_is_served_from_the_data_directory_only() {
    let s = setup();
    let mut photo = inbound("P1", "15550000001", "", T0);
    photo.kind = "image".into();
    photo.caption = Some("New bouquet".into());
    photo.media = Some(MediaFile {
        bytes: b"\x89PNG fake".to_vec(),
        mimetype: "image/png".into(),
        filename: None,
    });
    s.engine.ingest(photo).unwrap();
    let message = s.engine.messages(None, None, 1).unwrap().items.remove(0);
    let media = s.engine.message_media(message.id).unwrap();
    assert_eq!(media.bytes, b"\x89PNG fake");
    assert_eq!(media.mimetype, "image/png");
    let chat = s
        .engine
        .chats(&ChatFilter::default(), None, 1)
        .unwrap()
        .items
        .remove(0);
    assert_eq!(chat.last_message.unwrap().preview, "📷 New bouquet");

    s.engine
        .ingest(inbound("T1", "15550000001", "text only", T0 + 1))
        .unwrap();
    let text = s.engine.messages(None, None, 1).unwrap().items.remove(0);
    assert_eq!(
        s.engine.message_media(text.id).unwrap_err().code,
        ErrorCode::NotFound
    );

    // A row pointing outside the data directory (a tampered or restored database) is refused.
    let secret = s
        .dir
        .path()
        .parent()
        .unwrap()
        .join(format!("secret-{}", std::process::id()));
    std::fs::write(&secret, "do not serve").unwrap();
    let escape = format!(
        "media/../../{}",
        secret.file_name().unwrap().to_string_lossy()
    );
    s.engine
        .db()
        .with(|c| {
            c.execute(
                "UPDATE messages SET media_path = ?1 WHERE id = ?2",
                rusqlite::params![escape, message.id],
            )?;
            Ok(())
        })
        .unwrap();
    let err = s.engine.message_media(message.id).unwrap_err();
    std::fs::remove_file(&secret).unwrap();
    assert_eq!(
        err.code,
        ErrorCode::Forbidden,
        "a path with .. is refused: {err}"
    );
}

#[test]
fn media_paths_are_checked_before_any_file_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("media")).unwrap();
    std::fs::write(dir.path().join("media/ok.jpg"), "jpg").unwrap();
    assert!(resolve_media_path(dir.path(), "media/ok.jpg").is_ok());
    for bad in [
        "",
        "/etc/passwd",
        "../x",
        "media/../../x",
        "./media/ok.jpg",
        "media\\ok.jpg",
        "C:/x\0",
    ] {
        let err = resolve_media_path(dir.path(), bad).unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden, "{bad:?} must be refused");
    }
    assert_eq!(
        resolve_media_path(dir.path(), "media/missing.jpg")
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        resolve_media_path(dir.path(), "media").unwrap_err().code,
        ErrorCode::NotFound,
        "a folder is no file"
    );
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "x").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret"),
            dir.path().join("media/link.jpg"),
        )
        .unwrap();
        let err = resolve_media_path(dir.path(), "media/link.jpg").unwrap_err();
        assert_eq!(
            err.code,
            ErrorCode::Forbidden,
            "a symlink out of the data directory is refused"
        );
    }
}

#[test]
fn the_first_page_walks_an_index_instead_of_sorting_every_chat() {
    let s = setup();
    // The unfiltered and unread lists must come out of an index in order, whatever their size: a sort
    // would read every chat. (A tag filter may drive from the tag's contacts and sort those few.)
    for sql in [chat_page_sql(false, 0, &[]), chat_page_sql(true, 0, &[])] {
        let plan: Vec<String> = s
            .engine
            .db()
            .with(|c| {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let rows = stmt
                    .query_map(
                        rusqlite::params_from_iter(vec![1i64; sql.matches('?').count()]),
                        |r| r.get::<_, String>(3),
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .unwrap();
        let text = plan.join(" | ");
        assert!(
            !text.contains("TEMP B-TREE"),
            "the page must come out of an index in order, not a sort: {text}"
        );
        assert!(
            text.contains("contacts_chat_"),
            "one of the chat-order indexes of V2 must be used: {text}"
        );
    }
}
