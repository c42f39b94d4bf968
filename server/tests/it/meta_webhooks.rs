//! Meta's webhooks for Messenger and WhatsApp (SPEC F-1, F-3, issue 16) against the real
//! server: the verification handshake, and event posts taken only when signed with the
//! channel's app secret on their exact bytes, kept before Meta is answered. The posts are
//! the shapes Meta documents (`fixtures/meta`), signed as Meta signs them.

use crate::common;

use app::domain::{limits::WEBHOOK_REFUSALS_PER_MINUTE, meta::MetaChannel};
use common::TestServer;
use server::{
    meta::signature::sign,
    store::meta::{app_secret_context, MetaChannelSettings, StoredMetaChannel},
};

const APP_SECRET: &str = "test-app-secret-6f1d";
const VERIFY_TOKEN: &str = "switchboard-verify-42";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/meta/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The channel set up as an administrator would: its app secret sealed.
async fn set_up(server: &TestServer, channel: MetaChannel, enabled: bool) {
    let meta = &server.services.meta;
    meta.store
        .save_meta_channel(
            &StoredMetaChannel {
                channel,
                enabled,
                settings: MetaChannelSettings {
                    csq: None,
                    business_name: "Shop".into(),
                    // The fixtures' Page and phone number; no queue, so the posts
                    // stay in the inbox for the test to read.
                    account_id: match channel {
                        MetaChannel::Messenger => "1234567890",
                        MetaChannel::WhatsApp => "106540352242922",
                    }
                    .into(),
                    verify_token: VERIFY_TOKEN.into(),
                    human_agent_tag: false,
                    ..Default::default()
                },
                app_secret: Some(meta.secrets.seal(&app_secret_context(channel), APP_SECRET)),
                access_token: None,
            },
            None,
        )
        .await
        .unwrap();
}

