//! 拍卖 / 挂牌 / 指标竞价 — the rules of an online sale as a pure decider (rules-cn.md §5; issue 7).
//!
//! - **English auction** (网上竞价): free bidding until `free_until_ms`, then timed bidding — a
//!   countdown of `countdown_ms` that every valid higher bid restarts; the sale ends when the
//!   countdown runs out. A bid at the countdown's last millisecond is in time; at its end, late.
//! - **Listing** (挂牌): quotes until `listing_end_ms`; at the close, two or more bidders having
//!   quoted → timed bidding among them (限时竞价) with the same countdown; one → that quote.
//! - **Quota auction** (指标竞价): each bidder bids a price and a quantity until `close_ms` (a new
//!   bid replaces the bidder's earlier one); after the close, bids rank by price (high first),
//!   then time; the top `units` clear (the marginal bid partly); pay-as-bid or one uniform price
//!   (the lowest cleared price).
//!
//! Each higher bid must beat the current price by the increment (加价幅度); the first must reach
//! the start price. Bidders appear by their 竞买号 only. The reserve (保留价) stays committed until
//! the close, when the application reveals it (checked against its commitment) and the sale is
//! decided: the highest bid at or above the reserve wins; below it, no sale (流拍).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The largest price a sale takes, in fen (10 trillion yuan): prices and increments stay far
/// from overflow.
pub const MAX_PRICE_FEN: i64 = 1_000_000_000_000_000;
/// The largest quantity a quota bid may name.
pub const MAX_QUANTITY: u64 = 1_000_000_000;

/// How the lot is sold, with its times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum AuctionMethod {
    English {
        start_ms: i64,
        free_until_ms: i64,
        countdown_ms: i64,
    },
    Listing {
        start_ms: i64,
        listing_end_ms: i64,
        countdown_ms: i64,
    },
    /// 密封报价: one sealed, signed envelope per bidder (a later one replaces the earlier) until
    /// `close_ms`; all opened together by the key holders after it; the highest price wins,
    /// equal prices by the earlier envelope.
    Sealed { start_ms: i64, close_ms: i64 },
    Quota {
        start_ms: i64,
        close_ms: i64,
        units: u64,
        min_quantity: u64,
        max_quantity: u64,
        /// One price for all (the lowest cleared); otherwise each pays its own bid.
        uniform_price: bool,
        /// 修改出价: from this instant to the close (0: no such window) a bidder may only change
        /// its own bid, to a price within `band_fen` of the clearing price at that moment (the
        /// 警示价: the lowest price that would clear now, or the start price while the units are
        /// not all asked for).
        #[serde(default)]
        modify_from_ms: i64,
        #[serde(default)]
        band_fen: i64,
    },
}

/// The terms of a sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuctionTerms {
    pub method: AuctionMethod,
    /// 起始价 (per unit for a quota auction), in fen.
    pub start_price_fen: i64,
    /// 加价幅度, in fen (not used by a quota auction).
    pub increment_fen: i64,
    /// 竞买保证金, in fen: what the bank must confirm before a bidder may bid (0: none asked).
    #[serde(default)]
    pub deposit_fen: i64,
    /// Fewer bidders with a confirmed deposit than this at the close: no sale (e.g. 矿业权 3,
    /// from the rule set at the publication; 0 or 1: no minimum).
    #[serde(default)]
    pub min_bidders: u32,
    /// Every bid must carry the bidder's SM2 signature under its bound certificate (checked by
    /// the application before the bid is decided; a high-value sale, not a quota auction of
    /// thousands of bids a second).
    #[serde(default)]
    pub signed_bids: bool,
}

/// What is sold, by whom and where, and the rules it was published under (public from the
/// creation).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuctionInfo {
    /// 标的名称.
    pub title: String,
    /// The trading catalog's category code (land, mining, state_property, pollutant, …).
    pub category: String,
    /// 6-digit region code.
    pub region: String,
    /// 出让人 / 转让人: the entity's 统一社会信用代码 and name.
    pub transferor: String,
    pub transferor_name: String,
    pub description: String,
    /// The rule sets in force at the publication.
    pub rule_sets: Vec<String>,
    /// The sale this one re-lists after its 流拍.
    #[serde(default)]
    pub relists: Option<String>,
    /// The written approval (文号) a re-listing below the rule set's price floor cites.
    #[serde(default)]
    pub approval: Option<String>,
    /// Sealed-bid sales: the opening key the envelopes are sealed to (the active ceremony's at
    /// the creation).
    #[serde(default)]
    pub opening_key: Option<crate::OpeningKey>,
}

