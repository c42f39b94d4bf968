//! Unsaved changes are not lost silently (SPEC D-2): each form says whether it holds
//! changes; leaving the section or the administration through the page's links then asks
//! in the page first, and closing or reloading the tab asks through the browser.

use crate::i18n::*;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The forms holding changes, and the address the administrator asked to leave for.
#[derive(Clone, Copy)]
pub struct Unsaved {
    dirty: RwSignal<BTreeSet<String>>,
    leaving_for: RwSignal<Option<String>>,
}

impl Unsaved {
    /// Provides the tracker to the page's forms and asks before the tab unloads.
    pub fn provide() -> Self {
        let unsaved = Unsaved {
            dirty: RwSignal::new(BTreeSet::new()),
            leaving_for: RwSignal::new(None),
        };
        provide_context(unsaved);
        #[cfg(feature = "hydrate")]
        {
            let i18n = use_i18n();
            let handle = window_event_listener(leptos::ev::beforeunload, move |ev| {
                if unsaved.any_untracked() {
                    ev.prevent_default();
                    ev.set_return_value(td_string!(
                        i18n.get_locale_untracked(),
                        admin.unsaved.before_unload
                    ));
                }
            });
            on_cleanup(move || handle.remove());
        }
        unsaved
    }

    /// Tells the page whether the form `key` holds changes, for as long as it is shown.
    pub fn track(key: String, dirty: Signal<bool>) {
        let Some(unsaved) = use_context::<Unsaved>() else {
            return;
        };
        {
            let key = key.clone();
            Effect::new(move |_| {
                let now = dirty.get();
                unsaved.dirty.update(|set| {
                    if now {
                        set.insert(key.clone());
                    } else {
                        set.remove(&key);
                    }
                });
            });
        }
        on_cleanup(move || {
            unsaved.dirty.update(|set| {
                set.remove(&key);
            })
        });
    }

    fn any_untracked(self) -> bool {
        self.dirty.with_untracked(|set| !set.is_empty())
    }

    /// For a link of the page: goes on when nothing is unsaved, else stops and asks.
    pub fn follow(self, ev: leptos::ev::MouseEvent, href: &str) {
        let here = leptos_router::hooks::use_location()
            .pathname
            .get_untracked();
        if here == href {
            // The section already shown: nothing to leave.
            ev.prevent_default();
            return;
        }
        if self.any_untracked() {
            ev.prevent_default();
            self.leaving_for.set(Some(href.to_string()));
        }
    }
}

/// The question in the page when a link would lose changes.
#[component]
pub fn LeaveBar() -> impl IntoView {
    let i18n = use_i18n();
    let unsaved = expect_context::<Unsaved>();
    let navigate = leptos_router::hooks::use_navigate();
    let leave = move |_| {
        if let Some(href) = unsaved.leaving_for.get_untracked() {
            unsaved.leaving_for.set(None);
            unsaved.dirty.set(BTreeSet::new());
            navigate(&href, Default::default());
        }
    };
    // The question takes the focus (and the eye, the page may be scrolled down), on Stay.
    let stay = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(button) = stay.get() {
            let _ = button.focus();
            button.scroll_into_view();
        }
    });
    view! {
        <Show when=move || unsaved.leaving_for.get().is_some()>
            <div class="notice leave-bar" role="alertdialog" aria-labelledby="leave-text">
                <p id="leave-text">{t!(i18n, admin.unsaved.question)}</p>
                <button type="button" class="danger" on:click=leave.clone()>{t!(i18n, admin.unsaved.leave)}</button>
                <button type="button" class="primary" node_ref=stay
                    on:click=move |_| unsaved.leaving_for.set(None)>{t!(i18n, admin.unsaved.stay)}</button>
            </div>
        </Show>
    }
}
