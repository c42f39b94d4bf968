//! The SQL of customers' notes and tags, shared by both backends like [`super::sql`].

macro_rules! impl_about_store {
    ($store:ty, $row:ty) => {
        mod about_impl {
            use super::*;
            use app::domain::about_customer::{AboutCustomer, CustomerNote};
            use $crate::store::about::AboutStore;

            type Conn = <<$row as sqlx::Row>::Database as sqlx::Database>::Connection;

            /// The customer is on record (in the transaction that changes what is known of
            /// them, so a link cannot remove them in between).
            async fn customer_exists(conn: &mut Conn, id: CustomerId) -> StoreResult<()> {
                let found: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM customers WHERE id = $1")
                        .bind(id.0)
                        .fetch_optional(&mut *conn)
                        .await?;
                found.map(|_| ()).ok_or(StoreError::NotFound)
            }

            #[async_trait::async_trait]
            impl AboutStore for $store {
                async fn about_customer(
                    &self,
                    id: CustomerId,
                    notes: u32,
                ) -> StoreResult<AboutCustomer> {
                    let tags: Vec<String> = sqlx::query_scalar(
                        "SELECT tag FROM customer_tags WHERE customer_id = $1 ORDER BY position, tag",
                    )
                    .bind(id.0)
                    .fetch_all(&self.pool)
                    .await?;
                    let notes = sqlx::query(
                        "SELECT n.id, a.alias, n.body, n.created_at_ms FROM customer_notes n \
                         JOIN agents a ON a.id = n.agent_id WHERE n.customer_id = $1 \
                         ORDER BY n.id DESC LIMIT $2",
                    )
                    .bind(id.0)
                    .bind(i64::from(notes))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(CustomerNote {
                            id: r.try_get("id")?,
                            agent: r.try_get("alias")?,
                            text: r.try_get("body")?,
                            at_ms: r.try_get("created_at_ms")?,
                        })
                    })
                    .collect::<StoreResult<_>>()?;
                    Ok(AboutCustomer { tags, notes })
                }

                async fn add_customer_note(
                    &self,
                    id: CustomerId,
                    agent: AgentId,
                    text: &str,
                    at_ms: i64,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    customer_exists(&mut *tx, id).await?;
                    sqlx::query(
                        "INSERT INTO customer_notes (customer_id, agent_id, body, created_at_ms) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id.0)
                    .bind(agent.0)
                    .bind(text)
                    .bind(at_ms)
                    .execute(&mut *tx)
                    .await?;
                    write_customer_event(&mut tx, id, at_ms).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn set_customer_tags(
                    &self,
                    id: CustomerId,
                    tags: &[String],
                    at_ms: i64,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    customer_exists(&mut *tx, id).await?;
                    super::customer_impl::replace_tags(&mut tx, id.0, tags).await?;
                    write_customer_event(&mut tx, id, at_ms).await?;
                    tx.commit().await?;
                    Ok(())
                }
            }
        }
    };
}

pub(super) use impl_about_store;
