//! What is wrong with one field of a form, with the limit it broke, and its wording.
//!
//! Its JSON is chosen to be cheap to read in the browser: one flat object
//! (`{"kind":"too_many_chars","max":10,"given":12}`) through one struct reader, where serde's
//! derive for an enum of struct variants compiles a reader per variant into the desktop's
//! first-load WebAssembly. The desktop and the administration read it; the widget receives
//! it inside a refusal (`rejected.error.detail.problem`) but shows only the refusal's
//! `message`, and the HTTP refusals carry messages only.

use super::{language::number, limits::MB};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What is wrong with the field, with the limit it broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Wire", try_from = "Wire")]
pub enum Problem {
    Required,
    TooManyItems {
        max: usize,
        given: usize,
    },
    TooManyChars {
        max: usize,
        given: usize,
    },
    TooLarge {
        max_bytes: u64,
        given_bytes: u64,
    },
    /// Files attached together would pass their total (SPEC A-1).
    TooLargeTogether {
        max_bytes: u64,
        given_bytes: u64,
    },
    /// One file more than a reply may carry (SPEC A-1).
    TooManyFiles {
        max: usize,
    },
    /// SPEC R-6: a forward carries the original's files only.
    NotAllowedOnForward,
    /// A file type that is never accepted (programs and scripts).
    RefusedType,
    InvalidEmail {
        value: String,
    },
    InvalidPhone,
    InvalidClientId,
    OutOfRange {
        min: u32,
        max: u32,
        given: u32,
    },
    NotAWholeNumber,
    /// A wrap-up reason the contact does not offer (SPEC W-2).
    NotOffered {
        id: i64,
    },
    /// An id that names nothing (a deleted or made-up item).
    UnknownId {
        id: i64,
    },
    /// The value is already used where it must be unique.
    Duplicate {
        value: String,
    },
    TooFewChars {
        min: usize,
        given: usize,
    },
    /// A username with a character outside letters, digits and `. _ - @`.
    InvalidUsername,
    /// A password that holds the username (the first thing a guesser tries).
    ContainsUsername,
    /// A password on the lists guessers try first.
    CommonPassword,
    /// The second typing of a new password differs from the first.
    NotMatching,
    /// The current password given is not the user's.
    WrongPassword,
    /// A new password the same as the one it replaces.
    Unchanged,
    /// SPEC D-2: the change would leave no enabled administrator.
    LastAdministrator,
    /// An administrator may not disable or demote their own account (another one must).
    OwnAccount,
    /// A retired item (a CSQ) that takes nothing new.
    Retired,
    /// Issue 17: a queue none of whose mailboxes can send an email.
    NoSendingMailbox,
    /// Issue 17: a customer without an email address, written to.
    NoEmailAddress,
    /// A choice the form offered that is no longer offered (retired meanwhile).
    NoLongerOffered,
    /// Another administrator changed the item since the form was opened.
    ChangedMeanwhile,
    /// A date that is not a day of the calendar, or not written YYYY-MM-DD.
    InvalidDay,
    /// A username nobody has.
    NoSuchUser {
        username: String,
    },
    /// A host name with characters no host name has.
    InvalidHost,
    /// No encryption to a server that is not this machine.
    PlainNotLoopback,
    /// A name that cannot change once the item exists (what it holds is kept under it).
    FixedOnceCreated {
        value: String,
    },
    /// Not a web origin (`https://host` or `https://host:port`, nothing after): what may
    /// frame the desktop as a gadget, never a pattern (D-1).
    InvalidOrigin {
        value: String,
    },
    /// Text not of the shape the field takes, shown by an example of it.
    NotLike {
        example: String,
    },
    /// A template's placeholders skip this number: they run `{{1}}`, `{{2}}`... (F-3).
    PlaceholderMissing {
        number: usize,
    },
    /// A value that must stay on one line: no line break, tab or run of spaces (F-3).
    OneLine,
    /// Neither an email address nor a phone number with its country code (`min` to `max`
    /// digits): how a known customer is named (issue 16).
    EmailOrPhone {
        min: usize,
        max: usize,
    },
    /// Issue 17: an opening span that does not open before it closes.
    ClosesBeforeOpens,
    /// Issue 17: opening spans of one day that overlap.
    Overlapping,
    /// Issue 17: a last day before the first one.
    BeforeFromDay,
    /// Issue 17: a time zone the server's database does not know.
    UnknownTimeZone {
        value: String,
    },
    /// Issue 17: a customer with conversations not over yet (a chat going on, an email
    /// waiting or being sent) is not erased.
    StillOpen {
        count: usize,
    },
    /// Issue 18: a report's period longer than the reports cover.
    PeriodTooLong {
        max_days: usize,
    },
}

