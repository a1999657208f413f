//! Contacts: the people the business talks to. Created from conversations, by hand, by import or by
//! the API; phone numbers are E.164. Listing (search, filters, keyset pages), editing, deleting with
//! the contact's messages and media, tagging one or many, and opting out. The fields' checks are in
//! `fields`, the list's cursors in `cursor`, actions on many contacts at once in `bulk`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Checks, Error, ErrorCode, Result};
use crate::events::Event;
use crate::page::Page;
use crate::{phone, store, Engine};

mod bulk;
mod cursor;
mod fields;

pub use bulk::{BulkAction, BulkOutcome, BulkRequest};
pub(crate) use cursor::SortKey;
use cursor::{decode_cursor, encode_cursor};
pub use fields::phone_display;
use fields::validate_fields;
pub(crate) use fields::{clean_custom_fields, email_problem, ContactFields};

/// Longest name, e-mail, custom field value (characters). Import rejects longer fields with the
/// same limits, so whatever is exported can be imported again.
pub const MAX_FIELD_CHARS: usize = 1000;
/// Longest notes (characters).
pub const MAX_NOTES_CHARS: usize = 5000;
/// Most custom fields on one contact.
pub const MAX_CUSTOM_FIELDS: usize = 50;
/// Longest custom field name.
pub const MAX_FIELD_NAME_CHARS: usize = 64;

/// A label on contacts, for filters and campaign audiences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// The tag's row id.
    pub id: i64,
    /// Its name, unique regardless of case.
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
}

/// Someone the business talks to, with their conversation's figures and tags.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// The contact's row id.
    pub id: i64,
    /// E.164; null for a WhatsApp user known only by a hidden `@lid` id.
    pub phone_number: Option<String>,
    /// The number as people read it: national format for a number of the business's country
    /// (`(415) 555-0132`), international otherwise (`+55 11 91234-5678`).
    pub phone_display: Option<String>,
    /// WhatsApp's id for the person: `<digits>@c.us` or `<n>@lid`; null until they wrote or were
    /// written to.
    pub wa_id: Option<String>,
    /// What to call the contact everywhere (see [`display_name`]).
    pub display_name: String,
    /// The name the business saved for them.
    pub name: String,
    /// The name the person gave themselves in WhatsApp.
    pub push_name: String,
    /// Their e-mail address, if known.
    pub email: String,
    /// The business's notes about them.
    pub notes: String,
    /// Custom fields (used in campaign personalisation as `{{field}}`).
    pub fields: BTreeMap<String, String>,
    /// Whether they asked to get no campaigns.
    pub opted_out: bool,
    /// When the contact opted out (null when they have not).
    pub opted_out_at: Option<String>,
    /// manual | conversation | import | api
    pub source: String,
    /// Their first message either way (RFC 3339).
    pub first_message_at: Option<String>,
    /// Their latest message either way (RFC 3339), which orders the inbox.
    pub last_message_at: Option<String>,
    /// Messages they sent.
    pub messages_in: i64,
    /// Messages sent to them.
    pub messages_out: i64,
    /// Their messages not yet read in WhatsFlow.
    pub unread_count: i64,
    /// Their tags.
    pub tags: Vec<Tag>,
    /// When the contact was created (RFC 3339).
    pub created_at: String,
    /// When it was last changed (RFC 3339).
    pub updated_at: String,
}

