//! Issue 14's proof under failure: three server processes on one PostgreSQL database, the
//! customers' widgets and the agents' desktops spread over them (each connection to any
//! node that answers, as behind a proxy), messages going both ways for two minutes while a
//! chaos loop kills a random node (SIGKILL, the leader included) every 10 to 20 seconds
//! and starts it again. Emails come in through real Dovecot and the agents' replies go out
//! through real SMTP (aiosmtpd). At the end the test prints what it counted and fails on
//! any line lost, doubled or out of order, any chat held by two agents or ended by a node's
//! loss, any email taken twice or not at all, and any reply that never left.

use crate::common;

use app::domain::{
    chat::{Author, LineBody},
    contact::Channel,
    ids::ContactId,
    protocol::{AgentEvent, ServerMessage},
    state::AgentState,
    widget::WidgetMessage,
};
use common::{imap::Dovecot, nodes::Nodes, smtp::SmtpServer, Ws};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::{
    collections::{HashMap, HashSet},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};
use tokio_tungstenite::tungstenite::Message;

/// How long the customers write and the chaos loop kills.
const RUN: Duration = Duration::from_secs(120);
/// After the run: time for the last lines, emails and replies to arrive.
const SETTLE: Duration = Duration::from_secs(40);
const CUSTOMERS: usize = 6;
const EMAILS: usize = 12;
const AGENTS: [&str; 3] = ["alice", "bob", "dave"];

/// A small random source (xorshift), seeded from the clock; the seed is printed.
struct Dice(u64);

