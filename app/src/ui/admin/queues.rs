//! Queues (SPEC D-2, O-2): the CSQs with their members, each renamed, retired or restored
//! in place, and a new one added. Members are added by searching the users (thousands) and
//! removed one by one; a change reaches routing when saved. The page checks with the shared
//! validators as the administrator types; the server checks again and audits.

use super::{edit_line::EditLine, unsaved::Unsaved};
use crate::{
    api::{list_users, ApiError, QueuesView, SaveCsq},
    domain::{
        ids::CsqId,
        limits::MAX_CSQ_NAME_CHARS,
        queues::{CsqAdmin, CsqEdit, Member},
        validate::Field,
    },
    i18n::*,
    ui::form::FormErrors,
};
use leptos::prelude::*;

#[component]
pub fn QueuesSection(view: RwSignal<QueuesView>) -> impl IntoView {
    let i18n = use_i18n();
    let names = Memo::new(move |_| {
        view.with(|v| {
            v.csqs
                .iter()
                .map(|c| (c.id, c.name.clone()))
                .collect::<Vec<(CsqId, String)>>()
        })
    });
    view! {
        <section class="card admin-section" aria-labelledby="queues-title">
            <h2 id="queues-title">{t!(i18n, admin.sections.queues)}</h2>
            <p class="muted">{t!(i18n, admin.queues.intro)}</p>
            <CsqEditor csq=None names view />
            <ul class="reason-list">
                <For
                    each=move || view.get().csqs
                    key=|c| (c.id, c.name.clone(), c.retired, c.members.clone())
                    let:csq
                >
                    <li><CsqEditor csq=Some(csq) names view /></li>
                </For>
            </ul>
        </section>
    }
}

/// One CSQ's form, or the form that adds one (`csq` none).
#[component]
fn CsqEditor(
    csq: Option<CsqAdmin>,
    names: Memo<Vec<(CsqId, String)>>,
    view: RwSignal<QueuesView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = csq.as_ref().map(|c| c.id);
    let retired = csq.as_ref().is_some_and(|c| c.retired);
    let stored_name = csq.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    let stored_members: Vec<Member> = csq.as_ref().map(|c| c.members.clone()).unwrap_or_default();
    let name = RwSignal::new(stored_name.clone());
    let members = RwSignal::new(stored_members.clone());
    let search = RwSignal::new(String::new());
    let save = ServerAction::<SaveCsq>::new();
    let edit = move |retired: bool| CsqEdit {
        id,
        name: name.get(),
        retired,
        members: members.with(|m| m.iter().map(|m| m.id).collect()),
    };
    let local = Memo::new(move |_| {
        edit(retired)
            .validate(&names.get())
            .err()
            .unwrap_or_default()
    });
    let errors = FormErrors::new(local, save.value(), move || {
        edit(retired);
    });
    let dirty = {
        let stored_name = stored_name.clone();
        let stored_members = stored_members.clone();
        Memo::new(move |_| {
            name.with(|n| n.trim() != stored_name) || members.with(|m| *m != stored_members)
        })
    };
    Unsaved::track(
        format!("queue-{}", id.map_or(0, |i| i.0)),
        Signal::derive(move || dirty.get()),
    );
    let submit = move |retire: bool| {
        if errors.submit() {
            save.dispatch(SaveCsq { edit: edit(retire) });
        }
    };
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            if id.is_none() {
                name.set(String::new());
                members.set(Vec::new());
                search.set(String::new());
                errors.tried.set(false);
            }
            view.set(saved);
        }
    });
    let status = move || match save.value().get() {
        Some(Err(ApiError::Invalid(_))) | None => String::new(),
        Some(Err(e)) => e.message(i18n.get_locale_untracked()),
        Some(Ok(_)) => String::new(),
    };
    let dom_id = id.map_or("new".to_string(), |i| i.0.to_string());
    let input_id = format!("csq-{dom_id}");
    let error_id = format!("csq-{dom_id}-error");
    let name_error = errors.of(Field::CsqName);
    let title = {
        let stored_name = stored_name.clone();
        move || {
            if id.is_some() {
                stored_name.clone()
            } else {
                t_string!(i18n, admin.queues.new_queue).to_string()
            }
        }
    };
    let members_of = title.clone();
    let label = move || {
        if id.is_some() {
            t_string!(i18n, admin.queues.name_of, name = &stored_name).to_string()
        } else {
            t_string!(i18n, admin.queues.name).to_string()
        }
    };
    view! {
        <fieldset class="reason queue" class:retired=retired class:new=id.is_none()>
            <legend class=if id.is_some() { "visually-hidden" } else { "" }>{title}</legend>
            <EditLine
                input_id
                label
                value=name
                max_chars=MAX_CSQ_NAME_CHARS
                placeholder=move || t_string!(i18n, admin.queues.placeholder)
                invalid=Signal::derive(move || name_error.get().is_some())
                error_id=error_id.clone()
                existing=id.is_some()
                retired
                dirty=dirty.into()
                pending=save.pending().into()
                on_submit=Callback::new(submit)
                retired_label=move || t_string!(i18n, admin.queues.retired)
                add_label=move || t_string!(i18n, admin.queues.add)
            />
            <p class="field-error" id=error_id role="alert">
                {move || name_error.get().or_else(|| errors.of(Field::Members).get()).or_else(|| {
                    let s = status();
                    (!s.is_empty()).then_some(s)
                })}
            </p>
            <MemberPicker members search dom_id name=Signal::derive(members_of) />
        </fieldset>
    }
}

