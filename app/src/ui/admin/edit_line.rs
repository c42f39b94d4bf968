//! The line every list of the administration edits in place (wrap-up reasons, queues,
//! problem statements): a labelled text input, the controls of its kind, a "Retired" mark,
//! and Save with Retire or Restore, or Add on the line that adds one. Enter saves as Save
//! or Add would.

use leptos::prelude::*;

#[component]
pub fn EditLine(
    input_id: String,
    /// The input's label, read by screen readers (the line shows the value itself).
    label: String,
    value: RwSignal<String>,
    max_chars: usize,
    placeholder: &'static str,
    invalid: Signal<bool>,
    error_id: String,
    /// An item that exists (else the line adds one).
    existing: bool,
    retired: bool,
    dirty: Signal<bool>,
    pending: Signal<bool>,
    /// Saves, with the item retired or not.
    on_submit: Callback<bool>,
    add_label: &'static str,
    /// Controls of the item's kind, after the input.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="reason-line">
            <label class="visually-hidden" for=input_id.clone()>{label}</label>
            <input
                id=input_id
                // Room to type past the limit: the error then says by how much.
                maxlength=max_chars * 2
                placeholder=placeholder
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
            {retired.then(|| view! { <span class="pill">"Retired"</span> })}
            {if existing {
                view! {
                    <button type="button" disabled=move || !dirty.get() || pending.get()
                        on:click=move |_| on_submit.run(retired)>"Save"</button>
                    <button type="button" class="quiet" disabled=move || pending.get()
                        on:click=move |_| on_submit.run(!retired)>
                        {if retired { "Restore" } else { "Retire" }}
                    </button>
                }.into_any()
            } else {
                view! {
                    <button type="button" class="primary" disabled=move || pending.get()
                        on:click=move |_| on_submit.run(false)>{add_label}</button>
                }.into_any()
            }}
        </div>
    }
}
