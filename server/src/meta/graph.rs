//! Meta's Graph API, as the business's side of a conversation calls it (SPEC F-1, F-3): the
//! Messenger Send API (`POST /{page-id}/messages`) and the WhatsApp Cloud API
//! (`POST /{phone-number-id}/messages`), with the channel's access token as a bearer token
//! (never in an address, where logs keep it). Requests and answers are the shapes Meta
//! documents; an error answer is Meta's error object (`error.code`, `error.message`), sorted
//! by [`app::domain::meta::SendFailure`].

use app::domain::{
    message_template::TemplateUse,
    meta::{MetaChannel, MetaRefusal, SendFailure, ECHO_MARK},
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// How long one call may take before it counts as failed (and is tried again).
const CALL_TIMEOUT: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one file a customer sent may take to download (up to 25 MB).
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// The business's account on a channel, as calls name it.
pub struct Account<'a> {
    pub channel: MetaChannel,
    /// `https://graph.facebook.com`, or a test's fake.
    pub base: &'a str,
    /// `v25.0`.
    pub version: &'a str,
    /// The Facebook Page's id, or the WhatsApp phone number id.
    pub id: &'a str,
    pub access_token: &'a str,
}

impl<'a> Account<'a> {
    /// The account a stored channel names, called with `access_token` (opened from it).
    pub fn of(stored: &'a crate::store::meta::StoredMetaChannel, access_token: &'a str) -> Self {
        let settings = &stored.settings;
        Account {
            channel: stored.channel,
            base: &settings.graph_api_base,
            version: &settings.graph_api_version,
            id: &settings.account_id,
            access_token,
        }
    }
}

/// A call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Meta was not reached, or did not answer in time.
    #[error("Meta's Graph API not reached: {0}")]
    Network(String),
    /// Meta answered with its error object.
    #[error("Meta refused (HTTP {http_status}, code {code}): {message}")]
    Api {
        http_status: u16,
        code: i64,
        subcode: Option<i64>,
        message: String,
    },
    /// Meta answered with something that is not its error object.
    #[error("Meta answered HTTP {http_status} with an unreadable body")]
    Unreadable { http_status: u16 },
}

impl GraphError {
    /// What to do about it: try again, or tell the agent.
    pub fn failure(&self) -> SendFailure {
        match self {
            GraphError::Network(_) => SendFailure::Transient,
            GraphError::Unreadable { http_status } if *http_status >= 500 => SendFailure::Transient,
            GraphError::Unreadable { http_status } => SendFailure::Refused(MetaRefusal::Other {
                code: 0,
                message: format!("HTTP {http_status}"),
            }),
            GraphError::Api {
                http_status,
                code,
                subcode,
                message,
            } => SendFailure::from_error(*http_status, *code, *subcode, message),
        }
    }
}

/// Meta's error object.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorObject,
}

#[derive(Deserialize)]
struct ErrorObject {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: i64,
    error_subcode: Option<i64>,
}

/// What Meta answers to a send: Messenger's `message_id`, or WhatsApp's `messages[0].id`.
#[derive(Deserialize)]
struct Sent {
    message_id: Option<String>,
    #[serde(default)]
    messages: Vec<SentMessage>,
}

#[derive(Deserialize)]
struct SentMessage {
    id: String,
}

/// Where a WhatsApp medium is downloaded from (the address lasts five minutes and is read
/// with the access token), and what Meta says of it.
#[derive(Debug, Deserialize)]
pub struct MediaLocation {
    pub url: String,
    pub mime_type: Option<String>,
    /// Meta's reference writes it as text (`"303833"`); a number is read too.
    #[serde(default, deserialize_with = "number_in_text")]
    pub file_size: Option<u64>,
}

fn number_in_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    })
}

/// What the customer sees of the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderAction {
    Typing(bool),
    Seen,
}

/// One client for every call (its connections are kept and reused).
#[derive(Clone)]
pub struct Graph {
    http: graph_http::Client,
}

impl Default for Graph {
    fn default() -> Self {
        let http = graph_http::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .unwrap_or_default();
        Graph { http }
    }
}

