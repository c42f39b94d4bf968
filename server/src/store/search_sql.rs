//! The Conversations page's SQL, shared by both backends like [`super::sql`] but for the
//! full-text part each backend gives: how a folded text is kept (`$forget` the one kept
//! before, binding the contact's id; then `$keep`, binding the contact's id then the text),
//! the condition a conversation's text meets (`$matches`, on
//! `c.id`, with the match expression in `$10`) and how the folded words are written as that
//! expression (`$expression`).

macro_rules! impl_search_store {
    ($store:ty, $row:ty, $forget:literal, $keep:literal, $matches:literal, $expression:path) => {
        mod search_impl {
            use super::*;
            use $crate::store::search::{
                containing, total_of, ConversationPage, SearchQuery, SearchStore,
            };

            /// The filters, numbered from $1 to $10, shared by the Conversations page's
            /// count and page and the API's pages.
            const FILTERS: &str = concat!(
                "(CAST($1 AS BIGINT) IS NULL OR c.agent_id = $1 \
                      OR c.csq_id IN (SELECT m.csq_id FROM csq_members m WHERE m.agent_id = $1)) \
                 AND (CAST($2 AS BIGINT) IS NULL OR c.csq_id = $2) \
                 AND (CAST($3 AS BIGINT) IS NULL OR c.agent_id = $3) \
                 AND (CAST($4 AS TEXT) IS NULL OR c.channel = $4) \
                 AND (CAST($5 AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM contact_wrap_up w \
                      WHERE w.contact_id = c.id AND w.reason_id = $5)) \
                 AND (CAST($6 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM customer_tags t \
                      WHERE t.customer_id = c.customer_id AND t.tag = $6)) \
                 AND (CAST($7 AS TEXT) IS NULL OR lower(u.name) LIKE $7 ESCAPE '\\' \
                      OR lower(u.email) LIKE $7 ESCAPE '\\') \
                 AND c.created_at_ms >= $8 AND c.created_at_ms < $9 \
                 AND (CAST($10 AS TEXT) IS NULL OR ",
                $matches,
                ")"
            );

            #[async_trait::async_trait]
            impl SearchStore for $store {
                async fn to_index(&self, limit: u32, ended_before_ms: i64) -> StoreResult<Vec<ContactId>> {
                    let ids: Vec<i64> = sqlx::query_scalar(
                        "SELECT id FROM contacts WHERE status = 'ended' AND NOT search_indexed \
                         AND COALESCE(ended_at_ms, 0) < $2 ORDER BY id LIMIT $1",
                    )
                    .bind(i64::from(limit))
                    .bind(ended_before_ms)
                    .fetch_all(&self.pool)
                    .await?;
                    Ok(ids.into_iter().map(ContactId).collect())
                }

                async fn index_conversation(
                    &self,
                    contact: ContactId,
                    text: &str,
                ) -> StoreResult<bool> {
                    let mut tx = self.writer.begin().await?;
                    // Marking first takes the row: a second indexer waits, then finds it done.
                    let marked = sqlx::query(
                        "UPDATE contacts SET search_indexed = TRUE \
                         WHERE id = $1 AND status = 'ended' AND NOT search_indexed",
                    )
                    .bind(contact.0)
                    .execute(&mut *tx)
                    .await?;
                    if marked.rows_affected() == 0 {
                        return Ok(false);
                    }
                    // Indexed before, then given back to its agent (a refused reply): the text
                    // it ends with now replaces that one.
                    sqlx::query($forget).bind(contact.0).execute(&mut *tx).await?;
                    sqlx::query($keep)
                        .bind(contact.0)
                        .bind(text)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(true)
                }

                async fn search_conversations(
                    &self,
                    query: &SearchQuery,
                    offset: u32,
                    limit: u32,
                ) -> StoreResult<(Vec<(Contact, String)>, u64)> {
                    let reach = query.reach.as_ref().map(|r| r.own.0);
                    let channel = query.channel.map(|c| c.as_str());
                    let customer = query.customer.as_deref().map(containing);
                    let words = (!query.words.is_empty()).then(|| $expression(&query.words));
                    macro_rules! bound {
                        ($q:expr) => {
                            $q.bind(reach)
                                .bind(query.csq.map(|c| c.0))
                                .bind(query.agent.map(|a| a.0))
                                .bind(channel)
                                .bind(query.reason.map(|r| r.0))
                                .bind(query.tag.clone())
                                .bind(customer.clone())
                                .bind(query.range.0)
                                .bind(query.range.1)
                        };
                    }
                    let columns = CONTACT_COLUMNS
                        .split(", ")
                        .map(|c| format!("c.{c}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let rows = bound!(sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {columns}, u.name AS customer_name, COUNT(*) OVER () AS total \
                         FROM contacts c JOIN customers u ON u.id = c.customer_id \
                         WHERE c.status = 'ended' AND {FILTERS} ORDER BY c.created_at_ms DESC, c.id DESC LIMIT $11 OFFSET $12"
                    ))))
                    .bind(words.clone())
                    .bind(i64::from(limit))
                    .bind(i64::from(offset))
                    .fetch_all(&self.pool)
                    .await?;
                    let count = bound!(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT COUNT(*) FROM contacts c JOIN customers u \
                         ON u.id = c.customer_id WHERE c.status = 'ended' AND {FILTERS}"
                    ))))
                    .bind(words)
                    .fetch_one(&self.pool);
                    let total = total_of(&rows, offset, count).await?;
                    let contacts = rows
                        .iter()
                        .map(|r| Ok((contact_from_row(r)?, r.try_get("customer_name")?)))
                        .collect::<StoreResult<_>>()?;
                    Ok((contacts, total))
                }

                async fn conversation_page(
                    &self,
                    page: &ConversationPage,
                ) -> StoreResult<Vec<(Contact, String)>> {
                    let query = &page.query;
                    let channel = query.channel.map(|c| c.as_str());
                    let customer = query.customer.as_deref().map(containing);
                    let words = (!query.words.is_empty()).then(|| $expression(&query.words));
                    let columns = CONTACT_COLUMNS
                        .split(", ")
                        .map(|c| format!("c.{c}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    // A conversation's text is searched once it has ended (one given back
                    // to its agent keeps its old text meanwhile).
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {columns}, u.name AS customer_name \
                         FROM contacts c JOIN customers u ON u.id = c.customer_id \
                         WHERE {FILTERS} AND (CAST($10 AS TEXT) IS NULL OR c.status = 'ended') \
                         AND (CAST($11 AS BIGINT) IS NULL OR c.customer_id = $11) \
                         AND (CAST($12 AS BIGINT) IS NULL OR c.id < $12) \
                         ORDER BY c.id DESC LIMIT $13"
                    )))
                    .bind(query.reach.as_ref().map(|r| r.own.0))
                    .bind(query.csq.map(|c| c.0))
                    .bind(query.agent.map(|a| a.0))
                    .bind(channel)
                    .bind(query.reason.map(|r| r.0))
                    .bind(query.tag.clone())
                    .bind(customer)
                    .bind(query.range.0)
                    .bind(query.range.1)
                    .bind(words)
                    .bind(page.customer.map(|c| c.0))
                    .bind(page.before.map(|c| c.0))
                    .bind(i64::from(page.limit))
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|r| Ok((contact_from_row(r)?, r.try_get("customer_name")?)))
                        .collect()
                }
            }
        }
    };
}

pub(super) use impl_search_store;
