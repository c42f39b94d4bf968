//! The agent's answer to an email (SPEC ): reply modes, who a reply
//! goes to, the subject, the draft the page and the server keep, and the checks both make
//! before a reply is saved or sent.

use super::{
    email::EmailView,
    ids::DraftFileId,
    limits::MAX_REPLY_BODY_BYTES,
    validate::{
        all_or_errors, validate_attachments, validate_recipients, Field, FieldError, FileSize,
        Problem,
    },
};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;

/// SPEC R-1: how the agent answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyMode {
    #[default]
    Reply,
    ReplyAll,
    Forward,
}

impl ReplyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyMode::Reply => "reply",
            ReplyMode::ReplyAll => "reply_all",
            ReplyMode::Forward => "forward",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ReplyMode::Reply, ReplyMode::ReplyAll, ReplyMode::Forward]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

impl fmt::Display for ReplyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReplyMode::Reply => "Reply",
            ReplyMode::ReplyAll => "Reply All",
            ReplyMode::Forward => "Forward",
        })
    }
}

/// A file the agent attached to a reply (SPEC A-2), or an image pasted into its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftFile {
    pub id: DraftFileId,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// Pasted into the body: shown in place, sent as a related (CID) part (SPEC R-2).
    pub inline: bool,
}

/// What the page sends to save or send a reply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReplyInput {
    pub mode: ReplyMode,
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub bcc: Vec<String>,
    /// HTML from the editor, or plain text when the customer wrote plain text.
    pub body: String,
}

/// A reply being written, as stored between autosaves (SPEC R-4).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Draft {
    pub input: ReplyInput,
    pub files: Vec<DraftFile>,
    /// Unix ms of the last save, none before the first.
    pub saved_at_ms: Option<i64>,
    /// SPEC R-7: why the mail server refused the last send (the contact came back).
    pub send_error: Option<String>,
}

/// SPEC R-7: "Re: " or "Fwd: " once, whatever the customer's subject already carries.
pub fn reply_subject(mode: ReplyMode, subject: &str) -> String {
    let subject = subject.trim();
    let (prefix, known): (&str, &[&str]) = match mode {
        ReplyMode::Forward => ("Fwd: ", &["fwd:", "fw:"]),
        ReplyMode::Reply | ReplyMode::ReplyAll => ("Re: ", &["re:"]),
    };
    let lower = subject.to_lowercase();
    if known.iter().any(|p| lower.starts_with(p)) {
        subject.to_string()
    } else if subject.is_empty() {
        prefix.trim_end().to_string()
    } else {
        format!("{prefix}{subject}")
    }
}

fn same_address(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// SPEC R-1: the recipients a mode starts with, as (To, Cc). Reply: the customer. Reply
/// All: the customer and the other To addresses, the Cc kept in Cc, never the mailbox's
/// own address nor one address twice. Forward: nobody (the agent chooses).
pub fn initial_recipients(mode: ReplyMode, email: &EmailView) -> (Vec<String>, Vec<String>) {
    let own = email.mailbox_address.as_str();
    match mode {
        ReplyMode::Forward => (Vec::new(), Vec::new()),
        ReplyMode::Reply => (vec![email.from.address.clone()], Vec::new()),
        ReplyMode::ReplyAll => {
            let mut seen: Vec<String> = vec![own.to_string()];
            let mut pick = |list: Vec<&str>| {
                let mut out = Vec::new();
                for a in list {
                    if !seen.iter().any(|s| same_address(s, a)) {
                        seen.push(a.to_string());
                        out.push(a.to_string());
                    }
                }
                out
            };
            let to = pick(
                std::iter::once(email.from.address.as_str())
                    .chain(email.to.iter().map(|a| a.address.as_str()))
                    .collect(),
            );
            let cc = pick(email.cc.iter().map(|a| a.address.as_str()).collect());
            (to, cc)
        }
    }
}

/// SPEC R-6: why the agent may not attach files (a forward carries the original's).
pub fn attach_refusal(locale: Locale, mode: ReplyMode) -> Option<&'static str> {
    (mode == ReplyMode::Forward).then(|| td_string!(locale, common.reply_refusals.attach))
}

/// SPEC R-6: why "Requeue" is not offered now.
pub fn requeue_refusal(locale: Locale, mode: ReplyMode) -> Option<&'static str> {
    (mode == ReplyMode::Forward).then(|| td_string!(locale, common.reply_refusals.requeue))
}

/// SPEC R-3: why canned responses cannot be appended, if they cannot (`offered`: those
/// of the contact's CSQ and the global ones).
pub fn canned_refusal(locale: Locale, offered: usize, html: bool) -> Option<&'static str> {
    if offered == 0 {
        Some(td_string!(locale, common.reply_refusals.no_canned))
    } else if !html {
        Some(td_string!(locale, common.reply_refusals.plain_text))
    } else {
        None
    }
}

