//! `/admin/<section>`: the administrators' pages (SPEC D-2), one section at a time beside a
//! menu: Users, Queues, Pre-chat form, Canned responses, Mailboxes, Messenger and WhatsApp,
//! Chat settings, Wrap-up reasons, Host desktops,
//! Emails set aside,
//! Customers and privacy, API tokens, Webhooks, Audit.
//! Each visit to a section loads it fresh. A link that would lose unsaved changes asks in
//! the page first. The server refuses every call from anyone who is not an administrator.

mod api_tokens;
mod audit;
mod canned;
mod channel_templates;
mod channels;
mod chat_settings;
mod edit_line;
mod fresh_secret;
mod gadget_hosts;
mod hours;
mod mailboxes;
mod prechat;
mod prechat_fields;
mod privacy;
mod queue_select;
mod queues;
mod rich_field;
mod test_report;
mod unreadable_emails;
mod unsaved;
mod users;
mod webhooks;
mod wrap_up_reasons;

use super::{identity::Identity, title::PageTitle};
use crate::api::{get_admin, AdminView, ApiError};
use crate::i18n::*;
use api_tokens::ApiTokensSection;
use audit::AuditSection;
use canned::CannedSection;
use channels::ChannelsSection;
use chat_settings::ChatSettingsForm;
use gadget_hosts::GadgetHostsSection;
use hours::HoursSection;
use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_params_map, lazy_route, LazyRoute};
use mailboxes::MailboxesSection;
use prechat::PreChatSection;
use prechat_fields::PreChatFieldsSection;
use privacy::PrivacySection;
use queues::QueuesSection;
use unreadable_emails::UnreadableEmailsSection;
use unsaved::{LeaveBar, Unsaved};
use users::UsersSection;
use webhooks::WebhooksSection;
use wrap_up_reasons::WrapUpReasonsSection;

/// The sections of the administration, in the menu's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Users,
    Queues,
    Hours,
    PreChat,
    Canned,
    Mailboxes,
    Channels,
    ChatSettings,
    WrapUp,
    Gadget,
    SetAside,
    Privacy,
    ApiTokens,
    Webhooks,
    Audit,
}

impl Section {
    const ALL: [Section; 15] = [
        Section::Users,
        Section::Queues,
        Section::Hours,
        Section::PreChat,
        Section::Canned,
        Section::Mailboxes,
        Section::Channels,
        Section::ChatSettings,
        Section::WrapUp,
        Section::Gadget,
        Section::SetAside,
        Section::Privacy,
        Section::ApiTokens,
        Section::Webhooks,
        Section::Audit,
    ];

    fn slug(self) -> &'static str {
        match self {
            Section::Users => "users",
            Section::Queues => "queues",
            Section::Hours => "hours",
            Section::PreChat => "pre-chat",
            Section::Canned => "canned",
            Section::Mailboxes => "mailboxes",
            Section::Channels => "channels",
            Section::ChatSettings => "chat",
            Section::WrapUp => "wrap-up",
            Section::Gadget => "gadget",
            Section::SetAside => "set-aside",
            Section::Privacy => "privacy",
            Section::ApiTokens => "api-tokens",
            Section::Webhooks => "webhooks",
            Section::Audit => "audit",
        }
    }

    fn title(self, locale: Locale) -> &'static str {
        match self {
            Section::Users => td_string!(locale, admin.sections.users),
            Section::Queues => td_string!(locale, admin.sections.queues),
            Section::Hours => td_string!(locale, admin.sections.hours),
            Section::PreChat => td_string!(locale, admin.sections.pre_chat),
            Section::Canned => td_string!(locale, admin.sections.canned),
            Section::Mailboxes => td_string!(locale, admin.sections.mailboxes),
            Section::Channels => td_string!(locale, admin.sections.channels),
            Section::ChatSettings => td_string!(locale, admin.sections.chat_settings),
            Section::WrapUp => td_string!(locale, admin.sections.wrap_up),
            Section::Gadget => td_string!(locale, admin.sections.gadget),
            Section::SetAside => td_string!(locale, admin.sections.set_aside),
            Section::Privacy => td_string!(locale, admin.sections.privacy),
            Section::ApiTokens => td_string!(locale, admin.sections.api_tokens),
            Section::Webhooks => td_string!(locale, admin.sections.webhooks),
            Section::Audit => td_string!(locale, admin.sections.audit),
        }
    }

    /// The section an address names (`/admin` alone: Users).
    fn from_slug(slug: Option<&str>) -> Option<Section> {
        match slug {
            None | Some("") => Some(Section::Users),
            Some(s) => Section::ALL.into_iter().find(|x| x.slug() == s),
        }
    }

    fn href(self) -> String {
        format!("/admin/{}", self.slug())
    }
}

