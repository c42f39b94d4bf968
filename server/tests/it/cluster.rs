//! Issue 14: several server processes on one PostgreSQL database. Real server binaries on
//! loopback ports share a schema and a data directory; what one stores reaches the pages
//! and widgets connected to another, and one node leads at a time.

use crate::common;

use app::domain::{
    chat::LineBody,
    mailboxes::ConnectorStatus,
    protocol::{AgentEvent, ServerMessage},
    state::AgentState,
    widget::WidgetMessage,
};
use common::{next_widget, nodes::Nodes, send_json, wait_for, Ws};
use futures_util::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// The next widget message that matches, skipping others.
async fn widget_wait(ws: &mut Ws, wanted: impl Fn(&WidgetMessage) -> bool) -> WidgetMessage {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        assert!(
            Instant::now() < deadline,
            "the expected widget message within 5 s"
        );
        let message = next_widget(ws).await;
        if wanted(&message) {
            return message;
        }
    }
}

fn text_of(body: &LineBody) -> Option<&str> {
    match body {
        LineBody::Message { text, .. } => Some(text),
        _ => None,
    }
}

/// Polls the nodes' health until `done` holds for every report, for at most `within`.
async fn health_until(
    nodes: &[&common::nodes::Node],
    within: Duration,
    done: impl Fn(&[serde_json::Value]) -> bool,
) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + within;
    loop {
        let mut reports = Vec::new();
        for node in nodes {
            reports.push(node.health().await);
        }
        if done(&reports) {
            return reports;
        }
        assert!(
            Instant::now() < deadline,
            "the nodes' health never settled: {reports:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn leaders(reports: &[serde_json::Value]) -> usize {
    reports.iter().filter(|r| r["role"] == "leader").count()
}

#[tokio::test]
async fn what_one_node_stores_reaches_pages_and_widgets_on_another() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let a = nodes.start().await;
    let b = nodes.start().await;
    // Both see both, and one of them leads.
    let reports = health_until(&[&a, &b], Duration::from_secs(15), |r| {
        leaders(r) == 1
            && r.iter()
                .all(|r| r["nodes"].as_array().is_some_and(|n| n.len() == 2))
    })
    .await;
    assert_ne!(reports[0]["node"], reports[1]["node"]);

    // Dave has a page on each node; he goes Ready on A, and his page on B shows it.
    let cookie = a.session("dave").await;
    let mut page_a = a.desktop(&cookie).await;
    let mut page_b = b.desktop(&cookie).await;
    send_json(&mut page_a, json!({"type": "set_state", "ready": true})).await;
    let ready = |m: &ServerMessage| {
        matches!(m, ServerMessage::Event(e) if matches!(&e.event,
            AgentEvent::StateChanged { status, .. } if status.state == AgentState::Ready))
    };
    wait_for(&mut page_a, ready).await;
    wait_for(&mut page_b, ready).await;

    // A customer starts a chat through A, and her widget is on B.
    let problem = a.problem("Something is broken").await;
    let chat_cookie = a.start_chat("Nina", problem).await;
    let mut widget = b.widget(&chat_cookie, 0).await;
    widget_wait(&mut widget, |m| matches!(m, WidgetMessage::Synced { .. })).await;

    // Each node's heartbeat says what it holds open: A's health and metrics show B's
    // page and widget; A has heard its own ping back, and says how late it came.
    let b_name = reports[1]["node"].as_str().unwrap().to_string();
    health_until(&[&a], Duration::from_secs(10), |r| {
        r[0]["nodes"].as_array().is_some_and(|n| {
            n.iter()
                .any(|n| n["node"] == b_name && n["pages"] == 1 && n["widgets"] == 1)
        })
    })
    .await;
    let page =
        format!("switchboard_cluster_node_connections{{node=\"{b_name}\",kind=\"page\"}} 1\n");
    let widgets =
        format!("switchboard_cluster_node_connections{{node=\"{b_name}\",kind=\"widget\"}} 1\n");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = reqwest::get(a.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let lag_count = metrics
            .lines()
            .find_map(|l| l.strip_prefix("switchboard_cluster_notice_lag_seconds_count "))
            .and_then(|n| n.parse::<u64>().ok());
        if metrics.contains(&page) && metrics.contains(&widgets) && lag_count >= Some(1) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{page}{widgets}and a lag in\n{metrics}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The offer (stored by the node that routed it) shows on both pages; Dave accepts on A.
    let offered = |m: &ServerMessage| matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::Offered { .. }));
    let contact = match wait_for(&mut page_b, offered).await {
        ServerMessage::Event(e) => match e.event {
            AgentEvent::Offered { offer } => offer.contact,
            _ => unreachable!(),
        },
        _ => unreachable!(),
    };
    wait_for(&mut page_a, offered).await;
    send_json(&mut page_a, json!({"type": "accept", "contact": contact})).await;
    let assigned = |m: &ServerMessage| matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::ContactAssigned { .. }));
    wait_for(&mut page_a, assigned).await;
    wait_for(&mut page_b, assigned).await;
    // "Dave has joined the chat", written on A, reaches the widget on B.
    system_line(&mut widget).await;

    // The customer writes on B: Dave's page on A gets it.
    send_json(
        &mut widget,
        json!({"type": "send", "client_id": "c1", "text": "Hello from node B"}),
    )
    .await;
    wait_for(&mut page_a, |m| {
        matches!(m, ServerMessage::ChatLine { line, .. } if text_of(&line.body) == Some("Hello from node B"))
    })
    .await;
    // Dave answers on A: the widget on B gets it.
    send_json(
        &mut page_a,
        json!({"type": "send", "contact": contact, "client_id": "a1", "text": "Hello from node A"}),
    )
    .await;
    widget_wait(&mut widget, |m| {
        matches!(m, WidgetMessage::Line { line, .. } if text_of(&line.body) == Some("Hello from node A"))
    })
    .await;

    // Typing crosses too, both ways.
    send_json(&mut widget, json!({"type": "typing", "active": true})).await;
    wait_for(&mut page_a, |m| {
        matches!(
            m,
            ServerMessage::Typing {
                active: true,
                who: None,
                ..
            }
        )
    })
    .await;
    send_json(
        &mut page_a,
        json!({"type": "typing", "contact": contact, "active": true}),
    )
    .await;
    widget_wait(&mut widget, |m| {
        matches!(m, WidgetMessage::Typing { active: true })
    })
    .await;

    // Dave ends the chat on A: the widget on B is told.
    send_json(&mut page_a, json!({"type": "end_chat", "contact": contact})).await;
    widget_wait(&mut widget, |m| matches!(m, WidgetMessage::Ended)).await;
}

