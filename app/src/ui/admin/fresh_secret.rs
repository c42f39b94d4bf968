//! A secret shown once (an API token's, a webhook's): focused and selected for copying, so
//! one keystroke copies it, until "Done" gives the focus back to where the form began.

use leptos::{html, prelude::*};

/// The words around one secret, in the reader's language.
pub struct SecretText {
    pub heading: String,
    pub text: String,
    /// The field's accessible name.
    pub label: String,
    pub done: String,
}

#[component]
pub fn FreshSecret(
    /// The region's title id.
    id: &'static str,
    words: SecretText,
    secret: String,
    on_done: Callback<()>,
) -> impl IntoView {
    let SecretText {
        heading,
        text,
        label,
        done,
    } = words;
    let field = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            let _ = input.focus();
            input.select();
        }
    });
    view! {
        <div class="notice token-secret" role="region" aria-labelledby=id>
            <h3 id=id>{heading}</h3>
            <p>{text}</p>
            <input node_ref=field readonly class="secret" spellcheck="false" aria-label=label value=secret
                on:focus=move |_| {
                    if let Some(input) = field.get() {
                        input.select();
                    }
                } />
            <button type="button" on:click=move |_| on_done.run(())>{done}</button>
        </div>
    }
}
