//! The IMAP connector (SPEC E-1, E-3, Q-2): one task per mailbox reads new messages by UID,
//! hands them to [`super::intake`], flags them `$Switchboard` in the mailbox, and then waits
//! with IDLE (or polls when the server has no IDLE). It never deletes or moves a message.
//!
//! A backlog goes in batches (issue 13): the sizes of every new message in one command, then
//! up to [`INTAKE_BATCH_MESSAGES`] messages fetched with one command, stored in one
//! transaction and flagged with one command, so a mail server far away costs a few round
//! trips per batch rather than three per message.
//!
//! No message is lost or taken twice: the UID of the last message taken moves forward in
//! the same database transaction as the contacts its batch became, so a crash before the
//! commit takes them again after restart, and a crash after it does not.
//!
//! One bad message never blocks a mailbox: each try at a message is counted in the database
//! before it starts (so a crash while reading it counts), and after
//! [`MAX_INTAKE_ATTEMPTS`] the message is set aside (listed for the administrators, flagged
//! [`UNREADABLE_KEYWORD`], progress moved past it). A batch counts one try for each of its
//! messages; a batch whose messages were tried before (a crash or a lost connection during
//! an earlier batch), or that fails for a reason that may be one message's, is read again
//! one message at a time, so a bad message's tries are its own and its neighbours go in.

use super::{
    config::{MailboxConfig, Security},
    intake::{self, Source},
    EmailService,
};
use crate::{
    clock::now_ms,
    store::{
        cluster::Claim,
        email::Taken,
        intake::{MessageKey, SetAside},
    },
};
use app::domain::{
    ids::CsqId,
    limits::{INTAKE_BATCH_BYTES, INTAKE_BATCH_MESSAGES, MAX_INTAKE_ATTEMPTS},
    mailboxes::{ConnectorFault, ConnectorStatus, MailCheck},
    set_aside::SetAsideReason,
};
use async_imap::{
    extensions::idle::IdleResponse,
    types::{Fetch, UnsolicitedResponse},
    Client, Session,
};
use futures_util::TryStreamExt;
use std::{collections::HashMap, fmt, sync::Arc, time::Duration};
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::TcpStream,
    sync::watch,
};
use tokio_rustls::{rustls, TlsConnector};

/// How long connecting, the TLS handshake and the login may take together.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

#[cfg(test)]
mod words_tests {
    #[test]
    fn a_refusal_reads_as_the_servers_words() {
        assert_eq!(
            super::server_words(
                "code: None, info: Some(\"[AUTHENTICATIONFAILED] Authentication failed.\")"
            ),
            "[AUTHENTICATIONFAILED] Authentication failed."
        );
        assert_eq!(super::server_words(" Login failed "), "Login failed");
    }
}

/// The keyword set on every message taken (visible to other mail clients).
pub const TAKEN_KEYWORD: &str = "$Switchboard";
/// The keyword set on a message set aside after [`MAX_INTAKE_ATTEMPTS`] failed tries.
pub const UNREADABLE_KEYWORD: &str = "$SwitchboardUnreadable";
/// Messages larger than this are taken by their headers and text only.
const MAX_FETCH_BYTES: u32 = 64 * 1024 * 1024;

