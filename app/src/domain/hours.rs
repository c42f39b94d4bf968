//! Issue 17 (K-4): a CSQ's business hours: when its chats may start. Outside them the widget
//! says when the queue opens again and offers to leave a message instead.
//!
//! The rules are read on the business's own clock (a day and a minute in its time zone): a
//! week of opening spans, Monday first, and holidays closed all day. Turning a moment into
//! that clock and back needs the time zone database, which only the server holds (a
//! browser never needs it: the widget gets the opening as a Unix time and writes it in the
//! customer's own time zone).

use super::{
    limits::{
        MAX_HOLIDAYS, MAX_HOLIDAY_NAME_CHARS, MAX_OPEN_SPANS_PER_DAY, MAX_TIME_ZONE_CHARS,
        OPENING_HORIZON_DAYS,
    },
    time::day_start_ms,
    validate::{all_or_errors, char_count, Field, FieldError, Problem},
};
use crate::i18n::{td_string, Locale};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Minutes in a day: a span may close at midnight, the day's end.
pub const DAY_MINUTES: u16 = 24 * 60;

/// When a CSQ takes chats. A CSQ without business hours is always open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// An IANA time zone name ("Europe/Paris"), the clock the hours are read on.
    pub time_zone: String,
    /// Seven days, Monday first: the spans the queue is open that day (none: closed).
    pub week: [Vec<OpenSpan>; 7],
    /// Days closed all day, whatever the week says.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

/// Open from `opens` to `closes`, minutes since the day's midnight (`closes` 1440 is the
/// day's end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OpenSpan {
    pub opens: u16,
    pub closes: u16,
}

/// A day closed all day: `date` as `YYYY-MM-DD` on the business's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: String,
    #[serde(default)]
    pub name: String,
}

/// A moment on the business's clock: a day (days since 1970-01-01 on its calendar) and a
/// minute of that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalMoment {
    pub day: i64,
    pub minute: u16,
}

/// Whether a CSQ takes chats at the moment its page was read, as the administrator sees it:
/// open, or closed until a moment of its own clock (none: not within the horizon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "now", rename_all = "snake_case")]
pub enum HoursNow {
    Open,
    Closed { opens: Option<LocalMoment> },
}

impl BusinessHours {
    /// A short account for the administrators' audit: "Europe/Paris, 10 spans a week, 2
    /// holidays".
    pub fn describe(&self) -> String {
        let spans: usize = self.week.iter().map(Vec::len).sum();
        format!(
            "{}, {spans} span(s) a week, {} holiday(s)",
            self.time_zone,
            self.holidays.len()
        )
    }
}

/// The day of the week of a day since 1970-01-01: 0 Monday ... 6 Sunday (1970-01-01 was a
/// Thursday).
pub fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// A day of the week's name (0 Monday ... 6 Sunday), as a sentence says it ("Monday",
/// "lundi").
pub fn weekday_name(locale: Locale, day: usize) -> &'static str {
    match day {
        0 => td_string!(locale, common.weekdays.monday),
        1 => td_string!(locale, common.weekdays.tuesday),
        2 => td_string!(locale, common.weekdays.wednesday),
        3 => td_string!(locale, common.weekdays.thursday),
        4 => td_string!(locale, common.weekdays.friday),
        5 => td_string!(locale, common.weekdays.saturday),
        _ => td_string!(locale, common.weekdays.sunday),
    }
}

/// "09:00" for a minute of the day (1440 is "24:00").
pub fn hh_mm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// The minute of the day "09:30" names ("24:00" too, the day's end); none for anything else.
pub fn parse_hh_mm(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let minute = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && minute <= DAY_MINUTES).then_some(minute)
}

impl Default for BusinessHours {
    /// What the page offers first: Monday to Friday, 09:00 to 17:00, in UTC.
    fn default() -> Self {
        let day = OpenSpan {
            opens: 9 * 60,
            closes: 17 * 60,
        };
        BusinessHours {
            time_zone: "UTC".into(),
            week: std::array::from_fn(|n| if n < 5 { vec![day] } else { Vec::new() }),
            holidays: Vec::new(),
        }
    }
}

