//! SPEC K-5, as rules on stored facts: when the customer of a waiting chat gets the no-agent
//! message, and when a silent customer is warned and then the chat ends. The server's timers
//! only say "look now"; these functions decide, so a late or repeated look, or a restart,
//! reaches the same answer.

/// Share of the inactivity timeout after which the silent customer is warned.
pub const WARN_AT_PERCENT: i64 = 80;

/// What a chat under way should do about its customer's silence now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilenceStep {
    /// Nothing yet: look again at this Unix ms.
    WaitUntil(i64),
    /// Warn the customer; the chat ends at `end_at_ms` unless they write.
    Warn { end_at_ms: i64 },
    /// The customer stayed silent after the warning: end the chat.
    End,
}

/// SPEC K-5: `since_ms` is when the silence began (the customer's last message, or the
/// agent taking the chat, whichever is later); `warned_at_ms` the last warning, which counts
/// only if given during this silence. The warning comes at 80% of the timeout and the chat
/// ends at the timeout; a warning given late (after a restart, say) still leaves the
/// customer the last 20% to answer.
pub fn silence_step(
    since_ms: i64,
    warned_at_ms: Option<i64>,
    timeout_ms: i64,
    now_ms: i64,
) -> SilenceStep {
    let answer_ms = timeout_ms * (100 - WARN_AT_PERCENT) / 100;
    match warned_at_ms.filter(|w| *w >= since_ms) {
        Some(warned) => {
            let end = (since_ms + timeout_ms).max(warned + answer_ms);
            if now_ms >= end {
                SilenceStep::End
            } else {
                SilenceStep::WaitUntil(end)
            }
        }
        None => {
            let warn_at = since_ms + timeout_ms * WARN_AT_PERCENT / 100;
            if now_ms >= warn_at {
                SilenceStep::Warn {
                    end_at_ms: (since_ms + timeout_ms).max(now_ms + answer_ms),
                }
            } else {
                SilenceStep::WaitUntil(warn_at)
            }
        }
    }
}

/// SPEC K-5: when a waiting chat's customer gets the no-agent message (Unix ms), or `None`
/// once they have had it.
pub fn join_due(queued_at_ms: i64, join_timeout_ms: i64, told: bool) -> Option<i64> {
    (!told).then_some(queued_at_ms + join_timeout_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 300_000;

    /// SPEC K-5: warned at 80% of the timeout, ended at the timeout.
    #[test]
    fn a_silent_customer_is_warned_then_the_chat_ends() {
        assert_eq!(
            silence_step(0, None, T, 1_000),
            SilenceStep::WaitUntil(240_000)
        );
        assert_eq!(
            silence_step(0, None, T, 240_000),
            SilenceStep::Warn { end_at_ms: 300_000 }
        );
        assert_eq!(
            silence_step(0, Some(240_000), T, 250_000),
            SilenceStep::WaitUntil(300_000)
        );
        assert_eq!(silence_step(0, Some(240_000), T, 300_000), SilenceStep::End);
    }

    /// A message after the warning starts a new silence: the old warning no longer counts.
    #[test]
    fn a_message_starts_the_silence_again() {
        assert_eq!(
            silence_step(260_000, Some(240_000), T, 300_000),
            SilenceStep::WaitUntil(500_000)
        );
    }

    /// After a long stop the warning still comes first, with time left to answer.
    #[test]
    fn a_late_warning_leaves_time_to_answer() {
        assert_eq!(
            silence_step(0, None, T, 900_000),
            SilenceStep::Warn { end_at_ms: 960_000 }
        );
        assert_eq!(
            silence_step(0, Some(900_000), T, 930_000),
            SilenceStep::WaitUntil(960_000)
        );
    }

    #[test]
    fn the_no_agent_message_is_given_once() {
        assert_eq!(join_due(1_000, 60_000, false), Some(61_000));
        assert_eq!(join_due(1_000, 60_000, true), None);
    }
}
