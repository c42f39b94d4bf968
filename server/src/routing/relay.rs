//! Routing when several nodes share the database (issue 14): one node leads and runs the
//! actor; on the others the same [`Routing`] handle hands every command to the leader
//! through a [`Relay`] (the database), each node's commands in the order it sent them, and
//! waits for the answer of those that want one. A node that takes the lead starts a fresh
//! engine from what the database holds ([`Relay::restore`]), then carries out the other
//! nodes' requests; one that loses it stops its engine and forwards again.

use super::{
    engine::{Engine, Input, Output},
    run, Command, Routing, RoutingEffects, Waiting,
};
use app::domain::ids::{AgentId, ContactId, CsqId};
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};

/// A command as it travels to the leader.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Request {
    Input(Input),
    /// An input whose outputs the sender waits for.
    Ask(Input),
    Waiting(AgentId),
    Availability(ContactId),
    Settled,
}

/// The leader's answer to a request that wants one.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Answer {
    Outputs(Vec<Output>),
    Waiting(Waiting),
    Availability(Vec<(CsqId, usize)>),
    Settled,
}

/// Where requests go between nodes, and what a new leader starts from.
#[async_trait]
pub trait Relay: Send + Sync + 'static {
    /// This node's lead: the epoch while it leads, none while another node does.
    fn lead(&self) -> watch::Receiver<Option<i64>>;
    /// Stores a request for the leader; returns its id. Called in this node's order.
    async fn submit(&self, request: &Request, wants_answer: bool) -> Result<i64, String>;
    /// The leader's answer to request `id`; none if it does not come in time.
    async fn answer_to(&self, id: i64) -> Option<Answer>;
    /// As leader under `epoch`: the other nodes' requests not yet taken, oldest first
    /// (waits until there are some). Empty once the lead is lost.
    async fn take(&self, epoch: i64) -> Vec<(i64, Request, bool)>;
    /// As leader: the answer to request `id`.
    async fn answer(&self, id: i64, answer: &Answer);
    /// As a new leader: tells `routing` (the new engine itself) everything the database
    /// holds: agents, queues, contacts held, settings.
    async fn restore(&self, routing: &Routing);
}

impl Routing {
    /// Starts this node's routing, leading or forwarding as the relay's lead says.
    pub fn spawn_relayed(
        accept_timer: std::time::Duration,
        effects: Arc<dyn RoutingEffects>,
        relay: Arc<dyn Relay>,
    ) -> Routing {
        let (tx, rx) = mpsc::unbounded_channel();
        let routing = Routing { tx };
        let accept_timer_ms = accept_timer.as_millis() as i64;
        tokio::spawn(node(rx, routing.clone(), relay, accept_timer_ms, effects));
        routing
    }

    /// Queues a request at once (so requests keep the order they were taken in) and
    /// returns where its answer will come.
    fn enqueue(&self, request: Request) -> Option<oneshot::Receiver<Answer>> {
        let (reply, answer) = oneshot::channel();
        let command = match request {
            Request::Input(input) => {
                self.send(input);
                return None;
            }
            Request::Ask(input) => Command::Ask(input, answering(reply, Answer::Outputs)),
            Request::Waiting(agent) => Command::Waiting(agent, answering(reply, Answer::Waiting)),
            Request::Availability(contact) => {
                Command::Availability(contact, answering(reply, Answer::Availability))
            }
            Request::Settled => Command::Settled(answering(reply, |()| Answer::Settled)),
        };
        let _ = self.tx.send(command);
        Some(answer)
    }
}

/// Where the engine puts its reply to one command: passed on to `reply` as an [`Answer`].
fn answering<T: Send + 'static>(
    reply: oneshot::Sender<Answer>,
    answer: impl FnOnce(T) -> Answer + Send + 'static,
) -> oneshot::Sender<T> {
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        if let Ok(value) = rx.await {
            let _ = reply.send(answer(value));
        }
    });
    tx
}

