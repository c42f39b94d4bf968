//! The supervisors' live view (issue 18, D-3) against the real server: refused to agents; a
//! supervisor sees the CSQs given them and no other, an administrator every one; the team's
//! states and the queues' figures follow what agents and customers do.

mod common;

use app::{
    api::ApiError,
    domain::{
        agent::Role,
        contact::Channel,
        state::{AgentState, StateReason},
        supervision::{Board, Waiting},
        users::UserEdit,
        validate::{Field, Problem},
    },
};
use common::{next_offer, ok, refused, send_json, wait_for, TestServer};
use serde_json::json;

async fn board(server: &TestServer, cookie: &str, time_zone: &str) -> reqwest::Response {
    server
        .post_form(
            "/api/supervision/board",
            cookie,
            &[("time_zone", time_zone)],
        )
        .await
}

/// D-3: an agent is refused; a supervisor sees the team and the queues of the CSQs given
/// them (another CSQ's agents and chats stay hidden), an administrator every CSQ; the
/// figures move as an agent goes Ready and takes a chat; a time zone the server does not
/// know is refused by field.
#[tokio::test]
async fn d3_a_supervisor_sees_the_csqs_given_them_and_no_other() {
    let server = TestServer::start().await;
    let store = &server.services.store;
    let admin = server.admin_session().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    let support = server.queue("Support", &[ann]).await;
    let sales = server.queue("Sales", &[bob]).await;
    let support_id = store
        .csqs()
        .await
        .unwrap()
        .iter()
        .find(|c| c.name == "Support")
        .unwrap()
        .id;
    let sue = server
        .create_user("sue", "super-pass-1", Role::Supervisor)
        .await;
    let audit = server::store::AuditEntry {
        at_ms: 1,
        agent: sue,
        action: "user.update".into(),
        detail: "sue watches Support".into(),
    };
    let watching = UserEdit {
        id: Some(sue),
        username: "sue".into(),
        display_name: "Sue Park".into(),
        alias: "Sue".into(),
        role: Role::Supervisor,
        supervises: vec![support_id],
        ..UserEdit::new_user()
    };
    store.save_user(&watching, None, &audit).await.unwrap();

    let agent = server.session("ann", "agent-pass-1").await;
    let answer = board(&server, &agent, "UTC").await;
    assert_eq!(answer.status(), 403, "an agent supervises nothing");
    assert_eq!(
        answer.json::<ApiError>().await.unwrap(),
        ApiError::Forbidden
    );
    assert_eq!(board(&server, "", "UTC").await.status(), 401);

    let supervisor = server.session("sue", "super-pass-1").await;
    assert_eq!(
        refused(board(&server, &supervisor, "Mars/Olympus").await).await,
        [(
            Field::TimeZone,
            Problem::UnknownTimeZone {
                value: "Mars/Olympus".into()
            }
        )]
    );
    let before: Board = ok(board(&server, &supervisor, "Europe/Paris").await).await;
    let queues: Vec<&str> = before.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(queues, ["Support"], "only the CSQ given her");
    let team: Vec<&str> = before.agents.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(team, ["ann"], "Bob works in Sales");
    assert_eq!(
        (before.agents[0].state, before.agents[0].reason),
        (AgentState::NotReady, Some(StateReason::Login)),
        "logged in (S-1)"
    );
    assert!(before.day_start_ms <= before.at_ms && before.at_ms - before.day_start_ms < 86_400_000);

    // Ann goes Ready; a customer of each queue writes; Ann takes hers.
    let mut desk = server.desktop_ready("ann").await;
    let _bobs = server.start_chat("Carl", sales).await;
    let _chat = server.start_chat("Dora", support).await;
    let offer = next_offer(&mut desk).await;
    let offered: Board = ok(board(&server, &supervisor, "UTC").await).await;
    let queue = &offered.queues[0];
    assert_eq!(
        queue.waiting,
        [Waiting {
            channel: Channel::Web,
            count: 1
        }]
    );
    assert_eq!((queue.offering, queue.logged_in, queue.ready), (1, 1, 1));
    assert_eq!(queue.today.offered, 1, "Sales' chat is not hers to see");
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    wait_for(&mut desk, |m| {
        matches!(m, app::domain::protocol::ServerMessage::Event(e)
            if matches!(e.event, app::domain::protocol::AgentEvent::ContactAssigned { .. }))
    })
    .await;
    let taken: Board = ok(board(&server, &supervisor, "UTC").await).await;
    let a = &taken.agents[0];
    assert_eq!(
        (a.state, a.reason, a.chats),
        (AgentState::Reserved, Some(StateReason::ContactAccepted), 1)
    );
    assert!(a.since_ms.is_some() && a.oldest_contact_ms.is_some());
    let queue = &taken.queues[0];
    assert!(queue.waiting.is_empty());
    assert_eq!(
        (queue.today.offered, queue.today.handled, queue.reserved),
        (1, 1, 1)
    );
    assert_eq!(queue.today.service_level_percent(), Some(100));

    // The administrator sees every CSQ, Bob's chat waiting in Sales.
    let all: Board = ok(board(&server, &admin, "UTC").await).await;
    let queues: Vec<&str> = all.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(queues, ["Sales", "Support"]);
    assert_eq!(all.queues[0].waiting_total(), 1);
}
