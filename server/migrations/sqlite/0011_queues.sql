-- Queues the administrators manage (SPEC D-2): a retired CSQ is offered on no pre-chat form
-- (what waits in it stays until handled); CSQ names are unique ignoring case.
ALTER TABLE csqs ADD COLUMN retired BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX csqs_name_folded ON csqs (lower(name));
