//! The canned responses' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_canned_store {
    ($store:ty, $row:ty) => {
        mod canned_impl {
            use super::*;
            use app::domain::canned::CannedEdit;
            use $crate::store::canned::CannedStore;

            fn canned_from_row(row: &$row, kind: ContactKind) -> StoreResult<CannedResponse> {
                Ok(CannedResponse {
                    id: CannedResponseId(row.try_get("id")?),
                    kind,
                    title: row.try_get("title")?,
                    body: row.try_get("body")?,
                    csq: row.try_get::<Option<i64>, _>("csq_id")?.map(CsqId),
                })
            }

            #[async_trait::async_trait]
            impl CannedStore for $store {
                async fn create_canned_response(
                    &self,
                    kind: ContactKind,
                    title: &str,
                    body: &str,
                ) -> StoreResult<CannedResponseId> {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO canned_responses (kind, title, body, created_at_ms) \
                         VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(kind.as_str())
                    .bind(title)
                    .bind(body)
                    .bind($crate::clock::now_ms())
                    .fetch_one(&self.writer)
                    .await?;
                    Ok(CannedResponseId(id))
                }

                async fn canned_responses(
                    &self,
                    kind: ContactKind,
                ) -> StoreResult<Vec<CannedResponse>> {
                    let rows = sqlx::query(
                        "SELECT id, title, body, csq_id FROM canned_responses WHERE kind = $1 \
                         ORDER BY lower(title), id",
                    )
                    .bind(kind.as_str())
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter().map(|r| canned_from_row(r, kind)).collect()
                }

                async fn save_canned_response(
                    &self,
                    edit: &CannedEdit,
                    audit: &AuditEntry,
                ) -> StoreResult<CannedResponseId> {
                    let mut tx = self.writer.begin().await?;
                    let id = match edit.id {
                        None => {
                            sqlx::query_scalar(
                                "INSERT INTO canned_responses (kind, title, body, csq_id, \
                             created_at_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                            )
                            .bind(edit.kind.as_str())
                            .bind(&edit.title)
                            .bind(&edit.body)
                            .bind(edit.csq.map(|c| c.0))
                            .bind(audit.at_ms)
                            .fetch_one(&mut *tx)
                            .await?
                        }
                        Some(id) => {
                            let changed = sqlx::query(
                                "UPDATE canned_responses SET title = $1, body = $2, csq_id = $3 \
                                 WHERE id = $4 AND kind = $5",
                            )
                            .bind(&edit.title)
                            .bind(&edit.body)
                            .bind(edit.csq.map(|c| c.0))
                            .bind(id.0)
                            .bind(edit.kind.as_str())
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                            if changed == 0 {
                                return Err(StoreError::NotFound);
                            }
                            id.0
                        }
                    };
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(CannedResponseId(id))
                }

                async fn delete_canned_response(
                    &self,
                    id: CannedResponseId,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    let gone = sqlx::query("DELETE FROM canned_responses WHERE id = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if gone == 0 {
                        return Err(StoreError::NotFound);
                    }
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(())
                }
            }
        }
    };
}

pub(super) use impl_canned_store;
