//! Online sales as tables: the closing rules of each method (reserve exactly met, a bid in the
//! last millisecond of the countdown, ties in a quota auction), every refusal, and properties —
//! the price never decreases, and the state replayed from the events is the live state.

use domain::{
    Auction, AuctionCommand, AuctionEvent, AuctionMethod, AuctionPhase, AuctionResult,
    AuctionTerms, Decider,
};
use proptest::prelude::*;

const MIN: i64 = 60_000;

fn english() -> AuctionTerms {
    AuctionTerms {
        method: AuctionMethod::English {
            start_ms: 0,
            free_until_ms: 60 * MIN,
            countdown_ms: 5 * MIN,
        },
        start_price_fen: 1_000_000,
        increment_fen: 10_000,
        deposit_fen: 5_000,
        min_bidders: 0,
        signed_bids: false,
    }
}

fn listing() -> AuctionTerms {
    AuctionTerms {
        method: AuctionMethod::Listing {
            start_ms: 0,
            listing_end_ms: 60 * MIN,
            countdown_ms: 5 * MIN,
        },
        start_price_fen: 1_000_000,
        increment_fen: 10_000,
        deposit_fen: 5_000,
        min_bidders: 0,
        signed_bids: false,
    }
}

fn quota(uniform: bool) -> AuctionTerms {
    AuctionTerms {
        method: AuctionMethod::Quota {
            start_ms: 0,
            close_ms: 60 * MIN,
            units: 10,
            min_quantity: 1,
            max_quantity: 6,
            uniform_price: uniform,
            modify_from_ms: 0,
            band_fen: 0,
        },
        start_price_fen: 100,
        increment_fen: 0,
        deposit_fen: 5_000,
        min_bidders: 0,
        signed_bids: false,
    }
}

/// A sale with bidders A, B, C registered and their deposits confirmed (D registered only).
fn sale(terms: AuctionTerms) -> Option<Auction> {
    let mut state = None;
    let mut step = |command: AuctionCommand| {
        let events = state.decide(command, 0).unwrap();
        state = events
            .iter()
            .fold(state.clone(), |s: Option<Auction>, e| s.evolve(e));
    };
    step(AuctionCommand::Create {
        id: "A1".into(),
        terms,
        info: Default::default(),
        reserve_commitment: String::new(),
    });
    for bidder in ["A", "B", "C", "D"] {
        step(AuctionCommand::Register {
            bidder: bidder.into(),
        });
    }
    for bidder in ["A", "B", "C"] {
        step(AuctionCommand::ConfirmDeposit {
            bidder: bidder.into(),
            amount_fen: 5_000,
        });
    }
    state
}

fn bid(bidder: &str, price: i64) -> AuctionCommand {
    AuctionCommand::Bid {
        bidder: bidder.into(),
        price_fen: price,
        quantity: 1,
    }
}

fn lot(bidder: &str, price: i64, quantity: u64) -> AuctionCommand {
    AuctionCommand::Bid {
        bidder: bidder.into(),
        price_fen: price,
        quantity,
    }
}

/// Applies `(now, command)` steps, all of which must be accepted.
fn run(mut state: Option<Auction>, steps: &[(i64, AuctionCommand)]) -> Option<Auction> {
    for (now, command) in steps {
        let events = state
            .decide(command.clone(), *now)
            .unwrap_or_else(|e| panic!("{command:?} at {now}: {e}"));
        state = events.iter().fold(state, |s, e| s.evolve(e));
    }
    state
}

fn refusal(state: &Option<Auction>, now: i64, command: AuctionCommand) -> &'static str {
    state.decide(command, now).unwrap_err().code()
}

fn close(state: &Option<Auction>, now: i64, reserve: i64) -> AuctionResult {
    closing(state, now, reserve).0
}

