//! The desktop's realtime protocol over one WebSocket per page (`/ws`).
//!
//! Each agent has one event stream; every event in it carries the next sequence number of
//! that stream. A page that reconnects says the last number it saw and receives exactly the
//! events it missed, in order, then [`ServerMessage::Synced`].

use super::{
    about_customer::AboutCustomer,
    chat::ChatLine,
    contact::{Channel, EndReason},
    customer::Customer,
    email::EmailView,
    ids::{ContactId, CsqId, WrapUpReasonId},
    invite::InviteOutcome,
    prechat::Detail,
    state::{AgentStatus, StateError, StateReason},
    validate::FieldError,
    wrap_up::WrapUp,
};
use serde::{Deserialize, Serialize};

/// The desktop protocol's version: every page says it when it connects (`/ws?v=`). Bump it
/// whenever a message changes shape or meaning. A page of another version (loaded before an
/// upgrade, or from a node not yet upgraded) is closed with [`OTHER_VERSION`] and loads
/// again, rather than stay open reading messages it misunderstands. A page that says no
/// version predates versions, and speaks version 1.
pub const PROTOCOL_VERSION: u32 = 1;

/// The close code for a page or a widget of another protocol version: load again.
pub const OTHER_VERSION: u16 = 4426;

/// The close code for a page whose login session has ended: log in again.
pub const SESSION_ENDED: u16 = 4401;

/// Position in an agent's event stream. 0 means "before the first event".
pub type Seq = u64;

/// Where a page is in one chat's transcript: it has every line up to `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatCursor {
    pub contact: ContactId,
    pub seq: Seq,
}

/// What a desktop page sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientCommand {
    /// First message on every connection. With `resume_after`, the server replays the
    /// events after that number; without it, the server sends a [`ServerMessage::Snapshot`].
    /// `chats` says how much of each transcript the page has; the server sends the rest.
    Hello {
        resume_after: Option<Seq>,
        #[serde(default)]
        chats: Vec<ChatCursor>,
    },
    /// The agent picks Ready or Not Ready (SPEC S-2).
    SetState { ready: bool },
    /// SPEC O-5: accept an offered chat.
    Accept { contact: ContactId },
    /// SPEC P-1: a message to the customer; `client_id` makes a resend harmless (K-3).
    Send {
        contact: ContactId,
        client_id: String,
        text: String,
    },
    /// SPEC F-3: a WhatsApp template to the customer, with its values (the only message
    /// WhatsApp carries past the 24-hour window); `client_id` as for [`Self::Send`].
    SendTemplate {
        contact: ContactId,
        client_id: String,
        template: super::message_template::TemplateUse,
    },
    /// SPEC P-2: the agent is typing (or stopped).
    Typing { contact: ContactId, active: bool },
    /// SPEC O-6, P-4: end the chat.
    EndChat { contact: ContactId },
    /// SPEC W-1: the agent's wrap-up reasons on a contact in hand (the whole choice).
    SetWrapUp {
        contact: ContactId,
        reasons: Vec<WrapUpReasonId>,
    },
    /// SPEC G-1: invite an available agent of `csq` into the chat, with notes for them.
    Invite {
        contact: ContactId,
        csq: CsqId,
        #[serde(default)]
        notes: String,
    },
    /// SPEC G-2: the invited agent's answer.
    AnswerInvitation { contact: ContactId, accept: bool },
    /// SPEC G-3: leave a chat another agent stays in.
    Leave { contact: ContactId },
    /// SPEC G-1: how many agents each CSQ could send now (the page asks while its invite
    /// list is open).
    Availability { contact: ContactId },
    /// SPEC Q-1: put an email in hand back into a CSQ (confirmed by the agent).
    Requeue { contact: ContactId, csq: CsqId },
    /// SPEC Q-2: drop an email in hand (confirmed by the agent); the original stays in
    /// the mailbox.
    Discard { contact: ContactId },
    /// Issue 16: which known customer an email address or phone number belongs to, for
    /// the agent to confirm that a chat's customer is that person (the answer is a
    /// [`ServerMessage::CustomerFound`]).
    FindCustomer { contact: ContactId, address: String },
    /// Issue 16: the chat's customer is this known customer (the agent confirmed it): one
    /// customer from now on, with both histories.
    LinkCustomer {
        contact: ContactId,
        customer: super::ids::CustomerId,
    },
    /// Issue 17 (SPEC P-5): one of the customer's earlier conversations, read whole from
    /// the history of a contact in hand (the answer is a [`ServerMessage::PastRead`]).
    ReadPast { contact: ContactId, past: ContactId },
    /// Issue 17: a note about the customer of a contact in hand, for every agent who
    /// meets them (the answer is an [`AgentEvent::CustomerAbout`] to all of those now).
    AddCustomerNote { contact: ContactId, text: String },
    /// Issue 17: the tags of the customer of a contact in hand, all of them as they are
    /// to be (the answer as for a note).
    SetCustomerTags {
        contact: ContactId,
        tags: Vec<String>,
    },
}

