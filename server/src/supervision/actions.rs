//! Issue 18 (D-3): what a supervisor does to an agent of the CSQs they watch: set them Not
//! Ready (at once, or once their contacts end when Reserved, as when the agent asks), or log
//! them out (their chats end and their emails go back to the queue, as when a desktop
//! closes). Each is audited; the agent's desktop says a supervisor did it. A supervisor acts
//! on the agents (role Agent) of their CSQs, never on themselves; any other user is "not
//! found", as one that does not exist. Administrators act on anyone but themselves.

use crate::services::{internal, Services};
use crate::{clock::now_ms, hub::HubError, store::AuditEntry, store::StoreError};
use app::{
    api::ApiError,
    domain::{
        agent::Role,
        csq::memberships,
        ids::AgentId,
        state::{AgentState, StateEvent, StateReason},
        supervision::SupervisorAction,
    },
};
use http::HeaderMap;

impl Services {
    pub async fn supervise_agent(
        &self,
        headers: &HeaderMap,
        agent: AgentId,
        action: SupervisorAction,
    ) -> Result<(), ApiError> {
        let (supervisor, watched, csqs) = self.watcher(headers).await?;
        let target = self.store.agent(agent).await.map_err(|e| match e {
            StoreError::NotFound => ApiError::NotFound,
            e => internal(e),
        })?;
        let within_reach = match supervisor.role {
            Role::Admin => true,
            _ => {
                target.role == Role::Agent
                    && memberships(&csqs, agent)
                        .iter()
                        .any(|c| watched.contains(c))
            }
        };
        if !within_reach || agent == supervisor.id {
            tracing::warn!(supervisor = %supervisor.id, agent = %agent, "supervisor action out of reach refused");
            return Err(ApiError::NotFound);
        }
        let changed = match action {
            SupervisorAction::NotReady => {
                match self
                    .hub
                    .apply_with_reason(agent, StateEvent::SetNotReady, StateReason::Supervisor)
                    .await
                {
                    Ok(changed) => changed.is_some(),
                    Err(HubError::State(e)) => return Err(ApiError::State(e)),
                    Err(HubError::Store(e)) => return Err(internal(e)),
                }
            }
            SupervisorAction::LogOut => {
                // Already logged out (a board a moment old): nothing to do, nothing audited.
                let (status, _) = self.store.agent_status(agent).await.map_err(internal)?;
                // Released and logged out before the sessions end, so that the agent's open
                // pages hear why (their login page says a supervisor did it).
                self.release_presence(agent, StateReason::Supervisor).await;
                self.store.delete_sessions(agent).await.map_err(internal)?;
                self.hub.sessions_changed(agent);
                status.state != AgentState::LoggedOut
            }
        };
        if changed {
            let audit = AuditEntry {
                at_ms: now_ms(),
                agent: supervisor.id,
                action: action.audit_action().into(),
                detail: format!("{} ({})", target.display_name, target.username),
            };
            self.store.record_audit(&audit).await.map_err(internal)?;
            tracing::info!(supervisor = %supervisor.id, agent = %agent, action = action.audit_action(), "supervisor action");
        }
        Ok(())
    }
}
