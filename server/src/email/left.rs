//! Issue 17 (SPEC K-4, K-5): a message left in the widget becomes an email contact of a
//! mailbox, queued and answered like any email (the reply goes from that mailbox to the
//! customer's address), and the customer's acknowledgement enters the outbox with it, in one
//! transaction: both are stored once whatever the widget posts again. The files sent with
//! it (limits as for a reply's, SPEC A-1) are the email's attachments.

use super::{
    compose::{message_id_domain, new_message_id},
    config::MailboxConfig,
    EmailService,
};
use crate::{
    clock::now_ms,
    contact::ContactError,
    files::{KeepError, Staged},
    store::email::{NewAck, NewAttachment, NewEmail, Taken, LEFT_UID_VALIDITY},
};
use app::{
    domain::{
        customer::CustomerAddress,
        email::EmailAddress,
        ids::{CsqId, CustomerId},
        left_message::{acknowledgement, email_text},
        mailboxes::ConnectorStatus,
        prechat::Detail,
        refusal::Reason,
    },
    i18n::Locale,
};
use lettre::message::{header::ContentType, Mailbox, Message};
use sha2::{Digest, Sha256};

/// A file the customer sent with their message, staged while it came (checked for its
/// size and type); it reaches the store with the message.
#[derive(Debug)]
pub struct LeftFile {
    pub name: String,
    pub content_type: String,
    pub staged: Staged,
}

/// Who left the message and about what: from the pre-chat form, or from the chat the
/// customer gave up waiting in.
#[derive(Debug, Clone)]
pub struct LeftBy {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    /// The CSQ of the problem the customer chose.
    pub csq: CsqId,
    /// The problem's label: the email's subject.
    pub problem: String,
    pub details: Vec<Detail>,
}

impl EmailService {
    /// The mailboxes that may take a left message, by name: of a CSQ, and able to send
    /// (the acknowledgement, the reply).
    fn taking_messages(&self) -> Vec<MailboxConfig> {
        self.sending_mailboxes()
            .into_iter()
            .filter(|m| m.csq_id.is_some())
            .collect()
    }

    /// The mailboxes in use (not disabled by an administrator) that can send, by name.
    pub(super) fn sending_mailboxes(&self) -> Vec<MailboxConfig> {
        let mut names = self.mailboxes.names();
        names.sort_by_key(|n| n.to_lowercase());
        names
            .iter()
            .filter(|n| self.mailboxes.status(n) != Some(ConnectorStatus::Disabled))
            .filter_map(|n| self.mailboxes.get(n))
            .filter(|m| m.smtp.is_some())
            .collect()
    }

    /// The mailbox a message left about `csq` goes to: one serving that CSQ, else the
    /// first (by name) of any CSQ, so a customer can always leave one. None when no
    /// mailbox can.
    pub fn mailbox_for_left_messages(&self, csq: CsqId) -> Option<MailboxConfig> {
        let sending = self.taking_messages();
        sending
            .iter()
            .find(|m| m.csq_id == Some(csq))
            .or_else(|| sending.first())
            .cloned()
    }

    /// Whether a message can be left at all (the widget offers it only then).
    pub fn takes_left_messages(&self) -> bool {
        !self.taking_messages().is_empty()
    }

