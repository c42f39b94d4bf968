//! Validators shared by the browser and the server. Each returns errors that name the field
//! and the limit, so the page can show them beside the field and the server can refuse
//! whatever a modified page sends.

use super::limits::*;
pub use super::problem::{format_bytes, Problem};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The input a problem is about. Its `Display` is the label the user sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    To,
    Cc,
    Bcc,
    ChatMessage,
    Attachments,
    /// One attachment, by file name.
    Attachment(String),
    /// The body of an email reply.
    Body,
    WrapUpReasons,
    WrapUpLabel,
    Csqs,
    InviteNotes,
    AcceptTimer,
    JoinTimeout,
    InactivityTimeout,
    ReconnectGrace,
    WelcomeMessage,
    NoAgentMessage,
    QueueLimit,
    QueueTimeout,
    QueueTimeoutMessage,
    Username,
    Password,
    /// The password a user has now, asked before it is changed.
    CurrentPassword,
    NewPassword,
    /// The new password typed a second time.
    PasswordConfirm,
    /// A user's full name (the top bar, the administration).
    DisplayName,
    /// The name customers see ("<alias> has joined the chat", SPEC K-2).
    Alias,
    Role,
    /// An agent's maximum of active chats (SPEC O-4).
    MaxChats,
    /// An agent's maximum of active emails (SPEC O-4).
    MaxEmails,
    /// Whether an account is enabled.
    Account,
    Search,
    /// A CSQ's name.
    CsqName,
    /// A CSQ's members.
    Members,
    /// Issue 18: the CSQs a supervisor watches.
    Supervises,
    /// A day chosen in a filter.
    Day,
    Email,
    Name,
    Phone,
    Problem,
    ClientId,
    /// A canned response's title, as the agent's list shows it.
    CannedTitle,
    /// A canned response's text.
    CannedBody,
    MailboxName,
    ImapHost,
    ImapPort,
    ImapUsername,
    ImapPassword,
    /// The IMAP folder read.
    Folder,
    SmtpHost,
    SmtpPort,
    SmtpUsername,
    SmtpPassword,
    /// A mailbox's own address, From of its replies.
    SenderAddress,
    /// The name shown with the sender's address.
    SenderName,
    Signature,
    /// A pre-chat field's label, as the customer reads it (SPEC K-2).
    FieldLabel,
    /// The options of a pre-chat choice field.
    Choices,
    /// The language of a user's pages.
    Language,
    /// The origins that may embed the desktop as a gadget (D-1).
    GadgetHosts,
    /// Messenger and WhatsApp (F-1, F-3): what customers see as the sender.
    BusinessName,
    /// The Facebook Page's id, or the WhatsApp phone number id.
    AccountId,
    /// What Meta sends back when the webhook is subscribed.
    VerifyToken,
    /// The Meta app's secret, which signs the webhook's posts.
    AppSecret,
    /// The token the Graph API is called with.
    AccessToken,
    /// Where the Graph API answers.
    GraphApiBase,
    /// The Graph API version called.
    GraphApiVersion,
    /// The WhatsApp template an agent sends (SPEC F-3).
    Template,
    /// The channel's list of WhatsApp templates.
    Templates,
    /// One template of the list (from 1): its name, language, text.
    TemplateName(usize),
    TemplateLanguage(usize),
    TemplateText(usize),
    /// The value of a template's placeholder `{{n}}`.
    TemplateParameter(usize),
    /// The address of the known customer a contact's customer is the same person as.
    SameCustomer,
    /// Issue 17 (K-4): the message a customer leaves in the widget.
    LeftMessage,
    /// Issue 17: a note an agent writes about a customer.
    CustomerNote,
    /// Issue 17: a customer's tags, and one of them (from 1).
    CustomerTags,
    CustomerTag(usize),
    /// Issue 17: the Conversations page's words, customer, tag and days.
    SearchText,
    SearchCustomer,
    SearchTag,
    FromDay,
    ToDay,
    /// Issue 17: the days conversations' contents are kept after they end.
    RetentionDays,
    /// Issue 17: what an administrator calls an API token.
    ApiTokenName,
    /// Issue 17: an outgoing webhook's name, address and events.
    WebhookName,
    WebhookUrl,
    WebhookEvents,
    /// Issue 17: the customer an administrator erases, or an email through the API goes to.
    Customer,
    /// Issue 17: the queue an email through the API goes from (its mailbox).
    Queue,
    /// Issue 17: an email's subject, through the API.
    Subject,
    /// Issue 17: the time zone a CSQ's business hours are read in.
    TimeZone,
    /// Issue 17: a CSQ's opening hours on one day of the week (0 Monday ... 6 Sunday).
    OpeningHours(usize),
    /// Issue 17: a CSQ's list of holidays.
    Holidays,
    /// Issue 17: one holiday of the list (from 1).
    Holiday(usize),
    /// A customer's answer to one of the administrator's pre-chat fields, named by its label;
    /// its form key is `answer-<id>`, the name of its input in the widget.
    Answer {
        id: i64,
        label: String,
    },
}

