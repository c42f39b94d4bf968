//! The pre-chat form's own fields (SPEC K-2, O-2, D-2): besides name, email, phone and the
//! problem statement, fields the administrator adds (text, email address, phone number, a
//! choice list), each labelled, required or optional, in the order the widget shows them.
//! Each is added, edited in place, moved up or down, or deleted after a question in the page.

use super::unsaved::Unsaved;
use crate::{
    api::{ApiError, DeletePrechatField, MovePrechatField, SavePrechatField},
    domain::{
        limits::{MAX_PRECHAT_CHOICES, MAX_PRECHAT_FIELDS, MAX_PRECHAT_LABEL_CHARS},
        prechat::{FieldKind, PreChatField, PreChatFieldEdit},
        validate::Field,
    },
    i18n::*,
    ui::form::FormErrors,
};
use leptos::prelude::*;

#[component]
pub fn PreChatFieldsSection(initial: Vec<PreChatField>) -> impl IntoView {
    let i18n = use_i18n();
    let fields = RwSignal::new(initial);
    let adding = RwSignal::new(false);
    let moving = ServerAction::<MovePrechatField>::new();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = moving.value().get() {
            fields.set(saved);
        }
    });
    let order_error = move || match moving.value().get() {
        Some(Err(e)) => e.message(i18n.get_locale_untracked()),
        _ => String::new(),
    };
    let full = move || fields.with(|f| f.len() >= MAX_PRECHAT_FIELDS);
    view! {
        <section class="card admin-section" aria-labelledby="prechat-fields-title">
            <div class="section-head">
                <h2 id="prechat-fields-title">{t!(i18n, admin.prechat_fields.title)}</h2>
                <button type="button" class="primary" disabled=move || adding.get() || full()
                    aria-describedby="prechat-fields-full"
                    on:click=move |_| adding.set(true)>{t!(i18n, admin.prechat_fields.new_question)}</button>
            </div>
            <Show when=full>
                <p class="hint" id="prechat-fields-full">
                    {t!(i18n, admin.prechat_fields.full, max = MAX_PRECHAT_FIELDS)}
                </p>
            </Show>
            <p class="muted">{t!(i18n, admin.prechat_fields.intro)}</p>
            <Show when=move || adding.get()>
                <FieldForm field=None fields on_done=Callback::new(move |_| adding.set(false)) />
            </Show>
            <Show when=move || fields.with(|f| f.is_empty()) && !adding.get()>
                <p class="muted">{t!(i18n, admin.prechat_fields.empty)}</p>
            </Show>
            // Only while there is something to say: an empty line would still take a row.
            {move || {
                let error = order_error();
                (!error.is_empty()).then(|| view! { <p class="form-error" role="alert">{error}</p> })
            }}
            <ol class="canned-list prechat-fields">
                <For
                    each=move || fields.get()
                    key=|f| f.clone()
                    let:field
                >
                    <FieldItem field fields
                        shift=Callback::new(move |(id, up)| { moving.dispatch(MovePrechatField { id, up }); })
                        busy=Signal::derive(move || moving.pending().get()) />
                </For>
            </ol>
        </section>
    }
}

