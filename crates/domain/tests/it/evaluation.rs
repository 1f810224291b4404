//! The evaluation methods with the worked examples of rules-cn.md §3: the price score formulas,
//! small-enterprise deductions, the construction base price with its trimming and 下浮, ties, an
//! abnormally low price, qualification by majority, and the experts' to-do list.

use domain::{
    BidLine, EvaluationMethod, EvaluationTerms, Factor, FactorScore, ItemVerdict, Sheet, SheetGap,
    aggregate, construction_base, deviation_score, gaps,
};

/// 万元 → 分.
fn wan(v: i64) -> i64 {
    v * 1_000_000
}

fn bid(bidder: &str, price: i64, small: bool) -> BidLine {
    BidLine {
        bidder: bidder.into(),
        price_fen: price,
        small_enterprise: small,
        sme: false,
        small_share_bp: 0,
    }
}

fn terms(method: EvaluationMethod, factors: Vec<Factor>) -> EvaluationTerms {
    EvaluationTerms {
        method,
        items: vec!["资格".into(), "符合性".into()],
        factors,
        max_candidates: 3,
        abnormal_low_bp: 0,
        tie_price: 0,
        tie_at_cut: 0,
        reserved_for_sme: false,
        consortium_deduction_bp: 0,
        consortium_share_min_bp: 0,
    }
}

/// A sheet passing every item of every bid and giving `scores[bidder][factor]`.
fn sheet(expert: &str, bids: &[BidLine], items: &[&str], scores: &[(&str, &str, i64)]) -> Sheet {
    Sheet {
        expert: expert.into(),
        verdicts: bids
            .iter()
            .flat_map(|b| {
                items.iter().map(|item| ItemVerdict {
                    bidder: b.bidder.clone(),
                    item: item.to_string(),
                    pass: true,
                    reason: String::new(),
                })
            })
            .collect(),
        scores: scores
            .iter()
            .map(|(bidder, factor, score)| FactorScore {
                bidder: bidder.to_string(),
                factor: factor.to_string(),
                score: *score,
            })
            .collect(),
    }
}

fn line<'a>(outcome: &'a domain::EvaluationOutcome, bidder: &str) -> &'a domain::ResultLine {
    outcome.lines.iter().find(|l| l.bidder == bidder).unwrap()
}

#[test]
fn procurement_price_scores_follow_the_worked_example() {
    // Bids 100 / 110 / 125 with a 30-point price weight: 30.00 / 27.27 / 24.00.
    let bids = [
        bid("甲", wan(100), false),
        bid("乙", wan(110), false),
        bid("丙", wan(125), false),
    ];
    let t = terms(
        EvaluationMethod::Comprehensive {
            price_points: 3000,
            sme_deduction_bp: 1000,
        },
        vec![],
    );
    let items = ["资格", "符合性"];
    let sheets: Vec<Sheet> = ["专家1", "专家2", "专家3"]
        .iter()
        .map(|e| sheet(e, &bids, &items, &[]))
        .collect();
    assert!(gaps(&t, &bids, &sheets).is_empty());
    let outcome = aggregate(&t, &bids, &sheets);
    assert_eq!(outcome.base_price_fen, Some(wan(100)));
    let scores: Vec<i64> = ["甲", "乙", "丙"]
        .iter()
        .map(|b| line(&outcome, b).price_score)
        .collect();
    assert_eq!(scores, vec![3000, 2727, 2400]);
    assert_eq!(outcome.candidates, vec!["甲", "乙", "丙"]);
    assert_eq!(domain::centi_text(2727), "27.27");
}