impl Field {
    /// The field's name as its form shows it, in a language (`Display` is the English).
    pub fn label(&self, locale: Locale) -> String {
        match self {
            Field::To => td_string!(locale, validation.fields.to).to_string(),
            Field::Cc => td_string!(locale, validation.fields.cc).to_string(),
            Field::Bcc => td_string!(locale, validation.fields.bcc).to_string(),
            Field::ChatMessage => td_string!(locale, validation.fields.chat_message).to_string(),
            Field::Attachments => td_string!(locale, validation.fields.attachments).to_string(),
            Field::Body => td_string!(locale, validation.fields.body).to_string(),
            Field::WrapUpReasons => {
                td_string!(locale, validation.fields.wrap_up_reasons).to_string()
            }
            Field::WrapUpLabel => td_string!(locale, validation.fields.wrap_up_label).to_string(),
            Field::Csqs => td_string!(locale, validation.fields.csqs).to_string(),
            Field::InviteNotes => td_string!(locale, validation.fields.invite_notes).to_string(),
            Field::AcceptTimer => td_string!(locale, validation.fields.accept_timer).to_string(),
            Field::JoinTimeout => td_string!(locale, validation.fields.join_timeout).to_string(),
            Field::InactivityTimeout => {
                td_string!(locale, validation.fields.inactivity_timeout).to_string()
            }
            Field::ReconnectGrace => {
                td_string!(locale, validation.fields.reconnect_grace).to_string()
            }
            Field::WelcomeMessage => {
                td_string!(locale, validation.fields.welcome_message).to_string()
            }
            Field::NoAgentMessage => {
                td_string!(locale, validation.fields.no_agent_message).to_string()
            }
            Field::QueueLimit => td_string!(locale, validation.fields.queue_limit).to_string(),
            Field::QueueTimeout => td_string!(locale, validation.fields.queue_timeout).to_string(),
            Field::QueueTimeoutMessage => {
                td_string!(locale, validation.fields.queue_timeout_message).to_string()
            }
            Field::Username => td_string!(locale, validation.fields.username).to_string(),
            Field::Password => td_string!(locale, validation.fields.password).to_string(),
            Field::CurrentPassword => {
                td_string!(locale, validation.fields.current_password).to_string()
            }
            Field::NewPassword => td_string!(locale, validation.fields.new_password).to_string(),
            Field::PasswordConfirm => {
                td_string!(locale, validation.fields.password_confirm).to_string()
            }
            Field::DisplayName => td_string!(locale, validation.fields.display_name).to_string(),
            Field::Alias => td_string!(locale, validation.fields.alias).to_string(),
            Field::Role => td_string!(locale, validation.fields.role).to_string(),
            Field::MaxChats => td_string!(locale, validation.fields.max_chats).to_string(),
            Field::MaxEmails => td_string!(locale, validation.fields.max_emails).to_string(),
            Field::Account => td_string!(locale, validation.fields.account).to_string(),
            Field::Search => td_string!(locale, validation.fields.search).to_string(),
            Field::Language => td_string!(locale, validation.fields.language).to_string(),
            Field::GadgetHosts => td_string!(locale, validation.fields.gadget_hosts).to_string(),
            Field::BusinessName => td_string!(locale, validation.fields.business_name).to_string(),
            Field::AccountId => td_string!(locale, validation.fields.account_id).to_string(),
            Field::VerifyToken => td_string!(locale, validation.fields.verify_token).to_string(),
            Field::AppSecret => td_string!(locale, validation.fields.app_secret).to_string(),
            Field::AccessToken => td_string!(locale, validation.fields.access_token).to_string(),
            Field::GraphApiBase => td_string!(locale, validation.fields.graph_api_base).to_string(),
            Field::GraphApiVersion => {
                td_string!(locale, validation.fields.graph_api_version).to_string()
            }
            Field::Template => td_string!(locale, validation.fields.template).to_string(),
            Field::Templates => td_string!(locale, validation.fields.templates).to_string(),
            Field::TemplateName(n) => {
                td_string!(locale, validation.fields.template_name, n = *n).to_string()
            }
            Field::TemplateLanguage(n) => {
                td_string!(locale, validation.fields.template_language, n = *n).to_string()
            }
            Field::TemplateText(n) => {
                td_string!(locale, validation.fields.template_text, n = *n).to_string()
            }
            Field::TemplateParameter(n) => {
                let placeholder = format!("{{{{{n}}}}}");
                td_string!(
                    locale,
                    validation.fields.template_parameter,
                    placeholder = placeholder.as_str()
                )
                .to_string()
            }
            Field::SameCustomer => td_string!(locale, validation.fields.same_customer).to_string(),
            Field::LeftMessage => td_string!(locale, validation.fields.left_message).to_string(),
            Field::CustomerNote => td_string!(locale, validation.fields.customer_note).to_string(),
            Field::CustomerTags => td_string!(locale, validation.fields.customer_tags).to_string(),
            Field::CustomerTag(n) => {
                td_string!(locale, validation.fields.customer_tag, n = *n).to_string()
            }
            Field::SearchText => td_string!(locale, validation.fields.search_text).to_string(),
            Field::SearchCustomer => {
                td_string!(locale, validation.fields.search_customer).to_string()
            }
            Field::SearchTag => td_string!(locale, validation.fields.search_tag).to_string(),
            Field::FromDay => td_string!(locale, validation.fields.from_day).to_string(),
            Field::ToDay => td_string!(locale, validation.fields.to_day).to_string(),
            Field::RetentionDays => {
                td_string!(locale, validation.fields.retention_days).to_string()
            }
            Field::ApiTokenName => td_string!(locale, validation.fields.api_token_name).to_string(),
            Field::WebhookName => td_string!(locale, validation.fields.webhook_name).to_string(),
            Field::WebhookUrl => td_string!(locale, validation.fields.webhook_url).to_string(),
            Field::WebhookEvents => {
                td_string!(locale, validation.fields.webhook_events).to_string()
            }
            Field::Customer => td_string!(locale, validation.fields.customer).to_string(),
            Field::Queue => td_string!(locale, validation.fields.queue).to_string(),
            Field::Subject => td_string!(locale, validation.fields.subject).to_string(),
            Field::TimeZone => td_string!(locale, validation.fields.time_zone).to_string(),
            Field::OpeningHours(day) => td_string!(
                locale,
                validation.fields.opening_hours,
                day = super::hours::weekday_name(locale, *day)
            )
            .to_string(),
            Field::Holidays => td_string!(locale, validation.fields.holidays).to_string(),
            Field::Holiday(n) => td_string!(locale, validation.fields.holiday, n = *n).to_string(),
            Field::CsqName => td_string!(locale, validation.fields.csq_name).to_string(),
            Field::Members => td_string!(locale, validation.fields.members).to_string(),
            Field::Supervises => td_string!(locale, validation.fields.supervises).to_string(),
            Field::Day => td_string!(locale, validation.fields.day).to_string(),
            Field::Email => td_string!(locale, validation.fields.email).to_string(),
            Field::Name => td_string!(locale, validation.fields.name).to_string(),
            Field::Phone => td_string!(locale, validation.fields.phone).to_string(),
            Field::Problem => td_string!(locale, validation.fields.problem).to_string(),
            Field::ClientId => td_string!(locale, validation.fields.client_id).to_string(),
            Field::CannedTitle => td_string!(locale, validation.fields.canned_title).to_string(),
            Field::CannedBody => td_string!(locale, validation.fields.canned_body).to_string(),
            Field::MailboxName => td_string!(locale, validation.fields.mailbox_name).to_string(),
            Field::ImapHost => td_string!(locale, validation.fields.imap_host).to_string(),
            Field::ImapPort => td_string!(locale, validation.fields.imap_port).to_string(),
            Field::ImapUsername => td_string!(locale, validation.fields.imap_username).to_string(),
            Field::ImapPassword => td_string!(locale, validation.fields.imap_password).to_string(),
            Field::Folder => td_string!(locale, validation.fields.folder).to_string(),
            Field::SmtpHost => td_string!(locale, validation.fields.smtp_host).to_string(),
            Field::SmtpPort => td_string!(locale, validation.fields.smtp_port).to_string(),
            Field::SmtpUsername => td_string!(locale, validation.fields.smtp_username).to_string(),
            Field::SmtpPassword => td_string!(locale, validation.fields.smtp_password).to_string(),
            Field::SenderAddress => {
                td_string!(locale, validation.fields.sender_address).to_string()
            }
            Field::SenderName => td_string!(locale, validation.fields.sender_name).to_string(),
            Field::Signature => td_string!(locale, validation.fields.signature).to_string(),
            Field::FieldLabel => td_string!(locale, validation.fields.field_label).to_string(),
            Field::Choices => td_string!(locale, validation.fields.choices).to_string(),
            Field::Attachment(name) => {
                td_string!(locale, validation.attachment, name = name.as_str()).to_string()
            }
            // The administrator's own words.
            Field::Answer { label, .. } => label.clone(),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label(Locale::en))
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: Field, problem: Problem) -> Self {
        FieldError { field, problem }
    }

