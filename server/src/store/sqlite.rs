//! The embedded default: one SQLite file, in WAL mode so readers never wait for the writer.
//!
//! Durability: `synchronous=NORMAL`. In WAL mode a commit is complete once its frames are
//! written to the WAL file, which is in the operating system's hands as soon as the write
//! returns: a process that is killed (or crashes, or is upgraded) at any moment after a
//! commit keeps that commit (proven by `tests/it/chat_crash.rs`). Only a power cut or kernel
//! crash can lose the last commits before the next checkpoint's fsync, and never corrupts
//! the file. `FULL` would add an fsync to every commit (about 3 ms on the disks measured)
//! for that one case, and make every commit wait for the disk. PostgreSQL keeps its own
//! setting (`synchronous_commit`, on by default).

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::{str::FromStr, time::Duration};

pub struct SqliteStore {
    /// Readers: any number at once, never waiting for the writer (WAL).
    pool: SqlitePool,
    /// Every write, on one connection: SQLite takes one writer at a time, and writers that
    /// wait for this connection queue in order and wake the moment it is free, where
    /// connections that contended for the file's lock would sleep in SQLite's busy handler
    /// (1, 2, 5, 10 ms ...) and retry.
    writer: SqlitePool,
    /// Transcript lines, stored in group commits (see [`super::lines`]).
    lines: super::lines::LineWriter,
    /// Chats read for messages, many per read (see [`super::batch`]).
    parties: super::contacts::PartiesReader,
    /// The agents' events, stored in group commits (see [`super::events`]).
    events: super::events::EventWriter,
    /// Settings every chat reads, kept between saves (see [`super::config_cache`]).
    config: super::config_cache::ConfigCache,
}

impl SqliteStore {
    /// Opens (creating if missing) the file a `sqlite:` URL or plain path names, and migrates it.
    pub async fn connect(url: &str) -> super::StoreResult<Self> {
        let url = if url.starts_with("sqlite:") {
            url.to_string()
        } else {
            format!("sqlite://{url}")
        };
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Only another process (the admin command) can hold the write lock: this
            // one writes on one connection.
            .busy_timeout(Duration::from_secs(5));
        // A connection to a file cannot go stale: no test round trip before each use.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        let (lines, parties) = SqliteStore::spawn_batchers(&pool, writer.clone());
        let events = SqliteStore::spawn_event_writer(writer.clone());
        Ok(SqliteStore {
            pool,
            writer,
            lines,
            parties,
            events,
            config: super::config_cache::ConfigCache::new(),
        })
    }
}

impl SqliteStore {
    /// One process by design: nothing to share, everything stays in process.
    pub(crate) fn coordination_handle(
        &self,
    ) -> Option<std::sync::Arc<dyn super::cluster::Coordination>> {
        None
    }

    /// How a row read to be written is held (the one writer holds the file already).
    pub(crate) const FOR_UPDATE: &'static str = "";

    /// Nothing to take: the one writer connection runs one transaction at a time.
    pub(crate) const CUSTOMER_ADDRESSES_LOCK: &'static str = "SELECT 1";

    /// How a work queue's rows are taken (one writer at a time: nothing to pass over).
    pub(crate) const SKIP_LOCKED: &'static str = "";

    /// One process, no epochs: a routing leader's writes carry no further condition.
    pub(crate) const LEAD_FENCE: &'static str = "";

    /// Markers for statements built at run time: plain `?` markers (see [`super::placeholders`]).
    pub(crate) const NUMBERED_PARAMS: bool = false;
}

super::sql::impl_store!(SqliteStore, "sqlite", sqlx::sqlite::SqliteRow);
super::agents_sql::impl_agents_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::contacts_sql::impl_contacts_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::settings_sql::impl_settings_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::email_sql::impl_email_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::reply_sql::impl_reply_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::intake_sql::impl_intake_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::queues_sql::impl_queue_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::canned_sql::impl_canned_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::prechat_sql::impl_prechat_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::mailboxes_sql::impl_mailbox_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::meta_sql::impl_meta_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::customers_sql::impl_customer_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::about_sql::impl_about_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::audit_sql::impl_audit_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::api_tokens_sql::impl_api_token_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::webhooks_sql::impl_webhook_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::supervision_sql::impl_supervision_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::reports_sql::impl_report_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::records_sql::impl_record_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::outbound_sql::impl_outbound_store!(SqliteStore, sqlx::sqlite::SqliteRow);
super::privacy_sql::impl_privacy_store!(
    SqliteStore,
    sqlx::sqlite::SqliteRow,
    "DELETE FROM search_fts WHERE rowid = $1"
);
super::search_sql::impl_search_store!(
    SqliteStore,
    sqlx::sqlite::SqliteRow,
    "DELETE FROM search_fts WHERE rowid = $1",
    "INSERT INTO search_fts (rowid, body) VALUES ($1, $2)",
    "c.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH $10)",
    fts5_match
);

/// FTS5's query for folded words: each the start of a word of the text (they are letters
/// and digits only, so quoting them is enough).
fn fts5_match(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}