/// What to call a contact, the one rule for every screen, list and message: their saved name, else
/// the name they gave themselves in WhatsApp, else their number as people read it (`phone`, the
/// formatted number where there is one), else WhatsApp's id for them. Names are trimmed, and one of
/// only spaces counts as none. The name order of contact lists sorts by the same fields in the same
/// order (`store::contacts`, with the number in E.164).
pub fn display_name(
    name: &str,
    push_name: &str,
    phone: Option<&str>,
    wa_id: Option<&str>,
) -> String {
    [name, push_name]
        .into_iter()
        .map(str::trim)
        .chain(phone)
        .chain(wa_id)
        .find(|s| !s.is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// How several tags combine in a filter.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TagMode {
    /// Contacts with at least one of the tags.
    #[default]
    Any,
    /// Contacts with every one of the tags.
    All,
}

/// Which contacts a list, an export or a bulk action is about. Empty means all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ContactFilter {
    /// Words searched in name, WhatsApp name, phone, e-mail and notes; digits match anywhere in
    /// the number ("5550" finds +14155550132).
    pub q: Option<String>,
    /// Tag ids.
    pub tags: Vec<i64>,
    /// Whether contacts need any or all of `tags`.
    pub tag_mode: TagMode,
    /// Only opted-out contacts (true) or only the others (false).
    pub opted_out: Option<bool>,
    /// manual | conversation | import | api
    pub source: Option<String>,
}

/// What a contact list is ordered by.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum SortField {
    /// The name shown: saved name, else WhatsApp name, else number.
    #[default]
    Name,
    /// Latest conversation first when descending; contacts never written to come last.
    LastMessageAt,
    /// When the contact was created.
    CreatedAt,
}

/// Which way a contact list runs.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// A to Z, oldest first.
    #[default]
    Asc,
    /// Z to A, newest first.
    Desc,
}

/// The order of a contact list; ties are broken by id so pages never overlap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContactSort {
    /// What to order by.
    pub field: SortField,
    /// Which way.
    pub order: SortOrder,
}

/// A tag given by id, or by name (created when missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum TagRef {
    /// An existing tag's id.
    Id(i64),
    /// A tag's name, matched regardless of case.
    Name(String),
}

/// A new contact.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct NewContact {
    /// Any common format; numbers without a country code are read in the business's country.
    pub phone_number: String,
    /// The name the business saves for them.
    pub name: String,
    /// Their e-mail address, checked loosely.
    pub email: String,
    /// Notes about them.
    pub notes: String,
    /// Custom fields by name (for campaign personalisation).
    pub fields: BTreeMap<String, String>,
    /// Tag ids or names; names that do not exist yet are created.
    pub tags: Vec<TagRef>,
    /// Whether they asked to get no campaigns.
    pub opted_out: bool,
    /// Who adds it, which becomes its source; set by the API from its caller, never read from
    /// the request.
    #[serde(skip)]
    #[schemars(skip)]
    pub added_by: AddedBy,
}

/// Who adds a contact by hand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AddedBy {
    /// Someone in the app (source `manual`).
    #[default]
    App,
    /// A script through the REST API with an API key (source `api`).
    ApiKey,
}

impl AddedBy {
    /// The contact's `source`.
    fn source(self) -> &'static str {
        match self {
            AddedBy::App => "manual",
            AddedBy::ApiKey => "api",
        }
    }
}

/// Changes to a contact; fields left out stay as they are.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ContactPatch {
    /// A new number; it must belong to no other contact.
    pub phone_number: Option<String>,
    /// A new saved name.
    pub name: Option<String>,
    /// A new e-mail address.
    pub email: Option<String>,
    /// New notes.
    pub notes: Option<String>,
    /// Replaces every custom field.
    pub fields: Option<BTreeMap<String, String>>,
    /// Replaces every tag.
    pub tags: Option<Vec<TagRef>>,
    /// Opt the contact out of campaigns, or back in.
    pub opted_out: Option<bool>,
}

fn conflict_for_phone(phone: &str, owner: &store::contacts::PhoneOwner) -> Error {
    // Named when they have a name: the number itself is in the sentence already.
    let existing_name = display_name(&owner.name, &owner.push_name, None, None);
    let who = if existing_name.is_empty() {
        String::new()
    } else {
        format!(" ({existing_name})")
    };
    let mut err = Error::new(
        ErrorCode::Conflict,
        format!("A contact with the number {phone} already exists{who}"),
    );
    err.details.push(crate::FieldError {
        field: "phoneNumber".into(),
        message: format!("{phone} already belongs to another contact{who}"),
    });
    err
}