    /// "Message: at most 1,500 characters (1,502 given)", in a language.
    pub fn message(&self, locale: Locale) -> String {
        td_string!(
            locale,
            validation.field_error,
            field = self.field.label(locale),
            problem = self.problem.message(locale)
        )
        .to_string()
    }
}

/// A period's first and last days as a form gives them ("YYYY-MM-DD"; blank: none, or
/// `Required` when `required`), each a real day and the last not before the first, the
/// problems added to `errors` against the From and To fields: the days found, as days since
/// 1970-01-01.
pub fn day_range(
    errors: &mut Vec<FieldError>,
    from: &str,
    to: &str,
    required: bool,
) -> (Option<i64>, Option<i64>) {
    let mut day = |field: Field, value: &str| match value.trim() {
        "" => {
            if required {
                errors.push(FieldError::new(field, Problem::Required));
            }
            None
        }
        day => match super::time::day_start_ms(day) {
            Some(start) => Some(start / 86_400_000),
            None => {
                errors.push(FieldError::new(field, Problem::InvalidDay));
                None
            }
        },
    };
    let from = day(Field::FromDay, from);
    let to = day(Field::ToDay, to);
    if let (Some(first), Some(last)) = (from, to) {
        if last < first {
            errors.push(FieldError::new(Field::ToDay, Problem::BeforeFromDay));
        }
    }
    (from, to)
}

