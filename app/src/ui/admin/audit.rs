//! Audit (SPEC D-2, S-6): every administrative change (who, when, what, before and after,
//! never a password), filtered by who made it, its kind and its day, 50 a page; and one
//! user's state history (Not Ready, Ready, Reserved with times and reasons) for a day.

use super::pager::Pager;
use crate::{
    api::{get_audit, get_state_history},
    domain::{
        audit::{action_label, AuditFilter, AuditKind, StateHistory},
        state::StateReason,
        time::{date_time_utc, time_utc},
        validate::FieldError,
    },
};
use leptos::prelude::*;

#[component]
pub fn AuditSection() -> impl IntoView {
    let username = RwSignal::new(String::new());
    let kind = RwSignal::new(None::<AuditKind>);
    let day = RwSignal::new(String::new());
    let page = RwSignal::new(0u32);
    let filter = Memo::new(move |_| AuditFilter {
        username: username.get(),
        kind: kind.get(),
        day: day.get(),
        page: page.get(),
    });
    let audit = Resource::new(move || filter.get(), get_audit);
    view! {
        <section class="card admin-section" aria-labelledby="audit-title">
            <h2 id="audit-title">"Audit"</h2>
            <p class="muted">"Every change made in the administration, newest first. Times are UTC."</p>
            <div class="filters" role="search" aria-label="Filter the audit">
                <div class="field">
                    <label for="audit-user">"Made by"</label>
                    <input id="audit-user" type="search" placeholder="Username" autocomplete="off"
                        prop:value=move || username.get()
                        on:change=move |ev| { username.set(event_target_value(&ev)); page.set(0); } />
                </div>
                <div class="field">
                    <label for="audit-kind">"Kind"</label>
                    <select id="audit-kind" on:change=move |ev| {
                        kind.set(AuditKind::parse(&event_target_value(&ev)));
                        page.set(0);
                    }>
                        <option value="">"Every kind"</option>
                        {AuditKind::ALL.into_iter().map(|k| view! {
                            <option value=k.prefix()>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="audit-day">"Day (UTC)"</label>
                    <input id="audit-day" type="date"
                        prop:value=move || day.get()
                        on:change=move |ev| { day.set(event_target_value(&ev)); page.set(0); } />
                </div>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading the audit…"</p> }>
                {move || Suspend::new(async move {
                    match audit.await {
                        Err(e) => view! { <p class="form-error" role="alert">{refusal(e)}</p> }.into_any(),
                        Ok(list) => {
                            let pages = list.pages();
                            let shown = list.page;
                            let total = list.total;
                            let empty = list.lines.is_empty();
                            view! {
                                <div class="table-scroll">
                                    <table class="users-list audit-list">
                                        <thead>
                                            <tr>
                                                <th scope="col">"When"</th>
                                                <th scope="col">"Who"</th>
                                                <th scope="col">"What"</th>
                                                <th scope="col">"Change"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list.lines.into_iter().map(|l| view! {
                                                <tr>
                                                    <td class="nowrap">{date_time_utc(l.at_ms)}</td>
                                                    <td>{l.username}</td>
                                                    <td>{action_label(&l.action)}</td>
                                                    <td class="detail">{l.detail}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {empty.then(|| view! { <p class="muted">"No change matches."</p> })}
                                <Pager page shown pages total noun="change" label="Pages of the audit" back="Newer" forward="Older" />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
        <StateHistorySection />
    }
}

/// The first problem of a refusal, said with its field.
fn refusal(e: crate::api::ApiError) -> String {
    match e {
        crate::api::ApiError::Invalid(errors) => errors
            .first()
            .map_or_else(String::new, FieldError::to_string),
        e => e.to_string(),
    }
}

/// SPEC S-6: one user's state changes on a day.
#[component]
fn StateHistorySection() -> impl IntoView {
    let username = RwSignal::new(String::new());
    // Today, once in the browser (the server's page leaves it for the browser's clock).
    let day = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if day.get_untracked().is_empty() {
            day.set(crate::domain::time::date_utc(js_sys::Date::now() as i64));
        }
    });
    let asked = RwSignal::new(None::<(String, String)>);
    let history = Resource::new(
        move || asked.get(),
        |asked| async move {
            match asked {
                None => None,
                Some((username, day)) => Some(get_state_history(username, day).await),
            }
        },
    );
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        asked.set(Some((username.get_untracked(), day.get_untracked())));
    };
    view! {
        <section class="card admin-section" aria-labelledby="history-title">
            <h2 id="history-title">"State history"</h2>
            <p class="muted">"An agent's changes of state on one day (UTC), with why each happened."</p>
            <form class="filters" on:submit=on_submit>
                <div class="field">
                    <label for="history-user">"Username"</label>
                    <input id="history-user" autocomplete="off" required
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="history-day">"Day (UTC)"</label>
                    <input id="history-day" type="date" required
                        prop:value=move || day.get()
                        on:input=move |ev| day.set(event_target_value(&ev)) />
                </div>
                <button class="primary" type="submit">"Show"</button>
            </form>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match history.await {
                        None => ().into_any(),
                        Some(Err(e)) => view! { <p class="form-error" role="alert">{refusal(e)}</p> }.into_any(),
                        Some(Ok(h)) => view! { <HistoryTable history=h /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn HistoryTable(history: StateHistory) -> impl IntoView {
    let title = format!(
        "{} ({}) on {}",
        history.display_name, history.username, history.day
    );
    let empty = history.lines.is_empty();
    view! {
        <h3 class="history-title">{title}</h3>
        {if empty {
            view! { <p class="muted">"No change of state that day."</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="users-list history-list">
                        <thead>
                            <tr>
                                <th scope="col">"Time"</th>
                                <th scope="col">"From"</th>
                                <th scope="col">"To"</th>
                                <th scope="col">"Why"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {history.lines.into_iter().map(|l| view! {
                                <tr>
                                    <td class="nowrap">{time_utc(l.at_ms)}</td>
                                    <td>{l.from.state.to_string()}</td>
                                    <td>{l.to.state.to_string()}</td>
                                    <td>{reason_text(l.reason)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

fn reason_text(reason: StateReason) -> &'static str {
    match reason {
        StateReason::Login => "Logged in",
        StateReason::AgentRequest => "The agent's choice",
        StateReason::ContactAccepted => "Took a contact",
        StateReason::ContactEnded => "Last contact ended",
        StateReason::OfferNotAccepted => "Offer not accepted in time",
        StateReason::PageClosed => "Desktop closed or lost",
        StateReason::Logout => "Logged out",
    }
}