/// What happens to the deposits at the close: the buyers' are applied to the price (转作价款),
/// the others released (退还).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositSettlement {
    pub applied: Vec<String>,
    pub released: Vec<String>,
}

/// An accepted bid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuctionBid {
    /// 竞买号.
    pub bidder: String,
    pub price_fen: i64,
    /// Units (quota auctions; 1 otherwise).
    pub quantity: u64,
    pub at_ms: i64,
}

/// Where a sale stands at a moment (derived from the clock and the bids).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuctionPhase {
    NotStarted,
    /// 自由竞价 / 挂牌期.
    Free,
    /// 限时竞价: until `deadline_ms`.
    Timed,
    /// The time is over; the sale waits to be closed.
    Ended,
}

/// One bidder's share of a quota auction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub bidder: String,
    pub units: u64,
    /// Per unit, in fen.
    pub price_fen: i64,
}

/// How a sale ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AuctionResult {
    Sold {
        bidder: String,
        price_fen: i64,
    },
    Allocated {
        allocations: Vec<Allocation>,
    },
    /// 流拍, with why.
    NoSale {
        reason: String,
    },
}

/// A sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Auction {
    pub id: String,
    pub terms: AuctionTerms,
    #[serde(default)]
    pub info: AuctionInfo,
    /// 竞买号 → deposit confirmed.
    pub registered: BTreeMap<String, bool>,
    /// The highest accepted bid — the current price (English, listing). Every accepted bid of
    /// these methods becomes the new highest, so the state stays small however many bids come:
    /// the history is the ledger stream.
    #[serde(default)]
    pub high: Option<AuctionBid>,
    /// Bidders who quoted during a listing period (the only ones who go on to timed bidding).
    #[serde(default)]
    pub quoters: BTreeSet<String>,
    /// Each bidder's current bid (quota auctions; a later bid replaces the earlier).
    #[serde(default)]
    pub quota_bids: BTreeMap<String, AuctionBid>,
    /// Bids accepted.
    #[serde(default)]
    pub accepted: u64,
    pub result: Option<AuctionResult>,
    /// The reserve, once revealed at the close.
    pub reserve_fen: Option<i64>,
    /// SM3(salt ‖ reserve), hex, published at the creation.
    #[serde(default)]
    pub reserve_commitment: String,
    /// Bids refused (kept so that a replay reproduces every refusal).
    #[serde(default)]
    pub refused: u64,
    /// What happened to the deposits, once closed.
    #[serde(default)]
    pub deposits: Option<DepositSettlement>,
    /// Sealed-bid sales: each bidder's latest envelope (digest) and when it came.
    #[serde(default)]
    pub sealed: BTreeMap<String, SealedSubmission>,
    /// Sealed-bid sales: the opening, once started.
    #[serde(default)]
    pub opening: Option<SaleOpening>,
}

/// A sealed bid as received (public: the 竞买号, the envelope's digest, the time).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSubmission {
    pub envelope: String,
    pub at_ms: i64,
}

/// A sealed bid fixed for the opening: from the close on, who is behind it is public, with the
/// signed header that binds its wrapped key to this sale and bidder (what the key holders check).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleSealedBid {
    /// 竞买号.
    pub bidder: String,
    /// The bidder's 统一社会信用代码 (as the envelope's header names it).
    pub entity: String,
    pub envelope: String,
    pub wrapped_key: String,
    pub header: String,
    pub at_ms: i64,
}

/// One opened sealed bid: its price, or why it could not be opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedSealedBid {
    pub bidder: String,
    pub envelope: String,
    pub price_fen: Option<i64>,
    pub reason: Option<String>,
}

/// The opening of a sealed-bid sale: the bids fixed, the holders' accepted partial
/// decryptions, and the result of opening.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleOpening {
    pub bids: Vec<SaleSealedBid>,
    pub partials: BTreeMap<u32, Vec<crate::BidPartial>>,
    pub opened: Option<Vec<OpenedSealedBid>>,
}

impl Auction {
    pub fn stream(id: &str) -> String {
        format!("auction/{id}")
    }

    fn countdown(&self) -> Option<i64> {
        match self.terms.method {
            AuctionMethod::English { countdown_ms, .. }
            | AuctionMethod::Listing { countdown_ms, .. } => Some(countdown_ms),
            AuctionMethod::Quota { .. } | AuctionMethod::Sealed { .. } => None,
        }
    }