/// Every problem found, or none: the result of a check that reports each field at once.
pub fn all_or_errors(errors: Vec<FieldError>) -> Result<(), Vec<FieldError>> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Counts characters as the limits do: Unicode scalar values, not bytes or UTF-16 units.
pub fn char_count(text: &str) -> usize {
    text.chars().count()
}

/// Whether two names are the same to a reader: trimmed, ignoring case (how every name an
/// administrator gives must differ from the others of its kind).
pub fn same_text(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// SPEC P-1: a chat message is not blank and holds at most 1500 characters.
pub fn validate_chat_message(text: &str) -> Result<(), FieldError> {
    if text.trim().is_empty() {
        return Err(FieldError::new(Field::ChatMessage, Problem::Required));
    }
    let given = char_count(text);
    if given > MAX_CHAT_MESSAGE_CHARS {
        return Err(FieldError::new(
            Field::ChatMessage,
            Problem::TooManyChars {
                max: MAX_CHAT_MESSAGE_CHARS,
                given,
            },
        ));
    }
    Ok(())
}

/// A practical address check: one `@`, a non-empty local part without spaces, and a dotted
/// domain of letters, digits and hyphens. It refuses what SMTP would refuse, not every
/// oddity RFC 5322 allows.
pub fn is_valid_email(address: &str) -> bool {
    if address.chars().count() > MAX_EMAIL_ADDRESS_CHARS {
        return false;
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:@\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// SPEC R-1: at most 20 addresses in one of To, Cc, Bcc, each a valid address.
pub fn validate_recipients(field: Field, addresses: &[String]) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if addresses.len() > MAX_ADDRESSES_PER_FIELD {
        errors.push(FieldError::new(
            field.clone(),
            Problem::TooManyItems {
                max: MAX_ADDRESSES_PER_FIELD,
                given: addresses.len(),
            },
        ));
    }
    for a in addresses {
        if !is_valid_email(a.trim()) {
            errors.push(FieldError::new(
                field.clone(),
                Problem::InvalidEmail { value: a.clone() },
            ));
        }
    }
    all_or_errors(errors)
}

/// One file as the attachment rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSize {
    pub name: String,
    pub bytes: u64,
}

/// SPEC: checks one more file against what is already attached, so that a
/// refusal names the file and the limit and leaves the others in place.
pub fn validate_new_attachment(existing: &[FileSize], new: &FileSize) -> Result<(), FieldError> {
    if existing.len() >= MAX_ATTACHMENTS {
        return Err(FieldError::new(
            Field::Attachment(new.name.clone()),
            Problem::TooManyFiles {
                max: MAX_ATTACHMENTS,
            },
        ));
    }
    if new.bytes > MAX_ATTACHMENT_BYTES {
        return Err(FieldError::new(
            Field::Attachment(new.name.clone()),
            Problem::TooLarge {
                max_bytes: MAX_ATTACHMENT_BYTES,
                given_bytes: new.bytes,
            },
        ));
    }
    let total: u64 = existing.iter().map(|f| f.bytes).sum::<u64>() + new.bytes;
    if total > MAX_TOTAL_ATTACHMENT_BYTES {
        return Err(FieldError::new(
            Field::Attachment(new.name.clone()),
            Problem::TooLargeTogether {
                max_bytes: MAX_TOTAL_ATTACHMENT_BYTES,
                given_bytes: total,
            },
        ));
    }
    Ok(())
}

/// SPEC A-1: a whole set of attachments, as the server checks it at send.
pub fn validate_attachments(files: &[FileSize]) -> Result<(), FieldError> {
    let mut accepted: Vec<FileSize> = Vec::with_capacity(files.len());
    for f in files {
        validate_new_attachment(&accepted, f)?;
        accepted.push(f.clone());
    }
    Ok(())
}

/// SPEC W-1: at most 5 wrap-up reasons on one contact.
pub fn validate_wrap_up_count(selected: usize) -> Result<(), FieldError> {
    if selected > MAX_WRAP_UP_REASONS {
        return Err(FieldError::new(
            Field::WrapUpReasons,
            Problem::TooManyItems {
                max: MAX_WRAP_UP_REASONS,
                given: selected,
            },
        ));
    }
    Ok(())
}

/// SPEC G-1: the notes of an invitation, at most 1000 characters (they may be empty).
pub fn validate_invite_notes(notes: &str) -> Result<(), FieldError> {
    let given = char_count(notes.trim());
    if given > MAX_INVITE_NOTES_CHARS {
        return Err(FieldError::new(
            Field::InviteNotes,
            Problem::TooManyChars {
                max: MAX_INVITE_NOTES_CHARS,
                given,
            },
        ));
    }
    Ok(())
}

/// A number of seconds within the range the limits module gives the field.
pub fn validate_range(
    field: Field,
    range: &std::ops::RangeInclusive<u32>,
    given: u32,
) -> Result<(), FieldError> {
    if range.contains(&given) {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            Problem::OutOfRange {
                min: *range.start(),
                max: *range.end(),
                given,
            },
        ))
    }
}

