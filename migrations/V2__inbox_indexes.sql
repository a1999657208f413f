-- Indexes for the inbox's chat list: chats are contacts with at least one message, ordered by last
-- activity with the id as tie-break, paged by (last_message_at, id). Scanned backwards, these give the
-- newest chats first without sorting, so the first page costs the same with 10 or 100 000 chats.
CREATE INDEX contacts_chat_order ON contacts (last_message_at, id) WHERE last_message_at IS NOT NULL;
-- The "unread" filter walks only chats with something unread.
CREATE INDEX contacts_chat_unread ON contacts (last_message_at, id) WHERE unread_count > 0;
