//! The email tables' SQL, shared by both backends like [`super::sql`].

/// References followed when threading a message (the newest ones matter; a long chain is cut).
const MAX_REFERENCES: usize = 30;
/// SPEC E-4: a message without usable references joins the latest thread of the same sender
/// and subject if that thread saw a message in this many days.
const SUBJECT_THREAD_DAYS: i64 = 30;

pub(super) fn references_to_follow(email: &super::email::NewEmail) -> Vec<String> {
    let mut ids: Vec<String> = email
        .in_reply_to
        .iter()
        .chain(email.references.iter().rev())
        .filter(|id| !id.is_empty())
        .cloned()
        .collect();
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    ids.truncate(MAX_REFERENCES);
    ids
}

pub(super) const SUBJECT_THREAD_MS: i64 = SUBJECT_THREAD_DAYS * 24 * 3600 * 1000;

macro_rules! impl_email_store {
    ($store:ty, $row:ty) => {
        mod email_impl {
            use super::*;
            use app::domain::{
                contact::Contact,
                email::{thread_subject, EmailAddress, EmailHeader, EmailView, SkippedPart},
                ids::{AgentId, AttachmentId, ContactId, CsqId, CustomerId},
            };
            use app::domain::limits::LEFT_MESSAGE_ACKS_PER_ADDRESS_PER_DAY;
            use $crate::store::{
                email::{
                    EmailStore, NewAck, NewEmail, StoredAttachment, StoredEmail, Taken,
                    LEFT_UID_VALIDITY,
                },
                email_sql::{references_to_follow, SUBJECT_THREAD_MS},
                sql::{found, from_json, to_json},
                StoreError, StoreResult,
            };

            fn attachment_from_row(row: &$row) -> StoreResult<StoredAttachment> {
                Ok(StoredAttachment {
                    id: AttachmentId(row.try_get("id")?),
                    contact: ContactId(row.try_get("contact_id")?),
                    name: row.try_get("name")?,
                    content_type: row.try_get("content_type")?,
                    size: row.try_get::<i64, _>("size")? as u64,
                    sha256: row.try_get("sha256")?,
                    content_id: row.try_get("content_id")?,
                    inline: row.try_get("inline")?,
                })
            }

            const ATTACHMENT_COLUMNS: &str =
                "id, contact_id, name, content_type, size, sha256, content_id, inline";

            type Tx<'t> = sqlx::Transaction<'t, <$row as sqlx::Row>::Database>;

            /// A message the mailbox sends on its own (no agent's reply: a left message's
            /// acknowledgement, an email started through the API) into the outbox, due at
            /// once, in the caller's transaction.
            pub(super) async fn queue_message(
                tx: &mut Tx<'_>,
                contact: ContactId,
                mailbox: &str,
                message: &NewAck,
                now_ms: i64,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO email_outbox (contact_id, agent_id, mailbox, envelope_from, \
                     recipients, message, message_id, state, attempts, next_attempt_at_ms, \
                     created_at_ms) VALUES ($1, NULL, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
                )
                .bind(contact.0)
                .bind(mailbox)
                .bind(&message.envelope_from)
                .bind(to_json(&message.recipients)?)
                .bind(&message.message)
                .bind(&message.message_id)
                .bind(now_ms)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// Stores one message inside the caller's transaction; None when it was taken
            /// before (nothing written but, after a UIDVALIDITY change, the progress).
            async fn take_in(
                tx: &mut Tx<'_>,
                email: &NewEmail,
                now_ms: i64,
            ) -> StoreResult<Option<(Contact, Option<(AgentId, i64)>)>> {
                // Writing first takes SQLite's write lock at once.
                sqlx::query(
                    "INSERT INTO mailbox_progress (mailbox, uid_validity, last_uid) \
                     VALUES ($1, $2, 0) ON CONFLICT (mailbox) DO NOTHING",
                )
                .bind(&email.mailbox)
                .bind(i64::from(email.uid_validity))
                .execute(&mut **tx)
                .await?;
                // Locked until the transaction ends (PostgreSQL): a second intake of the
                // mailbox (another node that took it over, issue 14) waits here and then sees
                // this one's progress, so no message is taken twice.
                let sql = format!(
                    "SELECT uid_validity, last_uid FROM mailbox_progress WHERE mailbox = $1{}",
                    <$store>::FOR_UPDATE
                );
                let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(&email.mailbox)
                    .fetch_one(&mut **tx)
                    .await?;
                let validity: i64 = row.try_get("uid_validity")?;
                let last_uid: i64 = row.try_get("last_uid")?;
                let progress = |tx| {
                    sqlx::query(
                        "UPDATE mailbox_progress SET uid_validity = $2, last_uid = $3 \
                         WHERE mailbox = $1",
                    )
                    .bind(email.mailbox.clone())
                    .bind(i64::from(email.uid_validity))
                    .bind(i64::from(email.uid))
                    .execute(tx)
                };
                if validity == i64::from(email.uid_validity) && i64::from(email.uid) <= last_uid {
                    return Ok(None);
                }
                // After a UIDVALIDITY change the same message comes with a new UID: its
                // Message-ID tells it was taken.
                if let Some(message_id) = &email.message_id {
                    let seen: Option<i64> = sqlx::query_scalar(
                        "SELECT contact_id FROM emails WHERE mailbox = $1 AND message_id = $2 \
                         AND uid_validity <> $3 LIMIT 1",
                    )
                    .bind(&email.mailbox)
                    .bind(message_id)
                    .bind(i64::from(email.uid_validity))
                    .fetch_optional(&mut **tx)
                    .await?;
                    if seen.is_some() {
                        progress(&mut **tx).await?;
                        return Ok(None);
                    }
                }
                let stored = store_in(tx, email, None, now_ms).await?;
                progress(&mut **tx).await?;
                Ok(Some(stored))
            }

            /// Stores a new email (its thread, customer, contact and files) inside the
            /// caller's transaction: the customer `known`, else the sender's. A message not
            /// read from a mailbox ([`LEFT_UID_VALIDITY`]) takes its contact's id as its UID.
            pub(super) async fn store_in(
                tx: &mut Tx<'_>,
                email: &NewEmail,
                known: Option<CustomerId>,
                now_ms: i64,
            ) -> StoreResult<(Contact, Option<(AgentId, i64)>)> {
                // SPEC E-4: the thread, by references first, by sender and subject else.
                let mut thread: Option<i64> = None;
                for reference in references_to_follow(email) {
                    thread = sqlx::query_scalar(
                        "SELECT thread_id FROM emails WHERE message_id = $1 \
                         UNION ALL SELECT e.thread_id FROM email_outbox o \
                         JOIN emails e ON e.contact_id = o.contact_id \
                         WHERE o.message_id = $1 OR o.message_id = $2 \
                         LIMIT 1",
                    )
                    .bind(&reference)
                    // The outbox keeps its ids as they go out, in angle brackets; a
                    // message's references are read without.
                    .bind(format!("<{reference}>"))
                    .fetch_optional(&mut **tx)
                    .await?;
                    if thread.is_some() {
                        break;
                    }
                }
                let subject_key = thread_subject(&email.subject);
                let from_address = email.from.address.to_lowercase();
                // An email the API starts (`known`) is from the mailbox itself: its subject
                // says nothing of whose thread it is.
                if thread.is_none() && known.is_none() && !subject_key.is_empty() {
                    thread = sqlx::query_scalar(
                        "SELECT thread_id FROM emails WHERE from_address = $1 \
                         AND thread_subject = $2 AND received_at_ms > $3 \
                         ORDER BY received_at_ms DESC, contact_id DESC LIMIT 1",
                    )
                    .bind(&from_address)
                    .bind(&subject_key)
                    .bind(now_ms - SUBJECT_THREAD_MS)
                    .fetch_optional(&mut **tx)
                    .await?;
                }
                let thread = match thread {
                    Some(id) => id,
                    None => {
                        sqlx::query_scalar(
                            "INSERT INTO email_threads (created_at_ms) VALUES ($1) RETURNING id",
                        )
                        .bind(now_ms)
                        .fetch_one(&mut **tx)
                        .await?
                    }
                };
                // An address an agent's link kept for a customer (issue 16), else the
                // first customer who gave it.
                let customer = match known {
                    Some(known) => Some(known.0),
                    None => {
                        super::customer_impl::owner(
                            &mut **tx,
                            &app::domain::customer::CustomerAddress::Email(from_address.clone()),
                        )
                        .await?
                    }
                };
                let name = email
                    .from
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| email.from.address.clone());
                let customer = match customer {
                    Some(id) => id,
                    None => {
                        sqlx::query_scalar(
                            "INSERT INTO customers (name, email, created_at_ms) \
                             VALUES ($1, $2, $3) RETURNING id",
                        )
                        .bind(&name)
                        .bind(&email.from.address)
                        .bind(now_ms)
                        .fetch_one(&mut **tx)
                        .await?
                    }
                };
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO contacts (channel, csq_id, customer_id, status, problem, \
                     created_at_ms, queued_at_ms) VALUES ('email', $1, $2, 'queued', $3, $4, $4) \
                     RETURNING {CONTACT_COLUMNS}"
                )))
                .bind(email.csq.0)
                .bind(customer)
                .bind(&email.subject)
                .bind(now_ms)
                .fetch_one(&mut **tx)
                .await?;
                let queued = contact_from_row(&row)?;
                let contact = queued.id.0;
                sqlx::query(
                    "INSERT INTO emails (contact_id, mailbox, uid_validity, uid, thread_id, \
                     message_id, in_reply_to, refs, subject, thread_subject, from_address, \
                     from_name, to_list, cc_list, sent_at_ms, received_at_ms, text_body, \
                     html_body, has_remote_images, skipped, mailbox_address) VALUES ($1, $2, \
                     $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
                     $19, $20, $21)",
                )
                .bind(contact)
                .bind(&email.mailbox)
                .bind(i64::from(email.uid_validity))
                .bind(if email.uid_validity == LEFT_UID_VALIDITY {
                    contact
                } else {
                    i64::from(email.uid)
                })
                .bind(thread)
                .bind(&email.message_id)
                .bind(to_json(&email.in_reply_to)?)
                .bind(to_json(&email.references)?)
                .bind(&email.subject)
                .bind(&subject_key)
                .bind(&from_address)
                .bind(&email.from.name)
                .bind(to_json(&email.to)?)
                .bind(to_json(&email.cc)?)
                .bind(email.sent_at_ms)
                .bind(now_ms)
                .bind(&email.text_body)
                .bind(&email.html_body)
                .bind(email.has_remote_images)
                .bind(to_json(&email.skipped)?)
                .bind(&email.mailbox_address)
                .execute(&mut **tx)
                .await?;
                for (position, a) in email.attachments.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO email_attachments (contact_id, position, name, \
                         content_type, size, sha256, content_id, inline) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(contact)
                    .bind(position as i64)
                    .bind(&a.name)
                    .bind(&a.content_type)
                    .bind(a.size as i64)
                    .bind(&a.sha256)
                    .bind(&a.content_id)
                    .bind(a.inline)
                    .execute(&mut **tx)
                    .await?;
                }
                // Issue 17: a customer's email begins a conversation and comes in; one a CRM
                // started (a known customer's) begins one that is sent, not received.
                write_started_event(&mut **tx, queued.id, queued.customer, now_ms).await?;
                if known.is_none() {
                    // Issue 18: only a customer's email comes into a queue.
                    write_contact_log(&mut **tx, &queued, ContactStep::Queued, None, now_ms).await?;
                    let facts = $crate::store::webhooks::EventFacts {
                        contact: Some(queued.id),
                        customer: Some(queued.customer),
                        ..Default::default()
                    };
                    write_webhook_event(
                        &mut **tx,
                        app::domain::webhooks::WebhookEvent::EmailReceived,
                        &facts,
                        now_ms,
                    )
                    .await?;
                }
                let last = sqlx::query(
                    "SELECT last_agent_id, last_agent_at_ms FROM email_threads WHERE id = $1",
                )
                .bind(thread)
                .fetch_one(&mut **tx)
                .await?;
                let last_agent = match (
                    last.try_get::<Option<i64>, _>("last_agent_id")?,
                    last.try_get::<Option<i64>, _>("last_agent_at_ms")?,
                ) {
                    (Some(agent), Some(at)) => Some((AgentId(agent), at)),
                    _ => None,
                };
                Ok((queued, last_agent))
            }

            #[async_trait::async_trait]
            impl EmailStore for $store {
                async fn mailbox_progress(&self, mailbox: &str) -> StoreResult<Option<(u32, u32)>> {
                    let row = sqlx::query(
                        "SELECT uid_validity, last_uid FROM mailbox_progress WHERE mailbox = $1",
                    )
                    .bind(mailbox)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|r| {
                        Ok((
                            r.try_get::<i64, _>("uid_validity")? as u32,
                            r.try_get::<i64, _>("last_uid")? as u32,
                        ))
                    })
                    .transpose()
                }

                async fn take_email(&self, email: &NewEmail, now_ms: i64) -> StoreResult<Taken> {
                    let mut taken = self.take_emails(std::slice::from_ref(email), now_ms).await?;
                    Ok(taken.pop().unwrap_or(Taken::AlreadyTaken))
                }

                async fn take_emails(
                    &self,
                    emails: &[NewEmail],
                    now_ms: i64,
                ) -> StoreResult<Vec<Taken>> {
                    let mut tx = self.writer.begin().await?;
                    let mut stored = Vec::with_capacity(emails.len());
                    for email in emails {
                        stored.push(take_in(&mut tx, email, now_ms).await?);
                    }
                    tx.commit().await?;
                    Ok(stored
                        .into_iter()
                        .map(|outcome| match outcome {
                            Some((contact, last_agent)) => Taken::New {
                                contact,
                                last_agent,
                            },
                            None => Taken::AlreadyTaken,
                        })
                        .collect())
                }

                async fn take_left_message(
                    &self,
                    email: &NewEmail,
                    ack: &NewAck,
                    now_ms: i64,
                ) -> StoreResult<Taken> {
                    let mut tx = self.writer.begin().await?;
                    // The widget's id is in the Message-ID: the same message posted again
                    // (its answer lost) finds the first.
                    let seen: Option<i64> = sqlx::query_scalar(
                        "SELECT contact_id FROM emails WHERE mailbox = $1 AND uid_validity = $2 \
                         AND message_id = $3",
                    )
                    .bind(&email.mailbox)
                    .bind(i64::from(LEFT_UID_VALIDITY))
                    .bind(&email.message_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if seen.is_some() {
                        return Ok(Taken::AlreadyTaken);
                    }
                    // Two posts at once: the unique index lets one through.
                    let (contact, last_agent) = match store_in(&mut tx, email, None, now_ms).await {
                        Err(StoreError::Conflict) => return Ok(Taken::AlreadyTaken),
                        stored => stored?,
                    };
                    let recipients = to_json(&ack.recipients)?;
                    let acknowledged: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM email_outbox o WHERE o.agent_id IS NULL \
                         AND o.recipients = $1 AND o.created_at_ms > $2 AND EXISTS ( \
                         SELECT 1 FROM emails e WHERE e.contact_id = o.contact_id \
                         AND e.uid_validity = 0 AND e.message_id LIKE 'left.%')",
                    )
                    .bind(&recipients)
                    .bind(now_ms - 24 * 3_600_000)
                    .fetch_one(&mut *tx)
                    .await?;
                    if acknowledged >= LEFT_MESSAGE_ACKS_PER_ADDRESS_PER_DAY {
                        tracing::warn!(contact = %contact.id, "left message taken without acknowledgement: its address had enough today");
                        tx.commit().await?;
                        return Ok(Taken::New {
                            contact,
                            last_agent,
                        });
                    }
                    // The acknowledgement goes with it or not at all, due at once.
                    queue_message(&mut tx, contact.id, &email.mailbox, ack, now_ms).await?;
                    tx.commit().await?;
                    Ok(Taken::New {
                        contact,
                        last_agent,
                    })
                }

                async fn email(&self, contact: ContactId) -> StoreResult<StoredEmail> {
                    let row = sqlx::query(
                        "SELECT subject, from_address, from_name, to_list, cc_list, sent_at_ms, \
                         received_at_ms, text_body, html_body, has_remote_images, skipped, \
                         mailbox, mailbox_address, message_id, in_reply_to, refs \
                         FROM emails WHERE contact_id = $1",
                    )
                    .bind(contact.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                    let attachments = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {ATTACHMENT_COLUMNS} FROM email_attachments \
                         WHERE contact_id = $1 ORDER BY position"
                    )))
                    .bind(contact.0)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(attachment_from_row)
                    .collect::<StoreResult<Vec<_>>>()?;
                    let html_body: Option<String> = row.try_get("html_body")?;
                    let to: String = row.try_get("to_list")?;
                    let cc: String = row.try_get("cc_list")?;
                    let skipped: String = row.try_get("skipped")?;
                    let view = EmailView {
                        subject: row.try_get("subject")?,
                        from: EmailAddress {
                            name: row.try_get("from_name")?,
                            address: row.try_get("from_address")?,
                        },
                        to: from_json(&to)?,
                        cc: from_json(&cc)?,
                        sent_at_ms: row.try_get("sent_at_ms")?,
                        received_at_ms: row.try_get("received_at_ms")?,
                        attachments: attachments
                            .iter()
                            .map(|a| app::domain::email::AttachmentView {
                                id: a.id,
                                name: a.name.clone(),
                                content_type: a.content_type.clone(),
                                size: a.size,
                                inline: a.inline,
                            })
                            .collect(),
                        skipped: from_json::<Vec<SkippedPart>>(&skipped)?,
                        has_remote_images: row.try_get("has_remote_images")?,
                        is_html: html_body.is_some(),
                        mailbox_address: row.try_get("mailbox_address")?,
                        draft: None,
                    };
                    let refs: String = row.try_get("refs")?;
                    let in_reply_to: String = row.try_get("in_reply_to")?;
                    Ok(StoredEmail {
                        view,
                        mailbox: row.try_get("mailbox")?,
                        message_id: row.try_get("message_id")?,
                        references: from_json(&refs)?,
                        in_reply_to: from_json(&in_reply_to)?,
                        text_body: row.try_get("text_body")?,
                        html_body,
                        attachments,
                    })
                }

                async fn email_header(&self, contact: ContactId) -> StoreResult<Option<EmailHeader>> {
                    let row = sqlx::query(
                        "SELECT subject, received_at_ms FROM emails WHERE contact_id = $1",
                    )
                    .bind(contact.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|r| {
                        Ok(EmailHeader {
                            subject: r.try_get("subject")?,
                            received_at_ms: r.try_get("received_at_ms")?,
                        })
                    })
                    .transpose()
                }

                async fn attachment(&self, id: AttachmentId) -> StoreResult<StoredAttachment> {
                    found(
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "SELECT {ATTACHMENT_COLUMNS} FROM email_attachments WHERE id = $1"
                        )))
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?,
                        attachment_from_row,
                    )
                }

                async fn set_thread_agent(
                    &self,
                    contact: ContactId,
                    agent: AgentId,
                    at_ms: i64,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE email_threads SET last_agent_id = $2, last_agent_at_ms = $3 \
                         WHERE id = (SELECT thread_id FROM emails WHERE contact_id = $1)",
                    )
                    .bind(contact.0)
                    .bind(agent.0)
                    .bind(at_ms)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn thread_last_agent(
                    &self,
                    contact: ContactId,
                ) -> StoreResult<Option<(AgentId, i64)>> {
                    let row = sqlx::query(
                        "SELECT t.last_agent_id, t.last_agent_at_ms FROM email_threads t \
                         JOIN emails e ON e.thread_id = t.id WHERE e.contact_id = $1",
                    )
                    .bind(contact.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some(row) = row else { return Ok(None) };
                    Ok(match (
                        row.try_get::<Option<i64>, _>("last_agent_id")?,
                        row.try_get::<Option<i64>, _>("last_agent_at_ms")?,
                    ) {
                        (Some(agent), Some(at)) => Some((AgentId(agent), at)),
                        _ => None,
                    })
                }

                async fn requeue_email(
                    &self,
                    contact: ContactId,
                    csq: CsqId,
                    agent: AgentId,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    // Issue 18: logged from the row as it is before the step (its queue
                    // then tells a requeue from a transfer); rolled back with it.
                    sqlx::query(
                        "INSERT INTO contact_log (contact_id, at_ms, step, channel, csq_id, \
                         agent_id) SELECT id, $4, CASE WHEN csq_id = $2 THEN 'requeued' \
                         ELSE 'transferred' END, channel, $2, $3 FROM contacts \
                         WHERE id = $1 AND channel = 'email' AND status = 'active' \
                         AND agent_id = $3",
                    )
                    .bind(contact.0)
                    .bind(csq.0)
                    .bind(agent.0)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                    let done = sqlx::query(
                        "UPDATE contacts SET status = 'queued', csq_id = $2 \
                         WHERE id = $1 AND channel = 'email' AND status = 'active' \
                         AND agent_id = $3",
                    )
                    .bind(contact.0)
                    .bind(csq.0)
                    .bind(agent.0)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        tx.rollback().await?;
                        return Err(StoreError::NotFound);
                    }
                    sqlx::query(
                        "INSERT INTO contact_exclusions (contact_id, agent_id) VALUES ($1, $2) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(contact.0)
                    .bind(agent.0)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE email_threads SET last_agent_id = NULL, last_agent_at_ms = $3 \
                         WHERE id = (SELECT thread_id FROM emails WHERE contact_id = $1) \
                         AND last_agent_id = $2",
                    )
                    .bind(contact.0)
                    .bind(agent.0)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn put_back_email(
                    &self,
                    contact: ContactId,
                    agent: AgentId,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE contacts SET status = 'queued' \
                         WHERE id = $1 AND channel = 'email' AND status = 'active' \
                         AND agent_id = $2 RETURNING {CONTACT_COLUMNS}"
                    )))
                    .bind(contact.0)
                    .bind(agent.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(row) = done else {
                        return Err(StoreError::NotFound);
                    };
                    let back = contact_from_row(&row)?;
                    write_contact_log(&mut tx, &back, ContactStep::Requeued, Some(agent), now_ms)
                        .await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn discard_email(
                    &self,
                    contact: ContactId,
                    agent: AgentId,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let reason = to_json(&app::domain::contact::EndReason::Discarded)?;
                    let mut tx = self.writer.begin().await?;
                    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE contacts SET status = 'ended', end_reason = $3, ended_at_ms = $4 \
                         WHERE id = $1 AND channel = 'email' AND status = 'active' \
                         AND agent_id = $2 RETURNING {CONTACT_COLUMNS}"
                    )))
                    .bind(contact.0)
                    .bind(agent.0)
                    .bind(reason)
                    .bind(now_ms)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(row) = done else {
                        return Err(StoreError::NotFound);
                    };
                    record_contact_step(&mut tx, &contact_from_row(&row)?, None, now_ms).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn excluded_agents(&self, contact: ContactId) -> StoreResult<Vec<AgentId>> {
                    let ids: Vec<i64> = sqlx::query_scalar(
                        "SELECT agent_id FROM contact_exclusions WHERE contact_id = $1 ORDER BY agent_id",
                    )
                    .bind(contact.0)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(ids.into_iter().map(AgentId).collect())
                }
            }
        }
    };
}

pub(super) use impl_email_store;
