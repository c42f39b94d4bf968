//! Issue 18 (D-3): what supervisors see. A supervisor watches the CSQs an administrator gave
//! them (an administrator watches every one; an agent none): the team of those CSQs and the
//! queues, read from the database (so every node shows the same, whichever node the agents
//! are on), with the day's figures from the viewer's own midnight; chats read live and
//! joined ([`reading`]), agents set Not Ready or logged out ([`actions`]); and reports
//! over a period ([`reports`]).

mod actions;
mod reading;
mod reports;

pub use reading::READING_LINES;

use crate::{
    clock::now_ms,
    services::{internal, invalid, Services},
};
use app::{
    api::ApiError,
    domain::{
        agent::{Agent, Role},
        csq::{supervised, Csq},
        hours::LocalMoment,
        ids::CsqId,
        supervision::Board,
        validate::{Field, Problem},
    },
};
use http::HeaderMap;

impl Services {
    /// The logged-in user, the CSQs they watch, and every CSQ as read to decide it (a
    /// caller needing more of them reads them once); refused to an agent.
    pub(crate) async fn watcher(
        &self,
        headers: &HeaderMap,
    ) -> Result<(Agent, Vec<CsqId>, Vec<Csq>), ApiError> {
        let agent = self.logged_in(headers).await?;
        let csqs = self.store.csqs().await.map_err(internal)?;
        let watched = match agent.role {
            Role::Admin => csqs.iter().map(|c| c.id).collect(),
            Role::Supervisor => supervised(&csqs, agent.id),
            Role::Agent => {
                tracing::warn!(agent = %agent.id, "supervision refused to an agent");
                return Err(ApiError::Forbidden);
            }
        };
        Ok((agent, watched, csqs))
    }

    /// The live view now, its day starting at midnight in `time_zone` (the viewer's).
    pub async fn board(&self, headers: &HeaderMap, time_zone: &str) -> Result<Board, ApiError> {
        let (_, watched, _) = self.watcher(headers).await?;
        let at_ms = now_ms();
        let day_start_ms = day_start(time_zone, at_ms)?;
        let (agents, queues, chats) = self
            .store
            .board(&watched, day_start_ms)
            .await
            .map_err(internal)?;
        Ok(Board {
            at_ms,
            day_start_ms,
            agents,
            queues,
            chats,
        })
    }
}

/// The error for a time zone the server does not know (or a day it cannot place on it).
fn day_unknown(time_zone: &str) -> ApiError {
    invalid(
        Field::TimeZone,
        Problem::UnknownTimeZone {
            value: time_zone.to_string(),
        },
    )
}

/// The last midnight before `at_ms` on the clock of `time_zone` (a midnight the clock skips
/// is read after the jump).
fn day_start(time_zone: &str, at_ms: i64) -> Result<i64, ApiError> {
    let unknown = || day_unknown(time_zone);
    let zone = crate::hours::time_zone(time_zone).ok_or_else(unknown)?;
    let today = crate::hours::local(&zone, at_ms).ok_or_else(unknown)?;
    crate::hours::instant(
        &zone,
        LocalMoment {
            day: today.day,
            minute: 0,
        },
    )
    .ok_or_else(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// D-3: "today" begins at the viewer's midnight, summer time included.
    #[test]
    fn the_day_starts_at_the_viewers_midnight() {
        // 2026-07-01 10:00 UTC is noon in Paris (UTC+2) and 06:00 in New York (UTC-4).
        let at = 1_782_900_000_000;
        assert_eq!(day_start("UTC", at).unwrap(), 1_782_864_000_000);
        assert_eq!(
            day_start("Europe/Paris", at).unwrap(),
            1_782_864_000_000 - 2 * 3_600_000
        );
        assert_eq!(
            day_start("America/New_York", at).unwrap(),
            1_782_864_000_000 + 4 * 3_600_000
        );
        assert!(day_start("Mars/Olympus", at).is_err());
    }
}
