//! The reply's editors (SPEC R-2): rich text with a toolbar (each button named by its
//! tooltip, with the usual shortcuts), a link dialog and an image dialog in the page, images
//! pasted as files and HTML pasted cleaned; or plain text when the customer wrote plain text.

use super::Reply;
use crate::{domain::reply::normalize_link, i18n::*, ui::icons::ToolIcon};
use leptos::prelude::*;

/// A toolbar button's tooltip and accessible name, in a language.
type Label = fn(Locale) -> &'static str;

/// The toolbar: (tooltip and accessible name, browser command, letter or icon shown).
const TOOLS: &[(Label, &str, Face)] = &[
    (
        |l| td_string!(l, email.editor.bold),
        "bold",
        Face::Letter("B"),
    ),
    (
        |l| td_string!(l, email.editor.italic),
        "italic",
        Face::Letter("I"),
    ),
    (
        |l| td_string!(l, email.editor.underline),
        "underline",
        Face::Letter("U"),
    ),
    (
        |l| td_string!(l, email.editor.bulleted_list),
        "insertUnorderedList",
        Face::Icon("bulleted"),
    ),
    (
        |l| td_string!(l, email.editor.numbered_list),
        "insertOrderedList",
        Face::Icon("numbered"),
    ),
    (
        |l| td_string!(l, email.editor.outdent),
        "outdent",
        Face::Icon("outdent"),
    ),
    (
        |l| td_string!(l, email.editor.indent),
        "indent",
        Face::Icon("indent"),
    ),
    (
        |l| td_string!(l, email.editor.align_left),
        "justifyLeft",
        Face::Icon("left"),
    ),
    (
        |l| td_string!(l, email.editor.center),
        "justifyCenter",
        Face::Icon("center"),
    ),
    (
        |l| td_string!(l, email.editor.align_right),
        "justifyRight",
        Face::Icon("right"),
    ),
];

