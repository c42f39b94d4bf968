//! What the store keeps of customers as one person across channels (issue 16): finding the
//! known customer an email address or phone number belongs to, and linking two customer
//! records an agent says are the same person. A separate trait, included by
//! [`super::Store`].
//!
//! A customer has one email address and one phone number of their own; the others a link
//! brings are kept as handles (`customer_handles` rows of the kinds below, beside the
//! Messenger and WhatsApp ids), so that an email from either address, or a WhatsApp
//! message from either number, still finds the one customer.

use super::{AuditEntry, NewCustomer, StoreResult};
use app::domain::{
    contact::Contact,
    customer::{CustomerAddress, CustomerMatch},
    ids::CustomerId,
};
use async_trait::async_trait;

/// The kind of handle that keeps a linked customer's other email address (lower-cased).
pub const EMAIL_HANDLE: &str = "email";
/// The kind of handle that keeps a linked customer's other phone number (digits).
pub const PHONE_HANDLE: &str = "phone";

/// What a program changes of a customer (issue 17, the API): a part left `None` stays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerChange {
    pub name: Option<String>,
    /// `Some(None)` removes the address.
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    /// The whole list, in order.
    pub tags: Option<Vec<String>>,
}

/// An address already another customer's: given to a second one, an email from it or a
/// WhatsApp message from it would not know whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressTaken {
    Email(CustomerId),
    Phone(CustomerId),
}

#[async_trait]
pub trait CustomerStore: Send + Sync {
    /// The customer an address belongs to, with how many conversations they had: an
    /// address a link kept first, then the first customer who gave it (as an email
    /// finds its customer), then for a number the customer of that WhatsApp number.
    async fn find_customer(&self, address: &CustomerAddress) -> StoreResult<Option<CustomerMatch>>;

    /// `from` and `into` are one person: every contact and handle of `from` becomes
    /// `into`'s; its email and phone, when they find `from` now (not an address an older
    /// customer gave first), fill `into`'s blanks or stay as handles; its name replaces
    /// one `into` was given for want of one (an address or a handle); `from` is removed.
    /// Audited with what moved, so a mistaken link can be put right by hand.
    /// [`super::StoreError::NotFound`] when either is gone.
    async fn link_customers(
        &self,
        from: CustomerId,
        into: CustomerId,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// The customer's contacts not ended (chats and emails), to tell the agents who hold
    /// them of a link.
    async fn open_contacts_of(&self, customer: CustomerId) -> StoreResult<Vec<Contact>>;

    /// Issue 17: whether the customer a widget's cookie names is the person filling the
    /// form now: still on record, and the email address typed is theirs (their own or one
    /// a link kept, ignoring case). Then, in the same transaction, they take the name typed
    /// now, and the phone given if they had none. False changes nothing.
    async fn returning_customer(&self, id: CustomerId, now: &NewCustomer) -> StoreResult<bool>;

    /// Issue 17 (the API): a customer a program adds, with their tags, audited; refused,
    /// nothing stored, when their email address or phone number finds another customer.
    async fn add_customer(
        &self,
        new: &NewCustomer,
        tags: &[String],
        audit: &AuditEntry,
    ) -> StoreResult<Result<CustomerId, AddressTaken>>;

    /// Changes a customer not erased as asked, audited; refused, nothing changed, when an
    /// address given finds another customer. [`super::StoreError::NotFound`] when there is
    /// no such customer.
    async fn change_customer(
        &self,
        id: CustomerId,
        change: &CustomerChange,
        audit: &AuditEntry,
    ) -> StoreResult<Result<(), AddressTaken>>;
}
