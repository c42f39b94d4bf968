//! The routing engine driven through its actor, with tokio's clock paused: timers fire at
//! exactly their virtual time, so these tests neither sleep nor flake.

use super::{
    engine::{AgentInfo, Input, Output},
    Routing, RoutingEffects,
};
use app::domain::{
    ids::{AgentId, ContactId, CsqId},
    state::{AgentState, AgentStatus, Badge, StateEvent},
};
use async_trait::async_trait;
use std::{sync::Arc, time::Duration};
use tokio::{sync::mpsc, time::Instant};

const SUPPORT: CsqId = CsqId(1);
const SALES: CsqId = CsqId(2);
const ACCEPT: Duration = Duration::from_secs(15);

/// Records what the engine asks the world to do.
struct Recorder(mpsc::UnboundedSender<Output>);

#[async_trait]
impl RoutingEffects for Recorder {
    async fn apply(&self, output: &Output, _lead: Option<i64>) {
        let _ = self.0.send(output.clone());
    }
}

struct Harness {
    routing: Routing,
    outputs: mpsc::UnboundedReceiver<Output>,
}

fn ready() -> AgentStatus {
    AgentStatus::logged_out()
        .apply(StateEvent::Login)
        .and_then(|s| s.apply(StateEvent::SetReady))
        .unwrap()
}

impl Harness {
    fn new() -> Self {
        let (tx, outputs) = mpsc::unbounded_channel();
        Harness {
            routing: Routing::spawn(ACCEPT, Arc::new(Recorder(tx))),
            outputs,
        }
    }

    async fn agent(
        &self,
        id: i64,
        csqs: &[CsqId],
        max_chats: u32,
        available_since_ms: i64,
    ) -> Vec<Output> {
        self.routing
            .ask(Input::AgentKnown {
                agent: AgentId(id),
                info: AgentInfo {
                    status: ready(),
                    csqs: csqs.to_vec(),
                    max_chats,
                    active_chats: 0,
                    max_emails: 3,
                    active_emails: 0,
                    away: false,
                    available_since_ms,
                },
            })
            .await
    }

    async fn chat(&self, id: i64, csq: CsqId, queued_at_ms: i64) -> Vec<Output> {
        self.routing
            .ask(Input::ChatQueued {
                contact: ContactId(id),
                csq,
                queued_at_ms,
            })
            .await
    }

    /// The next output, waiting (in virtual time) as long as it takes.
    async fn next(&mut self) -> Output {
        self.outputs.recv().await.expect("routing runs")
    }

    fn drain(&mut self) -> Vec<Output> {
        let mut all = Vec::new();
        while let Ok(o) = self.outputs.try_recv() {
            all.push(o);
        }
        all
    }
}

fn offered_to(outputs: &[Output]) -> Vec<(i64, i64)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Offer { agent, contact, .. } => Some((agent.0, contact.0)),
            _ => None,
        })
        .collect()
}

/// SPEC O-1: a chat goes to the member of its CSQ who has been available longest.
#[tokio::test(start_paused = true)]
async fn chat_goes_to_the_longest_available_member() {
    let mut h = Harness::new();
    h.agent(1, &[SUPPORT], 3, 300).await;
    h.agent(2, &[SUPPORT], 3, 100).await;
    h.agent(3, &[SALES], 3, 0).await;
    let out = h.chat(10, SUPPORT, 1).await;
    assert_eq!(offered_to(&out), [(2, 10)]);
    let Output::Offer { expires_at_ms, .. } = h.next().await else {
        panic!()
    };
    assert!(expires_at_ms > 0);
}

/// SPEC O-1, O-4: an agent holding a chat does not get the next one while another member
/// is Ready with none, even when the busy one has waited longer.
#[tokio::test(start_paused = true)]
async fn the_next_chat_goes_to_the_idle_agent() {
    let h = Harness::new();
    h.agent(1, &[SUPPORT], 3, 0).await;
    h.agent(2, &[SUPPORT], 3, 100).await;
    assert_eq!(offered_to(&h.chat(10, SUPPORT, 1).await), [(1, 10)]);
    assert!(h.routing.accept(AgentId(1), ContactId(10)).await);
    assert_eq!(
        offered_to(&h.chat(11, SUPPORT, 2).await),
        [(2, 11)],
        "agent 1 holds a chat: agent 2 is idle"
    );
}