#[test]
fn a_small_enterprise_is_scored_on_its_deducted_price() {
    // 乙 (small, 105 less 10 % = 94.5) becomes the base; 甲's 100 scores 94.5/100 × 30 = 28.35.
    let bids = [bid("甲", wan(100), false), bid("乙", wan(105), true)];
    let t = terms(
        EvaluationMethod::Comprehensive {
            price_points: 3000,
            sme_deduction_bp: 1000,
        },
        vec![],
    );
    let sheets = vec![sheet("专家1", &bids, &["资格", "符合性"], &[])];
    let outcome = aggregate(&t, &bids, &sheets);
    assert_eq!(line(&outcome, "乙").evaluated_price_fen, 94_500_000);
    assert_eq!(outcome.base_price_fen, Some(94_500_000));
    assert_eq!(line(&outcome, "乙").price_score, 3000);
    assert_eq!(line(&outcome, "甲").price_score, 2835);
    assert_eq!(outcome.candidates, vec!["乙", "甲"]);
    // Under 最低评标价法 the deducted price ranks too; a construction method deducts nothing.
    let lowest = terms(
        EvaluationMethod::LowestPrice {
            sme_deduction_bp: 1000,
        },
        vec![],
    );
    assert_eq!(
        aggregate(&lowest, &bids, &sheets).candidates,
        vec!["乙", "甲"]
    );
    let construction = terms(EvaluationMethod::ReviewedLowestPrice, vec![]);
    assert_eq!(
        aggregate(&construction, &bids, &sheets).candidates,
        vec!["甲", "乙"]
    );
}

#[test]
fn ties_go_to_the_lower_price_and_then_share_the_rank() {
    let factors = vec![Factor {
        key: "tech".into(),
        name: "技术".into(),
        max: 7000,
        objective: false,
    }];
    let t = terms(
        EvaluationMethod::Comprehensive {
            price_points: 3000,
            sme_deduction_bp: 0,
        },
        factors,
    );
    // 甲 100 + tech 40.00 = 70.00; 乙 120 (price 25.00) + tech 45.00 = 70.00 → 甲 first (cheaper);
    // 丙 100 + tech 40.00 = 70.00 at the same price as 甲 → tied with 甲.
    let bids = [
        bid("甲", wan(100), false),
        bid("乙", wan(120), false),
        bid("丙", wan(100), false),
    ];
    let items = ["资格", "符合性"];
    let scores = [
        ("甲", "tech", 4000),
        ("乙", "tech", 4500),
        ("丙", "tech", 4000),
    ];
    let sheets = vec![sheet("专家1", &bids, &items, &scores)];
    let outcome = aggregate(&t, &bids, &sheets);
    assert_eq!(line(&outcome, "乙").price_score, 2500);
    assert_eq!(line(&outcome, "甲").total, 7000);
    assert_eq!(line(&outcome, "乙").total, 7000);
    assert_eq!(line(&outcome, "甲").rank, Some(1));
    assert_eq!(line(&outcome, "丙").rank, Some(1));
    assert_eq!(line(&outcome, "乙").rank, Some(3));
    // Price methods: equal evaluated prices tie.
    let lowest = terms(
        EvaluationMethod::LowestPrice {
            sme_deduction_bp: 0,
        },
        vec![],
    );
    let outcome = aggregate(&lowest, &bids, &sheets);
    assert_eq!(line(&outcome, "甲").rank, Some(1));
    assert_eq!(line(&outcome, "丙").rank, Some(1));
    assert_eq!(line(&outcome, "乙").rank, Some(3));
}

#[test]
fn the_construction_base_trims_and_lowers_the_mean() {
    let w = |v: &[i64]| v.iter().map(|x| wan(*x)).collect::<Vec<_>>();
    // ≤5 bids: plain mean.
    assert_eq!(
        construction_base(&w(&[980, 1000, 1010, 1020, 1050]), 0),
        Some(wan(1012))
    );
    // 6: the highest dropped.
    assert_eq!(
        construction_base(&w(&[980, 1000, 1010, 1020, 1050, 1200]), 0),
        Some(wan(1012))
    );
    // ≥7: the highest and the lowest dropped.
    assert_eq!(
        construction_base(&w(&[500, 980, 1000, 1010, 1020, 1050, 1200]), 0),
        Some(wan(1012))
    );
    // 下浮 2 %: 1012 × 0.98 = 991.76.
    assert_eq!(
        construction_base(&w(&[980, 1000, 1010, 1020, 1050]), 200),
        Some(991_760_000)
    );
    assert_eq!(construction_base(&[], 0), None);
}

