//! The queue administration's SQL, shared by both backends like [`super::sql`].

macro_rules! impl_queue_store {
    ($store:ty, $row:ty) => {
        mod queues_impl {
            use super::*;
            use app::domain::hours::BusinessHours;
            use app::domain::queues::{
                CsqAdmin, CsqEdit, Member, ProblemStatementAdmin, ProblemStatementEdit,
            };

            /// Stored hours as JSON; a value this version cannot read counts as none
            /// (always open), said in the log.
            fn hours_of(json: Option<String>) -> Option<BusinessHours> {
                let json = json?;
                serde_json::from_str(&json)
                    .inspect_err(|e| tracing::warn!(error = %e, "business hours not readable"))
                    .ok()
            }
            use $crate::store::queues::QueueStore;

            #[async_trait::async_trait]
            impl QueueStore for $store {
                async fn csqs_admin(&self) -> StoreResult<Vec<CsqAdmin>> {
                    let rows = sqlx::query(
                        "SELECT c.id, c.name, c.retired, c.business_hours, a.id AS agent_id, a.username, \
                         a.display_name FROM csqs c \
                         LEFT JOIN csq_members m ON m.csq_id = c.id \
                         LEFT JOIN agents a ON a.id = m.agent_id \
                         ORDER BY lower(c.name), c.id, lower(a.username)",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    let mut csqs: Vec<CsqAdmin> = Vec::new();
                    for row in rows {
                        let id = CsqId(row.try_get("id")?);
                        if csqs.last().map(|c| c.id) != Some(id) {
                            csqs.push(CsqAdmin {
                                id,
                                name: row.try_get("name")?,
                                retired: row.try_get("retired")?,
                                members: Vec::new(),
                                hours: hours_of(row.try_get("business_hours")?),
                            });
                        }
                        if let Some(agent) = row.try_get::<Option<i64>, _>("agent_id")? {
                            if let Some(last) = csqs.last_mut() {
                                last.members.push(Member {
                                    id: AgentId(agent),
                                    username: row.try_get("username")?,
                                    display_name: row.try_get("display_name")?,
                                });
                            }
                        }
                    }
                    Ok(csqs)
                }

                async fn save_csq(
                    &self,
                    edit: &CsqEdit,
                    audit: &AuditEntry,
                ) -> StoreResult<(CsqId, Vec<AgentId>)> {
                    self.config
                        .saving(async {
                            let mut tx = self.writer.begin().await?;
                            let id = match edit.id {
                                None => CsqId(
                                    sqlx::query_scalar(
                                        "INSERT INTO csqs (name, retired, created_at_ms) \
                                         VALUES ($1, $2, $3) RETURNING id",
                                    )
                                    .bind(&edit.name)
                                    .bind(edit.retired)
                                    .bind(audit.at_ms)
                                    .fetch_one(&mut *tx)
                                    .await
                                    .map_err(conflict_or)?,
                                ),
                                Some(id) => {
                                    let changed = sqlx::query(
                                        "UPDATE csqs SET name = $1, retired = $2 WHERE id = $3",
                                    )
                                    .bind(&edit.name)
                                    .bind(edit.retired)
                                    .bind(id.0)
                                    .execute(&mut *tx)
                                    .await
                                    .map_err(conflict_or)?
                                    .rows_affected();
                                    if changed == 0 {
                                        return Err(StoreError::NotFound);
                                    }
                                    id
                                }
                            };
                            let before: Vec<i64> = sqlx::query_scalar(
                                "DELETE FROM csq_members WHERE csq_id = $1 RETURNING agent_id",
                            )
                            .bind(id.0)
                            .fetch_all(&mut *tx)
                            .await?;
                            for agent in &edit.members {
                                add_member(&mut tx, id, *agent).await?;
                            }
                            write_audit(&mut tx, audit, &audit.detail).await?;
                            tx.commit().await?;
                            Ok((id, before.into_iter().map(AgentId).collect()))
                        })
                        .await
                }

                async fn business_hours(
                    &self,
                ) -> StoreResult<std::sync::Arc<std::collections::HashMap<CsqId, BusinessHours>>> {
                    self.config
                        .hours(async {
                            let rows = sqlx::query(
                                "SELECT id, business_hours FROM csqs \
                                 WHERE business_hours IS NOT NULL",
                            )
                            .fetch_all(&self.pool)
                            .await?;
                            let mut hours = std::collections::HashMap::new();
                            for row in rows {
                                if let Some(h) = hours_of(row.try_get("business_hours")?) {
                                    hours.insert(CsqId(row.try_get("id")?), h);
                                }
                            }
                            Ok(std::sync::Arc::new(hours))
                        })
                        .await
                }

                async fn save_business_hours(
                    &self,
                    csq: CsqId,
                    hours: Option<&BusinessHours>,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    let json = hours
                        .map(serde_json::to_string)
                        .transpose()
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    self.config
                        .saving(async {
                            let mut tx = self.writer.begin().await?;
                            let changed = sqlx::query("UPDATE csqs SET business_hours = $1 WHERE id = $2")
                                .bind(json)
                                .bind(csq.0)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected();
                            if changed == 0 {
                                return Err(StoreError::NotFound);
                            }
                            write_audit(&mut tx, audit, &audit.detail).await?;
                            tx.commit().await?;
                            Ok(())
                        })
                        .await
                }

                async fn problem_statements_admin(&self) -> StoreResult<Vec<ProblemStatementAdmin>> {
                    let rows = sqlx::query(
                        "SELECT id, label, csq_id, retired FROM problem_statements \
                         ORDER BY position, id",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(ProblemStatementAdmin {
                                id: r.try_get("id")?,
                                label: r.try_get("label")?,
                                csq: CsqId(r.try_get("csq_id")?),
                                retired: r.try_get("retired")?,
                            })
                        })
                        .collect()
                }

                async fn save_problem_statement(
                    &self,
                    edit: &ProblemStatementEdit,
                    audit: &AuditEntry,
                ) -> StoreResult<i64> {
                    self.config
                        .saving(async {
                            let mut tx = self.writer.begin().await?;
                            let id = match edit.id {
                                None => sqlx::query_scalar(
                                    "INSERT INTO problem_statements (label, csq_id, retired, position) \
                                     VALUES ($1, $2, $3, \
                                     (SELECT COALESCE(MAX(position), 0) + 1 FROM problem_statements)) \
                                     RETURNING id",
                                )
                                .bind(&edit.label)
                                .bind(edit.csq.0)
                                .bind(edit.retired)
                                .fetch_one(&mut *tx)
                                .await?,
                                Some(id) => {
                                    let changed = sqlx::query(
                                        "UPDATE problem_statements SET label = $1, csq_id = $2, \
                                         retired = $3 WHERE id = $4",
                                    )
                                    .bind(&edit.label)
                                    .bind(edit.csq.0)
                                    .bind(edit.retired)
                                    .bind(id)
                                    .execute(&mut *tx)
                                    .await?
                                    .rows_affected();
                                    if changed == 0 {
                                        return Err(StoreError::NotFound);
                                    }
                                    id
                                }
                            };
                            write_audit(&mut tx, audit, &audit.detail).await?;
                            tx.commit().await?;
                            Ok(id)
                        })
                        .await
                }

                async fn move_problem_statement(
                    &self,
                    id: i64,
                    up: bool,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    self.config
                        .saving(async {
                            let mut tx = self.writer.begin().await?;
                            // At either end nothing moves, and nothing is audited.
                            if !move_one_place(&mut tx, "problem_statements", id, up).await? {
                                return Ok(());
                            }
                            write_audit(&mut tx, audit, &audit.detail).await?;
                            tx.commit().await?;
                            Ok(())
                        })
                        .await
                }
            }
        }
    };
}

pub(super) use impl_queue_store;
