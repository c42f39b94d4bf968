//! The process under load: the Switchboard server binary, or the plain relay (this same
//! program started again with `--serve-relay`), each alone in its own process so its CPU
//! and memory can be read apart from the generator's.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct Target {
    pub addr: SocketAddr,
    child: Child,
    /// The database of a Switchboard run.
    url: Option<String>,
    /// The data directory (and SQLite file) of a Switchboard run, removed at the end.
    _dir: Option<tempfile::TempDir>,
}

impl Target {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The release server on a new data directory and `database` (a temporary SQLite
    /// file when none). The generator's clients pretend to come from many addresses through
    /// a trusted proxy (loopback), so the per-address limits meant for strangers apply to
    /// each simulated person, as they would in production; chat starts are let through at
    /// the rate the run needs.
    /// `first`: the run's first node, which makes the administrator (the others share its
    /// database).
    pub async fn switchboard(
        binary: &Path,
        database: Option<&str>,
        sockets: usize,
        first: bool,
    ) -> Target {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = match database {
            Some(url) => url.to_string(),
            None => format!("sqlite://{}", dir.path().join("load.db").display()),
        };
        let addr = free_addr();
        let mut command = Command::new(binary);
        command
            .env("SWITCHBOARD_ADDR", addr.to_string())
            .env("DATABASE_URL", &url)
            .env("SWITCHBOARD_DATA_DIR", dir.path())
            .env("SWITCHBOARD_LOG", "warn")
            .env("SWITCHBOARD_TRUSTED_PROXIES", "127.0.0.1")
            .env("SWITCHBOARD_CHAT_STARTS_PER_MINUTE", "1000")
            .env("SWITCHBOARD_MAX_WEBSOCKETS", (sockets + 1000).to_string())
            .env("LEPTOS_SITE_ROOT", site_root(binary))
            .stdin(Stdio::null());
        if first {
            admin_create(binary, &url, dir.path());
        }
        let child = command.spawn().expect("the server starts");
        let target = Target {
            addr,
            child,
            url: Some(url),
            _dir: Some(dir),
        };
        target.wait_until_up().await;
        target
    }

    /// This program again, as the plain relay.
    pub async fn relay(agents: usize) -> Target {
        let addr = free_addr();
        let child = Command::new(std::env::current_exe().expect("own path"))
            .arg("--serve-relay")
            .arg(addr.to_string())
            .arg("--relay-agents")
            .arg(agents.to_string())
            .stdin(Stdio::null())
            .spawn()
            .expect("the relay starts");
        let target = Target {
            addr,
            child,
            url: None,
            _dir: None,
        };
        target.wait_until_up().await;
        target
    }

    /// The run's database, read beside the server (after its migrations: it listens).
    pub async fn database(&self) -> Result<Database, String> {
        let url = self.url.as_deref().ok_or("the relay has no database")?;
        let failed = |e: sqlx::Error| format!("the run's database: {e}");
        Ok(if url.starts_with("sqlite:") {
            Database::Sqlite(sqlx::SqlitePool::connect(url).await.map_err(failed)?)
        } else {
            Database::Postgres(sqlx::PgPool::connect(url).await.map_err(failed)?)
        })
    }

    async fn wait_until_up(&self) {
        let started = Instant::now();
        while tokio::net::TcpStream::connect(self.addr).await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "nothing listens on {} after 60 s",
                self.addr
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The load's administrator, made as an operator makes the first one: `server admin
/// create` with the password on standard input.
fn admin_create(binary: &Path, url: &str, dir: &Path) {
    use std::io::Write;
    let mut child = Command::new(binary)
        .args([
            "admin",
            "create",
            "--username",
            super::setup::ADMIN,
            "--name",
            "Load administrator",
            "--password-stdin",
        ])
        .env("DATABASE_URL", url)
        .env("SWITCHBOARD_DATA_DIR", dir)
        .env("SWITCHBOARD_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("server admin create runs");
    writeln!(
        child.stdin.take().expect("stdin"),
        "{}",
        super::setup::ADMIN_PASSWORD
    )
    .expect("password written");
    let status = child.wait().expect("server admin create ends");
    assert!(
        status.success(),
        "server admin create failed (is the database empty?)"
    );
}

/// The built site next to the binary (`target/site`), so pages could be served too.
fn site_root(binary: &Path) -> PathBuf {
    binary
        .parent()
        .and_then(Path::parent)
        .map(|target| target.join("site"))
        .unwrap_or_else(|| PathBuf::from("target/site"))
}

pub fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
}

/// The run's database, to count what the server stored.
pub enum Database {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Database {
    /// Emails stored.
    pub async fn emails(&self) -> Result<i64, String> {
        const COUNT: &str = "SELECT COUNT(*) FROM emails";
        match self {
            Database::Sqlite(pool) => sqlx::query_scalar(COUNT).fetch_one(pool).await,
            Database::Postgres(pool) => sqlx::query_scalar(COUNT).fetch_one(pool).await,
        }
        .map_err(|e| format!("emails not counted: {e}"))
    }
}