trait Io: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Io for T {}
type Conn = Box<dyn Io>;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("connection: {0}")]
    Io(#[from] std::io::Error),
    #[error("IMAP: {0}")]
    Imap(#[from] async_imap::error::Error),
    #[error("message UID {0} could not be fetched")]
    Unreadable(u32),
    #[error("the CA file could not be read: {0}")]
    CaFile(String),
    #[error("TLS name {0:?} is not valid")]
    TlsName(String),
    #[error("the server closed the connection")]
    Closed,
    #[error("login refused: {0}")]
    LoginRefused(String),
    #[error("STARTTLS refused: {0}")]
    NoStarttls(String),
    #[error("the CSQ {0:?} does not exist: messages wait in the mailbox until it does")]
    UnknownCsq(String),
    #[error("the mailbox has no UIDVALIDITY")]
    NoUidValidity,
    #[error(transparent)]
    Intake(#[from] intake::IntakeError),
}

impl ImapError {
    /// The failure as the administration's mailbox list says it, in the reader's language
    /// (what the mail server or the system said stays as said).
    fn fault(&self) -> ConnectorFault {
        match self {
            ImapError::Io(e) => ConnectorFault::Connection {
                detail: e.to_string(),
            },
            ImapError::Imap(e) => ConnectorFault::Imap {
                detail: e.to_string(),
            },
            ImapError::Closed => ConnectorFault::Closed,
            ImapError::LoginRefused(detail) => ConnectorFault::LoginRefused {
                detail: detail.clone(),
            },
            ImapError::NoStarttls(detail) => ConnectorFault::NoStarttls {
                detail: detail.clone(),
            },
            ImapError::UnknownCsq(csq) => ConnectorFault::UnknownCsq { csq: csq.clone() },
            other => ConnectorFault::Other {
                detail: other.to_string(),
            },
        }
    }

    /// Whether a failure while reading one message counts against that message. Our own
    /// data directory or database failing (unreachable, busy, full) is not the message's
    /// fault: counted, it would set every message aside in turn.
    fn counts_against_message(&self) -> bool {
        use crate::store::StoreError;
        match self {
            ImapError::Intake(intake::IntakeError::Files(_)) => false,
            ImapError::Intake(intake::IntakeError::Store(StoreError::Database(e))) => {
                !database_unavailable(e)
            }
            _ => true,
        }
    }

    /// The failure as the administrators' list of messages set aside says it.
    fn set_aside_reason(&self) -> SetAsideReason {
        match self {
            ImapError::Io(_) | ImapError::Closed => SetAsideReason::ConnectionLost,
            ImapError::Imap(e) if lost(e) => SetAsideReason::ConnectionLost,
            ImapError::Imap(async_imap::error::Error::No(why)) => SetAsideReason::Refused {
                detail: why.clone(),
            },
            ImapError::Unreadable(_) => SetAsideReason::NotGiven,
            ImapError::Intake(intake::IntakeError::Unreadable(detail)) => {
                SetAsideReason::CannotParse {
                    detail: detail.clone(),
                }
            }
            other => SetAsideReason::Other {
                detail: other.to_string(),
            },
        }
    }
}

/// A database error that says nothing about the data written: the database cannot be
/// reached, is busy or locked, out of space or failing (SQLite's primary result codes
/// BUSY, LOCKED, IOERR, FULL; PostgreSQL's SQLSTATE classes 08, 40, 53, 57, 58).
fn database_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            match code.parse::<i32>() {
                Ok(sqlite) => matches!(sqlite & 0xff, 5 | 6 | 10 | 13),
                Err(_) => ["08", "40", "53", "57", "58"]
                    .iter()
                    .any(|class| code.starts_with(class)),
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        _ => false,
    }
}

/// Whether the connection is gone (the session cannot be used for another command).
fn lost(e: &async_imap::error::Error) -> bool {
    matches!(
        e,
        async_imap::error::Error::Io(_) | async_imap::error::Error::ConnectionLost
    )
}

/// Test hook: `SWITCHBOARD_FAILPOINT=<name>` makes the process abort at that point, as a
/// crash or a kill would (used to prove that no message is lost or taken twice);
/// `<name>:pause` holds the connector there for three seconds (to let a message arrive
/// while another is being taken). See also [`losing`].
async fn failpoint(name: &str) {
    let Ok(value) = std::env::var("SWITCHBOARD_FAILPOINT") else {
        return;
    };
    if value == name {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
    if value.strip_suffix(":pause") == Some(name) {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

/// Test hook: `SWITCHBOARD_FAILPOINT=<name>:lose` makes the connector act at that point as
/// if the mail server had dropped the connection.
fn losing(name: &str) -> bool {
    std::env::var("SWITCHBOARD_FAILPOINT")
        .is_ok_and(|value| value.strip_suffix(":lose") == Some(name))
}

/// The public CAs, and the mailbox's own CA file if it names one.
fn tls_connector(config: &MailboxConfig) -> Result<TlsConnector, ImapError> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path)?;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| ImapError::CaFile(e.to_string()))?;
            roots
                .add(cert)
                .map_err(|e| ImapError::CaFile(e.to_string()))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

async fn tls(config: &MailboxConfig, tcp: TcpStream) -> Result<Conn, ImapError> {
    let host = config.host.as_str();
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|_| ImapError::TlsName(host.to_string()))?;
    Ok(Box::new(tls_connector(config)?.connect(name, tcp).await?))
}

/// "Test connection" (SPEC D-2): connects, logs in, opens the folder and logs out; the
/// error says which step failed and how.
pub async fn check(config: &MailboxConfig) -> Result<MailCheck, MailCheck> {
    let mut session = connect(config).await.map_err(|e| describe(config, &e))?;
    session
        .select(&config.folder)
        .await
        .map_err(|e| MailCheck::FolderRefused {
            host: config.host.clone(),
            folder: config.folder.clone(),
            detail: e.to_string(),
        })?;
    let _ = session.logout().await;
    Ok(MailCheck::ImapOpened {
        host: config.host.clone(),
        folder: config.folder.clone(),
    })
}

/// Connects (TLS, STARTTLS or plain on loopback) and logs in.
async fn connect(config: &MailboxConfig) -> Result<Session<Conn>, ImapError> {
    let tcp = TcpStream::connect((config.host.as_str(), config.port())).await?;
    // async-imap writes a command in four pieces (tag, space, command, CRLF): with Nagle's
    // algorithm the rest waits for the server's delayed acknowledgement of the first, about
    // 40 ms a command. Measured (`loadgen --emails 1`): a new email stored 250 ms after it
    // arrives with Nagle, 40 ms without.
    tcp.set_nodelay(true)?;
    let mut client: Client<Conn> = match config.security {
        Security::Tls => Client::new(tls(config, tcp).await?),
        Security::None => Client::new(Box::new(tcp)),
        Security::Starttls => {
            let mut plain = Client::new(tcp);
            plain.read_response().await?.ok_or(ImapError::Closed)?;
            plain
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| ImapError::NoStarttls(e.to_string()))?;
            let tcp = plain.into_inner();
            // No greeting follows STARTTLS.
            let client = Client::new(tls(config, tcp).await?);
            return client
                .login(&config.username, &config.password)
                .await
                .map_err(|(e, _)| login_error(e));
        }
    };
    client.read_response().await?.ok_or(ImapError::Closed)?;
    client
        .login(&config.username, &config.password)
        .await
        .map_err(|(e, _)| login_error(e))
}