/// SPEC O-1, O-4: ten chats over three Ready agents (room for five each) end 4/3/3, each
/// new chat to an agent holding the fewest, in turn.
#[tokio::test(start_paused = true)]
async fn chats_spread_evenly_over_ready_agents() {
    let h = Harness::new();
    for id in 1..=3 {
        h.agent(id, &[SUPPORT], 5, 0).await;
    }
    let mut held = std::collections::BTreeMap::new();
    for chat in 1..=10 {
        let out = h.chat(100 + chat, SUPPORT, chat).await;
        let [(agent, contact)] = offered_to(&out)[..] else {
            panic!("one offer per chat: {out:?}")
        };
        assert!(h.routing.accept(AgentId(agent), ContactId(contact)).await);
        *held.entry(agent).or_insert(0) += 1;
        tokio::time::advance(Duration::from_secs(1)).await;
    }
    let mut counts: Vec<u32> = held.values().copied().collect();
    counts.sort();
    assert_eq!(counts, [3, 3, 4], "chats per agent: {held:?}");
}

/// SPEC S-4: an offer not accepted in time is withdrawn, the agent goes Not Ready with the
/// badge, and the chat is offered to the next agent.
#[tokio::test(start_paused = true)]
async fn offer_expiry_sets_not_ready_with_badge_and_reoffers() {
    let mut h = Harness::new();
    h.agent(1, &[SUPPORT], 3, 100).await;
    h.agent(2, &[SUPPORT], 3, 200).await;
    let started = Instant::now();
    assert_eq!(offered_to(&h.chat(10, SUPPORT, 1).await), [(1, 10)]);
    h.drain();

    // Nothing happens until the accept timer runs out, then all at once.
    assert_eq!(
        h.next().await,
        Output::Withdrawn {
            agent: AgentId(1),
            contact: ContactId(10)
        }
    );
    assert_eq!(started.elapsed(), ACCEPT, "exactly the accept timer");
    assert_eq!(
        h.next().await,
        Output::OfferExpired {
            agent: AgentId(1),
            contact: ContactId(10)
        }
    );
    assert!(matches!(
        h.next().await,
        Output::Offer {
            agent: AgentId(2),
            contact: ContactId(10),
            ..
        }
    ));

    // A late accept from the first agent loses; the second agent's wins.
    assert!(!h.routing.accept(AgentId(1), ContactId(10)).await);
    assert!(h.routing.accept(AgentId(2), ContactId(10)).await);
    let status = h
        .routing
        .ask(Input::ChatQueued {
            contact: ContactId(11),
            csq: SUPPORT,
            queued_at_ms: 2,
        })
        .await;
    assert!(
        offered_to(&status).iter().all(|(agent, _)| *agent != 1),
        "agent 1 is Not Ready now"
    );
}

/// SPEC S-4: the engine's view of the agent after expiry is Not Ready with the badge.
#[tokio::test(start_paused = true)]
async fn expired_agent_is_not_ready_with_badge() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let routing = Routing::spawn(ACCEPT, Arc::new(Recorder(tx)));
    routing
        .ask(Input::AgentKnown {
            agent: AgentId(1),
            info: AgentInfo {
                status: ready(),
                csqs: vec![SUPPORT],
                max_chats: 3,
                active_chats: 0,
                max_emails: 3,
                active_emails: 0,
                away: false,
                available_since_ms: 0,
            },
        })
        .await;
    routing
        .ask(Input::ChatQueued {
            contact: ContactId(5),
            csq: SUPPORT,
            queued_at_ms: 0,
        })
        .await;
    while !matches!(rx.recv().await, Some(Output::OfferExpired { .. })) {}
    // The chat waits again: with nobody else, it is not re-offered to the Not Ready agent.
    let status = AgentStatus::logged_out()
        .apply(StateEvent::Login)
        .unwrap()
        .apply(StateEvent::OfferExpired)
        .unwrap();
    assert_eq!(status.badge, Some(Badge::ChatNotAccepted));
    let out = routing
        .ask(Input::StatusChanged {
            agent: AgentId(1),
            status,
        })
        .await;
    assert!(offered_to(&out).is_empty());
    // Once the agent chooses Ready again, the chat comes back to them.
    let out = routing
        .ask(Input::StatusChanged {
            agent: AgentId(1),
            status: ready(),
        })
        .await;
    assert_eq!(offered_to(&out), [(1, 5)]);
}

