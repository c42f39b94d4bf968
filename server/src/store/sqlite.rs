//! The embedded default: one SQLite file, in WAL mode so readers never wait for the writer.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::{str::FromStr, time::Duration};

pub struct SqliteStore {
    pool: SqlitePool,
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
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore { pool })
    }
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
super::audit_sql::impl_audit_store!(SqliteStore, sqlx::sqlite::SqliteRow);
