-- Queues the administrators manage (SPEC D-2): a retired CSQ takes no new contact (those
-- waiting stay until handled); CSQ names are unique ignoring case.
ALTER TABLE csqs ADD COLUMN retired BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX csqs_name_folded ON csqs (lower(name));
