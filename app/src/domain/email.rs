//! Email contacts as the agent sees them (SPEC E-1 to E-4, C-2, Q-1), and the pure rules of
//! taking an email in: which attachments are kept, how subjects thread, how the requeue list
//! is searched. The server's IMAP intake and the desktop both use them.

use super::{
    csq::Csq,
    ids::{AttachmentId, CsqId},
    limits::{MAX_MIME_DEPTH, MAX_MIME_PARTS, MAX_TOTAL_ATTACHMENT_BYTES},
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A mailbox (or name and mailbox) as in From, To and Cc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress {
    pub name: Option<String>,
    pub address: String,
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(name) => write!(f, "{name} <{}>", self.address),
            None => f.write_str(&self.address),
        }
    }
}

impl EmailAddress {
    /// A list of addresses as a line of text: "Name <address>, address".
    pub fn line(list: &[EmailAddress]) -> String {
        list.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What an email's tab shows beside the customer (SPEC C-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailHeader {
    pub subject: String,
    /// Unix ms when Switchboard took the message from the mailbox.
    pub received_at_ms: i64,
}

/// A file of the customer's email, listed under the subject (SPEC E-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub id: AttachmentId,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// An image the HTML body shows in place (a `cid:` reference).
    pub inline: bool,
}

/// A part of the message that was not kept, and why (SPEC E-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedPart {
    pub name: String,
    pub size: u64,
    pub reason: String,
}

/// The customer's email as the left side of the email panel shows it (SPEC E-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailView {
    pub subject: String,
    pub from: EmailAddress,
    pub to: Vec<EmailAddress>,
    pub cc: Vec<EmailAddress>,
    /// The Date header (Unix ms), when the message had a readable one.
    pub sent_at_ms: Option<i64>,
    pub received_at_ms: i64,
    pub attachments: Vec<AttachmentView>,
    pub skipped: Vec<SkippedPart>,
    /// The body refers to images on other servers: shown only after "Show images".
    pub has_remote_images: bool,
    /// The customer wrote HTML (false: plain text, and the reply is plain text too).
    pub is_html: bool,
    /// The address of the mailbox the email came to: never a Reply All recipient.
    #[serde(default)]
    pub mailbox_address: String,
    /// SPEC R-4: the reply being written, as last saved.
    #[serde(default)]
    pub draft: Option<super::reply::Draft>,
}

/// The message given when attachments are left out of an incoming email.
pub fn over_limit_reason() -> String {
    format!(
        "not kept: the email's attachments exceed {} MB together",
        MAX_TOTAL_ATTACHMENT_BYTES / super::limits::MB
    )
}

/// SPEC E-3: what the email lists for the parts past [`MAX_MIME_PARTS`] or nested deeper than
/// [`MAX_MIME_DEPTH`]: read as one line, so a hostile message cannot fill the panel.
pub fn unread_parts(count: usize, size: u64) -> SkippedPart {
    SkippedPart {
        name: if count == 1 {
            "1 more part".to_string()
        } else {
            format!("{count} more parts")
        },
        size,
        reason: format!(
            "not read: Switchboard reads the first {MAX_MIME_PARTS} parts of an email, nested \
             at most {MAX_MIME_DEPTH} levels; the whole message stays in the mailbox"
        ),
    }
}

/// SPEC E-3: which attachments of an incoming email are kept, in message order. All of
/// them when they fit in 20 MB together; otherwise each in turn while the total still fits,
/// so one huge file does not cost the customer every small one.
pub fn attachments_to_keep(sizes: &[u64]) -> Vec<bool> {
    let mut total = 0u64;
    sizes
        .iter()
        .map(|size| {
            let fits = total + size <= MAX_TOTAL_ATTACHMENT_BYTES;
            if fits {
                total += size;
            }
            fits
        })
        .collect()
}

