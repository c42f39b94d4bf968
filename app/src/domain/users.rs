//! Users as the administrators manage them (SPEC D-2): the rows of the Users page, a save
//! (a new user or a change to one), and the rules a save follows. The page checks them as
//! the administrator types; the server checks them again, and adds what only it knows:
//! the common-password list, the usernames taken, the last enabled administrator.

use super::{
    account::{validate_name, validate_new_password, validate_username},
    agent::{Agent, Role},
    ids::{AgentId, CsqId},
    limits::{MAX_CHATS_PER_AGENT, MAX_CSQS_PER_USER, MAX_EMAILS_PER_AGENT, MAX_USER_SEARCH_CHARS},
    validate::{all_or_errors, char_count, validate_range, Field, FieldError, Problem},
};
use serde::{Deserialize, Serialize};

/// A user as the Users page lists and edits them: the account and its CSQs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAdmin {
    pub agent: Agent,
    /// The CSQs the user takes contacts from, by id.
    pub csqs: Vec<CsqId>,
    /// Issue 18 (D-3): the CSQs a supervisor watches, by id (an administrator sees every
    /// one; an agent none).
    #[serde(default)]
    pub supervises: Vec<CsqId>,
}

impl UserAdmin {
    /// What a save is checked against: every field a save changes, as stored.
    pub fn stamp(&self) -> String {
        let a = &self.agent;
        let mut csqs = self.csqs.clone();
        csqs.sort();
        let mut supervises = self.supervises.clone();
        supervises.sort();
        format!(
            "{}|{}|{}|{}|{}|{}|{:?}|{:?}|{}",
            a.username,
            a.display_name,
            a.alias,
            a.role.as_str(),
            a.max_chats,
            a.max_emails,
            csqs,
            supervises,
            a.disabled
        )
    }
}

/// One page of the users' list, searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub users: Vec<UserAdmin>,
    /// Users matching the search, on every page.
    pub total: u64,
    /// From 0.
    pub page: u32,
    pub page_size: u32,
}

impl UserPage {
    pub fn pages(&self) -> u32 {
        let pages = self.total.div_ceil(u64::from(self.page_size.max(1)));
        u32::try_from(pages).unwrap_or(u32::MAX).max(1)
    }
}

/// A search of the users' list: words found in the username, the full name or the alias.
pub fn validate_search(search: &str) -> Result<(), FieldError> {
    let given = char_count(search);
    if given > MAX_USER_SEARCH_CHARS {
        return Err(FieldError::new(
            Field::Search,
            Problem::TooManyChars {
                max: MAX_USER_SEARCH_CHARS,
                given,
            },
        ));
    }
    Ok(())
}

/// A list of CSQs a user is given (`field`): at most [`MAX_CSQS_PER_USER`], each one of
/// `existing`.
fn chosen_csqs(field: Field, chosen: &[CsqId], existing: &[CsqId]) -> Option<FieldError> {
    if chosen.len() > MAX_CSQS_PER_USER {
        return Some(FieldError::new(
            field,
            Problem::TooManyItems {
                max: MAX_CSQS_PER_USER,
                given: chosen.len(),
            },
        ));
    }
    let unknown = chosen.iter().find(|c| !existing.contains(c))?;
    Some(FieldError::new(field, Problem::UnknownId { id: unknown.0 }))
}

/// What an administrator saves: a new user (`id` none) or a change to one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEdit {
    pub id: Option<AgentId>,
    pub username: String,
    pub display_name: String,
    pub alias: String,
    pub role: Role,
    pub max_chats: u32,
    pub max_emails: u32,
    #[serde(default)]
    pub csqs: Vec<CsqId>,
    /// Issue 18: the CSQs a supervisor watches (kept only for a supervisor).
    #[serde(default)]
    pub supervises: Vec<CsqId>,
    #[serde(default)]
    pub disabled: bool,
    /// A new user's temporary password, which they must change at their first login; left
    /// empty, the server makes one and shows it once. Not used on a change (a reset is its
    /// own action). `Debug` hides it.
    #[serde(default)]
    pub temporary_password: String,
    /// A change: the user as the form found them ([`UserAdmin::stamp`]). The server refuses
    /// the save when another administrator changed the user since, rather than undo it.
    #[serde(default)]
    pub seen: String,
}

