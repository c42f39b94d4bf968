//! What an agent does with a reply (SPEC ): save the draft, attach
//! and remove files (streamed, stopped as soon as a limit is passed), and send: the message
//! is built, the contact closes and the message enters the outbox in one transaction.

use super::{
    compose::{self, OutFile, Outgoing},
    sanitize, EmailService,
};
use crate::{
    clock::now_ms,
    contact::ContactError,
    files::{KeepError, PutError, Staged},
    store::{
        email::StoredEmail,
        reply::{NewDraftFile, NewOutbox, StoredDraftFile},
        StoreError,
    },
};
use app::domain::{
    contact::EndReason,
    ids::{AgentId, ContactId, DraftFileId},
    limits::{MAX_ATTACHMENT_BYTES, MAX_TOTAL_ATTACHMENT_BYTES},
    refusal::Reason,
    reply::{check_draft, check_send, file_sizes, Draft, DraftFile, ReplyInput, ReplyMode},
    validate::{validate_new_attachment, Field, FieldError, FileSize, Problem},
};
use futures_util::Stream;
use lettre::message::Mailbox;

/// Extensions of programs and scripts: never attached, whatever their content type says.
const REFUSED_EXTENSIONS: &[&str] = &[
    "exe", "dll", "com", "bat", "cmd", "msi", "msp", "scr", "pif", "cpl", "vbs", "vbe", "js",
    "jse", "wsf", "wsh", "ps1", "psm1", "hta", "jar", "lnk", "reg", "msc", "sh", "apk", "app",
];

/// Image types a pasted image may have (SPEC R-2).
const INLINE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Whether a file is refused for its type: a program or script by its name, or by its first
/// bytes (a Windows or Linux executable).
pub fn refused_type(name: &str, first_bytes: &[u8]) -> bool {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    REFUSED_EXTENSIONS.contains(&ext.as_str())
        || first_bytes.starts_with(b"MZ")
        || first_bytes.starts_with(b"\x7fELF")
}

/// A file name safe to store and send: no path, no control characters, not empty.
pub(crate) fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        "attachment".into()
    } else {
        cleaned
    }
}

/// A file as the page announces it, before its bytes arrive.
pub struct FileHeader<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    /// Pasted into the body (an image shown in place).
    pub inline: bool,
    /// The size the request declares, if any: a file known to be too large is refused
    /// before a byte is read.
    pub declared: Option<u64>,
}

fn invalid(e: FieldError) -> ContactError {
    ContactError::Invalid(vec![e])
}

impl EmailService {
    /// SPEC R-4: stores the reply being written; the addresses and body are checked first.
    pub async fn save_draft(
        &self,
        agent: AgentId,
        id: ContactId,
        input: &ReplyInput,
    ) -> Result<Draft, ContactError> {
        let original = self.readable(agent, id).await?;
        self.store_draft(agent, id, &original, input).await
    }

    /// The draft checked, its HTML cleaned when the customer wrote HTML, and stored.
    async fn store_draft(
        &self,
        agent: AgentId,
        id: ContactId,
        original: &StoredEmail,
        input: &ReplyInput,
    ) -> Result<Draft, ContactError> {
        check_draft(input).map_err(ContactError::Invalid)?;
        let mut input = input.clone();
        if original.view.is_html {
            input.body = compose::clean_reply_html(&input.body, id);
        }
        match self.store.save_draft(id, agent, &input, now_ms()).await {
            Err(StoreError::NotFound) => return Err(ContactError::NotYours),
            r => r?,
        }
        Ok(self.store.draft(id).await?.unwrap_or_default())
    }

