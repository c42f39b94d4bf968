//! Webhooks (issue 17): where Switchboard posts what happens, for a CRM to follow. An
//! administrator adds one (a name, an `https://` address, the events it wants) and copies
//! its secret from the page at once: it is shown that one time. The list gives each
//! webhook's events and its deliveries waiting and failed; a webhook is edited, paused and
//! resumed, or deleted after asking. Its delivery log lists what was sent, newest first,
//! with the receiver's last answer, and sends a delivery again. The server checks every
//! rule again and audits every change.

use super::{
    super::confirm::{Confirm, ConfirmText},
    fresh_secret::{FreshSecret, SecretText},
};
use crate::{
    api::{
        list_webhooks, webhook_deliveries, ApiError, ChangeWebhook, CreateWebhook, DeleteWebhook,
        ListWebhooks, PauseWebhook, ReplayWebhookDelivery, WebhookDeliveries,
    },
    domain::{
        ids::WebhookId,
        time::date_time_utc,
        validate::{Field, FieldError},
        webhooks::{
            CreatedWebhook, DeliveryStatus, DeliverySummary, WebhookEdit, WebhookEvent,
            WebhookSummary,
        },
    },
    i18n::*,
};
use leptos::{html, prelude::*};

#[component]
pub fn WebhooksSection() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = Resource::new(|| (), |_| list_webhooks());
    view! {
        <Transition fallback=move || view! { <p class="muted">{t!(i18n, admin.webhooks.loading)}</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(hooks) => view! { <WebhooksPanel initial=hooks /> }.into_any(),
                    Err(e) => view! {
                        <p class="form-error" role="alert">{e.message(i18n.get_locale_untracked())}</p>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

/// An event as the administration names it.
fn event_label(locale: Locale, event: WebhookEvent) -> &'static str {
    match event {
        WebhookEvent::ConversationStarted => td_string!(locale, admin.webhooks.event.started),
        WebhookEvent::ConversationAssigned => td_string!(locale, admin.webhooks.event.assigned),
        WebhookEvent::ConversationMessage => td_string!(locale, admin.webhooks.event.message),
        WebhookEvent::ConversationEnded => td_string!(locale, admin.webhooks.event.ended),
        WebhookEvent::EmailReceived => td_string!(locale, admin.webhooks.event.email_received),
        WebhookEvent::EmailSent => td_string!(locale, admin.webhooks.event.email_sent),
        WebhookEvent::CustomerUpdated => td_string!(locale, admin.webhooks.event.customer_updated),
    }
}

/// The errors of one field, as a list under it.
fn field_errors(locale: Locale, errors: Memo<Vec<FieldError>>, field: Field) -> impl IntoView {
    move || {
        errors
            .get()
            .into_iter()
            .filter(|e| e.field == field)
            .map(|e| view! { <li>{e.message(locale)}</li> })
            .collect_view()
    }
}

#[component]
fn WebhooksPanel(initial: Vec<WebhookSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let hooks = RwSignal::new(initial);
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let events = RwSignal::new(WebhookEvent::ALL.to_vec());
    // The webhook the form edits; none while it adds one.
    let editing = RwSignal::new(None::<WebhookId>);
    let create = ServerAction::<CreateWebhook>::new();
    let change = ServerAction::<ChangeWebhook>::new();
    let pause = ServerAction::<PauseWebhook>::new();
    // The list's counts read again when the log is (a delivery waits, is delivered...).
    let reload = ServerAction::<ListWebhooks>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let tried = RwSignal::new(false);
    let submitted = RwSignal::new(None::<WebhookEdit>);
    let fresh = RwSignal::new(None::<CreatedWebhook>);
    let deleting = RwSignal::new(None::<WebhookSummary>);
    let log_of = RwSignal::new(None::<WebhookSummary>);
    let name_field = NodeRef::<html::Input>::new();
    let list = NodeRef::<html::Table>::new();
    let reset = move || {
        name.set(String::new());
        url.set(String::new());
        events.set(WebhookEvent::ALL.to_vec());
        editing.set(None);
        tried.set(false);
    };
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            hooks.update(|all| {
                if !all.iter().any(|h| h.id == created.webhook.id) {
                    all.push(created.webhook.clone());
                }
            });
            reset();
            fresh.set(Some(created));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(now)) = change.value().get() {
            hooks.set(now);
            reset();
        }
    });
    for action in [pause.value(), reload.value()] {
        Effect::new(move |_| {
            if let Some(Ok(now)) = action.get() {
                hooks.set(now);
            }
        });
    }
    Effect::new(move |_| {
        if let Some(Ok(now)) = delete.value().get() {
            hooks.set(now);
            if let Some(gone) = deleting.get_untracked() {
                deleting.set(None);
                if log_of.with_untracked(|l| l.as_ref().is_some_and(|l| l.id == gone.id)) {
                    log_of.set(None);
                }
                if editing.get_untracked() == Some(gone.id) {
                    reset();
                }
                if let Some(table) = list.get_untracked() {
                    let _ = table.focus();
                }
            }
        }
    });
    let asked = Memo::new(move |_| WebhookEdit {
        name: name.get(),
        url: url.get(),
        events: events.get(),
    });
    let saving = move || create.pending().get() || change.pending().get();
    let errors = Memo::new(move |_| {
        if !tried.get() {
            return Vec::new();
        }
        if let Err(local) = asked.with(|a| a.tidy().check()) {
            return local;
        }
        let answer = if editing.get().is_some() {
            change.value().get().and_then(Result::err)
        } else {
            create.value().get().and_then(|r| r.err())
        };
        match answer {
            Some(ApiError::Invalid(e)) if submitted.get() == Some(asked.get()) => e,
            _ => Vec::<FieldError>::new(),
        }
    });
    let failure = move || {
        let answer = if editing.get().is_some() {
            change.value().get().and_then(Result::err)
        } else {
            create.value().get().and_then(|r| r.err())
        };
        match answer {
            Some(e) if !matches!(e, ApiError::Invalid(_)) && !saving() => Some(
                td_string!(locale, admin.webhooks.not_saved, error = e.message(locale)).to_string(),
            ),
            _ => None,
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let webhook = asked.get_untracked();
        if webhook.tidy().check().is_ok() {
            submitted.set(Some(webhook.clone()));
            match editing.get_untracked() {
                Some(id) => {
                    change.dispatch(ChangeWebhook { id, webhook });
                }
                None => {
                    fresh.set(None);
                    create.dispatch(CreateWebhook { webhook });
                }
            }
        }
    };
    let on_edit = Callback::new(move |hook: WebhookSummary| {
        name.set(hook.name.clone());
        url.set(hook.url.clone());
        events.set(hook.events.clone());
        editing.set(Some(hook.id));
        tried.set(false);
        fresh.set(None);
        if let Some(input) = name_field.get_untracked() {
            let _ = input.focus();
        }
    });
    let invalid = move |field: Field| {
        move || {
            errors
                .with(|e| e.iter().any(|e| e.field == field))
                .to_string()
        }
    };
    view! {
        <section class="card admin-section" aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">{t!(i18n, admin.webhooks.heading)}</h2>
            <p class="muted">{t!(i18n, admin.webhooks.intro)}</p>
            <form class="webhook-form" on:submit=on_submit novalidate>
                <div class="webhook-fields">
                    <div class="field">
                        <label for="webhook-name">{t!(i18n, admin.webhooks.name)}</label>
                        <input id="webhook-name" node_ref=name_field autocomplete="off"
                            aria-invalid=invalid(Field::WebhookName)
                            aria-describedby="webhook-name-hint webhook-name-error"
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev)) />
                        <p class="hint" id="webhook-name-hint">{t!(i18n, admin.webhooks.name_hint)}</p>
                        <ul class="field-error" id="webhook-name-error">
                            {field_errors(locale, errors, Field::WebhookName)}
                        </ul>
                    </div>
                    <div class="field">
                        <label for="webhook-url">{t!(i18n, admin.webhooks.url)}</label>
                        <input id="webhook-url" type="url" autocomplete="off" spellcheck="false"
                            aria-invalid=invalid(Field::WebhookUrl)
                            aria-describedby="webhook-url-hint webhook-url-error"
                            prop:value=move || url.get()
                            on:input=move |ev| url.set(event_target_value(&ev)) />
                        <p class="hint" id="webhook-url-hint">{t!(i18n, admin.webhooks.url_hint)}</p>
                        <ul class="field-error" id="webhook-url-error">
                            {field_errors(locale, errors, Field::WebhookUrl)}
                        </ul>
                    </div>
                </div>
                <fieldset class="field webhook-events" aria-describedby="webhook-events-error">
                    <legend>{t!(i18n, admin.webhooks.events)}</legend>
                    <div class="reason-queues">
                        {WebhookEvent::ALL.into_iter().map(|event| view! {
                            <label class="chip">
                                <input type="checkbox"
                                    prop:checked=move || events.with(|e| e.contains(&event))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        events.update(|e| {
                                            e.retain(|x| *x != event);
                                            if on {
                                                e.push(event);
                                            }
                                        });
                                    } />
                                {event_label(locale, event)}
                            </label>
                        }).collect_view()}
                    </div>
                    <ul class="field-error" id="webhook-events-error">
                        {field_errors(locale, errors, Field::WebhookEvents)}
                    </ul>
                </fieldset>
                <div class="form-actions">
                    <button class="primary" type="submit" disabled=saving>
                        {move || match (editing.get().is_some(), saving()) {
                            (false, false) => t_string!(i18n, admin.webhooks.create).to_string(),
                            (false, true) => t_string!(i18n, admin.webhooks.creating).to_string(),
                            (true, false) => t_string!(i18n, admin.webhooks.save).to_string(),
                            (true, true) => t_string!(i18n, admin.webhooks.saving).to_string(),
                        }}
                    </button>
                    {move || editing.get().is_some().then(|| view! {
                        <button type="button" on:click=move |_| reset()>{t!(i18n, admin.webhooks.cancel_edit)}</button>
                    })}
                </div>
            </form>
            {move || failure().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {move || fresh.get().map(|created| {
                let name = created.webhook.name.as_str();
                let words = SecretText {
                    heading: t_string!(i18n, admin.webhooks.secret_heading, name = name).to_string(),
                    text: t_string!(i18n, admin.webhooks.secret_text).to_string(),
                    label: t_string!(i18n, admin.webhooks.secret_label, name = name).to_string(),
                    done: t_string!(i18n, admin.webhooks.done).to_string(),
                };
                view! {
                    <FreshSecret id="fresh-webhook-title" words secret=created.secret.clone()
                        on_done=Callback::new(move |()| {
                            fresh.set(None);
                            if let Some(input) = name_field.get_untracked() {
                                let _ = input.focus();
                            }
                        }) />
                }
            })}
            {move || deleting.get().map(|hook| view! { <DeleteConfirm hook deleting delete back=list /> })}
            <div class="table-scroll" hidden=move || hooks.with(Vec::is_empty)>
                <table class="users-list webhooks-list" node_ref=list tabindex="-1"
                    aria-label=move || t_string!(i18n, admin.webhooks.list_label)>
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, admin.webhooks.columns.name)}</th>
                            <th scope="col">{t!(i18n, admin.webhooks.columns.events)}</th>
                            <th scope="col">{t!(i18n, admin.webhooks.columns.deliveries)}</th>
                            <th scope="col">{t!(i18n, admin.webhooks.columns.actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || hooks.get().into_iter().map(|hook| view! {
                            <WebhookRow hook pause deleting log_of on_edit />
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {move || hooks.with(Vec::is_empty).then(|| view! { <p class="muted">{t!(i18n, admin.webhooks.none)}</p> })}
            {move || log_of.get().map(|hook| view! {
                <DeliveryLog hook log_of on_read=Callback::new(move |()| { reload.dispatch(ListWebhooks {}); }) />
            })}
        </section>
    }
}

#[component]
fn WebhookRow(
    hook: WebhookSummary,
    pause: ServerAction<PauseWebhook>,
    deleting: RwSignal<Option<WebhookSummary>>,
    log_of: RwSignal<Option<WebhookSummary>>,
    on_edit: Callback<WebhookSummary>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let id = hook.id;
    let paused = hook.paused_at_ms.is_some();
    let name = hook.name.as_str();
    let labels = (
        td_string!(locale, admin.webhooks.edit_label, name = name).to_string(),
        if paused {
            td_string!(locale, admin.webhooks.resume_label, name = name).to_string()
        } else {
            td_string!(locale, admin.webhooks.pause_label, name = name).to_string()
        },
        td_string!(locale, admin.webhooks.delete_label, name = name).to_string(),
        td_string!(locale, admin.webhooks.log_label, name = name).to_string(),
    );
    let events = hook
        .events
        .iter()
        .map(|e| event_label(locale, *e))
        .collect::<Vec<_>>()
        .join(", ");
    let counts = td_string!(
        locale,
        admin.webhooks.counts,
        waiting = hook.waiting.to_string(),
        failed = hook.failed.to_string()
    )
    .to_string();
    let (for_edit, for_delete, for_log) = (hook.clone(), hook.clone(), hook.clone());
    view! {
        <tr class:revoked=paused>
            <td>
                <span class="strong">{hook.name.clone()}</span>
                {paused.then(|| view! { " " <span class="badge">{t!(i18n, admin.webhooks.paused)}</span> })}
                <br /><span class="hint webhook-url">{hook.url.clone()}</span>
            </td>
            <td>{events}</td>
            <td class:warn={hook.failed > 0}>{counts}</td>
            <td class="row-actions">
                <button type="button" aria-label=labels.3 on:click=move |_| log_of.set(Some(for_log.clone()))>
                    {t!(i18n, admin.webhooks.log)}
                </button>
                <button type="button" aria-label=labels.0 on:click=move |_| on_edit.run(for_edit.clone())>
                    {t!(i18n, admin.webhooks.edit)}
                </button>
                <button type="button" aria-label=labels.1 disabled=move || pause.pending().get()
                    on:click=move |_| {
                        pause.dispatch(PauseWebhook { id, paused: !paused });
                    }>
                    {if paused { t_string!(i18n, admin.webhooks.resume) } else { t_string!(i18n, admin.webhooks.pause) }}
                </button>
                <button type="button" class="danger" aria-label=labels.2
                    on:click=move |_| deleting.set(Some(for_delete.clone()))>
                    {t!(i18n, admin.webhooks.delete)}
                </button>
            </td>
        </tr>
    }
}

#[component]
fn DeleteConfirm(
    hook: WebhookSummary,
    deleting: RwSignal<Option<WebhookSummary>>,
    delete: ServerAction<DeleteWebhook>,
    back: NodeRef<html::Table>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let id = hook.id;
    let words = ConfirmText {
        heading: t_string!(
            i18n,
            admin.webhooks.delete_heading,
            name = hook.name.as_str()
        )
        .to_string(),
        text: t_string!(i18n, admin.webhooks.delete_text).to_string(),
        confirm: t_string!(i18n, admin.webhooks.delete_confirm).to_string(),
        confirming: t_string!(i18n, admin.webhooks.deleting).to_string(),
        cancel: t_string!(i18n, admin.webhooks.cancel).to_string(),
    };
    let answer = Signal::derive(move || match delete.value().get() {
        Some(Err(e)) => Some(e.message(locale)),
        _ => None,
    });
    view! {
        <Confirm id="delete-webhook" words pending=delete.pending() answer
            on_confirm=Callback::new(move |()| {
                delete.dispatch(DeleteWebhook { id });
            })
            on_cancel=Callback::new(move |()| {
                deleting.set(None);
                if let Some(table) = back.get_untracked() {
                    let _ = table.focus();
                }
            }) />
    }
}

/// A webhook's deliveries, newest first, a page at a time.
#[component]
fn DeliveryLog(
    hook: WebhookSummary,
    log_of: RwSignal<Option<WebhookSummary>>,
    /// Called when the log is read again (the list's counts follow it).
    on_read: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = hook.id;
    let loaded = Resource::new(move || id, |id| webhook_deliveries(id, None));
    let heading =
        t_string!(i18n, admin.webhooks.log_heading, name = hook.name.as_str()).to_string();
    let region = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(div) = region.get() {
            let _ = div.focus();
        }
    });
    view! {
        <div class="webhook-log" role="region" aria-labelledby="webhook-log-title" tabindex="-1" node_ref=region>
            <div class="log-head">
                <h3 id="webhook-log-title">{heading}</h3>
                <button type="button" on:click=move |_| log_of.set(None)>{t!(i18n, admin.webhooks.log_close)}</button>
            </div>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, admin.webhooks.loading)}</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(rows) => view! { <LogTable id initial=rows on_read /> }.into_any(),
                        Err(e) => view! {
                            <p class="form-error" role="alert">
                                {td_string!(i18n.get_locale_untracked(), admin.webhooks.log_failed, error = e.message(i18n.get_locale_untracked())).to_string()}
                            </p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn LogTable(id: WebhookId, initial: Vec<DeliverySummary>, on_read: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    // A full first page may have more behind it.
    let more = RwSignal::new(initial.len() as u32 >= crate::domain::limits::WEBHOOK_LOG_PAGE);
    let rows = RwSignal::new(initial);
    let older = ServerAction::<WebhookDeliveries>::new();
    let refresh = ServerAction::<WebhookDeliveries>::new();
    let replay = ServerAction::<ReplayWebhookDelivery>::new();
    Effect::new(move |_| {
        if let Some(Ok(page)) = older.value().get() {
            more.set(page.len() as u32 >= crate::domain::limits::WEBHOOK_LOG_PAGE);
            rows.update(|r| {
                for d in page {
                    if !r.iter().any(|x| x.id == d.id) {
                        r.push(d);
                    }
                }
            });
        }
    });
    // The first page read again (Refresh), or as a replay left it.
    for first_page in [refresh.value(), replay.value()] {
        Effect::new(move |_| {
            if let Some(Ok(page)) = first_page.get() {
                more.set(page.len() as u32 >= crate::domain::limits::WEBHOOK_LOG_PAGE);
                rows.set(page);
                on_read.run(());
            }
        });
    }
    let failure = move || {
        [older.value().get(), refresh.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
            .or_else(|| replay.value().get().and_then(Result::err))
            .map(|e| {
                td_string!(locale, admin.webhooks.log_failed, error = e.message(locale)).to_string()
            })
    };
    view! {
        <div class="log-tools">
            <button type="button" disabled=move || refresh.pending().get()
                on:click=move |_| { refresh.dispatch(WebhookDeliveries { id, before: None }); }>
                {t!(i18n, admin.webhooks.refresh)}
            </button>
        </div>
        {move || failure().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
        <div class="table-scroll">
            <table class="users-list deliveries-list" aria-label=move || t_string!(i18n, admin.webhooks.log_label_table)>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, admin.webhooks.log_columns.made)}</th>
                        <th scope="col">{t!(i18n, admin.webhooks.log_columns.event)}</th>
                        <th scope="col">{t!(i18n, admin.webhooks.log_columns.about)}</th>
                        <th scope="col">{t!(i18n, admin.webhooks.log_columns.status)}</th>
                        <th scope="col">{t!(i18n, admin.webhooks.log_columns.answer)}</th>
                        <th scope="col">{t!(i18n, admin.webhooks.log_columns.actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || rows.get().into_iter().map(|d| view! { <DeliveryRow id delivery=d replay /> }).collect_view()}
                </tbody>
            </table>
        </div>
        {move || rows.with(Vec::is_empty).then(|| view! { <p class="muted">{t!(i18n, admin.webhooks.log_none)}</p> })}
        {move || more.get().then(|| view! {
            <button type="button" disabled=move || older.pending().get()
                on:click=move |_| {
                    let before = rows.with_untracked(|r| r.last().map(|d| d.id));
                    older.dispatch(WebhookDeliveries { id, before });
                }>
                {t!(i18n, admin.webhooks.older)}
            </button>
        })}
    }
}

#[component]
fn DeliveryRow(
    id: WebhookId,
    delivery: DeliverySummary,
    replay: ServerAction<ReplayWebhookDelivery>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let about = match delivery.subject.split_once(':') {
        Some(("conversation", n)) => {
            td_string!(locale, admin.webhooks.about_conversation, id = n).to_string()
        }
        Some(("customer", n)) => {
            td_string!(locale, admin.webhooks.about_customer, id = n).to_string()
        }
        _ => delivery.subject.clone(),
    };
    let status = match delivery.status {
        DeliveryStatus::Delivered => td_string!(
            locale,
            admin.webhooks.status_delivered,
            when = date_time_utc(
                locale,
                delivery.done_at_ms.unwrap_or(delivery.created_at_ms)
            )
        )
        .to_string(),
        DeliveryStatus::Failed => td_string!(
            locale,
            admin.webhooks.status_failed,
            when = date_time_utc(
                locale,
                delivery.done_at_ms.unwrap_or(delivery.created_at_ms)
            )
        )
        .to_string(),
        DeliveryStatus::Waiting => td_string!(
            locale,
            admin.webhooks.status_waiting,
            when = date_time_utc(locale, delivery.next_attempt_at_ms)
        )
        .to_string(),
    };
    let tries = td_string!(
        locale,
        admin.webhooks.attempts,
        n = delivery.attempts.to_string()
    )
    .to_string();
    let answer = match (&delivery.last_status, &delivery.last_error) {
        (_, Some(error)) => error.clone(),
        (Some(status), None) => format!("HTTP {status}"),
        (None, None) => "—".to_string(),
    };
    let label = td_string!(
        locale,
        admin.webhooks.replay_label,
        id = delivery.id.to_string()
    )
    .to_string();
    let number = delivery.id;
    let waiting = delivery.status == DeliveryStatus::Waiting;
    view! {
        <tr class:failed=delivery.status == DeliveryStatus::Failed>
            <td class="nowrap">{date_time_utc(locale, delivery.created_at_ms)}</td>
            <td class="nowrap"><code>{delivery.event.clone()}</code></td>
            <td class="nowrap">{about}</td>
            <td>{status}<br /><span class="hint">{tries}</span></td>
            <td class="webhook-answer">{answer}</td>
            <td class="row-actions">
                {(!waiting).then(|| view! {
                    <button type="button" aria-label=label.clone() disabled=move || replay.pending().get()
                        on:click=move |_| { replay.dispatch(ReplayWebhookDelivery { id, delivery: number }); }>
                        {t!(i18n, admin.webhooks.replay)}
                    </button>
                })}
            </td>
        </tr>
    }
}
