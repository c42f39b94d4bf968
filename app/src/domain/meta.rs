//! Facebook Messenger and WhatsApp Business (SPEC F-1, F-2, F-3): the two chat channels that
//! reach the business through Meta's platform. Customers write to the business's Facebook
//! Page or WhatsApp number; Meta posts each event to a webhook of ours and carries our
//! replies through its Graph API.

use super::{
    chat::{Author, LineBody, SystemNote},
    contact::Channel,
};
use serde::{Deserialize, Serialize};

/// Where the Graph API answers, unless the administrator says otherwise (a test's fake).
pub const DEFAULT_GRAPH_API_BASE: &str = "https://graph.facebook.com";
/// The Graph API version requests name, unless the administrator says otherwise.
pub const DEFAULT_GRAPH_API_VERSION: &str = "v25.0";

/// A channel through Meta's platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetaChannel {
    Messenger,
    #[serde(rename = "whatsapp")]
    WhatsApp,
}

impl MetaChannel {
    pub const ALL: [MetaChannel; 2] = [MetaChannel::Messenger, MetaChannel::WhatsApp];

    /// Its name in addresses (`/webhooks/<name>`) and in the store.
    pub fn name(self) -> &'static str {
        match self {
            MetaChannel::Messenger => "messenger",
            MetaChannel::WhatsApp => "whatsapp",
        }
    }

    pub fn from_name(name: &str) -> Option<MetaChannel> {
        MetaChannel::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The Meta channel a chat channel is, if it is one.
    pub fn of(channel: Channel) -> Option<MetaChannel> {
        MetaChannel::ALL
            .into_iter()
            .find(|c| c.channel() == channel)
    }

    /// The chat channel its conversations are.
    pub fn channel(self) -> Channel {
        match self {
            MetaChannel::Messenger => Channel::Messenger,
            MetaChannel::WhatsApp => Channel::WhatsApp,
        }
    }

    /// The `object` of the webhook posts Meta sends for it.
    pub fn webhook_object(self) -> &'static str {
        match self {
            MetaChannel::Messenger => "page",
            MetaChannel::WhatsApp => "whatsapp_business_account",
        }
    }
}

/// What of a transcript line a Messenger or WhatsApp customer receives, if anything: the
/// agents' messages, under the business's name (Meta shows the Page or number as the
/// sender: SPEC F-2, never an agent's name, so no alias is added), and the administrator's
/// own lines (welcome, no agent, queue timeout). Lines that name an agent (joined, left)
/// or speak of the desktop are for the agents only.
pub fn for_customer(body: &LineBody) -> Option<&str> {
    match body {
        LineBody::Message {
            author: Author::Agent { .. },
            text,
            ..
        } => Some(text),
        LineBody::System {
            note:
                SystemNote::Welcome { text }
                | SystemNote::NoAgent { text }
                | SystemNote::QueueTimeout { text },
        } => Some(text)
            .filter(|t| !t.trim().is_empty())
            .map(String::as_str),
        _ => None,
    }
}

/// What became of one of the business's messages on Meta's side, as the agent's line
/// shows it (ticks). Ordered as a message goes: a status only ever moves forward, so one
/// Meta reports late (statuses may arrive out of order) never undoes a later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Meta took it.
    Sent,
    /// It reached the customer's phone or app.
    Delivered,
    /// The customer read it.
    Read,
    /// Meta could not deliver it (the transcript says why).
    Failed,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 4] = [
        MessageStatus::Sent,
        MessageStatus::Delivered,
        MessageStatus::Read,
        MessageStatus::Failed,
    ];

    /// Its name in the store.
    pub fn name(self) -> &'static str {
        match self {
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed => "failed",
        }
    }

    pub fn from_name(name: &str) -> Option<MessageStatus> {
        MessageStatus::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Its place in a message's course (the store compares these).
    pub fn rank(self) -> i64 {
        self as i64 + 1
    }
}

/// How an agent's reply may reach a Messenger or WhatsApp customer now, by the time since
/// the customer's last message (SPEC F-3, and Messenger's policy): Meta refuses anything
/// else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReplyWindow {
    /// Any reply, until `until_ms` (24 hours after the customer's last message).
    Open { until_ms: i64 },
    /// Messenger after those 24 hours: an agent's own reply, sent with the human-agent tag,
    /// until `until_ms` (7 days after the customer's last message).
    HumanAgent { until_ms: i64 },
    /// No reply until the customer writes again (on WhatsApp, only an approved template
    /// would go).
    Closed,
}

