//! What the desktop shows of a contact, assembled from the store.

use crate::store::{Guest, Store, StoreResult};
use app::domain::{
    contact::Contact,
    csq::WrapUpReason,
    ids::{AgentId, ContactId},
    meta::{MetaChannel, ReplyRule},
    protocol::{ContactView, InvitationView, OfferView},
    wrap_up::WrapUp,
};

pub async fn offer_view(
    store: &dyn Store,
    contact: &Contact,
    expires_at_ms: i64,
) -> StoreResult<OfferView> {
    Ok(OfferView {
        contact: contact.id,
        channel: contact.channel,
        csq: store.csq_name(contact.csq).await?,
        customer: store.customer(contact.customer).await?,
        problem: contact.problem.clone(),
        details: contact.details.clone(),
        expires_at_ms,
    })
}

/// The aliases of the agents in a chat, the owner first (SPEC G-3).
pub async fn agent_aliases(store: &dyn Store, contact: &Contact) -> StoreResult<Vec<String>> {
    let guest = store.guest(contact.id).await?;
    aliases_with(store, contact, guest.as_ref()).await
}

/// [`agent_aliases`] with the chat's guest already read.
async fn aliases_with(
    store: &dyn Store,
    contact: &Contact,
    guest: Option<&Guest>,
) -> StoreResult<Vec<String>> {
    let mut aliases = Vec::new();
    if let Some(owner) = contact.agent {
        aliases.push(store.agent(owner).await?.alias);
    }
    if let Some(guest) = guest {
        aliases.push(store.agent(guest.agent).await?.alias);
    }
    Ok(aliases)
}

/// The contact as `agent`'s tab shows it: the wrap-up of that agent, and the invitation's
/// notes only when `agent` is the invited one (SPEC G-5).
pub async fn contact_view(
    store: &dyn Store,
    contact: &Contact,
    agent: AgentId,
) -> StoreResult<ContactView> {
    let guest = store.guest(contact.id).await?;
    let wrap_up = store.wrap_up(contact.id, agent).await?;
    let agents = aliases_with(store, contact, guest.as_ref()).await?;
    let notes = guest.filter(|g| g.agent == agent).map(|g| g.notes);
    assemble(store, contact, wrap_up, agents, notes).await
}

/// The tab of a chat its owner has just accepted, from what the accept already holds: no
/// guest can be in it yet and no reason chosen, so neither is read again.
pub async fn accepted_view(
    store: &dyn Store,
    contact: &Contact,
    alias: String,
    offered: Vec<WrapUpReason>,
) -> StoreResult<ContactView> {
    let wrap_up = WrapUp {
        offered,
        selected: Vec::new(),
    };
    assemble(store, contact, wrap_up, vec![alias], None).await
}

async fn assemble(
    store: &dyn Store,
    contact: &Contact,
    wrap_up: WrapUp,
    agents: Vec<String>,
    notes: Option<String>,
) -> StoreResult<ContactView> {
    Ok(ContactView {
        contact: contact.id,
        channel: contact.channel,
        csq: store.csq_name(contact.csq).await?,
        csq_id: contact.csq,
        customer: store.customer(contact.customer).await?,
        problem: contact.problem.clone(),
        details: contact.details.clone(),
        started_at_ms: contact.created_at_ms,
        wrap_up,
        agents,
        notes,
        email: match contact.channel {
            app::domain::contact::Channel::Email => {
                let mut view = store.email(contact.id).await?.view;
                view.draft = store.draft(contact.id).await?;
                Some(Box::new(view))
            }
            _ => None,
        },
        reply_rule: reply_rule(store, contact).await?,
    })
}

/// SPEC F-3: what a Messenger or WhatsApp chat's reply window runs from (none for another
/// channel).
pub async fn reply_rule(store: &dyn Store, contact: &Contact) -> StoreResult<Option<ReplyRule>> {
    let Some(channel) = MetaChannel::of(contact.channel) else {
        return Ok(None);
    };
    let last = store.meta_last_customer_at(contact.id).await?;
    let human_agent_tag = channel == MetaChannel::Messenger
        && store
            .meta_channel(channel)
            .await?
            .is_some_and(|stored| stored.settings.human_agent_tag);
    Ok(Some(ReplyRule {
        channel,
        // The customer's first message opens the chat: until it is recorded (a moment),
        // the chat's start stands for it.
        last_customer_at_ms: last.unwrap_or(contact.created_at_ms),
        human_agent_tag,
    }))
}

/// SPEC G-2: the invited agent's notification: who invites, for which customer, the notes.
pub async fn invitation_view(
    store: &dyn Store,
    contact: ContactId,
    from: AgentId,
    expires_at_ms: i64,
) -> StoreResult<InvitationView> {
    let chat = store.contact(contact).await?;
    let pending = store.invitation(contact).await?;
    let csq = pending.as_ref().map_or(chat.csq, |p| p.csq);
    Ok(InvitationView {
        contact,
        from: store.agent(from).await?.display_name,
        customer: store.customer(chat.customer).await?.name,
        csq: store.csq_name(csq).await?,
        notes: pending.map(|p| p.notes).unwrap_or_default(),
        expires_at_ms,
    })
}
