//! The agent's chat-and-email state (SPEC S-1 to S-4), separate from any voice state.
//!
//! [`AgentStatus::apply`] is the only place that decides what a state change does; the
//! server stores its result and fans it out, the browser only displays it.

use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The state shown in the top bar's state control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    /// Not logged in to the desktop.
    LoggedOut,
    NotReady,
    /// Available: offered chats and emails (SPEC S-2).
    Ready,
    /// Holding at least one contact (SPEC S-3).
    Reserved,
}

impl AgentState {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentState::LoggedOut => "logged_out",
            AgentState::NotReady => "not_ready",
            AgentState::Ready => "ready",
            AgentState::Reserved => "reserved",
        }
    }

    pub fn parse(name: &str) -> Option<AgentState> {
        AgentState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Every state, for the reports' lists and the tests.
    pub const ALL: [AgentState; 4] = [
        AgentState::LoggedOut,
        AgentState::NotReady,
        AgentState::Ready,
        AgentState::Reserved,
    ];
}

impl AgentState {
    /// The state's name as the agent reads it ("Non prêt"); `Display` is the English.
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            AgentState::LoggedOut => td_string!(locale, common.states.logged_out),
            AgentState::NotReady => td_string!(locale, common.states.not_ready),
            AgentState::Ready => td_string!(locale, common.states.ready),
            AgentState::Reserved => td_string!(locale, common.states.reserved),
        }
    }
}

impl fmt::Display for AgentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(Locale::en))
    }
}

/// A warning shown beside the state control until the agent next goes Ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    /// An offer ran out before the agent accepted it (SPEC S-4).
    ChatNotAccepted,
}

impl Badge {
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Badge::ChatNotAccepted => td_string!(locale, common.states.chat_not_accepted),
        }
    }
}

impl fmt::Display for Badge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(Locale::en))
    }
}

/// Everything the desktop needs to draw the state control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStatus {
    pub state: AgentState,
    /// Asked for Not Ready while Reserved: applied when the last contact ends, and no new
    /// offers meanwhile (SPEC S-3).
    pub not_ready_pending: bool,
    pub badge: Option<Badge>,
    /// Chats and emails the agent holds.
    pub contacts_in_hand: u32,
}

/// Something that changes the agent's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateEvent {
    Login,
    /// The agent picked Ready.
    SetReady,
    /// The agent picked Not Ready.
    SetNotReady,
    /// The agent accepted a chat or was assigned an email.
    ContactAccepted,
    /// A contact the agent held ended, was requeued or was discarded.
    ContactEnded,
    /// An offer to this agent ran out (SPEC S-4).
    OfferExpired,
    Logout,
    /// Issue 18 (D-3): a supervisor joined a chat of their own accord. Reserved as on an
    /// accept whatever the state, but one who was Not Ready goes back to Not Ready once
    /// their contacts end, and takes no offer meanwhile.
    JoinedChat,
}

/// Why a state change happened, recorded with it (SPEC S-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateReason {
    Login,
    AgentRequest,
    ContactAccepted,
    ContactEnded,
    OfferNotAccepted,
    PageClosed,
    Logout,
    /// Issue 18: a supervisor set the agent Not Ready (or logged them out).
    Supervisor,
}

impl StateReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StateReason::Login => "login",
            StateReason::AgentRequest => "agent_request",
            StateReason::ContactAccepted => "contact_accepted",
            StateReason::ContactEnded => "contact_ended",
            StateReason::OfferNotAccepted => "offer_not_accepted",
            StateReason::PageClosed => "page_closed",
            StateReason::Logout => "logout",
            StateReason::Supervisor => "supervisor",
        }
    }

    pub fn parse(name: &str) -> Option<StateReason> {
        StateReason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Every reason, for the reports' lists and the tests.
    pub const ALL: [StateReason; 8] = [
        StateReason::Login,
        StateReason::AgentRequest,
        StateReason::ContactAccepted,
        StateReason::ContactEnded,
        StateReason::OfferNotAccepted,
        StateReason::PageClosed,
        StateReason::Logout,
        StateReason::Supervisor,
    ];
}

