//! 评标室 — standard evaluation rooms with capacity and equipment, booked for evaluations. A room
//! is never booked twice for overlapping times; a room marked shared (评标场所共享) may be booked
//! for a lot of any region of the platform, otherwise only for lots of its own city.

use serde::{Deserialize, Serialize};

use crate::{DomainError, RegionCode};

/// A booking of a room for an evaluation, `[from_ms, to_ms)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub id: String,
    /// The lot evaluated (统一交易标识码).
    pub lot: String,
    /// The region of the lot's procedure.
    pub lot_region: String,
    pub from_ms: i64,
    pub to_ms: i64,
    pub attendees: u32,
    pub by: String,
    pub at_ms: i64,
    #[serde(default)]
    pub cancelled: Option<String>,
}

impl Booking {
    pub fn overlaps(&self, from_ms: i64, to_ms: i64) -> bool {
        self.cancelled.is_none() && self.from_ms < to_ms && from_ms < self.to_ms
    }
}

/// A room's description.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSpec {
    /// e.g. `HZ-PB-03`.
    pub code: String,
    pub name: String,
    pub region: RegionCode,
    pub address: String,
    pub capacity: u32,
    /// e.g. 录音录像, 电子评标终端, 屏蔽设备.
    pub equipment: Vec<String>,
    /// Bookable for lots of every region.
    pub shared: bool,
}

impl RoomSpec {
    pub fn validate(&self) -> Result<(), DomainError> {
        let code_ok = (2..=32).contains(&self.code.len())
            && self
                .code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !code_ok {
            return Err(DomainError::RoomCode);
        }
        if self.name.trim().is_empty() {
            return Err(DomainError::Required {
                field: "评标室名称",
            });
        }
        crate::fields::text_field("评标室名称", &self.name, 60)?;
        crate::fields::text_field("地址", &self.address, 200)?;
        if self.capacity == 0 || self.capacity > 500 {
            return Err(DomainError::RoomCapacityRange);
        }
        for item in &self.equipment {
            crate::fields::text_field("设备", item, 60)?;
        }
        Ok(())
    }
}

/// A room and its bookings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub spec: RoomSpec,
    pub bookings: Vec<Booking>,
    pub added_by: String,
    pub added_at_ms: i64,
}

impl Room {
    pub fn stream(code: &str) -> String {
        format!("room/{code}")
    }

    /// Whether a lot of `region` may use the room: a shared room serves every region, another
    /// only its own city (the first four digits of the region code).
    pub fn serves(&self, region: &str) -> bool {
        self.spec.shared || region.get(..4) == self.spec.region.to_string().get(..4)
    }

    /// The live bookings, earliest first.
    pub fn live_bookings(&self) -> Vec<&Booking> {
        let mut live: Vec<&Booking> = self
            .bookings
            .iter()
            .filter(|b| b.cancelled.is_none())
            .collect();
        live.sort_by_key(|b| b.from_ms);
        live
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoomCommand {
    Add {
        spec: RoomSpec,
        by: String,
    },
    Book {
        id: String,
        lot: String,
        lot_region: String,
        from_ms: i64,
        to_ms: i64,
        attendees: u32,
        by: String,
    },
    Cancel {
        id: String,
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RoomEvent {
    Added {
        spec: RoomSpec,
        by: String,
        at_ms: i64,
    },
    Booked {
        booking: Booking,
    },
    Cancelled {
        id: String,
        reason: String,
        at_ms: i64,
    },
}

impl RoomEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Added { .. } => "room.added",
            Self::Booked { .. } => "room.booked",
            Self::Cancelled { .. } => "room.cancelled",
        }
    }
}

impl crate::Decider for Option<Room> {
    type Command = RoomCommand;
    type Event = RoomEvent;

    fn decide(&self, command: RoomCommand, now_ms: i64) -> Result<Vec<RoomEvent>, DomainError> {
        match command {
            RoomCommand::Add { spec, by } => {
                if self.is_some() {
                    return Err(DomainError::RoomExists);
                }
                spec.validate()?;
                Ok(vec![RoomEvent::Added {
                    spec,
                    by,
                    at_ms: now_ms,
                }])
            }
            RoomCommand::Book {
                id,
                lot,
                lot_region,
                from_ms,
                to_ms,
                attendees,
                by,
            } => {
                let room = self.as_ref().ok_or(DomainError::RoomNotFound)?;
                if to_ms <= from_ms || from_ms < now_ms || to_ms - from_ms > 3 * 86_400_000 {
                    return Err(DomainError::BookingTimes);
                }
                if attendees == 0 || attendees > room.spec.capacity {
                    return Err(DomainError::RoomTooSmall {
                        capacity: room.spec.capacity,
                    });
                }
                if !room.serves(&lot_region) {
                    return Err(DomainError::RoomNotShared);
                }
                if room.bookings.iter().any(|b| b.id == id) {
                    return Err(DomainError::BookingTimes);
                }
                if let Some(clash) = room.bookings.iter().find(|b| b.overlaps(from_ms, to_ms)) {
                    return Err(DomainError::RoomDoubleBooked {
                        lot: clash.lot.clone(),
                        from_ms: clash.from_ms,
                        to_ms: clash.to_ms,
                    });
                }
                Ok(vec![RoomEvent::Booked {
                    booking: Booking {
                        id,
                        lot,
                        lot_region,
                        from_ms,
                        to_ms,
                        attendees,
                        by,
                        at_ms: now_ms,
                        cancelled: None,
                    },
                }])
            }
            RoomCommand::Cancel { id, reason } => {
                let room = self.as_ref().ok_or(DomainError::RoomNotFound)?;
                if reason.trim().is_empty() {
                    return Err(DomainError::ReasonRequired);
                }
                crate::fields::text_field("理由", &reason, 500)?;
                let booking = room
                    .bookings
                    .iter()
                    .find(|b| b.id == id && b.cancelled.is_none())
                    .ok_or(DomainError::BookingNotFound)?;
                if booking.to_ms <= now_ms {
                    return Err(DomainError::BookingNotFound);
                }
                Ok(vec![RoomEvent::Cancelled {
                    id,
                    reason: reason.trim().to_string(),
                    at_ms: now_ms,
                }])
            }
        }
    }

    fn evolve(self, event: &RoomEvent) -> Self {
        match event {
            RoomEvent::Added { spec, by, at_ms } => Some(Room {
                spec: spec.clone(),
                bookings: Vec::new(),
                added_by: by.clone(),
                added_at_ms: *at_ms,
            }),
            RoomEvent::Booked { booking } => {
                let mut room = self?;
                room.bookings.push(booking.clone());
                Some(room)
            }
            RoomEvent::Cancelled { id, reason, .. } => {
                let mut room = self?;
                if let Some(b) = room
                    .bookings
                    .iter_mut()
                    .find(|b| &b.id == id && b.cancelled.is_none())
                {
                    b.cancelled = Some(reason.clone());
                }
                Some(room)
            }
        }
    }
}
