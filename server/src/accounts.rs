//! Sessions and passwords (SPEC D-2): logging in and out, who a request's session belongs
//! to, and a user changing their own password. A password someone else chose (the command
//! line's one-time password, an administrator's reset) opens a session that can do one
//! thing: choose a new password. A disabled user's sessions stop working at once.

use crate::{
    auth,
    clock::now_ms,
    services::{internal, Services},
    store::{AuditEntry, SessionOf, Store, StoreError},
};
use app::{
    api::{ApiError, ClientInfo, LoginOutcome},
    domain::{
        account::PasswordChange,
        agent::{Agent, Role},
        ids::AgentId,
        language::parse,
        state::StateEvent,
        validate::{Field, FieldError, Problem},
    },
    i18n::Locale,
};
use http::HeaderMap;

/// The language an agent chose for their pages, for what the server words for them outside
/// a request of theirs (an invitation's outcome, a reply the mail server refused): English
/// when they chose none (their pages then follow the browser, which only a request tells)
/// or when it cannot be read (the sentence still goes).
pub async fn chosen_language(store: &dyn Store, agent: AgentId) -> Locale {
    match store.language(agent).await {
        Ok(language) => language.as_deref().and_then(parse).unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, %agent, "agent's language not read");
            Locale::default()
        }
    }
}

impl Services {
    /// Checks the credentials and opens a session. Failures are slowed per username and per
    /// address ([`auth::LoginThrottle`]); a disabled account is told so only once the
    /// password is right, so the refusal reveals nothing to a guesser.
    pub async fn open_session(
        &self,
        username: &str,
        password: &str,
        client: ClientInfo,
    ) -> Result<LoginOutcome, ApiError> {
        let credentials = self.store.credentials(username).await.map_err(internal)?;
        let hash = credentials
            .as_ref()
            .map(|c| c.password_hash.clone())
            .unwrap_or_else(|| auth::dummy_hash().to_string());
        if !self
            .password_matches(username, password, hash, &client)
            .await?
        {
            self.metrics.login(false);
            tracing::info!(ip = ?client.ip, "login failed");
            return Err(ApiError::WrongCredentials);
        }
        let Some(credentials) = credentials else {
            self.metrics.login(false);
            return Err(ApiError::WrongCredentials);
        };
        if credentials.disabled {
            tracing::info!(agent = %credentials.agent, "login refused: account disabled");
            return Err(ApiError::AccountDisabled);
        }
        let agent = credentials.agent;
        let framed = self
            .framed_by_allowed_host(&client)
            .await?
            .then_some(!client.login_window);
        let (cookie, csrf_cookie) = self.new_session(agent, framed).await?;
        // A user who must choose a password first is not logged in to the desktop yet.
        if !credentials.must_change_password {
            self.hub.apply(agent, StateEvent::Login).await?;
            self.refresh_routing(agent).await.map_err(internal)?;
        }
        self.metrics.login(true);
        tracing::info!(agent = %agent, "logged in");
        let language_cookie = credentials
            .language
            .as_deref()
            .and_then(app::domain::language::parse)
            .map(|locale| auth::language_cookie(locale, self.secure_cookies, framed));
        Ok(LoginOutcome {
            cookie,
            must_change_password: credentials.must_change_password,
            language_cookie,
            csrf_cookie,
        })
    }

    /// SPEC D-1: whether the login page is framed by a host the administrator allowed, over
    /// HTTPS: only then does the session get the cookie that travels in cross-site frames.
    /// (Over plain HTTP such a cookie cannot exist; a host of the same site does with the
    /// ordinary one.)
    async fn framed_by_allowed_host(&self, client: &ClientInfo) -> Result<bool, ApiError> {
        let Some(origin) = client
            .framed_by
            .as_deref()
            .and_then(app::domain::gadget_hosts::normalize)
        else {
            return Ok(false);
        };
        if !self.secure_cookies {
            return Ok(false);
        }
        let hosts = self.store.gadget_hosts().await.map_err(internal)?;
        Ok(hosts.allows(&origin))
    }

