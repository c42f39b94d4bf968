//! The person on the other side of a contact, and what the desktop shows of them: who they
//! are on a Messenger or WhatsApp channel, and their earlier conversations on any channel
//! (one customer across channels, issue 16).

use super::{
    contact::Channel,
    ids::{ContactId, CustomerId},
    limits::{
        ADDRESSES_LOOKED_UP_PER_CHAT, MAX_CUSTOMER_NAME_CHARS, MAX_EMAIL_ADDRESS_CHARS,
        MAX_PHONE_CHARS, PAST_CONTACT_ABOUT_CHARS, PHONE_DIGITS,
    },
    meta::MetaChannel,
    validate::{char_count, is_valid_email, phone_problem, Field, FieldError, Problem},
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
    /// Issue 17: the wrap-up reasons its agent chose, by label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wrap_up: Vec<String>,
}

/// Issue 17 (SPEC P-5): one earlier conversation read whole, read-only, as the agent opens
/// it from the customer's history: a chat's transcript (its first
/// [`super::limits::PAST_TRANSCRIPT_LINES`] lines), or the customer's email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastConversation {
    pub contact: ContactId,
    pub channel: Channel,
    pub started_at_ms: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<super::chat::ChatLine>,
    /// The transcript goes on past the lines given.
    #[serde(default)]
    pub cut: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Box<PastEmail>>,
    /// Issue 17: when its contents were erased (its customer erased, or the retention
    /// reached it): its lines are empty then, its email blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased_at_ms: Option<i64>,
}

/// The customer's email of an earlier conversation, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastEmail {
    pub subject: String,
    /// "Name <address>".
    pub from: String,
    /// Its recipients, "Name <address>, ...": the mailbox, or (an email the API sent) the
    /// customer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
    pub received_at_ms: i64,
    pub text: String,
    /// The reply the agent sent, as text (issue 17), if one went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
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

/// How an agent names the known customer a contact's customer is the same person as (issue
/// 16): an email address or a phone number, compared as emails and WhatsApp numbers are
/// (the address without case, the number by its digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum CustomerAddress {
    /// Lower-cased.
    Email(String),
    /// Digits only, with the country code.
    Phone(String),
}

impl CustomerAddress {
    /// What the agent typed, read as an address, or why it is not one.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let input = input.trim();
        let refused = |problem| Err(FieldError::new(Field::SameCustomer, problem));
        if input.is_empty() {
            return refused(Problem::Required);
        }
        let max = MAX_EMAIL_ADDRESS_CHARS.max(MAX_PHONE_CHARS);
        let given = input.chars().count();
        if given > max {
            return refused(Problem::TooManyChars { max, given });
        }
        if input.contains('@') {
            return match is_valid_email(input) {
                true => Ok(CustomerAddress::Email(input.to_lowercase())),
                false => refused(Problem::InvalidEmail {
                    value: input.to_string(),
                }),
            };
        }
        // "+44 20 7946 0958" as written; without its '+', an international "00" prefix,
        // or the bare digits of a WhatsApp number; a local number (a leading 0) would
        // find the wrong person.
        let digits = match input.strip_prefix('+') {
            Some(rest) => {
                let (digits, end) = number_at(rest);
                (end == rest.len()).then_some(digits)
            }
            None if input
                .chars()
                .all(|c| c.is_ascii_digit() || " ()-.".contains(c)) =>
            {
                let digits = phone_digits(input);
                match digits.strip_prefix("00") {
                    Some(international) => Some(international.to_string()),
                    None if digits.starts_with('0') => None,
                    None => Some(digits),
                }
            }
            None => None,
        };
        match digits {
            Some(digits) if PHONE_DIGITS.contains(&digits.len()) => {
                Ok(CustomerAddress::Phone(digits))
            }
            _ => refused(Problem::EmailOrPhone {
                min: *PHONE_DIGITS.start(),
                max: *PHONE_DIGITS.end(),
            }),
        }
    }

    /// As the page shows it: the address, or the number with a '+'.
    pub fn shown(&self) -> String {
        match self {
            CustomerAddress::Email(address) => address.clone(),
            CustomerAddress::Phone(digits) => format!("+{digits}"),
        }
    }
}

