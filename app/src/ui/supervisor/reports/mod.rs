//! `/supervision/reports` (issue 18, D-3): a period's figures for a supervisor's CSQs,
//! counted by the server from what was stored as it happened: volume per day, per hour
//! of the day and per channel, times (average and 90th percentile), wrap-up reasons and
//! agents, with charts ([`charts`]) and each table as CSV ([`tables`]). Days are the
//! viewer's: the browser's time zone goes with each request. A chunk of the WebAssembly of
//! its own, fetched when opened.

mod charts;
mod tables;

use super::{super::identity::Identity, super::language::LanguagePicker, SupervisorsOnly};
use crate::{
    api::{get_account, get_report, ApiError},
    domain::{
        agent::Agent,
        contact::Channel,
        ids::{AgentId, CsqId},
        reports::{iso_day, Period, Report, ReportRequest},
    },
    i18n::*,
    ui::title::PageTitle,
};
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// `/supervision/reports`, a chunk of the WebAssembly of its own (see the shell).
pub struct ReportsRoute;

#[lazy_route]
impl LazyRoute for ReportsRoute {
    fn data() -> Self {
        ReportsRoute
    }

    fn view(_this: Self) -> AnyView {
        let account = Resource::new_blocking(|| (), |_| get_account());
        let i18n = use_i18n();
        view! {
            <PageTitle text=td_string!(i18n.get_locale_untracked(), supervisor.reports.title) />
            <SupervisorsOnly account page=|agent| view! { <Reports agent /> }.into_any() />
        }
        .into_any()
    }
}

/// What the filters may choose, kept from the last report while the next is counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Choices {
    csqs: Vec<(CsqId, String)>,
    agents: Vec<(AgentId, String)>,
    /// The last report's days, offered as a custom period's start.
    days: Option<(i64, i64)>,
}

