//! Incoming chat offers (SPEC O-2): shown above whichever gadget is open, each with the
//! customer's details, the accept countdown kept by the server, and Accept.

use super::{
    clock::{seconds_left, Clock},
    Live,
};
use crate::{domain::protocol::OfferView, ui::icons::ChannelIcon};
use leptos::prelude::*;

#[component]
pub fn OfferNotifications() -> impl IntoView {
    let live = expect_context::<Live>();
    let offers = move || live.model.with(|m| m.offers.clone());
    view! {
        <section class="offers" aria-label="Incoming offers" aria-live="assertive">
            <For each=offers key=|o| o.contact let:offer>
                <OfferCard offer />
            </For>
        </section>
    }
}

#[component]
fn OfferCard(offer: OfferView) -> impl IntoView {
    let live = expect_context::<Live>();
    let clock = expect_context::<Clock>();
    let contact = offer.contact;
    let left = move || seconds_left(offer.expires_at_ms, clock.now.get());
    let customer = offer.customer.clone();
    view! {
        <article class="offer-card" aria-label=format!("Chat offer from {}", customer.name)>
            <div class="offer-icon"><ChannelIcon channel=offer.channel /></div>
            <div class="offer-body">
                <p class="offer-title">
                    <strong>{customer.name.clone()}</strong>
                    <span class="muted">" · " {offer.channel.to_string()} " · " {offer.csq.clone()}</span>
                </p>
                <p class="offer-detail">{offer.problem.clone()}</p>
                <p class="offer-detail muted">
                    {customer.email.clone().unwrap_or_default()}
                    {customer.phone.clone().map(|p| format!(" · {p}"))}
                </p>
            </div>
            <div class="offer-actions">
                <span class="countdown" role="timer" aria-label="Seconds left to accept">
                    {left} " s"
                </span>
                <button class="primary" on:click=move |_| live.accept(contact)>"Accept"</button>
            </div>
        </article>
    }
}
