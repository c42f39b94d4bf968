#![recursion_limit = "256"]
//! The browser entry point: hydrate the server-rendered page, nothing else. Lazily: a page
//! whose route lives in a split chunk (`cargo leptos build --split`) fetches it first.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
