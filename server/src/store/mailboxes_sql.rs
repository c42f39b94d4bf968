//! The mailboxes' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_mailbox_store {
    ($store:ty, $row:ty) => {
        mod mailboxes_impl {
            use super::*;
            use app::domain::ids::MailboxId;
            use $crate::store::mailboxes::{MailboxStore, StoredMailbox};

            fn mailbox_from_row(row: &$row) -> StoreResult<StoredMailbox> {
                Ok(StoredMailbox {
                    id: Some(MailboxId(row.try_get("id")?)),
                    name: row.try_get("name")?,
                    csq: CsqId(row.try_get("csq_id")?),
                    enabled: row.try_get("enabled")?,
                    settings: from_json(&row.try_get::<String, _>("settings")?)?,
                    imap_secret: row.try_get("imap_secret")?,
                    smtp_secret: row.try_get("smtp_secret")?,
                })
            }

            #[async_trait::async_trait]
            impl MailboxStore for $store {
                async fn mailboxes(&self) -> StoreResult<Vec<StoredMailbox>> {
                    let rows = sqlx::query(
                        "SELECT id, name, csq_id, enabled, settings, imap_secret, smtp_secret \
                         FROM mailboxes ORDER BY lower(name), id",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter().map(mailbox_from_row).collect()
                }

                async fn save_mailbox(
                    &self,
                    mailbox: &StoredMailbox,
                    audit: Option<&AuditEntry>,
                ) -> StoreResult<MailboxId> {
                    let settings = to_json(&mailbox.settings)?;
                    let now = $crate::clock::now_ms();
                    let mut tx = self.writer.begin().await?;
                    // One statement either way; an update of a vanished row returns no id.
                    let sql = match mailbox.id {
                        None => {
                            "INSERT INTO mailboxes (name, csq_id, enabled, settings, imap_secret, \
                             smtp_secret, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                             RETURNING id"
                        }
                        Some(_) => {
                            "UPDATE mailboxes SET name = $1, csq_id = $2, enabled = $3, \
                             settings = $4, imap_secret = $5, smtp_secret = $6, \
                             updated_at_ms = $7 WHERE id = $8 RETURNING id"
                        }
                    };
                    let query = sqlx::query_scalar(sql)
                        .bind(&mailbox.name)
                        .bind(mailbox.csq.0)
                        .bind(mailbox.enabled)
                        .bind(&settings)
                        .bind(&mailbox.imap_secret)
                        .bind(&mailbox.smtp_secret)
                        .bind(now);
                    let query = match mailbox.id {
                        Some(id) => query.bind(id.0),
                        None => query,
                    };
                    let id: i64 = query
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(conflict_or)?
                        .ok_or(StoreError::NotFound)?;
                    if let Some(audit) = audit {
                        write_audit(&mut tx, audit, &audit.detail).await?;
                    }
                    tx.commit().await?;
                    Ok(MailboxId(id))
                }
            }
        }
    };
}

pub(super) use impl_mailbox_store;