impl Engine {
    /// One contact by its row id, as presented everywhere.
    pub fn contact(&self, id: i64) -> Result<Contact> {
        self.db().with(|c| contact_on(c, id))
    }

    /// Fills in what is derived for display (the formatted number).
    fn present(&self, contacts: &mut [Contact]) -> Result<()> {
        self.db().with(|c| present_on(c, contacts))
    }
}

/// A contact as presented, read on `conn` (inside the transaction that just changed it).
pub(crate) fn contact_on(conn: &rusqlite::Connection, id: i64) -> Result<Contact> {
    let mut contact = saved_contact(conn, id)?;
    present_on(conn, std::slice::from_mut(&mut contact))?;
    Ok(contact)
}

/// Contacts as presented, read on `conn` (inside the transaction that just changed them).
pub(crate) fn contacts_on(conn: &rusqlite::Connection, ids: &[i64]) -> Result<Vec<Contact>> {
    let mut contacts = ids
        .iter()
        .map(|&id| saved_contact(conn, id))
        .collect::<Result<Vec<_>>>()?;
    present_on(conn, &mut contacts)?;
    Ok(contacts)
}

/// Fills in what is derived for display (the formatted number), reading the region on `conn`.
fn present_on(conn: &rusqlite::Connection, contacts: &mut [Contact]) -> Result<()> {
    let region = crate::profile::region_on(conn)?;
    for contact in contacts {
        contact.phone_display = contact
            .phone_number
            .as_deref()
            .map(|p| phone_display(p, region));
        contact.display_name = display_name(
            &contact.name,
            &contact.push_name,
            contact.phone_display.as_deref(),
            contact.wa_id.as_deref(),
        );
    }
    Ok(())
}

