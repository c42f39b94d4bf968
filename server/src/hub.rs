//! The realtime hub: one channel per agent that fans the agent's events out to every page
//! the agent has open (SPEC D-4).
//!
//! A state change is decided by the domain's state machine, stored (event, status and audit
//! line in one transaction, SPEC S-6), and only then broadcast. Changes for one agent are
//! serialised by the agent's lock, so two tabs clicking at once cannot interleave.

use crate::{
    clock::now_ms,
    metrics::Metrics,
    store::{Store, StoreError},
};
use app::domain::{
    ids::AgentId,
    protocol::{AgentEvent, Envelope, Seq, ServerMessage},
    state::{AgentStatus, StateError, StateEvent, StateReason},
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};
use tokio::sync::broadcast;

/// Events buffered per agent for pages that are briefly slow; a page that falls further
/// behind resynchronises from the store. A broadcast channel allocates every slot when it
/// is made, for every agent who ever connected, so these stay small: state events are a
/// few a minute, and chat traffic is the agent's chats' lines and typing (a page that
/// misses some reads them from the store, where every line already is).
const EVENT_CAPACITY: usize = 32;
const LIVE_CAPACITY: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The lock's value is plain data: one a panic left behind is still whole.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Told of every stored state change (the routing engine listens).
pub type StatusListener = Box<dyn Fn(AgentId, AgentStatus) + Send + Sync>;

struct AgentChannel {
    events: broadcast::Sender<Envelope>,
    /// Chat traffic for the agent's pages (transcript lines, typing). Not part of the
    /// numbered stream: lines have their own numbering per chat.
    live: broadcast::Sender<ServerMessage>,
    /// Held while a change is decided and stored.
    write: tokio::sync::Mutex<()>,
    /// The agent's status as last stored by this hub (read and written under `write`),
    /// so a change does not read it back first. Empty until then, or after a failed write.
    status: Mutex<Option<AgentStatus>>,
    /// Bumped when the agent's sessions were ended or replaced (a password changed, the
    /// account disabled), so open pages check theirs at once rather than at the next ping.
    sessions: tokio::sync::watch::Sender<u64>,
    /// The highest event broadcast here (read and written under `write`): an event another
    /// node stored is broadcast here only if it is newer (issue 14).
    last_sent: Mutex<Seq>,
}

impl AgentChannel {
    /// Broadcasts an event stored (by this process or another), remembering the newest.
    fn broadcast(&self, envelope: Envelope) {
        {
            let mut last = lock(&self.last_sent);
            *last = (*last).max(envelope.seq);
        }
        let _ = self.events.send(envelope);
    }

    fn has_pages(&self) -> bool {
        self.events.receiver_count() > 0 || self.live.receiver_count() > 0
    }
}

/// Tries at a state change that other nodes' changes keep overtaking.
const STATE_TRIES: u32 = 5;

/// Events read from the store at a time when another node's are broadcast here.
const ELSEWHERE_BATCH: u32 = 64;

pub struct Hub {
    store: Arc<dyn Store>,
    /// Whether this process is the only one changing agents' states (SQLite): then the
    /// status it last stored is the stored one. Several processes on PostgreSQL each read
    /// it from the database until they hear of each other's changes (issue 14).
    keeps_status: bool,
    metrics: Arc<Metrics>,
    channels: Mutex<HashMap<AgentId, Arc<AgentChannel>>>,
    listener: OnceLock<StatusListener>,
    presence: Mutex<HashMap<AgentId, Presence>>,
    /// Bumped when every page must catch up from the store ([`Hub::resync_pages`]).
    resync: tokio::sync::watch::Sender<u64>,
}

/// The desktop pages an agent has open (SPEC S-5).
#[derive(Debug, Default, Clone, Copy)]
pub struct Presence {
    pub pages: usize,
    /// Bumped at every open and close, so a grace timer knows if anything happened since.
    pub generation: u64,
    /// A page said it is going away (closed or reloaded) at this Unix ms.
    pub leaving_at_ms: Option<i64>,
}

