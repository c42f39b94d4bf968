-- What administrators changed, when and by whom (SPEC D-2): one line per change.
CREATE TABLE admin_audit (
    id INTEGER PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX admin_audit_at ON admin_audit (at_ms);
