//! One broadcast channel per chat, for the customer's widget connections, and a signal
//! that asks every widget connection to read its chat again from the store (this process
//! may have missed other nodes' notices, issue 14).

use app::domain::{chat::ChatLine, ids::ContactId};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::{broadcast, watch};

/// Lines buffered per chat for a slow widget; one further behind resynchronises from the
/// store. Every slot is allocated when the room is made, so for each open chat: a customer
/// writes a line or two a second.
const ROOM_CAPACITY: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomEvent {
    /// A stored line (SPEC K-3: stored before it is sent).
    Line(ChatLine),
    /// SPEC K-2: the agent is typing (or stopped).
    AgentTyping(bool),
    Ended,
}

pub struct Rooms {
    rooms: Mutex<HashMap<ContactId, broadcast::Sender<RoomEvent>>>,
    /// Bumped when every widget connection must catch up from the store.
    resync: watch::Sender<u64>,
}

impl Default for Rooms {
    fn default() -> Self {
        Rooms {
            rooms: Mutex::default(),
            resync: watch::channel(0).0,
        }
    }
}

impl Rooms {
    fn sender(&self, contact: ContactId) -> broadcast::Sender<RoomEvent> {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms
            .entry(contact)
            .or_insert_with(|| broadcast::channel(ROOM_CAPACITY).0)
            .clone()
    }

    pub fn subscribe(&self, contact: ContactId) -> broadcast::Receiver<RoomEvent> {
        self.sender(contact).subscribe()
    }

    pub fn send(&self, contact: ContactId, event: RoomEvent) {
        let _ = self.sender(contact).send(event);
    }

    /// Sends to the chat's widgets connected here, if any (a room is not made for it).
    pub fn send_if_open(&self, contact: ContactId, event: RoomEvent) {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = rooms.get(&contact) {
            let _ = sender.send(event);
        }
    }

    /// Whether a widget of the chat is connected to this process.
    pub fn has_widgets(&self, contact: ContactId) -> bool {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms
            .get(&contact)
            .is_some_and(|room| room.receiver_count() > 0)
    }

    /// Every widget connection reads its chat again from where it is (lines, and whether
    /// the chat ended).
    pub fn resync_widgets(&self) {
        self.resync.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The resync signal from now on.
    pub fn watch_resync(&self) -> watch::Receiver<u64> {
        self.resync.subscribe()
    }

    /// Tells the widgets the chat ended and forgets the room.
    pub fn close(&self, contact: ContactId) {
        let room = {
            let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
            rooms.remove(&contact)
        };
        if let Some(room) = room {
            let _ = room.send(RoomEvent::Ended);
        }
    }
}

/// A shared handle.
pub type SharedRooms = Arc<Rooms>;
