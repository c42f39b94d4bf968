//! A fake of Meta's Graph API for the Messenger and WhatsApp tests: an axum server on
//! 127.0.0.1 that records every request, checks the bearer token as Meta does (an unknown
//! token gets Meta's code 190), and answers the Send API as Meta documents: Messenger's
//! `{"recipient_id", "message_id"}`, WhatsApp's `{"messaging_product", "contacts",
//! "messages": [{"id"}]}`, or an error object the test scripts for the next calls; and the
//! account read the administration's Test makes (a Page's `name`, a phone number's
//! `display_phone_number` and `verified_name`). Files customers send are served as Meta
//! serves them: WhatsApp's media lookup (`GET /{version}/{media-id}`: the download address,
//! type and size) and download (with the bearer token), and Messenger's CDN addresses.

use axum::response::{IntoResponse, Response};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::Notify;

/// One request as Meta would have received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `/v25.0/{account id}/messages`.
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    token: String,
    requests: Vec<Recorded>,
    /// Answers for the next calls, before any is answered normally.
    scripted: VecDeque<(StatusCode, Value)>,
    sent: u64,
    /// This server's address.
    url: String,
    /// WhatsApp media by id, and Messenger's CDN files by name: type and bytes.
    media: HashMap<String, (String, Vec<u8>)>,
    cdn: HashMap<String, (String, Vec<u8>)>,
}

#[derive(Clone, Default)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    changed: Arc<Notify>,
}

pub struct FakeGraph {
    /// What a channel's Graph API base is set to.
    pub url: String,
    shared: Shared,
}

impl FakeGraph {
    /// Answers calls made with `token`.
    pub async fn start(token: &str) -> FakeGraph {
        let shared = Shared::default();
        shared.inner.lock().unwrap().token = token.to_string();
        let app = Router::new()
            .route("/{version}/{account}/messages", post(messages))
            .route("/{version}/{account}", get(account))
            .route("/whatsapp_business/attachments/{id}", get(media_bytes))
            .route("/cdn/{name}", get(cdn_file))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        shared.inner.lock().unwrap().url = url.clone();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeGraph { url, shared }
    }

    /// The next call gets this answer (HTTP status, body) instead of a success.
    pub fn answer_next(&self, status: u16, body: Value) {
        let status = StatusCode::from_u16(status).unwrap();
        self.shared
            .inner
            .lock()
            .unwrap()
            .scripted
            .push_back((status, body));
    }

    /// A WhatsApp medium a customer sent, under its media id.
    pub fn add_media(&self, id: &str, mime_type: &str, bytes: &[u8]) {
        let file = (mime_type.to_string(), bytes.to_vec());
        self.shared
            .inner
            .lock()
            .unwrap()
            .media
            .insert(id.into(), file);
    }

    /// A file on Messenger's CDN: its address, as an attachment's `payload.url` gives it.
    pub fn add_cdn_file(&self, name: &str, mime_type: &str, bytes: &[u8]) -> String {
        let file = (mime_type.to_string(), bytes.to_vec());
        self.shared
            .inner
            .lock()
            .unwrap()
            .cdn
            .insert(name.into(), file);
        format!("{}/cdn/{name}?_nc_cat=1&oh=00_Ab", self.url)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.inner.lock().unwrap().requests.clone()
    }

    /// The calls that carried `text` to a customer (Messenger's `message.text`, WhatsApp's
    /// `text.body`, or one of a WhatsApp template's values).
    pub fn carrying(&self, text: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| carries(r, text))
            .collect()
    }

    /// Waits for the call that carried `text`: that call, and every call until then.
    pub async fn call_carrying(&self, text: &str) -> (Recorded, Vec<Recorded>) {
        let calls = self.wait_for(|r| carries(r, text)).await;
        let call = calls.iter().find(|r| carries(r, text)).unwrap().clone();
        (call, calls)
    }

    /// Waits (at most 10 s) until a request satisfies `wanted`: the requests then.
    pub async fn wait_for(&self, wanted: impl Fn(&Recorded) -> bool) -> Vec<Recorded> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let changed = self.shared.changed.notified();
            let requests = self.requests();
            if requests.iter().any(&wanted) {
                return requests;
            }
            tokio::time::timeout_at(deadline, changed)
                .await
                .unwrap_or_else(|_| {
                    panic!("the expected Graph API call within 10 s: {requests:#?}")
                });
        }
    }
}

fn carries(call: &Recorded, text: &str) -> bool {
    let template_values = call.body["template"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|component| component["parameters"].as_array())
        .flatten();
    call.body["message"]["text"] == text
        || call.body["text"]["body"] == text
        || template_values
            .into_iter()
            .any(|value| value["text"] == text)
}

/// Meta's error object, as the Graph API answers it.
pub fn meta_error(code: i64, message: &str) -> Value {
    json!({"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGh"}})
}

