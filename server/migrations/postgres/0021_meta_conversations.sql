-- Issue 16: Messenger and WhatsApp conversations.

-- Who a customer is on a channel where they have no address of ours: a Messenger
-- page-scoped id, a WhatsApp id. One customer per handle; a customer may have several.
CREATE TABLE customer_handles (
    channel TEXT NOT NULL,
    handle TEXT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    PRIMARY KEY (channel, handle)
);

-- The customer's open chat on a channel is found from the customer.
CREATE INDEX contacts_customer ON contacts (customer_id, channel, status);

-- Every message Meta carried either way, by Meta's id: the line of the transcript it is
-- (Meta delivers at least once: a message seen again is not added again), and for the
-- business's messages what became of them (sent, delivered, read, failed) and when.
CREATE TABLE meta_messages (
    channel TEXT NOT NULL,
    message_id TEXT NOT NULL,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    inbound BOOLEAN NOT NULL,
    seq BIGINT,
    status TEXT,
    status_at_ms BIGINT,
    PRIMARY KEY (channel, message_id)
);

-- What of each Messenger or WhatsApp chat has gone to its customer through Meta's Send API.
-- The transcript is the outbox: every line up to sent_through is handled (sent with Meta's
-- id kept in meta_messages, not for the customer, or refused and said), and the lines
-- after it are sent in order, from a restart as well. A line whose Meta id is kept is
-- never sent again. A chat's row goes once it ended and everything is handled.
CREATE TABLE meta_outbox (
    contact_id BIGINT PRIMARY KEY REFERENCES contacts (id),
    channel TEXT NOT NULL,
    -- The customer's page-scoped id or WhatsApp id.
    recipient TEXT NOT NULL,
    sent_through BIGINT NOT NULL DEFAULT 0,
    -- When it is next looked at: now when lines wait, later after a failure, the end of
    -- a worker's lease while one sends.
    due_at_ms BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX meta_messages_line ON meta_messages (contact_id, seq);
