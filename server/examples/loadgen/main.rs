//! The load generator (issue 13): customers and agents on real WebSockets speaking the
//! widget's and the desktop's own protocols against the release server on loopback, or the
//! same load against a plain relay that stores nothing, so the figures have something
//! honest to be compared with.
//!
//! ```sh
//! cargo build --release -p server --example loadgen
//! target/release/examples/loadgen --chats 1000 --seconds 20            # SQLite
//! target/release/examples/loadgen --chats 1000 --postgres postgres://... # PostgreSQL
//! target/release/examples/loadgen --chats 1000 --relay                  # the plain relay
//! target/release/examples/loadgen --chats 1000 --queued-first           # routing a queue
//! target/release/examples/loadgen --emails 5000 --imap-delay-ms 30      # a mailbox backlog
//! ```
//!
//! It makes its agents through the administration, starts every chat through the pre-chat
//! form, lets routing offer them and the agents accept, then has every customer send at the
//! given rate. It prints the setup and routing times, delivery times both ways, messages per
//! second, the server's CPU and memory, the time a second desktop page takes to sync, and
//! stops at the first message lost or delivered twice, saying which.

mod customer;
mod desk;
mod idle;
/// The email tests' Dovecot (Debian's dovecot-imapd), for `--emails`.
#[path = "../../tests/it/common/imap.rs"]
#[allow(dead_code)]
mod imap;
mod mail;
mod postgres;
mod relay;
mod setup;
mod stats;
mod target;

