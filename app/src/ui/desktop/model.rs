//! The desktop's view of the agent's work, updated from server messages: state, offers,
//! contacts in hand with their transcripts, typing and unread counts. Pure: the socket
//! feeds it, components read it, and the rules are tested here without a browser.

use crate::domain::{
    chat::{Author, ChatLine, LineBody},
    customer::{addresses_in, phone_digits, CustomerAddress, CustomerMatch},
    ids::ContactId,
    limits::ADDRESSES_LOOKED_UP_PER_CHAT,
    message_template::TemplateUse,
    meta::MessageStatus,
    protocol::{AgentEvent, ChatCursor, ContactView, InvitationView, OfferView, Seq, Work},
    state::AgentStatus,
};
use std::collections::BTreeMap;

/// One contact tab (SPEC C-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactTab {
    pub view: ContactView,
    /// Lines by sequence number: ordered, and a line received twice is kept once.
    pub lines: BTreeMap<Seq, ChatLine>,
    pub customer_typing: bool,
    /// SPEC G-2: the other agent of a group chat who is typing, by alias.
    pub agent_typing: Option<String>,
    /// Unix ms of the last line that arrived while the tab was not current (blinks a while).
    pub attention_since_ms: Option<i64>,
    /// Issue 16: what became of the business's lines on Meta's side (the ticks), by line.
    pub statuses: BTreeMap<Seq, MessageStatus>,
    /// Issue 16: the addresses looked up in this chat (typed by the agent, or written by
    /// the customer), each with the known customer it belongs to, if any.
    pub lookups: Vec<(CustomerAddress, Option<CustomerMatch>)>,
    /// Issue 16: the addresses asked about (answered or not): each is asked once.
    pub asked: Vec<CustomerAddress>,
    /// Issue 16: suggestions the agent put away ("Not the same").
    pub dismissed: Vec<CustomerAddress>,
    /// Issue 16: every address the customer wrote in a Messenger or WhatsApp chat, each
    /// once, in the order written: gathered as lines arrive, so a change of the page does
    /// not read the whole transcript again.
    written: Vec<CustomerAddress>,
}

impl ContactTab {
    fn new(view: ContactView) -> Self {
        ContactTab {
            view,
            lines: BTreeMap::new(),
            customer_typing: false,
            agent_typing: None,
            attention_since_ms: None,
            statuses: BTreeMap::new(),
            lookups: Vec::new(),
            asked: Vec::new(),
            dismissed: Vec::new(),
            written: Vec::new(),
        }
    }

    /// SPEC C-1: customer messages since the agent's last reply.
    pub fn unanswered(&self) -> usize {
        self.lines
            .values()
            .rev()
            .take_while(|l| {
                !matches!(
                    &l.body,
                    LineBody::Message {
                        author: Author::Agent { .. },
                        ..
                    }
                )
            })
            .filter(|l| {
                matches!(
                    &l.body,
                    LineBody::Message {
                        author: Author::Customer { .. },
                        ..
                    }
                )
            })
            .count()
    }

    pub fn last_seq(&self) -> Seq {
        self.lines.keys().next_back().copied().unwrap_or(0)
    }

    /// What an address was found to be, once the server answered.
    pub fn lookup(&self, address: &CustomerAddress) -> Option<&Option<CustomerMatch>> {
        self.lookups
            .iter()
            .find(|(a, _)| a == address)
            .map(|(_, found)| found)
    }

    /// Issue 16: what the customer wrote and nobody asked about yet.
    pub fn to_look_up(&self) -> Vec<CustomerAddress> {
        let mut addresses = self.written_addresses();
        addresses.retain(|a| !self.asked.contains(a));
        addresses
    }