impl Engine {
    /// A page of contacts matching `filter` in `sort` order, starting after `cursor`.
    pub fn contacts(
        &self,
        filter: &ContactFilter,
        sort: ContactSort,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Contact>> {
        let after = cursor
            .filter(|c| !c.is_empty())
            .map(|c| decode_cursor(c, sort.field))
            .transpose()?;
        let limit = limit.clamp(1, 1000);
        let rows = self.db().with(|c| {
            store::contacts::list(
                c,
                self.db().name_order(),
                filter,
                sort,
                after.as_ref(),
                limit + 1,
            )
        })?;
        let mut page =
            Page::from_overfetch(rows, limit, |(contact, key)| encode_cursor(key, contact.id))
                .map(|(contact, _)| contact);
        self.present(&mut page.items)?;
        Ok(page)
    }

    /// How many contacts match `filter` (the table's total).
    pub fn count_contacts(&self, filter: &ContactFilter) -> Result<u64> {
        self.db().with(|c| store::contacts::count(c, filter))
    }

    /// Normalises a phone number typed by a person, with the business's country as default region.
    pub fn normalize_phone(&self, text: &str) -> Result<String> {
        let region = self.default_region()?;
        phone::normalize(text, region).map_err(|e| {
            let message = match e {
                phone::PhoneError::Empty => "Enter a phone number".to_owned(),
                phone::PhoneError::Unparseable => {
                    format!("\"{}\" is not a phone number", text.trim())
                }
                phone::PhoneError::Invalid => format!(
                    "\"{}\" is not a valid phone number{}",
                    text.trim(),
                    if region.is_some() {
                        ""
                    } else {
                        " (add the country code, e.g. +1)"
                    }
                ),
            };
            Error::invalid_field("phoneNumber", message)
        })
    }

    /// Creates a contact by hand (or through the API). A number that already belongs to a contact is
    /// a conflict naming that contact.
    pub fn create_contact(&self, input: NewContact) -> Result<Contact> {
        let fields = self.checked_fields(&input)?;
        let now = self.now();
        self.write(|tx| {
            let phone = fields.phone_number.as_deref().unwrap_or_default();
            if let Some(owner) = store::contacts::find_by_phone(tx, phone)? {
                return Err(conflict_for_phone(phone, &owner));
            }
            let id = store::contacts::insert(tx, &fields, input.added_by.source(), now)?;
            let (tag_ids, created) = resolve_tags(tx, &input.tags, now)?;
            store::contacts::set_tags(tx, id, &tag_ids, now)?;
            emit_tags_created(tx, created)?;
            let contact = contact_on(tx, id)?;
            tx.emit(Event::ContactCreated(contact.clone()));
            Ok(contact)
        })
    }

    /// Changes the given fields of a contact.
    pub fn update_contact(&self, id: i64, patch: ContactPatch) -> Result<Contact> {
        let current = self.contact(id)?;
        let mut checks = Checks::default();
        let phone = match &patch.phone_number {
            None => current.phone_number.clone(),
            // Clearing the number is allowed only for a contact WhatsApp knows by another id.
            Some(text) if text.trim().is_empty() && current.wa_id.is_some() => None,
            Some(text) => match self.normalize_phone(text) {
                Ok(p) => Some(p),
                Err(e) => {
                    for d in e.details {
                        checks.fail(&d.field, d.message);
                    }
                    current.phone_number.clone()
                }
            },
        };
        // A field left out keeps its value; one given is trimmed.
        let text = |given: &Option<String>, kept: &str| {
            given.as_deref().map(str::trim).unwrap_or(kept).to_owned()
        };
        let fields = ContactFields {
            phone_number: phone,
            name: text(&patch.name, &current.name),
            email: text(&patch.email, &current.email),
            notes: text(&patch.notes, &current.notes),
            fields: patch
                .fields
                .as_ref()
                .map(clean_custom_fields)
                .unwrap_or(current.fields.clone()),
            opted_out: patch.opted_out.unwrap_or(current.opted_out),
        };
        validate_fields(&mut checks, &fields);
        checks.finish()?;
        let now = self.now();
        self.write(|tx| {
            if let Some(phone) = fields.phone_number.as_deref() {
                if let Some(owner) = store::contacts::find_by_phone(tx, phone)? {
                    if owner.id != id {
                        return Err(conflict_for_phone(phone, &owner));
                    }
                }
            }
            store::contacts::update(tx, id, &fields, now)?;
            let mut created = false;
            if let Some(tags) = &patch.tags {
                let (tag_ids, made) = resolve_tags(tx, tags, now)?;
                store::contacts::set_tags(tx, id, &tag_ids, now)?;
                created = made;
            }
            emit_tags_created(tx, created)?;
            let contact = contact_on(tx, id)?;
            if contact != current {
                tx.emit(Event::ContactUpdated(contact.clone()));
            }
            if contact.opted_out && !current.opted_out {
                tx.emit(Event::ContactOptedOut(contact.clone()));
            }
            Ok(contact)
        })
    }

    /// Opts a contact out of (or back into) campaigns.
    pub fn set_opted_out(&self, id: i64, opted_out: bool) -> Result<Contact> {
        self.update_contact(
            id,
            ContactPatch {
                opted_out: Some(opted_out),
                ..Default::default()
            },
        )
    }

    /// Deletes a contact with every message of theirs and the media files of those messages.
    pub fn delete_contact(&self, id: i64) -> Result<()> {
        let now = self.now();
        let media = self.write(|tx| {
            let media = store::contacts::media_paths(tx, &[id])?;
            if !store::contacts::delete(tx, &[id])? {
                return Err(Error::not_found("contact"));
            }
            // The id only: the audit log must not keep what was erased.
            store::audit::insert(
                tx,
                now,
                "user",
                "contact.erased",
                &serde_json::json!({ "contactId": id }),
            )?;
            tx.emit(Event::ContactDeleted { id });
            Ok(media)
        })?;
        self.remove_media(&media);
        Ok(())
    }

    /// Removes media files of deleted messages. The rows are gone already, so a file that cannot be
    /// removed is only logged: it is unreachable from the app either way.
    fn remove_media(&self, paths: &[String]) {
        let root = self.data_dir().join("media");
        for relative in paths {
            let path = std::path::Path::new(relative);
            // Only files inside data_dir/media, whatever a row says.
            let inside = path.starts_with("media")
                && path
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !inside {
                tracing::warn!(path = %relative, "not removing a media path outside the media folder");
                continue;
            }
            let absolute = self.data_dir().join(path);
            if !absolute.starts_with(&root) {
                continue;
            }
            match std::fs::remove_file(&absolute) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::warn!(error = %e, path = %absolute.display(), "could not remove media")
                }
            }
        }
    }

    /// Puts a tag on a contact (nothing happens when it is there already).
    pub fn tag_contact(&self, id: i64, tag_id: i64) -> Result<Contact> {
        self.set_tag(id, tag_id, true)
    }

    /// Takes a tag off a contact.
    pub fn untag_contact(&self, id: i64, tag_id: i64) -> Result<Contact> {
        self.set_tag(id, tag_id, false)
    }

    fn set_tag(&self, id: i64, tag_id: i64, on: bool) -> Result<Contact> {
        let now = self.now();
        self.write(|tx| {
            if on {
                store::tags::get(tx, tag_id)?.ok_or_else(|| Error::not_found("tag"))?;
            }
            if !store::contacts::exists(tx, id)? {
                return Err(Error::not_found("contact"));
            }
            let changed = if on {
                store::contacts::add_tag(tx, &[id], tag_id, now)?
            } else {
                store::contacts::remove_tag(tx, &[id], tag_id, now)?
            } > 0;
            let contact = contact_on(tx, id)?;
            if changed {
                tx.emit(Event::ContactUpdated(contact.clone()));
            }
            Ok(contact)
        })
    }

    pub(crate) fn emit_tags_changed(&self) -> Result<()> {
        let event = self.db().with(tags_changed)?;
        self.emit(event);
        Ok(())
    }
}