/// SPEC G-2: an invitation as the invited agent's notification shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub contact: ContactId,
    /// The inviting agent's name.
    pub from: String,
    pub customer: String,
    pub csq: String,
    /// The inviting agent's summary: for the invited agent only (G-5).
    pub notes: String,
    pub expires_at_ms: i64,
}

/// SPEC G-1: one line of the invite list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsqAvailability {
    pub csq: CsqId,
    pub name: String,
    pub available: u32,
}

/// What waits for an agent's answer and what the agent holds: what a page needs when it
/// opens (or starts again from a snapshot).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Work {
    /// Offers waiting for the agent's answer (SPEC O-2).
    #[serde(default)]
    pub offers: Vec<OfferView>,
    /// Invitations to join another agent's chat, waiting for an answer (SPEC G-2).
    #[serde(default)]
    pub invitations: Vec<InvitationView>,
    /// Contacts in the agent's hands (SPEC C-1).
    #[serde(default)]
    pub contacts: Vec<ContactView>,
}

/// An offered chat as the Control gadget shows it (SPEC O-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    pub contact: ContactId,
    pub channel: Channel,
    pub csq: String,
    pub customer: Customer,
    pub problem: String,
    /// SPEC K-2, O-2: the customer's answers to the pre-chat form's own fields.
    #[serde(default)]
    pub details: Vec<Detail>,
    /// Unix ms: the server withdraws the offer then (SPEC S-4).
    pub expires_at_ms: i64,
}

/// A contact in the agent's hands, as its tab and panel show it (SPEC C-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub contact: ContactId,
    pub channel: Channel,
    /// The CSQ's name, as the tab shows it.
    pub csq: String,
    /// The CSQ itself: which canned responses the contact offers (SPEC R-3).
    pub csq_id: CsqId,
    pub customer: Customer,
    pub problem: String,
    /// SPEC K-2: the customer's answers to the pre-chat form's own fields.
    #[serde(default)]
    pub details: Vec<Detail>,
    /// Unix ms when the chat started: the tab's total chat time counts from here.
    pub started_at_ms: i64,
    /// SPEC W-1, W-2: the reasons this contact offers and this agent's choice.
    #[serde(default)]
    pub wrap_up: WrapUp,
    /// SPEC G-3: the aliases of the agents in the chat, the owner first.
    #[serde(default)]
    pub agents: Vec<String>,
    /// SPEC G-5: the invitation's notes, for the invited agent only (a boxed `str`: the
    /// events that carry a contact stay small).
    #[serde(default)]
    pub notes: Option<Box<str>>,
    /// SPEC C-2, E-2: for an email, its subject, addresses and files.
    #[serde(default)]
    pub email: Option<Box<EmailView>>,
    /// SPEC F-3: for a Messenger or WhatsApp chat, what its reply window runs from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_rule: Option<super::meta::ReplyRule>,
    /// Issue 16: who the customer of a Messenger or WhatsApp chat is there (their id and
    /// profile name); boxed, as most contacts have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Box<super::customer::ChannelProfile>>,
    /// Issue 16: the customer's earlier conversations on every channel, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<super::customer::PastContact>,
    /// Issue 17: the customer's tags and latest notes (boxed, as most have none).
    #[serde(default, skip_serializing_if = "AboutCustomer::is_empty")]
    pub about: Box<AboutCustomer>,
}

