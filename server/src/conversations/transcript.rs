//! A past conversation gathered for its text file (issue 17); the domain's
//! [`Transcript`] writes it out in the reader's language.

use super::index::conversation_lines;
use crate::{
    contact::views::{self, sent_reply},
    services::{internal, Services},
};
use app::{
    api::ApiError,
    domain::{
        contact::Channel,
        ids::ContactId,
        transcript::{Transcript, TranscriptEmail},
    },
};
use http::HeaderMap;

impl Services {
    /// A past conversation the reader may read, whole: a chat's every line, an email's
    /// text and the reply sent.
    pub async fn transcript(
        &self,
        headers: &HeaderMap,
        id: ContactId,
    ) -> Result<Transcript, ApiError> {
        let contact = self.readable(headers, id).await?;
        let store = self.store.as_ref();
        let past = views::past_contact(store, &contact, &mut views::Aliases::new())
            .await
            .map_err(internal)?;
        // Linked into another record this very moment: read again.
        let customer = match store.customer(contact.customer).await {
            Err(crate::store::StoreError::NotFound) => {
                let again = store.contact(id).await.map_err(internal)?;
                store.customer(again.customer).await.map_err(internal)?
            }
            read => read.map_err(internal)?,
        };
        let mut transcript = Transcript {
            contact: id,
            channel: contact.channel,
            csq: past.csq,
            customer: match &customer.email {
                Some(email) => format!("{} <{email}>", customer.name),
                None => customer.name,
            },
            agent: past.agent,
            started_at_ms: contact.created_at_ms,
            about: past.about,
            wrap_up: past.wrap_up,
            lines: Vec::new(),
            email: None,
        };
        if contact.channel == Channel::Email {
            let email = store.email(id).await.map_err(internal)?;
            let reply = sent_reply(store, &contact).await.map_err(internal)?;
            transcript.email = Some(TranscriptEmail {
                from: email.view.from.to_string(),
                to: app::domain::email::EmailAddress::line(&email.view.to),
                subject: email.view.subject,
                received_at_ms: email.view.received_at_ms,
                text: email.text_body,
                reply,
            });
        } else {
            transcript.lines = conversation_lines(store, id).await.map_err(internal)?;
        }
        Ok(transcript)
    }
}
