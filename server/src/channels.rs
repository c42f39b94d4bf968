//! Messenger and WhatsApp as the administrators set them up (SPEC F-1, F-3, D-2): listed
//! (secrets only as whether they are set), saved (audited, secrets sealed as typed or kept
//! when left empty) and tested against Meta's Graph API. Every call is refused to anyone but
//! an administrator; no answer, log or audit line carries a secret.

use crate::{
    clock::now_ms,
    meta::graph::Account,
    services::{internal, invalid, Services},
    store::{
        meta::{access_token_context, app_secret_context, MetaChannelSettings, StoredMetaChannel},
        AuditEntry,
    },
};
use app::{
    api::{ApiError, TestOutcome},
    domain::{
        channels::{test_report, MetaChannelAdmin, MetaChannelEdit},
        meta::MetaChannel,
        validate::{Field, Problem},
    },
};
use http::HeaderMap;

impl Services {
    /// Both channels as the page shows them, set up or not.
    pub(crate) async fn meta_channels_now(&self) -> Result<Vec<MetaChannelAdmin>, ApiError> {
        let mut all = Vec::new();
        for channel in MetaChannel::ALL {
            let stored = self.store.meta_channel(channel).await.map_err(internal)?;
            all.push(match stored {
                None => MetaChannelAdmin::unset(channel),
                Some(stored) => admin_view(&stored),
            });
        }
        Ok(all)
    }

    /// Checks an edit: the channel as it would be stored (secrets typed sealed, others
    /// kept), and as it was.
    async fn channel_form(
        &self,
        edit: MetaChannelEdit,
    ) -> Result<(StoredMetaChannel, MetaChannelAdmin), ApiError> {
        let edit = edit.normalized();
        let channel = edit.channel;
        let before = self.store.meta_channel(channel).await.map_err(internal)?;
        let before_view = before
            .as_ref()
            .map_or_else(|| MetaChannelAdmin::unset(channel), admin_view);
        let csqs = self.csq_choices().await?;
        edit.validate(&csqs, &before_view)
            .map_err(ApiError::Invalid)?;
        let secrets = &self.meta.secrets;
        let seal = |context: String, typed: &str, kept: Option<&String>| {
            if typed.is_empty() {
                kept.cloned()
            } else {
                Some(secrets.seal(&context, typed))
            }
        };
        let stored = StoredMetaChannel {
            channel,
            enabled: edit.enabled,
            settings: MetaChannelSettings {
                csq: edit.csq,
                business_name: edit.business_name.clone(),
                account_id: edit.account_id.clone(),
                verify_token: edit.verify_token.clone(),
                human_agent_tag: edit.human_agent_tag,
                templates: edit.templates.clone(),
                graph_api_base: edit.graph_api_base.clone(),
                graph_api_version: edit.graph_api_version.clone(),
            },
            app_secret: seal(
                app_secret_context(channel),
                &edit.app_secret,
                before.as_ref().and_then(|b| b.app_secret.as_ref()),
            ),
            // Another Graph API address drops a token not typed again for it.
            access_token: seal(
                access_token_context(channel),
                &edit.access_token,
                before
                    .as_ref()
                    .and_then(|b| b.access_token.as_ref())
                    .filter(|_| edit.keeps_token(&before_view)),
            ),
        };
        // A secret kept from before that this server's key cannot open is as good as none.
        let opens = |context: String, sealed: &Option<String>| {
            sealed
                .as_deref()
                .is_none_or(|s| secrets.open(&context, s).is_ok())
        };
        if stored.enabled && !opens(app_secret_context(channel), &stored.app_secret) {
            return Err(invalid(Field::AppSecret, Problem::Required));
        }
        if stored.enabled && !opens(access_token_context(channel), &stored.access_token) {
            return Err(invalid(Field::AccessToken, Problem::Required));
        }
        Ok((stored, before_view))
    }

