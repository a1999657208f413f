//! Contacts, tags, bulk actions, import and export against a fresh migrated database, with the
//! business in the United States (the default region for numbers without a country code).

use std::sync::Arc;

use whatsflow_engine::contacts::{
    BulkAction, BulkRequest, Contact, ContactFilter, ContactPatch, ContactSort, NewContact,
    SortField, SortOrder, TagMode, TagRef,
};
use whatsflow_engine::export::ExportFormat;
use whatsflow_engine::import::{DedupeMode, ImportFormat, ImportOptions, ImportReport, Reason};
use whatsflow_engine::tags::{TagInput, TagPatch, PALETTE};
use whatsflow_engine::testing::{self, new_contact as new, test_engine_at, TestEngine};
use whatsflow_engine::{Engine, ErrorCode, InboundMessage, ManualClock};

fn setup() -> TestEngine {
    test_engine_at(1_700_000_000_000).with_business_in("US")
}

fn names(contacts: &[Contact]) -> Vec<String> {
    contacts.iter().map(|c| c.name.clone()).collect()
}

fn list(engine: &Engine, filter: ContactFilter) -> Vec<Contact> {
    engine
        .contacts(&filter, ContactSort::default(), None, 1000)
        .unwrap()
        .items
}

fn q(text: &str) -> ContactFilter {
    ContactFilter {
        q: Some(text.into()),
        ..Default::default()
    }
}

fn all(engine: &Engine) -> Vec<Contact> {
    list(engine, ContactFilter::default())
}

// ---------------------------------------------------------------------------------------------
// Create, update, delete

#[test]
fn create_normalises_the_phone_with_the_business_country_and_refuses_duplicates() {
    let s = setup();
    let rosa = s
        .engine
        .create_contact(new("(415) 555-0132", "  Rosa  "))
        .unwrap();
    assert_eq!(
        rosa.phone_number.as_deref(),
        Some("+14155550132"),
        "US is the default region"
    );
    assert_eq!(rosa.name, "Rosa", "names are trimmed");
    assert_eq!(rosa.source, "manual");
    assert_eq!(
        rosa.phone_display.as_deref(),
        Some("(415) 555-0132"),
        "a number of the business's country reads in national format"
    );

    let err = s
        .engine
        .create_contact(new("+1 415-555-0132", "Other"))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(
        err.message.contains("+14155550132") && err.message.contains("Rosa"),
        "{}",
        err.message
    );

    let brazil = s
        .engine
        .create_contact(new("+55 11 91234-5678", "Ana"))
        .unwrap();
    assert_eq!(
        brazil.phone_number.as_deref(),
        Some("+5511912345678"),
        "a country code wins"
    );
    assert_eq!(
        brazil.phone_display.as_deref(),
        Some("+55 11 91234-5678"),
        "a foreign number reads in international format"
    );

    for (phone, fragment) in [
        ("", "Enter a phone"),
        ("call me", "not a phone number"),
        ("+1 555", "not a valid"),
    ] {
        let err = s.engine.create_contact(new(phone, "X")).unwrap_err();
        assert_eq!(err.code, ErrorCode::ValidationFailed, "{phone}");
        assert_eq!(err.details[0].field, "phoneNumber");
        assert!(
            err.details[0].message.contains(fragment),
            "{phone}: {}",
            err.details[0].message
        );
    }
    let err = s
        .engine
        .create_contact(NewContact {
            email: "not-an-email".into(),
            ..new("+14155550100", "Y")
        })
        .unwrap_err();
    assert_eq!(err.details[0].field, "email");
    assert_eq!(all(&s.engine).len(), 2, "refused contacts are not stored");
}

#[test]
fn create_with_tags_by_name_and_id_and_custom_fields() {
    let s = setup();
    let vip = s
        .engine
        .create_tag(TagInput {
            name: "VIP".into(),
            color: None,
        })
        .unwrap();
    let input = NewContact {
        tags: vec![
            TagRef::Id(vip.id),
            TagRef::Name("wholesale".into()),
            TagRef::Name("vip".into()),
        ],
        fields: [
            ("city".to_string(), " Lisbon ".to_string()),
            ("empty".to_string(), " ".to_string()),
        ]
        .into(),
        ..new("+14155550132", "Rosa")
    };
    let c = s.engine.create_contact(input).unwrap();
    let tag_names: Vec<&str> = c.tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        tag_names,
        ["VIP", "wholesale"],
        "'vip' is the existing VIP tag, not a second one"
    );
    assert_eq!(c.fields.get("city").map(String::as_str), Some("Lisbon"));
    assert!(
        !c.fields.contains_key("empty"),
        "empty custom fields are dropped"
    );
    let err = s
        .engine
        .create_contact(NewContact {
            tags: vec![TagRef::Id(999)],
            ..new("+14155550100", "Y")
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationFailed);
}

