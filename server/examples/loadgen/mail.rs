//! `--emails N`: a mailbox backlog taken in (issue 13's email intake target). N messages wait
//! in a real Dovecot; the server reads them through a proxy that holds every byte for
//! `--imap-delay-ms` each way (a mail server that far away), from the moment the
//! administrator saves the mailbox to the last email stored. Prints the rate, the time to
//! the first email, the server's CPU per message and its memory.

use crate::{
    imap::Dovecot,
    setup::Center,
    stats::{sample, Sample},
    target::Target,
};
use app::domain::mailboxes::{MailboxEdit, Security, Server};
use std::time::{Duration, Instant};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{tcp::OwnedReadHalf, tcp::OwnedWriteHalf, TcpListener, TcpStream},
    sync::mpsc,
};

/// The messages put in the mailbox: small text emails of several senders, as a support
/// address receives them.
fn message(n: usize) -> Vec<u8> {
    format!(
        "From: Customer {sender} <c{sender}@load.example>\r\nTo: support@load.example\r\n\
         Subject: Order {n} has not arrived\r\nMessage-ID: <load-{n}@load.example>\r\n\
         Date: Thu, 3 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Hello,\r\n\r\nmy order {n} was due last week and has not arrived. Could you tell me \
         where it is?\r\n\r\nThank you,\r\nCustomer {sender}\r\n",
        sender = n % 97
    )
    .into_bytes()
}

pub struct Backlog<'a> {
    pub emails: usize,
    pub delay: Duration,
    pub target: &'a Target,
    pub center: &'a Center,
    pub dovecot: &'a Dovecot,
}

impl Backlog<'_> {
    pub async fn measure(self) -> Result<(), String> {
        let filled = Instant::now();
        let messages: Vec<Vec<u8>> = (1..=self.emails).map(message).collect();
        self.dovecot.append_all(&messages).await;
        crate::line(
            "mailbox",
            format!(
                "{} messages put in Dovecot in {:.1} s; the server reads them through a proxy \
                 adding {} ms each way",
                self.emails,
                filled.elapsed().as_secs_f64(),
                self.delay.as_millis()
            ),
        );
        let proxy = delaying_proxy(self.dovecot.port, self.delay).await;
        let database = self.target.database().await?;
        let before = sample(self.target.pid()).ok_or("the server is gone")?;
        let saved = Instant::now();
        self.save_mailbox(proxy).await;
        let mut first = None;
        let deadline = saved + Duration::from_secs(600);
        loop {
            let stored = database.emails().await?;
            if stored > 0 && first.is_none() {
                first = Some(saved.elapsed());
            }
            if stored >= self.emails as i64 {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "only {stored} of {} emails after 600 s",
                    self.emails
                ));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let took = saved.elapsed();
        let after = sample(self.target.pid()).ok_or("the server is gone")?;
        let first = first.unwrap_or(took);
        let rest = took.saturating_sub(first).as_secs_f64();
        crate::line(
            "intake",
            format!(
                "{} emails stored in {:.2} s from the mailbox saved: {:.0} messages/s \
                 (first after {:.0} ms: connect, login, search; then {:.0}/s)",
                self.emails,
                took.as_secs_f64(),
                self.emails as f64 / took.as_secs_f64(),
                first.as_secs_f64() * 1000.0,
                (self.emails.saturating_sub(1)) as f64 / rest.max(f64::EPSILON)
            ),
        );
        crate::line("server", cost(&before, &after, self.emails));
        let stored = database.emails().await?;
        if stored != self.emails as i64 {
            return Err(format!(
                "{stored} emails stored for {} messages: taken twice",
                self.emails
            ));
        }
        Ok(())
    }

    async fn save_mailbox(&self, port: u16) {
        let base = format!("http://{}", self.target.addr);
        let edit = MailboxEdit {
            id: None,
            name: "Load inbox".into(),
            csq: Some(self.center.csq),
            enabled: true,
            imap: Server {
                host: "127.0.0.1".into(),
                port: Some(port),
                security: Security::None,
                username: crate::imap::USER.into(),
            },
            folder: "INBOX".into(),
            imap_password: crate::imap::PASSWORD.into(),
            smtp: Server {
                host: "127.0.0.1".into(),
                port: Some(port),
                security: Security::None,
                username: String::new(),
            },
            smtp_password: String::new(),
            address: "support@load.example".into(),
            display_name: String::new(),
            signature_html: String::new(),
        };
        let _: serde_json::Value = crate::setup::ok(
            reqwest::Client::new()
                .post(format!("{base}/api/admin/mailbox"))
                .header("cookie", &self.center.admin)
                .json(&serde_json::json!({ "edit": edit }))
                .send()
                .await,
        )
        .await;
    }
}

/// The server's CPU per message and its memory after the intake.
fn cost(before: &Sample, after: &Sample, emails: usize) -> String {
    const TICKS_PER_SEC: f64 = 100.0;
    let cpu = after.cpu_ticks.saturating_sub(before.cpu_ticks) as f64 / TICKS_PER_SEC;
    format!(
        "{:.2} s of CPU for the intake ({:.2} ms a message, {:.0}% of one core); {} MB \
         resident after",
        cpu,
        cpu * 1000.0 / emails as f64,
        super::stats::cpu_percent(before, after),
        after.rss_kb / 1024
    )
}

/// A TCP proxy on loopback to `port` that delivers every byte `delay` after it was read, in
/// both directions, without limiting how much is in flight (a long, wide link).
async fn delaying_proxy(port: u16, delay: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
    let own = listener.local_addr().expect("proxy address").port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(("127.0.0.1", port)).await else {
                continue;
            };
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::spawn(delayed(client_read, server_write, delay));
            tokio::spawn(delayed(server_read, client_write, delay));
        }
    });
    own
}

/// One direction of the proxy: a reader stamps each chunk, a writer sends it when due.
async fn delayed(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, delay: Duration) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((due, bytes)) = rx.recv().await {
            tokio::time::sleep_until(due.into()).await;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buffer = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buffer).await {
        if n == 0
            || tx
                .send((Instant::now() + delay, buffer[..n].to_vec()))
                .is_err()
        {
            break;
        }
    }
    drop(tx);
    let _ = writer.await;
}
