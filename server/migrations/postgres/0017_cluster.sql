-- Issue 14: several server processes (nodes) on one database.
--
-- Each node hears what the others store through LISTEN/NOTIFY. The notifications of agent
-- events and chat lines are sent by these triggers, in the transaction that stores the
-- row, so one is delivered exactly when its row is committed, whatever code wrote it (a
-- chat's end is announced by the server once its last lines are stored). A notification names a stream and a
-- number, never the content (which a node reads from its table), and the node that wrote
-- it (its connections' application_name), which ignores its own. The channel is named
-- after the schema, so databases shared by several schemas (tests) do not mix.

CREATE FUNCTION switchboard_channel() RETURNS text
    LANGUAGE sql STABLE AS $$ SELECT 'switchboard.' || current_schema() $$;

CREATE FUNCTION switchboard_notice(kind text, stream bigint, seq bigint) RETURNS void
    LANGUAGE sql AS $$
    SELECT pg_notify(switchboard_channel(),
        current_setting('application_name') || '|' || kind || '|' || stream || '|' || seq)
$$;

-- An event appended to an agent's stream: every page of the agent, on any node.
CREATE FUNCTION switchboard_agent_event_stored() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM switchboard_notice('a', NEW.agent_id, NEW.seq);
    RETURN NULL;
END $$;
CREATE TRIGGER agent_events_notify AFTER INSERT ON agent_events
    FOR EACH ROW EXECUTE FUNCTION switchboard_agent_event_stored();

-- A line appended to a chat: the customer's widget and the agents' pages, on any node.
-- The notice names the agents in the chat (its owner and its guest, 0 for none), so that
-- only a node with a page of theirs, or the chat's widget, reads the line.
CREATE FUNCTION switchboard_chat_line_stored() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    owner BIGINT;
    guest BIGINT;
BEGIN
    SELECT agent_id INTO owner FROM contacts WHERE id = NEW.contact_id AND status = 'active';
    SELECT agent_id INTO guest FROM chat_guests WHERE contact_id = NEW.contact_id;
    PERFORM pg_notify(switchboard_channel(),
        current_setting('application_name') || '|c|' || NEW.contact_id || '|' || NEW.seq
        || '|' || coalesce(owner, 0) || '|' || coalesce(guest, 0));
    RETURN NULL;
END $$;
CREATE TRIGGER chat_lines_notify AFTER INSERT ON chat_lines
    FOR EACH ROW EXECUTE FUNCTION switchboard_chat_line_stored();

-- The nodes, each writing its heartbeat: what /healthz lists, and how a node that stopped
-- is told from one that is slow.
CREATE TABLE cluster_nodes (
    node TEXT PRIMARY KEY,
    started_at_ms BIGINT NOT NULL,
    heartbeat_ms BIGINT NOT NULL,
    -- The epoch of this node's lead, or none while it follows.
    leading_epoch BIGINT
);

-- The one routing leader (held by a session advisory lock): each new lead takes the next
-- epoch, so writes made under an older lead can be told apart and refused.
CREATE TABLE cluster_leadership (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL,
    node TEXT,
    since_ms BIGINT NOT NULL
);
INSERT INTO cluster_leadership (id, epoch, node, since_ms) VALUES (1, 0, NULL, 0);

-- Routing commands of the nodes that do not lead, for the one that does: each node writes
-- its own in order, the leader takes them (under its epoch) in the order written and
-- answers those that want an answer.
CREATE TABLE routing_requests (
    id BIGSERIAL PRIMARY KEY,
    node TEXT NOT NULL,
    request TEXT NOT NULL,
    wants_answer BOOLEAN NOT NULL,
    taken_epoch BIGINT,
    answer TEXT,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX routing_requests_untaken ON routing_requests (id) WHERE taken_epoch IS NULL;

CREATE FUNCTION switchboard_routing_request_stored() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM switchboard_notice('r', NEW.id, 0);
    RETURN NULL;
END $$;
CREATE TRIGGER routing_requests_notify AFTER INSERT ON routing_requests
    FOR EACH ROW EXECUTE FUNCTION switchboard_routing_request_stored();

CREATE FUNCTION switchboard_routing_answered() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM switchboard_notice('o', NEW.id, 0);
    RETURN NULL;
END $$;
CREATE TRIGGER routing_requests_answered AFTER UPDATE OF answer ON routing_requests
    FOR EACH ROW WHEN (NEW.answer IS NOT NULL AND OLD.answer IS NULL)
    EXECUTE FUNCTION switchboard_routing_answered();

-- Who is connected where: per node, the desktop pages of each agent (kind 'a', SPEC S-5)
-- and the widget sockets of each chat (kind 'w', SPEC K-5). An agent or a customer is
-- present while a node whose heartbeat is recent has a connection of theirs.
CREATE TABLE presence (
    node TEXT NOT NULL,
    kind CHAR(1) NOT NULL,
    id BIGINT NOT NULL,
    connections INTEGER NOT NULL,
    PRIMARY KEY (kind, id, node)
);

-- Secrets every node must share (the key that signs customers' chat tokens): the first
-- node's is kept. The key that seals mailbox passwords is never here (see the README).
CREATE TABLE cluster_secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

-- Recent login failures per username and per client address, counted across nodes.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at_ms BIGINT NOT NULL
);

-- Rate limits counted across nodes: hits per key (a client address) and fixed window.
CREATE TABLE rate_hits (
    key TEXT NOT NULL,
    window_ms BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (key, window_ms)
);

-- The offers on agents' screens, so that a node taking the lead withdraws them before it
-- offers their chats again: no chat is ever offered to two agents at once.
CREATE TABLE pending_offers (
    contact_id BIGINT PRIMARY KEY,
    agent_id BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
