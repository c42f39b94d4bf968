#![recursion_limit = "256"]
//! Switchboard's server: a thin axum application around the Leptos app.
//!
//! - [`config`]: flags and environment variables.
//! - [`store`]: the [`store::Store`] trait with SQLite and PostgreSQL implementations;
//!   transcript lines written in group commits and the chats messages go to read many at
//!   a time ([`store`]'s `batch`); on SQLite every write on one connection.
//! - [`auth`]: argon2 passwords, session tokens and cookies, the login failure count, the
//!   common-password list and one-time passwords.
//! - [`password_workers`]: argon2 checks and hashes on one thread per core, each keeping its
//!   memory, so logins cost a bounded amount of memory however many there are.
//! - [`accounts`]: logging in and out, whose session a request carries (a password someone
//!   else set allows only choosing one's own), changing one's own password.
//! - [`users`]: the administrators' Users page: the searched list, creating and changing a
//!   user (CSQs and capacity reach routing at once; disabling ends sessions), resets.
//! - [`supervision`]: what supervisors see: the CSQs each watches (every one for an
//!   administrator), the team and queues read from the database, the day from the viewer's
//!   midnight.
//! - [`queues`]: the administrators' CSQs (members reach routing at once, a retired one
//!   takes nothing new, business hours checked against the time zone database) and the
//!   pre-chat form's problem statements in order.
//! - [`hours`]: whether a CSQ takes chats now by its business hours, and when it opens:
//!   the domain's rules read on the queue's own clock (jiff's compiled-in time zones).
//! - [`prechat`]: the pre-chat form's own questions in order (the chat start checks the
//!   answers with the shared domain's rules and keeps them with the contact).
//! - [`canned`]: the administrators' canned responses (chat and email, global or of a CSQ;
//!   email ones sanitized on save).
//! - [`mailboxes`]: the administrators' mailboxes: saved ones start, restart or stop their
//!   connector at once; "Test connection"; passwords never sent back.
//! - [`secrets`]: passwords at rest sealed with XChaCha20-Poly1305 under a key kept outside
//!   the database.
//! - [`audit`]: the administrators' audit, filtered and paged, and an agent's state
//!   history for a day (SPEC S-6).
//! - [`admin_cli`]: `server admin create` and `reset-password`, the first administrator.
//! - [`hub`]: per-agent channels fanning state out to every open page (SPEC D-4).
//! - [`routing`]: the actor that offers chats and assigns emails (a pure engine inside).
//! - [`contact`]: what holds for every contact whatever its channel: the one error of
//!   contact actions, views, signed tokens, and what routing's decisions do. [`chat`] and
//!   [`email`] build on it, never on each other.
//! - [`conversations`]: the Conversations page: past chats and emails searched (their text
//!   folded alike for both databases, indexed once ended by a task on every node), read
//!   whole, and written out as a text file or a PDF.
//! - [`privacy`]: a customer exported as JSON or erased (their conversations' contents with
//!   them, statistics kept), audited; the retention that erases old conversations' contents.
//! - [`api_json`]: customers and conversations as JSON, one shape for what the API answers
//!   and what the outgoing webhooks send.
//! - [`api_tokens`]: the `/api/v1` API's tokens as administrators create, list and revoke
//!   them (only the secret's SHA-256 kept), and the live token a request's secret opens.
//! - [`chat`]: web chats: lines stored then sent in order, timers kept as stored facts,
//!   what customers may send.
//! - [`email`]: the mailboxes in force (stored, imported once from a file), the IMAP intake
//!   (a message that fails three tries is set aside, never blocking its mailbox), bounded
//!   MIME reading, replies and the per-mailbox outbox, messages left in the widget, and
//!   emails a CRM starts through the API.
//! - [`files`]: stored files named by their hash, in a directory or an S3-compatible
//!   bucket (`object_store`); uploads staged locally, a gate so shared bytes are never
//!   removed while in use.
//! - [`meta`]: Messenger and WhatsApp (issue 16): their webhooks (the verification
//!   handshake, posts checked against the app secret on their raw bytes and kept before
//!   Meta is answered), the kept posts turned into chats in order by one node, and each
//!   chat's lines for the customer sent through the Graph API from the transcript itself
//!   (Meta's id kept, never sent twice). [`chat`] knows nothing of Meta: it rings a bell
//!   for each line of a chat without our widget.
//! - [`channels`]: the administrators' Messenger and WhatsApp settings: secrets sealed and
//!   never sent back, "Test" against the Graph API.
//! - [`webhooks`]: outgoing webhooks: events written with their changes, fanned out in
//!   order by one node into deliveries, each signed (HMAC-SHA256) and retried with a growing
//!   delay until received, one at a time per conversation.
//! - [`gates`]: rate limits on what strangers start (chats) and on refused webhook
//!   requests, keyed by client address.
//! - [`hex`]: bytes as hex digits and back.
//! - [`services`]: what the server functions and the WebSocket call.
//! - [`http`]: routes, the request guard (CSRF, CSP), the WebSockets, health and metrics,
//!   downloads compressed and cached by kind.
//! - [`cluster`]: several processes on one PostgreSQL database: each hears what the others
//!   stored (LISTEN/NOTIFY) and delivers it to its own pages, writes a heartbeat and its
//!   connection counts, and campaigns for the one lead (a session advisory lock, a new
//!   epoch per lead) that runs routing; the others hand it their commands
//!   ([`routing::relay`]). Work one node does alone (a mailbox, an outbox reply) is claimed.
//! - [`metrics`]: what `/metrics` serves (prometheus-client): counters, gauges, and the
//!   request-duration and chat-line-delivery histograms.
//! - [`serve`]: the accept loop and its bounds (header and body timeouts, connections).
//! - [`demo`]: demo data for a first start.
//! - [`memory`]: the allocator's freed memory handed back after a large email.
//!
//! # Realtime design
//!
//! Two streams reach the pages, each numbered so that a client tells a gap from a repeat.
//! Nothing is sent before it is stored, so a crash loses nothing a client has seen, and
//! every message carries its sender's id, so a resend after a reconnect is stored once.
//!
//! - **The agent's stream** ([`hub`]): every event about one agent (state changes, offers,
//!   contacts assigned and closed, invitations) is stored with the agent's next sequence
//!   number, then broadcast to every page the agent has open. A page that reconnects, or
//!   falls further behind than the channel's buffer, sends the last number it has and gets
//!   exactly the events after it from the store.
//! - **Each chat's lines** ([`chat`]): every line (a message or a system note) is stored
//!   with the chat's next sequence number, then published to the chat's room (the widget)
//!   and to the live traffic of each agent in the chat (desktop pages). Two writers can
//!   publish in another order than they stored, so each connection sends a chat's lines
//!   strictly in sequence: a line already sent is dropped, and a line past a gap makes the
//!   connection read the missing lines from the store first. A client that connects says
//!   the last line it has and is sent the rest from the store, 500 at a time until complete.
//!
//! **Routing is an actor** ([`routing`]): one task owns the queues, offers and capacity; a
//! pure engine decides, and the task hands each decision's effects to
//! [`routing::RoutingEffects`] without waiting for them: one chain per contact, so a
//! contact's effects keep their order across decisions while the actor goes on deciding.
//! `Routing::ask` answers once its own input's effects are done. An effect never waits for
//! routing's answer (the answer may wait for the effect's own chain); one that needs
//! routing to act again (an assignment that could not be carried out) sends it an input
//! (`Routing::send`).
//!
//! **Several nodes** ([`cluster`], PostgreSQL only): both streams are numbered in the
//! database, so a page on one node gets another node's events and lines the same way: the
//! database announces each one stored (its number, never its content), the node reads it
//! and broadcasts it to its own pages, whose connections drop repeats and read gaps as
//! above (a desktop connection that sees an event number skipped replays from the store).
//! Routing's actor runs on the leader only; elsewhere the same [`routing::Routing`] handle
//! hands its commands to the leader through the database.

