//! The JSON shapes of customers and conversations that leave the server (issue 17): what
//! the `/api/v1` routes answer and what the outgoing webhooks send, one shape for both, so
//! a CRM reads a conversation the same way whichever way it came.

pub mod conversation;
pub mod customer;