    /// When free bidding (or the listing) ends.
    fn free_end(&self) -> i64 {
        match self.terms.method {
            AuctionMethod::English { free_until_ms, .. } => free_until_ms,
            AuctionMethod::Listing { listing_end_ms, .. } => listing_end_ms,
            AuctionMethod::Quota { close_ms, .. } | AuctionMethod::Sealed { close_ms, .. } => {
                close_ms
            }
        }
    }

    fn start(&self) -> i64 {
        match self.terms.method {
            AuctionMethod::English { start_ms, .. }
            | AuctionMethod::Listing { start_ms, .. }
            | AuctionMethod::Quota { start_ms, .. }
            | AuctionMethod::Sealed { start_ms, .. } => start_ms,
        }
    }

    /// Whether a listing goes to timed bidding: two or more bidders quoted.
    fn listing_goes_timed(&self) -> bool {
        matches!(self.terms.method, AuctionMethod::Listing { .. }) && self.quoters.len() >= 2
    }

    /// The instant the countdown runs out (English and timed listings), given the bids so far.
    pub fn deadline_ms(&self) -> i64 {
        let free_end = self.free_end();
        match self.countdown() {
            None => free_end,
            Some(countdown) => {
                if matches!(self.terms.method, AuctionMethod::Listing { .. })
                    && !self.listing_goes_timed()
                {
                    return free_end;
                }
                // Accepted bids come in time order, so the highest is the latest.
                let last_timed = self
                    .high
                    .as_ref()
                    .map(|b| b.at_ms)
                    .filter(|at| *at >= free_end);
                last_timed.map_or(free_end + countdown, |at| at + countdown)
            }
        }
    }

    pub fn phase(&self, now_ms: i64) -> AuctionPhase {
        if now_ms < self.start() {
            AuctionPhase::NotStarted
        } else if now_ms < self.free_end() {
            AuctionPhase::Free
        } else if now_ms < self.deadline_ms() {
            AuctionPhase::Timed
        } else {
            AuctionPhase::Ended
        }
    }

    /// The current price: the last accepted bid (English, listing).
    pub fn current(&self) -> Option<&AuctionBid> {
        self.high.as_ref()
    }

    /// A quota auction's clearing price now (警示价): the lowest price among the bids that would
    /// clear if it closed now; the start price while the units are not all asked for. One pass
    /// over the bidders' current bids.
    pub fn clearing_price(&self) -> i64 {
        let AuctionMethod::Quota { units, .. } = self.terms.method else {
            return self.terms.start_price_fen;
        };
        let mut ranked: Vec<&AuctionBid> = self.quota_bids.values().collect();
        ranked.sort_by(|a, b| b.price_fen.cmp(&a.price_fen).then(a.at_ms.cmp(&b.at_ms)));
        let mut asked = 0;
        for bid in ranked {
            asked += bid.quantity;
            if asked >= units {
                return bid.price_fen;
            }
        }
        self.terms.start_price_fen
    }

    /// The lowest price the next bid may offer (English, listing).
    pub fn minimum_next(&self) -> i64 {
        match self.current() {
            Some(bid) => bid.price_fen.saturating_add(self.terms.increment_fen),
            None => self.terms.start_price_fen,
        }
    }
}

