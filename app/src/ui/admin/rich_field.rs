//! A formatted-text field for the administration (email canned responses, SPEC R-3; mailbox
//! signatures, SPEC R-5): bold, italic, underline, lists and links, the same formatting the
//! reply's toolbar makes, which the server keeps when it sanitizes what is saved.

use crate::{domain::reply::normalize_link, i18n::*, ui::icons::ToolIcon};
use leptos::prelude::*;

/// What the link's address starts with, as a hint (the same in every language).
const LINK_PLACEHOLDER: &str = "https://";

/// (tooltip and accessible name, browser command, letter or icon shown).
type Tool = (fn(Locale) -> &'static str, &'static str, &'static str, bool);

const TOOLS: &[Tool] = &[
    (|l| td_string!(l, admin.rich_field.bold), "bold", "B", false),
    (
        |l| td_string!(l, admin.rich_field.italic),
        "italic",
        "I",
        false,
    ),
    (
        |l| td_string!(l, admin.rich_field.underline),
        "underline",
        "U",
        false,
    ),
    (
        |l| td_string!(l, admin.rich_field.bulleted),
        "insertUnorderedList",
        "bulleted",
        true,
    ),
    (
        |l| td_string!(l, admin.rich_field.numbered),
        "insertOrderedList",
        "numbered",
        true,
    ),
];

#[component]
pub fn RichField(
    /// The editable area's id, for its label.
    id: String,
    #[prop(into)] label: Signal<String>,
    /// The HTML, kept as the administrator types.
    value: RwSignal<String>,
    invalid: Signal<bool>,
    error_id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let area = NodeRef::<leptos::html::Div>::new();
    let linking = RwSignal::new(false);
    let url = RwSignal::new(String::new());
    let link_error = RwSignal::new(None::<&'static str>);
    let sync = move || {
        if let Some(el) = area.get_untracked() {
            value.set(el.inner_html());
        }
    };
    // A value set from outside (a form cleared after Add) shows in the area.
    Effect::new(move |_| {
        let html = value.get();
        if let Some(el) = area.get() {
            if el.inner_html() != html {
                el.set_inner_html(&html);
            }
        }
    });
    let command = move |name: &str, argument: Option<&str>| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            if let Ok(doc) = document().dyn_into::<leptos::web_sys::HtmlDocument>() {
                let _ =
                    doc.exec_command_with_show_ui_and_value(name, false, argument.unwrap_or(""));
            }
            sync();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (name, argument, sync);
    };
    let apply_link =
        move || match normalize_link(i18n.get_locale_untracked(), &url.get_untracked(), false) {
            Err(e) => link_error.set(Some(e)),
            Ok(address) => {
                linking.set(false);
                if let Some(el) = area.get_untracked() {
                    let _ = el.focus();
                }
                command("createLink", Some(&address));
            }
        };
    let label_id = format!("{id}-label");
    view! {
        <div class="field rich-field">
            <span class="field-label" id=label_id.clone()>{move || label.get()}</span>
            <div class="editor">
                <div class="toolbar" role="toolbar" aria-label=move || t_string!(i18n, admin.rich_field.toolbar)>
                    {TOOLS.iter().map(|&(tip, name, face, icon)| view! {
                        <button type="button" class=format!("tool tool-{name}")
                            title=move || tip(i18n.get_locale()) aria-label=move || tip(i18n.get_locale())
                            on:mousedown=|ev| ev.prevent_default()
                            on:click=move |_| command(name, None)>
                            {if icon {
                                view! { <ToolIcon name=face /> }.into_any()
                            } else {
                                view! { <span>{face}</span> }.into_any()
                            }}
                        </button>
                    }).collect_view()}
                    <button type="button" class="tool tool-link"
                        title=move || t_string!(i18n, admin.rich_field.link)
                        aria-label=move || t_string!(i18n, admin.rich_field.link)
                        on:mousedown=|ev| ev.prevent_default()
                        on:click=move |_| { link_error.set(None); linking.set(true); }>
                        <ToolIcon name="link" />
                    </button>
                </div>
                <div
                    id=id
                    class="editor-area"
                    contenteditable="true"
                    role="textbox"
                    aria-multiline="true"
                    aria-labelledby=label_id
                    aria-invalid=move || invalid.get().to_string()
                    aria-describedby=error_id
                    spellcheck="true"
                    node_ref=area
                    inner_html=value.get_untracked()
                    on:input=move |_| sync()
                ></div>
                <Show when=move || linking.get()>
                    <div class="editor-dialog" role="group" aria-label=move || t_string!(i18n, admin.rich_field.link)
                        on:keydown=move |ev| match ev.key().as_str() {
                            "Escape" => linking.set(false),
                            "Enter" => { ev.prevent_default(); apply_link(); }
                            _ => {}
                        }>
                        <label>
                            {t!(i18n, admin.rich_field.address)}
                            <input type="text" autofocus placeholder=LINK_PLACEHOLDER
                                aria-invalid=move || link_error.get().is_some().to_string()
                                prop:value=move || url.get()
                                on:input=move |ev| url.set(event_target_value(&ev)) />
                        </label>
                        {move || link_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                        <div class="confirm-actions">
                            <button type="button" on:click=move |_| linking.set(false)>{t!(i18n, admin.actions.cancel)}</button>
                            <button type="button" class="primary" on:click=move |_| apply_link()>{t!(i18n, admin.rich_field.apply)}</button>
                        </div>
                    </div>
                </Show>
            </div>
        </div>
    }
}
