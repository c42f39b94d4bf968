//! Messenger and WhatsApp as the administrator sets them up (SPEC F-1, F-3, D-2): the queue
//! their conversations go to, the business's name and account on Meta, the webhook's verify
//! token, the Graph API's address and version, and two secrets (the app secret that signs
//! the webhook's posts, the token the Graph API is called with) that go one way: typed in
//! the page, sealed at rest, never shown again. The same rules check the page as it is typed
//! and the server whatever it is sent.

use super::{
    gadget_hosts,
    ids::CsqId,
    limits::{MAX_BUSINESS_NAME_CHARS, MAX_CHANNEL_SECRET_CHARS},
    message_template::{validate_templates, MessageTemplate},
    meta::{MetaChannel, DEFAULT_GRAPH_API_BASE, DEFAULT_GRAPH_API_VERSION},
    validate::{Field, FieldError, Problem},
};
use serde::{Deserialize, Serialize};

/// A channel as the administration shows it: its secrets only as whether they are set.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MetaChannelAdmin {
    pub channel: MetaChannel,
    pub enabled: bool,
    pub csq: Option<CsqId>,
    pub business_name: String,
    pub account_id: String,
    pub verify_token: String,
    pub human_agent_tag: bool,
    /// WhatsApp: the approved templates agents may send past the 24-hour window (F-3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<MessageTemplate>,
    pub graph_api_base: String,
    pub graph_api_version: String,
    pub app_secret_set: bool,
    pub access_token_set: bool,
}

impl MetaChannelAdmin {
    /// A channel never set up.
    pub fn unset(channel: MetaChannel) -> Self {
        MetaChannelAdmin {
            channel,
            enabled: false,
            csq: None,
            business_name: String::new(),
            account_id: String::new(),
            verify_token: String::new(),
            human_agent_tag: false,
            templates: Vec::new(),
            graph_api_base: DEFAULT_GRAPH_API_BASE.into(),
            graph_api_version: DEFAULT_GRAPH_API_VERSION.into(),
            app_secret_set: false,
            access_token_set: false,
        }
    }

    /// Where Meta is told to post the channel's events, on this server.
    pub fn webhook_path(&self) -> String {
        format!("/webhooks/{}", self.channel.name())
    }
}

/// The administrator's form: a secret left empty keeps the one saved, but for the access
/// token when the Graph API's address changes (the saved token never goes to another host
/// than the one it was typed for).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaChannelEdit {
    pub channel: MetaChannel,
    pub enabled: bool,
    pub csq: Option<CsqId>,
    pub business_name: String,
    pub account_id: String,
    pub verify_token: String,
    pub human_agent_tag: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<MessageTemplate>,
    pub graph_api_base: String,
    pub graph_api_version: String,
    pub app_secret: String,
    pub access_token: String,
}

/// Never the secrets, whatever logs it.
impl std::fmt::Debug for MetaChannelEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let typed = |secret: &str| if secret.is_empty() { "" } else { "<hidden>" };
        f.debug_struct("MetaChannelEdit")
            .field("channel", &self.channel)
            .field("enabled", &self.enabled)
            .field("csq", &self.csq)
            .field("business_name", &self.business_name)
            .field("account_id", &self.account_id)
            .field("verify_token", &self.verify_token)
            .field("human_agent_tag", &self.human_agent_tag)
            .field("templates", &self.templates.len())
            .field("graph_api_base", &self.graph_api_base)
            .field("graph_api_version", &self.graph_api_version)
            .field("app_secret", &typed(&self.app_secret))
            .field("access_token", &typed(&self.access_token))
            .finish()
    }
}

/// Verify tokens are between these lengths (Meta sends it back as it was typed).
const VERIFY_TOKEN_CHARS: (usize, usize) = (8, 128);
/// Page and phone number ids are digits, this many at most.
const MAX_ACCOUNT_ID_CHARS: usize = 32;

impl MetaChannelEdit {
    /// The form as it starts for a channel.
    pub fn of(admin: &MetaChannelAdmin) -> Self {
        MetaChannelEdit {
            channel: admin.channel,
            enabled: admin.enabled,
            csq: admin.csq,
            business_name: admin.business_name.clone(),
            account_id: admin.account_id.clone(),
            verify_token: admin.verify_token.clone(),
            human_agent_tag: admin.human_agent_tag,
            templates: admin.templates.clone(),
            graph_api_base: admin.graph_api_base.clone(),
            graph_api_version: admin.graph_api_version.clone(),
            app_secret: String::new(),
            access_token: String::new(),
        }
    }

