//! The outgoing webhooks' SQL (issue 17), shared by both backends like [`super::sql`].

macro_rules! impl_webhook_store {
    ($store:ty, $row:ty) => {
        mod webhooks_impl {
            use super::*;
            use app::domain::{
                ids::WebhookId,
                webhooks::{DeliveryStatus, DeliverySummary, WebhookEdit, WebhookEvent, WebhookSummary},
            };
            use $crate::store::webhooks::{
                Attempt, DueDelivery, EventFacts, HookEvent, NewDelivery, NewWebhook,
                StoredWebhook, WebhookStore,
            };

            const WEBHOOK_COLUMNS: &str =
                "id, name, url, events, secret, created_at_ms, disabled_at_ms";

            fn webhook_from_row(row: &$row) -> StoreResult<StoredWebhook> {
                Ok(StoredWebhook {
                    id: WebhookId(row.try_get("id")?),
                    name: row.try_get("name")?,
                    url: row.try_get("url")?,
                    events: events_of(row)?,
                    secret_sealed: row.try_get("secret")?,
                    created_at_ms: row.try_get("created_at_ms")?,
                    disabled_at_ms: row.try_get("disabled_at_ms")?,
                })
            }

            fn events_of(row: &$row) -> StoreResult<Vec<WebhookEvent>> {
                let names: Vec<String> = from_json(&row.try_get::<String, _>("events")?)?;
                // A name this release does not know (written by a newer one) is skipped.
                Ok(names.iter().filter_map(|n| WebhookEvent::parse(n)).collect())
            }

            fn names_of(events: &[WebhookEvent]) -> StoreResult<String> {
                to_json(&events.iter().map(|e| e.as_str()).collect::<Vec<_>>())
            }

            fn delivery_from_row(row: &$row) -> StoreResult<DeliverySummary> {
                let state: String = row.try_get("state")?;
                Ok(DeliverySummary {
                    id: row.try_get("id")?,
                    event_id: row.try_get("event_id")?,
                    event: row.try_get("event")?,
                    subject: row.try_get("subject")?,
                    status: match state.as_str() {
                        "pending" => DeliveryStatus::Waiting,
                        "delivered" => DeliveryStatus::Delivered,
                        "failed" => DeliveryStatus::Failed,
                        other => return Err(StoreError::Corrupt(format!("delivery state {other}"))),
                    },
                    attempts: row.try_get::<i32, _>("attempts")? as u32,
                    next_attempt_at_ms: row.try_get("next_attempt_at_ms")?,
                    last_status: row
                        .try_get::<Option<i32>, _>("last_status")?
                        .map(|s| s as u16),
                    last_error: row.try_get("last_error")?,
                    created_at_ms: row.try_get("created_at_ms")?,
                    done_at_ms: row.try_get("done_at_ms")?,
                })
            }

            #[async_trait::async_trait]
            impl WebhookStore for $store {
                async fn add_webhook(
                    &self,
                    webhook: &NewWebhook,
                    max: usize,
                    audit: &AuditEntry,
                ) -> StoreResult<WebhookId> {
                    let mut tx = self.writer.begin().await?;
                    let count: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM webhooks WHERE deleted_at_ms IS NULL",
                    )
                    .fetch_one(&mut *tx)
                    .await?;
                    if count >= max as i64 {
                        return Err(StoreError::Full);
                    }
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO webhooks (name, url, events, secret, created_by, \
                         created_at_ms) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(&webhook.name)
                    .bind(&webhook.url)
                    .bind(names_of(&webhook.events)?)
                    .bind(&webhook.secret_sealed)
                    .bind(webhook.created_by.0)
                    .bind(audit.at_ms)
                    .fetch_one(&mut *tx)
                    .await?;
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(WebhookId(id))
                }

                async fn webhooks(&self) -> StoreResult<Vec<StoredWebhook>> {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE deleted_at_ms IS NULL \
                         ORDER BY id"
                    )))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(webhook_from_row)
                    .collect()
                }

                async fn webhook_summaries(&self) -> StoreResult<Vec<WebhookSummary>> {
                    sqlx::query(
                        "SELECT w.id, w.name, w.url, w.events, w.created_at_ms, w.disabled_at_ms, \
                         (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id \
                           AND d.state = 'pending') AS waiting, \
                         (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id \
                           AND d.state = 'failed') AS failed \
                         FROM webhooks w WHERE w.deleted_at_ms IS NULL ORDER BY w.id",
                    )
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(WebhookSummary {
                            id: WebhookId(r.try_get("id")?),
                            name: r.try_get("name")?,
                            url: r.try_get("url")?,
                            events: events_of(r)?,
                            created_at_ms: r.try_get("created_at_ms")?,
                            paused_at_ms: r.try_get("disabled_at_ms")?,
                            waiting: r.try_get::<i64, _>("waiting")? as u32,
                            failed: r.try_get::<i64, _>("failed")? as u32,
                        })
                    })
                    .collect()
                }

                async fn change_webhook(
                    &self,
                    id: WebhookId,
                    edit: &WebhookEdit,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    let changed = sqlx::query(
                        "UPDATE webhooks SET name = $2, url = $3, events = $4 \
                         WHERE id = $1 AND deleted_at_ms IS NULL",
                    )
                    .bind(id.0)
                    .bind(&edit.name)
                    .bind(&edit.url)
                    .bind(names_of(&edit.events)?)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed == 0 {
                        return Err(StoreError::NotFound);
                    }
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn pause_webhook(
                    &self,
                    id: WebhookId,
                    at_ms: Option<i64>,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    let changed = sqlx::query(
                        "UPDATE webhooks SET disabled_at_ms = $2 \
                         WHERE id = $1 AND deleted_at_ms IS NULL",
                    )
                    .bind(id.0)
                    .bind(at_ms)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed == 0 {
                        return Err(StoreError::NotFound);
                    }
                    if at_ms.is_none() {
                        // Resumed: what waited is tried at once, and for a day from now.
                        sqlx::query(
                            "UPDATE webhook_deliveries SET replayed_at_ms = $2, \
                             next_attempt_at_ms = $2 WHERE webhook_id = $1 AND state = 'pending'",
                        )
                        .bind(id.0)
                        .bind(audit.at_ms)
                        .execute(&mut *tx)
                        .await?;
                    }
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn delete_webhook(&self, id: WebhookId, audit: &AuditEntry) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    let changed = sqlx::query(
                        "UPDATE webhooks SET deleted_at_ms = $2 \
                         WHERE id = $1 AND deleted_at_ms IS NULL",
                    )
                    .bind(id.0)
                    .bind(audit.at_ms)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed == 0 {
                        return Err(StoreError::NotFound);
                    }
                    sqlx::query(
                        "UPDATE webhook_deliveries SET state = 'failed', done_at_ms = $2, \
                         last_error = 'the webhook was deleted' \
                         WHERE webhook_id = $1 AND state = 'pending'",
                    )
                    .bind(id.0)
                    .bind(audit.at_ms)
                    .execute(&mut *tx)
                    .await?;
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn replay_webhook_delivery(
                    &self,
                    webhook: WebhookId,
                    delivery: i64,
                    audit: &AuditEntry,
                ) -> StoreResult<bool> {
                    let mut tx = self.writer.begin().await?;
                    let exists: Option<String> = sqlx::query_scalar(
                        "SELECT d.state FROM webhook_deliveries d JOIN webhooks w \
                         ON w.id = d.webhook_id WHERE d.id = $1 AND d.webhook_id = $2 \
                         AND w.deleted_at_ms IS NULL",
                    )
                    .bind(delivery)
                    .bind(webhook.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match exists.as_deref() {
                        None => return Err(StoreError::NotFound),
                        Some("pending") => return Ok(false),
                        Some(_) => {}
                    }
                    sqlx::query(
                        "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, \
                         next_attempt_at_ms = $2, replayed_at_ms = $2, done_at_ms = NULL, \
                         last_status = NULL, last_error = NULL WHERE id = $1",
                    )
                    .bind(delivery)
                    .bind(audit.at_ms)
                    .execute(&mut *tx)
                    .await?;
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn waiting_webhook_events(
                    &self,
                    until_ms: i64,
                    limit: u32,
                ) -> StoreResult<Vec<HookEvent>> {
                    sqlx::query(
                        "SELECT id, event, contact_id, customer_id, agent_id, seq, at_ms \
                         FROM webhook_events WHERE fanned_out_at_ms IS NULL AND at_ms <= $1 \
                         ORDER BY id LIMIT $2",
                    )
                    .bind(until_ms)
                    .bind(i64::from(limit))
                    .fetch_all(&self.writer)
                    .await?
                    .iter()
                    .map(|r| {
                        let name: String = r.try_get("event")?;
                        Ok(HookEvent {
                            id: r.try_get("id")?,
                            event: WebhookEvent::parse(&name).ok_or_else(|| {
                                StoreError::Corrupt(format!("webhook event {name}"))
                            })?,
                            facts: EventFacts {
                                contact: r.try_get::<Option<i64>, _>("contact_id")?.map(ContactId),
                                customer: r
                                    .try_get::<Option<i64>, _>("customer_id")?
                                    .map(CustomerId),
                                agent: r.try_get::<Option<i64>, _>("agent_id")?.map(AgentId),
                                seq: r.try_get::<Option<i64>, _>("seq")?.map(|s| s as Seq),
                            },
                            at_ms: r.try_get("at_ms")?,
                        })
                    })
                    .collect()
                }

                async fn fan_out_webhook_event(
                    &self,
                    event_id: i64,
                    deliveries: &[NewDelivery],
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    // Marked first: an event fanned out meanwhile, or gone with an erasure
                    // that committed first, makes nothing (a body built before the erasure
                    // would bring its words back).
                    let marked = sqlx::query(
                        "UPDATE webhook_events SET fanned_out_at_ms = $2 \
                         WHERE id = $1 AND fanned_out_at_ms IS NULL",
                    )
                    .bind(event_id)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if marked == 0 {
                        return Ok(());
                    }
                    for d in deliveries {
                        // Not for a webhook deleted since the fan-out read the list.
                        sqlx::query(
                            "INSERT INTO webhook_deliveries (webhook_id, event_id, event, \
                             subject, body, state, attempts, next_attempt_at_ms, created_at_ms) \
                             SELECT id, $2, $3, $4, $5, 'pending', 0, $6, $6 FROM webhooks \
                             WHERE id = $1 AND deleted_at_ms IS NULL \
                             ON CONFLICT (webhook_id, event_id) DO NOTHING",
                        )
                        .bind(d.webhook.0)
                        .bind(d.event_id)
                        .bind(d.event.as_str())
                        .bind(&d.subject)
                        .bind(&d.body)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn claim_webhook_deliveries(
                    &self,
                    now_ms: i64,
                    limit: u32,
                    lease_until_ms: i64,
                ) -> StoreResult<Vec<DueDelivery>> {
                    // Only the oldest waiting delivery of a webhook and subject may go: a
                    // later one waits for it to be delivered or given up (issue 17: in
                    // order per conversation). One taken moves its next attempt to the
                    // lease's end, so no other sender takes it meanwhile; a disabled
                    // webhook's deliveries wait.
                    let sql = format!(
                        "UPDATE webhook_deliveries SET next_attempt_at_ms = $3 WHERE id IN ( \
                         SELECT d.id FROM webhook_deliveries d WHERE d.state = 'pending' \
                         AND d.next_attempt_at_ms <= $1 \
                         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
                           WHERE e.state = 'pending' AND e.webhook_id = d.webhook_id \
                           AND e.subject = d.subject AND e.event_id < d.event_id) \
                         AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id \
                           AND w.disabled_at_ms IS NULL AND w.deleted_at_ms IS NULL) \
                         ORDER BY d.next_attempt_at_ms, d.id LIMIT $2{}) \
                         RETURNING id, webhook_id, event, body, attempts, \
                         COALESCE(replayed_at_ms, created_at_ms) AS tried_since_ms",
                        Self::SKIP_LOCKED
                    );
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(now_ms)
                        .bind(i64::from(limit))
                        .bind(lease_until_ms)
                        .fetch_all(&self.writer)
                        .await?;
                    let mut hooks: Vec<StoredWebhook> = Vec::new();
                    let mut due = Vec::with_capacity(rows.len());
                    for r in &rows {
                        let webhook = WebhookId(r.try_get("webhook_id")?);
                        if !hooks.iter().any(|h| h.id == webhook) {
                            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1"
                            )))
                            .bind(webhook.0)
                            .fetch_one(&self.writer)
                            .await?;
                            hooks.push(webhook_from_row(&row)?);
                        }
                        let hook = hooks
                            .iter()
                            .find(|h| h.id == webhook)
                            .ok_or(StoreError::NotFound)?;
                        due.push(DueDelivery {
                            id: r.try_get("id")?,
                            webhook,
                            url: hook.url.clone(),
                            secret_sealed: hook.secret_sealed.clone(),
                            event: r.try_get("event")?,
                            body: r.try_get("body")?,
                            attempts: r.try_get::<i32, _>("attempts")? as u32,
                            tried_since_ms: r.try_get("tried_since_ms")?,
                        });
                    }
                    due.sort_by_key(|d| d.id);
                    Ok(due)
                }

                async fn webhook_attempted(
                    &self,
                    id: i64,
                    attempt: &Attempt,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let (state, status, error, next_at, done_at) = match attempt {
                        Attempt::Delivered { status } => {
                            ("delivered", Some(*status), None, now_ms, Some(now_ms))
                        }
                        Attempt::Retry {
                            status,
                            error,
                            next_at_ms,
                        } => ("pending", *status, Some(error.as_str()), *next_at_ms, None),
                        Attempt::Failed { status, error } => {
                            ("failed", *status, Some(error.as_str()), now_ms, Some(now_ms))
                        }
                    };
                    sqlx::query(
                        "UPDATE webhook_deliveries SET state = $2, attempts = attempts + 1, \
                         last_status = $3, last_error = $4, next_attempt_at_ms = $5, \
                         done_at_ms = $6 WHERE id = $1 AND state = 'pending'",
                    )
                    .bind(id)
                    .bind(state)
                    .bind(status.map(i32::from))
                    .bind(error)
                    .bind(next_at)
                    .bind(done_at)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn webhook_deliveries(
                    &self,
                    webhook: WebhookId,
                    before: Option<i64>,
                    limit: u32,
                ) -> StoreResult<Vec<DeliverySummary>> {
                    sqlx::query(
                        "SELECT id, event_id, event, subject, state, attempts, \
                         next_attempt_at_ms, last_status, last_error, created_at_ms, done_at_ms \
                         FROM webhook_deliveries WHERE webhook_id = $1 AND id < $2 \
                         ORDER BY id DESC LIMIT $3",
                    )
                    .bind(webhook.0)
                    .bind(before.unwrap_or(i64::MAX))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(delivery_from_row)
                    .collect()
                }

                async fn next_webhook_delivery_at(&self) -> StoreResult<Option<i64>> {
                    Ok(sqlx::query_scalar(
                        "SELECT MIN(next_attempt_at_ms) FROM webhook_deliveries \
                         WHERE state = 'pending'",
                    )
                    .fetch_one(&self.pool)
                    .await?)
                }
            }
        }
    };
}

pub(super) use impl_webhook_store;
