//! Web chats: the customer starts one from the widget, the routing engine offers it, an
//! agent accepts and both sides exchange messages until one ends it. Every line is stored
//! before it is sent on (SPEC K-3), to the customer's widget (through [`rooms`]) and to
//! the agent's pages (through the hub's live channel).

mod about;
pub mod cookie;
mod customers;
mod elsewhere;
pub mod flood;
mod group;
pub mod inbound;
pub mod rooms;
pub mod timers;
pub mod watch;

use crate::{
    clock::now_ms,
    contact::{views, ContactError},
    hub::Hub,
    routing::{engine::Input, Routing},
    store::{Appended, ChatParties, NewChat, NewCustomer, Sender, Store},
};
use app::domain::{
    chat::{Author, ChatLine, LineBody, SystemNote},
    contact::{Channel, Contact, ContactKind, ContactStatus, EndReason, LifecycleEvent},
    ids::{AgentId, ContactId, CustomerId, WrapUpReasonId},
    limits::MAX_HISTORY_MESSAGES,
    message_template::TemplateUse,
    meta::MetaChannel,
    prechat::PreChatForm,
    protocol::{AgentEvent, Seq, ServerMessage, Work},
    state::StateEvent,
    validate::{validate_chat_message, validate_client_id, Field, FieldError, Problem},
};
use rooms::{RoomEvent, Rooms};
use std::sync::Arc;
use timers::{Timer, Timers};

pub struct ChatService {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub routing: Routing,
    pub rooms: Arc<Rooms>,
    /// SPEC K-5: the join, silence and widget-gone deadlines of every chat.
    pub timers: Timers,
    /// The customer's widget connections per chat (a waiting chat whose widget is gone for
    /// the grace period leaves the queue).
    pub widgets: std::sync::Mutex<std::collections::HashMap<ContactId, usize>>,
    /// Places among each chat's widget sockets (see [`watch::WidgetSlot`]).
    pub widget_slots: Arc<std::sync::Mutex<std::collections::HashMap<ContactId, usize>>>,
    /// What each customer may send (rate, messages per chat, typing notices).
    pub flood: flood::Flood,
    /// The other nodes on the database, when there are (issue 14).
    pub other_nodes: std::sync::OnceLock<Arc<dyn watch::OtherNodes>>,
    /// Rung for each line stored in a chat whose customer is reached through another
    /// service than our widget (Messenger, WhatsApp), which sends it on.
    pub outbound: Arc<tokio::sync::Notify>,
    /// What the customer of such a chat is to see of the agent (typing, seen), for the
    /// service that reaches them; nothing listens on a server without one.
    pub agent_activity: tokio::sync::mpsc::UnboundedSender<inbound::AgentActivity>,
}

/// Transcript lines read from the store at a time while a page or widget catches up.
pub const LINE_PAGE: u32 = 500;

impl ChatService {
    /// SPEC K-2: a customer's pre-chat form opens a chat, queued in the CSQ of the chosen
    /// problem statement, with the welcome line; the customer is the one the browser is
    /// remembered as (`remembered`, issue 17) when the form's address is theirs, else a new
    /// one. Refused outside the CSQ's business hours
    /// (issue 17), when the queue is full, and (when
    /// `unstaffed_refused`: the customer may leave a message instead, K-4) when nobody of
    /// the CSQ is logged in.
    pub async fn start(
        self: &Arc<Self>,
        form: &PreChatForm,
        unstaffed_refused: bool,
        remembered: Option<CustomerId>,
    ) -> Result<Contact, ContactError> {
        let (details, problem) = self.checked_form(form).await?;
        let hours = self.store.business_hours().await?;
        if let crate::hours::Availability::Closed { opens_at_ms, .. } =
            crate::hours::of_csq(&hours, problem.csq, now_ms())
        {
            tracing::info!(csq = %problem.csq, "outside business hours: chat refused");
            return Err(ContactError::Closed { opens_at_ms });
        }
        let settings = self.store.chat_settings().await?;
        if self.store.waiting_chats(problem.csq).await? >= settings.queue_limit {
            tracing::warn!(csq = %problem.csq, "queue full: chat refused");
            return Err(ContactError::QueueFull);
        }
        if unstaffed_refused && self.store.logged_in_agents(problem.csq).await? == 0 {
            tracing::info!(csq = %problem.csq, "nobody logged in: chat refused");
            return Err(ContactError::NoAgent);
        }
        let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let typed = NewCustomer {
            name: form.name.trim().to_string(),
            email: optional(&form.email),
            phone: optional(&form.phone),
        };
        // Issue 17: the customer this browser is remembered as, when the address typed is
        // theirs (a shared computer's next person, with their own address, is someone new).
        let returning = match remembered {
            Some(id) if self.store.returning_customer(id, &typed).await? => Some(id),
            _ => None,
        };
        let customer = match returning {
            Some(id) => id,
            None => self.store.create_customer(&typed).await?,
        };
        let contact = self
            .store
            .create_chat(
                &NewChat {
                    channel: Channel::Web,
                    csq: problem.csq,
                    customer,
                    problem: problem.label,
                    details,
                },
                now_ms(),
            )
            .await?;
        self.welcome(&contact, &settings).await?;
        self.queue(&contact, &settings);
        Ok(contact)
    }

