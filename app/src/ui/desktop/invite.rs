//! "Invite agent" (SPEC G-1): a list of CSQs with their available agents, kept live while
//! the pane is open, a search field to filter it, notes for the invited agent, and the
//! button that sends the invitation. Disabled while two agents are in the chat (G-3).

use super::{clock::Clock, Live};
use crate::{
    domain::{
        ids::{ContactId, CsqId},
        invite::can_invite,
        language::number,
        limits::MAX_INVITE_NOTES_CHARS,
        protocol::ClientCommand,
        validate::{char_count, validate_invite_notes},
    },
    i18n::*,
};
use leptos::{lazy, lazy_preload, prelude::*};

/// A pane whose code is not there yet says so, in the pane's place.
pub(super) fn opening(class: &'static str, label: &'static str) -> AnyView {
    let i18n = use_i18n();
    view! {
        <div class=class role="group" aria-label=label>
            <p class="loading">{t!(i18n, desktop.opening)}</p>
        </div>
    }
    .into_any()
}

/// Whether the open pane's code is there. Fetched once the desktop is live, in the
/// background as the email panel is (a page open for hours does not depend on fetching it
/// when an agent first invites someone, after an upgrade may have renamed the file).
#[derive(Clone, Copy)]
pub struct PaneCode(ReadSignal<bool>);

impl PaneCode {
    pub fn fetch() -> Self {
        PaneCode(lazy_preload!(invite_pane))
    }
}

#[component]
pub fn InviteControl(id: ContactId) -> AnyView {
    let live = expect_context::<Live>();
    let clock = expect_context::<Clock>();
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let agents = Memo::new(move |_| {
        live.model
            .with(|m| m.tab(id).map_or(1, |t| t.view.agents.len().max(1)))
    });
    let allowed = move || can_invite(agents.get());
    let search = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<CsqId>);
    let notes = RwSignal::new(String::new());
    // The figures follow the agents' states: asked again every second while open.
    Effect::new(move |_| {
        clock.now.track();
        if open.get() {
            live.send(ClientCommand::Availability { contact: id });
        }
    });
    Effect::new(move |_| {
        if !allowed() {
            open.set(false);
        }
    });
    let code = expect_context::<PaneCode>().0;
    let pane_id = format!("invite-{id}");
    view! {
        <div class="invite">
            <button
                class="invite-toggle"
                disabled=move || !allowed()
                title=move || if allowed() {
                    t_string!(i18n, desktop.invite.invite_hint)
                } else {
                    t_string!(i18n, desktop.invite.invite_full)
                }
                aria-expanded=move || open.get().to_string()
                aria-controls=pane_id.clone()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {t!(i18n, desktop.invite.invite)}
            </button>
            <Show when=move || open.get()>
                {move || if code.get() {
                    // The code is there: the pane is ready at its first poll, so nothing
                    // waits and no `Suspense` above it (the desktop's) shows its fallback.
                    Suspend::new(invite_pane(Pane { id, open, search, chosen, notes })).into_any()
                } else {
                    opening("invite-pane", td_string!(i18n.get_locale_untracked(), desktop.invite.pane_label))
                }}
            </Show>
        </div>
    }
    .into_any()
}

/// What the pane works on: the signals live in the control, so notes typed, then the pane
/// closed and opened again, are still there.
#[derive(Clone, Copy)]
struct Pane {
    id: ContactId,
    open: RwSignal<bool>,
    search: RwSignal<String>,
    chosen: RwSignal<Option<CsqId>>,
    notes: RwSignal<String>,
}

/// The open pane, from a chunk of the WebAssembly of its own (`cargo leptos build --split`):
/// most chats never invite anyone, so its code is not in the desktop's first load (it comes
/// in the background after, see [`PaneCode`]). The page never renders it open on the server.
#[lazy]
fn invite_pane(pane: Pane) -> AnyView {
    view! { <InvitePane pane /> }.into_any()
}

#[component]
fn InvitePane(pane: Pane) -> impl IntoView {
    let Pane {
        id,
        open,
        search,
        chosen,
        notes,
    } = pane;
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let rows = move || {
        let filter = search.get().trim().to_lowercase();
        live.availability.with(|(contact, csqs)| {
            if *contact != Some(id) {
                return Vec::new();
            }
            csqs.iter()
                .filter(|c| filter.is_empty() || c.name.to_lowercase().contains(&filter))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let notes_error = move || {
        notes.with(|n| {
            validate_invite_notes(n)
                .err()
                .map(|e| e.message(i18n.get_locale_untracked()))
        })
    };
    let send = move || {
        let Some(csq) = chosen.get_untracked() else {
            return;
        };
        if notes_error().is_some() {
            return;
        }
        live.send(ClientCommand::Invite {
            contact: id,
            csq,
            notes: notes.get_untracked(),
        });
        live.notice
            .set(Some(td_string!(locale, desktop.invite.sent).into()));
        open.set(false);
        notes.set(String::new());
        chosen.set(None);
        search.set(String::new());
    };
    let pane_id = format!("invite-{id}");
    view! {
        <div class="invite-pane" id=pane_id.clone() role="group" aria-label=move || t_string!(i18n, desktop.invite.pane_label)
            on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <label class="visually-hidden" for=format!("invite-search-{id}")>{t!(i18n, desktop.invite.search)}</label>
            <input
                id=format!("invite-search-{id}")
                type="search"
                placeholder=move || t_string!(i18n, desktop.invite.search)
                prop:value=move || search.get()
                on:input=move |ev| search.set(event_target_value(&ev))
            />
            <ul class="invite-list" aria-label=move || t_string!(i18n, desktop.invite.queues)>
                <For each=rows key=|c| (c.csq, c.available) let:row>
                    {
                        let csq = row.csq;
                        let none = row.available == 0;
                        view! {
                            <li>
                                <label class:disabled=none>
                                    <input
                                        type="radio"
                                        name=format!("invite-csq-{id}")
                                        disabled=none
                                        prop:checked=move || chosen.get() == Some(csq)
                                        on:change=move |_| chosen.set(Some(csq))
                                    />
                                    <span class="invite-name">{row.name.clone()}</span>
                                    <span class="invite-count">
                                        {match row.available {
                                            0 => td_string!(locale, desktop.invite.available_none).to_string(),
                                            n => td_string!(locale, desktop.invite.available, count = n).to_string(),
                                        }}
                                    </span>
                                </label>
                            </li>
                        }
                    }
                </For>
            </ul>
            <label for=format!("invite-notes-{id}")>{t!(i18n, desktop.invite.notes)}</label>
            <textarea
                id=format!("invite-notes-{id}")
                rows="3"
                spellcheck="true"
                placeholder=move || t_string!(i18n, desktop.invite.notes_placeholder)
                prop:value=move || notes.get()
                on:input=move |ev| notes.set(event_target_value(&ev))
            ></textarea>
            <span class="hint">
                {move || {
                    let used = notes.with(|n| char_count(n.trim()));
                    td_string!(
                        locale,
                        desktop.invite.notes_count,
                        used = number(locale, used as u64),
                        max = number(locale, MAX_INVITE_NOTES_CHARS as u64)
                    )
                    .to_string()
                }}
            </span>
            <span class="field-error" role="alert">{notes_error}</span>
            <div class="invite-actions">
                <button on:click=move |_| open.set(false)>{t!(i18n, desktop.invite.cancel)}</button>
                <button class="primary"
                    disabled=move || chosen.get().is_none() || notes_error().is_some()
                    on:click=move |_| send()>{t!(i18n, desktop.invite.invite)}</button>
            </div>
        </div>
    }
}
