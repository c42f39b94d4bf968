//! What a Messenger or WhatsApp customer sees of the agent (SPEC F-2): the agent typing,
//! and their messages read once an agent took the chat, sent as Meta's sender actions.
//! Nothing here is kept: a notice Meta does not take is logged and forgotten, as a typing
//! notice that arrives late is worth nothing.

use super::{
    graph::{Account, SenderAction},
    MetaService,
};
use crate::chat::inbound::AgentActivity;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedReceiver;

impl MetaService {
    /// Carries the chat service's notices to Meta for as long as the server runs, each on
    /// its own (a slow call delays no other).
    pub fn show_agent_activity(self: &Arc<Self>, mut notices: UnboundedReceiver<AgentActivity>) {
        let service = Arc::clone(self);
        tokio::spawn(async move {
            while let Some(notice) = notices.recv().await {
                let service = Arc::clone(&service);
                tokio::spawn(async move { service.show(notice).await });
            }
        });
    }

    async fn show(&self, notice: AgentActivity) {
        let (contact, action) = match notice {
            AgentActivity::Typing { contact, active } => (contact, SenderAction::Typing(active)),
            AgentActivity::Seen { contact } => (contact, SenderAction::Seen),
        };
        let target = match self.store.meta_activity_target(contact).await {
            Ok(Some(target)) => target,
            Ok(None) => return,
            Err(e) => {
                tracing::debug!(%contact, error = %e, "sender action not sent");
                return;
            }
        };
        let Ok(Some(stored)) = self.store.meta_channel(target.channel).await else {
            return;
        };
        let Some(token) = self.access_token(&stored) else {
            return;
        };
        let account = Account::of(&stored, &token);
        let sent = self
            .graph
            .sender_action(
                &account,
                &target.recipient,
                target.last_message.as_deref(),
                action,
            )
            .await;
        if let Err(e) = sent {
            tracing::debug!(%contact, ?action, error = %e, "sender action not taken by Meta");
        }
    }
}
