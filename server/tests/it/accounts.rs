//! Accounts (SPEC D-2): the first administrator made with the server binary's command, a
//! one-time password that must be replaced at the first login, a user changing their own
//! password under the shared rules, and every session ended with the old password.

use crate::common;

use app::domain::protocol::ServerMessage;
use app::{
    api::ApiError,
    domain::validate::{Field, FieldError, Problem},
};
use common::{send_json, wait_for, TestServer, Ws};
use futures_util::StreamExt;
use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};
use tokio_tungstenite::tungstenite::Message;

/// `server admin ...` on the database in `dir`, with `stdin` typed in; (success, stdout,
/// stderr). The command runs off the test's runtime, which is also the server's: a server
/// frozen mid-write while the command waits for the database would hold its lock.
async fn admin(dir: &Path, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let stdin = stdin.map(str::to_string);
    tokio::task::spawn_blocking(move || admin_blocking(&dir, &args, stdin.as_deref()))
        .await
        .expect("the command's thread")
}

fn admin_blocking(dir: &Path, args: &[String], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("admin")
        .args(args)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("server.db").display()),
        )
        .env("SWITCHBOARD_DATA_DIR", dir)
        .env("SWITCHBOARD_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A desktop page, connected and synced.
async fn open_page(server: &TestServer, cookie: &str) -> Ws {
    let mut page = server.ws(cookie).await;
    send_json(
        &mut page,
        serde_json::json!({"type": "hello", "resume_after": null}),
    )
    .await;
    wait_for(&mut page, |m| matches!(m, ServerMessage::Synced { .. })).await;
    page
}

/// The close code the server ends the page with, within `within`.
async fn closed_within(page: &mut Ws, within: Duration) -> u16 {
    tokio::time::timeout(within, async {
        while let Some(frame) = page.next().await {
            match frame {
                Ok(Message::Close(frame)) => return frame.map_or(0, |f| u16::from(f.code)),
                Ok(_) => continue,
                Err(e) => panic!("the socket failed: {e}"),
            }
        }
        panic!("the socket ended without a close frame")
    })
    .await
    .expect("the page is closed in time")
}

/// The one-time password a command printed.
fn one_time_password(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("One-time password: "))
        .unwrap_or_else(|| panic!("no one-time password in {stdout:?}"))
        .trim()
        .to_string()
}

fn cookie_of(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

async fn change_password(
    server: &TestServer,
    cookie: &str,
    current: &str,
    new: &str,
    confirm: &str,
) -> reqwest::Response {
    server
        .post_form(
            "/api/password",
            cookie,
            &[("current", current), ("new", new), ("confirm", confirm)],
        )
        .await
}

/// The field errors of a refused change.
async fn refused_fields(response: reqwest::Response) -> Vec<FieldError> {
    assert_eq!(response.status(), 422);
    match response.json::<ApiError>().await.unwrap() {
        ApiError::Invalid(errors) => errors,
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// SPEC D-2: on an empty database without demo data, the server's log says how to create
/// the first administrator; nobody can log in until one exists.
#[tokio::test]
async fn an_empty_database_says_how_to_create_the_first_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("SWITCHBOARD_ADDR", "127.0.0.1:0")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("server.db").display()),
        )
        .env("SWITCHBOARD_DATA_DIR", dir.path())
        .env("SWITCHBOARD_LOG", "warn")
        .env_remove("SWITCHBOARD_DEMO")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server binary starts");
    // The log goes to standard output; the reader ends when the server is killed.
    let log = child.stdout.take().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let hint = BufReader::new(log)
            .lines()
            .map_while(Result::ok)
            .find(|line| line.contains("server admin create"));
        let _ = tx.send(hint);
    });
    let hint = tokio::time::timeout(Duration::from_secs(60), rx).await;
    let _ = child.kill();
    let _ = child.wait();
    let hint = hint.expect("the hint comes at start-up").unwrap();
    let hint = hint.expect("the log names the command");
    assert!(hint.contains("no user exists yet"), "{hint}");
    assert!(hint.contains("--username"), "{hint}");
}

