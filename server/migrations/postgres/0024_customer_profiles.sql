-- Issue 16: one customer across channels.

-- The name a person goes by on a channel (their WhatsApp or Messenger profile), kept with
-- their handle: the customer's own record may carry another (the one a web chat's form
-- gave), and a profile name changes when its owner changes it.
ALTER TABLE customer_handles ADD COLUMN profile_name TEXT;

-- A customer's phone as its digits only, so a WhatsApp number (digits, with the country
-- code) finds the customer who gave the same number before.
ALTER TABLE customers ADD COLUMN phone_digits TEXT;
UPDATE customers
SET phone_digits = REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
    phone, ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''), '.', '')
WHERE phone IS NOT NULL;
CREATE INDEX customers_phone_digits ON customers (phone_digits);
