//! Email contacts (SPEC E-1 to E-5, Q-1, Q-2, S-5): the IMAP intake, parsing and sanitizing,
//! attachment files, and what agents do with emails in hand.

pub mod compose;
pub mod config;
pub mod imap;
pub mod intake;
pub mod left;
pub mod mime;
pub mod outbound;
pub mod outbox;
pub mod reader;
pub mod registry;
pub mod reply;
pub mod sanitize;
pub mod stored;

use crate::files::Files;
use crate::{
    clock::now_ms,
    contact::{effects::Assignments, views::contact_view, ContactError},
    hub::Hub,
    routing::{engine::Input, Routing},
    store::{email::StoredEmail, Store},
};
use app::domain::{
    contact::{Channel, Contact, ContactKind, ContactStatus, EndReason, LifecycleEvent},
    ids::{AgentId, AttachmentId, ContactId, CsqId},
    protocol::AgentEvent,
    state::StateEvent,
    validate::{Field, FieldError, Problem},
};
use std::{sync::Arc, time::Duration};

/// How long the address of an image shown inside an email stays good. The frame's document
/// is never cached (`no-store`) and gets fresh addresses each time it loads.
const INLINE_LINK_SECS: i64 = 3600;

/// SPEC E-1: the routing engine gave the email to `agent`: it is accepted at once, the
/// agent is Reserved, and the agent's pages add its tab (without making it current, C-3).
/// When that cannot be (the agent chose Not Ready a moment before, or the email is no
/// longer waiting), routing gets it back and nothing is stored.
#[async_trait::async_trait]
impl Assignments for EmailService {
    async fn assigned(
        &self,
        agent: AgentId,
        id: ContactId,
        lead: Option<i64>,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let (store, hub) = (self.store.as_ref(), &self.hub);
        let contact = store.contact(id).await?;
        let hand_back = |requeue: bool| {
            self.routing
                .send(Input::EmailReleased { agent, contact: id });
            if requeue {
                self.routing.send(Input::EmailQueued {
                    contact: id,
                    csq: contact.csq,
                    queued_at_ms: contact.queued_at_ms,
                    excluded: Vec::new(),
                    sticky: None,
                });
            }
        };
        let Ok(status) = contact
            .status
            .apply(ContactKind::Email, LifecycleEvent::Assign)
        else {
            tracing::warn!(contact = %id, status = ?contact.status, "email no longer waiting: not assigned");
            hand_back(false);
            return Ok(());
        };
        if let Err(e) = hub.apply(agent, StateEvent::ContactAccepted).await {
            tracing::info!(agent = %agent, contact = %id, error = %e, "agent no longer available: email back to its queue");
            hand_back(true);
            return Ok(());
        }
        let now = now_ms();
        // Only while the email still waits, and (several nodes) while the lead that
        // decided lasts: a leader that lost the lead without knowing yet, or a second
        // assignment of the same email, stores nothing, so no email has two agents.
        let stepped = match lead {
            Some(epoch) => {
                store
                    .step_contact_as_leader(
                        id,
                        &ContactStatus::WAITING,
                        status,
                        Some(agent),
                        epoch,
                        now,
                    )
                    .await
            }
            None => {
                store
                    .step_contact(id, &ContactStatus::WAITING, status, Some(agent), now)
                    .await
            }
        };
        let contact = match stepped {
            Ok(Some(contact)) => contact,
            Ok(None) => {
                tracing::info!(agent = %agent, contact = %id, ?lead, "email not assigned: no longer waiting, or the lead is gone");
                self.assignment_not_taken(agent, id).await;
                // A new lead may have given the email to this same agent meanwhile: its
                // routing counts that one, which a release from here would undo.
                let theirs = store
                    .contact(id)
                    .await
                    .is_ok_and(|c| c.status == ContactStatus::Active && c.agent == Some(agent));
                if !theirs {
                    hand_back(false);
                }
                return Ok(());
            }
            // Whether it was stored is unknown: routing queues the email again, and a
            // second assignment is taken only if this one was not.
            Err(e) => {
                self.assignment_not_taken(agent, id).await;
                hand_back(true);
                return Err(e.into());
            }
        };
        store.snapshot_wrap_up(id, contact.csq).await?;
        store.set_thread_agent(id, agent, now).await?;
        let view = contact_view(store, &contact, agent).await?;
        hub.record(agent, AgentEvent::ContactAssigned { contact: view })
            .await?;
        tracing::info!(agent = %agent, contact = %id, "email assigned");
        Ok(())
    }
}

