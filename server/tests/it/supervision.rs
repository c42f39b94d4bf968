//! The supervisors' live view (issue 18, D-3) against the real server: refused to agents; a
//! supervisor sees the CSQs given them and no other, an administrator every one; the team's
//! states and the queues' figures follow what agents and customers do.

use crate::common;

use app::{
    api::ApiError,
    domain::{
        agent::Role,
        chat::LineBody,
        contact::Channel,
        ids::AgentId,
        state::{AgentState, StateReason},
        supervision::{Board, ChatReading, JoinRefusal, Waiting},
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

/// Sue Park, a supervisor given the CSQ named Support to watch: her id.
async fn sue_watches_support(server: &TestServer) -> AgentId {
    let store = &server.services.store;
    let csqs = store.csqs().await.unwrap();
    let support = csqs.iter().find(|c| c.name == "Support").unwrap().id;
    let sue = server
        .create_user("sue", "super-pass-1", Role::Supervisor)
        .await;
    store.add_csq_supervisor(support, sue).await.unwrap();
    sue
}

/// D-3: an agent is refused; a supervisor sees the team and the queues of the CSQs given
/// them (another CSQ's agents and chats stay hidden), an administrator every CSQ; the
/// figures move as an agent goes Ready and takes a chat; a time zone the server does not
/// know is refused by field.
#[tokio::test]
async fn d3_a_supervisor_sees_the_csqs_given_them_and_no_other() {
    let server = TestServer::start().await;
    let admin = server.admin_session().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    let support = server.queue("Support", &[ann]).await;
    let sales = server.queue("Sales", &[bob]).await;
    sue_watches_support(&server).await;

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

/// The supervisors' stream of server-sent events, read event by event.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(server: &TestServer, cookie: &str, time_zone: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(server.url(&format!("/supervision/live?tz={time_zone}")))
            .header("cookie", cookie)
            .send()
            .await
            .expect("request")
    }

    /// The next event's name and data (keep-alive comments skipped).
    async fn next(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut data) = (String::from("message"), String::new());
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        name = value.trim().to_string();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.strip_prefix(' ').unwrap_or(value));
                    }
                }
                if !data.is_empty() || name != "message" {
                    return (name, data);
                }
                continue;
            }
            let chunk =
                tokio::time::timeout(std::time::Duration::from_secs(10), self.response.chunk())
                    .await
                    .expect("an event within 10 s")
                    .expect("the stream reads")
                    .expect("the stream goes on");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next board that satisfies `wanted`, and how long it took to come.
    async fn board_where(&mut self, wanted: impl Fn(&Board) -> bool) -> std::time::Duration {
        let asked = std::time::Instant::now();
        loop {
            let (name, data) = self.next().await;
            assert_eq!(name, "board", "{data}");
            let board: Board = serde_json::from_str(&data).unwrap();
            if wanted(&board) {
                return asked.elapsed();
            }
        }
    }
}

