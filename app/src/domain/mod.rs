//! The shared domain: plain Rust types and pure functions that build for wasm32 and native.
//! Nothing here does I/O; the server and the browser call the same rules.

pub mod account;
pub mod agent;
pub mod audit;
pub mod canned;
pub mod channels;
pub mod chat;
pub mod contact;
pub mod csq;
pub mod customer;
pub mod email;
pub mod gadget_api;
pub mod gadget_hosts;
pub mod ids;
pub mod invite;
pub mod language;
pub mod limits;
pub mod mailboxes;
pub mod meta;
pub mod prechat;
pub mod problem;
pub mod protocol;
pub mod queues;
pub mod refusal;
pub mod reply;
pub mod routing;
pub mod set_aside;
pub mod settings;
pub mod state;
pub mod tag_first;
pub mod time;
pub mod timeouts;
pub mod users;
pub mod validate;
pub mod widget;
pub mod wrap_up;