/// What a toolbar button shows.
#[derive(Clone, Copy)]
enum Face {
    Letter(&'static str),
    Icon(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialog {
    Link,
    Image,
}

/// Shows `reply.body` in the editor (after a canned response was appended).
pub fn show_body(reply: Reply) {
    if let Some(el) = reply.editor.get_untracked() {
        el.set_inner_html(&reply.body.get_untracked());
    }
}

/// The editor's content changed: keep it, unsaved.
fn sync(reply: Reply) {
    if let Some(el) = reply.editor.get_untracked() {
        reply.body.set(el.inner_html());
        reply.touch();
    }
}

#[component]
pub fn RichEditor() -> impl IntoView {
    let reply = expect_context::<Reply>();
    let i18n = use_i18n();
    let dialog = RwSignal::new(None::<Dialog>);
    let url = RwSignal::new(String::new());
    let dialog_error = RwSignal::new(None::<&'static str>);
    #[cfg(feature = "hydrate")]
    let range = StoredValue::new_local(None::<web_sys::Range>);
    let initial = reply.body.get_untracked();
    let command = move |name: &'static str| {
        #[cfg(feature = "hydrate")]
        {
            super::dom::exec(name, None);
            sync(reply);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = name;
    };
    let open = move |kind: Dialog| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = reply.editor.get_untracked() {
            let saved = super::dom::save_selection(&el);
            let existing = saved.as_ref().and_then(super::dom::link_at);
            url.set(if kind == Dialog::Link {
                existing.unwrap_or_default()
            } else {
                String::new()
            });
            range.set_value(saved);
        }
        dialog_error.set(None);
        dialog.set(Some(kind));
    };
    let apply = move || {
        let Some(kind) = dialog.get_untracked() else {
            return;
        };
        match normalize_link(
            i18n.get_locale_untracked(),
            &url.get_untracked(),
            kind == Dialog::Image,
        ) {
            Err(e) => dialog_error.set(Some(e)),
            Ok(address) => {
                dialog.set(None);
                #[cfg(feature = "hydrate")]
                if let Some(el) = reply.editor.get_untracked() {
                    let saved = range.get_value();
                    super::dom::restore_selection(&el, saved.as_ref());
                    let escaped = address.replace('&', "&amp;").replace('"', "&quot;");
                    match kind {
                        Dialog::Image => super::dom::exec(
                            "insertHTML",
                            Some(&format!("<img src=\"{escaped}\" alt=\"\">")),
                        ),
                        Dialog::Link if super::dom::has_text(saved.as_ref()) => {
                            super::dom::exec("createLink", Some(&address))
                        }
                        Dialog::Link => super::dom::exec(
                            "insertHTML",
                            Some(&format!("<a href=\"{escaped}\">{}</a>", escaped)),
                        ),
                    }
                    sync(reply);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = address;
            }
        }
    };
    let title = move || match dialog.get() {
        Some(Dialog::Image) => t_string!(i18n, email.editor.image_title),
        _ => t_string!(i18n, email.editor.link_title),
    };
    view! {
        <div class="editor">
            <div class="toolbar" role="toolbar" aria-label=move || t_string!(i18n, email.editor.toolbar)>
                {TOOLS.iter().map(|&(label, name, face)| view! {
                    <button
                        type="button"
                        class=format!("tool tool-{name}")
                        title=move || label(i18n.get_locale())
                        aria-label=move || label(i18n.get_locale())
                        on:mousedown=|ev| ev.prevent_default()
                        on:click=move |_| command(name)
                    >{match face {
                        Face::Letter(l) => view! { <span>{l}</span> }.into_any(),
                        Face::Icon(i) => view! { <ToolIcon name=i /> }.into_any(),
                    }}</button>
                }).collect_view()}
                <button type="button" class="tool tool-link" title=move || t_string!(i18n, email.editor.link) aria-label=move || t_string!(i18n, email.editor.link)
                    on:mousedown=|ev| ev.prevent_default()
                    on:click=move |_| open(Dialog::Link)><ToolIcon name="link" /></button>
                <button type="button" class="tool tool-image" title=move || t_string!(i18n, email.editor.image) aria-label=move || t_string!(i18n, email.editor.image)
                    on:mousedown=|ev| ev.prevent_default()
                    on:click=move |_| open(Dialog::Image)><ToolIcon name="image" /></button>
            </div>
            <div
                class="editor-area"
                contenteditable="true"
                role="textbox"
                aria-multiline="true"
                aria-label=move || t_string!(i18n, email.editor.text)
                spellcheck="true"
                node_ref=reply.editor
                inner_html=initial
                on:input=move |_| sync(reply)
                on:keydown=move |ev| {
                    if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("k") {
                        ev.prevent_default();
                        open(Dialog::Link);
                    }
                }
                on:paste=move |ev| super::files::on_paste(reply, ev)
            ></div>
            <Show when=move || dialog.get().is_some()>
                <form
                    class="editor-dialog"
                    role="dialog"
                    aria-label=title
                    on:submit=move |ev| { ev.prevent_default(); apply(); }
                    on:keydown=move |ev| if ev.key() == "Escape" { dialog.set(None) }
                >
                    <label>
                        {title}
                        <input
                            type="text"
                            autofocus
                            placeholder="https://"
                            aria-invalid=move || dialog_error.get().is_some().to_string()
                            prop:value=move || url.get()
                            on:input=move |ev| url.set(event_target_value(&ev))
                        />
                    </label>
                    {move || dialog_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                    <div class="confirm-actions">
                        <button type="button" on:click=move |_| dialog.set(None)>{t!(i18n, email.editor.cancel)}</button>
                        <button type="submit" class="primary">{t!(i18n, email.editor.ok)}</button>
                    </div>
                </form>
            </Show>
        </div>
    }
}

/// SPEC R-3: the customer wrote plain text, so the reply is plain text.
#[component]
pub fn PlainEditor() -> impl IntoView {
    let reply = expect_context::<Reply>();
    let i18n = use_i18n();
    view! {
        <textarea
            class="editor-plain"
            aria-label=move || t_string!(i18n, email.editor.text)
            rows="10"
            spellcheck="true"
            prop:value=move || reply.body.get()
            on:input=move |ev| {
                reply.body.set(event_target_value(&ev));
                reply.touch();
            }
        ></textarea>
    }
}
