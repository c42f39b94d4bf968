//! Issue 17: agents' notes and tags on a customer, from any contact of theirs in hand (a
//! chat or an email). Checked by the shared domain rules; every agent holding one of the
//! customer's contacts sees the change at once.

use super::{customers::customer_gone, ChatService};
use crate::{clock::now_ms, contact::ContactError, store::StoreResult};
use app::domain::{
    about_customer::{note_text, tags},
    ids::{AgentId, ContactId, CustomerId},
    limits::CUSTOMER_NOTES_SHOWN,
    protocol::AgentEvent,
};

impl ChatService {
    /// A note by `agent` about the customer of contact `id`, which they hold.
    pub async fn add_customer_note(
        &self,
        agent: AgentId,
        id: ContactId,
        text: &str,
    ) -> Result<(), ContactError> {
        let contact = self.held_contact(agent, id).await?;
        let text = note_text(text).map_err(|e| ContactError::Invalid(vec![e]))?;
        self.store
            .add_customer_note(contact.customer, agent, &text, now_ms())
            .await
            .map_err(customer_gone)?;
        self.tell_about(contact.customer).await
    }

    /// The tags of the customer of contact `id`, which `agent` holds, from now on.
    pub async fn set_customer_tags(
        &self,
        agent: AgentId,
        id: ContactId,
        given: &[String],
    ) -> Result<(), ContactError> {
        let contact = self.held_contact(agent, id).await?;
        let kept = tags(given).map_err(|e| ContactError::Invalid(vec![e]))?;
        self.store
            .set_customer_tags(contact.customer, &kept, now_ms())
            .await
            .map_err(customer_gone)?;
        self.tell_about(contact.customer).await
    }

    /// Tells every agent of the customer's contacts going on what is known of them now.
    async fn tell_about(&self, customer: CustomerId) -> Result<(), ContactError> {
        let about = self.about(customer).await?;
        for contact in self.store.open_contacts_of(customer).await? {
            for agent in self.participants(&contact).await? {
                let event = AgentEvent::CustomerAbout {
                    contact: contact.id,
                    about: about.clone(),
                };
                self.hub.record(agent, event).await?;
            }
        }
        Ok(())
    }

    /// The customer's tags and the notes the desktop shows.
    pub(super) async fn about(
        &self,
        customer: CustomerId,
    ) -> StoreResult<app::domain::about_customer::AboutCustomer> {
        self.store
            .about_customer(customer, CUSTOMER_NOTES_SHOWN)
            .await
    }
}