async fn handshake(server: &TestServer, channel: &str, query: &[(&str, &str)]) -> (u16, String) {
    // The test's values need no escaping.
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let response = reqwest::Client::new()
        .get(server.url(&format!("/webhooks/{channel}?{}", query.join("&"))))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn post(
    server: &TestServer,
    channel: &str,
    body: &[u8],
    signature: Option<&str>,
) -> (u16, String) {
    let mut request = reqwest::Client::new()
        .post(server.url(&format!("/webhooks/{channel}")))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("X-Hub-Signature-256", signature);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// SPEC F-1, F-3: Meta's `GET` with `hub.mode=subscribe` and the channel's verify token gets
/// its `hub.challenge` back as plain text; anything else gets 403; a channel not set up (or
/// disabled), 404.
#[tokio::test]
async fn f1_the_verification_handshake_answers_only_the_channels_verify_token() {
    let server = TestServer::start().await;
    let subscribe = |token| {
        [
            ("hub.mode", "subscribe"),
            ("hub.verify_token", token),
            ("hub.challenge", "1158201444"),
        ]
    };
    assert_eq!(
        handshake(&server, "messenger", &subscribe(VERIFY_TOKEN))
            .await
            .0,
        404,
        "not set up yet"
    );
    set_up(&server, MetaChannel::Messenger, true).await;
    assert_eq!(
        handshake(&server, "messenger", &subscribe(VERIFY_TOKEN)).await,
        (200, "1158201444".to_string())
    );
    assert_eq!(
        handshake(&server, "messenger", &subscribe("guess")).await.0,
        403
    );
    assert_eq!(handshake(&server, "messenger", &subscribe("")).await.0, 403);
    let unsubscribe = [
        ("hub.mode", "unsubscribe"),
        ("hub.verify_token", VERIFY_TOKEN),
        ("hub.challenge", "1"),
    ];
    assert_eq!(handshake(&server, "messenger", &unsubscribe).await.0, 403);
    let long = "9".repeat(257);
    let too_long = [
        ("hub.mode", "subscribe"),
        ("hub.verify_token", VERIFY_TOKEN),
        ("hub.challenge", long.as_str()),
    ];
    assert_eq!(handshake(&server, "messenger", &too_long).await.0, 403);
    assert_eq!(
        handshake(&server, "whatsapp", &subscribe(VERIFY_TOKEN))
            .await
            .0,
        404,
        "WhatsApp is not set up"
    );
    assert_eq!(
        handshake(&server, "telegram", &subscribe(VERIFY_TOKEN))
            .await
            .0,
        404
    );
    set_up(&server, MetaChannel::Messenger, false).await;
    assert_eq!(
        handshake(&server, "messenger", &subscribe(VERIFY_TOKEN))
            .await
            .0,
        404,
        "disabled"
    );

    // A stranger guessing the verify token is turned away after its refusals, and then
    // even the right token waits.
    set_up(&server, MetaChannel::Messenger, true).await;
    let mut guesses = 0;
    while handshake(&server, "messenger", &subscribe("guess")).await.0 == 403 {
        guesses += 1;
        assert!(guesses <= WEBHOOK_REFUSALS_PER_MINUTE, "never turned away");
    }
    assert_eq!(
        handshake(&server, "messenger", &subscribe(VERIFY_TOKEN)).await,
        (429, "too many refused requests".to_string())
    );
}

/// SPEC F-1, F-3: a post is taken (200) only with `X-Hub-Signature-256` of its exact bytes
/// under the channel's app secret, and is then kept byte for byte; missing, wrong or another
/// secret's signature gets 401 and nothing is kept; a body over the limit gets 413.
#[tokio::test]
async fn f1_f3_a_post_is_kept_only_when_signed_with_the_app_secret() {
    let server = TestServer::start().await;
    set_up(&server, MetaChannel::Messenger, true).await;
    set_up(&server, MetaChannel::WhatsApp, true).await;
    let store = &server.services.meta.store;
    let messenger = fixture("messenger_text.json");
    let whatsapp = fixture("whatsapp_text.json");
    let signed = sign(APP_SECRET.as_bytes(), &messenger);

    assert_eq!(post(&server, "messenger", &messenger, None).await.0, 401);
    assert_eq!(
        post(
            &server,
            "messenger",
            &messenger,
            Some(&sign(b"another-secret", &messenger))
        )
        .await
        .0,
        401
    );
    // The same signature over a body changed by one byte (a re-encoded JSON, say).
    let mut altered = messenger.clone();
    let last = altered.len() - 2;
    altered[last] = b' ';
    assert_eq!(
        post(&server, "messenger", &altered, Some(&signed)).await.0,
        401
    );
    assert_eq!(
        post(&server, "messenger", &messenger, Some("sha256=not-hex"))
            .await
            .0,
        401
    );
    assert!(store.pending_webhooks(10).await.unwrap().is_empty());

    assert_eq!(
        post(&server, "messenger", &messenger, Some(&signed)).await,
        (200, "EVENT_RECEIVED".to_string())
    );
    let whatsapp_signed = sign(APP_SECRET.as_bytes(), &whatsapp);
    assert_eq!(
        post(&server, "whatsapp", &whatsapp, Some(&whatsapp_signed))
            .await
            .0,
        200
    );
    let kept = store.pending_webhooks(10).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(
        (kept[0].channel, kept[0].body.as_slice()),
        (MetaChannel::Messenger, messenger.as_slice())
    );
    assert_eq!(
        (kept[1].channel, kept[1].body.as_slice()),
        (MetaChannel::WhatsApp, whatsapp.as_slice())
    );

    let huge = vec![b' '; app::domain::limits::MAX_WEBHOOK_BODY_BYTES + 1];
    let huge_signed = sign(APP_SECRET.as_bytes(), &huge);
    assert_eq!(
        post(&server, "messenger", &huge, Some(&huge_signed))
            .await
            .0,
        413
    );
    assert_eq!(store.pending_webhooks(10).await.unwrap().len(), 2);
}
