-- Issue 17: outgoing webhooks. An administrator's webhook names a URL, the events it wants
-- (a JSON array of names) and a secret (sealed: only the server signs with it). A deleted
-- one keeps its row for its delivery log; a disabled one is sent nothing new.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES agents (id),
    created_at_ms INTEGER NOT NULL,
    disabled_at_ms INTEGER,
    deleted_at_ms INTEGER
);

-- What happened, written in the same transaction as the change itself (and only while some
-- webhook wants that event), so nothing is lost or told without having happened. A task
-- turns each into one delivery per webhook wanting it, in id order, with its body.
CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY,
    event TEXT NOT NULL,
    contact_id INTEGER,
    customer_id INTEGER,
    agent_id INTEGER,
    seq INTEGER,
    at_ms INTEGER NOT NULL,
    fanned_out_at_ms INTEGER
);
CREATE INDEX webhook_events_waiting ON webhook_events (id) WHERE fanned_out_at_ms IS NULL;

-- One event for one webhook: sent until the receiver answers 2xx, retried with a growing
-- delay, failed after a day (or when its webhook is deleted); within a subject (a
-- conversation, a customer) one at a time, in event order.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id),
    event_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at_ms INTEGER NOT NULL,
    done_at_ms INTEGER,
    -- Sent again by an administrator: tried for another day from then.
    replayed_at_ms INTEGER,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at_ms)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_subject ON webhook_deliveries (webhook_id, subject, event_id)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
