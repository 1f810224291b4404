//! 评标委员会 — the panel a draw produced, from the invitation to the no-conflict declaration.
//!
//! Each seat starts with the drawn expert, invited. The expert confirms attendance and then signs
//! the 回避承诺 before seeing any bid; an expert who declines, does not confirm within the
//! confirmation window, or declares a conflict is replaced by the **next unused backup of the same
//! category, in the draw's published order** — a rule anyone can re-check from the public
//! `draw.replaced` entries (`check_replacements`). When a category's backups are used up the seat
//! stays vacant and the trading center draws again.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{CategoryDraw, Date, DomainError};

/// Why a seat changed hands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplacementReason {
    /// 专家拒绝参加 (the expert, on the platform).
    Declined,
    /// 交易中心记录的拒绝 (e.g. by telephone): shown apart, so that the public can tell.
    DeclineRecorded,
    /// 未在确认期限内确认.
    NoResponse,
    /// 专家声明存在应当回避的情形.
    Conflict,
}

impl ReplacementReason {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Declined => "专家拒绝参加",
            Self::DeclineRecorded => "交易中心记录专家不能参加",
            Self::NoResponse => "未在期限内确认",
            Self::Conflict => "声明需要回避",
        }
    }
}

/// Where a seat stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SeatStatus {
    /// 已通知，待确认.
    Invited,
    /// 已确认参加.
    Confirmed { at_ms: i64 },
    /// 已签署回避承诺: may see the lot's bids.
    Declared {
        at_ms: i64,
        /// SM3 of the declaration text the expert signed, hex.
        statement_sm3: String,
    },
    /// 空缺: the backups of the category are used up.
    Vacant,
}

impl SeatStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Confirmed { .. } => "confirmed",
            Self::Declared { .. } => "declared",
            Self::Vacant => "vacant",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Invited => "待确认",
            Self::Confirmed { .. } => "已确认参加",
            Self::Declared { .. } => "已签署回避承诺",
            Self::Vacant => "空缺（备选已用尽）",
        }
    }
}

/// One seat of the panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelSeat {
    pub category: String,
    /// The expert now in the seat (the last one, when vacant).
    pub pseudonym: String,
    pub status: SeatStatus,
    pub invited_at_ms: i64,
}

/// A category's backups in the draw's order, and how many are used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupQueue {
    pub category: String,
    pub order: Vec<String>,
    pub used: usize,
}

/// One replacement, as recorded (the detail is confidential; the public entry has the reason).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    pub category: String,
    pub out: String,
    /// `None`: no backup left.
    pub replacement: Option<String>,
    pub reason: ReplacementReason,
    pub detail: String,
    pub at_ms: i64,
}

/// The panel of one draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panel {
    pub draw: String,
    pub lot: String,
    pub procedure: String,
    pub tenderee: String,
    pub agency: Option<String>,
    pub evaluation_date: Date,
    /// How long an invited expert has to confirm.
    pub confirm_minutes: u32,
    pub seats: Vec<PanelSeat>,
    pub backups: Vec<BackupQueue>,
    pub replacements: Vec<Replacement>,
    /// The names were published (after the award).
    #[serde(default)]
    pub disclosed: bool,
    /// Each drawn or backup expert's id in this draw's public record (pseudonym → pool id): the
    /// public never learns the expert's lasting pseudonym, so draws cannot be linked.
    #[serde(default)]
    pub pool_ids: BTreeMap<String, String>,
    pub formed_at_ms: i64,
}

impl Panel {
    pub fn stream(draw: &str) -> String {
        format!("panel/{draw}")
    }

    /// The public id of an expert in this draw (the pseudonym itself when not mapped).
    pub fn pool_id(&self, pseudonym: &str) -> String {
        self.pool_ids
            .get(pseudonym)
            .cloned()
            .unwrap_or_else(|| pseudonym.to_string())
    }

    /// The pseudonym behind a pool id of this draw (or the argument, when it is a pseudonym).
    pub fn pseudonym_of(&self, id: &str) -> String {
        self.pool_ids
            .iter()
            .find(|(_, pool)| *pool == id)
            .map_or_else(|| id.to_string(), |(pseudonym, _)| pseudonym.clone())
    }

