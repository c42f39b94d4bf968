//! Administration over real HTTP (SPEC D-2): only administrators may read or change the
//! settings; a bad value is refused with the field and its limit and stores nothing; a saved
//! change is audited and reaches the next offer (SPEC S-4, K-5).

mod common;

use app::{
    api::ApiError,
    domain::{
        agent::Role,
        protocol::{AgentEvent, ServerMessage},
        settings::ChatSettings,
        validate::{Field, Problem},
    },
};
use common::{wait_for, TestServer};

/// The form body the settings page's server function call sends (serde_qs nesting).
fn settings_form(s: &ChatSettings) -> String {
    let pairs = s.to_pairs();
    let mut body = String::new();
    for (key, value) in pairs {
        if !body.is_empty() {
            body.push('&');
        }
        let value: String = url_escape(&value);
        body.push_str(&format!("settings[{key}]={value}"));
    }
    body
}

fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn save(server: &TestServer, cookie: &str, s: &ChatSettings) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url("/api/admin/chat-settings"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(settings_form(s))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn only_administrators_read_or_change_settings() {
    let server = TestServer::start().await;
    server.create_agent("alice", "agent-pass-1").await;
    let agent = server.session("alice", "agent-pass-1").await;
    let refused = server.post("/api/admin", &agent).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.json::<ApiError>().await.unwrap(),
        ApiError::Forbidden
    );
    let changed = ChatSettings {
        join_timeout_secs: 20,
        ..Default::default()
    };
    assert_eq!(save(&server, &agent, &changed).await.status(), 403);
    assert_eq!(
        save(&server, "sb_session=forged", &changed).await.status(),
        401
    );
    assert_eq!(
        server.services.store.chat_settings().await.unwrap(),
        ChatSettings::default(),
        "nothing stored"
    );
}

#[tokio::test]
async fn bad_settings_are_refused_field_by_field_and_nothing_is_stored() {
    let server = TestServer::start().await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let admin = server.session("root", "admin-pass-1").await;
    let bad = ChatSettings {
        accept_timer_secs: 5,
        inactivity_timeout_secs: 100_000,
        welcome_message: " ".into(),
        ..Default::default()
    };
    let response = save(&server, &admin, &bad).await;
    assert_eq!(response.status(), 422);
    let ApiError::Invalid(errors) = response.json::<ApiError>().await.unwrap() else {
        panic!("field errors expected");
    };
    let fields: Vec<(Field, Problem)> = errors.into_iter().map(|e| (e.field, e.problem)).collect();
    assert_eq!(
        fields,
        vec![
            (
                Field::AcceptTimer,
                Problem::OutOfRange {
                    min: 10,
                    max: 3600,
                    given: 5
                }
            ),
            (
                Field::InactivityTimeout,
                Problem::OutOfRange {
                    min: 30,
                    max: 86_400,
                    given: 100_000
                }
            ),
            (Field::WelcomeMessage, Problem::Required),
        ]
    );
    assert_eq!(
        server.services.store.chat_settings().await.unwrap(),
        ChatSettings::default()
    );
    assert!(server
        .services
        .store
        .admin_audit(10)
        .await
        .unwrap()
        .is_empty());
}

/// SPEC S-4: the administrator's accept timer is the one the next offer carries; the change
/// is audited with who made it.
#[tokio::test]
async fn a_saved_accept_timer_applies_to_the_next_offer_and_is_audited() {
    let server = TestServer::start().await;
    let root = server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let admin = server.session("root", "admin-pass-1").await;
    let view = server.admin_view(&admin).await;
    assert_eq!(view.chat_settings, ChatSettings::default());

    let changed = ChatSettings {
        accept_timer_secs: 42,
        welcome_message: "  Bonjour & welcome!  ".into(),
        ..Default::default()
    };
    let response = save(&server, &admin, &changed).await;
    assert_eq!(response.status(), 200);
    let stored: ChatSettings = response.json().await.unwrap();
    assert_eq!(stored.welcome_message, "Bonjour & welcome!", "trimmed");
    assert_eq!(server.services.store.chat_settings().await.unwrap(), stored);
    let audit = server.services.store.admin_audit(10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].agent, root);
    assert!(
        audit[0]
            .detail
            .contains("accept_timer_secs: \"15\" -> \"42\""),
        "{}",
        audit[0].detail
    );

    let alice = server.create_agent("alice", "agent-pass-1").await;
    let problem = server.queue("Support", &[alice]).await;
    let mut desk = server.desktop_ready("alice").await;
    let before = server::clock::now_ms();
    server.start_chat("Carla", problem).await;
    let offer = wait_for(
        &mut desk,
        |m| matches!(m, ServerMessage::Event(e) if matches!(e.event, AgentEvent::Offered { .. })),
    )
    .await;
    let ServerMessage::Event(e) = offer else {
        unreachable!()
    };
    let AgentEvent::Offered { offer } = e.event else {
        unreachable!()
    };
    let secs = (offer.expires_at_ms - before) as f64 / 1000.0;
    assert!((40.0..=43.0).contains(&secs), "offer expires in {secs} s");
}
