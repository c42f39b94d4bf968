//! Mailboxes as the administrators set them up (SPEC E-1, R-5, R-7, D-2): the IMAP server
//! read for new emails, the CSQ they go to, the SMTP server replies leave through, the
//! sender's address and name, and the signature. Passwords are write-only: the page sends
//! one to set or replace it and never receives one back ([`MailboxAdmin`] only says whether
//! each is set). The page checks these rules as the administrator types; the server again.

use super::{
    ids::{CsqId, MailboxId},
    limits::{
        MAX_FOLDER_CHARS, MAX_HOST_CHARS, MAX_MAILBOX_NAME_CHARS, MAX_MAIL_USERNAME_CHARS,
        MAX_SECRET_CHARS, MAX_SIGNATURE_BYTES, MAX_USER_NAME_CHARS,
    },
    validate::{all_or_errors, is_valid_email, validate_required_text, Field, FieldError, Problem},
};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};

/// What a mailbox's connector last reported, as the administration shows it: kept as a
/// fact and worded on the page in the reader's language (a report shared between server
/// processes goes through the database as this, in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConnectorStatus {
    /// Started, and not answered yet.
    Connecting,
    /// Logged in with its folder open.
    Connected,
    /// The administrator disabled it: not read.
    Disabled,
    /// With several server processes, another one reads the mailbox (this one takes over
    /// if that one stops) and has not reported yet.
    ReadElsewhere,
    /// The last connection failed, and why; it tries again in `retry_in_secs`.
    NotConnected {
        fault: ConnectorFault,
        retry_in_secs: u64,
    },
    /// A stored password cannot be opened with this server's encryption key (the key was
    /// changed, or the database copied from another server): not started.
    PasswordUndecryptable,
    /// Its stored settings could not be used (say why).
    NotStarted { detail: String },
}

/// Why a connector could not connect: our part worded in the reader's language, what the
/// mail server or the system said (`detail`) as it said it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConnectorFault {
    /// The network or TLS failed.
    Connection { detail: String },
    /// The mail server answered with an error.
    Imap { detail: String },
    /// The mail server closed the connection.
    Closed,
    /// The mail server refused the login.
    LoginRefused { detail: String },
    /// The mail server refused to switch to TLS.
    NoStarttls { detail: String },
    /// The queue a mailbox file names does not exist: its emails wait in the mailbox.
    UnknownCsq { csq: String },
    /// Anything else, as the server says it.
    Other { detail: String },
}

impl ConnectorFault {
    pub fn message(&self, locale: Locale) -> String {
        match self {
            ConnectorFault::Connection { detail } => {
                td_string!(locale, system.connector.fault.connection, detail).to_string()
            }
            ConnectorFault::Imap { detail } => {
                td_string!(locale, system.connector.fault.imap, detail).to_string()
            }
            ConnectorFault::Closed => td_string!(locale, system.connector.fault.closed).to_string(),
            ConnectorFault::LoginRefused { detail } => {
                td_string!(locale, system.connector.fault.login_refused, detail).to_string()
            }
            ConnectorFault::NoStarttls { detail } => {
                td_string!(locale, system.connector.fault.no_starttls, detail).to_string()
            }
            ConnectorFault::UnknownCsq { csq } => {
                td_string!(locale, system.connector.fault.unknown_csq, csq).to_string()
            }
            ConnectorFault::Other { detail } => detail.clone(),
        }
    }
}

impl ConnectorStatus {
    /// The sentence the administration shows.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            ConnectorStatus::Connecting => {
                td_string!(locale, system.connector.connecting).to_string()
            }
            ConnectorStatus::Connected => {
                td_string!(locale, system.connector.connected).to_string()
            }
            ConnectorStatus::Disabled => td_string!(locale, system.connector.disabled).to_string(),
            ConnectorStatus::ReadElsewhere => {
                td_string!(locale, system.connector.read_elsewhere).to_string()
            }
            ConnectorStatus::NotConnected {
                fault,
                retry_in_secs,
            } => td_string!(
                locale,
                system.connector.not_connected,
                detail = fault.message(locale),
                secs = retry_in_secs
            )
            .to_string(),
            ConnectorStatus::PasswordUndecryptable => {
                td_string!(locale, system.connector.password_undecryptable).to_string()
            }
            ConnectorStatus::NotStarted { detail } => {
                td_string!(locale, system.connector.not_started, detail).to_string()
            }
        }
    }
}

