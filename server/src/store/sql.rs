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
            contact::ContactKind,
            csq::{Csq, WrapUpReason},
            ids::{AgentId, CannedResponseId, CsqId, WrapUpReasonId},
            protocol::{AgentEvent, Envelope, Seq},
            state::{AgentStatus, StateReason},
        };
        use sqlx::Row as _;
        use $crate::store::{
            sql::{conflict_or, from_json, to_json},
            Credentials, NewAgent, StateLogEntry, Store, StoreError, StoreResult,
        };

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
        }
    };
}

pub(super) use impl_store;
