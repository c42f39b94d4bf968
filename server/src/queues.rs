//! Queues as the administrators manage them (SPEC D-2, K-2, O-2): CSQs (create, rename,
//! retire, members) and the pre-chat form's problem statements (create, route to a CSQ,
//! retire, order). Every call is refused to anyone but an administrator and audited. A
//! change of members reaches routing at once; a retired CSQ keeps what waits in it and is
//! offered on no pre-chat form.

use crate::{
    clock::now_ms,
    hours::Availability,
    routing::engine::Input,
    services::{internal, invalid, Services},
    store::{AuditEntry, StoreError},
};
use app::{
    api::{ApiError, QueuesView},
    domain::{
        csq::memberships,
        hours::{BusinessHours, HoursNow},
        ids::{AgentId, CsqId},
        limits::MAX_PROBLEM_STATEMENTS,
        queues::{CsqEdit, ProblemStatementEdit},
        validate::{Field, Problem},
    },
};
use http::HeaderMap;

impl Services {
    /// The Queues page's state: every CSQ with its members, every problem statement.
    pub(crate) async fn queues_now(&self) -> Result<QueuesView, ApiError> {
        let csqs = self.store.csqs_admin().await.map_err(internal)?;
        let now = now_ms();
        let hours_now = csqs
            .iter()
            .filter_map(|c| {
                let hours = c.hours.as_ref()?;
                let state = match crate::hours::availability(Some(hours), now) {
                    Availability::Open => HoursNow::Open,
                    Availability::Closed { opens_local, .. } => {
                        HoursNow::Closed { opens: opens_local }
                    }
                };
                Some((c.id, state))
            })
            .collect();
        Ok(QueuesView {
            csqs,
            problem_statements: self
                .store
                .problem_statements_admin()
                .await
                .map_err(internal)?,
            hours_now,
        })
    }

