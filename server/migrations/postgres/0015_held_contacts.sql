-- Issue 13: an agent's desktop reads only its own contacts (those it holds, the group chats
-- it joined), not every open contact in the system.
CREATE INDEX contacts_agent_open ON contacts (agent_id, status);
CREATE INDEX chat_guests_agent ON chat_guests (agent_id);