impl EmailService {
    /// The agent's state after an assignment that was not stored, as when an email leaves
    /// their hands (each `ContactAccepted` has its `ContactEnded`).
    async fn assignment_not_taken(&self, agent: AgentId, id: ContactId) {
        if let Err(e) = self.hub.apply(agent, StateEvent::ContactEnded).await {
            tracing::error!(agent = %agent, contact = %id, error = %e, "state after an assignment not taken not stored");
        }
    }
}

pub struct EmailService {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub routing: Routing,
    pub files: Files,
    /// Signs the addresses of inline images, which the sandboxed email frame loads
    /// without the agent's cookie.
    pub key: crate::contact::token::TokenKey,
    /// SPEC E-4: how long a reply waits for the agent who last handled its thread.
    pub sticky: Duration,
    /// Set to true when the server stops: the mailbox connectors log out and end.
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// The mailboxes in force: their settings, connectors and last status.
    pub mailboxes: registry::Mailboxes,
    /// Seals and opens the mailboxes' stored passwords.
    pub secrets: crate::secrets::SecretBox,
    /// Bumped when a reply is queued: every outbox worker looks (SPEC R-7).
    pub outbox_wake: tokio::sync::watch::Sender<u64>,
    /// SPEC R-7: the longest wait between two attempts to send a reply.
    pub retry_max: Duration,
}