impl BusinessHours {
    /// Every problem the page can see at once: a time zone named; each day at most
    /// four spans, each opening before it closes and none overlapping another; at most 100
    /// holidays, each a real date given once, named in at most 60 characters. Whether the
    /// time zone exists only the server knows (it checks again).
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let zone = self.time_zone.trim();
        if zone.is_empty() {
            errors.push(FieldError::new(Field::TimeZone, Problem::Required));
        } else if char_count(zone) > MAX_TIME_ZONE_CHARS {
            errors.push(FieldError::new(
                Field::TimeZone,
                Problem::TooManyChars {
                    max: MAX_TIME_ZONE_CHARS,
                    given: char_count(zone),
                },
            ));
        }
        for (day, spans) in self.week.iter().enumerate() {
            if let Err(problem) = check_day(spans) {
                errors.push(FieldError::new(Field::OpeningHours(day), problem));
            }
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            errors.push(FieldError::new(
                Field::Holidays,
                Problem::TooManyItems {
                    max: MAX_HOLIDAYS,
                    given: self.holidays.len(),
                },
            ));
        }
        for (n, holiday) in self.holidays.iter().enumerate() {
            let field = || Field::Holiday(n + 1);
            let date = holiday.date.trim();
            if date.is_empty() {
                errors.push(FieldError::new(field(), Problem::Required));
            } else if day_start_ms(date).is_none() {
                errors.push(FieldError::new(field(), Problem::InvalidDay));
            } else if self.holidays[..n].iter().any(|h| h.date.trim() == date) {
                errors.push(FieldError::new(
                    field(),
                    Problem::Duplicate {
                        value: date.to_string(),
                    },
                ));
            }
            let name = char_count(holiday.name.trim());
            if name > MAX_HOLIDAY_NAME_CHARS {
                errors.push(FieldError::new(
                    field(),
                    Problem::TooManyChars {
                        max: MAX_HOLIDAY_NAME_CHARS,
                        given: name,
                    },
                ));
            }
        }
        all_or_errors(errors)
    }

    /// The same hours as stored: names trimmed, each day's spans in order, the holidays by
    /// date.
    pub fn normalized(mut self) -> Self {
        self.time_zone = self.time_zone.trim().to_string();
        for spans in &mut self.week {
            spans.sort();
        }
        for holiday in &mut self.holidays {
            holiday.date = holiday.date.trim().to_string();
            holiday.name = holiday.name.trim().to_string();
        }
        self.holidays.sort_by(|a, b| a.date.cmp(&b.date));
        self
    }

    /// The holidays as days since 1970-01-01 (a date that is not one is no holiday).
    fn holiday_days(&self) -> HashSet<i64> {
        self.holidays
            .iter()
            .filter_map(|h| day_start_ms(&h.date))
            .map(|ms| ms.div_euclid(86_400_000))
            .collect()
    }

    /// The spans of a day: none on a holiday.
    fn spans_on<'a>(&'a self, holidays: &HashSet<i64>, day: i64) -> &'a [OpenSpan] {
        if holidays.contains(&day) {
            return &[];
        }
        &self.week[weekday(day)]
    }

    /// Whether the queue is open at a moment of its clock.
    pub fn is_open(&self, at: LocalMoment) -> bool {
        self.spans_on(&self.holiday_days(), at.day)
            .iter()
            .any(|s| s.opens <= at.minute && at.minute < s.closes)
    }

    /// When the queue opens next after `at` (a moment it is closed), within
    /// [`OPENING_HORIZON_DAYS`]: none for a queue that does not open in that time (a week
    /// without hours answers at once).
    pub fn next_opening(&self, at: LocalMoment) -> Option<LocalMoment> {
        if self.week.iter().all(Vec::is_empty) {
            return None;
        }
        let holidays = self.holiday_days();
        (at.day..=at.day + OPENING_HORIZON_DAYS).find_map(|day| {
            self.spans_on(&holidays, day)
                .iter()
                .filter(|s| s.opens < s.closes)
                .map(|s| s.opens)
                .filter(|&opens| day > at.day || opens > at.minute)
                .min()
                .map(|minute| LocalMoment { day, minute })
        })
    }
}

