-- Issue 13: the reads that run per email taken in and per chat started reach their rows
-- through an index instead of scanning tables that grow with traffic.
-- An email's sender is matched to a customer case-insensitively.
CREATE INDEX customers_email_folded ON customers (lower(email));
-- An email's references are looked up among the replies sent (kept forever).
CREATE INDEX email_outbox_message_id ON email_outbox (message_id);
-- The chats waiting in one CSQ are counted at every chat start.
CREATE INDEX contacts_waiting ON contacts (csq_id, status);
