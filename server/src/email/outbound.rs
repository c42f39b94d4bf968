//! Issue 17: an email a CRM starts through the API: from the mailbox of the queue it names
//! (one that can send), to the customer's address, with the mailbox's signature (SPEC
//! It is stored as an email conversation of that queue, ended as sent, its message in
//! the outbox, in one transaction: the outbox's retries deliver it, the customer's answer
//! joins its thread (SPEC E-4), and the caller's own id for it makes a retried call send
//! nothing twice.

use super::{
    compose::{message_id_domain, new_message_id, plain_text},
    config::MailboxConfig,
    sanitize::sanitize,
    EmailService,
};
use crate::{
    contact::ContactError,
    store::{
        email::{NewAck, NewEmail, LEFT_UID_VALIDITY},
        outbound::Started,
        settings::AuditEntry,
        StoreError,
    },
};
use app::domain::{
    email::EmailAddress,
    ids::{AgentId, CsqId, CustomerId},
    outbound::{check_outbound, outbound_text},
    problem::Problem,
    refusal::Reason,
    validate::{Field, FieldError},
};
use lettre::message::{header::ContentType, Mailbox, Message};
use sha2::{Digest, Sha256};

/// What the caller asks.
#[derive(Debug, Clone)]
pub struct Outbound {
    pub customer: CustomerId,
    pub queue: CsqId,
    pub subject: String,
    pub body: String,
    /// The caller's own id for this email, unique to the token (`token`).
    pub client_id: Option<String>,
    pub token: i64,
    /// Who sends it (the administrator who made the API token), and how, for the audit.
    pub by: AgentId,
    pub via: String,
}

impl EmailService {
    /// The mailbox an email of `queue` leaves from: one of that queue, in use and able to
    /// send (by name, the first).
    fn sending_mailbox(&self, queue: CsqId) -> Option<MailboxConfig> {
        self.sending_mailboxes()
            .into_iter()
            .find(|m| m.csq_id == Some(queue))
    }

    /// Sends a new email to a customer: the conversation it is, new or (the same
    /// `client_id` again) the one it was.
    pub async fn start_email(&self, out: &Outbound, now: i64) -> Result<Started, ContactError> {
        let invalid = |field: Field, problem: Problem| {
            ContactError::Invalid(vec![FieldError::new(field, problem)])
        };
        // A NUL never reaches a header or the database (PostgreSQL refuses it in text).
        let subject = out.subject.replace('\0', "").trim().to_string();
        let body = out.body.replace('\0', "");
        check_outbound(&subject, &body, out.client_id.as_deref()).map_err(ContactError::Invalid)?;
        // The caller's id, and which token called: another token's same id is another
        // email. Hashed: the customer's mail program never sees the CRM's ids.
        let key = out.client_id.as_ref().map(|id| {
            let digest = Sha256::digest(format!("{}:{id}", out.token));
            format!("api.{}", crate::hex::encode(&digest[..16]))
        });
        // Sent before: that conversation, whatever became of the queue's mailboxes since;
        // the same id for another email is refused.
        if let Some(key) = &key {
            if let Some(id) = self.store.started_email(key).await? {
                let was = self.store.conversation_record(id).await?;
                let same = was.customer == out.customer
                    && was.queue == out.queue
                    && was.conversation.about == subject;
                return if same {
                    Ok(Started::Again(id))
                } else {
                    Err(ContactError::ClientIdUsed)
                };
            }
        }
        let customer = match self.store.customer_record(out.customer).await {
            Ok(record) => record.customer,
            Err(StoreError::NotFound) => {
                return Err(invalid(
                    Field::Customer,
                    Problem::UnknownId { id: out.customer.0 },
                ))
            }
            Err(e) => return Err(e.into()),
        };
        let Some(to) = customer.email.clone().filter(|e| !e.trim().is_empty()) else {
            return Err(invalid(Field::Customer, Problem::NoEmailAddress));
        };
        // The queue's name is empty when no queue has this id.
        if self.store.csq_name(out.queue).await?.is_empty() {
            return Err(invalid(
                Field::Queue,
                Problem::UnknownId { id: out.queue.0 },
            ));
        }
        let mailbox = self
            .sending_mailbox(out.queue)
            .ok_or_else(|| invalid(Field::Queue, Problem::NoSendingMailbox))?;
        let address = mailbox.address();
        let message_id = match &key {
            Some(key) => format!("<{key}@{}>", message_id_domain(&address)),
            None => new_message_id(&address),
        };
        let signature = mailbox
            .signature_html
            .as_deref()
            .map(|s| plain_text(&sanitize(s).html));
        let text = outbound_text(&body, signature.as_deref());
        let unusable =
            |detail: String| ContactError::Unavailable(Reason::AddressUnusable { detail });
        let from = address
            .parse::<lettre::Address>()
            .map(|a| Mailbox::new(mailbox.display_name.clone(), a))
            .map_err(|e| unusable(e.to_string()))?;
        let recipient = to
            .trim()
            .parse::<lettre::Address>()
            .map(|a| Mailbox::new(Some(customer.name.clone()), a))
            .map_err(|_| invalid(Field::Customer, Problem::InvalidEmail { value: to.clone() }))?;
        let built = Message::builder()
            .from(from)
            .to(recipient)
            .subject(subject.clone())
            .message_id(Some(message_id.clone()))
            .date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(now as u64))
            .header(ContentType::TEXT_PLAIN)
            .body(text.clone())
            .map_err(|e| unusable(e.to_string()))?;
        let csq = out.queue;
        let email = NewEmail {
            mailbox: mailbox.name.clone(),
            mailbox_address: address.clone(),
            uid_validity: LEFT_UID_VALIDITY,
            uid: 0,
            csq,
            // As a message's own id is kept: without its angle brackets.
            message_id: Some(message_id.trim_matches(['<', '>']).to_string()),
            in_reply_to: Vec::new(),
            references: Vec::new(),
            subject: subject.clone(),
            from: EmailAddress {
                name: mailbox.display_name.clone(),
                address: address.clone(),
            },
            to: vec![EmailAddress {
                name: Some(customer.name.clone()),
                address: to.trim().to_string(),
            }],
            cc: Vec::new(),
            sent_at_ms: Some(now),
            text_body: text,
            html_body: None,
            has_remote_images: false,
            attachments: Vec::new(),
            skipped: Vec::new(),
        };
        let message = NewAck {
            envelope_from: address,
            recipients: vec![to.trim().to_string()],
            message: built.formatted(),
            message_id,
        };
        let audit = AuditEntry {
            at_ms: now,
            agent: out.by,
            action: "email.send".into(),
            detail: format!(
                "{}: \"{subject}\" to \"{}\" (customer {})",
                out.via, customer.name, customer.id
            ),
        };
        let started = self
            .store
            .start_email(&email, out.customer, &message, &audit, now)
            .await
            .map_err(|e| match e {
                // Erased meanwhile.
                StoreError::NotFound => {
                    invalid(Field::Customer, Problem::UnknownId { id: out.customer.0 })
                }
                e => e.into(),
            })?;
        match &started {
            Started::New(contact) => {
                tracing::info!(contact = %contact.id, mailbox = mailbox.name, "email started through the API");
                self.wake_outbox();
            }
            Started::Again(contact) => {
                tracing::info!(contact = %contact, "email started again through the API: sent once");
            }
        }
        Ok(started)
    }
}
