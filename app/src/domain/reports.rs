//! Issue 18 (D-3): the supervisors' reports. Every figure is counted by the database from
//! what was stored as it happened (the contact log, the state log, the contacts' first
//! answers and wrap-ups), for a period of days on the viewer's clock, narrowed to a CSQ, an
//! agent or a channel if asked. The page draws the charts and writes the CSV from these.

use super::{
    contact::Channel,
    ids::{AgentId, CsqId},
    limits::MAX_REPORT_DAYS,
    problem::Problem,
    time::civil_date,
    validate::{all_or_errors, day_range, Field, FieldError},
};
use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// The days a report covers, on the viewer's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Today,
    Yesterday,
    /// Today and the six days before.
    Last7Days,
    /// Today and the 29 days before.
    Last30Days,
    /// The days of [`ReportRequest::from`] to [`ReportRequest::to`], both included.
    Custom,
}

impl Period {
    pub const ALL: [Period; 5] = [
        Period::Today,
        Period::Yesterday,
        Period::Last7Days,
        Period::Last30Days,
        Period::Custom,
    ];

    /// The stable name in the page's address.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Today => "today",
            Period::Yesterday => "yesterday",
            Period::Last7Days => "7d",
            Period::Last30Days => "30d",
            Period::Custom => "custom",
        }
    }

    pub fn parse(name: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The first and last day (days since 1970-01-01 on the viewer's clock) when today is
    /// `today`; a custom period's are its own.
    pub fn days(self, today: i64, custom: (i64, i64)) -> (i64, i64) {
        match self {
            Period::Today => (today, today),
            Period::Yesterday => (today - 1, today - 1),
            Period::Last7Days => (today - 6, today),
            Period::Last30Days => (today - 29, today),
            Period::Custom => custom,
        }
    }
}

/// What a supervisor asks to be counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRequest {
    pub period: Period,
    /// A custom period's first and last days, "YYYY-MM-DD" (ignored for the others).
    pub from: String,
    pub to: String,
    /// The viewer's IANA time zone: days begin at their midnight.
    pub time_zone: String,
    pub csq: Option<CsqId>,
    /// Only what concerned this agent: offers to them, their takes, ends and states.
    pub agent: Option<AgentId>,
    pub channel: Option<Channel>,
}

impl ReportRequest {
    /// A custom period's days (since 1970-01-01), checked: real dates, the last not before
    /// the first, at most [`MAX_REPORT_DAYS`] days. Any other period: `(0, 0)`.
    pub fn custom_days(&self) -> Result<(i64, i64), Vec<FieldError>> {
        if self.period != Period::Custom {
            return Ok((0, 0));
        }
        let mut errors = Vec::new();
        let (from, to) = day_range(&mut errors, &self.from, &self.to, true);
        if let (Some(from), Some(to)) = (from, to) {
            if to - from + 1 > MAX_REPORT_DAYS {
                errors.push(FieldError::new(
                    Field::ToDay,
                    Problem::PeriodTooLong {
                        max_days: MAX_REPORT_DAYS as usize,
                    },
                ));
            }
        }
        all_or_errors(errors)?;
        Ok((from.unwrap_or_default(), to.unwrap_or_default()))
    }
}

/// How many times each thing happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    /// Came into a queue: new, transferred in, or given back to it.
    pub came_in: u32,
    /// Offers made to an agent (a chat may be offered more than once).
    pub offered: u32,
    /// Offers that left the agent unaccepted (SPEC S-4).
    pub not_accepted: u32,
    /// Taken by an agent after a wait.
    pub handled: u32,
    /// Ended before any agent took them: the customer left, or the queue gave up.
    pub abandoned: u32,
    pub transferred: u32,
    pub requeued: u32,
}

impl Volume {
    pub fn add(&mut self, other: &Volume) {
        self.came_in += other.came_in;
        self.offered += other.offered;
        self.not_accepted += other.not_accepted;
        self.handled += other.handled;
        self.abandoned += other.abandoned;
        self.transferred += other.transferred;
        self.requeued += other.requeued;
    }
}

/// The volume of one hour on the viewer's clock (hours since 1970-01-01 local) and channel,
/// as the database counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourVolume {
    pub local_hour: i64,
    pub channel: Channel,
    pub volume: Volume,
}

/// A duration's count, average and 90th percentile (none without any).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spread {
    pub count: u32,
    pub average_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

/// The 1-based rank of the 90th percentile among `count` sorted values (nearest rank: the
/// smallest value at least 90% of them do not exceed).
pub fn p90_rank(count: u32) -> u32 {
    (u64::from(count) * 9).div_ceil(10) as u32
}

