//! Messenger and WhatsApp set up in the administration (SPEC F-1, F-3, D-2, issue 16)
//! against the real server: administrators only; each field refused by name; secrets
//! write-only (never sent back, never audited, kept when left empty, sealed in the
//! database); "Test" reads the account through the Graph API (a fake following Meta's wire
//! format) and reports Meta's refusal of a wrong token; a channel saved in the page takes
//! Meta's verification handshake at once.

use crate::common;

use app::domain::{
    agent::Role,
    channels::{MetaChannelAdmin, MetaChannelEdit},
    message_template::MessageTemplate,
    meta::MetaChannel,
    validate::{Field, Problem},
};
use common::{graph::FakeGraph, ok, refused, TestServer};
use serde_json::json;

const TOKEN: &str = "EAAG-page-token-in-the-page";
const SECRET: &str = "0123456789abcdef0123456789abcdef";

async fn post(
    server: &TestServer,
    cookie: &str,
    path: &str,
    edit: &MetaChannelEdit,
) -> reqwest::Response {
    server
        .post_json(path, cookie, &json!({ "edit": edit }))
        .await
}

fn edit(csq: app::domain::ids::CsqId, graph: &FakeGraph) -> MetaChannelEdit {
    MetaChannelEdit {
        channel: MetaChannel::Messenger,
        enabled: true,
        csq: Some(csq),
        business_name: "Shop".into(),
        account_id: "1234567890".into(),
        verify_token: "shop-verify-7f3a9c".into(),
        human_agent_tag: false,
        templates: Vec::new(),
        graph_api_base: graph.url.clone(),
        graph_api_version: "v25.0".into(),
        app_secret: SECRET.into(),
        access_token: TOKEN.into(),
    }
}

/// SPEC F-1, D-2: only an administrator sets a channel up; a field given wrong is refused
/// by name; a saved channel's secrets never come back and are kept when left empty; the
/// audit names what changed without a secret; the database holds no secret in clear; the
/// webhook's handshake answers the saved verify token; "Test" says what Meta answered.
#[tokio::test]
async fn f1_d2_a_channel_set_up_in_the_page_keeps_its_secrets_to_itself() {
    let server = TestServer::start().await;
    let graph = FakeGraph::start(TOKEN).await;
    server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    server.queue("Support", &[]).await;
    let support = server.services.store.csqs().await.unwrap()[0].id;
    let good = edit(support, &graph);

    let ann = server.session("ann", "agent-pass-1").await;
    for path in ["/api/admin/channel", "/api/admin/channel/test"] {
        assert_eq!(post(&server, &ann, path, &good).await.status(), 403);
    }
    assert_eq!(
        server
            .services
            .store
            .meta_channel(MetaChannel::Messenger)
            .await
            .unwrap(),
        None
    );

    let root = server.session("root", "admin-pass-1").await;
    let bad = MetaChannelEdit {
        account_id: "my page".into(),
        verify_token: "short".into(),
        access_token: String::new(),
        ..good.clone()
    };
    assert_eq!(
        refused(post(&server, &root, "/api/admin/channel", &bad).await).await,
        [
            (
                Field::AccountId,
                Problem::NotLike {
                    example: "106540352242922".into()
                }
            ),
            (
                Field::VerifyToken,
                Problem::TooFewChars { min: 8, given: 5 }
            ),
            (Field::AccessToken, Problem::Required),
        ]
    );

    let saved: Vec<MetaChannelAdmin> =
        ok(post(&server, &root, "/api/admin/channel", &good).await).await;
    let messenger = saved
        .iter()
        .find(|c| c.channel == MetaChannel::Messenger)
        .unwrap();
    assert!(messenger.enabled && messenger.app_secret_set && messenger.access_token_set);
    assert_eq!(messenger.csq, Some(support));
    let whatsapp = saved
        .iter()
        .find(|c| c.channel == MetaChannel::WhatsApp)
        .unwrap();
    assert_eq!(whatsapp, &MetaChannelAdmin::unset(MetaChannel::WhatsApp));

    // Saved again with the secrets left empty: kept.
    let renamed = MetaChannelEdit {
        business_name: "Shop & Co".into(),
        app_secret: String::new(),
        access_token: String::new(),
        ..good.clone()
    };
    let again: Vec<MetaChannelAdmin> =
        ok(post(&server, &root, "/api/admin/channel", &renamed).await).await;
    assert!(again[0].app_secret_set && again[0].access_token_set);
    let answer = server.post("/api/admin", &root).await.text().await.unwrap();
    assert!(answer.contains("Shop & Co"), "{answer}");
    assert!(!answer.contains(TOKEN) && !answer.contains(SECRET));
    let audit = server.services.store.admin_audit(10).await.unwrap();
    let lines: Vec<&str> = audit
        .iter()
        .filter(|a| a.action == "channel.save")
        .map(|a| a.detail.as_str())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"Shop\" -> \"Shop & Co\"")),
        "{lines:?}"
    );
    assert!(lines
        .iter()
        .all(|l| !l.contains(TOKEN) && !l.contains(SECRET)));
    let db = std::fs::read(server.data_dir().join("server.db")).unwrap();
    let clear = |secret: &str| db.windows(secret.len()).any(|w| w == secret.as_bytes());
    assert!(
        !clear(TOKEN) && !clear(SECRET),
        "no secret in clear in the database"
    );

    // Meta's handshake answers the verify token saved in the page.
    let handshake = reqwest::get(server.url(
        "/webhooks/messenger?hub.mode=subscribe&hub.verify_token=shop-verify-7f3a9c&hub.challenge=31415",
    ))
    .await
    .unwrap();
    assert_eq!(handshake.status(), 200);
    assert_eq!(handshake.text().await.unwrap(), "31415");

    // Test: with the saved token, then with a wrong one typed.
    let tested: app::api::TestOutcome =
        ok(post(&server, &root, "/api/admin/channel/test", &renamed).await).await;
    assert!(tested.ok, "{tested:?}");
    assert_eq!(tested.message, "Meta answered: Shop");
    let call = graph.requests().pop().unwrap();
    assert_eq!(call.path, "/v25.0/1234567890");
    assert_eq!(call.authorization, Some(format!("Bearer {TOKEN}")));
    let wrong = MetaChannelEdit {
        access_token: "EAAG-expired".into(),
        ..renamed.clone()
    };
    let tested: app::api::TestOutcome =
        ok(post(&server, &root, "/api/admin/channel/test", &wrong).await).await;
    assert!(!tested.ok);
    assert!(
        tested.message.contains("code 190") && !tested.message.contains("EAAG-expired"),
        "{tested:?}"
    );
    // Nothing a test typed was saved.
    let stored = server
        .services
        .store
        .meta_channel(MetaChannel::Messenger)
        .await
        .unwrap()
        .unwrap();
    let token = server
        .services
        .meta
        .secrets
        .open(
            &server::store::meta::access_token_context(MetaChannel::Messenger),
            stored.access_token.as_deref().unwrap(),
        )
        .unwrap();
    assert_eq!(token.as_str(), TOKEN);
}