/// How the connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (IMAP 993, SMTP 465).
    #[default]
    Tls,
    /// A plain connection upgraded with STARTTLS before login (IMAP 143, SMTP 587).
    Starttls,
    /// No encryption: only to a server on the same machine (loopback).
    None,
}

impl Security {
    pub const ALL: [Security; 3] = [Security::Tls, Security::Starttls, Security::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::Starttls => "starttls",
            Security::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Security> {
        Security::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self, locale: crate::i18n::Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            Security::Tls => td_string!(locale, common.security.tls),
            Security::Starttls => td_string!(locale, common.security.starttls),
            Security::None => td_string!(locale, common.security.none),
        }
    }

    /// The usual IMAP port with this protection.
    pub fn imap_port(self) -> u16 {
        match self {
            Security::Tls => 993,
            Security::Starttls | Security::None => 143,
        }
    }

    /// The usual SMTP port with this protection.
    pub fn smtp_port(self) -> u16 {
        match self {
            Security::Tls => 465,
            Security::Starttls => 587,
            Security::None => 25,
        }
    }
}

/// Whether `host` names this machine (an unencrypted connection is allowed only there).
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim().trim_matches(|c| c == '[' || c == ']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A mail server: where, how protected, and the login (the password apart).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Server {
    pub host: String,
    /// None: the usual port for `security`.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    /// For SMTP, empty: no authentication.
    #[serde(default)]
    pub username: String,
}

/// A mailbox as the administration lists it: never a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxAdmin {
    pub id: MailboxId,
    pub name: String,
    pub csq: CsqId,
    /// A disabled mailbox is not read; replies to its emails still leave through its SMTP.
    pub enabled: bool,
    pub imap: Server,
    pub folder: String,
    pub imap_password_set: bool,
    pub smtp: Server,
    pub smtp_password_set: bool,
    /// From of every reply.
    pub address: String,
    /// Shown with the address in the customer's mail program ("Shop Support").
    pub display_name: String,
    /// SPEC R-5: appended to every reply (HTML, sanitized on save).
    pub signature_html: String,
    /// What its connector last reported (none: not started).
    #[serde(default)]
    pub status: Option<ConnectorStatus>,
    /// With several server processes, another one reads it: `status` is that one's report
    /// (or [`ConnectorStatus::ReadElsewhere`] until it has made one).
    #[serde(default)]
    pub read_elsewhere: bool,
}

/// What the administrator saves or tests: a new mailbox (`id` none) or a change to one.
/// Its `Debug` hides both passwords.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MailboxEdit {
    pub id: Option<MailboxId>,
    pub name: String,
    pub csq: Option<CsqId>,
    #[serde(default)]
    pub enabled: bool,
    pub imap: Server,
    pub folder: String,
    /// A new IMAP password; empty keeps the one stored.
    #[serde(default)]
    pub imap_password: String,
    pub smtp: Server,
    /// A new SMTP password; empty keeps the one stored.
    #[serde(default)]
    pub smtp_password: String,
    pub address: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub signature_html: String,
}

impl std::fmt::Debug for MailboxEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |p: &str| if p.is_empty() { "" } else { "<hidden>" };
        f.debug_struct("MailboxEdit")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("csq", &self.csq)
            .field("enabled", &self.enabled)
            .field("imap", &self.imap)
            .field("folder", &self.folder)
            .field("imap_password", &hidden(&self.imap_password))
            .field("smtp", &self.smtp)
            .field("smtp_password", &hidden(&self.smtp_password))
            .field("address", &self.address)
            .field("display_name", &self.display_name)
            .finish_non_exhaustive()
    }
}

