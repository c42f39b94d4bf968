//! The top bar: product, who is logged in, the state control, notifications and Log out.

use super::{live::ConnectionState, state_control::StateControl, Live};
use crate::ui::identity::Identity;
use crate::{
    api::logout,
    domain::agent::{Agent, Role},
    i18n::*,
};
use leptos::prelude::*;

#[component]
pub fn TopBar(agent: Agent) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
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
                    live.notice
                        .set(Some(e.message(i18n.get_locale_untracked())));
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
                            <button
                                class="icon-button"
                                aria-label=move || t_string!(i18n, desktop.top_bar.dismiss)
                                title=move || t_string!(i18n, desktop.top_bar.dismiss)
                                on:click=move |_| live.notice.set(None)>"×"</button>
                        </span>
                    })
                }}
            </div>
            // Issue 17: past chats and emails, in a new tab (the desktop stays as it is).
            <a class="topbar-link" href="/conversations" target="_blank">
                {t!(i18n, desktop.top_bar.conversations)}
            </a>
            // Issue 18: the team and the queues live, in a new tab too.
            {(agent.role != Role::Agent).then(|| view! {
                <a class="topbar-link" href="/supervision" target="_blank">
                    {t!(i18n, desktop.top_bar.supervision)}
                </a>
            })}
            {(agent.role == Role::Admin).then(|| view! {
                // A new browser tab: leaving this page would end the chats in hand (S-5).
                <a class="topbar-link" href="/admin" target="_blank">
                    {t!(i18n, desktop.top_bar.administration)}
                </a>
            })}
            // A new tab too: the desktop stays as it is while the password changes.
            <a class="topbar-link" href="/password" target="_blank">
                {t!(i18n, desktop.top_bar.password)}
            </a>
            <button
                class="logout"
                disabled=move || !can_log_out()
                title=move || if can_log_out() {
                    t_string!(i18n, desktop.top_bar.log_out)
                } else {
                    t_string!(i18n, desktop.top_bar.log_out_not_ready_first)
                }
                on:click=on_logout
            >
                {t!(i18n, desktop.top_bar.log_out)}
            </button>
        </header>
    }
}

/// Shows whether the live connection is up; a lost connection is retried automatically.
#[component]
fn ConnectionDot() -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let text = move || match live.connection.get() {
        ConnectionState::Connecting => t_string!(i18n, desktop.top_bar.connecting),
        ConnectionState::Live => t_string!(i18n, desktop.top_bar.connected),
        ConnectionState::Reconnecting => t_string!(i18n, desktop.top_bar.reconnecting),
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
