//! What the store keeps for the Conversations page (issue 17): each ended conversation's
//! folded text, written once by the indexer, and the search over past conversations with
//! the page's filters. A separate trait, included by [`super::Store`]. Only the full-text
//! match differs between the backends (FTS5 on SQLite, a tsvector on PostgreSQL).

use super::StoreResult;
use app::domain::{
    contact::{Channel, Contact},
    ids::{AgentId, ContactId, CsqId, CustomerId, WrapUpReasonId},
};
use async_trait::async_trait;

/// Which past conversations: each part optional; all given ones must hold.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// Only conversations of these CSQs, or held by `own` (an agent's reach); `None`:
    /// every one (a supervisor's or administrator's).
    pub reach: Option<Reach>,
    /// Folded words, each the start of a word of the conversation's text.
    pub words: Vec<String>,
    /// Lower case: part of the customer's name or email address.
    pub customer: Option<String>,
    pub csq: Option<CsqId>,
    pub agent: Option<AgentId>,
    pub channel: Option<Channel>,
    pub reason: Option<WrapUpReasonId>,
    /// Lower case, one of the customer's tags.
    pub tag: Option<String>,
    /// Started within [start, end) in Unix ms.
    pub range: (i64, i64),
}

/// Which conversations a page of the API gives: the Conversations page's filters (a
/// token's `reach` is everything), one customer's, and those before `before` (an id),
/// newest first.
#[derive(Debug, Clone, Default)]
pub struct ConversationPage {
    pub query: SearchQuery,
    pub customer: Option<CustomerId>,
    pub before: Option<ContactId>,
    pub limit: u32,
}

/// What an agent may search: their CSQs' conversations and the ones they held last.
#[derive(Debug, Clone)]
pub struct Reach {
    pub own: AgentId,
}

/// How many rows a paged search matches in all, for its pager: read from the page's own
/// `total` column (`COUNT(*) OVER ()`: the same statement, so the two agree even while
/// rows are added), or counted by `count` (run only then) when the page is past the end.
pub async fn total_of<R, C>(rows: &[R], offset: u32, count: C) -> StoreResult<u64>
where
    R: sqlx::Row,
    C: std::future::Future<Output = Result<i64, sqlx::Error>>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
{
    let total: i64 = match rows.first() {
        Some(row) => row.try_get("total")?,
        None if offset == 0 => 0,
        None => count.await?,
    };
    Ok(total as u64)
}

/// `%part%` for LIKE (with `ESCAPE '\'`), its own `%`, `_` and `\` taken as written.
pub fn containing(part: &str) -> String {
    let mut like = String::with_capacity(part.len() + 2);
    like.push('%');
    for c in part.chars() {
        if matches!(c, '%' | '_' | '\\') {
            like.push('\\');
        }
        like.push(c);
    }
    like.push('%');
    like
}

#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Conversations ended before `ended_before_ms` whose text is not indexed yet, oldest
    /// first, at most `limit`.
    async fn to_index(&self, limit: u32, ended_before_ms: i64) -> StoreResult<Vec<ContactId>>;

    /// Keeps a conversation's folded text for the search (replacing the one it had before
    /// it was given back, if any); false when it is indexed already (another process did it
    /// meanwhile) or no longer ended.
    async fn index_conversation(&self, contact: ContactId, text: &str) -> StoreResult<bool>;

    /// One page of the ended conversations the query selects, newest first, each with its
    /// customer's name, and how many it selects in all.
    async fn search_conversations(
        &self,
        query: &SearchQuery,
        offset: u32,
        limit: u32,
    ) -> StoreResult<(Vec<(Contact, String)>, u64)>;

    /// Issue 17 (the API): the conversations the page selects, newest first, each with its
    /// customer's name. With words, only ended ones (a conversation's text is searched once
    /// it ends); without, every one, going on or not.
    async fn conversation_page(
        &self,
        page: &ConversationPage,
    ) -> StoreResult<Vec<(Contact, String)>>;
}
