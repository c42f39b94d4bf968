//! API tokens (issue 17): the tokens programs such as a CRM call `/api/v1` with. An
//! administrator creates one (a name, read or read-and-write access) and copies its secret
//! from the page at once: it is shown that one time, the server keeping only its
//! fingerprint. The list gives each token's access, who created it and when, its last use
//! (to the minute), and revokes one after asking. The server checks every rule again and
//! audits both changes.

use super::{
    super::confirm::{Confirm, ConfirmText},
    fresh_secret::{FreshSecret, SecretText},
};
use crate::{
    api::{list_api_tokens, ApiError, CreateApiToken, RevokeApiToken},
    domain::{
        api_tokens::{ApiTokenSummary, CreatedApiToken, NewApiToken, TokenScope},
        time::date_time_utc,
        validate::FieldError,
    },
    i18n::*,
};
use leptos::{html, prelude::*};

#[component]
pub fn ApiTokensSection() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = Resource::new(|| (), |_| list_api_tokens());
    view! {
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, admin.api_tokens.loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(tokens) => view! { <TokensPanel initial=tokens /> }.into_any(),
                    Err(e) => view! {
                        <p class="form-error" role="alert">{e.message(i18n.get_locale_untracked())}</p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

fn scope_label(locale: Locale, scope: TokenScope) -> &'static str {
    match scope {
        TokenScope::Read => td_string!(locale, admin.api_tokens.scope_read),
        TokenScope::ReadWrite => td_string!(locale, admin.api_tokens.scope_read_write),
    }
}

#[component]
fn TokensPanel(initial: Vec<ApiTokenSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let tokens = RwSignal::new(initial);
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(TokenScope::Read);
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tried = RwSignal::new(false);
    let submitted = RwSignal::new(None::<NewApiToken>);
    // The token just created, whose secret the page shows until "Done".
    let fresh = RwSignal::new(None::<CreatedApiToken>);
    let revoking = RwSignal::new(None::<ApiTokenSummary>);
    // Where the focus goes back to once the secret or a confirmation closes.
    let name_field = NodeRef::<html::Input>::new();
    let list = NodeRef::<html::Table>::new();
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            tokens.update(|all| {
                if !all.iter().any(|t| t.id == created.token.id) {
                    all.insert(0, created.token.clone());
                }
            });
            name.set(String::new());
            tried.set(false);
            fresh.set(Some(created));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(now)) = revoke.value().get() {
            tokens.set(now);
            if revoking.get_untracked().is_some() {
                revoking.set(None);
                if let Some(table) = list.get_untracked() {
                    let _ = table.focus();
                }
            }
        }
    });
    let asked = Memo::new(move |_| NewApiToken {
        name: name.get(),
        scope: scope.get(),
    });
    let errors = Memo::new(move |_| {
        if !tried.get() {
            return Vec::new();
        }
        if let Err(local) = asked.with(NewApiToken::check) {
            return vec![local];
        }
        match create.value().get() {
            Some(Err(ApiError::Invalid(e))) if submitted.get() == Some(asked.get()) => e,
            _ => Vec::<FieldError>::new(),
        }
    });
    let failure = move || match create.value().get() {
        Some(Err(e)) if !matches!(e, ApiError::Invalid(_)) && !create.pending().get() => Some(
            td_string!(
                locale,
                admin.api_tokens.not_created,
                error = e.message(locale)
            )
            .to_string(),
        ),
        _ => None,
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let token = asked.get_untracked();
        if token.check().is_ok() {
            fresh.set(None);
            submitted.set(Some(token.clone()));
            create.dispatch(CreateApiToken { token });
        }
    };
    let invalid = move || (!errors.with(Vec::is_empty)).to_string();
    view! {
        <section class="card admin-section" aria-labelledby="api-tokens-title">
            <h2 id="api-tokens-title">{t!(i18n, admin.api_tokens.heading)}</h2>
            <p class="muted">{t!(i18n, admin.api_tokens.intro)}</p>
            <form class="filters" on:submit=on_submit novalidate>
                <div class="field grow">
                    <label for="api-token-name">{t!(i18n, admin.api_tokens.name)}</label>
                    <input id="api-token-name" node_ref=name_field autocomplete="off" aria-invalid=invalid
                        aria-describedby="api-token-name-hint api-token-name-error"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                    <p class="hint" id="api-token-name-hint">{t!(i18n, admin.api_tokens.name_hint)}</p>
                    <ul class="field-error" id="api-token-name-error">
                        {move || errors.get().into_iter().map(|e| view! { <li>{e.message(locale)}</li> }).collect_view()}
                    </ul>
                </div>
                <div class="field">
                    <label for="api-token-scope">{t!(i18n, admin.api_tokens.scope)}</label>
                    <select id="api-token-scope"
                        on:change=move |ev| {
                            let chosen = TokenScope::parse(&event_target_value(&ev)).unwrap_or(TokenScope::Read);
                            scope.set(chosen);
                        }>
                        {[TokenScope::Read, TokenScope::ReadWrite].into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || scope.get() == s>{scope_label(locale, s)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <button class="primary" type="submit" disabled=move || create.pending().get()>
                        {move || if create.pending().get() {
                            t_string!(i18n, admin.api_tokens.creating).to_string()
                        } else {
                            t_string!(i18n, admin.api_tokens.create).to_string()
                        }}
                    </button>
                </div>
            </form>
            {move || failure().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {move || fresh.get().map(|created| {
                let name = created.token.name.as_str();
                let words = SecretText {
                    heading: t_string!(i18n, admin.api_tokens.secret_heading, name = name).to_string(),
                    text: t_string!(i18n, admin.api_tokens.secret_text).to_string(),
                    label: t_string!(i18n, admin.api_tokens.secret_label, name = name).to_string(),
                    done: t_string!(i18n, admin.api_tokens.done).to_string(),
                };
                view! {
                    <FreshSecret id="fresh-token-title" words secret=created.secret.clone()
                        on_done=Callback::new(move |()| {
                            fresh.set(None);
                            if let Some(input) = name_field.get_untracked() {
                                let _ = input.focus();
                            }
                        }) />
                }
            })}
            {move || revoking.get().map(|token| view! { <RevokeConfirm token revoking revoke back=list /> })}
            <div class="table-scroll">
                <table class="users-list tokens-list" node_ref=list tabindex="-1"
                    aria-label=move || t_string!(i18n, admin.api_tokens.list_label)>
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, admin.api_tokens.columns.name)}</th>
                            <th scope="col">{t!(i18n, admin.api_tokens.columns.scope)}</th>
                            <th scope="col">{t!(i18n, admin.api_tokens.columns.created)}</th>
                            <th scope="col">{t!(i18n, admin.api_tokens.columns.last_used)}</th>
                            <th scope="col">{t!(i18n, admin.api_tokens.columns.actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || tokens.get().into_iter().map(|token| view! {
                            <TokenRow token revoking revoke />
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {move || tokens.with(Vec::is_empty).then(|| view! { <p class="muted">{t!(i18n, admin.api_tokens.none)}</p> })}
        </section>
    }
}

#[component]
fn TokenRow(
    token: ApiTokenSummary,
    revoking: RwSignal<Option<ApiTokenSummary>>,
    revoke: ServerAction<RevokeApiToken>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let created = td_string!(
        locale,
        admin.api_tokens.created_by,
        when = date_time_utc(locale, token.created_at_ms),
        who = token.created_by.as_str()
    )
    .to_string();
    let used = token.last_used_at_ms.map_or_else(
        || td_string!(locale, admin.api_tokens.never).to_string(),
        |at| date_time_utc(locale, at),
    );
    let label = td_string!(
        locale,
        admin.api_tokens.revoke_label,
        name = token.name.as_str()
    )
    .to_string();
    let this = token.clone();
    view! {
        <tr class:revoked=token.revoked_at_ms.is_some()>
            <td class="strong">{token.name.clone()}</td>
            <td>{scope_label(locale, token.scope)}</td>
            <td>{created}</td>
            <td class="nowrap">{used}</td>
            <td class="row-actions">
                {match token.revoked_at_ms {
                    Some(at) => view! {
                        <span class="hint">
                            {td_string!(locale, admin.api_tokens.revoked, when = date_time_utc(locale, at)).to_string()}
                        </span>
                    }.into_any(),
                    None => view! {
                        <button type="button" class="danger" aria-label=label
                            disabled=move || revoke.pending().get()
                            on:click=move |_| revoking.set(Some(this.clone()))>
                            {t!(i18n, admin.api_tokens.revoke)}
                        </button>
                    }.into_any(),
                }}
            </td>
        </tr>
    }
}

#[component]
fn RevokeConfirm(
    token: ApiTokenSummary,
    revoking: RwSignal<Option<ApiTokenSummary>>,
    revoke: ServerAction<RevokeApiToken>,
    back: NodeRef<html::Table>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let id = token.id;
    let words = ConfirmText {
        heading: t_string!(
            i18n,
            admin.api_tokens.revoke_heading,
            name = token.name.as_str()
        )
        .to_string(),
        text: t_string!(i18n, admin.api_tokens.revoke_text).to_string(),
        confirm: t_string!(i18n, admin.api_tokens.revoke_confirm).to_string(),
        confirming: t_string!(i18n, admin.api_tokens.revoking).to_string(),
        cancel: t_string!(i18n, admin.api_tokens.cancel).to_string(),
    };
    let answer = Signal::derive(move || match revoke.value().get() {
        Some(Err(e)) => Some(e.message(locale)),
        _ => None,
    });
    view! {
        <Confirm id="revoke" words pending=revoke.pending() answer
            on_confirm=Callback::new(move |()| {
                revoke.dispatch(RevokeApiToken { token: id });
            })
            on_cancel=Callback::new(move |()| {
                revoking.set(None);
                if let Some(table) = back.get_untracked() {
                    let _ = table.focus();
                }
            }) />
    }
}
