//! One customer across channels (issue 16): the agent in a chat looks up who an email
//! address or phone number belongs to, and once they confirm, the chat's customer and that
//! known customer become one, with both histories. Every agent in the chat sees the
//! customer and history change; the link is audited.

use super::ChatService;
use crate::{
    clock::now_ms,
    contact::{views, ContactError},
    store::{AuditEntry, StoreError},
};
use app::domain::{
    customer::{CustomerAddress, CustomerMatch},
    ids::{AgentId, ContactId, CustomerId},
    protocol::AgentEvent,
};

impl ChatService {
    /// The known customer `address` belongs to, for the agent of a chat in hand.
    pub async fn find_customer(
        &self,
        agent: AgentId,
        id: ContactId,
        address: &str,
    ) -> Result<(CustomerAddress, Option<CustomerMatch>), ContactError> {
        self.held_chat(agent, id).await?;
        let address = CustomerAddress::parse(address)?;
        let found = self.store.find_customer(&address).await?;
        Ok((address, found))
    }

    /// The chat's customer is `customer` (the agent confirmed it): one record from now on.
    pub async fn link_customer(
        &self,
        agent: AgentId,
        id: ContactId,
        customer: CustomerId,
    ) -> Result<(), ContactError> {
        let chat = self.held_chat(agent, id).await?;
        if chat.customer == customer {
            return Ok(());
        }
        let gone = |e: StoreError| match e {
            StoreError::NotFound => ContactError::CustomerGone,
            e => e.into(),
        };
        let from = self.store.customer(chat.customer).await?;
        let into = self.store.customer(customer).await.map_err(gone)?;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent,
            action: "customer.link".into(),
            detail: format!(
                "\"{}\" (customer {}, chat {}) -> \"{}\" (customer {})",
                from.name, from.id, chat.id, into.name, into.id
            ),
        };
        self.store
            .link_customers(chat.customer, customer, &audit)
            .await
            .map_err(gone)?;
        let chat = self.store.contact(id).await?;
        let customer = self.store.customer(customer).await?;
        let history = views::history(self.store.as_ref(), &chat).await?;
        for agent in self.participants(&chat).await? {
            self.hub
                .record(
                    agent,
                    AgentEvent::CustomerLinked {
                        contact: id,
                        customer: customer.clone(),
                        history: history.clone(),
                    },
                )
                .await?;
        }
        Ok(())
    }
}