/// SPEC S-4: the accept timer is 10 to 3600 seconds.
pub fn validate_accept_timer(secs: u32) -> Result<(), FieldError> {
    validate_range(Field::AcceptTimer, &ACCEPT_TIMER_SECS, secs)
}

/// A message for customers that the administrator writes: required, at most 500 characters.
pub fn validate_setting_message(field: Field, text: &str) -> Result<(), FieldError> {
    validate_required_text(field, text, MAX_SETTING_MESSAGE_CHARS)
}

/// Text that must not be blank, of at most `max` characters once trimmed.
pub fn validate_required_text(field: Field, text: &str, max: usize) -> Result<(), FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    let given = char_count(text);
    if given > max {
        return Err(FieldError::new(field, Problem::TooManyChars { max, given }));
    }
    Ok(())
}

/// What is wrong with a phone number as typed, if anything: digits, spaces and `+ ( ) - .`,
/// at most 32 characters.
pub fn phone_problem(phone: &str) -> Option<Problem> {
    let given = char_count(phone);
    if given > MAX_PHONE_CHARS {
        Some(Problem::TooManyChars {
            max: MAX_PHONE_CHARS,
            given,
        })
    } else if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +()-.".contains(c))
    {
        Some(Problem::InvalidPhone)
    } else {
        None
    }
}

