//! The files of a chat message (a Messenger or WhatsApp customer's photo or document):
//! images shown in place, any other file as a download, and a file the channel would not
//! give (too large, or gone) named with why it is missing, so the agent knows it came.

use super::email_panel::size_text;
use crate::{domain::chat::LineFile, domain::ids::ContactId, i18n::*};
use leptos::prelude::*;

/// Where the agent's browser reads a stored file of a chat.
fn href(contact: ContactId, sha256: &str) -> String {
    format!("/chat/files/{contact}/{sha256}")
}

#[component]
pub fn LineFiles(contact: ContactId, files: Vec<LineFile>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    files
        .into_iter()
        .map(|file| {
            let inline = file.shows_inline();
            let size = size_text(locale, file.size);
            match file.sha256 {
                Some(sha) if inline => {
                    let (url, opened) = (href(contact, &sha), href(contact, &sha));
                    view! {
                        <a class="line-image" href=opened target="_blank" rel="noopener">
                            <img src=url alt=file.name loading="lazy" />
                        </a>
                    }
                    .into_any()
                }
                Some(sha) => {
                    let shown = file.name.clone();
                    view! {
                        <a class="attachment line-file" href=href(contact, &sha) download=file.name>
                            <span class="attachment-name">{shown}</span>
                            <span class="attachment-size">{size}</span>
                        </a>
                    }
                    .into_any()
                }
                None => view! {
                    <span class="attachment line-file missing">
                        <span class="attachment-name">{file.name}</span>
                        <span class="attachment-size">{t!(i18n, desktop.chat.file_missing)}</span>
                    </span>
                }
                .into_any(),
            }
        })
        .collect_view()
}
