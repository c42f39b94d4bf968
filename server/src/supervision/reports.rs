//! Issue 18 (D-3): a supervisor's report. The period's days are read on the viewer's clock
//! (today, yesterday, the last 7 or 30 days, or days of their choosing), narrowed to one of
//! the CSQs they watch, one of those CSQs' agents or a channel; the database counts
//! everything ([`crate::store::reports`]) and this folds the hours into days and charts.

use super::day_unknown;
use crate::{
    clock::now_ms,
    services::{internal, Services},
    store::reports::ReportScope,
};
use app::{
    api::ApiError,
    domain::{
        hours::LocalMoment,
        ids::AgentId,
        reports::{Report, ReportRequest},
    },
};
use http::HeaderMap;

impl Services {
    pub async fn report(
        &self,
        headers: &HeaderMap,
        request: ReportRequest,
    ) -> Result<Report, ApiError> {
        let (_, watched, csqs) = self.watcher(headers).await?;
        let custom = request.custom_days().map_err(ApiError::Invalid)?;
        let zone = crate::hours::time_zone(&request.time_zone)
            .ok_or_else(|| day_unknown(&request.time_zone))?;
        let now = now_ms();
        let today = crate::hours::local(&zone, now)
            .ok_or_else(|| day_unknown(&request.time_zone))?
            .day;
        let (first_day, last_day) = request.period.days(today, custom);
        let midnight = |day: i64| {
            crate::hours::instant(&zone, LocalMoment { day, minute: 0 })
                .ok_or_else(|| day_unknown(&request.time_zone))
        };
        let (from_ms, to_ms) = (midnight(first_day)?, midnight(last_day + 1)?);

        // What the filters may choose: the watched CSQs, and their agents.
        let mut agent_ids: Vec<AgentId> = csqs
            .iter()
            .filter(|c| watched.contains(&c.id))
            .flat_map(|c| c.members.iter().copied())
            .collect();
        agent_ids.sort();
        agent_ids.dedup();
        let mut agent_choices: Vec<(AgentId, String)> = self
            .store
            .agents()
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|a| agent_ids.contains(&a.id) && !a.disabled)
            .map(|a| (a.id, a.display_name))
            .collect();
        agent_choices.sort_by_key(|(_, name)| name.to_lowercase());
        let mut csq_choices: Vec<_> = csqs
            .iter()
            .filter(|c| watched.contains(&c.id))
            .map(|c| (c.id, c.name.clone()))
            .collect();
        csq_choices.sort_by_key(|(_, name)| name.to_lowercase());
        // A CSQ or an agent beyond the viewer's is as one that does not exist.
        let scope_csqs = match request.csq {
            Some(csq) if watched.contains(&csq) => vec![csq],
            Some(_) => return Err(ApiError::NotFound),
            None => watched,
        };
        if request.agent.is_some_and(|a| !agent_ids.contains(&a)) {
            return Err(ApiError::NotFound);
        }

        let scope = ReportScope {
            from_ms,
            to_ms,
            until_ms: now.min(to_ms),
            csqs: scope_csqs,
            agent: request.agent,
            channel: request.channel,
            offsets: crate::hours::offsets(&zone, from_ms, to_ms),
        };
        let figures = self.store.report(&scope).await.map_err(internal)?;
        let mut report = Report {
            first_day,
            last_day,
            from_ms,
            to_ms,
            times: figures.times,
            wait_bars: figures.wait_bars,
            wrap_up: figures.wrap_up,
            agents: figures.agents,
            csqs: csq_choices,
            agent_choices,
            ..Default::default()
        };
        report.fold_hours(&figures.hours);
        Ok(report)
    }
}
