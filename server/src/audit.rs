//! What the administrators read of the past (SPEC D-2, S-6): the audit of changes,
//! filtered by who, kind and day and paged, and one agent's state history for a day.
//! Administrators only.

use crate::{
    services::{internal, Services},
    store::audit::AuditQuery,
};
use app::{
    api::ApiError,
    domain::{
        audit::{day_range, AuditFilter, AuditPage, StateHistory, StateLine},
        ids::AgentId,
        limits::AUDIT_PAGE_SIZE,
        validate::{Field, FieldError, Problem},
    },
};
use http::HeaderMap;

impl Services {
    pub async fn audit_page(
        &self,
        headers: &HeaderMap,
        filter: AuditFilter,
    ) -> Result<AuditPage, ApiError> {
        self.administrator(headers).await?;
        filter.validate().map_err(ApiError::Invalid)?;
        let by = match filter.username.trim() {
            "" => None,
            name => Some(self.user_named(name).await?),
        };
        let kind = filter.kind.map(|k| k.prefix());
        let query = AuditQuery {
            by,
            kind,
            range: filter.day_range(),
        };
        let (lines, total) = self
            .store
            .audit_page(
                query,
                filter.page.saturating_mul(AUDIT_PAGE_SIZE),
                AUDIT_PAGE_SIZE,
            )
            .await
            .map_err(internal)?;
        Ok(AuditPage {
            lines,
            total,
            page: filter.page,
            page_size: AUDIT_PAGE_SIZE,
        })
    }

    /// SPEC S-6: the user's state changes on a UTC day, with times and reasons.
    pub async fn state_history(
        &self,
        headers: &HeaderMap,
        username: &str,
        day: &str,
    ) -> Result<StateHistory, ApiError> {
        self.administrator(headers).await?;
        let id = self.user_named(username.trim()).await?;
        let (start, end) = day_range(day).ok_or_else(|| {
            ApiError::Invalid(vec![FieldError::new(Field::Day, Problem::InvalidDay)])
        })?;
        let agent = self.store.agent(id).await.map_err(internal)?;
        let lines = self
            .store
            .state_log_between(id, start, end)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|e| StateLine {
                at_ms: e.at_ms,
                from: e.from,
                to: e.to,
                reason: e.reason,
            })
            .collect();
        Ok(StateHistory {
            username: agent.username,
            display_name: agent.display_name,
            day: day.trim().to_string(),
            lines,
        })
    }

    /// The user with this username (any case), or a refusal that names it.
    async fn user_named(&self, username: &str) -> Result<AgentId, ApiError> {
        self.store
            .credentials(username)
            .await
            .map_err(internal)?
            .map(|c| c.agent)
            .ok_or_else(|| {
                ApiError::Invalid(vec![FieldError::new(
                    Field::Username,
                    Problem::NoSuchUser {
                        username: username.to_string(),
                    },
                )])
            })
    }
}
