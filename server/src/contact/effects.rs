//! What the routing engine's decisions do: record the contact's lifecycle, put offers on
//! the agent's desktop, and make an agent who let an offer expire Not Ready (SPEC S-4). A
//! contact given to an agent outright (an email) is the channel's to carry out: it
//! registers an [`Assignments`], so this module never reaches up into a channel.
//!
//! These run beside the routing actor, one chain per contact (`routing::Lanes`): they may
//! send routing an input, never wait for one of its answers (an answer can wait for the
//! very chain that asks).

use super::views::{invitation_view, offer_view};
use crate::{
    accounts::chosen_language, hub::Hub, routing::engine::Output, routing::RoutingEffects,
    store::Store,
};
use app::domain::contact::Contact;
use app::domain::{
    contact::ContactStatus,
    ids::{AgentId, ContactId},
    protocol::AgentEvent,
    state::StateEvent,
};
use async_trait::async_trait;
use std::sync::{Arc, OnceLock};

type EffectResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A channel whose contacts routing gives to an agent outright (accepted at once): it
/// carries the assignment out, or hands the contact back to routing when it cannot. With
/// several nodes, `lead` is the epoch of the lead that decided: the assignment is stored
/// only while that lead lasts (see [`crate::store::Store::step_contact_as_leader`]).
#[async_trait]
pub trait Assignments: Send + Sync {
    async fn assigned(&self, agent: AgentId, contact: ContactId, lead: Option<i64>)
        -> EffectResult;
}

pub struct Effects {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    /// Set once the channel that takes assignments is wired (after routing runs).
    pub assignments: OnceLock<Arc<dyn Assignments>>,
}

#[async_trait]
impl RoutingEffects for Effects {
    async fn apply(&self, output: &Output, lead: Option<i64>) {
        if let Err(e) = self.try_apply(output, lead).await {
            tracing::error!(error = %e, ?output, "routing effect failed");
        }
    }
}

impl Effects {
    /// The offer of `contact` left its agent's screen (kept only with several nodes).
    async fn offer_gone(&self, contact: ContactId) -> EffectResult {
        if let Some(coordination) = self.store.coordination() {
            coordination.offer_gone(contact).await?;
        }
        Ok(())
    }

    /// A routing step of `contact` (an offer to `agent`, or its withdrawal): with several
    /// nodes, taken only while `lead` is still the lead's epoch (a leader that lost the lead
    /// without knowing yet moves nothing).
    async fn step(
        &self,
        contact: ContactId,
        from: &[ContactStatus],
        to: ContactStatus,
        agent: AgentId,
        lead: Option<i64>,
        now: i64,
    ) -> crate::store::StoreResult<Option<Contact>> {
        match lead {
            Some(epoch) => {
                let stepped = self
                    .store
                    .step_contact_as_leader(contact, from, to, Some(agent), epoch, now)
                    .await?;
                if stepped.is_none() {
                    tracing::info!(%contact, epoch, "routing step not taken: moved already, or the lead is gone");
                }
                Ok(stepped)
            }
            None => {
                self.store
                    .step_contact(contact, from, to, Some(agent), now)
                    .await
            }
        }
    }

    async fn try_apply(&self, output: &Output, lead: Option<i64>) -> EffectResult {
        let now = crate::clock::now_ms();
        match output {
            Output::Offer {
                agent,
                contact,
                expires_at_ms,
                ..
            } => {
                // Only while the chat still waits: its customer may have left meanwhile
                // (routing hears of that next, and forgets the offer).
                let Some(contact) = self
                    .step(
                        *contact,
                        &ContactStatus::WAITING,
                        ContactStatus::Offered,
                        *agent,
                        lead,
                        now,
                    )
                    .await?
                else {
                    tracing::info!(agent = %agent, %contact, "chat no longer waiting: not offered");
                    return Ok(());
                };
                let offer = offer_view(self.store.as_ref(), &contact, *expires_at_ms).await?;
                tracing::info!(agent = %agent, contact = %contact.id, "chat offered");
                // Kept with several nodes: a node that takes the lead withdraws it first.
                if let Some(coordination) = self.store.coordination() {
                    coordination
                        .offer_shown(contact.id, *agent, *expires_at_ms)
                        .await?;
                }
                self.hub
                    .record(*agent, AgentEvent::Offered { offer })
                    .await?;
            }
            Output::Withdrawn { agent, contact } => {
                // The offer leaves the screen whether or not the chat was still offered
                // (its customer may have left); the chat goes back to its queue only
                // while it was, and while this engine's lead lasts.
                self.offer_gone(*contact).await?;
                self.step(
                    *contact,
                    &[ContactStatus::Offered],
                    ContactStatus::Queued,
                    *agent,
                    lead,
                    now,
                )
                .await?;
                self.hub
                    .record(*agent, AgentEvent::OfferWithdrawn { contact: *contact })
                    .await?;
            }
            Output::OfferExpired { agent, contact } => {
                self.offer_gone(*contact).await?;
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
                let csq_name = self.store.csq_name(*csq).await?;
                let locale = chosen_language(self.store.as_ref(), *from).await;
                self.hub
                    .record(
                        *from,
                        AgentEvent::InviteResult {
                            contact: *contact,
                            outcome: *outcome,
                            message: outcome.message(locale, &who, &csq_name),
                            who,
                            csq: csq_name,
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
            Output::Assigned { agent, contact, .. } => match self.assignments.get() {
                Some(assignments) => assignments.assigned(*agent, *contact, lead).await?,
                None => {
                    tracing::error!(%agent, %contact, "an assignment before its channel was wired")
                }
            },
            // The routing actor keeps its own timers.
            Output::WakeAt { .. } => {}
            Output::Accepted { contact, .. } => self.offer_gone(*contact).await?,
            Output::AcceptRefused { .. } | Output::InviteRefused { .. } => {}
        }
        Ok(())
    }
}
