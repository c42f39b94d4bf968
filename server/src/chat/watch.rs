//! What a chat's timers do when they fire (SPEC K-5), and the customer's widget presence.
//! Each look reads the chat's stored facts and the current settings, then acts or sets
//! the next deadline ([`super::timers`] decides nothing).

use super::{timers::Timer, ChatService};
use crate::{
    clock::now_ms,
    contact::ContactError,
    store::{ChatClock, StoreError},
};
use app::domain::{
    chat::SystemNote,
    contact::{ContactKind, ContactStatus, EndReason},
    ids::ContactId,
    limits::MAX_WIDGET_SOCKETS_PER_CHAT,
    timeouts::{join_due, silence_step, SilenceStep, WARN_AT_PERCENT},
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::mpsc;

/// How soon a look that failed is tried again.
const LOOK_AGAIN_MS: i64 = 5_000;

impl ChatService {
    /// Runs the timers' looks one after another, for as long as the server runs.
    pub fn watch(self: &Arc<Self>, mut fired: mpsc::UnboundedReceiver<(ContactId, Timer)>) {
        let chat = Arc::clone(self);
        tokio::spawn(async move {
            while let Some((contact, timer)) = fired.recv().await {
                if let Err(e) = chat.look(contact, timer).await {
                    // Looked at again shortly: a passing database error must not leave a
                    // chat without its timer (a chat that moved on is seen as such then).
                    tracing::warn!(contact = %contact, ?timer, error = %e, "chat timer: look again");
                    chat.timers.set(contact, timer, now_ms() + LOOK_AGAIN_MS);
                }
            }
        });
    }

    /// After a start: every open chat's timers are set again from its stored facts (a look
    /// now, which sets the right time). A waiting customer's widget has the grace period to
    /// come back to this server.
    pub async fn resume_timers(&self) -> Result<(), StoreError> {
        let grace = i64::from(self.store.chat_settings().await?.reconnect_grace_secs) * 1000;
        for contact in self.store.open_contacts().await? {
            if contact.channel.kind() != ContactKind::Chat {
                continue;
            }
            let now = now_ms();
            let widget = contact.channel.has_widget();
            match contact.status {
                ContactStatus::Active if widget => self.timers.set(contact.id, Timer::Silence, now),
                ContactStatus::Active => {}
                ContactStatus::Queued | ContactStatus::Offered => {
                    self.timers.set(contact.id, Timer::Join, now);
                    self.timers.set(contact.id, Timer::QueueTimeout, now);
                    if widget {
                        self.timers.set(contact.id, Timer::WidgetGone, now + grace);
                    }
                }
                ContactStatus::Ended(_) => {}
            }
        }
        Ok(())
    }

    async fn look(&self, id: ContactId, timer: Timer) -> Result<(), ContactError> {
        let contact = self.store.contact(id).await?;
        let waiting = matches!(
            contact.status,
            ContactStatus::Queued | ContactStatus::Offered
        );
        let now = now_ms();
        match timer {
            Timer::Join if waiting => {
                let clock = self.store.chat_clock(id).await?;
                let settings = self.store.chat_settings().await?;
                let timeout = i64::from(settings.join_timeout_secs) * 1000;
                match join_due(
                    contact.queued_at_ms,
                    timeout,
                    clock.join_told_at_ms.is_some(),
                ) {
                    Some(due) if now < due => self.timers.set(id, Timer::Join, due),
                    // Marked first: another node's timer may fire too (issue 14).
                    Some(_) if self.store.mark_join_told(id, now).await? => {
                        let text = settings.no_agent_message;
                        self.system_line(&contact, None, SystemNote::NoAgent { text })
                            .await?;
                    }
                    Some(_) => {}
                    None => {}
                }
            }
            // SPEC F-2: a customer writing from Messenger or WhatsApp answers when they
            // will; only the agent ends the chat.
            Timer::Silence | Timer::WidgetGone if !contact.channel.has_widget() => {}
            Timer::Silence if contact.status == ContactStatus::Active => {
                let clock = self.store.chat_clock(id).await?;
                let settings = self.store.chat_settings().await?;
                let timeout = i64::from(settings.inactivity_timeout_secs) * 1000;
                match silence_step(
                    silence_since(&clock),
                    clock.silence_warned_at_ms,
                    timeout,
                    now,
                ) {
                    SilenceStep::WaitUntil(at) => self.timers.set(id, Timer::Silence, at),
                    SilenceStep::Warn { end_at_ms } => {
                        let was = clock.silence_warned_at_ms;
                        if self.store.mark_silence_warned(id, now, was).await? {
                            let agent = super::held_by(&contact);
                            self.system_line(&contact, agent, SystemNote::InactivityWarning)
                                .await?;
                        }
                        self.timers.set(id, Timer::Silence, end_at_ms);
                    }
                    SilenceStep::End => self.end(contact, EndReason::TimedOut).await?,
                }
            }
            Timer::QueueTimeout if waiting => {
                let settings = self.store.chat_settings().await?;
                let due = contact.queued_at_ms + i64::from(settings.queue_timeout_secs) * 1000;
                if now < due {
                    self.timers.set(id, Timer::QueueTimeout, due);
                } else {
                    let text = settings.queue_timeout_message;
                    let note = SystemNote::QueueTimeout { text };
                    tracing::info!(contact = %id, "nobody took the chat in time: out of the queue");
                    self.end_saying(contact, EndReason::QueueTimeout, Some(note))
                        .await?;
                }
            }
            Timer::WidgetGone
                if waiting && self.widget_count(id) == 0 && !self.widget_elsewhere(id).await =>
            {
                tracing::info!(contact = %id, "customer's widget gone: chat out of the queue");
                self.end(contact, EndReason::WindowClosed).await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// SPEC K-5: the customer's silence began at `since_ms` (a message, an agent taking the
    /// chat): the silence is looked at again when the warning is due.
    pub(super) async fn look_at_silence(&self, id: ContactId, since_ms: i64) {
        let timeout_secs = match self.store.chat_settings().await {
            Ok(settings) => settings.inactivity_timeout_secs,
            Err(e) => {
                tracing::error!(error = %e, "settings unreadable: default inactivity timeout");
                app::domain::settings::DEFAULT_INACTIVITY_TIMEOUT_SECS
            }
        };
        let warn_ms = i64::from(timeout_secs) * 1000 * WARN_AT_PERCENT / 100;
        self.timers.set(id, Timer::Silence, since_ms + warn_ms);
    }

    /// The widget sockets of the chat open on this node.
    pub fn widget_count(&self, id: ContactId) -> usize {
        let widgets = self.widgets.lock().unwrap_or_else(|e| e.into_inner());
        widgets.get(&id).copied().unwrap_or(0)
    }

    /// A widget of this chat connected.
    /// A place for one more widget socket of this chat, or None when it has
    /// [`MAX_WIDGET_SOCKETS_PER_CHAT`] open: a cookie cannot open sockets without end.
    pub fn widget_slot(&self, id: ContactId) -> Option<WidgetSlot> {
        let mut slots = self.widget_slots.lock().unwrap_or_else(|e| e.into_inner());
        let taken = slots.entry(id).or_insert(0);
        if *taken >= MAX_WIDGET_SOCKETS_PER_CHAT {
            return None;
        }
        *taken += 1;
        Some(WidgetSlot {
            slots: self.widget_slots.clone(),
            id,
        })
    }

    pub fn widget_opened(&self, id: ContactId) {
        {
            let mut widgets = self.widgets.lock().unwrap_or_else(|e| e.into_inner());
            *widgets.entry(id).or_insert(0) += 1;
        }
        if let Some(others) = self.other_nodes.get() {
            others.widgets_changed(id);
        }
    }

    /// Whether a widget of the chat is connected to another node (issue 14).
    async fn widget_elsewhere(&self, id: ContactId) -> bool {
        match self.other_nodes.get() {
            Some(others) => others.widget_elsewhere(id).await,
            None => false,
        }
    }

    /// A widget of this chat disconnected. When it was the last and the chat still waits
    /// for an agent, the customer has the grace period to come back (a reload, a blip);
    /// otherwise the chat leaves the queue.
    pub async fn widget_closed(&self, id: ContactId) {
        let last = {
            let mut widgets = self.widgets.lock().unwrap_or_else(|e| e.into_inner());
            let count = widgets.entry(id).or_insert(1);
            *count = count.saturating_sub(1);
            let last = *count == 0;
            if last {
                widgets.remove(&id);
            }
            last
        };
        if let Some(others) = self.other_nodes.get() {
            others.widgets_changed(id);
        }
        if last {
            match self.grace_ms().await {
                Ok(grace) => self.timers.set(id, Timer::WidgetGone, now_ms() + grace),
                Err(e) => tracing::error!(contact = %id, error = %e, "widget grace not set"),
            }
        }
    }

    async fn grace_ms(&self) -> Result<i64, ContactError> {
        Ok(i64::from(self.store.chat_settings().await?.reconnect_grace_secs) * 1000)
    }
}

/// The other server processes on the database, as the chats' widgets concern them (none
/// on SQLite). Set once the cluster is wired; this module never reaches up into it.
#[async_trait::async_trait]
pub trait OtherNodes: Send + Sync {
    /// This node's count of the chat's widget sockets changed.
    fn widgets_changed(&self, id: ContactId);
    /// Whether a widget of the chat is connected to another live node.
    async fn widget_elsewhere(&self, id: ContactId) -> bool;
}

/// When the customer's current silence began: their last message, or an agent taking the
/// chat, whichever is later.
fn silence_since(clock: &ChatClock) -> i64 {
    clock
        .last_customer_at_ms
        .max(clock.accepted_at_ms)
        .unwrap_or(0)
}

/// A chat's place for one widget socket, given back when dropped (the socket ended, or its
/// upgrade never completed).
pub struct WidgetSlot {
    slots: Arc<Mutex<HashMap<ContactId, usize>>>,
    id: ContactId,
}

impl Drop for WidgetSlot {
    fn drop(&mut self) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(taken) = slots.get_mut(&self.id) {
            *taken = taken.saturating_sub(1);
            if *taken == 0 {
                slots.remove(&self.id);
            }
        }
    }
}
