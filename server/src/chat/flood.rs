//! What one customer may send into a chat: messages at a steady rate with a burst above it
//! (governor's GCRA, keyed by chat), a cap on messages per chat, and typing notices passed
//! on at most once a second. The numbers are the domain's limits; the operator may change
//! the rate (see `Config`).
//!
//! With several nodes (issue 14) a chat's widgets may be open on more than one, so both
//! counts also come from the database: the messages per chat are read from the store again
//! every [`SHARED_WINDOW_MS`], and the rate is counted per window of that length across
//! the nodes (one statement per message).

use crate::{
    contact::{ContactError, Flooding},
    store::{cluster::Coordination, Store, StoreError},
};
use app::domain::{
    ids::ContactId,
    limits::{MAX_CUSTOMER_LINES_PER_CHAT, TYPING_NOTICE_EVERY_MS},
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{
    collections::HashMap,
    num::NonZeroU32,
    sync::Mutex,
    time::{Duration, Instant},
};

/// The window over which several nodes count a chat's messages together.
pub const SHARED_WINDOW_MS: i64 = 10_000;

pub struct Flood {
    per_sec: u32,
    /// The most one window of [`SHARED_WINDOW_MS`] may hold across the nodes.
    per_window: u32,
    /// With several nodes: where the counts are shared.
    shared: Option<std::sync::Arc<dyn Coordination>>,
    rate: DefaultKeyedRateLimiter<ContactId>,
    /// Customer messages stored per chat, and when they were read from the store (the
    /// first time; with several nodes, again once [`SHARED_WINDOW_MS`] old).
    lines: Mutex<HashMap<ContactId, (u32, Instant)>>,
    /// Per chat and side (true: the agent's), the last typing state passed on and when.
    typing: Mutex<HashMap<(ContactId, bool), (bool, Instant)>>,
}

impl Flood {
    pub fn new(per_sec: u32, burst: u32, shared: Option<std::sync::Arc<dyn Coordination>>) -> Self {
        let per_sec = NonZeroU32::new(per_sec.max(1)).expect("at least one");
        let burst = NonZeroU32::new(burst.max(1)).expect("at least one");
        let per_window = per_sec.get() * (SHARED_WINDOW_MS / 1000) as u32 + burst.get();
        Flood {
            per_sec: per_sec.get(),
            per_window,
            shared,
            rate: RateLimiter::keyed(Quota::per_second(per_sec).allow_burst(burst)),
            lines: Mutex::new(HashMap::new()),
            typing: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one message of the chat's allowance, or says why not. A message refused by
    /// the cap or this node's rate costs nothing of the allowance; with several nodes, one
    /// refused by the shared window (or resent) still counts in that window.
    pub async fn take_line(&self, store: &dyn Store, id: ContactId) -> Result<(), FloodError> {
        // With several nodes, other nodes' messages count too: read again from the store
        // every window, so the cap is passed by at most a window's allowance per node.
        let fresh = Duration::from_millis(SHARED_WINDOW_MS as u64);
        let known = self
            .count(id)
            .filter(|(_, read)| self.shared.is_none() || read.elapsed() < fresh);
        let count = match known {
            Some((count, _)) => count,
            None => {
                let stored = store.customer_line_count(id).await?;
                self.lines().insert(id, (stored, Instant::now()));
                stored
            }
        };
        if count >= MAX_CUSTOMER_LINES_PER_CHAT {
            return Err(FloodError::Flooding(Flooding::TooManyMessages {
                max: MAX_CUSTOMER_LINES_PER_CHAT,
            }));
        }
        if let Err(not_until) = self.rate.check_key(&id) {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            return Err(FloodError::Flooding(Flooding::TooFast {
                per_sec: self.per_sec,
                wait,
            }));
        }
        if let Some(shared) = &self.shared {
            let now = crate::clock::now_ms();
            let window = now - now.rem_euclid(SHARED_WINDOW_MS);
            let hits = shared.count_hit(&format!("lines:{}", id.0), window).await?;
            if hits > self.per_window {
                let wait = Duration::from_millis((window + SHARED_WINDOW_MS - now).max(1) as u64);
                return Err(FloodError::Flooding(Flooding::TooFast {
                    per_sec: self.per_sec,
                    wait,
                }));
            }
        }
        self.lines().entry(id).or_insert((0, Instant::now())).0 += 1;
        Ok(())
    }

    /// A resend of a message already stored gives its place back.
    pub fn give_back(&self, id: ContactId) {
        if let Some((count, _)) = self.lines().get_mut(&id) {
            *count = count.saturating_sub(1);
        }
    }

    /// SPEC P-2: whether a typing notice is passed on: a change always is, the same state
    /// again at most once a second.
    pub fn typing_passes(&self, id: ContactId, agent_side: bool, active: bool) -> bool {
        let mut typing = self.typing.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let every = Duration::from_millis(TYPING_NOTICE_EVERY_MS);
        match typing.get(&(id, agent_side)) {
            Some((last, at)) if *last == active && now.duration_since(*at) < every => false,
            _ => {
                typing.insert((id, agent_side), (active, now));
                true
            }
        }
    }

    /// The chat ended: its counters go.
    pub fn forget(&self, id: ContactId) {
        self.lines().remove(&id);
        let mut typing = self.typing.lock().unwrap_or_else(|e| e.into_inner());
        typing.remove(&(id, false));
        typing.remove(&(id, true));
        drop(typing);
        self.rate.retain_recent();
    }

    fn count(&self, id: ContactId) -> Option<(u32, Instant)> {
        self.lines().get(&id).copied()
    }

    fn lines(&self) -> std::sync::MutexGuard<'_, HashMap<ContactId, (u32, Instant)>> {
        self.lines.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FloodError {
    #[error("{0:?}")]
    Flooding(Flooding),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FloodError> for ContactError {
    fn from(e: FloodError) -> Self {
        match e {
            FloodError::Flooding(f) => ContactError::Flooding(f),
            FloodError::Store(e) => ContactError::Store(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_passes_changes_at_once_and_repeats_once_a_second() {
        let flood = Flood::new(5, 20, None);
        let chat = ContactId(1);
        assert!(flood.typing_passes(chat, false, true));
        assert!(
            !flood.typing_passes(chat, false, true),
            "the same again at once"
        );
        assert!(
            flood.typing_passes(chat, true, true),
            "the other side is apart"
        );
        assert!(flood.typing_passes(chat, false, false), "a change passes");
        assert!(flood.typing_passes(chat, false, true));
    }
}