    /// The seat an expert holds now, if any.
    pub fn seat_of(&self, pseudonym: &str) -> Option<&PanelSeat> {
        self.seats
            .iter()
            .find(|s| s.pseudonym == pseudonym && s.status != SeatStatus::Vacant)
    }

    /// Whether the expert sits on the panel and signed the declaration: only then may they see
    /// the lot's bids.
    pub fn may_evaluate(&self, pseudonym: &str) -> bool {
        self.seat_of(pseudonym)
            .is_some_and(|s| matches!(s.status, SeatStatus::Declared { .. }))
    }

    /// Every expert who held a seat (drawn or replacement), in seat order then time.
    pub fn everyone_seated(&self) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        for pseudonym in self
            .seats
            .iter()
            .map(|s| &s.pseudonym)
            .chain(self.replacements.iter().map(|r| &r.out))
        {
            if !all.contains(pseudonym) {
                all.push(pseudonym.clone());
            }
        }
        all
    }

    /// Every seat is filled by an expert who signed the declaration.
    pub fn complete(&self) -> bool {
        self.seats
            .iter()
            .all(|s| matches!(s.status, SeatStatus::Declared { .. }))
    }

    fn next_backup(&self, category: &str) -> Option<String> {
        let queue = self.backups.iter().find(|q| q.category == category)?;
        queue.order.get(queue.used).cloned()
    }
}

/// What may be asked of a panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PanelCommand {
    Form {
        draw: String,
        lot: String,
        procedure: String,
        tenderee: String,
        agency: Option<String>,
        evaluation_date: Date,
        confirm_minutes: u32,
        /// By pseudonym.
        panels: Vec<CategoryDraw>,
        pool_ids: BTreeMap<String, String>,
    },
    Confirm {
        pseudonym: String,
    },
    Decline {
        pseudonym: String,
        reason: String,
        /// The trading center records it for the expert.
        by_center: bool,
    },
    /// The trading center, after the confirmation window: the expert did not answer.
    NoResponse {
        pseudonym: String,
    },
    /// 回避承诺: `conflict` names the situation when the expert must withdraw.
    Declare {
        pseudonym: String,
        statement_sm3: String,
        conflict: Option<String>,
    },
    Disclose,
}

/// What happened to a panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PanelEvent {
    Formed {
        draw: String,
        lot: String,
        procedure: String,
        tenderee: String,
        agency: Option<String>,
        evaluation_date: Date,
        confirm_minutes: u32,
        panels: Vec<CategoryDraw>,
        #[serde(default)]
        pool_ids: BTreeMap<String, String>,
        at_ms: i64,
    },
    Confirmed {
        pseudonym: String,
        at_ms: i64,
    },
    Declared {
        pseudonym: String,
        statement_sm3: String,
        at_ms: i64,
    },
    Replaced {
        replacement: Replacement,
    },
    Disclosed {
        at_ms: i64,
    },
}

impl PanelEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Formed { .. } => "panel.formed",
            Self::Confirmed { .. } => "panel.confirmed",
            Self::Declared { .. } => "panel.declared",
            Self::Replaced { .. } => "panel.replaced",
            Self::Disclosed { .. } => "panel.disclosed",
        }
    }
}

impl Panel {
    fn seat_mut(&mut self, pseudonym: &str) -> Option<&mut PanelSeat> {
        self.seats
            .iter_mut()
            .find(|s| s.pseudonym == pseudonym && s.status != SeatStatus::Vacant)
    }

    fn replace(
        &self,
        seat: &PanelSeat,
        reason: ReplacementReason,
        detail: String,
        now_ms: i64,
    ) -> PanelEvent {
        PanelEvent::Replaced {
            replacement: Replacement {
                category: seat.category.clone(),
                out: seat.pseudonym.clone(),
                replacement: self.next_backup(&seat.category),
                reason,
                detail,
                at_ms: now_ms,
            },
        }
    }
}

impl crate::Decider for Option<Panel> {
    type Command = PanelCommand;
    type Event = PanelEvent;

