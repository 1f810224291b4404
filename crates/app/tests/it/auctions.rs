//! 网上竞价 through the use cases, on both backends: anonymous 竞买号, deposits, every bid —
//! accepted or refused — in the ledger, the reserve committed and revealed, and the replay of the
//! whole sale from its public events reproducing the result and every refusal.

use domain::{AuctionEvent, AuctionMethod, AuctionResult, AuctionTerms};

use crate::support::{START_MS, demo_apps};
use crate::tendering::caller;

const MIN: i64 = 60_000;

#[tokio::test]
async fn an_english_auction_is_replayed_from_the_ledger() {
    for test in demo_apps().await {
        let op = caller(&test.app, "operator").await;
        let terms = AuctionTerms {
            method: AuctionMethod::English {
                start_ms: START_MS,
                free_until_ms: START_MS + 60 * MIN,
                countdown_ms: 5 * MIN,
            },
            start_price_fen: 100_000_000,
            increment_fen: 1_000_000,
        };
        test.app
            .create_auction(
                &op,
                app::NewAuction {
                    id: "TD-2026-001".into(),
                    terms,
                    reserve_fen: 105_000_000,
                },
            )
            .await
            .unwrap();
        let bidder = caller(&test.app, "bidder").await;
        let bidder2 = caller(&test.app, "bidder2").await;
        let yuecheng = caller(&test.app, "yuecheng").await;
        let mut numbers = Vec::new();
        for who in [&bidder, &bidder2, &yuecheng] {
            let (number, _) = test
                .app
                .register_for_auction(who, "TD-2026-001")
                .await
                .unwrap();
            numbers.push(number);
        }
        // Bidders appear by number only.
        assert!(numbers.iter().all(|n| n.starts_with('J') && n.len() == 9));
        for who in [&bidder, &bidder2] {
            test.app
                .confirm_auction_deposit(&op, "TD-2026-001", &who.entity_id)
                .await
                .unwrap();
        }
        test.advance(MIN);
        // Refused, and recorded: no deposit, too low, outbidding oneself.
        let size = test.size().await;
        let refusal = test
            .app
            .auction_bid(&yuecheng, "TD-2026-001", 100_000_000, 1)
            .await
            .unwrap_err();
        assert_eq!(refusal.code(), "AUCTION_DEPOSIT_MISSING");
        assert_eq!(test.size().await, size + 1);
        assert_eq!(
            test.app
                .auction_bid(&bidder, "TD-2026-001", 99_000_000, 1)
                .await
                .unwrap_err()
                .code(),
            "AUCTION_TOO_LOW"
        );
        test.app
            .auction_bid(&bidder, "TD-2026-001", 100_000_000, 1)
            .await
            .unwrap();
        assert_eq!(
            test.app
                .auction_bid(&bidder, "TD-2026-001", 101_000_000, 1)
                .await
                .unwrap_err()
                .code(),
            "AUCTION_NOT_YOUR_TURN"
        );
        test.app
            .auction_bid(&bidder2, "TD-2026-001", 103_000_000, 1)
            .await
            .unwrap();
        // Timed bidding: a bid late in the countdown restarts it.
        test.advance(63 * MIN);
        test.app
            .auction_bid(&bidder, "TD-2026-001", 106_000_000, 1)
            .await
            .unwrap();
        assert_eq!(
            test.app
                .close_auction(&op, "TD-2026-001")
                .await
                .unwrap_err()
                .code(),
            "AUCTION_STILL_OPEN"
        );
        test.advance(5 * MIN);
        assert_eq!(
            test.app
                .auction_bid(&bidder2, "TD-2026-001", 107_000_000, 1)
                .await
                .unwrap_err()
                .code(),
            "AUCTION_TOO_LATE"
        );
        let (result, winner) = test.app.close_auction(&op, "TD-2026-001").await.unwrap();
        assert_eq!(
            result,
            AuctionResult::Sold {
                bidder: numbers[0].clone(),
                price_fen: 106_000_000
            }
        );
        assert_eq!(winner.as_deref(), Some(bidder.entity_id.as_str()));

        // Anyone replays it from the public events: the same result and every refusal.
        let events = test.app.auction_events("TD-2026-001").await.unwrap();
        assert_eq!(app::check_auction(&events).unwrap(), Some(result));
        let refused = events
            .iter()
            .filter(|e| matches!(e, AuctionEvent::BidRefused { .. }))
            .count();
        assert_eq!(refused, 4);
        // A refusal recorded with another reason, or a changed reserve, does not replay.
        let mut forged = events.clone();
        for event in forged.iter_mut() {
            if let AuctionEvent::BidRefused { code, .. } = event {
                *code = "AUCTION_TOO_LOW".into();
                break;
            }
        }
        assert!(app::check_auction(&forged).is_err());
        let mut forged = events.clone();
        if let Some(AuctionEvent::Closed { reserve_fen, .. }) = forged.last_mut() {
            *reserve_fen = 1;
        }
        assert!(app::check_auction(&forged).is_err());
        // The public sees the bids by number; no entity id appears.
        let public = serde_json::to_string(&events).unwrap();
        assert!(!public.contains(&bidder.entity_id));

        let report = app::verify_store(
            test.app.store(),
            &test.app.public_key(),
            &test.app.settings().origin,
        )
        .await
        .unwrap();
        assert!(report.is_sound(), "{:?}", report.problems);
    }
}
