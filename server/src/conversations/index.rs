//! Making ended conversations searchable (issue 17). A task on every node takes ended
//! contacts not indexed yet, a batch at a time, and keeps each one's folded text: a chat's
//! messages and file names; an email's subject, sender and text, and the reply sent. The
//! store marks a contact indexed in the same transaction, so two nodes never index one
//! twice, and a server stopped halfway goes on where it was: no hot path (a line stored, a
//! chat ended) writes anything more for the search, and conversations from before the
//! search existed are indexed after an upgrade the same way.

use super::words::fold;
use crate::store::{Store, StoreError, StoreResult};
use app::domain::{
    chat::{ChatLine, LineBody},
    contact::{Channel, Contact, ContactStatus, EndReason},
    ids::ContactId,
    limits::{MAX_INDEXED_CHARS, SEARCH_INDEX_BATCH, SEARCH_INDEX_EVERY_MS},
};
use std::{sync::Arc, time::Duration};

/// Lines of a chat read at a time.
const LINES_READ: u32 = 500;

/// Indexes what is waiting, then looks again every [`SEARCH_INDEX_EVERY_MS`] (at once while
/// there is more), for as long as the server runs.
pub fn spawn(store: Arc<dyn Store>) {
    tokio::spawn(async move {
        loop {
            match index_waiting(store.as_ref()).await {
                Ok(n) if n == SEARCH_INDEX_BATCH as usize => continue,
                Ok(_) => {}
                Err(StoreError::Stopped) => return,
                Err(e) => tracing::warn!(error = %e, "conversations not indexed for the search"),
            }
            tokio::time::sleep(Duration::from_millis(SEARCH_INDEX_EVERY_MS)).await;
        }
    });
}

/// Indexes one batch of ended conversations; how many were waiting.
pub async fn index_waiting(store: &dyn Store) -> StoreResult<usize> {
    let waiting = store.to_index(SEARCH_INDEX_BATCH).await?;
    for id in &waiting {
        let contact = match store.contact(*id).await {
            Ok(contact) => contact,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let text = conversation_text(store, &contact).await?;
        store.index_conversation(*id, &text).await?;
    }
    Ok(waiting.len())
}

/// The folded words of a conversation, its first [`MAX_INDEXED_CHARS`].
pub async fn conversation_text(store: &dyn Store, contact: &Contact) -> StoreResult<String> {
    let mut text = String::new();
    let mut add = |part: &str| {
        if text.len() < MAX_INDEXED_CHARS {
            let folded = fold(part);
            if !folded.is_empty() {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&folded);
            }
        }
    };
    if contact.channel == Channel::Email {
        let email = store.email(contact.id).await?;
        add(&email.view.subject);
        add(email.view.from.name.as_deref().unwrap_or_default());
        add(&email.view.from.address);
        add(&email.text_body);
        for file in &email.view.attachments {
            add(&file.name);
        }
        if let Some(reply) = sent_reply(store, contact).await? {
            add(&reply);
        }
    } else {
        for line in conversation_lines(store, contact.id).await? {
            if let LineBody::Message { text, files, .. } = &line.body {
                add(text);
                for file in files {
                    add(&file.name);
                }
            }
        }
    }
    Ok(cut(text))
}

/// The text of the reply an email contact ended with (the draft is gone once it is sent).
pub async fn sent_reply(store: &dyn Store, contact: &Contact) -> StoreResult<Option<String>> {
    if contact.status != ContactStatus::Ended(EndReason::Sent) {
        return Ok(None);
    }
    store.reply_text(contact.id).await
}

/// Every line of a chat, in order (an ended chat's transcript is bounded by the chat's
/// own limits: its length and the customer's rate).
pub async fn conversation_lines(
    store: &dyn Store,
    contact: ContactId,
) -> StoreResult<Vec<ChatLine>> {
    let mut all = Vec::new();
    loop {
        let after = all.last().map_or(0, |l: &ChatLine| l.seq);
        let lines = store.lines_after(contact, after, LINES_READ).await?;
        let done = lines.len() < LINES_READ as usize;
        all.extend(lines);
        if done {
            return Ok(all);
        }
    }
}

/// The text cut to [`MAX_INDEXED_CHARS`] characters, between two words.
fn cut(mut text: String) -> String {
    if let Some((at, _)) = text.char_indices().nth(MAX_INDEXED_CHARS) {
        text.truncate(at);
        if let Some(space) = text.rfind(' ') {
            text.truncate(space);
        }
    }
    text
}
