//! What the API reads of customers and conversations (issue 17): each record whole, as a
//! CRM keeps it, and lists paged by id so a page never shifts when records are added (the
//! cursor is the last id read). A separate trait, included by [`super::Store`]; the
//! conversation's parts are read as the customer's export reads them.

use super::{
    privacy::{DossierAddress, DossierConversation, DossierCustomer, DossierNote},
    StoreResult,
};
use app::domain::{
    chat::ChatLine,
    ids::{AgentId, ContactId, CsqId, CustomerId},
};
use async_trait::async_trait;

/// A customer with the addresses and tags that find and sort them.
#[derive(Debug, Clone)]
pub struct CustomerRecord {
    pub customer: DossierCustomer,
    pub addresses: Vec<DossierAddress>,
    pub tags: Vec<String>,
    /// Their conversations on every channel.
    pub conversations: u32,
}

/// One conversation whole, with the ids the API's other routes know.
#[derive(Debug, Clone)]
pub struct ConversationRecord {
    pub customer: CustomerId,
    pub queue: CsqId,
    pub agent: Option<AgentId>,
    /// All but its lines (`conversation.lines` is empty).
    pub conversation: DossierConversation,
    /// A chat's lines, in order.
    pub lines: Vec<ChatLine>,
}

/// Which customers: the search of the privacy section (`text` lower case, `digits` its
/// digits), from the id after `after`.
#[derive(Debug, Clone, Default)]
pub struct CustomerPage {
    pub text: String,
    pub digits: String,
    pub after: i64,
    pub limit: u32,
}

#[async_trait]
pub trait RecordStore: Send + Sync {
    /// The customers not erased the page selects, by id.
    async fn customer_records(&self, page: &CustomerPage) -> StoreResult<Vec<CustomerRecord>>;

    /// One customer not erased; [`super::StoreError::NotFound`] otherwise.
    async fn customer_record(&self, id: CustomerId) -> StoreResult<CustomerRecord>;

    /// The agents' notes on a customer, oldest first.
    async fn customer_notes(&self, id: CustomerId) -> StoreResult<Vec<DossierNote>>;

    /// One conversation with its lines, files, email and replies;
    /// [`super::StoreError::NotFound`] when there is none.
    async fn conversation_record(&self, id: ContactId) -> StoreResult<ConversationRecord>;
}
