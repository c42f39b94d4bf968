//! Canned responses (SPEC P-3, R-3, D-2): the chat ones (plain text, inserted at the
//! agent's cursor) and the email ones (formatted, appended to a reply), each for every
//! queue or for one. Each is added, edited in place or deleted after a question in the
//! page.

use super::{rich_field::RichField, unsaved::Unsaved};
use crate::{
    api::{ApiError, CannedView, DeleteCanned, SaveCanned},
    domain::{
        canned::{CannedEdit, CannedResponse},
        contact::ContactKind,
        ids::CsqId,
        limits::{MAX_CANNED_TITLE_CHARS, MAX_CHAT_MESSAGE_CHARS},
        queues::CsqAdmin,
        validate::{char_count, Field},
    },
    i18n::*,
    ui::form::FormErrors,
};
use leptos::prelude::*;

#[component]
pub fn CannedSection(initial: CannedView, csqs: Vec<CsqAdmin>) -> impl IntoView {
    let i18n = use_i18n();
    let view = RwSignal::new(initial);
    let csqs = StoredValue::new(csqs);
    view! {
        <section class="card admin-section" aria-labelledby="canned-title">
            <h2 id="canned-title">{t!(i18n, admin.sections.canned)}</h2>
            <p class="muted">{t!(i18n, admin.canned.intro)}</p>
            <CannedList kind=ContactKind::Chat view csqs />
            <CannedList kind=ContactKind::Email view csqs />
        </section>
    }
}

fn list_of(view: &CannedView, kind: ContactKind) -> &Vec<CannedResponse> {
    match kind {
        ContactKind::Chat => &view.chat,
        ContactKind::Email => &view.email,
    }
}

#[component]
fn CannedList(
    kind: ContactKind,
    view: RwSignal<CannedView>,
    csqs: StoredValue<Vec<CsqAdmin>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let adding = RwSignal::new(false);
    let heading = move || match kind {
        ContactKind::Chat => t_string!(i18n, admin.canned.chat.heading),
        ContactKind::Email => t_string!(i18n, admin.canned.email.heading),
    };
    let add = move || match kind {
        ContactKind::Chat => t_string!(i18n, admin.canned.chat.new_response),
        ContactKind::Email => t_string!(i18n, admin.canned.email.new_response),
    };
    let empty = move || match kind {
        ContactKind::Chat => t_string!(i18n, admin.canned.chat.empty),
        ContactKind::Email => t_string!(i18n, admin.canned.email.empty),
    };
    let heading_id = format!("canned-{}-title", kind.as_str());
    let labelled_by = heading_id.clone();
    view! {
        <section class="canned-kind" aria-labelledby=labelled_by>
            <div class="section-head">
                <h3 id=heading_id>{heading}</h3>
                <button type="button" class="primary" disabled=move || adding.get()
                    on:click=move |_| adding.set(true)>{add}</button>
            </div>
            <Show when=move || adding.get()>
                <CannedForm kind response=None view csqs on_done=Callback::new(move |_| adding.set(false)) />
            </Show>
            <Show when=move || view.with(|v| list_of(v, kind).is_empty())>
                <p class="muted">{empty}</p>
            </Show>
            <ul class="canned-list">
                <For
                    each=move || view.with(|v| list_of(v, kind).clone())
                    key=|c| (c.id, c.title.clone(), c.body.clone(), c.csq)
                    let:response
                >
                    <CannedItem response view csqs />
                </For>
            </ul>
        </section>
    }
}

fn scope_name(locale: Locale, csqs: &[CsqAdmin], csq: Option<CsqId>) -> String {
    match csq {
        None => td_string!(locale, admin.shared.all_queues).to_string(),
        Some(id) => csqs.iter().find(|c| c.id == id).map_or_else(
            || td_string!(locale, admin.shared.queue_number, id = id.0).to_string(),
            |c| c.name.clone(),
        ),
    }
}

