//! 投标保证金 / 电子保函 — a bidder's bond for one lot: paid by transfer (confirmed by the trading
//! center against its account) or guaranteed by an electronic guarantee (电子保函) whose issuer's
//! signature the application checks. Where the tender asks for a bond, a bid is accepted only with
//! a bond held for at least the amount. After the award the bonds are refunded within the rule
//! set's period, with the interest the rules owe (a transferred bond's deposit interest for
//! construction; late-payment interest for procurement).

use serde::{Deserialize, Serialize};

use crate::{DomainError, EntityId};

const DAY_MS: i64 = 86_400_000;

/// How the bond is given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum BondForm {
    /// 转账 from the bidder's basic account; `reference` is the bank's transaction number.
    Transfer { reference: String },
    /// 电子保函: issuer, number, the issuer certificate's fingerprint, valid until (a date).
    Guarantee {
        issuer: String,
        number: String,
        certificate: String,
        valid_until: crate::Date,
    },
}

/// The account a transfer came from, as the bank's arrival record shows it: a keyed digest of
/// the account number (equal accounts, equal tags; the number itself is not kept) and its last
/// four digits for people to read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payer {
    pub tag: String,
    pub tail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BondStatus {
    /// A transfer the trading center has not yet confirmed.
    Pending,
    /// 已缴纳 / 保函有效.
    Held,
    /// 已退还, with the interest paid, and whether later than due.
    Refunded {
        at_ms: i64,
        interest_fen: i64,
        late: bool,
    },
    /// 不予退还 (e.g. withdrawal after the deadline, 20号令 第31条), with the reason.
    Forfeited { reason: String },
}

impl BondStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Held => "held",
            Self::Refunded { .. } => "refunded",
            Self::Forfeited { .. } => "forfeited",
        }
    }
}

/// One bidder's bond for one lot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bond {
    pub lot: String,
    pub bidder: EntityId,
    pub amount_fen: i64,
    pub form: BondForm,
    pub status: BondStatus,
    pub recorded_at_ms: i64,
    /// When the money or the guarantee became effective.
    pub held_since_ms: Option<i64>,
    /// The account a transfer came from, when the trading center recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<Payer>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BondCommand {
    /// The bidder records its bond; a checked guarantee is held at once, a transfer waits for
    /// the trading center's confirmation.
    Record {
        lot: String,
        bidder: EntityId,
        amount_fen: i64,
        required_fen: i64,
        form: BondForm,
    },
    /// The trading center confirms a transfer arrived (from `payer`, when the bank names it).
    Confirm {
        payer: Option<Payer>,
    },
    /// 退还, with the interest computed by `bond_interest`, due at `due_ms`.
    Refund {
        interest_fen: i64,
        due_ms: i64,
    },
    Forfeit {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum BondEvent {
    Recorded {
        lot: String,
        bidder: EntityId,
        amount_fen: i64,
        form: BondForm,
        held: bool,
        at_ms: i64,
    },
    Confirmed {
        at_ms: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payer: Option<Payer>,
    },
    Refunded {
        interest_fen: i64,
        late: bool,
        at_ms: i64,
    },
    Forfeited {
        reason: String,
        at_ms: i64,
    },
}

impl BondEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Recorded { .. } => "bond.recorded",
            Self::Confirmed { .. } => "bond.confirmed",
            Self::Refunded { .. } => "bond.refunded",
            Self::Forfeited { .. } => "bond.forfeited",
        }
    }
}

/// Simple interest on `amount_fen` at `rate_bp` a year for the whole days from `from_ms` to
/// `to_ms` (365-day year), rounded half up to the 分.
pub fn bond_interest(amount_fen: i64, rate_bp: i64, from_ms: i64, to_ms: i64) -> i64 {
    let days = ((to_ms - from_ms).max(0) / DAY_MS) as i128;
    let numerator = i128::from(amount_fen) * i128::from(rate_bp) * days;
    let denominator = 10_000i128 * 365;
    ((numerator * 2 + denominator) / (2 * denominator)) as i64
}

impl crate::Decider for Option<Bond> {
    type Command = BondCommand;
    type Event = BondEvent;