impl std::fmt::Debug for UserEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserEdit")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("alias", &self.alias)
            .field("role", &self.role)
            .field("max_chats", &self.max_chats)
            .field("max_emails", &self.max_emails)
            .field("csqs", &self.csqs)
            .field("supervises", &self.supervises)
            .field("disabled", &self.disabled)
            .field("temporary_password", &"<hidden>")
            .field("seen", &self.seen)
            .finish()
    }
}

impl UserEdit {
    /// The form of a new user: an agent with the usual capacity, in no CSQ yet.
    pub fn new_user() -> Self {
        UserEdit {
            id: None,
            username: String::new(),
            display_name: String::new(),
            alias: String::new(),
            role: Role::Agent,
            max_chats: 3,
            max_emails: 3,
            csqs: Vec::new(),
            supervises: Vec::new(),
            disabled: false,
            temporary_password: String::new(),
            seen: String::new(),
        }
    }

    /// The form of an existing user, as stored.
    pub fn of(user: &UserAdmin) -> Self {
        let a = &user.agent;
        let mut csqs = user.csqs.clone();
        csqs.sort();
        let mut supervises = user.supervises.clone();
        supervises.sort();
        UserEdit {
            id: Some(a.id),
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            alias: a.alias.clone(),
            role: a.role,
            max_chats: a.max_chats,
            max_emails: a.max_emails,
            csqs,
            supervises,
            disabled: a.disabled,
            temporary_password: String::new(),
            seen: user.stamp(),
        }
    }

    /// Every problem at once, so the page can mark each field. `csqs` are the CSQs that
    /// exist; `editor` is the administrator saving (who may not disable or demote
    /// themselves); `is_common` is the common-password list (the page has none).
    pub fn validate(
        &self,
        csqs: &[CsqId],
        editor: AgentId,
        is_common: impl Fn(&str) -> bool,
    ) -> Result<(), Vec<FieldError>> {
        let mut errors: Vec<FieldError> = [
            validate_username(self.username.trim()),
            validate_name(Field::DisplayName, &self.display_name),
            validate_name(Field::Alias, &self.alias),
            validate_range(Field::MaxChats, &MAX_CHATS_PER_AGENT, self.max_chats),
            validate_range(Field::MaxEmails, &MAX_EMAILS_PER_AGENT, self.max_emails),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect();
        errors.extend(chosen_csqs(Field::Csqs, &self.csqs, csqs));
        if self.role == Role::Supervisor {
            errors.extend(chosen_csqs(Field::Supervises, &self.supervises, csqs));
        }
        if self.id == Some(editor) {
            if self.disabled {
                errors.push(FieldError::new(Field::Account, Problem::OwnAccount));
            }
            if self.role != Role::Admin {
                errors.push(FieldError::new(Field::Role, Problem::OwnAccount));
            }
        }
        if self.id.is_none() && !self.temporary_password.is_empty() {
            if let Err(e) = validate_new_password(
                Field::Password,
                self.username.trim(),
                &self.temporary_password,
                is_common,
            ) {
                errors.push(e);
            }
        }
        all_or_errors(errors)
    }

    /// The same save with names trimmed, each CSQ once and in order, as it is stored.
    pub fn normalized(mut self) -> Self {
        self.username = self.username.trim().to_string();
        self.display_name = self.display_name.trim().to_string();
        self.alias = self.alias.trim().to_string();
        self.csqs.sort();
        self.csqs.dedup();
        // Only a supervisor watches CSQs: an administrator sees them all, an agent none.
        if self.role == Role::Supervisor {
            self.supervises.sort();
            self.supervises.dedup();
        } else {
            self.supervises.clear();
        }
        if self.id.is_some() {
            self.temporary_password.clear();
        }
        self
    }

    /// A short text of what this save changes in `before` (none: a new user), for the
    /// administrators' audit. `csq_name` names a CSQ by id.
    pub fn describe(
        &self,
        before: Option<&UserAdmin>,
        csq_name: impl Fn(CsqId) -> String,
    ) -> String {
        let names = |ids: &[CsqId]| {
            let list: Vec<String> = ids.iter().map(|c| csq_name(*c)).collect();
            format!("[{}]", list.join(", "))
        };
        let now = [
            ("username", self.username.clone()),
            ("name", self.display_name.clone()),
            ("alias", self.alias.clone()),
            ("role", self.role.as_str().to_string()),
            ("max_chats", self.max_chats.to_string()),
            ("max_emails", self.max_emails.to_string()),
            ("csqs", names(&self.csqs)),
            ("supervises", names(&self.supervises)),
            ("disabled", self.disabled.to_string()),
        ];
        let Some(before) = before else {
            let fields: Vec<String> = now.iter().map(|(k, v)| format!("{k}: {v:?}")).collect();
            return format!("created {}", fields.join("; "));
        };
        let was = UserEdit::of(before);
        let then = [
            was.username.clone(),
            was.display_name.clone(),
            was.alias.clone(),
            was.role.as_str().to_string(),
            was.max_chats.to_string(),
            was.max_emails.to_string(),
            names(&was.csqs),
            names(&was.supervises),
            was.disabled.to_string(),
        ];
        let changed: Vec<String> = now
            .iter()
            .zip(then.iter())
            .filter(|((_, new), old)| new != *old)
            .map(|((key, new), old)| format!("{key}: {old:?} -> {new:?}"))
            .collect();
        if changed.is_empty() {
            format!("{}: no change", self.username)
        } else {
            format!("{}: {}", was.username, changed.join("; "))
        }
    }
}

/// A save as the server did it, with the one-time password it made (shown once to the
/// administrator, never stored in clear). `Debug` hides the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSaved {
    pub user: UserAdmin,
    pub one_time_password: Option<String>,
}

