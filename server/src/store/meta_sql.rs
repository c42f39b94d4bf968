//! The Messenger and WhatsApp tables' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_meta_store {
    ($store:ty, $row:ty) => {
        mod meta_impl {
            use super::*;
            use app::domain::meta::MetaChannel;
            use $crate::store::meta::{MetaStore, StoredMetaChannel, WebhookPost};

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
            }
        }
    };
}

pub(super) use impl_meta_store;
