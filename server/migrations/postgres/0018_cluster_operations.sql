-- Rolling upgrades (issue 14): each node says which version of what nodes exchange through
-- the database (notices, routing requests and answers) it speaks, so the lead goes to the
-- newest one present. Nodes from before say nothing: version 1. And how many desktop
-- pages and widgets it holds open, for /healthz and /metrics.
ALTER TABLE cluster_nodes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cluster_nodes ADD COLUMN pages BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cluster_nodes ADD COLUMN widgets BIGINT NOT NULL DEFAULT 0;

-- What the node reading each mailbox last reported ("Connected", an error), so the
-- administration page of every node shows it.
CREATE TABLE mailbox_status (
    name TEXT PRIMARY KEY,
    node TEXT NOT NULL,
    status TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
