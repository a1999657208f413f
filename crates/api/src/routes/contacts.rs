//! Routes of contacts and tags: list, CRUD, tagging, bulk actions, import and export. Paths with a
//! fixed word (`/contacts/export`, `/import`, `/bulk`, `/count`) come before `/contacts/{id}`, since
//! the table matches in order.

use serde::{Deserialize, Serialize};
use whatsflow_engine::contacts::{
    AddedBy, Contact, ContactFilter, ContactSort, NewContact, SortField, SortOrder, TagMode,
};
use whatsflow_engine::export::ExportFormat;
use whatsflow_engine::import::{
    DedupeMode, ImportFormat, ImportOptions, ImportReport, MAX_IMPORT_BYTES,
};
use whatsflow_engine::tags::TagSummary;
use whatsflow_engine::{Engine, Error};

use super::{call, call_on_id, done_on_id, joined, on_id, on_ids};
use crate::api::{
    data, page, raw, upload, Access, Caller, Ctx, Method, NoBody, QueryParam, Raw, Route,
};

const FILTERS: [QueryParam; 5] = [
    QueryParam { name: "q", description: "Words searched in name, WhatsApp name, number, e-mail and notes; digits match anywhere in the number" },
    QueryParam { name: "tag", description: "A tag id; repeat for several" },
    QueryParam { name: "tagMode", description: "any (default) or all: how several tags combine" },
    QueryParam { name: "optedOut", description: "true or false" },
    QueryParam { name: "source", description: "manual, conversation, import or api" },
];

const LIST: [QueryParam; 7] = joined(
    FILTERS,
    [
        QueryParam {
            name: "sort",
            description: "name (default), lastMessageAt or createdAt",
        },
        QueryParam {
            name: "order",
            description: "asc (default) or desc",
        },
    ],
);

const EXPORT: [QueryParam; 6] = joined(
    [QueryParam {
        name: "format",
        description: "csv (default) or json",
    }],
    FILTERS,
);

const IMPORT: &[QueryParam] = &[
    QueryParam { name: "format", description: "csv, vcf or json; sniffed from the file when left out" },
    QueryParam { name: "dryRun", description: "true: report what would happen and write nothing" },
    QueryParam { name: "dedupe", description: "skip (default), fill (empty fields) or overwrite, for numbers already in contacts" },
    QueryParam { name: "mapping", description: "CSV: a JSON object of field → column header, e.g. {\"phone\":\"Mobile\",\"name\":\"Nome\"}" },
    QueryParam { name: "delimiter", description: "CSV: , ; tab or |; sniffed when left out" },
];

/// The total behind a filter, for the table's row count.
#[derive(Debug, Serialize, schemars::JsonSchema)]
struct ContactCount {
    total: u64,
}

/// The body of `POST /contacts/{id}/tags`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TagLink {
    tag_id: i64,
}

fn filter(c: &Ctx) -> Result<ContactFilter, Error> {
    Ok(ContactFilter {
        q: c.text("q"),
        tags: c.ids("tag")?,
        tag_mode: c
            .one_of("tagMode", &[("any", TagMode::Any), ("all", TagMode::All)])?
            .unwrap_or(TagMode::Any),
        opted_out: c.flag("optedOut")?,
        source: c.text("source"),
    })
}

fn sort(c: &Ctx) -> Result<ContactSort, Error> {
    let field = c.one_of(
        "sort",
        &[
            ("name", SortField::Name),
            ("lastMessageAt", SortField::LastMessageAt),
            ("createdAt", SortField::CreatedAt),
        ],
    )?;
    let order = c.one_of(
        "order",
        &[("asc", SortOrder::Asc), ("desc", SortOrder::Desc)],
    )?;
    Ok(ContactSort {
        field: field.unwrap_or(SortField::Name),
        order: order.unwrap_or(SortOrder::Asc),
    })
}

fn import_options(c: &Ctx) -> Result<ImportOptions, Error> {
    let format = match c.query_one("format").filter(|f| !f.trim().is_empty()) {
        None => None,
        Some(f) => Some(
            ImportFormat::parse(f)
                .ok_or_else(|| Error::invalid_field("format", "format must be csv, vcf or json"))?,
        ),
    };
    let dedupe = match c.query_one("dedupe").filter(|f| !f.trim().is_empty()) {
        None => DedupeMode::Skip,
        Some(d) => DedupeMode::parse(d).ok_or_else(|| {
            Error::invalid_field("dedupe", "dedupe must be skip, fill or overwrite")
        })?,
    };
    let mapping = match c.query_one("mapping").filter(|m| !m.trim().is_empty()) {
        None => None,
        Some(m) => Some(serde_json::from_str(m).map_err(|_| {
            Error::invalid_field(
                "mapping",
                "mapping must be a JSON object of field → column header",
            )
        })?),
    };
    // Not trimmed: a tab is a delimiter.
    let delimiter = match c.query_one("delimiter") {
        None | Some("") => None,
        Some("tab") | Some("\t") => Some(b'\t'),
        Some(d @ ("," | ";" | "|")) => Some(d.as_bytes()[0]),
        Some(_) => {
            return Err(Error::invalid_field(
                "delimiter",
                "delimiter must be , ; tab or |",
            ))
        }
    };
    Ok(ImportOptions {
        format,
        dry_run: c.flag("dryRun")?.unwrap_or(false),
        dedupe,
        mapping,
        delimiter,
    })
}

