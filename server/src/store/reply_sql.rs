//! The reply tables' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_reply_store {
    ($store:ty, $row:ty) => {
        mod reply_impl {
            use super::*;
            use app::domain::{
                contact::EndReason,
                ids::{AgentId, ContactId, DraftFileId},
                reply::{Draft, DraftFile, ReplyInput, ReplyMode},
                validate::{validate_new_attachment, FieldError, FileSize},
            };
            use $crate::store::{
                reply::{NewDraftFile, NewOutbox, OutboxItem, OutboxState, ReplyStore, StoredDraftFile},
                sql::{found, from_json, to_json},
                StoreError, StoreResult,
            };

            /// `next_attempt_at_ms` of a reply queued but not yet released to the outbox.
            const HELD_MS: i64 = i64::MAX;

            const FILE_COLUMNS: &str = "id, contact_id, name, content_type, size, sha256, inline";

            fn file_from_row(row: &$row) -> StoreResult<StoredDraftFile> {
                Ok(StoredDraftFile {
                    contact: ContactId(row.try_get("contact_id")?),
                    file: DraftFile {
                        id: DraftFileId(row.try_get("id")?),
                        name: row.try_get("name")?,
                        content_type: row.try_get("content_type")?,
                        size: row.try_get::<i64, _>("size")? as u64,
                        inline: row.try_get("inline")?,
                    },
                    sha256: row.try_get("sha256")?,
                })
            }

            /// The condition "this agent holds this email now", for conditional writes.
            const HELD: &str = "EXISTS (SELECT 1 FROM contacts WHERE id = $1 AND channel = 'email' \
                                AND status = 'active' AND agent_id = $2)";

            #[async_trait::async_trait]
            impl ReplyStore for $store {
                async fn draft(&self, contact: ContactId) -> StoreResult<Option<Draft>> {
                    let files: Vec<DraftFile> = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {FILE_COLUMNS} FROM draft_files WHERE contact_id = $1 ORDER BY id"
                    )))
                    .bind(contact.0)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| file_from_row(r).map(|f| f.file))
                    .collect::<StoreResult<_>>()?;
                    let row = sqlx::query(
                        "SELECT mode, to_list, cc_list, bcc_list, body, saved_at_ms, send_error \
                         FROM email_drafts WHERE contact_id = $1",
                    )
                    .bind(contact.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some(row) = row else {
                        // Files uploaded before the first save still make a draft.
                        return Ok((!files.is_empty()).then(|| Draft {
                            files,
                            ..Draft::default()
                        }));
                    };
                    let mode: String = row.try_get("mode")?;
                    let list = |column: &str| -> StoreResult<Vec<String>> {
                        from_json(&row.try_get::<String, _>(column)?)
                    };
                    Ok(Some(Draft {
                        input: ReplyInput {
                            mode: ReplyMode::parse(&mode)
                                .ok_or_else(|| StoreError::Corrupt(format!("reply mode {mode}")))?,
                            to: list("to_list")?,
                            cc: list("cc_list")?,
                            bcc: list("bcc_list")?,
                            body: row.try_get("body")?,
                        },
                        files,
                        saved_at_ms: row.try_get("saved_at_ms")?,
                        send_error: row.try_get("send_error")?,
                    }))
                }

                async fn save_draft(
                    &self,
                    contact: ContactId,
                    agent: AgentId,
                    input: &ReplyInput,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO email_drafts (contact_id, mode, to_list, cc_list, bcc_list, \
                         body, saved_at_ms) SELECT $1, $3, $4, $5, $6, $7, $8 WHERE {HELD} \
                         ON CONFLICT (contact_id) DO UPDATE SET mode = excluded.mode, \
                         to_list = excluded.to_list, cc_list = excluded.cc_list, \
                         bcc_list = excluded.bcc_list, body = excluded.body, \
                         saved_at_ms = excluded.saved_at_ms"
                    )))
                    .bind(contact.0)
                    .bind(agent.0)
                    .bind(input.mode.as_str())
                    .bind(to_json(&input.to)?)
                    .bind(to_json(&input.cc)?)
                    .bind(to_json(&input.bcc)?)
                    .bind(&input.body)
                    .bind(now_ms)
                    .execute(&self.writer)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                }

                async fn add_draft_file(
                    &self,
                    contact: ContactId,
                    agent: AgentId,
                    file: &NewDraftFile,
                    now_ms: i64,
                ) -> StoreResult<Result<DraftFile, FieldError>> {
                    let mut tx = self.writer.begin().await?;
                    // Writing first takes SQLite's write lock at once; on PostgreSQL the row
                    // lock on the contact keeps two uploads in turn.
                    let held = sqlx::query(
                        "UPDATE contacts SET agent_id = agent_id WHERE id = $1 AND channel = 'email' \
                         AND status = 'active' AND agent_id = $2",
                    )
                    .bind(contact.0)
                    .bind(agent.0)
                    .execute(&mut *tx)
                    .await?;
                    if held.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    let existing: Vec<FileSize> = sqlx::query(
                        "SELECT name, size FROM draft_files WHERE contact_id = $1 ORDER BY id",
                    )
                    .bind(contact.0)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(FileSize {
                            name: r.try_get("name")?,
                            bytes: r.try_get::<i64, _>("size")? as u64,
                        })
                    })
                    .collect::<StoreResult<_>>()?;
                    let new = FileSize {
                        name: file.name.clone(),
                        bytes: file.size,
                    };
                    if let Err(e) = validate_new_attachment(&existing, &new) {
                        return Ok(Err(e));
                    }
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO draft_files (contact_id, name, content_type, size, sha256, \
                         inline, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(contact.0)
                    .bind(&file.name)
                    .bind(&file.content_type)
                    .bind(file.size as i64)
                    .bind(&file.sha256)
                    .bind(file.inline)
                    .bind(now_ms)
                    .fetch_one(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(Ok(DraftFile {
                        id: DraftFileId(id),
                        name: file.name.clone(),
                        content_type: file.content_type.clone(),
                        size: file.size,
                        inline: file.inline,
                    }))
                }

                async fn draft_file(&self, id: DraftFileId) -> StoreResult<StoredDraftFile> {
                    found(
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "SELECT {FILE_COLUMNS} FROM draft_files WHERE id = $1"
                        )))
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?,
                        file_from_row,
                    )
                }

                async fn remove_draft_file(
                    &self,
                    contact: ContactId,
                    agent: AgentId,
                    id: DraftFileId,
                ) -> StoreResult<String> {
                    let sha: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "DELETE FROM draft_files WHERE id = $3 AND contact_id = $1 AND {HELD} \
                         RETURNING sha256"
                    )))
                    .bind(contact.0)
                    .bind(agent.0)
                    .bind(id.0)
                    .fetch_optional(&self.writer)
                    .await?;
                    sha.ok_or(StoreError::NotFound)
                }

                async fn delete_draft(&self, contact: ContactId) -> StoreResult<Vec<String>> {
                    let mut tx = self.writer.begin().await?;
                    let shas: Vec<String> = sqlx::query_scalar(
                        "DELETE FROM draft_files WHERE contact_id = $1 RETURNING sha256",
                    )
                    .bind(contact.0)
                    .fetch_all(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM email_drafts WHERE contact_id = $1")
                        .bind(contact.0)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(shas)
                }

                async fn file_in_use(&self, sha256: &str) -> StoreResult<bool> {
                    let used: Option<i64> = sqlx::query_scalar(
                        "SELECT CAST(1 AS BIGINT) FROM draft_files WHERE sha256 = $1 UNION ALL \
                         SELECT CAST(1 AS BIGINT) FROM email_attachments WHERE sha256 = $1 UNION ALL \
                         SELECT CAST(1 AS BIGINT) FROM chat_files WHERE sha256 = $1 LIMIT 1",
                    )
                    .bind(sha256)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(used.is_some())
                }

                async fn queue_reply(&self, reply: &NewOutbox, now_ms: i64) -> StoreResult<i64> {
                    let mut tx = self.writer.begin().await?;
                    let reason = to_json(&EndReason::Sent)?;
                    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE contacts SET status = 'ended', end_reason = $3, ended_at_ms = $4 \
                         WHERE id = $1 AND channel = 'email' AND status = 'active' \
                         AND agent_id = $2 RETURNING {CONTACT_COLUMNS}"
                    )))
                    .bind(reply.contact.0)
                    .bind(reply.agent.0)
                    .bind(reason)
                    .bind(now_ms)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(ended) = done else {
                        return Err(StoreError::NotFound);
                    };
                    record_contact_step(&mut tx, &contact_from_row(&ended)?, None, now_ms).await?;
                    sqlx::query("UPDATE email_drafts SET send_error = NULL WHERE contact_id = $1")
                        .bind(reply.contact.0)
                        .execute(&mut *tx)
                        .await?;
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO email_outbox (contact_id, agent_id, mailbox, envelope_from, \
                         recipients, message, message_id, state, attempts, next_attempt_at_ms, \
                         created_at_ms, reply_text) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $9, $8, $10) RETURNING id",
                    )
                    .bind(reply.contact.0)
                    .bind(reply.agent.0)
                    .bind(&reply.mailbox)
                    .bind(&reply.envelope_from)
                    .bind(to_json(&reply.recipients)?)
                    .bind(&reply.message)
                    .bind(&reply.message_id)
                    .bind(now_ms)
                    .bind(HELD_MS)
                    .bind(&reply.text)
                    .fetch_one(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(id)
                }

                async fn reply_due(&self, id: i64, now_ms: i64) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE email_outbox SET next_attempt_at_ms = $2 \
                         WHERE id = $1 AND state = 'pending' AND next_attempt_at_ms = $3",
                    )
                    .bind(id)
                    .bind(now_ms)
                    .bind(HELD_MS)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn held_replies_due(&self, now_ms: i64) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE email_outbox SET next_attempt_at_ms = $1 \
                         WHERE state = 'pending' AND next_attempt_at_ms = $2",
                    )
                    .bind(now_ms)
                    .bind(HELD_MS)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn claim_due_replies(
                    &self,
                    mailbox: &str,
                    now_ms: i64,
                    limit: u32,
                    lease_until_ms: i64,
                ) -> StoreResult<Vec<OutboxItem>> {
                    // The next attempt moves to the lease's end as the rows are taken: no
                    // other worker (of any node) takes them meanwhile, and rows another
                    // holds are passed over, not waited for (issue 14).
                    let sql = format!(
                        "UPDATE email_outbox SET next_attempt_at_ms = $4 WHERE id IN ( \
                         SELECT id FROM email_outbox WHERE state = 'pending' \
                         AND mailbox = $3 AND next_attempt_at_ms <= $1 \
                         ORDER BY next_attempt_at_ms, id LIMIT $2{}) \
                         RETURNING id, contact_id, agent_id, mailbox, envelope_from, recipients, \
                         message, attempts",
                        Self::SKIP_LOCKED
                    );
                    let mut claimed = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(now_ms)
                    .bind(i64::from(limit))
                    .bind(mailbox)
                    .bind(lease_until_ms)
                    .fetch_all(&self.writer)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(OutboxItem {
                            id: r.try_get("id")?,
                            contact: ContactId(r.try_get("contact_id")?),
                            agent: r.try_get::<Option<i64>, _>("agent_id")?.map(AgentId),
                            mailbox: r.try_get("mailbox")?,
                            envelope_from: r.try_get("envelope_from")?,
                            recipients: from_json(&r.try_get::<String, _>("recipients")?)?,
                            message: r.try_get("message")?,
                            attempts: r.try_get::<i32, _>("attempts")? as u32,
                        })
                    })
                    .collect::<StoreResult<Vec<_>>>()?;
                    claimed.sort_by_key(|item| item.id);
                    Ok(claimed)
                }

                async fn next_reply_due(&self, mailbox: &str) -> StoreResult<Option<i64>> {
                    Ok(sqlx::query_scalar(
                        "SELECT MIN(next_attempt_at_ms) FROM email_outbox WHERE state = 'pending' \
                         AND mailbox = $2 AND next_attempt_at_ms < $1",
                    )
                    .bind(HELD_MS)
                    .bind(mailbox)
                    .fetch_one(&self.pool)
                    .await?)
                }

                async fn outbox_mailboxes(&self) -> StoreResult<Vec<String>> {
                    Ok(sqlx::query_scalar(
                        "SELECT DISTINCT mailbox FROM email_outbox WHERE state = 'pending' \
                         ORDER BY mailbox",
                    )
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn reply_sent(&self, id: i64, now_ms: i64) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    // Marked once (a second mark, after a crash between the send and the
                    // mark, changes nothing and tells no webhook twice).
                    let sent = sqlx::query(
                        "UPDATE email_outbox SET state = 'sent', done_at_ms = $2, \
                         attempts = attempts + 1, message = $3 WHERE id = $1 AND state <> 'sent' \
                         RETURNING contact_id, agent_id",
                    )
                    .bind(id)
                    .bind(now_ms)
                    .bind(Vec::<u8>::new())
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(row) = sent {
                        let facts = $crate::store::webhooks::EventFacts {
                            contact: Some(ContactId(row.try_get("contact_id")?)),
                            agent: row.try_get::<Option<i64>, _>("agent_id")?.map(AgentId),
                            ..Default::default()
                        };
                        write_webhook_event(
                            &mut tx,
                            app::domain::webhooks::WebhookEvent::EmailSent,
                            &facts,
                            now_ms,
                        )
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn reply_retry(
                    &self,
                    id: i64,
                    attempts: u32,
                    next_at_ms: i64,
                    error: &str,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE email_outbox SET attempts = $2, next_attempt_at_ms = $3, \
                         last_error = $4 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(attempts as i32)
                    .bind(next_at_ms)
                    .bind(error)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn reply_failed(&self, id: i64, error: &str, now_ms: i64) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    let row = sqlx::query(
                        "UPDATE email_outbox SET state = 'failed', last_error = $2, \
                         done_at_ms = $3, attempts = attempts + 1, message = $4 WHERE id = $1 \
                         RETURNING contact_id, agent_id",
                    )
                    .bind(id)
                    .bind(error)
                    .bind(now_ms)
                    .bind(Vec::<u8>::new())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                    let contact: i64 = row.try_get("contact_id")?;
                    let Some(agent) = row.try_get::<Option<i64>, _>("agent_id")? else {
                        tx.commit().await?;
                        return Ok(());
                    };
                    let back = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE contacts SET status = 'active', agent_id = $2, end_reason = NULL, \
                         ended_at_ms = NULL, search_indexed = FALSE WHERE id = $1 \
                         RETURNING {CONTACT_COLUMNS}"
                    )))
                    .bind(contact)
                    .bind(agent)
                    .fetch_one(&mut *tx)
                    .await?;
                    // Back in its agent's hands.
                    let back = contact_from_row(&back)?;
                    write_contact_log(&mut tx, &back, ContactStep::Reopened, back.agent, now_ms)
                        .await?;
                    write_contact_step_event(&mut tx, &back, now_ms).await?;
                    sqlx::query("UPDATE email_drafts SET send_error = $2 WHERE contact_id = $1")
                        .bind(contact)
                        .bind(error)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn outbox_of(&self, contact: ContactId) -> StoreResult<Vec<OutboxState>> {
                    sqlx::query(
                        "SELECT state, attempts, last_error FROM email_outbox \
                         WHERE contact_id = $1 ORDER BY id",
                    )
                    .bind(contact.0)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(OutboxState {
                            state: r.try_get("state")?,
                            attempts: r.try_get::<i32, _>("attempts")? as u32,
                            last_error: r.try_get("last_error")?,
                        })
                    })
                    .collect()
                }

                async fn reply_text(&self, contact: ContactId) -> StoreResult<Option<String>> {
                    let text: Option<Option<String>> = sqlx::query_scalar(
                        "SELECT reply_text FROM email_outbox WHERE contact_id = $1 \
                         AND agent_id IS NOT NULL AND state <> 'failed' ORDER BY id DESC LIMIT 1",
                    )
                    .bind(contact.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(text.flatten())
                }
            }
        }
    };
}

pub(super) use impl_reply_store;
