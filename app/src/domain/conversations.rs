//! Issue 17: the Conversations page, where agents, supervisors and administrators search
//! every past chat and email: by words of its text, by customer, queue, agent, channel,
//! wrap-up reason, customer tag and day. Days are UTC, as on the administration's pages,
//! so the server's page and the hydrated one read alike.

use super::{
    contact::Channel,
    ids::{AgentId, ContactId, CsqId, CustomerId, WrapUpReasonId},
    limits::{MAX_SEARCH_CHARS, MAX_SEARCH_WORDS, MAX_TAG_CHARS},
    time::day_start_ms,
    validate::{all_or_errors, char_count, day_range, Field, FieldError, Problem},
};
use serde::{Deserialize, Serialize};

/// What to look for: every part optional, all given ones must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConversationFilter {
    /// Words of the conversation's text (every word, each as the start of a word written).
    #[serde(default)]
    pub text: String,
    /// Part of the customer's name or email address.
    #[serde(default)]
    pub customer: String,
    #[serde(default)]
    pub csq: Option<CsqId>,
    #[serde(default)]
    pub agent: Option<AgentId>,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub reason: Option<WrapUpReasonId>,
    /// One of the customer's tags, exactly (any case).
    #[serde(default)]
    pub tag: String,
    /// UTC days "YYYY-MM-DD", both included.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// From 0, newest first.
    #[serde(default)]
    pub page: u32,
}

/// The words a search text is made of: runs of letters and digits, as they are indexed.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

impl ConversationFilter {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let too_long = |errors: &mut Vec<FieldError>, field: Field, value: &str, max: usize| {
            let given = char_count(value.trim());
            if given > max {
                errors.push(FieldError::new(field, Problem::TooManyChars { max, given }));
                true
            } else {
                false
            }
        };
        if !too_long(&mut errors, Field::SearchText, &self.text, MAX_SEARCH_CHARS) {
            let given = words(&self.text).count();
            if given > MAX_SEARCH_WORDS {
                errors.push(FieldError::new(
                    Field::SearchText,
                    Problem::TooManyItems {
                        max: MAX_SEARCH_WORDS,
                        given,
                    },
                ));
            }
        }
        too_long(
            &mut errors,
            Field::SearchCustomer,
            &self.customer,
            MAX_SEARCH_CHARS,
        );
        too_long(&mut errors, Field::SearchTag, &self.tag, MAX_TAG_CHARS);
        day_range(&mut errors, &self.from, &self.to, false);
        all_or_errors(errors)
    }

    /// The days chosen as [start, end) in Unix ms (open ends when none is chosen).
    pub fn range_ms(&self) -> (i64, i64) {
        let start = day_start_ms(self.from.trim()).unwrap_or(i64::MIN);
        let end = day_start_ms(self.to.trim()).map_or(i64::MAX, |d| d + 86_400_000);
        (start, end)
    }
}

/// One conversation found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationRow {
    pub contact: ContactId,
    pub channel: Channel,
    pub csq: String,
    /// The alias of the agent who had it last, if one did.
    pub agent: Option<String>,
    pub customer: CustomerId,
    pub customer_name: String,
    pub started_at_ms: i64,
    /// What it was about (a web chat's problem, an email's subject, a first message).
    pub about: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wrap_up: Vec<String>,
}

/// One page of conversations found, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationPage {
    pub rows: Vec<ConversationRow>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

impl ConversationPage {
    pub fn pages(&self) -> u32 {
        let pages = self.total.div_ceil(u64::from(self.page_size.max(1)));
        u32::try_from(pages).unwrap_or(u32::MAX).max(1)
    }
}

/// A choice of a filter's list: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice<I> {
    pub id: I,
    pub name: String,
}

/// What the page's lists offer: the queues the reader may search (their own CSQs for an
/// agent, all for a supervisor or administrator), agents and wrap-up reasons.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConversationChoices {
    pub csqs: Vec<Choice<CsqId>>,
    pub agents: Vec<Choice<AgentId>>,
    pub reasons: Vec<Choice<WrapUpReasonId>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_names_each_problem_with_its_field() {
        assert!(ConversationFilter::default().validate().is_ok());
        let bad = ConversationFilter {
            text: "a b c d e f g h i".into(),
            customer: "x".repeat(201),
            tag: "t".repeat(33),
            from: "2026-12-05".into(),
            to: "2026-12-04".into(),
            ..ConversationFilter::default()
        };
        let errors: Vec<(Field, Problem)> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect();
        assert_eq!(
            errors,
            [
                (
                    Field::SearchText,
                    Problem::TooManyItems { max: 8, given: 9 }
                ),
                (
                    Field::SearchCustomer,
                    Problem::TooManyChars {
                        max: 200,
                        given: 201
                    }
                ),
                (
                    Field::SearchTag,
                    Problem::TooManyChars { max: 32, given: 33 }
                ),
                (Field::ToDay, Problem::BeforeFromDay),
            ]
        );
        let wrong_day = ConversationFilter {
            from: "2026-02-30".into(),
            ..ConversationFilter::default()
        };
        assert_eq!(wrong_day.validate().unwrap_err()[0].field, Field::FromDay);
    }

    #[test]
    fn days_are_included_whole() {
        let one_day = ConversationFilter {
            from: "2026-12-02".into(),
            to: "2026-12-02".into(),
            ..ConversationFilter::default()
        };
        assert_eq!(one_day.range_ms(), (1_796_169_600_000, 1_796_256_000_000));
        assert_eq!(
            ConversationFilter::default().range_ms(),
            (i64::MIN, i64::MAX)
        );
    }

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        let found: Vec<&str> = words("Refund, n°42 — l'été!").collect();
        assert_eq!(found, ["Refund", "n", "42", "l", "été"]);
    }
}
