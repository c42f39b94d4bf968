//! The Conversations page (issue 17): every past chat and email searched by its words,
//! customer, queue, agent, channel, wrap-up reason, customer tag and day, paged; one read
//! whole, read-only; its transcript as a text file or a PDF. An agent reaches the
//! conversations of their CSQs and the ones they held last; supervisors and administrators
//! reach every one.
//!
//! - `words`: how text is folded, alike for what is kept and what is looked for.
//! - `index`: the task that makes ended conversations searchable.
//! - `transcript`: a conversation gathered for its file.
//! - `pdf`: the transcript's text laid out as a PDF.

pub mod index;
pub mod pdf;
pub mod transcript;
pub mod words;

use crate::{
    contact::views,
    services::{internal, Services},
    store::{
        search::{Reach, SearchQuery},
        StoreError,
    },
};
use app::{
    api::ApiError,
    domain::{
        agent::{Agent, Role},
        contact::Contact,
        conversations::{
            Choice, ConversationChoices, ConversationFilter, ConversationPage, ConversationRow,
        },
        csq::memberships,
        customer::PastConversation,
        ids::ContactId,
        limits::CONVERSATIONS_PAGE_SIZE,
    },
};
use http::HeaderMap;

/// Who may read what: `None` for everything.
fn reach(agent: &Agent) -> Option<Reach> {
    (agent.role == Role::Agent).then_some(Reach { own: agent.id })
}

impl Services {
    /// What the page's lists offer the reader.
    pub async fn conversation_choices(
        &self,
        headers: &HeaderMap,
    ) -> Result<ConversationChoices, ApiError> {
        let reader = self.logged_in(headers).await?;
        let csqs = self.store.csqs().await.map_err(internal)?;
        let mine = memberships(&csqs, reader.id);
        let csqs = csqs
            .into_iter()
            .filter(|c| reader.role != Role::Agent || mine.contains(&c.id))
            .map(|c| Choice {
                id: c.id,
                name: c.name,
            })
            .collect();
        let agents = self
            .store
            .agents()
            .await
            .map_err(internal)?
            .into_iter()
            .map(|a| Choice {
                id: a.id,
                name: a.alias,
            })
            .collect();
        let reasons = self
            .store
            .wrap_up_reasons_admin()
            .await
            .map_err(internal)?
            .into_iter()
            .map(|r| Choice {
                id: r.id,
                name: r.label,
            })
            .collect();
        Ok(ConversationChoices {
            csqs,
            agents,
            reasons,
        })
    }

    /// One page of the past conversations the filter finds, within the reader's reach.
    pub async fn conversations(
        &self,
        headers: &HeaderMap,
        filter: ConversationFilter,
    ) -> Result<ConversationPage, ApiError> {
        let reader = self.logged_in(headers).await?;
        filter.validate().map_err(ApiError::Invalid)?;
        // As stored: lower case, inner spaces made one (a tag is kept so).
        let text = |s: &str| {
            let s = s
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            (!s.is_empty()).then_some(s)
        };
        let query = SearchQuery {
            reach: reach(&reader),
            words: words::search_words(&filter.text),
            customer: text(&filter.customer),
            csq: filter.csq,
            agent: filter.agent,
            channel: filter.channel,
            reason: filter.reason,
            tag: text(&filter.tag),
            range: filter.range_ms(),
        };
        let (found, total) = self
            .store
            .search_conversations(
                &query,
                filter.page.saturating_mul(CONVERSATIONS_PAGE_SIZE),
                CONVERSATIONS_PAGE_SIZE,
            )
            .await
            .map_err(internal)?;
        let store = self.store.as_ref();
        let mut aliases = views::Aliases::new();
        let mut rows = Vec::with_capacity(found.len());
        for (contact, customer_name) in found {
            let past = views::past_contact(store, &contact, &mut aliases)
                .await
                .map_err(internal)?;
            rows.push(ConversationRow {
                contact: past.contact,
                channel: past.channel,
                csq: past.csq,
                agent: past.agent,
                customer: contact.customer,
                customer_name,
                started_at_ms: past.started_at_ms,
                about: past.about,
                wrap_up: past.wrap_up,
            });
        }
        Ok(ConversationPage {
            rows,
            total,
            page: filter.page,
            page_size: CONVERSATIONS_PAGE_SIZE,
        })
    }

    /// One past conversation read whole, read-only (SPEC P-5).
    pub async fn conversation(
        &self,
        headers: &HeaderMap,
        id: ContactId,
    ) -> Result<PastConversation, ApiError> {
        let contact = self.readable(headers, id).await?;
        views::past_conversation(self.store.as_ref(), &contact)
            .await
            .map_err(internal)
    }

    /// A past conversation the reader may read: ended, and within their reach. Anything
    /// else is [`ApiError::NotFound`], whether it exists or not.
    pub(crate) async fn readable(
        &self,
        headers: &HeaderMap,
        id: ContactId,
    ) -> Result<Contact, ApiError> {
        let reader = self.logged_in(headers).await?;
        let contact = match self.store.contact(id).await {
            Ok(contact) => contact,
            Err(StoreError::NotFound) => return Err(ApiError::NotFound),
            Err(e) => return Err(internal(e)),
        };
        if !contact.status.is_ended() {
            return Err(ApiError::NotFound);
        }
        if reader.role == Role::Agent && contact.agent != Some(reader.id) {
            let csqs = self.store.csqs().await.map_err(internal)?;
            if !memberships(&csqs, reader.id).contains(&contact.csq) {
                return Err(ApiError::NotFound);
            }
        }
        Ok(contact)
    }
}
