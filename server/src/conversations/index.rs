//! Making ended conversations searchable (issue 17). A task on every node takes ended
//! contacts not indexed yet (ended a few seconds ago at least, so a line stored just as the
//! chat ended is in), a batch at a time, and keeps each one's folded text: a chat's
//! messages and file names; an email's subject, sender and text, and the reply sent. The
//! store marks a contact indexed in the same transaction, so two nodes never index one
//! twice, and a server stopped halfway goes on where it was: no hot path (a line stored, a
//! chat ended) writes anything more for the search, and conversations from before the
//! search existed are indexed after an upgrade the same way. A contact that leaves its end
//! (a refused reply gives an email back to its agent) is marked not indexed, and its text
//! replaced at its next end.

use super::words::fold;
use crate::{
    clock::now_ms,
    contact::views::sent_reply,
    store::{Store, StoreError, StoreResult},
};
use app::domain::{
    chat::{ChatLine, LineBody},
    contact::{Channel, Contact},
    ids::ContactId,
    limits::{
        MAX_INDEXED_CHARS, SEARCH_INDEX_BATCH, SEARCH_INDEX_EVERY_MS, SEARCH_INDEX_SETTLE_MS,
    },
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

/// Indexes one batch of ended conversations; how many were waiting. A conversation whose
/// text cannot be read (a stored row the code cannot decode) is logged and kept with no
/// text, so it never holds up the ones after it.
pub async fn index_waiting(store: &dyn Store) -> StoreResult<usize> {
    let settled = now_ms() - SEARCH_INDEX_SETTLE_MS;
    let waiting = store.to_index(SEARCH_INDEX_BATCH, settled).await?;
    for id in &waiting {
        let contact = match store.contact(*id).await {
            Ok(contact) => contact,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let text = match conversation_text(store, &contact).await {
            Ok(text) => text,
            Err(StoreError::Corrupt(e)) => {
                tracing::error!(contact = %id, error = %e, "a conversation's text could not be read for the search");
                String::new()
            }
            Err(e) => return Err(e),
        };
        store.index_conversation(*id, &text).await?;
    }
    Ok(waiting.len())
}

/// The folded words of a conversation, at most [`MAX_INDEXED_CHARS`] characters: an
/// email's short parts (subject, sender, files, the reply sent) before its text, whose
/// quoted history can be long.
pub async fn conversation_text(store: &dyn Store, contact: &Contact) -> StoreResult<String> {
    let mut text = String::new();
    let mut left = MAX_INDEXED_CHARS;
    let mut add = |part: &str| {
        if left == 0 {
            return;
        }
        // Cut before folding (a long part is never folded whole), and again after.
        let raw: String = part.chars().take(left).collect();
        let folded = fold(&raw);
        if folded.is_empty() {
            return;
        }
        if !text.is_empty() {
            text.push(' ');
            left = left.saturating_sub(1);
        }
        let taken: String = folded.chars().take(left).collect();
        left -= taken.chars().count();
        text.push_str(&taken);
    };
    if contact.channel == Channel::Email {
        let email = store.email(contact.id).await?;
        add(&email.view.subject);
        add(email.view.from.name.as_deref().unwrap_or_default());
        add(&email.view.from.address);
        for file in &email.view.attachments {
            add(&file.name);
        }
        if let Some(reply) = sent_reply(store, contact).await? {
            add(&reply);
        }
        add(&email.text_body);
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
    Ok(text)
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
