-- Issue 16: when Meta took each of the business's messages, which Messenger's delivery and
-- read watermarks ("every message sent before this time") are compared with.
ALTER TABLE meta_messages ADD COLUMN sent_at_ms BIGINT;
