//! Wall-clock time as Unix milliseconds, the one time format the store uses on both backends.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Unix milliseconds by tokio's clock: real time normally, paused time in tests, so the
/// actors that keep deadlines (routing, chat timers) can be tested without sleeping.
pub struct TokioClock {
    unix_at_start: i64,
    start: tokio::time::Instant,
}

impl TokioClock {
    pub fn start() -> Self {
        TokioClock {
            unix_at_start: now_ms(),
            start: tokio::time::Instant::now(),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.unix_at_start + self.start.elapsed().as_millis() as i64
    }

    /// The instant a Unix time falls at (now, for a time already past).
    pub fn instant_at(&self, unix_ms: i64) -> tokio::time::Instant {
        self.start + std::time::Duration::from_millis((unix_ms - self.unix_at_start).max(0) as u64)
    }
}

/// A readable UTC date for quoted email headers: "Mon, 23 Nov 2026 14:05 UTC".
pub fn utc_date(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = app::domain::time::civil_date(days);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    format!(
        "{}, {} {} {} {:02}:{:02} UTC",
        WEEKDAYS[days.rem_euclid(7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates_read_naturally() {
        assert_eq!(super::utc_date(0), "Thu, 1 Jan 1970 00:00 UTC");
        assert_eq!(
            super::utc_date(1_795_399_500_000),
            "Mon, 23 Nov 2026 02:05 UTC"
        );
    }
}
