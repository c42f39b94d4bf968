//! The Users page's calls (SPEC D-2) against the real server: only administrators reach
//! them; a new user gets a password they must replace; disabling a user or resetting their
//! password closes their open pages at once; CSQs and capacity reach routing without a new
//! login; the list pages and searches thousands of users; the last enabled administrator
//! stays one even when two administrators demote each other at the same moment.

use crate::common;

use app::{
    api::ApiError,
    domain::{
        agent::Role,
        ids::{AgentId, CsqId},
        protocol::ServerMessage,
        users::{UserEdit, UserPage, UserSaved},
        validate::{Field, Problem},
    },
};
use common::{new_agent, next_offer, ok, refused, send_json, wait_for, TestServer, Ws};
use futures_util::StreamExt;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

async fn list(server: &TestServer, cookie: &str, search: &str, page: u32) -> reqwest::Response {
    server
        .post_form(
            "/api/admin/users",
            cookie,
            &[("search", search), ("page", &page.to_string())],
        )
        .await
}

async fn users(server: &TestServer, cookie: &str, search: &str, page: u32) -> UserPage {
    ok(list(server, cookie, search, page).await).await
}

async fn save(server: &TestServer, cookie: &str, edit: &UserEdit) -> reqwest::Response {
    server
        .post_json("/api/admin/user", cookie, &json!({ "edit": edit }))
        .await
}

async fn saved(server: &TestServer, cookie: &str, edit: &UserEdit) -> UserSaved {
    ok(save(server, cookie, edit).await).await
}

async fn reset(server: &TestServer, cookie: &str, user: AgentId) -> reqwest::Response {
    server
        .post_form(
            "/api/admin/user/reset-password",
            cookie,
            &[("user", user.0)],
        )
        .await
}

fn new_user(username: &str) -> UserEdit {
    UserEdit {
        username: username.into(),
        display_name: format!("{username} Example"),
        alias: username.into(),
        ..UserEdit::new_user()
    }
}

/// The server with an administrator `root` logged in; returns the session cookie too.
async fn with_admin() -> (TestServer, String, AgentId) {
    let server = TestServer::start().await;
    let root = server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let cookie = server.session("root", "admin-pass-1").await;
    (server, cookie, root)
}

/// A desktop page, connected and synced.
async fn open_page(server: &TestServer, cookie: &str) -> Ws {
    let mut page = server.ws(cookie).await;
    send_json(&mut page, json!({"type": "hello", "resume_after": null})).await;
    wait_for(&mut page, |m| matches!(m, ServerMessage::Synced { .. })).await;
    page
}

/// Whether the server closes the page within a few seconds.
async fn closed_soon(page: &mut Ws) -> bool {
    tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(frame) = page.next().await {
            match frame {
                Ok(Message::Close(_)) | Err(_) => return true,
                Ok(_) => continue,
            }
        }
        true
    })
    .await
    .unwrap_or(false)
}

/// SPEC D-2: every call of the Users page is refused to agents and supervisors (403) and
/// to strangers (401), whatever they send.
#[tokio::test]
async fn d2_only_administrators_manage_users() {
    let (server, admin, root) = with_admin().await;
    server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("sue", "super-pass-1", Role::Supervisor)
        .await;
    let promote = UserEdit {
        id: Some(root),
        role: Role::Admin,
        ..new_user("root")
    };
    for cookie in [
        server.session("ann", "agent-pass-1").await,
        server.session("sue", "super-pass-1").await,
    ] {
        assert_eq!(list(&server, &cookie, "", 0).await.status(), 403);
        assert_eq!(save(&server, &cookie, &new_user("eve")).await.status(), 403);
        assert_eq!(save(&server, &cookie, &promote).await.status(), 403);
        assert_eq!(reset(&server, &cookie, root).await.status(), 403);
    }
    assert_eq!(
        list(&server, "sb_session=made-up", "", 0).await.status(),
        401
    );
    assert_eq!(save(&server, "", &new_user("eve")).await.status(), 401);
    assert_eq!(reset(&server, "", root).await.status(), 401);
    let page = users(&server, &admin, "", 0).await;
    let names: Vec<&str> = page
        .users
        .iter()
        .map(|u| u.agent.username.as_str())
        .collect();
    assert_eq!(names, ["ann", "root", "sue"], "nothing was created");
}

