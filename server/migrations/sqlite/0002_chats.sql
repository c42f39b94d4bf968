-- Web chat: settings, problem statements mapped to CSQs, customers, contacts and their
-- numbered transcript lines.

-- Administrator settings as key/value text; defaults live in the code.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- SPEC K-2: the pre-chat form's problem statements, each routed to a CSQ.
CREATE TABLE problem_statements (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    csq_id INTEGER NOT NULL REFERENCES csqs (id),
    position INTEGER NOT NULL DEFAULT 0,
    retired BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    csq_id INTEGER NOT NULL REFERENCES csqs (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    -- queued, offered, active or ended
    status TEXT NOT NULL,
    end_reason TEXT,
    agent_id INTEGER REFERENCES agents (id),
    problem TEXT NOT NULL DEFAULT '',
    created_at_ms BIGINT NOT NULL,
    queued_at_ms BIGINT NOT NULL,
    accepted_at_ms BIGINT,
    ended_at_ms BIGINT,
    -- Position of the transcript's stream (SPEC K-3).
    last_seq BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX contacts_open ON contacts (status, queued_at_ms);

-- SPEC P-5: every line of every chat, kept with the contact.
CREATE TABLE chat_lines (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    -- 'customer', 'agent:<id>' or 'system'
    sender TEXT NOT NULL,
    client_id TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (contact_id, seq)
);
-- SPEC K-3: a resend with the same id from the same sender is stored once.
CREATE UNIQUE INDEX chat_lines_client ON chat_lines (contact_id, sender, client_id);
