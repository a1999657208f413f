-- WhatsFlow's first schema: one local business, one WhatsApp number.
-- Times are INTEGER unix milliseconds (UTC). Booleans are INTEGER 0/1.
-- Migrations are append-only: change the schema with a new V{n}__{name}.sql, never by editing this file.

-- The one business this installation serves (a single row, id = 1).
CREATE TABLE business_profile (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    business_name TEXT    NOT NULL,
    industry      TEXT    NOT NULL DEFAULT '',
    website       TEXT    NOT NULL DEFAULT '',
    description   TEXT    NOT NULL DEFAULT '',
    business_type TEXT    NOT NULL DEFAULT '',
    country       TEXT    NOT NULL,            -- ISO 3166-1 alpha-2; the default phone region
    timezone      TEXT    NOT NULL,            -- IANA name
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- The linked WhatsApp number (a single row, id = 1) and its last known state.
CREATE TABLE whatsapp_connection (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    phone_number      TEXT,                    -- E.164 of the linked number
    wid               TEXT,                    -- own WhatsApp id, e.g. 15551234567@c.us
    push_name         TEXT,
    state             TEXT    NOT NULL DEFAULT 'logged-out',
    detail            TEXT,
    wa_version        TEXT,                    -- window.Debug.VERSION of the running site
    linked_at         INTEGER,
    last_connected_at INTEGER,
    updated_at        INTEGER NOT NULL
);

-- Key/value settings (app lock hash, API server switch, pacing defaults, ...). Values are JSON.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE contacts (
    id               INTEGER PRIMARY KEY,
    phone_number     TEXT UNIQUE,              -- E.164; NULL for an @lid sender whose phone is unknown
    wa_id            TEXT UNIQUE,              -- 15551234567@c.us or 1234@lid
    name             TEXT    NOT NULL DEFAULT '',
    push_name        TEXT    NOT NULL DEFAULT '',
    email            TEXT    NOT NULL DEFAULT '',
    notes            TEXT    NOT NULL DEFAULT '',
    fields           TEXT    NOT NULL DEFAULT '{}', -- custom fields, a JSON object of strings
    opted_out        INTEGER NOT NULL DEFAULT 0,
    opted_out_at     INTEGER,
    source           TEXT    NOT NULL DEFAULT 'manual', -- manual | conversation | import | api
    first_message_at INTEGER,
    last_message_at  INTEGER,
    messages_in      INTEGER NOT NULL DEFAULT 0,
    messages_out     INTEGER NOT NULL DEFAULT 0,
    unread_count     INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK (phone_number IS NOT NULL OR wa_id IS NOT NULL)
);
CREATE INDEX contacts_last_message ON contacts (last_message_at DESC);
CREATE INDEX contacts_name ON contacts (name COLLATE NOCASE);
CREATE INDEX contacts_created ON contacts (created_at DESC);

CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    color      TEXT    NOT NULL,               -- #rrggbb
    created_at INTEGER NOT NULL
);

CREATE TABLE contact_tags (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (contact_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX contact_tags_tag ON contact_tags (tag_id, contact_id);

CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL,
    message_content  TEXT    NOT NULL,
    media_path       TEXT,
    media_mime       TEXT,
    media_filename   TEXT,
    target_type      TEXT    NOT NULL CHECK (target_type IN ('all', 'tags', 'custom')),
    target_tags      TEXT    NOT NULL DEFAULT '[]', -- JSON array of tag ids
    tag_mode         TEXT    NOT NULL DEFAULT 'any' CHECK (tag_mode IN ('any', 'all')),
    exclude_tags     TEXT    NOT NULL DEFAULT '[]',
    contact_ids      TEXT    NOT NULL DEFAULT '[]',
    pacing           TEXT    NOT NULL DEFAULT '{}', -- JSON pacing policy
    status           TEXT    NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'completed', 'cancelled', 'failed')),
    status_reason    TEXT,
    scheduled_at     INTEGER,
    started_at       INTEGER,
    completed_at     INTEGER,
    total_recipients INTEGER NOT NULL DEFAULT 0,
    sent_count       INTEGER NOT NULL DEFAULT 0,
    delivered_count  INTEGER NOT NULL DEFAULT 0,
    read_count       INTEGER NOT NULL DEFAULT 0,
    failed_count     INTEGER NOT NULL DEFAULT 0,
    skipped_count    INTEGER NOT NULL DEFAULT 0,
    replied_count    INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX campaigns_status ON campaigns (status, scheduled_at);