#[component]
fn CannedItem(
    response: CannedResponse,
    view: RwSignal<CannedView>,
    csqs: StoredValue<Vec<CsqAdmin>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let delete = ServerAction::<DeleteCanned>::new();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = delete.value().get() {
            view.set(saved);
        }
    });
    let id = response.id;
    let kind = response.kind;
    let scope = csqs.with_value(|c| scope_name(i18n.get_locale_untracked(), c, response.csq));
    let title = response.title.clone();
    let delete_error = move || match delete.value().get() {
        Some(Err(e)) => e.message(i18n.get_locale_untracked()),
        _ => String::new(),
    };
    let body = response.body.clone();
    let edit_response = response.clone();
    view! {
        <li class="canned-item">
            <Show when=move || editing.get()
                fallback=move || {
                    let title = title.clone();
                    // A text naming the response, in the page's language.
                    let named = |text: fn(Locale, &str) -> String| {
                        let title = title.clone();
                        move || text(i18n.get_locale(), &title)
                    };
                    let edit_label = named(|l, name| td_string!(l, admin.shared.edit_named, name).to_string());
                    let delete_label = named(|l, name| td_string!(l, admin.shared.delete_named, name).to_string());
                    let confirm_text = named(|l, name| td_string!(l, admin.canned.confirm_delete, name).to_string());
                    let scope = scope.clone();
                    let preview = match kind {
                        ContactKind::Chat => view! { <p class="canned-body plain">{body.clone()}</p> }.into_any(),
                        // Stored sanitized by the server (SPEC R-3): shown as a reply shows it.
                        ContactKind::Email => view! { <div class="canned-body rich" inner_html=body.clone()></div> }.into_any(),
                    };
                    view! {
                        <div class="canned-head">
                            <strong class="canned-title">{title.clone()}</strong>
                            <span class="pill">{scope}</span>
                            <span class="spacer"></span>
                            <button type="button" aria-label=edit_label
                                on:click=move |_| editing.set(true)>{t!(i18n, admin.actions.edit)}</button>
                            <button type="button" class="danger" aria-label=delete_label
                                on:click=move |_| confirming.set(true)>{t!(i18n, admin.actions.delete)}</button>
                        </div>
                        <Show when=move || confirming.get()>
                            <div class="confirm" role="group" aria-label=move || t_string!(i18n, admin.shared.confirm_deletion)>
                                <p>{confirm_text.clone()}</p>
                                <div class="confirm-actions">
                                    <button type="button" class="quiet" on:click=move |_| confirming.set(false)>{t!(i18n, admin.actions.keep)}</button>
                                    <button type="button" class="danger" disabled=move || delete.pending().get()
                                        on:click=move |_| { delete.dispatch(DeleteCanned { id }); }>{t!(i18n, admin.actions.delete)}</button>
                                </div>
                            </div>
                        </Show>
                        {preview}
                        <p class="form-error" role="alert">{delete_error}</p>
                    }
                }>
                <CannedForm kind response=Some(edit_response.clone()) view csqs
                    on_done=Callback::new(move |_| editing.set(false)) />
            </Show>
        </li>
    }
}

