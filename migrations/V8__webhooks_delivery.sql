-- Webhooks: secret rotation, automatic disabling, and what the delivery log shows. Idempotent sends.

-- The secret replaced by a rotation keeps signing beside the new one until `previous_secret_until`.
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
ALTER TABLE webhooks ADD COLUMN previous_secret_until INTEGER;
-- Deliveries that finally failed in a row; the webhook is disabled (with the reason) after too many.
ALTER TABLE webhooks ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;

-- The last attempt, for the delivery log.
ALTER TABLE webhook_deliveries ADD COLUMN response_excerpt TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN duration_ms INTEGER;
ALTER TABLE webhook_deliveries ADD COLUMN last_attempt_at INTEGER;
-- Each webhook's deliveries in order: the oldest pending one goes first.
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (webhook_id, state, id);

-- `Idempotency-Key` on sends: the first answer, replayed for the same caller and key for 24 h.
CREATE TABLE idempotency_keys (
    caller     TEXT    NOT NULL,               -- api-key:<id> | session | desktop
    key        TEXT    NOT NULL,
    route      TEXT    NOT NULL,               -- method and path the key was first used on
    status     INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
