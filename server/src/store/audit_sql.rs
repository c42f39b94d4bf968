//! The audit readers' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_audit_store {
    ($store:ty, $row:ty) => {
        mod audit_impl {
            use super::*;
            use app::domain::audit::AuditLine;
            use $crate::store::audit::{AuditQuery, AuditStore};

            #[async_trait::async_trait]
            impl AuditStore for $store {
                async fn audit_page(
                    &self,
                    query: AuditQuery<'_>,
                    offset: u32,
                    limit: u32,
                ) -> StoreResult<(Vec<AuditLine>, u64)> {
                    let (start, end) = query.range.unwrap_or((i64::MIN, i64::MAX));
                    // Compared as a prefix, not with LIKE: `_` in `problem_statement` is no wildcard.
                    let kind = query.kind.map(|k| format!("{k}."));
                    let by = query.by.map(|a| a.0);
                    let total: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM admin_audit a \
                         WHERE (CAST($1 AS BIGINT) IS NULL OR a.agent_id = $1) \
                         AND (CAST($2 AS TEXT) IS NULL OR substr(a.action, 1, length($2)) = $2) \
                         AND a.at_ms >= $3 AND a.at_ms < $4",
                    )
                    .bind(by)
                    .bind(&kind)
                    .bind(start)
                    .bind(end)
                    .fetch_one(&self.pool)
                    .await?;
                    let rows = sqlx::query(
                        "SELECT a.at_ms, a.action, a.detail, g.username FROM admin_audit a \
                         JOIN agents g ON g.id = a.agent_id \
                         WHERE (CAST($1 AS BIGINT) IS NULL OR a.agent_id = $1) \
                         AND (CAST($2 AS TEXT) IS NULL OR substr(a.action, 1, length($2)) = $2) \
                         AND a.at_ms >= $3 AND a.at_ms < $4 \
                         ORDER BY a.at_ms DESC, a.id DESC LIMIT $5 OFFSET $6",
                    )
                    .bind(by)
                    .bind(&kind)
                    .bind(start)
                    .bind(end)
                    .bind(i64::from(limit))
                    .bind(i64::from(offset))
                    .fetch_all(&self.pool)
                    .await?;
                    let lines = rows
                        .iter()
                        .map(|r| {
                            Ok(AuditLine {
                                at_ms: r.try_get("at_ms")?,
                                username: r.try_get("username")?,
                                action: r.try_get("action")?,
                                detail: r.try_get("detail")?,
                            })
                        })
                        .collect::<StoreResult<_>>()?;
                    Ok((lines, total as u64))
                }

                async fn state_log_between(
                    &self,
                    agent: AgentId,
                    start_ms: i64,
                    end_ms: i64,
                ) -> StoreResult<Vec<StateLogEntry>> {
                    let rows = sqlx::query(
                        "SELECT at_ms, from_state, to_state, reason FROM agent_state_log \
                         WHERE agent_id = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY id",
                    )
                    .bind(agent.0)
                    .bind(start_ms)
                    .bind(end_ms)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter().map(state_log_from_row).collect()
                }
            }
        }
    };
}

pub(super) use impl_audit_store;
