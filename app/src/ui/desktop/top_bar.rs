//! The top bar: product, who is logged in, the state control, notifications and Log out.

use super::{live::ConnectionState, state_control::StateControl, Live};
use crate::ui::identity::Identity;
use crate::{
    api::logout,
    domain::agent::{Agent, Role},
};
use leptos::prelude::*;

#[component]
pub fn TopBar(agent: Agent) -> impl IntoView {
    let live = expect_context::<Live>();
    let logging_out = RwSignal::new(false);
    let on_logout = move |_| {
        logging_out.set(true);
        leptos::task::spawn_local(async move {
            match logout().await {
                Ok(()) => {
                    #[cfg(feature = "hydrate")]
                    let _ = window().location().set_href("/login");
                }
                Err(e) => {
                    live.notice.set(Some(e.to_string()));
                    logging_out.set(false);
                }
            }
        });
    };
    let can_log_out = move || live.status.with(|s| s.can_log_out()) && !logging_out.get();
    view! {
        <header class="topbar">
            <Identity agent=agent.clone() />
            <StateControl />
            <div class="notifications" role="status" aria-live="polite">
                <ConnectionDot />
                {move || {
                    live.notice.get().map(|text| view! {
                        <span class="notice">
                            {text}
                            <button class="icon-button" aria-label="Dismiss" title="Dismiss"
                                on:click=move |_| live.notice.set(None)>"×"</button>
                        </span>
                    })
                }}
            </div>
            {(agent.role == Role::Admin).then(|| view! {
                // A new browser tab: leaving this page would end the chats in hand (S-5).
                <a class="topbar-link" href="/admin" target="_blank">"Administration"</a>
            })}
            // A new tab too: the desktop stays as it is while the password changes.
            <a class="topbar-link" href="/password" target="_blank">"Password"</a>
            <button
                class="logout"
                disabled=move || !can_log_out()
                title=move || if can_log_out() { "Log out" } else { "Switch to Not Ready to log out" }
                on:click=on_logout
            >
                "Log out"
            </button>
        </header>
    }
}

/// Shows whether the live connection is up; a lost connection is retried automatically.
#[component]
fn ConnectionDot() -> impl IntoView {
    let live = expect_context::<Live>();
    let text = move || match live.connection.get() {
        ConnectionState::Connecting => "Connecting…",
        ConnectionState::Live => "Connected",
        ConnectionState::Reconnecting => "Reconnecting…",
    };
    let class = move || match live.connection.get() {
        ConnectionState::Live => "connection live",
        _ => "connection down",
    };
    view! {
        <span class=class>
            <span class="dot" aria-hidden="true"></span>
            {text}
        </span>
    }
}
