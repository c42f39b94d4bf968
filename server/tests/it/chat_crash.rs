//! SPEC K-3 (no message lost or doubled, even when a server dies): customers send as fast as
//! they can, the real server binary is killed (SIGKILL) in the middle of the burst, and
//! every line a widget saw confirmed (its own line came back) is in the database, once.
//! This holds the store's durability setting to its promise (a committed line survives the
//! process), whatever batching of writes comes to sit behind it.

use crate::common;

use app::domain::{chat::LineBody, ids::ContactId, widget::WidgetMessage};
use common::{process::ServerProcess, send_json, Ws};
use futures_util::StreamExt;
use serde_json::json;
use std::{
    collections::{HashMap, HashSet},
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

const CUSTOMERS: usize = 8;
const MESSAGES_EACH: usize = 150;
/// Confirmed lines, of all customers, before the kill: well inside the burst.
const KILL_AFTER: usize = 300;

fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("crash.db").display())
}

/// The demo server on `crash.db`, the per-customer flood limits lifted: they would pace
/// the burst, and the test wants it all at once.
async fn server(dir: &Path) -> ServerProcess {
    let env = [
        ("SWITCHBOARD_CUSTOMER_MESSAGES_PER_SEC", "100000"),
        ("SWITCHBOARD_CUSTOMER_MESSAGE_BURST", "100000"),
        ("SWITCHBOARD_CHAT_STARTS_PER_MINUTE", "100"),
    ];
    ServerProcess::start(dir, "crash.db", &env, 0).await
}

/// Starts a chat; returns its id and the widget's socket, synced.
async fn customer(base: &str, port: u16, problem: i64, n: usize) -> (ContactId, Ws) {
    let response = reqwest::Client::new()
        .post(format!("{base}/widget/api/start"))
        .json(&json!({
            "name": format!("Burst {n}"), "email": "burst@example.com", "phone": "", "problem": problem
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "chat starts");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let started: serde_json::Value = response.json().await.unwrap();
    let contact = ContactId(started["contact"].as_i64().unwrap());
    let mut request = format!("ws://127.0.0.1:{port}/widget/ws")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    send_json(&mut ws, json!({"type": "hello", "resume_after": 0})).await;
    loop {
        if let WidgetMessage::Synced { .. } = common::next_widget(&mut ws).await {
            return (contact, ws);
        }
    }
}

#[tokio::test]
async fn k3_every_confirmed_line_survives_a_kill_in_the_middle_of_a_burst() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = server(dir.path()).await;
    let (base, port) = (server.base(), server.port);
    let config: serde_json::Value = reqwest::get(format!("{base}/widget/api/config"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let problem = config["problems"][0]["id"].as_i64().unwrap();

    let mut sockets = Vec::new();
    for n in 0..CUSTOMERS {
        sockets.push(customer(&base, port, problem, n).await);
    }
    // What each widget saw confirmed, and the total, shared with the killer.
    let confirmed: Arc<Mutex<HashMap<ContactId, HashSet<String>>>> = Arc::default();
    let mut sent = 0;
    let mut bursts = Vec::new();
    for (contact, ws) in sockets {
        let confirmed = confirmed.clone();
        let (mut sink, mut stream) = ws.split();
        bursts.push(tokio::spawn(async move {
            use futures_util::SinkExt;
            let writer = tokio::spawn(async move {
                for m in 0..MESSAGES_EACH {
                    let text = json!({"type": "send", "client_id": format!("b{m}"), "text": format!("burst {m}")});
                    if sink.send(Message::Text(text.to_string().into())).await.is_err() {
                        return;
                    }
                }
            });
            while let Some(Ok(frame)) = stream.next().await {
                let Message::Text(text) = frame else { continue };
                let Ok(WidgetMessage::Line { line, .. }) = serde_json::from_str(text.as_str())
                else {
                    continue;
                };
                if let LineBody::Message { client_id, .. } = line.body {
                    confirmed
                        .lock()
                        .unwrap()
                        .entry(contact)
                        .or_default()
                        .insert(client_id);
                }
            }
            writer.abort();
        }));
        sent += MESSAGES_EACH;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let total: usize = confirmed.lock().unwrap().values().map(HashSet::len).sum();
        if total >= KILL_AFTER {
            break;
        }
        assert!(Instant::now() < deadline, "the burst never got going");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    server.kill();
    for burst in bursts {
        let _ = tokio::time::timeout(Duration::from_secs(5), burst).await;
    }
    let confirmed = confirmed.lock().unwrap().clone();
    let total: usize = confirmed.values().map(HashSet::len).sum();
    assert!(
        total < sent,
        "the kill came after the burst ({total} of {sent} confirmed): it proves nothing"
    );

    let store = server::store::connect(&database_url(dir.path()))
        .await
        .unwrap();
    for (contact, seen) in &confirmed {
        let lines = store.lines_after(*contact, 0, 10_000).await.unwrap();
        let mut stored: HashMap<String, usize> = HashMap::new();
        for line in lines {
            if let LineBody::Message { client_id, .. } = line.body {
                *stored.entry(client_id).or_default() += 1;
            }
        }
        for id in seen {
            assert!(
                stored.contains_key(id),
                "chat {contact}: line {id} was confirmed to the customer, then lost in the kill"
            );
        }
        for (id, copies) in &stored {
            assert_eq!(
                *copies, 1,
                "chat {contact}: line {id} stored {copies} times"
            );
        }
    }
}
