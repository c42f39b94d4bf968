//! Queues and the pre-chat form as administrators manage them (SPEC D-2, K-2, O-2), against
//! the real server: only administrators reach the calls; a CSQ is created, renamed and given
//! members who are offered its chats at once; a retired CSQ keeps what waits in it and is
//! offered on no pre-chat form; problem statements follow the administrator's order.

use crate::common;

use app::{
    api::QueuesView,
    domain::{
        agent::Role,
        ids::{AgentId, CsqId},
        queues::{CsqEdit, ProblemStatementEdit},
        validate::{Field, Problem},
        widget::WidgetConfig,
    },
};
use common::{next_offer, ok, refused, TestServer};
use serde_json::json;

async fn save_csq(server: &TestServer, cookie: &str, edit: &CsqEdit) -> reqwest::Response {
    server
        .post_json("/api/admin/csq", cookie, &json!({ "edit": edit }))
        .await
}

async fn save_statement(
    server: &TestServer,
    cookie: &str,
    edit: &ProblemStatementEdit,
) -> reqwest::Response {
    server
        .post_json(
            "/api/admin/problem-statement",
            cookie,
            &json!({ "edit": edit }),
        )
        .await
}

async fn move_statement(server: &TestServer, cookie: &str, id: i64, up: bool) -> reqwest::Response {
    server
        .post_form(
            "/api/admin/problem-statement/move",
            cookie,
            &[("id", id.to_string()), ("up", up.to_string())],
        )
        .await
}

fn new_csq(name: &str, members: &[AgentId]) -> CsqEdit {
    CsqEdit {
        id: None,
        name: name.into(),
        retired: false,
        members: members.to_vec(),
    }
}

