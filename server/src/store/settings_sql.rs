//! The settings tables' SQL, shared by both backends like [`super::sql`] (whose helpers it uses).

macro_rules! impl_settings_store {
    ($store:ty, $row:ty) => {
        mod settings_impl {
            use super::*;
            use $crate::store::settings::SettingsStore;
            use app::domain::gadget_hosts::GadgetHosts;

            /// The settings row of the gadget's host desktops: one origin per line.
            const GADGET_HOSTS_KEY: &str = "gadget.hosts";

            impl $store {
                /// Ties a CSQ to an agent or a reason (`insert` names the table of pairs);
                /// a pair already there stays as it is.
                async fn tie(&self, insert: &'static str, csq: CsqId, other: i64) -> StoreResult<()> {
                    sqlx::query(insert)
                        .bind(csq.0)
                        .bind(other)
                        .execute(&self.writer)
                        .await?;
                    Ok(())
                }
            }

            #[async_trait::async_trait]
            impl SettingsStore for $store {
                async fn create_csq(&self, name: &str) -> StoreResult<CsqId> {
                    self.config
                        .saving(async {
                            let id: i64 = sqlx::query_scalar(
                                "INSERT INTO csqs (name, created_at_ms) VALUES ($1, $2) RETURNING id",
                            )
                            .bind(name)
                            .bind($crate::clock::now_ms())
                            .fetch_one(&self.writer)
                            .await
                            .map_err(conflict_or)?;
                            Ok(CsqId(id))
                        })
                        .await
                }

                async fn add_csq_member(&self, csq: CsqId, agent: AgentId) -> StoreResult<()> {
                    self.tie(
                        "INSERT INTO csq_members (csq_id, agent_id) VALUES ($1, $2) \
                         ON CONFLICT (csq_id, agent_id) DO NOTHING",
                        csq,
                        agent.0,
                    )
                    .await
                }

                async fn add_csq_supervisor(
                    &self,
                    csq: CsqId,
                    agent: AgentId,
                ) -> StoreResult<()> {
                    self.tie(
                        "INSERT INTO csq_supervisors (csq_id, agent_id) VALUES ($1, $2) \
                         ON CONFLICT (csq_id, agent_id) DO NOTHING",
                        csq,
                        agent.0,
                    )
                    .await
                }

                async fn csqs(&self) -> StoreResult<Vec<Csq>> {
                    let rows = sqlx::query(
                        "SELECT c.id, c.name, m.agent_id FROM csqs c \
                         LEFT JOIN csq_members m ON m.csq_id = c.id ORDER BY c.name, m.agent_id",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    let mut csqs: Vec<Csq> = Vec::new();
                    for row in rows {
                        let id = CsqId(row.try_get("id")?);
                        if csqs.last().map(|c| c.id) != Some(id) {
                            csqs.push(Csq {
                                id,
                                name: row.try_get("name")?,
                                members: Vec::new(),
                                supervisors: Vec::new(),
                            });
                        }
                        if let Some(member) = row.try_get::<Option<i64>, _>("agent_id")? {
                            if let Some(last) = csqs.last_mut() {
                                last.members.push(AgentId(member));
                            }
                        }
                    }
                    // Issue 18: a second read, so members and supervisors do not multiply.
                    let watched = sqlx::query(
                        "SELECT csq_id, agent_id FROM csq_supervisors ORDER BY agent_id",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    for row in watched {
                        let csq = CsqId(row.try_get("csq_id")?);
                        if let Some(c) = csqs.iter_mut().find(|c| c.id == csq) {
                            c.supervisors.push(AgentId(row.try_get("agent_id")?));
                        }
                    }
                    Ok(csqs)
                }

                async fn csq_name(&self, csq: CsqId) -> StoreResult<String> {
                    let names = self
                        .config
                        .csq_names(async {
                            let rows = sqlx::query("SELECT id, name FROM csqs")
                                .fetch_all(&self.pool)
                                .await?;
                            let names = rows
                                .iter()
                                .map(|r| Ok((CsqId(r.try_get("id")?), r.try_get("name")?)))
                                .collect::<StoreResult<std::collections::HashMap<_, _>>>()?;
                            Ok(std::sync::Arc::new(names))
                        })
                        .await?;
                    Ok(names.get(&csq).cloned().unwrap_or_default())
                }

                async fn create_wrap_up_reason(&self, label: &str) -> StoreResult<WrapUpReasonId> {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO wrap_up_reasons (label, created_at_ms) VALUES ($1, $2) RETURNING id",
                    )
                    .bind(label)
                    .bind($crate::clock::now_ms())
                    .fetch_one(&self.writer)
                    .await?;
                    Ok(WrapUpReasonId(id))
                }

                async fn assign_wrap_up_reason(
                    &self,
                    csq: CsqId,
                    reason: WrapUpReasonId,
                ) -> StoreResult<()> {
                    self.tie(
                        "INSERT INTO csq_wrap_up_reasons (csq_id, reason_id) VALUES ($1, $2) \
                         ON CONFLICT (csq_id, reason_id) DO NOTHING",
                        csq,
                        reason.0,
                    )
                    .await
                }

                async fn wrap_up_reasons(&self, csq: CsqId) -> StoreResult<Vec<WrapUpReason>> {
                    let rows = sqlx::query(
                        "SELECT r.id, r.label FROM wrap_up_reasons r \
                         JOIN csq_wrap_up_reasons a ON a.reason_id = r.id \
                         WHERE a.csq_id = $1 AND NOT r.retired ORDER BY r.label",
                    )
                    .bind(csq.0)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(WrapUpReason {
                                id: WrapUpReasonId(r.try_get("id")?),
                                label: r.try_get("label")?,
                            })
                        })
                        .collect()
                }

                async fn wrap_up_reasons_admin(&self) -> StoreResult<Vec<WrapUpReasonAdmin>> {
                    let rows = sqlx::query(
                        "SELECT id, label, retired FROM wrap_up_reasons ORDER BY retired, label",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    let links = sqlx::query("SELECT csq_id, reason_id FROM csq_wrap_up_reasons")
                        .fetch_all(&self.pool)
                        .await?;
                    let links = links
                        .iter()
                        .map(|r| Ok((r.try_get::<i64, _>("reason_id")?, CsqId(r.try_get("csq_id")?))))
                        .collect::<StoreResult<Vec<_>>>()?;
                    rows.iter()
                        .map(|r| {
                            let id: i64 = r.try_get("id")?;
                            let mut csqs: Vec<CsqId> = links
                                .iter()
                                .filter(|(reason, _)| *reason == id)
                                .map(|(_, csq)| *csq)
                                .collect();
                            csqs.sort();
                            Ok(WrapUpReasonAdmin {
                                id: WrapUpReasonId(id),
                                label: r.try_get("label")?,
                                retired: r.try_get("retired")?,
                                csqs,
                            })
                        })
                        .collect()
                }

                async fn save_wrap_up_reason(
                    &self,
                    edit: &WrapUpReasonEdit,
                    audit: &AuditEntry,
                ) -> StoreResult<WrapUpReasonId> {
                    let mut tx = self.writer.begin().await?;
                    let label = edit.label.trim();
                    let id = match edit.id {
                        Some(id) => {
                            let changed = sqlx::query(
                                "UPDATE wrap_up_reasons SET label = $1, retired = $2 WHERE id = $3",
                            )
                            .bind(label)
                            .bind(edit.retired)
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                            if changed == 0 {
                                return Err(StoreError::NotFound);
                            }
                            id
                        }
                        None => WrapUpReasonId(
                            sqlx::query_scalar(
                                "INSERT INTO wrap_up_reasons (label, retired, created_at_ms) \
                                 VALUES ($1, $2, $3) RETURNING id",
                            )
                            .bind(label)
                            .bind(edit.retired)
                            .bind(audit.at_ms)
                            .fetch_one(&mut *tx)
                            .await?,
                        ),
                    };
                    sqlx::query("DELETE FROM csq_wrap_up_reasons WHERE reason_id = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                    for csq in &edit.csqs {
                        sqlx::query(
                            "INSERT INTO csq_wrap_up_reasons (csq_id, reason_id) VALUES ($1, $2) \
                             ON CONFLICT (csq_id, reason_id) DO NOTHING",
                        )
                        .bind(csq.0)
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let detail = format!("reason {}: {}", id.0, audit.detail);
                    write_audit(&mut tx, audit, &detail).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn chat_settings(&self) -> StoreResult<ChatSettings> {
                    self.config
                        .settings(async {
                            let rows = sqlx::query("SELECT key, value FROM settings")
                                .fetch_all(&self.pool)
                                .await?;
                            let pairs = rows
                                .iter()
                                .map(|r| Ok((r.try_get::<String, _>("key")?, r.try_get::<String, _>("value")?)))
                                .collect::<StoreResult<Vec<_>>>()?;
                            Ok(ChatSettings::from_pairs(
                                pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                            ))
                        })
                        .await
                }

                async fn save_chat_settings(
                    &self,
                    settings: &ChatSettings,
                    audit: Option<&AuditEntry>,
                ) -> StoreResult<()> {
                    self.config
                        .saving(async {
                            let mut tx = self.writer.begin().await?;
                            if let Some(a) = audit {
                                write_audit(&mut tx, a, &a.detail).await?;
                            }
                            for (key, value) in settings.to_pairs() {
                                sqlx::query(
                                    "INSERT INTO settings (key, value) VALUES ($1, $2) \
                                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                )
                                .bind(key)
                                .bind(value)
                                .execute(&mut *tx)
                                .await?;
                            }
                            tx.commit().await?;
                            Ok(())
                        })
                        .await
                }

                async fn gadget_hosts(&self) -> StoreResult<GadgetHosts> {
                    let lines: Option<String> =
                        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                            .bind(GADGET_HOSTS_KEY)
                            .fetch_optional(&self.pool)
                            .await?;
                    Ok(GadgetHosts::from_lines(&lines.unwrap_or_default()))
                }

                async fn save_gadget_hosts(
                    &self,
                    hosts: &GadgetHosts,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    sqlx::query(
                        "INSERT INTO settings (key, value) VALUES ($1, $2) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )
                    .bind(GADGET_HOSTS_KEY)
                    .bind(hosts.to_lines())
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn record_audit(&self, audit: &AuditEntry) -> StoreResult<()> {
                    let mut conn = self.writer.acquire().await?;
                    write_audit(&mut conn, audit, &audit.detail).await
                }

                async fn admin_audit(&self, limit: i64) -> StoreResult<Vec<AuditEntry>> {
                    let rows = sqlx::query(
                        "SELECT at_ms, agent_id, action, detail FROM admin_audit \
                         ORDER BY id DESC LIMIT $1",
                    )
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(AuditEntry {
                                at_ms: r.try_get("at_ms")?,
                                agent: AgentId(r.try_get("agent_id")?),
                                action: r.try_get("action")?,
                                detail: r.try_get("detail")?,
                            })
                        })
                        .collect()
                }

                async fn create_problem_statement(&self, label: &str, csq: CsqId) -> StoreResult<i64> {
                    self.config
                        .saving(async {
                            let id: i64 = sqlx::query_scalar(
                                "INSERT INTO problem_statements (label, csq_id, position) \
                                 VALUES ($1, $2, (SELECT COUNT(*) FROM problem_statements)) RETURNING id",
                            )
                            .bind(label)
                            .bind(csq.0)
                            .fetch_one(&self.writer)
                            .await?;
                            Ok(id)
                        })
                        .await
                }

                async fn problem_statements(&self) -> StoreResult<Vec<ProblemStatement>> {
                    self.config
                        .problems(async {
                            let rows = sqlx::query(
                                "SELECT p.id, p.label, p.csq_id FROM problem_statements p \
                                 JOIN csqs c ON c.id = p.csq_id \
                                 WHERE NOT p.retired AND NOT c.retired ORDER BY p.position, p.id",
                            )
                            .fetch_all(&self.pool)
                            .await?;
                            rows.iter()
                                .map(|r| {
                                    Ok(ProblemStatement {
                                        id: r.try_get("id")?,
                                        label: r.try_get("label")?,
                                        csq: CsqId(r.try_get("csq_id")?),
                                    })
                                })
                                .collect()
                        })
                        .await
                }
            }
        }
    };
}

pub(super) use impl_settings_store;
