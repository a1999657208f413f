-- Indexes the dashboard's figures read instead of the tables (store/analytics.rs).

-- The scan of messages in time order (`each_message`, and the walk for answers that came after it)
-- reads only this index: it holds every column those queries select, in their `ORDER BY
-- wa_timestamp, id`. It starts with V1's `messages_time`, which it replaces.
CREATE INDEX messages_analytics
    ON messages (wa_timestamp, id, contact_id, direction, ack, campaign_id, type);
DROP INDEX messages_time;

-- A campaign's messages with what its funnel counts (campaigns with a message in a range: one
-- look-up each; when each first sent; sent, delivered, read, failed, to whom), without reading the
-- table. It starts with V1's `messages_campaign`, which it replaces.
CREATE INDEX messages_campaign_funnel
    ON messages (campaign_id, wa_timestamp, direction, ack, status, contact_id)
    WHERE campaign_id IS NOT NULL;
DROP INDEX messages_campaign;

-- A chat's messages in thread order, now with what tells a customer's reply and a business answer
-- apart, so the look-ups for a reply within 24 hours and for the next answer read no table rows.
-- Same order as V1's, which it replaces.
DROP INDEX messages_contact_time;
CREATE INDEX messages_contact_time
    ON messages (contact_id, wa_timestamp DESC, id DESC, direction, ack, campaign_id);

-- Contact growth: when each contact became known (the expression of `CONTACT_SINCE`, written the
-- same way so the planner matches it) and how; and the opt-outs by time.
CREATE INDEX contacts_since
    ON contacts (min(created_at, coalesce(first_message_at, created_at)), source);
CREATE INDEX contacts_opted_out_at ON contacts (opted_out_at) WHERE opted_out = 1;
