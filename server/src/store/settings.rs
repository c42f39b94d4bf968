//! What the store keeps of how the contact center is set up: CSQs and their members,
//! wrap-up reasons, problem statements, the chat settings, and the
//! administrators' audit of every change (SPEC D-2, W-1, O-2). A separate trait, included
//! by [`super::Store`].

use super::StoreResult;
use app::domain::{
    csq::{Csq, ProblemStatement, WrapUpReason},
    gadget_hosts::GadgetHosts,
    ids::{AgentId, CsqId, WrapUpReasonId},
    settings::ChatSettings,
    wrap_up::{WrapUpReasonAdmin, WrapUpReasonEdit},
};
use async_trait::async_trait;

/// One line of the administrators' audit (SPEC D-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at_ms: i64,
    /// Who made the change.
    pub agent: AgentId,
    /// A stable name of what was done, as in `chat_settings.save`.
    pub action: String,
    /// What changed, for a reader.
    pub detail: String,
}

#[async_trait]
pub trait SettingsStore: Send + Sync {
    async fn create_csq(&self, name: &str) -> StoreResult<CsqId>;

    async fn add_csq_member(&self, csq: CsqId, agent: AgentId) -> StoreResult<()>;

    /// Issue 18 (D-3): `agent` (a supervisor) watches `csq`; the demo data's call (the
    /// Users page saves a user's whole list with `save_user`).
    async fn add_csq_supervisor(&self, csq: CsqId, agent: AgentId) -> StoreResult<()>;

    /// Every CSQ with its members, by name.
    async fn csqs(&self) -> StoreResult<Vec<Csq>>;

    /// The CSQ's name (retired or not), empty if there is none with this id: what an offer
    /// and a contact's tab show, read for every chat, so kept between saves on SQLite.
    async fn csq_name(&self, csq: CsqId) -> StoreResult<String>;

    async fn create_wrap_up_reason(&self, label: &str) -> StoreResult<WrapUpReasonId>;

    async fn assign_wrap_up_reason(&self, csq: CsqId, reason: WrapUpReasonId) -> StoreResult<()>;

    /// The reasons assigned to a CSQ and not retired, by label.
    async fn wrap_up_reasons(&self, csq: CsqId) -> StoreResult<Vec<WrapUpReason>>;

    /// Every reason with its CSQs and whether it is retired, for the administration page.
    async fn wrap_up_reasons_admin(&self) -> StoreResult<Vec<WrapUpReasonAdmin>>;

    /// Creates (no id) or changes a reason and its CSQs, with the administrator's audit
    /// line, in one transaction. Returns the reason's id.
    async fn save_wrap_up_reason(
        &self,
        edit: &WrapUpReasonEdit,
        audit: &AuditEntry,
    ) -> StoreResult<WrapUpReasonId>;

    /// The chat settings, defaults for what was never saved.
    async fn chat_settings(&self) -> StoreResult<ChatSettings>;

    /// Stores the settings and, in the same transaction, the audit line of the administrator
    /// who changed them (`None` only when the server itself sets them: tests, demo data).
    async fn save_chat_settings(
        &self,
        settings: &ChatSettings,
        audit: Option<&AuditEntry>,
    ) -> StoreResult<()>;

    /// SPEC D-1: the host desktops that may embed the desktop, none until an administrator
    /// names one. Read for every page (its `frame-ancestors`), so short.
    async fn gadget_hosts(&self) -> StoreResult<GadgetHosts>;

    /// Stores the list with the administrator's audit line, in one transaction.
    async fn save_gadget_hosts(&self, hosts: &GadgetHosts, audit: &AuditEntry) -> StoreResult<()>;

    /// One audit line on its own (a change made outside any other transaction, as by the
    /// command line).
    async fn record_audit(&self, audit: &AuditEntry) -> StoreResult<()>;

    /// The administrators' audit, newest first, at most `limit` lines.
    async fn admin_audit(&self, limit: i64) -> StoreResult<Vec<AuditEntry>>;

    async fn create_problem_statement(&self, label: &str, csq: CsqId) -> StoreResult<i64>;

    /// The statements offered on the pre-chat form, in the administrator's order.
    async fn problem_statements(&self) -> StoreResult<Vec<ProblemStatement>>;
}