/// What goes to the customer: a text (`human_agent`, Messenger: an agent's reply after the
/// 24-hour window, sent with the human-agent tag), or a WhatsApp template with its values.
#[derive(Debug, Clone, Copy)]
pub enum Outgoing<'a> {
    Text { text: &'a str, human_agent: bool },
    Template(&'a TemplateUse),
}

impl Graph {
    /// Sends a message to the customer: Meta's id of it.
    pub async fn send(
        &self,
        account: &Account<'_>,
        recipient: &str,
        outgoing: Outgoing<'_>,
    ) -> Result<String, GraphError> {
        let (text, human_agent) = match outgoing {
            Outgoing::Text { text, human_agent } => (text, human_agent),
            Outgoing::Template(template) => {
                return self.send_template(account, recipient, template).await;
            }
        };
        let body = match account.channel {
            MetaChannel::Messenger => {
                let mut body = json!({
                    "recipient": {"id": recipient},
                    "messaging_type": "RESPONSE",
                    // Comes back in the message's echo: ours, not the Page inbox's.
                    "message": {"text": text, "metadata": ECHO_MARK},
                });
                if human_agent {
                    body["messaging_type"] = json!("MESSAGE_TAG");
                    body["tag"] = json!("HUMAN_AGENT");
                }
                body
            }
            MetaChannel::WhatsApp => {
                let mut body = json!({
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "type": "text",
                    "text": {"preview_url": false, "body": text},
                });
                body[whatsapp_recipient_field(recipient)] = Value::from(recipient);
                body
            }
        };
        self.post_message(account, &body).await
    }

    /// A WhatsApp template message (SPEC F-3), its values as the body's text parameters in
    /// order, as the Cloud API documents it.
    async fn send_template(
        &self,
        account: &Account<'_>,
        recipient: &str,
        template: &TemplateUse,
    ) -> Result<String, GraphError> {
        let mut sent = json!({
            "name": template.name,
            "language": {"policy": "deterministic", "code": template.language},
        });
        if !template.parameters.is_empty() {
            let parameters: Vec<Value> = template
                .parameters
                .iter()
                .map(|text| json!({"type": "text", "text": text}))
                .collect();
            sent["components"] = json!([{"type": "body", "parameters": parameters}]);
        }
        let mut body = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "type": "template",
            "template": sent,
        });
        body[whatsapp_recipient_field(recipient)] = Value::from(recipient);
        self.post_message(account, &body).await
    }

    /// Posts a message to the account's `messages` edge: Meta's id of it.
    async fn post_message(
        &self,
        account: &Account<'_>,
        body: &Value,
    ) -> Result<String, GraphError> {
        let answer = self.post(account, "messages", body).await?;
        let sent: Sent = serde_json::from_value(answer)
            .map_err(|_| GraphError::Unreadable { http_status: 200 })?;
        sent.message_id
            .or_else(|| sent.messages.into_iter().next().map(|m| m.id))
            .ok_or(GraphError::Unreadable { http_status: 200 })
    }

    /// Reads the business's account with the channel's token (the administration's Test):
    /// the Page's name, or the WhatsApp number with its verified name.
    pub async fn check(&self, account: &Account<'_>) -> Result<String, GraphError> {
        let fields = match account.channel {
            MetaChannel::Messenger => "id,name",
            MetaChannel::WhatsApp => "id,display_phone_number,verified_name",
        };
        let url = format!(
            "{}/{}/{}?fields={fields}",
            account.base.trim_end_matches('/'),
            account.version,
            account.id
        );
        let answer = self
            .answer(self.http.get(url).bearer_auth(account.access_token))
            .await?;
        let text = |key: &str| answer[key].as_str().unwrap_or_default().to_string();
        Ok(match account.channel {
            MetaChannel::Messenger => text("name"),
            MetaChannel::WhatsApp => {
                format!("{} {}", text("display_phone_number"), text("verified_name"))
                    .trim()
                    .to_string()
            }
        })
    }

    /// What the customer sees of the agent: Messenger's sender actions (`typing_on`,
    /// `typing_off`, `mark_seen`); WhatsApp's read receipt of the customer's last message,
    /// with the typing indicator when the agent types (it goes by itself when the reply
    /// comes, or after 25 s). Nothing to send for WhatsApp without a message to mark.
    pub async fn sender_action(
        &self,
        account: &Account<'_>,
        recipient: &str,
        last_message: Option<&str>,
        action: SenderAction,
    ) -> Result<(), GraphError> {
        let body = match account.channel {
            MetaChannel::Messenger => {
                let action = match action {
                    SenderAction::Typing(true) => "typing_on",
                    SenderAction::Typing(false) => "typing_off",
                    SenderAction::Seen => "mark_seen",
                };
                json!({"recipient": {"id": recipient}, "sender_action": action})
            }
            MetaChannel::WhatsApp => {
                let Some(message) = last_message else {
                    return Ok(());
                };
                match action {
                    SenderAction::Typing(false) => return Ok(()),
                    SenderAction::Typing(true) => json!({
                        "messaging_product": "whatsapp",
                        "status": "read",
                        "message_id": message,
                        "typing_indicator": {"type": "text"},
                    }),
                    SenderAction::Seen => json!({
                        "messaging_product": "whatsapp",
                        "status": "read",
                        "message_id": message,
                    }),
                }
            }
        };
        self.post(account, "messages", &body).await.map(|_| ())
    }

    /// Messenger's User Profile API: the name of the person behind a page-scoped id, when
    /// Meta gives it (it may not, for some ids or without the permission).
    pub async fn profile_name(
        &self,
        account: &Account<'_>,
        psid: &str,
    ) -> Result<Option<String>, GraphError> {
        let url = format!(
            "{}/{}/{psid}?fields=first_name,last_name",
            account.base.trim_end_matches('/'),
            account.version
        );
        let answer = self
            .answer(self.http.get(url).bearer_auth(account.access_token))
            .await?;
        let part = |key: &str| {
            answer[key]
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let name = [part("first_name"), part("last_name")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Some(name).filter(|n| !n.is_empty()))
    }

    /// WhatsApp's media lookup (`GET /{version}/{media-id}`): where the customer's file
    /// can be downloaded. `media_id` is Meta's (letters and digits), checked by the caller.
    pub async fn media_location(
        &self,
        account: &Account<'_>,
        media_id: &str,
    ) -> Result<MediaLocation, GraphError> {
        let url = format!(
            "{}/{}/{}",
            account.base.trim_end_matches('/'),
            account.version,
            media_id
        );
        let answer = self
            .answer(self.http.get(url).bearer_auth(account.access_token))
            .await?;
        serde_json::from_value(answer).map_err(|_| GraphError::Unreadable { http_status: 200 })
    }

    /// Starts the download of a customer's file: the answer, once its status says the bytes
    /// follow (read them as they come). WhatsApp's addresses want the access token
    /// (`bearer`); Messenger's are plain addresses of Meta's CDN.
    pub async fn download(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<graph_http::Response, GraphError> {
        let mut request = self.http.get(url).timeout(DOWNLOAD_TIMEOUT);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| GraphError::Network(e.without_url().to_string()))?;
        let http_status = response.status().as_u16();
        if (200..300).contains(&http_status) {
            return Ok(response);
        }
        let bytes = response.bytes().await.unwrap_or_default();
        Err(refusal(http_status, &bytes))
    }

    /// A call to `{base}/{version}/{account id}/{edge}`: Meta's answer as JSON.
    async fn post(
        &self,
        account: &Account<'_>,
        edge: &str,
        body: &Value,
    ) -> Result<Value, GraphError> {
        let url = format!(
            "{}/{}/{}/{edge}",
            account.base.trim_end_matches('/'),
            account.version,
            account.id
        );
        self.answer(
            self.http
                .post(url)
                .bearer_auth(account.access_token)
                .json(body),
        )
        .await
    }

    /// Makes the call: Meta's answer as JSON, or its error.
    async fn answer(&self, request: graph_http::RequestBuilder) -> Result<Value, GraphError> {
        let response = request
            .send()
            .await
            .map_err(|e| GraphError::Network(e.without_url().to_string()))?;
        let http_status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| GraphError::Network(e.without_url().to_string()))?;
        if (200..300).contains(&http_status) {
            return serde_json::from_slice(&bytes)
                .map_err(|_| GraphError::Unreadable { http_status });
        }
        Err(refusal(http_status, &bytes))
    }
}

