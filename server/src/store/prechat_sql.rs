//! The pre-chat fields' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_prechat_store {
    ($store:ty, $row:ty) => {
        mod prechat_impl {
            use super::*;
            use app::domain::prechat::{FieldKind, PreChatField, PreChatFieldEdit};
            use $crate::store::prechat::PreChatStore;

            fn field_from_row(row: &$row) -> StoreResult<PreChatField> {
                let kind: String = row.try_get("kind")?;
                let choices: String = row.try_get("choices")?;
                Ok(PreChatField {
                    id: row.try_get("id")?,
                    label: row.try_get("label")?,
                    kind: FieldKind::parse(&kind).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown field kind {kind:?}"))
                    })?,
                    required: row.try_get("required")?,
                    choices: from_json(&choices)?,
                })
            }

            #[async_trait::async_trait]
            impl PreChatStore for $store {
                async fn prechat_fields(&self) -> StoreResult<Vec<PreChatField>> {
                    self.config
                        .fields(async {
                            let rows = sqlx::query(
                                "SELECT id, label, kind, required, choices FROM prechat_fields \
                                 ORDER BY position, id",
                            )
                            .fetch_all(&self.pool)
                            .await?;
                            rows.iter().map(field_from_row).collect()
                        })
                        .await
                }

                async fn save_prechat_field(
                    &self,
                    edit: &PreChatFieldEdit,
                    max: usize,
                    audit: &AuditEntry,
                ) -> StoreResult<i64> {
                    self.config
                        .saving(async {
                            let choices = to_json(&edit.choices)?;
                            let mut tx = self.writer.begin().await?;
                            if edit.id.is_none() {
                                // Counted after a first write has taken the table's rows (PostgreSQL)
                                // or the single writer (SQLite): two administrators adding at once
                                // cannot pass the limit together.
                                sqlx::query("UPDATE prechat_fields SET position = position")
                                    .execute(&mut *tx)
                                    .await?;
                                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM prechat_fields")
                                    .fetch_one(&mut *tx)
                                    .await?;
                                if count as usize >= max {
                                    return Err(StoreError::Full);
                                }
                            }
                            // One statement either way; an update of a vanished row returns no id.
                            let sql = match edit.id {
                                None => {
                                    "INSERT INTO prechat_fields (label, kind, required, choices, position) \
                                     VALUES ($1, $2, $3, $4, \
                                     (SELECT COALESCE(MAX(position), -1) + 1 FROM prechat_fields)) \
                                     RETURNING id"
                                }
                                Some(_) => {
                                    "UPDATE prechat_fields SET label = $1, kind = $2, required = $3, \
                                     choices = $4 WHERE id = $5 RETURNING id"
                                }
                            };
                            let query = sqlx::query_scalar(sql)
                                .bind(&edit.label)
                                .bind(edit.kind.as_str())
                                .bind(edit.required)
                                .bind(&choices);
                            let query = match edit.id {
                                Some(id) => query.bind(id),
                                None => query,
                            };
                            let id: i64 = query
                                .fetch_optional(&mut *tx)
                                .await
                                .map_err(conflict_or)?
                                .ok_or(StoreError::NotFound)?;
                            write_audit(&mut tx, audit, &audit.detail).await?;
                            tx.commit().await?;
                            Ok(id)
                        })
                        .await
                }

                async fn delete_prechat_field(
                    &self,
                    id: i64,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    self.config
                        .saving(async {
                            let mut tx = self.writer.begin().await?;
                            let gone = sqlx::query("DELETE FROM prechat_fields WHERE id = $1")
                                .bind(id)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected();
                            if gone == 0 {
                                return Err(StoreError::NotFound);
                            }
                            write_audit(&mut tx, audit, &audit.detail).await?;
                            tx.commit().await?;
                            Ok(())
                        })
                        .await
                }

                async fn move_prechat_field(
                    &self,
                    id: i64,
                    up: bool,
                    audit: &AuditEntry,
                ) -> StoreResult<bool> {
                    self.config
                        .saving(async {
                            let mut tx = self.writer.begin().await?;
                            if !move_one_place(&mut tx, "prechat_fields", id, up).await? {
                                return Ok(false);
                            }
                            write_audit(&mut tx, audit, &audit.detail).await?;
                            tx.commit().await?;
                            Ok(true)
                        })
                        .await
                }
            }
        }
    };
}

pub(super) use impl_prechat_store;
