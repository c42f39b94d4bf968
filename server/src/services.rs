//! The server's services behind the app's server functions ([`app::api::Backend`]) and the
//! WebSocket: authentication, sessions and the agent's state.

use crate::{
    auth::LoginThrottle,
    chat::{rooms::Rooms, ChatService},
    clock::now_ms,
    contact::{effects::Effects, token::TokenKey},
    email::EmailService,
    files::Files,
    hub::{Hub, HubError},
    metrics::Metrics,
    routing::{
        engine::{AgentInfo, Input},
        Routing,
    },
    store::{AuditEntry, Store, StoreError},
};
use app::{
    api::{AdminView, ApiError, Backend, ClientInfo, DesktopView, LoginOutcome},
    domain::{
        account::PasswordChange,
        ids::{AgentId, CsqId},
        settings::ChatSettings,
        validate::{Field, FieldError, Problem},
        wrap_up::{WrapUpReasonAdmin, WrapUpReasonEdit},
    },
};
use async_trait::async_trait;
use http::HeaderMap;
use std::sync::Arc;

/// What the email service needs from the configuration.
pub struct EmailOptions {
    /// Where attachments and drafts' files are stored.
    pub files: Files,
    /// SPEC E-4: how long a reply waits for the thread's last agent.
    pub sticky: std::time::Duration,
    /// `SWITCHBOARD_MAILBOXES`: imported when the database has no mailbox yet.
    pub import: Vec<crate::email::config::MailboxConfig>,
    /// Seals the mailboxes' passwords at rest.
    pub secrets: crate::secrets::SecretBox,
    /// SPEC R-7: the longest wait between two attempts to send a reply.
    pub retry_max: std::time::Duration,
    /// SPEC R-4: seconds between automatic saves of a reply.
    pub autosave_secs: u32,
}

/// What customers may send, as the operator set it (defaults: the domain's limits).
#[derive(Debug, Clone, Copy)]
pub struct ChatOptions {
    pub customer_messages_per_sec: u32,
    pub customer_message_burst: u32,
    pub chat_starts_per_minute: u32,
    pub widget_reads_per_minute: u32,
}

impl Default for ChatOptions {
    fn default() -> Self {
        ChatOptions {
            customer_messages_per_sec: app::domain::limits::CUSTOMER_MESSAGES_PER_SEC,
            customer_message_burst: app::domain::limits::CUSTOMER_MESSAGE_BURST,
            chat_starts_per_minute: app::domain::limits::CHAT_STARTS_PER_MINUTE,
            widget_reads_per_minute: app::domain::limits::WIDGET_READS_PER_MINUTE,
        }
    }
}

/// Tries a new leader makes at reading the routing state from the database.
const RESTORE_TRIES: u32 = 5;
/// A close within this long after the page's leaving beacon is the page going away.
const LEAVING_WINDOW_MS: i64 = 10_000;
/// Messages set aside that the administration page lists (the newest).
const UNREADABLE_LISTED: i64 = 100;

pub struct Services {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub chat: Arc<ChatService>,
    pub email: Arc<EmailService>,
    /// Messenger and WhatsApp (issue 16).
    pub meta: Arc<crate::meta::MetaService>,
    /// Signs the customers' chat-session tokens.
    pub token_key: TokenKey,
    pub metrics: Arc<Metrics>,
    pub throttle: LoginThrottle,
    /// Password checks and hashes: one at a time per core, in memory kept for the purpose.
    pub passwords: crate::password_workers::PasswordWorkers,
    /// Rate limits on what strangers start.
    pub gates: crate::gates::Gates,
    pub secure_cookies: bool,
    /// SPEC R-4: seconds between automatic saves of a reply, told to the desktop.
    pub autosave_secs: u32,
    /// This node among the others on the database (PostgreSQL); none on SQLite.
    pub cluster: Option<Arc<crate::cluster::Cluster>>,
    /// Outgoing webhooks (issue 17).
    pub webhooks: Arc<crate::webhooks::WebhookService>,
    /// Set when the server starts to stop: the requests that never end by themselves (the
    /// supervisors' streams) end then, so the stop does not wait its grace for them.
    pub stopping: tokio::sync::watch::Sender<bool>,
}

/// Internal failures are logged here and reach the browser only as a generic message.
pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "request failed");
    ApiError::Internal
}

/// A refusal of one field, as the administration's forms show it.
pub(crate) fn invalid(field: Field, problem: Problem) -> ApiError {
    ApiError::Invalid(vec![FieldError::new(field, problem)])
}

