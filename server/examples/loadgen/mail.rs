//! `--emails N`: a mailbox backlog taken in (issue 13's email intake target). N messages wait
//! in a real Dovecot; the server reads them through a proxy that holds every byte for
//! `--imap-delay-ms` each way (a mail server that far away), from the moment the
//! administrator saves the mailbox to the last email stored. Prints the rate, the time to
//! the first email, the server's CPU per message and its memory.

use crate::{
    imap::Dovecot,
    setup::Center,
    stats::{cpu_percent, cpu_secs, sample, Sample},
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
/// address receives them, each with a file of `attachment` bytes when asked (random, so
/// each file is stored apart; base64 in the message, as mail clients send files).
fn message(n: usize, attachment: usize) -> Vec<u8> {
    let sender = n % 97;
    let head = format!(
        "From: Customer {sender} <c{sender}@load.example>\r\nTo: support@load.example\r\n\
         Subject: Order {n} has not arrived\r\nMessage-ID: <load-{n}@load.example>\r\n\
         Date: Thu, 3 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    );
    let text = format!(
        "Hello,\r\n\r\nmy order {n} was due last week and has not arrived. Could you tell me \
         where it is?\r\n\r\nThank you,\r\nCustomer {sender}\r\n"
    );
    if attachment == 0 {
        return format!("{head}Content-Type: text/plain; charset=utf-8\r\n\r\n{text}").into_bytes();
    }
    let mut out = format!(
        "{head}Content-Type: multipart/mixed; boundary=\"load-boundary\"\r\n\r\n\
         --load-boundary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\
         --load-boundary\r\nContent-Type: application/octet-stream\r\n\
         Content-Disposition: attachment; filename=\"scan-{n}.bin\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ n as u64;
    let bytes: Vec<u8> = (0..attachment)
        .map(|_| {
            // xorshift64: incompressible enough, and cheap.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
    for line in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--load-boundary--\r\n");
    out
}

pub struct Backlog<'a> {
    pub emails: usize,
    /// Bytes of the file each message carries (0: none).
    pub attachment: usize,
    pub delay: Duration,
    pub target: &'a Target,
    pub center: &'a Center,
    pub dovecot: &'a Dovecot,
}

impl Backlog<'_> {
    pub async fn measure(self) -> Result<(), String> {
        let filled = Instant::now();
        let messages: Vec<Vec<u8>> = (1..=self.emails)
            .map(|n| message(n, self.attachment))
            .collect();
        let bytes: usize = messages.iter().map(Vec::len).sum();
        let largest = messages.iter().map(Vec::len).max().unwrap_or(1);
        self.dovecot.append_all(&messages).await;
        drop(messages);
        crate::line(
            "mailbox",
            format!(
                "{} messages ({:.2} MB in all) put in Dovecot in {:.1} s; the server reads them \
                 through a proxy adding {} ms each way",
                self.emails,
                bytes as f64 / 1e6,
                filled.elapsed().as_secs_f64(),
                self.delay.as_millis()
            ),
        );
        let proxy = delaying_proxy(self.dovecot.port, self.delay).await;
        let database = self.target.database().await?;
        let before = sample(self.target.pid()).ok_or("the server is gone")?;
        // The peak resident memory counts from here (Linux: 5 in clear_refs resets it).
        std::fs::write(format!("/proc/{}/clear_refs", self.target.pid()), "5")
            .map_err(|e| format!("the server's peak memory cannot be reset: {e}"))?;
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
        let peak = peak_kb(self.target.pid()).ok_or("the server is gone")?;
        crate::line(
            "memory",
            format!(
                "peak {} MB resident during the intake, {} MB above before: {:.2}x the largest \
                 message; {:.0} MB/s of the server's CPU time",
                peak / 1024,
                peak.saturating_sub(before.rss_kb) / 1024,
                peak.saturating_sub(before.rss_kb) as f64 * 1024.0 / largest as f64,
                bytes as f64 / 1e6 / cpu_secs(&before, &after).max(0.01)
            ),
        );
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

/// The peak resident memory (VmHWM) of a process, in KB.
fn peak_kb(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// The server's CPU per message and its memory after the intake.
fn cost(before: &Sample, after: &Sample, emails: usize) -> String {
    let cpu = cpu_secs(before, after);
    format!(
        "{:.2} s of CPU for the intake ({:.2} ms a message, {:.0}% of one core); {} MB \
         resident after",
        cpu,
        cpu * 1000.0 / emails as f64,
        cpu_percent(before, after),
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
            // Each piece goes on as soon as it is due, not held back to fill a packet.
            let _ = (client.set_nodelay(true), server.set_nodelay(true));
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
