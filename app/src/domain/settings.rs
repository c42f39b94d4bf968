//! Administrator settings for chats, with the defaults the specification gives.

use super::{
    limits::{
        DEFAULT_ACCEPT_TIMER_SECS, DEFAULT_QUEUE_LIMIT, DEFAULT_QUEUE_TIMEOUT_SECS,
        INACTIVITY_TIMEOUT_SECS, JOIN_TIMEOUT_SECS, QUEUE_LIMIT, QUEUE_TIMEOUT_SECS,
        RECONNECT_GRACE_SECS,
    },
    validate::{
        all_or_errors, validate_accept_timer, validate_range, validate_setting_message, Field,
        FieldError,
    },
};
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
    /// Chats that may wait in one CSQ at once.
    pub queue_limit: u32,
    /// Seconds a chat may wait before it leaves the queue.
    pub queue_timeout_secs: u32,
    /// Shown when a chat leaves the queue at the queue timeout.
    pub queue_timeout_message: String,
    /// Issue 17: the widget's button is not drawn on the website while every queue of the
    /// pre-chat form is outside its business hours (nobody could chat).
    #[serde(default)]
    pub hide_launcher_when_closed: bool,
}

impl Default for ChatSettings {
    fn default() -> Self {
        ChatSettings {
            accept_timer_secs: DEFAULT_ACCEPT_TIMER_SECS,
            join_timeout_secs: DEFAULT_JOIN_TIMEOUT_SECS,
            inactivity_timeout_secs: DEFAULT_INACTIVITY_TIMEOUT_SECS,
            reconnect_grace_secs: DEFAULT_RECONNECT_GRACE_SECS,
            welcome_message: "Welcome! An agent will be with you shortly.".into(),
            // Leaving a message (SPEC K-4) does not exist yet: the default offers only
            // what the widget can do, waiting.
            no_agent_message:
                "All our agents are busy right now. Please stay with us: the next agent free will join you here."
                    .into(),
            queue_limit: DEFAULT_QUEUE_LIMIT,
            queue_timeout_secs: DEFAULT_QUEUE_TIMEOUT_SECS,
            queue_timeout_message:
                "We are sorry: no agent could take your chat in time. Please try again a little later."
                    .into(),
            hide_launcher_when_closed: false,
        }
    }
}

