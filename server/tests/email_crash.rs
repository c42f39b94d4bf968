//! SPEC E-1 (no email lost or taken twice): the real server binary is killed (aborted at a
//! failpoint) between fetching a message and committing it, and between committing and
//! flagging it; after each restart every message is exactly one contact.

mod common;

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
        .stderr(Stdio::null());
    if let Some(point) = failpoint {
        command.env("SWITCHBOARD_FAILPOINT", point);
    }
    command.spawn().expect("the server binary starts")
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

    // Killed after fetching the first message, before storing it: nothing taken.
    crashed(server(dir.path(), &mailboxes, Some("imap.after_fetch")));
    assert!(email_subjects(dir.path()).await.is_empty());

    // Killed after storing the first message, before flagging it: one taken.
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
