//! Issue 17 (K-4): whether a CSQ takes chats now, by its business hours, and when it opens
//! again. The rules live in the shared domain ([`app::domain::hours`]) on the business's
//! own clock; this module turns a Unix time into that clock and back, with the IANA time
//! zone database compiled into the server (jiff): summer time, a time zone's own history,
//! an opening that falls in the hour a clock skips (it opens when the clock reads it).

use app::domain::{
    hours::{BusinessHours, LocalMoment},
    ids::CsqId,
    time::{civil_date, days_from_civil},
};
use jiff::{civil::DateTime, tz::TimeZone, Timestamp};
use std::collections::HashMap;

/// Whether a CSQ takes chats at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Open,
    /// Closed; it opens again then (Unix ms, and on its own clock), if within the horizon
    /// the domain looks at.
    Closed {
        opens_at_ms: Option<i64>,
        opens_local: Option<LocalMoment>,
    },
}

impl Availability {
    pub fn is_open(self) -> bool {
        self == Availability::Open
    }

    pub fn opens_at_ms(self) -> Option<i64> {
        match self {
            Availability::Open => None,
            Availability::Closed { opens_at_ms, .. } => opens_at_ms,
        }
    }
}

/// The time zone a name gives, if the database knows it ("Europe/Paris", "UTC").
pub fn time_zone(name: &str) -> Option<TimeZone> {
    jiff::tz::db().get(name).ok()
}

/// Every time zone name the server knows, in order, for the administrator's list.
pub fn time_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_string())
        // The database's own files (posixrules, Factory) are no place anyone lives.
        .filter(|name| name.contains('/') || name == "UTC")
        .collect();
    names.sort();
    names
}

/// A Unix time on a time zone's clock.
pub fn local(zone: &TimeZone, at_ms: i64) -> Option<LocalMoment> {
    let zoned = Timestamp::from_millisecond(at_ms)
        .ok()?
        .to_zoned_datetime(zone.clone());
    let day = days_from_civil(
        i64::from(zoned.year()),
        i64::from(zoned.month()),
        i64::from(zoned.day()),
    );
    let minute = u16::try_from(zoned.hour()).ok()? * 60 + u16::try_from(zoned.minute()).ok()?;
    Some(LocalMoment { day, minute })
}

/// The Unix time a moment of a time zone's clock falls at. A moment the clock skips (the
/// hour lost in spring) is read after the jump, as people do; one it repeats, the first.
pub fn instant(zone: &TimeZone, at: LocalMoment) -> Option<i64> {
    let (year, month, day) = civil_date(at.day);
    let civil = DateTime::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(at.minute / 60).ok()?,
        i8::try_from(at.minute % 60).ok()?,
        0,
        0,
    )
    .ok()?;
    let at = zone.to_ambiguous_timestamp(civil).compatible().ok()?;
    Some(at.as_millisecond())
}

/// A time zone's offsets from UTC over `[from_ms, to_ms)`, in ms: from each Unix ms on,
/// the offset then, the first at `from_ms` (issue 18: a report's hours on the viewer's
/// clock). Read every quarter of an hour: every zone's clock changes on one.
pub fn offsets(zone: &TimeZone, from_ms: i64, to_ms: i64) -> Vec<(i64, i64)> {
    const QUARTER_MS: i64 = 900_000;
    let offset = |at_ms: i64| {
        Timestamp::from_millisecond(at_ms)
            .map(|t| i64::from(zone.to_offset(t).seconds()) * 1000)
            .unwrap_or_default()
    };
    let mut offsets = vec![(from_ms, offset(from_ms))];
    let mut at = from_ms.div_euclid(QUARTER_MS) * QUARTER_MS + QUARTER_MS;
    while at < to_ms {
        let now = offset(at);
        if offsets.last().map(|(_, o)| *o) != Some(now) {
            offsets.push((at, now));
        }
        at += QUARTER_MS;
    }
    offsets
}

