//! Wrap-up reasons (SPEC W-1, W-2): add, rename, assign to CSQs, retire and restore. Each
//! save is checked by the shared validator in the page and again on the server, audited
//! there, and applies to contacts assigned after it.

use super::{edit_line::EditLine, unsaved::Unsaved};
use crate::{
    api::{ApiError, SaveWrapUpReason},
    domain::{
        csq::Csq,
        ids::CsqId,
        limits::MAX_WRAP_UP_LABEL_CHARS,
        wrap_up::{WrapUpReasonAdmin, WrapUpReasonEdit},
    },
    i18n::*,
};
use leptos::prelude::*;

#[component]
pub fn WrapUpReasonsSection(csqs: Vec<Csq>, initial: Vec<WrapUpReasonAdmin>) -> impl IntoView {
    let i18n = use_i18n();
    let reasons = RwSignal::new(initial);
    let csqs = StoredValue::new(csqs);
    view! {
        <section class="card admin-section" aria-labelledby="wrap-up-title">
            <h2 id="wrap-up-title">{t!(i18n, admin.sections.wrap_up)}</h2>
            <p class="muted">{t!(i18n, admin.wrap_up.intro)}</p>
            <ReasonEditor
                reason=None
                csqs=csqs.get_value()
                reasons
            />
            <ul class="reason-list">
                <For
                    each=move || reasons.get()
                    key=|r| (r.id, r.label.clone(), r.retired, r.csqs.clone())
                    let:reason
                >
                    <li><ReasonEditor reason=Some(reason) csqs=csqs.get_value() reasons /></li>
                </For>
            </ul>
        </section>
    }
}

/// One reason's form, or the form that adds one (`reason` none).
#[component]
fn ReasonEditor(
    reason: Option<WrapUpReasonAdmin>,
    csqs: Vec<Csq>,
    reasons: RwSignal<Vec<WrapUpReasonAdmin>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = reason.as_ref().map(|r| r.id);
    let retired = reason.as_ref().is_some_and(|r| r.retired);
    let stored_label = reason.as_ref().map(|r| r.label.clone()).unwrap_or_default();
    let stored_csqs = reason.as_ref().map(|r| r.csqs.clone()).unwrap_or_default();
    let label = RwSignal::new(stored_label.clone());
    let chosen = RwSignal::new(stored_csqs.clone());
    let save = ServerAction::<SaveWrapUpReason>::new();
    let tried = RwSignal::new(false);
    let dom_id = id.map_or("new".to_string(), |i| i.0.to_string());
    let edit = move |retired: bool| WrapUpReasonEdit {
        id,
        label: label.get_untracked(),
        retired,
        csqs: chosen.get_untracked(),
    };
    let local_error = move || {
        edit(retired)
            .validate(&reasons.read())
            .err()
            .map(|e| e.problem.message(i18n.get_locale_untracked()))
    };
    let error = move || {
        if !tried.get() {
            return None;
        }
        label.track();
        local_error().or_else(|| match save.value().get() {
            Some(Err(ApiError::Invalid(e))) => {
                e.first().map(|e| e.message(i18n.get_locale_untracked()))
            }
            Some(Err(e)) => Some(e.message(i18n.get_locale_untracked())),
            _ => None,
        })
    };
    let submit = move |retire: bool| {
        tried.set(true);
        let edit = edit(retire);
        if edit.validate(&reasons.read_untracked()).is_ok() {
            save.dispatch(SaveWrapUpReason { edit });
        }
    };
    // The saved list replaces the page's; a new reason's form empties for the next one.
    Effect::new(move |_| {
        if let Some(Ok(list)) = save.value().get() {
            if id.is_none() {
                label.set(String::new());
                chosen.set(Vec::new());
                tried.set(false);
            }
            reasons.set(list);
        }
    });
    let dirty = {
        let stored_label = stored_label.clone();
        Memo::new(move |_| {
            label.with(|l| l.trim() != stored_label) || chosen.with(|c| *c != stored_csqs)
        })
    };
    Unsaved::track(format!("reason-{dom_id}"), dirty.into());
    let title = {
        let stored_label = stored_label.clone();
        move || {
            if id.is_some() {
                stored_label.clone()
            } else {
                t_string!(i18n, admin.wrap_up.new_reason).to_string()
            }
        }
    };
    let label_text = move || {
        if id.is_some() {
            t_string!(i18n, admin.shared.label_of, name = &stored_label).to_string()
        } else {
            t_string!(i18n, admin.wrap_up.label).to_string()
        }
    };
    let input_id = format!("reason-{dom_id}");
    let error_id = format!("reason-{dom_id}-error");
    view! {
        <fieldset class="reason" class:retired=retired class:new=id.is_none()>
            <legend class=if id.is_some() { "visually-hidden" } else { "" }>{title}</legend>
            <EditLine
                input_id
                label=label_text
                value=label
                max_chars=MAX_WRAP_UP_LABEL_CHARS
                placeholder=move || t_string!(i18n, admin.wrap_up.placeholder)
                invalid=Signal::derive(move || error().is_some())
                error_id=error_id.clone()
                existing=id.is_some()
                retired
                dirty=dirty.into()
                pending=save.pending().into()
                on_submit=Callback::new(submit)
                retired_label=move || t_string!(i18n, admin.wrap_up.retired)
                add_label=move || t_string!(i18n, admin.wrap_up.add)
            />
            <div class="reason-queues" role="group" aria-label=move || t_string!(i18n, admin.wrap_up.queues)>
                {csqs.into_iter().map(|csq| {
                    let cid: CsqId = csq.id;
                    view! {
                        <label class="chip">
                            <input
                                type="checkbox"
                                prop:checked=move || chosen.with(|c| c.contains(&cid))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|x| *x != cid);
                                        if on {
                                            c.push(cid);
                                            c.sort();
                                        }
                                    });
                                }
                            />
                            {csq.name}
                        </label>
                    }
                }).collect_view()}
            </div>
            <p class="field-error" id=error_id role="alert">{error}</p>
        </fieldset>
    }
}
