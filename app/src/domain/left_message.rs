//! Issue 17 (SPEC K-4, K-5): a message the customer leaves in the widget when no agent can
//! take the chat (none of the CSQ logged in, the queue full, or none joined in time). It
//! becomes an email contact of a mailbox, answered like any email, and the customer gets an
//! acknowledgement by email.

use super::{
    limits::MAX_LEFT_MESSAGE_CHARS,
    prechat::{Detail, PreChatForm},
    validate::{validate_client_id, validate_required_text, Field, FieldError},
};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};

/// What the widget posts to `/widget/api/message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftMessage {
    /// The pre-chat form, when the message is left instead of starting a chat; none after
    /// the join timeout, when the waiting chat the widget's cookie holds gives the details.
    #[serde(default)]
    pub form: Option<PreChatForm>,
    pub message: String,
    /// The widget's own id for this message: sent again after a lost answer, it is stored
    /// once.
    pub client_id: String,
}

impl LeftMessage {
    /// The message and its id (the form is checked against the administrator's fields by
    /// the server, as a chat's start is).
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let errors: Vec<FieldError> = [
            validate_required_text(Field::LeftMessage, &self.message, MAX_LEFT_MESSAGE_CHARS),
            validate_client_id(&self.client_id),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The email the agent reads: the customer's words, then what the form told besides the
/// name and address (the phone, the administrator's questions), one per line, under the
/// usual signature separator so a reply's quote can leave them out.
pub fn email_text(
    message: &str,
    phone: Option<&str>,
    details: &[Detail],
    locale: Locale,
) -> String {
    let mut text = message.trim().replace("\r\n", "\n");
    let mut told: Vec<String> = Vec::new();
    if let Some(phone) = phone.filter(|p| !p.trim().is_empty()) {
        told.push(format!("{}: {}", Field::Phone.label(locale), phone.trim()));
    }
    told.extend(details.iter().map(|d| format!("{}: {}", d.label, d.value)));
    if !told.is_empty() {
        text.push_str("\n\n-- \n");
        text.push_str(&told.join("\n"));
    }
    text
}

/// The acknowledgement the customer gets by email, in their language: its subject and
/// text, signed with the business's name. It repeats nothing the sender typed (not their
/// name, not their words): whoever typed an address cannot make the business's mailbox
/// write their words to it.
pub fn acknowledgement(locale: Locale, subject: &str, business: &str) -> (String, String) {
    (
        td_string!(locale, system.left_message.ack_subject, subject = subject).to_string(),
        td_string!(
            locale,
            system.left_message.ack_body,
            subject = subject,
            business = business
        )
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::Problem;

    fn left(message: &str, client_id: &str) -> LeftMessage {
        LeftMessage {
            form: None,
            message: message.into(),
            client_id: client_id.into(),
        }
    }

    /// K-4: the agent reads the customer's words first, then the phone and answers; the
    /// acknowledgement, in the customer's language, repeats none of what they typed.
    #[test]
    fn k4_the_email_and_its_acknowledgement_carry_the_customers_words() {
        let details = [Detail {
            label: "Order number".into(),
            value: "A-1042".into(),
        }];
        assert_eq!(
            email_text(
                "My parcel is late\r\nPlease help ",
                Some("+44 20 7946 0958"),
                &details,
                Locale::en
            ),
            "My parcel is late\nPlease help\n\n-- \nPhone: +44 20 7946 0958\nOrder number: A-1042"
        );
        assert_eq!(email_text("Hi", None, &[], Locale::en), "Hi");
        let (subject, body) = acknowledgement(Locale::fr, "Livraison", "Acme");
        assert_eq!(
            subject,
            "Nous avons bien reçu votre message\u{a0}: Livraison"
        );
        assert!(body.starts_with("Bonjour,"), "{body}");
        assert!(body.contains("«\u{a0}Livraison\u{a0}»"), "{body}");
        assert!(body.ends_with("Acme"), "{body}");
    }

    /// K-4: a blank or over-long message and a missing id are each refused by field.
    #[test]
    fn k4_a_left_message_is_checked_by_field() {
        assert_eq!(left("Please call me back", "k1abcdefgh").check(), Ok(()));
        let errors = left("   ", "").check().unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.field.clone()).collect::<Vec<_>>(),
            [Field::LeftMessage, Field::ClientId]
        );
        assert_eq!(errors[0].problem, Problem::Required);
        let long = "é".repeat(MAX_LEFT_MESSAGE_CHARS + 1);
        assert_eq!(
            left(&long, "k1abcdefgh").check().unwrap_err()[0].problem,
            Problem::TooManyChars {
                max: MAX_LEFT_MESSAGE_CHARS,
                given: MAX_LEFT_MESSAGE_CHARS + 1
            }
        );
    }
}
