//! SPEC E-1 (no email lost or taken twice): the real server binary is killed (aborted at a
//! failpoint, or with SIGKILL in the middle of a backlog) between fetching messages and
//! committing them, and between committing and flagging them; after each restart every
//! message is exactly one contact.

use crate::common;

use app::domain::contact::Channel;
use common::imap::{message, Dovecot};
use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

fn server(dir: &Path, mailboxes: &Path, failpoint: Option<&str>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env("SWITCHBOARD_ADDR", "127.0.0.1:0")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("crash.db").display()),
        )
        .env("SWITCHBOARD_DATA_DIR", dir)
        .env("SWITCHBOARD_DEMO", "true")
        .env("SWITCHBOARD_MAILBOXES", mailboxes)
        .env("SWITCHBOARD_LOG", "warn")
        .env_remove("SWITCHBOARD_FAILPOINT")
        .stdout(Stdio::null())
        .stderr(log_file(dir));
    if let Some(point) = failpoint {
        command.env("SWITCHBOARD_FAILPOINT", point);
    }
    command.spawn().expect("the server binary starts")
}

/// The server's warnings, appended across restarts, to be shown when a test fails.
fn log_file(dir: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .expect("the log file opens")
}

/// What the server wrote to its log (the last lines), for a failed assertion's message.
fn server_log(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Waits for a server that is to crash at its failpoint.
fn crashed(mut child: Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success(), "the server stopped at its failpoint");
            return;
        }
        assert!(Instant::now() < deadline, "the failpoint was never reached");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The subjects of the email contacts in the database.
async fn email_subjects(dir: &Path) -> Vec<String> {
    let store = server::store::connect(&format!("sqlite://{}", dir.join("crash.db").display()))
        .await
        .unwrap();
    let mut subjects = Vec::new();
    for contact in store.open_contacts().await.unwrap() {
        if contact.channel == Channel::Email {
            subjects.push(store.email(contact.id).await.unwrap().view.subject);
        }
    }
    subjects.sort();
    subjects
}