#[test]
fn update_changes_given_fields_and_records_opt_out_time() {
    let s = setup();
    let rosa = s
        .engine
        .create_contact(new("+14155550132", "Rosa"))
        .unwrap();
    s.engine.create_contact(new("+14155550100", "Bob")).unwrap();

    let updated = s
        .engine
        .update_contact(
            rosa.id,
            ContactPatch {
                notes: Some("likes tulips".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.notes.as_str()),
        ("Rosa", "likes tulips")
    );

    let err = s
        .engine
        .update_contact(
            rosa.id,
            ContactPatch {
                phone_number: Some("415 555 0100".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict, "Bob has that number");
    assert!(err.message.contains("Bob"));

    let out = s.engine.set_opted_out(rosa.id, true).unwrap();
    assert!(out.opted_out);
    assert_eq!(
        out.opted_out_at.as_deref(),
        Some("2023-11-14T22:13:20.000Z")
    );
    let back = s.engine.set_opted_out(rosa.id, false).unwrap();
    assert!(
        !back.opted_out && back.opted_out_at.is_none(),
        "opting in clears the time"
    );
    assert_eq!(
        s.engine
            .update_contact(999, ContactPatch::default())
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
}

/// A message from Rosa's WhatsApp number (hidden from the message itself), with a photo or not.
fn inbound(id: &str, phone_digits: &str, media: Option<&[u8]>) -> InboundMessage {
    let message = testing::inbound(id, phone_digits, "hello")
        .chat(&format!("{phone_digits}@c.us"), None)
        .push_name("Rosa")
        .at(1_700_000_000_000);
    match media {
        Some(bytes) => message.image(bytes, None),
        None => message,
    }
    .build()
}

#[test]
fn delete_erases_the_contacts_messages_and_media_files_only() {
    let s = setup();
    s.engine.ingest(inbound("A1", "14155550132", None)).unwrap();
    s.engine
        .ingest(inbound("A2", "14155550132", Some(b"jpeg bytes")))
        .unwrap();
    s.engine
        .ingest(inbound("B1", "14155550100", Some(b"other jpeg")))
        .unwrap();
    let contacts = all(&s.engine);
    let rosa = contacts
        .iter()
        .find(|c| c.phone_number.as_deref() == Some("+14155550132"))
        .unwrap();
    let media_files = || {
        std::fs::read_dir(s.dir.path().join("media"))
            .unwrap()
            .count()
    };
    assert_eq!(media_files(), 2);

    let mut events = s.engine.subscribe();
    s.engine.delete_contact(rosa.id).unwrap();
    let count = |sql: &str| -> i64 {
        s.engine
            .db()
            .with(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .unwrap()
    };
    assert_eq!(
        count(&format!(
            "SELECT count(*) FROM messages WHERE contact_id = {}",
            rosa.id
        )),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM messages"),
        1,
        "the other contact's message stays"
    );
    assert_eq!(
        count("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'hello'"),
        1
    );
    assert_eq!(
        media_files(),
        1,
        "only the deleted contact's media file is removed"
    );
    assert_eq!(
        s.engine.contact(rosa.id).unwrap_err().code,
        ErrorCode::NotFound
    );
    let event = serde_json::to_value(events.try_recv().unwrap()).unwrap();
    assert_eq!(event["type"], "contact.deleted");
    assert_eq!(event["data"]["id"], rosa.id);
    assert_eq!(
        s.engine.delete_contact(rosa.id).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn operations_emit_events() {
    let s = setup();
    let mut events = s.engine.subscribe();
    let c = s
        .engine
        .create_contact(new("+14155550132", "Rosa"))
        .unwrap();
    let tag = s
        .engine
        .create_tag(TagInput {
            name: "VIP".into(),
            color: None,
        })
        .unwrap();
    s.engine.tag_contact(c.id, tag.id).unwrap();
    s.engine
        .bulk_contacts(BulkRequest {
            ids: Some(vec![c.id]),
            filter: None,
            action: BulkAction::OptOut,
            tag_id: None,
        })
        .unwrap();
    let mut types = Vec::new();
    while let Ok(e) = events.try_recv() {
        types.push(
            serde_json::to_value(e).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(
        types,
        [
            "contact.created",
            "tags.changed",
            "contact.updated",
            "contact.opted_out",
            "contacts.changed"
        ]
    );
}

#[test]
fn a_bulk_opt_out_announces_each_contact_opted_out_and_queues_its_webhook() {
    let s = setup();
    let webhook = s
        .engine
        .create_webhook(whatsflow_engine::webhooks::WebhookInput {
            url: "http://127.0.0.1:9/hook".into(),
            events: vec!["contact.opted_out".into()],
            enabled: None,
        })
        .unwrap();
    let rosa = s
        .engine
        .create_contact(new("+14155550132", "Rosa"))
        .unwrap();
    let ana = s.engine.create_contact(new("+14155550133", "Ana")).unwrap();
    let already = s.engine.create_contact(new("+14155550134", "Bea")).unwrap();
    s.engine.set_opted_out(already.id, true).unwrap();
    let queued_before = s
        .engine
        .webhook_deliveries(webhook.id, None, None, 10)
        .unwrap()
        .items
        .len();
    assert_eq!(queued_before, 1, "the single opt-out is queued as ever");
    let mut events = s.engine.subscribe();

    let outcome = s
        .engine
        .bulk_contacts(BulkRequest {
            ids: Some(vec![rosa.id, ana.id, already.id]),
            filter: None,
            action: BulkAction::OptOut,
            tag_id: None,
        })
        .unwrap();
    assert_eq!((outcome.matched, outcome.changed), (3, 2));

    let mut opted_out = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let whatsflow_engine::Event::ContactOptedOut(contact) = e.event {
            assert!(contact.opted_out, "{contact:?}");
            opted_out.push(contact.id);
        }
    }
    opted_out.sort_unstable();
    assert_eq!(
        opted_out,
        [rosa.id, ana.id],
        "one event per contact that changed"
    );
    let mut delivered: Vec<i64> = s
        .engine
        .webhook_deliveries(webhook.id, None, None, 10)
        .unwrap()
        .items
        .iter()
        .filter(|d| d.event_type == "contact.opted_out")
        .map(|d| d.payload["data"]["id"].as_i64().unwrap())
        .filter(|id| *id != already.id)
        .collect();
    delivered.sort_unstable();
    assert_eq!(
        delivered,
        [rosa.id, ana.id],
        "each opt-out queued for the webhook"
    );

    // Opting back in announces no opt-out.
    s.engine
        .bulk_contacts(BulkRequest {
            ids: Some(vec![rosa.id]),
            filter: None,
            action: BulkAction::OptIn,
            tag_id: None,
        })
        .unwrap();
    while let Ok(e) = events.try_recv() {
        assert!(!matches!(
            e.event,
            whatsflow_engine::Event::ContactOptedOut(_)
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Listing: search, filters, sorting, pages

fn seed_people(engine: &Engine) -> Vec<Contact> {
    [
        (
            "+14155550132",
            "Rosa Martínez",
            "rosa@example.com",
            "likes tulips",
        ),
        ("+14155550100", "Bob Stone", "", "pays late"),
        ("+5511912345678", "Ana Silva", "ana@example.com", ""),
        ("+491712345678", "Jürgen Müller", "", "wholesale buyer"),
        ("+447400123456", "", "", ""),
    ]
    .iter()
    .map(|(phone, name, email, notes)| {
        engine
            .create_contact(NewContact {
                email: email.to_string(),
                notes: notes.to_string(),
                ..new(phone, name)
            })
            .unwrap()
    })
    .collect()
}

#[test]
fn search_matches_names_notes_emails_and_any_fragment_of_a_number() {
    let s = setup();
    seed_people(&s.engine);
    for (query, expected) in [
        ("rosa", vec!["Rosa Martínez"]),
        ("martinez", vec!["Rosa Martínez"]),
        ("juergen", vec![]),
        ("jurgen", vec!["Jürgen Müller"]),
        ("tulip", vec!["Rosa Martínez"]),
        ("ana@example", vec!["Ana Silva"]),
        ("5550", vec!["Bob Stone", "Rosa Martínez"]),
        ("555-0132", vec!["Rosa Martínez"]),
        ("(415) 555", vec!["Bob Stone", "Rosa Martínez"]),
        ("91234", vec!["Ana Silva"]),
        ("0171 2345678", vec!["Jürgen Müller"]),
        ("rosa 0132", vec!["Rosa Martínez"]),
        ("rosa 0100", vec![]),
        ("\"OR", vec![]),
    ] {
        assert_eq!(
            names(&list(&s.engine, q(query))),
            expected,
            "search {query:?}"
        );
    }
    assert_eq!(s.engine.count_contacts(&q("5550")).unwrap(), 2);
}

#[test]
fn filters_by_tags_any_and_all_opt_out_and_source() {
    let s = setup();
    let people = seed_people(&s.engine);
    let vip = s
        .engine
        .create_tag(TagInput {
            name: "VIP".into(),
            color: None,
        })
        .unwrap();
    let late = s
        .engine
        .create_tag(TagInput {
            name: "Late".into(),
            color: None,
        })
        .unwrap();
    s.engine.tag_contact(people[0].id, vip.id).unwrap();
    s.engine.tag_contact(people[1].id, vip.id).unwrap();
    s.engine.tag_contact(people[1].id, late.id).unwrap();
    s.engine.set_opted_out(people[2].id, true).unwrap();
    s.engine.ingest(inbound("Z1", "14155550199", None)).unwrap();

    let tags = |ids: Vec<i64>, mode| ContactFilter {
        tags: ids,
        tag_mode: mode,
        ..Default::default()
    };
    assert_eq!(
        names(&list(&s.engine, tags(vec![vip.id], TagMode::Any))),
        ["Bob Stone", "Rosa Martínez"]
    );
    assert_eq!(
        names(&list(&s.engine, tags(vec![vip.id, late.id], TagMode::Any))),
        ["Bob Stone", "Rosa Martínez"]
    );
    assert_eq!(
        names(&list(&s.engine, tags(vec![vip.id, late.id], TagMode::All))),
        ["Bob Stone"]
    );
    let opted = ContactFilter {
        opted_out: Some(true),
        ..Default::default()
    };
    assert_eq!(names(&list(&s.engine, opted)), ["Ana Silva"]);
    let from_chats = ContactFilter {
        source: Some("conversation".into()),
        ..Default::default()
    };
    let chat_contacts = list(&s.engine, from_chats);
    assert_eq!(chat_contacts.len(), 1);
    assert_eq!(chat_contacts[0].push_name, "Rosa");
    let combined = ContactFilter {
        q: Some("stone".into()),
        ..tags(vec![vip.id], TagMode::Any)
    };
    assert_eq!(names(&list(&s.engine, combined)), ["Bob Stone"]);
    assert_eq!(
        list(&s.engine, tags(vec![vip.id], TagMode::Any))[0]
            .tags
            .len(),
        2,
        "rows carry their tags"
    );
}

#[test]
fn search_order_follows_contacts_added_and_renamed_since_the_last_search() {
    let s = setup();
    let rosa = |engine: &Engine| names(&list(engine, q("rosa")));
    s.engine
        .create_contact(new("+14155550101", "Bea Rosa"))
        .unwrap();
    let carl = s
        .engine
        .create_contact(new("+14155550102", "Carl Rosa"))
        .unwrap();
    assert_eq!(rosa(&s.engine), ["Bea Rosa", "Carl Rosa"]);
    s.engine
        .create_contact(new("+14155550103", "Abe Rosa"))
        .unwrap();
    assert_eq!(rosa(&s.engine), ["Abe Rosa", "Bea Rosa", "Carl Rosa"]);
    s.engine
        .update_contact(
            carl.id,
            ContactPatch {
                name: Some("Aaron Rosa".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(rosa(&s.engine), ["Aaron Rosa", "Abe Rosa", "Bea Rosa"]);
    s.engine.delete_contact(carl.id).unwrap();
    assert_eq!(rosa(&s.engine), ["Abe Rosa", "Bea Rosa"]);
}

#[test]
fn every_sort_pages_without_gaps_or_repeats() {
    let s = setup();
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let engine = Engine::in_memory(clock.clone(), s.dir.path()).unwrap();
    for i in 0..23 {
        // Repeated names and times, so the id tie-break matters.
        let name = ["Carla", "ana", "Bruno", ""][i % 4];
        engine
            .create_contact(new(&format!("+1415555{:04}", 100 + i), name))
            .unwrap();
        if i % 3 == 0 {
            clock.advance(1000);
        }
        if i % 5 == 0 {
            engine
                .ingest(inbound(
                    &format!("M{i}"),
                    &format!("1415555{:04}", 100 + i),
                    None,
                ))
                .unwrap();
        }
    }
    let odd = engine
        .create_tag(TagInput {
            name: "Odd".into(),
            color: None,
        })
        .unwrap();
    let all_ids: Vec<i64> = list(&engine, ContactFilter::default())
        .iter()
        .map(|c| c.id)
        .collect();
    for id in all_ids.iter().filter(|id| *id % 2 == 1) {
        engine.tag_contact(*id, odd.id).unwrap();
    }
    // Searches in name order take another path (hits sorted in memory): page them the same way.
    let filters = [
        (ContactFilter::default(), 23),
        (q("555"), 23),
        (q("an"), 6),
        (
            ContactFilter {
                q: Some("1415".into()),
                tags: vec![odd.id],
                ..Default::default()
            },
            all_ids.iter().filter(|id| *id % 2 == 1).count(),
        ),
    ];
    for (filter, expected_len) in &filters {
        for field in [
            SortField::Name,
            SortField::LastMessageAt,
            SortField::CreatedAt,
        ] {
            for order in [SortOrder::Asc, SortOrder::Desc] {
                let sort = ContactSort { field, order };
                let one = engine.contacts(filter, sort, None, 100).unwrap();
                assert!(one.next_cursor.is_none());
                let mut paged = Vec::new();
                let mut cursor: Option<String> = None;
                loop {
                    let page = engine.contacts(filter, sort, cursor.as_deref(), 4).unwrap();
                    paged.extend(page.items.iter().map(|c| c.id));
                    match page.next_cursor {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
                let expected: Vec<i64> = one.items.iter().map(|c| c.id).collect();
                assert_eq!(
                    paged, expected,
                    "{field:?} {order:?} {filter:?}: pages of 4 give the one-page order"
                );
                assert_eq!(expected.len(), *expected_len, "{filter:?}");
                if field == SortField::Name {
                    let shown: Vec<String> = one
                        .items
                        .iter()
                        .map(|c| c.display_name.to_lowercase())
                        .collect();
                    let mut sorted = shown.clone();
                    sorted.sort();
                    if order == SortOrder::Desc {
                        sorted.reverse();
                    }
                    assert_eq!(shown, sorted, "{order:?} {filter:?}");
                }
            }
        }
    }
    let by_name = engine
        .contacts(&ContactFilter::default(), ContactSort::default(), None, 100)
        .unwrap();
    let shown: Vec<String> = by_name
        .items
        .iter()
        .map(|c| c.display_name.clone())
        .collect();
    let mut sorted = shown.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(
        shown, sorted,
        "name order is the shown name, case-insensitive"
    );
    let desc = ContactSort {
        field: SortField::LastMessageAt,
        order: SortOrder::Desc,
    };
    let recent = engine
        .contacts(&ContactFilter::default(), desc, None, 1)
        .unwrap();
    assert!(
        recent.items[0].last_message_at.is_some(),
        "the latest conversation comes first"
    );
    let wrong = engine.contacts(
        &ContactFilter::default(),
        desc,
        by_name.next_cursor.as_deref().or(Some("x")),
        5,
    );
    assert_eq!(wrong.unwrap_err().code, ErrorCode::ValidationFailed);
}

// ---------------------------------------------------------------------------------------------
// Tags and bulk actions

#[test]
fn tags_are_unique_ignoring_case_coloured_and_deletable() {
    let s = setup();
    let vip = s
        .engine
        .create_tag(TagInput {
            name: "VIP".into(),
            color: None,
        })
        .unwrap();
    assert_eq!(vip.color, PALETTE[0], "the palette gives the first colour");
    let second = s
        .engine
        .create_tag(TagInput {
            name: "Late".into(),
            color: Some("#ABCDEF".into()),
        })
        .unwrap();
    assert_eq!(second.color, "#abcdef");
    let err = s
        .engine
        .create_tag(TagInput {
            name: "vip".into(),
            color: None,
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let err = s
        .engine
        .create_tag(TagInput {
            name: "New".into(),
            color: Some("red".into()),
        })
        .unwrap_err();
    assert_eq!(
        (err.code, err.details[0].field.as_str()),
        (ErrorCode::ValidationFailed, "color")
    );
    let err = s
        .engine
        .update_tag(
            second.id,
            TagPatch {
                name: Some("Vip".into()),
                color: None,
            },
        )
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Conflict,
        "renaming onto another tag's name"
    );
    let renamed = s
        .engine
        .update_tag(
            vip.id,
            TagPatch {
                name: Some("vip".into()),
                color: Some("#000000".into()),
            },
        )
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.color.as_str()),
        ("vip", "#000000"),
        "a tag may change its own case"
    );

    let c = s
        .engine
        .create_contact(new("+14155550132", "Rosa"))
        .unwrap();
    s.engine.tag_contact(c.id, vip.id).unwrap();
    assert_eq!(
        s.engine
            .tags()
            .unwrap()
            .iter()
            .find(|t| t.id == vip.id)
            .unwrap()
            .contact_count,
        1
    );
    s.engine.delete_tag(vip.id).unwrap();
    assert!(
        s.engine.contact(c.id).unwrap().tags.is_empty(),
        "the contact loses the deleted tag"
    );
    assert_eq!(
        s.engine.delete_tag(vip.id).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn bulk_actions_by_ids_and_by_filter() {
    let s = setup();
    let people = seed_people(&s.engine);
    let tag = s
        .engine
        .create_tag(TagInput {
            name: "Spring".into(),
            color: None,
        })
        .unwrap();
    let ids: Vec<i64> = people[..3].iter().map(|c| c.id).collect();
    let bulk = |ids: Option<Vec<i64>>, filter: Option<ContactFilter>, action, tag_id| {
        s.engine.bulk_contacts(BulkRequest {
            ids,
            filter,
            action,
            tag_id,
        })
    };
    let out = bulk(Some(ids.clone()), None, BulkAction::Tag, Some(tag.id)).unwrap();
    assert_eq!((out.matched, out.changed), (3, 3));
    let again = bulk(Some(ids.clone()), None, BulkAction::Tag, Some(tag.id)).unwrap();
    assert_eq!(again.changed, 0, "tagging tagged contacts changes nothing");
    let tagged = ContactFilter {
        tags: vec![tag.id],
        ..Default::default()
    };
    assert_eq!(s.engine.count_contacts(&tagged).unwrap(), 3);

    let out = bulk(None, Some(tagged.clone()), BulkAction::OptOut, None).unwrap();
    assert_eq!(out.changed, 3);
    assert_eq!(
        s.engine
            .count_contacts(&ContactFilter {
                opted_out: Some(true),
                ..Default::default()
            })
            .unwrap(),
        3
    );
    bulk(None, Some(q("rosa")), BulkAction::Untag, Some(tag.id)).unwrap();
    assert_eq!(s.engine.count_contacts(&tagged).unwrap(), 2);

    let err = bulk(Some(ids.clone()), None, BulkAction::Tag, Some(999)).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = bulk(Some(ids.clone()), None, BulkAction::Tag, None).unwrap_err();
    assert_eq!(err.details[0].field, "tagId");
    assert!(bulk(
        Some(ids.clone()),
        Some(ContactFilter::default()),
        BulkAction::OptIn,
        None
    )
    .is_err());

    let out = bulk(None, Some(tagged), BulkAction::Delete, None).unwrap();
    assert_eq!(out.matched, 2);
    assert_eq!(all(&s.engine).len(), 3);
}

#[test]
fn a_failing_bulk_action_changes_nothing() {
    let s = setup();
    let people = seed_people(&s.engine);
    // A trigger that fails on the third contact proves the action is one transaction.
    s.engine
        .db()
        .with(|c| {
            c.execute_batch(&format!(
                "CREATE TRIGGER boom BEFORE UPDATE OF opted_out ON contacts WHEN new.id = {}
                 BEGIN SELECT RAISE(ABORT, 'boom'); END;",
                people[2].id
            ))?;
            Ok(())
        })
        .unwrap();
    let ids = people.iter().map(|c| c.id).collect();
    let result = s.engine.bulk_contacts(BulkRequest {
        ids: Some(ids),
        filter: None,
        action: BulkAction::OptOut,
        tag_id: None,
    });
    assert!(result.is_err(), "the trigger makes the third update fail");
    let opted = ContactFilter {
        opted_out: Some(true),
        ..Default::default()
    };
    assert_eq!(
        s.engine.count_contacts(&opted).unwrap(),
        0,
        "the first two are rolled back too"
    );
}

// ---------------------------------------------------------------------------------------------
// Import: dialects

fn import(engine: &Engine, bytes: &[u8], format: Option<ImportFormat>) -> ImportReport {
    engine
        .import_contacts(
            bytes,
            &ImportOptions {
                format,
                ..Default::default()
            },
        )
        .unwrap()
}

fn by_phone<'a>(contacts: &'a [Contact], phone: &str) -> &'a Contact {
    contacts
        .iter()
        .find(|c| c.phone_number.as_deref() == Some(phone))
        .unwrap_or_else(|| panic!("{phone} was not imported"))
}

fn tag_names(c: &Contact) -> Vec<&str> {
    c.tags.iter().map(|t| t.name.as_str()).collect()
}

#[test]
fn csv_dialects_import_the_same_contacts() {
    let expected_rosa = |contacts: &[Contact], dialect: &str| {
        let rosa = by_phone(contacts, "+14155550132");
        assert_eq!(rosa.name, "Rosa Martínez", "{dialect}");
        assert_eq!(tag_names(rosa), ["VIP", "Wholesale"], "{dialect}");
        assert_eq!(rosa.source, "import", "{dialect}");
    };
    let latin1: Vec<u8> =
        b"name;phone;tags\nRosa Mart\xEDnez;(415) 555-0132;VIP, Wholesale\nBob;+44 7400 123456;\n"
            .to_vec();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("comma", b"name,phone,tags\nRosa Mart\xC3\xADnez,(415) 555-0132,VIP;Wholesale\nBob,+44 7400 123456,\n".to_vec()),
        ("semicolon", "Name;Phone;Tags\n\"Rosa Martínez\";415-555-0132;\"VIP, Wholesale\"\nBob;+447400123456;\n".into()),
        ("tab", "name\tmobile\tlabels\nRosa Martínez\t4155550132\tVIP;Wholesale\nBob\t+44 7400 123456\t\n".into()),
        ("bom crlf", "\u{feff}phone,name,tags\r\n+14155550132,Rosa Martínez,VIP;Wholesale\r\n+447400123456,Bob,\r\n".into()),
        ("latin-1", latin1),
    ];
    for (dialect, bytes) in cases {
        let s = setup();
        let report = import(&s.engine, &bytes, None);
        assert_eq!(
            (report.imported, report.rejected),
            (2, 0),
            "{dialect}: {:?}",
            report.errors
        );
        let contacts = all(&s.engine);
        expected_rosa(&contacts, dialect);
        assert_eq!(
            by_phone(&contacts, "+447400123456").name,
            "Bob",
            "{dialect}"
        );
    }
}

#[test]
fn quoted_fields_keep_delimiters_quotes_and_newlines() {
    let s = setup();
    let csv = "name,phone,notes\n\"Stone, Bob\",+14155550100,\"line one\nline \"\"two\"\"\"\nAna,+5511912345678,plain\n";
    let report = import(&s.engine, csv.as_bytes(), None);
    assert_eq!(report.imported, 2);
    let contacts = all(&s.engine);
    let bob = by_phone(&contacts, "+14155550100");
    assert_eq!(bob.name, "Stone, Bob");
    assert_eq!(bob.notes, "line one\nline \"two\"");
    assert_eq!(
        report.preview[1].line, 4,
        "Ana's row starts on line 4, after the two-line note"
    );
}

#[test]
fn google_contacts_export_prefers_the_mobile_number() {
    let s = setup();
    let csv = "Name,Given Name,Additional Name,Family Name,Notes,Group Membership,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value\n\
               Ana Silva,Ana,,Silva,met at fair,* myContacts ::: Clients,* Home,ana@example.com,Work,+55 11 3333-4444,Mobile,+55 11 91234-5678\n\
               ,Bob,,Stone,,* myContacts,,,Mobile,(415) 555-0100,,\n";
    let report = import(&s.engine, csv.as_bytes(), None);
    assert_eq!(
        (report.imported, report.rejected),
        (2, 0),
        "{:?}",
        report.errors
    );
    let contacts = all(&s.engine);
    let ana = by_phone(&contacts, "+5511912345678");
    assert_eq!(
        (ana.name.as_str(), ana.email.as_str(), ana.notes.as_str()),
        ("Ana Silva", "ana@example.com", "met at fair")
    );
    assert_eq!(
        tag_names(ana),
        ["Clients"],
        "Google's system group is not a tag"
    );
    assert_eq!(
        by_phone(&contacts, "+14155550100").name,
        "Bob Stone",
        "given + family name"
    );
    let mapped: Vec<(String, Option<String>)> = report
        .columns
        .iter()
        .map(|c| (c.column.clone(), c.field.clone()))
        .collect();
    assert!(mapped.contains(&("Phone 2 - Value".into(), Some("phone".into()))));
    assert!(mapped.contains(&("Group Membership".into(), Some("tags".into()))));
}

#[test]
fn outlook_export_uses_first_and_last_name_and_mobile_phone() {
    let s = setup();
    let csv = "First Name,Middle Name,Last Name,Business Phone,Home Phone,Mobile Phone,E-mail Address,Notes,Categories\n\
               Jürgen,,Müller,+49 30 1234567,,+49 171 2345678,j@example.de,,Wholesale;VIP\n\
               Carla,,Reyes,(415) 555-0177,,,,,\n";
    let report = import(&s.engine, csv.as_bytes(), None);
    assert_eq!(
        (report.imported, report.rejected),
        (2, 0),
        "{:?}",
        report.errors
    );
    let contacts = all(&s.engine);
    let j = by_phone(&contacts, "+491712345678");
    assert_eq!(
        (j.name.as_str(), j.email.as_str()),
        ("Jürgen Müller", "j@example.de")
    );
    assert_eq!(tag_names(j), ["VIP", "Wholesale"]);
    assert_eq!(
        by_phone(&contacts, "+14155550177").name,
        "Carla Reyes",
        "the business phone when there is no mobile"
    );
}

#[test]
fn explicit_mapping_and_files_without_a_header() {
    let s = setup();
    let csv = "Wer,Nummer,Stadt\nRosa,4155550132,Lisbon\n";
    let options = ImportOptions {
        mapping: Some(
            [
                ("name", "Wer"),
                ("phone", "Nummer"),
                ("field:city", "Stadt"),
            ]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        ),
        ..Default::default()
    };
    s.engine.import_contacts(csv.as_bytes(), &options).unwrap();
    let rosa = by_phone(&all(&s.engine), "+14155550132").clone();
    assert_eq!(rosa.fields.get("city").map(String::as_str), Some("Lisbon"));

    let headerless = "+5511912345678,Ana\n+447400123456,Bob\n";
    let report = import(&s.engine, headerless.as_bytes(), None);
    assert_eq!(
        report.imported, 2,
        "the first row is data when no header names a phone"
    );
    assert_eq!(by_phone(&all(&s.engine), "+5511912345678").name, "Ana");

    let err = s
        .engine
        .import_contacts(b"name,city\nRosa,Lisbon\n", &ImportOptions::default())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ValidationFailed);
    assert!(
        err.message.contains("No column holds phone numbers"),
        "{}",
        err.message
    );
}

#[test]
fn vcards_3_and_4_pick_the_mobile_number() {
    let s = setup();
    let vcf = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Silva\r\nN:Silva;Ana;;;\r\nTEL;TYPE=WORK,VOICE:+55 11 3333-4444\r\n\
               TEL;TYPE=CELL:+55 11 91234-5678\r\nEMAIL;TYPE=INTERNET:ana@example.com\r\nCATEGORIES:Clients,VIP\r\n\
               NOTE:first line\\nsecond\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bob Stone\r\nTEL;VALUE=uri;TYPE=\"voice,home\":tel:+1-415-555-0111\r\n\
               TEL;VALUE=uri;TYPE=\"cell,voice\";PREF=1:tel:+1-415-555-0100\r\nEND:VCARD\r\n\
               BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Number\r\nEND:VCARD\r\n";
    let report = import(&s.engine, vcf.as_bytes(), None);
    assert_eq!(report.format, ImportFormat::Vcf, "sniffed from BEGIN:VCARD");
    assert_eq!((report.imported, report.rejected), (2, 1));
    assert_eq!(
        (report.errors[0].line, report.errors[0].code),
        (17, Reason::NoPhone)
    );
    let contacts = all(&s.engine);
    let ana = by_phone(&contacts, "+5511912345678");
    assert_eq!(
        (ana.email.as_str(), ana.notes.as_str()),
        ("ana@example.com", "first line\nsecond")
    );
    assert_eq!(tag_names(ana), ["Clients", "VIP"]);
    assert_eq!(by_phone(&contacts, "+14155550100").name, "Bob Stone");
}

#[test]
fn json_lists_and_objects() {
    let s = setup();
    let json = r##"[{"phoneNumber": "+14155550132", "name": "Rosa", "tags": ["VIP", {"name": "Red", "color": "#ff0000"}],
                    "fields": {"city": "Lisbon", "orders": 3}, "optedOut": true},
                   {"phone": 14155550100, "name": "Bob"},
                   "not a contact",
                   {"phoneNumber": "+14155550199", "name": ["x"]}]"##;
    let report = import(&s.engine, json.as_bytes(), None);
    assert_eq!((report.imported, report.rejected), (2, 2));
    assert_eq!(
        report
            .errors
            .iter()
            .map(|e| (e.line, e.code))
            .collect::<Vec<_>>(),
        [(3, Reason::InvalidRecord), (4, Reason::InvalidRecord)]
    );
    let contacts = all(&s.engine);
    let rosa = by_phone(&contacts, "+14155550132");
    assert!(rosa.opted_out && rosa.opted_out_at.is_some());
    assert_eq!(rosa.fields.get("orders").map(String::as_str), Some("3"));
    assert_eq!(
        rosa.tags.iter().find(|t| t.name == "Red").unwrap().color,
        "#ff0000",
        "the file's colour is kept"
    );
    let err = s
        .engine
        .import_contacts(b"{\"contacts\": [", &ImportOptions::default())
        .unwrap_err();
    assert!(err.message.contains("not valid JSON"), "{}", err.message);
}

// ---------------------------------------------------------------------------------------------
// Import: every rejection reason

#[test]
fn each_bad_row_is_rejected_with_its_line_and_reason() {
    let long = "x".repeat(1001);
    let cases: Vec<(&str, Vec<u8>, usize, Reason)> = vec![
        ("no phone", b"name,phone\nRosa,\n".to_vec(), 2, Reason::NoPhone),
        ("unparseable phone", b"name,phone\nRosa,call me maybe\n".to_vec(), 2, Reason::UnparseablePhone),
        ("invalid phone", b"name,phone\nRosa,+1 555\n".to_vec(), 2, Reason::InvalidPhone),
        ("duplicate in file", b"name,phone\nRosa,+14155550132\nAna,+5511912345678\nRosa again,(415) 555-0132\n".to_vec(), 4, Reason::DuplicateInFile),
        ("bad encoding", b"name,phone\nJos\xC3\xA9,+14155550100\nZo\xC3\xAB,+14155550101\nBad \xE9,+14155550102\n".to_vec(), 4, Reason::BadEncoding),
        ("too-long field", format!("name,phone\n{long},+14155550100\n").into_bytes(), 2, Reason::FieldTooLong),
        ("broken quoting", b"name,phone\n\"Rosa,+14155550100\nAna,+5511912345678\n".to_vec(), 2, Reason::BrokenQuoting),
        ("text after quote", b"name,phone\n\"Rosa\" M,+14155550100\nAna,+5511912345678\n".to_vec(), 2, Reason::BrokenQuoting),
        ("too many columns", b"name,phone\nRosa,+14155550100,extra\n".to_vec(), 2, Reason::TooManyColumns),
        ("invalid e-mail", b"name,phone,email\nRosa,+14155550100,rosa-at-example\n".to_vec(), 2, Reason::InvalidEmail),
        ("invalid tag", format!("name,phone,tags\nRosa,+14155550100,{}\n", "t".repeat(41)).into_bytes(), 2, Reason::InvalidTag),
        ("opted out not yes/no", b"name,phone,optedOut\nRosa,+14155550100,maybe\n".to_vec(), 2, Reason::InvalidField),
    ];
    for (what, bytes, line, code) in cases {
        let s = setup();
        let report = import(&s.engine, &bytes, None);
        assert_eq!(
            report.rejected, 1,
            "{what}: exactly one row is rejected: {:?}",
            report.errors
        );
        let error = &report.errors[0];
        assert_eq!(
            (error.line, error.code),
            (line, code),
            "{what}: {}",
            error.reason
        );
        assert!(!error.reason.is_empty());
        let stored = all(&s.engine).len();
        assert_eq!(
            stored,
            report.rows - 1,
            "{what}: every other row is imported"
        );
    }
}

#[test]
fn files_that_cannot_be_read_are_clear_errors_not_crashes() {
    let s = setup();
    // Random bytes (a fixed xorshift sequence, so the test is repeatable).
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let random: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    for format in [
        None,
        Some(ImportFormat::Csv),
        Some(ImportFormat::Vcf),
        Some(ImportFormat::Json),
    ] {
        let result = s.engine.import_contacts(
            &random,
            &ImportOptions {
                format,
                dry_run: true,
                ..Default::default()
            },
        );
        match result {
            Err(e) => assert_eq!(
                e.code,
                ErrorCode::ValidationFailed,
                "{format:?}: {}",
                e.message
            ),
            Ok(report) => assert_eq!(report.imported, 0, "{format:?}"),
        }
    }
    let err = s
        .engine
        .import_contacts(b"   \n", &ImportOptions::default())
        .unwrap_err();
    assert!(err.message.contains("empty"));
    let too_big = vec![b'a'; whatsflow_engine::import::MAX_IMPORT_BYTES + 1];
    assert_eq!(
        s.engine
            .import_contacts(&too_big, &ImportOptions::default())
            .unwrap_err()
            .code,
        ErrorCode::PayloadTooLarge
    );
    let err = s
        .engine
        .import_contacts(
            b"PK\x03\x04\x14\x00\x00\x00binary",
            &ImportOptions::default(),
        )
        .unwrap_err();
    assert!(err.message.contains("not a text file"), "{}", err.message);
}

#[test]
fn a_50_mb_csv_gives_a_report() {
    let s = setup();
    // 50 MB of rows whose notes are too long, ending in one good row: all read, none hangs.
    let mut csv = b"name,phone,notes\n".to_vec();
    let notes = "n".repeat(5_100);
    let mut i = 0u64;
    while csv.len() < 50 * 1024 * 1024 {
        csv.extend_from_slice(format!("P{i},+1415555{:04},{notes}\n", i % 10_000).as_bytes());
        i += 1;
    }
    csv.extend_from_slice(b"Last,+5511912345678,ok\n");
    let report = s
        .engine
        .import_contacts(
            &csv,
            &ImportOptions {
                dry_run: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(report.rows as u64, i + 1);
    assert_eq!(report.rejected as u64, i);
    assert_eq!(report.imported, 1);
    assert!(report.errors.iter().all(|e| e.code == Reason::FieldTooLong));
}

// ---------------------------------------------------------------------------------------------
// Import: dedupe, dry run, one transaction

#[test]
fn dedupe_modes_skip_fill_and_overwrite() {
    let s = setup();
    let vip = s
        .engine
        .create_tag(TagInput {
            name: "VIP".into(),
            color: None,
        })
        .unwrap();
    let rosa = s
        .engine
        .create_contact(NewContact {
            notes: "keep".into(),
            tags: vec![TagRef::Id(vip.id)],
            ..new("+14155550132", "")
        })
        .unwrap();
    let csv = b"phone,name,notes,email,tags\n+14155550132,Rosa,from file,rosa@example.com,New\n";
    let run = |dedupe| {
        s.engine
            .import_contacts(
                csv,
                &ImportOptions {
                    dedupe,
                    ..Default::default()
                },
            )
            .unwrap()
    };
    let skip = run(DedupeMode::Skip);
    assert_eq!((skip.imported, skip.updated, skip.skipped), (0, 0, 1));
    assert_eq!(s.engine.contact(rosa.id).unwrap().name, "");

    let fill = run(DedupeMode::Fill);
    assert_eq!(fill.updated, 1);
    let filled = s.engine.contact(rosa.id).unwrap();
    assert_eq!(
        (
            filled.name.as_str(),
            filled.notes.as_str(),
            filled.email.as_str()
        ),
        ("Rosa", "keep", "rosa@example.com")
    );
    assert_eq!(tag_names(&filled), ["New", "VIP"], "fill adds tags");
    assert_eq!(
        run(DedupeMode::Fill).skipped,
        1,
        "filling again changes nothing"
    );

    let over = run(DedupeMode::Overwrite);
    assert_eq!(over.updated, 1);
    let overwritten = s.engine.contact(rosa.id).unwrap();
    assert_eq!(overwritten.notes, "from file");
    assert_eq!(tag_names(&overwritten), ["New"], "overwrite replaces tags");
    assert_eq!(run(DedupeMode::Overwrite).skipped, 1);
}

#[test]
fn a_dry_run_writes_nothing_and_previews_the_rows() {
    let s = setup();
    let csv = b"name,phone,tags\nRosa,+14155550132,VIP\nNobody,,\n";
    let report = s
        .engine
        .import_contacts(
            csv,
            &ImportOptions {
                dry_run: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(report.dry_run);
    assert_eq!((report.imported, report.rejected), (1, 1));
    assert_eq!(report.tags_created, ["VIP"]);
    assert_eq!(report.preview.len(), 2);
    assert_eq!(report.preview[0].phone_number, "+14155550132");
    assert_eq!(report.delimiter.as_deref(), Some(","));
    assert!(all(&s.engine).is_empty(), "a dry run stores no contact");
    assert!(s.engine.tags().unwrap().is_empty(), "nor any tag");
    let real = import(&s.engine, csv, None);
    assert_eq!(
        real.counts(),
        report.counts(),
        "the dry run predicts the import"
    );
}

#[test]
fn an_import_that_fails_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A file database, so the trigger is seen by every pooled connection.
    let engine = Engine::open(whatsflow_engine::Options::new(
        dir.path(),
        Arc::new(ManualClock::new(1_700_000_000_000)),
    ))
    .unwrap();
    engine
        .db()
        .with(|c| {
            c.execute_batch(
                "CREATE TRIGGER boom BEFORE INSERT ON contacts WHEN new.name = 'Boom'
                 BEGIN SELECT RAISE(ABORT, 'boom'); END;",
            )?;
            Ok(())
        })
        .unwrap();
    let mut csv = String::from("name,phone,tags\n");
    for i in 0..100 {
        csv.push_str(&format!("P{i},+1415555{i:04},T\n"));
    }
    csv.push_str("Boom,+14155559999,T\n");
    let err = engine
        .import_contacts(csv.as_bytes(), &ImportOptions::default())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Internal);
    assert!(
        all(&engine).is_empty(),
        "none of the 100 rows before the failure stays"
    );
    assert!(
        engine.tags().unwrap().is_empty(),
        "nor the tag the import created"
    );
}

// ---------------------------------------------------------------------------------------------
// Export and round trips

/// Phone, name, e-mail, notes, "tag colour"s, custom fields, opted out.
type Essence = (
    Option<String>,
    String,
    String,
    String,
    Vec<String>,
    Vec<(String, String)>,
    bool,
);

/// What an export must carry over: everything the user owns about a contact.
fn essence(contacts: &[Contact]) -> Vec<Essence> {
    let mut out: Vec<_> = contacts
        .iter()
        .map(|c| {
            (
                c.phone_number.clone(),
                c.name.clone(),
                c.email.clone(),
                c.notes.clone(),
                c.tags
                    .iter()
                    .map(|t| format!("{} {}", t.name, t.color))
                    .collect(),
                c.fields.clone().into_iter().collect(),
                c.opted_out,
            )
        })
        .collect();
    out.sort();
    out
}

fn seed_rich(engine: &Engine) {
    let vip = engine
        .create_tag(TagInput {
            name: "VIP".into(),
            color: Some("#112233".into()),
        })
        .unwrap();
    engine
        .create_contact(NewContact {
            notes: "multi\nline, with \"quotes\"; and semicolons".into(),
            email: "rosa@example.com".into(),
            fields: [
                ("city".to_string(), "Lisbon".to_string()),
                ("orders".to_string(), "3".to_string()),
            ]
            .into(),
            tags: vec![TagRef::Id(vip.id), TagRef::Name("Wholesale".into())],
            ..new("+14155550132", "Rosa Martínez")
        })
        .unwrap();
    let bob = engine
        .create_contact(NewContact {
            fields: [("city".to_string(), "Porto".to_string())].into(),
            ..new("+447400123456", "Bob")
        })
        .unwrap();
    engine.set_opted_out(bob.id, true).unwrap();
    engine.create_contact(new("+5511912345678", "")).unwrap();
}

#[test]
fn export_then_import_round_trips_to_identical_contacts() {
    for format in [ExportFormat::Csv, ExportFormat::Json] {
        let source = setup();
        seed_rich(&source.engine);
        let file = source
            .engine
            .export_contacts(&ContactFilter::default(), format)
            .unwrap();
        assert_eq!(file.count, 3);

        // Into an empty installation that already has the tags (CSV carries names, not colours).
        let target = setup();
        for t in source.engine.tags().unwrap() {
            target
                .engine
                .create_tag(TagInput {
                    name: t.name,
                    color: Some(t.color),
                })
                .unwrap();
        }
        let report = import(&target.engine, &file.body, None);
        assert_eq!(
            (report.imported, report.rejected),
            (3, 0),
            "{format:?}: {:?}",
            report.errors
        );
        assert_eq!(
            essence(&all(&target.engine)),
            essence(&all(&source.engine)),
            "{format:?}"
        );

        // Into the same installation: nothing changes, whatever the dedupe mode.
        let before = all(&source.engine);
        for dedupe in [DedupeMode::Skip, DedupeMode::Fill, DedupeMode::Overwrite] {
            let again = source
                .engine
                .import_contacts(
                    &file.body,
                    &ImportOptions {
                        dedupe,
                        ..Default::default()
                    },
                )
                .unwrap();
            assert_eq!(
                (again.imported, again.updated, again.skipped),
                (0, 0, 3),
                "{format:?} {dedupe:?}"
            );
        }
        assert_eq!(
            all(&source.engine),
            before,
            "{format:?}: re-importing an export changes nothing"
        );
    }
}

#[test]
fn json_export_carries_tag_colours_into_a_new_installation() {
    let source = setup();
    seed_rich(&source.engine);
    let file = source
        .engine
        .export_contacts(&ContactFilter::default(), ExportFormat::Json)
        .unwrap();
    let target = setup();
    import(&target.engine, &file.body, Some(ImportFormat::Json));
    assert_eq!(essence(&all(&target.engine)), essence(&all(&source.engine)));
}

#[test]
fn export_of_a_filter_has_only_those_contacts() {
    let s = setup();
    seed_rich(&s.engine);
    let vip = s
        .engine
        .tags()
        .unwrap()
        .into_iter()
        .find(|t| t.name == "VIP")
        .unwrap();
    let filter = ContactFilter {
        tags: vec![vip.id],
        ..Default::default()
    };
    let file = s
        .engine
        .export_contacts(&filter, ExportFormat::Csv)
        .unwrap();
    let text = String::from_utf8(file.body).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "a BOM so spreadsheets read UTF-8"
    );
    assert_eq!(file.count, 1);
    assert_eq!(
        text.lines().next().unwrap(),
        "\u{feff}phoneNumber,name,email,notes,tags,optedOut,pushName,waId,field:city,field:orders"
    );
    assert!(text.contains("VIP; Wholesale"));
    assert!(file.filename.ends_with(".csv"));
}
