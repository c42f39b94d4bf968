//! [`Coordination`] on PostgreSQL: LISTEN/NOTIFY on a connection of the node's own, the
//! lead held by a session advisory lock on another, heartbeats in `cluster_nodes`.
//!
//! Both LISTEN and session advisory locks live as long as one server session, so the nodes
//! must reach PostgreSQL directly (or through a proxy in session mode), never through a
//! transaction-pooling proxy that hands each statement to another session.

use super::cluster::{
    Claim, Coordination, Heard, Heartbeat, LeaderSeat, Listener, NodeSeen, Notice, Presence,
    TakenRequest,
};
use super::StoreResult;
use app::domain::ids::{AgentId, ContactId};
use async_trait::async_trait;
use sqlx::{
    postgres::{PgConnectOptions, PgConnection, PgListener, PgPool, PgPoolOptions},
    Connection, Row,
};

pub struct PgCoordination {
    pub(super) pool: PgPool,
    /// For the node's own connections (listening, leading).
    pub(super) options: PgConnectOptions,
    pub(super) node: String,
    /// `switchboard.<schema>` (the database's `switchboard_channel()`).
    pub(super) channel: String,
}

impl PgCoordination {
    pub(super) async fn new(
        pool: PgPool,
        options: PgConnectOptions,
        node: String,
    ) -> StoreResult<Self> {
        let channel: String = sqlx::query_scalar("SELECT switchboard_channel()")
            .fetch_one(&pool)
            .await?;
        Ok(PgCoordination {
            pool,
            options,
            node,
            channel,
        })
    }
}

#[async_trait]
impl Coordination for PgCoordination {
    fn node(&self) -> &str {
        &self.node
    }

