//! The store contract: the same expectations against SQLite (always) and PostgreSQL (when
//! SWITCHBOARD_TEST_POSTGRES_URL is set, as the README's test command does).

use crate::common;

use app::domain::{
    contact::ContactKind,
    ids::AgentId,
    protocol::AgentEvent,
    state::{AgentState, AgentStatus, StateEvent, StateReason},
};
use common::{all_stores, new_agent};
use server::store::{AuditEntry, SessionOf, StoreError};

#[tokio::test]
async fn agents_are_created_found_and_unique() {
    for t in all_stores().await {
        let s = &t.store;
        let id = s.create_agent(&new_agent("alice", "hash-a")).await.unwrap();
        let agent = s.agent(id).await.unwrap();
        assert_eq!(agent.username, "alice", "{}", t.name);
        assert_eq!((agent.max_chats, agent.max_emails), (3, 3));
        let dup = s.create_agent(&new_agent("alice", "hash-b")).await;
        assert!(
            matches!(dup, Err(StoreError::Conflict)),
            "{}: {dup:?}",
            t.name
        );
        let creds = s
            .credentials("ALICE")
            .await
            .unwrap()
            .expect("case-insensitive");
        assert_eq!((creds.agent, creds.password_hash.as_str()), (id, "hash-a"));
        assert!(
            !format!("{creds:?}").contains("hash-a"),
            "Debug hides the hash"
        );
        assert!(s.credentials("nobody").await.unwrap().is_none());
        assert!(matches!(
            s.agent(app::domain::ids::AgentId(9999)).await,
            Err(StoreError::NotFound)
        ));
        // The language chosen, read by id for what the server words outside a request.
        assert_eq!(s.language(id).await.unwrap(), None, "{}", t.name);
        s.set_language(id, Some("fr")).await.unwrap();
        assert_eq!(s.language(id).await.unwrap().as_deref(), Some("fr"));
        assert!(matches!(
            s.language(AgentId(9999)).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn csqs_hold_members_and_wrap_up_reasons() {
    for t in all_stores().await {
        let s = &t.store;
        let a = s.create_agent(&new_agent("a", "h")).await.unwrap();
        let b = s.create_agent(&new_agent("b", "h")).await.unwrap();
        let support = s.create_csq("Support").await.unwrap();
        let sales = s.create_csq("Sales").await.unwrap();
        assert!(matches!(
            s.create_csq("Sales").await,
            Err(StoreError::Conflict)
        ));
        s.add_csq_member(support, a).await.unwrap();
        s.add_csq_member(support, b).await.unwrap();
        s.add_csq_member(support, b).await.unwrap(); // twice is harmless
        let csqs = s.csqs().await.unwrap();
        let names: Vec<_> = csqs.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Sales", "Support"], "{}", t.name);
        assert!(csqs[0].members.is_empty());
        assert_eq!(csqs[1].members, vec![a, b]);

        let resolved = s.create_wrap_up_reason("Resolved").await.unwrap();
        let escalated = s.create_wrap_up_reason("Escalated").await.unwrap();
        s.assign_wrap_up_reason(support, resolved).await.unwrap();
        s.assign_wrap_up_reason(support, escalated).await.unwrap();
        s.assign_wrap_up_reason(sales, resolved).await.unwrap();
        let labels: Vec<_> = s
            .wrap_up_reasons(support)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.label)
            .collect();
        assert_eq!(labels, ["Escalated", "Resolved"]);
        assert_eq!(s.wrap_up_reasons(sales).await.unwrap().len(), 1);
    }
}

/// Issue 17 (K-4): a CSQ's business hours are stored whole, read back with the CSQs and in
/// the map routing reads (the cache forgets them at each save), and cleared again.
#[tokio::test]
async fn business_hours_are_stored_read_and_cleared() {
    use app::domain::hours::{BusinessHours, Holiday};
    for t in all_stores().await {
        let s = &t.store;
        let admin = s.create_agent(&new_agent("root", "h")).await.unwrap();
        let support = s.create_csq("Support").await.unwrap();
        let sales = s.create_csq("Sales").await.unwrap();
        let audit = AuditEntry {
            at_ms: 1,
            agent: admin,
            action: "csq.hours".into(),
            detail: "hours".into(),
        };
        assert!(s.business_hours().await.unwrap().is_empty(), "{}", t.name);
        let hours = BusinessHours {
            time_zone: "Europe/Paris".into(),
            holidays: vec![Holiday {
                date: "2026-12-25".into(),
                name: "Noël".into(),
            }],
            ..BusinessHours::default()
        };
        s.save_business_hours(support, Some(&hours), &audit)
            .await
            .unwrap();
        let stored = s.business_hours().await.unwrap();
        assert_eq!(stored.get(&support), Some(&hours), "{}", t.name);
        assert!(!stored.contains_key(&sales));
        let admin_view = s.csqs_admin().await.unwrap();
        let of = |id| {
            admin_view
                .iter()
                .find(|c| c.id == id)
                .unwrap()
                .hours
                .clone()
        };
        assert_eq!(of(support), Some(hours.clone()));
        assert_eq!(of(sales), None);
        s.save_business_hours(support, None, &audit).await.unwrap();
        assert!(s.business_hours().await.unwrap().is_empty(), "{}", t.name);
        assert!(matches!(
            s.save_business_hours(app::domain::ids::CsqId(999), Some(&hours), &audit)
                .await,
            Err(StoreError::NotFound)
        ));
    }
}

/// Issue 17: what agents know of a customer: tags in the order given, notes newest first
/// with their author's alias, as many as asked; a customer gone is NotFound; a link moves
/// the other's notes and puts their tags after the kept customer's, each once.
#[tokio::test]
async fn customers_notes_and_tags_are_kept_and_follow_a_link() {
    use server::store::NewCustomer;
    for t in all_stores().await {
        let s = &t.store;
        let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
        let bob = s.create_agent(&new_agent("bob", "h")).await.unwrap();
        let person = |name: &str| NewCustomer {
            name: name.into(),
            email: None,
            phone: None,
        };
        let kept = s.create_customer(&person("Ravi Patel")).await.unwrap();
        let other = s.create_customer(&person("R. Patel")).await.unwrap();
        assert!(s.about_customer(kept, 10).await.unwrap().is_empty());
        let tags = |list: &[&str]| list.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        s.set_customer_tags(kept, &tags(&["vip", "late delivery"]), 0)
            .await
            .unwrap();
        s.set_customer_tags(kept, &tags(&["late delivery", "vip", "b2b"]), 0)
            .await
            .unwrap();
        s.add_customer_note(kept, ann, "Prefers email.", 10)
            .await
            .unwrap();
        s.add_customer_note(kept, bob, "Refund sent.", 20)
            .await
            .unwrap();
        let about = s.about_customer(kept, 10).await.unwrap();
        assert_eq!(
            about.tags,
            tags(&["late delivery", "vip", "b2b"]),
            "{}",
            t.name
        );
        let notes: Vec<_> = about
            .notes
            .iter()
            .map(|n| (n.agent.as_str(), n.text.as_str(), n.at_ms))
            .collect();
        assert_eq!(
            notes,
            [("bob", "Refund sent.", 20), ("ann", "Prefers email.", 10)],
            "{}",
            t.name
        );
        assert_eq!(s.about_customer(kept, 1).await.unwrap().notes.len(), 1);

        s.set_customer_tags(other, &tags(&["vip", "fragile"]), 0)
            .await
            .unwrap();
        s.add_customer_note(other, ann, "Gave a second address.", 30)
            .await
            .unwrap();
        let audit = AuditEntry {
            at_ms: 40,
            agent: ann,
            action: "customer.link".into(),
            detail: "\"R. Patel\" -> \"Ravi Patel\"".into(),
        };
        s.link_customers(other, kept, &audit).await.unwrap();
        let about = s.about_customer(kept, 10).await.unwrap();
        assert_eq!(
            about.tags,
            tags(&["late delivery", "vip", "b2b", "fragile"]),
            "{}",
            t.name
        );
        assert_eq!(about.notes.len(), 3);
        assert_eq!(about.notes[0].text, "Gave a second address.");
        assert!(s.about_customer(other, 10).await.unwrap().is_empty());
        for refused in [
            s.add_customer_note(other, ann, "Too late.", 50).await,
            s.set_customer_tags(other, &tags(&["x"]), 0).await,
        ] {
            assert!(matches!(refused, Err(StoreError::NotFound)), "{}", t.name);
        }
    }
}

#[tokio::test]
async fn canned_responses_by_kind() {
    for t in all_stores().await {
        let s = &t.store;
        s.create_canned_response(ContactKind::Chat, "Hi", "Hello!")
            .await
            .unwrap();
        s.create_canned_response(ContactKind::Email, "Thanks", "<p>Thanks</p>")
            .await
            .unwrap();
        let chat = s.canned_responses(ContactKind::Chat).await.unwrap();
        assert_eq!(chat.len(), 1, "{}", t.name);
        assert_eq!(chat[0].body, "Hello!");
        assert_eq!(
            s.canned_responses(ContactKind::Email).await.unwrap()[0].kind,
            ContactKind::Email
        );
    }
}

/// SPEC R-3, D-2: a response is saved with its CSQ (or none), changed in place, deleted
/// once; each write carries its audit line; a change to one that is gone is NotFound.
#[tokio::test]
async fn canned_responses_saved_scoped_and_deleted() {
    for t in all_stores().await {
        let s = &t.store;
        let admin = s.create_agent(&new_agent("root", "h")).await.unwrap();
        let billing = s.create_csq("Billing").await.unwrap();
        let audit = |action: &str| AuditEntry {
            at_ms: 1,
            agent: admin,
            action: action.into(),
            detail: action.into(),
        };
        let mut edit = app::domain::canned::CannedEdit {
            id: None,
            kind: ContactKind::Chat,
            title: "refund".into(),
            body: "On its way".into(),
            csq: Some(billing),
        };
        let id = s
            .save_canned_response(&edit, &audit("canned.save"))
            .await
            .unwrap();
        s.create_canned_response(ContactKind::Chat, "Greeting", "Hi")
            .await
            .unwrap();
        let chat = s.canned_responses(ContactKind::Chat).await.unwrap();
        let titles: Vec<(&str, Option<app::domain::ids::CsqId>)> =
            chat.iter().map(|c| (c.title.as_str(), c.csq)).collect();
        assert_eq!(
            titles,
            [("Greeting", None), ("refund", Some(billing))],
            "{}",
            t.name
        );
        edit.id = Some(id);
        edit.csq = None;
        edit.title = "Refund".into();
        assert_eq!(
            s.save_canned_response(&edit, &audit("canned.save"))
                .await
                .unwrap(),
            id
        );
        let chat = s.canned_responses(ContactKind::Chat).await.unwrap();
        assert_eq!(
            (chat[1].title.as_str(), chat[1].csq),
            ("Refund", None),
            "{}",
            t.name
        );
        // The kind is not changed by an edit: an email edit does not find a chat response.
        let wrong_kind = app::domain::canned::CannedEdit {
            kind: ContactKind::Email,
            ..edit.clone()
        };
        assert!(matches!(
            s.save_canned_response(&wrong_kind, &audit("canned.save"))
                .await,
            Err(StoreError::NotFound)
        ));
        s.delete_canned_response(id, &audit("canned.delete"))
            .await
            .unwrap();
        assert!(matches!(
            s.delete_canned_response(id, &audit("canned.delete")).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.save_canned_response(&edit, &audit("canned.save")).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            s.canned_responses(ContactKind::Chat).await.unwrap().len(),
            1
        );
        let actions: Vec<String> = s
            .admin_audit(10)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert_eq!(
            actions,
            ["canned.delete", "canned.save", "canned.save"],
            "{}",
            t.name
        );
    }
}

/// SPEC K-2, D-2: questions are added last, changed in place, moved one place at a time,
/// deleted once; labels are unique ignoring case; each write carries its audit line. A chat
/// keeps its answers (label and value) whatever happens to the questions afterwards.
#[tokio::test]
async fn prechat_questions_are_ordered_and_chats_keep_their_answers() {
    use app::domain::{
        contact::Channel,
        prechat::{Detail, FieldKind, PreChatFieldEdit},
    };
    use server::store::{NewChat, NewCustomer};
    for t in all_stores().await {
        let s = &t.store;
        let admin = s.create_agent(&new_agent("root", "h")).await.unwrap();
        let audit = |action: &str| AuditEntry {
            at_ms: 1,
            agent: admin,
            action: action.into(),
            detail: action.into(),
        };
        let save = |label: &str, kind: FieldKind, choices: &[&str]| PreChatFieldEdit {
            id: None,
            label: label.into(),
            kind,
            required: true,
            choices: choices.iter().map(|c| c.to_string()).collect(),
        };
        let order = s
            .save_prechat_field(
                &save("Order", FieldKind::Text, &[]),
                2,
                &audit("prechat_field.save"),
            )
            .await
            .unwrap();
        let store = s
            .save_prechat_field(
                &save("Store", FieldKind::Choice, &["Paris", "Lyon"]),
                2,
                &audit("prechat_field.save"),
            )
            .await
            .unwrap();
        assert!(
            matches!(
                s.save_prechat_field(&save("STORE", FieldKind::Text, &[]), 3, &audit("x"))
                    .await,
                Err(StoreError::Conflict)
            ),
            "{}: labels are unique ignoring case",
            t.name
        );
        assert!(
            matches!(
                s.save_prechat_field(&save("Third", FieldKind::Text, &[]), 2, &audit("x"))
                    .await,
                Err(StoreError::Full)
            ),
            "{}: no more than the limit",
            t.name
        );
        assert!(s
            .move_prechat_field(store, true, &audit("prechat_field.move"))
            .await
            .unwrap());
        // Already first: nothing moves, nothing is audited.
        assert!(!s
            .move_prechat_field(store, true, &audit("prechat_field.move"))
            .await
            .unwrap());
        let fields = s.prechat_fields().await.unwrap();
        let read: Vec<(i64, &str, FieldKind, Vec<String>)> = fields
            .iter()
            .map(|f| (f.id, f.label.as_str(), f.kind, f.choices.clone()))
            .collect();
        assert_eq!(
            read,
            [
                (
                    store,
                    "Store",
                    FieldKind::Choice,
                    vec!["Paris".into(), "Lyon".into()]
                ),
                (order, "Order", FieldKind::Text, vec![]),
            ],
            "{}",
            t.name
        );
        let mut renamed = save("Order number", FieldKind::Text, &[]);
        renamed.id = Some(order);
        renamed.required = false;
        s.save_prechat_field(&renamed, 2, &audit("prechat_field.save"))
            .await
            .unwrap();
        let fields = s.prechat_fields().await.unwrap();
        assert_eq!(
            (fields[1].label.as_str(), fields[1].required),
            ("Order number", false)
        );

        let support = s.create_csq("Support").await.unwrap();
        let customer = s
            .create_customer(&NewCustomer {
                name: "Zoé".into(),
                email: None,
                phone: None,
            })
            .await
            .unwrap();
        let details = vec![Detail {
            label: "Store".into(),
            value: "Lyon".into(),
        }];
        let chat = s
            .create_chat(
                &NewChat {
                    channel: Channel::Web,
                    csq: support,
                    customer,
                    problem: "My order".into(),
                    details: details.clone(),
                },
                1,
            )
            .await
            .unwrap();
        s.delete_prechat_field(store, &audit("prechat_field.delete"))
            .await
            .unwrap();
        assert!(matches!(
            s.delete_prechat_field(store, &audit("prechat_field.delete"))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.move_prechat_field(store, false, &audit("prechat_field.move"))
                .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(s.prechat_fields().await.unwrap().len(), 1, "{}", t.name);
        assert_eq!(
            s.contact(chat.id).await.unwrap().details,
            details,
            "{}: the chat keeps its answers",
            t.name
        );
        let actions: Vec<String> = s
            .admin_audit(10)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert_eq!(
            actions,
            [
                "prechat_field.delete",
                "prechat_field.save",
                "prechat_field.move",
                "prechat_field.save",
                "prechat_field.save"
            ],
            "{}: the refused writes left no audit line",
            t.name
        );
    }
}

#[tokio::test]
async fn sessions_expire_and_are_deleted_per_agent() {
    for t in all_stores().await {
        let s = &t.store;
        let a = s.create_agent(&new_agent("a", "h")).await.unwrap();
        s.create_session("t1", a, 1_000, 5_000).await.unwrap();
        s.create_session("t2", a, 1_000, 5_000).await.unwrap();
        assert_eq!(
            s.session_agent("t1", 4_999).await.unwrap(),
            Some(SessionOf {
                agent: a,
                must_change_password: false
            }),
            "{}",
            t.name
        );
        assert_eq!(s.session_agent("t1", 5_000).await.unwrap(), None, "expired");
        assert_eq!(s.session_agent("nope", 1_000).await.unwrap(), None);
        s.delete_sessions(a).await.unwrap();
        assert_eq!(s.session_agent("t2", 2_000).await.unwrap(), None);
    }
}

/// SPEC D-2: usernames are unique ignoring case; a new password, with whether it must be
/// changed, ends every session of the user and is audited in the same transaction.
#[tokio::test]
async fn passwords_are_replaced_with_their_sessions_and_audited() {
    for t in all_stores().await {
        let s = &t.store;
        assert_eq!(s.agent_count().await.unwrap(), 0, "{}", t.name);
        let a = s.create_agent(&new_agent("Ann", "h1")).await.unwrap();
        assert_eq!(s.agent_count().await.unwrap(), 1);
        assert!(
            matches!(
                s.create_agent(&new_agent("aNN", "h2")).await,
                Err(StoreError::Conflict)
            ),
            "{}: usernames differing only in case are one",
            t.name
        );
        s.create_session("t1", a, 1_000, 9_000).await.unwrap();
        let audit = AuditEntry {
            at_ms: 2_000,
            agent: a,
            action: "user.password_reset".into(),
            detail: "password of Ann reset".into(),
        };
        s.set_password(a, "h3", true, None, &audit).await.unwrap();
        assert_eq!(s.session_agent("t1", 2_000).await.unwrap(), None, "ended");
        let c = s.credentials("ann").await.unwrap().unwrap();
        assert_eq!(
            (c.password_hash.as_str(), c.must_change_password),
            ("h3", true)
        );
        assert!(s.agent(a).await.unwrap().must_change_password);
        s.create_session("t2", a, 2_000, 9_000).await.unwrap();
        assert_eq!(
            s.session_agent("t2", 2_000).await.unwrap(),
            Some(SessionOf {
                agent: a,
                must_change_password: true
            }),
            "a session that may only change the password"
        );
        assert_eq!(s.admin_audit(10).await.unwrap(), vec![audit.clone()]);
        // A user changing their own password keeps the session they changed it from.
        s.create_session("t3", a, 2_000, 9_000).await.unwrap();
        s.set_password(a, "h4", false, Some("t2"), &audit)
            .await
            .unwrap();
        assert_eq!(
            s.session_agent("t3", 2_000).await.unwrap(),
            None,
            "another ended"
        );
        assert_eq!(
            s.session_agent("t2", 2_000).await.unwrap(),
            Some(SessionOf {
                agent: a,
                must_change_password: false
            }),
            "{}: the changing session goes on, free",
            t.name
        );
        assert!(matches!(
            s.set_password(
                AgentId(9_999),
                "h",
                false,
                None,
                &AuditEntry {
                    at_ms: 3_000,
                    agent: a,
                    action: "x".into(),
                    detail: "x".into(),
                }
            )
            .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(s.admin_audit(10).await.unwrap().len(), 2, "nothing audited");
    }
}

/// SPEC D-2: two saves that would each remove one of the last two administrators, made at
/// the same moment, cannot both pass: the other waits and is refused.
#[tokio::test]
async fn two_administrators_demoted_at_once_leave_one() {
    use app::domain::{agent::Role, users::UserEdit};
    for t in all_stores().await {
        let s = &t.store;
        let mut ids = Vec::new();
        for name in ["root", "ada"] {
            ids.push(
                s.create_agent(&server::store::NewAgent {
                    role: Role::Admin,
                    ..new_agent(name, "h")
                })
                .await
                .unwrap(),
            );
        }
        for round in 0..10 {
            let demote = |i: usize| UserEdit {
                id: Some(ids[i]),
                username: ["root", "ada"][i].into(),
                display_name: "x".into(),
                alias: "x".into(),
                role: Role::Agent,
                ..UserEdit::new_user()
            };
            let audit = AuditEntry {
                at_ms: 1,
                agent: ids[0],
                action: "user.update".into(),
                detail: "demoted".into(),
            };
            let (a, b) = (demote(0), demote(1));
            let (ra, rb) =
                tokio::join!(s.save_user(&a, None, &audit), s.save_user(&b, None, &audit));
            let refused = [&ra, &rb]
                .iter()
                .filter(|r| matches!(r, Err(StoreError::LastAdministrator)))
                .count();
            assert_eq!(
                (ra.is_ok() as usize + rb.is_ok() as usize, refused),
                (1, 1),
                "{} round {round}: {ra:?} {rb:?}",
                t.name
            );
            // Both administrators again.
            for (i, name) in ["root", "ada"].iter().enumerate() {
                let again = UserEdit {
                    role: Role::Admin,
                    username: (*name).into(),
                    ..demote(i)
                };
                s.save_user(&again, None, &audit).await.unwrap();
            }
        }
    }
}

/// SPEC D-2, S-6: the audit is read newest first, filtered by who, kind and time; an agent's
/// state changes are read within a time range.
#[tokio::test]
async fn the_audit_and_state_history_are_read_by_filter() {
    use app::domain::state::{AgentStatus, StateEvent, StateReason};
    use server::store::audit::AuditQuery;
    for t in all_stores().await {
        let s = &t.store;
        let a = s.create_agent(&new_agent("ann", "h")).await.unwrap();
        let b = s.create_agent(&new_agent("bob", "h")).await.unwrap();
        for (at, who, action) in [
            (10, a, "user.create"),
            (20, b, "csq.save"),
            (30, a, "csq.save"),
        ] {
            s.record_audit(&AuditEntry {
                at_ms: at,
                agent: who,
                action: action.into(),
                detail: format!("at {at}"),
            })
            .await
            .unwrap();
        }
        let all = s.audit_page(AuditQuery::default(), 0, 10).await.unwrap();
        assert_eq!(all.1, 3, "{}", t.name);
        assert_eq!(all.0[0].detail, "at 30");
        assert_eq!(all.0[0].username, "ann");
        let query = AuditQuery {
            by: Some(a),
            kind: Some("csq"),
            range: Some((0, 100)),
        };
        let narrow = s.audit_page(query, 0, 10).await.unwrap();
        assert_eq!(narrow.1, 1, "{}", t.name);
        assert_eq!(narrow.0[0].detail, "at 30");
        let later = AuditQuery {
            range: Some((25, 100)),
            ..AuditQuery::default()
        };
        assert_eq!(s.audit_page(later, 0, 10).await.unwrap().1, 1, "{}", t.name);
        assert_eq!(
            s.audit_page(AuditQuery::default(), 2, 10)
                .await
                .unwrap()
                .0
                .len(),
            1
        );

        let logged_in = AgentStatus::logged_out().apply(StateEvent::Login).unwrap();
        s.record_state_change(
            a,
            &AgentStatus::logged_out(),
            &logged_in,
            StateReason::Login,
            1_000,
        )
        .await
        .unwrap();
        let ready = logged_in.apply(StateEvent::SetReady).unwrap();
        s.record_state_change(a, &logged_in, &ready, StateReason::AgentRequest, 5_000)
            .await
            .unwrap();
        let day = s.state_log_between(a, 0, 2_000).await.unwrap();
        assert_eq!(day.len(), 1, "{}", t.name);
        assert_eq!(day[0].reason, StateReason::Login);
        assert_eq!(s.state_log_between(a, 0, 10_000).await.unwrap().len(), 2);
        assert!(s.state_log_between(b, 0, 10_000).await.unwrap().is_empty());
    }
}

/// SPEC D-2, K-2: CSQs are saved with their members (names unique ignoring case); the
/// problem statements move one place at a time; a retired CSQ's statements leave the form.
#[tokio::test]
async fn queues_and_problem_statements_are_saved_and_ordered() {
    use app::domain::queues::{CsqEdit, ProblemStatementEdit};
    for t in all_stores().await {
        let s = &t.store;
        let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
        let audit = AuditEntry {
            at_ms: 1,
            agent: ann,
            action: "csq.save".into(),
            detail: "x".into(),
        };
        let edit = CsqEdit {
            id: None,
            name: "Returns".into(),
            retired: false,
            members: vec![ann],
        };
        let (csq, before) = s.save_csq(&edit, &audit).await.unwrap();
        assert!(before.is_empty());
        assert_eq!(s.csq_name(csq).await.unwrap(), "Returns", "{}", t.name);
        assert!(
            matches!(
                s.save_csq(
                    &CsqEdit {
                        name: "RETURNS".into(),
                        ..edit.clone()
                    },
                    &audit
                )
                .await,
                Err(StoreError::Conflict)
            ),
            "{}",
            t.name
        );
        let renamed = CsqEdit {
            id: Some(csq),
            name: "Exchanges".into(),
            members: vec![],
            ..edit.clone()
        };
        let (_, before) = s.save_csq(&renamed, &audit).await.unwrap();
        assert_eq!(before, [ann], "{}: the members it had", t.name);
        assert_eq!(
            s.csq_name(csq).await.unwrap(),
            "Exchanges",
            "{}: read after the rename, not kept from before",
            t.name
        );
        let listed = s.csqs_admin().await.unwrap();
        assert_eq!(
            (listed[0].name.as_str(), listed[0].members.len()),
            ("Exchanges", 0)
        );

        let mut ids = Vec::new();
        for label in ["A", "B", "C"] {
            let edit = ProblemStatementEdit {
                id: None,
                label: label.into(),
                csq,
                retired: false,
            };
            ids.push(s.save_problem_statement(&edit, &audit).await.unwrap());
        }
        s.move_problem_statement(ids[2], true, &audit)
            .await
            .unwrap();
        s.move_problem_statement(ids[0], true, &audit)
            .await
            .unwrap();
        let labels = |list: Vec<app::domain::csq::ProblemStatement>| {
            list.into_iter().map(|p| p.label).collect::<Vec<_>>()
        };
        assert_eq!(
            labels(s.problem_statements().await.unwrap()),
            ["A", "C", "B"],
            "{}",
            t.name
        );
        s.save_csq(
            &CsqEdit {
                retired: true,
                ..renamed
            },
            &audit,
        )
        .await
        .unwrap();
        assert!(
            s.problem_statements().await.unwrap().is_empty(),
            "{}",
            t.name
        );
        assert_eq!(s.problem_statements_admin().await.unwrap().len(), 3);
        assert_eq!(
            s.csq_name(csq).await.unwrap(),
            "Exchanges",
            "{}: a retired queue keeps its name on its contacts",
            t.name
        );
        assert_eq!(
            s.csq_name(app::domain::ids::CsqId(csq.0 + 100))
                .await
                .unwrap(),
            ""
        );
    }
}

/// The CSQs the user belongs to.
async fn queues_of(
    s: &std::sync::Arc<dyn server::store::Store>,
    agent: app::domain::ids::AgentId,
) -> Vec<app::domain::ids::CsqId> {
    s.csqs()
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.members.contains(&agent))
        .map(|c| c.id)
        .collect()
}

/// SPEC D-2: a user is created or changed with their CSQs in one transaction; disabling ends
/// their sessions; a change that would leave no enabled administrator changes nothing; the
/// list pages and searches ignoring case, `%` and `_` being plain characters.
#[tokio::test]
async fn users_are_saved_with_their_queues_and_one_administrator_stays() {
    use app::domain::{agent::Role, users::UserEdit};
    for t in all_stores().await {
        let s = &t.store;
        let root = s
            .create_agent(&server::store::NewAgent {
                role: Role::Admin,
                ..new_agent("root", "h")
            })
            .await
            .unwrap();
        let support = s.create_csq("Support").await.unwrap();
        let sales = s.create_csq("Sales").await.unwrap();
        let audit = AuditEntry {
            at_ms: 5_000,
            agent: root,
            action: "user.create".into(),
            detail: "created ann".into(),
        };
        let edit = UserEdit {
            username: "ann".into(),
            display_name: "Ann Lee".into(),
            alias: "Ann_50%".into(),
            csqs: vec![support, sales],
            max_chats: 5,
            ..UserEdit::new_user()
        };
        let ann = s.save_user(&edit, Some("h1"), &audit).await.unwrap();
        let stored = s.agent(ann).await.unwrap();
        assert_eq!(
            (stored.max_chats, stored.must_change_password),
            (5, true),
            "{}",
            t.name
        );
        let members = queues_of(s, ann).await;
        assert_eq!(members.len(), 2, "{}", t.name);
        assert!(matches!(
            s.save_user(
                &UserEdit {
                    username: "ANN".into(),
                    ..edit.clone()
                },
                Some("h"),
                &audit
            )
            .await,
            Err(StoreError::Conflict)
        ));

        s.create_session("ann-1", ann, 5_000, 9_000).await.unwrap();
        let change = UserEdit {
            id: Some(ann),
            csqs: vec![sales],
            disabled: true,
            ..edit.clone()
        };
        s.save_user(&change, None, &audit).await.unwrap();
        assert_eq!(
            s.session_agent("ann-1", 5_000).await.unwrap(),
            None,
            "{}: ended",
            t.name
        );
        assert!(s.agent(ann).await.unwrap().disabled);
        let members = queues_of(s, ann).await;
        assert_eq!(members, [sales], "{}", t.name);

        // Issue 18 (D-3): a supervisor watches exactly the CSQs saved, member or not.
        let watching = UserEdit {
            id: Some(ann),
            role: Role::Supervisor,
            csqs: vec![sales],
            supervises: vec![support, sales],
            disabled: false,
            ..edit.clone()
        };
        s.save_user(&watching, None, &audit).await.unwrap();
        let supervised = |csqs: &[app::domain::csq::Csq]| app::domain::csq::supervised(csqs, ann);
        let mut both = vec![support, sales];
        both.sort();
        assert_eq!(supervised(&s.csqs().await.unwrap()), both, "{}", t.name);
        s.save_user(
            &UserEdit {
                supervises: vec![support],
                ..watching.clone()
            },
            None,
            &audit,
        )
        .await
        .unwrap();
        assert_eq!(
            supervised(&s.csqs().await.unwrap()),
            [support],
            "{}",
            t.name
        );
        assert_eq!(queues_of(s, ann).await, [sales], "membership apart");

        let demote_root = UserEdit {
            id: Some(root),
            username: "root".into(),
            display_name: "root Example".into(),
            alias: "root".into(),
            role: Role::Agent,
            ..UserEdit::new_user()
        };
        let lines = s.admin_audit(100).await.unwrap().len();
        assert!(
            matches!(
                s.save_user(&demote_root, None, &audit).await,
                Err(StoreError::LastAdministrator)
            ),
            "{}",
            t.name
        );
        assert_eq!(s.agent(root).await.unwrap().role, Role::Admin, "unchanged");
        assert_eq!(
            s.admin_audit(100).await.unwrap().len(),
            lines,
            "nothing audited"
        );

        let (page, total) = s.user_page("", 0, 1).await.unwrap();
        assert_eq!((page[0].username.as_str(), total), ("ann", 2), "{}", t.name);
        let (page, total) = s.user_page("", 1, 1).await.unwrap();
        assert_eq!((page[0].username.as_str(), total), ("root", 2));
        assert_eq!(s.user_page("LEE", 0, 25).await.unwrap().1, 1, "{}", t.name);
        assert_eq!(
            s.user_page("n_50%", 0, 25).await.unwrap().1,
            1,
            "{}",
            t.name
        );
        assert_eq!(
            s.user_page("_", 0, 25).await.unwrap().1,
            1,
            "{}: _ is a character",
            t.name
        );
        assert_eq!(s.user_page("%", 0, 25).await.unwrap().1, 1, "{}", t.name);
        s.create_agent(&server::store::NewAgent {
            display_name: "Émile Zola".into(),
            ..new_agent("emile", "h")
        })
        .await
        .unwrap();
        assert_eq!(
            s.user_page("éMILE", 0, 25).await.unwrap().1,
            1,
            "{}: accents fold",
            t.name
        );
    }
}

/// SPEC S-6: each state change is stored with time and reason, and numbered in the stream.
#[tokio::test]
async fn state_changes_are_recorded_in_order_with_reason() {
    for t in all_stores().await {
        let s = &t.store;
        let a = s.create_agent(&new_agent("a", "h")).await.unwrap();
        let (status, seq) = s.agent_status(a).await.unwrap();
        assert_eq!(
            (status.state, seq),
            (AgentState::LoggedOut, 0),
            "{}",
            t.name
        );

        let mut current = status;
        let mut seqs = Vec::new();
        for (i, event) in [
            StateEvent::Login,
            StateEvent::SetReady,
            StateEvent::SetNotReady,
        ]
        .into_iter()
        .enumerate()
        {
            let next = current.apply(event).unwrap();
            let env = s
                .record_state_change(a, &current, &next, event.default_reason(), 100 + i as i64)
                .await
                .unwrap();
            seqs.push(env.seq);
            current = next;
        }
        assert_eq!(seqs, [1, 2, 3]);
        let (status, seq) = s.agent_status(a).await.unwrap();
        assert_eq!((status.state, seq), (AgentState::NotReady, 3));

        let after_one = s.events_after(a, 1, 100).await.unwrap();
        assert_eq!(after_one.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3]);
        let AgentEvent::StateChanged { status, reason } = &after_one[0].event else {
            panic!("a state change")
        };
        assert_eq!(
            (status.state, *reason),
            (AgentState::Ready, StateReason::AgentRequest)
        );
        assert_eq!(after_one[0].at_ms, 101);
        assert_eq!(s.events_after(a, 1, 1).await.unwrap().len(), 1, "limit");

        let log = s.state_log(a).await.unwrap();
        assert_eq!(log.len(), 3);
        assert_eq!(log[0].from, AgentStatus::logged_out());
        assert_eq!(log[0].reason, StateReason::Login);
        assert_eq!(log[1].to.state, AgentState::Ready);
        assert_eq!(log[2].at_ms, 102);
    }
}

/// Streams are per agent: one agent's numbering does not move another's.
#[tokio::test]
async fn each_agent_has_its_own_stream() {
    for t in all_stores().await {
        let s = &t.store;
        let a = s.create_agent(&new_agent("a", "h")).await.unwrap();
        let b = s.create_agent(&new_agent("b", "h")).await.unwrap();
        let out = AgentStatus::logged_out();
        let inn = out.apply(StateEvent::Login).unwrap();
        s.record_state_change(a, &out, &inn, StateReason::Login, 1)
            .await
            .unwrap();
        s.record_state_change(a, &inn, &inn, StateReason::Login, 2)
            .await
            .unwrap();
        let env = s
            .record_state_change(b, &out, &inn, StateReason::Login, 3)
            .await
            .unwrap();
        assert_eq!(env.seq, 1, "{}", t.name);
        assert!(s.events_after(b, 0, 10).await.unwrap().len() == 1);
    }
}

/// Issue 14: a state change decided on a status another node has changed since is refused
/// and writes nothing; decided on the current position, it is stored.
#[tokio::test]
async fn a_state_change_decided_on_an_old_position_is_refused() {
    use server::store::StoreError;
    for t in all_stores().await {
        let s = &t.store;
        let a = s.create_agent(&new_agent("a", "h")).await.unwrap();
        let out = AgentStatus::logged_out();
        let inn = out.apply(StateEvent::Login).unwrap();
        s.record_state_change(a, &out, &inn, StateReason::Login, 1)
            .await
            .unwrap();
        let (read, at) = s.agent_status(a).await.unwrap();
        let ready = read.apply(StateEvent::SetReady).unwrap();
        // Another node logs the agent out meanwhile.
        s.record_state_change(a, &inn, &out, StateReason::Logout, 2)
            .await
            .unwrap();
        let refused = s
            .change_state(a, &read, &ready, StateReason::AgentRequest, 3, Some(at))
            .await;
        assert!(
            matches!(refused, Err(StoreError::Conflict)),
            "{}: {refused:?}",
            t.name
        );
        let (now, position) = s.agent_status(a).await.unwrap();
        assert_eq!((now.state, position), (out.state, at + 1), "{}", t.name);
        assert_eq!(s.events_after(a, 0, 10).await.unwrap().len(), 2);
        let back = out.apply(StateEvent::Login).unwrap();
        let stored = s
            .change_state(a, &now, &back, StateReason::Login, 4, Some(position))
            .await
            .unwrap();
        assert_eq!(stored.seq, position + 1, "{}", t.name);
    }
}

/// Issue 13: events appended at the same moment for several agents (stored together in one
/// commit) each take the next number of their own agent's stream, in the order asked; an
/// agent without a stream fails alone.
#[tokio::test]
async fn events_appended_together_keep_each_stream_numbered_in_order() {
    use app::domain::{ids::ContactId, protocol::AgentEvent};
    for t in all_stores().await {
        let s = &t.store;
        let a = s.create_agent(&new_agent("a", "h")).await.unwrap();
        let b = s.create_agent(&new_agent("b", "h")).await.unwrap();
        let nobody = s.create_agent(&new_agent("c", "h")).await.unwrap();
        let out = AgentStatus::logged_out();
        let inn = out.apply(StateEvent::Login).unwrap();
        for agent in [a, b] {
            s.record_state_change(agent, &out, &inn, StateReason::Login, 1)
                .await
                .unwrap();
        }
        let withdrawn = |n| AgentEvent::OfferWithdrawn {
            contact: ContactId(n),
        };
        let asked: Vec<(AgentId, AgentEvent)> =
            [(a, 1), (b, 2), (a, 3), (nobody, 4), (a, 5), (b, 6)]
                .into_iter()
                .map(|(agent, n)| (agent, withdrawn(n)))
                .collect();
        let answers = futures_util::future::join_all(
            asked
                .iter()
                .map(|(agent, event)| s.record_agent_event(*agent, event, 10)),
        )
        .await;
        let seqs: Vec<Option<u64>> = answers
            .iter()
            .map(|answer| answer.as_ref().ok().map(|env| env.seq))
            .collect();
        assert_eq!(
            seqs,
            [Some(2), Some(2), Some(3), None, Some(4), Some(3)],
            "{}",
            t.name
        );
        assert!(matches!(answers[3], Err(StoreError::NotFound)));
        let events: Vec<AgentEvent> = s
            .events_after(a, 1, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|env| env.event)
            .collect();
        assert_eq!(
            events,
            [withdrawn(1), withdrawn(3), withdrawn(5)],
            "{}",
            t.name
        );
    }
}

#[tokio::test]
async fn ping_answers() {
    for t in all_stores().await {
        t.store.ping().await.unwrap();
        assert!(["sqlite", "postgres"].contains(&t.store.backend()));
    }
}

mod chats {
    use super::common::{all_stores, new_agent};
    use app::domain::{
        chat::{Author, LineBody, SystemNote},
        contact::{Channel, ContactStatus, EndReason},
        settings::ChatSettings,
    };
    use server::store::{
        AuditEntry, Guest, NewChat, NewCustomer, PendingInvitation, Sender, StoreError,
    };

    #[tokio::test]
    async fn settings_default_then_saved() {
        for t in all_stores().await {
            let s = &t.store;
            assert_eq!(
                s.chat_settings().await.unwrap(),
                ChatSettings::default(),
                "{}",
                t.name
            );
            let changed = ChatSettings {
                accept_timer_secs: 30,
                no_agent_message: "Sorry!".into(),
                ..Default::default()
            };
            let admin = s.create_agent(&new_agent("root", "hash")).await.unwrap();
            let audit = AuditEntry {
                at_ms: 1_000,
                agent: admin,
                action: "chat_settings.save".into(),
                detail: "accept_timer_secs: \"15\" -> \"30\"".into(),
            };
            s.save_chat_settings(&changed, Some(&audit)).await.unwrap();
            s.save_chat_settings(&changed, None).await.unwrap(); // saving twice updates in place
            assert_eq!(s.chat_settings().await.unwrap(), changed);
            // SPEC D-2: the administrator's change is audited with the settings, once.
            assert_eq!(s.admin_audit(10).await.unwrap(), vec![audit], "{}", t.name);
        }
    }

    /// SPEC K-2 and P-5: a chat is created queued in the CSQ of its problem statement, and
    /// its lifecycle and agent are kept.
    /// SPEC G-1, G-5: an invitation's notes are kept until it is closed; the guest's notes
    /// go when the guest does.
    #[tokio::test]
    async fn invitations_and_guests_are_kept_then_removed() {
        for t in all_stores().await {
            let s = &t.store;
            let support = s.create_csq("Support").await.unwrap();
            let customer = s
                .create_customer(&NewCustomer {
                    name: "Zoé".into(),
                    email: None,
                    phone: None,
                })
                .await
                .unwrap();
            let chat = s
                .create_chat(
                    &NewChat {
                        channel: Channel::Web,
                        csq: support,
                        customer,
                        problem: "My order".into(),
                        details: Vec::new(),
                    },
                    1,
                )
                .await
                .unwrap();
            let alice = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            let bob = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            let pending = PendingInvitation {
                from: alice,
                csq: support,
                notes: "VIP".into(),
            };
            s.open_invitation(chat.id, &pending, 5).await.unwrap();
            s.open_invitation(chat.id, &pending, 6).await.unwrap();
            assert_eq!(
                s.invitation(chat.id).await.unwrap(),
                Some(pending),
                "{}",
                t.name
            );
            s.close_invitation(chat.id).await.unwrap();
            assert_eq!(s.invitation(chat.id).await.unwrap(), None);
            let guest = Guest {
                agent: bob,
                notes: "VIP".into(),
            };
            s.add_guest(chat.id, &guest, 7).await.unwrap();
            assert_eq!(s.guest(chat.id).await.unwrap(), Some(guest));
            s.remove_guest(chat.id).await.unwrap();
            assert_eq!(s.guest(chat.id).await.unwrap(), None, "{}", t.name);
        }
    }

    /// SPEC W-2: a contact's wrap-up options are copied once, even when empty, so reasons
    /// added later stay off it; W-1: an agent's choice is replaced whole.
    #[tokio::test]
    async fn wrap_up_options_are_copied_once_and_choices_replaced() {
        for t in all_stores().await {
            let s = &t.store;
            let support = s.create_csq("Support").await.unwrap();
            let customer = s
                .create_customer(&NewCustomer {
                    name: "Zoé".into(),
                    email: None,
                    phone: None,
                })
                .await
                .unwrap();
            let new_chat = NewChat {
                channel: Channel::Web,
                csq: support,
                customer,
                problem: "My order".into(),
                details: Vec::new(),
            };
            let empty = s.create_chat(&new_chat, 1).await.unwrap();
            s.snapshot_wrap_up(empty.id, support).await.unwrap();
            let b = s.create_wrap_up_reason("Bravo").await.unwrap();
            let a = s.create_wrap_up_reason("Alpha").await.unwrap();
            s.assign_wrap_up_reason(support, b).await.unwrap();
            s.assign_wrap_up_reason(support, a).await.unwrap();
            s.snapshot_wrap_up(empty.id, support).await.unwrap();
            let agent = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            assert!(
                s.wrap_up(empty.id, agent).await.unwrap().offered.is_empty(),
                "{}: an empty copy stays empty",
                t.name
            );

            let chat = s.create_chat(&new_chat, 2).await.unwrap();
            let copied = s.snapshot_wrap_up(chat.id, support).await.unwrap();
            let c = s.create_wrap_up_reason("Charlie").await.unwrap();
            s.assign_wrap_up_reason(support, c).await.unwrap();
            let kept = s.snapshot_wrap_up(chat.id, support).await.unwrap();
            assert_eq!(
                copied, kept,
                "{}: the second call answers the first copy",
                t.name
            );
            let w = s.wrap_up(chat.id, agent).await.unwrap();
            assert_eq!(
                w.offered, copied,
                "{}: what the copy answered is stored",
                t.name
            );
            let labels: Vec<&str> = w.offered.iter().map(|r| r.label.as_str()).collect();
            assert_eq!(labels, ["Alpha", "Bravo"], "{}", t.name);
            s.set_wrap_up(chat.id, agent, &[a, b]).await.unwrap();
            s.set_wrap_up(chat.id, agent, &[b]).await.unwrap();
            assert_eq!(s.wrap_up(chat.id, agent).await.unwrap().selected, [b]);
        }
    }

    #[tokio::test]
    async fn chats_are_created_queued_and_follow_their_lifecycle() {
        for t in all_stores().await {
            let s = &t.store;
            let support = s.create_csq("Support").await.unwrap();
            let p1 = s
                .create_problem_statement("My order", support)
                .await
                .unwrap();
            s.create_problem_statement("Something else", support)
                .await
                .unwrap();
            let problems = s.problem_statements().await.unwrap();
            assert_eq!(problems.len(), 2, "{}", t.name);
            assert_eq!((problems[0].id, problems[0].csq), (p1, support));

            let customer = s
                .create_customer(&NewCustomer {
                    name: "Zoé".into(),
                    email: Some("zoe@example.com".into()),
                    phone: None,
                })
                .await
                .unwrap();
            assert_eq!(s.customer(customer).await.unwrap().name, "Zoé");
            let chat = s
                .create_chat(
                    &NewChat {
                        channel: Channel::Web,
                        csq: support,
                        customer,
                        problem: "My order".into(),
                        details: Vec::new(),
                    },
                    1_000,
                )
                .await
                .unwrap();
            assert_eq!(
                (chat.status, chat.queued_at_ms, chat.agent),
                (ContactStatus::Queued, 1_000, None)
            );
            assert_eq!(s.open_contacts().await.unwrap().len(), 1);

            let agent = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            // The step answers with the contact as stored after it (issue 13: no read after).
            let stepped = s
                .update_contact(chat.id, ContactStatus::Active, Some(agent), 2_000)
                .await
                .unwrap();
            let active = s.contact(chat.id).await.unwrap();
            assert_eq!(
                (active.status, active.agent),
                (ContactStatus::Active, Some(agent))
            );
            assert_eq!(stepped, active, "{}", t.name);
            let ended = ContactStatus::Ended(EndReason::EndedByAgent);
            let stepped = s.update_contact(chat.id, ended, None, 3_000).await.unwrap();
            let done = s.contact(chat.id).await.unwrap();
            assert_eq!(
                (done.status, done.agent),
                (ended, Some(agent)),
                "the agent is kept"
            );
            assert_eq!(stepped, done, "{}", t.name);
            assert!(s.open_contacts().await.unwrap().is_empty());
            assert!(matches!(
                s.update_contact(app::domain::ids::ContactId(999), ended, None, 1)
                    .await,
                Err(StoreError::NotFound)
            ));
        }
    }

    /// SPEC K-3 and P-5: lines are numbered per chat, a resend with the same client id is
    /// stored once, and a reader resumes after a sequence number.
    #[tokio::test]
    async fn transcript_lines_are_numbered_and_resends_stored_once() {
        for t in all_stores().await {
            let s = &t.store;
            let csq = s.create_csq("Sales").await.unwrap();
            let customer = s
                .create_customer(&NewCustomer {
                    name: "Zoé".into(),
                    email: None,
                    phone: None,
                })
                .await
                .unwrap();
            let new_chat = NewChat {
                channel: Channel::Web,
                csq,
                customer,
                problem: String::new(),
                details: Vec::new(),
            };
            let chat = s.create_chat(&new_chat, 1).await.unwrap();
            let other = s.create_chat(&new_chat, 2).await.unwrap();

            let hello = LineBody::Message {
                author: Author::Customer {
                    name: "Zoé".into()
                },
                text: "Bonjour 😀".into(),
                client_id: "c1".into(),
                files: Vec::new(),
                sent_at_ms: None,
                template: None,
            };
            let first = s
                .append_line(chat.id, &Sender::Customer, Some("c1"), &hello, 10)
                .await
                .unwrap();
            assert!(first.fresh, "{}", t.name);
            assert_eq!(first.line.seq, 1);
            let again = s
                .append_line(chat.id, &Sender::Customer, Some("c1"), &hello, 11)
                .await
                .unwrap();
            assert!(!again.fresh, "the resend is recognised");
            assert_eq!(again.line, first.line);

            // The same client id from another sender is another message.
            let agent = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            let reply = LineBody::Message {
                author: Author::Agent {
                    agent,
                    alias: "alice".into(),
                },
                text: "Hello".into(),
                client_id: "c1".into(),
                files: Vec::new(),
                sent_at_ms: None,
                template: None,
            };
            let r = s
                .append_line(chat.id, &Sender::Agent(agent), Some("c1"), &reply, 12)
                .await
                .unwrap();
            assert_eq!((r.fresh, r.line.seq), (true, 2));
            let note = LineBody::System {
                note: SystemNote::Joined {
                    alias: "alice".into(),
                },
            };
            s.append_line(chat.id, &Sender::System, None, &note, 13)
                .await
                .unwrap();
            s.append_line(chat.id, &Sender::System, None, &note, 14)
                .await
                .unwrap();
            // Another chat has its own numbering.
            let o = s
                .append_line(other.id, &Sender::Customer, Some("c1"), &hello, 15)
                .await
                .unwrap();
            assert_eq!(o.line.seq, 1);

            let all = s.lines_after(chat.id, 0, 100).await.unwrap();
            assert_eq!(all.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
            assert_eq!(all[0].body, hello);
            assert_eq!(all[0].at_ms, 10);
            let missed = s.lines_after(chat.id, 2, 100).await.unwrap();
            assert_eq!(missed.iter().map(|l| l.seq).collect::<Vec<_>>(), [3, 4]);
            // SPEC G-2: the last message starts at 2; system lines are not counted.
            assert_eq!(s.history_start(chat.id, 1).await.unwrap(), 1, "{}", t.name);
            assert_eq!(s.history_start(chat.id, 2).await.unwrap(), 0);
            assert_eq!(s.history_start(chat.id, 100).await.unwrap(), 0);
        }
    }

    /// SPEC K-3 (issue 13): lines written at once by many senders, into several chats and
    /// with resends among them, are stored in group commits: each chat numbered 1, 2, 3...
    /// without a gap, every message once, and every resend answered with the first copy.
    #[tokio::test]
    async fn lines_written_at_once_are_numbered_without_gaps_and_stored_once() {
        for t in all_stores().await {
            let s = t.store.clone();
            let other = s.create_csq("Other").await.unwrap();
            let chats = [
                web_chat(s.as_ref()).await.id,
                chat_in(s.as_ref(), other, "Ana", 1).await.id,
            ];
            let mut writes = tokio::task::JoinSet::new();
            // 2 chats x 150 messages, each sent twice at the same time, and system lines.
            for n in 0..150 {
                for chat in chats {
                    for _copy in 0..2 {
                        let s = s.clone();
                        writes.spawn(async move {
                            let id = format!("m{n}");
                            let body = LineBody::Message {
                                author: Author::Customer {
                                    name: "Zoé".into()
                                },
                                text: format!("message {n}"),
                                client_id: id.clone(),
                                files: Vec::new(),
                                sent_at_ms: None,
                                template: None,
                            };
                            let appended = s
                                .append_line(chat, &Sender::Customer, Some(&id), &body, n)
                                .await
                                .unwrap();
                            (chat, Some(id), appended)
                        });
                    }
                }
                let s = s.clone();
                let chat = chats[0];
                writes.spawn(async move {
                    let note = LineBody::System {
                        note: SystemNote::InactivityWarning,
                    };
                    let appended = s
                        .append_line(chat, &Sender::System, None, &note, n)
                        .await
                        .unwrap();
                    (chat, None, appended)
                });
            }
            let mut answers: std::collections::HashMap<_, Vec<_>> = Default::default();
            while let Some(done) = writes.join_next().await {
                let (chat, id, appended) = done.unwrap();
                let key = (
                    chat,
                    id.unwrap_or_else(|| format!("system {}", appended.line.seq)),
                );
                answers.entry(key).or_default().push(appended);
            }
            for ((chat, id), copies) in &answers {
                let fresh = copies.iter().filter(|a| a.fresh).count();
                assert_eq!(fresh, 1, "{}: {chat} {id} stored once", t.name);
                assert!(
                    copies.iter().all(|a| a.line == copies[0].line),
                    "{}: every sender of {chat} {id} told the same line",
                    t.name
                );
            }
            for (chat, lines) in [(chats[0], 300), (chats[1], 150)] {
                let stored = s.lines_after(chat, 0, 1000).await.unwrap();
                let seqs: Vec<u64> = stored.iter().map(|l| l.seq).collect();
                assert_eq!(seqs, (1..=lines).collect::<Vec<u64>>(), "{}", t.name);
            }
        }
    }

    /// Issue 13: a batch of lines the database refuses (here a trigger refuses one line) is
    /// rolled back whole before the writer serves anyone else: the other lines are then
    /// stored one by one, numbered without a gap, and the writer goes on.
    #[tokio::test]
    async fn a_refused_batch_of_lines_is_rolled_back_and_the_others_stored_alone() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("refuse.db").display());
        let s = server::store::connect(&url).await.unwrap();
        let raw = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON chat_lines \
             WHEN NEW.body LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poison refused'); END",
        )
        .execute(&raw)
        .await
        .unwrap();
        let chat = web_chat(s.as_ref()).await.id;
        let mut writes = tokio::task::JoinSet::new();
        for n in 0..40 {
            let s = s.clone();
            writes.spawn(async move {
                let text = if n == 20 {
                    "poison".to_string()
                } else {
                    format!("line {n}")
                };
                let body = LineBody::Message {
                    author: Author::Customer {
                        name: "Zoé".into()
                    },
                    text,
                    client_id: format!("c{n}"),
                    files: Vec::new(),
                    sent_at_ms: None,
                    template: None,
                };
                let sent = s
                    .append_line(chat, &Sender::Customer, Some(&format!("c{n}")), &body, n)
                    .await;
                (n, sent)
            });
        }
        while let Some(done) = writes.join_next().await {
            let (n, sent) = done.unwrap();
            assert_eq!(sent.is_err(), n == 20, "line {n}: {sent:?}");
        }
        let after = LineBody::System {
            note: SystemNote::InactivityWarning,
        };
        s.append_line(chat, &Sender::System, None, &after, 50)
            .await
            .expect("the writer goes on after a refused batch");
        let seqs: Vec<u64> = s
            .lines_after(chat, 0, 100)
            .await
            .unwrap()
            .iter()
            .map(|l| l.seq)
            .collect();
        assert_eq!(
            seqs,
            (1..=40).collect::<Vec<u64>>(),
            "39 lines and the last, no gap"
        );
    }

    /// A web chat of Zoé in a new CSQ, queued.
    async fn web_chat(s: &dyn server::store::Store) -> app::domain::contact::Contact {
        let csq = s.create_csq("Sales").await.unwrap();
        chat_in(s, csq, "Zoé", 1).await
    }

    /// A web chat of a new customer named `name`, queued in `csq` at `at_ms`.
    pub(super) async fn chat_in(
        s: &dyn server::store::Store,
        csq: app::domain::ids::CsqId,
        name: &str,
        at_ms: i64,
    ) -> app::domain::contact::Contact {
        let customer = s
            .create_customer(&NewCustomer {
                name: name.into(),
                email: None,
                phone: None,
            })
            .await
            .unwrap();
        let chat = NewChat {
            channel: Channel::Web,
            csq,
            customer,
            problem: String::new(),
            details: Vec::new(),
        };
        s.create_chat(&chat, at_ms).await.unwrap()
    }

    /// Issue 18 (S-4, D-3): every step of a chat is logged with the queue and the agent it
    /// concerned, as the reports count them: an offer that went unaccepted names its agent
    /// without making them the chat's holder; a take keeps its wait, a change of hands
    /// none; the first agent's line is its first response; an abandon keeps its wait.
    #[tokio::test]
    async fn a_chats_steps_are_logged_with_their_agents_for_the_reports() {
        use server::store::contacts::LoggedStep;
        for t in all_stores().await {
            let s = &t.store;
            let chat = web_chat(s.as_ref()).await;
            let alice = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            let bob = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            let waiting = ContactStatus::WAITING;
            let offered = s
                .step_contact(chat.id, &waiting, ContactStatus::Offered, Some(alice), 100)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(offered.agent, None, "{}: an offer is not a hold", t.name);
            s.step_contact(
                chat.id,
                &[ContactStatus::Offered],
                ContactStatus::Queued,
                Some(alice),
                115,
            )
            .await
            .unwrap()
            .unwrap();
            s.step_contact(chat.id, &waiting, ContactStatus::Offered, Some(bob), 120)
                .await
                .unwrap()
                .unwrap();
            s.accept_contact(
                chat.id,
                &[ContactStatus::Offered],
                ContactStatus::Active,
                bob,
                125,
            )
            .await
            .unwrap()
            .unwrap();
            let said = |text: &str, author: Author| LineBody::Message {
                author,
                text: text.into(),
                client_id: text.into(),
                files: Vec::new(),
                sent_at_ms: None,
                template: None,
            };
            let customer = (
                Sender::Customer,
                Author::Customer {
                    name: "Zoé".into()
                },
            );
            let agent = (
                Sender::Agent(bob),
                Author::Agent {
                    agent: bob,
                    alias: "Bob".into(),
                },
            );
            for ((sender, author), text, at_ms) in [
                (&customer, "hi", 126),
                (&agent, "hello", 131),
                (&agent, "more", 140),
            ] {
                s.append_line(
                    chat.id,
                    sender,
                    Some(text),
                    &said(text, author.clone()),
                    at_ms,
                )
                .await
                .unwrap();
            }
            // A group chat changing hands (G-3) is a take without a wait.
            s.update_contact(chat.id, ContactStatus::Active, Some(alice), 150)
                .await
                .unwrap();
            let ended = ContactStatus::Ended(EndReason::EndedByAgent);
            s.step_contact(chat.id, &[ContactStatus::Active], ended, None, 200)
                .await
                .unwrap()
                .unwrap();
            // A step not taken is not logged.
            assert!(s
                .step_contact(chat.id, &waiting, ContactStatus::Offered, Some(alice), 210)
                .await
                .unwrap()
                .is_none());

            let timeline = s.timeline(chat.id).await.unwrap();
            let step = |at_ms, step, agent, reason, wait_ms| LoggedStep {
                at_ms,
                step,
                channel: Channel::Web,
                csq: chat.csq,
                agent,
                reason,
                wait_ms,
            };
            use app::domain::contact::ContactStep as S;
            assert_eq!(
                timeline.steps,
                [
                    step(1, S::Queued, None, None, None),
                    step(100, S::Offered, Some(alice), None, None),
                    step(115, S::OfferWithdrawn, Some(alice), None, None),
                    step(120, S::Offered, Some(bob), None, None),
                    step(125, S::Accepted, Some(bob), None, Some(124)),
                    step(150, S::Accepted, Some(alice), None, None),
                    step(
                        200,
                        S::Ended,
                        Some(alice),
                        Some(EndReason::EndedByAgent),
                        None
                    ),
                ],
                "{}",
                t.name
            );
            assert_eq!(timeline.first_response_at_ms, Some(131), "{}", t.name);
            assert_eq!(s.contact(chat.id).await.unwrap().agent, Some(alice));

            // A chat the customer left while it waited: queued, then ended, nobody's.
            let left = chat_in(s.as_ref(), chat.csq, "Yann", 1).await;
            let abandoned = ContactStatus::Ended(EndReason::Abandoned);
            s.step_contact(left.id, &waiting, abandoned, None, 30)
                .await
                .unwrap()
                .unwrap();
            let timeline = s.timeline(left.id).await.unwrap();
            assert_eq!(
                timeline
                    .steps
                    .iter()
                    .map(|l| (l.step, l.agent, l.reason, l.wait_ms))
                    .collect::<Vec<_>>(),
                [
                    (S::Queued, None, None, None),
                    (S::Ended, None, Some(EndReason::Abandoned), Some(29))
                ],
                "{}: abandoned after its wait",
                t.name
            );
            assert_eq!(timeline.first_response_at_ms, None);
        }
    }

    /// A lifecycle step only from the state it was decided on: a timer ending a chat
    /// that an agent has just accepted does nothing.
    #[tokio::test]
    async fn a_step_is_taken_only_from_the_expected_state() {
        for t in all_stores().await {
            let s = &t.store;
            let chat = web_chat(s.as_ref()).await;
            let agent = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            let waiting = [ContactStatus::Queued, ContactStatus::Offered];
            let accepted = s
                .step_contact(chat.id, &waiting, ContactStatus::Active, Some(agent), 5)
                .await
                .unwrap()
                .expect("taken from Queued");
            assert_eq!(
                (accepted.status, accepted.agent),
                (ContactStatus::Active, Some(agent))
            );
            let timed_out = ContactStatus::Ended(EndReason::QueueTimeout);
            assert!(
                s.step_contact(chat.id, &waiting, timed_out, None, 6)
                    .await
                    .unwrap()
                    .is_none(),
                "{}: accepted meanwhile",
                t.name
            );
            assert_eq!(
                s.contact(chat.id).await.unwrap().status,
                ContactStatus::Active
            );
        }
    }

    /// Issue 14: a routing leader's step is taken only while its epoch is the lead's. A
    /// leader that lost the lead without knowing yet (another node took the next epoch)
    /// offers nothing; the new leader does. One process (SQLite) has no epochs.
    #[tokio::test]
    async fn a_leaders_step_is_taken_only_under_the_current_lead() {
        for t in all_stores().await {
            let s = &t.store;
            let chat = web_chat(s.as_ref()).await;
            let waiting = [ContactStatus::Queued];
            let Some(coordination) = s.coordination() else {
                let offered = s
                    .step_contact_as_leader(chat.id, &waiting, ContactStatus::Offered, None, 1, 5)
                    .await
                    .unwrap();
                assert!(offered.is_some(), "{}: one process, no fence", t.name);
                continue;
            };
            let mut seat = coordination.leader_seat().await.unwrap();
            let old = seat.try_lead(1).await.unwrap().expect("the lead");
            drop(seat); // the lead is lost (its connection gone)...
            let mut seat = coordination.leader_seat().await.unwrap();
            let new = loop {
                if let Some(epoch) = seat.try_lead(2).await.unwrap() {
                    break epoch;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            };
            assert!(new > old);
            // ...and the old leader's engine has not heard yet.
            assert!(
                s.step_contact_as_leader(chat.id, &waiting, ContactStatus::Offered, None, old, 5)
                    .await
                    .unwrap()
                    .is_none(),
                "{}: a stale leader's offer is not taken",
                t.name
            );
            assert_eq!(
                s.contact(chat.id).await.unwrap().status,
                ContactStatus::Queued
            );
            let offered = s
                .step_contact_as_leader(chat.id, &waiting, ContactStatus::Offered, None, new, 6)
                .await
                .unwrap()
                .expect("the leader's offer");
            assert_eq!(offered.status, ContactStatus::Offered);

            // An assignment (an email given outright): the stale leader's names no agent;
            // the lead's does, and a second one of the same contact is not taken.
            let alice = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            let bob = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            let other = chat_in(s.as_ref(), chat.csq, "Yann", 2).await;
            let assign = |agent, epoch| {
                s.step_contact_as_leader(
                    other.id,
                    &waiting,
                    ContactStatus::Active,
                    Some(agent),
                    epoch,
                    7,
                )
            };
            assert!(
                assign(alice, old).await.unwrap().is_none(),
                "{}: a stale leader assigns nothing",
                t.name
            );
            let held = assign(bob, new)
                .await
                .unwrap()
                .expect("the lead's assignment");
            assert_eq!(
                (held.status, held.agent),
                (ContactStatus::Active, Some(bob))
            );
            assert!(
                assign(alice, new).await.unwrap().is_none(),
                "{}: one agent per contact",
                t.name
            );
            assert_eq!(s.contact(other.id).await.unwrap().agent, Some(bob));
        }
    }

    /// Issue 14: work held by one node (the files' gate) waits on every other until it is
    /// let go.
    #[tokio::test]
    async fn held_work_waits_for_the_other_holder() {
        for t in all_stores().await {
            let Some(coordination) = t.store.coordination() else {
                continue;
            };
            let first = coordination.hold("files").await.unwrap();
            let other = coordination.clone();
            let (taken, mut taken_rx) = tokio::sync::oneshot::channel();
            let second = tokio::spawn(async move {
                let held = other.hold("files").await.unwrap();
                let _ = taken.send(());
                held
            });
            assert!(
                tokio::time::timeout(std::time::Duration::from_millis(300), &mut taken_rx)
                    .await
                    .is_err(),
                "{}: not while the first holds it",
                t.name
            );
            assert!(
                coordination.hold("other work").await.is_ok(),
                "other work is not held"
            );
            drop(first);
            tokio::time::timeout(std::time::Duration::from_secs(5), taken_rx)
                .await
                .expect("taken once let go")
                .unwrap();
            drop(second.await.unwrap());
        }
    }

    /// SPEC O-5, W-2: an accept steps the contact and copies its queue's reasons in one
    /// go, answering both as stored; an accept of a contact no longer waiting changes
    /// nothing and copies nothing.
    #[tokio::test]
    async fn an_accept_takes_the_contact_with_its_wrap_up_reasons() {
        for t in all_stores().await {
            let s = &t.store;
            let chat = web_chat(s.as_ref()).await;
            let agent = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            let b = s.create_wrap_up_reason("Bravo").await.unwrap();
            let a = s.create_wrap_up_reason("Alpha").await.unwrap();
            let retired = s.create_wrap_up_reason("Zulu").await.unwrap();
            for reason in [b, a, retired] {
                s.assign_wrap_up_reason(chat.csq, reason).await.unwrap();
            }
            s.save_wrap_up_reason(
                &app::domain::wrap_up::WrapUpReasonEdit {
                    id: Some(retired),
                    label: "Zulu".into(),
                    retired: true,
                    csqs: vec![chat.csq],
                },
                &AuditEntry {
                    at_ms: 1,
                    agent,
                    action: "wrap_up_reason.save".into(),
                    detail: "Zulu retired".into(),
                },
            )
            .await
            .unwrap();
            let waiting = [ContactStatus::Queued, ContactStatus::Offered];
            let (accepted, offered) = s
                .accept_contact(chat.id, &waiting, ContactStatus::Active, agent, 5)
                .await
                .unwrap()
                .expect("taken from Queued");
            assert_eq!(accepted, s.contact(chat.id).await.unwrap(), "{}", t.name);
            assert_eq!(
                (accepted.status, accepted.agent),
                (ContactStatus::Active, Some(agent))
            );
            let labels: Vec<&str> = offered.iter().map(|r| r.label.as_str()).collect();
            assert_eq!(
                labels,
                ["Alpha", "Bravo"],
                "{}: by label, none retired",
                t.name
            );
            assert_eq!(s.wrap_up(chat.id, agent).await.unwrap().offered, offered);

            let other = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            assert!(
                s.accept_contact(chat.id, &waiting, ContactStatus::Active, other, 6)
                    .await
                    .unwrap()
                    .is_none(),
                "{}: already taken",
                t.name
            );
            assert_eq!(s.contact(chat.id).await.unwrap().agent, Some(agent));
            assert_eq!(s.wrap_up(chat.id, agent).await.unwrap().offered, offered);
        }
    }

    /// SPEC O-5, G-3 (issue 13): an agent's page reads the contacts it takes part in, held
    /// or joined as the guest, in arrival order; not those waiting, ended or someone else's.
    #[tokio::test]
    async fn an_agent_reads_only_the_contacts_it_takes_part_in() {
        for t in all_stores().await {
            let s = &t.store;
            let csq = s.create_csq("Support").await.unwrap();
            let alice = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            let bob = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            let mut chats = Vec::new();
            for n in 0..5 {
                let name = format!("Customer {n}");
                chats.push(chat_in(s.as_ref(), csq, &name, 10 + n).await.id);
            }
            let waiting = [ContactStatus::Queued, ContactStatus::Offered];
            let take = |chat, agent| {
                s.step_contact(chat, &waiting, ContactStatus::Active, Some(agent), 20)
            };
            assert!(take(chats[0], alice).await.unwrap().is_some());
            assert!(take(chats[1], bob).await.unwrap().is_some());
            assert!(take(chats[2], alice).await.unwrap().is_some());
            assert!(take(chats[3], alice).await.unwrap().is_some());
            // Bob's chat with Alice as the guest; Alice's third chat ended; chat 4 waits.
            let guest = Guest {
                agent: alice,
                notes: String::new(),
            };
            s.add_guest(chats[1], &guest, 21).await.unwrap();
            let ended = ContactStatus::Ended(EndReason::EndedByCustomer);
            assert!(s
                .step_contact(chats[3], &[ContactStatus::Active], ended, None, 22)
                .await
                .unwrap()
                .is_some());
            let ids = |held: Vec<app::domain::contact::Contact>| {
                held.into_iter().map(|c| c.id).collect::<Vec<_>>()
            };
            assert_eq!(
                ids(s.held_contacts(alice).await.unwrap()),
                vec![chats[0], chats[1], chats[2]],
                "{}",
                t.name
            );
            assert_eq!(ids(s.held_contacts(bob).await.unwrap()), vec![chats[1]]);
            // What is handed back when the agent leaves: only what it holds, not the group
            // chat it joined.
            assert_eq!(
                ids(s.owned_contacts(alice).await.unwrap()),
                vec![chats[0], chats[2]]
            );
            // What every message reads: the chat, who the customer is, who joined, the
            // names the agents sign with.
            let parties = s.chat_parties(chats[1]).await.unwrap();
            assert_eq!(parties.contact.agent, Some(bob));
            assert_eq!(parties.customer_name, "Customer 1");
            assert_eq!(parties.guest, Some((alice, "alice".to_string())));
            assert_eq!(parties.alias_of(bob), Some("bob"));
            assert_eq!(parties.alias_of(alice), Some("alice"));
            let alone = s.chat_parties(chats[0]).await.unwrap();
            assert_eq!(
                (
                    alone.customer_name.as_str(),
                    alone.guest.clone(),
                    alone.alias_of(bob)
                ),
                ("Customer 0", None, None)
            );
            assert!(matches!(
                s.chat_parties(app::domain::ids::ContactId(999_999)).await,
                Err(server::store::StoreError::NotFound)
            ));
            // Many messages at once are read together: each gets its own chat, the same
            // chat twice included, and a chat that does not exist fails only its own.
            let missing = app::domain::ids::ContactId(999_999);
            let asked = [chats[4], chats[1], missing, chats[4], chats[0]];
            let answers =
                futures_util::future::join_all(asked.iter().map(|id| s.chat_parties(*id))).await;
            for (id, answer) in asked.iter().zip(answers) {
                match answer {
                    Ok(parties) => assert_eq!(parties.contact.id, *id, "{}", t.name),
                    Err(server::store::StoreError::NotFound) => {
                        assert_eq!(*id, missing, "{}", t.name)
                    }
                    Err(e) => panic!("{}: {e}", t.name),
                }
            }
        }
    }

    /// SPEC K-5: the facts a chat's timers are set from after a restart.
    #[tokio::test]
    async fn the_chat_clock_reads_what_the_timers_need() {
        for t in all_stores().await {
            let s = &t.store;
            let chat = web_chat(s.as_ref()).await;
            assert_eq!(
                s.chat_clock(chat.id).await.unwrap(),
                server::store::ChatClock::default(),
                "{}",
                t.name
            );
            let said = |n: i64| LineBody::Message {
                author: Author::Customer {
                    name: "Zoé".into()
                },
                text: format!("m{n}"),
                client_id: format!("c{n}"),
                files: Vec::new(),
                sent_at_ms: None,
                template: None,
            };
            for at in [10, 30] {
                s.append_line(
                    chat.id,
                    &Sender::Customer,
                    Some(&format!("c{at}")),
                    &said(at),
                    at,
                )
                .await
                .unwrap();
            }
            let agent = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            s.update_contact(chat.id, ContactStatus::Active, Some(agent), 20)
                .await
                .unwrap();
            assert!(s.mark_join_told(chat.id, 15).await.unwrap());
            assert!(
                !s.mark_join_told(chat.id, 16).await.unwrap(),
                "{}: the customer is told once",
                t.name
            );
            assert!(s.mark_silence_warned(chat.id, 40, None).await.unwrap());
            assert!(
                !s.mark_silence_warned(chat.id, 41, None).await.unwrap(),
                "{}: warned once for one silence",
                t.name
            );
            let clock = s.chat_clock(chat.id).await.unwrap();
            assert_eq!(clock.accepted_at_ms, Some(20), "{}", t.name);
            assert_eq!(clock.last_customer_at_ms, Some(30));
            assert_eq!(clock.join_told_at_ms, Some(15));
            assert_eq!(clock.silence_warned_at_ms, Some(40));
        }
    }
}

/// SPEC E-1, E-4, Q-1: emails on both backends.
mod email {
    use super::common::{all_stores, new_agent};
    use app::domain::{
        contact::{Channel, ContactStatus},
        email::EmailAddress,
        ids::CsqId,
    };
    use server::store::email::{NewAttachment, NewEmail, Taken};

    fn email(uid: u32, validity: u32, message_id: &str, refs: &[&str], subject: &str) -> NewEmail {
        NewEmail {
            mailbox: "support".into(),
            mailbox_address: "support@shop.test".into(),
            uid_validity: validity,
            uid,
            csq: CsqId(1),
            message_id: Some(message_id.into()),
            in_reply_to: refs.last().map(|r| vec![r.to_string()]).unwrap_or_default(),
            references: refs.iter().map(|r| r.to_string()).collect(),
            subject: subject.into(),
            from: EmailAddress {
                name: Some("Ann Lee".into()),
                address: "Ann@Example.com".into(),
            },
            to: vec![],
            cc: vec![EmailAddress {
                name: None,
                address: "cc@example.com".into(),
            }],
            sent_at_ms: Some(5),
            text_body: "Hello".into(),
            html_body: None,
            has_remote_images: false,
            attachments: vec![NewAttachment {
                name: "a.pdf".into(),
                content_type: "application/pdf".into(),
                size: 3,
                sha256: "ab".repeat(32),
                content_id: None,
                inline: false,
            }],
            skipped: vec![],
        }
    }

    /// Issue 17: an email started through the API is a conversation of the customer named
    /// (not of its sender, the mailbox), ended as sent, its message in the outbox; the same
    /// Message-ID again is that conversation, nothing written twice, and it is found by its
    /// id's local part whatever the mailbox; an erased customer is written to no more.
    #[tokio::test]
    async fn an_email_started_through_the_api_is_stored_once_for_its_customer() {
        use app::domain::contact::EndReason;
        use server::store::{
            email::NewAck, outbound::Started, privacy::Erasure, settings::AuditEntry, NewCustomer,
            StoreError,
        };
        for t in all_stores().await {
            let s = &t.store;
            s.create_csq("Support").await.unwrap();
            let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let person = |name: &str, email: &str| NewCustomer {
                name: name.into(),
                email: Some(email.into()),
                phone: None,
            };
            let zoe = s
                .create_customer(&person("Zoé", "zoe@example.com"))
                .await
                .unwrap();
            let karl = s
                .create_customer(&person("Karl", "karl@example.com"))
                .await
                .unwrap();
            let mut out = email(0, 0, "api.abc@shop.test", &[], "Your refund");
            out.from = EmailAddress {
                name: Some("Shop".into()),
                address: "support@shop.test".into(),
            };
            out.attachments = Vec::new();
            let message = NewAck {
                envelope_from: "support@shop.test".into(),
                recipients: vec!["zoe@example.com".into()],
                message: b"Subject: Your refund\r\n\r\nHello".to_vec(),
                message_id: "<api.abc@shop.test>".into(),
            };
            let audit = AuditEntry {
                at_ms: 10,
                agent: ann,
                action: "email.send".into(),
                detail: "API token".into(),
            };
            let started = s
                .start_email(&out, zoe, &message, &audit, 10)
                .await
                .unwrap();
            let Started::New(contact) = started else {
                panic!("{}: {started:?}", t.name)
            };
            assert_eq!(contact.customer, zoe, "{}", t.name);
            assert_eq!(contact.status, ContactStatus::Ended(EndReason::Sent));
            assert_eq!(s.outbox_of(contact.id).await.unwrap().len(), 1);
            assert_eq!(
                s.start_email(&out, zoe, &message, &audit, 11)
                    .await
                    .unwrap(),
                Started::Again(contact.id),
                "{}",
                t.name
            );
            assert_eq!(s.outbox_of(contact.id).await.unwrap().len(), 1);
            assert_eq!(s.started_email("api.abc").await.unwrap(), Some(contact.id));
            assert_eq!(s.started_email("api.ab").await.unwrap(), None);

            let gone = AuditEntry {
                action: "customer.erase".into(),
                ..audit.clone()
            };
            assert!(matches!(
                s.erase_customer(karl, 20, &gone).await.unwrap(),
                Erasure::Done { .. }
            ));
            out.message_id = Some("api.def@shop.test".into());
            assert!(
                matches!(
                    s.start_email(&out, karl, &message, &audit, 30).await,
                    Err(StoreError::NotFound)
                ),
                "{}",
                t.name
            );
            assert_eq!(s.started_email("api.def").await.unwrap(), None);
        }
    }

    #[tokio::test]
    async fn each_uid_is_taken_once_and_progress_moves_with_it() {
        for t in all_stores().await {
            let s = &t.store;
            let csq = s.create_csq("Support").await.unwrap();
            assert_eq!(csq, CsqId(1));
            let Taken::New {
                contact,
                last_agent,
            } = s
                .take_email(&email(7, 100, "m1@x", &[], "Hi"), 1_000)
                .await
                .unwrap()
            else {
                panic!("{}: a new email", t.name)
            };
            assert_eq!(
                (contact.channel, contact.status, last_agent),
                (Channel::Email, ContactStatus::Queued, None)
            );
            assert_eq!(s.mailbox_progress("support").await.unwrap(), Some((100, 7)));
            assert_eq!(
                s.take_email(&email(7, 100, "m1@x", &[], "Hi"), 1_001)
                    .await
                    .unwrap(),
                Taken::AlreadyTaken,
                "{}: the same UID again",
                t.name
            );
            assert_eq!(
                s.take_email(&email(3, 555, "m1@x", &[], "Hi"), 1_002)
                    .await
                    .unwrap(),
                Taken::AlreadyTaken,
                "{}: after a UIDVALIDITY change, the same Message-ID",
                t.name
            );
            assert_eq!(s.mailbox_progress("support").await.unwrap(), Some((555, 3)));
            let stored = s.email(contact.id).await.unwrap();
            assert_eq!(stored.view.subject, "Hi");
            assert_eq!(stored.view.cc[0].address, "cc@example.com");
            assert_eq!(stored.attachments[0].name, "a.pdf");
            assert_eq!(
                s.attachment(stored.attachments[0].id)
                    .await
                    .unwrap()
                    .contact,
                contact.id
            );
            let customer = s.customer(contact.customer).await.unwrap();
            assert_eq!(customer.name, "Ann Lee");
        }
    }

    /// SPEC E-1, issue 13: a batch is stored in one transaction, each message as alone
    /// (a reply finds the thread of a message earlier in the same batch, a UID taken before
    /// is skipped), with one outcome per message, and progress at the last UID.
    #[tokio::test]
    async fn a_batch_of_emails_is_taken_together_each_once() {
        for t in all_stores().await {
            let s = &t.store;
            s.create_csq("Support").await.unwrap();
            s.take_email(&email(1, 9, "m1@x", &[], "First"), 1_000)
                .await
                .unwrap();
            let batch = [
                email(1, 9, "m1@x", &[], "First"),
                email(2, 9, "m2@x", &[], "Lid"),
                email(3, 9, "m3@x", &["m2@x"], "Re: Lid"),
            ];
            let taken = s.take_emails(&batch, 2_000).await.unwrap();
            assert_eq!(taken.len(), 3, "{}", t.name);
            assert_eq!(taken[0], Taken::AlreadyTaken, "{}", t.name);
            let (Taken::New { contact: lid, .. }, Taken::New { contact: reply, .. }) =
                (&taken[1], &taken[2])
            else {
                panic!("{}: two new emails: {taken:?}", t.name)
            };
            assert_eq!(s.mailbox_progress("support").await.unwrap(), Some((9, 3)));
            let agent = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            s.set_thread_agent(lid.id, agent, 2_500).await.unwrap();
            assert_eq!(
                s.thread_last_agent(reply.id).await.unwrap(),
                Some((agent, 2_500)),
                "{}: the reply joined the thread of the message before it in the batch",
                t.name
            );
            assert!(
                s.take_emails(&batch, 3_000)
                    .await
                    .unwrap()
                    .iter()
                    .all(|t| *t == Taken::AlreadyTaken),
                "{}: the whole batch again takes nothing",
                t.name
            );
        }
    }

    #[tokio::test]
    async fn replies_join_their_thread_and_remember_its_agent() {
        for t in all_stores().await {
            let s = &t.store;
            s.create_csq("Support").await.unwrap();
            let agent = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let Taken::New { contact: first, .. } = s
                .take_email(&email(1, 1, "a@x", &[], "Lid"), 1_000)
                .await
                .unwrap()
            else {
                panic!()
            };
            s.set_thread_agent(first.id, agent, 1_500).await.unwrap();
            let Taken::New {
                contact: reply,
                last_agent,
            } = s
                .take_email(&email(2, 1, "b@x", &["a@x"], "Re: Lid"), 2_000)
                .await
                .unwrap()
            else {
                panic!()
            };
            assert_eq!(last_agent, Some((agent, 1_500)), "{}", t.name);
            assert_eq!(first.customer, reply.customer, "same sender, same customer");
            let Taken::New { last_agent, .. } = s
                .take_email(&email(3, 1, "c@x", &[], "FW: lid"), 3_000)
                .await
                .unwrap()
            else {
                panic!()
            };
            assert_eq!(last_agent, Some((agent, 1_500)), "subject fallback");
            let Taken::New { last_agent, .. } = s
                .take_email(&email(4, 1, "d@x", &[], "Other"), 4_000)
                .await
                .unwrap()
            else {
                panic!()
            };
            assert_eq!(last_agent, None);
            assert_eq!(
                s.thread_last_agent(reply.id).await.unwrap(),
                Some((agent, 1_500))
            );
        }
    }

    #[tokio::test]
    async fn a_requeue_moves_the_email_and_remembers_who_may_not_have_it() {
        for t in all_stores().await {
            let s = &t.store;
            s.create_csq("Support").await.unwrap();
            let billing = s.create_csq("Billing").await.unwrap();
            let agent = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let Taken::New { contact, .. } = s
                .take_email(&email(1, 1, "a@x", &[], "Lid"), 1_000)
                .await
                .unwrap()
            else {
                panic!()
            };
            assert!(
                s.requeue_email(contact.id, billing, agent, 2_000)
                    .await
                    .is_err(),
                "{}: only an email in hand is requeued",
                t.name
            );
            s.update_contact(contact.id, ContactStatus::Active, Some(agent), 1_100)
                .await
                .unwrap();
            s.set_thread_agent(contact.id, agent, 1_100).await.unwrap();
            let other = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            assert!(
                s.requeue_email(contact.id, billing, other, 2_000)
                    .await
                    .is_err(),
                "{}: only by the agent who holds it",
                t.name
            );
            assert!(s.discard_email(contact.id, other, 2_000).await.is_err());
            s.requeue_email(contact.id, billing, agent, 2_000)
                .await
                .unwrap();
            assert_eq!(
                s.thread_last_agent(contact.id).await.unwrap(),
                None,
                "a reply no longer waits for the agent who sent it away"
            );
            assert!(
                s.discard_email(contact.id, agent, 2_100).await.is_err(),
                "{}: a queued email is nobody's to discard",
                t.name
            );
            let moved = s.contact(contact.id).await.unwrap();
            assert_eq!((moved.csq, moved.status), (billing, ContactStatus::Queued));
            assert_eq!(s.excluded_agents(contact.id).await.unwrap(), [agent]);
        }
    }

    /// A customer's first email ("Lid"), taken from the mailbox at 1 s.
    async fn lid(s: &dyn server::store::Store) -> app::domain::contact::Contact {
        let Taken::New { contact, .. } = s
            .take_email(&email(1, 1, "a@x", &[], "Lid"), 1_000)
            .await
            .unwrap()
        else {
            panic!("a new email")
        };
        contact
    }

    /// Issue 18 (D-3): an email's steps are logged as the reports count them: a requeue to
    /// its own queue, a transfer to another, a desktop putting it back, its discard; a
    /// requeue refused is not logged.
    #[tokio::test]
    async fn an_emails_requeues_and_transfers_are_logged() {
        use app::domain::contact::{ContactStep as S, EndReason};
        for t in all_stores().await {
            let s = &t.store;
            let support = s.create_csq("Support").await.unwrap();
            let billing = s.create_csq("Billing").await.unwrap();
            let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let bob = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            let contact = lid(s.as_ref()).await;
            let assign = |agent, at| {
                let s = s.clone();
                async move {
                    s.step_contact(
                        contact.id,
                        &ContactStatus::WAITING,
                        ContactStatus::Active,
                        Some(agent),
                        at,
                    )
                    .await
                    .unwrap()
                    .unwrap();
                }
            };
            assign(ann, 1_100).await;
            s.requeue_email(contact.id, support, ann, 1_200)
                .await
                .unwrap();
            assign(bob, 1_300).await;
            assert!(s
                .requeue_email(contact.id, billing, ann, 1_350)
                .await
                .is_err());
            s.requeue_email(contact.id, billing, bob, 1_400)
                .await
                .unwrap();
            assign(ann, 1_500).await;
            s.put_back_email(contact.id, ann, 1_600).await.unwrap();
            assign(bob, 1_700).await;
            s.discard_email(contact.id, bob, 1_800).await.unwrap();

            let steps: Vec<_> = s
                .timeline(contact.id)
                .await
                .unwrap()
                .steps
                .into_iter()
                .map(|l| (l.at_ms, l.step, l.csq, l.agent, l.reason, l.wait_ms))
                .collect();
            assert!(s
                .timeline(contact.id)
                .await
                .unwrap()
                .steps
                .iter()
                .all(|l| l.channel == Channel::Email));
            assert_eq!(
                steps,
                [
                    (1_000, S::Queued, support, None, None, None),
                    (1_100, S::Accepted, support, Some(ann), None, Some(100)),
                    (1_200, S::Requeued, support, Some(ann), None, None),
                    (1_300, S::Accepted, support, Some(bob), None, Some(100)),
                    (1_400, S::Transferred, billing, Some(bob), None, None),
                    (1_500, S::Accepted, billing, Some(ann), None, Some(100)),
                    (1_600, S::Requeued, billing, Some(ann), None, None),
                    (1_700, S::Accepted, billing, Some(bob), None, Some(100)),
                    (
                        1_800,
                        S::Ended,
                        billing,
                        Some(bob),
                        Some(EndReason::Discarded),
                        None
                    ),
                ],
                "{}",
                t.name
            );
            // The day counts each coming into a queue, and each take after it: never
            // more taken than came.
            let (_, queues, _) = s.board(&[support, billing], 0).await.unwrap();
            let day = |csq| {
                let q = queues.iter().find(|q| q.id == csq).unwrap();
                (q.today.offered, q.today.handled, q.today.wait_total_ms)
            };
            assert_eq!(day(support), (2, 2, 200), "{}", t.name);
            assert_eq!(day(billing), (2, 2, 200), "{}", t.name);
        }
    }

    /// SPEC S-5: a desktop that goes puts its email back as it was: same queue, nobody
    /// excluded, the thread still the agent's.
    #[tokio::test]
    async fn an_email_put_back_keeps_its_queue_and_its_thread() {
        for t in all_stores().await {
            let s = &t.store;
            let support = s.create_csq("Support").await.unwrap();
            let agent = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let other = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            let contact = lid(s.as_ref()).await;
            s.update_contact(contact.id, ContactStatus::Active, Some(agent), 1_100)
                .await
                .unwrap();
            s.set_thread_agent(contact.id, agent, 1_100).await.unwrap();
            assert!(
                s.put_back_email(contact.id, other, 5_000).await.is_err(),
                "{}: only the agent holding it",
                t.name
            );
            s.put_back_email(contact.id, agent, 5_000).await.unwrap();
            let back = s.contact(contact.id).await.unwrap();
            assert_eq!((back.csq, back.status), (support, ContactStatus::Queued));
            assert!(s.excluded_agents(contact.id).await.unwrap().is_empty());
            assert_eq!(
                s.thread_last_agent(contact.id).await.unwrap(),
                Some((agent, 1_100))
            );
            assert!(
                s.put_back_email(contact.id, agent, 5_000).await.is_err(),
                "a queued email is nobody's"
            );
        }
    }

    /// SPEC R-4, A-1, R-7, Q-2: drafts are written only by the agent holding the email,
    /// files pass their limits inside the transaction, a queued reply closes the contact
    /// and a refused one opens it again with the error on the draft.
    #[tokio::test]
    async fn drafts_files_and_the_outbox() {
        use app::domain::{
            contact::EndReason,
            limits::MB,
            reply::{ReplyInput, ReplyMode},
        };
        use server::store::{
            reply::{NewDraftFile, NewOutbox},
            StoreError,
        };
        for t in all_stores().await {
            let s = &t.store;
            s.create_csq("Support").await.unwrap();
            let agent = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let other = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            let Taken::New { contact, .. } = s
                .take_email(&email(1, 1, "a@x", &[], "Lid"), 1_000)
                .await
                .unwrap()
            else {
                panic!()
            };
            let id = contact.id;
            s.update_contact(id, ContactStatus::Active, Some(agent), 1_100)
                .await
                .unwrap();
            let input = ReplyInput {
                mode: ReplyMode::ReplyAll,
                to: vec!["a@example.com".into()],
                cc: vec!["c@example.com".into()],
                bcc: vec![],
                body: "<p>Hi</p>".into(),
            };
            assert!(matches!(
                s.save_draft(id, other, &input, 1_200).await,
                Err(StoreError::NotFound)
            ));
            s.save_draft(id, agent, &input, 1_200).await.unwrap();
            let file = |name: &str, size: u64| NewDraftFile {
                name: name.into(),
                content_type: "application/pdf".into(),
                size,
                sha256: "cd".repeat(32),
                inline: false,
            };
            s.add_draft_file(id, agent, &file("a.pdf", 10 * MB), 1_300)
                .await
                .unwrap()
                .unwrap();
            s.add_draft_file(id, agent, &file("b.pdf", 10 * MB), 1_300)
                .await
                .unwrap()
                .unwrap();
            let refused = s
                .add_draft_file(id, agent, &file("c.pdf", 1), 1_300)
                .await
                .unwrap()
                .unwrap_err();
            assert!(refused.to_string().contains("\"c.pdf\""), "{}", t.name);
            let draft = s.draft(id).await.unwrap().unwrap();
            assert_eq!(draft.input, input, "{}", t.name);
            assert_eq!(draft.files.len(), 2);
            assert_eq!(draft.saved_at_ms, Some(1_200));
            assert!(s.file_in_use(&"cd".repeat(32)).await.unwrap());

            let reply = NewOutbox {
                contact: id,
                agent,
                mailbox: "support".into(),
                envelope_from: "support@shop.test".into(),
                recipients: vec!["a@example.com".into()],
                message: vec![0, 1, 2, 255],
                message_id: "<r1@shop.test>".into(),
                text: "We will call you today.".into(),
            };
            assert!(matches!(
                s.queue_reply(
                    &NewOutbox {
                        agent: other,
                        ..reply.clone()
                    },
                    2_000
                )
                .await,
                Err(StoreError::NotFound)
            ));
            let queued = s.queue_reply(&reply, 2_000).await.unwrap();
            assert_eq!(
                s.contact(id).await.unwrap().status,
                ContactStatus::Ended(EndReason::Sent)
            );
            assert_eq!(
                s.next_reply_due("support").await.unwrap(),
                None,
                "{}: held until the pages let the email go",
                t.name
            );
            assert!(s
                .claim_due_replies("support", i64::MAX - 1, 10, i64::MAX)
                .await
                .unwrap()
                .is_empty());
            s.reply_due(queued, 2_000).await.unwrap();
            assert_eq!(s.next_reply_due("support").await.unwrap(), Some(2_000));
            let due = s
                .claim_due_replies("support", 2_000, 10, 3_000)
                .await
                .unwrap();
            assert_eq!(due.len(), 1);
            assert_eq!(due[0].message, [0, 1, 2, 255], "{}: bytes kept", t.name);
            // Issue 14: taken, it is no other worker's until its lease ends; then it is
            // taken again (its worker died mid-attempt).
            assert!(
                s.claim_due_replies("support", 2_999, 10, 4_000)
                    .await
                    .unwrap()
                    .is_empty(),
                "{}: a reply taken is not taken twice",
                t.name
            );
            let again = s
                .claim_due_replies("support", 3_000, 10, 4_000)
                .await
                .unwrap();
            assert_eq!(again.len(), 1, "{}: taken again after its lease", t.name);
            s.reply_retry(queued, 1, 5_000, "connection refused")
                .await
                .unwrap();
            assert!(s
                .claim_due_replies("support", 4_999, 10, 6_000)
                .await
                .unwrap()
                .is_empty());
            assert_eq!(
                s.reply_text(id).await.unwrap().as_deref(),
                Some("We will call you today.")
            );
            // Issue 17: ended, it is indexed for the search...
            assert!(s.to_index(10, i64::MAX).await.unwrap().contains(&id));
            assert!(s.index_conversation(id, "first try").await.unwrap());
            s.reply_failed(queued, "550 no such user", 6_000)
                .await
                .unwrap();
            // ...and given back, it is not, until its next end.
            assert!(
                !s.to_index(10, i64::MAX).await.unwrap().contains(&id),
                "{}",
                t.name
            );
            assert_eq!(s.reply_text(id).await.unwrap(), None, "{}: refused", t.name);
            let back = s.contact(id).await.unwrap();
            assert_eq!(
                (back.status, back.agent),
                (ContactStatus::Active, Some(agent))
            );
            let draft = s.draft(id).await.unwrap().unwrap();
            assert_eq!(draft.send_error.as_deref(), Some("550 no such user"));
            assert_eq!(draft.input, input, "the draft intact");
            let outbox = s.outbox_of(id).await.unwrap();
            assert_eq!(
                (outbox[0].state.as_str(), outbox[0].attempts),
                ("failed", 2)
            );
            assert_eq!(s.next_reply_due("support").await.unwrap(), None);
            // Queued again, the server stopping before it was released: due at the start.
            s.queue_reply(&reply, 7_000).await.unwrap();
            assert_eq!(s.next_reply_due("support").await.unwrap(), None);
            s.held_replies_due(8_000).await.unwrap();
            assert_eq!(
                s.next_reply_due("support").await.unwrap(),
                Some(8_000),
                "{}",
                t.name
            );
            assert_eq!(s.outbox_mailboxes().await.unwrap(), ["support"]);
            assert!(
                s.claim_due_replies("sales", 8_000, 10, 9_000)
                    .await
                    .unwrap()
                    .is_empty(),
                "{}: each mailbox has its own outbox",
                t.name
            );
            assert_eq!(s.next_reply_due("sales").await.unwrap(), None);
            let due = s
                .claim_due_replies("support", 8_000, 10, 9_000)
                .await
                .unwrap();
            assert_eq!(due.len(), 1);
            s.reply_sent(due[0].id, 8_100).await.unwrap();
            assert_eq!(s.outbox_of(id).await.unwrap()[1].state, "sent");
            assert_eq!(
                s.reply_text(id).await.unwrap().as_deref(),
                Some("We will call you today."),
                "{}: the text kept once sent (issue 17)",
                t.name
            );
            assert!(
                s.to_index(10, i64::MAX).await.unwrap().contains(&id),
                "{}",
                t.name
            );
            assert!(s.index_conversation(id, "second try").await.unwrap());
            let words = |w: &str| server::store::search::SearchQuery {
                words: vec![w.to_string()],
                range: (i64::MIN, i64::MAX),
                ..Default::default()
            };
            let found = |q| async move {
                let (found, _) = s.search_conversations(&q, 0, 10).await.unwrap();
                found.into_iter().map(|(c, _)| c.id).collect::<Vec<_>>()
            };
            assert_eq!(found(words("second")).await, [id], "{}", t.name);
            assert!(
                found(words("first")).await.is_empty(),
                "{}: replaced",
                t.name
            );

            let shas = s.delete_draft(id).await.unwrap();
            assert_eq!(shas.len(), 2);
            assert_eq!(s.draft(id).await.unwrap(), None);
            assert!(!s.file_in_use(&"cd".repeat(32)).await.unwrap());
        }
    }

    /// Issue 16: two customer records an agent links are one customer: every contact of
    /// the one becomes the other's, the other's own addresses stay and the linked one's
    /// are kept too (an email from either address, a WhatsApp message from either number,
    /// finds the one customer), the linked record is gone, and the link is audited.
    #[tokio::test]
    async fn two_linked_customers_are_one_with_every_address_and_both_histories() {
        use app::domain::{contact::Channel, customer::CustomerAddress, meta::MetaChannel};
        use server::store::{audit::AuditQuery, AuditEntry, NewChat, NewCustomer, StoreError};
        for t in all_stores().await {
            let s = &t.store;
            let agent = s.create_agent(&new_agent("alice", "h")).await.unwrap();
            let support = s.create_csq("Support").await.unwrap();
            assert_eq!(support, CsqId(1), "{}: the queue the emails name", t.name);
            let person = |name: &str, email: &str, phone: &str| NewCustomer {
                name: name.into(),
                email: Some(email.into()),
                phone: Some(phone.into()),
            };
            let known = s
                .create_customer(&person(
                    "Ravi Patel",
                    "ravi@example.com",
                    "+44 20 7946 0958",
                ))
                .await
                .unwrap();
            let other = s
                .create_customer(&person("R. Patel", "Ann@Example.com", "+1 650 555 0100"))
                .await
                .unwrap();
            let chat = |customer| NewChat {
                channel: Channel::Web,
                csq: support,
                customer,
                problem: String::new(),
                details: Vec::new(),
            };
            let first = s.create_chat(&chat(known), 1).await.unwrap();
            let second = s.create_chat(&chat(other), 2).await.unwrap();
            let email = |a: &str| CustomerAddress::Email(a.into());
            let phone = |d: &str| CustomerAddress::Phone(d.into());
            let found = s
                .find_customer(&email("ann@example.com"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (found.customer.id, found.conversations, found.last_at_ms),
                (other, 1, Some(2))
            );
            assert_eq!(
                s.find_customer(&email("nobody@example.com")).await.unwrap(),
                None
            );

            let audit = AuditEntry {
                at_ms: 5,
                agent,
                action: "customer.link".into(),
                detail: "\"R. Patel\" -> \"Ravi Patel\"".into(),
            };
            s.link_customers(other, known, &audit).await.unwrap();
            assert!(
                matches!(s.customer(other).await, Err(StoreError::NotFound)),
                "{}: the linked record is gone",
                t.name
            );
            let kept = s.customer(known).await.unwrap();
            assert_eq!(
                (
                    kept.name.as_str(),
                    kept.email.as_deref(),
                    kept.phone.as_deref()
                ),
                (
                    "Ravi Patel",
                    Some("ravi@example.com"),
                    Some("+44 20 7946 0958")
                ),
                "{}: its own name and addresses",
                t.name
            );
            let history: Vec<_> = s
                .customer_contacts(known, app::domain::ids::ContactId(0), 10)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect();
            assert_eq!(history, [second.id, first.id], "{}: both histories", t.name);
            for address in [
                email("ann@example.com"),
                email("ravi@example.com"),
                phone("16505550100"),
                phone("442079460958"),
            ] {
                let found = s.find_customer(&address).await.unwrap().unwrap();
                assert_eq!(
                    (found.customer.id, found.conversations),
                    (known, 2),
                    "{}: {address:?}",
                    t.name
                );
            }
            // An email from the linked address, a WhatsApp message from its number.
            let Taken::New { contact, .. } = s
                .take_email(&email_from(9, "m9@x", "Ann@Example.com"), 10)
                .await
                .unwrap()
            else {
                panic!("{}: a new email", t.name)
            };
            assert_eq!(contact.customer, known, "{}", t.name);
            let whatsapp = s
                .customer_for_handle(
                    MetaChannel::WhatsApp,
                    "16505550100",
                    Some("Ravi"),
                    &NewCustomer {
                        name: "16505550100".into(),
                        email: None,
                        phone: Some("16505550100".into()),
                    },
                )
                .await
                .unwrap();
            assert_eq!(whatsapp, known, "{}", t.name);
            let lines = s.audit_page(AuditQuery::default(), 0, 10).await.unwrap().0;
            assert!(
                lines.iter().any(|l| l.action == "customer.link"),
                "{}: audited",
                t.name
            );
            // Gone meanwhile: nothing changes.
            assert!(matches!(
                s.link_customers(other, known, &audit).await,
                Err(StoreError::NotFound)
            ));

            // An address an older customer gave first stays theirs; a name given for want
            // of one (the WhatsApp number) gives way to the one the person typed.
            let older = s
                .create_customer(&person("Jon Older", "jon@example.com", "+1 650 555 0300"))
                .await
                .unwrap();
            let typo = s
                .create_customer(&person("Sheena", "jon@example.com", "+1 650 555 0300"))
                .await
                .unwrap();
            let number = s
                .customer_for_handle(
                    MetaChannel::WhatsApp,
                    "16505550400",
                    None,
                    &NewCustomer {
                        name: "16505550400".into(),
                        email: None,
                        phone: Some("16505550400".into()),
                    },
                )
                .await
                .unwrap();
            s.link_customers(typo, number, &audit).await.unwrap();
            for address in [email("jon@example.com"), phone("16505550300")] {
                let found = s.find_customer(&address).await.unwrap().unwrap();
                assert_eq!(found.customer.id, older, "{}: {address:?}", t.name);
            }
            let linked = s.customer(number).await.unwrap();
            assert_eq!(
                (linked.name.as_str(), linked.email.as_deref()),
                ("Sheena", None),
                "{}",
                t.name
            );
            let lines = s.audit_page(AuditQuery::default(), 0, 10).await.unwrap().0;
            assert!(
                lines[0]
                    .detail
                    .contains("jon@example.com not kept: another customer's"),
                "{}: {}",
                t.name,
                lines[0].detail
            );
        }
    }

    fn email_from(uid: u32, message_id: &str, from: &str) -> NewEmail {
        let mut email = email(uid, 100, message_id, &[], "Hi again");
        email.from.address = from.into();
        email
    }
}

/// A message of the mailbox "support-inbox" under UIDVALIDITY 7.
fn intake_key(uid: u32) -> server::store::intake::MessageKey<'static> {
    server::store::intake::MessageKey {
        mailbox: "support-inbox",
        uid_validity: 7,
        uid,
    }
}

/// Issue 13: a batch counts one try at each of its messages only when none was tried
/// before; once a batch crashed, its messages are read alone (each counting its own tries),
/// and a failed batch takes its tries back.
#[tokio::test]
async fn a_batch_counts_its_tries_only_when_its_messages_are_fresh() {
    for t in all_stores().await {
        let s = &t.store;
        let key = intake_key;
        let batch = [key(3), key(4), key(6)];
        assert!(s.intake_batch_attempt(&batch).await.unwrap(), "{}", t.name);
        assert!(
            !s.intake_batch_attempt(&batch).await.unwrap(),
            "{}: tried before (a crash): not a batch again",
            t.name
        );
        assert!(!s.intake_batch_attempt(&[key(4), key(5)]).await.unwrap());
        assert_eq!(
            s.intake_attempt(key(4)).await.unwrap(),
            (2, None),
            "{}: alone, the message counts the batch's try",
            t.name
        );
        assert!(
            s.intake_batch_attempt(&[key(7), key(8)]).await.unwrap(),
            "{}: later messages are fresh",
            t.name
        );
        s.intake_batch_failed(&[key(7), key(8)]).await.unwrap();
        assert_eq!(
            s.intake_attempt(key(7)).await.unwrap(),
            (1, None),
            "{}: a failed batch's try is taken back",
            t.name
        );
    }
}

/// One bad message never blocks a mailbox: tries are counted before they start, a failure
/// that is not the message's is taken back, and setting a message aside moves the
/// mailbox's progress past it and lists it.
#[tokio::test]
async fn tries_at_a_message_are_counted_and_it_is_set_aside() {
    use app::domain::set_aside::SetAsideReason;
    use server::store::intake::SetAside;
    let refused = SetAsideReason::Refused {
        detail: "[UNAVAILABLE] Internal error".into(),
    };
    let disk_full = SetAsideReason::Other {
        detail: "attachment file not written: disk full".into(),
    };
    for t in all_stores().await {
        let s = &t.store;
        let key = intake_key;
        assert_eq!(
            s.intake_attempt(key(3)).await.unwrap(),
            (1, None),
            "{}",
            t.name
        );
        s.intake_failed(key(3), &refused, true).await.unwrap();
        assert_eq!(
            s.intake_attempt(key(3)).await.unwrap(),
            (2, Some(refused.clone())),
            "{}",
            t.name
        );
        s.intake_failed(key(3), &disk_full, false).await.unwrap();
        assert_eq!(
            s.intake_attempt(key(3)).await.unwrap().0,
            2,
            "{}: a failure not the message's is taken back",
            t.name
        );
        let aside = SetAside {
            key: key(3),
            from: "Ann <ann@example.com>",
            subject: "Broken",
            reason: &refused,
        };
        s.set_aside_email(aside, 1_000).await.unwrap();
        s.set_aside_email(aside, 2_000).await.unwrap();
        assert_eq!(
            s.mailbox_progress("support-inbox").await.unwrap(),
            Some((7, 3)),
            "{}",
            t.name
        );
        assert_eq!(s.set_aside_uids("support-inbox", 7).await.unwrap(), [3]);
        let listed = s.unreadable_emails(10).await.unwrap();
        assert_eq!(listed.len(), 1, "{}: listed once", t.name);
        assert_eq!(
            (
                listed[0].uid,
                listed[0].subject.as_str(),
                &listed[0].reason,
                listed[0].set_aside_at_ms
            ),
            (3, "Broken", &refused, 1_000)
        );
        // Progress never moves back; the tries start afresh for a later message.
        s.set_aside_email(
            SetAside {
                key: key(2),
                ..aside
            },
            3_000,
        )
        .await
        .unwrap();
        assert_eq!(
            s.mailbox_progress("support-inbox").await.unwrap(),
            Some((7, 3)),
            "{}",
            t.name
        );
        assert_eq!(s.intake_attempt(key(4)).await.unwrap(), (1, None));
        assert_eq!(
            s.unreadable_emails(10).await.unwrap()[0].uid,
            2,
            "newest first"
        );
    }
}

/// Issue 16 (SPEC F-1, F-3): a Messenger or WhatsApp channel's settings are kept and
/// replaced as given (secrets as sealed text); webhook posts are kept byte for byte, any
/// bytes at all, listed oldest first until handled.
#[tokio::test]
async fn meta_channels_and_webhook_posts_are_kept_as_given() {
    use app::domain::meta::MetaChannel;
    use server::store::meta::{MetaChannelSettings, StoredMetaChannel};
    for t in all_stores().await {
        let s = &t.store;
        assert_eq!(s.meta_channel(MetaChannel::Messenger).await.unwrap(), None);
        let mut messenger = StoredMetaChannel {
            channel: MetaChannel::Messenger,
            enabled: true,
            settings: MetaChannelSettings {
                csq: None,
                business_name: "Shop".into(),
                account_id: "1234567890".into(),
                verify_token: "verify".into(),
                human_agent_tag: true,
                ..Default::default()
            },
            app_secret: Some("sealed-secret".into()),
            access_token: None,
        };
        s.save_meta_channel(&messenger, None).await.unwrap();
        messenger.enabled = false;
        messenger.access_token = Some("sealed-token".into());
        s.save_meta_channel(&messenger, None).await.unwrap();
        assert_eq!(
            s.meta_channel(MetaChannel::Messenger).await.unwrap(),
            Some(messenger.clone()),
            "{}",
            t.name
        );
        assert_eq!(s.meta_channel(MetaChannel::WhatsApp).await.unwrap(), None);

        let bytes: Vec<u8> = (0..=255).collect();
        let first = s
            .receive_webhook(MetaChannel::WhatsApp, &bytes, 1_000)
            .await
            .unwrap();
        let second = s
            .receive_webhook(MetaChannel::Messenger, b"{}", 2_000)
            .await
            .unwrap();
        let pending = s.pending_webhooks(10).await.unwrap();
        assert_eq!(
            pending
                .iter()
                .map(|p| (p.id, p.channel, p.body.as_slice(), p.received_at_ms))
                .collect::<Vec<_>>(),
            [
                (first, MetaChannel::WhatsApp, bytes.as_slice(), 1_000),
                (second, MetaChannel::Messenger, b"{}".as_slice(), 2_000)
            ],
            "{}",
            t.name
        );
        let after_first: Vec<i64> = s
            .pending_webhooks_after(first, 10)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(after_first, [second], "{}", t.name);
        s.webhook_done(first, 3_000).await.unwrap();
        assert_eq!(
            s.pending_webhooks(10)
                .await
                .unwrap()
                .iter()
                .map(|p| p.id)
                .collect::<Vec<_>>(),
            [second]
        );
    }
}

/// Issue 16: a Messenger or WhatsApp handle is one customer, made the first time (with the
/// name and number given then) and found after, per channel; a customer's open chat on a
/// channel is found, and none once it ended; a message Meta carried is tied to the first
/// chat it was recorded for, whatever is recorded after.
#[tokio::test]
async fn meta_handles_open_chats_and_messages_are_tied_once() {
    use app::domain::{
        contact::{Channel, ContactStatus, EndReason},
        meta::MetaChannel,
    };
    use server::store::{NewChat, NewCustomer};
    for t in all_stores().await {
        let s = &t.store;
        let new = |name: &str| NewCustomer {
            name: name.into(),
            email: None,
            phone: Some("16505551234".into()),
        };
        let sheena = s
            .customer_for_handle(
                MetaChannel::WhatsApp,
                "16505551234",
                Some("Sheena"),
                &new("Sheena"),
            )
            .await
            .unwrap();
        let again = s
            .customer_for_handle(
                MetaChannel::WhatsApp,
                "16505551234",
                Some("Renamed"),
                &new("Renamed"),
            )
            .await
            .unwrap();
        assert_eq!(again, sheena, "{}", t.name);
        let stored = s.customer(sheena).await.unwrap();
        assert_eq!(
            (stored.name.as_str(), stored.phone.as_deref()),
            ("Sheena", Some("16505551234"))
        );
        // Named once it is known, unless someone named the customer meanwhile.
        assert!(s
            .name_customer(sheena, "Sheena", "Sheena Nelson")
            .await
            .unwrap());
        assert!(!s.name_customer(sheena, "Sheena", "Someone").await.unwrap());
        assert_eq!(s.customer(sheena).await.unwrap().name, "Sheena Nelson");
        let other = s
            .customer_for_handle(MetaChannel::Messenger, "16505551234", None, &new("Psid"))
            .await
            .unwrap();
        assert_ne!(other, sheena, "a handle is per channel");

        let support = s.create_csq("Support").await.unwrap();
        assert_eq!(
            s.open_chat_of(sheena, Channel::WhatsApp).await.unwrap(),
            None
        );
        let chat = s
            .create_chat(
                &NewChat {
                    channel: Channel::WhatsApp,
                    csq: support,
                    customer: sheena,
                    problem: "WhatsApp".into(),
                    details: Vec::new(),
                },
                1,
            )
            .await
            .unwrap();
        assert_eq!(
            s.open_chat_of(sheena, Channel::WhatsApp)
                .await
                .unwrap()
                .map(|c| c.id),
            Some(chat.id)
        );
        assert_eq!(
            s.open_chat_of(sheena, Channel::Messenger).await.unwrap(),
            None
        );
        assert_eq!(
            s.open_chat_of(other, Channel::WhatsApp).await.unwrap(),
            None
        );

        assert_eq!(
            s.meta_message(MetaChannel::WhatsApp, "wamid.1")
                .await
                .unwrap(),
            None
        );
        let tied = s
            .record_meta_message(MetaChannel::WhatsApp, "wamid.1", chat.id, true, None)
            .await
            .unwrap();
        assert_eq!(tied, chat.id);
        let later = s
            .create_chat(
                &NewChat {
                    channel: Channel::WhatsApp,
                    csq: support,
                    customer: sheena,
                    problem: "WhatsApp".into(),
                    details: Vec::new(),
                },
                2,
            )
            .await
            .unwrap();
        assert_eq!(
            s.record_meta_message(MetaChannel::WhatsApp, "wamid.1", later.id, true, None)
                .await
                .unwrap(),
            chat.id,
            "the first chat it was tied to"
        );
        assert_eq!(
            s.meta_message(MetaChannel::WhatsApp, "wamid.1")
                .await
                .unwrap(),
            Some(chat.id)
        );
        assert_eq!(
            s.meta_message(MetaChannel::Messenger, "wamid.1")
                .await
                .unwrap(),
            None
        );

        s.update_contact(
            later.id,
            ContactStatus::Ended(EndReason::EndedByAgent),
            None,
            3,
        )
        .await
        .unwrap();
        assert_eq!(
            s.open_chat_of(sheena, Channel::WhatsApp)
                .await
                .unwrap()
                .map(|c| c.id),
            Some(chat.id),
            "the latest not ended"
        );
    }
}

/// Issue 16: a Messenger or WhatsApp chat's outbox is taken only while lines wait after
/// what was handled, by one worker until its lease ends; a retry waits; Meta's id of a
/// line is found once kept; an ended chat with everything handled is forgotten.
#[tokio::test]
async fn meta_outboxes_are_taken_while_lines_wait() {
    use app::domain::{
        chat::{LineBody, SystemNote},
        contact::{Channel, ContactStatus, EndReason},
        meta::MetaChannel,
    };
    use server::store::{NewChat, NewCustomer, Sender};
    for t in all_stores().await {
        let s = &t.store;
        let support = s.create_csq("Support").await.unwrap();
        let customer = s
            .create_customer(&NewCustomer {
                name: "Kim".into(),
                email: None,
                phone: None,
            })
            .await
            .unwrap();
        let chat = s
            .create_chat(
                &NewChat {
                    channel: Channel::Messenger,
                    csq: support,
                    customer,
                    problem: "Messenger".into(),
                    details: Vec::new(),
                },
                1,
            )
            .await
            .unwrap();
        let line = |text: &str| LineBody::System {
            note: SystemNote::Welcome { text: text.into() },
        };
        s.open_meta_outbox(chat.id, MetaChannel::Messenger, "psid-1", 10)
            .await
            .unwrap();
        assert!(
            s.claim_meta_outboxes(10, 10, 100).await.unwrap().is_empty(),
            "{}: no line waits",
            t.name
        );
        s.append_line(chat.id, &Sender::System, None, &line("one"), 11)
            .await
            .unwrap();
        let taken = s.claim_meta_outboxes(20, 10, 1_000).await.unwrap();
        assert_eq!(taken.len(), 1, "{}", t.name);
        assert_eq!(
            (
                taken[0].recipient.as_str(),
                taken[0].sent_through,
                taken[0].attempts
            ),
            ("psid-1", 0, 0)
        );
        assert!(
            s.claim_meta_outboxes(30, 10, 1_000)
                .await
                .unwrap()
                .is_empty(),
            "held until the lease ends"
        );
        s.meta_outbox_retry(chat.id, 1, 2_000).await.unwrap();
        assert!(s
            .claim_meta_outboxes(1_500, 10, 3_000)
            .await
            .unwrap()
            .is_empty());
        let again = s.claim_meta_outboxes(2_000, 10, 3_000).await.unwrap();
        assert_eq!(again[0].attempts, 1);

        assert_eq!(s.meta_line_message(chat.id, 1).await.unwrap(), None);
        s.record_meta_send(
            MetaChannel::Messenger,
            "m_1",
            chat.id,
            1,
            app::domain::meta::MessageStatus::Sent,
            2_050,
        )
        .await
        .unwrap();
        assert_eq!(
            s.meta_line_message(chat.id, 1).await.unwrap().as_deref(),
            Some("m_1")
        );
        s.meta_outbox_handled(chat.id, 1, 2_100).await.unwrap();
        // The lease given back with everything sent: nothing to take.
        s.meta_outbox_retry(chat.id, 0, 2_100).await.unwrap();
        assert!(s
            .claim_meta_outboxes(2_200, 10, 3_000)
            .await
            .unwrap()
            .is_empty());

        s.append_line(chat.id, &Sender::System, None, &line("two"), 12)
            .await
            .unwrap();
        s.update_contact(
            chat.id,
            ContactStatus::Ended(EndReason::EndedByAgent),
            None,
            13,
        )
        .await
        .unwrap();
        let last = s.claim_meta_outboxes(2_300, 10, 3_000).await.unwrap();
        assert_eq!((last[0].sent_through, last[0].attempts), (1, 0));
        // Lines written as it ended still go.
        s.meta_outbox_handled(chat.id, 2, 2_400).await.unwrap();
        s.meta_outbox_retry(chat.id, 0, 2_400).await.unwrap();
        assert_eq!(s.forget_finished_meta_outboxes(2_400).await.unwrap(), 0);
        s.append_line(chat.id, &Sender::System, None, &line("as it ended"), 14)
            .await
            .unwrap();
        let ending = s.claim_meta_outboxes(2_500, 10, 3_000).await.unwrap();
        assert_eq!(ending[0].sent_through, 2, "{}", t.name);
        s.meta_outbox_handled(chat.id, 3, 100_000).await.unwrap();
        s.append_line(chat.id, &Sender::System, None, &line("late"), 15)
            .await
            .unwrap();
        assert!(
            s.claim_meta_outboxes(100_000, 10, 103_000)
                .await
                .unwrap()
                .is_empty(),
            "{}: a chat ended a while ago with everything handled is forgotten",
            t.name
        );
        assert_eq!(s.forget_finished_meta_outboxes(200_000).await.unwrap(), 0);
        let other = s
            .create_chat(
                &NewChat {
                    channel: Channel::WhatsApp,
                    csq: support,
                    customer,
                    problem: "WhatsApp".into(),
                    details: Vec::new(),
                },
                20,
            )
            .await
            .unwrap();
        s.open_meta_outbox(other.id, MetaChannel::WhatsApp, "1650", 20)
            .await
            .unwrap();
        s.update_contact(
            other.id,
            ContactStatus::Ended(EndReason::EndedByAgent),
            None,
            21,
        )
        .await
        .unwrap();
        assert_eq!(
            s.forget_finished_meta_outboxes(30_000).await.unwrap(),
            0,
            "not yet"
        );
        assert_eq!(s.forget_finished_meta_outboxes(200_000).await.unwrap(), 1);
    }
}

/// Issue 16: the ticks of the business's messages only move forward (a status Meta reports
/// late changes nothing), Messenger's watermarks reach every message sent to the customer
/// before them, and a chat's ticks read back in order; a customer's message is known shown
/// once its line is stored; the files a chat refers to are found for that chat only, and
/// are in use (never removed as a draft's leftovers).
#[tokio::test]
async fn meta_ticks_move_forward_and_chat_files_are_kept_in_use() {
    use app::domain::{
        chat::{Author, LineBody, LineFile},
        contact::Channel,
        meta::{MessageStatus, MetaChannel},
    };
    use server::store::{NewChat, NewCustomer, Sender};
    for t in all_stores().await {
        let s = &t.store;
        let psid = "7012345678901234";
        let new = NewCustomer {
            name: "Jamie".into(),
            email: None,
            phone: None,
        };
        let jamie = s
            .customer_for_handle(MetaChannel::Messenger, psid, None, &new)
            .await
            .unwrap();
        assert_eq!(
            s.customer_of_handle(MetaChannel::Messenger, psid)
                .await
                .unwrap(),
            Some(jamie),
            "{}",
            t.name
        );
        assert_eq!(
            s.customer_of_handle(MetaChannel::WhatsApp, psid)
                .await
                .unwrap(),
            None
        );
        let support = s.create_csq("Support").await.unwrap();
        let chat = s
            .create_chat(
                &NewChat {
                    channel: Channel::Messenger,
                    csq: support,
                    customer: jamie,
                    problem: "Messenger".into(),
                    details: Vec::new(),
                },
                1,
            )
            .await
            .unwrap();
        let m = MetaChannel::Messenger;
        s.record_meta_send(m, "m_1", chat.id, 3, MessageStatus::Sent, 1_000)
            .await
            .unwrap();
        s.record_meta_send(m, "m_2", chat.id, 4, MessageStatus::Sent, 2_000)
            .await
            .unwrap();
        assert_eq!(
            s.mark_meta_message(m, "m_1", MessageStatus::Read, 3_000)
                .await
                .unwrap(),
            Some((chat.id, 3))
        );
        assert_eq!(
            s.mark_meta_message(m, "m_1", MessageStatus::Delivered, 3_001)
                .await
                .unwrap(),
            None,
            "a late status changes nothing"
        );
        assert_eq!(
            s.mark_meta_message(m, "m_unknown", MessageStatus::Read, 3_002)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            s.mark_meta_messages_before(m, psid, 2_500, MessageStatus::Delivered, 3_100)
                .await
                .unwrap(),
            [(chat.id, 4)],
            "sent before the watermark, and not further already"
        );
        assert!(
            s.mark_meta_messages_before(m, psid, 1_500, MessageStatus::Read, 3_200)
                .await
                .unwrap()
                .is_empty(),
            "sent after the watermark"
        );
        assert!(s
            .mark_meta_messages_before(m, "another-psid", 9_999, MessageStatus::Read, 3_300)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            s.meta_line_statuses(chat.id).await.unwrap(),
            [(3, MessageStatus::Read), (4, MessageStatus::Delivered)]
        );

        // A customer's message is shown once its line is stored; the reply window runs from
        // Meta's time of the customer's last one.
        assert_eq!(s.meta_last_customer_at(chat.id).await.unwrap(), None);
        s.record_meta_message(m, "m_in", chat.id, true, Some(3_500))
            .await
            .unwrap();
        s.record_meta_message(m, "m_in0", chat.id, true, Some(3_400))
            .await
            .unwrap();
        assert_eq!(s.meta_last_customer_at(chat.id).await.unwrap(), Some(3_500));
        assert!(!s.meta_message_shown(m, "m_in").await.unwrap());
        let sha = "ab".repeat(32);
        let photo = LineFile {
            name: "photo.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 2_048,
            sha256: Some(sha.clone()),
        };
        let missing = LineFile {
            name: "video".into(),
            content_type: "video/mp4".into(),
            size: 0,
            sha256: None,
        };
        assert!(!s.file_in_use(&sha).await.unwrap());
        s.record_chat_files(chat.id, &[photo.clone(), missing.clone()])
            .await
            .unwrap();
        s.record_chat_files(chat.id, std::slice::from_ref(&photo))
            .await
            .unwrap();
        let body = LineBody::Message {
            author: Author::Customer {
                name: "Jamie".into(),
            },
            text: String::new(),
            client_id: "m_in".into(),
            files: vec![photo.clone(), missing],
            sent_at_ms: None,
            template: None,
        };
        s.append_line(chat.id, &Sender::Customer, Some("m_in"), &body, 4_000)
            .await
            .unwrap();
        assert!(s.meta_message_shown(m, "m_in").await.unwrap());
        assert_eq!(s.chat_file(chat.id, &sha).await.unwrap(), Some(photo));
        assert!(s.file_in_use(&sha).await.unwrap());
        let other = s
            .create_chat(
                &NewChat {
                    channel: Channel::Messenger,
                    csq: support,
                    customer: jamie,
                    problem: "Messenger".into(),
                    details: Vec::new(),
                },
                5,
            )
            .await
            .unwrap();
        assert_eq!(s.chat_file(other.id, &sha).await.unwrap(), None);
    }
}

/// Issue 16 (one customer across channels), on both databases: a WhatsApp number finds the
/// customer who gave the same phone number however it was written (the first of them);
/// the profile name of each handle is kept and follows its changes, and a chat's profile
/// is its customer's on the channel the chat's lines go to; a customer's other
/// conversations come newest first, without the one asked from.
#[tokio::test]
async fn a_whatsapp_number_finds_its_customer_and_each_handle_keeps_its_profile() {
    use app::domain::{contact::Channel, customer::ChannelProfile, meta::MetaChannel};
    use server::store::{NewChat, NewCustomer};
    for t in all_stores().await {
        let s = &t.store;
        let person = |name: &str, phone: Option<&str>| NewCustomer {
            name: name.into(),
            email: None,
            phone: phone.map(Into::into),
        };
        let web = s
            .create_customer(&person("Sheena", Some("+1 (650) 555-1234")))
            .await
            .unwrap();
        // Someone typing the same number later does not take it over.
        s.create_customer(&person("Later claim", Some("+1 650-555-1234")))
            .await
            .unwrap();
        let unrelated = s
            .create_customer(&person("Ravi", Some("650 555 1234")))
            .await
            .unwrap();
        let from_whatsapp = person("16505551234", Some("16505551234"));
        let found = s
            .customer_for_handle(
                MetaChannel::WhatsApp,
                "16505551234",
                Some("Sheena Nelson"),
                &from_whatsapp,
            )
            .await
            .unwrap();
        assert_eq!(found, web, "{}: the first with the same digits", t.name);
        assert_ne!(found, unrelated);
        assert_eq!(
            s.customer(web).await.unwrap().name,
            "Sheena",
            "{}: its own name kept",
            t.name
        );
        // Messenger ids are not phone numbers.
        let psid = s
            .customer_for_handle(
                MetaChannel::Messenger,
                "16505551234",
                None,
                &person("16505551234", None),
            )
            .await
            .unwrap();
        assert_ne!(psid, web, "{}", t.name);

        let support = s.create_csq("Support").await.unwrap();
        let chat = |channel| NewChat {
            channel,
            csq: support,
            customer: web,
            problem: String::new(),
            details: Vec::new(),
        };
        let first = s.create_chat(&chat(Channel::Web), 1).await.unwrap();
        let second = s.create_chat(&chat(Channel::WhatsApp), 2).await.unwrap();
        let third = s.create_chat(&chat(Channel::WhatsApp), 3).await.unwrap();
        let profile = |handle: &str, name: &str| {
            Some(ChannelProfile {
                channel: MetaChannel::WhatsApp,
                handle: handle.into(),
                name: Some(name.into()),
            })
        };
        // The customer's handle on the chat's channel, before any line went (and after the
        // chat's outbox row is gone).
        assert_eq!(
            s.chat_profile(second.id).await.unwrap(),
            profile("16505551234", "Sheena Nelson"),
            "{}",
            t.name
        );
        // A second number of the same customer: the chat's is the one its lines go to.
        s.customer_for_handle(
            MetaChannel::WhatsApp,
            "16505550000",
            Some("Work phone"),
            &person("x", Some("+1 650 555 1234")),
        )
        .await
        .unwrap();
        s.open_meta_outbox(second.id, MetaChannel::WhatsApp, "16505551234", 2)
            .await
            .unwrap();
        s.open_meta_outbox(third.id, MetaChannel::WhatsApp, "16505550000", 3)
            .await
            .unwrap();
        assert_eq!(
            s.chat_profile(second.id).await.unwrap(),
            profile("16505551234", "Sheena Nelson")
        );
        assert_eq!(
            s.chat_profile(third.id).await.unwrap(),
            profile("16505550000", "Work phone"),
            "{}",
            t.name
        );
        s.customer_for_handle(
            MetaChannel::WhatsApp,
            "16505551234",
            Some("Sheena N."),
            &from_whatsapp,
        )
        .await
        .unwrap();
        assert_eq!(
            s.chat_profile(second.id).await.unwrap(),
            profile("16505551234", "Sheena N."),
            "{}",
            t.name
        );
        assert_eq!(s.chat_profile(first.id).await.unwrap(), None);

        let others: Vec<_> = s
            .customer_contacts(web, second.id, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(others, [third.id, first.id], "{}", t.name);
        assert_eq!(
            s.customer_contacts(web, second.id, 1).await.unwrap().len(),
            1
        );
    }
}

/// Issue 17: ended conversations are indexed once by the indexer, then found by folded
/// word starts (accents and case aside) and by every filter of the Conversations page,
/// within an agent's reach, newest first and paged; a conversation going on is not.
mod conversation_search {
    use super::common::{all_stores, new_agent};
    use app::domain::{
        chat::{Author, LineBody, LineFile},
        contact::{Channel, ContactStatus, EndReason},
        ids::ContactId,
    };
    use server::{
        conversations::{index::index_waiting, words::search_words},
        store::{
            search::{Reach, SearchQuery},
            NewChat, NewCustomer, Sender, Store,
        },
    };

    fn said(name: &str, text: &str) -> LineBody {
        said_with(name, text, Vec::new())
    }

    /// The customer `name` writes `text` in `contact` at `at_ms`.
    pub(super) async fn say(s: &dyn Store, contact: ContactId, name: &str, text: &str, at_ms: i64) {
        let line = said(name, text);
        let LineBody::Message { client_id, .. } = &line else {
            unreachable!()
        };
        s.append_line(contact, &Sender::Customer, Some(client_id), &line, at_ms)
            .await
            .unwrap();
    }

    /// A customer's message, with these files.
    pub(super) fn said_with(name: &str, text: &str, files: Vec<LineFile>) -> LineBody {
        LineBody::Message {
            author: Author::Customer { name: name.into() },
            text: text.into(),
            client_id: format!("c-{text}"),
            files,
            sent_at_ms: None,
            template: None,
        }
    }

    async fn found(s: &dyn Store, query: SearchQuery) -> Vec<ContactId> {
        let (contacts, total) = s.search_conversations(&query, 0, 10).await.unwrap();
        assert_eq!(total as usize, contacts.len());
        contacts.into_iter().map(|(c, _)| c.id).collect()
    }

    #[tokio::test]
    async fn ended_conversations_are_found_by_words_and_filters() {
        for t in all_stores().await {
            let s = t.store.as_ref();
            let support = s.create_csq("Support").await.unwrap();
            let sales = s.create_csq("Sales").await.unwrap();
            let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let bob = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            s.add_csq_member(support, ann).await.unwrap();
            s.add_csq_member(sales, bob).await.unwrap();
            let refund = s.create_wrap_up_reason("Refund").await.unwrap();
            s.assign_wrap_up_reason(support, refund).await.unwrap();
            let zoe = s
                .create_customer(&NewCustomer {
                    name: "Zoé Martin".into(),
                    email: Some("zoe@example.com".into()),
                    phone: None,
                })
                .await
                .unwrap();
            let karl = s
                .create_customer(&NewCustomer {
                    name: "Karl".into(),
                    email: None,
                    phone: None,
                })
                .await
                .unwrap();
            s.set_customer_tags(zoe, &["vip".to_string()], 0)
                .await
                .unwrap();
            let chat = |csq, customer| NewChat {
                channel: Channel::Web,
                csq,
                customer,
                problem: String::new(),
                details: Vec::new(),
            };
            let first = s.create_chat(&chat(support, zoe), 1_000).await.unwrap().id;
            say(
                s,
                first,
                "Zoé",
                "Où est mon REMBOURSEMENT ? Commande 4512",
                1_001,
            )
            .await;
            let second = s.create_chat(&chat(sales, karl), 2_000).await.unwrap().id;
            say(s, second, "Karl", "I want a refund for order 77", 2_001).await;
            let going_on = s.create_chat(&chat(support, zoe), 3_000).await.unwrap().id;
            say(s, going_on, "Zoé", "remboursement encore", 3_001).await;
            s.snapshot_wrap_up(first, support).await.unwrap();
            s.set_wrap_up(first, ann, &[refund]).await.unwrap();
            let ended = ContactStatus::Ended(EndReason::EndedByAgent);
            s.update_contact(first, ended, Some(ann), 1_500)
                .await
                .unwrap();
            s.update_contact(second, ended, Some(bob), 2_500)
                .await
                .unwrap();

            assert!(
                s.to_index(10, 1_500).await.unwrap().is_empty(),
                "{}: ended too recently",
                t.name
            );
            assert_eq!(s.to_index(10, 2_000).await.unwrap(), [first], "{}", t.name);
            assert_eq!(index_waiting(s).await.unwrap(), 2, "{}", t.name);
            assert_eq!(
                index_waiting(s).await.unwrap(),
                0,
                "{}: indexed once",
                t.name
            );
            assert!(
                !s.index_conversation(first, "again").await.unwrap(),
                "{}: a second indexer leaves it",
                t.name
            );

            let all = SearchQuery {
                range: (i64::MIN, i64::MAX),
                ..SearchQuery::default()
            };
            let with_words = |text: &str| SearchQuery {
                words: search_words(text),
                ..all.clone()
            };
            assert_eq!(found(s, all.clone()).await, [second, first], "{}", t.name);
            assert_eq!(
                found(s, with_words("rembourse")).await,
                [first],
                "{}",
                t.name
            );
            assert_eq!(
                found(s, with_words("Où COMMANDE 4512")).await,
                [first],
                "{}",
                t.name
            );
            assert_eq!(found(s, with_words("refund")).await, [second], "{}", t.name);
            assert!(
                found(s, with_words("commande 77")).await.is_empty(),
                "{}",
                t.name
            );
            assert!(
                found(s, with_words("encore")).await.is_empty(),
                "{}: going on",
                t.name
            );

            let reach = |own| SearchQuery {
                reach: Some(Reach { own }),
                ..all.clone()
            };
            assert_eq!(found(s, reach(ann)).await, [first], "{}", t.name);
            assert_eq!(found(s, reach(bob)).await, [second], "{}", t.name);
            let outsider = s.create_agent(&new_agent("cy", "h")).await.unwrap();
            assert!(found(s, reach(outsider)).await.is_empty(), "{}", t.name);

            let by = |f: &dyn Fn(&mut SearchQuery)| {
                let mut q = all.clone();
                f(&mut q);
                q
            };
            assert_eq!(found(s, by(&|q| q.csq = Some(sales))).await, [second]);
            assert_eq!(found(s, by(&|q| q.agent = Some(ann))).await, [first]);
            assert!(found(s, by(&|q| q.channel = Some(Channel::Email)))
                .await
                .is_empty());
            assert_eq!(
                found(s, by(&|q| q.channel = Some(Channel::Web))).await,
                [second, first]
            );
            assert_eq!(found(s, by(&|q| q.reason = Some(refund))).await, [first]);
            assert_eq!(found(s, by(&|q| q.tag = Some("vip".into()))).await, [first]);
            assert_eq!(
                found(s, by(&|q| q.customer = Some("zoe@exa".into()))).await,
                [first]
            );
            assert_eq!(
                found(s, by(&|q| q.customer = Some("karl".into()))).await,
                [second]
            );
            assert!(found(s, by(&|q| q.customer = Some("%".into())))
                .await
                .is_empty());
            assert_eq!(
                found(s, by(&|q| q.range = (1_500, i64::MAX))).await,
                [second]
            );

            let (page, total) = s.search_conversations(&all, 1, 1).await.unwrap();
            assert_eq!(total, 2, "{}", t.name);
            let page: Vec<_> = page.iter().map(|(c, name)| (c.id, name.as_str())).collect();
            assert_eq!(page, [(first, "Zoé Martin")], "{}", t.name);
        }
    }
}

/// Issue 17: a customer's privacy, on both databases.
mod privacy {
    use super::common::{all_stores, new_agent};
    use super::conversation_search::said_with;
    use app::domain::{
        chat::{Author, LineBody, LineFile},
        contact::{Channel, ContactStatus, EndReason},
        privacy::Retention,
        protocol::AgentEvent,
        state::{AgentStatus, StateEvent, StateReason},
    };
    use server::{
        conversations::{index::index_waiting, words::search_words},
        store::{
            privacy::Erasure, search::SearchQuery, AuditEntry, NewChat, NewCustomer, Sender, Store,
            StoreError,
        },
    };

    fn photo(sha: &str) -> LineFile {
        LineFile {
            name: "parcel.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 10,
            sha256: Some(sha.into()),
        }
    }

    async fn words_found(s: &dyn Store, text: &str) -> usize {
        let query = SearchQuery {
            words: search_words(text),
            range: (i64::MIN, i64::MAX),
            ..SearchQuery::default()
        };
        s.search_conversations(&query, 0, 10).await.unwrap().1 as usize
    }

    /// A customer is found by name, address or number; refused erasure while a chat of
    /// theirs goes on; then erased: their record blank, their notes, tags and handles
    /// gone, their chats' lines without text or name (times and senders kept), their files'
    /// records gone (the hashes told, for the bytes), their text out of the search, the
    /// events about their chats gone, the audit written; another customer untouched.
    #[tokio::test]
    async fn a_customer_is_found_then_erased_with_their_conversations_contents() {
        for t in all_stores().await {
            let s = t.store.as_ref();
            let n = t.name;
            let support = s.create_csq("Support").await.unwrap();
            let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let out = AgentStatus::logged_out();
            let inn = out.apply(StateEvent::Login).unwrap();
            s.record_state_change(ann, &out, &inn, StateReason::Login, 1)
                .await
                .unwrap();
            let customer = |name: &str, email: &str, phone: Option<&str>| NewCustomer {
                name: name.into(),
                email: Some(email.into()),
                phone: phone.map(Into::into),
            };
            let zoe = s
                .create_customer(&customer(
                    "Zoé Martin",
                    "zoe@example.com",
                    Some("+33 6 12 34 56 78"),
                ))
                .await
                .unwrap();
            let karl = s
                .create_customer(&customer("Karl", "karl@example.com", None))
                .await
                .unwrap();
            s.add_customer_note(zoe, ann, "Calls at noon", 5)
                .await
                .unwrap();
            s.set_customer_tags(zoe, &["vip".to_string()], 0)
                .await
                .unwrap();
            s.set_customer_tags(karl, &["vip".to_string()], 0)
                .await
                .unwrap();
            let chat = |customer| NewChat {
                channel: Channel::Web,
                csq: support,
                customer,
                problem: "Billing".into(),
                details: Vec::new(),
            };
            let hers = s.create_chat(&chat(zoe), 1_000).await.unwrap().id;
            let his = s.create_chat(&chat(karl), 1_100).await.unwrap().id;
            s.record_chat_files(hers, &[photo(&"a".repeat(64))])
                .await
                .unwrap();
            s.record_chat_files(his, &[photo(&"b".repeat(64))])
                .await
                .unwrap();
            for (contact, name, text) in [
                (hers, "Zoé Martin", "colis perdu"),
                (his, "Karl", "colis aussi"),
            ] {
                s.append_line(
                    contact,
                    &Sender::Customer,
                    Some("x"),
                    &said_with(name, text, vec![photo(&"c".repeat(64))]),
                    1_200,
                )
                .await
                .unwrap();
            }
            s.record_agent_event(ann, &AgentEvent::OfferWithdrawn { contact: hers }, 1_300)
                .await
                .unwrap();
            s.record_agent_event(ann, &AgentEvent::OfferWithdrawn { contact: his }, 1_300)
                .await
                .unwrap();

            for text in ["zoé", "zoe@exa", "martin"] {
                let (rows, total) = s.find_customers(text, "", 0, 10).await.unwrap();
                assert_eq!((rows.len(), total), (1, 1), "{n}: {text}");
                assert_eq!(rows[0].id, zoe, "{n}");
                assert_eq!((rows[0].conversations, rows[0].open), (1, 1), "{n}");
                assert_eq!(rows[0].last_at_ms, Some(1_000), "{n}");
            }
            let (rows, _) = s.find_customers("+33 6 12", "33612", 0, 10).await.unwrap();
            assert_eq!(rows.len(), 1, "{n}: by the number's digits");
            let (rows, total) = s.find_customers("", "", 0, 1).await.unwrap();
            assert_eq!(
                (rows[0].id, total),
                (karl, 2),
                "{n}: seen last first, paged"
            );
            assert!(
                s.find_customers("%", "", 0, 10).await.unwrap().0.is_empty(),
                "{n}"
            );

            let audit = AuditEntry {
                at_ms: 2_000,
                agent: ann,
                action: "customer.erase".into(),
                detail: format!("customer {}", zoe.0),
            };
            assert_eq!(
                s.erase_customer(zoe, 2_000, &audit).await.unwrap(),
                Erasure::StillOpen(1),
                "{n}"
            );
            assert_eq!(
                s.customer(zoe).await.unwrap().name,
                "Zoé Martin",
                "{n}: unchanged"
            );
            let ended = ContactStatus::Ended(EndReason::EndedByAgent);
            for contact in [hers, his] {
                s.update_contact(contact, ended, Some(ann), 1_500)
                    .await
                    .unwrap();
            }
            assert_eq!(index_waiting(s).await.unwrap(), 2, "{n}");
            assert_eq!(words_found(s, "colis").await, 2, "{n}");
            let dossier = s.dossier(zoe).await.unwrap();
            assert_eq!(dossier.notes[0].text, "Calls at noon", "{n}");
            assert_eq!(dossier.notes[0].by, "ann", "{n}");
            assert_eq!(
                dossier.conversations[0].lines[0].body["text"], "colis perdu",
                "{n}"
            );
            assert_eq!(dossier.conversations[0].files[0].name, "parcel.jpg", "{n}");
            assert_eq!(dossier.conversations[0].queue, "Support", "{n}");

            let Erasure::Done {
                conversations,
                files,
            } = s.erase_customer(zoe, 2_000, &audit).await.unwrap()
            else {
                panic!("{n}: erased once over");
            };
            assert_eq!(conversations, 1, "{n}");
            assert_eq!(files, ["a".repeat(64)], "{n}: the files its records named");
            let record = s.customer(zoe).await.unwrap();
            assert_eq!(
                (record.name.as_str(), record.email, record.phone),
                ("", None, None),
                "{n}"
            );
            assert!(s.about_customer(zoe, 10).await.unwrap().is_empty(), "{n}");
            assert!(
                matches!(s.dossier(zoe).await, Err(StoreError::NotFound)),
                "{n}"
            );
            assert!(s
                .find_customers("", "", 0, 10)
                .await
                .unwrap()
                .0
                .iter()
                .all(|c| c.id != zoe));
            assert_eq!(
                s.contents_erased_at(hers).await.unwrap(),
                Some(2_000),
                "{n}"
            );
            assert_eq!(s.contents_erased_at(his).await.unwrap(), None, "{n}");
            let lines = s.lines_after(hers, 0, 10).await.unwrap();
            assert_eq!(lines.len(), 1, "{n}: the line stays");
            assert_eq!(lines[0].at_ms, 1_200, "{n}");
            match &lines[0].body {
                LineBody::Message {
                    author: Author::Customer { name },
                    text,
                    files,
                    ..
                } => {
                    assert!(
                        name.is_empty() && text.is_empty() && files.is_empty(),
                        "{n}"
                    );
                }
                other => panic!("{n}: {other:?}"),
            }
            assert_eq!(words_found(s, "colis").await, 1, "{n}: his only");
            assert_eq!(words_found(s, "perdu").await, 0, "{n}");
            assert!(s.file_in_use(&"b".repeat(64)).await.unwrap(), "{n}");
            assert!(!s.file_in_use(&"a".repeat(64)).await.unwrap(), "{n}");
            let events: Vec<_> = s
                .events_after(ann, 0, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.event.contact())
                .collect();
            assert_eq!(
                events,
                [None, Some(his)],
                "{n}: the events about her chat go"
            );
            let karl_now = s.customer(karl).await.unwrap();
            assert_eq!(karl_now.name, "Karl", "{n}");
            assert_eq!(
                s.about_customer(karl, 10).await.unwrap().tags,
                ["vip"],
                "{n}"
            );
            assert!(matches!(
                s.erase_customer(zoe, 3_000, &audit).await,
                Err(StoreError::NotFound)
            ));
            let (lines, _) = s
                .audit_page(
                    server::store::audit::AuditQuery {
                        by: None,
                        kind: Some("customer"),
                        range: None,
                    },
                    0,
                    10,
                )
                .await
                .unwrap();
            assert_eq!(lines.len(), 1, "{n}: one erasure audited");
            assert!(
                lines[0].detail.starts_with(&format!("customer {}", zoe.0)),
                "{n}"
            );
        }
    }

    /// The retention takes ended conversations older than its cutoff, oldest first, never
    /// one going on; their contents are erased once; the setting is kept, and cleared.
    #[tokio::test]
    async fn the_retention_erases_only_what_ended_before_its_cutoff() {
        for t in all_stores().await {
            let s = t.store.as_ref();
            let n = t.name;
            let support = s.create_csq("Support").await.unwrap();
            let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let karl = s
                .create_customer(&NewCustomer {
                    name: "Karl".into(),
                    email: None,
                    phone: None,
                })
                .await
                .unwrap();
            let chat = NewChat {
                channel: Channel::Web,
                csq: support,
                customer: karl,
                problem: String::new(),
                details: Vec::new(),
            };
            let old = s.create_chat(&chat, 1_000).await.unwrap().id;
            let newer = s.create_chat(&chat, 2_000).await.unwrap().id;
            let open = s.create_chat(&chat, 500).await.unwrap().id;
            let ended = ContactStatus::Ended(EndReason::EndedByAgent);
            s.update_contact(newer, ended, Some(ann), 5_000)
                .await
                .unwrap();
            s.update_contact(old, ended, Some(ann), 1_500)
                .await
                .unwrap();
            assert_eq!(s.expired_contents(1_500, 10).await.unwrap(), [], "{n}");
            assert_eq!(
                s.expired_contents(6_000, 10).await.unwrap(),
                [old, newer],
                "{n}"
            );
            assert_eq!(s.expired_contents(6_000, 1).await.unwrap(), [old], "{n}");
            s.erase_contents(&[old, open], 7_000).await.unwrap();
            assert_eq!(s.contents_erased_at(old).await.unwrap(), Some(7_000), "{n}");
            assert_eq!(
                s.contents_erased_at(open).await.unwrap(),
                None,
                "{n}: going on"
            );
            assert_eq!(s.expired_contents(6_000, 10).await.unwrap(), [newer], "{n}");
            s.erase_contents(&[old], 8_000).await.unwrap();
            assert_eq!(
                s.contents_erased_at(old).await.unwrap(),
                Some(7_000),
                "{n}: once"
            );

            assert_eq!(
                s.retention().await.unwrap(),
                Retention { days: None },
                "{n}"
            );
            let audit = AuditEntry {
                at_ms: 1,
                agent: ann,
                action: "retention.save".into(),
                detail: "30 days".into(),
            };
            s.save_retention(&Retention { days: Some(30) }, &audit)
                .await
                .unwrap();
            assert_eq!(s.retention().await.unwrap().days, Some(30), "{n}");
            s.save_retention(&Retention { days: None }, &audit)
                .await
                .unwrap();
            assert_eq!(s.retention().await.unwrap().days, None, "{n}");

            let out = AgentStatus::logged_out();
            let inn = out.apply(StateEvent::Login).unwrap();
            s.record_state_change(ann, &out, &inn, StateReason::Login, 100)
                .await
                .unwrap();
            s.record_agent_event(ann, &AgentEvent::OfferWithdrawn { contact: old }, 200)
                .await
                .unwrap();
            assert_eq!(s.prune_agent_events(150).await.unwrap(), 1, "{n}");
            let left: Vec<i64> = s
                .events_after(ann, 0, 10)
                .await
                .unwrap()
                .iter()
                .map(|e| e.at_ms)
                .collect();
            assert_eq!(left, [200], "{n}");
        }
    }
}

/// Issue 17: the API's tokens.
mod api_tokens {
    use super::common::{all_stores, new_agent};
    use app::domain::{api_tokens::TokenScope, ids::ApiTokenId};
    use server::store::{api_tokens::LiveToken, audit::AuditQuery, AuditEntry};

    /// A token is found by the hash of its secret until it is revoked (once: a second
    /// revocation writes nothing); the list keeps it, revoked, with who created it; its
    /// use is noted at most once a minute; both changes are audited.
    #[tokio::test]
    async fn a_token_opens_the_api_until_revoked() {
        for t in all_stores().await {
            let s = t.store.as_ref();
            let n = t.name;
            let admin = s.create_agent(&new_agent("root", "h")).await.unwrap();
            let audit = |at_ms: i64, action: &str| AuditEntry {
                at_ms,
                agent: admin,
                action: action.into(),
                detail: "token 1".into(),
            };
            let crm = s
                .create_api_token(
                    "Acme CRM",
                    TokenScope::ReadWrite,
                    "hash-of-crm",
                    admin,
                    &audit(1_000, "api_token.create"),
                )
                .await
                .unwrap();
            assert_eq!(
                (crm.name.as_str(), crm.scope, crm.created_at_ms),
                ("Acme CRM", TokenScope::ReadWrite, 1_000),
                "{n}"
            );
            assert_eq!(crm.created_by, "root", "{n}");
            let reports = s
                .create_api_token(
                    "Reports",
                    TokenScope::Read,
                    "hash-of-reports",
                    admin,
                    &audit(2_000, "api_token.create"),
                )
                .await
                .unwrap();
            assert_eq!(
                s.live_api_token("hash-of-crm").await.unwrap(),
                Some(LiveToken {
                    id: crm.id,
                    scope: TokenScope::ReadWrite,
                    last_used_at_ms: None,
                    name: "Acme CRM".into(),
                    created_by: admin,
                }),
                "{n}"
            );
            assert_eq!(s.live_api_token("hash-of-nobody").await.unwrap(), None);

            s.api_token_used(crm.id, 10_000, 60_000).await.unwrap();
            let read = s.live_api_token("hash-of-crm").await.unwrap().unwrap();
            assert_eq!(read.last_used_at_ms, Some(10_000), "{n}");
            s.api_token_used(crm.id, 30_000, 60_000).await.unwrap();
            let listed = s.api_tokens().await.unwrap();
            assert_eq!(
                listed.iter().map(|t| t.id).collect::<Vec<_>>(),
                [reports.id, crm.id],
                "newest first, {n}"
            );
            assert_eq!(
                listed[1].last_used_at_ms,
                Some(10_000),
                "noted once a minute, {n}"
            );
            s.api_token_used(crm.id, 70_000, 60_000).await.unwrap();
            assert_eq!(
                s.api_tokens().await.unwrap()[1].last_used_at_ms,
                Some(70_000)
            );

            assert!(s
                .revoke_api_token(crm.id, 80_000, &audit(80_000, "api_token.revoke"))
                .await
                .unwrap());
            assert!(!s
                .revoke_api_token(crm.id, 90_000, &audit(90_000, "api_token.revoke"))
                .await
                .unwrap());
            assert!(!s
                .revoke_api_token(ApiTokenId(999), 90_000, &audit(90_000, "api_token.revoke"))
                .await
                .unwrap());
            assert_eq!(s.live_api_token("hash-of-crm").await.unwrap(), None, "{n}");
            assert!(s.live_api_token("hash-of-reports").await.unwrap().is_some());
            assert_eq!(
                s.api_tokens().await.unwrap()[1].revoked_at_ms,
                Some(80_000),
                "{n}"
            );
            let (lines, total) = s.audit_page(AuditQuery::default(), 0, 10).await.unwrap();
            assert_eq!(total, 3, "two created, one revoked: {lines:?} {n}");
        }
    }
}

mod api_records {
    use super::common::{all_stores, new_agent};
    use super::conversation_search::say;
    use app::domain::{
        contact::{Channel, ContactStatus, EndReason},
        ids::{ContactId, CustomerId},
    };
    use server::{
        conversations::{index::index_waiting, words::search_words},
        store::{
            customers::{AddressTaken, CustomerChange},
            records::CustomerPage,
            search::{ConversationPage, SearchQuery},
            AuditEntry, NewChat, NewCustomer, Store, StoreError,
        },
    };

    fn person(name: &str, email: Option<&str>, phone: Option<&str>) -> NewCustomer {
        NewCustomer {
            name: name.into(),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
        }
    }

    async fn page_ids(s: &dyn Store, text: &str, after: i64, limit: u32) -> Vec<i64> {
        let page = CustomerPage {
            text: text.into(),
            digits: app::domain::customer::phone_digits(text),
            after,
            limit,
        };
        let rows = s.customer_records(&page).await.unwrap();
        rows.iter().map(|r| r.customer.id).collect()
    }

    async fn conversations(s: &dyn Store, page: ConversationPage) -> Vec<ContactId> {
        let rows = s.conversation_page(&page).await.unwrap();
        rows.into_iter().map(|(c, _)| c.id).collect()
    }

    /// Issue 17 (the API): a customer is added with tags unless an address of theirs
    /// already finds someone (any case, any way of writing a number); a change touches
    /// only what it names and is refused the same way; both are audited. Customers page by
    /// id from a cursor, with their addresses and tags, found by text or digits.
    #[tokio::test]
    async fn customers_are_added_changed_and_paged_by_id() {
        for t in all_stores().await {
            let s = t.store.as_ref();
            let n = t.name;
            let admin = s.create_agent(&new_agent("root", "h")).await.unwrap();
            let audit = |action: &str| AuditEntry {
                at_ms: 5_000,
                agent: admin,
                action: action.into(),
                detail: "API token \"CRM\"".into(),
            };
            let tags = ["vip".to_string(), "gold".to_string()];
            let zoe = s
                .add_customer(
                    &person("Zoé", Some("zoe@example.com"), Some("+33 1 23 45 67 89")),
                    &tags,
                    &audit("customer.add"),
                )
                .await
                .unwrap()
                .unwrap();
            let again = person("Other", Some("ZOE@example.com"), None);
            assert_eq!(
                s.add_customer(&again, &[], &audit("customer.add"))
                    .await
                    .unwrap(),
                Err(AddressTaken::Email(zoe)),
                "{n}"
            );
            let dave = s
                .add_customer(
                    &person("Dave", Some("dave@example.com"), None),
                    &[],
                    &audit("customer.add"),
                )
                .await
                .unwrap()
                .unwrap();
            let taken = CustomerChange {
                phone: Some(Some("+33 (1) 23-45-67-89".into())),
                ..CustomerChange::default()
            };
            assert_eq!(
                s.change_customer(dave, &taken, &audit("customer.change"))
                    .await
                    .unwrap(),
                Err(AddressTaken::Phone(zoe)),
                "{n}"
            );
            let own = CustomerChange {
                name: Some("Dave Smith".into()),
                email: Some(Some("dave@example.com".into())),
                tags: Some(vec!["prospect".into()]),
                ..CustomerChange::default()
            };
            s.change_customer(dave, &own, &audit("customer.change"))
                .await
                .unwrap()
                .unwrap();
            assert!(matches!(
                s.change_customer(CustomerId(9_999), &own, &audit("customer.change"))
                    .await,
                Err(StoreError::NotFound)
            ));

            let record = s.customer_record(zoe).await.unwrap();
            assert_eq!(record.tags, tags, "{n}");
            assert_eq!(record.customer.created_at_ms, 5_000, "{n}");
            let record = s.customer_record(dave).await.unwrap();
            assert_eq!(
                (record.customer.name.as_str(), record.tags.as_slice()),
                ("Dave Smith", ["prospect".to_string()].as_slice()),
                "{n}"
            );
            assert_eq!(record.customer.email.as_deref(), Some("dave@example.com"));

            assert_eq!(page_ids(s, "", 0, 10).await, [zoe.0, dave.0], "{n}");
            assert_eq!(page_ids(s, "", 0, 1).await, [zoe.0], "{n}");
            assert_eq!(page_ids(s, "", zoe.0, 1).await, [dave.0], "{n}");
            assert_eq!(page_ids(s, "smith", 0, 10).await, [dave.0], "{n}");
            assert_eq!(page_ids(s, "2345", 0, 10).await, [zoe.0], "{n}");

            s.link_customers(dave, zoe, &audit("customer.link"))
                .await
                .unwrap();
            let merged = s.customer_record(zoe).await.unwrap();
            let kept: Vec<(&str, &str)> = merged
                .addresses
                .iter()
                .map(|a| (a.kind.as_str(), a.value.as_str()))
                .collect();
            assert_eq!(kept, [("email", "dave@example.com")], "{n}");
            assert!(matches!(
                s.customer_record(dave).await,
                Err(StoreError::NotFound)
            ));

            // Erased, a customer is in no page and takes no change.
            s.erase_customer(zoe, 6_000, &audit("customer.erase"))
                .await
                .unwrap();
            assert!(page_ids(s, "", 0, 10).await.is_empty(), "{n}");
            assert!(matches!(
                s.customer_record(zoe).await,
                Err(StoreError::NotFound)
            ));
            let rename = CustomerChange {
                name: Some("Back".into()),
                ..CustomerChange::default()
            };
            assert!(matches!(
                s.change_customer(zoe, &rename, &audit("customer.change"))
                    .await,
                Err(StoreError::NotFound)
            ));
            let other = s
                .add_customer(&person("Kim", None, None), &[], &audit("customer.add"))
                .await
                .unwrap()
                .unwrap();
            assert!(
                matches!(
                    s.link_customers(other, zoe, &audit("customer.link")).await,
                    Err(StoreError::NotFound)
                ),
                "{n}: nothing moves to an erased customer"
            );
        }
    }

    /// Issue 17 (the API): a CRM that sends the same new customer several times at once (a
    /// retry after a timeout) gets one customer; the others are told whose the address is.
    #[tokio::test]
    async fn one_address_added_at_once_makes_one_customer() {
        for t in all_stores().await {
            let n = t.name;
            let admin = t.store.create_agent(&new_agent("root", "h")).await.unwrap();
            let audit = AuditEntry {
                at_ms: 5_000,
                agent: admin,
                action: "customer.add".into(),
                detail: "API token \"CRM\"".into(),
            };
            let tries = (0..6).map(|i| {
                let store = t.store.clone();
                let audit = audit.clone();
                tokio::spawn(async move {
                    let email = if i % 2 == 0 {
                        "kim@example.com"
                    } else {
                        "KIM@example.com"
                    };
                    store
                        .add_customer(&person("Kim", Some(email), None), &[], &audit)
                        .await
                        .unwrap()
                })
            });
            let mut added = Vec::new();
            let mut refused = Vec::new();
            for answer in futures_util::future::join_all(tries).await {
                match answer.unwrap() {
                    Ok(id) => added.push(id),
                    Err(AddressTaken::Email(by)) => refused.push(by),
                    Err(other) => panic!("{n}: {other:?}"),
                }
            }
            assert_eq!(added.len(), 1, "{n}: {added:?}");
            assert_eq!(refused, vec![added[0]; 5], "{n}");
        }
    }

    /// Issue 17 (the API): conversations come newest first from a cursor, every one without
    /// words (going on or not), one customer's alone, and with words only the ended ones
    /// whose text has them; one reads whole with its ids.
    #[tokio::test]
    async fn conversations_page_newest_first_and_read_whole() {
        for t in all_stores().await {
            let s = t.store.as_ref();
            let n = t.name;
            let support = s.create_csq("Support").await.unwrap();
            let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let zoe = s
                .create_customer(&person("Zoé", Some("zoe@example.com"), None))
                .await
                .unwrap();
            let karl = s
                .create_customer(&person("Karl", None, None))
                .await
                .unwrap();
            let chat = |customer| NewChat {
                channel: Channel::Web,
                csq: support,
                customer,
                problem: "Billing".into(),
                details: Vec::new(),
            };
            let first = s.create_chat(&chat(zoe), 1_000).await.unwrap().id;
            say(s, first, "Zoé", "remboursement svp", 1_001).await;
            let second = s.create_chat(&chat(karl), 2_000).await.unwrap().id;
            let third = s.create_chat(&chat(zoe), 3_000).await.unwrap().id;
            say(s, third, "Zoé", "remboursement encore", 3_001).await;
            let ended = ContactStatus::Ended(EndReason::EndedByAgent);
            s.update_contact(first, ended, Some(ann), 1_500)
                .await
                .unwrap();
            index_waiting(s).await.unwrap();

            let all = SearchQuery {
                range: (i64::MIN, i64::MAX),
                ..SearchQuery::default()
            };
            let page = |before: Option<ContactId>, limit| ConversationPage {
                query: all.clone(),
                customer: None,
                before,
                limit,
            };
            assert_eq!(
                conversations(s, page(None, 10)).await,
                [third, second, first],
                "{n}"
            );
            assert_eq!(conversations(s, page(None, 2)).await, [third, second]);
            assert_eq!(conversations(s, page(Some(second), 2)).await, [first]);
            let theirs = ConversationPage {
                customer: Some(zoe),
                ..page(None, 10)
            };
            assert_eq!(conversations(s, theirs).await, [third, first], "{n}");
            let words = ConversationPage {
                query: SearchQuery {
                    words: search_words("rembourse"),
                    ..all.clone()
                },
                ..page(None, 10)
            };
            assert_eq!(conversations(s, words.clone()).await, [first], "{n}");
            // Ended and indexed, then given back to its agent: its old text is not searched
            // while it goes on again.
            s.update_contact(third, ended, Some(ann), 3_500)
                .await
                .unwrap();
            index_waiting(s).await.unwrap();
            assert_eq!(conversations(s, words.clone()).await, [third, first], "{n}");
            s.update_contact(third, ContactStatus::Active, Some(ann), 3_600)
                .await
                .unwrap();
            assert_eq!(
                conversations(s, words).await,
                [first],
                "{n}: one going on again is not searched"
            );

            let whole = s.conversation_record(first).await.unwrap();
            assert_eq!(
                (whole.customer, whole.queue, whole.agent),
                (zoe, support, Some(ann)),
                "{n}"
            );
            assert_eq!(whole.conversation.status, "ended");
            assert_eq!(whole.lines.len(), 1, "{n}");
            assert!(whole.conversation.lines.is_empty(), "{n}: read once, typed");
            assert!(matches!(
                s.conversation_record(ContactId(9_999)).await,
                Err(StoreError::NotFound)
            ));
        }
    }
}

mod webhooks {
    use super::common::{all_stores, new_agent};
    use app::domain::{
        chat::{Author, LineBody},
        contact::ContactStatus,
        ids::WebhookId,
        webhooks::{DeliveryStatus, WebhookEdit, WebhookEvent},
    };
    use server::store::{
        webhooks::{Attempt, NewDelivery, NewWebhook},
        AuditEntry, Sender, Store, StoreError,
    };

    fn said(text: &str) -> LineBody {
        LineBody::Message {
            author: Author::Customer {
                name: "Zoé".into()
            },
            text: text.into(),
            client_id: text.into(),
            files: Vec::new(),
            sent_at_ms: None,
            template: None,
        }
    }

    async fn chat(s: &dyn Store, at_ms: i64) -> app::domain::contact::Contact {
        let csq = match s.csqs().await.unwrap().first() {
            Some(c) => c.id,
            None => s.create_csq("Support").await.unwrap(),
        };
        super::chats::chat_in(s, csq, "Zoé", at_ms).await
    }

    /// Issue 17: an event is written with its change only while a webhook enabled wants
    /// it (a chat's start, each of its lines, its end); a fan-out's deliveries are kept
    /// once; within a webhook and conversation only the oldest waiting delivery may go,
    /// the next once it is delivered; a paused webhook's deliveries wait; a delivered one
    /// sent again waits again; a deleted webhook's waiting deliveries fail; at most `max`
    /// webhooks; each change audited.
    #[tokio::test]
    async fn events_are_kept_with_their_changes_and_delivered_in_order() {
        for t in all_stores().await {
            let s = t.store.as_ref();
            let n = t.name;
            let admin = s.create_agent(&new_agent("root", "h")).await.unwrap();
            let audit = |action: &str| AuditEntry {
                at_ms: 5,
                agent: admin,
                action: action.into(),
                detail: "\"CRM\"".into(),
            };

            // Nobody listens: nothing is written.
            let before = chat(s, 1).await;
            s.append_line(before.id, &Sender::Customer, Some("x"), &said("x"), 2)
                .await
                .unwrap();
            assert!(
                s.waiting_webhook_events(i64::MAX, 100)
                    .await
                    .unwrap()
                    .is_empty(),
                "{n}"
            );

            let hook = NewWebhook {
                name: "CRM".into(),
                url: "https://crm.example.com/in".into(),
                events: vec![
                    WebhookEvent::ConversationStarted,
                    WebhookEvent::ConversationMessage,
                    WebhookEvent::ConversationEnded,
                ],
                secret_sealed: "sealed".into(),
                created_by: admin,
            };
            let crm = s
                .add_webhook(&hook, 2, &audit("webhook.create"))
                .await
                .unwrap();
            let other = s
                .add_webhook(&hook, 2, &audit("webhook.create"))
                .await
                .unwrap();
            assert!(matches!(
                s.add_webhook(&hook, 2, &audit("webhook.create")).await,
                Err(StoreError::Full)
            ));

            let zoe = chat(s, 10).await;
            for (i, text) in ["bonjour", "mon colis"].iter().enumerate() {
                s.append_line(
                    zoe.id,
                    &Sender::Customer,
                    Some(text),
                    &said(text),
                    11 + i as i64,
                )
                .await
                .unwrap();
            }
            // Assigned is not wanted; ended is.
            s.accept_contact(
                zoe.id,
                &[ContactStatus::Queued],
                ContactStatus::Active,
                admin,
                20,
            )
            .await
            .unwrap()
            .unwrap();
            s.update_contact(
                zoe.id,
                ContactStatus::Ended(app::domain::contact::EndReason::EndedByAgent),
                None,
                30,
            )
            .await
            .unwrap();
            let events = s.waiting_webhook_events(i64::MAX, 100).await.unwrap();
            let kinds: Vec<(WebhookEvent, Option<u64>)> =
                events.iter().map(|e| (e.event, e.facts.seq)).collect();
            assert_eq!(
                kinds,
                vec![
                    (WebhookEvent::ConversationStarted, None),
                    (WebhookEvent::ConversationMessage, Some(1)),
                    (WebhookEvent::ConversationMessage, Some(2)),
                    (WebhookEvent::ConversationEnded, None),
                ],
                "{n}"
            );
            assert!(
                events.iter().all(|e| e.facts.contact == Some(zoe.id)),
                "{n}"
            );
            assert_eq!(events[0].facts.customer, Some(zoe.customer), "{n}");
            assert_eq!(events[1].at_ms, 11, "{n}");
            assert!(events.windows(2).all(|w| w[0].id < w[1].id), "{n}");
            // Only those written by then.
            assert_eq!(
                s.waiting_webhook_events(10, 100).await.unwrap().len(),
                1,
                "{n}"
            );

            // Fanned out (the first twice: the second makes nothing), to both webhooks.
            let subject = format!("conversation:{}", zoe.id.0);
            for e in events.iter().chain(events.first()) {
                let deliveries: Vec<NewDelivery> = [crm, other]
                    .into_iter()
                    .map(|webhook| NewDelivery {
                        webhook,
                        event_id: e.id,
                        event: e.event,
                        subject: subject.clone(),
                        body: format!("{{\"id\":{}}}", e.id),
                    })
                    .collect();
                s.fan_out_webhook_event(e.id, &deliveries, 40)
                    .await
                    .unwrap();
            }
            assert!(
                s.waiting_webhook_events(i64::MAX, 100)
                    .await
                    .unwrap()
                    .is_empty(),
                "{n}"
            );
            assert_eq!(
                s.webhook_deliveries(crm, None, 50).await.unwrap().len(),
                4,
                "{n}"
            );

            // Only the first of each webhook's conversation goes; taken, it is this
            // sender's until the lease ends.
            let due = s.claim_webhook_deliveries(50, 10, 1_000).await.unwrap();
            assert_eq!(due.len(), 2, "{n}: {due:?}");
            assert!(
                due.iter()
                    .all(|d| d.body == format!("{{\"id\":{}}}", events[0].id)),
                "{n}"
            );
            assert_eq!(due[0].url, "https://crm.example.com/in");
            assert!(
                s.claim_webhook_deliveries(60, 10, 1_000)
                    .await
                    .unwrap()
                    .is_empty(),
                "{n}"
            );
            let (to_crm, to_other) = if due[0].webhook == crm {
                (&due[0], &due[1])
            } else {
                (&due[1], &due[0])
            };
            s.webhook_attempted(to_crm.id, &Attempt::Delivered { status: 204 }, 70)
                .await
                .unwrap();
            s.webhook_attempted(
                to_other.id,
                &Attempt::Retry {
                    status: Some(503),
                    error: "answered 503".into(),
                    next_at_ms: 500,
                },
                70,
            )
            .await
            .unwrap();
            // The CRM's next goes; the other webhook's conversation waits for its first.
            let due = s.claim_webhook_deliveries(80, 10, 1_000).await.unwrap();
            assert_eq!(due.len(), 1, "{n}: {due:?}");
            assert_eq!(due[0].webhook, crm);
            assert_eq!(due[0].body, format!("{{\"id\":{}}}", events[1].id));
            s.webhook_attempted(due[0].id, &Attempt::Delivered { status: 200 }, 90)
                .await
                .unwrap();
            let log = s.webhook_deliveries(other, None, 50).await.unwrap();
            let first = log.last().unwrap();
            assert_eq!(
                (
                    first.status,
                    first.attempts,
                    first.last_status,
                    first.last_error.as_deref()
                ),
                (DeliveryStatus::Waiting, 1, Some(503), Some("answered 503")),
                "{n}"
            );
            assert_eq!(first.next_attempt_at_ms, 500);

            // Paused, nothing of it goes, even when due.
            s.pause_webhook(other, Some(100), &audit("webhook.pause"))
                .await
                .unwrap();
            assert!(
                s.claim_webhook_deliveries(600, 10, 2_000)
                    .await
                    .unwrap()
                    .iter()
                    .all(|d| d.webhook == crm),
                "{n}"
            );
            let summaries = s.webhook_summaries().await.unwrap();
            assert_eq!(summaries[1].paused_at_ms, Some(100), "{n}");
            assert_eq!(summaries[1].waiting, 4, "{n}");

            // A delivered one sent again waits, tried for a day from now.
            let delivered = s.webhook_deliveries(crm, None, 50).await.unwrap();
            let oldest = delivered.last().unwrap();
            assert_eq!(oldest.status, DeliveryStatus::Delivered);
            assert!(s
                .replay_webhook_delivery(crm, oldest.id, &audit("webhook.replay"))
                .await
                .unwrap());
            assert!(
                !s.replay_webhook_delivery(crm, oldest.id, &audit("webhook.replay"))
                    .await
                    .unwrap(),
                "{n}: already waiting"
            );
            assert!(matches!(
                s.replay_webhook_delivery(other, oldest.id, &audit("webhook.replay"))
                    .await,
                Err(StoreError::NotFound)
            ));
            let again = s.claim_webhook_deliveries(5, 10, 3_000).await.unwrap();
            assert_eq!(again.len(), 1, "{n}");
            assert_eq!(
                (again[0].id, again[0].attempts, again[0].tried_since_ms),
                (oldest.id, 0, 5)
            );

            // Changed, then deleted: its waiting deliveries fail, it is listed no more.
            let edit = WebhookEdit {
                name: "CRM 2".into(),
                url: "https://crm.example.com/v2".into(),
                events: vec![WebhookEvent::CustomerUpdated],
            };
            s.change_webhook(other, &edit, &audit("webhook.change"))
                .await
                .unwrap();
            assert_eq!(s.webhooks().await.unwrap()[1].events, edit.events, "{n}");
            s.delete_webhook(other, &audit("webhook.delete"))
                .await
                .unwrap();
            assert!(
                s.webhook_deliveries(other, None, 50)
                    .await
                    .unwrap()
                    .iter()
                    .all(|d| {
                        d.status == DeliveryStatus::Failed
                            && d.last_error.as_deref() == Some("the webhook was deleted")
                    }),
                "{n}"
            );
            assert_eq!(s.webhooks().await.unwrap().len(), 1, "{n}");
            assert!(matches!(
                s.delete_webhook(other, &audit("webhook.delete")).await,
                Err(StoreError::NotFound)
            ));
            assert!(matches!(
                s.pause_webhook(WebhookId(999), None, &audit("webhook.pause"))
                    .await,
                Err(StoreError::NotFound)
            ));
            // Its only webhook paused, what happens is still kept for it (sent once
            // resumed); a delivery for the deleted one is not made.
            s.pause_webhook(crm, Some(700), &audit("webhook.pause"))
                .await
                .unwrap();
            let later = chat(s, 800).await;
            let waiting = s.waiting_webhook_events(i64::MAX, 100).await.unwrap();
            assert_eq!(waiting.len(), 1, "{n}");
            assert_eq!(waiting[0].facts.contact, Some(later.id), "{n}");
            let to = |webhook| NewDelivery {
                webhook,
                event_id: waiting[0].id,
                event: waiting[0].event,
                subject: format!("conversation:{}", later.id.0),
                body: "{}".into(),
            };
            s.fan_out_webhook_event(waiting[0].id, &[to(crm), to(other)], 810)
                .await
                .unwrap();
            assert!(
                s.webhook_deliveries(other, None, 50)
                    .await
                    .unwrap()
                    .iter()
                    .all(|d| d.event_id != waiting[0].id),
                "{n}"
            );
            assert!(
                s.claim_webhook_deliveries(5_000, 10, 6_000)
                    .await
                    .unwrap()
                    .is_empty(),
                "{n}: paused"
            );
            // Resumed: what waited goes at once, tried for a day from then.
            let resumed = AuditEntry {
                at_ms: 900,
                ..audit("webhook.resume")
            };
            s.pause_webhook(crm, None, &resumed).await.unwrap();
            let due = s.claim_webhook_deliveries(900, 10, 6_000).await.unwrap();
            assert!(
                !due.is_empty() && due.iter().all(|d| d.tried_since_ms == 900),
                "{n}: {due:?}"
            );
            let actions: Vec<String> = s
                .admin_audit(20)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.action)
                .collect();
            assert_eq!(
                actions.iter().filter(|a| a.starts_with("webhook.")).count(),
                8,
                "{n}: {actions:?}"
            );
        }
    }
}

mod supervision {
    use super::chats::chat_in;
    use super::common::{all_stores, new_agent};
    use app::domain::{
        contact::{Channel, ContactStatus, EndReason},
        state::{AgentState, Badge, StateEvent, StateReason},
        supervision::{DayFigures, LiveChat, Waiting},
    };
    use server::store::Guest;

    /// Takes `agent` through `steps` (event, reason, time) from where they are.
    async fn walk(
        s: &dyn server::store::Store,
        agent: app::domain::ids::AgentId,
        steps: &[(StateEvent, StateReason, i64)],
    ) {
        for (event, reason, at_ms) in steps {
            let (from, _) = s.agent_status(agent).await.unwrap();
            let to = from.apply(*event).unwrap();
            s.change_state(agent, &from, &to, *reason, *at_ms, None)
                .await
                .unwrap();
        }
    }

    /// Issue 18 (D-3, G-3): a supervisor joins a chat as its guest only while an agent holds
    /// it, no one else is its guest and no invitation waits; never an ended chat.
    #[tokio::test]
    async fn d3_a_supervisor_joins_only_a_held_chat_with_room() {
        for t in all_stores().await {
            let s = t.store.as_ref();
            let support = s.create_csq("Support").await.unwrap();
            let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let sue = s.create_agent(&new_agent("sue", "h")).await.unwrap();
            let sam = s.create_agent(&new_agent("sam", "h")).await.unwrap();
            let waiting = ContactStatus::WAITING;
            let held = chat_in(s, support, "Eve", 1_000).await;
            let queued = chat_in(s, support, "Finn", 1_000).await;
            let invited = chat_in(s, support, "Gus", 1_000).await;
            for chat in [held.id, invited.id] {
                s.accept_contact(chat, &waiting, ContactStatus::Active, ann, 2_000)
                    .await
                    .unwrap()
                    .unwrap();
            }
            let pending = server::store::PendingInvitation {
                from: ann,
                csq: support,
                notes: "help".into(),
            };
            s.open_invitation(invited.id, &pending, 2_500)
                .await
                .unwrap();

            assert!(
                !s.join_as_guest(queued.id, sue, 3_000).await.unwrap(),
                "{}: no agent holds it",
                t.name
            );
            assert!(
                !s.join_as_guest(invited.id, sue, 3_000).await.unwrap(),
                "{}: an invitation waits",
                t.name
            );
            assert!(
                s.join_as_guest(held.id, sue, 3_000).await.unwrap(),
                "{}",
                t.name
            );
            assert_eq!(s.guest(held.id).await.unwrap().map(|g| g.agent), Some(sue));
            assert!(
                !s.join_as_guest(held.id, sam, 3_100).await.unwrap(),
                "{}: three at most",
                t.name
            );
            s.remove_guest(held.id).await.unwrap();
            let ended = ContactStatus::Ended(EndReason::EndedByAgent);
            s.step_contact(held.id, &[ContactStatus::Active], ended, None, 4_000)
                .await
                .unwrap()
                .unwrap();
            assert!(
                !s.join_as_guest(held.id, sam, 4_100).await.unwrap(),
                "{}: ended",
                t.name
            );
        }
    }

    /// Issue 18 (D-3): the live view reads the agents of the watched CSQs with their state,
    /// why and since when, and what they hold; each watched queue's waiting contacts, offers
    /// and who can take them; and the day's figures from the contact log: offered, handled
    /// (with their waits and how many within the threshold), abandoned.
    #[tokio::test]
    async fn d3_the_board_shows_the_team_the_queues_and_the_day() {
        for t in all_stores().await {
            let s = t.store.as_ref();
            let support = s.create_csq("Support").await.unwrap();
            let sales = s.create_csq("Sales").await.unwrap();
            let billing = s.create_csq("Billing").await.unwrap();
            let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let bob = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            let cleo = s.create_agent(&new_agent("cleo", "h")).await.unwrap();
            for (csq, agent) in [
                (support, ann),
                (sales, ann),
                (support, bob),
                (billing, cleo),
            ] {
                s.add_csq_member(csq, agent).await.unwrap();
            }
            use StateEvent as E;
            use StateReason as R;
            walk(
                s,
                ann,
                &[
                    (E::Login, R::Login, 1_000),
                    (E::SetReady, R::AgentRequest, 2_000),
                ],
            )
            .await;
            walk(s, ann, &[(E::ContactAccepted, R::ContactAccepted, 8_000)]).await;
            walk(s, ann, &[(E::ContactAccepted, R::ContactAccepted, 40_000)]).await;
            walk(
                s,
                bob,
                &[
                    (E::Login, R::Login, 1_500),
                    (E::SetReady, R::AgentRequest, 1_600),
                ],
            )
            .await;
            walk(s, bob, &[(E::OfferExpired, R::OfferNotAccepted, 3_000)]).await;

            let day_start = 5_000;
            let waiting = ContactStatus::WAITING;
            // Yesterday's chat, abandoned this morning.
            let early = chat_in(s, support, "Dora", 4_000).await;
            let abandoned = ContactStatus::Ended(EndReason::Abandoned);
            s.step_contact(early.id, &waiting, abandoned, None, 6_000)
                .await
                .unwrap()
                .unwrap();
            // Taken in 2 s, and in 34 s (over the 20 s threshold).
            let quick = chat_in(s, support, "Eve", 6_000).await;
            s.step_contact(quick.id, &waiting, ContactStatus::Offered, Some(ann), 6_500)
                .await
                .unwrap()
                .unwrap();
            s.accept_contact(
                quick.id,
                &[ContactStatus::Offered],
                ContactStatus::Active,
                ann,
                8_000,
            )
            .await
            .unwrap()
            .unwrap();
            let slow = chat_in(s, sales, "Finn", 6_000).await;
            s.accept_contact(slow.id, &waiting, ContactStatus::Active, ann, 40_000)
                .await
                .unwrap()
                .unwrap();
            // Still waiting: one in line, one on offer to Bob.
            chat_in(s, support, "Gus", 7_000).await;
            let offered = chat_in(s, support, "Hal", 7_500).await;
            s.step_contact(
                offered.id,
                &waiting,
                ContactStatus::Offered,
                Some(bob),
                7_600,
            )
            .await
            .unwrap()
            .unwrap();
            // In an unwatched queue.
            chat_in(s, billing, "Ivy", 7_000).await;

            let (team, queues, chats) = s.board(&[support, sales], day_start).await.unwrap();
            let names: Vec<&str> = team.iter().map(|m| m.username.as_str()).collect();
            assert_eq!(
                names,
                ["ann", "bob"],
                "{}: members of the watched queues",
                t.name
            );
            let a = &team[0];
            let mut ann_csqs = vec![support, sales];
            ann_csqs.sort();
            assert_eq!(a.csqs, ann_csqs);
            assert_eq!(
                (a.state, a.reason, a.since_ms),
                (
                    AgentState::Reserved,
                    Some(StateReason::ContactAccepted),
                    Some(8_000)
                ),
                "{}: a second contact does not restart the state",
                t.name
            );
            assert_eq!((a.chats, a.emails, a.max_chats), (2, 0, 3));
            assert_eq!(a.oldest_contact_ms, Some(8_000));
            let b = &team[1];
            assert_eq!(
                (b.state, b.reason, b.since_ms, b.badge),
                (
                    AgentState::NotReady,
                    Some(StateReason::OfferNotAccepted),
                    Some(3_000),
                    Some(Badge::ChatNotAccepted)
                ),
                "{}",
                t.name
            );
            assert_eq!((b.chats, b.oldest_contact_ms), (0, None));

            let names: Vec<&str> = queues.iter().map(|q| q.name.as_str()).collect();
            assert_eq!(
                names,
                ["Sales", "Support"],
                "{}: by name, watched only",
                t.name
            );
            let (sales_q, support_q) = (&queues[0], &queues[1]);
            assert_eq!(
                support_q.waiting,
                [Waiting {
                    channel: Channel::Web,
                    count: 2
                }],
                "{}",
                t.name
            );
            assert_eq!(
                (support_q.oldest_waiting_ms, support_q.offering),
                (Some(7_000), 1)
            );
            assert_eq!(
                (
                    support_q.logged_in,
                    support_q.ready,
                    support_q.reserved,
                    support_q.not_ready
                ),
                (2, 0, 1, 1)
            );
            assert_eq!(support_q.service_level_secs, 20);
            assert_eq!(
                support_q.today,
                DayFigures {
                    offered: 3,
                    handled: 1,
                    abandoned: 1,
                    wait_total_ms: 2_000,
                    within_threshold: 1,
                },
                "{}",
                t.name
            );
            assert_eq!(support_q.today.service_level_percent(), Some(50));
            assert_eq!(
                sales_q.today,
                DayFigures {
                    offered: 1,
                    handled: 1,
                    abandoned: 0,
                    wait_total_ms: 34_000,
                    within_threshold: 0,
                },
                "{}",
                t.name
            );
            assert!(sales_q.waiting.is_empty());
            assert_eq!((sales_q.logged_in, sales_q.reserved), (1, 1));

            // The chats in progress, oldest taken first, with who is in each; a guest
            // (G-3) after the one who holds it.
            let in_progress = |chats: &[LiveChat]| {
                chats
                    .iter()
                    .map(|c| {
                        (
                            c.id,
                            c.csq,
                            c.customer.clone(),
                            c.agents.clone(),
                            c.since_ms,
                        )
                    })
                    .collect::<Vec<_>>()
            };
            let ann_name = "ann Example".to_string();
            assert_eq!(
                in_progress(&chats),
                [
                    (
                        quick.id,
                        support,
                        "Eve".into(),
                        vec![ann_name.clone()],
                        8_000
                    ),
                    (
                        slow.id,
                        sales,
                        "Finn".into(),
                        vec![ann_name.clone()],
                        40_000
                    ),
                ],
                "{}",
                t.name
            );
            let guest = Guest {
                agent: bob,
                notes: String::new(),
            };
            s.add_guest(quick.id, &guest, 41_000).await.unwrap();
            let (_, _, chats) = s.board(&[support], day_start).await.unwrap();
            assert_eq!(
                in_progress(&chats),
                [(
                    quick.id,
                    support,
                    "Eve".into(),
                    vec![ann_name, "bob Example".into()],
                    8_000
                )],
                "{}: one watched queue's chats",
                t.name
            );

            // A later day starts from nothing; what waits still waits.
            let (_, later, _) = s.board(&[support], 50_000).await.unwrap();
            assert_eq!(later[0].today, DayFigures::default(), "{}", t.name);
            assert_eq!(later[0].waiting_total(), 2);
        }
    }
}

mod reports {
    use super::chats::chat_in;
    use super::common::{all_stores, new_agent};
    use app::domain::{
        chat::{Author, LineBody},
        contact::{Channel, ContactStatus, EndReason},
        ids::CsqId,
        reports::{AgentFigures, Report, Spread, Volume},
        state::{StateEvent, StateReason},
    };
    use server::store::{reports::ReportScope, Sender};

    const HOUR: i64 = 3_600_000;

    /// Issue 18 (D-3, S-4, S-6): every figure of a report, checked against a scripted day
    /// of offers, takes, an unaccepted offer, an abandon, ends, wrap-ups and state changes
    /// at known times, read on a clock one hour ahead of UTC. What lies outside the day or
    /// in a CSQ not reported on is not counted.
    #[tokio::test]
    async fn d3_a_report_counts_a_scripted_day() {
        for t in all_stores().await {
            let s = t.store.as_ref();
            let n = t.name;
            // 2026-12-07 on a UTC+1 clock: from 23:00 UTC the day before.
            let local_day = 20_794;
            let midnight = local_day * 24 * HOUR;
            let h = |hours: i64| midnight + hours * HOUR;
            let from = h(-1);
            let to = h(23);
            let support = s.create_csq("Support").await.unwrap();
            let sales = s.create_csq("Sales").await.unwrap();
            let ann = s.create_agent(&new_agent("ann", "h")).await.unwrap();
            let bob = s.create_agent(&new_agent("bob", "h")).await.unwrap();
            let cleo = s.create_agent(&new_agent("cleo", "h")).await.unwrap();
            for (csq, agent) in [(support, ann), (support, bob), (sales, cleo)] {
                s.add_csq_member(csq, agent).await.unwrap();
            }
            let refund = s.create_wrap_up_reason("Refund").await.unwrap();
            let question = s.create_wrap_up_reason("Question").await.unwrap();
            for reason in [refund, question] {
                s.assign_wrap_up_reason(support, reason).await.unwrap();
            }

            use StateEvent as E;
            use StateReason as R;
            let walk = |agent, steps: Vec<(E, R, i64)>| async move {
                for (event, reason, at_ms) in steps {
                    let (was, _) = s.agent_status(agent).await.unwrap();
                    let to = was.apply(event).unwrap();
                    s.change_state(agent, &was, &to, reason, at_ms, None)
                        .await
                        .unwrap();
                }
            };
            // Ann: Ready since before the day, a contact 09:00-10:00, Not Ready from 20:00.
            walk(
                ann,
                vec![
                    (E::Login, R::Login, h(-3)),
                    (E::SetReady, R::AgentRequest, h(-2)),
                    (E::ContactAccepted, R::ContactAccepted, h(9)),
                    (E::ContactEnded, R::ContactEnded, h(10)),
                    (E::SetNotReady, R::AgentRequest, h(20)),
                ],
            )
            .await;
            // Bob: logs in at 08:00, Ready 09:00-11:00, misses an offer, leaves at 12:00.
            walk(
                bob,
                vec![
                    (E::Login, R::Login, h(8)),
                    (E::SetReady, R::AgentRequest, h(9)),
                    (E::OfferExpired, R::OfferNotAccepted, h(11)),
                    (E::Logout, R::Logout, h(12)),
                ],
            )
            .await;

            let waiting = ContactStatus::WAITING;
            let by_agent = ContactStatus::Ended(EndReason::EndedByAgent);
            let take = |chat, agent, at| async move {
                s.accept_contact(chat, &waiting, ContactStatus::Active, agent, at)
                    .await
                    .unwrap()
                    .unwrap();
            };
            let end = |chat, at| async move {
                s.step_contact(chat, &[ContactStatus::Active], by_agent, None, at)
                    .await
                    .unwrap()
                    .unwrap();
            };
            // Came in before the day, taken in it after 20 minutes.
            let early = chat_in(s, support, "Dora", from - 600_000).await;
            take(early.id, ann, from + 600_000).await;
            // Waits 30 s; Ann answers 10 s later and ends it after an hour.
            let eve = chat_in(s, support, "Eve", h(9) - 30_000).await;
            take(eve.id, ann, h(9)).await;
            let hello = LineBody::Message {
                author: Author::Agent {
                    agent: ann,
                    alias: "ann".into(),
                },
                text: "Hello".into(),
                client_id: "a1".into(),
                files: Vec::new(),
                sent_at_ms: None,
                template: None,
            };
            s.append_line(
                eve.id,
                &Sender::Agent(ann),
                Some("a1"),
                &hello,
                h(9) + 10_000,
            )
            .await
            .unwrap();
            end(eve.id, h(10)).await;
            s.set_wrap_up(eve.id, ann, &[refund]).await.unwrap();
            // Offered to Bob, who lets it go (S-4); Ann takes it after 61 minutes, 2 more.
            let finn = chat_in(s, support, "Finn", h(10)).await;
            s.step_contact(
                finn.id,
                &waiting,
                ContactStatus::Offered,
                Some(bob),
                h(10) + 5_000,
            )
            .await
            .unwrap()
            .unwrap();
            s.step_contact(
                finn.id,
                &[ContactStatus::Offered],
                ContactStatus::Queued,
                Some(bob),
                h(11),
            )
            .await
            .unwrap()
            .unwrap();
            take(finn.id, ann, h(11) + 60_000).await;
            end(finn.id, h(11) + 180_000).await;
            s.set_wrap_up(finn.id, ann, &[refund, question])
                .await
                .unwrap();
            // The customer leaves after 45 s.
            let gus = chat_in(s, support, "Gus", h(12)).await;
            let abandoned = ContactStatus::Ended(EndReason::Abandoned);
            s.step_contact(gus.id, &waiting, abandoned, None, h(12) + 45_000)
                .await
                .unwrap()
                .unwrap();
            // Bob takes one in 5 s and ends it 100 s later.
            let hal = chat_in(s, support, "Hal", h(13)).await;
            take(hal.id, bob, h(13) + 5_000).await;
            end(hal.id, h(13) + 105_000).await;
            // Another CSQ's, and one after the day.
            let ivy = chat_in(s, sales, "Ivy", h(9)).await;
            take(ivy.id, cleo, h(9) + 1_000).await;
            chat_in(s, support, "Jon", to + 60_000).await;

            let scope = ReportScope {
                from_ms: from,
                to_ms: to,
                until_ms: to,
                csqs: vec![support],
                agent: None,
                channel: None,
                offsets: vec![(from, HOUR)],
            };
            let figures = s.report(&scope).await.unwrap();
            let mut report = Report {
                first_day: local_day,
                last_day: local_day,
                ..Default::default()
            };
            report.fold_hours(&figures.hours);
            let day = Volume {
                came_in: 4,
                offered: 1,
                not_accepted: 1,
                handled: 4,
                abandoned: 1,
                transferred: 0,
                requeued: 0,
            };
            assert_eq!(report.total, day, "{n}");
            assert_eq!(report.by_day, [(local_day, day)], "{n}");
            assert_eq!(report.by_channel, [(Channel::Web, day)], "{n}");
            // Read on the viewer's clock: Dora taken at 00:10, Eve in at 09:59:30 and
            // taken at 10:00, Finn in and offered at 11:00.
            let handled = |n| Volume {
                handled: n,
                ..Default::default()
            };
            assert_eq!(report.by_hour[0], handled(1), "{n}");
            assert_eq!(report.by_hour[9].came_in, 1, "{n}");
            assert_eq!(report.by_hour[10], handled(1), "{n}");
            assert_eq!(
                (report.by_hour[11].came_in, report.by_hour[11].offered),
                (1, 1),
                "{n}"
            );

            let times = figures.times;
            assert_eq!(
                times.wait,
                Spread {
                    count: 4,
                    average_ms: Some((5_000 + 30_000 + 1_200_000 + 3_660_000) / 4),
                    p90_ms: Some(3_660_000),
                },
                "{n}: waits 5 s, 30 s, 20 min and 61 min"
            );
            assert_eq!(figures.wait_bars, [1, 0, 0, 1, 0, 0, 2], "{n}");
            assert_eq!(
                times.abandoned_after,
                Spread {
                    count: 1,
                    average_ms: Some(45_000),
                    p90_ms: Some(45_000),
                },
                "{n}"
            );
            assert_eq!(
                times.handle,
                Spread {
                    count: 3,
                    average_ms: Some(1_273_333),
                    p90_ms: Some(HOUR),
                },
                "{n}: handled 1 h, 2 min and 100 s"
            );
            assert_eq!(
                times.first_response,
                Spread {
                    count: 1,
                    average_ms: Some(40_000),
                    p90_ms: Some(40_000),
                },
                "{n}: Eve's first answer, 40 s after she came"
            );
            assert_eq!(times.email_first_reply, Spread::default(), "{n}");
            assert_eq!(
                figures.wrap_up,
                [("Refund".to_string(), 2), ("Question".to_string(), 1)],
                "{n}"
            );
            assert_eq!(
                figures.agents,
                [
                    AgentFigures {
                        agent: ann,
                        name: "ann Example".into(),
                        ready_ms: 20 * HOUR,
                        not_ready_ms: 3 * HOUR,
                        reserved_ms: HOUR,
                        offered: 0,
                        not_accepted: 0,
                        handled: 3,
                        handle: Spread {
                            count: 2,
                            average_ms: Some((HOUR + 120_000) / 2),
                            p90_ms: None,
                        },
                    },
                    AgentFigures {
                        agent: bob,
                        name: "bob Example".into(),
                        ready_ms: 2 * HOUR,
                        not_ready_ms: 2 * HOUR,
                        reserved_ms: 0,
                        offered: 1,
                        not_accepted: 1,
                        handled: 1,
                        handle: Spread {
                            count: 1,
                            average_ms: Some(100_000),
                            p90_ms: None,
                        },
                    },
                ],
                "{n}: the day's states, and contacts"
            );

            // Narrowed to Bob: only what concerned him.
            let bobs = s
                .report(&ReportScope {
                    agent: Some(bob),
                    ..scope.clone()
                })
                .await
                .unwrap();
            let mut bob_total = Volume::default();
            for hour in &bobs.hours {
                bob_total.add(&hour.volume);
            }
            assert_eq!(
                (bob_total.offered, bob_total.not_accepted, bob_total.handled),
                (1, 1, 1),
                "{n}"
            );
            assert_eq!(bobs.times.wait.average_ms, Some(5_000), "{n}");
            assert_eq!(bobs.wrap_up, [], "{n}: Bob chose no reason");
            assert_eq!(bobs.agents.len(), 1, "{n}");
            // No email came; another CSQ has its own; an unwatched list counts nothing.
            let emails = s
                .report(&ReportScope {
                    channel: Some(Channel::Email),
                    ..scope.clone()
                })
                .await
                .unwrap();
            assert!(emails.hours.is_empty(), "{n}");
            let sales_day = s
                .report(&ReportScope {
                    csqs: vec![sales],
                    ..scope.clone()
                })
                .await
                .unwrap();
            let cleo_row: Vec<u32> = sales_day.agents.iter().map(|a| a.handled).collect();
            assert_eq!(cleo_row, [1], "{n}");
            let none: Vec<CsqId> = Vec::new();
            assert_eq!(
                s.report(&ReportScope {
                    csqs: none,
                    ..scope.clone()
                })
                .await
                .unwrap(),
                Default::default(),
                "{n}"
            );
        }
    }
}
