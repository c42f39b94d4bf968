//! `/supervision` (issue 18, D-3): what a supervisor watches, live. The queues of the CSQs
//! given them (what waits, who can take it, today's figures) and their team (state, why
//! and since when, contacts in hand), pushed by the server as they change ([`feed`]); and
//! a wallboard (`?view=wall`), the queue figures in large numbers for a screen on the wall.
//! The chats in progress are listed ([`chats`]); one can be read live and joined
//! ([`reader`]). `/supervision/reports` counts a period ([`reports`]), a chunk of its own.
//! Administrators watch every CSQ; agents are refused (the server decides). A chunk of the
//! WebAssembly of its own, fetched when opened.

mod chats;
mod feed;
mod queues;
mod reader;
mod reports;
mod team;
mod wall;

pub use reports::ReportsRoute;

use super::{identity::Identity, language::LanguagePicker, title::PageTitle};
use crate::{
    api::{get_account, ApiError},
    domain::agent::{Agent, Role},
    i18n::*,
};
use feed::{Feed, FeedState};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_query_map, lazy_route, LazyRoute};

/// `/supervision`, a chunk of the WebAssembly of its own (see the shell).
pub struct SupervisionRoute;

#[lazy_route]
impl LazyRoute for SupervisionRoute {
    fn data() -> Self {
        SupervisionRoute
    }

    fn view(_this: Self) -> AnyView {
        let account = Resource::new_blocking(|| (), |_| get_account());
        view! { <SupervisionPage account /> }.into_any()
    }
}

#[component]
fn SupervisionPage(account: Resource<Result<Agent, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), supervisor.title) />
        <SupervisorsOnly account page=|agent| view! { <Supervision agent /> }.into_any() />
    }
}

/// `page` for a supervisor or an administrator; the login page for a stranger, a refusal
/// for an agent (the server refuses them what the page would read anyway).
#[component]
fn SupervisorsOnly(
    account: Resource<Result<Agent, ApiError>>,
    page: fn(Agent) -> AnyView,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, supervisor.loading)}</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(agent) if agent.role != Role::Agent => EitherOf3::A(page(agent)),
                    Err(ApiError::NotLoggedIn) => {
                        EitherOf3::B(view! { <Redirect path="/login" /> }.into_any())
                    }
                    Err(ApiError::PasswordChangeRequired) => {
                        EitherOf3::B(view! { <Redirect path="/password" /> }.into_any())
                    }
                    Ok(_) => EitherOf3::C(refusal(
                        td_string!(locale, system.refusal.supervisors_only).to_string(),
                    )),
                    Err(e) => EitherOf3::C(refusal(e.message(locale))),
                }
            })}
        </Suspense>
    }
}

fn refusal(text: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="centered-page">
            <div class="card narrow" role="alert">
                <p>{text}</p>
                <a href="/">{t!(i18n, admin.page.agent_desktop)}</a>
            </div>
        </main>
    }
}

#[component]
fn Supervision(agent: Agent) -> impl IntoView {
    let i18n = use_i18n();
    let feed = Feed::open();
    let query = use_query_map();
    let wall = move || query.with(|q| q.get("view").as_deref() == Some("wall"));
    // What the page shows changes only with these: not with each board, nor with a
    // reconnection (the tables keep their order, filter and open question).
    let phase = Memo::new(move |_| match feed.state.get() {
        FeedState::SignedOut => FeedState::SignedOut,
        FeedState::Forbidden => FeedState::Forbidden,
        _ => FeedState::Live,
    });
    let viewer = Viewer {
        id: agent.id,
        admin: agent.role == Role::Admin,
    };
    view! {
        <div class="admin supervision-page" class:wall-mode=wall>
            <header class="topbar">
                <Identity agent=agent.clone() />
                <span class="admin-title">{t!(i18n, supervisor.title)}</span>
                <nav class="view-switch" aria-label=move || t_string!(i18n, supervisor.views.label)>
                    <a class="topbar-link" href="/supervision" aria-current=move || (!wall()).then_some("page")>
                        {t!(i18n, supervisor.views.board)}
                    </a>
                    <a class="topbar-link" href="/supervision?view=wall" aria-current=move || wall().then_some("page")>
                        {t!(i18n, supervisor.views.wall)}
                    </a>
                    <a class="topbar-link" href="/supervision/reports">{t!(i18n, supervisor.views.reports)}</a>
                </nav>
                <FeedStatus feed />
                <a class="topbar-link" href="/">{t!(i18n, admin.page.agent_desktop)}</a>
                <LanguagePicker class="topbar-language" />
            </header>
            {move || match phase.get() {
                FeedState::SignedOut => EitherOf3::A(view! {
                    <main class="centered-page">
                        <div class="card narrow" role="alert">
                            <p>{t!(i18n, supervisor.session_ended)}</p>
                            <a href="/login">{t!(i18n, supervisor.log_in_again)}</a>
                        </div>
                    </main>
                }),
                FeedState::Forbidden => EitherOf3::B(refusal(
                    td_string!(i18n.get_locale_untracked(), system.refusal.supervisors_only)
                        .to_string(),
                )),
                _ => EitherOf3::C(view! { <Watched feed viewer wall=Signal::derive(wall) /> }),
            }}
        </div>
    }
}

/// Who watches: the team offers no action on themselves, and a supervisor none on another
/// supervisor or an administrator (the server refuses them too).
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub id: crate::domain::ids::AgentId,
    pub admin: bool,
}

/// The board, or the wallboard, once the first board came.
#[component]
fn Watched(feed: Feed, viewer: Viewer, wall: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    // Only these decide what shows; the tables follow each board themselves.
    let has_board = Memo::new(move |_| feed.board.with(|b| b.is_some()));
    // The chat being read, if any.
    let reading = RwSignal::new(None::<crate::domain::ids::ContactId>);
    let none_watched = Memo::new(move |_| {
        feed.board
            .with(|b| b.as_ref().is_some_and(|b| b.queues.is_empty()))
    });
    move || {
        let (has_board, none_watched) = (has_board.get(), none_watched.get());
        if !has_board {
            EitherOf3::A(view! { <p class="loading">{t!(i18n, supervisor.connecting)}</p> })
        } else if none_watched {
            EitherOf3::B(view! {
                <main class="admin-body supervision-body">
                    <p class="card muted">{t!(i18n, supervisor.none_watched)}</p>
                </main>
            })
        } else if wall.get() {
            EitherOf3::C(view! { <wall::Wallboard feed /> }.into_any())
        } else {
            EitherOf3::C(
                view! {
                    <main class="admin-body supervision-body">
                        <p class="muted">{t!(i18n, supervisor.intro)}</p>
                        <queues::QueueTable feed />
                        <team::TeamTable feed viewer />
                        <chats::ChatTable feed reading />
                    </main>
                    {move || reading.get().map(|id| view! {
                        <reader::ChatReader id on_close=Callback::new(move |()| reading.set(None)) />
                    })}
                }
                .into_any(),
            )
        }
    }
}

/// "Live", "Connecting…" or "Reconnecting…", announced politely.
#[component]
fn FeedStatus(feed: Feed) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="feed-status" role="status" aria-live="polite"
            class:live=move || feed.state.get() == FeedState::Live>
            {move || match feed.state.get() {
                FeedState::Live => t_string!(i18n, supervisor.live),
                FeedState::Connecting => t_string!(i18n, supervisor.connecting),
                _ => t_string!(i18n, supervisor.reconnecting),
            }}
        </span>
    }
}