/// Human-readable sizes for messages: "10 MB", "1.5 MB", "900 KB" (French: "1,5 Mo").
pub fn format_bytes(bytes: u64) -> String {
    format_bytes_in(Locale::en, bytes)
}

/// [`format_bytes`] in a language.
pub fn format_bytes_in(locale: Locale, bytes: u64) -> String {
    let comma = |text: String| match locale {
        Locale::fr => text.replace('.', ","),
        Locale::en => text,
    };
    if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        let n = if tenths.is_multiple_of(10) {
            number(locale, tenths / 10)
        } else {
            comma(format!("{}.{}", number(locale, tenths / 10), tenths % 10))
        };
        td_string!(locale, validation.sizes.mb, n).to_string()
    } else if bytes >= 1024 {
        let n = number(locale, bytes.div_ceil(1024));
        td_string!(locale, validation.sizes.kb, n).to_string()
    } else {
        let n = number(locale, bytes);
        td_string!(locale, validation.sizes.bytes, n).to_string()
    }
}

impl Problem {
    /// What is wrong, in a language, with the limit it broke (`Display` is the English).
    pub fn message(&self, locale: Locale) -> String {
        let n = |v: usize| number(locale, v as u64);
        let size = |v: u64| format_bytes_in(locale, v);
        match self {
            Problem::Required => td_string!(locale, validation.problems.required).to_string(),
            Problem::TooManyItems { max, given } => td_string!(
                locale,
                validation.problems.too_many_items,
                max = n(*max),
                given = n(*given)
            )
            .to_string(),
            Problem::TooManyChars { max, given } => td_string!(
                locale,
                validation.problems.too_many_chars,
                max = n(*max),
                given = n(*given)
            )
            .to_string(),
            Problem::TooLarge {
                max_bytes,
                given_bytes,
            } => td_string!(
                locale,
                validation.problems.too_large,
                max = size(*max_bytes),
                given = size(*given_bytes)
            )
            .to_string(),
            Problem::TooLargeTogether {
                max_bytes,
                given_bytes,
            } => td_string!(
                locale,
                validation.problems.too_large_together,
                max = size(*max_bytes),
                given = size(*given_bytes)
            )
            .to_string(),
            Problem::TooManyFiles { max } => {
                td_string!(locale, validation.problems.too_many_files, max = n(*max)).to_string()
            }
            Problem::NotAllowedOnForward => {
                td_string!(locale, validation.problems.not_allowed_on_forward).to_string()
            }
            Problem::RefusedType => {
                td_string!(locale, validation.problems.refused_type).to_string()
            }
            Problem::InvalidEmail { value } => {
                td_string!(locale, validation.problems.invalid_email, value).to_string()
            }
            Problem::InvalidPhone => {
                td_string!(locale, validation.problems.invalid_phone).to_string()
            }
            Problem::InvalidClientId => {
                td_string!(locale, validation.problems.invalid_client_id).to_string()
            }
            Problem::NotAWholeNumber => {
                td_string!(locale, validation.problems.not_a_whole_number).to_string()
            }
            Problem::NotOffered { id } => {
                td_string!(locale, validation.problems.not_offered, id).to_string()
            }
            Problem::UnknownId { id } => {
                td_string!(locale, validation.problems.unknown_id, id).to_string()
            }
            Problem::Duplicate { value } => {
                td_string!(locale, validation.problems.duplicate, value).to_string()
            }
            Problem::TooFewChars { min, given } => td_string!(
                locale,
                validation.problems.too_few_chars,
                min = n(*min),
                given = n(*given)
            )
            .to_string(),
            Problem::InvalidUsername => {
                td_string!(locale, validation.problems.invalid_username).to_string()
            }
            Problem::ContainsUsername => {
                td_string!(locale, validation.problems.contains_username).to_string()
            }
            Problem::CommonPassword => {
                td_string!(locale, validation.problems.common_password).to_string()
            }
            Problem::NotMatching => {
                td_string!(locale, validation.problems.not_matching).to_string()
            }
            Problem::WrongPassword => {
                td_string!(locale, validation.problems.wrong_password).to_string()
            }
            Problem::Unchanged => td_string!(locale, validation.problems.unchanged).to_string(),
            Problem::LastAdministrator => {
                td_string!(locale, validation.problems.last_administrator).to_string()
            }
            Problem::Retired => td_string!(locale, validation.problems.retired).to_string(),
            Problem::NoSendingMailbox => {
                td_string!(locale, validation.problems.no_sending_mailbox).to_string()
            }
            Problem::NoEmailAddress => {
                td_string!(locale, validation.problems.no_email_address).to_string()
            }
            Problem::NoLongerOffered => {
                td_string!(locale, validation.problems.no_longer_offered).to_string()
            }
            Problem::ChangedMeanwhile => {
                td_string!(locale, validation.problems.changed_meanwhile).to_string()
            }
            Problem::InvalidDay => td_string!(locale, validation.problems.invalid_day).to_string(),
            Problem::NoSuchUser { username } => {
                td_string!(locale, validation.problems.no_such_user, username).to_string()
            }
            Problem::InvalidHost => {
                td_string!(locale, validation.problems.invalid_host).to_string()
            }
            Problem::FixedOnceCreated { value } => {
                td_string!(locale, validation.problems.fixed_once_created, value).to_string()
            }
            Problem::InvalidOrigin { value } => {
                td_string!(locale, validation.problems.invalid_origin, value).to_string()
            }
            Problem::NotLike { example } => {
                td_string!(locale, validation.problems.not_like, example).to_string()
            }
            Problem::PlaceholderMissing { number } => {
                let missing = format!("{{{{{number}}}}}");
                td_string!(
                    locale,
                    validation.problems.placeholder_missing,
                    missing = missing.as_str()
                )
                .to_string()
            }
            Problem::OneLine => td_string!(locale, validation.problems.one_line).to_string(),
            Problem::EmailOrPhone { min, max } => {
                td_string!(locale, validation.problems.email_or_phone, min, max).to_string()
            }
            Problem::ClosesBeforeOpens => {
                td_string!(locale, validation.problems.closes_before_opens).to_string()
            }
            Problem::Overlapping => td_string!(locale, validation.problems.overlapping).to_string(),
            Problem::BeforeFromDay => {
                td_string!(locale, validation.problems.before_from_day).to_string()
            }
            Problem::StillOpen { count } => {
                td_string!(locale, validation.problems.still_open, count = *count).to_string()
            }
            Problem::PeriodTooLong { max_days } => td_string!(
                locale,
                validation.problems.period_too_long,
                max_days = *max_days
            )
            .to_string(),
            Problem::UnknownTimeZone { value } => td_string!(
                locale,
                validation.problems.unknown_time_zone,
                value = value.as_str()
            )
            .to_string(),
            Problem::PlainNotLoopback => {
                td_string!(locale, validation.problems.plain_not_loopback).to_string()
            }
            Problem::OwnAccount => td_string!(locale, validation.problems.own_account).to_string(),
            // Settings (seconds, ports, counts) written as they are typed in their input.
            Problem::OutOfRange { min, max, given } => {
                td_string!(locale, validation.problems.out_of_range, min, max, given).to_string()
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Locale::en))
    }
}

