-- Messages changed after they arrived: deleted for everyone by their sender (revoked) or edited.
-- The text as it first arrived stays with the business (the inbox shows "deleted" / "edited").
ALTER TABLE messages ADD COLUMN revoked_at INTEGER;       -- when WhatsApp said it was deleted
ALTER TABLE messages ADD COLUMN edited_at INTEGER;        -- when the last edit arrived
ALTER TABLE messages ADD COLUMN original_text TEXT;       -- the body (or media caption) before the first edit
