//! Issue 17: a customer's privacy, in the administrators' hands. They find a customer by
//! name, email address or phone number, export everything kept about them (a JSON file),
//! or erase them: name, addresses, notes and tags gone, and the contents of every
//! conversation (messages, emails, files, pre-chat answers) with them, while the
//! conversations' times, queues, agents and wrap-up reasons stay for the statistics. A
//! retention setting erases the contents of conversations ended longer ago than it says.

use super::{
    ids::CustomerId,
    limits::{CUSTOMERS_PAGE_SIZE, MAX_SEARCH_CHARS, RETENTION_DAYS},
    validate::{char_count, validate_range, Field, FieldError, Problem},
};
use serde::{Deserialize, Serialize};

/// Which customers the administrator looks for.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomerQuery {
    /// Part of the name, of an email address, or of a phone number's digits; empty: every
    /// customer, the ones seen last first.
    #[serde(default)]
    pub text: String,
    /// From 0.
    #[serde(default)]
    pub page: u32,
}

impl CustomerQuery {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let given = char_count(self.text.trim());
        if given > MAX_SEARCH_CHARS {
            return Err(vec![FieldError::new(
                Field::SearchCustomer,
                Problem::TooManyChars {
                    max: MAX_SEARCH_CHARS,
                    given,
                },
            )]);
        }
        Ok(())
    }
}

/// One customer found, as the privacy section lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub id: CustomerId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Their conversations on every channel, and how many are not over yet (a chat going
    /// on, an email waiting or being sent): a customer is erased only once none is.
    pub conversations: u32,
    pub open: u32,
    /// When their last conversation started, if they had one.
    pub last_at_ms: Option<i64>,
}

/// One page of customers found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerList {
    pub rows: Vec<CustomerSummary>,
    pub total: u64,
    pub page: u32,
}

impl CustomerList {
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(u64::from(CUSTOMERS_PAGE_SIZE)) as u32).max(1)
    }
}

/// What erasing a customer removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Erased {
    /// Conversations whose contents went.
    pub conversations: u32,
    /// Files no other conversation refers to, removed from the file store.
    pub files: u32,
}

/// How long conversations' contents are kept after they end: `None`, for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Retention {
    pub days: Option<u32>,
}

impl Retention {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        match self.days {
            None => Ok(()),
            Some(days) => {
                validate_range(Field::RetentionDays, &RETENTION_DAYS, days).map_err(|e| vec![e])
            }
        }
    }

    /// The end before which a conversation's contents are erased, at `now_ms`.
    pub fn cutoff_ms(&self, now_ms: i64) -> Option<i64> {
        self.days
            .map(|d| now_ms - i64::from(d) * super::time::DAY_MS)
    }

    /// As the audit says it.
    pub fn describe(&self) -> String {
        match self.days {
            None => "kept for ever".into(),
            Some(d) => format!("{d} days"),
        }
    }

    /// The setting as its field writes it ("" for ever)...
    pub fn to_field(&self) -> String {
        self.days.map(|d| d.to_string()).unwrap_or_default()
    }

    /// ...and as it reads it: a blank field keeps for ever; anything else must be a whole
    /// number of days.
    pub fn from_field(text: &str) -> Result<Retention, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Retention { days: None });
        }
        text.parse::<u32>()
            .map(|d| Retention { days: Some(d) })
            .map_err(|_| FieldError::new(Field::RetentionDays, Problem::NotAWholeNumber))
    }
}

/// What the privacy section shows first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrivacyView {
    pub retention: Retention,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: the retention is a number of days within its range, or none (kept for
    /// ever); the field names the problem.
    #[test]
    fn retention_is_blank_or_days_within_range() {
        assert_eq!(
            Retention::from_field(" ").unwrap(),
            Retention { days: None }
        );
        assert_eq!(Retention::from_field("30").unwrap().days, Some(30));
        let e = Retention::from_field("thirty").unwrap_err();
        assert_eq!(e.field, Field::RetentionDays);
        assert_eq!(e.problem, Problem::NotAWholeNumber);
        assert!(Retention { days: Some(30) }.validate().is_ok());
        assert!(Retention { days: None }.validate().is_ok());
        let e = &Retention { days: Some(0) }.validate().unwrap_err()[0];
        assert_eq!(e.field, Field::RetentionDays);
        assert!(matches!(e.problem, Problem::OutOfRange { min: 1, .. }));
        assert!(Retention {
            days: Some(*RETENTION_DAYS.end() + 1)
        }
        .validate()
        .is_err());
    }

    #[test]
    fn the_cutoff_is_that_many_days_before_now() {
        let now = 100 * super::super::time::DAY_MS;
        assert_eq!(
            Retention { days: Some(30) }.cutoff_ms(now),
            Some(70 * super::super::time::DAY_MS)
        );
        assert_eq!(Retention { days: None }.cutoff_ms(now), None);
    }

    #[test]
    fn a_search_names_its_field_when_too_long() {
        let q = CustomerQuery {
            text: "x".repeat(MAX_SEARCH_CHARS + 1),
            page: 0,
        };
        assert_eq!(q.validate().unwrap_err()[0].field, Field::SearchCustomer);
        assert!(CustomerQuery::default().validate().is_ok());
    }
}
