//! The browser side of the reply (hydrate only): requests with upload progress, the
//! editor's commands and selection, and cleaning pasted HTML (SPEC R-2: Word and web pages
//! bring styles, classes and scripts; only the formatting the toolbar makes is kept).

use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{Document, Element, HtmlDocument, Node, Range, XmlHttpRequest};

/// Sends a request; `done` gets the status and the response text (status 0: no answer).
/// `progress` hears the fraction of the body sent (uploads).
pub fn request(
    method: &str,
    url: &str,
    body: Body,
    progress: Option<Box<dyn Fn(f64)>>,
    done: impl FnOnce(u16, String) + 'static,
) {
    let Ok(xhr) = XmlHttpRequest::new() else {
        done(0, String::new());
        return;
    };
    if xhr.open(method, url).is_err() {
        done(0, String::new());
        return;
    }
    // SPEC D-1: a framed session's writes carry its CSRF token.
    if let Some(token) = crate::api::client::csrf_token() {
        let _ = xhr.set_request_header(crate::api::client::CSRF_HEADER, &token);
    }
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let finish = {
        let xhr = xhr.clone();
        let done = done.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(done) = done.borrow_mut().take() {
                let text = xhr.response_text().ok().flatten().unwrap_or_default();
                done(xhr.status().unwrap_or(0), text);
            }
        })
    };
    xhr.set_onloadend(Some(finish.as_ref().unchecked_ref()));
    finish.forget();
    if let Some(progress) = progress {
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |ev: web_sys::ProgressEvent| {
                if ev.length_computable() && ev.total() > 0.0 {
                    progress(ev.loaded() / ev.total());
                }
            });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        on_progress.forget();
    }
    let sent = match body {
        Body::None => xhr.send(),
        Body::Json(json) => {
            let _ = xhr.set_request_header("Content-Type", "application/json");
            xhr.send_with_opt_str(Some(&json))
        }
        Body::File(file) => {
            let kind = file.type_();
            let kind = if kind.is_empty() {
                "application/octet-stream".to_string()
            } else {
                kind
            };
            let _ = xhr.set_request_header("Content-Type", &kind);
            xhr.send_with_opt_blob(Some(&file))
        }
    };
    if sent.is_err() {
        if let Some(done) = done.borrow_mut().take() {
            done(0, String::new());
        }
    }
}

pub enum Body {
    None,
    Json(String),
    File(web_sys::File),
}

fn html_document() -> Option<HtmlDocument> {
    leptos::prelude::document().dyn_into::<HtmlDocument>().ok()
}

/// One of the browser's editing commands on the current selection (bold, lists, indent,
/// alignment, links, images): the same markup every mail program reads.
pub fn exec(command: &str, value: Option<&str>) {
    if let Some(doc) = html_document() {
        let _ = doc.exec_command_with_show_ui_and_value(command, false, value.unwrap_or(""));
    }
}

/// The selection inside `editor`, kept while a dialog takes the focus.
pub fn save_selection(editor: &Element) -> Option<Range> {
    let selection = leptos::prelude::window().get_selection().ok().flatten()?;
    if selection.range_count() == 0 {
        return None;
    }
    let range = selection.get_range_at(0).ok()?;
    let node = range.common_ancestor_container().ok()?;
    editor.contains(Some(&node)).then_some(range)
}

/// Puts a saved selection back (or the cursor at the end of `editor`).
pub fn restore_selection(editor: &Element, range: Option<&Range>) {
    if let Some(el) = editor.dyn_ref::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
    let Some(selection) = leptos::prelude::window().get_selection().ok().flatten() else {
        return;
    };
    let _ = selection.remove_all_ranges();
    match range {
        Some(range) => {
            let _ = selection.add_range(range);
        }
        None => {
            if let Ok(range) = leptos::prelude::document().create_range() {
                let _ = range.select_node_contents(editor);
                range.collapse_with_to_start(false);
                let _ = selection.add_range(&range);
            }
        }
    }
}

/// The link the selection is in, if any (to edit it).
pub fn link_at(range: &Range) -> Option<String> {
    let mut node: Option<Node> = range.start_container().ok();
    while let Some(n) = node {
        if let Some(el) = n.dyn_ref::<Element>() {
            if el.tag_name().eq_ignore_ascii_case("a") {
                return el.get_attribute("href");
            }
        }
        node = n.parent_node();
    }
    None
}

/// Whether the selection covers some text (a link needs text to sit on).
pub fn has_text(range: Option<&Range>) -> bool {
    range.is_some_and(|r| !r.collapsed())
}

const KEPT_TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "p",
    "div",
    "br",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
];
const BLOCK_TAGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section"];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn clean_node(node: &Node, out: &mut String) {
    match node.node_type() {
        Node::TEXT_NODE => out.push_str(&escape(&node.text_content().unwrap_or_default())),
        Node::ELEMENT_NODE => {
            let Some(el) = node.dyn_ref::<Element>() else {
                return;
            };
            let tag = el.tag_name().to_ascii_lowercase();
            if [
                "script", "style", "head", "title", "meta", "link", "xml", "template",
            ]
            .contains(&tag.as_str())
                || tag.contains(':')
            {
                return;
            }
            let kept = KEPT_TAGS.contains(&tag.as_str());
            if kept {
                if tag == "a" {
                    let href = el.get_attribute("href").unwrap_or_default();
                    let lower = href.trim().to_ascii_lowercase();
                    if lower.starts_with("http://")
                        || lower.starts_with("https://")
                        || lower.starts_with("mailto:")
                    {
                        out.push_str(&format!(
                            "<a href=\"{}\">",
                            escape(&href).replace('"', "&quot;")
                        ));
                    } else {
                        out.push_str("<a>");
                    }
                } else {
                    out.push_str(&format!("<{tag}>"));
                }
            }
            let children = node.child_nodes();
            for i in 0..children.length() {
                if let Some(child) = children.item(i) {
                    clean_node(&child, out);
                }
            }
            if kept && tag != "br" {
                out.push_str(&format!("</{tag}>"));
            } else if BLOCK_TAGS.contains(&tag.as_str()) {
                out.push_str("<br>");
            }
        }
        _ => {}
    }
}

/// SPEC R-2: pasted HTML reduced to the toolbar's formatting: no styles, classes, fonts,
/// Word's `o:` elements, comments, scripts or images (images paste as files).
pub fn clean_pasted_html(html: &str) -> String {
    let Ok(parser) = web_sys::DomParser::new() else {
        return String::new();
    };
    let Ok(doc): Result<Document, _> =
        parser.parse_from_string(html, web_sys::SupportedType::TextHtml)
    else {
        return String::new();
    };
    let mut out = String::new();
    if let Some(body) = doc.body() {
        clean_node(&body, &mut out);
    }
    // The <body> itself is not kept: nothing was opened for it.
    out
}
