//! What a page or a widget may send over its WebSocket: one message of at most 16 KB
//! (`MAX_WS_FRAME_BYTES`). A larger one closes the connection with code 1009 and a reason
//! that says so, rather than a silent drop; tungstenite's own limit, above it (1 MB),
//! bounds the memory a peer can make the server hold for one message.

use app::{
    domain::{limits::MAX_WS_FRAME_BYTES, protocol::OTHER_VERSION, refusal::Reason},
    i18n::Locale,
};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};

/// The most tungstenite reads of one message: up to it a message over the limit is read
/// and refused with the reason; past it the connection is cut (the peer is still sending
/// what the server will not read, so a reason could not reach it).
const HARD_LIMIT: usize = 1024 * 1024;

/// WebSocket close code 1009: the message is too big to process (RFC 6455).
const TOO_BIG: u16 = 1009;

/// A peer that has sent nothing for this long, not even the pong a browser returns to each
/// ping (every 20 s), is gone: its socket ends and gives its place back, rather than wait
/// the quarter of an hour TCP may take to notice (a phone that changed networks).
pub const SILENT_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// What each socket reads from and writes to the network at a time. Tungstenite's default
/// (128 KiB each way, the read buffer zero-filled on first use) made an idle widget socket
/// cost about 137 KB; chat messages are under 16 KB and a larger one is still read whole,
/// in several reads.
const SOCKET_BUFFER_BYTES: usize = 4 * 1024;

/// The upgrade with the hard limit on what one message may take, and small buffers.
pub fn bounded(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    upgrade
        .max_message_size(HARD_LIMIT)
        .max_frame_size(HARD_LIMIT)
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(SOCKET_BUFFER_BYTES)
}

/// One message from the peer, as the sockets read them.
pub enum Received {
    Text(String),
    /// Over the limit: the connection has been closed with the reason.
    TooLarge,
    /// The peer closed or the connection broke.
    Gone,
}

/// The next text message; pings, pongs and binary messages are skipped. `heard` is set to
/// the time of every frame the peer sends (see [`SILENT_LIMIT`]); a message over the limit
/// closes the socket with a reason in the peer's `locale`.
pub async fn receive(
    socket: &mut WebSocket,
    heard: &mut tokio::time::Instant,
    locale: Locale,
) -> Received {
    loop {
        let frame = socket.recv().await;
        if let Some(Ok(_)) = &frame {
            *heard = tokio::time::Instant::now();
        }
        match frame {
            Some(Ok(Message::Text(text))) if text.len() > MAX_WS_FRAME_BYTES => {
                close_too_large(socket, locale).await;
                return Received::TooLarge;
            }
            Some(Ok(Message::Text(text))) => return Received::Text(text.to_string()),
            Some(Ok(Message::Close(_))) | None => return Received::Gone,
            // Over the hard limit tungstenite stops reading; a reason is tried all the same.
            Some(Err(e)) => {
                if is_capacity(&e) {
                    close_too_large(socket, locale).await;
                    return Received::TooLarge;
                }
                return Received::Gone;
            }
            Some(Ok(_)) => continue,
        }
    }
}

fn is_capacity(e: &axum::Error) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    text.contains("capacity") || text.contains("too long") || text.contains("too big")
}

/// "A message may hold at most 16 KB."
fn too_large_reason(locale: Locale) -> String {
    Reason::MessageTooLarge {
        max_bytes: MAX_WS_FRAME_BYTES as u64,
    }
    .message(locale)
}

async fn close_too_large(socket: &mut WebSocket, locale: Locale) {
    let frame = CloseFrame {
        code: TOO_BIG,
        reason: too_large_reason(locale).into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// The protocol version a page or a widget says when it connects (`?v=`).
#[derive(serde::Deserialize)]
pub struct Version {
    /// Read as text: a value that is no number is another version, not a refused
    /// upgrade (which the browser would only see as a lost connection, and retry).
    v: Option<String>,
}

impl Version {
    /// Whether the peer speaks another version than `current`; one that says none predates
    /// versions and speaks version 1.
    pub fn other_than(&self, current: u32) -> bool {
        match &self.v {
            None => current != 1,
            Some(v) => v.parse::<u32>().ok() != Some(current),
        }
    }
}

/// A socket for a page or a widget of another protocol version: opened only to be closed
/// with [`OTHER_VERSION`], which the browser can read (an HTTP refusal of the upgrade it
/// cannot), so the page loads again and gets this server's code. Asked before who the peer
/// is: a page loaded before an upgrade loads again whether or not its session lives on.
pub fn close_other_version(upgrade: WebSocketUpgrade, locale: Locale) -> axum::response::Response {
    let reason = Reason::OtherVersion.message(locale);
    bounded(upgrade).on_upgrade(move |mut socket| async move {
        let frame = CloseFrame {
            code: OTHER_VERSION,
            reason: reason.into(),
        };
        let _ = socket.send(Message::Close(Some(frame))).await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A close reason must fit in 123 bytes, in every language.
    #[test]
    fn close_reasons_fit_in_a_close_frame() {
        assert_eq!(
            too_large_reason(Locale::en),
            "A message may hold at most 16 KB."
        );
        assert_eq!(
            too_large_reason(Locale::fr),
            "Un message peut contenir au plus 16\u{a0}Ko."
        );
        for locale in [Locale::en, Locale::fr] {
            let other = Reason::OtherVersion.message(locale);
            assert!(other.len() <= 123, "{other}");
            assert!(too_large_reason(locale).len() <= 123);
        }
    }
}
