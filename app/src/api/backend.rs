//! The services the server functions call. `app` cannot depend on `server`, so the server
//! crate implements this trait and provides it as `Arc<dyn Backend>` in the Leptos context.

use super::{admin::AdminView, desktop::DesktopView, ApiError};
use crate::domain::{
    account::PasswordChange,
    settings::ChatSettings,
    wrap_up::{WrapUpReasonAdmin, WrapUpReasonEdit},
};
use async_trait::async_trait;
use http::HeaderMap;

/// A session opened: the `Set-Cookie` header value, and whether the user must choose a
/// password before anything else. `Debug` hides the cookie, which holds the session token.
#[derive(Clone)]
pub struct LoginOutcome {
    pub cookie: String,
    pub must_change_password: bool,
    /// The `Set-Cookie` value of the language the user chose, if they chose one: their
    /// pages speak it from the login on, on any computer.
    pub language_cookie: Option<String>,
    /// SPEC D-1: with a session framed by a host on another site, the cookie of its CSRF
    /// token, which the page reads and sends back with every write.
    pub csrf_cookie: Option<String>,
}

impl std::fmt::Debug for LoginOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginOutcome")
            .field("cookie", &"<hidden>")
            .field("must_change_password", &self.must_change_password)
            .finish()
    }
}

/// Where a request comes from, for slowing down repeated login failures.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<std::net::IpAddr>,
    /// SPEC D-1: the origin of the host desktop framing the login page, as the page says;
    /// the server believes it only when the administrator allowed that host.
    pub framed_by: Option<String>,
    /// SPEC D-1: the login page is a window that such a frame opened because the browser
    /// keeps no cookie in the frame ("Log in in a new window"): its cookies must not be
    /// partitioned, so that the frame reaches them once the browser grants it storage
    /// access.
    pub login_window: bool,
}