/// D-3, issue 18: the live view is pushed, never asked for. The board comes at once, then
/// again within a second of each change (an agent going Ready, a chat coming in, the agent
/// taking it); only a board that changed is sent. Agents are refused with 403, strangers
/// with 401, and the stream ends once the viewer's session does.
#[tokio::test]
async fn d3_the_live_view_is_pushed_within_a_second_of_each_change() {
    let server = TestServer::start().await;
    let admin = server.admin_session().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let support = server.queue("Support", &[ann]).await;

    let agent = server.session("ann", "agent-pass-1").await;
    let answer = Events::open(&server, &agent, "UTC").await;
    assert_eq!(answer.status(), 403, "an agent watches nothing");
    let refusal: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(refusal["error"], "forbidden");
    assert_eq!(
        refusal["message"],
        "Only supervisors and administrators may watch the team and the queues."
    );
    assert_eq!(Events::open(&server, "", "UTC").await.status(), 401);
    assert_eq!(
        Events::open(&server, &admin, "Mars/Olympus").await.status(),
        422,
        "an unknown time zone"
    );

    let response = Events::open(&server, &admin, "Europe/Paris").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    let mut events = Events {
        response,
        buffer: String::new(),
    };
    let state = |b: &Board| b.agents.iter().find(|a| a.id == ann).map(|a| a.state);
    events
        .board_where(|b| state(b) == Some(AgentState::NotReady))
        .await;

    let mut desk = server.desktop_ready("ann").await;
    let took = events
        .board_where(|b| state(b) == Some(AgentState::Ready))
        .await;
    assert!(took.as_millis() <= 1_000, "Ready showed after {took:?}");

    let _chat = server.start_chat("Dora", support).await;
    let took = events
        .board_where(|b| b.queues[0].waiting_total() == 1)
        .await;
    assert!(
        took.as_millis() <= 1_000,
        "the waiting chat showed after {took:?}"
    );
    let offer = next_offer(&mut desk).await;
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    // The whole take, not a board read halfway through it.
    let took = events
        .board_where(|b| {
            let queue = &b.queues[0];
            let ann = b.agents.iter().find(|a| a.id == ann);
            state(b) == Some(AgentState::Reserved)
                && ann.is_some_and(|a| a.chats == 1)
                && queue.today.handled == 1
                && queue.waiting_total() == 0
                && queue.offering == 0
        })
        .await;
    assert!(took.as_millis() <= 1_000, "the take showed after {took:?}");

    // Nothing changes: nothing is sent (a keep-alive comment at most, every 15 s).
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(1_500), events.next()).await;
    assert!(
        quiet.is_err(),
        "an unchanged board was sent again: {quiet:?}"
    );

    // The administrator logs out: the stream says so and ends.
    assert!(server
        .post("/api/logout", &admin)
        .await
        .status()
        .is_success());
    let (name, data) = events.next().await;
    assert_eq!((name.as_str(), data.as_str()), ("ended", "not_signed_in"));
    let rest = events.response.chunk().await.unwrap();
    assert!(rest.is_none(), "the stream ends");
}

/// The reason of the next state change on a desktop page, and the status it led to.
async fn next_change(desk: &mut common::Ws) -> (app::domain::state::AgentStatus, StateReason) {
    use app::domain::protocol::{AgentEvent, ServerMessage};
    match wait_for(desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::StateChanged { .. }))
    })
    .await
    {
        ServerMessage::Event(envelope) => match envelope.event {
            AgentEvent::StateChanged { status, reason } => (status, reason),
            _ => unreachable!(),
        },
        _ => unreachable!(),
    }
}

async fn act(server: &TestServer, cookie: &str, agent: AgentId, action: &str) -> reqwest::Response {
    server
        .post_form(
            "/api/supervision/act",
            cookie,
            &[("agent", agent.0.to_string().as_str()), ("action", action)],
        )
        .await
}

