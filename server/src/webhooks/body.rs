//! What a delivery says (issue 17). Built once, when its event is fanned out, from the
//! records as they are then, in the API's own shapes ([`crate::api_json`]); every webhook
//! wanting the event gets the same bytes, and a retry sends them again unchanged.

use crate::{
    api_json::{
        conversation::{conversation, line, Conversation, Line},
        customer::Customer,
    },
    store::{webhooks::HookEvent, Store, StoreError},
};
use serde::Serialize;

/// The body of every delivery.
#[derive(Debug, Serialize)]
struct Body {
    /// The event's id: the same for every webhook that gets it, and for a replay.
    id: i64,
    event: &'static str,
    occurred_at_ms: i64,
    data: Data,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Data {
    /// The conversation whole as it is when the event is sent on.
    Conversation {
        conversation: Box<Conversation>,
        /// The agent it was assigned to (`conversation.assigned`), or who sent the email.
        #[serde(skip_serializing_if = "Option::is_none")]
        agent_id: Option<i64>,
    },
    /// One line of a chat (`conversation.message`).
    Message {
        conversation_id: i64,
        seq: u64,
        line: Line,
    },
    Customer {
        customer: Customer,
    },
    /// What the event was about is gone (erased) by the time it was sent on.
    GoneConversation {
        conversation_id: i64,
    },
    GoneCustomer {
        customer_id: i64,
    },
}

/// A built delivery: what keeps it in order among the others, and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub subject: String,
    pub body: String,
}

/// `None` when the event names nothing to tell of (written by a release that knew more).
pub async fn build(store: &dyn Store, event: &HookEvent) -> Result<Option<Built>, StoreError> {
    let facts = &event.facts;
    let (subject, data) = if event.event.of_conversation() {
        let Some(contact) = facts.contact else {
            return Ok(None);
        };
        let data = match facts.seq {
            Some(seq) => match store
                .lines_after(contact, seq.saturating_sub(1), 1)
                .await?
                .pop()
            {
                Some(stored) if stored.seq == seq => Data::Message {
                    conversation_id: contact.0,
                    seq,
                    line: line(stored),
                },
                _ => Data::GoneConversation {
                    conversation_id: contact.0,
                },
            },
            None => match store.conversation_record(contact).await {
                Ok(record) => Data::Conversation {
                    conversation: Box::new(conversation(record)),
                    agent_id: facts.agent.map(|a| a.0),
                },
                Err(StoreError::NotFound) => Data::GoneConversation {
                    conversation_id: contact.0,
                },
                Err(e) => return Err(e),
            },
        };
        (format!("conversation:{}", contact.0), data)
    } else {
        let Some(customer) = facts.customer else {
            return Ok(None);
        };
        let data = match store.customer_record(customer).await {
            Ok(record) => Data::Customer {
                customer: Customer::from(record),
            },
            Err(StoreError::NotFound) => Data::GoneCustomer {
                customer_id: customer.0,
            },
            Err(e) => return Err(e),
        };
        (format!("customer:{}", customer.0), data)
    };
    let body = Body {
        id: event.id,
        event: event.event.as_str(),
        occurred_at_ms: event.at_ms,
        data,
    };
    let body = serde_json::to_string(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Some(Built { subject, body }))
}
