//! `/admin`: the administrators' page (SPEC D-2). It grows a section per capability; the
//! server refuses every call from anyone who is not an administrator.

mod chat_settings;
mod unreadable_emails;
mod users;
mod wrap_up_reasons;

use super::identity::Identity;
use crate::api::{get_admin, AdminView, ApiError};
use chat_settings::ChatSettingsForm;
use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use unreadable_emails::UnreadableEmailsSection;
use users::UsersSection;
use wrap_up_reasons::WrapUpReasonsSection;

#[component]
pub fn AdminPage() -> impl IntoView {
    let admin = Resource::new_blocking(|| (), |_| get_admin());
    view! {
        <Title text="Administration · Switchboard" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the administration…"</p> }>
            {move || Suspend::new(async move {
                match admin.await {
                    Ok(view) => EitherOf4::A(view! { <Admin view /> }),
                    Err(ApiError::NotLoggedIn) => EitherOf4::B(view! { <Redirect path="/login" /> }.into_any()),
                    Err(ApiError::PasswordChangeRequired) => {
                        EitherOf4::B(view! { <Redirect path="/password" /> }.into_any())
                    }
                    Err(ApiError::Forbidden) => EitherOf4::C(view! {
                        <main class="centered-page">
                            <div class="card narrow" role="alert">
                                <h1>"Administrators only"</h1>
                                <p>"Your account cannot change the contact center's settings."</p>
                                <a href="/">"Go to the agent desktop"</a>
                            </div>
                        </main>
                    }),
                    Err(e) => EitherOf4::D(view! {
                        <main class="centered-page">
                            <div class="card narrow" role="alert">
                                <h1>"The administration could not be loaded"</h1>
                                <p>{e.to_string()}</p>
                                <a href="/admin">"Try again"</a>
                            </div>
                        </main>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Admin(view: AdminView) -> impl IntoView {
    view! {
        <div class="admin">
            <header class="topbar">
                <Identity agent=view.agent.clone() />
                <h1 class="admin-title">"Administration"</h1>
                <a class="topbar-link" href="/">"Agent desktop"</a>
            </header>
            <main class="admin-body">
                <UsersSection csqs=view.csqs.clone() me=view.agent.id />
                <ChatSettingsForm initial=view.chat_settings />
                <WrapUpReasonsSection csqs=view.csqs initial=view.wrap_up_reasons />
                <UnreadableEmailsSection emails=view.unreadable_emails />
            </main>
        </div>
    }
}
