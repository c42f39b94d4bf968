//! The customer's chat cookie: the chat's signed token (see [`crate::contact::token`]),
//! HttpOnly, sent only to the widget's routes.

/// Name of the widget's HttpOnly cookie, sent only to `/widget`.
pub const CHAT_COOKIE: &str = "sb_chat";

/// The `Set-Cookie` value for a chat: HttpOnly, for `/widget` only. Over HTTPS it is
/// `SameSite=None; Secure; Partitioned` so the widget works inside other sites' pages.
pub fn chat_cookie(token: &str, secure: bool) -> String {
    let site = if secure {
        "SameSite=None; Secure; Partitioned"
    } else {
        "SameSite=Lax"
    };
    format!("{CHAT_COOKIE}={token}; Path=/widget; HttpOnly; {site}; Max-Age=86400")
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
}