crate::tag_first_enum! {
    /// Something that happened in an agent's stream.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum AgentEvent (tag = "type") {
        /// The agent's state changed (SPEC S-6: with its reason and time).
        StateChanged {
            status: AgentStatus,
            reason: StateReason,
        },
        /// SPEC O-2: a chat is offered to the agent.
        Offered { offer: OfferView },
        /// The offer is gone: accepted elsewhere, expired, or the customer left.
        OfferWithdrawn { contact: ContactId },
        /// SPEC O-5: the agent holds this contact now.
        ContactAssigned { contact: ContactView },
        /// SPEC W-1: the agent's wrap-up choice on a contact, as stored (every page shows it).
        WrapUpChanged {
            contact: ContactId,
            reasons: Vec<WrapUpReasonId>,
        },
        /// SPEC G-2: an invitation to join a chat.
        Invited { invitation: InvitationView },
        /// The invitation was answered, ran out or went with its chat: the notification goes.
        InvitationClosed { contact: ContactId },
        /// SPEC G-2: the inviting agent learns the outcome.
        InviteResult {
            contact: ContactId,
            outcome: InviteOutcome,
            /// The outcome worded by the server, in the language the agent chose (English
            /// when they chose none: their pages follow the browser, which the server
            /// cannot know when the event is recorded).
            message: String,
            /// The invited agent's name, for the page to word the outcome in its own
            /// language ([`InviteOutcome::message`]); empty when nobody was invited.
            #[serde(default)]
            who: String,
            /// The queue's name, for the same.
            #[serde(default)]
            csq: String,
        },
        /// SPEC G-3: who is in the chat now (aliases, owner first).
        Participants {
            contact: ContactId,
            agents: Vec<String>,
        },
        /// SPEC G-3: this agent left a chat that goes on with another agent.
        LeftChat { contact: ContactId },
        /// Issue 16: the chat's customer was linked to a known customer: who they are now,
        /// and their earlier conversations on every channel.
        CustomerLinked {
            contact: ContactId,
            customer: Customer,
            #[serde(default)]
            history: Vec<super::customer::PastContact>,
            /// Issue 17: both records' tags and notes, now one customer's.
            #[serde(default)]
            about: AboutCustomer,
        },
        /// Issue 17: the tags or notes of the customer of this contact changed (a note
        /// added, tags set, by this agent or another).
        CustomerAbout {
            contact: ContactId,
            about: AboutCustomer,
        },
        /// The contact left the agent's hands.
        ContactClosed {
            contact: ContactId,
            reason: EndReason,
        },
    }
}

impl AgentEvent {
    /// The contact the event is about, if any: what is erased with a customer's
    /// conversations (issue 17).
    pub fn contact(&self) -> Option<ContactId> {
        use AgentEvent as E;
        match self {
            E::StateChanged { .. } => None,
            E::Offered { offer } => Some(offer.contact),
            E::ContactAssigned { contact } => Some(contact.contact),
            E::Invited { invitation } => Some(invitation.contact),
            E::OfferWithdrawn { contact }
            | E::WrapUpChanged { contact, .. }
            | E::InvitationClosed { contact }
            | E::InviteResult { contact, .. }
            | E::Participants { contact, .. }
            | E::LeftChat { contact }
            | E::CustomerLinked { contact, .. }
            | E::CustomerAbout { contact, .. }
            | E::ContactClosed { contact, .. } => Some(*contact),
        }
    }
}

/// One event with its place in the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub seq: Seq,
    /// Unix milliseconds when the server recorded it.
    pub at_ms: i64,
    pub event: AgentEvent,
}

