//! Canned responses as the administrators manage them (SPEC P-3, R-3, D-2): chat ones in
//! plain text, email ones in HTML sanitized on save as replies are when sent; each global
//! or of one CSQ. Every call is refused to anyone but an administrator and audited. Agents
//! get every response with their desktop (a page opened after the change shows it); each
//! contact offers the global ones and its CSQ's.

use crate::{
    clock::now_ms,
    email::compose::clean_saved_html,
    services::{internal, invalid, Services},
    store::{AuditEntry, StoreError},
};
use app::{
    api::{ApiError, CannedView},
    domain::{
        canned::CannedEdit,
        contact::ContactKind,
        ids::{CannedResponseId, CsqId},
        validate::{Field, Problem},
    },
};
use http::HeaderMap;

impl Services {
    /// Every canned response as stored now.
    pub(crate) async fn canned_now(&self) -> Result<CannedView, ApiError> {
        Ok(CannedView {
            chat: self
                .store
                .canned_responses(ContactKind::Chat)
                .await
                .map_err(internal)?,
            email: self
                .store
                .canned_responses(ContactKind::Email)
                .await
                .map_err(internal)?,
        })
    }

    /// Creates or changes a canned response; returns every response as stored now.
    pub async fn save_canned(
        &self,
        headers: &HeaderMap,
        edit: CannedEdit,
    ) -> Result<CannedView, ApiError> {
        let admin = self.administrator(headers).await?;
        let edit = match edit.kind {
            ContactKind::Email => CannedEdit {
                body: clean_saved_html(&edit.body),
                ..edit
            },
            ContactKind::Chat => edit,
        }
        .normalized();
        let now = self.canned_now().await?;
        let all = now.all();
        let csqs = self.csq_choices().await?;
        edit.validate(&all, &csqs).map_err(ApiError::Invalid)?;
        let was = match edit.id {
            None => None,
            Some(id) => Some(
                all.iter()
                    .find(|c| c.id == id && c.kind == edit.kind)
                    .ok_or_else(|| invalid(Field::CannedTitle, Problem::UnknownId { id: id.0 }))?,
            ),
        };
        let scope = |csq: Option<CsqId>| match csq {
            None => "all queues".to_string(),
            Some(c) => format!("CSQ {}", c.0),
        };
        let detail = match was {
            None => format!(
                "{} {:?} created for {}",
                edit.kind.as_str(),
                edit.title,
                scope(edit.csq)
            ),
            Some(w) => format!(
                "{} {:?} -> {:?}; {} -> {}; text {}",
                edit.kind.as_str(),
                w.title,
                edit.title,
                scope(w.csq),
                scope(edit.csq),
                if w.body == edit.body {
                    "unchanged"
                } else {
                    "changed"
                }
            ),
        };
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "canned.save".into(),
            detail,
        };
        self.store
            .save_canned_response(&edit, &audit)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => invalid(
                    Field::CannedTitle,
                    Problem::UnknownId {
                        id: edit.id.map_or(0, |i| i.0),
                    },
                ),
                e => internal(e),
            })?;
        tracing::info!(agent = %admin.id, change = %audit.detail, "canned response saved");
        self.canned_now().await
    }

    /// Deletes a canned response; returns every response as stored now.
    pub async fn delete_canned(
        &self,
        headers: &HeaderMap,
        id: CannedResponseId,
    ) -> Result<CannedView, ApiError> {
        let admin = self.administrator(headers).await?;
        let all = self.canned_now().await?.all();
        let gone = all
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| invalid(Field::CannedTitle, Problem::UnknownId { id: id.0 }))?;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "canned.delete".into(),
            detail: format!("{} {:?} deleted", gone.kind.as_str(), gone.title),
        };
        self.store
            .delete_canned_response(id, &audit)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    invalid(Field::CannedTitle, Problem::UnknownId { id: id.0 })
                }
                e => internal(e),
            })?;
        tracing::info!(agent = %admin.id, change = %audit.detail, "canned response deleted");
        self.canned_now().await
    }
}