/// One day's spans: at most four, each opening before it closes, none overlapping.
fn check_day(spans: &[OpenSpan]) -> Result<(), Problem> {
    if spans.len() > MAX_OPEN_SPANS_PER_DAY {
        return Err(Problem::TooManyItems {
            max: MAX_OPEN_SPANS_PER_DAY,
            given: spans.len(),
        });
    }
    if spans
        .iter()
        .any(|s| s.opens >= s.closes || s.closes > DAY_MINUTES)
    {
        return Err(Problem::ClosesBeforeOpens);
    }
    let mut sorted = spans.to_vec();
    sorted.sort();
    if sorted.windows(2).any(|w| w[1].opens < w[0].closes) {
        return Err(Problem::Overlapping);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{time::days_from_civil, validate::problems};

    fn at(year: i64, month: i64, dom: i64, hh: u16, mm: u16) -> LocalMoment {
        LocalMoment {
            day: days_from_civil(year, month, dom),
            minute: hh * 60 + mm,
        }
    }

    fn span(opens: &str, closes: &str) -> OpenSpan {
        OpenSpan {
            opens: parse_hh_mm(opens).unwrap(),
            closes: parse_hh_mm(closes).unwrap(),
        }
    }

    /// Weekdays 09:00-12:00 and 13:00-17:00, Saturday 10:00-14:00, Christmas closed.
    fn shop() -> BusinessHours {
        let weekday = vec![span("09:00", "12:00"), span("13:00", "17:00")];
        let saturday = vec![span("10:00", "14:00")];
        BusinessHours {
            time_zone: "Europe/Paris".into(),
            week: std::array::from_fn(|n| match n {
                0..5 => weekday.clone(),
                5 => saturday.clone(),
                _ => Vec::new(),
            }),
            holidays: vec![Holiday {
                date: "2026-12-25".into(),
                name: "Christmas".into(),
            }],
        }
    }

    #[test]
    fn the_day_of_the_week_is_counted_from_a_thursday() {
        assert_eq!(weekday(0), 3, "1970-01-01 was a Thursday");
        assert_eq!(weekday(days_from_civil(2026, 12, 7)), 0, "a Monday");
        assert_eq!(weekday(days_from_civil(2026, 12, 6)), 6, "a Sunday");
        assert_eq!(weekday(-1), 2, "1969-12-31 was a Wednesday");
    }

    #[test]
    fn k4_open_within_a_span_and_closed_at_its_end_and_on_a_holiday() {
        let hours = shop();
        assert!(hours.is_open(at(2026, 12, 7, 9, 0)), "Monday at opening");
        assert!(hours.is_open(at(2026, 12, 7, 11, 59)));
        assert!(!hours.is_open(at(2026, 12, 7, 12, 0)), "lunch");
        assert!(!hours.is_open(at(2026, 12, 7, 17, 0)), "closing time");
        assert!(hours.is_open(at(2026, 12, 12, 13, 0)), "Saturday");
        assert!(!hours.is_open(at(2026, 12, 13, 13, 0)), "Sunday");
        assert!(
            !hours.is_open(at(2026, 12, 25, 10, 0)),
            "Christmas, a Friday"
        );
    }

    #[test]
    fn k4_the_next_opening_skips_lunch_the_night_sunday_and_a_holiday() {
        let hours = shop();
        assert_eq!(
            hours.next_opening(at(2026, 12, 7, 12, 30)),
            Some(at(2026, 12, 7, 13, 0))
        );
        assert_eq!(
            hours.next_opening(at(2026, 12, 7, 8, 0)),
            Some(at(2026, 12, 7, 9, 0)),
            "before opening the same day"
        );
        assert_eq!(
            hours.next_opening(at(2026, 12, 7, 17, 0)),
            Some(at(2026, 12, 8, 9, 0)),
            "after closing: the next morning"
        );
        assert_eq!(
            hours.next_opening(at(2026, 12, 12, 14, 0)),
            Some(at(2026, 12, 14, 9, 0)),
            "Saturday afternoon: Monday"
        );
        assert_eq!(
            hours.next_opening(at(2026, 12, 24, 18, 0)),
            Some(at(2026, 12, 26, 10, 0)),
            "Christmas Eve evening: Saturday, Christmas being closed"
        );
        let never = BusinessHours {
            week: Default::default(),
            ..shop()
        };
        assert_eq!(never.next_opening(at(2026, 12, 7, 12, 0)), None);
        assert!(!never.is_open(at(2026, 12, 7, 12, 0)));
    }

    #[test]
    fn k4_a_span_may_run_to_midnight() {
        let late = BusinessHours {
            week: std::array::from_fn(|_| vec![span("18:00", "24:00")]),
            ..shop()
        };
        assert!(late.is_open(at(2026, 12, 7, 23, 59)));
        assert!(!late.is_open(at(2026, 12, 8, 0, 0)));
        assert_eq!(parse_hh_mm("24:00"), Some(DAY_MINUTES));
        assert_eq!(parse_hh_mm("24:01"), None);
        assert_eq!(parse_hh_mm("9:5"), None);
        assert_eq!(parse_hh_mm("09:60"), None);
        assert_eq!(hh_mm(parse_hh_mm("9:30").unwrap()), "09:30");
    }

    #[test]
    fn k4_hours_are_checked_field_by_field() {
        assert!(shop().validate().is_ok());
        assert!(BusinessHours::default().validate().is_ok());
        let mut bad = shop();
        bad.time_zone = "  ".into();
        bad.week[0] = vec![span("12:00", "09:00")];
        bad.week[1] = vec![span("09:00", "12:00"), span("11:00", "14:00")];
        bad.week[2] = vec![span("09:00", "10:00"); 5];
        bad.holidays = vec![
            Holiday {
                date: "2026-02-30".into(),
                name: String::new(),
            },
            Holiday {
                date: "2026-12-25".into(),
                name: "x".repeat(61),
            },
            Holiday {
                date: "2026-12-25".into(),
                name: String::new(),
            },
        ];
        assert_eq!(
            problems(bad.validate()),
            [
                (Field::TimeZone, Problem::Required),
                (Field::OpeningHours(0), Problem::ClosesBeforeOpens),
                (Field::OpeningHours(1), Problem::Overlapping),
                (
                    Field::OpeningHours(2),
                    Problem::TooManyItems { max: 4, given: 5 }
                ),
                (Field::Holiday(1), Problem::InvalidDay),
                (
                    Field::Holiday(2),
                    Problem::TooManyChars { max: 60, given: 61 }
                ),
                (
                    Field::Holiday(3),
                    Problem::Duplicate {
                        value: "2026-12-25".into()
                    }
                ),
            ]
        );
        let six_days = serde_json::json!({"time_zone": "UTC", "week": [[], [], [], [], [], []]});
        assert!(
            serde_json::from_value::<BusinessHours>(six_days).is_err(),
            "a week has seven days"
        );
    }

    #[test]
    fn stored_hours_are_in_order() {
        let mut hours = shop();
        hours.week[0].reverse();
        hours.holidays.insert(
            0,
            Holiday {
                date: " 2026-12-31 ".into(),
                name: " New Year's Eve ".into(),
            },
        );
        let stored = hours.normalized();
        assert_eq!(stored.week[0], shop().week[0]);
        assert_eq!(stored.holidays[0].date, "2026-12-25");
        assert_eq!(stored.holidays[1].name, "New Year's Eve");
    }
}