/// SPEC D-2: a new user gets a one-time password made by the server (or the administrator's
/// temporary one); it opens only the page that changes it. Usernames are unique ignoring
/// case; a temporary password follows the rules, the common list included; each save is
/// audited.
#[tokio::test]
async fn d2_a_new_user_chooses_their_password_at_the_first_login() {
    let (server, admin, _) = with_admin().await;
    let support = server.queue("Support", &[]).await;
    let csq = server.services.store.csqs().await.unwrap()[0].id;
    let made = saved(
        &server,
        &admin,
        &UserEdit {
            csqs: vec![csq],
            max_chats: 5,
            ..new_user("ann")
        },
    )
    .await;
    let once = made.one_time_password.expect("a one-time password");
    assert_eq!(once.chars().count(), 16);
    assert_eq!(made.user.csqs, [csq]);
    assert_eq!(made.user.agent.max_chats, 5);
    assert!(made.user.agent.must_change_password);

    let login = server.login("ann", &once).await;
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let desktop = server.post("/api/desktop", &cookie).await;
    assert_eq!(desktop.status(), 403, "the desktop waits for a password");

    let chosen = saved(
        &server,
        &admin,
        &UserEdit {
            temporary_password: "plum kettle harbour 42".into(),
            ..new_user("bob")
        },
    )
    .await;
    assert_eq!(
        chosen.one_time_password, None,
        "the one typed is not echoed"
    );
    assert_eq!(
        server.login("bob", "plum kettle harbour 42").await.status(),
        200
    );

    assert_eq!(
        refused(save(&server, &admin, &new_user("ANN")).await).await,
        [(
            Field::Username,
            Problem::Duplicate {
                value: "ANN".into()
            }
        )]
    );
    let weak = UserEdit {
        temporary_password: "password1234".into(),
        ..new_user("cat")
    };
    assert_eq!(
        refused(save(&server, &admin, &weak).await).await,
        [(Field::Password, Problem::CommonPassword)],
        "the server adds the common list the page does not have"
    );
    let unknown = UserEdit {
        csqs: vec![CsqId(999)],
        ..new_user("cat")
    };
    assert_eq!(
        refused(save(&server, &admin, &unknown).await).await,
        [(Field::Csqs, Problem::UnknownId { id: 999 })]
    );
    assert_eq!(
        users(&server, &admin, "cat", 0).await.total,
        0,
        "nothing stored"
    );

    let audit = server.services.store.admin_audit(10).await.unwrap();
    let created: Vec<&str> = audit
        .iter()
        .filter(|a| a.action == "user.create")
        .map(|a| a.detail.as_str())
        .collect();
    assert_eq!(created.len(), 2, "{audit:?}");
    assert!(
        created[1].contains("\"ann\"") && created[1].contains("[Support]"),
        "{created:?}"
    );
    let _ = support;
}