#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Checks the credentials and opens a session.
    async fn login(
        &self,
        username: &str,
        password: &str,
        client: ClientInfo,
    ) -> Result<LoginOutcome, ApiError>;

    /// The user a session belongs to, whether or not they must choose a password first.
    async fn account(&self, headers: &HeaderMap) -> Result<crate::domain::agent::Agent, ApiError>;

    /// The logged-in user changes their own password (SPEC D-2): every other session of
    /// theirs ends; this one goes on.
    async fn change_password(
        &self,
        headers: &HeaderMap,
        change: PasswordChange,
        client: ClientInfo,
    ) -> Result<(), ApiError>;

    /// Keeps the language of the pages: for the logged-in user, stored with their account;
    /// for anyone, in the browser. Returns the `Set-Cookie` header values.
    async fn set_language(
        &self,
        headers: &HeaderMap,
        locale: crate::i18n::Locale,
    ) -> Result<Vec<String>, ApiError>;

    /// Ends the agent's sessions (SPEC S-1: only from Not Ready); returns the `Set-Cookie`
    /// header values that clear the cookies.
    async fn logout(&self, headers: &HeaderMap) -> Result<Vec<String>, ApiError>;

    /// Who is logged in and their live state, for the first render of the desktop.
    async fn desktop(&self, headers: &HeaderMap) -> Result<DesktopView, ApiError>;

    /// The administration page's data; administrators only.
    async fn admin(&self, headers: &HeaderMap) -> Result<AdminView, ApiError>;

    /// Validates, stores and audits the chat settings; administrators only.
    async fn save_chat_settings(
        &self,
        headers: &HeaderMap,
        settings: ChatSettings,
    ) -> Result<ChatSettings, ApiError>;

    /// SPEC D-1: validates, stores and audits the host desktops that may embed the
    /// desktop; administrators only. Returns the list as stored.
    async fn save_gadget_hosts(
        &self,
        headers: &HeaderMap,
        hosts: crate::domain::gadget_hosts::GadgetHosts,
    ) -> Result<crate::domain::gadget_hosts::GadgetHosts, ApiError>;

    /// Issue 17: what the Conversations page's lists offer the reader.
    async fn conversation_choices(
        &self,
        headers: &HeaderMap,
    ) -> Result<crate::domain::conversations::ConversationChoices, ApiError>;

    /// Issue 17: one page of the past conversations within the reader's reach.
    async fn conversations(
        &self,
        headers: &HeaderMap,
        filter: crate::domain::conversations::ConversationFilter,
    ) -> Result<crate::domain::conversations::ConversationPage, ApiError>;

    /// Issue 17: one past conversation within the reader's reach, read-only.
    async fn conversation(
        &self,
        headers: &HeaderMap,
        contact: crate::domain::ids::ContactId,
    ) -> Result<crate::domain::customer::PastConversation, ApiError>;

    /// Issue 17: the privacy section's first view; administrators only.
    async fn privacy(
        &self,
        headers: &HeaderMap,
    ) -> Result<crate::domain::privacy::PrivacyView, ApiError>;

    /// Issue 17: one page of the customers a search finds; administrators only.
    async fn find_customers(
        &self,
        headers: &HeaderMap,
        query: crate::domain::privacy::CustomerQuery,
    ) -> Result<crate::domain::privacy::CustomerList, ApiError>;

    /// Issue 17: erases a customer, audited; administrators only.
    async fn erase_customer(
        &self,
        headers: &HeaderMap,
        customer: crate::domain::ids::CustomerId,
    ) -> Result<crate::domain::privacy::Erased, ApiError>;

    /// Issue 17: stores the retention, audited; administrators only.
    async fn save_retention(
        &self,
        headers: &HeaderMap,
        retention: crate::domain::privacy::Retention,
    ) -> Result<crate::domain::privacy::Retention, ApiError>;

    /// Issue 17: every API token; administrators only.
    async fn api_tokens(
        &self,
        headers: &HeaderMap,
    ) -> Result<Vec<crate::domain::api_tokens::ApiTokenSummary>, ApiError>;

    /// Issue 17: a new API token with its secret, audited; administrators only.
    async fn create_api_token(
        &self,
        headers: &HeaderMap,
        token: crate::domain::api_tokens::NewApiToken,
    ) -> Result<crate::domain::api_tokens::CreatedApiToken, ApiError>;

    /// Issue 17: revokes an API token, audited; administrators only.
    async fn revoke_api_token(
        &self,
        headers: &HeaderMap,
        token: crate::domain::ids::ApiTokenId,
    ) -> Result<Vec<crate::domain::api_tokens::ApiTokenSummary>, ApiError>;

    /// Issue 17: every outgoing webhook; administrators only.
    async fn webhooks(
        &self,
        headers: &HeaderMap,
    ) -> Result<Vec<crate::domain::webhooks::WebhookSummary>, ApiError>;

    /// Issue 17: a new webhook with its secret, audited; administrators only.
    async fn create_webhook(
        &self,
        headers: &HeaderMap,
        webhook: crate::domain::webhooks::WebhookEdit,
    ) -> Result<crate::domain::webhooks::CreatedWebhook, ApiError>;

    /// Issue 17: a webhook's new name, address and events, audited; administrators only.
    async fn change_webhook(
        &self,
        headers: &HeaderMap,
        id: crate::domain::ids::WebhookId,
        webhook: crate::domain::webhooks::WebhookEdit,
    ) -> Result<Vec<crate::domain::webhooks::WebhookSummary>, ApiError>;

    /// Issue 17: pauses or resumes a webhook, audited; administrators only.
    async fn pause_webhook(
        &self,
        headers: &HeaderMap,
        id: crate::domain::ids::WebhookId,
        paused: bool,
    ) -> Result<Vec<crate::domain::webhooks::WebhookSummary>, ApiError>;

    /// Issue 17: deletes a webhook, audited; administrators only.
    async fn delete_webhook(
        &self,
        headers: &HeaderMap,
        id: crate::domain::ids::WebhookId,
    ) -> Result<Vec<crate::domain::webhooks::WebhookSummary>, ApiError>;

    /// Issue 17: a page of a webhook's delivery log; administrators only.
    async fn webhook_deliveries(
        &self,
        headers: &HeaderMap,
        id: crate::domain::ids::WebhookId,
        before: Option<i64>,
    ) -> Result<Vec<crate::domain::webhooks::DeliverySummary>, ApiError>;

    /// Issue 17: sends a delivery again, audited; administrators only.
    async fn replay_webhook_delivery(
        &self,
        headers: &HeaderMap,
        id: crate::domain::ids::WebhookId,
        delivery: i64,
    ) -> Result<Vec<crate::domain::webhooks::DeliverySummary>, ApiError>;

    /// Issue 18 (D-3): the supervisors' live view of the CSQs the user watches, the day
    /// from midnight in `time_zone`; supervisors and administrators only.
    async fn supervision_board(
        &self,
        headers: &HeaderMap,
        time_zone: String,
    ) -> Result<crate::domain::supervision::Board, ApiError>;

    /// Issue 18 (D-3): sets an agent of the user's CSQs Not Ready, or logs them out;
    /// audited. Supervisors (of the agent's CSQs) and administrators only.
    async fn supervise_agent(
        &self,
        headers: &HeaderMap,
        agent: crate::domain::ids::AgentId,
        action: crate::domain::supervision::SupervisorAction,
    ) -> Result<(), ApiError>;

    /// Issue 18 (D-3): the user joins a chat of their CSQs as its second agent; audited.
    async fn join_chat(
        &self,
        headers: &HeaderMap,
        contact: crate::domain::ids::ContactId,
    ) -> Result<(), ApiError>;

    /// Issue 18 (D-3): a report over a period, of the user's CSQs; supervisors and
    /// administrators only.
    async fn report(
        &self,
        headers: &HeaderMap,
        request: crate::domain::reports::ReportRequest,
    ) -> Result<crate::domain::reports::Report, ApiError>;

    /// One page of the administrators' audit, filtered; administrators only.
    async fn audit(
        &self,
        headers: &HeaderMap,
        filter: crate::domain::audit::AuditFilter,
    ) -> Result<crate::domain::audit::AuditPage, ApiError>;

    /// A user's state changes on a UTC day; administrators only (SPEC S-6).
    async fn state_history(
        &self,
        headers: &HeaderMap,
        username: String,
        day: String,
    ) -> Result<crate::domain::audit::StateHistory, ApiError>;

    /// One page of the users' list, searched; administrators only.
    async fn users(
        &self,
        headers: &HeaderMap,
        search: String,
        page: u32,
    ) -> Result<crate::domain::users::UserPage, ApiError>;

    /// Creates or changes a user, audited; administrators only.
    async fn save_user(
        &self,
        headers: &HeaderMap,
        edit: crate::domain::users::UserEdit,
    ) -> Result<crate::domain::users::UserSaved, ApiError>;

    /// A new one-time password for the user, whose sessions end; administrators only.
    async fn reset_user_password(
        &self,
        headers: &HeaderMap,
        user: crate::domain::ids::AgentId,
    ) -> Result<String, ApiError>;

    /// Creates or changes a CSQ, audited; administrators only.
    async fn save_csq(
        &self,
        headers: &HeaderMap,
        edit: crate::domain::queues::CsqEdit,
    ) -> Result<super::QueuesView, ApiError>;

    /// Creates or changes a problem statement, audited; administrators only.
    async fn save_problem_statement(
        &self,
        headers: &HeaderMap,
        edit: crate::domain::queues::ProblemStatementEdit,
    ) -> Result<super::QueuesView, ApiError>;

    /// Issue 17: sets a CSQ's business hours, audited; administrators only.
    async fn save_business_hours(
        &self,
        headers: &HeaderMap,
        csq: crate::domain::ids::CsqId,
        hours: Option<crate::domain::hours::BusinessHours>,
    ) -> Result<super::QueuesView, ApiError>;

    /// Issue 17: the time zones the server knows; administrators only.
    async fn time_zones(&self, headers: &HeaderMap) -> Result<Vec<String>, ApiError>;

    /// Moves a problem statement up or down, audited; administrators only.
    async fn move_problem_statement(
        &self,
        headers: &HeaderMap,
        id: i64,
        up: bool,
    ) -> Result<super::QueuesView, ApiError>;

    /// Creates or changes a pre-chat field, audited; administrators only.
    async fn save_prechat_field(
        &self,
        headers: &HeaderMap,
        edit: crate::domain::prechat::PreChatFieldEdit,
    ) -> Result<Vec<crate::domain::prechat::PreChatField>, ApiError>;

    /// Deletes a pre-chat field, audited; administrators only.
    async fn delete_prechat_field(
        &self,
        headers: &HeaderMap,
        id: i64,
    ) -> Result<Vec<crate::domain::prechat::PreChatField>, ApiError>;

    /// Moves a pre-chat field up or down, audited; administrators only.
    async fn move_prechat_field(
        &self,
        headers: &HeaderMap,
        id: i64,
        up: bool,
    ) -> Result<Vec<crate::domain::prechat::PreChatField>, ApiError>;

    /// Creates or changes a canned response, audited; administrators only.
    async fn save_canned(
        &self,
        headers: &HeaderMap,
        edit: crate::domain::canned::CannedEdit,
    ) -> Result<super::CannedView, ApiError>;

    /// Deletes a canned response, audited; administrators only.
    async fn delete_canned(
        &self,
        headers: &HeaderMap,
        id: crate::domain::ids::CannedResponseId,
    ) -> Result<super::CannedView, ApiError>;

    /// Every mailbox (never a password); administrators only.
    async fn mailboxes(
        &self,
        headers: &HeaderMap,
    ) -> Result<Vec<crate::domain::mailboxes::MailboxAdmin>, ApiError>;

    /// Creates or changes a mailbox and applies it at once, audited; administrators only.
    async fn save_mailbox(
        &self,
        headers: &HeaderMap,
        edit: crate::domain::mailboxes::MailboxEdit,
    ) -> Result<Vec<crate::domain::mailboxes::MailboxAdmin>, ApiError>;

    /// Logs in to a mailbox's servers and reports each outcome; administrators only.
    async fn test_mailbox(
        &self,
        headers: &HeaderMap,
        edit: crate::domain::mailboxes::MailboxEdit,
    ) -> Result<super::MailboxTest, ApiError>;

    /// Creates or changes a Messenger or WhatsApp channel, audited; administrators only.
    async fn save_meta_channel(
        &self,
        headers: &HeaderMap,
        edit: crate::domain::channels::MetaChannelEdit,
    ) -> Result<Vec<crate::domain::channels::MetaChannelAdmin>, ApiError>;

    /// Reads a channel's account through Meta's Graph API; administrators only.
    async fn test_meta_channel(
        &self,
        headers: &HeaderMap,
        edit: crate::domain::channels::MetaChannelEdit,
    ) -> Result<super::TestOutcome, ApiError>;

    /// Validates, stores and audits a wrap-up reason; administrators only.
    async fn save_wrap_up_reason(
        &self,
        headers: &HeaderMap,
        edit: WrapUpReasonEdit,
    ) -> Result<Vec<WrapUpReasonAdmin>, ApiError>;
}