impl Services {
    /// Every CSQ with whether it is retired: where an administrator may send something.
    pub(crate) async fn csq_choices(
        &self,
    ) -> Result<Vec<(app::domain::ids::CsqId, bool)>, ApiError> {
        Ok(self
            .store
            .csqs_admin()
            .await
            .map_err(internal)?
            .iter()
            .map(|c| (c.id, c.retired))
            .collect())
    }
}

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        match e {
            HubError::State(e) => ApiError::State(e),
            HubError::Store(e) => internal(e),
        }
    }
}

/// Tells a fresh routing engine what the database holds: every agent with its CSQs and
/// state (routed to only if present, with a page open), every chat still queued, offered or
/// held, every email waiting or held (SPEC: a restart loses no queued chat). At a start, and
/// on the node that takes the lead (issue 14).
async fn restore_routing(
    store: &dyn Store,
    routing: &Routing,
    email: &EmailService,
    present: &[AgentId],
) -> Result<(), StoreError> {
    let settings = store.chat_settings().await?;
    routing.send(Input::AcceptTimerChanged {
        ms: i64::from(settings.accept_timer_secs) * 1000,
    });
    let csqs = store.csqs().await?;
    for agent in store.agents().await? {
        let (status, _) = store.agent_status(agent.id).await?;
        routing.send(Input::AgentKnown {
            agent: agent.id,
            info: AgentInfo {
                status,
                csqs: app::domain::csq::memberships(&csqs, agent.id),
                max_chats: agent.max_chats,
                active_chats: 0,
                max_emails: agent.max_emails,
                active_emails: 0,
                away: !present.contains(&agent.id),
                available_since_ms: now_ms(),
            },
        });
    }
    for contact in store.open_contacts().await? {
        if contact.channel == app::domain::contact::Channel::Email {
            match (contact.status, contact.agent) {
                (app::domain::contact::ContactStatus::Active, Some(agent)) => {
                    routing.send(Input::EmailHeld {
                        agent,
                        contact: contact.id,
                    })
                }
                _ => {
                    let last = store.thread_last_agent(contact.id).await?;
                    email.queue(&contact, last.map(|(a, _)| a)).await;
                }
            }
            continue;
        }
        match (contact.status, contact.agent) {
            (app::domain::contact::ContactStatus::Active, Some(agent)) => {
                routing.send(Input::ChatHeld {
                    agent,
                    contact: contact.id,
                });
                // SPEC G-3: the second agent of a group chat holds it too.
                if let Some(guest) = store.guest(contact.id).await? {
                    routing.send(Input::ChatHeld {
                        agent: guest.agent,
                        contact: contact.id,
                    });
                }
            }
            _ => routing.send(Input::ChatQueued {
                contact: contact.id,
                csq: contact.csq,
                queued_at_ms: contact.queued_at_ms,
            }),
        }
    }
    Ok(())
}

