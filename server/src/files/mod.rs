//! Stored files (attachments, pasted images, drafts' files), named by their SHA-256: the
//! same file sent twice is stored once, and a file is stored completely before the database
//! refers to it. Where they live is a [`place::Place`]: a directory by default, or an
//! S3-compatible bucket that several nodes share (issue 14), through `object_store`.
//!
//! An upload streams to a temporary file of this node's data directory first, hashed while
//! it comes, so a refused or broken-off upload never reaches the store.

pub mod place;

use crate::store::{
    cluster::{Claim, Coordination},
    StoreError,
};
use object_store::{path::Path as Key, ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};
use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

/// A staged upload older than this at a start was left by a process that died.
const STALE_UPLOAD: std::time::Duration = std::time::Duration::from_secs(3600);

/// A streamed file, stored.
#[derive(Debug, Default)]
pub struct Upload {
    pub sha256: String,
    pub size: u64,
    /// Its first bytes, for the type check.
    pub head: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum PutError {
    /// More bytes came than allowed (how many had come when reading stopped).
    #[error("over the limit after {0} bytes")]
    Over(u64),
    #[error("the upload broke off: {0}")]
    Body(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// What reading or writing the store can meet.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// No file has this name (never stored, or removed).
    #[error("the file {0} is missing")]
    Missing(String),
    #[error("the files store failed: {0}")]
    Store(object_store::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl FileError {
    fn of(sha256: &str, e: object_store::Error) -> FileError {
        match e {
            object_store::Error::NotFound { .. } => FileError::Missing(sha256.into()),
            e => FileError::Store(e),
        }
    }
}

impl From<FileError> for StoreError {
    fn from(e: FileError) -> StoreError {
        StoreError::Corrupt(e.to_string())
    }
}

/// Why [`Files::keep_gated`] failed: one of the files (its place in the list) not
/// stored, or the gate not taken.
#[derive(Debug)]
pub enum KeepError {
    File(usize, FileError),
    Gate(StoreError),
}

/// A streamed file still under its temporary name: [`Files::keep`] stores it; dropped
/// instead (refused, or the request failed), it is deleted.
#[derive(Debug)]
pub struct Staged {
    tmp: Option<PathBuf>,
    pub upload: Upload,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

#[derive(Clone)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
    /// With the default store, its directory: what is written there is synced to disk
    /// before the database refers to it (a bucket's write is durable when it answers).
    directory: Option<PathBuf>,
    /// This node's own: uploads on their way in.
    staging: PathBuf,
    gate: Arc<tokio::sync::Mutex<()>>,
    /// With several nodes sharing the store: the gate is also held across them.
    shared: Option<Arc<dyn Coordination>>,
}

/// [`Files::gate`] held: in this process, and with several nodes in all of them.
pub struct Gate<'a> {
    _here: tokio::sync::MutexGuard<'a, ()>,
    _everywhere: Option<Box<dyn Claim>>,
}

/// A file's key in the store: two hex digits, then the hash (`ab/abcd…`), as files have
/// always been laid out in the data directory. Anything but a hex SHA-256 names no file.
fn key(sha256: &str) -> Result<Key, FileError> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FileError::Missing(sha256.into()));
    }
    Ok(Key::from_iter([&sha256[..2], sha256]))
}

impl Files {
    /// The files at `place` (a bucket reached with the `AWS_*` variables of `env`), with
    /// uploads staged in `data_dir`.
    pub async fn open(
        place: &place::Place,
        env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
        data_dir: &Path,
        shared: Option<Arc<dyn Coordination>>,
    ) -> Result<Files, place::PlaceError> {
        let staging = data_dir.join("uploads");
        forget_stale_uploads(&staging);
        Ok(Files {
            store: place.open(env).await?,
            directory: place.directory().map(Path::to_path_buf),
            staging,
            gate: Arc::default(),
            shared,
        })
    }

