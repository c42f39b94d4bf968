//! Issue 16: a customer's earlier conversations on every channel, as a contact's customer
//! details list them (chats and emails alike); issue 17 (SPEC P-5): each opens read-only,
//! a chat's transcript or the customer's email, below the list.

use super::{clock::day_and_time, clock::time_of_day, Live};
use crate::{
    domain::{
        chat::{Author, LineBody},
        customer::{PastContact, PastConversation},
        ids::ContactId,
        limits::PAST_TRANSCRIPT_LINES,
    },
    i18n::*,
    ui::icons::ChannelIcon,
};
use leptos::prelude::*;

/// The customer's earlier conversations on every channel, newest first: when, on which
/// channel and queue, with whom, what about and the wrap-up reasons chosen; each one opens
/// read-only.
#[component]
pub fn History(contact: ContactId, past: Vec<PastContact>) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    (!past.is_empty()).then(|| {
        let count = past.len();
        view! {
            <section class="history" aria-label=move || t_string!(i18n, desktop.chat.history, count).to_string()>
                <h3>{t!(i18n, desktop.chat.history, count)}</h3>
                <ol>
                    {past.into_iter().map(|p| {
                        let when = day_and_time(locale, p.started_at_ms);
                        let agent = p.agent.map(|a| format!(" · {a}"));
                        let reasons = (!p.wrap_up.is_empty()).then(|| {
                            let reasons = p.wrap_up.join(", ");
                            td_string!(locale, desktop.chat.past.wrap_up, reasons = reasons.as_str()).to_string()
                        });
                        let label = td_string!(locale, desktop.chat.past.read_label, when = when.as_str()).to_string();
                        let earlier = p.contact;
                        view! {
                            <li>
                                <span class="history-meta">
                                    <ChannelIcon channel=p.channel />
                                    {when} " · " {p.channel.label(locale)} " · " {p.csq} {agent}
                                </span>
                                <span class="history-about">{p.about}</span>
                                {reasons.map(|r| view! { <span class="history-wrap-up">{r}</span> })}
                                <button type="button" class="quiet history-read" aria-label=label
                                    on:click=move |_| live.read_past(contact, earlier)>
                                    {t!(i18n, desktop.chat.past.read)}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <PastRead contact />
            </section>
        }
    })
}

/// The earlier conversation the agent opened, read-only, until they close it.
#[component]
fn PastRead(contact: ContactId) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let shown = move || {
        live.past
            .get()
            .filter(|(c, _)| *c == contact)
            .map(|(_, past)| past)
    };
    move || {
        shown().map(|past: PastConversation| {
            let when = day_and_time(locale, past.started_at_ms);
            let title = td_string!(
                locale,
                desktop.chat.past.title,
                channel = past.channel.label(locale),
                when = when.as_str()
            )
            .to_string();
            let heading = title.clone();
            let cut = past.cut.then(|| view! {
                <li class="line system">{t!(i18n, desktop.chat.past.cut, count = PAST_TRANSCRIPT_LINES)}</li>
            });
            let body = past_body(past, locale, day_and_time, time_of_day, cut);
            view! {
                <section class="past-read" aria-label=title>
                    <header class="past-head">
                        <h4>{heading}</h4>
                        <button type="button" on:click=move |_| live.past.set(None)>
                            {t!(i18n, desktop.chat.past.close)}
                        </button>
                    </header>
                    {body}
                </section>
            }
        })
    }
}

/// An earlier conversation's content, read-only: an email's subject, sender and text (and
/// the reply sent), or a
/// chat's lines with their times (`day_time` and `time` write them: the desktop's local
/// clock, or UTC on the Conversations page), then `cut` when the transcript goes on.
pub fn past_body(
    past: PastConversation,
    locale: Locale,
    day_time: fn(Locale, i64) -> String,
    time: fn(Locale, i64) -> String,
    cut: impl IntoView + 'static,
) -> AnyView {
    // Issue 17: its customer was erased, or the retention reached it: nothing to show.
    if let Some(at) = past.erased_at_ms {
        let when = day_time(locale, at);
        return view! {
            <p class="muted past-erased">
                {td_string!(locale, desktop.chat.past.erased, when = when.as_str()).to_string()}
            </p>
        }
        .into_any();
    }
    match past.email {
        Some(email) => {
            let received = day_time(locale, email.received_at_ms);
            let from = if email.to.is_empty() {
                email.from
            } else {
                td_string!(locale, desktop.chat.past.from_to, from = email.from.as_str(), to = email.to.as_str())
                    .to_string()
            };
            let reply = email.reply.map(|reply| view! {
                <p class="past-email-head">
                    <strong>{td_string!(locale, desktop.chat.past.reply_sent)}</strong>
                </p>
                <p class="past-email-text">{reply}</p>
            });
            view! {
                <div class="past-email">
                    <p class="past-email-head"><strong>{email.subject}</strong></p>
                    <p class="muted">{from} " · " {received}</p>
                    <p class="past-email-text">{email.text}</p>
                    {reply}
                </div>
            }
            .into_any()
        }
        None => view! {
            <ol class="transcript past-transcript">
                {past.lines.into_iter().map(|line| {
                    let time = time(locale, line.at_ms);
                    match line.body {
                        LineBody::Message { author, text, files, .. } => {
                            let (class, who) = match author {
                                Author::Customer { name } => ("line customer", name),
                                Author::Agent { alias, .. } => ("line agent", alias),
                            };
                            let files = files.into_iter().map(|f| f.name).collect::<Vec<_>>().join(", ");
                            view! {
                                <li class=class>
                                    <span class="meta">{who} " · " {time}</span>
                                    {text}
                                    {(!files.is_empty()).then(|| view! { <span class="line-files">{files}</span> })}
                                </li>
                            }
                            .into_any()
                        }
                        LineBody::System { note } => view! {
                            <li class="line system">{note.text_in(locale)} " · " {time}</li>
                        }
                        .into_any(),
                    }
                }).collect_view()}
                {cut}
            </ol>
        }
        .into_any(),
    }
}
