//! Group commit for transcript lines (issue 13, SPEC K-3): every line is stored before
//! anyone is told of it, and storing it must not make the chat slow. Lines go to one writer
//! task per store, which takes every line waiting (up to [`MAX_BATCH`]) and stores them in
//! one transaction of three statements, however many lines and chats the batch holds; each
//! sender is answered once the transaction has committed. No timer holds a line back: a
//! batch is what arrived while the previous one was being written, so a lone line goes at
//! once and a busy server writes many per commit. The writer has a connection of its own,
//! so it never queues behind the readers for one.
//!
//! The SQL is the backend's (`contacts_sql.rs`); this module only gathers and answers.

use super::{contacts::Appended, StoreError, StoreResult};
use app::domain::{chat::LineBody, ids::ContactId};
use std::future::Future;
use tokio::sync::{mpsc, oneshot};

/// The most lines one transaction stores (each takes 6 query parameters: far under either
/// database's limit).
pub const MAX_BATCH: usize = 256;
/// Lines waiting for the writer at most; senders beyond wait their turn.
const QUEUE: usize = 8192;

/// One line to store.
pub struct LineRequest {
    pub contact: ContactId,
    /// [`super::Sender::key`].
    pub sender: String,
    pub client_id: Option<String>,
    pub body: LineBody,
    /// The body as stored.
    pub body_json: String,
    pub now_ms: i64,
}

type Waiting = (LineRequest, oneshot::Sender<StoreResult<Appended>>);

/// The handle senders use; the writer task ends with the last handle.
pub struct LineWriter {
    tx: mpsc::Sender<Waiting>,
}

impl LineWriter {
    /// Starts the writer. `write` stores a batch and answers each line, in the batch's
    /// order (one failing line must not fail the others).
    pub fn spawn<W, F>(write: W) -> LineWriter
    where
        W: Fn(Vec<LineRequest>) -> F + Send + 'static,
        F: Future<Output = Vec<StoreResult<Appended>>> + Send,
    {
        let (tx, mut rx) = mpsc::channel::<Waiting>(QUEUE);
        tokio::spawn(async move {
            let mut waiting = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut waiting, MAX_BATCH).await > 0 {
                let (batch, replies): (Vec<_>, Vec<_>) = waiting.drain(..).unzip();
                let results = write(batch).await;
                for (reply, result) in replies.into_iter().zip(results) {
                    // A sender that stopped waiting (its connection ended) will resend.
                    let _ = reply.send(result);
                }
            }
        });
        LineWriter { tx }
    }

    /// Stores the line; answers once it is committed.
    pub async fn append(&self, line: LineRequest) -> StoreResult<Appended> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((line, reply))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// What a batch holds once the stored duplicates are known: for each line, whether it is
/// new, repeats a line already stored, or repeats an earlier line of the same batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    New,
    Stored(usize),
    SameAs(usize),
}

/// Sorts a batch's lines: `stored(i)` says whether line `i` is already in the database
/// (found by its sender's id); a second line with the same chat, sender and id as an
/// earlier one of the batch is that one again.
pub fn places(batch: &[LineRequest], stored: impl Fn(usize) -> bool) -> Vec<Place> {
    let mut places = Vec::with_capacity(batch.len());
    for (i, line) in batch.iter().enumerate() {
        if stored(i) {
            places.push(Place::Stored(i));
            continue;
        }
        let earlier = line.client_id.as_ref().and_then(|id| {
            batch[..i].iter().position(|other| {
                other.contact == line.contact
                    && other.sender == line.sender
                    && other.client_id.as_ref() == Some(id)
            })
        });
        places.push(match earlier {
            Some(j) => match places[j] {
                Place::SameAs(k) => Place::SameAs(k),
                Place::Stored(k) => Place::Stored(k),
                Place::New => Place::SameAs(j),
            },
            None => Place::New,
        });
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(contact: i64, client_id: Option<&str>) -> LineRequest {
        LineRequest {
            contact: ContactId(contact),
            sender: "customer".into(),
            client_id: client_id.map(str::to_string),
            body: LineBody::System {
                note: app::domain::chat::SystemNote::InactivityWarning,
            },
            body_json: String::new(),
            now_ms: 0,
        }
    }

    #[test]
    fn k3_a_resend_in_the_same_batch_is_the_first_line_again() {
        let batch = [
            line(1, Some("a")),
            line(2, Some("a")),
            line(1, Some("a")),
            line(1, None),
            line(1, None),
            line(1, Some("b")),
            line(1, Some("b")),
        ];
        let places = places(&batch, |i| i == 5);
        assert_eq!(
            places,
            [
                Place::New,
                Place::New,
                Place::SameAs(0),
                Place::New,
                Place::New,
                Place::Stored(5),
                Place::Stored(5),
            ]
        );
    }
}
