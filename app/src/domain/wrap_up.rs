//! Wrap-up reasons on a contact (SPEC W-1, W-2): the list a contact offers is the one in
//! force when it was assigned (a snapshot), and an agent picks at most five of it.

use super::{
    csq::WrapUpReason,
    ids::{CsqId, WrapUpReasonId},
    limits::{MAX_WRAP_UP_LABEL_CHARS, MAX_WRAP_UP_REASONS},
    validate::{char_count, same_text, validate_wrap_up_count, Field, FieldError, Problem},
};
use serde::{Deserialize, Serialize};

/// One agent's wrap-up on one contact.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WrapUp {
    /// The reasons of the contact's CSQ when it was assigned, in the administrator's order.
    pub offered: Vec<WrapUpReason>,
    /// The agent's choice, in the order of `offered`.
    pub selected: Vec<WrapUpReasonId>,
}

impl WrapUp {
    /// Whether one more reason may be ticked (SPEC W-1: at most five).
    pub fn can_add(&self) -> bool {
        self.selected.len() < MAX_WRAP_UP_REASONS
    }

    /// The choice with `id` ticked or unticked, checked as the server checks it.
    pub fn toggled(&self, id: WrapUpReasonId, on: bool) -> Result<Vec<WrapUpReasonId>, FieldError> {
        let mut wanted: Vec<WrapUpReasonId> =
            self.selected.iter().copied().filter(|s| *s != id).collect();
        if on {
            wanted.push(id);
        }
        self.check(&wanted)
    }

    /// SPEC W-1, W-2: only reasons this contact offers, each once, at most five. Returns the
    /// choice in the order the pane lists them.
    pub fn check(&self, wanted: &[WrapUpReasonId]) -> Result<Vec<WrapUpReasonId>, FieldError> {
        if let Some(unknown) = wanted
            .iter()
            .find(|w| !self.offered.iter().any(|o| o.id == **w))
        {
            return Err(FieldError::new(
                Field::WrapUpReasons,
                Problem::NotOffered { id: unknown.0 },
            ));
        }
        let chosen: Vec<WrapUpReasonId> = self
            .offered
            .iter()
            .map(|o| o.id)
            .filter(|id| wanted.contains(id))
            .collect();
        validate_wrap_up_count(chosen.len())?;
        Ok(chosen)
    }
}

/// A wrap-up reason as the administration page edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrapUpReasonAdmin {
    pub id: WrapUpReasonId,
    pub label: String,
    /// A retired reason is offered to no new contact; contacts that had it keep it.
    pub retired: bool,
    /// The CSQs whose new contacts offer it.
    pub csqs: Vec<CsqId>,
}

/// What the administrator saves: a new reason (`id` none) or a change to one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WrapUpReasonEdit {
    pub id: Option<WrapUpReasonId>,
    pub label: String,
    #[serde(default)]
    pub retired: bool,
    #[serde(default)]
    pub csqs: Vec<CsqId>,
}

impl WrapUpReasonEdit {
    /// The label is required, at most 80 characters, and not the label of another active
    /// reason (two identical boxes in the pane would be ambiguous).
    pub fn validate(&self, existing: &[WrapUpReasonAdmin]) -> Result<(), FieldError> {
        let label = self.label.trim();
        if label.is_empty() {
            return Err(FieldError::new(Field::WrapUpLabel, Problem::Required));
        }
        let given = char_count(label);
        if given > MAX_WRAP_UP_LABEL_CHARS {
            return Err(FieldError::new(
                Field::WrapUpLabel,
                Problem::TooManyChars {
                    max: MAX_WRAP_UP_LABEL_CHARS,
                    given,
                },
            ));
        }
        let taken = existing
            .iter()
            .any(|r| Some(r.id) != self.id && !r.retired && same_text(&r.label, label));
        if taken && !self.retired {
            return Err(FieldError::new(
                Field::WrapUpLabel,
                Problem::Duplicate {
                    value: label.to_string(),
                },
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(n: i64) -> WrapUp {
        WrapUp {
            offered: (1..=n)
                .map(|i| WrapUpReason {
                    id: WrapUpReasonId(i),
                    label: format!("Reason {i}"),
                })
                .collect(),
            selected: Vec::new(),
        }
    }

    #[test]
    fn at_most_five_reasons_and_only_offered_ones() {
        let mut w = offered(7);
        for i in 1..=5 {
            assert!(w.can_add());
            w.selected = w.toggled(WrapUpReasonId(i), true).unwrap();
        }
        assert_eq!(w.selected.len(), 5);
        assert!(!w.can_add());
        let sixth = w.toggled(WrapUpReasonId(6), true).unwrap_err();
        assert_eq!(
            sixth.to_string(),
            "Wrap-up reasons: at most 5 allowed (6 given)"
        );
        // Unticking frees a place; ticking twice keeps one.
        w.selected = w.toggled(WrapUpReasonId(2), false).unwrap();
        assert!(w.can_add());
        assert_eq!(w.toggled(WrapUpReasonId(1), true).unwrap().len(), 4);
        let unknown = w.check(&[WrapUpReasonId(99)]).unwrap_err();
        assert_eq!(unknown.field, Field::WrapUpReasons);
        assert_eq!(
            unknown.to_string(),
            "Wrap-up reasons: reason 99 is not offered on this contact"
        );
    }

    #[test]
    fn the_choice_keeps_the_order_of_the_list() {
        let w = offered(4);
        let ids = [WrapUpReasonId(3), WrapUpReasonId(1), WrapUpReasonId(3)];
        assert_eq!(
            w.check(&ids).unwrap(),
            [WrapUpReasonId(1), WrapUpReasonId(3)]
        );
    }

    #[test]
    fn labels_are_required_short_and_unique_among_active_reasons() {
        let existing = vec![
            WrapUpReasonAdmin {
                id: WrapUpReasonId(1),
                label: "Refund issued".into(),
                retired: false,
                csqs: vec![],
            },
            WrapUpReasonAdmin {
                id: WrapUpReasonId(2),
                label: "Old reason".into(),
                retired: true,
                csqs: vec![],
            },
        ];
        let edit = |id: Option<i64>, label: &str| WrapUpReasonEdit {
            id: id.map(WrapUpReasonId),
            label: label.into(),
            ..Default::default()
        };
        assert_eq!(
            edit(None, "  ")
                .validate(&existing)
                .unwrap_err()
                .to_string(),
            "Wrap-up reason: required"
        );
        assert_eq!(
            edit(None, &"x".repeat(81))
                .validate(&existing)
                .unwrap_err()
                .to_string(),
            "Wrap-up reason: at most 80 characters (81 given)"
        );
        assert!(edit(None, &"漢".repeat(80)).validate(&existing).is_ok());
        assert_eq!(
            edit(None, "refund ISSUED")
                .validate(&existing)
                .unwrap_err()
                .to_string(),
            "Wrap-up reason: \"refund ISSUED\" already exists"
        );
        assert!(
            edit(Some(1), "Refund issued").validate(&existing).is_ok(),
            "itself"
        );
        assert!(
            edit(None, "Old reason").validate(&existing).is_ok(),
            "retired"
        );
    }
}