#[tokio::test]
async fn when_the_leader_dies_another_node_takes_the_lead_with_a_new_epoch() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let a = nodes.start().await;
    let b = nodes.start().await;
    let c = nodes.start().await;
    let reports = health_until(&[&a, &b, &c], Duration::from_secs(15), |r| {
        leaders(r) == 1
            && r.iter()
                .all(|r| r["nodes"].as_array().is_some_and(|n| n.len() == 3))
    })
    .await;
    let epoch = reports
        .iter()
        .find_map(|r| r["epoch"].as_i64())
        .expect("the leader's epoch");
    let leader = reports.iter().position(|r| r["role"] == "leader").unwrap();
    let mut running = vec![a, b, c];
    let killed = running.remove(leader);
    let killed_at = Instant::now();
    drop(killed); // SIGKILL, as a crash
    let survivors: Vec<&common::nodes::Node> = running.iter().collect();
    let reports = health_until(&survivors, Duration::from_secs(30), |r| leaders(r) == 1).await;
    let taken = killed_at.elapsed();
    let new_epoch = reports
        .iter()
        .find_map(|r| r["epoch"].as_i64())
        .expect("the new leader's epoch");
    assert!(
        new_epoch > epoch,
        "a new lead takes a new epoch ({new_epoch} after {epoch})"
    );
    println!("lead taken over {} ms after the kill", taken.as_millis());
}

/// Two nodes, once one of them leads: the leader first.
async fn leader_and_follower(nodes: &Nodes) -> (common::nodes::Node, common::nodes::Node) {
    let a = nodes.start().await;
    let b = nodes.start().await;
    let reports = health_until(&[&a, &b], Duration::from_secs(15), |r| leaders(r) == 1).await;
    if reports[0]["role"] == "leader" {
        (a, b)
    } else {
        (b, a)
    }
}

/// A system line reaches the widget (an agent joined).
async fn system_line(widget: &mut Ws) {
    widget_wait(widget, |m| {
        matches!(m, WidgetMessage::Line { line, .. } if matches!(line.body, LineBody::System { .. }))
    })
    .await;
}

