//! Where stored files live, chosen by `SWITCHBOARD_FILES` (issue 14): a directory of this
//! machine (the default, `<data dir>/attachments`; a shared one serves several nodes), or an
//! S3-compatible bucket, through the `object_store` crate either way. Several nodes on
//! several machines share a bucket, so a file one node stored is served by every other.

use object_store::{
    aws::{AmazonS3Builder, AmazonS3ConfigKey},
    local::LocalFileSystem,
    prefix::PrefixStore,
    ClientOptions, ObjectStore, RetryConfig,
};
use std::{path::PathBuf, sync::Arc, time::Duration};

/// A place as the operator names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A directory (a path, or a `file://` URL).
    Directory(PathBuf),
    /// `s3://bucket[/prefix]`: the bucket's keys start with the prefix.
    Bucket { bucket: String, prefix: String },
}

#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error(
        "SWITCHBOARD_FILES must be a directory, a file:// URL or an s3://bucket/prefix URL, \
         not {0:?}"
    )]
    Unknown(String),
    #[error("cannot create the files directory {0}: {1}")]
    Directory(String, std::io::Error),
    /// The store's own words: they name the bucket or directory and what failed, never the
    /// credentials.
    #[error("the files store {0} cannot be used: {1}")]
    Unusable(String, object_store::Error),
}

impl Place {
    /// What `SWITCHBOARD_FILES` says; nothing means the data directory's `attachments`.
    pub fn parse(setting: Option<&str>, data_dir: &std::path::Path) -> Result<Place, PlaceError> {
        let Some(setting) = setting.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(Place::Directory(data_dir.join("attachments")));
        };
        if let Some(rest) = setting.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(PlaceError::Unknown(setting.into()));
            }
            return Ok(Place::Bucket {
                bucket: bucket.into(),
                prefix: prefix.trim_matches('/').into(),
            });
        }
        if let Some(path) = setting.strip_prefix("file://") {
            if !path.starts_with('/') {
                return Err(PlaceError::Unknown(setting.into()));
            }
            return Ok(Place::Directory(path.into()));
        }
        if setting.contains("://") {
            return Err(PlaceError::Unknown(setting.into()));
        }
        Ok(Place::Directory(setting.into()))
    }

    /// The store, checked: a bucket that does not exist or refuses the credentials stops
    /// the start instead of the first customer's file. A bucket is reached with the
    /// `AWS_*` variables of `env` (the process's environment, as the AWS tools read it).
    pub async fn open(
        &self,
        env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    ) -> Result<Arc<dyn ObjectStore>, PlaceError> {
        let store: Arc<dyn ObjectStore> = match self {
            Place::Directory(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| PlaceError::Directory(dir.display().to_string(), e))?;
                Arc::new(
                    LocalFileSystem::new_with_prefix(dir)
                        .map_err(|e| PlaceError::Unusable(self.to_string(), e))?,
                )
            }
            Place::Bucket { bucket, prefix } => {
                // The standard AWS_* variables: credentials, region, AWS_ENDPOINT for a
                // service other than AWS, AWS_ALLOW_HTTP=true for one on plain HTTP.
                // Timeouts first: the variables may set client options too (AWS_ALLOW_HTTP),
                // which a later `with_client_options` would replace.
                let mut s3 = AmazonS3Builder::new()
                    .with_client_options(
                        ClientOptions::new()
                            .with_connect_timeout(Duration::from_secs(5))
                            // A whole request, its body included: a download is read at
                            // the agent's pace (20 MB on a slow link takes minutes).
                            .with_timeout(Duration::from_secs(600)),
                    )
                    // Retried for seconds, not the crate's default minutes: a request
                    // waits on it (an agent's download, an upload).
                    .with_retry(RetryConfig {
                        max_retries: 3,
                        retry_timeout: Duration::from_secs(15),
                        ..RetryConfig::default()
                    });
                // Read as `AmazonS3Builder::from_env` reads the process's own.
                // (A variable that is not text is skipped, never a panic.)
                for (key, value) in env {
                    let (Some(key), Some(value)) = (key.to_str(), value.into_string().ok()) else {
                        continue;
                    };
                    if key.starts_with("AWS_") {
                        if let Ok(key) = key.to_ascii_lowercase().parse::<AmazonS3ConfigKey>() {
                            s3 = s3.with_config(key, value);
                        }
                    }
                }
                let s3 = s3
                    .with_bucket_name(bucket)
                    .build()
                    .map_err(|e| PlaceError::Unusable(self.to_string(), e))?;
                if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(PrefixStore::new(s3, prefix.as_str()))
                }
            }
        };
        // A listing of the top level: cheap (at most 256 folders of two hex digits), and
        // it fails as the first write would (no such bucket, refused, unreachable).
        store
            .list_with_delimiter(None)
            .await
            .map_err(|e| PlaceError::Unusable(self.to_string(), e))?;
        Ok(store)
    }

    /// The directory whose writes are synced to disk before the database refers to them.
    pub fn directory(&self) -> Option<&std::path::Path> {
        match self {
            Place::Directory(dir) => Some(dir),
            Place::Bucket { .. } => None,
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Directory(dir) => write!(f, "directory {}", dir.display()),
            Place::Bucket { bucket, prefix } if prefix.is_empty() => {
                write!(f, "bucket s3://{bucket}")
            }
            Place::Bucket { bucket, prefix } => write!(f, "bucket s3://{bucket}/{prefix}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_setting_names_a_directory_or_a_bucket() {
        let data = Path::new("/var/lib/switchboard");
        assert_eq!(
            Place::parse(None, data).unwrap(),
            Place::Directory(data.join("attachments"))
        );
        assert_eq!(
            Place::parse(Some("  "), data).unwrap(),
            Place::Directory(data.join("attachments"))
        );
        assert_eq!(
            Place::parse(Some("/srv/shared/files"), data).unwrap(),
            Place::Directory("/srv/shared/files".into())
        );
        assert_eq!(
            Place::parse(Some("file:///srv/shared"), data).unwrap(),
            Place::Directory("/srv/shared".into())
        );
        assert_eq!(
            Place::parse(Some("s3://files"), data).unwrap(),
            Place::Bucket {
                bucket: "files".into(),
                prefix: String::new()
            }
        );
        let place = Place::parse(Some("s3://files/switchboard/prod/"), data).unwrap();
        assert_eq!(
            place,
            Place::Bucket {
                bucket: "files".into(),
                prefix: "switchboard/prod".into()
            }
        );
        assert_eq!(place.to_string(), "bucket s3://files/switchboard/prod");
        for wrong in ["s3://", "gs://files", "file://relative/path"] {
            let e = Place::parse(Some(wrong), data).unwrap_err();
            assert!(e.to_string().contains(wrong), "{e}");
        }
    }
}