#[test]
fn construction_price_scores_by_deviation() {
    // F = 60, E₁ = 1 point per 1 % above, E₂ = 0.5 per 1 % below, base 1012:
    // 1050 → +3.7549 % → 60 − 3.75 = 56.25; 1000 → −1.1858 % → 60 − 0.59 = 59.41;
    // 980 → −3.1621 % → 60 − 1.58 = 58.42; 1200 → +18.577 % → 41.42; exactly the base → 60.
    let base = wan(1012);
    let table = [
        (1050, 5625),
        (1000, 5941),
        (980, 5842),
        (1200, 4142),
        (1012, 6000),
    ];
    for (price, expected) in table {
        assert_eq!(
            deviation_score(wan(price), base, 6000, 100, 50),
            expected,
            "{price}"
        );
    }
    // Never below zero, and no division by a zero base or price.
    assert_eq!(deviation_score(wan(2000), base, 6000, 100, 50), 0);
    assert_eq!(deviation_score(wan(1000), 0, 6000, 100, 50), 0);
    assert_eq!(deviation_score(0, base, 6000, 100, 50), 0);

    let bids: Vec<BidLine> = [980, 1000, 1010, 1020, 1050, 1200]
        .iter()
        .enumerate()
        .map(|(n, p)| bid(&format!("投标人{n}"), wan(*p), n == 0))
        .collect();
    let factors = vec![Factor {
        key: "org".into(),
        name: "施工组织设计".into(),
        max: 4000,
        objective: false,
    }];
    let t = terms(
        EvaluationMethod::ConstructionComprehensive {
            price_points: 6000,
            above_per_pct: 100,
            below_per_pct: 50,
            downward_bp: 0,
        },
        factors,
    );
    let scores: Vec<(String, &str, i64)> = bids
        .iter()
        .map(|b| (b.bidder.clone(), "org", 3000))
        .collect();
    let scores: Vec<(&str, &str, i64)> = scores
        .iter()
        .map(|(b, f, s)| (b.as_str(), *f, *s))
        .collect();
    let sheets = vec![
        sheet("专家1", &bids, &["资格", "符合性"], &scores),
        sheet("专家2", &bids, &["资格", "符合性"], &scores),
    ];
    assert!(gaps(&t, &bids, &sheets).is_empty());
    let outcome = aggregate(&t, &bids, &sheets);
    // The small-enterprise flag does not change a construction price.
    assert_eq!(outcome.base_price_fen, Some(wan(1012)));
    assert_eq!(line(&outcome, "投标人1").total, 5941 + 3000);
    // 1010 is 0.20 % below (59.90), 1000 1.19 % below (59.41), 1020 0.79 % above (59.21).
    assert_eq!(line(&outcome, "投标人2").price_score, 5990);
    assert_eq!(line(&outcome, "投标人3").price_score, 5921);
    assert_eq!(outcome.candidates, vec!["投标人2", "投标人1", "投标人3"]);
}

#[test]
fn an_abnormally_low_price_is_flagged_for_the_committee() {
    let bids = [
        bid("甲", wan(1000), false),
        bid("乙", wan(1010), false),
        bid("丙", wan(1020), false),
        bid("丁", wan(700), false),
    ];
    // Mean 932.5; 85 % of it is 792.6: 丁 is flagged, the others are not.
    let mut t = terms(EvaluationMethod::ReviewedLowestPrice, vec![]);
    t.abnormal_low_bp = 8500;
    let sheets = vec![sheet("专家1", &bids, &["资格", "符合性"], &[])];
    let outcome = aggregate(&t, &bids, &sheets);
    assert!(line(&outcome, "丁").abnormally_low);
    assert!(!line(&outcome, "甲").abnormally_low);
    assert_eq!(outcome.candidates[0], "丁");
}

