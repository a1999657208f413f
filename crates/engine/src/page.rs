//! One page of a list, the one pagination model of every list the engine returns (contacts, chats,
//! messages, search hits): the items and an opaque cursor for the next page.

use serde::Serialize;

use crate::error::{Error, Result};

/// Most items one page of an inbox list (chats, messages, search hits) may hold.
pub const MAX_PAGE: usize = 500;

/// A page size asked for, kept between 1 and [`MAX_PAGE`].
pub(crate) fn page_limit(limit: usize) -> usize {
    limit.clamp(1, MAX_PAGE)
}

/// A page of a list and the cursor of the next page (null on the last page). Pass the cursor back
/// as-is to get the next page.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The page's items, in the list's order.
    pub items: Vec<T>,
    /// Where the next page starts; null when there is none.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page from rows fetched with `limit + 1`: the extra row only tells there is more, and the
    /// cursor is made from the page's last item.
    pub(crate) fn from_overfetch(
        mut items: Vec<T>,
        limit: usize,
        cursor_of: impl Fn(&T) -> String,
    ) -> Page<T> {
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = if more {
            items.last().map(cursor_of)
        } else {
            None
        };
        Page { items, next_cursor }
    }

    /// The same page with each item changed by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// A cursor that is a message id (the lists of messages page by id): none for the first page.
pub(crate) fn id_cursor(cursor: Option<&str>) -> Result<Option<i64>> {
    cursor
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse()
                .map_err(|_| Error::invalid_field("cursor", "cursor is not valid"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overfetched_row_becomes_the_cursor_of_the_last_item_shown() {
        let page = Page::from_overfetch(vec![5, 4, 3], 2, |n| n.to_string());
        assert_eq!(page.items, [5, 4]);
        assert_eq!(page.next_cursor.as_deref(), Some("4"));
        let last = Page::from_overfetch(vec![2, 1], 2, |n| n.to_string());
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn id_cursors_are_numbers_or_nothing() {
        assert_eq!(id_cursor(None).unwrap(), None);
        assert_eq!(id_cursor(Some(" ")).unwrap(), None);
        assert_eq!(id_cursor(Some("42")).unwrap(), Some(42));
        let err = id_cursor(Some("x")).unwrap_err();
        assert_eq!(err.details[0].field, "cursor");
    }
}