/// An agent's desktop on `node`, Ready.
async fn ready(node: &common::nodes::Node, username: &str) -> Ws {
    let cookie = node.session(username).await;
    let mut page = node.desktop(&cookie).await;
    send_json(&mut page, json!({"type": "set_state", "ready": true})).await;
    wait_for(&mut page, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(&e.event,
            AgentEvent::StateChanged { status, .. } if status.state == AgentState::Ready))
    })
    .await;
    page
}

fn is_offer(m: &ServerMessage) -> bool {
    matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::Offered { .. }))
}

fn offer_of(m: ServerMessage) -> app::domain::ids::ContactId {
    match m {
        ServerMessage::Event(e) => match e.event {
            AgentEvent::Offered { offer } => offer.contact,
            _ => unreachable!(),
        },
        _ => unreachable!(),
    }
}

/// The first offer on either desktop: which one (0 or 1) and the chat.
async fn first_offer(pages: [&mut Ws; 2]) -> (usize, app::domain::ids::ContactId) {
    let [first, second] = pages;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "no offer within 10 s");
        let (which, message) = tokio::select! {
            m = common::next_message(first) => (0, m),
            m = common::next_message(second) => (1, m),
        };
        if is_offer(&message) {
            return (which, offer_of(message));
        }
    }
}

#[tokio::test]
async fn o2_a_chat_started_on_a_follower_is_offered_once_and_accepted_through_another_node() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let (leader, follower) = leader_and_follower(&nodes).await;
    let (leader, follower) = (&leader, &follower);
    // Two agents of Support, one on each node: the chat goes to one of them, never both.
    let mut pages = [ready(follower, "dave").await, ready(leader, "bob").await];
    let problem = follower.problem("Something is broken").await;
    let chat_cookie = follower.start_chat("Olga", problem).await;
    let mut widget = follower.widget(&chat_cookie, 0).await;
    widget_wait(&mut widget, |m| matches!(m, WidgetMessage::Synced { .. })).await;
    let [dave, bob] = &mut pages;
    let (which, contact) = first_offer([dave, bob]).await;
    let (winner, other) = if which == 0 { (dave, bob) } else { (bob, dave) };
    let deadline = Instant::now() + Duration::from_millis(1_500);
    while Instant::now() < deadline {
        if let Ok(m) =
            tokio::time::timeout(Duration::from_millis(100), common::next_message(other)).await
        {
            assert!(!is_offer(&m), "the chat was offered to both agents");
        }
    }
    // The agent accepts on their node; the customer, on the follower, is told.
    send_json(winner, json!({"type": "accept", "contact": contact})).await;
    wait_for(winner, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::ContactAssigned { .. }))
    })
    .await;
    system_line(&mut widget).await;
    // The other agent cannot take it as well.
    send_json(other, json!({"type": "accept", "contact": contact})).await;
    assert!(
        tokio::time::timeout(
            Duration::from_millis(1_500),
            wait_for(other, |m| matches!(m, ServerMessage::Event(e)
                if matches!(e.event, AgentEvent::ContactAssigned { .. })))
        )
        .await
        .is_err(),
        "a second agent took the chat"
    );
}

#[tokio::test]
async fn when_the_leader_dies_the_next_offer_comes_from_the_new_leader() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let (leader, follower) = leader_and_follower(&nodes).await;
    // Dave works on the follower; the leader dies.
    let mut dave = ready(&follower, "dave").await;
    let killed_at = Instant::now();
    drop(leader);
    // A customer writes in at once: the chat waits until the follower leads, then is
    // offered to Dave, whose page never moved.
    let problem = follower.problem("Something is broken").await;
    let chat_cookie = follower.start_chat("Pia", problem).await;
    let mut widget = follower.widget(&chat_cookie, 0).await;
    widget_wait(&mut widget, |m| matches!(m, WidgetMessage::Synced { .. })).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let contact = loop {
        assert!(
            Instant::now() < deadline,
            "no offer within 20 s of the leader's death"
        );
        if let Ok(m) =
            tokio::time::timeout(Duration::from_millis(500), common::next_message(&mut dave)).await
        {
            if is_offer(&m) {
                break offer_of(m);
            }
        }
    };
    println!(
        "failover: offer made {} ms after the leader was killed",
        killed_at.elapsed().as_millis()
    );
    assert_eq!(follower.health().await["role"], "leader");
    send_json(&mut dave, json!({"type": "accept", "contact": contact})).await;
    system_line(&mut widget).await;
}

