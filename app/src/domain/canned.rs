//! Canned responses: prepared texts an agent inserts in a chat (SPEC P-3) or appends to an
//! email reply (SPEC R-3).

use super::{contact::ContactKind, ids::CannedResponseId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedResponse {
    pub id: CannedResponseId,
    /// Chat responses are plain text; email responses are HTML.
    pub kind: ContactKind,
    pub title: String,
    pub body: String,
}