/// Whether a CSQ with these hours (none: always open) takes chats at `now_ms`. Hours in a
/// time zone the database no longer knows are read in UTC (said in the log) rather than
/// closing the queue.
pub fn availability(hours: Option<&BusinessHours>, now_ms: i64) -> Availability {
    let Some(hours) = hours else {
        return Availability::Open;
    };
    let zone = time_zone(&hours.time_zone).unwrap_or_else(|| {
        tracing::warn!(zone = %hours.time_zone, "unknown time zone: business hours read in UTC");
        TimeZone::UTC
    });
    let Some(now) = local(&zone, now_ms) else {
        return Availability::Open;
    };
    if hours.is_open(now) {
        return Availability::Open;
    }
    // An opening the clock skips (a span wholly within the hour lost in spring) is no
    // opening: the next one is looked for from there.
    let mut from = now;
    for _ in 0..4 {
        let Some(opens_local) = hours.next_opening(from) else {
            break;
        };
        let Some(opens_at_ms) = instant(&zone, opens_local) else {
            break;
        };
        match local(&zone, opens_at_ms) {
            Some(read) if hours.is_open(read) => {
                return Availability::Closed {
                    opens_at_ms: Some(opens_at_ms),
                    opens_local: Some(opens_local),
                }
            }
            Some(read) if read > from => {
                // Read an hour on (a span opening in the skipped hour): it opens when the
                // clock jumps, if the span runs past it.
                if let Some(jump) = (opens_at_ms - 3_600_000..opens_at_ms)
                    .step_by(60_000)
                    .filter(|&at| at > now_ms)
                    .find(|&at| local(&zone, at).is_some_and(|l| hours.is_open(l)))
                {
                    return Availability::Closed {
                        opens_at_ms: Some(jump),
                        opens_local: local(&zone, jump),
                    };
                }
                from = read;
            }
            _ => break,
        }
    }
    Availability::Closed {
        opens_at_ms: None,
        opens_local: None,
    }
}

/// The availability of one CSQ among every CSQ's hours.
pub fn of_csq(hours: &HashMap<CsqId, BusinessHours>, csq: CsqId, now_ms: i64) -> Availability {
    availability(hours.get(&csq), now_ms)
}

