//! Canned responses: prepared texts an agent inserts in a chat (SPEC P-3) or appends to an
//! email reply (SPEC R-3). Chat ones are plain text, email ones HTML (the server sanitizes
//! them on save as it does replies). Each is global or belongs to one CSQ: an agent sees,
//! on a contact, the global ones and those of the contact's CSQ. The administrators' rules
//! are checked here, by the page as they type and by the server again.

use super::{
    contact::ContactKind,
    ids::{CannedResponseId, CsqId},
    limits::{
        MAX_CANNED_EMAIL_BODY_BYTES, MAX_CANNED_RESPONSES, MAX_CANNED_TITLE_CHARS,
        MAX_CHAT_MESSAGE_CHARS,
    },
    validate::{all_or_errors, same_text, validate_required_text, Field, FieldError, Problem},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    pub id: CannedResponseId,
    /// Chat responses are plain text; email responses are HTML.
    pub kind: ContactKind,
    pub title: String,
    pub body: String,
    /// The CSQ whose contacts offer it; none: every contact of its kind.
    #[serde(default)]
    pub csq: Option<CsqId>,
}

impl CannedResponse {
    /// Whether a contact of `csq` offers it (SPEC R-3).
    pub fn applies_to(&self, csq: CsqId) -> bool {
        self.csq.is_none_or(|c| c == csq)
    }
}

/// The responses a contact of `csq` offers, in the list's order.
pub fn offered(all: &[CannedResponse], csq: CsqId) -> Vec<CannedResponse> {
    all.iter().filter(|c| c.applies_to(csq)).cloned().collect()
}

/// What the administrator saves: a new response (`id` none) or a change to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedEdit {
    pub id: Option<CannedResponseId>,
    pub kind: ContactKind,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub csq: Option<CsqId>,
}

