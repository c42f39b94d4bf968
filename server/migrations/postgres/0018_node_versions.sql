-- Rolling upgrades (issue 14): each node says which version of what nodes exchange through
-- the database (notices, routing requests and answers) it speaks, so the lead goes to the
-- newest one present. Nodes from before say nothing: version 1.
ALTER TABLE cluster_nodes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