/// Why the server refused a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum CommandError {
    #[error("{0}")]
    State(StateError),
    #[error("The first message must be hello.")]
    HelloExpected,
    #[error("The command could not be read.")]
    Malformed,
    #[error("{0}")]
    Invalid(FieldError),
    #[error("This chat is no longer offered to you.")]
    OfferGone,
    #[error("This contact is not in your hands.")]
    NotYours,
    #[error("This chat has ended.")]
    ChatEnded,
    #[error("You are the only agent in this chat: end it instead.")]
    AloneInChat,
    #[error("Another agent cannot be invited now: the chat is full or an invitation is waiting.")]
    CannotInvite,
    /// SPEC F-3: Meta no longer carries a reply in this Messenger or WhatsApp chat (too
    /// long since the customer's last message).
    #[error("Meta no longer carries a reply in this chat: the customer last wrote too long ago.")]
    ReplyWindowClosed,
    /// Issue 16: a link refused while the known customer has another chat going on on
    /// the same Messenger or WhatsApp channel (their messages would not know which chat
    /// they belong to).
    #[error("This customer has another chat going on on the same channel: end one of the two, then link them.")]
    OpenChatElsewhere(super::meta::MetaChannel),
    /// Issue 16: the customer a link named is no longer on record.
    #[error(
        "That customer is no longer on record (linked to another meanwhile): look them up again."
    )]
    CustomerGone,
    #[error("Something went wrong on the server; try again.")]
    Internal,
}

impl CommandError {
    /// What the agent reads, in their language (`Display` is the English).
    pub fn message(&self, locale: crate::i18n::Locale) -> String {
        use crate::i18n::td_string;
        match self {
            CommandError::State(e) => return e.message(locale),
            CommandError::Invalid(e) => return e.message(locale),
            CommandError::HelloExpected => td_string!(locale, common.command_errors.hello_expected),
            CommandError::Malformed => td_string!(locale, common.command_errors.malformed),
            CommandError::OfferGone => td_string!(locale, common.command_errors.offer_gone),
            CommandError::NotYours => td_string!(locale, common.command_errors.not_yours),
            CommandError::ChatEnded => td_string!(locale, common.command_errors.chat_ended),
            CommandError::AloneInChat => td_string!(locale, common.command_errors.alone_in_chat),
            CommandError::CannotInvite => td_string!(locale, common.command_errors.cannot_invite),
            CommandError::ReplyWindowClosed => {
                td_string!(locale, common.command_errors.reply_window_closed)
            }
            CommandError::CustomerGone => td_string!(locale, common.command_errors.customer_gone),
            CommandError::OpenChatElsewhere(channel) => {
                let channel = channel.channel().label(locale);
                return td_string!(locale, common.command_errors.open_chat_elsewhere, channel)
                    .to_string();
            }
            CommandError::Internal => td_string!(locale, common.command_errors.internal),
        }
        .to_string()
    }
}

/// What the server sends to a desktop page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerMessage {
    /// The current state, offers, invitations and contacts, and the stream position they
    /// reflect.
    Snapshot {
        status: AgentStatus,
        seq: Seq,
        #[serde(default)]
        work: Work,
    },
    Event(Envelope),
    /// All missed events have been replayed; live events follow.
    Synced {
        seq: Seq,
    },
    Rejected {
        error: CommandError,
        /// The refused message's id, when the command was a message: the page keeps its
        /// text, marked as not sent, rather than sending it again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    /// A transcript line of a chat the agent holds (numbered in that chat's stream).
    ChatLine {
        contact: ContactId,
        line: ChatLine,
    },
    /// SPEC P-2, G-2: someone in the chat is typing (or stopped): the customer (`who`
    /// none) or the other agent (their alias).
    Typing {
        contact: ContactId,
        active: bool,
        #[serde(default)]
        who: Option<String>,
    },
    /// Issue 16: what became of one of the business's lines of a Messenger or WhatsApp
    /// chat (sent, delivered, read, failed): the ticks on that line.
    LineStatus {
        contact: ContactId,
        seq: Seq,
        status: super::meta::MessageStatus,
    },
    /// SPEC G-1: the invite list's figures, kept live while it is open.
    Availability {
        contact: ContactId,
        csqs: Vec<CsqAvailability>,
    },
    /// Issue 16: the known customer an address belongs to, if any (the answer to a
    /// [`ClientCommand::FindCustomer`]).
    CustomerFound {
        contact: ContactId,
        address: super::customer::CustomerAddress,
        found: Option<Box<super::customer::CustomerMatch>>,
    },
    /// Issue 17: an earlier conversation, read-only (the answer to a
    /// [`ClientCommand::ReadPast`]).
    PastRead {
        contact: ContactId,
        past: Box<super::customer::PastConversation>,
    },
}

