//! What the desktop shows of a contact, assembled from the store.

use crate::store::{Guest, Store, StoreResult};
use app::domain::{
    contact::Contact,
    csq::WrapUpReason,
    customer::{PastContact, PastConversation},
    ids::{AgentId, ContactId},
    limits::{CUSTOMER_NOTES_SHOWN, PAST_CONTACTS_SHOWN},
    message_template::MessageTemplate,
    meta::{MetaChannel, ReplyRule},
    protocol::{ContactView, InvitationView, OfferView},
    wrap_up::WrapUp,
};
use std::collections::HashMap;

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
    let notes = guest
        .filter(|g| g.agent == agent)
        .map(|g| g.notes.into_boxed_str());
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
    notes: Option<Box<str>>,
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
        profile: match MetaChannel::of(contact.channel) {
            Some(_) => store.chat_profile(contact.id).await?.map(Box::new),
            None => None,
        },
        history: history(store, contact).await?,
        about: Box::new(
            store
                .about_customer(contact.customer, CUSTOMER_NOTES_SHOWN)
                .await?,
        ),
    })
}

/// Lines of a Messenger or WhatsApp chat read for its first message: the welcome comes
/// first, the customer's message right after it.
const FIRST_LINES_READ: u32 = 4;

/// Issue 16: the customer's earlier conversations on every channel, newest first, each with
/// what it was about (a web chat's problem, an email's subject, a Messenger or WhatsApp
/// chat's first message), the agent who had it and (issue 17) the wrap-up reasons chosen.
pub async fn history(store: &dyn Store, contact: &Contact) -> StoreResult<Vec<PastContact>> {
    let earlier = store
        .customer_contacts(contact.customer, contact.id, PAST_CONTACTS_SHOWN)
        .await?;
    let mut aliases = Aliases::new();
    let mut past = Vec::with_capacity(earlier.len());
    for other in &earlier {
        past.push(past_contact(store, other, &mut aliases).await?);
    }
    Ok(past)
}

/// Agents' aliases already read, by id (a list names the same few agents over and over).
pub type Aliases = HashMap<AgentId, String>;

/// One earlier conversation as a list shows it (the customer's history, issue 16; the
/// Conversations page, issue 17): when, where, with whom, what about, and the wrap-up
/// reasons its agent chose.
pub async fn past_contact(
    store: &dyn Store,
    other: &Contact,
    aliases: &mut Aliases,
) -> StoreResult<PastContact> {
    use app::domain::{chat::LineBody, contact::Channel};
    let agent = match other.agent {
        Some(id) => match aliases.get(&id) {
            Some(alias) => Some(alias.clone()),
            None => {
                let alias = store.agent(id).await?.alias;
                aliases.insert(id, alias.clone());
                Some(alias)
            }
        },
        None => None,
    };
    let about = match other.channel {
        // An email's problem is its subject; a web chat's, the one chosen in the form.
        Channel::Email | Channel::Web => other.problem.clone(),
        // The customer's first words.
        _ => store
            .lines_after(other.id, 0, FIRST_LINES_READ)
            .await?
            .into_iter()
            .find_map(|line| match line.body {
                LineBody::Message {
                    author: app::domain::chat::Author::Customer { .. },
                    text,
                    ..
                } => Some(text),
                _ => None,
            })
            .unwrap_or_default(),
    };
    // Issue 17: the reasons its agent chose, by label.
    let wrap_up = match other.agent {
        Some(owner) => {
            let chosen = store.wrap_up(other.id, owner).await?;
            chosen
                .offered
                .into_iter()
                .filter(|r| chosen.selected.contains(&r.id))
                .map(|r| r.label)
                .collect()
        }
        None => Vec::new(),
    };
    Ok(PastContact {
        contact: other.id,
        channel: other.channel,
        csq: store.csq_name(other.csq).await?,
        agent,
        started_at_ms: other.created_at_ms,
        about: PastContact::about_of(&about),
        wrap_up,
    })
}

/// Issue 17: the text of the reply an email contact ended with (the draft and the built
/// message are gone once it is sent; the outbox keeps the text).
pub async fn sent_reply(store: &dyn Store, contact: &Contact) -> StoreResult<Option<String>> {
    use app::domain::contact::{ContactStatus, EndReason};
    if contact.status != ContactStatus::Ended(EndReason::Sent) {
        return Ok(None);
    }
    store.reply_text(contact.id).await
}

/// Issue 17 (SPEC P-5): one earlier conversation read whole, read-only: a chat's
/// transcript from its start, cut at [`PAST_TRANSCRIPT_LINES`]; an email's text.
pub async fn past_conversation(
    store: &dyn Store,
    earlier: &Contact,
) -> StoreResult<PastConversation> {
    use app::domain::{contact::Channel, customer::PastEmail, limits::PAST_TRANSCRIPT_LINES};
    let mut read = PastConversation {
        contact: earlier.id,
        channel: earlier.channel,
        started_at_ms: earlier.created_at_ms,
        lines: Vec::new(),
        cut: false,
        email: None,
        erased_at_ms: store.contents_erased_at(earlier.id).await?,
    };
    if earlier.channel == Channel::Email {
        let email = store.email(earlier.id).await?;
        read.email = Some(Box::new(PastEmail {
            subject: email.view.subject,
            from: email.view.from.to_string(),
            to: app::domain::email::EmailAddress::line(&email.view.to),
            received_at_ms: email.view.received_at_ms,
            text: email.text_body,
            reply: sent_reply(store, earlier).await?,
        }));
    } else {
        let mut lines = store
            .lines_after(earlier.id, 0, PAST_TRANSCRIPT_LINES + 1)
            .await?;
        read.cut = lines.len() > PAST_TRANSCRIPT_LINES as usize;
        lines.truncate(PAST_TRANSCRIPT_LINES as usize);
        read.lines = lines;
    }
    Ok(read)
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

/// SPEC F-3: the WhatsApp templates agents may send now: the channel's, while it is on
/// (what the desktop offers and what the server accepts).
pub async fn offered_templates(store: &dyn Store) -> StoreResult<Vec<MessageTemplate>> {
    Ok(store
        .meta_channel(MetaChannel::WhatsApp)
        .await?
        .filter(|stored| stored.enabled)
        .map(|stored| stored.settings.templates)
        .unwrap_or_default())
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