    /// Issue 16: the known customers the customer's own words point to, not this one's
    /// and not put away by the agent: each with the address that found them.
    pub fn suggestions(&self) -> Vec<(CustomerAddress, CustomerMatch)> {
        self.written_addresses()
            .into_iter()
            .filter(|a| !self.dismissed.contains(a))
            .filter_map(|address| match self.lookup(&address) {
                Some(Some(found)) if found.customer.id != self.view.customer.id => {
                    Some((address, found.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// Issue 16: addresses the customer wrote in a Messenger or WhatsApp chat that are not
    /// the customer's own, to be looked up for a suggested link (a web chat's customer
    /// gave theirs in the form).
    pub fn written_addresses(&self) -> Vec<CustomerAddress> {
        if self.view.reply_rule.is_none() {
            return Vec::new();
        }
        let own = |a: &CustomerAddress| match a {
            CustomerAddress::Email(e) => self
                .view
                .customer
                .email
                .as_deref()
                .is_some_and(|own| own.eq_ignore_ascii_case(e)),
            CustomerAddress::Phone(d) => {
                self.view
                    .customer
                    .phone
                    .as_deref()
                    .is_some_and(|own| phone_digits(own) == *d)
                    || self.view.profile.as_ref().is_some_and(|p| p.handle == *d)
            }
        };
        self.written
            .iter()
            .filter(|a| !own(a))
            .take(ADDRESSES_LOOKED_UP_PER_CHAT)
            .cloned()
            .collect()
    }
}

/// A transcript line arrived with lines missing before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineGap;

/// What changed that the page should announce (a sound, SPEC O-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    NewOffer,
    /// A customer message in a chat that is not the current tab.
    MessageElsewhere,
    /// SPEC C-3: a chat was just accepted: switch to the Manage gadget and show it.
    Accepted(ContactId),
    /// SPEC E-1, C-3: an email was assigned: announced, without switching anything.
    EmailArrived(ContactId),
}

/// SPEC E-1: the notification of a newly assigned email, until the agent opens or
/// dismisses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub contact: ContactId,
    pub from: String,
    pub subject: String,
}

/// A message the agent sent that the server has not confirmed yet: shown as sending, and
/// sent again after a reconnect (SPEC K-3: the server stores it once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub contact: ContactId,
    pub client_id: String,
    /// As the customer will read it.
    pub text: String,
    /// SPEC F-3: a WhatsApp template with its values, sent as such.
    pub template: Option<TemplateUse>,
    /// The server refused it (the refusal is told): kept for the agent to read again, never
    /// sent again.
    pub refused: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DesktopModel {
    pub status: AgentStatus,
    pub offers: Vec<OfferView>,
    /// Newest first (SPEC C-1 column).
    pub tabs: Vec<ContactTab>,
    pub current: Option<ContactId>,
    pub pending: Vec<Pending>,
    /// SPEC G-2: invitations to join other agents' chats, waiting for an answer.
    pub invitations: Vec<InvitationView>,
    /// SPEC E-1: emails just assigned, announced until opened or dismissed.
    pub arrivals: Vec<Arrival>,
}

impl DesktopModel {
    pub fn new(status: AgentStatus, work: Work) -> Self {
        let mut model = DesktopModel {
            status,
            ..Default::default()
        };
        model.reset(status, work);
        model
    }

    /// Replaces state, offers, invitations and contacts with a snapshot, keeping known
    /// transcripts.
    pub fn reset(&mut self, status: AgentStatus, work: Work) {
        let Work {
            offers,
            invitations,
            mut contacts,
        } = work;
        self.status = status;
        self.offers = offers;
        self.invitations = invitations;
        let mut old: Vec<ContactTab> = std::mem::take(&mut self.tabs);
        contacts.sort_by_key(|c| std::cmp::Reverse((c.started_at_ms, c.contact)));
        self.tabs = contacts
            .into_iter()
            .map(
                |view| match old.iter().position(|t| t.view.contact == view.contact) {
                    Some(i) => ContactTab {
                        view,
                        ..old.swap_remove(i)
                    },
                    None => ContactTab::new(view),
                },
            )
            .collect();
        if self.current.is_none_or(|c| self.tab(c).is_none()) {
            self.current = self.tabs.first().map(|t| t.view.contact);
        }
        let tabs = &self.tabs;
        self.arrivals
            .retain(|a| tabs.iter().any(|t| t.view.contact == a.contact));
    }

    pub fn tab(&self, contact: ContactId) -> Option<&ContactTab> {
        self.tabs.iter().find(|t| t.view.contact == contact)
    }

    /// SPEC R-4: the reply being written, as the panel left it: opening the email again
    /// in this page shows it (the server has it too, once saved).
    pub fn keep_draft(&mut self, contact: ContactId, draft: crate::domain::reply::Draft) {
        if let Some(email) = self
            .tab_mut(contact)
            .and_then(|t| t.view.email.as_deref_mut())
        {
            email.draft = Some(draft);
        }
    }

    /// A file whose upload ended after its panel closed: the draft kept here shows it.
    pub fn keep_draft_file(&mut self, contact: ContactId, file: crate::domain::reply::DraftFile) {
        if let Some(email) = self
            .tab_mut(contact)
            .and_then(|t| t.view.email.as_deref_mut())
        {
            let draft = email.draft.get_or_insert_with(Default::default);
            if !draft.files.iter().any(|f| f.id == file.id) {
                draft.files.push(file);
            }
        }
    }

    fn tab_mut(&mut self, contact: ContactId) -> Option<&mut ContactTab> {
        self.tabs.iter_mut().find(|t| t.view.contact == contact)
    }

    /// What the page has of each transcript, for a reconnect (SPEC K-3).
    pub fn cursors(&self) -> Vec<ChatCursor> {
        self.tabs
            .iter()
            .map(|t| ChatCursor {
                contact: t.view.contact,
                seq: t.last_seq(),
            })
            .collect()
    }

    /// Applies an event of the agent's stream.
    pub fn apply_event(&mut self, event: AgentEvent) -> Option<Cue> {
        match event {
            AgentEvent::StateChanged { status, .. } => {
                self.status = status;
                None
            }
            AgentEvent::Offered { offer } => {
                self.offers.retain(|o| o.contact != offer.contact);
                self.offers.push(offer);
                Some(Cue::NewOffer)
            }
            AgentEvent::OfferWithdrawn { contact } => {
                self.offers.retain(|o| o.contact != contact);
                None
            }
            AgentEvent::ContactAssigned { contact } => {
                let id = contact.contact;
                self.offers.retain(|o| o.contact != id);
                if let Some(email) = &contact.email {
                    // SPEC C-3: an email neither becomes current nor switches the gadget.
                    if self.tab(id).is_some() {
                        return None;
                    }
                    self.arrivals.retain(|a| a.contact != id);
                    self.arrivals.push(Arrival {
                        contact: id,
                        from: contact.customer.name.clone(),
                        subject: email.subject.clone(),
                    });
                    self.tabs.insert(0, ContactTab::new(contact));
                    return Some(Cue::EmailArrived(id));
                }
                if self.tab(id).is_none() {
                    self.tabs.insert(0, ContactTab::new(contact));
                }
                self.current = Some(id);
                Some(Cue::Accepted(id))
            }
            AgentEvent::WrapUpChanged { contact, reasons } => {
                if let Some(tab) = self.tab_mut(contact) {
                    tab.view.wrap_up.selected = reasons;
                }
                None
            }
            AgentEvent::Invited { invitation } => {
                self.invitations.retain(|i| i.contact != invitation.contact);
                self.invitations.push(invitation);
                Some(Cue::NewOffer)
            }
            AgentEvent::InvitationClosed { contact } => {
                self.invitations.retain(|i| i.contact != contact);
                None
            }
            // The page shows the sentence as a notice (see `Live::handle`).
            AgentEvent::InviteResult { .. } => None,
            AgentEvent::Participants { contact, agents } => {
                if let Some(tab) = self.tab_mut(contact) {
                    tab.view.agents = agents;
                    tab.agent_typing = None;
                }
                None
            }
            AgentEvent::CustomerLinked {
                contact,
                customer,
                history,
                about,
            } => {
                if let Some(tab) = self.tab_mut(contact) {
                    tab.view.customer = customer;
                    tab.view.history = history;
                    *tab.view.about = about;
                }
                None
            }
            AgentEvent::CustomerAbout { contact, about } => {
                if let Some(tab) = self.tab_mut(contact) {
                    *tab.view.about = about;
                }
                None
            }
            AgentEvent::LeftChat { contact } | AgentEvent::ContactClosed { contact, .. } => {
                self.tabs.retain(|t| t.view.contact != contact);
                self.arrivals.retain(|a| a.contact != contact);
                self.pending.retain(|p| p.contact != contact);
                if self.current == Some(contact) {
                    self.current = self.tabs.first().map(|t| t.view.contact);
                }
                None
            }
        }
    }

    /// Issue 16: a lookup goes out for this chat.
    pub fn asking(&mut self, contact: ContactId, address: CustomerAddress) {
        if let Some(tab) = self.tab_mut(contact) {
            if !tab.asked.contains(&address) {
                tab.asked.push(address);
            }
        }
    }

    /// Issue 16: a suggestion put away by the agent.
    pub fn dismiss_suggestion(&mut self, contact: ContactId, address: CustomerAddress) {
        if let Some(tab) = self.tab_mut(contact) {
            tab.dismissed.push(address);
        }
    }

    /// Issue 16: every answer forgotten (a customer found was linked away meanwhile): what
    /// the customers wrote is asked again.
    pub fn forget_lookups(&mut self) {
        for tab in &mut self.tabs {
            tab.lookups.clear();
            tab.asked.clear();
        }
    }

    /// Issue 16: the server's answer to a lookup in a chat.
    pub fn found_customer(
        &mut self,
        contact: ContactId,
        address: CustomerAddress,
        found: Option<CustomerMatch>,
    ) {
        if let Some(tab) = self.tab_mut(contact) {
            tab.lookups.retain(|(a, _)| *a != address);
            tab.lookups.push((address, found));
        }
    }

    /// Adds a transcript line; returns a cue when a customer writes in another tab. A line
    /// past a gap (the tab's last line is not the one before it) is not added: the page
    /// asks the server for what it missed, which comes in order (SPEC K-3).
    pub fn add_line(
        &mut self,
        contact: ContactId,
        line: ChatLine,
        now_ms: i64,
    ) -> Result<Option<Cue>, LineGap> {
        if let Some(tab) = self.tab(contact) {
            if !tab.lines.is_empty() && line.seq > tab.last_seq() + 1 {
                return Err(LineGap);
            }
        }
        let current = self.current == Some(contact);
        let from_customer = matches!(
            &line.body,
            LineBody::Message {
                author: Author::Customer { .. },
                ..
            }
        );
        if let LineBody::Message {
            author: Author::Agent { .. },
            client_id,
            ..
        } = &line.body
        {
            let confirmed = client_id.clone();
            self.pending
                .retain(|p| !(p.contact == contact && p.client_id == confirmed));
        }
        let Some(tab) = self.tab_mut(contact) else {
            return Ok(None);
        };
        if from_customer {
            tab.customer_typing = false;
            // SPEC F-3: the customer's message opens the reply window again.
            // It runs from the channel's own time of the message (one delivered late opens
            // no more window than Meta gives), as on the server.
            if let Some(rule) = &mut tab.view.reply_rule {
                let wrote_at = match &line.body {
                    LineBody::Message {
                        sent_at_ms: Some(at),
                        ..
                    } => *at,
                    _ => line.at_ms,
                };
                rule.customer_wrote(wrote_at);
            }
        }
        let written = match &line.body {
            LineBody::Message { text, .. } if from_customer && tab.view.reply_rule.is_some() => {
                addresses_in(text)
            }
            _ => Vec::new(),
        };
        let fresh = tab.lines.insert(line.seq, line).is_none();
        if fresh {
            for address in written {
                if !tab.written.contains(&address) {
                    tab.written.push(address);
                }
            }
        }
        Ok((fresh && from_customer && !current).then(|| {
            tab.attention_since_ms = Some(now_ms);
            Cue::MessageElsewhere
        }))
    }

    /// The server refused the message `client_id`: it stays, marked as not sent, until the
    /// agent dismisses it; it is never sent again.
    pub fn refuse(&mut self, client_id: &str) {
        for pending in self.pending.iter_mut().filter(|p| p.client_id == client_id) {
            pending.refused = true;
        }
    }

    /// The customer (`who` none) or the other agent is typing, or stopped.
    pub fn set_typing(&mut self, contact: ContactId, active: bool, who: Option<String>) {
        if let Some(tab) = self.tab_mut(contact) {
            match who {
                None => tab.customer_typing = active,
                Some(alias) => tab.agent_typing = active.then_some(alias),
            }
        }
    }

    /// Issue 16: a line's status moves forward only (one reported late never undoes a
    /// later one).
    pub fn set_line_status(&mut self, contact: ContactId, seq: Seq, status: MessageStatus) {
        if let Some(tab) = self.tab_mut(contact) {
            let kept = tab.statuses.entry(seq).or_insert(status);
            *kept = (*kept).max(status);
        }
    }

    pub fn select(&mut self, contact: ContactId) {
        if let Some(tab) = self.tab_mut(contact) {
            tab.attention_since_ms = None;
            self.current = Some(contact);
            self.arrivals.retain(|a| a.contact != contact);
        }
    }

    /// The agent closed an email's notification without opening it.
    pub fn dismiss_arrival(&mut self, contact: ContactId) {
        self.arrivals.retain(|a| a.contact != contact);
    }

    /// SPEC C-1: the unread count of the tabs that are not current (for the title).
    pub fn unread_elsewhere(&self) -> usize {
        self.tabs
            .iter()
            .filter(|t| Some(t.view.contact) != self.current)
            .map(ContactTab::unanswered)
            .sum()
    }
}

/// A web chat's tab as the server would send it, for the desktop's tests.
#[cfg(test)]
pub(crate) fn test_view(id: i64, started: i64) -> ContactView {
    use crate::domain::{contact::Channel, customer::Customer, ids::CustomerId};
    ContactView {
        email: None,
        contact: ContactId(id),
        channel: Channel::Web,
        csq: "Support".into(),
        csq_id: crate::domain::ids::CsqId(1),
        customer: Customer {
            id: CustomerId(id),
            name: format!("Customer {id}"),
            email: None,
            phone: None,
        },
        problem: "Order".into(),
        details: Vec::new(),
        started_at_ms: started,
        wrap_up: Default::default(),
        agents: Vec::new(),
        notes: None,
        reply_rule: None,
        profile: None,
        history: Vec::new(),
        about: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{contact::Channel, ids::AgentId};

    use super::test_view as view;

    fn msg(seq: Seq, customer: bool) -> ChatLine {
        ChatLine {
            seq,
            at_ms: seq as i64,
            body: LineBody::Message {
                author: if customer {
                    Author::Customer {
                        name: "Zoé".into()
                    }
                } else {
                    Author::Agent {
                        agent: AgentId(1),
                        alias: "Alice".into(),
                    }
                },
                text: format!("m{seq}"),
                client_id: format!("c{seq}"),
                files: Vec::new(),
                sent_at_ms: None,
                template: None,
            },
        }
    }

    /// SPEC F-3: a Messenger chat's window, closed since the customer's last message, opens
    /// again with their next one.
    #[test]
    fn f3_a_customer_message_opens_the_reply_window_again() {
        use crate::domain::meta::{MetaChannel, ReplyRule, ReplyWindow};
        const DAY: i64 = 86_400_000;
        let mut m = DesktopModel::default();
        m.apply_event(AgentEvent::ContactAssigned {
            contact: ContactView {
                reply_rule: Some(ReplyRule {
                    channel: MetaChannel::Messenger,
                    last_customer_at_ms: 0,
                    human_agent_tag: false,
                }),
                ..view(1, 0)
            },
        });
        let window = |m: &DesktopModel, now| {
            m.tab(ContactId(1))
                .and_then(|t| t.view.reply_rule)
                .map(|r| r.window(now))
        };
        assert_eq!(window(&m, 2 * DAY), Some(ReplyWindow::Closed));
        m.add_line(ContactId(1), msg(1, true), 2 * DAY).unwrap();
        // `msg` stamps a line with its number as its time: the window runs from there.
        assert_eq!(window(&m, 2), Some(ReplyWindow::Open { until_ms: 1 + DAY }));
        // A message Meta hands over three days after the customer wrote it opens no window:
        // it runs from Meta's time of it, as the server's refusal does.
        let mut late = msg(2, true);
        if let LineBody::Message { sent_at_ms, .. } = &mut late.body {
            *sent_at_ms = Some(1);
        }
        late.at_ms = 3 * DAY;
        m.add_line(ContactId(1), late, 3 * DAY).unwrap();
        assert_eq!(window(&m, 3 * DAY), Some(ReplyWindow::Closed));
    }

    /// Issue 16: the addresses a Messenger or WhatsApp customer wrote are looked up, once
    /// each and not their own; once the agent links the chat's customer to the one found,
    /// the tab shows that customer and their history, and suggests nothing more.
    #[test]
    fn written_addresses_suggest_a_link_and_a_link_changes_the_customer() {
        use crate::domain::{
            customer::{Customer, CustomerAddress, CustomerMatch, PastContact},
            ids::CustomerId,
            meta::{MetaChannel, ReplyRule},
        };
        let mut m = DesktopModel::default();
        let said = |seq, text: &str| {
            let mut line = msg(seq, true);
            if let LineBody::Message { text: t, .. } = &mut line.body {
                *t = text.into();
            }
            line
        };
        let messenger = ContactView {
            reply_rule: Some(ReplyRule {
                channel: MetaChannel::Messenger,
                last_customer_at_ms: 0,
                human_agent_tag: false,
            }),
            ..view(1, 0)
        };
        m.apply_event(AgentEvent::ContactAssigned { contact: messenger });
        m.apply_event(AgentEvent::ContactAssigned {
            contact: view(2, 0),
        });
        for (id, text) in [(1, "I'm ravi@example.com"), (2, "I'm ravi@example.com")] {
            m.add_line(ContactId(id), said(1, text), 1).unwrap();
        }
        m.add_line(
            ContactId(1),
            said(2, "Again: Ravi@Example.com, +44 20 7946 0958"),
            2,
        )
        .unwrap();
        let ravi = CustomerAddress::Email("ravi@example.com".into());
        let phone = CustomerAddress::Phone("442079460958".into());
        let tab = |m: &DesktopModel, id| m.tab(ContactId(id)).unwrap().clone();
        assert_eq!(
            tab(&m, 1).written_addresses(),
            [ravi.clone(), phone.clone()]
        );
        assert!(
            tab(&m, 2).written_addresses().is_empty(),
            "a web chat's customer gave theirs in the form"
        );
        let known = Customer {
            id: CustomerId(7),
            name: "Ravi Patel".into(),
            email: Some("ravi@example.com".into()),
            phone: None,
        };
        let found = CustomerMatch {
            customer: known.clone(),
            conversations: 1,
            last_at_ms: Some(0),
        };
        assert_eq!(tab(&m, 1).to_look_up(), [ravi.clone(), phone.clone()]);
        m.asking(ContactId(1), ravi.clone());
        m.asking(ContactId(1), phone.clone());
        assert!(tab(&m, 1).to_look_up().is_empty(), "each asked once");
        m.found_customer(ContactId(1), ravi.clone(), Some(found.clone()));
        m.found_customer(ContactId(1), phone.clone(), None);
        assert_eq!(tab(&m, 1).lookup(&ravi), Some(&Some(found.clone())));
        assert_eq!(tab(&m, 1).lookup(&phone), Some(&None));
        assert_eq!(tab(&m, 1).suggestions(), [(ravi.clone(), found.clone())]);
        // Put away by the agent; asked again once a customer found was linked away.
        m.dismiss_suggestion(ContactId(1), ravi.clone());
        assert!(tab(&m, 1).suggestions().is_empty());
        m.forget_lookups();
        assert_eq!(tab(&m, 1).lookup(&ravi), None);
        assert_eq!(tab(&m, 1).to_look_up(), [ravi.clone(), phone.clone()]);
        m.found_customer(ContactId(1), ravi.clone(), Some(found));

        let past = PastContact {
            contact: ContactId(5),
            channel: Channel::Web,
            csq: "Support".into(),
            agent: None,
            started_at_ms: 0,
            about: "Order".into(),
            wrap_up: Vec::new(),
        };
        m.apply_event(AgentEvent::CustomerLinked {
            contact: ContactId(1),
            customer: known,
            history: vec![past.clone()],
            about: Default::default(),
        });
        let linked = tab(&m, 1);
        assert_eq!(linked.view.customer.name, "Ravi Patel");
        assert_eq!(linked.view.history, [past]);
        assert_eq!(
            linked.written_addresses(),
            [phone],
            "their own address is no longer suggested"
        );
    }

    /// Issue 17: tags and notes told about a contact's customer change that tab only; a
    /// link brings the joined record's.
    #[test]
    fn what_is_known_of_a_customer_changes_with_each_telling() {
        use crate::domain::about_customer::{AboutCustomer, CustomerNote};
        let mut m = DesktopModel::default();
        for id in [1, 2] {
            m.apply_event(AgentEvent::ContactAssigned {
                contact: view(id, 10),
            });
        }
        let about = AboutCustomer {
            tags: vec!["vip".into()],
            notes: vec![CustomerNote {
                id: 1,
                agent: "Dave".into(),
                text: "Prefers email.".into(),
                at_ms: 5,
            }],
        };
        m.apply_event(AgentEvent::CustomerAbout {
            contact: ContactId(1),
            about: about.clone(),
        });
        assert_eq!(*m.tab(ContactId(1)).unwrap().view.about, about);
        assert!(m.tab(ContactId(2)).unwrap().view.about.is_empty());
        let customer = m.tab(ContactId(2)).unwrap().view.customer.clone();
        m.apply_event(AgentEvent::CustomerLinked {
            contact: ContactId(2),
            customer,
            history: Vec::new(),
            about: about.clone(),
        });
        assert_eq!(*m.tab(ContactId(2)).unwrap().view.about, about);
    }

    /// Issue 16: a line's ticks only move forward, whatever order Meta reports them in.
    #[test]
    fn a_line_status_reported_late_never_undoes_a_later_one() {
        let mut m = DesktopModel::default();
        m.apply_event(AgentEvent::ContactAssigned {
            contact: view(1, 10),
        });
        m.set_line_status(ContactId(1), 3, MessageStatus::Read);
        m.set_line_status(ContactId(1), 3, MessageStatus::Delivered);
        m.set_line_status(ContactId(1), 4, MessageStatus::Sent);
        m.set_line_status(ContactId(2), 4, MessageStatus::Sent);
        let tab = m.tab(ContactId(1)).unwrap();
        assert_eq!(tab.statuses.get(&3), Some(&MessageStatus::Read));
        assert_eq!(tab.statuses.get(&4), Some(&MessageStatus::Sent));
        assert!(m.tab(ContactId(2)).is_none());
    }

    /// SPEC C-1, C-3: accepted chats open a tab at the top and become current.
    #[test]
    fn accepted_chats_go_on_top_and_become_current() {
        let mut m = DesktopModel::default();
        assert_eq!(
            m.apply_event(AgentEvent::ContactAssigned {
                contact: view(1, 10)
            }),
            Some(Cue::Accepted(ContactId(1)))
        );
        m.apply_event(AgentEvent::ContactAssigned {
            contact: view(2, 20),
        });
        let order: Vec<_> = m.tabs.iter().map(|t| t.view.contact.0).collect();
        assert_eq!(order, [2, 1]);
        assert_eq!(m.current, Some(ContactId(2)));
        m.apply_event(AgentEvent::ContactClosed {
            contact: ContactId(2),
            reason: crate::domain::contact::EndReason::EndedByAgent,
        });
        assert_eq!(m.current, Some(ContactId(1)));
    }

    /// SPEC C-1 and K-3: lines are ordered by number and kept once; customer messages in
    /// another tab count until the agent replies, and cue a sound.
    #[test]
    fn unread_counts_customer_messages_since_the_last_reply() {
        let mut m = DesktopModel::default();
        m.apply_event(AgentEvent::ContactAssigned {
            contact: view(1, 10),
        });
        m.apply_event(AgentEvent::ContactAssigned {
            contact: view(2, 20),
        });
        assert_eq!(
            m.add_line(ContactId(1), msg(2, true), 100),
            Ok(Some(Cue::MessageElsewhere))
        );
        assert_eq!(m.add_line(ContactId(1), msg(1, false), 100), Ok(None));
        assert_eq!(
            m.add_line(ContactId(1), msg(2, true), 100),
            Ok(None),
            "a duplicate is ignored"
        );
        m.add_line(ContactId(1), msg(3, true), 100).unwrap();
        let tab = m.tab(ContactId(1)).unwrap();
        assert_eq!(tab.lines.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(tab.unanswered(), 2);
        assert_eq!(m.unread_elsewhere(), 2);
        assert_eq!(
            m.add_line(ContactId(2), msg(1, true), 100),
            Ok(None),
            "current tab: no cue"
        );
        m.add_line(ContactId(1), msg(4, false), 100).unwrap();
        assert_eq!(m.tab(ContactId(1)).unwrap().unanswered(), 0);
        m.pending.push(Pending {
            contact: ContactId(1),
            client_id: "c9".into(),
            text: "m9".into(),
            template: None,
            refused: false,
        });
        assert_eq!(
            m.add_line(ContactId(1), msg(9, false), 100),
            Err(LineGap),
            "lines 5 to 8 are missing: the page asks for them"
        );
        assert_eq!(m.tab(ContactId(1)).unwrap().last_seq(), 4);
        for seq in 5..=9 {
            m.add_line(ContactId(1), msg(seq, false), 100).unwrap();
        }
        assert!(
            m.pending.is_empty(),
            "the server's copy confirms the pending message"
        );
        m.select(ContactId(1));
        assert_eq!(m.unread_elsewhere(), 1, "now tab 2 is elsewhere");
        assert_eq!(
            m.cursors()
                .iter()
                .map(|c| (c.contact.0, c.seq))
                .collect::<Vec<_>>(),
            [(2, 1), (1, 9)]
        );
    }

    fn email_view(id: i64) -> ContactView {
        ContactView {
            channel: Channel::Email,
            email: Some(Box::new(crate::domain::email::EmailView {
                subject: format!("Subject {id}"),
                from: crate::domain::email::EmailAddress {
                    name: None,
                    address: "c@example.com".into(),
                },
                to: vec![],
                cc: vec![],
                sent_at_ms: None,
                received_at_ms: 5,
                attachments: vec![],
                skipped: vec![],
                has_remote_images: false,
                is_html: false,
                mailbox_address: "support@shop.test".into(),
                draft: None,
            })),
            ..view(id, 30)
        }
    }

    /// SPEC C-3, E-1: an assigned email gets its tab and a notification, but neither
    /// becomes current nor switches the gadget; opening it or its end clears the notice.
    #[test]
    fn an_assigned_email_is_announced_not_made_current() {
        let mut m = DesktopModel::default();
        m.apply_event(AgentEvent::ContactAssigned {
            contact: view(1, 10),
        });
        assert_eq!(
            m.apply_event(AgentEvent::ContactAssigned {
                contact: email_view(2)
            }),
            Some(Cue::EmailArrived(ContactId(2)))
        );
        assert_eq!(m.current, Some(ContactId(1)), "the chat stays current");
        assert_eq!(m.tabs[0].view.contact, ContactId(2), "newest at the top");
        assert_eq!(m.arrivals.len(), 1);
        assert_eq!(m.arrivals[0].subject, "Subject 2");
        assert_eq!(
            m.apply_event(AgentEvent::ContactAssigned {
                contact: email_view(2)
            }),
            None,
            "a replayed assignment announces nothing twice"
        );
        m.select(ContactId(2));
        assert!(m.arrivals.is_empty(), "opened");
        m.apply_event(AgentEvent::ContactAssigned {
            contact: email_view(3),
        });
        m.apply_event(AgentEvent::ContactClosed {
            contact: ContactId(3),
            reason: crate::domain::contact::EndReason::Requeued,
        });
        assert!(m.arrivals.is_empty() && m.tab(ContactId(3)).is_none());
        let mut empty = DesktopModel::default();
        empty.apply_event(AgentEvent::ContactAssigned {
            contact: email_view(4),
        });
        assert_eq!(empty.current, None, "not even on an empty desktop");
    }

    /// SPEC O-2: offers come and go.
    #[test]
    fn offers_come_and_go() {
        let mut m = DesktopModel::default();
        let offer = OfferView {
            contact: ContactId(5),
            channel: Channel::Web,
            csq: "Sales".into(),
            customer: view(5, 0).customer,
            problem: "Quote".into(),
            details: Vec::new(),
            expires_at_ms: 99,
        };
        assert_eq!(
            m.apply_event(AgentEvent::Offered {
                offer: offer.clone()
            }),
            Some(Cue::NewOffer)
        );
        assert_eq!(m.offers.len(), 1);
        m.apply_event(AgentEvent::OfferWithdrawn {
            contact: ContactId(5),
        });
        assert!(m.offers.is_empty());
        m.apply_event(AgentEvent::Offered { offer });
        m.apply_event(AgentEvent::ContactAssigned {
            contact: view(5, 0),
        });
        assert!(m.offers.is_empty(), "accepting removes the offer");
    }

    /// SPEC G-2, D-4: a snapshot brings the invitations waiting for an answer, and drops
    /// those answered meanwhile (on another page).
    #[test]
    fn a_snapshot_brings_the_waiting_invitations() {
        let invitation = InvitationView {
            contact: ContactId(8),
            from: "Alice".into(),
            customer: "Zoé".into(),
            csq: "Support".into(),
            notes: "Wants a refund".into(),
            expires_at_ms: 99,
        };
        let status = AgentStatus::default();
        let mut m = DesktopModel::new(
            status,
            Work {
                invitations: vec![invitation.clone()],
                ..Work::default()
            },
        );
        assert_eq!(m.invitations, [invitation]);
        m.reset(status, Work::default());
        assert!(m.invitations.is_empty());
    }
}
