//! `--idle`: every chat started and left waiting, nobody Ready (issue 13's idle targets).
//! What a waiting chat costs in memory (its widget socket, its place in the queue, its
//! timers), what a long queue costs in CPU while nothing happens, and how fast an agent's
//! desktop opens with it: the page itself, then its socket's sync.

use crate::{
    desk, line,
    stats::{cpu_percent, sample, Sample},
};
use std::{net::SocketAddr, time::Duration};

pub struct Idle<'a> {
    pub addr: SocketAddr,
    pub pid: u32,
    pub chats: usize,
    /// The server once the agents were logged in, before any chat.
    pub before: &'a Sample,
    /// An agent's session cookie and address.
    pub agent: (String, String),
    pub seconds: u64,
}

impl Idle<'_> {
    pub async fn measure(&self) -> Result<(), String> {
        let queued = sample(self.pid).ok_or("the server is gone")?;
        let added_kb = queued.rss_kb.saturating_sub(self.before.rss_kb);
        line(
            "waiting memory",
            format!(
                "{} MB resident: {:.1} KB per waiting chat (its widget socket, queue place, timers) \
                 above the {} MB before",
                queued.rss_kb / 1024,
                added_kb as f64 / self.chats as f64,
                self.before.rss_kb / 1024
            ),
        );
        tokio::time::sleep(Duration::from_secs(self.seconds)).await;
        let after = sample(self.pid).ok_or("the server is gone")?;
        line(
            "idle CPU",
            format!(
                "{:.1}% of one core over {} s with {} chats waiting and nothing happening",
                cpu_percent(&queued, &after),
                self.seconds,
                self.chats
            ),
        );
        let (cookie, from) = &self.agent;
        let page = self.desktop_page(cookie, from).await?;
        let sync = desk::second_page(self.addr, cookie, from).await?;
        line(
            "desktop opens",
            format!(
                "page {:.1} ms, then its socket synced in {:.1} ms, with {} chats waiting",
                page.as_secs_f64() * 1000.0,
                sync.as_secs_f64() * 1000.0,
                self.chats
            ),
        );
        Ok(())
    }

    /// The desktop page as the browser asks for it, read to its end.
    async fn desktop_page(&self, cookie: &str, from: &str) -> Result<Duration, String> {
        let started = std::time::Instant::now();
        let response = reqwest::Client::new()
            .get(format!("http://{}/", self.addr))
            .header("cookie", cookie)
            .header("x-forwarded-for", from)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() || !body.contains("<html") {
            return Err(format!("the desktop page: {status}"));
        }
        Ok(started.elapsed())
    }
}
