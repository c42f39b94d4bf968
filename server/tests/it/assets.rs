//! Issue 13: what a browser downloads is compressed as it asks, the built files (named by
//! their content's hash) are kept for a year, files with a fixed name are checked again on
//! each use, pages are never kept, and a WebSocket still opens when the browser offers
//! compression on its upgrade (as every browser does).

use crate::common;

use common::TestServer;
use std::io::Write;

/// A site root with a hashed Wasm file and the widget's loader, as a release build leaves.
fn site() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    // Compressible like real Wasm: repeated instruction patterns.
    let wasm: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8 ^ 0x5a).collect();
    std::fs::write(dir.path().join("pkg/switchboard.3f9a2b7c1d8e.wasm"), &wasm).unwrap();
    let mut loader = std::fs::File::create(dir.path().join("widget.js")).unwrap();
    for _ in 0..100 {
        writeln!(loader, "// the widget's loader, a line of it").unwrap();
    }
    (dir, wasm)
}

async fn get(url: String, accept: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn built_files_are_compressed_and_kept_for_a_year() {
    let (dir, wasm) = site();
    let root = dir.path().display().to_string();
    let server = TestServer::start_with(|c| c.site_root = root).await;
    let url = server.url("/pkg/switchboard.3f9a2b7c1d8e.wasm");

    let br = get(url.clone(), "gzip, deflate, br").await;
    assert_eq!(br.status(), 200);
    assert_eq!(header(&br, "content-encoding").as_deref(), Some("br"));
    assert_eq!(
        header(&br, "cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    let sent = br.bytes().await.unwrap().len();
    assert!(
        sent * 4 < wasm.len(),
        "{sent} bytes sent for {} bytes of Wasm",
        wasm.len()
    );

    let gzip = get(url.clone(), "gzip").await;
    assert_eq!(header(&gzip, "content-encoding").as_deref(), Some("gzip"));
    // A client that accepts neither gets the file as it is.
    let plain = get(url, "identity").await;
    assert_eq!(header(&plain, "content-encoding"), None);
    assert_eq!(plain.bytes().await.unwrap().as_ref(), wasm.as_slice());

    let loader = get(server.url("/widget.js"), "gzip, br").await;
    assert_eq!(loader.status(), 200);
    assert_eq!(header(&loader, "content-encoding").as_deref(), Some("br"));
    assert_eq!(
        header(&loader, "cache-control").as_deref(),
        Some("no-cache")
    );

    let page = get(server.url("/login"), "gzip, br").await;
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "content-encoding").as_deref(), Some("br"));
    assert_eq!(
        header(&page, "cache-control").as_deref(),
        Some("private, no-cache")
    );
}

/// The release build leaves each file's Brotli and gzip forms beside it (`cargo leptos
/// build --precompress`, `.ci/lib.sh`): those are sent byte for byte, to the browser that
/// accepts each, kept for a year like the file, and named in `Vary` so that no cache hands
/// one form to a browser that asked for the other.
#[tokio::test]
async fn precompressed_forms_are_sent_as_they_are_to_the_browser_that_takes_them() {
    let (dir, wasm) = site();
    let file = dir.path().join("pkg/switchboard.3f9a2b7c1d8e.wasm");
    // Markers, not real compressions: only the file itself would make them on the fly.
    let br_form = b"the build's Brotli form".to_vec();
    let gz_form = b"the build's gzip form".to_vec();
    std::fs::write(file.with_extension("wasm.br"), &br_form).unwrap();
    std::fs::write(file.with_extension("wasm.gz"), &gz_form).unwrap();
    let root = dir.path().display().to_string();
    let server = TestServer::start_with(|c| c.site_root = root).await;
    let url = server.url("/pkg/switchboard.3f9a2b7c1d8e.wasm");

    for (accept, encoding, form) in [
        ("gzip, deflate, br, zstd", "br", &br_form),
        ("gzip", "gzip", &gz_form),
    ] {
        let response = get(url.clone(), accept).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            header(&response, "content-encoding").as_deref(),
            Some(encoding)
        );
        assert_eq!(
            header(&response, "content-type").as_deref(),
            Some("application/wasm")
        );
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        let vary = header(&response, "vary").unwrap_or_default().to_lowercase();
        assert!(vary.contains("accept-encoding"), "vary: {vary:?}");
        assert_eq!(&response.bytes().await.unwrap().to_vec(), form);
    }
    let plain = get(url, "identity").await;
    assert_eq!(header(&plain, "content-encoding"), None);
    assert_eq!(plain.bytes().await.unwrap().as_ref(), wasm.as_slice());
}

