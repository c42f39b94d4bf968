-- Canned responses the administrators manage (SPEC R-3, D-2): each is global (no CSQ) or
-- offered on the contacts of one CSQ.
ALTER TABLE canned_responses ADD COLUMN csq_id BIGINT REFERENCES csqs (id);
