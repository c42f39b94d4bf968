//! One broadcast channel per chat, for the customer's widget connections, with the last
//! line this process sent through it (what a node that lost the other nodes' notices for
//! a while reads on from, issue 14).

use app::domain::{chat::ChatLine, ids::ContactId, protocol::Seq};
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

struct Room {
    sender: broadcast::Sender<RoomEvent>,
    /// The highest line sent through the room (0: none yet).
    last_line: Seq,
}

#[derive(Default)]
pub struct Rooms {
    rooms: Mutex<HashMap<ContactId, Room>>,
}

impl Rooms {
    fn with_room<T>(&self, contact: ContactId, f: impl FnOnce(&mut Room) -> T) -> T {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        f(rooms.entry(contact).or_insert_with(|| Room {
            sender: broadcast::channel(ROOM_CAPACITY).0,
            last_line: 0,
        }))
    }

    pub fn subscribe(&self, contact: ContactId) -> broadcast::Receiver<RoomEvent> {
        self.with_room(contact, |room| room.sender.subscribe())
    }

    pub fn send(&self, contact: ContactId, event: RoomEvent) {
        self.with_room(contact, |room| {
            if let RoomEvent::Line(line) = &event {
                room.last_line = room.last_line.max(line.seq);
            }
            let _ = room.sender.send(event);
        });
    }

    /// Whether a widget of the chat is connected to this process.
    pub fn has_widgets(&self, contact: ContactId) -> bool {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms
            .get(&contact)
            .is_some_and(|room| room.sender.receiver_count() > 0)
    }

    /// Every open room with the last line sent through it.
    pub fn open(&self) -> Vec<(ContactId, Seq)> {
        let rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        rooms
            .iter()
            .map(|(id, room)| (*id, room.last_line))
            .collect()
    }

    /// Tells the widgets the chat ended and forgets the room.
    pub fn close(&self, contact: ContactId) {
        let room = {
            let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
            rooms.remove(&contact)
        };
        if let Some(room) = room {
            let _ = room.sender.send(RoomEvent::Ended);
        }
    }
}

/// A shared handle.
pub type SharedRooms = Arc<Rooms>;