impl EmailService {
    /// Ends the mailbox connectors (the server is stopping).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
        self.mailboxes.stop_all();
    }

    /// Puts a new (or restarted) email in its CSQ's queue; a reply in a thread waits for
    /// the thread's last agent during the sticky time (SPEC E-4).
    pub async fn queue(&self, contact: &Contact, last_agent: Option<AgentId>) {
        let excluded = match self.store.excluded_agents(contact.id).await {
            Ok(agents) => agents,
            Err(e) => {
                tracing::error!(error = %e, contact = %contact.id, "exclusions unreadable");
                Vec::new()
            }
        };
        let sticky = last_agent
            .filter(|a| !excluded.contains(a))
            .map(|a| (a, contact.created_at_ms + self.sticky.as_millis() as i64));
        self.routing.send(Input::EmailQueued {
            contact: contact.id,
            csq: contact.csq,
            queued_at_ms: contact.queued_at_ms,
            excluded,
            sticky,
        });
    }

    /// The contact, if it is an email this agent holds now.
    pub async fn held_email(&self, agent: AgentId, id: ContactId) -> Result<Contact, ContactError> {
        let contact = self.store.contact(id).await.map_err(|e| match e {
            crate::store::StoreError::NotFound => ContactError::NotYours,
            e => e.into(),
        })?;
        if contact.channel != Channel::Email {
            return Err(ContactError::NotYours);
        }
        if contact.status.is_ended() {
            return Err(ContactError::Ended);
        }
        if contact.status != ContactStatus::Active || contact.agent != Some(agent) {
            return Err(ContactError::NotYours);
        }
        Ok(contact)
    }

    /// The email as the agent's panel reads it (only for the agent who holds it).
    pub async fn readable(
        &self,
        agent: AgentId,
        id: ContactId,
    ) -> Result<StoredEmail, ContactError> {
        self.held_email(agent, id).await?;
        Ok(self.store.email(id).await?)
    }

    /// SPEC Q-1: back into `csq` (the same or another), never to this agent again, without
    /// last-agent routing; it leaves the agent's list at once.
    pub async fn requeue(
        &self,
        agent: AgentId,
        id: ContactId,
        csq: CsqId,
    ) -> Result<(), ContactError> {
        let contact = self.held_email(agent, id).await?;
        if !self.store.csqs().await?.iter().any(|c| c.id == csq) {
            return Err(FieldError::new(Field::Csqs, Problem::UnknownId { id: csq.0 }).into());
        }
        // Only if it is still this agent's (another tab may have discarded it meanwhile).
        match self.store.requeue_email(id, csq, agent, now_ms()).await {
            Err(crate::store::StoreError::NotFound) => return Err(ContactError::NotYours),
            result => result?,
        }
        self.release(agent, id, EndReason::Requeued).await;
        let contact = Contact {
            csq,
            status: ContactStatus::Queued,
            ..contact
        };
        self.queue(&contact, None).await;
        tracing::info!(agent = %agent, contact = %id, csq = %csq, "email requeued");
        Ok(())
    }

    /// SPEC Q-2: the email leaves the agent's list and ends; the original stays in the
    /// mailbox (Switchboard never deletes there).
    pub async fn discard(&self, agent: AgentId, id: ContactId) -> Result<(), ContactError> {
        self.held_email(agent, id).await?;
        match self.store.discard_email(id, agent, now_ms()).await {
            Err(crate::store::StoreError::NotFound) => return Err(ContactError::NotYours),
            result => result?,
        }
        // The draft goes before the tab closes: whoever sees the email gone finds no
        // draft of it left behind.
        self.delete_draft(id).await;
        self.release(agent, id, EndReason::Discarded).await;
        tracing::info!(agent = %agent, contact = %id, "email discarded");
        Ok(())
    }

    /// SPEC S-5: the agent's desktop is gone: every email in hand goes back to the queue
    /// it came from, to the next agent free, this one included on coming back Ready (only
    /// the agent's own Requeue excludes, Q-1). The thread keeps its last agent for the
    /// customer's next reply (E-4); the email itself does not wait for an agent who just
    /// left.
    pub async fn agent_gone(&self, agent: AgentId) -> Result<(), ContactError> {
        for contact in self.store.owned_contacts(agent).await? {
            if contact.channel == Channel::Email {
                // One that fails (already gone elsewhere) must not keep the others.
                if let Err(e) = self.put_back(agent, contact).await {
                    tracing::warn!(agent = %agent, error = %e, "email not put back");
                }
            }
        }
        Ok(())
    }

    async fn put_back(&self, agent: AgentId, contact: Contact) -> Result<(), ContactError> {
        match self.store.put_back_email(contact.id, agent, now_ms()).await {
            Err(crate::store::StoreError::NotFound) => return Err(ContactError::NotYours),
            result => result?,
        }
        self.release(agent, contact.id, EndReason::PageClosed).await;
        let contact = Contact {
            status: ContactStatus::Queued,
            ..contact
        };
        self.queue(&contact, None).await;
        tracing::info!(agent = %agent, contact = %contact.id, "email back to its queue");
        Ok(())
    }

    /// The email left the agent's hands: routing frees the room, the state follows (S-3),
    /// every page of the agent drops the tab.
    /// The database already says so: what follows is logged when it fails, never a
    /// reason to stop (the caller still queues the email).
    async fn release(&self, agent: AgentId, id: ContactId, reason: EndReason) {
        self.routing
            .ask(Input::EmailReleased { agent, contact: id })
            .await;
        if let Err(e) = self.hub.apply(agent, StateEvent::ContactEnded).await {
            tracing::error!(agent = %agent, contact = %id, error = %e, "state after an email not stored");
        }
        let closed = AgentEvent::ContactClosed {
            contact: id,
            reason,
        };
        if let Err(e) = self.hub.record(agent, closed).await {
            tracing::error!(agent = %agent, contact = %id, error = %e, "email's tab not closed");
        }
    }

    /// The address of an inline image for the email frame: signed, so it works without
    /// the agent's cookie and only for that image.
    pub fn inline_path(&self, id: AttachmentId) -> String {
        let expires = now_ms() / 1000 + INLINE_LINK_SECS;
        format!(
            "/email/inline/{}",
            self.key.sign_until("inline", id.0, expires)
        )
    }

    pub fn verify_inline(&self, token: &str) -> Option<AttachmentId> {
        self.key
            .verify_until("inline", token, now_ms() / 1000)
            .map(AttachmentId)
    }
}
