-- Users, queues, configuration, sessions and the agent state stream.
-- Times are Unix milliseconds (BIGINT) on both backends.

CREATE TABLE agents (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    alias TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    max_chats INTEGER NOT NULL DEFAULT 3,
    max_emails INTEGER NOT NULL DEFAULT 3,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE csqs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE csq_members (
    csq_id INTEGER NOT NULL REFERENCES csqs (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    PRIMARY KEY (csq_id, agent_id)
);

CREATE TABLE wrap_up_reasons (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE csq_wrap_up_reasons (
    csq_id INTEGER NOT NULL REFERENCES csqs (id) ON DELETE CASCADE,
    reason_id INTEGER NOT NULL REFERENCES wrap_up_reasons (id) ON DELETE CASCADE,
    PRIMARY KEY (csq_id, reason_id)
);

CREATE TABLE canned_responses (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('chat', 'email')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX sessions_agent ON sessions (agent_id);

-- Current state and the position of the agent's event stream.
CREATE TABLE agent_status (
    agent_id INTEGER PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    last_seq BIGINT NOT NULL
);

-- Every event of an agent's stream, for pages that resume after a reconnect.
CREATE TABLE agent_events (
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (agent_id, seq)
);

-- SPEC S-6: every state change with time and reason, for reports and audit.
CREATE TABLE agent_state_log (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    at_ms BIGINT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL,
    badge TEXT
);
CREATE INDEX agent_state_log_agent ON agent_state_log (agent_id, at_ms);
