//! What other nodes did to chats (issue 14: several processes on one database), delivered
//! to the widgets and agents' pages connected to this one. Lines are read from the store
//! (a notice names a line, never carries it), and only when someone here is concerned;
//! each connection already drops repeats and reads gaps, so a line that arrives both ways
//! reaches every page once.

use super::{recipients, rooms::RoomEvent, ChatService, LINE_PAGE};
use crate::{contact::ContactError, store::cluster::Notice};
use app::domain::{
    chat::ChatLine,
    ids::{AgentId, ContactId},
    protocol::{Seq, ServerMessage},
};

impl ChatService {
    /// Tells the other nodes what is not stored (typing, a chat's end once its lines are);
    /// nothing without other nodes.
    pub(super) async fn announce(&self, notice: Notice) {
        if let Some(coordination) = self.store.coordination() {
            if let Err(e) = coordination.announce(notice).await {
                tracing::warn!(error = %e, ?notice, "not told to the other nodes");
            }
        }
    }

    /// The agents of a chat with a page here, and whether its widget is connected here;
    /// none when nobody here is concerned (nothing is read then).
    async fn concerned(
        &self,
        chat: ContactId,
    ) -> Result<Option<(Vec<AgentId>, bool)>, ContactError> {
        let widget = self.rooms.has_widgets(chat);
        if !widget && !self.hub.any_pages() {
            return Ok(None);
        }
        let parties = self.store.chat_parties(chat).await?;
        let agents: Vec<AgentId> = recipients(None, &parties.contact, parties.guest_agent())
            .into_iter()
            .filter(|agent| self.hub.has_pages(*agent))
            .collect();
        Ok((widget || !agents.is_empty()).then_some((agents, widget)))
    }

    /// Another node stored line `seq` of the chat, whose owner and guest were these: read
    /// only if the chat's widget or one of their pages is connected here.
    pub async fn line_stored_elsewhere(
        &self,
        chat: ContactId,
        seq: Seq,
        owner: Option<AgentId>,
        guest: Option<AgentId>,
    ) -> Result<(), ContactError> {
        let agents: Vec<AgentId> = owner
            .into_iter()
            .chain(guest)
            .filter(|agent| self.hub.has_pages(*agent))
            .collect();
        if agents.is_empty() && !self.rooms.has_widgets(chat) {
            return Ok(());
        }
        let lines = self
            .store
            .lines_after(chat, seq.saturating_sub(1), LINE_PAGE)
            .await?;
        self.deliver(chat, &agents, lines);
        Ok(())
    }

    fn deliver(&self, chat: ContactId, agents: &[AgentId], lines: Vec<ChatLine>) {
        for line in lines {
            self.rooms.send_if_open(chat, RoomEvent::Line(line.clone()));
            for agent in agents {
                self.hub.publish_live(
                    *agent,
                    ServerMessage::ChatLine {
                        contact: chat,
                        line: line.clone(),
                    },
                );
            }
        }
    }

    /// Another node ended the contact: its widgets here are told.
    pub fn ended_elsewhere(&self, contact: ContactId) {
        self.rooms.close(contact);
    }

    /// Issue 16 across nodes: a line's status (its ticks) reaches the chat's agents here.
    pub async fn line_status_elsewhere(
        &self,
        chat: ContactId,
        seq: Seq,
        status: app::domain::meta::MessageStatus,
    ) -> Result<(), ContactError> {
        let told = ServerMessage::LineStatus {
            contact: chat,
            seq,
            status,
        };
        self.tell_agents_here(chat, told).await
    }

    /// SPEC P-2 across nodes: the customer's typing reaches the chat's agents here.
    pub async fn customer_typing_elsewhere(
        &self,
        chat: ContactId,
        active: bool,
    ) -> Result<(), ContactError> {
        let told = ServerMessage::Typing {
            contact: chat,
            active,
            who: None,
        };
        self.tell_agents_here(chat, told).await
    }

    /// What another node told of the chat, for the pages of its agents here.
    async fn tell_agents_here(
        &self,
        chat: ContactId,
        told: ServerMessage,
    ) -> Result<(), ContactError> {
        let Some((agents, _)) = self.concerned(chat).await? else {
            return Ok(());
        };
        for agent in agents {
            self.hub.publish_live(agent, told.clone());
        }
        Ok(())
    }

    /// SPEC P-2 across nodes: an agent's typing reaches the widget and the other agent of a
    /// group chat here.
    pub async fn agent_typing_elsewhere(
        &self,
        chat: ContactId,
        typist: AgentId,
        active: bool,
    ) -> Result<(), ContactError> {
        let Some((agents, widget)) = self.concerned(chat).await? else {
            return Ok(());
        };
        if widget {
            self.rooms
                .send_if_open(chat, RoomEvent::AgentTyping(active));
        }
        let others: Vec<AgentId> = agents.into_iter().filter(|a| *a != typist).collect();
        if !others.is_empty() {
            let alias = self.store.agent(typist).await?.alias;
            for other in others {
                self.hub.publish_live(
                    other,
                    ServerMessage::Typing {
                        contact: chat,
                        active,
                        who: Some(alias.clone()),
                    },
                );
            }
        }
        Ok(())
    }
}