/// SPEC O-4: offers keep coming up to the maximum of active chats, and no further.
#[tokio::test(start_paused = true)]
async fn no_offer_beyond_the_maximum_of_active_chats() {
    let h = Harness::new();
    h.agent(1, &[SUPPORT], 2, 0).await;
    for chat in 10..13 {
        h.chat(chat, SUPPORT, chat).await;
        if chat < 12 {
            assert!(
                h.routing.accept(AgentId(1), ContactId(chat)).await,
                "chat {chat}"
            );
        }
    }
    // Chat 12 waits: the agent holds two of two.
    let out = h
        .routing
        .ask(Input::Accept {
            agent: AgentId(1),
            contact: ContactId(12),
        })
        .await;
    assert_eq!(
        out,
        [Output::AcceptRefused {
            agent: AgentId(1),
            contact: ContactId(12)
        }]
    );
    // When one ends, chat 12 is offered at once.
    let out = h
        .routing
        .ask(Input::ChatEnded {
            agent: AgentId(1),
            contact: ContactId(10),
        })
        .await;
    assert_eq!(offered_to(&out), [(1, 12)]);
}

/// SPEC S-3: Reserved while holding chats, back to Ready after the last one; asking for
/// Not Ready meanwhile stops new offers at once.
#[tokio::test(start_paused = true)]
async fn reserved_and_back_and_not_ready_stops_offers() {
    let h = Harness::new();
    h.agent(1, &[SUPPORT], 3, 0).await;
    h.chat(10, SUPPORT, 1).await;
    assert!(h.routing.accept(AgentId(1), ContactId(10)).await);

    let reserved = ready().apply(StateEvent::ContactAccepted).unwrap();
    assert_eq!(reserved.state, AgentState::Reserved);
    let pending = reserved.apply(StateEvent::SetNotReady).unwrap();
    h.routing
        .ask(Input::StatusChanged {
            agent: AgentId(1),
            status: pending,
        })
        .await;
    let out = h.chat(11, SUPPORT, 2).await;
    assert!(
        offered_to(&out).is_empty(),
        "Not Ready requested: no new offers"
    );

    let back = reserved.apply(StateEvent::ContactEnded).unwrap();
    assert_eq!(back.state, AgentState::Ready);
    h.routing
        .ask(Input::ChatEnded {
            agent: AgentId(1),
            contact: ContactId(10),
        })
        .await;
    let out = h
        .routing
        .ask(Input::StatusChanged {
            agent: AgentId(1),
            status: back,
        })
        .await;
    assert_eq!(
        offered_to(&out),
        [(1, 11)],
        "Ready again: the waiting chat comes"
    );
}

/// Chats are offered in arrival order; a customer who leaves is taken out of the queue.
#[tokio::test(start_paused = true)]
async fn queue_keeps_arrival_order_and_drops_abandoned_chats() {
    let h = Harness::new();
    h.chat(30, SUPPORT, 3).await;
    h.chat(10, SUPPORT, 1).await;
    h.chat(20, SUPPORT, 2).await;
    h.routing
        .ask(Input::ChatAbandoned {
            contact: ContactId(20),
        })
        .await;
    let out = h.agent(1, &[SUPPORT], 1, 0).await;
    assert_eq!(offered_to(&out), [(1, 10)]);
    assert!(h.routing.accept(AgentId(1), ContactId(10)).await);
    let out = h
        .routing
        .ask(Input::ChatEnded {
            agent: AgentId(1),
            contact: ContactId(10),
        })
        .await;
    assert_eq!(offered_to(&out), [(1, 30)], "20 left the queue");
}

