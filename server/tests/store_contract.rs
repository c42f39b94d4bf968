//! The store contract: the same expectations against SQLite (always) and PostgreSQL (when
//! SWITCHBOARD_TEST_POSTGRES_URL is set, as the README's test command does).

mod common;

use app::domain::{
    contact::ContactKind,
    protocol::AgentEvent,
    state::{AgentState, AgentStatus, StateEvent, StateReason},
};
use common::{all_stores, new_agent};
use server::store::StoreError;

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

#[tokio::test]
async fn sessions_expire_and_are_deleted_per_agent() {
    for t in all_stores().await {
        let s = &t.store;
        let a = s.create_agent(&new_agent("a", "h")).await.unwrap();
        s.create_session("t1", a, 1_000, 5_000).await.unwrap();
        s.create_session("t2", a, 1_000, 5_000).await.unwrap();
        assert_eq!(
            s.session_agent("t1", 4_999).await.unwrap(),
            Some(a),
            "{}",
            t.name
        );
        assert_eq!(s.session_agent("t1", 5_000).await.unwrap(), None, "expired");
        assert_eq!(s.session_agent("nope", 1_000).await.unwrap(), None);
        s.delete_sessions(a).await.unwrap();
        assert_eq!(s.session_agent("t2", 2_000).await.unwrap(), None);
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
        let AgentEvent::StateChanged { status, reason } = &after_one[0].event;
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

#[tokio::test]
async fn ping_answers() {
    for t in all_stores().await {
        t.store.ping().await.unwrap();
        assert!(["sqlite", "postgres"].contains(&t.store.backend()));
    }
}
