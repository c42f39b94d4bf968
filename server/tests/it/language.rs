//! French and English everywhere a person reads (issue 15): what the server itself words
//! (HTTP refusals, the widget socket's refusals and close reasons, the transcript) is in the
//! reader's language: the `sb_lang` cookie, else `Accept-Language`; the widget's own
//! `?lang=` for its socket and its transcript. Without either, English, word for word as
//! before.

use crate::common;

use app::domain::{
    chat::{LineBody, SystemNote},
    protocol::ServerMessage,
    widget::WidgetMessage,
};
use common::{next_offer, next_widget, send_json, wait_for, widget_at, TestServer, Ws};
use serde_json::{json, Value};

/// A GET with these headers: its status and JSON body.
async fn get_with(server: &TestServer, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(server.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Starts a chat from the pre-chat form with these headers.
async fn start_with(server: &TestServer, form: Value, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(server.url("/widget/api/start"))
        .json(&form);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn form(name: &str, problem: i64) -> Value {
    json!({"name": name, "email": "zoe@example.com", "phone": "", "problem": problem})
}

/// A refusal follows the reader: the cookie first, else the browser's languages, else
/// English; the code a program reads stays the same.
#[tokio::test]
async fn a_refusal_is_worded_in_the_readers_language() {
    let server = TestServer::start().await;
    // No chat cookie: nothing to download.
    let session = "/widget/api/transcript";
    let (status, english) = get_with(&server, session, &[]).await;
    assert_eq!((status, &english["message"]), (404, &json!("No chat.")));
    let (status, french) = get_with(
        &server,
        session,
        &[("accept-language", "fr-FR,fr;q=0.9,en;q=0.8")],
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(french["error"], "not_found");
    assert_eq!(french["message"], "Aucune conversation.");
    let cookie_fr = [("cookie", "a=1; sb_lang=fr"), ("accept-language", "en")];
    let (_, by_cookie) = get_with(&server, session, &cookie_fr).await;
    assert_eq!(by_cookie["message"], "Aucune conversation.");
    let cookie_en = [("cookie", "sb_lang=en"), ("accept-language", "fr")];
    let (_, chosen) = get_with(&server, session, &cookie_en).await;
    assert_eq!(chosen["message"], "No chat.", "the chosen language wins");
    // A refusal a browser shows as it is (an inline image of an email): French too.
    let image = reqwest::Client::new()
        .get(server.url("/email/inline/not-a-token"))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 404);
    assert_eq!(image.text().await.unwrap(), "Image introuvable.");
}

/// SPEC K-2, P-1: the widget's form is refused field by field in the customer's language,
/// and the message limit it checks is worded in it.
#[tokio::test]
async fn the_widget_forms_refusals_and_limits_are_in_the_customers_language() {
    let server = TestServer::start().await;
    let problem = server.queue("Support", &[]).await;
    let french = [("accept-language", "fr")];
    let (status, refusal) = start_with(&server, form("", problem), &french).await;
    assert_eq!(status, 422);
    assert_eq!(refusal["errors"][0]["field"], "name");
    assert_eq!(refusal["errors"][0]["message"], "Nom\u{a0}: obligatoire");
    let (_, english) = start_with(&server, form("", problem), &[]).await;
    assert_eq!(english["errors"][0]["message"], "Name: required");
    let (_, config) = get_with(&server, "/widget/api/config", &french).await;
    assert_eq!(
        config["limits"]["message_too_long"],
        "Message\u{a0}: 1500 caractères au maximum"
    );
    let (_, config) = get_with(&server, "/widget/api/config", &[]).await;
    assert_eq!(
        config["limits"]["message_too_long"],
        "Message: at most 1500 characters"
    );
}

/// The start limit and a full queue are told in French to a French widget (their English
/// is in `limits.rs`).
#[tokio::test]
async fn the_start_limit_and_a_full_queue_are_told_in_french() {
    let server = TestServer::start_with(|c| c.chat_starts_per_minute = 2).await;
    let settings = app::domain::settings::ChatSettings {
        queue_limit: 1,
        ..Default::default()
    };
    server.set_chat_settings(settings).await;
    let problem = server.queue("Support", &[]).await;
    let french = [("accept-language", "fr")];
    assert_eq!(
        start_with(&server, form("Zoé", problem), &french).await.0,
        200
    );
    let (status, full) = start_with(&server, form("Léa", problem), &french).await;
    assert_eq!((status, &full["error"]), (503, &json!("queue_full")));
    assert_eq!(
        full["message"],
        "Tous nos agents sont occupés et la file d'attente est pleine. Veuillez réessayer dans \
         quelques minutes."
    );
    let (status, limited) = start_with(&server, form("Léa", problem), &french).await;
    assert_eq!(
        (status, &limited["error"]),
        (429, &json!("too_many_requests"))
    );
    assert_eq!(
        limited["message"],
        "Trop de conversations démarrées depuis votre adresse\u{a0}: 2 par minute au maximum. \
         Veuillez patienter une minute et réessayer."
    );
}

/// The next refusal on a widget socket, its lines skipped.
async fn refusal(widget: &mut Ws) -> String {
    loop {
        match next_widget(widget).await {
            WidgetMessage::Rejected { message, .. } => return message,
            WidgetMessage::Line { .. }
            | WidgetMessage::Synced { .. }
            | WidgetMessage::Queue { .. } => continue,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}

async fn close_reason(ws: &mut Ws) -> Option<(u16, String)> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next()).await;
        match frame {
            Ok(Some(Ok(Message::Close(frame)))) => {
                return frame.map(|f| (u16::from(f.code), f.reason.to_string()))
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    }
}

/// SPEC P-1, K-2: a widget opened with `?lang=fr` reads its refusals and the reason its
/// socket closes in French, whatever its browser's languages; one without, in English.
#[tokio::test]
async fn the_widget_socket_speaks_the_language_it_was_opened_with() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = TestServer::start().await;
    let problem = server.queue("Support", &[]).await;
    let cookie = server.start_chat("Zoé", problem).await;
    let url = format!("ws://{}/widget/ws?v=1&lang=fr", server.addr);
    let mut french = widget_at(&url, &cookie, 0).await;
    send_json(&mut french, json!({"type": "shout"})).await;
    assert_eq!(refusal(&mut french).await, "Le message n'a pas pu être lu.");
    let long = "é".repeat(1501);
    send_json(
        &mut french,
        json!({"type": "send", "client_id": "k1", "text": long}),
    )
    .await;
    assert_eq!(
        refusal(&mut french).await,
        "Message\u{a0}: 1500 caractères au maximum (saisis\u{a0}: 1501)"
    );
    let over = format!(
        "{{\"type\":\"typing\",\"active\":true{}}}",
        " ".repeat(17_000)
    );
    french.send(Message::Text(over.into())).await.unwrap();
    assert_eq!(
        close_reason(&mut french).await,
        Some((
            1009,
            "Un message peut contenir au plus 16\u{a0}Ko.".to_string()
        ))
    );
    let url = format!("ws://{}/widget/ws?v=1", server.addr);
    let mut english = widget_at(&url, &cookie, 0).await;
    send_json(&mut english, json!({"type": "shout"})).await;
    assert_eq!(
        refusal(&mut english).await,
        "The message could not be read."
    );
}

/// SPEC K-2: the transcript's system lines, and how it writes who said what, are in the
/// widget's language (its download link says `?lang=`); the people's words as written.
#[tokio::test]
async fn the_transcript_is_in_the_widgets_language() {
    let server = TestServer::start().await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let mut desk = server.desktop_ready("alice").await;
    let cookie = server.start_chat("Zoé", problem).await;
    let offer = next_offer(&mut desk).await;
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::ChatLine { line, .. }
            if matches!(&line.body, LineBody::System { note: SystemNote::Joined { .. } }))
    })
    .await;
    let transcript = |query: &'static str| {
        let url = server.url(&format!("/widget/api/transcript{query}"));
        let cookie = cookie.clone();
        async move {
            let response = reqwest::Client::new()
                .get(url)
                .header("cookie", cookie)
                .header("accept-language", "en")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    };
    let french = transcript("?lang=fr").await;
    assert!(
        french.contains("] alice a rejoint la conversation.\n"),
        "{french}"
    );
    let english = transcript("").await;
    assert!(
        english.contains("] alice has joined the chat.\n"),
        "{english}"
    );
}