/// What an invitation request or answer came to, for the inviting agent.
fn invite_result(outputs: &[Output]) -> String {
    outputs
        .iter()
        .find_map(|o| match o {
            Output::Invited { agent, .. } => Some(format!("invited {}", agent.0)),
            Output::InviteEnded { to, outcome, .. } => {
                Some(format!("{outcome} {}", to.map_or(0, |a| a.0)))
            }
            Output::InviteRefused { .. } => Some("refused".into()),
            _ => None,
        })
        .unwrap_or_default()
}

impl Harness {
    async fn invite(&self, from: i64, contact: i64) -> String {
        invite_result(
            &self
                .routing
                .ask(Input::Invite {
                    contact: ContactId(contact),
                    from: AgentId(from),
                    csq: SUPPORT,
                })
                .await,
        )
    }

    async fn answer(&self, agent: i64, contact: i64, accept: bool) -> String {
        invite_result(
            &self
                .routing
                .ask(Input::InviteAnswer {
                    agent: AgentId(agent),
                    contact: ContactId(contact),
                    accept,
                })
                .await,
        )
    }
}

/// SPEC G-1, G-2, G-3, G-6: an invitation reaches the longest-available agent of the CSQ
/// who is not in the chat; one who declined (or let it expire) is not invited again until
/// an invitation is accepted; a chat holds two agents at most; the one who stays after the
/// other leaves may invite again.
#[tokio::test(start_paused = true)]
async fn invitations_follow_the_group_chat_rules() {
    let mut h = Harness::new();
    h.agent(1, &[SUPPORT], 3, 0).await; // A, who takes the chat
    h.agent(2, &[SUPPORT], 3, 100).await; // B
    h.agent(3, &[SUPPORT], 3, 200).await; // C
    h.chat(10, SUPPORT, 1).await;
    assert!(h.routing.accept(AgentId(1), ContactId(10)).await);
    h.drain();

    // Only an agent in the chat may invite.
    assert_eq!(h.invite(2, 10).await, "refused");
    // B waited longest; B declines; the next invitation reaches C, not B.
    assert_eq!(h.invite(1, 10).await, "invited 2");
    assert_eq!(h.invite(1, 10).await, "refused", "one invitation at a time");
    assert_eq!(h.answer(3, 10, true).await, "", "not C's invitation");
    assert_eq!(h.answer(2, 10, false).await, "declined 2");
    assert_eq!(h.invite(1, 10).await, "invited 3");
    h.drain();

    // C lets it run out: the inviting agent is told after the accept timer, exactly.
    let started = Instant::now();
    let expired = h.next().await;
    assert_eq!(invite_result(&[expired]), "expired 3");
    assert_eq!(started.elapsed(), ACCEPT);
    // An expired invitation leaves C's state alone (no Not Ready, unlike an offer: S-4).
    assert!(h.drain().is_empty());
    assert_eq!(
        h.invite(1, 10).await,
        "nobody available 0",
        "B and C declined"
    );

    // D arrives and accepts: the chat is full (customer, A, D).
    h.agent(4, &[SUPPORT], 3, 300).await;
    assert_eq!(h.invite(1, 10).await, "invited 4");
    assert_eq!(h.answer(4, 10, true).await, "accepted 4");
    assert_eq!(
        h.invite(1, 10).await,
        "refused",
        "three participants at most"
    );
    assert_eq!(h.invite(4, 10).await, "refused");

    // D leaves; A may invite again, and after the accepted invitation B may be invited.
    h.routing
        .ask(Input::ChatEnded {
            agent: AgentId(4),
            contact: ContactId(10),
        })
        .await;
    assert_eq!(h.invite(1, 10).await, "invited 2");
}