impl StateEvent {
    /// The reason recorded when this event is applied on the agent's own initiative.
    pub fn default_reason(self) -> StateReason {
        match self {
            StateEvent::Login => StateReason::Login,
            StateEvent::SetReady | StateEvent::SetNotReady => StateReason::AgentRequest,
            StateEvent::ContactAccepted | StateEvent::JoinedChat => StateReason::ContactAccepted,
            StateEvent::ContactEnded => StateReason::ContactEnded,
            StateEvent::OfferExpired => StateReason::OfferNotAccepted,
            StateEvent::Logout => StateReason::Logout,
        }
    }
}

/// A state change that is not allowed. The page shows the message as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum StateError {
    /// SPEC S-1: logging out is only possible from Not Ready.
    #[error("You can log out only when Not Ready (you are {0}).")]
    LogoutNotAllowed(AgentState),
    #[error("You are logged out.")]
    NotLoggedIn,
    /// Only a Ready (or Reserved, below capacity) agent takes contacts (SPEC S-2).
    #[error("A contact can only be taken while Ready (you are {0}).")]
    NotAvailable(AgentState),
    #[error("There is no contact in hand to end.")]
    NoContactInHand,
}

impl StateError {
    /// What the agent reads, in their language (`Display` is the English).
    pub fn message(self, locale: Locale) -> String {
        match self {
            StateError::LogoutNotAllowed(state) => td_string!(
                locale,
                common.state_errors.logout_not_allowed,
                state = state.label(locale)
            )
            .to_string(),
            StateError::NotLoggedIn => {
                td_string!(locale, common.state_errors.not_logged_in).to_string()
            }
            StateError::NotAvailable(state) => td_string!(
                locale,
                common.state_errors.not_available,
                state = state.label(locale)
            )
            .to_string(),
            StateError::NoContactInHand => {
                td_string!(locale, common.state_errors.no_contact_in_hand).to_string()
            }
        }
    }
}

impl Default for AgentStatus {
    fn default() -> Self {
        AgentStatus::logged_out()
    }
}

impl AgentStatus {
    pub fn logged_out() -> Self {
        AgentStatus {
            state: AgentState::LoggedOut,
            not_ready_pending: false,
            badge: None,
            contacts_in_hand: 0,
        }
    }

    /// SPEC S-2 and S-3: whether the routing engine may offer this agent something now.
    pub fn takes_offers(&self) -> bool {
        matches!(self.state, AgentState::Ready | AgentState::Reserved) && !self.not_ready_pending
    }

    /// SPEC S-1: the Log out control is enabled only in Not Ready.
    pub fn can_log_out(&self) -> bool {
        self.state == AgentState::NotReady
    }

