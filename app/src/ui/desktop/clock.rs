//! A ticking clock for countdowns and chat times, corrected by the server's time so that
//! an offer's countdown matches the server's accept timer even if the PC's clock is off.

use crate::i18n::Locale;
use leptos::prelude::*;

/// Clock differences below this are taken for page-load latency (see [`Clock::new`]).
#[cfg(feature = "hydrate")]
const SKEW_TOLERANCE_MS: i64 = 3_000;

#[derive(Clone, Copy)]
pub struct Clock {
    /// Server time, Unix ms, updated every second in the browser.
    pub now: RwSignal<i64>,
    /// Added to the browser's clock to get the server's (read in the browser only).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    offset: StoredValue<i64>,
}

impl Clock {
    pub fn new(server_now_ms: i64) -> Self {
        let now = RwSignal::new(server_now_ms);
        #[cfg(feature = "hydrate")]
        {
            // A difference of a second or two is the time from render to hydration, not a
            // wrong clock: correcting it would show 16 s on a 15 s offer.
            let offset = match server_now_ms - js_sys::Date::now() as i64 {
                small if small.abs() < SKEW_TOLERANCE_MS => 0,
                skew => skew,
            };
            let tick = move || now.set(js_sys::Date::now() as i64 + offset);
            tick();
            let interval = gloo_timers::callback::Interval::new(1_000, tick);
            // The desktop lives as long as the page.
            interval.forget();
            return Clock {
                now,
                offset: StoredValue::new(offset),
            };
        }
        #[allow(unreachable_code)]
        Clock {
            now,
            offset: StoredValue::new(0),
        }
    }

    /// The time right now, not at the last tick: a countdown that starts between two ticks
    /// would otherwise show one second more than its timer (16 s on a 15 s offer).
    pub fn fresh_now(&self) -> i64 {
        #[cfg(feature = "hydrate")]
        return js_sys::Date::now() as i64 + self.offset.get_value();
        #[allow(unreachable_code)]
        self.now.get_untracked()
    }

    /// Seconds left until `until_ms`, ticking; never more than when it was first shown.
    pub fn countdown(&self, until_ms: i64) -> impl Fn() -> i64 + Copy + 'static {
        let shown_at = self.fresh_now();
        let now = self.now;
        move || seconds_left(until_ms, now.get().max(shown_at))
    }
}

/// "4:05" or "1:02:03": time elapsed since `since_ms`.
pub fn elapsed(since_ms: i64, now_ms: i64) -> String {
    let secs = ((now_ms - since_ms) / 1000).max(0);
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Whole seconds left until `until_ms`, never negative.
pub fn seconds_left(until_ms: i64, now_ms: i64) -> i64 {
    ((until_ms - now_ms + 999) / 1000).max(0)
}

/// The local time of day of a Unix-ms time, for transcript lines and emails, as the
/// page's language writes it: the browser's `Intl` with two-digit hours and minutes
/// ("01:40 AM" in English, "01:40" in French), the widget's format too.
pub fn time_of_day(locale: Locale, at_ms: i64) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
        let options = js_sys::Object::new();
        for key in ["hour", "minute"] {
            let _ = js_sys::Reflect::set(&options, &key.into(), &"2-digit".into());
        }
        date.to_locale_time_string_with_options(locale.as_ref(), &options)
            .into()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        // The server's page, before the browser knows its time zone: UTC, same shape.
        let of_day = at_ms.div_euclid(60_000).rem_euclid(24 * 60);
        crate::domain::time::clock(locale, of_day / 60, of_day % 60, None)
    }
}

/// The local day and time of a Unix-ms time ("Dec 3, 11:51 PM", "3 déc., 23:51"): when a
/// customer wrote a message that reached us much later.
pub fn day_and_time(locale: Locale, at_ms: i64) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
        let options = js_sys::Object::new();
        for (key, value) in [
            ("month", "short"),
            ("day", "numeric"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ] {
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        date.to_locale_string(locale.as_ref(), &options).into()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        crate::domain::time::date_time_utc(locale, at_ms)
    }
}

/// The time zone this browser is in ("Europe/Paris"), offered first when a queue gets
/// hours, and where a supervisor's "today" begins; UTC where the page cannot tell.
pub fn browser_time_zone() -> String {
    #[cfg(feature = "hydrate")]
    {
        let format =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
        let zone = js_sys::Reflect::get(
            &format.resolved_options(),
            &wasm_bindgen::JsValue::from_str("timeZone"),
        )
        .ok()
        .and_then(|z| z.as_string());
        if let Some(zone) = zone {
            return zone;
        }
    }
    "UTC".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_and_countdown_read_naturally() {
        assert_eq!(elapsed(0, 65_000), "1:05");
        assert_eq!(elapsed(0, 3_723_000), "1:02:03");
        assert_eq!(elapsed(10, 0), "0:00");
        assert_eq!(seconds_left(15_000, 0), 15);
        assert_eq!(seconds_left(15_000, 14_001), 1);
        assert_eq!(seconds_left(15_000, 20_000), 0);
    }

    #[test]
    fn a_time_of_day_has_each_language_s_shape() {
        // 13:05 UTC.
        let at = (13 * 60 + 5) * 60_000;
        assert_eq!(time_of_day(Locale::en, at), "01:05 PM");
        assert_eq!(time_of_day(Locale::fr, at), "13:05");
        assert_eq!(time_of_day(Locale::en, 5 * 60_000), "12:05 AM");
    }
}
