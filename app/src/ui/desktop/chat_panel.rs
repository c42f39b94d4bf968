//! The current chat (SPEC P): collapsible customer details (with a Messenger or WhatsApp
//! customer's profile there, and the customer's earlier conversations on every channel),
//! the transcript with customer, agent and system lines each with its time, the typing
//! indicator, and the composer.

use super::{
    clock::{day_and_time, time_of_day},
    composer::Composer,
    customer_about::CustomerAbout,
    customer_history::History,
    customer_link::CustomerLink,
    line_files::LineFiles,
    Live,
};
use crate::{
    domain::{
        chat::{Author, ChatLine, LineBody},
        ids::ContactId,
        limits::LATE_MESSAGE_MS,
        meta::MessageStatus,
        protocol::Seq,
    },
    i18n::*,
};
use leptos::prelude::*;

#[component]
pub fn ChatPanel(id: ContactId) -> AnyView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let tab = move || live.model.with(|m| m.tab(id).cloned());
    let details_open = RwSignal::new(true);
    let lines = move || {
        live.model.with(|m| {
            m.tab(id)
                .map(|t| t.lines.values().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let pending = move || {
        live.model.with(|m| {
            m.pending
                .iter()
                .filter(|p| p.contact == id)
                .map(|p| (p.client_id.clone(), p.text.clone(), p.refused))
                .collect::<Vec<_>>()
        })
    };
    let typing = move || tab().is_some_and(|t| t.customer_typing);
    let agent_typing = move || tab().and_then(|t| t.agent_typing);
    // SPEC G-3, G-5: who else is in the chat, and the invitation's notes (the invited
    // agent's alone).
    let others = move || {
        tab()
            .map(|t| t.view.agents)
            .filter(|a| a.len() > 1)
            .map(|a| a.join(", "))
    };
    let notes = move || {
        tab()
            .and_then(|t| t.view.notes)
            .filter(|n| !n.is_empty())
            .map(String::from)
    };
    let name = move || tab().map(|t| t.view.customer.name).unwrap_or_default();
    let transcript = NodeRef::<leptos::html::Ol>::new();
    // Keep the newest line in view.
    Effect::new(move |_| {
        lines();
        pending();
        if let Some(el) = transcript.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });
    view! {
        <div class="chat-panel">
            <section class="customer-details">
                <button
                    class="details-toggle"
                    aria-expanded=move || details_open.get().to_string()
                    aria-controls=format!("details-{id}")
                    on:click=move |_| details_open.update(|o| *o = !*o)
                >
                    {move || if details_open.get() { "▾ " } else { "▸ " }}
                    {name}
                </button>
                <Show when=move || details_open.get()>
                    {move || tab().map(|t| view! {
                        <dl class="details-grid" id=format!("details-{id}")>
                            <div><dt>{t!(i18n, desktop.chat.email)}</dt><dd>{t.view.customer.email.clone().unwrap_or_else(|| "—".into())}</dd></div>
                            <div><dt>{t!(i18n, desktop.chat.phone)}</dt><dd>{t.view.customer.phone.clone().unwrap_or_else(|| "—".into())}</dd></div>
                            // A web chat's problem was chosen in the form; a Messenger or
                            // WhatsApp chat has none, but the person's profile there.
                            {t.view.channel.has_widget().then(|| view! {
                                <div><dt>{t!(i18n, desktop.chat.problem)}</dt><dd>{t.view.problem.clone()}</dd></div>
                            })}
                            {t.view.profile.clone().map(|p| {
                                let p = *p;
                                let channel = p.channel.channel().label(i18n.get_locale_untracked());
                                let shown = p.shown();
                                view! {
                                    <div><dt>{t!(i18n, desktop.chat.profile, channel)}</dt><dd>{shown}</dd></div>
                                }
                            })}
                            // SPEC K-2: the answers to the administrator's own questions.
                            {t.view.details.iter().map(|d| view! {
                                <div><dt>{d.label.clone()}</dt><dd>{d.value.clone()}</dd></div>
                            }).collect_view()}
                            <div><dt>{t!(i18n, desktop.chat.queue)}</dt><dd>{t.view.csq.clone()} " · " {t.view.channel.label(i18n.get_locale_untracked())}</dd></div>
                        </dl>
                    })}
                    // Outside the details redrawn with the tab: what the agent types stays.
                    <CustomerLink id />
                    <CustomerAbout id />
                    {move || tab().map(|t| view! { <History contact=id past=t.view.history /> })}
                </Show>
            </section>
            {move || others().map(|agents| view! {
                <p class="group-banner" role="status">{t!(i18n, desktop.chat.group_with, agents)}</p>
            })}
            {move || notes().map(|n| view! {
                <aside class="invite-notes" aria-label=move || t_string!(i18n, desktop.chat.notes_label)>
                    <strong>{t!(i18n, desktop.chat.notes_lead)}</strong>{n}
                </aside>
            })}
            <ol class="transcript" aria-label=move || t_string!(i18n, desktop.chat.transcript) node_ref=transcript>
                <For each=lines key=|l| l.seq let:line>
                    <Line contact=id line />
                </For>
                <For each=pending key=|p| p.clone() let:((client_id, text, refused))>
                    {if refused {
                        // Refused (the notice says why): the text stays to be read again.
                        view! {
                            <li class="line agent sending refused">
                                <span class="meta">{t!(i18n, desktop.chat.not_sent)}</span>
                                {text}
                                <button type="button" class="quiet dismiss"
                                    aria-label=move || t_string!(i18n, desktop.chat.dismiss)
                                    on:click=move |_| live.dismiss(&client_id)>"×"</button>
                            </li>
                        }.into_any()
                    } else {
                        view! {
                            <li class="line agent sending">
                                <span class="meta">{t!(i18n, desktop.chat.sending)}</span>
                                {text}
                            </li>
                        }.into_any()
                    }}
                </For>
            </ol>
            <p class="typing" aria-live="polite">
                {move || {
                    let mut who: Vec<String> = agent_typing().into_iter().collect();
                    if typing() {
                        who.insert(0, name());
                    }
                    match who.as_slice() {
                        [] => None,
                        [name] => Some(t_string!(i18n, desktop.chat.typing, name).to_string()),
                        [first, second, ..] => {
                            Some(t_string!(i18n, desktop.chat.typing_both, first, second).to_string())
                        }
                    }
                }}
            </p>
            <Composer id />
        </div>
    }
    // Erasing the type keeps rustc's layout depth in check in release builds.
    .into_any()
}

#[component]
fn Line(contact: ContactId, line: ChatLine) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let time = time_of_day(locale, line.at_ms);
    let seq = line.seq;
    match line.body {
        LineBody::Message {
            author,
            text,
            files,
            template,
            sent_at_ms,
            ..
        } => {
            // A message the channel handed over well after it was written says when.
            let written = sent_at_ms
                .filter(|at| line.at_ms - at > LATE_MESSAGE_MS)
                .map(|at| {
                    let when = day_and_time(locale, at);
                    td_string!(locale, desktop.chat.written_at, when = when.as_str()).to_string()
                });
            // SPEC F-3: a WhatsApp template reads as sent, named by its template.
            let template = template.map(|t| {
                td_string!(
                    locale,
                    desktop.chat.template_sent,
                    name = t.name.as_str(),
                    language = t.language.as_str()
                )
                .to_string()
            });
            let (class, who, ours) = match author {
                Author::Customer { name } => ("line customer", name, false),
                Author::Agent { alias, .. } => ("line agent", alias, true),
            };
            view! {
                <li class=class>
                    <span class="meta">
                        {who} " · " {time}
                        {written.map(|w| view! { <span class="written-at">{w}</span> })}
                        {template.map(|t| view! { <span class="template-mark">{t}</span> })}
                        {ours.then(|| view! { <Ticks contact seq /> })}
                    </span>
                    {text}
                    {(!files.is_empty()).then(|| view! {
                        <span class="line-files"><LineFiles contact files /></span>
                    })}
                </li>
            }
            .into_any()
        }
        LineBody::System { note } => view! {
            <li class="line system">
                {note.text_in(locale)} " · " {time}
            </li>
        }
        .into_any(),
    }
}

/// Issue 16: what became of an agent's line on Meta's side (a Messenger or WhatsApp chat):
/// one tick sent, two delivered, two in colour read, a warning when it failed (the line
/// after it says why). Nothing for a web chat, whose lines have no such status.
#[component]
fn Ticks(contact: ContactId, seq: Seq) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let status = move || {
        live.model
            .with(|m| m.tab(contact).and_then(|t| t.statuses.get(&seq).copied()))
    };
    move || {
        status().map(|status| {
            let (mark, label) = match status {
                MessageStatus::Sent => ("✓", t_string!(i18n, desktop.chat.status_sent)),
                MessageStatus::Delivered => ("✓✓", t_string!(i18n, desktop.chat.status_delivered)),
                MessageStatus::Read => ("✓✓", t_string!(i18n, desktop.chat.status_read)),
                MessageStatus::Failed => ("!", t_string!(i18n, desktop.chat.status_failed)),
            };
            view! {
                <span class=format!("tick {}", status.name()) title=label aria-label=label role="img">
                    {mark}
                </span>
            }
        })
    }
}
