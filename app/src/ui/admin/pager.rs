//! The pager under a long list of the administration: back, where the list is, forward.

use leptos::prelude::*;

#[component]
pub fn Pager(
    /// The page asked for (from 0); the buttons move it.
    page: RwSignal<u32>,
    /// The page shown (from 0) and how many there are.
    shown: u32,
    pages: u32,
    total: u64,
    /// What the list counts, singular ("user"); an "s" is added past one.
    noun: &'static str,
    label: &'static str,
    back: &'static str,
    forward: &'static str,
) -> impl IntoView {
    let on_last = shown + 1 >= pages;
    let plural = if total == 1 { "" } else { "s" };
    view! {
        <nav class="pager" aria-label=label>
            <button type="button" disabled=shown == 0
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>
                {back}
            </button>
            <span class="muted">
                {format!("Page {} of {pages} · {total} {noun}{plural}", shown + 1)}
            </span>
            <button type="button" disabled=on_last on:click=move |_| page.update(|p| *p += 1)>
                {forward}
            </button>
        </nav>
    }
}
