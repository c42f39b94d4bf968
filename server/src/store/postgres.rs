//! PostgreSQL, selected by a `postgres://` database URL.

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;

pub struct PgStore {
    pool: PgPool,
    /// Writes: the same pool (PostgreSQL runs writers side by side).
    writer: PgPool,
    /// Transcript lines, stored in group commits (see [`super::lines`]).
    lines: super::lines::LineWriter,
    /// Chats read for messages, many per read (see [`super::batch`]).
    parties: super::contacts::PartiesReader,
    /// The agents' events, stored in group commits (see [`super::events`]).
    events: super::events::EventWriter,
    /// Off: several processes may save settings (see [`super::config_cache`]).
    config: super::config_cache::ConfigCache,
    /// What this process shares with the others on the database (issue 14).
    coordination: std::sync::Arc<super::cluster_pg::PgCoordination>,
}

impl PgStore {
    pub async fn connect(url: &str) -> super::StoreResult<Self> {
        Self::connect_with(PgConnectOptions::from_str(url)?).await
    }

    /// Connects with prepared options (tests use them to put each run in its own schema).
    pub async fn connect_with(options: PgConnectOptions) -> super::StoreResult<Self> {
        // Every connection carries the node's name: the database's notices say who wrote
        // (migration 0017), so a node skips its own.
        let node = node_name();
        // The server ends a session whose node stopped answering within about 25 s (and
        // releases its advisory locks: the lead, mailboxes), rather than the system's two
        // hours.
        let options = options.application_name(&node).options([
            ("tcp_keepalives_idle", "10"),
            ("tcp_keepalives_interval", "5"),
            ("tcp_keepalives_count", "3"),
        ]);
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone())
            .await?;
        // A node of the previous release may start (or restart) while a newer one has
        // migrated: it runs on the newer schema (migrations keep the previous release
        // working) rather than refuse the migrations it does not know.
        let mut migrator = sqlx::migrate!("./migrations/postgres");
        migrator.set_ignore_missing(true);
        migrator.run(&pool).await?;
        // The transcript writer's own connection: it never waits behind the readers.
        let writer = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        let (lines, parties) = PgStore::spawn_batchers(&pool, writer);
        let events = PgStore::spawn_event_writer(pool.clone());
        let coordination = super::cluster_pg::PgCoordination::new(pool.clone(), options, node);
        let coordination = std::sync::Arc::new(coordination.await?);
        Ok(PgStore {
            coordination,
            writer: pool.clone(),
            pool,
            lines,
            parties,
            events,
            config: super::config_cache::ConfigCache::disabled(),
        })
    }
}

/// A name for this process among the nodes: random, so two processes on one machine (or
/// a restarted one) never share it.
fn node_name() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    format!("sb-{:08x}", OsRng.next_u32())
}

impl PgStore {
    pub(crate) fn coordination_handle(
        &self,
    ) -> Option<std::sync::Arc<dyn super::cluster::Coordination>> {
        Some(self.coordination.clone())
    }

    /// How a row read to be written is held (locked until the transaction ends).
    pub(crate) const FOR_UPDATE: &'static str = " FOR UPDATE";

    /// Taken by a transaction that checks an address is nobody's before giving it to a
    /// customer: two at once would both find it free (held until the transaction ends).
    pub(crate) const CUSTOMER_ADDRESSES_LOCK: &'static str =
        "SELECT pg_advisory_xact_lock(hashtext(switchboard_channel() || '.customer-addresses'))";

    /// How a work queue's rows are taken (rows another session holds are passed over).
    pub(crate) const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";

    /// The condition of a routing leader's writes: its epoch (`$6`) is still the lead's.
    /// The row is held shared until the write commits, so a new lead's epoch comes after.
    pub(crate) const LEAD_FENCE: &'static str = " AND EXISTS (SELECT 1 FROM cluster_leadership \
         WHERE id = 1 AND epoch = $6 FOR SHARE)";

    /// Markers for statements built at run time: numbered markers, the only kind it reads (see [`super::placeholders`]).
    pub(crate) const NUMBERED_PARAMS: bool = true;
}

super::sql::impl_store!(PgStore, "postgres", sqlx::postgres::PgRow);
super::agents_sql::impl_agents_store!(PgStore, sqlx::postgres::PgRow);
super::contacts_sql::impl_contacts_store!(PgStore, sqlx::postgres::PgRow);
super::settings_sql::impl_settings_store!(PgStore, sqlx::postgres::PgRow);
super::email_sql::impl_email_store!(PgStore, sqlx::postgres::PgRow);
super::reply_sql::impl_reply_store!(PgStore, sqlx::postgres::PgRow);
super::intake_sql::impl_intake_store!(PgStore, sqlx::postgres::PgRow);
super::queues_sql::impl_queue_store!(PgStore, sqlx::postgres::PgRow);
super::canned_sql::impl_canned_store!(PgStore, sqlx::postgres::PgRow);
super::prechat_sql::impl_prechat_store!(PgStore, sqlx::postgres::PgRow);
super::mailboxes_sql::impl_mailbox_store!(PgStore, sqlx::postgres::PgRow);
super::meta_sql::impl_meta_store!(PgStore, sqlx::postgres::PgRow);
super::customers_sql::impl_customer_store!(PgStore, sqlx::postgres::PgRow);
super::about_sql::impl_about_store!(PgStore, sqlx::postgres::PgRow);
super::audit_sql::impl_audit_store!(PgStore, sqlx::postgres::PgRow);
super::api_tokens_sql::impl_api_token_store!(PgStore, sqlx::postgres::PgRow);
super::webhooks_sql::impl_webhook_store!(PgStore, sqlx::postgres::PgRow);
super::supervision_sql::impl_supervision_store!(PgStore, sqlx::postgres::PgRow);
super::reports_sql::impl_report_store!(PgStore, sqlx::postgres::PgRow);
super::records_sql::impl_record_store!(PgStore, sqlx::postgres::PgRow);
super::outbound_sql::impl_outbound_store!(PgStore, sqlx::postgres::PgRow);
super::privacy_sql::impl_privacy_store!(
    PgStore,
    sqlx::postgres::PgRow,
    "DELETE FROM search_docs WHERE contact_id = $1"
);
super::search_sql::impl_search_store!(
    PgStore,
    sqlx::postgres::PgRow,
    "DELETE FROM search_docs WHERE contact_id = $1",
    "INSERT INTO search_docs (contact_id, body) VALUES ($1, $2)",
    "c.id IN (SELECT d.contact_id FROM search_docs d WHERE d.words @@ to_tsquery('simple', $10))",
    tsquery
);

/// `to_tsquery`'s text for folded words: each the start of a word of the text (they are
/// letters and digits only, so none is an operator).
fn tsquery(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("{w}:*"))
        .collect::<Vec<_>>()
        .join(" & ")
}
