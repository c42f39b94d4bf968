//! The files customers send on Messenger and WhatsApp (photos, videos, voice notes,
//! documents, stickers), fetched from Meta while their message is handled and kept in the
//! files store as an email's attachments are: the transcript shows them from there, whatever
//! becomes of Meta's copy (Messenger's addresses expire; WhatsApp's media ids last 30 days).
//!
//! A file that cannot be had (larger than [`MAX_CHAT_MEDIA_BYTES`], or refused by Meta) is
//! still named in the line, as not received, so the agent knows it came and can ask for it
//! again; a failure that may pass (Meta not reached, a 5xx) is tried again a few times
//! first. The message itself is never held back by its files.

use super::{
    events::{Media, MediaKind, MediaSource, Part},
    graph::{Account, GraphError},
    MetaService,
};
use crate::{files::PutError, files::Staged, store::meta::StoredMetaChannel};
use app::domain::{
    chat::LineFile,
    limits::{MAX_CHAT_MEDIA_BYTES, MAX_CHAT_MEDIA_PER_MESSAGE},
};
use futures_util::StreamExt;
use std::time::Duration;

/// Downloads of one file before it is named as not received.
const TRIES: u32 = 3;
/// The pause after the first failed try (doubled after each).
const FIRST_PAUSE: Duration = Duration::from_secs(1);
/// Characters kept of a file name the customer's app gave.
const MAX_NAME_CHARS: usize = 150;
/// How long the files of one message may take in all: the channel's later posts wait for
/// them (a customer's messages keep their order), so a file that takes longer is named as
/// not received rather than holding every other customer back.
const MESSAGE_BUDGET: Duration = Duration::from_secs(90);

/// A customer's file: as the line shows it, and its bytes staged when they came.
pub(super) struct Fetched {
    pub file: LineFile,
    pub staged: Option<Staged>,
}

/// Why a download did not give the file.
#[derive(Debug)]
enum Missed {
    /// It will not come (over the limit, refused, gone): named as not received.
    Never(String),
    /// It may come if asked again.
    Again(String),
}

impl From<GraphError> for Missed {
    fn from(e: GraphError) -> Missed {
        match &e {
            GraphError::Network(_) => Missed::Again(e.to_string()),
            GraphError::Api { http_status, .. } | GraphError::Unreadable { http_status }
                if *http_status >= 500 || *http_status == 429 =>
            {
                Missed::Again(e.to_string())
            }
            _ => Missed::Never(e.to_string()),
        }
    }
}

impl MetaService {
    /// The files of a customer's message, each fetched (or named as not received), in the
    /// order they came.
    pub(super) async fn fetch_media(
        &self,
        stored: Option<&StoredMetaChannel>,
        parts: &[Part],
    ) -> Vec<Fetched> {
        let token = stored.and_then(|stored| self.access_token(stored));
        let deadline = tokio::time::Instant::now() + MESSAGE_BUDGET;
        let mut fetched = Vec::new();
        let media = parts.iter().filter_map(|part| match part {
            Part::Media(media) => Some(media),
            _ => None,
        });
        for (n, media) in media.enumerate() {
            if n >= MAX_CHAT_MEDIA_PER_MESSAGE {
                tracing::warn!(file = n + 1, "more files in one message than are fetched");
                fetched.push(Fetched {
                    file: unfetched(media),
                    staged: None,
                });
                continue;
            }
            let account = stored.zip(token.as_deref()).map(|(s, t)| Account::of(s, t));
            let fetch = self.fetch_one(account.as_ref(), media);
            fetched.push(match tokio::time::timeout_at(deadline, fetch).await {
                Ok(one) => one,
                Err(_) => {
                    tracing::warn!("customer's file not fetched in the time a message has");
                    Fetched {
                        file: unfetched(media),
                        staged: None,
                    }
                }
            });
        }
        fetched
    }

