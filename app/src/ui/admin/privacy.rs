//! Customers and privacy (issue 17): the retention (how long conversations' contents are
//! kept after they end), and the customers found by name, address or number, each
//! exported as a JSON file or erased. Both lasting changes ask before they are made: a
//! shorter retention names what it will erase, an erasure names whom and how much. The
//! server checks every rule again and audits all three.

use super::{
    super::confirm::{Confirm, ConfirmText},
    unsaved::Unsaved,
};
use crate::{
    api::{find_customers, get_privacy, ApiError, EraseCustomer, SaveRetention},
    domain::{
        limits::RETENTION_DAYS,
        privacy::{CustomerQuery, CustomerSummary, Retention},
        time::date_time_utc,
        validate::FieldError,
    },
    i18n::*,
    ui::pager::Pager,
};
use leptos::{html, prelude::*};

#[component]
pub fn PrivacySection() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = Resource::new(|| (), |_| get_privacy());
    view! {
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, admin.privacy.loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(view) => view! { <RetentionForm initial=view.retention /> }.into_any(),
                    Err(e) => view! {
                        <p class="form-error" role="alert">{e.message(i18n.get_locale_untracked())}</p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
        <CustomersPanel />
    }
}

/// Whether saving `new` over `stored` erases contents kept until now.
fn shortens(new: Retention, stored: Retention) -> bool {
    match (new.days, stored.days) {
        (Some(_), None) => true,
        (Some(new), Some(old)) => new < old,
        _ => false,
    }
}

#[component]
fn RetentionForm(initial: Retention) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let typed = RwSignal::new(initial.to_field());
    let stored = RwSignal::new(initial);
    let save = ServerAction::<SaveRetention>::new();
    let tried = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let submitted = RwSignal::new(None::<Retention>);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            typed.set(saved.to_field());
            stored.set(saved);
        }
    });
    let parsed = Memo::new(move |_| {
        typed
            .with(|t| Retention::from_field(t).map_err(|e| vec![e]))
            .and_then(|r| r.validate().map(|()| r))
    });
    let dirty = Memo::new(move |_| parsed.get() != Ok(stored.get()));
    Unsaved::track("retention".into(), dirty.into());
    let errors = Memo::new(move |_| {
        if !tried.get() {
            return Vec::new();
        }
        match parsed.get() {
            Err(local) => local,
            Ok(retention) => match save.value().get() {
                Some(Err(ApiError::Invalid(e))) if submitted.get() == Some(retention) => e,
                _ => Vec::<FieldError>::new(),
            },
        }
    });
    let status = move || {
        if save.pending().get() {
            return (
                "status",
                td_string!(locale, admin.privacy.saving).to_string(),
            );
        }
        match save.value().get() {
            Some(Ok(_)) if !dirty.get() => (
                "status saved",
                td_string!(locale, admin.privacy.saved).to_string(),
            ),
            Some(Err(e)) if !matches!(e, ApiError::Invalid(_)) => (
                "status error",
                td_string!(locale, admin.privacy.not_saved, error = e.message(locale)).to_string(),
            ),
            _ => ("status", String::new()),
        }
    };
    let send = move |retention: Retention| {
        confirming.set(false);
        submitted.set(Some(retention));
        save.dispatch(SaveRetention { retention });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if let Ok(retention) = parsed.get_untracked() {
            if shortens(retention, stored.get_untracked()) {
                confirming.set(true);
            } else {
                send(retention);
            }
        }
    };
    let confirm_button = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if confirming.get() {
            if let Some(button) = confirm_button.get() {
                let _ = button.focus();
            }
        }
    });
    let invalid = move || (!errors.with(Vec::is_empty)).to_string();
    view! {
        <form class="card admin-section" on:submit=on_submit novalidate aria-labelledby="retention-title">
            <h2 id="retention-title">{t!(i18n, admin.privacy.retention_heading)}</h2>
            <p class="muted">{t!(i18n, admin.privacy.retention_intro)}</p>
            <div class="field">
                <label for="retention-days">{t!(i18n, admin.privacy.retention_days)}</label>
                <input
                    id="retention-days"
                    class="narrow-input"
                    inputmode="numeric"
                    autocomplete="off"
                    aria-invalid=invalid
                    aria-describedby="retention-hint retention-error"
                    prop:value=move || typed.get()
                    on:input=move |ev| {
                        typed.set(event_target_value(&ev));
                        confirming.set(false);
                    }
                />
                <span class="hint" id="retention-hint">
                    {t!(i18n, admin.privacy.retention_hint, min = *RETENTION_DAYS.start(), max = *RETENTION_DAYS.end())}
                </span>
                <ul class="field-error" id="retention-error">
                    {move || errors.get().into_iter().map(|e| view! { <li>{e.problem.message(locale)}</li> }).collect_view()}
                </ul>
            </div>
            <Show when=move || confirming.get()>
                <div class="confirm" role="alertdialog" aria-labelledby="retention-confirm-text">
                    <p id="retention-confirm-text">
                        {move || match parsed.get() {
                            Ok(Retention { days: Some(days) }) => {
                                t_string!(i18n, admin.privacy.confirm_retention, count = days).to_string()
                            }
                            _ => String::new(),
                        }}
                    </p>
                    <div class="confirm-actions">
                        <button type="button" class="danger" node_ref=confirm_button
                            on:click=move |_| {
                                if let Ok(retention) = parsed.get_untracked() {
                                    send(retention);
                                }
                            }>
                            {t!(i18n, admin.privacy.confirm_retention_save)}
                        </button>
                        <button type="button" on:click=move |_| confirming.set(false)>
                            {t!(i18n, admin.privacy.cancel)}
                        </button>
                    </div>
                </div>
            </Show>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || save.pending().get() || confirming.get()>
                    {t!(i18n, admin.privacy.save)}
                </button>
                <p class=move || status().0 role="status" aria-live="polite">{move || status().1}</p>
            </div>
        </form>
    }
}

