//! Issue 17: what agents know of a customer, in a contact's customer details (a chat's or
//! an email's): their tags, which the agent edits as one comma-separated box, and the
//! notes agents wrote, newest first, with a box to add one. Checked here by the shared
//! rules as on the server; every agent holding one of the customer's contacts sees a
//! change at once.

use super::{clock::day_and_time, Live};
use crate::{
    domain::{
        about_customer::{note_text, tags, AboutCustomer},
        ids::ContactId,
        protocol::ClientCommand,
    },
    i18n::*,
};
use leptos::prelude::*;

#[component]
pub fn CustomerAbout(id: ContactId) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    // Read without copying the tab, which changes with every line and keystroke: the notes
    // are copied only when the tags, the newest note or their count change.
    let changed = Memo::new(move |_| {
        live.model.with(|m| {
            m.tab(id).map(|t| {
                let about = &t.view.about;
                let newest = about.notes.first().map(|n| n.id);
                (about.tags.clone(), newest, about.notes.len())
            })
        })
    });
    let about = Memo::new(move |_| {
        // Read, not only tracked: a memo never read is never worked out again.
        changed.with(|_| ());
        live.model
            .with_untracked(|m| m.tab(id).map(|t| (*t.view.about).clone()))
            .unwrap_or_else(AboutCustomer::default)
    });
    let editing = RwSignal::new(false);
    let typed_tags = RwSignal::new(String::new());
    let tags_problem = RwSignal::new(None::<String>);
    let writing = RwSignal::new(false);
    let typed_note = RwSignal::new(String::new());
    let note_problem = RwSignal::new(None::<String>);
    // The box that opens takes the focus.
    let note_box = NodeRef::<leptos::html::Textarea>::new();
    let tags_box = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = note_box.get() {
            let _ = el.focus();
        }
    });
    Effect::new(move |_| {
        if let Some(el) = tags_box.get() {
            let _ = el.focus();
        }
    });
    let edit = move |_| {
        typed_tags.set(about.with_untracked(|a| a.tags.join(", ")));
        tags_problem.set(None);
        editing.set(true);
    };
    let save_tags = move || match tags(&[typed_tags.get_untracked()]) {
        Ok(kept) => {
            live.send(ClientCommand::SetCustomerTags {
                contact: id,
                tags: kept,
            });
            editing.set(false);
        }
        Err(e) => tags_problem.set(Some(e.message(i18n.get_locale_untracked()))),
    };
    let add_note = move || match note_text(&typed_note.get_untracked()) {
        Ok(text) => {
            live.send(ClientCommand::AddCustomerNote { contact: id, text });
            typed_note.set(String::new());
            note_problem.set(None);
            writing.set(false);
        }
        Err(e) => note_problem.set(Some(e.message(i18n.get_locale_untracked()))),
    };
    let tags_id = format!("customer-tags-{id}");
    let tags_hint = format!("customer-tags-hint-{id}");
    let note_id = format!("customer-note-{id}");
    view! {
        <section class="customer-about" aria-label=move || t_string!(i18n, desktop.chat.about.label).to_string()>
            <Show when=move || !editing.get()>
                <div class="tags-row">
                    <span class="tags-title">{t!(i18n, desktop.chat.about.tags)}</span>
                    {move || {
                        let list = about.with(|a| a.tags.clone());
                        if list.is_empty() {
                            view! { <span class="muted">{t!(i18n, desktop.chat.about.no_tags)}</span> }.into_any()
                        } else {
                            view! {
                                <ul class="tags">
                                    {list.into_iter().map(|t| view! { <li class="tag">{t}</li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }}
                    <button type="button" class="quiet" on:click=edit>{t!(i18n, desktop.chat.about.edit_tags)}</button>
                    <Show when=move || !writing.get()>
                        <button type="button" class="quiet" on:click=move |_| writing.set(true)>
                            {t!(i18n, desktop.chat.about.write_note)}
                        </button>
                    </Show>
                </div>
            </Show>
            <Show when=move || editing.get()>
                <form class="tags-form" on:submit=move |ev| { ev.prevent_default(); save_tags(); }>
                    <label for=tags_id.clone()>{t!(i18n, desktop.chat.about.tags_label)}</label>
                    <input id=tags_id.clone() type="text" autocomplete="off" node_ref=tags_box
                        aria-describedby=tags_hint.clone()
                        aria-invalid=move || tags_problem.with(Option::is_some).to_string()
                        prop:value=move || typed_tags.get()
                        on:input=move |ev| typed_tags.set(event_target_value(&ev)) />
                    <button type="submit">{t!(i18n, desktop.chat.about.save_tags)}</button>
                    <button type="button" class="quiet" on:click=move |_| editing.set(false)>
                        {t!(i18n, desktop.chat.about.cancel)}
                    </button>
                    <span class="muted link-hint" id=tags_hint.clone()>{t!(i18n, desktop.chat.about.tags_hint)}</span>
                    <span class="field-error" role="alert">{move || tags_problem.get()}</span>
                </form>
            </Show>
            <Show when=move || writing.get()>
                <form class="note-form" on:submit=move |ev| { ev.prevent_default(); add_note(); }>
                    <label for=note_id.clone()>{t!(i18n, desktop.chat.about.note_label)}</label>
                    <textarea id=note_id.clone() rows="2" node_ref=note_box
                        aria-invalid=move || note_problem.with(Option::is_some).to_string()
                        prop:value=move || typed_note.get()
                        on:input=move |ev| typed_note.set(event_target_value(&ev))></textarea>
                    <button type="submit">{t!(i18n, desktop.chat.about.add_note)}</button>
                    <button type="button" class="quiet" on:click=move |_| {
                        writing.set(false);
                        note_problem.set(None);
                    }>{t!(i18n, desktop.chat.about.cancel)}</button>
                    <span class="field-error" role="alert">{move || note_problem.get()}</span>
                </form>
            </Show>
            <Notes about />
        </section>
    }
}

/// The notes, newest first, each with who wrote it and when.
#[component]
fn Notes(about: Memo<AboutCustomer>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let notes = about.with(|a| a.notes.clone());
        let locale = i18n.get_locale_untracked();
        let count = notes.len();
        (!notes.is_empty()).then(|| {
            view! {
                <h3 class="notes-title">{t!(i18n, desktop.chat.about.notes, count)}</h3>
                <ol class="notes">
                    {notes.into_iter().map(|n| {
                        let when = day_and_time(locale, n.at_ms);
                        let by = td_string!(locale, desktop.chat.about.note_by, agent = n.agent.as_str(), when = when.as_str()).to_string();
                        view! {
                            <li>
                                <p class="note-text">{n.text}</p>
                                <span class="note-by">{by}</span>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
        })
    }
}
