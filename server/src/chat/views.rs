//! What the desktop shows of a contact, assembled from the store.

use crate::store::{Store, StoreResult};
use app::domain::{
    contact::Contact,
    protocol::{ContactView, OfferView},
};

async fn csq_name(store: &dyn Store, contact: &Contact) -> StoreResult<String> {
    Ok(store
        .csqs()
        .await?
        .into_iter()
        .find(|c| c.id == contact.csq)
        .map(|c| c.name)
        .unwrap_or_default())
}

pub async fn offer_view(
    store: &dyn Store,
    contact: &Contact,
    expires_at_ms: i64,
) -> StoreResult<OfferView> {
    Ok(OfferView {
        contact: contact.id,
        channel: contact.channel,
        csq: csq_name(store, contact).await?,
        customer: store.customer(contact.customer).await?,
        problem: contact.problem.clone(),
        expires_at_ms,
    })
}

pub async fn contact_view(store: &dyn Store, contact: &Contact) -> StoreResult<ContactView> {
    Ok(ContactView {
        contact: contact.id,
        channel: contact.channel,
        csq: csq_name(store, contact).await?,
        customer: store.customer(contact.customer).await?,
        problem: contact.problem.clone(),
        started_at_ms: contact.created_at_ms,
        wrap_up: match contact.agent {
            Some(agent) => store.wrap_up(contact.id, agent).await?,
            None => Default::default(),
        },
    })
}
