//! A customer as the API answers it and the webhooks send it (issue 17).

use crate::store::{
    privacy::{DossierAddress, DossierNote},
    records::CustomerRecord,
};
use serde::Serialize;
use utoipa::ToSchema;

/// A customer: one person across every channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Their other addresses and channel ids (Messenger, WhatsApp): each finds them too.
    pub addresses: Vec<Address>,
    /// In order, lower case.
    pub tags: Vec<String>,
    /// How many conversations they had, on every channel.
    pub conversations: u32,
    /// Unix milliseconds.
    pub created_at_ms: i64,
}

/// One more way to reach a customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Address {
    /// email, phone, messenger or whatsapp.
    pub kind: String,
    pub value: String,
    /// The name on the channel's profile, if it gives one.
    pub profile_name: Option<String>,
}

/// An agent's note on a customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Note {
    pub at_ms: i64,
    /// The alias of the agent who wrote it.
    pub by: String,
    pub text: String,
}

impl From<CustomerRecord> for Customer {
    fn from(r: CustomerRecord) -> Self {
        Customer {
            id: r.customer.id,
            name: r.customer.name,
            email: r.customer.email,
            phone: r.customer.phone,
            addresses: r.addresses.into_iter().map(Address::from).collect(),
            tags: r.tags,
            conversations: r.conversations,
            created_at_ms: r.customer.created_at_ms,
        }
    }
}

impl From<DossierAddress> for Address {
    fn from(a: DossierAddress) -> Self {
        Address {
            kind: a.kind,
            value: a.value,
            profile_name: a.profile_name,
        }
    }
}

impl From<DossierNote> for Note {
    fn from(n: DossierNote) -> Self {
        Note {
            at_ms: n.at_ms,
            by: n.by,
            text: n.text,
        }
    }
}
