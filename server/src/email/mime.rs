//! An incoming message taken apart (SPEC E-1 to E-3): addresses, threading headers, the
//! text and (sanitized) HTML bodies, and the files, of which those that fit in 20 MB
//! together are kept. Charsets, encoded words and nested multiparts are mail-parser's job.

use super::sanitize::{normalize_cid, sanitize};
use app::domain::{
    email::{attachments_to_keep, over_limit_reason, unread_parts, EmailAddress, SkippedPart},
    limits::{MAX_EMAIL_ADDRESS_CHARS, MAX_INCOMING_HEADER_CHARS, MAX_MIME_DEPTH, MAX_MIME_PARTS},
};
use mail_parser::{
    Address, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

/// A file of the message, with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub content_id: Option<String>,
    /// Shown in place by the HTML body.
    pub inline: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub subject: String,
    pub from: EmailAddress,
    pub to: Vec<EmailAddress>,
    pub cc: Vec<EmailAddress>,
    pub sent_at_ms: Option<i64>,
    pub text_body: String,
    pub html_body: Option<String>,
    pub has_remote_images: bool,
    pub kept: Vec<Part>,
    pub skipped: Vec<SkippedPart>,
}

fn addresses(address: Option<&Address>) -> Vec<EmailAddress> {
    address
        .map(|a| {
            a.iter()
                .filter_map(|addr| {
                    Some(EmailAddress {
                        // Encoded words may carry line breaks: a name is one line.
                        name: addr
                            .name()
                            .map(|n| n.replace(char::is_control, " ").trim().to_string())
                            .filter(|n| !n.is_empty()),
                        address: addr.address()?.trim().to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn ids(value: &HeaderValue) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn extension(content_type: &str) -> &str {
    match content_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/html" => "html",
        "message/rfc822" => "eml",
        _ => "bin",
    }
}

fn content_type_of(part: &MessagePart) -> String {
    part.content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_string(),
        })
        .unwrap_or_else(|| "application/octet-stream".into())
        .to_ascii_lowercase()
}

/// Characters kept of a file name.
const MAX_NAME_CHARS: usize = 200;

/// A file name without path separators or control characters, at most 200 characters; a
/// longer one is shortened in the middle of its stem, so its extension (what opens it)
/// stays.
fn safe_name(name: &str) -> String {
    let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| *c != '"')
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if clean.chars().count() <= MAX_NAME_CHARS {
        return clean;
    }
    let ext = clean
        .rfind('.')
        .map(|dot| &clean[dot..])
        .filter(|ext| ext.chars().count() <= 16 && !ext.contains(' '))
        .unwrap_or("");
    let stem: String = clean
        .chars()
        .take(MAX_NAME_CHARS - ext.chars().count() - 1)
        .collect();
    format!("{}…{ext}", stem.trim_end())
}

/// The file name a part's raw header gives in RFC 2047 encoded words, decoded whole.
/// mail-parser stops an unquoted name at the first folded line; this unfolds the header
/// first and decodes the words as one text. `None` when the name holds no encoded word
/// (then mail-parser's reading, which also follows RFC 2231 continuations, is right).
fn encoded_name(raw_header: &[u8]) -> Option<String> {
    let header = String::from_utf8_lossy(raw_header)
        .replace("\r\n", "\n")
        .replace("\n ", " ")
        .replace("\n\t", " ");
    let lower = header.to_ascii_lowercase();
    let value_at = ["filename=", "name="].iter().find_map(|key| {
        lower.match_indices(key).find_map(|(i, _)| {
            let before = lower[..i].chars().next_back();
            matches!(before, Some(';' | ' ' | '\t')).then_some(i + key.len())
        })
    })?;
    let rest = header[value_at..].trim_start();
    let value = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or(""),
        None => rest.split([';', '\n']).next().unwrap_or(""),
    };
    if !value.contains("=?") {
        return None;
    }
    // mail-parser decodes encoded words in a Subject, joining adjacent ones.
    let wrapped = format!("Subject: {}\r\n\r\n", value.trim());
    MessageParser::default()
        .parse(wrapped.as_bytes())
        .and_then(|m| m.subject().map(str::to_string))
}

/// Whether a line opens a header field (`Name:`, the name printable ASCII without a colon).
fn is_header_line(line: &[u8]) -> bool {
    match line.iter().position(|b| *b == b':') {
        Some(colon) if colon > 0 => line[..colon].iter().all(|b| (33..=126).contains(b)),
        _ => false,
    }
}

/// A message as a mail client reads it: a header block that runs into the body without its
/// blank line ends at the first line that is not a header; a message with no header at all
/// is all body (mail-parser would take its first lines for headers and drop them).
fn with_header_end(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut at = 0;
    let mut first = true;
    while at < raw.len() {
        let end = raw[at..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(raw.len(), |i| at + i + 1);
        let line = &raw[at..end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        let header = is_header_line(content)
            || (!first && content.first().is_some_and(|b| *b == b' ' || *b == b'\t'))
            || (first && content.starts_with(b"From "));
        if content.is_empty() {
            break;
        }
        if !header {
            let mut fixed = Vec::with_capacity(raw.len() + 2);
            fixed.extend_from_slice(&raw[..at]);
            fixed.extend_from_slice(b"\r\n");
            fixed.extend_from_slice(&raw[at..]);
            return std::borrow::Cow::Owned(fixed);
        }
        first = false;
        at = end;
    }
    std::borrow::Cow::Borrowed(raw)
}

/// What of a message is read as its body, and which parts are offered as files (SPEC E-2):
/// every part is one or the other, so nothing a mail client would show is lost.
struct Body<'m> {
    /// Every text part, in order (HTML ones as text).
    text: String,
    /// Every part of the HTML reading, in order, when the message has HTML (plain parts
    /// beside it made HTML), not yet sanitized.
    html: Option<String>,
    /// Every file part, with its index in the message's parts.
    files: Vec<(usize, &'m MessagePart<'m>)>,
    /// The parts past the limits, as one line of the not-kept list.
    unread: Option<SkippedPart>,
}

/// Which of the message's parts are read: the first [`MAX_MIME_PARTS`], nested at most
/// [`MAX_MIME_DEPTH`] levels. Part ids follow the message's order with each container before
/// its parts, so one pass knows every depth (and a part of an unread container is unread).
fn parts_read(message: &Message) -> Vec<bool> {
    let mut depth = vec![0usize; message.parts.len()];
    let mut read = vec![false; message.parts.len()];
    for (id, part) in message.parts.iter().enumerate() {
        read[id] = id < MAX_MIME_PARTS && depth[id] <= MAX_MIME_DEPTH;
        if let PartType::Multipart(children) = &part.body {
            let inner = depth[id] + 1;
            for child in children {
                if let Some(d) = depth.get_mut(*child as usize) {
                    *d = inner;
                }
            }
        }
    }
    read
}

/// `Content-Type: text` without a subtype, not a named file: text/plain (RFC 2045).
fn is_bare_text(part: &MessagePart) -> bool {
    part.content_type()
        .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("text") && ct.subtype().is_none())
        && part.attachment_name().is_none()
        && !part
            .content_disposition()
            .is_some_and(|d| d.is_attachment())
}

impl<'m> Body<'m> {
    fn of(message: &'m Message<'m>) -> Self {
        let read = parts_read(message);
        let is_read = |id: usize| read.get(id).copied().unwrap_or(false);
        let part = |id: &u32| message.parts.get(*id as usize);
        let readable = |id: &u32| {
            is_read(*id as usize)
                && part(id).is_some_and(|p| matches!(p.body, PartType::Text(_) | PartType::Html(_)))
        };
        let mut text_ids = message.text_body.clone();
        let mut html_ids = message.html_body.clone();
        for id in &message.attachments {
            if part(id).is_some_and(is_bare_text) {
                text_ids.push(*id);
                html_ids.push(*id);
            }
        }
        for ids in [&mut text_ids, &mut html_ids] {
            ids.sort_unstable();
            ids.dedup();
            ids.retain(readable);
        }
        // Every other part that is not a container is a file, in the message's order.
        let files = message
            .parts
            .iter()
            .enumerate()
            .filter(|(id, p)| {
                let id = *id as u32;
                is_read(id as usize)
                    && !matches!(p.body, PartType::Multipart(_))
                    && text_ids.binary_search(&id).is_err()
                    && html_ids.binary_search(&id).is_err()
            })
            .collect();
        let text = text_ids
            .iter()
            .filter_map(part)
            .filter_map(|p| match &p.body {
                PartType::Text(t) => Some(t.to_string()),
                PartType::Html(h) => Some(mail_parser::decoders::html::html_to_text(h)),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let has_html = html_ids
            .iter()
            .filter_map(part)
            .any(|p| matches!(p.body, PartType::Html(_)));
        let html = has_html.then(|| {
            html_ids
                .iter()
                .filter_map(part)
                .filter_map(|p| match &p.body {
                    PartType::Html(h) => Some(h.to_string()),
                    PartType::Text(t) => Some(mail_parser::decoders::html::text_to_html(t)),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
        let (count, size) = message
            .parts
            .iter()
            .enumerate()
            .filter(|(id, p)| !is_read(*id) && !matches!(p.body, PartType::Multipart(_)))
            .fold((0, 0), |(count, size), (_, p)| {
                (count + 1, size + p.contents().len() as u64)
            });
        let unread = (count > 0).then(|| unread_parts(count, size));
        Body {
            text,
            html,
            files,
            unread,
        }
    }
}

/// A part's contents, owned, leaving the part empty.
fn take_contents(part: &mut MessagePart) -> Vec<u8> {
    match std::mem::replace(&mut part.body, PartType::Multipart(Vec::new())) {
        PartType::Text(text) | PartType::Html(text) => text.into_owned().into_bytes(),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes.into_owned(),
        // An attached message of 7 or 8 bits keeps the whole outer input as its raw
        // message: only its own range is the file.
        PartType::Message(message) => message.raw_message().to_vec(),
        PartType::Multipart(_) => Vec::new(),
    }
}

/// Parses a raw message. Never fails: a message that cannot be read still becomes a contact
/// (its raw text as the body), so no email is lost. NUL characters, which no database text
/// column takes, are removed from every text; the headers the database indexes are bounded
/// (an index refuses a row too large, which would make the message unreadable).
pub fn parse(raw: &[u8]) -> Parsed {
    let mut parsed = parse_raw(raw);
    let clean = |s: &mut String| {
        if s.contains('\0') {
            *s = s.replace('\0', "");
        }
    };
    let cut = |s: &mut String, max: usize| {
        if let Some((at, _)) = s.char_indices().nth(max) {
            s.truncate(at);
        }
    };
    cut(&mut parsed.subject, MAX_INCOMING_HEADER_CHARS);
    for ids in [&mut parsed.references, &mut parsed.in_reply_to] {
        // An identifier cut would match nothing: a longer one is not followed.
        ids.retain(|id| id.chars().count() <= MAX_INCOMING_HEADER_CHARS);
    }
    if let Some(id) = &parsed.message_id {
        if id.chars().count() > MAX_INCOMING_HEADER_CHARS {
            parsed.message_id = None;
        }
    }
    for a in parsed
        .to
        .iter_mut()
        .chain(parsed.cc.iter_mut())
        .chain(std::iter::once(&mut parsed.from))
    {
        cut(&mut a.address, MAX_EMAIL_ADDRESS_CHARS);
        if let Some(name) = a.name.as_mut() {
            cut(name, MAX_INCOMING_HEADER_CHARS);
        }
    }
    clean(&mut parsed.subject);
    clean(&mut parsed.text_body);
    if let Some(html) = parsed.html_body.as_mut() {
        clean(html);
    }
    for a in parsed
        .to
        .iter_mut()
        .chain(parsed.cc.iter_mut())
        .chain(std::iter::once(&mut parsed.from))
    {
        clean(&mut a.address);
        if let Some(name) = a.name.as_mut() {
            clean(name);
        }
    }
    for part in parsed.kept.iter_mut() {
        clean(&mut part.name);
    }
    parsed
}

fn parse_raw(raw: &[u8]) -> Parsed {
    let raw = &*with_header_end(raw);
    let Some(mut message) = MessageParser::default().parse(raw) else {
        return Parsed {
            message_id: None,
            in_reply_to: Vec::new(),
            references: Vec::new(),
            subject: "(unreadable message)".into(),
            from: EmailAddress {
                name: None,
                address: String::new(),
            },
            to: Vec::new(),
            cc: Vec::new(),
            sent_at_ms: None,
            text_body: String::from_utf8_lossy(raw).into_owned(),
            html_body: None,
            has_remote_images: false,
            kept: Vec::new(),
            skipped: Vec::new(),
        };
    };
    let from = addresses(message.from())
        .into_iter()
        .next()
        .or_else(|| addresses(message.sender()).into_iter().next())
        .unwrap_or(EmailAddress {
            name: None,
            address: String::new(),
        });
    let body = Body::of(&message);
    let sanitized = body.html.as_deref().map(sanitize);
    let cids = sanitized
        .as_ref()
        .map(|s| s.cids.clone())
        .unwrap_or_default();
    let mut files = Vec::new();
    let mut file_ids = Vec::new();
    for (i, &(id, part)) in body.files.iter().enumerate() {
        let content_type = content_type_of(part);
        let header = raw
            .get(part.raw_header_offset() as usize..part.raw_body_offset() as usize)
            .unwrap_or_default();
        let name = encoded_name(header)
            .or_else(|| part.attachment_name().map(str::to_string))
            .map(|n| safe_name(&n))
            .filter(|n| !n.is_empty())
            .or_else(|| {
                part.message()
                    .and_then(|m| m.subject())
                    .map(|s| format!("{}.eml", safe_name(s)))
            })
            .unwrap_or_else(|| format!("attachment-{}.{}", i + 1, extension(&content_type)));
        let content_id = part.content_id().map(normalize_cid);
        let inline = content_id.as_ref().is_some_and(|c| cids.contains(c));
        file_ids.push(id);
        files.push(Part {
            name,
            content_type,
            bytes: Vec::new(),
            content_id,
            inline,
        });
    }
    let text_body = body.text;
    let unread = body.unread;
    // The files' bytes are taken from the parsed message rather than copied: decoded, a
    // file is most of the message's size.
    for (file, id) in files.iter_mut().zip(file_ids) {
        if let Some(part) = message.parts.get_mut(id) {
            file.bytes = take_contents(part);
        }
    }
    let sizes: Vec<u64> = files.iter().map(|f| f.bytes.len() as u64).collect();
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for (file, keep) in files.into_iter().zip(attachments_to_keep(&sizes)) {
        if keep {
            kept.push(file);
        } else {
            skipped.push(SkippedPart {
                size: file.bytes.len() as u64,
                name: file.name,
                reason: over_limit_reason(),
            });
        }
    }
    skipped.extend(unread);
    Parsed {
        message_id: message.message_id().map(str::to_string),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        subject: message.subject().unwrap_or("").trim().to_string(),
        from,
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        sent_at_ms: message.date().map(|d| d.to_timestamp() * 1000),
        text_body,
        has_remote_images: sanitized.as_ref().is_some_and(|s| s.has_remote_images),
        html_body: sanitized.map(|s| s.html),
        kept,
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Parsed {
        let path = format!(
            "{}/tests/fixtures/mime/{name}.eml",
            env!("CARGO_MANIFEST_DIR")
        );
        parse(&std::fs::read(&path).expect("fixture"))
    }

    /// SPEC E-2: sender, recipients, subject and both bodies of an everyday message.
    #[test]
    fn multipart_alternative_gives_both_bodies_and_every_address() {
        let p = sample("multipart_alternative");
        assert_eq!(p.from.to_string(), "Ann Lee <ann.lee@example.com>");
        assert_eq!(p.to[0].address, "support@switchboard.test");
        let cc: Vec<_> = p.cc.iter().map(|a| a.address.as_str()).collect();
        assert_eq!(cc, ["bo@example.org", "ops@example.org"]);
        assert_eq!(p.subject, "Order #4711 arrived damaged");
        assert_eq!(
            p.message_id.as_deref(),
            Some("CAF4711.ann@mail.example.com")
        );
        assert!(p.text_body.contains("broken lid"));
        let html = p.html_body.unwrap();
        assert!(html.contains("<b>broken lid</b>"), "{html}");
        assert_eq!(p.sent_at_ms, Some(1_794_903_164_000));
        assert!(p.kept.is_empty());
    }

    /// SPEC E-2: a CID image is kept as a file and marked as shown in place.
    #[test]
    fn cid_images_are_inline_files() {
        let p = sample("cid_images");
        assert_eq!(p.kept.len(), 1);
        let logo = &p.kept[0];
        assert_eq!(
            (logo.name.as_str(), logo.content_type.as_str()),
            ("logo.png", "image/png")
        );
        assert!(logo.inline);
        assert_eq!(logo.content_id.as_deref(), Some("logo.png@01DB1234"));
        assert!(logo.bytes.starts_with(b"\x89PNG"));
        assert!(p.html_body.unwrap().contains("cid:logo.png@01DB1234"));
        assert!(!p.has_remote_images);
    }

    /// SPEC E-2, E-3: every attachment, byte for byte, in order.
    /// A forwarded message (message/rfc822, 7 bits, as RFC 2046 wants it) is kept as its
    /// own .eml file: its bytes alone, not the message that carries it.
    #[test]
    fn an_attached_message_is_kept_as_its_own_bytes() {
        let inner = "From: old@example.com\r\nSubject: Original\r\n\r\nThe first words.\r\n";
        let raw = format!(
            "From: a@example.com\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n\
             --b\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n\
             --b\r\nContent-Type: application/pdf; name=\"x.pdf\"\r\n\r\n%PDF-1.4 other file\r\n\
             --b--\r\n"
        );
        let p = parse(raw.as_bytes());
        let eml = p
            .kept
            .iter()
            .find(|f| f.name.ends_with(".eml"))
            .expect("the attached message kept");
        let bytes = String::from_utf8_lossy(&eml.bytes);
        assert!(bytes.contains("Subject: Original"), "{bytes}");
        assert!(bytes.contains("The first words."), "{bytes}");
        assert!(
            !bytes.contains("Subject: Fwd"),
            "not the outer message: {bytes}"
        );
        assert!(!bytes.contains("%PDF"), "not the other file: {bytes}");
    }

    #[test]
    fn several_attachments_keep_their_names_types_and_bytes() {
        let p = sample("several_attachments");
        let names: Vec<_> = p
            .kept
            .iter()
            .map(|f| (f.name.as_str(), f.content_type.as_str(), f.inline))
            .collect();
        assert_eq!(
            names,
            [
                ("receipt.pdf", "application/pdf", false),
                ("photo.png", "image/png", false),
                ("notes.txt", "text/plain", false)
            ]
        );
        assert!(p.kept[0].bytes.starts_with(b"%PDF-1.4"));
        assert!(p.kept[0].bytes.ends_with(&(0..=255u8).collect::<Vec<_>>()));
        assert_eq!(
            p.kept[2].bytes,
            b"Damage noticed on 2026-11-18.\nBox dented.\n"
        );
        assert!(p.text_body.contains("receipt, a photo"));
        assert!(p.html_body.is_none(), "a plain-text message");
    }

    /// Any charset: ISO-8859-1 quoted-printable, with RFC 2047 headers.
    #[test]
    fn latin1_body_and_headers_are_decoded() {
        let p = sample("iso_8859_1");
        assert_eq!(p.from.name.as_deref(), Some("René Dupré"));
        assert_eq!(p.subject, "Où est ma commande ?");
        assert!(
            p.text_body.contains("café crème n'est pas arrivée"),
            "{}",
            p.text_body
        );
    }

    /// Any charset: Shift_JIS body and subject, ISO-2022-JP sender name.
    #[test]
    fn shift_jis_body_and_headers_are_decoded() {
        let p = sample("shift_jis");
        assert_eq!(p.subject, "配送について");
        assert_eq!(p.from.name.as_deref(), Some("山田 太郎"));
        assert!(
            p.text_body.contains("注文した商品がまだ届きません。"),
            "{}",
            p.text_body
        );
    }

    /// RFC 2047 encoded words, base64 and Q, folded over two lines, with an emoji.
    #[test]
    fn encoded_words_are_decoded_and_joined() {
        let p = sample("encoded_headers");
        assert_eq!(p.from.name.as_deref(), Some("Éloïse Müller"));
        assert_eq!(p.subject, "Remboursement 💰 en attente depuis 3 semaines");
        assert_eq!(p.to[0].name.as_deref(), Some("Service Clientèle"));
    }

    /// A message that is only a file still becomes an email with that file.
    #[test]
    fn a_message_without_text_keeps_its_file() {
        let p = sample("no_text_part");
        assert_eq!(p.text_body, "");
        assert!(p.html_body.is_none());
        assert_eq!(p.kept.len(), 1);
        assert_eq!(p.kept[0].name, "scan-0001.pdf");
        assert_eq!(p.from.address, "scanner@office.example");
    }

    /// SPEC E-2: nothing of a hostile message can run; its tracker is noticed.
    #[test]
    fn hostile_html_is_defused() {
        let p = sample("hostile_html");
        let html = p.html_body.unwrap().to_lowercase();
        for bad in [
            "<script",
            "onload",
            "onerror",
            "javascript:",
            "<iframe",
            "<form",
            "<meta",
        ] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
        assert!(p.has_remote_images);
        assert!(html.contains("hello <b>agent</b>"));
    }

    /// SPEC E-3: beyond 20 MB of attachments, what does not fit is listed with the reason.
    #[test]
    fn attachments_over_twenty_megabytes_are_listed_not_kept() {
        let big = vec![b'a'; 15 * 1024 * 1024];
        let mut raw = String::from(
            "From: big@example.com\r\nSubject: Big\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
             Content-Type: text/plain\r\n\r\nTwo big files\r\n",
        );
        for name in ["one.bin", "two.bin"] {
            raw.push_str(&format!(
                "--b\r\nContent-Type: application/octet-stream\r\n\
                 Content-Disposition: attachment; filename=\"{name}\"\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\n"
            ));
            use base64::Engine as _;
            raw.push_str(&base64::engine::general_purpose::STANDARD.encode(&big));
            raw.push_str("\r\n");
        }
        raw.push_str("--b--\r\n");
        let p = parse(raw.as_bytes());
        assert_eq!(p.kept.len(), 1);
        assert_eq!(p.kept[0].name, "one.bin");
        assert_eq!(p.kept[0].bytes.len(), big.len());
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped[0].name, "two.bin");
        assert!(p.skipped[0].reason.contains("20 MB"));
    }

    /// A NUL in a message would make the database refuse it, again and again.
    #[test]
    fn nul_characters_are_removed() {
        let p = parse(b"From: a@example.com\r\nSubject: A\0B\r\n\r\nx\0y\r\n");
        assert_eq!(p.subject, "AB");
        assert_eq!(p.text_body.trim(), "xy");
    }

    /// SPEC E-2: file names are read whole: encoded words folded over lines (unquoted),
    /// RFC 2231 continuations, and a name too long to keep loses its middle, not its
    /// extension.
    #[test]
    fn file_names_are_read_whole_and_keep_their_extension() {
        let p = sample("folded_names");
        let names: Vec<&str> = p.kept.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names[..2],
            [
                "Récapitulatif détaillé du dossier de remboursement numéro 4711.pdf",
                "Facture détaillée novembre.pdf"
            ]
        );
        let long = names[2];
        assert_eq!(long.chars().count(), 200, "{long}");
        assert!(long.starts_with("Relevé des consommations"), "{long}");
        assert!(long.ends_with("….pdf"), "{long}");
        assert!(p.kept.iter().all(|f| f.bytes.starts_with(b"%PDF-1.4")));
        assert_eq!(p.text_body.trim(), "Three documents attached.");
    }

    /// SPEC E-2: every inline text part of a multipart/mixed message is in the body, in
    /// order, whatever its encoding; none is dropped or offered as a file.
    #[test]
    fn every_text_part_of_a_mixed_message_is_shown_in_order() {
        let p = sample("mixed_text_parts");
        let parts = [
            "Part one: the order number is 4711.",
            "the lid",
            "Part three: the courier left it outside.",
            "Part four: please call me back.",
        ];
        let html = p.html_body.expect("the HTML part makes an HTML reading");
        let mut from = 0;
        for part in parts {
            let at = html[from..]
                .find(part)
                .unwrap_or_else(|| panic!("{part} missing or out of order in {html}"));
            from += at + part.len();
        }
        assert!(html.contains("<b>the lid</b> was broken —"), "{html}");
        for part in ["Part one", "the lid", "Part three", "Part four"] {
            assert!(p.text_body.contains(part), "{part}: {}", p.text_body);
        }
        assert!(p.kept.is_empty() && p.skipped.is_empty());
    }

    /// RFC 2045: `Content-Type: text` without a subtype is plain text, shown as the body.
    #[test]
    fn text_without_a_subtype_is_the_body() {
        let p = sample("text_without_subtype");
        assert!(p.text_body.contains("must still be read"), "{p:?}");
        assert!(p.kept.is_empty(), "not a file: {:?}", p.kept);
    }

    /// A message a mail client can show is shown: one without any header is all body; one
    /// whose headers run into the body without a blank line keeps its headers and body.
    #[test]
    fn messages_with_broken_header_blocks_keep_every_line() {
        let p = sample("no_headers");
        assert!(
            p.text_body.starts_with("Hello, is anybody there?"),
            "{:?}",
            p.text_body
        );
        assert!(p.text_body.contains("My parcel never came."));
        let p = sample("no_blank_line");
        assert_eq!(p.subject, "In a hurry");
        assert_eq!(p.from.address, "hasty@example.org");
        assert!(
            p.text_body
                .starts_with("Where is my refund? I asked last week."),
            "{:?}",
            p.text_body
        );
        assert!(p.text_body.contains("Thanks."));
    }

    #[test]
    fn unreadable_input_still_becomes_an_email() {
        let p = parse(b"");
        assert!(p.subject.contains("unreadable") || p.subject.is_empty());
    }

    /// A multipart/mixed message of `count` small parts: text parts and files in turn.
    fn many_parts(count: usize) -> Vec<u8> {
        let mut raw = String::from(
            "From: many@example.org\r\nSubject: Parts\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=b\r\n\r\n",
        );
        for i in 1..=count {
            if i % 2 == 1 {
                raw += &format!("--b\r\nContent-Type: text/plain\r\n\r\nline {i}\r\n");
            } else {
                raw += &format!(
                    "--b\r\nContent-Type: application/octet-stream\r\n\
                     Content-Disposition: attachment; filename=\"f{i}.bin\"\r\n\r\nfile {i}\r\n"
                );
            }
        }
        raw += "--b--\r\n";
        raw.into_bytes()
    }

    /// Every input bounded: a message of 1,000 parts is read up to the 500th part (the
    /// container counts); the rest are one line of the not-kept list, not lost silently.
    #[test]
    fn only_the_first_five_hundred_parts_are_read() {
        let p = parse(&many_parts(1000));
        assert!(p.text_body.contains("line 499"), "{}", p.text_body.len());
        assert!(!p.text_body.contains("line 501"));
        assert_eq!(p.kept.len(), 249, "files f2 to f498");
        assert_eq!(p.kept.last().unwrap().name, "f498.bin");
        let unread = p.skipped.last().expect("the unread parts are listed");
        assert_eq!(unread.name, "501 more parts");
        assert!(
            unread.reason.contains("first 500 parts"),
            "{}",
            unread.reason
        );
        // At the limit, nothing is listed as unread.
        let p = parse(&many_parts(MAX_MIME_PARTS - 1));
        assert!(p.skipped.is_empty(), "{:?}", p.skipped);
        assert!(p.text_body.contains("line 499"));
    }

    /// Every input bounded: parts nested deeper than ten multiparts are not read, and said.
    #[test]
    fn parts_nested_too_deep_are_listed_not_read() {
        let nested = |levels: usize| {
            let mut raw = String::from("From: deep@example.org\r\nSubject: Deep\r\n");
            for level in 0..levels {
                raw += &format!(
                    "Content-Type: multipart/mixed; boundary=l{level}\r\n\r\n--l{level}\r\n"
                );
            }
            raw += "Content-Type: text/plain\r\n\r\nat the bottom\r\n";
            for level in (0..levels).rev() {
                raw += &format!("--l{level}--\r\n");
            }
            raw.into_bytes()
        };
        let p = parse(&nested(MAX_MIME_DEPTH));
        assert!(p.text_body.contains("at the bottom"), "{:?}", p.text_body);
        assert!(p.skipped.is_empty());
        let p = parse(&nested(MAX_MIME_DEPTH + 1));
        assert!(!p.text_body.contains("at the bottom"));
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped[0].name, "1 more part");
    }

    /// Every input bounded: a header the database indexes cannot make the message
    /// unreadable by its size (PostgreSQL refuses index rows over about 2.7 KB).
    #[test]
    fn huge_headers_are_bounded() {
        let long = "x".repeat(10_000);
        let raw = format!(
            "From: {long}@example.org\r\nSubject: {long}\r\nMessage-ID: <{long}@a>\r\n\
             In-Reply-To: <{long}@b>\r\n\r\nbody\r\n"
        );
        let p = parse(raw.as_bytes());
        assert_eq!(p.subject.chars().count(), MAX_INCOMING_HEADER_CHARS);
        assert!(p.from.address.chars().count() <= MAX_EMAIL_ADDRESS_CHARS);
        assert_eq!(p.message_id, None);
        assert!(p.in_reply_to.is_empty());
        assert_eq!(p.text_body.trim(), "body");
    }
}
