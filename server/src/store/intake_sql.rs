//! The mailbox intake tables' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_intake_store {
    ($store:ty, $row:ty) => {
        mod intake_impl {
            use super::*;
            use app::domain::set_aside::{SetAsideReason, UnreadableEmail};
            use $crate::store::{
                intake::{IntakeStore, MessageKey, SetAside},
                StoreResult,
            };

            /// Forgets the tries of the mailbox's messages before this one (taken or set
            /// aside by now) and of an earlier UIDVALIDITY.
            async fn forget_earlier(
                tx: &mut sqlx::Transaction<'_, <$row as sqlx::Row>::Database>,
                key: MessageKey<'_>,
            ) -> StoreResult<()> {
                sqlx::query(
                    "DELETE FROM intake_attempts WHERE mailbox = $1 \
                     AND (uid_validity <> $2 OR uid < $3)",
                )
                .bind(key.mailbox)
                .bind(i64::from(key.uid_validity))
                .bind(i64::from(key.uid))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            #[async_trait::async_trait]
            impl IntakeStore for $store {
                async fn intake_attempt(
                    &self,
                    key: MessageKey<'_>,
                ) -> StoreResult<(u32, Option<SetAsideReason>)> {
                    let mut tx = self.writer.begin().await?;
                    forget_earlier(&mut tx, key).await?;
                    let row = sqlx::query(
                        "INSERT INTO intake_attempts (mailbox, uid_validity, uid, attempts) \
                         VALUES ($1, $2, $3, 1) ON CONFLICT (mailbox, uid_validity, uid) \
                         DO UPDATE SET attempts = intake_attempts.attempts + 1 \
                         RETURNING attempts, last_error",
                    )
                    .bind(key.mailbox)
                    .bind(i64::from(key.uid_validity))
                    .bind(i64::from(key.uid))
                    .fetch_one(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok((
                        row.try_get::<i32, _>("attempts")? as u32,
                        row.try_get::<Option<&str>, _>("last_error")?
                            .map(SetAsideReason::from_stored),
                    ))
                }

                async fn intake_batch_attempt(&self, keys: &[MessageKey<'_>]) -> StoreResult<bool> {
                    let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
                        return Ok(true);
                    };
                    let mut tx = self.writer.begin().await?;
                    forget_earlier(&mut tx, *first).await?;
                    let tried: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM intake_attempts WHERE mailbox = $1 \
                         AND uid_validity = $2 AND uid BETWEEN $3 AND $4",
                    )
                    .bind(first.mailbox)
                    .bind(i64::from(first.uid_validity))
                    .bind(i64::from(first.uid))
                    .bind(i64::from(last.uid))
                    .fetch_one(&mut *tx)
                    .await?;
                    if tried > 0 {
                        tx.commit().await?;
                        return Ok(false);
                    }
                    for key in keys {
                        sqlx::query(
                            "INSERT INTO intake_attempts (mailbox, uid_validity, uid, attempts) \
                             VALUES ($1, $2, $3, 1)",
                        )
                        .bind(key.mailbox)
                        .bind(i64::from(key.uid_validity))
                        .bind(i64::from(key.uid))
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    Ok(true)
                }

                async fn intake_batch_failed(&self, keys: &[MessageKey<'_>]) -> StoreResult<()> {
                    let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
                        return Ok(());
                    };
                    sqlx::query(
                        "DELETE FROM intake_attempts WHERE mailbox = $1 \
                         AND uid_validity = $2 AND uid BETWEEN $3 AND $4",
                    )
                    .bind(first.mailbox)
                    .bind(i64::from(first.uid_validity))
                    .bind(i64::from(first.uid))
                    .bind(i64::from(last.uid))
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn intake_failed(
                    &self,
                    key: MessageKey<'_>,
                    reason: &SetAsideReason,
                    counts: bool,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE intake_attempts SET last_error = $4, \
                         attempts = attempts - (CASE WHEN $5 THEN 0 ELSE 1 END) \
                         WHERE mailbox = $1 AND uid_validity = $2 AND uid = $3",
                    )
                    .bind(key.mailbox)
                    .bind(i64::from(key.uid_validity))
                    .bind(i64::from(key.uid))
                    .bind(reason.to_stored())
                    .bind(counts)
                    .execute(&self.writer)
                    .await?;
                    Ok(())
                }

                async fn set_aside_email(
                    &self,
                    message: SetAside<'_>,
                    now_ms: i64,
                ) -> StoreResult<()> {
                    let key = message.key;
                    let mut tx = self.writer.begin().await?;
                    sqlx::query(
                        "INSERT INTO unreadable_emails (mailbox, uid_validity, uid, from_text, \
                         subject, error, set_aside_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (mailbox, uid_validity, uid) DO NOTHING",
                    )
                    .bind(key.mailbox)
                    .bind(i64::from(key.uid_validity))
                    .bind(i64::from(key.uid))
                    .bind(message.from)
                    .bind(message.subject)
                    .bind(message.reason.to_stored())
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                    // Progress moves forward only: under a new UIDVALIDITY it starts again.
                    sqlx::query(
                        "INSERT INTO mailbox_progress (mailbox, uid_validity, last_uid) \
                         VALUES ($1, $2, $3) ON CONFLICT (mailbox) DO UPDATE \
                         SET uid_validity = $2, last_uid = $3 \
                         WHERE mailbox_progress.uid_validity <> $2 \
                         OR mailbox_progress.last_uid < $3",
                    )
                    .bind(key.mailbox)
                    .bind(i64::from(key.uid_validity))
                    .bind(i64::from(key.uid))
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "DELETE FROM intake_attempts \
                         WHERE mailbox = $1 AND uid_validity = $2 AND uid = $3",
                    )
                    .bind(key.mailbox)
                    .bind(i64::from(key.uid_validity))
                    .bind(i64::from(key.uid))
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn set_aside_uids(
                    &self,
                    mailbox: &str,
                    uid_validity: u32,
                ) -> StoreResult<Vec<u32>> {
                    let uids: Vec<i64> = sqlx::query_scalar(
                        "SELECT uid FROM unreadable_emails \
                         WHERE mailbox = $1 AND uid_validity = $2 ORDER BY uid",
                    )
                    .bind(mailbox)
                    .bind(i64::from(uid_validity))
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(uids.into_iter().map(|u| u as u32).collect())
                }

                async fn unreadable_emails(&self, limit: i64) -> StoreResult<Vec<UnreadableEmail>> {
                    let rows = sqlx::query(
                        "SELECT mailbox, uid, from_text, subject, error, set_aside_at_ms \
                         FROM unreadable_emails ORDER BY set_aside_at_ms DESC, id DESC LIMIT $1",
                    )
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(UnreadableEmail {
                                mailbox: r.try_get("mailbox")?,
                                uid: r.try_get::<i64, _>("uid")? as u32,
                                from: r.try_get("from_text")?,
                                subject: r.try_get("subject")?,
                                reason: SetAsideReason::from_stored(r.try_get("error")?),
                                set_aside_at_ms: r.try_get("set_aside_at_ms")?,
                            })
                        })
                        .collect()
                }
            }
        }
    };
}

pub(super) use impl_intake_store;
