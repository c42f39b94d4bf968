//! Queues as the administrators manage them (SPEC D-2, K-2, O-2): contact service queues
//! (a name, members, retired or not) and the problem statements of the pre-chat form, each
//! routed to a CSQ, in the administrator's order. The page checks these rules as the
//! administrator types; the server checks them again with what only it knows (the names
//! taken, the users and CSQs that exist).

use super::{
    ids::{AgentId, CsqId},
    limits::{MAX_CSQ_MEMBERS, MAX_CSQ_NAME_CHARS, MAX_PROBLEM_LABEL_CHARS},
    validate::{all_or_errors, same_text, validate_required_text, Field, FieldError, Problem},
};
use serde::{Deserialize, Serialize};

/// A CSQ as the Queues page lists and edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsqAdmin {
    pub id: CsqId,
    pub name: String,
    /// A retired CSQ takes no new contact; those already waiting stay until handled.
    pub retired: bool,
    /// Its members, with the names the page shows.
    pub members: Vec<Member>,
    /// Issue 17 (K-4): when it takes chats; none: always.
    #[serde(default)]
    pub hours: Option<super::hours::BusinessHours>,
}

/// A member of a CSQ, named for the page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Member {
    pub id: AgentId,
    pub username: String,
    pub display_name: String,
}

/// What the administrator saves: a new CSQ (`id` none) or a change to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsqEdit {
    pub id: Option<CsqId>,
    pub name: String,
    #[serde(default)]
    pub retired: bool,
    #[serde(default)]
    pub members: Vec<AgentId>,
}

impl CsqEdit {
    /// The form of an existing CSQ, as stored.
    pub fn of(csq: &CsqAdmin) -> Self {
        CsqEdit {
            id: Some(csq.id),
            name: csq.name.clone(),
            retired: csq.retired,
            members: csq.members.iter().map(|m| m.id).collect(),
        }
    }

    /// Every problem the page can see: a name of 1 to 60 characters, unique ignoring case
    /// (accents included) among `others` (the other CSQs' names), at most 500 members.
    pub fn validate(&self, others: &[(CsqId, String)]) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if let Err(e) = validate_required_text(Field::CsqName, name, MAX_CSQ_NAME_CHARS) {
            errors.push(e);
        } else if others
            .iter()
            .any(|(id, other)| Some(*id) != self.id && same_text(other, name))
        {
            errors.push(FieldError::new(
                Field::CsqName,
                Problem::Duplicate {
                    value: name.to_string(),
                },
            ));
        }
        if self.members.len() > MAX_CSQ_MEMBERS {
            errors.push(FieldError::new(
                Field::Members,
                Problem::TooManyItems {
                    max: MAX_CSQ_MEMBERS,
                    given: self.members.len(),
                },
            ));
        }
        all_or_errors(errors)
    }

    /// The same save with the name trimmed and each member once, in order.
    pub fn normalized(mut self) -> Self {
        self.name = self.name.trim().to_string();
        self.members.sort();
        self.members.dedup();
        self
    }
}

/// A problem statement as the pre-chat form's page lists it: in the widget's order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProblemStatementAdmin {
    pub id: i64,
    pub label: String,
    pub csq: CsqId,
    /// Retired: no longer offered on the pre-chat form; chats that chose it keep it.
    pub retired: bool,
}

/// A new problem statement (`id` none, added last) or a change to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemStatementEdit {
    pub id: Option<i64>,
    pub label: String,
    pub csq: CsqId,
    #[serde(default)]
    pub retired: bool,
}

impl ProblemStatementEdit {
    pub fn of(statement: &ProblemStatementAdmin) -> Self {
        ProblemStatementEdit {
            id: Some(statement.id),
            label: statement.label.clone(),
            csq: statement.csq,
            retired: statement.retired,
        }
    }

    /// A label of 1 to 100 characters, unique ignoring case among the statements offered,
    /// routed to a CSQ of `csqs` (retired ones cannot take new chats).
    pub fn validate(
        &self,
        statements: &[ProblemStatementAdmin],
        csqs: &[(CsqId, bool)],
    ) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let label = self.label.trim();
        if let Err(e) = validate_required_text(Field::Problem, label, MAX_PROBLEM_LABEL_CHARS) {
            errors.push(e);
        } else if !self.retired
            && statements
                .iter()
                .any(|s| Some(s.id) != self.id && !s.retired && same_text(&s.label, label))
        {
            errors.push(FieldError::new(
                Field::Problem,
                Problem::Duplicate {
                    value: label.to_string(),
                },
            ));
        }
        match csqs.iter().find(|(id, _)| *id == self.csq) {
            None => errors.push(FieldError::new(
                Field::Csqs,
                Problem::UnknownId { id: self.csq.0 },
            )),
            Some((_, true)) if !self.retired => {
                errors.push(FieldError::new(Field::Csqs, Problem::Retired))
            }
            Some(_) => {}
        }
        all_or_errors(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::problems;

    #[test]
    fn d2_a_csq_needs_a_name_of_its_own() {
        let others = [(CsqId(1), "Support".to_string())];
        let new = |name: &str| CsqEdit {
            id: None,
            name: name.into(),
            retired: false,
            members: vec![],
        };
        assert!(new("Sales").validate(&others).is_ok());
        assert_eq!(
            problems(new("  ").validate(&others)),
            [(Field::CsqName, Problem::Required)]
        );
        assert_eq!(
            problems(new(" support ").validate(&others)),
            [(
                Field::CsqName,
                Problem::Duplicate {
                    value: "support".into()
                }
            )]
        );
        let renamed = CsqEdit {
            id: Some(CsqId(1)),
            ..new("SUPPORT")
        };
        assert!(renamed.validate(&others).is_ok(), "its own name, recased");
        assert_eq!(
            problems(new(&"q".repeat(61)).validate(&others)),
            [(Field::CsqName, Problem::TooManyChars { max: 60, given: 61 })]
        );
        let crowded = CsqEdit {
            members: (0..501).map(AgentId).collect(),
            ..new("Sales")
        };
        assert_eq!(
            problems(crowded.validate(&others)),
            [(
                Field::Members,
                Problem::TooManyItems {
                    max: 500,
                    given: 501
                }
            )]
        );
    }

    #[test]
    fn k2_a_problem_statement_goes_to_a_csq_that_takes_chats() {
        let existing = [ProblemStatementAdmin {
            id: 1,
            label: "Billing".into(),
            csq: CsqId(1),
            retired: false,
        }];
        let csqs = [(CsqId(1), false), (CsqId(2), true)];
        let edit = |label: &str, csq: i64| ProblemStatementEdit {
            id: None,
            label: label.into(),
            csq: CsqId(csq),
            retired: false,
        };
        assert!(edit("Delivery", 1).validate(&existing, &csqs).is_ok());
        assert_eq!(
            problems(edit("billing", 1).validate(&existing, &csqs)),
            [(
                Field::Problem,
                Problem::Duplicate {
                    value: "billing".into()
                }
            )]
        );
        assert_eq!(
            problems(edit("Delivery", 2).validate(&existing, &csqs)),
            [(Field::Csqs, Problem::Retired)]
        );
        assert_eq!(
            problems(edit("Delivery", 9).validate(&existing, &csqs)),
            [(Field::Csqs, Problem::UnknownId { id: 9 })]
        );
    }
}
