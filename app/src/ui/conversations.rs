//! `/conversations` (issue 17): every past chat and email the reader may read, searched by
//! words of their text, customer, queue, agent, channel, wrap-up reason, customer tag and
//! days, newest first, 25 a page. One opens read-only above the list, with its transcript
//! to download as text or PDF. Agents reach their CSQs' conversations and the ones they held last;
//! supervisors and administrators every one (the server decides). Times are UTC, as on the
//! administration's pages, so the server's page and the hydrated one read alike.

use super::{
    desktop::customer_history::past_body, identity::Identity, language::LanguagePicker,
    pager::Pager, title::PageTitle,
};
use crate::{
    api::{
        get_account, get_conversation_choices, read_conversation, search_conversations, ApiError,
    },
    domain::{
        agent::Agent,
        contact::Channel,
        conversations::{Choice, ConversationChoices, ConversationFilter},
        ids::{AgentId, ContactId, CsqId, WrapUpReasonId},
        time::{date_time_utc, time_utc},
    },
    i18n::*,
    ui::icons::ChannelIcon,
};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::{components::Redirect, lazy_route, LazyRoute};

/// `/conversations`, a chunk of the WebAssembly of its own (see the shell).
pub struct ConversationsRoute;

#[lazy_route]
impl LazyRoute for ConversationsRoute {
    fn data() -> Self {
        ConversationsRoute
    }

    /// Asked for in the chunk (see the administration's route for why).
    fn view(_this: Self) -> AnyView {
        let account = Resource::new_blocking(|| (), |_| get_account());
        view! { <ConversationsPage account /> }.into_any()
    }
}

#[component]
fn ConversationsPage(account: Resource<Result<Agent, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <PageTitle text=td_string!(locale, conversations.title) />
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, conversations.loading)}</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(agent) => EitherOf3::A(view! { <Conversations agent /> }),
                    Err(ApiError::NotLoggedIn) => EitherOf3::B(view! { <Redirect path="/login" /> }.into_any()),
                    Err(ApiError::PasswordChangeRequired) => {
                        EitherOf3::B(view! { <Redirect path="/password" /> }.into_any())
                    }
                    Err(e) => EitherOf3::C(view! {
                        <main class="centered-page">
                            <div class="card narrow" role="alert">
                                <p>{e.message(locale)}</p>
                                <a href="/conversations">{t!(i18n, conversations.title)}</a>
                            </div>
                        </main>
                    }),
                }
            })}
        </Suspense>
    }
}