    /// SPEC: a file for the draft, read from `body` and written to the data
    /// directory while it arrives. Reading stops as soon as the file passes its own limit or
    /// what the draft's other files leave of the total; the message names the file and the
    /// limit, and the files already attached stay.
    pub async fn add_file<S, E>(
        &self,
        agent: AgentId,
        id: ContactId,
        header: FileHeader<'_>,
        body: S,
    ) -> Result<DraftFile, ContactError>
    where
        S: Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        self.held_email(agent, id).await?;
        let FileHeader {
            name,
            content_type,
            inline,
            declared,
        } = header;
        let name = clean_name(name);
        let field = || Field::Attachment(name.clone());
        let draft = self.store.draft(id).await?.unwrap_or_default();
        if draft.input.mode == ReplyMode::Forward && !inline {
            return Err(invalid(FieldError::new(
                field(),
                Problem::NotAllowedOnForward,
            )));
        }
        let content_type = content_type.trim().to_ascii_lowercase();
        if inline && !INLINE_TYPES.contains(&content_type.as_str()) {
            return Err(invalid(FieldError::new(field(), Problem::RefusedType)));
        }
        let mut existing = file_sizes(&draft.files);
        if draft.input.mode == ReplyMode::Forward {
            existing.push(FileSize {
                name: "the customer's attachments".into(),
                bytes: forwarded_bytes(&self.store.email(id).await?),
            });
        }
        let staged = self.stage_file(&name, &existing, declared, body).await?;
        let not_stored = |e: crate::files::FileError| {
            tracing::error!(contact = %id, error = %e, "upload not stored");
            ContactError::Unavailable(Reason::UploadNotStored { name: name.clone() })
        };
        // None goes while the draft comes to refer to it (see `Files::gate`).
        let _gate = self
            .files
            .keep_gated(&[&staged])
            .await
            .map_err(|e| match e {
                KeepError::File(_, e) => not_stored(e),
                KeepError::Gate(e) => e.into(),
            })?;
        let upload = &staged.upload;
        let new = NewDraftFile {
            name: name.clone(),
            content_type: if content_type.is_empty() {
                "application/octet-stream".into()
            } else {
                content_type
            },
            size: upload.size,
            sha256: upload.sha256.clone(),
            inline,
        };
        match self.store.add_draft_file(id, agent, &new, now_ms()).await {
            Ok(Ok(file)) => Ok(file),
            Ok(Err(e)) => {
                self.forget_unused(vec![upload.sha256.clone()]).await;
                Err(invalid(e))
            }
            Err(StoreError::NotFound) => {
                self.forget_unused(vec![upload.sha256.clone()]).await;
                Err(ContactError::NotYours)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// SPEC: a file named `name` (cleaned), streamed from `body` to this node's
    /// staging directory beside the `existing` ones, refused by field (its name, the limit)
    /// as soon as it passes its own limit or what the others leave of the total (before a
    /// byte is read when `declared` tells), or for its type. Not yet in the store.
    pub(crate) async fn stage_file<S, E>(
        &self,
        name: &str,
        existing: &[FileSize],
        declared: Option<u64>,
        body: S,
    ) -> Result<Staged, ContactError>
    where
        S: Stream<Item = Result<axum::body::Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let field = || Field::Attachment(name.to_string());
        // A program or script by its name: refused before a byte is read.
        if refused_type(name, &[]) {
            return Err(invalid(FieldError::new(field(), Problem::RefusedType)));
        }
        validate_new_attachment(
            existing,
            &FileSize {
                name: name.to_string(),
                bytes: declared.unwrap_or(0),
            },
        )
        .map_err(invalid)?;
        let used: u64 = existing.iter().map(|f| f.bytes).sum();
        let limit = MAX_ATTACHMENT_BYTES.min(MAX_TOTAL_ATTACHMENT_BYTES.saturating_sub(used));
        let over = |given: u64| {
            let problem = if given > MAX_ATTACHMENT_BYTES {
                Problem::TooLarge {
                    max_bytes: MAX_ATTACHMENT_BYTES,
                    given_bytes: given,
                }
            } else {
                Problem::TooLargeTogether {
                    max_bytes: MAX_TOTAL_ATTACHMENT_BYTES,
                    given_bytes: used + given,
                }
            };
            invalid(FieldError::new(field(), problem))
        };
        let staged = self
            .files
            .put_stream(body, limit)
            .await
            .map_err(|e| match e {
                PutError::Over(read) => over(read),
                PutError::Io(e) => ContactError::Store(StoreError::Corrupt(e.to_string())),
                PutError::Body(e) => {
                    tracing::info!(error = %e, "upload interrupted");
                    ContactError::Unavailable(Reason::UploadInterrupted {
                        name: name.to_string(),
                    })
                }
            })?;
        if refused_type(name, &staged.upload.head) {
            return Err(invalid(FieldError::new(field(), Problem::RefusedType)));
        }
        Ok(staged)
    }

    /// SPEC A-2: the X beside a file.
    pub async fn remove_file(
        &self,
        agent: AgentId,
        id: ContactId,
        file: DraftFileId,
    ) -> Result<(), ContactError> {
        match self.store.remove_draft_file(id, agent, file).await {
            Ok(sha) => {
                self.forget_files(vec![sha]).await;
                Ok(())
            }
            Err(StoreError::NotFound) => Err(ContactError::NotYours),
            Err(e) => Err(e.into()),
        }
    }

    /// A file of the draft, for the agent holding the email (a pasted image in the editor).
    pub async fn draft_file(
        &self,
        agent: AgentId,
        id: ContactId,
        file: DraftFileId,
    ) -> Result<StoredDraftFile, ContactError> {
        self.held_email(agent, id).await?;
        let stored = match self.store.draft_file(file).await {
            Err(StoreError::NotFound) => return Err(ContactError::NotYours),
            r => r?,
        };
        if stored.contact != id {
            return Err(ContactError::NotYours);
        }
        Ok(stored)
    }

    /// SPEC Q-2: the draft and its files go with a discarded email.
    pub async fn delete_draft(&self, id: ContactId) {
        match self.store.delete_draft(id).await {
            Ok(shas) => self.forget_files(shas).await,
            Err(e) => tracing::error!(contact = %id, error = %e, "draft not deleted"),
        }
    }

    /// Removes the bytes no email or draft refers to any more.
    pub(crate) async fn forget_files(&self, shas: Vec<String>) {
        match self.files.gate().await {
            Ok(_gate) => self.forget_unused(shas).await,
            // Kept: a file left over costs space, one removed while in use a message.
            Err(e) => tracing::warn!(error = %e, "unused files kept: the gate was not taken"),
        }
    }

    /// The same, for a caller holding the files' gate.
    pub(crate) async fn forget_unused(&self, shas: Vec<String>) {
        for sha in shas {
            match self.store.file_in_use(&sha).await {
                Ok(false) => self.files.remove(&sha).await,
                Ok(true) => {}
                Err(e) => tracing::warn!(error = %e, "file kept: its use is unknown"),
            }
        }
    }

    /// SPEC R-7: saves the draft (so a refusal by the mail server finds it intact), checks
    /// it for sending, builds the message, and in one transaction closes the contact and
    /// puts the message in the outbox. The agent's pages drop the tab at once.
    pub async fn send(
        &self,
        agent: AgentId,
        id: ContactId,
        input: &ReplyInput,
    ) -> Result<(), ContactError> {
        let original = self.readable(agent, id).await?;
        let draft = self.store_draft(agent, id, &original, input).await?;
        check_send(&draft.input, &draft.files).map_err(ContactError::Invalid)?;
        let Some(mailbox) = self.mailboxes.get(&original.mailbox) else {
            return Err(ContactError::Unavailable(Reason::MailboxGone {
                mailbox: original.mailbox.clone(),
            }));
        };
        if mailbox.smtp.is_none() {
            return Err(ContactError::Unavailable(Reason::NoSmtp {
                mailbox: original.mailbox.clone(),
            }));
        }
        let address = mailbox.address();
        let from = address
            .parse::<lettre::Address>()
            .map(|a| Mailbox::new(mailbox.display_name.clone(), a))
            .map_err(|e| {
                ContactError::Unavailable(Reason::AddressUnusable {
                    detail: e.to_string(),
                })
            })?;
        let mut files = Vec::with_capacity(draft.files.len());
        for f in &draft.files {
            let stored = self.store.draft_file(f.id).await?;
            files.push((f.clone(), self.read_file(&stored.sha256).await?));
        }
        let mut forwarded = Vec::new();
        if draft.input.mode == ReplyMode::Forward {
            // SPEC A-1: what a forward carries counts in the 20 MB with the pasted images.
            let total =
                forwarded_bytes(&original) + draft.files.iter().map(|f| f.size).sum::<u64>();
            if total > MAX_TOTAL_ATTACHMENT_BYTES {
                return Err(invalid(FieldError::new(
                    Field::Attachments,
                    Problem::TooLargeTogether {
                        max_bytes: MAX_TOTAL_ATTACHMENT_BYTES,
                        given_bytes: total,
                    },
                )));
            }
            for a in original.attachments.iter().filter(|a| !a.inline) {
                forwarded.push(OutFile {
                    name: a.name.clone(),
                    content_type: a.content_type.clone(),
                    bytes: self.read_file(&a.sha256).await?,
                    cid: None,
                });
            }
        }
        let message_id = compose::new_message_id(&address);
        let now = now_ms();
        let built = compose::build(Outgoing {
            contact: id,
            from,
            input: &draft.input,
            original: &original,
            signature_html: mailbox
                .signature_html
                .as_deref()
                .map(|s| sanitize::sanitize(s).html),
            files,
            forwarded,
            message_id: message_id.clone(),
            now_ms: now,
        })
        .map_err(invalid)?;
        let outbox = NewOutbox {
            contact: id,
            agent,
            mailbox: original.mailbox.clone(),
            envelope_from: built.envelope_from,
            recipients: built.recipients,
            message: built.bytes,
            message_id,
            text: compose::plain_text(&draft.input.body),
        };
        let queued = match self.store.queue_reply(&outbox, now).await {
            Err(StoreError::NotFound) => return Err(ContactError::NotYours),
            r => r?,
        };
        // The pages let the email go before the outbox may send (and, if refused, give it
        // back): never the other way round.
        self.release(agent, id, EndReason::Sent).await;
        if let Err(e) = self.store.reply_due(queued, now_ms()).await {
            tracing::error!(error = %e, contact = %id, "queued reply not released: it goes at the next start");
        }
        self.wake_outbox();
        tracing::info!(agent = %agent, contact = %id, "reply queued for sending");
        Ok(())
    }

    async fn read_file(&self, sha256: &str) -> Result<Vec<u8>, ContactError> {
        match self.files.read(sha256).await {
            Ok(bytes) => Ok(bytes.into()),
            Err(e @ crate::files::FileError::Missing(_)) => Err(ContactError::Store(e.into())),
            // The store out of reach: the reply waits in the draft, and the agent is told.
            Err(e) => {
                tracing::error!(error = %e, "a file of the reply was not read");
                Err(ContactError::Unavailable(Reason::ReplyFileUnreadable))
            }
        }
    }
}

/// The bytes of the customer's attachments a forward carries.
fn forwarded_bytes(original: &StoredEmail) -> u64 {
    original
        .attachments
        .iter()
        .filter(|a| !a.inline)
        .map(|a| a.size)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uploads are checked by type: programs and scripts never go out.
    #[test]
    fn programs_and_scripts_are_refused() {
        assert!(refused_type("setup.EXE", b""));
        assert!(refused_type("notes.txt", b"MZ\x90\x00"));
        assert!(refused_type("a.bin", b"\x7fELF\x02"));
        assert!(!refused_type("report.pdf", b"%PDF-1.7"));
        assert!(!refused_type("photo.jpeg", b"\xff\xd8\xff"));
    }

    #[test]
    fn file_names_lose_their_path() {
        assert_eq!(clean_name("C:\\Users\\ann\\report.pdf"), "report.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("  "), "attachment");
    }
}
