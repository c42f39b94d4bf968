//! Mailboxes (SPEC E-1, R-5, R-7, D-2): the list with what each connector last reported,
//! and the form that creates or changes one: the IMAP server read and its folder, the
//! queue its emails go to, the SMTP server replies leave through, the sender and the
//! signature. "Test connection" logs in to both servers with what is typed and says what
//! each answered. Passwords are write-only: a field left empty keeps the one saved.

use super::{
    queue_select::{queue_name, QueueSelect},
    rich_field::RichField,
    test_report::TestReport,
    unsaved::Unsaved,
};
use crate::{
    api::{ApiError, MailboxTest, SaveMailbox, TestMailbox},
    domain::{
        ids::CsqId,
        mailboxes::{ConnectorStatus, MailboxAdmin, MailboxEdit, Security, Server},
        queues::CsqAdmin,
        validate::{Field, FieldError, Problem},
    },
    i18n::*,
    ui::form::{FormErrors, TextField},
};
use leptos::prelude::*;

#[component]
pub fn MailboxesSection(initial: Vec<MailboxAdmin>, csqs: Vec<CsqAdmin>) -> impl IntoView {
    let i18n = use_i18n();
    let list = RwSignal::new(initial);
    let csqs = StoredValue::new(csqs);
    // The form shown: a new mailbox (None inside) or the one being changed.
    let editing = RwSignal::new(None::<Option<MailboxAdmin>>);
    // A connector just started reports in a moment: the list asks again until none is
    // still connecting.
    #[cfg(feature = "hydrate")]
    let asked = StoredValue::new(0u32);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let connecting = list.with(|l| {
            l.iter()
                .any(|m| m.status == Some(ConnectorStatus::Connecting))
        });
        // A server that never answers is reported by the connector within 30 s.
        if connecting && asked.get_value() < 40 {
            asked.update_value(|n| *n += 1);
            leptos::task::spawn_local(async move {
                gloo_timers::future::TimeoutFuture::new(1_000).await;
                if let Ok(now) = crate::api::get_mailboxes().await {
                    list.set(now);
                }
            });
        }
    });
    let queue_name =
        move |id: CsqId| csqs.with_value(|c| queue_name(c, id, i18n.get_locale_untracked()));
    view! {
        <section class="card admin-section" aria-labelledby="mailboxes-title">
            <div class="section-head">
                <h2 id="mailboxes-title">{t!(i18n, admin.sections.mailboxes)}</h2>
                <button type="button" class="primary" disabled=move || editing.get().is_some()
                    on:click=move |_| editing.set(Some(None))>{t!(i18n, admin.mailboxes.new_mailbox)}</button>
            </div>
            <p class="muted">{t!(i18n, admin.mailboxes.intro)}</p>
            {move || editing.get().map(|stored| view! {
                <MailboxForm stored list csqs on_done=Callback::new(move |_| editing.set(None)) />
            })}
            <Show when=move || list.with(Vec::is_empty)>
                <p class="muted">{t!(i18n, admin.mailboxes.empty)}</p>
            </Show>
            <ul class="mailbox-list">
                <For each=move || list.get() key=|m| (m.id, m.name.clone(), m.status.clone(), m.enabled, m.address.clone(), m.csq) let:mailbox>
                    {
                        let name = mailbox.name.clone();
                        let connected = mailbox.status == Some(ConnectorStatus::Connected);
                        // Another process reads it and has not reported yet: no fault.
                        let unreported = mailbox.status == Some(ConnectorStatus::ReadElsewhere);
                        let reported = mailbox.status.clone();
                        let status = move || match &reported {
                            None => t_string!(i18n, admin.mailboxes.not_started).to_string(),
                            Some(status) => status.message(i18n.get_locale()),
                        };
                        let queue = queue_name(mailbox.csq);
                        let edit_label = {
                            let name = name.clone();
                            move || t_string!(i18n, admin.shared.edit_named, name = &name).to_string()
                        };
                        let edit = mailbox.clone();
                        view! {
                            <li class="mailbox-item" class:disabled=!mailbox.enabled>
                                <div class="mailbox-head">
                                    <strong>{name.clone()}</strong>
                                    <span class="muted">{mailbox.address.clone()}</span>
                                    <span>"→ " {queue}</span>
                                    <span class="spacer"></span>
                                    <button type="button" aria-label=edit_label
                                        disabled=move || editing.get().is_some()
                                        on:click=move |_| editing.set(Some(Some(edit.clone())))>{t!(i18n, admin.actions.edit)}</button>
                                </div>
                                <p class="mailbox-status" class:ok=connected class:unreported=unreported>
                                    {status}
                                    {(mailbox.read_elsewhere && !unreported)
                                        .then(|| view! { <span class="muted">" · "{t!(i18n, admin.mailboxes.read_elsewhere)}</span> })}
                                </p>
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
}

/// A port as typed: empty for the usual one.
fn parse_port(text: &str, field: Field) -> Result<Option<u16>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u32>() {
        Ok(p) if (1..=65_535).contains(&p) => Ok(Some(p as u16)),
        Ok(p) => Err(FieldError::new(
            field,
            Problem::OutOfRange {
                min: 1,
                max: 65_535,
                given: p,
            },
        )),
        Err(_) => Err(FieldError::new(field, Problem::NotAWholeNumber)),
    }
}

/// The signals of one server's fields.
#[derive(Clone, Copy)]
struct ServerFields {
    host: RwSignal<String>,
    port: RwSignal<String>,
    security: RwSignal<Security>,
    username: RwSignal<String>,
    password: RwSignal<String>,
}

impl ServerFields {
    fn new(server: &Server) -> Self {
        ServerFields {
            host: RwSignal::new(server.host.clone()),
            port: RwSignal::new(server.port.map(|p| p.to_string()).unwrap_or_default()),
            security: RwSignal::new(server.security),
            username: RwSignal::new(server.username.clone()),
            password: RwSignal::new(String::new()),
        }
    }

    fn server(self, port_field: Field) -> Result<Server, FieldError> {
        Ok(Server {
            host: self.host.get(),
            port: parse_port(&self.port.get(), port_field)?,
            security: self.security.get(),
            username: self.username.get(),
        })
    }
}

#[component]
fn MailboxForm(
    stored: Option<MailboxAdmin>,
    list: RwSignal<Vec<MailboxAdmin>>,
    csqs: StoredValue<Vec<CsqAdmin>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = stored.as_ref().map(|m| m.id);
    let start = stored
        .as_ref()
        .map(MailboxEdit::of)
        .unwrap_or_else(|| MailboxEdit {
            enabled: true,
            folder: "INBOX".into(),
            smtp: Server {
                security: Security::Starttls,
                ..Server::default()
            },
            csq: csqs.with_value(|c| c.iter().find(|c| !c.retired).map(|c| c.id)),
            ..MailboxEdit::default()
        });
    let name = RwSignal::new(start.name.clone());
    let csq = RwSignal::new(start.csq);
    let enabled = RwSignal::new(start.enabled);
    let imap = ServerFields::new(&start.imap);
    let folder = RwSignal::new(start.folder.clone());
    let smtp = ServerFields::new(&start.smtp);
    let address = RwSignal::new(start.address.clone());
    let display_name = RwSignal::new(start.display_name.clone());
    let signature = RwSignal::new(start.signature_html.clone());
    // The edit as typed, or the first port that is not a number.
    let edit = move || -> Result<MailboxEdit, FieldError> {
        Ok(MailboxEdit {
            id,
            name: name.get(),
            csq: csq.get(),
            enabled: enabled.get(),
            imap: imap.server(Field::ImapPort)?,
            folder: folder.get(),
            imap_password: imap.password.get(),
            smtp: smtp.server(Field::SmtpPort)?,
            smtp_password: smtp.password.get(),
            address: address.get(),
            display_name: display_name.get(),
            signature_html: signature.get(),
        })
    };
    let stored = StoredValue::new(stored);
    let local = Memo::new(move |_| match edit() {
        Err(e) => vec![e],
        Ok(edit) => {
            let pairs: Vec<(CsqId, bool)> =
                csqs.with_value(|c| c.iter().map(|c| (c.id, c.retired)).collect());
            list.with(|all| stored.with_value(|s| edit.validate(all, &pairs, s.as_ref())))
                .err()
                .unwrap_or_default()
        }
    });
    let save = ServerAction::<SaveMailbox>::new();
    let test = ServerAction::<TestMailbox>::new();
    let errors = FormErrors::new(local, save.value(), move || {
        let _ = edit();
    });
    let start_csq = start.csq;
    let dirty = Memo::new(move |_| edit().map_or(true, |e| e != start));
    // What the last test found holds for what was typed then, not after a change.
    Effect::new(move |_| {
        let _ = edit();
        test.value().set(None);
    });
    Unsaved::track("mailbox".into(), Signal::derive(move || dirty.get()));
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
            if let Ok(edit) = edit() {
                test.dispatch(TestMailbox { edit });
            }
        }
    };
    let edited = stored.with_value(|s| s.as_ref().map(|m| m.name.clone()));
    let title = move || match &edited {
        Some(name) => t_string!(i18n, admin.mailboxes.form_title, name).to_string(),
        None => t_string!(i18n, admin.mailboxes.new_mailbox).to_string(),
    };
    let (imap_set, smtp_set) = stored.with_value(|s| {
        s.as_ref().map_or((false, false), |m| {
            (m.imap_password_set, m.smtp_password_set)
        })
    });
    let form_label = title.clone();
    view! {
        <form class="user-form mailbox-form" aria-label=form_label
            on:submit=move |ev| {
                ev.prevent_default();
                if errors.submit() {
                    if let Ok(edit) = edit() {
                        save.dispatch(SaveMailbox { edit });
                    }
                }
            }>
            <h3>{title}</h3>
            <div class="form-row">
                <div class="field grow">
                    <label for="mailbox-name">{t!(i18n, admin.mailboxes.name)}</label>
                    <input id="mailbox-name" type="text" readonly=id.is_some()
                        aria-invalid=move || errors.of(Field::MailboxName).get().is_some().to_string()
                        aria-describedby="mailbox-name-hint mailbox-name-error"
                        value=name.get_untracked()
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                    <span class="hint" id="mailbox-name-hint">
                        {move || if id.is_some() {
                            t_string!(i18n, admin.mailboxes.name_fixed)
                        } else {
                            t_string!(i18n, admin.mailboxes.name_hint)
                        }}
                    </span>
                    <span class="field-error" id="mailbox-name-error">{move || errors.of(Field::MailboxName).get()}</span>
                </div>
                <QueueSelect id="mailbox-csq" label=move || t_string!(i18n, admin.mailboxes.queue).to_string()
                    csqs kept=start_csq value=csq error=errors.of(Field::Csqs) />
                <label class="check">
                    <input type="checkbox" prop:checked=move || enabled.get()
                        on:change=move |ev| enabled.set(event_target_checked(&ev)) />
                    {t!(i18n, admin.mailboxes.read_this)}
                </label>
            </div>
            <ServerFieldset legend=move || t_string!(i18n, admin.mailboxes.imap_legend) prefix="imap" fields=imap errors
                host=Field::ImapHost port=Field::ImapPort user=Field::ImapUsername pass=Field::ImapPassword
                password_set=imap_set smtp=false>
                <TextField id="imap-folder" label=move || t_string!(i18n, admin.mailboxes.folder) value=folder
                    error=errors.of(Field::Folder) hint=move || t_string!(i18n, admin.mailboxes.folder_hint) />
            </ServerFieldset>
            <ServerFieldset legend=move || t_string!(i18n, admin.mailboxes.smtp_legend) prefix="smtp" fields=smtp errors
                host=Field::SmtpHost port=Field::SmtpPort user=Field::SmtpUsername pass=Field::SmtpPassword
                password_set=smtp_set smtp=true />
            <fieldset class="mailbox-group">
                <legend>{t!(i18n, admin.mailboxes.replies)}</legend>
                <div class="form-row">
                    <TextField id="mailbox-address" label=move || t_string!(i18n, admin.mailboxes.sender_address)
                        value=address
                        error=errors.of(Field::SenderAddress)
                        hint=move || t_string!(i18n, admin.mailboxes.sender_address_hint) />
                    <TextField id="mailbox-sender" label=move || t_string!(i18n, admin.mailboxes.sender_name)
                        value=display_name
                        error=errors.of(Field::SenderName)
                        hint=move || t_string!(i18n, admin.mailboxes.sender_name_hint) />
                </div>
                <RichField id="mailbox-signature".into()
                    label=move || t_string!(i18n, admin.mailboxes.signature) value=signature
                    invalid=Signal::derive(move || errors.of(Field::Signature).get().is_some())
                    error_id="mailbox-signature-error".into() />
                <span class="field-error" id="mailbox-signature-error">{move || errors.of(Field::Signature).get()}</span>
            </fieldset>
            <p class="form-error" role="alert">{status}</p>
            <TestReport label=move || t_string!(i18n, admin.mailboxes.test_report.label).to_string()
                found=Signal::derive(move || test.value().get().map(|found| found.map(|MailboxTest { imap, smtp }| {
                    vec![(Some("IMAP"), imap), (Some("SMTP"), smtp)]
                }))) />
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || save.pending().get()>
                    {move || if id.is_none() {
                        t_string!(i18n, admin.mailboxes.create)
                    } else {
                        t_string!(i18n, admin.actions.save_changes)
                    }}
                </button>
                <button type="button" disabled=move || test.pending().get() on:click=move |_| run_test()>
                    {move || if test.pending().get() {
                        t_string!(i18n, admin.mailboxes.testing)
                    } else {
                        t_string!(i18n, admin.mailboxes.test)
                    }}
                </button>
                <button type="button" class="quiet" on:click=move |_| on_done.run(())>{t!(i18n, admin.actions.cancel)}</button>
            </div>
        </form>
    }
}

