//! Issue 17: an email a CRM starts through the API, to a customer, from the mailbox of a
//! queue: what it must hold, and its text as it leaves (the mailbox's signature under it,
//! as under an agent's reply, SPEC R-5).

use super::{
    limits::{MAX_API_EMAIL_BODY_CHARS, MAX_API_EMAIL_SUBJECT_CHARS},
    validate::{validate_client_id, validate_required_text, Field, FieldError},
};

/// The subject and the body (both required, within their limits), and the caller's own id
/// for the email when it gives one; every field at fault at once.
pub fn check_outbound(
    subject: &str,
    body: &str,
    client_id: Option<&str>,
) -> Result<(), Vec<FieldError>> {
    let one_line = subject
        .contains(['\r', '\n'])
        .then(|| FieldError::new(Field::Subject, super::problem::Problem::OneLine));
    let errors: Vec<FieldError> = [
        validate_required_text(Field::Subject, subject, MAX_API_EMAIL_SUBJECT_CHARS).err(),
        one_line,
        validate_required_text(Field::Body, body, MAX_API_EMAIL_BODY_CHARS).err(),
        client_id.and_then(|id| validate_client_id(id).err()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The body as it leaves: trimmed, line ends as `\n`, then the mailbox's signature (as
/// plain text) under the usual separator.
pub fn outbound_text(body: &str, signature: Option<&str>) -> String {
    let mut text = body.trim().replace("\r\n", "\n");
    if let Some(signature) = signature.map(str::trim).filter(|s| !s.is_empty()) {
        text.push_str("\n\n-- \n");
        text.push_str(signature);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{problem::Problem, validate::problems};

    /// Issue 17: a blank subject and body are refused by field, a subject of two lines too
    /// (it would be a second header), a body over the limit names it, a bad id is said.
    #[test]
    fn an_outbound_email_needs_a_subject_and_a_body_within_limits() {
        assert_eq!(
            check_outbound("Your refund", "It is on its way.", Some("crm-42")),
            Ok(())
        );
        assert_eq!(
            problems(check_outbound(" ", "", None)),
            [
                (Field::Subject, Problem::Required),
                (Field::Body, Problem::Required)
            ]
        );
        assert_eq!(
            problems(check_outbound("Hi\r\nBcc: x@y.z", "ok", None)),
            [(Field::Subject, Problem::OneLine)]
        );
        let long = "a".repeat(MAX_API_EMAIL_BODY_CHARS + 1);
        assert_eq!(
            problems(check_outbound("Hi", &long, Some("no spaces"))),
            [
                (
                    Field::Body,
                    Problem::TooManyChars {
                        max: MAX_API_EMAIL_BODY_CHARS,
                        given: MAX_API_EMAIL_BODY_CHARS + 1
                    }
                ),
                (Field::ClientId, Problem::InvalidClientId),
            ]
        );
    }

    #[test]
    fn the_signature_goes_under_the_body() {
        assert_eq!(
            outbound_text("  Hello,\r\nit is sent.\n", Some("Shop Support\n")),
            "Hello,\nit is sent.\n\n-- \nShop Support"
        );
        assert_eq!(outbound_text("Hello", Some("  ")), "Hello");
        assert_eq!(outbound_text("Hello", None), "Hello");
    }
}