/// SPEC D-2: disabling a user closes their open pages at once and refuses their login;
/// enabled again, they log in. A form opened before a change cannot undo it unseen. An
/// administrator cannot disable or demote themselves.
#[tokio::test]
async fn d2_a_disabled_user_is_logged_out_at_once() {
    let (server, admin, root) = with_admin().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let cookie = server.session("ann", "agent-pass-1").await;
    let mut page = open_page(&server, &cookie).await;
    let listed = users(&server, &admin, "ann", 0).await.users.remove(0);
    let disabled = UserEdit {
        disabled: true,
        ..UserEdit::of(&listed)
    };
    let after = saved(&server, &admin, &disabled).await;
    assert!(after.user.agent.disabled);
    assert!(closed_soon(&mut page).await, "the open page closes");
    assert_eq!(server.post("/api/desktop", &cookie).await.status(), 401);
    let login = server.login("ann", "agent-pass-1").await;
    assert_eq!(login.status(), 403);
    assert!(matches!(
        login.json::<ApiError>().await.unwrap(),
        ApiError::AccountDisabled
    ));

    // A form opened before that change cannot undo it unseen.
    let stale = UserEdit {
        alias: "Annie".into(),
        ..UserEdit::of(&listed)
    };
    assert_eq!(
        refused(save(&server, &admin, &stale).await).await,
        [(Field::Account, Problem::ChangedMeanwhile)]
    );
    assert!(
        users(&server, &admin, "ann", 0).await.users[0]
            .agent
            .disabled
    );

    saved(
        &server,
        &admin,
        &UserEdit {
            disabled: false,
            ..UserEdit::of(&after.user)
        },
    )
    .await;
    assert_eq!(server.login("ann", "agent-pass-1").await.status(), 200);

    let me = users(&server, &admin, "root", 0).await.users.remove(0);
    assert_eq!(me.agent.id, root);
    let demoted = UserEdit {
        role: Role::Agent,
        disabled: true,
        ..UserEdit::of(&me)
    };
    assert_eq!(
        refused(save(&server, &admin, &demoted).await).await,
        [
            (Field::Account, Problem::OwnAccount),
            (Field::Role, Problem::OwnAccount)
        ]
    );
    let _ = ann;
}

/// SPEC D-2, S-5: a user disabled while holding a chat loses it at once (as when a desktop
/// closes), not after the grace a lost connection gets, and is logged out.
#[tokio::test]
async fn d2_a_user_disabled_with_a_chat_in_hand_releases_it_at_once() {
    use app::domain::{contact::ContactStatus, ids::ContactId, state::AgentState};
    let (server, admin, _) = with_admin().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;
    let mut desk = server.desktop_ready("ann").await;
    let _chat = server.start_chat("Carol", problem).await;
    let offer = next_offer(&mut desk).await;
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    wait_for(&mut desk, |m| {
        matches!(m, ServerMessage::Event(e)
            if matches!(e.event, app::domain::protocol::AgentEvent::ContactAssigned { .. }))
    })
    .await;
    let listed = users(&server, &admin, "ann", 0).await.users.remove(0);
    saved(
        &server,
        &admin,
        &UserEdit {
            disabled: true,
            ..UserEdit::of(&listed)
        },
    )
    .await;
    // The grace for a lost connection is 30 s: an end within a few seconds is the release.
    let store = &server.services.store;
    let contact: ContactId = offer.contact;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if matches!(
            store.contact(contact).await.unwrap().status,
            ContactStatus::Ended(_)
        ) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the chat ended at once"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, _) = store.agent_status(ann).await.unwrap();
    assert_eq!(status.state, AgentState::LoggedOut);
}

/// SPEC D-2: a password reset gives a new one-time password, closes the user's open pages
/// and ends the old password.
#[tokio::test]
async fn d2_a_reset_password_closes_pages_and_must_be_replaced() {
    let (server, admin, _) = with_admin().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let cookie = server.session("ann", "agent-pass-1").await;
    let mut page = open_page(&server, &cookie).await;
    let response = reset(&server, &admin, ann).await;
    assert_eq!(response.status(), 200);
    let once: String = response.json().await.unwrap();
    assert_eq!(once.chars().count(), 16);
    assert!(closed_soon(&mut page).await, "the open page closes");
    assert_eq!(server.login("ann", "agent-pass-1").await.status(), 401);
    assert_eq!(server.login("ann", &once).await.status(), 200);
    let listed = users(&server, &admin, "ann", 0).await.users.remove(0);
    assert!(listed.agent.must_change_password);
    let audit = server.services.store.admin_audit(5).await.unwrap();
    assert_eq!(audit[0].action, "user.password_reset");
    assert!(
        !audit[0].detail.contains(&once),
        "the password is not in the audit"
    );
}