/// SPEC K-3: the id a sender gives a message (letters, digits, `-`, `_`; at most 64).
pub fn validate_client_id(id: &str) -> Result<(), FieldError> {
    let ok = !id.is_empty()
        && id.chars().count() <= MAX_CLIENT_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(Field::ClientId, Problem::InvalidClientId))
    }
}

/// A validation's outcome as (field, problem) pairs, the shape the domain tests compare.
#[cfg(test)]
pub(crate) fn problems(r: Result<(), Vec<FieldError>>) -> Vec<(Field, Problem)> {
    r.err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.field, e.problem))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn addresses(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("customer{i}@example.com")).collect()
    }

    /// SPEC R-1: 19 and 20 addresses pass, 21 is refused with the field and the limit named.
    #[test]
    fn recipient_count_boundary_19_20_21() {
        assert!(validate_recipients(Field::To, &addresses(19)).is_ok());
        assert!(validate_recipients(Field::Cc, &addresses(20)).is_ok());
        let errors = validate_recipients(Field::Bcc, &addresses(21)).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].to_string(), "Bcc: at most 20 allowed (21 given)");
    }

    /// SPEC R-1: every address is checked.
    #[test]
    fn each_invalid_address_is_named() {
        let list = vec![
            "ok@example.com".to_string(),
            "not an address".to_string(),
            "a@b".to_string(),
        ];
        let errors = validate_recipients(Field::To, &list).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(
            errors[0].to_string(),
            "To: \"not an address\" is not a valid email address"
        );
    }

    #[test]
    fn email_addresses() {
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "élodie@exemple.fr",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            "a..b@example.com",
            "a@-x.com",
            "<a@b.com>",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    /// SPEC P-1: 1500 characters pass, 1501 are refused, counted as Unicode scalar values.
    #[test]
    fn chat_message_boundary_counts_characters_not_bytes() {
        for unit in ["a", "é", "漢", "😀"] {
            let at_limit = unit.repeat(MAX_CHAT_MESSAGE_CHARS);
            assert!(validate_chat_message(&at_limit).is_ok(), "{unit}");
            let over = unit.repeat(MAX_CHAT_MESSAGE_CHARS + 1);
            let err = validate_chat_message(&over).unwrap_err();
            assert_eq!(
                err.to_string(),
                "Message: at most 1500 characters (1501 given)"
            );
        }
        assert_eq!(
            validate_chat_message("  \n").unwrap_err().problem,
            Problem::Required
        );
    }

    /// SPEC A-1: exactly 10 MB passes, one byte more is refused with the file and the limit.
    #[test]
    fn attachment_of_exactly_10_mb() {
        let f = |bytes| FileSize {
            name: "report.pdf".into(),
            bytes,
        };
        assert!(validate_new_attachment(&[], &f(10 * MB)).is_ok());
        let err = validate_new_attachment(&[], &f(10 * MB + 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"report.pdf\": larger than the 10 MB limit (10 MB)"
        );
        assert_eq!(err.field, Field::Attachment("report.pdf".into()));
    }

    /// SPEC A-1: exactly 20 MB together passes, a file more is refused; nothing before is lost.
    #[test]
    fn attachments_of_exactly_20_mb_in_total() {
        let two = vec![
            FileSize {
                name: "a.bin".into(),
                bytes: 10 * MB,
            },
            FileSize {
                name: "b.bin".into(),
                bytes: 10 * MB,
            },
        ];
        assert!(validate_attachments(&two).is_ok());
        let one_more = FileSize {
            name: "c.txt".into(),
            bytes: MB,
        };
        let err = validate_new_attachment(&two, &one_more).unwrap_err();
        assert_eq!(err.field, Field::Attachment("c.txt".into()));
        assert_eq!(
            err.to_string(),
            "\"c.txt\": the attachments would come to 21 MB, over the 20 MB limit together"
        );
        assert!(matches!(
            err.problem,
            Problem::TooLargeTogether {
                max_bytes,
                ..
            } if max_bytes == 20 * MB
        ));
    }

    /// SPEC A-1: the eleventh file is refused.
    #[test]
    fn at_most_ten_attachments() {
        let ten: Vec<FileSize> = (0..10)
            .map(|i| FileSize {
                name: format!("f{i}"),
                bytes: 1,
            })
            .collect();
        assert!(validate_attachments(&ten).is_ok());
        let err = validate_new_attachment(
            &ten,
            &FileSize {
                name: "eleven.txt".into(),
                bytes: 1,
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"eleven.txt\": at most 10 attachments per reply"
        );
    }

    /// SPEC W-1 and S-4 limits.
    #[test]
    fn wrap_up_and_accept_timer_limits() {
        assert!(validate_wrap_up_count(5).is_ok());
        assert!(validate_wrap_up_count(6).is_err());
        assert!(validate_accept_timer(10).is_ok());
        assert!(validate_accept_timer(3600).is_ok());
        assert_eq!(
            validate_accept_timer(9).unwrap_err().to_string(),
            "Accept timer: must be between 10 and 3600 (9 given)"
        );
        assert!(validate_accept_timer(3601).is_err());
        assert!(validate_accept_timer(DEFAULT_ACCEPT_TIMER_SECS).is_ok());
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(format_bytes(10 * MB), "10 MB");
        assert_eq!(format_bytes(MB + MB / 2), "1.5 MB");
        assert_eq!(format_bytes(2048), "2 KB");
        assert_eq!(format_bytes(12), "12 bytes");
    }

    /// SPEC K-3: message ids are short and plain.
    #[test]
    fn client_ids() {
        assert!(validate_client_id("c-1_a").is_ok());
        assert!(validate_client_id(&"a".repeat(64)).is_ok());
        assert!(validate_client_id(&"a".repeat(65)).is_err());
        assert!(validate_client_id("").is_err());
        assert!(validate_client_id("a b").is_err());
    }

    proptest! {
        /// SPEC P-1: any text of up to 1500 non-blank characters passes, whatever its bytes.
        #[test]
        fn any_message_within_the_limit_passes(s in "[a-zé漢😀]{1,1500}") {
            prop_assert!(validate_chat_message(&s).is_ok());
        }

        /// SPEC P-1: any text over 1500 characters is refused, naming the count given.
        #[test]
        fn any_message_over_the_limit_fails(extra in 1usize..200, c in proptest::char::any()) {
            prop_assume!(!c.is_whitespace());
            let s: String = std::iter::repeat_n(c, MAX_CHAT_MESSAGE_CHARS + extra).collect();
            let err = validate_chat_message(&s).unwrap_err();
            prop_assert_eq!(err.problem, Problem::TooManyChars { max: 1500, given: 1500 + extra });
        }

        /// SPEC R-1: the count rule holds for any list length.
        #[test]
        fn recipient_count_rule(n in 0usize..60) {
            let result = validate_recipients(Field::To, &addresses(n));
            prop_assert_eq!(result.is_ok(), n <= MAX_ADDRESSES_PER_FIELD);
        }

        /// SPEC A-1: a set is accepted exactly when count, each size and the total fit.
        #[test]
        fn attachment_rule_matches_its_definition(sizes in proptest::collection::vec(0u64..=12 * MB, 0..13)) {
            let files: Vec<FileSize> = sizes.iter().enumerate()
                .map(|(i, b)| FileSize { name: format!("f{i}"), bytes: *b }).collect();
            let expected = sizes.len() <= MAX_ATTACHMENTS
                && sizes.iter().all(|b| *b <= MAX_ATTACHMENT_BYTES)
                && sizes.iter().sum::<u64>() <= MAX_TOTAL_ATTACHMENT_BYTES;
            prop_assert_eq!(validate_attachments(&files).is_ok(), expected);
        }
    }
}
