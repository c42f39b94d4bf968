//! What the run measured: delivery times, counts, the first loss or duplicate, and the
//! server process's CPU and memory read from `/proc`.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, OnceLock,
    },
    time::Instant,
};

/// Microseconds since the generator started: the time every message carries, read by the
/// receiving side of the same process (one clock, no skew).
pub fn now_us() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_micros() as u64
}

/// Delivery times of one direction, in microseconds.
#[derive(Default)]
pub struct Latencies(Mutex<Vec<u64>>);

impl Latencies {
    pub fn record(&self, sent_at_us: u64) {
        let took = now_us().saturating_sub(sent_at_us);
        self.0.lock().unwrap().push(took);
    }

    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }

    /// `count p50 p90 p99 max`, in milliseconds.
    pub fn summary(&self) -> String {
        let mut all = self.0.lock().unwrap().clone();
        if all.is_empty() {
            return "none delivered".to_string();
        }
        all.sort_unstable();
        let at = |q: f64| all[((all.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
        format!(
            "{} delivered, p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            all.len(),
            at(0.5),
            at(0.9),
            at(0.99),
            at(1.0)
        )
    }
}

/// Counts shared by every simulated customer and agent.
#[derive(Default)]
pub struct Counts {
    /// Customer messages sent (resends not counted).
    pub sent: AtomicU64,
    /// Customer messages the server confirmed stored (their line came back to the widget).
    pub stored: AtomicU64,
    /// Customer messages an agent's page received.
    pub delivered: AtomicU64,
    /// Agent replies sent, and received by the customer.
    pub replies_sent: AtomicU64,
    pub replies_delivered: AtomicU64,
    /// Sockets the server closed that the generator opened again, as the pages do.
    pub desk_reconnects: AtomicU64,
    pub widget_reconnects: AtomicU64,
    /// Chats whose customer has read an agent's first line.
    pub assigned: AtomicU64,
    /// Chats whose widget has read the welcome line (started and queued).
    pub queued: AtomicU64,
    /// Agents' pages synced, and agents Ready.
    pub synced: AtomicU64,
    pub ready: AtomicU64,
    pub to_agent: Latencies,
    pub to_customer: Latencies,
    /// The first message lost or doubled: the run stops there.
    pub failure: Mutex<Option<String>>,
    finished: std::sync::atomic::AtomicBool,
}

impl Counts {
    pub fn fail(&self, what: String) {
        let mut failure = self.failure.lock().unwrap();
        if failure.is_none() {
            eprintln!("STOP: {what}");
            *failure = Some(what);
        }
    }

    pub fn failed(&self) -> bool {
        self.failure.lock().unwrap().is_some()
    }

    /// The run is over: sockets the server closes stay closed.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::Relaxed);
    }

    /// Whether a closed socket should stay closed (the run failed or is over).
    pub fn stopping(&self) -> bool {
        self.finished.load(Ordering::Relaxed) || self.failed()
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    pub fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// CPU time (user + system, in clock ticks) and resident memory of a process.
pub struct Sample {
    pub at: Instant,
    pub cpu_ticks: u64,
    pub rss_kb: u64,
}

pub fn sample(pid: u32) -> Option<Sample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: the fields follow its closing parenthesis.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())?;
    Some(Sample {
        at: Instant::now(),
        cpu_ticks: utime + stime,
        rss_kb,
    })
}

/// CPU seconds the process used between two samples.
pub fn cpu_secs(from: &Sample, to: &Sample) -> f64 {
    // Linux reports CPU time in USER_HZ, 100 per second on every architecture it runs on.
    const TICKS_PER_SEC: f64 = 100.0;
    to.cpu_ticks.saturating_sub(from.cpu_ticks) as f64 / TICKS_PER_SEC
}

/// Share of one core the process used between two samples, in percent.
pub fn cpu_percent(from: &Sample, to: &Sample) -> f64 {
    let secs = to.at.duration_since(from.at).as_secs_f64();
    if secs <= 0.0 {
        return 0.0;
    }
    cpu_secs(from, to) / secs * 100.0
}
