//! Contacts: the people the business talks to. Created from conversations, by hand, by import or by
//! the API; phone numbers are E.164. Listing (search, filters, keyset pages), editing, deleting with
//! the contact's messages and media, tagging one or many, and opting out.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Checks, Error, ErrorCode, Result};
use crate::events::Event;
use crate::page::Page;
use crate::{phone, store, Engine};

/// Longest name, e-mail, custom field value (characters). Import rejects longer fields with the
/// same limits, so whatever is exported can be imported again.
pub const MAX_FIELD_CHARS: usize = 1000;
/// Longest notes (characters).
pub const MAX_NOTES_CHARS: usize = 5000;
/// Most custom fields on one contact.
pub const MAX_CUSTOM_FIELDS: usize = 50;
/// Longest custom field name.
pub const MAX_FIELD_NAME_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    pub id: i64,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
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
    pub name: String,
    /// The name the person gave themselves in WhatsApp.
    pub push_name: String,
    pub email: String,
    pub notes: String,
    /// Custom fields (used in campaign personalisation as `{{field}}`).
    pub fields: BTreeMap<String, String>,
    pub opted_out: bool,
    /// When the contact opted out (null when they have not).
    pub opted_out_at: Option<String>,
    /// manual | conversation | import | api
    pub source: String,
    pub first_message_at: Option<String>,
    pub last_message_at: Option<String>,
    pub messages_in: i64,
    pub messages_out: i64,
    pub unread_count: i64,
    pub tags: Vec<Tag>,
    pub created_at: String,
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
    pub tag_mode: TagMode,
    pub opted_out: Option<bool>,
    /// manual | conversation | import | api
    pub source: Option<String>,
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum SortField {
    /// The name shown: saved name, else WhatsApp name, else number.
    #[default]
    Name,
    LastMessageAt,
    CreatedAt,
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContactSort {
    pub field: SortField,
    pub order: SortOrder,
}

/// The value a page ended on, for keyset pagination.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SortKey {
    Text(String),
    Int(i64),
}

/// A tag given by id, or by name (created when missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum TagRef {
    Id(i64),
    Name(String),
}

/// A new contact.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct NewContact {
    /// Any common format; numbers without a country code are read in the business's country.
    pub phone_number: String,
    pub name: String,
    pub email: String,
    pub notes: String,
    pub fields: BTreeMap<String, String>,
    /// Tag ids or names; names that do not exist yet are created.
    pub tags: Vec<TagRef>,
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
    pub phone_number: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    /// Replaces every custom field.
    pub fields: Option<BTreeMap<String, String>>,
    /// Replaces every tag.
    pub tags: Option<Vec<TagRef>>,
    pub opted_out: Option<bool>,
}

/// What a bulk request does to each contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    Tag,
    Untag,
    Delete,
    OptOut,
    OptIn,
}

/// One action on many contacts: the listed ids, or every contact matching a filter.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkRequest {
    #[serde(default)]
    pub ids: Option<Vec<i64>>,
    #[serde(default)]
    pub filter: Option<ContactFilter>,
    pub action: BulkAction,
    /// For tag and untag.
    #[serde(default)]
    pub tag_id: Option<i64>,
}

/// What a bulk action or an import changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkOutcome {
    pub action: BulkAction,
    /// Contacts the action applied to.
    pub matched: usize,
    /// Contacts that actually changed (tagging a tagged contact changes nothing).
    pub changed: usize,
}

/// Validated, normalised contact fields, ready for the store.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ContactFields {
    pub phone_number: Option<String>,
    pub name: String,
    pub email: String,
    pub notes: String,
    pub fields: BTreeMap<String, String>,
    pub opted_out: bool,
}

/// Checks an e-mail address loosely: mail servers are the judge, the form only catches typos.
pub(crate) fn email_problem(email: &str) -> Option<&'static str> {
    if email.is_empty() {
        return None;
    }
    let valid = email.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email.chars().any(char::is_whitespace);
    (!valid).then_some("e-mail address is not valid")
}

/// Checks custom fields: short names, values within the field limit.
pub(crate) fn check_custom_fields(checks: &mut Checks, fields: &BTreeMap<String, String>) {
    if fields.len() > MAX_CUSTOM_FIELDS {
        checks.fail(
            "fields",
            format!("at most {MAX_CUSTOM_FIELDS} custom fields"),
        );
    }
    for (key, value) in fields {
        if key.trim().is_empty() {
            checks.fail("fields", "custom field names must not be empty");
        } else if key.chars().count() > MAX_FIELD_NAME_CHARS {
            checks.fail(
                &format!("fields.{key}"),
                format!("custom field names must be at most {MAX_FIELD_NAME_CHARS} characters"),
            );
        }
        checks.max_len(&format!("fields.{key}"), key, value, MAX_FIELD_CHARS);
    }
}