/// A node's routing for as long as the process runs.
async fn node(
    mut rx: mpsc::UnboundedReceiver<Command>,
    handle: Routing,
    relay: Arc<dyn Relay>,
    accept_timer_ms: i64,
    effects: Arc<dyn RoutingEffects>,
) {
    let mut lead = relay.lead();
    loop {
        let epoch = *lead.borrow_and_update();
        match epoch {
            None => loop {
                tokio::select! {
                    changed = lead.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        if lead.borrow().is_some() {
                            break;
                        }
                    }
                    command = rx.recv() => match command {
                        Some(command) => forward(&relay, command).await,
                        None => return,
                    },
                }
            },
            Some(epoch) => {
                tracing::info!(epoch, "routing starts on this node");
                let (actor, actor_rx) = mpsc::unbounded_channel();
                let engine = Engine::new(accept_timer_ms).numbered_from((epoch as u64) << 32);
                tokio::spawn(run(
                    engine,
                    actor_rx,
                    handle.clone(),
                    effects.clone(),
                    Some((relay.lead(), epoch)),
                ));
                // The database's state first, straight to the new engine: this node's own
                // commands (a page that opened meanwhile) wait until it is in.
                relay.restore(&Routing { tx: actor.clone() }).await;
                let feeding = tokio::spawn(feed(relay.clone(), handle.clone(), epoch));
                loop {
                    tokio::select! {
                        changed = lead.changed() => {
                            if changed.is_err() || *lead.borrow() != Some(epoch) {
                                break;
                            }
                        }
                        command = rx.recv() => match command {
                            Some(command) => {
                                let _ = actor.send(command);
                            }
                            None => return,
                        },
                    }
                }
                // The engine stops at once (it watches the lead too); its askers hear
                // nothing, as when the leader's node dies.
                feeding.abort();
                tracing::warn!(epoch, "routing stops on this node: another leads");
            }
        }
    }
}

/// As leader, once the database's state is in: the other nodes' requests as they come,
/// through this node's handle, in the order they were taken.
async fn feed(relay: Arc<dyn Relay>, handle: Routing, epoch: i64) {
    loop {
        let requests = relay.take(epoch).await;
        if requests.is_empty() && *relay.lead().borrow() != Some(epoch) {
            return;
        }
        for (id, request, wants_answer) in requests {
            let answer = handle.enqueue(request);
            if let (true, Some(answer)) = (wants_answer, answer) {
                let relay = relay.clone();
                tokio::spawn(async move {
                    if let Ok(answer) = answer.await {
                        relay.answer(id, &answer).await;
                    }
                });
            }
        }
    }
}

/// As follower: hands a command to the leader; its answer, if wanted, comes back later
/// without holding up the next command.
async fn forward(relay: &Arc<dyn Relay>, command: Command) {
    let (request, reply): (Request, Option<Reply>) = match command {
        Command::Input(input) => (Request::Input(input), None),
        Command::Ask(input, tx) => (Request::Ask(input), Some(Reply::Outputs(tx))),
        Command::Waiting(agent, tx) => (Request::Waiting(agent), Some(Reply::Waiting(tx))),
        Command::Availability(contact, tx) => (
            Request::Availability(contact),
            Some(Reply::Availability(tx)),
        ),
        Command::Settled(tx) => (Request::Settled, Some(Reply::Settled(tx))),
    };
    let id = match relay.submit(&request, reply.is_some()).await {
        Ok(id) => id,
        Err(e) => {
            // The asker hears nothing (its default answer): the leader cannot be reached.
            tracing::error!(error = %e, ?request, "routing request not handed to the leader");
            return;
        }
    };
    let Some(reply) = reply else {
        return;
    };
    let relay = relay.clone();
    tokio::spawn(async move {
        match (relay.answer_to(id).await, reply) {
            (Some(Answer::Outputs(outputs)), Reply::Outputs(tx)) => {
                let _ = tx.send(outputs);
            }
            (Some(Answer::Waiting(waiting)), Reply::Waiting(tx)) => {
                let _ = tx.send(waiting);
            }
            (Some(Answer::Availability(counts)), Reply::Availability(tx)) => {
                let _ = tx.send(counts);
            }
            (Some(Answer::Settled), Reply::Settled(tx)) => {
                let _ = tx.send(());
            }
            (answer, _) => {
                tracing::warn!(id, ?answer, "no fitting answer from the leader in time");
            }
        }
    });
}

enum Reply {
    Outputs(oneshot::Sender<Vec<Output>>),
    Waiting(oneshot::Sender<Waiting>),
    Availability(oneshot::Sender<Vec<(CsqId, usize)>>),
    Settled(oneshot::Sender<()>),
}
