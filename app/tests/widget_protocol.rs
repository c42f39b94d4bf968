//! The widget's JSON, checked against the Rust types. The widget is plain JavaScript (it runs
//! on other people's sites), so nothing checks its reading of the server's messages at build
//! time. Instead this test serialises a sample of every message, command and document the
//! widget exchanges, and compares them with `public/widget/protocol.samples.json`; the
//! widget's own test (`end2end/unit/widget_protocol.test.cjs`) reads the same samples with the
//! widget's code. A renamed field fails one test or the other, never a customer.
//!
//! After a deliberate change of the protocol: `UPDATE_WIDGET_SAMPLES=1 cargo test -p app
//! --test widget_protocol`, then make the widget read the new samples.

use app::domain::{
    chat::{Author, ChatLine, LineBody, SystemNote},
    contact::EndReason,
    ids::AgentId,
    left_message::LeftMessage,
    prechat::{Answer, FieldKind, PreChatField, PreChatForm},
    protocol::OTHER_VERSION,
    refusal::{Reason, Refusal},
    validate::{Field, FieldError, Problem},
    widget::{
        WidgetAvailability, WidgetCommand, WidgetConfig, WidgetError, WidgetLimits, WidgetMessage,
        WidgetProblem, WIDGET_PROTOCOL_VERSION,
    },
};
use app::i18n::Locale;
use serde_json::{json, Value};

/// The samples are the English a widget without `?lang=` reads.
const EN: Locale = Locale::en;

fn line(seq: u64, body: LineBody) -> WidgetMessage {
    WidgetMessage::line(
        ChatLine {
            seq,
            at_ms: 1_796_197_530_000 + seq as i64,
            body,
        },
        EN,
    )
}

/// Every message the server sends the widget, by a name the widget's test uses.
fn server_messages() -> Vec<(&'static str, WidgetMessage)> {
    vec![
        (
            "line_from_customer",
            line(
                2,
                LineBody::Message {
                    author: Author::Customer {
                        name: "Zoé Martin".into(),
                    },
                    text: "My parcel is late 📦".into(),
                    client_id: "k1".into(),
                    files: Vec::new(),
                    sent_at_ms: None,
                    template: None,
                },
            ),
        ),
        (
            "line_from_agent",
            line(
                4,
                LineBody::Message {
                    author: Author::Agent {
                        agent: AgentId(7),
                        alias: "Alex".into(),
                    },
                    text: "Let me look.".into(),
                    client_id: "a1".into(),
                    files: Vec::new(),
                    sent_at_ms: None,
                    template: None,
                },
            ),
        ),
        (
            "line_joined",
            line(
                3,
                LineBody::System {
                    note: SystemNote::Joined {
                        alias: "Alex".into(),
                    },
                },
            ),
        ),
        (
            "line_ended",
            line(
                5,
                LineBody::System {
                    note: SystemNote::Ended {
                        reason: EndReason::EndedByCustomer,
                    },
                },
            ),
        ),
        ("synced", WidgetMessage::Synced { seq: 5 }),
        ("typing", WidgetMessage::Typing { active: true }),
        ("ended", WidgetMessage::Ended),
        (
            "queue",
            WidgetMessage::Queue {
                position: 3,
                usual_wait_secs: Some(150),
            },
        ),
        (
            "queue_first",
            WidgetMessage::Queue {
                position: 1,
                usual_wait_secs: None,
            },
        ),
        (
            "rejected_message",
            WidgetMessage::rejected(
                WidgetError::TooManyMessages { max: 1000 },
                Some("k9".into()),
                EN,
            ),
        ),
        (
            "rejected_command",
            WidgetMessage::rejected(WidgetError::Malformed, None, EN),
        ),
        (
            "rejected_field",
            WidgetMessage::rejected(
                WidgetError::Invalid(FieldError::new(
                    Field::ChatMessage,
                    Problem::TooManyChars {
                        max: 1500,
                        given: 1501,
                    },
                )),
                Some("k2".into()),
                EN,
            ),
        ),
    ]
}

/// Every command the widget sends.
fn commands() -> Vec<(&'static str, WidgetCommand)> {
    vec![
        ("hello", WidgetCommand::Hello { resume_after: 12 }),
        (
            "send",
            WidgetCommand::Send {
                client_id: "k1".into(),
                text: "Hello".into(),
            },
        ),
        ("typing", WidgetCommand::Typing { active: false }),
        ("end", WidgetCommand::End),
    ]
}