    /// Held from the check that bytes are in the store until the database refers to them,
    /// and while an unused file is checked and removed: two records sharing the same bytes
    /// (the same file attached twice) can then never lose them to each other, on one node
    /// or on several sharing the store (issue 14). The bytes are written before it is
    /// taken (named by their content, they harm nobody meanwhile), so a slow upload to a
    /// bucket never holds every node's files; under it, [`Self::present`] is one HEAD.
    pub async fn gate(&self) -> Result<Gate<'_>, StoreError> {
        let here = self.gate.lock().await;
        let everywhere = match &self.shared {
            Some(coordination) => Some(coordination.hold("files").await?),
            None => None,
        };
        Ok(Gate {
            _here: here,
            _everywhere: everywhere,
        })
    }

    /// Stores each staged file, takes [`Self::gate`], and under it stores again any the
    /// store lost meanwhile (removed as unused when the same bytes' last other use went).
    /// The gate comes back held: until it drops, a record may refer to these files and
    /// none of them goes.
    pub async fn keep_gated(&self, staged: &[&Staged]) -> Result<Gate<'_>, KeepError> {
        for (i, file) in staged.iter().enumerate() {
            self.keep(file).await.map_err(|e| KeepError::File(i, e))?;
        }
        let gate = self.gate().await.map_err(KeepError::Gate)?;
        for (i, file) in staged.iter().enumerate() {
            let upload = &file.upload;
            let present = self.present(&upload.sha256, upload.size).await;
            if !present.map_err(|e| KeepError::File(i, e))? {
                self.keep(file).await.map_err(|e| KeepError::File(i, e))?;
            }
        }
        Ok(gate)
    }

    /// Stores a streamed file under its name, unless the store has it whole already. The
    /// staged file stays until dropped: under [`Self::gate`], a file removed meanwhile is
    /// kept again from it.
    pub async fn keep(&self, staged: &Staged) -> Result<(), FileError> {
        if let Some(tmp) = &staged.tmp {
            let bytes = tokio::fs::read(tmp).await?;
            self.store_named(&staged.upload.sha256, bytes).await?;
        }
        Ok(())
    }

    /// Whether the store has the bytes of this hash, whole (`size` bytes).
    pub async fn present(&self, sha256: &str, size: u64) -> Result<bool, FileError> {
        let key = key(sha256)?;
        match self.store.head(&key).await {
            Ok(meta) => Ok(meta.size == size),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(FileError::Store(e)),
        }
    }

    /// The stored object of this hash (only a hash names one).
    async fn get(&self, sha256: &str) -> Result<object_store::GetResult, FileError> {
        let key = key(sha256)?;
        self.store
            .get(&key)
            .await
            .map_err(|e| FileError::of(sha256, e))
    }

    /// The bytes of this hash.
    pub async fn read(&self, sha256: &str) -> Result<axum::body::Bytes, FileError> {
        let found = self.get(sha256).await?;
        found.bytes().await.map_err(|e| FileError::of(sha256, e))
    }

    /// The bytes of this hash as they come from the store, for a download (with their
    /// size): a file of tens of megabytes is never whole in memory. Missing is told
    /// before any byte.
    pub async fn stream(
        &self,
        sha256: &str,
    ) -> Result<
        (
            u64,
            futures_util::stream::BoxStream<
                'static,
                Result<axum::body::Bytes, object_store::Error>,
            >,
        ),
        FileError,
    > {
        let found = self.get(sha256).await?;
        Ok((found.meta.size, found.into_stream()))
    }

    /// Removes the bytes of this hash (nothing refers to them any more).
    pub async fn remove(&self, sha256: &str) {
        if let Ok(key) = key(sha256) {
            match self.store.delete(&key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => tracing::warn!(error = %e, "file not removed"),
            }
        }
    }

    /// Writes what `body` brings under a temporary name, hashing while writing, and stops
    /// reading as soon as more than `limit` bytes came (SPEC A-3: a file over a limit is
    /// refused while it streams).
    pub async fn put_stream<S, E>(&self, mut body: S, limit: u64) -> Result<Staged, PutError>
    where
        S: futures_util::Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        use futures_util::StreamExt;
        use tokio::io::AsyncWriteExt;
        tokio::fs::create_dir_all(&self.staging).await?;
        // A random name, created new: never another upload's file, even in a data
        // directory two processes share.
        let tmp = self
            .staging
            .join(format!(".upload.{}.tmp", crate::auth::new_token()));
        // Deletes the temporary file however this ends: an error, a refusal, or the request
        // dropped in the middle of the body.
        let mut staged = Staged {
            tmp: Some(tmp.clone()),
            upload: Upload::default(),
        };
        let result = async {
            let mut file = tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .await?;
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            let mut head = Vec::new();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| PutError::Body(e.to_string()))?;
                size += chunk.len() as u64;
                if size > limit {
                    return Err(PutError::Over(size));
                }
                if head.len() < 16 {
                    head.extend(chunk.iter().take(16 - head.len()));
                }
                hasher.update(&chunk);
                file.write_all(&chunk).await?;
            }
            file.flush().await?;
            Ok(Upload {
                sha256: crate::hex::encode(hasher.finalize()),
                size,
                head,
            })
        }
        .await;
        staged.upload = result?;
        Ok(staged)
    }

    /// Stores the bytes (if not already there) and returns their hex SHA-256. Hashed off
    /// the async threads, from the bytes given (no copy: a file of an email can be tens of
    /// megabytes).
    pub async fn put(&self, bytes: Vec<u8>) -> Result<String, FileError> {
        let (sha256, bytes) = tokio::task::spawn_blocking(move || {
            (crate::hex::encode(Sha256::digest(&bytes)), bytes)
        })
        .await
        .map_err(std::io::Error::other)?;
        self.store_named(&sha256, bytes).await?;
        Ok(sha256)
    }

    /// Writes `bytes` under their hash unless the store has them already, durably.
    async fn store_named(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), FileError> {
        // Already there, whole? (A file cut short by a crash before it reached the disk
        // is written again, not trusted for every later copy of its content.)
        if self.present(sha256, bytes.len() as u64).await? {
            return Ok(());
        }
        let key = key(sha256)?;
        self.store
            .put(&key, PutPayload::from(bytes))
            .await
            .map_err(FileError::Store)?;
        if let Some(dir) = &self.directory {
            // The store writes a temporary file and renames it; the file's bytes, its name
            // in its folder and the folder's in the root all reach the disk before the
            // database refers to them.
            let root = dir.clone();
            let folder = dir.join(&sha256[..2]);
            let file = folder.join(sha256);
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                std::fs::File::open(&file)?.sync_all()?;
                std::fs::File::open(&folder)?.sync_all()?;
                std::fs::File::open(&root)?.sync_all()
            })
            .await
            .map_err(std::io::Error::other)??;
        }
        Ok(())
    }
}

