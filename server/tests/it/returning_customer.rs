//! Issue 17: a returning widget customer is the same customer. The chat's start remembers
//! the browser as its customer (a signed, HttpOnly cookie for a year); the next chat from
//! that browser with the same email address (any case, or one a link kept) is the same
//! customer's, with the name typed now. Another address from the same browser (a shared
//! computer) is someone new; a forged or missing cookie is nobody; the widget's "Forget
//! this browser" drops the cookie.

use crate::common;

use common::TestServer;
use serde_json::{json, Value};

/// Starts a chat as the widget does, with the cookies given; returns the chat's customer
/// and the cookies the server set (name=value, with their attributes).
async fn start(
    server: &TestServer,
    cookies: &str,
    name: &str,
    email: &str,
    problem: i64,
) -> (i64, Vec<String>) {
    start_with_phone(server, cookies, name, email, "", problem).await
}

async fn start_with_phone(
    server: &TestServer,
    cookies: &str,
    name: &str,
    email: &str,
    phone: &str,
    problem: i64,
) -> (i64, Vec<String>) {
    let mut request = reqwest::Client::new()
        .post(server.url("/widget/api/start"))
        .json(&json!({"name": name, "email": email, "phone": phone, "problem": problem}));
    if !cookies.is_empty() {
        request = request.header("cookie", cookies);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let set: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let body: Value = response.json().await.unwrap();
    let contact = app::domain::ids::ContactId(body["contact"].as_i64().unwrap());
    let customer = server
        .services
        .store
        .contact(contact)
        .await
        .unwrap()
        .customer;
    (customer.0, set)
}

/// The `name=value` of the cookie `name` among `Set-Cookie` values.
fn cookie(set: &[String], name: &str) -> String {
    set.iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("{name} set: {set:?}"))
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn issue17_the_same_browser_and_address_make_one_customer() {
    // Ten starts from one address here: more than a customer's minute allows.
    let server = TestServer::start_with(|c| c.chat_starts_per_minute = 20).await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    let problem = server.queue("Support", &[ann]).await;

    let (first, set) = start(&server, "", "Zoé Martin", "zoe@example.com", problem).await;
    let remembered = set
        .iter()
        .find(|c| c.starts_with("sb_customer="))
        .expect("the browser is remembered");
    assert!(
        remembered.contains("HttpOnly")
            && remembered.contains("Path=/widget")
            && remembered.contains("Max-Age=31536000"),
        "{remembered}"
    );
    let browser = cookie(&set, "sb_customer");

    // Someone else gave a number first.
    let (max, _) = start_with_phone(
        &server,
        "",
        "Max",
        "max@example.com",
        "+33 6 12 34 56 78",
        problem,
    )
    .await;

    // The same browser, the same address in other case: the same customer, renamed; the
    // number she types now, Max's, stays his.
    let (again, set) = start_with_phone(
        &server,
        &browser,
        "Zoé Martin-Roy",
        "ZOE@example.com",
        "+33 6 12 34 56 78",
        problem,
    )
    .await;
    assert_eq!(again, first, "one customer");
    let customer = server
        .services
        .store
        .customer(app::domain::ids::CustomerId(first))
        .await
        .unwrap();
    assert_eq!(customer.name, "Zoé Martin-Roy", "the name typed now");
    assert_eq!(customer.phone, None, "Max's number is not taken over");
    assert_ne!(max, first);
    let renewed = cookie(&set, "sb_customer");
    let now_secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(
        server
            .services
            .token_key
            .verify_customer(renewed.trim_start_matches("sb_customer="), now_secs)
            .map(|c| c.0),
        Some(first),
        "renewed"
    );
    let history = server
        .services
        .store
        .customer_contacts(
            app::domain::ids::CustomerId(first),
            app::domain::ids::ContactId(0),
            10,
        )
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "both chats in the customer's history");

    // The same browser, another address (someone else at the same computer): a new
    // customer, and the browser now remembered as them.
    let (other, set) = start(&server, &browser, "Léa Dubois", "lea@example.com", problem).await;
    assert_ne!(other, first);
    assert_ne!(cookie(&set, "sb_customer"), browser);

    // The same address without the cookie, or with one forged (a chat's token, another
    // id signed by nobody): a new customer each time; nobody gets Zoé's history by typing
    // her address.
    let (stranger, _) = start(&server, "", "Zoé Martin", "zoe@example.com", problem).await;
    assert_ne!(stranger, first);
    let keys = &server.services.token_key;
    // A chat's token for a contact whose id is Zoé's customer id: another purpose.
    let chat_token = format!(
        "sb_customer={}",
        keys.sign(app::domain::ids::ContactId(first))
    );
    let forged = format!("sb_customer=4102444800.{first}.{}", "0".repeat(64));
    // Signed right, but past its year.
    let expired = format!(
        "sb_customer={}",
        keys.sign_customer(app::domain::ids::CustomerId(first), 1_000)
    );
    for fake in [chat_token, forged, expired] {
        let (nobody, _) = start(&server, &fake, "Zoé Martin", "zoe@example.com", problem).await;
        assert!(nobody != first && nobody != stranger, "{fake}");
    }

    // The widget says the browser is remembered, and forgets it when asked.
    let session: Value = reqwest::Client::new()
        .get(server.url("/widget/api/session"))
        .header("cookie", &browser)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["remembered"], true, "{session}");
    assert_eq!(session["chat"], Value::Null);
    let forget = reqwest::Client::new()
        .post(server.url("/widget/api/forget"))
        .header("cookie", &browser)
        .send()
        .await
        .unwrap();
    assert_eq!(forget.status(), 200);
    let dropped = forget.headers()["set-cookie"].to_str().unwrap();
    assert!(
        dropped.starts_with("sb_customer=;") && dropped.contains("Max-Age=0"),
        "{dropped}"
    );
}
