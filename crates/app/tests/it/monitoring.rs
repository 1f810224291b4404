//! The warning engine on the demo's planted collusion: a bid made on another bidder's computer
//! from the copy of the tender documents that bidder downloaded. Warnings are raised once with
//! their evidence, read by supervision, audit and nobody else, closed with a reason or turned
//! into a case, and the verifier rebuilds them.

use domain::Warning;

use crate::support::demo_apps;
use crate::tendering::caller;

async fn follow(app: &app::App) -> usize {
    let mut written = 0;
    for _ in 0..20 {
        written += app.follow_warnings_once().await.unwrap();
    }
    written
}

#[tokio::test]
async fn planted_collusion_is_warned_of_and_supervision_handles_it() {
    for test in demo_apps().await {
        let app = &test.app;
        let certificates = app::seed_demo_certificates(app).await.unwrap();
        let month = domain::Date::of_instant(app.now_ms()).to_string();
        app::run_simulated_ceremony(app, &month[..7]).await.unwrap();
        assert!(app::seed_demo_tendering(app, &certificates).await.unwrap());
        let raised = follow(app).await;
        assert!(raised >= 2, "{}: {raised}", test.db.name);
        // Looking again adds nothing; the place read so far is kept for the next start.
        let size = test.size().await;
        assert_eq!(follow(app).await, 0);
        assert_eq!(test.size().await, size);
        let kept = app.store().meta("warning_engine_place").await.unwrap();
        assert!(
            kept.as_deref()
                .and_then(|p| p.parse::<u64>().ok())
                .is_some_and(|p| p > 0 && p <= size),
            "{kept:?} of {size}"
        );

        let supervisor = caller(app, "supervisor").await;
        let page = app
            .warnings(&supervisor, Some("open"), None, 100, 0)
            .await
            .unwrap();
        let find = |signal: &str| {
            page.items
                .iter()
                .find(|w| w.finding.signal == signal)
                .cloned()
                .unwrap_or_else(|| panic!("{signal}: {:?}", page.items))
        };
        let machine = find("same_machine");
        let copy = find("same_document_copy");
        // 越城 declared 瓯江建工 its controlling shareholder when it registered.
        let related = find("related_bidders");
        assert!(
            related.finding.detail.contains("绍兴越城市政工程有限公司")
                && related.finding.detail.contains("温州瓯江建工集团有限公司"),
            "{}",
            related.finding.detail
        );
        let entry = app
            .store()
            .entry(related.finding.evidence[0].seq)
            .await
            .unwrap()
            .unwrap();
        assert!(entry.stream.starts_with("entity/"), "{}", entry.stream);
        for warning in [&machine, &copy] {
            let names: Vec<&str> = warning
                .finding
                .subjects
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            assert_eq!(names.len(), 2, "{names:?}");
            assert!(!warning.source.is_empty() && !warning.label.is_empty());
            // Its evidence is real entries of the acts that created it.
            for evidence in &warning.finding.evidence {
                let entry = app.store().entry(evidence.seq).await.unwrap().unwrap();
                assert!(entry.kind.starts_with("bid."), "{}", entry.kind);
            }
            // Written to the ledger for supervision only.
            let entries = app
                .store()
                .stream_entries(&Warning::stream(&warning.id))
                .await
                .unwrap();
            assert_eq!(entries[0].kind, "warning.raised");
            assert_eq!(entries[0].visibility, "supervision");
        }
        // The download is its own entry, the copy in its payload.
        let download = copy
            .finding
            .evidence
            .iter()
            .find(|e| e.note.contains("下载"))
            .unwrap_or_else(|| panic!("{:?}", copy.finding.evidence));
        let entry = app.store().entry(download.seq).await.unwrap().unwrap();
        assert_eq!(entry.kind, "bid.documents_downloaded");
        assert!(entry.payload.contains(&copy.finding.anchor));
        for evidence in &machine.finding.evidence {
            let entry = app.store().entry(evidence.seq).await.unwrap().unwrap();
            assert_eq!(entry.kind, "bid.submitted");
        }

        // Who may read: supervision and audit with jurisdiction; not a bidder, the tenderee or
        // the trading center.
        let auditor = caller(app, "auditor").await;
        assert!(app.warning(&auditor, &machine.id).await.is_ok());
        assert!(!app.warning(&auditor, &machine.id).await.unwrap().may_act);
        assert_eq!(
            app.close_warning(&auditor, &machine.id, "审计不能排除")
                .await
                .unwrap_err()
                .code(),
            "NOT_AUTHORIZED"
        );
        for outsider in ["bidder", "tenderee", "operator", "yuecheng"] {
            let who = caller(app, outsider).await;
            assert_eq!(
                app.warnings(&who, None, None, 10, 0)
                    .await
                    .unwrap_err()
                    .code(),
                "NOT_AUTHORIZED",
                "{outsider}"
            );
            assert!(app.warning(&who, &machine.id).await.is_err(), "{outsider}");
            assert!(
                app.close_warning(&who, &machine.id, "x").await.is_err(),
                "{outsider}"
            );
        }
        // The demo's expert sits on no panel of this lot yet: nothing to read.
        let expert = caller(app, "expert").await;
        assert_eq!(
            app.warnings(&expert, None, None, 10, 0)
                .await
                .unwrap()
                .total,
            0
        );

        // Closing needs a reason; then it is closed, once.
        let size = test.size().await;
        assert!(
            app.close_warning(&supervisor, &machine.id, " ")
                .await
                .is_err()
        );
        assert_eq!(test.size().await, size, "a refusal writes nothing");
        app.close_warning(
            &supervisor,
            &machine.id,
            "经核实为同一集团的共享办公电脑，已另行处理",
        )
        .await
        .unwrap();
        let closed = app.warning(&supervisor, &machine.id).await.unwrap();
        assert_eq!(closed.warning.status.as_str(), "closed");
        assert!(!closed.may_act);
        assert_eq!(
            app.close_warning(&supervisor, &machine.id, "again")
                .await
                .unwrap_err()
                .code(),
            "WARNING_HANDLED"
        );

        // 立案: the warning becomes a case of the competent department.
        let (case, _) = app.warning_to_case(&supervisor, &copy.id).await.unwrap();
        let view = app.case(&supervisor, &case).await.unwrap();
        assert!(
            view.case.filing.facts.contains(&copy.id),
            "{}",
            view.case.filing.facts
        );
        assert_eq!(
            app.warning(&supervisor, &copy.id)
                .await
                .unwrap()
                .warning
                .status
                .as_str(),
            "case"
        );
        let open = app
            .warnings(&supervisor, Some("open"), None, 100, 0)
            .await
            .unwrap();
        assert!(
            open.items
                .iter()
                .all(|w| w.id != copy.id && w.id != machine.id)
        );

        // The verifier rebuilds the warnings from the ledger.
        let report = app::verify_store(app.store(), &app.public_key(), "ggzy.test")
            .await
            .unwrap();
        assert!(report.is_sound(), "{:?}", report.problems);
    }
}
