//! 评标室 — the platform's evaluation rooms and their bookings. The room list is public facility
//! information; bookings (which lot is evaluated where and when) are for the trading center and
//! oversight, and for the lot's experts and organiser through their own pages.

use domain::{Booking, DomainError, Procedure, RegionCode, Role, Room, RoomCommand, RoomSpec};
use serde::{Deserialize, Serialize};
use store::DocumentFilter;

use crate::tendering::tender::{parse_beijing_minute, procedure_of_lot};
use crate::witness::append::append;
use crate::witness::documents::{decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// A room as entered by the trading center.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRoom {
    pub code: String,
    pub name: String,
    pub region: String,
    #[serde(default)]
    pub address: String,
    pub capacity: u32,
    /// Separated by `、`, `,` or `;` in forms; a list in JSON.
    #[serde(default)]
    pub equipment: Vec<String>,
    #[serde(default)]
    pub shared: bool,
}

/// A booking request: the lot and Beijing times `YYYY-MM-DD HH:MM`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    pub lot: String,
    pub from: String,
    pub to: String,
    pub attendees: u32,
}

/// A room as shown; bookings only to the trading center and oversight.
#[derive(Clone, Debug, Serialize)]
pub struct RoomView {
    pub spec: RoomSpec,
    pub bookings: Vec<Booking>,
}

impl App {
    async fn room_command(
        &self,
        caller: &Caller,
        code: &str,
        command: RoomCommand,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let stream = Room::stream(code);
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let (decided, entries) =
            decide::<Option<Room>>(&mut tx, &stream, command, &caller.username, now).await?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("room command appended nothing".into()))?;
        project(&mut tx, &stream, &decided.after, last.seq).await?;
        tx.commit().await?;
        Ok(last)
    }

    /// 新增评标室.
    pub async fn add_room(&self, caller: &Caller, input: NewRoom) -> Result<Receipt, AppError> {
        let spec = RoomSpec {
            code: input.code.trim().to_string(),
            name: input.name.trim().to_string(),
            region: RegionCode::parse(&input.region)?,
            address: input.address.trim().to_string(),
            capacity: input.capacity,
            equipment: input
                .equipment
                .iter()
                .flat_map(|e| e.split(['、', ',', '，', ';', '；']))
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty())
                .collect(),
            shared: input.shared,
        };
        let code = spec.code.clone();
        self.room_command(
            caller,
            &code,
            RoomCommand::Add {
                spec,
                by: caller.username.clone(),
            },
        )
        .await
    }

    /// 预约评标室 for a lot's evaluation.
    pub async fn book_room(
        &self,
        caller: &Caller,
        code: &str,
        input: NewBooking,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let procedure: Procedure = self.load_procedure(procedure_of_lot(&input.lot)?).await?;
        procedure.lot(&input.lot).ok_or(DomainError::LotNotFound)?;
        let from_ms = parse_beijing_minute(&input.from)?;
        let to_ms = parse_beijing_minute(&input.to)?;
        // Unique even when a cancelled slot is booked again for the same lot.
        let id = format!("{}-{from_ms}-{}", input.lot, self.now_ms());
        self.room_command(
            caller,
            code,
            RoomCommand::Book {
                id,
                lot: input.lot.clone(),
                lot_region: procedure.draft.region.to_string(),
                from_ms,
                to_ms,
                attendees: input.attendees,
                by: caller.username.clone(),
            },
        )
        .await
    }

    /// 取消预约.
    pub async fn cancel_booking(
        &self,
        caller: &Caller,
        code: &str,
        booking: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        self.room_command(
            caller,
            code,
            RoomCommand::Cancel {
                id: booking.to_string(),
                reason: reason.to_string(),
            },
        )
        .await
    }

    /// Every room (public facts); with bookings for the trading center and oversight.
    pub async fn rooms(&self, caller: Option<&Caller>) -> Result<Vec<RoomView>, AppError> {
        let privileged =
            caller.is_some_and(|c| c.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]));
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "room",
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let mut rooms = Vec::new();
        for row in &rows.items {
            let room: Room = decode_state(&row.state)?;
            rooms.push(RoomView {
                bookings: if privileged {
                    room.live_bookings().into_iter().cloned().collect()
                } else {
                    Vec::new()
                },
                spec: room.spec,
            });
        }
        rooms.sort_by(|a, b| a.spec.code.cmp(&b.spec.code));
        Ok(rooms)
    }

    /// The live bookings of a lot: (room name, address, from, to).
    pub(crate) async fn rooms_for_lot(
        &self,
        lot: &str,
    ) -> Result<Vec<(String, String, i64, i64)>, AppError> {
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "room",
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let mut found = Vec::new();
        for row in &rows.items {
            let room: Room = decode_state(&row.state)?;
            for booking in room.live_bookings() {
                if booking.lot == lot {
                    found.push((
                        room.spec.name.clone(),
                        room.spec.address.clone(),
                        booking.from_ms,
                        booking.to_ms,
                    ));
                }
            }
        }
        Ok(found)
    }
}
