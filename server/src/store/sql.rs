//! The SQL both backends share. SQLite and PostgreSQL accept the same statements here
//! (`$n` placeholders, `RETURNING`, `ON CONFLICT`), so one macro writes the [`Store`]
//! implementation for each pool type; only connecting and migrating differ per backend.
//!
//! [`Store`]: super::Store

/// Maps a unique-constraint violation to [`super::StoreError::Conflict`].
pub(super) fn conflict_or(e: sqlx::Error) -> super::StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => super::StoreError::Conflict,
        _ => super::StoreError::Database(e),
    }
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> super::StoreResult<String> {
    serde_json::to_string(value).map_err(|e| super::StoreError::Corrupt(e.to_string()))
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> super::StoreResult<T> {
    serde_json::from_str(text).map_err(|e| super::StoreError::Corrupt(e.to_string()))
}

macro_rules! impl_store {
    ($store:ty, $name:literal, $row:ty) => {
        use app::domain::{
            agent::{Agent, Role},
            canned::CannedResponse,
            chat::{ChatLine, LineBody},
            contact::{Channel, Contact, ContactKind, ContactStatus, EndReason},
            csq::{Csq, ProblemStatement, WrapUpReason},
            wrap_up::{WrapUp, WrapUpReasonAdmin, WrapUpReasonEdit},
            customer::Customer,
            ids::{AgentId, CannedResponseId, ContactId, CsqId, CustomerId, WrapUpReasonId},
            protocol::{AgentEvent, Envelope, Seq},
            settings::ChatSettings,
            state::{AgentStatus, StateReason},
        };
        use sqlx::Row as _;
        use $crate::store::{
            sql::{conflict_or, from_json, to_json},
            Appended, AuditEntry, ChatClock, Credentials, Guest, PendingInvitation, NewAgent, NewChat, NewCustomer, Sender, StateLogEntry, Store,
            StoreError, StoreResult,
        };

        const CONTACT_COLUMNS: &str = "id, channel, csq_id, customer_id, status, end_reason, \
            agent_id, problem, created_at_ms, queued_at_ms";

        /// One line of the administrators' audit, in the caller's transaction.
        async fn write_audit(
            conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
            audit: &AuditEntry,
            detail: &str,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO admin_audit (at_ms, agent_id, action, detail) VALUES ($1, $2, $3, $4)",
            )
            .bind(audit.at_ms)
            .bind(audit.agent.0)
            .bind(&audit.action)
            .bind(detail)
            .execute(conn)
            .await?;
            Ok(())
        }

        fn contact_from_row(row: &$row) -> StoreResult<Contact> {
            let channel: String = row.try_get("channel")?;
            let status: String = row.try_get("status")?;
            let end_reason: Option<String> = row.try_get("end_reason")?;
            let status = match status.as_str() {
                "queued" => ContactStatus::Queued,
                "offered" => ContactStatus::Offered,
                "active" => ContactStatus::Active,
                "ended" => ContactStatus::Ended(
                    end_reason
                        .as_deref()
                        .map(from_json::<EndReason>)
                        .transpose()?
                        .unwrap_or(EndReason::EndedByAgent),
                ),
                other => return Err(StoreError::Corrupt(format!("unknown status {other:?}"))),
            };
            Ok(Contact {
                id: ContactId(row.try_get("id")?),
                channel: Channel::parse(&channel)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown channel {channel:?}")))?,
                csq: CsqId(row.try_get("csq_id")?),
                customer: CustomerId(row.try_get("customer_id")?),
                status,
                agent: row.try_get::<Option<i64>, _>("agent_id")?.map(AgentId),
                problem: row.try_get("problem")?,
                created_at_ms: row.try_get("created_at_ms")?,
                queued_at_ms: row.try_get("queued_at_ms")?,
            })
        }

        fn line_from_row(row: &$row) -> StoreResult<ChatLine> {
            let body: String = row.try_get("body")?;
            Ok(ChatLine {
                seq: row.try_get::<i64, _>("seq")? as Seq,
                at_ms: row.try_get("at_ms")?,
                body: from_json(&body)?,
            })
        }

        fn agent_from_row(row: &$row) -> StoreResult<Agent>
        {
            let role: String = row.try_get("role")?;
            Ok(Agent {
                id: AgentId(row.try_get("id")?),
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                alias: row.try_get("alias")?,
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown role {role:?}")))?,
                max_chats: row.try_get::<i64, _>("max_chats")? as u32,
                max_emails: row.try_get::<i64, _>("max_emails")? as u32,
            })
        }

        fn envelope_from_row(row: &$row) -> StoreResult<Envelope>
        {
            let event: String = row.try_get("event")?;
            Ok(Envelope {
                seq: row.try_get::<i64, _>("seq")? as Seq,
                at_ms: row.try_get("at_ms")?,
                event: from_json(&event)?,
            })
        }

        #[async_trait::async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_agent(&self, new: &NewAgent) -> StoreResult<AgentId> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO agents (username, display_name, alias, role, password_hash, \
                     max_chats, max_emails, created_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(&new.username)
                .bind(&new.display_name)
                .bind(&new.alias)
                .bind(new.role.as_str())
                .bind(&new.password_hash)
                .bind(i64::from(new.max_chats))
                .bind(i64::from(new.max_emails))
                .bind($crate::clock::now_ms())
                .fetch_one(&self.pool)
                .await
                .map_err(conflict_or)?;
                Ok(AgentId(id))
            }

            async fn agent(&self, id: AgentId) -> StoreResult<Agent> {
                let row = sqlx::query(
                    "SELECT id, username, display_name, alias, role, max_chats, max_emails \
                     FROM agents WHERE id = $1",
                )
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                agent_from_row(&row)
            }

            async fn agents(&self) -> StoreResult<Vec<Agent>> {
                let rows = sqlx::query(
                    "SELECT id, username, display_name, alias, role, max_chats, max_emails \
                     FROM agents ORDER BY username",
                )
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(agent_from_row).collect()
            }

            async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
                let row = sqlx::query(
                    "SELECT id, password_hash FROM agents WHERE lower(username) = lower($1)",
                )
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    Ok(Credentials {
                        agent: AgentId(r.try_get("id")?),
                        password_hash: r.try_get("password_hash")?,
                    })
                })
                .transpose()
            }

            async fn create_csq(&self, name: &str) -> StoreResult<CsqId> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO csqs (name, created_at_ms) VALUES ($1, $2) RETURNING id",
                )
                .bind(name)
                .bind($crate::clock::now_ms())
                .fetch_one(&self.pool)
                .await
                .map_err(conflict_or)?;
                Ok(CsqId(id))
            }

            async fn add_csq_member(&self, csq: CsqId, agent: AgentId) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO csq_members (csq_id, agent_id) VALUES ($1, $2) \
                     ON CONFLICT (csq_id, agent_id) DO NOTHING",
                )
                .bind(csq.0)
                .bind(agent.0)
                .execute(&self.pool)
                .await?;
                Ok(())
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
                        });
                    }
                    if let Some(member) = row.try_get::<Option<i64>, _>("agent_id")? {
                        if let Some(last) = csqs.last_mut() {
                            last.members.push(AgentId(member));
                        }
                    }
                }
                Ok(csqs)
            }

            async fn create_wrap_up_reason(&self, label: &str) -> StoreResult<WrapUpReasonId> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO wrap_up_reasons (label, created_at_ms) VALUES ($1, $2) RETURNING id",
                )
                .bind(label)
                .bind($crate::clock::now_ms())
                .fetch_one(&self.pool)
                .await?;
                Ok(WrapUpReasonId(id))
            }

            async fn assign_wrap_up_reason(
                &self,
                csq: CsqId,
                reason: WrapUpReasonId,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO csq_wrap_up_reasons (csq_id, reason_id) VALUES ($1, $2) \
                     ON CONFLICT (csq_id, reason_id) DO NOTHING",
                )
                .bind(csq.0)
                .bind(reason.0)
                .execute(&self.pool)
                .await?;
                Ok(())
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
                .fetch_one(&self.pool)
                .await?;
                Ok(CannedResponseId(id))
            }

            async fn canned_responses(&self, kind: ContactKind) -> StoreResult<Vec<CannedResponse>> {
                let rows = sqlx::query(
                    "SELECT id, title, body FROM canned_responses WHERE kind = $1 ORDER BY title",
                )
                .bind(kind.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(CannedResponse {
                            id: CannedResponseId(r.try_get("id")?),
                            kind,
                            title: r.try_get("title")?,
                            body: r.try_get("body")?,
                        })
                    })
                    .collect()
            }

            async fn create_session(
                &self,
                token_hash: &str,
                agent: AgentId,
                now_ms: i64,
                expires_at_ms: i64,
            ) -> StoreResult<()> {
                // Expired sessions are swept as new ones are made.
                sqlx::query("DELETE FROM sessions WHERE expires_at_ms <= $1")
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await?;
                sqlx::query(
                    "INSERT INTO sessions (token_hash, agent_id, created_at_ms, expires_at_ms) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash)
                .bind(agent.0)
                .bind(now_ms)
                .bind(expires_at_ms)
                .execute(&self.pool)
                .await
                .map_err(conflict_or)?;
                Ok(())
            }

            async fn session_agent(
                &self,
                token_hash: &str,
                now_ms: i64,
            ) -> StoreResult<Option<AgentId>> {
                let id: Option<i64> = sqlx::query_scalar(
                    "SELECT agent_id FROM sessions WHERE token_hash = $1 AND expires_at_ms > $2",
                )
                .bind(token_hash)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await?;
                Ok(id.map(AgentId))
            }

            async fn session_expiry(&self, token_hash: &str) -> StoreResult<Option<i64>> {
                Ok(sqlx::query_scalar("SELECT expires_at_ms FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn delete_sessions(&self, agent: AgentId) -> StoreResult<()> {
                sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
                    .bind(agent.0)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn agent_status(&self, agent: AgentId) -> StoreResult<(AgentStatus, Seq)> {
                let row = sqlx::query("SELECT status, last_seq FROM agent_status WHERE agent_id = $1")
                    .bind(agent.0)
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    Some(row) => {
                        let status: String = row.try_get("status")?;
                        Ok((from_json(&status)?, row.try_get::<i64, _>("last_seq")? as Seq))
                    }
                    None => Ok((AgentStatus::logged_out(), 0)),
                }
            }

            async fn record_state_change(
                &self,
                agent: AgentId,
                from: &AgentStatus,
                to: &AgentStatus,
                reason: StateReason,
                at_ms: i64,
            ) -> StoreResult<Envelope> {
                let event = AgentEvent::StateChanged {
                    status: *to,
                    reason,
                };
                let mut tx = self.pool.begin().await?;
                // Writing first takes SQLite's write lock at once, so concurrent changes for
                // different agents queue on the busy timeout instead of failing.
                let seq: i64 = sqlx::query_scalar(
                    "INSERT INTO agent_status (agent_id, status, last_seq) VALUES ($1, $2, 1) \
                     ON CONFLICT (agent_id) DO UPDATE \
                     SET status = excluded.status, last_seq = agent_status.last_seq + 1 \
                     RETURNING last_seq",
                )
                .bind(agent.0)
                .bind(to_json(to)?)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO agent_events (agent_id, seq, at_ms, event) VALUES ($1, $2, $3, $4)",
                )
                .bind(agent.0)
                .bind(seq)
                .bind(at_ms)
                .bind(to_json(&event)?)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO agent_state_log (agent_id, at_ms, from_state, to_state, reason, badge) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(agent.0)
                .bind(at_ms)
                .bind(to_json(from)?)
                .bind(to_json(to)?)
                .bind(reason.as_str())
                .bind(to.badge.map(|b| b.to_string()))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Envelope {
                    seq: seq as Seq,
                    at_ms,
                    event,
                })
            }

            async fn record_agent_event(
                &self,
                agent: AgentId,
                event: &AgentEvent,
                at_ms: i64,
            ) -> StoreResult<Envelope> {
                let mut tx = self.pool.begin().await?;
                let seq: i64 = sqlx::query_scalar(
                    "UPDATE agent_status SET last_seq = last_seq + 1 WHERE agent_id = $1 \
                     RETURNING last_seq",
                )
                .bind(agent.0)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                sqlx::query(
                    "INSERT INTO agent_events (agent_id, seq, at_ms, event) VALUES ($1, $2, $3, $4)",
                )
                .bind(agent.0)
                .bind(seq)
                .bind(at_ms)
                .bind(to_json(event)?)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Envelope {
                    seq: seq as Seq,
                    at_ms,
                    event: event.clone(),
                })
            }

            async fn events_after(
                &self,
                agent: AgentId,
                after: Seq,
                limit: u32,
            ) -> StoreResult<Vec<Envelope>> {
                let rows = sqlx::query(
                    "SELECT seq, at_ms, event FROM agent_events \
                     WHERE agent_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                )
                .bind(agent.0)
                .bind(after as i64)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(envelope_from_row).collect()
            }

            async fn state_log(&self, agent: AgentId) -> StoreResult<Vec<StateLogEntry>> {
                let rows = sqlx::query(
                    "SELECT at_ms, from_state, to_state, reason FROM agent_state_log \
                     WHERE agent_id = $1 ORDER BY id",
                )
                .bind(agent.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let from: String = r.try_get("from_state")?;
                        let to: String = r.try_get("to_state")?;
                        let reason: String = r.try_get("reason")?;
                        Ok(StateLogEntry {
                            at_ms: r.try_get("at_ms")?,
                            from: from_json(&from)?,
                            to: from_json(&to)?,
                            reason: from_json(&format!("\"{reason}\""))?,
                        })
                    })
                    .collect()
            }

            async fn chat_settings(&self) -> StoreResult<ChatSettings> {
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
            }

            async fn save_chat_settings(
                &self,
                settings: &ChatSettings,
                audit: Option<&AuditEntry>,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
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
                let mut tx = self.pool.begin().await?;
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

            async fn snapshot_wrap_up(&self, contact: ContactId, csq: CsqId) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                // Claiming the flag first makes the copy happen once, even when it is empty.
                let first = sqlx::query(
                    "UPDATE contacts SET wrap_up_taken = TRUE WHERE id = $1 AND NOT wrap_up_taken",
                )
                .bind(contact.0)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if first {
                    let rows = sqlx::query(
                        "SELECT r.id, r.label FROM wrap_up_reasons r \
                         JOIN csq_wrap_up_reasons a ON a.reason_id = r.id \
                         WHERE a.csq_id = $1 AND NOT r.retired ORDER BY r.label",
                    )
                    .bind(csq.0)
                    .fetch_all(&mut *tx)
                    .await?;
                    for (position, r) in rows.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO contact_wrap_up_options \
                             (contact_id, reason_id, label, position) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(contact.0)
                        .bind(r.try_get::<i64, _>("id")?)
                        .bind(r.try_get::<String, _>("label")?)
                        .bind(position as i32)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn wrap_up(&self, contact: ContactId, agent: AgentId) -> StoreResult<WrapUp> {
                let offered = sqlx::query(
                    "SELECT reason_id, label FROM contact_wrap_up_options \
                     WHERE contact_id = $1 ORDER BY position",
                )
                .bind(contact.0)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(WrapUpReason {
                        id: WrapUpReasonId(r.try_get("reason_id")?),
                        label: r.try_get("label")?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
                let chosen: Vec<i64> = sqlx::query_scalar(
                    "SELECT reason_id FROM contact_wrap_up WHERE contact_id = $1 AND agent_id = $2",
                )
                .bind(contact.0)
                .bind(agent.0)
                .fetch_all(&self.pool)
                .await?;
                let selected = offered
                    .iter()
                    .map(|o| o.id)
                    .filter(|id| chosen.contains(&id.0))
                    .collect();
                Ok(WrapUp { offered, selected })
            }

            async fn set_wrap_up(
                &self,
                contact: ContactId,
                agent: AgentId,
                reasons: &[WrapUpReasonId],
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM contact_wrap_up WHERE contact_id = $1 AND agent_id = $2")
                    .bind(contact.0)
                    .bind(agent.0)
                    .execute(&mut *tx)
                    .await?;
                for reason in reasons {
                    sqlx::query(
                        "INSERT INTO contact_wrap_up (contact_id, agent_id, reason_id) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(contact.0)
                    .bind(agent.0)
                    .bind(reason.0)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn open_invitation(
                &self,
                contact: ContactId,
                invitation: &PendingInvitation,
                at_ms: i64,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM chat_invitations WHERE contact_id = $1")
                    .bind(contact.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO chat_invitations (contact_id, from_agent_id, csq_id, notes, at_ms) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(contact.0)
                .bind(invitation.from.0)
                .bind(invitation.csq.0)
                .bind(&invitation.notes)
                .bind(at_ms)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn invitation(&self, contact: ContactId) -> StoreResult<Option<PendingInvitation>> {
                let row = sqlx::query(
                    "SELECT from_agent_id, csq_id, notes FROM chat_invitations WHERE contact_id = $1",
                )
                .bind(contact.0)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    Ok(PendingInvitation {
                        from: AgentId(r.try_get("from_agent_id")?),
                        csq: CsqId(r.try_get("csq_id")?),
                        notes: r.try_get("notes")?,
                    })
                })
                .transpose()
            }

            async fn close_invitation(&self, contact: ContactId) -> StoreResult<()> {
                sqlx::query("DELETE FROM chat_invitations WHERE contact_id = $1")
                    .bind(contact.0)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn add_guest(&self, contact: ContactId, guest: &Guest, at_ms: i64) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO chat_guests (contact_id, agent_id, notes, joined_at_ms) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(contact.0)
                .bind(guest.agent.0)
                .bind(&guest.notes)
                .bind(at_ms)
                .execute(&self.pool)
                .await
                .map_err(conflict_or)?;
                Ok(())
            }

            async fn guest(&self, contact: ContactId) -> StoreResult<Option<Guest>> {
                let row = sqlx::query("SELECT agent_id, notes FROM chat_guests WHERE contact_id = $1")
                    .bind(contact.0)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|r| {
                    Ok(Guest {
                        agent: AgentId(r.try_get("agent_id")?),
                        notes: r.try_get("notes")?,
                    })
                })
                .transpose()
            }

            async fn remove_guest(&self, contact: ContactId) -> StoreResult<()> {
                sqlx::query("DELETE FROM chat_guests WHERE contact_id = $1")
                    .bind(contact.0)
                    .execute(&self.pool)
                    .await?;
                Ok(())
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
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO problem_statements (label, csq_id, position) \
                     VALUES ($1, $2, (SELECT COUNT(*) FROM problem_statements)) RETURNING id",
                )
                .bind(label)
                .bind(csq.0)
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn problem_statements(&self) -> StoreResult<Vec<ProblemStatement>> {
                let rows = sqlx::query(
                    "SELECT id, label, csq_id FROM problem_statements \
                     WHERE NOT retired ORDER BY position, id",
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
            }

            async fn create_customer(&self, customer: &NewCustomer) -> StoreResult<CustomerId> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO customers (name, email, phone, created_at_ms) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&customer.name)
                .bind(&customer.email)
                .bind(&customer.phone)
                .bind($crate::clock::now_ms())
                .fetch_one(&self.pool)
                .await?;
                Ok(CustomerId(id))
            }

            async fn customer(&self, id: CustomerId) -> StoreResult<Customer> {
                let row = sqlx::query("SELECT id, name, email, phone FROM customers WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                Ok(Customer {
                    id: CustomerId(row.try_get("id")?),
                    name: row.try_get("name")?,
                    email: row.try_get("email")?,
                    phone: row.try_get("phone")?,
                })
            }

            async fn create_chat(&self, chat: &NewChat, now_ms: i64) -> StoreResult<Contact> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO contacts (channel, csq_id, customer_id, status, problem, \
                     created_at_ms, queued_at_ms) VALUES ($1, $2, $3, 'queued', $4, $5, $5) \
                     RETURNING id",
                )
                .bind(chat.channel.as_str())
                .bind(chat.csq.0)
                .bind(chat.customer.0)
                .bind(&chat.problem)
                .bind(now_ms)
                .fetch_one(&self.pool)
                .await?;
                self.contact(ContactId(id)).await
            }

            async fn contact(&self, id: ContactId) -> StoreResult<Contact> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1"
                )))
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
                contact_from_row(&row)
            }

            async fn update_contact(
                &self,
                id: ContactId,
                status: ContactStatus,
                agent: Option<AgentId>,
                now_ms: i64,
            ) -> StoreResult<()> {
                // Any state: the step the domain decided is recorded as it is.
                const ANY: [ContactStatus; 4] = [
                    ContactStatus::Queued,
                    ContactStatus::Offered,
                    ContactStatus::Active,
                    // Any reason: only the status's name ('ended') is compared.
                    ContactStatus::Ended(EndReason::EndedByAgent),
                ];
                if self.step_contact(id, &ANY, status, agent, now_ms).await? {
                    Ok(())
                } else {
                    Err(StoreError::NotFound)
                }
            }

            async fn step_contact(
                &self,
                id: ContactId,
                from: &[ContactStatus],
                status: ContactStatus,
                agent: Option<AgentId>,
                now_ms: i64,
            ) -> StoreResult<bool> {
                let end_reason = match status {
                    ContactStatus::Ended(reason) => Some(to_json(&reason)?),
                    _ => None,
                };
                // The statuses are the domain's own names, never input.
                let from: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
                let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE contacts SET status = $2, agent_id = COALESCE($3, agent_id), \
                     end_reason = $4, \
                     accepted_at_ms = CASE WHEN $2 = 'active' THEN $5 ELSE accepted_at_ms END, \
                     ended_at_ms = CASE WHEN $2 = 'ended' THEN $5 ELSE ended_at_ms END \
                     WHERE id = $1 AND status IN ({})",
                    from.join(", ")
                )))
                .bind(id.0)
                .bind(status.as_str())
                .bind(agent.map(|a| a.0))
                .bind(end_reason)
                .bind(now_ms)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn open_contacts(&self) -> StoreResult<Vec<Contact>> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {CONTACT_COLUMNS} FROM contacts WHERE status <> 'ended' \
                     ORDER BY queued_at_ms, id"
                )))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(contact_from_row).collect()
            }

            async fn append_line(
                &self,
                contact: ContactId,
                sender: &Sender,
                client_id: Option<&str>,
                body: &LineBody,
                now_ms: i64,
            ) -> StoreResult<Appended> {
                let sender = sender.key();
                let existing = |client_id: &str| {
                    sqlx::query(
                        "SELECT seq, at_ms, body FROM chat_lines \
                         WHERE contact_id = $1 AND sender = $2 AND client_id = $3",
                    )
                    .bind(contact.0)
                    .bind(sender.clone())
                    .bind(client_id.to_string())
                };
                if let Some(id) = client_id {
                    if let Some(row) = existing(id).fetch_optional(&self.pool).await? {
                        return Ok(Appended { line: line_from_row(&row)?, fresh: false });
                    }
                }
                let mut tx = self.pool.begin().await?;
                // Writing first takes SQLite's write lock at once (see record_state_change).
                let seq: Option<i64> = sqlx::query_scalar(
                    "UPDATE contacts SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
                )
                .bind(contact.0)
                .fetch_optional(&mut *tx)
                .await?;
                let seq = seq.ok_or(StoreError::NotFound)?;
                let inserted = sqlx::query(
                    "INSERT INTO chat_lines (contact_id, seq, at_ms, sender, client_id, body) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(contact.0)
                .bind(seq)
                .bind(now_ms)
                .bind(&sender)
                .bind(client_id)
                .bind(to_json(body)?)
                .execute(&mut *tx)
                .await;
                match inserted.map_err(conflict_or) {
                    Ok(_) => {
                        tx.commit().await?;
                        Ok(Appended {
                            line: ChatLine { seq: seq as Seq, at_ms: now_ms, body: body.clone() },
                            fresh: true,
                        })
                    }
                    // The same message raced in from another connection: keep the first.
                    Err(StoreError::Conflict) => {
                        tx.rollback().await?;
                        let id = client_id.unwrap_or_default();
                        let row = existing(id).fetch_one(&self.pool).await?;
                        Ok(Appended { line: line_from_row(&row)?, fresh: false })
                    }
                    Err(e) => Err(e),
                }
            }

            async fn lines_after(
                &self,
                contact: ContactId,
                after: Seq,
                limit: u32,
            ) -> StoreResult<Vec<ChatLine>> {
                let rows = sqlx::query(
                    "SELECT seq, at_ms, body FROM chat_lines \
                     WHERE contact_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                )
                .bind(contact.0)
                .bind(after as i64)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(line_from_row).collect()
            }

            async fn waiting_chats(&self, csq: CsqId) -> StoreResult<u32> {
                let count: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM contacts WHERE csq_id = $1 AND channel <> 'email' \
                     AND status IN ('queued', 'offered')",
                )
                .bind(csq.0)
                .fetch_one(&self.pool)
                .await?;
                Ok(count as u32)
            }

            async fn customer_line_count(&self, contact: ContactId) -> StoreResult<u32> {
                let count: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM chat_lines WHERE contact_id = $1 AND sender = 'customer'",
                )
                .bind(contact.0)
                .fetch_one(&self.pool)
                .await?;
                Ok(count as u32)
            }

            async fn chat_clock(&self, contact: ContactId) -> StoreResult<ChatClock> {
                let row = sqlx::query(
                    "SELECT accepted_at_ms, join_told_at_ms, silence_warned_at_ms, \
                     (SELECT MAX(at_ms) FROM chat_lines l \
                      WHERE l.contact_id = c.id AND l.sender = 'customer') AS last_customer_at_ms \
                     FROM contacts c WHERE c.id = $1",
                )
                .bind(contact.0)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?;
                Ok(ChatClock {
                    accepted_at_ms: row.try_get("accepted_at_ms")?,
                    last_customer_at_ms: row.try_get("last_customer_at_ms")?,
                    join_told_at_ms: row.try_get("join_told_at_ms")?,
                    silence_warned_at_ms: row.try_get("silence_warned_at_ms")?,
                })
            }

            async fn mark_join_told(&self, contact: ContactId, at_ms: i64) -> StoreResult<()> {
                sqlx::query("UPDATE contacts SET join_told_at_ms = $2 WHERE id = $1")
                    .bind(contact.0)
                    .bind(at_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn mark_silence_warned(&self, contact: ContactId, at_ms: i64) -> StoreResult<()> {
                sqlx::query("UPDATE contacts SET silence_warned_at_ms = $2 WHERE id = $1")
                    .bind(contact.0)
                    .bind(at_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn history_start(&self, contact: ContactId, messages: u32) -> StoreResult<Seq> {
                let first: Option<i64> = sqlx::query_scalar(
                    "SELECT seq FROM chat_lines WHERE contact_id = $1 AND sender <> 'system' \
                     ORDER BY seq DESC LIMIT 1 OFFSET $2",
                )
                .bind(contact.0)
                .bind(i64::from(messages.max(1)) - 1)
                .fetch_optional(&self.pool)
                .await?;
                Ok(first.map_or(0, |seq| (seq - 1) as Seq))
            }
        }
    };
}

pub(super) use impl_store;
