//! The host desktops section (SPEC D-1): the origins that may embed the desktop as a
//! gadget, one per line, and where a host finds the gadget. Checked with the shared rules as
//! the administrator types and again by the server; a refused save keeps what was typed.

use super::unsaved::Unsaved;
use crate::{
    api::{ApiError, SaveGadgetHosts},
    domain::{gadget_hosts::GadgetHosts, limits::MAX_GADGET_HOSTS, validate::FieldError},
    i18n::*,
};
use leptos::prelude::*;

/// Where a host finds the gadget, on this server.
const DESCRIPTOR: &str = "/gadget/switchboard.xml";
const MANIFEST: &str = "/gadget/manifest.json";
const HOST_SCRIPT: &str = "/gadget/host.js";

#[component]
pub fn GadgetHostsSection(initial: GadgetHosts) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let typed = RwSignal::new(initial.to_lines());
    let stored = RwSignal::new(initial);
    let save = ServerAction::<SaveGadgetHosts>::new();
    let tried = RwSignal::new(false);
    // The list last sent: the server's refusal holds while the form still shows it.
    let submitted = RwSignal::new(None::<GadgetHosts>);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            typed.set(saved.to_lines());
            stored.set(saved);
        }
    });
    let hosts = Memo::new(move |_| typed.with(|t| GadgetHosts::from_lines(t)));
    let dirty = Memo::new(move |_| hosts.get() != stored.get());
    Unsaved::track("gadget-hosts".into(), dirty.into());
    // Every problem, each line named: the page's own checks, else the server's refusal.
    let errors = Memo::new(move |_| {
        if !tried.get() {
            return Vec::new();
        }
        let local = hosts.with(|h| h.validate().err().unwrap_or_default());
        if !local.is_empty() {
            return local;
        }
        match save.value().get() {
            Some(Err(ApiError::Invalid(e)))
                if submitted.with(|s| s.as_ref() == Some(&hosts.get())) =>
            {
                e
            }
            _ => Vec::<FieldError>::new(),
        }
    });
    let status = move || {
        if save.pending().get() {
            return (
                "status",
                td_string!(locale, admin.gadget.saving).to_string(),
            );
        }
        if !errors.with(Vec::is_empty) {
            return (
                "status error",
                td_string!(locale, admin.gadget.not_saved_fix).to_string(),
            );
        }
        match save.value().get() {
            Some(Ok(_)) if !dirty.get() => (
                "status saved",
                td_string!(locale, admin.gadget.saved).to_string(),
            ),
            Some(Err(e)) if !matches!(e, ApiError::Invalid(_)) => (
                "status error",
                td_string!(locale, admin.gadget.not_saved, error = e.message(locale)).to_string(),
            ),
            _ => ("status", String::new()),
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let hosts = hosts.get_untracked();
        if hosts.validate().is_ok() {
            submitted.set(Some(hosts.clone()));
            save.dispatch(SaveGadgetHosts { hosts });
        }
    };
    let invalid = move || (!errors.with(Vec::is_empty)).to_string();
    view! {
        <form class="card admin-section" on:submit=on_submit novalidate>
            <h2>{t!(i18n, admin.sections.gadget)}</h2>
            <p class="muted">{t!(i18n, admin.gadget.intro)}</p>
            <div class="field">
                <label for="gadget-hosts">{t!(i18n, admin.gadget.hosts)}</label>
                <textarea
                    id="gadget-hosts"
                    rows="5"
                    spellcheck="false"
                    autocomplete="off"
                    placeholder=move || t_string!(i18n, admin.gadget.hosts_placeholder)
                    aria-invalid=invalid
                    aria-describedby="gadget-hosts-hint gadget-hosts-error"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                >
                    {typed.get_untracked()}
                </textarea>
                <span class="hint" id="gadget-hosts-hint">
                    {t!(i18n, admin.gadget.hosts_hint, max = MAX_GADGET_HOSTS)}
                </span>
                <ul class="field-error" id="gadget-hosts-error">
                    {move || errors.get().into_iter().map(|e| view! { <li>{e.problem.message(locale)}</li> }).collect_view()}
                </ul>
            </div>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || save.pending().get()>
                    {t!(i18n, admin.gadget.save)}
                </button>
                <p class=move || status().0 role="status" aria-live="polite">{move || status().1}</p>
            </div>
            <h3>{t!(i18n, admin.gadget.where_heading)}</h3>
            <dl class="gadget-links">
                <dt>{t!(i18n, admin.gadget.descriptor)}</dt>
                <dd><a href=DESCRIPTOR target="_blank" rel="noopener"><code>{DESCRIPTOR}</code></a></dd>
                <dt>{t!(i18n, admin.gadget.manifest)}</dt>
                <dd><a href=MANIFEST target="_blank" rel="noopener"><code>{MANIFEST}</code></a></dd>
                <dt>{t!(i18n, admin.gadget.script)}</dt>
                <dd><a href=HOST_SCRIPT target="_blank" rel="noopener"><code>{HOST_SCRIPT}</code></a></dd>
            </dl>
        </form>
    }
}
