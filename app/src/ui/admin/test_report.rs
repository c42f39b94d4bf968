//! What an administration form's "Test" found (a mailbox's servers, a channel's account):
//! one line per thing checked, each marked as working or not with what was found, or why
//! the test could not run. Announced as a status when it changes.

use crate::{
    api::{ApiError, TestOutcome},
    i18n::*,
};
use leptos::prelude::*;

/// The lines of a test: what each checked is called (none when there is one thing), and
/// what it found.
pub type TestLines = Vec<(Option<&'static str>, TestOutcome)>;

#[component]
pub fn TestReport(
    #[prop(into)] label: Signal<String>,
    #[prop(into)] found: Signal<Option<Result<TestLines, ApiError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="test-report" role="status" aria-label=move || label.get()>
            {move || match found.get() {
                None => None,
                Some(Ok(lines)) => Some(view! {
                    <ul>
                        {lines.into_iter().map(|(name, outcome)| view! {
                            <li class:ok=outcome.ok class:failed=!outcome.ok>
                                {name.map(|n| view! { <strong>{n}</strong> " " })}
                                {if outcome.ok { "✓ " } else { "✗ " }} {outcome.message}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()),
                Some(Err(ApiError::Invalid(_))) => Some(view! {
                    <p class="form-error">{t!(i18n, admin.shared.correct_first)}</p>
                }.into_any()),
                Some(Err(e)) => Some(view! { <p class="form-error">{e.message(i18n.get_locale_untracked())}</p> }.into_any()),
            }}
        </div>
    }
}
