//! The pre-chat form's own fields (SPEC K-2, O-2). Besides name, email, phone and the
//! problem statement, the administrator adds fields of four kinds (text, email, phone, a
//! choice among options), each labelled, required or optional, in order. The widget shows
//! them; the customer's answers are checked here (the server checks whatever the widget
//! sent) and travel with the chat into the agent's offer and the contact's details.

use super::{
    limits::{
        MAX_CUSTOMER_NAME_CHARS, MAX_PRECHAT_ANSWER_CHARS, MAX_PRECHAT_CHOICES, MAX_PRECHAT_FIELDS,
        MAX_PRECHAT_LABEL_CHARS,
    },
    validate::{
        all_or_errors, char_count, is_valid_email, phone_problem, same_text,
        validate_required_text, Field, FieldError, Problem,
    },
};
use serde::{Deserialize, Serialize};

/// What a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    #[default]
    Text,
    Email,
    Phone,
    Choice,
}

impl FieldKind {
    pub const ALL: [FieldKind; 4] = [
        FieldKind::Text,
        FieldKind::Email,
        FieldKind::Phone,
        FieldKind::Choice,
    ];

    /// The name stored and sent (`text`, `email`, `phone`, `choice`).
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Email => "email",
            FieldKind::Phone => "phone",
            FieldKind::Choice => "choice",
        }
    }

    pub fn parse(s: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// As the administration's list names it.
    pub fn title(self, locale: crate::i18n::Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            FieldKind::Text => td_string!(locale, common.field_kinds.text),
            FieldKind::Email => td_string!(locale, common.field_kinds.email),
            FieldKind::Phone => td_string!(locale, common.field_kinds.phone),
            FieldKind::Choice => td_string!(locale, common.field_kinds.choice),
        }
    }
}

/// A field as the widget shows it and the administration lists it, in the form's order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PreChatField {
    pub id: i64,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    /// The options of a choice, in order (empty for the other kinds).
    #[serde(default)]
    pub choices: Vec<String>,
}

/// A field as the administrator saves it: `id` none for a new one (added last).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PreChatFieldEdit {
    pub id: Option<i64>,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    #[serde(default)]
    pub choices: Vec<String>,
}

/// What a customer fills in before a chat starts (SPEC K-2), as `/widget/api/start` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PreChatForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    /// The id of the problem statement picked from the administrator's list.
    pub problem: Option<i64>,
    /// The answers to the administrator's own questions (none from a widget that predates
    /// them: a required question is then refused by name).
    #[serde(default)]
    pub answers: Vec<Answer>,
}

impl PreChatForm {
    /// SPEC K-2: the whole form: name and email required, phone optional, a problem
    /// statement picked, and the answers to `fields` (see [`check_answers`]). Every problem
    /// is reported at once, so the widget marks each input; the details the agent reads
    /// otherwise.
    pub fn check(&self, fields: &[PreChatField]) -> Result<Vec<Detail>, Vec<FieldError>> {
        let mut errors = self.contact_problems();
        match check_answers(fields, &self.answers) {
            Ok(details) if errors.is_empty() => Ok(details),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        }
    }

    fn contact_problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        let given = char_count(name);
        if name.is_empty() {
            errors.push(FieldError::new(Field::Name, Problem::Required));
        } else if given > MAX_CUSTOMER_NAME_CHARS {
            errors.push(FieldError::new(
                Field::Name,
                Problem::TooManyChars {
                    max: MAX_CUSTOMER_NAME_CHARS,
                    given,
                },
            ));
        }
        let email = self.email.trim();
        if email.is_empty() {
            errors.push(FieldError::new(Field::Email, Problem::Required));
        } else if !is_valid_email(email) {
            errors.push(FieldError::new(
                Field::Email,
                Problem::InvalidEmail {
                    value: email.to_string(),
                },
            ));
        }
        if let Some(problem) = phone_problem(self.phone.trim()) {
            errors.push(FieldError::new(Field::Phone, problem));
        }
        if self.problem.is_none() {
            errors.push(FieldError::new(Field::Problem, Problem::Required));
        }
        errors
    }
}

