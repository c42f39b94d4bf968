//! Group chats (SPEC G-1 to G-6): an agent in a chat invites an available agent of a CSQ,
//! with notes for them; the invited agent accepts or declines before the accept timer runs
//! out; either agent may leave while the other stays. The routing engine decides who is
//! invited and keeps the timer; this carries the decisions out and stores them.

use super::ChatService;
use crate::contact::{views, ContactError};
use crate::{
    clock::now_ms,
    hub::HubError,
    routing::engine::{Input, Output},
    store::{Guest, PendingInvitation},
};
use app::domain::{
    chat::SystemNote,
    contact::{Contact, ContactStatus},
    ids::{AgentId, ContactId, CsqId},
    invite::InviteOutcome,
    protocol::{AgentEvent, CsqAvailability},
    state::{StateError, StateEvent},
    supervision::JoinRefusal,
    validate::validate_invite_notes,
};

impl ChatService {
    /// SPEC G-1: invites an available agent of `csq`. The outcome reaches the inviting
    /// agent as an event whatever happens (G-2).
    pub async fn invite(
        &self,
        agent: AgentId,
        id: ContactId,
        csq: CsqId,
        notes: &str,
    ) -> Result<(), ContactError> {
        validate_invite_notes(notes)?;
        self.held_chat(agent, id).await?;
        if self.store.invitation(id).await?.is_some() {
            return Err(ContactError::CannotInvite);
        }
        let invitation = PendingInvitation {
            from: agent,
            csq,
            notes: notes.trim().to_string(),
        };
        self.store
            .open_invitation(id, &invitation, now_ms())
            .await?;
        // A supervisor joined just before (issue 18): three people already.
        if self.store.guest(id).await?.is_some() {
            self.store.close_invitation(id).await?;
            return Err(ContactError::CannotInvite);
        }
        let outputs = self
            .routing
            .ask(Input::Invite {
                contact: id,
                from: agent,
                csq,
            })
            .await;
        if outputs
            .iter()
            .any(|o| matches!(o, Output::InviteRefused { .. }))
        {
            self.store.close_invitation(id).await?;
            return Err(ContactError::CannotInvite);
        }
        Ok(())
    }

    /// SPEC G-2: the invited agent's answer. On accept the agent joins: a tab with the last
    /// 100 messages at most, Reserved, and "<alias> has joined the chat." for everyone.
    pub async fn answer_invitation(
        &self,
        agent: AgentId,
        id: ContactId,
        accept: bool,
    ) -> Result<(), ContactError> {
        let contact = self.open_chat(id).await?;
        let pending = self.store.invitation(id).await?;
        let outputs = self
            .routing
            .ask(Input::InviteAnswer {
                agent,
                contact: id,
                accept,
            })
            .await;
        let accepted = outputs.iter().any(|o| {
            matches!(o, Output::InviteEnded { to: Some(a), outcome: InviteOutcome::Accepted, .. } if *a == agent)
        });
        if !outputs
            .iter()
            .any(|o| matches!(o, Output::InviteEnded { to: Some(a), .. } if *a == agent))
        {
            return Err(ContactError::OfferGone);
        }
        if !accepted {
            return Ok(());
        }
        let notes = pending.map(|p| p.notes).unwrap_or_default();
        if let Err(e) = self
            .store
            .add_guest(id, &Guest { agent, notes }, now_ms())
            .await
        {
            // Someone else is the guest (a supervisor joined meanwhile): routing forgets
            // this agent's hold on the chat.
            self.routing
                .ask(Input::ChatEnded { agent, contact: id })
                .await;
            return Err(e.into());
        }
        self.hub.apply(agent, StateEvent::ContactAccepted).await?;
        self.enter(&contact, agent).await?;
        tracing::info!(agent = %agent, contact = %id, "joined a group chat");
        Ok(())
    }

    /// The newcomer (Reserved already) enters the chat: "<alias> has joined the chat." for
    /// everyone, the new list of who is in it, and the tab on the newcomer's pages.
    async fn enter(&self, contact: &Contact, agent: AgentId) -> Result<(), ContactError> {
        // The joined line first: the newcomer's page then gets the last 100 lines, this one
        // included, whatever the timing.
        let alias = self.store.agent(agent).await?.alias;
        self.system_line(contact, contact.agent, SystemNote::Joined { alias })
            .await?;
        // The others hear who is in the chat before the newcomer's page opens it, so an
        // answer of theirs (one leaving, say) never races an older list.
        self.tell_participants(contact).await?;
        let view = views::contact_view(self.store.as_ref(), contact, agent).await?;
        self.hub
            .record(agent, AgentEvent::ContactAssigned { contact: view })
            .await?;
        Ok(())
    }

