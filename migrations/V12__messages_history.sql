-- Messages read from WhatsApp Web's loaded chats after linking or reconnecting (history backfill),
-- as opposed to messages that arrived live: they raised no notification and no webhook.
ALTER TABLE messages ADD COLUMN history INTEGER NOT NULL DEFAULT 0;