impl std::fmt::Debug for UserSaved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserSaved")
            .field("user", &self.user)
            .field(
                "one_time_password",
                &self.one_time_password.as_ref().map(|_| "<hidden>"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(_: &str) -> bool {
        false
    }

    fn ann() -> UserEdit {
        UserEdit {
            username: " ann ".into(),
            display_name: "Ann Lee".into(),
            alias: "Ann".into(),
            csqs: vec![CsqId(2), CsqId(1), CsqId(2)],
            ..UserEdit::new_user()
        }
    }

    fn problems(edit: &UserEdit, editor: AgentId) -> Vec<(Field, Problem)> {
        crate::domain::validate::problems(edit.validate(&[CsqId(1), CsqId(2)], editor, never))
    }

    #[test]
    fn d2_a_new_user_needs_a_username_names_and_a_capacity_of_one_to_five() {
        assert!(problems(&ann(), AgentId(9)).is_empty());
        let bad = UserEdit {
            username: "a b".into(),
            display_name: " ".into(),
            alias: "x".repeat(101),
            max_chats: 0,
            max_emails: 6,
            csqs: vec![CsqId(7)],
            ..UserEdit::new_user()
        };
        assert_eq!(
            problems(&bad, AgentId(9)),
            vec![
                (Field::Username, Problem::InvalidUsername),
                (Field::DisplayName, Problem::Required),
                (
                    Field::Alias,
                    Problem::TooManyChars {
                        max: 100,
                        given: 101
                    }
                ),
                (
                    Field::MaxChats,
                    Problem::OutOfRange {
                        min: 1,
                        max: 5,
                        given: 0
                    }
                ),
                (
                    Field::MaxEmails,
                    Problem::OutOfRange {
                        min: 1,
                        max: 5,
                        given: 6
                    }
                ),
                (Field::Csqs, Problem::UnknownId { id: 7 }),
            ]
        );
    }

    #[test]
    fn d2_a_temporary_password_follows_the_password_rules() {
        let weak = UserEdit {
            temporary_password: "short".into(),
            ..ann()
        };
        assert_eq!(
            problems(&weak, AgentId(9)),
            vec![(Field::Password, Problem::TooFewChars { min: 12, given: 5 })]
        );
        let named = UserEdit {
            temporary_password: "ann-welcome-2026".into(),
            ..ann()
        };
        assert_eq!(
            problems(&named, AgentId(9)),
            vec![(Field::Password, Problem::ContainsUsername)]
        );
    }

    #[test]
    fn d2_an_administrator_cannot_disable_or_demote_themselves() {
        let me = UserEdit {
            id: Some(AgentId(9)),
            role: Role::Agent,
            disabled: true,
            ..ann()
        };
        assert_eq!(
            problems(&me, AgentId(9)),
            vec![
                (Field::Account, Problem::OwnAccount),
                (Field::Role, Problem::OwnAccount)
            ]
        );
        assert!(problems(&me, AgentId(1)).is_empty(), "another may");
    }

    #[test]
    fn a_save_is_stored_trimmed_with_each_csq_once() {
        let saved = ann().normalized();
        assert_eq!(saved.username, "ann");
        assert_eq!(saved.csqs, vec![CsqId(1), CsqId(2)]);
    }

    /// Issue 18 (D-3): a supervisor watches CSQs that exist, each once; another role keeps
    /// none (an administrator sees every CSQ, an agent none).
    #[test]
    fn only_a_supervisor_watches_csqs() {
        let supervisor = UserEdit {
            role: Role::Supervisor,
            supervises: vec![CsqId(2), CsqId(1), CsqId(2)],
            ..ann()
        };
        assert!(problems(&supervisor, AgentId(9)).is_empty());
        assert_eq!(
            supervisor.clone().normalized().supervises,
            vec![CsqId(1), CsqId(2)]
        );
        let unknown = UserEdit {
            supervises: vec![CsqId(8)],
            ..supervisor.clone()
        };
        assert_eq!(
            problems(&unknown, AgentId(9)),
            vec![(Field::Supervises, Problem::UnknownId { id: 8 })]
        );
        for role in [Role::Agent, Role::Admin] {
            let other = UserEdit {
                role,
                ..unknown.clone()
            };
            assert!(problems(&other, AgentId(9)).is_empty(), "{role:?}");
            assert!(other.normalized().supervises.is_empty(), "{role:?}");
        }
    }

    #[test]
    fn d2_the_audit_says_what_changed() {
        let before = UserAdmin {
            agent: Agent {
                id: AgentId(4),
                username: "ann".into(),
                display_name: "Ann Lee".into(),
                alias: "Ann".into(),
                role: Role::Agent,
                max_chats: 3,
                max_emails: 3,
                must_change_password: false,
                disabled: false,
            },
            csqs: vec![CsqId(1)],
            supervises: Vec::new(),
        };
        let edit = UserEdit {
            max_chats: 5,
            csqs: vec![CsqId(1), CsqId(2)],
            ..UserEdit::of(&before)
        };
        let name = |c: CsqId| format!("Q{}", c.0);
        assert_eq!(
            edit.describe(Some(&before), name),
            "ann: max_chats: \"3\" -> \"5\"; csqs: \"[Q1]\" -> \"[Q1, Q2]\""
        );
        assert!(edit
            .describe(None, name)
            .starts_with("created username: \"ann\""));
    }

    #[test]
    fn the_list_has_at_least_one_page() {
        let page = |total| UserPage {
            users: Vec::new(),
            total,
            page: 0,
            page_size: 25,
        };
        assert_eq!(page(0).pages(), 1);
        assert_eq!(page(25).pages(), 1);
        assert_eq!(page(26).pages(), 2);
        assert_eq!(page(2000).pages(), 80);
    }

    #[test]
    fn a_search_is_bounded() {
        assert!(validate_search("ann").is_ok());
        assert_eq!(
            validate_search(&"a".repeat(101)).unwrap_err().problem,
            Problem::TooManyChars {
                max: 100,
                given: 101
            }
        );
    }
}
