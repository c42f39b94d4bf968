//! Canned responses as administrators manage them (SPEC R-3, P-3, D-2), against the real
//! server: only administrators reach the calls; chat and email ones are global or of one
//! CSQ, and a contact offers the global ones and its CSQ's; an email one is sanitized on
//! save; the limits are refused by field; deleting one is audited.

use crate::common;

use app::{
    api::{CannedView, DesktopView},
    domain::{
        agent::Role,
        canned::{offered, CannedEdit},
        contact::ContactKind,
        ids::{CannedResponseId, CsqId},
        validate::{Field, Problem},
    },
};
use common::{desk::accept_next, ok, refused, TestServer};
use serde_json::json;

async fn save(server: &TestServer, cookie: &str, edit: &CannedEdit) -> reqwest::Response {
    server
        .post_json("/api/admin/canned", cookie, &json!({ "edit": edit }))
        .await
}

async fn delete(server: &TestServer, cookie: &str, id: CannedResponseId) -> reqwest::Response {
    server
        .post_form("/api/admin/canned/delete", cookie, &[("id", id.0)])
        .await
}

fn new(kind: ContactKind, title: &str, body: &str, csq: Option<CsqId>) -> CannedEdit {
    CannedEdit {
        id: None,
        kind,
        title: title.into(),
        body: body.into(),
        csq,
    }
}

/// SPEC D-2: agents and supervisors are refused; nothing is stored.
#[tokio::test]
async fn d2_only_administrators_manage_canned_responses() {
    let server = TestServer::start().await;
    server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("sue", "super-pass-1", Role::Supervisor)
        .await;
    let id = server
        .services
        .store
        .create_canned_response(ContactKind::Chat, "Hello", "Hello!")
        .await
        .unwrap();
    for cookie in [
        server.session("ann", "agent-pass-1").await,
        server.session("sue", "super-pass-1").await,
        String::new(),
    ] {
        let expected = if cookie.is_empty() { 401 } else { 403 };
        let edit = new(ContactKind::Chat, "Sneaky", "Hi", None);
        assert_eq!(save(&server, &cookie, &edit).await.status(), expected);
        assert_eq!(delete(&server, &cookie, id).await.status(), expected);
    }
    let left = server
        .services
        .store
        .canned_responses(ContactKind::Chat)
        .await
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].title, "Hello");
}

/// SPEC R-3, P-3: the chat an agent of Billing accepts offers the global responses and
/// Billing's, never Sales'. An email response is stored sanitized as a reply is.
#[tokio::test]
async fn r3_a_contact_offers_the_global_responses_and_its_queues() {
    let server = TestServer::start().await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let admin = server.session("root", "admin-pass-1").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let billing_problem = server.queue("Billing", &[ann]).await;
    server.queue("Sales", &[]).await;
    let csqs = server.services.store.csqs().await.unwrap();
    let billing = csqs.iter().find(|c| c.name == "Billing").unwrap().id;
    let sales = csqs.iter().find(|c| c.name == "Sales").unwrap().id;

    ok::<CannedView>(
        save(
            &server,
            &admin,
            &new(
                ContactKind::Chat,
                "Greeting",
                "Hello, how can I help?",
                None,
            ),
        )
        .await,
    )
    .await;
    ok::<CannedView>(
        save(
            &server,
            &admin,
            &new(
                ContactKind::Chat,
                "Refund",
                "Your refund is on its way.",
                Some(billing),
            ),
        )
        .await,
    )
    .await;
    ok::<CannedView>(
        save(
            &server,
            &admin,
            &new(ContactKind::Chat, "Discount", "10% off today.", Some(sales)),
        )
        .await,
    )
    .await;
    let view: CannedView = ok(save(
        &server,
        &admin,
        &new(
            ContactKind::Email,
            "Thanks",
            "<p onclick=\"steal()\">Thank you <b>very</b> much<script>alert(1)</script></p>",
            Some(billing),
        ),
    )
    .await)
    .await;
    assert_eq!(view.chat.len(), 3);
    assert_eq!(
        view.email[0].body, "<p>Thank you <b>very</b> much</p>",
        "stored sanitized"
    );

    let cookie = server.session("ann", "agent-pass-1").await;
    let desktop: DesktopView = server
        .post("/api/desktop", &cookie)
        .await
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = desktop.canned.iter().map(|c| c.title.as_str()).collect();
    // Every response: a contact from another queue (an invitation) offers its own.
    assert_eq!(titles, ["Discount", "Greeting", "Refund"]);
    assert_eq!(desktop.canned_email.len(), 1);

    let mut desk = server.desktop_ready("ann").await;
    server.start_chat("Carol", billing_problem).await;
    let chat = accept_next(&mut desk).await;
    assert_eq!(chat.csq_id, billing);
    let on_chat: Vec<String> = offered(&desktop.canned, chat.csq_id)
        .into_iter()
        .map(|c| c.title)
        .collect();
    assert_eq!(on_chat, ["Greeting", "Refund"]);
}

