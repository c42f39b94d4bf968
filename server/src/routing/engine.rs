//! The routing engine's decisions, without I/O or clocks: queues per CSQ in arrival order,
//! one pending offer per chat and per agent, emails assigned without an offer, and the
//! agents' availability. The actor in
//! [`super`] feeds it inputs with the time and carries out its outputs.

use app::domain::{
    contact::ContactKind,
    ids::{AgentId, ContactId, CsqId},
    invite::{available_count, can_invite, choose_invitee, Declined, InviteOutcome},
    routing::{choose_agent, choose_email_agent, Candidate},
    state::{AgentState, AgentStatus, StateEvent},
};
use std::collections::{HashMap, HashSet};

/// What the engine knows of an agent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgentInfo {
    pub status: AgentStatus,
    pub csqs: Vec<CsqId>,
    pub max_chats: u32,
    pub active_chats: u32,
    pub max_emails: u32,
    pub active_emails: u32,
    /// No page of the agent is open (after a restart, or while the desktop is going away):
    /// nothing is routed to the agent, whatever the stored state says.
    pub away: bool,
    /// The agent's last assignment, release or change to Ready (SPEC O-1: among agents
    /// holding as few contacts, the one waiting longest since comes first).
    pub available_since_ms: i64,
}

impl AgentInfo {
    fn count(&mut self, kind: ContactKind) -> &mut u32 {
        match kind {
            ContactKind::Chat => &mut self.active_chats,
            ContactKind::Email => &mut self.active_emails,
        }
    }

    /// The agent holds one more contact: Reserved (the hub records the same change; doing
    /// it here at once keeps the agent's capacity right for the next decision). The wait
    /// starts again from now, so agents with as many contacts take turns (SPEC O-1).
    fn take(&mut self, kind: ContactKind, now_ms: i64) {
        *self.count(kind) += 1;
        self.available_since_ms = now_ms;
        self.status = self
            .status
            .apply(StateEvent::ContactAccepted)
            .unwrap_or(self.status);
    }

    /// One contact fewer: available again from now (SPEC O-1: longest available first).
    fn release(&mut self, kind: ContactKind, now_ms: i64) {
        let count = self.count(kind);
        *count = count.saturating_sub(1);
        self.status = self
            .status
            .apply(StateEvent::ContactEnded)
            .unwrap_or(self.status);
        self.available_since_ms = now_ms;
    }
}

/// A chat or an email waiting in its CSQ.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Waiting {
    contact: ContactId,
    kind: ContactKind,
    csq: CsqId,
    queued_at_ms: i64,
    /// Chats: agents whose offer ran out (SPEC S-4: another agent first). Emails: agents
    /// who requeued it, who never get it back (SPEC Q-1).
    excluded: Vec<AgentId>,
    /// Emails: the thread's last agent and until when (Unix ms) only that agent may take
    /// it (SPEC E-4).
    sticky: Option<(AgentId, i64)>,
}

/// An invitation to join a chat, waiting for the invited agent's answer (SPEC G-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub from: AgentId,
    pub to: AgentId,
    pub csq: CsqId,
    pub number: u64,
    pub expires_at_ms: i64,
}

