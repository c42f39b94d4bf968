//! Issue 18: how long the supervisors' reports take on a year of a 200-agent center.
//!
//! Fills an empty database (a SQLite file of its own, or the PostgreSQL database named by
//! `--postgres URL`, which must be empty) with a year of 1 million contacts in 10 CSQs, their
//! steps in the contact log (came in, offered, an offer let go now and then, taken, ended or
//! abandoned) and 200 agents' state changes, then times the reports a supervisor asks for:
//! the year, 30 days, 7 days and one day, for every CSQ, one CSQ and one agent. Prints the
//! median of 5 runs of each; asserts nothing about speed.
//!
//! ```sh
//! cargo run --release -p server --example reportbench              # SQLite
//! cargo run --release -p server --example reportbench -- --postgres 'postgres://...'
//! cargo run --release -p server --example reportbench -- --contacts 100000
//! ```

use app::domain::{agent::Role, ids::CsqId};
use server::store::{
    postgres::PgStore, reports::ReportScope, sqlite::SqliteStore, NewAgent, Store,
};
use sqlx::{Connection, Executor};
use std::time::Instant;

const DAY_MS: i64 = 86_400_000;
const AGENTS: i64 = 200;
const CSQS: i64 = 10;
const DAYS: i64 = 365;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut postgres = None;
    let mut contacts: i64 = 1_000_000;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--postgres" => postgres = args.next(),
            "--contacts" => contacts = args.next().ok_or("--contacts N")?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let dir = tempfile::tempdir()?;
    let url = match &postgres {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let store: Box<dyn Store> = match &postgres {
        Some(url) => Box::new(PgStore::connect(url).await?),
        None => Box::new(SqliteStore::connect(&url).await?),
    };
    println!("database: {}", store.backend());

    // The center, through the store: 10 CSQs, 200 agents, each in one CSQ.
    let started = Instant::now();
    let mut csqs = Vec::new();
    for n in 0..CSQS {
        csqs.push(store.create_csq(&format!("Queue {n}")).await?);
    }
    let mut agents = Vec::new();
    for n in 0..AGENTS {
        let agent = store
            .create_agent(&NewAgent {
                username: format!("agent{n}"),
                display_name: format!("Agent {n}"),
                alias: format!("A{n}"),
                role: Role::Agent,
                password_hash: "unused".into(),
                max_chats: 3,
                max_emails: 3,
                must_change_password: false,
            })
            .await?;
        store
            .add_csq_member(csqs[(n % CSQS) as usize], agent)
            .await?;
        agents.push(agent);
    }
    if agents.first().map(|a| a.0) != Some(1) || csqs.first().map(|c| c.0) != Some(1) {
        return Err("the database must be empty".into());
    }

    // The year, in SQL: each contact's row and steps, times spread evenly over the year
    // and the day, waits, handle times and outcomes varied by the contact's number.
    let end = (app_now_ms() / DAY_MS) * DAY_MS;
    let start = end - DAYS * DAY_MS;
    let spacing = DAYS * DAY_MS / contacts;
    let fill = [
        format!("INSERT INTO customers (name, created_at_ms) {series} \
                 SELECT 'Customer ' || i, {start} FROM s",
            series = series(1000)),
        format!("INSERT INTO contacts (id, channel, csq_id, customer_id, status, problem, details, \
                 created_at_ms, queued_at_ms, accepted_at_ms, ended_at_ms, agent_id, end_reason, \
                 first_response_at_ms) {series} \
                 SELECT i + 1, CASE WHEN i % 5 = 0 THEN 'email' ELSE 'web' END, 1 + i % {CSQS}, \
                 1 + i % 1000, 'ended', '', '[]', {start} + i * {spacing}, {start} + i * {spacing}, \
                 CASE WHEN i % 12 = 0 THEN NULL ELSE {start} + i * {spacing} + {wait} END, \
                 {start} + i * {spacing} + {wait} + {handle}, \
                 CASE WHEN i % 12 = 0 THEN NULL ELSE {agent} END, \
                 CASE WHEN i % 12 = 0 THEN '\"abandoned\"' ELSE '\"ended_by_agent\"' END, \
                 CASE WHEN i % 12 = 0 OR i % 5 = 0 THEN NULL \
                   ELSE {start} + i * {spacing} + {wait} + 15000 END FROM s",
            series = series(contacts),
            wait = WAIT, handle = HANDLE, agent = AGENT),
        log("'queued'", "NULL", "NULL", "NULL", "NULL", "0", "TRUE"),
        log("'offered'", AGENT, "NULL", "NULL", "NULL", &format!("{WAIT} - 2000"), "i % 12 <> 0"),
        log("'offer_withdrawn'", AGENT, "NULL", "NULL", "NULL", &format!("{WAIT} - 1000"), "i % 20 = 1"),
        log("'accepted'", AGENT, "NULL", WAIT, "NULL", WAIT, "i % 12 <> 0"),
        log("'ended'", AGENT, "'ended_by_agent'", "NULL", HANDLE, &format!("{WAIT} + {HANDLE}"), "i % 12 <> 0"),
        log("'ended'", "NULL", "'abandoned'", WAIT, "NULL", WAIT, "i % 12 = 0"),
        // Each agent's day: logged in, Ready, Reserved and Ready by turns, Not Ready, out.
        format!("INSERT INTO agent_state_log (agent_id, at_ms, from_state, to_state, reason, state) \
                 {series} SELECT 1 + i % {AGENTS}, \
                 {start} + ((i / {AGENTS}) % {DAYS}) * {DAY_MS} + 28800000 \
                   + (i / ({AGENTS} * {DAYS})) * 3600000 + (i % {AGENTS}) * 1000, '{{}}', '{{}}', 'bench', \
                 CASE i / ({AGENTS} * {DAYS}) WHEN 0 THEN 'not_ready' WHEN 1 THEN 'ready' \
                   WHEN 2 THEN 'reserved' WHEN 3 THEN 'ready' WHEN 4 THEN 'reserved' \
                   WHEN 5 THEN 'ready' WHEN 6 THEN 'not_ready' ELSE 'logged_out' END FROM s",
            series = series(AGENTS * DAYS * 8)),
    ];
    match &postgres {
        Some(url) => {
            let mut conn = sqlx::PgConnection::connect(url).await?;
            for statement in &fill {
                conn.execute(sqlx::AssertSqlSafe(statement.as_str()))
                    .await?;
            }
            conn.execute("ANALYZE").await?;
        }
        None => {
            let mut conn = sqlx::SqliteConnection::connect(&url).await?;
            for statement in &fill {
                conn.execute(sqlx::AssertSqlSafe(statement.as_str()))
                    .await?;
            }
            conn.execute("ANALYZE").await?;
        }
    }
    println!(
        "filled {contacts} contacts, {} state changes in {:.1} s",
        AGENTS * DAYS * 8,
        started.elapsed().as_secs_f64()
    );

    let all: Vec<CsqId> = csqs.clone();
    let asks: Vec<(String, ReportScope)> = [365, 30, 7, 1]
        .into_iter()
        .flat_map(|days| {
            let base = ReportScope {
                from_ms: end - days * DAY_MS,
                to_ms: end,
                until_ms: end,
                csqs: all.clone(),
                agent: None,
                channel: None,
                // A clock one hour ahead: every statement reads local hours.
                offsets: vec![(end - days * DAY_MS, 3_600_000)],
            };
            [
                (format!("{days:>3} days, every CSQ"), base.clone()),
                (
                    format!("{days:>3} days, one CSQ"),
                    ReportScope {
                        csqs: vec![csqs[0]],
                        ..base.clone()
                    },
                ),
                (
                    format!("{days:>3} days, one agent"),
                    ReportScope {
                        agent: Some(agents[0]),
                        ..base
                    },
                ),
            ]
        })
        .collect();
    for (name, scope) in asks {
        let mut times = Vec::new();
        let mut handled = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let figures = store.report(&scope).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            handled = figures.hours.iter().map(|h| h.volume.handled).sum::<u32>();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name}: median {:>7.1} ms (fastest {:>7.1}, slowest {:>7.1}); {handled} handled",
            times[2], times[0], times[4]
        );
    }
    Ok(())
}

