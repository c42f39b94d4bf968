//! HTML from customers, made safe before it is stored (SPEC E-2): ammonia keeps the
//! formatting email relies on (tables, inline styles, fonts) and drops scripts, event
//! handlers, forms, frames and dangerous URLs. The agent's page shows the result in a
//! sandboxed iframe under a strict Content-Security-Policy as a second wall.

use ammonia::Builder;
use std::{
    borrow::Cow,
    collections::HashSet,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
};

pub struct Sanitized {
    pub html: String,
    /// Images (or CSS backgrounds) on other servers: blocked until "Show images".
    pub has_remote_images: bool,
    /// The `cid:` references the body shows in place.
    pub cids: HashSet<String>,
}

/// SPEC E-2: put before the address of every remote image it finds (`src`, `background`,
/// CSS `url()` and `@import`) when a message is taken in, so the stored HTML names a
/// `data:` text, which loads nothing. What it cannot read (CSS escapes, `image-set()`) is
/// still stopped by the frame's policy. "Show images" serves the body through
/// [`release_remote`].
const HELD: &str = "data:,";

/// The body with its remote images as they were written, for an agent who asked to see
/// them.
pub fn release_remote(html: &str) -> String {
    html.replace("data:,http", "http").replace("data:,//", "//")
}

fn hold(url: &str) -> String {
    format!("{HELD}{}", url.trim_start())
}