/// The contact and tag routes.
pub fn routes() -> Vec<Route> {
    use Access::*;
    use Method::*;
    vec![
        // --- contacts ---
        page(
            "/api/v1/contacts",
            "contacts",
            Read,
            "Contacts: search, filter, sort, page",
            |c| {
                c.engine
                    .contacts(&filter(c)?, sort(c)?, c.cursor(), c.limit(50)?)
            },
        )
        .with_query(&LIST),
        data(
            Get,
            "/api/v1/contacts/count",
            "contacts",
            Read,
            "How many contacts match the filters",
            |c, _: NoBody| {
                Ok::<_, Error>(ContactCount {
                    total: c.engine.count_contacts(&filter(c)?)?,
                })
            },
        )
        .with_query(&FILTERS),
        data(
            Post,
            "/api/v1/contacts",
            "contacts",
            Send,
            "Create a contact (its source is `api` when an API key adds it, `manual` otherwise)",
            |c, mut input: NewContact| -> Result<Contact, Error> {
                if let Caller::Key { .. } = c.caller {
                    input.added_by = AddedBy::ApiKey;
                }
                c.engine.create_contact(input)
            },
        ),
        raw(
            Get,
            "/api/v1/contacts/export",
            "contacts",
            Read,
            "Export all or the filtered contacts as CSV or JSON",
            "text/csv",
            |c, _| {
                let format = match c.query_one("format").filter(|f| !f.is_empty()) {
                    None => ExportFormat::Csv,
                    Some(f) => ExportFormat::parse(f).ok_or_else(|| {
                        Error::invalid_field("format", "format must be csv or json")
                    })?,
                };
                let file = c.engine.export_contacts(&filter(c)?, format)?;
                Ok(Raw {
                    content_type: file.content_type.to_owned(),
                    body: file.body,
                })
            },
        )
        .with_query(&EXPORT),
        upload(
            Post,
            "/api/v1/contacts/import",
            "contacts",
            Send,
            "Import contacts from a CSV, vCard or JSON file (the body); dryRun=true only reports",
            |c, bytes| -> Result<ImportReport, Error> {
                c.engine.import_contacts(bytes, &import_options(c)?)
            },
        )
        .with_query(IMPORT)
        .max_body(MAX_IMPORT_BYTES),
        call(
            Post,
            "/api/v1/contacts/bulk",
            "contacts",
            Send,
            "Tag, untag, opt out, opt in or delete many contacts (ids or a filter) at once",
            Engine::bulk_contacts,
        ),
        on_id(
            Get,
            "/api/v1/contacts/{id}",
            "contacts",
            Read,
            "One contact",
            Engine::contact,
        ),
        call_on_id(
            Put,
            "/api/v1/contacts/{id}",
            "contacts",
            Send,
            "Change a contact (fields left out stay)",
            Engine::update_contact,
        ),
        done_on_id(
            Delete,
            "/api/v1/contacts/{id}",
            "contacts",
            Send,
            "Delete a contact with its messages and media",
            Engine::delete_contact,
        ),
        data(
            Post,
            "/api/v1/contacts/{id}/tags",
            "contacts",
            Send,
            "Tag a contact",
            |c, input: TagLink| -> Result<Contact, Error> {
                c.engine.tag_contact(c.id("id")?, input.tag_id)
            },
        ),
        on_ids(
            Delete,
            "/api/v1/contacts/{id}/tags/{tagId}",
            "contacts",
            Send,
            "Untag a contact",
            Engine::untag_contact,
        ),
        // --- tags ---
        data(
            Get,
            "/api/v1/tags",
            "tags",
            Read,
            "Every tag with its contact count",
            |c, _: NoBody| -> Result<Vec<TagSummary>, Error> { c.engine.tags() },
        ),
        call(
            Post,
            "/api/v1/tags",
            "tags",
            Send,
            "Create a tag",
            Engine::create_tag,
        ),
        call_on_id(
            Put,
            "/api/v1/tags/{id}",
            "tags",
            Send,
            "Rename or recolour a tag",
            Engine::update_tag,
        ),
        done_on_id(
            Delete,
            "/api/v1/tags/{id}",
            "tags",
            Send,
            "Delete a tag (contacts lose it)",
            Engine::delete_tag,
        ),
    ]
}
