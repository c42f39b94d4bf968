//! Facebook Messenger and WhatsApp Business (SPEC F-1, F-2, F-3): the two chat channels that
//! reach the business through Meta's platform. Customers write to the business's Facebook
//! Page or WhatsApp number; Meta posts each event to a webhook of ours and carries our
//! replies through its Graph API.

use super::contact::Channel;
use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

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