#[test]
fn an_item_fails_a_bid_when_most_experts_fail_it_with_reasons() {
    let bids = [bid("甲", wan(100), false), bid("乙", wan(90), false)];
    let items = ["资格", "符合性"];
    let t = terms(
        EvaluationMethod::LowestPrice {
            sme_deduction_bp: 0,
        },
        vec![],
    );
    let fail = |mut s: Sheet, bidder: &str, reason: &str| {
        for v in s.verdicts.iter_mut() {
            if v.bidder == bidder && v.item == "资格" {
                v.pass = false;
                v.reason = reason.into();
            }
        }
        s
    };
    let e1 = fail(
        sheet("专家1", &bids, &items, &[]),
        "乙",
        "安全生产许可证已过期",
    );
    let e2 = fail(sheet("专家2", &bids, &items, &[]), "乙", "许可证过期");
    let e3 = sheet("专家3", &bids, &items, &[]);
    // Two of three fail 乙: disqualified with both reasons; 甲 wins.
    let outcome = aggregate(&t, &bids, &[e1.clone(), e2, e3.clone()]);
    let b = line(&outcome, "乙");
    assert!(!b.qualified && b.rank.is_none());
    assert_eq!(b.failed_items[0].1.len(), 2);
    assert_eq!(outcome.candidates, vec!["甲"]);
    // One of three: still qualified, and it is the cheaper bid.
    let e3b = sheet("专家2", &bids, &items, &[]);
    let outcome = aggregate(&t, &bids, &[e1, e3b, e3]);
    assert_eq!(outcome.candidates, vec!["乙", "甲"]);
}

#[test]
fn the_to_do_list_names_every_gap() {
    let bids = [bid("甲", wan(100), false), bid("乙", wan(110), false)];
    let factors = vec![
        Factor {
            key: "tech".into(),
            name: "技术方案".into(),
            max: 4000,
            objective: false,
        },
        Factor {
            key: "cert".into(),
            name: "资质证书".into(),
            max: 1000,
            objective: true,
        },
    ];
    let t = terms(
        EvaluationMethod::Comprehensive {
            price_points: 3000,
            sme_deduction_bp: 0,
        },
        factors,
    );
    let items = ["资格", "符合性"];
    let full = |e: &str, cert: i64| {
        sheet(
            e,
            &bids,
            &items,
            &[
                ("甲", "tech", 3000),
                ("甲", "cert", cert),
                ("乙", "tech", 3500),
                ("乙", "cert", 1000),
            ],
        )
    };
    // Complete and consistent: nothing to do.
    assert!(gaps(&t, &bids, &[full("专家1", 1000), full("专家2", 1000)]).is_empty());
    // An objective factor scored differently: shown, not averaged.
    let mismatch = gaps(&t, &bids, &[full("专家1", 1000), full("专家2", 500)]);
    assert!(
        matches!(&mismatch[..], [SheetGap::ObjectiveMismatch { factor, .. }] if factor == "资质证书")
    );
    assert!(mismatch[0].describe().contains("协商一致"));
    // A missing score, a score out of range, a missing verdict, a failure without a reason.
    let mut partial = full("专家2", 1000);
    partial
        .scores
        .retain(|s| !(s.bidder == "乙" && s.factor == "tech"));
    assert!(matches!(
        &gaps(&t, &bids, &[full("专家1", 1000), partial])[..],
        [SheetGap::MissingScore { factor, .. }] if factor == "技术方案"
    ));
    let over = full("专家2", 1200);
    assert!(
        gaps(&t, &bids, &[full("专家1", 1000), over])
            .iter()
            .any(|g| matches!(g, SheetGap::OutOfRange { score: 1200, .. }))
    );
    let mut unjudged = full("专家2", 1000);
    unjudged
        .verdicts
        .retain(|v| v.bidder != "甲" || v.item != "符合性");
    unjudged.verdicts[0].pass = false;
    let list = gaps(&t, &bids, &[full("专家1", 1000), unjudged]);
    assert!(
        list.iter()
            .any(|g| matches!(g, SheetGap::MissingVerdict { .. }))
    );
    assert!(
        list.iter()
            .any(|g| matches!(g, SheetGap::MissingReason { .. }))
    );
    // A disqualified bid is not scored: no gap for its factors.
    let fail = |e: &str| {
        let mut s = full(e, 1000);
        s.scores.retain(|s| s.bidder != "乙");
        for v in s.verdicts.iter_mut().filter(|v| v.bidder == "乙") {
            v.pass = false;
            v.reason = "未按要求提供授权书".into();
        }
        s
    };
    assert!(gaps(&t, &bids, &[fail("专家1"), fail("专家2")]).is_empty());
}

