//! The current email (SPEC E-2): the customer's message on the left (subject, sender,
//! recipients, files to download, the body in a sandboxed frame under the server's strict
//! Content-Security-Policy, remote images only after "Show images"), the reply side on the
//! right with the email's actions (SPEC ).

use super::{clock::time_of_day, reply::ReplyPanel, Live};
use crate::domain::{
    email::{human_size, EmailAddress, EmailView},
    ids::ContactId,
};
use leptos::prelude::*;

fn addresses(list: &[EmailAddress]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn EmailPanel(id: ContactId) -> AnyView {
    let live = expect_context::<Live>();
    // The email's details do not change while it is in hand: read once.
    let email: Option<EmailView> = live
        .model
        .with_untracked(|m| m.tab(id).and_then(|t| t.view.email.as_deref().cloned()));
    let Some(email) = email else {
        return view! { <p class="empty centered">"This email is no longer in your hands."</p> }
            .into_any();
    };
    let show_images = RwSignal::new(false);
    let src = move || {
        if show_images.get() {
            format!("/email/{id}/body?images=1")
        } else {
            format!("/email/{id}/body")
        }
    };
    let from = email.from.to_string();
    let title = format!("Email from {from}");
    let files: Vec<_> = email
        .attachments
        .iter()
        .filter(|a| !a.inline)
        .cloned()
        .collect();
    let received = time_of_day(email.received_at_ms);
    let to = addresses(&email.to);
    let cc = addresses(&email.cc);
    let subject = if email.subject.is_empty() {
        "(no subject)".to_string()
    } else {
        email.subject.clone()
    };
    view! {
        <div class="email-panel">
            <article class="email-message" aria-label="The customer's email">
                <header class="email-head">
                    <h3 class="email-subject">{subject}</h3>
                    <dl class="email-meta">
                        <div><dt>"From"</dt><dd>{from.clone()}</dd></div>
                        {(!to.is_empty()).then(|| view! { <div><dt>"To"</dt><dd>{to}</dd></div> })}
                        {(!cc.is_empty()).then(|| view! { <div><dt>"Cc"</dt><dd>{cc}</dd></div> })}
                        <div><dt>"Received"</dt><dd>{received}</dd></div>
                    </dl>
                    {(!files.is_empty()).then(|| view! {
                        <ul class="attachments" aria-label="Attachments">
                            {files.into_iter().map(|a| view! {
                                <li>
                                    <a class="attachment" href=format!("/email/attachments/{}", a.id) download=a.name.clone()>
                                        <span class="attachment-name">{a.name.clone()}</span>
                                        <span class="attachment-size">{human_size(a.size)}</span>
                                    </a>
                                </li>
                            }).collect_view()}
                        </ul>
                    })}
                    {(!email.skipped.is_empty()).then(|| view! {
                        <ul class="skipped" aria-label="Parts not kept">
                            {email.skipped.iter().map(|s| view! {
                                <li>{format!("{} ({}): {}", s.name, human_size(s.size), s.reason)}</li>
                            }).collect_view()}
                        </ul>
                    })}
                    {email.has_remote_images.then(|| view! {
                        <p class="remote-images" role="status">
                            <Show
                                when=move || show_images.get()
                                fallback=move || view! {
                                    "Images from other servers are blocked to protect your privacy. "
                                    <button class="quiet" on:click=move |_| show_images.set(true)>"Show images"</button>
                                }
                            >
                                "Images from other servers are shown."
                            </Show>
                        </p>
                    })}
                </header>
                <iframe
                    class="email-body"
                    title=title
                    src=src
                    sandbox="allow-popups allow-popups-to-escape-sandbox"
                    referrerpolicy="no-referrer"
                ></iframe>
            </article>
            <ReplyPanel id email=email.clone() />
        </div>
    }
    .into_any()
}
