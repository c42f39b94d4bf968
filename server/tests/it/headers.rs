//! Response headers a browser enforces: a Content-Security-Policy with a fresh nonce on every
//! app page (its scripts carry it), who may frame the pages, HSTS and a `__Host-` session
//! cookie over HTTPS. And the page's head as the server renders it: its title and icon.

use crate::common;

use common::TestServer;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

fn policy(response: &reqwest::Response) -> String {
    response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string()
}

/// Each page names itself in the tab from the first paint (the server's head, before the
/// WebAssembly has come), once, with the icon.
#[tokio::test]
async fn pages_carry_their_title_and_icon_in_the_servers_head() {
    let server = TestServer::start().await;
    for (path, title) in [
        ("/login", "Log in · Switchboard"),
        ("/no-such-page", "Page not found · Switchboard"),
    ] {
        let html = reqwest::get(server.url(path))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let head = html.split("</head>").next().unwrap();
        assert_eq!(head.matches("<title>").count(), 1, "{path}: {head}");
        assert!(
            head.contains(&format!("<title>{title}</title>")),
            "{path}: {head}"
        );
        assert!(
            head.contains(r#"<link rel="icon" type="image/svg+xml" href="/favicon.svg">"#),
            "{path}: {head}"
        );
    }
}

/// Every app page has a policy: scripts from this server and those carrying this response's
/// nonce only, framed by 'self' unless the operator says otherwise; the nonce changes with
/// every response.
#[tokio::test]
async fn app_pages_carry_a_policy_with_a_fresh_nonce() {
    let server = TestServer::start().await;
    let first = reqwest::get(server.url("/login")).await.unwrap();
    let csp = policy(&first);
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce")
        .to_string();
    assert!(nonce.len() >= 22, "{nonce}");
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    assert!(csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"));
    let html = first.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0, "the page hydrates with scripts");
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every inline script carries the nonce: {html}"
    );
    let again = policy(&reqwest::get(server.url("/login")).await.unwrap());
    assert!(!again.contains(&nonce), "a new nonce each time");
    // The widget's page may be framed by any site; it runs nothing inline.
    let widget = reqwest::get(server.url("/widget/chat.html")).await.unwrap();
    let csp = policy(&widget);
    assert!(
        csp.contains("frame-ancestors *") && !csp.contains("nonce"),
        "{csp}"
    );
}

/// The operator names who may frame the desktop (a host agent desktop).
#[tokio::test]
async fn frame_ancestors_follow_the_setting() {
    let server =
        TestServer::start_with(|c| c.frame_ancestors = "'self' https://desktop.example.com".into())
            .await;
    let csp = policy(&reqwest::get(server.url("/login")).await.unwrap());
    assert!(
        csp.contains("frame-ancestors 'self' https://desktop.example.com"),
        "{csp}"
    );
}

/// Over HTTPS: HSTS on every response, and the session cookie named `__Host-sb_session`
/// (Secure, Path=/, no Domain), which opens the desktop.
#[tokio::test]
async fn over_https_the_cookie_is_host_bound_and_hsts_is_sent() {
    let server = TestServer::start_with(|c| c.secure_cookies = true).await;
    server.create_agent("alice", "agent-pass-1").await;
    let login = server.login("alice", "agent-pass-1").await;
    assert_eq!(
        login.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-sb_session="), "{cookie}");
    assert!(cookie.contains("; Path=/;") && cookie.contains("; Secure"));
    assert!(!cookie.contains("Domain"));
    let pair = cookie.split(';').next().unwrap();
    let mut ws = server.ws(pair).await;
    common::send_json(
        &mut ws,
        serde_json::json!({"type": "hello", "resume_after": null}),
    )
    .await;
    common::wait_for(&mut ws, |m| {
        matches!(m, app::domain::protocol::ServerMessage::Synced { .. })
    })
    .await;
}

/// A frame-ancestors setting that could not go in a header (which would leave every page
/// without a policy) stops the server at start, saying which setting.
#[tokio::test]
async fn an_unusable_frame_ancestors_setting_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fa.db").display());
    let mut config = server::config::Config::for_tests(url, dir.path().to_path_buf());
    config.frame_ancestors = "'self'; script-src *".into();
    let refused = match server::build(&config).await {
        Err(e) => e.to_string(),
        Ok(_) => panic!("started with a policy-breaking setting"),
    };
    assert!(refused.contains("SWITCHBOARD_FRAME_ANCESTORS"), "{refused}");
}

