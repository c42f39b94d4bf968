//! Inline SVG icons: they render the same everywhere (no emoji font needed) and cost a few
//! bytes. Each has an accessible name via `aria-label` where it carries meaning.

use crate::domain::contact::Channel;
use leptos::prelude::*;

/// The icon of a contact's channel (SPEC C-1: a distinct icon for Messenger and WhatsApp).
/// `tooltip` replaces the channel's name as the hover text (SPEC C-2: an email's subject).
#[component]
pub fn ChannelIcon(channel: Channel, #[prop(optional)] tooltip: Option<String>) -> impl IntoView {
    let path = match channel {
        // A speech bubble.
        Channel::Web => "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
        // A round bubble with a lightning stroke.
        Channel::Messenger => "M12 2C6.5 2 2 6.1 2 11.2c0 2.9 1.5 5.5 3.8 7.2V22l3.5-1.9c.9.3 1.8.4 2.7.4 5.5 0 10-4.1 10-9.3S17.5 2 12 2zm1 12.4-2.6-2.7-5 2.7 5.5-5.8 2.6 2.7 5-2.7-5.5 5.8z",
        // A round bubble with a handset.
        Channel::WhatsApp => "M12 2a10 10 0 0 0-8.6 15.1L2 22l5-1.3A10 10 0 1 0 12 2zm4.9 13.6c-.2.6-1.2 1.2-1.7 1.2-.5.1-1 .2-3.2-.7-2.7-1.1-4.4-3.8-4.5-4-.1-.2-1.1-1.5-1.1-2.8s.7-2 1-2.3c.2-.3.5-.3.7-.3h.5c.2 0 .4 0 .6.5l.8 2c.1.2.1.4 0 .5l-.3.5-.4.4c-.1.1-.3.3-.1.6.2.3.8 1.3 1.7 2.1 1.2 1 2.1 1.3 2.4 1.5.3.1.5.1.6-.1l.9-1c.2-.3.4-.2.6-.1l1.9.9c.3.1.5.2.5.3.1.2.1.7-.1 1.3z",
        // An envelope.
        Channel::Email => "M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zm1 2.2V17h16V7.2l-8 5.3-8-5.3zM5.4 7 12 11.4 18.6 7H5.4z",
    };
    let locale = crate::i18n::use_i18n().get_locale_untracked();
    let name = channel.label(locale);
    let label = match &tooltip {
        Some(detail) => crate::i18n::td_string!(
            locale,
            common.channel_with,
            channel = name,
            detail = detail.as_str()
        )
        .to_string(),
        None => name.to_string(),
    };
    let title = tooltip.unwrap_or_else(|| label.clone());
    view! {
        <svg class="icon channel-icon" viewBox="0 0 24 24" width="18" height="18" role="img" aria-label=label>
            <title>{title}</title>
            <path fill="currentColor" d=path />
        </svg>
    }
}

/// The reply editor's toolbar and attach icons (SPEC ), drawn with strokes. The
/// button around each carries the name.
#[component]
pub fn ToolIcon(name: &'static str) -> impl IntoView {
    let path = match name {
        "bulleted" => "M5 6h.01M5 12h.01M5 18h.01M9 6h11M9 12h11M9 18h11",
        "numbered" => "M4 4h1.5v5M4 9h3M4 14.5a1.5 1.5 0 0 1 3 0c0 1.5-3 2.5-3 4.5h3M10 7h10M10 17h10",
        "outdent" => "M4 5h16M11 10h9M11 14h9M4 19h16M8 9l-3 3 3 3",
        "indent" => "M4 5h16M11 10h9M11 14h9M4 19h16M5 9l3 3-3 3",
        "left" => "M4 6h16M4 10h10M4 14h16M4 18h10",
        "center" => "M4 6h16M7 10h10M4 14h16M7 18h10",
        "right" => "M4 6h16M10 10h10M4 14h16M10 18h10",
        "link" => "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1",
        "image" => "M4 5h16v14H4zM8.5 10.5h.01M4 17l5-5 4 4 3-3 4 4",
        "attach" => "M20 11l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.5 3.5 0 0 1 5 5L10 17a2 2 0 0 1-3-3l7.5-7.5",
        _ => "",
    };
    view! {
        <svg
            class="icon tool-icon"
            viewBox="0 0 24 24"
            width="16"
            height="16"
            aria-hidden="true"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
        >
            <path d=path />
        </svg>
    }
}
