-- Contacts: find a number by any fragment of its digits ("5550" finds +14155550132), and sort the
-- table by the name it shows without sorting 100 000 rows per page.

-- Trigram index over the E.164 number: FTS5 matches any substring of 3+ characters in it.
CREATE VIRTUAL TABLE contacts_phone_fts USING fts5(
    phone_number,
    content = 'contacts', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO contacts_phone_fts (contacts_phone_fts) VALUES ('rebuild');
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

-- Keyset pagination of the contacts table: each sort order has an index ending in id, and the
-- queries use exactly these expressions (see crates/engine/src/store/contacts.rs).
CREATE INDEX contacts_sort_name ON contacts (
    coalesce(nullif(name, ''), nullif(push_name, ''), phone_number, wa_id) COLLATE NOCASE, id
);
CREATE INDEX contacts_sort_last_message ON contacts (coalesce(last_message_at, 0), id);
CREATE INDEX contacts_sort_created ON contacts (created_at, id);
