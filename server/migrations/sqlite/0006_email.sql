-- Email contacts (SPEC E-1 to E-4, Q-1): what was taken from each mailbox, the messages
-- with their threads and files, and who may no longer receive a requeued contact.

-- Per mailbox, the last UID taken under its UIDVALIDITY. Moved forward in the same
-- transaction as the contact each message becomes, so a crash never loses or repeats one.
CREATE TABLE mailbox_progress (
    mailbox TEXT PRIMARY KEY,
    uid_validity BIGINT NOT NULL,
    last_uid BIGINT NOT NULL
);

-- SPEC E-4: a conversation by Message-ID references, and the agent who last handled it.
CREATE TABLE email_threads (
    id INTEGER PRIMARY KEY,
    last_agent_id INTEGER REFERENCES agents (id),
    last_agent_at_ms BIGINT,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE emails (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    mailbox TEXT NOT NULL,
    uid_validity BIGINT NOT NULL,
    uid BIGINT NOT NULL,
    thread_id INTEGER NOT NULL REFERENCES email_threads (id),
    message_id TEXT,
    -- JSON arrays of message ids.
    in_reply_to TEXT NOT NULL,
    refs TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- The subject without Re:/Fwd: prefixes, lower case: the threading fallback.
    thread_subject TEXT NOT NULL,
    from_address TEXT NOT NULL,
    from_name TEXT,
    -- JSON arrays of addresses.
    to_list TEXT NOT NULL,
    cc_list TEXT NOT NULL,
    sent_at_ms BIGINT,
    received_at_ms BIGINT NOT NULL,
    text_body TEXT NOT NULL,
    -- Sanitized before it is stored; NULL for a plain-text message.
    html_body TEXT,
    has_remote_images BOOLEAN NOT NULL,
    -- JSON array of the parts not kept and why (SPEC E-3).
    skipped TEXT NOT NULL,
    UNIQUE (mailbox, uid_validity, uid)
);
CREATE INDEX emails_message_id ON emails (message_id);
CREATE INDEX emails_thread_subject ON emails (from_address, thread_subject);

-- SPEC E-2: files of an email; the bytes are in the data directory, named by their SHA-256.
CREATE TABLE email_attachments (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content_id TEXT,
    inline BOOLEAN NOT NULL
);
CREATE INDEX email_attachments_contact ON email_attachments (contact_id, position);

-- SPEC Q-1, S-5: agents a requeued contact never goes back to.
CREATE TABLE contact_exclusions (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    PRIMARY KEY (contact_id, agent_id)
);

CREATE INDEX customers_email ON customers (email);
