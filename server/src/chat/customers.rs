//! One customer across channels (issue 16): the agent in a chat (or, issue 17, with an
//! email in hand) looks up who an email address or phone number belongs to, and once they
//! confirm, the contact's customer and that known customer become one, with both
//! histories. Every agent in the contact sees the customer and history change; the link is
//! audited. An agent reads any of the customer's earlier conversations from their history
//! (issue 17).

use super::ChatService;
use crate::{
    clock::now_ms,
    contact::{views, ContactError},
    store::{AuditEntry, StoreError},
};
use app::domain::{
    contact::Contact,
    customer::{CustomerAddress, CustomerMatch, PastConversation},
    ids::{AgentId, ContactId, CustomerId},
    meta::MetaChannel,
    protocol::AgentEvent,
};

/// A customer gone meanwhile (linked into another) is said so.
pub(super) fn customer_gone(e: StoreError) -> ContactError {
    match e {
        StoreError::NotFound => ContactError::CustomerGone,
        e => e.into(),
    }
}

impl ChatService {
    /// Issue 17 (SPEC P-5): one of the customer's earlier conversations, read-only, for an
    /// agent who holds one of that customer's contacts (the chat's transcript from its
    /// start, cut at [`PAST_TRANSCRIPT_LINES`]; an email's text).
    pub async fn read_past(
        &self,
        agent: AgentId,
        id: ContactId,
        past: ContactId,
    ) -> Result<PastConversation, ContactError> {
        let held = self.store.contact(id).await?;
        if !self.participants(&held).await?.contains(&agent) {
            return Err(ContactError::NotYours);
        }
        let earlier = match self.store.contact(past).await {
            Ok(earlier) if earlier.customer == held.customer && earlier.id != held.id => earlier,
            Ok(_) | Err(StoreError::NotFound) => return Err(ContactError::NotYours),
            Err(e) => return Err(e.into()),
        };
        Ok(views::past_conversation(self.store.as_ref(), &earlier).await?)
    }

    /// A contact going on that this agent is in, a chat or an email (issue 17: a customer
    /// is looked up and linked from either).
    pub(super) async fn held_contact(
        &self,
        agent: AgentId,
        id: ContactId,
    ) -> Result<Contact, ContactError> {
        let contact = self.store.contact(id).await?;
        if contact.status.is_ended() {
            return Err(ContactError::Ended);
        }
        if !self.participants(&contact).await?.contains(&agent) {
            return Err(ContactError::NotYours);
        }
        Ok(contact)
    }

    /// The known customer `address` belongs to, for the agent of a chat or email in hand.
    pub async fn find_customer(
        &self,
        agent: AgentId,
        id: ContactId,
        address: &str,
    ) -> Result<(CustomerAddress, Option<CustomerMatch>), ContactError> {
        self.held_contact(agent, id).await?;
        let address = CustomerAddress::parse(address)?;
        let found = self.store.find_customer(&address).await?;
        Ok((address, found))
    }

    /// The contact's customer (a chat's or an email's) is `customer` (the agent confirmed
    /// it): one record from now on.
    /// Refused while both have a Messenger or WhatsApp chat going on on the same channel:
    /// the customer's next message would not know which chat it belongs to.
    pub async fn link_customer(
        &self,
        agent: AgentId,
        id: ContactId,
        customer: CustomerId,
    ) -> Result<(), ContactError> {
        let chat = self.held_contact(agent, id).await?;
        if chat.customer == customer {
            // Linked meanwhile (another agent's chat of the same person): the page is told
            // again, so its suggestion goes.
            return self.tell_linked(&chat, &[agent]).await;
        }
        self.merge_customers(agent, chat.customer, customer, &format!("chat {}", chat.id))
            .await
    }

    /// `from` and `into` are one person (an agent confirmed it, or a program said so through
    /// the API, `via` naming which): one record from now on, audited in `actor`'s name, and
    /// every agent holding a contact of theirs is told. Refused while both have a Messenger
    /// or WhatsApp chat going on on the same channel.
    pub async fn merge_customers(
        &self,
        actor: AgentId,
        from: CustomerId,
        into: CustomerId,
        via: &str,
    ) -> Result<(), ContactError> {
        let gone = self.store.customer(from).await.map_err(customer_gone)?;
        let kept = self.store.customer(into).await.map_err(customer_gone)?;
        let theirs = self.store.open_contacts_of(into).await?;
        for mine in self.store.open_contacts_of(from).await? {
            if let Some(channel) = MetaChannel::of(mine.channel) {
                if theirs.iter().any(|c| c.channel == mine.channel) {
                    return Err(ContactError::OpenChatElsewhere(channel));
                }
            }
        }
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: actor,
            action: "customer.link".into(),
            detail: format!(
                "\"{}\" (customer {}, {via}) -> \"{}\" (customer {})",
                gone.name, gone.id, kept.name, kept.id
            ),
        };
        self.store
            .link_customers(from, into, &audit)
            .await
            .map_err(customer_gone)?;
        // Every tab of the person changes: the contacts of both, now all `into`'s.
        for contact in self.store.open_contacts_of(into).await? {
            let agents = self.participants(&contact).await?;
            self.tell_linked(&contact, &agents).await?;
        }
        Ok(())
    }

    /// Tells `agents` who the contact's customer is now, with their history.
    async fn tell_linked(&self, contact: &Contact, agents: &[AgentId]) -> Result<(), ContactError> {
        if agents.is_empty() {
            return Ok(());
        }
        let contact = self.store.contact(contact.id).await?;
        let customer = self.store.customer(contact.customer).await?;
        let history = views::history(self.store.as_ref(), &contact).await?;
        let about = self.about(contact.customer).await?;
        for agent in agents {
            self.hub
                .record(
                    *agent,
                    AgentEvent::CustomerLinked {
                        contact: contact.id,
                        customer: customer.clone(),
                        history: history.clone(),
                        about: about.clone(),
                    },
                )
                .await?;
        }
        Ok(())
    }
}
