-- Accounts an administrator manages (SPEC D-2). A password someone else chose (the command
-- line's one-time password, an administrator's reset) must be changed at the next login; a
-- disabled user cannot log in and loses every session; usernames are unique ignoring case.
ALTER TABLE agents ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE agents ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX agents_username_folded ON agents (lower(username));
