-- Issue 16: Facebook Messenger and WhatsApp (SPEC F-1, F-2, F-3). One row per channel, as the
-- administrator sets it up: its settings as JSON (never a secret) and its app secret and
-- access token sealed with the key kept outside the database (src/secrets.rs).
CREATE TABLE meta_channels (
    channel TEXT PRIMARY KEY,
    enabled BOOLEAN NOT NULL,
    settings TEXT NOT NULL,
    app_secret TEXT,
    access_token TEXT,
    updated_at_ms BIGINT NOT NULL
);

-- Each webhook post Meta made, its body exactly as signed, stored before Meta is answered
-- (Meta delivers again when not answered in time) and handled after; done_at_ms is set
-- once its events are in the conversations.
CREATE TABLE meta_webhook_inbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    body BLOB NOT NULL,
    received_at_ms BIGINT NOT NULL,
    done_at_ms BIGINT
);
CREATE INDEX meta_webhook_inbox_pending ON meta_webhook_inbox (id) WHERE done_at_ms IS NULL;
