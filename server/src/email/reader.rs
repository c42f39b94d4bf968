//! The document the agent's email frame loads (SPEC E-2): the stored, sanitized HTML (or the
//! plain text, escaped) with inline images resolved, under a Content-Security-Policy that
//! runs no script, loads nothing from other servers until the agent asks ("Show images"),
//! and sandboxes the frame even if the page forgot to.

use crate::store::email::StoredEmail;
use app::domain::ids::AttachmentId;

/// The policy of the email frame. Images from this server (inline CID images) and data:
/// images always; remote images only with `remote_images`. No `frame-ancestors`: inside a
/// host desktop (a Finesse gadget, SPEC D-1) the frame's ancestors include the host's site.
pub fn content_security_policy(remote_images: bool) -> String {
    let images = if remote_images {
        "'self' data: https: http:"
    } else {
        "'self' data:"
    };
    format!(
        "default-src 'none'; img-src {images}; style-src 'unsafe-inline'; font-src 'none'; \
         base-uri 'none'; form-action 'none'; \
         sandbox allow-popups allow-popups-to-escape-sandbox"
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Replaces `cid:` image sources with the signed addresses of the stored files.
fn resolve_cids(html: &str, email: &StoredEmail, path: &dyn Fn(AttachmentId) -> String) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("src=\"cid:") {
        out.push_str(&rest[..at + 5]);
        let after = &rest[at + 9..];
        let end = after.find('"').unwrap_or(after.len());
        let cid = after[..end].replace("&amp;", "&");
        let cid = super::sanitize::normalize_cid(&cid);
        match email
            .attachments
            .iter()
            .find(|a| a.content_id.as_deref() == Some(cid.as_str()))
        {
            Some(a) => out.push_str(&path(a.id)),
            None => out.push_str("data:,"),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The frame's HTML document.
/// The frame's document. Remote images stay held (see [`super::sanitize`]) unless the agent
/// asked to see them (`remote_images`).
pub fn document(
    email: &StoredEmail,
    inline_path: &dyn Fn(AttachmentId) -> String,
    remote_images: bool,
) -> String {
    let body = match &email.html_body {
        Some(html) if remote_images => {
            resolve_cids(&super::sanitize::release_remote(html), email, inline_path)
        }
        Some(html) => resolve_cids(html, email, inline_path),
        None => format!("<pre class=\"plain\">{}</pre>", escape(&email.text_body)),
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <style>html{{color-scheme:light}}body{{margin:12px 14px;font:14px/1.5 system-ui,-apple-system,\
         'Segoe UI',Roboto,sans-serif;color:#1d2430;background:#fff;overflow-wrap:anywhere}}\
         img{{max-width:100%;height:auto}}pre.plain{{white-space:pre-wrap;font:inherit;margin:0}}\
         a{{color:#0b5cad}}</style></head><body>{body}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::email::StoredAttachment;
    use app::domain::{
        email::{EmailAddress, EmailView},
        ids::ContactId,
    };

    fn stored(html: Option<&str>, text: &str) -> StoredEmail {
        StoredEmail {
            view: EmailView {
                subject: String::new(),
                from: EmailAddress {
                    name: None,
                    address: "a@example.com".into(),
                },
                to: vec![],
                cc: vec![],
                sent_at_ms: None,
                received_at_ms: 0,
                attachments: vec![],
                skipped: vec![],
                has_remote_images: false,
                is_html: html.is_some(),
                mailbox_address: String::new(),
                draft: None,
            },
            mailbox: "support".into(),
            message_id: None,
            references: vec![],
            in_reply_to: vec![],
            text_body: text.into(),
            html_body: html.map(str::to_string),
            attachments: vec![StoredAttachment {
                id: AttachmentId(7),
                contact: ContactId(1),
                name: "logo.png".into(),
                content_type: "image/png".into(),
                size: 3,
                sha256: String::new(),
                content_id: Some("logo@x".into()),
                inline: true,
            }],
        }
    }

    #[test]
    fn cid_images_point_to_their_signed_file() {
        let doc = document(
            &stored(Some(r#"<img src="cid:logo@x"><img src="cid:missing">"#), ""),
            &|id| format!("/email/inline/{id}.sig"),
            false,
        );
        assert!(doc.contains(r#"src="/email/inline/7.sig""#), "{doc}");
        assert!(doc.contains(r#"src="data:,""#));
    }

    /// SPEC E-2: the held remote image loads only in the document for "Show images".
    #[test]
    fn remote_images_are_released_only_on_request() {
        let html = super::super::sanitize::sanitize(r#"<img src="https://x.example/a.png">"#).html;
        let email = stored(Some(&html), "");
        let held = document(&email, &|_| String::new(), false);
        assert!(!held.contains(r#"src="https://x.example/a.png""#), "{held}");
        let shown = document(&email, &|_| String::new(), true);
        assert!(
            shown.contains(r#"src="https://x.example/a.png""#),
            "{shown}"
        );
    }

    #[test]
    fn plain_text_is_escaped() {
        let doc = document(
            &stored(None, "<script>alert(1)</script> & more"),
            &|_| String::new(),
            false,
        );
        assert!(doc.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(!doc.contains("<script>"));
    }

    /// SPEC E-2: no script at all, remote images only after "Show images".
    #[test]
    fn the_policy_blocks_scripts_and_remote_images_until_asked() {
        let strict = content_security_policy(false);
        assert!(strict.contains("default-src 'none'"));
        assert!(!strict.contains("script-src"));
        assert!(!strict.contains("https:"));
        assert!(strict.contains("sandbox"));
        assert!(content_security_policy(true).contains("img-src 'self' data: https: http:"));
    }
}
