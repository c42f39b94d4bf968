//! Users as the administrators manage them (SPEC D-2): the searched list, a save (a new user
//! with a temporary password, or a change), and a password reset. Every call is refused to
//! anyone but an administrator and every change is audited. A change of CSQs or capacity
//! reaches routing at once; disabling a user or resetting their password ends their sessions
//! and closes their open pages.

use crate::{
    auth,
    clock::now_ms,
    routing::engine::Input,
    services::{internal, Services},
    store::{AuditEntry, StoreError},
};
use app::{
    api::ApiError,
    domain::{
        csq::{memberships, supervised},
        ids::{AgentId, CsqId},
        limits::USERS_PAGE_SIZE,
        state::{StateEvent, StateReason},
        users::{validate_search, UserAdmin, UserEdit, UserPage, UserSaved},
        validate::{Field, FieldError, Problem},
    },
};
use http::HeaderMap;

impl Services {
    /// One page of the users whose username, name or alias holds `search`.
    pub async fn user_page(
        &self,
        headers: &HeaderMap,
        search: &str,
        page: u32,
    ) -> Result<UserPage, ApiError> {
        self.administrator(headers).await?;
        validate_search(search).map_err(|e| ApiError::Invalid(vec![e]))?;
        let offset = page.saturating_mul(USERS_PAGE_SIZE);
        let (agents, total) = self
            .store
            .user_page(search, offset, USERS_PAGE_SIZE)
            .await
            .map_err(internal)?;
        let csqs = self.store.csqs().await.map_err(internal)?;
        let users = agents
            .into_iter()
            .map(|agent| UserAdmin {
                csqs: memberships(&csqs, agent.id),
                supervises: supervised(&csqs, agent.id),
                agent,
            })
            .collect();
        Ok(UserPage {
            users,
            total,
            page,
            page_size: USERS_PAGE_SIZE,
        })
    }

