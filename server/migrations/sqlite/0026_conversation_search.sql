-- Issue 17: the Conversations page's search. An ended conversation's text (its lines, or its
-- email and the reply sent), folded by the server (lower case, no accents, words only), is
-- kept once in an FTS5 table whose rowid is the contact's id. The server indexes ended
-- contacts not yet indexed, a few at a time, so the hot paths write nothing more.
ALTER TABLE contacts ADD COLUMN search_indexed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX contacts_to_index ON contacts (id) WHERE status = 'ended' AND NOT search_indexed;
CREATE VIRTUAL TABLE search_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2');
-- Found conversations come newest first.
CREATE INDEX contacts_started ON contacts (created_at_ms);
-- The text of an agent's reply, kept once sent: the built message's bytes are dropped then,
-- and the draft deleted, but the conversation's search and transcript still say it.
ALTER TABLE email_outbox ADD COLUMN reply_text TEXT;