/// The mailbox's status as the node's administration page shows it, and whether another
/// node reads it.
async fn mailbox_report(node: &common::nodes::Node) -> (Option<ConnectorStatus>, bool) {
    let cookie = node.session("admin").await;
    let response = reqwest::Client::new()
        .post(node.url("/api/admin"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    let view: app::api::AdminView = response.json().await.expect("the administration loads");
    let mailbox = &view.mailboxes[0];
    (mailbox.status.clone(), mailbox.read_elsewhere)
}

/// The mailbox's status as the node's administration page shows it.
async fn mailbox_status(node: &common::nodes::Node) -> Option<ConnectorStatus> {
    mailbox_report(node).await.0
}

/// Emails stored, and distinct Message-IDs among them.
async fn emails_stored(db: &sqlx::PgPool) -> (i64, i64) {
    sqlx::query_as("SELECT count(*), count(DISTINCT message_id) FROM emails")
        .fetch_one(db)
        .await
        .unwrap()
}

async fn emails_until(db: &sqlx::PgPool, wanted: i64) -> (i64, i64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let stored = emails_stored(db).await;
        if stored.0 >= wanted {
            return stored;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {wanted} emails stored after 30 s",
            stored.0
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The nodes' settings for Dovecot's mailbox of the Support queue, checked every second;
/// its password is sealed by the first node and opened by every one.
fn mailbox_settings(dovecot: &common::imap::Dovecot) -> [(&'static str, String); 2] {
    let mailboxes = dovecot.mailboxes_file_with("Support", json!({"poll_secs": 1}));
    [
        (
            "SWITCHBOARD_MAILBOXES",
            mailboxes.to_str().unwrap().to_string(),
        ),
        ("SWITCHBOARD_ENCRYPTION_KEY", "ab".repeat(32)),
    ]
}

#[tokio::test]
async fn e1_every_email_becomes_one_contact_when_the_node_reading_the_mailbox_dies() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let dovecot = common::imap::Dovecot::start().await;
    let settings = mailbox_settings(&dovecot);
    let env: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut running = vec![nodes.start_with(&env).await, nodes.start_with(&env).await];
    // One node reads the mailbox; the other's page shows the reader's report, and says
    // another process reads it.
    let deadline = Instant::now() + Duration::from_secs(20);
    let reader = loop {
        let reports = [
            mailbox_report(&running[0]).await,
            mailbox_report(&running[1]).await,
        ];
        let connected = |elsewhere: bool| {
            reports
                .iter()
                .filter(|r| r.0 == Some(ConnectorStatus::Connected) && r.1 == elsewhere)
                .count()
        };
        if connected(false) == 1 && connected(true) == 1 {
            break reports.iter().position(|r| !r.1).unwrap();
        }
        assert!(Instant::now() < deadline, "mailbox reports: {reports:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let db = sqlx::PgPool::connect(nodes.database_url()).await.unwrap();
    let mail = |n: usize| {
        common::imap::message(
            &format!("customer{n}@example.com"),
            &format!("Order {n}"),
            &format!("<order-{n}@example.com>"),
            "",
            "Where is my parcel?",
        )
    };
    for n in 0..10 {
        dovecot.append(&mail(n)).await;
    }
    assert_eq!(emails_until(&db, 10).await, (10, 10));
    // The reader dies while more mail comes in: the other node takes the mailbox over.
    drop(running.remove(reader));
    for n in 10..20 {
        dovecot.append(&mail(n)).await;
    }
    let (stored, distinct) = emails_until(&db, 20).await;
    assert_eq!((stored, distinct), (20, 20), "every email once, none twice");
    assert_eq!(
        mailbox_report(&running[0]).await,
        (Some(ConnectorStatus::Connected), false),
        "read here now"
    );
}

#[tokio::test]
async fn guesses_and_chat_starts_count_across_nodes() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let env = [("SWITCHBOARD_CHAT_STARTS_PER_MINUTE", "2")];
    let a = nodes.start_with(&env).await;
    let b = nodes.start_with(&env).await;
    let login = |node: &common::nodes::Node| {
        let url = node.url("/api/login");
        async move {
            reqwest::Client::new()
                .post(url)
                .form(&[("username", "carol"), ("password", "not her password")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Three wrong guesses on A: the fourth, on B, waits like one on A would.
    for _ in 0..3 {
        assert_ne!(login(&a).await, 429);
    }
    assert_eq!(
        login(&b).await,
        429,
        "guesses spread over nodes count together"
    );
    // Two chat starts a minute from one address: the third, on another node, is refused.
    let problem = a.problem("Something is broken").await;
    a.start_chat("Quinn", problem).await;
    b.start_chat("Quinn", problem).await;
    let third = reqwest::Client::new()
        .post(a.url("/widget/api/start"))
        .json(&json!({"name": "Quinn", "email": "q@example.com", "phone": "", "problem": problem}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        third.status(),
        429,
        "chat starts spread over nodes count together"
    );
}

#[tokio::test]
async fn o2_an_offer_on_screen_when_the_leader_dies_is_withdrawn_then_made_again() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let (leader, follower) = leader_and_follower(&nodes).await;
    let mut dave = ready(&follower, "dave").await;
    let problem = follower.problem("Something is broken").await;
    let chat_cookie = follower.start_chat("Rosa", problem).await;
    let mut widget = follower.widget(&chat_cookie, 0).await;
    let first = offer_of(wait_for(&mut dave, is_offer).await);
    // The leader dies with the offer on Dave's screen.
    drop(leader);
    let withdrawn = |m: &ServerMessage| {
        matches!(m, ServerMessage::Event(e)
            if matches!(e.event, AgentEvent::OfferWithdrawn { contact } if contact == first))
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen_withdrawn = false;
    let again = loop {
        assert!(Instant::now() < deadline, "the chat was not offered again");
        let Ok(m) =
            tokio::time::timeout(Duration::from_millis(500), common::next_message(&mut dave)).await
        else {
            continue;
        };
        if withdrawn(&m) {
            seen_withdrawn = true;
        } else if is_offer(&m) {
            assert!(
                seen_withdrawn,
                "offered again while the first offer was still on screen"
            );
            break offer_of(m);
        }
    };
    assert_eq!(again, first, "the same chat, offered again");
    send_json(&mut dave, json!({"type": "accept", "contact": again})).await;
    wait_for(&mut dave, |m| {
        matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::ContactAssigned { .. }))
    })
    .await;
    system_line(&mut widget).await;
}

#[tokio::test]
async fn s5_the_chats_of_an_agent_whose_node_died_end_only_if_they_never_come_back() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let (leader, follower) = leader_and_follower(&nodes).await;
    let db = sqlx::PgPool::connect(nodes.database_url()).await.unwrap();
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('reconnect_grace_secs', '2') \
         ON CONFLICT (key) DO UPDATE SET value = '2'",
    )
    .execute(&db)
    .await
    .unwrap();
    // Dave on the follower and Bob on the leader each take a chat.
    let problem = leader.problem("Something is broken").await;
    let mut dave = ready(&follower, "dave").await;
    let mut widget_dave = leader
        .widget(&leader.start_chat("Sam", problem).await, 0)
        .await;
    let dave_chat = offer_of(wait_for(&mut dave, is_offer).await);
    send_json(&mut dave, json!({"type": "accept", "contact": dave_chat})).await;
    system_line(&mut widget_dave).await;
    let mut bob = ready(&leader, "bob").await;
    let mut widget_bob = leader
        .widget(&leader.start_chat("Tia", problem).await, 0)
        .await;
    let bob_chat = offer_of(wait_for(&mut bob, is_offer).await);
    send_json(&mut bob, json!({"type": "accept", "contact": bob_chat})).await;
    system_line(&mut widget_bob).await;
    // The follower dies, and Dave's page with it; he never comes back.
    drop(follower);
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        assert!(
            Instant::now() < deadline,
            "the chat of an agent gone with his node was never ended"
        );
        let frame = tokio::time::timeout(Duration::from_secs(1), widget_dave.next()).await;
        let Ok(Some(Ok(Message::Text(text)))) = frame else {
            continue;
        };
        if let Ok(WidgetMessage::Ended) = serde_json::from_str(text.as_str()) {
            break;
        }
    }
    // Bob, whose node lives, keeps his chat.
    let status: String = sqlx::query_scalar("SELECT status FROM contacts WHERE id = $1")
        .bind(bob_chat.0)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(status, "active");
}

/// Rolling upgrades (issue 14): while a node of a newer version runs and leads (here its
/// heartbeat, as it writes it), the older nodes leave it the lead; a node of the older
/// release starts on the schema a newer one migrated; if the newer node does not lead, an
/// older one takes the lead after a few seconds rather than leave routing stopped.
#[tokio::test]
async fn rolling_upgrade_the_lead_goes_to_the_newest_and_an_older_node_starts_on_a_newer_schema() {
    use server::cluster::CLUSTER_VERSION;
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let (leader, follower) = leader_and_follower(&nodes).await;
    let epoch = leader.health().await["epoch"].as_i64().expect("epoch");
    let db = sqlx::PgPool::connect(nodes.database_url()).await.unwrap();

    let newer = {
        let db = db.clone();
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        tokio::spawn(async move {
            loop {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis() as i64;
                // It leads (it says) for the first 10 s, then no longer.
                let leading = (now - started < 10_000).then_some(1_000_000_i64);
                sqlx::query(
                    "INSERT INTO cluster_nodes \
                     (node, started_at_ms, heartbeat_ms, version, leading_epoch) \
                     VALUES ('sb-newer', $1, $1, $2, $3) ON CONFLICT (node) \
                     DO UPDATE SET heartbeat_ms = excluded.heartbeat_ms, \
                     leading_epoch = excluded.leading_epoch",
                )
                .bind(now)
                .bind(CLUSTER_VERSION + 1)
                .bind(leading)
                .execute(&db)
                .await
                .unwrap();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };
    health_until(&[&leader, &follower], Duration::from_secs(15), |r| {
        leaders(r) == 0
            && r.iter().all(|r| {
                r["nodes"]
                    .as_array()
                    .is_some_and(|n| n.iter().any(|n| n["version"] == CLUSTER_VERSION + 1))
            })
    })
    .await;

    // The newer release's migration, applied by it: a node of this release still starts.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the next release', true, '\\x00', 1)",
    )
    .execute(&db)
    .await
    .unwrap();
    let third = nodes.start().await;
    assert_eq!(third.health().await["role"], "follower");

    // The newer node stops leading but runs on: after a few seconds an older one leads.
    let reports = health_until(
        &[&leader, &follower, &third],
        Duration::from_secs(30),
        |r| leaders(r) == 1,
    )
    .await;
    let new_epoch = reports.iter().find_map(|r| r["epoch"].as_i64()).unwrap();
    assert!(new_epoch > epoch, "{new_epoch} after {epoch}");
    newer.abort();
}

/// Issue 14: a node whose listening connection was lost hears nothing sent meanwhile; once
/// it listens again it reads the mailboxes again, so a mailbox saved meanwhile on another
/// node (here: written without a notice) is applied here too.
#[tokio::test]
async fn a_mailbox_saved_while_a_node_was_not_listening_is_applied_once_it_listens_again() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let dovecot = common::imap::Dovecot::start().await;
    let settings = mailbox_settings(&dovecot);
    let env: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let node = nodes.start_with(&env).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while mailbox_status(&node).await != Some(ConnectorStatus::Connected) {
        assert!(Instant::now() < deadline, "the mailbox never connected");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let db = sqlx::PgPool::connect(nodes.database_url()).await.unwrap();
    sqlx::query("UPDATE mailboxes SET enabled = FALSE")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        mailbox_status(&node).await,
        Some(ConnectorStatus::Connected),
        "no notice was sent"
    );

    let name = node.health().await["node"].as_str().unwrap().to_string();
    let cut: i64 = sqlx::query_scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE application_name = $1 AND query ILIKE 'LISTEN%'",
    )
    .bind(&name)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(cut, 1, "the node's listening connection");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = mailbox_status(&node).await;
        if status == Some(ConnectorStatus::Disabled) {
            break;
        }
        assert!(Instant::now() < deadline, "still {status:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Issue 14, SPEC K-2: a customer's messages count together on every node their chat's
/// widgets are open on: with the chat open on two nodes, no more go through in one window
/// than the rate allows on one.
#[tokio::test]
async fn a_customers_messages_count_together_on_every_node() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    // 1 a second with a burst of 20: at most 1 × 10 + 20 = 30 in a 10-second window, while
    // each node alone would let about 21 through at once.
    let env = [
        ("SWITCHBOARD_CUSTOMER_MESSAGES_PER_SEC", "1"),
        ("SWITCHBOARD_CUSTOMER_MESSAGE_BURST", "20"),
    ];
    let a = nodes.start_with(&env).await;
    let b = nodes.start_with(&env).await;
    let problem = a.problem("Something is broken").await;
    let cookie = a.start_chat("Uma", problem).await;
    let mut on_a = a.widget(&cookie, 0).await;
    let mut on_b = b.widget(&cookie, 0).await;
    for ws in [&mut on_a, &mut on_b] {
        widget_wait(ws, |m| matches!(m, WidgetMessage::Synced { .. })).await;
    }
    // All within one window (the windows start at whole multiples of 10 s).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    if now % 10_000 > 6_000 {
        tokio::time::sleep(Duration::from_millis(10_000 - now % 10_000 + 100)).await;
    }
    let mut refused = 0;
    for (side, ws) in [("a", &mut on_a), ("b", &mut on_b)] {
        for n in 0..25 {
            let id = format!("{side}{n}");
            send_json(ws, json!({"type": "send", "client_id": id, "text": id})).await;
            let answer = widget_wait(ws, |m| match m {
                WidgetMessage::Line { line, .. } => matches!(&line.body,
                    LineBody::Message { client_id, .. } if *client_id == id),
                WidgetMessage::Rejected { .. } => true,
                _ => false,
            })
            .await;
            if let WidgetMessage::Rejected { message, .. } = answer {
                assert!(message.contains("second"), "{message}");
                refused += 1;
            }
        }
    }
    let db = sqlx::PgPool::connect(nodes.database_url()).await.unwrap();
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM chat_lines WHERE sender = 'customer'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(stored, 30, "the window's allowance, across both nodes");
    assert_eq!(refused, 20);
}

/// Issue 14, SPEC E-2, A-1: with the stored files in an S3-compatible bucket, nodes with
/// data directories of their own serve each other's files: an email's attachments taken
/// by the node reading the mailbox download byte for byte from every node, and a file an
/// agent attached on one node is read back through another.
#[tokio::test]
async fn e2_a1_files_stored_by_one_node_are_served_by_every_node_from_a_shared_bucket() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let moto = common::s3::Moto::start("cluster-files").await;
    let dovecot = common::imap::Dovecot::start().await;
    let settings = mailbox_settings(&dovecot);
    let aws = moto.env();
    let mut env: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend(aws.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    env.push(("SWITCHBOARD_FILES", "s3://cluster-files/center"));
    let a = nodes.start_with(&env).await;
    let b = nodes.start_with(&env).await;

    // Dave works on node B; whichever node reads the mailbox stores the files.
    let cookie = b.session("dave").await;
    let mut desk = b.desktop(&cookie).await;
    send_json(&mut desk, json!({"type": "set_state", "ready": true})).await;
    dovecot
        .append(&common::imap::fixture("several_attachments"))
        .await;
    let view = common::desk::next_email(&mut desk).await;
    let files = view.email.expect("the email's details").attachments;
    assert_eq!(files.len(), 3);
    let keys = moto.keys("cluster-files").await;
    assert_eq!(keys.len(), 3, "every file in the bucket: {keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("center/")), "{keys:?}");

    let download = |node: &common::nodes::Node, path: String| {
        let request = reqwest::Client::new()
            .get(node.url(&path))
            .header("cookie", cookie.clone());
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response.bytes().await.unwrap()
        }
    };
    for node in [&a, &b] {
        let pdf = download(node, format!("/email/attachments/{}", files[0].id)).await;
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with((0..=255u8).collect::<Vec<_>>().as_slice()));
        let notes = download(node, format!("/email/attachments/{}", files[2].id)).await;
        assert_eq!(
            notes.as_ref(),
            b"Damage noticed on 2026-11-18.\nBox dented.\n"
        );
    }

    // A file attached to the reply on node B, read back through node A.
    let contact = view.contact.0;
    let shot = b"\x89PNG\r\n\x1a\nscreenshot of the damage".to_vec();
    let uploaded = reqwest::Client::new()
        .post(b.url(&format!("/email/{contact}/files?name=damage.png")))
        .header("cookie", cookie.clone())
        .header("content-type", "image/png")
        .body(shot.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    let file: serde_json::Value = uploaded.json().await.unwrap();
    let read_back = download(&a, format!("/email/{contact}/files/{}", file["id"])).await;
    assert_eq!(read_back.as_ref(), shot.as_slice());
    assert_eq!(moto.keys("cluster-files").await.len(), 4);

    // Removed through node A: gone from the bucket, for every node.
    let removed = reqwest::Client::new()
        .delete(a.url(&format!("/email/{contact}/files/{}", file["id"])))
        .header("cookie", cookie.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    assert_eq!(moto.keys("cluster-files").await.len(), 3);
}

/// What a CRM's receiver took: each delivery's id and body, in arrival order.
type Inbox = std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>;

async fn webhook_receiver(inbox: Inbox) -> u16 {
    use axum::{body::Bytes, extract::State, http::HeaderMap, routing::post, Router};
    async fn take(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> &'static str {
        let delivery = headers["switchboard-delivery"]
            .to_str()
            .unwrap()
            .to_string();
        let body = serde_json::from_slice(&body).unwrap();
        inbox.lock().unwrap().push((delivery, body));
        "ok"
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Router::new().route("/hook", post(take)).with_state(inbox);
    tokio::spawn(async move { axum::serve(listener, app).await });
    port
}

async fn inbox_until(inbox: &Inbox, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while inbox.lock().unwrap().len() < count {
        assert!(
            Instant::now() < deadline,
            "{} of {count} received",
            inbox.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Issue 17 on several nodes: one node sends a webhook's deliveries whatever node the
/// changes were made on, in the order they were made (the events' ids); killed, another
/// takes over, and the receiver gets every change once, still in order.
#[tokio::test]
async fn webhooks_are_sent_by_one_node_in_order_and_go_on_when_it_dies() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let inbox = Inbox::default();
    let port = webhook_receiver(inbox.clone()).await;
    // Every node opens the webhook's sealed secret with the same key, as the README asks.
    let key = [("SWITCHBOARD_ENCRYPTION_KEY", "5e".repeat(32))];
    let key: Vec<(&str, &str)> = key.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = nodes.start_with(&key).await;
    let admin = a.session("admin").await;
    let post = |node: &common::nodes::Node, path: &str, cookie: &str, body: serde_json::Value| {
        reqwest::Client::new()
            .post(node.url(path))
            .header("cookie", cookie)
            .json(&body)
            .send()
    };
    let hook = post(&a, "/api/admin/webhook-create", &admin, json!({"webhook": {
        "name": "CRM", "url": format!("http://127.0.0.1:{port}/hook"), "events": ["customer.updated"]}}))
    .await
    .unwrap();
    assert_eq!(hook.status(), 200);
    let hook: serde_json::Value = hook.json().await.unwrap();
    let created: serde_json::Value = post(
        &a,
        "/api/admin/api-token-create",
        &admin,
        json!({"token": {"name": "CRM", "scope": "read_write"}}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    let b = nodes.start_with(&key).await;

    let added = reqwest::Client::new()
        .post(a.url("/api/v1/customers"))
        .bearer_auth(&secret)
        .json(&json!({"name": "Zoé Martin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let customer = added.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let change = |node: &common::nodes::Node, n: usize| {
        reqwest::Client::new()
            .patch(node.url(&format!("/api/v1/customers/{customer}")))
            .bearer_auth(&secret)
            .json(&json!({"email": format!("zoe{n}@example.com")}))
            .send()
    };
    for n in 0..6 {
        let node = if n % 2 == 0 { &a } else { &b };
        assert_eq!(change(node, n).await.unwrap().status(), 200);
    }
    inbox_until(&inbox, 7).await;
    // Every one recorded as delivered before the sender dies (one taken but not recorded
    // would be sent again once its lease ends: the receiver skips it by its id).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log: Vec<serde_json::Value> = post(
            &b,
            "/api/admin/webhook-deliveries",
            &b.session("admin").await,
            json!({"id": hook["webhook"]["id"], "before": null}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        if log.len() == 7 && log.iter().all(|d| d["status"] == "delivered") {
            break;
        }
        assert!(Instant::now() < deadline, "{log:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(a); // SIGKILL: the first node, which took the webhooks' claim first
    for n in 6..10 {
        assert_eq!(change(&b, n).await.unwrap().status(), 200);
    }
    inbox_until(&inbox, 11).await;

    let got = inbox.lock().unwrap().clone();
    let mut ids: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 11, "each delivery once");
    // Each body is the customer as they were when their change was sent on (on PostgreSQL,
    // two seconds after it was made): the last says the last change.
    assert_eq!(
        got.last().unwrap().1["data"]["customer"]["email"],
        "zoe9@example.com"
    );
    assert!(got
        .iter()
        .all(|(_, b)| b["event"] == "customer.updated" && b["data"]["customer"]["id"] == customer));
    let events: Vec<i64> = got.iter().map(|(_, b)| b["id"].as_i64().unwrap()).collect();
    assert!(events.windows(2).all(|w| w[0] < w[1]), "{events:?}");
}
