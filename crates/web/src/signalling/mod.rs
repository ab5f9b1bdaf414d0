//! Signalling of the video interviews' calls: a room per order, joined over WebSocket by
//! the order's applicant and its mission's officers, through which their browsers trade
//! offers, answers, ICE candidates and the hang-up. Nothing of the call itself passes here.
//!
//! [`SignalHub`] holds the rooms of the parties connected to this node. On SQLite (one node)
//! a message goes straight to the room; on PostgreSQL it is written to the database and
//! announced with `NOTIFY`, and every node's [`relay_forever`] hands it to its own parties,
//! so the two sides of a call may be connected to different nodes.

pub mod protocol;
pub mod socket;

use crate::state::AppState;
use chrono::Utc;
use lingshi_storage::Db;
use lingshi_storage::signals::{self, Signal};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::broadcast;

/// How many messages a slow party may fall behind before it misses some.
const ROOM_BACKLOG: usize = 64;
/// How long relayed messages are kept in the database.
const KEEP: chrono::Duration = chrono::Duration::minutes(5);

/// The rooms of this node's connected parties.
#[derive(Default)]
pub struct SignalHub {
    rooms: Mutex<HashMap<String, broadcast::Sender<Signal>>>,
}

impl SignalHub {
    /// Joins `room`: every message sent to it from now on, by anyone, on any node.
    pub fn subscribe(&self, room: &str) -> broadcast::Receiver<Signal> {
        let mut rooms = self.rooms.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        rooms.entry(room.to_owned()).or_insert_with(|| broadcast::channel(ROOM_BACKLOG).0).subscribe()
    }

    /// Forgets `room` if nobody on this node is in it any more (a party left).
    pub fn leave(&self, room: &str) {
        let mut rooms = self.rooms.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if rooms.get(room).is_some_and(|sender| sender.receiver_count() == 0) {
            rooms.remove(room);
        }
    }

    /// Hands `signal` to this node's parties in its room; forgets rooms nobody is in.
    fn deliver(&self, signal: Signal) {
        let mut rooms = self.rooms.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(room) = rooms.get(&signal.room) {
            let room_name = signal.room.clone();
            if room.send(signal).is_err() {
                rooms.remove(&room_name);
            }
        }
    }
}

/// Sends `signal` to its room, on every node.
pub async fn publish(state: &AppState, signal: Signal) -> Result<(), lingshi_storage::StorageError> {
    match &state.db {
        Db::Sqlite(_) => {
            state.signals.deliver(signal);
            Ok(())
        }
        Db::Postgres(pool) => {
            let now = Utc::now();
            signals::publish(pool, &signal, now, now - KEEP).await
        }
    }
}

/// On PostgreSQL, listens for the messages of every node and hands each to this node's
/// parties, reconnecting after a lost connection; on SQLite there is nothing to relay.
pub async fn relay_forever(state: AppState) {
    let Db::Postgres(pool) = state.db.clone() else { return };
    loop {
        match signals::listen(&pool).await {
            Ok(mut listener) => loop {
                let notification = match listener.recv().await {
                    Ok(notification) => notification,
                    Err(error) => {
                        tracing::warn!(error.cause = %error, "signal relay: listener lost; reconnecting");
                        break;
                    }
                };
                let Ok(id) = notification.payload().parse::<i64>() else { continue };
                match signals::read(&pool, id).await {
                    Ok(Some(signal)) => state.signals.deliver(signal),
                    Ok(None) => {}
                    Err(error) => tracing::warn!(error.cause = %error.diagnostic(), "signal relay: read failed"),
                }
            },
            Err(error) => tracing::warn!(error.cause = %error.diagnostic(), "signal relay: cannot listen"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(room: &str, body: &str) -> Signal {
        Signal { room: room.into(), sender: "officer:1".into(), body: body.into() }
    }

    #[test]
    fn a_room_hands_messages_to_its_parties_and_is_forgotten_when_they_leave() {
        let hub = SignalHub::default();
        let mut party = hub.subscribe("order-1");
        let mut other_room = hub.subscribe("order-2");
        hub.deliver(signal("order-1", "{}"));
        assert_eq!(party.try_recv().map(|s| s.body), Ok("{}".to_owned()));
        assert!(other_room.try_recv().is_err(), "rooms are apart");
        hub.leave("order-1");
        assert_eq!(hub.rooms.lock().map(|r| r.len()).unwrap_or(0), 2, "still someone in it");
        drop(party);
        hub.leave("order-1");
        assert!(!hub.rooms.lock().map(|r| r.contains_key("order-1")).unwrap_or(true), "forgotten");
    }
}
