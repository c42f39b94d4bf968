//! Contacts (a chat or an email) and their lifecycle as a pure state machine.

use super::ids::{AgentId, ContactId, CsqId, CustomerId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a contact comes from. Each channel has its own icon in the contact tabs (SPEC C-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Messenger,
    WhatsApp,
    Email,
}

impl Channel {
    /// Chats and emails are routed, capped and shown differently.
    pub fn kind(self) -> ContactKind {
        match self {
            Channel::Email => ContactKind::Email,
            Channel::Web | Channel::Messenger | Channel::WhatsApp => ContactKind::Chat,
        }
    }

    /// Whether the customer writes from our widget, a page whose leaving and silence end
    /// the chat (SPEC K-5) and from which the customer may end it (K-2). A Messenger or
    /// WhatsApp customer answers when they will, from Meta's app: only the agent ends
    /// those chats (SPEC F-2).
    pub fn has_widget(self) -> bool {
        self == Channel::Web
    }
}

impl Channel {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Messenger => "messenger",
            Channel::WhatsApp => "whatsapp",
            Channel::Email => "email",
        }
    }

    pub const ALL: [Channel; 4] = [
        Channel::Web,
        Channel::Messenger,
        Channel::WhatsApp,
        Channel::Email,
    ];

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl Channel {
    /// The channel's name as people read it, in a language (`Display` is the English).
    pub fn label(self, locale: crate::i18n::Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            Channel::Web => td_string!(locale, common.channels.web),
            Channel::Messenger => td_string!(locale, common.channels.messenger),
            Channel::WhatsApp => td_string!(locale, common.channels.whatsapp),
            Channel::Email => td_string!(locale, common.channels.email),
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(crate::i18n::Locale::en))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Chat,
    Email,
}

impl ContactKind {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Chat => "chat",
            ContactKind::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<ContactKind> {
        match s {
            "chat" => Some(ContactKind::Chat),
            "email" => Some(ContactKind::Email),
            _ => None,
        }
    }
}

/// Why a contact ended; kept for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The agent pressed End (SPEC O-6).
    EndedByAgent,
    /// The customer closed the chat.
    EndedByCustomer,
    /// The customer left before any agent joined.
    Abandoned,
    /// Nobody took the chat within the queue timeout (the administrator's setting).
    QueueTimeout,
    /// The customer's chat window was gone past the grace period before any agent joined
    /// (SPEC K-5): the chat left the queue.
    WindowClosed,
    /// No agent joined before the join timeout, or the customer stayed silent (SPEC K-5).
    TimedOut,
    /// The agent's page was closed or reloaded (SPEC S-5).
    PageClosed,
    /// The email reply was sent (SPEC R-7).
    Sent,
    /// The email was discarded (SPEC Q-2).
    Discarded,
    /// The email went back to a queue (SPEC Q-1, S-5): it left this agent's hands only.
    Requeued,
}

impl EndReason {
    /// The stable name, as serde writes it: what the contact log and the reports keep.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::EndedByAgent => "ended_by_agent",
            EndReason::EndedByCustomer => "ended_by_customer",
            EndReason::Abandoned => "abandoned",
            EndReason::QueueTimeout => "queue_timeout",
            EndReason::WindowClosed => "window_closed",
            EndReason::TimedOut => "timed_out",
            EndReason::PageClosed => "page_closed",
            EndReason::Sent => "sent",
            EndReason::Discarded => "discarded",
            EndReason::Requeued => "requeued",
        }
    }

    pub fn parse(name: &str) -> Option<EndReason> {
        EndReason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Every reason, for the reports' lists and the tests.
    pub const ALL: [EndReason; 10] = [
        EndReason::EndedByAgent,
        EndReason::EndedByCustomer,
        EndReason::Abandoned,
        EndReason::QueueTimeout,
        EndReason::WindowClosed,
        EndReason::TimedOut,
        EndReason::PageClosed,
        EndReason::Sent,
        EndReason::Discarded,
        EndReason::Requeued,
    ];
}