/// SPEC E-4: the subject a thread is recognised by when the message carries no usable
/// Message-ID references: reply and forward prefixes (also nested and localised: Re, Fwd, Fw,
/// AW, WG, SV, TR, RE[2]) and spacing removed, case folded.
pub fn thread_subject(subject: &str) -> String {
    let mut s = subject.trim();
    while let Some(colon) = s.find(':') {
        let prefix = s[..colon].trim();
        let word = prefix
            .split_once('[')
            .map_or(prefix, |(w, rest)| {
                if rest
                    .trim_end_matches(']')
                    .chars()
                    .all(|c| c.is_ascii_digit())
                {
                    w
                } else {
                    prefix
                }
            })
            .to_ascii_lowercase();
        if ["re", "fwd", "fw", "aw", "wg", "sv", "tr", "réf", "ref"].contains(&word.as_str()) {
            s = s[colon + 1..].trim_start();
        } else {
            break;
        }
    }
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// SPEC Q-1: the CSQs whose name contains the query (case-insensitive), by name.
pub fn search_csqs<'a>(csqs: &'a [Csq], query: &str) -> Vec<&'a Csq> {
    let query = query.trim().to_lowercase();
    let mut found: Vec<&Csq> = csqs
        .iter()
        .filter(|c| query.is_empty() || c.name.to_lowercase().contains(&query))
        .collect();
    found.sort_by_key(|c| c.name.to_lowercase());
    found
}

/// The requeue target a page names must exist (the server checks it again).
pub fn known_csq(csqs: &[Csq], id: CsqId) -> bool {
    csqs.iter().any(|c| c.id == id)
}

/// A size as people read it: 512 B, 14 KB, 3.2 MB.
pub fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    if bytes < KB {
        format!("{bytes} B")
    } else if bytes < super::limits::MB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        format!("{:.1} MB", bytes as f64 / super::limits::MB as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::limits::MB;

    /// SPEC E-3: up to 20 MB of attachments are taken whole.
    #[test]
    fn attachments_up_to_twenty_megabytes_are_all_kept() {
        assert_eq!(
            attachments_to_keep(&[10 * MB, 10 * MB]),
            vec![true, true],
            "exactly 20 MB together is within the limit"
        );
        assert_eq!(attachments_to_keep(&[]), Vec::<bool>::new());
    }

    /// SPEC E-3: beyond 20 MB, the files that still fit are kept and the rest is listed.
    #[test]
    fn over_the_limit_keeps_what_fits_in_order() {
        assert_eq!(
            attachments_to_keep(&[MB, 25 * MB, 2 * MB, 18 * MB]),
            vec![true, false, true, false]
        );
        assert!(over_limit_reason().contains("20 MB"));
    }

    /// SPEC E-4: replies and forwards, however prefixed, thread with their original.
    #[test]
    fn reply_prefixes_do_not_change_the_thread_subject() {
        let original = thread_subject("Order  #42 arrived broken");
        for s in [
            "Re: Order #42 arrived broken",
            "RE: re: Order #42 arrived broken",
            "Fwd: Re: Order #42 ARRIVED broken",
            "AW: Order #42 arrived broken",
            "Re[2]: Order #42 arrived broken",
        ] {
            assert_eq!(thread_subject(s), original, "{s}");
        }
        assert_eq!(thread_subject("Reminder: pay"), "reminder: pay");
        assert_eq!(thread_subject("Ticket: 12"), "ticket: 12");
    }

    /// SPEC Q-1: the requeue list is searchable.
    #[test]
    fn csq_search_is_case_insensitive_and_sorted() {
        let csqs = vec![
            Csq {
                id: CsqId(1),
                name: "Support".into(),
                members: vec![],
                supervisors: vec![],
            },
            Csq {
                id: CsqId(2),
                name: "Billing".into(),
                members: vec![],
                supervisors: vec![],
            },
            Csq {
                id: CsqId(3),
                name: "Sales support".into(),
                members: vec![],
                supervisors: vec![],
            },
        ];
        let names = |q: &str| {
            search_csqs(&csqs, q)
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(""), ["Billing", "Sales support", "Support"]);
        assert_eq!(names("SUPP"), ["Sales support", "Support"]);
        assert!(names("xyz").is_empty());
        assert!(known_csq(&csqs, CsqId(2)) && !known_csq(&csqs, CsqId(9)));
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1500), "2 KB");
        assert_eq!(human_size(3 * MB + MB / 5), "3.2 MB");
    }

    #[test]
    fn addresses_show_the_name_when_known() {
        let a = EmailAddress {
            name: Some("Ann Lee".into()),
            address: "ann@example.com".into(),
        };
        assert_eq!(a.to_string(), "Ann Lee <ann@example.com>");
        let b = EmailAddress {
            name: None,
            address: "b@example.com".into(),
        };
        assert_eq!(b.to_string(), "b@example.com");
    }
}