    fn decide(&self, command: PanelCommand, now_ms: i64) -> Result<Vec<PanelEvent>, DomainError> {
        if let PanelCommand::Form {
            draw,
            lot,
            procedure,
            tenderee,
            agency,
            evaluation_date,
            confirm_minutes,
            panels,
            pool_ids,
        } = command
        {
            if self.is_some() {
                return Err(DomainError::PanelExists);
            }
            return Ok(vec![PanelEvent::Formed {
                draw,
                lot,
                procedure,
                tenderee,
                agency,
                evaluation_date,
                confirm_minutes,
                panels,
                pool_ids,
                at_ms: now_ms,
            }]);
        }
        let panel = self.as_ref().ok_or(DomainError::PanelNotFound)?;
        if panel.disclosed {
            return Err(DomainError::PanelClosed);
        }
        let seat = |pseudonym: &str| panel.seat_of(pseudonym).ok_or(DomainError::NotOnPanel);
        match command {
            PanelCommand::Form { .. } => unreachable!("handled above"),
            PanelCommand::Confirm { pseudonym } => {
                let seat = seat(&pseudonym)?;
                if seat.status != SeatStatus::Invited {
                    return Err(DomainError::SeatNotInvited);
                }
                Ok(vec![PanelEvent::Confirmed {
                    pseudonym,
                    at_ms: now_ms,
                }])
            }
            PanelCommand::Decline {
                pseudonym,
                reason,
                by_center,
            } => {
                let seat = seat(&pseudonym)?;
                if matches!(seat.status, SeatStatus::Declared { .. }) {
                    return Err(DomainError::SeatAlreadyDeclared);
                }
                if reason.trim().is_empty() {
                    return Err(DomainError::ReasonRequired);
                }
                crate::fields::text_field("理由", &reason, 500)?;
                Ok(vec![panel.replace(
                    seat,
                    if by_center {
                        ReplacementReason::DeclineRecorded
                    } else {
                        ReplacementReason::Declined
                    },
                    reason.trim().to_string(),
                    now_ms,
                )])
            }
            PanelCommand::NoResponse { pseudonym } => {
                let seat = seat(&pseudonym)?;
                if seat.status != SeatStatus::Invited {
                    return Err(DomainError::SeatNotInvited);
                }
                let due = seat.invited_at_ms + i64::from(panel.confirm_minutes) * 60_000;
                if now_ms < due {
                    return Err(DomainError::ConfirmWindowOpen { due_ms: due });
                }
                Ok(vec![panel.replace(
                    seat,
                    ReplacementReason::NoResponse,
                    String::new(),
                    now_ms,
                )])
            }
            PanelCommand::Declare {
                pseudonym,
                statement_sm3,
                conflict,
            } => {
                let seat = seat(&pseudonym)?;
                match (&seat.status, &conflict) {
                    (SeatStatus::Confirmed { .. }, _) => {}
                    // A conflict found during the evaluation: the expert withdraws at once (the
                    // declaration's own promise).
                    (SeatStatus::Declared { .. }, Some(_)) => {}
                    (SeatStatus::Declared { .. }, None) => {
                        return Err(DomainError::SeatAlreadyDeclared);
                    }
                    _ => return Err(DomainError::SeatNotConfirmed),
                }
                match conflict.map(|c| c.trim().to_string()) {
                    Some(conflict) if !conflict.is_empty() => {
                        crate::fields::text_field("回避情形", &conflict, 500)?;
                        Ok(vec![panel.replace(
                            seat,
                            ReplacementReason::Conflict,
                            conflict,
                            now_ms,
                        )])
                    }
                    Some(_) => Err(DomainError::Required {
                        field: "回避情形"
                    }),
                    None => Ok(vec![PanelEvent::Declared {
                        pseudonym,
                        statement_sm3,
                        at_ms: now_ms,
                    }]),
                }
            }
            PanelCommand::Disclose => Ok(vec![PanelEvent::Disclosed { at_ms: now_ms }]),
        }
    }