/// The owner leaves a group chat: the guest holds it alone and may invite; when the chat
/// ends, a waiting invitation is withdrawn.
#[tokio::test(start_paused = true)]
async fn the_guest_keeps_the_chat_and_a_waiting_invitation_goes_with_the_chat() {
    let mut h = Harness::new();
    h.agent(1, &[SUPPORT], 3, 0).await;
    h.agent(2, &[SUPPORT], 3, 100).await;
    h.agent(3, &[SUPPORT], 3, 200).await;
    h.chat(10, SUPPORT, 1).await;
    assert!(h.routing.accept(AgentId(1), ContactId(10)).await);
    assert_eq!(h.invite(1, 10).await, "invited 2");
    assert_eq!(h.answer(2, 10, true).await, "accepted 2");
    h.routing
        .ask(Input::ChatEnded {
            agent: AgentId(1),
            contact: ContactId(10),
        })
        .await;
    assert_eq!(
        h.invite(2, 10).await,
        "invited 3",
        "A's wait restarted when A left"
    );
    h.drain();
    let ended = h
        .routing
        .ask(Input::ChatEnded {
            agent: AgentId(2),
            contact: ContactId(10),
        })
        .await;
    assert!(ended.contains(&Output::InviteWithdrawn {
        agent: AgentId(3),
        contact: ContactId(10)
    }));
    // Agent 3 never held it: nothing left of the chat.
    assert_eq!(h.invite(3, 10).await, "refused");
}

impl Harness {
    async fn email(
        &self,
        id: i64,
        csq: CsqId,
        excluded: &[i64],
        sticky: Option<(i64, i64)>,
    ) -> Vec<Output> {
        self.routing
            .ask(Input::EmailQueued {
                contact: ContactId(id),
                csq,
                queued_at_ms: id,
                excluded: excluded.iter().copied().map(AgentId).collect(),
                sticky: sticky.map(|(a, until)| (AgentId(a), until)),
            })
            .await
    }
}

fn assigned_to(outputs: &[Output]) -> Vec<(i64, i64)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Assigned { agent, contact, .. } => Some((agent.0, contact.0)),
            _ => None,
        })
        .collect()
}

/// SPEC E-1, O-4: emails are assigned at once (no offer, no timer) to the longest available
/// member, up to the maximum of active emails; the next waits for room.
#[tokio::test(start_paused = true)]
async fn emails_are_assigned_up_to_the_email_maximum() {
    let h = Harness::new();
    h.agent(1, &[SUPPORT], 3, 0).await;
    for id in 10..13 {
        assert_eq!(
            assigned_to(&h.email(id, SUPPORT, &[], None).await),
            [(1, id)]
        );
    }
    assert!(
        assigned_to(&h.email(13, SUPPORT, &[], None).await).is_empty(),
        "three emails in hand: the fourth waits"
    );
    let out = h
        .routing
        .ask(Input::EmailReleased {
            agent: AgentId(1),
            contact: ContactId(10),
        })
        .await;
    assert_eq!(
        assigned_to(&out),
        [(1, 13)],
        "room again: the waiting email comes"
    );
}

/// SPEC Q-1, S-5: a requeued email goes to another agent, never back to the one who
/// requeued it, even when that agent is the only free member.
#[tokio::test(start_paused = true)]
async fn a_requeued_email_never_returns_to_its_agent() {
    let h = Harness::new();
    h.agent(1, &[SUPPORT], 3, 0).await;
    assert!(assigned_to(&h.email(20, SUPPORT, &[1], None).await).is_empty());
    let out = h.agent(2, &[SUPPORT], 3, 50).await;
    assert_eq!(assigned_to(&out), [(2, 20)]);
}