/// The addresses a customer wrote in a message, in order, each once, at most
/// [`ADDRESSES_LOOKED_UP_PER_CHAT`]: the email addresses, and the phone numbers written with
/// their country code ("+44 20 7946 0958"), which the page looks up to suggest a link.
pub fn addresses_in(text: &str) -> Vec<CustomerAddress> {
    let mut found: Vec<CustomerAddress> = Vec::new();
    let mut add = |address: CustomerAddress| {
        if !found.contains(&address) && found.len() < ADDRESSES_LOOKED_UP_PER_CHAT {
            found.push(address);
        }
    };
    // Emails: words with an '@', without the punctuation around them.
    for word in text.split(|c: char| c.is_whitespace() || "<>()[],;:\"'".contains(c)) {
        let word = word.trim_matches(|c: char| ".!?".contains(c));
        if word.contains('@') && is_valid_email(word) {
            add(CustomerAddress::Email(word.to_lowercase()));
        }
    }
    // Numbers: a '+' then groups of digits.
    let mut rest = text;
    while let Some(start) = rest.find('+') {
        let after = &rest[start + 1..];
        let (digits, end) = number_at(after);
        if PHONE_DIGITS.contains(&digits.len()) {
            add(CustomerAddress::Phone(digits));
        }
        rest = &after[end..];
    }
    found
}

/// The digits of the phone number written at the start of `text` (just after its '+'), and
/// where it ends: groups of digits ("20", "(650)"), each after one space, hyphen or dot.
/// It stops where no group follows ("… 0958. 10 minutes", "… 0958 (2pm)", "… 0958 - 3
/// items"), and leaves out the "(0)" some write after the country code ("+44 (0)20…").
fn number_at(text: &str) -> (String, usize) {
    let bytes = text.as_bytes();
    let run = |from: usize| {
        from + bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let (mut digits, mut at, mut end, mut groups) = (String::new(), 0, 0, 0);
    loop {
        // One group.
        let bracket = bytes.get(at) == Some(&b'(');
        if bracket {
            let close = run(at + 1);
            if close == at + 1 || bytes.get(close) != Some(&b')') {
                break;
            }
            let group = &text[at + 1..close];
            if !(groups == 1 && group == "0") {
                digits.push_str(group);
            }
            at = close + 1;
        } else {
            let stop = run(at);
            if stop == at {
                break;
            }
            digits.push_str(&text[at..stop]);
            at = stop;
        }
        groups += 1;
        end = at;
        // The next one: a bracket right after digits, digits right after a bracket, or
        // either after one separator.
        match bytes.get(at) {
            Some(b'(') if !bracket => {}
            Some(b) if bracket && b.is_ascii_digit() => {}
            Some(b' ' | b'-' | b'.')
                if bytes
                    .get(at + 1)
                    .is_some_and(|b| b.is_ascii_digit() || *b == b'(') =>
            {
                at += 1
            }
            _ => break,
        }
    }
    (digits, end)
}

/// A known customer an address found, as the agent confirms a link to them: who they are,
/// and how many conversations they had, the last when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerMatch {
    pub customer: Customer,
    pub conversations: u32,
    pub last_at_ms: Option<i64>,
}

/// Issue 17 (the API): a customer's name as a program gives it, checked as the pre-chat
/// form checks it; trimmed.
pub fn customer_name(typed: &str) -> Result<String, FieldError> {
    let name = typed.trim();
    let given = char_count(name);
    if name.is_empty() {
        return Err(FieldError::new(Field::Name, Problem::Required));
    }
    if given > MAX_CUSTOMER_NAME_CHARS {
        return Err(FieldError::new(
            Field::Name,
            Problem::TooManyChars {
                max: MAX_CUSTOMER_NAME_CHARS,
                given,
            },
        ));
    }
    Ok(name.to_string())
}

/// Issue 17 (the API): an email address a program gives; blank is none (a customer known
/// by their number alone).
pub fn customer_email(typed: &str) -> Result<Option<String>, FieldError> {
    let email = typed.trim();
    if email.is_empty() {
        return Ok(None);
    }
    if !is_valid_email(email) {
        return Err(FieldError::new(
            Field::Email,
            Problem::InvalidEmail {
                value: email.to_string(),
            },
        ));
    }
    Ok(Some(email.to_string()))
}