    fn evolve(self, event: &PanelEvent) -> Self {
        if let PanelEvent::Formed {
            draw,
            lot,
            procedure,
            tenderee,
            agency,
            evaluation_date,
            confirm_minutes,
            panels,
            pool_ids,
            at_ms,
        } = event
        {
            return Some(Panel {
                draw: draw.clone(),
                lot: lot.clone(),
                procedure: procedure.clone(),
                tenderee: tenderee.clone(),
                agency: agency.clone(),
                evaluation_date: *evaluation_date,
                confirm_minutes: *confirm_minutes,
                seats: panels
                    .iter()
                    .flat_map(|p| {
                        p.experts.iter().map(|e| PanelSeat {
                            category: p.category.clone(),
                            pseudonym: e.clone(),
                            status: SeatStatus::Invited,
                            invited_at_ms: *at_ms,
                        })
                    })
                    .collect(),
                backups: panels
                    .iter()
                    .map(|p| BackupQueue {
                        category: p.category.clone(),
                        order: p.backups.clone(),
                        used: 0,
                    })
                    .collect(),
                replacements: Vec::new(),
                disclosed: false,
                pool_ids: pool_ids.clone(),
                formed_at_ms: *at_ms,
            });
        }
        let mut panel = self?;
        match event {
            PanelEvent::Formed { .. } => {}
            PanelEvent::Confirmed { pseudonym, at_ms } => {
                if let Some(seat) = panel.seat_mut(pseudonym) {
                    seat.status = SeatStatus::Confirmed { at_ms: *at_ms };
                }
            }
            PanelEvent::Declared {
                pseudonym,
                statement_sm3,
                at_ms,
            } => {
                if let Some(seat) = panel.seat_mut(pseudonym) {
                    seat.status = SeatStatus::Declared {
                        at_ms: *at_ms,
                        statement_sm3: statement_sm3.clone(),
                    };
                }
            }
            PanelEvent::Replaced { replacement } => {
                if replacement.replacement.is_some()
                    && let Some(queue) = panel
                        .backups
                        .iter_mut()
                        .find(|q| q.category == replacement.category)
                {
                    queue.used += 1;
                }
                if let Some(seat) = panel.seat_mut(&replacement.out) {
                    match &replacement.replacement {
                        Some(next) => {
                            seat.pseudonym = next.clone();
                            seat.status = SeatStatus::Invited;
                            seat.invited_at_ms = replacement.at_ms;
                        }
                        None => seat.status = SeatStatus::Vacant,
                    }
                }
                panel.replacements.push(replacement.clone());
            }
            PanelEvent::Disclosed { .. } => panel.disclosed = true,
        }
        Some(panel)
    }
}

/// The seats by category after the replacements: `None` is a vacant seat.
pub type FinalSeats = Vec<(String, Vec<Option<String>>)>;

/// A replacement as the public sees it (`draw.replaced`): pseudonyms and the reason only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicReplacement {
    pub category: String,
    pub out: String,
    pub replacement: Option<String>,
    pub reason: ReplacementReason,
}

/// Checks published replacements against the published draw: each replaced expert held a seat of
/// that category at the time, and each replacement is the next unused backup of the category in
/// the draw's order. Returns the final seats by category, or the first replacement that breaks
/// the rule (its index and why).
pub fn check_replacements(
    drawn: &[CategoryDraw],
    replacements: &[PublicReplacement],
) -> Result<FinalSeats, (usize, String)> {
    let mut seats: FinalSeats = drawn
        .iter()
        .map(|p| {
            (
                p.category.clone(),
                p.experts.iter().cloned().map(Some).collect(),
            )
        })
        .collect();
    let mut used: Vec<usize> = vec![0; drawn.len()];
    for (index, r) in replacements.iter().enumerate() {
        let Some(k) = drawn.iter().position(|p| p.category == r.category) else {
            return Err((index, format!("类别 {} 不在本次抽取中", r.category)));
        };
        let Some(slot) = seats[k]
            .1
            .iter()
            .position(|s| s.as_deref() == Some(r.out.as_str()))
        else {
            return Err((index, format!("{} 当时不在该类别的席位上", r.out)));
        };
        let next = drawn[k].backups.get(used[k]).cloned();
        if r.replacement != next {
            return Err((
                index,
                format!(
                    "替补应为按抽取顺序的下一名备选专家 {}",
                    next.as_deref().unwrap_or("（无，席位空缺）")
                ),
            ));
        }
        if next.is_some() {
            used[k] += 1;
        }
        seats[k].1[slot] = next;
    }
    Ok(seats)
}