    /// Whether `password` matches `hash`, counted against `username` and the client's
    /// address as a failure until it proves right: guesses sent all at once cannot pass the
    /// check together. Refused outright while too many recent failures wait.
    async fn password_matches(
        &self,
        username: &str,
        password: &str,
        hash: String,
        client: &ClientInfo,
    ) -> Result<bool, ApiError> {
        let wait = self.throttle.wait(username, client.ip).await;
        if !wait.is_zero() {
            tracing::info!(ip = ?client.ip, "password check refused: too many recent failures");
            let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(ApiError::TooManyAttempts { retry_after_secs });
        }
        self.throttle.record_failure(username, client.ip).await;
        let password = password.to_string();
        // Argon2 takes a core and its memory for a moment: at most one check per core at a
        // time, the others wait their turn.
        let matches = self
            .passwords
            .verify(password, hash)
            .await
            .ok_or_else(|| internal("the password workers are gone"))?;
        if matches {
            self.throttle.record_success(username, client.ip).await;
        }
        Ok(matches)
    }

    /// A new session for the agent; returns its `Set-Cookie` header value, and for a framed
    /// session ([`auth::frame_session_cookies`], partitioned or not) the CSRF token's.
    async fn new_session(
        &self,
        agent: AgentId,
        framed: Option<bool>,
    ) -> Result<(String, Option<String>), ApiError> {
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
        if let Some(partitioned) = framed {
            let (session, csrf) = auth::frame_session_cookies(&token, partitioned);
            return Ok((session, Some(csrf)));
        }
        Ok((auth::session_cookie(&token, self.secure_cookies), None))
    }