    /// Creates a user or changes one. A new user gets the temporary password typed, or one
    /// made here and returned once; either must be changed at their first login.
    pub async fn save_user(
        &self,
        headers: &HeaderMap,
        edit: UserEdit,
    ) -> Result<UserSaved, ApiError> {
        let admin = self.administrator(headers).await?;
        let csqs = self.store.csqs().await.map_err(internal)?;
        let csq_ids: Vec<CsqId> = csqs.iter().map(|c| c.id).collect();
        edit.validate(&csq_ids, admin.id, auth::is_common_password)
            .map_err(ApiError::Invalid)?;
        let edit = edit.normalized();
        let before = match edit.id {
            None => None,
            Some(id) => Some(self.user(id, &csqs).await?),
        };
        if let Some(before) = &before {
            if edit.seen != before.stamp() {
                return Err(ApiError::Invalid(vec![FieldError::new(
                    Field::Account,
                    Problem::ChangedMeanwhile,
                )]));
            }
        }
        let csq_name = |id: CsqId| {
            csqs.iter()
                .find(|c| c.id == id)
                .map_or_else(|| id.0.to_string(), |c| c.name.clone())
        };
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: if before.is_some() {
                "user.update"
            } else {
                "user.create"
            }
            .into(),
            detail: edit.describe(before.as_ref(), csq_name),
        };
        let (password, hash) = if edit.id.is_none() {
            let password = if edit.temporary_password.is_empty() {
                Some(auth::one_time_password())
            } else {
                None
            };
            let chosen = password
                .clone()
                .unwrap_or_else(|| edit.temporary_password.clone());
            (password, Some(self.hash_password(chosen).await?))
        } else {
            (None, None)
        };
        let id = self
            .store
            .save_user(&edit, hash.as_deref(), &audit)
            .await
            .map_err(|e| refusal(e, &edit))?;
        let user = self
            .user(id, &self.store.csqs().await.map_err(internal)?)
            .await?;
        if let Some(before) = &before {
            self.apply_user_change(before, &user).await;
        }
        tracing::info!(agent = %admin.id, change = %audit.detail, "user saved");
        Ok(UserSaved {
            user,
            one_time_password: password,
        })
    }

    /// Gives the user a new one-time password, returned once; their sessions end at once.
    pub async fn reset_user_password(
        &self,
        headers: &HeaderMap,
        user: AgentId,
    ) -> Result<String, ApiError> {
        let admin = self.administrator(headers).await?;
        let target = self.store.agent(user).await.map_err(|e| match e {
            StoreError::NotFound => unknown_user(user),
            e => internal(e),
        })?;
        let password = auth::one_time_password();
        let hash = self.hash_password(password.clone()).await?;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "user.password_reset".into(),
            detail: format!("{}: one-time password given", target.username),
        };
        self.store
            .set_password(user, &hash, true, None, &audit)
            .await
            .map_err(internal)?;
        self.end_presence(user, StateReason::Logout).await;
        tracing::info!(agent = %admin.id, user = %user, "password reset by an administrator");
        Ok(password)
    }

    /// A user with their CSQs.
    async fn user(
        &self,
        id: AgentId,
        csqs: &[app::domain::csq::Csq],
    ) -> Result<UserAdmin, ApiError> {
        let agent = self.store.agent(id).await.map_err(|e| match e {
            StoreError::NotFound => unknown_user(id),
            e => internal(e),
        })?;
        Ok(UserAdmin {
            csqs: memberships(csqs, id),
            supervises: supervised(csqs, id),
            agent,
        })
    }

    /// What follows a stored change: routing learns the CSQs and capacity at once; a user
    /// disabled loses their open pages (their sessions are already gone).
    async fn apply_user_change(&self, before: &UserAdmin, after: &UserAdmin) {
        let id = after.agent.id;
        if before.csqs != after.csqs
            || before.agent.max_chats != after.agent.max_chats
            || before.agent.max_emails != after.agent.max_emails
        {
            self.chat.routing.send(Input::AgentChanged {
                agent: id,
                csqs: after.csqs.clone(),
                max_chats: after.agent.max_chats,
                max_emails: after.agent.max_emails,
            });
        }
        if after.agent.disabled && !before.agent.disabled {
            self.end_presence(id, StateReason::Logout).await;
        }
    }

    /// The user's sessions were ended by an administrator:
    /// their open pages close, and what they hold goes back at once (emails to their
    /// queues, chats ended, as when a desktop closes), rather than after the grace a lost
    /// connection gets. The logout is recorded with `reason`.
    pub(crate) async fn end_presence(&self, id: AgentId, reason: StateReason) {
        self.hub.sessions_changed(id);
        self.release_presence(id, reason).await;
    }

    /// What the user holds goes back, and they are logged out with `reason`: the half of
    /// [`Self::end_presence`] their pages hear (while still open, they learn why).
    pub(crate) async fn release_presence(&self, id: AgentId, reason: StateReason) {
        if let Err(e) = self.desktop_gone(id).await {
            tracing::error!(agent = %id, error = %e, "contacts of a user logged out not released");
        }
        // Not Ready after the release, then logged out (a state change refused from where
        // the agent is leaves them as they are).
        let _ = self
            .hub
            .apply_with_reason(id, StateEvent::Logout, reason)
            .await;
    }
}

fn unknown_user(id: AgentId) -> ApiError {
    ApiError::Invalid(vec![FieldError::new(
        Field::Username,
        Problem::UnknownId { id: id.0 },
    )])
}

/// A refusal of the store as the field it concerns.
fn refusal(e: StoreError, edit: &UserEdit) -> ApiError {
    match e {
        StoreError::Conflict => ApiError::Invalid(vec![FieldError::new(
            Field::Username,
            Problem::Duplicate {
                value: edit.username.clone(),
            },
        )]),
        StoreError::LastAdministrator => {
            let field = if edit.disabled {
                Field::Account
            } else {
                Field::Role
            };
            ApiError::Invalid(vec![FieldError::new(field, Problem::LastAdministrator)])
        }
        StoreError::NotFound => unknown_user(edit.id.unwrap_or(AgentId(0))),
        e => internal(e),
    }
}