/// A sealed-bid sale's result from its opened bids: the highest price at or above the start
/// price and the reserve wins; equal prices go to the earlier envelope.
fn sealed_result(auction: &Auction, reserve_fen: i64) -> AuctionResult {
    let Some(opened) = auction.opening.as_ref().and_then(|o| o.opened.as_ref()) else {
        return AuctionResult::NoSale {
            reason: "无人递交密封报价".into(),
        };
    };
    let best = opened
        .iter()
        .filter_map(|line| {
            let price = line.price_fen?;
            let at = auction.sealed.get(&line.bidder)?.at_ms;
            (price >= auction.terms.start_price_fen).then_some((price, at, &line.bidder))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    match best {
        None => AuctionResult::NoSale {
            reason: "没有不低于起始价的有效密封报价".into(),
        },
        Some((price, _, bidder)) if price >= reserve_fen => AuctionResult::Sold {
            bidder: bidder.clone(),
            price_fen: price,
        },
        Some(_) => AuctionResult::NoSale {
            reason: "最高报价未达到保留价".into(),
        },
    }
}

/// Ranks quota bids (price high first, then earlier first) and clears `units`.
pub fn allocate<'a>(
    bids: impl IntoIterator<Item = &'a AuctionBid>,
    units: u64,
    uniform_price: bool,
) -> Vec<Allocation> {
    let mut ranked: Vec<&AuctionBid> = bids.into_iter().collect();
    ranked.sort_by(|a, b| b.price_fen.cmp(&a.price_fen).then(a.at_ms.cmp(&b.at_ms)));
    let mut left = units;
    let mut allocations = Vec::new();
    for bid in ranked {
        if left == 0 {
            break;
        }
        let take = bid.quantity.min(left);
        left -= take;
        allocations.push(Allocation {
            bidder: bid.bidder.clone(),
            units: take,
            price_fen: bid.price_fen,
        });
    }
    if uniform_price && let Some(lowest) = allocations.iter().map(|a| a.price_fen).min() {
        for allocation in &mut allocations {
            allocation.price_fen = lowest;
        }
    }
    allocations
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuctionCommand {
    Create {
        id: String,
        terms: AuctionTerms,
        info: Box<AuctionInfo>,
        reserve_commitment: String,
    },
    /// 竞买登记: a 竞买号 (the application keeps who is behind it).
    Register { bidder: String },
    /// The bank confirmed the deposit (竞买保证金) of `amount_fen`.
    ConfirmDeposit { bidder: String, amount_fen: i64 },
    Bid {
        bidder: String,
        price_fen: i64,
        quantity: u64,
    },
    /// After the end: the reserve revealed with its salt (checked against the commitment by the
    /// application), the sale decided.
    Close { reserve_fen: i64, salt: String },
    /// A sealed bid (the application has checked the envelope and its signature).
    SubmitSealed { bidder: String, envelope: String },
    /// After the close: the sealed bids fixed for the opening (the latest of each bidder).
    StartOpening { bids: Vec<SaleSealedBid> },
    /// A key holder's partial decryptions, checked by the application (one per bid, in order).
    AcceptPartial {
        holder: u32,
        partials: Vec<crate::BidPartial>,
    },
    /// The bids opened with the holders' partials.
    RecordOpened { lines: Vec<OpenedSealedBid> },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AuctionEvent {
    Created {
        id: String,
        terms: AuctionTerms,
        #[serde(default)]
        info: Box<AuctionInfo>,
        #[serde(default)]
        reserve_commitment: String,
    },
    Registered {
        bidder: String,
    },
    DepositConfirmed {
        bidder: String,
        #[serde(default)]
        amount_fen: i64,
    },
    BidAccepted {
        bid: AuctionBid,
    },
    /// A bid refused, with its code (written by the application when `decide` refuses a bid).
    BidRefused {
        bidder: String,
        price_fen: i64,
        quantity: u64,
        at_ms: i64,
        code: String,
    },
    SealedSubmitted {
        bidder: String,
        envelope: String,
        at_ms: i64,
    },
    OpeningStarted {
        bids: Vec<SaleSealedBid>,
        at_ms: i64,
    },
    PartialAccepted {
        holder: u32,
        partials: Vec<crate::BidPartial>,
    },
    Opened {
        lines: Vec<OpenedSealedBid>,
        at_ms: i64,
    },
    Closed {
        reserve_fen: i64,
        #[serde(default)]
        salt: String,
        result: AuctionResult,
        at_ms: i64,
        #[serde(default)]
        deposits: DepositSettlement,
    },
}

impl AuctionEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Created { .. } => "auction.created",
            Self::Registered { .. } => "auction.registered",
            Self::DepositConfirmed { .. } => "auction.deposit_confirmed",
            Self::BidAccepted { .. } => "auction.bid_accepted",
            Self::BidRefused { .. } => "auction.bid_refused",
            Self::SealedSubmitted { .. } => "auction.sealed_submitted",
            Self::OpeningStarted { .. } => "auction.opening_started",
            Self::PartialAccepted { .. } => "auction.partial_accepted",
            Self::Opened { .. } => "auction.opened",
            Self::Closed { .. } => "auction.closed",
        }
    }
}

impl crate::Decider for Option<Auction> {
    type Command = AuctionCommand;
    type Event = AuctionEvent;