/// The administration's route. Its code is a chunk of the WebAssembly of its own
/// (`cargo leptos build --split`), fetched only when someone opens it: most pages of a
/// contact center are agents' desktops, which never need it.
pub struct AdminRoute {
    section: Memo<Option<Section>>,
}

#[lazy_route]
impl LazyRoute for AdminRoute {
    fn data() -> Self {
        let params = use_params_map();
        let section =
            Memo::new(move |_| Section::from_slug(params.read().get("section").as_deref()));
        AdminRoute { section }
    }

    /// The data is asked for here, in the chunk, not in `data` (which runs in the first
    /// load): reading an answer is compiled code for every type it holds, and the
    /// administration's types would otherwise weigh on every agent's desktop.
    fn view(this: Self) -> AnyView {
        let section = this.section;
        // Loaded again at each section: what another administrator changed meanwhile shows.
        let admin = Resource::new_blocking(move || section.get(), |_| get_admin());
        view! { <AdminPage section admin /> }.into_any()
    }
}

#[component]
fn AdminPage(
    section: Memo<Option<Section>>,
    admin: Resource<Result<AdminView, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, admin.page.loading)}</p> }>
            {move || Suspend::new(async move {
                match admin.await {
                    Ok(view) => EitherOf4::A(view! { <Admin view section=section.get_untracked() /> }),
                    Err(ApiError::NotLoggedIn) => EitherOf4::B(view! { <Redirect path="/login" /> }.into_any()),
                    Err(ApiError::PasswordChangeRequired) => {
                        EitherOf4::B(view! { <Redirect path="/password" /> }.into_any())
                    }
                    Err(ApiError::Forbidden) => EitherOf4::C(view! {
                        <PageTitle text=move || t_string!(i18n, admin.page.title) />
                        <main class="centered-page">
                            <div class="card narrow" role="alert">
                                <h1>{t!(i18n, admin.page.forbidden_heading)}</h1>
                                <p>{t!(i18n, admin.page.forbidden_text)}</p>
                                <a href="/">{t!(i18n, admin.page.go_to_desktop)}</a>
                            </div>
                        </main>
                    }),
                    Err(e) => EitherOf4::D(view! {
                        <PageTitle text=move || t_string!(i18n, admin.page.title) />
                        <main class="centered-page">
                            <div class="card narrow" role="alert">
                                <h1>{t!(i18n, admin.page.load_failed)}</h1>
                                <p>{e.message(i18n.get_locale_untracked())}</p>
                                <a href="/admin">{t!(i18n, admin.page.try_again)}</a>
                            </div>
                        </main>
                    }),
                }
            })}
        </Transition>
    }
}

