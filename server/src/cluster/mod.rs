//! Several server processes (nodes) on one PostgreSQL database (issue 14). Each node:
//!
//! - **hears the others** through its own LISTEN connection: what another node stored (an
//!   agent's event, a chat's line), a chat's end or a typing notice reaches the pages and
//!   widgets connected here ([`Hub::stored_elsewhere`], `ChatService::*_elsewhere`), each
//!   notice handled side by side with the others. After its connection was lost (or fell
//!   silent: it hears its own ping every 10 s) and was made again, every page and widget
//!   connected here reads on from the store from where it is (notices sent meanwhile are
//!   gone);
//! - **writes a heartbeat** every [`HEARTBEAT`], which `/healthz` lists;
//! - **campaigns for the lead**: one node at a time holds a session advisory lock on a
//!   connection of its own and takes the next epoch. It steps down when that connection
//!   stops answering within [`LEAD_CHECK`], or when a node of a newer [`CLUSTER_VERSION`]
//!   is running (a rolling upgrade: the lead goes to the newest, which reads every older
//!   form). The leader runs routing; the other nodes hand it their routing commands
//!   through the database ([`relay`]);
//! - **counts its connections** in the database, desktop pages per agent and widget sockets
//!   per chat, so an agent or a customer is present while any live node has a connection
//!   of theirs (SPEC S-5, K-5 across nodes); the leader takes over the chat timers of a
//!   node whose heartbeat stops.
//!
//! On SQLite there is one process and none of this runs.

mod relay;

use crate::{
    chat::ChatService,
    clock::now_ms,
    email::EmailService,
    hub::Hub,
    metrics::Metrics,
    routing::Routing,
    store::cluster::{Coordination, Heard, Heartbeat, NodeSeen, Notice, Presence},
};
use app::domain::ids::AgentId;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, OnceLock,
    },
    time::Duration,
};
use tokio::sync::{mpsc, watch, Notify};

/// The version of what nodes exchange through the database: notices, routing requests and
/// their answers. Bump it when a new release writes a form an older node cannot read; the
/// new release must still read every older form (its nodes run beside the older ones
/// during a rolling upgrade), and the lead goes to the newest version running, so no
/// leader meets a request it cannot read.
pub const CLUSTER_VERSION: i32 = 1;

/// While a newer node runs, the older ones leave it the lead; if nobody has led for this
/// long, one of them takes it anyway ...
const LEADERLESS: Duration = Duration::from_secs(5);
/// ... and keeps it this long before offering it to the newer node again.
const FALLBACK_LEAD: Duration = Duration::from_secs(60);

/// How often a node writes its heartbeat.
pub const HEARTBEAT: Duration = Duration::from_secs(2);
/// A node whose heartbeat is older than this is not counted among the live ones.
pub const NODE_SILENT: Duration = Duration::from_secs(10);
/// How often a follower tries to take the lead, and a leader checks it still holds it.
pub const LEAD_CHECK: Duration = Duration::from_secs(1);
/// The leader's sweep: every this many heartbeats, of what is older than [`SWEEP_AFTER`].
const SWEEP_EVERY_BEATS: u64 = 30;
const SWEEP_AFTER: Duration = Duration::from_secs(120);
/// Every this many heartbeats a node pings its own listening connection; a listener that
/// hears nothing at all for [`LISTENER_SILENT`] is taken as dead and made again.
const PING_EVERY_BEATS: u64 = 5;
const LISTENER_SILENT: Duration = Duration::from_secs(35);
/// After a failed connection, the wait before the next try.
const RETRY: Duration = Duration::from_secs(1);

/// This node's part in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Holds the lead, taken with this epoch.
    Leader {
        epoch: i64,
    },
    Follower,
}

/// What a new leader runs to give its fresh routing engine the database's state.
pub type Restorer =
    Box<dyn Fn(Routing) -> futures_util::future::BoxFuture<'static, ()> + Send + Sync>;