/// SPEC D-2: each limit is refused by its field; an edit keeps the id; a delete is audited
/// and a second one finds nothing.
#[tokio::test]
async fn d2_canned_limits_and_deletion() {
    let server = TestServer::start().await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let admin = server.session("root", "admin-pass-1").await;
    assert_eq!(
        refused(
            save(
                &server,
                &admin,
                &new(ContactKind::Chat, &"t".repeat(81), "x", None)
            )
            .await
        )
        .await,
        [(
            Field::CannedTitle,
            Problem::TooManyChars { max: 80, given: 81 }
        )]
    );
    assert_eq!(
        refused(
            save(
                &server,
                &admin,
                &new(ContactKind::Chat, "Long", &"é".repeat(1501), None)
            )
            .await
        )
        .await,
        [(
            Field::CannedBody,
            Problem::TooManyChars {
                max: 1500,
                given: 1501
            }
        )]
    );
    assert_eq!(
        refused(
            save(
                &server,
                &admin,
                &new(
                    ContactKind::Email,
                    "Empty",
                    "<script>x</script><p> </p>",
                    None
                )
            )
            .await
        )
        .await,
        [(Field::CannedBody, Problem::Required)],
        "what is left after sanitizing is checked"
    );
    assert_eq!(
        refused(
            save(
                &server,
                &admin,
                &new(ContactKind::Chat, "Lost", "x", Some(CsqId(77)))
            )
            .await
        )
        .await,
        [(Field::Csqs, Problem::UnknownId { id: 77 })]
    );
    let view: CannedView = ok(save(
        &server,
        &admin,
        &new(ContactKind::Chat, "Hello", "Hi!", None),
    )
    .await)
    .await;
    let hello = view.chat[0].clone();
    assert_eq!(
        refused(
            save(
                &server,
                &admin,
                &new(ContactKind::Chat, "HELLO", "Hey", None)
            )
            .await
        )
        .await,
        [(
            Field::CannedTitle,
            Problem::Duplicate {
                value: "HELLO".into()
            }
        )]
    );
    let changed = CannedEdit {
        id: Some(hello.id),
        ..new(ContactKind::Chat, "Hello", "  Hi there!  ", None)
    };
    let view: CannedView = ok(save(&server, &admin, &changed).await).await;
    assert_eq!(view.chat.len(), 1);
    assert_eq!(view.chat[0].id, hello.id);
    assert_eq!(view.chat[0].body, "Hi there!");

    let view: CannedView = ok(delete(&server, &admin, hello.id).await).await;
    assert!(view.chat.is_empty());
    assert_eq!(
        refused(delete(&server, &admin, hello.id).await).await,
        [(Field::CannedTitle, Problem::UnknownId { id: hello.id.0 })]
    );
    let audit = server.services.store.admin_audit(10).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["canned.delete", "canned.save", "canned.save"]);
    assert!(
        audit[0].detail.contains("\"Hello\" deleted"),
        "{}",
        audit[0].detail
    );
}
