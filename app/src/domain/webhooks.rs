//! Outgoing webhooks (issue 17): what a CRM is told as it happens. The event names are the
//! documented contract (README "Webhooks"): a new event gets a new name, an old one keeps
//! its meaning.

use super::{
    gadget_hosts,
    ids::WebhookId,
    limits::{MAX_WEBHOOK_NAME_CHARS, MAX_WEBHOOK_URL_CHARS},
    problem::Problem,
    validate::{validate_required_text, Field, FieldError},
};
use serde::{Deserialize, Serialize};

/// The example a refused address is shown.
pub const URL_EXAMPLE: &str = "https://crm.example.com/hooks/switchboard";

/// Something a webhook may want to hear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookEvent {
    /// A chat or email conversation began (a customer wrote, or a CRM started an email).
    #[serde(rename = "conversation.started")]
    ConversationStarted,
    /// An agent took the conversation (accepted a chat, was given an email).
    #[serde(rename = "conversation.assigned")]
    ConversationAssigned,
    /// A line of a chat: the customer's, an agent's, or what happened.
    #[serde(rename = "conversation.message")]
    ConversationMessage,
    /// The conversation ended, with the wrap-up reasons chosen.
    #[serde(rename = "conversation.ended")]
    ConversationEnded,
    /// A customer's email came in.
    #[serde(rename = "email.received")]
    EmailReceived,
    /// The mail server took an email to a customer.
    #[serde(rename = "email.sent")]
    EmailSent,
    /// A customer's record changed: added, edited, merged, noted or tagged.
    #[serde(rename = "customer.updated")]
    CustomerUpdated,
}

impl WebhookEvent {
    /// Every event, in the order the administration lists them.
    pub const ALL: [WebhookEvent; 7] = [
        WebhookEvent::ConversationStarted,
        WebhookEvent::ConversationAssigned,
        WebhookEvent::ConversationMessage,
        WebhookEvent::ConversationEnded,
        WebhookEvent::EmailReceived,
        WebhookEvent::EmailSent,
        WebhookEvent::CustomerUpdated,
    ];

    /// The event's name on the wire (the `Switchboard-Event` header, the body's `event`).
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::ConversationStarted => "conversation.started",
            WebhookEvent::ConversationAssigned => "conversation.assigned",
            WebhookEvent::ConversationMessage => "conversation.message",
            WebhookEvent::ConversationEnded => "conversation.ended",
            WebhookEvent::EmailReceived => "email.received",
            WebhookEvent::EmailSent => "email.sent",
            WebhookEvent::CustomerUpdated => "customer.updated",
        }
    }

    pub fn parse(name: &str) -> Option<WebhookEvent> {
        WebhookEvent::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// Whether the event is about a conversation (else about a customer): what keeps its
    /// deliveries in order.
    pub fn of_conversation(self) -> bool {
        !matches!(self, WebhookEvent::CustomerUpdated)
    }
}

/// A webhook as the administrator sets it up (the secret is the server's to make).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEdit {
    pub name: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
}

