//! The privacy section's SQL (issue 17), shared by both backends like [`super::sql`] but
//! for how a conversation's text leaves the search (`$forget`, binding the contact's id).

macro_rules! impl_privacy_store {
    ($store:ty, $row:ty, $forget:literal) => {
        mod privacy_impl {
            use super::*;
            use app::domain::privacy::{CustomerSummary, Retention};
            use $crate::store::privacy::{
                Dossier, DossierAddress, DossierConversation, DossierCustomer, DossierEmail,
                DossierFile, DossierLine, DossierNote, DossierReply, Erasure, PrivacyStore,
                RETENTION_KEY,
            };
            use $crate::store::search::{containing, total_of};

            type Conn = <<$row as sqlx::Row>::Database as sqlx::Database>::Connection;

            /// A contact not over yet: not ended, or with a reply still to send.
            const OPEN: &str = "(k.status <> 'ended' OR EXISTS (SELECT 1 FROM email_outbox o \
                                 WHERE o.contact_id = k.id AND o.state = 'pending'))";

            /// The customers the search selects ($1 the lower-cased text, $2 it as a LIKE
            /// pattern, $3 a pattern of its digits or NULL).
            pub(super) const FOUND: &str = "c.erased_at_ms IS NULL AND (CAST($1 AS TEXT) = '' \
                 OR lower(c.name) LIKE $2 ESCAPE '\\' OR lower(c.email) LIKE $2 ESCAPE '\\' \
                 OR (CAST($3 AS TEXT) IS NOT NULL AND c.phone_digits LIKE $3) \
                 OR EXISTS (SELECT 1 FROM customer_handles h WHERE h.customer_id = c.id \
                     AND (lower(h.handle) LIKE $2 ESCAPE '\\' \
                          OR lower(h.profile_name) LIKE $2 ESCAPE '\\' \
                          OR (CAST($3 AS TEXT) IS NOT NULL AND h.channel IN ('phone', 'whatsapp') \
                              AND h.handle LIKE $3))))";

            fn json_or_null(text: &str) -> serde_json::Value {
                serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
            }

            async fn files(
                conn: &mut Conn,
                sql: &'static str,
                contact: i64,
            ) -> StoreResult<Vec<DossierFile>> {
                let rows = sqlx::query(sql).bind(contact).fetch_all(&mut *conn).await?;
                rows.iter()
                    .map(|r| {
                        Ok(DossierFile {
                            name: r.try_get("name")?,
                            content_type: r.try_get("content_type")?,
                            size: r.try_get("size")?,
                            sha256: r.try_get("sha256")?,
                        })
                    })
                    .collect()
            }

            /// The agents' notes on a customer, oldest first.
            pub(super) async fn notes(
                conn: &mut Conn,
                customer: CustomerId,
            ) -> StoreResult<Vec<DossierNote>> {
                sqlx::query(
                    "SELECT n.created_at_ms, a.alias, n.body FROM customer_notes n \
                     JOIN agents a ON a.id = n.agent_id WHERE n.customer_id = $1 ORDER BY n.id",
                )
                .bind(customer.0)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| {
                    Ok(DossierNote {
                        at_ms: r.try_get("created_at_ms")?,
                        by: r.try_get("alias")?,
                        text: r.try_get("body")?,
                    })
                })
                .collect()
            }

            /// Everything one conversation keeps, as its export gives it.
            pub(super) async fn conversation(
                conn: &mut Conn,
                row: &$row,
                with_lines: bool,
            ) -> StoreResult<DossierConversation> {
                let id: i64 = row.try_get("id")?;
                let wrap_up: Vec<String> = sqlx::query_scalar(
                    "SELECT r.label FROM contact_wrap_up w JOIN wrap_up_reasons r \
                     ON r.id = w.reason_id WHERE w.contact_id = $1 GROUP BY r.label ORDER BY r.label",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                let lines = if !with_lines {
                    Vec::new()
                } else {
                    sqlx::query(
                        "SELECT at_ms, sender, body FROM chat_lines WHERE contact_id = $1 ORDER BY seq",
                    )
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await?
                }
                .iter()
                .map(|r| {
                    let body: String = r.try_get("body")?;
                    Ok(DossierLine {
                        at_ms: r.try_get("at_ms")?,
                        sender: r.try_get("sender")?,
                        body: json_or_null(&body),
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
                let chat_files = files(
                    conn,
                    "SELECT name, content_type, size, sha256 FROM chat_files \
                     WHERE contact_id = $1 ORDER BY name",
                    id,
                )
                .await?;
                let email = sqlx::query(
                    "SELECT from_address, from_name, to_list, cc_list, subject, sent_at_ms, \
                     received_at_ms, text_body, html_body FROM emails WHERE contact_id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
                let email = match email {
                    None => None,
                    Some(r) => {
                        let to: String = r.try_get("to_list")?;
                        let cc: String = r.try_get("cc_list")?;
                        Some(DossierEmail {
                            from_address: r.try_get("from_address")?,
                            from_name: r.try_get("from_name")?,
                            to: json_or_null(&to),
                            cc: json_or_null(&cc),
                            subject: r.try_get("subject")?,
                            sent_at_ms: r.try_get("sent_at_ms")?,
                            received_at_ms: r.try_get("received_at_ms")?,
                            text: r.try_get("text_body")?,
                            html: r.try_get("html_body")?,
                            attachments: files(
                                conn,
                                "SELECT name, content_type, size, sha256 FROM email_attachments \
                                 WHERE contact_id = $1 ORDER BY position",
                                id,
                            )
                            .await?,
                        })
                    }
                };
                let replies = sqlx::query(
                    "SELECT recipients, reply_text, state, created_at_ms, done_at_ms \
                     FROM email_outbox WHERE contact_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| {
                    let to: String = r.try_get("recipients")?;
                    Ok(DossierReply {
                        to: json_or_null(&to),
                        text: r.try_get("reply_text")?,
                        state: r.try_get("state")?,
                        created_at_ms: r.try_get("created_at_ms")?,
                        done_at_ms: r.try_get("done_at_ms")?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
                let details: String = row.try_get("details")?;
                Ok(DossierConversation {
                    id,
                    channel: row.try_get("channel")?,
                    queue: row.try_get("queue")?,
                    status: row.try_get("status")?,
                    agent: row.try_get("agent")?,
                    about: row.try_get("problem")?,
                    details: json_or_null(&details),
                    created_at_ms: row.try_get("created_at_ms")?,
                    accepted_at_ms: row.try_get("accepted_at_ms")?,
                    ended_at_ms: row.try_get("ended_at_ms")?,
                    contents_erased_at_ms: row.try_get("contents_erased_at_ms")?,
                    wrap_up,
                    lines,
                    files: chat_files,
                    email,
                    replies,
                })
            }

            /// Erases the contents of these contacts (the caller checked they may be), in
            /// the caller's transaction; the files' hashes they referred to. A contact
            /// erased already is left as it is.
            async fn erase_in(
                conn: &mut Conn,
                contacts: &[i64],
                now_ms: i64,
            ) -> StoreResult<Vec<String>> {
                let mut shas = Vec::new();
                for &id in contacts {
                    // Marked indexed: the indexer, reading it meanwhile, finds it done and
                    // keeps nothing of what it read.
                    let marked = sqlx::query(
                        "UPDATE contacts SET contents_erased_at_ms = $2, details = '[]', \
                         problem = CASE WHEN channel = 'email' THEN '' ELSE problem END, \
                         search_indexed = TRUE \
                         WHERE id = $1 AND contents_erased_at_ms IS NULL",
                    )
                    .bind(id)
                    .bind(now_ms)
                    .execute(&mut *conn)
                    .await?;
                    if marked.rows_affected() == 0 {
                        continue;
                    }
                    sqlx::query($forget).bind(id).execute(&mut *conn).await?;
                    // Each line keeps its sender and time (response times, counts); its
                    // text, files and the customer's name go.
                    let lines = sqlx::query(
                        "SELECT seq, body FROM chat_lines WHERE contact_id = $1 ORDER BY seq",
                    )
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await?;
                    for line in &lines {
                        let stored: String = line.try_get("body")?;
                        let body = from_json::<LineBody>(&stored)
                            .map(|b| b.without_contents())
                            .unwrap_or_else(|_| LineBody::erased());
                        let body = to_json(&body)?;
                        if body == stored {
                            continue;
                        }
                        sqlx::query(
                            "UPDATE chat_lines SET body = $3, client_id = NULL \
                             WHERE contact_id = $1 AND seq = $2",
                        )
                        .bind(id)
                        .bind(line.try_get::<i64, _>("seq")?)
                        .bind(body)
                        .execute(&mut *conn)
                        .await?;
                    }
                    for table in ["chat_files", "email_attachments", "draft_files"] {
                        let sql = format!(
                            "DELETE FROM {table} WHERE contact_id = $1 RETURNING sha256"
                        );
                        let gone: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                            .bind(id)
                            .fetch_all(&mut *conn)
                            .await?;
                        shas.extend(gone);
                    }
                    sqlx::query(
                        "UPDATE emails SET subject = '', thread_subject = '', from_address = '', \
                         from_name = NULL, to_list = '[]', cc_list = '[]', text_body = '', \
                         html_body = NULL, has_remote_images = FALSE, skipped = '[]' \
                         WHERE contact_id = $1",
                    )
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query("DELETE FROM email_drafts WHERE contact_id = $1")
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query(
                        "UPDATE email_outbox SET recipients = '[]', message = $2, \
                         reply_text = NULL, last_error = NULL WHERE contact_id = $1",
                    )
                    .bind(id)
                    .bind(Vec::<u8>::new())
                    .execute(&mut *conn)
                    .await?;
                    // Lines of an ended Messenger or WhatsApp chat still to send go unsent.
                    sqlx::query("DELETE FROM meta_outbox WHERE contact_id = $1")
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    // What the webhooks were told of it (the bodies hold its contents), and
                    // what they were still to be told.
                    // Events first: a fan-out under way holds its event, and is waited for.
                    sqlx::query("DELETE FROM webhook_events WHERE contact_id = $1")
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("DELETE FROM webhook_deliveries WHERE subject = $1")
                        .bind(format!("conversation:{id}"))
                        .execute(&mut *conn)
                        .await?;
                    for table in ["chat_guests", "chat_invitations"] {
                        let sql = format!("UPDATE {table} SET notes = '' WHERE contact_id = $1");
                        sqlx::query(sqlx::AssertSqlSafe(sql))
                            .bind(id)
                            .execute(&mut *conn)
                            .await?;
                    }
                }
                shas.sort();
                shas.dedup();
                Ok(shas)
            }

            /// Removes the agents' events about these contacts (offers, assignments with
            /// their customer, history and notes), in the caller's transaction. A page that
            /// reconnects from before one of them starts again from the agent's state.
            async fn forget_events(conn: &mut Conn, contacts: &[i64]) -> StoreResult<()> {
                let mut gone = Vec::new();
                // Every event about a contact names it as `"contact":<id>`: the database
                // picks the candidates, the event read back decides.
                for chunk in contacts.chunks(50) {
                    let mut marks = $crate::store::placeholders::Placeholders::new(true);
                    let likes: Vec<String> = chunk
                        .iter()
                        .map(|_| format!("event LIKE {}", marks.next()))
                        .collect();
                    let sql = format!(
                        "SELECT agent_id, seq, event FROM agent_events WHERE {}",
                        likes.join(" OR ")
                    );
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        query = query.bind(format!("%\"contact\":{id}%"));
                    }
                    for row in query.fetch_all(&mut *conn).await? {
                        let text: String = row.try_get("event")?;
                        let about = match serde_json::from_str::<AgentEvent>(&text) {
                            Ok(event) => event.contact().is_some_and(|c| chunk.contains(&c.0)),
                            // One this version cannot read: by the id as written.
                            Err(_) => chunk.iter().any(|id| {
                                let named = format!("\"contact\":{id}");
                                text.match_indices(&named).any(|(at, _)| {
                                    matches!(text.as_bytes().get(at + named.len()), Some(b',' | b'}'))
                                })
                            }),
                        };
                        if about {
                            gone.push((
                                row.try_get::<i64, _>("agent_id")?,
                                row.try_get::<i64, _>("seq")?,
                            ));
                        }
                    }
                }
                for (agent, seq) in gone {
                    sqlx::query("DELETE FROM agent_events WHERE agent_id = $1 AND seq = $2")
                        .bind(agent)
                        .bind(seq)
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            }

            #[async_trait::async_trait]
            impl PrivacyStore for $store {
                async fn find_customers(
                    &self,
                    text: &str,
                    digits: &str,
                    offset: u32,
                    limit: u32,
                ) -> StoreResult<(Vec<CustomerSummary>, u64)> {
                    let like = containing(text);
                    let digits = (!digits.is_empty()).then(|| containing(digits));
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT * FROM (SELECT c.id, c.name, c.email, c.phone, c.created_at_ms, \
                         (SELECT COUNT(*) FROM contacts k WHERE k.customer_id = c.id) AS conversations, \
                         (SELECT COUNT(*) FROM contacts k WHERE k.customer_id = c.id AND {OPEN}) AS open, \
                         (SELECT MAX(k.created_at_ms) FROM contacts k WHERE k.customer_id = c.id) AS last_at_ms, \
                         COUNT(*) OVER () AS total \
                         FROM customers c WHERE {FOUND}) s \
                         ORDER BY COALESCE(s.last_at_ms, s.created_at_ms) DESC, s.id DESC \
                         LIMIT $4 OFFSET $5"
                    )))
                    .bind(text)
                    .bind(&like)
                    .bind(&digits)
                    .bind(i64::from(limit))
                    .bind(i64::from(offset))
                    .fetch_all(&self.pool)
                    .await?;
                    let count = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT COUNT(*) FROM customers c WHERE {FOUND}"
                    )))
                    .bind(text)
                    .bind(&like)
                    .bind(&digits)
                    .fetch_one(&self.pool);
                    let total = total_of(&rows, offset, count).await?;
                    let rows = rows
                        .iter()
                        .map(|r| {
                            Ok(CustomerSummary {
                                id: CustomerId(r.try_get("id")?),
                                name: r.try_get("name")?,
                                email: r.try_get("email")?,
                                phone: r.try_get("phone")?,
                                conversations: r.try_get::<i64, _>("conversations")? as u32,
                                open: r.try_get::<i64, _>("open")? as u32,
                                last_at_ms: r.try_get("last_at_ms")?,
                            })
                        })
                        .collect::<StoreResult<Vec<_>>>()?;
                    Ok((rows, total))
                }

                async fn dossier(&self, customer: CustomerId) -> StoreResult<Dossier> {
                    let mut conn = self.pool.acquire().await?;
                    let row = sqlx::query(
                        "SELECT id, name, email, phone, created_at_ms FROM customers \
                         WHERE id = $1 AND erased_at_ms IS NULL",
                    )
                    .bind(customer.0)
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                    let person = DossierCustomer {
                        id: row.try_get("id")?,
                        name: row.try_get("name")?,
                        email: row.try_get("email")?,
                        phone: row.try_get("phone")?,
                        created_at_ms: row.try_get("created_at_ms")?,
                    };
                    let addresses = sqlx::query(
                        "SELECT channel, handle, profile_name FROM customer_handles \
                         WHERE customer_id = $1 ORDER BY channel, handle",
                    )
                    .bind(customer.0)
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(DossierAddress {
                            kind: r.try_get("channel")?,
                            value: r.try_get("handle")?,
                            profile_name: r.try_get("profile_name")?,
                        })
                    })
                    .collect::<StoreResult<Vec<_>>>()?;
                    let notes = notes(&mut conn, customer).await?;
                    let tags: Vec<String> = sqlx::query_scalar(
                        "SELECT tag FROM customer_tags WHERE customer_id = $1 ORDER BY position",
                    )
                    .bind(customer.0)
                    .fetch_all(&mut *conn)
                    .await?;
                    let contacts = sqlx::query(
                        "SELECT k.id, k.channel, q.name AS queue, k.status, a.alias AS agent, \
                         k.problem, k.details, k.created_at_ms, k.accepted_at_ms, k.ended_at_ms, \
                         k.contents_erased_at_ms FROM contacts k JOIN csqs q ON q.id = k.csq_id \
                         LEFT JOIN agents a ON a.id = k.agent_id WHERE k.customer_id = $1 \
                         ORDER BY k.id",
                    )
                    .bind(customer.0)
                    .fetch_all(&mut *conn)
                    .await?;
                    let mut conversations = Vec::with_capacity(contacts.len());
                    for row in &contacts {
                        conversations.push(conversation(&mut conn, row, true).await?);
                    }
                    Ok(Dossier {
                        customer: person,
                        addresses,
                        notes,
                        tags,
                        conversations,
                    })
                }

                async fn erase_customer(
                    &self,
                    customer: CustomerId,
                    now_ms: i64,
                    audit: &AuditEntry,
                ) -> StoreResult<Erasure> {
                    let mut tx = self.writer.begin().await?;
                    // Writing first takes the customer's row (PostgreSQL) or the single
                    // writer (SQLite) before anything is counted.
                    let taken = sqlx::query(
                        "UPDATE customers SET name = '', email = NULL, phone = NULL, \
                         phone_digits = NULL, erased_at_ms = $2 \
                         WHERE id = $1 AND erased_at_ms IS NULL",
                    )
                    .bind(customer.0)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                    if taken.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    let open: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT COUNT(*) FROM contacts k WHERE k.customer_id = $1 AND {OPEN}"
                    )))
                    .bind(customer.0)
                    .fetch_one(&mut *tx)
                    .await?;
                    if open > 0 {
                        tx.rollback().await?;
                        return Ok(Erasure::StillOpen(open as u32));
                    }
                    let contacts: Vec<i64> = sqlx::query_scalar(
                        "SELECT id FROM contacts WHERE customer_id = $1 ORDER BY id",
                    )
                    .bind(customer.0)
                    .fetch_all(&mut *tx)
                    .await?;
                    let files = erase_in(&mut tx, &contacts, now_ms).await?;
                    for table in ["customer_handles", "customer_notes", "customer_tags"] {
                        let sql = format!("DELETE FROM {table} WHERE customer_id = $1");
                        sqlx::query(sqlx::AssertSqlSafe(sql))
                            .bind(customer.0)
                            .execute(&mut *tx)
                            .await?;
                    }
                    forget_events(&mut tx, &contacts).await?;
                    sqlx::query("DELETE FROM webhook_events WHERE customer_id = $1")
                        .bind(customer.0)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM webhook_deliveries WHERE subject = $1")
                        .bind(format!("customer:{}", customer.0))
                        .execute(&mut *tx)
                        .await?;
                    let detail = format!(
                        "{}; {} conversation(s), {} file(s)",
                        audit.detail,
                        contacts.len(),
                        files.len()
                    );
                    write_audit(&mut tx, audit, &detail).await?;
                    tx.commit().await?;
                    Ok(Erasure::Done {
                        conversations: contacts.len() as u32,
                        files,
                    })
                }

                async fn expired_contents(
                    &self,
                    ended_before_ms: i64,
                    limit: u32,
                ) -> StoreResult<Vec<ContactId>> {
                    let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT k.id FROM contacts k WHERE k.contents_erased_at_ms IS NULL \
                         AND k.status = 'ended' AND k.ended_at_ms < $1 AND NOT {OPEN} \
                         ORDER BY k.ended_at_ms, k.id LIMIT $2"
                    )))
                    .bind(ended_before_ms)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(ids.into_iter().map(ContactId).collect())
                }

                async fn erase_contents(
                    &self,
                    contacts: &[ContactId],
                    now_ms: i64,
                ) -> StoreResult<Vec<String>> {
                    let mut tx = self.writer.begin().await?;
                    let mut still = Vec::with_capacity(contacts.len());
                    for contact in contacts {
                        // Still over, under the transaction: a refused reply may have given
                        // an email back to its agent since it was listed.
                        let over: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                            "SELECT k.id FROM contacts k WHERE k.id = $1 AND k.status = 'ended' \
                             AND NOT {OPEN}"
                        )))
                        .bind(contact.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                        still.extend(over);
                    }
                    // In the order of ids, as an erasure takes them: two never wait on each other.
                    still.sort_unstable();
                    let files = erase_in(&mut tx, &still, now_ms).await?;
                    tx.commit().await?;
                    Ok(files)
                }

                async fn contents_erased_at(&self, contact: ContactId) -> StoreResult<Option<i64>> {
                    Ok(sqlx::query_scalar(
                        "SELECT contents_erased_at_ms FROM contacts WHERE id = $1",
                    )
                    .bind(contact.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .flatten())
                }

                async fn prune_agent_events(&self, before_ms: i64) -> StoreResult<u64> {
                    Ok(sqlx::query("DELETE FROM agent_events WHERE at_ms < $1")
                        .bind(before_ms)
                        .execute(&self.writer)
                        .await?
                        .rows_affected())
                }

                async fn prune_webhook_posts(&self, before_ms: i64) -> StoreResult<u64> {
                    Ok(sqlx::query(
                        "DELETE FROM meta_webhook_inbox WHERE done_at_ms IS NOT NULL \
                         AND done_at_ms < $1",
                    )
                    .bind(before_ms)
                    .execute(&self.writer)
                    .await?
                    .rows_affected())
                }

                async fn prune_webhook_log(&self, before_ms: i64) -> StoreResult<u64> {
                    let mut tx = self.writer.begin().await?;
                    let deliveries = sqlx::query(
                        "DELETE FROM webhook_deliveries WHERE state <> 'pending' \
                         AND done_at_ms < $1",
                    )
                    .bind(before_ms)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    sqlx::query("DELETE FROM webhook_events WHERE fanned_out_at_ms < $1")
                        .bind(before_ms)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(deliveries)
                }

                async fn retention(&self) -> StoreResult<Retention> {
                    let value: Option<String> =
                        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                            .bind(RETENTION_KEY)
                            .fetch_optional(&self.pool)
                            .await?;
                    Ok(Retention {
                        days: value.and_then(|v| v.parse().ok()),
                    })
                }

                async fn save_retention(
                    &self,
                    retention: &Retention,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    match retention.days {
                        Some(days) => {
                            sqlx::query(
                                "INSERT INTO settings (key, value) VALUES ($1, $2) \
                                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                            )
                            .bind(RETENTION_KEY)
                            .bind(days.to_string())
                            .execute(&mut *tx)
                            .await?;
                        }
                        None => {
                            sqlx::query("DELETE FROM settings WHERE key = $1")
                                .bind(RETENTION_KEY)
                                .execute(&mut *tx)
                                .await?;
                        }
                    }
                    tx.commit().await?;
                    Ok(())
                }
            }
        }
    };
}

pub(super) use impl_privacy_store;
