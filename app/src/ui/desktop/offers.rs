//! Incoming chat offers (SPEC O-2) and invitations to join a chat (G-2): shown above
//! whichever gadget is open, each with its details, the countdown kept by the server, and
//! the answers.

use super::{clock::Clock, gadget_tabs::GadgetTab, model::Arrival, Live};
use crate::{
    domain::{
        contact::Channel,
        protocol::{ClientCommand, InvitationView, OfferView},
    },
    i18n::*,
    ui::icons::ChannelIcon,
};
use leptos::prelude::*;

#[component]
pub fn OfferNotifications() -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let offers = move || live.model.with(|m| m.offers.clone());
    let invitations = move || live.model.with(|m| m.invitations.clone());
    let arrivals = move || live.model.with(|m| m.arrivals.clone());
    view! {
        <section class="offers" aria-label=move || t_string!(i18n, desktop.offers.label) aria-live="assertive">
            <For each=offers key=|o| o.contact let:offer>
                <OfferCard offer />
            </For>
            <For each=invitations key=|i| i.contact let:invitation>
                <InvitationCard invitation />
            </For>
            <For each=arrivals key=|a| a.contact let:arrival>
                <EmailArrivalCard arrival />
            </For>
        </section>
    }
}

/// SPEC G-2: who invites, for which customer, the notes, Accept and Decline.
#[component]
fn InvitationCard(invitation: InvitationView) -> impl IntoView {
    let live = expect_context::<Live>();
    let clock = expect_context::<Clock>();
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let contact = invitation.contact;
    let left = clock.countdown(invitation.expires_at_ms);
    let answer = move |accept: bool| live.send(ClientCommand::AnswerInvitation { contact, accept });
    view! {
        <article class="offer-card invitation" aria-label=td_string!(locale, desktop.offers.invitation_label, name = &invitation.from).to_string()>
            <div class="offer-icon" aria-hidden="true">"+"</div>
            <div class="offer-body">
                <p class="offer-title">
                    <strong>{invitation.from.clone()}</strong>
                    <span class="muted">{t!(i18n, desktop.offers.invites_you)}</span>
                    <strong>{invitation.customer.clone()}</strong>
                    <span class="muted">" · " {invitation.csq.clone()}</span>
                </p>
                {(!invitation.notes.is_empty()).then(|| view! {
                    <p class="offer-detail invitation-notes">{invitation.notes.clone()}</p>
                })}
            </div>
            <div class="offer-actions">
                <span class="countdown" role="timer" aria-label=move || t_string!(i18n, desktop.offers.seconds_to_answer)>
                    {t!(i18n, desktop.offers.countdown, seconds = left)}
                </span>
                <button on:click=move |_| answer(false)>{t!(i18n, desktop.offers.decline)}</button>
                <button class="primary" on:click=move |_| answer(true)>{t!(i18n, desktop.offers.accept)}</button>
            </div>
        </article>
    }
}

/// SPEC E-1: a new email is already the agent's; the card says so and offers to open it.
#[component]
fn EmailArrivalCard(arrival: Arrival) -> impl IntoView {
    let live = expect_context::<Live>();
    let gadget = expect_context::<RwSignal<GadgetTab>>();
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let contact = arrival.contact;
    let subject = if arrival.subject.is_empty() {
        td_string!(locale, desktop.no_subject).to_string()
    } else {
        arrival.subject.clone()
    };
    view! {
        <article class="offer-card email-arrival" aria-label=td_string!(locale, desktop.offers.new_email_label, name = &arrival.from).to_string()>
            <div class="offer-icon"><ChannelIcon channel=Channel::Email /></div>
            <div class="offer-body">
                <p class="offer-title">
                    <span class="muted">{t!(i18n, desktop.offers.new_email_from)}</span>
                    <strong>{arrival.from.clone()}</strong>
                </p>
                <p class="offer-detail">{subject}</p>
            </div>
            <div class="offer-actions">
                <button on:click=move |_| live.model.update(|m| m.dismiss_arrival(contact))>
                    {t!(i18n, desktop.offers.dismiss)}
                </button>
                <button class="primary" on:click=move |_| {
                    live.model.update(|m| m.select(contact));
                    gadget.set(GadgetTab::Manage);
                }>{t!(i18n, desktop.offers.open)}</button>
            </div>
        </article>
    }
}

#[component]
fn OfferCard(offer: OfferView) -> impl IntoView {
    let live = expect_context::<Live>();
    let clock = expect_context::<Clock>();
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let contact = offer.contact;
    let left = clock.countdown(offer.expires_at_ms);
    let customer = offer.customer.clone();
    view! {
        <article class="offer-card" aria-label=td_string!(locale, desktop.offers.chat_offer_label, name = &customer.name).to_string()>
            <div class="offer-icon"><ChannelIcon channel=offer.channel /></div>
            <div class="offer-body">
                <p class="offer-title">
                    <strong>{customer.name.clone()}</strong>
                    <span class="muted">" · " {offer.channel.label(locale)} " · " {offer.csq.clone()}</span>
                </p>
                <p class="offer-detail">{offer.problem.clone()}</p>
                <p class="offer-detail muted">
                    {customer.email.clone().unwrap_or_default()}
                    {customer.phone.clone().map(|p| format!(" · {p}"))}
                </p>
                // SPEC K-2, O-2: the answers to the pre-chat form's own questions.
                {(!offer.details.is_empty()).then(|| view! {
                    <dl class="offer-answers">
                        {offer.details.iter().map(|d| view! {
                            // A long answer is cut to one line here; its title and the
                            // chat's details hold it whole.
                            <div><dt>{d.label.clone()}</dt><dd title=d.value.clone()>{d.value.clone()}</dd></div>
                        }).collect_view()}
                    </dl>
                })}
            </div>
            <div class="offer-actions">
                <span class="countdown" role="timer" aria-label=move || t_string!(i18n, desktop.offers.seconds_to_accept)>
                    {t!(i18n, desktop.offers.countdown, seconds = left)}
                </span>
                <button class="primary" on:click=move |_| live.accept(contact)>{t!(i18n, desktop.offers.accept)}</button>
            </div>
        </article>
    }
}
