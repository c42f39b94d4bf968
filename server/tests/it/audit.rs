//! The Audit page's calls (SPEC D-2, S-6) against the real server: administrators only;
//! every change listed newest first with who made it, filtered by who, kind and day, 50 a
//! page; an agent's state history for a day, with reasons.

use crate::common;

use app::domain::{
    agent::Role,
    audit::{AuditFilter, AuditKind, AuditPage, StateHistory},
    state::{AgentState, StateReason},
    time::date_utc,
    validate::{Field, Problem},
};
use common::{ok, refused, TestServer};
use serde_json::json;
use server::store::AuditEntry;

async fn audit(server: &TestServer, cookie: &str, filter: &AuditFilter) -> reqwest::Response {
    server
        .post_json("/api/admin/audit", cookie, &json!({ "filter": filter }))
        .await
}

async fn page(server: &TestServer, cookie: &str, filter: &AuditFilter) -> AuditPage {
    ok(audit(server, cookie, filter).await).await
}

async fn history(
    server: &TestServer,
    cookie: &str,
    username: &str,
    day: &str,
) -> reqwest::Response {
    server
        .post_form(
            "/api/admin/state-history",
            cookie,
            &[("username", username), ("day", day)],
        )
        .await
}

fn today() -> String {
    date_utc(server::clock::now_ms())
}

/// SPEC D-2: agents and supervisors cannot read the audit or anyone's state history.
#[tokio::test]
async fn d2_only_administrators_read_the_audit() {
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
            audit(&server, &cookie, &AuditFilter::default())
                .await
                .status(),
            403
        );
        assert_eq!(
            history(&server, &cookie, "ann", &today()).await.status(),
            403
        );
    }
    assert_eq!(
        audit(&server, "", &AuditFilter::default()).await.status(),
        401
    );
}

/// SPEC D-2: each change is listed with who made it, newest first, 50 a page; filters by
/// who, kind and day narrow it; a filter naming nobody or no day says so.
#[tokio::test]
async fn d2_the_audit_filters_by_who_kind_and_day() {
    let server = TestServer::start().await;
    let root = server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let ada = server.create_user("ada", "admin-pass-2", Role::Admin).await;
    let cookie = server.session("root", "admin-pass-1").await;
    let store = &server.services.store;
    let now = server::clock::now_ms();
    for n in 0..120 {
        store
            .record_audit(&AuditEntry {
                at_ms: now - 1_000 + n,
                agent: if n % 2 == 0 { root } else { ada },
                action: if n % 3 == 0 {
                    "csq.save"
                } else {
                    "user.update"
                }
                .into(),
                detail: format!("change {n}"),
            })
            .await
            .unwrap();
    }
    let first = page(&server, &cookie, &AuditFilter::default()).await;
    assert_eq!(
        (first.total, first.lines.len(), first.pages()),
        (120, 50, 3)
    );
    assert_eq!(first.lines[0].detail, "change 119", "newest first");
    assert_eq!(first.lines[0].username, "ada");
    let last = page(
        &server,
        &cookie,
        &AuditFilter {
            page: 2,
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(last.lines.len(), 20);
    assert_eq!(last.lines[19].detail, "change 0");

    let by_ada = page(
        &server,
        &cookie,
        &AuditFilter {
            username: "ADA".into(),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(by_ada.total, 60);
    assert!(by_ada.lines.iter().all(|l| l.username == "ada"));
    let queues = page(
        &server,
        &cookie,
        &AuditFilter {
            kind: Some(AuditKind::Csq),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(queues.total, 40);
    assert!(queues.lines.iter().all(|l| l.action == "csq.save"));
    let today = page(
        &server,
        &cookie,
        &AuditFilter {
            day: date_utc(now),
            username: "root".into(),
            kind: Some(AuditKind::User),
            ..AuditFilter::default()
        },
    )
    .await;
    // Even n by root; of those, not multiples of 3: 60 - 20.
    assert_eq!(today.total, 40);
    let other_day = page(
        &server,
        &cookie,
        &AuditFilter {
            day: date_utc(now - 86_400_000 * 3),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(other_day.total, 0);

    let nobody = AuditFilter {
        username: "zed".into(),
        ..AuditFilter::default()
    };
    assert_eq!(
        refused(audit(&server, &cookie, &nobody).await).await,
        [(
            Field::Username,
            Problem::NoSuchUser {
                username: "zed".into()
            }
        )]
    );
    let no_day = AuditFilter {
        day: "2026-02-30".into(),
        ..AuditFilter::default()
    };
    assert_eq!(
        refused(audit(&server, &cookie, &no_day).await).await,
        [(Field::Day, Problem::InvalidDay)]
    );
}

/// SPEC S-6: an agent's state changes of a day, with times and reasons; none another day.
#[tokio::test]
async fn s6_the_state_history_of_a_day() {
    let server = TestServer::start().await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let cookie = server.session("root", "admin-pass-1").await;
    server.create_agent("ann", "agent-pass-1").await;
    let _desk = server.desktop_ready("ann").await;

    let response = history(&server, &cookie, "Ann", &today()).await;
    assert_eq!(response.status(), 200);
    let day: StateHistory = response.json().await.unwrap();
    assert_eq!(day.username, "ann");
    let steps: Vec<(AgentState, AgentState, StateReason)> = day
        .lines
        .iter()
        .map(|l| (l.from.state, l.to.state, l.reason))
        .collect();
    assert_eq!(
        steps,
        [
            (
                AgentState::LoggedOut,
                AgentState::NotReady,
                StateReason::Login
            ),
            (
                AgentState::NotReady,
                AgentState::Ready,
                StateReason::AgentRequest
            )
        ]
    );
    let yesterday = date_utc(server::clock::now_ms() - 86_400_000);
    let response = history(&server, &cookie, "ann", &yesterday).await;
    let before: StateHistory = response.json().await.unwrap();
    assert!(before.lines.is_empty());
    assert_eq!(
        refused(history(&server, &cookie, "zed", &yesterday).await).await,
        [(
            Field::Username,
            Problem::NoSuchUser {
                username: "zed".into()
            }
        )]
    );
}