#[component]
fn CustomersPanel() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let typed = RwSignal::new(String::new());
    let asked = RwSignal::new(String::new());
    let page = RwSignal::new(0u32);
    // Each search asks again, even the same one: customers come and go.
    let asking = RwSignal::new(0u32);
    let tried = RwSignal::new(false);
    let found = Resource::new(
        move || {
            (
                CustomerQuery {
                    text: asked.get(),
                    page: page.get(),
                },
                asking.get(),
            )
        },
        |(query, _)| find_customers(query),
    );
    let local = Memo::new(move |_| {
        CustomerQuery {
            text: typed.get(),
            page: 0,
        }
        .validate()
        .err()
        .unwrap_or_default()
    });
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if local.with_untracked(Vec::is_empty) {
            asked.set(typed.get_untracked().trim().to_string());
            page.set(0);
            asking.update(|n| *n += 1);
        }
    };
    // The customer an erasure is asked for, and what the last one did.
    let erasing = RwSignal::new(None::<CustomerSummary>);
    let erase = ServerAction::<EraseCustomer>::new();
    let notice = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(erased)) = erase.value().get() {
            notice.set(
                t_string!(i18n, admin.privacy.erased, count = erased.conversations).to_string(),
            );
            erasing.set(None);
            asking.update(|n| *n += 1);
        }
    });
    let search_errors = move || {
        if tried.get() {
            local.get()
        } else {
            Vec::new()
        }
    };
    view! {
        <section class="card admin-section" aria-labelledby="customers-title">
            <h2 id="customers-title">{t!(i18n, admin.privacy.customers_heading)}</h2>
            <p class="muted">{t!(i18n, admin.privacy.customers_intro)}</p>
            <form class="filters" role="search" on:submit=on_search novalidate>
                <div class="field grow">
                    <label for="customer-search">{t!(i18n, admin.privacy.search_label)}</label>
                    <input id="customer-search" type="search" autocomplete="off"
                        aria-invalid=move || (!search_errors().is_empty()).to_string()
                        aria-describedby="customer-search-error"
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <ul class="field-error" id="customer-search-error">
                        {move || search_errors().into_iter().map(|e| view! { <li>{e.message(locale)}</li> }).collect_view()}
                    </ul>
                </div>
                <div class="field">
                    <button class="primary" type="submit">{t!(i18n, admin.privacy.search)}</button>
                </div>
            </form>
            <p class="status saved customers-notice" role="status" aria-live="polite">{move || notice.get()}</p>
            {move || erasing.get().map(|customer| view! { <EraseConfirm customer erasing erase /> })}
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, admin.privacy.loading)}</p> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message(locale)}</p> }.into_any(),
                        Ok(list) => {
                            let pages = list.pages();
                            let shown = list.page;
                            let total = list.total;
                            let empty = list.rows.is_empty();
                            view! {
                                <div class="table-scroll">
                                    <table class="users-list customers-list">
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, admin.privacy.columns.customer)}</th>
                                                <th scope="col">{t!(i18n, admin.privacy.columns.conversations)}</th>
                                                <th scope="col">{t!(i18n, admin.privacy.columns.last)}</th>
                                                <th scope="col">{t!(i18n, admin.privacy.columns.actions)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list.rows.into_iter().map(|c| view! {
                                                <CustomerRow customer=c erasing notice erase />
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {empty.then(|| view! { <p class="muted">{t!(i18n, admin.privacy.no_match)}</p> })}
                                <Pager page shown pages
                                    summary=move || {
                                        t_string!(i18n, admin.privacy.pager.summary, page = shown + 1, pages, count = total)
                                            .to_string()
                                    }
                                    label=move || t_string!(i18n, admin.privacy.pager.label)
                                    back=move || t_string!(i18n, admin.privacy.pager.back)
                                    forward=move || t_string!(i18n, admin.privacy.pager.forward) />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// The name a list shows: the customer's, or that they gave none.
fn shown_name(locale: Locale, customer: &CustomerSummary) -> String {
    if customer.name.trim().is_empty() {
        td_string!(locale, admin.privacy.no_name).to_string()
    } else {
        customer.name.clone()
    }
}

#[component]
fn CustomerRow(
    customer: CustomerSummary,
    erasing: RwSignal<Option<CustomerSummary>>,
    notice: RwSignal<String>,
    erase: ServerAction<EraseCustomer>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let name = shown_name(locale, &customer);
    let export = format!("/admin/customers/{}/export.json", customer.id.0);
    let last = customer
        .last_at_ms
        .map_or_else(|| "—".to_string(), |at| date_time_utc(locale, at));
    let open = customer.open;
    // Their email address and phone number under the name, as far as they gave them.
    let addresses = [customer.email.clone(), customer.phone.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let export_label =
        td_string!(locale, admin.privacy.export_label, name = name.as_str()).to_string();
    let erase_label =
        td_string!(locale, admin.privacy.erase_label, name = name.as_str()).to_string();
    let this = customer.clone();
    view! {
        <tr>
            <td>
                <div class="strong">{name}</div>
                <div class="hint">{addresses}</div>
            </td>
            <td>
                {customer.conversations}
                {(open > 0).then(|| view! {
                    <span class="hint">" · "{t_string!(i18n, admin.privacy.open_count, count = open).to_string()}</span>
                })}
            </td>
            <td class="nowrap">{last}</td>
            <td class="row-actions">
                <a class="button" href=export download aria-label=export_label>
                    {t!(i18n, admin.privacy.export)}
                </a>
                // One erasure at a time: its answer closes the confirmation it was asked from.
                <button type="button" class="danger" aria-label=erase_label
                    disabled=move || erase.pending().get()
                    on:click=move |_| {
                        notice.set(String::new());
                        erasing.set(Some(this.clone()));
                    }>
                    {t!(i18n, admin.privacy.erase)}
                </button>
            </td>
        </tr>
    }
}

#[component]
fn EraseConfirm(
    customer: CustomerSummary,
    erasing: RwSignal<Option<CustomerSummary>>,
    erase: ServerAction<EraseCustomer>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let name = shown_name(locale, &customer);
    let id = customer.id;
    let count = customer.conversations;
    let words = ConfirmText {
        heading: t_string!(i18n, admin.privacy.erase_heading, name = name.as_str()).to_string(),
        text: t_string!(i18n, admin.privacy.erase_text, count).to_string(),
        confirm: t_string!(i18n, admin.privacy.erase_confirm).to_string(),
        confirming: t_string!(i18n, admin.privacy.erasing).to_string(),
        cancel: t_string!(i18n, admin.privacy.cancel).to_string(),
    };
    let answer = Signal::derive(move || match erase.value().get() {
        Some(Err(e)) => Some(e.message(locale)),
        _ => None,
    });
    view! {
        <Confirm id="erase" words pending=erase.pending() answer
            on_confirm=Callback::new(move |()| {
                erase.dispatch(EraseCustomer { customer: id });
            })
            on_cancel=Callback::new(move |()| erasing.set(None)) />
    }
}