/// What the leader runs when nodes stop writing their heartbeat: their chats' timers set
/// again here (looks are marked before they act, so timers of nodes still alive firing too
/// change nothing) and their agents whose pages did not come back to another node let go.
pub type Hook = Box<dyn Fn() -> futures_util::future::BoxFuture<'static, ()> + Send + Sync>;

pub struct Cluster {
    coordination: Arc<dyn Coordination>,
    /// The epoch of this node's lead, none while another node leads.
    lead: watch::Sender<Option<i64>>,
    started_at_ms: i64,
    /// Woken when another node stores a routing request (the leader takes it).
    requests: Notify,
    /// Routing requests of this node waiting for the leader's answer.
    answers: Mutex<HashMap<i64, Arc<Notify>>>,
    /// Set once the services are wired (see [`Restorer`], [`Hook`]).
    restorer: OnceLock<Restorer>,
    nodes_gone: OnceLock<Hook>,
    /// Who had connections here open or closed, for the writer of the counts.
    presence: mpsc::UnboundedSender<Presence>,
    presence_rx: Mutex<Option<mpsc::UnboundedReceiver<Presence>>>,
    /// A live node speaks a newer [`CLUSTER_VERSION`]: this one leaves the lead to it.
    newer_running: AtomicBool,
    /// When this node last saw a node lead (its clock, ms).
    leader_seen_ms: std::sync::atomic::AtomicI64,
}

impl Cluster {
    /// The node's part, before anything runs: routing is built on it first.
    pub fn new(coordination: Arc<dyn Coordination>) -> Arc<Cluster> {
        let (presence, presence_rx) = mpsc::unbounded_channel();
        Arc::new(Cluster {
            coordination,
            lead: watch::channel(None).0,
            started_at_ms: now_ms(),
            requests: Notify::new(),
            answers: Mutex::new(HashMap::new()),
            restorer: OnceLock::new(),
            nodes_gone: OnceLock::new(),
            presence,
            presence_rx: Mutex::new(Some(presence_rx)),
            newer_running: AtomicBool::new(false),
            leader_seen_ms: std::sync::atomic::AtomicI64::new(now_ms()),
        })
    }

    /// Starts hearing the other nodes, the heartbeat, the page counts and the campaign for
    /// the lead.
    pub fn start(
        self: &Arc<Self>,
        hub: Arc<Hub>,
        chat: Arc<ChatService>,
        email: Arc<EmailService>,
        metrics: Arc<Metrics>,
        restorer: Restorer,
        nodes_gone: Hook,
    ) {
        let _ = self.restorer.set(restorer);
        let _ = self.nodes_gone.set(nodes_gone);
        tokio::spawn(listen(
            self.clone(),
            hub.clone(),
            chat.clone(),
            email,
            metrics.clone(),
        ));
        tokio::spawn(heartbeat(self.clone(), metrics.clone()));
        tokio::spawn(campaign(self.clone(), metrics));
        if let Some(rx) = lock(&self.presence_rx).take() {
            tokio::spawn(write_presence(self.clone(), hub, chat, rx));
        }
    }

    pub fn node(&self) -> &str {
        self.coordination.node()
    }

    /// Whether a node of a newer version runs, which then leads.
    fn note_versions(&self, nodes: &[NodeSeen]) {
        if nodes.iter().any(|n| n.leading_epoch.is_some()) {
            self.leader_seen_ms.store(now_ms(), Ordering::Relaxed);
        }
        let newer = nodes.iter().find(|n| n.version > CLUSTER_VERSION);
        let was = self.newer_running.swap(newer.is_some(), Ordering::Relaxed);
        if let (Some(newer), false) = (newer, was) {
            tracing::info!(
                node = %newer.node,
                version = newer.version,
                "a node of a newer version runs: the lead is left to the newest"
            );
        }
    }

    pub fn role(&self) -> Role {
        match *self.lead.borrow() {
            Some(epoch) => Role::Leader { epoch },
            None => Role::Follower,
        }
    }

