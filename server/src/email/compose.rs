//! The reply as it leaves (SPEC R-2, R-5, R-6, R-7): the editor's HTML sanitized again, the
//! signature and the quoted original added, a plain-text twin, pasted images as related
//! (CID) parts, files attached, threading headers, and the subject with "Re:"/"Fwd:" once.

use crate::{clock::utc_date, store::email::StoredEmail};
use ammonia::Builder;
use app::domain::{
    ids::ContactId,
    reply::{reply_subject, DraftFile, ReplyInput, ReplyMode},
    validate::{Field, FieldError, Problem},
};
use lettre::message::{header::ContentType, Attachment, Mailbox, Message, MultiPart, SinglePart};
use std::{borrow::Cow, collections::HashSet};

/// Where the editor shows a pasted image: this contact's draft file.
pub fn draft_file_path(contact: ContactId, file: i64) -> String {
    format!("/email/{contact}/files/{file}")
}

fn cid_of(file: i64) -> String {
    format!("file-{file}@switchboard")
}

/// SPEC R-2: the editor's HTML, cleaned again whatever the page sent: the formatting the
/// toolbar makes (bold, italic, underline, lists, indents, alignment, links, images) and
/// nothing else. Images are remote (http/https) or this contact's pasted files.
pub fn clean_reply_html(html: &str, contact: ContactId) -> String {
    clean_html(html, Some(format!("/email/{contact}/files/")))
}

/// HTML the administrators save (email canned responses, SPEC R-3; signatures, R-5),
/// cleaned as a reply is when sent: the toolbar's formatting, links, and remote images
/// only (it belongs to no contact).
pub fn clean_saved_html(html: &str) -> String {
    clean_html(html, None)
}

/// The toolbar's formatting and nothing else; images remote or under `own_files`.
fn clean_html(html: &str, own_files: Option<String>) -> String {
    Builder::empty()
        .add_tags([
            "p",
            "div",
            "br",
            "b",
            "strong",
            "i",
            "em",
            "u",
            "s",
            "ul",
            "ol",
            "li",
            "a",
            "img",
            "blockquote",
            "span",
            "h1",
            "h2",
            "h3",
            "pre",
            "code",
        ])
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("img", ["src", "alt", "width", "height"])
        .add_generic_attributes(["style"])
        .filter_style_properties(["text-align", "margin", "margin-left", "padding-left"].into())
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(
            move |element, attribute, value| match (element, attribute) {
                ("img", "src") => {
                    let v = value.trim();
                    let own = own_files
                        .as_deref()
                        .and_then(|own| v.strip_prefix(own))
                        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
                    let lower = v.to_ascii_lowercase();
                    (own || lower.starts_with("https://") || lower.starts_with("http://"))
                        .then(|| Cow::Owned(v.to_string()))
                }
                ("a", "href") => Some(Cow::Borrowed(value)),
                _ => Some(Cow::Borrowed(value)),
            },
        )
        .clean(html)
        .to_string()
}

fn decode_entity(entity: &str) -> Option<char> {
    match entity {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" | "#39" => Some('\''),
        "nbsp" => Some(' '),
        e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
            .ok()
            .and_then(char::from_u32),
        e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
        _ => None,
    }
}

