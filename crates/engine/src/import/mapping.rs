//! Which column of a contacts file holds what: auto-detected from header names (ours, Google
//! Contacts', Outlook's and common spreadsheet names in several languages), or given explicitly.

use std::collections::BTreeMap;

use serde::Serialize;

/// What a column is read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A phone number; lower `rank` is preferred when a row has several (mobile before others).
    Phone {
        /// Lower is preferred.
        rank: u8,
    },
    /// Google's `Phone N - Value`, whose kind is in `Phone N - Type` / `Phone N - Label`.
    TypedPhone {
        /// The `N` shared with the type column of the same phone.
        group: String,
    },
    /// Google's `Phone N - Type` / `Label` column.
    PhoneType {
        /// The `N` shared with the value column of the same phone.
        group: String,
    },
    /// The whole name in one column.
    Name,
    /// The first name, joined with the other name parts.
    GivenName,
    /// A middle name, joined with the other name parts.
    MiddleName,
    /// The last name, joined with the other name parts.
    FamilyName,
    /// An e-mail address; lower `rank` is preferred when a row has several.
    Email {
        /// Lower is preferred.
        rank: u8,
    },
    /// Tag names, separated by commas or semicolons.
    Tags,
    /// Free-text notes.
    Notes,
    /// Whether the contact opted out (yes/no, true/false, 1/0, in several languages).
    OptedOut,
    /// A custom field with this name.
    Field(String),
    /// A column nothing is read from.
    Ignore,
}

impl Target {
    /// The name shown in the mapping preview and accepted in an explicit mapping.
    pub fn label(&self) -> Option<String> {
        Some(match self {
            Target::Phone { .. } | Target::TypedPhone { .. } => "phone".into(),
            Target::PhoneType { .. } => "phoneType".into(),
            Target::Name => "name".into(),
            Target::GivenName => "firstName".into(),
            Target::MiddleName => "middleName".into(),
            Target::FamilyName => "lastName".into(),
            Target::Email { .. } => "email".into(),
            Target::Tags => "tags".into(),
            Target::Notes => "notes".into(),
            Target::OptedOut => "optedOut".into(),
            Target::Field(name) => format!("field:{name}"),
            Target::Ignore => return None,
        })
    }

    fn from_label(label: &str) -> Option<Target> {
        Some(match label {
            "phone" | "phoneNumber" => Target::Phone { rank: 0 },
            "name" => Target::Name,
            "firstName" => Target::GivenName,
            "middleName" => Target::MiddleName,
            "lastName" => Target::FamilyName,
            "email" => Target::Email { rank: 0 },
            "tags" => Target::Tags,
            "notes" => Target::Notes,
            "optedOut" => Target::OptedOut,
            "ignore" | "" => Target::Ignore,
            other => {
                let name = other.strip_prefix("field:")?.trim();
                if name.is_empty() {
                    return None;
                }
                Target::Field(name.to_owned())
            }
        })
    }
}

/// One column and what it was mapped to, for the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ColumnMapping {
    /// The header as written in the file.
    pub column: String,
    /// phone | name | firstName | middleName | lastName | email | tags | notes | optedOut |
    /// field:<name> | phoneType; null when the column is ignored.
    pub field: Option<String>,
}

