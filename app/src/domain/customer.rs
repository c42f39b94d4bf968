//! The person on the other side of a contact, and what the desktop shows of them: who they
//! are on a Messenger or WhatsApp channel, and their earlier conversations on any channel
//! (one customer across channels, issue 16).

use super::{
    contact::Channel,
    ids::{ContactId, CustomerId},
    limits::PAST_CONTACT_ABOUT_CHARS,
    meta::MetaChannel,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The person as a Messenger or WhatsApp channel knows them: their id there (a WhatsApp
/// number, a Messenger page-scoped id) and the name on their profile, which may differ from
/// the customer's own record (the name a web chat's form gave).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelProfile {
    pub channel: MetaChannel,
    pub handle: String,
    pub name: Option<String>,
}

impl ChannelProfile {
    /// As the customer details show it: "Sheena Nelson · +16505551234" on WhatsApp (a
    /// business-scoped id, not a number, as it is), the name alone on Messenger (a
    /// page-scoped id means nothing to an agent), "—" when nothing is known.
    pub fn shown(&self) -> String {
        let number = match self.channel {
            MetaChannel::WhatsApp if self.handle.chars().all(|c| c.is_ascii_digit()) => {
                Some(format!("+{}", self.handle))
            }
            MetaChannel::WhatsApp => Some(self.handle.clone()),
            MetaChannel::Messenger => None,
        };
        match (&self.name, number) {
            (Some(name), Some(number)) => format!("{name} · {number}"),
            (Some(name), None) => name.clone(),
            (None, Some(number)) => number,
            (None, None) => "—".into(),
        }
    }
}

/// One of the customer's earlier conversations, as the customer details list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastContact {
    pub contact: ContactId,
    pub channel: Channel,
    pub csq: String,
    /// The alias of the agent who had it, if one did.
    pub agent: Option<String>,
    pub started_at_ms: i64,
    /// What it was about: the customer's first message, an email's subject, a web chat's
    /// problem; cut to [`PAST_CONTACT_ABOUT_CHARS`].
    pub about: String,
}

impl PastContact {
    /// `text` cut to the list's length on a character boundary, with an ellipsis when cut.
    pub fn about_of(text: &str) -> String {
        let text = text.trim();
        match text.char_indices().nth(PAST_CONTACT_ABOUT_CHARS) {
            Some((end, _)) => format!("{}…", text[..end].trim_end()),
            None => text.to_string(),
        }
    }
}

/// A phone number's digits only ("+1 (650) 555-1234" → "16505551234"): how a WhatsApp
/// number and a number typed in a form are compared.
pub fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_reads_as_its_digits_and_a_long_first_message_is_cut() {
        assert_eq!(phone_digits("+1 (650) 555-1234"), "16505551234");
        assert_eq!(phone_digits("16505551234"), "16505551234");
        assert_eq!(
            PastContact::about_of("  Where is my order?  "),
            "Where is my order?"
        );
        let long = "é".repeat(PAST_CONTACT_ABOUT_CHARS + 5);
        let cut = PastContact::about_of(&long);
        assert_eq!(cut.chars().count(), PAST_CONTACT_ABOUT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn a_profile_shows_its_name_and_a_whatsapp_number() {
        let profile = |channel, handle: &str, name: Option<&str>| ChannelProfile {
            channel,
            handle: handle.into(),
            name: name.map(Into::into),
        };
        let whatsapp = MetaChannel::WhatsApp;
        assert_eq!(
            profile(whatsapp, "16505551234", Some("Sheena")).shown(),
            "Sheena · +16505551234"
        );
        assert_eq!(
            profile(whatsapp, "US.13491208655302741918", None).shown(),
            "US.13491208655302741918"
        );
        assert_eq!(
            profile(MetaChannel::Messenger, "7012345678901234", Some("Ann")).shown(),
            "Ann"
        );
        assert_eq!(
            profile(MetaChannel::Messenger, "7012345678901234", None).shown(),
            "—"
        );
    }
}
