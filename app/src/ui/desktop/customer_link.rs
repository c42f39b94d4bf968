//! Issue 16: one customer across channels, in a chat's customer details. The agent says
//! the chat's customer is a known one ("Same customer as…" an email address or phone
//! number), and the page suggests it when a Messenger or WhatsApp customer writes an
//! address a known customer gave. Either way the agent reads who that customer is and
//! confirms before the two records become one: anyone can type an address.

use super::{clock::day_and_time, model::ContactTab, Live};
use crate::{
    domain::{
        customer::{CustomerAddress, CustomerMatch},
        ids::ContactId,
        protocol::ClientCommand,
    },
    i18n::*,
};
use leptos::prelude::*;

#[component]
pub fn CustomerLink(id: ContactId) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    // Read without copying the tab, which changes with every line and keystroke.
    let own = Memo::new(move |_| live.model.with(|m| m.tab(id).map(|t| t.view.customer.id)));
    let lookup = move |address: &CustomerAddress| {
        live.model
            .with(|m| m.tab(id).and_then(|t| t.lookup(address).cloned()))
    };
    // The manual lookup: open, what is typed, its problem, the address asked.
    let open = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let asked = RwSignal::new(None::<CustomerAddress>);
    // The known customer the agent is confirming a link to.
    let confirming = RwSignal::new(None::<CustomerMatch>);
    // What the customer wrote is looked up once per address.
    Effect::new(move |_| {
        let ask = live
            .model
            .with(|m| m.tab(id).map(ContactTab::to_look_up))
            .unwrap_or_default();
        for address in ask {
            live.find_customer(id, &address);
        }
    });
    let suggestions = Memo::new(move |_| {
        live.model
            .with(|m| m.tab(id).map(ContactTab::suggestions))
            .unwrap_or_default()
    });
    let look_up = move || match CustomerAddress::parse(&typed.get_untracked()) {
        Ok(address) => {
            problem.set(None);
            confirming.set(None);
            asked.set(Some(address.clone()));
            live.find_customer(id, &address);
        }
        Err(e) => problem.set(Some(e.message(i18n.get_locale_untracked()))),
    };
    // A memo: redrawn when the answer changes, not with every line (focus stays).
    let answer = Memo::new(move |_| {
        let address = asked.get()?;
        let found = lookup(&address)?;
        Some((address, found))
    });
    let link = move |found: CustomerMatch| {
        live.send(ClientCommand::LinkCustomer {
            contact: id,
            customer: found.customer.id,
        });
        confirming.set(None);
        open.set(false);
        asked.set(None);
        typed.set(String::new());
    };
    let input_id = format!("same-customer-{id}");
    let hint_id = format!("same-customer-hint-{id}");
    view! {
        <div class="customer-link">
            <For each=move || suggestions.get() key=|(a, f)| (a.clone(), f.customer.id) let:((address, found))>
                {
                    let put_away = address.clone();
                    let address = address.shown();
                    let name = found.customer.name.clone();
                    view! {
                        <p class="link-suggestion" role="status">
                            {t!(i18n, desktop.chat.link.suggestion, address, name)}
                            " "
                            <button type="button" on:click=move |_| confirming.set(Some(found.clone()))>
                                {t!(i18n, desktop.chat.link.same)}
                            </button>
                            <button type="button" class="quiet" on:click=move |_| {
                                let address = put_away.clone();
                                live.model.update(|m| m.dismiss_suggestion(id, address));
                            }>
                                {t!(i18n, desktop.chat.link.not_same)}
                            </button>
                        </p>
                    }
                }
            </For>
            <Show when=move || !open.get() && confirming.with(Option::is_none)>
                <button type="button" class="quiet link-open" on:click=move |_| open.set(true)>
                    {t!(i18n, desktop.chat.link.open)}
                </button>
            </Show>
            <Show when=move || open.get() && confirming.with(Option::is_none)>
                <form class="link-form" on:submit=move |ev| { ev.prevent_default(); look_up(); }>
                    <label for=input_id.clone()>{t!(i18n, desktop.chat.link.label)}</label>
                    <input id=input_id.clone() type="text" autocomplete="off"
                        aria-describedby=hint_id.clone()
                        aria-invalid=move || problem.with(Option::is_some).to_string()
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <button type="submit">{t!(i18n, desktop.chat.link.look_up)}</button>
                    <button type="button" class="quiet" on:click=move |_| {
                        open.set(false);
                        asked.set(None);
                        problem.set(None);
                    }>{t!(i18n, desktop.chat.link.cancel)}</button>
                    <span class="muted link-hint" id=hint_id.clone()>{t!(i18n, desktop.chat.link.hint)}</span>
                    <span class="field-error" role="alert">{move || problem.get()}</span>
                    {move || answer.get().map(|(address, found)| {
                        let address = address.shown();
                        match found {
                            None => view! {
                                <p class="link-answer" role="status">{t!(i18n, desktop.chat.link.nobody, address)}</p>
                            }.into_any(),
                            Some(found) if Some(found.customer.id) == own.get() => view! {
                                <p class="link-answer" role="status">{t!(i18n, desktop.chat.link.already, address)}</p>
                            }.into_any(),
                            Some(found) => view! {
                                <Found found=found.clone() />
                                <button type="button" on:click=move |_| confirming.set(Some(found.clone()))>
                                    {t!(i18n, desktop.chat.link.same)}
                                </button>
                            }.into_any(),
                        }
                    })}
                </form>
            </Show>
            {move || confirming.get().map(|found| {
                let name = found.customer.name.clone();
                let button_name = name.clone();
                let linked = found.clone();
                view! {
                    <div class="link-confirm" role="alertdialog" aria-label=move || t_string!(i18n, desktop.chat.link.open).to_string()>
                        <Found found=found.clone() />
                        <p>{t!(i18n, desktop.chat.link.confirm, name)}</p>
                        <button type="button" class="primary" on:click=move |_| link(linked.clone())>
                            {t!(i18n, desktop.chat.link.link, name = button_name.clone())}
                        </button>
                        <button type="button" class="quiet" on:click=move |_| confirming.set(None)>
                            {t!(i18n, desktop.chat.link.cancel)}
                        </button>
                    </div>
                }
            })}
        </div>
    }
}

/// Who a known customer is, as the agent confirms a link: name, addresses, and how many
/// conversations they had, the last when.
#[component]
fn Found(found: CustomerMatch) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let c = found.customer;
    let addresses = [c.email, c.phone]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let count = found.conversations;
    let history = match found.last_at_ms {
        Some(at) => {
            let when = day_and_time(locale, at);
            t_string!(i18n, desktop.chat.link.conversations, count, when).to_string()
        }
        None => t_string!(i18n, desktop.chat.link.no_conversation).to_string(),
    };
    view! {
        <p class="link-found">
            <strong>{c.name}</strong>
            {(!addresses.is_empty()).then(|| format!(" · {addresses}"))}
            <span class="muted">{format!(" · {history}")}</span>
        </p>
    }
}
