#![recursion_limit = "256"]
//! Switchboard's isomorphic application: the shared domain, the server functions and the
//! Leptos views. It compiles twice: with `ssr` into the server, with `hydrate` into the
//! browser's WebAssembly, so the same types and validators run on both sides.
//!
//! - [`domain`]: pure types and rules (no I/O). Limits live in [`domain::limits`] only.
//!   The enums the browser reads that are tagged inside their JSON object are declared
//!   with [`tag_first_enum!`] ([`domain::tag_first`]): the same JSON, read in one pass.
//! - [`api`]: thin `#[server]` functions; the server crate provides a [`api::Backend`].
//!   Their answers are read in the browser as text (`api::codec`), like everything else
//!   the page reads, so each type's reading is compiled once into the WebAssembly.
//!   They send through `api::client`, which adds a framed session's CSRF token (SPEC D-1).
//! - [`ui`]: pages and components. The desktop speaks to a host desktop that frames it
//!   (`ui::desktop::host`, messages in [`domain::gadget_api`], hosts allowed in
//!   [`domain::gadget_hosts`]) and has keyboard shortcuts (`ui::desktop::shortcuts`).
//! - [`i18n`]: generated at build time from `locales/{en,fr}/*.json` (leptos_i18n): every
//!   word a person reads, as `t!(i18n, namespace.key)` in views and `td_string!(locale, ..)`
//!   elsewhere. [`domain::language`] picks a request's language.

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod api;
pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub use ui::shell::shell;
pub use ui::shell::App;