    /// Issue 17 (K-4): sets a CSQ's business hours (none: always open), checked as the page
    /// checks them and with the time zone database; returns the page's new state.
    pub async fn save_business_hours(
        &self,
        headers: &HeaderMap,
        csq: CsqId,
        hours: Option<BusinessHours>,
    ) -> Result<QueuesView, ApiError> {
        let admin = self.administrator(headers).await?;
        let hours = match hours {
            None => None,
            Some(hours) => {
                hours.validate().map_err(ApiError::Invalid)?;
                let hours = hours.normalized();
                if crate::hours::time_zone(&hours.time_zone).is_none() {
                    return Err(invalid(
                        Field::TimeZone,
                        Problem::UnknownTimeZone {
                            value: hours.time_zone,
                        },
                    ));
                }
                Some(hours)
            }
        };
        let before = self.store.csqs_admin().await.map_err(internal)?;
        let was = before
            .iter()
            .find(|c| c.id == csq)
            .ok_or_else(|| invalid(Field::Csqs, Problem::UnknownId { id: csq.0 }))?;
        let describe = |h: Option<&BusinessHours>| {
            h.map_or_else(|| "always open".to_string(), BusinessHours::describe)
        };
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "csq.hours".into(),
            detail: format!(
                "{:?}: {} -> {}",
                was.name,
                describe(was.hours.as_ref()),
                describe(hours.as_ref())
            ),
        };
        self.store
            .save_business_hours(csq, hours.as_ref(), &audit)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => invalid(Field::Csqs, Problem::UnknownId { id: csq.0 }),
                e => internal(e),
            })?;
        tracing::info!(agent = %admin.id, change = %audit.detail, "business hours saved");
        self.queues_now().await
    }

    /// Creates or changes a CSQ; returns the page's new state.
    pub async fn save_csq(
        &self,
        headers: &HeaderMap,
        edit: CsqEdit,
    ) -> Result<QueuesView, ApiError> {
        let admin = self.administrator(headers).await?;
        let before = self.store.csqs_admin().await.map_err(internal)?;
        let names: Vec<(CsqId, String)> = before.iter().map(|c| (c.id, c.name.clone())).collect();
        edit.validate(&names).map_err(ApiError::Invalid)?;
        let edit = edit.normalized();
        let was = match edit.id {
            None => None,
            Some(id) => Some(
                before
                    .iter()
                    .find(|c| c.id == id)
                    .ok_or_else(|| invalid(Field::CsqName, Problem::UnknownId { id: id.0 }))?,
            ),
        };
        for member in &edit.members {
            if let Err(StoreError::NotFound) = self.store.agent(*member).await {
                return Err(invalid(Field::Members, Problem::UnknownId { id: member.0 }));
            }
        }
        let detail = match was {
            None => format!(
                "created {:?} with {} member(s)",
                edit.name,
                edit.members.len()
            ),
            Some(was) => {
                let old: Vec<AgentId> = was.members.iter().map(|m| m.id).collect();
                let added = edit.members.iter().filter(|m| !old.contains(m)).count();
                let removed = old.iter().filter(|m| !edit.members.contains(m)).count();
                format!(
                    "{:?} -> {:?}; retired {} -> {}; members +{added} -{removed}",
                    was.name, edit.name, was.retired, edit.retired
                )
            }
        };
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "csq.save".into(),
            detail,
        };
        let (_, before) = self
            .store
            .save_csq(&edit, &audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => invalid(
                    Field::CsqName,
                    Problem::Duplicate {
                        value: edit.name.clone(),
                    },
                ),
                e => internal(e),
            })?;
        // Every agent who was or is a member learns their CSQs as stored now (the members
        // before are the transaction's, so a user's save made meanwhile is counted).
        let mut told: Vec<AgentId> = before.into_iter().chain(edit.members.clone()).collect();
        told.sort();
        told.dedup();
        self.send_memberships(&told).await?;
        tracing::info!(agent = %admin.id, change = %audit.detail, "CSQ saved");
        self.queues_now().await
    }

    /// Creates or changes a problem statement; returns the page's new state.
    pub async fn save_problem_statement(
        &self,
        headers: &HeaderMap,
        edit: ProblemStatementEdit,
    ) -> Result<QueuesView, ApiError> {
        let admin = self.administrator(headers).await?;
        let view = self.queues_now().await?;
        let csqs: Vec<(CsqId, bool)> = view.csqs.iter().map(|c| (c.id, c.retired)).collect();
        edit.validate(&view.problem_statements, &csqs)
            .map_err(ApiError::Invalid)?;
        let was = match edit.id {
            None if view.problem_statements.len() >= MAX_PROBLEM_STATEMENTS => {
                return Err(invalid(
                    Field::Problem,
                    Problem::TooManyItems {
                        max: MAX_PROBLEM_STATEMENTS,
                        given: view.problem_statements.len() + 1,
                    },
                ))
            }
            None => None,
            Some(id) => Some(
                view.problem_statements
                    .iter()
                    .find(|s| s.id == id)
                    .ok_or_else(|| invalid(Field::Problem, Problem::UnknownId { id }))?,
            ),
        };
        let csq_name = |id: CsqId| {
            view.csqs
                .iter()
                .find(|c| c.id == id)
                .map_or_else(String::new, |c| c.name.clone())
        };
        let label = edit.label.trim().to_string();
        let detail = match was {
            None => format!("created {label:?} -> {}", csq_name(edit.csq)),
            Some(w) => format!(
                "{:?} -> {label:?}; CSQ {} -> {}; retired {} -> {}",
                w.label,
                csq_name(w.csq),
                csq_name(edit.csq),
                w.retired,
                edit.retired
            ),
        };
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "problem_statement.save".into(),
            detail,
        };
        let edit = ProblemStatementEdit { label, ..edit };
        self.store
            .save_problem_statement(&edit, &audit)
            .await
            .map_err(internal)?;
        tracing::info!(agent = %admin.id, change = %audit.detail, "problem statement saved");
        self.queues_now().await
    }

    /// Moves a problem statement one place up or down the pre-chat form.
    pub async fn move_problem_statement(
        &self,
        headers: &HeaderMap,
        id: i64,
        up: bool,
    ) -> Result<QueuesView, ApiError> {
        let admin = self.administrator(headers).await?;
        let view = self.queues_now().await?;
        let statement = view
            .problem_statements
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| invalid(Field::Problem, Problem::UnknownId { id }))?;
        let audit = AuditEntry {
            at_ms: now_ms(),
            agent: admin.id,
            action: "problem_statement.order".into(),
            detail: format!(
                "{:?} moved {}",
                statement.label,
                if up { "up" } else { "down" }
            ),
        };
        self.store
            .move_problem_statement(id, up, &audit)
            .await
            .map_err(internal)?;
        self.queues_now().await
    }

    /// Tells routing the CSQs and capacity of each of these agents, as stored now.
    pub(crate) async fn send_memberships(&self, agents: &[AgentId]) -> Result<(), ApiError> {
        if agents.is_empty() {
            return Ok(());
        }
        let csqs = self.store.csqs().await.map_err(internal)?;
        for agent in agents {
            let profile = self.store.agent(*agent).await.map_err(internal)?;
            self.chat.routing.send(Input::AgentChanged {
                agent: *agent,
                csqs: memberships(&csqs, *agent),
                max_chats: profile.max_chats,
                max_emails: profile.max_emails,
            });
        }
        Ok(())
    }
}