    /// SPEC K-2: the pre-chat form checked against the administrator's fields and problem
    /// statements: the answers as the agent reads them, and the problem chosen.
    pub async fn checked_form(
        &self,
        form: &PreChatForm,
    ) -> Result<
        (
            Vec<app::domain::prechat::Detail>,
            app::domain::csq::ProblemStatement,
        ),
        ContactError,
    > {
        let fields = self.store.prechat_fields().await?;
        let details = form.check(&fields).map_err(ContactError::Invalid)?;
        let problem = self
            .store
            .problem_statements()
            .await?
            .into_iter()
            .find(|p| Some(p.id) == form.problem)
            .ok_or_else(|| {
                // Chosen from a form loaded before it was retired (or its queue was).
                let problem = if form.problem.is_some() {
                    Problem::NoLongerOffered
                } else {
                    Problem::Required
                };
                FieldError::new(Field::Problem, problem)
            })?;
        Ok((details, problem))
    }

    /// A chat's first line: the administrator's welcome.
    async fn welcome(
        &self,
        contact: &Contact,
        settings: &app::domain::settings::ChatSettings,
    ) -> Result<(), ContactError> {
        let welcome = SystemNote::Welcome {
            text: settings.welcome_message.clone(),
        };
        self.system_line_to(contact, Vec::new(), welcome).await?;
        Ok(())
    }

    /// A chat just created and welcomed: its timers, and into routing.
    fn queue(&self, contact: &Contact, settings: &app::domain::settings::ChatSettings) {
        self.timers.set(
            contact.id,
            Timer::Join,
            contact.queued_at_ms + i64::from(settings.join_timeout_secs) * 1000,
        );
        self.timers.set(
            contact.id,
            Timer::QueueTimeout,
            contact.queued_at_ms + i64::from(settings.queue_timeout_secs) * 1000,
        );
        // The widget opens its connection next; if it never does, the chat leaves the queue.
        if contact.channel.has_widget() {
            self.timers.set(
                contact.id,
                Timer::WidgetGone,
                now_ms() + i64::from(settings.reconnect_grace_secs) * 1000,
            );
        }
        self.routing.send(Input::ChatQueued {
            contact: contact.id,
            csq: contact.csq,
            queued_at_ms: contact.queued_at_ms,
        });
        tracing::info!(contact = %contact.id, csq = %contact.csq, channel = %contact.channel.as_str(), "chat queued");
    }

    /// The agent's offers, invitations and contacts in hand, for a page that opens (SPEC
    /// O-2, G-2, C-1).
    pub async fn work_of(&self, agent: AgentId) -> Result<Work, ContactError> {
        let waiting = self.routing.waiting_for(agent).await;
        let mut work = Work::default();
        for (contact, expires_at_ms) in waiting.offers {
            let contact = self.store.contact(contact).await?;
            work.offers
                .push(views::offer_view(self.store.as_ref(), &contact, expires_at_ms).await?);
        }
        for (contact, from, expires_at_ms) in waiting.invitations {
            // One unreadable invitation must not keep the whole desktop from opening.
            match views::invitation_view(self.store.as_ref(), contact, from, expires_at_ms).await {
                Ok(view) => work.invitations.push(view),
                Err(e) => tracing::warn!(contact = %contact, error = %e, "invitation left out"),
            }
        }
        for contact in self.held_by(agent).await? {
            work.contacts
                .push(views::contact_view(self.store.as_ref(), &contact, agent).await?);
        }
        Ok(work)
    }