    /// Issue 18 (D-3): a supervisor joins a chat an agent holds, of their own accord, as
    /// an invited agent would (G-2, G-3): a tab with the last 100 messages at most,
    /// Reserved, and "<alias> has joined the chat." for everyone. Refused while two agents
    /// are in it or one is being invited, and unless the supervisor's desktop is open (the
    /// caller knows, on whichever node it is).
    pub async fn join(
        &self,
        agent: AgentId,
        id: ContactId,
        desktop_open: bool,
    ) -> Result<(), ContactError> {
        let refused = |why| Err(ContactError::CannotJoin(why));
        let contact = match self.open_chat(id).await {
            Ok(contact) if contact.status == ContactStatus::Active => contact,
            Ok(_) | Err(ContactError::Ended) => return refused(JoinRefusal::NotInProgress),
            Err(e) => return Err(e),
        };
        if self.participants(&contact).await?.contains(&agent) {
            return refused(JoinRefusal::AlreadyIn);
        }
        if self.store.guest(id).await?.is_some() || self.store.invitation(id).await?.is_some() {
            return refused(JoinRefusal::Full);
        }
        if !desktop_open {
            return refused(JoinRefusal::NoDesktop);
        }
        // In one statement, so that a join, an invitation and the chat's end never cross.
        if !self.store.join_as_guest(id, agent, now_ms()).await? {
            let contact = self.store.contact(id).await?;
            return if contact.status != ContactStatus::Active {
                refused(JoinRefusal::NotInProgress)
            } else if self.participants(&contact).await?.contains(&agent) {
                refused(JoinRefusal::AlreadyIn)
            } else {
                refused(JoinRefusal::Full)
            };
        }
        match self.hub.apply(agent, StateEvent::JoinedChat).await {
            Ok(_) => {}
            Err(e) => {
                // Logged out meanwhile (the desktop just closed): not in the chat after all.
                self.store.remove_guest(id).await?;
                return match e {
                    HubError::State(StateError::NotLoggedIn) => refused(JoinRefusal::NoDesktop),
                    e => Err(e.into()),
                };
            }
        }
        self.routing
            .ask(Input::ChatHeld { agent, contact: id })
            .await;
        self.enter(&contact, agent).await?;
        tracing::info!(agent = %agent, contact = %id, "a supervisor joined a chat");
        Ok(())
    }

    /// SPEC G-3: an agent leaves a chat another agent stays in; the one who stays owns it.
    pub async fn leave(&self, agent: AgentId, id: ContactId) -> Result<(), ContactError> {
        let contact = self.held_chat(agent, id).await?;
        let Some(guest) = self.store.guest(id).await? else {
            return Err(ContactError::AloneInChat);
        };
        self.store.remove_guest(id).await?;
        let contact = if contact.agent == Some(agent) {
            // The owner leaves: the guest owns the chat from now on.
            self.store
                .update_contact(id, contact.status, Some(guest.agent), now_ms())
                .await?
        } else {
            contact
        };
        self.left_line(&contact, agent).await?;
        self.tell_participants(&contact).await?;
        self.free(id, agent, AgentEvent::LeftChat { contact: id })
            .await?;
        tracing::info!(agent = %agent, contact = %id, "left a group chat");
        Ok(())
    }

    /// SPEC G-1: per CSQ, how many agents an invitation could reach now.
    pub async fn availability(
        &self,
        agent: AgentId,
        id: ContactId,
    ) -> Result<Vec<CsqAvailability>, ContactError> {
        self.held_chat(agent, id).await?;
        let counts = self.routing.availability(id).await;
        let csqs = self.store.csqs().await?;
        Ok(csqs
            .into_iter()
            .map(|csq| CsqAvailability {
                available: counts
                    .iter()
                    .find(|(c, _)| *c == csq.id)
                    .map_or(0, |(_, n)| *n as u32),
                csq: csq.id,
                name: csq.name,
            })
            .collect())
    }

    /// "<alias> has left the chat.": the first half of taking `agent` out of a chat.
    pub(super) async fn left_line(
        &self,
        contact: &Contact,
        agent: AgentId,
    ) -> Result<(), ContactError> {
        let alias = self.store.agent(agent).await?.alias;
        self.system_line(contact, contact.agent, SystemNote::Left { alias })
            .await?;
        Ok(())
    }

    /// The second half, once whatever else the step stores is stored: one contact less
    /// (back to Ready when it was the last, S-3), and the event that closes the agent's tab.
    pub(super) async fn free(
        &self,
        contact: ContactId,
        agent: AgentId,
        event: AgentEvent,
    ) -> Result<(), ContactError> {
        self.routing.ask(Input::ChatEnded { agent, contact }).await;
        self.hub.apply(agent, StateEvent::ContactEnded).await?;
        self.hub.record(agent, event).await?;
        Ok(())
    }

    /// Tells every agent in the chat who is in it now (the invite control follows, G-3).
    async fn tell_participants(&self, contact: &Contact) -> Result<(), ContactError> {
        let contact = self.store.contact(contact.id).await?;
        let agents = views::agent_aliases(self.store.as_ref(), &contact).await?;
        for agent in self.participants(&contact).await? {
            self.hub
                .record(
                    agent,
                    AgentEvent::Participants {
                        contact: contact.id,
                        agents: agents.clone(),
                    },
                )
                .await?;
        }
        Ok(())
    }
}
