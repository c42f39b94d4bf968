//! The agent desktop: top bar, the two gadget tabs and their panels.

mod chat_panel;
pub(crate) mod clock;
mod composer;
mod contact_tabs;
mod control_gadget;
mod customer_about;
pub(crate) mod customer_history;
mod customer_link;
mod email_actions;
mod email_panel;
mod gadget_tabs;
mod host;
mod invite;
mod leaving;
mod line_files;
mod live;
mod manage_gadget;
mod model;
mod offers;
mod reply;
mod shortcuts;
#[cfg(feature = "hydrate")]
mod socket;
mod sound;
mod state_control;
mod template_picker;
mod top_bar;
mod wrap_up;

use super::title::{PageTitle, DEFAULT_TITLE};
use crate::{
    api::{get_desktop, ApiError, DesktopView},
    domain::{csq::Csq, language::number},
    i18n::*,
};
use clock::Clock;
use composer::CannedChat;
use control_gadget::ControlGadget;
use gadget_tabs::{GadgetTab, GadgetTabs};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::components::Redirect;
pub use live::{ConnectionState, Live};
use manage_gadget::ManageGadget;
use model::Cue;
use offers::OfferNotifications;
use top_bar::TopBar;

/// `/`: the desktop for a logged-in user, or a redirect to the login page.
#[component]
pub fn DesktopPage() -> impl IntoView {
    // Blocking, so the server can answer a visitor without a session with a real redirect.
    let desktop = Resource::new_blocking(|| (), |_| get_desktop());
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, desktop.page.loading)}</p> }>
            {move || Suspend::new(async move {
                match desktop.await {
                    Ok(view) => EitherOf3::A(view! { <Desktop view /> }),
                    Err(ApiError::NotLoggedIn) => EitherOf3::B(view! { <Redirect path="/login" /> }.into_any()),
                    // A password someone else set: the user chooses their own first.
                    Err(ApiError::PasswordChangeRequired) => {
                        EitherOf3::B(view! { <Redirect path="/password" /> }.into_any())
                    }
                    Err(e) => EitherOf3::C(view! {
                        <PageTitle text=DEFAULT_TITLE />
                        <main class="centered-page">
                            <div class="card narrow" role="alert">
                                <h1>{t!(i18n, desktop.page.load_failed)}</h1>
                                <p>{e.message(i18n.get_locale_untracked())}</p>
                                <a href="/">{t!(i18n, desktop.page.try_again)}</a>
                            </div>
                        </main>
                    }),
                }
            })}
        </Suspense>
    }
}

/// Every CSQ by name: where an email can be requeued (SPEC Q-1).
#[derive(Clone)]
pub struct Queues(pub Vec<Csq>);

#[component]
fn Desktop(view: DesktopView) -> impl IntoView {
    let live = Live::new(view.status, view.seq, view.work);
    live.connect();
    provide_context(live);
    provide_context(Clock::new(view.now_ms));
    provide_context(CannedChat(view.canned));
    provide_context(template_picker::WhatsAppTemplates(view.whatsapp_templates));
    provide_context(Queues(view.csqs));
    provide_context(reply::CannedEmail(view.canned_email));
    provide_context(reply::AutosaveSecs(view.draft_autosave_secs));
    provide_context(reply::Drafting(RwSignal::new(Default::default())));
    provide_context(invite::PaneCode::fetch());
    provide_context(wrap_up::PaneCode::fetch());
    let tab = RwSignal::new(GadgetTab::Control);
    // The email notification's "Open" switches gadgets too.
    provide_context(tab);
    let agent = view.agent;
    host::connect(live, view.gadget_hosts);
    shortcuts::listen(live, tab);
    sound::arm();
    leaving::watch(live);
    // SPEC O-3, C-3: sounds, and the Manage gadget for a newly accepted chat.
    Effect::new(move |_| match live.cue.get() {
        Some((_, Cue::NewOffer)) => sound::offer(),
        Some((_, Cue::MessageElsewhere)) => sound::message(),
        Some((_, Cue::Accepted(_))) => tab.set(GadgetTab::Manage),
        // SPEC E-1: announced by its notification and a soft sound, nothing switches.
        Some((_, Cue::EmailArrived(_))) => sound::message(),
        None => {}
    });
    // The browser tab says the state and the unread count, seen from any other tab.
    let locale = use_i18n().get_locale_untracked();
    let title = move || {
        let state = live.status.with(|s| s.state);
        match live.model.with(|m| m.unread_elsewhere()) {
            0 => td_string!(locale, desktop.page.title, state = state.label(locale)).to_string(),
            n => td_string!(
                locale,
                desktop.page.title_unread,
                unread = number(locale, n as u64),
                state = state.label(locale)
            )
            .to_string(),
        }
    };
    view! {
        <PageTitle text=title />
        <div class="desktop">
            <TopBar agent=agent.clone() />
            <GadgetTabs tab />
            <OfferNotifications />
            <p class="visually-hidden" aria-live="polite" data-testid="announcer">
                {move || live.announcement.get()}
            </p>
            <main class="gadget-body">
                <section
                    id="gadget-control"
                    role="tabpanel"
                    aria-labelledby="tab-control"
                    hidden=move || tab.get() != GadgetTab::Control
                >
                    <ControlGadget agent />
                </section>
                <section
                    id="gadget-manage"
                    role="tabpanel"
                    aria-labelledby="tab-manage"
                    hidden=move || tab.get() != GadgetTab::Manage
                >
                    <ManageGadget />
                </section>
            </main>
        </div>
    }
}