/// Removes the uploads a process that died left staged (an hour old or more: none can
/// still be on its way in).
fn forget_stale_uploads(staging: &Path) {
    let Ok(entries) = std::fs::read_dir(staging) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let staged = name
            .to_str()
            .is_some_and(|n| n.starts_with(".upload.") && n.ends_with(".tmp"));
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|at| at.elapsed().is_ok_and(|age| age >= STALE_UPLOAD));
        if staged && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under the folder, temporary ones included.
    fn all_files(root: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(all_files(&path));
            } else {
                found.push(path);
            }
        }
        found
    }

    fn chunks(
        parts: &[&'static [u8]],
    ) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, String>> + Unpin {
        futures_util::stream::iter(
            parts
                .iter()
                .map(|p| Ok(axum::body::Bytes::from_static(p)))
                .collect::<Vec<_>>(),
        )
    }

    /// The default place: the data directory's `attachments`.
    async fn in_dir(dir: &Path) -> Files {
        let place = place::Place::parse(None, dir).unwrap();
        Files::open(&place, [], dir, None).await.unwrap()
    }

    #[tokio::test]
    async fn a_streamed_file_is_named_only_when_kept_and_leaves_nothing_when_refused() {
        let dir = tempfile::tempdir().unwrap();
        let files = in_dir(dir.path()).await;
        let root = dir.path().join("attachments");
        let staging = dir.path().join("uploads");
        let nothing = |what: &str| {
            assert!(all_files(&root).is_empty(), "{what}: stored");
            assert!(all_files(&staging).is_empty(), "{what}: staged");
        };

        // Over the limit: reading stops, nothing stays.
        let over = files.put_stream(chunks(&[b"12345", b"67890"]), 8).await;
        assert!(matches!(over, Err(PutError::Over(10))));
        nothing("over the limit");

        // The request dropped in the middle of the body: nothing stays.
        use futures_util::StreamExt;
        let cut_off =
            futures_util::stream::iter([Ok::<_, String>(axum::body::Bytes::from_static(b"part"))])
                .chain(futures_util::stream::pending());
        let waited = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            files.put_stream(cut_off, 100),
        )
        .await;
        assert!(waited.is_err(), "still waiting for the rest of the body");
        nothing("broken off");

        // Refused after reading (its type, say): dropping it leaves nothing.
        let staged = files
            .put_stream(chunks(&[b"MZ", b"program"]), 100)
            .await
            .unwrap();
        assert_eq!(staged.upload.size, 9);
        assert_eq!(staged.upload.head, b"MZprogram");
        drop(staged);
        nothing("refused");

        // Kept: under its hash (where files have always been), and only there.
        let mut staged = files
            .put_stream(chunks(&[b"hel", b"lo"]), 100)
            .await
            .unwrap();
        files.keep(&staged).await.unwrap();
        let (sha, size) = (staged.upload.sha256.clone(), staged.upload.size);
        assert!(files.present(&sha, size).await.unwrap());
        // Removed meanwhile as unused (another record's last use went): still staged, it
        // is kept again, as the upload does under the gate.
        files.remove(&sha).await;
        assert!(!files.present(&sha, size).await.unwrap());
        files.keep(&staged).await.unwrap();
        assert!(files.present(&sha, size).await.unwrap());
        let upload = std::mem::take(&mut staged.upload);
        drop(staged);
        let path = root.join(&upload.sha256[..2]).join(&upload.sha256);
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        assert_eq!(all_files(&root), [path]);
        assert!(all_files(&staging).is_empty());
        assert_eq!(&files.read(&upload.sha256).await.unwrap()[..], b"hello");

        // Removed: gone, and reading it says so.
        files.remove(&upload.sha256).await;
        assert!(all_files(&root).is_empty());
        assert!(matches!(
            files.read(&upload.sha256).await,
            Err(FileError::Missing(_))
        ));
    }

    /// A file cut short under its final name (a crash before it reached the disk) is
    /// written again by the next copy of its content, never trusted.
    #[tokio::test]
    async fn a_file_cut_short_is_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let files = in_dir(dir.path()).await;
        let sha = files.put(b"the whole invoice".to_vec()).await.unwrap();
        let path = dir.path().join("attachments").join(&sha[..2]).join(&sha);
        std::fs::write(&path, b"the wh").unwrap();
        assert_eq!(files.put(b"the whole invoice".to_vec()).await.unwrap(), sha);
        assert_eq!(std::fs::read(&path).unwrap(), b"the whole invoice");
    }

    #[tokio::test]
    async fn stale_uploads_are_removed_at_the_start_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("uploads");
        std::fs::create_dir_all(&staging).unwrap();
        let stale = staging.join(".upload.dead.tmp");
        let fresh = staging.join(".upload.live.tmp");
        std::fs::write(&stale, b"left by a crash").unwrap();
        std::fs::write(&fresh, b"on its way in").unwrap();
        let long_ago = std::time::SystemTime::now() - 2 * STALE_UPLOAD;
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        let _files = in_dir(dir.path()).await;
        assert!(!stale.exists());
        assert!(fresh.exists());
    }

    #[tokio::test]
    async fn same_bytes_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = in_dir(dir.path()).await;
        let a = files.put(b"hello".to_vec()).await.unwrap();
        let b = files.put(b"hello".to_vec()).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(&files.read(&a).await.unwrap()[..], b"hello");
        assert_eq!(all_files(&dir.path().join("attachments")).len(), 1);
        assert!(
            matches!(
                files.read("../../etc/passwd").await,
                Err(FileError::Missing(_))
            ),
            "only hashes name files"
        );
    }
}
