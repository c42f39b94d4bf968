-- Issue 17: what agents know of a customer: notes (who wrote them, when) and tags. Both
-- move with the customer's contacts when a link makes two customers one.

CREATE TABLE customer_notes (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    body TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX customer_notes_customer ON customer_notes (customer_id, id);

-- In the order the agent gave them (position), each once per customer.
CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    tag TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (customer_id, tag)
);
CREATE INDEX customer_tags_tag ON customer_tags (tag);
