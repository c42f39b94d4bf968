//! Attachment bytes in the data directory, named by their SHA-256: the same file sent twice
//! is stored once, and a file is written completely (temporary name, then rename) before the
//! database refers to it.

use crate::store::{
    cluster::{Claim, Coordination},
    StoreError,
};
use sha2::{Digest, Sha256};
use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

/// Numbers temporary file names, so two writers never share one.
static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

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

/// A streamed file still under its temporary name: [`Files::keep`] gives it its name;
/// dropped instead (refused, or the request failed), it is deleted.
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
    root: PathBuf,
    gate: Arc<tokio::sync::Mutex<()>>,
    /// With several nodes sharing the directory: the gate is also held across them.
    shared: Option<Arc<dyn Coordination>>,
}

/// [`Files::gate`] held: in this process, and with several nodes in all of them.
pub struct Gate<'a> {
    _here: tokio::sync::MutexGuard<'a, ()>,
    _everywhere: Option<Box<dyn Claim>>,
}

impl Files {
    pub fn new(data_dir: &Path, shared: Option<Arc<dyn Coordination>>) -> Self {
        Files {
            root: data_dir.join("attachments"),
            gate: Arc::default(),
            shared,
        }
    }

    /// Held from the moment bytes get their name until the database refers to them, and
    /// while an unused file is checked and removed: two records sharing the same bytes
    /// (the same file attached twice) can then never lose them to each other, on one node
    /// or on two sharing the directory (issue 14).
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

    /// Gives a streamed file its name (the caller holds [`Self::gate`]).
    pub async fn keep(&self, mut staged: Staged) -> std::io::Result<Upload> {
        let upload = std::mem::take(&mut staged.upload);
        let path = self.path(&upload.sha256).expect("a hex digest");
        tokio::fs::create_dir_all(path.parent().expect("in a folder")).await?;
        if let Some(tmp) = &staged.tmp {
            tokio::fs::rename(tmp, &path).await?;
        }
        // Named now: no longer the staging's to delete (on a failed rename it still is).
        staged.tmp = None;
        Ok(upload)
    }

    /// Where the bytes of this hash live.
    pub fn path(&self, sha256: &str) -> Option<PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Removes the bytes of this hash (nothing refers to them any more).
    pub async fn remove(&self, sha256: &str) {
        if let Some(path) = self.path(sha256) {
            if let Err(e) = tokio::fs::remove_file(&path).await {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(error = %e, "file not removed");
                }
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
        tokio::fs::create_dir_all(&self.root).await?;
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = self
            .root
            .join(format!(".upload.{}.{n}.tmp", std::process::id()));
        // Deletes the temporary file however this ends: an error, a refusal, or the request
        // dropped in the middle of the body.
        let mut staged = Staged {
            tmp: Some(tmp.clone()),
            upload: Upload::default(),
        };
        let result = async {
            let mut file = tokio::fs::File::create(&tmp).await?;
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
            file.sync_all().await?;
            let sha256: String = hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            Ok(Upload { sha256, size, head })
        }
        .await;
        staged.upload = result?;
        Ok(staged)
    }

    /// Stores the bytes (if not already there) and returns their hex SHA-256. Hashed and
    /// written off the async threads, from the bytes given (no copy: a file of an email can
    /// be tens of megabytes).
    pub async fn put(&self, bytes: Vec<u8>) -> std::io::Result<String> {
        let root = self.clone();
        tokio::task::spawn_blocking(move || root.put_blocking(&bytes))
            .await
            .map_err(std::io::Error::other)?
    }

    fn put_blocking(&self, bytes: &[u8]) -> std::io::Result<String> {
        let hash: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = self.path(&hash).expect("a hex digest");
        if path.exists() {
            return Ok(hash);
        }
        let dir = path.parent().expect("in a folder");
        std::fs::create_dir_all(dir)?;
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!(".{hash}.{}.{n}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(hash)
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

    #[tokio::test]
    async fn a_streamed_file_is_named_only_when_kept_and_leaves_nothing_when_refused() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::new(dir.path(), None);
        let root = dir.path().join("attachments");

        // Over the limit: reading stops, nothing stays.
        let over = files.put_stream(chunks(&[b"12345", b"67890"]), 8).await;
        assert!(matches!(over, Err(PutError::Over(10))));
        assert!(all_files(&root).is_empty());

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
        assert!(all_files(&root).is_empty());

        // Refused after reading (its type, say): dropping it leaves nothing.
        let staged = files
            .put_stream(chunks(&[b"MZ", b"program"]), 100)
            .await
            .unwrap();
        assert_eq!(staged.upload.size, 9);
        assert_eq!(staged.upload.head, b"MZprogram");
        drop(staged);
        assert!(all_files(&root).is_empty());

        // Kept: under its hash, and only there.
        let staged = files
            .put_stream(chunks(&[b"hel", b"lo"]), 100)
            .await
            .unwrap();
        let upload = files.keep(staged).await.unwrap();
        let path = files.path(&upload.sha256).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        assert_eq!(all_files(&root), [path]);
    }

    #[tokio::test]
    async fn same_bytes_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::new(dir.path(), None);
        let a = files.put(b"hello".to_vec()).await.unwrap();
        let b = files.put(b"hello".to_vec()).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(std::fs::read(files.path(&a).unwrap()).unwrap(), b"hello");
        assert!(
            files.path("../../etc/passwd").is_none(),
            "only hashes name files"
        );
    }
}
