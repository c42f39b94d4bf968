//! Users (SPEC D-2): the searched, paged list, and the form that creates or changes a user
//! (names, role, CSQs, capacity, disabled) or gives them a one-time password. The page
//! checks with the shared validators as the administrator types; the server checks again,
//! audits, and applies CSQs and capacity to routing at once. A refused save keeps what was
//! typed. A password the server makes is shown once, here, and never again.

use super::unsaved::Unsaved;
use crate::ui::form::{FormErrors, TextField};
use crate::ui::pager::Pager;
use crate::{
    api::{list_users, ApiError, ResetUserPassword, SaveUser},
    domain::{
        agent::Role,
        csq::Csq,
        ids::{AgentId, CsqId},
        limits::{MAX_CHATS_PER_AGENT, MAX_EMAILS_PER_AGENT, MAX_USER_SEARCH_CHARS},
        users::{UserAdmin, UserEdit, UserSaved},
        validate::Field,
    },
    i18n::*,
};
use leptos::prelude::*;

/// The password the server made, shown to the administrator once.
#[derive(Clone, PartialEq)]
struct Handover {
    username: String,
    password: String,
    reset: bool,
}

#[component]
pub fn UsersSection(csqs: Vec<Csq>, me: AgentId) -> impl IntoView {
    let i18n = use_i18n();
    let csqs = StoredValue::new(csqs);
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(0u32);
    // Bumped after a save, so the list shows it.
    let saved_count = RwSignal::new(0u32);
    let users = Resource::new(
        move || (search.get(), page.get(), saved_count.get()),
        |(search, page, _)| list_users(search, page),
    );
    let editing = RwSignal::new(None::<UserEdit>);
    let handover = RwSignal::new(None::<Handover>);
    // A save or reset under way: the form stays until it answers (a password it makes is
    // shown only then).
    let busy = RwSignal::new(false);
    let on_saved = Callback::new(move |saved: UserSaved| {
        if let Some(password) = saved.one_time_password {
            handover.set(Some(Handover {
                username: saved.user.agent.username.clone(),
                password,
                reset: false,
            }));
        }
        editing.set(None);
        saved_count.update(|n| *n += 1);
    });
    let on_reset = Callback::new(move |handed: Handover| {
        handover.set(Some(handed));
        editing.set(None);
        saved_count.update(|n| *n += 1);
    });
    let csq_names = move |ids: &[CsqId]| {
        csqs.with_value(|all| {
            let names: Vec<String> = all
                .iter()
                .filter(|c| ids.contains(&c.id))
                .map(|c| c.name.clone())
                .collect();
            if names.is_empty() {
                td_string!(i18n.get_locale_untracked(), admin.users.no_queue).to_string()
            } else {
                names.join(", ")
            }
        })
    };
    view! {
        <section class="card admin-section" aria-labelledby="users-title">
            <div class="section-head">
                <h2 id="users-title">{t!(i18n, admin.sections.users)}</h2>
                <button type="button" class="primary" disabled=move || busy.get()
                    on:click=move |_| {
                        handover.set(None);
                        editing.set(Some(UserEdit::new_user()));
                    }>
                    {t!(i18n, admin.users.new_user)}
                </button>
            </div>
            {move || handover.get().map(|h| view! { <HandoverNotice handover=h dismiss=handover /> })}
            {move || editing.get().map(|edit| view! {
                <UserForm
                    edit
                    csqs=csqs.get_value()
                    me
                    on_saved
                    on_reset
                    busy
                    on_cancel=Callback::new(move |()| editing.set(None))
                />
            })}
            <div class="users-search" role="search">
                <label for="user-search">{t!(i18n, admin.users.search)}</label>
                <input
                    id="user-search"
                    type="search"
                    maxlength=MAX_USER_SEARCH_CHARS
                    placeholder=move || t_string!(i18n, admin.users.search_placeholder)
                    prop:value=move || search.get()
                    on:input=move |ev| {
                        search.set(event_target_value(&ev));
                        page.set(0);
                    }
                />
            </div>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, admin.users.loading)}</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.get_locale_untracked())}</p> }.into_any(),
                        Ok(list) => {
                            let pages = list.pages();
                            let total = list.total;
                            let shown = list.page;
                            let empty = list.users.is_empty();
                            view! {
                                <div class="table-scroll">
                                    <table class="users-list">
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, admin.users.columns.user)}</th>
                                                <th scope="col">{t!(i18n, admin.users.columns.role)}</th>
                                                <th scope="col">{t!(i18n, admin.users.columns.queues)}</th>
                                                <th scope="col">{t!(i18n, admin.users.columns.capacity)}</th>
                                                <th scope="col">{t!(i18n, admin.users.columns.status)}</th>
                                                <th scope="col"><span class="visually-hidden">{t!(i18n, admin.users.columns.actions)}</span></th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list.users.into_iter().map(|user| {
                                                let queues = csq_names(&user.csqs);
                                                let supervised = (user.agent.role == Role::Supervisor)
                                                    .then(|| csq_names(&user.supervises));
                                                view! { <UserRow user queues supervised editing handover busy /> }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {empty.then(|| view! { <p class="muted">{t!(i18n, admin.users.no_match)}</p> })}
                                <Pager page shown pages
                                    summary=move || {
                                        t_string!(i18n, admin.users.pager.summary, page = shown + 1, pages, count = total)
                                            .to_string()
                                    }
                                    label=move || t_string!(i18n, admin.users.pager.label)
                                    back=move || t_string!(i18n, admin.users.pager.previous)
                                    forward=move || t_string!(i18n, admin.users.pager.next) />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UserRow(
    user: UserAdmin,
    queues: String,
    /// A supervisor's watched CSQs, named.
    supervised: Option<String>,
    editing: RwSignal<Option<UserEdit>>,
    handover: RwSignal<Option<Handover>>,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let a = user.agent.clone();
    let (disabled, must_change_password) = (a.disabled, a.must_change_password);
    let status = move || {
        if disabled {
            t_string!(i18n, admin.users.status.disabled)
        } else if must_change_password {
            t_string!(i18n, admin.users.status.must_change_password)
        } else {
            t_string!(i18n, admin.users.status.active)
        }
    };
    let username = a.username.clone();
    let label = move || t_string!(i18n, admin.shared.edit_named, name = &username).to_string();
    view! {
        <tr class:disabled=a.disabled>
            <td>
                <div class="strong">{a.username.clone()}</div>
                <div class="hint">
                    {t!(i18n, admin.users.shown_as, name = a.display_name.clone(), alias = a.alias.clone())}
                </div>
            </td>
            <td>{a.role.label(i18n.get_locale_untracked())}</td>
            <td>
                {queues}
                {supervised.map(|names| view! {
                    <div class="hint">{t!(i18n, admin.users.supervises_list, names)}</div>
                })}
            </td>
            <td class="nowrap">{format!("{} · {}", a.max_chats, a.max_emails)}</td>
            <td><span class="pill" class:pill-off=a.disabled>{status}</span></td>
            <td>
                <button type="button" aria-label=label disabled=move || busy.get()
                    on:click=move |_| {
                        handover.set(None);
                        editing.set(Some(UserEdit::of(&user)));
                    }>
                    {t!(i18n, admin.actions.edit)}
                </button>
            </td>
        </tr>
    }
}

#[component]
fn HandoverNotice(handover: Handover, dismiss: RwSignal<Option<Handover>>) -> impl IntoView {
    let i18n = use_i18n();
    let username = handover.username.clone();
    let what = if handover.reset {
        t!(i18n, admin.users.handover.reset, username).into_any()
    } else {
        t!(i18n, admin.users.handover.created, username).into_any()
    };
    view! {
        <div class="notice handover" role="status">
            <p><strong>{what}</strong>" "{t!(i18n, admin.users.handover.one_time)}</p>
            <p><code class="secret">{handover.password}</code></p>
            <p class="hint">{t!(i18n, admin.users.handover.hint)}</p>
            <button type="button" on:click=move |_| dismiss.set(None)>{t!(i18n, admin.users.handover.done)}</button>
        </div>
    }
}

/// The form of a new user or of one being changed.
#[component]
fn UserForm(
    edit: UserEdit,
    csqs: Vec<Csq>,
    me: AgentId,
    on_saved: Callback<UserSaved>,
    on_reset: Callback<Handover>,
    busy: RwSignal<bool>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = edit.id;
    let opened = edit.clone();
    let stored_username = edit.username.clone();
    let username = RwSignal::new(edit.username.clone());
    let display_name = RwSignal::new(edit.display_name.clone());
    let alias = RwSignal::new(edit.alias.clone());
    let temporary_password = RwSignal::new(String::new());
    // The rest of the save: role, capacity, CSQs, disabled.
    let draft = RwSignal::new(edit);
    let current = move || UserEdit {
        username: username.get(),
        display_name: display_name.get(),
        alias: alias.get(),
        temporary_password: temporary_password.get(),
        ..draft.get()
    };
    let save = ServerAction::<SaveUser>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let confirm_reset = RwSignal::new(false);
    let csq_ids: Vec<CsqId> = csqs.iter().map(|c| c.id).collect();
    let supervisable = StoredValue::new(csqs.clone());
    // The page has no common-password list: the server adds that rule.
    let local_errors = Memo::new(move |_| {
        current()
            .validate(&csq_ids, me, |_| false)
            .err()
            .unwrap_or_default()
    });
    let errors = FormErrors::new(local_errors, save.value(), move || {
        current();
    });
    let dirty = Memo::new(move |_| current() != opened);
    Unsaved::track("user".into(), dirty.into());
    Effect::new(move |_| busy.set(save.pending().get() || reset.pending().get()));
    on_cleanup(move || busy.set(false));
    // Opened from a row far down the list, the form takes the focus (and the eye) to it.
    let heading = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(h) = heading.get() {
            let _ = h.focus();
            h.scroll_into_view();
        }
    });
    let error_of = move |field: Field| errors.of(field);
    let status = move || match save.value().get() {
        Some(Err(ApiError::Invalid(_))) | None => String::new(),
        Some(Err(e)) => e.message(i18n.get_locale_untracked()),
        Some(Ok(_)) => String::new(),
    };
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            on_saved.run(saved);
        }
    });
    {
        let username = stored_username.clone();
        Effect::new(move |_| {
            if let Some(Ok(password)) = reset.value().get() {
                on_reset.run(Handover {
                    username: username.clone(),
                    password,
                    reset: true,
                });
            }
        });
    }
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if errors.submit() {
            save.dispatch(SaveUser { edit: current() });
        }
    };
    let title = move || match id {
        None => t_string!(i18n, admin.users.new_user).to_string(),
        Some(_) => t_string!(i18n, admin.shared.edit_named, name = &stored_username).to_string(),
    };
    view! {
        <form class="user-form" on:submit=on_submit novalidate aria-labelledby="user-form-title">
            <h3 id="user-form-title" tabindex="-1" node_ref=heading>{title}</h3>
            <div class="settings-grid">
                <TextField id="user-username" label=move || t_string!(i18n, admin.users.form.username)
                    value=username
                    error=error_of(Field::Username)
                    hint=move || t_string!(i18n, admin.users.form.username_hint) />
                <TextField id="user-name" label=move || t_string!(i18n, admin.users.form.full_name)
                    value=display_name
                    error=error_of(Field::DisplayName)
                    hint=move || t_string!(i18n, admin.users.form.full_name_hint) />
                <TextField id="user-alias" label=move || t_string!(i18n, admin.users.form.alias)
                    value=alias
                    error=error_of(Field::Alias)
                    hint=move || t_string!(i18n, admin.users.form.alias_hint) />
                <div class="field">
                    <label for="user-role">{t!(i18n, admin.users.form.role)}</label>
                    <select id="user-role"
                        aria-invalid=move || error_of(Field::Role).get().is_some().to_string()
                        aria-describedby="user-role-error"
                        on:change=move |ev| {
                            let role = Role::parse(&event_target_value(&ev)).unwrap_or(Role::Agent);
                            draft.update(|d| d.role = role);
                        }>
                        {[Role::Agent, Role::Supervisor, Role::Admin].into_iter().map(|role| view! {
                            <option value=role.as_str()
                                selected=move || draft.with(|d| d.role == role)>
                                {role.label(i18n.get_locale_untracked())}
                            </option>
                        }).collect_view()}
                    </select>
                    <span class="field-error" id="user-role-error">{move || error_of(Field::Role).get()}</span>
                </div>
                <CapacityField id="user-max-chats" label=move || t_string!(i18n, admin.users.form.max_chats)
                    range=MAX_CHATS_PER_AGENT
                    value=Signal::derive(move || draft.with(|d| d.max_chats))
                    on_change=Callback::new(move |n| draft.update(|d| d.max_chats = n))
                    error=error_of(Field::MaxChats) />
                <CapacityField id="user-max-emails" label=move || t_string!(i18n, admin.users.form.max_emails)
                    range=MAX_EMAILS_PER_AGENT
                    value=Signal::derive(move || draft.with(|d| d.max_emails))
                    on_change=Callback::new(move |n| draft.update(|d| d.max_emails = n))
                    error=error_of(Field::MaxEmails) />
            </div>
            <CsqChecks legend=move || t_string!(i18n, admin.users.form.queues).to_string()
                hint=move || t_string!(i18n, admin.users.form.queues_hint).to_string()
                dom_id="user-queues"
                csqs
                chosen=Signal::derive(move || draft.with(|d| d.csqs.clone()))
                on_change=Callback::new(move |(cid, on): (CsqId, bool)| draft.update(|d| {
                    d.csqs.retain(|c| *c != cid);
                    if on {
                        d.csqs.push(cid);
                        d.csqs.sort();
                    }
                }))
                error=error_of(Field::Csqs) />
            <Show when=move || draft.with(|d| d.role == Role::Supervisor)>
                <CsqChecks legend=move || t_string!(i18n, admin.users.form.supervises).to_string()
                    hint=move || t_string!(i18n, admin.users.form.supervises_hint).to_string()
                    dom_id="user-supervises"
                    csqs=supervisable.get_value()
                    chosen=Signal::derive(move || draft.with(|d| d.supervises.clone()))
                    on_change=Callback::new(move |(cid, on): (CsqId, bool)| draft.update(|d| {
                        d.supervises.retain(|c| *c != cid);
                        if on {
                            d.supervises.push(cid);
                            d.supervises.sort();
                        }
                    }))
                    error=error_of(Field::Supervises) />
            </Show>
            {if id.is_none() {
                view! {
                    <TextField id="user-password"
                        label=move || t_string!(i18n, admin.users.form.temporary_password)
                        autocomplete="new-password" value=temporary_password
                        error=error_of(Field::Password)
                        hint=move || t_string!(i18n, admin.users.form.temporary_password_hint) />
                }.into_any()
            } else {
                view! {
                    <div class="field">
                        <label class="check">
                            <input type="checkbox"
                                aria-describedby="user-disabled-hint user-disabled-error"
                                aria-invalid=move || error_of(Field::Account).get().is_some().to_string()
                                prop:checked=move || draft.with(|d| d.disabled)
                                on:change=move |ev| {
                                    let off = event_target_checked(&ev);
                                    draft.update(|d| d.disabled = off);
                                } />
                            {t!(i18n, admin.users.form.disabled)}
                        </label>
                        <span class="hint" id="user-disabled-hint">
                            {t!(i18n, admin.users.form.disabled_hint)}
                        </span>
                        <span class="field-error" id="user-disabled-error">{move || error_of(Field::Account).get()}</span>
                    </div>
                }.into_any()
            }}
            <p class="form-error" role="alert">{status}</p>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || save.pending().get()>
                    {move || if id.is_none() {
                        t_string!(i18n, admin.users.form.create)
                    } else {
                        t_string!(i18n, admin.actions.save_changes)
                    }}
                </button>
                <button type="button" class="quiet" disabled=move || busy.get()
                    on:click=move |_| on_cancel.run(())>{t!(i18n, admin.actions.cancel)}</button>
                {id.map(|user| view! {
                    <span class="spacer"></span>
                    <Show when=move || confirm_reset.get()
                        fallback=move || view! {
                            <button type="button" on:click=move |_| confirm_reset.set(true)>
                                {t!(i18n, admin.users.form.reset_password)}
                            </button>
                        }>
                        <span class="confirm" role="group"
                            aria-label=move || t_string!(i18n, admin.users.form.confirm_reset_label)>
                            {t!(i18n, admin.users.form.confirm_reset)}
                            <button type="button" class="danger" disabled=move || reset.pending().get()
                                on:click=move |_| { reset.dispatch(ResetUserPassword { user }); }>
                                {t!(i18n, admin.users.form.reset)}
                            </button>
                            <button type="button" class="quiet" on:click=move |_| confirm_reset.set(false)>
                                {t!(i18n, admin.actions.keep)}
                            </button>
                        </span>
                    </Show>
                    <span class="form-error" role="alert">
                        {move || match reset.value().get() {
                            Some(Err(e)) => e.message(i18n.get_locale_untracked()),
                            _ => String::new(),
                        }}
                    </span>
                })}
            </div>
        </form>
    }
}

