//! Every input bounded, email intake: a hostile or broken message becomes an email or is set
//! aside, and never holds up the messages after it. A real Dovecot on loopback, the real
//! server reading its mailbox, agents on real WebSockets.

use crate::common;

use app::domain::{agent::Role, set_aside::SetAsideReason};
use common::{
    desk::{next_email, ready},
    imap::{message, Dovecot},
    *,
};

async fn email_server(dovecot: &Dovecot, csq: &str) -> TestServer {
    let path = dovecot.mailboxes_file(csq);
    TestServer::start_with(|c| c.mailboxes = Some(path)).await
}

/// A multipart/mixed message of `count` parts: short texts and small files in turn.
fn many_parts(count: usize) -> Vec<u8> {
    let mut raw = String::from(
        "From: many@example.org\r\nTo: support@switchboard.test\r\nSubject: A thousand parts\r\n\
         Message-ID: <many-1@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n",
    );
    for i in 1..=count {
        if i % 2 == 1 {
            raw += &format!("--b\r\nContent-Type: text/plain\r\n\r\nline {i}\r\n");
        } else {
            raw += &format!(
                "--b\r\nContent-Type: application/octet-stream\r\n\
                 Content-Disposition: attachment; filename=\"f{i}.bin\"\r\n\r\nfile {i}\r\n"
            );
        }
    }
    raw += "--b--\r\n";
    raw.into_bytes()
}

/// Broken every way a sender can break a message: an encoded word that is not, an unknown
/// charset, base64 that is not, a boundary never closed, bytes that are not UTF-8.
fn malformed() -> Vec<u8> {
    let mut raw = b"From: =?utf-8?B?!!not-base64!!?= <broken@example.org>\r\n\
        To: support@switchboard.test\r\nSubject: Broken on purpose\r\n\
        MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"never-closed\"\r\n\r\n\
        --never-closed\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\
        Content-Transfer-Encoding: base64\r\n\r\n%%% not base64 at all %%%\r\n\
        --never-closed\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf"
        .to_vec();
    raw.extend_from_slice(&[0xe9, 0xff, 0xfe]);
    raw.extend_from_slice(b" au lait\r\n--never-closed\r\nContent-Type: image/png\r\n");
    raw
}

/// Every input bounded (MIME parts, E-3): a malformed message and one of 1,000 parts each
/// become one email, the latter read to its 500th part with the rest listed as not read,
/// and the message after them arrives as usual.
#[tokio::test]
async fn malformed_and_thousand_part_messages_do_not_hold_up_the_mailbox() {
    let dovecot = Dovecot::start().await;
    dovecot.append(&malformed()).await;
    dovecot.append(&many_parts(1000)).await;
    dovecot
        .append(&message(
            "after@example.org",
            "After them",
            "after-1@example.org",
            "",
            "Still here.",
        ))
        .await;
    let server = email_server(&dovecot, "Support").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let (_, mut desk) = ready(&server, "ann").await;

    let mut emails = Vec::new();
    for _ in 0..3 {
        emails.push(next_email(&mut desk).await.email.expect("an email"));
    }
    // Taken in one batch, the three reach the agent together, in no particular order.
    emails.sort_by(|a, b| a.subject.cmp(&b.subject));
    let subjects: Vec<_> = emails.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(
        subjects,
        ["A thousand parts", "After them", "Broken on purpose"]
    );
    let broken = &emails[2];
    assert_eq!(broken.from.address, "broken@example.org");
    let many = &emails[0];
    assert_eq!(
        many.attachments.len(),
        249,
        "the files among the first 500 parts"
    );
    let unread = many.skipped.last().expect("the parts not read are listed");
    assert_eq!(unread.name, "501 more parts");
    assert!(unread.reason.contains("500"), "{}", unread.reason);

    let flags = dovecot.flags().await;
    assert_eq!(flags.len(), 3);
    for (uid, flags) in flags {
        assert!(
            flags.iter().any(|f| f.contains("$Switchboard")),
            "message {uid} flagged as taken: {flags:?}"
        );
    }
}

/// A message the mail server cannot give (its file unreadable) fails three times and is set
/// aside: the next message is taken, the administrators see it listed with why, it is
/// flagged in the mailbox and not as taken; once readable and moved out of the folder and
/// back, it becomes an email.
#[tokio::test]
async fn a_message_that_cannot_be_read_is_set_aside_after_three_tries() {
    use std::os::unix::fs::PermissionsExt;
    let dovecot = Dovecot::start().await;
    dovecot
        .append(&message(
            "stuck@example.org",
            "Stuck",
            "stuck-1@example.org",
            "",
            "Can you read me?",
        ))
        .await;
    let file = dovecot.message_files().pop().expect("the message's file");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    dovecot
        .append(&message(
            "next@example.org",
            "Next in line",
            "next-1@example.org",
            "",
            "Me too.",
        ))
        .await;
    let server = email_server(&dovecot, "Support").await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server.queue("Support", &[ann]).await;
    let (_, mut desk) = ready(&server, "ann").await;

    let next = next_email(&mut desk).await.email.unwrap();
    assert_eq!(next.subject, "Next in line");

    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let admin = server.session("root", "admin-pass-1").await;
    let view = server.admin_view(&admin).await;
    assert_eq!(
        view.unreadable_emails.len(),
        1,
        "{:?}",
        view.unreadable_emails
    );
    let stuck = &view.unreadable_emails[0];
    assert_eq!((stuck.mailbox.as_str(), stuck.uid), ("support-inbox", 1));
    // Dovecot cannot open the file: it answers NO, or drops the connection.
    assert!(
        matches!(
            stuck.reason,
            SetAsideReason::Refused { .. } | SetAsideReason::ConnectionLost
        ),
        "{:?}",
        stuck.reason
    );

    let flags = dovecot.flags().await;
    assert!(
        flags[0]
            .1
            .iter()
            .any(|f| f.contains("$SwitchboardUnreadable")),
        "{flags:?}"
    );
    assert!(
        !flags[0].1.iter().any(|f| f == "Custom(\"$Switchboard\")"),
        "not flagged as taken: {flags:?}"
    );

    // Flagging renamed the file (maildir keeps keywords in the name). Found by its mode, not
    // its place in a listing: maildir names carry unpadded microseconds, so the order of
    // two names says nothing about the order of the messages.
    let file = dovecot
        .message_files()
        .into_iter()
        .find(|f| std::fs::metadata(f).unwrap().permissions().mode() & 0o777 == 0)
        .expect("the unreadable message's file");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    dovecot.move_out_and_back(1).await;
    let stuck = next_email(&mut desk).await.email.unwrap();
    assert_eq!(stuck.subject, "Stuck");
}