/// SPEC D-1: a login inside the frame of a host desktop the administrator allowed, on
/// another site, gets the session cookie that travels in cross-site frames (SameSite=None,
/// Secure, Partitioned) and a CSRF token the page reads; every write and the WebSocket of
/// that session must then bring the token. A host not on the list gets the ordinary cookie.
#[tokio::test]
async fn a_session_framed_by_an_allowed_host_writes_only_with_its_csrf_token() {
    use app::domain::gadget_hosts::GadgetHosts;
    use server::store::AuditEntry;
    let server = TestServer::start_with(|c| c.secure_cookies = true).await;
    let alice = server.create_agent("alice", "agent-pass-1").await;
    server
        .services
        .store
        .save_gadget_hosts(
            &GadgetHosts {
                origins: vec!["https://finesse.example.com".into()],
            },
            &AuditEntry {
                at_ms: 0,
                agent: alice,
                action: "gadget_hosts.save".into(),
                detail: "test".into(),
            },
        )
        .await
        .unwrap();
    let login_as = |host: &'static str, window: &'static str| {
        let url = server.url("/api/login");
        async move {
            reqwest::Client::new()
                .post(url)
                .form(&[
                    ("username", "alice"),
                    ("password", "agent-pass-1"),
                    ("host", host),
                    ("window", window),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let login = |host: &'static str| login_as(host, "");
    let cookies = |response: &reqwest::Response| -> Vec<String> {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    };

    // Not on the list: the ordinary, strict cookie, and nothing else.
    let stranger = cookies(&login("https://evil.example.com").await);
    assert_eq!(stranger.len(), 1, "{stranger:?}");
    assert!(
        stranger[0].starts_with("__Host-sb_session=") && stranger[0].contains("SameSite=Strict")
    );

    // Alice chose French: her framed pages must speak it too.
    server
        .services
        .store
        .set_language(alice, Some("fr"))
        .await
        .unwrap();
    let framed = cookies(&login("https://finesse.example.com").await);
    let language = framed
        .iter()
        .find(|c| c.starts_with("sb_lang=fr;"))
        .expect("the account's language");
    assert!(
        language.contains("; SameSite=None; Secure; Partitioned"),
        "the language travels in the frame like the session: {language}"
    );
    let session = framed
        .iter()
        .find(|c| c.starts_with("__Host-sb_frame="))
        .expect("the framed session's cookie");
    for attribute in [
        "; HttpOnly",
        "; Secure",
        "; SameSite=None",
        "; Partitioned",
        "; Path=/",
    ] {
        assert!(session.contains(attribute), "{attribute} in {session}");
    }
    let csrf = framed
        .iter()
        .find(|c| c.starts_with("__Host-sb_csrf="))
        .expect("the CSRF token's cookie");
    assert!(csrf.contains("; SameSite=None") && csrf.contains("; Partitioned"));
    assert!(!csrf.contains("HttpOnly"), "the page must read it: {csrf}");
    let pair = session.split(';').next().unwrap().to_string();
    let token = csrf
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();

    // A write with the cookie alone is refused; with the token it goes through.
    let desktop = |token: Option<&str>| {
        let mut request = reqwest::Client::new()
            .post(server.url("/api/desktop"))
            .header("cookie", &pair);
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        request.send()
    };
    assert_eq!(desktop(None).await.unwrap().status(), 403);
    assert_eq!(desktop(Some("0123")).await.unwrap().status(), 403);
    assert_eq!(desktop(Some(&token)).await.unwrap().status(), 200);

    // The WebSocket likewise, with the token in its address.
    let url = format!("ws://{}/ws", server.addr);
    let mut refused = url.as_str().into_client_request().unwrap();
    refused
        .headers_mut()
        .insert("cookie", pair.parse().unwrap());
    assert!(tokio_tungstenite::connect_async(refused).await.is_err());
    let mut ws = common::socket(&format!("{url}?csrf={token}"), &pair).await;
    common::send_json(
        &mut ws,
        serde_json::json!({"type": "hello", "resume_after": null}),
    )
    .await;
    common::wait_for(&mut ws, |m| {
        matches!(m, app::domain::protocol::ServerMessage::Synced { .. })
    })
    .await;

    // "Log in in a new window": the window is first-party, so its cookies are not
    // partitioned (the frame reaches them through storage access), and it is sent to the
    // page that tells the frame; the CSRF rule is the same.
    let window = login_as("https://finesse.example.com", "1").await;
    let answer_location = window
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(answer_location.as_deref(), Some("/login?done=1"));
    let window = cookies(&window);
    let session = window
        .iter()
        .find(|c| c.starts_with("__Host-sb_frame="))
        .expect("the window's framed session cookie");
    let csrf = window
        .iter()
        .find(|c| c.starts_with("__Host-sb_csrf="))
        .expect("the window's CSRF token cookie");
    let language = window
        .iter()
        .find(|c| c.starts_with("sb_lang=fr;"))
        .expect("the account's language");
    for cookie in [session, csrf, language] {
        assert!(
            cookie.contains("; SameSite=None") && cookie.contains("; Secure"),
            "{cookie}"
        );
        assert!(!cookie.contains("Partitioned"), "{cookie}");
    }
    let pair = session.split(';').next().unwrap().to_string();
    let refused = reqwest::Client::new()
        .post(server.url("/api/desktop"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    // A page that sees a stale CSRF cookie beside this one sends both: this one proves it.
    let token = csrf.split(';').next().unwrap().split_once('=').unwrap().1;
    let with_tokens = |tokens: String| {
        reqwest::Client::new()
            .post(server.url("/api/desktop"))
            .header("cookie", &pair)
            .header("x-csrf-token", tokens)
            .send()
    };
    let stale = "0".repeat(64);
    assert_eq!(
        with_tokens(format!("{stale},{token}"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        with_tokens(format!("{stale},{}", "1".repeat(64)))
            .await
            .unwrap()
            .status(),
        403
    );

    // A frame that also holds a stale framed cookie (sent first) still works with the live
    // one, its CSRF token among those it sends.
    let stale = format!("__Host-sb_frame={}", "f".repeat(64));
    let both = reqwest::Client::new()
        .post(server.url("/api/desktop"))
        .header("cookie", format!("{stale}; {pair}"))
        .header("x-csrf-token", format!("{},{token}", "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(both.status(), 200);

    // Other sites' requests carrying the cookie read no email (a browser that allows
    // third-party cookies sends a login window's from anywhere); the desktop's own may.
    let email = |site: &'static str| {
        reqwest::Client::new()
            .get(server.url("/email/1/body"))
            .header("cookie", &pair)
            .header("sec-fetch-site", site)
            .send()
    };
    assert_eq!(email("cross-site").await.unwrap().status(), 403);
    assert_ne!(email("same-origin").await.unwrap().status(), 403);

    // A language chosen inside the frame is kept in the frame's partition too.
    let chosen = reqwest::Client::new()
        .post(server.url("/api/language"))
        .header("cookie", &pair)
        .header("x-csrf-token", token)
        .form(&[("language", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), 200);
    let chosen = cookies(&chosen);
    assert_eq!(chosen.len(), 2, "{chosen:?}");
    assert!(chosen.iter().all(|c| c.starts_with("sb_lang=en;")));
    assert!(
        chosen
            .iter()
            .any(|c| c.contains("; SameSite=None; Secure; Partitioned")),
        "{chosen:?}"
    );
    assert!(
        chosen.iter().any(|c| c.contains("; SameSite=Lax; Secure")),
        "{chosen:?}"
    );

    // Logging out clears the framed cookies both ways: the browser keeps a partitioned and
    // an unpartitioned one apart.
    let out = reqwest::Client::new()
        .post(server.url("/api/logout"))
        .header("cookie", &pair)
        .header("x-csrf-token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200, "{:?}", out.text().await);
    let cleared = cookies(&out);
    assert_eq!(cleared.len(), 5, "{cleared:?}");
    assert!(
        cleared.iter().any(|c| c.starts_with("__Host-sb_session=;")),
        "the ordinary one too: {cleared:?}"
    );
    for name in ["__Host-sb_frame=;", "__Host-sb_csrf=;"] {
        let of_name: Vec<_> = cleared.iter().filter(|c| c.starts_with(name)).collect();
        assert_eq!(of_name.len(), 2, "{name} in {cleared:?}");
        assert!(of_name.iter().all(|c| c.contains("Max-Age=0")));
        assert_eq!(
            of_name
                .iter()
                .filter(|c| c.contains("; Partitioned"))
                .count(),
            1
        );
    }
}
