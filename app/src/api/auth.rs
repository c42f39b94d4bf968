//! Log in, log out, and change one's own password.

use super::ApiError;
use leptos::prelude::*;

/// Opens a session and sends the browser to the desktop.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<(), ApiError> {
    login_checked(username, password).await.map_err(super::fail)
}

#[cfg(feature = "ssr")]
async fn login_checked(username: String, password: String) -> Result<(), ApiError> {
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
    let outcome = super::backend()?
        .login(username.trim(), &password, client_info())
        .await?;
    set_cookie(&outcome.cookie)?;
    leptos_axum::redirect(if outcome.must_change_password {
        "/password"
    } else {
        "/"
    });
    Ok(())
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
#[server(prefix = "/api", endpoint = "password")]
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

/// Ends the session. Refused unless the agent is Not Ready (SPEC S-1).
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), ApiError> {
    async {
        let headers = super::request_headers()?;
        let cookie = super::backend()?.logout(&headers).await?;
        set_cookie(&cookie)
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
#[server(prefix = "/api", endpoint = "account")]
pub async fn get_account() -> Result<crate::domain::agent::Agent, ApiError> {
    async {
        let headers = super::request_headers()?;
        super::backend()?.account(&headers).await
    }
    .await
    .map_err(super::fail)
}