/// SPEC D-2, O-4: an agent added to a CSQ while Ready is offered its waiting chat at once,
/// without logging in again; a maximum raised while at the maximum lets the next one come.
#[tokio::test]
async fn d2_queues_and_capacity_reach_routing_at_once() {
    let (server, admin, _) = with_admin().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[]).await;
    let csq = server.services.store.csqs().await.unwrap()[0].id;
    let mut desk = server.desktop_ready("ann").await;
    let _chat = server.start_chat("Carol", problem).await;
    assert!(no_offer_within(&mut desk, 700).await, "not a member yet");

    let listed = users(&server, &admin, "ann", 0).await.users.remove(0);
    let joined = UserEdit {
        csqs: vec![csq],
        max_chats: 1,
        ..UserEdit::of(&listed)
    };
    let after_join = saved(&server, &admin, &joined).await;
    let offer = next_offer(&mut desk).await;
    assert_eq!(offer.customer.name, "Carol");
    send_json(
        &mut desk,
        json!({"type": "accept", "contact": offer.contact}),
    )
    .await;
    let _second = server.start_chat("Dave", problem).await;
    assert!(no_offer_within(&mut desk, 700).await, "at the maximum of 1");
    saved(
        &server,
        &admin,
        &UserEdit {
            max_chats: 2,
            ..UserEdit::of(&after_join.user)
        },
    )
    .await;
    let offer = next_offer(&mut desk).await;
    assert_eq!(offer.customer.name, "Dave");
    let _ = ann;
}

/// Issue 18 (D-3): a supervisor is saved watching CSQs, shown in the list; a CSQ that does
/// not exist is refused by field; a user who stops being a supervisor watches none.
#[tokio::test]
async fn d3_a_supervisor_watches_the_csqs_saved() {
    let (server, admin, _) = with_admin().await;
    server.queue("Support", &[]).await;
    server.queue("Sales", &[]).await;
    let mut csqs: Vec<CsqId> = server
        .services
        .store
        .csqs()
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    csqs.sort();
    let sue = UserEdit {
        role: Role::Supervisor,
        supervises: vec![csqs[1], csqs[0], csqs[1]],
        ..new_user("sue")
    };
    let created = saved(&server, &admin, &sue).await.user;
    assert_eq!(created.supervises, csqs, "each once, in order");
    assert!(created.csqs.is_empty(), "watching is not taking contacts");
    let listed = users(&server, &admin, "sue", 0).await.users.remove(0);
    assert_eq!(listed.supervises, csqs);

    let unknown = UserEdit {
        supervises: vec![CsqId(999)],
        ..UserEdit::of(&listed)
    };
    assert_eq!(
        refused(save(&server, &admin, &unknown).await).await,
        [(Field::Supervises, Problem::UnknownId { id: 999 })]
    );
    assert_eq!(
        users(&server, &admin, "sue", 0).await.users[0].supervises,
        csqs,
        "nothing lost"
    );
    let agent = UserEdit {
        role: Role::Agent,
        ..UserEdit::of(&listed)
    };
    assert!(saved(&server, &admin, &agent)
        .await
        .user
        .supervises
        .is_empty());
}

/// Whether no offer reaches the desktop within `ms` (other messages are read and dropped).
async fn no_offer_within(desk: &mut Ws, ms: u64) -> bool {
    use app::domain::protocol::AgentEvent;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(ms);
    loop {
        match tokio::time::timeout_at(deadline, desk.next()).await {
            Err(_) => return true,
            Ok(Some(Ok(Message::Text(text)))) => {
                let message: ServerMessage = serde_json::from_str(text.as_str()).unwrap();
                if matches!(&message, ServerMessage::Event(e)
                    if matches!(e.event, AgentEvent::Offered { .. }))
                {
                    return false;
                }
            }
            Ok(Some(Ok(_))) => continue,
            Ok(_) => return true,
        }
    }
}

