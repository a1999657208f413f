-- Message search types prefixes ("deliv" finds "delivery"): FTS5 answers a prefix query by merging the
-- posting lists of every word that starts with it, which for two or three letters is most of the
-- vocabulary. Prefix indexes of 2 and 3 characters make those one list each. The table is rebuilt
-- from `messages` (external content), with the same triggers as before.
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
DROP TABLE messages_fts;

CREATE VIRTUAL TABLE messages_fts USING fts5(
    body, caption,
    content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body, caption) VALUES (new.id, new.body, coalesce(new.caption, ''));
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body, caption)
    VALUES ('delete', old.id, old.body, coalesce(old.caption, ''));
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, caption ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body, caption)
    VALUES ('delete', old.id, old.body, coalesce(old.caption, ''));
    INSERT INTO messages_fts (rowid, body, caption) VALUES (new.id, new.body, coalesce(new.caption, ''));
END;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
