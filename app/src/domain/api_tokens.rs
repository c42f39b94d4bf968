//! Issue 17: the tokens a CRM calls the `/api/v1` API with. An administrator creates one
//! with a name (the CRM that uses it) and a scope, reads its secret once, and revokes it;
//! the store keeps only the secret's SHA-256, so a leaked database opens nothing.

use super::{
    ids::ApiTokenId,
    limits::MAX_API_TOKEN_NAME_CHARS,
    validate::{validate_required_text, Field, FieldError},
};
use serde::{Deserialize, Serialize};

/// What a token may do: read everything the API serves, or also write (create and update
/// customers, start an outbound email).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    Read,
    ReadWrite,
}

impl TokenScope {
    /// As stored and as the API's documents write it.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::ReadWrite => "read_write",
        }
    }

    pub fn parse(text: &str) -> Option<TokenScope> {
        match text {
            "read" => Some(TokenScope::Read),
            "read_write" => Some(TokenScope::ReadWrite),
            _ => None,
        }
    }

    pub fn may_write(self) -> bool {
        self == TokenScope::ReadWrite
    }
}

/// A token as the administrator asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub name: String,
    pub scope: TokenScope,
}

impl NewApiToken {
    /// The name is required and at most [`MAX_API_TOKEN_NAME_CHARS`] characters.
    pub fn check(&self) -> Result<(), FieldError> {
        validate_required_text(Field::ApiTokenName, &self.name, MAX_API_TOKEN_NAME_CHARS)
    }
}

/// A token as the administration lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenSummary {
    pub id: ApiTokenId,
    pub name: String,
    pub scope: TokenScope,
    pub created_at_ms: i64,
    /// The username of the administrator who created it.
    pub created_by: String,
    /// To the minute: the last request it made, if any.
    pub last_used_at_ms: Option<i64>,
    /// Set once revoked: it opens nothing any more.
    pub revoked_at_ms: Option<i64>,
}

/// A token just created, with its secret: the only time anyone reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub token: ApiTokenSummary,
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::Problem;

    /// Issue 17: a token's scope reads and writes as the API documents it; only
    /// read-write writes.
    #[test]
    fn a_scope_is_read_as_written_and_only_read_write_writes() {
        for scope in [TokenScope::Read, TokenScope::ReadWrite] {
            assert_eq!(TokenScope::parse(scope.as_str()), Some(scope));
            assert_eq!(
                serde_json::to_value(scope).unwrap(),
                serde_json::json!(scope.as_str())
            );
        }
        assert_eq!(TokenScope::parse("admin"), None);
        assert!(!TokenScope::Read.may_write());
        assert!(TokenScope::ReadWrite.may_write());
    }

    /// Issue 17: a token needs a name, of at most 80 characters.
    #[test]
    fn a_token_is_named() {
        let named = |name: &str| NewApiToken {
            name: name.into(),
            scope: TokenScope::Read,
        };
        assert_eq!(named("Acme CRM").check(), Ok(()));
        assert_eq!(named("  ").check().unwrap_err().problem, Problem::Required);
        assert_eq!(
            named(&"x".repeat(81)).check().unwrap_err().problem,
            Problem::TooManyChars { max: 80, given: 81 }
        );
    }
}
