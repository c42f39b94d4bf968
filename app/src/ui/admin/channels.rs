//! Messenger and WhatsApp (SPEC F-1, F-3, D-2): each channel with whether it takes
//! conversations and where they go, the webhook address to give Meta, and the form that
//! sets it up: the queue, the business's name and account, the verify token, the two
//! secrets (write-only: a field left empty keeps the one saved) and the Graph API's address
//! and version. "Test" reads the account through the Graph API with what is typed.

use super::{
    channel_templates::{TemplateList, TemplateRows},
    queue_select::{queue_name, QueueSelect},
    test_report::TestReport,
    unsaved::Unsaved,
};
use crate::{
    api::{ApiError, SaveMetaChannel, TestMetaChannel},
    domain::{
        channels::{MetaChannelAdmin, MetaChannelEdit},
        ids::CsqId,
        meta::MetaChannel,
        queues::CsqAdmin,
        validate::Field,
    },
    i18n::*,
    ui::form::{FormErrors, TextField},
};
use leptos::prelude::*;

#[component]
pub fn ChannelsSection(initial: Vec<MetaChannelAdmin>, csqs: Vec<CsqAdmin>) -> impl IntoView {
    let i18n = use_i18n();
    let list = RwSignal::new(initial);
    let csqs = StoredValue::new(csqs);
    // The channel whose form is open.
    let editing = RwSignal::new(None::<MetaChannel>);
    let queue_name =
        move |id: CsqId| csqs.with_value(|c| queue_name(c, id, i18n.get_locale_untracked()));
    view! {
        <section class="card admin-section" aria-labelledby="channels-title">
            <div class="section-head">
                <h2 id="channels-title">{t!(i18n, admin.sections.channels)}</h2>
            </div>
            <p class="muted">{t!(i18n, admin.channels.intro)}</p>
            <ul class="mailbox-list">
                <For each=move || list.get() key=|c| c.clone() let:channel>
                    {
                        let kind = channel.channel;
                        let name = kind.channel().label(i18n.get_locale_untracked());
                        let status = {
                            let channel = channel.clone();
                            move || {
                                if !channel.enabled && !channel.app_secret_set && channel.account_id.is_empty() {
                                    t_string!(i18n, admin.channels.not_set_up).to_string()
                                } else if channel.enabled {
                                    let queue = channel.csq.map(queue_name).unwrap_or_default();
                                    t_string!(i18n, admin.channels.on, queue = queue.as_str()).to_string()
                                } else {
                                    t_string!(i18n, admin.channels.off).to_string()
                                }
                            }
                        };
                        let edit_label = move || t_string!(i18n, admin.shared.edit_named, name).to_string();
                        let webhook = channel.webhook_path();
                        let stored = channel.clone();
                        view! {
                            <li class="mailbox-item" class:disabled=!channel.enabled data-channel=kind.name()>
                                <div class="mailbox-head">
                                    <strong>{name}</strong>
                                    <span class="muted">{channel.business_name.clone()}</span>
                                    <span class="spacer"></span>
                                    <button type="button" aria-label=edit_label
                                        disabled=move || editing.get().is_some()
                                        on:click=move |_| editing.set(Some(kind))>{t!(i18n, admin.actions.edit)}</button>
                                </div>
                                <p class="mailbox-status" class:ok=channel.enabled>{status}</p>
                                <p class="muted">{t!(i18n, admin.channels.webhook)} " " <code>{webhook}</code></p>
                                {move || (editing.get() == Some(kind)).then(|| view! {
                                    <ChannelForm stored=stored.clone() list csqs on_done=Callback::new(move |_| editing.set(None)) />
                                })}
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
}

#[component]
fn ChannelForm(
    stored: MetaChannelAdmin,
    list: RwSignal<Vec<MetaChannelAdmin>>,
    csqs: StoredValue<Vec<CsqAdmin>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let start = MetaChannelEdit::of(&stored);
    let kind = stored.channel;
    let enabled = RwSignal::new(start.enabled);
    let human_agent_tag = RwSignal::new(start.human_agent_tag);
    let csq = RwSignal::new(
        start
            .csq
            .or_else(|| csqs.with_value(|c| c.iter().find(|c| !c.retired).map(|c| c.id))),
    );
    let business_name = RwSignal::new(start.business_name.clone());
    let account_id = RwSignal::new(start.account_id.clone());
    let verify_token = RwSignal::new(start.verify_token.clone());
    let app_secret = RwSignal::new(String::new());
    let access_token = RwSignal::new(String::new());
    let graph_api_base = RwSignal::new(start.graph_api_base.clone());
    let graph_api_version = RwSignal::new(start.graph_api_version.clone());
    let templates = TemplateRows::new(&start.templates);
    let edit = move || MetaChannelEdit {
        channel: kind,
        enabled: enabled.get(),
        csq: csq.get(),
        business_name: business_name.get(),
        account_id: account_id.get(),
        verify_token: verify_token.get(),
        human_agent_tag: human_agent_tag.get(),
        templates: templates.get(),
        graph_api_base: graph_api_base.get(),
        graph_api_version: graph_api_version.get(),
        app_secret: app_secret.get(),
        access_token: access_token.get(),
    };
    let stored = StoredValue::new(stored);
    let local = Memo::new(move |_| {
        let pairs: Vec<(CsqId, bool)> =
            csqs.with_value(|c| c.iter().map(|c| (c.id, c.retired)).collect());
        stored
            .with_value(|s| edit().normalized().validate(&pairs, s))
            .err()
            .unwrap_or_default()
    });
    let save = ServerAction::<SaveMetaChannel>::new();
    let test = ServerAction::<TestMetaChannel>::new();
    let errors = FormErrors::new(local, save.value(), move || {
        let _ = edit();
    });
    let unchanged = MetaChannelEdit {
        csq: csq.get_untracked(),
        ..start.clone()
    };
    let dirty = Memo::new(move |_| edit() != unchanged);
    Unsaved::track(
        format!("channel-{}", kind.name()),
        Signal::derive(move || dirty.get()),
    );
    // What the last test found holds for what was typed then, not after a change.
    Effect::new(move |_| {
        let _ = edit();
        test.value().set(None);
    });
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            list.set(saved);
            on_done.run(());
        }
    });
    let status = move || match save.value().get() {
        Some(Err(ApiError::Invalid(_))) | None | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.message(i18n.get_locale_untracked())),
    };
    let run_test = move || {
        if errors.submit() {
            test.dispatch(TestMetaChannel { edit: edit() });
        }
    };
    let name = kind.channel().label(i18n.get_locale_untracked());
    let title = move || t_string!(i18n, admin.channels.form_title, channel = name).to_string();
    let (secret_set, token_set) = stored.with_value(|s| (s.app_secret_set, s.access_token_set));
    let saved_hint = move |set: bool| {
        move || {
            if set {
                t_string!(i18n, admin.channels.secret_saved)
            } else {
                t_string!(i18n, admin.channels.secret_needed)
            }
        }
    };
    let start_csq = start.csq;
    let account_label = move || match kind {
        MetaChannel::Messenger => t_string!(i18n, admin.channels.page_id),
        MetaChannel::WhatsApp => t_string!(i18n, admin.channels.phone_number_id),
    };
    let form_label = title;
    view! {
        <form class="user-form mailbox-form channel-form" aria-label=form_label
            on:submit=move |ev| {
                ev.prevent_default();
                if errors.submit() {
                    save.dispatch(SaveMetaChannel { edit: edit() });
                }
            }>
            <h3>{title}</h3>
            <div class="form-row">
                <QueueSelect id="channel-csq" label=move || t_string!(i18n, admin.channels.queue).to_string()
                    csqs kept=start_csq value=csq error=errors.of(Field::Csqs) />
                <TextField id="channel-business-name" label=move || t_string!(i18n, admin.channels.business_name)
                    value=business_name error=errors.of(Field::BusinessName)
                    hint=move || t_string!(i18n, admin.channels.business_name_hint) />
                <label class="check">
                    <input type="checkbox" prop:checked=move || enabled.get()
                        on:change=move |ev| enabled.set(event_target_checked(&ev)) />
                    {t!(i18n, admin.channels.enabled)}
                </label>
            </div>
            // SPEC F-3: Messenger's human-agent tag (WhatsApp has none).
            {(kind == MetaChannel::Messenger).then(|| view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || human_agent_tag.get()
                        on:change=move |ev| human_agent_tag.set(event_target_checked(&ev)) />
                    {t!(i18n, admin.channels.human_agent_tag)}
                </label>
            })}
            <fieldset class="mailbox-group">
                <legend>{t!(i18n, admin.channels.meta_app)}</legend>
                <div class="form-row">
                    <TextField id="channel-account" label=account_label value=account_id
                        error=errors.of(Field::AccountId) />
                    <TextField id="channel-verify-token" label=move || t_string!(i18n, admin.channels.verify_token)
                        value=verify_token error=errors.of(Field::VerifyToken)
                        hint=move || t_string!(i18n, admin.channels.verify_token_hint) />
                </div>
                <div class="form-row">
                    <TextField id="channel-app-secret" kind="password" autocomplete="new-password"
                        label=move || t_string!(i18n, admin.channels.app_secret)
                        value=app_secret error=errors.of(Field::AppSecret) hint=saved_hint(secret_set) />
                    <TextField id="channel-access-token" kind="password" autocomplete="new-password"
                        label=move || t_string!(i18n, admin.channels.access_token)
                        value=access_token error=errors.of(Field::AccessToken) hint=saved_hint(token_set) />
                </div>
            </fieldset>
            // SPEC F-3: WhatsApp's approved templates (Messenger has none).
            {(kind == MetaChannel::WhatsApp).then(|| view! { <TemplateList rows=templates errors /> })}
            <fieldset class="mailbox-group">
                <legend>{t!(i18n, admin.channels.graph_api)}</legend>
                <div class="form-row">
                    <TextField id="channel-graph-base" label=move || t_string!(i18n, admin.channels.graph_api_base)
                        value=graph_api_base error=errors.of(Field::GraphApiBase) />
                    <TextField id="channel-graph-version" label=move || t_string!(i18n, admin.channels.graph_api_version)
                        value=graph_api_version error=errors.of(Field::GraphApiVersion) />
                </div>
            </fieldset>
            <p class="form-error" role="alert">{status}</p>
            <TestReport label=move || t_string!(i18n, admin.channels.test_label).to_string()
                found=Signal::derive(move || test.value().get().map(|found| found.map(|outcome| vec![(None, outcome)]))) />
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || save.pending().get()>
                    {t!(i18n, admin.actions.save_changes)}
                </button>
                <button type="button" disabled=move || test.pending().get() on:click=move |_| run_test()>
                    {move || if test.pending().get() {
                        t_string!(i18n, admin.channels.testing)
                    } else {
                        t_string!(i18n, admin.channels.test)
                    }}
                </button>
                <button type="button" class="quiet" on:click=move |_| on_done.run(())>{t!(i18n, admin.actions.cancel)}</button>
            </div>
        </form>
    }
}