/// The plain-text twin of sanitized HTML: blocks on their own lines, list items with "- "
/// or their number, links as "text <url>", quotes with "> ". Enough for mail programs that
/// show text only; the input is what [`clean_reply_html`] (or ammonia) produced.
pub fn plain_text(html: &str) -> String {
    let mut out = String::new();
    let mut quote_depth = 0usize;
    let mut lists: Vec<Option<u32>> = Vec::new();
    let mut href: Vec<Option<String>> = Vec::new();
    let mut rest = html;
    let newline = |out: &mut String, depth: usize| {
        while out.ends_with(' ') {
            out.pop();
        }
        out.push('\n');
        for _ in 0..depth {
            out.push_str("> ");
        }
    };
    let at_line_start = |out: &str| {
        out.is_empty() || out.trim_end_matches("> ").ends_with('\n') || out.ends_with('\n')
    };
    while !rest.is_empty() {
        if let Some(tag_start) = rest.strip_prefix('<') {
            let end = tag_start.find('>').unwrap_or(tag_start.len());
            let tag = &tag_start[..end];
            rest = tag_start.get(end + 1..).unwrap_or("");
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            match (name.as_str(), closing) {
                ("br", _) => newline(&mut out, quote_depth),
                ("p" | "div" | "h1" | "h2" | "h3" | "pre", _) if !at_line_start(&out) => {
                    newline(&mut out, quote_depth);
                }
                ("blockquote", false) => {
                    quote_depth += 1;
                    newline(&mut out, quote_depth);
                }
                ("blockquote", true) => {
                    quote_depth = quote_depth.saturating_sub(1);
                    newline(&mut out, quote_depth);
                }
                ("ul", false) => lists.push(None),
                ("ol", false) => lists.push(Some(0)),
                ("ul" | "ol", true) => {
                    lists.pop();
                    if !at_line_start(&out) {
                        newline(&mut out, quote_depth);
                    }
                }
                ("li", false) => {
                    if !at_line_start(&out) {
                        newline(&mut out, quote_depth);
                    }
                    for _ in 1..lists.len() {
                        out.push_str("  ");
                    }
                    match lists.last_mut() {
                        Some(Some(n)) => {
                            *n += 1;
                            out.push_str(&format!("{n}. "));
                        }
                        _ => out.push_str("- "),
                    }
                }
                ("a", false) => {
                    let url = tag
                        .split_once("href=\"")
                        .and_then(|(_, r)| r.split_once('"'))
                        .map(|(u, _)| u.replace("&amp;", "&"));
                    href.push(url);
                }
                ("a", true) => {
                    if let Some(Some(url)) = href.pop() {
                        let url = url.strip_prefix("mailto:").unwrap_or(&url).to_string();
                        if !out.ends_with(&url) {
                            out.push_str(&format!(" <{url}>"));
                        }
                    }
                }
                _ => {}
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            rest = &rest[end..];
            let mut chars = text.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c == '&' {
                    if let Some(semi) = text[i..].find(';').filter(|s| *s <= 10) {
                        if let Some(d) = decode_entity(&text[i + 1..i + semi]) {
                            out.push(d);
                            while chars.peek().is_some_and(|(j, _)| *j <= i + semi) {
                                chars.next();
                            }
                            continue;
                        }
                    }
                    out.push('&');
                } else if c == '\n' || c == '\r' || c == '\t' {
                    if !out.ends_with(' ') && !at_line_start(&out) {
                        out.push(' ');
                    }
                } else {
                    out.push(c);
                }
            }
        }
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let mut text = lines.join("\n");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text.trim().to_string()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Plain text as HTML, line breaks kept.
pub fn text_to_html(text: &str) -> String {
    escape(text).replace("\r\n", "\n").replace('\n', "<br>")
}

/// The domain a mailbox's own Message-IDs are made in: its address's.
pub fn message_id_domain(address: &str) -> &str {
    address.rsplit_once('@').map_or("switchboard", |(_, d)| d)
}

/// A new Message-ID for a message the mailbox at `address` sends, in angle brackets.
pub fn new_message_id(address: &str) -> String {
    format!(
        "<{}@{}>",
        crate::auth::new_token(),
        message_id_domain(address)
    )
}

/// A file going out with the reply.
pub struct OutFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// A pasted image: shown in the body through `cid:`.
    pub cid: Option<String>,
}

/// Everything the message is built from.
pub struct Outgoing<'a> {
    pub contact: ContactId,
    pub from: Mailbox,
    pub input: &'a ReplyInput,
    pub original: &'a StoredEmail,
    /// The mailbox's signature, sanitized (SPEC R-5).
    pub signature_html: Option<String>,
    /// The draft's files with their bytes.
    pub files: Vec<(DraftFile, Vec<u8>)>,
    /// SPEC R-6: the customer's attachments, for a forward.
    pub forwarded: Vec<OutFile>,
    pub message_id: String,
    pub now_ms: i64,
}

/// The built message and its SMTP envelope.
pub struct Built {
    pub bytes: Vec<u8>,
    pub envelope_from: String,
    pub recipients: Vec<String>,
}

fn mailboxes(field: Field, list: &[String]) -> Result<Vec<Mailbox>, FieldError> {
    list.iter()
        .map(|a| {
            a.trim().parse::<Mailbox>().map_err(|_| {
                FieldError::new(field.clone(), Problem::InvalidEmail { value: a.clone() })
            })
        })
        .collect()
}

