//! The one error type of the server functions: typed, so the page can react to each case,
//! and never carrying internal details to the browser.

use crate::domain::{state::StateError, validate::FieldError};
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// One generic message, whether the username or the password was wrong.
    #[error("Wrong username or password.")]
    WrongCredentials,
    #[error("Your session has ended. Please log in again.")]
    NotLoggedIn,
    /// Logged in, but the role does not allow it (an agent on an administration page).
    #[error("Only administrators can do this.")]
    Forbidden,
    /// Logged in with a password someone else chose: nothing else until the user has
    /// chosen their own (SPEC D-2).
    #[error("Choose your own password before you go on.")]
    PasswordChangeRequired,
    /// The right password, but an administrator disabled the account.
    #[error("This account is disabled. Ask your administrator.")]
    AccountDisabled,
    #[error("{0}")]
    State(StateError),
    #[error("{}", first_message(.0))]
    Invalid(Vec<FieldError>),
    /// Too many failed logins for this username or from this address: try again after
    /// `retry_after_secs` (the response also says so in `Retry-After`).
    #[error("Too many failed attempts. Try again in {retry_after_secs} s.")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Issue 17: what was asked for does not exist, or is not the reader's to see (one
    /// answer for both, so a stranger learns nothing from it).
    #[error("Not found, or not yours to see.")]
    NotFound,
    /// Issue 18 (D-3): a supervisor could not join a chat, and why.
    #[error("{0:?}")]
    JoinRefused(crate::domain::supervision::JoinRefusal),
    /// Details are in the server's log, not here.
    #[error("Something went wrong on the server. Please try again.")]
    Internal,
    /// The request did not reach the server function, or its answer could not be read.
    #[error("The server could not be reached. Check your connection and try again.")]
    Transport,
}

impl ApiError {
    /// What a person reads, in their language (`Display` is the English, for logs).
    pub fn message(&self, locale: crate::i18n::Locale) -> String {
        use crate::i18n::td_string;
        match self {
            ApiError::WrongCredentials => td_string!(locale, common.errors.wrong_credentials),
            ApiError::NotLoggedIn => td_string!(locale, common.errors.not_logged_in),
            ApiError::Forbidden => td_string!(locale, common.errors.forbidden),
            ApiError::PasswordChangeRequired => {
                td_string!(locale, common.errors.password_change_required)
            }
            ApiError::AccountDisabled => td_string!(locale, common.errors.account_disabled),
            ApiError::TooManyAttempts { retry_after_secs } => {
                return td_string!(
                    locale,
                    common.errors.too_many_attempts,
                    secs = retry_after_secs
                )
                .to_string()
            }
            ApiError::NotFound => td_string!(locale, common.errors.not_found),
            ApiError::Internal => td_string!(locale, common.errors.internal),
            ApiError::Transport => td_string!(locale, common.errors.transport),
            ApiError::Invalid(errors) => {
                return errors
                    .iter()
                    .map(|e| e.message(locale))
                    .collect::<Vec<_>>()
                    .join("; ")
            }
            ApiError::State(e) => return e.message(locale),
            ApiError::JoinRefused(why) => {
                use crate::domain::supervision::JoinRefusal;
                match why {
                    JoinRefusal::Full => td_string!(locale, common.errors.join_full),
                    JoinRefusal::NoDesktop => td_string!(locale, common.errors.join_no_desktop),
                    JoinRefusal::AlreadyIn => td_string!(locale, common.errors.join_already_in),
                    JoinRefusal::NotInProgress => {
                        td_string!(locale, common.errors.join_not_in_progress)
                    }
                }
            }
        }
        .to_string()
    }
}

fn first_message(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<StateError> for ApiError {
    fn from(e: StateError) -> Self {
        ApiError::State(e)
    }
}

impl FromServerFnError for ApiError {
    type Encoder = super::codec::JsonText;

    fn from_server_fn_error(_: ServerFnErrorErr) -> Self {
        ApiError::Transport
    }
}