/// The server's NO or BAD to LOGIN is a refusal of the credentials; the rest is the link.
fn login_error(e: async_imap::error::Error) -> ImapError {
    match e {
        async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m) => {
            ImapError::LoginRefused(m)
        }
        e => e.into(),
    }
}

/// The server's own words in an IMAP refusal (async-imap gives the whole response, as
/// `code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")`).
fn server_words(refusal: &str) -> &str {
    refusal
        .split_once("info: Some(\"")
        .and_then(|(_, rest)| rest.rsplit_once("\")"))
        .map_or(refusal.trim(), |(words, _)| words.trim())
}

/// What a failed connection means for the administrator who set the mailbox up.
fn describe(config: &MailboxConfig, e: &ImapError) -> MailCheck {
    let (host, port) = (config.host.clone(), config.port());
    let text = e.to_string();
    match e {
        ImapError::LoginRefused(m) => MailCheck::LoginRefused {
            host,
            detail: server_words(m).to_string(),
        },
        ImapError::NoStarttls(m) => MailCheck::NoStarttls {
            host,
            port,
            detail: m.clone(),
        },
        _ if text.contains("certificate") => MailCheck::CertificateRefused { host, detail: text },
        ImapError::Io(io) => MailCheck::Unreachable {
            host,
            port,
            detail: io.to_string(),
        },
        _ => MailCheck::Failed {
            host,
            port,
            detail: text,
        },
    }
}

/// Runs a mailbox's connector until `stop` turns true (the mailbox was saved again or
/// disabled, or the server stops), reconnecting with backoff. Stopped in the middle of a
/// message, it leaves it uncommitted: the next connector takes it.
pub fn spawn(config: MailboxConfig, service: Arc<EmailService>, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut backoff = Duration::from_secs(1);
        // Several server processes (issue 14): only the one holding the mailbox's claim
        // reads it; the others wait to take it over.
        let mut claim: Option<Box<dyn Claim>> = None;
        loop {
            if let (Some(coordination), None) = (service.store.coordination(), &claim) {
                match coordination
                    .claim(&format!("mailbox {}", config.name))
                    .await
                {
                    Ok(Some(held)) => {
                        claim = Some(held);
                        service.mailboxes.reading_here(&config.name, true);
                    }
                    Ok(None) => service
                        .mailboxes
                        .set_status(&config.name, ConnectorStatus::ReadElsewhere),
                    Err(e) => {
                        tracing::warn!(mailbox = %config.name, error = %e, "mailbox claim not asked")
                    }
                }
                if claim.is_none() {
                    tokio::select! {
                        _ = tokio::time::sleep(CLAIM_AGAIN) => continue,
                        _ = stop.wait_for(|stop| *stop) => break,
                    }
                }
            }
            let result = tokio::select! {
                result = run_session(&config, &service, &mut backoff) => result,
                _ = claim_lost(&mut claim) => {
                    tracing::warn!(mailbox = %config.name, "mailbox claim lost: reading stops");
                    claim = None;
                    service.mailboxes.reading_here(&config.name, false);
                    continue;
                }
                _ = stop.wait_for(|stop| *stop) => break,
            };
            // A connector replaced meanwhile reports nothing over its successor.
            if let (Err(e), false) = (&result, *stop.borrow()) {
                service.mailboxes.set_status(
                    &config.name,
                    ConnectorStatus::NotConnected {
                        fault: e.fault(),
                        retry_in_secs: backoff.as_secs(),
                    },
                );
                tracing::warn!(mailbox = %config.name, error = %e, retry_in = ?backoff, "mailbox connection failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = stop.wait_for(|stop| *stop) => break,
            }
            backoff = (backoff * 2).min(Duration::from_secs(60));
        }
        if claim.is_some() {
            service.mailboxes.reading_here(&config.name, false);
        }
        tracing::info!(mailbox = %config.name, "mailbox connector stopped");
    });
}

