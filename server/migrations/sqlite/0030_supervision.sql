-- Issue 18: what supervisors watch, and what their reports are computed from.

-- Every step of a contact's life, with the queue and agent it concerned then (the contact's
-- own row keeps only where it is now): written in the same transaction as the step, so a
-- figure counts exactly what happened.
CREATE TABLE contact_log (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    at_ms BIGINT NOT NULL,
    -- queued, offered, offer_withdrawn, accepted, requeued, transferred, reopened, ended
    step TEXT NOT NULL,
    channel TEXT NOT NULL,
    csq_id INTEGER NOT NULL,
    agent_id INTEGER,
    -- an end's reason (ended_by_agent, abandoned, ...), for 'ended'
    reason TEXT,
    -- for a take ('accepted' after a wait, not a group chat changing hands) and an end
    -- before any agent took it: how long it had waited since it last came into a queue
    wait_ms BIGINT
);
CREATE INDEX contact_log_at ON contact_log (at_ms);
CREATE INDEX contact_log_contact ON contact_log (contact_id, id);

-- What came before, as far as the contacts themselves tell it: their arrival, their accept
-- and their end (offers and requeues were not kept; an email waiting again after a requeue
-- has only its arrival, so its next take counts its wait). An email a CRM sent never came
-- into a queue.
INSERT INTO contact_log (contact_id, at_ms, step, channel, csq_id, agent_id, reason)
SELECT id, queued_at_ms, 'queued', channel, csq_id, NULL, NULL FROM contacts
WHERE NOT (channel = 'email' AND accepted_at_ms IS NULL
           AND COALESCE(end_reason, '') = '"sent"');
INSERT INTO contact_log (contact_id, at_ms, step, channel, csq_id, agent_id, reason, wait_ms)
SELECT id, accepted_at_ms, 'accepted', channel, csq_id, agent_id, NULL,
accepted_at_ms - queued_at_ms FROM contacts
WHERE accepted_at_ms IS NOT NULL AND status <> 'queued';
INSERT INTO contact_log (contact_id, at_ms, step, channel, csq_id, agent_id, reason, wait_ms)
SELECT id, ended_at_ms, 'ended', channel, csq_id, agent_id, json_extract(end_reason, '$'),
CASE WHEN agent_id IS NULL AND end_reason <> '"sent"' THEN ended_at_ms - queued_at_ms END
FROM contacts WHERE ended_at_ms IS NOT NULL AND end_reason IS NOT NULL;

-- SPEC S-6: the state each change led to, by name, so time in each state sums in SQL
-- (to_state keeps the whole status; a node of the previous release writes none: read
-- to_state then).
ALTER TABLE agent_state_log ADD COLUMN state TEXT;
UPDATE agent_state_log SET state = json_extract(to_state, '$.state');

-- An agent's state now by name, with the reason it came and since when: the supervisors'
-- live view reads every agent's at once (trusting them only while `state` agrees with
-- `status`, which a node of the previous release updates alone).
ALTER TABLE agent_status ADD COLUMN state TEXT;
ALTER TABLE agent_status ADD COLUMN state_reason TEXT;
ALTER TABLE agent_status ADD COLUMN state_since_ms BIGINT;
UPDATE agent_status SET state = json_extract(status, '$.state');
UPDATE agent_status SET state_since_ms = (
    SELECT MAX(l.at_ms) FROM agent_state_log l WHERE l.agent_id = agent_status.agent_id
), state_reason = (
    SELECT l.reason FROM agent_state_log l WHERE l.agent_id = agent_status.agent_id
    ORDER BY l.at_ms DESC, l.id DESC LIMIT 1
);

-- The agent's first line in a chat, for the first response time.
ALTER TABLE contacts ADD COLUMN first_response_at_ms BIGINT;
UPDATE contacts SET first_response_at_ms = (
    SELECT MIN(l.at_ms) FROM chat_lines l
    WHERE l.contact_id = contacts.id AND l.sender LIKE 'agent:%'
) WHERE channel <> 'email';

-- The CSQs each supervisor watches live and reports on (an administrator sees them all).
CREATE TABLE csq_supervisors (
    csq_id INTEGER NOT NULL REFERENCES csqs (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    PRIMARY KEY (csq_id, agent_id)
);
CREATE INDEX csq_supervisors_agent ON csq_supervisors (agent_id);

-- The service level's threshold per CSQ: the share of its contacts answered within it.
ALTER TABLE csqs ADD COLUMN service_level_secs BIGINT NOT NULL DEFAULT 20;
