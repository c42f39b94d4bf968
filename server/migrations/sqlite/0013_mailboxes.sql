-- Mailboxes the administrators manage (SPEC E-1, R-5, R-7, D-2). The settings are JSON
-- (servers, folder, sender, signature; never a secret); each password is sealed with a key
-- kept outside the database (src/secrets.rs), so a copy of the database reveals none.
CREATE TABLE mailboxes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    csq_id INTEGER NOT NULL REFERENCES csqs (id),
    enabled BOOLEAN NOT NULL,
    settings TEXT NOT NULL,
    imap_secret TEXT,
    smtp_secret TEXT,
    updated_at_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX mailboxes_name_folded ON mailboxes (lower(name));
