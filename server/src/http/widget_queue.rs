//! Issue 17: what the widget of a waiting chat is told about its wait: its place in line and
//! how long the CSQ's chats usually wait, read again every few seconds from the store (the
//! same on every node) and sent only when it changes, until the chat no longer waits.

use crate::services::Services;
use app::domain::{
    ids::{ContactId, CsqId},
    limits::{TYPICAL_WAIT_DAYS, TYPICAL_WAIT_SAMPLES},
    waiting::typical_wait_secs,
    widget::WidgetMessage,
};

/// One widget's view of its wait.
pub struct PlaceInLine {
    contact: ContactId,
    csq: Option<CsqId>,
    told: Option<WidgetMessage>,
    waiting: bool,
}

impl PlaceInLine {
    pub fn new(contact: ContactId) -> Self {
        PlaceInLine {
            contact,
            csq: None,
            told: None,
            waiting: true,
        }
    }

    /// What to tell the widget now, if anything changed. A store that cannot answer says
    /// nothing (asked again at the next tick).
    pub async fn news(&mut self, services: &Services) -> Option<WidgetMessage> {
        if !self.waiting {
            return None;
        }
        let store = &services.store;
        let position = match store.queue_place(self.contact).await {
            Ok(Some(position)) => position,
            Ok(None) => {
                self.waiting = false;
                return None;
            }
            Err(e) => {
                tracing::debug!(contact = %self.contact, error = %e, "place in line unread");
                return None;
            }
        };
        let csq = match self.csq {
            Some(csq) => csq,
            None => {
                let csq = store.contact(self.contact).await.ok()?.csq;
                *self.csq.insert(csq)
            }
        };
        let since = crate::clock::now_ms() - TYPICAL_WAIT_DAYS * 24 * 3_600_000;
        let usual_wait_secs = store
            .recent_chat_waits(csq, since, TYPICAL_WAIT_SAMPLES)
            .await
            .ok()
            .and_then(typical_wait_secs);
        let news = WidgetMessage::Queue {
            position,
            usual_wait_secs,
        };
        if self.told.as_ref() == Some(&news) {
            return None;
        }
        self.told = Some(news.clone());
        Some(news)
    }
}