/// How often a process without a mailbox's claim asks for it again.
const CLAIM_AGAIN: Duration = Duration::from_secs(2);

/// Resolves when the claim is lost; never without one (a single process).
async fn claim_lost(claim: &mut Option<Box<dyn Claim>>) {
    match claim {
        Some(claim) => claim.lost().await,
        None => std::future::pending().await,
    }
}

async fn run_session(
    config: &MailboxConfig,
    service: &EmailService,
    backoff: &mut Duration,
) -> Result<(), ImapError> {
    // A stored mailbox names its CSQ; one from a file is resolved at each connection.
    let csq = match config.csq_id {
        Some(id) => id,
        None => service
            .store
            .csqs()
            .await
            .map_err(intake::IntakeError::from)?
            .into_iter()
            .find(|c| c.name.eq_ignore_ascii_case(&config.csq))
            .map(|c| c.id)
            .ok_or_else(|| ImapError::UnknownCsq(config.csq.clone()))?,
    };
    let mut session = tokio::time::timeout(CONNECT_TIMEOUT, connect(config))
        .await
        .map_err(|_| ImapError::Io(std::io::ErrorKind::TimedOut.into()))??;
    let mailbox = session.select(&config.folder).await?;
    let validity = mailbox.uid_validity.ok_or(ImapError::NoUidValidity)?;
    let idle = session.capabilities().await?.has_str("IDLE");
    service
        .mailboxes
        .set_status(&config.name, ConnectorStatus::Connected);
    tracing::info!(mailbox = %config.name, idle, "mailbox connected");
    let wait = Duration::from_secs(config.poll_secs);
    // A marker only: a mailbox that refuses it must not stop the intake.
    match flag_taken(&mut session, config, validity, service).await {
        Err(ImapError::Imap(e)) if lost(&e) => return Err(e.into()),
        Err(e) => tracing::warn!(mailbox = %config.name, error = %e, "taken messages not flagged"),
        Ok(()) => {}
    }
    // Whether the last look found nothing after an announced arrival (see below).
    let mut looked_again = false;
    loop {
        let took = take_new(&mut session, config, csq, validity, service, backoff).await?;
        // Reset only once messages flow: a message that fails every time backs off.
        *backoff = Duration::from_secs(1);
        // A message that arrived while this looked (during the search, or while others
        // were taken) is announced with the answer to one of those commands, not again by
        // IDLE: look again now rather than at the next poll, even when this look found
        // nothing (it may have searched just before the message landed). A look that finds
        // nothing twice in a row goes to IDLE, so a server repeating EXISTS cannot make
        // this spin.
        let mut arrived = false;
        while let Ok(response) = session.unsolicited_responses.try_recv() {
            arrived |= matches!(response, UnsolicitedResponse::Exists(_));
        }
        if arrived && (took > 0 || !looked_again) {
            looked_again = took == 0;
            continue;
        }
        looked_again = false;
        if idle {
            let mut handle = session.idle();
            handle.init().await?;
            let response = {
                let (wait, _stop) = handle.wait_with_timeout(wait);
                wait.await?
            };
            session = handle.done().await?;
            if let IdleResponse::NewData(_) = response {
                tracing::debug!(mailbox = %config.name, "mailbox changed");
            }
        } else {
            tokio::time::sleep(wait).await;
            session.noop().await?;
        }
    }
}