/// A maximum of 1 to 5, as a choice (nothing to mistype).
#[component]
fn CapacityField(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    range: std::ops::RangeInclusive<u32>,
    value: Signal<u32>,
    on_change: Callback<u32>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <select id=id
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=format!("{id}-error")
                on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse() {
                        on_change.run(n);
                    }
                }>
                {range.map(|n| view! {
                    <option value=n.to_string() selected=move || value.get() == n>{n.to_string()}</option>
                }).collect_view()}
            </select>
            <span class="field-error" id=format!("{id}-error")>{move || error.get()}</span>
        </div>
    }
}

/// Issue 18: a labelled set of CSQ check boxes (the CSQs a supervisor watches).
#[component]
fn CsqChecks(
    #[prop(into)] legend: Signal<String>,
    #[prop(into)] hint: Signal<String>,
    dom_id: &'static str,
    csqs: Vec<Csq>,
    chosen: Signal<Vec<CsqId>>,
    on_change: Callback<(CsqId, bool)>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let hint_id = format!("{dom_id}-hint");
    let error_id = format!("{dom_id}-error");
    let described_by = format!("{hint_id} {error_id}");
    view! {
        <fieldset class="field user-queues" aria-describedby=described_by>
            <legend>{move || legend.get()}</legend>
            <span class="hint" id=hint_id>{move || hint.get()}</span>
            <div class="reason-queues">
                {csqs.into_iter().map(|csq| {
                    let cid = csq.id;
                    view! {
                        <label class="chip">
                            <input type="checkbox"
                                prop:checked=move || chosen.with(|c| c.contains(&cid))
                                on:change=move |ev| on_change.run((cid, event_target_checked(&ev))) />
                            {csq.name}
                        </label>
                    }
                }).collect_view()}
            </div>
            <span class="field-error" id=error_id>{move || error.get()}</span>
        </fieldset>
    }
}
