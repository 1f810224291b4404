//! 投标 — one bidder's part in one lot: registration (报名), the tender documents' download, the
//! sealed envelope submitted, replaced or withdrawn before the deadline. A bid at or after the
//! deadline is refused; the millisecond of the deadline itself is already too late.

use serde::{Deserialize, Serialize};

use crate::{Decider, DomainError, EntityId};

/// What the procedure says about the lot at the moment of the command (from its state).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotTerms {
    pub lot: String,
    pub deadline_ms: i64,
    /// The procedure is published and the lot is still taking bids (before any deadline check).
    pub bidding: bool,
    /// For an invited tender, whether this bidder is invited.
    pub invited: bool,
    /// The bidder is active (not suspended or barred) today.
    pub bidder_may_trade: bool,
}

impl LotTerms {
    fn check_open(&self, now_ms: i64) -> Result<(), DomainError> {
        if !self.bidding {
            return Err(DomainError::LotNotBidding);
        }
        if now_ms >= self.deadline_ms {
            return Err(DomainError::BidTooLate);
        }
        Ok(())
    }
}

/// A sealed envelope as the platform received it. Nothing here reveals the bid's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedEnvelope {
    /// The envelope's digest, hex: SM3 of its magic and signed header lines, which commit to the
    /// encrypted package through `ciphertext_sm3` (the blob's key).
    pub sm3: String,
    pub size: u64,
    /// The wrapped data key (raw SM2 C1 ‖ C3 ‖ C2, hex), encrypted to the lot's opening key.
    pub wrapped_key: String,
    /// SM3 fingerprint of the signing certificate, hex.
    pub certificate: String,
    /// The authoring machine's fingerprint from the envelope header, hex.
    pub machine_fingerprint: String,
    /// When the bidder sealed it (the bidder's clock, as stated in the envelope).
    pub sealed_at_ms: i64,
    /// The signed header line as received: key holders check from it that the wrapped key is
    /// this bidder's, for this lot, before they decrypt.
    #[serde(default)]
    pub header: String,
    /// A keyed digest of the address the envelope was uploaded from, salted per lot: equal
    /// within a lot for equal addresses, the address itself not kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub upload_tag: String,
}

/// Where a bid stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BidStatus {
    /// 已报名, no envelope yet (or withdrawn).
    Registered,
    /// 已递交.
    Submitted,
    /// 已撤回.
    Withdrawn,
}

/// One bidder's bid for one lot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bid {
    pub lot: String,
    pub bidder: EntityId,
    pub registered_by: String,
    pub registered_at_ms: i64,
    pub downloaded_at_ms: Option<i64>,
    pub status: BidStatus,
    pub envelope: Option<SealedEnvelope>,
    pub submitted_at_ms: Option<i64>,
    /// How many envelopes were submitted in all (replacements included).
    pub submissions: u32,
    /// The copies of the tender documents downloaded (文件创建标识码), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<String>,
}

impl Bid {
    /// The stream of the bid of `bidder` for lot `lot`.
    pub fn stream(lot: &str, bidder: &EntityId) -> String {
        format!("bid/{lot}/{bidder}")
    }
}

/// What may be asked of a bid.
#[derive(Clone, Debug, PartialEq)]
pub enum BidCommand {
    /// 报名.
    Register {
        terms: LotTerms,
        bidder: EntityId,
        by: String,
    },
    /// The tender documents were downloaded; `copy` identifies this copy (文件创建标识码), which
    /// the bidding tool carries into the envelope.
    RecordDownload { copy: String },
    /// 递交 (or replace) the sealed envelope.
    Submit {
        terms: LotTerms,
        envelope: SealedEnvelope,
    },
    /// 撤回.
    Withdraw { terms: LotTerms },
}

/// What happened to a bid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum BidEvent {
    Registered {
        lot: String,
        bidder: EntityId,
        by: String,
        at_ms: i64,
    },
    DocumentsDownloaded {
        at_ms: i64,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        copy: String,
    },
    Submitted {
        envelope: SealedEnvelope,
        /// The envelope it replaces, if any.
        replaces: Option<String>,
        at_ms: i64,
    },
    Withdrawn {
        envelope: String,
        at_ms: i64,
    },
}

