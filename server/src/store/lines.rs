//! Group commit for transcript lines (issue 13, SPEC K-3): every line is stored before
//! anyone is told of it, and storing it must not make the chat slow. Lines go to one writer
//! task per store (a [`Batcher`]), which takes every line waiting (up to [`MAX_BATCH`]) and
//! stores them in one transaction of three statements, however many lines and chats the
//! batch holds; each sender is answered once the transaction has committed. The writer has
//! a connection of its own, so it never queues behind the readers for one.
//!
//! The SQL is the backend's (`contacts_sql.rs`); this module only gathers and answers.

use super::{batch::Batcher, contacts::Appended};
use app::domain::{chat::LineBody, ids::ContactId};

/// The most lines one transaction stores (each takes 6 query parameters: far under either
/// database's limit).
pub const MAX_BATCH: usize = 256;
/// Lines waiting for the writer at most; senders beyond wait their turn.
pub const QUEUE: usize = 8192;

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

/// Lines go through a [`super::batch::Batcher`] of their own.
pub type LineWriter = Batcher<LineRequest, Appended>;

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
