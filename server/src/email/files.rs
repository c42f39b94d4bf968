//! Attachment bytes in the data directory, named by their SHA-256: the same file sent twice
//! is stored once, and a file is written completely (temporary name, then rename) before the
//! database refers to it.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

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
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
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
