-- Whether the contact's wrap-up options were copied (they may be none).
ALTER TABLE contacts ADD COLUMN wrap_up_taken BOOLEAN NOT NULL DEFAULT FALSE;

-- SPEC W-2: the wrap-up reasons a contact offers, copied from its CSQ when it is first
-- assigned, so later administrator changes apply to new contacts only.
CREATE TABLE contact_wrap_up_options (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    reason_id INTEGER NOT NULL REFERENCES wrap_up_reasons (id),
    label TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (contact_id, reason_id)
);

-- SPEC W-1: each agent's choice on a contact (at most five, checked by the server).
CREATE TABLE contact_wrap_up (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    reason_id INTEGER NOT NULL REFERENCES wrap_up_reasons (id),
    PRIMARY KEY (contact_id, agent_id, reason_id)
);
