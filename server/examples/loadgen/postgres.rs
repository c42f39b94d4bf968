//! A PostgreSQL database of the run's own, made on the server the user names and dropped
//! after, so a run never meets an earlier run's data.

use sqlx::{Connection, Executor, PgConnection};

pub struct Database {
    /// The URL of the run's database.
    pub url: String,
    server: String,
    name: String,
}

impl Database {
    pub async fn create(server: &str) -> Result<Database, String> {
        let name = format!("switchboard_load_{}", std::process::id());
        let mut admin = PgConnection::connect(server)
            .await
            .map_err(|e| format!("PostgreSQL at {server}: {e}"))?;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .await
            .map_err(|e| e.to_string())?;
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .map_err(|e| format!("CREATE DATABASE {name}: {e}"))?;
        Ok(Database {
            url: with_database(server, &name),
            server: server.to_string(),
            name,
        })
    }

    pub async fn drop_it(self) {
        if let Ok(mut admin) = PgConnection::connect(&self.server).await {
            let _ = admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                )))
                .await;
        }
    }
}

/// The same URL naming another database: `postgres://u@h/old?x=y` → `postgres://u@h/new?x=y`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let rest = base
        .strip_prefix("postgres://")
        .or_else(|| base.strip_prefix("postgresql://"));
    let host = match rest {
        Some(rest) => rest.split_once('/').map_or(rest, |(host, _)| host),
        None => base,
    };
    let mut out = format!("postgres://{host}/{name}");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}
