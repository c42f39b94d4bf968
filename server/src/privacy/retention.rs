//! The retention (issue 17): a task on every node erases, a batch at a time, the contents
//! of conversations that ended longer ago than the administrator's setting (none: kept for
//! ever), and the files nothing refers to any more. The store checks each conversation is
//! still over under its transaction, so two nodes at it never erase one twice and a reply
//! still to send is never lost.
//!
//! The same task removes agents' events older than [`AGENT_EVENTS_KEPT_HOURS`] (they are
//! kept only for a page that reconnects to catch up) and the Messenger and WhatsApp webhook
//! posts turned into chats as long ago (kept whole until then, for a node that stopped
//! halfway): both carry customers' names, numbers and words, which must not outlast the
//! retention or an erasure. The outgoing webhooks' log, which holds what was sent, goes
//! after [`WEBHOOK_LOG_KEPT_DAYS`], or sooner when the retention is shorter.

use crate::{
    clock::now_ms,
    email::EmailService,
    store::{Store, StoreError, StoreResult},
};
use app::domain::limits::{
    AGENT_EVENTS_KEPT_HOURS, RETENTION_BATCH, RETENTION_EVERY_MS, WEBHOOK_LOG_KEPT_DAYS,
};
use std::{sync::Arc, time::Duration};

/// Applies the retention now, then every [`RETENTION_EVERY_MS`] (at once again while a
/// whole batch was erased), for as long as the server runs.
pub fn spawn(store: Arc<dyn Store>, email: Arc<EmailService>) {
    tokio::spawn(async move {
        loop {
            match apply(store.as_ref(), &email, now_ms()).await {
                Ok(n) if n == RETENTION_BATCH as usize => continue,
                Ok(_) => {}
                Err(StoreError::Stopped) => return,
                Err(e) => tracing::warn!(error = %e, "the retention was not applied"),
            }
            tokio::time::sleep(Duration::from_millis(RETENTION_EVERY_MS)).await;
        }
    });
}

/// One round as at `now_ms`: old agents' events removed, then one batch of conversations
/// the retention reached erased; how many conversations.
pub async fn apply(store: &dyn Store, email: &EmailService, now_ms: i64) -> StoreResult<usize> {
    let day_before = now_ms - AGENT_EVENTS_KEPT_HOURS * 3_600_000;
    store.prune_agent_events(day_before).await?;
    store.prune_webhook_posts(day_before).await?;
    let retention = store.retention().await?;
    // The webhooks' log holds what was sent (conversations' contents): kept a week, or
    // less when the retention keeps contents less.
    let week_before = now_ms - WEBHOOK_LOG_KEPT_DAYS * 86_400_000;
    let log_cutoff = retention
        .cutoff_ms(now_ms)
        .map_or(week_before, |c| c.max(week_before));
    store.prune_webhook_log(log_cutoff).await?;
    let Some(cutoff) = retention.cutoff_ms(now_ms) else {
        return Ok(0);
    };
    let expired = store.expired_contents(cutoff, RETENTION_BATCH).await?;
    if expired.is_empty() {
        return Ok(0);
    }
    let files = store.erase_contents(&expired, now_ms).await?;
    email.forget_files(files).await;
    tracing::info!(
        conversations = expired.len(),
        "conversations' contents erased by the retention"
    );
    Ok(expired.len())
}
