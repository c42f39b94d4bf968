//! The command a socket is carrying out (desktop and widget alike), on a task of its own:
//! events and lines keep flowing to the peer while, say, its message is being stored, and
//! the socket reads the next command only once this one is done, so commands take effect
//! in the order sent. A task, not a future of the socket's loop: a command begun is
//! finished even if the peer goes.

use std::future::Future;
use tokio::task::JoinHandle;

/// At most one command at a time; `T` is what to tell the peer when it is done.
pub struct InFlight<T>(Option<JoinHandle<Option<T>>>);

impl<T: Send + 'static> InFlight<T> {
    pub fn new() -> Self {
        InFlight(None)
    }

    /// Whether the socket may read its next command.
    pub fn is_idle(&self) -> bool {
        self.0.is_none()
    }

    /// Carries out a command; the socket must be idle.
    pub fn start(&mut self, command: impl Future<Output = Option<T>> + Send + 'static) {
        debug_assert!(self.is_idle(), "one command at a time");
        self.0 = Some(tokio::spawn(command));
    }

    /// The answer of the command in flight, once it is done (never, when idle). Safe in a
    /// `select!`: dropped unfinished, the command goes on and is awaited next time.
    pub async fn done(&mut self) -> Option<T> {
        let answer = match &mut self.0 {
            Some(task) => task.await.ok().flatten(),
            None => std::future::pending().await,
        };
        self.0 = None;
        answer
    }
}