    /// Creates or changes a channel, audited; every channel after. Its webhook and its
    /// sends follow the saved settings from the next event.
    pub async fn save_meta_channel(
        &self,
        headers: &HeaderMap,
        edit: MetaChannelEdit,
    ) -> Result<Vec<MetaChannelAdmin>, ApiError> {
        let admin = self.administrator(headers).await?;
        let typed = (before_set(&edit.app_secret), before_set(&edit.access_token));
        let (stored, before) = self.channel_form(edit).await?;
        let mut detail = describe(&before, &admin_view(&stored));
        // Typed over one already set: "set" -> "set" would say nothing.
        if typed.0 && before.app_secret_set {
            detail.push_str(", app secret replaced");
        }
        if typed.1 && before.access_token_set {
            detail.push_str(", access token replaced");
        }
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "channel.save".into(),
            detail,
        };
        self.store
            .save_meta_channel(&stored, Some(&audit))
            .await
            .map_err(internal)?;
        tracing::info!(agent = %admin.id, change = %audit.detail, "channel saved");
        self.meta_channels_now().await
    }

    /// Reads the channel's account through the Graph API with what is typed: what Meta
    /// answered, in words an administrator can act on. Nothing is saved.
    pub async fn test_meta_channel(
        &self,
        headers: &HeaderMap,
        edit: MetaChannelEdit,
    ) -> Result<TestOutcome, ApiError> {
        self.administrator(headers).await?;
        let (stored, _) = self.channel_form(edit).await?;
        let token = stored
            .access_token
            .as_deref()
            .and_then(|sealed| {
                self.meta
                    .secrets
                    .open(&access_token_context(stored.channel), sealed)
                    .ok()
            })
            .ok_or_else(|| invalid(Field::AccessToken, Problem::Required))?;
        let account = Account::of(&stored, &token);
        let locale = crate::http::locale::of_headers(headers);
        Ok(match self.meta.graph.check(&account).await {
            Ok(found) => TestOutcome {
                ok: true,
                message: test_report(locale, Ok(&found)),
            },
            Err(e) => {
                tracing::info!(channel = stored.channel.name(), error = %e, "channel test failed");
                TestOutcome {
                    ok: false,
                    message: test_report(locale, Err(&e.to_string())),
                }
            }
        })
    }
}

/// Whether a secret was typed (spaces alone are not one).
fn before_set(typed: &str) -> bool {
    !typed.trim().is_empty()
}

/// A stored channel as the page shows it.
fn admin_view(stored: &StoredMetaChannel) -> MetaChannelAdmin {
    let s = &stored.settings;
    MetaChannelAdmin {
        channel: stored.channel,
        enabled: stored.enabled,
        csq: s.csq,
        business_name: s.business_name.clone(),
        account_id: s.account_id.clone(),
        verify_token: s.verify_token.clone(),
        human_agent_tag: s.human_agent_tag,
        templates: s.templates.clone(),
        graph_api_base: s.graph_api_base.clone(),
        graph_api_version: s.graph_api_version.clone(),
        app_secret_set: stored.app_secret.is_some(),
        access_token_set: stored.access_token.is_some(),
    }
}

/// What changed, for the audit: every setting by name, secrets only as set or replaced.
fn describe(before: &MetaChannelAdmin, after: &MetaChannelAdmin) -> String {
    let mut changes = vec![after.channel.name().to_string()];
    let mut note = |what: &str, was: String, now: String| {
        if was != now {
            changes.push(format!("{what} {was:?} -> {now:?}"));
        }
    };
    let csq = |c: &MetaChannelAdmin| c.csq.map_or(String::new(), |c| c.0.to_string());
    note(
        "enabled",
        before.enabled.to_string(),
        after.enabled.to_string(),
    );
    note("CSQ", csq(before), csq(after));
    note(
        "business name",
        before.business_name.clone(),
        after.business_name.clone(),
    );
    note(
        "account",
        before.account_id.clone(),
        after.account_id.clone(),
    );
    note(
        "human agent tag",
        before.human_agent_tag.to_string(),
        after.human_agent_tag.to_string(),
    );
    let titles = |c: &MetaChannelAdmin| {
        let titles: Vec<String> = c.templates.iter().map(|t| t.title()).collect();
        titles.join(", ")
    };
    note("templates", titles(before), titles(after));
    let reworded: Vec<String> = after
        .templates
        .iter()
        .filter(|t| {
            before
                .templates
                .iter()
                .any(|b| b.name == t.name && b.language == t.language && b.text != t.text)
        })
        .map(|t| t.title())
        .collect();
    note("text of templates", String::new(), reworded.join(", "));
    note(
        "Graph API",
        format!("{} {}", before.graph_api_base, before.graph_api_version),
        format!("{} {}", after.graph_api_base, after.graph_api_version),
    );
    let secret = |set: bool| if set { "set" } else { "not set" }.to_string();
    note(
        "app secret",
        secret(before.app_secret_set),
        secret(after.app_secret_set),
    );
    note(
        "access token",
        secret(before.access_token_set),
        secret(after.access_token_set),
    );
    if before.verify_token != after.verify_token {
        changes.push("verify token changed".into());
    }
    changes.join(", ")
}