/// Trims custom field names and values and drops empty values.
pub(crate) fn clean_custom_fields(fields: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    fields
        .iter()
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// An E.164 number formatted for reading, relative to the business's country.
pub fn phone_display(e164: &str, region: Option<rlibphonenumber::Region>) -> String {
    use rlibphonenumber::{PhoneNumberFormat, PHONE_NUMBER_UTIL};
    match PHONE_NUMBER_UTIL.parse(e164, None) {
        Ok(number) => {
            let format = if region.is_some() && number.get_region_code() == region {
                PhoneNumberFormat::National
            } else {
                PhoneNumberFormat::International
            };
            number.format_as(format).into_owned()
        }
        Err(_) => e164.to_owned(),
    }
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

impl SortKey {
    fn to_json(&self) -> serde_json::Value {
        match self {
            SortKey::Text(s) => serde_json::Value::String(s.clone()),
            SortKey::Int(n) => serde_json::Value::from(*n),
        }
    }
}

/// The opaque cursor of a page ending on (`key`, `id`).
pub(crate) fn encode_cursor(key: &SortKey, id: i64) -> String {
    let json = serde_json::json!([key.to_json(), id]).to_string();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

pub(crate) fn decode_cursor(cursor: &str, field: SortField) -> Result<(SortKey, i64)> {
    let bad = || Error::invalid_field("cursor", "cursor is not valid for this sort order");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let (key, id): (serde_json::Value, i64) = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let key = match (field, key) {
        (SortField::Name, serde_json::Value::String(s)) => SortKey::Text(s),
        (SortField::LastMessageAt | SortField::CreatedAt, serde_json::Value::Number(n)) => {
            SortKey::Int(n.as_i64().ok_or_else(bad)?)
        }
        _ => return Err(bad()),
    };
    Ok((key, id))
}

impl Engine {
    pub fn contact(&self, id: i64) -> Result<Contact> {
        let contact = self
            .db()
            .with(|c| store::contacts::get(c, id))?
            .ok_or_else(|| Error::not_found("contact"))?;
        self.presented(contact)
    }

    /// Fills in what is derived for display (the formatted number).
    fn present(&self, contacts: &mut [Contact]) -> Result<()> {
        let region = self.default_region()?;
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

    fn presented(&self, mut contact: Contact) -> Result<Contact> {
        self.present(std::slice::from_mut(&mut contact))?;
        Ok(contact)
    }

    /// A contact just saved, as presented, after telling listeners about tags the save created.
    fn presented_after_save(&self, contact: Contact, tags_created: bool) -> Result<Contact> {
        let contact = self.presented(contact)?;
        if tags_created {
            self.emit_tags_changed()?;
        }
        Ok(contact)
    }

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

    fn checked_fields(&self, input: &NewContact) -> Result<ContactFields> {
        let mut checks = Checks::default();
        let phone = match self.normalize_phone(&input.phone_number) {
            Ok(p) => Some(p),
            Err(e) => {
                for d in e.details {
                    checks.fail(&d.field, d.message);
                }
                None
            }
        };
        let fields = ContactFields {
            phone_number: phone,
            name: input.name.trim().to_owned(),
            email: input.email.trim().to_owned(),
            notes: input.notes.trim().to_owned(),
            fields: clean_custom_fields(&input.fields),
            opted_out: input.opted_out,
        };
        validate_fields(&mut checks, &fields);
        checks.finish()?;
        Ok(fields)
    }

    /// Creates a contact by hand (or through the API). A number that already belongs to a contact is
    /// a conflict naming that contact.
    pub fn create_contact(&self, input: NewContact) -> Result<Contact> {
        let fields = self.checked_fields(&input)?;
        let now = self.now();
        let (contact, tags_created) = self.db().with_tx(|tx| {
            let phone = fields.phone_number.as_deref().unwrap_or_default();
            if let Some(owner) = store::contacts::find_by_phone(tx, phone)? {
                return Err(conflict_for_phone(phone, &owner));
            }
            let id = store::contacts::insert(tx, &fields, input.added_by.source(), now)?;
            let (tag_ids, created) = resolve_tags(tx, &input.tags, now)?;
            store::contacts::set_tags(tx, id, &tag_ids, now)?;
            Ok((saved_contact(tx, id)?, created))
        })?;
        let contact = self.presented_after_save(contact, tags_created)?;
        self.emit(Event::ContactCreated(contact.clone()));
        Ok(contact)
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
        let (contact, tags_created) = self.db().with_tx(|tx| {
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
            Ok((saved_contact(tx, id)?, created))
        })?;
        let contact = self.presented_after_save(contact, tags_created)?;
        if contact != current {
            self.emit(Event::ContactUpdated(contact.clone()));
        }
        Ok(contact)
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
        let media = self.db().with_tx(|tx| {
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
            Ok(media)
        })?;
        self.remove_media(&media);
        self.emit(Event::ContactDeleted { id });
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
        let (contact, changed) = self.db().with_tx(|tx| {
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
            let contact =
                store::contacts::get(tx, id)?.ok_or_else(|| Error::not_found("contact"))?;
            Ok((contact, changed))
        })?;
        let contact = self.presented(contact)?;
        if changed {
            self.emit(Event::ContactUpdated(contact.clone()));
        }
        Ok(contact)
    }

    /// One action on many contacts, in one transaction: all of them change or none does.
    pub fn bulk_contacts(&self, request: BulkRequest) -> Result<BulkOutcome> {
        let BulkRequest {
            ids,
            filter,
            action,
            tag_id,
        } = request;
        if ids.is_some() == filter.is_some() {
            return Err(Error::invalid_field("ids", "Give either ids or a filter"));
        }
        let tag_id = match action {
            BulkAction::Tag | BulkAction::Untag => {
                Some(tag_id.ok_or_else(|| Error::invalid_field("tagId", "Choose a tag"))?)
            }
            _ => None,
        };
        let now = self.now();
        let (matched, changed, media) = self.db().with_tx(|tx| {
            store::with_bulk_cache(tx, || {
                let ids = match (&ids, &filter) {
                    (Some(ids), _) => {
                        let mut ids = ids.clone();
                        ids.sort_unstable();
                        ids.dedup();
                        store::contacts::existing_ids(tx, &ids)?
                    }
                    (None, Some(filter)) => store::contacts::ids_matching(tx, filter)?,
                    (None, None) => Vec::new(),
                };
                if let Some(tag_id) = tag_id {
                    store::tags::get(tx, tag_id)?.ok_or_else(|| Error::not_found("tag"))?;
                }
                let mut media = Vec::new();
                let changed = match action {
                    BulkAction::Tag => {
                        store::contacts::add_tag(tx, &ids, tag_id.unwrap_or_default(), now)?
                    }
                    BulkAction::Untag => {
                        store::contacts::remove_tag(tx, &ids, tag_id.unwrap_or_default(), now)?
                    }
                    BulkAction::OptOut => store::contacts::set_opted_out(tx, &ids, true, now)?,
                    BulkAction::OptIn => store::contacts::set_opted_out(tx, &ids, false, now)?,
                    BulkAction::Delete => {
                        media = store::contacts::media_paths(tx, &ids)?;
                        store::contacts::delete(tx, &ids)?;
                        ids.len()
                    }
                };
                Ok((ids.len(), changed, media))
            })
        })?;
        self.remove_media(&media);
        let outcome = BulkOutcome {
            action,
            matched,
            changed,
        };
        if changed > 0 {
            // One event for the lot: thousands of per-contact events would only make listeners lag.
            self.emit(Event::ContactsChanged(outcome.clone()));
        }
        Ok(outcome)
    }

    pub(crate) fn emit_tags_changed(&self) -> Result<()> {
        let tags = self.db().with(store::tags::list)?;
        self.emit(Event::TagsChanged(
            tags.into_iter().map(|t| t.tag()).collect(),
        ));
        Ok(())
    }
}

/// The checks every contact passes, however it is created (form, API, import).
pub(crate) fn validate_fields(checks: &mut Checks, fields: &ContactFields) {
    checks.max_len("name", "Name", &fields.name, MAX_FIELD_CHARS);
    checks.max_len("email", "E-mail", &fields.email, MAX_FIELD_CHARS);
    checks.max_len("notes", "Notes", &fields.notes, MAX_NOTES_CHARS);
    if let Some(problem) = email_problem(&fields.email) {
        checks.fail("email", format!("The {problem}"));
    }
    check_custom_fields(checks, &fields.fields);
}

/// Tag ids for a list of ids and names; names are matched case-insensitively and created when
/// missing. Returns the ids and whether any tag was created.
/// The contact as stored after a save in the same transaction.
fn saved_contact(tx: &rusqlite::Connection, id: i64) -> Result<Contact> {
    store::contacts::get(tx, id)?.ok_or_else(|| Error::not_found("contact"))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_the_wrong_sort() {
        let c = encode_cursor(&SortKey::Text("Rosa".into()), 7);
        assert_eq!(
            decode_cursor(&c, SortField::Name).unwrap(),
            (SortKey::Text("Rosa".into()), 7)
        );
        assert!(
            decode_cursor(&c, SortField::CreatedAt).is_err(),
            "a name cursor is no time cursor"
        );
        let t = encode_cursor(&SortKey::Int(1_700_000_000_000), 3);
        assert_eq!(
            decode_cursor(&t, SortField::LastMessageAt).unwrap().0,
            SortKey::Int(1_700_000_000_000)
        );
        assert!(decode_cursor("not base64!", SortField::Name).is_err());
    }

    #[test]
    fn emails() {
        for (email, ok) in [
            ("", true),
            ("rosa@example.com", true),
            ("rosa@localhost", false),
            ("rosa example.com", false),
            ("@example.com", false),
            ("a b@example.com", false),
        ] {
            assert_eq!(email_problem(email).is_none(), ok, "{email}");
        }
    }
}
