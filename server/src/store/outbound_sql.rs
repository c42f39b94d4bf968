//! The SQL of an email started through the API, shared by both backends like
//! [`super::sql`]: it stores the email as any is stored ([`super::email_sql`]), then ends it
//! and queues its message.

macro_rules! impl_outbound_store {
    ($store:ty, $row:ty) => {
        mod outbound_impl {
            use super::*;
            use app::domain::{contact::EndReason, ids::CustomerId};
            use $crate::store::{
                email::{NewAck, NewEmail, LEFT_UID_VALIDITY},
                outbound::{OutboundStore, Started},
                sql::to_json,
                StoreError, StoreResult,
            };

            type Conn = <<$row as sqlx::Row>::Database as sqlx::Database>::Connection;

            /// The conversation of the message of this Message-ID not read from a mailbox
            /// (left in the widget, or sent through the API), through whichever mailbox.
            async fn seen(conn: &mut Conn, message_id: &str) -> StoreResult<Option<i64>> {
                Ok(sqlx::query_scalar(
                    "SELECT contact_id FROM emails WHERE uid_validity = $1 AND message_id = $2 \
                     ORDER BY contact_id LIMIT 1",
                )
                .bind(i64::from(LEFT_UID_VALIDITY))
                .bind(message_id)
                .fetch_optional(&mut *conn)
                .await?)
            }

            #[async_trait::async_trait]
            impl OutboundStore for $store {
                async fn started_email(&self, local_part: &str) -> StoreResult<Option<ContactId>> {
                    let id: Option<i64> = sqlx::query_scalar(
                        "SELECT contact_id FROM emails WHERE uid_validity = $1 \
                         AND message_id LIKE $2 ORDER BY contact_id LIMIT 1",
                    )
                    .bind(i64::from(LEFT_UID_VALIDITY))
                    .bind(format!("{local_part}@%"))
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(id.map(ContactId))
                }

                async fn start_email(
                    &self,
                    email: &NewEmail,
                    customer: CustomerId,
                    message: &NewAck,
                    audit: &AuditEntry,
                    now_ms: i64,
                ) -> StoreResult<Started> {
                    let mut tx = self.writer.begin().await?;
                    let message_id = email.message_id.as_deref().unwrap_or_default();
                    if let Some(id) = seen(&mut tx, message_id).await? {
                        return Ok(Started::Again(ContactId(id)));
                    }
                    // The customer still there (not erased) while the email is written.
                    super::customer_impl::held(&mut tx, customer).await?;
                    let contact =
                        match super::email_impl::store_in(&mut tx, email, Some(customer), now_ms)
                            .await
                        {
                            Ok((contact, _)) => contact,
                            // The same id sent twice at once: the unique index lets one through.
                            Err(StoreError::Conflict) => {
                                drop(tx);
                                let mut conn = self.pool.acquire().await?;
                                let id = seen(&mut conn, message_id)
                                    .await?
                                    .ok_or(StoreError::Conflict)?;
                                return Ok(Started::Again(ContactId(id)));
                            }
                            Err(e) => return Err(e),
                        };
                    let ended = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE contacts SET status = 'ended', end_reason = $2, ended_at_ms = $3 \
                         WHERE id = $1 RETURNING {CONTACT_COLUMNS}"
                    )))
                    .bind(contact.id.0)
                    .bind(to_json(&EndReason::Sent)?)
                    .bind(now_ms)
                    .fetch_one(&mut *tx)
                    .await?;
                    let ended = contact_from_row(&ended)?;
                    record_contact_step(&mut tx, &ended, None, now_ms).await?;
                    super::email_impl::queue_message(
                        &mut tx,
                        contact.id,
                        &email.mailbox,
                        message,
                        now_ms,
                    )
                    .await?;
                    let detail = format!("{} (conversation {})", audit.detail, contact.id.0);
                    write_audit(&mut tx, audit, &detail).await?;
                    tx.commit().await?;
                    Ok(Started::New(ended))
                }
            }
        }
    };
}

pub(super) use impl_outbound_store;
