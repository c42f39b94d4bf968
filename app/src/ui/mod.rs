//! Pages and components. One component per file; rules live in `domain`, not here.

pub mod admin;
pub mod confirm;
pub mod conversations;
pub mod desktop;
pub mod form;
pub mod icons;
pub mod identity;
pub mod language;
pub mod login;
pub mod login_window;
pub mod pager;
pub mod password;
pub mod shell;
pub mod supervisor;
pub mod title;
