//! The line every list of the administration edits in place (wrap-up reasons, queues,
//! problem statements): a labelled text input, the controls of its kind, a "Retired" mark,
//! and Save with Retire or Restore, or Add on the line that adds one. Enter saves as Save
//! or Add would.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn EditLine(
    input_id: String,
    /// The input's label, read by screen readers (the line shows the value itself).
    #[prop(into)]
    label: Signal<String>,
    value: RwSignal<String>,
    max_chars: usize,
    #[prop(into)] placeholder: Signal<String>,
    invalid: Signal<bool>,
    error_id: String,
    /// An item that exists (else the line adds one).
    existing: bool,
    retired: bool,
    /// The "Retired" mark, worded for the item's kind (French agrees it with the noun).
    #[prop(into)]
    retired_label: Signal<String>,
    dirty: Signal<bool>,
    pending: Signal<bool>,
    /// Saves, with the item retired or not.
    on_submit: Callback<bool>,
    #[prop(into)] add_label: Signal<String>,
    /// Controls of the item's kind, after the input.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="reason-line">
            <label class="visually-hidden" for=input_id.clone()>{move || label.get()}</label>
            <input
                id=input_id
                // Room to type past the limit: the error then says by how much.
                maxlength=max_chars * 2
                placeholder=move || placeholder.get()
                value=value.get_untracked()
                prop:value=move || value.get()
                aria-invalid=move || invalid.get().to_string()
                aria-describedby=error_id
                on:input=move |ev| value.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        // As the buttons: not twice, and not a save that changes nothing.
                        if !pending.get_untracked() && (!existing || dirty.get_untracked()) {
                            on_submit.run(retired);
                        }
                    }
                }
            />
            {children.map(|c| c())}
            {retired.then(|| view! { <span class="pill">{move || retired_label.get()}</span> })}
            {if existing {
                view! {
                    <button type="button" disabled=move || !dirty.get() || pending.get()
                        on:click=move |_| on_submit.run(retired)>{t!(i18n, admin.edit_line.save)}</button>
                    <button type="button" class="quiet" disabled=move || pending.get()
                        on:click=move |_| on_submit.run(!retired)>
                        {move || if retired {
                            t_string!(i18n, admin.edit_line.restore)
                        } else {
                            t_string!(i18n, admin.edit_line.retire)
                        }}
                    </button>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="primary" disabled=move || pending.get()
                        on:click=move |_| on_submit.run(false)>{move || add_label.get()}</button>
                }.into_any()
            }}
        </div>
    }
}
