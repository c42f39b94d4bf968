//! Log in and log out.

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
    // The server's middleware records the peer address in the request's extensions.
    let client = use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<super::ClientInfo>().cloned())
        .unwrap_or_default();
    let cookie = super::backend()?
        .login(username.trim(), &password, client)
        .await?;
    set_cookie(&cookie)?;
    leptos_axum::redirect("/");
    Ok(())
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
