//! `server admin create` and `server admin reset-password` (SPEC D-2): how the first
//! administrator comes to exist, and how an administrator who lost their password gets back
//! in, from the server's own machine. A password is printed once, never logged, and must be
//! replaced at the next login, unless the operator typed it in (`--password-stdin`).

use crate::{
    auth,
    clock::now_ms,
    config::AdminCommand,
    store::{AuditEntry, NewAgent, Store, StoreError},
};
use app::domain::{
    account::{validate_name, validate_new_password, validate_username},
    agent::Role,
    limits::{DEFAULT_MAX_CHATS, DEFAULT_MAX_EMAILS},
    validate::{Field, FieldError},
};

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Invalid(FieldError),
    #[error("a user named {0:?} already exists: to give them a new password, run `server admin reset-password {0}`")]
    Exists(String),
    #[error("no user is named {0:?}")]
    NoSuchUser(String),
    #[error("no password was read from standard input")]
    NoPassword,
    #[error("cannot read standard input: {0}")]
    Stdin(#[from] std::io::Error),
    #[error("the database: {0}")]
    Store(#[from] StoreError),
}

/// Runs the command on the store; returns what to print for the operator. `read_password`
/// gives the line typed on standard input, asked for only with `--password-stdin`.
pub async fn run(
    store: &dyn Store,
    command: AdminCommand,
    read_password: impl FnOnce() -> std::io::Result<String>,
) -> Result<String, CliError> {
    match command {
        AdminCommand::Create {
            username,
            name,
            password_stdin,
        } => {
            let username = username.trim().to_string();
            let name = name.trim().to_string();
            validate_username(&username).map_err(CliError::Invalid)?;
            validate_name(Field::DisplayName, &name).map_err(CliError::Invalid)?;
            if store.credentials(&username).await?.is_some() {
                return Err(CliError::Exists(username));
            }
            let chosen = chosen_password(password_stdin, &username, read_password)?;
            let password = chosen.clone().unwrap_or_else(auth::one_time_password);
            let id = store
                .create_agent(&NewAgent {
                    username: username.clone(),
                    display_name: name.clone(),
                    alias: name,
                    role: Role::Admin,
                    password_hash: hash(password.clone()).await,
                    max_chats: DEFAULT_MAX_CHATS,
                    max_emails: DEFAULT_MAX_EMAILS,
                    must_change_password: chosen.is_none(),
                })
                .await
                .map_err(|e| match e {
                    StoreError::Conflict => CliError::Exists(username.clone()),
                    e => e.into(),
                })?;
            store
                .record_audit(&AuditEntry {
                    at_ms: now_ms(),
                    agent: id,
                    action: "user.create".into(),
                    detail: format!("administrator {username} created from the command line"),
                })
                .await?;
            tracing::info!(agent = %id, "administrator created from the command line");
            Ok(match chosen {
                Some(_) => format!("Administrator {username:?} created with the password given."),
                None => one_time_text(&format!("Administrator {username:?} created."), &password),
            })
        }
        AdminCommand::ResetPassword {
            username,
            password_stdin,
        } => {
            let username = username.trim().to_string();
            let credentials = store
                .credentials(&username)
                .await?
                .ok_or_else(|| CliError::NoSuchUser(username.clone()))?;
            let user = store.agent(credentials.agent).await?;
            let chosen = chosen_password(password_stdin, &user.username, read_password)?;
            let password = chosen.clone().unwrap_or_else(auth::one_time_password);
            let audit = AuditEntry {
                at_ms: now_ms(),
                agent: user.id,
                action: "user.password_reset".into(),
                detail: format!("password of {} reset from the command line", user.username),
            };
            store
                .set_password(
                    user.id,
                    &hash(password.clone()).await,
                    chosen.is_none(),
                    None,
                    &audit,
                )
                .await?;
            tracing::info!(agent = %user.id, "password reset from the command line");
            let mut text = match chosen {
                Some(_) => format!(
                    "Password of {:?} set; every session of theirs has ended.",
                    user.username
                ),
                None => one_time_text(
                    &format!(
                        "Password of {:?} reset; every session of theirs has ended.",
                        user.username
                    ),
                    &password,
                ),
            };
            if user.disabled {
                text.push_str("\nThis account is disabled: an administrator must enable it.");
            }
            Ok(text)
        }
    }
}

/// The password typed on standard input, checked by the same rules as the page's.
fn chosen_password(
    from_stdin: bool,
    username: &str,
    read_password: impl FnOnce() -> std::io::Result<String>,
) -> Result<Option<String>, CliError> {
    if !from_stdin {
        return Ok(None);
    }
    let line = read_password()?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(CliError::NoPassword);
    }
    validate_new_password(
        Field::Password,
        username,
        &password,
        auth::is_common_password,
    )
    .map_err(CliError::Invalid)?;
    Ok(Some(password))
}

async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .expect("hashing a password does not panic")
}

fn one_time_text(done: &str, password: &str) -> String {
    format!(
        "{done}\nOne-time password: {password}\nIt works once: at the next login Switchboard \
         asks for a password of the user's own."
    )
}
