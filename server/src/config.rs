//! Configuration from the command line and the environment (each flag has an env variable).

use clap::{Parser, Subcommand};
use std::{net::SocketAddr, path::PathBuf};

/// Switchboard: the agent desktop for chats and emails.
#[derive(Debug, Clone, Parser)]
#[command(name = "server", version, about)]
pub struct Config {
    /// Without a command the server starts; `admin` manages accounts and exits.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address and port to listen on.
    #[arg(long, env = "SWITCHBOARD_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Database URL. A `sqlite:` URL or file path selects the embedded SQLite database (the
    /// default, created on first start in the data directory); a `postgres://` URL selects
    /// PostgreSQL.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Directory for the SQLite database and stored files.
    #[arg(long, env = "SWITCHBOARD_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Where stored files (attachments, drafts' files) live: a directory (default
    /// `<data dir>/attachments`; one shared by several nodes serves them all), or
    /// `s3://bucket/prefix` for an S3-compatible bucket, reached with the standard `AWS_*`
    /// variables (`AWS_ENDPOINT` for a service other than AWS, `AWS_ALLOW_HTTP=true` for
    /// one on plain HTTP).
    #[arg(long, env = "SWITCHBOARD_FILES")]
    pub files: Option<String>,

    /// Log filter, as in `info` or `server=debug,sqlx=warn`.
    #[arg(long, env = "SWITCHBOARD_LOG", default_value = "info")]
    pub log: String,

    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "SWITCHBOARD_LOG_JSON", default_value_t = false)]
    pub log_json: bool,

    /// Directory of the built site (the Wasm, JS and CSS made by cargo-leptos).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// Fill an empty database with demo users, CSQs, wrap-up reasons and canned responses.
    #[arg(long, env = "SWITCHBOARD_DEMO", default_value_t = false)]
    pub demo: bool,

    /// Start with demo data on an address other than loopback. The demo users share one
    /// published password, so without this the server refuses to expose them.
    #[arg(long, env = "SWITCHBOARD_DEMO_EXPOSED", default_value_t = false)]
    pub demo_exposed: bool,

    /// Messages a customer may send per second in one chat, steadily.
    #[arg(long, env = "SWITCHBOARD_CUSTOMER_MESSAGES_PER_SEC", default_value_t = app::domain::limits::CUSTOMER_MESSAGES_PER_SEC)]
    pub customer_messages_per_sec: u32,

    /// Messages a customer may send at once above the steady rate.
    #[arg(long, env = "SWITCHBOARD_CUSTOMER_MESSAGE_BURST", default_value_t = app::domain::limits::CUSTOMER_MESSAGE_BURST)]
    pub customer_message_burst: u32,

    /// Chats one client address may start per minute from the widget.
    #[arg(long, env = "SWITCHBOARD_CHAT_STARTS_PER_MINUTE", default_value_t = app::domain::limits::CHAT_STARTS_PER_MINUTE)]
    pub chat_starts_per_minute: u32,

    /// Requests one client address may make a minute to what the widget reads (its form,
    /// session, words, button, transcript).
    #[arg(long, env = "SWITCHBOARD_WIDGET_READS_PER_MINUTE", default_value_t = app::domain::limits::WIDGET_READS_PER_MINUTE)]
    pub widget_reads_per_minute: u32,

    /// WebSockets open at once (desktop pages and widgets together); one more is refused.
    #[arg(long, env = "SWITCHBOARD_MAX_WEBSOCKETS", default_value_t = app::domain::limits::MAX_WEBSOCKETS)]
    pub max_websockets: usize,

    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client (comma-separated).
    /// Without them the peer's address is the client's, whatever a header says.
    #[arg(long, env = "SWITCHBOARD_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Who may show the app's pages in a frame: the CSP `frame-ancestors` sources, as in
    /// `'self' https://desktop.example.com` (the widget's page may be framed by any site).
    #[arg(long, env = "SWITCHBOARD_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,

    /// Mark the session cookie `Secure` (set this when served over HTTPS).
    #[arg(long, env = "SWITCHBOARD_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// A JSON file listing the IMAP mailboxes to read, each bound to a CSQ (see README).
    #[arg(long, env = "SWITCHBOARD_MAILBOXES")]
    pub mailboxes: Option<PathBuf>,

    /// Seconds a customer's reply waits for the agent who last handled its thread before
    /// any agent of the CSQ may take it (last-agent routing).
    #[arg(long, env = "SWITCHBOARD_EMAIL_STICKY_SECS", default_value_t = 300)]
    pub email_sticky_secs: u64,

    /// Seconds between automatic saves of an email reply being written.
    #[arg(long, env = "SWITCHBOARD_DRAFT_AUTOSAVE_SECS", default_value_t = app::domain::limits::DEFAULT_DRAFT_AUTOSAVE_SECS)]
    pub draft_autosave_secs: u32,

    /// The longest wait, in seconds, between two attempts to hand a reply to an SMTP server
    /// that is unreachable or asks to try later (the wait doubles from 2 s up to this).
    #[arg(long, env = "SWITCHBOARD_SMTP_RETRY_MAX_SECS", default_value_t = 600)]
    pub smtp_retry_max_secs: u64,
    /// The longest wait, in seconds, between two attempts of an outgoing webhook's delivery
    /// (the wait doubles from 2 s up to this; a delivery is tried for a day).
    #[arg(
        long,
        env = "SWITCHBOARD_WEBHOOK_RETRY_MAX_SECS",
        default_value_t = 3600
    )]
    pub webhook_retry_max_secs: u64,
}

