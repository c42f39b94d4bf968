//! The question a page asks before a change that cannot be undone (revoking an API token,
//! erasing a customer, logging an agent out): a heading naming what goes, what follows from it, the
//! server's refusal if it gives one, and two buttons. Cancel takes the focus, so a stray
//! Enter never confirms; both wait while the change is under way.

use leptos::{html, prelude::*};

/// The words of one question, in the reader's language.
pub struct ConfirmText {
    pub heading: String,
    pub text: String,
    /// The danger button, and its words while the change is under way.
    pub confirm: String,
    pub confirming: String,
    pub cancel: String,
}

#[component]
pub fn Confirm(
    /// Prefix of the dialog's element ids (`{id}-title`, `{id}-text`).
    id: &'static str,
    words: ConfirmText,
    /// Whether the change is under way.
    #[prop(into)]
    pending: Signal<bool>,
    /// The server's refusal in its latest answer, if any.
    #[prop(into)]
    answer: Signal<Option<String>>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let ConfirmText {
        heading,
        text,
        confirm,
        confirming,
        cancel,
    } = words;
    // Only this question's answer is shown: an earlier one's refusal is not this one's.
    let asked = RwSignal::new(false);
    let refusal = move || {
        (asked.get() && !pending.get())
            .then(|| answer.get())
            .flatten()
    };
    let cancel_button = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = cancel_button.get() {
            let _ = button.focus();
        }
    });
    let (title_id, text_id) = (format!("{id}-title"), format!("{id}-text"));
    let (labelled_by, described_by) = (title_id.clone(), text_id.clone());
    view! {
        <div class="confirm" role="alertdialog" aria-labelledby=labelled_by aria-describedby=described_by>
            <h3 id=title_id>{heading}</h3>
            <p id=text_id>{text}</p>
            {move || refusal().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <div class="confirm-actions">
                <button type="button" class="danger" disabled=move || pending.get()
                    on:click=move |_| {
                        asked.set(true);
                        on_confirm.run(());
                    }>
                    {move || if pending.get() { confirming.clone() } else { confirm.clone() }}
                </button>
                <button type="button" node_ref=cancel_button disabled=move || pending.get()
                    on:click=move |_| on_cancel.run(())>
                    {cancel}
                </button>
            </div>
        </div>
    }
}