#[test]
fn tender_terms_are_checked_and_the_standard_ones_hold() {
    use domain::EvaluationTerms;
    for category in ["construction", "procurement", "other"] {
        assert_eq!(EvaluationTerms::standard(category).validate(), Ok(()));
    }
    let mut t = EvaluationTerms::standard("procurement");
    t.factors[0].max = 4000;
    assert!(t.validate().unwrap_err().contains("100分"));
    let mut t = EvaluationTerms::standard("procurement");
    t.method = EvaluationMethod::LowestPrice {
        sme_deduction_bp: 1000,
    };
    assert!(t.validate().unwrap_err().contains("不设评分因素"));
    let mut t = EvaluationTerms::standard("construction");
    t.factors[1].key = t.factors[0].key.clone();
    assert!(t.validate().unwrap_err().contains("重复"));
    let mut t = EvaluationTerms::standard("procurement");
    t.method = EvaluationMethod::Comprehensive {
        price_points: 3000,
        sme_deduction_bp: 2500,
    };
    assert!(t.validate().unwrap_err().contains("20%"));
    let mut t = EvaluationTerms::standard("procurement");
    t.items.clear();
    assert!(t.validate().is_err());
}

#[test]
fn the_evaluation_locks_when_concluded_and_completes_when_all_signed() {
    use domain::{
        Decider, Evaluation, EvaluationCommand, EvaluationStatus, EvaluationTerms, ReportSignature,
    };
    let bids = [bid("甲", wan(100), false), bid("乙", wan(110), false)];
    let t = EvaluationTerms {
        max_candidates: 3,
        abnormal_low_bp: 0,
        ..EvaluationTerms::standard("procurement")
    };
    let items = ["资格审查", "符合性审查"];
    let scores = [
        ("甲", "technical", 4000),
        ("甲", "commercial", 2000),
        ("乙", "technical", 4500),
        ("乙", "commercial", 1500),
    ];
    let state = Option::<Evaluation>::replay(
        &Option::<Evaluation>::None
            .decide(
                EvaluationCommand::Start {
                    lot: "L".into(),
                    procedure: "P".into(),
                    draw: "D".into(),
                    terms: t,
                    bids: bids.to_vec(),
                    experts: vec!["E1".into(), "E2".into()],
                },
                1,
            )
            .unwrap(),
    );
    let run = |state: Option<Evaluation>, command: EvaluationCommand| {
        let events = state.decide(command, 2).map_err(|e| e.code())?;
        Ok::<_, &'static str>(events.iter().fold(state, |s, e| s.evolve(e)))
    };
    let save = |expert: &str, s: &[(&str, &str, i64)]| EvaluationCommand::SaveSheet {
        expert: expert.into(),
        sheet: sheet("ignored", &bids, &items, s),
    };
    // Only committee members; only what the evaluation has.
    assert_eq!(
        run(state.clone(), save("E9", &scores)).unwrap_err(),
        "NOT_ON_PANEL"
    );
    assert_eq!(
        run(state.clone(), save("E1", &[("丙", "technical", 1)])).unwrap_err(),
        "SHEET_UNKNOWN"
    );
    let state = run(state, save("E1", &scores)).unwrap();
    assert_eq!(state.as_ref().unwrap().sheets["E1"].expert, "E1");
    // E2 has not scored: concluding names what is missing.
    let conclude = |state: &Option<Evaluation>| {
        let e = state.as_ref().unwrap();
        EvaluationCommand::Conclude {
            outcome: domain::aggregate(&e.terms, &e.bids, &e.all_sheets()),
            report_sm3: "ab".into(),
        }
    };
    assert_eq!(
        run(state.clone(), conclude(&state)).unwrap_err(),
        "EVALUATION_INCOMPLETE"
    );
    let state = run(state, save("E2", &scores)).unwrap();
    // An outcome computed before a sheet changed: refused, the digest must be the stored one's.
    let stale = conclude(&state);
    let changed = run(
        state.clone(),
        save(
            "E2",
            &[
                ("甲", "technical", 3000),
                ("甲", "commercial", 2000),
                ("乙", "technical", 4500),
                ("乙", "commercial", 1500),
            ],
        ),
    )
    .unwrap();
    assert_eq!(run(changed, stale).unwrap_err(), "EVALUATION_CHANGED");
    let state = run(state.clone(), conclude(&state)).unwrap();
    assert!(matches!(
        state.as_ref().unwrap().status,
        EvaluationStatus::Concluded { .. }
    ));
    // Locked: no score changes; reopened only before anyone signs.
    assert_eq!(
        run(state.clone(), save("E1", &scores)).unwrap_err(),
        "EVALUATION_LOCKED"
    );
    let reopened = run(
        state.clone(),
        EvaluationCommand::Reopen {
            reason: "E2 计算错误".into(),
        },
    )
    .unwrap();
    assert!(run(reopened, save("E2", &scores)).is_ok());
    let signature = || ReportSignature {
        certificate: "c".into(),
        certificate_pem: String::new(),
        signature: "s".into(),
        at_ms: 3,
    };
    let sign = |expert: &str| EvaluationCommand::Sign {
        expert: expert.into(),
        report_sm3: "ab".into(),
        signature: signature(),
    };
    // A signature of another report: refused.
    assert_eq!(
        run(
            state.clone(),
            EvaluationCommand::Sign {
                expert: "E1".into(),
                report_sm3: "cd".into(),
                signature: signature(),
            }
        )
        .unwrap_err(),
        "EVALUATION_CHANGED"
    );
    let state = run(state, sign("E1")).unwrap();
    assert_eq!(
        run(state.clone(), sign("E1")).unwrap_err(),
        "ALREADY_SIGNED"
    );
    assert_eq!(
        run(
            state.clone(),
            EvaluationCommand::Reopen { reason: "x".into() }
        )
        .unwrap_err(),
        "EVALUATION_LOCKED"
    );
    let state = run(state, sign("E2")).unwrap();
    let done = state.as_ref().unwrap();
    assert!(
        matches!(&done.status, EvaluationStatus::Signed { outcome, .. } if outcome.candidates[0] == "甲" || outcome.candidates[0] == "乙")
    );
    assert_eq!(
        run(state.clone(), save("E1", &scores)).unwrap_err(),
        "EVALUATION_LOCKED"
    );
}