    /// The connections of `who` open here changed: the count is written to the database
    /// soon after (the latest count, in the order of changes).
    pub fn presence_changed(&self, who: Presence) {
        let _ = self.presence.send(who);
    }

    /// Whether a connection of `who` is open on another live node.
    pub async fn present_elsewhere(&self, who: Presence) -> bool {
        let since = now_ms() - NODE_SILENT.as_millis() as i64;
        match self.coordination.present_on(who, since).await {
            Ok(nodes) => nodes.iter().any(|node| node != self.node()),
            Err(e) => {
                // Not knowing, they are taken as present: nothing is ended by mistake.
                tracing::warn!(error = %e, ?who, "connections on other nodes not read");
                true
            }
        }
    }

    /// The nodes whose heartbeat is recent, this one included once it has written one.
    pub async fn nodes(&self) -> Result<Vec<NodeSeen>, crate::store::StoreError> {
        let since = now_ms() - NODE_SILENT.as_millis() as i64;
        self.coordination.nodes(since).await
    }

    /// The agents with a page open on a live node (this one included).
    pub async fn agents_present(&self) -> Result<Vec<AgentId>, crate::store::StoreError> {
        let since = now_ms() - NODE_SILENT.as_millis() as i64;
        self.coordination.agents_present(since).await
    }

    fn leading_epoch(&self) -> Option<i64> {
        *self.lead.borrow()
    }
}

#[async_trait::async_trait]
impl crate::chat::watch::OtherNodes for Cluster {
    fn widgets_changed(&self, id: app::domain::ids::ContactId) {
        self.presence_changed(Presence::Widget(id));
    }

    async fn widget_elsewhere(&self, id: app::domain::ids::ContactId) -> bool {
        self.present_elsewhere(Presence::Widget(id)).await
    }
}

/// The lock's value is plain data: one a panic left behind is still whole.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes this node's count of connections of each one whose count changed, the count of
/// the moment it is written.
async fn write_presence(
    cluster: Arc<Cluster>,
    hub: Arc<Hub>,
    chat: Arc<ChatService>,
    mut rx: mpsc::UnboundedReceiver<Presence>,
) {
    while let Some(who) = rx.recv().await {
        let connections = match who {
            Presence::Agent(agent) => hub.presence(agent).pages,
            Presence::Widget(id) => chat.widget_count(id),
        };
        if let Err(e) = cluster
            .coordination
            .set_present(who, connections as u32)
            .await
        {
            tracing::warn!(error = %e, ?who, "connection count not written");
        }
    }
}

