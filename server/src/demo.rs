//! Demo data for a first start: users of every role, three CSQs with members, wrap-up
//! reasons per CSQ, and chat and email canned responses. Only ever written into an empty
//! database.

use crate::{
    auth::hash_password,
    store::{NewAgent, Store, StoreResult},
};
use app::domain::{
    agent::Role,
    contact::ContactKind,
    limits::{DEFAULT_MAX_CHATS, DEFAULT_MAX_EMAILS},
};

/// The password of every demo user. Printed at start-up; change it for anything real.
pub const DEMO_PASSWORD: &str = "switchboard";

/// (username, display name, alias, role, CSQs)
const USERS: &[(&str, &str, &str, Role, &[&str])] = &[
    ("admin", "Ada Admin", "Ada", Role::Admin, &[]),
    (
        "supervisor",
        "Sam Supervisor",
        "Sam",
        Role::Supervisor,
        &["Support"],
    ),
    (
        "alice",
        "Alice Martin",
        "Alice",
        Role::Agent,
        &["Sales", "Support"],
    ),
    (
        "bob",
        "Bob Nguyen",
        "Bob",
        Role::Agent,
        &["Support", "Billing"],
    ),
    (
        "carol",
        "Carol Dupont",
        "Carol",
        Role::Agent,
        &["Sales", "Billing"],
    ),
    ("dave", "Dave Okafor", "Dave", Role::Agent, &["Support"]),
];

/// The CSQs the demo supervisor watches (issue 18, D-3).
const SUPERVISED: &[&str] = &["Support", "Sales"];

const CSQS: &[(&str, &[&str])] = &[
    (
        "Sales",
        &[
            "Quote sent",
            "Order placed",
            "Not interested",
            "Follow-up needed",
        ],
    ),
    (
        "Support",
        &[
            "Resolved",
            "Escalated",
            "Known issue",
            "Needs callback",
            "Duplicate",
        ],
    ),
    (
        "Billing",
        &[
            "Refund issued",
            "Invoice explained",
            "Payment plan",
            "Escalated",
        ],
    ),
];

/// (problem statement of the pre-chat form, CSQ it routes to)
const PROBLEMS: &[(&str, &str)] = &[
    ("A question before buying", "Sales"),
    ("Help with my order", "Support"),
    ("Something is broken", "Support"),
    ("Billing or a refund", "Billing"),
];

const CHAT_RESPONSES: &[(&str, &str)] = &[
    (
        "Greeting",
        "Hello, thanks for contacting us! How can I help you today?",
    ),
    (
        "One moment",
        "Thank you for your patience, I'm checking that for you now.",
    ),
    (
        "Anything else",
        "Is there anything else I can help you with?",
    ),
    ("Goodbye", "Thanks for chatting with us. Have a great day!"),
];

const EMAIL_RESPONSES: &[(&str, &str)] = &[
    (
        "Thanks for writing",
        "<p>Thank you for your email. We are looking into your request.</p>",
    ),
    (
        "Order status",
        "<p>Your order has shipped and should arrive within 3 to 5 business days.</p>",
    ),
    (
        "Closing",
        "<p>If you have any further questions, simply reply to this email.</p>",
    ),
];

/// Fills an empty database; returns whether it did.
pub async fn seed_if_empty(store: &dyn Store) -> StoreResult<bool> {
    if !store.agents().await?.is_empty() {
        return Ok(false);
    }
    let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
        .await
        .expect("hashing does not panic");
    let mut csq_ids = Vec::new();
    // One reason per label, shared by the CSQs that list it ("Escalated").
    let mut reason_ids: Vec<(&str, _)> = Vec::new();
    for (name, reasons) in CSQS {
        let csq = store.create_csq(name).await?;
        for label in *reasons {
            let reason = match reason_ids.iter().find(|(l, _)| l == label) {
                Some((_, id)) => *id,
                None => {
                    let id = store.create_wrap_up_reason(label).await?;
                    reason_ids.push((label, id));
                    id
                }
            };
            store.assign_wrap_up_reason(csq, reason).await?;
        }
        csq_ids.push((*name, csq));
    }
    for (username, display_name, alias, role, queues) in USERS {
        let id = store
            .create_agent(&NewAgent {
                username: username.to_string(),
                display_name: display_name.to_string(),
                alias: alias.to_string(),
                role: *role,
                password_hash: hash.clone(),
                max_chats: DEFAULT_MAX_CHATS,
                max_emails: DEFAULT_MAX_EMAILS,
                must_change_password: false,
            })
            .await?;
        for (name, csq) in &csq_ids {
            if queues.contains(name) {
                store.add_csq_member(*csq, id).await?;
            }
            if *role == Role::Supervisor && SUPERVISED.contains(name) {
                store.add_csq_supervisor(*csq, id).await?;
            }
        }
    }
    for (label, csq) in PROBLEMS {
        if let Some((_, id)) = csq_ids.iter().find(|(name, _)| name == csq) {
            store.create_problem_statement(label, *id).await?;
        }
    }
    for (title, body) in CHAT_RESPONSES {
        store
            .create_canned_response(ContactKind::Chat, title, body)
            .await?;
    }
    for (title, body) in EMAIL_RESPONSES {
        store
            .create_canned_response(ContactKind::Email, title, body)
            .await?;
    }
    Ok(true)
}

/// The lines printed for the person who started the demo.
pub fn logins_text(addr: &str) -> String {
    let mut out = format!("\nSwitchboard demo is running at http://{addr}\nDemo logins (password \"{DEMO_PASSWORD}\" for all):\n");
    for (username, name, _, role, queues) in USERS {
        let watches = if *role == Role::Supervisor {
            format!(" (supervises {})", SUPERVISED.join(", "))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {username:<11} {name:<15} {:<13} {}{watches}\n",
            role.to_string(),
            queues.join(", ")
        ));
    }
    out
}
