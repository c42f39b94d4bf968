-- SPEC G-1 to G-5: the second agent of a group chat, with the invitation's notes, which
-- only that agent sees and which go when the chat ends (G-5). The owner stays in contacts.
CREATE TABLE chat_guests (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    notes TEXT NOT NULL,
    joined_at_ms BIGINT NOT NULL
);

-- SPEC G-1: an invitation waiting for its answer (one per chat), with its notes.
CREATE TABLE chat_invitations (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    from_agent_id INTEGER NOT NULL REFERENCES agents (id),
    csq_id INTEGER NOT NULL REFERENCES csqs (id),
    notes TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