impl Services {
    /// Wires the services and resumes routing from the database: every agent with its
    /// CSQs and state, every chat still queued, offered or held (SPEC: a restart loses no
    /// queued chat).
    pub async fn start(
        store: Arc<dyn Store>,
        secure_cookies: bool,
        token_key: TokenKey,
        email: EmailOptions,
        chat_options: ChatOptions,
        webhook_retry_max: std::time::Duration,
    ) -> Result<Self, StoreError> {
        let metrics = Arc::new(Metrics::default());
        let hub = Arc::new(Hub::new(store.clone(), metrics.clone()));
        let settings = store.chat_settings().await?;
        let effects = Arc::new(Effects {
            store: store.clone(),
            hub: hub.clone(),
            assignments: std::sync::OnceLock::new(),
        });
        // Several nodes on the database (PostgreSQL): routing runs on the one that leads,
        // the others hand it their commands (issue 14).
        let cluster = store.coordination().map(crate::cluster::Cluster::new);
        let accept_timer = std::time::Duration::from_secs(u64::from(settings.accept_timer_secs));
        let routing = match &cluster {
            Some(cluster) => Routing::spawn_relayed(accept_timer, effects.clone(), cluster.clone()),
            None => Routing::spawn(accept_timer, effects.clone()),
        };
        {
            let routing = routing.clone();
            hub.set_status_listener(Box::new(move |agent, status| {
                routing.send(Input::StatusChanged { agent, status });
            }));
        }
        let autosave_secs = email.autosave_secs;
        let import = email.import.clone();
        let email = Arc::new(EmailService {
            store: store.clone(),
            hub: hub.clone(),
            routing: routing.clone(),
            files: email.files,
            key: token_key.clone(),
            sticky: email.sticky,
            stopping: tokio::sync::watch::channel(false).0,
            mailboxes: Default::default(),
            secrets: email.secrets.clone(),
            outbox_wake: tokio::sync::watch::channel(0).0,
            retry_max: email.retry_max,
        });
        email.import_mailboxes(&import).await?;
        // Set before any email is queued below: routing assigns an email only once queued.
        let assignments: Arc<dyn crate::contact::effects::Assignments> = email.clone();
        let _ = effects.assignments.set(assignments);
        if cluster.is_none() {
            // No page is open yet after a start: nothing is routed to an agent until one
            // connects (see `page_opened`).
            restore_routing(store.as_ref(), &routing, &email, &[]).await?;
        }
        let (timers, fired) = crate::chat::timers::Timers::spawn();
        let (agent_activity, activity) = tokio::sync::mpsc::unbounded_channel();
        let flood = crate::chat::flood::Flood::new(
            chat_options.customer_messages_per_sec,
            chat_options.customer_message_burst,
            store.coordination(),
        );
        let chat = Arc::new(ChatService {
            store: store.clone(),
            hub: hub.clone(),
            routing,
            rooms: Arc::new(Rooms::default()),
            timers,
            widgets: Default::default(),
            widget_slots: Default::default(),
            flood,
            other_nodes: std::sync::OnceLock::new(),
            outbound: Default::default(),
            agent_activity,
        });
        chat.watch(fired);
        // Issue 17: ended conversations become searchable.
        crate::conversations::index::spawn(store.clone());
        // Issue 17: the retention, and agents' events kept a day.
        crate::privacy::retention::spawn(store.clone(), email.clone());
        chat.resume_timers().await?;
        let mut gates = crate::gates::Gates::new(chat_options.chat_starts_per_minute)
            .widget_reads(chat_options.widget_reads_per_minute);
        if let Some(coordination) = store.coordination() {
            gates = gates.shared(coordination);
        }
        // Guesses spread over several nodes count together (issue 14).
        let throttle = store
            .coordination()
            .map_or_else(LoginThrottle::default, LoginThrottle::shared);
        if let Some(cluster) = &cluster {
            let others: Arc<dyn crate::chat::watch::OtherNodes> = cluster.clone();
            let _ = chat.other_nodes.set(others);
        }
        let meta = Arc::new(crate::meta::MetaService {
            store: store.clone(),
            secrets: email.secrets.clone(),
            chat: chat.clone(),
            wake: tokio::sync::Notify::new(),
            outbound: chat.outbound.clone(),
            graph: crate::meta::graph::Graph::default(),
            files: email.files.clone(),
        });
        meta.show_agent_activity(activity);
        let webhooks = Arc::new(crate::webhooks::WebhookService::new(
            store.clone(),
            email.secrets.clone(),
            webhook_retry_max,
        ));
        Ok(Services {
            webhooks,
            cluster,
            hub,
            chat,
            email,
            meta,
            token_key,
            store,
            metrics,
            throttle,
            passwords: crate::password_workers::PasswordWorkers::per_core(),
            gates,
            secure_cookies,
            autosave_secs,
            stopping: tokio::sync::watch::channel(false).0,
        })
    }

    /// Tells routing the agent's current CSQs and maximum of chats (read at each login, so
    /// the administrator's changes apply from the agent's next login).
    pub async fn refresh_routing(&self, agent: AgentId) -> Result<(), StoreError> {
        let profile = self.store.agent(agent).await?;
        let (status, _) = self.store.agent_status(agent).await?;
        let csqs = app::domain::csq::memberships(&self.store.csqs().await?, agent);
        self.chat.routing.send(Input::AgentKnown {
            agent,
            info: AgentInfo {
                status,
                csqs,
                max_chats: profile.max_chats,
                active_chats: 0,
                max_emails: profile.max_emails,
                active_emails: 0,
                away: false,
                available_since_ms: now_ms(),
            },
        });
        Ok(())
    }

    /// SPEC S-5: a desktop page's connection closed. If it was the agent's last page, the
    /// agent's chats end and the agent goes Not Ready: at once if the page said it was
    /// closing or reloading, otherwise after the grace period for a network blip.
    pub fn page_closed(self: &Arc<Self>, agent: AgentId) {
        let presence = self.hub.page_closed(agent);
        if let Some(cluster) = &self.cluster {
            cluster.presence_changed(crate::store::cluster::Presence::Agent(agent));
        }
        if presence.pages > 0 {
            return;
        }
        let leaving = presence
            .leaving_at_ms
            .is_some_and(|at| now_ms() - at < LEAVING_WINDOW_MS);
        let services = Arc::clone(self);
        tokio::spawn(async move {
            if !leaving {
                let grace = services
                    .store
                    .chat_settings()
                    .await
                    .map(|s| s.reconnect_grace_secs)
                    .unwrap_or(30);
                tokio::time::sleep(std::time::Duration::from_secs(u64::from(grace))).await;
                if services.hub.presence(agent).generation != presence.generation {
                    return; // a page came back (or another one closed meanwhile)
                }
            }
            if services.present_elsewhere(agent).await {
                return; // a page on another node (issue 14)
            }
            if let Err(e) = services.desktop_gone(agent).await {
                tracing::error!(error = %e, agent = %agent, "ending a closed desktop's chats failed");
            }
        });
    }