/// SPEC R-2: the address of a link or image the agent typed, made whole ("shop.test/a"
/// becomes "https://shop.test/a", "ann@x.test" a mailto: link), or why it cannot be used.
/// Images take http and https only.
pub fn normalize_link(locale: Locale, typed: &str, image: bool) -> Result<String, &'static str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(td_string!(locale, common.links.empty));
    }
    if typed.chars().any(char::is_whitespace) {
        return Err(td_string!(locale, common.links.spaces));
    }
    let lower = typed.to_ascii_lowercase();
    let url = if lower.starts_with("https://") || lower.starts_with("http://") {
        typed.to_string()
    } else if lower.starts_with("mailto:") {
        if image {
            return Err(td_string!(locale, common.links.image_scheme));
        }
        typed.to_string()
    } else if lower.contains("://")
        || lower.starts_with("javascript:")
        || lower.starts_with("data:")
    {
        return Err(td_string!(locale, common.links.scheme));
    } else if !image && super::validate::is_valid_email(typed) {
        format!("mailto:{typed}")
    } else {
        format!("https://{typed}")
    };
    let rest = url
        .split_once(':')
        .map(|(_, r)| r.trim_start_matches('/'))
        .unwrap_or("");
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if url.to_ascii_lowercase().starts_with("mailto:") {
        if !super::validate::is_valid_email(rest) {
            return Err(td_string!(locale, common.links.bad_email));
        }
    } else if host.is_empty() || !host.contains('.') && !host.starts_with("localhost") {
        return Err(td_string!(locale, common.links.bad_web));
    }
    Ok(url)
}

/// The sizes the attachment limits count (SPEC A-1: pasted images included).
pub fn file_sizes(files: &[DraftFile]) -> Vec<FileSize> {
    files
        .iter()
        .map(|f| FileSize {
            name: f.name.clone(),
            bytes: f.size,
        })
        .collect()
}

/// SPEC: what a draft must respect to be saved: at most 20 addresses per field,
/// each valid, a body within its size. Every problem at once, so the page can mark each.
pub fn check_draft(input: &ReplyInput) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for (field, list) in [
        (Field::To, &input.to),
        (Field::Cc, &input.cc),
        (Field::Bcc, &input.bcc),
    ] {
        if let Err(mut e) = validate_recipients(field, list) {
            errors.append(&mut e);
        }
    }
    if input.body.len() as u64 > MAX_REPLY_BODY_BYTES {
        errors.push(FieldError::new(
            Field::Body,
            Problem::TooLarge {
                max_bytes: MAX_REPLY_BODY_BYTES,
                given_bytes: input.body.len() as u64,
            },
        ));
    }
    all_or_errors(errors)
}

/// SPEC: a draft that may be sent: as [`check_draft`], at least one recipient in
/// To, and the files within the limits. A forward may add no file of its own.
pub fn check_send(input: &ReplyInput, files: &[DraftFile]) -> Result<(), Vec<FieldError>> {
    let mut errors = check_draft(input).err().unwrap_or_default();
    if input.to.is_empty() {
        errors.push(FieldError::new(Field::To, Problem::Required));
    }
    if let Err(e) = validate_attachments(&file_sizes(files)) {
        errors.push(e);
    }
    if input.mode == ReplyMode::Forward {
        if let Some(f) = files.iter().find(|f| !f.inline) {
            errors.push(FieldError::new(
                Field::Attachment(f.name.clone()),
                Problem::NotAllowedOnForward,
            ));
        }
    }
    all_or_errors(errors)
}

