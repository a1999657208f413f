//! One action (tag, untag, opt out, opt in, delete) on many contacts at once, chosen by id or by a
//! filter, in one transaction.

use serde::{Deserialize, Serialize};

use super::ContactFilter;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::{store, Engine};

/// What a bulk request does to each contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// Add the tag to each contact.
    Tag,
    /// Take the tag off each contact.
    Untag,
    /// Delete each contact with its messages and media.
    Delete,
    /// Mark each contact opted out of campaigns.
    OptOut,
    /// Take each contact's opt-out back.
    OptIn,
}

/// One action on many contacts: the listed ids, or every contact matching a filter.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkRequest {
    /// The contacts by id; unknown ids are passed over.
    #[serde(default)]
    pub ids: Option<Vec<i64>>,
    /// Every contact the filter matches.
    #[serde(default)]
    pub filter: Option<ContactFilter>,
    /// What to do to each.
    pub action: BulkAction,
    /// For tag and untag.
    #[serde(default)]
    pub tag_id: Option<i64>,
}

/// What a bulk action or an import changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkOutcome {
    /// What was done.
    pub action: BulkAction,
    /// Contacts the action applied to.
    pub matched: usize,
    /// Contacts that actually changed (tagging a tagged contact changes nothing).
    pub changed: usize,
}

impl Engine {
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
        let (outcome, media) = self.write(|tx| {
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
                    BulkAction::OptOut => {
                        let opted_out = store::contacts::set_opted_out(tx, &ids, true, now)?;
                        // Each opt-out is announced as one, as a single contact's is: scripts and
                        // webhooks that honour opt-outs must not miss those made in bulk.
                        for contact in super::contacts_on(tx, &opted_out)? {
                            tx.emit(Event::ContactOptedOut(contact));
                        }
                        opted_out.len()
                    }
                    BulkAction::OptIn => {
                        store::contacts::set_opted_out(tx, &ids, false, now)?.len()
                    }
                    BulkAction::Delete => {
                        media = store::contacts::media_paths(tx, &ids)?;
                        store::contacts::delete(tx, &ids)?;
                        ids.len()
                    }
                };
                let outcome = BulkOutcome {
                    action,
                    matched: ids.len(),
                    changed,
                };
                if changed > 0 {
                    // One event for the lot besides: the lists reload once, not per contact.
                    tx.emit(Event::ContactsChanged(outcome.clone()));
                }
                Ok((outcome, media))
            })
        })?;
        self.remove_media(&media);
        Ok(outcome)
    }
}
