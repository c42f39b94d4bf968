//! The API's reads of whole records (issue 17), shared by both backends like
//! [`super::sql`]. A customer's addresses and tags for a whole page come in one read each
//! ; a conversation is read as the export reads it.

macro_rules! impl_record_store {
    ($store:ty, $row:ty) => {
        mod record_impl {
            use super::privacy_impl::{conversation, notes, FOUND};
            use super::*;
            use std::collections::HashMap;
            use $crate::store::privacy::{DossierAddress, DossierCustomer, DossierNote};
            use $crate::store::records::{
                ConversationRecord, CustomerPage, CustomerRecord, RecordStore,
            };
            use $crate::store::search::containing;

            type Conn = <<$row as sqlx::Row>::Database as sqlx::Database>::Connection;

            const CUSTOMER: &str = "SELECT c.id, c.name, c.email, c.phone, c.created_at_ms, \
                 (SELECT COUNT(*) FROM contacts k WHERE k.customer_id = c.id) AS conversations \
                 FROM customers c";

            /// The records of these customer rows, the addresses and tags of the whole page
            /// read at once.
            async fn records(conn: &mut Conn, rows: &[$row]) -> StoreResult<Vec<CustomerRecord>> {
                let ids = rows
                    .iter()
                    .map(|r| r.try_get::<i64, _>("id"))
                    .collect::<Result<Vec<_>, _>>()?;
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let listed = (1..=ids.len())
                    .map(|n| format!("${n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT customer_id, channel, handle, profile_name FROM customer_handles \
                     WHERE customer_id IN ({listed}) ORDER BY customer_id, channel, handle"
                )));
                for id in &ids {
                    query = query.bind(*id);
                }
                let mut addresses: HashMap<i64, Vec<DossierAddress>> = HashMap::new();
                for r in query.fetch_all(&mut *conn).await? {
                    addresses
                        .entry(r.try_get("customer_id")?)
                        .or_default()
                        .push(DossierAddress {
                            kind: r.try_get("channel")?,
                            value: r.try_get("handle")?,
                            profile_name: r.try_get("profile_name")?,
                        });
                }
                let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT customer_id, tag FROM customer_tags \
                     WHERE customer_id IN ({listed}) ORDER BY customer_id, position"
                )));
                for id in &ids {
                    query = query.bind(*id);
                }
                let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
                for r in query.fetch_all(&mut *conn).await? {
                    tags.entry(r.try_get("customer_id")?)
                        .or_default()
                        .push(r.try_get("tag")?);
                }
                rows.iter()
                    .zip(ids)
                    .map(|(r, id)| {
                        Ok(CustomerRecord {
                            customer: DossierCustomer {
                                id,
                                name: r.try_get("name")?,
                                email: r.try_get("email")?,
                                phone: r.try_get("phone")?,
                                created_at_ms: r.try_get("created_at_ms")?,
                            },
                            addresses: addresses.remove(&id).unwrap_or_default(),
                            tags: tags.remove(&id).unwrap_or_default(),
                            conversations: r.try_get::<i64, _>("conversations")? as u32,
                        })
                    })
                    .collect()
            }

            #[async_trait::async_trait]
            impl RecordStore for $store {
                async fn customer_records(
                    &self,
                    page: &CustomerPage,
                ) -> StoreResult<Vec<CustomerRecord>> {
                    let like = containing(&page.text);
                    let digits = (!page.digits.is_empty()).then(|| containing(&page.digits));
                    let mut conn = self.pool.acquire().await?;
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "{CUSTOMER} WHERE {FOUND} AND c.id > $4 ORDER BY c.id LIMIT $5"
                    )))
                    .bind(&page.text)
                    .bind(&like)
                    .bind(&digits)
                    .bind(page.after)
                    .bind(i64::from(page.limit))
                    .fetch_all(&mut *conn)
                    .await?;
                    records(&mut conn, &rows).await
                }

                async fn customer_record(&self, id: CustomerId) -> StoreResult<CustomerRecord> {
                    let mut conn = self.pool.acquire().await?;
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "{CUSTOMER} WHERE c.id = $1 AND c.erased_at_ms IS NULL"
                    )))
                    .bind(id.0)
                    .fetch_all(&mut *conn)
                    .await?;
                    records(&mut conn, &rows)
                        .await?
                        .pop()
                        .ok_or(StoreError::NotFound)
                }

                async fn customer_notes(&self, id: CustomerId) -> StoreResult<Vec<DossierNote>> {
                    let mut conn = self.pool.acquire().await?;
                    notes(&mut conn, id).await
                }

                async fn conversation_record(
                    &self,
                    id: ContactId,
                ) -> StoreResult<ConversationRecord> {
                    let mut conn = self.pool.acquire().await?;
                    let row = sqlx::query(
                        "SELECT k.id, k.customer_id, k.csq_id, k.agent_id, k.channel, \
                         q.name AS queue, k.status, a.alias AS agent, k.problem, k.details, \
                         k.created_at_ms, k.accepted_at_ms, k.ended_at_ms, k.contents_erased_at_ms \
                         FROM contacts k JOIN csqs q ON q.id = k.csq_id \
                         LEFT JOIN agents a ON a.id = k.agent_id WHERE k.id = $1",
                    )
                    .bind(id.0)
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                    // The lines typed, as the transcript reads them (the export's are
                    // generic JSON).
                    let lines = sqlx::query(
                        "SELECT seq, at_ms, body FROM chat_lines WHERE contact_id = $1 ORDER BY seq",
                    )
                    .bind(id.0)
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(line_from_row)
                    .collect::<StoreResult<Vec<_>>>()?;
                    Ok(ConversationRecord {
                        customer: CustomerId(row.try_get("customer_id")?),
                        queue: CsqId(row.try_get("csq_id")?),
                        agent: row.try_get::<Option<i64>, _>("agent_id")?.map(AgentId),
                        conversation: conversation(&mut conn, &row, false).await?,
                        lines,
                    })
                }
            }
        }
    };
}

pub(super) use impl_record_store;