/// SPEC E-4: a reply waits for the thread's last agent during the sticky time, then goes
/// to the CSQ's normal routing.
#[tokio::test(start_paused = true)]
async fn a_reply_waits_for_its_last_agent_then_goes_to_anyone() {
    let mut h = Harness::new();
    h.agent(1, &[SUPPORT], 3, 0).await;
    h.agent(2, &[SUPPORT], 3, 10).await;
    let now = crate::clock::now_ms();
    // Agent 2 is free: the reply goes to agent 2, not to the longest available (agent 1).
    assert_eq!(
        assigned_to(&h.email(30, SUPPORT, &[], Some((2, now + 60_000))).await),
        [(2, 30)]
    );
    // Agent 3 handled the next thread but is not Ready: the reply waits ...
    h.routing
        .ask(Input::AgentKnown {
            agent: AgentId(3),
            info: AgentInfo {
                status: AgentStatus::logged_out().apply(StateEvent::Login).unwrap(),
                csqs: vec![SUPPORT],
                max_chats: 3,
                active_chats: 0,
                max_emails: 3,
                active_emails: 0,
                away: false,
                available_since_ms: 0,
            },
        })
        .await;
    h.drain();
    let out = h.email(31, SUPPORT, &[], Some((3, now + 60_000))).await;
    assert!(assigned_to(&out).is_empty(), "{out:?}");
    // ... until the sticky time is over, then the longest available member gets it.
    let start = Instant::now();
    loop {
        if let Output::Assigned { agent, contact, .. } = h.next().await {
            assert_eq!((agent.0, contact.0), (1, 31));
            break;
        }
    }
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(59) && waited <= Duration::from_secs(61),
        "{waited:?}"
    );
}

/// SPEC E-4: a reply does not wait for a last agent who cannot take it: logged out, or Not
/// Ready with no page open, it goes to the queue at once. A Ready agent whose page is not
/// back yet (a blip, a restart) is still waited for.
#[tokio::test(start_paused = true)]
async fn a_reply_waits_only_for_a_last_agent_who_may_take_it() {
    let h = Harness::new();
    h.agent(1, &[SUPPORT], 3, 0).await;
    let now = crate::clock::now_ms();
    let known = |id: i64, status: AgentStatus, away: bool| Input::AgentKnown {
        agent: AgentId(id),
        info: AgentInfo {
            status,
            csqs: vec![SUPPORT],
            max_chats: 3,
            active_chats: 0,
            max_emails: 3,
            active_emails: 0,
            away,
            available_since_ms: 0,
        },
    };
    let not_ready = AgentStatus::logged_out().apply(StateEvent::Login).unwrap();
    h.routing
        .ask(known(4, AgentStatus::logged_out(), false))
        .await;
    h.routing.ask(known(5, not_ready, true)).await;
    h.routing.ask(known(6, ready(), true)).await;
    assert_eq!(
        assigned_to(&h.email(40, SUPPORT, &[], Some((4, now + 60_000))).await),
        [(1, 40)],
        "the last agent logged out: the queue takes it at once"
    );
    assert_eq!(
        assigned_to(&h.email(41, SUPPORT, &[], Some((5, now + 60_000))).await),
        [(1, 41)],
        "Not Ready with no page open: at once too"
    );
    assert!(
        assigned_to(&h.email(42, SUPPORT, &[], Some((6, now + 60_000))).await).is_empty(),
        "Ready with the page not back yet: it waits"
    );
    // That agent's page does not come back: the desktop is gone, Not Ready.
    let out = h
        .routing
        .ask(Input::StatusChanged {
            agent: AgentId(6),
            status: not_ready,
        })
        .await;
    assert_eq!(assigned_to(&out), [(1, 42)], "no longer worth waiting for");
}

