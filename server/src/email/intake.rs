//! A message from a mailbox becomes an email contact (SPEC E-1, E-3): parsed, its kept
//! files written, then stored with the mailbox's progress in one transaction and queued;
//! a batch of messages shares one transaction.

use super::{mime, EmailService};
use crate::{
    clock::now_ms,
    store::{
        email::{NewAttachment, NewEmail, Taken},
        StoreError,
    },
};
use app::domain::ids::CsqId;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("attachment file not written: {0}")]
    Files(#[from] crate::files::FileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The parser gave up on the message (a panic, caught): the message's fault, not ours.
    #[error("the message could not be read: {0}")]
    Unreadable(String),
}

/// Intake of at least this many raw bytes at once hands the freed memory back to the
/// system after (a large email, or a batch of many: [`crate::memory`]). Well above the
/// everyday message (tens of kilobytes), so the few milliseconds it costs are paid only
/// where tens of megabytes would otherwise stay resident.
const RELEASE_AFTER_BYTES: usize = 4 * 1024 * 1024;

/// A raw message as the mail server gave it: held where it was received (no copy) and
/// dropped as soon as it is parsed, before its files are written.
pub type Raw = Box<dyn AsRef<[u8]> + Send>;

/// Where a message was read: progress is kept per mailbox name and UIDVALIDITY.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub mailbox: &'a str,
    /// The mailbox's own address.
    pub address: &'a str,
    pub csq: CsqId,
    pub uid_validity: u32,
    pub uid: u32,
}

/// Takes one raw message. Files are written first (content-addressed, so a retry after a
/// crash rewrites nothing); the database then refers to them in the same transaction that
/// moves the mailbox's progress past this UID.
pub async fn take(
    service: &EmailService,
    source: Source<'_>,
    raw: Raw,
) -> Result<Taken, IntakeError> {
    let mut taken = take_batch(service, vec![(source, raw)]).await?;
    Ok(taken.pop().unwrap_or(Taken::AlreadyTaken))
}

/// Takes several raw messages of one mailbox, oldest first, as [`take`] does each, with
/// one commit for the lot (issue 13: a backlog goes in at the disk's pace per batch, not
/// per message). All are stored or none; one outcome per message, in order.
pub async fn take_batch(
    service: &EmailService,
    messages: Vec<(Source<'_>, Raw)>,
) -> Result<Vec<Taken>, IntakeError> {
    // Read apart from the async threads, one share per core: a parser that panics on one
    // message fails the batch (the connector then reads each message alone). Each raw
    // message is let go once parsed.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (sources, mut raws): (Vec<_>, Vec<Raw>) = messages.into_iter().unzip();
    let bytes: usize = raws.iter().map(|raw| (**raw).as_ref().len()).sum();
    // Dropped after all that is made below it (the parsed messages, their files and
    // bodies), however this ends.
    let _release = (bytes >= RELEASE_AFTER_BYTES).then_some(crate::memory::ReleaseOnDrop);
    let share = sources.len().div_ceil(cores).max(1);
    let mut shares = Vec::with_capacity(cores);
    while !raws.is_empty() {
        let rest = raws.split_off(share.min(raws.len()));
        shares.push(std::mem::replace(&mut raws, rest));
    }
    let parsing: Vec<_> = shares
        .into_iter()
        .map(|share| {
            tokio::task::spawn_blocking(move || {
                share
                    .into_iter()
                    .map(|raw| mime::parse((*raw).as_ref()))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut parsed = Vec::with_capacity(sources.len());
    let mut sources = sources.into_iter();
    for share in parsing {
        let share = share
            .await
            .map_err(|e| IntakeError::Unreadable(e.to_string()))?;
        parsed.extend(sources.by_ref().zip(share));
    }
    // Each file is written before the gate (see `Files::gate`); under it each is checked
    // to be there still, and until the emails refer to them none may be removed as
    // unused. One removed meanwhile (its content's last other use went) fails this try:
    // the message is read again, its file written again.
    let mut emails = Vec::with_capacity(parsed.len());
    for (source, message) in parsed {
        emails.push(new_email(service, source, message).await?);
    }
    let gate = service.files.gate().await?;
    for file in emails.iter().flat_map(|e| &e.attachments) {
        if !service.files.present(&file.sha256, file.size).await? {
            return Err(crate::files::FileError::Missing(file.sha256.clone()).into());
        }
    }
    let taken = service.store.take_emails(&emails, now_ms()).await?;
    drop(gate);
    for (email, taken) in emails.iter().zip(&taken) {
        if let Taken::New {
            contact,
            last_agent,
        } = taken
        {
            tracing::info!(
                contact = %contact.id,
                mailbox = email.mailbox,
                uid = email.uid,
                "email taken"
            );
            service.queue(contact, last_agent.map(|(a, _)| a)).await;
        }
    }
    Ok(taken)
}

/// The email to store: the message's kept files written, the rest as parsed.
async fn new_email(
    service: &EmailService,
    source: Source<'_>,
    parsed: mime::Parsed,
) -> Result<NewEmail, IntakeError> {
    let mut attachments = Vec::with_capacity(parsed.kept.len());
    for part in parsed.kept {
        attachments.push(NewAttachment {
            size: part.bytes.len() as u64,
            // Each file's bytes are let go once written.
            sha256: service.files.put(part.bytes).await?,
            name: part.name,
            content_type: part.content_type,
            content_id: part.content_id,
            inline: part.inline,
        });
    }
    Ok(NewEmail {
        mailbox: source.mailbox.to_string(),
        mailbox_address: source.address.to_string(),
        uid_validity: source.uid_validity,
        uid: source.uid,
        csq: source.csq,
        message_id: parsed.message_id,
        in_reply_to: parsed.in_reply_to,
        references: parsed.references,
        subject: parsed.subject,
        from: parsed.from,
        to: parsed.to,
        cc: parsed.cc,
        sent_at_ms: parsed.sent_at_ms,
        text_body: parsed.text_body,
        html_body: parsed.html_body,
        has_remote_images: parsed.has_remote_images,
        attachments,
        skipped: parsed.skipped,
    })
}
