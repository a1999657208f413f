//! Every contact's place in name order, held in memory for search. A search in name order finds its
//! hits in the word and number indexes, then must sort them by the name they show; reading that name
//! from each hit's row costs about a microsecond a hit (7 ms for the 6 000 "Rosa"s of 100 000
//! contacts), looking up its place here a few nanoseconds. The order is read from the
//! `contacts_sort_name` index, and read again when `contacts_order_version` (V5) says a contact was
//! renamed or removed, or when a search finds a contact added since.

use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use crate::error::Result;

/// Contacts in name order, as of one `contacts_order_version`.
pub(crate) struct NameOrder {
    version: i64,
    /// The place of each contact in name order, indexed by id (`NONE` for ids no contact has).
    /// Ids are SQLite row ids, given out one above the largest, so the vector stays dense.
    places: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl NameOrder {
    /// Where `id` sits in name order; `None` for a contact added since it was read.
    pub(crate) fn place(&self, id: i64) -> Option<u32> {
        let place = *self.places.get(usize::try_from(id).ok()?)?;
        (place != NONE).then_some(place)
    }

    fn load(conn: &Connection, version: i64) -> Result<NameOrder> {
        // The ORDER BY is the index's expression, so this reads the index alone, in order.
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM contacts INDEXED BY contacts_sort_name
             ORDER BY coalesce(nullif(name, ''), nullif(push_name, ''), phone_number, wa_id) COLLATE NOCASE, id",
        )?;
        let mut places = Vec::new();
        let ids = stmt.query_map([], |r| r.get::<_, i64>(0))?;
        for (place, id) in ids.enumerate() {
            let id = usize::try_from(id?).unwrap_or(0);
            if id >= places.len() {
                places.resize(id + 1, NONE);
            }
            places[id] = place as u32;
        }
        Ok(NameOrder { version, places })
    }
}

/// The last name order read, shared by the connections of one database.
#[derive(Default)]
pub(crate) struct NameOrderCache(Mutex<Option<Arc<NameOrder>>>);

impl NameOrderCache {
    /// The name order as `conn` sees it, but for contacts added since (`place` is `None` for them:
    /// then `reload`). Call inside the read transaction that uses it, so the order and the rows it
    /// sorts come from the same snapshot.
    pub(crate) fn current(&self, conn: &Connection) -> Result<Arc<NameOrder>> {
        let version = version(conn)?;
        let cached = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match cached.filter(|o| o.version == version) {
            Some(order) => Ok(order),
            None => self.reload(conn),
        }
    }

    /// The name order read afresh through `conn`.
    pub(crate) fn reload(&self, conn: &Connection) -> Result<Arc<NameOrder>> {
        let order = Arc::new(NameOrder::load(conn, version(conn)?)?);
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&order));
        Ok(order)
    }
}

fn version(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT version FROM contacts_order_version")?
        .query_row([], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Db;

    /// Places the way a search takes them: the cached order, read again if it lacks a contact.
    fn places(db: &Db, cache: &NameOrderCache, ids: &[i64]) -> Vec<Option<u32>> {
        db.with(|c| {
            let mut order = cache.current(c)?;
            if ids.iter().any(|id| order.place(*id).is_none()) {
                order = cache.reload(c)?;
            }
            Ok(ids.iter().map(|id| order.place(*id)).collect())
        })
        .unwrap()
    }

    #[test]
    fn follows_renames_additions_and_removals() {
        let db = Db::in_memory().unwrap();
        let cache = NameOrderCache::default();
        let insert = |phone: &str, name: &str| {
            db.with(|c| {
                c.execute(
                    "INSERT INTO contacts (phone_number, name, created_at, updated_at) VALUES (?1, ?2, 0, 0)",
                    [phone, name],
                )?;
                Ok(c.last_insert_rowid())
            })
            .unwrap()
        };
        let bruno = insert("+14155550101", "bruno");
        let ana = insert("+14155550102", "Ana");
        // No name: sorted by its number, which comes before letters.
        let nameless = insert("+14155550103", "");
        assert_eq!(
            places(&db, &cache, &[nameless, ana, bruno]),
            [Some(0), Some(1), Some(2)]
        );

        let carla = insert("+14155550104", "Carla");
        assert_eq!(places(&db, &cache, &[carla]), [Some(3)], "a new contact");

        db.with(|c| Ok(c.execute("UPDATE contacts SET name = 'Zoe' WHERE id = ?1", [ana])?))
            .unwrap();
        assert_eq!(
            places(&db, &cache, &[nameless, bruno, carla, ana]),
            [Some(0), Some(1), Some(2), Some(3)],
            "a rename"
        );

        db.with(|c| Ok(c.execute("DELETE FROM contacts WHERE id = ?1", [bruno])?))
            .unwrap();
        assert_eq!(
            places(&db, &cache, &[nameless, carla, ana]),
            [Some(0), Some(1), Some(2)],
            "a removal"
        );

        // SQLite gives the largest id to the next contact once its holder is removed: the cached
        // place of "Carla" must not be taken for "Zuri".
        assert_eq!(carla, ana + 2);
        db.with(|c| Ok(c.execute("DELETE FROM contacts WHERE id = ?1", [carla])?))
            .unwrap();
        let zuri = insert("+14155550105", "Zuri");
        assert_eq!(zuri, carla, "the id is reused");
        assert_eq!(
            places(&db, &cache, &[nameless, ana, zuri]),
            [Some(0), Some(1), Some(2)],
            "a removed contact's id reused"
        );
    }

    #[test]
    fn activity_that_keeps_the_name_keeps_the_order() {
        let db = Db::in_memory().unwrap();
        let version = || {
            db.with(|c| {
                Ok(
                    c.query_row("SELECT version FROM contacts_order_version", [], |r| {
                        r.get::<_, i64>(0)
                    })?,
                )
            })
            .unwrap()
        };
        db.with(|c| {
            Ok(c.execute(
                "INSERT INTO contacts (phone_number, name, created_at, updated_at) VALUES ('+14155550101', 'Ana', 0, 0)",
                [],
            )?)
        })
        .unwrap();
        let before = version();
        // What every inbound message does to its contact.
        db.with(|c| {
            Ok(c.execute(
                "UPDATE contacts SET phone_number = coalesce(phone_number, '+1'), push_name = 'Ana P',
                     messages_in = messages_in + 1, last_message_at = 5",
                [],
            )?)
        })
        .unwrap();
        assert_eq!(version(), before);
    }
}
