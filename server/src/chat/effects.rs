//! What the routing engine's decisions do: record the contact's lifecycle, put offers on
//! the agent's desktop, and make an agent who let an offer expire Not Ready (SPEC S-4).

use super::views::offer_view;
use crate::{hub::Hub, routing::engine::Output, routing::RoutingEffects, store::Store};
use app::domain::{contact::ContactStatus, protocol::AgentEvent, state::StateEvent};
use async_trait::async_trait;
use std::sync::Arc;

pub struct ChatEffects {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
}

#[async_trait]
impl RoutingEffects for ChatEffects {
    async fn apply(&self, output: &Output) {
        if let Err(e) = self.try_apply(output).await {
            tracing::error!(error = %e, ?output, "routing effect failed");
        }
    }
}

impl ChatEffects {
    async fn try_apply(
        &self,
        output: &Output,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let now = crate::clock::now_ms();
        match output {
            Output::Offer {
                agent,
                contact,
                expires_at_ms,
                ..
            } => {
                self.store
                    .update_contact(*contact, ContactStatus::Offered, None, now)
                    .await?;
                let contact = self.store.contact(*contact).await?;
                let offer = offer_view(self.store.as_ref(), &contact, *expires_at_ms).await?;
                tracing::info!(agent = %agent, contact = %contact.id, "chat offered");
                self.hub
                    .record(*agent, AgentEvent::Offered { offer })
                    .await?;
            }
            Output::Withdrawn { agent, contact } => {
                let current = self.store.contact(*contact).await?;
                if current.status == ContactStatus::Offered {
                    self.store
                        .update_contact(*contact, ContactStatus::Queued, None, now)
                        .await?;
                }
                self.hub
                    .record(*agent, AgentEvent::OfferWithdrawn { contact: *contact })
                    .await?;
            }
            Output::OfferExpired { agent, contact } => {
                tracing::info!(agent = %agent, contact = %contact, "offer not accepted in time");
                self.hub.apply(*agent, StateEvent::OfferExpired).await?;
            }
            // The chat service carries out accepts and invitations itself, from the answers
            // it asked for.
            Output::Accepted { .. }
            | Output::AcceptRefused { .. }
            | Output::Invited { .. }
            | Output::InviteEnded { .. }
            | Output::InviteRefused { .. }
            | Output::InviteWithdrawn { .. } => {}
        }
        Ok(())
    }
}