/// SPEC D-2: `server admin create` prints a one-time password; it logs in once, to a page
/// that can only change it; the chosen password then opens the desktop and the one-time
/// password no longer works.
#[tokio::test]
async fn the_first_administrator_comes_from_the_command_line_and_chooses_a_password() {
    let server = TestServer::start().await;
    let dir = server.data_dir().to_path_buf();
    let (ok, stdout, stderr) = admin(
        &dir,
        &["create", "--username", "ada", "--name", "Ada Lovelace"],
        None,
    )
    .await;
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("Administrator \"ada\" created."),
        "{stdout}"
    );
    let once = one_time_password(&stdout);
    assert_eq!(once.chars().count(), 16);

    let (ok, _, stderr) = admin(
        &dir,
        &["create", "--username", "ADA", "--name", "Ada"],
        None,
    )
    .await;
    assert!(!ok, "usernames are unique ignoring case");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(stderr.contains("reset-password"), "{stderr}");
    let (ok, _, stderr) = admin(&dir, &["create", "--username", "a b", "--name", "A"], None).await;
    assert!(!ok);
    assert!(
        stderr.contains("Username: use letters a-z, digits and . _ - @ only"),
        "{stderr}"
    );

    let login = server.login("ada", &once).await;
    assert_eq!(login.status(), 200);
    assert_eq!(
        login.headers()["location"],
        "/password",
        "the page goes to the password form"
    );
    let forced = cookie_of(&login);
    let socket = tokio_tungstenite::connect_async({
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{}/ws", server.addr)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("cookie", forced.parse().unwrap());
        request
    })
    .await;
    assert!(
        socket.is_err(),
        "no desktop socket before a password is chosen"
    );
    let desktop = server.post("/api/desktop", &forced).await;
    assert_eq!(desktop.status(), 403);
    assert_eq!(
        desktop.json::<ApiError>().await.unwrap(),
        ApiError::PasswordChangeRequired
    );
    assert_eq!(server.post("/api/admin", &forced).await.status(), 403);
    let account = server.post("/api/account", &forced).await;
    assert_eq!(
        account.status(),
        200,
        "the password page knows who it is for"
    );
    let account: serde_json::Value = account.json().await.unwrap();
    assert_eq!(account["must_change_password"], true);
    assert_eq!(account["role"], "admin");

    let chosen = "tea at the brass lantern";
    let changed = change_password(&server, &forced, &once, chosen, chosen).await;
    assert_eq!(changed.status(), 200);
    // The session the password was chosen in goes on, now with the desktop open to it.
    let desktop = server.post("/api/desktop", &forced).await;
    assert_eq!(desktop.status(), 200);
    let view: serde_json::Value = desktop.json().await.unwrap();
    assert_eq!(view["agent"]["display_name"], "Ada Lovelace");
    assert_eq!(view["status"]["state"], "not_ready", "logged in now");
    assert_eq!(server.post("/api/admin", &forced).await.status(), 200);
    assert_eq!(server.login("ada", &once).await.status(), 401);
    let again = server.login("ada", chosen).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["location"], "/");
}

