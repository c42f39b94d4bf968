//! The supervisors' live view's SQL (issue 18), shared by both backends like
//! [`super::sql`]. Every table it reads is small (agents, open contacts) or read by time
//! (today's contact log), so each read is a few statements whatever the history's size.

macro_rules! impl_supervision_store {
    ($store:ty, $row:ty) => {
        mod supervision_impl {
            use super::*;
            use app::domain::{
                agent::Role,
                state::{AgentState, StateReason},
                supervision::{DayFigures, LiveChat, QueueFigures, TeamMember, Waiting},
            };
            use std::collections::HashMap;
            use $crate::store::supervision::{SupervisionStore, ABANDONS};

            fn count(row: &$row, column: &str) -> StoreResult<u32> {
                Ok(u32::try_from(row.try_get::<i64, _>(column)?).unwrap_or(u32::MAX))
            }

            #[async_trait::async_trait]
            impl SupervisionStore for $store {
                async fn board(
                    &self,
                    csqs: &[CsqId],
                    day_start_ms: i64,
                ) -> StoreResult<(Vec<TeamMember>, Vec<QueueFigures>, Vec<LiveChat>)> {
                    let watched = |id: CsqId| csqs.contains(&id);
                    let mut queues: Vec<QueueFigures> = Vec::new();
                    for row in sqlx::query(
                        "SELECT id, name, service_level_secs FROM csqs ORDER BY lower(name), id",
                    )
                    .fetch_all(&self.pool)
                    .await?
                    {
                        let id = CsqId(row.try_get("id")?);
                        if watched(id) {
                            queues.push(QueueFigures {
                                id,
                                name: row.try_get("name")?,
                                waiting: Vec::new(),
                                oldest_waiting_ms: None,
                                offering: 0,
                                logged_in: 0,
                                ready: 0,
                                reserved: 0,
                                not_ready: 0,
                                today: DayFigures::default(),
                                service_level_secs: count(&row, "service_level_secs")?,
                            });
                        }
                    }

                    // The team: each enabled member of a watched CSQ once.
                    let mut agents: Vec<TeamMember> = Vec::new();
                    // Where each agent is in `agents`.
                    let mut index: HashMap<AgentId, usize> = HashMap::new();
                    for row in sqlx::query(
                        "SELECT m.csq_id, a.id, a.username, a.display_name, a.role, a.max_chats, \
                         a.max_emails, s.status, s.state, s.state_reason, s.state_since_ms \
                         FROM csq_members m JOIN agents a ON a.id = m.agent_id \
                         LEFT JOIN agent_status s ON s.agent_id = a.id \
                         WHERE NOT a.disabled ORDER BY a.id, m.csq_id",
                    )
                    .fetch_all(&self.pool)
                    .await?
                    {
                        let csq = CsqId(row.try_get("csq_id")?);
                        if !watched(csq) {
                            continue;
                        }
                        let id = AgentId(row.try_get("id")?);
                        if let Some(&known) = index.get(&id) {
                            agents[known].csqs.push(csq);
                            continue;
                        }
                        index.insert(id, agents.len());
                        let status = match row.try_get::<Option<String>, _>("status")? {
                            Some(json) => from_json::<AgentStatus>(&json)?,
                            None => AgentStatus::logged_out(),
                        };
                        // The status is the truth; why and since when only while they are
                        // of that state (a node of the previous release, during an upgrade,
                        // updates the status alone).
                        let current = row
                            .try_get::<Option<String>, _>("state")?
                            .and_then(|s| AgentState::parse(&s))
                            == Some(status.state);
                        agents.push(TeamMember {
                            id,
                            username: row.try_get("username")?,
                            display_name: row.try_get("display_name")?,
                            role: {
                                let role: String = row.try_get("role")?;
                                Role::parse(&role).ok_or_else(|| {
                                    StoreError::Corrupt(format!("role {role}"))
                                })?
                            },
                            csqs: vec![csq],
                            state: status.state,
                            reason: row
                                .try_get::<Option<String>, _>("state_reason")?
                                .and_then(|r| StateReason::parse(&r))
                                .filter(|_| current),
                            badge: status.badge,
                            not_ready_pending: status.not_ready_pending,
                            since_ms: row
                                .try_get::<Option<i64>, _>("state_since_ms")?
                                .filter(|_| current),
                            chats: 0,
                            max_chats: count(&row, "max_chats")?,
                            emails: 0,
                            max_emails: count(&row, "max_emails")?,
                            oldest_contact_ms: None,
                        });
                    }

                    // What each holds: contacts they own, and chats they joined (G-3).
                    let held = sqlx::query(
                        "SELECT agent_id, channel, COUNT(*) AS n, MIN(accepted_at_ms) AS oldest \
                         FROM contacts WHERE status = 'active' AND agent_id IS NOT NULL \
                         GROUP BY agent_id, channel",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    let joined = sqlx::query(
                        "SELECT g.agent_id, c.channel, COUNT(*) AS n, MIN(g.joined_at_ms) AS oldest \
                         FROM chat_guests g JOIN contacts c ON c.id = g.contact_id \
                         GROUP BY g.agent_id, c.channel",
                    )
                    .fetch_all(&self.pool)
                    .await?;
                    for row in held.iter().chain(joined.iter()) {
                        let id = AgentId(row.try_get("agent_id")?);
                        let Some(agent) = index.get(&id).map(|&i| &mut agents[i]) else {
                            continue;
                        };
                        let n = count(row, "n")?;
                        if row.try_get::<String, _>("channel")? == Channel::Email.as_str() {
                            agent.emails += n;
                        } else {
                            agent.chats += n;
                        }
                        if let Some(oldest) = row.try_get::<Option<i64>, _>("oldest")? {
                            agent.oldest_contact_ms =
                                Some(agent.oldest_contact_ms.map_or(oldest, |o| o.min(oldest)));
                        }
                    }

                    // Who can take each queue's contacts now.
                    for queue in &mut queues {
                        for agent in agents.iter().filter(|a| a.csqs.contains(&queue.id)) {
                            match agent.state {
                                AgentState::LoggedOut => continue,
                                AgentState::Ready => queue.ready += 1,
                                AgentState::Reserved => queue.reserved += 1,
                                AgentState::NotReady => queue.not_ready += 1,
                            }
                            queue.logged_in += 1;
                        }
                    }

                    // What waits, per channel; offers under way.
                    for row in sqlx::query(
                        "SELECT csq_id, channel, status, COUNT(*) AS n, \
                         MIN(queued_at_ms) AS oldest FROM contacts \
                         WHERE status IN ('queued', 'offered') GROUP BY csq_id, channel, status",
                    )
                    .fetch_all(&self.pool)
                    .await?
                    {
                        let csq = CsqId(row.try_get("csq_id")?);
                        let Some(queue) = queues.iter_mut().find(|q| q.id == csq) else {
                            continue;
                        };
                        let n = count(&row, "n")?;
                        let channel: String = row.try_get("channel")?;
                        let channel = Channel::parse(&channel)
                            .ok_or_else(|| StoreError::Corrupt(format!("channel {channel}")))?;
                        if row.try_get::<String, _>("status")? == "offered" {
                            queue.offering += n;
                        }
                        match queue.waiting.iter_mut().find(|w| w.channel == channel) {
                            Some(w) => w.count += n,
                            None => queue.waiting.push(Waiting { channel, count: n }),
                        }
                        queue.waiting.sort_by_key(|w| w.channel.as_str());
                        if let Some(oldest) = row.try_get::<Option<i64>, _>("oldest")? {
                            queue.oldest_waiting_ms =
                                Some(queue.oldest_waiting_ms.map_or(oldest, |o| o.min(oldest)));
                        }
                    }

                    // The day, from the contact log (by time: today's rows only).
                    let day = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT l.csq_id, \
                         SUM(CASE WHEN l.step IN ('queued', 'transferred', 'requeued') \
                           THEN 1 ELSE 0 END) AS offered, \
                         SUM(CASE WHEN l.step = 'accepted' AND l.wait_ms IS NOT NULL \
                           THEN 1 ELSE 0 END) AS handled, \
                         SUM(CASE WHEN l.step = 'ended' AND l.agent_id IS NULL \
                           AND l.reason IN {ABANDONS} THEN 1 ELSE 0 END) AS abandoned, \
                         CAST(COALESCE(SUM(CASE WHEN l.step = 'accepted' THEN l.wait_ms END), 0) \
                           AS BIGINT) AS wait_total, \
                         SUM(CASE WHEN l.step = 'accepted' \
                           AND l.wait_ms <= c.service_level_secs * 1000 THEN 1 ELSE 0 END) \
                           AS within \
                         FROM contact_log l JOIN csqs c ON c.id = l.csq_id \
                         WHERE l.at_ms >= $1 GROUP BY l.csq_id"
                    )))
                    .bind(day_start_ms)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut figures: HashMap<CsqId, DayFigures> = HashMap::new();
                    for row in &day {
                        figures.insert(
                            CsqId(row.try_get("csq_id")?),
                            DayFigures {
                                offered: count(row, "offered")?,
                                handled: count(row, "handled")?,
                                abandoned: count(row, "abandoned")?,
                                wait_total_ms: row.try_get("wait_total")?,
                                within_threshold: count(row, "within")?,
                            },
                        );
                    }
                    for queue in &mut queues {
                        if let Some(day) = figures.remove(&queue.id) {
                            queue.today = day;
                        }
                    }

                    // The chats in progress, with who is in each.
                    let mut chats: Vec<LiveChat> = Vec::new();
                    for row in sqlx::query(
                        "SELECT c.id, c.channel, c.csq_id, c.accepted_at_ms, \
                         cu.name AS customer, a.display_name AS owner, ga.display_name AS guest \
                         FROM contacts c JOIN customers cu ON cu.id = c.customer_id \
                         LEFT JOIN agents a ON a.id = c.agent_id \
                         LEFT JOIN chat_guests g ON g.contact_id = c.id \
                         LEFT JOIN agents ga ON ga.id = g.agent_id \
                         WHERE c.status = 'active' AND c.channel <> 'email' \
                         ORDER BY c.accepted_at_ms, c.id",
                    )
                    .fetch_all(&self.pool)
                    .await?
                    {
                        let csq = CsqId(row.try_get("csq_id")?);
                        if !watched(csq) {
                            continue;
                        }
                        let channel: String = row.try_get("channel")?;
                        let agents = [
                            row.try_get::<Option<String>, _>("owner")?,
                            row.try_get::<Option<String>, _>("guest")?,
                        ];
                        chats.push(LiveChat {
                            id: ContactId(row.try_get("id")?),
                            channel: Channel::parse(&channel)
                                .ok_or_else(|| StoreError::Corrupt(format!("channel {channel}")))?,
                            csq,
                            customer: row.try_get("customer")?,
                            agents: agents.into_iter().flatten().collect(),
                            since_ms: row
                                .try_get::<Option<i64>, _>("accepted_at_ms")?
                                .unwrap_or_default(),
                        });
                    }
                    Ok((agents, queues, chats))
                }
            }
        }
    };
}

pub(super) use impl_supervision_store;
