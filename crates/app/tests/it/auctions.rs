//! 网上竞价 through the use cases, on both backends: anonymous 竞买号, deposits, every bid —
//! accepted or refused — in the ledger, the reserve committed and revealed, and the replay of the
//! whole sale from its public events reproducing the result and every refusal.

use domain::{AuctionEvent, AuctionMethod, AuctionResult, AuctionTerms};

use crate::support::{START_MS, demo_apps};
use crate::tendering::caller;

const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;

/// A sale of `category` by the demo tenderee (as 出让人).
async fn sale(
    test: &crate::support::TestApp,
    id: &str,
    category: &str,
    terms: AuctionTerms,
    reserve_fen: i64,
) -> app::NewAuction {
    app::NewAuction {
        id: id.into(),
        title: "杭政储出〔2026〕18号地块国有建设用地使用权".into(),
        category: category.into(),
        region: "330100".into(),
        transferor: caller(&test.app, "tenderee").await.entity_id,
        description: "位于杭州市上城区，出让面积 12,345 平方米，用途为商住用地。".into(),
        terms,
        reserve_fen,
    }
}

#[tokio::test]
async fn an_english_auction_is_replayed_from_the_ledger() {
    for test in demo_apps().await {
        let op = caller(&test.app, "operator").await;
        let terms = |start: i64| AuctionTerms {
            method: AuctionMethod::English {
                start_ms: start,
                free_until_ms: start + 60 * MIN,
                countdown_ms: 5 * MIN,
            },
            start_price_fen: 100_000_000,
            increment_fen: 1_000_000,
            deposit_fen: 5_000_000,
            min_bidders: 0,
            signed_bids: false,
        };
        // Land: the 出让公告 at least 20 days before the start (39号令); a land sale is no
        // listing... and the catalog does not offer 指标竞价 for it either way.
        let early = sale(
            &test,
            "TD-2026-001",
            "land",
            terms(START_MS + MIN),
            105_000_000,
        )
        .await;
        let size = test.size().await;
        assert_eq!(
            test.app
                .create_auction(&op, early)
                .await
                .unwrap_err()
                .code(),
            "AUCTION_PERIOD"
        );
        let mut not_a_transferor =
            sale(&test, "TD-2026-001", "land", terms(START_MS + 21 * DAY), 1).await;
        not_a_transferor.transferor = caller(&test.app, "bidder").await.entity_id;
        assert_eq!(
            test.app
                .create_auction(&op, not_a_transferor)
                .await
                .unwrap_err()
                .code(),
            "TRANSFEROR_NOT_QUALIFIED"
        );
        assert_eq!(test.size().await, size);
        let start = START_MS + 21 * DAY;
        test.app
            .create_auction(
                &op,
                sale(&test, "TD-2026-001", "land", terms(start), 105_000_000).await,
            )
            .await
            .unwrap();
        // The 竞价公告 is on the portal, with the rule it was checked against; not the reserve.
        let notice = test
            .app
            .announcement("TD-2026-001-auction_notice")
            .await
            .unwrap();
        assert!(
            notice
                .body
                .contains("出让公告应在招标拍卖挂牌开始之前至少20日")
        );
        assert!(!notice.body.contains("1,050,000.00"));
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
        assert!(numbers.iter().all(|n| n.starts_with('J') && n.len() == 13));
        // The bank's signed notice confirms a deposit; a changed, misdirected or short notice
        // is refused and changes nothing.
        let bank = app::DemoGuarantor::new_bank(&test.app).await.unwrap();
        let notice = bank.deposit_notice(
            "TD-2026-001",
            &bidder.entity_id,
            5_000_000,
            "ZJ20261128000017",
            START_MS,
        );
        let size = test.size().await;
        let mut forged = notice.clone();
        forged.notice.amount_fen = 50_000_000;
        let refusals = [
            (forged, "TD-2026-001", "DEPOSIT_NOTICE_INVALID"),
            (notice.clone(), "TD-2026-002", "DEPOSIT_NOTICE_INVALID"),
            (
                bank.deposit_notice("TD-2026-001", &bidder2.entity_id, 4_999_999, "ZJ-18", 0),
                "TD-2026-001",
                "AUCTION_DEPOSIT_SHORT",
            ),
        ];
        for (signed, id, code) in refusals {
            let error = test
                .app
                .receive_deposit_notice(id, &signed)
                .await
                .unwrap_err();
            assert_eq!(error.code(), code);
        }
        assert_eq!(test.size().await, size);
        test.app
            .receive_deposit_notice("TD-2026-001", &notice)
            .await
            .unwrap();
        assert_eq!(
            test.app
                .receive_deposit_notice("TD-2026-001", &notice)
                .await
                .unwrap_err()
                .code(),
            "AUCTION_DEPOSIT_CONFIRMED"
        );
        // The trading center confirms another from the bank's statement.
        test.app
            .confirm_auction_deposit(&op, "TD-2026-001", &bidder2.entity_id, 5_000_000)
            .await
            .unwrap();
        test.advance(21 * DAY + MIN);
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
        // The eligibility gate of every trading act: suspended after registering, bidder2's
        // bid is refused before the sale sees it (nothing recorded); reinstated, it bids.
        test.app
            .suspend_entity(&op, &bidder2.entity_id, "涉嫌串通投标，暂停交易")
            .await
            .unwrap();
        let size = test.size().await;
        assert_eq!(
            test.app
                .auction_bid(&bidder2, "TD-2026-001", 103_000_000, 1)
                .await
                .unwrap_err()
                .code(),
            "ENTITY_NOT_ACTIVE"
        );
        assert_eq!(test.size().await, size);
        test.app
            .reinstate_entity(&op, &bidder2.entity_id, "调查结束，恢复交易")
            .await
            .unwrap();
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
        // The buyer's deposit goes to the price, the other's back; the 成交公示 names the buyer.
        let events_now = test.app.auction_events("TD-2026-001").await.unwrap();
        let Some(AuctionEvent::Closed { deposits, .. }) = events_now.last() else {
            panic!()
        };
        assert_eq!(deposits.applied, [numbers[0].clone()]);
        assert_eq!(deposits.released, [numbers[1].clone()]);
        // 悔拍: only a buyer, only once; the deposit applied to the price is forfeited and both
        // facts are the buyer's credit records.
        assert_eq!(
            test.app
                .declare_sale_default(&op, "TD-2026-001", &numbers[1], "未签订成交确认书")
                .await
                .unwrap_err()
                .code(),
            "SALE_DEFAULT_NOT_BUYER"
        );
        test.app
            .declare_sale_default(&op, "TD-2026-001", &numbers[0], "未按期签订成交确认书")
            .await
            .unwrap();
        assert_eq!(
            test.app
                .declare_sale_default(&op, "TD-2026-001", &numbers[0], "再次")
                .await
                .unwrap_err()
                .code(),
            "SALE_DEFAULT_RECORDED"
        );
        let defaulted = test
            .app
            .sale_default("TD-2026-001", &numbers[0])
            .await
            .unwrap()
            .unwrap();
        assert!(defaulted.deposit_forfeited_fen > 0);
        let file = test
            .app
            .credit_file(&bidder.entity_id)
            .await
            .unwrap()
            .unwrap();
        let facts: Vec<&str> = file.records.iter().map(|r| r.fact.as_str()).collect();
        assert_eq!(facts, ["sale_default", "deposit_forfeited"]);
        let deal = test
            .app
            .announcement("TD-2026-001-deal_notice")
            .await
            .unwrap();
        let name = test
            .app
            .store()
            .entity(&bidder.entity_id)
            .await
            .unwrap()
            .unwrap()
            .name;
        assert!(
            deal.body.contains(&name) && deal.body.contains("1,060,000.00"),
            "{}",
            deal.body
        );
        assert!(deal.body.contains("1,050,000.00"));

        // Anyone replays it from the public events: the same result and every refusal.
        let events = test.app.auction_events("TD-2026-001").await.unwrap();
        assert_eq!(app::check_auction(&events).unwrap(), Some(result.clone()));
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
        // A bid backdated before the acts recorded ahead of it does not replay either.
        let mut forged = events.clone();
        let last_bid = forged
            .iter()
            .rposition(|e| matches!(e, AuctionEvent::BidAccepted { .. }))
            .unwrap();
        if let AuctionEvent::BidAccepted { bid } = &mut forged[last_bid] {
            bid.at_ms = start;
        }
        assert!(app::check_auction(&forged).is_err());
        // After the close a bid is refused and nothing is recorded.
        let size = test.size().await;
        assert_eq!(
            test.app
                .auction_bid(&bidder2, "TD-2026-001", 200_000_000, 1)
                .await
                .unwrap_err()
                .code(),
            "AUCTION_CLOSED"
        );
        assert_eq!(test.size().await, size);
        assert_eq!(
            test.app.verify_auction("TD-2026-001").await.unwrap().result,
            Some(result.clone())
        );
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

        // The per-sale check checks the ledger, not only the payloads: an accepted price edited
        // in the database fails it, and so does a result edited in the read state that the page
        // shows.
        let pool = test.raw().await;
        let stream = "auction/TD-2026-001";
        let row = sqlx::query(
            "SELECT seq, payload FROM ledger_entries WHERE stream = $1 AND kind = 'auction.bid_accepted' ORDER BY seq DESC",
        )
        .bind(stream)
        .fetch_one(&pool)
        .await
        .unwrap();
        let (seq, payload): (i64, String) =
            (sqlx::Row::get(&row, "seq"), sqlx::Row::get(&row, "payload"));
        let edited = payload.replace("106000000", "101000000");
        assert_ne!(edited, payload);
        sqlx::query("UPDATE ledger_entries SET payload = $1 WHERE seq = $2")
            .bind(&edited)
            .bind(seq)
            .execute(&pool)
            .await
            .unwrap();
        let error = test.app.verify_auction("TD-2026-001").await.unwrap_err();
        assert_eq!(error.code(), "AUCTION_REPLAY");
        assert!(
            error.to_string().contains(&format!("账本条目 {seq}")),
            "{error}"
        );
        sqlx::query("UPDATE ledger_entries SET payload = $1 WHERE seq = $2")
            .bind(&payload)
            .bind(seq)
            .execute(&pool)
            .await
            .unwrap();
        test.app.verify_auction("TD-2026-001").await.unwrap();
        sqlx::query(
            "UPDATE documents SET state = REPLACE(state, '106000000', '99000000') WHERE stream = $1",
        )
        .bind(stream)
        .execute(&pool)
        .await
        .unwrap();
        let error = test.app.verify_auction("TD-2026-001").await.unwrap_err();
        assert!(error.to_string().contains("页面和接口显示"), "{error}");
        pool.close().await;
    }
}

