//! Users of the desktop and their roles.

use super::ids::AgentId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user may do. Supervisors and administrators can also take contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Supervisor,
    Admin,
}

impl Role {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

impl Role {
    /// The role's name as people read it, in a language (`Display` is the English).
    pub fn label(self, locale: crate::i18n::Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            Role::Agent => td_string!(locale, common.roles.agent),
            Role::Supervisor => td_string!(locale, common.roles.supervisor),
            Role::Admin => td_string!(locale, common.roles.admin),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(crate::i18n::Locale::en))
    }
}

/// A user as the desktop shows it. The password hash never leaves the server's store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub username: String,
    /// Full name shown in the top bar.
    pub display_name: String,
    /// The name customers see ("<alias> has joined the chat.").
    pub alias: String,
    pub role: Role,
    /// Administrator setting: maximum of active chats (SPEC O-4).
    pub max_chats: u32,
    /// Administrator setting: maximum of active emails (SPEC O-4).
    pub max_emails: u32,
    /// A password someone else chose: the user must choose their own at the next login.
    pub must_change_password: bool,
    /// A disabled user cannot log in (SPEC D-2); their history stays.
    pub disabled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips_through_its_stored_name() {
        for role in [Role::Agent, Role::Supervisor, Role::Admin] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
