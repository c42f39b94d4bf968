//! Messages set aside: what a mailbox could not give or Switchboard could not read after
//! three tries. Each stays in its mailbox; the list tells the administrator which one, why,
//! and how to have it read again.

use crate::domain::{email::UnreadableEmail, time::date_time_utc};
use leptos::prelude::*;

#[component]
pub fn UnreadableEmailsSection(emails: Vec<UnreadableEmail>) -> impl IntoView {
    let empty = emails.is_empty();
    view! {
        <section class="card admin-section" aria-labelledby="unreadable-title">
            <h2 id="unreadable-title">"Emails that could not be read"</h2>
            {if empty {
                view! {
                    <p class="muted">"None: every message of the mailboxes became an email."</p>
                }
                .into_any()
            } else {
                view! {
                    <p class="muted">
                        "Switchboard tried each of these three times and set it aside, so the "
                        "mailbox's next messages were taken. Each is still in its mailbox, flagged "
                        <code>"$SwitchboardUnreadable"</code>
                        ". To have one read again, move it to another folder and back."
                    </p>
                    <div class="table-scroll">
                        <table class="unreadable-list">
                            <thead>
                                <tr>
                                    <th scope="col">"Set aside"</th>
                                    <th scope="col">"Mailbox"</th>
                                    <th scope="col">"From and subject"</th>
                                    <th scope="col">"What went wrong"</th>
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
    let from = if email.from.is_empty() {
        "Sender unknown".to_string()
    } else {
        email.from
    };
    let subject = if email.subject.is_empty() {
        "(no subject given)".to_string()
    } else {
        email.subject
    };
    view! {
        <tr>
            <td class="nowrap">{date_time_utc(email.set_aside_at_ms)}</td>
            <td>{email.mailbox}<span class="hint">" · UID "{email.uid}</span></td>
            <td><div>{from}</div><div class="hint">{subject}</div></td>
            <td class="error-text">{email.error}</td>
        </tr>
    }
}