    fn decide(
        &self,
        command: AuctionCommand,
        now_ms: i64,
    ) -> Result<Vec<AuctionEvent>, DomainError> {
        if let AuctionCommand::Create {
            id,
            terms,
            info,
            reserve_commitment,
        } = command
        {
            if self.is_some() {
                return Err(DomainError::AuctionExists);
            }
            let valid = terms.start_price_fen > 0
                && terms.start_price_fen <= MAX_PRICE_FEN
                && (0..=MAX_PRICE_FEN).contains(&terms.increment_fen)
                && (0..=MAX_PRICE_FEN).contains(&terms.deposit_fen)
                && match terms.method {
                    AuctionMethod::English {
                        start_ms,
                        free_until_ms,
                        countdown_ms,
                    } => terms.increment_fen > 0 && start_ms <= free_until_ms && countdown_ms > 0,
                    AuctionMethod::Listing {
                        start_ms,
                        listing_end_ms,
                        countdown_ms,
                    } => terms.increment_fen > 0 && start_ms < listing_end_ms && countdown_ms > 0,
                    AuctionMethod::Sealed { start_ms, close_ms } => start_ms < close_ms,
                    AuctionMethod::Quota {
                        start_ms,
                        close_ms,
                        units,
                        min_quantity,
                        max_quantity,
                        modify_from_ms,
                        band_fen,
                        ..
                    } => {
                        start_ms < close_ms
                            && units > 0
                            && min_quantity > 0
                            && min_quantity <= max_quantity
                            && max_quantity <= MAX_QUANTITY
                            && (modify_from_ms == 0
                                || (start_ms < modify_from_ms
                                    && modify_from_ms < close_ms
                                    && (1..=MAX_PRICE_FEN).contains(&band_fen)))
                    }
                };
            if !valid {
                return Err(DomainError::AuctionTerms);
            }
            return Ok(vec![AuctionEvent::Created {
                id,
                terms,
                info,
                reserve_commitment,
            }]);
        }
        let auction = self.as_ref().ok_or(DomainError::AuctionNotFound)?;
        if auction.result.is_some() {
            return Err(DomainError::AuctionClosed);
        }
        match command {
            AuctionCommand::Create { .. } => unreachable!("handled above"),
            AuctionCommand::Register { bidder } => {
                if auction.registered.contains_key(&bidder) {
                    return Err(DomainError::AuctionAlreadyRegistered);
                }
                // Registration closes when free bidding (the listing) ends.
                if matches!(
                    auction.phase(now_ms),
                    AuctionPhase::Timed | AuctionPhase::Ended
                ) {
                    return Err(DomainError::AuctionTooLate);
                }
                // A sale that asks no deposit confirms it with the registration.
                if auction.terms.deposit_fen == 0 {
                    return Ok(vec![
                        AuctionEvent::Registered {
                            bidder: bidder.clone(),
                        },
                        AuctionEvent::DepositConfirmed {
                            bidder,
                            amount_fen: 0,
                        },
                    ]);
                }
                Ok(vec![AuctionEvent::Registered { bidder }])
            }
            AuctionCommand::ConfirmDeposit { bidder, amount_fen } => {
                match auction.registered.get(&bidder) {
                    None => Err(DomainError::AuctionNotRegistered),
                    Some(true) => Err(DomainError::AuctionDepositConfirmed),
                    Some(false) if amount_fen < auction.terms.deposit_fen => {
                        Err(DomainError::AuctionDepositShort {
                            required: crate::centi_text(auction.terms.deposit_fen),
                        })
                    }
                    Some(false) => Ok(vec![AuctionEvent::DepositConfirmed { bidder, amount_fen }]),
                }
            }
            AuctionCommand::Bid {
                bidder,
                price_fen,
                quantity,
            } => {
                match auction.registered.get(&bidder) {
                    None => return Err(DomainError::AuctionNotRegistered),
                    Some(false) => return Err(DomainError::AuctionDepositMissing),
                    Some(true) => {}
                }
                if !(1..=MAX_PRICE_FEN).contains(&price_fen) || quantity > MAX_QUANTITY {
                    return Err(DomainError::AuctionPriceRange {
                        max: crate::centi_text(MAX_PRICE_FEN),
                    });
                }
                if matches!(auction.terms.method, AuctionMethod::Sealed { .. }) {
                    return Err(DomainError::AuctionSealedOnly);
                }
                let phase = auction.phase(now_ms);
                match phase {
                    AuctionPhase::NotStarted => return Err(DomainError::AuctionNotStarted),
                    AuctionPhase::Ended => return Err(DomainError::AuctionTooLate),
                    AuctionPhase::Free | AuctionPhase::Timed => {}
                }
                if let AuctionMethod::Quota {
                    min_quantity,
                    max_quantity,
                    modify_from_ms,
                    band_fen,
                    ..
                } = auction.terms.method
                {
                    if modify_from_ms > 0 && now_ms >= modify_from_ms {
                        if !auction.quota_bids.contains_key(&bidder) {
                            return Err(DomainError::AuctionModifyOnly);
                        }
                        let clearing = auction.clearing_price();
                        let (low, high) = (
                            clearing.saturating_sub(band_fen),
                            clearing.saturating_add(band_fen),
                        );
                        if price_fen < low || price_fen > high {
                            return Err(DomainError::AuctionOutOfBand {
                                low: crate::centi_text(low.max(0)),
                                high: crate::centi_text(high),
                            });
                        }
                    }
                    if price_fen < auction.terms.start_price_fen {
                        return Err(DomainError::AuctionTooLow {
                            minimum: crate::centi_text(auction.terms.start_price_fen),
                        });
                    }
                    if quantity < min_quantity || quantity > max_quantity {
                        return Err(DomainError::AuctionQuantity {
                            min: min_quantity,
                            max: max_quantity,
                        });
                    }
                } else {
                    if phase == AuctionPhase::Timed
                        && matches!(auction.terms.method, AuctionMethod::Listing { .. })
                        && !auction.quoters.contains(bidder.as_str())
                    {
                        return Err(DomainError::AuctionNotEligible);
                    }
                    if auction.current().is_some_and(|c| c.bidder == bidder) {
                        return Err(DomainError::AuctionNotYourTurn);
                    }
                    let minimum = auction.minimum_next();
                    if price_fen < minimum {
                        return Err(DomainError::AuctionTooLow {
                            minimum: crate::centi_text(minimum),
                        });
                    }
                }
                Ok(vec![AuctionEvent::BidAccepted {
                    bid: AuctionBid {
                        bidder,
                        price_fen,
                        quantity: if matches!(auction.terms.method, AuctionMethod::Quota { .. }) {
                            quantity
                        } else {
                            1
                        },
                        at_ms: now_ms,
                    },
                }])
            }
            AuctionCommand::SubmitSealed { bidder, envelope } => {
                if !matches!(auction.terms.method, AuctionMethod::Sealed { .. }) {
                    return Err(DomainError::AuctionNotSealed);
                }
                match auction.registered.get(&bidder) {
                    None => return Err(DomainError::AuctionNotRegistered),
                    Some(false) => return Err(DomainError::AuctionDepositMissing),
                    Some(true) => {}
                }
                match auction.phase(now_ms) {
                    AuctionPhase::NotStarted => Err(DomainError::AuctionNotStarted),
                    AuctionPhase::Ended | AuctionPhase::Timed => Err(DomainError::AuctionTooLate),
                    AuctionPhase::Free => Ok(vec![AuctionEvent::SealedSubmitted {
                        bidder,
                        envelope,
                        at_ms: now_ms,
                    }]),
                }
            }
            AuctionCommand::StartOpening { bids } => {
                if !matches!(auction.terms.method, AuctionMethod::Sealed { .. })
                    || auction.opening.is_some()
                    || auction.sealed.is_empty()
                {
                    return Err(DomainError::AuctionOpeningStep);
                }
                if auction.phase(now_ms) != AuctionPhase::Ended {
                    return Err(DomainError::AuctionStillOpen);
                }
                // Exactly the latest envelope of each bidder, nothing else.
                let fixed: BTreeMap<&str, (&str, i64)> = bids
                    .iter()
                    .map(|b| (b.bidder.as_str(), (b.envelope.as_str(), b.at_ms)))
                    .collect();
                let expected: BTreeMap<&str, (&str, i64)> = auction
                    .sealed
                    .iter()
                    .map(|(n, s)| (n.as_str(), (s.envelope.as_str(), s.at_ms)))
                    .collect();
                if fixed != expected || fixed.len() != bids.len() {
                    return Err(DomainError::AuctionOpeningStep);
                }
                Ok(vec![AuctionEvent::OpeningStarted {
                    bids,
                    at_ms: now_ms,
                }])
            }
            AuctionCommand::AcceptPartial { holder, partials } => {
                let opening = auction
                    .opening
                    .as_ref()
                    .ok_or(DomainError::AuctionOpeningStep)?;
                if opening.opened.is_some()
                    || opening.partials.contains_key(&holder)
                    || partials.len() != opening.bids.len()
                {
                    return Err(DomainError::AuctionOpeningStep);
                }
                Ok(vec![AuctionEvent::PartialAccepted { holder, partials }])
            }
            AuctionCommand::RecordOpened { lines } => {
                let opening = auction
                    .opening
                    .as_ref()
                    .ok_or(DomainError::AuctionOpeningStep)?;
                let matches = lines.len() == opening.bids.len()
                    && lines.iter().zip(&opening.bids).all(|(line, bid)| {
                        line.bidder == bid.bidder && line.envelope == bid.envelope
                    });
                if opening.opened.is_some() || !matches {
                    return Err(DomainError::AuctionOpeningStep);
                }
                Ok(vec![AuctionEvent::Opened {
                    lines,
                    at_ms: now_ms,
                }])
            }
            AuctionCommand::Close { reserve_fen, salt } => {
                if auction.phase(now_ms) != AuctionPhase::Ended {
                    return Err(DomainError::AuctionStillOpen);
                }
                let sealed_sale = matches!(auction.terms.method, AuctionMethod::Sealed { .. });
                if sealed_sale
                    && !auction.sealed.is_empty()
                    && auction.opening.as_ref().is_none_or(|o| o.opened.is_none())
                {
                    return Err(DomainError::AuctionNotOpened);
                }
                let confirmed = auction.registered.values().filter(|d| **d).count();
                let result = if confirmed < auction.terms.min_bidders as usize {
                    AuctionResult::NoSale {
                        reason: format!(
                            "保证金到账的竞买人只有{confirmed}个，不足规则要求的{}个",
                            auction.terms.min_bidders
                        ),
                    }
                } else {
                    match auction.terms.method {
                        AuctionMethod::Quota {
                            units,
                            uniform_price,
                            ..
                        } => {
                            let valid: Vec<&AuctionBid> = auction
                                .quota_bids
                                .values()
                                .filter(|b| b.price_fen >= reserve_fen)
                                .collect();
                            if valid.is_empty() {
                                AuctionResult::NoSale {
                                    reason: "没有达到保留价的有效报价".into(),
                                }
                            } else {
                                AuctionResult::Allocated {
                                    allocations: allocate(valid, units, uniform_price),
                                }
                            }
                        }
                        AuctionMethod::Sealed { .. } => sealed_result(auction, reserve_fen),
                        _ => match auction.current() {
                            None => AuctionResult::NoSale {
                                reason: "无人报价".into(),
                            },
                            Some(bid) if bid.price_fen >= reserve_fen => AuctionResult::Sold {
                                bidder: bid.bidder.clone(),
                                price_fen: bid.price_fen,
                            },
                            Some(_) => AuctionResult::NoSale {
                                reason: "最高报价未达到保留价".into(),
                            },
                        },
                    }
                };
                let buyers: BTreeSet<&str> = match &result {
                    AuctionResult::Sold { bidder, .. } => BTreeSet::from([bidder.as_str()]),
                    AuctionResult::Allocated { allocations } => {
                        allocations.iter().map(|a| a.bidder.as_str()).collect()
                    }
                    AuctionResult::NoSale { .. } => BTreeSet::new(),
                };
                let mut deposits = DepositSettlement::default();
                for (bidder, confirmed) in &auction.registered {
                    if !confirmed {
                        continue;
                    }
                    if buyers.contains(bidder.as_str()) {
                        deposits.applied.push(bidder.clone());
                    } else {
                        deposits.released.push(bidder.clone());
                    }
                }
                Ok(vec![AuctionEvent::Closed {
                    reserve_fen,
                    salt,
                    result,
                    at_ms: now_ms,
                    deposits,
                }])
            }
        }
    }