/// SPEC R-7: what the agent reads when the mail server refused their reply, in `locale`;
/// `error` is the server's own words, as it said them.
pub fn refused_by_mail_server(locale: Locale, error: &str) -> String {
    td_string!(locale, system.reply.refused, error).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::EmailAddress;
    use crate::domain::limits::{MAX_ADDRESSES_PER_FIELD, MB};

    fn addr(a: &str) -> EmailAddress {
        EmailAddress {
            name: None,
            address: a.into(),
        }
    }

    fn email() -> EmailView {
        EmailView {
            subject: "Broken order".into(),
            from: EmailAddress {
                name: Some("Ann".into()),
                address: "ann@example.com".into(),
            },
            to: vec![addr("support@shop.test"), addr("sales@shop.test")],
            cc: vec![addr("Bob@Example.com"), addr("ANN@example.com")],
            sent_at_ms: None,
            received_at_ms: 0,
            attachments: vec![],
            skipped: vec![],
            has_remote_images: false,
            is_html: true,
            mailbox_address: "Support@Shop.test".into(),
            draft: None,
        }
    }

    /// SPEC R-1: Reply goes to the customer; Reply All adds every other address the
    /// customer used, but never the mailbox itself or the same address twice; Forward
    /// starts empty.
    #[test]
    fn each_mode_starts_with_its_recipients() {
        let e = email();
        assert_eq!(
            initial_recipients(ReplyMode::Reply, &e),
            (vec!["ann@example.com".to_string()], vec![])
        );
        assert_eq!(
            initial_recipients(ReplyMode::ReplyAll, &e),
            (
                vec!["ann@example.com".to_string(), "sales@shop.test".to_string()],
                vec!["Bob@Example.com".to_string()]
            )
        );
        assert_eq!(initial_recipients(ReplyMode::Forward, &e), (vec![], vec![]));
    }

    /// SPEC R-7: the subject carries "Re:" or "Fwd:" once.
    #[test]
    fn subject_prefix_once() {
        assert_eq!(reply_subject(ReplyMode::Reply, "Broken"), "Re: Broken");
        assert_eq!(
            reply_subject(ReplyMode::ReplyAll, "RE: Broken"),
            "RE: Broken"
        );
        assert_eq!(
            reply_subject(ReplyMode::Forward, "Re: Broken"),
            "Fwd: Re: Broken"
        );
        assert_eq!(
            reply_subject(ReplyMode::Forward, "Fw: Broken"),
            "Fw: Broken"
        );
        assert_eq!(reply_subject(ReplyMode::Reply, "  "), "Re:");
    }

    /// SPEC R-1: the 21st address in a field is refused, naming the field.
    #[test]
    fn twenty_one_addresses_in_cc_are_refused() {
        let mut input = ReplyInput {
            to: vec!["ann@example.com".into()],
            body: "Hello".into(),
            ..ReplyInput::default()
        };
        input.cc = (0..MAX_ADDRESSES_PER_FIELD)
            .map(|i| format!("p{i}@example.com"))
            .collect();
        assert!(check_draft(&input).is_ok());
        input.cc.push("one-more@example.com".into());
        let errors = check_draft(&input).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, Field::Cc);
        assert_eq!(errors[0].to_string(), "Cc: at most 20 allowed (21 given)");
    }

    /// SPEC R-1: every address is checked; a send needs someone in To.
    #[test]
    fn bad_addresses_and_empty_to_are_named() {
        let input = ReplyInput {
            mode: ReplyMode::Forward,
            bcc: vec!["not an address".into()],
            body: "x".into(),
            ..ReplyInput::default()
        };
        let errors = check_send(&input, &[]).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(text.contains(&"Bcc: \"not an address\" is not a valid email address".into()));
        assert!(text.contains(&"To: required".into()));
    }

    /// SPEC: files within the limits; a forward adds none of its own.
    #[test]
    fn send_checks_the_files() {
        let file = |name: &str, size: u64, inline: bool| DraftFile {
            id: DraftFileId(1),
            name: name.into(),
            content_type: "application/pdf".into(),
            size,
            inline,
        };
        let mut input = ReplyInput {
            to: vec!["ann@example.com".into()],
            body: "x".into(),
            ..ReplyInput::default()
        };
        assert!(check_send(&input, &[file("a.pdf", 10 * MB, false)]).is_ok());
        let over = check_send(
            &input,
            &[
                file("a.pdf", 10 * MB, false),
                file("b.png", 10 * MB + 1, true),
            ],
        )
        .unwrap_err();
        assert_eq!(over[0].field, Field::Attachment("b.png".into()));
        input.mode = ReplyMode::Forward;
        assert!(check_send(&input, &[file("pasted.png", MB, true)]).is_ok());
        let refused = check_send(&input, &[file("a.pdf", MB, false)]).unwrap_err();
        assert_eq!(
            refused[0].to_string(),
            "\"a.pdf\": a forward carries the customer's attachments; no file may be added"
        );
    }

    /// SPEC R-2: links are completed and checked before they are made.
    #[test]
    fn links_are_checked() {
        assert_eq!(
            normalize_link(Locale::en, "shop.test/a", false).unwrap(),
            "https://shop.test/a"
        );
        assert_eq!(
            normalize_link(Locale::en, "ann@x.test", false).unwrap(),
            "mailto:ann@x.test"
        );
        assert_eq!(
            normalize_link(Locale::en, "HTTPS://shop.test", false).unwrap(),
            "HTTPS://shop.test"
        );
        assert!(normalize_link(Locale::en, "javascript:alert(1)", false).is_err());
        assert!(normalize_link(Locale::en, "data:text/html,x", true).is_err());
        assert!(normalize_link(Locale::en, "mailto:ann@x.test", true).is_err());
        assert!(normalize_link(Locale::en, "not a link", false).is_err());
        assert!(normalize_link(Locale::en, "word", false).is_err());
        assert!(normalize_link(Locale::en, "", false).is_err());
    }

    /// SPEC: disabled controls say why.
    #[test]
    fn refusals_explain_themselves() {
        assert!(canned_refusal(Locale::en, 0, true)
            .unwrap()
            .contains("No email canned"));
        assert!(canned_refusal(Locale::en, 2, false)
            .unwrap()
            .contains("plain text"));
        assert_eq!(canned_refusal(Locale::en, 2, true), None);
        assert!(attach_refusal(Locale::en, ReplyMode::Forward).is_some());
        assert_eq!(attach_refusal(Locale::en, ReplyMode::ReplyAll), None);
        assert!(requeue_refusal(Locale::en, ReplyMode::Forward)
            .unwrap()
            .contains("cancel the forward"));
        assert_eq!(ReplyMode::parse("reply_all"), Some(ReplyMode::ReplyAll));
    }
}