async fn widget_problems(server: &TestServer) -> Vec<String> {
    let config: WidgetConfig = reqwest::get(server.url("/widget/api/config"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    config.problems.into_iter().map(|p| p.label).collect()
}

/// SPEC D-2: agents and supervisors are refused every queue call, and nothing changes.
#[tokio::test]
async fn d2_only_administrators_manage_queues() {
    let server = TestServer::start().await;
    server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("sue", "super-pass-1", Role::Supervisor)
        .await;
    for cookie in [
        server.session("ann", "agent-pass-1").await,
        server.session("sue", "super-pass-1").await,
    ] {
        assert_eq!(
            save_csq(&server, &cookie, &new_csq("Sneaky", &[]))
                .await
                .status(),
            403
        );
        let statement = ProblemStatementEdit {
            id: None,
            label: "Sneaky".into(),
            csq: CsqId(1),
            retired: false,
        };
        assert_eq!(
            save_statement(&server, &cookie, &statement).await.status(),
            403
        );
        assert_eq!(
            move_statement(&server, &cookie, 1, true).await.status(),
            403
        );
    }
    assert_eq!(
        save_csq(&server, "", &new_csq("Sneaky", &[]))
            .await
            .status(),
        401
    );
    assert!(server.services.store.csqs().await.unwrap().is_empty());
}

/// SPEC D-2, O-2, K-2: a CSQ and a problem statement made in the page route the next chat;
/// a member added while Ready is offered it at once; names are unique ignoring case; a
/// retired CSQ leaves the pre-chat form but keeps the chat already waiting in it.
#[tokio::test]
async fn d2_a_queue_made_in_the_page_routes_chats_and_retires_softly() {
    let server = TestServer::start().await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let admin = server.session("root", "admin-pass-1").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let mut desk = server.desktop_ready("ann").await;

    let view: QueuesView = ok(save_csq(&server, &admin, &new_csq(" Returns ", &[])).await).await;
    let returns = view.csqs[0].clone();
    assert_eq!(returns.name, "Returns");
    assert_eq!(
        refused(save_csq(&server, &admin, &new_csq("RETURNS", &[])).await).await,
        [(
            Field::CsqName,
            Problem::Duplicate {
                value: "RETURNS".into()
            }
        )]
    );
    assert_eq!(
        refused(save_csq(&server, &admin, &new_csq("Ghosts", &[AgentId(999)])).await).await,
        [(Field::Members, Problem::UnknownId { id: 999 })]
    );
    let view: QueuesView = ok(save_statement(
        &server,
        &admin,
        &ProblemStatementEdit {
            id: None,
            label: "Send something back".into(),
            csq: returns.id,
            retired: false,
        },
    )
    .await)
    .await;
    let statement = view.problem_statements[0].id;
    assert_eq!(widget_problems(&server).await, ["Send something back"]);

    let _waiting = server.start_chat("Carol", statement).await;
    let joined = CsqEdit {
        members: vec![ann],
        ..CsqEdit::of(&returns)
    };
    let view: QueuesView = ok(save_csq(&server, &admin, &joined).await).await;
    assert_eq!(view.csqs[0].members[0].username, "ann");
    let offer = next_offer(&mut desk).await;
    assert_eq!(offer.customer.name, "Carol");
    assert_eq!(offer.csq, "Returns");

    // Ann holds Carol's chat (her maximum is 3, but she does not accept): Erin waits.
    let _erin = server.start_chat("Erin", statement).await;
    let retired = CsqEdit {
        retired: true,
        name: "Returns (old)".into(),
        ..joined
    };
    let view: QueuesView = ok(save_csq(&server, &admin, &retired).await).await;
    assert!(view.csqs[0].retired);
    assert_eq!(view.csqs[0].name, "Returns (old)");
    assert!(
        widget_problems(&server).await.is_empty(),
        "its problem statement is no longer offered"
    );
    let start = reqwest::Client::new()
        .post(server.url("/widget/api/start"))
        .json(
            &json!({"name": "Dan", "email": "dan@example.com", "phone": "", "problem": statement}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 422, "a form loaded before cannot start one");
    let body: serde_json::Value = start.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["message"],
        "Problem: is no longer offered: please choose another"
    );
    assert_eq!(
        refused(
            save_statement(
                &server,
                &admin,
                &ProblemStatementEdit {
                    id: None,
                    label: "Elsewhere".into(),
                    csq: returns.id,
                    retired: false,
                }
            )
            .await
        )
        .await,
        [(Field::Csqs, Problem::Retired)]
    );
    // A chat that waited in it before it retired is still offered to its members.
    let _desk = desk;
    let bea = server.create_agent("bea", "agent-pass-1").await;
    let with_bea = CsqEdit {
        members: vec![ann, bea],
        ..CsqEdit::of(&view.csqs[0])
    };
    ok::<QueuesView>(save_csq(&server, &admin, &with_bea).await).await;
    let mut bea_desk = server.desktop_ready("bea").await;
    let offer = next_offer(&mut bea_desk).await;
    assert_eq!(offer.customer.name, "Erin", "{offer:?}");
    let audit = server.services.store.admin_audit(20).await.unwrap();
    assert_eq!(
        audit.iter().filter(|a| a.action == "csq.save").count(),
        4,
        "{audit:?}"
    );
}

/// SPEC K-2: the pre-chat form lists the problem statements in the administrator's order;
/// a retired one leaves it; an order that misses one is refused.
#[tokio::test]
async fn k2_problem_statements_follow_the_administrators_order() {
    let server = TestServer::start().await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let admin = server.session("root", "admin-pass-1").await;
    let view: QueuesView = ok(save_csq(&server, &admin, &new_csq("Support", &[])).await).await;
    let csq = view.csqs[0].id;
    let mut ids = Vec::new();
    for label in ["Billing", "Delivery", "Something else"] {
        let view: QueuesView = ok(save_statement(
            &server,
            &admin,
            &ProblemStatementEdit {
                id: None,
                label: label.into(),
                csq,
                retired: false,
            },
        )
        .await)
        .await;
        ids.push(view.problem_statements.last().unwrap().id);
    }
    assert_eq!(
        widget_problems(&server).await,
        ["Billing", "Delivery", "Something else"]
    );
    ok::<QueuesView>(move_statement(&server, &admin, ids[2], true).await).await;
    ok::<QueuesView>(move_statement(&server, &admin, ids[2], true).await).await;
    assert_eq!(
        widget_problems(&server).await,
        ["Something else", "Billing", "Delivery"]
    );
    ok::<QueuesView>(move_statement(&server, &admin, ids[2], true).await).await;
    ok::<QueuesView>(move_statement(&server, &admin, ids[1], false).await).await;
    assert_eq!(
        widget_problems(&server).await,
        ["Something else", "Billing", "Delivery"],
        "nothing moves past either end"
    );
    assert_eq!(
        refused(move_statement(&server, &admin, 999, true).await).await,
        [(Field::Problem, Problem::UnknownId { id: 999 })]
    );
    let view: QueuesView = ok(save_statement(
        &server,
        &admin,
        &ProblemStatementEdit {
            id: Some(ids[0]),
            label: "Billing".into(),
            csq,
            retired: true,
        },
    )
    .await)
    .await;
    assert!(view.problem_statements.iter().any(|s| s.retired));
    assert_eq!(
        widget_problems(&server).await,
        ["Something else", "Delivery"]
    );
    assert_eq!(
        refused(
            save_statement(
                &server,
                &admin,
                &ProblemStatementEdit {
                    id: None,
                    label: " delivery ".into(),
                    csq,
                    retired: false,
                }
            )
            .await
        )
        .await,
        [(
            Field::Problem,
            Problem::Duplicate {
                value: "delivery".into()
            }
        )]
    );
}