impl MailboxEdit {
    /// The form of a stored mailbox (passwords left empty: kept).
    pub fn of(m: &MailboxAdmin) -> Self {
        MailboxEdit {
            id: Some(m.id),
            name: m.name.clone(),
            csq: Some(m.csq),
            enabled: m.enabled,
            imap: m.imap.clone(),
            folder: m.folder.clone(),
            imap_password: String::new(),
            smtp: m.smtp.clone(),
            smtp_password: String::new(),
            address: m.address.clone(),
            display_name: m.display_name.clone(),
            signature_html: m.signature_html.clone(),
        }
    }

    /// The same, trimmed where spaces mean nothing (passwords are kept as typed).
    pub fn normalized(self) -> Self {
        let server = |s: Server| Server {
            host: s.host.trim().to_string(),
            username: s.username.trim().to_string(),
            ..s
        };
        MailboxEdit {
            name: self.name.trim().to_string(),
            imap: server(self.imap),
            folder: self.folder.trim().to_string(),
            smtp: server(self.smtp),
            address: self.address.trim().to_string(),
            display_name: self.display_name.trim().to_string(),
            ..self
        }
    }

    /// Every problem the page can see. `others` are the other mailboxes (for the name);
    /// `csqs` (id, retired) where emails may go; `stored` the mailbox as saved, if any
    /// (whether its passwords are set).
    pub fn validate(
        &self,
        others: &[MailboxAdmin],
        csqs: &[(CsqId, bool)],
        stored: Option<&MailboxAdmin>,
    ) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if let Err(e) = validate_required_text(Field::MailboxName, name, MAX_MAILBOX_NAME_CHARS) {
            errors.push(e);
        } else if others
            .iter()
            .any(|m| Some(m.id) != self.id && m.name.trim().to_lowercase() == name.to_lowercase())
        {
            errors.push(FieldError::new(
                Field::MailboxName,
                Problem::Duplicate {
                    value: name.to_string(),
                },
            ));
        }
        match self.csq.map(|c| (c, csqs.iter().find(|(id, _)| *id == c))) {
            None => errors.push(FieldError::new(Field::Csqs, Problem::Required)),
            Some((c, None)) => {
                errors.push(FieldError::new(Field::Csqs, Problem::UnknownId { id: c.0 }))
            }
            Some((c, Some((_, true)))) if stored.is_none_or(|s| s.csq != c) => {
                errors.push(FieldError::new(Field::Csqs, Problem::Retired))
            }
            Some(_) => {}
        }
        server_errors(&self.imap, Field::ImapHost, Field::ImapPort, &mut errors);
        if let Err(e) = validate_required_text(
            Field::ImapUsername,
            &self.imap.username,
            MAX_MAIL_USERNAME_CHARS,
        ) {
            errors.push(e);
        }
        if let Err(e) = validate_required_text(Field::Folder, &self.folder, MAX_FOLDER_CHARS) {
            errors.push(e);
        }
        // A saved password is kept only for the server and login it was typed for: sent to
        // another, it would go to whoever runs that one.
        let imap_set = stored.is_some_and(|s| s.imap_password_set && s.imap == self.imap);
        password_errors(
            &self.imap_password,
            imap_set,
            true,
            Field::ImapPassword,
            &mut errors,
        );
        server_errors(&self.smtp, Field::SmtpHost, Field::SmtpPort, &mut errors);
        if self.smtp.username.chars().count() > MAX_MAIL_USERNAME_CHARS {
            errors.push(FieldError::new(
                Field::SmtpUsername,
                Problem::TooManyChars {
                    max: MAX_MAIL_USERNAME_CHARS,
                    given: self.smtp.username.chars().count(),
                },
            ));
        }
        // A password goes with a username: without one, no authentication is tried.
        let smtp_set = stored.is_some_and(|s| s.smtp_password_set && s.smtp == self.smtp);
        let smtp_auth = !self.smtp.username.trim().is_empty();
        password_errors(
            &self.smtp_password,
            smtp_set,
            smtp_auth,
            Field::SmtpPassword,
            &mut errors,
        );
        let address = self.address.trim();
        if address.is_empty() {
            errors.push(FieldError::new(Field::SenderAddress, Problem::Required));
        } else if !is_valid_email(address) {
            errors.push(FieldError::new(
                Field::SenderAddress,
                Problem::InvalidEmail {
                    value: address.to_string(),
                },
            ));
        }
        let given = self.display_name.trim().chars().count();
        if given > MAX_USER_NAME_CHARS {
            errors.push(FieldError::new(
                Field::SenderName,
                Problem::TooManyChars {
                    max: MAX_USER_NAME_CHARS,
                    given,
                },
            ));
        }
        let given = self.signature_html.len() as u64;
        if given > MAX_SIGNATURE_BYTES {
            errors.push(FieldError::new(
                Field::Signature,
                Problem::TooLarge {
                    max_bytes: MAX_SIGNATURE_BYTES,
                    given_bytes: given,
                },
            ));
        }
        all_or_errors(errors)
    }

    /// What changed, for the audit (never a password: only that one was replaced).
    pub fn describe(&self, before: Option<&MailboxAdmin>) -> String {
        let Some(b) = before else {
            return format!(
                "created {:?}: IMAP {}@{} -> CSQ {}, SMTP {}, from {}",
                self.name,
                self.imap.username,
                self.imap.host,
                self.csq.map_or(0, |c| c.0),
                self.smtp.host,
                self.address
            );
        };
        let mut changes = Vec::new();
        let mut note = |what: &str, was: String, now: String| {
            if was != now {
                changes.push(format!("{what} {was:?} -> {now:?}"));
            }
        };
        note("name", b.name.clone(), self.name.clone());
        note(
            "CSQ",
            b.csq.0.to_string(),
            self.csq.map_or(0, |c| c.0).to_string(),
        );
        note("enabled", b.enabled.to_string(), self.enabled.to_string());
        note(
            "IMAP",
            describe_server(&b.imap),
            describe_server(&self.imap),
        );
        note("folder", b.folder.clone(), self.folder.clone());
        note(
            "SMTP",
            describe_server(&b.smtp),
            describe_server(&self.smtp),
        );
        note("address", b.address.clone(), self.address.clone());
        note(
            "sender name",
            b.display_name.clone(),
            self.display_name.clone(),
        );
        if b.signature_html != self.signature_html {
            changes.push("signature changed".into());
        }
        if !self.imap_password.is_empty() {
            changes.push("IMAP password replaced".into());
        }
        if !self.smtp_password.is_empty() && !self.smtp.username.trim().is_empty() {
            changes.push("SMTP password replaced".into());
        }
        if changes.is_empty() {
            format!("{:?}: nothing changed", self.name)
        } else {
            format!("{:?}: {}", self.name, changes.join("; "))
        }
    }
}

