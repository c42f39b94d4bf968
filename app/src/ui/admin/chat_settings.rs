//! The chat settings form: timers and the messages customers read (SPEC S-4, K-2, K-5, S-5).
//! The page checks with the shared validators as the administrator types and again on save;
//! the server checks the same before it stores anything. A refused save keeps what was typed.

use super::unsaved::Unsaved;
use crate::ui::form::FormErrors;
use crate::{
    api::{ApiError, SaveChatSettings},
    domain::{
        limits::{
            ACCEPT_TIMER_SECS, INACTIVITY_TIMEOUT_SECS, JOIN_TIMEOUT_SECS,
            MAX_SETTING_MESSAGE_CHARS, QUEUE_LIMIT, QUEUE_TIMEOUT_SECS, RECONNECT_GRACE_SECS,
        },
        settings::ChatSettings,
        validate::{char_count, Field, FieldError, Problem},
    },
    i18n::*,
};
use leptos::prelude::*;
use std::ops::RangeInclusive;

/// The form's text, as typed.
#[derive(Clone, Copy)]
struct Inputs {
    accept: RwSignal<String>,
    join: RwSignal<String>,
    inactivity: RwSignal<String>,
    grace: RwSignal<String>,
    welcome: RwSignal<String>,
    no_agent: RwSignal<String>,
    queue_limit: RwSignal<String>,
    queue_timeout: RwSignal<String>,
    queue_timeout_message: RwSignal<String>,
    hide_launcher: RwSignal<bool>,
}

impl Inputs {
    fn new(s: &ChatSettings) -> Self {
        Inputs {
            accept: RwSignal::new(s.accept_timer_secs.to_string()),
            join: RwSignal::new(s.join_timeout_secs.to_string()),
            inactivity: RwSignal::new(s.inactivity_timeout_secs.to_string()),
            grace: RwSignal::new(s.reconnect_grace_secs.to_string()),
            welcome: RwSignal::new(s.welcome_message.clone()),
            no_agent: RwSignal::new(s.no_agent_message.clone()),
            queue_limit: RwSignal::new(s.queue_limit.to_string()),
            queue_timeout: RwSignal::new(s.queue_timeout_secs.to_string()),
            queue_timeout_message: RwSignal::new(s.queue_timeout_message.clone()),
            hide_launcher: RwSignal::new(s.hide_launcher_when_closed),
        }
    }

    /// The settings the text describes, or every problem with it.
    fn read(&self) -> Result<ChatSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut number = |field: Field, text: RwSignal<String>| {
            text.with(|t| t.trim().parse::<u32>()).unwrap_or_else(|_| {
                let problem = if text.with(|t| t.trim().is_empty()) {
                    Problem::Required
                } else {
                    Problem::NotAWholeNumber
                };
                errors.push(FieldError::new(field, problem));
                0
            })
        };
        let settings = ChatSettings {
            accept_timer_secs: number(Field::AcceptTimer, self.accept),
            join_timeout_secs: number(Field::JoinTimeout, self.join),
            inactivity_timeout_secs: number(Field::InactivityTimeout, self.inactivity),
            reconnect_grace_secs: number(Field::ReconnectGrace, self.grace),
            welcome_message: self.welcome.get(),
            no_agent_message: self.no_agent.get(),
            queue_limit: number(Field::QueueLimit, self.queue_limit),
            queue_timeout_secs: number(Field::QueueTimeout, self.queue_timeout),
            queue_timeout_message: self.queue_timeout_message.get(),
            hide_launcher_when_closed: self.hide_launcher.get(),
        };
        let unreadable: Vec<Field> = errors.iter().map(|e| e.field.clone()).collect();
        if let Err(more) = settings.validate() {
            errors.extend(more.into_iter().filter(|e| !unreadable.contains(&e.field)));
        }
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(errors)
        }
    }
}