/// CSS with every remote `url(...)` and `@import` held (see [`HELD`]); true if it had any.
fn hold_css(css: &str) -> (String, bool) {
    let lower = css.to_ascii_lowercase();
    let mut out = String::with_capacity(css.len());
    let mut held = false;
    let mut from = 0;
    let mut i = 0;
    while i < lower.len() {
        let at = &lower[i..];
        let skip = if at.starts_with("url(") {
            4
        } else if at.starts_with("@import") {
            7
        } else {
            i += at.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let mut start = i + skip;
        while lower[start..].starts_with([' ', '"', '\'', '\t']) {
            start += 1;
        }
        if is_remote(&lower[start..]) {
            out.push_str(&css[from..start]);
            out.push_str(HELD);
            from = start;
            held = true;
        }
        i = start.max(i + 1);
    }
    out.push_str(&css[from..]);
    (out, held)
}

fn is_remote(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    u.starts_with("http:") || u.starts_with("https:") || u.starts_with("//")
}

/// `cid:` references are compared without angle brackets, as Content-ID headers carry them.
pub fn normalize_cid(cid: &str) -> String {
    cid.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

pub fn sanitize(html: &str) -> Sanitized {
    let remote = Arc::new(AtomicBool::new(false));
    let cids = Arc::new(Mutex::new(HashSet::new()));
    let (remote_in, cids_in) = (remote.clone(), cids.clone());
    let clean = Builder::default()
        .add_tags(["style", "center", "font", "u", "s"])
        .rm_clean_content_tags(["style"])
        .add_generic_attributes([
            "style",
            "align",
            "valign",
            "bgcolor",
            "background",
            "width",
            "height",
            "border",
            "cellpadding",
            "cellspacing",
            "color",
            "face",
            "size",
            "dir",
            "lang",
            "title",
        ])
        .add_url_schemes(["cid", "data"])
        .set_tag_attribute_value("a", "target", "_blank")
        .attribute_filter(move |element, attribute, value| {
            let lower = value.trim_start().to_ascii_lowercase();
            match (element, attribute) {
                ("img", "src") => {
                    if lower.starts_with("cid:") {
                        if let Ok(mut cids) = cids_in.lock() {
                            cids.insert(normalize_cid(&value.trim_start()[4..]));
                        }
                        Some(Cow::Borrowed(value))
                    } else if lower.starts_with("data:image/")
                        && !lower.starts_with("data:image/svg")
                    {
                        Some(Cow::Borrowed(value))
                    } else if is_remote(value) {
                        remote_in.store(true, Ordering::Relaxed);
                        Some(Cow::Owned(hold(value)))
                    } else {
                        None
                    }
                }
                (_, "background") => {
                    if is_remote(value) {
                        remote_in.store(true, Ordering::Relaxed);
                        Some(Cow::Owned(hold(value)))
                    } else {
                        None
                    }
                }
                (_, "style") => {
                    let (css, held) = hold_css(value);
                    if held {
                        remote_in.store(true, Ordering::Relaxed);
                    }
                    Some(Cow::Owned(css))
                }
                // data: URLs only as images; links and everything else lose them.
                _ if lower.starts_with("data:") || lower.starts_with("cid:") => None,
                _ => Some(Cow::Borrowed(value)),
            }
        })
        .clean(html)
        .to_string();
    // <style> blocks are kept for layout; their remote url()s are held too.
    let (html, styles_held) = hold_style_blocks(&clean);
    let has_remote_images = remote.load(Ordering::Relaxed) || styles_held;
    let cids = cids.lock().map(|c| c.clone()).unwrap_or_default();
    Sanitized {
        html,
        has_remote_images,
        cids,
    }
}

/// Sanitized HTML with the remote addresses in its `<style>` elements held.
fn hold_style_blocks(html: &str) -> (String, bool) {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut held = false;
    let mut from = 0;
    while let Some(start) = lower[from..].find("<style") {
        let start = from + start;
        let Some(end) = lower[start..].find("</style>") else {
            break;
        };
        let (css, any) = hold_css(&html[start..start + end]);
        held |= any;
        out.push_str(&html[from..start]);
        out.push_str(&css);
        from = start + end;
    }
    out.push_str(&html[from..]);
    (out, held)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC E-2: no script from a customer's email can run in the agent's page.
    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let s = sanitize(
            r#"<p onclick="alert(1)">Hi<script>alert(2)</script></p>
               <img src="x" onerror="alert(3)"><a href="javascript:alert(4)">x</a>
               <iframe src="https://evil.example"></iframe><form action="/x"><input></form>
               <svg onload="alert(5)"></svg><a href="data:text/html,<script>alert(6)</script>">d</a>
               <object data="x.swf"></object><meta http-equiv="refresh" content="0;url=https://evil.example">"#,
        );
        let html = s.html.to_lowercase();
        for bad in [
            "onclick",
            "<script",
            "onerror",
            "javascript:",
            "<iframe",
            "<form",
            "<input",
            "onload",
            "data:text",
            "<object",
            "<meta",
        ] {
            assert!(!html.contains(bad), "{bad} survived: {}", s.html);
        }
        assert!(html.contains("hi"), "the text stays");
    }

    #[test]
    fn formatting_stays_and_links_open_apart() {
        let s = sanitize(
            r#"<table bgcolor="silver"><tr><td style="color:red" align="center"><b>Bold</b></td></tr></table><a href="https://example.com/help">help</a>"#,
        );
        assert!(s.html.contains(r#"style="color:red""#), "{}", s.html);
        assert!(s.html.contains(r#"bgcolor="silver""#));
        assert!(s.html.contains(r#"target="_blank""#));
        assert!(s.html.contains("noopener"));
        assert!(!s.has_remote_images);
    }

    /// SPEC E-2: remote images are noticed (blocked until "Show images"); CID images are
    /// listed for the reader to resolve.
    #[test]
    fn remote_and_inline_images_are_told_apart() {
        let s = sanitize(r#"<img src="cid:logo@shop"><img src="data:image/png;base64,AAAA">"#);
        assert!(!s.has_remote_images);
        assert!(s.cids.contains("logo@shop"));
        assert!(s.html.contains("data:image/png"));
        for remote in [
            r#"<img src="https://tracker.example/p.gif">"#,
            r#"<table><tr><td background="http://x.example/bg.png">a</td></tr></table>"#,
            r#"<div style="background:url('https://x.example/a.png')">a</div>"#,
            r#"<style>body{background:url(https://x.example/a.png)}</style>"#,
        ] {
            assert!(sanitize(remote).has_remote_images, "{remote}");
        }
        let svg = sanitize(r#"<img src="data:image/svg+xml;base64,PHN2Zz4=">"#);
        assert!(!svg.html.contains("data:"), "SVG can carry script: dropped");
    }

    /// SPEC E-2: a remote image, background or CSS address is stored held, so it loads
    /// nothing until "Show images" releases it, whatever the frame's policy.
    #[test]
    fn remote_addresses_are_held_until_released() {
        let s = sanitize(
            r#"<style>div{background:url( "https://x.example/a.png")} @import 'http://x.example/s.css';</style>
               <img src="https://tracker.example/p.gif?u=1&amp;v=2"><img src="//cdn.example/i.png">
               <table><tr><td background="http://x.example/bg.png">a</td></tr></table>
               <div style="background-image:URL('https://x.example/b.png')">b</div>"#,
        );
        assert!(s.has_remote_images);
        let lower = s.html.to_ascii_lowercase();
        for loading in [
            "src=\"http",
            "src=\"//",
            "background=\"http",
            "url('http",
            "url( \"http",
            "'http://x.example/s.css",
        ] {
            assert!(
                !lower.contains(loading),
                "{loading} still loads: {}",
                s.html
            );
        }
        let released = release_remote(&s.html);
        for address in [
            "https://tracker.example/p.gif?u=1&amp;v=2",
            "//cdn.example/i.png",
            "http://x.example/bg.png",
            "https://x.example/a.png",
            "https://x.example/b.png",
            "http://x.example/s.css",
        ] {
            assert!(
                released.contains(address),
                "{address} not released: {released}"
            );
        }
    }

    #[test]
    fn local_images_are_not_held() {
        let svg = sanitize(r#"<img src="data:image/svg+xml;base64,PHN2Zz4=">"#);
        assert!(!svg.html.contains("data:"), "SVG can carry script: dropped");
    }
}
