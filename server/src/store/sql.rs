//! The SQL both backends share. SQLite and PostgreSQL accept the same statements here
//! (`$n` placeholders, `RETURNING`, `ON CONFLICT`), so one macro writes the [`Store`]
//! implementation for each pool type; only connecting and migrating differ per backend.
//!
//! [`Store`]: super::Store

/// Maps a unique-constraint violation to [`super::StoreError::Conflict`].
pub(super) fn conflict_or(e: sqlx::Error) -> super::StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => super::StoreError::Conflict,
        _ => super::StoreError::Database(e),
    }
}

/// The one row a query must find, read by `read`; [`super::StoreError::NotFound`] when
/// there is none (the fetch-and-map every lookup by id shares).
pub(super) fn found<R, T>(
    row: Option<R>,
    read: impl FnOnce(&R) -> super::StoreResult<T>,
) -> super::StoreResult<T> {
    read(&row.ok_or(super::StoreError::NotFound)?)
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> super::StoreResult<String> {
    serde_json::to_string(value).map_err(|e| super::StoreError::Corrupt(e.to_string()))
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> super::StoreResult<T> {
    serde_json::from_str(text).map_err(|e| super::StoreError::Corrupt(e.to_string()))
}

macro_rules! impl_store {
    ($store:ty, $name:literal, $row:ty) => {
        use app::domain::{
            agent::{Agent, Role},
            canned::CannedResponse,
            chat::{ChatLine, LineBody, LineFile},
            contact::{Channel, Contact, ContactKind, ContactStatus, ContactStep, EndReason},
            csq::{Csq, ProblemStatement, WrapUpReason},
            customer::Customer,
            ids::{AgentId, CannedResponseId, ContactId, CsqId, CustomerId, WrapUpReasonId},
            protocol::{AgentEvent, Envelope, Seq},
            settings::ChatSettings,
            state::{AgentStatus, StateReason},
            users::UserEdit,
            wrap_up::{WrapUp, WrapUpReasonAdmin, WrapUpReasonEdit},
        };
        use sqlx::Row as _;
        use $crate::store::{
            sql::{conflict_or, found, from_json, to_json},
            Appended, AuditEntry, ChatClock, Credentials, Guest, NewAgent, NewChat, NewCustomer,
            PendingInvitation, Sender, SessionOf, StateLogEntry, Store, StoreError, StoreResult,
        };

        const CONTACT_COLUMNS: &str = "id, channel, csq_id, customer_id, status, end_reason, \
            agent_id, problem, details, created_at_ms, queued_at_ms";

        /// Moves row `id` of an ordered list (`table` with a `position` column: problem
        /// statements, pre-chat questions) one place up or down, in the caller's
        /// transaction; false when it is already at that end. Every position is rewritten:
        /// the first write takes the table's rows (PostgreSQL) or the single writer (SQLite)
        /// before the order is read, so two administrators moving at once cannot lose a move.
        async fn move_one_place(
            conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
            table: &'static str,
            id: i64,
            up: bool,
        ) -> StoreResult<bool> {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET position = position"
            )))
            .execute(&mut *conn)
            .await?;
            let mut order: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM {table} ORDER BY position, id"
            )))
            .fetch_all(&mut *conn)
            .await?;
            let at = order
                .iter()
                .position(|x| *x == id)
                .ok_or(StoreError::NotFound)?;
            let other = if up { at.checked_sub(1) } else { Some(at + 1) };
            let Some(other) = other.filter(|o| *o < order.len()) else {
                return Ok(false);
            };
            order.swap(at, other);
            for (position, id) in order.iter().enumerate() {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET position = $1 WHERE id = $2"
                )))
                .bind(position as i64)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            Ok(true)
        }

        /// One line of the administrators' audit, in the caller's transaction.
        async fn write_audit(
            conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
            audit: &AuditEntry,
            detail: &str,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO admin_audit (at_ms, agent_id, action, detail) VALUES ($1, $2, $3, $4)",
            )
            .bind(audit.at_ms)
            .bind(audit.agent.0)
            .bind(&audit.action)
            .bind(detail)
            .execute(conn)
            .await?;
            Ok(())
        }

        /// Issue 17: what happened, for the outgoing webhooks, in the caller's transaction
        /// (so an event is kept exactly when its change is): written only while some webhook
        /// wants it (a paused one too: it is sent once resumed), one cheap statement
        /// otherwise.
        async fn write_webhook_event(
            conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
            event: app::domain::webhooks::WebhookEvent,
            facts: &$crate::store::webhooks::EventFacts,
            at_ms: i64,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO webhook_events (event, contact_id, customer_id, agent_id, seq, at_ms) \
                 SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM webhooks \
                 WHERE deleted_at_ms IS NULL AND events LIKE $7)",
            )
            .bind(event.as_str())
            .bind(facts.contact.map(|c| c.0))
            .bind(facts.customer.map(|c| c.0))
            .bind(facts.agent.map(|a| a.0))
            .bind(facts.seq.map(|s| s as i64))
            .bind(at_ms)
            .bind(format!("%\"{}\"%", event.as_str()))
            .execute(conn)
            .await?;
            Ok(())
        }

        /// [`write_webhook_event`] for a contact's step: `conversation.assigned` when it
        /// reaches an agent, `conversation.ended` when it ends; nothing otherwise.
        async fn write_contact_step_event(
            conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
            contact: &Contact,
            at_ms: i64,
        ) -> StoreResult<()> {
            use app::domain::webhooks::WebhookEvent;
            let event = match contact.status {
                ContactStatus::Active if contact.agent.is_some() => {
                    WebhookEvent::ConversationAssigned
                }
                ContactStatus::Ended(_) => WebhookEvent::ConversationEnded,
                _ => return Ok(()),
            };
            let facts = $crate::store::webhooks::EventFacts {
                contact: Some(contact.id),
                customer: Some(contact.customer),
                agent: contact.agent,
                seq: None,
            };
            write_webhook_event(conn, event, &facts, at_ms).await
        }

        /// Issue 18: one step of a contact's life in the contact log, in the caller's
        /// transaction (kept exactly when the step is), with the queue and channel it was
        /// in then, the agent it concerned and an end's reason. A take (an accept that
        /// followed a wait, not a group chat changing hands) and an end before any agent
        /// took it keep how long the contact had waited since it last came into a queue:
        /// the reports' waits, answered and abandoned. An end by an agent keeps how long
        /// since it was taken (or came back to them after a failed send): the handle
        /// time.
        async fn write_contact_log(
            conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
            contact: &Contact,
            step: ContactStep,
            agent: Option<AgentId>,
            at_ms: i64,
        ) -> StoreResult<()> {
            let reason = match contact.status {
                ContactStatus::Ended(reason) => Some(reason.as_str()),
                _ => None,
            };
            let waited = matches!(step, ContactStep::Accepted)
                || (matches!(step, ContactStep::Ended) && agent.is_none());
            let handled = matches!(step, ContactStep::Ended) && agent.is_some();
            sqlx::query(
                "INSERT INTO contact_log (contact_id, at_ms, step, channel, csq_id, agent_id, \
                 reason, wait_ms, handle_ms) SELECT $1, $2, $3, $4, $5, $6, $7, \
                 CASE WHEN $8 AND COALESCE((SELECT p.step FROM contact_log p \
                   WHERE p.contact_id = $1 ORDER BY p.id DESC LIMIT 1), '') \
                   NOT IN ('accepted', 'reopened') \
                 THEN $2 - (SELECT MAX(q.at_ms) FROM contact_log q WHERE q.contact_id = $1 \
                   AND q.step IN ('queued', 'transferred', 'requeued')) END, \
                 CASE WHEN $9 THEN $2 - (SELECT MAX(a.at_ms) FROM contact_log a \
                   WHERE a.contact_id = $1 AND (a.step = 'reopened' \
                   OR (a.step = 'accepted' AND a.wait_ms IS NOT NULL))) END",
            )
            .bind(contact.id.0)
            .bind(at_ms)
            .bind(step.as_str())
            .bind(contact.channel.as_str())
            .bind(contact.csq.0)
            .bind(agent.map(|a| a.0))
            .bind(reason)
            .bind(waited)
            .bind(handled)
            .execute(conn)
            .await?;
            Ok(())
        }

        /// A lifecycle step to where `contact` is now, told wherever steps are kept: the
        /// contact log (`offered_to`, the agent an offer or its withdrawal concerned) and
        /// the webhooks.
        async fn record_contact_step(
            conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
            contact: &Contact,
            offered_to: Option<AgentId>,
            at_ms: i64,
        ) -> StoreResult<()> {
            let step = ContactStep::reaching(contact.status);
            let agent = match step {
                ContactStep::Offered | ContactStep::OfferWithdrawn => offered_to,
                _ => contact.agent,
            };
            write_contact_log(&mut *conn, contact, step, agent, at_ms).await?;
            write_contact_step_event(conn, contact, at_ms).await
        }

        /// [`write_webhook_event`] for a conversation that began.
        async fn write_started_event(
            conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
            contact: ContactId,
            customer: CustomerId,
            at_ms: i64,
        ) -> StoreResult<()> {
            let facts = $crate::store::webhooks::EventFacts {
                contact: Some(contact),
                customer: Some(customer),
                ..Default::default()
            };
            write_webhook_event(
                conn,
                app::domain::webhooks::WebhookEvent::ConversationStarted,
                &facts,
                at_ms,
            )
            .await
        }

        /// [`write_webhook_event`] for a customer's record that changed.
        async fn write_customer_event(
            conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
            customer: CustomerId,
            at_ms: i64,
        ) -> StoreResult<()> {
            let facts = $crate::store::webhooks::EventFacts {
                customer: Some(customer),
                ..Default::default()
            };
            write_webhook_event(
                conn,
                app::domain::webhooks::WebhookEvent::CustomerUpdated,
                &facts,
                at_ms,
            )
            .await
        }

        fn contact_from_row(row: &$row) -> StoreResult<Contact> {
            let channel: String = row.try_get("channel")?;
            let status: String = row.try_get("status")?;
            let end_reason: Option<String> = row.try_get("end_reason")?;
            let status = match status.as_str() {
                "queued" => ContactStatus::Queued,
                "offered" => ContactStatus::Offered,
                "active" => ContactStatus::Active,
                "ended" => ContactStatus::Ended(
                    end_reason
                        .as_deref()
                        .map(from_json::<EndReason>)
                        .transpose()?
                        .unwrap_or(EndReason::EndedByAgent),
                ),
                other => return Err(StoreError::Corrupt(format!("unknown status {other:?}"))),
            };
            Ok(Contact {
                id: ContactId(row.try_get("id")?),
                channel: Channel::parse(&channel)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown channel {channel:?}")))?,
                csq: CsqId(row.try_get("csq_id")?),
                customer: CustomerId(row.try_get("customer_id")?),
                status,
                agent: row.try_get::<Option<i64>, _>("agent_id")?.map(AgentId),
                problem: row.try_get("problem")?,
                details: from_json(&row.try_get::<String, _>("details")?)?,
                created_at_ms: row.try_get("created_at_ms")?,
                queued_at_ms: row.try_get("queued_at_ms")?,
            })
        }

        fn line_from_row(row: &$row) -> StoreResult<ChatLine> {
            let body: String = row.try_get("body")?;
            Ok(ChatLine {
                seq: row.try_get::<i64, _>("seq")? as Seq,
                at_ms: row.try_get("at_ms")?,
                body: from_json(&body)?,
            })
        }

        fn agent_from_row(row: &$row) -> StoreResult<Agent> {
            let role: String = row.try_get("role")?;
            Ok(Agent {
                id: AgentId(row.try_get("id")?),
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                alias: row.try_get("alias")?,
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown role {role:?}")))?,
                max_chats: row.try_get::<i64, _>("max_chats")? as u32,
                max_emails: row.try_get::<i64, _>("max_emails")? as u32,
                must_change_password: row.try_get("must_change_password")?,
                disabled: row.try_get("disabled")?,
            })
        }

        /// Makes the agent a member of the CSQ, in the caller's transaction; a row already
        /// there (put back by a save made meanwhile) is kept.
        async fn add_member(
            conn: &mut <<$row as sqlx::Row>::Database as sqlx::Database>::Connection,
            csq: CsqId,
            agent: AgentId,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO csq_members (csq_id, agent_id) VALUES ($1, $2) \
                 ON CONFLICT (csq_id, agent_id) DO NOTHING",
            )
            .bind(csq.0)
            .bind(agent.0)
            .execute(conn)
            .await?;
            Ok(())
        }

        /// One line of an agent's state audit (SPEC S-6).
        fn state_log_from_row(r: &$row) -> StoreResult<StateLogEntry> {
            let from: String = r.try_get("from_state")?;
            let to: String = r.try_get("to_state")?;
            let reason: String = r.try_get("reason")?;
            Ok(StateLogEntry {
                at_ms: r.try_get("at_ms")?,
                from: from_json(&from)?,
                to: from_json(&to)?,
                reason: from_json(&format!("\"{reason}\""))?,
            })
        }

        fn envelope_from_row(row: &$row) -> StoreResult<Envelope> {
            let event: String = row.try_get("event")?;
            Ok(Envelope {
                seq: row.try_get::<i64, _>("seq")? as Seq,
                at_ms: row.try_get("at_ms")?,
                event: from_json(&event)?,
            })
        }

        #[async_trait::async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn ping(&self) -> StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            fn coordination(
                &self,
            ) -> Option<std::sync::Arc<dyn $crate::store::cluster::Coordination>> {
                self.coordination_handle()
            }
        }
    };
}

pub(super) use impl_store;