impl Dice {
    fn new() -> Dice {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            | 1;
        println!("chaos seed {seed}");
        Dice(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// What went wrong, counted by kind, printed at the end.
#[derive(Default)]
struct Faults(Mutex<Vec<String>>);

impl Faults {
    fn add(&self, fault: String) {
        eprintln!("FAULT: {fault}");
        self.0.lock().unwrap().push(fault);
    }
}

/// The nodes' ports, in a random order each time: a client tries them until one answers.
fn ports_from(ports: &[u16], start: usize) -> Vec<u16> {
    (0..ports.len())
        .map(|i| ports[(start + i) % ports.len()])
        .collect()
}

async fn connect(url: &str, cookie: &str) -> Option<Ws> {
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url).ok()?;
    request.headers_mut().insert("cookie", cookie.parse().ok()?);
    let connecting = tokio_tungstenite::connect_async(request);
    match tokio::time::timeout(Duration::from_secs(3), connecting).await {
        Ok(Ok((ws, _))) => Some(ws),
        _ => None,
    }
}

async fn send(ws: &mut Ws, value: serde_json::Value) -> bool {
    ws.send(Message::Text(value.to_string().into()))
        .await
        .is_ok()
}

/// A customer: starts a chat on any node, writes a message a second while `writing`, and
/// reconnects (to any node) from the last line it has whenever its connection drops,
/// sending again what was not confirmed. Checks every line comes once and in order.
async fn customer(
    n: usize,
    ports: Vec<u16>,
    problem: i64,
    writing: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
    faults: Arc<Faults>,
) -> (ContactId, usize, HashSet<String>, usize) {
    let mut dice = Dice(n as u64 * 7919 + 17);
    let (contact, cookie) = loop {
        let port = ports[dice.below(ports.len() as u64) as usize];
        let started = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/widget/api/start"))
            .json(
                &json!({"name": format!("Customer {n}"), "email": format!("c{n}@example.com"),
                "phone": "", "problem": problem}),
            )
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if let Ok(response) = started {
            if response.status() == 200 {
                let cookie = response.headers()["set-cookie"].to_str().unwrap();
                let cookie = cookie.split(';').next().unwrap().to_string();
                let body: serde_json::Value = response.json().await.unwrap();
                break (ContactId(body["contact"].as_i64().unwrap()), cookie);
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let mut last_seq = 0;
    let mut sent: Vec<String> = Vec::new();
    let mut confirmed: HashSet<String> = HashSet::new();
    let mut replies = 0;
    let mut reconnects = 0;
    let mut next_at = Instant::now();
    'connections: while !done.load(Ordering::Relaxed) {
        let start = dice.below(ports.len() as u64) as usize;
        let mut ws = None;
        for port in ports_from(&ports, start) {
            if let Some(made) = connect(&format!("ws://127.0.0.1:{port}/widget/ws"), &cookie).await
            {
                ws = Some(made);
                break;
            }
        }
        let Some(mut ws) = ws else {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        };
        reconnects += 1;
        if !send(&mut ws, json!({"type": "hello", "resume_after": last_seq})).await {
            continue;
        }
        for id in sent.iter().filter(|id| !confirmed.contains(*id)) {
            let text = format!("message {id} of customer {n}");
            if !send(
                &mut ws,
                json!({"type": "send", "client_id": id, "text": text}),
            )
            .await
            {
                continue 'connections;
            }
        }
        loop {
            if done.load(Ordering::Relaxed) {
                break 'connections;
            }
            let wait = next_at.saturating_duration_since(Instant::now());
            let frame = tokio::select! {
                frame = ws.next() => frame,
                _ = tokio::time::sleep(wait) => {
                    next_at = Instant::now() + Duration::from_secs(1);
                    if writing.load(Ordering::Relaxed) {
                        let id = format!("c{n}-{}", sent.len());
                        let text = format!("message {id} of customer {n}");
                        sent.push(id.clone());
                        if !send(&mut ws, json!({"type": "send", "client_id": id, "text": text})).await {
                            continue 'connections;
                        }
                    }
                    continue;
                }
                _ = tokio::time::sleep(Duration::from_millis(250)) => continue,
            };
            let Some(Ok(Message::Text(text))) = frame else {
                if matches!(frame, Some(Ok(_))) {
                    continue;
                }
                continue 'connections;
            };
            let Ok(message) = serde_json::from_str::<WidgetMessage>(text.as_str()) else {
                continue;
            };
            match message {
                WidgetMessage::Line { line, .. } => {
                    if line.seq != last_seq + 1 {
                        faults.add(format!(
                            "customer {n}: line {} after {last_seq} (lost or doubled)",
                            line.seq
                        ));
                    }
                    last_seq = last_seq.max(line.seq);
                    match line.body {
                        LineBody::Message {
                            author: Author::Customer { .. },
                            client_id,
                            ..
                        } if !confirmed.insert(client_id.clone()) => {
                            faults.add(format!("customer {n}: own {client_id} twice"));
                        }
                        LineBody::Message {
                            author: Author::Agent { .. },
                            ..
                        } => replies += 1,
                        _ => {}
                    }
                }
                WidgetMessage::Ended => {
                    faults.add(format!("customer {n}: the chat ended"));
                    break 'connections;
                }
                _ => {}
            }
        }
    }
    let unconfirmed = sent.iter().filter(|id| !confirmed.contains(*id)).count();
    if unconfirmed > 0 {
        faults.add(format!(
            "customer {n}: {unconfirmed} of {} messages never came back",
            sent.len()
        ));
    }
    (contact, replies, confirmed, reconnects)
}

/// An agent: logged in once, a desktop page on any node, reconnecting from where it was.
/// Ready whenever it finds itself Not Ready, accepts every offer, answers every customer
/// message once and every email with a reply.
async fn agent(
    name: &'static str,
    ports: Vec<u16>,
    done: Arc<AtomicBool>,
    faults: Arc<Faults>,
    replies_sent: Arc<AtomicU64>,
) -> usize {
    let mut dice = Dice(name.len() as u64 * 104_729 + 3);
    let cookie = loop {
        let port = ports[dice.below(ports.len() as u64) as usize];
        let login = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/api/login"))
            .form(&[("username", name), ("password", "switchboard")])
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if let Ok(response) = login {
            if response.status().is_success() {
                let cookie = response.headers()["set-cookie"].to_str().unwrap();
                break cookie.split(';').next().unwrap().to_string();
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let mut events: Option<u64> = None;
    let mut cursors: HashMap<ContactId, u64> = HashMap::new();
    let mut answered: HashSet<String> = HashSet::new();
    let mut unconfirmed: HashMap<String, (ContactId, String)> = HashMap::new();
    let mut emails: Vec<(ContactId, String)> = Vec::new();
    let mut reconnects = 0;
    'connections: while !done.load(Ordering::Relaxed) {
        let start = dice.below(ports.len() as u64) as usize;
        let mut page = None;
        for port in ports_from(&ports, start) {
            if let Some(made) = connect(&format!("ws://127.0.0.1:{port}/ws"), &cookie).await {
                page = Some((port, made));
                break;
            }
        }
        let Some((port, mut ws)) = page else {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        };
        reconnects += 1;
        let chats: Vec<serde_json::Value> = cursors
            .iter()
            .map(|(contact, seq)| json!({"contact": contact, "seq": seq}))
            .collect();
        if !send(
            &mut ws,
            json!({"type": "hello", "resume_after": events, "chats": chats}),
        )
        .await
        {
            continue;
        }
        for (id, (contact, text)) in &unconfirmed {
            let command =
                json!({"type": "send", "contact": contact, "client_id": id, "text": text});
            if !send(&mut ws, command).await {
                continue 'connections;
            }
        }
        // Emails given before: replied to through this node.
        for email in std::mem::take(&mut emails) {
            if !reply(port, &cookie, &email).await {
                emails.push(email);
            } else {
                replies_sent.fetch_add(1, Ordering::Relaxed);
            }
        }
        loop {
            if done.load(Ordering::Relaxed) {
                break 'connections;
            }
            let frame = tokio::select! {
                frame = ws.next() => frame,
                _ = tokio::time::sleep(Duration::from_millis(250)) => continue,
            };
            let Some(Ok(Message::Text(text))) = frame else {
                if matches!(frame, Some(Ok(_))) {
                    continue;
                }
                continue 'connections;
            };
            let Ok(message) = serde_json::from_str::<ServerMessage>(text.as_str()) else {
                continue;
            };
            let mut commands = Vec::new();
            match message {
                ServerMessage::Snapshot { status, seq, .. } => {
                    events = Some(seq);
                    if status.state != AgentState::Ready && status.state != AgentState::Reserved {
                        commands.push(json!({"type": "set_state", "ready": true}));
                    }
                }
                ServerMessage::Event(envelope) => {
                    events = Some(envelope.seq);
                    match envelope.event {
                        AgentEvent::StateChanged { status, .. }
                            if status.state == AgentState::NotReady =>
                        {
                            commands.push(json!({"type": "set_state", "ready": true}));
                        }
                        AgentEvent::Offered { offer } => {
                            commands.push(json!({"type": "accept", "contact": offer.contact}));
                        }
                        AgentEvent::ContactAssigned { contact }
                            if contact.channel == Channel::Email =>
                        {
                            let email = (
                                contact.contact,
                                contact.customer.email.clone().unwrap_or_default(),
                            );
                            if reply(port, &cookie, &email).await {
                                replies_sent.fetch_add(1, Ordering::Relaxed);
                            } else {
                                emails.push(email);
                            }
                        }
                        AgentEvent::ContactAssigned { contact } => {
                            cursors.entry(contact.contact).or_insert(0);
                        }
                        AgentEvent::ContactClosed { contact, reason }
                            if cursors.remove(&contact).is_some() =>
                        {
                            faults.add(format!("{name}: chat {contact} closed: {reason:?}"));
                        }
                        _ => {}
                    }
                }
                ServerMessage::ChatLine { contact, line } => {
                    let last = cursors.entry(contact).or_insert(0);
                    if line.seq != *last + 1 {
                        faults.add(format!(
                            "{name}: chat {contact} line {} after {last} (lost or doubled)",
                            line.seq
                        ));
                    }
                    *last = (*last).max(line.seq);
                    if let LineBody::Message {
                        author, client_id, ..
                    } = line.body
                    {
                        match author {
                            Author::Customer { .. } => {
                                let id = format!("r-{client_id}");
                                if answered.insert(id.clone()) {
                                    let text = format!("answer to {client_id}");
                                    unconfirmed.insert(id.clone(), (contact, text.clone()));
                                    commands.push(json!({"type": "send", "contact": contact,
                                        "client_id": id, "text": text}));
                                }
                            }
                            Author::Agent { .. } => {
                                unconfirmed.remove(&client_id);
                            }
                        }
                    }
                }
                _ => {}
            }
            for command in commands {
                if !send(&mut ws, command).await {
                    continue 'connections;
                }
            }
        }
    }
    reconnects
}

/// Replies to an email through the node on `port`; false if that node did not answer (the
/// reply is tried again through another). An email no longer held (already sent through
/// a node that died before answering) counts as replied.
async fn reply(port: u16, cookie: &str, (email, to): &(ContactId, String)) -> bool {
    let draft = json!({"mode": "reply", "to": [to], "cc": [], "bcc": [],
        "body": format!("<p>Answer to email {email}</p>")});
    let sent = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/email/{email}/send"))
        .header("cookie", cookie)
        .json(&draft)
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    matches!(sent, Ok(response) if response.status() == 202 || response.status() == 404)
}

#[tokio::test]
async fn nothing_is_lost_or_doubled_while_nodes_are_killed_at_random() {
    let Some(nodes) = Nodes::new().await else {
        return;
    };
    let smtp = SmtpServer::start().await;
    let dovecot = Dovecot::start().await;
    let mailboxes = dovecot.mailboxes_file_with(
        "Support",
        json!({"poll_secs": 1, "address": "support@shop.test", "smtp": smtp.settings()}),
    );
    let key = "cd".repeat(32);
    let env = [
        ("SWITCHBOARD_MAILBOXES", mailboxes.to_str().unwrap()),
        ("SWITCHBOARD_ENCRYPTION_KEY", key.as_str()),
        ("SWITCHBOARD_SMTP_RETRY_MAX_SECS", "1"),
        ("SWITCHBOARD_CHAT_STARTS_PER_MINUTE", "100"),
    ];
    let mut running: Vec<Option<common::nodes::Node>> = Vec::new();
    for _ in 0..3 {
        running.push(Some(nodes.start_with(&env).await));
    }
    let ports: Vec<u16> = running.iter().map(|n| n.as_ref().unwrap().port).collect();
    let problem = running[0]
        .as_ref()
        .unwrap()
        .problem("Something is broken")
        .await;
    let faults = Arc::new(Faults::default());
    let writing = Arc::new(AtomicBool::new(true));
    let done = Arc::new(AtomicBool::new(false));
    let replies_sent = Arc::new(AtomicU64::new(0));
    let agents: Vec<_> = AGENTS
        .iter()
        .map(|name| {
            tokio::spawn(agent(
                name,
                ports.clone(),
                done.clone(),
                faults.clone(),
                replies_sent.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let customers: Vec<_> = (0..CUSTOMERS)
        .map(|n| {
            tokio::spawn(customer(
                n,
                ports.clone(),
                problem,
                writing.clone(),
                done.clone(),
                faults.clone(),
            ))
        })
        .collect();

    // Chaos: every 10 to 20 s a random node dies and starts again on its port; emails
    // arrive all along.
    let mut dice = Dice::new();
    let began = Instant::now();
    let mut kills = 0;
    let mut emails_sent = 0;
    while began.elapsed() < RUN {
        let pause = Duration::from_millis(10_000 + dice.below(10_000));
        let until = Instant::now() + pause;
        while Instant::now() < until && began.elapsed() < RUN {
            if emails_sent < EMAILS {
                let raw = common::imap::message(
                    &format!("buyer{emails_sent}@example.com"),
                    &format!("Order {emails_sent}"),
                    &format!("<order-{emails_sent}@example.com>"),
                    "",
                    "Where is my parcel?",
                );
                dovecot.append(&raw).await;
                emails_sent += 1;
            }
            tokio::time::sleep(Duration::from_millis(2_000)).await;
        }
        if began.elapsed() >= RUN {
            break;
        }
        let victim = dice.below(running.len() as u64) as usize;
        drop(running[victim].take());
        kills += 1;
        running[victim] = Some(nodes.start_on(ports[victim], &env).await);
    }
    writing.store(false, Ordering::Relaxed);
    for n in emails_sent..EMAILS {
        let raw = common::imap::message(
            &format!("buyer{n}@example.com"),
            &format!("Order {n}"),
            &format!("<order-{n}@example.com>"),
            "",
            "Where is my parcel?",
        );
        dovecot.append(&raw).await;
    }

    // Settling: the last lines, emails and replies arrive; then every count is checked.
    let db = sqlx::PgPool::connect(nodes.database_url()).await.unwrap();
    let settle_until = Instant::now() + SETTLE;
    let replies_out = loop {
        let captured = smtp.messages();
        let (emails, _): (i64, i64) = emails_taken(&db).await;
        if (captured.len() >= EMAILS && emails as usize >= EMAILS) || Instant::now() > settle_until
        {
            break captured;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    done.store(true, Ordering::Relaxed);
    let mut lines = 0;
    let mut reconnects = 0;
    for customer in customers {
        let (contact, replies, confirmed, made) = customer.await.unwrap();
        lines += confirmed.len() + replies;
        reconnects += made;
        let stored: Vec<(String, i64)> = sqlx::query_as(
            "SELECT client_id, count(*) FROM chat_lines WHERE contact_id = $1 \
             AND client_id IS NOT NULL GROUP BY client_id",
        )
        .bind(contact.0)
        .fetch_all(&db)
        .await
        .unwrap();
        for (id, copies) in &stored {
            if *copies != 1 {
                faults.add(format!("chat {contact}: {id} stored {copies} times"));
            }
        }
        if replies < confirmed.len() {
            faults.add(format!(
                "chat {contact}: {} messages, {replies} answers reached the customer",
                confirmed.len()
            ));
        }
    }
    for agent in agents {
        reconnects += agent.await.unwrap();
    }
    // No chat held by two agents.
    let holders: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT (event::json -> 'contact' ->> 'contact')::bigint, count(DISTINCT agent_id) \
         FROM agent_events WHERE event::json ->> 'type' = 'contact_assigned' \
         AND event::json -> 'contact' ->> 'channel' = 'web' GROUP BY 1",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    if holders.len() != CUSTOMERS {
        faults.add(format!(
            "{} of {CUSTOMERS} chats given to an agent",
            holders.len()
        ));
    }
    let held_twice = holders.iter().filter(|(_, agents)| *agents > 1).count();
    if held_twice > 0 {
        faults.add(format!("{held_twice} chats given to two agents"));
    }
    let ended: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM contacts WHERE channel = 'web' AND status = 'ended'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    if ended > 0 {
        faults.add(format!("{ended} chats ended during the run"));
    }
    let (emails, distinct) = emails_taken(&db).await;
    if emails != EMAILS as i64 || distinct != EMAILS as i64 {
        faults.add(format!(
            "{emails} emails stored ({distinct} distinct) of {EMAILS} sent"
        ));
    }
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for captured in &replies_out {
        let id = captured
            .parsed()
            .message_id()
            .unwrap_or_default()
            .to_string();
        *by_id.entry(id).or_default() += 1;
    }
    let doubles: usize = by_id.values().map(|n| n - 1).sum();
    if by_id.len() < EMAILS {
        faults.add(format!(
            "{} of {EMAILS} replies reached the SMTP server",
            by_id.len()
        ));
    }
    println!(
        "chaos: {kills} kills in {} s; {CUSTOMERS} chats, {lines} chat lines delivered, \
         {reconnects} connections made; {emails} emails taken ({distinct} distinct); \
         {} replies asked, {} reached SMTP ({} distinct, {doubles} sent twice); \
         {held_twice} chats held twice, {ended} ended",
        RUN.as_secs(),
        replies_sent.load(Ordering::Relaxed),
        replies_out.len(),
        by_id.len()
    );
    let faults = faults.0.lock().unwrap();
    assert!(faults.is_empty(), "{} faults: {:#?}", faults.len(), *faults);
}

async fn emails_taken(db: &sqlx::PgPool) -> (i64, i64) {
    sqlx::query_as("SELECT count(*), count(DISTINCT message_id) FROM emails")
        .fetch_one(db)
        .await
        .unwrap()
}