impl CannedEdit {
    /// Every problem the page can see: a title of 1 to 80 characters, unique ignoring case
    /// among the responses of the same kind and scope (two identical titles in one list
    /// would be ambiguous); a body with something to read, a chat one no longer than a chat
    /// message may be, an email one at most 256 KB; at most 200 responses of a kind; a CSQ
    /// among `csqs` (id, retired) that is not retired, unless it already had it.
    pub fn validate(
        &self,
        existing: &[CannedResponse],
        csqs: &[(CsqId, bool)],
    ) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if let Err(e) = validate_required_text(Field::CannedTitle, title, MAX_CANNED_TITLE_CHARS) {
            errors.push(e);
        } else if existing.iter().any(|c| {
            Some(c.id) != self.id
                && c.kind == self.kind
                && c.csq == self.csq
                && same_text(&c.title, title)
        }) {
            errors.push(FieldError::new(
                Field::CannedTitle,
                Problem::Duplicate {
                    value: title.to_string(),
                },
            ));
        }
        if let Err(e) = self.check_body() {
            errors.push(e);
        }
        let was = existing.iter().find(|c| Some(c.id) == self.id);
        if let Some(csq) = self.csq {
            match csqs.iter().find(|(id, _)| *id == csq) {
                None => errors.push(FieldError::new(
                    Field::Csqs,
                    Problem::UnknownId { id: csq.0 },
                )),
                Some((_, true)) if was.is_none_or(|w| w.csq != Some(csq)) => {
                    errors.push(FieldError::new(Field::Csqs, Problem::Retired))
                }
                Some(_) => {}
            }
        }
        let of_kind = existing.iter().filter(|c| c.kind == self.kind).count();
        if self.id.is_none() && of_kind >= MAX_CANNED_RESPONSES {
            errors.push(FieldError::new(
                Field::CannedTitle,
                Problem::TooManyItems {
                    max: MAX_CANNED_RESPONSES,
                    given: of_kind + 1,
                },
            ));
        }
        all_or_errors(errors)
    }

    fn check_body(&self) -> Result<(), FieldError> {
        match self.kind {
            ContactKind::Chat => {
                validate_required_text(Field::CannedBody, &self.body, MAX_CHAT_MESSAGE_CHARS)
            }
            ContactKind::Email => {
                let given = self.body.len() as u64;
                if given > MAX_CANNED_EMAIL_BODY_BYTES {
                    Err(FieldError::new(
                        Field::CannedBody,
                        Problem::TooLarge {
                            max_bytes: MAX_CANNED_EMAIL_BODY_BYTES,
                            given_bytes: given,
                        },
                    ))
                } else if !html_has_content(&self.body) {
                    Err(FieldError::new(Field::CannedBody, Problem::Required))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The edit with its title trimmed (a chat body keeps its own spacing but not the
    /// blank lines around it).
    pub fn normalized(self) -> Self {
        CannedEdit {
            title: self.title.trim().to_string(),
            body: match self.kind {
                ContactKind::Chat => self.body.trim().to_string(),
                ContactKind::Email => self.body,
            },
            ..self
        }
    }
}

/// Whether HTML shows something: text outside its tags, or an image.
pub fn html_has_content(html: &str) -> bool {
    let mut inside = false;
    let mut text = String::new();
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => text.push(c),
            _ => {}
        }
    }
    let text = text.replace("&nbsp;", " ").replace('\u{a0}', " ");
    !text.trim().is_empty() || html.to_ascii_lowercase().contains("<img")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::problems;

    fn response(id: i64, kind: ContactKind, title: &str, csq: Option<i64>) -> CannedResponse {
        CannedResponse {
            id: CannedResponseId(id),
            kind,
            title: title.into(),
            body: "Hello".into(),
            csq: csq.map(CsqId),
        }
    }

    fn edit(kind: ContactKind, title: &str, body: &str, csq: Option<i64>) -> CannedEdit {
        CannedEdit {
            id: None,
            kind,
            title: title.into(),
            body: body.into(),
            csq: csq.map(CsqId),
        }
    }

    const CSQS: &[(CsqId, bool)] = &[(CsqId(1), false), (CsqId(2), true)];

    #[test]
    fn r3_a_contact_offers_the_global_responses_and_those_of_its_csq() {
        let all = vec![
            response(1, ContactKind::Chat, "Global", None),
            response(2, ContactKind::Chat, "Billing", Some(1)),
            response(3, ContactKind::Chat, "Sales", Some(3)),
        ];
        let titles: Vec<String> = offered(&all, CsqId(1))
            .into_iter()
            .map(|c| c.title)
            .collect();
        assert_eq!(titles, ["Global", "Billing"]);
        assert_eq!(offered(&all, CsqId(9)).len(), 1);
    }

    #[test]
    fn d2_title_and_body_are_required_and_bounded() {
        let e = edit(ContactKind::Chat, " ", " \n", None);
        assert_eq!(
            problems(e.validate(&[], CSQS)),
            [
                (Field::CannedTitle, Problem::Required),
                (Field::CannedBody, Problem::Required)
            ]
        );
        let long = "x".repeat(MAX_CHAT_MESSAGE_CHARS + 1);
        let e = edit(ContactKind::Chat, &"t".repeat(81), &long, None);
        assert_eq!(
            problems(e.validate(&[], CSQS)),
            [
                (
                    Field::CannedTitle,
                    Problem::TooManyChars { max: 80, given: 81 }
                ),
                (
                    Field::CannedBody,
                    Problem::TooManyChars {
                        max: MAX_CHAT_MESSAGE_CHARS,
                        given: MAX_CHAT_MESSAGE_CHARS + 1
                    }
                )
            ]
        );
        let empty_html = edit(ContactKind::Email, "Thanks", "<p>&nbsp;</p><br>", None);
        assert_eq!(
            problems(empty_html.validate(&[], CSQS)),
            [(Field::CannedBody, Problem::Required)]
        );
        let image = edit(
            ContactKind::Email,
            "Logo",
            "<p><img src=\"https://x/y.png\"></p>",
            None,
        );
        assert!(image.validate(&[], CSQS).is_ok());
        let big = edit(
            ContactKind::Email,
            "Big",
            &format!(
                "<p>{}</p>",
                "x".repeat(MAX_CANNED_EMAIL_BODY_BYTES as usize)
            ),
            None,
        );
        assert!(matches!(
            problems(big.validate(&[], CSQS))[..],
            [(Field::CannedBody, Problem::TooLarge { .. })]
        ));
    }

    #[test]
    fn d2_a_title_is_unique_within_its_kind_and_scope() {
        let all = vec![response(1, ContactKind::Chat, "Greeting", None)];
        let same = edit(ContactKind::Chat, "greeting ", "Hi", None);
        assert_eq!(
            problems(same.validate(&all, CSQS)),
            [(
                Field::CannedTitle,
                Problem::Duplicate {
                    value: "greeting".into()
                }
            )]
        );
        assert!(edit(ContactKind::Email, "Greeting", "<p>Hi</p>", None)
            .validate(&all, CSQS)
            .is_ok());
        assert!(edit(ContactKind::Chat, "Greeting", "Hi", Some(1))
            .validate(&all, CSQS)
            .is_ok());
        let itself = CannedEdit {
            id: Some(CannedResponseId(1)),
            ..same
        };
        assert!(itself.validate(&all, CSQS).is_ok());
    }

    #[test]
    fn d2_a_response_goes_to_a_csq_that_takes_contacts() {
        assert_eq!(
            problems(edit(ContactKind::Chat, "A", "B", Some(7)).validate(&[], CSQS)),
            [(Field::Csqs, Problem::UnknownId { id: 7 })]
        );
        assert_eq!(
            problems(edit(ContactKind::Chat, "A", "B", Some(2)).validate(&[], CSQS)),
            [(Field::Csqs, Problem::Retired)]
        );
        // One that already belonged to it keeps it.
        let all = vec![response(4, ContactKind::Chat, "A", Some(2))];
        let kept = CannedEdit {
            id: Some(CannedResponseId(4)),
            ..edit(ContactKind::Chat, "A", "New body", Some(2))
        };
        assert!(kept.validate(&all, CSQS).is_ok());
    }

    #[test]
    fn d2_at_most_two_hundred_of_a_kind() {
        let all: Vec<CannedResponse> = (0..MAX_CANNED_RESPONSES as i64)
            .map(|i| response(i, ContactKind::Chat, &format!("R{i}"), None))
            .collect();
        assert_eq!(
            problems(edit(ContactKind::Chat, "One more", "B", None).validate(&all, CSQS)),
            [(
                Field::CannedTitle,
                Problem::TooManyItems {
                    max: MAX_CANNED_RESPONSES,
                    given: MAX_CANNED_RESPONSES + 1
                }
            )]
        );
        assert!(edit(ContactKind::Email, "One more", "<p>B</p>", None)
            .validate(&all, CSQS)
            .is_ok());
    }
}