/// Takes every message after the last UID taken (all messages not yet flagged when the
/// mailbox's UIDVALIDITY changed), oldest first, in batches; returns how many it looked at.
async fn take_new(
    session: &mut Session<Conn>,
    config: &MailboxConfig,
    csq: CsqId,
    validity: u32,
    service: &EmailService,
    backoff: &mut Duration,
) -> Result<usize, ImapError> {
    let after = match service
        .store
        .mailbox_progress(&config.name)
        .await
        .map_err(intake::IntakeError::from)?
    {
        Some((v, last)) if v == validity => last,
        _ => 0,
    };
    let query = if after == 0 {
        format!("UNKEYWORD {TAKEN_KEYWORD}")
    } else {
        format!("UID {}:*", after + 1)
    };
    let mut uids: Vec<u32> = session
        .uid_search(&query)
        .await?
        .into_iter()
        .filter(|uid| *uid > after)
        .collect();
    uids.sort_unstable();
    let count = uids.len();
    let sizes = sizes(session, &uids).await?;
    let mut rest = uids.as_slice();
    while !rest.is_empty() {
        let (batch, after) = rest.split_at(batch_len(rest, &sizes));
        rest = after;
        if batch.len() > 1 && take_batch(session, config, csq, validity, batch, service).await? {
            continue;
        }
        for &uid in batch {
            let size = sizes.get(&uid).copied();
            take_alone(
                session,
                config,
                csq,
                (validity, uid, size),
                service,
                backoff,
            )
            .await?;
        }
    }
    Ok(count)
}

/// The sizes the server gives for these messages (one command; an expunged one is absent).
async fn sizes(session: &mut Session<Conn>, uids: &[u32]) -> Result<HashMap<u32, u32>, ImapError> {
    if uids.is_empty() {
        return Ok(HashMap::new());
    }
    let fetched: Vec<_> = session
        .uid_fetch(uid_set(uids), "(UID RFC822.SIZE)")
        .await?
        .try_collect()
        .await?;
    Ok(fetched
        .iter()
        .filter_map(|f| Some((f.uid?, f.size?)))
        .collect())
}

/// How many of the next messages go in one batch: up to [`INTAKE_BATCH_MESSAGES`] and
/// [`INTAKE_BATCH_BYTES`], stopping before a message the server gave no size for (expunged
/// meanwhile) or one too large to read whole; such a message goes alone.
fn batch_len(uids: &[u32], sizes: &HashMap<u32, u32>) -> usize {
    let mut bytes = 0u64;
    let mut len = 0;
    for uid in uids.iter().take(INTAKE_BATCH_MESSAGES) {
        let Some(&size) = sizes.get(uid).filter(|&&size| size <= MAX_FETCH_BYTES) else {
            break;
        };
        bytes += u64::from(size);
        if bytes > INTAKE_BATCH_BYTES {
            break;
        }
        len += 1;
    }
    len.max(1)
}

/// An IMAP sequence set of UIDs (ascending): runs written as ranges, `3:250,300`.
fn uid_set(uids: &[u32]) -> String {
    let mut set = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        while i + 1 < uids.len() && uids[i + 1] == uids[i] + 1 {
            i += 1;
        }
        if !set.is_empty() {
            set.push(',');
        }
        set.push_str(&start.to_string());
        if uids[i] != start {
            set.push(':');
            set.push_str(&uids[i].to_string());
        }
        i += 1;
    }
    set
}

