//! 开标密钥仪式 — the dealer-less key ceremony (joint Feldman, `sealed-bids.md` §3) that makes one
//! epoch's opening key among n key holders with threshold k. The platform only relays: each
//! holder joins with its own SM2 key, deals Feldman commitments and shares encrypted to the other
//! holders, and confirms the shares it received (or complains, which fails the ceremony). The
//! application checks every signature and computes the public key from the commitments; nobody
//! ever holds the private key.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{Decider, DomainError};

/// A seat in the ceremony, named when it is opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    /// 1..=n; the share's x-coordinate.
    pub index: u32,
    /// The account that holds the seat.
    pub account: String,
    /// e.g. 交易中心, 行政监督部门, 公证机构.
    pub label: String,
    /// The holder's own SM2 public key (hex): shares are encrypted to it, its messages signed by it.
    pub public_key: Option<String>,
    /// Feldman commitments A_i0..A_i,k-1 (hex).
    pub commitments: Option<Vec<String>>,
    /// Shares for the other holders: (recipient index, SM2 ciphertext hex).
    #[serde(default)]
    pub shares: Vec<(u32, String)>,
    pub confirmed: bool,
}

/// The key the ceremony made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DerivedKey {
    /// P = Σ A_i0, hex.
    pub public_key: String,
    /// V_j for every seat, in seat order, hex.
    pub verification_keys: Vec<(u32, String)>,
}

/// Where a ceremony stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CeremonyStatus {
    /// Waiting for every holder to join with its key.
    Joining,
    /// Waiting for every holder's commitments and shares.
    Dealing,
    /// Waiting for every holder to confirm the shares it received.
    Confirming,
    /// The opening key is ready.
    Active { key: DerivedKey },
    /// A holder complained (or the operator cancelled); open a new ceremony.
    Failed { reason: String },
}

impl CeremonyStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Joining => "joining",
            Self::Dealing => "dealing",
            Self::Confirming => "confirming",
            Self::Active { .. } => "active",
            Self::Failed { .. } => "failed",
        }
    }
}

/// A ceremony as its events describe it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ceremony {
    pub id: String,
    pub threshold: u32,
    pub seats: Vec<Seat>,
    pub status: CeremonyStatus,
    pub opened_by: String,
    pub opened_at_ms: i64,
}

impl Ceremony {
    pub fn stream(id: &str) -> String {
        format!("ceremony/{id}")
    }

    pub fn seat(&self, index: u32) -> Option<&Seat> {
        self.seats.iter().find(|s| s.index == index)
    }

    fn seat_of(&self, index: u32, account: &str) -> Result<&Seat, DomainError> {
        match self.seat(index) {
            Some(seat) if seat.account == account => Ok(seat),
            _ => Err(DomainError::NotKeyHolder),
        }
    }
}

/// What may be asked of a ceremony.
#[derive(Clone, Debug, PartialEq)]
pub enum CeremonyCommand {
    Open {
        id: String,
        threshold: u32,
        seats: Vec<(u32, String, String)>,
        by: String,
    },
    Join {
        index: u32,
        account: String,
        public_key: String,
    },
    /// Commitments and encrypted shares (the application has checked the holder's signature).
    Deal {
        index: u32,
        account: String,
        commitments: Vec<String>,
        shares: Vec<(u32, String)>,
    },
    /// The holder checked every share it received against the dealers' commitments. `key` is
    /// what the commitments give (computed by the application).
    Confirm {
        index: u32,
        account: String,
        key: DerivedKey,
    },
    /// A share did not match its dealer's commitments.
    Complain {
        index: u32,
        account: String,
        against: u32,
        reason: String,
    },
}

