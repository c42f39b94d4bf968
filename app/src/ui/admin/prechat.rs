//! The pre-chat form (SPEC K-2, O-2): the problem statements a customer chooses from, each
//! routed to a CSQ, in the order the widget lists them. Each is renamed, routed elsewhere,
//! retired or restored in place, and moved up or down.

use super::{edit_line::EditLine, unsaved::Unsaved};
use crate::{
    api::{ApiError, MoveProblemStatement, QueuesView, SaveProblemStatement},
    domain::{
        ids::CsqId,
        limits::MAX_PROBLEM_LABEL_CHARS,
        queues::{ProblemStatementAdmin, ProblemStatementEdit},
        validate::Field,
    },
    i18n::*,
    ui::form::FormErrors,
};
use leptos::prelude::*;

#[component]
pub fn PreChatSection(view: RwSignal<QueuesView>) -> impl IntoView {
    let i18n = use_i18n();
    let moving = ServerAction::<MoveProblemStatement>::new();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = moving.value().get() {
            view.set(saved);
        }
    });
    let shift = move |(id, up): (i64, bool)| {
        moving.dispatch(MoveProblemStatement { id, up });
    };
    let order_error = move || match moving.value().get() {
        Some(Err(e)) => e.message(i18n.get_locale_untracked()),
        _ => String::new(),
    };
    view! {
        <section class="card admin-section" aria-labelledby="prechat-title">
            <h2 id="prechat-title">{t!(i18n, admin.sections.pre_chat)}</h2>
            <p class="muted">{t!(i18n, admin.prechat.intro)}</p>
            <StatementEditor statement=None view shift=Callback::new(|_| {}) busy=Signal::derive(|| false) />
            // Only while there is something to say: an empty line would still take a row.
            {move || {
                let error = order_error();
                (!error.is_empty()).then(|| view! { <p class="form-error" role="alert">{error}</p> })
            }}
            <ol class="reason-list statements">
                <For
                    each=move || view.get().problem_statements
                    key=|s| (s.id, s.label.clone(), s.csq, s.retired)
                    let:statement
                >
                    <li>
                        <StatementEditor statement=Some(statement) view
                            shift=Callback::new(shift)
                            busy=Signal::derive(move || moving.pending().get()) />
                    </li>
                </For>
            </ol>
        </section>
    }
}