/// What the binary does instead of serving.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Accounts, from the server's own machine: the first administrator, a lost password.
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// `server admin ...`: works on the database the server uses (the same `DATABASE_URL` or
/// data directory), whether or not the server is running.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Creates an administrator and prints a one-time password, to be replaced at the first
    /// login (or, with --password-stdin, sets the password read from standard input).
    Create {
        /// The login name: 2 to 64 letters, digits and . _ - @.
        #[arg(long)]
        username: String,
        /// The full name, shown in the top bar.
        #[arg(long)]
        name: String,
        /// Read the password from the first line of standard input instead.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Gives a user a new one-time password (or the one read with --password-stdin) and
    /// ends every session of theirs.
    ResetPassword {
        /// The user's login name (case does not matter).
        username: String,
        /// Read the password from the first line of standard input instead.
        #[arg(long)]
        password_stdin: bool,
    },
}

impl Config {
    /// The database URL in effect: the given one, or a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}",
                self.data_dir.join("switchboard.db").display()
            ),
        }
    }

    /// Defaults for tests: an ephemeral port and the given database.
    pub fn for_tests(database_url: String, data_dir: PathBuf) -> Self {
        Config {
            command: None,
            addr: "127.0.0.1:0".parse().expect("valid address"),
            database_url: Some(database_url),
            data_dir,
            files: None,
            log: "warn".into(),
            log_json: false,
            site_root: "target/site".into(),
            demo: false,
            demo_exposed: false,
            trusted_proxies: Vec::new(),
            frame_ancestors: "'self'".into(),
            chat_starts_per_minute: app::domain::limits::CHAT_STARTS_PER_MINUTE,
            widget_reads_per_minute: app::domain::limits::WIDGET_READS_PER_MINUTE,
            max_websockets: app::domain::limits::MAX_WEBSOCKETS,
            customer_messages_per_sec: app::domain::limits::CUSTOMER_MESSAGES_PER_SEC,
            customer_message_burst: app::domain::limits::CUSTOMER_MESSAGE_BURST,
            secure_cookies: false,
            mailboxes: None,
            email_sticky_secs: 300,
            draft_autosave_secs: app::domain::limits::DEFAULT_DRAFT_AUTOSAVE_SECS,
            smtp_retry_max_secs: 600,
            webhook_retry_max_secs: 3600,
        }
    }
}
