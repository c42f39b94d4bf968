-- Issue 18: the supervisors' reports, counted in the database.

-- For an end by an agent: how long since the contact was last taken after a wait, or came
-- back to them after a failed send (its handle time, accept to end), kept with the step so a report sums it without a search.
ALTER TABLE contact_log ADD COLUMN handle_ms BIGINT;
UPDATE contact_log SET handle_ms = at_ms - (
    SELECT MAX(a.at_ms) FROM contact_log a
    WHERE a.contact_id = contact_log.contact_id AND a.id < contact_log.id
      AND (a.step = 'reopened' OR (a.step = 'accepted' AND a.wait_ms IS NOT NULL))
) WHERE step = 'ended' AND agent_id IS NOT NULL;

-- A report reads a period's steps from the index alone (a year of a 200-agent center is
-- millions of them); it serves what the index on the time alone served.
CREATE INDEX contact_log_report ON contact_log
    (at_ms, csq_id, step, channel, agent_id, reason, wait_ms, handle_ms);
DROP INDEX contact_log_at;

-- The time to an email's first reply and its sending.
CREATE INDEX email_outbox_contact ON email_outbox (contact_id, created_at_ms);
