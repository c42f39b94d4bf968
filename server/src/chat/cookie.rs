//! The customer's cookies, HttpOnly and sent only to the widget's routes: the chat's signed
//! token (see [`crate::contact::token`]), and (issue 17) the customer's, which remembers
//! the browser as its customer for a year so a returning customer's chats make one history.

use app::domain::limits::CUSTOMER_COOKIE_DAYS;

/// Name of the widget's HttpOnly cookie, sent only to `/widget`.
pub const CHAT_COOKIE: &str = "sb_chat";

/// Name of the cookie that remembers the widget's browser as its customer.
pub const CUSTOMER_COOKIE: &str = "sb_customer";

fn same_site(secure: bool) -> &'static str {
    if secure {
        "SameSite=None; Secure; Partitioned"
    } else {
        "SameSite=Lax"
    }
}

/// The `Set-Cookie` value that remembers the customer (a signed token of their id) for
/// [`CUSTOMER_COOKIE_DAYS`] days.
pub fn customer_cookie(token: &str, secure: bool) -> String {
    let max_age = CUSTOMER_COOKIE_DAYS * 86_400;
    format!(
        "{CUSTOMER_COOKIE}={token}; Path=/widget; HttpOnly; {}; Max-Age={max_age}",
        same_site(secure)
    )
}

/// The `Set-Cookie` value that forgets the customer (the browser drops it at once).
pub fn forget_customer_cookie(secure: bool) -> String {
    format!(
        "{CUSTOMER_COOKIE}=; Path=/widget; HttpOnly; {}; Max-Age=0",
        same_site(secure)
    )
}

/// The `Set-Cookie` value that drops the chat cookie (its chat is over and forgotten).
pub fn forget_chat_cookie(secure: bool) -> String {
    format!(
        "{CHAT_COOKIE}=; Path=/widget; HttpOnly; {}; Max-Age=0",
        same_site(secure)
    )
}

/// The `Set-Cookie` value for a chat: HttpOnly, for `/widget` only. Over HTTPS it is
/// `SameSite=None; Secure; Partitioned` so the widget works inside other sites' pages.
pub fn chat_cookie(token: &str, secure: bool) -> String {
    format!(
        "{CHAT_COOKIE}={token}; Path=/widget; HttpOnly; {}; Max-Age=86400",
        same_site(secure)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_http_only_and_scoped_to_the_widget() {
        let c = chat_cookie("t", false);
        assert!(c.contains("HttpOnly") && c.contains("Path=/widget") && c.contains("SameSite=Lax"));
        assert!(chat_cookie("t", true).contains("SameSite=None; Secure; Partitioned"));
    }

    #[test]
    fn the_customer_is_remembered_a_year_and_forgotten_at_once() {
        let c = customer_cookie("t", true);
        assert!(c.starts_with("sb_customer=t;"));
        assert!(c.contains("HttpOnly") && c.contains("Path=/widget") && c.contains("Secure"));
        assert!(c.ends_with("Max-Age=31536000"));
        let gone = forget_customer_cookie(false);
        assert!(gone.starts_with("sb_customer=;") && gone.ends_with("Max-Age=0"));
    }
}
