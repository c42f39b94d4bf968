//! The API tokens' SQL (issue 17), shared by both backends like [`super::sql`].

macro_rules! impl_api_token_store {
    ($store:ty, $row:ty) => {
        mod api_tokens_impl {
            use super::*;
            use app::domain::{
                api_tokens::{ApiTokenSummary, TokenScope},
                ids::ApiTokenId,
            };
            use $crate::store::api_tokens::{ApiTokenStore, LiveToken};

            const SUMMARY: &str = "SELECT t.id, t.name, t.scope, t.created_at_ms, \
                 a.username AS created_by, t.last_used_at_ms, t.revoked_at_ms \
                 FROM api_tokens t JOIN agents a ON a.id = t.created_by";

            fn scope_of(text: &str) -> StoreResult<TokenScope> {
                TokenScope::parse(text)
                    .ok_or_else(|| StoreError::Corrupt(format!("token scope {text}")))
            }

            fn summary_from_row(row: &$row) -> StoreResult<ApiTokenSummary> {
                Ok(ApiTokenSummary {
                    id: ApiTokenId(row.try_get("id")?),
                    name: row.try_get("name")?,
                    scope: scope_of(&row.try_get::<String, _>("scope")?)?,
                    created_at_ms: row.try_get("created_at_ms")?,
                    created_by: row.try_get("created_by")?,
                    last_used_at_ms: row.try_get("last_used_at_ms")?,
                    revoked_at_ms: row.try_get("revoked_at_ms")?,
                })
            }

            #[async_trait::async_trait]
            impl ApiTokenStore for $store {
                async fn create_api_token(
                    &self,
                    name: &str,
                    scope: TokenScope,
                    token_hash: &str,
                    created_by: AgentId,
                    audit: &AuditEntry,
                ) -> StoreResult<ApiTokenSummary> {
                    let mut tx = self.writer.begin().await?;
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO api_tokens (name, scope, token_hash, created_by, \
                         created_at_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(name)
                    .bind(scope.as_str())
                    .bind(token_hash)
                    .bind(created_by.0)
                    .bind(audit.at_ms)
                    .fetch_one(&mut *tx)
                    .await?;
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    let row =
                        sqlx::query(sqlx::AssertSqlSafe(format!("{SUMMARY} WHERE t.id = $1")))
                            .bind(id)
                            .fetch_one(&mut *tx)
                            .await?;
                    let summary = summary_from_row(&row)?;
                    tx.commit().await?;
                    Ok(summary)
                }

                async fn api_tokens(&self) -> StoreResult<Vec<ApiTokenSummary>> {
                    sqlx::query(sqlx::AssertSqlSafe(format!("{SUMMARY} ORDER BY t.id DESC")))
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(summary_from_row)
                        .collect()
                }

                async fn revoke_api_token(
                    &self,
                    id: ApiTokenId,
                    now_ms: i64,
                    audit: &AuditEntry,
                ) -> StoreResult<bool> {
                    let mut tx = self.writer.begin().await?;
                    let revoked = sqlx::query(
                        "UPDATE api_tokens SET revoked_at_ms = $2 \
                         WHERE id = $1 AND revoked_at_ms IS NULL",
                    )
                    .bind(id.0)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        == 1;
                    if !revoked {
                        return Ok(false);
                    }
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn live_api_token(&self, token_hash: &str) -> StoreResult<Option<LiveToken>> {
                    let row = sqlx::query(
                        "SELECT id, scope, last_used_at_ms, name, created_by FROM api_tokens \
                         WHERE token_hash = $1 AND revoked_at_ms IS NULL",
                    )
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|r| {
                        Ok(LiveToken {
                            id: ApiTokenId(r.try_get("id")?),
                            scope: scope_of(&r.try_get::<String, _>("scope")?)?,
                            last_used_at_ms: r.try_get("last_used_at_ms")?,
                            name: r.try_get("name")?,
                            created_by: AgentId(r.try_get("created_by")?),
                        })
                    })
                    .transpose()
                }

                async fn api_token_used(
                    &self,
                    id: ApiTokenId,
                    now_ms: i64,
                    every_ms: i64,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE api_tokens SET last_used_at_ms = $2 WHERE id = $1 \
                         AND (last_used_at_ms IS NULL OR last_used_at_ms <= $3)",
                    )
                    .bind(id.0)
                    .bind(now_ms)
                    .bind(now_ms - every_ms)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }
            }
        }
    };
}

pub(super) use impl_api_token_store;