#[component]
fn FieldItem(
    field: PreChatField,
    fields: RwSignal<Vec<PreChatField>>,
    shift: Callback<(i64, bool)>,
    busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let delete = ServerAction::<DeletePrechatField>::new();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = delete.value().get() {
            fields.set(saved);
        }
    });
    let id = field.id;
    // Where it stands now: others moving change it without remounting this item.
    let place = Memo::new(move |_| {
        fields.with(|all| {
            let at = all.iter().position(|f| f.id == id);
            (at == Some(0), at.map(|a| a + 1) == Some(all.len()))
        })
    });
    let delete_error = move || match delete.value().get() {
        Some(Err(e)) => e.message(i18n.get_locale_untracked()),
        _ => String::new(),
    };
    let edit_field = field.clone();
    view! {
        <li class="canned-item prechat-field">
            <Show when=move || editing.get()
                fallback=move || {
                    let label = field.label.clone();
                    let required = field.required;
                    // A text naming the question, in the page's language.
                    let named = |text: fn(Locale, &str) -> String| {
                        let label = label.clone();
                        move || text(i18n.get_locale(), &label)
                    };
                    let up_label = named(|l, name| td_string!(l, admin.shared.move_up, name).to_string());
                    let down_label = named(|l, name| td_string!(l, admin.shared.move_down, name).to_string());
                    let edit_label = named(|l, name| td_string!(l, admin.shared.edit_named, name).to_string());
                    let delete_label = named(|l, name| td_string!(l, admin.shared.delete_named, name).to_string());
                    let confirm_text = named(|l, name| td_string!(l, admin.prechat_fields.confirm_delete, name).to_string());
                    let choices = (!field.choices.is_empty()).then(|| field.choices.join(" · "));
                    view! {
                        <div class="canned-head">
                            <strong class="canned-title">{label.clone()}</strong>
                            <span class="pill">{field.kind.title(i18n.get_locale_untracked())}</span>
                            <span class=if required { "pill pill-required" } else { "pill" }>
                                {move || if required {
                                    t_string!(i18n, admin.prechat_fields.required)
                                } else {
                                    t_string!(i18n, admin.prechat_fields.optional)
                                }}
                            </span>
                            <span class="spacer"></span>
                            <button type="button" class="quiet icon" aria-label=up_label
                                disabled=move || place.get().0 || busy.get()
                                on:click=move |_| shift.run((id, true))>"↑"</button>
                            <button type="button" class="quiet icon" aria-label=down_label
                                disabled=move || place.get().1 || busy.get()
                                on:click=move |_| shift.run((id, false))>"↓"</button>
                            <button type="button" aria-label=edit_label
                                on:click=move |_| editing.set(true)>{t!(i18n, admin.actions.edit)}</button>
                            <button type="button" class="danger" aria-label=delete_label
                                on:click=move |_| confirming.set(true)>{t!(i18n, admin.actions.delete)}</button>
                        </div>
                        {choices.map(|c| view! { <p class="muted choices">{c}</p> })}
                        <Show when=move || confirming.get()>
                            <div class="confirm" role="group" aria-label=move || t_string!(i18n, admin.shared.confirm_deletion)>
                                <p>{confirm_text.clone()}</p>
                                <div class="confirm-actions">
                                    <button type="button" class="quiet" on:click=move |_| confirming.set(false)>{t!(i18n, admin.actions.keep)}</button>
                                    <button type="button" class="danger" disabled=move || delete.pending().get()
                                        on:click=move |_| { delete.dispatch(DeletePrechatField { id }); }>{t!(i18n, admin.actions.delete)}</button>
                                </div>
                            </div>
                        </Show>
                        <p class="form-error" role="alert">{delete_error}</p>
                    }
                }>
                <FieldForm field=Some(edit_field.clone()) fields
                    on_done=Callback::new(move |_| editing.set(false)) />
            </Show>
        </li>
    }
}