    /// SPEC S-5: every email in hand goes back to its queue, every chat ends, and the agent
    /// is Not Ready.
    /// Routing stops first, and every assignment it had already decided is carried out
    /// (`settled`) before the agent's work is read, so no email reaches the agent while
    /// the others go back.
    pub(crate) async fn desktop_gone(
        &self,
        agent: AgentId,
    ) -> Result<(), crate::contact::ContactError> {
        self.chat.routing.ask(Input::Away { agent }).await;
        self.chat.routing.settled().await;
        let emails = self.email.agent_gone(agent).await;
        let chats = self.chat.agent_gone(agent).await;
        emails.and(chats)
    }

    /// A page of the agent connected: routing may reach the agent again.
    pub fn page_opened(&self, agent: AgentId) {
        self.hub.page_opened(agent);
        if let Some(cluster) = &self.cluster {
            cluster.presence_changed(crate::store::cluster::Presence::Agent(agent));
        }
        self.chat.routing.send(Input::Present { agent });
    }

    /// Whether a page of the agent is open on another node (never on SQLite).
    pub(crate) async fn present_elsewhere(&self, agent: AgentId) -> bool {
        match &self.cluster {
            Some(cluster) => {
                cluster
                    .present_elsewhere(crate::store::cluster::Presence::Agent(agent))
                    .await
            }
            None => false,
        }
    }

    /// A node taking the lead: the offers the last leader put on screens are withdrawn (its
    /// engine, which knew them, is gone), so the new one may offer their chats again and no
    /// chat is ever on two screens at once.
    async fn withdraw_offers_shown(&self) -> Result<(), crate::contact::ContactError> {
        let Some(coordination) = self.store.coordination() else {
            return Ok(());
        };
        for (contact, agent) in coordination.offers_shown().await? {
            self.store
                .step_contact(
                    contact,
                    &[app::domain::contact::ContactStatus::Offered],
                    app::domain::contact::ContactStatus::Queued,
                    Some(agent),
                    now_ms(),
                )
                .await?;
            self.hub
                .record(
                    agent,
                    app::domain::protocol::AgentEvent::OfferWithdrawn { contact },
                )
                .await?;
            coordination.offer_gone(contact).await?;
            tracing::info!(%agent, %contact, "offer of the last leader withdrawn");
        }
        Ok(())
    }

    /// Starts this node's part among the others on the database (issue 14): a node that
    /// takes the lead restores routing from the database, then releases the agents who
    /// were Ready or Reserved and have no page open anywhere (as after a restart).
    pub fn start_cluster(self: &Arc<Self>) {
        let Some(cluster) = &self.cluster else {
            return;
        };
        if let Some(coordination) = self.store.coordination() {
            self.email.share_mailbox_reports(coordination);
        }
        let services = Arc::clone(self);
        let restorer: crate::cluster::Restorer = Box::new(move |routing| {
            let services = services.clone();
            Box::pin(async move {
                let Some(cluster) = services.cluster.clone() else {
                    return;
                };
                let restore = || async {
                    services.withdraw_offers_shown().await?;
                    let present = cluster.agents_present().await?;
                    restore_routing(services.store.as_ref(), &routing, &services.email, &present)
                        .await?;
                    // The chats whose timers ran on the node that led before.
                    services.chat.resume_timers().await?;
                    services.watch_absent_agents().await?;
                    Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
                };
                // A passing database error must not leave the new leader's routing empty.
                for attempt in 1..=RESTORE_TRIES {
                    match restore().await {
                        Ok(()) => return,
                        Err(e) => {
                            tracing::error!(error = %e, attempt, "routing not restored from the database")
                        }
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            })
        });
        let services = Arc::clone(self);
        let nodes_gone: crate::cluster::Hook = Box::new(move || {
            let services = services.clone();
            Box::pin(async move {
                if let Err(e) = services.chat.resume_timers().await {
                    tracing::error!(error = %e, "the stopped nodes' chat timers not taken over");
                }
                if let Err(e) = services.watch_absent_agents().await {
                    tracing::error!(error = %e, "the stopped nodes' agents not watched");
                }
            })
        });
        cluster.start(
            self.hub.clone(),
            self.chat.clone(),
            self.email.clone(),
            self.metrics.clone(),
            restorer,
            nodes_gone,
        );
    }

    /// SPEC S-5 after a restart (and, with several nodes, when a node takes the lead or
    /// another stops): an agent stored as Ready or Reserved whose page is open on no node
    /// once the grace period is over is treated as a closed desktop (emails back to their
    /// queues, chats ended, Not Ready).
    pub async fn watch_absent_agents(self: &Arc<Self>) -> Result<(), StoreError> {
        let grace = self.store.chat_settings().await?.reconnect_grace_secs;
        for agent in self.store.agents().await? {
            let (status, _) = self.store.agent_status(agent.id).await?;
            if !matches!(
                status.state,
                app::domain::state::AgentState::Ready | app::domain::state::AgentState::Reserved
            ) {
                continue;
            }
            let services = Arc::clone(self);
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_secs(u64::from(grace))).await;
                if services.hub.presence(agent.id).pages == 0
                    && !services.present_elsewhere(agent.id).await
                {
                    if let Err(e) = services.desktop_gone(agent.id).await {
                        tracing::error!(error = %e, agent = %agent.id, "absent agent not released");
                    }
                }
            });
        }
        Ok(())
    }

    /// SPEC S-5: a page says it is closing or reloading (its last words, as a beacon).
    pub async fn page_leaving(self: &Arc<Self>, agent: AgentId) {
        let presence = self.hub.page_leaving(agent);
        // The socket may have closed before the beacon arrived.
        if presence.pages == 0 && !self.present_elsewhere(agent).await {
            if let Err(e) = self.desktop_gone(agent).await {
                tracing::error!(error = %e, agent = %agent, "ending a closed desktop's chats failed");
            }
        }
    }
}

