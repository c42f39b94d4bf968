#![recursion_limit = "256"]
//! The browser entry point: hydrate the server-rendered page, nothing else. Lazily: a page
//! whose route lives in a split chunk (`cargo leptos build --split`) fetches it first.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}

/// Room for wasm-split to lay out the constant data again. It moves each chunk's constants
/// (text, tables) into the chunk, but when the new layout, realigned module by module,
/// comes out longer than the linked data (a few bytes of alignment decide it), it gives up
/// and keeps every constant of every chunk in the main module ("Overlong segment" in
/// wasm_split_cli_support; measured: the desktop's first load 460 KB gzip instead of 409).
/// Kept by the linker and used by no code, these bytes go to no module and leave that room.
#[used]
static SPLIT_DATA_ROOM: [u8; 1024] = [0x5a; 1024];
