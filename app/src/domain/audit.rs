//! What the administrators read of the past (SPEC D-2, S-6): the audit of every
//! administrative change, filtered by who made it, its kind and its day, and one agent's
//! state history for a chosen day. Days are UTC, as every time on the administration's
//! pages, so the server's page and the hydrated one read alike.

use super::{
    limits::USERNAME_CHARS,
    state::{AgentStatus, StateReason},
    time::day_start_ms,
    validate::{all_or_errors, char_count, Field, FieldError, Problem},
};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};

/// What a change was about: the first word of its stored action (`user.create`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    User,
    Csq,
    ProblemStatement,
    PreChatField,
    ChatSettings,
    WrapUpReason,
    Canned,
    Mailbox,
    Channel,
    GadgetHosts,
    /// An agent linked two customer records as one person (issue 16); an administrator
    /// exported or erased a customer (issue 17).
    Customer,
    /// Issue 17: how long conversations' contents are kept.
    Retention,
    /// Issue 17: the tokens of the `/api/v1` API.
    ApiToken,
    /// Issue 17: the outgoing webhooks.
    Webhook,
    /// Issue 18: a supervisor set an agent Not Ready or logged them out.
    Supervision,
}

impl AuditKind {
    pub const ALL: [AuditKind; 15] = [
        AuditKind::User,
        AuditKind::Csq,
        AuditKind::ProblemStatement,
        AuditKind::PreChatField,
        AuditKind::ChatSettings,
        AuditKind::WrapUpReason,
        AuditKind::Canned,
        AuditKind::Mailbox,
        AuditKind::Channel,
        AuditKind::GadgetHosts,
        AuditKind::Customer,
        AuditKind::Retention,
        AuditKind::ApiToken,
        AuditKind::Webhook,
        AuditKind::Supervision,
    ];

    /// The stored actions' first word.
    pub fn prefix(self) -> &'static str {
        match self {
            AuditKind::User => "user",
            AuditKind::Csq => "csq",
            AuditKind::ProblemStatement => "problem_statement",
            AuditKind::PreChatField => "prechat_field",
            AuditKind::ChatSettings => "chat_settings",
            AuditKind::WrapUpReason => "wrap_up_reason",
            AuditKind::Canned => "canned",
            AuditKind::Mailbox => "mailbox",
            AuditKind::Channel => "channel",
            AuditKind::GadgetHosts => "gadget_hosts",
            AuditKind::Customer => "customer",
            AuditKind::Retention => "retention",
            AuditKind::ApiToken => "api_token",
            AuditKind::Webhook => "webhook",
            AuditKind::Supervision => "supervision",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            AuditKind::User => td_string!(locale, common.audit_kinds.user),
            AuditKind::Csq => td_string!(locale, common.audit_kinds.csq),
            AuditKind::ProblemStatement => td_string!(locale, common.audit_kinds.problem_statement),
            AuditKind::PreChatField => td_string!(locale, common.audit_kinds.prechat_field),
            AuditKind::ChatSettings => td_string!(locale, common.audit_kinds.chat_settings),
            AuditKind::WrapUpReason => td_string!(locale, common.audit_kinds.wrap_up_reason),
            AuditKind::Canned => td_string!(locale, common.audit_kinds.canned),
            AuditKind::Mailbox => td_string!(locale, common.audit_kinds.mailbox),
            AuditKind::Channel => td_string!(locale, common.audit_kinds.channel),
            AuditKind::GadgetHosts => td_string!(locale, common.audit_kinds.gadget_hosts),
            AuditKind::Customer => td_string!(locale, common.audit_kinds.customer),
            AuditKind::Retention => td_string!(locale, common.audit_kinds.retention),
            AuditKind::ApiToken => td_string!(locale, common.audit_kinds.api_token),
            AuditKind::Webhook => td_string!(locale, common.audit_kinds.webhook),
            AuditKind::Supervision => td_string!(locale, common.audit_kinds.supervision),
        }
    }

    pub fn parse(prefix: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.prefix() == prefix)
    }
}

