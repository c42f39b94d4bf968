//! Stored files in an S3-compatible bucket (issue 14: several nodes on several machines
//! share a bucket instead of a directory), through the same `Files` the server uses, against
//! moto's S3 server. SPEC A-1 (a file kept byte for byte), A-3 (nothing of a refused upload
//! stays).

use crate::common;

use common::s3::Moto;
use server::files::{place::Place, FileError, Files};
use std::path::Path;

const BUCKET: &str = "switchboard-files";

async fn files_in(moto: &Moto, url: &str, data_dir: &Path) -> Files {
    let place = Place::parse(Some(url), data_dir).unwrap();
    Files::open(&place, os(moto.env()), data_dir, None)
        .await
        .expect("the bucket opens")
}

fn os(env: Vec<(String, String)>) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    env.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
}

fn body(
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
async fn a1_files_in_a_bucket_are_stored_once_under_the_prefix_read_back_and_removed() {
    let moto = Moto::start(BUCKET).await;
    let dir = tempfile::tempdir().unwrap();
    let files = files_in(&moto, &format!("s3://{BUCKET}/center-a/"), dir.path()).await;

    // The same bytes twice (one file attached to two emails): one object.
    let pdf = b"%PDF-1.7 quarterly invoice".to_vec();
    let a = files.put(pdf.clone()).await.unwrap();
    let b = files.put(pdf.clone()).await.unwrap();
    assert_eq!(a, b);
    assert_eq!(
        moto.keys(BUCKET).await,
        [format!("center-a/{}/{a}", &a[..2])],
        "one object, under the prefix, laid out as on disk"
    );
    assert_eq!(&files.read(&a).await.unwrap()[..], &pdf[..]);

    // An upload: refused, it leaves nothing anywhere; kept, it is in the bucket and the
    // staging folder is empty again.
    let refused = files
        .put_stream(body(&[b"MZ", b"\x90\x00"]), 100)
        .await
        .unwrap();
    drop(refused);
    let mut staged = files
        .put_stream(body(&[b"\x89PNG\r\n", b"pixels"]), 100)
        .await
        .unwrap();
    files.keep(&staged).await.unwrap();
    let upload = std::mem::take(&mut staged.upload);
    drop(staged);
    assert_eq!(upload.size, 12);
    assert_eq!(moto.keys(BUCKET).await.len(), 2);
    let staging: Vec<_> = std::fs::read_dir(dir.path().join("uploads"))
        .unwrap()
        .collect();
    assert!(staging.is_empty(), "nothing left staged: {staging:?}");

    // Read by another node with its own data directory: the same bytes.
    let elsewhere = tempfile::tempdir().unwrap();
    let other = files_in(&moto, &format!("s3://{BUCKET}/center-a"), elsewhere.path()).await;
    assert_eq!(
        &other.read(&upload.sha256).await.unwrap()[..],
        b"\x89PNG\r\npixels"
    );
    use futures_util::StreamExt;
    let (size, chunks) = other.stream(&a).await.unwrap();
    assert_eq!(size, pdf.len() as u64, "the download's length, told first");
    let streamed: Vec<u8> = chunks.map(|chunk| chunk.unwrap().to_vec()).concat().await;
    assert_eq!(streamed, pdf);

    // Removed by one node: gone for every node, and said to be missing.
    other.remove(&a).await;
    assert!(matches!(files.read(&a).await, Err(FileError::Missing(_))));
    assert!(matches!(
        files.stream(&a).await.map(|_| ()),
        Err(FileError::Missing(_))
    ));
    assert_eq!(moto.keys(BUCKET).await.len(), 1);
}

#[tokio::test]
async fn a_bucket_that_cannot_be_used_stops_the_start_naming_it_and_never_the_secret() {
    let moto = Moto::start(BUCKET).await;
    let dir = tempfile::tempdir().unwrap();
    let place = Place::parse(Some("s3://no-such-bucket/files"), dir.path()).unwrap();
    let refused = Files::open(&place, os(moto.env()), dir.path(), None)
        .await
        .err()
        .expect("a missing bucket is refused at the start");
    let said = refused.to_string();
    println!("a missing bucket: {said}");
    assert!(said.contains("s3://no-such-bucket/files"), "{said}");
    assert!(!said.contains("switchboard-test-secret"), "{said}");
}