/// The close's result and what it does with the deposits.
fn closing(
    state: &Option<Auction>,
    now: i64,
    reserve: i64,
) -> (AuctionResult, domain::DepositSettlement) {
    match &state
        .decide(
            AuctionCommand::Close {
                reserve_fen: reserve,
                salt: String::new(),
            },
            now,
        )
        .unwrap()[0]
    {
        AuctionEvent::Closed {
            result, deposits, ..
        } => (result.clone(), deposits.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn english_auction_refusals_and_the_countdown() {
    let state = sale(english());
    let cases = [
        (
            "not registered",
            bid("Z", 1_000_000),
            "AUCTION_NOT_REGISTERED",
        ),
        ("no deposit", bid("D", 1_000_000), "AUCTION_DEPOSIT_MISSING"),
        ("below the start", bid("A", 999_999), "AUCTION_TOO_LOW"),
        (
            "a price beyond any sale",
            bid("A", i64::MAX),
            "AUCTION_PRICE_RANGE",
        ),
        (
            "a deposit one fen short",
            AuctionCommand::ConfirmDeposit {
                bidder: "D".into(),
                amount_fen: 4_999,
            },
            "AUCTION_DEPOSIT_SHORT",
        ),
        (
            "a deposit confirmed twice",
            AuctionCommand::ConfirmDeposit {
                bidder: "A".into(),
                amount_fen: 5_000,
            },
            "AUCTION_DEPOSIT_CONFIRMED",
        ),
    ];
    for (what, command, code) in cases {
        assert_eq!(refusal(&state, MIN, command), code, "{what}");
    }
    let state = run(state, &[(MIN, bid("A", 1_000_000))]);
    assert_eq!(
        refusal(&state, MIN, bid("A", 1_100_000)),
        "AUCTION_NOT_YOUR_TURN"
    );
    assert_eq!(refusal(&state, MIN, bid("B", 1_009_999)), "AUCTION_TOO_LOW");
    // Free bidding ends at 60 min; the countdown runs to 65 min; a bid in its last millisecond
    // is in time and restarts it; at its end, late.
    let state = run(state, &[(2 * MIN, bid("B", 1_010_000))]);
    assert_eq!(state.as_ref().unwrap().phase(61 * MIN), AuctionPhase::Timed);
    // Registration closes with free bidding.
    assert_eq!(
        refusal(
            &state,
            61 * MIN,
            AuctionCommand::Register { bidder: "E".into() }
        ),
        "AUCTION_TOO_LATE"
    );
    assert_eq!(state.as_ref().unwrap().deadline_ms(), 65 * MIN);
    let state = run(state, &[(65 * MIN - 1, bid("C", 1_020_000))]);
    assert_eq!(state.as_ref().unwrap().deadline_ms(), 70 * MIN - 1);
    assert_eq!(
        refusal(&state, 70 * MIN - 1, bid("A", 1_030_000)),
        "AUCTION_TOO_LATE"
    );
    assert_eq!(
        refusal(
            &state,
            69 * MIN,
            AuctionCommand::Close {
                reserve_fen: 0,
                salt: String::new(),
            }
        ),
        "AUCTION_STILL_OPEN"
    );
    // The reserve exactly met: sold; one fen above: no sale.
    assert_eq!(
        close(&state, 70 * MIN, 1_020_000),
        AuctionResult::Sold {
            bidder: "C".into(),
            price_fen: 1_020_000
        }
    );
    assert!(matches!(
        close(&state, 70 * MIN, 1_020_001),
        AuctionResult::NoSale { .. }
    ));
    // No bid at all: the countdown after free bidding ends at 65 min, no sale.
    let empty = sale(english());
    assert!(matches!(
        close(&empty, 65 * MIN, 1),
        AuctionResult::NoSale { .. }
    ));
    // Closed is closed.
    let closed = run(
        state,
        &[(
            70 * MIN,
            AuctionCommand::Close {
                reserve_fen: 0,
                salt: String::new(),
            },
        )],
    );
    assert_eq!(
        refusal(&closed, 71 * MIN, bid("A", 2_000_000)),
        "AUCTION_CLOSED"
    );
}

#[test]
fn a_listing_closes_on_one_quote_or_goes_to_timed_bidding() {
    // One quote at the close: that quote, if it reaches the reserve.
    let one = run(sale(listing()), &[(MIN, bid("A", 1_000_000))]);
    assert_eq!(one.as_ref().unwrap().phase(60 * MIN), AuctionPhase::Ended);
    assert_eq!(
        close(&one, 60 * MIN, 900_000),
        AuctionResult::Sold {
            bidder: "A".into(),
            price_fen: 1_000_000
        }
    );
    assert!(matches!(
        close(&one, 60 * MIN, 1_000_001),
        AuctionResult::NoSale { .. }
    ));
    // Two bidders quoted: timed bidding among them; a newcomer may not join.
    let two = run(
        sale(listing()),
        &[(MIN, bid("A", 1_000_000)), (2 * MIN, bid("B", 1_010_000))],
    );
    assert_eq!(two.as_ref().unwrap().phase(61 * MIN), AuctionPhase::Timed);
    assert_eq!(
        refusal(&two, 61 * MIN, bid("C", 1_100_000)),
        "AUCTION_NOT_ELIGIBLE"
    );
    let two = run(two, &[(62 * MIN, bid("A", 1_020_000))]);
    assert_eq!(two.as_ref().unwrap().deadline_ms(), 67 * MIN);
    assert_eq!(
        close(&two, 67 * MIN, 0),
        AuctionResult::Sold {
            bidder: "A".into(),
            price_fen: 1_020_000
        }
    );
    // No quote: no sale.
    assert!(matches!(
        close(&sale(listing()), 60 * MIN, 0),
        AuctionResult::NoSale { .. }
    ));
}

#[test]
fn a_quota_auction_clears_by_price_then_time() {
    let bids = [
        (MIN, lot("A", 300, 4)),
        (2 * MIN, lot("B", 500, 3)),
        (3 * MIN, lot("C", 300, 6)),
    ];
    let state = run(sale(quota(false)), &bids);
    assert_eq!(refusal(&state, 4 * MIN, lot("A", 99, 1)), "AUCTION_TOO_LOW");
    assert_eq!(
        refusal(&state, 4 * MIN, lot("A", 300, 7)),
        "AUCTION_QUANTITY"
    );
    // 10 units: B 3 at 500, then A (earlier at 300) 4, then C the remaining 3 of its 6.
    let AuctionResult::Allocated { allocations } = close(&state, 60 * MIN, 0) else {
        panic!()
    };
    let got: Vec<(&str, u64, i64)> = allocations
        .iter()
        .map(|a| (a.bidder.as_str(), a.units, a.price_fen))
        .collect();
    assert_eq!(got, vec![("B", 3, 500), ("A", 4, 300), ("C", 3, 300)]);
    // A uniform price: the lowest cleared.
    let uniform = run(sale(quota(true)), &bids);
    let AuctionResult::Allocated { allocations } = close(&uniform, 60 * MIN, 0) else {
        panic!()
    };
    assert!(allocations.iter().all(|a| a.price_fen == 300));
    // A new bid replaces the bidder's earlier one (the modification window).
    let changed = run(state, &[(4 * MIN, lot("C", 600, 2))]);
    let AuctionResult::Allocated { allocations } = close(&changed, 60 * MIN, 0) else {
        panic!()
    };
    assert_eq!(allocations[0].bidder, "C");
    assert_eq!(allocations.iter().map(|a| a.units).sum::<u64>(), 9);
    // Below the reserve: out.
    let AuctionResult::Allocated { allocations } = close(&changed, 60 * MIN, 400) else {
        panic!()
    };
    assert_eq!(allocations.len(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the bids, accepted prices only rise, and replaying the events gives the state the
    /// live decisions built.
    #[test]
    fn prices_never_fall_and_replay_equals_live(
        attempts in proptest::collection::vec((0usize..3, 0i64..40_000, 1i64..(4 * 60_000)), 1..60)
    ) {
        let mut state = sale(english());
        let mut events_all: Vec<AuctionEvent> = Vec::new();
        let mut now = 0;
        let mut prices = Vec::new();
        for (who, raise, step) in attempts {
            now += step;
            let bidder = ["A", "B", "C"][who];
            let price = state.as_ref().unwrap().minimum_next() - 5_000 + raise;
            if let Ok(events) = state.decide(bid(bidder, price), now) {
                events_all.extend(events.iter().cloned());
                state = events.iter().fold(state, |s, e| s.evolve(e));
                prices.push(state.as_ref().unwrap().current().unwrap().price_fen);
            }
        }
        prop_assert!(prices.windows(2).all(|w| w[1] > w[0]));
        let setup = sale(english());
        let replayed = events_all.iter().fold(setup, |s, e| s.evolve(e));
        prop_assert_eq!(replayed, state);
    }
}

#[test]
fn deposits_are_applied_or_released_and_too_few_bidders_is_no_sale() {
    let state = run(
        sale(english()),
        &[(MIN, bid("A", 1_000_000)), (2 * MIN, bid("B", 1_010_000))],
    );
    let (result, deposits) = closing(&state, 70 * MIN, 0);
    assert_eq!(
        result,
        AuctionResult::Sold {
            bidder: "B".into(),
            price_fen: 1_010_000
        }
    );
    // The buyer's deposit goes to the price; the others' come back; D never paid one.
    assert_eq!(deposits.applied, ["B"]);
    assert_eq!(deposits.released, ["A", "C"]);

    // A rule set asking for four bidders with deposits (three have one): no sale, all released.
    let mut terms = english();
    terms.min_bidders = 4;
    let state = run(sale(terms), &[(MIN, bid("A", 1_000_000))]);
    let (result, deposits) = closing(&state, 70 * MIN, 0);
    assert!(
        matches!(result, AuctionResult::NoSale { reason } if reason.contains("不足规则要求的4个"))
    );
    assert!(deposits.applied.is_empty());
    assert_eq!(deposits.released, ["A", "B", "C"]);
}

/// 修改出价: in the window before the close a bidder may only change its own bid, within the band
/// around the clearing price (警示价) of that moment.
#[test]
fn a_quota_auction_modification_window_keeps_prices_in_the_band() {
    let mut terms = quota(true);
    if let AuctionMethod::Quota {
        modify_from_ms,
        band_fen,
        ..
    } = &mut terms.method
    {
        *modify_from_ms = 50 * MIN;
        *band_fen = 50;
    }
    // Fewer units asked for than offered: the clearing price is the start price.
    let state = run(
        sale(terms.clone()),
        &[(MIN, lot("A", 300, 4)), (2 * MIN, lot("B", 500, 3))],
    );
    assert_eq!(state.as_ref().unwrap().clearing_price(), 100);
    let cases = [
        ("a new bidder", lot("C", 120, 2), "AUCTION_MODIFY_ONLY"),
        ("above the band", lot("A", 151, 4), "AUCTION_OUT_OF_BAND"),
    ];
    for (what, command, code) in cases {
        assert_eq!(refusal(&state, 55 * MIN, command), code, "{what}");
    }
    let moved = run(state, &[(55 * MIN, lot("A", 150, 4))]);
    assert_eq!(moved.as_ref().unwrap().quota_bids["A"].price_fen, 150);

    // All units asked for: the clearing price is the lowest price that clears.
    let full = run(
        sale(terms),
        &[
            (MIN, lot("A", 300, 4)),
            (2 * MIN, lot("B", 500, 3)),
            (3 * MIN, lot("C", 300, 6)),
        ],
    );
    assert_eq!(full.as_ref().unwrap().clearing_price(), 300);
    assert_eq!(
        refusal(&full, 55 * MIN, lot("A", 249, 4)),
        "AUCTION_OUT_OF_BAND"
    );
    let full = run(full, &[(55 * MIN, lot("C", 340, 6))]);
    // C now outranks A: 3 (B) + 6 (C) + 1 of A's 4.
    let AuctionResult::Allocated { allocations } = close(&full, 60 * MIN, 0) else {
        panic!()
    };
    let got: Vec<(&str, u64)> = allocations
        .iter()
        .map(|a| (a.bidder.as_str(), a.units))
        .collect();
    assert_eq!(got, vec![("B", 3), ("C", 6), ("A", 1)]);
}

/// A sale asking no deposit confirms it with the registration.
#[test]
fn a_sale_without_a_deposit_confirms_it_at_registration() {
    let mut terms = english();
    terms.deposit_fen = 0;
    let state = run(
        None,
        &[(
            0,
            AuctionCommand::Create {
                id: "A2".into(),
                terms,
                info: Default::default(),
                reserve_commitment: String::new(),
            },
        )],
    );
    let events = state
        .decide(AuctionCommand::Register { bidder: "A".into() }, 0)
        .unwrap();
    assert_eq!(events.len(), 2);
    let state = run(
        state,
        &[(0, AuctionCommand::Register { bidder: "A".into() })],
    );
    let state = run(state, &[(MIN, bid("A", 1_000_000))]);
    assert_eq!(state.unwrap().accepted, 1);
}

fn sealed_terms() -> AuctionTerms {
    AuctionTerms {
        method: AuctionMethod::Sealed {
            start_ms: 0,
            close_ms: 60 * MIN,
        },
        start_price_fen: 1_000_000,
        increment_fen: 0,
        deposit_fen: 5_000,
        min_bidders: 0,
        signed_bids: false,
    }
}

fn seal(bidder: &str, envelope: &str) -> AuctionCommand {
    AuctionCommand::SubmitSealed {
        bidder: bidder.into(),
        envelope: envelope.into(),
    }
}

fn fixed(state: &Option<Auction>) -> Vec<domain::SaleSealedBid> {
    state
        .as_ref()
        .unwrap()
        .sealed
        .iter()
        .map(|(bidder, s)| domain::SaleSealedBid {
            bidder: bidder.clone(),
            entity: format!("USCC-{bidder}"),
            envelope: s.envelope.clone(),
            wrapped_key: String::new(),
            header: String::new(),
            at_ms: s.at_ms,
        })
        .collect()
}

fn opened(bidder: &str, envelope: &str, price: Option<i64>) -> domain::OpenedSealedBid {
    domain::OpenedSealedBid {
        bidder: bidder.into(),
        envelope: envelope.into(),
        price_fen: price,
        reason: price.is_none().then(|| "解密失败".into()),
    }
}

/// 密封报价: one envelope per bidder until the close (a later one replaces the earlier), the
/// opening fixes exactly the latest of each, the holders' partials are accepted once each, and
/// the highest opened price wins — equal prices by the earlier envelope.
#[test]
fn a_sealed_bid_sale_opens_together_and_the_highest_price_wins() {
    let state = sale(sealed_terms());
    let cases = [
        (
            "before the start",
            -1,
            seal("A", "e1"),
            "AUCTION_NOT_STARTED",
        ),
        (
            "an open bid",
            MIN,
            bid("A", 1_000_000),
            "AUCTION_SEALED_ONLY",
        ),
        (
            "no deposit",
            MIN,
            seal("D", "e9"),
            "AUCTION_DEPOSIT_MISSING",
        ),
        (
            "at the close",
            60 * MIN,
            seal("A", "e1"),
            "AUCTION_TOO_LATE",
        ),
    ];
    for (what, now, command, code) in cases {
        assert_eq!(refusal(&state, now, command), code, "{what}");
    }
    let state = run(
        state,
        &[
            (MIN, seal("A", "a1")),
            (2 * MIN, seal("B", "b1")),
            (3 * MIN, seal("C", "c1")),
            // A replaces its envelope; B and A will tie, and B's came first.
            (4 * MIN, seal("A", "a2")),
        ],
    );
    assert_eq!(state.as_ref().unwrap().sealed["A"].envelope, "a2");
    // Not before the close; not with a stale envelope; not twice.
    let bids = fixed(&state);
    assert_eq!(
        refusal(
            &state,
            59 * MIN,
            AuctionCommand::StartOpening { bids: bids.clone() }
        ),
        "AUCTION_STILL_OPEN"
    );
    let mut stale = bids.clone();
    stale[0].envelope = "a1".into();
    assert_eq!(
        refusal(
            &state,
            61 * MIN,
            AuctionCommand::StartOpening { bids: stale }
        ),
        "AUCTION_OPENING_STEP"
    );
    assert_eq!(
        refusal(
            &state,
            61 * MIN,
            AuctionCommand::Close {
                reserve_fen: 0,
                salt: String::new()
            }
        ),
        "AUCTION_NOT_OPENED"
    );
    let state = run(
        state,
        &[(
            61 * MIN,
            AuctionCommand::StartOpening { bids: bids.clone() },
        )],
    );
    let partial = |holder: u32| AuctionCommand::AcceptPartial {
        holder,
        partials: vec![
            domain::BidPartial {
                bidder: domain::EntityId("x".into()),
                point: String::new(),
                proof: String::new(),
            };
            3
        ],
    };
    let state = run(state, &[(62 * MIN, partial(1))]);
    assert_eq!(
        refusal(&state, 62 * MIN, partial(1)),
        "AUCTION_OPENING_STEP"
    );
    let state = run(state, &[(62 * MIN, partial(2))]);
    // The lines must be the fixed bids, in order.
    assert_eq!(
        refusal(
            &state,
            63 * MIN,
            AuctionCommand::RecordOpened {
                lines: vec![opened("A", "a1", Some(1))]
            }
        ),
        "AUCTION_OPENING_STEP"
    );
    let lines = vec![
        opened("A", "a2", Some(1_200_000)),
        opened("B", "b1", Some(1_200_000)),
        opened("C", "c1", None),
    ];
    let state = run(state, &[(63 * MIN, AuctionCommand::RecordOpened { lines })]);
    assert_eq!(
        close(&state, 64 * MIN, 1_200_000),
        AuctionResult::Sold {
            bidder: "B".into(),
            price_fen: 1_200_000
        }
    );
    assert!(matches!(
        close(&state, 64 * MIN, 1_200_001),
        AuctionResult::NoSale { .. }
    ));
    // Nobody sealed a bid: the sale ends without an opening.
    assert!(matches!(
        close(&sale(sealed_terms()), 61 * MIN, 0),
        AuctionResult::NoSale { .. }
    ));
}