/// A stored action as a reader says it: `user.password_reset` → "Password reset" (an
/// action this version does not know stays as stored).
pub fn action_label(locale: Locale, action: &str) -> String {
    let text = match action {
        "user.create" => td_string!(locale, common.audit_actions.user_create),
        "user.update" => td_string!(locale, common.audit_actions.user_update),
        "user.password_reset" => td_string!(locale, common.audit_actions.user_password_reset),
        "user.password_change" => td_string!(locale, common.audit_actions.user_password_change),
        "csq.save" => td_string!(locale, common.audit_actions.csq_save),
        "csq.hours" => td_string!(locale, common.audit_actions.csq_hours),
        "problem_statement.save" => td_string!(locale, common.audit_actions.problem_statement_save),
        "problem_statement.order" => {
            td_string!(locale, common.audit_actions.problem_statement_order)
        }
        "prechat_field.save" => td_string!(locale, common.audit_actions.prechat_field_save),
        "prechat_field.delete" => td_string!(locale, common.audit_actions.prechat_field_delete),
        "prechat_field.move" => td_string!(locale, common.audit_actions.prechat_field_move),
        "chat_settings.save" => td_string!(locale, common.audit_actions.chat_settings_save),
        "wrap_up_reason.save" => td_string!(locale, common.audit_actions.wrap_up_reason_save),
        "canned.save" => td_string!(locale, common.audit_actions.canned_save),
        "canned.delete" => td_string!(locale, common.audit_actions.canned_delete),
        "mailbox.save" => td_string!(locale, common.audit_actions.mailbox_save),
        "gadget_hosts.save" => td_string!(locale, common.audit_actions.gadget_hosts_save),
        "channel.save" => td_string!(locale, common.audit_actions.channel_save),
        "customer.link" => td_string!(locale, common.audit_actions.customer_link),
        "customer.export" => td_string!(locale, common.audit_actions.customer_export),
        "customer.erase" => td_string!(locale, common.audit_actions.customer_erase),
        "retention.save" => td_string!(locale, common.audit_actions.retention_save),
        "api_token.create" => td_string!(locale, common.audit_actions.api_token_create),
        "api_token.revoke" => td_string!(locale, common.audit_actions.api_token_revoke),
        "webhook.create" => td_string!(locale, common.audit_actions.webhook_create),
        "webhook.change" => td_string!(locale, common.audit_actions.webhook_change),
        "webhook.pause" => td_string!(locale, common.audit_actions.webhook_pause),
        "webhook.resume" => td_string!(locale, common.audit_actions.webhook_resume),
        "supervision.not_ready" => td_string!(locale, common.audit_actions.supervision_not_ready),
        "supervision.log_out" => td_string!(locale, common.audit_actions.supervision_log_out),
        "webhook.delete" => td_string!(locale, common.audit_actions.webhook_delete),
        "webhook.replay" => td_string!(locale, common.audit_actions.webhook_replay),
        other => other,
    };
    text.to_string()
}

/// Which lines of the audit to show: all filters optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Who made the change (exact username, any case).
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub kind: Option<AuditKind>,
    /// A UTC day, "YYYY-MM-DD".
    #[serde(default)]
    pub day: String,
    /// From 0, newest first.
    #[serde(default)]
    pub page: u32,
}

impl AuditFilter {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let given = char_count(self.username.trim());
        if given > *USERNAME_CHARS.end() {
            errors.push(FieldError::new(
                Field::Username,
                Problem::TooManyChars {
                    max: *USERNAME_CHARS.end(),
                    given,
                },
            ));
        }
        if !self.day.trim().is_empty() && day_start_ms(self.day.trim()).is_none() {
            errors.push(FieldError::new(Field::Day, Problem::InvalidDay));
        }
        all_or_errors(errors)
    }

    /// The filter's day as [start, end) in Unix ms, if one is chosen.
    pub fn day_range(&self) -> Option<(i64, i64)> {
        day_range(&self.day)
    }
}

/// A UTC day "YYYY-MM-DD" as [start, end) in Unix ms.
pub fn day_range(day: &str) -> Option<(i64, i64)> {
    day_start_ms(day.trim()).map(|start| (start, start + 86_400_000))
}

/// One line of the audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at_ms: i64,
    /// Who made the change.
    pub username: String,
    pub action: String,
    /// What changed, before and after (never a password).
    pub detail: String,
}

/// One page of the audit, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub lines: Vec<AuditLine>,
    pub total: u64,
    pub page: u32,
    pub page_size: u32,
}

impl AuditPage {
    pub fn pages(&self) -> u32 {
        let pages = self.total.div_ceil(u64::from(self.page_size.max(1)));
        u32::try_from(pages).unwrap_or(u32::MAX).max(1)
    }
}

/// One change of an agent's state (SPEC S-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateLine {
    pub at_ms: i64,
    pub from: AgentStatus,
    pub to: AgentStatus,
    pub reason: StateReason,
}

/// An agent's state changes on one UTC day, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateHistory {
    pub username: String,
    pub display_name: String,
    pub day: String,
    pub lines: Vec<StateLine>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d2_a_filter_names_its_problems() {
        assert!(AuditFilter::default().validate().is_ok());
        let bad = AuditFilter {
            username: "x".repeat(65),
            day: "2026-02-30".into(),
            ..AuditFilter::default()
        };
        let problems: Vec<Problem> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.problem)
            .collect();
        assert_eq!(
            problems,
            [
                Problem::TooManyChars { max: 64, given: 65 },
                Problem::InvalidDay
            ]
        );
    }

    #[test]
    fn s6_a_day_is_the_utc_day() {
        assert_eq!(
            day_range("2026-12-02"),
            Some((1_796_169_600_000, 1_796_256_000_000))
        );
        assert_eq!(day_range("02/12/2026"), None);
    }

    #[test]
    fn kinds_round_trip_and_actions_read_as_words() {
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.prefix()), Some(kind));
        }
        assert_eq!(
            action_label(Locale::en, "user.password_reset"),
            "Password reset"
        );
        assert_eq!(action_label(Locale::en, "mailbox.save"), "Mailbox saved");
        assert_eq!(
            action_label(Locale::fr, "mailbox.save"),
            "Boîte aux lettres enregistrée"
        );
        assert_eq!(action_label(Locale::en, "webhook.save"), "webhook.save");
    }
}
