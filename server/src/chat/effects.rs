//! What the routing engine's decisions do: record the contact's lifecycle, put offers on
//! the agent's desktop, and make an agent who let an offer expire Not Ready (SPEC S-4).

use super::views::{invitation_view, offer_view};
use crate::{hub::Hub, routing::engine::Output, routing::RoutingEffects, store::Store};
use app::domain::{contact::ContactStatus, protocol::AgentEvent, state::StateEvent};
use async_trait::async_trait;
use std::sync::Arc;

pub struct ChatEffects {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    /// The routing actor these effects serve (set once it runs): an assignment that cannot
    /// be carried out is handed back to it.
    pub routing: std::sync::OnceLock<crate::routing::Routing>,
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
            Output::Invited {
                agent,
                contact,
                from,
                expires_at_ms,
                ..
            } => {
                let invitation =
                    invitation_view(self.store.as_ref(), *contact, *from, *expires_at_ms).await?;
                tracing::info!(agent = %agent, contact = %contact, "invited to a chat");
                self.hub
                    .record(*agent, AgentEvent::Invited { invitation })
                    .await?;
            }
            Output::InviteEnded {
                contact,
                from,
                to,
                csq,
                outcome,
            } => {
                // The chat service read the notes before it asked (they go to the guest).
                self.store.close_invitation(*contact).await?;
                let who = match to {
                    Some(agent) => {
                        self.hub
                            .record(*agent, AgentEvent::InvitationClosed { contact: *contact })
                            .await?;
                        self.store.agent(*agent).await?.display_name
                    }
                    None => String::new(),
                };
                let csq_name = self
                    .store
                    .csqs()
                    .await?
                    .into_iter()
                    .find(|c| c.id == *csq)
                    .map(|c| c.name)
                    .unwrap_or_default();
                self.hub
                    .record(
                        *from,
                        AgentEvent::InviteResult {
                            contact: *contact,
                            outcome: *outcome,
                            message: outcome.message(&who, &csq_name),
                        },
                    )
                    .await?;
            }
            Output::InviteWithdrawn { agent, contact } => {
                self.store.close_invitation(*contact).await?;
                self.hub
                    .record(*agent, AgentEvent::InvitationClosed { contact: *contact })
                    .await?;
            }
            // The chat service carries out accepts itself, once it knows it won; it refuses
            // an invitation that cannot be made.
            Output::Assigned { agent, contact, .. } => {
                crate::email::assign(
                    self.store.as_ref(),
                    &self.hub,
                    self.routing.get(),
                    *agent,
                    *contact,
                )
                .await?;
            }
            // The routing actor keeps its own timers.
            Output::WakeAt { .. } => {}
            Output::Accepted { .. }
            | Output::AcceptRefused { .. }
            | Output::InviteRefused { .. } => {}
        }
        Ok(())
    }
}
