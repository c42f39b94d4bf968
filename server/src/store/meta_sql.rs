//! The Messenger and WhatsApp tables' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_meta_store {
    ($store:ty, $row:ty) => {
        mod meta_impl {
            use super::*;
            use app::domain::meta::MetaChannel;
            use $crate::store::meta::{MetaStore, StoredMetaChannel, WebhookPost};
            use $crate::store::NewCustomer;

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

                async fn save_meta_channel(&self, stored: &StoredMetaChannel) -> StoreResult<()> {
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
                    .execute(&self.writer)
                    .await?;
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

                async fn pending_webhooks(&self, limit: i64) -> StoreResult<Vec<WebhookPost>> {
                    let rows = sqlx::query(
                        "SELECT id, channel, body, received_at_ms FROM meta_webhook_inbox \
                         WHERE done_at_ms IS NULL ORDER BY id LIMIT $1",
                    )
                    .bind(limit)
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
                        return Ok(CustomerId(id));
                    }
                    // The customer and its handle together: a handle another call took
                    // first leaves no customer behind.
                    let mut tx = self.writer.begin().await?;
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO customers (name, email, phone, created_at_ms) \
                         VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(&new.name)
                    .bind(&new.email)
                    .bind(&new.phone)
                    .bind($crate::clock::now_ms())
                    .fetch_one(&mut *tx)
                    .await?;
                    let taken = sqlx::query(
                        "INSERT INTO customer_handles (channel, handle, customer_id) \
                         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    )
                    .bind(wanted.name())
                    .bind(handle)
                    .bind(id)
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

                async fn record_meta_message(
                    &self,
                    wanted: MetaChannel,
                    message_id: &str,
                    contact: ContactId,
                    inbound: bool,
                    seq: Option<Seq>,
                ) -> StoreResult<ContactId> {
                    sqlx::query(
                        "INSERT INTO meta_messages (channel, message_id, contact_id, inbound, \
                         seq) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    )
                    .bind(wanted.name())
                    .bind(message_id)
                    .bind(contact.0)
                    .bind(inbound)
                    .bind(seq.map(|s| s as i64))
                    .execute(&self.writer)
                    .await?;
                    self.meta_message(wanted, message_id)
                        .await?
                        .ok_or(StoreError::NotFound)
                }
            }
        }
    };
}

pub(super) use impl_meta_store;
