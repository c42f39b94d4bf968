//! The chats' timers (SPEC K-5): the join timeout, the customer's silence, and a waiting
//! customer whose widget has gone. One task keeps every deadline, so a chat costs an entry
//! in a map, not a task per message.
//!
//! A timer carries no decision: when it fires, the chat service reads the chat's stored
//! facts (its status, the customer's last line, what the customer was already told) and
//! acts or sets the next deadline. So a timer that fires late or twice does no harm, and
//! after a restart the same facts set the same deadlines again.

use crate::clock::TokioClock;
use app::domain::ids::ContactId;
use std::collections::{BTreeSet, HashMap};
use tokio::sync::mpsc;

/// What a chat waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timer {
    /// Nobody joined within the join timeout: the customer gets the no-agent message.
    Join,
    /// The customer's silence in a chat under way: warned, then ended.
    Silence,
    /// The customer's widget went away before an agent joined: the grace period is over.
    WidgetGone,
    /// Nobody took the chat within the queue timeout: it leaves the queue.
    QueueTimeout,
}

/// The deadlines, without I/O: at most one per chat and kind; setting one replaces it.
#[derive(Debug, Default)]
pub struct Deadlines {
    by_key: HashMap<(ContactId, Timer), i64>,
    by_time: BTreeSet<(i64, ContactId, Timer)>,
}

impl Deadlines {
    pub fn set(&mut self, contact: ContactId, timer: Timer, due_ms: i64) {
        self.cancel(contact, timer);
        self.by_key.insert((contact, timer), due_ms);
        self.by_time.insert((due_ms, contact, timer));
    }

    pub fn cancel(&mut self, contact: ContactId, timer: Timer) {
        if let Some(due) = self.by_key.remove(&(contact, timer)) {
            self.by_time.remove(&(due, contact, timer));
        }
    }

    /// Forgets every timer of a chat that ended.
    pub fn forget(&mut self, contact: ContactId) {
        for timer in [
            Timer::Join,
            Timer::Silence,
            Timer::WidgetGone,
            Timer::QueueTimeout,
        ] {
            self.cancel(contact, timer);
        }
    }

    pub fn next_due(&self) -> Option<i64> {
        self.by_time.first().map(|(due, _, _)| *due)
    }

    /// Takes out the timers due at `now_ms`, earliest first.
    pub fn take_due(&mut self, now_ms: i64) -> Vec<(ContactId, Timer)> {
        let mut due = Vec::new();
        while let Some(&(at, contact, timer)) = self.by_time.first() {
            if at > now_ms {
                break;
            }
            self.by_time.pop_first();
            self.by_key.remove(&(contact, timer));
            due.push((contact, timer));
        }
        due
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

enum Command {
    Set(ContactId, Timer, i64),
    Cancel(ContactId, Timer),
    Forget(ContactId),
}

/// A cheap handle to the timers' task.
#[derive(Clone)]
pub struct Timers {
    tx: mpsc::UnboundedSender<Command>,
}

impl Timers {
    /// Starts the task; each timer that fires is sent on the returned channel.
    pub fn spawn() -> (Timers, mpsc::UnboundedReceiver<(ContactId, Timer)>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (fired_tx, fired) = mpsc::unbounded_channel();
        tokio::spawn(run(rx, fired_tx));
        (Timers { tx }, fired)
    }

    /// Sets (or moves) the chat's timer of this kind to Unix ms `due_ms`.
    pub fn set(&self, contact: ContactId, timer: Timer, due_ms: i64) {
        let _ = self.tx.send(Command::Set(contact, timer, due_ms));
    }

    pub fn cancel(&self, contact: ContactId, timer: Timer) {
        let _ = self.tx.send(Command::Cancel(contact, timer));
    }

    pub fn forget(&self, contact: ContactId) {
        let _ = self.tx.send(Command::Forget(contact));
    }
}

async fn run(
    mut rx: mpsc::UnboundedReceiver<Command>,
    fired: mpsc::UnboundedSender<(ContactId, Timer)>,
) {
    let clock = TokioClock::start();
    let mut deadlines = Deadlines::default();
    loop {
        let next = deadlines.next_due().map(|due| clock.instant_at(due));
        let command = tokio::select! {
            command = rx.recv() => match command {
                Some(command) => Some(command),
                None => return,
            },
            _ = sleep_until(next) => None,
        };
        match command {
            Some(Command::Set(contact, timer, due)) => deadlines.set(contact, timer, due),
            Some(Command::Cancel(contact, timer)) => deadlines.cancel(contact, timer),
            Some(Command::Forget(contact)) => deadlines.forget(contact),
            None => {
                for due in deadlines.take_due(clock.now_ms()) {
                    if fired.send(due).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Sleeps until `at`, or forever when there is nothing to wait for.
async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: ContactId = ContactId(1);
    const B: ContactId = ContactId(2);

    #[test]
    fn deadlines_fire_in_order_and_setting_again_moves_one() {
        let mut d = Deadlines::default();
        d.set(A, Timer::Silence, 300);
        d.set(B, Timer::Join, 100);
        d.set(A, Timer::Silence, 500);
        assert_eq!(d.len(), 2, "one per chat and kind");
        assert_eq!(d.next_due(), Some(100));
        assert_eq!(d.take_due(400), [(B, Timer::Join)]);
        assert_eq!(d.take_due(499), []);
        assert_eq!(d.take_due(500), [(A, Timer::Silence)]);
        assert!(d.is_empty());
    }

    #[test]
    fn a_cancelled_or_forgotten_timer_never_fires() {
        let mut d = Deadlines::default();
        d.set(A, Timer::Join, 10);
        d.set(A, Timer::WidgetGone, 20);
        d.set(B, Timer::Join, 30);
        d.cancel(B, Timer::Join);
        d.forget(A);
        assert_eq!(d.take_due(1_000), []);
        assert_eq!(d.next_due(), None);
    }

    /// The task fires each timer at its time on tokio's clock, once.
    #[tokio::test(start_paused = true)]
    async fn the_task_fires_at_the_deadline() {
        let (timers, mut fired) = Timers::spawn();
        let now = crate::clock::now_ms();
        timers.set(A, Timer::Silence, now + 5_000);
        timers.set(B, Timer::Join, now + 1_000);
        timers.set(B, Timer::Join, now + 2_000);
        let start = tokio::time::Instant::now();
        assert_eq!(fired.recv().await, Some((B, Timer::Join)));
        let first = start.elapsed().as_millis();
        assert!((1_950..2_050).contains(&first), "{first} ms");
        assert_eq!(fired.recv().await, Some((A, Timer::Silence)));
        let second = start.elapsed().as_millis();
        assert!((4_950..5_050).contains(&second), "{second} ms");
    }
}
