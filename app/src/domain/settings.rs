//! Administrator settings for chats, with the defaults the specification gives.

use super::limits::DEFAULT_ACCEPT_TIMER_SECS;
use serde::{Deserialize, Serialize};

/// SPEC K-5: seconds a customer waits for an agent before the no-agent message.
pub const DEFAULT_JOIN_TIMEOUT_SECS: u32 = 60;
/// SPEC K-5: seconds of customer silence before the chat ends.
pub const DEFAULT_INACTIVITY_TIMEOUT_SECS: u32 = 300;
/// SPEC S-5: seconds a desktop may be disconnected before its chats end.
pub const DEFAULT_RECONNECT_GRACE_SECS: u32 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSettings {
    /// SPEC S-4: seconds an agent has to accept an offer (10 to 3600).
    pub accept_timer_secs: u32,
    pub join_timeout_secs: u32,
    pub inactivity_timeout_secs: u32,
    pub reconnect_grace_secs: u32,
    /// Shown to the customer when the chat starts (SPEC K-2).
    pub welcome_message: String,
    /// Shown when no agent joined in time (SPEC K-5).
    pub no_agent_message: String,
}

impl Default for ChatSettings {
    fn default() -> Self {
        ChatSettings {
            accept_timer_secs: DEFAULT_ACCEPT_TIMER_SECS,
            join_timeout_secs: DEFAULT_JOIN_TIMEOUT_SECS,
            inactivity_timeout_secs: DEFAULT_INACTIVITY_TIMEOUT_SECS,
            reconnect_grace_secs: DEFAULT_RECONNECT_GRACE_SECS,
            welcome_message: "Welcome! An agent will be with you shortly.".into(),
            no_agent_message:
                "All our agents are busy right now. You can leave us a message and we will reply by email."
                    .into(),
        }
    }
}

impl ChatSettings {
    /// The stored key of each setting, and its value as text.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("accept_timer_secs", self.accept_timer_secs.to_string()),
            ("join_timeout_secs", self.join_timeout_secs.to_string()),
            (
                "inactivity_timeout_secs",
                self.inactivity_timeout_secs.to_string(),
            ),
            (
                "reconnect_grace_secs",
                self.reconnect_grace_secs.to_string(),
            ),
            ("welcome_message", self.welcome_message.clone()),
            ("no_agent_message", self.no_agent_message.clone()),
        ]
    }

    /// Builds settings from stored pairs; a missing or unreadable value keeps its default.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut s = ChatSettings::default();
        for (key, value) in pairs {
            let number = value.parse::<u32>().ok();
            match key {
                "accept_timer_secs" => s.accept_timer_secs = number.unwrap_or(s.accept_timer_secs),
                "join_timeout_secs" => s.join_timeout_secs = number.unwrap_or(s.join_timeout_secs),
                "inactivity_timeout_secs" => {
                    s.inactivity_timeout_secs = number.unwrap_or(s.inactivity_timeout_secs)
                }
                "reconnect_grace_secs" => {
                    s.reconnect_grace_secs = number.unwrap_or(s.reconnect_grace_secs)
                }
                "welcome_message" => s.welcome_message = value.to_string(),
                "no_agent_message" => s.no_agent_message = value.to_string(),
                _ => {}
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_spec() {
        let s = ChatSettings::default();
        assert_eq!(
            (
                s.accept_timer_secs,
                s.join_timeout_secs,
                s.inactivity_timeout_secs
            ),
            (15, 60, 300)
        );
    }

    #[test]
    fn settings_round_trip_through_pairs_and_keep_defaults_for_bad_values() {
        let s = ChatSettings {
            accept_timer_secs: 40,
            welcome_message: "Bonjour".into(),
            ..Default::default()
        };
        let pairs = s.to_pairs();
        let back = ChatSettings::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, s);
        let bad = ChatSettings::from_pairs([("accept_timer_secs", "soon"), ("unknown", "x")]);
        assert_eq!(bad, ChatSettings::default());
    }
}
