//! The Messenger and WhatsApp tables' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_meta_store {
    ($store:ty, $row:ty) => {
        mod meta_impl {
            use super::*;
            use app::domain::meta::{MessageStatus, MetaChannel};
            use $crate::store::meta::{
                ActivityTarget, MetaOutbox, MetaStore, StoredMetaChannel, WebhookPost,
            };
            use $crate::store::NewCustomer;

            /// How long after a chat ended its outbox is kept for the lines written as it
            /// ended.
            const ENDED_KEPT_MS: i64 = 60_000;

            /// A status's place in a message's course, in SQL: the domain's own order.
            fn status_rank() -> String {
                let ranks: Vec<String> = MessageStatus::ALL
                    .iter()
                    .map(|s| format!("WHEN '{}' THEN {}", s.name(), s.rank()))
                    .collect();
                format!("(CASE status {} ELSE 0 END)", ranks.join(" "))
            }

            /// The lines an UPDATE of meta_messages moved.
            fn moved(rows: Vec<$row>) -> StoreResult<Vec<(ContactId, Seq)>> {
                rows.iter()
                    .map(|r| {
                        Ok((
                            ContactId(r.try_get("contact_id")?),
                            r.try_get::<i64, _>("seq")? as Seq,
                        ))
                    })
                    .collect()
            }

            /// A channel name the store wrote; another is a damaged row.
            fn channel(name: &str) -> StoreResult<MetaChannel> {
                MetaChannel::from_name(name)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown channel {name:?}")))
            }

            #[async_trait::async_trait]
            impl MetaStore for $store {
                async fn meta_channel(
                    &self,
                    wanted: MetaChannel,
                ) -> StoreResult<Option<StoredMetaChannel>> {
                    let row = sqlx::query(
                        "SELECT channel, enabled, settings, app_secret, access_token \
                         FROM meta_channels WHERE channel = $1",
                    )
                    .bind(wanted.name())
                    .fetch_optional(&self.pool)
                    .await?;
                    row.map(|r| {
                        Ok(StoredMetaChannel {
                            channel: channel(r.try_get("channel")?)?,
                            enabled: r.try_get("enabled")?,
                            settings: from_json(&r.try_get::<String, _>("settings")?)?,
                            app_secret: r.try_get("app_secret")?,
                            access_token: r.try_get("access_token")?,
                        })
                    })
                    .transpose()
                }

                async fn save_meta_channel(
                    &self,
                    stored: &StoredMetaChannel,
                    audit: Option<&AuditEntry>,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    if let Some(audit) = audit {
                        write_audit(&mut tx, audit, &audit.detail).await?;
                    }
                    sqlx::query(
                        "INSERT INTO meta_channels (channel, enabled, settings, app_secret, \
                         access_token, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6) \
                         ON CONFLICT (channel) DO UPDATE SET enabled = $2, settings = $3, \
                         app_secret = $4, access_token = $5, updated_at_ms = $6",
                    )
                    .bind(stored.channel.name())
                    .bind(stored.enabled)
                    .bind(to_json(&stored.settings)?)
                    .bind(&stored.app_secret)
                    .bind(&stored.access_token)
                    .bind($crate::clock::now_ms())
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn receive_webhook(
                    &self,
                    wanted: MetaChannel,
                    body: &[u8],
                    now_ms: i64,
                ) -> StoreResult<i64> {
                    let id = sqlx::query_scalar(
                        "INSERT INTO meta_webhook_inbox (channel, body, received_at_ms) \
                         VALUES ($1, $2, $3) RETURNING id",
                    )
                    .bind(wanted.name())
                    .bind(body)
                    .bind(now_ms)
                    .fetch_one(&self.writer)
                    .await?;
                    Ok(id)
                }

                async fn pending_webhooks_after(
                    &self,
                    after: i64,
                    limit: i64,
                ) -> StoreResult<Vec<WebhookPost>> {
                    let rows = sqlx::query(
                        "SELECT id, channel, body, received_at_ms FROM meta_webhook_inbox \
                         WHERE done_at_ms IS NULL AND id > $2 ORDER BY id LIMIT $1",
                    )
                    .bind(limit)
                    .bind(after)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(WebhookPost {
                                id: r.try_get("id")?,
                                channel: channel(r.try_get("channel")?)?,
                                body: r.try_get("body")?,
                                received_at_ms: r.try_get("received_at_ms")?,
                            })
                        })
                        .collect()
                }

                async fn webhook_done(&self, id: i64, now_ms: i64) -> StoreResult<()> {
                    sqlx::query("UPDATE meta_webhook_inbox SET done_at_ms = $2 WHERE id = $1")
                        .bind(id)
                        .bind(now_ms)
                        .execute(&self.writer)
                        .await?;
                    Ok(())
                }
                async fn customer_for_handle(
                    &self,
                    wanted: MetaChannel,
                    handle: &str,
                    profile: Option<&str>,
                    new: &NewCustomer,
                ) -> StoreResult<CustomerId> {
                    const KNOWN: &str = "SELECT customer_id FROM customer_handles \
                        WHERE channel = $1 AND handle = $2";
                    let known: Option<i64> = sqlx::query_scalar(KNOWN)
                        .bind(wanted.name())
                        .bind(handle)
                        .fetch_optional(&self.writer)
                        .await?;
                    if let Some(id) = known {
                        if profile.is_some() {
                            sqlx::query(
                                "UPDATE customer_handles SET profile_name = $3 \
                                 WHERE channel = $1 AND handle = $2 \
                                 AND (profile_name IS NULL OR profile_name <> $3)",
                            )
                            .bind(wanted.name())
                            .bind(handle)
                            .bind(profile)
                            .execute(&self.writer)
                            .await?;
                        }
                        return Ok(CustomerId(id));
                    }
                    let digits = new
                        .phone
                        .as_deref()
                        .map(app::domain::customer::phone_digits)
                        .filter(|d| !d.is_empty());
                    // The customer and its handle together: a handle another call took
                    // first leaves no customer behind.
                    let mut tx = self.writer.begin().await?;
                    // A WhatsApp number someone gave before (a web chat's form) is them: the
                    // first who gave it, as an email address is (a number typed later by
                    // someone else does not take over the customer's conversations).
                    // A number an agent's link kept for a customer (issue 16) comes first.
                    let same_phone: Option<i64> = match (wanted, &digits) {
                        (MetaChannel::WhatsApp, Some(digits)) => {
                            super::customer_impl::owner(
                                &mut *tx,
                                &app::domain::customer::CustomerAddress::Phone(digits.clone()),
                            )
                            .await?
                        }
                        _ => None,
                    };
                    let id: i64 = match same_phone {
                        Some(id) => id,
                        None => {
                            sqlx::query_scalar(
                                "INSERT INTO customers (name, email, phone, phone_digits, \
                                 created_at_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                            )
                            .bind(&new.name)
                            .bind(&new.email)
                            .bind(&new.phone)
                            .bind(&digits)
                            .bind($crate::clock::now_ms())
                            .fetch_one(&mut *tx)
                            .await?
                        }
                    };
                    let taken = sqlx::query(
                        "INSERT INTO customer_handles (channel, handle, customer_id, \
                         profile_name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(wanted.name())
                    .bind(handle)
                    .bind(id)
                    .bind(profile)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        == 1;
                    if taken {
                        tx.commit().await?;
                        return Ok(CustomerId(id));
                    }
                    tx.rollback().await?;
                    let id: i64 = sqlx::query_scalar(KNOWN)
                        .bind(wanted.name())
                        .bind(handle)
                        .fetch_one(&self.writer)
                        .await?;
                    Ok(CustomerId(id))
                }

                async fn name_customer(
                    &self,
                    customer: CustomerId,
                    unnamed: &str,
                    name: &str,
                ) -> StoreResult<bool> {
                    sqlx::query(
                        "UPDATE customer_handles SET profile_name = $3 \
                         WHERE customer_id = $1 AND handle = $2",
                    )
                    .bind(customer.0)
                    .bind(unnamed)
                    .bind(name)
                    .execute(&self.writer)
                    .await?;
                    let done = sqlx::query(
                        "UPDATE customers SET name = $3 WHERE id = $1 AND name = $2",
                    )
                    .bind(customer.0)
                    .bind(unnamed)
                    .bind(name)
                    .execute(&self.writer)
                    .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn chat_profile(
                    &self,
                    contact: ContactId,
                ) -> StoreResult<Option<app::domain::customer::ChannelProfile>> {
                    // The handle the chat's lines go to, else the customer's on its channel
                    // (the outbox row goes a while after the chat ends; the handle stays).
                    let row = sqlx::query(
                        "SELECT h.channel, h.handle, h.profile_name FROM contacts c \
                         JOIN customer_handles h \
                         ON h.customer_id = c.customer_id AND h.channel = c.channel \
                         LEFT JOIN meta_outbox o ON o.contact_id = c.id \
                         WHERE c.id = $1 \
                         ORDER BY CASE WHEN o.recipient = h.handle THEN 0 ELSE 1 END, h.handle \
                         LIMIT 1",
                    )
                    .bind(contact.0)
                    .fetch_optional(&self.pool)
                    .await?;
                    let Some(row) = row else {
                        return Ok(None);
                    };
                    let channel: String = row.try_get("channel")?;
                    let Some(channel) = MetaChannel::from_name(&channel) else {
                        return Ok(None);
                    };
                    Ok(Some(app::domain::customer::ChannelProfile {
                        channel,
                        handle: row.try_get("handle")?,
                        name: row.try_get("profile_name")?,
                    }))
                }

                async fn open_chat_of(
                    &self,
                    customer: CustomerId,
                    channel: Channel,
                ) -> StoreResult<Option<Contact>> {
                    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE customer_id = $1 \
                         AND channel = $2 AND status IN ('queued', 'offered', 'active') \
                         ORDER BY id DESC LIMIT 1"
                    )))
                    .bind(customer.0)
                    .bind(channel.as_str())
                    .fetch_optional(&self.writer)
                    .await?;
                    row.as_ref().map(contact_from_row).transpose()
                }

                async fn customer_of_handle(
                    &self,
                    wanted: MetaChannel,
                    handle: &str,
                ) -> StoreResult<Option<CustomerId>> {
                    let id: Option<i64> = sqlx::query_scalar(
                        "SELECT customer_id FROM customer_handles \
                         WHERE channel = $1 AND handle = $2",
                    )
                    .bind(wanted.name())
                    .bind(handle)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(id.map(CustomerId))
                }

                async fn meta_message(
                    &self,
                    wanted: MetaChannel,
                    message_id: &str,
                ) -> StoreResult<Option<ContactId>> {
                    let id: Option<i64> = sqlx::query_scalar(
                        "SELECT contact_id FROM meta_messages \
                         WHERE channel = $1 AND message_id = $2",
                    )
                    .bind(wanted.name())
                    .bind(message_id)
                    .fetch_optional(&self.writer)
                    .await?;
                    Ok(id.map(ContactId))
                }

                async fn meta_message_shown(
                    &self,
                    wanted: MetaChannel,
                    message_id: &str,
                ) -> StoreResult<bool> {
                    let shown: Option<i64> = sqlx::query_scalar(
                        "SELECT l.seq FROM meta_messages m JOIN chat_lines l \
                         ON l.contact_id = m.contact_id AND l.sender = 'customer' \
                         AND l.client_id = m.message_id \
                         WHERE m.channel = $1 AND m.message_id = $2 AND m.inbound",
                    )
                    .bind(wanted.name())
                    .bind(message_id)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(shown.is_some())
                }

                async fn record_meta_message(
                    &self,
                    wanted: MetaChannel,
                    message_id: &str,
                    contact: ContactId,
                    inbound: bool,
                    sent_at_ms: Option<i64>,
                ) -> StoreResult<ContactId> {
                    sqlx::query(
                        "INSERT INTO meta_messages (channel, message_id, contact_id, inbound, \
                         sent_at_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(wanted.name())
                    .bind(message_id)
                    .bind(contact.0)
                    .bind(inbound)
                    .bind(sent_at_ms)
                    .execute(&self.writer)
                    .await?;
                    self.meta_message(wanted, message_id)
                        .await?
                        .ok_or(StoreError::NotFound)
                }

                async fn meta_last_customer_at(
                    &self,
                    contact: ContactId,
                ) -> StoreResult<Option<i64>> {
                    let at: Option<i64> = sqlx::query_scalar(
                        "SELECT MAX(sent_at_ms) FROM meta_messages \
                         WHERE contact_id = $1 AND inbound",
                    )
                    .bind(contact.0)
                    .fetch_one(&self.pool)
                    .await?;
                    Ok(at)
                }

                async fn record_meta_send(
                    &self,
                    wanted: MetaChannel,
                    message_id: &str,
                    contact: ContactId,
                    seq: Seq,
                    status: MessageStatus,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO meta_messages (channel, message_id, contact_id, inbound, \
                         seq, status, status_at_ms, sent_at_ms) \
                         VALUES ($1, $2, $3, FALSE, $4, $5, $6, $6) ON CONFLICT DO NOTHING",
                    )
                    .bind(wanted.name())
                    .bind(message_id)
                    .bind(contact.0)
                    .bind(seq as i64)
                    .bind(status.name())
                    .bind(now_ms)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn meta_sent_at(
                    &self,
                    wanted: MetaChannel,
                    message_id: &str,
                    at_ms: i64,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE meta_messages SET sent_at_ms = $3 \
                         WHERE channel = $1 AND message_id = $2 AND NOT inbound",
                    )
                    .bind(wanted.name())
                    .bind(message_id)
                    .bind(at_ms)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn mark_meta_message(
                    &self,
                    wanted: MetaChannel,
                    message_id: &str,
                    status: MessageStatus,
                    at_ms: i64,
                ) -> StoreResult<Option<(ContactId, Seq)>> {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE meta_messages SET status = $3, status_at_ms = $4 \
                         WHERE channel = $1 AND message_id = $2 AND NOT inbound \
                         AND seq IS NOT NULL AND {} < $5 RETURNING contact_id, seq",
                        status_rank()
                    )))
                    .bind(wanted.name())
                    .bind(message_id)
                    .bind(status.name())
                    .bind(at_ms)
                    .bind(status.rank())
                    .fetch_all(&self.writer)
                    .await?;
                    Ok(moved(rows)?.into_iter().next())
                }

                async fn mark_meta_messages_before(
                    &self,
                    wanted: MetaChannel,
                    handle: &str,
                    watermark_ms: i64,
                    status: MessageStatus,
                    at_ms: i64,
                ) -> StoreResult<Vec<(ContactId, Seq)>> {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE meta_messages SET status = $3, status_at_ms = $4 \
                         WHERE channel = $1 AND NOT inbound AND seq IS NOT NULL \
                         AND sent_at_ms <= $5 AND {} < $6 AND contact_id IN \
                         (SELECT c.id FROM contacts c JOIN customer_handles h \
                          ON h.customer_id = c.customer_id \
                          WHERE h.channel = $1 AND h.handle = $2 AND c.channel = $1) \
                         RETURNING contact_id, seq",
                        status_rank()
                    )))
                    .bind(wanted.name())
                    .bind(handle)
                    .bind(status.name())
                    .bind(at_ms)
                    .bind(watermark_ms)
                    .bind(status.rank())
                    .fetch_all(&self.writer)
                    .await?;
                    let mut lines = moved(rows)?;
                    lines.sort();
                    Ok(lines)
                }

                async fn meta_line_statuses(
                    &self,
                    contact: ContactId,
                ) -> StoreResult<Vec<(Seq, MessageStatus)>> {
                    let rows = sqlx::query(
                        "SELECT seq, status FROM meta_messages WHERE contact_id = $1 \
                         AND NOT inbound AND seq IS NOT NULL AND status IS NOT NULL ORDER BY seq",
                    )
                    .bind(contact.0)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let name: String = r.try_get("status")?;
                            let status = MessageStatus::from_name(&name).ok_or_else(|| {
                                StoreError::Corrupt(format!("unknown message status {name:?}"))
                            })?;
                            Ok((r.try_get::<i64, _>("seq")? as Seq, status))
                        })
                        .collect()
                }

                async fn meta_activity_target(
                    &self,
                    contact: ContactId,
                ) -> StoreResult<Option<ActivityTarget>> {
                    // A Meta customer's lines carry Meta's id of the message as client id.
                    let row = sqlx::query(
                        "SELECT o.channel, o.recipient, (SELECT l.client_id FROM chat_lines l \
                         WHERE l.contact_id = o.contact_id AND l.sender = 'customer' \
                         ORDER BY l.seq DESC LIMIT 1) AS last_message \
                         FROM meta_outbox o WHERE o.contact_id = $1",
                    )
                    .bind(contact.0)
                    .fetch_optional(&self.writer)
                    .await?;
                    row.map(|r| {
                        Ok(ActivityTarget {
                            channel: channel(r.try_get("channel")?)?,
                            recipient: r.try_get("recipient")?,
                            last_message: r.try_get("last_message")?,
                        })
                    })
                    .transpose()
                }

                async fn open_meta_outbox(
                    &self,
                    contact: ContactId,
                    wanted: MetaChannel,
                    recipient: &str,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO meta_outbox (contact_id, channel, recipient, due_at_ms) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(contact.0)
                    .bind(wanted.name())
                    .bind(recipient)
                    .bind(now_ms)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn claim_meta_outboxes(
                    &self,
                    now_ms: i64,
                    limit: u32,
                    lease_until_ms: i64,
                ) -> StoreResult<Vec<MetaOutbox>> {
                    // The transcript's end is read in a subquery, so only outbox rows are
                    // locked (and rows another node holds passed over).
                    let sql = format!(
                        "UPDATE meta_outbox SET due_at_ms = $3 WHERE contact_id IN ( \
                         SELECT o.contact_id FROM meta_outbox o WHERE o.due_at_ms <= $1 \
                         AND o.sent_through < (SELECT c.last_seq FROM contacts c \
                         WHERE c.id = o.contact_id) ORDER BY o.due_at_ms LIMIT $2{}) \
                         RETURNING contact_id, channel, recipient, sent_through, attempts",
                        Self::SKIP_LOCKED
                    );
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(now_ms)
                        .bind(i64::from(limit))
                        .bind(lease_until_ms)
                        .fetch_all(&self.writer)
                        .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(MetaOutbox {
                                contact: ContactId(r.try_get("contact_id")?),
                                channel: channel(r.try_get("channel")?)?,
                                recipient: r.try_get("recipient")?,
                                sent_through: r.try_get::<i64, _>("sent_through")? as Seq,
                                attempts: r.try_get::<i32, _>("attempts")? as u32,
                            })
                        })
                        .collect()
                }

                async fn meta_line_message(
                    &self,
                    contact: ContactId,
                    seq: Seq,
                ) -> StoreResult<Option<String>> {
                    Ok(sqlx::query_scalar(
                        "SELECT message_id FROM meta_messages \
                         WHERE contact_id = $1 AND seq = $2 AND NOT inbound",
                    )
                    .bind(contact.0)
                    .bind(seq as i64)
                    .fetch_optional(&self.writer)
                    .await?)
                }

                async fn meta_outbox_handled(
                    &self,
                    contact: ContactId,
                    seq: Seq,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    sqlx::query(
                        "UPDATE meta_outbox SET sent_through = $2, attempts = 0 \
                         WHERE contact_id = $1 AND sent_through < $2",
                    )
                    .bind(contact.0)
                    .bind(seq as i64)
                    .execute(&mut *tx)
                    .await?;
                    // A chat's last lines are written just after it ends (the queue
                    // timeout's message among them): its row stays a while after.
                    sqlx::query(
                        "DELETE FROM meta_outbox WHERE contact_id = $1 AND EXISTS ( \
                         SELECT 1 FROM contacts c WHERE c.id = $1 AND c.status = 'ended' \
                         AND c.ended_at_ms < $2 AND c.last_seq <= meta_outbox.sent_through)",
                    )
                    .bind(contact.0)
                    .bind(now_ms - ENDED_KEPT_MS)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn forget_finished_meta_outboxes(&self, now_ms: i64) -> StoreResult<u64> {
                    Ok(sqlx::query(
                        "DELETE FROM meta_outbox WHERE contact_id IN ( \
                         SELECT o.contact_id FROM meta_outbox o JOIN contacts c \
                         ON c.id = o.contact_id WHERE c.status = 'ended' \
                         AND c.ended_at_ms < $1 AND c.last_seq <= o.sent_through)",
                    )
                    .bind(now_ms - ENDED_KEPT_MS)
                    .execute(&self.writer)
                    .await?
                    .rows_affected())
                }

                async fn meta_outbox_retry(
                    &self,
                    contact: ContactId,
                    attempts: u32,
                    due_at_ms: i64,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE meta_outbox SET attempts = $2, due_at_ms = $3 WHERE contact_id = $1",
                    )
                    .bind(contact.0)
                    .bind(attempts as i32)
                    .bind(due_at_ms)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }
            }
        }
    };
}

pub(super) use impl_meta_store;