/// The pre-chat form as the widget posts it.
fn prechat() -> PreChatForm {
    PreChatForm {
        name: "Zoé Martin".into(),
        email: "zoe@example.com".into(),
        phone: String::new(),
        problem: Some(1),
        answers: vec![
            Answer {
                field: 3,
                value: "A-1234".into(),
            },
            Answer {
                field: 4,
                value: "Lyon".into(),
            },
        ],
    }
}

fn samples() -> Value {
    let named = |pairs: Vec<(&str, Value)>| {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    };
    json!({
        "version": WIDGET_PROTOCOL_VERSION,
        "other_version_close_code": OTHER_VERSION,
        "server": named(server_messages().into_iter().map(|(k, m)| (k, serde_json::to_value(m).unwrap())).collect()),
        "commands": named(commands().into_iter().map(|(k, c)| (k, serde_json::to_value(c).unwrap())).collect()),
        "config": WidgetConfig {
            problems: vec![
                WidgetProblem { id: 1, label: "Billing question".into(), open: true, opens_at_ms: None },
                // Issue 17: outside its queue's business hours.
                WidgetProblem {
                    id: 2,
                    label: "Returns".into(),
                    open: false,
                    opens_at_ms: Some(1_796_720_400_000),
                },
            ],
            fields: vec![
                PreChatField {
                    id: 3,
                    label: "Order number".into(),
                    kind: FieldKind::Text,
                    required: true,
                    choices: vec![],
                },
                PreChatField {
                    id: 4,
                    label: "Store".into(),
                    kind: FieldKind::Choice,
                    required: false,
                    choices: vec!["Paris".into(), "Lyon".into()],
                },
            ],
            limits: WidgetLimits::current(EN),
            leave_message: true,
        },
        "refusals": {
            "invalid": Refusal::fields("invalid", &[
                FieldError::new(Field::Name, Problem::Required),
                FieldError::new(Field::Email, Problem::InvalidEmail { value: "zoe@".into() }),
                FieldError::new(
                    Field::Answer { id: 3, label: "Order number".into() },
                    Problem::Required,
                ),
            ], EN),
            "queue_full": Refusal::new("queue_full", Reason::QueueFull.message(EN)),
            "no_agent": Refusal::new("no_agent", Reason::NoAgent.message(EN)),
            "closed": Refusal {
                opens_at_ms: Some(1_796_720_400_000),
                ..Refusal::new("closed", Reason::Closed.message(EN))
            },
        },
        "availability": WidgetAvailability {
            open: false,
            opens_at_ms: Some(1_796_720_400_000),
            hide_when_closed: true,
        },
        "left_message": LeftMessage {
            form: Some(prechat()),
            message: "Please call me back about my order.".into(),
            client_id: "k7".into(),
        },
        "left_message_after_wait": LeftMessage {
            form: None,
            message: "Please call me back about my order.".into(),
            client_id: "k8".into(),
        },
        "prechat": prechat(),
    })
}

fn samples_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/widget/protocol.samples.json")
}

#[test]
fn the_widget_samples_are_what_the_rust_types_serialise() {
    let expected = samples();
    let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
    if std::env::var_os("UPDATE_WIDGET_SAMPLES").is_some() {
        std::fs::write(samples_path(), &text).unwrap();
    }
    let stored: Value = serde_json::from_str(
        &std::fs::read_to_string(samples_path()).expect("public/widget/protocol.samples.json"),
    )
    .unwrap();
    assert_eq!(
        stored, expected,
        "the widget's samples differ from the Rust types: if the change is meant, run \
         UPDATE_WIDGET_SAMPLES=1 cargo test -p app --test widget_protocol and update the widget"
    );
}

/// What the widget sends, as the widget's builders write it (the samples), is what the
/// server reads.
#[test]
fn the_widget_commands_are_read_by_the_server() {
    let stored: Value =
        serde_json::from_str(&std::fs::read_to_string(samples_path()).unwrap()).unwrap();
    for (name, command) in commands() {
        let read: WidgetCommand = serde_json::from_value(stored["commands"][name].clone())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(read, command, "{name}");
    }
    let form: PreChatForm = serde_json::from_value(stored["prechat"].clone()).unwrap();
    assert_eq!(form.problem, Some(1));
    assert_eq!(form.answers.len(), 2);
}
