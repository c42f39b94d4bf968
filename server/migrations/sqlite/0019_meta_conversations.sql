-- Issue 16: Messenger and WhatsApp conversations.

-- Who a customer is on a channel where they have no address of ours: a Messenger
-- page-scoped id, a WhatsApp id. One customer per handle; a customer may have several.
CREATE TABLE customer_handles (
    channel TEXT NOT NULL,
    handle TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
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
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    inbound BOOLEAN NOT NULL,
    seq BIGINT,
    status TEXT,
    status_at_ms BIGINT,
    PRIMARY KEY (channel, message_id)
);
CREATE INDEX meta_messages_contact ON meta_messages (contact_id);

-- The business's messages on their way to Meta's Send API, stored with their transcript
-- line before the first attempt, so a restart loses none; Meta's id is kept the moment
-- Meta answers, and a message that has one is never sent again.
CREATE TABLE meta_outbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    seq BIGINT NOT NULL,
    recipient TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    due_at_ms BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until_ms BIGINT,
    message_id TEXT,
    sent_at_ms BIGINT,
    failed_at_ms BIGINT,
    failure TEXT
);
CREATE INDEX meta_outbox_due ON meta_outbox (due_at_ms) WHERE sent_at_ms IS NULL AND failed_at_ms IS NULL;