    fn evolve(self, event: &AuctionEvent) -> Self {
        if let AuctionEvent::Created {
            id,
            terms,
            info,
            reserve_commitment,
        } = event
        {
            return Some(Auction {
                id: id.clone(),
                terms: terms.clone(),
                info: info.as_ref().clone(),
                registered: BTreeMap::new(),
                high: None,
                quoters: BTreeSet::new(),
                quota_bids: BTreeMap::new(),
                accepted: 0,
                result: None,
                reserve_fen: None,
                reserve_commitment: reserve_commitment.clone(),
                refused: 0,
                deposits: None,
                sealed: BTreeMap::new(),
                opening: None,
            });
        }
        let mut auction = self?;
        match event {
            AuctionEvent::Created { .. } => {}
            AuctionEvent::Registered { bidder } => {
                auction.registered.insert(bidder.clone(), false);
            }
            AuctionEvent::DepositConfirmed { bidder, .. } => {
                auction.registered.insert(bidder.clone(), true);
            }
            AuctionEvent::BidAccepted { bid } => {
                auction.accepted += 1;
                match auction.terms.method {
                    AuctionMethod::Quota { .. } => {
                        auction.quota_bids.insert(bid.bidder.clone(), bid.clone());
                    }
                    AuctionMethod::Listing { listing_end_ms, .. } => {
                        if bid.at_ms < listing_end_ms {
                            auction.quoters.insert(bid.bidder.clone());
                        }
                        auction.high = Some(bid.clone());
                    }
                    AuctionMethod::English { .. } | AuctionMethod::Sealed { .. } => {
                        auction.high = Some(bid.clone());
                    }
                }
            }
            AuctionEvent::BidRefused { .. } => auction.refused += 1,
            AuctionEvent::SealedSubmitted {
                bidder,
                envelope,
                at_ms,
            } => {
                auction.accepted += 1;
                auction.sealed.insert(
                    bidder.clone(),
                    SealedSubmission {
                        envelope: envelope.clone(),
                        at_ms: *at_ms,
                    },
                );
            }
            AuctionEvent::OpeningStarted { bids, .. } => {
                auction.opening = Some(SaleOpening {
                    bids: bids.clone(),
                    ..SaleOpening::default()
                });
            }
            AuctionEvent::PartialAccepted { holder, partials } => {
                if let Some(opening) = auction.opening.as_mut() {
                    opening.partials.insert(*holder, partials.clone());
                }
            }
            AuctionEvent::Opened { lines, .. } => {
                if let Some(opening) = auction.opening.as_mut() {
                    opening.opened = Some(lines.clone());
                }
            }
            AuctionEvent::Closed {
                reserve_fen,
                result,
                deposits,
                ..
            } => {
                auction.reserve_fen = Some(*reserve_fen);
                auction.result = Some(result.clone());
                auction.deposits = Some(deposits.clone());
            }
        }
        Some(auction)
    }
}