/// The filters as typed, until "Search".
#[derive(Clone, Copy)]
struct Typed {
    text: RwSignal<String>,
    customer: RwSignal<String>,
    csq: RwSignal<Option<CsqId>>,
    agent: RwSignal<Option<AgentId>>,
    channel: RwSignal<Option<Channel>>,
    reason: RwSignal<Option<WrapUpReasonId>>,
    tag: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl Typed {
    fn new() -> Self {
        Typed {
            text: RwSignal::new(String::new()),
            customer: RwSignal::new(String::new()),
            csq: RwSignal::new(None),
            agent: RwSignal::new(None),
            channel: RwSignal::new(None),
            reason: RwSignal::new(None),
            tag: RwSignal::new(String::new()),
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
        }
    }

    fn filter(self) -> ConversationFilter {
        ConversationFilter {
            text: self.text.get_untracked(),
            customer: self.customer.get_untracked(),
            csq: self.csq.get_untracked(),
            agent: self.agent.get_untracked(),
            channel: self.channel.get_untracked(),
            reason: self.reason.get_untracked(),
            tag: self.tag.get_untracked(),
            from: self.from.get_untracked(),
            to: self.to.get_untracked(),
            page: 0,
        }
    }

    fn clear(self) {
        for text in [self.text, self.customer, self.tag, self.from, self.to] {
            text.set(String::new());
        }
        self.csq.set(None);
        self.agent.set(None);
        self.channel.set(None);
        self.reason.set(None);
    }
}

#[component]
fn Conversations(agent: Agent) -> impl IntoView {
    let i18n = use_i18n();
    let typed = Typed::new();
    let asked = RwSignal::new(ConversationFilter::default());
    let page = RwSignal::new(0u32);
    // Each "Search" asks again, the same filter too: conversations end all the time.
    let asking = RwSignal::new(0u32);
    let errors = RwSignal::new(Vec::<String>::new());
    let found = Resource::new(
        move || {
            let filter = ConversationFilter {
                page: page.get(),
                ..asked.get()
            };
            (filter, asking.get())
        },
        |(filter, _)| search_conversations(filter),
    );
    let choices = Resource::new(|| (), |_| get_conversation_choices());
    let opened = RwSignal::new(None::<ContactId>);
    let live = super::form::hydrated();
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let filter = typed.filter();
        match filter.validate() {
            Ok(()) => {
                errors.set(Vec::new());
                page.set(0);
                asked.set(filter);
                asking.update(|n| *n += 1);
            }
            Err(problems) => {
                let locale = i18n.get_locale_untracked();
                errors.set(problems.iter().map(|e| e.message(locale)).collect());
            }
        }
    };
    view! {
        <div class="admin conversations-page">
            <header class="topbar">
                <Identity agent />
                <span class="admin-title">{t!(i18n, conversations.title)}</span>
                <a class="topbar-link" href="/">{t!(i18n, admin.page.agent_desktop)}</a>
                <LanguagePicker class="topbar-language" />
            </header>
            <main class="admin-body conversations-body">
                <section class="card admin-section" aria-labelledby="conversations-title">
                    <h1 id="conversations-title" class="section-title">{t!(i18n, conversations.title)}</h1>
                    <p class="muted">{t!(i18n, conversations.intro)}</p>
                    <form class="filters" role="search" aria-label=move || t_string!(i18n, conversations.filters)
                        on:submit=search>
                        <fieldset class="filters-live" role="none" disabled=move || !live.get()>
                            <TextFilter id="conv-text" value=typed.text kind="search"
                                label=move || t_string!(i18n, conversations.text).to_string()
                                placeholder=move || t_string!(i18n, conversations.text_placeholder).to_string() />
                            <TextFilter id="conv-customer" value=typed.customer kind="search"
                                label=move || t_string!(i18n, conversations.customer).to_string()
                                placeholder=move || t_string!(i18n, conversations.customer_placeholder).to_string() />
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    let choices = choices.await.unwrap_or_default();
                                    view! { <ChoiceFilters typed choices /> }
                                })}
                            </Transition>
                            <TextFilter id="conv-tag" value=typed.tag kind="text"
                                label=move || t_string!(i18n, conversations.tag).to_string()
                                placeholder=move || String::new() />
                            <TextFilter id="conv-from" value=typed.from kind="date"
                                label=move || t_string!(i18n, conversations.from).to_string()
                                placeholder=move || String::new() />
                            <TextFilter id="conv-to" value=typed.to kind="date"
                                label=move || t_string!(i18n, conversations.to).to_string()
                                placeholder=move || String::new() />
                            <div class="filters-actions">
                                <button type="submit" class="primary">{t!(i18n, conversations.search)}</button>
                                <button type="button" on:click=move |_| {
                                    typed.clear();
                                    errors.set(Vec::new());
                                    page.set(0);
                                    asked.set(ConversationFilter::default());
                                }>{t!(i18n, conversations.clear)}</button>
                            </div>
                        </fieldset>
                    </form>
                    {move || {
                        let errors = errors.get();
                        (!errors.is_empty()).then(|| view! {
                            <p class="form-error" role="alert">{errors.join(" · ")}</p>
                        })
                    }}
                </section>
                <Reader opened />
                <section class="card admin-section" aria-live="polite">
                    <Transition fallback=move || view! { <p class="muted">{t!(i18n, conversations.loading)}</p> }>
                        {move || Suspend::new(async move {
                            match found.await {
                                Err(e) => view! {
                                    <p class="form-error" role="alert">{e.message(i18n.get_locale_untracked())}</p>
                                }.into_any(),
                                Ok(list) => view! { <Results list page opened /> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </main>
        </div>
    }
}

/// A labelled text, search or date input of the filters.
#[component]
fn TextFilter(
    id: &'static str,
    value: RwSignal<String>,
    kind: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] placeholder: Signal<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <input id=id type=kind autocomplete="off"
                placeholder=move || placeholder.get()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
        </div>
    }
}

/// The lists: queue, agent, channel, wrap-up reason.
#[component]
fn ChoiceFilters(typed: Typed, choices: ConversationChoices) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <IdChoice id="conv-queue" value=typed.csq choices=choices.csqs of=CsqId raw=|c| c.0
            label=move || t_string!(i18n, conversations.queue).to_string()
            every=move || t_string!(i18n, conversations.every_queue).to_string() />
        <IdChoice id="conv-agent" value=typed.agent choices=choices.agents of=AgentId raw=|a| a.0
            label=move || t_string!(i18n, conversations.agent).to_string()
            every=move || t_string!(i18n, conversations.every_agent).to_string() />
        <div class="field">
            <label for="conv-channel">{t!(i18n, conversations.channel)}</label>
            <select id="conv-channel"
                prop:value=move || typed.channel.get().map(|c| c.as_str()).unwrap_or_default()
                on:change=move |ev| typed.channel.set(Channel::parse(&event_target_value(&ev)))>
                <option value="" selected=move || typed.channel.get().is_none()>{t!(i18n, conversations.every_channel)}</option>
                {[Channel::Web, Channel::Email, Channel::Messenger, Channel::WhatsApp].into_iter().map(|c| view! {
                    <option value=c.as_str() selected=move || typed.channel.get() == Some(c)>{c.label(locale)}</option>
                }).collect_view()}
            </select>
        </div>
        <IdChoice id="conv-reason" value=typed.reason choices=choices.reasons of=WrapUpReasonId raw=|r| r.0
            label=move || t_string!(i18n, conversations.reason).to_string()
            every=move || t_string!(i18n, conversations.every_reason).to_string() />
    }
}