    /// Stores the message, with its files as the email's attachments, as an email contact
    /// with its acknowledgement (in the customer's `locale`) and queues it; a message
    /// posted again with the same `client_id` is stored once. The customer record the message made, when it made one (its address
    /// was nobody's yet): the widget's browser may then be remembered as theirs, as after
    /// a chat, without anyone taking over a customer they typed the address of.
    pub async fn leave_message(
        &self,
        by: &LeftBy,
        message: &str,
        client_id: &str,
        locale: Locale,
        files: &[LeftFile],
    ) -> Result<Option<CustomerId>, ContactError> {
        let mailbox = self
            .mailbox_for_left_messages(by.csq)
            .ok_or(ContactError::Unavailable(Reason::NoMailboxForMessages))?;
        let csq = match mailbox.csq_id {
            Some(csq) => csq,
            None => by.csq,
        };
        let address = mailbox.address();
        let domain = message_id_domain(&address);
        // The widget's id, and the sender's address: another customer's id never finds
        // this one's message.
        let sender = crate::hex::encode(&Sha256::digest(by.email.to_lowercase())[..8]);
        let message_id = format!("left.{client_id}.{sender}@{domain}");
        let now = now_ms();
        let email = NewEmail {
            mailbox: mailbox.name.clone(),
            mailbox_address: address.clone(),
            uid_validity: LEFT_UID_VALIDITY,
            uid: 0,
            csq,
            message_id: Some(message_id.clone()),
            in_reply_to: Vec::new(),
            references: Vec::new(),
            subject: by.problem.clone(),
            from: EmailAddress {
                name: Some(by.name.clone()),
                address: by.email.clone(),
            },
            to: vec![EmailAddress {
                name: mailbox.display_name.clone(),
                address: address.clone(),
            }],
            cc: Vec::new(),
            sent_at_ms: Some(now),
            text_body: email_text(message, by.phone.as_deref(), &by.details, locale),
            html_body: None,
            has_remote_images: false,
            attachments: files
                .iter()
                .map(|f| NewAttachment {
                    name: f.name.clone(),
                    content_type: f.content_type.clone(),
                    size: f.staged.upload.size,
                    sha256: f.staged.upload.sha256.clone(),
                    content_id: None,
                    inline: false,
                })
                .collect(),
            skipped: Vec::new(),
        };
        let ack = self.acknowledgement(&mailbox, by, &message_id, locale, now)?;
        let taken = if files.is_empty() {
            self.store.take_left_message(&email, &ack, now).await?
        } else {
            self.take_with_files(&email, &ack, now, files).await?
        };
        match taken {
            Taken::New {
                contact,
                last_agent,
            } => {
                tracing::info!(contact = %contact.id, mailbox = mailbox.name, "message left in the widget");
                self.queue(&contact, last_agent.map(|(a, _)| a)).await;
                self.wake_outbox();
                let address = CustomerAddress::Email(by.email.to_lowercase());
                let made = self.store.find_customer(&address).await?.filter(|found| {
                    found.customer.id == contact.customer && found.conversations == 1
                });
                Ok(made.map(|found| found.customer.id))
            }
            Taken::AlreadyTaken => {
                tracing::info!(
                    mailbox = mailbox.name,
                    "left message posted again: stored once"
                );
                Ok(None)
            }
        }
    }

    /// Takes the message with its files: the files reach the store first, the message
    /// then refers to them. However it ends but taken (stored once before, or a failure
    /// anywhere on the way), the files kept for it go again unless something else refers
    /// to them: a refused message leaves no file behind.
    async fn take_with_files(
        &self,
        email: &NewEmail,
        ack: &NewAck,
        now: i64,
        files: &[LeftFile],
    ) -> Result<Taken, ContactError> {
        let result = self.keep_and_take(email, ack, now, files).await;
        if !matches!(result, Ok(Taken::New { .. })) {
            let shas = files.iter().map(|f| f.staged.upload.sha256.clone());
            match self.files.gate().await {
                Ok(_gate) => self.forget_unused(shas.collect()).await,
                Err(e) => tracing::warn!(error = %e, "a left message's files not looked at again"),
            }
        }
        result
    }

    async fn keep_and_take(
        &self,
        email: &NewEmail,
        ack: &NewAck,
        now: i64,
        files: &[LeftFile],
    ) -> Result<Taken, ContactError> {
        let not_stored = |name: &str, e: crate::files::FileError| {
            tracing::error!(error = %e, "a left message's file not stored");
            ContactError::Unavailable(Reason::UploadNotStored { name: name.into() })
        };
        // None goes while the message comes to refer to it (see `Files::gate`).
        let staged: Vec<&Staged> = files.iter().map(|f| &f.staged).collect();
        let _gate = self.files.keep_gated(&staged).await.map_err(|e| match e {
            KeepError::File(i, e) => not_stored(&files[i].name, e),
            KeepError::Gate(e) => e.into(),
        })?;
        Ok(self.store.take_left_message(email, ack, now).await?)
    }

    /// The acknowledgement, from the mailbox to the customer, in reply to their message
    /// (the customer's answer to it joins the same thread).
    fn acknowledgement(
        &self,
        mailbox: &MailboxConfig,
        by: &LeftBy,
        left_id: &str,
        locale: Locale,
        now: i64,
    ) -> Result<NewAck, ContactError> {
        let unusable =
            |detail: String| ContactError::Unavailable(Reason::AddressUnusable { detail });
        let address = mailbox.address();
        let business = mailbox.display_name.clone().unwrap_or_default();
        let from = address
            .parse::<lettre::Address>()
            .map(|a| Mailbox::new(mailbox.display_name.clone(), a))
            .map_err(|e| unusable(e.to_string()))?;
        let to = by
            .email
            .trim()
            .parse::<lettre::Address>()
            .map(|a| Mailbox::new(None, a))
            .map_err(|e| unusable(e.to_string()))?;
        let message_id = new_message_id(&address);
        let (subject, text) = acknowledgement(locale, &by.problem, &business);
        let built = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .message_id(Some(message_id.clone()))
            .in_reply_to(format!("<{left_id}>"))
            .references(format!("<{left_id}>"))
            .date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(now as u64))
            .header(ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|e| unusable(e.to_string()))?;
        Ok(NewAck {
            envelope_from: address,
            recipients: vec![by.email.trim().to_string()],
            message: built.formatted(),
            message_id,
        })
    }
}