/// A page's position in its agent's stream: which events to apply, skip or ask for again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamCursor {
    pub last_seq: Seq,
}

/// What to do with an incoming event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The next event: apply it.
    Apply,
    /// Already seen (a replay overlapping a live event): ignore it.
    Duplicate,
    /// Events are missing before it: ask the server to resume after `last_seq`.
    Gap,
}

impl StreamCursor {
    pub fn new(last_seq: Seq) -> Self {
        StreamCursor { last_seq }
    }

    /// Classifies an event and advances past it when it is the next one.
    pub fn deliver(&mut self, seq: Seq) -> Delivery {
        if seq <= self.last_seq {
            Delivery::Duplicate
        } else if seq == self.last_seq + 1 {
            self.last_seq = seq;
            Delivery::Apply
        } else {
            Delivery::Gap
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state::AgentState;

    #[test]
    fn commands_are_tagged_json() {
        let json = serde_json::to_string(&ClientCommand::SetState { ready: true }).unwrap();
        assert_eq!(json, r#"{"type":"set_state","ready":true}"#);
        let hello: ClientCommand =
            serde_json::from_str(r#"{"type":"hello","resume_after":4}"#).unwrap();
        assert_eq!(
            hello,
            ClientCommand::Hello {
                resume_after: Some(4),
                chats: Vec::new(),
            },
            "pages that know of no chat may leave the cursors out"
        );
    }

    #[test]
    fn every_event_carries_its_sequence_number() {
        let msg = ServerMessage::Event(Envelope {
            seq: 9,
            at_ms: 1,
            event: AgentEvent::StateChanged {
                status: AgentStatus {
                    state: AgentState::Ready,
                    ..AgentStatus::default()
                },
                reason: StateReason::AgentRequest,
            },
        });
        let json = serde_json::to_value(&msg).unwrap();
        assert_eq!(json["event"]["seq"], 9);
        assert_eq!(json["event"]["event"]["status"]["state"], "ready");
        let back: ServerMessage =
            serde_json::from_str(&serde_json::to_string(&msg).unwrap()).unwrap();
        assert_eq!(back, msg);
    }

    /// An agent's stored events keep their JSON (the tag first) and are read back.
    #[test]
    fn events_keep_their_stored_json() {
        let cases = [
            (
                AgentEvent::OfferWithdrawn {
                    contact: ContactId(5),
                },
                r#"{"type":"offer_withdrawn","contact":5}"#,
            ),
            (
                AgentEvent::Participants {
                    contact: ContactId(5),
                    agents: vec!["Dave".into(), "Carol".into()],
                },
                r#"{"type":"participants","contact":5,"agents":["Dave","Carol"]}"#,
            ),
        ];
        for (event, json) in cases {
            assert_eq!(serde_json::to_string(&event).unwrap(), json);
            assert_eq!(serde_json::from_str::<AgentEvent>(json).unwrap(), event);
        }
    }

    #[test]
    fn cursor_applies_in_order_skips_duplicates_and_spots_gaps() {
        let mut c = StreamCursor::new(3);
        assert_eq!(c.deliver(3), Delivery::Duplicate);
        assert_eq!(c.deliver(4), Delivery::Apply);
        assert_eq!(c.deliver(6), Delivery::Gap);
        assert_eq!(c.last_seq, 4, "a gap does not advance the cursor");
        assert_eq!(c.deliver(5), Delivery::Apply);
        assert_eq!(c.deliver(6), Delivery::Apply);
    }

    #[test]
    fn rejections_carry_the_state_error() {
        let msg = ServerMessage::Rejected {
            error: CommandError::State(StateError::LogoutNotAllowed(AgentState::Ready)),
            client_id: None,
        };
        let back: ServerMessage =
            serde_json::from_str(&serde_json::to_string(&msg).unwrap()).unwrap();
        assert_eq!(back, msg);
    }
}