    async fn announce(&self, notice: Notice) -> StoreResult<()> {
        let payload = format!("{}|{}", self.node, notice.encode());
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(&self.channel)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn listen(&self) -> StoreResult<Box<dyn Listener>> {
        // A pool of one, so a lost connection is made again by the listener itself.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(self.options.clone())
            .await?;
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(&self.channel).await?;
        Ok(Box::new(PgNoticeListener {
            listener,
            node: self.node.clone(),
        }))
    }

    async fn leader_seat(&self) -> StoreResult<Box<dyn LeaderSeat>> {
        let connection = PgConnection::connect_with(&self.options).await?;
        Ok(Box::new(PgLeaderSeat {
            connection,
            node: self.node.clone(),
        }))
    }

    async fn claim(&self, work: &str) -> StoreResult<Option<Box<dyn Claim>>> {
        let mut connection = PgConnection::connect_with(&self.options).await?;
        let won: bool = sqlx::query_scalar(
            "SELECT pg_try_advisory_lock(hashtext(switchboard_channel() || '.claim.' || $1))",
        )
        .bind(work)
        .fetch_one(&mut connection)
        .await?;
        if !won {
            connection.close().await?;
            return Ok(None);
        }
        Ok(Some(Box::new(PgClaim { connection })))
    }

    async fn hold(&self, work: &str) -> StoreResult<Box<dyn Claim>> {
        let mut connection = PgConnection::connect_with(&self.options).await?;
        sqlx::query("SELECT pg_advisory_lock(hashtext(switchboard_channel() || '.claim.' || $1))")
            .bind(work)
            .execute(&mut connection)
            .await?;
        Ok(Box::new(PgClaim { connection }))
    }

    async fn login_failures(
        &self,
        keys: &[String],
        since_ms: i64,
    ) -> StoreResult<Vec<(String, u32, i64)>> {
        let rows: Vec<(String, i32, i64)> = sqlx::query_as(
            "SELECT key, failures, last_at_ms FROM login_failures \
             WHERE key = ANY($1) AND last_at_ms >= $2",
        )
        .bind(keys)
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(key, n, at)| (key, n.max(0) as u32, at))
            .collect())
    }

    async fn add_login_failure(
        &self,
        keys: &[String],
        now_ms: i64,
        since_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO login_failures (key, failures, last_at_ms) \
             SELECT key, 1, $2 FROM unnest($1::text[]) AS key \
             ON CONFLICT (key) DO UPDATE SET last_at_ms = $2, failures = \
             CASE WHEN login_failures.last_at_ms < $3 THEN 1 \
             ELSE login_failures.failures + 1 END",
        )
        .bind(keys)
        .bind(now_ms)
        .bind(since_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn login_succeeded(&self, user: &str, address: Option<&str>) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(user)
            .execute(&self.pool)
            .await?;
        if let Some(address) = address {
            sqlx::query(
                "UPDATE login_failures SET failures = GREATEST(failures - 1, 0) WHERE key = $1",
            )
            .bind(address)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    async fn offer_shown(
        &self,
        contact: ContactId,
        agent: AgentId,
        expires_at_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pending_offers (contact_id, agent_id, expires_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (contact_id) DO UPDATE SET agent_id = $2, expires_at_ms = $3",
        )
        .bind(contact.0)
        .bind(agent.0)
        .bind(expires_at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn offer_gone(&self, contact: ContactId) -> StoreResult<()> {
        sqlx::query("DELETE FROM pending_offers WHERE contact_id = $1")
            .bind(contact.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn offers_shown(&self) -> StoreResult<Vec<(ContactId, AgentId)>> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT contact_id, agent_id FROM pending_offers ORDER BY contact_id")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(contact, agent)| (ContactId(contact), AgentId(agent)))
            .collect())
    }

    async fn count_hit(&self, key: &str, window_ms: i64) -> StoreResult<u32> {
        let hits: i32 = sqlx::query_scalar(
            "INSERT INTO rate_hits (key, window_ms, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key, window_ms) DO UPDATE SET hits = rate_hits.hits + 1 \
             RETURNING hits",
        )
        .bind(key)
        .bind(window_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(hits.max(0) as u32)
    }

    async fn shared_secret(&self, name: &str, candidate: &[u8]) -> StoreResult<Vec<u8>> {
        sqlx::query(
            "INSERT INTO cluster_secrets (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM cluster_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn set_mailbox_status(&self, name: &str, status: &str, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO mailbox_status (name, node, status, at_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE \
             SET node = excluded.node, status = excluded.status, at_ms = excluded.at_ms",
        )
        .bind(name)
        .bind(&self.node)
        .bind(status)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn mailbox_statuses(&self, since_ms: i64) -> StoreResult<Vec<(String, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT m.name, m.node, m.status FROM mailbox_status m \
             JOIN cluster_nodes n ON n.node = m.node WHERE n.heartbeat_ms >= $1",
        )
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn heartbeat(&self, beat: Heartbeat) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO cluster_nodes \
             (node, started_at_ms, heartbeat_ms, leading_epoch, version, pages, widgets) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (node) DO UPDATE \
             SET heartbeat_ms = excluded.heartbeat_ms, leading_epoch = excluded.leading_epoch, \
             version = excluded.version, pages = excluded.pages, widgets = excluded.widgets",
        )
        .bind(&self.node)
        .bind(beat.started_at_ms)
        .bind(beat.now_ms)
        .bind(beat.leading_epoch)
        .bind(beat.version)
        .bind(beat.pages)
        .bind(beat.widgets)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn nodes(&self, since_ms: i64) -> StoreResult<Vec<NodeSeen>> {
        let rows = sqlx::query(
            "SELECT node, started_at_ms, heartbeat_ms, leading_epoch, version, pages, widgets \
             FROM cluster_nodes \
             WHERE heartbeat_ms >= $1 ORDER BY started_at_ms, node",
        )
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(NodeSeen {
                    node: row.try_get("node")?,
                    started_at_ms: row.try_get("started_at_ms")?,
                    heartbeat_ms: row.try_get("heartbeat_ms")?,
                    leading_epoch: row.try_get("leading_epoch")?,
                    version: row.try_get("version")?,
                    pages: row.try_get("pages")?,
                    widgets: row.try_get("widgets")?,
                })
            })
            .collect()
    }

    async fn submit_request(
        &self,
        request: &str,
        wants_answer: bool,
        now_ms: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO routing_requests (node, request, wants_answer, created_at_ms) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&self.node)
        .bind(request)
        .bind(wants_answer)
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn take_requests(&self, epoch: i64, limit: i64) -> StoreResult<Vec<TakenRequest>> {
        // Taken only under the current epoch: a leader that lost the lead takes nothing.
        let rows = sqlx::query(
            "UPDATE routing_requests SET taken_epoch = $1 WHERE id IN ( \
                 SELECT id FROM routing_requests WHERE taken_epoch IS NULL \
                 AND (SELECT epoch FROM cluster_leadership WHERE id = 1) = $1 \
                 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) \
             RETURNING id, request, wants_answer",
        )
        .bind(epoch)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut taken = rows
            .iter()
            .map(|row| {
                Ok(TakenRequest {
                    id: row.try_get("id")?,
                    request: row.try_get("request")?,
                    wants_answer: row.try_get("wants_answer")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        taken.sort_by_key(|t| t.id);
        Ok(taken)
    }

    async fn answer_request(&self, id: i64, answer: &str) -> StoreResult<()> {
        sqlx::query("UPDATE routing_requests SET answer = $2 WHERE id = $1")
            .bind(id)
            .bind(answer)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn withdraw_request(&self, id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM routing_requests WHERE id = $1 AND taken_epoch IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn read_answer(&self, id: i64) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(
            "DELETE FROM routing_requests WHERE id = $1 AND answer IS NOT NULL RETURNING answer",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn sweep(&self, before_ms: i64) -> StoreResult<u64> {
        let swept = sqlx::query(
            "DELETE FROM routing_requests WHERE taken_epoch IS NOT NULL AND created_at_ms < $1",
        )
        .bind(before_ms)
        .execute(&self.pool)
        .await?
        .rows_affected();
        // The pages of nodes gone silent since, and the nodes themselves.
        sqlx::query(
            "DELETE FROM presence WHERE node NOT IN \
             (SELECT node FROM cluster_nodes WHERE heartbeat_ms >= $1)",
        )
        .bind(before_ms)
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM rate_hits WHERE window_ms < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM login_failures WHERE last_at_ms < $1")
            .bind(before_ms - 86_400_000)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM cluster_nodes WHERE heartbeat_ms < $1")
            .bind(before_ms - 86_400_000)
            .execute(&self.pool)
            .await?;
        Ok(swept)
    }

    async fn set_present(&self, who: Presence, connections: u32) -> StoreResult<()> {
        let (kind, id) = who.key();
        if connections == 0 {
            sqlx::query("DELETE FROM presence WHERE kind = $1 AND id = $2 AND node = $3")
                .bind(kind)
                .bind(id)
                .bind(&self.node)
                .execute(&self.pool)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO presence (node, kind, id, connections) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (kind, id, node) DO UPDATE SET connections = excluded.connections",
            )
            .bind(&self.node)
            .bind(kind)
            .bind(id)
            .bind(connections as i32)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    async fn present_on(&self, who: Presence, since_ms: i64) -> StoreResult<Vec<String>> {
        let (kind, id) = who.key();
        Ok(sqlx::query_scalar(
            "SELECT p.node FROM presence p JOIN cluster_nodes n ON n.node = p.node \
             WHERE p.kind = $1 AND p.id = $2 AND p.connections > 0 AND n.heartbeat_ms >= $3",
        )
        .bind(kind)
        .bind(id)
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn agents_present(&self, since_ms: i64) -> StoreResult<Vec<AgentId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT p.id FROM presence p JOIN cluster_nodes n ON n.node = p.node \
             WHERE p.kind = 'a' AND p.connections > 0 AND n.heartbeat_ms >= $1",
        )
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(AgentId).collect())
    }
}

struct PgNoticeListener {
    listener: PgListener,
    node: String,
}

#[async_trait]
impl Listener for PgNoticeListener {
    async fn next(&mut self) -> StoreResult<Heard> {
        loop {
            let Some(notification) = self.listener.try_recv().await? else {
                // Made again (and listening again) before it returned.
                return Ok(Heard::Reconnected);
            };
            match Notice::decode(notification.payload()) {
                // Its own notices but its pings, and the others' pings, are not for it.
                Some((node, notice))
                    if (node == self.node) != matches!(notice, Notice::Ping { .. }) =>
                {
                    continue
                }
                Some((_, notice)) => return Ok(Heard::Notice(notice)),
                None => {
                    tracing::warn!(payload = notification.payload(), "unknown notice ignored");
                }
            }
        }
    }
}

/// How often a claim's connection is checked, and how long it has to answer.
const CLAIM_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

struct PgClaim {
    connection: PgConnection,
}

#[async_trait]
impl Claim for PgClaim {
    async fn lost(&mut self) {
        loop {
            tokio::time::sleep(CLAIM_CHECK).await;
            match tokio::time::timeout(CLAIM_CHECK, self.connection.ping()).await {
                Ok(Ok(())) => {}
                _ => return,
            }
        }
    }
}

struct PgLeaderSeat {
    connection: PgConnection,
    node: String,
}

#[async_trait]
impl LeaderSeat for PgLeaderSeat {
    async fn try_lead(&mut self, now_ms: i64) -> StoreResult<Option<i64>> {
        let won: bool = sqlx::query_scalar(
            "SELECT pg_try_advisory_lock(hashtext(switchboard_channel() || '.leader'))",
        )
        .fetch_one(&mut self.connection)
        .await?;
        if !won {
            return Ok(None);
        }
        let epoch: i64 = sqlx::query_scalar(
            "UPDATE cluster_leadership SET epoch = epoch + 1, node = $1, since_ms = $2 \
             WHERE id = 1 RETURNING epoch",
        )
        .bind(&self.node)
        .bind(now_ms)
        .fetch_one(&mut self.connection)
        .await?;
        Ok(Some(epoch))
    }

    async fn still_held(&mut self) -> StoreResult<()> {
        self.connection.ping().await?;
        Ok(())
    }
}