/// Hears the other nodes for as long as the process runs.
async fn listen(
    cluster: Arc<Cluster>,
    hub: Arc<Hub>,
    chat: Arc<ChatService>,
    email: Arc<EmailService>,
    metrics: Arc<Metrics>,
) {
    let coordination = cluster.coordination.clone();
    let mut listener = None;
    // The first connection finds the mailboxes just started: nothing to read again.
    let mut listened_before = false;
    loop {
        let heard = match listener.as_mut() {
            None => match coordination.listen().await {
                Ok(made) => {
                    listener = Some(made);
                    // Whatever was stored before this connection listened is read now.
                    Heard::Reconnected
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen to the other nodes; trying again");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            },
            Some(made) => match tokio::time::timeout(LISTENER_SILENT, made.next()).await {
                Ok(Ok(heard)) => heard,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "lost the other nodes' notices; listening again");
                    listener = None;
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
                Err(_) => {
                    // Not even this node's own pings: the connection is dead without a word.
                    tracing::warn!("the listening connection fell silent; listening again");
                    listener = None;
                    continue;
                }
            },
        };
        match heard {
            Heard::Notice(Notice::RoutingRequest { .. }) => {
                cluster.requests.notify_one();
            }
            Heard::Notice(Notice::RoutingAnswer { id }) => cluster.answered(id),
            Heard::Notice(Notice::Ping { sent_ms }) => metrics.notice_lag(now_ms() - sent_ms),
            Heard::Notice(notice) => {
                metrics.notice_heard();
                // Side by side: a notice waits for no other's reads. Each page and widget
                // connection puts what arrives out of order back in order (a number past a
                // gap reads the gap from the store).
                let (hub, chat, email) = (hub.clone(), chat.clone(), email.clone());
                tokio::spawn(async move {
                    if let Err(e) = deliver(&hub, &chat, &email, notice).await {
                        tracing::error!(error = %e, ?notice, "another node's news not delivered here");
                    }
                });
            }
            Heard::Reconnected => {
                // What was told meanwhile is gone: every page and widget reads again from
                // where it is, and requests and answers are looked for.
                hub.resync_pages();
                chat.rooms.resync_widgets();
                cluster.requests.notify_one();
                cluster.answered_all();
                if std::mem::replace(&mut listened_before, true) {
                    let email = email.clone();
                    tokio::spawn(async move {
                        if let Err(e) = email.reread_mailboxes().await {
                            tracing::error!(error = %e, "mailboxes not read again");
                        }
                    });
                }
            }
        }
    }
}

type Delivered = Result<(), Box<dyn std::error::Error + Send + Sync>>;

async fn deliver(
    hub: &Hub,
    chat: &ChatService,
    email: &Arc<EmailService>,
    notice: Notice,
) -> Delivered {
    match notice {
        Notice::AgentEvent { agent, seq } => hub.stored_elsewhere(agent, seq).await?,
        Notice::ChatLine {
            chat: id,
            seq,
            owner,
            guest,
        } => chat.line_stored_elsewhere(id, seq, owner, guest).await?,
        Notice::ContactEnded { contact } => chat.ended_elsewhere(contact),
        Notice::CustomerTyping { chat: id, active } => {
            chat.customer_typing_elsewhere(id, active).await?
        }
        Notice::AgentTyping {
            chat: id,
            agent,
            active,
        } => chat.agent_typing_elsewhere(id, agent, active).await?,
        Notice::LineStatus {
            chat: id,
            seq,
            status,
        } => chat.line_status_elsewhere(id, seq, status).await?,
        Notice::MailboxSaved { id } => email.mailbox_saved_elsewhere(id).await?,
        Notice::RoutingRequest { .. } | Notice::RoutingAnswer { .. } | Notice::Ping { .. } => {}
    }
    Ok(())
}

/// Writes the heartbeat. The leader also sees to what a node whose heartbeat stopped left
/// ([`Hook`]), and forgets, now and then, the routing requests long done and the
/// connections of nodes long silent.
async fn heartbeat(cluster: Arc<Cluster>, metrics: Arc<Metrics>) {
    let mut every = tokio::time::interval(HEARTBEAT);
    let mut beats: u64 = 0;
    let mut alive: Vec<String> = Vec::new();
    loop {
        every.tick().await;
        beats += 1;
        let (pages, widgets) = metrics.connections();
        let beat = cluster.coordination.heartbeat(Heartbeat {
            started_at_ms: cluster.started_at_ms,
            now_ms: now_ms(),
            leading_epoch: cluster.leading_epoch(),
            version: CLUSTER_VERSION,
            pages,
            widgets,
        });
        if let Err(e) = beat.await {
            tracing::warn!(error = %e, "heartbeat not written");
        }
        let nodes = cluster.nodes().await;
        // From the first beat on: the lag is measured as soon as the node runs.
        if beats % PING_EVERY_BEATS == 1 {
            let ping = Notice::Ping { sent_ms: now_ms() };
            if let Err(e) = cluster.coordination.announce(ping).await {
                tracing::warn!(error = %e, "ping to this node's listener not sent");
            }
        }
        if let Ok(nodes) = &nodes {
            cluster.note_versions(nodes);
            let counts: Vec<_> = nodes
                .iter()
                .map(|n| (n.node.clone(), n.pages, n.widgets))
                .collect();
            metrics.nodes_connections(&counts);
        }
        if cluster.leading_epoch().is_none() {
            alive.clear();
            continue;
        }
        if let Ok(nodes) = nodes {
            let now: Vec<String> = nodes.into_iter().map(|n| n.node).collect();
            let gone: Vec<&String> = alive.iter().filter(|n| !now.contains(n)).collect();
            if !gone.is_empty() {
                tracing::warn!(
                    ?gone,
                    "nodes stopped: their chats' timers and pages seen to here"
                );
                if let Some(nodes_gone) = cluster.nodes_gone.get() {
                    nodes_gone().await;
                }
            }
            alive = now;
        }
        if beats.is_multiple_of(SWEEP_EVERY_BEATS) {
            let before = now_ms() - SWEEP_AFTER.as_millis() as i64;
            if let Err(e) = cluster.coordination.sweep(before).await {
                tracing::warn!(error = %e, "old routing requests not swept");
            }
        }
    }
}

/// Takes the lead when nobody holds it; holds it while its connection answers and no node
/// of a newer version runs.
async fn campaign(cluster: Arc<Cluster>, metrics: Arc<Metrics>) {
    let mut seat = None;
    let mut every = tokio::time::interval(LEAD_CHECK);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A node started beside a newer one must not take the lead before its first heartbeat
    // has seen the versions running.
    match cluster.nodes().await {
        Ok(nodes) => cluster.note_versions(&nodes),
        Err(e) => tracing::warn!(error = %e, "the nodes running not read"),
    }
    // A lead taken although a newer node runs (it did not take the lead) is kept this
    // long before it is offered to that node again: routing never stops for long.
    let mut kept_until_ms = 0;
    loop {
        every.tick().await;
        let now = now_ms();
        if cluster.newer_running.load(Ordering::Relaxed) {
            let leading = cluster.leading_epoch().is_some();
            let nobody_leads = now - cluster.leader_seen_ms.load(Ordering::Relaxed)
                > LEADERLESS.as_millis() as i64;
            if leading && now >= kept_until_ms {
                // The lock lives with the connection: closing it hands the lead on.
                seat = None;
                tracing::warn!(
                    node = cluster.node(),
                    "this node leads no more: a newer one runs"
                );
                cluster.lead.send_replace(None);
                continue;
            }
            if !leading && !nobody_leads {
                seat = None;
                continue;
            }
            if !leading {
                tracing::warn!("a newer node runs but nobody leads: this node campaigns");
                kept_until_ms = now + FALLBACK_LEAD.as_millis() as i64;
            }
        }
        if seat.is_none() {
            match cluster.coordination.leader_seat().await {
                Ok(made) => seat = Some(made),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot open the leader's connection");
                    continue;
                }
            }
        }
        let Some(held) = seat.as_mut() else {
            continue;
        };
        let leading = cluster.leading_epoch().is_some();
        let outcome = if leading {
            match tokio::time::timeout(LEAD_CHECK, held.still_held()).await {
                Ok(Ok(())) => Ok(None),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("no answer in time".to_string()),
            }
        } else {
            match tokio::time::timeout(LEAD_CHECK, held.try_lead(now_ms())).await {
                Ok(Ok(epoch)) => Ok(epoch),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("no answer in time".to_string()),
            }
        };
        match outcome {
            Ok(Some(epoch)) => {
                tracing::info!(node = cluster.node(), epoch, "this node leads now");
                metrics.leader_change();
                cluster.lead.send_replace(Some(epoch));
            }
            Ok(None) => {}
            Err(e) => {
                // The lock lives with the connection: dropping it gives the lead up, and a
                // leader that cannot tell whether it still holds it stops leading at once.
                seat = None;
                if leading {
                    tracing::warn!(node = cluster.node(), error = %e, "this node leads no more");
                    cluster.lead.send_replace(None);
                } else {
                    tracing::warn!(error = %e, "the leader's connection failed");
                }
            }
        }
    }
}