/// One answer of a customer, to the field `field`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub field: i64,
    pub value: String,
}

/// An answer as the agent reads it: the field's label when the chat started, and the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub label: String,
    pub value: String,
}

impl PreChatField {
    /// One line for the audit: `"Store": choice (Paris, Lyon), optional`.
    pub fn describe(&self) -> String {
        let choices = if self.choices.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.choices.join(", "))
        };
        let required = if self.required {
            "required"
        } else {
            "optional"
        };
        format!(
            "{:?}: {}{choices}, {required}",
            self.label,
            self.kind.as_str()
        )
    }
}

impl PreChatFieldEdit {
    /// The field this edit would store under `id`.
    pub fn as_field(&self, id: i64) -> PreChatField {
        PreChatField {
            id,
            label: self.label.clone(),
            kind: self.kind,
            required: self.required,
            choices: self.choices.clone(),
        }
    }

    /// Trimmed, blank options dropped, and no options on a field that is not a choice.
    pub fn normalized(self) -> Self {
        let choices = match self.kind {
            FieldKind::Choice => self
                .choices
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            _ => Vec::new(),
        };
        PreChatFieldEdit {
            label: self.label.trim().to_string(),
            choices,
            ..self
        }
    }

    /// The administrator's rules: a label of 1 to 60 characters, unique ignoring case among
    /// `all` (every field now); a choice has 1 to 20 different options of 1 to 60
    /// characters; at most 10 fields. Call on a [`Self::normalized`] edit.
    pub fn validate(&self, all: &[PreChatField]) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let others = || all.iter().filter(|o| Some(o.id) != self.id);
        if let Err(e) =
            validate_required_text(Field::FieldLabel, &self.label, MAX_PRECHAT_LABEL_CHARS)
        {
            errors.push(e);
        } else if others().any(|o| same_text(&o.label, &self.label)) {
            errors.push(FieldError::new(
                Field::FieldLabel,
                Problem::Duplicate {
                    value: self.label.clone(),
                },
            ));
        }
        if self.id.is_none() && all.len() >= MAX_PRECHAT_FIELDS {
            errors.push(FieldError::new(
                Field::FieldLabel,
                Problem::TooManyItems {
                    max: MAX_PRECHAT_FIELDS,
                    given: all.len() + 1,
                },
            ));
        }
        if self.kind == FieldKind::Choice {
            errors.extend(choice_problems(&self.choices));
        }
        all_or_errors(errors)
    }
}

fn choice_problems(choices: &[String]) -> Vec<FieldError> {
    let problem = |p| FieldError::new(Field::Choices, p);
    if choices.is_empty() {
        return vec![problem(Problem::Required)];
    }
    if choices.len() > MAX_PRECHAT_CHOICES {
        return vec![problem(Problem::TooManyItems {
            max: MAX_PRECHAT_CHOICES,
            given: choices.len(),
        })];
    }
    let mut errors = Vec::new();
    for (i, choice) in choices.iter().enumerate() {
        let given = char_count(choice);
        if given > MAX_PRECHAT_LABEL_CHARS {
            errors.push(problem(Problem::TooManyChars {
                max: MAX_PRECHAT_LABEL_CHARS,
                given,
            }));
        } else if choices[..i].iter().any(|c| same_text(c, choice)) {
            errors.push(problem(Problem::Duplicate {
                value: choice.clone(),
            }));
        }
    }
    errors
}