/// What happened in a ceremony.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CeremonyEvent {
    Opened {
        id: String,
        threshold: u32,
        seats: Vec<(u32, String, String)>,
        by: String,
        at_ms: i64,
    },
    Joined {
        index: u32,
        public_key: String,
        at_ms: i64,
    },
    Dealt {
        index: u32,
        commitments: Vec<String>,
        shares: Vec<(u32, String)>,
        at_ms: i64,
    },
    Confirmed {
        index: u32,
        at_ms: i64,
    },
    Completed {
        key: DerivedKey,
        at_ms: i64,
    },
    Failed {
        reason: String,
        at_ms: i64,
    },
}

impl CeremonyEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Opened { .. } => "ceremony.opened",
            Self::Joined { .. } => "ceremony.joined",
            Self::Dealt { .. } => "ceremony.dealt",
            Self::Confirmed { .. } => "ceremony.confirmed",
            Self::Completed { .. } => "ceremony.completed",
            Self::Failed { .. } => "ceremony.failed",
        }
    }
}

/// Largest number of holders.
pub const MAX_HOLDERS: u32 = 9;

fn ceremony_id(id: &str) -> Result<(), DomainError> {
    let ok = (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(DomainError::CeremonyId)
    }
}

impl Decider for Option<Ceremony> {
    type Command = CeremonyCommand;
    type Event = CeremonyEvent;

    fn decide(
        &self,
        command: CeremonyCommand,
        now_ms: i64,
    ) -> Result<Vec<CeremonyEvent>, DomainError> {
        if let CeremonyCommand::Open {
            id,
            threshold,
            seats,
            by,
        } = command
        {
            if self.is_some() {
                return Err(DomainError::CeremonyExists);
            }
            ceremony_id(&id)?;
            let n = seats.len() as u32;
            if !(2..=MAX_HOLDERS).contains(&n) || !(2..=n).contains(&threshold) {
                return Err(DomainError::CeremonyShape { max: MAX_HOLDERS });
            }
            let indices: BTreeSet<u32> = seats.iter().map(|s| s.0).collect();
            let accounts: BTreeSet<&str> = seats.iter().map(|s| s.1.as_str()).collect();
            if indices != (1..=n).collect() || accounts.len() != seats.len() {
                return Err(DomainError::CeremonyShape { max: MAX_HOLDERS });
            }
            return Ok(vec![CeremonyEvent::Opened {
                id,
                threshold,
                seats,
                by,
                at_ms: now_ms,
            }]);
        }
        let ceremony = self.as_ref().ok_or(DomainError::CeremonyNotFound)?;
        let wrong_step = || DomainError::CeremonyStep {
            status: ceremony.status.as_str().to_string(),
        };
        match command {
            CeremonyCommand::Open { .. } => unreachable!("handled above"),
            CeremonyCommand::Join {
                index,
                account,
                public_key,
            } => {
                if ceremony.status != CeremonyStatus::Joining {
                    return Err(wrong_step());
                }
                let seat = ceremony.seat_of(index, &account)?;
                if seat.public_key.is_some() {
                    return Err(DomainError::CeremonyAlreadyDone);
                }
                if ceremony
                    .seats
                    .iter()
                    .any(|s| s.public_key.as_deref() == Some(public_key.as_str()))
                {
                    // One key in two seats would give its holder two shares.
                    return Err(DomainError::CeremonyMessage);
                }
                Ok(vec![CeremonyEvent::Joined {
                    index,
                    public_key,
                    at_ms: now_ms,
                }])
            }
            CeremonyCommand::Deal {
                index,
                account,
                commitments,
                shares,
            } => {
                if ceremony.status != CeremonyStatus::Dealing {
                    return Err(wrong_step());
                }
                let seat = ceremony.seat_of(index, &account)?;
                if seat.commitments.is_some() {
                    return Err(DomainError::CeremonyAlreadyDone);
                }
                if commitments.len() != ceremony.threshold as usize {
                    return Err(DomainError::CeremonyMessage);
                }
                let recipients: BTreeSet<u32> = shares.iter().map(|s| s.0).collect();
                let expected: BTreeSet<u32> = ceremony
                    .seats
                    .iter()
                    .map(|s| s.index)
                    .filter(|j| *j != index)
                    .collect();
                if recipients != expected || shares.len() != expected.len() {
                    return Err(DomainError::CeremonyMessage);
                }
                Ok(vec![CeremonyEvent::Dealt {
                    index,
                    commitments,
                    shares,
                    at_ms: now_ms,
                }])
            }
            CeremonyCommand::Confirm {
                index,
                account,
                key,
            } => {
                if ceremony.status != CeremonyStatus::Confirming {
                    return Err(wrong_step());
                }
                let seat = ceremony.seat_of(index, &account)?;
                if seat.confirmed {
                    return Err(DomainError::CeremonyAlreadyDone);
                }
                let mut events = vec![CeremonyEvent::Confirmed {
                    index,
                    at_ms: now_ms,
                }];
                let others_done = ceremony
                    .seats
                    .iter()
                    .all(|s| s.index == index || s.confirmed);
                if others_done {
                    events.push(CeremonyEvent::Completed { key, at_ms: now_ms });
                }
                Ok(events)
            }
            CeremonyCommand::Complain {
                index,
                account,
                against,
                reason,
            } => {
                if !matches!(
                    ceremony.status,
                    CeremonyStatus::Confirming | CeremonyStatus::Dealing
                ) {
                    return Err(wrong_step());
                }
                ceremony.seat_of(index, &account)?;
                if ceremony.seat(against).is_none() || against == index {
                    return Err(DomainError::NotKeyHolder);
                }
                crate::fields::text_field("理由", &reason, 500)?;
                Ok(vec![CeremonyEvent::Failed {
                    reason: format!("第{index}号持有人投诉第{against}号持有人：{reason}"),
                    at_ms: now_ms,
                }])
            }
        }
    }

