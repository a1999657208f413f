-- Contacts: fewer structures to keep up on every write, and a version the search's in-memory name
-- order checks (crates/engine/src/store/name_order.rs).

-- Superseded by the keyset indexes of V3 (table sorts) and V2 (chat list); nothing reads them.
DROP INDEX contacts_last_message;
DROP INDEX contacts_name;
DROP INDEX contacts_created;

-- The word index, rebuilt without the phone column (V3's trigram index finds a number by any
-- fragment) and without per-row token counts (`columnsize = 0`: contacts are sorted by the table's
-- own columns, never ranked by bm25).
DROP TRIGGER contacts_fts_insert;
DROP TRIGGER contacts_fts_delete;
DROP TRIGGER contacts_fts_update;
DROP TABLE contacts_fts;

CREATE VIRTUAL TABLE contacts_fts USING fts5(
    name, push_name, email, notes,
    content = 'contacts', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2',
    columnsize = 0
);
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, name, push_name, email, notes)
    VALUES (new.id, new.name, new.push_name, new.email, new.notes);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, name, push_name, email, notes)
    VALUES ('delete', old.id, old.name, old.push_name, old.email, old.notes);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, push_name, email, notes ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, name, push_name, email, notes)
    VALUES ('delete', old.id, old.name, old.push_name, old.email, old.notes);
    INSERT INTO contacts_fts (rowid, name, push_name, email, notes)
    VALUES (new.id, new.name, new.push_name, new.email, new.notes);
END;
INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild');

-- The number index, rebuilt as trigrams without positions (`detail = 'none'`): a fragment of digits
-- is looked up with `LIKE '%5550%'`, which FTS5 answers from the trigrams and SQLite checks
-- against the number, so positions were never needed. A third of the size, and of the work.
DROP TRIGGER contacts_phone_fts_insert;
DROP TRIGGER contacts_phone_fts_delete;
DROP TRIGGER contacts_phone_fts_update;
DROP TABLE contacts_phone_fts;

CREATE VIRTUAL TABLE contacts_phone_fts USING fts5(
    phone_number,
    content = 'contacts', content_rowid = 'id', tokenize = 'trigram', detail = 'none',
    columnsize = 0
);
CREATE TRIGGER contacts_phone_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_phone_fts (rowid, phone_number) VALUES (new.id, coalesce(new.phone_number, ''));
END;
CREATE TRIGGER contacts_phone_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_phone_fts (contacts_phone_fts, rowid, phone_number)
    VALUES ('delete', old.id, coalesce(old.phone_number, ''));
END;
CREATE TRIGGER contacts_phone_fts_update AFTER UPDATE OF phone_number ON contacts BEGIN
    INSERT INTO contacts_phone_fts (contacts_phone_fts, rowid, phone_number)
    VALUES ('delete', old.id, coalesce(old.phone_number, ''));
    INSERT INTO contacts_phone_fts (rowid, phone_number) VALUES (new.id, coalesce(new.phone_number, ''));
END;
INSERT INTO contacts_phone_fts (contacts_phone_fts) VALUES ('rebuild');

-- Moves whenever a contact's name-order key (the expression of V3's `contacts_sort_name`) changes
-- or a contact is removed, so a name order cached in memory knows, in the same read transaction,
-- that it is stale. (A removed contact's id may be given to the next contact added.) Added contacts
-- need no version: a search that finds a contact the cached order lacks reads the order again.
CREATE TABLE contacts_order_version (version INTEGER NOT NULL);
INSERT INTO contacts_order_version VALUES (0);
CREATE TRIGGER contacts_order_update AFTER UPDATE OF name, push_name, phone_number, wa_id ON contacts
WHEN coalesce(nullif(old.name, ''), nullif(old.push_name, ''), old.phone_number, old.wa_id)
     IS NOT coalesce(nullif(new.name, ''), nullif(new.push_name, ''), new.phone_number, new.wa_id)
BEGIN
    UPDATE contacts_order_version SET version = version + 1;
END;
CREATE TRIGGER contacts_order_delete AFTER DELETE ON contacts BEGIN
    UPDATE contacts_order_version SET version = version + 1;
END;