fn describe_server(s: &Server) -> String {
    format!(
        "{}@{}:{} {}",
        s.username,
        s.host,
        s.port.map_or("default".into(), |p| p.to_string()),
        s.security.as_str()
    )
}

fn server_errors(
    server: &Server,
    host_field: Field,
    port_field: Field,
    errors: &mut Vec<FieldError>,
) {
    let host = server.host.trim();
    if let Err(e) = validate_required_text(host_field.clone(), host, MAX_HOST_CHARS) {
        errors.push(e);
    } else if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
    {
        errors.push(FieldError::new(host_field, Problem::InvalidHost));
    } else if server.security == Security::None && !is_loopback(host) {
        errors.push(FieldError::new(host_field, Problem::PlainNotLoopback));
    }
    if server.port == Some(0) {
        errors.push(FieldError::new(
            port_field,
            Problem::OutOfRange {
                min: 1,
                max: 65_535,
                given: 0,
            },
        ));
    }
}

fn password_errors(
    typed: &str,
    stored: bool,
    needed: bool,
    field: Field,
    errors: &mut Vec<FieldError>,
) {
    let given = typed.chars().count();
    if given > MAX_SECRET_CHARS {
        errors.push(FieldError::new(
            field,
            Problem::TooManyChars {
                max: MAX_SECRET_CHARS,
                given,
            },
        ));
    } else if needed && given == 0 && !stored {
        errors.push(FieldError::new(field, Problem::Required));
    }
}