#[component]
fn ServerFieldset(
    #[prop(into)] legend: Signal<String>,
    prefix: &'static str,
    fields: ServerFields,
    errors: FormErrors,
    host: Field,
    port: Field,
    user: Field,
    pass: Field,
    password_set: bool,
    smtp: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    let usual = move || {
        let s = fields.security.get();
        if smtp { s.smtp_port() } else { s.imap_port() }.to_string()
    };
    let ids = |what: &str| format!("{prefix}-{what}");
    let (host_id, port_id, security_id, user_id, pass_id) = (
        ids("host"),
        ids("port"),
        ids("security"),
        ids("user"),
        ids("password"),
    );
    let placeholder = move || {
        if password_set {
            t_string!(i18n, admin.mailboxes.server.password_saved)
        } else if smtp {
            t_string!(i18n, admin.mailboxes.server.password_needed)
        } else {
            ""
        }
    };
    let host_error = errors.of(host);
    let port_error = errors.of(port);
    let user_error = errors.of(user);
    let pass_error = errors.of(pass);
    view! {
        <fieldset class="mailbox-group">
            <legend>{move || legend.get()}</legend>
            <div class="form-row">
                <div class="field grow">
                    <label for=host_id.clone()>{t!(i18n, admin.mailboxes.server.host)}</label>
                    <input id=host_id.clone() type="text" spellcheck="false" placeholder=if smtp { "smtp.example.com" } else { "imap.example.com" }
                        aria-invalid=move || host_error.get().is_some().to_string()
                        aria-describedby=format!("{host_id}-error")
                        value=fields.host.get_untracked()
                        prop:value=move || fields.host.get()
                        on:input=move |ev| fields.host.set(event_target_value(&ev)) />
                    <span class="field-error" id=format!("{host_id}-error")>{move || host_error.get()}</span>
                </div>
                <div class="field">
                    <label for=security_id.clone()>{t!(i18n, admin.mailboxes.server.security)}</label>
                    <select id=security_id on:change=move |ev| {
                        if let Some(s) = Security::parse(&event_target_value(&ev)) {
                            fields.security.set(s);
                        }
                    }>
                        {Security::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || fields.security.get() == s>{s.label(i18n.get_locale_untracked())}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field port">
                    <label for=port_id.clone()>{t!(i18n, admin.mailboxes.server.port)}</label>
                    <input id=port_id.clone() type="text" inputmode="numeric" placeholder=usual
                        aria-invalid=move || port_error.get().is_some().to_string()
                        aria-describedby=format!("{port_id}-error")
                        value=fields.port.get_untracked()
                        prop:value=move || fields.port.get()
                        on:input=move |ev| fields.port.set(event_target_value(&ev)) />
                    <span class="field-error" id=format!("{port_id}-error")>{move || port_error.get()}</span>
                </div>
            </div>
            <div class="form-row">
                <div class="field grow">
                    <label for=user_id.clone()>
                        {move || if smtp {
                            t_string!(i18n, admin.mailboxes.server.username_optional)
                        } else {
                            t_string!(i18n, admin.mailboxes.server.username)
                        }}
                    </label>
                    <input id=user_id.clone() type="text" spellcheck="false" autocomplete="off"
                        aria-invalid=move || user_error.get().is_some().to_string()
                        aria-describedby=format!("{user_id}-error")
                        value=fields.username.get_untracked()
                        prop:value=move || fields.username.get()
                        on:input=move |ev| fields.username.set(event_target_value(&ev)) />
                    <span class="field-error" id=format!("{user_id}-error")>{move || user_error.get()}</span>
                </div>
                <div class="field grow">
                    <label for=pass_id.clone()>{t!(i18n, admin.mailboxes.server.password)}</label>
                    <input id=pass_id.clone() type="password" autocomplete="new-password" placeholder=placeholder
                        aria-invalid=move || pass_error.get().is_some().to_string()
                        aria-describedby=format!("{pass_id}-error")
                        prop:value=move || fields.password.get()
                        on:input=move |ev| fields.password.set(event_target_value(&ev)) />
                    <span class="field-error" id=format!("{pass_id}-error")>{move || pass_error.get()}</span>
                </div>
                {children.map(|c| c())}
            </div>
        </fieldset>
    }
}
