-- Issue 17 (K-4): each CSQ's business hours (JSON: time zone, week, holidays); none is
-- always open.
ALTER TABLE csqs ADD COLUMN business_hours TEXT;