/// Issue 18: a step of a contact's life as the contact log keeps it, with the queue and
/// agent it concerned then; the reports count these (the contact's row keeps only where it
/// is now).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStep {
    /// Came into a queue: a new chat, or an email from a customer.
    Queued,
    /// Offered to an agent (SPEC O-2).
    Offered,
    /// The offer left the agent unaccepted (SPEC S-4): the chat waits again.
    OfferWithdrawn,
    /// Taken by an agent: a chat accepted, an email assigned.
    Accepted,
    /// Given back to its own queue by the agent, or by the agent's page closing (SPEC S-5).
    Requeued,
    /// Given to another queue (SPEC Q-1).
    Transferred,
    /// Back in the agent's hands after its reply could not be sent.
    Reopened,
    Ended,
}

impl ContactStep {
    /// The stable name stored in the contact log.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStep::Queued => "queued",
            ContactStep::Offered => "offered",
            ContactStep::OfferWithdrawn => "offer_withdrawn",
            ContactStep::Accepted => "accepted",
            ContactStep::Requeued => "requeued",
            ContactStep::Transferred => "transferred",
            ContactStep::Reopened => "reopened",
            ContactStep::Ended => "ended",
        }
    }

    pub fn parse(name: &str) -> Option<ContactStep> {
        ContactStep::ALL
            .into_iter()
            .find(|step| step.as_str() == name)
    }

    /// Every step, for the reports' lists and the tests.
    pub const ALL: [ContactStep; 8] = [
        ContactStep::Queued,
        ContactStep::Offered,
        ContactStep::OfferWithdrawn,
        ContactStep::Accepted,
        ContactStep::Requeued,
        ContactStep::Transferred,
        ContactStep::Reopened,
        ContactStep::Ended,
    ];

    /// The step a lifecycle step to `status` is: what the routing and the agents' steps
    /// record (a chat back in its queue from those is an offer gone).
    pub fn reaching(status: ContactStatus) -> ContactStep {
        match status {
            ContactStatus::Queued => ContactStep::OfferWithdrawn,
            ContactStatus::Offered => ContactStep::Offered,
            ContactStatus::Active => ContactStep::Accepted,
            ContactStatus::Ended(_) => ContactStep::Ended,
        }
    }
}

/// Where a contact is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum ContactStatus {
    /// Waiting in its CSQ.
    Queued,
    /// Offered to one agent, who has not accepted yet (chats only).
    Offered,
    /// In an agent's hands.
    Active,
    Ended(EndReason),
}

/// Something that happens to a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleEvent {
    /// A chat is offered to an agent (SPEC O-2).
    Offer,
    /// The offer was not accepted in time or was withdrawn (SPEC S-4).
    OfferWithdrawn,
    /// The agent accepted the chat offer (SPEC O-5).
    Accept,
    /// An email is given to an agent; emails are accepted automatically (SPEC E-1).
    Assign,
    /// Back to a queue (SPEC Q-1, S-5).
    Requeue,
    End(EndReason),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum LifecycleError {
    #[error("this contact has already ended")]
    AlreadyEnded,
    #[error("a {kind:?} contact cannot {event:?}")]
    NotForKind {
        kind: ContactKind,
        event: LifecycleEvent,
    },
    #[error("cannot {event:?} a contact that is {from:?}")]
    NotNow {
        from: ContactStatus,
        event: LifecycleEvent,
    },
}

impl ContactStatus {
    /// Waiting for an agent: in its queue, or offered and not yet accepted.
    pub const WAITING: [ContactStatus; 2] = [ContactStatus::Queued, ContactStatus::Offered];

    /// The stable name stored in the database (the end reason is stored apart).
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Queued => "queued",
            ContactStatus::Offered => "offered",
            ContactStatus::Active => "active",
            ContactStatus::Ended(_) => "ended",
        }
    }

    /// The one place that says which lifecycle transitions exist.
    pub fn apply(
        self,
        kind: ContactKind,
        event: LifecycleEvent,
    ) -> Result<ContactStatus, LifecycleError> {
        use ContactStatus::*;
        use LifecycleEvent as E;
        if let Ended(_) = self {
            return Err(LifecycleError::AlreadyEnded);
        }
        let chat_only = matches!(event, E::Offer | E::OfferWithdrawn | E::Accept);
        let email_only = matches!(event, E::Assign | E::Requeue);
        if (chat_only && kind != ContactKind::Chat) || (email_only && kind != ContactKind::Email) {
            return Err(LifecycleError::NotForKind { kind, event });
        }
        match (self, event) {
            (Queued, E::Offer) => Ok(Offered),
            (Offered, E::OfferWithdrawn) => Ok(Queued),
            (Offered, E::Accept) => Ok(Active),
            (Queued, E::Assign) => Ok(Active),
            (Active, E::Requeue) => Ok(Queued),
            (Active, E::End(reason)) => Ok(Ended(reason)),
            // A customer may give up, or time out, before anyone joined.
            (
                Queued | Offered,
                E::End(
                    reason @ (EndReason::Abandoned
                    | EndReason::WindowClosed
                    | EndReason::QueueTimeout
                    | EndReason::TimedOut
                    | EndReason::EndedByCustomer),
                ),
            ) => Ok(Ended(reason)),
            (from, event) => Err(LifecycleError::NotNow { from, event }),
        }
    }

    pub fn is_ended(self) -> bool {
        matches!(self, ContactStatus::Ended(_))
    }
}

