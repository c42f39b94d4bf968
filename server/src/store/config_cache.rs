//! What administrators change rarely and chats read all the time, kept in memory between
//! saves (issue 13): the chat settings, the pre-chat questions, the problem statements,
//! the CSQs' names and their business hours. A chat read them three times on its way in and once more on accept
//! (and every queue with its members for each offer's queue name), each a round trip to a
//! database connection's thread; the widget reads them for every form and socket.
//!
//! Every write that could change one of them forgets them all once it is done, so the
//! next read goes to the database. A read that began before such a write never stores what
//! it read (a generation number tells), so a stale copy cannot outlive the save.
//!
//! Only where this process is the database's one writer of settings (SQLite). Several
//! processes on PostgreSQL would each keep their own copy, so there the cache is off until
//! the nodes hear of each other's saves (issue 14).

use super::StoreResult;
use app::domain::{
    csq::ProblemStatement, hours::BusinessHours, ids::CsqId, prechat::PreChatField,
    settings::ChatSettings,
};
use std::{
    collections::HashMap,
    future::Future,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};

pub struct ConfigCache {
    enabled: bool,
    /// Moves on at every write that forgets: a read that saw another number stores nothing.
    generation: AtomicU64,
    settings: Mutex<Option<ChatSettings>>,
    fields: Mutex<Option<Vec<PreChatField>>>,
    problems: Mutex<Option<Vec<ProblemStatement>>>,
    csq_names: Mutex<Option<Arc<HashMap<CsqId, String>>>>,
    hours: Mutex<Option<Arc<HashMap<CsqId, BusinessHours>>>>,
}

impl ConfigCache {
    /// A cache for a store that is the only writer of these settings.
    pub fn new() -> ConfigCache {
        ConfigCache::with(true)
    }

    /// Reads always go to the database (several processes may write).
    pub fn disabled() -> ConfigCache {
        ConfigCache::with(false)
    }

    fn with(enabled: bool) -> ConfigCache {
        ConfigCache {
            enabled,
            generation: AtomicU64::new(0),
            settings: Mutex::new(None),
            fields: Mutex::new(None),
            problems: Mutex::new(None),
            csq_names: Mutex::new(None),
            hours: Mutex::new(None),
        }
    }

    pub async fn settings(
        &self,
        load: impl Future<Output = StoreResult<ChatSettings>>,
    ) -> StoreResult<ChatSettings> {
        self.cached(&self.settings, load).await
    }

    pub async fn fields(
        &self,
        load: impl Future<Output = StoreResult<Vec<PreChatField>>>,
    ) -> StoreResult<Vec<PreChatField>> {
        self.cached(&self.fields, load).await
    }

    pub async fn problems(
        &self,
        load: impl Future<Output = StoreResult<Vec<ProblemStatement>>>,
    ) -> StoreResult<Vec<ProblemStatement>> {
        self.cached(&self.problems, load).await
    }

    /// Every CSQ's name, retired ones too (a contact keeps its queue).
    pub async fn csq_names(
        &self,
        load: impl Future<Output = StoreResult<Arc<HashMap<CsqId, String>>>>,
    ) -> StoreResult<Arc<HashMap<CsqId, String>>> {
        self.cached(&self.csq_names, load).await
    }

    /// Issue 17: the CSQs' business hours (those that have some), read at every chat start
    /// and widget form.
    pub async fn hours(
        &self,
        load: impl Future<Output = StoreResult<Arc<HashMap<CsqId, BusinessHours>>>>,
    ) -> StoreResult<Arc<HashMap<CsqId, BusinessHours>>> {
        self.cached(&self.hours, load).await
    }

    /// Carries out a write that may change any of them, then forgets them all whatever
    /// its outcome: the next read goes to the database.
    pub async fn saving<T>(&self, write: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
        let done = write.await;
        self.forget();
        done
    }

    /// What [`ConfigCache::saving`] does after its write.
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        *lock(&self.settings) = None;
        *lock(&self.fields) = None;
        *lock(&self.problems) = None;
        *lock(&self.csq_names) = None;
        *lock(&self.hours) = None;
    }

    async fn cached<T: Clone>(
        &self,
        slot: &Mutex<Option<T>>,
        load: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        if !self.enabled {
            return load.await;
        }
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some(kept) = lock(slot).clone() {
            return Ok(kept);
        }
        let value = load.await?;
        let mut kept = lock(slot);
        if self.generation.load(Ordering::SeqCst) == generation {
            *kept = Some(value.clone());
        }
        Ok(value)
    }
}

/// The slots hold plain values: one a panic left behind is still whole.
fn lock<T>(slot: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(queue_limit: u32) -> ChatSettings {
        ChatSettings {
            queue_limit,
            ..ChatSettings::default()
        }
    }

    #[tokio::test]
    async fn kept_until_a_write_forgets() {
        let cache = ConfigCache::new();
        let read = cache.settings(async { Ok(settings(5)) }).await.unwrap();
        assert_eq!(read.queue_limit, 5);
        // Kept: the database is not asked again.
        let again = cache
            .settings(async { panic!("read the database again") })
            .await
            .unwrap();
        assert_eq!(again.queue_limit, 5);
        cache.forget();
        let after = cache.settings(async { Ok(settings(9)) }).await.unwrap();
        assert_eq!(after.queue_limit, 9);
    }

    #[tokio::test]
    async fn a_read_older_than_a_write_is_not_kept() {
        let cache = ConfigCache::new();
        // The read starts, a save commits and forgets, then the read's (old) answer comes.
        let stale = cache
            .settings(async {
                cache.forget();
                Ok(settings(5))
            })
            .await
            .unwrap();
        assert_eq!(stale.queue_limit, 5, "the caller gets what it read");
        let next = cache.settings(async { Ok(settings(9)) }).await.unwrap();
        assert_eq!(next.queue_limit, 9, "but it was not kept");
    }

    #[tokio::test]
    async fn disabled_always_reads() {
        let cache = ConfigCache::disabled();
        cache.settings(async { Ok(settings(5)) }).await.unwrap();
        let read = cache.settings(async { Ok(settings(9)) }).await.unwrap();
        assert_eq!(read.queue_limit, 9);
    }
}