#[async_trait]
impl Backend for Services {
    async fn login(
        &self,
        username: &str,
        password: &str,
        client: ClientInfo,
    ) -> Result<LoginOutcome, ApiError> {
        self.open_session(username, password, client).await
    }

    async fn change_password(
        &self,
        headers: &HeaderMap,
        change: PasswordChange,
        client: ClientInfo,
    ) -> Result<(), ApiError> {
        self.change_own_password(headers, change, client).await
    }

    async fn account(&self, headers: &HeaderMap) -> Result<app::domain::agent::Agent, ApiError> {
        let session = self.session_of(headers).await?;
        self.store.agent(session.agent).await.map_err(internal)
    }

    async fn set_language(
        &self,
        headers: &HeaderMap,
        locale: app::i18n::Locale,
    ) -> Result<Vec<String>, ApiError> {
        self.choose_language(headers, locale).await
    }

    async fn logout(&self, headers: &HeaderMap) -> Result<Vec<String>, ApiError> {
        self.close_sessions(headers).await
    }

    async fn desktop(&self, headers: &HeaderMap) -> Result<DesktopView, ApiError> {
        let agent = self.logged_in(headers).await?;
        let id = agent.id;
        let (status, seq) = self.store.agent_status(id).await.map_err(internal)?;
        let work = self.chat.work_of(id).await.map_err(internal)?;
        let csqs = self.store.csqs().await.map_err(internal)?;
        // All of them: a contact from a queue the agent is not in (an invitation, a
        // membership changed since) offers its own; the page filters per contact.
        let all = self.canned_now().await?;
        let (canned, canned_email) = (all.chat, all.email);
        Ok(DesktopView {
            agent,
            status,
            seq,
            work,
            canned,
            canned_email,
            draft_autosave_secs: self.autosave_secs,
            gadget_hosts: self.store.gadget_hosts().await.map_err(internal)?.origins,
            whatsapp_templates: crate::contact::views::offered_templates(self.store.as_ref())
                .await
                .map_err(internal)?,
            now_ms: now_ms(),
            csqs: csqs
                .into_iter()
                .map(|c| app::domain::csq::Csq {
                    members: Vec::new(),
                    supervisors: Vec::new(),
                    ..c
                })
                .collect(),
        })
    }

    async fn admin(&self, headers: &HeaderMap) -> Result<AdminView, ApiError> {
        let agent = self.administrator(headers).await?;
        let chat_settings = self.store.chat_settings().await.map_err(internal)?;
        let csqs = self.store.csqs().await.map_err(internal)?;
        let wrap_up_reasons = self.store.wrap_up_reasons_admin().await.map_err(internal)?;
        let unreadable_emails = self
            .store
            .unreadable_emails(UNREADABLE_LISTED)
            .await
            .map_err(internal)?;
        let queues = self.queues_now().await?;
        let prechat_fields = self.prechat_fields_now().await?;
        let canned = self.canned_now().await?;
        let mailboxes = self.mailboxes_now().await?;
        let gadget_hosts = self.store.gadget_hosts().await.map_err(internal)?;
        Ok(AdminView {
            agent,
            chat_settings,
            csqs,
            wrap_up_reasons,
            unreadable_emails,
            queues,
            prechat_fields,
            canned,
            mailboxes,
            gadget_hosts,
            meta_channels: self.meta_channels_now().await?,
        })
    }