/// A contact's wait, handle time and agent, varied by its number `i`.
const WAIT: &str = "(5000 + (i * 7919) % 120000)";
const HANDLE: &str = "(60000 + (i * 104729) % 900000)";
const AGENT: &str = "(1 + ((i % 10) + 10 * ((i / 10) % 20)))";

/// Numbers 0 to n - 1 as the table `s (i)`, in both databases' SQL.
fn series(n: i64) -> String {
    format!(
        "WITH RECURSIVE s (i) AS (SELECT CAST(0 AS BIGINT) UNION ALL \
         SELECT i + 1 FROM s WHERE i < {}) ",
        n - 1
    )
}

/// One step for each contact where `when` holds, `after` ms after it came in.
fn log(
    step: &str,
    agent: &str,
    reason: &str,
    wait: &str,
    handle: &str,
    after: &str,
    when: &str,
) -> String {
    format!(
        "INSERT INTO contact_log (contact_id, at_ms, step, channel, csq_id, agent_id, reason, \
         wait_ms, handle_ms) SELECT id, created_at_ms + {after}, {step}, channel, csq_id, \
         {agent}, {reason}, {wait}, {handle} FROM (SELECT id, id - 1 AS i, created_at_ms, channel, \
         csq_id FROM contacts) c WHERE {when}"
    )
}

fn app_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
