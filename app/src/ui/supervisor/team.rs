//! The team table: each agent of the watched CSQs, with their state (why and since when,
//! the "Chat not accepted" badge), contacts in hand against their maxima, and the contact
//! held longest. Sorted by a column's button, filtered by CSQ. Each logged-in agent can be
//! set Not Ready, or logged out after a question (the server checks and audits both).

use super::{feed::Feed, Viewer};
use crate::{
    api::supervise_agent,
    domain::{
        agent::Role,
        contact::Channel,
        ids::{AgentId, CsqId},
        state::{AgentState, StateReason},
        supervision::{team_view, SupervisorAction, TeamMember, TeamOrder},
    },
    i18n::*,
    ui::{
        confirm::{Confirm, ConfirmText},
        desktop::clock::elapsed,
        icons::ChannelIcon,
    },
};
use leptos::prelude::*;

#[component]
pub fn TeamTable(feed: Feed, viewer: Viewer) -> impl IntoView {
    let i18n = use_i18n();
    let order = RwSignal::new(TeamOrder::Name);
    let csq = RwSignal::new(None::<CsqId>);
    let csqs = Memo::new(move |_| {
        feed.board.with(|b| {
            b.as_ref()
                .map(|b| {
                    b.queues
                        .iter()
                        .map(|q| (q.id, q.name.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let shown = Memo::new(move |_| {
        feed.board.with(|b| {
            b.as_ref()
                .map(|b| team_view(&b.agents, csq.get(), order.get()))
                .unwrap_or_default()
        })
    });
    // An action under way, the server's refusal of the last one, and the agent (id, name)
    // whose logout is being asked about.
    let acting = RwSignal::new(false);
    let refusal = RwSignal::new(None::<String>);
    let logging_out = RwSignal::new(None::<(AgentId, String)>);
    let act = move |agent: AgentId, action: SupervisorAction| {
        acting.set(true);
        refusal.set(None);
        leptos::task::spawn_local(async move {
            let result = supervise_agent(agent, action).await;
            acting.set(false);
            match result {
                Ok(()) => logging_out.set(None),
                Err(e) => refusal.set(Some(e.message(i18n.get_locale_untracked()))),
            }
        });
    };
    let on_not_ready = Callback::new(move |agent: AgentId| act(agent, SupervisorAction::NotReady));
    let on_log_out = Callback::new(move |asked: (AgentId, String)| {
        refusal.set(None);
        logging_out.set(Some(asked));
    });
    let names = move |ids: &[CsqId]| {
        csqs.with(|all| {
            all.iter()
                .filter(|(id, _)| ids.contains(id))
                .map(|(_, name)| name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    view! {
        <section class="card admin-section" aria-labelledby="team-title">
            <header class="section-head">
                <h1 id="team-title" class="section-title">{t!(i18n, supervisor.team.heading)}</h1>
                <span class="inline-field">
                    <label for="team-csq">{t!(i18n, supervisor.team.filter)}</label>
                    <select id="team-csq" on:change=move |ev| {
                        csq.set(event_target_value(&ev).parse::<i64>().ok().map(CsqId))
                    }>
                        <option value="" selected=move || csq.get().is_none()>
                            {t!(i18n, supervisor.team.all_csqs)}
                        </option>
                        {move || csqs.get().into_iter().map(|(id, name)| view! {
                            <option value=id.0 selected=move || csq.get() == Some(id)>{name}</option>
                        }).collect_view()}
                    </select>
                </span>
            </header>
            {move || logging_out.get().map(|(agent, name)| {
                let locale = i18n.get_locale_untracked();
                let words = ConfirmText {
                    heading: td_string!(locale, supervisor.team.log_out_heading, name = name.clone()).to_string(),
                    text: td_string!(locale, supervisor.team.log_out_text).to_string(),
                    confirm: td_string!(locale, supervisor.team.log_out).to_string(),
                    confirming: td_string!(locale, supervisor.team.logging_out).to_string(),
                    cancel: td_string!(locale, supervisor.team.cancel).to_string(),
                };
                view! {
                    <Confirm id="log-out" words pending=acting answer=refusal
                        on_confirm=Callback::new(move |()| act(agent, SupervisorAction::LogOut))
                        on_cancel=Callback::new(move |()| logging_out.set(None)) />
                }
            })}
            {move || (logging_out.with(|l| l.is_none())).then(|| refusal.get()).flatten().map(|text| view! {
                <p class="form-error" role="alert">{text}</p>
            })}
            <div class="table-scroll">
                <table class="figures team-figures">
                    <thead>
                        <tr>
                            <SortHeader order by=TeamOrder::Name
                                label=Signal::derive(move || t_string!(i18n, supervisor.team.agent).to_string()) />
                            <SortHeader order by=TeamOrder::State
                                label=Signal::derive(move || t_string!(i18n, supervisor.team.state).to_string()) />
                            <SortHeader order by=TeamOrder::TimeInState
                                label=Signal::derive(move || t_string!(i18n, supervisor.team.time_in_state).to_string()) />
                            <SortHeader order by=TeamOrder::Load
                                label=Signal::derive(move || t_string!(i18n, supervisor.team.in_hand).to_string()) />
                            <th scope="col">{t!(i18n, supervisor.team.longest_contact)}</th>
                            <th scope="col">{t!(i18n, supervisor.team.csqs)}</th>
                            <th scope="col">{t!(i18n, supervisor.team.actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        // Keyed by the whole row: a row is made again only when it changed,
                        // so the others keep their focus.
                        <For each=move || shown.get() key=|member| member.clone() let:member>
                            {
                                let csq_names = names(&member.csqs);
                                let may_act = member.id != viewer.id
                                    && (viewer.admin || member.role == Role::Agent);
                                view! {
                                    <MemberRow member csq_names feed may_act busy=acting.into() on_not_ready on_log_out />
                                }
                            }
                        </For>
                        {move || shown.with(|team| team.is_empty()).then(|| view! {
                            <tr><td colspan="7" class="muted">{t!(i18n, supervisor.team.empty)}</td></tr>
                        })}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// A column heading that sorts the team by it.
#[component]
fn SortHeader(order: RwSignal<TeamOrder>, by: TeamOrder, label: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let sorted = move || order.get() == by;
    view! {
        <th scope="col" aria-sort=move || if sorted() { "ascending" } else { "none" }>
            <button type="button" class="sort" class:sorted=sorted
                title=move || t_string!(i18n, supervisor.team.sort_by, column = label.get()).to_string()
                on:click=move |_| order.set(by)>
                {move || label.get()}
            </button>
        </th>
    }
}

#[component]
fn MemberRow(
    member: TeamMember,
    csq_names: String,
    feed: Feed,
    /// Whether the viewer may act on this member.
    may_act: bool,
    busy: Signal<bool>,
    on_not_ready: Callback<AgentId>,
    on_log_out: Callback<(AgentId, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let state_class = match member.state {
        AgentState::LoggedOut => "state-pill logged-out",
        AgentState::NotReady => "state-pill not-ready",
        AgentState::Ready => "state-pill ready",
        AgentState::Reserved => "state-pill reserved",
    };
    let since = member.since_ms;
    let oldest = member.oldest_contact_ms;
    let logged_in = member.state != AgentState::LoggedOut;
    let chats_full = member.max_chats > 0 && member.chats >= member.max_chats;
    let emails_full = member.max_emails > 0 && member.emails >= member.max_emails;
    // Not Ready is offered while it would change something.
    let may_set_not_ready = may_act
        && match member.state {
            AgentState::Ready => true,
            AgentState::Reserved => !member.not_ready_pending,
            AgentState::NotReady | AgentState::LoggedOut => false,
        };
    let may_log_out = may_act && logged_in;
    let (id, name) = (member.id, member.display_name.clone());
    let not_ready_label = td_string!(
        locale,
        supervisor.team.set_not_ready_label,
        name = name.clone()
    )
    .to_string();
    let log_out_label =
        td_string!(locale, supervisor.team.log_out_label, name = name.clone()).to_string();
    let chats_title = td_string!(locale, supervisor.team.chats).to_string();
    let emails_title = td_string!(locale, supervisor.team.emails).to_string();
    view! {
        <tr data-agent=member.id.0 class:logged-out=!logged_in>
            <th scope="row">
                <span class="member-name">{member.display_name.clone()}</span>
                <span class="muted member-username">{member.username.clone()}</span>
            </th>
            <td>
                <span class=state_class>{member.state.label(locale)}</span>
                {member.reason.map(|r| view! { <span class="muted state-why">{reason_label(locale, r)}</span> })}
                {member.badge.map(|b| view! { <span class="badge warning">{b.label(locale)}</span> })}
                {member.not_ready_pending.then(|| view! {
                    <span class="muted state-why">{t!(i18n, supervisor.team.not_ready_next)}</span>
                })}
            </td>
            <td class="number">
                {move || since.filter(|_| logged_in).map(|s| elapsed(s, feed.now_ms.get()))}
            </td>
            <td class="number in-hand">
                <span class="by-channel" class:full=chats_full>
                    <ChannelIcon channel=Channel::Web tooltip=chats_title />
                    {format!("{}/{}", member.chats, member.max_chats)}
                </span>
                <span class="by-channel" class:full=emails_full>
                    <ChannelIcon channel=Channel::Email tooltip=emails_title />
                    {format!("{}/{}", member.emails, member.max_emails)}
                </span>
            </td>
            <td class="number">{move || oldest.map(|at| elapsed(at, feed.now_ms.get()))}</td>
            <td>{csq_names}</td>
            <td class="row-actions">
                {may_set_not_ready.then(|| view! {
                    <button type="button" disabled=busy aria-label=not_ready_label
                        on:click=move |_| on_not_ready.run(id)>
                        {t!(i18n, supervisor.team.set_not_ready)}
                    </button>
                })}
                {may_log_out.then(|| view! {
                    <button type="button" disabled=busy aria-label=log_out_label
                        on:click=move |_| on_log_out.run((id, name.clone()))>
                        {t!(i18n, supervisor.team.log_out)}
                    </button>
                })}
            </td>
        </tr>
    }
}

/// Why the agent's state began (SPEC S-6), as the team table says it.
fn reason_label(locale: Locale, reason: StateReason) -> &'static str {
    match reason {
        StateReason::Login => td_string!(locale, supervisor.team.reasons.login),
        StateReason::AgentRequest => td_string!(locale, supervisor.team.reasons.agent_request),
        StateReason::ContactAccepted => {
            td_string!(locale, supervisor.team.reasons.contact_accepted)
        }
        StateReason::ContactEnded => td_string!(locale, supervisor.team.reasons.contact_ended),
        StateReason::OfferNotAccepted => {
            td_string!(locale, supervisor.team.reasons.offer_not_accepted)
        }
        StateReason::PageClosed => td_string!(locale, supervisor.team.reasons.page_closed),
        StateReason::Logout => td_string!(locale, supervisor.team.reasons.logout),
        StateReason::Supervisor => td_string!(locale, supervisor.team.reasons.supervisor),
    }
}
