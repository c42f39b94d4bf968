//! The mailboxes in force (SPEC E-1, R-7, D-2): each one's settings for replies and the
//! outbox, its connector (started, restarted or stopped when an administrator saves it, no
//! restart of the server needed), and what that connector last reported, for the page.

use super::config::MailboxConfig;
use app::domain::mailboxes::ConnectorStatus;
use std::{
    collections::HashMap,
    sync::{Mutex, RwLock},
};
use tokio::sync::watch;

#[derive(Default)]
pub struct Mailboxes {
    /// By name: what replies and the outbox read.
    configs: RwLock<HashMap<String, MailboxConfig>>,
    /// The running connectors by name, each with the switch that stops it.
    running: Mutex<HashMap<String, watch::Sender<bool>>>,
    /// What each connector last reported, by name.
    status: Mutex<HashMap<String, ConnectorStatus>>,
    /// The outbox workers started, by mailbox name (one each, started once).
    outboxes: Mutex<std::collections::HashSet<String>>,
    /// With several nodes, where this node's reports of the mailboxes it reads go, for
    /// every node's page (see [`Mailboxes::share_reports`]).
    shared: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<(String, ConnectorStatus)>>,
    /// With several nodes, the mailboxes whose claim this node holds: it reads them, and
    /// only its reports of them are shared.
    reading: Mutex<std::collections::HashSet<String>>,
}

impl Mailboxes {
    /// The mailbox's settings now, if it exists.
    pub fn get(&self, name: &str) -> Option<MailboxConfig> {
        self.configs.read().expect("mailboxes").get(name).cloned()
    }

    pub fn names(&self) -> Vec<String> {
        self.configs
            .read()
            .expect("mailboxes")
            .keys()
            .cloned()
            .collect()
    }

    /// Keeps `config` as the mailbox's settings; returns the switch of a connector to
    /// start when `read` (the one running before is stopped either way).
    pub fn put(&self, config: MailboxConfig, read: bool) -> Option<watch::Receiver<bool>> {
        let name = config.name.clone();
        self.configs
            .write()
            .expect("mailboxes")
            .insert(name.clone(), config);
        let mut running = self.running.lock().expect("connectors");
        if let Some(old) = running.remove(&name) {
            old.send_replace(true);
        }
        if read {
            self.set_status(&name, ConnectorStatus::Connecting);
            let (stop, stopped) = watch::channel(false);
            running.insert(name, stop);
            Some(stopped)
        } else {
            self.set_status(&name, ConnectorStatus::Disabled);
            None
        }
    }

    /// Whether `config` is the mailbox's settings now, its connector running when `read`.
    pub fn in_force(&self, config: &MailboxConfig, read: bool) -> bool {
        let same = self.configs.read().expect("mailboxes").get(&config.name) == Some(config);
        let running = self
            .running
            .lock()
            .expect("connectors")
            .contains_key(&config.name);
        same && running == read
    }

    /// Stops every connector (the server is stopping).
    pub fn stop_all(&self) {
        for (_, stop) in self.running.lock().expect("connectors").drain() {
            stop.send_replace(true);
        }
    }

    pub fn set_status(&self, name: &str, status: ConnectorStatus) {
        let before = self
            .status
            .lock()
            .expect("status")
            .insert(name.to_string(), status.clone());
        let changed = before.as_ref() != Some(&status);
        // Another node's mailbox is that node's to report.
        if changed && self.reading.lock().expect("reading").contains(name) {
            self.share(name, status);
        }
    }

    /// This node holds (or no longer holds) mailbox `name`'s claim: it reads it, and its
    /// reports are the ones every node shows.
    pub fn reading_here(&self, name: &str, reading: bool) {
        let mut held = self.reading.lock().expect("reading");
        if reading {
            held.insert(name.to_string());
            drop(held);
            if let Some(status) = self.status(name) {
                self.share(name, status);
            }
        } else {
            held.remove(name);
        }
    }

    fn share(&self, name: &str, status: ConnectorStatus) {
        // What it said while another node read the mailbox is no report of its own.
        if status == ConnectorStatus::ReadElsewhere {
            return;
        }
        if let Some(shared) = self.shared.get() {
            let _ = shared.send((name.to_string(), status));
        }
    }

    /// From now on, each report of a mailbox this node reads goes to `reports` too.
    pub fn share_reports(
        &self,
        reports: tokio::sync::mpsc::UnboundedSender<(String, ConnectorStatus)>,
    ) {
        let _ = self.shared.set(reports);
    }

    /// What mailbox `name`'s connector last reported, if it was ever started.
    pub fn status(&self, name: &str) -> Option<ConnectorStatus> {
        self.status.lock().expect("status").get(name).cloned()
    }

    /// Whether an outbox worker must be started for `name` (true once per name).
    pub fn claim_outbox(&self, name: &str) -> bool {
        self.outboxes
            .lock()
            .expect("outboxes")
            .insert(name.to_string())
    }
}