    fn evolve(self, event: &CeremonyEvent) -> Self {
        if let CeremonyEvent::Opened {
            id,
            threshold,
            seats,
            by,
            at_ms,
        } = event
        {
            return Some(Ceremony {
                id: id.clone(),
                threshold: *threshold,
                seats: seats
                    .iter()
                    .map(|(index, account, label)| Seat {
                        index: *index,
                        account: account.clone(),
                        label: label.clone(),
                        public_key: None,
                        commitments: None,
                        shares: Vec::new(),
                        confirmed: false,
                    })
                    .collect(),
                status: CeremonyStatus::Joining,
                opened_by: by.clone(),
                opened_at_ms: *at_ms,
            });
        }
        let mut ceremony = self?;
        match event {
            CeremonyEvent::Opened { .. } => {}
            CeremonyEvent::Joined {
                index, public_key, ..
            } => {
                if let Some(seat) = ceremony.seats.iter_mut().find(|s| s.index == *index) {
                    seat.public_key = Some(public_key.clone());
                }
                if ceremony.seats.iter().all(|s| s.public_key.is_some()) {
                    ceremony.status = CeremonyStatus::Dealing;
                }
            }
            CeremonyEvent::Dealt {
                index,
                commitments,
                shares,
                ..
            } => {
                if let Some(seat) = ceremony.seats.iter_mut().find(|s| s.index == *index) {
                    seat.commitments = Some(commitments.clone());
                    seat.shares = shares.clone();
                }
                if ceremony.seats.iter().all(|s| s.commitments.is_some()) {
                    ceremony.status = CeremonyStatus::Confirming;
                }
            }
            CeremonyEvent::Confirmed { index, .. } => {
                if let Some(seat) = ceremony.seats.iter_mut().find(|s| s.index == *index) {
                    seat.confirmed = true;
                }
            }
            CeremonyEvent::Completed { key, .. } => {
                ceremony.status = CeremonyStatus::Active { key: key.clone() };
            }
            CeremonyEvent::Failed { reason, .. } => {
                ceremony.status = CeremonyStatus::Failed {
                    reason: reason.clone(),
                };
            }
        }
        Some(ceremony)
    }
}
