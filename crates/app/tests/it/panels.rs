//! After the draw, on both backends: experts confirm and sign the 回避承诺 before they may see a
//! bid; declines, silence and conflicts are replaced from the backups in the published order and
//! re-checked from the public record; the organiser sees names from the evaluation day and rates;
//! ratings, declared relations and recent draws feed later draws; rooms are never double-booked;
//! an Excel import is all or nothing.

use app::{Caller, NewBooking, NewDraw, NewRoom};
use domain::Expert;

use crate::support::{DrawNow, TestApp, demo_apps};
use crate::tendering::{bid, caller, published};

const DAY: i64 = 86_400_000;

fn id_number(region: &str, birth: &str, seq: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first = format!("{region}{birth}{seq}");
    let sum: u32 = first
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{first}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// An employer that is no party of the demo's procedures.
fn neutral_employer() -> String {
    crate::support::uscc("MA2K8L3P7")
}

/// Eight more 工程/施工 experts with a neutral employer.
async fn more_experts(test: &TestApp, op: &Caller) {
    let mut csv = format!("{}\n", domain::EXPERT_CSV_HEADER);
    for n in 0..8 {
        csv.push_str(&format!(
            "专家{n},{},{},330100,A0103,高级工程师,副高级,12,2026-01-15\n",
            id_number("330102", &format!("197{n}0101"), &format!("{}", 200 + n)),
            neutral_employer()
        ));
    }
    test.app.import_experts(op, &csv).await.unwrap();
}

fn request(lot: &str, date: &str, count: u32, backups: u32, recent_days: u32) -> NewDraw {
    NewDraw {
        lot: lot.to_string(),
        evaluation_date: date.into(),
        needs: vec![("A01".into(), count)],
        backups,
        recent_days,
        excluded_regions: Vec::new(),
        confirm_minutes: Some(60),
    }
}

async fn expert_caller(test: &TestApp, op: &Caller, pseudonym: &str) -> Caller {
    let username = match test.app.expert(op, pseudonym).await.unwrap().account {
        Some(linked) => linked,
        None => {
            test.app
                .open_expert_account(op, pseudonym, None, "Expert2026pass")
                .await
                .unwrap();
            Expert::account_name(pseudonym)
        }
    };
    test.app.caller_for(&username).await.unwrap()
}

#[tokio::test]
async fn the_panel_is_confirmed_declared_replaced_and_rated() {
    for test in demo_apps().await {
        let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
        app::run_simulated_ceremony(&test.app, "2026-12")
            .await
            .unwrap();
        let (procedure, lot) = published(&test, "上城区学校改扩建工程").await;
        let key = procedure.opening_key.clone().unwrap().public_key;
        bid(&test, &certificates, "bidder", &lot, &key, 1_000_000).await;
        bid(&test, &certificates, "bidder2", &lot, &key, 1_100_000).await;
        let op = caller(&test.app, "operator").await;
        more_experts(&test, &op).await;

        // A date in the past, a bad confirmation window: refused.
        let mut past = request(&lot, "2026-11-30", 3, 2, 0);
        assert_eq!(
            test.app
                .draw_now(&op, past.clone())
                .await
                .unwrap_err()
                .code(),
            "DRAW_DATE_PAST"
        );
        past.evaluation_date = "2026-12-29".into();
        past.confirm_minutes = Some(1);
        assert_eq!(
            test.app.draw_now(&op, past).await.unwrap_err().code(),
            "DRAW_CONFIRM_WINDOW"
        );

        let (committed, revealed) = test
            .app
            .draw_now(&op, request(&lot, "2026-12-29", 3, 2, 0))
            .await
            .unwrap();
        let draw = committed.id.clone();
        let drawn = revealed.result.panels[0].experts.clone();
        let backups = revealed.result.panels[0].backups.clone();
        // The pool commits to every name.
        assert!(committed.pool.iter().all(|e| e.name_commitment.len() == 64));
        // The public record knows experts by this draw's pool ids; the trading center maps
        // them to the lasting pseudonyms.
        let pseudonym = |id: String| {
            let (app, op, draw) = (&test.app, &op, draw.clone());
            async move { app.draw_pseudonym(op, &draw, &id).await.unwrap() }
        };
        let p0 = pseudonym(drawn[0].clone()).await;
        let p1 = pseudonym(drawn[1].clone()).await;
        let pb0 = pseudonym(backups[0].clone()).await;
        let pb1 = pseudonym(backups[1].clone()).await;
        let p2 = pseudonym(drawn[2].clone()).await;
        assert!(!committed.pool.iter().any(|e| e.pseudonym == p0));
        let e0 = expert_caller(&test, &op, &p0).await;
        let e1 = expert_caller(&test, &op, &p1).await;
        let b0 = expert_caller(&test, &op, &pb0).await;

        // An expert may not sign before confirming, nor see the lot before signing.
        assert_eq!(
            test.app
                .declare_no_conflict(&e0, &draw, None)
                .await
                .unwrap_err()
                .code(),
            "SEAT_NOT_CONFIRMED"
        );
        // A backup holds no seat yet.
        assert_eq!(
            test.app.confirm_seat(&b0, &draw).await.unwrap_err().code(),
            "NOT_ON_PANEL"
        );
        test.app.confirm_seat(&e0, &draw).await.unwrap();
        assert!(!test.app.expert_may_evaluate(&e0, &lot).await.unwrap());
        test.app
            .declare_no_conflict(&e0, &draw, None)
            .await
            .unwrap();
        assert!(test.app.expert_may_evaluate(&e0, &lot).await.unwrap());
        let mine = test.app.my_seats(&e0).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].status, "declared");
        assert!(mine[0].statement.contains("回避"));
        // Other experts and other roles see nothing of it.
        assert!(!test.app.expert_may_evaluate(&e1, &lot).await.unwrap());
        assert!(test.app.my_seats(&b0).await.unwrap().is_empty());
        let bidder = caller(&test.app, "bidder").await;
        assert!(!test.app.expert_may_evaluate(&bidder, &lot).await.unwrap());
        assert_eq!(
            test.app.my_seats(&bidder).await.unwrap_err().code(),
            "NOT_AUTHORIZED"
        );

        // e1 declines: the first backup takes the seat.
        test.app
            .decline_seat(&e1, &draw, None, "当日另有评标任务")
            .await
            .unwrap();
        // The third did not answer: only after the window does the center replace them.
        let size = test.size().await;
        assert_eq!(
            test.app
                .seat_no_response(&op, &draw, &drawn[2])
                .await
                .unwrap_err()
                .code(),
            "CONFIRM_WINDOW_OPEN"
        );
        assert_eq!(test.size().await, size);
        assert_eq!(
            test.app
                .seat_no_response(&e0, &draw, &drawn[2])
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        test.advance(61 * 60_000);
        test.app
            .seat_no_response(&op, &draw, &drawn[2])
            .await
            .unwrap();
        // The first backup confirms, then declares a conflict: no backup left, the seat is vacant.
        test.app.confirm_seat(&b0, &draw).await.unwrap();
        test.app
            .declare_no_conflict(&b0, &draw, Some("近三年曾在投标人处任职"))
            .await
            .unwrap();
        let record = test.app.draw_record(&draw).await.unwrap();
        assert_eq!(record.replaced.len(), 3);
        let seats = app::check_record(&record).unwrap();
        assert_eq!(
            seats[0].1,
            vec![Some(drawn[0].clone()), None, Some(backups[1].clone())]
        );
        // The public replacements carry pseudonyms and reasons, not the expert's words.
        let public = serde_json::to_string(&record.replaced).unwrap();
        assert!(!public.contains("评标任务") && !public.contains("投标人处"));
        // A replacement out of order does not check.
        let mut forged = record.clone();
        forged.replaced[0].replacement.replacement = Some(backups[1].clone());
        assert!(app::check_record(&forged).is_err());

        // Who sees the panel: oversight with names; the organiser without names before the day.
        let supervisor = caller(&test.app, "supervisor").await;
        let seen = test.app.panel_view(&supervisor, &draw).await.unwrap();
        assert!(seen.names_visible && seen.seats[0].name.is_some());
        assert_eq!(
            seen.replacements[0].detail.as_deref(),
            Some("当日另有评标任务")
        );
        let tenderee = caller(&test.app, "tenderee").await;
        let early = test.app.panel_view(&tenderee, &draw).await.unwrap();
        assert!(!early.names_visible);
        assert!(early.seats.iter().all(|s| s.name.is_none()));
        assert!(early.replacements.iter().all(|r| r.detail.is_none()));
        for who in [&bidder, &e0] {
            assert_eq!(
                test.app.panel_view(who, &draw).await.unwrap_err().code(),
                "NOT_AUTHORIZED"
            );
        }
        // Rating before the evaluation day, and disclosure before the award: refused.
        assert_eq!(
            test.app
                .rate_expert(&tenderee, &draw, &drawn[0], 50, "")
                .await
                .unwrap_err()
                .code(),
            "RATING_TOO_EARLY"
        );
        assert_eq!(
            test.app
                .disclose_panel(&op, &draw)
                .await
                .unwrap_err()
                .code(),
            "PANEL_NOT_YET_DISCLOSABLE"
        );

        // A relation declared by an expert keeps them out of later draws involving the entity.
        let a01 = |e: &&domain::PoolExpert| e.categories.contains(&"A01".to_string());
        let panel_members = [&p0, &p1, &p2, &pb0, &pb1];
        let related = test
            .app
            .experts(&op, None, 100, 0)
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|e| e.name.starts_with("专家") && !panel_members.contains(&&e.pseudonym))
            .unwrap()
            .pseudonym;
        test.app
            .declare_expert_relation(&op, &related, &tenderee.entity_id, "近亲属任职")
            .await
            .unwrap();
        // A second draw for the same tenderee within 30 days avoids everyone seated on the first.
        let (second, _) = test
            .app
            .draw_now(&op, request(&lot, "2026-12-29", 1, 0, 30))
            .await
            .unwrap();
        // Those who hold a seat now: the first expert and the second backup (the first backup
        // withdrew; the seat is vacant). Those who declined did not sit.
        assert_eq!(second.excluded_by.get("recent_same_tenderee"), Some(&2));
        // The relation joins the parties' count (employment and relations are one public bucket).
        assert_eq!(
            second.excluded_by.get("party").copied().unwrap_or(0),
            committed.excluded_by.get("party").copied().unwrap_or(0) + 1
        );
        // Pool ids differ from draw to draw: the public cannot follow an expert.
        assert!(second.pool.iter().all(|e| !committed.pool.contains(e)));
        // Without a recency rule, those seated that day are still busy, for any tenderee.
        let (third_same_day, _) = test
            .app
            .draw_now(&op, request(&lot, "2026-12-29", 1, 0, 0))
            .await
            .unwrap();
        assert_eq!(third_same_day.excluded_by.get("busy"), Some(&3));
        assert_eq!(third_same_day.excluded_by.get("recent_same_tenderee"), None);

        // On the evaluation day the organiser sees who sits, and rates them once.
        test.advance(28 * DAY);
        let day = test.app.panel_view(&tenderee, &draw).await.unwrap();
        assert!(day.names_visible && day.may_rate);
        let sitting = day.seats.iter().find(|s| s.pool_id == drawn[0]).unwrap();
        assert!(sitting.pseudonym.is_none());
        assert!(sitting.name.is_some());
        let invited = day.seats.iter().find(|s| s.pool_id == backups[1]).unwrap();
        assert!(invited.name.is_none());
        test.app
            .rate_expert(&tenderee, &draw, &drawn[0], 50, "评审意见过于简单")
            .await
            .unwrap();
        // Below the rule set's line: a credit record of the expert, under its pseudonym only.
        let pseudonym = test
            .app
            .credit_listings(true, 100, 0)
            .await
            .unwrap()
            .0
            .into_iter()
            .find(|l| l.kind == domain::SubjectKind::Expert)
            .expect("the rated expert's credit file");
        let file = test
            .app
            .credit_file(&pseudonym.subject)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(file.records[0].fact, "expert_misconduct");
        assert!(
            !file.records[0].detail.contains("评审意见过于简单"),
            "the comment stays confidential"
        );
        assert_eq!(
            test.app
                .rate_expert(&tenderee, &draw, &drawn[0], 90, "")
                .await
                .unwrap_err()
                .code(),
            "ALREADY_RATED"
        );
        assert_eq!(
            test.app
                .rate_expert(&tenderee, &draw, &backups[1], 90, "")
                .await
                .unwrap_err()
                .code(),
            "NOT_ON_PANEL"
        );
        assert_eq!(
            test.app
                .rate_expert(&bidder, &draw, &drawn[0], 90, "")
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        // A second poor rating within the rule set's window keeps the expert out of draws:
        // draw everyone eligible so that e0 sits again, and rate them poorly once more.
        let eligible = committed.pool.iter().filter(a01).count() as u32 - 1;
        let (all, all_revealed) = test
            .app
            .draw_now(&op, request(&lot, "2026-12-30", eligible, 0, 0))
            .await
            .unwrap();
        let mut all_members = Vec::new();
        for id in &all_revealed.result.panels[0].experts {
            all_members.push(test.app.draw_pseudonym(&op, &all.id, id).await.unwrap());
        }
        assert!(all_members.contains(&p0));
        test.app.confirm_seat(&e0, &all.id).await.unwrap();
        test.app
            .declare_no_conflict(&e0, &all.id, None)
            .await
            .unwrap();
        // A relation declared after the draw: the platform checks again when the expert signs,
        // and the expert withdraws instead of signing.
        let other = all_members.iter().find(|p| **p != p0).unwrap().clone();
        let bidder2 = caller(&test.app, "bidder2").await;
        test.app
            .declare_expert_relation(&op, &other, &bidder2.entity_id, "近亲属任职")
            .await
            .unwrap();
        let x = expert_caller(&test, &op, &other).await;
        test.app.confirm_seat(&x, &all.id).await.unwrap();
        let checked = test
            .app
            .declare_no_conflict(&x, &all.id, None)
            .await
            .unwrap();
        assert_eq!(checked.kind, "panel.replaced");
        assert!(!test.app.expert_may_evaluate(&x, &lot).await.unwrap());
        test.advance(DAY);
        test.app
            .rate_expert(&tenderee, &all.id, &p0, 40, "迟到两小时")
            .await
            .unwrap();
        let (third, _) = test
            .app
            .draw_now(&op, request(&lot, "2026-12-31", 1, 0, 0))
            .await
            .unwrap();
        assert_eq!(third.excluded_by.get("poor_record"), Some(&1));
        let record = test.app.expert(&supervisor, &p0).await.unwrap();
        assert_eq!(record.ratings.len(), 2);

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

#[tokio::test]
async fn expert_accounts_are_linked_one_to_one() {
    let test = demo_apps().await.remove(0);
    let op = caller(&test.app, "operator").await;
    let experts = test.app.experts(&op, None, 100, 0).await.unwrap();
    // The demo's `expert` account is 陈立明's.
    let linked = experts.items.iter().find(|e| e.name == "陈立明").unwrap();
    assert_eq!(linked.account.as_deref(), Some("expert"));
    let expert = caller(&test.app, "expert").await;
    assert_eq!(
        test.app.my_expert_record(&expert).await.unwrap().pseudonym,
        linked.pseudonym
    );
    let other = experts.items.iter().find(|e| e.account.is_none()).unwrap();
    assert_eq!(
        test.app
            .link_expert_account(&op, &other.pseudonym, "expert")
            .await
            .unwrap_err()
            .code(),
        "EXPERT_ACCOUNT_LINKED"
    );
    assert_eq!(
        test.app
            .link_expert_account(&op, &other.pseudonym, "bidder")
            .await
            .unwrap_err()
            .code(),
        "EXPERT_ACCOUNT_ROLE"
    );
    assert_eq!(
        test.app
            .open_expert_account(&expert, &other.pseudonym, None, "Expert2026pass")
            .await
            .unwrap_err()
            .code(),
        "NOT_AUTHORIZED"
    );
    // The expert declares a relation for themself, not for another expert.
    test.app
        .declare_expert_relation(
            &expert,
            &linked.pseudonym,
            &neutral_employer(),
            "近三年曾任职",
        )
        .await
        .unwrap();
    assert_eq!(
        test.app
            .declare_expert_relation(&expert, &other.pseudonym, &neutral_employer(), "x")
            .await
            .unwrap_err()
            .code(),
        "NOT_AUTHORIZED"
    );
}

#[tokio::test]
async fn rooms_are_never_double_booked_and_shared_rooms_serve_other_cities() {
    for test in demo_apps().await {
        let op = caller(&test.app, "operator").await;
        app::run_simulated_ceremony(&test.app, "2026-12")
            .await
            .unwrap();
        let (_, lot) = published(&test, "上城区学校改扩建工程").await;
        let room = |code: &str, region: &str, shared: bool| NewRoom {
            code: code.into(),
            name: format!("评标室{code}"),
            region: region.into(),
            address: "杭州市上城区市民中心".into(),
            capacity: 9,
            equipment: vec!["录音录像、电子评标终端".into()],
            shared,
        };
        test.app
            .add_room(&op, room("HZ-01", "330102", false))
            .await
            .unwrap();
        test.app
            .add_room(&op, room("NB-01", "330203", false))
            .await
            .unwrap();
        test.app
            .add_room(&op, room("NB-02", "330203", true))
            .await
            .unwrap();
        assert_eq!(
            test.app
                .add_room(&op, room("HZ-01", "330102", false))
                .await
                .unwrap_err()
                .code(),
            "ROOM_EXISTS"
        );
        let tenderee = caller(&test.app, "tenderee").await;
        assert_eq!(
            test.app
                .add_room(&tenderee, room("X-1", "330102", false))
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        let booking = |from: &str, to: &str| NewBooking {
            lot: lot.clone(),
            from: from.into(),
            to: to.into(),
            attendees: 7,
        };
        test.app
            .book_room(
                &op,
                "HZ-01",
                booking("2026-12-29 09:00", "2026-12-29 17:00"),
            )
            .await
            .unwrap();
        let size = test.size().await;
        let clash = test
            .app
            .book_room(
                &op,
                "HZ-01",
                booking("2026-12-29 16:00", "2026-12-29 18:00"),
            )
            .await
            .unwrap_err();
        assert_eq!(clash.code(), "ROOM_DOUBLE_BOOKED");
        assert!(clash.to_string().contains("2026-12-29 09:00"), "{clash}");
        assert_eq!(test.size().await, size);
        test.app
            .book_room(
                &op,
                "HZ-01",
                booking("2026-12-29 17:00", "2026-12-29 19:00"),
            )
            .await
            .unwrap();
        // A Hangzhou lot in a Ningbo room: only in the shared one.
        assert_eq!(
            test.app
                .book_room(
                    &op,
                    "NB-01",
                    booking("2026-12-30 09:00", "2026-12-30 12:00")
                )
                .await
                .unwrap_err()
                .code(),
            "ROOM_NOT_SHARED"
        );
        test.app
            .book_room(
                &op,
                "NB-02",
                booking("2026-12-30 09:00", "2026-12-30 12:00"),
            )
            .await
            .unwrap();
        let too_many = NewBooking {
            attendees: 10,
            ..booking("2026-12-31 09:00", "2026-12-31 12:00")
        };
        assert_eq!(
            test.app
                .book_room(&op, "HZ-01", too_many)
                .await
                .unwrap_err()
                .code(),
            "ROOM_TOO_SMALL"
        );
        // Cancelling frees the time.
        let from = app::parse_beijing_minute("2026-12-29 17:00").unwrap();
        let id = test.app.rooms(Some(&op)).await.unwrap()[0]
            .bookings
            .iter()
            .find(|b| b.from_ms == from)
            .unwrap()
            .id
            .clone();
        test.app
            .cancel_booking(&op, "HZ-01", &id, "评标时间调整")
            .await
            .unwrap();
        test.app
            .book_room(
                &op,
                "HZ-01",
                booking("2026-12-29 17:30", "2026-12-29 18:30"),
            )
            .await
            .unwrap();
        // The public sees the rooms, not the bookings; the trading center sees both.
        let public = test.app.rooms(None).await.unwrap();
        assert_eq!(public.len(), 3);
        assert!(public.iter().all(|r| r.bookings.is_empty()));
        assert_eq!(public[0].spec.equipment, vec!["录音录像", "电子评标终端"]);
        let seen = test.app.rooms(Some(&op)).await.unwrap();
        assert_eq!(seen[0].bookings.len(), 2);
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

fn workbook(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Years as numbers, like a spreadsheet user would type them; the rest as text.
            match cell.parse::<u32>() {
                Ok(n) if c == 7 => sheet.write_number(r as u32, c as u16, f64::from(n)),
                _ => sheet.write_string(r as u32, c as u16, cell),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_excel_import_with_a_bad_row_imports_nothing() {
    for test in demo_apps().await {
        let op = caller(&test.app, "operator").await;
        let before = test.app.experts(&op, None, 1, 0).await.unwrap().total;
        let header: Vec<String> = domain::EXPERT_CSV_HEADER
            .split(',')
            .map(str::to_string)
            .collect();
        let employer = neutral_employer();
        let row = |name: &str, id: String, years: &str| -> Vec<String> {
            [
                name,
                &id,
                &employer,
                "330100",
                "A0101",
                "高级工程师",
                "副高级",
                years,
                "2026-01-15",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        };
        let good = row("沈一", id_number("330102", "19700101", "301"), "12");
        let short = row("沈二", id_number("330102", "19700102", "302"), "3");
        let bad = workbook(&[header.clone(), good.clone(), short]);
        let size = test.size().await;
        let error = test.app.import_experts_xlsx(&op, &bad).await.unwrap_err();
        assert_eq!(error.code(), "EXPERT_IMPORT");
        assert!(error.to_string().contains("第3行"), "{error}");
        assert_eq!(test.size().await, size);
        // A sheet that declares a huge sparse range is refused, not allocated.
        let huge = {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            sheet.write_string(0, 0, "姓名").unwrap();
            sheet.write_string(1_048_575, 16_383, "x").unwrap();
            book.save_to_buffer().unwrap()
        };
        let error = test.app.import_experts_xlsx(&op, &huge).await.unwrap_err();
        assert!(error.to_string().contains("工作表过大"), "{error}");
        // Not a workbook at all.
        assert_eq!(
            test.app
                .import_experts_xlsx(&op, b"not a zip")
                .await
                .unwrap_err()
                .code(),
            "EXPERT_IMPORT"
        );
        let fine = workbook(&[
            header,
            good,
            row("沈三", id_number("330102", "19700103", "303"), "20"),
        ]);
        assert_eq!(
            test.app
                .import_experts_xlsx(&op, &fine)
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            test.app.experts(&op, None, 1, 0).await.unwrap().total,
            before + 2
        );
        let bidder = caller(&test.app, "bidder").await;
        assert_eq!(
            test.app
                .import_experts_xlsx(&bidder, &fine)
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
    }
}

/// The disclosure half of `check_record`, on a record built by hand (the platform's own
/// disclosure waits for the award of issue 6): names must match their commitments with 32-byte
/// salts, and the list must be exactly the final committee.
#[test]
fn disclosed_names_are_checked_against_the_commitments() {
    use app::{
        DisclosedName, DrawCommitted, DrawDisclosed, DrawRecord, DrawReplaced, DrawRevealed,
    };
    use crypto::{sm3, sm3_concat};
    use domain::{PoolExpert, PublicReplacement, ReplacementReason};
    let names = ["周一", "吴二", "郑三", "王四"];
    let salt = |n: usize| [n as u8 + 1; 32];
    let pool: Vec<PoolExpert> = names
        .iter()
        .enumerate()
        .map(|(n, name)| PoolExpert {
            pseudonym: format!("P{n}"),
            categories: vec!["A01".into()],
            employer: String::new(),
            region: String::new(),
            related: Vec::new(),
            recent: Vec::new(),
            leave: Vec::new(),
            active: true,
            name_commitment: app::name_commitment(&salt(n), name),
            booked: Vec::new(),
        })
        .collect();
    let request = domain::DrawRequest {
        lot: "LOT".into(),
        evaluation_date: domain::Date::parse("2026-12-29").unwrap(),
        needs: vec![("A01".into(), 2)],
        backups: 1,
        tenderee: "（已隐去）".into(),
        agency: None,
        bidders: Vec::new(),
        recent_days: 0,
        excluded_regions: Vec::new(),
    };
    let secret = [9u8; 32];
    let root = sm3(b"a head");
    let seed = sm3_concat(&[&secret, root.as_bytes()]);
    let result = domain::draw_experts(&pool, &request, *seed.as_bytes()).unwrap();
    let panel = result.panels[0].clone();
    let index = |id: &str| id[1..].parse::<usize>().unwrap();
    let disclose = |ids: &[&String]| DrawDisclosed {
        id: "D".into(),
        names: ids
            .iter()
            .map(|id| DisclosedName {
                pseudonym: id.to_string(),
                name: names[index(id)].into(),
                salt: hex::encode(salt(index(id))),
            })
            .collect(),
    };
    // The second drawn expert declined; the backup sits.
    let mut record = DrawRecord {
        committed: DrawCommitted {
            id: "D".into(),
            lot: "LOT".into(),
            request,
            pool,
            excluded: 0,
            excluded_by: Default::default(),
            confirm_minutes: 60,
            commitment: sm3(&secret).to_hex(),
        },
        revealed: DrawRevealed {
            id: "D".into(),
            secret: hex::encode(secret),
            head_size: 1,
            head_root: root.to_hex(),
            seed: seed.to_hex(),
            result: result.clone(),
            contributions: Vec::new(),
        },
        replaced: vec![DrawReplaced {
            id: "D".into(),
            replacement: PublicReplacement {
                category: "A01".into(),
                out: panel.experts[1].clone(),
                replacement: Some(panel.backups[0].clone()),
                reason: ReplacementReason::Declined,
            },
        }],
        disclosed: Some(disclose(&[&panel.experts[0], &panel.backups[0]])),
    };
    assert!(app::check_record(&record).is_ok());
    // Naming who declined instead of who sat: refused.
    record.disclosed = Some(disclose(&[&panel.experts[0], &panel.experts[1]]));
    assert!(app::check_record(&record).unwrap_err().contains("最终成员"));
    // A name that is not the committed one.
    let mut wrong = disclose(&[&panel.experts[0], &panel.backups[0]]);
    wrong.names[0].name = "冒名".into();
    record.disclosed = Some(wrong);
    assert!(app::check_record(&record).unwrap_err().contains("承诺不符"));
    // Moving the salt/name boundary: a 33-byte salt that ends with the name's first byte.
    let mut shifted = disclose(&[&panel.experts[0], &panel.backups[0]]);
    let first = &mut shifted.names[0];
    let mut longer = hex::decode(&first.salt).unwrap();
    let bytes = first.name.as_bytes().to_vec();
    longer.push(bytes[0]);
    first.salt = hex::encode(longer);
    first.name = String::from_utf8_lossy(&bytes[1..]).into_owned();
    record.disclosed = Some(shifted);
    assert!(app::check_record(&record).unwrap_err().contains("32字节"));
}

/// A contributed draw re-checks from its record: the seed is SM3(secret ‖ root ‖ value); any
/// change to the value, a value of the wrong length, or a contribution left out fails.
#[test]
fn a_contributed_seed_is_rechecked_from_the_record() {
    use app::{DrawCommitted, DrawContribution, DrawRevealed};
    use crypto::sm3;
    use domain::PoolExpert;
    let pool: Vec<PoolExpert> = (0..6)
        .map(|n| PoolExpert {
            pseudonym: format!("P{n}"),
            categories: vec!["A01".into()],
            employer: String::new(),
            region: String::new(),
            related: Vec::new(),
            recent: Vec::new(),
            leave: Vec::new(),
            active: true,
            name_commitment: String::new(),
            booked: Vec::new(),
        })
        .collect();
    let request = domain::DrawRequest {
        lot: "LOT".into(),
        evaluation_date: domain::Date::parse("2026-12-29").unwrap(),
        needs: vec![("A01".into(), 3)],
        backups: 1,
        tenderee: "（已隐去）".into(),
        agency: None,
        bidders: Vec::new(),
        recent_days: 0,
        excluded_regions: Vec::new(),
    };
    let secret = [7u8; 32];
    let root = sm3(b"the head after the commitment");
    let value = [0xc3u8; 32];
    let seed = app::draw_seed(&secret, &root, &[value]);
    assert_eq!(
        seed,
        crypto::sm3_concat(&[&secret, root.as_bytes(), &value]),
        "SM3 over secret ‖ root ‖ value, raw bytes"
    );
    let committed = DrawCommitted {
        id: "D".into(),
        lot: "LOT".into(),
        request: request.clone(),
        pool: pool.clone(),
        excluded: 0,
        excluded_by: Default::default(),
        confirm_minutes: 60,
        commitment: sm3(&secret).to_hex(),
    };
    let revealed = DrawRevealed {
        id: "D".into(),
        secret: hex::encode(secret),
        head_size: 1,
        head_root: root.to_hex(),
        seed: seed.to_hex(),
        result: domain::draw_experts(&pool, &request, *seed.as_bytes()).unwrap(),
        contributions: vec![DrawContribution {
            account: "supervisor".into(),
            value: hex::encode(value),
        }],
    };
    assert!(app::check_draw(&committed, &revealed).is_ok());
    let changed = |edit: &dyn Fn(&mut DrawRevealed)| {
        let mut copy = revealed.clone();
        edit(&mut copy);
        app::check_draw(&committed, &copy).unwrap_err()
    };
    assert!(
        changed(&|r| r.contributions[0].value = hex::encode([0xc4u8; 32])).contains("随机种子")
    );
    assert!(changed(&|r| r.contributions.clear()).contains("随机种子"));
    assert!(changed(&|r| r.contributions[0].value = "c3".repeat(31)).contains("32字节"));
    // The worked vector of docs/experts.md (the worked example's secret 00..1f and root 20..3f,
    // one contribution of 32 bytes c3), as `draw-reference.py --example --contribution` prints.
    let example_secret: Vec<u8> = (0x00..0x20).collect();
    let example_root = crypto::Sm3Hash::from_slice(&(0x20..0x40).collect::<Vec<u8>>()).unwrap();
    assert_eq!(
        app::draw_seed(&example_secret, &example_root, &[[0xc3; 32]]).to_hex(),
        "4502903a709e4a2660e828f9e4cd461cfd19da944e693ec2d4b7644472040278"
    );
    // Without a contribution the seed would have been SM3(secret ‖ root): a different panel
    // is the point, not a coincidence.
    assert_ne!(
        app::draw_seed(&secret, &root, &[]),
        seed,
        "the contribution changes the seed"
    );
}

/// A committed draw waits for a supervisor: a second draw of the lot is refused meanwhile; an
/// account of the trading center cannot contribute, even one that also holds the supervisor
/// role; the value is recorded in its own entry before the reveal, cannot be replaced, and the
/// record's proof ties the seed to it.
#[tokio::test]
async fn a_draw_waits_for_its_supervisor_and_records_the_value_first() {
    for test in demo_apps().await {
        let certificates = app::seed_demo_certificates(&test.app).await.unwrap();
        app::run_simulated_ceremony(&test.app, "2026-12")
            .await
            .unwrap();
        let (procedure, lot) = published(&test, "上城区体育馆维修工程").await;
        let key = procedure.opening_key.clone().unwrap().public_key;
        bid(&test, &certificates, "bidder", &lot, &key, 1_000_000).await;
        let op = caller(&test.app, "operator").await;
        more_experts(&test, &op).await;
        let pending = test
            .app
            .draw_experts(&op, request(&lot, "2026-12-29", 2, 1, 0))
            .await
            .unwrap();
        assert_eq!(
            test.app
                .draw_experts(&op, request(&lot, "2026-12-29", 2, 1, 0))
                .await
                .unwrap_err()
                .code(),
            "DRAW_LOT_PENDING"
        );
        let value = app::NewContribution {
            commitment: pending.commitment.clone(),
            value: "ab".repeat(32),
        };
        let both = Caller {
            username: "both".into(),
            display_name: "兼任".into(),
            entity_id: String::new(),
            roles: vec![domain::Role::Operator, domain::Role::Supervisor],
            csrf: None,
            api_token: None,
        };
        assert_eq!(
            test.app
                .contribute_to_draw(&both, &pending.id, value.clone())
                .await
                .unwrap_err()
                .code(),
            "DRAW_CONTRIBUTOR_CONFLICT"
        );
        assert_eq!(
            test.app
                .contribute_to_draw(&op, &pending.id, value.clone())
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        let supervisor = caller(&test.app, "supervisor").await;
        let (_, revealed) = test
            .app
            .contribute_to_draw(&supervisor, &pending.id, value.clone())
            .await
            .unwrap();
        assert_eq!(revealed.contributions[0].value, "ab".repeat(32));
        let rows = test
            .app
            .store()
            .stream_entries(&app::draw_stream(&pending.id))
            .await
            .unwrap();
        let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["draw.committed", "draw.contributed", "draw.revealed"]
        );
        assert_eq!(
            test.app
                .contribute_to_draw(&supervisor, &pending.id, value)
                .await
                .unwrap_err()
                .code(),
            "DRAW_NOT_PENDING"
        );
        // Revealed: the lot may be drawn again (in public), and the record's proof holds.
        let record = test.app.draw_record(&pending.id).await.unwrap();
        let proof = test.app.draw_record_proof(&pending.id).await.unwrap();
        let platform = test.app.public_key();
        app::check_record_proof(&record, &proof, &platform).unwrap();
        let mut forged = record.clone();
        forged.revealed.contributions[0].value = "cd".repeat(32);
        assert!(app::check_record_proof(&forged, &proof, &platform).is_err());
    }
}

/// A failed draw re-checks too: the secret, the seed from the recorded contribution, and a
/// shuffle that really runs short with that seed — a failure claimed for a draw that would have
/// succeeded (to throw away an unwelcome panel) is refused.
#[test]
fn a_failed_draw_is_rechecked_and_a_false_failure_refused() {
    use app::DrawCommitted;
    use crypto::sm3;
    use domain::PoolExpert;
    let expert = |n: usize, categories: &[&str]| PoolExpert {
        pseudonym: format!("P{n}"),
        categories: categories.iter().map(|c| c.to_string()).collect(),
        employer: String::new(),
        region: String::new(),
        related: Vec::new(),
        recent: Vec::new(),
        leave: Vec::new(),
        active: true,
        name_commitment: String::new(),
        booked: Vec::new(),
    };
    // Two experts hold both classes: A01 takes both, A0101 finds nobody left.
    let short_pool = vec![expert(0, &["A01", "A0101"]), expert(1, &["A01", "A0101"])];
    let request = domain::DrawRequest {
        lot: "LOT".into(),
        evaluation_date: domain::Date::parse("2026-12-29").unwrap(),
        needs: vec![("A01".into(), 2), ("A0101".into(), 1)],
        backups: 0,
        tenderee: "（已隐去）".into(),
        agency: None,
        bidders: Vec::new(),
        recent_days: 0,
        excluded_regions: Vec::new(),
    };
    let secret = [5u8; 32];
    let root = sm3(b"the head after the commitment");
    let value = [0x11u8; 32];
    let seed = app::draw_seed(&secret, &root, &[value]);
    let committed = |pool: Vec<PoolExpert>| DrawCommitted {
        id: "D".into(),
        lot: "LOT".into(),
        request: request.clone(),
        pool,
        excluded: 0,
        excluded_by: Default::default(),
        confirm_minutes: 60,
        commitment: sm3(&secret).to_hex(),
    };
    let failed = serde_json::json!({
        "id": "D",
        "secret": hex::encode(secret),
        "head_size": 1,
        "head_root": root.to_hex(),
        "contributions": [{"account": "supervisor", "value": hex::encode(value)}],
        "seed": seed.to_hex(),
        "reason": "短缺",
    });
    let reason = app::check_failed_draw(&committed(short_pool.clone()), &failed).unwrap();
    assert!(!reason.is_empty());
    // With a third expert the draw succeeds: the recorded failure is false.
    let mut enough = short_pool.clone();
    enough.push(expert(2, &["A01", "A0101"]));
    assert!(
        app::check_failed_draw(&committed(enough), &failed)
            .unwrap_err()
            .contains("并未短缺")
    );
    // A seed not made from the recorded contribution.
    let mut other = failed.clone();
    other["contributions"][0]["value"] = serde_json::json!(hex::encode([0x12u8; 32]));
    assert!(
        app::check_failed_draw(&committed(short_pool), &other)
            .unwrap_err()
            .contains("随机种子")
    );
}