impl ReplyWindow {
    /// The window of a chat whose customer last wrote at `last_customer_at_ms`, at `now_ms`;
    /// `human_agent_tag` as the administrator set the channel.
    pub fn at(
        channel: MetaChannel,
        last_customer_at_ms: i64,
        human_agent_tag: bool,
        now_ms: i64,
    ) -> ReplyWindow {
        use super::limits::{HUMAN_AGENT_WINDOW_MS, META_REPLY_WINDOW_MS};
        let open_until = last_customer_at_ms.saturating_add(META_REPLY_WINDOW_MS);
        let tag_until = last_customer_at_ms.saturating_add(HUMAN_AGENT_WINDOW_MS);
        if now_ms < open_until {
            ReplyWindow::Open {
                until_ms: open_until,
            }
        } else if channel == MetaChannel::Messenger && human_agent_tag && now_ms < tag_until {
            ReplyWindow::HumanAgent {
                until_ms: tag_until,
            }
        } else {
            ReplyWindow::Closed
        }
    }

    /// Whether an agent may send a reply of their own now.
    pub fn allows_reply(self) -> bool {
        self != ReplyWindow::Closed
    }
}

/// What the reply window of a Messenger or WhatsApp chat runs from, as the desktop keeps
/// it with the chat's tab: Meta's time of the customer's last message, and whether the
/// channel's human-agent tag may extend it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRule {
    pub channel: MetaChannel,
    pub last_customer_at_ms: i64,
    pub human_agent_tag: bool,
}

impl ReplyRule {
    pub fn window(&self, now_ms: i64) -> ReplyWindow {
        ReplyWindow::at(
            self.channel,
            self.last_customer_at_ms,
            self.human_agent_tag,
            now_ms,
        )
    }

    /// The customer wrote again (at `at_ms`): the window runs from then.
    pub fn customer_wrote(&mut self, at_ms: i64) {
        self.last_customer_at_ms = self.last_customer_at_ms.max(at_ms);
    }
}

/// What Messenger carries back in the echo of each message the business sends through us
/// (the Send API's `metadata`): an echo that has it is ours, already in the transcript;
/// one without it was written in Meta's own Page inbox.
pub const ECHO_MARK: &str = "switchboard";

/// Why Meta would not carry one of the business's messages (SPEC F-1, F-3), as the agent is
/// told in the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MetaRefusal {
    /// Messenger (code 10, subcode 2018278): outside the time the Messenger Platform
    /// allows a reply after the customer's last message.
    OutsideWindow,
    /// WhatsApp (131047): more than 24 hours since the customer's last message: only an
    /// approved template may be sent.
    ReEngagement,
    /// Messenger (551): the person cannot receive messages just now.
    Unavailable,
    /// The channel's access token expired or was revoked (190): an administrator must
    /// reconnect the channel.
    TokenExpired,
    /// Meta's service failed or did not answer, try after try, for longer than a reply
    /// is worth waiting for.
    NoAnswer,
    /// Anything else Meta refused, with its code and words.
    Other { code: i64, message: String },
}

impl MetaRefusal {
    /// What the agent reads, in a language.
    pub fn text_in(&self, locale: crate::i18n::Locale) -> String {
        use crate::i18n::td_string;
        match self {
            MetaRefusal::OutsideWindow => td_string!(locale, system.meta.outside_window).into(),
            MetaRefusal::ReEngagement => td_string!(locale, system.meta.re_engagement).into(),
            MetaRefusal::Unavailable => td_string!(locale, system.meta.unavailable).into(),
            MetaRefusal::TokenExpired => td_string!(locale, system.meta.token_expired).into(),
            MetaRefusal::NoAnswer => td_string!(locale, system.meta.no_answer).into(),
            MetaRefusal::Other { code, message } => td_string!(
                locale,
                system.meta.other,
                code = code.to_string(),
                message = message.as_str()
            )
            .to_string(),
        }
    }
}

/// What to do after Meta's Graph API answered a send with an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// Try the same message again later: Meta's side failed or asked us to slow down.
    Transient,
    /// Meta will not carry it: the agent is told why, and the next line goes on.
    Refused(MetaRefusal),
}

