//! A customer who leaves a message (issue 17): the server that takes it (a real Dovecot
//! mailbox for "Support", replies through a real SMTP server) and the form they fill in.

use super::{imap::Dovecot, smtp::SmtpServer, TestServer};
use serde_json::{json, Value};

/// Dovecot serving "Support", our server reading it and sending through `smtp`.
pub async fn support_server(smtp: &SmtpServer) -> (Dovecot, TestServer) {
    support_server_with(smtp, |_| {}).await
}

/// The same, with more of the server's settings.
pub async fn support_server_with(
    smtp: &SmtpServer,
    more: impl FnOnce(&mut server::config::Config),
) -> (Dovecot, TestServer) {
    let dovecot = Dovecot::start().await;
    let path = dovecot.mailboxes_file_with(
        "Support",
        json!({
            "address": "support@shop.test",
            "display_name": "Shop Support",
            "smtp": smtp.settings(),
        }),
    );
    let server = TestServer::start_with(|c| {
        c.mailboxes = Some(path);
        c.smtp_retry_max_secs = 1;
        more(c);
    })
    .await;
    (dovecot, server)
}

/// Zoé's pre-chat form for the queue of `problem`.
pub fn form(problem: i64) -> Value {
    json!({
        "name": "Zoé Martin",
        "email": "zoe@example.com",
        "phone": "+33 6 12 34 56 78",
        "problem": problem,
        "answers": [],
    })
}
