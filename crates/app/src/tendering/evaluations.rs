//! 评标 — the committee drawn for a lot evaluates its opened bids: each expert, after signing the
//! 回避承诺, fills in a sheet (qualification items with reasons, factor scores within range); the
//! platform shows what is missing, refuses to conclude while anything is, aggregates with the
//! lot's frozen 评标办法, fixes the report's digest, and records each expert's SM2 signature made
//! with their own certificate. When every expert has signed, the lot is evaluated. Nobody changes
//! a score after the report is concluded (a reopening is possible only before the first signature).

use crypto::{Signature, sm3};
use domain::{
    BidLine, DomainError, Evaluation, EvaluationCommand, EvaluationEvent, EvaluationOutcome,
    EvaluationStatus, EvaluationTerms, Expert, OpeningOutcome, Panel, Procedure, ProcedureCommand,
    ReportSignature, ReportToSign, Role, SeatStatus, Sheet,
};
use serde::Serialize;
use store::DocumentFilter;

use crate::tendering::tender::{manages, procedure_of_lot, procedure_stream};
use crate::witness::append::append;
use crate::witness::documents::{decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// An opened bid as the committee sees it.
#[derive(Clone, Debug, Serialize)]
pub struct BidView {
    pub bidder: String,
    pub bidder_name: String,
    pub price_fen: i64,
    pub small_enterprise: bool,
    pub form: std::collections::BTreeMap<String, String>,
    pub files: Vec<domain::Document>,
}

/// An evaluation as its reader may see it.
#[derive(Clone, Debug, Serialize)]
pub struct EvaluationView {
    pub lot: String,
    pub procedure: String,
    pub procedure_title: String,
    pub terms: EvaluationTerms,
    pub bids: Vec<BidView>,
    /// `scoring`, `concluded` or `signed`.
    pub status: &'static str,
    /// The caller's pseudonym when the caller sits on the committee.
    pub me: Option<String>,
    /// The caller's own sheet.
    pub my_sheet: Option<Sheet>,
    /// What is still missing (for an expert: their own gaps and any objective mismatch; for the
    /// organiser and oversight: every gap).
    pub todo: Vec<String>,
    /// Committee size, sheets saved, signatures.
    pub committee: usize,
    pub saved: usize,
    pub signed: usize,
    /// Every sheet: oversight only.
    pub sheets: Option<Vec<Sheet>>,
    pub outcome: Option<EvaluationOutcome>,
    pub report_sm3: Option<String>,
    /// What the caller signs, once concluded and not yet signed by them.
    pub to_sign: Option<ReportToSign>,
}

/// SM3 of the canonical JSON of an outcome: the report's digest.
pub fn report_digest(outcome: &EvaluationOutcome) -> Result<String, AppError> {
    let value = serde_json::to_value(outcome).map_err(|e| AppError::Internal(e.to_string()))?;
    let bytes =
        crypto::canonical_json_bytes(&value).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(sm3(&bytes).to_hex())
}

fn small_enterprise(form: &std::collections::BTreeMap<String, String>) -> bool {
    domain::form_declares(form, "small_enterprise")
}

/// The bid form's `small_enterprise_share`: the share of the contract a consortium or
/// subcontract agreement gives small and micro enterprises, in percent (`35`, `35%`, `35.5`),
/// as basis points; 0 when absent or not a percentage from 0 to 100 with at most two decimals.
fn small_share_bp(form: &std::collections::BTreeMap<String, String>) -> i64 {
    let Some(text) = form.get("small_enterprise_share") else {
        return 0;
    };
    let text = text.trim().trim_end_matches(['%', '％']).trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole)
        || whole.len() > 3
        || fraction.len() > 2
        || !(fraction.is_empty() || digits(fraction))
    {
        return 0;
    }
    let whole: i64 = whole.parse().unwrap_or(0);
    let fraction: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    let bp = whole * 100 + fraction;
    if bp > 10_000 { 0 } else { bp }
}

