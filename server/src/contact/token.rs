//! Signed tokens that open one contact, or one thing of it, and nothing else: an id signed
//! with the server's secret (HMAC-SHA256) for one purpose, optionally until an expiry (the
//! customer's chat cookie and the cookie that remembers them, the addresses of an email's
//! inline images).

use app::domain::ids::{ContactId, CustomerId};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct TokenKey(Vec<u8>);

impl TokenKey {
    pub fn new(secret: Vec<u8>) -> Self {
        TokenKey(secret)
    }

    fn mac(&self, purpose: &str, id: i64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("{purpose}:{id}").as_bytes());
        mac
    }

    pub fn sign(&self, contact: ContactId) -> String {
        self.sign_purpose("chat", contact.0)
    }

    /// The chat a token opens, if its signature holds (compared in constant time).
    pub fn verify(&self, token: &str) -> Option<ContactId> {
        self.verify_purpose("chat", token).map(ContactId)
    }

    /// Issue 17: the customer a widget's browser is remembered as, until `expires_at_secs`
    /// (its own purpose: a chat's token never passes for a customer's, and a copy kept past
    /// the cookie's year opens nothing).
    pub fn sign_customer(&self, customer: CustomerId, expires_at_secs: i64) -> String {
        self.sign_until("customer", customer.0, expires_at_secs)
    }

    pub fn verify_customer(&self, token: &str, now_secs: i64) -> Option<CustomerId> {
        self.verify_until("customer", token, now_secs)
            .map(CustomerId)
    }

    /// `<id>.<hex HMAC of "purpose:id">`: a token for one thing and one use only.
    pub fn sign_purpose(&self, purpose: &str, id: i64) -> String {
        let tag = self.mac(purpose, id).finalize().into_bytes();
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        format!("{id}.{hex}")
    }

    /// `<expiry>.<id>.<hex HMAC of "purpose@expiry:id">`: like [`Self::sign_purpose`], good
    /// until `expires_at_secs` (Unix seconds) only, so an address that leaks (a shared
    /// screenshot, a log) soon opens nothing.
    pub fn sign_until(&self, purpose: &str, id: i64, expires_at_secs: i64) -> String {
        let signed = self.sign_purpose(&format!("{purpose}@{expires_at_secs}"), id);
        format!("{expires_at_secs}.{signed}")
    }

    /// The id of a [`Self::sign_until`] token, if it holds and has not expired at `now_secs`.
    pub fn verify_until(&self, purpose: &str, token: &str, now_secs: i64) -> Option<i64> {
        let (expires, signed) = token.split_once('.')?;
        let expires: i64 = expires.parse().ok()?;
        if expires < now_secs {
            return None;
        }
        self.verify_purpose(&format!("{purpose}@{expires}"), signed)
    }

    pub fn verify_purpose(&self, purpose: &str, token: &str) -> Option<i64> {
        let (id, hex) = token.split_once('.')?;
        let id: i64 = id.parse().ok()?;
        if hex.len() != 64 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..32)
            .map(|i| u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok())
            .collect();
        self.mac(purpose, id).verify_slice(&bytes?).ok()?;
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_its_own_chat_only() {
        let key = TokenKey::new(b"secret".to_vec());
        let token = key.sign(ContactId(42));
        assert_eq!(key.verify(&token), Some(ContactId(42)));
        let forged = token.replacen("42.", "43.", 1);
        assert_eq!(key.verify(&forged), None, "another chat's id");
        assert_eq!(TokenKey::new(b"other".to_vec()).verify(&token), None);
        assert_eq!(key.verify("42.zz"), None);
        assert_eq!(key.verify("garbage"), None);
    }

    #[test]
    fn an_expiring_token_holds_until_its_time_only() {
        let key = TokenKey::new(b"secret".to_vec());
        let token = key.sign_until("inline", 7, 1_000);
        assert_eq!(key.verify_until("inline", &token, 999), Some(7));
        assert_eq!(key.verify_until("inline", &token, 1_000), Some(7));
        assert_eq!(key.verify_until("inline", &token, 1_001), None, "expired");
        let later = token.replacen("1000.", "9000.", 1);
        assert_eq!(
            key.verify_until("inline", &later, 999),
            None,
            "expiry moved"
        );
        assert_eq!(
            key.verify_until("chat", &token, 999),
            None,
            "another purpose"
        );
        let other = key.sign_until("inline", 8, 1_000).replacen(".8.", ".7.", 1);
        assert_eq!(
            key.verify_until("inline", &other, 999),
            None,
            "another file"
        );
    }
}
