//! The agents tables' SQL, shared by both backends like [`super::sql`] (whose helpers it uses).

macro_rules! impl_agents_store {
    ($store:ty, $row:ty) => {
        mod agents_impl {
            use super::*;
            use $crate::store::agents::AgentStore;
            use $crate::store::events::{
                EventRequest, EventWriter, MAX_BATCH as EVENTS_MAX_BATCH, QUEUE as EVENTS_QUEUE,
            };
            use $crate::store::placeholders::{advance_streams_sql, counts_in_order, Placeholders};

            type Pool = sqlx::Pool<<$row as sqlx::Row>::Database>;

            impl $store {
                /// The agents' event writer (see [`crate::store::events`]), writing on `writer`.
                pub(crate) fn spawn_event_writer(writer: Pool) -> EventWriter {
                    EventWriter::spawn(EVENTS_MAX_BATCH, EVENTS_QUEUE, move |batch| {
                        let pool = writer.clone();
                        async move { Self::write_events(&pool, batch).await }
                    })
                }

                /// Appends a batch of events in one transaction; should it fail, each event
                /// is appended alone, so one never takes the others down with it.
                async fn write_events(pool: &Pool, batch: Vec<EventRequest>) -> Vec<StoreResult<Envelope>> {
                    match Self::write_event_batch(pool, &batch).await {
                        Ok(results) => results,
                        Err(e) => {
                            if batch.len() > 1 {
                                tracing::warn!(error = %e, events = batch.len(), "batch of events refused: each stored alone");
                            }
                            let mut results = Vec::with_capacity(batch.len());
                            for event in &batch {
                                results.push(Self::write_event_batch(pool, std::slice::from_ref(event)).await.and_then(|mut r| r.remove(0)));
                            }
                            results
                        }
                    }
                }

                /// Two statements whatever the batch holds: the streams' next numbers, then
                /// the events. An agent without a stream gets `NotFound` for its events.
                async fn write_event_batch(
                    pool: &Pool,
                    batch: &[EventRequest],
                ) -> StoreResult<Vec<StoreResult<Envelope>>> {
                    // How many events each agent gets, in the order agents first appear.
                    let agents = counts_in_order(batch.iter().map(|event| event.agent));
                    let mut tx = pool.begin().await?;
                    // Writing first takes SQLite's write lock at once.
                    let sql = advance_streams_sql(Self::NUMBERED_PARAMS, "agent_status", "agent_id", agents.len());
                    let mut update = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for (agent, n) in &agents {
                        update = update.bind(agent.0).bind(*n);
                    }
                    for (agent, _) in &agents {
                        update = update.bind(agent.0);
                    }
                    // Each agent found: its events take the numbers up to its last, in order.
                    let mut next: Vec<(AgentId, i64)> = Vec::new();
                    for row in update.fetch_all(&mut *tx).await? {
                        let agent = AgentId(row.try_get("agent_id")?);
                        let last: i64 = row.try_get("last_seq")?;
                        if let Some((_, n)) = agents.iter().find(|(a, _)| *a == agent) {
                            next.push((agent, last - n + 1));
                        }
                    }
                    let mut marks = Placeholders::new(Self::NUMBERED_PARAMS);
                    let mut values = Vec::new();
                    let mut given: Vec<Option<i64>> = Vec::with_capacity(batch.len());
                    for event in batch {
                        match next.iter_mut().find(|(a, _)| *a == event.agent) {
                            Some((_, seq)) => {
                                values.push(marks.row(4));
                                given.push(Some(*seq));
                                *seq += 1;
                            }
                            None => given.push(None),
                        }
                    }
                    if !values.is_empty() {
                        let sql = format!(
                            "INSERT INTO agent_events (agent_id, seq, at_ms, event) VALUES {}",
                            values.join(", ")
                        );
                        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for (event, seq) in batch.iter().zip(&given) {
                            if let Some(seq) = seq {
                                insert = insert
                                    .bind(event.agent.0)
                                    .bind(*seq)
                                    .bind(event.at_ms)
                                    .bind(event.event_json.clone());
                            }
                        }
                        insert.execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    Ok(batch
                        .iter()
                        .zip(given)
                        .map(|(event, seq)| {
                            seq.map(|seq| Envelope {
                                seq: seq as Seq,
                                at_ms: event.at_ms,
                                event: event.event.clone(),
                            })
                            .ok_or(StoreError::NotFound)
                        })
                        .collect())
                }
            }

            #[async_trait::async_trait]
            impl AgentStore for $store {
                async fn create_agent(&self, new: &NewAgent) -> StoreResult<AgentId> {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO agents (username, display_name, alias, role, password_hash, \
                         max_chats, max_emails, must_change_password, created_at_ms) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    )
                    .bind(&new.username)
                    .bind(&new.display_name)
                    .bind(&new.alias)
                    .bind(new.role.as_str())
                    .bind(&new.password_hash)
                    .bind(i64::from(new.max_chats))
                    .bind(i64::from(new.max_emails))
                    .bind(new.must_change_password)
                    .bind($crate::clock::now_ms())
                    .fetch_one(&self.writer)
                    .await
                    .map_err(conflict_or)?;
                    Ok(AgentId(id))
                }

                async fn agent(&self, id: AgentId) -> StoreResult<Agent> {
                    found(
                        sqlx::query(
                        "SELECT id, username, display_name, alias, role, max_chats, max_emails, \
                         must_change_password, disabled FROM agents WHERE id = $1",
                    )
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?,
                        agent_from_row,
                    )
                }

                async fn agents(&self) -> StoreResult<Vec<Agent>> {
                    let rows = sqlx::query(
                        "SELECT id, username, display_name, alias, role, max_chats, max_emails, \
                         must_change_password, disabled FROM agents ORDER BY username",
                    )
                        .fetch_all(&self.pool)
                        .await?;
                    rows.iter().map(agent_from_row).collect()
                }

                async fn user_page(
                    &self,
                    search: &str,
                    offset: u32,
                    limit: u32,
                ) -> StoreResult<(Vec<Agent>, u64)> {
                    // Folded and matched here, not in SQL: SQLite's lower() folds ASCII only
                    // and PostgreSQL's folds by locale; thousands of rows read in a moment.
                    let rows = sqlx::query(
                        "SELECT id, username, display_name, alias, role, max_chats, max_emails, \
                         must_change_password, disabled FROM agents",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    let wanted = search.trim().to_lowercase();
                    let mut found: Vec<(String, Agent)> = Vec::new();
                    for row in &rows {
                        let agent = agent_from_row(row)?;
                        let matches = wanted.is_empty()
                            || [&agent.username, &agent.display_name, &agent.alias]
                                .iter()
                                .any(|text| text.to_lowercase().contains(&wanted));
                        if matches {
                            found.push((agent.username.to_lowercase(), agent));
                        }
                    }
                    found.sort_by(|a, b| a.0.cmp(&b.0));
                    let total = found.len() as u64;
                    let page = found
                        .into_iter()
                        .skip(offset as usize)
                        .take(limit as usize)
                        .map(|(_, agent)| agent)
                        .collect();
                    Ok((page, total))
                }

                async fn save_user(
                    &self,
                    edit: &UserEdit,
                    password_hash: Option<&str>,
                    audit: &AuditEntry,
                ) -> StoreResult<AgentId> {
                    let mut tx = self.writer.begin().await?;
                    // Writing the enabled administrators' rows first makes two saves that
                    // could each remove one wait for each other (row locks on PostgreSQL,
                    // the single writer on SQLite), so the count below sees the other's.
                    sqlx::query(
                        "UPDATE agents SET role = role WHERE role = 'admin' AND NOT disabled",
                    )
                    .execute(&mut *tx)
                    .await?;
                    let id = match edit.id {
                        None => {
                            let hash = password_hash.ok_or(StoreError::NotFound)?;
                            let id: i64 = sqlx::query_scalar(
                                "INSERT INTO agents (username, display_name, alias, role, \
                                 password_hash, max_chats, max_emails, must_change_password, \
                                 disabled, created_at_ms) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $9) RETURNING id",
                            )
                            .bind(&edit.username)
                            .bind(&edit.display_name)
                            .bind(&edit.alias)
                            .bind(edit.role.as_str())
                            .bind(hash)
                            .bind(i64::from(edit.max_chats))
                            .bind(i64::from(edit.max_emails))
                            .bind(edit.disabled)
                            .bind(audit.at_ms)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(conflict_or)?;
                            AgentId(id)
                        }
                        Some(id) => {
                            let changed = sqlx::query(
                                "UPDATE agents SET username = $1, display_name = $2, alias = $3, \
                                 role = $4, max_chats = $5, max_emails = $6, disabled = $7 \
                                 WHERE id = $8",
                            )
                            .bind(&edit.username)
                            .bind(&edit.display_name)
                            .bind(&edit.alias)
                            .bind(edit.role.as_str())
                            .bind(i64::from(edit.max_chats))
                            .bind(i64::from(edit.max_emails))
                            .bind(edit.disabled)
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
                    let admins: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM agents WHERE role = 'admin' AND NOT disabled",
                    )
                    .fetch_one(&mut *tx)
                    .await?;
                    if admins == 0 {
                        return Err(StoreError::LastAdministrator);
                    }
                    sqlx::query("DELETE FROM csq_members WHERE agent_id = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                    for csq in &edit.csqs {
                        add_member(&mut tx, *csq, id).await?;
                    }
                    // Issue 18: the CSQs a supervisor watches, exactly these.
                    sqlx::query("DELETE FROM csq_supervisors WHERE agent_id = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                    for csq in &edit.supervises {
                        sqlx::query(
                            "INSERT INTO csq_supervisors (csq_id, agent_id) VALUES ($1, $2)",
                        )
                        .bind(csq.0)
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    if edit.disabled {
                        sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await?;
                    }
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn agent_count(&self) -> StoreResult<i64> {
                    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM agents")
                        .fetch_one(&self.pool)
                        .await?)
                }

                async fn set_password(
                    &self,
                    agent: AgentId,
                    password_hash: &str,
                    must_change: bool,
                    keep: Option<&str>,
                    audit: &$crate::store::AuditEntry,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    let changed = sqlx::query(
                        "UPDATE agents SET password_hash = $1, must_change_password = $2 \
                         WHERE id = $3",
                    )
                    .bind(password_hash)
                    .bind(must_change)
                    .bind(agent.0)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed == 0 {
                        return Err(StoreError::NotFound);
                    }
                    // No token hash is empty: COALESCE keeps the parameter typed as text.
                    sqlx::query(
                        "DELETE FROM sessions WHERE agent_id = $1 AND token_hash <> COALESCE($2, '')",
                    )
                    .bind(agent.0)
                    .bind(keep)
                    .execute(&mut *tx)
                    .await?;
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn credentials(&self, username: &str) -> StoreResult<Option<Credentials>> {
                    let row = sqlx::query(
                        "SELECT id, password_hash, must_change_password, disabled, language \
                         FROM agents WHERE lower(username) = lower($1)",
                    )
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|r| {
                        Ok(Credentials {
                            agent: AgentId(r.try_get("id")?),
                            password_hash: r.try_get("password_hash")?,
                            must_change_password: r.try_get("must_change_password")?,
                            disabled: r.try_get("disabled")?,
                            language: r.try_get("language")?,
                        })
                    })
                    .transpose()
                }

                async fn set_language(
                    &self,
                    agent: AgentId,
                    language: Option<&str>,
                ) -> StoreResult<()> {
                    let changed = sqlx::query("UPDATE agents SET language = $1 WHERE id = $2")
                        .bind(language)
                        .bind(agent.0)
                        .execute(&self.writer)
                        .await?
                        .rows_affected();
                    if changed == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                }

                async fn language(&self, agent: AgentId) -> StoreResult<Option<String>> {
                    let row = sqlx::query("SELECT language FROM agents WHERE id = $1")
                        .bind(agent.0)
                        .fetch_optional(&self.pool)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    Ok(row.try_get("language")?)
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
                        .execute(&self.writer)
                        .await?;
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, agent_id, created_at_ms, expires_at_ms) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(token_hash)
                    .bind(agent.0)
                    .bind(now_ms)
                    .bind(expires_at_ms)
                    .execute(&self.writer)
                    .await
                    .map_err(conflict_or)?;
                    Ok(())
                }

                async fn session_agent(
                    &self,
                    token_hash: &str,
                    now_ms: i64,
                ) -> StoreResult<Option<SessionOf>> {
                    let row = sqlx::query(
                        "SELECT s.agent_id, a.must_change_password FROM sessions s \
                         JOIN agents a ON a.id = s.agent_id \
                         WHERE s.token_hash = $1 AND s.expires_at_ms > $2 AND NOT a.disabled",
                    )
                    .bind(token_hash)
                    .bind(now_ms)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|r| {
                        Ok(SessionOf {
                            agent: AgentId(r.try_get("agent_id")?),
                            must_change_password: r.try_get("must_change_password")?,
                        })
                    })
                    .transpose()
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
                        .execute(&self.writer)
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

                async fn change_state(
                    &self,
                    agent: AgentId,
                    from: &AgentStatus,
                    to: &AgentStatus,
                    reason: StateReason,
                    at_ms: i64,
                    expected: Option<Seq>,
                ) -> StoreResult<Envelope> {
                    let event = AgentEvent::StateChanged {
                        status: *to,
                        reason,
                    };
                    let mut tx = self.writer.begin().await?;
                    // Writing first takes SQLite's write lock at once, so a write by another
                    // process (the admin command) waits on the busy timeout instead of failing.
                    // The state by name, with the reason and time it began (issue 18: what
                    // the supervisors see), kept while only the rest of the status changes.
                    let seq: Option<i64> = sqlx::query_scalar(
                        "INSERT INTO agent_status (agent_id, status, last_seq, state, state_reason, \
                         state_since_ms) VALUES ($1, $2, 1, $4, $5, $6) \
                         ON CONFLICT (agent_id) DO UPDATE \
                         SET status = excluded.status, last_seq = agent_status.last_seq + 1, \
                         state = excluded.state, \
                         state_reason = CASE WHEN agent_status.state = excluded.state \
                           THEN agent_status.state_reason ELSE excluded.state_reason END, \
                         state_since_ms = CASE WHEN agent_status.state = excluded.state \
                           THEN agent_status.state_since_ms ELSE excluded.state_since_ms END \
                         WHERE CAST($3 AS BIGINT) IS NULL OR agent_status.last_seq = $3 \
                         RETURNING last_seq",
                    )
                    .bind(agent.0)
                    .bind(to_json(to)?)
                    .bind(expected.map(|seq| seq as i64))
                    .bind(to.state.as_str())
                    .bind(reason.as_str())
                    .bind(at_ms)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(seq) = seq else {
                        return Err(StoreError::Conflict);
                    };
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
                        "INSERT INTO agent_state_log (agent_id, at_ms, from_state, to_state, reason, \
                         badge, state) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(agent.0)
                    .bind(at_ms)
                    .bind(to_json(from)?)
                    .bind(to_json(to)?)
                    .bind(reason.as_str())
                    .bind(to.badge.map(|b| b.to_string()))
                    .bind(to.state.as_str())
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
                    self.events
                        .call(EventRequest {
                            agent,
                            event: event.clone(),
                            event_json: to_json(event)?,
                            at_ms,
                        })
                        .await
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
                    rows.iter().map(state_log_from_row).collect()
                }
            }
        }
    };
}

pub(super) use impl_agents_store;
