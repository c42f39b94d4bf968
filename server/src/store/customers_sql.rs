//! The customer links' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_customer_store {
    ($store:ty, $row:ty) => {
        mod customer_impl {
            use super::*;
            use app::domain::customer::{phone_digits, CustomerAddress, CustomerMatch};
            use $crate::store::customers::{CustomerStore, EMAIL_HANDLE, PHONE_HANDLE};
            use $crate::store::ContactStore;

            /// A customer's own addresses, as a link reads them.
            struct Addresses {
                email: Option<String>,
                phone: Option<String>,
                digits: Option<String>,
            }

            type Conn = <<$row as sqlx::Row>::Database as sqlx::Database>::Connection;

            async fn addresses(conn: &mut Conn, id: CustomerId) -> StoreResult<Addresses> {
                let row =
                    sqlx::query("SELECT email, phone, phone_digits FROM customers WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(&mut *conn)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                Ok(Addresses {
                    email: row.try_get("email")?,
                    phone: row.try_get("phone")?,
                    digits: row.try_get("phone_digits")?,
                })
            }

            /// Keeps one more address of `customer` as a handle of its kind.
            async fn keep_address(
                conn: &mut Conn,
                customer: CustomerId,
                kind: &str,
                value: &str,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO customer_handles (channel, handle, customer_id) \
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(kind)
                .bind(value)
                .bind(customer.0)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            #[async_trait::async_trait]
            impl CustomerStore for $store {
                async fn find_customer(
                    &self,
                    address: &CustomerAddress,
                ) -> StoreResult<Option<CustomerMatch>> {
                    let (kind, value, own) = match address {
                        CustomerAddress::Email(a) => (
                            EMAIL_HANDLE,
                            a,
                            "SELECT id FROM customers WHERE LOWER(email) = $1 \
                             ORDER BY id LIMIT 1",
                        ),
                        CustomerAddress::Phone(d) => (
                            PHONE_HANDLE,
                            d,
                            "SELECT id FROM customers WHERE phone_digits = $1 \
                             ORDER BY id LIMIT 1",
                        ),
                    };
                    let mut id: Option<i64> = sqlx::query_scalar(
                        "SELECT customer_id FROM customer_handles \
                         WHERE channel = $1 AND handle = $2",
                    )
                    .bind(kind)
                    .bind(value)
                    .fetch_optional(&self.pool)
                    .await?;
                    if id.is_none() {
                        id = sqlx::query_scalar(own)
                            .bind(value)
                            .fetch_optional(&self.pool)
                            .await?;
                    }
                    if id.is_none() && kind == PHONE_HANDLE {
                        id = sqlx::query_scalar(
                            "SELECT customer_id FROM customer_handles \
                             WHERE channel = $1 AND handle = $2",
                        )
                        .bind(app::domain::meta::MetaChannel::WhatsApp.name())
                        .bind(value)
                        .fetch_optional(&self.pool)
                        .await?;
                    }
                    let Some(id) = id else {
                        return Ok(None);
                    };
                    let customer = self.customer(CustomerId(id)).await?;
                    let row = sqlx::query(
                        "SELECT COUNT(*) AS n, MAX(created_at_ms) AS last \
                         FROM contacts WHERE customer_id = $1",
                    )
                    .bind(id)
                    .fetch_one(&self.pool)
                    .await?;
                    let n: i64 = row.try_get("n")?;
                    Ok(Some(CustomerMatch {
                        customer,
                        conversations: u32::try_from(n).unwrap_or(u32::MAX),
                        last_at_ms: row.try_get("last")?,
                    }))
                }

                async fn link_customers(
                    &self,
                    from: CustomerId,
                    into: CustomerId,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    let old = addresses(&mut tx, from).await?;
                    let kept = addresses(&mut tx, into).await?;
                    for table in ["contacts", "customer_handles"] {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "UPDATE {table} SET customer_id = $2 WHERE customer_id = $1"
                        )))
                        .bind(from.0)
                        .bind(into.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    // The other person's addresses: in the blanks, else as handles.
                    if let Some(email) = old.email.filter(|e| !e.trim().is_empty()) {
                        match &kept.email {
                            None => {
                                sqlx::query("UPDATE customers SET email = $2 WHERE id = $1")
                                    .bind(into.0)
                                    .bind(&email)
                                    .execute(&mut *tx)
                                    .await?;
                            }
                            Some(own) if own.to_lowercase() != email.to_lowercase() => {
                                keep_address(&mut tx, into, EMAIL_HANDLE, &email.to_lowercase())
                                    .await?;
                            }
                            Some(_) => {}
                        }
                    }
                    let digits = old
                        .digits
                        .or_else(|| old.phone.as_deref().map(phone_digits))
                        .filter(|d| !d.is_empty());
                    if let Some(digits) = digits {
                        match &kept.digits {
                            None => {
                                sqlx::query(
                                    "UPDATE customers SET phone = $2, phone_digits = $3 \
                                     WHERE id = $1",
                                )
                                .bind(into.0)
                                .bind(old.phone.as_deref().unwrap_or(&digits))
                                .bind(&digits)
                                .execute(&mut *tx)
                                .await?;
                            }
                            Some(own) if *own != digits => {
                                keep_address(&mut tx, into, PHONE_HANDLE, &digits).await?;
                            }
                            Some(_) => {}
                        }
                    }
                    sqlx::query("DELETE FROM customers WHERE id = $1")
                        .bind(from.0)
                        .execute(&mut *tx)
                        .await?;
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    tx.commit().await?;
                    Ok(())
                }
            }
        }
    };
}

pub(super) use impl_customer_store;