/// A problem's kind on the wire: the variant's name.
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Kind {
    Required,
    TooManyItems,
    TooManyChars,
    TooLarge,
    TooLargeTogether,
    TooManyFiles,
    NotAllowedOnForward,
    RefusedType,
    InvalidEmail,
    InvalidPhone,
    InvalidClientId,
    OutOfRange,
    NotAWholeNumber,
    NotOffered,
    UnknownId,
    Duplicate,
    TooFewChars,
    InvalidUsername,
    ContainsUsername,
    CommonPassword,
    NotMatching,
    WrongPassword,
    Unchanged,
    LastAdministrator,
    OwnAccount,
    Retired,
    NoSendingMailbox,
    NoEmailAddress,
    NoLongerOffered,
    ChangedMeanwhile,
    InvalidDay,
    NoSuchUser,
    InvalidHost,
    PlainNotLoopback,
    FixedOnceCreated,
    InvalidOrigin,
    NotLike,
    PlaceholderMissing,
    OneLine,
    EmailOrPhone,
    ClosesBeforeOpens,
    Overlapping,
    BeforeFromDay,
    UnknownTimeZone,
    StillOpen,
    PeriodTooLong,
}

impl Kind {
    /// Its name on the wire, for error messages.
    fn name(self) -> String {
        serde_json::to_string(&self).unwrap_or_default()
    }
}

