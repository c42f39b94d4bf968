//! Issue 18 (D-3): a supervisor reads a chat of the CSQs they watch as it goes on, read-only
//! (the customer is not told; the reading is audited), and may join it as a group chat's
//! second agent (G rules apply: three people at most). Reading goes through the database,
//! like the board, so a chat on another node reads the same.

use crate::contact::ContactError;
use crate::services::{internal, Services};
use crate::store::{AuditEntry, ChatParties, StoreError};
use crate::{clock::now_ms, hub::HubError};
use app::{
    api::ApiError,
    domain::{
        agent::Agent,
        contact::ContactKind,
        ids::ContactId,
        protocol::Seq,
        supervision::{ChatReading, AUDIT_JOIN_CHAT, AUDIT_READ_CHAT},
    },
};
use http::HeaderMap;

/// The most lines one reading carries; a longer chat arrives over the next readings.
pub const READING_LINES: u32 = 500;

impl Services {
    /// Chat `id` with its people, and its reader, if the user may read it: a chat (not an
    /// email) of a CSQ they watch. Anything else is "not found", as a chat that does not
    /// exist.
    async fn readable_chat(
        &self,
        headers: &HeaderMap,
        id: ContactId,
    ) -> Result<(Agent, ChatParties), ApiError> {
        let (viewer, watched, _) = self.watcher(headers).await?;
        let parties = self.store.chat_parties(id).await.map_err(|e| match e {
            StoreError::NotFound => ApiError::NotFound,
            e => internal(e),
        })?;
        let contact = &parties.contact;
        if contact.channel.kind() != ContactKind::Chat || !watched.contains(&contact.csq) {
            tracing::warn!(viewer = %viewer.id, contact = %id, "chat reading out of reach refused");
            return Err(ApiError::NotFound);
        }
        Ok((viewer, parties))
    }

    /// Starts a reading of chat `id`: checked, and audited when `first` (not when the
    /// browser connects again to go on with it).
    pub async fn open_chat_reading(
        &self,
        headers: &HeaderMap,
        id: ContactId,
        first: bool,
    ) -> Result<(), ApiError> {
        let (viewer, parties) = self.readable_chat(headers, id).await?;
        if !first {
            return Ok(());
        }
        self.audit_chat(&viewer, &parties, AUDIT_READ_CHAT).await
    }

    /// Chat `id` now, with its lines after `after` (checked again: a reader who lost the
    /// right stops reading at once).
    pub async fn read_chat(
        &self,
        headers: &HeaderMap,
        id: ContactId,
        after: Seq,
    ) -> Result<ChatReading, ApiError> {
        let (viewer, parties) = self.readable_chat(headers, id).await?;
        let contact = &parties.contact;
        let mut people = Vec::new();
        if !contact.status.is_ended() {
            people.extend(contact.agent);
            people.extend(parties.guest_agent());
        }
        let mut agents = Vec::with_capacity(people.len());
        for agent in &people {
            agents.push(
                self.store
                    .agent(*agent)
                    .await
                    .map_err(internal)?
                    .display_name,
            );
        }
        let lines = self
            .store
            .lines_after(id, after, READING_LINES)
            .await
            .map_err(internal)?;
        Ok(ChatReading {
            id,
            channel: contact.channel,
            csq: contact.csq,
            customer: parties.customer_name.clone(),
            agents,
            joined: people.contains(&viewer.id),
            complete: lines.len() < READING_LINES as usize,
            lines,
            ended: contact.status.is_ended(),
        })
    }

    /// The user joins chat `id` as its second agent; audited.
    pub async fn join_chat(&self, headers: &HeaderMap, id: ContactId) -> Result<(), ApiError> {
        let (viewer, parties) = self.readable_chat(headers, id).await?;
        // The chat opens in the desktop: one must be open, on this node or another.
        let desktop_open = self.hub.has_pages(viewer.id) || self.present_elsewhere(viewer.id).await;
        self.chat
            .join(viewer.id, id, desktop_open)
            .await
            .map_err(|e| match e {
                ContactError::CannotJoin(why) => ApiError::JoinRefused(why),
                ContactError::Hub(HubError::State(e)) => ApiError::State(e),
                e => internal(e),
            })?;
        self.audit_chat(&viewer, &parties, AUDIT_JOIN_CHAT).await
    }

    async fn audit_chat(
        &self,
        viewer: &Agent,
        parties: &ChatParties,
        action: &str,
    ) -> Result<(), ApiError> {
        let contact = &parties.contact;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: viewer.id,
            action: action.into(),
            detail: format!("#{} ({})", contact.id, parties.customer_name),
        };
        self.store.record_audit(&audit).await.map_err(internal)?;
        tracing::info!(viewer = %viewer.id, contact = %contact.id, action, "supervisor on a chat");
        Ok(())
    }
}