/// Adds a field (`field` none, last in the form) or edits one in place.
#[component]
fn FieldForm(
    field: Option<PreChatField>,
    fields: RwSignal<Vec<PreChatField>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = field.as_ref().map(|f| f.id);
    let stored = field.clone().unwrap_or(PreChatField {
        id: 0,
        label: String::new(),
        kind: FieldKind::Text,
        required: false,
        choices: Vec::new(),
    });
    let label = RwSignal::new(stored.label.clone());
    let kind = RwSignal::new(stored.kind);
    let required = RwSignal::new(stored.required);
    // One option a line, as typed (blank lines are dropped on save).
    let choices = RwSignal::new(stored.choices.join("\n"));
    let save = ServerAction::<SavePrechatField>::new();
    let edit = move || {
        PreChatFieldEdit {
            id,
            label: label.get(),
            kind: kind.get(),
            required: required.get(),
            choices: choices.with(|c| c.lines().map(String::from).collect()),
        }
        .normalized()
    };
    let local = Memo::new(move |_| {
        fields
            .with(|all| edit().validate(all))
            .err()
            .unwrap_or_default()
    });
    let errors = FormErrors::new(local, save.value(), move || {
        edit();
    });
    let dirty = {
        let stored = stored.clone();
        Memo::new(move |_| {
            let now = edit();
            now.label != stored.label
                || now.kind != stored.kind
                || now.required != stored.required
                || now.choices != stored.choices
        })
    };
    Unsaved::track(
        format!("prechat-field-{}", id.unwrap_or(0)),
        Signal::derive(move || dirty.get()),
    );
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            fields.set(saved);
            on_done.run(());
        }
    });
    let status = move || match save.value().get() {
        Some(Err(ApiError::Invalid(_))) | None | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.message(i18n.get_locale_untracked())),
    };
    let prefix = format!(
        "prechat-field-{}",
        id.map_or("new".into(), |i| i.to_string())
    );
    let label_id = format!("{prefix}-label");
    let kind_id = format!("{prefix}-kind");
    let required_id = format!("{prefix}-required");
    let required_for = required_id.clone();
    let choices_id = format!("{prefix}-choices");
    let label_error = errors.of(Field::FieldLabel);
    let choices_error = errors.of(Field::Choices);
    let edited = field.as_ref().map(|f| f.label.clone());
    let heading = move || match &edited {
        Some(name) => t_string!(i18n, admin.shared.edit_quoted, name).to_string(),
        None => t_string!(i18n, admin.prechat_fields.new_question).to_string(),
    };
    let form_label = heading.clone();
    let choices_described = format!("{choices_id}-hint {choices_id}-error");
    view! {
        <form class="user-form canned-form prechat-form" aria-label=form_label
            on:submit=move |ev| {
                ev.prevent_default();
                if errors.submit() {
                    save.dispatch(SavePrechatField { edit: edit() });
                }
            }>
            <h3>{heading}</h3>
            <div class="form-row">
                <div class="field grow">
                    <label for=label_id.clone()>{t!(i18n, admin.prechat_fields.question)}</label>
                    <input id=label_id.clone() type="text" maxlength=MAX_PRECHAT_LABEL_CHARS * 2
                        placeholder=move || t_string!(i18n, admin.prechat_fields.question_placeholder)
                        aria-invalid=move || label_error.get().is_some().to_string()
                        aria-describedby=format!("{label_id}-error")
                        value=label.get_untracked()
                        prop:value=move || label.get()
                        on:input=move |ev| label.set(event_target_value(&ev)) />
                    <span class="field-error" id=format!("{label_id}-error")>{move || label_error.get()}</span>
                </div>
                <div class="field">
                    <label for=kind_id.clone()>{t!(i18n, admin.prechat_fields.answer_type)}</label>
                    <select id=kind_id
                        on:change=move |ev| {
                            if let Some(k) = FieldKind::parse(&event_target_value(&ev)) {
                                kind.set(k);
                            }
                        }>
                        {FieldKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=move || kind.get() == k>{k.title(i18n.get_locale_untracked())}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field check-field">
                    <label class="check" for=required_for>
                        <input id=required_id type="checkbox"
                            checked=required.get_untracked()
                            prop:checked=move || required.get()
                            on:change=move |ev| required.set(event_target_checked(&ev)) />
                        " "{t!(i18n, admin.prechat_fields.required)}
                    </label>
                </div>
            </div>
            <Show when=move || kind.get() == FieldKind::Choice>
                <div class="field">
                    <label for=choices_id.clone()>{t!(i18n, admin.prechat_fields.choices)}</label>
                    <textarea id=choices_id.clone() rows="4"
                        aria-invalid=move || choices_error.get().is_some().to_string()
                        aria-describedby=choices_described.clone()
                        prop:value=move || choices.get()
                        on:input=move |ev| choices.set(event_target_value(&ev))>{choices.get_untracked()}</textarea>
                    <span class="hint" id=format!("{choices_id}-hint")>
                        {t!(i18n, admin.prechat_fields.choices_hint, max = MAX_PRECHAT_CHOICES)}
                    </span>
                    <span class="field-error" id=format!("{choices_id}-error")>{move || choices_error.get()}</span>
                </div>
            </Show>
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
