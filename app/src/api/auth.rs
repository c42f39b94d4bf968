//! Log in, log out, and change one's own password.

use super::ApiError;
use leptos::prelude::*;

/// Opens a session and answers where to go: the desktop, or the password page for a user
/// who must choose their own. A form posted before the page's code ran (no JavaScript yet,
/// or none at all) is redirected there, or back to the login page with why
/// ([`LoginRefused`]). The page's code loads that address as a new page, so that it speaks
/// the language the account chose.
#[server(prefix = "/api", endpoint = "login", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn login(
    username: String,
    password: String,
    host: Option<String>,
    window: Option<String>,
) -> Result<String, ApiError> {
    let window = window.is_some_and(|w| !w.is_empty());
    let refused = match login_checked(username, password, host, window).await {
        Ok(target) => {
            if from_plain_form() {
                leptos_axum::redirect(target);
            } else if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                // Said for programs too; a 200 with Location moves no browser (the page's
                // code loads the address itself).
                response.insert_header(
                    http::header::LOCATION,
                    http::HeaderValue::from_static(target),
                );
            }
            return Ok(target.to_string());
        }
        Err(e) => e,
    };
    if from_plain_form() {
        let why = LoginRefused::from_error(&refused).as_query();
        leptos_axum::redirect(&format!("/login?refused={why}"));
        return Err(refused);
    }
    Err(super::fail(refused))
}

/// SPEC D-1: where a login window goes once logged in: the page that tells the frame which
/// opened it, and closes (`ui::login_window`).
pub const LOGIN_WINDOW_DONE: &str = "/login?done=1";

/// Why a login was refused, as the login page's address carries it for a form posted
/// without JavaScript: a fixed word, never text from the request, so a crafted link
/// cannot make the page say anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefused {
    WrongCredentials,
    AccountDisabled,
    TooManyAttempts,
    Other,
}

impl LoginRefused {
    pub fn from_error(error: &ApiError) -> LoginRefused {
        match error {
            ApiError::WrongCredentials | ApiError::Invalid(_) => LoginRefused::WrongCredentials,
            ApiError::AccountDisabled => LoginRefused::AccountDisabled,
            ApiError::TooManyAttempts { .. } => LoginRefused::TooManyAttempts,
            _ => LoginRefused::Other,
        }
    }

    pub fn as_query(self) -> &'static str {
        match self {
            LoginRefused::WrongCredentials => "credentials",
            LoginRefused::AccountDisabled => "disabled",
            LoginRefused::TooManyAttempts => "attempts",
            LoginRefused::Other => "other",
        }
    }

    pub fn from_query(value: &str) -> LoginRefused {
        match value {
            "credentials" => LoginRefused::WrongCredentials,
            "disabled" => LoginRefused::AccountDisabled,
            "attempts" => LoginRefused::TooManyAttempts,
            _ => LoginRefused::Other,
        }
    }

    /// What the page says: the same words as the error itself.
    pub fn message(self, locale: crate::i18n::Locale) -> String {
        match self {
            LoginRefused::WrongCredentials => ApiError::WrongCredentials.message(locale),
            LoginRefused::AccountDisabled => ApiError::AccountDisabled.message(locale),
            LoginRefused::TooManyAttempts => {
                crate::i18n::td_string!(locale, common.login.too_many_attempts).to_string()
            }
            LoginRefused::Other => ApiError::Internal.message(locale),
        }
    }
}

/// The browser posted the form itself (it asks for a page), not the page's code (which
/// asks for JSON).
#[cfg(feature = "ssr")]
fn from_plain_form() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

