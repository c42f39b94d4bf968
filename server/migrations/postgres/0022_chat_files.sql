-- Issue 16: files a chat's messages brought (a Messenger or WhatsApp customer's photo or
-- document). The bytes are in the files store, named by their SHA-256, as emails' are;
-- a row says this chat refers to them (who may download them, and that they are in use).
CREATE TABLE chat_files (
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    PRIMARY KEY (contact_id, sha256)
);
CREATE INDEX chat_files_sha256 ON chat_files (sha256);
