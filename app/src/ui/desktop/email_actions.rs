//! Requeue and Discard (SPEC ): Requeue opens a searchable list of CSQs, then an
//! in-page Yes/No confirmation (gadget containers forbid `window.confirm`, SPEC D-1);
//! Discard asks the same way. The email leaves the list when the server confirms.

use super::{Live, Queues};
use crate::{
    domain::{
        email::search_csqs,
        ids::{ContactId, CsqId},
        protocol::ClientCommand,
    },
    i18n::*,
};
use leptos::prelude::*;

/// Which question the panel asks, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Asking {
    Nothing,
    /// Choosing the CSQ.
    Queue,
    /// "Requeue to <name>?"
    Requeue(CsqId, String),
    Discard,
}

#[component]
pub fn EmailActions(
    id: ContactId,
    /// Requeues to the CSQ (the reply panel saves the draft first); by default the command
    /// goes at once.
    #[prop(optional)]
    on_requeue: Option<Callback<CsqId>>,
    /// SPEC R-6: why Requeue is not offered now (while forwarding).
    #[prop(optional, into)]
    requeue_blocked: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let queues = StoredValue::new(expect_context::<Queues>().0);
    let asking = RwSignal::new(Asking::Nothing);
    let search = RwSignal::new(String::new());
    let found = move || {
        let query = search.get();
        queues.with_value(|q| {
            search_csqs(q, &query)
                .into_iter()
                .map(|c| (c.id, c.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let yes = move || match asking.get_untracked() {
        Asking::Requeue(csq, _) => {
            match on_requeue {
                Some(requeue) => requeue.run(csq),
                None => live.send(ClientCommand::Requeue { contact: id, csq }),
            }
            asking.set(Asking::Nothing);
        }
        Asking::Discard => {
            live.send(ClientCommand::Discard { contact: id });
            asking.set(Asking::Nothing);
        }
        _ => {}
    };
    let blocked = move || requeue_blocked.and_then(|b| b.get());
    let question = move || match asking.get() {
        Asking::Requeue(_, name) => {
            Some(t_string!(i18n, email.actions.confirm_requeue, name = name).to_string())
        }
        Asking::Discard => Some(t_string!(i18n, email.actions.confirm_discard).to_string()),
        _ => None,
    };
    view! {
        <div class="email-actions">
            <div class="email-action-bar">
                <button
                    disabled=move || blocked().is_some()
                    title=move || blocked().unwrap_or_default()
                    aria-expanded=move || (asking.get() == Asking::Queue).to_string()
                    aria-controls=format!("requeue-{id}")
                    on:click=move |_| asking.update(|a| *a = if *a == Asking::Queue { Asking::Nothing } else { Asking::Queue })
                >{t!(i18n, email.actions.requeue)}</button>
                <button class="danger" on:click=move |_| asking.set(Asking::Discard)>{t!(i18n, email.actions.discard)}</button>
            </div>
            <Show when=move || asking.get() == Asking::Queue>
                <div class="requeue-pane" id=format!("requeue-{id}") role="group" aria-label=move || t_string!(i18n, email.actions.requeue_to)
                    on:keydown=move |ev| if ev.key() == "Escape" { asking.set(Asking::Nothing) }>
                    <label class="visually-hidden" for=format!("requeue-search-{id}")>{t!(i18n, email.actions.search_queues)}</label>
                    <input
                        id=format!("requeue-search-{id}")
                        type="search"
                        placeholder=move || t_string!(i18n, email.actions.search_queues)
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))
                    />
                    <ul class="requeue-list" aria-label=move || t_string!(i18n, email.actions.queues)>
                        <For each=found key=|(csq, _)| *csq let:row>
                            {
                                let (csq, name) = row;
                                let label = name.clone();
                                view! {
                                    <li>
                                        <button class="quiet queue-choice"
                                            on:click=move |_| asking.set(Asking::Requeue(csq, label.clone()))>
                                            {name}
                                        </button>
                                    </li>
                                }
                            }
                        </For>
                    </ul>
                    <Show when=move || found().is_empty()>
                        <p class="empty">{t!(i18n, email.actions.no_queue)}</p>
                    </Show>
                </div>
            </Show>
            {move || question().map(|q| view! {
                <div class="confirm" role="alertdialog" aria-label=move || t_string!(i18n, email.actions.confirm) aria-describedby=format!("confirm-{id}")>
                    <p id=format!("confirm-{id}")>{q}</p>
                    <div class="confirm-actions">
                        <button on:click=move |_| asking.set(Asking::Nothing)>{t!(i18n, email.actions.no)}</button>
                        <button class="primary" on:click=move |_| yes()>{t!(i18n, email.actions.yes)}</button>
                    </div>
                </div>
            })}
        </div>
    }
}
