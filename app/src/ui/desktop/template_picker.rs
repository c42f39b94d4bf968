//! SPEC F-3: past WhatsApp's 24-hour window, the composer offers the channel's approved
//! templates instead of free text: the agent picks one, fills each of its placeholders,
//! reads the message as the customer will, and sends it. The values are checked as the
//! server checks them, each problem beside its value.

use super::Live;
use crate::{
    domain::{
        ids::ContactId,
        message_template::{MessageTemplate, TemplateUse},
        validate::{Field, FieldError},
    },
    i18n::*,
};
use leptos::prelude::*;

/// The WhatsApp channel's approved templates, provided by the desktop.
#[derive(Clone)]
pub struct WhatsAppTemplates(pub Vec<MessageTemplate>);

#[component]
pub fn TemplatePicker(id: ContactId) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let templates = StoredValue::new(expect_context::<WhatsAppTemplates>().0);
    if templates.with_value(Vec::is_empty) {
        return view! {
            <p class="template-none muted">{t!(i18n, desktop.composer.templates_none)}</p>
        }
        .into_any();
    }
    let chosen = RwSignal::new(None::<usize>);
    let values = RwSignal::new(Vec::<String>::new());
    let tried = RwSignal::new(false);
    let template = move || {
        chosen
            .get()
            .and_then(|i| templates.with_value(|t| t.get(i).cloned()))
    };
    let used = move || {
        template().map(|t| TemplateUse {
            name: t.name,
            language: t.language,
            parameters: values.get(),
        })
    };
    let problems = Memo::new(move |_| {
        used()
            .map(|u| templates.with_value(|t| u.check(t).err().unwrap_or_default()))
            .unwrap_or_default()
    });
    let locale = i18n.get_locale_untracked();
    let problem_of = move |field: Field| {
        tried
            .get()
            .then(|| {
                problems.with(|p| {
                    p.iter()
                        .find(|e: &&FieldError| e.field == field)
                        .map(|e| e.message(locale))
                })
            })
            .flatten()
    };
    let preview = move || template().map(|t| values.with(|v| t.render(v)));
    let send = move || {
        tried.set(true);
        let (Some(used), Some(text)) = (used(), preview()) else {
            return;
        };
        if problems.with(Vec::is_empty) {
            live.send_template(id, used, text);
            chosen.set(None);
            values.set(Vec::new());
            tried.set(false);
        }
    };
    let select_id = format!("template-{id}");
    view! {
        <div class="template-picker">
            <div class="field">
                <label for=select_id.clone()>{t!(i18n, desktop.composer.template)}</label>
                <select id=select_id class="canned"
                    on:change=move |ev| {
                        let choice = event_target_value(&ev).parse::<usize>().ok();
                        let count = choice
                            .and_then(|i| templates.with_value(|t| t.get(i).map(MessageTemplate::parameter_count)))
                            .unwrap_or(0);
                        chosen.set(choice);
                        values.set(vec![String::new(); count]);
                        tried.set(false);
                    }>
                    <option value="" selected=move || chosen.get().is_none()>{t!(i18n, desktop.composer.template_choose)}</option>
                    {templates.with_value(|t| t.iter().enumerate().map(|(i, t)| view! {
                        <option value=i.to_string()>{t.title()}</option>
                    }).collect_view())}
                </select>
            </div>
            {move || template().map(|t| {
                let count = t.parameter_count();
                view! {
                    <div class="template-values">
                        {(1..=count).map(|n| {
                            let input = format!("template-{id}-value-{n}");
                            let error_id = format!("{input}-error");
                            let placeholder = format!("{{{{{n}}}}}");
                            view! {
                                <div class="field">
                                    <label for=input.clone()>
                                        {move || t_string!(i18n, desktop.composer.template_value, placeholder = placeholder.as_str()).to_string()}
                                    </label>
                                    <input id=input type="text" autocomplete="off"
                                        aria-describedby=error_id.clone()
                                        aria-invalid=move || problem_of(Field::TemplateParameter(n)).is_some().to_string()
                                        prop:value=move || values.with(|v| v.get(n - 1).cloned().unwrap_or_default())
                                        on:input=move |ev| {
                                            let typed = event_target_value(&ev);
                                            values.update(|v| if let Some(slot) = v.get_mut(n - 1) { *slot = typed });
                                        } />
                                    <span class="field-error" id=error_id>{move || problem_of(Field::TemplateParameter(n))}</span>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                }
            })}
            {move || preview().map(|text| view! {
                <figure class="template-preview">
                    <figcaption>{t!(i18n, desktop.composer.template_preview)}</figcaption>
                    <p>{text}</p>
                </figure>
            })}
            <div class="composer-bar">
                <span class="composer-error" role="alert">{move || problem_of(Field::Template)}</span>
                <button type="button" class="primary" disabled=move || chosen.get().is_none() on:click=move |_| send()>
                    {t!(i18n, desktop.composer.template_send)}
                </button>
            </div>
        </div>
    }
    .into_any()
}
