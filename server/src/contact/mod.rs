//! What holds for every contact, whatever its channel: the error every contact action
//! returns, the views the agent's pages receive, the signed tokens that open one contact,
//! and what the routing engine's decisions do. [`crate::chat`] and [`crate::email`] build on
//! this module and never on each other; it reaches neither (a channel that must act on a
//! routing decision registers an [`effects::Assignments`]).

pub mod effects;
pub mod token;
pub mod views;

use crate::{hub::HubError, store::StoreError};
use app::domain::{protocol::CommandError, refusal::Reason, validate::FieldError};
use std::time::Duration;

/// Why a customer's message is refused before it is stored (what a customer may send is
/// bounded on every channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flooding {
    /// Faster than the rate: the customer may send again after this long.
    TooFast { per_sec: u32, wait: Duration },
    /// The contact holds as many customer messages as one may.
    TooManyMessages { max: u32 },
}

/// The error of every contact action (accept, send, end, invite, requeue, reply...).
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("this contact has ended")]
    Ended,
    #[error("this contact is no longer offered to this agent")]
    OfferGone,
    #[error("this contact is not held by this agent")]
    NotYours,
    #[error("the agent is alone in this chat")]
    AloneInChat,
    #[error("no invitation can be made now")]
    CannotInvite,
    /// Issue 18 (D-3): a supervisor cannot join this chat now, and why.
    #[error("cannot join the chat: {0:?}")]
    CannotJoin(app::domain::supervision::JoinRefusal),
    /// SPEC F-3: Meta no longer carries a reply in this Messenger or WhatsApp chat.
    #[error("the reply window of the chat is closed")]
    ReplyWindowClosed,
    /// The known customer a link named is no longer on record (linked to another
    /// meanwhile).
    #[error("the customer is no longer on record")]
    CustomerGone,
    /// A link refused: the known customer has another chat going on on this channel.
    #[error("the customer has another {0:?} chat going on")]
    OpenChatElsewhere(app::domain::meta::MetaChannel),
    /// Issue 17 (the API): an email's `client_id` was sent before for another email.
    #[error("the client_id was used for another email")]
    ClientIdUsed,
    /// The contact's queue holds as many waiting contacts as the administrator allows.
    #[error("the queue is full")]
    QueueFull,
    /// Issue 17 (K-4): no agent of the contact's CSQ is logged in.
    #[error("no agent is logged in")]
    NoAgent,
    /// Issue 17 (K-4): the contact's CSQ is outside its business hours; it opens again then
    /// (Unix ms), if soon.
    #[error("the queue is closed")]
    Closed { opens_at_ms: Option<i64> },
    /// The customer sends too much.
    #[error("customer refused: {0:?}")]
    Flooding(Flooding),
    /// Something the agent cannot fix from the page (a mailbox without SMTP server, say),
    /// worded when the agent is told, in their language.
    #[error("{0}")]
    Unavailable(Reason),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hub(#[from] HubError),
}

impl From<FieldError> for ContactError {
    fn from(e: FieldError) -> Self {
        ContactError::Invalid(vec![e])
    }
}

impl ContactError {
    /// The refusal a desktop page is told; internal details stay in the log.
    pub fn for_desktop(self) -> CommandError {
        match self {
            ContactError::Invalid(mut errors) => match errors.pop() {
                Some(e) => CommandError::Invalid(e),
                None => CommandError::Malformed,
            },
            ContactError::Ended => CommandError::ChatEnded,
            ContactError::OfferGone => CommandError::OfferGone,
            ContactError::NotYours => CommandError::NotYours,
            ContactError::AloneInChat => CommandError::AloneInChat,
            ContactError::CannotInvite => CommandError::CannotInvite,
            ContactError::ReplyWindowClosed => CommandError::ReplyWindowClosed,
            ContactError::CustomerGone => CommandError::CustomerGone,
            ContactError::OpenChatElsewhere(channel) => CommandError::OpenChatElsewhere(channel),
            ContactError::Hub(HubError::State(e)) => CommandError::State(e),
            e => {
                tracing::error!(error = %e, "contact command failed");
                CommandError::Internal
            }
        }
    }
}