/// SPEC D-2, O-4: an administrator's change of CSQs or capacity reaches routing at once: a
/// chat waiting in a CSQ the agent just joined, or past a maximum just raised, is offered
/// without the agent logging in again, and what the agent holds is kept.
#[tokio::test(start_paused = true)]
async fn d2_a_change_of_csqs_or_capacity_applies_at_once() {
    let h = Harness::new();
    h.agent(1, &[SALES], 1, 0).await;
    assert!(offered_to(&h.chat(10, SUPPORT, 1).await).is_empty());
    let out = h
        .routing
        .ask(Input::AgentChanged {
            agent: AgentId(1),
            csqs: vec![SALES, SUPPORT],
            max_chats: 1,
            max_emails: 3,
        })
        .await;
    assert_eq!(offered_to(&out), [(1, 10)], "joined Support: offered");
    h.routing
        .ask(Input::Accept {
            agent: AgentId(1),
            contact: ContactId(10),
        })
        .await;
    assert!(
        offered_to(&h.chat(11, SUPPORT, 2).await).is_empty(),
        "at the maximum of 1"
    );
    let out = h
        .routing
        .ask(Input::AgentChanged {
            agent: AgentId(1),
            csqs: vec![SALES, SUPPORT],
            max_chats: 2,
            max_emails: 3,
        })
        .await;
    assert_eq!(offered_to(&out), [(1, 11)], "maximum raised to 2: offered");
    let out = h
        .routing
        .ask(Input::AgentChanged {
            agent: AgentId(2),
            csqs: vec![SUPPORT],
            max_chats: 5,
            max_emails: 5,
        })
        .await;
    assert!(
        out.is_empty(),
        "an agent not met yet is left for their login"
    );
}

/// SPEC O-1: a CSQ whose agents are all answering offers does not hold up another CSQ's
/// chat queued behind its many waiting ones; and when an agent of the first CSQ is free
/// again, its oldest waiting chat is the next offered.
#[tokio::test(start_paused = true)]
async fn a_full_queue_does_not_hold_up_another_queue_behind_it() {
    let mut h = Harness::new();
    h.agent(1, &[SUPPORT], 5, 0).await;
    for id in 10..210 {
        h.chat(id, SUPPORT, id).await;
    }
    // Agent 1 answers the first offer; the 199 other support chats wait.
    assert_eq!(offered_to(&h.drain()), [(1, 10)]);
    let out = h.chat(500, SALES, 1_000).await;
    assert!(offered_to(&out).is_empty(), "no sales agent yet");
    let out = h.agent(2, &[SALES], 5, 0).await;
    assert_eq!(offered_to(&out), [(2, 500)], "the sales chat behind them");
    h.drain();
    let out = h
        .routing
        .ask(Input::Accept {
            agent: AgentId(1),
            contact: ContactId(10),
        })
        .await;
    assert_eq!(
        offered_to(&out),
        [(1, 11)],
        "the oldest waiting support chat next"
    );
}

/// Holds back every output about contact 1 until told; records what was carried out.
struct Gate {
    done: std::sync::Mutex<Vec<Output>>,
    open: tokio::sync::Semaphore,
}

impl Gate {
    fn new() -> Arc<Gate> {
        Arc::new(Gate {
            done: Default::default(),
            open: tokio::sync::Semaphore::new(0),
        })
    }

    fn done(&self) -> Vec<Output> {
        self.done.lock().unwrap().clone()
    }
}

#[async_trait]
impl RoutingEffects for Gate {
    async fn apply(&self, output: &Output, _lead: Option<i64>) {
        if output.contact() == Some(ContactId(1)) {
            self.open.acquire().await.unwrap().forget();
        }
        self.done.lock().unwrap().push(output.clone());
    }
}

/// A Ready support agent holding at most one chat.
fn support_agent(id: i64, available_since_ms: i64) -> Input {
    Input::AgentKnown {
        agent: AgentId(id),
        info: AgentInfo {
            status: ready(),
            csqs: vec![SUPPORT],
            max_chats: 1,
            active_chats: 0,
            max_emails: 3,
            active_emails: 0,
            away: false,
            available_since_ms,
        },
    }
}

fn offer(agent: i64, contact: i64) -> Output {
    Output::Offer {
        agent: AgentId(agent),
        contact: ContactId(contact),
        csq: SUPPORT,
        number: 1,
        expires_at_ms: 0,
    }
}

fn withdrawn(agent: i64, contact: i64) -> Output {
    Output::Withdrawn {
        agent: AgentId(agent),
        contact: ContactId(contact),
    }
}

