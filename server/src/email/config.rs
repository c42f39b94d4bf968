//! The mailboxes Switchboard reads (SPEC E-1), each bound to a CSQ, from a JSON file named by
//! `SWITCHBOARD_MAILBOXES`. Passwords never reach a log: `Debug` hides them.

use serde::Deserialize;
use std::{fmt, path::Path};

pub use app::domain::mailboxes::{is_loopback, Security};

#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxConfig {
    /// A stable name: the mailbox's progress is kept under it.
    pub name: String,
    /// The CSQ (by name) its emails are routed to, in the import file.
    pub csq: String,
    /// The CSQ itself, once the mailbox is stored (the name is then only for logs).
    #[serde(skip)]
    pub csq_id: Option<app::domain::ids::CsqId>,
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_security")]
    pub security: Security,
    pub username: String,
    pub password: String,
    #[serde(default = "default_folder")]
    pub folder: String,
    /// Seconds between checks when the server does not offer IDLE (and between IDLE renewals).
    #[serde(default = "default_poll_secs")]
    pub poll_secs: u64,
    /// A PEM file of certificate authorities to trust besides the public ones (a company's
    /// own CA for its mail server).
    #[serde(default)]
    pub ca_file: Option<std::path::PathBuf>,
    /// The mailbox's own address, From of every reply (default: the username when it is an
    /// address). Never a Reply All recipient.
    #[serde(default)]
    pub address: Option<String>,
    /// The name shown with the address in the customer's mail program ("Shop Support").
    #[serde(default)]
    pub display_name: Option<String>,
    /// SPEC R-5: HTML appended to every reply sent from this mailbox (sanitized at send).
    #[serde(default)]
    pub signature_html: Option<String>,
    /// SPEC R-7: the SMTP server replies leave through. Without it, replies cannot be sent.
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
}

/// The SMTP server of a mailbox (SPEC E-1, R-7). Passwords never reach a log.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    /// tls (port 465), starttls (587, the default) or none (loopback only).
    #[serde(default = "default_smtp_security")]
    pub security: Security,
    /// Without a username, no authentication is attempted.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub ca_file: Option<std::path::PathBuf>,
}

fn default_smtp_security() -> Security {
    Security::Starttls
}

impl SmtpConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Tls => 465,
            Security::Starttls => 587,
            Security::None => 25,
        })
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port())
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

fn default_security() -> Security {
    Security::Tls
}
fn default_folder() -> String {
    "INBOX".into()
}
fn default_poll_secs() -> u64 {
    60
}

impl fmt::Debug for MailboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailboxConfig")
            .field("name", &self.name)
            .field("csq", &self.csq)
            .field("host", &self.host)
            .field("port", &self.port())
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .field("folder", &self.folder)
            .field("ca_file", &self.ca_file)
            .field("address", &self.address())
            .field("smtp", &self.smtp)
            .finish()
    }
}

impl MailboxConfig {
    /// The mailbox's own address (From of replies).
    pub fn address(&self) -> String {
        match &self.address {
            Some(a) if !a.trim().is_empty() => a.trim().to_string(),
            _ if self.username.contains('@') => self.username.clone(),
            _ => format!("{}@{}", self.username, self.host),
        }
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Tls => 993,
            Security::Starttls | Security::None => 143,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the mailbox configuration {0}: {1}")]
    Read(String, std::io::Error),
    #[error("the mailbox configuration {0} is not valid: {1}")]
    Parse(String, serde_json::Error),
    #[error("mailbox {0:?}: an unencrypted connection is allowed only to this machine (loopback), not to {1:?}; use \"tls\" or \"starttls\"")]
    PlainNotLoopback(String, String),
    #[error("mailbox {0:?} appears twice")]
    Duplicate(String),
    #[error("mailbox {0:?}: its address {1:?} is not a valid email address (set \"address\")")]
    Address(String, String),
    #[error("mailbox {0:?}: poll_secs must be between 1 and 3600")]
    Poll(String),
}

/// Reads and checks the mailboxes file.
pub fn load(path: &Path) -> Result<Vec<MailboxConfig>, ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read(name.clone(), e))?;
    parse(&text).map_err(|e| match e {
        ConfigError::Parse(_, e) => ConfigError::Parse(name, e),
        e => e,
    })
}