/// An answer that is not a success: Meta's error object, or what it is when not one.
fn refusal(http_status: u16, body: &[u8]) -> GraphError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error }) => GraphError::Api {
            http_status,
            code: error.code,
            subcode: error.error_subcode,
            message: error.message,
        },
        Err(_) => GraphError::Unreadable { http_status },
    }
}

/// WhatsApp addresses a customer by phone number (`to`), or, when the customer's number is
/// not shared, by their business-scoped user id (`recipient`: a country code, a dot, and
/// letters and digits, such as `US.13491208655302741918`).
fn whatsapp_recipient_field(recipient: &str) -> &'static str {
    if recipient.contains('.') {
        "recipient"
    } else {
        "to"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whatsapp_customer_is_addressed_by_number_or_by_business_scoped_id() {
        assert_eq!(whatsapp_recipient_field("16505551234"), "to");
        assert_eq!(
            whatsapp_recipient_field("US.13491208655302741918"),
            "recipient"
        );
    }

    #[test]
    fn an_unreadable_answer_is_tried_again_only_when_meta_failed() {
        assert_eq!(
            GraphError::Unreadable { http_status: 502 }.failure(),
            SendFailure::Transient
        );
        assert!(matches!(
            GraphError::Unreadable { http_status: 404 }.failure(),
            SendFailure::Refused(_)
        ));
        assert_eq!(
            GraphError::Network("timed out".into()).failure(),
            SendFailure::Transient
        );
    }
}
