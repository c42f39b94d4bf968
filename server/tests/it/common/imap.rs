//! A real IMAP server for the email tests: Dovecot (Debian's dovecot-imapd) on loopback with
//! a throwaway configuration, passwd file and maildir in a temporary folder. Messages are
//! put in with IMAP APPEND, as a mail server's delivery would.

use std::{path::PathBuf, process::Command, time::Duration};
use tempfile::TempDir;

pub const USER: &str = "support";
pub const PASSWORD: &str = "imap-secret-1";

pub struct Dovecot {
    /// Plain IMAP (with STARTTLS when started with TLS).
    pub port: u16,
    /// IMAP over TLS, when started with TLS.
    pub tls_port: Option<u16>,
    dir: TempDir,
}

/// How a test wants its Dovecot.
#[derive(Default)]
pub struct Options {
    /// Lines added to the configuration.
    pub extra: &'static str,
    /// A certificate from a test CA (`ca.pem` in the folder) for STARTTLS and IMAPS.
    pub tls: bool,
}

/// Makes a test CA and a certificate for 127.0.0.1 signed by it, with openssl.
pub fn make_certificates(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Switchboard Test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}

use super::free_port;

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Dovecot {
    pub async fn start() -> Dovecot {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Dovecot {
        let binary = "/usr/sbin/dovecot";
        assert!(
            std::path::Path::new(binary).exists(),
            "the email tests need Dovecot: apt-get install dovecot-imapd (the README's test command does it)"
        );
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        let port = free_port();
        let tls_port = options.tls.then(free_port);
        let ssl = match tls_port {
            Some(_) => {
                make_certificates(dir.path());
                format!("ssl = yes\nssl_cert = <{d}/server.pem\nssl_key = <{d}/server.key\n")
            }
            None => "ssl = no\n".to_string(),
        };
        // Dovecot runs mail processes as an unprivileged user: as root, its own "dovecot"
        // user; otherwise, whoever runs the tests.
        let (user, group) = if is_root() {
            ("dovecot".to_string(), "dovecot".to_string())
        } else {
            let id = |flag: &str| {
                String::from_utf8_lossy(&Command::new("id").arg(flag).output().unwrap().stdout)
                    .trim()
                    .to_string()
            };
            (id("-un"), id("-gn"))
        };
        std::fs::create_dir_all(dir.path().join("mail")).unwrap();
        std::fs::write(
            dir.path().join("passwd"),
            format!("{USER}:{{PLAIN}}{PASSWORD}\n"),
        )
        .unwrap();
        let config = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\n{ssl}disable_plaintext_auth = no\n\
             auth_mechanisms = plain login\nfirst_valid_uid = 100\n\
             mail_location = maildir:{d}/mail/%u\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={user} gid={group} home={d}/mail/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = {imaps}\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n{extra}\n",
            imaps = tls_port.unwrap_or(0),
            extra = options.extra,
        );
        if !is_root() {
            // Unprivileged Dovecot: its login and internal users are this user too.
            let extra = format!("default_login_user = {user}\ndefault_internal_user = {user}\n");
            std::fs::write(dir.path().join("dovecot.conf"), extra + &config).unwrap();
        } else {
            std::fs::write(dir.path().join("dovecot.conf"), &config).unwrap();
            Command::new("chmod")
                .arg("755")
                .arg(dir.path())
                .status()
                .unwrap();
            Command::new("chown")
                .arg("-R")
                .arg(format!("{user}:{group}"))
                .arg(dir.path().join("mail"))
                .status()
                .unwrap();
        }
        let status = Command::new(binary)
            .arg("-c")
            .arg(dir.path().join("dovecot.conf"))
            .status()
            .expect("dovecot starts");
        assert!(status.success(), "dovecot failed to start");
        let dovecot = Dovecot {
            port,
            tls_port,
            dir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return dovecot;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("dovecot did not listen: {}", dovecot.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// The mailboxes file the server reads (`SWITCHBOARD_MAILBOXES`), binding INBOX to `csq`.
    pub fn mailboxes_file(&self, csq: &str) -> PathBuf {
        self.mailboxes_file_with(csq, serde_json::json!({}))
    }

    /// The same, with some settings changed (`security`, `port`, `poll_secs`, `ca_file`).
    pub fn mailboxes_file_with(&self, csq: &str, changes: serde_json::Value) -> PathBuf {
        let mut mailbox = serde_json::json!({
            "name": "support-inbox",
            "csq": csq,
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "username": USER,
            "password": PASSWORD,
            "poll_secs": 30
        });
        for (key, value) in changes.as_object().unwrap() {
            mailbox[key] = value.clone();
        }
        let path = self
            .dir
            .path()
            .join(format!("mailboxes-{csq}-{}.json", free_port()));
        std::fs::write(&path, serde_json::json!([mailbox]).to_string()).unwrap();
        path
    }

    /// The test CA's certificate (with TLS).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    async fn session(&self) -> async_imap::Session<tokio::net::TcpStream> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .unwrap();
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.unwrap();
        let mut session = client.login(USER, PASSWORD).await.map_err(|e| e.0).unwrap();
        session.select("INBOX").await.unwrap();
        session
    }

    /// Delivers a message into INBOX with IMAP APPEND.
    pub async fn append(&self, raw: &[u8]) {
        let mut session = self.session().await;
        session.append("INBOX", None, None, raw).await.unwrap();
        session.logout().await.ok();
    }

    /// Delivers many messages into INBOX, one APPEND each on one connection.
    pub async fn append_all(&self, messages: &[Vec<u8>]) {
        let mut session = self.session().await;
        for raw in messages {
            session.append("INBOX", None, None, raw).await.unwrap();
        }
        session.logout().await.ok();
    }

    /// Every message in INBOX: its flags (as text) and raw bytes.
    pub async fn messages(&self) -> Vec<(Vec<String>, Vec<u8>)> {
        use futures_util::TryStreamExt;
        let mut session = self.session().await;
        let fetched: Vec<_> = session
            .fetch("1:*", "(FLAGS BODY.PEEK[])")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap_or_default();
        let out = fetched
            .iter()
            .map(|f| {
                (
                    f.flags().map(|flag| format!("{flag:?}")).collect(),
                    f.body().unwrap_or_default().to_vec(),
                )
            })
            .collect();
        session.logout().await.ok();
        out
    }
}

impl Dovecot {
    /// The files of INBOX's messages in the maildir, oldest first.
    pub fn message_files(&self) -> Vec<PathBuf> {
        let inbox = self.dir.path().join("mail").join(USER);
        let mut files: Vec<PathBuf> = ["cur", "new"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(inbox.join(sub)).ok())
            .flatten()
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        files.sort();
        files
    }

    /// Every message in INBOX by UID, with its flags as text (read without the bodies, so a
    /// message the server cannot read is listed too).
    pub async fn flags(&self) -> Vec<(u32, Vec<String>)> {
        use futures_util::TryStreamExt;
        let mut session = self.session().await;
        let fetched: Vec<_> = session
            .uid_fetch("1:*", "(UID FLAGS)")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        // A FETCH without a UID is an unsolicited flag update (the server under test setting
        // a flag meanwhile, on the same mailbox): every message also has its own answer.
        let mut out: Vec<_> = fetched
            .iter()
            .filter_map(|f| Some((f.uid?, f.flags().map(|flag| format!("{flag:?}")).collect())))
            .collect();
        out.sort();
        session.logout().await.ok();
        out
    }

    /// Moves a message out of INBOX and back, as a person would in a mail client: it
    /// comes back with a new UID, its flags kept.
    pub async fn move_out_and_back(&self, uid: u32) {
        let mut session = self.session().await;
        session.create("Aside").await.ok();
        session.uid_mv(uid.to_string(), "Aside").await.unwrap();
        session.select("Aside").await.unwrap();
        session.mv("1:*", "INBOX").await.unwrap();
        session.logout().await.ok();
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new("doveadm")
            .arg("-c")
            .arg(self.dir.path().join("dovecot.conf"))
            .arg("stop")
            .status();
    }
}

/// A fixture message from `tests/fixtures/mime`.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/mime/{name}.eml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A simple message; `headers` adds threading headers and such.
pub fn message(from: &str, subject: &str, message_id: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: support@switchboard.test\r\nSubject: {subject}\r\n\
         Message-ID: <{message_id}>\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n{headers}\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}
