//! Issue 17: what agents know of a customer beyond who they are: tags (short words to tell
//! and later find them by, "vip", "late delivery") and notes (what one agent wants the next
//! to know, with who wrote it and when). Both belong to the customer, so they follow them
//! across channels and links; both are checked here, as the agent types and again on the
//! server.

use super::{
    limits::{MAX_CUSTOMER_NOTE_CHARS, MAX_CUSTOMER_TAGS, MAX_TAG_CHARS},
    validate::{char_count, validate_required_text, Field, FieldError, Problem},
};
use serde::{Deserialize, Serialize};

/// One note, as every agent of the customer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerNote {
    pub id: i64,
    /// The alias of the agent who wrote it.
    pub agent: String,
    pub text: String,
    pub at_ms: i64,
}

/// A customer's tags (in the order given) and their latest notes, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AboutCustomer {
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub notes: Vec<CustomerNote>,
}

impl AboutCustomer {
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.notes.is_empty()
    }
}

/// A note as stored: trimmed, and neither empty nor longer than the limit.
pub fn note_text(typed: &str) -> Result<String, FieldError> {
    validate_required_text(Field::CustomerNote, typed, MAX_CUSTOMER_NOTE_CHARS)?;
    Ok(typed.trim().to_string())
}

/// Tags as stored: each trimmed, its inner spaces made one, in lower case (so "VIP" and
/// "vip" are one tag); a comma separates tags wherever it comes (as in the box); blanks
/// and repeats dropped, the first kept in place. Refused: a tag too long (named by its
/// place), or too many tags.
pub fn tags(given: &[String]) -> Result<Vec<String>, FieldError> {
    let mut kept: Vec<String> = Vec::new();
    let given = given.iter().flat_map(|t| t.split(','));
    for (n, tag) in given.enumerate() {
        let tag = tag
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if tag.is_empty() || kept.contains(&tag) {
            continue;
        }
        let given = char_count(&tag);
        if given > MAX_TAG_CHARS {
            return Err(FieldError::new(
                Field::CustomerTag(n + 1),
                Problem::TooManyChars {
                    max: MAX_TAG_CHARS,
                    given,
                },
            ));
        }
        kept.push(tag);
    }
    if kept.len() > MAX_CUSTOMER_TAGS {
        return Err(FieldError::new(
            Field::CustomerTags,
            Problem::TooManyItems {
                max: MAX_CUSTOMER_TAGS,
                given: kept.len(),
            },
        ));
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| t.to_string()).collect()
    }

    /// Tags are one word whatever their case and spacing; blanks and repeats go; the limits
    /// name the tag at fault.
    #[test]
    fn tags_are_kept_once_in_lower_case() {
        assert_eq!(
            tags(&owned(&[" VIP, late   delivery,, vip ,Late Delivery"])).unwrap(),
            owned(&["vip", "late delivery"])
        );
        assert_eq!(tags(&[]).unwrap(), Vec::<String>::new());
        let long = "é".repeat(33);
        let refused = tags(&owned(&["vip", &long])).unwrap_err();
        assert_eq!(refused.field, Field::CustomerTag(2));
        assert_eq!(
            refused.problem,
            Problem::TooManyChars { max: 32, given: 33 }
        );
        assert_eq!(
            tags(&owned(&["a,b", "c"])).unwrap(),
            owned(&["a", "b", "c"])
        );
        let many: Vec<String> = (0..21).map(|n| format!("t{n}")).collect();
        assert_eq!(
            tags(&many).unwrap_err(),
            FieldError::new(
                Field::CustomerTags,
                Problem::TooManyItems { max: 20, given: 21 }
            )
        );
        assert_eq!(tags(&many[..20]).unwrap().len(), 20);
    }

    /// A note is trimmed; an empty one or one past 2,000 characters is refused.
    #[test]
    fn notes_are_required_and_bounded() {
        assert_eq!(
            note_text("  Call after 5 pm.\n").unwrap(),
            "Call after 5 pm."
        );
        assert_eq!(note_text(" \n").unwrap_err().problem, Problem::Required);
        assert_eq!(note_text(&"é".repeat(2000)).unwrap().chars().count(), 2000);
        assert_eq!(
            note_text(&"é".repeat(2001)).unwrap_err().problem,
            Problem::TooManyChars {
                max: 2000,
                given: 2001
            }
        );
    }
}