impl SendFailure {
    /// Sorts Meta's error (`code`, `error_subcode`, as the Graph API's error object gives
    /// them, and the HTTP status) by what Meta documents of them: server errors and rate
    /// limits are tried again (1 and 2 unknown/service errors, 4, 17, 32 and 613 rate
    /// limits, WhatsApp's 130429, 131056 and 131000 "something went wrong", any 5xx);
    /// the rest is refused. Code 10 is the reply window only with Messenger's subcode
    /// 2018278; otherwise it is a permission refused, told as Meta words it.
    pub fn from_error(
        http_status: u16,
        code: i64,
        subcode: Option<i64>,
        message: &str,
    ) -> SendFailure {
        const TRANSIENT: [i64; 9] = [1, 2, 4, 17, 32, 613, 130429, 131000, 131056];
        if http_status >= 500 || http_status == 429 || TRANSIENT.contains(&code) {
            return SendFailure::Transient;
        }
        SendFailure::Refused(match code {
            10 if subcode == Some(2018278) => MetaRefusal::OutsideWindow,
            131047 => MetaRefusal::ReEngagement,
            551 => MetaRefusal::Unavailable,
            190 => MetaRefusal::TokenExpired,
            _ => MetaRefusal::Other {
                code,
                message: message.chars().take(300).collect(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC F-3: 24 hours of free replies from the customer's last message; then, on
    /// Messenger with the human-agent tag on, an agent's reply for up to 7 days; then none.
    #[test]
    fn f3_the_reply_window_runs_from_the_customers_last_message() {
        const HOUR: i64 = 3_600_000;
        let last = 1_000 * HOUR;
        let at =
            |channel, tag, hours: i64| ReplyWindow::at(channel, last, tag, last + hours * HOUR);
        let (messenger, whatsapp) = (MetaChannel::Messenger, MetaChannel::WhatsApp);
        assert_eq!(
            at(whatsapp, false, 23),
            ReplyWindow::Open {
                until_ms: last + 24 * HOUR
            }
        );
        assert_eq!(at(whatsapp, false, 24), ReplyWindow::Closed);
        assert_eq!(
            at(whatsapp, true, 25),
            ReplyWindow::Closed,
            "no tag on WhatsApp"
        );
        assert_eq!(at(messenger, false, 25), ReplyWindow::Closed, "tag off");
        assert_eq!(
            at(messenger, true, 25),
            ReplyWindow::HumanAgent {
                until_ms: last + 7 * 24 * HOUR
            }
        );
        assert!(at(messenger, true, 7 * 24 - 1).allows_reply());
        assert!(!at(messenger, true, 7 * 24).allows_reply());
    }
    use crate::domain::ids::AgentId;

    #[test]
    fn f2_the_customer_gets_the_agents_words_and_the_administrators_lines_never_a_name() {
        let agent = LineBody::Message {
            author: Author::Agent {
                agent: AgentId(1),
                alias: "Alice".into(),
            },
            text: "Hello".into(),
            client_id: "a1".into(),
            files: Vec::new(),
            sent_at_ms: None,
            template: None,
        };
        assert_eq!(for_customer(&agent), Some("Hello"));
        let customer = LineBody::Message {
            author: Author::Customer { name: "Kim".into() },
            text: "Hi".into(),
            client_id: "m1".into(),
            files: Vec::new(),
            sent_at_ms: None,
            template: None,
        };
        assert_eq!(for_customer(&customer), None);
        let note = |note| LineBody::System { note };
        assert_eq!(
            for_customer(&note(SystemNote::Welcome {
                text: "Welcome!".into()
            })),
            Some("Welcome!")
        );
        assert_eq!(
            for_customer(&note(SystemNote::Welcome { text: " ".into() })),
            None
        );
        assert_eq!(
            for_customer(&note(SystemNote::Joined {
                alias: "Alice".into()
            })),
            None,
            "an agent's name"
        );
        assert_eq!(
            for_customer(&note(SystemNote::Left {
                alias: "Alice".into()
            })),
            None
        );
        assert_eq!(
            for_customer(&note(SystemNote::NoAgent {
                text: "Nobody yet".into()
            })),
            Some("Nobody yet")
        );
    }

    #[test]
    fn meta_errors_are_retried_or_refused_as_meta_documents_them() {
        use SendFailure::*;
        assert_eq!(SendFailure::from_error(500, 2, None, "x"), Transient);
        assert_eq!(SendFailure::from_error(400, 613, None, "x"), Transient);
        assert_eq!(SendFailure::from_error(400, 130429, None, "x"), Transient);
        assert_eq!(
            SendFailure::from_error(400, 10, Some(2018278), "x"),
            Refused(MetaRefusal::OutsideWindow)
        );
        assert_eq!(
            SendFailure::from_error(403, 10, None, "Permission denied"),
            Refused(MetaRefusal::Other {
                code: 10,
                message: "Permission denied".into()
            })
        );
        assert_eq!(
            SendFailure::from_error(400, 131047, None, "x"),
            Refused(MetaRefusal::ReEngagement)
        );
        assert_eq!(
            SendFailure::from_error(400, 551, None, "x"),
            Refused(MetaRefusal::Unavailable)
        );
        assert_eq!(
            SendFailure::from_error(401, 190, None, "x"),
            Refused(MetaRefusal::TokenExpired)
        );
        assert_eq!(
            SendFailure::from_error(400, 100, None, "Invalid parameter"),
            Refused(MetaRefusal::Other {
                code: 100,
                message: "Invalid parameter".into()
            })
        );
    }

    #[test]
    fn a_channel_is_named_as_in_its_webhook_address_and_json() {
        for channel in MetaChannel::ALL {
            assert_eq!(MetaChannel::from_name(channel.name()), Some(channel));
            assert_eq!(
                serde_json::to_string(&channel).unwrap(),
                format!("\"{}\"", channel.name())
            );
        }
        assert_eq!(MetaChannel::from_name("telegram"), None);
        assert_eq!(MetaChannel::WhatsApp.channel(), Channel::WhatsApp);
    }
}