fn quote_header(mode: ReplyMode, original: &StoredEmail) -> String {
    let v = &original.view;
    let when = utc_date(v.sent_at_ms.unwrap_or(v.received_at_ms));
    match mode {
        ReplyMode::Forward => {
            let to =
                v.to.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
            format!(
                "---------- Forwarded message ----------\nFrom: {}\nDate: {when}\nSubject: {}\nTo: {to}",
                v.from, v.subject
            )
        }
        ReplyMode::Reply | ReplyMode::ReplyAll => format!("On {when}, {} wrote:", v.from),
    }
}

/// SPEC R-7: builds the MIME message. HTML replies are multipart/alternative (text and
/// HTML), wrapped in multipart/related when pasted images are shown, wrapped in
/// multipart/mixed when files go along. Bcc is in the envelope, never in a header.
pub fn build(out: Outgoing<'_>) -> Result<Built, FieldError> {
    let input = out.input;
    let original = out.original;
    let html_mode = original.view.is_html;
    let subject = reply_subject(input.mode, &original.view.subject);
    let mut builder = Message::builder()
        .from(out.from.clone())
        .subject(subject)
        .message_id(Some(out.message_id.clone()))
        .date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(out.now_ms as u64));
    for m in mailboxes(Field::To, &input.to)? {
        builder = builder.to(m);
    }
    for m in mailboxes(Field::Cc, &input.cc)? {
        builder = builder.cc(m);
    }
    for m in mailboxes(Field::Bcc, &input.bcc)? {
        builder = builder.bcc(m);
    }
    if input.mode == ReplyMode::Forward {
        // SPEC R-6: the recipient answers the customer, not the contact center.
        if let Ok(customer) = original.view.from.address.parse::<lettre::Address>() {
            // A name is one line, whatever an older stored email carries.
            let name = original
                .view
                .from
                .name
                .as_ref()
                .map(|n| n.replace(char::is_control, " ").trim().to_string())
                .filter(|n| !n.is_empty());
            builder = builder.reply_to(Mailbox::new(name, customer));
        }
    } else if let Some(id) = &original.message_id {
        let id = if id.starts_with('<') {
            id.clone()
        } else {
            format!("<{id}>")
        };
        let mut refs: Vec<String> = original
            .references
            .iter()
            .map(|r| {
                if r.starts_with('<') {
                    r.clone()
                } else {
                    format!("<{r}>")
                }
            })
            .collect();
        refs.push(id.clone());
        let keep = refs.len().saturating_sub(20);
        builder = builder.in_reply_to(id).references(refs[keep..].join(" "));
    }

    // The body: the agent's words, the signature, then the original.
    let header = quote_header(input.mode, original);
    let (text, html) = if html_mode {
        let agent_html = clean_reply_html(&input.body, out.contact);
        let mut html = format!("<div>{agent_html}</div>");
        if let Some(sig) = &out.signature_html {
            html.push_str(&format!("<div class=\"signature\">-- <br>{sig}</div>"));
        }
        html.push_str(&format!(
            "<div class=\"quoted\"><p>{}</p><blockquote>{}</blockquote></div>",
            text_to_html(&header),
            text_to_html(&original.text_body)
        ));
        (plain_text(&html), Some(html))
    } else {
        let mut text = input.body.trim_end().to_string();
        if let Some(sig) = &out.signature_html {
            text.push_str("\n\n-- \n");
            text.push_str(&plain_text(sig));
        }
        text.push_str("\n\n");
        text.push_str(&header);
        text.push('\n');
        for line in original.text_body.lines() {
            text.push_str("> ");
            text.push_str(line);
            text.push('\n');
        }
        (text, None)
    };

    // Pasted images the body shows become related parts; the others are attachments.
    let mut html = html;
    let mut inline: Vec<OutFile> = Vec::new();
    let mut attached: Vec<OutFile> = Vec::new();
    let mut shown = HashSet::new();
    for (file, bytes) in out.files {
        let path = draft_file_path(out.contact, file.id.0);
        let referenced = html
            .as_ref()
            .is_some_and(|h| h.contains(&format!("src=\"{path}\"")));
        if file.inline && referenced && shown.insert(file.id) {
            let cid = cid_of(file.id.0);
            if let Some(h) = html.as_mut() {
                *h = h.replace(&format!("src=\"{path}\""), &format!("src=\"cid:{cid}\""));
            }
            inline.push(OutFile {
                name: file.name,
                content_type: file.content_type,
                bytes,
                cid: Some(cid),
            });
        } else if !file.inline {
            attached.push(OutFile {
                name: file.name,
                content_type: file.content_type,
                bytes,
                cid: None,
            });
        }
    }
    attached.extend(out.forwarded);

    let content_type = |ct: &str| {
        ContentType::parse(ct).unwrap_or_else(|_| {
            ContentType::parse("application/octet-stream").expect("a valid type")
        })
    };
    let text_part = SinglePart::plain(text);
    let Some(html) = html else {
        // Plain text for a plain-text customer: one part, or the text and the files.
        let message = if attached.is_empty() {
            builder.singlepart(text_part)
        } else {
            let mut mixed = MultiPart::mixed().singlepart(text_part);
            for f in attached {
                mixed = mixed.singlepart(
                    Attachment::new(f.name.clone()).body(f.bytes, content_type(&f.content_type)),
                );
            }
            builder.multipart(mixed)
        };
        return finish(message);
    };
    let body: MultiPart = {
        {
            let alternative = MultiPart::alternative()
                .singlepart(text_part)
                .singlepart(SinglePart::html(html));
            if inline.is_empty() {
                alternative
            } else {
                let mut related = MultiPart::related().multipart(alternative);
                for f in inline {
                    let cid = f.cid.clone().unwrap_or_default();
                    related = related.singlepart(
                        Attachment::new_inline_with_name(cid, f.name.clone())
                            .body(f.bytes, content_type(&f.content_type)),
                    );
                }
                related
            }
        }
    };
    let body = if attached.is_empty() {
        body
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for f in attached {
            mixed = mixed.singlepart(
                Attachment::new(f.name.clone()).body(f.bytes, content_type(&f.content_type)),
            );
        }
        mixed
    };
    finish(builder.multipart(body))
}