/// Takes a batch of messages with one fetch, one commit and one flag. False when the batch
/// was not taken and its messages are to be read one by one: one of them was tried before
/// (a crash or a lost connection in an earlier batch: each must now count its own tries),
/// or the batch failed for a reason that may be one message's (unreadable, a parser panic,
/// refused by the store). A lost connection, a database that cannot be reached or files
/// that cannot be written are errors of the session: it reconnects after its wait.
async fn take_batch(
    session: &mut Session<Conn>,
    config: &MailboxConfig,
    csq: CsqId,
    validity: u32,
    batch: &[u32],
    service: &EmailService,
) -> Result<bool, ImapError> {
    let keys: Vec<MessageKey> = batch
        .iter()
        .map(|&uid| MessageKey {
            mailbox: &config.name,
            uid_validity: validity,
            uid,
        })
        .collect();
    let store = &service.store;
    if !store
        .intake_batch_attempt(&keys)
        .await
        .map_err(intake::IntakeError::from)?
    {
        return Ok(false);
    }
    let address = config.address();
    let result = async {
        let fetched: Vec<_> = session
            .uid_fetch(uid_set(batch), "(UID BODY.PEEK[])")
            .await?
            .try_collect()
            .await?;
        failpoint("imap.after_fetch").await;
        if losing("imap.batch_after_fetch") {
            return Err(ImapError::Closed);
        }
        let mut bodies: HashMap<u32, Fetch> = fetched
            .into_iter()
            .filter(|f| f.body().is_some())
            .filter_map(|f| Some((f.uid?, f)))
            .collect();
        let mut messages = Vec::with_capacity(batch.len());
        for &uid in batch {
            let raw = bodies.remove(&uid).ok_or(ImapError::Unreadable(uid))?;
            let source = Source {
                mailbox: &config.name,
                address: &address,
                csq,
                uid_validity: validity,
                uid,
            };
            messages.push((source, Box::new(Fetched(raw)) as intake::Raw));
        }
        let taken = intake::take_batch(service, messages).await?;
        failpoint("imap.after_commit").await;
        let new: Vec<u32> = batch
            .iter()
            .zip(&taken)
            .filter(|(_, taken)| matches!(taken, Taken::New { .. }))
            .map(|(&uid, _)| uid)
            .collect();
        if !new.is_empty() {
            add_keyword(session, &uid_set(&new), TAKEN_KEYWORD, config).await?;
        }
        Ok::<_, ImapError>(())
    }
    .await;
    let Err(e) = result else {
        return Ok(true);
    };
    // The connection lost (which async-imap also reports for an answer it cannot read): the
    // batch's tries stay counted, as after a crash, so its messages are read alone after
    // the reconnection, where one that breaks the connection each time is set aside.
    let lost_connection = matches!(&e, ImapError::Io(_) | ImapError::Closed)
        || matches!(&e, ImapError::Imap(imap) if lost(imap));
    if lost_connection {
        return Err(e);
    }
    // Otherwise the tries are taken back: each message is tried alone next, at once, or
    // after the wait when the database or the data directory failed (not the messages'
    // fault).
    if let Err(store_error) = store.intake_batch_failed(&keys).await {
        tracing::warn!(mailbox = %config.name, error = %store_error, "failed batch not recorded");
    }
    if !e.counts_against_message() {
        return Err(e);
    }
    tracing::warn!(mailbox = %config.name, first = batch[0], count = batch.len(), error = %e, "batch not taken: reading its messages one by one");
    Ok(false)
}

/// Takes one message (its size when known), counting the try first; sets it aside after
/// [`MAX_INTAKE_ATTEMPTS`].
/// A failure counted against the message brings the next try back to the shortest wait:
/// the tries at one message are bounded, so this cannot spin.
async fn take_alone(
    session: &mut Session<Conn>,
    config: &MailboxConfig,
    csq: CsqId,
    (validity, uid, size): (u32, u32, Option<u32>),
    service: &EmailService,
    backoff: &mut Duration,
) -> Result<(), ImapError> {
    let key = MessageKey {
        mailbox: &config.name,
        uid_validity: validity,
        uid,
    };
    let store = &service.store;
    let (attempt, last_error) = store
        .intake_attempt(key)
        .await
        .map_err(intake::IntakeError::from)?;
    if attempt > MAX_INTAKE_ATTEMPTS {
        let reason = last_error.unwrap_or(SetAsideReason::ServerStopped);
        return set_aside(session, config, key, &reason, service).await;
    }
    if let Err(e) = take_one(session, config, csq, (key, size), service).await {
        let counts = e.counts_against_message();
        if counts {
            *backoff = Duration::from_secs(1);
        }
        let reason = e.set_aside_reason();
        if let Err(store_error) = store.intake_failed(key, &reason, counts).await {
            tracing::warn!(mailbox = %config.name, uid, error = %store_error, "failed try not recorded");
        }
        tracing::warn!(mailbox = %config.name, uid, attempt, error = %e, "message not read");
        return Err(e);
    }
    Ok(())
}