#[component]
fn StatementEditor(
    statement: Option<ProblemStatementAdmin>,
    view: RwSignal<QueuesView>,
    shift: Callback<(i64, bool)>,
    busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = statement.as_ref().map(|s| s.id);
    let retired = statement.as_ref().is_some_and(|s| s.retired);
    let stored_label = statement
        .as_ref()
        .map(|s| s.label.clone())
        .unwrap_or_default();
    let first_csq = view.with_untracked(|v| v.csqs.iter().find(|c| !c.retired).map(|c| c.id));
    let stored_csq = statement
        .as_ref()
        .map(|s| s.csq)
        .or(first_csq)
        .unwrap_or(CsqId(0));
    let label = RwSignal::new(stored_label.clone());
    let csq = RwSignal::new(stored_csq);
    let save = ServerAction::<SaveProblemStatement>::new();
    let edit = move |retired: bool| ProblemStatementEdit {
        id,
        label: label.get(),
        csq: csq.get(),
        retired,
    };
    let local = Memo::new(move |_| {
        let csqs: Vec<(CsqId, bool)> =
            view.with(|v| v.csqs.iter().map(|c| (c.id, c.retired)).collect());
        view.with(|v| edit(retired).validate(&v.problem_statements, &csqs))
            .err()
            .unwrap_or_default()
    });
    let errors = FormErrors::new(local, save.value(), move || {
        edit(retired);
    });
    let dirty = {
        let stored_label = stored_label.clone();
        Memo::new(move |_| label.with(|l| l.trim() != stored_label) || csq.get() != stored_csq)
    };
    Unsaved::track(
        format!("statement-{}", id.unwrap_or(0)),
        Signal::derive(move || dirty.get()),
    );
    let submit = move |retire: bool| {
        if errors.submit() {
            save.dispatch(SaveProblemStatement { edit: edit(retire) });
        }
    };
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            if id.is_none() {
                label.set(String::new());
                csq.set(stored_csq);
                errors.tried.set(false);
            }
            view.set(saved);
        }
    });
    let status = move || match save.value().get() {
        Some(Err(ApiError::Invalid(_))) | None => None,
        Some(Err(e)) => Some(e.message(i18n.get_locale_untracked())),
        Some(Ok(_)) => None,
    };
    // Where it stands now: moving others changes it without remounting this line (which
    // would lose what is typed in it).
    let place = Memo::new(move |_| {
        view.with(|v| {
            let at = v.problem_statements.iter().position(|s| Some(s.id) == id);
            (
                at == Some(0),
                at.map(|a| a + 1) == Some(v.problem_statements.len()),
            )
        })
    });
    let dom_id = id.map_or("new".to_string(), |i| i.to_string());
    let input_id = format!("statement-{dom_id}");
    let csq_id = format!("statement-{dom_id}-csq");
    let error_id = format!("statement-{dom_id}-error");
    let label_error = errors.of(Field::Problem);
    let csq_error = errors.of(Field::Csqs);
    let title = {
        let stored_label = stored_label.clone();
        move || {
            if id.is_some() {
                stored_label.clone()
            } else {
                t_string!(i18n, admin.prechat.new_statement).to_string()
            }
        }
    };
    let select_described = error_id.clone();
    let select_label = {
        let name = stored_label.clone();
        move || {
            if id.is_some() {
                t_string!(i18n, admin.prechat.queue_of, name = &name).to_string()
            } else {
                t_string!(i18n, admin.prechat.queue).to_string()
            }
        }
    };
    // The arrows show only on a statement that exists.
    let up_label = {
        let name = stored_label.clone();
        move || t_string!(i18n, admin.shared.move_up, name = &name).to_string()
    };
    let down_label = {
        let name = stored_label.clone();
        move || t_string!(i18n, admin.shared.move_down, name = &name).to_string()
    };
    let label_text = move || {
        if id.is_some() {
            t_string!(i18n, admin.shared.label_of, name = &stored_label).to_string()
        } else {
            t_string!(i18n, admin.prechat.label).to_string()
        }
    };
    view! {
        <fieldset class="reason statement" class:retired=retired class:new=id.is_none()>
            <legend class=if id.is_some() { "visually-hidden" } else { "" }>{title}</legend>
            <EditLine
                input_id
                label=label_text
                value=label
                max_chars=MAX_PROBLEM_LABEL_CHARS
                placeholder=move || t_string!(i18n, admin.prechat.placeholder)
                invalid=Signal::derive(move || label_error.get().is_some())
                error_id=error_id.clone()
                existing=id.is_some()
                retired
                dirty=dirty.into()
                pending=save.pending().into()
                on_submit=Callback::new(submit)
                retired_label=move || t_string!(i18n, admin.prechat.retired)
                add_label=move || t_string!(i18n, admin.actions.add)
            >
                    <label class="visually-hidden" for=csq_id.clone()>{select_label}</label>
                    <select id=csq_id
                        aria-invalid=move || csq_error.get().is_some().to_string()
                        aria-describedby=select_described
                        on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse() {
                                csq.set(CsqId(n));
                            }
                        }>
                        {move || view.with(|v| v.csqs.iter().filter(|c| !c.retired || c.id == stored_csq).map(|c| {
                            let cid = c.id;
                            let (name, retired) = (c.name.clone(), c.retired);
                            let name = move || if retired {
                                t_string!(i18n, admin.shared.queue_retired, name = &name).to_string()
                            } else {
                                name.clone()
                            };
                            view! {
                                <option value=cid.0.to_string() selected=move || csq.get() == cid>{name}</option>
                            }
                        }).collect_view())}
                    </select>
                    {id.is_some().then(|| {
                        view! {
                            <button type="button" class="quiet icon" aria-label=up_label
                                disabled=move || place.get().0 || busy.get()
                                on:click=move |_| shift.run((id.unwrap_or(0), true))>"↑"</button>
                            <button type="button" class="quiet icon" aria-label=down_label
                                disabled=move || place.get().1 || busy.get()
                                on:click=move |_| shift.run((id.unwrap_or(0), false))>"↓"</button>
                        }
                    })}
            </EditLine>
            <p class="field-error" id=error_id role="alert">
                {move || label_error.get().or_else(|| csq_error.get()).or_else(status)}
            </p>
        </fieldset>
    }
}
