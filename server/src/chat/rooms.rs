//! One broadcast channel per chat, for the customer's widget connections.

use app::domain::{chat::ChatLine, ids::ContactId};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::sync::broadcast;

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

#[derive(Default)]
pub struct Rooms {
    rooms: Mutex<HashMap<ContactId, broadcast::Sender<RoomEvent>>>,
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

    /// Tells the widgets the chat ended and forgets the room.
    pub fn close(&self, contact: ContactId) {
        let sender = {
            let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
            rooms.remove(&contact)
        };
        if let Some(sender) = sender {
            let _ = sender.send(RoomEvent::Ended);
        }
    }
}

/// A shared handle.
pub type SharedRooms = Arc<Rooms>;
