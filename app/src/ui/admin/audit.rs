//! Audit (SPEC D-2, S-6): every administrative change (who, when, what, before and after,
//! never a password), filtered by who made it, its kind and its day, 50 a page; and one
//! user's state history (Not Ready, Ready, Reserved with times and reasons) for a day.

use crate::ui::pager::Pager;
use crate::{
    api::{get_audit, get_state_history},
    domain::{
        audit::{action_label, AuditFilter, AuditKind, StateHistory},
        state::StateReason,
        time::{date_time_utc, time_utc},
    },
    i18n::*,
};
use leptos::prelude::*;

#[component]
pub fn AuditSection() -> impl IntoView {
    let i18n = use_i18n();
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
            <h2 id="audit-title">{t!(i18n, admin.sections.audit)}</h2>
            <p class="muted">{t!(i18n, admin.audit.intro)}</p>
            <div class="filters" role="search" aria-label=move || t_string!(i18n, admin.audit.filter_label)>
                <div class="field">
                    <label for="audit-user">{t!(i18n, admin.audit.made_by)}</label>
                    <input id="audit-user" type="search"
                        placeholder=move || t_string!(i18n, admin.audit.username_placeholder) autocomplete="off"
                        prop:value=move || username.get()
                        on:change=move |ev| { username.set(event_target_value(&ev)); page.set(0); } />
                </div>
                <div class="field">
                    <label for="audit-kind">{t!(i18n, admin.audit.kind)}</label>
                    <select id="audit-kind" on:change=move |ev| {
                        kind.set(AuditKind::parse(&event_target_value(&ev)));
                        page.set(0);
                    }>
                        <option value="">{t!(i18n, admin.audit.every_kind)}</option>
                        {AuditKind::ALL.into_iter().map(|k| view! {
                            <option value=k.prefix()>{k.label(i18n.get_locale_untracked())}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="audit-day">{t!(i18n, admin.audit.day)}</label>
                    <input id="audit-day" type="date"
                        prop:value=move || day.get()
                        on:change=move |ev| { day.set(event_target_value(&ev)); page.set(0); } />
                </div>
            </div>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, admin.audit.loading)}</p> }>
                {move || Suspend::new(async move {
                    match audit.await {
                        Err(e) => view! { <p class="form-error" role="alert">{refusal(e, i18n.get_locale_untracked())}</p> }.into_any(),
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
                                                <th scope="col">{t!(i18n, admin.audit.columns.when)}</th>
                                                <th scope="col">{t!(i18n, admin.audit.columns.who)}</th>
                                                <th scope="col">{t!(i18n, admin.audit.columns.what)}</th>
                                                <th scope="col">{t!(i18n, admin.audit.columns.change)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list.lines.into_iter().map(|l| view! {
                                                <tr>
                                                    <td class="nowrap">{date_time_utc(i18n.get_locale_untracked(), l.at_ms)}</td>
                                                    <td>{l.username}</td>
                                                    <td>{action_label(i18n.get_locale_untracked(), &l.action)}</td>
                                                    <td class="detail">{l.detail}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {empty.then(|| view! { <p class="muted">{t!(i18n, admin.audit.no_match)}</p> })}
                                <Pager page shown pages
                                    summary=move || {
                                        t_string!(i18n, admin.audit.pager.summary, page = shown + 1, pages, count = total)
                                            .to_string()
                                    }
                                    label=move || t_string!(i18n, admin.audit.pager.label)
                                    back=move || t_string!(i18n, admin.audit.pager.newer)
                                    forward=move || t_string!(i18n, admin.audit.pager.older) />
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
fn refusal(e: crate::api::ApiError, locale: Locale) -> String {
    match e {
        crate::api::ApiError::Invalid(errors) => errors
            .first()
            .map_or_else(String::new, |e| e.message(locale)),
        e => e.message(locale),
    }
}

/// SPEC S-6: one user's state changes on a day.
#[component]
fn StateHistorySection() -> impl IntoView {
    let i18n = use_i18n();
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
            <h2 id="history-title">{t!(i18n, admin.audit.history.title)}</h2>
            <p class="muted">{t!(i18n, admin.audit.history.intro)}</p>
            <form class="filters" on:submit=on_submit>
                <div class="field">
                    <label for="history-user">{t!(i18n, admin.audit.history.username)}</label>
                    <input id="history-user" autocomplete="off" required
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="history-day">{t!(i18n, admin.audit.day)}</label>
                    <input id="history-day" type="date" required
                        prop:value=move || day.get()
                        on:input=move |ev| day.set(event_target_value(&ev)) />
                </div>
                <button class="primary" type="submit">{t!(i18n, admin.audit.history.show)}</button>
            </form>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match history.await {
                        None => ().into_any(),
                        Some(Err(e)) => view! { <p class="form-error" role="alert">{refusal(e, i18n.get_locale_untracked())}</p> }.into_any(),
                        Some(Ok(h)) => view! { <HistoryTable history=h /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn HistoryTable(history: StateHistory) -> impl IntoView {
    let i18n = use_i18n();
    let title = t!(
        i18n,
        admin.audit.history.heading,
        name = history.display_name.clone(),
        username = history.username.clone(),
        day = history.day.clone()
    );
    let empty = history.lines.is_empty();
    view! {
        <h3 class="history-title">{title}</h3>
        {if empty {
            view! { <p class="muted">{t!(i18n, admin.audit.history.empty)}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="users-list history-list">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, admin.audit.history.columns.time)}</th>
                                <th scope="col">{t!(i18n, admin.audit.history.columns.from)}</th>
                                <th scope="col">{t!(i18n, admin.audit.history.columns.to)}</th>
                                <th scope="col">{t!(i18n, admin.audit.history.columns.why)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {history.lines.into_iter().map(|l| view! {
                                <tr>
                                    <td class="nowrap">{time_utc(i18n.get_locale_untracked(), l.at_ms)}</td>
                                    <td>{l.from.state.label(i18n.get_locale_untracked())}</td>
                                    <td>{l.to.state.label(i18n.get_locale_untracked())}</td>
                                    <td>{move || reason_text(i18n.get_locale(), l.reason)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

fn reason_text(locale: Locale, reason: StateReason) -> &'static str {
    match reason {
        StateReason::Login => td_string!(locale, admin.audit.history.reasons.login),
        StateReason::AgentRequest => td_string!(locale, admin.audit.history.reasons.agent_request),
        StateReason::ContactAccepted => {
            td_string!(locale, admin.audit.history.reasons.contact_accepted)
        }
        StateReason::ContactEnded => td_string!(locale, admin.audit.history.reasons.contact_ended),
        StateReason::OfferNotAccepted => {
            td_string!(locale, admin.audit.history.reasons.offer_not_accepted)
        }
        StateReason::PageClosed => td_string!(locale, admin.audit.history.reasons.page_closed),
        StateReason::Logout => td_string!(locale, admin.audit.history.reasons.logout),
        StateReason::Supervisor => td_string!(locale, admin.audit.history.reasons.supervisor),
    }
}
