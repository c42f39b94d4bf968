//! How Meta proves a webhook post is its own: `X-Hub-Signature-256: sha256=<hex>`, the
//! HMAC-SHA256 of the raw body keyed with the app secret. Checked on the bytes as received,
//! before anything is parsed, in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The signature header's name.
pub const HEADER: &str = "x-hub-signature-256";

/// Whether `header` (the header's value, if any) signs `body` with `app_secret`.
pub fn signed_by(app_secret: &[u8], body: &[u8], header: Option<&[u8]>) -> bool {
    let Some(claimed) = header
        .and_then(|h| h.strip_prefix(b"sha256="))
        .and_then(crate::hex::decode)
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes a key of any size");
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&claimed).is_ok()
}

/// The header value for `body` signed with `app_secret` (what Meta sends; for tests and the
/// fake Graph API).
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes a key of any size");
    mac.update(body);
    format!("sha256={}", crate::hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_app_secrets_signature_of_these_very_bytes_passes() {
        let body = br#"{"object":"page","entry":[]}"#;
        let header = sign(b"app-secret", body);
        assert!(header.starts_with("sha256=") && header.len() == 7 + 64);
        assert!(signed_by(b"app-secret", body, Some(header.as_bytes())));
        assert!(signed_by(
            b"app-secret",
            body,
            Some(
                header
                    .to_uppercase()
                    .replace("SHA256=", "sha256=")
                    .as_bytes()
            )
        ));
        assert!(!signed_by(b"other-secret", body, Some(header.as_bytes())));
        assert!(!signed_by(
            b"app-secret",
            br#"{"object":"page","entry":[ ]}"#,
            Some(header.as_bytes())
        ));
        assert!(!signed_by(b"app-secret", body, None));
        assert!(!signed_by(
            b"app-secret",
            body,
            Some(&header.as_bytes()[7..])
        ));
        assert!(!signed_by(b"app-secret", body, Some(b"sha256=zz")));
        assert!(!signed_by(b"app-secret", body, Some(b"sha256=")));
        // The older SHA-1 header's shape is not accepted in its place.
        assert!(!signed_by(
            b"app-secret",
            body,
            Some(b"sha1=0123456789abcdef0123456789abcdef01234567")
        ));
    }

    #[test]
    fn a_known_vector_of_hmac_sha256() {
        // RFC 4231, test case 2.
        let header = sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            header,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