/// What "Test connection" found on one mail server (SPEC D-2), as data until it is worded
/// in the administrator's language. `detail` is the mail server's or the library's own
/// words, kept as they are; ports and seconds are written whole (a port is a name, not a
/// quantity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailCheck {
    /// IMAP: logged in, the folder opened.
    ImapOpened {
        host: String,
        folder: String,
    },
    /// IMAP: logged in, but the folder cannot be opened.
    FolderRefused {
        host: String,
        folder: String,
        detail: String,
    },
    /// Nothing came back within the test's time.
    NoAnswer {
        host: String,
        port: u16,
        secs: u64,
    },
    /// The mailbox has no SMTP server: replies cannot leave.
    NoSmtp,
    /// SMTP: connected and logged in.
    SmtpLoggedIn {
        host: String,
        port: u16,
        user: String,
    },
    /// SMTP: connected; no login configured.
    SmtpNoLogin {
        host: String,
        port: u16,
    },
    /// Something answered, but not as an SMTP server.
    NotSmtp {
        host: String,
        port: u16,
    },
    CertificateRefused {
        host: String,
        detail: String,
    },
    NoStarttls {
        host: String,
        port: u16,
        detail: String,
    },
    LoginRefused {
        host: String,
        detail: String,
    },
    Unreachable {
        host: String,
        port: u16,
        detail: String,
    },
    /// Any other failure, with the server's address.
    Failed {
        host: String,
        port: u16,
        detail: String,
    },
    /// The connection could not even be set up (a CA file unreadable...): the library's
    /// words alone.
    Setup(String),
}

impl MailCheck {
    /// The line of the test report, in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            MailCheck::ImapOpened { host, folder } => {
                td_string!(locale, system.mail_check.imap_opened, host, folder).to_string()
            }
            MailCheck::FolderRefused {
                host,
                folder,
                detail,
            } => td_string!(
                locale,
                system.mail_check.folder_refused,
                host,
                folder,
                detail
            )
            .to_string(),
            MailCheck::NoAnswer { host, port, secs } => {
                td_string!(locale, system.mail_check.no_answer, host, port, secs).to_string()
            }
            MailCheck::NoSmtp => td_string!(locale, system.mail_check.no_smtp).to_string(),
            MailCheck::SmtpLoggedIn { host, port, user } => {
                td_string!(locale, system.mail_check.smtp_logged_in, host, port, user).to_string()
            }
            MailCheck::SmtpNoLogin { host, port } => {
                td_string!(locale, system.mail_check.smtp_no_login, host, port).to_string()
            }
            MailCheck::NotSmtp { host, port } => {
                td_string!(locale, system.mail_check.not_smtp, host, port).to_string()
            }
            MailCheck::CertificateRefused { host, detail } => {
                td_string!(locale, system.mail_check.certificate_refused, host, detail).to_string()
            }
            MailCheck::NoStarttls { host, port, detail } => {
                td_string!(locale, system.mail_check.no_starttls, host, port, detail).to_string()
            }
            MailCheck::LoginRefused { host, detail } => {
                td_string!(locale, system.mail_check.login_refused, host, detail).to_string()
            }
            MailCheck::Unreachable { host, port, detail } => {
                td_string!(locale, system.mail_check.unreachable, host, port, detail).to_string()
            }
            MailCheck::Failed { host, port, detail } => {
                td_string!(locale, system.mail_check.failed, host, port, detail).to_string()
            }
            MailCheck::Setup(detail) => detail.clone(),
        }
    }
}

