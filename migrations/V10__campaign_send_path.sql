-- What the campaign scheduler reads before every send, made independent of how many messages and
-- recipients there are (see docs/benchmarks.md, "Campaigns").

-- The recipient whose message is in the outbox: found without walking the pending ones.
CREATE INDEX campaign_recipients_in_flight ON campaign_recipients (campaign_id)
    WHERE status = 'pending' AND message_id IS NOT NULL;

-- Outgoing messages counted per minute of their time (UTC minutes: every local midnight falls on
-- one), so the pacing caps read the last hour and the day in at most a day's minutes of rows, however
-- many messages there are. Kept by triggers, so every way a message is written or removed counts:
-- the outbox, messages sent from the phone, erasing a contact.
CREATE TABLE outgoing_per_minute (
    minute INTEGER PRIMARY KEY,           -- wa_timestamp / 60000
    sent   INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO outgoing_per_minute (minute, sent)
    SELECT wa_timestamp / 60000, count(*) FROM messages WHERE direction = 'out' GROUP BY 1;

CREATE TRIGGER outgoing_per_minute_insert AFTER INSERT ON messages WHEN NEW.direction = 'out'
BEGIN
    INSERT INTO outgoing_per_minute (minute, sent) VALUES (NEW.wa_timestamp / 60000, 1)
        ON CONFLICT (minute) DO UPDATE SET sent = sent + 1;
END;

CREATE TRIGGER outgoing_per_minute_delete AFTER DELETE ON messages WHEN OLD.direction = 'out'
BEGIN
    UPDATE outgoing_per_minute SET sent = sent - 1 WHERE minute = OLD.wa_timestamp / 60000;
END;

CREATE TRIGGER outgoing_per_minute_update AFTER UPDATE OF wa_timestamp, direction ON messages
    WHEN OLD.direction = 'out' OR NEW.direction = 'out'
BEGIN
    UPDATE outgoing_per_minute SET sent = sent - 1
        WHERE OLD.direction = 'out' AND minute = OLD.wa_timestamp / 60000;
    INSERT INTO outgoing_per_minute (minute, sent)
        SELECT NEW.wa_timestamp / 60000, 1 WHERE NEW.direction = 'out'
        ON CONFLICT (minute) DO UPDATE SET sent = sent + 1;
END;