/// The members of one CSQ: each removable, more added by a search of the users.
#[component]
fn MemberPicker(
    members: RwSignal<Vec<Member>>,
    search: RwSignal<String>,
    dom_id: String,
    /// The queue's name, for the list's label.
    name: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let found = Resource::new(
        move || search.get(),
        |search| async move {
            if search.trim().is_empty() {
                return Ok(Vec::new());
            }
            list_users(search, 0).await.map(|page| page.users)
        },
    );
    let search_id = format!("csq-{dom_id}-add");
    let list_label =
        move || t_string!(i18n, admin.queues.members_of, name = name.get()).to_string();
    view! {
        <div class="members">
            <ul class="member-chips" aria-label=list_label>
                <For each=move || members.get() key=|m| m.id let:member>
                    {
                        let mid = member.id;
                        let username = member.username.clone();
                        let label = move || {
                            t_string!(i18n, admin.queues.remove_member, username = &username).to_string()
                        };
                        view! {
                            <li class="chip member">
                                <span>{member.display_name.clone()}</span>
                                <span class="hint">{member.username.clone()}</span>
                                <button type="button" class="chip-remove" aria-label=label
                                    on:click=move |_| members.update(|m| m.retain(|x| x.id != mid))>
                                    "×"
                                </button>
                            </li>
                        }
                    }
                </For>
                {move || members.with(Vec::is_empty).then(|| view! {
                    <li class="muted">{t!(i18n, admin.queues.no_member)}</li>
                })}
            </ul>
            <div class="member-add">
                <label for=search_id.clone()>{t!(i18n, admin.queues.add_member)}</label>
                <input id=search_id type="search"
                    placeholder=move || t_string!(i18n, admin.queues.member_search_placeholder)
                    autocomplete="off"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev)) />
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let users = found.await.unwrap_or_default();
                    view! {
                        <ul class="member-results">
                            {users.into_iter().filter(|u| !u.agent.disabled).map(|u| {
                                let member = Member {
                                    id: u.agent.id,
                                    username: u.agent.username.clone(),
                                    display_name: u.agent.display_name.clone(),
                                };
                                let already = move || members.with(|m| m.iter().any(|x| x.id == member.id));
                                let username = u.agent.username.clone();
                                let label = move || {
                                    t_string!(i18n, admin.queues.add_user, username = &username).to_string()
                                };
                                let add = member.clone();
                                view! {
                                    <li>
                                        <button type="button" class="quiet" aria-label=label
                                            disabled=already
                                            on:click=move |_| {
                                                let add = add.clone();
                                                members.update(|m| {
                                                    if !m.iter().any(|x| x.id == add.id) {
                                                        m.push(add);
                                                    }
                                                });
                                            }>
                                            "+ " {u.agent.display_name.clone()}
                                            <span class="hint">" " {u.agent.username.clone()}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </div>
    }
}
