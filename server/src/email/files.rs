//! Attachment bytes in the data directory, named by their SHA-256: the same file sent twice
//! is stored once, and a file is written completely (temporary name, then rename) before the
//! database refers to it.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Numbers temporary file names, so two writers never share one.
static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A streamed file, stored.
#[derive(Debug)]
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

#[derive(Clone)]
pub struct Files {
    root: PathBuf,
}

impl Files {
    pub fn new(data_dir: &Path) -> Self {
        Files {
            root: data_dir.join("attachments"),
        }
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

    /// Stores what `body` brings, hashing while writing, and stops reading as soon as more
    /// than `limit` bytes came (SPEC A-3: a file over a limit is refused while it streams).
    pub async fn put_stream<S, E>(&self, mut body: S, limit: u64) -> Result<Upload, PutError>
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
        match result {
            Ok(upload) => {
                let path = self.path(&upload.sha256).expect("a hex digest");
                tokio::fs::create_dir_all(path.parent().expect("in a folder")).await?;
                tokio::fs::rename(&tmp, &path).await?;
                Ok(upload)
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                Err(e)
            }
        }
    }

    /// Stores the bytes (if not already there) and returns their hex SHA-256.
    pub async fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let hash: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = self.path(&hash).expect("a hex digest");
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(hash);
        }
        let dir = path.parent().expect("in a folder");
        tokio::fs::create_dir_all(dir).await?;
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!(".{hash}.{}.{n}.tmp", std::process::id()));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::File::open(&tmp).await?.sync_all().await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_bytes_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::new(dir.path());
        let a = files.put(b"hello").await.unwrap();
        let b = files.put(b"hello").await.unwrap();
        assert_eq!(a, b);
        assert_eq!(std::fs::read(files.path(&a).unwrap()).unwrap(), b"hello");
        assert!(
            files.path("../../etc/passwd").is_none(),
            "only hashes name files"
        );
    }
}
