//! The current email (SPEC E-2): the customer's message on the left (subject, sender,
//! recipients, files to download, the body in a sandboxed frame under the server's strict
//! Content-Security-Policy, remote images only after "Show images"), the customer's earlier
//! conversations on every channel and "Same customer as…" (issue 17), the reply side on the
//! right with the email's actions (SPEC ).

use super::{
    clock::time_of_day, customer_about::CustomerAbout, customer_history::History,
    customer_link::CustomerLink, reply::ReplyPanel, Live,
};
use crate::{
    domain::{
        email::{EmailAddress, EmailView},
        ids::ContactId,
        language::number,
        limits::MB,
    },
    i18n::*,
};
use leptos::prelude::*;

fn addresses(list: &[EmailAddress]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A file's size as people read it, in the page's language: the steps of
/// [`crate::domain::email::human_size`] (B, KB, then MB with one decimal).
pub(super) fn size_text(locale: Locale, bytes: u64) -> String {
    const KB: u64 = 1024;
    if bytes < KB {
        td_string!(locale, email.size.bytes, n = number(locale, bytes))
    } else if bytes < MB {
        td_string!(
            locale,
            email.size.kb,
            n = number(locale, bytes.div_ceil(KB))
        )
    } else {
        let megabytes = format!("{:.1}", bytes as f64 / MB as f64);
        let megabytes = match locale {
            Locale::en => megabytes,
            Locale::fr => megabytes.replace('.', ","),
        };
        td_string!(locale, email.size.mb, n = megabytes)
    }
}

#[component]
pub fn EmailPanel(id: ContactId) -> AnyView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    // The email's details do not change while it is in hand: read once.
    let email: Option<EmailView> = live
        .model
        .with_untracked(|m| m.tab(id).and_then(|t| t.view.email.as_deref().cloned()));
    let Some(email) = email else {
        return view! { <p class="empty centered">{t!(i18n, email.panel.gone)}</p> }.into_any();
    };
    // Issue 16: the customer's earlier conversations, on every channel, as they change
    // (issue 17: a link made from this email brings the other record's).
    let history = Memo::new(move |_| {
        live.model
            .with(|m| m.tab(id).map(|t| t.view.history.clone()))
            .unwrap_or_default()
    });
    let show_images = RwSignal::new(false);
    let src = move || {
        if show_images.get() {
            format!("/email/{id}/body?images=1")
        } else {
            format!("/email/{id}/body")
        }
    };
    let from = email.from.to_string();
    let title = {
        let from = from.clone();
        move || t_string!(i18n, email.panel.body_title, from = from.clone())
    };
    let files: Vec<_> = email
        .attachments
        .iter()
        .filter(|a| !a.inline)
        .cloned()
        .collect();
    let received = time_of_day(use_i18n().get_locale_untracked(), email.received_at_ms);
    let to = addresses(&email.to);
    let cc = addresses(&email.cc);
    let subject = if email.subject.is_empty() {
        t_string!(i18n, email.panel.no_subject).to_string()
    } else {
        email.subject.clone()
    };
    view! {
        <div class="email-panel">
            <article class="email-message" aria-label=move || t_string!(i18n, email.panel.message)>
                <header class="email-head">
                    <h3 class="email-subject">{subject}</h3>
                    <dl class="email-meta">
                        <div><dt>{t!(i18n, email.panel.from)}</dt><dd>{from.clone()}</dd></div>
                        {(!to.is_empty()).then(|| view! { <div><dt>{t!(i18n, email.panel.to)}</dt><dd>{to}</dd></div> })}
                        {(!cc.is_empty()).then(|| view! { <div><dt>{t!(i18n, email.panel.cc)}</dt><dd>{cc}</dd></div> })}
                        <div><dt>{t!(i18n, email.panel.received)}</dt><dd>{received}</dd></div>
                    </dl>
                    <CustomerLink id />
                    <CustomerAbout id />
                    {move || view! { <History contact=id past=history.get() /> }}
                    {(!files.is_empty()).then(|| view! {
                        <ul class="attachments" aria-label=move || t_string!(i18n, email.panel.attachments)>
                            {files.into_iter().map(|a| view! {
                                <li>
                                    <a class="attachment" href=format!("/email/attachments/{}", a.id) download=a.name.clone()>
                                        <span class="attachment-name">{a.name.clone()}</span>
                                        <span class="attachment-size">{move || size_text(i18n.get_locale(), a.size)}</span>
                                    </a>
                                </li>
                            }).collect_view()}
                        </ul>
                    })}
                    {(!email.skipped.is_empty()).then(|| view! {
                        <ul class="skipped" aria-label=move || t_string!(i18n, email.panel.skipped)>
                            {email.skipped.iter().map(|s| {
                                let (name, size, reason) = (s.name.clone(), s.size, s.reason.clone());
                                view! {
                                    <li>{move || t_string!(
                                        i18n,
                                        email.panel.skipped_part,
                                        name = name.clone(),
                                        size = size_text(i18n.get_locale(), size),
                                        reason = reason.clone()
                                    )}</li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                    {email.has_remote_images.then(|| view! {
                        <p class="remote-images" role="status">
                            <Show
                                when=move || show_images.get()
                                fallback=move || view! {
                                    {t!(i18n, email.panel.images_blocked)}
                                    <button class="quiet" on:click=move |_| show_images.set(true)>{t!(i18n, email.panel.show_images)}</button>
                                }
                            >
                                {t!(i18n, email.panel.images_shown)}
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps of `human_size`, with the units, decimal comma and spacing of the language.
    #[test]
    fn sizes_read_in_the_page_language() {
        assert_eq!(size_text(Locale::en, 512), "512 B");
        assert_eq!(size_text(Locale::en, 1500), "2 KB");
        assert_eq!(size_text(Locale::en, 11 * MB), "11.0 MB");
        assert_eq!(size_text(Locale::en, MB + MB / 2), "1.5 MB");
        assert_eq!(size_text(Locale::fr, 512), "512\u{a0}o");
        assert_eq!(size_text(Locale::fr, 1500), "2\u{a0}Ko");
        assert_eq!(size_text(Locale::fr, MB + MB / 2), "1,5\u{a0}Mo");
        // Numbers go through `domain::language::number` (four digits stay together).
        assert_eq!(size_text(Locale::en, 1023), "1023 B");
        assert_eq!(size_text(Locale::fr, 1023), "1023\u{a0}o");
    }
}
