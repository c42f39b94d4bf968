-- Issue 17 (K-4): a message left in the widget is acknowledged by email through the outbox
-- with no agent behind it, so the outbox's agent may be empty. SQLite changes a column's
-- NOT NULL only by building the table again (nothing refers to its rows).
CREATE TABLE email_outbox_new (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    -- The agent whose reply it is; NULL for the product's own acknowledgement.
    agent_id INTEGER REFERENCES agents (id),
    mailbox TEXT NOT NULL,
    envelope_from TEXT NOT NULL,
    recipients TEXT NOT NULL,
    message BLOB NOT NULL,
    message_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at_ms BIGINT NOT NULL,
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    done_at_ms BIGINT
);
INSERT INTO email_outbox_new SELECT id, contact_id, agent_id, mailbox, envelope_from,
    recipients, message, message_id, state, attempts, next_attempt_at_ms, last_error,
    created_at_ms, done_at_ms FROM email_outbox;
DROP TABLE email_outbox;
ALTER TABLE email_outbox_new RENAME TO email_outbox;
CREATE INDEX email_outbox_due ON email_outbox (state, next_attempt_at_ms);
CREATE INDEX email_outbox_message_id ON email_outbox (message_id);

-- Issue 17: a waiting customer is told how long the CSQ's recent chats waited.
CREATE INDEX contacts_answered ON contacts (csq_id, accepted_at_ms);

-- Issue 17 (K-4): a message left in the widget is stored once, even posted twice at once.
CREATE UNIQUE INDEX emails_left_once ON emails (mailbox, message_id) WHERE uid_validity = 0;