/// A contact as the desktop lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub channel: Channel,
    pub csq: CsqId,
    pub customer: CustomerId,
    pub status: ContactStatus,
    /// The agent who holds (or last held) it.
    pub agent: Option<AgentId>,
    /// The problem statement the customer picked, as shown to the agent.
    pub problem: String,
    /// SPEC K-2: the customer's answers to the pre-chat form's own fields (none for email).
    pub details: Vec<super::prechat::Detail>,
    /// Unix milliseconds when the system received it.
    pub created_at_ms: i64,
    /// When it last entered its queue: arrival order for routing.
    pub queued_at_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContactStatus::*;
    use LifecycleEvent as E;

    #[test]
    fn end_reasons_are_named_as_serde_names_them() {
        for reason in EndReason::ALL {
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                serde_json::json!(reason.as_str())
            );
            assert_eq!(EndReason::parse(reason.as_str()), Some(reason));
        }
    }

    #[test]
    fn contact_steps_round_trip_their_names() {
        for status in [Queued, Offered, Active, Ended(EndReason::Sent)] {
            let step = ContactStep::reaching(status);
            assert_eq!(ContactStep::parse(step.as_str()), Some(step));
        }
        for step in ContactStep::ALL {
            assert_eq!(ContactStep::parse(step.as_str()), Some(step));
        }
        assert_eq!(ContactStep::parse("lost"), None);
    }

    #[test]
    fn chat_goes_queued_offered_active_ended() {
        let s = Queued.apply(ContactKind::Chat, E::Offer).unwrap();
        assert_eq!(s, Offered);
        let s = s.apply(ContactKind::Chat, E::Accept).unwrap();
        assert_eq!(s, Active);
        let s = s
            .apply(ContactKind::Chat, E::End(EndReason::EndedByAgent))
            .unwrap();
        assert_eq!(s, Ended(EndReason::EndedByAgent));
        assert_eq!(
            s.apply(ContactKind::Chat, E::Offer),
            Err(LifecycleError::AlreadyEnded)
        );
    }

    /// SPEC S-4: an expired offer puts the chat back in its queue for the next agent.
    #[test]
    fn expired_offer_requeues_the_chat() {
        let s = Offered.apply(ContactKind::Chat, E::OfferWithdrawn).unwrap();
        assert_eq!(s, Queued);
    }

    #[test]
    fn emails_are_assigned_without_offer_and_can_be_requeued() {
        assert!(matches!(
            Queued.apply(ContactKind::Email, E::Offer),
            Err(LifecycleError::NotForKind { .. })
        ));
        let s = Queued.apply(ContactKind::Email, E::Assign).unwrap();
        assert_eq!(s.apply(ContactKind::Email, E::Requeue).unwrap(), Queued);
        assert!(matches!(
            Active.apply(ContactKind::Chat, E::Requeue),
            Err(LifecycleError::NotForKind { .. })
        ));
    }

    #[test]
    fn an_agent_cannot_end_a_chat_nobody_accepted() {
        assert!(matches!(
            Queued.apply(ContactKind::Chat, E::End(EndReason::EndedByAgent)),
            Err(LifecycleError::NotNow { .. })
        ));
        assert_eq!(
            Queued.apply(ContactKind::Chat, E::End(EndReason::Abandoned)),
            Ok(Ended(EndReason::Abandoned))
        );
    }

    #[test]
    fn channels_map_to_kinds() {
        assert_eq!(Channel::WhatsApp.kind(), ContactKind::Chat);
        assert_eq!(Channel::Email.kind(), ContactKind::Email);
    }
}