pub fn parse(text: &str) -> Result<Vec<MailboxConfig>, ConfigError> {
    let mailboxes: Vec<MailboxConfig> =
        serde_json::from_str(text).map_err(|e| ConfigError::Parse(String::new(), e))?;
    let mut names = std::collections::HashSet::new();
    for m in &mailboxes {
        if m.security == Security::None && !is_loopback(&m.host) {
            return Err(ConfigError::PlainNotLoopback(
                m.name.clone(),
                m.host.clone(),
            ));
        }
        if let Some(smtp) = m.smtp.as_ref().filter(|s| s.security == Security::None) {
            if !is_loopback(&smtp.host) {
                return Err(ConfigError::PlainNotLoopback(
                    m.name.clone(),
                    smtp.host.clone(),
                ));
            }
        }
        // Replies leave From this address: it must be one.
        if m.smtp.is_some() && !app::domain::validate::is_valid_email(&m.address()) {
            return Err(ConfigError::Address(m.name.clone(), m.address()));
        }
        if !names.insert(m.name.clone()) {
            return Err(ConfigError::Duplicate(m.name.clone()));
        }
        if !(1..=3600).contains(&m.poll_secs) {
            return Err(ConfigError::Poll(m.name.clone()));
        }
    }
    Ok(mailboxes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_imap_only_on_loopback() {
        let plain = |host: &str| {
            format!(
                r#"[{{"name":"s","csq":"Support","host":"{host}","security":"none","username":"u","password":"p"}}]"#
            )
        };
        assert!(parse(&plain("127.0.0.1")).is_ok());
        assert!(parse(&plain("localhost")).is_ok());
        assert!(parse(&plain("::1")).is_ok());
        let err = parse(&plain("mail.example.com")).unwrap_err().to_string();
        assert!(
            err.contains("mail.example.com") && err.contains("tls"),
            "{err}"
        );
    }

    #[test]
    fn defaults_are_tls_on_993_and_the_inbox() {
        let m = &parse(r#"[{"name":"s","csq":"Support","host":"imap.example.com","username":"u","password":"hunter2"}]"#)
            .unwrap()[0];
        assert_eq!(
            (m.security, m.port(), m.folder.as_str()),
            (Security::Tls, 993, "INBOX")
        );
        assert!(!format!("{m:?}").contains("hunter2"), "no password in logs");
        assert_eq!(m.address(), "u@imap.example.com");
    }

    /// SPEC R-7: the SMTP server of a mailbox; plain only on loopback, no password logged.
    #[test]
    fn smtp_settings() {
        let m = &parse(r#"[{"name":"s","csq":"Support","host":"imap.example.com","username":"help@shop.test","password":"p",
            "smtp":{"host":"smtp.example.com","username":"help@shop.test","password":"smtp-secret"}}]"#)
            .unwrap()[0];
        let smtp = m.smtp.as_ref().unwrap();
        assert_eq!((smtp.security, smtp.port()), (Security::Starttls, 587));
        assert_eq!(m.address(), "help@shop.test");
        assert!(
            !format!("{m:?}").contains("smtp-secret"),
            "no password in logs"
        );
        let plain = r#"[{"name":"s","csq":"Support","host":"127.0.0.1","security":"none","username":"u@x.test","password":"p",
            "smtp":{"host":"smtp.example.com","security":"none"}}]"#;
        assert!(parse(plain)
            .unwrap_err()
            .to_string()
            .contains("smtp.example.com"));
    }
}
