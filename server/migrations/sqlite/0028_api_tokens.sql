-- Issue 17: the tokens a CRM calls /api/v1 with. Only the secret's SHA-256 is kept; a
-- revoked token keeps its row (the administration lists it, the audit names it).
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'read_write')),
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER NOT NULL REFERENCES agents (id),
    created_at_ms INTEGER NOT NULL,
    last_used_at_ms INTEGER,
    revoked_at_ms INTEGER
);
