//! What every HTTP route of the server answers when it refuses a request, in one JSON shape
//! whoever asks (the widget, the reply editor, a program): a stable code for programs, a
//! sentence for people, and each field with its problem so a form marks the right input.

use super::validate::{Field, FieldError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// A stable code: `invalid`, `too_large`, `malformed`, `not_signed_in`, `not_found`,
    /// `too_many_requests`, `queue_full`, `unavailable` or `internal`.
    pub error: String,
    /// What a person reads (never the detail of an internal error).
    pub message: String,
    /// Each input at fault with its own message, in the order of the form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldRefusal>,
}

/// One input at fault: the form's name for it (`email`, `cc`, `attachment`...) and the
/// message naming the field and the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRefusal {
    pub field: String,
    pub message: String,
}

impl Field {
    /// The name a form gives this input: the serialised variant (`email`, `chat_message`,
    /// `attachment`...), or `answer-<id>` for an answer to a pre-chat question (one input
    /// per question).
    pub fn key(&self) -> String {
        if let Field::Answer { id, .. } = self {
            return format!("answer-{id}");
        }
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => name,
            // A variant with data (`{"attachment": "plan.pdf"}`): its name is the one key.
            Ok(serde_json::Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

impl Refusal {
    pub fn new(error: &str, message: impl Into<String>) -> Self {
        Refusal {
            error: error.to_string(),
            message: message.into(),
            errors: Vec::new(),
        }
    }

    /// Field errors: every message in one sentence, and each field on its own.
    pub fn fields(error: &str, errors: &[FieldError]) -> Self {
        Refusal {
            error: error.to_string(),
            message: errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            errors: errors
                .iter()
                .map(|e| FieldRefusal {
                    field: e.field.key(),
                    message: e.to_string(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::Problem;

    #[test]
    fn field_errors_keep_each_field_and_join_their_messages() {
        let refusal = Refusal::fields(
            "invalid",
            &[
                FieldError::new(Field::Name, Problem::Required),
                FieldError::new(Field::Attachment("a.pdf".into()), Problem::Required),
            ],
        );
        let keys: Vec<_> = refusal.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(keys, ["name", "attachment"]);
        assert_eq!(
            refusal.message,
            format!(
                "{} {}",
                refusal.errors[0].message, refusal.errors[1].message
            )
        );
        let json = serde_json::to_value(Refusal::new("internal", "Something went wrong.")).unwrap();
        assert!(json.get("errors").is_none(), "no empty list: {json}");
    }
}