/// Adds a response (`response` none) or edits one in place.
#[component]
fn CannedForm(
    kind: ContactKind,
    response: Option<CannedResponse>,
    view: RwSignal<CannedView>,
    csqs: StoredValue<Vec<CsqAdmin>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = response.as_ref().map(|r| r.id);
    let stored = response.clone().map(|r| (r.title, r.body, r.csq));
    let (stored_title, stored_body, stored_csq) =
        stored
            .clone()
            .unwrap_or((String::new(), String::new(), None));
    let title = RwSignal::new(stored_title.clone());
    let body = RwSignal::new(stored_body.clone());
    let csq = RwSignal::new(stored_csq);
    let save = ServerAction::<SaveCanned>::new();
    let edit = move || CannedEdit {
        id,
        kind,
        title: title.get(),
        body: body.get(),
        csq: csq.get(),
    };
    let pairs = csqs.with_value(|c| c.iter().map(|c| (c.id, c.retired)).collect::<Vec<_>>());
    let local = Memo::new(move |_| {
        view.with(|v| edit().validate(&v.all(), &pairs))
            .err()
            .unwrap_or_default()
    });
    let errors = FormErrors::new(local, save.value(), move || {
        edit();
    });
    let dirty = Memo::new(move |_| {
        title.with(|t| t.trim() != stored_title.trim())
            || body.with(|b| *b != stored_body)
            || csq.get() != stored_csq
    });
    Unsaved::track(
        format!("canned-{}-{}", kind.as_str(), id.map_or(0, |i| i.0)),
        Signal::derive(move || dirty.get()),
    );
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            view.set(saved);
            on_done.run(());
        }
    });
    let status = move || match save.value().get() {
        Some(Err(ApiError::Invalid(_))) | None | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.message(i18n.get_locale_untracked())),
    };
    let prefix = format!(
        "canned-{}-{}",
        kind.as_str(),
        id.map_or("new".into(), |i| i.0.to_string())
    );
    let title_id = format!("{prefix}-title");
    let csq_id = format!("{prefix}-csq");
    let body_id = format!("{prefix}-body");
    let title_error = errors.of(Field::CannedTitle);
    let csq_error = errors.of(Field::Csqs);
    let body_error = errors.of(Field::CannedBody);
    let edited = response.as_ref().map(|r| r.title.clone());
    let heading = move || match (&edited, kind) {
        (Some(name), _) => t_string!(i18n, admin.shared.edit_quoted, name).to_string(),
        (None, ContactKind::Chat) => t_string!(i18n, admin.canned.chat.new_response).to_string(),
        (None, ContactKind::Email) => t_string!(i18n, admin.canned.email.new_response).to_string(),
    };
    let count = move || body.with(|b| char_count(b.trim()));
    let over = move || count() > MAX_CHAT_MESSAGE_CHARS;
    let options = csqs.with_value(|c| {
        c.iter()
            .filter(|c| !c.retired || Some(c.id) == stored_csq)
            .map(|c| {
                let name = if c.retired {
                    td_string!(
                        i18n.get_locale_untracked(),
                        admin.shared.queue_retired,
                        name = &c.name
                    )
                    .to_string()
                } else {
                    c.name.clone()
                };
                (c.id, name)
            })
            .collect::<Vec<_>>()
    });
    let body_field = match kind {
        ContactKind::Chat => view! {
            <div class="field">
                <label for=body_id.clone()>{t!(i18n, admin.canned.text)}</label>
                <textarea id=body_id.clone() rows="4" spellcheck="true"
                    aria-invalid=move || body_error.get().is_some().to_string()
                    aria-describedby=format!("{body_id}-count {body_id}-error")
                    prop:value=move || body.get()
                    on:input=move |ev| body.set(event_target_value(&ev))>{body.get_untracked()}</textarea>
                <span id=format!("{body_id}-count") class=move || if over() { "hint counter over" } else { "hint counter" }>
                    {t!(i18n, admin.canned.counter, given = count, max = MAX_CHAT_MESSAGE_CHARS)}
                </span>
                <span class="field-error" id=format!("{body_id}-error")>{move || body_error.get()}</span>
            </div>
        }
        .into_any(),
        ContactKind::Email => view! {
            <RichField id=body_id.clone() label=move || t_string!(i18n, admin.canned.text) value=body
                invalid=Signal::derive(move || body_error.get().is_some())
                error_id=format!("{body_id}-error") />
            <span class="field-error" id=format!("{body_id}-error")>{move || body_error.get()}</span>
        }
        .into_any(),
    };
    let form_label = heading.clone();
    view! {
        <form class="user-form canned-form" aria-label=form_label
            on:submit=move |ev| {
                ev.prevent_default();
                if errors.submit() {
                    save.dispatch(SaveCanned { edit: edit() });
                }
            }>
            <h4>{heading}</h4>
            <div class="form-row">
                <div class="field grow">
                    <label for=title_id.clone()>{t!(i18n, admin.canned.title)}</label>
                    <input id=title_id.clone() type="text" maxlength=MAX_CANNED_TITLE_CHARS * 2
                        placeholder=move || t_string!(i18n, admin.canned.title_placeholder)
                        aria-invalid=move || title_error.get().is_some().to_string()
                        aria-describedby=format!("{title_id}-error")
                        value=title.get_untracked()
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev)) />
                    <span class="field-error" id=format!("{title_id}-error")>{move || title_error.get()}</span>
                </div>
                <div class="field">
                    <label for=csq_id.clone()>{t!(i18n, admin.canned.offered_on)}</label>
                    <select id=csq_id.clone()
                        aria-invalid=move || csq_error.get().is_some().to_string()
                        aria-describedby=format!("{csq_id}-error")
                        on:change=move |ev| csq.set(event_target_value(&ev).parse().ok().map(CsqId))>
                        <option value="" selected=move || csq.get().is_none()>{t!(i18n, admin.shared.all_queues)}</option>
                        {options.into_iter().map(|(cid, name)| view! {
                            <option value=cid.0.to_string() selected=move || csq.get() == Some(cid)>{name}</option>
                        }).collect_view()}
                    </select>
                    <span class="field-error" id=format!("{csq_id}-error")>{move || csq_error.get()}</span>
                </div>
            </div>
            {body_field}
            <p class="form-error" role="alert">{status}</p>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || save.pending().get()>
                    {move || if id.is_none() {
                        t_string!(i18n, admin.actions.add)
                    } else {
                        t_string!(i18n, admin.actions.save_changes)
                    }}
                </button>
                <button type="button" class="quiet" on:click=move |_| on_done.run(())>{t!(i18n, admin.actions.cancel)}</button>
            </div>
        </form>
    }
}
