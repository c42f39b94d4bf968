//! Issue 17: what a customer waiting for an agent is told: their place in the queue and,
//! once the CSQ has answered enough chats lately, how long chats like theirs usually wait.

use super::limits::TYPICAL_WAIT_MIN_SAMPLES;

/// The usual wait (the median, in whole seconds) of recent answered chats, from their
/// waits in milliseconds; none with too few to say anything honest.
pub fn typical_wait_secs(mut waits_ms: Vec<i64>) -> Option<u32> {
    if waits_ms.len() < TYPICAL_WAIT_MIN_SAMPLES {
        return None;
    }
    waits_ms.sort_unstable();
    let n = waits_ms.len();
    let median = if n % 2 == 1 {
        waits_ms[n / 2]
    } else {
        (waits_ms[n / 2 - 1] + waits_ms[n / 2]) / 2
    };
    Some((median.max(0) / 1000).min(i64::from(u32::MAX)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A median, not a mean: one chat that waited an hour does not make every customer
    /// expect a long wait; too few chats say nothing.
    #[test]
    fn the_usual_wait_is_the_median_of_enough_chats() {
        assert_eq!(typical_wait_secs(vec![30_000; 4]), None);
        assert_eq!(
            typical_wait_secs(vec![20_000, 40_000, 3_600_000, 30_000, 50_000]),
            Some(40)
        );
        assert_eq!(
            typical_wait_secs(vec![20_000, 40_000, 60_000, 30_000, 50_000, 70_000]),
            Some(45)
        );
    }
}