/// The built message with its envelope, or why lettre refused it.
fn finish(message: Result<Message, lettre::error::Error>) -> Result<Built, FieldError> {
    let message = message.map_err(|e| {
        FieldError::new(
            Field::To,
            Problem::InvalidEmail {
                value: e.to_string(),
            },
        )
    })?;
    let envelope = message.envelope();
    Ok(Built {
        envelope_from: envelope.from().map(ToString::to_string).unwrap_or_default(),
        recipients: envelope.to().iter().map(ToString::to_string).collect(),
        bytes: message.formatted(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC R-2: the server keeps the toolbar's formatting and drops everything else.
    #[test]
    fn editor_html_is_cleaned_again() {
        let dirty = r#"<p style="text-align: center; color: red" onclick="x()">Hi <b>there</b></p>
            <script>alert(1)</script><img src="/email/7/files/3"><img src="/email/8/files/3">
            <img src="javascript:alert(1)"><a href="javascript:alert(1)">bad</a>
            <a href="https://shop.test/a?b=1&c=2">good</a><iframe src="https://x"></iframe>
            <blockquote style="margin: 0 0 0 40px; border: none">in</blockquote>"#;
        let clean = clean_reply_html(dirty, ContactId(7));
        assert!(
            clean.contains(r#"<p style="text-align:center">"#),
            "{clean}"
        );
        assert!(clean.contains("<b>there</b>"));
        assert!(clean.contains(r#"<img src="/email/7/files/3">"#));
        for gone in [
            "script",
            "onclick",
            "color",
            "/email/8/",
            "javascript",
            "iframe",
        ] {
            assert!(!clean.contains(gone), "{gone} in {clean}");
        }
        assert!(clean.contains(r#"href="https://shop.test/a?b=1&amp;c=2""#));
    }

    /// SPEC R-7: the plain-text twin keeps the structure readable.
    #[test]
    fn plain_text_twin() {
        let html = "<p>Hello <b>Ann</b>,</p><ul><li>one</li><li>two &amp; three</li></ul>\
                    <ol><li>first</li><li>second</li></ol><p>See <a href=\"https://shop.test\">our shop</a>.</p>\
                    <blockquote>quoted<br>line</blockquote><p>Bye</p>";
        assert_eq!(
            plain_text(html),
            "Hello Ann,\n- one\n- two & three\n1. first\n2. second\nSee our shop <https://shop.test>.\n\n> quoted\n> line\nBye"
        );
    }
}