/// An offer waiting for the agent's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub agent: AgentId,
    pub number: u64,
    pub expires_at_ms: i64,
    chat: Waiting,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Input {
    /// A new chat, or one put back (after a restart, say), waits in its CSQ.
    ChatQueued {
        contact: ContactId,
        csq: CsqId,
        queued_at_ms: i64,
    },
    /// An agent's settings or CSQ memberships, at start or after an administrator's change.
    AgentKnown {
        agent: AgentId,
        info: AgentInfo,
    },
    /// An administrator changed the agent's CSQs or capacity (SPEC D-2): it applies at
    /// once, with what the agent holds, their state and their place in line kept.
    AgentChanged {
        agent: AgentId,
        csqs: Vec<CsqId>,
        max_chats: u32,
        max_emails: u32,
    },
    /// The agent's state changed (the hub decided and stored it).
    StatusChanged {
        agent: AgentId,
        status: AgentStatus,
    },
    Accept {
        agent: AgentId,
        contact: ContactId,
    },
    /// The accept timer of offer `number` ran out.
    OfferTimedOut {
        contact: ContactId,
        number: u64,
    },
    /// An accepted chat ended.
    ChatEnded {
        agent: AgentId,
        contact: ContactId,
    },
    /// The customer left before any agent joined.
    ChatAbandoned {
        contact: ContactId,
    },
    /// After a restart: a chat the agent already holds.
    ChatHeld {
        agent: AgentId,
        contact: ContactId,
    },
    /// An email waits in its CSQ: new from the mailbox, requeued, or after a restart.
    EmailQueued {
        contact: ContactId,
        csq: CsqId,
        queued_at_ms: i64,
        excluded: Vec<AgentId>,
        sticky: Option<(AgentId, i64)>,
    },
    /// After a restart: an email the agent already holds.
    EmailHeld {
        agent: AgentId,
        contact: ContactId,
    },
    /// The email left the agent's hands: sent, discarded or requeued.
    EmailReleased {
        agent: AgentId,
        contact: ContactId,
    },
    /// A sticky time ran out: route what waited for it.
    Tick,
    /// The agent's desktop is gone (or not back yet after a restart): route nothing to it.
    Away {
        agent: AgentId,
    },
    /// A page of the agent is open again.
    Present {
        agent: AgentId,
    },
    /// The administrator changed the accept timer: offers made from now on use it, offers
    /// already shown keep the time they were given.
    AcceptTimerChanged {
        ms: i64,
    },
    /// SPEC G-1: an agent in the chat invites an available agent of `csq`.
    Invite {
        contact: ContactId,
        from: AgentId,
        csq: CsqId,
    },
    /// SPEC G-2: the invited agent accepts or declines.
    InviteAnswer {
        agent: AgentId,
        contact: ContactId,
        accept: bool,
    },
    /// The accept timer of invitation `number` ran out.
    InviteTimedOut {
        contact: ContactId,
        number: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Output {
    /// Offer a chat (SPEC O-2); start its accept timer.
    Offer {
        agent: AgentId,
        contact: ContactId,
        csq: CsqId,
        number: u64,
        expires_at_ms: i64,
    },
    /// SPEC E-1: the email is the agent's now (accepted automatically).
    Assigned {
        agent: AgentId,
        contact: ContactId,
        csq: CsqId,
    },
    /// Send [`Input::Tick`] at this time (a sticky email may go to anyone then).
    WakeAt { at_ms: i64 },
    /// The offer is gone from the agent's screen.
    Withdrawn { agent: AgentId, contact: ContactId },
    /// SPEC S-4: the agent let an offer run out: Not Ready with the badge.
    OfferExpired { agent: AgentId, contact: ContactId },
    /// SPEC O-5: the agent has the chat now.
    Accepted {
        agent: AgentId,
        contact: ContactId,
        csq: CsqId,
    },
    /// The accept came too late or from the wrong agent.
    AcceptRefused { agent: AgentId, contact: ContactId },
    /// SPEC G-1: an invitation is shown to `agent`; its timer starts.
    Invited {
        agent: AgentId,
        contact: ContactId,
        from: AgentId,
        csq: CsqId,
        number: u64,
        expires_at_ms: i64,
    },
    /// SPEC G-2: how an invitation ended, for the inviting agent (always told) and the
    /// invited one (the notification goes). `to` is none when nobody could be invited.
    InviteEnded {
        contact: ContactId,
        from: AgentId,
        to: Option<AgentId>,
        csq: CsqId,
        outcome: InviteOutcome,
    },
    /// The invitation could not be made: the agent does not hold the chat, the chat is full
    /// (G-3) or an invitation is already waiting.
    InviteRefused { contact: ContactId, from: AgentId },
    /// The chat ended while an invitation waited: the notification goes.
    InviteWithdrawn { agent: AgentId, contact: ContactId },
}

impl Output {
    /// The contact the output is about (all but a wake-up are about one).
    pub fn contact(&self) -> Option<ContactId> {
        match *self {
            Output::Offer { contact, .. }
            | Output::Assigned { contact, .. }
            | Output::Withdrawn { contact, .. }
            | Output::OfferExpired { contact, .. }
            | Output::Accepted { contact, .. }
            | Output::AcceptRefused { contact, .. }
            | Output::Invited { contact, .. }
            | Output::InviteEnded { contact, .. }
            | Output::InviteRefused { contact, .. }
            | Output::InviteWithdrawn { contact, .. } => Some(contact),
            Output::WakeAt { .. } => None,
        }
    }
}

#[derive(Debug)]
pub struct Engine {
    accept_timer_ms: i64,
    waiting: Vec<Waiting>,
    offers: HashMap<ContactId, Offer>,
    agents: HashMap<AgentId, AgentInfo>,
    /// The agents in each chat, the owner first (SPEC G-3: two at most).
    held: HashMap<ContactId, Vec<AgentId>>,
    /// One waiting invitation per chat at most.
    invites: HashMap<ContactId, Invitation>,
    /// SPEC G-6: per chat, who declined since the last accepted invitation.
    declined: HashMap<ContactId, Declined>,
    /// The agent holding each email.
    emails: HashMap<ContactId, AgentId>,
    next_offer: u64,
}

impl Engine {
    pub fn new(accept_timer_ms: i64) -> Self {
        Engine {
            accept_timer_ms,
            waiting: Vec::new(),
            offers: HashMap::new(),
            agents: HashMap::new(),
            held: HashMap::new(),
            invites: HashMap::new(),
            declined: HashMap::new(),
            emails: HashMap::new(),
            next_offer: 1,
        }
    }

    /// Numbers offers and invitations from `first` on: an engine started by a new lead
    /// (issue 14) numbers from its epoch, so no timer of an engine before it matches one
    /// of its offers.
    pub fn numbered_from(mut self, first: u64) -> Self {
        self.next_offer = first.max(1);
        self
    }

    pub fn set_accept_timer_ms(&mut self, ms: i64) {
        self.accept_timer_ms = ms;
    }

    /// The agents in a chat, the owner first.
    pub fn holders(&self, contact: ContactId) -> &[AgentId] {
        self.held.get(&contact).map_or(&[], Vec::as_slice)
    }

    pub fn invitation(&self, contact: ContactId) -> Option<&Invitation> {
        self.invites.get(&contact)
    }

    /// SPEC G-1: for each CSQ some agent belongs to, how many agents an invitation to
    /// `contact` could reach now (not counting those already in it).
    pub fn availability(&self, contact: ContactId) -> Vec<(CsqId, usize)> {
        let candidates = self.candidates();
        let mut csqs: Vec<CsqId> = self
            .agents
            .values()
            .flat_map(|a| a.csqs.iter().copied())
            .collect();
        csqs.sort();
        csqs.dedup();
        let in_chat = self.holders(contact);
        csqs.into_iter()
            .map(|csq| (csq, available_count(csq, &candidates, in_chat)))
            .collect()
    }

    /// The agent holding an email.
    pub fn email_holder(&self, contact: ContactId) -> Option<AgentId> {
        self.emails.get(&contact).copied()
    }

    /// Chats and emails waiting, oldest first.
    pub fn queued(&self) -> Vec<ContactId> {
        self.waiting.iter().map(|w| w.contact).collect()
    }

    pub fn offer_of(&self, contact: ContactId) -> Option<&Offer> {
        self.offers.get(&contact)
    }

    /// The offers waiting for one agent's answer, with their expiry.
    pub fn offers_for(&self, agent: AgentId) -> Vec<(ContactId, i64)> {
        let mut offers: Vec<_> = self
            .offers
            .iter()
            .filter(|(_, o)| o.agent == agent)
            .map(|(c, o)| (*c, o.expires_at_ms))
            .collect();
        offers.sort();
        offers
    }

    /// The invitations waiting for one agent's answer: the chat, who invited, the expiry.
    pub fn invitations_for(&self, agent: AgentId) -> Vec<(ContactId, AgentId, i64)> {
        let mut invitations: Vec<_> = self
            .invites
            .iter()
            .filter(|(_, i)| i.to == agent)
            .map(|(c, i)| (*c, i.from, i.expires_at_ms))
            .collect();
        invitations.sort();
        invitations
    }

    pub fn agent(&self, agent: AgentId) -> Option<&AgentInfo> {
        self.agents.get(&agent)
    }

    /// Applies one input at time `now_ms` and returns what must happen, in order.
    pub fn handle(&mut self, input: Input, now_ms: i64) -> Vec<Output> {
        let mut out = Vec::new();
        match input {
            Input::ChatQueued {
                contact,
                csq,
                queued_at_ms,
            } => {
                if self.is_new(contact) {
                    self.enqueue(Waiting {
                        contact,
                        kind: ContactKind::Chat,
                        csq,
                        queued_at_ms,
                        excluded: Vec::new(),
                        sticky: None,
                    });
                }
            }
            Input::EmailQueued {
                contact,
                csq,
                queued_at_ms,
                excluded,
                sticky,
            } => {
                if self.is_new(contact) {
                    let sticky = sticky.filter(|(_, until)| *until > now_ms);
                    if let Some((_, at_ms)) = sticky {
                        out.push(Output::WakeAt { at_ms });
                    }
                    self.enqueue(Waiting {
                        contact,
                        kind: ContactKind::Email,
                        csq,
                        queued_at_ms,
                        excluded,
                        sticky,
                    });
                }
            }
            Input::EmailHeld { agent, contact } => {
                if self.emails.insert(contact, agent).is_none() {
                    if let Some(info) = self.agents.get_mut(&agent) {
                        info.active_emails += 1;
                    }
                }
            }
            Input::EmailReleased { agent, contact } => {
                if self.emails.get(&contact) == Some(&agent) {
                    self.emails.remove(&contact);
                    if let Some(info) = self.agents.get_mut(&agent) {
                        info.release(ContactKind::Email, now_ms);
                    }
                }
            }
            Input::Tick => {}
            Input::Away { agent } => {
                if let Some(info) = self.agents.get_mut(&agent) {
                    info.away = true;
                }
            }
            Input::Present { agent } => {
                if let Some(info) = self.agents.get_mut(&agent) {
                    info.away = false;
                }
            }
            Input::AcceptTimerChanged { ms } => self.set_accept_timer_ms(ms),
            Input::AgentKnown { agent, info } => {
                let active = self.held.values().filter(|h| h.contains(&agent)).count() as u32;
                let emails = self.emails.values().filter(|a| **a == agent).count() as u32;
                self.agents.insert(
                    agent,
                    AgentInfo {
                        active_chats: active,
                        active_emails: emails,
                        ..info
                    },
                );
            }
            Input::AgentChanged {
                agent,
                csqs,
                max_chats,
                max_emails,
            } => {
                // An agent routing has not met yet is told everything at their login.
                if let Some(info) = self.agents.get_mut(&agent) {
                    info.csqs = csqs;
                    info.max_chats = max_chats;
                    info.max_emails = max_emails;
                }
            }
            Input::StatusChanged { agent, status } => {
                if let Some(info) = self.agents.get_mut(&agent) {
                    let was_available = info.status.state == AgentState::Ready;
                    if status.state == AgentState::Ready && !was_available {
                        info.available_since_ms = now_ms;
                    }
                    info.status = status;
                }
            }
            Input::Accept { agent, contact } => match self.offers.get(&contact) {
                Some(offer) if offer.agent == agent => {
                    let offer = self.offers.remove(&contact).expect("just seen");
                    self.held.insert(contact, vec![agent]);
                    if let Some(info) = self.agents.get_mut(&agent) {
                        info.take(ContactKind::Chat, now_ms);
                    }
                    out.push(Output::Accepted {
                        agent,
                        contact,
                        csq: offer.chat.csq,
                    });
                }
                _ => out.push(Output::AcceptRefused { agent, contact }),
            },
            Input::OfferTimedOut { contact, number } => {
                if let Some(offer) = self.offers.get(&contact).filter(|o| o.number == number) {
                    let offer = offer.clone();
                    self.offers.remove(&contact);
                    if let Some(info) = self.agents.get_mut(&offer.agent) {
                        // The hub records the same change; applying it here at once keeps
                        // this agent out of the next offers.
                        info.status = info
                            .status
                            .apply(StateEvent::OfferExpired)
                            .unwrap_or(info.status);
                    }
                    out.push(Output::Withdrawn {
                        agent: offer.agent,
                        contact,
                    });
                    out.push(Output::OfferExpired {
                        agent: offer.agent,
                        contact,
                    });
                    let mut chat = offer.chat;
                    chat.excluded.push(offer.agent);
                    self.enqueue(chat);
                }
            }
            Input::ChatEnded { agent, contact } => {
                let holders = self.held.entry(contact).or_default();
                let held = holders.contains(&agent);
                holders.retain(|a| *a != agent);
                if holders.is_empty() {
                    self.held.remove(&contact);
                    self.declined.remove(&contact);
                    if let Some(invite) = self.invites.remove(&contact) {
                        out.push(Output::InviteWithdrawn {
                            agent: invite.to,
                            contact,
                        });
                    }
                }
                if held {
                    if let Some(info) = self.agents.get_mut(&agent) {
                        info.release(ContactKind::Chat, now_ms);
                    }
                }
            }
            Input::ChatHeld { agent, contact } => {
                let holders = self.held.entry(contact).or_default();
                if !holders.contains(&agent) {
                    holders.push(agent);
                    if let Some(info) = self.agents.get_mut(&agent) {
                        info.active_chats += 1;
                    }
                }
            }
            Input::Invite { contact, from, csq } => {
                self.invite(contact, from, csq, now_ms, &mut out)
            }
            Input::InviteAnswer {
                agent,
                contact,
                accept,
            } => match self.invites.get(&contact) {
                Some(invite) if invite.to == agent => {
                    let invite = self.invites.remove(&contact).expect("just seen");
                    let outcome = if accept {
                        self.held.entry(contact).or_default().push(agent);
                        self.declined.entry(contact).or_default().clear();
                        if let Some(info) = self.agents.get_mut(&agent) {
                            info.take(ContactKind::Chat, now_ms);
                        }
                        InviteOutcome::Accepted
                    } else {
                        self.declined.entry(contact).or_default().record(agent);
                        InviteOutcome::Declined
                    };
                    out.push(Output::InviteEnded {
                        contact,
                        from: invite.from,
                        to: Some(agent),
                        csq: invite.csq,
                        outcome,
                    });
                }
                _ => out.push(Output::AcceptRefused { agent, contact }),
            },
            Input::InviteTimedOut { contact, number } => {
                if let Some(invite) = self.invites.get(&contact).filter(|i| i.number == number) {
                    let invite = invite.clone();
                    self.invites.remove(&contact);
                    // G-6: counts as a decline; the invited agent's state does not change.
                    self.declined.entry(contact).or_default().record(invite.to);
                    out.push(Output::InviteEnded {
                        contact,
                        from: invite.from,
                        to: Some(invite.to),
                        csq: invite.csq,
                        outcome: InviteOutcome::Expired,
                    });
                }
            }
            Input::ChatAbandoned { contact } => {
                self.waiting.retain(|w| w.contact != contact);
                if let Some(offer) = self.offers.remove(&contact) {
                    out.push(Output::Withdrawn {
                        agent: offer.agent,
                        contact,
                    });
                }
            }
        }
        self.dispatch(now_ms, &mut out);
        out
    }

    /// SPEC G-1, G-3, G-6: invites the longest-available agent of `csq` who is not in the
    /// chat and has not declined since the last accepted invitation.
    fn invite(
        &mut self,
        contact: ContactId,
        from: AgentId,
        csq: CsqId,
        now_ms: i64,
        out: &mut Vec<Output>,
    ) {
        let holders = self.holders(contact).to_vec();
        if !holders.contains(&from)
            || !can_invite(holders.len())
            || self.invites.contains_key(&contact)
        {
            out.push(Output::InviteRefused { contact, from });
            return;
        }
        let declined = self.declined.get(&contact).cloned().unwrap_or_default();
        match choose_invitee(csq, &self.candidates(), &holders, &declined) {
            Some(agent) => {
                let number = self.next_offer;
                self.next_offer += 1;
                let expires_at_ms = now_ms + self.accept_timer_ms;
                self.invites.insert(
                    contact,
                    Invitation {
                        from,
                        to: agent,
                        csq,
                        number,
                        expires_at_ms,
                    },
                );
                out.push(Output::Invited {
                    agent,
                    contact,
                    from,
                    csq,
                    number,
                    expires_at_ms,
                });
            }
            None => out.push(Output::InviteEnded {
                contact,
                from,
                to: None,
                csq,
                outcome: InviteOutcome::NobodyAvailable,
            }),
        }
    }

    /// Neither offered, held nor waiting already (a contact is queued once).
    fn is_new(&self, contact: ContactId) -> bool {
        !self.offers.contains_key(&contact)
            && !self.held.contains_key(&contact)
            && !self.emails.contains_key(&contact)
            && !self.waiting.iter().any(|w| w.contact == contact)
    }

    /// Keeps arrival order, also for a chat put back after an expired offer.
    fn enqueue(&mut self, chat: Waiting) {
        let at = self
            .waiting
            .partition_point(|w| (w.queued_at_ms, w.contact) <= (chat.queued_at_ms, chat.contact));
        self.waiting.insert(at, chat);
    }

    fn candidates(&self) -> Vec<Candidate> {
        let pending = self.agents_answering();
        self.agents
            .iter()
            .map(|(id, info)| candidate(*id, info, &pending))
            .collect()
    }

    /// The agents with an offer or an invitation waiting for their answer (one at a time).
    fn agents_answering(&self) -> HashSet<AgentId> {
        self.offers
            .values()
            .map(|o| o.agent)
            .chain(self.invites.values().map(|i| i.to))
            .collect()
    }

    /// SPEC E-4: whether a reply may wait for this agent: logged in, and either with a page
    /// open (the agent may choose Ready) or Ready or Reserved (a page may come back within
    /// the grace period, after a blip or a restart). A logged-out agent, or one Not Ready
    /// with no page open, will not take it.
    fn worth_waiting_for(&self, agent: AgentId) -> bool {
        self.agents
            .get(&agent)
            .is_some_and(|info| match info.status.state {
                AgentState::LoggedOut => false,
                AgentState::NotReady => !info.away,
                AgentState::Ready | AgentState::Reserved => true,
            })
    }

    /// Offers waiting chats and assigns waiting emails, oldest first, to the agents free to
    /// take them. Only the agents with room are gathered, once, and kept up to date as the
    /// pass gives them work; a CSQ found with nobody to take its chats (or its emails) is
    /// skipped for the rest of the pass. So a pass costs the agents plus the waiting
    /// contacts, plus the free agents for each contact given; with nobody free it stops at
    /// once, however long the queues (SPEC O-1: 5,000 waiting and 1,000 agents each
    /// answering an offer cost a pass that looks at nothing).
    fn dispatch(&mut self, now_ms: i64, out: &mut Vec<Output>) {
        let mut pending = self.agents_answering();
        let mut candidates: Vec<Candidate> = self
            .agents
            .iter()
            .filter(|(id, info)| may_take_something(info, pending.contains(id)))
            .map(|(id, info)| candidate(*id, info, &pending))
            .collect();
        let mut room = Room::of(&candidates);
        let mut no_chat_taker: HashSet<CsqId> = HashSet::new();
        let mut no_email_taker: HashSet<CsqId> = HashSet::new();
        let mut i = 0;
        while i < self.waiting.len() && (room.chats || room.emails) {
            // SPEC E-4: a reply stops waiting for its last agent once the sticky time is
            // over or that agent cannot come to take it; then the queue's routing applies.
            if let Some((agent, until)) = self.waiting[i].sticky {
                if until <= now_ms || !self.worth_waiting_for(agent) {
                    self.waiting[i].sticky = None;
                }
            }
            let chat = &self.waiting[i];
            let given = if chat.kind == ContactKind::Email {
                let sticky = chat.sticky.map(|(agent, _)| agent);
                if !room.emails || (sticky.is_none() && no_email_taker.contains(&chat.csq)) {
                    None
                } else {
                    match choose_email_agent(chat.csq, &candidates, &chat.excluded, sticky) {
                        Some(agent) => {
                            let email = self.waiting.remove(i);
                            self.emails.insert(email.contact, agent);
                            if let Some(info) = self.agents.get_mut(&agent) {
                                info.take(ContactKind::Email, now_ms);
                            }
                            out.push(Output::Assigned {
                                agent,
                                contact: email.contact,
                                csq: email.csq,
                            });
                            Some(agent)
                        }
                        None => {
                            if sticky.is_none()
                                && choose_email_agent(chat.csq, &candidates, &[], None).is_none()
                            {
                                no_email_taker.insert(chat.csq);
                            }
                            None
                        }
                    }
                }
            } else if !room.chats || no_chat_taker.contains(&chat.csq) {
                None
            } else {
                // Another agent first; the one who let it expire only once nobody else
                // can, and only after choosing Ready again (the expiry made them Not Ready).
                let choice = choose_agent(chat.csq, &candidates, &chat.excluded).or_else(|| {
                    (!chat.excluded.is_empty())
                        .then(|| choose_agent(chat.csq, &candidates, &[]))
                        .flatten()
                });
                match choice {
                    Some(agent) => {
                        let chat = self.waiting.remove(i);
                        let number = self.next_offer;
                        self.next_offer += 1;
                        let expires_at_ms = now_ms + self.accept_timer_ms;
                        out.push(Output::Offer {
                            agent,
                            contact: chat.contact,
                            csq: chat.csq,
                            number,
                            expires_at_ms,
                        });
                        self.offers.insert(
                            chat.contact,
                            Offer {
                                agent,
                                number,
                                expires_at_ms,
                                chat,
                            },
                        );
                        pending.insert(agent);
                        Some(agent)
                    }
                    None => {
                        // Nobody at all takes this CSQ's chats now: its next ones neither.
                        no_chat_taker.insert(chat.csq);
                        None
                    }
                }
            };
            match given {
                // The agent's entry as it is now; gone when they take nothing more.
                Some(agent) => {
                    candidates.retain(|c| c.agent != agent);
                    if let Some(info) = self.agents.get(&agent) {
                        if may_take_something(info, pending.contains(&agent)) {
                            candidates.push(candidate(agent, info, &pending));
                        }
                    }
                    room = Room::of(&candidates);
                }
                None => i += 1,
            }
        }
    }
}

/// Whether any of the gathered agents could be given a chat, an email.
struct Room {
    chats: bool,
    emails: bool,
}

impl Room {
    fn of(candidates: &[Candidate]) -> Room {
        Room {
            chats: candidates.iter().any(has_chat_room),
            emails: candidates.iter().any(has_email_room),
        }
    }
}

/// Whether the agent could be given a chat or an email now (`answering`: an offer or an
/// invitation waits for their answer).
fn may_take_something(info: &AgentInfo, answering: bool) -> bool {
    info.status.takes_offers()
        && !info.away
        && ((!answering && info.active_chats < info.max_chats)
            || info.active_emails < info.max_emails)
}

/// What the choice needs to know of one agent.
fn candidate(agent: AgentId, info: &AgentInfo, answering: &HashSet<AgentId>) -> Candidate {
    Candidate {
        agent,
        takes_offers: info.status.takes_offers() && !info.away,
        csqs: info.csqs.clone(),
        active_chats: info.active_chats,
        max_chats: info.max_chats,
        active_emails: info.active_emails,
        max_emails: info.max_emails,
        has_pending_offer: answering.contains(&agent),
        available_since_ms: info.available_since_ms,
    }
}

fn has_chat_room(c: &Candidate) -> bool {
    c.takes_offers && !c.has_pending_offer && c.active_chats < c.max_chats
}

fn has_email_room(c: &Candidate) -> bool {
    c.takes_offers && c.active_emails < c.max_emails
}