    /// Spaces around what was typed are not part of it; the Graph API's address in its
    /// usual form (a test server's too). Templates are WhatsApp's only; Messenger's
    /// human-agent tag Messenger's only.
    pub fn normalized(self) -> Self {
        let base = self.graph_api_base.trim();
        let templates = match self.channel {
            MetaChannel::WhatsApp => self
                .templates
                .iter()
                .map(|t| MessageTemplate {
                    name: t.name.trim().into(),
                    language: t.language.trim().into(),
                    text: t.text.trim().into(),
                })
                .collect(),
            MetaChannel::Messenger => Vec::new(),
        };
        MetaChannelEdit {
            human_agent_tag: self.human_agent_tag && self.channel == MetaChannel::Messenger,
            templates,
            business_name: self.business_name.trim().into(),
            account_id: self.account_id.trim().into(),
            verify_token: self.verify_token.trim().into(),
            graph_api_base: gadget_hosts::normalize(base).unwrap_or_else(|| base.into()),
            graph_api_version: self.graph_api_version.trim().into(),
            app_secret: self.app_secret.trim().into(),
            access_token: self.access_token.trim().into(),
            ..self
        }
    }

    /// Whether the saved access token stays: none typed, and the Graph API's address the
    /// one it was saved for.
    pub fn keeps_token(&self, before: &MetaChannelAdmin) -> bool {
        before.access_token_set
            && self.access_token.is_empty()
            && self.graph_api_base == before.graph_api_base
    }

    /// Every problem, by field. `csqs`: each CSQ with whether it is retired; `before`: the
    /// channel as stored (its secrets may be kept).
    pub fn validate(
        &self,
        csqs: &[(CsqId, bool)],
        before: &MetaChannelAdmin,
    ) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut problem = |field: Field, problem: Problem| {
            errors.push(FieldError::new(field, problem));
        };
        let too_long = |text: &str, max: usize| {
            let given = text.chars().count();
            (given > max).then_some(Problem::TooManyChars { max, given })
        };
        let needed = self.enabled;
        match self.csq {
            None if needed => problem(Field::Csqs, Problem::Required),
            None => {}
            Some(id) => match csqs.iter().find(|(c, _)| *c == id) {
                None => problem(Field::Csqs, Problem::UnknownId { id: id.0 }),
                Some((_, true)) if before.csq != Some(id) => problem(Field::Csqs, Problem::Retired),
                Some(_) => {}
            },
        }
        if let Some(p) = too_long(&self.business_name, MAX_BUSINESS_NAME_CHARS) {
            problem(Field::BusinessName, p);
        } else if needed && self.business_name.is_empty() {
            problem(Field::BusinessName, Problem::Required);
        }
        if self.account_id.is_empty() {
            if needed {
                problem(Field::AccountId, Problem::Required);
            }
        } else if self.account_id.chars().count() > MAX_ACCOUNT_ID_CHARS
            || !self.account_id.chars().all(|c| c.is_ascii_digit())
        {
            problem(
                Field::AccountId,
                Problem::NotLike {
                    example: "106540352242922".into(),
                },
            );
        }
        let token_chars = self.verify_token.chars().count();
        if self.verify_token.is_empty() {
            if needed {
                problem(Field::VerifyToken, Problem::Required);
            }
        } else if let Some(p) = too_long(&self.verify_token, VERIFY_TOKEN_CHARS.1) {
            problem(Field::VerifyToken, p);
        } else if token_chars < VERIFY_TOKEN_CHARS.0 {
            problem(
                Field::VerifyToken,
                Problem::TooFewChars {
                    min: VERIFY_TOKEN_CHARS.0,
                    given: token_chars,
                },
            );
        } else if self
            .verify_token
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            problem(
                Field::VerifyToken,
                Problem::NotLike {
                    example: "shop-verify-7f3a9c".into(),
                },
            );
        }
        for (field, typed, set) in [
            (Field::AppSecret, &self.app_secret, before.app_secret_set),
            (
                Field::AccessToken,
                &self.access_token,
                self.keeps_token(before),
            ),
        ] {
            if let Some(p) = too_long(typed, MAX_CHANNEL_SECRET_CHARS) {
                problem(field, p);
            } else if needed && typed.is_empty() && !set {
                problem(field, Problem::Required);
            }
        }
        if gadget_hosts::normalize(&self.graph_api_base).is_none() {
            problem(
                Field::GraphApiBase,
                Problem::NotLike {
                    example: DEFAULT_GRAPH_API_BASE.into(),
                },
            );
        }
        if !is_version(&self.graph_api_version) {
            problem(
                Field::GraphApiVersion,
                Problem::NotLike {
                    example: DEFAULT_GRAPH_API_VERSION.into(),
                },
            );
        }
        errors.extend(validate_templates(&self.templates));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What the administration's Test reports: what Meta answered of the account (the Page's
/// name, the number and its verified name), or why it did not (Meta's own words: its error
/// messages are in English).
pub fn test_report(locale: crate::i18n::Locale, found: Result<&str, &str>) -> String {
    use crate::i18n::td_string;
    match found {
        Ok(account) => td_string!(locale, admin.channels.test_ok, account).to_string(),
        Err(error) => td_string!(locale, admin.channels.test_failed, error).to_string(),
    }
}

