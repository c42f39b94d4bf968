-- Issue 15: the language a user chose for their pages ("en", "fr"); NULL follows the browser.
ALTER TABLE agents ADD COLUMN language TEXT;