    fn decide(&self, command: BondCommand, now_ms: i64) -> Result<Vec<BondEvent>, DomainError> {
        match command {
            BondCommand::Record {
                lot,
                bidder,
                amount_fen,
                required_fen,
                form,
            } => {
                // A transfer not yet confirmed may be corrected (or replaced by a guarantee).
                if let Some(bond) = self
                    && !matches!(
                        bond.status,
                        BondStatus::Refunded { .. } | BondStatus::Pending
                    )
                {
                    return Err(DomainError::BondExists);
                }
                crate::fields::amount_field("保证金金额", amount_fen)?;
                if amount_fen < required_fen {
                    return Err(DomainError::BondTooSmall {
                        required: crate::centi_text(required_fen),
                    });
                }
                let held = match &form {
                    BondForm::Transfer { reference } => {
                        if reference.trim().is_empty() {
                            return Err(DomainError::Required {
                                field: "银行交易流水号",
                            });
                        }
                        crate::fields::text_field("银行交易流水号", reference, 64)?;
                        false
                    }
                    BondForm::Guarantee { .. } => true,
                };
                Ok(vec![BondEvent::Recorded {
                    lot,
                    bidder,
                    amount_fen,
                    form,
                    held,
                    at_ms: now_ms,
                }])
            }
            BondCommand::Confirm { payer } => {
                let bond = self.as_ref().ok_or(DomainError::BondNotFound)?;
                if bond.status != BondStatus::Pending {
                    return Err(DomainError::BondStep);
                }
                Ok(vec![BondEvent::Confirmed {
                    at_ms: now_ms,
                    payer,
                }])
            }
            BondCommand::Refund {
                interest_fen,
                due_ms,
            } => {
                let bond = self.as_ref().ok_or(DomainError::BondNotFound)?;
                if bond.status != BondStatus::Held {
                    return Err(DomainError::BondStep);
                }
                Ok(vec![BondEvent::Refunded {
                    interest_fen,
                    late: now_ms > due_ms,
                    at_ms: now_ms,
                }])
            }
            BondCommand::Forfeit { reason } => {
                let bond = self.as_ref().ok_or(DomainError::BondNotFound)?;
                if !matches!(bond.status, BondStatus::Held | BondStatus::Pending) {
                    return Err(DomainError::BondStep);
                }
                if reason.trim().is_empty() {
                    return Err(DomainError::ReasonRequired);
                }
                Ok(vec![BondEvent::Forfeited {
                    reason: reason.trim().to_string(),
                    at_ms: now_ms,
                }])
            }
        }
    }

    fn evolve(self, event: &BondEvent) -> Self {
        match event {
            BondEvent::Recorded {
                lot,
                bidder,
                amount_fen,
                form,
                held,
                at_ms,
            } => Some(Bond {
                lot: lot.clone(),
                bidder: bidder.clone(),
                amount_fen: *amount_fen,
                form: form.clone(),
                status: if *held {
                    BondStatus::Held
                } else {
                    BondStatus::Pending
                },
                recorded_at_ms: *at_ms,
                held_since_ms: held.then_some(*at_ms),
                payer: None,
            }),
            BondEvent::Confirmed { at_ms, payer } => {
                let mut bond = self?;
                bond.status = BondStatus::Held;
                bond.held_since_ms = Some(*at_ms);
                bond.payer = payer.clone();
                Some(bond)
            }
            BondEvent::Refunded {
                interest_fen,
                late,
                at_ms,
            } => {
                let mut bond = self?;
                bond.status = BondStatus::Refunded {
                    at_ms: *at_ms,
                    interest_fen: *interest_fen,
                    late: *late,
                };
                Some(bond)
            }
            BondEvent::Forfeited { reason, .. } => {
                let mut bond = self?;
                bond.status = BondStatus::Forfeited {
                    reason: reason.clone(),
                };
                Some(bond)
            }
        }
    }
}

/// An institution the trading center accepts electronic guarantees from (电子保函机构名录).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guarantor {
    /// 统一社会信用代码 (the subject code of its signing certificate).
    pub uscc: String,
    pub name: String,
    pub approved: bool,
    pub by: String,
    pub at_ms: i64,
}

impl Guarantor {
    pub fn stream(uscc: &str) -> String {
        format!("guarantor/{uscc}")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuarantorCommand {
    Approve {
        uscc: crate::Uscc,
        name: String,
        by: String,
    },
    Withdraw {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum GuarantorEvent {
    Approved {
        uscc: String,
        name: String,
        by: String,
        at_ms: i64,
    },
    Withdrawn {
        reason: String,
        at_ms: i64,
    },
}

impl GuarantorEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Approved { .. } => "guarantor.approved",
            Self::Withdrawn { .. } => "guarantor.withdrawn",
        }
    }
}

impl crate::Decider for Option<Guarantor> {
    type Command = GuarantorCommand;
    type Event = GuarantorEvent;

    fn decide(
        &self,
        command: GuarantorCommand,
        now_ms: i64,
    ) -> Result<Vec<GuarantorEvent>, DomainError> {
        match command {
            GuarantorCommand::Approve { uscc, name, by } => {
                if self.as_ref().is_some_and(|g| g.approved) {
                    return Err(DomainError::NothingChanged);
                }
                if name.trim().is_empty() {
                    return Err(DomainError::Required {
                        field: "机构名称"
                    });
                }
                crate::fields::text_field("机构名称", &name, 100)?;
                Ok(vec![GuarantorEvent::Approved {
                    uscc: uscc.to_string(),
                    name: name.trim().to_string(),
                    by,
                    at_ms: now_ms,
                }])
            }
            GuarantorCommand::Withdraw { reason } => {
                if !self.as_ref().is_some_and(|g| g.approved) {
                    return Err(DomainError::NothingChanged);
                }
                if reason.trim().is_empty() {
                    return Err(DomainError::ReasonRequired);
                }
                Ok(vec![GuarantorEvent::Withdrawn {
                    reason: reason.trim().to_string(),
                    at_ms: now_ms,
                }])
            }
        }
    }

    fn evolve(self, event: &GuarantorEvent) -> Self {
        match event {
            GuarantorEvent::Approved {
                uscc,
                name,
                by,
                at_ms,
            } => Some(Guarantor {
                uscc: uscc.clone(),
                name: name.clone(),
                approved: true,
                by: by.clone(),
                at_ms: *at_ms,
            }),
            GuarantorEvent::Withdrawn { at_ms, .. } => {
                let mut guarantor = self?;
                guarantor.approved = false;
                guarantor.at_ms = *at_ms;
                Some(guarantor)
            }
        }
    }
}
