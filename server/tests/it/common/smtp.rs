//! A real SMTP server on loopback (Python's aiosmtpd, from Debian's python3-aiosmtpd) that
//! writes each message it accepts to a folder with its envelope: see
//! `end2end/mail/smtp_capture.py`. Stopped and started again to test the outbox.

use mail_parser::MessageParser;
use std::{path::PathBuf, process::Child, time::Duration};
use tempfile::TempDir;

pub struct SmtpServer {
    pub port: u16,
    dir: TempDir,
    child: Option<Child>,
    options: SmtpOptions,
}

/// How the test server protects itself.
#[derive(Clone, Default)]
pub struct SmtpOptions {
    /// STARTTLS required, with a certificate from a test CA (`ca.pem` in the folder).
    pub starttls: bool,
    /// TLS from the first byte (as on port 465), with the same test CA.
    pub tls: bool,
    /// AUTH required with this user and password.
    pub auth: Option<(&'static str, &'static str)>,
}

/// One captured message: the envelope and the bytes as received.
pub struct Captured {
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Captured {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        MessageParser::default()
            .parse(&self.raw)
            .expect("a parsable message")
    }
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/mail/smtp_capture.py")
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        Self::start_with(SmtpOptions::default()).await
    }

    pub async fn start_with(options: SmtpOptions) -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = SmtpServer {
            port,
            dir: tempfile::tempdir().unwrap(),
            child: None,
            options,
        };
        if server.options.starttls || server.options.tls {
            super::imap::make_certificates(server.dir.path());
        }
        server.resume().await;
        server
    }

    /// Starts the server again on the same port and folder.
    pub async fn resume(&mut self) {
        let mut command = std::process::Command::new("/usr/bin/python3");
        command
            .arg(script())
            .arg(self.port.to_string())
            .arg(self.dir.path().join("mail"));
        if self.options.starttls || self.options.tls {
            command
                .arg(if self.options.tls {
                    "--tls"
                } else {
                    "--starttls"
                })
                .arg(self.dir.path().join("server.pem"))
                .arg(self.dir.path().join("server.key"));
        }
        if let Some((user, password)) = self.options.auth {
            command.arg("--auth").arg(user).arg(password);
        }
        let child = command
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (apt install python3-aiosmtpd)");
        self.child = Some(child);
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the SMTP server did not listen");
    }

    /// Stops the server: connections are refused until [`Self::resume`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The `smtp` settings of a mailbox sending through this server.
    pub fn settings(&self) -> serde_json::Value {
        let mut settings =
            serde_json::json!({"host": "127.0.0.1", "port": self.port, "security": "none"});
        if self.options.starttls || self.options.tls {
            settings["security"] = if self.options.tls { "tls" } else { "starttls" }.into();
            settings["ca_file"] = self.dir.path().join("ca.pem").display().to_string().into();
        }
        if let Some((user, password)) = self.options.auth {
            settings["username"] = user.into();
            settings["password"] = password.into();
        }
        settings
    }

    pub fn messages(&self) -> Vec<Captured> {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("mail")) else {
            return Vec::new();
        };
        let mut names: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|path| {
                let envelope: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(path.with_extension("json")).unwrap(),
                )
                .unwrap();
                Captured {
                    envelope_from: envelope["from"].as_str().unwrap().to_string(),
                    envelope_to: envelope["to"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect(),
                    raw: std::fs::read(&path).unwrap(),
                }
            })
            .collect()
    }

    /// Waits until `n` messages arrived (the outbox sends in the background).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Captured> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{n} message(s) expected at the SMTP server, {} arrived",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