#[test]
fn a_committee_is_at_least_the_minimum_and_odd() {
    let cases = [
        (3, 5, false),
        (4, 5, false),
        (5, 5, true),
        (6, 5, false),
        (7, 5, true),
        (3, 3, true),
        (1, 3, false),
    ];
    for (members, min, ok) in cases {
        assert_eq!(
            domain::committee_size_ok(members, min),
            ok,
            "{members} of {min}"
        );
    }
}

/// Never more candidates than the rule set allows: a tied group that does not fit whole at the
/// last place is left out together and named (实施条例 第53条).
#[test]
fn never_more_candidates_than_the_rule_set_allows() {
    // (prices of A–D in 万元, max_candidates, candidates, tied at the cut)
    type Case = (
        &'static [i64],
        u32,
        &'static [&'static str],
        &'static [&'static str],
    );
    let cases: [Case; 6] = [
        (&[100, 110, 120, 130], 3, &["A", "B", "C"], &[]),
        (&[100, 110, 120, 120], 3, &["A", "B"], &["C", "D"]),
        (&[100, 100, 100, 130], 3, &["A", "B", "C"], &[]),
        (&[100, 110, 110, 110], 3, &["A"], &["B", "C", "D"]),
        (&[100, 100, 100, 100], 3, &[], &["A", "B", "C", "D"]),
        (&[100, 100, 120, 130], 1, &[], &["A", "B"]),
    ];
    for (prices, max, candidates, tied) in cases {
        let bids: Vec<BidLine> = ["A", "B", "C", "D"]
            .iter()
            .zip(prices)
            .map(|(b, p)| bid(b, wan(*p), false))
            .collect();
        let t = EvaluationTerms {
            max_candidates: max,
            ..terms(
                EvaluationMethod::LowestPrice {
                    sme_deduction_bp: 0,
                },
                vec![],
            )
        };
        let outcome = aggregate(
            &t,
            &bids,
            &[sheet("专家1", &bids, &["资格", "符合性"], &[])],
        );
        assert!(outcome.candidates.len() <= max as usize);
        assert_eq!(outcome.candidates, candidates, "{prices:?} / {max}");
        assert_eq!(outcome.tied_at_cut, tied, "{prices:?} / {max}");
    }
}

