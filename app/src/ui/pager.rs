//! The pager under a long list (the administration's, the Conversations page's): back,
//! where the list is, forward.

use leptos::prelude::*;

#[component]
pub fn Pager(
    /// The page asked for (from 0); the buttons move it.
    page: RwSignal<u32>,
    /// The page shown (from 0) and how many there are.
    shown: u32,
    pages: u32,
    /// Where the list is, as the list words it ("Page 1 of 3 · 120 users").
    #[prop(into)]
    summary: Signal<String>,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] back: Signal<String>,
    #[prop(into)] forward: Signal<String>,
) -> impl IntoView {
    let on_last = shown + 1 >= pages;
    view! {
        <nav class="pager" aria-label=move || label.get()>
            <button type="button" disabled=shown == 0
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>
                {move || back.get()}
            </button>
            <span class="muted">
                {move || summary.get()}
            </span>
            <button type="button" disabled=on_last on:click=move |_| page.update(|p| *p += 1)>
                {move || forward.get()}
            </button>
        </nav>
    }
}
