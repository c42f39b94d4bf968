//! Times as administrators read them in lists: the same text on the server's page and after
//! hydration (UTC, so the two cannot differ), in the shape of the page's language (the
//! browser's `Intl` numeric shapes: "12/02/2026, 07:45 AM" in English, "02/12/2026 07:45"
//! in French).

use crate::i18n::Locale;

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// "12/02/2026, 07:45 AM UTC" (English) or "02/12/2026 07:45 UTC" (French) for a Unix-ms
/// time.
pub fn date_time_utc(locale: Locale, at_ms: i64) -> String {
    let (year, month, day) = civil_date(at_ms.div_euclid(86_400_000));
    let minutes = at_ms.div_euclid(60_000).rem_euclid(24 * 60);
    let clock = clock(locale, minutes / 60, minutes % 60, None);
    match locale {
        Locale::en => format!("{month:02}/{day:02}/{year:04}, {clock} UTC"),
        Locale::fr => format!("{day:02}/{month:02}/{year:04} {clock} UTC"),
    }
}

/// Hours and minutes (and seconds) as the language writes them: 12-hour with AM/PM in
/// English, 24-hour in French.
pub fn clock(locale: Locale, hour: i64, minute: i64, second: Option<i64>) -> String {
    let seconds = second.map(|s| format!(":{s:02}")).unwrap_or_default();
    match locale {
        Locale::en => {
            let half = if hour < 12 { "AM" } else { "PM" };
            format!("{:02}:{minute:02}{seconds} {half}", (hour + 11) % 12 + 1)
        }
        Locale::fr => format!("{hour:02}:{minute:02}{seconds}"),
    }
}

/// "2026-12-02" for a Unix-ms time (UTC), as a date input takes its value.
pub fn date_utc(at_ms: i64) -> String {
    let (year, month, day) = civil_date(at_ms.div_euclid(86_400_000));
    format!("{year:04}-{month:02}-{day:02}")
}

/// "07:45:30 AM" (English) or "07:45:30" (French) for a Unix-ms time (UTC).
pub fn time_utc(locale: Locale, at_ms: i64) -> String {
    let of_day = at_ms.div_euclid(1000).rem_euclid(86_400);
    clock(locale, of_day / 3600, of_day % 3600 / 60, Some(of_day % 60))
}

/// The first Unix ms of a UTC day written "YYYY-MM-DD" (as a date input gives it), if that
/// day exists.
pub fn day_start_ms(day: &str) -> Option<i64> {
    let mut parts = day.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, dom): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&month) || dom < 1 {
        return None;
    }
    let days = days_from_civil(year, month, dom);
    // A day past the month's end (2026-02-30) comes back as another date.
    (civil_date(days) == (year, month, dom)).then_some(days * 86_400_000)
}

/// Days since 1970-01-01 of a (year, month, day) (Howard Hinnant's days-from-civil).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month 1-12, day 1-31) of a count of days since 1970-01-01 (Howard Hinnant's
/// days-to-civil algorithm, proleptic Gregorian calendar).
pub fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_the_calendar_says_in_each_language() {
        assert_eq!(date_time_utc(Locale::fr, 0), "01/01/1970 00:00 UTC");
        assert_eq!(date_time_utc(Locale::en, 0), "01/01/1970, 12:00 AM UTC");
        // 2026-12-02 07:45:30 UTC
        let morning = 1_796_197_530_000;
        assert_eq!(date_time_utc(Locale::fr, morning), "02/12/2026 07:45 UTC");
        assert_eq!(
            date_time_utc(Locale::en, morning),
            "12/02/2026, 07:45 AM UTC"
        );
        // A leap day.
        assert_eq!(
            date_time_utc(Locale::fr, 951_782_400_000),
            "29/02/2000 00:00 UTC"
        );
        assert_eq!(
            date_time_utc(Locale::en, -1_000),
            "12/31/1969, 11:59 PM UTC"
        );
        assert_eq!(time_utc(Locale::en, morning), "07:45:30 AM");
        assert_eq!(time_utc(Locale::fr, morning + 6 * 3_600_000), "13:45:30");
        assert_eq!(time_utc(Locale::en, morning + 6 * 3_600_000), "01:45:30 PM");
    }

    #[test]
    fn days_read_back_as_written() {
        assert_eq!(day_start_ms("1970-01-01"), Some(0));
        assert_eq!(day_start_ms("2026-12-02"), Some(1_796_169_600_000));
        assert_eq!(day_start_ms("2000-02-29"), Some(951_782_400_000));
        assert_eq!(day_start_ms("2026-02-29"), None, "not a leap year");
        assert_eq!(day_start_ms("2026-13-01"), None);
        assert_eq!(day_start_ms("2026-1-01"), None);
        assert_eq!(date_utc(1_796_197_530_000), "2026-12-02");
    }
}