/// Issue 17 (the API): a phone number a program gives, checked as the pre-chat form checks
/// it; blank is none.
pub fn customer_phone(typed: &str) -> Result<Option<String>, FieldError> {
    let phone = typed.trim();
    if let Some(problem) = phone_problem(phone) {
        return Err(FieldError::new(Field::Phone, problem));
    }
    Ok(Some(phone.to_string()).filter(|p| !p.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: a customer a program gives is checked as the pre-chat form checks one,
    /// each part optional but the name; what is kept is trimmed, a blank address none.
    #[test]
    fn a_programs_customer_is_checked_and_tidied() {
        assert_eq!(customer_name("  Zoé Martin ").unwrap(), "Zoé Martin");
        assert_eq!(customer_name(" ").unwrap_err().field, Field::Name);
        let long = "é".repeat(MAX_CUSTOMER_NAME_CHARS + 1);
        assert!(matches!(
            customer_name(&long).unwrap_err().problem,
            Problem::TooManyChars { .. }
        ));
        assert_eq!(customer_email("  ").unwrap(), None);
        assert_eq!(
            customer_email(" zoe@example.com ").unwrap().as_deref(),
            Some("zoe@example.com")
        );
        assert_eq!(customer_email("nope").unwrap_err().field, Field::Email);
        assert_eq!(customer_phone("").unwrap(), None);
        assert_eq!(
            customer_phone(" +33 1 23 ").unwrap().as_deref(),
            Some("+33 1 23")
        );
        assert_eq!(customer_phone("call me").unwrap_err().field, Field::Phone);
    }

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
    fn an_address_is_an_email_or_a_number_with_its_country_code() {
        assert_eq!(
            CustomerAddress::parse(" Ravi@Example.COM "),
            Ok(CustomerAddress::Email("ravi@example.com".into()))
        );
        assert_eq!(
            CustomerAddress::parse("+1 (650) 555-1234"),
            Ok(CustomerAddress::Phone("16505551234".into()))
        );
        let problem = |input: &str| CustomerAddress::parse(input).unwrap_err();
        assert_eq!(problem("").problem, Problem::Required);
        assert_eq!(problem("").field, Field::SameCustomer);
        assert!(matches!(
            problem("ravi@"),
            FieldError {
                problem: Problem::InvalidEmail { .. },
                ..
            }
        ));
        assert_eq!(
            CustomerAddress::parse("+44 (0)20 7946 0958"),
            Ok(CustomerAddress::Phone("442079460958".into()))
        );
        assert_eq!(
            CustomerAddress::parse("0044 20 7946 0958"),
            Ok(CustomerAddress::Phone("442079460958".into()))
        );
        assert_eq!(
            CustomerAddress::parse("16505551234"),
            Ok(CustomerAddress::Phone("16505551234".into())),
            "a WhatsApp number as Meta writes it"
        );
        for not_one in [
            "Ravi Patel",
            "555-1234",
            "+1 650 555 1234 5678 9012",
            "020 7946 0958",
            "+44 20 7946 0958 ext",
        ] {
            assert!(
                matches!(problem(not_one).problem, Problem::EmailOrPhone { .. }),
                "{not_one}"
            );
        }
        let long = "1".repeat(300);
        assert!(matches!(
            problem(&long).problem,
            Problem::TooManyChars { .. }
        ));
        assert_eq!(CustomerAddress::Phone("447946".into()).shown(), "+447946");
    }

    #[test]
    fn a_message_gives_its_addresses_once_each() {
        let found = addresses_in(
            "Hi, I'm ravi@example.com (or Ravi@Example.com), call +44 20 7946 0958. \
             Not 555-1234, not me@home, not +12.",
        );
        assert_eq!(
            found,
            vec![
                CustomerAddress::Email("ravi@example.com".into()),
                CustomerAddress::Phone("442079460958".into()),
            ]
        );
        let many = (0..10)
            .map(|n| format!("a{n}@example.com"))
            .collect::<Vec<_>>();
        assert_eq!(
            addresses_in(&many.join(" ")).len(),
            ADDRESSES_LOOKED_UP_PER_CHAT
        );
        assert!(addresses_in("no address here").is_empty());
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