#[tokio::test]
async fn a_crash_at_any_point_neither_loses_nor_repeats_an_email() {
    let dovecot = Dovecot::start().await;
    for n in 1..=3 {
        dovecot
            .append(&message(
                "cu@example.com",
                &format!("Message {n}"),
                &format!("crash-{n}@example.com"),
                "",
                "Hello",
            ))
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let mailboxes = dovecot.mailboxes_file("Support");

    // Killed after fetching the three in one batch, before storing them: nothing taken.
    crashed(server(dir.path(), &mailboxes, Some("imap.after_fetch")));
    assert!(email_subjects(dir.path()).await.is_empty());

    // Tried in a batch that crashed, each is now read alone. Killed after storing the
    // first, before flagging it: one taken.
    crashed(server(dir.path(), &mailboxes, Some("imap.after_commit")));
    assert_eq!(email_subjects(dir.path()).await, ["Message 1"]);

    // A normal run takes the other two, and the first not again.
    let mut child = server(dir.path(), &mailboxes, None);
    let deadline = Instant::now() + Duration::from_secs(60);
    let subjects = loop {
        let subjects = email_subjects(dir.path()).await;
        if subjects.len() >= 3 || Instant::now() > deadline {
            break subjects;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Give a duplicate the chance to appear before judging.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let flags: Vec<Vec<String>> = dovecot.messages().await.into_iter().map(|m| m.0).collect();
    child.kill().ok();
    child.wait().ok();
    assert_eq!(subjects, ["Message 1", "Message 2", "Message 3"]);
    assert_eq!(email_subjects(dir.path()).await.len(), 3, "no duplicate");
    assert_eq!(flags.len(), 3, "all still in the mailbox");
    assert!(
        flags
            .iter()
            .all(|f| f.iter().any(|f| f.contains("$Switchboard"))),
        "each flagged, the one taken before the crash too: {flags:?}"
    );
}

/// Waits until the database holds `count` email contacts (or the deadline passes).
async fn wait_for_emails(dir: &Path, count: usize, within: Duration) -> Vec<String> {
    let deadline = Instant::now() + within;
    loop {
        let subjects = email_subjects(dir).await;
        if subjects.len() >= count || Instant::now() > deadline {
            return subjects;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_message_arriving_while_another_is_taken_is_not_left_until_the_next_poll() {
    // SPEC E-1: the mailbox is read with IDLE, polled only every 30 s. A message that
    // arrives while the connector is busy taking another is announced with the answer to
    // one of its commands, not again when IDLE starts: it must still be taken at once.
    let dovecot = Dovecot::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mailboxes = dovecot.mailboxes_file("Support");
    let mut child = server(dir.path(), &mailboxes, Some("imap.after_fetch:pause"));
    tokio::time::sleep(Duration::from_secs(3)).await;
    dovecot
        .append(&message(
            "cu@example.com",
            "First",
            "busy-1@example.com",
            "",
            "One",
        ))
        .await;
    // The connector holds the first message for three seconds after fetching it.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let second = Instant::now();
    dovecot
        .append(&message(
            "cu@example.com",
            "Second",
            "busy-2@example.com",
            "",
            "Two",
        ))
        .await;
    let subjects = wait_for_emails(dir.path(), 2, Duration::from_secs(40)).await;
    let waited = second.elapsed();
    child.kill().ok();
    child.wait().ok();
    assert_eq!(subjects, ["First", "Second"]);
    assert!(
        waited < Duration::from_secs(15),
        "the second message waited {waited:?}, as if for the 30-s poll"
    );
}

/// One bad message never blocks a mailbox: a message that kills the server each time it is
/// read (three starts, three crashes) is set aside at the next start, listed for the
/// administrators with its sender and subject, and the message after it is taken.
#[tokio::test]
async fn a_message_that_crashes_the_server_three_times_is_set_aside() {
    let dovecot = Dovecot::start().await;
    dovecot
        .append(&message(
            "poison@example.com",
            "Poison",
            "poison-1@example.com",
            "",
            "Boom",
        ))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mailboxes = dovecot.mailboxes_file("Support");
    for _ in 0..3 {
        crashed(server(dir.path(), &mailboxes, Some("imap.after_fetch")));
    }
    assert!(email_subjects(dir.path()).await.is_empty());
    dovecot
        .append(&message(
            "cu@example.com",
            "After the poison",
            "after-poison@example.com",
            "",
            "Hello",
        ))
        .await;
    let mut child = server(dir.path(), &mailboxes, None);
    let subjects = wait_for_emails(dir.path(), 1, Duration::from_secs(30)).await;
    let flags: Vec<Vec<String>> = dovecot.messages().await.into_iter().map(|m| m.0).collect();
    child.kill().ok();
    child.wait().ok();
    assert_eq!(subjects, ["After the poison"]);
    let store = server::store::connect(&format!(
        "sqlite://{}",
        dir.path().join("crash.db").display()
    ))
    .await
    .unwrap();
    let aside = store.unreadable_emails(10).await.unwrap();
    assert_eq!(aside.len(), 1);
    assert_eq!(aside[0].uid, 1);
    assert_eq!(aside[0].subject, "Poison");
    assert_eq!(aside[0].from, "poison@example.com");
    assert_eq!(
        aside[0].reason,
        app::domain::set_aside::SetAsideReason::ServerStopped
    );
    assert!(
        flags[0]
            .iter()
            .any(|f| f.contains("$SwitchboardUnreadable")),
        "{flags:?}"
    );
}

/// How many messages carry a Switchboard keyword (taken, or set aside).
fn flagged(flags: &[(u32, Vec<String>)]) -> usize {
    flags
        .iter()
        .filter(|(_, f)| f.iter().any(|f| f.contains("$Switchboard")))
        .count()
}

/// Waits until `count` messages are flagged in the mailbox (or the time is up); answers how
/// many are. Watched in the mailbox: the database is not opened while the server migrates it.
async fn wait_flagged(dovecot: &Dovecot, count: usize, within: Duration) -> usize {
    let deadline = Instant::now() + within;
    loop {
        let now = flagged(&dovecot.flags().await);
        if now >= count || Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Messages 1 to `count` from one customer, each with its own subject and Message-ID.
fn numbered(count: usize, subject: impl Fn(usize) -> String) -> Vec<Vec<u8>> {
    (1..=count)
        .map(|n| {
            message(
                "cu@example.com",
                &subject(n),
                &format!("numbered-{n}@example.com"),
                "",
                "Hello",
            )
        })
        .collect()
}

/// Issue 13: the messages of a batch are stored together; killed after the commit and
/// before the flag, the server takes none of them again and flags them all at the next start.
#[tokio::test]
async fn a_batch_killed_before_its_flag_is_taken_once_and_flagged_after() {
    let dovecot = Dovecot::start().await;
    dovecot
        .append_all(&numbered(5, |n| format!("Batch {n}")))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mailboxes = dovecot.mailboxes_file("Support");
    crashed(server(dir.path(), &mailboxes, Some("imap.after_commit")));
    let expected: Vec<String> = (1..=5).map(|n| format!("Batch {n}")).collect();
    assert_eq!(
        email_subjects(dir.path()).await,
        expected,
        "the whole batch"
    );
    assert!(
        dovecot
            .messages()
            .await
            .iter()
            .all(|(flags, _)| !flags.iter().any(|f| f.contains("$Switchboard"))),
        "killed before the flag"
    );
    let mut child = server(dir.path(), &mailboxes, None);
    let flagged = wait_flagged(&dovecot, 5, Duration::from_secs(30)).await;
    // Give a duplicate the chance to appear before judging.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().ok();
    child.wait().ok();
    assert_eq!(flagged, 5, "flagged at the next start");
    assert_eq!(
        email_subjects(dir.path()).await,
        expected,
        "none taken twice"
    );
}

/// Issue 13: a backlog of 450 messages (three batches) with the server killed (SIGKILL, no
/// failpoint) as soon as the first batch is flagged: after a restart every message is
/// exactly one email and flagged, wherever the kill fell.
#[tokio::test]
async fn a_kill_in_the_middle_of_a_backlog_neither_loses_nor_repeats_an_email() {
    const COUNT: usize = 450;
    let dovecot = Dovecot::start().await;
    dovecot
        .append_all(&numbered(COUNT, |n| format!("Backlog {n:03}")))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mailboxes = dovecot.mailboxes_file("Support");
    let mut child = server(dir.path(), &mailboxes, None);
    // Watched in the mailbox (the database is not opened while the server migrates it):
    // the first batch flagged, the next one on its way.
    assert!(
        wait_flagged(&dovecot, 1, Duration::from_secs(60)).await >= 1,
        "no batch was taken"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = email_subjects(dir.path()).await.len();
    assert!(
        (1..COUNT).contains(&at_kill),
        "killed in the middle of the backlog: {at_kill} of {COUNT} stored"
    );

    let mut child = server(dir.path(), &mailboxes, None);
    let subjects = wait_for_emails(dir.path(), COUNT, Duration::from_secs(120)).await;
    // Give a duplicate the chance to appear before judging.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let flags: Vec<Vec<String>> = dovecot.messages().await.into_iter().map(|m| m.0).collect();
    child.kill().ok();
    child.wait().ok();
    let expected: Vec<String> = (1..=COUNT).map(|n| format!("Backlog {n:03}")).collect();
    assert_eq!(subjects, expected, "{at_kill} stored before the kill");
    assert_eq!(
        email_subjects(dir.path()).await.len(),
        COUNT,
        "no duplicate"
    );
    assert!(
        flags
            .iter()
            .all(|f| f.iter().any(|f| f.contains("$Switchboard"))),
        "each flagged"
    );
}

/// Issue 13: a batch whose connection is lost every time (as when one of its messages makes
/// the mail server drop it) keeps its tries, so after the reconnection its messages are read
/// one at a time: each is taken once, none set aside, and the mailbox does not stall.
#[tokio::test]
async fn a_batch_that_loses_the_connection_is_read_one_message_at_a_time() {
    let dovecot = Dovecot::start().await;
    dovecot
        .append_all(&numbered(3, |n| format!("Lost {n}")))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mailboxes = dovecot.mailboxes_file("Support");
    let mut child = server(dir.path(), &mailboxes, Some("imap.batch_after_fetch:lose"));
    wait_flagged(&dovecot, 3, Duration::from_secs(60)).await;
    let subjects = wait_for_emails(dir.path(), 3, Duration::from_secs(5)).await;
    let flags = dovecot.flags().await;
    child.kill().ok();
    child.wait().ok();
    assert_eq!(
        subjects,
        ["Lost 1", "Lost 2", "Lost 3"],
        "server log:\n{}",
        server_log(dir.path())
    );
    assert_eq!(flagged(&flags), 3, "{flags:?}");
    assert!(
        flags
            .iter()
            .all(|(_, f)| !f.iter().any(|f| f.contains("Unreadable"))),
        "none set aside: {flags:?}"
    );
}