pub mod accounts;
pub mod admin_cli;
pub mod api_json;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod canned;
pub mod channels;
pub mod chat;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod contact;
pub mod conversations;
pub mod demo;
pub mod email;
pub mod files;
pub mod gates;
pub mod hex;
pub mod hours;
pub mod http;
pub mod hub;
pub mod mailboxes;
pub mod memory;
pub mod meta;
pub mod metrics;
pub mod password_workers;
pub mod prechat;
pub mod privacy;
pub mod queues;
pub mod routing;
pub mod secrets;
pub mod serve;
pub mod services;
pub mod store;
pub mod supervision;
pub mod users;
pub mod webhooks;

use axum::Router;
use config::Config;
use leptos::prelude::LeptosOptions;
use services::Services;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("cannot open the database: {0}")]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Mailboxes(#[from] email::config::ConfigError),
    #[error(transparent)]
    Secrets(#[from] secrets::SecretError),
    #[error(transparent)]
    Files(#[from] files::place::PlaceError),
    #[error("SWITCHBOARD_FRAME_ANCESTORS is not a valid frame-ancestors source list: {0:?}")]
    FrameAncestors(String),
    #[error(
        "demo data (SWITCHBOARD_DEMO) has users with a published password: refusing to listen \
         on {0}, which is not a loopback address. Listen on 127.0.0.1, or set \
         SWITCHBOARD_DEMO_EXPOSED=true if exposing the demo is really meant"
    )]
    DemoExposed(std::net::SocketAddr),
}

/// The data directory made if missing, and the database opened and migrated.
pub async fn open_store(config: &Config) -> Result<Arc<dyn store::Store>, StartError> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| StartError::DataDir(config.data_dir.display().to_string(), e))?;
    Ok(store::connect(&config.database_url()).await?)
}

