//! An S3-compatible bucket for the stored-files tests (issue 14): moto's server, which
//! speaks S3's wire protocol (signed requests, XML answers, error codes), on loopback. S3
//! is a service on the internet, so this is the one place the tests use a stand-in; the
//! server reaches it exactly as it would reach AWS or any S3-compatible store.

use super::free_port;
use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

pub struct Moto {
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `SWITCHBOARD_TEST_MOTO` (the README's test command installs moto and sets it), else
/// `moto_server` on the PATH.
fn binary() -> String {
    std::env::var("SWITCHBOARD_TEST_MOTO")
        .ok()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| "moto_server".into())
}

impl Moto {
    /// A fresh S3 service with one empty bucket, `bucket`.
    pub async fn start(bucket: &str) -> Moto {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "the stored-files tests need moto's S3 server ({}: {e}); the README's test \
                     command installs it",
                    binary()
                )
            });
        let moto = Moto {
            port,
            child,
            _dir: dir,
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let created = loop {
            // Bucket creation needs no signature in moto: the tests' own setup step.
            if let Ok(r) = reqwest::Client::new()
                .put(format!("{}/{bucket}", moto.endpoint()))
                .send()
                .await
            {
                break r;
            }
            assert!(std::time::Instant::now() < deadline, "moto did not listen");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(
            created.status().is_success(),
            "bucket not created: {created:?}"
        );
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `AWS_*` variables a server reads to reach this service.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ACCESS_KEY_ID", "switchboard-test".to_string()),
            (
                "AWS_SECRET_ACCESS_KEY",
                "switchboard-test-secret".to_string(),
            ),
            ("AWS_REGION", "us-east-1".to_string()),
            ("AWS_ENDPOINT", self.endpoint()),
            ("AWS_ALLOW_HTTP", "true".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// The keys in the bucket, read over S3's own listing (unsigned, as moto allows).
    pub async fn keys(&self, bucket: &str) -> Vec<String> {
        let body = reqwest::get(format!("{}/{bucket}?list-type=2", self.endpoint()))
            .await
            .expect("listing")
            .text()
            .await
            .unwrap();
        body.split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_string()))
            .collect()
    }
}