/// Equal scores are ordered by the price the rule set names: the quoted price (87号令 第56条)
/// or the evaluated price after the small-enterprise deduction.
#[test]
fn a_score_tie_is_broken_by_the_rule_sets_price() {
    // A quotes 100 (price 28.35 + tech 41.65); small B quotes 105 → 94.5 (30.00 + 40.00): 70.00 each.
    let factors = vec![Factor {
        key: "tech".into(),
        name: "技术".into(),
        max: 7000,
        objective: false,
    }];
    let bids = [bid("A", wan(100), false), bid("B", wan(105), true)];
    let sheets = vec![sheet(
        "专家1",
        &bids,
        &["资格", "符合性"],
        &[("A", "tech", 4165), ("B", "tech", 4000)],
    )];
    for (tie_price, order) in [(1, ["A", "B"]), (2, ["B", "A"]), (0, ["B", "A"])] {
        let t = EvaluationTerms {
            tie_price,
            ..terms(
                EvaluationMethod::Comprehensive {
                    price_points: 3000,
                    sme_deduction_bp: 1000,
                },
                factors.clone(),
            )
        };
        let outcome = aggregate(&t, &bids, &sheets);
        assert_eq!(
            (line(&outcome, "A").total, line(&outcome, "B").total),
            (7000, 7000)
        );
        assert_eq!(outcome.candidates, order, "candidate_tie_price {tie_price}");
    }
    let mut bad = EvaluationTerms::standard("procurement");
    bad.tie_price = 3;
    assert!(bad.validate().is_err());
}

/// 财库〔2020〕46号 第9条 and 财库〔2022〕19号: a consortium (or a main contractor subcontracting)
/// whose agreement gives small and micro enterprises at least the minimum share gets the
/// consortium deduction; a small enterprise gets its own deduction; never both, and below the
/// share nothing.
#[test]
fn a_consortium_with_the_small_enterprise_share_gets_its_deduction() {
    let with_share = |bidder: &str, price: i64, share_bp: i64| BidLine {
        small_share_bp: share_bp,
        ..bid(bidder, price, false)
    };
    let bids = [
        bid("甲", wan(100), false),
        with_share("乙", wan(103), 3000),
        with_share("丙", wan(103), 2999),
        BidLine {
            small_share_bp: 10_000,
            ..bid("丁", wan(105), true)
        },
    ];
    let t = EvaluationTerms {
        consortium_deduction_bp: 500,
        consortium_share_min_bp: 3000,
        ..terms(
            EvaluationMethod::Comprehensive {
                price_points: 10_000,
                sme_deduction_bp: 1000,
            },
            vec![],
        )
    };
    assert_eq!(t.validate(), Ok(()));
    let sheets = vec![sheet("专家1", &bids, &["资格", "符合性"], &[])];
    let outcome = aggregate(&t, &bids, &sheets);
    // 乙: 103 less 5 % = 97.85; 丙 just under the share: 103; 丁 small: 105 less 10 % = 94.5.
    assert_eq!(line(&outcome, "甲").evaluated_price_fen, wan(100));
    assert_eq!(line(&outcome, "乙").evaluated_price_fen, 97_850_000);
    assert_eq!(line(&outcome, "丙").evaluated_price_fen, wan(103));
    assert_eq!(line(&outcome, "丁").evaluated_price_fen, 94_500_000);
    assert_eq!(outcome.candidates, vec!["丁", "乙", "甲"]);
    assert!(
        t.describe_zh()
            .contains("小微企业合同份额达到 30.00% 的，价格扣除 5.00%")
    );
}

