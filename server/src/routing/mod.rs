//! The routing engine (SPEC O-1, O-4, S-3, S-4): one task owns the queues, the offers and
//! their accept timers, and the agents' capacity, so no two requests can race. Decisions
//! are made by the I/O-free [`engine::Engine`]; this actor feeds it (with the time of
//! tokio's clock, so tests can pause time) and hands its outputs to [`RoutingEffects`].

pub mod engine;
pub mod relay;

use app::domain::ids::{AgentId, ContactId, CsqId};
use async_trait::async_trait;
use engine::{Engine, Input, Output};
use futures_util::future::{FutureExt, Shared};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::sync::{mpsc, oneshot};

/// What the routing engine's decisions do to the world: notify pages, store, change states.
#[async_trait]
pub trait RoutingEffects: Send + Sync + 'static {
    /// Carries out one decision of an engine running under `lead`: the epoch of this
    /// node's lead with several nodes (the writes that move a contact are taken only while
    /// it is still the lead's), none in one process.
    async fn apply(&self, output: &Output, lead: Option<i64>);
}

enum Command {
    Input(Input),
    /// An input whose outputs the caller waits for (an accept must know if it won).
    Ask(Input, oneshot::Sender<Vec<Output>>),
    /// What waits for an agent's answer (for a page that opens).
    Waiting(AgentId, oneshot::Sender<Waiting>),
    /// SPEC G-1: per CSQ, the agents an invitation to this chat could reach now.
    Availability(ContactId, oneshot::Sender<Vec<(CsqId, usize)>>),
    /// Answered once every effect decided so far is carried out.
    Settled(oneshot::Sender<()>),
}

/// What waits for one agent's answer, with expiries (Unix ms).
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Waiting {
    pub offers: Vec<(ContactId, i64)>,
    /// The chat, who invited, the expiry.
    pub invitations: Vec<(ContactId, AgentId, i64)>,
}

/// A cheap handle to the routing task.
#[derive(Clone)]
pub struct Routing {
    tx: mpsc::UnboundedSender<Command>,
}

impl Routing {
    /// Starts the routing task. Times are read from tokio's clock, offset to Unix time.
    pub fn spawn(accept_timer: Duration, effects: Arc<dyn RoutingEffects>) -> Routing {
        let (tx, rx) = mpsc::unbounded_channel();
        let routing = Routing { tx };
        let engine = Engine::new(accept_timer.as_millis() as i64);
        tokio::spawn(run(engine, rx, routing.clone(), effects, None));
        routing
    }

    /// Sends an input without waiting for its outcome.
    pub fn send(&self, input: Input) {
        let _ = self.tx.send(Command::Input(input));
    }

    /// Sends an input and waits until its outputs have been applied.
    pub async fn ask(&self, input: Input) -> Vec<Output> {
        let (reply, answer) = oneshot::channel();
        if self.tx.send(Command::Ask(input, reply)).is_err() {
            return Vec::new();
        }
        answer.await.unwrap_or_default()
    }

    /// SPEC G-1: per CSQ, how many agents an invitation to this chat could reach now.
    pub async fn availability(&self, contact: ContactId) -> Vec<(CsqId, usize)> {
        let (reply, answer) = oneshot::channel();
        if self.tx.send(Command::Availability(contact, reply)).is_err() {
            return Vec::new();
        }
        answer.await.unwrap_or_default()
    }

    /// Waits until every effect routing has decided so far is carried out, whatever its
    /// contact (`ask` waits only for its own input's): what must see every assignment
    /// already decided, such as a closed desktop handing its work back, waits for this.
    pub async fn settled(&self) {
        let (reply, answer) = oneshot::channel();
        if self.tx.send(Command::Settled(reply)).is_ok() {
            let _ = answer.await;
        }
    }

    /// The offers and invitations waiting for the agent's answer.
    pub async fn waiting_for(&self, agent: AgentId) -> Waiting {
        let (reply, answer) = oneshot::channel();
        if self.tx.send(Command::Waiting(agent, reply)).is_err() {
            return Waiting::default();
        }
        answer.await.unwrap_or_default()
    }

    /// The offers waiting for the agent's answer, with their expiry (Unix ms).
    pub async fn offers_for(&self, agent: AgentId) -> Vec<(ContactId, i64)> {
        self.waiting_for(agent).await.offers
    }

    /// SPEC O-5: true if the agent won the chat.
    pub async fn accept(&self, agent: AgentId, contact: ContactId) -> bool {
        self.ask(Input::Accept { agent, contact })
            .await
            .iter()
            .any(|o| matches!(o, Output::Accepted { contact: c, .. } if *c == contact))
    }
}