/// SPEC F-3: the WhatsApp channel's approved templates are set in the page: each row's
/// name, language and text refused by name and place (Meta's name shape, a language code,
/// placeholders `{{1}}`... without a gap, no template twice), the list saved as typed
/// (spaces trimmed) and audited by name, and offered to agents in the desktop while the
/// channel is on. Messenger keeps none.
#[tokio::test]
async fn f3_whatsapp_templates_are_set_in_the_page_and_offered_to_agents() {
    let server = TestServer::start().await;
    let graph = FakeGraph::start(TOKEN).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    server.queue("Support", &[ann]).await;
    let support = server.services.store.csqs().await.unwrap()[0].id;
    let root = server.session("root", "admin-pass-1").await;
    let template = |name: &str, language: &str, text: &str| MessageTemplate {
        name: name.into(),
        language: language.into(),
        text: text.into(),
    };
    let whatsapp = MetaChannelEdit {
        channel: MetaChannel::WhatsApp,
        account_id: "106540352242922".into(),
        templates: vec![
            template(
                " order_update ",
                "en_US",
                "Hello {{1}}, your order {{2}} has shipped.",
            ),
            template("Order-Update", "english", "Hi {{2}}"),
            template("order_update", "en_US", "Again"),
        ],
        ..edit(support, &graph)
    };
    assert_eq!(
        refused(post(&server, &root, "/api/admin/channel", &whatsapp).await).await,
        [
            (
                Field::TemplateName(2),
                Problem::NotLike {
                    example: "order_update".into()
                }
            ),
            (
                Field::TemplateLanguage(2),
                Problem::NotLike {
                    example: "en_US".into()
                }
            ),
            (
                Field::TemplateText(2),
                Problem::PlaceholderMissing { number: 1 }
            ),
            (
                Field::TemplateName(3),
                Problem::Duplicate {
                    value: "order_update (en_US)".into()
                }
            ),
        ]
    );

    let good = MetaChannelEdit {
        templates: vec![
            whatsapp.templates[0].clone(),
            template(
                "order_update",
                "fr",
                "Bonjour {{1}}, votre commande {{2}} est partie.",
            ),
        ],
        ..whatsapp
    };
    let saved: Vec<MetaChannelAdmin> =
        ok(post(&server, &root, "/api/admin/channel", &good).await).await;
    let titles = |channel: &MetaChannelAdmin| -> Vec<String> {
        channel
            .templates
            .iter()
            .map(MessageTemplate::title)
            .collect()
    };
    let stored = saved
        .iter()
        .find(|c| c.channel == MetaChannel::WhatsApp)
        .unwrap();
    assert_eq!(
        titles(stored),
        ["order_update (en_US)", "order_update (fr)"]
    );
    let audit = server.services.store.admin_audit(5).await.unwrap();
    assert!(
        audit[0]
            .detail
            .contains("templates \"\" -> \"order_update (en_US), order_update (fr)\""),
        "{:?}",
        audit[0].detail
    );

    // The agent's desktop offers them while the channel is on, and not once it is off.
    let desktop = |cookie: String| {
        let server = &server;
        async move {
            let view: app::api::DesktopView = ok(server.post("/api/desktop", &cookie).await).await;
            view.whatsapp_templates
        }
    };
    let agent = server.session("ann", "agent-pass-1").await;
    assert_eq!(desktop(agent.clone()).await, stored.templates);
    let off = MetaChannelEdit {
        enabled: false,
        app_secret: String::new(),
        access_token: String::new(),
        ..good.clone()
    };
    ok::<Vec<MetaChannelAdmin>>(post(&server, &root, "/api/admin/channel", &off).await).await;
    assert_eq!(desktop(agent).await, []);

    // Messenger has no templates: any sent are not kept.
    let messenger = MetaChannelEdit {
        templates: good.templates.clone(),
        ..edit(support, &graph)
    };
    let saved: Vec<MetaChannelAdmin> =
        ok(post(&server, &root, "/api/admin/channel", &messenger).await).await;
    assert!(saved
        .iter()
        .find(|c| c.channel == MetaChannel::Messenger)
        .unwrap()
        .templates
        .is_empty());
}
