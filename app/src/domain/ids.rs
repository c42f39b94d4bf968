//! Identifier newtypes, so an agent id can never be passed where a CSQ id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A user of the desktop: agent, supervisor or administrator.
    AgentId
);
id_type!(
    /// A contact service queue.
    CsqId
);
id_type!(
    /// A customer, known by name, email address or channel identity.
    CustomerId
);
id_type!(
    /// One chat or email contact.
    ContactId
);
id_type!(
    /// A wrap-up reason defined by the administrator.
    WrapUpReasonId
);
id_type!(
    /// A file attached to (or pasted into) a reply being written (SPEC A-1).
    DraftFileId
);
id_type!(
    /// A canned response (chat or email).
    CannedResponseId
);
id_type!(
    /// A file that came with an email (SPEC E-2).
    AttachmentId
);
id_type!(
    /// A mailbox Switchboard reads and answers from (SPEC E-1, R-7).
    MailboxId
);
id_type!(
    /// Issue 17: a token a CRM calls the `/api/v1` API with.
    ApiTokenId
);
id_type!(
    /// Issue 17: an outgoing webhook an administrator set up.
    WebhookId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialize_as_plain_numbers() {
        assert_eq!(serde_json::to_string(&AgentId(7)).unwrap(), "7");
        assert_eq!(serde_json::from_str::<CsqId>("12").unwrap(), CsqId(12));
    }
}
