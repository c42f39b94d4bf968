//! Every integration test of the server, in one test program.
//!
//! One program rather than one per file: each would link the whole server again (0.7 GB
//! and several seconds apiece), and CI compiled 46 of them. The files stay one per
//! capability; run one with `cargo test -p server --test it <file>::`.

mod common;

mod accounts;
mod admin;
mod api_emails;
mod api_v1;
mod assets;
mod audit;
mod business_hours;
mod canned;
mod chat_crash;
mod chat_order;
mod chat_timers;
mod cluster;
mod cluster_chaos;
mod conversations;
mod customer_about;
mod desktop_session;
mod email;
mod email_crash;
mod email_intake;
mod email_outbox;
mod email_reply;
mod files;
mod group_chat;
mod headers;
mod language;
mod left_message;
mod limits;
mod mailboxes;
mod meta_admin;
mod meta_chats;
mod meta_media;
mod meta_receipts;
mod meta_webhooks;
mod prechat;
mod privacy;
mod queue_place;
mod queues;
mod returning_customer;
mod store_contract;
mod supervision;
mod users;
mod web_chat;
mod webhooks;
mod wrap_up;