    /// The open contacts the agent takes part in (owner or invited guest): one indexed
    /// read, so a page opens as fast with 10,000 chats in the system as with ten.
    pub async fn held_by(&self, agent: AgentId) -> Result<Vec<Contact>, ContactError> {
        Ok(self.store.held_contacts(agent).await?)
    }

    /// At most [`LINE_PAGE`] transcript lines after `after`, in order, for a page or widget
    /// catching up (SPEC K-3): a shorter page is the end of the transcript, a full one
    /// means asking again after its last line.
    pub async fn lines_page(
        &self,
        contact: ContactId,
        after: Seq,
    ) -> Result<Vec<ChatLine>, ContactError> {
        Ok(self.store.lines_after(contact, after, LINE_PAGE).await?)
    }

    /// The whole transcript after `after`, page by page (a download; live pages catch up
    /// a page at a time instead).
    pub async fn all_lines_after(
        &self,
        contact: ContactId,
        mut after: Seq,
    ) -> Result<Vec<ChatLine>, ContactError> {
        let mut all = Vec::new();
        loop {
            let page = self.lines_page(contact, after).await?;
            let done = page.len() < LINE_PAGE as usize;
            after = page.last().map_or(after, |l| l.seq);
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    /// SPEC G-2: where a page that has none of a chat's lines starts it: the last 100
    /// messages (system lines among them shown, not counted), read without loading more.
    pub async fn history_start(&self, contact: ContactId) -> Result<Seq, ContactError> {
        Ok(self
            .store
            .history_start(contact, MAX_HISTORY_MESSAGES as u32)
            .await?)
    }

    /// The contact, if it is a chat still going on.
    pub(crate) async fn open_chat(&self, id: ContactId) -> Result<Contact, ContactError> {
        let contact = self.store.contact(id).await?;
        if contact.status.is_ended() || contact.channel.kind() != ContactKind::Chat {
            return Err(ContactError::Ended);
        }
        Ok(contact)
    }

    /// [`Self::open_chat`] with the people in it, in one read: the path every message takes.
    async fn open_chat_parties(&self, id: ContactId) -> Result<ChatParties, ContactError> {
        let parties = self.store.chat_parties(id).await?;
        let contact = &parties.contact;
        if contact.status.is_ended() || contact.channel.kind() != ContactKind::Chat {
            return Err(ContactError::Ended);
        }
        Ok(parties)
    }

    /// The contact, if this agent is in it now (its owner or, in a group chat, its guest).
    pub async fn held_chat(&self, agent: AgentId, id: ContactId) -> Result<Contact, ContactError> {
        let contact = self.open_chat(id).await?;
        if !self.participants(&contact).await?.contains(&agent) {
            return Err(ContactError::NotYours);
        }
        Ok(contact)
    }

    /// The agents in a chat going on: the owner, then the guest of a group chat (SPEC G-3).
    pub async fn participants(&self, contact: &Contact) -> Result<Vec<AgentId>, ContactError> {
        let mut agents: Vec<AgentId> = held_by(contact).into_iter().collect();
        if !agents.is_empty() {
            if let Some(guest) = self.store.guest(contact.id).await? {
                agents.push(guest.agent);
            }
        }
        Ok(agents)
    }

    /// SPEC K-2, K-3: a customer message, stored once whatever the resends.
    pub async fn customer_send(
        self: &Arc<Self>,
        id: ContactId,
        client_id: &str,
        text: &str,
    ) -> Result<ChatLine, ContactError> {
        validate_client_id(client_id)?;
        validate_chat_message(text)?;
        let parties = self.open_chat_parties(id).await?;
        self.flood.take_line(self.store.as_ref(), id).await?;
        let body = LineBody::Message {
            author: Author::Customer {
                name: parties.customer_name.clone(),
            },
            text: text.to_string(),
            client_id: client_id.to_string(),
            files: Vec::new(),
            sent_at_ms: None,
            template: None,
        };
        let appended = self
            .add_line_for(
                &parties.contact,
                recipients(None, &parties.contact, parties.guest_agent()),
                Sender::Customer,
                Some(client_id),
                body,
            )
            .await?;
        if !appended.fresh {
            self.flood.give_back(id);
        }
        // The silence timer set at the accept needs no moving: when it fires it reads the
        // customer's last line from the store and waits again from there (K-5).
        Ok(appended.line)
    }

    /// SPEC P-1: an agent message, at most 1500 characters, in a chat the agent holds.
    pub async fn agent_send(
        &self,
        agent: AgentId,
        id: ContactId,
        client_id: &str,
        text: &str,
    ) -> Result<ChatLine, ContactError> {
        validate_client_id(client_id)?;
        validate_chat_message(text)?;
        let parties = self.writer_in(agent, id).await?;
        // SPEC F-3: what Meta would refuse is refused here, before it is in the transcript.
        if let Some(rule) = views::reply_rule(self.store.as_ref(), &parties.contact).await? {
            if !rule.window(now_ms()).allows_reply() {
                return Err(ContactError::ReplyWindowClosed);
            }
        }
        self.agent_line(agent, &parties, client_id, text.to_string(), None)
            .await
    }

    /// SPEC F-3: one of the WhatsApp channel's approved templates, filled with the agent's
    /// values, in a WhatsApp chat the agent holds. Meta carries a template at any time, so
    /// the reply window does not hold it back. The line reads as the customer will; the
    /// outbox sends it as the template.
    pub async fn agent_send_template(
        &self,
        agent: AgentId,
        id: ContactId,
        client_id: &str,
        template: &TemplateUse,
    ) -> Result<ChatLine, ContactError> {
        validate_client_id(client_id)?;
        let parties = self.writer_in(agent, id).await?;
        // Only a WhatsApp chat offers templates, those of the channel as it is set now.
        let offered = match MetaChannel::of(parties.contact.channel) {
            Some(MetaChannel::WhatsApp) => views::offered_templates(self.store.as_ref()).await?,
            _ => Vec::new(),
        };
        let text = template
            .check(&offered)
            .map_err(ContactError::Invalid)?
            .render(&template.parameters);
        self.agent_line(
            agent,
            &parties,
            client_id,
            text,
            Some(Box::new(template.clone())),
        )
        .await
    }

    /// The chat `agent` may write in: an open chat they hold, or are the guest of (as
    /// [`Self::held_chat`]).
    async fn writer_in(&self, agent: AgentId, id: ContactId) -> Result<ChatParties, ContactError> {
        let parties = self.open_chat_parties(id).await?;
        let owner = held_by(&parties.contact);
        let guest = parties.guest_agent();
        if owner.is_none() || (owner != Some(agent) && guest != Some(agent)) {
            return Err(ContactError::NotYours);
        }
        Ok(parties)
    }

    /// An agent's message, checked already, added to the chat.
    async fn agent_line(
        &self,
        agent: AgentId,
        parties: &ChatParties,
        client_id: &str,
        text: String,
        template: Option<Box<TemplateUse>>,
    ) -> Result<ChatLine, ContactError> {
        let alias = parties.alias_of(agent).unwrap_or_default().to_string();
        let body = LineBody::Message {
            author: Author::Agent { agent, alias },
            text,
            client_id: client_id.to_string(),
            files: Vec::new(),
            sent_at_ms: None,
            template,
        };
        Ok(self
            .add_line_for(
                &parties.contact,
                recipients(Some(agent), &parties.contact, parties.guest_agent()),
                Sender::Agent(agent),
                Some(client_id),
                body,
            )
            .await?
            .line)
    }

    /// [`Self::system_line`] to the agents already known: a chat just started or just
    /// accepted can have no guest, so none is read.
    async fn system_line_to(
        &self,
        contact: &Contact,
        agents: Vec<AgentId>,
        note: SystemNote,
    ) -> Result<ChatLine, ContactError> {
        let body = LineBody::System { note };
        let appended = self
            .add_line_for(contact, agents, Sender::System, None, body)
            .await?;
        Ok(appended.line)
    }

    /// SPEC P-2: the customer's typing reaches the agent's pages.
    pub async fn customer_typing(&self, id: ContactId, active: bool) -> Result<(), ContactError> {
        let contact = self.open_chat(id).await?;
        if !self.flood.typing_passes(id, false, active) {
            return Ok(());
        }
        for agent in self.participants(&contact).await? {
            self.hub.publish_live(
                agent,
                ServerMessage::Typing {
                    contact: id,
                    active,
                    who: None,
                },
            );
        }
        self.announce(crate::store::cluster::Notice::CustomerTyping { chat: id, active })
            .await;
        Ok(())
    }

    /// SPEC P-2: the agent's typing reaches the customer.
    pub async fn agent_typing(
        &self,
        agent: AgentId,
        id: ContactId,
        active: bool,
    ) -> Result<(), ContactError> {
        let contact = self.held_chat(agent, id).await?;
        if !self.flood.typing_passes(id, true, active) {
            return Ok(());
        }
        if !contact.channel.has_widget() {
            // SPEC F-2: the customer sees the agent typing, under the business's name.
            let _ = self.agent_activity.send(inbound::AgentActivity::Typing {
                contact: id,
                active,
            });
        }
        self.rooms.send(id, RoomEvent::AgentTyping(active));
        self.announce(crate::store::cluster::Notice::AgentTyping {
            chat: id,
            agent,
            active,
        })
        .await;
        // SPEC G-2: the other agent of a group chat sees it too.
        let others: Vec<AgentId> = self
            .participants(&contact)
            .await?
            .into_iter()
            .filter(|a| *a != agent)
            .collect();
        if !others.is_empty() {
            let alias = self.store.agent(agent).await?.alias;
            for other in others {
                self.hub.publish_live(
                    other,
                    ServerMessage::Typing {
                        contact: id,
                        active,
                        who: Some(alias.clone()),
                    },
                );
            }
        }
        Ok(())
    }

    /// SPEC O-5: the agent accepts an offer, if it is still theirs: Reserved, a new tab,
    /// and "<alias> has joined the chat." for the customer.
    pub async fn accept(
        self: &Arc<Self>,
        agent: AgentId,
        id: ContactId,
    ) -> Result<(), ContactError> {
        let contact = self.open_chat(id).await?;
        if !self.routing.accept(agent, id).await {
            return Err(ContactError::OfferGone);
        }
        let now = now_ms();
        let status = contact
            .status
            .apply(ContactKind::Chat, LifecycleEvent::Accept)
            .unwrap_or(ContactStatus::Active);
        // The chat may have ended meanwhile (its customer left, a timer): routing gets the
        // agent's room back and the page hears the offer is gone.
        let Some((contact, offered)) = self
            .store
            .accept_contact(id, &ContactStatus::WAITING, status, agent, now)
            .await?
        else {
            self.routing.send(Input::ChatEnded { agent, contact: id });
            return Err(ContactError::OfferGone);
        };
        // Everything stored and armed before the page hears of it: what it does next
        // (end the chat, say) comes after the whole accept. The page gets the joined line
        // with the chat's catch-up. No guest can be in a chat just accepted.
        let alias = self.store.agent(agent).await?.alias;
        let joined = SystemNote::Joined {
            alias: alias.clone(),
        };
        self.system_line_to(&contact, vec![agent], joined).await?;
        if contact.channel.has_widget() {
            self.look_at_silence(id, now).await;
        } else {
            let _ = self
                .agent_activity
                .send(inbound::AgentActivity::Seen { contact: id });
        }
        self.hub.apply(agent, StateEvent::ContactAccepted).await?;
        let view = views::accepted_view(self.store.as_ref(), &contact, alias, offered).await?;
        self.hub
            .record(agent, AgentEvent::ContactAssigned { contact: view })
            .await?;
        tracing::info!(agent = %agent, contact = %id, "chat accepted");
        Ok(())
    }

    /// SPEC W-1, W-2: the agent's wrap-up reasons on a chat in hand: only reasons the chat
    /// offers, at most five; every page of the agent hears the stored choice.
    pub async fn set_wrap_up(
        &self,
        agent: AgentId,
        id: ContactId,
        reasons: &[WrapUpReasonId],
    ) -> Result<(), ContactError> {
        // SPEC W-1: beside End and Leave in chats, beside Send in emails.
        let contact = self.store.contact(id).await?;
        if contact.channel.kind() == ContactKind::Email {
            if contact.status.is_ended() {
                return Err(ContactError::Ended);
            }
            if contact.status != ContactStatus::Active || contact.agent != Some(agent) {
                return Err(ContactError::NotYours);
            }
        } else {
            self.held_chat(agent, id).await?;
        }
        let wrap_up = self.store.wrap_up(id, agent).await?;
        let chosen = match wrap_up.check(reasons) {
            Ok(chosen) => chosen,
            Err(e) => {
                // The page showed the refused choice already: tell it the stored one.
                self.hub
                    .record(
                        agent,
                        AgentEvent::WrapUpChanged {
                            contact: id,
                            reasons: wrap_up.selected,
                        },
                    )
                    .await?;
                return Err(e.into());
            }
        };
        self.store.set_wrap_up(id, agent, &chosen).await?;
        self.hub
            .record(
                agent,
                AgentEvent::WrapUpChanged {
                    contact: id,
                    reasons: chosen,
                },
            )
            .await?;
        Ok(())
    }

    /// SPEC O-6, P-4: the agent ends the chat.
    pub async fn agent_end(&self, agent: AgentId, id: ContactId) -> Result<(), ContactError> {
        let contact = self.held_chat(agent, id).await?;
        self.end(contact, EndReason::EndedByAgent).await
    }

    /// SPEC K-2: the customer ends the chat, before or after an agent joined.
    pub async fn customer_end(&self, id: ContactId) -> Result<(), ContactError> {
        let contact = self.open_chat(id).await?;
        // SPEC F-2: only the agent ends a Messenger or WhatsApp chat.
        if !contact.channel.has_widget() {
            return Err(ContactError::NotYours);
        }
        let reason = if contact.status == ContactStatus::Active {
            EndReason::EndedByCustomer
        } else {
            EndReason::Abandoned
        };
        self.end(contact, reason).await
    }

    /// SPEC S-5: the agent's desktop is gone (closed, reloaded, or disconnected past the
    /// grace period): every chat the agent holds ends, and the agent is Not Ready.
    pub async fn agent_gone(&self, agent: AgentId) -> Result<(), ContactError> {
        for contact in self.store.owned_contacts(agent).await? {
            if contact.channel.kind() == ContactKind::Chat {
                self.end(contact, EndReason::PageClosed).await?;
            }
        }
        let (status, _) = self.store.agent_status(agent).await?;
        if matches!(
            status.state,
            app::domain::state::AgentState::Ready | app::domain::state::AgentState::Reserved
        ) {
            self.hub
                .apply_with_reason(
                    agent,
                    StateEvent::SetNotReady,
                    app::domain::state::StateReason::PageClosed,
                )
                .await?;
        }
        tracing::info!(agent = %agent, "desktop gone: chats ended, Not Ready");
        Ok(())
    }

    async fn end(&self, contact: Contact, reason: EndReason) -> Result<(), ContactError> {
        self.end_saying(contact, reason, None).await
    }

    /// Ends the chat, with `first` written before the end's own line, by whoever ends it
    /// (two nodes' timers may try at once: one ends it, and says it once).
    async fn end_saying(
        &self,
        contact: Contact,
        reason: EndReason,
        first: Option<SystemNote>,
    ) -> Result<(), ContactError> {
        let ended = contact
            .status
            .apply(ContactKind::Chat, LifecycleEvent::End(reason))
            .map_err(|_| ContactError::Ended)?;
        let now = now_ms();
        let guest = match held_by(&contact) {
            Some(_) => self.store.guest(contact.id).await?,
            None => None,
        };
        // Only from the state this was decided on: a chat accepted or ended meanwhile (a
        // timer racing an agent) is not ended again.
        let from: &[ContactStatus] = match contact.status {
            ContactStatus::Active => &[ContactStatus::Active],
            _ => &ContactStatus::WAITING,
        };
        if self
            .store
            .step_contact(contact.id, from, ended, None, now)
            .await?
            .is_none()
        {
            return Err(ContactError::Ended);
        }
        // SPEC G-5: the guest's notes go with the chat; so does a waiting invitation.
        self.store.remove_guest(contact.id).await?;
        self.store.close_invitation(contact.id).await?;
        if let Some(note) = first {
            self.system_line(&contact, None, note).await?;
        }
        // The transcript is complete and the customer told before any page hears the chat
        // is over: whoever reads it then finds it whole.
        let owner = held_by(&contact);
        let leaving: Vec<AgentId> = guest.map(|g| g.agent).into_iter().chain(owner).collect();
        for agent in &leaving {
            self.left_line(&contact, *agent).await?;
        }
        self.system_line(&contact, owner, SystemNote::Ended { reason })
            .await?;
        self.rooms.close(contact.id);
        // The other nodes' widgets of the chat are told once its last lines are stored.
        self.announce(crate::store::cluster::Notice::ContactEnded {
            contact: contact.id,
        })
        .await;
        self.timers.forget(contact.id);
        self.flood.forget(contact.id);
        for agent in leaving {
            let closed = AgentEvent::ContactClosed {
                contact: contact.id,
                reason,
            };
            self.free(contact.id, agent, closed).await?;
        }
        if owner.is_none() {
            self.routing
                .ask(Input::ChatAbandoned {
                    contact: contact.id,
                })
                .await;
        }
        tracing::info!(contact = %contact.id, ?reason, "chat ended");
        Ok(())
    }

    pub(crate) async fn system_line(
        &self,
        contact: &Contact,
        agent: Option<AgentId>,
        note: SystemNote,
    ) -> Result<ChatLine, ContactError> {
        Ok(self
            .add_line(
                contact,
                agent,
                Sender::System,
                None,
                LineBody::System { note },
            )
            .await?
            .line)
    }

    /// Stores a line, then sends it to the customer and to the agent's pages. A resend of
    /// a stored message is not sent again (`fresh` is false).
    async fn add_line(
        &self,
        contact: &Contact,
        agent: Option<AgentId>,
        sender: Sender,
        client_id: Option<&str>,
        body: LineBody,
    ) -> Result<Appended, ContactError> {
        let guest = self.store.guest(contact.id).await?.map(|g| g.agent);
        self.add_line_for(
            contact,
            recipients(agent, contact, guest),
            sender,
            client_id,
            body,
        )
        .await
    }

    /// [`Self::add_line`] to the agents already known.
    async fn add_line_for(
        &self,
        contact: &Contact,
        agents: Vec<AgentId>,
        sender: Sender,
        client_id: Option<&str>,
        body: LineBody,
    ) -> Result<Appended, ContactError> {
        let appended = self
            .store
            .append_line(contact.id, &sender, client_id, &body, now_ms())
            .await?;
        if appended.fresh {
            if !contact.channel.has_widget() {
                self.outbound.notify_one();
            }
            self.rooms
                .send(contact.id, RoomEvent::Line(appended.line.clone()));
            for agent in agents {
                self.hub.publish_live(
                    agent,
                    ServerMessage::ChatLine {
                        contact: contact.id,
                        line: appended.line.clone(),
                    },
                );
            }
        }
        Ok(appended)
    }
}

/// The agents a new line goes to: the one the caller names (one leaving still sees their
/// "left" line), the owner and the guest of a group chat.
fn recipients(named: Option<AgentId>, contact: &Contact, guest: Option<AgentId>) -> Vec<AgentId> {
    let mut agents: Vec<AgentId> = named.into_iter().collect();
    for other in held_by(contact).into_iter().chain(guest) {
        if !agents.contains(&other) {
            agents.push(other);
        }
    }
    agents
}

/// The agent holding a chat now, if any.
fn held_by(contact: &Contact) -> Option<AgentId> {
    (contact.status == ContactStatus::Active)
        .then_some(contact.agent)
        .flatten()
}