/// Issue 13: one input's outputs about different contacts are carried out side by side (an
/// offer waiting on the database does not hold up the next chat's), those about one contact
/// in their order.
#[tokio::test]
async fn outputs_about_different_contacts_are_carried_out_side_by_side() {
    let gate = Gate::new();
    let effects: Arc<dyn RoutingEffects> = gate.clone();
    let mut lanes = super::Lanes::new(None);
    let mut done = lanes.start(&effects, &[offer(1, 1), withdrawn(1, 1), offer(2, 2)]);
    let second = done.pop().unwrap();
    tokio::time::timeout(Duration::from_secs(5), second)
        .await
        .expect("the second chat's offer does not wait for the first's")
        .unwrap();
    assert_eq!(gate.done(), [offer(2, 2)]);
    gate.open.add_permits(2);
    done.pop().unwrap().await.unwrap();
    assert_eq!(gate.done(), [offer(2, 2), offer(1, 1), withdrawn(1, 1)]);
}

/// Issue 13: a later input's output about a contact waits for that contact's earlier ones
/// (a withdrawal never overtakes its offer), not for other contacts'.
#[tokio::test]
async fn a_contacts_outputs_keep_their_order_across_inputs() {
    let gate = Gate::new();
    let effects: Arc<dyn RoutingEffects> = gate.clone();
    let mut lanes = super::Lanes::new(None);
    let first = lanes.start(&effects, &[offer(1, 1)]);
    let mut second = lanes.start(&effects, &[withdrawn(1, 1), offer(2, 2)]);
    tokio::time::timeout(Duration::from_secs(5), second.pop().unwrap())
        .await
        .expect("another chat's output goes ahead")
        .unwrap();
    let withdrawal = second.pop().unwrap();
    // Both let through at once: the withdrawal still waits for its offer.
    gate.open.add_permits(2);
    withdrawal.await.unwrap();
    for done in first {
        done.await.unwrap();
    }
    assert_eq!(gate.done(), [offer(2, 2), offer(1, 1), withdrawn(1, 1)]);
}

/// Issue 13: the routing actor goes on deciding while an offer's effects wait on the store;
/// an asker hears back once its own input's outputs are carried out.
#[tokio::test]
async fn routing_decides_while_an_earlier_offer_is_still_being_stored() {
    let gate = Gate::new();
    let routing = Routing::spawn(ACCEPT, gate.clone());
    routing.ask(support_agent(1, 1)).await;
    routing.ask(support_agent(2, 2)).await;
    let queued = |id: i64| Input::ChatQueued {
        contact: ContactId(id),
        csq: SUPPORT,
        queued_at_ms: id,
    };
    // Chat 1's offer is held back; chat 2 is decided and offered all the same.
    routing.send(queued(1));
    let out = tokio::time::timeout(Duration::from_secs(5), routing.ask(queued(2)))
        .await
        .expect("not held up by chat 1's offer");
    assert_eq!(offered_to(&out), [(2, 2)]);
    assert_eq!(offered_to(&gate.done()), [(2, 2)]);
    gate.open.add_permits(2);
    let accepted = routing.accept(AgentId(1), ContactId(1)).await;
    assert!(accepted, "agent 1 had chat 1's offer");
    assert_eq!(
        offered_to(&gate.done()),
        [(2, 2), (1, 1)],
        "its offer carried out before the answer"
    );
}

/// Issue 13, SPEC S-5: `settled` waits for every effect already decided, about any contact
/// (a closed desktop hands its work back only once an email routing gave it is stored).
#[tokio::test]
async fn settled_waits_for_every_effect_already_decided() {
    let gate = Gate::new();
    let routing = Routing::spawn(ACCEPT, gate.clone());
    routing.ask(support_agent(1, 0)).await;
    routing.send(Input::ChatQueued {
        contact: ContactId(1),
        csq: SUPPORT,
        queued_at_ms: 1,
    });
    let settled = routing.settled();
    tokio::pin!(settled);
    assert!(
        tokio::time::timeout(Duration::from_millis(50), &mut settled)
            .await
            .is_err(),
        "chat 1's offer is still held back"
    );
    gate.open.add_permits(1);
    tokio::time::timeout(Duration::from_secs(5), settled)
        .await
        .expect("settled once the offer is carried out");
    assert_eq!(offered_to(&gate.done()), [(1, 1)]);
}
