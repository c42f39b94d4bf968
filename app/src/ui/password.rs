//! `/password`: a user chooses their own password (SPEC D-2). After a login with a password
//! someone else set (a one-time password from the command line, an administrator's reset),
//! this is the only page open to them; any user reaches it from the top bar. The page checks
//! the shared rules as the user types; the server checks them again with the current
//! password and the list of common passwords. A refused change keeps what was typed.

use super::{
    form::{FormErrors, TextField},
    title::PageTitle,
};
use crate::{
    api::{get_account, ApiError, ChangePassword, Logout},
    domain::{account::PasswordChange, agent::Agent, limits::PASSWORD_CHARS, validate::Field},
    i18n::*,
};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::{components::Redirect, lazy_route, LazyRoute};

/// `/password`, a chunk of the WebAssembly of its own (see the shell).
pub struct PasswordRoute;

#[lazy_route]
impl LazyRoute for PasswordRoute {
    fn data() -> Self {
        PasswordRoute
    }

    /// The account is asked for in the chunk (see the administration's route for why).
    fn view(_this: Self) -> AnyView {
        let account = Resource::new_blocking(|| (), |_| get_account());
        view! { <PasswordPage account /> }.into_any()
    }
}

#[component]
fn PasswordPage(account: Resource<Result<Agent, ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <PageTitle text=td_string!(locale, common.password.page_title) />
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.password.loading)}</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(agent) => EitherOf3::A(view! { <PasswordForm agent /> }),
                    Err(ApiError::NotLoggedIn) => {
                        EitherOf3::B(view! { <Redirect path="/login" /> })
                    }
                    Err(e) => EitherOf3::C(view! {
                        <main class="centered-page">
                            <div class="card narrow" role="alert">
                                <h1>{t!(i18n, common.password.load_failed)}</h1>
                                <p>{e.message(locale)}</p>
                                <a href="/password">{t!(i18n, common.password.try_again)}</a>
                            </div>
                        </main>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PasswordForm(agent: Agent) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let forced = agent.must_change_password;
    let username = agent.username.clone();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    // The fields stay disabled until the page has hydrated (see `hydrated`).
    let live = super::form::hydrated();
    let change = ServerAction::<ChangePassword>::new();
    let logout = ServerAction::<Logout>::new();
    let typed = move || PasswordChange {
        current: current.get(),
        new: new.get(),
        confirm: confirm.get(),
    };
    // The page has no common-password list: the server adds that rule.
    let local_errors = Memo::new(move |_| {
        typed()
            .validate(&username, |_| false)
            .err()
            .unwrap_or_default()
    });
    let errors = FormErrors::new(local_errors, change.value(), move || {
        typed();
    });
    let status = move || {
        if change.pending().get() {
            return td_string!(locale, common.password.changing).to_string();
        }
        match change.value().get() {
            Some(Err(ApiError::Invalid(_))) | None => String::new(),
            Some(Err(e)) => e.message(locale),
            Some(Ok(())) => td_string!(locale, common.password.changed).into(),
        }
    };
    // Changed: the desktop, with the new session the server just set; in a login window
    // opened by a framed desktop (SPEC D-1), the page that tells the frame and closes.
    let in_window =
        leptos_router::hooks::use_query_map().with_untracked(|q| q.get("window").is_some());
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            let _ = window().location().set_href(if in_window {
                crate::api::LOGIN_WINDOW_DONE
            } else {
                "/"
            });
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            let _ = window().location().set_href("/login");
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if errors.submit() {
            let PasswordChange {
                current,
                new,
                confirm,
            } = typed();
            change.dispatch(ChangePassword {
                current,
                new,
                confirm,
            });
        }
    };
    let (title, intro, current_label) = if forced {
        (
            td_string!(locale, common.password.forced_title),
            td_string!(locale, common.password.forced_intro),
            td_string!(locale, common.password.forced_current),
        )
    } else {
        (
            td_string!(locale, common.password.title),
            td_string!(locale, common.password.intro),
            td_string!(locale, common.password.current),
        )
    };
    let rules =
        td_string!(locale, common.password.rules, min = *PASSWORD_CHARS.start()).to_string();
    view! {
        <main class="centered-page">
            <form class="card narrow login-card password-card" on:submit=on_submit novalidate>
                <div class="brand-mark" aria-hidden="true">"SB"</div>
                <h1>{title}</h1>
                <p class="muted">{intro}</p>
                <p class="muted">{t!(i18n, common.password.logged_in_as)} <strong>{agent.username.clone()}</strong></p>
                <input type="text" name="username" autocomplete="username" hidden
                    value=agent.username.clone() />
                <fieldset class="until-hydrated" role="none" disabled=move || !live.get()>
                <TextField id="current-password" label=current_label kind="password"
                    autocomplete="current-password" value=current
                    error=errors.of(Field::CurrentPassword) />
                <TextField id="new-password" label=td_string!(locale, common.password.new_password) kind="password"
                    autocomplete="new-password" value=new
                    error=errors.of(Field::NewPassword) hint=rules />
                <TextField id="confirm-password" label=td_string!(locale, common.password.again) kind="password"
                    autocomplete="new-password" value=confirm
                    error=errors.of(Field::PasswordConfirm) />
                <p class="form-error" role="alert">{status}</p>
                <button class="primary" type="submit" disabled=move || change.pending().get()>
                    {t!(i18n, common.password.submit)}
                </button>
                </fieldset>
                {if forced {
                    view! {
                        <button type="button" class="link-button"
                            on:click=move |_| { logout.dispatch(Logout {}); }>
                            {t!(i18n, common.password.log_out)}
                        </button>
                    }
                    .into_any()
                } else {
                    view! { <a class="link-button" href="/">{t!(i18n, common.password.back)}</a> }.into_any()
                }}
            </form>
            // The language of every page of this user, the desktop's from its next opening.
            <super::language::LanguagePicker class="login-language" />
        </main>
    }
}
