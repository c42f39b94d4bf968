//! The WhatsApp channel's approved message templates (SPEC F-3), as the administrator
//! lists them in the channel's form: one row per template with its name, language and
//! body text as approved in WhatsApp Manager, added and removed in place, each field's
//! problem beside it.

use crate::{
    domain::{
        limits::{MAX_MESSAGE_TEMPLATES, MAX_TEMPLATE_TEXT_CHARS},
        message_template::{MessageTemplate, EXAMPLE_LANGUAGE, EXAMPLE_NAME},
        validate::Field,
    },
    i18n::*,
    ui::form::FormErrors,
};
use leptos::prelude::*;

/// One row of the list: what is typed in it, and a key that stays while rows come and go.
#[derive(Clone, Copy)]
pub struct TemplateRow {
    key: u32,
    name: RwSignal<String>,
    language: RwSignal<String>,
    text: RwSignal<String>,
}

impl TemplateRow {
    fn new(key: u32, template: &MessageTemplate) -> Self {
        TemplateRow {
            key,
            name: RwSignal::new(template.name.clone()),
            language: RwSignal::new(template.language.clone()),
            text: RwSignal::new(template.text.clone()),
        }
    }

    fn template(&self) -> MessageTemplate {
        MessageTemplate {
            name: self.name.get(),
            language: self.language.get(),
            text: self.text.get(),
        }
    }
}

/// The rows of a form, started from the saved list.
#[derive(Clone, Copy)]
pub struct TemplateRows {
    rows: RwSignal<Vec<TemplateRow>>,
    next: StoredValue<u32>,
}

impl TemplateRows {
    pub fn new(saved: &[MessageTemplate]) -> Self {
        let rows: Vec<TemplateRow> = saved
            .iter()
            .enumerate()
            .map(|(i, t)| TemplateRow::new(i as u32, t))
            .collect();
        TemplateRows {
            next: StoredValue::new(rows.len() as u32),
            rows: RwSignal::new(rows),
        }
    }

    /// The list as typed now (tracked).
    pub fn get(&self) -> Vec<MessageTemplate> {
        self.rows
            .with(|rows| rows.iter().map(TemplateRow::template).collect())
    }

    fn add(&self) {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        let empty = MessageTemplate {
            name: String::new(),
            language: String::new(),
            text: String::new(),
        };
        self.rows
            .update(|rows| rows.push(TemplateRow::new(key, &empty)));
    }

    fn remove(&self, key: u32) {
        self.rows.update(|rows| rows.retain(|r| r.key != key));
    }
}

#[component]
pub fn TemplateList(rows: TemplateRows, errors: FormErrors) -> impl IntoView {
    let i18n = use_i18n();
    let count = move || rows.rows.with(Vec::len);
    view! {
        <fieldset class="mailbox-group templates">
            <legend>{t!(i18n, admin.channels.templates)}</legend>
            <p class="muted">{t!(i18n, admin.channels.templates_intro)}</p>
            <ol class="template-rows">
                <For each=move || rows.rows.get() key=|row| row.key let:row>
                    {
                        // The row's place in the list, as the errors name it (from 1).
                        let place = Memo::new(move |_| {
                            rows.rows
                                .with(|all| all.iter().position(|r| r.key == row.key))
                                .map_or(0, |i| i + 1)
                        });
                        let id = |what: &str| format!("template-{}-{what}", row.key);
                        let error = move |field: fn(usize) -> Field| {
                            move || errors.of(field(place.get())).get()
                        };
                        let remove_label = move || {
                            t_string!(i18n, admin.channels.template_remove, n = place.get()).to_string()
                        };
                        view! {
                            <li class="template-row" aria-label=move || t_string!(i18n, admin.channels.template_row, n = place.get()).to_string()>
                                <div class="form-row">
                                    <RowField id=id("name") label=move || t_string!(i18n, admin.channels.template_name).to_string()
                                        value=row.name placeholder=EXAMPLE_NAME
                                        error=Signal::derive(error(Field::TemplateName)) />
                                    <RowField id=id("language") label=move || t_string!(i18n, admin.channels.template_language).to_string()
                                        value=row.language placeholder=EXAMPLE_LANGUAGE narrow=true
                                        error=Signal::derive(error(Field::TemplateLanguage)) />
                                    <button type="button" class="quiet remove" aria-label=remove_label
                                        on:click=move |_| rows.remove(row.key)>{t!(i18n, admin.actions.delete)}</button>
                                </div>
                                <div class="field">
                                    <label for=id("text")>{t!(i18n, admin.channels.template_text)}</label>
                                    <textarea id=id("text") rows="2" maxlength=MAX_TEMPLATE_TEXT_CHARS.to_string()
                                        aria-describedby=format!("{} {}", id("text-hint"), id("text-error"))
                                        aria-invalid=move || error(Field::TemplateText)().is_some().to_string()
                                        prop:value=move || row.text.get()
                                        on:input=move |ev| row.text.set(event_target_value(&ev))></textarea>
                                    <span class="hint" id=id("text-hint")>
                                        {move || t_string!(i18n, admin.channels.template_text_hint, first = "{{1}}", second = "{{2}}").to_string()}
                                    </span>
                                    <span class="field-error" id=id("text-error")>{error(Field::TemplateText)}</span>
                                </div>
                            </li>
                        }
                    }
                </For>
            </ol>
            <span class="field-error" role="alert">{move || errors.of(Field::Templates).get()}</span>
            <button type="button" disabled=move || { count() >= MAX_MESSAGE_TEMPLATES }
                on:click=move |_| rows.add()>{t!(i18n, admin.channels.template_add)}</button>
        </fieldset>
    }
}

/// One text input of a template's row, its problem beside it.
#[component]
fn RowField(
    id: String,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    placeholder: &'static str,
    error: Signal<Option<String>>,
    #[prop(optional)] narrow: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:narrow=narrow>
            <label for=id.clone()>{move || label.get()}</label>
            <input id=id type="text" spellcheck="false" autocomplete="off" placeholder=placeholder
                aria-describedby=error_id.clone()
                aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
            <span class="field-error" id=error_id>{move || error.get()}</span>
        </div>
    }
}
