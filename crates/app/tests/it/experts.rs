//! The expert database through the use cases, on both backends: all-or-nothing import with every
//! bad row reported, one-by-one entry against the rule set's criteria, pseudonyms on the ledger,
//! suspension and leave, confidentiality, and the verifier's replay.

use app::{Caller, ExpertForm};

use crate::support::demo_apps;

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

const EMPLOYER: &str = "91330100MA2H7Q1K51";

fn row(name: &str, id: &str, level: &str, years: u32) -> String {
    format!("{name},{id},{EMPLOYER},330100,A0101;A0102,高级工程师,{level},{years},2026-01-15")
}

async fn operator(app: &app::App) -> Caller {
    app.caller_for("operator").await.unwrap()
}

#[tokio::test]
async fn experts_are_imported_all_or_nothing_and_managed() {
    for test in demo_apps().await {
        let op = operator(&test.app).await;
        let demo = test.app.experts(&op, None, 1, 0).await.unwrap().total;
        let header = domain::EXPERT_CSV_HEADER;
        let good = [
            row(
                "周建国",
                &id_number("330102", "19700315", "123"),
                "正高级",
                25,
            ),
            row(
                "钱丽华",
                &id_number("330106", "19780622", "246"),
                "副高级",
                15,
            ),
        ];
        // One row short of the criteria and one with a bad ID: both reported, nothing imported.
        let bad = format!(
            "{header}\n{}\n{}\n{}\n{}\n",
            good[0],
            row(
                "孙小明",
                &id_number("330104", "19900101", "111"),
                "副高级",
                5
            ),
            good[1],
            "李四,330100199001011234,91330100MA2H7Q1K51,330100,A0101,工程师,副高级,10,2026-01-15",
        );
        let size = test.size().await;
        let error = test.app.import_experts(&op, &bad).await.unwrap_err();
        assert_eq!(error.code(), "EXPERT_IMPORT");
        let message = error.to_string();
        assert!(
            message.contains("第3行") && message.contains("不满8年"),
            "{message}"
        );
        assert!(
            message.contains("第5行") && message.contains("身份证"),
            "{message}"
        );
        assert_eq!(test.size().await, size);

        let receipts = test
            .app
            .import_experts(&op, &format!("{header}\n{}\n{}\n", good[0], good[1]))
            .await
            .unwrap();
        assert_eq!(receipts.len(), 2);
        // The ledger knows them by pseudonyms, never by name or ID number.
        for receipt in &receipts {
            assert!(receipt.stream.starts_with("expert/E"));
            assert!(!receipt.stream.contains("330102"));
        }
        // Importing one again refuses the whole file.
        let again = test
            .app
            .import_experts(&op, &format!("{header}\n{}\n", good[1]))
            .await
            .unwrap_err();
        assert_eq!(again.code(), "EXPERT_INVALID");

        // One by one, with the rule set's criteria.
        let form = ExpertForm {
            name: "吴敏".into(),
            id_number: id_number("330108", "19830910", "357"),
            employer: EMPLOYER.into(),
            region: "330100".into(),
            categories: "B0101".into(),
            title: "高级经济师".into(),
            title_level: "副高级".into(),
            practice_years: "7".into(),
            entry_date: "2026-02-01".into(),
        };
        let error = test.app.add_expert(&op, form.clone()).await.unwrap_err();
        assert_eq!(error.code(), "EXPERT_INVALID");
        assert!(error.to_string().contains("不满8年"));
        let receipt = test
            .app
            .add_expert(
                &op,
                ExpertForm {
                    practice_years: "9".into(),
                    ..form
                },
            )
            .await
            .unwrap();
        let pseudonym = receipt.stream.trim_start_matches("expert/").to_string();

        // Suspension, leave, and who may read the database.
        test.app
            .suspend_expert(&op, &pseudonym, "评标中未按规定回避")
            .await
            .unwrap();
        assert_eq!(
            test.app
                .suspend_expert(&op, &pseudonym, "again")
                .await
                .unwrap_err()
                .code(),
            "EXPERT_NOT_ACTIVE"
        );
        test.app.reinstate_expert(&op, &pseudonym).await.unwrap();
        test.app
            .add_expert_leave(&op, &pseudonym, "2026-12-10", "2026-12-20", "出差")
            .await
            .unwrap();
        assert_eq!(
            test.app
                .add_expert_leave(&op, &pseudonym, "2026-12-20", "2026-12-10", "x")
                .await
                .unwrap_err()
                .code(),
            "LEAVE_DATES"
        );
        let supervisor = test.app.caller_for("supervisor").await.unwrap();
        let page = test.app.experts(&supervisor, None, 20, 0).await.unwrap();
        assert_eq!(page.total, demo + 3);
        let view = test.app.expert(&supervisor, &pseudonym).await.unwrap();
        assert_eq!(view.status, "active");
        assert_eq!(view.leaves.len(), 1);
        assert!(view.id_number.contains('*'));
        let bidder = test.app.caller_for("bidder").await.unwrap();
        assert_eq!(
            test.app
                .experts(&bidder, None, 20, 0)
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        assert_eq!(
            test.app
                .add_expert_leave(&bidder, &pseudonym, "2026-12-10", "2026-12-20", "x")
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        let public = test.app.ledger_entries(None, 0, 10_000).await.unwrap();
        assert!(
            public
                .iter()
                .filter(|e| e.stream.starts_with("expert/"))
                .all(|e| e.payload.is_none())
        );

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
