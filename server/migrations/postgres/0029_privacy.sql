-- Issue 17: privacy. An erased customer keeps their row (their conversations point to it,
-- and the statistics count them) without a name or addresses. A conversation whose contents
-- were erased (its customer erased, or the retention reached it) keeps its channel, queue,
-- agent, times and wrap-up reasons, and its lines their senders and times.
ALTER TABLE customers ADD COLUMN erased_at_ms BIGINT;
ALTER TABLE contacts ADD COLUMN contents_erased_at_ms BIGINT;
-- The retention looks for ended conversations whose contents are still kept, oldest first.
CREATE INDEX contacts_contents_kept ON contacts (ended_at_ms) WHERE contents_erased_at_ms IS NULL;
-- Agents' events are kept a day for pages that reconnect, then removed by their time.
CREATE INDEX agent_events_at ON agent_events (at_ms);
