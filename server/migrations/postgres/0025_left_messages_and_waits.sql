-- Issue 17 (K-4): a message left in the widget is acknowledged by email through the outbox
-- with no agent behind it: NULL for the product's own acknowledgement.
ALTER TABLE email_outbox ALTER COLUMN agent_id DROP NOT NULL;

-- Issue 17: a waiting customer is told how long the CSQ's recent chats waited.
CREATE INDEX contacts_answered ON contacts (csq_id, accepted_at_ms);

-- Issue 17 (K-4): a message left in the widget is stored once, even posted twice at once.
CREATE UNIQUE INDEX emails_left_once ON emails (mailbox, message_id) WHERE uid_validity = 0;
