//! The reply's files (SPEC ): chosen with the file picker, dropped on the reply,
//! or pasted as images into the text. Each is checked against the limits before it is sent
//! (the server checks again while it streams), shows a progress bar while it uploads and an
//! X to remove it; a refusal names the file and the limit and keeps what is attached.

use super::super::email_panel::size_text;
use super::Reply;
use crate::domain::{
    ids::DraftFileId,
    reply::file_sizes,
    validate::{validate_new_attachment, FileSize},
};
use crate::{i18n::*, ui::icons::ToolIcon};
use leptos::prelude::*;

/// A file on its way to the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Uploading {
    pub key: u64,
    pub name: String,
    pub size: u64,
    pub inline: bool,
    /// 0 to 1.
    pub progress: RwSignal<f64>,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// The message of a refusal the server sent (JSON with "message"), or `fallback`.
pub fn refusal_text(body: &str, fallback: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| fallback.to_string())
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// SPEC A-1: whether one more file fits with those attached and on their way.
pub fn check_new(reply: Reply, name: &str, size: u64) -> Result<(), String> {
    let mut existing = file_sizes(&reply.files.get_untracked());
    existing.extend(reply.uploads.get_untracked().iter().map(|u| FileSize {
        name: u.name.clone(),
        bytes: u.size,
    }));
    validate_new_attachment(
        &existing,
        &FileSize {
            name: name.to_string(),
            bytes: size,
        },
    )
    .map_err(|e| e.message(reply.i18n.get_locale_untracked()))
}

