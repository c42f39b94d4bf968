//! The agent desktop: top bar, the two gadget tabs and their panels.

mod control_gadget;
mod gadget_tabs;
mod live;
mod manage_gadget;
mod model;
#[cfg(feature = "hydrate")]
mod socket;
mod state_control;
mod top_bar;

use crate::api::{get_desktop, ApiError, DesktopView};
use control_gadget::ControlGadget;
use gadget_tabs::{GadgetTab, GadgetTabs};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
pub use live::{ConnectionState, Live};
use manage_gadget::ManageGadget;
use top_bar::TopBar;

/// `/`: the desktop for a logged-in user, or a redirect to the login page.
#[component]
pub fn DesktopPage() -> impl IntoView {
    // Blocking, so the server can answer a visitor without a session with a real redirect.
    let desktop = Resource::new_blocking(|| (), |_| get_desktop());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the desktop…"</p> }>
            {move || Suspend::new(async move {
                match desktop.await {
                    Ok(view) => EitherOf3::A(view! { <Desktop view /> }),
                    Err(ApiError::NotLoggedIn) => EitherOf3::B(view! { <Redirect path="/login" /> }),
                    Err(e) => EitherOf3::C(view! {
                        <main class="centered-page">
                            <div class="card narrow" role="alert">
                                <h1>"The desktop could not be loaded"</h1>
                                <p>{e.to_string()}</p>
                                <a href="/">"Try again"</a>
                            </div>
                        </main>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Desktop(view: DesktopView) -> impl IntoView {
    let live = Live::new(view.status, view.seq, view.offers, view.contacts);
    live.connect();
    provide_context(live);
    let tab = RwSignal::new(GadgetTab::Control);
    let agent = view.agent;
    // The browser tab says the state, so an agent sees it from another tab.
    let title = move || format!("{} · Switchboard", live.status.with(|s| s.state));
    view! {
        <Title text=title />
        <div class="desktop">
            <TopBar agent=agent.clone() />
            <GadgetTabs tab />
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