impl std::fmt::Display for MailCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Locale::en))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::problems;

    fn edit() -> MailboxEdit {
        MailboxEdit {
            id: None,
            name: "Support".into(),
            csq: Some(CsqId(1)),
            enabled: true,
            imap: Server {
                host: "imap.shop.test".into(),
                port: None,
                security: Security::Tls,
                username: "support@shop.test".into(),
            },
            folder: "INBOX".into(),
            imap_password: "imap-secret".into(),
            smtp: Server {
                host: "smtp.shop.test".into(),
                port: Some(587),
                security: Security::Starttls,
                username: "support@shop.test".into(),
            },
            smtp_password: "smtp-secret".into(),
            address: "support@shop.test".into(),
            display_name: "Shop Support".into(),
            signature_html: "<p>The Shop</p>".into(),
        }
    }

    fn stored(id: i64, name: &str) -> MailboxAdmin {
        MailboxAdmin {
            id: MailboxId(id),
            name: name.into(),
            csq: CsqId(1),
            enabled: true,
            imap: edit().imap,
            folder: "INBOX".into(),
            imap_password_set: true,
            smtp: edit().smtp,
            smtp_password_set: true,
            address: "support@shop.test".into(),
            display_name: String::new(),
            signature_html: String::new(),
            status: None,
            read_elsewhere: false,
        }
    }

    const CSQS: &[(CsqId, bool)] = &[(CsqId(1), false), (CsqId(2), true)];

    #[test]
    fn d2_a_complete_mailbox_passes() {
        assert_eq!(problems(edit().validate(&[], CSQS, None)), []);
    }

    #[test]
    fn d2_every_field_is_checked_at_once() {
        let bad = MailboxEdit {
            name: String::new(),
            csq: None,
            imap: Server {
                host: "imap shop".into(),
                port: Some(0),
                security: Security::Tls,
                username: String::new(),
            },
            folder: " ".into(),
            imap_password: String::new(),
            smtp: Server {
                host: "smtp.shop.test".into(),
                port: None,
                security: Security::None,
                username: "u".into(),
            },
            smtp_password: String::new(),
            address: "not an address".into(),
            display_name: "x".repeat(101),
            signature_html: "x".repeat(MAX_SIGNATURE_BYTES as usize + 1),
            ..edit()
        };
        let found: Vec<Field> = problems(bad.validate(&[], CSQS, None))
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            found,
            [
                Field::MailboxName,
                Field::Csqs,
                Field::ImapHost,
                Field::ImapPort,
                Field::ImapUsername,
                Field::Folder,
                Field::ImapPassword,
                Field::SmtpHost,
                Field::SmtpPassword,
                Field::SenderAddress,
                Field::SenderName,
                Field::Signature,
            ]
        );
    }

    #[test]
    fn d2_no_encryption_only_on_this_machine() {
        let mut local = edit();
        local.imap.security = Security::None;
        local.imap.host = "127.0.0.1".into();
        local.smtp.security = Security::None;
        local.smtp.host = "localhost".into();
        assert_eq!(problems(local.validate(&[], CSQS, None)), []);
        local.imap.host = "imap.shop.test".into();
        assert_eq!(
            problems(local.validate(&[], CSQS, None)),
            [(Field::ImapHost, Problem::PlainNotLoopback)]
        );
    }

    #[test]
    fn d2_passwords_are_kept_when_left_empty_and_names_are_unique() {
        let saved = stored(4, "Support");
        let change = MailboxEdit {
            imap_password: String::new(),
            smtp_password: String::new(),
            ..MailboxEdit::of(&saved)
        };
        assert_eq!(
            problems(change.validate(std::slice::from_ref(&saved), CSQS, Some(&saved))),
            []
        );
        let twin = MailboxEdit {
            name: "SUPPORT ".into(),
            ..edit()
        };
        assert_eq!(
            problems(twin.validate(std::slice::from_ref(&saved), CSQS, None)),
            [(
                Field::MailboxName,
                Problem::Duplicate {
                    value: "SUPPORT".into()
                }
            )]
        );
        // No SMTP username: no authentication, so no password needed.
        let mut open = edit();
        open.smtp.username.clear();
        open.smtp_password.clear();
        assert_eq!(problems(open.validate(&[], CSQS, None)), []);
    }

    #[test]
    fn d2_a_saved_password_is_kept_only_for_its_own_server() {
        let saved = stored(4, "Support");
        let mut moved = MailboxEdit::of(&saved);
        moved.imap.host = "imap.elsewhere.test".into();
        moved.smtp.username = "someone-else".into();
        assert_eq!(
            problems(moved.validate(std::slice::from_ref(&saved), CSQS, Some(&saved))),
            [
                (Field::ImapPassword, Problem::Required),
                (Field::SmtpPassword, Problem::Required)
            ]
        );
        let mut with_port = edit();
        with_port.imap.host = "imap.shop.test:993".into();
        assert_eq!(
            problems(with_port.validate(&[], CSQS, None)),
            [(Field::ImapHost, Problem::InvalidHost)]
        );
        assert!(!format!("{:?}", edit()).contains("secret"));
    }

    #[test]
    fn d2_emails_go_to_a_queue_that_takes_them() {
        let retired = MailboxEdit {
            csq: Some(CsqId(2)),
            ..edit()
        };
        assert_eq!(
            problems(retired.validate(&[], CSQS, None)),
            [(Field::Csqs, Problem::Retired)]
        );
    }

    #[test]
    fn d2_the_audit_never_holds_a_password() {
        let saved = stored(4, "Support");
        let change = MailboxEdit {
            imap_password: "new-imap-secret".into(),
            folder: "Support".into(),
            ..MailboxEdit::of(&saved)
        };
        let line = change.describe(Some(&saved));
        assert!(line.contains("folder \"INBOX\" -> \"Support\""), "{line}");
        assert!(line.contains("IMAP password replaced"), "{line}");
        assert!(!line.contains("new-imap-secret"));
        assert!(!edit().describe(None).contains("secret"));
    }

    /// Issue 15: the test report is worded in the administrator's language; the server's
    /// own words and the port stay as they are.
    #[test]
    fn the_test_report_is_worded_in_each_language() {
        let refused = MailCheck::LoginRefused {
            host: "127.0.0.1".into(),
            detail: "[AUTHENTICATIONFAILED] Authentication failed.".into(),
        };
        assert_eq!(
            refused.to_string(),
            "login refused by 127.0.0.1: [AUTHENTICATIONFAILED] Authentication failed."
        );
        assert_eq!(
            refused.message(Locale::fr),
            "authentification refusée par 127.0.0.1\u{a0}: [AUTHENTICATIONFAILED] \
             Authentication failed."
        );
        let connected = MailCheck::SmtpNoLogin {
            host: "smtp.example.com".into(),
            port: 10025,
        };
        assert_eq!(
            connected.message(Locale::fr),
            "Connecté à smtp.example.com:10025 (sans authentification)"
        );
    }

    /// Issue 15: a connector's report is a fact, worded on the page in the reader's
    /// language; it crosses between server processes as JSON.
    #[test]
    fn a_connector_report_is_worded_in_each_language() {
        let failed = ConnectorStatus::NotConnected {
            fault: ConnectorFault::LoginRefused {
                detail: "NO [AUTHENTICATIONFAILED]".into(),
            },
            retry_in_secs: 4,
        };
        assert_eq!(
            failed.message(Locale::en),
            "Not connected: login refused: NO [AUTHENTICATIONFAILED] (trying again in 4 s)"
        );
        assert_eq!(
            failed.message(Locale::fr),
            "Non connect\u{e9}e\u{a0}: authentification refus\u{e9}e\u{a0}: NO \
             [AUTHENTICATIONFAILED] (nouvel essai dans 4\u{a0}s)"
        );
        let waiting = ConnectorFault::UnknownCsq { csq: "Help".into() };
        assert_eq!(
            waiting.message(Locale::en),
            "the queue \"Help\" does not exist: emails wait in the mailbox until it does"
        );
        assert_eq!(
            ConnectorStatus::Connected.message(Locale::fr),
            "Connect\u{e9}e"
        );
        assert_eq!(
            ConnectorStatus::Disabled.message(Locale::en),
            "Disabled: not read"
        );
        assert_eq!(
            ConnectorStatus::PasswordUndecryptable.message(Locale::fr),
            "Non d\u{e9}marr\u{e9}e\u{a0}: un mot de passe enregistr\u{e9} ne peut pas \
             \u{ea}tre d\u{e9}chiffr\u{e9} avec cette cl\u{e9} (la cl\u{e9} a-t-elle \
             chang\u{e9}\u{a0}?)"
        );
        let json = serde_json::to_string(&failed).unwrap();
        assert_eq!(
            serde_json::from_str::<ConnectorStatus>(&json).unwrap(),
            failed
        );
    }
}
