-- Campaigns: what the scheduler keeps between steps so a restart resumes exactly where it was, and
-- the indexes that find a contact's recipients (opt-out, replies) and a message's recipient (acks).

-- The gap drawn after the campaign's last send, the sends in the current burst, and the sends that
-- failed in a row (a ban sign); when the next send may happen and why it waits, for the UI.
ALTER TABLE campaigns ADD COLUMN next_gap_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN burst_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN failures_in_row INTEGER NOT NULL DEFAULT 0;
ALTER TABLE campaigns ADD COLUMN next_send_at INTEGER;
ALTER TABLE campaigns ADD COLUMN waiting_for TEXT;

CREATE INDEX campaign_recipients_contact ON campaign_recipients (contact_id, sent_at);
CREATE INDEX campaign_recipients_message ON campaign_recipients (message_id) WHERE message_id IS NOT NULL;
