-- The pre-chat form's own fields (SPEC K-2, O-2), in the administrator's order, and the
-- answers a chat started with, as the agent reads them (label then, value; JSON).
CREATE TABLE prechat_fields (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    choices TEXT NOT NULL DEFAULT '[]',
    position INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX prechat_fields_label_folded ON prechat_fields (lower(label));
ALTER TABLE contacts ADD COLUMN details TEXT NOT NULL DEFAULT '[]';
