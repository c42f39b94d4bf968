//! One statement for many callers (issue 13): requests go to a task of their own, which
//! takes every request waiting (up to its batch size) and serves them together, then
//! answers each. No timer holds a request back: a batch is what arrived while the previous
//! one was being served, so a lone request goes at once and a busy server serves many per
//! round trip. Transcript lines ([`super::lines`]) and the chat reads every message makes
//! go through one each.

use super::{StoreError, StoreResult};
use std::future::Future;
use tokio::sync::{mpsc, oneshot};

type Waiting<Req, Resp> = (Req, oneshot::Sender<StoreResult<Resp>>);

/// The handle callers use; the task ends with the last handle.
pub struct Batcher<Req, Resp> {
    tx: mpsc::Sender<Waiting<Req, Resp>>,
}

impl<Req: Send + 'static, Resp: Send + 'static> Batcher<Req, Resp> {
    /// Starts the task. `serve` answers a batch, one result per request in the batch's
    /// order (one failing request must not fail the others). At most `queue` requests
    /// wait; callers beyond wait their turn.
    pub fn spawn<W, F>(max_batch: usize, queue: usize, serve: W) -> Self
    where
        W: Fn(Vec<Req>) -> F + Send + 'static,
        F: Future<Output = Vec<StoreResult<Resp>>> + Send,
    {
        let (tx, mut rx) = mpsc::channel::<Waiting<Req, Resp>>(queue);
        tokio::spawn(async move {
            let mut waiting = Vec::with_capacity(max_batch);
            while rx.recv_many(&mut waiting, max_batch).await > 0 {
                let (batch, replies): (Vec<_>, Vec<_>) = waiting.drain(..).unzip();
                let results = serve(batch).await;
                for (reply, result) in replies.into_iter().zip(results) {
                    // A caller that stopped waiting (its connection ended) asks again.
                    let _ = reply.send(result);
                }
            }
        });
        Batcher { tx }
    }

    /// Serves the request with the others waiting; answers once its batch is done.
    pub async fn call(&self, request: Req) -> StoreResult<Resp> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((request, reply))
            .await
            .map_err(|_| StoreError::Stopped)?;
        answer.await.map_err(|_| StoreError::Stopped)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Requests made while a batch is being served are served together in the next one,
    /// each with its own answer.
    #[tokio::test]
    async fn requests_waiting_are_served_in_one_batch_each_with_its_answer() {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let (release, held) = tokio::sync::watch::channel(false);
        let batcher = Arc::new(Batcher::spawn(64, 64, move |batch: Vec<u32>| {
            seen.lock().unwrap().push(batch.len());
            let mut held = held.clone();
            async move {
                // The first batch waits until every other request is queued.
                let _ = held.wait_for(|go| *go).await;
                batch.into_iter().map(|n| Ok(n * 2)).collect()
            }
        }));
        let first = tokio::spawn({
            let b = batcher.clone();
            async move { b.call(1).await }
        });
        while sizes.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        let rest: Vec<_> = (2..=10)
            .map(|n| {
                let b = batcher.clone();
                tokio::spawn(async move { b.call(n).await })
            })
            .collect();
        // Every request is queued once the channel holds them all.
        while batcher.tx.capacity() > 64 - 9 {
            tokio::task::yield_now().await;
        }
        release.send(true).unwrap();
        assert_eq!(first.await.unwrap().unwrap(), 2);
        for (n, task) in (2..=10).zip(rest) {
            assert_eq!(task.await.unwrap().unwrap(), n * 2);
        }
        assert_eq!(*sizes.lock().unwrap(), [1, 9]);
    }
}
