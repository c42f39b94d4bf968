//! Routing requests between nodes through the database ([`Relay`] for [`Cluster`]): a
//! node that does not lead stores each command as a row; the leader hears of it (a notice
//! from the row's trigger), takes the rows in order under its epoch and writes the answers,
//! which the asking node hears of in turn. Notices only wake the other side: a missed one
//! costs at most [`POLL`] (each side also looks on its own).

use super::Cluster;
use crate::{
    clock::now_ms,
    routing::{
        relay::{Answer, Relay, Request},
        Routing,
    },
};
use async_trait::async_trait;
use std::{sync::Arc, time::Duration};
use tokio::sync::{watch, Notify};

/// How long a node waits for the leader's answer (the asker then takes the empty answer:
/// an accept not won, nothing waiting).
const ANSWER_WITHIN: Duration = Duration::from_secs(10);
/// How often each side looks without being woken.
const POLL: Duration = Duration::from_millis(500);
/// Requests taken at a time.
const TAKE: i64 = 500;

impl Cluster {
    /// The leader answered request `id`: its asker here looks.
    pub(super) fn answered(&self, id: i64) {
        if let Some(waiter) = super::lock(&self.answers).get(&id) {
            waiter.notify_one();
        }
    }

    /// Every asker here looks (notices may have been missed).
    pub(super) fn answered_all(&self) {
        for waiter in super::lock(&self.answers).values() {
            waiter.notify_one();
        }
    }
}

#[async_trait]
impl Relay for Cluster {
    fn lead(&self) -> watch::Receiver<Option<i64>> {
        self.lead.subscribe()
    }

    async fn submit(&self, request: &Request, wants_answer: bool) -> Result<i64, String> {
        let json = serde_json::to_string(request).map_err(|e| e.to_string())?;
        let id = self
            .coordination
            .submit_request(&json, wants_answer, now_ms())
            .await
            .map_err(|e| e.to_string())?;
        if wants_answer {
            // Registered before the answer can be looked for: one that comes first is
            // found by the first look.
            super::lock(&self.answers).insert(id, Arc::new(Notify::new()));
        }
        Ok(id)
    }

    async fn answer_to(&self, id: i64) -> Option<Answer> {
        let waiter = super::lock(&self.answers).get(&id).cloned()?;
        let deadline = tokio::time::Instant::now() + ANSWER_WITHIN;
        let answer = loop {
            match self.coordination.read_answer(id).await {
                Ok(Some(json)) => break serde_json::from_str(&json).ok(),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, id, "routing answer not read"),
            }
            if tokio::time::Instant::now() >= deadline {
                // Given up: a later leader must not carry it out (the asker heard "no").
                if let Err(e) = self.coordination.withdraw_request(id).await {
                    tracing::warn!(error = %e, id, "routing request not taken back");
                }
                break None;
            }
            let _ = tokio::time::timeout(POLL, waiter.notified()).await;
        };
        super::lock(&self.answers).remove(&id);
        answer
    }

    async fn take(&self, epoch: i64) -> Vec<(i64, Request, bool)> {
        loop {
            if *self.lead.borrow() != Some(epoch) {
                return Vec::new();
            }
            match self.coordination.take_requests(epoch, TAKE).await {
                Ok(taken) if !taken.is_empty() => {
                    return taken
                        .into_iter()
                        .filter_map(|t| match serde_json::from_str(&t.request) {
                            Ok(request) => Some((t.id, request, t.wants_answer)),
                            Err(e) => {
                                // From a node of another version: it times out and moves on.
                                tracing::error!(error = %e, id = t.id, "routing request unreadable");
                                None
                            }
                        })
                        .collect();
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "routing requests not taken"),
            }
            let _ = tokio::time::timeout(POLL, self.requests.notified()).await;
        }
    }

    async fn answer(&self, id: i64, answer: &Answer) {
        let written = match serde_json::to_string(answer) {
            Ok(json) => self
                .coordination
                .answer_request(id, &json)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = written {
            tracing::error!(error = %e, id, "routing answer not written");
        }
    }

    async fn restore(&self, routing: &Routing) {
        match self.restorer.get() {
            Some(restore) => restore(routing.clone()).await,
            None => tracing::error!("this node leads before its services are wired"),
        }
    }
}