/// 财库〔2020〕46号 第8条: a lot reserved for small and medium enterprises takes only bids that
/// declare themselves one (a small enterprise is one too), and deducts nothing (第9条).
#[test]
fn a_lot_reserved_for_small_and_medium_enterprises_fails_other_bids() {
    let bids = [
        bid("甲", wan(100), false),
        BidLine {
            sme: true,
            ..bid("乙", wan(103), false)
        },
        bid("丙", wan(105), true),
    ];
    let t = EvaluationTerms {
        reserved_for_sme: true,
        ..terms(
            EvaluationMethod::Comprehensive {
                price_points: 10_000,
                sme_deduction_bp: 0,
            },
            vec![],
        )
    };
    assert_eq!(t.validate(), Ok(()));
    let sheets = vec![sheet("专家1", &bids, &["资格", "符合性"], &[])];
    let outcome = aggregate(&t, &bids, &sheets);
    let first = line(&outcome, "甲");
    assert!(!first.qualified);
    assert_eq!(first.failed_items[0].0, domain::SME_DECLARATION_ITEM);
    assert!(line(&outcome, "乙").qualified);
    assert!(line(&outcome, "丙").qualified);
    // No deduction: the small enterprise ranks on its price as quoted.
    assert_eq!(line(&outcome, "丙").evaluated_price_fen, wan(105));
    assert_eq!(outcome.candidates, vec!["乙", "丙"]);
    assert!(t.describe_zh().contains("专门面向中小企业采购"));
}

/// Every combination of the policy the terms cannot hold is refused with its reason.
#[test]
fn the_small_enterprise_policy_is_checked_in_the_terms() {
    let procurement = |sme: i64| {
        terms(
            EvaluationMethod::Comprehensive {
                price_points: 10_000,
                sme_deduction_bp: sme,
            },
            vec![],
        )
    };
    let cases: Vec<(&str, EvaluationTerms, bool)> = vec![
        (
            "reserved with a small-enterprise deduction",
            EvaluationTerms {
                reserved_for_sme: true,
                ..procurement(1000)
            },
            false,
        ),
        (
            "reserved with a consortium deduction",
            EvaluationTerms {
                reserved_for_sme: true,
                consortium_deduction_bp: 500,
                consortium_share_min_bp: 3000,
                ..procurement(0)
            },
            false,
        ),
        (
            "a consortium deduction without its share",
            EvaluationTerms {
                consortium_deduction_bp: 500,
                ..procurement(1000)
            },
            false,
        ),
        (
            "a consortium deduction over 10 %",
            EvaluationTerms {
                consortium_deduction_bp: 1100,
                consortium_share_min_bp: 3000,
                ..procurement(1000)
            },
            false,
        ),
        (
            "a share over 100 %",
            EvaluationTerms {
                consortium_deduction_bp: 500,
                consortium_share_min_bp: 10_001,
                ..procurement(1000)
            },
            false,
        ),
        (
            "a consortium deduction under a construction method",
            EvaluationTerms {
                consortium_deduction_bp: 500,
                consortium_share_min_bp: 3000,
                ..terms(EvaluationMethod::ReviewedLowestPrice, vec![])
            },
            false,
        ),
        (
            "reserved, nothing deducted",
            EvaluationTerms {
                reserved_for_sme: true,
                ..procurement(0)
            },
            true,
        ),
        (
            "both deductions",
            EvaluationTerms {
                consortium_deduction_bp: 500,
                consortium_share_min_bp: 3000,
                ..procurement(1000)
            },
            true,
        ),
    ];
    for (what, t, valid) in cases {
        assert_eq!(t.validate().is_ok(), valid, "{what}: {:?}", t.validate());
    }
}