/// `v` and two numbers joined by a dot, as Graph API versions are named.
fn is_version(text: &str) -> bool {
    let Some((major, minor)) = text.strip_prefix('v').and_then(|v| v.split_once('.')) else {
        return false;
    };
    let number = |n: &str| !n.is_empty() && n.len() <= 3 && n.chars().all(|c| c.is_ascii_digit());
    number(major) && number(minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready() -> MetaChannelEdit {
        MetaChannelEdit {
            channel: MetaChannel::WhatsApp,
            enabled: true,
            csq: Some(CsqId(1)),
            business_name: "Shop".into(),
            account_id: "106540352242922".into(),
            verify_token: "shop-verify-7f3a9c".into(),
            human_agent_tag: false,
            templates: Vec::new(),
            graph_api_base: DEFAULT_GRAPH_API_BASE.into(),
            graph_api_version: DEFAULT_GRAPH_API_VERSION.into(),
            app_secret: "secret".into(),
            access_token: "EAAG".into(),
        }
    }

    fn fields(edit: &MetaChannelEdit, before: &MetaChannelAdmin) -> Vec<(Field, Problem)> {
        edit.validate(&[(CsqId(1), false), (CsqId(2), true)], before)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect()
    }

    #[test]
    fn an_enabled_channel_needs_its_queue_account_token_and_both_secrets() {
        let unset = MetaChannelAdmin::unset(MetaChannel::WhatsApp);
        assert_eq!(fields(&ready(), &unset), []);
        let empty = MetaChannelEdit {
            csq: None,
            business_name: String::new(),
            account_id: String::new(),
            verify_token: String::new(),
            app_secret: String::new(),
            access_token: String::new(),
            ..ready()
        };
        let missing: Vec<Field> = fields(&empty, &unset).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            missing,
            [
                Field::Csqs,
                Field::BusinessName,
                Field::AccountId,
                Field::VerifyToken,
                Field::AppSecret,
                Field::AccessToken
            ]
        );
        // Disabled, it may be saved half set up.
        let draft = MetaChannelEdit {
            enabled: false,
            ..empty
        };
        assert_eq!(fields(&draft, &unset), []);
        // Secrets saved before are kept when left empty.
        let saved = MetaChannelAdmin {
            app_secret_set: true,
            access_token_set: true,
            ..unset
        };
        let keep = MetaChannelEdit {
            app_secret: String::new(),
            access_token: String::new(),
            ..ready()
        };
        assert_eq!(fields(&keep, &saved), []);
        // Another Graph API address: the saved token is not sent there; it must be typed.
        let elsewhere = MetaChannelEdit {
            graph_api_base: "https://graph.example.net".into(),
            ..keep.clone()
        };
        assert_eq!(
            fields(&elsewhere, &saved),
            [(Field::AccessToken, Problem::Required)]
        );
        assert!(
            !format!("{:?}", ready()).contains("EAAG"),
            "no secret in Debug"
        );
    }

    #[test]
    fn each_field_is_refused_by_name_with_its_shape() {
        let unset = MetaChannelAdmin::unset(MetaChannel::Messenger);
        let bad = MetaChannelEdit {
            csq: Some(CsqId(2)),
            account_id: "page-12".into(),
            verify_token: "has space in it".into(),
            graph_api_base: "graph.facebook.com/v25.0".into(),
            graph_api_version: "25".into(),
            ..ready()
        };
        assert_eq!(
            fields(&bad, &unset),
            [
                (Field::Csqs, Problem::Retired),
                (
                    Field::AccountId,
                    Problem::NotLike {
                        example: "106540352242922".into()
                    }
                ),
                (
                    Field::VerifyToken,
                    Problem::NotLike {
                        example: "shop-verify-7f3a9c".into()
                    }
                ),
                (
                    Field::GraphApiBase,
                    Problem::NotLike {
                        example: DEFAULT_GRAPH_API_BASE.into()
                    }
                ),
                (
                    Field::GraphApiVersion,
                    Problem::NotLike {
                        example: DEFAULT_GRAPH_API_VERSION.into()
                    }
                ),
            ]
        );
        let short = MetaChannelEdit {
            verify_token: "short".into(),
            ..ready()
        };
        assert_eq!(
            fields(&short, &unset),
            [(
                Field::VerifyToken,
                Problem::TooFewChars { min: 8, given: 5 }
            )]
        );
        let local = MetaChannelEdit {
            graph_api_base: " http://127.0.0.1:8911/ ".into(),
            ..ready()
        }
        .normalized();
        assert_eq!(local.graph_api_base, "http://127.0.0.1:8911");
        assert_eq!(fields(&local, &unset), []);
    }
}