/// Puts a select back on its first option (after a canned response was appended).
pub fn reset_select(ev: &leptos::ev::Event) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(select) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        {
            select.set_value("");
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// Uploads one file; `after` gets it once stored (a pasted image is then shown in place).
#[cfg(feature = "hydrate")]
pub fn upload(
    reply: Reply,
    file: web_sys::File,
    inline: bool,
    after: Option<Box<dyn FnOnce(crate::domain::reply::DraftFile)>>,
) {
    let name = file.name();
    let size = file.size() as u64;
    if let Err(refusal) = check_new(reply, &name, size) {
        reply.notice.set(Some(refusal));
        return;
    }
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let key = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let progress = RwSignal::new(0.0);
    reply.uploads.update(|u| {
        u.push(Uploading {
            key,
            name: name.clone(),
            size,
            inline,
            progress,
        })
    });
    reply.touch();
    let failed = td_string!(
        reply.i18n.get_locale_untracked(),
        email.files.upload_failed,
        name = &name
    );
    let encoded: String = js_sys::encode_uri_component(&name).into();
    let url = format!(
        "/email/{}/files?name={encoded}{}",
        reply.id,
        if inline { "&inline=1" } else { "" }
    );
    super::dom::request(
        "POST",
        &url,
        super::dom::Body::File(file),
        Some(Box::new(move |p| {
            let _ = progress.try_set(p);
        })),
        move |status, text| {
            let _ = reply.uploads.try_update(|u| u.retain(|u| u.key != key));
            match (
                status,
                serde_json::from_str::<crate::domain::reply::DraftFile>(&text),
            ) {
                (201, Ok(file)) => {
                    if reply.files.try_update(|f| f.push(file.clone())).is_some() {
                        if let Some(after) = after {
                            after(file);
                        }
                    } else {
                        // The agent moved to another contact meanwhile: the page's copy of
                        // the draft gets the file, so it shows (with its X) on return.
                        let id = reply.id;
                        reply.live.model.update(|m| m.keep_draft_file(id, file));
                    }
                }
                _ => {
                    let _ = reply.notice.try_set(Some(refusal_text(&text, &failed)));
                }
            }
        },
    );
}

/// Every file of a file list, in turn.
#[cfg(feature = "hydrate")]
fn upload_all(reply: Reply, list: Option<web_sys::FileList>) {
    let Some(list) = list else { return };
    if let Some(refusal) = crate::domain::reply::attach_refusal(
        reply.i18n.get_locale_untracked(),
        reply.mode.get_untracked(),
    ) {
        reply.notice.set(Some(refusal.to_string()));
        return;
    }
    for i in 0..list.length() {
        if let Some(file) = list.item(i) {
            upload(reply, file, false, None);
        }
    }
}

/// Files dropped on the reply (SPEC A-2).
pub fn on_drop(reply: Reply, ev: leptos::ev::DragEvent) {
    #[cfg(feature = "hydrate")]
    {
        let files = ev.data_transfer().and_then(|d| d.files());
        if files.as_ref().is_some_and(|f| f.length() > 0) {
            ev.prevent_default();
            upload_all(reply, files);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (reply, ev);
}

/// SPEC R-2: a pasted image is uploaded and shown where the cursor was; pasted HTML is
/// cleaned of everything but the toolbar's formatting.
pub fn on_paste(reply: Reply, ev: leptos::ev::ClipboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        let Some(data) = ev.clipboard_data() else {
            return;
        };
        let images: Vec<web_sys::File> = data
            .files()
            .map(|list| {
                (0..list.length())
                    .filter_map(|i| list.item(i))
                    .filter(|f| f.type_().starts_with("image/"))
                    .collect()
            })
            .unwrap_or_default();
        if !images.is_empty() {
            ev.prevent_default();
            let Some(editor) = reply.editor.get_untracked() else {
                return;
            };
            for image in images {
                let range = super::dom::save_selection(&editor);
                let editor = editor.clone();
                upload(
                    reply,
                    image,
                    true,
                    Some(Box::new(move |file: crate::domain::reply::DraftFile| {
                        super::dom::restore_selection(&editor, range.as_ref());
                        super::dom::exec(
                            "insertHTML",
                            Some(&format!(
                                "<img src=\"/email/{}/files/{}\" alt=\"\">",
                                reply.id, file.id
                            )),
                        );
                        reply.body.set(editor.inner_html());
                        reply.touch();
                    })),
                );
            }
            return;
        }
        let html = data.get_data("text/html").unwrap_or_default();
        if !html.trim().is_empty() {
            ev.prevent_default();
            super::dom::exec("insertHTML", Some(&super::dom::clean_pasted_html(&html)));
            if let Some(el) = reply.editor.get_untracked() {
                reply.body.set(el.inner_html());
                reply.touch();
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (reply, ev);
}

fn remove(reply: Reply, id: DraftFileId) {
    #[cfg(feature = "hydrate")]
    {
        let failed = td_string!(reply.i18n.get_locale_untracked(), email.files.remove_failed);
        super::dom::request(
            "DELETE",
            &format!("/email/{}/files/{id}", reply.id),
            super::dom::Body::None,
            None,
            move |status, text| {
                if status == 204 {
                    let _ = reply.files.try_update(|f| f.retain(|f| f.id != id));
                } else {
                    let _ = reply.notice.try_set(Some(refusal_text(&text, failed)));
                }
            },
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (reply, id);
}

/// "Attach files": the file picker (SPEC A-1), disabled with its reason on a forward.
#[component]
pub fn AttachControl(blocked: Signal<Option<&'static str>>) -> impl IntoView {
    let reply = expect_context::<Reply>();
    let i18n = use_i18n();
    let input = NodeRef::<leptos::html::Input>::new();
    view! {
        <input
            type="file"
            multiple
            class="visually-hidden"
            tabindex="-1"
            aria-hidden="true"
            node_ref=input
            on:change=move |_ev| {
                #[cfg(feature = "hydrate")]
                if let Some(el) = input.get_untracked() {
                    upload_all(reply, el.files());
                    el.set_value("");
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = reply;
            }
        />
        <button
            type="button"
            class="attach"
            disabled=move || blocked.get().is_some()
            title=move || blocked.get().unwrap_or_else(|| t_string!(i18n, email.files.attach_hint))
            on:click=move |_| {
                if let Some(el) = input.get_untracked() {
                    el.click();
                }
            }
        ><ToolIcon name="attach" />{t!(i18n, email.files.attach)}</button>
    }
}

/// The files under the reply, with progress while they upload and an X each (SPEC A-2).
#[component]
pub fn FileList() -> impl IntoView {
    let reply = expect_context::<Reply>();
    let i18n = use_i18n();
    let attached = move || {
        reply
            .files
            .get()
            .into_iter()
            .filter(|f| !f.inline)
            .collect::<Vec<_>>()
    };
    let pasted = move || reply.files.with(|f| f.iter().filter(|f| f.inline).count());
    view! {
        <ul class="reply-files" aria-label=move || t_string!(i18n, email.files.list)>
            <For each=attached key=|f| f.id let:file>
                {
                    let id = file.id;
                    let size = file.size;
                    let name = file.name.clone();
                    let remove_label = {
                        let name = name.clone();
                        move || t_string!(i18n, email.files.remove, name = name.clone())
                    };
                    view! {
                        <li class="reply-file">
                            <a href=format!("/email/{}/files/{id}", reply.id) download=name.clone()>{name.clone()}</a>
                            <span class="attachment-size">{move || size_text(i18n.get_locale(), size)}</span>
                            <button type="button" class="chip-remove" aria-label=remove_label.clone()
                                title=remove_label
                                on:click=move |_| remove(reply, id)>"×"</button>
                        </li>
                    }
                }
            </For>
            <For each=move || reply.uploads.get() key=|u| u.key let:up>
                {
                    let name = up.name.clone();
                    let size = up.size;
                    view! {
                        <li class="reply-file uploading">
                            <span>{up.name.clone()}</span>
                            <progress
                                max="1"
                                aria-label=move || t_string!(i18n, email.files.uploading, name = name.clone())
                                prop:value=move || up.progress.get()
                            ></progress>
                            <span class="attachment-size">{move || size_text(i18n.get_locale(), size)}</span>
                        </li>
                    }
                }
            </For>
            <Show when=move || { pasted() > 0 }>
                <li class="muted">{t!(i18n, email.files.pasted, count = pasted)}</li>
            </Show>
        </ul>
    }
}