-- Recipients are frozen when a campaign starts.
CREATE TABLE campaign_recipients (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    contact_id   INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    phone_number TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'skipped', 'sent', 'delivered', 'read', 'failed', 'replied')),
    reason       TEXT,
    message_id   INTEGER,                      -- messages.id once queued
    sent_at      INTEGER,
    delivered_at INTEGER,
    read_at      INTEGER,
    replied_at   INTEGER,
    UNIQUE (campaign_id, contact_id)
);
CREATE INDEX campaign_recipients_next ON campaign_recipients (campaign_id, status, position);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    wa_message_id   TEXT    NOT NULL UNIQUE,   -- WhatsApp's serialized id; chosen before sending for outbound
    contact_id      INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    type            TEXT    NOT NULL,          -- chat | image | video | audio | ptt | document | sticker | location | vcard | revoked ...
    body            TEXT    NOT NULL DEFAULT '',
    caption         TEXT,
    media_path      TEXT,                      -- relative to the data directory
    media_mime      TEXT,
    media_filename  TEXT,
    media_size      INTEGER,
    quoted_wa_id    TEXT,
    status          TEXT    NOT NULL           -- queued | sending | sent | delivered | read | played | failed | received
        CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'read', 'played', 'failed', 'received')),
    ack             INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    campaign_id     INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    wa_timestamp    INTEGER NOT NULL,          -- when WhatsApp says it happened
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX messages_contact_time ON messages (contact_id, wa_timestamp DESC, id DESC);
CREATE INDEX messages_time ON messages (wa_timestamp DESC);
CREATE INDEX messages_campaign ON messages (campaign_id) WHERE campaign_id IS NOT NULL;

-- Sends committed before they reach WhatsApp: a row per pending send, removed when WhatsApp has it.
-- A row found 'sending' after a crash is reconciled by looking its message id up before any retry.
CREATE TABLE outbox (
    message_id   INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    state        TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_try_at  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,             -- first characters, shown to tell keys apart
    key_hash     TEXT    NOT NULL UNIQUE,      -- SHA-256 of the key; the key itself is shown once
    scopes       TEXT    NOT NULL,             -- JSON array: read | send | admin
    last_used_at INTEGER,
    revoked_at   INTEGER,
    created_at   INTEGER NOT NULL
);

CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL,
    events     TEXT    NOT NULL,               -- JSON array of event names
    secret     TEXT    NOT NULL,               -- whsec_...
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL,          -- webhook-id header; stable across retries
    event_type      TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);

CREATE TABLE daily_stats (
    date              TEXT PRIMARY KEY,        -- YYYY-MM-DD in the business's time zone
    messages_sent     INTEGER NOT NULL DEFAULT 0,
    messages_received INTEGER NOT NULL DEFAULT 0,
    messages_delivered INTEGER NOT NULL DEFAULT 0,
    messages_read     INTEGER NOT NULL DEFAULT 0,
    new_contacts      INTEGER NOT NULL DEFAULT 0,
    replies           INTEGER NOT NULL DEFAULT 0,
    response_time_ms_total INTEGER NOT NULL DEFAULT 0,
    response_count    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,               -- desktop | api-key:<id> | session | system
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC);

-- Full-text search. External-content tables kept in step by triggers.
CREATE VIRTUAL TABLE contacts_fts USING fts5(
    name, push_name, phone_number, email, notes,
    content = 'contacts', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, name, push_name, phone_number, email, notes)
    VALUES (new.id, new.name, new.push_name, coalesce(new.phone_number, ''), new.email, new.notes);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, name, push_name, phone_number, email, notes)
    VALUES ('delete', old.id, old.name, old.push_name, coalesce(old.phone_number, ''), old.email, old.notes);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, push_name, phone_number, email, notes ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, name, push_name, phone_number, email, notes)
    VALUES ('delete', old.id, old.name, old.push_name, coalesce(old.phone_number, ''), old.email, old.notes);
    INSERT INTO contacts_fts (rowid, name, push_name, phone_number, email, notes)
    VALUES (new.id, new.name, new.push_name, coalesce(new.phone_number, ''), new.email, new.notes);
END;

CREATE VIRTUAL TABLE messages_fts USING fts5(
    body, caption,
    content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
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
