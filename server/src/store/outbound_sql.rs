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
                ContactStore, StoreError, StoreResult,
            };

            type Conn = <<$row as sqlx::Row>::Database as sqlx::Database>::Connection;

            /// The conversation of the mailbox's message of this Message-ID, if it is one
            /// not read from the mailbox (left in the widget, or sent through the API).
            async fn seen(conn: &mut Conn, email: &NewEmail) -> StoreResult<Option<i64>> {
                Ok(sqlx::query_scalar(
                    "SELECT contact_id FROM emails WHERE mailbox = $1 \
                     AND uid_validity = $2 AND message_id = $3",
                )
                .bind(&email.mailbox)
                .bind(i64::from(LEFT_UID_VALIDITY))
                .bind(&email.message_id)
                .fetch_optional(&mut *conn)
                .await?)
            }

            #[async_trait::async_trait]
            impl OutboundStore for $store {
                async fn start_email(
                    &self,
                    email: &NewEmail,
                    customer: CustomerId,
                    message: &NewAck,
                    audit: &AuditEntry,
                    now_ms: i64,
                ) -> StoreResult<Started> {
                    let mut tx = self.writer.begin().await?;
                    if let Some(id) = seen(&mut tx, email).await? {
                        return Ok(Started::Again(ContactId(id)));
                    }
                    // The customer still there (not erased) while the email is written.
                    let held = sqlx::query(
                        "UPDATE customers SET id = id WHERE id = $1 AND erased_at_ms IS NULL",
                    )
                    .bind(customer.0)
                    .execute(&mut *tx)
                    .await?;
                    if held.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    let contact =
                        match super::email_impl::store_in(&mut tx, email, Some(customer), now_ms)
                            .await
                        {
                            Ok((contact, _)) => contact,
                            // The same id sent twice at once: the unique index lets one through.
                            Err(StoreError::Conflict) => {
                                drop(tx);
                                let mut conn = self.pool.acquire().await?;
                                let id =
                                    seen(&mut conn, email).await?.ok_or(StoreError::Conflict)?;
                                return Ok(Started::Again(ContactId(id)));
                            }
                            Err(e) => return Err(e),
                        };
                    sqlx::query(
                        "UPDATE contacts SET status = 'ended', end_reason = $2, ended_at_ms = $3 \
                         WHERE id = $1",
                    )
                    .bind(contact.id.0)
                    .bind(to_json(&EndReason::Sent)?)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
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
                    let contact = self.contact(contact.id).await?;
                    Ok(Started::New(contact))
                }
            }
        }
    };
}

pub(super) use impl_outbound_store;
