-- One bad message never blocks a mailbox: every try to read a message is counted before it
-- starts (a crash while reading it counts too), and after three the message is set aside.
CREATE TABLE intake_attempts (
    mailbox TEXT NOT NULL,
    uid_validity BIGINT NOT NULL,
    uid BIGINT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    PRIMARY KEY (mailbox, uid_validity, uid)
);

-- Messages set aside: still in their mailbox (flagged), listed for the administrators.
CREATE TABLE unreadable_emails (
    id INTEGER PRIMARY KEY,
    mailbox TEXT NOT NULL,
    uid_validity BIGINT NOT NULL,
    uid BIGINT NOT NULL,
    from_text TEXT NOT NULL,
    subject TEXT NOT NULL,
    error TEXT NOT NULL,
    set_aside_at_ms BIGINT NOT NULL,
    UNIQUE (mailbox, uid_validity, uid)
);