    async fn fetch_one(&self, account: Option<&Account<'_>>, media: &Media) -> Fetched {
        let mut file = unfetched(media);
        let mut pause = FIRST_PAUSE;
        for attempt in 1..=TRIES {
            match self.download(account, media, &mut file).await {
                Ok(staged) => {
                    file.size = staged.upload.size;
                    file.sha256 = Some(staged.upload.sha256.clone());
                    return Fetched {
                        file,
                        staged: Some(staged),
                    };
                }
                Err(Missed::Never(why)) => {
                    tracing::warn!(file = %file.name, %why, "customer's file not received");
                    break;
                }
                Err(Missed::Again(why)) if attempt < TRIES => {
                    tracing::info!(file = %file.name, %why, attempt, "customer's file not fetched: tried again");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                Err(Missed::Again(why)) => {
                    tracing::warn!(file = %file.name, %why, "customer's file not fetched after {TRIES} tries");
                }
            }
        }
        Fetched { file, staged: None }
    }

    /// One try: the bytes staged in the files store, read as they come and refused past
    /// the limit. `file` learns the type and size Meta gives on the way.
    async fn download(
        &self,
        account: Option<&Account<'_>>,
        media: &Media,
        file: &mut LineFile,
    ) -> Result<Staged, Missed> {
        let response = match &media.source {
            MediaSource::Url(url) => self.graph.download(url, None).await?,
            MediaSource::MediaId(id) => {
                let account = account
                    .ok_or_else(|| Missed::Never("the channel has no access token".into()))?;
                if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(Missed::Never(format!("not a media id: {id:?}")));
                }
                let location = self.graph.media_location(account, id).await?;
                if let Some(mime) = &location.mime_type {
                    file.content_type = essence(mime);
                }
                if let Some(size) = location.file_size {
                    file.size = size;
                }
                self.graph
                    .download(&location.url, Some(account.access_token))
                    .await?
            }
        };
        if let Some(size) = response.content_length() {
            file.size = size;
        }
        if file.size > MAX_CHAT_MEDIA_BYTES {
            return Err(Missed::Never(format!(
                "{} bytes, over the limit",
                file.size
            )));
        }
        if media.mime_type.is_none() {
            if let Some(sent) = response
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
            {
                file.content_type = essence(sent);
            }
        }
        let body = response.bytes_stream().boxed();
        self.files
            .put_stream(body, MAX_CHAT_MEDIA_BYTES)
            .await
            .map_err(|e| match e {
                PutError::Over(size) => {
                    file.size = size;
                    Missed::Never(format!("over the limit after {size} bytes"))
                }
                e => Missed::Again(e.to_string()),
            })
    }
}

/// A file as the line names it before (or without) its bytes.
fn unfetched(media: &Media) -> LineFile {
    LineFile {
        name: file_name(media),
        content_type: media
            .mime_type
            .as_deref()
            .map(essence)
            .unwrap_or_else(|| default_type(media.kind).to_string()),
        size: 0,
        sha256: None,
    }
}

/// A content type without its parameters (`audio/ogg; codecs=opus` is `audio/ogg`).
fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn default_type(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "image/jpeg",
        MediaKind::Sticker => "image/webp",
        MediaKind::Video => "video/mp4",
        MediaKind::Audio => "audio/mpeg",
        MediaKind::File => "application/octet-stream",
    }
}

/// The name the agent reads and downloads the file under: the one the customer's app gave
/// (a WhatsApp document's), the last part of a Messenger address when it names a file, or
/// the file's kind.
fn file_name(media: &Media) -> String {
    let given = media.file_name.clone().or_else(|| match &media.source {
        MediaSource::Url(url) => url
            .split(['?', '#'])
            .next()
            .and_then(|path| path.rsplit('/').next())
            .filter(|last| last.contains('.'))
            .map(str::to_string),
        MediaSource::MediaId(_) => None,
    });
    let name: String = given
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
        .take(MAX_NAME_CHARS)
        .collect();
    let name = name.trim();
    if name.is_empty() {
        kind_name(media.kind).to_string()
    } else {
        name.to_string()
    }
}

fn kind_name(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "image",
        MediaKind::Video => "video",
        MediaKind::Audio => "audio",
        MediaKind::File => "file",
        MediaKind::Sticker => "sticker",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(source: MediaSource, file_name: Option<&str>) -> Media {
        Media {
            kind: MediaKind::File,
            source,
            caption: None,
            file_name: file_name.map(str::to_string),
            mime_type: None,
        }
    }

    #[test]
    fn a_file_is_named_as_the_customer_sent_it_or_by_its_kind() {
        let url = |u: &str| MediaSource::Url(u.into());
        assert_eq!(
            file_name(&media(
                url("https://cdn.fbsbx.com/v/t59/invoice.pdf?_nc=1"),
                None
            )),
            "invoice.pdf"
        );
        assert_eq!(
            file_name(&media(
                url("https://scontent.xx.fbcdn.net/v/t1.15752-9/"),
                None
            )),
            "file"
        );
        assert_eq!(
            file_name(&media(
                MediaSource::MediaId("1".into()),
                Some("../../etc/pass\nwd")
            )),
            "....etcpasswd"
        );
        assert_eq!(
            file_name(&media(MediaSource::MediaId("1".into()), Some("  "))),
            "file"
        );
    }

    #[test]
    fn a_content_type_is_kept_without_its_parameters() {
        assert_eq!(essence("audio/ogg; codecs=opus"), "audio/ogg");
        assert_eq!(essence("Image/JPEG"), "image/jpeg");
    }
}