impl WebhookEdit {
    /// Every problem, by field: a name (at most [`MAX_WEBHOOK_NAME_CHARS`]), an address
    /// [`webhook_url`] takes, at least one event.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Err(e) =
            validate_required_text(Field::WebhookName, &self.name, MAX_WEBHOOK_NAME_CHARS)
        {
            errors.push(e);
        }
        if let Err(problem) = webhook_url(&self.url) {
            errors.push(FieldError::new(Field::WebhookUrl, problem));
        }
        if self.events.is_empty() {
            errors.push(FieldError::new(Field::WebhookEvents, Problem::Required));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// As stored: trimmed, the events in the administration's order, each once.
    pub fn tidy(&self) -> WebhookEdit {
        WebhookEdit {
            name: self.name.trim().to_string(),
            url: self.url.trim().to_string(),
            events: WebhookEvent::ALL
                .into_iter()
                .filter(|e| self.events.contains(e))
                .collect(),
        }
    }
}

/// Where deliveries may go: `https://` with a host (and port, path, query), or `http://` to
/// this machine only (a receiver tried out locally); bodies carry customers' data, so
/// never in clear across a network. At most [`MAX_WEBHOOK_URL_CHARS`] characters, no
/// spaces.
pub fn webhook_url(url: &str) -> Result<(), Problem> {
    let url = url.trim();
    if url.is_empty() {
        return Err(Problem::Required);
    }
    let given = url.chars().count();
    if given > MAX_WEBHOOK_URL_CHARS {
        return Err(Problem::TooManyChars {
            max: MAX_WEBHOOK_URL_CHARS,
            given,
        });
    }
    let not_like = || Problem::NotLike {
        example: URL_EXAMPLE.into(),
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(not_like)?;
    let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(cut);
    if host.contains('@')
        || path.contains('#')
        || !path.chars().all(|c| c.is_ascii_graphic())
        || gadget_hosts::normalize(&format!("{scheme}://{host}")).is_none()
    {
        return Err(not_like());
    }
    Ok(())
}

/// A webhook as the administration lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSummary {
    pub id: WebhookId,
    pub name: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub created_at_ms: i64,
    /// Set while paused: nothing is sent, what happens meanwhile still waits for it.
    pub paused_at_ms: Option<i64>,
    /// Deliveries waiting (being retried included).
    pub waiting: u32,
    /// Deliveries given up.
    pub failed: u32,
}

/// A webhook just added, with its secret: the only time anyone reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedWebhook {
    pub webhook: WebhookSummary,
    pub secret: String,
}

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not received yet: sent at `next_attempt_at_ms` (again, when it has been tried).
    Waiting,
    Delivered,
    /// Tried for a day, never received.
    Failed,
}

/// One line of a webhook's delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverySummary {
    pub id: i64,
    /// The event's id, as the body gives it.
    pub event_id: i64,
    /// The event's name (one a newer release wrote may be unknown here).
    pub event: String,
    /// `conversation:<id>` or `customer:<id>`.
    pub subject: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at_ms: i64,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<u16>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub done_at_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_reads_back_from_its_name_and_serializes_as_it() {
        for event in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(event.as_str()), Some(event));
            assert_eq!(
                serde_json::to_string(&event).unwrap(),
                format!("\"{}\"", event.as_str())
            );
        }
        assert_eq!(WebhookEvent::parse("conversation.Started"), None);
    }

    #[test]
    fn a_webhook_goes_over_https_or_to_this_machine() {
        for good in [
            "https://crm.example.com/hooks/switchboard",
            "https://crm.example.com:8443/in?source=switchboard&x=1",
            "https://crm.example.com",
            "http://127.0.0.1:9000/hook",
            "http://localhost:8080/",
        ] {
            assert_eq!(webhook_url(good), Ok(()), "{good}");
        }
        for bad in [
            "http://crm.example.com/hook",
            "ftp://crm.example.com/",
            "crm.example.com/hook",
            "https://user:pw@crm.example.com/",
            "https://crm.example.com/a b",
            "https://crm.example.com/#frag",
            "https:///path",
        ] {
            assert!(
                matches!(webhook_url(bad), Err(Problem::NotLike { .. })),
                "{bad}"
            );
        }
        assert_eq!(webhook_url("  "), Err(Problem::Required));
        let long = format!(
            "https://crm.example.com/{}",
            "a".repeat(MAX_WEBHOOK_URL_CHARS)
        );
        assert!(matches!(
            webhook_url(&long),
            Err(Problem::TooManyChars { .. })
        ));
    }

    #[test]
    fn a_webhook_needs_a_name_an_address_and_an_event_each_named() {
        let edit = WebhookEdit {
            name: " ".into(),
            url: "http://crm.example.com".into(),
            events: vec![],
        };
        let fields: Vec<Field> = edit
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec![Field::WebhookName, Field::WebhookUrl, Field::WebhookEvents]
        );
        let tidy = WebhookEdit {
            name: " CRM ".into(),
            url: " https://crm.example.com/in ".into(),
            events: vec![
                WebhookEvent::CustomerUpdated,
                WebhookEvent::ConversationStarted,
                WebhookEvent::CustomerUpdated,
            ],
        }
        .tidy();
        assert_eq!(tidy.name, "CRM");
        assert_eq!(tidy.url, "https://crm.example.com/in");
        assert_eq!(
            tidy.events,
            vec![
                WebhookEvent::ConversationStarted,
                WebhookEvent::CustomerUpdated
            ]
        );
        assert_eq!(tidy.check(), Ok(()));
    }
}