/// Runs the engine until its channel closes, or (with `lead`, issue 14) at once when this
/// node no longer holds the lead that epoch names: what was queued for it is dropped, its
/// askers hear nothing.
async fn run(
    mut engine: Engine,
    mut rx: mpsc::UnboundedReceiver<Command>,
    handle: Routing,
    effects: Arc<dyn RoutingEffects>,
    mut lead: Option<(tokio::sync::watch::Receiver<Option<i64>>, i64)>,
) {
    let clock = crate::clock::TokioClock::start();
    let mut lanes = Lanes::new(lead.as_ref().map(|(_, epoch)| *epoch));
    loop {
        let command = match lead.as_mut() {
            None => rx.recv().await,
            Some((watch, epoch)) => {
                if *watch.borrow() != Some(*epoch) {
                    return;
                }
                tokio::select! {
                    biased;
                    changed = watch.changed() => {
                        if changed.is_err() || *watch.borrow() != Some(*epoch) {
                            return;
                        }
                        continue;
                    }
                    command = rx.recv() => command,
                }
            }
        };
        let Some(command) = command else {
            return;
        };
        let (input, reply) = match command {
            Command::Input(input) => (input, None),
            Command::Ask(input, reply) => (input, Some(reply)),
            Command::Waiting(agent, reply) => {
                let _ = reply.send(Waiting {
                    offers: engine.offers_for(agent),
                    invitations: engine.invitations_for(agent),
                });
                continue;
            }
            Command::Availability(contact, reply) => {
                let _ = reply.send(engine.availability(contact));
                continue;
            }
            Command::Settled(reply) => {
                let running = lanes.running();
                tokio::spawn(async move {
                    futures_util::future::join_all(running).await;
                    let _ = reply.send(());
                });
                continue;
            }
        };
        let outputs = engine.handle(input, clock.now_ms());
        for output in &outputs {
            // Accept timers (offers and invitations) are kept here, on the server, never by
            // the browser: at expiry the engine hears of it.
            let timeout = match *output {
                Output::Offer {
                    contact,
                    number,
                    expires_at_ms,
                    ..
                } => Some((expires_at_ms, Input::OfferTimedOut { contact, number })),
                Output::Invited {
                    contact,
                    number,
                    expires_at_ms,
                    ..
                } => Some((expires_at_ms, Input::InviteTimedOut { contact, number })),
                Output::WakeAt { at_ms } => Some((at_ms, Input::Tick)),
                _ => None,
            };
            if let Some((expires_at_ms, input)) = timeout {
                let (at, handle) = (clock.instant_at(expires_at_ms), handle.clone());
                tokio::spawn(async move {
                    tokio::time::sleep_until(at).await;
                    handle.send(input);
                });
            }
        }
        let done = lanes.start(&effects, &outputs);
        if let Some(reply) = reply {
            // The asker hears once this input's outputs are carried out; the actor does not
            // wait for them.
            tokio::spawn(async move {
                futures_util::future::join_all(done).await;
                let _ = reply.send(outputs);
            });
        }
    }
}

/// Outputs being carried out, one chain per contact (issue 13: the routing actor never
/// waits on the store). An input's outputs about one contact run in their order, and only
/// once that contact's outputs from earlier inputs are done (an offer's write comes before
/// its withdrawal's, an accept's answer after the offer's); outputs about different
/// contacts run side by side. The actor goes on deciding meanwhile.
struct Lanes {
    /// The end of the last chain started for each contact (and one for outputs about none).
    tails: HashMap<Option<ContactId>, Done>,
    /// The map is swept of finished chains when it reaches this size.
    sweep_at: usize,
    /// The epoch the engine runs under (several nodes), given to every effect.
    lead: Option<i64>,
}

/// Resolves when a chain is done (or its task is gone): any number may wait for it.
type Done = Shared<oneshot::Receiver<()>>;

impl Lanes {
    const MIN_SWEEP: usize = 1024;

    fn new(lead: Option<i64>) -> Lanes {
        Lanes {
            tails: HashMap::new(),
            sweep_at: Self::MIN_SWEEP,
            lead,
        }
    }

    /// Starts carrying out one input's outputs; what it returns resolves when each of
    /// this input's chains is done.
    fn start(&mut self, effects: &Arc<dyn RoutingEffects>, outputs: &[Output]) -> Vec<Done> {
        let mut done = Vec::new();
        for (contact, lane) in by_contact(outputs) {
            let after = self.tails.get(&contact).cloned();
            let (finished, finish) = oneshot::channel();
            let (effects, lead) = (effects.clone(), self.lead);
            tokio::spawn(async move {
                if let Some(earlier) = after {
                    let _ = earlier.await;
                }
                for output in &lane {
                    effects.apply(output, lead).await;
                }
                let _ = finished.send(());
            });
            let finish = finish.shared();
            self.tails.insert(contact, finish.clone());
            done.push(finish);
        }
        if self.tails.len() >= self.sweep_at {
            self.tails.retain(|_, chain| chain.peek().is_none());
            self.sweep_at = (2 * self.tails.len()).max(Self::MIN_SWEEP);
        }
        done
    }

    /// The chains not yet done: waiting for them all waits for every effect started.
    fn running(&self) -> Vec<Done> {
        let running = self.tails.values().filter(|chain| chain.peek().is_none());
        running.cloned().collect()
    }
}

/// Outputs grouped by the contact they are about, each group in its order.
fn by_contact(outputs: &[Output]) -> Vec<(Option<ContactId>, Vec<Output>)> {
    let mut lanes: Vec<(Option<ContactId>, Vec<Output>)> = Vec::new();
    let mut lane_of: HashMap<Option<ContactId>, usize> = HashMap::new();
    for output in outputs {
        let lane = *lane_of.entry(output.contact()).or_insert_with(|| {
            lanes.push((output.contact(), Vec::new()));
            lanes.len() - 1
        });
        lanes[lane].1.push(output.clone());
    }
    lanes
}

#[cfg(test)]
mod tests;