/// Meta's error object with its `error_subcode`.
pub fn meta_error_sub(code: i64, subcode: i64, message: &str) -> Value {
    let mut error = meta_error(code, message);
    error["error"]["error_subcode"] = json!(subcode);
    error
}

/// Records a call and answers it as `answer` says, once its bearer token is checked (an
/// unknown token gets Meta's code 190), telling waiting tests.
fn handle(
    shared: &Shared,
    path: String,
    headers: &HeaderMap,
    body: Value,
    answer: impl FnOnce(&mut Inner, &Value) -> (StatusCode, Value),
) -> (StatusCode, Json<Value>) {
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (status, json) = {
        let mut inner = shared.inner.lock().unwrap();
        inner.requests.push(Recorded {
            path,
            authorization: authorization.clone(),
            body: body.clone(),
        });
        if authorization.as_deref() != Some(&format!("Bearer {}", inner.token)) {
            (
                StatusCode::UNAUTHORIZED,
                meta_error(
                    190,
                    "Invalid OAuth access token - Cannot parse access token",
                ),
            )
        } else {
            answer(&mut inner, &body)
        }
    };
    shared.changed.notify_waiters();
    (status, Json(json))
}

/// `POST /{version}/{account}/messages`: a sender action or read receipt taken, else a
/// scripted answer, else Meta's success with a new message id.
async fn messages(
    State(shared): State<Shared>,
    Path((version, account)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let path = format!("/{version}/{account}/messages");
    handle(&shared, path, &headers, body, |inner, body| {
        // Sender actions and read receipts: Meta's short answers, no message made.
        if !body["sender_action"].is_null() {
            return (
                StatusCode::OK,
                json!({"recipient_id": body["recipient"]["id"]}),
            );
        }
        if body["status"] == "read" {
            return (StatusCode::OK, json!({"success": true}));
        }
        if let Some(scripted) = inner.scripted.pop_front() {
            return scripted;
        }
        inner.sent += 1;
        let n = inner.sent;
        if body["messaging_product"] == "whatsapp" {
            let to = body["to"].clone();
            let sent = json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": format!("wamid.fake{n}")}]
            });
            (StatusCode::OK, sent)
        } else {
            let sent = json!({"recipient_id": body["recipient"]["id"], "message_id": format!("m_fake{n}")});
            (StatusCode::OK, sent)
        }
    })
}

/// `GET /{version}/{account}?fields=...`: the Page or phone number.
async fn account(
    State(shared): State<Shared>,
    Path((version, account)): Path<(String, String)>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    let path = format!("/{version}/{account}");
    handle(&shared, path, &headers, Value::Null, |inner, _| {
        // WhatsApp's media lookup: a download address that wants the token too.
        if let Some((mime_type, bytes)) = inner.media.get(&account) {
            let location = json!({
                "messaging_product": "whatsapp",
                "url": format!("{}/whatsapp_business/attachments/{account}?mid={account}&ext=1&hash=ATs", inner.url),
                "mime_type": mime_type,
                "sha256": "81d3bd8a8db4868c9520ed47186e8b7c5789e61ff79f7f834be6950b808a90d3",
                "file_size": bytes.len().to_string(),
                "id": account,
            });
            return (StatusCode::OK, location);
        }
        // A Page, a phone number or a person (Messenger's User Profile API): each reads
        // the fields it asked for.
        let found = json!({
            "id": account, "name": "Shop", "display_phone_number": "15550783881",
            "verified_name": "Shop", "first_name": "Jamie", "last_name": "Rivera"
        });
        (StatusCode::OK, found)
    })
}

/// A download's answer: the bytes with their type, or Meta's 404.
fn file(found: Option<&(String, Vec<u8>)>) -> Response {
    match found {
        Some((mime_type, bytes)) => {
            ([("content-type", mime_type.clone())], bytes.clone()).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Json(meta_error(100, "Object not found")),
        )
            .into_response(),
    }
}

/// A WhatsApp medium's bytes, for the bearer of the token only (recorded as a call).
async fn media_bytes(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/whatsapp_business/attachments/{id}");
    let mut found = None;
    let (status, body) = handle(&shared, path, &headers, Value::Null, |inner, _| {
        found = inner.media.get(&id).cloned();
        (StatusCode::OK, Value::Null)
    });
    if status != StatusCode::OK {
        return (status, body).into_response();
    }
    file(found.as_ref())
}

/// A file of Messenger's CDN: no token (its address is the key).
/// A name with `streamed` in it is sent in chunks without its length, as a server that
/// does not know it ahead does.
async fn cdn_file(State(shared): State<Shared>, Path(name): Path<String>) -> Response {
    let found = shared.inner.lock().unwrap().cdn.get(&name).cloned();
    match found {
        Some((mime_type, bytes)) if name.contains("streamed") => {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                bytes.chunks(1 << 20).map(|c| Ok(c.to_vec())).collect();
            let body = axum::body::Body::from_stream(futures_util::stream::iter(chunks));
            ([("content-type", mime_type)], body).into_response()
        }
        found => file(found.as_ref()),
    }
}