/// A problem as one flat object: its kind and whichever of the limit, the given amount, the
/// id or the text it carries (sizes in bytes go in `max` and `given` too).
#[derive(Serialize, Deserialize)]
struct Wire {
    kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    given: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

impl Wire {
    fn of(kind: Kind) -> Self {
        Wire {
            kind,
            min: None,
            max: None,
            given: None,
            id: None,
            text: None,
        }
    }

    fn limit(kind: Kind, min: Option<u64>, max: u64, given: Option<u64>) -> Self {
        Wire {
            min,
            max: Some(max),
            given,
            ..Wire::of(kind)
        }
    }

    fn id(kind: Kind, id: i64) -> Self {
        Wire {
            id: Some(id),
            ..Wire::of(kind)
        }
    }

    fn text(kind: Kind, text: String) -> Self {
        Wire {
            text: Some(text),
            ..Wire::of(kind)
        }
    }
}

impl From<Problem> for Wire {
    fn from(problem: Problem) -> Self {
        use Problem as P;
        let n = |n: usize| n as u64;
        match problem {
            P::Required => Wire::of(Kind::Required),
            P::TooManyItems { max, given } => {
                Wire::limit(Kind::TooManyItems, None, n(max), Some(n(given)))
            }
            P::TooManyChars { max, given } => {
                Wire::limit(Kind::TooManyChars, None, n(max), Some(n(given)))
            }
            P::TooLarge {
                max_bytes,
                given_bytes,
            } => Wire::limit(Kind::TooLarge, None, max_bytes, Some(given_bytes)),
            P::TooLargeTogether {
                max_bytes,
                given_bytes,
            } => Wire::limit(Kind::TooLargeTogether, None, max_bytes, Some(given_bytes)),
            P::TooManyFiles { max } => Wire::limit(Kind::TooManyFiles, None, n(max), None),
            P::NotAllowedOnForward => Wire::of(Kind::NotAllowedOnForward),
            P::RefusedType => Wire::of(Kind::RefusedType),
            P::InvalidEmail { value } => Wire::text(Kind::InvalidEmail, value),
            P::InvalidPhone => Wire::of(Kind::InvalidPhone),
            P::InvalidClientId => Wire::of(Kind::InvalidClientId),
            P::OutOfRange { min, max, given } => Wire::limit(
                Kind::OutOfRange,
                Some(min.into()),
                max.into(),
                Some(given.into()),
            ),
            P::NotAWholeNumber => Wire::of(Kind::NotAWholeNumber),
            P::NotOffered { id } => Wire::id(Kind::NotOffered, id),
            P::UnknownId { id } => Wire::id(Kind::UnknownId, id),
            P::Duplicate { value } => Wire::text(Kind::Duplicate, value),
            P::TooFewChars { min, given } => Wire {
                min: Some(n(min)),
                given: Some(n(given)),
                ..Wire::of(Kind::TooFewChars)
            },
            P::InvalidUsername => Wire::of(Kind::InvalidUsername),
            P::ContainsUsername => Wire::of(Kind::ContainsUsername),
            P::CommonPassword => Wire::of(Kind::CommonPassword),
            P::NotMatching => Wire::of(Kind::NotMatching),
            P::WrongPassword => Wire::of(Kind::WrongPassword),
            P::Unchanged => Wire::of(Kind::Unchanged),
            P::LastAdministrator => Wire::of(Kind::LastAdministrator),
            P::OwnAccount => Wire::of(Kind::OwnAccount),
            P::Retired => Wire::of(Kind::Retired),
            P::NoSendingMailbox => Wire::of(Kind::NoSendingMailbox),
            P::NoEmailAddress => Wire::of(Kind::NoEmailAddress),
            P::NoLongerOffered => Wire::of(Kind::NoLongerOffered),
            P::ChangedMeanwhile => Wire::of(Kind::ChangedMeanwhile),
            P::InvalidDay => Wire::of(Kind::InvalidDay),
            P::NoSuchUser { username } => Wire::text(Kind::NoSuchUser, username),
            P::InvalidHost => Wire::of(Kind::InvalidHost),
            P::PlainNotLoopback => Wire::of(Kind::PlainNotLoopback),
            P::FixedOnceCreated { value } => Wire::text(Kind::FixedOnceCreated, value),
            P::InvalidOrigin { value } => Wire::text(Kind::InvalidOrigin, value),
            P::NotLike { example } => Wire::text(Kind::NotLike, example),
            P::PlaceholderMissing { number } => Wire::id(Kind::PlaceholderMissing, number as i64),
            P::OneLine => Wire::of(Kind::OneLine),
            P::EmailOrPhone { min, max } => {
                Wire::limit(Kind::EmailOrPhone, Some(n(min)), n(max), None)
            }
            P::ClosesBeforeOpens => Wire::of(Kind::ClosesBeforeOpens),
            P::Overlapping => Wire::of(Kind::Overlapping),
            P::BeforeFromDay => Wire::of(Kind::BeforeFromDay),
            P::UnknownTimeZone { value } => Wire::text(Kind::UnknownTimeZone, value),
            P::StillOpen { count } => Wire::limit(Kind::StillOpen, None, n(count), None),
            P::PeriodTooLong { max_days } => {
                Wire::limit(Kind::PeriodTooLong, None, n(max_days), None)
            }
        }
    }
}

impl TryFrom<Wire> for Problem {
    /// What the object lacks for its kind, or a number out of the variant's range, named.
    type Error = String;

