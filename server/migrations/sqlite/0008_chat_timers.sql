-- SPEC K-5: what a chat's customer has been told by its timers, so that after a restart the
-- timers are set again from the stored facts and nothing is said twice: the no-agent message
-- after the join timeout, and the warning before a silent chat ends.
ALTER TABLE contacts ADD COLUMN join_told_at_ms BIGINT;
ALTER TABLE contacts ADD COLUMN silence_warned_at_ms BIGINT;
