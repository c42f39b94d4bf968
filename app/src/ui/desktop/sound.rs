//! Short tones for a new offer and for a message in another tab (SPEC O-3), made with Web
//! Audio so no file has to load. Browsers only let a page play sound after a user gesture:
//! the audio context is made (and resumed) on the first click or key press, which every
//! agent makes before an offer can come (choosing Ready), so the first offer rings too.

#[cfg(feature = "hydrate")]
mod web {
    use std::cell::RefCell;
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::AudioContext;

    thread_local! {
        static CONTEXT: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
    }

    /// Prepares the audio context on the first user gesture.
    pub fn arm() {
        let unlock = Closure::<dyn FnMut()>::new(|| {
            CONTEXT.with(|c| {
                let mut c = c.borrow_mut();
                if c.is_none() {
                    *c = AudioContext::new().ok();
                }
                if let Some(ctx) = c.as_ref() {
                    let _ = ctx.resume();
                }
            });
        });
        let window = leptos::prelude::window();
        for event in ["pointerdown", "keydown"] {
            let _ = window.add_event_listener_with_callback(event, unlock.as_ref().unchecked_ref());
        }
        unlock.forget();
    }

    /// Plays tones of the given frequencies one after the other.
    pub fn play(notes: &[f32]) {
        CONTEXT.with(|c| {
            let Some(ctx) = c.borrow().clone() else {
                return;
            };
            // A browser may suspend audio again (a long time in the background, a device
            // change): ask it back before scheduling, so the tones are not silently lost.
            if ctx.state() != web_sys::AudioContextState::Running {
                let _ = ctx.resume();
            }
            let start = ctx.current_time();
            for (i, freq) in notes.iter().enumerate() {
                let at = start + i as f64 * 0.16;
                let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
                    return;
                };
                osc.frequency().set_value(*freq);
                let g = gain.gain();
                let _ = g.set_value_at_time(0.0001, at);
                let _ = g.exponential_ramp_to_value_at_time(0.25, at + 0.02);
                let _ = g.exponential_ramp_to_value_at_time(0.0001, at + 0.15);
                let _ = osc.connect_with_audio_node(&gain);
                let _ = gain.connect_with_audio_node(&ctx.destination());
                let _ = osc.start_with_when(at);
                let _ = osc.stop_with_when(at + 0.16);
            }
        });
    }
}

/// Call once when the desktop starts.
pub fn arm() {
    #[cfg(feature = "hydrate")]
    web::arm();
}

/// A rising three-note chime: a new chat is offered.
pub fn offer() {
    #[cfg(feature = "hydrate")]
    web::play(&[660.0, 880.0, 1320.0]);
}

/// A soft double note: a customer wrote in another tab.
pub fn message() {
    #[cfg(feature = "hydrate")]
    web::play(&[880.0, 660.0]);
}
