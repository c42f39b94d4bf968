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
    let status = move || {
        if save.pending().get() {
            return ("status", "Saving…".to_string());
        }
        let to_correct = local_errors.with(Vec::len);
        if tried.get() && to_correct > 0 {
            return (
                "status error",
                format!("Not saved: {} to correct.", plural(to_correct, "field")),
            );
        }
        match save.value().get() {
            Some(Ok(_)) => (
                "status saved",
                "Saved. New chats and offers use these settings.".into(),
            ),
            Some(Err(ApiError::Invalid(e))) => (
                "status error",
                format!("Not saved: {} to correct.", plural(e.len(), "field")),
            ),
            Some(Err(e)) => ("status error", format!("Not saved: {e}")),
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
            <h2>"Chat settings"</h2>
            <p class="muted">
                "Timers are in seconds. A change applies to chats and offers that start after it."
            </p>
            <div class="settings-grid">
                <NumberField id="accept-timer" label="Accept timer" range=ACCEPT_TIMER_SECS
                    hint="Time an agent has to accept an offered chat."
                    value=inputs.accept error=error_of(Field::AcceptTimer) />
                <NumberField id="join-timeout" label="Join timeout" range=JOIN_TIMEOUT_SECS
                    hint="Time a customer waits for an agent before the no-agent message."
                    value=inputs.join error=error_of(Field::JoinTimeout) />
                <NumberField id="inactivity-timeout" label="Inactivity timeout"
                    range=INACTIVITY_TIMEOUT_SECS
                    hint="Customer silence before the chat ends; a warning comes first."
                    value=inputs.inactivity error=error_of(Field::InactivityTimeout) />
                <NumberField id="reconnect-grace" label="Reconnection grace"
                    range=RECONNECT_GRACE_SECS
                    hint="Time a desktop may lose its connection before its chats end."
                    value=inputs.grace error=error_of(Field::ReconnectGrace) />
                <NumberField id="queue-limit" label="Queue limit" range=QUEUE_LIMIT
                    hint="Chats that may wait in one queue; past it a customer is told it is full."
                    value=inputs.queue_limit error=error_of(Field::QueueLimit) />
                <NumberField id="queue-timeout" label="Queue timeout" range=QUEUE_TIMEOUT_SECS
                    hint="Time a chat may wait for an agent before it leaves the queue."
                    value=inputs.queue_timeout error=error_of(Field::QueueTimeout) />
            </div>
            <MessageField id="welcome-message" label="Welcome message"
                hint="Shown to the customer when the chat starts."
                value=inputs.welcome error=error_of(Field::WelcomeMessage) />
            <MessageField id="no-agent-message" label="No-agent message"
                hint="Shown when no agent joined within the join timeout."
                value=inputs.no_agent error=error_of(Field::NoAgentMessage) />
            <MessageField id="queue-timeout-message" label="Queue timeout message"
                hint="Shown when a chat leaves the queue at the queue timeout."
                value=inputs.queue_timeout_message error=error_of(Field::QueueTimeoutMessage) />
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || save.pending().get()>
                    "Save chat settings"
                </button>
                <p class=move || status().0 role="status" aria-live="polite">{move || status().1}</p>
            </div>
        </form>
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[component]
fn NumberField(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    range: RangeInclusive<u32>,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let hint = format!("{hint} {} to {}.", range.start(), range.end());
    view! {
        <div class="field">
            <label for=id>{label}</label>
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
            <span class="hint" id=format!("{id}-hint")>{hint}</span>
            <span class="field-error" id=format!("{id}-error")>{move || error.get()}</span>
        </div>
    }
}

#[component]
fn MessageField(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let count = move || value.with(|v| char_count(v.trim()));
    view! {
        <div class="field">
            <label for=id>{label}</label>
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
                {hint} " " {count} " / " {MAX_SETTING_MESSAGE_CHARS} " characters."
            </span>
            <span class="field-error" id=format!("{id}-error")>{move || error.get()}</span>
        </div>
    }
}
