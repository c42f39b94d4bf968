//! Choosing the queue something sends its contacts to (a mailbox's emails, a channel's
//! chats): the queues not retired, and the one already chosen even if it was retired since.

use crate::{
    domain::{ids::CsqId, queues::CsqAdmin},
    i18n::*,
};
use leptos::prelude::*;

/// A queue's name, or its number when it is gone.
pub fn queue_name(csqs: &[CsqAdmin], id: CsqId, locale: Locale) -> String {
    csqs.iter().find(|c| c.id == id).map_or_else(
        || td_string!(locale, admin.shared.queue_number, id = id.0).to_string(),
        |c| c.name.clone(),
    )
}

/// A labelled list of queues tied to `value`, with its error.
#[component]
pub fn QueueSelect(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    csqs: StoredValue<Vec<CsqAdmin>>,
    /// The queue chosen before: offered even if retired since.
    kept: Option<CsqId>,
    value: RwSignal<Option<CsqId>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let options = csqs.with_value(|c| {
        c.iter()
            .filter(|q| !q.retired || Some(q.id) == kept)
            .map(|q| (q.id, q.name.clone()))
            .collect::<Vec<_>>()
    });
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <select id=id
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()
                on:change=move |ev| value.set(event_target_value(&ev).parse().ok().map(CsqId))>
                {options.into_iter().map(|(cid, name)| view! {
                    <option value=cid.0.to_string() selected=move || value.get() == Some(cid)>{name}</option>
                }).collect_view()}
            </select>
            <span class="field-error" id=error_id>{move || error.get()}</span>
        </div>
    }
}