/// A file with a fixed name (the widget's loader, on every page of a customer's site) is
/// checked again on each use: unchanged, it is answered 304 without its bytes, in whichever
/// form the browser takes. A path that is no file still gets the app's page, whatever the
/// method.
#[tokio::test]
async fn a_file_checked_again_unchanged_is_not_sent_again() {
    let (dir, _) = site();
    let root = dir.path().display().to_string();
    let server = TestServer::start_with(|c| c.site_root = root).await;
    for accept in ["gzip, br", "identity"] {
        let first = get(server.url("/widget.js"), accept).await;
        assert_eq!(first.status(), 200);
        let modified = header(&first, "last-modified").expect("a Last-Modified");
        assert!(!first.bytes().await.unwrap().is_empty());
        let again = reqwest::Client::new()
            .get(server.url("/widget.js"))
            .header("accept-encoding", accept)
            .header("if-modified-since", &modified)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{accept}");
        assert_eq!(header(&again, "cache-control").as_deref(), Some("no-cache"));
        assert!(again.bytes().await.unwrap().is_empty());
    }
    let missing = get(server.url("/no-such-page"), "identity").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Page not found"));
    let posted = reqwest::Client::new()
        .post(server.url("/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 404);
}

#[tokio::test]
async fn a_websocket_opens_when_the_browser_offers_compression() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let server = TestServer::start().await;
    let problem = server.queue("Support", &[]).await;
    let cookie = server.start_chat("Zoé", problem).await;
    let mut request = format!("ws://{}/widget/ws", server.addr)
        .into_client_request()
        .unwrap();
    let headers = request.headers_mut();
    headers.insert("cookie", cookie.parse().unwrap());
    headers.insert("accept-encoding", "gzip, deflate, br".parse().unwrap());
    let (mut ws, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the socket opens");
    assert_eq!(response.status(), 101);
    assert!(response.headers().get("content-encoding").is_none());
    common::send_json(
        &mut ws,
        serde_json::json!({"type": "hello", "resume_after": 0}),
    )
    .await;
    // The welcome line comes through the socket as it is.
    match common::next_widget(&mut ws).await {
        app::domain::widget::WidgetMessage::Line { .. } => {}
        other => panic!("expected the welcome line, got {other:?}"),
    }
}

/// The widget loads its words from the server, in the language the host page gave it: the
/// app's own translation files, for the languages it speaks and no other.
#[tokio::test]
async fn the_widget_gets_its_words_in_french_and_no_language_it_does_not_speak() {
    let server = TestServer::start().await;
    let fr = get(server.url("/widget/i18n/fr.json"), "identity").await;
    assert_eq!(fr.status(), 200);
    assert_eq!(
        header(&fr, "content-type").as_deref(),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        header(&fr, "cache-control").as_deref(),
        Some("public, max-age=300")
    );
    let words: serde_json::Value = fr.json().await.unwrap();
    assert_eq!(words["chat"]["send"], "Envoyer");
    let en: serde_json::Value = get(server.url("/widget/i18n/en.json"), "identity")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(en["chat"]["send"], "Send");
    for other in [
        "/widget/i18n/de.json",
        "/widget/i18n/fr",
        "/widget/i18n/fr-CA.json",
    ] {
        assert_eq!(
            get(server.url(other), "identity").await.status(),
            404,
            "{other}"
        );
    }
}