#[cfg(feature = "ssr")]
async fn login_checked(
    username: String,
    password: String,
    host: Option<String>,
    window: bool,
) -> Result<&'static str, ApiError> {
    use crate::domain::validate::{Field, FieldError, Problem};
    let mut missing = Vec::new();
    if username.trim().is_empty() {
        missing.push(FieldError::new(Field::Username, Problem::Required));
    }
    if password.is_empty() {
        missing.push(FieldError::new(Field::Password, Problem::Required));
    }
    if !missing.is_empty() {
        return Err(ApiError::Invalid(missing));
    }
    let client = super::ClientInfo {
        framed_by: host.filter(|h| !h.is_empty()),
        login_window: window,
        ..client_info()
    };
    let outcome = super::backend()?
        .login(username.trim(), &password, client)
        .await?;
    set_cookie(&outcome.cookie)?;
    if let Some(csrf) = &outcome.csrf_cookie {
        set_cookie(csrf)?;
    }
    if let Some(language) = &outcome.language_cookie {
        set_cookie(language)?;
    }
    Ok(match (outcome.must_change_password, window) {
        (true, false) => "/password",
        // A login window keeps being one through the password page.
        (true, true) => "/password?window=1",
        (false, true) => LOGIN_WINDOW_DONE,
        (false, false) => "/",
    })
}

/// The server's middleware records the peer address in the request's extensions.
#[cfg(feature = "ssr")]
fn client_info() -> super::ClientInfo {
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<super::ClientInfo>().cloned())
        .unwrap_or_default()
}

/// Changes the logged-in user's own password: the current one is required, the new one
/// follows the rules of [`crate::domain::account`]. Every other session of the user ends;
/// this one goes on (the desktop in another tab of this browser shares it).
#[server(prefix = "/api", endpoint = "password", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn change_password(
    current: String,
    new: String,
    confirm: String,
) -> Result<(), ApiError> {
    async {
        let headers = super::request_headers()?;
        let change = crate::domain::account::PasswordChange {
            current,
            new,
            confirm,
        };
        super::backend()?
            .change_password(&headers, change, client_info())
            .await
    }
    .await
    .map_err(super::fail)
}

/// Sets the language of the pages ("en" or "fr"): kept with the logged-in user's account
/// and in the browser. The page reloads to speak it.
#[server(prefix = "/api", endpoint = "language", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn set_language(language: String) -> Result<(), ApiError> {
    async {
        use crate::domain::validate::{Field, FieldError, Problem};
        let Some(locale) = crate::domain::language::parse(&language) else {
            return Err(ApiError::Invalid(vec![FieldError::new(
                Field::Language,
                Problem::NotOffered { id: 0 },
            )]));
        };
        let headers = super::request_headers()?;
        for cookie in super::backend()?.set_language(&headers, locale).await? {
            set_cookie(&cookie)?;
        }
        Ok(())
    }
    .await
    .map_err(super::fail)
}

/// Ends the session. Refused unless the agent is Not Ready (SPEC S-1).
#[server(prefix = "/api", endpoint = "logout", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn logout() -> Result<(), ApiError> {
    async {
        let headers = super::request_headers()?;
        for cookie in super::backend()?.logout(&headers).await? {
            set_cookie(&cookie)?;
        }
        Ok(())
    }
    .await
    .map_err(super::fail)
}

#[cfg(feature = "ssr")]
fn set_cookie(value: &str) -> Result<(), ApiError> {
    let response = use_context::<leptos_axum::ResponseOptions>().ok_or(ApiError::Internal)?;
    let value = http::HeaderValue::from_str(value).map_err(|_| ApiError::Internal)?;
    response.append_header(http::header::SET_COOKIE, value);
    Ok(())
}

/// The logged-in user, even one who must still choose a password (the password page).
#[server(prefix = "/api", endpoint = "account", output = crate::api::codec::JsonAnswer, client = crate::api::client::Client)]
pub async fn get_account() -> Result<crate::domain::agent::Agent, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.account(&headers).await
    }
    .await
    .map_err(super::fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_goes_through_the_address_as_a_fixed_word() {
        for refused in [
            LoginRefused::WrongCredentials,
            LoginRefused::AccountDisabled,
            LoginRefused::TooManyAttempts,
            LoginRefused::Other,
        ] {
            assert_eq!(LoginRefused::from_query(refused.as_query()), refused);
        }
        let wrong = LoginRefused::from_error(&ApiError::WrongCredentials);
        assert_eq!(
            wrong.message(crate::i18n::Locale::en),
            "Wrong username or password."
        );
        assert_eq!(
            wrong.message(crate::i18n::Locale::fr),
            "Nom d'utilisateur ou mot de passe incorrect."
        );
        assert_eq!(
            LoginRefused::from_query("<script>alert(1)</script>"),
            LoginRefused::Other
        );
    }
}