impl Hub {
    pub fn new(store: Arc<dyn Store>, metrics: Arc<Metrics>) -> Self {
        Hub {
            keeps_status: store.backend() == "sqlite",
            store,
            metrics,
            channels: Mutex::new(HashMap::new()),
            listener: OnceLock::new(),
            presence: Mutex::new(HashMap::new()),
            resync: tokio::sync::watch::channel(0).0,
        }
    }

    fn with_presence<T>(&self, agent: AgentId, f: impl FnOnce(&mut Presence) -> T) -> T {
        let mut map = self.presence.lock().unwrap_or_else(|e| e.into_inner());
        f(map.entry(agent).or_default())
    }

    /// A desktop page of the agent connected.
    pub fn page_opened(&self, agent: AgentId) {
        self.with_presence(agent, |p| {
            p.pages += 1;
            p.generation += 1;
            p.leaving_at_ms = None;
        });
    }

    /// A desktop page's connection closed; returns the presence after it.
    pub fn page_closed(&self, agent: AgentId) -> Presence {
        self.with_presence(agent, |p| {
            p.pages = p.pages.saturating_sub(1);
            p.generation += 1;
            *p
        })
    }

    /// A page announced it is closing or reloading; returns the presence after it.
    pub fn page_leaving(&self, agent: AgentId) -> Presence {
        self.with_presence(agent, |p| {
            p.leaving_at_ms = Some(now_ms());
            *p
        })
    }

    pub fn presence(&self, agent: AgentId) -> Presence {
        self.with_presence(agent, |p| *p)
    }

    /// Sets the one listener of state changes (at start-up).
    pub fn set_status_listener(&self, listener: StatusListener) {
        let _ = self.listener.set(listener);
    }

