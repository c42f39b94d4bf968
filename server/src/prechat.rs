//! The pre-chat form's own fields as the administrators manage them (SPEC K-2, O-2, D-2):
//! added last, changed in place, moved one place at a time, deleted. Every call is refused
//! to anyone but an administrator and audited. The widget reads the fields when its form
//! loads; a chat started with answers keeps them (label and value) whatever happens to the
//! fields afterwards.

use crate::{
    clock::now_ms,
    services::{internal, invalid, Services},
    store::{AuditEntry, StoreError},
};
use app::{
    api::ApiError,
    domain::{
        limits::MAX_PRECHAT_FIELDS,
        prechat::{PreChatField, PreChatFieldEdit},
        validate::{Field, Problem},
    },
};
use http::HeaderMap;

impl Services {
    /// Every field, in the form's order.
    pub(crate) async fn prechat_fields_now(&self) -> Result<Vec<PreChatField>, ApiError> {
        self.store.prechat_fields().await.map_err(internal)
    }

    /// Creates or changes a field; returns every field as stored now.
    pub async fn save_prechat_field(
        &self,
        headers: &HeaderMap,
        edit: PreChatFieldEdit,
    ) -> Result<Vec<PreChatField>, ApiError> {
        let admin = self.administrator(headers).await?;
        let edit = edit.normalized();
        let all = self.prechat_fields_now().await?;
        edit.validate(&all).map_err(ApiError::Invalid)?;
        let detail = match edit.id {
            None => format!("{} added", edit.as_field(0).describe()),
            Some(id) => {
                let was = all.iter().find(|f| f.id == id).ok_or_else(|| gone(id))?;
                format!("{} -> {}", was.describe(), edit.as_field(id).describe())
            }
        };
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "prechat_field.save".into(),
            detail,
        };
        self.store
            .save_prechat_field(&edit, MAX_PRECHAT_FIELDS, &audit)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => gone(edit.id.unwrap_or(0)),
                // Another administrator added the last one allowed meanwhile.
                StoreError::Full => invalid(
                    Field::FieldLabel,
                    Problem::TooManyItems {
                        max: MAX_PRECHAT_FIELDS,
                        given: MAX_PRECHAT_FIELDS + 1,
                    },
                ),
                // Another administrator gave another field this label meanwhile.
                StoreError::Conflict => invalid(
                    Field::FieldLabel,
                    Problem::Duplicate {
                        value: edit.label.clone(),
                    },
                ),
                e => internal(e),
            })?;
        tracing::info!(agent = %admin.id, change = %audit.detail, "pre-chat field saved");
        self.prechat_fields_now().await
    }

    /// Deletes a field; chats that started with an answer to it keep the answer.
    pub async fn delete_prechat_field(
        &self,
        headers: &HeaderMap,
        id: i64,
    ) -> Result<Vec<PreChatField>, ApiError> {
        let audit = self
            .field_audit(headers, id, "prechat_field.delete", |f| {
                format!("{} deleted", f.describe())
            })
            .await?;
        self.store
            .delete_prechat_field(id, &audit)
            .await
            .map_err(gone_or_internal(id))?;
        tracing::info!(agent = %audit.agent, change = %audit.detail, "pre-chat field deleted");
        self.prechat_fields_now().await
    }

    /// Moves a field one place up or down the form.
    pub async fn move_prechat_field(
        &self,
        headers: &HeaderMap,
        id: i64,
        up: bool,
    ) -> Result<Vec<PreChatField>, ApiError> {
        let audit = self
            .field_audit(headers, id, "prechat_field.move", |f| {
                format!("{:?} moved {}", f.label, if up { "up" } else { "down" })
            })
            .await?;
        self.store
            .move_prechat_field(id, up, &audit)
            .await
            .map_err(gone_or_internal(id))?;
        self.prechat_fields_now().await
    }

    /// The audit line of a change to field `id` by the administrator of `headers`, worded
    /// by `detail` from the field as stored now; refused when the field is gone.
    async fn field_audit(
        &self,
        headers: &HeaderMap,
        id: i64,
        action: &str,
        detail: impl FnOnce(&PreChatField) -> String,
    ) -> Result<AuditEntry, ApiError> {
        let admin = self.administrator(headers).await?;
        let all = self.prechat_fields_now().await?;
        let field = all.iter().find(|f| f.id == id).ok_or_else(|| gone(id))?;
        Ok(AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: action.into(),
            detail: detail(field),
        })
    }
}

/// A field that does not exist (deleted meanwhile, or made up), named as the form's label.
fn gone(id: i64) -> ApiError {
    invalid(Field::FieldLabel, Problem::UnknownId { id })
}

/// The store's refusal of a change to field `id`: gone when it was deleted meanwhile.
fn gone_or_internal(id: i64) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::NotFound => gone(id),
        e => internal(e),
    }
}