    /// SPEC D-2: the user changes their own password. The current one is required (a page
    /// left open is not enough to take the account); the new one follows the shared rules
    /// and the common-password list. Every other session of the user ends, open pages
    /// included; this one goes on.
    pub async fn change_own_password(
        &self,
        headers: &HeaderMap,
        change: PasswordChange,
        client: ClientInfo,
    ) -> Result<(), ApiError> {
        let session = self.session_of(headers).await?;
        let agent = self.store.agent(session.agent).await.map_err(internal)?;
        change
            .validate(&agent.username, auth::is_common_password)
            .map_err(ApiError::Invalid)?;
        let credentials = self
            .store
            .credentials(&agent.username)
            .await
            .map_err(internal)?
            .ok_or(ApiError::NotLoggedIn)?;
        if !self
            .password_matches(
                &agent.username,
                &change.current,
                credentials.password_hash,
                &client,
            )
            .await?
        {
            return Err(ApiError::Invalid(vec![FieldError::new(
                Field::CurrentPassword,
                Problem::WrongPassword,
            )]));
        }
        let hash = self.hash_password(change.new).await?;
        let (_, this_session) = self.live_session(headers).await?;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: agent.id,
            action: "user.password_change".into(),
            detail: format!("{} changed their own password", agent.username),
        };
        // This session stays: the desktop open in another tab of this browser shares its
        // cookie and keeps its chats. Every other session ends, and its pages at once.
        self.store
            .set_password(agent.id, &hash, false, Some(&this_session), &audit)
            .await
            .map_err(internal)?;
        self.hub.sessions_changed(agent.id);
        if session.must_change_password {
            self.hub.apply(agent.id, StateEvent::Login).await?;
            self.refresh_routing(agent.id).await.map_err(internal)?;
        }
        tracing::info!(agent = %agent.id, "password changed");
        Ok(())
    }

    /// Hashes a new password. Hashing costs what a check does: it waits its turn the same way.
    pub(crate) async fn hash_password(&self, password: String) -> Result<String, ApiError> {
        self.passwords
            .hash(password)
            .await
            .ok_or_else(|| internal("the password workers are gone"))
    }

    /// The language of the pages: stored with the account of a logged-in user (a user who
    /// must still choose a password too), kept by the browser for anyone.
    pub async fn choose_language(
        &self,
        headers: &HeaderMap,
        locale: app::i18n::Locale,
    ) -> Result<Vec<String>, ApiError> {
        match self.session_of(headers).await {
            Ok(session) => {
                self.store
                    .set_language(session.agent, Some(AsRef::<str>::as_ref(&locale)))
                    .await
                    .map_err(internal)?;
                tracing::info!(agent = %session.agent, language = %locale, "language chosen");
            }
            Err(ApiError::NotLoggedIn) => {}
            Err(e) => return Err(e),
        }
        // SPEC D-1: chosen in a host desktop's frame on another site (on its login page too,
        // before any session), the choice must reach that frame's next pages, which a `Lax`
        // cookie does not: over HTTPS a partitioned copy goes with it. (Set by a page of this
        // site itself, that copy is kept under this site and says the same.)
        let mut cookies = vec![auth::language_cookie(locale, self.secure_cookies, None)];
        if self.secure_cookies {
            cookies.push(auth::language_cookie(locale, true, Some(true)));
        }
        Ok(cookies)
    }

    /// Ends every session of the user (SPEC S-1: only from Not Ready); returns the
    /// `Set-Cookie` header values that clear the cookie.
    pub async fn close_sessions(&self, headers: &HeaderMap) -> Result<Vec<String>, ApiError> {
        let session = self.session_of(headers).await?;
        if !session.must_change_password {
            self.hub.apply(session.agent, StateEvent::Logout).await?;
        }
        self.store
            .delete_sessions(session.agent)
            .await
            .map_err(internal)?;
        tracing::info!(agent = %session.agent, "logged out");
        let mut cleared = vec![auth::clear_cookie(self.secure_cookies)];
        // A browser that logged in through a login window may carry both kinds.
        if auth::frame_token_from_headers(headers).is_some() && self.secure_cookies {
            cleared.extend(auth::clear_frame_cookies());
        }
        Ok(cleared)
    }

    /// The session the request's cookie names, whatever it may do.
    pub async fn session_of(&self, headers: &HeaderMap) -> Result<SessionOf, ApiError> {
        Ok(self.live_session(headers).await?.0)
    }

    /// The live session the request's cookies name, and its token's hash. A framed page may
    /// carry two framed cookies (its partitioned one and a login window's), one of them
    /// stale: the first that names a live session counts.
    pub async fn live_session(&self, headers: &HeaderMap) -> Result<(SessionOf, String), ApiError> {
        for token in auth::session_tokens(headers, self.secure_cookies) {
            let hash = auth::token_hash(&token);
            let found = self
                .store
                .session_agent(&hash, now_ms())
                .await
                .map_err(internal)?;
            if let Some(session) = found {
                return Ok((session, hash));
            }
        }
        Err(ApiError::NotLoggedIn)
    }

    /// The agent whose valid session cookie the request carries, refused while that agent
    /// must still choose a password.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<AgentId, ApiError> {
        let session = self.session_of(headers).await?;
        if session.must_change_password {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(session.agent)
    }

    /// The logged-in agent's profile.
    pub async fn logged_in(&self, headers: &HeaderMap) -> Result<Agent, ApiError> {
        let id = self.authenticate(headers).await?;
        self.store.agent(id).await.map_err(|e| match e {
            StoreError::NotFound => ApiError::NotLoggedIn,
            e => internal(e),
        })
    }

    /// The logged-in agent, refused unless an administrator (SPEC D-2).
    pub async fn administrator(&self, headers: &HeaderMap) -> Result<Agent, ApiError> {
        let agent = self.logged_in(headers).await?;
        if agent.role != Role::Admin {
            tracing::warn!(agent = %agent.id, "administration refused to a non-administrator");
            return Err(ApiError::Forbidden);
        }
        Ok(agent)
    }
}
