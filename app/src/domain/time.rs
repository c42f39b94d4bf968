//! Times as administrators read them in lists: the same text on the server's page and after
//! hydration (UTC, so the two cannot differ).

/// "2026-12-02 07:45 UTC" for a Unix-ms time.
pub fn date_time_utc(at_ms: i64) -> String {
    let secs = at_ms.div_euclid(1000);
    let (days, of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_date(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        of_day / 3600,
        of_day % 3600 / 60
    )
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
    fn dates_read_as_the_calendar_says() {
        assert_eq!(date_time_utc(0), "1970-01-01 00:00 UTC");
        // 2026-12-02 07:45:30 UTC
        assert_eq!(date_time_utc(1_796_197_530_000), "2026-12-02 07:45 UTC");
        // A leap day.
        assert_eq!(date_time_utc(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(date_time_utc(-1_000), "1969-12-31 23:59 UTC");
    }
}