/// The times a report gives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Times {
    /// Came into a queue to taken (ASA), over the takes of the period.
    pub wait: Spread,
    /// Came into a queue to abandoned, over the abandons of the period.
    pub abandoned_after: Spread,
    /// A chat's arrival to its agent's first line, over the chats that came in the period.
    pub first_response: Spread,
    /// Taken to ended, over the ends by an agent in the period (an email reopened after a
    /// failed send ends twice, each counted from when it was in the agent's hands).
    pub handle: Spread,
    /// An email's arrival to its first reply written, over the emails of the period.
    pub email_first_reply: Spread,
    /// An email's arrival to its first reply sent.
    pub email_sent: Spread,
}

/// One agent's period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentFigures {
    pub agent: AgentId,
    pub name: String,
    /// Time in each state in the period (SPEC S-6), logged out left out.
    pub ready_ms: i64,
    pub not_ready_ms: i64,
    pub reserved_ms: i64,
    pub offered: u32,
    /// Offers that left them unaccepted (SPEC S-4).
    pub not_accepted: u32,
    /// Contacts they took after a wait.
    pub handled: u32,
    /// Taken to ended, over the contacts they ended.
    pub handle: Spread,
}

/// What the database counts for a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFigures {
    pub hours: Vec<HourVolume>,
    pub times: Times,
    /// The takes by wait, one count per bar of `REPORT_WAIT_BARS_SECS` (below each bound)
    /// and one more.
    pub wait_bars: Vec<u32>,
    /// Each wrap-up reason chosen on contacts ended in the period, by label, most first.
    pub wrap_up: Vec<(String, u32)>,
    /// The agents of the CSQs reported on (or the one asked for), by name.
    pub agents: Vec<AgentFigures>,
}

/// A report as the page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The first and last day covered (days since 1970-01-01 on the viewer's clock) and
    /// the Unix times they span, `[from_ms, to_ms)`.
    pub first_day: i64,
    pub last_day: i64,
    pub from_ms: i64,
    pub to_ms: i64,
    pub total: Volume,
    /// Each channel that saw anything.
    pub by_channel: Vec<(Channel, Volume)>,
    /// Every day of the period, oldest first.
    pub by_day: Vec<(i64, Volume)>,
    /// The 24 hours of the day, midnight first.
    pub by_hour: Vec<Volume>,
    pub times: Times,
    pub wait_bars: Vec<u32>,
    pub wrap_up: Vec<(String, u32)>,
    pub agents: Vec<AgentFigures>,
    /// What the filters may choose: the viewer's CSQs and their agents, by name.
    pub csqs: Vec<(CsqId, String)>,
    pub agent_choices: Vec<(AgentId, String)>,
}

impl Report {
    /// The report's totals and charts from the hours the database counted.
    pub fn fold_hours(&mut self, hours: &[HourVolume]) {
        self.total = Volume::default();
        self.by_channel.clear();
        self.by_day = (self.first_day..=self.last_day)
            .map(|d| (d, Volume::default()))
            .collect();
        self.by_hour = vec![Volume::default(); 24];
        for h in hours {
            self.total.add(&h.volume);
            match self.by_channel.iter_mut().find(|(c, _)| *c == h.channel) {
                Some((_, v)) => v.add(&h.volume),
                None => self.by_channel.push((h.channel, h.volume)),
            }
            let day = h.local_hour.div_euclid(24);
            if let Some((_, v)) = self.by_day.iter_mut().find(|(d, _)| *d == day) {
                v.add(&h.volume);
            }
            self.by_hour[h.local_hour.rem_euclid(24) as usize].add(&h.volume);
        }
        self.by_channel.sort_by_key(|(c, _)| c.as_str());
    }
}

