//! The server's services behind the app's server functions ([`app::api::Backend`]) and the
//! WebSocket: authentication, sessions and the agent's state.

use crate::{
    auth::{self, LoginThrottle},
    clock::now_ms,
    hub::{Hub, HubError},
    metrics::Metrics,
    store::{Store, StoreError},
};
use app::{
    api::{ApiError, Backend, ClientInfo, DesktopView},
    domain::{ids::AgentId, state::StateEvent},
};
use async_trait::async_trait;
use http::HeaderMap;
use std::sync::Arc;

pub struct Services {
    pub store: Arc<dyn Store>,
    pub hub: Hub,
    pub metrics: Arc<Metrics>,
    pub throttle: LoginThrottle,
    pub secure_cookies: bool,
}

/// Internal failures are logged here and reach the browser only as a generic message.
fn internal(e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "request failed");
    ApiError::Internal
}

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        match e {
            HubError::State(e) => ApiError::State(e),
            HubError::Store(e) => internal(e),
        }
    }
}

impl Services {
    pub fn new(store: Arc<dyn Store>, secure_cookies: bool) -> Self {
        let metrics = Arc::new(Metrics::default());
        Services {
            hub: Hub::new(store.clone(), metrics.clone()),
            store,
            metrics,
            throttle: LoginThrottle::default(),
            secure_cookies,
        }
    }

    /// The agent whose valid session cookie the request carries.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<AgentId, ApiError> {
        let token = auth::token_from_headers(headers).ok_or(ApiError::NotLoggedIn)?;
        self.store
            .session_agent(&auth::token_hash(&token), now_ms())
            .await
            .map_err(internal)?
            .ok_or(ApiError::NotLoggedIn)
    }
}

#[async_trait]
impl Backend for Services {
    async fn login(
        &self,
        username: &str,
        password: &str,
        client: ClientInfo,
    ) -> Result<String, ApiError> {
        let delay = self.throttle.delay(username, client.ip);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let credentials = self.store.credentials(username).await.map_err(internal)?;
        let hash = credentials
            .as_ref()
            .map(|c| c.password_hash.clone())
            .unwrap_or_else(|| auth::dummy_hash().to_string());
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
            .await
            .map_err(internal)?;
        let agent = match credentials {
            Some(c) if matches => c.agent,
            _ => {
                self.throttle.record_failure(username, client.ip);
                self.metrics.login(false);
                tracing::info!(ip = ?client.ip, "login failed");
                return Err(ApiError::WrongCredentials);
            }
        };
        self.throttle.record_success(username);
        let token = auth::new_token();
        let now = now_ms();
        self.store
            .create_session(
                &auth::token_hash(&token),
                agent,
                now,
                now + auth::SESSION_TTL_MS,
            )
            .await
            .map_err(internal)?;
        self.hub.apply(agent, StateEvent::Login).await?;
        self.metrics.login(true);
        tracing::info!(agent = %agent, "logged in");
        Ok(auth::session_cookie(&token, self.secure_cookies))
    }

    async fn logout(&self, headers: &HeaderMap) -> Result<String, ApiError> {
        let agent = self.authenticate(headers).await?;
        self.hub.apply(agent, StateEvent::Logout).await?;
        self.store.delete_sessions(agent).await.map_err(internal)?;
        tracing::info!(agent = %agent, "logged out");
        Ok(auth::clear_cookie(self.secure_cookies))
    }

    async fn desktop(&self, headers: &HeaderMap) -> Result<DesktopView, ApiError> {
        let id = self.authenticate(headers).await?;
        let agent = self.store.agent(id).await.map_err(|e| match e {
            StoreError::NotFound => ApiError::NotLoggedIn,
            e => internal(e),
        })?;
        let (status, seq) = self.store.agent_status(id).await.map_err(internal)?;
        Ok(DesktopView { agent, status, seq })
    }
}