/// A labelled list of named ids (a queue, an agent, a reason), "every" first.
#[component]
fn IdChoice<I>(
    id: &'static str,
    value: RwSignal<Option<I>>,
    choices: Vec<Choice<I>>,
    /// The id of a value's number, and back.
    of: fn(i64) -> I,
    raw: fn(I) -> i64,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] every: Signal<String>,
) -> impl IntoView
where
    I: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            // The value as a property: "Clear" shows "every" again whatever was picked.
            <select id=id
                prop:value=move || value.get().map(|v| raw(v).to_string()).unwrap_or_default()
                on:change=move |ev| value.set(event_target_value(&ev).parse().ok().map(of))>
                <option value="" selected=move || value.get().is_none()>{move || every.get()}</option>
                {choices.into_iter().map(|c| {
                    let choice = c.id;
                    view! {
                        <option value=raw(choice).to_string() selected=move || value.get() == Some(choice)>
                            {c.name}
                        </option>
                    }
                }).collect_view()}
            </select>
        </div>
    }
}

/// The conversations found, with the pager.
#[component]
fn Results(
    list: crate::domain::conversations::ConversationPage,
    page: RwSignal<u32>,
    opened: RwSignal<Option<ContactId>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let pages = list.pages();
    let shown = list.page;
    let total = list.total;
    let empty = list.rows.is_empty();
    view! {
        <div class="table-scroll">
            <table class="users-list conversations-list">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, conversations.columns.when)}</th>
                        <th scope="col">{t!(i18n, conversations.columns.customer)}</th>
                        <th scope="col">{t!(i18n, conversations.columns.queue)}</th>
                        <th scope="col">{t!(i18n, conversations.columns.agent)}</th>
                        <th scope="col">{t!(i18n, conversations.columns.about)}</th>
                        <th scope="col">{t!(i18n, conversations.columns.wrap_up)}</th>
                        <th scope="col"><span class="visually-hidden">{t!(i18n, conversations.open)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.rows.into_iter().map(|row| {
                        let when = date_time_utc(locale, row.started_at_ms);
                        let label = td_string!(locale, conversations.open_label,
                            when = when.as_str(), customer = row.customer_name.as_str()).to_string();
                        let id = row.contact;
                        view! {
                            <tr aria-current=move || (opened.get() == Some(id)).then_some("true")>
                                <td class="nowrap">
                                    <span class="conversation-channel" title=row.channel.label(locale)>
                                        <ChannelIcon channel=row.channel />
                                    </span>
                                    " " {when}
                                </td>
                                // An erased customer has no name left.
                                <td>{if row.customer_name.is_empty() { "—".to_string() } else { row.customer_name }}</td>
                                <td>{row.csq}</td>
                                <td>{row.agent.unwrap_or_default()}</td>
                                <td class="detail">{row.about}</td>
                                <td>{row.wrap_up.join(", ")}</td>
                                <td>
                                    <button type="button" class="quiet" aria-label=label
                                        on:click=move |_| opened.set(Some(id))>
                                        {t!(i18n, conversations.open)}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {empty.then(|| view! { <p class="muted">{t!(i18n, conversations.no_match)}</p> })}
        <Pager page shown pages
            summary=move || {
                t_string!(i18n, conversations.pager.summary, page = shown + 1, pages, count = total).to_string()
            }
            label=move || t_string!(i18n, conversations.pager.label)
            back=move || t_string!(i18n, conversations.pager.newer)
            forward=move || t_string!(i18n, conversations.pager.older) />
    }
}

/// The conversation opened, read-only, with its download, until closed.
#[component]
fn Reader(opened: RwSignal<Option<ContactId>>) -> impl IntoView {
    let i18n = use_i18n();
    let read = Resource::new(
        move || opened.get(),
        |id| async move {
            match id {
                Some(id) => Some(read_conversation(id).await),
                None => None,
            }
        },
    );
    view! {
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, conversations.read.loading)}</p> }>
            {move || Suspend::new(async move {
                let locale = i18n.get_locale_untracked();
                match read.await {
                    None => ().into_any(),
                    Some(Err(e)) => view! {
                        <section class="card admin-section">
                            <p class="form-error" role="alert">{e.message(locale)}</p>
                        </section>
                    }.into_any(),
                    Some(Ok(past)) => {
                        let when = date_time_utc(locale, past.started_at_ms);
                        let title = td_string!(locale, conversations.read.title,
                            channel = past.channel.label(locale), when = when.as_str()).to_string();
                        let download = format!("/conversations/{}/transcript", past.contact.0);
                        let pdf = format!("{download}.pdf");
                        let download = format!("{download}.txt");
                        let cut = past.cut.then(|| view! {
                            <li class="line system">{t!(i18n, conversations.read.cut)}</li>
                        });
                        let body = past_body(past, locale, date_time_utc, time_utc, cut);
                        let heading = title.clone();
                        // Opened from a row far down: the reader comes into view, and a screen
                        // reader says it.
                        let focus = NodeRef::<leptos::html::H2>::new();
                        Effect::new(move |_| {
                            if let Some(h) = focus.get() {
                                let _ = h.focus();
                            }
                        });
                        view! {
                            <section class="card admin-section past-read conversation-read" aria-label=title>
                                <header class="past-head">
                                    <h2 node_ref=focus tabindex="-1">{heading}</h2>
                                    <a class="button" href=download download="">{t!(i18n, conversations.read.export_text)}</a>
                                    <a class="button" href=pdf download="">{t!(i18n, conversations.read.export_pdf)}</a>
                                    <button type="button" on:click=move |_| opened.set(None)>
                                        {t!(i18n, conversations.read.close)}
                                    </button>
                                </header>
                                {body}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