/// SPEC D-2: the list shows 25 users a page by username, with the total, and searches
/// usernames, names and aliases ignoring case (`%` and `_` are plain characters).
#[tokio::test]
async fn d2_the_list_pages_and_searches_thousands_of_users() {
    let (server, admin, _) = with_admin().await;
    let store = &server.services.store;
    let hash = auth_hash();
    for n in 0..1200 {
        let mut agent = new_agent(&format!("user{n:04}"), &hash);
        if n == 777 {
            agent.display_name = "Zoë Quinn".into();
            agent.alias = "Zed_100%".into();
        }
        store.create_agent(&agent).await.unwrap();
    }
    let first = users(&server, &admin, "", 0).await;
    assert_eq!(first.total, 1201);
    assert_eq!(first.users.len(), 25);
    assert_eq!(first.pages(), 49);
    assert_eq!(first.users[0].agent.username, "root");
    assert_eq!(first.users[1].agent.username, "user0000");
    let last = users(&server, &admin, "", 48).await;
    assert_eq!(last.users.len(), 1);
    assert_eq!(last.users[0].agent.username, "user1199");
    assert_eq!(users(&server, &admin, "", 49).await.users.len(), 0);

    let by_name = users(&server, &admin, "QUINN", 0).await;
    assert_eq!(by_name.total, 1);
    assert_eq!(by_name.users[0].agent.username, "user0777");
    assert_eq!(users(&server, &admin, "d_100%", 0).await.total, 1);
    assert_eq!(
        users(&server, &admin, "%", 0).await.total,
        1,
        "% is a character"
    );
    assert_eq!(users(&server, &admin, "user01", 0).await.total, 100);

    let long = "x".repeat(101);
    let response = list(&server, &admin, &long, 0).await;
    assert_eq!(response.status(), 422);
}

/// One Argon2 hash for the many users of the paging test (hashing each would take minutes).
fn auth_hash() -> String {
    server::auth::hash_password("agent-pass-1")
}

/// SPEC D-2: two administrators demoting each other at the same moment cannot both
/// succeed: one enabled administrator always remains.
#[tokio::test]
async fn d2_two_administrators_cannot_demote_each_other_at_once() {
    let (server, root_cookie, root) = with_admin().await;
    let ada = server.create_user("ada", "admin-pass-2", Role::Admin).await;
    let ada_cookie = server.session("ada", "admin-pass-2").await;
    for _ in 0..5 {
        let page = users(&server, &root_cookie, "", 0).await;
        let edit_of = |id: AgentId| {
            let user = page.users.iter().find(|u| u.agent.id == id).unwrap();
            UserEdit {
                role: Role::Agent,
                ..UserEdit::of(user)
            }
        };
        let (demote_ada, demote_root) = (edit_of(ada), edit_of(root));
        let (a, b) = tokio::join!(
            save(&server, &root_cookie, &demote_ada),
            save(&server, &ada_cookie, &demote_root)
        );
        let admins = server
            .services
            .store
            .agents()
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.role == Role::Admin && !a.disabled)
            .count();
        assert_eq!(admins, 1, "statuses {} and {}", a.status(), b.status());
        assert!(
            (a.status() == 200) != (b.status() == 200),
            "exactly one demotion: {} and {}",
            a.status(),
            b.status()
        );
        // Both administrators again for the next round.
        let survivor = if a.status() == 200 {
            &root_cookie
        } else {
            &ada_cookie
        };
        let page = users(&server, survivor, "", 0).await;
        for user in page.users {
            if user.agent.role != Role::Admin {
                saved(
                    &server,
                    survivor,
                    &UserEdit {
                        role: Role::Admin,
                        ..UserEdit::of(&user)
                    },
                )
                .await;
            }
        }
    }
}