/// Opens the database (migrating it), seeds demo data if asked, and builds the router.
pub async fn build(config: &Config) -> Result<(Router, Arc<Services>), StartError> {
    if config.demo && !config.demo_exposed && !config.addr.ip().is_loopback() {
        return Err(StartError::DemoExposed(config.addr));
    }
    // Every page's policy names it: one that cannot go in a header would leave every page
    // without a policy.
    let ancestors = &config.frame_ancestors;
    if ancestors.trim().is_empty()
        || ::http::HeaderValue::from_str(ancestors).is_err()
        || ancestors.contains([';', ','])
    {
        return Err(StartError::FrameAncestors(ancestors.clone()));
    }
    let store = open_store(config).await?;
    if config.demo && demo::seed_if_empty(store.as_ref()).await? {
        tracing::info!("demo data created");
    }
    if store.agent_count().await? == 0 {
        tracing::warn!(
            "no user exists yet, so nobody can log in: create the first administrator with \
             `server admin create --username <login> --name \"<full name>\"` (same \
             DATABASE_URL or SWITCHBOARD_DATA_DIR as the server); it prints a one-time password"
        );
    }
    let mut secret = secret_key(&config.data_dir)?;
    if let Some(coordination) = store.coordination() {
        // Several nodes sign and check the same tokens: the first node's key is kept in
        // the database (this one's own file's, if it is the first).
        secret = coordination
            .shared_secret("chat-token-key", &secret)
            .await?;
    }
    let key = contact::token::TokenKey::new(secret);
    let import = match &config.mailboxes {
        Some(path) => email::config::load(path)?,
        None => Vec::new(),
    };
    let place = files::place::Place::parse(config.files.as_deref(), &config.data_dir)?;
    let files = files::Files::open(
        &place,
        std::env::vars_os(),
        &config.data_dir,
        store.coordination(),
    )
    .await?;
    tracing::info!(%place, "stored files");
    let options = services::EmailOptions {
        files,
        sticky: std::time::Duration::from_secs(config.email_sticky_secs),
        import,
        secrets: secrets::SecretBox::load(&config.data_dir)?,
        retry_max: std::time::Duration::from_secs(config.smtp_retry_max_secs.max(1)),
        autosave_secs: config.draft_autosave_secs.max(1),
    };
    let chat = services::ChatOptions {
        customer_messages_per_sec: config.customer_messages_per_sec,
        customer_message_burst: config.customer_message_burst,
        chat_starts_per_minute: config.chat_starts_per_minute,
        widget_reads_per_minute: config.widget_reads_per_minute,
    };
    let services = Arc::new(
        Services::start(
            store,
            config.secure_cookies,
            key,
            options,
            chat,
            std::time::Duration::from_secs(config.webhook_retry_max_secs),
        )
        .await?,
    );
    match services.cluster {
        // The node that takes the lead watches for absent agents (see `start_cluster`).
        Some(_) => services.start_cluster(),
        None => services.watch_absent_agents().await?,
    }
    services.email.spawn_outbox();
    services.meta.spawn_intake();
    services.meta.spawn_outbox();
    services.webhooks.spawn();
    services.email.start_mailboxes().await?;
    let leptos_options = LeptosOptions::builder()
        .output_name("switchboard")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        // The build names its files by their content's hash (Cargo.toml, `hash-files`) and
        // writes the hashes to `hash.txt` next to this binary, where the page reads them. A
        // binary built otherwise (the tests') serves the plain names.
        .hash_files(hashes_beside_binary())
        .site_addr(config.addr)
        .build();
    let router = http::router(http::AppState {
        leptos_options,
        services: services.clone(),
        trusted_proxies: Arc::new(config.trusted_proxies.clone()),
        frame_ancestors: config.frame_ancestors.as_str().into(),
        sockets: Arc::new(tokio::sync::Semaphore::new(config.max_websockets.max(1))),
        max_sockets: config.max_websockets.max(1),
    });
    Ok((router, services))
}

/// Whether the build left the hashes of the site's file names next to this binary.
fn hashes_beside_binary() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
        .is_some_and(|file| file.exists())
}

/// The server's signing secret, made on first start and kept in the data directory
/// (readable by its owner only), so chat tokens stay valid across restarts.
fn secret_key(data_dir: &std::path::Path) -> Result<Vec<u8>, StartError> {
    let path = data_dir.join("secret.key");
    let io = |e| StartError::DataDir(path.display().to_string(), e);
    let secret = match std::fs::read(&path) {
        Ok(bytes) if bytes.len() >= 32 => bytes,
        _ => {
            let token = auth::new_token();
            secrets::write_private(&path, token.as_bytes()).map_err(io)?;
            token.into_bytes()
        }
    };
    Ok(secret)
}

pub use serve::serve;