    async fn save_gadget_hosts(
        &self,
        headers: &HeaderMap,
        hosts: app::domain::gadget_hosts::GadgetHosts,
    ) -> Result<app::domain::gadget_hosts::GadgetHosts, ApiError> {
        let admin = self.administrator(headers).await?;
        // Written the one way the list keeps them, so a typed "HTTPS://X/" is "https://x".
        let hosts = app::domain::gadget_hosts::GadgetHosts::from_lines(&hosts.to_lines());
        hosts.validate().map_err(ApiError::Invalid)?;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "gadget_hosts.save".into(),
            detail: if hosts.origins.is_empty() {
                "none".into()
            } else {
                hosts.origins.join(", ")
            },
        };
        self.store
            .save_gadget_hosts(&hosts, &audit)
            .await
            .map_err(internal)?;
        tracing::info!(agent = %admin.id, hosts = %audit.detail, "gadget hosts saved");
        Ok(hosts)
    }

    async fn save_chat_settings(
        &self,
        headers: &HeaderMap,
        settings: ChatSettings,
    ) -> Result<ChatSettings, ApiError> {
        let admin = self.administrator(headers).await?;
        settings.validate().map_err(ApiError::Invalid)?;
        let settings = settings.normalized();
        let before = self.store.chat_settings().await.map_err(internal)?;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "chat_settings.save".into(),
            detail: settings.describe_changes(&before),
        };
        self.store
            .save_chat_settings(&settings, Some(&audit))
            .await
            .map_err(internal)?;
        if settings.accept_timer_secs != before.accept_timer_secs {
            self.chat.routing.send(Input::AcceptTimerChanged {
                ms: i64::from(settings.accept_timer_secs) * 1000,
            });
        }
        tracing::info!(agent = %admin.id, change = %audit.detail, "chat settings saved");
        Ok(settings)
    }

    async fn save_csq(
        &self,
        headers: &HeaderMap,
        edit: app::domain::queues::CsqEdit,
    ) -> Result<app::api::QueuesView, ApiError> {
        Services::save_csq(self, headers, edit).await
    }

    async fn save_problem_statement(
        &self,
        headers: &HeaderMap,
        edit: app::domain::queues::ProblemStatementEdit,
    ) -> Result<app::api::QueuesView, ApiError> {
        Services::save_problem_statement(self, headers, edit).await
    }

    async fn move_problem_statement(
        &self,
        headers: &HeaderMap,
        id: i64,
        up: bool,
    ) -> Result<app::api::QueuesView, ApiError> {
        Services::move_problem_statement(self, headers, id, up).await
    }

    async fn save_business_hours(
        &self,
        headers: &HeaderMap,
        csq: app::domain::ids::CsqId,
        hours: Option<app::domain::hours::BusinessHours>,
    ) -> Result<app::api::QueuesView, ApiError> {
        Services::save_business_hours(self, headers, csq, hours).await
    }

    async fn time_zones(&self, headers: &HeaderMap) -> Result<Vec<String>, ApiError> {
        self.administrator(headers).await?;
        Ok(crate::hours::time_zone_names())
    }

    async fn mailboxes(
        &self,
        headers: &HeaderMap,
    ) -> Result<Vec<app::domain::mailboxes::MailboxAdmin>, ApiError> {
        Services::mailboxes(self, headers).await
    }

    async fn save_mailbox(
        &self,
        headers: &HeaderMap,
        edit: app::domain::mailboxes::MailboxEdit,
    ) -> Result<Vec<app::domain::mailboxes::MailboxAdmin>, ApiError> {
        Services::save_mailbox(self, headers, edit).await
    }

    async fn test_mailbox(
        &self,
        headers: &HeaderMap,
        edit: app::domain::mailboxes::MailboxEdit,
    ) -> Result<app::api::MailboxTest, ApiError> {
        Services::test_mailbox(self, headers, edit).await
    }

    async fn save_meta_channel(
        &self,
        headers: &HeaderMap,
        edit: app::domain::channels::MetaChannelEdit,
    ) -> Result<Vec<app::domain::channels::MetaChannelAdmin>, ApiError> {
        Services::save_meta_channel(self, headers, edit).await
    }

    async fn test_meta_channel(
        &self,
        headers: &HeaderMap,
        edit: app::domain::channels::MetaChannelEdit,
    ) -> Result<app::api::TestOutcome, ApiError> {
        Services::test_meta_channel(self, headers, edit).await
    }

    async fn save_prechat_field(
        &self,
        headers: &HeaderMap,
        edit: app::domain::prechat::PreChatFieldEdit,
    ) -> Result<Vec<app::domain::prechat::PreChatField>, ApiError> {
        Services::save_prechat_field(self, headers, edit).await
    }

    async fn delete_prechat_field(
        &self,
        headers: &HeaderMap,
        id: i64,
    ) -> Result<Vec<app::domain::prechat::PreChatField>, ApiError> {
        Services::delete_prechat_field(self, headers, id).await
    }

    async fn move_prechat_field(
        &self,
        headers: &HeaderMap,
        id: i64,
        up: bool,
    ) -> Result<Vec<app::domain::prechat::PreChatField>, ApiError> {
        Services::move_prechat_field(self, headers, id, up).await
    }

    async fn save_canned(
        &self,
        headers: &HeaderMap,
        edit: app::domain::canned::CannedEdit,
    ) -> Result<app::api::CannedView, ApiError> {
        Services::save_canned(self, headers, edit).await
    }

    async fn delete_canned(
        &self,
        headers: &HeaderMap,
        id: app::domain::ids::CannedResponseId,
    ) -> Result<app::api::CannedView, ApiError> {
        Services::delete_canned(self, headers, id).await
    }

    async fn conversation_choices(
        &self,
        headers: &HeaderMap,
    ) -> Result<app::domain::conversations::ConversationChoices, ApiError> {
        Services::conversation_choices(self, headers).await
    }

    async fn conversations(
        &self,
        headers: &HeaderMap,
        filter: app::domain::conversations::ConversationFilter,
    ) -> Result<app::domain::conversations::ConversationPage, ApiError> {
        Services::conversations(self, headers, filter).await
    }

    async fn conversation(
        &self,
        headers: &HeaderMap,
        contact: app::domain::ids::ContactId,
    ) -> Result<app::domain::customer::PastConversation, ApiError> {
        Services::conversation(self, headers, contact).await
    }

    async fn privacy(
        &self,
        headers: &HeaderMap,
    ) -> Result<app::domain::privacy::PrivacyView, ApiError> {
        self.privacy_view(headers).await
    }

    async fn find_customers(
        &self,
        headers: &HeaderMap,
        query: app::domain::privacy::CustomerQuery,
    ) -> Result<app::domain::privacy::CustomerList, ApiError> {
        Services::find_customers(self, headers, query).await
    }

    async fn erase_customer(
        &self,
        headers: &HeaderMap,
        customer: app::domain::ids::CustomerId,
    ) -> Result<app::domain::privacy::Erased, ApiError> {
        Services::erase_customer(self, headers, customer).await
    }

    async fn save_retention(
        &self,
        headers: &HeaderMap,
        retention: app::domain::privacy::Retention,
    ) -> Result<app::domain::privacy::Retention, ApiError> {
        Services::save_retention(self, headers, retention).await
    }

    async fn api_tokens(
        &self,
        headers: &HeaderMap,
    ) -> Result<Vec<app::domain::api_tokens::ApiTokenSummary>, ApiError> {
        Services::api_tokens(self, headers).await
    }

    async fn create_api_token(
        &self,
        headers: &HeaderMap,
        token: app::domain::api_tokens::NewApiToken,
    ) -> Result<app::domain::api_tokens::CreatedApiToken, ApiError> {
        Services::create_api_token(self, headers, token).await
    }

    async fn revoke_api_token(
        &self,
        headers: &HeaderMap,
        token: app::domain::ids::ApiTokenId,
    ) -> Result<Vec<app::domain::api_tokens::ApiTokenSummary>, ApiError> {
        Services::revoke_api_token(self, headers, token).await
    }

    async fn webhooks(
        &self,
        headers: &HeaderMap,
    ) -> Result<Vec<app::domain::webhooks::WebhookSummary>, ApiError> {
        Services::webhook_list(self, headers).await
    }

    async fn create_webhook(
        &self,
        headers: &HeaderMap,
        webhook: app::domain::webhooks::WebhookEdit,
    ) -> Result<app::domain::webhooks::CreatedWebhook, ApiError> {
        Services::create_webhook(self, headers, webhook).await
    }

    async fn change_webhook(
        &self,
        headers: &HeaderMap,
        id: app::domain::ids::WebhookId,
        webhook: app::domain::webhooks::WebhookEdit,
    ) -> Result<Vec<app::domain::webhooks::WebhookSummary>, ApiError> {
        Services::change_webhook(self, headers, id, webhook).await
    }

    async fn pause_webhook(
        &self,
        headers: &HeaderMap,
        id: app::domain::ids::WebhookId,
        paused: bool,
    ) -> Result<Vec<app::domain::webhooks::WebhookSummary>, ApiError> {
        Services::pause_webhook(self, headers, id, paused).await
    }

    async fn delete_webhook(
        &self,
        headers: &HeaderMap,
        id: app::domain::ids::WebhookId,
    ) -> Result<Vec<app::domain::webhooks::WebhookSummary>, ApiError> {
        Services::delete_webhook(self, headers, id).await
    }

    async fn webhook_deliveries(
        &self,
        headers: &HeaderMap,
        id: app::domain::ids::WebhookId,
        before: Option<i64>,
    ) -> Result<Vec<app::domain::webhooks::DeliverySummary>, ApiError> {
        Services::webhook_deliveries(self, headers, id, before).await
    }

    async fn replay_webhook_delivery(
        &self,
        headers: &HeaderMap,
        id: app::domain::ids::WebhookId,
        delivery: i64,
    ) -> Result<Vec<app::domain::webhooks::DeliverySummary>, ApiError> {
        Services::replay_webhook_delivery(self, headers, id, delivery).await
    }

    async fn supervision_board(
        &self,
        headers: &HeaderMap,
        time_zone: String,
    ) -> Result<app::domain::supervision::Board, ApiError> {
        self.board(headers, &time_zone).await
    }

    async fn supervise_agent(
        &self,
        headers: &HeaderMap,
        agent: app::domain::ids::AgentId,
        action: app::domain::supervision::SupervisorAction,
    ) -> Result<(), ApiError> {
        Services::supervise_agent(self, headers, agent, action).await
    }

    async fn join_chat(
        &self,
        headers: &HeaderMap,
        contact: app::domain::ids::ContactId,
    ) -> Result<(), ApiError> {
        Services::join_chat(self, headers, contact).await
    }

    async fn report(
        &self,
        headers: &HeaderMap,
        request: app::domain::reports::ReportRequest,
    ) -> Result<app::domain::reports::Report, ApiError> {
        Services::report(self, headers, request).await
    }

    async fn audit(
        &self,
        headers: &HeaderMap,
        filter: app::domain::audit::AuditFilter,
    ) -> Result<app::domain::audit::AuditPage, ApiError> {
        self.audit_page(headers, filter).await
    }

    async fn state_history(
        &self,
        headers: &HeaderMap,
        username: String,
        day: String,
    ) -> Result<app::domain::audit::StateHistory, ApiError> {
        Services::state_history(self, headers, &username, &day).await
    }

    async fn users(
        &self,
        headers: &HeaderMap,
        search: String,
        page: u32,
    ) -> Result<app::domain::users::UserPage, ApiError> {
        self.user_page(headers, &search, page).await
    }

    async fn save_user(
        &self,
        headers: &HeaderMap,
        edit: app::domain::users::UserEdit,
    ) -> Result<app::domain::users::UserSaved, ApiError> {
        Services::save_user(self, headers, edit).await
    }

    async fn reset_user_password(
        &self,
        headers: &HeaderMap,
        user: AgentId,
    ) -> Result<String, ApiError> {
        Services::reset_user_password(self, headers, user).await
    }

    async fn save_wrap_up_reason(
        &self,
        headers: &HeaderMap,
        edit: WrapUpReasonEdit,
    ) -> Result<Vec<WrapUpReasonAdmin>, ApiError> {
        let admin = self.administrator(headers).await?;
        let existing = self.store.wrap_up_reasons_admin().await.map_err(internal)?;
        edit.validate(&existing)
            .map_err(|e| ApiError::Invalid(vec![e]))?;
        let csqs = self.store.csqs().await.map_err(internal)?;
        if let Some(unknown) = edit.csqs.iter().find(|c| !csqs.iter().any(|q| q.id == **c)) {
            return Err(ApiError::Invalid(vec![FieldError::new(
                Field::Csqs,
                Problem::UnknownId { id: unknown.0 },
            )]));
        }
        let before = edit.id.and_then(|id| existing.iter().find(|r| r.id == id));
        let csq_names = |ids: &[CsqId]| {
            csqs.iter()
                .filter(|q| ids.contains(&q.id))
                .map(|q| q.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let detail = match before {
            None => format!(
                "created {:?} for [{}]",
                edit.label.trim(),
                csq_names(&edit.csqs)
            ),
            Some(b) => format!(
                "{:?} -> {:?}; queues [{}] -> [{}]; retired {} -> {}",
                b.label,
                edit.label.trim(),
                csq_names(&b.csqs),
                csq_names(&edit.csqs),
                b.retired,
                edit.retired
            ),
        };
        if edit.id.is_some() && before.is_none() {
            return Err(ApiError::Invalid(vec![FieldError::new(
                Field::WrapUpLabel,
                Problem::UnknownId {
                    id: edit.id.map(|i| i.0).unwrap_or_default(),
                },
            )]));
        }
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "wrap_up_reason.save".into(),
            detail,
        };
        self.store
            .save_wrap_up_reason(&edit, &audit)
            .await
            .map_err(internal)?;
        tracing::info!(agent = %admin.id, change = %audit.detail, "wrap-up reason saved");
        self.store.wrap_up_reasons_admin().await.map_err(internal)
    }
}
