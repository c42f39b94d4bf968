//! The contacts tables' SQL, shared by both backends like [`super::sql`] (whose helpers it uses).

macro_rules! impl_contacts_store {
    ($store:ty, $row:ty) => {
        mod contacts_impl {
            use super::*;
            use $crate::store::contacts::{ChatParties, ContactStore, LoggedStep, Timeline};

            use $crate::store::contacts::PartiesReader;
            use $crate::store::lines::{places, LineRequest, LineWriter, Place, MAX_BATCH, QUEUE as LINE_QUEUE};
            use $crate::store::placeholders::{advance_streams_sql, counts_in_order, Placeholders};

            type Pool = sqlx::Pool<<$row as sqlx::Row>::Database>;

            /// Issue 17: a `conversation.message` event for each line stored (chat, number,
            /// time), in the batch's transaction, while some webhook wants them: one statement
            /// however many lines.
            async fn write_line_events(
                conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
                numbered: bool,
                lines: &[(i64, i64, i64)],
            ) -> StoreResult<()> {
                if lines.is_empty() {
                    return Ok(());
                }
                let mut marks = Placeholders::new(numbered);
                let values: Vec<String> = lines.iter().map(|_| marks.row(3)).collect();
                let sql = format!(
                    "INSERT INTO webhook_events (event, contact_id, seq, at_ms) \
                     SELECT 'conversation.message', v.column1, v.column2, v.column3 \
                     FROM (VALUES {}) AS v WHERE EXISTS (SELECT 1 FROM webhooks \
                     WHERE deleted_at_ms IS NULL \
                     AND events LIKE '%\"conversation.message\"%') \
                     ORDER BY v.column1, v.column2",
                    values.join(", ")
                );
                let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (contact, seq, at_ms) in lines {
                    insert = insert.bind(*contact).bind(*seq).bind(*at_ms);
                }
                insert.execute(conn).await?;
                Ok(())
            }

            /// Issue 18: the first agent's line of each chat among `lines` (contact, time,
            /// sender, in the order written) sets its first response time, in the batch's
            /// transaction; later lines change nothing.
            async fn note_first_responses(
                conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
                lines: &[(i64, i64, &str)],
            ) -> StoreResult<()> {
                let mut seen: Vec<i64> = Vec::new();
                for (contact, at_ms, sender) in lines {
                    if !sender.starts_with("agent:") || seen.contains(contact) {
                        continue;
                    }
                    seen.push(*contact);
                    sqlx::query(
                        "UPDATE contacts SET first_response_at_ms = $2 \
                         WHERE id = $1 AND first_response_at_ms IS NULL",
                    )
                    .bind(*contact)
                    .bind(*at_ms)
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }

            impl $store {
                /// A lifecycle step taken only from one of `from`, answering the contact as
                /// it leaves it. Binds: id, status, agent (the contact's holder from an
                /// accept or end, kept when null; an offer's agent is only logged), end
                /// reason, now.
                fn step_query(from: &[ContactStatus]) -> sqlx::query::Query<'static, <$row as sqlx::Row>::Database, <<$row as sqlx::Row>::Database as sqlx::Database>::Arguments> {
                    Self::step_query_with(from, "")
                }

                /// [`Self::step_query`] with a further condition (`$6`, the lead's epoch).
                fn step_query_with(from: &[ContactStatus], fence: &str) -> sqlx::query::Query<'static, <$row as sqlx::Row>::Database, <<$row as sqlx::Row>::Database as sqlx::Database>::Arguments> {
                    // The statuses are the domain's own names, never input.
                    let from: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE contacts SET status = $2, agent_id = CASE WHEN $2 IN ('active', 'ended') \
                         THEN COALESCE($3, agent_id) ELSE agent_id END, \
                         end_reason = $4, \
                         accepted_at_ms = CASE WHEN $2 = 'active' THEN $5 ELSE accepted_at_ms END, \
                         ended_at_ms = CASE WHEN $2 = 'ended' THEN $5 ELSE ended_at_ms END \
                         WHERE id = $1 AND status IN ({}){fence} RETURNING {CONTACT_COLUMNS}",
                        from.join(", ")
                    )))
                }

                /// SPEC W-2: copies the CSQ's active reasons onto the contact once (claiming
                /// the flag first makes the copy happen once, even when it is empty), in one
                /// statement however many; answers the reasons the contact offers, in order.
                async fn copy_wrap_up(
                    tx: &mut sqlx::Transaction<'_, <$row as sqlx::Row>::Database>,
                    contact: ContactId,
                    csq: CsqId,
                ) -> StoreResult<Vec<WrapUpReason>> {
                    let first = sqlx::query(
                        "UPDATE contacts SET wrap_up_taken = TRUE WHERE id = $1 AND NOT wrap_up_taken",
                    )
                    .bind(contact.0)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
                        == 1;
                    let rows = if first {
                        sqlx::query(
                            "INSERT INTO contact_wrap_up_options (contact_id, reason_id, label, position) \
                             SELECT $1, r.id, r.label, ROW_NUMBER() OVER (ORDER BY r.label) - 1 \
                             FROM wrap_up_reasons r JOIN csq_wrap_up_reasons a ON a.reason_id = r.id \
                             WHERE a.csq_id = $2 AND NOT r.retired \
                             RETURNING reason_id, label, position",
                        )
                        .bind(contact.0)
                        .bind(csq.0)
                        .fetch_all(&mut **tx)
                        .await?
                    } else {
                        sqlx::query(
                            "SELECT reason_id, label, position FROM contact_wrap_up_options \
                             WHERE contact_id = $1",
                        )
                        .bind(contact.0)
                        .fetch_all(&mut **tx)
                        .await?
                    };
                    let mut offered = rows
                        .iter()
                        .map(|r| {
                            let reason = WrapUpReason {
                                id: WrapUpReasonId(r.try_get("reason_id")?),
                                label: r.try_get("label")?,
                            };
                            Ok((r.try_get::<i32, _>("position")?, reason))
                        })
                        .collect::<StoreResult<Vec<_>>>()?;
                    // RETURNING answers in no promised order.
                    offered.sort_by_key(|(position, _)| *position);
                    Ok(offered.into_iter().map(|(_, reason)| reason).collect())
                }

                /// The contacts tables' batching tasks: lines written on `writer`, a
                /// connection of their own; chats read for each message on `pool`.
                pub(crate) fn spawn_batchers(pool: &Pool, writer: Pool) -> (LineWriter, PartiesReader) {
                    let lines = LineWriter::spawn(MAX_BATCH, LINE_QUEUE, move |batch| {
                        let pool = writer.clone();
                        async move { Self::write_lines(&pool, batch).await }
                    });
                    let readers = pool.clone();
                    let parties = PartiesReader::spawn(MAX_BATCH, LINE_QUEUE, move |ids| {
                        let pool = readers.clone();
                        async move { Self::read_parties(&pool, ids).await }
                    });
                    (lines, parties)
                }

                /// The chats and the people in them, for every message waiting: one read
                /// however many (see [`crate::store::batch`]); should it fail, each chat is
                /// read alone, so each caller gets its own answer.
                async fn read_parties(pool: &Pool, ids: Vec<ContactId>) -> Vec<StoreResult<ChatParties>> {
                    let answer = |found: &std::collections::HashMap<ContactId, ChatParties>, id: &ContactId| {
                        found.get(id).cloned().ok_or(StoreError::NotFound)
                    };
                    let mut distinct = ids.clone();
                    distinct.sort_unstable_by_key(|id| id.0);
                    distinct.dedup();
                    match Self::parties_of(pool, &distinct).await {
                        Ok(found) => ids.iter().map(|id| answer(&found, id)).collect(),
                        Err(_) => {
                            let mut results = Vec::with_capacity(ids.len());
                            for id in &ids {
                                let alone = Self::parties_of(pool, &[*id]).await;
                                results.push(alone.and_then(|found| answer(&found, id)));
                            }
                            results
                        }
                    }
                }

                /// One read of the chats `ids` with their customer's name, their guest
                /// and the aliases of the agents in them (what a message is written with).
                async fn parties_of(
                    pool: &Pool,
                    ids: &[ContactId],
                ) -> StoreResult<std::collections::HashMap<ContactId, ChatParties>> {
                    let mut marks = Placeholders::new(Self::NUMBERED_PARAMS);
                    let list: Vec<String> = ids.iter().map(|_| marks.next()).collect();
                    let sql = format!(
                        "SELECT {CONTACT_COLUMNS}, \
                         (SELECT name FROM customers WHERE id = contacts.customer_id) AS customer_name, \
                         (SELECT alias FROM agents WHERE id = contacts.agent_id) AS owner_alias, \
                         (SELECT agent_id FROM chat_guests WHERE contact_id = contacts.id) AS guest_agent, \
                         (SELECT a.alias FROM chat_guests g JOIN agents a ON a.id = g.agent_id \
                          WHERE g.contact_id = contacts.id) AS guest_alias \
                         FROM contacts WHERE id IN ({})",
                        list.join(", ")
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for id in ids {
                        query = query.bind(id.0);
                    }
                    let mut found = std::collections::HashMap::with_capacity(ids.len());
                    for row in query.fetch_all(pool).await? {
                        let guest = row.try_get::<Option<i64>, _>("guest_agent")?;
                        let guest_alias: Option<String> = row.try_get("guest_alias")?;
                        let parties = ChatParties {
                            contact: contact_from_row(&row)?,
                            customer_name: row.try_get("customer_name")?,
                            owner_alias: row.try_get("owner_alias")?,
                            guest: guest.map(AgentId).zip(guest_alias),
                        };
                        found.insert(parties.contact.id, parties);
                    }
                    Ok(found)
                }

                /// Stores a batch of lines (see [`crate::store::lines`]) in one transaction;
                /// should it fail (a line another process stored meanwhile, say), each line
                /// is stored alone, so one line never takes the others down with it.
                pub(crate) async fn write_lines(
                    pool: &Pool,
                    batch: Vec<LineRequest>,
                ) -> Vec<StoreResult<Appended>> {
                    match Self::write_batch(pool, &batch).await {
                        Ok(results) => results,
                        Err(e) => {
                            if batch.len() > 1 {
                                tracing::warn!(error = %e, lines = batch.len(), "batch of lines refused: each stored alone");
                            }
                            let mut results = Vec::with_capacity(batch.len());
                            for line in &batch {
                                results.push(Self::write_alone(pool, line).await);
                            }
                            results
                        }
                    }
                }

                /// Three statements whatever the batch holds: the lines already stored
                /// (resends), the chats' next numbers, the new lines.
                async fn write_batch(
                    pool: &Pool,
                    batch: &[LineRequest],
                ) -> StoreResult<Vec<StoreResult<Appended>>> {
                    let stored = Self::stored_lines(pool, batch).await?;
                    let places = places(batch, |i| stored.contains_key(&i));
                    // How many new lines each chat gets, in the order chats first appear.
                    let chats = counts_in_order(
                        batch.iter().zip(&places).filter(|(_, place)| **place == Place::New).map(|(line, _)| line.contact),
                    );
                    // The number given to each new line, by its place in the batch.
                    let mut given: Vec<Option<i64>> = vec![None; batch.len()];
                    let mut last_seq: Vec<(ContactId, i64)> = Vec::new();
                    if !chats.is_empty() {
                        let mut tx = pool.begin().await?;
                        // Writing first takes SQLite's write lock at once (see
                        // record_state_change).
                        let sql = advance_streams_sql(Self::NUMBERED_PARAMS, "contacts", "id", chats.len());
                        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for (contact, n) in &chats {
                            update = update.bind(contact.0).bind(*n);
                        }
                        for (contact, _) in &chats {
                            update = update.bind(contact.0);
                        }
                        for row in update.fetch_all(&mut *tx).await? {
                            last_seq.push((ContactId(row.try_get("id")?), row.try_get("last_seq")?));
                        }
                        // Each found chat's new lines take the numbers up to its last, in order.
                        let mut next: Vec<(ContactId, i64)> = chats
                            .iter()
                            .filter_map(|(c, n)| {
                                last_seq.iter().find(|(l, _)| l == c).map(|(_, last)| (*c, last - n + 1))
                            })
                            .collect();
                        let mut marks = Placeholders::new(Self::NUMBERED_PARAMS);
                        let mut values = Vec::new();
                        let mut rows = Vec::new();
                        for (i, (line, place)) in batch.iter().zip(&places).enumerate() {
                            if *place != Place::New {
                                continue;
                            }
                            if let Some((_, seq)) = next.iter_mut().find(|(c, _)| *c == line.contact) {
                                values.push(marks.row(6));
                                rows.push((i, *seq));
                                *seq += 1;
                            }
                        }
                        if !rows.is_empty() {
                            let sql = format!(
                                "INSERT INTO chat_lines (contact_id, seq, at_ms, sender, client_id, body) \
                                 VALUES {}",
                                values.join(", ")
                            );
                            let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
                            for (i, seq) in &rows {
                                let line = &batch[*i];
                                insert = insert
                                    .bind(line.contact.0)
                                    .bind(*seq)
                                    .bind(line.now_ms)
                                    .bind(line.sender.clone())
                                    .bind(line.client_id.clone())
                                    .bind(line.body_json.clone());
                            }
                            insert.execute(&mut *tx).await?;
                            let events: Vec<(i64, i64, i64)> = rows
                                .iter()
                                .map(|(i, seq)| (batch[*i].contact.0, *seq, batch[*i].now_ms))
                                .collect();
                            write_line_events(&mut tx, Self::NUMBERED_PARAMS, &events).await?;
                            let firsts: Vec<(i64, i64, &str)> = rows
                                .iter()
                                .map(|(i, _)| {
                                    let line = &batch[*i];
                                    (line.contact.0, line.now_ms, line.sender.as_str())
                                })
                                .collect();
                            note_first_responses(&mut tx, &firsts).await?;
                        }
                        tx.commit().await?;
                        for (i, seq) in rows {
                            given[i] = Some(seq);
                        }
                    }
                    Ok(Self::answers(batch, &places, &stored, &given))
                }

                /// Each line's answer: new with its number, the stored copy, or not found.
                fn answers(
                    batch: &[LineRequest],
                    places: &[Place],
                    stored: &std::collections::HashMap<usize, ChatLine>,
                    given: &[Option<i64>],
                ) -> Vec<StoreResult<Appended>> {
                    let new_line = |i: usize| {
                        given[i].map(|seq| ChatLine {
                            seq: seq as Seq,
                            at_ms: batch[i].now_ms,
                            body: batch[i].body.clone(),
                        })
                    };
                    places
                        .iter()
                        .enumerate()
                        .map(|(i, place)| match place {
                            Place::New => new_line(i)
                                .map(|line| Appended { line, fresh: true })
                                .ok_or(StoreError::NotFound),
                            Place::SameAs(j) => new_line(*j)
                                .map(|line| Appended { line, fresh: false })
                                .ok_or(StoreError::NotFound),
                            Place::Stored(j) => Ok(Appended {
                                line: stored[j].clone(),
                                fresh: false,
                            }),
                        })
                        .collect()
                }

                /// The lines of the batch already stored (resent after a reconnect), by
                /// their place in the batch.
                async fn stored_lines(
                    pool: &Pool,
                    batch: &[LineRequest],
                ) -> StoreResult<std::collections::HashMap<usize, ChatLine>> {
                    let keyed: Vec<(usize, &LineRequest)> =
                        batch.iter().enumerate().filter(|(_, l)| l.client_id.is_some()).collect();
                    let mut found = std::collections::HashMap::new();
                    if keyed.is_empty() {
                        return Ok(found);
                    }
                    let mut marks = Placeholders::new(Self::NUMBERED_PARAMS);
                    let values: Vec<String> = keyed.iter().map(|_| marks.row(3)).collect();
                    // A join on a named list, not `(…) IN (VALUES …)`: SQLite scans the
                    // whole table for the latter, and reaches each line through the
                    // unique index for the former (the batch's cost must not grow with
                    // every line ever stored).
                    let sql = format!(
                        "WITH wanted (contact_id, sender, client_id) AS (VALUES {}) \
                         SELECT l.contact_id, l.sender, l.client_id, l.seq, l.at_ms, l.body \
                         FROM wanted w JOIN chat_lines l ON l.contact_id = w.contact_id \
                         AND l.sender = w.sender AND l.client_id = w.client_id",
                        values.join(", ")
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for (_, line) in &keyed {
                        query = query
                            .bind(line.contact.0)
                            .bind(line.sender.clone())
                            .bind(line.client_id.clone());
                    }
                    for row in query.fetch_all(pool).await? {
                        let contact = ContactId(row.try_get("contact_id")?);
                        let sender: String = row.try_get("sender")?;
                        let client_id: Option<String> = row.try_get("client_id")?;
                        let line = line_from_row(&row)?;
                        for (i, l) in &keyed {
                            if l.contact == contact && l.sender == sender && l.client_id == client_id {
                                found.insert(*i, line.clone());
                            }
                        }
                    }
                    Ok(found)
                }

                /// One line in its own transaction: the path a refused batch falls back to.
                async fn write_alone(pool: &Pool, line: &LineRequest) -> StoreResult<Appended> {
                    let existing = |client_id: &str| {
                        sqlx::query(
                            "SELECT seq, at_ms, body FROM chat_lines \
                             WHERE contact_id = $1 AND sender = $2 AND client_id = $3",
                        )
                        .bind(line.contact.0)
                        .bind(line.sender.clone())
                        .bind(client_id.to_string())
                    };
                    if let Some(id) = &line.client_id {
                        if let Some(row) = existing(id).fetch_optional(pool).await? {
                            return Ok(Appended { line: line_from_row(&row)?, fresh: false });
                        }
                    }
                    let mut tx = pool.begin().await?;
                    let seq: Option<i64> = sqlx::query_scalar(
                        "UPDATE contacts SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq",
                    )
                    .bind(line.contact.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let seq = seq.ok_or(StoreError::NotFound)?;
                    let inserted = sqlx::query(
                        "INSERT INTO chat_lines (contact_id, seq, at_ms, sender, client_id, body) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(line.contact.0)
                    .bind(seq)
                    .bind(line.now_ms)
                    .bind(line.sender.clone())
                    .bind(line.client_id.clone())
                    .bind(line.body_json.clone())
                    .execute(&mut *tx)
                    .await;
                    match inserted.map_err(conflict_or) {
                        Ok(_) => {
                            write_line_events(
                                &mut tx,
                                Self::NUMBERED_PARAMS,
                                &[(line.contact.0, seq, line.now_ms)],
                            )
                            .await?;
                            note_first_responses(
                                &mut tx,
                                &[(line.contact.0, line.now_ms, line.sender.as_str())],
                            )
                            .await?;
                            tx.commit().await?;
                            Ok(Appended {
                                line: ChatLine { seq: seq as Seq, at_ms: line.now_ms, body: line.body.clone() },
                                fresh: true,
                            })
                        }
                        // The same message raced in from another process: keep the first.
                        Err(StoreError::Conflict) => {
                            tx.rollback().await?;
                            let id = line.client_id.as_deref().unwrap_or_default();
                            let row = existing(id).fetch_one(pool).await?;
                            Ok(Appended { line: line_from_row(&row)?, fresh: false })
                        }
                        Err(e) => Err(e),
                    }
                }
            }

            /// A new customer row (its phone's digits kept to find it by).
            pub(super) async fn insert_customer(
                conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
                customer: &NewCustomer,
                at_ms: i64,
            ) -> StoreResult<CustomerId> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO customers (name, email, phone, phone_digits, created_at_ms) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(&customer.name)
                .bind(&customer.email)
                .bind(&customer.phone)
                .bind(
                    customer
                        .phone
                        .as_deref()
                        .map(app::domain::customer::phone_digits)
                        .filter(|digits| !digits.is_empty()),
                )
                .bind(at_ms)
                .fetch_one(&mut *conn)
                .await?;
                Ok(CustomerId(id))
            }

            #[async_trait::async_trait]
            impl ContactStore for $store {
                async fn snapshot_wrap_up(&self, contact: ContactId, csq: CsqId) -> StoreResult<Vec<WrapUpReason>> {
                    let mut tx = self.writer.begin().await?;
                    let offered = Self::copy_wrap_up(&mut tx, contact, csq).await?;
                    tx.commit().await?;
                    Ok(offered)
                }

                async fn accept_contact(
                    &self,
                    id: ContactId,
                    from: &[ContactStatus],
                    status: ContactStatus,
                    agent: AgentId,
                    now_ms: i64,
                ) -> StoreResult<Option<(Contact, Vec<WrapUpReason>)>> {
                    let mut tx = self.writer.begin().await?;
                    let Some(row) = Self::step_query(from)
                        .bind(id.0)
                        .bind(status.as_str())
                        .bind(Some(agent.0))
                        .bind(None::<String>)
                        .bind(now_ms)
                        .fetch_optional(&mut *tx)
                        .await?
                    else {
                        return Ok(None);
                    };
                    let contact = contact_from_row(&row)?;
                    let offered = Self::copy_wrap_up(&mut tx, id, contact.csq).await?;
                    record_contact_step(&mut tx, &contact, None, now_ms).await?;
                    tx.commit().await?;
                    Ok(Some((contact, offered)))
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
                    let mut tx = self.writer.begin().await?;
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
                    let mut tx = self.writer.begin().await?;
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
                        .execute(&self.writer)
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
                    .execute(&self.writer)
                    .await
                    .map_err(conflict_or)?;
                    Ok(())
                }

                async fn join_as_guest(
                    &self,
                    contact: ContactId,
                    agent: AgentId,
                    at_ms: i64,
                ) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "INSERT INTO chat_guests (contact_id, agent_id, notes, joined_at_ms) \
                         SELECT id, $2, '', $3 FROM contacts \
                         WHERE id = $1 AND status = 'active' AND agent_id IS NOT NULL \
                         AND NOT EXISTS (SELECT 1 FROM chat_invitations i WHERE i.contact_id = $1) \
                         ON CONFLICT (contact_id) DO NOTHING",
                    )
                    .bind(contact.0)
                    .bind(agent.0)
                    .bind(at_ms)
                    .execute(&self.writer)
                    .await?;
                    Ok(done.rows_affected() == 1)
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
                        .execute(&self.writer)
                        .await?;
                    Ok(())
                }

                async fn create_customer(&self, customer: &NewCustomer) -> StoreResult<CustomerId> {
                    let mut conn = self.writer.acquire().await?;
                    insert_customer(&mut conn, customer, $crate::clock::now_ms()).await
                }

                async fn customer_contacts(
                    &self,
                    customer: CustomerId,
                    except: ContactId,
                    limit: usize,
                ) -> StoreResult<Vec<Contact>> {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE customer_id = $1 AND id <> $2 \
                         ORDER BY id DESC LIMIT $3"
                    )))
                    .bind(customer.0)
                    .bind(except.0)
                    .bind(limit as i64)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter().map(contact_from_row).collect()
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
                    let mut tx = self.writer.begin().await?;
                    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO contacts (channel, csq_id, customer_id, status, problem, \
                         details, created_at_ms, queued_at_ms) \
                         VALUES ($1, $2, $3, 'queued', $4, $5, $6, $6) RETURNING {CONTACT_COLUMNS}"
                    )))
                    .bind(chat.channel.as_str())
                    .bind(chat.csq.0)
                    .bind(chat.customer.0)
                    .bind(&chat.problem)
                    .bind(to_json(&chat.details)?)
                    .bind(now_ms)
                    .fetch_one(&mut *tx)
                    .await?;
                    let contact = contact_from_row(&row)?;
                    write_contact_log(&mut tx, &contact, ContactStep::Queued, None, now_ms).await?;
                    write_started_event(&mut tx, contact.id, contact.customer, now_ms).await?;
                    tx.commit().await?;
                    Ok(contact)
                }

                async fn timeline(&self, id: ContactId) -> StoreResult<Timeline> {
                    let first_response_at_ms: Option<i64> = found(
                        sqlx::query("SELECT first_response_at_ms FROM contacts WHERE id = $1")
                            .bind(id.0)
                            .fetch_optional(&self.pool)
                            .await?,
                        |r| Ok(r.try_get("first_response_at_ms")?),
                    )?;
                    let rows = sqlx::query(
                        "SELECT at_ms, step, channel, csq_id, agent_id, reason, wait_ms FROM contact_log \
                         WHERE contact_id = $1 ORDER BY id",
                    )
                    .bind(id.0)
                    .fetch_all(&self.pool)
                    .await?;
                    let corrupt = |what: &str| StoreError::Corrupt(format!("contact log: {what}"));
                    let steps = rows
                        .iter()
                        .map(|r| {
                            let step: String = r.try_get("step")?;
                            let channel: String = r.try_get("channel")?;
                            let reason: Option<String> = r.try_get("reason")?;
                            Ok(LoggedStep {
                                at_ms: r.try_get("at_ms")?,
                                step: ContactStep::parse(&step).ok_or_else(|| corrupt(&step))?,
                                channel: Channel::parse(&channel).ok_or_else(|| corrupt(&channel))?,
                                csq: CsqId(r.try_get("csq_id")?),
                                agent: r.try_get::<Option<i64>, _>("agent_id")?.map(AgentId),
                                reason: match reason {
                                    Some(name) => Some(EndReason::parse(&name).ok_or_else(|| corrupt(&name))?),
                                    None => None,
                                },
                                wait_ms: r.try_get("wait_ms")?,
                            })
                        })
                        .collect::<StoreResult<Vec<_>>>()?;
                    Ok(Timeline { steps, first_response_at_ms })
                }

                async fn contact(&self, id: ContactId) -> StoreResult<Contact> {
                    found(
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1"
                        )))
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?,
                        contact_from_row,
                    )
                }

                async fn chat_parties(&self, id: ContactId) -> StoreResult<ChatParties> {
                    self.parties.call(id).await
                }

                async fn update_contact(
                    &self,
                    id: ContactId,
                    status: ContactStatus,
                    agent: Option<AgentId>,
                    now_ms: i64,
                ) -> StoreResult<Contact> {
                    // Any state: the step the domain decided is recorded as it is.
                    const ANY: [ContactStatus; 4] = [
                        ContactStatus::Queued,
                        ContactStatus::Offered,
                        ContactStatus::Active,
                        // Any reason: only the status's name ('ended') is compared.
                        ContactStatus::Ended(EndReason::EndedByAgent),
                    ];
                    self.step_contact(id, &ANY, status, agent, now_ms)
                        .await?
                        .ok_or(StoreError::NotFound)
                }

                async fn step_contact(
                    &self,
                    id: ContactId,
                    from: &[ContactStatus],
                    status: ContactStatus,
                    agent: Option<AgentId>,
                    now_ms: i64,
                ) -> StoreResult<Option<Contact>> {
                    let end_reason = match status {
                        ContactStatus::Ended(reason) => Some(to_json(&reason)?),
                        _ => None,
                    };
                    let mut tx = self.writer.begin().await?;
                    let done = Self::step_query(from)
                        .bind(id.0)
                        .bind(status.as_str())
                        .bind(agent.map(|a| a.0))
                        .bind(end_reason)
                        .bind(now_ms)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let contact = done.as_ref().map(contact_from_row).transpose()?;
                    if let Some(contact) = &contact {
                        record_contact_step(&mut tx, contact, agent, now_ms).await?;
                    }
                    tx.commit().await?;
                    Ok(contact)
                }

                async fn step_contact_as_leader(
                    &self,
                    id: ContactId,
                    from: &[ContactStatus],
                    status: ContactStatus,
                    agent: Option<AgentId>,
                    epoch: i64,
                    now_ms: i64,
                ) -> StoreResult<Option<Contact>> {
                    let fence = <$store>::LEAD_FENCE;
                    let query = Self::step_query_with(from, fence)
                        .bind(id.0)
                        .bind(status.as_str())
                        .bind(agent.map(|a| a.0))
                        .bind(None::<String>)
                        .bind(now_ms);
                    let query = if fence.is_empty() { query } else { query.bind(epoch) };
                    let mut tx = self.writer.begin().await?;
                    let done = query.fetch_optional(&mut *tx).await?;
                    let contact = done.as_ref().map(contact_from_row).transpose()?;
                    if let Some(contact) = &contact {
                        record_contact_step(&mut tx, contact, agent, now_ms).await?;
                    }
                    tx.commit().await?;
                    Ok(contact)
                }

                async fn open_contacts(&self) -> StoreResult<Vec<Contact>> {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {CONTACT_COLUMNS} FROM contacts \
                         WHERE status IN ('queued', 'offered', 'active') ORDER BY queued_at_ms, id"
                    )))
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter().map(contact_from_row).collect()
                }

                async fn held_contacts(&self, agent: AgentId) -> StoreResult<Vec<Contact>> {
                    // Two indexed reads (the agent's own, the group chats it joined), sorted
                    // here: an OR, or an ORDER BY over the union, sends both databases
                    // through every active contact instead.
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE agent_id = $1 AND status = 'active' \
                         UNION SELECT {CONTACT_COLUMNS} FROM contacts WHERE status = 'active' AND id IN \
                              (SELECT contact_id FROM chat_guests WHERE agent_id = $1)"
                    )))
                    .bind(agent.0)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut held = rows.iter().map(contact_from_row).collect::<StoreResult<Vec<_>>>()?;
                    held.sort_by_key(|c| (c.queued_at_ms, c.id.0));
                    Ok(held)
                }

                async fn owned_contacts(&self, agent: AgentId) -> StoreResult<Vec<Contact>> {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE agent_id = $1 AND status = 'active' \
                         ORDER BY queued_at_ms, id"
                    )))
                    .bind(agent.0)
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
                    self.lines
                        .call(LineRequest {
                            contact,
                            sender: sender.key(),
                            client_id: client_id.map(str::to_string),
                            body_json: to_json(body)?,
                            body: body.clone(),
                            now_ms,
                        })
                        .await
                }

                async fn record_chat_files(&self, contact: ContactId, files: &[LineFile]) -> StoreResult<()> {
                    for file in files {
                        let Some(sha256) = &file.sha256 else { continue };
                        sqlx::query(
                            "INSERT INTO chat_files (contact_id, sha256, name, content_type, size) \
                             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (contact_id, sha256) DO NOTHING",
                        )
                        .bind(contact.0)
                        .bind(sha256)
                        .bind(&file.name)
                        .bind(&file.content_type)
                        .bind(file.size as i64)
                        .execute(&self.writer)
                        .await?;
                    }
                    Ok(())
                }

                async fn chat_file(&self, contact: ContactId, sha256: &str) -> StoreResult<Option<LineFile>> {
                    let row = sqlx::query(
                        "SELECT name, content_type, size FROM chat_files \
                         WHERE contact_id = $1 AND sha256 = $2",
                    )
                    .bind(contact.0)
                    .bind(sha256)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|row| -> StoreResult<LineFile> {
                        Ok(LineFile {
                            name: row.try_get("name")?,
                            content_type: row.try_get("content_type")?,
                            size: row.try_get::<i64, _>("size")? as u64,
                            sha256: Some(sha256.to_string()),
                        })
                    })
                    .transpose()
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

                async fn logged_in_agents(&self, csq: CsqId) -> StoreResult<u32> {
                    let statuses: Vec<String> = sqlx::query_scalar(
                        "SELECT s.status FROM agent_status s \
                         JOIN csq_members m ON m.agent_id = s.agent_id WHERE m.csq_id = $1",
                    )
                    .bind(csq.0)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut logged_in = 0;
                    for status in statuses {
                        let status: app::domain::state::AgentStatus = from_json(&status)?;
                        if status.state != app::domain::state::AgentState::LoggedOut {
                            logged_in += 1;
                        }
                    }
                    Ok(logged_in)
                }

                async fn queue_place(&self, contact: ContactId) -> StoreResult<Option<u32>> {
                    let place: Option<i64> = sqlx::query_scalar(
                        "SELECT (SELECT COUNT(*) FROM contacts o WHERE o.csq_id = c.csq_id \
                         AND o.channel <> 'email' AND o.status IN ('queued', 'offered') \
                         AND (o.queued_at_ms < c.queued_at_ms \
                         OR (o.queued_at_ms = c.queued_at_ms AND o.id <= c.id))) \
                         FROM contacts c WHERE c.id = $1 AND c.status IN ('queued', 'offered')",
                    )
                    .bind(contact.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(place.map(|p| p as u32))
                }

                async fn recent_chat_waits(
                    &self,
                    csq: CsqId,
                    since_ms: i64,
                    limit: u32,
                ) -> StoreResult<Vec<i64>> {
                    Ok(sqlx::query_scalar(
                        "SELECT accepted_at_ms - queued_at_ms FROM contacts \
                         WHERE csq_id = $1 AND channel <> 'email' AND accepted_at_ms >= $2 \
                         ORDER BY accepted_at_ms DESC LIMIT $3",
                    )
                    .bind(csq.0)
                    .bind(since_ms)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?)
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

                async fn mark_join_told(&self, contact: ContactId, at_ms: i64) -> StoreResult<bool> {
                    let marked = sqlx::query(
                        "UPDATE contacts SET join_told_at_ms = $2 \
                         WHERE id = $1 AND join_told_at_ms IS NULL",
                    )
                    .bind(contact.0)
                    .bind(at_ms)
                    .execute(&self.writer)
                    .await?;
                    Ok(marked.rows_affected() == 1)
                }

                async fn mark_silence_warned(
                    &self,
                    contact: ContactId,
                    at_ms: i64,
                    was: Option<i64>,
                ) -> StoreResult<bool> {
                    let marked = sqlx::query(
                        "UPDATE contacts SET silence_warned_at_ms = $2 \
                         WHERE id = $1 AND silence_warned_at_ms IS NOT DISTINCT FROM $3",
                    )
                    .bind(contact.0)
                    .bind(at_ms)
                    .bind(was)
                    .execute(&self.writer)
                    .await?;
                    Ok(marked.rows_affected() == 1)
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
        }
    };
}

pub(super) use impl_contacts_store;