/// Many bids at once go through the sale's sequencer in group commits: every attempt is answered
/// and recorded, accepted prices rise, the replay agrees, and after a restart every acknowledged
/// bid is still there and the sale goes on from where it stood.
#[tokio::test]
async fn concurrent_bids_are_sequenced_and_survive_a_restart() {
    for mut test in demo_apps().await {
        let op = caller(&test.app, "operator").await;
        let terms = AuctionTerms {
            method: AuctionMethod::English {
                start_ms: START_MS,
                free_until_ms: START_MS + 60 * MIN,
                countdown_ms: 5 * MIN,
            },
            start_price_fen: 1_000_000,
            increment_fen: 10_000,
            deposit_fen: 5_000_000,
            min_bidders: 0,
            signed_bids: false,
        };
        // Registering for a sale that does not exist yet is refused and starts nothing that
        // could later stand in the sale's way.
        let early = caller(&test.app, "bidder").await;
        assert_eq!(
            test.app
                .register_for_auction(&early, "PW-2026-7")
                .await
                .unwrap_err()
                .code(),
            "AUCTION_NOT_FOUND"
        );
        test.app
            .create_auction(&op, sale(&test, "PW-2026-7", "pollutant", terms, 0).await)
            .await
            .unwrap();
        let bidders = [
            caller(&test.app, "bidder").await,
            caller(&test.app, "bidder2").await,
            caller(&test.app, "yuecheng").await,
        ];
        for who in &bidders {
            test.app
                .register_for_auction(who, "PW-2026-7")
                .await
                .unwrap();
            test.app
                .confirm_auction_deposit(&op, "PW-2026-7", &who.entity_id, 5_000_000)
                .await
                .unwrap();
        }
        test.advance(MIN);
        let size = test.size().await;
        // 150 attempts at once, each a price a little above the start: many are refused as too
        // low or as outbidding oneself, some accepted.
        let attempts: Vec<_> = (0..150)
            .map(|n| {
                let who = &bidders[n % 3];
                let price = 1_000_000 + (n as i64 / 2) * 10_000;
                test.app.auction_bid(who, "PW-2026-7", price, 1)
            })
            .collect();
        let outcomes = futures_util::future::join_all(attempts).await;
        let acknowledged: Vec<app::Receipt> = outcomes
            .iter()
            .filter_map(|o| o.as_ref().ok().cloned().flatten())
            .collect();
        assert!(!acknowledged.is_empty());
        for outcome in &outcomes {
            if let Err(e) = outcome {
                assert!(
                    ["AUCTION_TOO_LOW", "AUCTION_NOT_YOUR_TURN"].contains(&e.code()),
                    "{e:?}"
                );
            }
        }
        // Every attempt is one entry.
        assert_eq!(test.size().await, size + 150);
        // Fewer signed heads than attempts: the commits were grouped. (Counted over every
        // attempt, refusals included: how many of the bids are accepted depends on the order in
        // which they reach the sequencer, so the accepted ones alone may each fall in a group.)
        let heads = test
            .app
            .store()
            .head_sizes(size, 1_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|(head, _)| *head <= size + 150)
            .count();
        assert!(heads >= 1);
        assert!(heads < 150, "{heads} heads for 150 attempts");
        assert!(outcomes.iter().any(|o| o.is_err()));

        let before = test.app.auction("PW-2026-7").await.unwrap();
        test.restart().await;
        let after = test.app.auction("PW-2026-7").await.unwrap();
        assert_eq!(before, after);
        let events = test.app.auction_events("PW-2026-7").await.unwrap();
        for receipt in &acknowledged {
            let entry = test.app.store().entry(receipt.seq).await.unwrap().unwrap();
            assert_eq!(entry.kind, "auction.bid_accepted");
        }
        let prices: Vec<i64> = events
            .iter()
            .filter_map(|e| match e {
                AuctionEvent::BidAccepted { bid } => Some(bid.price_fen),
                _ => None,
            })
            .collect();
        assert_eq!(prices.len(), acknowledged.len());
        assert!(prices.windows(2).all(|w| w[1] > w[0]));
        // The restarted platform goes on from the same price.
        let current = after.current().unwrap().clone();
        let next = bidders
            .iter()
            .find(|b| test.app.auction_bidder_number("PW-2026-7", &b.entity_id) != current.bidder)
            .unwrap();
        test.app
            .auction_bid(next, "PW-2026-7", current.price_fen + 10_000, 1)
            .await
            .unwrap();
        test.advance(70 * MIN);
        let (result, _) = test.app.close_auction(&op, "PW-2026-7").await.unwrap();
        let events = test.app.auction_events("PW-2026-7").await.unwrap();
        assert_eq!(app::check_auction(&events).unwrap(), Some(result));
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

/// A mining right needs three bidders with deposits (矿业权交易规则): with two, the sale fails;
/// it is re-listed, and a state-property re-listing below 90 % of the last start price needs the
/// written approval.
#[tokio::test]
async fn too_few_bidders_fail_the_sale_and_it_is_relisted() {
    for test in demo_apps().await {
        let op = caller(&test.app, "operator").await;
        let terms = |start: i64, price: i64| AuctionTerms {
            method: AuctionMethod::English {
                start_ms: start,
                free_until_ms: start + 60 * MIN,
                countdown_ms: 5 * MIN,
            },
            start_price_fen: price,
            increment_fen: 10_000,
            deposit_fen: 100_000,
            min_bidders: 0,
            signed_bids: false,
        };
        test.app
            .create_auction(
                &op,
                sale(
                    &test,
                    "KY-2026-3",
                    "mining",
                    terms(START_MS + MIN, 5_000_000),
                    0,
                )
                .await,
            )
            .await
            .unwrap();
        assert_eq!(
            test.app
                .auction("KY-2026-3")
                .await
                .unwrap()
                .terms
                .min_bidders,
            3
        );
        for name in ["bidder", "bidder2"] {
            let who = caller(&test.app, name).await;
            test.app
                .register_for_auction(&who, "KY-2026-3")
                .await
                .unwrap();
            test.app
                .confirm_auction_deposit(&op, "KY-2026-3", &who.entity_id, 100_000)
                .await
                .unwrap();
        }
        test.advance(2 * MIN);
        let bidder = caller(&test.app, "bidder").await;
        test.app
            .auction_bid(&bidder, "KY-2026-3", 5_000_000, 1)
            .await
            .unwrap();
        // Relisting an open sale is refused.
        let again = sale(
            &test,
            "KY-2026-3R",
            "mining",
            terms(START_MS + DAY, 4_000_000),
            0,
        )
        .await;
        assert_eq!(
            test.app
                .relist_auction(&op, "KY-2026-3", again.clone(), "")
                .await
                .unwrap_err()
                .code(),
            "AUCTION_RELIST"
        );
        test.advance(70 * MIN);
        let (result, winner) = test.app.close_auction(&op, "KY-2026-3").await.unwrap();
        assert!(
            matches!(&result, AuctionResult::NoSale { reason } if reason.contains("不足规则要求的3个")),
            "{result:?}"
        );
        assert_eq!(winner, None);
        let notice = test
            .app
            .announcement("KY-2026-3-no_sale_notice")
            .await
            .unwrap();
        assert!(notice.body.contains("流拍"));
        // Re-listed once, at a lower price (mining has no price floor in its rule set).
        test.app
            .relist_auction(&op, "KY-2026-3", again.clone(), "")
            .await
            .unwrap();
        let relisted = test.app.auction("KY-2026-3R").await.unwrap();
        assert_eq!(relisted.info.relists.as_deref(), Some("KY-2026-3"));
        let mut twice = again.clone();
        twice.id = "KY-2026-3S".into();
        assert_eq!(
            test.app
                .relist_auction(&op, "KY-2026-3", twice, "")
                .await
                .unwrap_err()
                .code(),
            "AUCTION_RELIST"
        );

        // State property: announced at least 20 working days ahead; re-listing below 90 %.
        let start = START_MS + 40 * DAY;
        test.app
            .create_auction(
                &op,
                sale(
                    &test,
                    "GQ-2026-9",
                    "state_property",
                    terms(start, 10_000_000),
                    0,
                )
                .await,
            )
            .await
            .unwrap();
        test.advance(41 * DAY);
        test.app.close_auction(&op, "GQ-2026-9").await.unwrap();
        let cheaper = |id: &str, price: i64| {
            let test = &test;
            let id = id.to_string();
            async move {
                sale(
                    test,
                    &id,
                    "state_property",
                    terms(START_MS + 80 * DAY, price),
                    0,
                )
                .await
            }
        };
        assert_eq!(
            test.app
                .relist_auction(&op, "GQ-2026-9", cheaper("GQ-2026-9R", 8_900_000).await, "")
                .await
                .unwrap_err()
                .code(),
            "AUCTION_RELIST"
        );
        test.app
            .relist_auction(
                &op,
                "GQ-2026-9",
                cheaper("GQ-2026-9R", 8_900_000).await,
                "浙国资产权〔2026〕12号",
            )
            .await
            .unwrap();
        let relisted = test.app.auction("GQ-2026-9R").await.unwrap();
        assert_eq!(
            relisted.info.approval.as_deref(),
            Some("浙国资产权〔2026〕12号")
        );
        let notice = test
            .app
            .announcement("GQ-2026-9R-auction_notice")
            .await
            .unwrap();
        assert!(notice.body.contains("浙国资产权〔2026〕12号"));
    }
}

/// A sale that asks for signed bids: an unsigned bid is refused; a bid signed with another
/// entity's certificate, or over another 竞买号, is refused; the bidder's own signature is accepted
/// and kept, confidential, in the same commit as the bid.
#[tokio::test]
async fn a_sale_with_signed_bids_checks_each_signature() {
    for test in demo_apps().await {
        let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
        let key_of = |username: &str| {
            let c = certificates
                .iter()
                .find(|c| c.username == username)
                .unwrap();
            (
                crypto::PlatformKey::from_pkcs8_pem(&c.key_pem).unwrap(),
                c.cert_pem.clone(),
            )
        };
        let op = caller(&test.app, "operator").await;
        let terms = AuctionTerms {
            method: AuctionMethod::English {
                start_ms: START_MS,
                free_until_ms: START_MS + 60 * MIN,
                countdown_ms: 5 * MIN,
            },
            start_price_fen: 1_000_000,
            increment_fen: 10_000,
            deposit_fen: 0,
            min_bidders: 0,
            signed_bids: true,
        };
        test.app
            .create_auction(
                &op,
                sale(&test, "QT-2026-9", "other_assets", terms, 0).await,
            )
            .await
            .unwrap();
        let bidder = caller(&test.app, "bidder").await;
        test.app
            .register_for_auction(&bidder, "QT-2026-9")
            .await
            .unwrap();
        test.advance(MIN);
        assert_eq!(
            test.app
                .auction_bid(&bidder, "QT-2026-9", 1_000_000, 1)
                .await
                .unwrap_err()
                .code(),
            "AUCTION_SIGNATURE_REQUIRED"
        );
        let message = test
            .app
            .bid_message("QT-2026-9", &bidder.entity_id, 1_000_000, 1);
        let sign = |username: &str, message: &serde_json::Value| {
            let (key, cert) = key_of(username);
            app::SignedBid {
                payload: message.clone(),
                signature: key.sign_json(message).unwrap().to_hex(),
                certificate: cert,
                algorithm: String::new(),
            }
        };
        let size = test.size().await;
        // Another entity's certificate; another 竞买号; a changed price after signing.
        let other = test.app.bid_message(
            "QT-2026-9",
            &caller(&test.app, "bidder2").await.entity_id,
            1_000_000,
            1,
        );
        let mut changed = sign("bidder", &message);
        changed.payload["price_fen"] = serde_json::json!(1_010_000);
        for (signed, code) in [
            (sign("bidder2", &message), "AUCTION_SIGNATURE_INVALID"),
            (sign("bidder", &other), "AUCTION_SIGNATURE_INVALID"),
            (changed, "CERT_BAD_SIGNATURE"),
        ] {
            let error = test
                .app
                .auction_bid_signed(&bidder, "QT-2026-9", &signed)
                .await
                .unwrap_err();
            assert_eq!(error.code(), code);
        }
        assert_eq!(test.size().await, size);
        let receipt = test
            .app
            .auction_bid_signed(&bidder, "QT-2026-9", &sign("bidder", &message))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(receipt.kind, "auction.bid_accepted");
        // The bid and its signature, one commit.
        assert_eq!(test.size().await, size + 2);
        let evidence = test
            .app
            .store()
            .stream_entries("auction-sealed/QT-2026-9")
            .await
            .unwrap();
        let kept = evidence
            .iter()
            .find(|row| row.kind == "auction.bid_signature")
            .unwrap();
        assert_eq!(kept.visibility, "supervision");
        assert_eq!(kept.seq as u64, receipt.seq + 1);
        // The sale's document follows its own stream, not the confidential entry after it.
        let report = app::verify_store(
            test.app.store(),
            &test.app.public_key(),
            &test.app.settings().origin,
        )
        .await
        .unwrap();
        assert!(report.is_sound(), "{:?}", report.problems);
        test.app
            .auction_bid_signed(
                &bidder,
                "QT-2026-9",
                &sign(
                    "bidder",
                    &test
                        .app
                        .bid_message("QT-2026-9", &bidder.entity_id, 1_010_000, 1),
                ),
            )
            .await
            .unwrap_err();
        // A revoked certificate signs no more bids (the holder is judged again each second).
        let (_, cert) = key_of("bidder");
        let fingerprint = crypto::Certificate::from_pem(&cert)
            .unwrap()
            .fingerprint()
            .to_hex();
        test.app
            .revoke_certificate(&op, &bidder.entity_id, &fingerprint, "证书私钥泄露")
            .await
            .unwrap();
        test.advance(2_000);
        let refused = test
            .app
            .auction_bid_signed(
                &bidder,
                "QT-2026-9",
                &sign(
                    "bidder",
                    &test
                        .app
                        .bid_message("QT-2026-9", &bidder.entity_id, 1_020_000, 1),
                ),
            )
            .await
            .unwrap_err();
        assert_eq!(refused.code(), "CERT_REVOKED");
    }
}

/// 密封报价 with the tendering envelope: the public sees numbers and digests only until the
/// close; the key holders check the opening against the sale's published close before they
/// decrypt; the highest opened price wins, an equal price going to the earlier envelope.
#[tokio::test]
async fn a_sealed_bid_sale_is_opened_by_the_key_holders() {
    for test in demo_apps().await {
        let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
        let holders = app::run_simulated_ceremony(&test.app, "2026-12")
            .await
            .unwrap();
        let op = caller(&test.app, "operator").await;
        let terms = AuctionTerms {
            method: AuctionMethod::Sealed {
                start_ms: START_MS,
                close_ms: START_MS + 60 * MIN,
            },
            start_price_fen: 1_000_000,
            increment_fen: 0,
            deposit_fen: 0,
            min_bidders: 0,
            signed_bids: false,
        };
        test.app
            .create_auction(
                &op,
                sale(&test, "FB-2026-1", "other_assets", terms, 1_200_000).await,
            )
            .await
            .unwrap();
        let key = test
            .app
            .auction("FB-2026-1")
            .await
            .unwrap()
            .info
            .opening_key
            .unwrap()
            .public_key;
        let who = [
            caller(&test.app, "bidder").await,
            caller(&test.app, "bidder2").await,
            caller(&test.app, "yuecheng").await,
        ];
        for bidder in &who {
            test.app
                .register_for_auction(bidder, "FB-2026-1")
                .await
                .unwrap();
        }
        test.advance(MIN);
        let envelope = |n: usize, sale_id: &str, price: i64| {
            let names = ["bidder", "bidder2", "yuecheng"];
            crate::tendering::seal(
                &certificates,
                names[n],
                &who[n].entity_id,
                sale_id,
                &key,
                price,
            )
        };
        assert_eq!(
            test.app
                .auction_bid(&who[0], "FB-2026-1", 1_300_000, 1)
                .await
                .unwrap_err()
                .code(),
            "AUCTION_SEALED_ONLY"
        );
        let size = test.size().await;
        // Another sale's envelope; another bidder's envelope.
        for (by, bytes) in [
            (0, envelope(0, "FB-2026-X", 1_300_000)),
            (0, envelope(1, "FB-2026-1", 1_300_000)),
        ] {
            let error = test
                .app
                .submit_sealed_auction_bid(&who[by], "FB-2026-1", &bytes)
                .await
                .unwrap_err();
            assert_eq!(error.code(), "ENVELOPE_INVALID");
        }
        assert_eq!(test.size().await, size);
        let submit = |n: usize, price: i64| {
            let bytes = envelope(n, "FB-2026-1", price);
            let app = &test.app;
            let who = &who[n];
            async move {
                app.submit_sealed_auction_bid(who, "FB-2026-1", &bytes)
                    .await
                    .unwrap()
            }
        };
        submit(0, 1_300_000).await;
        test.advance(MIN);
        submit(1, 1_250_000).await;
        test.advance(MIN);
        // The first bidder replaces its bid: now equal to the second's, and later.
        submit(0, 1_250_000).await;
        submit(2, 900_000).await;
        // Before the close: numbers and digests only.
        let public =
            serde_json::to_string(&test.app.auction_events("FB-2026-1").await.unwrap()).unwrap();
        assert!(who.iter().all(|w| !public.contains(&w.entity_id)));
        assert_eq!(
            test.app
                .start_auction_opening(&op, "FB-2026-1")
                .await
                .unwrap_err()
                .code(),
            "AUCTION_STILL_OPEN"
        );
        test.advance(60 * MIN);
        test.app
            .start_auction_opening(&op, "FB-2026-1")
            .await
            .unwrap();
        let request = test.app.sale_opening_request("FB-2026-1").await.unwrap();
        // A holder's partials submitted by another account are refused.
        let first = holders[0].sale_partials(&request).unwrap();
        let stranger = caller(&test.app, "bidder").await;
        assert_eq!(
            test.app
                .submit_sale_partials(&stranger, "FB-2026-1", first.clone())
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        // The demo's simulated holders check the same request and send their partials.
        app::simulated_holders_round(&test.app, &holders)
            .await
            .unwrap();
        let auction = test.app.auction("FB-2026-1").await.unwrap();
        let opened = auction.opening.unwrap().opened.unwrap();
        let prices: Vec<Option<i64>> = opened.iter().map(|l| l.price_fen).collect();
        assert_eq!(prices.len(), 3);
        assert!(prices.contains(&Some(900_000)), "{opened:?}");
        let (result, winner) = test.app.close_auction(&op, "FB-2026-1").await.unwrap();
        assert_eq!(
            result,
            AuctionResult::Sold {
                bidder: test
                    .app
                    .auction_bidder_number("FB-2026-1", &who[1].entity_id),
                price_fen: 1_250_000
            }
        );
        assert_eq!(winner.as_deref(), Some(who[1].entity_id.as_str()));
        let events = test.app.auction_events("FB-2026-1").await.unwrap();
        assert_eq!(app::check_auction(&events).unwrap(), Some(result));
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

#[test]
fn durations_are_written_to_the_second() {
    for (ms, text) in [
        (300_000, "5 分钟"),
        (90_000, "1 分 30 秒"),
        (45_000, "45 秒"),
        (500, "1 秒"),
        (0, "0 秒"),
    ] {
        assert_eq!(app::duration_zh(ms), text);
    }
}