/// D-3, issue 18: a supervisor sets an agent of her CSQ Not Ready (at once when Ready;
/// after the chat in hand when Reserved) and logs the agent out (the chat ends, the
/// session with it); the agent's desktop hears that a supervisor did it, and the audit
/// keeps both. An agent may not act; another CSQ's agent is "not found" to her.
#[tokio::test]
async fn d3_a_supervisor_sets_an_agent_not_ready_and_logs_them_out() {
    let server = TestServer::start().await;
    let store = &server.services.store;
    let _admin = server.admin_session().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    // Another supervisor who also takes Support's contacts.
    let sam = server
        .create_user("sam", "super-pass-1", Role::Supervisor)
        .await;
    let support = server.queue("Support", &[ann, sam]).await;
    server.queue("Sales", &[bob]).await;
    let sue = sue_watches_support(&server).await;
    let supervisor = server.session("sue", "super-pass-1").await;

    let bobs = server.session("bob", "agent-pass-1").await;
    let answer = act(&server, &bobs, ann, "not_ready").await;
    assert_eq!(answer.status(), 403, "an agent supervises nobody");
    let answer = act(&server, &supervisor, bob, "log_out").await;
    assert_eq!(answer.status(), 404, "Bob works in Sales, not hers");
    assert_eq!(answer.json::<ApiError>().await.unwrap(), ApiError::NotFound);
    let answer = act(&server, &supervisor, sam, "log_out").await;
    assert_eq!(answer.status(), 404, "a supervisor acts on agents only");

    // Ready: Not Ready at once, and Ann's desktop hears it came from a supervisor.
    let mut desk = server.desktop_ready("ann").await;
    assert!(act(&server, &supervisor, ann, "not_ready")
        .await
        .status()
        .is_success());
    let (status, reason) = next_change(&mut desk).await;
    assert_eq!(
        (status.state, reason),
        (AgentState::NotReady, StateReason::Supervisor)
    );

    // Reserved with a chat: Not Ready once the chat ends (as when she asks).
    send_json(&mut desk, json!({"type": "set_state", "ready": true})).await;
    next_change(&mut desk).await;
    let _chat = server.start_chat("Dora", support).await;
    let offer = next_offer(&mut desk).await;
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    let (status, _) = next_change(&mut desk).await;
    assert_eq!(status.state, AgentState::Reserved);
    assert!(act(&server, &supervisor, ann, "not_ready")
        .await
        .status()
        .is_success());
    let (status, reason) = next_change(&mut desk).await;
    assert_eq!(
        (status.state, status.not_ready_pending, reason),
        (AgentState::Reserved, true, StateReason::Supervisor)
    );

    // Logged out: her page closes, her chat ends, and her session is gone.
    let ann_cookie = server.session("ann", "agent-pass-1").await;
    assert!(act(&server, &supervisor, ann, "log_out")
        .await
        .status()
        .is_success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while store.agent_status(ann).await.unwrap().0.state != AgentState::LoggedOut {
        assert!(
            std::time::Instant::now() < deadline,
            "Ann is still logged in"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let ended = store.contact(offer.contact).await.unwrap();
    assert!(
        matches!(ended.status, app::domain::contact::ContactStatus::Ended(_)),
        "her chat ended: {:?}",
        ended.status
    );
    assert_eq!(
        server.post("/api/desktop", &ann_cookie).await.status(),
        401,
        "her sessions ended"
    );

    // The audit keeps both, by the supervisor.
    let lines = store.admin_audit(10).await.unwrap();
    let hers: Vec<&str> = lines
        .iter()
        .filter(|l| l.agent == sue && l.action.starts_with("supervision."))
        .map(|l| l.action.as_str())
        .collect();
    assert_eq!(
        hers,
        [
            "supervision.log_out",
            "supervision.not_ready",
            "supervision.not_ready"
        ]
    );
    assert!(lines
        .iter()
        .all(|l| !l.action.starts_with("supervision.") || l.detail.ends_with("(ann)")));
}

/// The reading stream of chat `id`.
async fn open_reading(server: &TestServer, cookie: &str, id: i64) -> reqwest::Response {
    reqwest::Client::new()
        .get(server.url(&format!("/supervision/chats/{id}/live")))
        .header("cookie", cookie)
        .send()
        .await
        .expect("request")
}

impl Events {
    /// The next reading, and how long it took to come.
    async fn reading(&mut self) -> (ChatReading, std::time::Duration) {
        let asked = std::time::Instant::now();
        let (name, data) = self.next().await;
        assert_eq!(name, "reading", "{data}");
        (serde_json::from_str(&data).unwrap(), asked.elapsed())
    }
}

fn texts(reading: &ChatReading) -> Vec<String> {
    reading
        .lines
        .iter()
        .map(|l| match &l.body {
            LineBody::Message { text, .. } => text.clone(),
            LineBody::System { note } => note.text(),
        })
        .collect()
}

async fn join(server: &TestServer, cookie: &str, id: i64) -> reqwest::Response {
    server
        .post_form(
            "/api/supervision/join",
            cookie,
            &[("contact", id.to_string().as_str())],
        )
        .await
}

/// D-3, issue 18: a supervisor lists the chats in progress of her CSQ, reads one live
/// (each line within a second, the customer told nothing), and joins it as its second agent
/// (G rules): it opens in her desktop, everyone reads that she joined, she is Reserved and
/// Not Ready again once it ends. Agents are refused; another CSQ's chat is "not found";
/// she cannot join with her desktop closed, twice, or a chat already of three people. The
/// audit keeps the reading and the joining.
#[tokio::test]
async fn d3_a_supervisor_reads_a_chat_live_and_joins_it() {
    use app::domain::protocol::{AgentEvent, ServerMessage};
    let server = TestServer::start().await;
    let store = &server.services.store;
    let admin = server.admin_session().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    let support = server.queue("Support", &[ann]).await;
    let sales = server.queue("Sales", &[bob]).await;
    let sue = sue_watches_support(&server).await;
    let supervisor = server.session("sue", "super-pass-1").await;

    let mut desk = server.desktop_ready("ann").await;
    let cookie = server.start_chat("Dora", support).await;
    let mut widget = server.widget(&cookie, 0).await;
    let offer = next_offer(&mut desk).await;
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    common::desk::accepted(&mut desk).await;
    let chat = offer.contact.0;
    server.start_chat("Carl", sales).await;
    let sales_chat = store
        .open_contacts()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id.0 != chat)
        .unwrap()
        .id
        .0;

    // Her board lists the chat, with Ann in it.
    let board: Board = ok(board(&server, &supervisor, "UTC").await).await;
    let listed: Vec<(i64, &str, Vec<String>)> = board
        .chats
        .iter()
        .map(|c| (c.id.0, c.customer.as_str(), c.agents.clone()))
        .collect();
    assert_eq!(listed, [(chat, "Dora", vec!["ann Example".to_string()])]);

    let agent = server.session("bob", "agent-pass-1").await;
    assert_eq!(open_reading(&server, &agent, chat).await.status(), 403);
    assert_eq!(open_reading(&server, "", chat).await.status(), 401);
    assert_eq!(
        open_reading(&server, &supervisor, sales_chat)
            .await
            .status(),
        404,
        "Sales is not hers"
    );
    assert_eq!(
        open_reading(&server, &supervisor, 999_999).await.status(),
        404
    );

    let response = open_reading(&server, &supervisor, chat).await;
    assert_eq!(response.status(), 200);
    let mut events = Events {
        response,
        buffer: String::new(),
    };
    let (first, _) = events.reading().await;
    assert_eq!(
        (
            first.customer.as_str(),
            first.agents.clone(),
            first.joined,
            first.ended
        ),
        ("Dora", vec!["ann Example".to_string()], false, false)
    );
    let so_far = texts(&first);
    assert!(
        so_far.contains(&"ann has joined the chat.".to_string()),
        "the transcript so far: {so_far:?}"
    );

    // Each line within a second, once.
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "c1", "text": "Where is my parcel?"}),
    )
    .await;
    let (next, took) = events.reading().await;
    assert_eq!(texts(&next), ["Where is my parcel?"]);
    assert!(took.as_millis() <= 1_000, "the line came after {took:?}");
    send_json(
        &mut desk,
        json!({"type": "send", "contact": chat, "client_id": "k1", "text": "On its way"}),
    )
    .await;
    let (next, took) = events.reading().await;
    assert_eq!(texts(&next), ["On its way"]);
    assert!(took.as_millis() <= 1_000, "the line came after {took:?}");
    // The customer was told nothing of the reading.
    let lines = store.lines_after(offer.contact, 0, 100).await.unwrap();
    assert_eq!(lines.len(), so_far.len() + 2, "no line about the reader");

    // A browser connecting again says the last line it has: it gets only what came since
    // (and the reading is not audited twice).
    let resumed = reqwest::Client::new()
        .get(server.url(&format!("/supervision/chats/{chat}/live")))
        .header("cookie", &supervisor)
        .header("last-event-id", lines[lines.len() - 2].seq.to_string())
        .send()
        .await
        .unwrap();
    let mut again = Events {
        response: resumed,
        buffer: String::new(),
    };
    let (rest, _) = again.reading().await;
    assert_eq!(texts(&rest), ["On its way"]);
    drop(again);

    // Join: refused with her desktop closed, to an agent, and to another CSQ's chat.
    let answer = join(&server, &supervisor, chat).await;
    assert_eq!(answer.status(), 409);
    assert_eq!(
        answer.json::<ApiError>().await.unwrap(),
        ApiError::JoinRefused(JoinRefusal::NoDesktop)
    );
    assert_eq!(join(&server, &agent, chat).await.status(), 403);
    assert_eq!(join(&server, &supervisor, sales_chat).await.status(), 404);

    // Her desktop open (Not Ready): she joins.
    let mut sues_desk = server.ws(&supervisor).await;
    send_json(
        &mut sues_desk,
        json!({"type": "hello", "resume_after": null}),
    )
    .await;
    wait_for(&mut sues_desk, |m| {
        matches!(m, ServerMessage::Synced { .. })
    })
    .await;
    assert!(join(&server, &supervisor, chat).await.status().is_success());
    let assigned = common::desk::accepted(&mut sues_desk).await;
    assert_eq!(assigned.contact.0, chat, "the chat opens in her desktop");
    let (status, _) = store.agent_status(sue).await.unwrap();
    assert_eq!(
        (status.state, status.not_ready_pending),
        (AgentState::Reserved, true),
        "Reserved, and Not Ready again after"
    );
    let (next, _) = events.reading().await;
    assert_eq!(texts(&next), ["sue has joined the chat."]);
    assert_eq!(
        (next.agents.clone(), next.joined),
        (
            vec!["ann Example".to_string(), "sue Example".to_string()],
            true
        )
    );
    loop {
        if let app::domain::widget::WidgetMessage::Line { line, .. } =
            common::next_widget(&mut widget).await
        {
            if let LineBody::System { note } = &line.body {
                if note.text() == "sue has joined the chat." {
                    break;
                }
            }
        }
    }
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(&e.event,
            AgentEvent::Participants { agents, .. } if agents.len() == 2))
    })
    .await;

    // G-3: three people at most; and once is enough.
    let answer = join(&server, &supervisor, chat).await;
    assert_eq!(
        answer.json::<ApiError>().await.unwrap(),
        ApiError::JoinRefused(JoinRefusal::AlreadyIn)
    );
    let answer = join(&server, &admin, chat).await;
    assert_eq!(
        answer.json::<ApiError>().await.unwrap(),
        ApiError::JoinRefused(JoinRefusal::Full)
    );

    // Ann ends the chat: the reading says so and ends; Sue is Not Ready again.
    send_json(&mut desk, json!({"type": "end_chat", "contact": chat})).await;
    let (last, _) = events.reading().await;
    assert!(last.ended && last.agents.is_empty(), "{last:?}");
    assert!(
        events.response.chunk().await.unwrap().is_none(),
        "the stream ends"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while store.agent_status(sue).await.unwrap().0.state != AgentState::NotReady {
        assert!(
            std::time::Instant::now() < deadline,
            "Sue is still Reserved"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let audit = store.admin_audit(10).await.unwrap();
    let hers: Vec<&str> = audit
        .iter()
        .filter(|l| l.agent == sue)
        .map(|l| l.action.as_str())
        .collect();
    assert_eq!(hers, ["supervision.join_chat", "supervision.read_chat"]);
    assert!(audit[0].detail.contains("Dora"), "{:?}", audit[0]);
}

async fn report(
    server: &TestServer,
    cookie: &str,
    request: &app::domain::reports::ReportRequest,
) -> reqwest::Response {
    server
        .post_json(
            "/api/supervision/report",
            cookie,
            &json!({ "request": request }),
        )
        .await
}

/// D-3: reports are refused to agents and strangers; a supervisor's cover the CSQs given
/// them (another CSQ, or its agent, is not found) and count a chat taken through the real
/// server; a period is checked field by field; an administrator's cover every CSQ.
#[tokio::test]
async fn d3_a_supervisors_report_counts_their_csqs_only() {
    use app::domain::reports::{Period, Report, ReportRequest};
    let server = TestServer::start().await;
    let admin = server.admin_session().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let bob = server.create_agent("bob", "agent-pass-1").await;
    let support = server.queue("Support", &[ann]).await;
    let sales = server.queue("Sales", &[bob]).await;
    sue_watches_support(&server).await;
    let csqs = server.services.store.csqs().await.unwrap();
    let csq_id = |name: &str| csqs.iter().find(|c| c.name == name).unwrap().id;
    let today = ReportRequest {
        period: Period::Today,
        time_zone: "Europe/Paris".into(),
        ..Default::default()
    };

    let agent = server.session("ann", "agent-pass-1").await;
    assert_eq!(report(&server, &agent, &today).await.status(), 403);
    assert_eq!(report(&server, "", &today).await.status(), 401);

    // Ann takes Support's chat; Sales' waits.
    let mut desk = server.desktop_ready("ann").await;
    let _waits = server.start_chat("Carl", sales).await;
    let _chat = server.start_chat("Dora", support).await;
    let offer = next_offer(&mut desk).await;
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

    let supervisor = server.session("sue", "super-pass-1").await;
    let seen: Report = ok(report(&server, &supervisor, &today).await).await;
    let names: Vec<&str> = seen.csqs.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["Support"], "only the CSQ given her");
    let agents: Vec<AgentId> = seen.agent_choices.iter().map(|(id, _)| *id).collect();
    assert_eq!(agents, [ann], "Bob works in Sales");
    assert_eq!(
        (seen.total.came_in, seen.total.offered, seen.total.handled),
        (1, 1, 1),
        "Sales' chat is not hers to count"
    );
    assert_eq!(seen.by_day.len(), 1);
    assert_eq!(seen.times.wait.count, 1);
    let ann_row = seen.agents.iter().find(|a| a.agent == ann).unwrap();
    assert_eq!(ann_row.handled, 1);
    assert!(
        ann_row.reserved_ms > 0 || ann_row.ready_ms > 0,
        "{ann_row:?}"
    );

    // Another CSQ, or its agent, is as one that does not exist.
    let sales_only = ReportRequest {
        csq: Some(csq_id("Sales")),
        ..today.clone()
    };
    assert_eq!(
        report(&server, &supervisor, &sales_only).await.status(),
        404
    );
    let bobs = ReportRequest {
        agent: Some(bob),
        ..today.clone()
    };
    assert_eq!(report(&server, &supervisor, &bobs).await.status(), 404);

    // A period is checked field by field.
    let custom = |from: &str, to: &str| ReportRequest {
        period: Period::Custom,
        from: from.into(),
        to: to.into(),
        ..today.clone()
    };
    assert_eq!(
        refused(report(&server, &supervisor, &custom("2025-01-01", "2026-12-31")).await).await,
        [(Field::ToDay, Problem::PeriodTooLong { max_days: 366 })]
    );
    assert_eq!(
        refused(report(&server, &supervisor, &custom("2026-02-30", "2026-03-01")).await).await,
        [(Field::FromDay, Problem::InvalidDay)]
    );
    let mars = ReportRequest {
        time_zone: "Mars/Olympus".into(),
        ..today.clone()
    };
    assert_eq!(
        refused(report(&server, &supervisor, &mars).await).await,
        [(
            Field::TimeZone,
            Problem::UnknownTimeZone {
                value: "Mars/Olympus".into()
            }
        )]
    );
    // A custom period of last year holds none of today's chats.
    let last_year: Report =
        ok(report(&server, &supervisor, &custom("2025-01-01", "2025-12-31")).await).await;
    assert_eq!(last_year.by_day.len(), 365);
    assert_eq!(last_year.total, Default::default());

    let all: Report = ok(report(&server, &admin, &today).await).await;
    assert_eq!(all.csqs.len(), 2, "an administrator's cover every CSQ");
    assert_eq!(all.total.came_in, 2);
}