/// SPEC K-2: the customer's answers to the administrator's fields: each required one
/// answered, each answer of its kind (an address, a phone number, one of the options, text
/// of at most 200 characters). Returns the details as the agent reads them, in the fields'
/// order, unanswered optional ones left out. An answer to a field deleted since the form
/// was loaded is dropped (the customer could not correct it); errors name each field by its
/// label.
pub fn check_answers(
    fields: &[PreChatField],
    answers: &[Answer],
) -> Result<Vec<Detail>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut details = Vec::new();
    for field in fields {
        let value = answers
            .iter()
            .find(|a| a.field == field.id)
            .map_or("", |a| a.value.trim());
        let name = || Field::Answer {
            id: field.id,
            label: field.label.clone(),
        };
        if value.is_empty() {
            if field.required {
                errors.push(FieldError::new(name(), Problem::Required));
            }
            continue;
        }
        match answer_problem(field, value) {
            Some(p) => errors.push(FieldError::new(name(), p)),
            None => details.push(Detail {
                label: field.label.clone(),
                value: value.to_string(),
            }),
        }
    }
    all_or_errors(errors).map(|()| details)
}

fn answer_problem(field: &PreChatField, value: &str) -> Option<Problem> {
    match field.kind {
        FieldKind::Text => {
            let given = char_count(value);
            (given > MAX_PRECHAT_ANSWER_CHARS).then_some(Problem::TooManyChars {
                max: MAX_PRECHAT_ANSWER_CHARS,
                given,
            })
        }
        FieldKind::Email => (!is_valid_email(value)).then(|| Problem::InvalidEmail {
            value: value.to_string(),
        }),
        FieldKind::Phone => phone_problem(value),
        FieldKind::Choice => {
            (!field.choices.iter().any(|c| c == value)).then_some(Problem::NoLongerOffered)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::problems;

    fn field(id: i64, label: &str, kind: FieldKind, required: bool) -> PreChatField {
        PreChatField {
            id,
            label: label.into(),
            kind,
            required,
            choices: if kind == FieldKind::Choice {
                vec!["Paris".into(), "Lyon".into()]
            } else {
                Vec::new()
            },
        }
    }

    fn answer(field: i64, value: &str) -> Answer {
        Answer {
            field,
            value: value.into(),
        }
    }

    fn form() -> Vec<PreChatField> {
        vec![
            field(1, "Order number", FieldKind::Text, true),
            field(2, "Work email", FieldKind::Email, false),
            field(3, "Mobile", FieldKind::Phone, false),
            field(4, "Store", FieldKind::Choice, true),
        ]
    }

    /// SPEC K-2: each missing or wrong field of the pre-chat form is named.
    #[test]
    fn pre_chat_form_reports_every_field() {
        let errors = PreChatForm {
            name: " ".into(),
            email: "nope".into(),
            phone: "call me".into(),
            problem: None,
            answers: vec![],
        }
        .check(&[])
        .unwrap_err();
        let fields: Vec<Field> = errors.iter().map(|e| e.field.clone()).collect();
        assert_eq!(
            fields,
            [Field::Name, Field::Email, Field::Phone, Field::Problem]
        );
        assert!(PreChatForm {
            name: "Zoé Martin".into(),
            email: "zoe@example.com".into(),
            phone: "+33 (1) 23-45".into(),
            problem: Some(1),
            answers: vec![],
        }
        .check(&[])
        .is_ok());
        let long = PreChatForm {
            name: "é".repeat(MAX_CUSTOMER_NAME_CHARS + 1),
            email: "zoe@example.com".into(),
            phone: String::new(),
            problem: Some(1),
            answers: vec![],
        };
        assert_eq!(
            long.check(&[]).unwrap_err()[0].to_string(),
            "Name: at most 100 characters (101 given)"
        );
    }

    #[test]
    fn k2_answers_become_details_in_the_forms_order() {
        let details = check_answers(
            &form(),
            &[
                answer(4, "Lyon"),
                answer(1, "  A-1234 "),
                answer(3, ""),
                answer(99, "a field deleted since"),
            ],
        )
        .unwrap();
        assert_eq!(
            details,
            vec![
                Detail {
                    label: "Order number".into(),
                    value: "A-1234".into()
                },
                Detail {
                    label: "Store".into(),
                    value: "Lyon".into()
                },
            ]
        );
    }

    #[test]
    fn k2_each_answer_is_checked_by_its_kind_and_named_by_its_label() {
        let long = "x".repeat(MAX_PRECHAT_ANSWER_CHARS + 1);
        let errors = check_answers(
            &form(),
            &[
                answer(1, &long),
                answer(2, "not an address"),
                answer(3, "call me"),
                answer(4, "Marseille"),
            ],
        )
        .unwrap_err();
        let named: Vec<(String, String)> = errors
            .iter()
            .map(|e| (e.field.key(), e.to_string()))
            .collect();
        assert_eq!(
            named,
            vec![
                (
                    "answer-1".to_string(),
                    "Order number: at most 200 characters (201 given)".to_string()
                ),
                (
                    "answer-2".to_string(),
                    "Work email: \"not an address\" is not a valid email address".to_string()
                ),
                (
                    "answer-3".to_string(),
                    "Mobile: use digits, spaces and + ( ) - . only".to_string()
                ),
                (
                    "answer-4".to_string(),
                    format!("Store: {}", Problem::NoLongerOffered)
                ),
            ]
        );
        let missing = check_answers(&form(), &[]).unwrap_err();
        assert_eq!(
            missing.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            vec!["Order number: required", "Store: required"]
        );
    }

    #[test]
    fn d2_a_field_needs_a_label_of_its_own_and_a_choice_its_options() {
        let all = form();
        let edit = |label: &str, kind: FieldKind, choices: &[&str]| {
            PreChatFieldEdit {
                id: None,
                label: label.into(),
                kind,
                required: false,
                choices: choices.iter().map(|c| c.to_string()).collect(),
            }
            .normalized()
        };
        assert_eq!(
            problems(edit(" Loyalty card ", FieldKind::Text, &["ignored"]).validate(&all)),
            vec![]
        );
        assert!(edit("Text", FieldKind::Text, &["x"]).choices.is_empty());
        assert_eq!(
            problems(edit("order NUMBER", FieldKind::Text, &[]).validate(&all)),
            vec![(
                Field::FieldLabel,
                Problem::Duplicate {
                    value: "order NUMBER".into()
                }
            )]
        );
        assert_eq!(
            problems(edit("  ", FieldKind::Choice, &[" ", ""]).validate(&all)),
            vec![
                (Field::FieldLabel, Problem::Required),
                (Field::Choices, Problem::Required)
            ]
        );
        assert_eq!(
            problems(edit("City", FieldKind::Choice, &["Paris", "paris "]).validate(&all)),
            vec![(
                Field::Choices,
                Problem::Duplicate {
                    value: "paris".into()
                }
            )]
        );
        let many: Vec<String> = (0..=MAX_PRECHAT_CHOICES).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            problems(edit("City", FieldKind::Choice, &many).validate(&all)),
            vec![(
                Field::Choices,
                Problem::TooManyItems {
                    max: MAX_PRECHAT_CHOICES,
                    given: MAX_PRECHAT_CHOICES + 1
                }
            )]
        );
        // Renaming a field to its own label is no duplicate.
        let mut same = edit("Order number", FieldKind::Text, &[]);
        same.id = Some(1);
        assert_eq!(problems(same.validate(&all)), vec![]);
    }

    #[test]
    fn d2_at_most_ten_fields() {
        let full: Vec<PreChatField> = (0..MAX_PRECHAT_FIELDS as i64)
            .map(|i| field(i, &format!("Field {i}"), FieldKind::Text, false))
            .collect();
        let new = PreChatFieldEdit {
            label: "One more".into(),
            ..Default::default()
        };
        assert_eq!(
            problems(new.validate(&full)),
            vec![(
                Field::FieldLabel,
                Problem::TooManyItems {
                    max: MAX_PRECHAT_FIELDS,
                    given: MAX_PRECHAT_FIELDS + 1
                }
            )]
        );
    }
}
