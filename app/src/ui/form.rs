//! What the forms share: when and which message a field shows (the page's own check and
//! the server's last refusal), the labelled text field with its hint and error, and whether
//! the page has hydrated (fields disabled until then).

use crate::{
    api::ApiError,
    domain::validate::{Field, FieldError},
};
use leptos::prelude::*;

/// A form's problems. Nothing shows until the first submit; then each field shows its first
/// problem as the user types: the page's own, else the server's last refusal.
#[derive(Clone, Copy)]
pub struct FormErrors {
    pub tried: RwSignal<bool>,
    local: Memo<Vec<FieldError>>,
    server: Signal<Vec<FieldError>>,
    /// The form changed since the server answered: its refusal may no longer hold.
    edited: RwSignal<bool>,
    /// The page's language, for the problems' wording.
    locale: crate::i18n::Locale,
}

impl FormErrors {
    /// `local` are the page's checks; `result` is the save action's last answer; `input`
    /// reads every input of the form (a change hides the server's refusal until the next
    /// submit: it was about what was sent, not what is typed now).
    pub fn new<T: 'static>(
        local: Memo<Vec<FieldError>>,
        result: impl Get<Value = Option<Result<T, ApiError>>> + Send + Sync + 'static,
        input: impl Fn() + 'static,
    ) -> Self {
        let edited = RwSignal::new(false);
        Effect::new(move |_| {
            input();
            edited.set(true);
        });
        FormErrors {
            tried: RwSignal::new(false),
            local,
            server: Signal::derive(move || match result.get() {
                Some(Err(ApiError::Invalid(errors))) => errors,
                _ => Vec::new(),
            }),
            edited,
            locale: crate::i18n::use_i18n().get_locale_untracked(),
        }
    }

    /// What `field` shows now.
    pub fn of(self, field: Field) -> Signal<Option<String>> {
        Signal::derive(move || {
            if !self.tried.get() {
                return None;
            }
            self.local
                .get()
                .into_iter()
                .chain(if self.edited.get() {
                    Vec::new()
                } else {
                    self.server.get()
                })
                .find(|e| e.field == field)
                .map(|e| e.problem.message(self.locale))
        })
    }

    /// Marks the form tried; whether the page's own checks pass.
    pub fn submit(self) -> bool {
        self.tried.set(true);
        self.edited.set(false);
        self.local.with(Vec::is_empty)
    }
}

/// A labelled one-line field (`kind` "text" or "password") with its hint and error, tied to
/// both by `aria-describedby`.
#[component]
pub fn TextField(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
    #[prop(optional, into)] hint: Option<Signal<String>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <input
                id=id
                type=kind
                autocomplete=autocomplete
                spellcheck="false"
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=if hint.is_some() {
                    format!("{id}-hint {id}-error")
                } else {
                    format!("{id}-error")
                }
                value=value.get_untracked()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint.map(|h| view! { <span class="hint" id=format!("{id}-hint")>{move || h.get()}</span> })}
            <span class="field-error" id=format!("{id}-error")>{move || error.get()}</span>
        </div>
    }
}

/// False on the server and until the page's code has hydrated, then true: forms bound to
/// signals keep their fields disabled until then, since hydration resets a value typed into
/// the server's HTML (their state starts from what was stored).
pub fn hydrated() -> Signal<bool> {
    let live = RwSignal::new(false);
    // Effects run only in the browser, once the page is hydrated.
    Effect::new(move |_| live.set(true));
    live.into()
}