use clap::Parser;
use stats::{cpu_percent, sample, Counts};
use std::{
    net::SocketAddr,
    path::PathBuf,
    process::ExitCode,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::watch;

#[derive(Parser)]
#[command(about = "Switchboard's load generator: chats over real WebSockets, measured")]
struct Args {
    /// Chats at once, one customer each (at most 20,000).
    #[arg(long, default_value_t = 1000)]
    chats: usize,
    /// Agents, each holding at most 5 chats (by default just enough for every chat).
    #[arg(long)]
    agents: Option<usize>,
    /// Messages each customer sends per second (at most 5, the server's limit per customer).
    #[arg(long, default_value_t = 1.0)]
    rate: f64,
    /// Seconds of steady traffic measured (at most 600).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Agents answer every n-th customer message (0: never).
    #[arg(long, default_value_t = 5)]
    reply_every: u64,
    /// The server binary to run.
    #[arg(long, default_value = "target/release/server")]
    server: PathBuf,
    /// A PostgreSQL URL: the run makes a database of its own there and drops it after.
    /// Without it, the server runs on a new SQLite file.
    #[arg(long)]
    postgres: Option<String>,
    /// Server processes on the one PostgreSQL database (issue 14; needs --postgres): the
    /// customers and agents are spread over them, and the CPU and memory shown are theirs
    /// together.
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// The same load against the plain relay instead of Switchboard.
    #[arg(long)]
    relay: bool,
    /// Every chat is started and queued before any agent goes Ready; routing is then timed
    /// from the first Ready to the last chat greeted (issue 13's routing target). Without
    /// it, the agents are Ready first and routing is timed from the first chat started.
    #[arg(long)]
    queued_first: bool,
    /// Every chat is started and left waiting with nobody Ready: prints the memory per
    /// waiting chat, the CPU while nothing happens (over --seconds), and how fast an
    /// agent's desktop opens. One agent unless --agents says more.
    #[arg(long)]
    idle: bool,
    /// Instead of chats: this many emails wait in a real Dovecot mailbox (Debian's
    /// dovecot-imapd) when the administrator saves it; the run measures their intake.
    #[arg(long, default_value_t = 0)]
    emails: usize,
    /// With --emails: milliseconds the proxy between the server and Dovecot holds every
    /// byte, each way.
    #[arg(long, default_value_t = 30)]
    imap_delay_ms: u64,
    /// With --emails: each message carries a file of this many MB (decimal; 0: none).
    #[arg(long, default_value_t = 0.0)]
    attachment_mb: f64,
    /// (This program started again as the relay, listening here.)
    #[arg(long, hide = true)]
    serve_relay: Option<SocketAddr>,
    #[arg(long, hide = true, default_value_t = 1)]
    relay_agents: u64,
}

const MAX_CHATS: usize = 20_000;
const MAX_EMAILS: usize = 50_000;
const MAX_SECONDS: u64 = 600;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(addr) = args.serve_relay {
        relay::serve(addr, args.relay_agents).await;
        return ExitCode::SUCCESS;
    }
    let bounded = (1..=MAX_CHATS).contains(&args.chats)
        && (1..=MAX_SECONDS).contains(&args.seconds)
        && args.rate > 0.0
        && args.rate <= 5.0;
    if !bounded {
        eprintln!(
            "--chats 1..={MAX_CHATS}, --seconds 1..={MAX_SECONDS}, --rate above 0 and at most 5"
        );
        return ExitCode::FAILURE;
    }
    if args.nodes != 1 && (args.postgres.is_none() || args.relay || !(2..=5).contains(&args.nodes))
    {
        eprintln!("--nodes 2..=5 needs --postgres (the nodes share its database), not --relay");
        return ExitCode::FAILURE;
    }
    if args.emails > 0 {
        let attachment = args.attachment_mb * 1e6;
        if args.emails > MAX_EMAILS
            || args.imap_delay_ms > 1000
            || args.relay
            || !(0.0..=60.0).contains(&args.attachment_mb)
            || attachment * args.emails as f64 > 2e9
        {
            eprintln!(
                "--emails 1..={MAX_EMAILS}, --imap-delay-ms at most 1000, --attachment-mb at \
                 most 60 and 2 GB in all, no --relay"
            );
            return ExitCode::FAILURE;
        }
        return match emails(&args).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.relay && (args.queued_first || args.idle) {
        eprintln!("--queued-first and --idle measure routing's queues; the relay has none");
        return ExitCode::FAILURE;
    }
    let enough = match args.idle {
        true => 1,
        false => args.chats.div_ceil(setup::CHATS_PER_AGENT),
    };
    let agents = args.agents.unwrap_or(enough).max(1);
    if !args.idle && agents * setup::CHATS_PER_AGENT < args.chats {
        eprintln!(
            "{agents} agents hold at most {} chats",
            agents * setup::CHATS_PER_AGENT
        );
        return ExitCode::FAILURE;
    }
    match run(&args, agents).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// A port nobody listens on (for the Dovecot of `--emails`).
fn free_port() -> u16 {
    target::free_addr().port()
}

/// `--emails`: a mailbox backlog taken in.
async fn emails(args: &Args) -> Result<(), String> {
    let database = match &args.postgres {
        Some(url) => Some(postgres::Database::create(url).await?),
        None => None,
    };
    let name = match &database {
        Some(_) => "Switchboard on PostgreSQL",
        None => "Switchboard on SQLite",
    };
    println!("{name}: {} emails waiting in a mailbox", args.emails);
    let dovecot = imap::Dovecot::start().await;
    let url = database.as_ref().map(|d| d.url.as_str());
    let target = target::Target::switchboard(&args.server, url, 100, true).await;
    let center = setup::prepare(target.addr, 0).await;
    let measured = mail::Backlog {
        emails: args.emails,
        attachment: (args.attachment_mb * 1e6) as usize,
        delay: Duration::from_millis(args.imap_delay_ms),
        target: &target,
        center: &center,
        dovecot: &dovecot,
    }
    .measure()
    .await;
    drop(target);
    if let Some(database) = database {
        database.drop_it().await;
    }
    measured
}

/// The server processes' CPU time and resident memory together.
fn sample_all(pids: &[u32]) -> Option<stats::Sample> {
    let mut total = sample(*pids.first()?)?;
    for pid in &pids[1..] {
        let more = sample(*pid)?;
        total.cpu_ticks += more.cpu_ticks;
        total.rss_kb += more.rss_kb;
    }
    Some(total)
}

async fn run(args: &Args, agents: usize) -> Result<(), String> {
    let database = match &args.postgres {
        Some(url) if !args.relay => Some(postgres::Database::create(url).await?),
        _ => None,
    };
    let name = match (&database, args.relay) {
        (_, true) => "plain relay (stores nothing)",
        (Some(_), _) => "Switchboard on PostgreSQL",
        (None, _) => "Switchboard on SQLite",
    };
    println!(
        "{name}: {} chats, {agents} agents, {} message(s)/s per customer, {} s",
        args.chats, args.rate, args.seconds
    );
    let setup_started = Instant::now();
    let target = if args.relay {
        target::Target::relay(agents).await
    } else {
        let url = database.as_ref().map(|d| d.url.as_str());
        target::Target::switchboard(&args.server, url, args.chats + 2 * agents, true).await
    };
    println!(
        "  {:<16} http://{} (pid {})",
        "listening",
        target.addr,
        target.pid()
    );
    // More nodes on the same database (issue 14), each listening on its own address.
    let mut others = Vec::new();
    for _ in 1..args.nodes {
        let url = database.as_ref().map(|d| d.url.as_str());
        let node =
            target::Target::switchboard(&args.server, url, args.chats + 2 * agents, false).await;
        println!(
            "  {:<16} http://{} (pid {})",
            "listening",
            node.addr,
            node.pid()
        );
        others.push(node);
    }
    let addrs: Vec<std::net::SocketAddr> = std::iter::once(target.addr)
        .chain(others.iter().map(|t| t.addr))
        .collect();
    let pids: Vec<u32> = std::iter::once(target.pid())
        .chain(others.iter().map(|t| t.pid()))
        .collect();
    let center = if args.relay {
        setup::Center {
            admin: String::new(),
            csq: app::domain::ids::CsqId(0),
            problem: 0,
            agents: (0..agents)
                .map(|n| (format!("agent={n}"), setup::address(2, n)))
                .collect(),
        }
    } else {
        setup::prepare(target.addr, agents).await
    };
    let counts = Arc::new(Counts::default());
    // Agents go Ready at once, or once every chat is queued, or never.
    let hold = args.queued_first || args.idle;
    let (go_ready_tx, go_ready) = watch::channel(!hold);
    for (n, (cookie, from)) in center.agents.iter().enumerate() {
        tokio::spawn(
            desk::Desk {
                addr: addrs[n % addrs.len()],
                cookie: cookie.clone(),
                from: from.clone(),
                counts: counts.clone(),
                reply_every: args.reply_every,
                relay: args.relay,
                go_ready: go_ready.clone(),
            }
            .run(),
        );
    }
    let (awaited, state) = match hold {
        true => (&counts.synced, "their pages synced"),
        false => (&counts.ready, "Ready"),
    };
    wait_until(&counts, "agents", Duration::from_secs(120), || {
        Counts::get(awaited) >= agents as u64
    })
    .await?;
    // Every agent has logged in: what the password checks left behind shows here.
    let after_setup = sample_all(&pids).ok_or("a server is gone")?;
    line(
        "setup",
        format!(
            "{agents} agents made, logged in and {state} in {:.1} s; server then {} MB resident",
            setup_started.elapsed().as_secs_f64(),
            after_setup.rss_kb / 1024
        ),
    );

    let (go_tx, go) = watch::channel(false);
    let (stop_tx, stop) = watch::channel(false);
    let mut routing_started = Instant::now();
    // Few idle connections kept: the customers' sockets need the file descriptors.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(32)
        .build()
        .map_err(|e| e.to_string())?;
    let every = Duration::from_secs_f64(1.0 / args.rate);
    for index in 0..args.chats {
        tokio::spawn(
            customer::Customer {
                addr: addrs[index % addrs.len()],
                index,
                problem: center.problem,
                http: http.clone(),
                counts: counts.clone(),
                every,
                go: go.clone(),
                stop: stop.clone(),
            }
            .run(),
        );
    }
    let routed = if hold {
        let queued = "chats started and queued (no agent Ready yet)";
        all_chats(
            &counts,
            &counts.queued,
            args.chats,
            routing_started,
            "queued",
            queued,
        )
        .await?;
        if args.idle {
            let idle = idle::Idle {
                addr: target.addr,
                pid: target.pid(),
                chats: args.chats,
                before: &after_setup,
                agent: center.agents[0].clone(),
                seconds: args.seconds,
            };
            let measured = idle.measure().await;
            counts.finish();
            drop(target);
            if let Some(database) = database {
                database.drop_it().await;
            }
            return measured;
        }
        routing_started = Instant::now();
        let _ = go_ready_tx.send(true);
        format!("queued chats offered to {agents} agents going Ready, accepted and greeted")
    } else {
        "chats started, queued, offered, accepted and greeted".to_string()
    };
    all_chats(
        &counts,
        &counts.assigned,
        args.chats,
        routing_started,
        "routing",
        &routed,
    )
    .await?;

    counts.to_agent.clear();
    counts.to_customer.clear();
    let delivered_before = Counts::get(&counts.delivered);
    let before = sample_all(&pids).ok_or("a server is gone")?;
    let _ = go_tx.send(true);
    let steady = Duration::from_secs(args.seconds);
    let window = Instant::now();
    // Halfway through, an agent opens a second page; the traffic goes on meanwhile.
    let second_page = (!args.relay).then(|| {
        let (cookie, from) = center.agents[0].clone();
        let addr = target.addr;
        tokio::spawn(async move {
            tokio::time::sleep(steady / 2).await;
            let limit = Duration::from_secs(60);
            tokio::time::timeout(limit, desk::second_page(addr, &cookie, &from))
                .await
                .unwrap_or_else(|_| Err("not synced after 60 s".into()))
        })
    });
    tokio::time::sleep(steady).await;
    let after = sample_all(&pids).ok_or("a server is gone")?;
    let delivered_in_window = Counts::get(&counts.delivered) - delivered_before;
    let window = window.elapsed();
    let _ = stop_tx.send(true);

    if let Some(second_page) = second_page {
        let text = match second_page.await {
            Ok(Ok(took)) => format!(
                "an agent's second desktop page synced in {:.1} ms with {} chats open",
                took.as_secs_f64() * 1000.0,
                args.chats
            ),
            Ok(Err(e)) => format!("failed: {e}"),
            Err(e) => format!("failed: {e}"),
        };
        line("second page", text);
    }
    // Every message sent must be stored and delivered once: wait for the last ones.
    let _ = wait_until(
        &counts,
        "the last messages",
        Duration::from_secs(30),
        || {
            let sent = Counts::get(&counts.sent);
            Counts::get(&counts.delivered) >= sent && Counts::get(&counts.stored) >= sent
        },
    )
    .await;
    let sent = Counts::get(&counts.sent);
    let stored = Counts::get(&counts.stored);
    let delivered = Counts::get(&counts.delivered);
    line("customer→agent", counts.to_agent.summary());
    line("agent→customer", counts.to_customer.summary());
    line(
        "throughput",
        format!(
            "{:.0} customer messages/s stored and delivered ({} asked)",
            delivered_in_window as f64 / window.as_secs_f64(),
            (args.chats as f64 * args.rate).round()
        ),
    );
    line(
        "server CPU",
        format!("{:.0}% of one core", cpu_percent(&before, &after)),
    );
    line(
        "server memory",
        format!(
            "{} MB resident ({:.1} KB per chat in all; {:.1} KB per chat above the {} MB \
             of the agents logged in)",
            after.rss_kb / 1024,
            after.rss_kb as f64 / args.chats as f64,
            after.rss_kb.saturating_sub(after_setup.rss_kb) as f64 / args.chats as f64,
            after_setup.rss_kb / 1024
        ),
    );
    line(
        "reconnects",
        format!(
            "desktop {}, widget {}",
            Counts::get(&counts.desk_reconnects),
            Counts::get(&counts.widget_reconnects)
        ),
    );
    line(
        "messages",
        format!("{sent} sent, {stored} stored, {delivered} delivered to agents"),
    );
    counts.finish();
    drop(target);
    if let Some(database) = database {
        database.drop_it().await;
    }
    if let Some(failure) = counts.failure.lock().unwrap().clone() {
        return Err(format!("FAILED: {failure}"));
    }
    if delivered < sent || stored < sent {
        return Err(format!(
            "FAILED: {} message(s) not stored, {} not delivered, 30 s after the last was sent",
            sent - stored.min(sent),
            sent - delivered.min(sent)
        ));
    }
    Ok(())
}

/// Waits until `counter` reaches the number of chats, then prints how long it took.
async fn all_chats(
    counts: &Counts,
    counter: &std::sync::atomic::AtomicU64,
    chats: usize,
    since: Instant,
    name: &str,
    what: &str,
) -> Result<(), String> {
    wait_until(counts, name, Duration::from_secs(600), || {
        Counts::get(counter) >= chats as u64
    })
    .await?;
    let took = since.elapsed().as_secs_f64();
    line(name, format!("{chats} {what} in {took:.2} s"));
    Ok(())
}

fn line(what: &str, text: String) {
    println!("  {what:<16} {text}");
}

/// Polls `done` until it holds; stops early when a message was lost or doubled.
async fn wait_until(
    counts: &Counts,
    what: &str,
    within: Duration,
    done: impl Fn() -> bool,
) -> Result<(), String> {
    let deadline = Instant::now() + within;
    while !done() {
        if let Some(failure) = counts.failure.lock().unwrap().clone() {
            return Err(format!("FAILED: {failure}"));
        }
        if Instant::now() > deadline {
            return Err(format!("{what}: not done after {} s", within.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}
