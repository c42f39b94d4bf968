//! Administration over real HTTP (SPEC D-2): only administrators may read or change the
//! settings; a bad value is refused with the field and its limit and stores nothing; a saved
//! change is audited and reaches the next offer (SPEC S-4, K-5).

use crate::common;

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

async fn save_hosts(server: &TestServer, cookie: &str, hosts: &[&str]) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url("/api/admin/gadget-hosts"))
        .header("cookie", cookie)
        .json(&serde_json::json!({ "hosts": { "origins": hosts } }))
        .send()
        .await
        .expect("request")
}

fn frame_ancestors(response: &reqwest::Response) -> String {
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    csp.split("frame-ancestors ").nth(1).unwrap().to_string()
}

/// SPEC D-1: the administrator names the host desktops; from the next page on they, and
/// only they, may frame the app. A pattern is refused, only administrators may change the
/// list, and each change is audited.
#[tokio::test]
async fn host_desktops_named_by_the_administrator_may_frame_the_pages() {
    let server = TestServer::start().await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    server.create_agent("alice", "agent-pass-1").await;
    let admin = server.session("root", "admin-pass-1").await;
    let agent = server.session("alice", "agent-pass-1").await;
    let page = || async { reqwest::get(server.url("/login")).await.unwrap() };
    assert_eq!(frame_ancestors(&page().await), "'self'");

    let refused = save_hosts(&server, &admin, &["https://*.example.com"]).await;
    assert_eq!(refused.status(), 422);
    let ApiError::Invalid(errors) = refused.json::<ApiError>().await.unwrap() else {
        panic!("field errors expected");
    };
    assert_eq!(errors[0].field, Field::GadgetHosts);
    assert_eq!(
        errors[0].problem,
        Problem::InvalidOrigin {
            value: "https://*.example.com".into()
        }
    );
    assert_eq!(
        save_hosts(&server, &agent, &["https://finesse.example.com"])
            .await
            .status(),
        403
    );
    assert_eq!(frame_ancestors(&page().await), "'self'", "nothing stored");

    let saved = save_hosts(
        &server,
        &admin,
        &["HTTPS://Finesse.example.com:8445/", "http://127.0.0.1:4010"],
    )
    .await;
    assert_eq!(saved.status(), 200);
    assert_eq!(
        frame_ancestors(&page().await),
        "'self' https://finesse.example.com:8445 http://127.0.0.1:4010"
    );
    let audit = server.services.store.admin_audit(5).await.unwrap();
    assert_eq!(audit[0].action, "gadget_hosts.save");
    assert_eq!(
        audit[0].detail,
        "https://finesse.example.com:8445, http://127.0.0.1:4010"
    );
    // The widget's page stays open to any site.
    let widget = reqwest::get(server.url("/widget/chat.html")).await.unwrap();
    assert_eq!(frame_ancestors(&widget), "*");
}

/// SPEC D-1: the gadget descriptor a Finesse layout names, pointing at this server as it
/// was reached, and the manifest for other hosts.
#[tokio::test]
async fn the_gadget_descriptor_and_manifest_point_at_this_server() {
    let server = TestServer::start().await;
    let xml = reqwest::get(server.url("/gadget/switchboard.xml"))
        .await
        .unwrap();
    assert!(xml.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/xml"));
    let xml = xml.text().await.unwrap();
    let base = format!("http://{}", server.addr);
    for part in [
        "<Module>",
        "<ModulePrefs title=\"Switchboard\"",
        "<Require feature=\"dynamic-height\"/>",
        "<Require feature=\"settitle\"/>",
        "<Content type=\"html\"",
        &format!("<script src=\"{base}/gadget/host.js\"></script>"),
        &format!("url: \"{base}/\""),
    ] {
        assert!(xml.contains(part), "{part} in {xml}");
    }
    let manifest: serde_json::Value = reqwest::get(server.url("/gadget/manifest.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(manifest["api_version"], 1);
    assert_eq!(manifest["url"], format!("{base}/"));
    assert_eq!(manifest["host_script"], format!("{base}/gadget/host.js"));
}