impl BidEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "bid.registered",
            Self::DocumentsDownloaded { .. } => "bid.documents_downloaded",
            Self::Submitted { .. } => "bid.submitted",
            Self::Withdrawn { .. } => "bid.withdrawn",
        }
    }
}

impl Decider for Option<Bid> {
    type Command = BidCommand;
    type Event = BidEvent;

    fn decide(&self, command: BidCommand, now_ms: i64) -> Result<Vec<BidEvent>, DomainError> {
        match command {
            BidCommand::Register { terms, bidder, by } => {
                if self.is_some() {
                    return Err(DomainError::AlreadyRegisteredForLot);
                }
                terms.check_open(now_ms)?;
                if !terms.invited {
                    return Err(DomainError::NotInvited);
                }
                if !terms.bidder_may_trade {
                    return Err(DomainError::NotActive);
                }
                Ok(vec![BidEvent::Registered {
                    lot: terms.lot,
                    bidder,
                    by,
                    at_ms: now_ms,
                }])
            }
            BidCommand::RecordDownload { copy } => {
                if self.is_none() {
                    return Err(DomainError::NotRegisteredForLot);
                }
                Ok(vec![BidEvent::DocumentsDownloaded {
                    at_ms: now_ms,
                    copy,
                }])
            }
            BidCommand::Submit { terms, envelope } => {
                let bid = self.as_ref().ok_or(DomainError::NotRegisteredForLot)?;
                terms.check_open(now_ms)?;
                if !terms.bidder_may_trade {
                    return Err(DomainError::NotActive);
                }
                let replaces = match (&bid.status, &bid.envelope) {
                    (BidStatus::Submitted, Some(current)) => {
                        if current.sm3 == envelope.sm3 {
                            return Err(DomainError::EnvelopeUnchanged);
                        }
                        Some(current.sm3.clone())
                    }
                    _ => None,
                };
                Ok(vec![BidEvent::Submitted {
                    envelope,
                    replaces,
                    at_ms: now_ms,
                }])
            }
            BidCommand::Withdraw { terms } => {
                let bid = self.as_ref().ok_or(DomainError::NotRegisteredForLot)?;
                terms.check_open(now_ms)?;
                match (&bid.status, &bid.envelope) {
                    (BidStatus::Submitted, Some(current)) => Ok(vec![BidEvent::Withdrawn {
                        envelope: current.sm3.clone(),
                        at_ms: now_ms,
                    }]),
                    _ => Err(DomainError::NothingToWithdraw),
                }
            }
        }
    }

    fn evolve(self, event: &BidEvent) -> Self {
        if let BidEvent::Registered {
            lot,
            bidder,
            by,
            at_ms,
        } = event
        {
            return Some(Bid {
                lot: lot.clone(),
                bidder: bidder.clone(),
                registered_by: by.clone(),
                registered_at_ms: *at_ms,
                downloaded_at_ms: None,
                status: BidStatus::Registered,
                envelope: None,
                submitted_at_ms: None,
                submissions: 0,
                copies: Vec::new(),
            });
        }
        let mut bid = self?;
        match event {
            BidEvent::Registered { .. } => {}
            BidEvent::DocumentsDownloaded { at_ms, copy } => {
                bid.downloaded_at_ms.get_or_insert(*at_ms);
                if !copy.is_empty() {
                    bid.copies.push(copy.clone());
                }
            }
            BidEvent::Submitted {
                envelope, at_ms, ..
            } => {
                bid.status = BidStatus::Submitted;
                bid.envelope = Some(envelope.clone());
                bid.submitted_at_ms = Some(*at_ms);
                bid.submissions += 1;
            }
            BidEvent::Withdrawn { .. } => {
                bid.status = BidStatus::Withdrawn;
                bid.envelope = None;
            }
        }
        Some(bid)
    }
}