/// Fetches, takes and flags one message (nothing when another client expunged it).
async fn take_one(
    session: &mut Session<Conn>,
    config: &MailboxConfig,
    csq: CsqId,
    (key, size): (MessageKey<'_>, Option<u32>),
    service: &EmailService,
) -> Result<(), ImapError> {
    let uid = key.uid;
    let Some(raw) = fetch(session, uid, size).await? else {
        // Expunged meanwhile by another client: nothing to take. Still there: an error,
        // so the next connection tries again rather than moving past it.
        if session
            .uid_search(format!("UID {uid}"))
            .await?
            .contains(&uid)
        {
            return Err(ImapError::Unreadable(uid));
        }
        return Ok(());
    };
    failpoint("imap.after_fetch").await;
    let address = config.address();
    let source = Source {
        mailbox: &config.name,
        address: &address,
        csq,
        uid_validity: key.uid_validity,
        uid,
    };
    let taken = intake::take(service, source, raw).await?;
    failpoint("imap.after_commit").await;
    if let Taken::New { .. } = taken {
        // Only a marker for people and other clients: progress is in the database.
        add_keyword(session, &uid.to_string(), TAKEN_KEYWORD, config).await?;
    }
    Ok(())
}

/// Sets a keyword on messages (a UID set); a mailbox that refuses it is only logged
/// (keywords are markers for people, progress is in the database). A lost connection is
/// an error: the next message must not be blamed for it.
async fn add_keyword(
    session: &mut Session<Conn>,
    uids: &str,
    keyword: &str,
    config: &MailboxConfig,
) -> Result<(), ImapError> {
    let flagged: Result<Vec<_>, _> =
        match session.uid_store(uids, format!("+FLAGS ({keyword})")).await {
            Ok(stream) => stream.try_collect().await,
            Err(e) => Err(e),
        };
    match flagged {
        Err(e) if lost(&e) => Err(e.into()),
        Err(e) => {
            tracing::warn!(mailbox = %config.name, uids, keyword, error = %e, "message not flagged");
            Ok(())
        }
        Ok(_) => Ok(()),
    }
}

/// Sets a message aside after [`MAX_INTAKE_ATTEMPTS`] failed tries, so the mailbox's next
/// messages are taken: listed for the administrators with its sender and subject when the
/// server gives them, flagged in the mailbox, and logged. The message itself stays where
/// it is; moved out of the folder and back, it is read again (it has a new UID).
async fn set_aside(
    session: &mut Session<Conn>,
    config: &MailboxConfig,
    key: MessageKey<'_>,
    reason: &SetAsideReason,
    service: &EmailService,
) -> Result<(), ImapError> {
    // A server that cannot give the message may drop the connection when asked for its
    // headers too: the message is set aside all the same, and flagged at the next connection.
    let summary = summary(session, key.uid).await;
    let connection_lost = matches!(&summary, Err(e) if lost(e));
    let (from, subject) = summary.ok().flatten().unwrap_or_default();
    let message = SetAside {
        key,
        from: &from,
        subject: &subject,
        reason,
    };
    service
        .store
        .set_aside_email(message, now_ms())
        .await
        .map_err(intake::IntakeError::from)?;
    tracing::error!(
        mailbox = %config.name,
        uid = key.uid,
        reason = %reason.message(app::i18n::Locale::en),
        "message set aside after {MAX_INTAKE_ATTEMPTS} failed tries: it stays in the mailbox, flagged {UNREADABLE_KEYWORD}"
    );
    if connection_lost {
        return Err(ImapError::Closed);
    }
    add_keyword(session, &key.uid.to_string(), UNREADABLE_KEYWORD, config).await
}

/// The message's From and Subject as text, if the server gives its headers.
async fn summary(
    session: &mut Session<Conn>,
    uid: u32,
) -> Result<Option<(String, String)>, async_imap::error::Error> {
    let fetched: Vec<_> = session
        .uid_fetch(uid.to_string(), "(UID BODY.PEEK[HEADER])")
        .await?
        .try_collect()
        .await?;
    let Some(header) = fetched
        .iter()
        .find(|f| f.uid == Some(uid))
        .and_then(|f| f.header())
        .map(<[u8]>::to_vec)
    else {
        return Ok(None);
    };
    // Read apart from the connector, as intake reads: a parser that panics on this very
    // message must not take the mailbox down with it.
    let parsed = tokio::task::spawn_blocking(move || super::mime::parse(&header)).await;
    Ok(parsed
        .ok()
        .map(|parsed| (parsed.from.to_string(), parsed.subject)))
}

/// Flags messages taken before a crash between the commit and the flag (not those set
/// aside: they were not taken).
async fn flag_taken(
    session: &mut Session<Conn>,
    config: &MailboxConfig,
    validity: u32,
    service: &EmailService,
) -> Result<(), ImapError> {
    let progress = service
        .store
        .mailbox_progress(&config.name)
        .await
        .map_err(intake::IntakeError::from)?;
    let Some((_, last)) = progress.filter(|(v, last)| *v == validity && *last > 0) else {
        return Ok(());
    };
    let set_aside = service
        .store
        .set_aside_uids(&config.name, validity)
        .await
        .map_err(intake::IntakeError::from)?;
    if !set_aside.is_empty() {
        let uids: Vec<String> = set_aside.iter().map(u32::to_string).collect();
        add_keyword(session, &uids.join(","), UNREADABLE_KEYWORD, config).await?;
    }
    let missing: Vec<String> = session
        .uid_search(format!("UID 1:{last} UNKEYWORD {TAKEN_KEYWORD}"))
        .await?
        .into_iter()
        .filter(|uid| *uid <= last && set_aside.binary_search(uid).is_err())
        .map(|uid| uid.to_string())
        .collect();
    if !missing.is_empty() {
        let _: Vec<_> = session
            .uid_store(missing.join(","), format!("+FLAGS ({TAKEN_KEYWORD})"))
            .await?
            .try_collect()
            .await?;
    }
    Ok(())
}

/// A message's body as the server sent it, parsed where it was received (no copy).
struct Fetched(Fetch);

impl AsRef<[u8]> for Fetched {
    fn as_ref(&self) -> &[u8] {
        self.0.body().unwrap_or_default()
    }
}

/// The raw message (headers and text only when it is huge), without setting \Seen.
/// `known`: its size, when the server gave it already (no second round trip for it).
async fn fetch(
    session: &mut Session<Conn>,
    uid: u32,
    known: Option<u32>,
) -> Result<Option<intake::Raw>, ImapError> {
    let size = match known {
        Some(size) => Some(size),
        None => {
            let sizes: Vec<_> = session
                .uid_fetch(uid.to_string(), "(UID RFC822.SIZE)")
                .await?
                .try_collect()
                .await?;
            let Some(size) = sizes.iter().find(|f| f.uid == Some(uid)).map(|f| f.size) else {
                return Ok(None);
            };
            size
        }
    };
    let huge = size.unwrap_or(0) > MAX_FETCH_BYTES;
    let query = if huge {
        "(UID BODY.PEEK[HEADER])"
    } else {
        "(UID BODY.PEEK[])"
    };
    let fetched: Vec<_> = session
        .uid_fetch(uid.to_string(), query)
        .await?
        .try_collect()
        .await?;
    let Some(message) = fetched.into_iter().find(|f| f.uid == Some(uid)) else {
        return Ok(None);
    };
    if !huge {
        return Ok(message
            .body()
            .is_some()
            .then(|| Box::new(Fetched(message)) as intake::Raw));
    }
    let note = format!(
        "Switchboard took only the headers of this message: it is {} MB, over the {} MB it \
         reads whole. The whole message is still in the mailbox.",
        size.unwrap_or(0) / (1024 * 1024),
        MAX_FETCH_BYTES / (1024 * 1024)
    );
    Ok(Some(Box::new(headers_only(
        message.header().unwrap_or_default(),
        &note,
    ))))
}

/// A message of the given headers (less its MIME structure) with `note` as its text.
fn headers_only(header: &[u8], note: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(header);
    let mut out = String::new();
    let mut skipping = false;
    for line in text.split("\r\n") {
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if !skipping {
                out.push_str(line);
                out.push_str("\r\n");
            }
            continue;
        }
        let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
        skipping = name.starts_with("content-") || name == "mime-version";
        if !skipping {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
    out.push_str(note);
    out.push_str("\r\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_write_runs_as_ranges() {
        assert_eq!(uid_set(&[3, 4, 5, 9, 11, 12]), "3:5,9,11:12");
        assert_eq!(uid_set(&[7]), "7");
    }

    /// Issue 13: a batch stops at its count, at its bytes, and before a message that must
    /// go alone (no size: expunged; too large to read whole).
    #[test]
    fn batches_stop_at_their_bounds_and_before_a_message_that_goes_alone() {
        let uids: Vec<u32> = (1..=500).collect();
        let small: HashMap<u32, u32> = uids.iter().map(|&u| (u, 1_000)).collect();
        assert_eq!(batch_len(&uids, &small), INTAKE_BATCH_MESSAGES);
        let large: HashMap<u32, u32> = uids.iter().map(|&u| (u, 6 * 1024 * 1024)).collect();
        assert_eq!(batch_len(&uids, &large), 2);
        let mut gap = small.clone();
        gap.remove(&4);
        assert_eq!(batch_len(&uids, &gap), 3);
        assert_eq!(batch_len(&uids[3..], &gap), 1, "the expunged one alone");
        let mut huge = small;
        huge.insert(1, MAX_FETCH_BYTES + 1);
        assert_eq!(batch_len(&uids, &huge), 1);
    }

    /// SPEC E-3: a message too large to read whole still becomes an email that says so.
    #[test]
    fn a_huge_message_keeps_its_headers_and_says_why() {
        let raw = headers_only(
            b"From: a@example.com\r\nSubject: Huge\r\nContent-Type: multipart/mixed;\r\n boundary=x\r\n\r\n",
            "only the headers",
        );
        let parsed = super::super::mime::parse(&raw);
        assert_eq!(parsed.subject, "Huge");
        assert_eq!(parsed.from.address, "a@example.com");
        assert!(
            parsed.text_body.contains("only the headers"),
            "{}",
            parsed.text_body
        );
    }
}