/// One CSV cell: quoted when it holds a separator, a quote or a line break, and kept from
/// being read as a formula by a spreadsheet (a leading `=`, `+`, `-`, `@`).
pub fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A table as CSV (RFC 4180: comma, CRLF), its header first.
pub fn csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A duration as a report reads it: "45 s", "3 min 05 s", "2 h 07 min" (the same in
/// French), rounded to the second.
pub fn duration(ms: i64) -> String {
    let secs = (ms.max(0) + 500) / 1000;
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

/// A day (since 1970-01-01) as "2026-12-07": the tables' and the files' (sorted, and read
/// alike everywhere).
pub fn iso_day(day: i64) -> String {
    let (y, m, d) = civil_date(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A day short, for a chart's axis: "12/07" in English, "07/12" in French.
pub fn short_day(locale: Locale, day: i64) -> String {
    let (_, m, d) = civil_date(day);
    match locale {
        Locale::fr => format!("{d:02}/{m:02}"),
        Locale::en => format!("{m:02}/{d:02}"),
    }
}

/// A CSV file as a link's address (`data:`, UTF-8 with its mark, so a spreadsheet reads
/// accents right): downloading needs no request to the server.
pub fn csv_href(csv: &str) -> String {
    let mut href = String::from("data:text/csv;charset=utf-8,%EF%BB%BF");
    for byte in csv.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            href.push(byte as char);
        } else {
            href.push_str(&format!("%{byte:02X}"));
        }
    }
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_90th_percentile_is_the_nearest_rank() {
        assert_eq!(p90_rank(1), 1);
        assert_eq!(p90_rank(9), 9);
        assert_eq!(p90_rank(10), 9);
        assert_eq!(p90_rank(11), 10);
        assert_eq!(p90_rank(100), 90);
    }

    #[test]
    fn d3_periods_are_days_on_the_viewers_clock() {
        assert_eq!(Period::Today.days(100, (0, 0)), (100, 100));
        assert_eq!(Period::Yesterday.days(100, (0, 0)), (99, 99));
        assert_eq!(Period::Last7Days.days(100, (0, 0)), (94, 100));
        assert_eq!(Period::Last30Days.days(100, (0, 0)), (71, 100));
        assert_eq!(Period::Custom.days(100, (3, 5)), (3, 5));
        for p in Period::ALL {
            assert_eq!(Period::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn d3_a_custom_period_is_checked_field_by_field() {
        let custom = |from: &str, to: &str| ReportRequest {
            period: Period::Custom,
            from: from.into(),
            to: to.into(),
            ..Default::default()
        };
        assert_eq!(
            custom("2026-12-01", "2026-12-07").custom_days(),
            Ok((20_788, 20_794))
        );
        let errors = custom("2026-13-01", "2026-12-07")
            .custom_days()
            .unwrap_err();
        assert_eq!(
            errors,
            [FieldError::new(Field::FromDay, Problem::InvalidDay)]
        );
        let errors = custom("2026-12-07", "2026-12-01")
            .custom_days()
            .unwrap_err();
        assert_eq!(
            errors,
            [FieldError::new(Field::ToDay, Problem::BeforeFromDay)]
        );
        assert!(custom("2025-12-07", "2026-12-07").custom_days().is_ok());
        let errors = custom("2025-12-06", "2026-12-07")
            .custom_days()
            .unwrap_err();
        assert_eq!(
            errors,
            [FieldError::new(
                Field::ToDay,
                Problem::PeriodTooLong { max_days: 366 }
            )]
        );
        // Other periods need no days.
        assert_eq!(ReportRequest::default().custom_days(), Ok((0, 0)));
    }

    #[test]
    fn d3_hours_fold_into_days_hours_and_channels() {
        let mut report = Report {
            first_day: 10,
            last_day: 11,
            ..Default::default()
        };
        let v = |handled| Volume {
            handled,
            ..Default::default()
        };
        report.fold_hours(&[
            HourVolume {
                local_hour: 10 * 24 + 9,
                channel: Channel::Web,
                volume: v(2),
            },
            HourVolume {
                local_hour: 11 * 24 + 9,
                channel: Channel::Email,
                volume: v(3),
            },
        ]);
        assert_eq!(report.total.handled, 5);
        assert_eq!(report.by_day, [(10, v(2)), (11, v(3))]);
        assert_eq!(report.by_hour[9], v(5));
        assert_eq!(report.by_hour[10], v(0));
        assert_eq!(
            report.by_channel,
            [(Channel::Email, v(3)), (Channel::Web, v(2))]
        );
    }

    #[test]
    fn durations_days_and_files_read_plainly() {
        assert_eq!(duration(45_400), "45 s");
        assert_eq!(duration(185_000), "3 min 05 s");
        assert_eq!(duration(7_620_000), "2 h 07 min");
        assert_eq!(iso_day(20_794), "2026-12-07");
        assert_eq!(short_day(Locale::en, 20_794), "12/07");
        assert_eq!(short_day(Locale::fr, 20_794), "07/12");
        assert_eq!(
            csv_href("a,é\r\n"),
            "data:text/csv;charset=utf-8,%EF%BB%BFa%2C%C3%A9%0D%0A"
        );
    }

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("-3"), "-3");
        assert_eq!(
            csv(
                &["a".into(), "b".into()],
                &[vec!["1".into(), "x\ny".into()]]
            ),
            "a,b\r\n1,\"x\ny\"\r\n"
        );
    }
}
