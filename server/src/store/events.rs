//! Group commit for the agents' event streams (issue 13): an offer, a new tab, a closed
//! tab each append an event to their agent's stream before any page hears of it. They go
//! to one writer task per store (a [`Batcher`]) that appends every event waiting, for any
//! agents, in one transaction of two statements, and answers each caller once it has
//! committed. The hub appends one event per agent at a time, so each stream stays in order.
//!
//! The SQL is the backend's (`agents_sql.rs`); this module only says what is asked.

use super::batch::Batcher;
use app::domain::{ids::AgentId, protocol::AgentEvent, protocol::Envelope};

/// The most events one transaction appends (4 query parameters each).
pub const MAX_BATCH: usize = 256;
/// Events waiting for the writer at most; callers beyond wait their turn.
pub const QUEUE: usize = 4096;

/// One event to append.
pub struct EventRequest {
    pub agent: AgentId,
    pub event: AgentEvent,
    /// The event as stored.
    pub event_json: String,
    pub at_ms: i64,
}

/// Events go through a [`Batcher`] of their own.
pub type EventWriter = Batcher<EventRequest, Envelope>;