    fn channel(&self, agent: AgentId) -> Arc<AgentChannel> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels
            .entry(agent)
            .or_insert_with(|| {
                Arc::new(AgentChannel {
                    events: broadcast::channel(EVENT_CAPACITY).0,
                    live: broadcast::channel(LIVE_CAPACITY).0,
                    write: tokio::sync::Mutex::new(()),
                    status: Mutex::new(None),
                    sessions: tokio::sync::watch::channel(0).0,
                    last_sent: Mutex::new(0),
                })
            })
            .clone()
    }

    /// Live events of the agent from now on. Subscribe before reading the store, so that
    /// nothing falls between the replay and the live stream.
    pub fn subscribe(&self, agent: AgentId) -> broadcast::Receiver<Envelope> {
        self.channel(agent).events.subscribe()
    }

    /// Chat traffic for the agent's pages from now on.
    pub fn subscribe_live(&self, agent: AgentId) -> broadcast::Receiver<ServerMessage> {
        self.channel(agent).live.subscribe()
    }

    /// Tells the agent's open pages that sessions were ended: each checks its own.
    pub fn sessions_changed(&self, agent: AgentId) {
        self.channel(agent).sessions.send_modify(|n| *n += 1);
    }

    /// Changes of the agent's sessions from now on ([`Hub::sessions_changed`]).
    pub fn watch_sessions(&self, agent: AgentId) -> tokio::sync::watch::Receiver<u64> {
        self.channel(agent).sessions.subscribe()
    }

    /// Sends chat traffic to every page of the agent (already stored by the caller).
    pub fn publish_live(&self, agent: AgentId, message: ServerMessage) {
        let _ = self.channel(agent).live.send(message);
    }

    /// Stores an event in the agent's stream, then sends it to the agent's pages.
    pub async fn record(&self, agent: AgentId, event: AgentEvent) -> Result<Envelope, HubError> {
        let channel = self.channel(agent);
        let _guard = channel.write.lock().await;
        let envelope = self
            .store
            .record_agent_event(agent, &event, now_ms())
            .await?;
        channel.broadcast(envelope.clone());
        Ok(envelope)
    }

    /// Applies a state event with its usual reason.
    pub async fn apply(
        &self,
        agent: AgentId,
        event: StateEvent,
    ) -> Result<Option<Envelope>, HubError> {
        self.apply_with_reason(agent, event, event.default_reason())
            .await
    }

    /// Decides, stores, then broadcasts a state change. Returns `None` when nothing changed
    /// (Ready while already Ready); logins and logouts are always recorded.
    pub async fn apply_with_reason(
        &self,
        agent: AgentId,
        event: StateEvent,
        reason: StateReason,
    ) -> Result<Option<Envelope>, HubError> {
        let channel = self.channel(agent);
        let _guard = channel.write.lock().await;
        let mut tries = 0;
        let (current, next, envelope) = loop {
            tries += 1;
            // With one process the status kept here is the stored one; with several, it is
            // read with its position, and written only if no other node wrote meanwhile.
            let kept = *lock(&channel.status);
            let (current, expected) = match kept {
                Some(status) => (status, None),
                None => {
                    let (status, seq) = self.store.agent_status(agent).await?;
                    (status, (!self.keeps_status).then_some(seq))
                }
            };
            let next: AgentStatus = current.apply(event)?;
            let always = matches!(event, StateEvent::Login | StateEvent::Logout);
            if next == current && !always {
                return Ok(None);
            }
            // Forgotten while the write is under way: should it fail, or this call be
            // dropped before it hears, the next change reads the store.
            *lock(&channel.status) = None;
            match self
                .store
                .change_state(agent, &current, &next, reason, now_ms(), expected)
                .await
            {
                Ok(envelope) => break (current, next, envelope),
                // Another node changed the agent meanwhile: decided again on its change.
                Err(StoreError::Conflict) if tries < STATE_TRIES => continue,
                Err(e) => return Err(e.into()),
            }
        };
        if self.keeps_status {
            *lock(&channel.status) = Some(next);
        }
        self.metrics.state_change(next.state);
        tracing::info!(agent = %agent, from = current.state.as_str(), to = next.state.as_str(), reason = reason.as_str(), seq = envelope.seq, "state changed");
        // Routing hears first: a page that sees Ready finds routing already knows it.
        if let Some(listener) = self.listener.get() {
            listener(agent, next);
        }
        // No page listening is fine: the event is stored and will be replayed.
        channel.broadcast(envelope.clone());
        Ok(Some(envelope))
    }

    /// Whether a page of the agent is connected to this process.
    pub fn has_pages(&self, agent: AgentId) -> bool {
        let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.get(&agent).is_some_and(|c| c.has_pages())
    }

    /// Whether any agent's page is connected to this process.
    pub fn any_pages(&self) -> bool {
        let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.values().any(|c| c.has_pages())
    }

    /// Another node stored event `seq` of the agent (issue 14): the agent's pages here get
    /// it from the store, with any later ones, unless they were broadcast here already. A
    /// page that sees a number skipped reads the gap from the store itself.
    pub async fn stored_elsewhere(&self, agent: AgentId, seq: Seq) -> Result<(), HubError> {
        let channel = {
            let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
            match channels.get(&agent) {
                Some(channel) if channel.has_pages() => channel.clone(),
                _ => return Ok(()),
            }
        };
        let _guard = channel.write.lock().await;
        // Changed elsewhere: the status this process kept is no longer the stored one.
        *lock(&channel.status) = None;
        let after = (*lock(&channel.last_sent)).max(seq.saturating_sub(1));
        if after >= seq {
            return Ok(());
        }
        for envelope in self
            .store
            .events_after(agent, after, ELSEWHERE_BATCH)
            .await?
        {
            channel.broadcast(envelope);
        }
        Ok(())
    }

    /// Every page reads its stream and chats again from where it is (this process may have
    /// missed other nodes' notices, issue 14).
    pub fn resync_pages(&self) {
        self.resync.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The resync signal from now on.
    pub fn watch_resync(&self) -> tokio::sync::watch::Receiver<u64> {
        self.resync.subscribe()
    }
}