#[component]
fn Admin(view: AdminView, section: Option<Section>) -> impl IntoView {
    let i18n = use_i18n();
    let unsaved = Unsaved::provide();
    let title = move || match section {
        Some(s) => t_string!(
            i18n,
            admin.page.section_title,
            section = s.title(i18n.get_locale())
        )
        .to_string(),
        None => t_string!(i18n, admin.page.title).to_string(),
    };
    let me = view.agent.id;
    // The sections' controls stay disabled until the page has hydrated (see `hydrated`).
    let live = super::form::hydrated();
    let queues = RwSignal::new(view.queues.clone());
    let content = match section {
        Some(Section::Users) => view! { <UsersSection csqs=view.csqs.clone() me /> }.into_any(),
        Some(Section::Queues) => view! { <QueuesSection view=queues /> }.into_any(),
        Some(Section::Hours) => view! { <HoursSection view=queues /> }.into_any(),
        Some(Section::PreChat) => view! {
            <PreChatSection view=queues />
            <PreChatFieldsSection initial=view.prechat_fields.clone() />
        }
        .into_any(),
        Some(Section::Canned) => view! {
            <CannedSection initial=view.canned.clone() csqs=view.queues.csqs.clone() />
        }
        .into_any(),
        Some(Section::Mailboxes) => view! {
            <MailboxesSection initial=view.mailboxes.clone() csqs=view.queues.csqs.clone() />
        }
        .into_any(),
        Some(Section::Channels) => view! {
            <ChannelsSection initial=view.meta_channels.clone() csqs=view.queues.csqs.clone() />
        }
        .into_any(),
        Some(Section::ChatSettings) => {
            view! { <ChatSettingsForm initial=view.chat_settings.clone() /> }.into_any()
        }
        Some(Section::WrapUp) => view! {
            <WrapUpReasonsSection csqs=view.csqs.clone() initial=view.wrap_up_reasons.clone() />
        }
        .into_any(),
        Some(Section::Gadget) => {
            view! { <GadgetHostsSection initial=view.gadget_hosts.clone() /> }.into_any()
        }
        Some(Section::Audit) => view! { <AuditSection /> }.into_any(),
        Some(Section::Privacy) => view! { <PrivacySection /> }.into_any(),
        Some(Section::ApiTokens) => view! { <ApiTokensSection /> }.into_any(),
        Some(Section::Webhooks) => view! { <WebhooksSection /> }.into_any(),
        Some(Section::SetAside) => {
            view! { <UnreadableEmailsSection emails=view.unreadable_emails.clone() /> }.into_any()
        }
        None => view! {
            <section class="card admin-section" role="alert">
                <h2>{t!(i18n, admin.page.no_section_heading)}</h2>
                <p>{t!(i18n, admin.page.no_section_text)}</p>
            </section>
        }
        .into_any(),
    };
    view! {
        <PageTitle text=title />
        <div class="admin">
            <header class="topbar">
                <Identity agent=view.agent.clone() />
                <span class="admin-title">{t!(i18n, admin.page.administration)}</span>
                <a class="topbar-link" href="/conversations" on:click=move |ev| unsaved.follow(ev, "/conversations")>
                    {t!(i18n, admin.page.conversations)}
                </a>
                <a class="topbar-link" href="/" on:click=move |ev| unsaved.follow(ev, "/")>
                    {t!(i18n, admin.page.agent_desktop)}
                </a>
                <super::language::LanguagePicker class="topbar-language" />
            </header>
            <div class="admin-layout">
                <nav class="admin-nav" aria-label=move || t_string!(i18n, admin.page.administration)>
                    <ul>
                        {Section::ALL.into_iter().map(|s| {
                            let href = s.href();
                            let target = href.clone();
                            view! {
                                <li>
                                    <a href=href
                                        aria-current=(section == Some(s)).then_some("page")
                                        on:click=move |ev| unsaved.follow(ev, &target)>
                                        {move || s.title(i18n.get_locale())}
                                    </a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </nav>
                <main class="admin-body">
                    <LeaveBar />
                    <fieldset class="admin-live" role="none" disabled=move || !live.get()>
                        {content}
                    </fieldset>
                </main>
            </div>
        </div>
    }
}