/// 悔拍: the buyer of a closed sale did not sign the 成交确认书 or pay as the announcement
/// required (拍卖法 第39条; 招标拍卖挂牌出让国有建设用地使用权规定 第30条); its applied deposit
/// is forfeited. Recorded by the trading center in the sale's own default stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleDefault {
    pub auction: String,
    /// 竞买号.
    pub bidder: String,
    pub reason: String,
    /// The deposit forfeited, in fen (0 when the sale asked none).
    pub deposit_forfeited_fen: i64,
    pub by: String,
    pub at_ms: i64,
}

impl SaleDefault {
    pub fn stream(auction: &str, bidder: &str) -> String {
        format!("sale-default/{auction}/{bidder}")
    }
}

/// Records a default once, for a buyer of a closed sale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclareDefault {
    pub auction: Auction,
    pub bidder: String,
    pub reason: String,
    pub by: String,
}

impl crate::Decider for Option<SaleDefault> {
    type Command = DeclareDefault;
    type Event = SaleDefault;

    fn decide(
        &self,
        command: DeclareDefault,
        now_ms: i64,
    ) -> Result<Vec<SaleDefault>, DomainError> {
        if self.is_some() {
            return Err(DomainError::SaleDefaultRecorded);
        }
        let auction = &command.auction;
        let buyer = match &auction.result {
            Some(AuctionResult::Sold { bidder, .. }) => bidder == &command.bidder,
            Some(AuctionResult::Allocated { allocations }) => {
                allocations.iter().any(|a| a.bidder == command.bidder)
            }
            _ => false,
        };
        if !buyer {
            return Err(DomainError::SaleDefaultNotBuyer);
        }
        crate::fields::text_field("悔拍事由", &command.reason, 2000)?;
        let applied = auction
            .deposits
            .as_ref()
            .is_some_and(|d| d.applied.contains(&command.bidder));
        Ok(vec![SaleDefault {
            auction: auction.id.clone(),
            bidder: command.bidder,
            reason: command.reason.trim().to_string(),
            deposit_forfeited_fen: if applied {
                auction.terms.deposit_fen
            } else {
                0
            },
            by: command.by,
            at_ms: now_ms,
        }])
    }

    fn evolve(self, event: &SaleDefault) -> Self {
        Some(event.clone())
    }
}