/// Lower-case letters and digits only: "E-mail 1 - Value" → "email1value".
fn normalize(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What a header means, by its name alone.
pub fn detect(header: &str) -> Target {
    let raw = header.trim();
    if let Some(name) = raw
        .strip_prefix("field:")
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        return Target::Field(name.to_owned());
    }
    let key = normalize(raw);
    let key = key.as_str();
    // Google Contacts: "Phone 1 - Value" with its kind in "Phone 1 - Type" (older) or "- Label".
    if let Some(rest) = key.strip_prefix("phone") {
        for suffix in ["value", "type", "label"] {
            if let Some(n) = rest.strip_suffix(suffix) {
                if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
                    let group = n.to_owned();
                    return if suffix == "value" {
                        Target::TypedPhone { group }
                    } else {
                        Target::PhoneType { group }
                    };
                }
            }
        }
    }
    match key {
        "mobile" | "mobilephone" | "mobilenumber" | "mobileno" | "mobilephonenumber" | "cell"
        | "cellphone" | "cellular" | "cellnumber" | "whatsapp" | "whatsappnumber"
        | "whatsappphone" | "celular" | "handy" | "movil" | "telemovel" | "portable" | "gsm" => {
            Target::Phone { rank: 0 }
        }
        "phone" | "phonenumber" | "phoneno" | "telephone" | "telephonenumber" | "tel"
        | "number" | "contactnumber" | "msisdn" | "primaryphone" | "telefone" | "telefono"
        | "telefon" | "telephone1" | "phone1" | "e164" => Target::Phone { rank: 1 },
        "name" | "fullname" | "displayname" | "contactname" | "contact" | "customer"
        | "customername" | "client" | "clientname" | "nome" | "nombre" | "nom" => Target::Name,
        "firstname" | "givenname" | "first" | "forename" | "vorname" | "prenom" => {
            Target::GivenName
        }
        "middlename" | "additionalname" => Target::MiddleName,
        "lastname" | "familyname" | "surname" | "last" | "nachname" | "apellido" | "sobrenome" => {
            Target::FamilyName
        }
        "email" | "emailaddress" | "mail" | "email1value" | "emailaddress1" | "correo" => {
            Target::Email { rank: 0 }
        }
        "email2value" | "email2address" | "email3value" | "email3address" | "emailaddress2" => {
            Target::Email { rank: 1 }
        }
        "tags" | "tag" | "labels" | "label" | "groups" | "group" | "groupmembership"
        | "categories" | "category" | "segments" | "segment" | "lists" | "etiquetas" => {
            Target::Tags
        }
        "notes" | "note" | "comments" | "comment" | "remarks" | "description" | "memo"
        | "notas" => Target::Notes,
        "optedout" | "optout" | "unsubscribed" | "donotcontact" => Target::OptedOut,
        _ if key.contains("phone") && !key.contains("fax") && !key.contains("pager") => {
            // Outlook's "Business Phone", "Home Phone 2", "Other Phone", ...: used when no mobile.
            Target::Phone { rank: 2 }
        }
        _ => Target::Ignore,
    }
}

/// Column targets for a header row: detected, or from an explicit mapping of field → header.
pub fn map_columns(
    headers: &[String],
    explicit: Option<&BTreeMap<String, String>>,
) -> Result<Vec<Target>, String> {
    let Some(explicit) = explicit else {
        return Ok(headers.iter().map(|h| detect(h)).collect());
    };
    let mut targets = vec![Target::Ignore; headers.len()];
    for (field, column) in explicit {
        let target = Target::from_label(field.trim()).ok_or_else(|| {
            format!(
                "\"{field}\" is not a contact field: use phone, name, firstName, middleName, lastName, \
                 email, tags, notes, optedOut or field:<name>"
            )
        })?;
        let index = headers
            .iter()
            .position(|h| h.trim() == column.trim())
            .or_else(|| {
                headers
                    .iter()
                    .position(|h| h.trim().eq_ignore_ascii_case(column.trim()))
            })
            .ok_or_else(|| format!("The file has no column \"{column}\""))?;
        targets[index] = target;
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_common_exports() {
        for (header, expected) in [
            ("Name", Target::Name),
            ("Given Name", Target::GivenName),
            ("Family Name", Target::FamilyName),
            ("Phone 1 - Value", Target::TypedPhone { group: "1".into() }),
            ("Phone 1 - Type", Target::PhoneType { group: "1".into() }),
            ("Phone 2 - Label", Target::PhoneType { group: "2".into() }),
            ("E-mail 1 - Value", Target::Email { rank: 0 }),
            ("Group Membership", Target::Tags),
            ("Labels", Target::Tags),
            ("First Name", Target::GivenName),
            ("Last Name", Target::FamilyName),
            ("Mobile Phone", Target::Phone { rank: 0 }),
            ("Business Phone", Target::Phone { rank: 2 }),
            ("Business Fax", Target::Ignore),
            ("E-mail Address", Target::Email { rank: 0 }),
            ("phoneNumber", Target::Phone { rank: 1 }),
            ("WhatsApp", Target::Phone { rank: 0 }),
            ("Notes", Target::Notes),
            ("field:city", Target::Field("city".into())),
            ("Birthday", Target::Ignore),
        ] {
            assert_eq!(detect(header), expected, "{header}");
        }
    }

    #[test]
    fn explicit_mappings() {
        let headers: Vec<String> = ["Nr", "Wer", "Stadt"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let map: BTreeMap<String, String> =
            [("phone", "Nr"), ("name", "wer"), ("field:city", "Stadt")]
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        assert_eq!(
            map_columns(&headers, Some(&map)).unwrap(),
            vec![
                Target::Phone { rank: 0 },
                Target::Name,
                Target::Field("city".into())
            ]
        );
        let bad: BTreeMap<String, String> = [("phone".to_string(), "Missing".to_string())].into();
        assert!(map_columns(&headers, Some(&bad))
            .unwrap_err()
            .contains("Missing"));
    }
}
