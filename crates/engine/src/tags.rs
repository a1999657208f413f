//! Tags: named, coloured labels on contacts, used to filter the table and to pick campaign
//! audiences. Names are unique whatever their case.

use serde::{Deserialize, Serialize};

use crate::contacts::Tag;
use crate::error::{Error, ErrorCode, Result};
use crate::{store, Engine};

/// Longest tag name.
pub const MAX_TAG_NAME_CHARS: usize = 40;

/// Colours handed out in turn to new tags without one: distinct in light and dark mode.
pub const PALETTE: [&str; 10] = [
    "#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777",
    "#4f46e5", "#65a30d",
];

/// A tag with how many contacts carry it, for the tag manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagSummary {
    /// The tag's id.
    pub id: i64,
    /// Its name, unique ignoring case.
    pub name: String,
    /// Its colour, `#rrggbb`.
    pub color: String,
    /// How many contacts carry it.
    pub contact_count: i64,
}

impl TagSummary {
    /// The tag without its count.
    pub fn tag(self) -> Tag {
        Tag {
            id: self.id,
            name: self.name,
            color: self.color,
        }
    }
}

/// A new tag.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TagInput {
    /// Its name (see [`checked_name`] for what a name may be).
    pub name: String,
    /// `#rrggbb`; the next palette colour when left out.
    pub color: Option<String>,
}

/// Changes to a tag: a new name, a new colour, or both.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TagPatch {
    /// A new name.
    pub name: Option<String>,
    /// A new colour, `#rrggbb`.
    pub color: Option<String>,
}

/// The palette colour for the `n`th tag.
pub fn default_color(n: i64) -> String {
    PALETTE[n.rem_euclid(PALETTE.len() as i64) as usize].to_owned()
}

/// A trimmed tag name, or why it cannot be one. Commas and semicolons are refused because CSV files
/// list several tags in one cell separated by them.
pub fn checked_name(name: &str) -> std::result::Result<String, String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Give the tag a name".into());
    }
    if name.chars().count() > MAX_TAG_NAME_CHARS {
        return Err(format!(
            "Tag names must be at most {MAX_TAG_NAME_CHARS} characters"
        ));
    }
    if name.contains([',', ';']) {
        return Err("Tag names cannot contain commas or semicolons".into());
    }
    Ok(name)
}

/// A colour as lower-case `#rrggbb`, or why it is not one.
pub fn checked_color(color: &str) -> std::result::Result<String, String> {
    let color = color.trim();
    let valid = color.len() == 7
        && color.starts_with('#')
        && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if valid {
        Ok(color.to_ascii_lowercase())
    } else {
        Err(format!(
            "\"{color}\" is not a colour: use #rrggbb, e.g. #2563eb"
        ))
    }
}

fn name_taken(name: &str) -> Error {
    let mut err = Error::new(
        ErrorCode::Conflict,
        format!("A tag named \"{name}\" already exists"),
    );
    err.details.push(crate::FieldError {
        field: "name".into(),
        message: format!("\"{name}\" is taken (tag names ignore case)"),
    });
    err
}

impl Engine {
    /// Every tag, by name, with its contact count.
    pub fn tags(&self) -> Result<Vec<TagSummary>> {
        self.db().with(store::tags::list)
    }

    /// Creates a tag; a name already taken (ignoring case) is a conflict.
    pub fn create_tag(&self, input: TagInput) -> Result<TagSummary> {
        let name = checked_name(&input.name).map_err(|m| Error::invalid_field("name", m))?;
        let color = input
            .color
            .as_deref()
            .map(checked_color)
            .transpose()
            .map_err(|m| Error::invalid_field("color", m))?;
        let now = self.now();
        let tag = self.db().with_tx(|tx| {
            if store::tags::find_by_name(tx, &name)?.is_some() {
                return Err(name_taken(&name));
            }
            let color = match color {
                Some(c) => c,
                None => default_color(store::tags::count(tx)?),
            };
            let id = store::tags::insert(tx, &name, &color, now)?;
            store::tags::summary(tx, id)?.ok_or_else(|| Error::not_found("tag"))
        })?;
        self.emit_tags_changed()?;
        Ok(tag)
    }

    /// Renames and/or recolours a tag; contacts keep it.
    pub fn update_tag(&self, id: i64, patch: TagPatch) -> Result<TagSummary> {
        let name = patch
            .name
            .as_deref()
            .map(checked_name)
            .transpose()
            .map_err(|m| Error::invalid_field("name", m))?;
        let color = patch
            .color
            .as_deref()
            .map(checked_color)
            .transpose()
            .map_err(|m| Error::invalid_field("color", m))?;
        let tag = self.db().with_tx(|tx| {
            let current = store::tags::get(tx, id)?.ok_or_else(|| Error::not_found("tag"))?;
            if let Some(name) = &name {
                if let Some(other) = store::tags::find_by_name(tx, name)? {
                    if other.id != id {
                        return Err(name_taken(name));
                    }
                }
            }
            store::tags::update(
                tx,
                id,
                name.as_deref().unwrap_or(&current.name),
                color.as_deref().unwrap_or(&current.color),
            )?;
            store::tags::summary(tx, id)?.ok_or_else(|| Error::not_found("tag"))
        })?;
        self.emit_tags_changed()?;
        Ok(tag)
    }

    /// Deletes a tag; the contacts that had it lose it, nothing else changes.
    pub fn delete_tag(&self, id: i64) -> Result<()> {
        if !self.db().with_tx(|tx| store::tags::delete(tx, id))? {
            return Err(Error::not_found("tag"));
        }
        self.emit_tags_changed()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours() {
        assert_eq!(checked_color(" #AABBCC ").unwrap(), "#aabbcc");
        for bad in ["aabbcc", "#abc", "#gggggg", "#aabbccdd", "", "#ééé"] {
            assert!(checked_color(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            checked_name("  very   important ").unwrap(),
            "very important"
        );
        assert!(checked_name("   ").is_err());
        assert!(checked_name("a,b").is_err());
        assert!(checked_name(&"x".repeat(41)).is_err());
        assert_eq!(default_color(0), PALETTE[0]);
        assert_eq!(default_color(10), PALETTE[0], "the palette wraps around");
    }
}