    fn try_from(wire: Wire) -> Result<Self, String> {
        use Problem as P;
        let kind = wire.kind;
        let need = |value: Option<u64>, key: &str| {
            value.ok_or_else(|| format!("{}: missing `{key}`", kind.name()))
        };
        let max = || need(wire.max, "max");
        let given = || need(wire.given, "given");
        let min = || need(wire.min, "min");
        // A count (`usize`, 32 bits in the browser) or a timer's seconds (`u32`), checked.
        fn fit<T: TryFrom<u64>>(
            kind: Kind,
            key: &str,
            n: Result<u64, String>,
        ) -> Result<T, String> {
            let n = n?;
            T::try_from(n).map_err(|_| format!("{}: `{key}` {n} out of range", kind.name()))
        }
        let count = |value, key| fit::<usize>(kind, key, value);
        let small = |value, key| fit::<u32>(kind, key, value);
        let id = || {
            wire.id
                .ok_or_else(|| format!("{}: missing `id`", kind.name()))
        };
        let text = || {
            wire.text
                .clone()
                .ok_or_else(|| format!("{}: missing `text`", kind.name()))
        };
        Ok(match wire.kind {
            Kind::Required => P::Required,
            Kind::TooManyItems => P::TooManyItems {
                max: count(max(), "max")?,
                given: count(given(), "given")?,
            },
            Kind::TooManyChars => P::TooManyChars {
                max: count(max(), "max")?,
                given: count(given(), "given")?,
            },
            Kind::TooLarge => P::TooLarge {
                max_bytes: max()?,
                given_bytes: given()?,
            },
            Kind::TooLargeTogether => P::TooLargeTogether {
                max_bytes: max()?,
                given_bytes: given()?,
            },
            Kind::TooManyFiles => P::TooManyFiles {
                max: count(max(), "max")?,
            },
            Kind::NotAllowedOnForward => P::NotAllowedOnForward,
            Kind::RefusedType => P::RefusedType,
            Kind::InvalidEmail => P::InvalidEmail { value: text()? },
            Kind::InvalidPhone => P::InvalidPhone,
            Kind::InvalidClientId => P::InvalidClientId,
            Kind::OutOfRange => P::OutOfRange {
                min: small(min(), "min")?,
                max: small(max(), "max")?,
                given: small(given(), "given")?,
            },
            Kind::NotAWholeNumber => P::NotAWholeNumber,
            Kind::NotOffered => P::NotOffered { id: id()? },
            Kind::UnknownId => P::UnknownId { id: id()? },
            Kind::Duplicate => P::Duplicate { value: text()? },
            Kind::TooFewChars => P::TooFewChars {
                min: count(min(), "min")?,
                given: count(given(), "given")?,
            },
            Kind::InvalidUsername => P::InvalidUsername,
            Kind::ContainsUsername => P::ContainsUsername,
            Kind::CommonPassword => P::CommonPassword,
            Kind::NotMatching => P::NotMatching,
            Kind::WrongPassword => P::WrongPassword,
            Kind::Unchanged => P::Unchanged,
            Kind::LastAdministrator => P::LastAdministrator,
            Kind::OwnAccount => P::OwnAccount,
            Kind::Retired => P::Retired,
            Kind::NoSendingMailbox => P::NoSendingMailbox,
            Kind::NoEmailAddress => P::NoEmailAddress,
            Kind::NoLongerOffered => P::NoLongerOffered,
            Kind::ChangedMeanwhile => P::ChangedMeanwhile,
            Kind::InvalidDay => P::InvalidDay,
            Kind::NoSuchUser => P::NoSuchUser { username: text()? },
            Kind::InvalidHost => P::InvalidHost,
            Kind::PlainNotLoopback => P::PlainNotLoopback,
            Kind::FixedOnceCreated => P::FixedOnceCreated { value: text()? },
            Kind::InvalidOrigin => P::InvalidOrigin { value: text()? },
            Kind::NotLike => P::NotLike { example: text()? },
            Kind::PlaceholderMissing => P::PlaceholderMissing {
                number: usize::try_from(id()?)
                    .map_err(|_| format!("{}: `id` out of range", kind.name()))?,
            },
            Kind::OneLine => P::OneLine,
            Kind::EmailOrPhone => P::EmailOrPhone {
                min: count(min(), "min")?,
                max: count(max(), "max")?,
            },
            Kind::ClosesBeforeOpens => P::ClosesBeforeOpens,
            Kind::Overlapping => P::Overlapping,
            Kind::BeforeFromDay => P::BeforeFromDay,
            Kind::UnknownTimeZone => P::UnknownTimeZone { value: text()? },
            Kind::StillOpen => P::StillOpen {
                count: count(max(), "max")?,
            },
            Kind::PeriodTooLong => P::PeriodTooLong {
                max_days: count(max(), "max")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flat form each kind of problem takes, and every one read back as it was.
    #[test]
    fn problems_travel_as_one_flat_object_and_come_back_whole() {
        let samples = [
            (
                Problem::TooManyChars { max: 10, given: 12 },
                r#"{"kind":"too_many_chars","max":10,"given":12}"#,
            ),
            (
                Problem::OutOfRange {
                    min: 5,
                    max: 60,
                    given: 61,
                },
                r#"{"kind":"out_of_range","min":5,"max":60,"given":61}"#,
            ),
            (
                Problem::TooLarge {
                    max_bytes: 10 * MB,
                    given_bytes: 11 * MB,
                },
                r#"{"kind":"too_large","max":10485760,"given":11534336}"#,
            ),
            (
                Problem::InvalidEmail {
                    value: "ann@".into(),
                },
                r#"{"kind":"invalid_email","text":"ann@"}"#,
            ),
            (
                Problem::UnknownId { id: -3 },
                r#"{"kind":"unknown_id","id":-3}"#,
            ),
            (Problem::Required, r#"{"kind":"required"}"#),
        ];
        for (problem, json) in samples {
            assert_eq!(serde_json::to_string(&problem).unwrap(), json);
            assert_eq!(serde_json::from_str::<Problem>(json).unwrap(), problem);
        }
        let every = [
            Problem::TooManyItems { max: 1, given: 2 },
            Problem::TooLargeTogether {
                max_bytes: 1,
                given_bytes: 2,
            },
            Problem::TooManyFiles { max: 10 },
            Problem::NotAllowedOnForward,
            Problem::RefusedType,
            Problem::InvalidPhone,
            Problem::InvalidClientId,
            Problem::NotAWholeNumber,
            Problem::NotOffered { id: 4 },
            Problem::Duplicate { value: "x".into() },
            Problem::TooFewChars { min: 8, given: 3 },
            Problem::InvalidUsername,
            Problem::ContainsUsername,
            Problem::CommonPassword,
            Problem::NotMatching,
            Problem::WrongPassword,
            Problem::Unchanged,
            Problem::LastAdministrator,
            Problem::OwnAccount,
            Problem::Retired,
            Problem::NoSendingMailbox,
            Problem::NoEmailAddress,
            Problem::NoLongerOffered,
            Problem::ChangedMeanwhile,
            Problem::InvalidDay,
            Problem::NoSuchUser {
                username: "bob".into(),
            },
            Problem::InvalidHost,
            Problem::PlainNotLoopback,
            Problem::FixedOnceCreated {
                value: "Sales".into(),
            },
            Problem::InvalidOrigin {
                value: "https://*.example.com".into(),
            },
            Problem::NotLike {
                example: "v25.0".into(),
            },
            Problem::StillOpen { count: 2 },
            Problem::PeriodTooLong { max_days: 366 },
        ];
        for problem in every {
            let json = serde_json::to_string(&problem).unwrap();
            assert_eq!(
                serde_json::from_str::<Problem>(&json).unwrap(),
                problem,
                "{json}"
            );
        }
    }

    /// A problem missing what its kind needs is refused by that key, not read as zero.
    #[test]
    fn a_problem_missing_its_limit_is_refused_by_name() {
        let error = serde_json::from_str::<Problem>(r#"{"kind":"too_many_chars","max":10}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("\"too_many_chars\": missing `given`"),
            "{error}"
        );
        let error = serde_json::from_str::<Problem>(
            r#"{"kind":"out_of_range","min":1,"max":5000000000,"given":2}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("`max` 5000000000 out of range"), "{error}");
        let error = serde_json::from_str::<Problem>(r#"{"kind":"no_such_kind"}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("no_such_kind"), "{error}");
    }
}
