//! Accounts (SPEC D-2): the rules a username, a name and a password follow. The page checks
//! them as the user types; the server checks them again on every save, and adds the one
//! rule the browser cannot carry: the list of common passwords (a megabyte the page need
//! not download), given to [`validate_new_password`] as `is_common`.

use super::{
    limits::{MAX_USER_NAME_CHARS, PASSWORD_CHARS, USERNAME_CHARS},
    validate::{all_or_errors, char_count, validate_required_text, Field, FieldError, Problem},
};

/// A username: 2 to 64 ASCII letters, digits or `. _ - @` (an email address fits), no
/// spaces. Usernames are unique ignoring case, which both databases fold alike only for
/// ASCII (SQLite's `lower()` leaves `É` as it is); the store enforces it.
pub fn validate_username(username: &str) -> Result<(), FieldError> {
    let given = char_count(username);
    if given == 0 {
        return Err(FieldError::new(Field::Username, Problem::Required));
    }
    if given < *USERNAME_CHARS.start() {
        return Err(FieldError::new(
            Field::Username,
            Problem::TooFewChars {
                min: *USERNAME_CHARS.start(),
                given,
            },
        ));
    }
    if given > *USERNAME_CHARS.end() {
        return Err(FieldError::new(
            Field::Username,
            Problem::TooManyChars {
                max: *USERNAME_CHARS.end(),
                given,
            },
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-_@".contains(c))
    {
        return Err(FieldError::new(Field::Username, Problem::InvalidUsername));
    }
    Ok(())
}

/// A full name or an alias: not blank, at most 100 characters.
pub fn validate_name(field: Field, name: &str) -> Result<(), FieldError> {
    validate_required_text(field, name, MAX_USER_NAME_CHARS)
}

/// A password a user chooses (or an administrator sets), reported on `field`: 12 to 256
/// characters, not holding the username (ignoring case), and not a common password.
/// Length is checked first, so a short password is told to be longer, not that it is
/// common.
pub fn validate_new_password(
    field: Field,
    username: &str,
    password: &str,
    is_common: impl Fn(&str) -> bool,
) -> Result<(), FieldError> {
    let given = char_count(password);
    if given == 0 {
        return Err(FieldError::new(field, Problem::Required));
    }
    if given < *PASSWORD_CHARS.start() {
        return Err(FieldError::new(
            field,
            Problem::TooFewChars {
                min: *PASSWORD_CHARS.start(),
                given,
            },
        ));
    }
    if given > *PASSWORD_CHARS.end() {
        return Err(FieldError::new(
            field,
            Problem::TooManyChars {
                max: *PASSWORD_CHARS.end(),
                given,
            },
        ));
    }
    let username = username.trim().to_lowercase();
    if username.chars().count() >= 3 && password.to_lowercase().contains(&username) {
        return Err(FieldError::new(field, Problem::ContainsUsername));
    }
    if is_common(password) || is_common(&password.to_lowercase()) {
        return Err(FieldError::new(field, Problem::CommonPassword));
    }
    Ok(())
}

/// A user changing their own password: the current one (checked by the server), the new
/// one twice. `Debug` hides all three.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { <hidden> }")
    }
}

impl PasswordChange {
    /// Every rule the page can check: the new password's own rules, the second typing, and
    /// that it changes something. The server checks the current password and the common
    /// list besides.
    pub fn validate(
        &self,
        username: &str,
        is_common: impl Fn(&str) -> bool,
    ) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.current.is_empty() {
            errors.push(FieldError::new(Field::CurrentPassword, Problem::Required));
        }
        match validate_new_password(Field::NewPassword, username, &self.new, is_common) {
            Err(e) => errors.push(e),
            Ok(()) if self.new == self.current => {
                errors.push(FieldError::new(Field::NewPassword, Problem::Unchanged))
            }
            Ok(()) => {}
        }
        if self.confirm != self.new {
            errors.push(FieldError::new(
                Field::PasswordConfirm,
                Problem::NotMatching,
            ));
        }
        all_or_errors(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(_: &str) -> bool {
        false
    }

    fn problem(r: Result<(), FieldError>) -> Option<Problem> {
        r.err().map(|e| e.problem)
    }

    #[test]
    fn usernames_are_two_to_sixty_four_plain_characters() {
        assert!(validate_username("ann").is_ok());
        assert!(validate_username("ann.lee@example.com").is_ok());
        assert!(validate_username("zoe_2").is_ok());
        assert_eq!(
            problem(validate_username("zoé")),
            Some(Problem::InvalidUsername),
            "ASCII only: both databases fold its case alike"
        );
        assert_eq!(problem(validate_username("")), Some(Problem::Required));
        assert_eq!(
            problem(validate_username("a")),
            Some(Problem::TooFewChars { min: 2, given: 1 })
        );
        assert_eq!(
            problem(validate_username(&"a".repeat(65))),
            Some(Problem::TooManyChars { max: 64, given: 65 })
        );
        assert_eq!(
            problem(validate_username("ann lee")),
            Some(Problem::InvalidUsername)
        );
        assert_eq!(
            problem(validate_username("ann<script>")),
            Some(Problem::InvalidUsername)
        );
    }

    #[test]
    fn names_are_not_blank_and_at_most_a_hundred_characters() {
        assert!(validate_name(Field::Alias, "Alex").is_ok());
        assert_eq!(
            problem(validate_name(Field::Alias, "   ")),
            Some(Problem::Required)
        );
        assert_eq!(
            problem(validate_name(Field::DisplayName, &"é".repeat(101))),
            Some(Problem::TooManyChars {
                max: 100,
                given: 101
            })
        );
    }

    /// SPEC D-2: at least 12 characters; never the username; never a common password; each
    /// refusal names its rule.
    #[test]
    fn passwords_follow_each_rule_with_its_own_refusal() {
        let check = |p: &str| problem(validate_new_password(Field::NewPassword, "ann", p, never));
        assert_eq!(check("long enough pass"), None);
        assert_eq!(check(""), Some(Problem::Required));
        assert_eq!(
            check("elevenchars"),
            Some(Problem::TooFewChars { min: 12, given: 11 })
        );
        assert_eq!(
            check("ééééééééééé"),
            Some(Problem::TooFewChars { min: 12, given: 11 }),
            "characters are counted, not bytes"
        );
        assert_eq!(
            check(&"x".repeat(257)),
            Some(Problem::TooManyChars {
                max: 256,
                given: 257
            })
        );
        assert_eq!(check("my name is ANN, hi"), Some(Problem::ContainsUsername));
        let common = |p: &str| p == "correcthorsebattery";
        assert_eq!(
            problem(validate_new_password(
                Field::NewPassword,
                "ann",
                "CorrectHorseBattery",
                common
            )),
            Some(Problem::CommonPassword),
            "common ignoring case"
        );
        assert_eq!(
            problem(validate_new_password(
                Field::Password,
                "ann",
                "short",
                common
            ))
            .map(|p| p.to_string()),
            Some("at least 12 characters (5 given)".to_string())
        );
    }

    #[test]
    fn a_change_needs_the_current_password_and_the_new_one_twice() {
        let change = |current: &str, new: &str, confirm: &str| PasswordChange {
            current: current.into(),
            new: new.into(),
            confirm: confirm.into(),
        };
        assert!(change("old one", "a new passphrase", "a new passphrase")
            .validate("ann", never)
            .is_ok());
        let errors = change("", "short", "shorter")
            .validate("ann", never)
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.clone()).collect();
        assert_eq!(
            fields,
            [
                Field::CurrentPassword,
                Field::NewPassword,
                Field::PasswordConfirm
            ]
        );
        let same = change("a new passphrase", "a new passphrase", "a new passphrase")
            .validate("ann", never)
            .unwrap_err();
        assert_eq!(same[0].problem, Problem::Unchanged);
    }
}
