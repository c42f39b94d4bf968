//! The mailboxes Switchboard reads (SPEC E-1), each bound to a CSQ, from a JSON file named by
//! `SWITCHBOARD_MAILBOXES`. Passwords never reach a log: `Debug` hides them.

use serde::Deserialize;
use std::{fmt, net::IpAddr, path::Path};

/// How the connection to the IMAP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS before login (port 143).
    Starttls,
    /// No encryption: refused unless the server is on this machine (loopback).
    None,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxConfig {
    /// A stable name: the mailbox's progress is kept under it.
    pub name: String,
    /// The CSQ (by name) its emails are routed to.
    pub csq: String,
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
            .finish()
    }
}

impl MailboxConfig {
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
    #[error("mailbox {0:?}: poll_secs must be between 1 and 3600")]
    Poll(String),
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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
    }
}