impl App {
    /// The stream of the lot's current evaluation: a re-evaluation ordered by a supervising
    /// department has its own (`Evaluation::stream_of`).
    pub(crate) async fn evaluation_stream(&self, lot: &str) -> Result<String, AppError> {
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        let round = procedure.lot(lot).map_or(0, |l| l.evaluation_round);
        Ok(Evaluation::stream_of(lot, round))
    }

    async fn load_evaluation(&self, lot: &str) -> Result<Evaluation, AppError> {
        let row = self
            .store
            .document(&self.evaluation_stream(lot).await?)
            .await?
            .ok_or(DomainError::EvaluationNotFound)?;
        decode_state(&row.state)
    }

    /// 开始评标 (the organiser or the trading center): the lot is opened, and a panel drawn for it
    /// has every seat filled by an expert who signed the declaration.
    pub async fn start_evaluation(&self, caller: &Caller, lot: &str) -> Result<Receipt, AppError> {
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        if !manages(caller, &procedure) && !caller.has(Role::Operator) {
            return Err(AppError::NotAuthorized);
        }
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let panels = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "panel",
                    key2: Some(lot),
                    status: Some("open"),
                    ..Default::default()
                },
                1_000,
                0,
            )
            .await?;
        let mut complete: Vec<Panel> = Vec::new();
        // A re-evaluation is by a committee formed after the order.
        let formed_after = found.evaluation_reopened_at_ms.unwrap_or(i64::MIN);
        for row in &panels.items {
            let panel: Panel = decode_state(&row.state)?;
            if panel.complete() && panel.formed_at_ms > formed_after {
                complete.push(panel);
            }
        }
        complete.sort_by_key(|p| p.formed_at_ms);
        let panel = complete.pop().ok_or(DomainError::EvaluationNotReady {
            reason: "没有全部专家已签署回避承诺的评标委员会".into(),
        })?;
        let bids: Vec<BidLine> = found
            .opening
            .iter()
            .filter(|line| line.outcome == OpeningOutcome::Opened)
            .filter_map(|line| {
                line.price_fen.map(|price| BidLine {
                    bidder: line.bidder.to_string(),
                    price_fen: price,
                    small_enterprise: small_enterprise(&line.form),
                    sme: domain::form_declares(&line.form, "sme"),
                    small_share_bp: small_share_bp(&line.form),
                })
            })
            .collect();
        let mut terms = found
            .evaluation
            .clone()
            .unwrap_or_else(|| EvaluationTerms::standard(&procedure.draft.rule_category));
        // The rule set's candidate number (实施条例 第53条) and tie order (87号令 第56条),
        // frozen at the start.
        if let Ok(rules) = self
            .resolve_rules(
                &procedure.draft.rule_category,
                procedure.draft.region.as_ref(),
                domain::Date::of_instant(self.now_ms()),
            )
            .await
        {
            if let Ok(max) = rules.threshold("max_candidates") {
                terms.max_candidates = terms.max_candidates.min(max.max(1) as u32);
            }
            if let Ok(code) = rules.threshold("candidate_tie_price") {
                terms.tie_price = u8::try_from(code).unwrap_or(0);
            }
            if let Ok(code) = rules.threshold("candidate_tie_at_cut") {
                terms.tie_at_cut = u8::try_from(code).unwrap_or(0);
            }
        }
        let experts: Vec<String> = panel
            .seats
            .iter()
            .filter(|s| matches!(s.status, SeatStatus::Declared { .. }))
            .map(|s| s.pseudonym.clone())
            .collect();
        // 评标委员会: at least the rule set's number, odd (招标投标法 第37条; 87号令 第47条;
        // 磋商小组 214号 第14条). Every member here is a drawn expert, so the experts' share holds.
        let rules = self
            .resolve_rules(
                &procedure.draft.rule_category,
                procedure.draft.region.as_ref(),
                domain::Date::of_instant(self.now_ms()),
            )
            .await?;
        let key = if matches!(
            procedure.draft.method,
            domain::Method::CompetitiveConsultation
                | domain::Method::CompetitiveNegotiation
                | domain::Method::Inquiry
        ) {
            "committee_min_consultation"
        } else {
            "committee_min"
        };
        if let Ok(min) = rules.threshold(key) {
            let n = experts.len();
            if !domain::committee_size_ok(n, min) {
                return Err(DomainError::EvaluationNotReady {
                    reason: format!(
                        "评标委员会应为{min}人以上单数（规则集 {key}），现有{n}名专家已签署回避承诺"
                    ),
                }
                .into());
            }
        }
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let procedure_stream = procedure_stream(&procedure.id);
        let (procedure_after, mut entries) = decide::<Option<Procedure>>(
            &mut tx,
            &procedure_stream,
            ProcedureCommand::StartEvaluation {
                lot: lot.to_string(),
                draw: panel.draw.clone(),
            },
            &caller.username,
            now,
        )
        .await?;
        let stream = Evaluation::stream_of(lot, found.evaluation_round);
        let (evaluation, more) = decide::<Option<Evaluation>>(
            &mut tx,
            &stream,
            EvaluationCommand::Start {
                lot: lot.to_string(),
                procedure: procedure.id.clone(),
                draw: panel.draw.clone(),
                terms,
                bids,
                experts,
            },
            &caller.username,
            now,
        )
        .await?;
        entries.extend(more);
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let seq_of = |s: &str| {
            receipts
                .iter()
                .filter(|r| r.stream == s)
                .map(|r| r.seq)
                .max()
        };
        if let Some(seq) = seq_of(&procedure_stream) {
            project(&mut tx, &procedure_stream, &procedure_after.after, seq).await?;
        }
        if let Some(seq) = seq_of(&stream) {
            project(&mut tx, &stream, &evaluation.after, seq).await?;
        }
        tx.commit().await?;
        receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("evaluation start appended nothing".into()))
    }

    /// The committee member behind an expert caller for this evaluation.
    /// Scores and signatures are taken only while the lot is being evaluated (not while it is
    /// suspended or after it ended).
    async fn require_evaluating(&self, evaluation: &Evaluation) -> Result<(), AppError> {
        let procedure: Procedure = self.load_procedure(&evaluation.procedure).await?;
        let lot = procedure
            .lot(&evaluation.lot)
            .ok_or(DomainError::LotNotFound)?;
        if lot.status != domain::LotStatus::Evaluating {
            return Err(DomainError::AwardStep {
                step: "评审或签署评标报告",
                status: lot.status.as_str(),
            }
            .into());
        }
        Ok(())
    }

    async fn committee_member(
        &self,
        caller: &Caller,
        evaluation: &Evaluation,
    ) -> Result<String, AppError> {
        let pseudonym = self.pseudonym_of_caller(caller).await?;
        if !evaluation.experts.contains(&pseudonym)
            || !self.expert_may_evaluate(caller, &evaluation.lot).await?
        {
            return Err(AppError::NotAuthorized);
        }
        Ok(pseudonym)
    }

    /// Runs an evaluation command; when it completes the report, the lot is recorded evaluated
    /// in the same transaction.
    async fn evaluation_command(
        &self,
        actor: &str,
        lot: &str,
        command: EvaluationCommand,
    ) -> Result<Receipt, AppError> {
        let stream = self.evaluation_stream(lot).await?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let (decided, entries) =
            decide::<Option<Evaluation>>(&mut tx, &stream, command, actor, now).await?;
        let completed = decided
            .events
            .iter()
            .any(|e| matches!(e, EvaluationEvent::Completed { .. }));
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let first = receipts
            .first()
            .cloned()
            .ok_or_else(|| AppError::Internal("evaluation command appended nothing".into()))?;
        let last = receipts.last().map_or(first.seq, |r| r.seq);
        project(&mut tx, &stream, &decided.after, last).await?;
        // The last signature completes the report: the lot is evaluated (or fails when every bid
        // was rejected, with its notice), in the same transaction.
        if completed
            && let Some(Evaluation {
                status:
                    EvaluationStatus::Signed {
                        outcome,
                        report_sm3,
                    },
                procedure,
                ..
            }) = &decided.after
        {
            self.procedure_command_in(
                &mut tx,
                "platform",
                procedure,
                ProcedureCommand::RecordEvaluation {
                    lot: lot.to_string(),
                    report_sm3: report_sm3.clone(),
                    candidates: outcome.candidates.clone(),
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(first)
    }

    /// An expert saves their sheet (drafts may be incomplete; the to-do list says what is left).
    pub async fn save_sheet(
        &self,
        caller: &Caller,
        lot: &str,
        sheet: Sheet,
    ) -> Result<Receipt, AppError> {
        let evaluation = self.load_evaluation(lot).await?;
        let expert = self.committee_member(caller, &evaluation).await?;
        self.require_evaluating(&evaluation).await?;
        // Entry headers are public: the actor names no log-in.
        self.evaluation_command(
            "expert",
            lot,
            EvaluationCommand::SaveSheet { expert, sheet },
        )
        .await
    }

    /// 汇总: a committee member or the organiser concludes once nothing is missing; the report's
    /// digest is fixed and the sheets are locked.
    pub async fn conclude_evaluation(
        &self,
        caller: &Caller,
        lot: &str,
    ) -> Result<Receipt, AppError> {
        let evaluation = self.load_evaluation(lot).await?;
        let procedure: Procedure = self.load_procedure(&evaluation.procedure).await?;
        let actor = if manages(caller, &procedure) || caller.has(Role::Operator) {
            caller.username.clone()
        } else {
            self.committee_member(caller, &evaluation).await?;
            "expert".to_string()
        };
        let outcome = domain::aggregate(
            &evaluation.terms,
            &evaluation.bids,
            &evaluation.all_sheets(),
        );
        let report_sm3 = report_digest(&outcome)?;
        // The domain refuses if the sheets changed since they were read: the digest is always
        // that of the stored outcome.
        self.evaluation_command(
            &actor,
            lot,
            EvaluationCommand::Conclude {
                outcome,
                report_sm3,
            },
        )
        .await
    }

    /// Back to scoring before anyone signed (the organiser or the trading center, with a reason).
    pub async fn reopen_evaluation(
        &self,
        caller: &Caller,
        lot: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        let evaluation = self.load_evaluation(lot).await?;
        let procedure: Procedure = self.load_procedure(&evaluation.procedure).await?;
        if !manages(caller, &procedure) && !caller.has(Role::Operator) {
            return Err(AppError::NotAuthorized);
        }
        self.evaluation_command(
            &caller.username,
            lot,
            EvaluationCommand::Reopen {
                reason: reason.to_string(),
            },
        )
        .await
    }

    /// An expert signs the concluded report with their own certificate: an SM2 signature over
    /// the canonical JSON of `ReportToSign`, by a certificate of a recognised CA whose subject is
    /// the expert's ID number.
    pub async fn sign_report(
        &self,
        caller: &Caller,
        lot: &str,
        certificate_pem: &str,
        signature_hex: &str,
    ) -> Result<Receipt, AppError> {
        let evaluation = self.load_evaluation(lot).await?;
        let expert = self.committee_member(caller, &evaluation).await?;
        self.require_evaluating(&evaluation).await?;
        let report_sm3 = match &evaluation.status {
            EvaluationStatus::Concluded { report_sm3, .. } => report_sm3.clone(),
            _ => return Err(DomainError::EvaluationNotConcluded.into()),
        };
        let payload = ReportToSign {
            lot: lot.to_string(),
            draw: evaluation.draw.clone(),
            report_sm3,
            expert: expert.clone(),
        };
        let now = self.now_ms();
        let certificate = crypto::Certificate::from_pem(certificate_pem)?;
        let trust = self.trust_store_at(now).await?;
        trust.verify(&certificate, now, |_| false)?;
        let row = self
            .store
            .document(&Expert::stream(&expert))
            .await?
            .ok_or(DomainError::ExpertNotFound)?;
        let record: Expert = decode_state(&row.state)?;
        if certificate.subject_code().as_deref() != Some(record.record.id_number.as_ref()) {
            return Err(DomainError::CertificateWrongEntity.into());
        }
        let signature = Signature::from_hex(signature_hex)
            .map_err(|_| AppError::from(crypto::CertError::BadSignature))?;
        let value =
            serde_json::to_value(&payload).map_err(|e| AppError::Internal(e.to_string()))?;
        certificate
            .public_key()?
            .verify_json(&value, &signature)
            .map_err(|_| crypto::CertError::BadSignature)?;
        self.evaluation_command(
            "expert",
            lot,
            EvaluationCommand::Sign {
                expert,
                report_sm3: payload.report_sm3.clone(),
                signature: ReportSignature {
                    certificate: certificate.fingerprint().to_hex(),
                    certificate_pem: certificate_pem.trim().to_string(),
                    signature: signature_hex.to_string(),
                    at_ms: now,
                },
            },
        )
        .await
    }

    /// The evaluation as the caller may see it: committee experts (after the declaration), the
    /// organiser, the trading center, supervision and audit.
    pub async fn evaluation_view(
        &self,
        caller: &Caller,
        lot: &str,
    ) -> Result<EvaluationView, AppError> {
        self.evaluation_view_for_case(caller, lot, None).await
    }

    /// The evaluation, read by supervision or audit under `case` (or in routine online
    /// supervision): the read is witnessed first in each bidder's access stream.
    pub async fn evaluation_view_for_case(
        &self,
        caller: &Caller,
        lot: &str,
        case: Option<&str>,
    ) -> Result<EvaluationView, AppError> {
        let evaluation = self.load_evaluation(lot).await?;
        let procedure: Procedure = self.load_procedure(&evaluation.procedure).await?;
        let oversight = caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]);
        let organiser = manages(caller, &procedure);
        let me = if caller.has(Role::Expert) {
            Some(self.committee_member(caller, &evaluation).await?)
        } else {
            None
        };
        if me.is_none() && !oversight && !organiser {
            return Err(AppError::NotAuthorized);
        }
        if me.is_none() && !organiser {
            let bidders: Vec<String> = evaluation.bids.iter().map(|b| b.bidder.clone()).collect();
            self.record_oversight_read(
                caller,
                case,
                &procedure,
                lot,
                "评标情况（评审表、评分和评审意见）",
                &bidders,
            )
            .await?;
        }
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let bids = evaluation
            .bids
            .iter()
            .map(|bid| {
                let line = found
                    .opening
                    .iter()
                    .find(|l| l.bidder.as_ref() == bid.bidder);
                BidView {
                    bidder: bid.bidder.clone(),
                    bidder_name: line.map(|l| l.bidder_name.clone()).unwrap_or_default(),
                    price_fen: bid.price_fen,
                    small_enterprise: bid.small_enterprise,
                    form: line.map(|l| l.form.clone()).unwrap_or_default(),
                    files: line.map(|l| l.files.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let gaps = evaluation.gaps();
        let todo = gaps
            .iter()
            .filter(|g| match (&me, g) {
                // The organiser follows the progress, not the experts' scores.
                (None, domain::SheetGap::ObjectiveMismatch { .. }) => oversight,
                (None, _) => true,
                (Some(_), domain::SheetGap::ObjectiveMismatch { .. }) => true,
                (Some(me), domain::SheetGap::MissingVerdict { expert, .. })
                | (Some(me), domain::SheetGap::MissingReason { expert, .. })
                | (Some(me), domain::SheetGap::MissingScore { expert, .. })
                | (Some(me), domain::SheetGap::OutOfRange { expert, .. }) => expert == me,
            })
            .map(domain::SheetGap::describe)
            .collect();
        let (status, outcome, report_sm3) = match &evaluation.status {
            EvaluationStatus::Scoring => ("scoring", None, None),
            EvaluationStatus::Concluded {
                outcome,
                report_sm3,
            } => ("concluded", Some(outcome.clone()), Some(report_sm3.clone())),
            EvaluationStatus::Signed {
                outcome,
                report_sm3,
            } => ("signed", Some(outcome.clone()), Some(report_sm3.clone())),
        };
        let to_sign = match (&me, &evaluation.status) {
            (Some(me), EvaluationStatus::Concluded { report_sm3, .. })
                if !evaluation.signatures.contains_key(me) =>
            {
                Some(ReportToSign {
                    lot: lot.to_string(),
                    draw: evaluation.draw.clone(),
                    report_sm3: report_sm3.clone(),
                    expert: me.clone(),
                })
            }
            _ => None,
        };
        Ok(EvaluationView {
            lot: lot.to_string(),
            procedure: procedure.id.clone(),
            procedure_title: procedure.draft.title.clone(),
            terms: evaluation.terms.clone(),
            bids,
            status,
            my_sheet: me.as_ref().and_then(|m| evaluation.sheets.get(m).cloned()),
            me,
            todo,
            committee: evaluation.experts.len(),
            saved: evaluation.sheets.len(),
            signed: evaluation.signatures.len(),
            sheets: oversight.then(|| evaluation.all_sheets()),
            outcome,
            report_sm3,
            to_sign,
        })
    }

    /// Whether a lot is being or has been evaluated (for pages).
    pub async fn evaluation_started(&self, lot: &str) -> Result<bool, AppError> {
        Ok(self
            .store
            .document(&self.evaluation_stream(lot).await?)
            .await?
            .is_some())
    }
}

impl App {
    /// A file of an opened bid: to the committee's experts (after the declaration), to the
    /// bidder itself, and to supervision and audit. The file must be one the opening record
    /// lists for that bidder. Returns the name and the bytes.
    pub async fn bid_file(
        &self,
        caller: &Caller,
        lot: &str,
        bidder: &str,
        sm3_hex: &str,
    ) -> Result<(String, Vec<u8>), AppError> {
        self.bid_file_for_case(caller, lot, bidder, sm3_hex, None)
            .await
    }

    /// A file of an opened bid, read by supervision or audit under `case` (or in routine online
    /// supervision): the read is witnessed first in the bidder's access stream.
    pub async fn bid_file_for_case(
        &self,
        caller: &Caller,
        lot: &str,
        bidder: &str,
        sm3_hex: &str,
        case: Option<&str>,
    ) -> Result<(String, Vec<u8>), AppError> {
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let on_committee = match self
            .store
            .document(&self.evaluation_stream(lot).await?)
            .await?
        {
            // Once the evaluation started, its committee and nobody else on the expert side.
            Some(row) => {
                let evaluation: Evaluation = decode_state(&row.state)?;
                caller.has(Role::Expert)
                    && self
                        .pseudonym_of_caller(caller)
                        .await
                        .is_ok_and(|p| evaluation.experts.contains(&p))
                    && self.expert_may_evaluate(caller, lot).await?
            }
            None => caller.has(Role::Expert) && self.expert_may_evaluate(caller, lot).await?,
        };
        let allowed = caller.has_any(&[Role::Supervisor, Role::Auditor])
            || caller.acts_for(bidder)
            || on_committee;
        if !allowed {
            return Err(AppError::NotAuthorized);
        }
        let document = found
            .opening
            .iter()
            .filter(|line| line.bidder.as_ref() == bidder && line.outcome == OpeningOutcome::Opened)
            .flat_map(|line| line.files.iter())
            .find(|file| file.sm3 == sm3_hex)
            .ok_or(AppError::NotFound("投标文件中没有该文件"))?;
        let bytes = self
            .store
            .blob(&document.sm3)
            .await?
            .ok_or(AppError::NotFound("该文件未保存"))?;
        if !caller.acts_for(bidder) && !on_committee {
            self.record_oversight_read(
                caller,
                case,
                &procedure,
                lot,
                &format!("投标文件：{}", document.name),
                &[bidder.to_string()],
            )
            .await?;
        }
        Ok((document.name.clone(), bytes))
    }
}