#[component]
pub fn ChatSettingsForm(initial: ChatSettings) -> impl IntoView {
    let i18n = use_i18n();
    let inputs = Inputs::new(&initial);
    let save = ServerAction::<SaveChatSettings>::new();
    // What is stored now: the form holds changes while it differs.
    let stored = RwSignal::new(initial);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            stored.set(saved);
        }
    });
    let dirty = Memo::new(move |_| {
        inputs
            .read()
            .map_or(true, |typed| typed.normalized() != stored.get())
    });
    Unsaved::track("chat-settings".into(), dirty.into());
    // Errors are shown after the first save attempt, then follow the typing.
    let local_errors = Memo::new(move |_| inputs.read().err().unwrap_or_default());
    let errors = FormErrors::new(local_errors, save.value(), move || {
        let _ = inputs.read();
    });
    let tried = errors.tried;
    let error_of = move |field: Field| errors.of(field);
    let to_correct = move |count: usize| {
        t_string!(i18n, admin.chat_settings.not_saved_fields, count).to_string()
    };
    let status = move || {
        if save.pending().get() {
            return (
                "status",
                t_string!(i18n, admin.chat_settings.saving).to_string(),
            );
        }
        let local = local_errors.with(Vec::len);
        if tried.get() && local > 0 {
            return ("status error", to_correct(local));
        }
        match save.value().get() {
            Some(Ok(_)) => (
                "status saved",
                t_string!(i18n, admin.chat_settings.saved).to_string(),
            ),
            Some(Err(ApiError::Invalid(e))) => ("status error", to_correct(e.len())),
            Some(Err(e)) => (
                "status error",
                t_string!(
                    i18n,
                    admin.chat_settings.not_saved,
                    error = e.message(i18n.get_locale_untracked())
                )
                .to_string(),
            ),
            None => ("status", String::new()),
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.submit();
        if let Ok(settings) = inputs.read() {
            save.dispatch(SaveChatSettings { settings });
        }
    };
    view! {
        <form class="card admin-section" on:submit=on_submit novalidate>
            <h2>{t!(i18n, admin.sections.chat_settings)}</h2>
            <p class="muted">{t!(i18n, admin.chat_settings.intro)}</p>
            <div class="settings-grid">
                <NumberField id="accept-timer"
                    label=move || t_string!(i18n, admin.chat_settings.accept_timer)
                    range=ACCEPT_TIMER_SECS
                    hint=move || t_string!(i18n, admin.chat_settings.accept_timer_hint)
                    value=inputs.accept error=error_of(Field::AcceptTimer) />
                <NumberField id="join-timeout"
                    label=move || t_string!(i18n, admin.chat_settings.join_timeout)
                    range=JOIN_TIMEOUT_SECS
                    hint=move || t_string!(i18n, admin.chat_settings.join_timeout_hint)
                    value=inputs.join error=error_of(Field::JoinTimeout) />
                <NumberField id="inactivity-timeout"
                    label=move || t_string!(i18n, admin.chat_settings.inactivity_timeout)
                    range=INACTIVITY_TIMEOUT_SECS
                    hint=move || t_string!(i18n, admin.chat_settings.inactivity_timeout_hint)
                    value=inputs.inactivity error=error_of(Field::InactivityTimeout) />
                <NumberField id="reconnect-grace"
                    label=move || t_string!(i18n, admin.chat_settings.reconnect_grace)
                    range=RECONNECT_GRACE_SECS
                    hint=move || t_string!(i18n, admin.chat_settings.reconnect_grace_hint)
                    value=inputs.grace error=error_of(Field::ReconnectGrace) />
                <NumberField id="queue-limit"
                    label=move || t_string!(i18n, admin.chat_settings.queue_limit)
                    range=QUEUE_LIMIT
                    hint=move || t_string!(i18n, admin.chat_settings.queue_limit_hint)
                    value=inputs.queue_limit error=error_of(Field::QueueLimit) />
                <NumberField id="queue-timeout"
                    label=move || t_string!(i18n, admin.chat_settings.queue_timeout)
                    range=QUEUE_TIMEOUT_SECS
                    hint=move || t_string!(i18n, admin.chat_settings.queue_timeout_hint)
                    value=inputs.queue_timeout error=error_of(Field::QueueTimeout) />
            </div>
            <MessageField id="welcome-message"
                label=move || t_string!(i18n, admin.chat_settings.welcome_message)
                hint=move || t_string!(i18n, admin.chat_settings.welcome_message_hint)
                value=inputs.welcome error=error_of(Field::WelcomeMessage) />
            <MessageField id="no-agent-message"
                label=move || t_string!(i18n, admin.chat_settings.no_agent_message)
                hint=move || t_string!(i18n, admin.chat_settings.no_agent_message_hint)
                value=inputs.no_agent error=error_of(Field::NoAgentMessage) />
            <MessageField id="queue-timeout-message"
                label=move || t_string!(i18n, admin.chat_settings.queue_timeout_message)
                hint=move || t_string!(i18n, admin.chat_settings.queue_timeout_message_hint)
                value=inputs.queue_timeout_message error=error_of(Field::QueueTimeoutMessage) />
            <div class="field">
                <label class="check">
                    <input type="checkbox" aria-describedby="hide-launcher-hint"
                        prop:checked=move || inputs.hide_launcher.get()
                        on:change=move |ev| inputs.hide_launcher.set(event_target_checked(&ev)) />
                    {t!(i18n, admin.chat_settings.hide_launcher)}
                </label>
                <span class="hint" id="hide-launcher-hint">{t!(i18n, admin.chat_settings.hide_launcher_hint)}</span>
            </div>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || save.pending().get()>
                    {t!(i18n, admin.chat_settings.save)}
                </button>
                <p class=move || status().0 role="status" aria-live="polite">{move || status().1}</p>
            </div>
        </form>
    }
}

#[component]
fn NumberField(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] hint: Signal<String>,
    range: RangeInclusive<u32>,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (min, max) = (*range.start(), *range.end());
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <input
                id=id
                type="number"
                inputmode="numeric"
                min=*range.start()
                max=*range.end()
                step="1"
                value=value.get_untracked()
                prop:value=move || value.get()
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=format!("{id}-hint {id}-error")
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <span class="hint" id=format!("{id}-hint")>
                {move || hint.get()} " " {t!(i18n, admin.chat_settings.range, min, max)}
            </span>
            <span class="field-error" id=format!("{id}-error")>{move || error.get()}</span>
        </div>
    }
}

#[component]
fn MessageField(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] hint: Signal<String>,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let count = move || value.with(|v| char_count(v.trim()));
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <textarea
                id=id
                rows="2"
                spellcheck="true"
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=format!("{id}-hint {id}-error")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            >
                {value.get_untracked()}
            </textarea>
            <span class="hint" id=format!("{id}-hint")>
                {move || hint.get()} " "
                {t!(i18n, admin.chat_settings.message_count, given = count, max = MAX_SETTING_MESSAGE_CHARS)}
            </span>
            <span class="field-error" id=format!("{id}-error")>{move || error.get()}</span>
        </div>
    }
}
