//! The supervisors' reports' SQL (issue 18), shared by both backends like [`super::sql`].
//! Every figure is an aggregate the database computes over the period's rows, read through
//! the contact log's covering index by time (or the contacts' by arrival): the server only
//! folds hours into days and charts. The numbers in these statements (times, ids, offsets)
//! are the server's own integers, written into the SQL; no text from a request is.

macro_rules! impl_report_store {
    ($store:ty, $row:ty) => {
        mod reports_impl {
            use super::*;
            use app::domain::{
                limits::REPORT_WAIT_BARS_SECS,
                state::AgentState,
                reports::{p90_rank, AgentFigures, HourVolume, ReportFigures, Spread, Times, Volume},
            };
            use std::collections::BTreeMap;
            use $crate::store::{
                reports::{ReportScope, ReportStore},
                supervision::ABANDONS,
            };

            fn count(row: &$row, column: &str) -> StoreResult<u32> {
                let n: Option<i64> = row.try_get(column)?;
                Ok(u32::try_from(n.unwrap_or_default()).unwrap_or(u32::MAX))
            }

            fn ids(ids: impl Iterator<Item = i64>) -> String {
                ids.map(|id| id.to_string()).collect::<Vec<_>>().join(", ")
            }

            /// The contact log's rows of `scope` (alias `l`).
            fn log_filter(scope: &ReportScope) -> String {
                let mut sql = format!(
                    "l.at_ms >= {} AND l.at_ms < {} AND l.csq_id IN ({})",
                    scope.from_ms,
                    scope.to_ms,
                    ids(scope.csqs.iter().map(|c| c.0))
                );
                if let Some(agent) = scope.agent {
                    sql.push_str(&format!(" AND l.agent_id = {}", agent.0));
                }
                if let Some(channel) = scope.channel {
                    sql.push_str(&format!(" AND l.channel = '{}'", channel.as_str()));
                }
                sql
            }

            /// The contacts that came in during `scope`'s period (alias `c`).
            fn contact_filter(scope: &ReportScope) -> String {
                let mut sql = format!(
                    "c.created_at_ms >= {} AND c.created_at_ms < {} AND c.csq_id IN ({})",
                    scope.from_ms,
                    scope.to_ms,
                    ids(scope.csqs.iter().map(|c| c.0))
                );
                if let Some(agent) = scope.agent {
                    sql.push_str(&format!(" AND c.agent_id = {}", agent.0));
                }
                if let Some(channel) = scope.channel {
                    sql.push_str(&format!(" AND c.channel = '{}'", channel.as_str()));
                }
                sql
            }

            /// `l.at_ms` on the viewer's clock, in ms.
            fn local_ms(scope: &ReportScope) -> String {
                match scope.offsets.as_slice() {
                    [] => "l.at_ms".to_string(),
                    [(_, only)] => format!("(l.at_ms + {only})"),
                    [(_, first), rest @ ..] => {
                        let mut sql = String::from("(l.at_ms + CASE");
                        let mut offset = *first;
                        for (from, next) in rest {
                            sql.push_str(&format!(" WHEN l.at_ms < {from} THEN {offset}"));
                            offset = *next;
                        }
                        sql.push_str(&format!(" ELSE {offset} END)"));
                        sql
                    }
                }
            }

            impl $store {
                /// The count, average and 90th percentile of the non-null `v` of
                /// `values`, and how many fall in each bar of the wait chart.
                async fn spread(&self, values: &str) -> StoreResult<(Spread, Vec<u32>)> {
                    let mut bars = String::new();
                    for (i, secs) in REPORT_WAIT_BARS_SECS.iter().enumerate() {
                        bars.push_str(&format!(
                            ", SUM(CASE WHEN v < {} THEN 1 ELSE 0 END) AS below{i}",
                            secs * 1000
                        ));
                    }
                    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(v), 0) AS BIGINT) AS total \
                         {bars} FROM ({values}) x WHERE v IS NOT NULL"
                    )))
                    .fetch_one(&self.pool)
                    .await?;
                    let n = count(&row, "n")?;
                    let mut below = Vec::new();
                    for i in 0..REPORT_WAIT_BARS_SECS.len() {
                        below.push(count(&row, &format!("below{i}"))?);
                    }
                    // From "below each bound" to "in each bar".
                    let mut in_bars = Vec::new();
                    let mut under = 0;
                    for b in below.iter().chain(std::iter::once(&n)) {
                        in_bars.push(b - under);
                        under = *b;
                    }
                    if n == 0 {
                        return Ok((Spread::default(), in_bars));
                    }
                    let total: i64 = row.try_get("total")?;
                    // Read again: a row erased meanwhile (privacy) leaves it unknown.
                    let p90: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT v FROM ({values}) x WHERE v IS NOT NULL ORDER BY v \
                         LIMIT 1 OFFSET {}",
                        p90_rank(n) - 1
                    )))
                    .fetch_optional(&self.pool)
                    .await?;
                    let n64 = i64::from(n);
                    Ok((
                        Spread {
                            count: n,
                            average_ms: Some((total + n64 / 2) / n64),
                            p90_ms: p90,
                        },
                        in_bars,
                    ))
                }

                async fn report_hours(&self, scope: &ReportScope) -> StoreResult<Vec<HourVolume>> {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {local} / 3600000 AS local_hour, l.channel, \
                         SUM(CASE WHEN l.step IN ('queued', 'transferred', 'requeued') \
                           THEN 1 ELSE 0 END) AS came_in, \
                         SUM(CASE WHEN l.step = 'offered' THEN 1 ELSE 0 END) AS offered, \
                         SUM(CASE WHEN l.step = 'offer_withdrawn' THEN 1 ELSE 0 END) \
                           AS not_accepted, \
                         SUM(CASE WHEN l.step = 'accepted' AND l.wait_ms IS NOT NULL \
                           THEN 1 ELSE 0 END) AS handled, \
                         SUM(CASE WHEN l.step = 'ended' AND l.agent_id IS NULL \
                           AND l.reason IN {ABANDONS} THEN 1 ELSE 0 END) AS abandoned, \
                         SUM(CASE WHEN l.step = 'transferred' THEN 1 ELSE 0 END) AS transferred, \
                         SUM(CASE WHEN l.step = 'requeued' THEN 1 ELSE 0 END) AS requeued \
                         FROM contact_log l WHERE {filter} GROUP BY 1, 2",
                        local = local_ms(scope),
                        filter = log_filter(scope),
                    )))
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|row| {
                            let channel: String = row.try_get("channel")?;
                            Ok(HourVolume {
                                local_hour: row.try_get("local_hour")?,
                                channel: Channel::parse(&channel).ok_or_else(|| {
                                    StoreError::Corrupt(format!("channel {channel}"))
                                })?,
                                volume: Volume {
                                    came_in: count(row, "came_in")?,
                                    offered: count(row, "offered")?,
                                    not_accepted: count(row, "not_accepted")?,
                                    handled: count(row, "handled")?,
                                    abandoned: count(row, "abandoned")?,
                                    transferred: count(row, "transferred")?,
                                    requeued: count(row, "requeued")?,
                                },
                            })
                        })
                        .collect()
                }

                async fn report_times(&self, scope: &ReportScope) -> StoreResult<(Times, Vec<u32>)> {
                    let log = log_filter(scope);
                    let contacts = contact_filter(scope);
                    let (wait, bars) = self
                        .spread(&format!(
                            "SELECT l.wait_ms AS v FROM contact_log l WHERE {log} \
                             AND l.step = 'accepted'"
                        ))
                        .await?;
                    let (abandoned_after, _) = self
                        .spread(&format!(
                            "SELECT l.wait_ms AS v FROM contact_log l WHERE {log} \
                             AND l.step = 'ended' AND l.agent_id IS NULL \
                             AND l.reason IN {ABANDONS}"
                        ))
                        .await?;
                    let (handle, _) = self
                        .spread(&format!(
                            "SELECT l.handle_ms AS v FROM contact_log l WHERE {log} \
                             AND l.step = 'ended'"
                        ))
                        .await?;
                    let (first_response, _) = self
                        .spread(&format!(
                            "SELECT c.first_response_at_ms - c.created_at_ms AS v \
                             FROM contacts c WHERE {contacts} AND c.channel <> 'email'"
                        ))
                        .await?;
                    // An email the CRM sent (never taken, ended "sent") waited for no
                    // reply; one an agent answered ends "sent" too, once taken.
                    let reply = |when: &str, sent: &str| {
                        format!(
                            "SELECT (SELECT MIN(o.{when}) FROM email_outbox o \
                             WHERE o.contact_id = c.id AND o.agent_id IS NOT NULL{sent}) \
                             - c.created_at_ms AS v FROM contacts c WHERE {contacts} \
                             AND c.channel = 'email' AND NOT (c.accepted_at_ms IS NULL \
                             AND COALESCE(c.end_reason, '') = '\"sent\"')"
                        )
                    };
                    let (email_first_reply, _) =
                        self.spread(&reply("created_at_ms", "")).await?;
                    let (email_sent, _) = self
                        .spread(&reply("done_at_ms", " AND o.state = 'sent'"))
                        .await?;
                    Ok((
                        Times {
                            wait,
                            abandoned_after,
                            first_response,
                            handle,
                            email_first_reply,
                            email_sent,
                        },
                        bars,
                    ))
                }

                async fn report_wrap_up(&self, scope: &ReportScope) -> StoreResult<Vec<(String, u32)>> {
                    let mut by = String::new();
                    if let Some(agent) = scope.agent {
                        by = format!(" AND w.agent_id = {}", agent.0);
                    }
                    // Ends by agent or not: the filter's agent is the wrap-up's.
                    let mut unfiltered = scope.clone();
                    unfiltered.agent = None;
                    // Each choice once, however often its contact ended in the period
                    // (an email reopened after a failed send ends again).
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT r.label, COUNT(*) AS n FROM contact_wrap_up w \
                         JOIN wrap_up_reasons r ON r.id = w.reason_id \
                         WHERE EXISTS (SELECT 1 FROM contact_log l \
                           WHERE l.contact_id = w.contact_id AND l.step = 'ended' \
                           AND {filter}){by} \
                         GROUP BY r.label ORDER BY COUNT(*) DESC, r.label",
                        filter = log_filter(&unfiltered),
                    )))
                    .fetch_all(&self.pool)
                    .await?;
                    rows.iter()
                        .map(|row| Ok((row.try_get("label")?, count(row, "n")?)))
                        .collect()
                }

                async fn report_agents(&self, scope: &ReportScope) -> StoreResult<Vec<AgentFigures>> {
                    let csqs = ids(scope.csqs.iter().map(|c| c.0));
                    // Who: the members of the CSQs.
                    let mut agents: BTreeMap<i64, AgentFigures> = BTreeMap::new();
                    let figures = |id: i64, name: String| AgentFigures {
                        agent: AgentId(id),
                        name,
                        ready_ms: 0,
                        not_ready_ms: 0,
                        reserved_ms: 0,
                        offered: 0,
                        not_accepted: 0,
                        handled: 0,
                        handle: Spread::default(),
                    };
                    let only = scope
                        .agent
                        .map(|a| format!(" AND a.id = {}", a.0))
                        .unwrap_or_default();
                    for row in sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT DISTINCT a.id, a.display_name FROM agents a \
                         JOIN csq_members m ON m.agent_id = a.id \
                         WHERE m.csq_id IN ({csqs}) AND NOT a.disabled{only}"
                    )))
                    .fetch_all(&self.pool)
                    .await?
                    {
                        let id: i64 = row.try_get("id")?;
                        agents.insert(id, figures(id, row.try_get("display_name")?));
                    }
                    for row in sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT l.agent_id, \
                         SUM(CASE WHEN l.step = 'offered' THEN 1 ELSE 0 END) AS offered, \
                         SUM(CASE WHEN l.step = 'offer_withdrawn' THEN 1 ELSE 0 END) \
                           AS not_accepted, \
                         SUM(CASE WHEN l.step = 'accepted' AND l.wait_ms IS NOT NULL \
                           THEN 1 ELSE 0 END) AS handled, \
                         SUM(CASE WHEN l.handle_ms IS NOT NULL THEN 1 ELSE 0 END) AS ended, \
                         CAST(COALESCE(SUM(l.handle_ms), 0) AS BIGINT) AS handle_total \
                         FROM contact_log l WHERE {filter} AND l.agent_id IS NOT NULL \
                         GROUP BY l.agent_id",
                        filter = log_filter(scope),
                    )))
                    .fetch_all(&self.pool)
                    .await?
                    {
                        // The CSQs' members only: another agent's states are not the
                        // supervisor's to read.
                        let id: i64 = row.try_get("agent_id")?;
                        let Some(agent) = agents.get_mut(&id) else {
                            continue;
                        };
                        agent.offered = count(&row, "offered")?;
                        agent.not_accepted = count(&row, "not_accepted")?;
                        agent.handled = count(&row, "handled")?;
                        let ended = count(&row, "ended")?;
                        if ended > 0 {
                            let total: i64 = row.try_get("handle_total")?;
                            agent.handle = Spread {
                                count: ended,
                                average_ms: Some((total + i64::from(ended) / 2) / i64::from(ended)),
                                p90_ms: None,
                            };
                        }
                    }
                    if agents.is_empty() {
                        return Ok(Vec::new());
                    }
                    // SPEC S-6: time in each state, from the state each agent was in when
                    // the period began (their last change before it) to the period's end.
                    let (from, to, until) = (scope.from_ms, scope.to_ms, scope.until_ms);
                    let who = ids(agents.keys().copied());
                    for row in sqlx::query(sqlx::AssertSqlSafe(format!(
                        "WITH changes AS ( \
                           SELECT s.agent_id, s.id, s.at_ms, s.state FROM agent_state_log s \
                           WHERE s.agent_id IN ({who}) AND s.at_ms >= {from} AND s.at_ms < {to} \
                           UNION ALL \
                           SELECT s.agent_id, s.id, s.at_ms, s.state FROM agent_state_log s \
                           WHERE s.id IN (SELECT (SELECT p.id FROM agent_state_log p \
                             WHERE p.agent_id = a.id AND p.at_ms < {from} \
                             ORDER BY p.at_ms DESC, p.id DESC LIMIT 1) \
                             FROM agents a WHERE a.id IN ({who})) \
                         ), spans AS ( \
                           SELECT agent_id, state, \
                           CASE WHEN at_ms < {from} THEN {from} ELSE at_ms END AS starts, \
                           COALESCE(LEAD(at_ms) OVER (PARTITION BY agent_id \
                             ORDER BY at_ms, id), {until}) AS ends \
                           FROM changes \
                         ) \
                         SELECT agent_id, state, \
                         CAST(SUM(ends - starts) AS BIGINT) AS ms FROM spans \
                         WHERE ends > starts GROUP BY agent_id, state"
                    )))
                    .fetch_all(&self.pool)
                    .await?
                    {
                        let id: i64 = row.try_get("agent_id")?;
                        let ms: i64 = row.try_get("ms")?;
                        let Some(agent) = agents.get_mut(&id) else {
                            continue;
                        };
                        // A change a node of the previous release logged has no state
                        // name: left out.
                        let state = row.try_get::<Option<String>, _>("state")?;
                        match state.as_deref().and_then(AgentState::parse) {
                            Some(AgentState::Ready) => agent.ready_ms += ms,
                            Some(AgentState::NotReady) => agent.not_ready_ms += ms,
                            Some(AgentState::Reserved) => agent.reserved_ms += ms,
                            Some(AgentState::LoggedOut) | None => {}
                        }
                    }
                    let mut agents: Vec<AgentFigures> = agents.into_values().collect();
                    agents.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()));
                    Ok(agents)
                }
            }

            #[async_trait::async_trait]
            impl ReportStore for $store {
                async fn report(&self, scope: &ReportScope) -> StoreResult<ReportFigures> {
                    if scope.csqs.is_empty() || scope.to_ms <= scope.from_ms {
                        return Ok(ReportFigures::default());
                    }
                    let hours = self.report_hours(scope).await?;
                    let (times, wait_bars) = self.report_times(scope).await?;
                    let wrap_up = self.report_wrap_up(scope).await?;
                    let agents = self.report_agents(scope).await?;
                    Ok(ReportFigures {
                        hours,
                        times,
                        wait_bars,
                        wrap_up,
                        agents,
                    })
                }
            }
        }
    };
}

pub(super) use impl_report_store;
