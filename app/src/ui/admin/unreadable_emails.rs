//! Messages set aside: what a mailbox could not give or Switchboard could not read after
//! three tries. Each stays in its mailbox; the list tells the administrator which one, why,
//! and how to have it read again.

use crate::{
    domain::{set_aside::UnreadableEmail, time::date_time_utc},
    i18n::*,
};
use leptos::prelude::*;

/// The IMAP keyword the server flags a message set aside with (the server's
/// `email::imap::UNREADABLE_KEYWORD`): a name, not words to translate.
const UNREADABLE_KEYWORD: &str = "$SwitchboardUnreadable";

#[component]
pub fn UnreadableEmailsSection(emails: Vec<UnreadableEmail>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = emails.is_empty();
    view! {
        <section class="card admin-section" aria-labelledby="unreadable-title">
            <h2 id="unreadable-title">{t!(i18n, admin.unreadable.title)}</h2>
            {if empty {
                view! {
                    <p class="muted">{t!(i18n, admin.unreadable.empty)}</p>
                }
                .into_any()
            } else {
                view! {
                    <p class="muted">
                        {t!(
                            i18n,
                            admin.unreadable.intro,
                            flag = || view! { <code>{UNREADABLE_KEYWORD}</code> }
                        )}
                    </p>
                    <div class="table-scroll">
                        <table class="unreadable-list">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, admin.unreadable.columns.set_aside)}</th>
                                    <th scope="col">{t!(i18n, admin.unreadable.columns.mailbox)}</th>
                                    <th scope="col">{t!(i18n, admin.unreadable.columns.from_subject)}</th>
                                    <th scope="col">{t!(i18n, admin.unreadable.columns.error)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {emails
                                    .into_iter()
                                    .map(|e| view! { <UnreadableRow email=e /> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn UnreadableRow(email: UnreadableEmail) -> impl IntoView {
    let i18n = use_i18n();
    let from = if email.from.is_empty() {
        t!(i18n, admin.unreadable.sender_unknown).into_any()
    } else {
        email.from.into_any()
    };
    let subject = if email.subject.is_empty() {
        t!(i18n, admin.unreadable.no_subject).into_any()
    } else {
        email.subject.into_any()
    };
    view! {
        <tr>
            <td class="nowrap">{date_time_utc(i18n.get_locale_untracked(), email.set_aside_at_ms)}</td>
            <td>{email.mailbox}<span class="hint">" · "{t!(i18n, admin.unreadable.uid, uid = email.uid)}</span></td>
            <td><div>{from}</div><div class="hint">{subject}</div></td>
            <td class="error-text">{move || email.reason.message(i18n.get_locale())}</td>
        </tr>
    }
}