/// Every tag, as the `tags.changed` event carries them.
fn tags_changed(conn: &rusqlite::Connection) -> Result<Event> {
    let tags = store::tags::list(conn)?;
    Ok(Event::TagsChanged(
        tags.into_iter().map(|t| t.tag()).collect(),
    ))
}

/// Tells listeners about tags a contact's save created (before the contact's own event).
fn emit_tags_created(tx: &crate::Tx, created: bool) -> Result<()> {
    if created {
        tx.emit(tags_changed(tx)?);
    }
    Ok(())
}

/// The contact as stored after a save in the same transaction.
fn saved_contact(tx: &rusqlite::Connection, id: i64) -> Result<Contact> {
    store::contacts::get(tx, id)?.ok_or_else(|| Error::not_found("contact"))
}

/// Tag ids for a list of ids and names; names are matched case-insensitively and created when
/// missing. Returns the ids and whether any tag was created.
pub(crate) fn resolve_tags(
    conn: &rusqlite::Connection,
    refs: &[TagRef],
    now: crate::Millis,
) -> Result<(Vec<i64>, bool)> {
    let mut ids = Vec::new();
    let mut created = false;
    for r in refs {
        let id = match r {
            TagRef::Id(id) => {
                store::tags::get(conn, *id)?
                    .ok_or_else(|| {
                        Error::invalid_field("tags", format!("Tag {id} does not exist"))
                    })?
                    .id
            }
            TagRef::Name(name) => {
                let name =
                    crate::tags::checked_name(name).map_err(|m| Error::invalid_field("tags", m))?;
                match store::tags::find_by_name(conn, &name)? {
                    Some(tag) => tag.id,
                    None => {
                        created = true;
                        let color = crate::tags::default_color(store::tags::count(conn)?);
                        store::tags::insert(conn, &name, &color, now)?
                    }
                }
            }
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok((ids, created))
}