#[component]
fn Reports(agent: Agent) -> impl IntoView {
    let i18n = use_i18n();
    let period = RwSignal::new(Period::Last7Days);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let csq = RwSignal::new(None::<CsqId>);
    let chosen_agent = RwSignal::new(None::<AgentId>);
    let channel = RwSignal::new(None::<Channel>);
    // The browser's time zone, known once in the browser: the server's page asks nothing.
    let zone = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if zone.get_untracked().is_empty() {
            zone.set(crate::ui::desktop::clock::browser_time_zone());
        }
    });
    let request = Memo::new(move |_| {
        let time_zone = zone.get();
        // A custom period's days count only for it (others refetch not as they change).
        let custom = period.get() == Period::Custom;
        (!time_zone.is_empty()).then(|| ReportRequest {
            period: period.get(),
            from: if custom { from.get() } else { String::new() },
            to: if custom { to.get() } else { String::new() },
            time_zone,
            csq: csq.get(),
            agent: chosen_agent.get(),
            channel: channel.get(),
        })
    });
    let report = Resource::new(
        move || request.get(),
        |request| async move {
            match request {
                None => None,
                Some(request) => Some(get_report(request).await),
            }
        },
    );
    let choices = RwSignal::new(Choices::default());
    Effect::new(move |_| {
        let next = report.with(|r| match r {
            Some(Some(Ok(r))) => Some(Choices {
                csqs: r.csqs.clone(),
                agents: r.agent_choices.clone(),
                days: Some((r.first_day, r.last_day)),
            }),
            _ => None,
        });
        // Only a change redraws the lists (and keeps what is chosen in them).
        if let Some(next) = next {
            if choices.with_untracked(|c| *c != next) {
                choices.set(next);
            }
        }
    });
    let on_period = move |ev: leptos::ev::Event| {
        let chosen = Period::parse(&event_target_value(&ev)).unwrap_or_default();
        // A custom period starts from the days shown.
        if chosen == Period::Custom && from.get_untracked().is_empty() {
            if let Some((first, last)) = choices.get_untracked().days {
                from.set(iso_day(first));
                to.set(iso_day(last));
            }
        }
        period.set(chosen);
    };
    let custom = move || period.get() == Period::Custom;
    view! {
        <div class="admin supervision-page reports-page">
            <header class="topbar">
                <Identity agent=agent.clone() />
                <span class="admin-title">{t!(i18n, supervisor.title)}</span>
                <nav class="view-switch" aria-label=move || t_string!(i18n, supervisor.views.label)>
                    <a class="topbar-link" href="/supervision">{t!(i18n, supervisor.views.board)}</a>
                    <a class="topbar-link" href="/supervision?view=wall">{t!(i18n, supervisor.views.wall)}</a>
                    <a class="topbar-link" href="/supervision/reports" aria-current="page">
                        {t!(i18n, supervisor.views.reports)}
                    </a>
                </nav>
                <a class="topbar-link push-right" href="/">{t!(i18n, admin.page.agent_desktop)}</a>
                <LanguagePicker class="topbar-language" />
            </header>
            <main class="admin-body supervision-body">
                <section class="card admin-section" aria-labelledby="report-title">
                    <h1 id="report-title" class="section-title">{t!(i18n, supervisor.reports.title)}</h1>
                    <p class="muted">{move || t_string!(i18n, supervisor.reports.intro, zone = zone.get())}</p>
                    <div class="filters" role="search" aria-label=move || t_string!(i18n, supervisor.reports.filters)>
                        <div class="field">
                            <label for="report-period">{t!(i18n, supervisor.reports.period)}</label>
                            <select id="report-period" on:change=on_period>
                                {Period::ALL.into_iter().map(|p| view! {
                                    <option value=p.as_str() selected=move || period.get() == p>
                                        {move || period_label(i18n.get_locale(), p)}
                                    </option>
                                }).collect_view()}
                            </select>
                        </div>
                        <Show when=custom>
                            <div class="field">
                                <label for="report-from">{t!(i18n, supervisor.reports.from)}</label>
                                <input id="report-from" type="date" prop:value=move || from.get()
                                    on:change=move |ev| from.set(event_target_value(&ev)) />
                            </div>
                            <div class="field">
                                <label for="report-to">{t!(i18n, supervisor.reports.to)}</label>
                                <input id="report-to" type="date" prop:value=move || to.get()
                                    on:change=move |ev| to.set(event_target_value(&ev)) />
                            </div>
                        </Show>
                        <div class="field">
                            <label for="report-csq">{t!(i18n, supervisor.reports.csq)}</label>
                            <select id="report-csq" on:change=move |ev| {
                                csq.set(event_target_value(&ev).parse().ok().map(CsqId));
                            }>
                                <option value="">{t!(i18n, supervisor.reports.every_csq)}</option>
                                {move || choices.with(|c| c.csqs.clone()).into_iter().map(|(id, name)| view! {
                                    <option value=id.0 selected=move || csq.get() == Some(id)>{name}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="report-agent">{t!(i18n, supervisor.reports.agent)}</label>
                            <select id="report-agent" on:change=move |ev| {
                                chosen_agent.set(event_target_value(&ev).parse().ok().map(AgentId));
                            }>
                                <option value="">{t!(i18n, supervisor.reports.every_agent)}</option>
                                {move || choices.with(|c| c.agents.clone()).into_iter().map(|(id, name)| view! {
                                    <option value=id.0 selected=move || chosen_agent.get() == Some(id)>{name}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="report-channel">{t!(i18n, supervisor.reports.channel)}</label>
                            <select id="report-channel" on:change=move |ev| {
                                channel.set(Channel::parse(&event_target_value(&ev)));
                            }>
                                <option value="">{t!(i18n, supervisor.reports.every_channel)}</option>
                                {Channel::ALL.into_iter().map(|c| view! {
                                    <option value=c.as_str()>{move || c.label(i18n.get_locale())}</option>
                                }).collect_view()}
                            </select>
                        </div>
                    </div>
                </section>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, supervisor.reports.loading)}</p> }>
                    {move || {
                        // The figures are said again in a language chosen meanwhile.
                        let _language = i18n.get_locale();
                        Suspend::new(async move {
                        match report.await {
                            None => view! { <p class="loading">{t!(i18n, supervisor.reports.loading)}</p> }.into_any(),
                            Some(Err(e)) => view! { <Refused error=e /> }.into_any(),
                            Some(Ok(r)) => view! { <Figures report=r /> }.into_any(),
                        }
                    })}}
                </Transition>
            </main>
        </div>
    }
}

fn period_label(locale: Locale, period: Period) -> &'static str {
    match period {
        Period::Today => td_string!(locale, supervisor.reports.periods.today),
        Period::Yesterday => td_string!(locale, supervisor.reports.periods.yesterday),
        Period::Last7Days => td_string!(locale, supervisor.reports.periods.last_7_days),
        Period::Last30Days => td_string!(locale, supervisor.reports.periods.last_30_days),
        Period::Custom => td_string!(locale, supervisor.reports.periods.custom),
    }
}

/// Why no report: each problem with its field ("To: makes the period longer than 366
/// days"), or the refusal.
#[component]
fn Refused(error: ApiError) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let lines = match error {
        ApiError::Invalid(errors) => errors.iter().map(|e| e.message(locale)).collect(),
        e => vec![e.message(locale)],
    };
    view! {
        <div class="card form-error" role="alert">
            {lines.into_iter().map(|l| view! { <p>{l}</p> }).collect_view()}
        </div>
    }
}

/// A report: its totals, charts and tables.
#[component]
fn Figures(report: Report) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let covers = td_string!(
        locale,
        supervisor.reports.covers,
        from = iso_day(report.first_day),
        to = iso_day(report.last_day)
    )
    .to_string();
    let totals = tables::totals(locale, &report.total);
    let charts = tables::charts(locale, &report);
    let tables = tables::tables(locale, &report);
    view! {
        <section class="card admin-section report-summary" aria-labelledby="report-covers">
            <h2 id="report-covers" class="section-title">{covers}</h2>
            <dl class="report-totals">
                {totals.into_iter().map(|(label, n)| view! {
                    <div><dt>{label}</dt><dd>{n}</dd></div>
                }).collect_view()}
            </dl>
        </section>
        <section class="card admin-section report-charts">
            {charts}
        </section>
        {tables.into_iter().map(|(table, empty)| view! { <tables::ReportTable table empty /> }).collect_view()}
    }
}