    /// Applies one event and returns the new status, or why it is refused.
    pub fn apply(self, event: StateEvent) -> Result<AgentStatus, StateError> {
        use AgentState::*;
        let mut next = self;
        match (self.state, event) {
            // SPEC S-1: after login the agent is Not Ready. A second login (another tab)
            // while contacts are in hand must not drop them.
            (_, StateEvent::Login) => {
                if self.contacts_in_hand == 0 {
                    next = AgentStatus {
                        state: NotReady,
                        not_ready_pending: false,
                        badge: None,
                        contacts_in_hand: 0,
                    };
                }
            }
            (LoggedOut, _) => return Err(StateError::NotLoggedIn),
            (NotReady | Ready, StateEvent::SetReady) => {
                next.state = Ready;
                next.badge = None;
            }
            (Reserved, StateEvent::SetReady) => {
                next.not_ready_pending = false;
                next.badge = None;
            }
            (Ready | NotReady, StateEvent::SetNotReady) => next.state = NotReady,
            (Reserved, StateEvent::SetNotReady) => next.not_ready_pending = true,
            (Ready | Reserved, StateEvent::ContactAccepted) => {
                next.state = Reserved;
                next.contacts_in_hand += 1;
            }
            (state, StateEvent::ContactAccepted) => return Err(StateError::NotAvailable(state)),
            (state, StateEvent::JoinedChat) => {
                next.state = Reserved;
                next.contacts_in_hand += 1;
                next.not_ready_pending = self.not_ready_pending || state == NotReady;
            }
            (Reserved, StateEvent::ContactEnded) => {
                next.contacts_in_hand = self.contacts_in_hand.saturating_sub(1);
                if next.contacts_in_hand == 0 {
                    next.state = if self.not_ready_pending {
                        NotReady
                    } else {
                        Ready
                    };
                    next.not_ready_pending = false;
                }
            }
            (_, StateEvent::ContactEnded) => return Err(StateError::NoContactInHand),
            (Ready, StateEvent::OfferExpired) => {
                next.state = NotReady;
                next.badge = Some(Badge::ChatNotAccepted);
            }
            (Reserved, StateEvent::OfferExpired) => {
                next.not_ready_pending = true;
                next.badge = Some(Badge::ChatNotAccepted);
            }
            (NotReady, StateEvent::OfferExpired) => next.badge = Some(Badge::ChatNotAccepted),
            (NotReady, StateEvent::Logout) if self.contacts_in_hand == 0 => {
                next = AgentStatus::logged_out();
            }
            (state, StateEvent::Logout) => return Err(StateError::LogoutNotAllowed(state)),
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AgentState::*;

    fn logged_in() -> AgentStatus {
        AgentStatus::logged_out().apply(StateEvent::Login).unwrap()
    }

    #[test]
    fn states_and_reasons_round_trip_their_stored_names() {
        for state in AgentState::ALL {
            assert_eq!(AgentState::parse(state.as_str()), Some(state));
        }
        for reason in StateReason::ALL {
            assert_eq!(StateReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(AgentState::parse("away"), None);
    }

    fn run(events: &[StateEvent]) -> AgentStatus {
        events
            .iter()
            .fold(logged_in(), |s, e| s.apply(*e).expect("allowed"))
    }

    /// SPEC S-1: after login the agent is Not Ready.
    #[test]
    fn login_starts_not_ready() {
        let s = logged_in();
        assert_eq!(s.state, NotReady);
        assert!(!s.takes_offers());
        assert!(s.can_log_out());
    }

    /// SPEC S-1: logging out while Ready is an error value, never a panic.
    #[test]
    fn logout_refused_unless_not_ready() {
        let ready = run(&[StateEvent::SetReady]);
        assert_eq!(
            ready.apply(StateEvent::Logout),
            Err(StateError::LogoutNotAllowed(Ready))
        );
        assert!(!ready.can_log_out());
        let reserved = run(&[StateEvent::SetReady, StateEvent::ContactAccepted]);
        assert_eq!(
            reserved.apply(StateEvent::Logout),
            Err(StateError::LogoutNotAllowed(Reserved))
        );
        let out = run(&[
            StateEvent::SetReady,
            StateEvent::SetNotReady,
            StateEvent::Logout,
        ]);
        assert_eq!(out.state, LoggedOut);
    }

    /// SPEC S-2: only a Ready agent is offered contacts.
    #[test]
    fn ready_and_not_ready_toggle_offers() {
        let s = run(&[StateEvent::SetReady]);
        assert!(s.takes_offers());
        let s = s.apply(StateEvent::SetNotReady).unwrap();
        assert!(!s.takes_offers());
        assert_eq!(
            s.apply(StateEvent::ContactAccepted),
            Err(StateError::NotAvailable(NotReady))
        );
    }

    /// SPEC S-3: Reserved while holding contacts, back to Ready after the last one.
    #[test]
    fn reserved_until_last_contact_ends() {
        let s = run(&[
            StateEvent::SetReady,
            StateEvent::ContactAccepted,
            StateEvent::ContactAccepted,
        ]);
        assert_eq!((s.state, s.contacts_in_hand), (Reserved, 2));
        let s = s.apply(StateEvent::ContactEnded).unwrap();
        assert_eq!((s.state, s.contacts_in_hand), (Reserved, 1));
        let s = s.apply(StateEvent::ContactEnded).unwrap();
        assert_eq!((s.state, s.contacts_in_hand), (Ready, 0));
        assert_eq!(
            s.apply(StateEvent::ContactEnded),
            Err(StateError::NoContactInHand)
        );
    }

    /// SPEC S-3: asking for Not Ready while Reserved stops offers at once and applies at the end.
    #[test]
    fn not_ready_requested_while_reserved_applies_when_last_contact_ends() {
        let s = run(&[
            StateEvent::SetReady,
            StateEvent::ContactAccepted,
            StateEvent::SetNotReady,
        ]);
        assert_eq!(s.state, Reserved);
        assert!(s.not_ready_pending);
        assert!(!s.takes_offers());
        let s = s.apply(StateEvent::ContactEnded).unwrap();
        assert_eq!(s.state, NotReady);
        assert!(!s.not_ready_pending);
    }

    #[test]
    fn changing_mind_back_to_ready_while_reserved_resumes_offers() {
        let s = run(&[
            StateEvent::SetReady,
            StateEvent::ContactAccepted,
            StateEvent::SetNotReady,
            StateEvent::SetReady,
        ]);
        assert!(s.takes_offers());
        assert_eq!(s.apply(StateEvent::ContactEnded).unwrap().state, Ready);
    }

    /// SPEC S-4: an expired offer sets Not Ready with the "Chat not accepted" badge.
    #[test]
    fn offer_expiry_sets_not_ready_with_badge() {
        let s = run(&[StateEvent::SetReady, StateEvent::OfferExpired]);
        assert_eq!(s.state, NotReady);
        assert_eq!(s.badge, Some(Badge::ChatNotAccepted));
        assert_eq!(s.badge.unwrap().to_string(), "Chat not accepted");
        let s = s.apply(StateEvent::SetReady).unwrap();
        assert_eq!(s.badge, None, "going Ready clears the warning");
    }

    /// Issue 18 (D-3): a supervisor who joins a chat while Not Ready is Reserved, takes no
    /// offer, and is Not Ready again when it ends; one who was Ready is Ready again.
    #[test]
    fn d3_a_supervisor_joining_a_chat_keeps_their_not_ready() {
        let s = run(&[StateEvent::JoinedChat]);
        assert_eq!((s.state, s.contacts_in_hand), (Reserved, 1));
        assert!(!s.takes_offers());
        assert_eq!(s.apply(StateEvent::ContactEnded).unwrap().state, NotReady);
        let s = run(&[StateEvent::SetReady, StateEvent::JoinedChat]);
        assert!(s.takes_offers());
        assert_eq!(s.apply(StateEvent::ContactEnded).unwrap().state, Ready);
        assert_eq!(
            AgentStatus::logged_out().apply(StateEvent::JoinedChat),
            Err(StateError::NotLoggedIn)
        );
    }

    #[test]
    fn a_second_login_keeps_contacts_in_hand() {
        let s = run(&[StateEvent::SetReady, StateEvent::ContactAccepted]);
        let again = s.apply(StateEvent::Login).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn nothing_but_login_works_when_logged_out() {
        let s = AgentStatus::logged_out();
        assert_eq!(s.apply(StateEvent::SetReady), Err(StateError::NotLoggedIn));
        assert_eq!(
            StateError::LogoutNotAllowed(Ready).to_string(),
            "You can log out only when Not Ready (you are Ready)."
        );
    }
}
