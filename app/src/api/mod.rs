//! Thin server functions. Each extracts its context, calls the [`Backend`] the server crate
//! put in the Leptos context, and maps the error; the rules live in the domain and the
//! server's services.

mod admin;
mod api_tokens;
mod audit;
mod auth;
#[cfg(feature = "ssr")]
mod backend;
mod canned;
mod channels;
pub mod client;
mod codec;
mod conversations;
mod desktop;
mod error;
mod mailboxes;
mod prechat;
mod privacy;
mod queues;
mod supervision;
mod users;
mod webhooks;

pub use admin::{
    get_admin, save_chat_settings, save_gadget_hosts, save_wrap_up_reason, AdminView, GetAdmin,
    SaveChatSettings, SaveGadgetHosts, SaveWrapUpReason,
};
pub use api_tokens::{
    create_api_token, list_api_tokens, revoke_api_token, CreateApiToken, ListApiTokens,
    RevokeApiToken,
};
pub use audit::{get_audit, get_state_history, GetAudit, GetStateHistory};
pub use auth::{
    change_password, get_account, login, logout, set_language, ChangePassword, GetAccount, Login,
    LoginRefused, Logout, SetLanguage, LOGIN_WINDOW_DONE,
};
#[cfg(feature = "ssr")]
pub use backend::{Backend, ClientInfo, LoginOutcome};
pub use canned::{delete_canned, save_canned, CannedView, DeleteCanned, SaveCanned};
pub use channels::{save_meta_channel, test_meta_channel, SaveMetaChannel, TestMetaChannel};
pub use conversations::{
    get_conversation_choices, read_conversation, search_conversations, GetConversationChoices,
    ReadConversation, SearchConversations,
};
pub use desktop::{get_desktop, DesktopView, GetDesktop};
pub use error::ApiError;
pub use mailboxes::{
    get_mailboxes, save_mailbox, test_mailbox, GetMailboxes, MailboxTest, SaveMailbox, TestMailbox,
    TestOutcome,
};
pub use prechat::{
    delete_prechat_field, move_prechat_field, save_prechat_field, DeletePrechatField,
    MovePrechatField, SavePrechatField,
};
pub use privacy::{
    erase_customer, find_customers, get_privacy, save_retention, EraseCustomer, FindCustomers,
    GetPrivacy, SaveRetention,
};
pub use queues::{
    move_problem_statement, save_business_hours, save_csq, save_problem_statement, time_zones,
    MoveProblemStatement, QueuesView, SaveBusinessHours, SaveCsq, SaveProblemStatement, TimeZones,
};
pub use supervision::{
    get_board, get_report, join_chat, supervise_agent, GetBoard, GetReport, JoinChat,
    SuperviseAgent,
};
pub use users::{
    list_users, reset_user_password, save_user, ListUsers, ResetUserPassword, SaveUser,
};
pub use webhooks::{
    change_webhook, create_webhook, delete_webhook, list_webhooks, pause_webhook,
    replay_webhook_delivery, webhook_deliveries, ChangeWebhook, CreateWebhook, DeleteWebhook,
    ListWebhooks, PauseWebhook, ReplayWebhookDelivery, WebhookDeliveries,
};

/// Name of the HttpOnly session cookie, shared by the server functions and the server.
pub const SESSION_COOKIE: &str = "sb_session";

/// The backend the server crate provides, or an internal error when it is missing.
#[cfg(feature = "ssr")]
fn backend() -> Result<std::sync::Arc<dyn Backend>, ApiError> {
    leptos::prelude::use_context::<std::sync::Arc<dyn Backend>>().ok_or(ApiError::Internal)
}

/// The request's headers, which carry the session cookie.
#[cfg(feature = "ssr")]
fn request_headers() -> Result<http::HeaderMap, ApiError> {
    leptos::prelude::use_context::<http::request::Parts>()
        .map(|p| p.headers)
        .ok_or(ApiError::Internal)
}

/// Gives an error response the HTTP status that fits it, then returns the error.
#[cfg(feature = "ssr")]
fn fail(error: ApiError) -> ApiError {
    use http::StatusCode;
    let status = match &error {
        ApiError::WrongCredentials | ApiError::NotLoggedIn => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden | ApiError::PasswordChangeRequired | ApiError::AccountDisabled => {
            StatusCode::FORBIDDEN
        }
        ApiError::State(_) | ApiError::JoinRefused(_) => StatusCode::CONFLICT,
        ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        ApiError::NotFound => StatusCode::NOT_FOUND,
        ApiError::Internal | ApiError::Transport => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
        if let ApiError::TooManyAttempts { retry_after_secs } = &error {
            if let Ok(value) = http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.insert_header(http::header::RETRY_AFTER, value);
            }
        }
    }
    error
}