/// SPEC D-2: `server admin reset-password` ends every session at once and gives a new
/// one-time password; with --password-stdin it sets the typed one, under the same rules.
#[tokio::test]
async fn a_password_reset_from_the_command_line_ends_sessions() {
    let server = TestServer::start().await;
    server.create_agent("bea", "first password here").await;
    let cookie = server.session("bea", "first password here").await;
    let mut page = open_page(&server, &cookie).await;
    let dir = server.data_dir().to_path_buf();

    let (ok, stdout, stderr) = admin(&dir, &["reset-password", "BEA"], None).await;
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("every session of theirs has ended"),
        "{stdout}"
    );
    let once = one_time_password(&stdout);
    assert_eq!(server.post("/api/desktop", &cookie).await.status(), 401);
    // Another process changed the database: the open page learns it at its next check
    // (every 20 s).
    assert_eq!(
        closed_within(&mut page, Duration::from_secs(30)).await,
        4401,
        "session ended: the page goes to the login page"
    );
    assert_eq!(
        server.login("bea", "first password here").await.status(),
        401
    );
    let login = server.login("bea", &once).await;
    assert_eq!(login.headers()["location"], "/password");

    let (ok, _, stderr) = admin(
        &dir,
        &["reset-password", "bea", "--password-stdin"],
        Some("short\n"),
    )
    .await;
    assert!(!ok);
    assert!(
        stderr.contains("Password: at least 12 characters (5 given)"),
        "{stderr}"
    );
    let (ok, _, stderr) = admin(
        &dir,
        &["reset-password", "bea", "--password-stdin"],
        Some("password1234\n"),
    )
    .await;
    assert!(!ok);
    assert!(stderr.contains("most common passwords"), "{stderr}");
    let (ok, stdout, stderr) = admin(
        &dir,
        &["reset-password", "bea", "--password-stdin"],
        Some("a typed passphrase\n"),
    )
    .await;
    assert!(ok, "{stderr}");
    assert!(!stdout.contains("One-time"), "{stdout}");
    let login = server.login("bea", "a typed passphrase").await;
    assert_eq!(
        login.headers()["location"],
        "/",
        "a password typed by the operator needs no change"
    );
    let (ok, _, stderr) = admin(&dir, &["reset-password", "nobody"], None).await;
    assert!(!ok);
    assert!(stderr.contains("no user is named \"nobody\""), "{stderr}");
}

/// SPEC D-2: a user changes their own password only with the current one, and each rule
/// refuses with its own words; the change ends their other pages at once.
#[tokio::test]
async fn a_user_changes_their_password_under_the_rules() {
    let server = TestServer::start().await;
    server.create_agent("carl", "an old phrase of mine").await;
    let page_cookie = server.session("carl", "an old phrase of mine").await;
    let mut page = open_page(&server, &page_cookie).await;
    let cookie = server.session("carl", "an old phrase of mine").await;

    let wrong = change_password(
        &server,
        &cookie,
        "not it at all",
        "a fine new one",
        "a fine new one",
    )
    .await;
    assert_eq!(
        refused_fields(wrong).await,
        [FieldError::new(
            Field::CurrentPassword,
            Problem::WrongPassword
        )]
    );
    let current = "an old phrase of mine";
    let cases = [
        ("too short", Problem::TooFewChars { min: 12, given: 9 }),
        ("I am CARL, hello there", Problem::ContainsUsername),
        ("password1234", Problem::CommonPassword),
        (current, Problem::Unchanged),
    ];
    for (new, problem) in cases {
        let refused = change_password(&server, &cookie, current, new, new).await;
        assert_eq!(
            refused_fields(refused).await,
            [FieldError::new(Field::NewPassword, problem)],
            "{new}"
        );
    }
    let mismatch = change_password(
        &server,
        &cookie,
        current,
        "a fine new one",
        "a fine new won",
    )
    .await;
    assert_eq!(
        refused_fields(mismatch).await,
        [FieldError::new(
            Field::PasswordConfirm,
            Problem::NotMatching
        )]
    );
    assert_eq!(
        server.post("/api/desktop", &cookie).await.status(),
        200,
        "refusals change nothing"
    );

    // A desktop sharing the changing page's cookie (another tab of the same browser).
    let mut same_browser = open_page(&server, &cookie).await;
    let changed = change_password(
        &server,
        &cookie,
        current,
        "a fine new one",
        "a fine new one",
    )
    .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(
        closed_within(&mut page, Duration::from_secs(5)).await,
        4401,
        "the other page ends at once, not at its next ping (20 s)"
    );
    assert_eq!(
        server.post("/api/desktop", &page_cookie).await.status(),
        401
    );
    // The tab sharing the changing session keeps its desktop (and the chats in it).
    assert_eq!(server.post("/api/desktop", &cookie).await.status(), 200);
    send_json(
        &mut same_browser,
        serde_json::json!({"type": "hello", "resume_after": null}),
    )
    .await;
    wait_for(&mut same_browser, |m| {
        matches!(m, ServerMessage::Synced { .. })
    })
    .await;
    let audit = server.services.store.admin_audit(10).await.unwrap();
    assert_eq!(
        (audit[0].action.as_str(), audit[0].detail.as_str()),
        ("user.password_change", "carl changed their own password")
    );
}