/// The availability of each of `csqs` (each read once, however often it is named).
pub fn of_csqs(
    hours: &HashMap<CsqId, BusinessHours>,
    csqs: impl IntoIterator<Item = CsqId>,
    now_ms: i64,
) -> HashMap<CsqId, Availability> {
    let mut each = HashMap::new();
    for csq in csqs {
        each.entry(csq)
            .or_insert_with(|| of_csq(hours, csq, now_ms));
    }
    each
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::hours::{Holiday, OpenSpan};

    /// Unix ms of a UTC date and time.
    fn utc(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_millisecond()
    }

    /// Weekdays 09:00-17:00 on a clock, 2026-12-25 a holiday.
    fn office(zone: &str) -> BusinessHours {
        let day = vec![OpenSpan {
            opens: 9 * 60,
            closes: 17 * 60,
        }];
        BusinessHours {
            time_zone: zone.into(),
            week: std::array::from_fn(|n| if n < 5 { day.clone() } else { Vec::new() }),
            holidays: vec![Holiday {
                date: "2026-12-25".into(),
                name: "Christmas".into(),
            }],
        }
    }

    #[test]
    fn k4_hours_are_read_on_the_queues_own_clock() {
        let paris = office("Europe/Paris");
        let new_york = office("America/New_York");
        // Monday 2026-12-07 08:30 UTC: 09:30 in Paris (UTC+1), 03:30 in New York (UTC-5).
        let now = utc("2026-12-07T08:30:00Z");
        assert!(availability(Some(&paris), now).is_open());
        assert_eq!(
            availability(Some(&new_york), now).opens_at_ms(),
            Some(utc("2026-12-07T14:00:00Z")),
            "New York opens at 09:00 its time"
        );
        assert!(availability(None, now).is_open(), "no hours: always open");
    }

    #[test]
    fn k4_a_holiday_and_the_weekend_are_skipped_in_the_zones_calendar() {
        let paris = office("Europe/Paris");
        // Thursday 2026-12-24 at 23:30 UTC is already Christmas Day in Paris: closed, and
        // it opens on Monday the 28th at 09:00 Paris time (08:00 UTC).
        let closed = availability(Some(&paris), utc("2026-12-24T23:30:00Z"));
        assert_eq!(closed.opens_at_ms(), Some(utc("2026-12-28T08:00:00Z")));
        let Availability::Closed { opens_local, .. } = closed else {
            panic!("closed on Christmas");
        };
        let (_, month, day) = civil_date(opens_local.unwrap().day);
        assert_eq!((month, day, opens_local.unwrap().minute), (12, 28, 9 * 60));
        // The same instant is still Christmas Eve, 18:30, in New York: closed until the
        // 28th too, the 25th being its holiday as well.
        let new_york = office("America/New_York");
        assert_eq!(
            availability(Some(&new_york), utc("2026-12-24T23:30:00Z")).opens_at_ms(),
            Some(utc("2026-12-28T14:00:00Z"))
        );
    }

    #[test]
    fn k4_summer_time_moves_the_opening_in_utc() {
        let paris = office("Europe/Paris");
        // Paris goes to UTC+2 on Sunday 2027-03-28: Monday's 09:00 is 07:00 UTC.
        assert_eq!(
            availability(Some(&paris), utc("2027-03-28T12:00:00Z")).opens_at_ms(),
            Some(utc("2027-03-29T07:00:00Z"))
        );
        // An opening at 02:30 on that Sunday, in the hour the clock skips, is at 03:30
        // summer time (01:30 UTC): the time the clock would read an hour on.
        let mut night = office("Europe/Paris");
        night.week[6] = vec![OpenSpan {
            opens: 2 * 60 + 30,
            closes: 5 * 60,
        }];
        assert_eq!(
            availability(Some(&night), utc("2027-03-27T22:00:00Z")).opens_at_ms(),
            Some(utc("2027-03-28T01:30:00Z"))
        );
        // A span wholly within the skipped hour never opens: the next day's does.
        let mut skipped = office("Europe/Paris");
        skipped.week[6] = vec![OpenSpan {
            opens: 2 * 60 + 10,
            closes: 2 * 60 + 50,
        }];
        assert_eq!(
            availability(Some(&skipped), utc("2027-03-27T22:00:00Z")).opens_at_ms(),
            Some(utc("2027-03-29T07:00:00Z")),
            "Monday 09:00 summer time"
        );
        // A span from 02:30 to 03:30 that day opens when the clock jumps to 03:00.
        let mut across = office("Europe/Paris");
        across.week[6] = vec![OpenSpan {
            opens: 2 * 60 + 30,
            closes: 3 * 60 + 30,
        }];
        assert_eq!(
            availability(Some(&across), utc("2027-03-27T22:00:00Z")).opens_at_ms(),
            Some(utc("2027-03-28T01:00:00Z")),
            "03:00 summer time"
        );
    }

    /// D-3: a report's week across the change to winter time reads each hour on the clock
    /// of its day.
    #[test]
    fn d3_offsets_change_where_the_clock_does() {
        let paris = time_zone("Europe/Paris").unwrap();
        // 2026-10-25 01:00 UTC: Paris goes from UTC+2 to UTC+1.
        let change = utc("2026-10-25T01:00:00Z");
        let from = change - 3 * 86_400_000;
        let to = change + 3 * 86_400_000;
        assert_eq!(
            offsets(&paris, from, to),
            [(from, 7_200_000), (change, 3_600_000)]
        );
        assert_eq!(offsets(&time_zone("UTC").unwrap(), from, to), [(from, 0)]);
    }

    #[test]
    fn the_administrators_list_holds_real_zones_only() {
        let names = time_zone_names();
        assert!(names.iter().any(|n| n == "Europe/Paris"));
        assert!(names.iter().any(|n| n == "UTC"));
        assert!(!names.iter().any(|n| n == "posixrules" || n == "Factory"));
        assert!(names.windows(2).all(|w| w[0] < w[1]), "in order");
        assert!(time_zone("Europe/Pari").is_none());
    }
}