impl ChatSettings {
    /// Every problem at once, so the settings page can mark each field (the server checks
    /// the same before it stores anything).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let errors: Vec<FieldError> = [
            validate_accept_timer(self.accept_timer_secs),
            validate_range(
                Field::JoinTimeout,
                &JOIN_TIMEOUT_SECS,
                self.join_timeout_secs,
            ),
            validate_range(
                Field::InactivityTimeout,
                &INACTIVITY_TIMEOUT_SECS,
                self.inactivity_timeout_secs,
            ),
            validate_range(
                Field::ReconnectGrace,
                &RECONNECT_GRACE_SECS,
                self.reconnect_grace_secs,
            ),
            validate_setting_message(Field::WelcomeMessage, &self.welcome_message),
            validate_setting_message(Field::NoAgentMessage, &self.no_agent_message),
            validate_range(Field::QueueLimit, &QUEUE_LIMIT, self.queue_limit),
            validate_range(
                Field::QueueTimeout,
                &QUEUE_TIMEOUT_SECS,
                self.queue_timeout_secs,
            ),
            validate_setting_message(Field::QueueTimeoutMessage, &self.queue_timeout_message),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect();
        all_or_errors(errors)
    }

    /// The same settings with the messages trimmed, as they are stored.
    pub fn normalized(mut self) -> Self {
        self.welcome_message = self.welcome_message.trim().to_string();
        self.no_agent_message = self.no_agent_message.trim().to_string();
        self.queue_timeout_message = self.queue_timeout_message.trim().to_string();
        self
    }

    /// A short text of what differs from `before`, for the administrators' audit.
    pub fn describe_changes(&self, before: &ChatSettings) -> String {
        let now = self.to_pairs();
        let was = before.to_pairs();
        let changed: Vec<String> = now
            .iter()
            .zip(was.iter())
            .filter(|(a, b)| a.1 != b.1)
            .map(|((key, value), (_, old))| format!("{key}: {old:?} -> {value:?}"))
            .collect();
        if changed.is_empty() {
            "no change".into()
        } else {
            changed.join("; ")
        }
    }

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
            ("queue_limit", self.queue_limit.to_string()),
            ("queue_timeout_secs", self.queue_timeout_secs.to_string()),
            ("queue_timeout_message", self.queue_timeout_message.clone()),
            (
                "hide_launcher_when_closed",
                self.hide_launcher_when_closed.to_string(),
            ),
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
                "queue_limit" => s.queue_limit = number.unwrap_or(s.queue_limit),
                "queue_timeout_secs" => {
                    s.queue_timeout_secs = number.unwrap_or(s.queue_timeout_secs)
                }
                "queue_timeout_message" => s.queue_timeout_message = value.to_string(),
                "hide_launcher_when_closed" => {
                    s.hide_launcher_when_closed = value == "true";
                }
                _ => {}
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a customer reads by default promises nothing the product cannot do: there is
    /// no "leave a message" yet (SPEC K-4 is not built).
    #[test]
    fn the_default_messages_promise_only_what_exists() {
        let s = ChatSettings::default();
        for text in [
            &s.welcome_message,
            &s.no_agent_message,
            &s.queue_timeout_message,
        ] {
            let lower = text.to_lowercase();
            assert!(
                !lower.contains("leave") && !lower.contains("email"),
                "{text}"
            );
        }
    }

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
    fn defaults_are_valid_and_every_bad_field_is_named_with_its_limit() {
        assert_eq!(ChatSettings::default().validate(), Ok(()));
        let bad = ChatSettings {
            accept_timer_secs: 9,
            join_timeout_secs: 3601,
            inactivity_timeout_secs: 29,
            reconnect_grace_secs: 4,
            welcome_message: "   ".into(),
            no_agent_message: "é".repeat(501),
            queue_limit: 0,
            queue_timeout_secs: 86_401,
            queue_timeout_message: String::new(),
            hide_launcher_when_closed: true,
        };
        let messages: Vec<String> = bad
            .validate()
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            messages,
            [
                "Accept timer: must be between 10 and 3600 (9 given)",
                "Join timeout: must be between 10 and 3600 (3601 given)",
                "Inactivity timeout: must be between 30 and 86400 (29 given)",
                "Reconnection grace: must be between 5 and 600 (4 given)",
                "Welcome message: required",
                "No-agent message: at most 500 characters (501 given)",
                "Queue limit: must be between 1 and 10000 (0 given)",
                "Queue timeout: must be between 60 and 86400 (86401 given)",
                "Queue timeout message: required",
            ]
        );
        let edges = ChatSettings {
            accept_timer_secs: 10,
            join_timeout_secs: 3600,
            inactivity_timeout_secs: 30,
            reconnect_grace_secs: 600,
            welcome_message: "漢".repeat(500),
            queue_limit: 10_000,
            queue_timeout_secs: 60,
            ..Default::default()
        };
        assert_eq!(edges.validate(), Ok(()));
    }

    #[test]
    fn changes_are_described_for_the_audit() {
        let before = ChatSettings::default();
        let after = ChatSettings {
            join_timeout_secs: 20,
            ..Default::default()
        };
        assert_eq!(
            after.describe_changes(&before),
            "join_timeout_secs: \"60\" -> \"20\""
        );
        assert_eq!(before.describe_changes(&before), "no change");
    }

    #[test]
    fn settings_round_trip_through_pairs_and_keep_defaults_for_bad_values() {
        let s = ChatSettings {
            accept_timer_secs: 40,
            welcome_message: "Bonjour".into(),
            hide_launcher_when_closed: true,
            ..Default::default()
        };
        let pairs = s.to_pairs();
        let back = ChatSettings::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, s);
        let bad = ChatSettings::from_pairs([("accept_timer_secs", "soon"), ("unknown", "x")]);
        assert_eq!(bad, ChatSettings::default());
    }
}
