//! Secrets at rest (SPEC D-2): the mailboxes' IMAP and SMTP passwords (later the Meta
//! tokens) are stored encrypted with XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`,
//! a random 24-byte nonce per value, so no nonce bookkeeping), under a key kept outside the
//! database: `SWITCHBOARD_ENCRYPTION_KEY` (64 hex digits) or else the file `encryption.key` in the
//! data directory, made at first use readable by this user only. A copy of the database
//! alone reveals no password. Each value is bound to what it belongs to (its "context", as
//! `mailbox:support-inbox:imap`): a ciphertext moved to another row does not decrypt.

use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};
use std::{fmt, path::Path};

/// The environment variable that holds the key (64 hex digits), when not in a file.
pub const KEY_VAR: &str = "SWITCHBOARD_ENCRYPTION_KEY";
/// The key file's name in the data directory.
pub const KEY_FILE: &str = "encryption.key";
/// Stored values start with it, so another scheme can come later.
const PREFIX: &str = "xc1:";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the encryption key is not 64 hexadecimal digits ({0})")]
    BadKey(String),
    #[error("the encryption key file {0} cannot be read or made: {1}")]
    KeyFile(String, std::io::Error),
    /// Wrong key, a value copied from another row, or a damaged value.
    #[error("a stored secret cannot be decrypted with this key (was the key changed?)")]
    Undecryptable,
}

/// The key, loaded once at start.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBox(<key hidden>)")
    }
}

impl SecretBox {
    /// The key from `SWITCHBOARD_ENCRYPTION_KEY` when set, else from the data directory's
    /// `encryption.key` (made with a random key, mode 0600, when missing).
    pub fn load(data_dir: &Path) -> Result<SecretBox, SecretError> {
        if let Ok(hex) = std::env::var(KEY_VAR) {
            if !hex.trim().is_empty() {
                return SecretBox::from_hex(hex.trim(), KEY_VAR);
            }
        }
        let path = data_dir.join(KEY_FILE);
        let shown = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => SecretBox::from_hex(text.trim(), &shown),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = XChaCha20Poly1305::generate_key(&mut OsRng);
                let hex = crate::hex::encode(key);
                std::fs::create_dir_all(data_dir)
                    .map_err(|e| SecretError::KeyFile(shown.clone(), e))?;
                write_private(&path, format!("{hex}\n").as_bytes())
                    .map_err(|e| SecretError::KeyFile(shown.clone(), e))?;
                tracing::info!(file = %shown, "encryption key made: back it up, apart from the database backups");
                SecretBox::from_hex(&hex, &shown)
            }
            Err(e) => Err(SecretError::KeyFile(shown, e)),
        }
    }

    /// A key given as 64 hex digits; `source` names where it came from, for the error.
    pub fn from_hex(hex: &str, source: &str) -> Result<SecretBox, SecretError> {
        let bytes = Some(hex)
            .filter(|h| h.len() == 64)
            .and_then(crate::hex::decode)
            .ok_or_else(|| SecretError::BadKey(source.to_string()))?;
        Ok(SecretBox {
            cipher: XChaCha20Poly1305::new_from_slice(&bytes)
                .map_err(|_| SecretError::BadKey(source.to_string()))?,
        })
    }

    /// `plain` encrypted for `context`, as text for a database column.
    pub fn seal(&self, context: &str, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("encryption of a short secret does not fail");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{PREFIX}{}", base64::Engine::encode(&B64, bytes))
    }

    /// What [`SecretBox::seal`] sealed for the same `context`.
    pub fn open(&self, context: &str, stored: &str) -> Result<String, SecretError> {
        let bytes = stored
            .strip_prefix(PREFIX)
            .and_then(|b| base64::Engine::decode(&B64, b).ok())
            .filter(|b| b.len() > 24)
            .ok_or(SecretError::Undecryptable)?;
        let (nonce, sealed) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Undecryptable)
    }
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Writes a file readable and writable by this user only (mode 0600 on Unix).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_context() {
        let secrets = SecretBox::from_hex(KEY, "test").unwrap();
        let sealed = secrets.seal("mailbox:1:imap", "hunter2-but-longer");
        assert!(!sealed.contains("hunter2"));
        assert_ne!(
            sealed,
            secrets.seal("mailbox:1:imap", "hunter2-but-longer"),
            "fresh nonce"
        );
        assert_eq!(
            secrets.open("mailbox:1:imap", &sealed).unwrap(),
            "hunter2-but-longer"
        );
        assert!(matches!(
            secrets.open("mailbox:2:imap", &sealed),
            Err(SecretError::Undecryptable)
        ));
        let other = SecretBox::from_hex(&KEY.replace("00", "ff"), "test").unwrap();
        assert!(other.open("mailbox:1:imap", &sealed).is_err());
        assert!(secrets.open("mailbox:1:imap", "plain text").is_err());
    }

    #[test]
    fn a_key_file_is_made_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = SecretBox::load(dir.path()).unwrap();
        let sealed = first.seal("c", "secret");
        let again = SecretBox::load(dir.path()).unwrap();
        assert_eq!(again.open("c", &sealed).unwrap(), "secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(
            SecretBox::from_hex("abc", "x"),
            Err(SecretError::BadKey(_))
        ));
    }
}
