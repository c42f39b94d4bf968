//! Password hashing on a fixed set of threads, one per core, each with its own argon2
//! memory kept from one password to the next (issue 13).
//!
//! Why: argon2 takes about 19 MiB for every password it checks or hashes. On the runtime's
//! blocking threads each check allocated that afresh, and the allocator kept the freed
//! memory in one arena per thread, so fifty logins left the process 700 MB larger for good.
//! Here the memory is allocated once per worker and reused, so password work costs at most
//! `workers × 19 MiB` whatever the number of logins; logins beyond the workers wait their
//! turn in the queue, as they waited for a core before.

use crate::auth;
use argon2::Block;
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The workers' queue; the threads end when it is dropped.
pub struct PasswordWorkers {
    jobs: mpsc::Sender<Job>,
    count: usize,
}

impl PasswordWorkers {
    /// One worker per core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    pub fn new(count: usize) -> Self {
        let count = count.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..count {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        // The lock is held only to take the next job, not while it runs.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => return,
                        }
                    }
                })
                .expect("a password worker thread starts");
        }
        PasswordWorkers { jobs, count }
    }

    /// How many passwords can be worked on at once.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Whether `password` matches the stored PHC string.
    pub async fn verify(&self, password: String, phc: String) -> Option<bool> {
        self.run(move |memory| auth::verify_password_in(&password, &phc, memory))
            .await
    }

    /// The PHC string of a new password.
    pub async fn hash(&self, password: String) -> Option<String> {
        self.run(move |memory| auth::hash_password_in(&password, memory))
            .await
    }

    /// `None` only if the workers are gone (the server is stopping).
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Option<T> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = answer.send(work(memory));
        });
        self.jobs.send(job).ok()?;
        answered.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_and_checks_with_reused_memory() {
        let workers = PasswordWorkers::new(1);
        let first = workers.hash("correct horse".into()).await.unwrap();
        let second = workers.hash("correct horse".into()).await.unwrap();
        assert_ne!(first, second, "each hash has its own salt");
        assert!(workers
            .verify("correct horse".into(), first.clone())
            .await
            .unwrap());
        assert!(!workers.verify("wrong".into(), first.clone()).await.unwrap());
        assert!(!workers
            .verify("correct horse".into(), "not a hash".into())
            .await
            .unwrap());
        // The same checks as the allocating functions the command line uses.
        assert!(auth::verify_password("correct horse", &second));
    }
}
