-- Email replies (SPEC R-1 to R-7, A-1 to A-3, Q-2): drafts with their files, and the outbox
-- a sent reply waits in until the SMTP server has it.

-- The mailbox's own address, never a Reply All recipient (SPEC R-1).
ALTER TABLE emails ADD COLUMN mailbox_address TEXT NOT NULL DEFAULT '';

-- SPEC R-4: one reply being written per email contact, kept until it is sent or discarded.
CREATE TABLE email_drafts (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    -- JSON arrays of addresses.
    to_list TEXT NOT NULL,
    cc_list TEXT NOT NULL,
    bcc_list TEXT NOT NULL,
    body TEXT NOT NULL,
    saved_at_ms BIGINT,
    -- SPEC R-7: the mail server's refusal of the last send.
    send_error TEXT
);

-- SPEC A-1, A-2: files attached to a draft or pasted into it; bytes in the data directory.
CREATE TABLE draft_files (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    inline BOOLEAN NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX draft_files_contact ON draft_files (contact_id, id);
CREATE INDEX draft_files_sha256 ON draft_files (sha256);
CREATE INDEX email_attachments_sha256 ON email_attachments (sha256);

-- SPEC R-7: built messages waiting for (or done with) the SMTP server. A row is written in
-- the same transaction that closes the contact, so a sent reply survives a restart.
CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    mailbox TEXT NOT NULL,
    envelope_from TEXT NOT NULL,
    -- JSON array: To, Cc and Bcc (Bcc is in no header).
    recipients TEXT NOT NULL,
    message BLOB NOT NULL,
    message_id TEXT NOT NULL,
    -- pending, sent or failed.
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at_ms BIGINT NOT NULL,
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    done_at_ms BIGINT
);
CREATE INDEX email_outbox_due ON email_outbox (state, next_attempt_at_ms);
