//! After the evaluation (招标投标法 第45–47条; 实施条例 第54–55条): the candidates publicised for
//! the rule set's period, objections that suspend the lot until answered, the award (then the
//! committee's names are disclosed), the contract signed by both parties within the period, and
//! performance records. Each step is a procedure event in the ledger, with its announcement.

use domain::{
    Candidate, Date, DomainError, EntityId, Evaluation, EvaluationStatus, LotStatus, Procedure,
    ProcedureCommand, Role,
};
use store::DocumentFilter;

use crate::tendering::tender::{manages, procedure_of_lot};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

impl App {
    async fn organised_lot(&self, caller: &Caller, lot: &str) -> Result<Procedure, AppError> {
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        if !manages(caller, &procedure) {
            return Err(AppError::NotAuthorized);
        }
        Ok(procedure)
    }

    async fn period(
        &self,
        procedure: &Procedure,
        keys: &[&str],
    ) -> Result<domain::Period, AppError> {
        let today = Date::of_instant(self.now_ms());
        let rules = self
            .resolve_rules(
                &procedure.draft.rule_category,
                procedure.draft.region.as_ref(),
                today,
            )
            .await?;
        for key in keys {
            if let Ok(rule) = rules.period(key) {
                return Ok(rule.period);
            }
        }
        Err(DomainError::RuleMissing {
            category: procedure.draft.rule_category.clone(),
            key: keys.join(" / "),
        }
        .into())
    }

    fn last_receipt(receipts: Vec<Receipt>) -> Result<Receipt, AppError> {
        receipts
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Internal("no receipt".into()))
    }

    /// 中标候选人公示 (the organiser): the signed report's candidates, for the rule set's period
    /// (construction: candidate_publicity_length; procurement: result_notice_length).
    pub async fn publish_candidates(
        &self,
        caller: &Caller,
        lot: &str,
    ) -> Result<Receipt, AppError> {
        let procedure = self.organised_lot(caller, lot).await?;
        let row = self
            .store
            .document(&self.evaluation_stream(lot).await?)
            .await?
            .ok_or(DomainError::EvaluationNotFound)?;
        let evaluation: Evaluation = decode_state(&row.state)?;
        let EvaluationStatus::Signed { outcome, .. } = &evaluation.status else {
            return Err(DomainError::EvaluationNotConcluded.into());
        };
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let candidates = outcome
            .lines
            .iter()
            .filter(|l| outcome.candidates.contains(&l.bidder))
            .map(|l| Candidate {
                bidder: EntityId(l.bidder.clone()),
                name: found
                    .opening
                    .iter()
                    .find(|o| o.bidder.as_ref() == l.bidder)
                    .map(|o| o.bidder_name.clone())
                    .unwrap_or_default(),
                rank: l.rank.unwrap_or(0),
            })
            .collect();
        let publicity = self
            .period(
                &procedure,
                &["candidate_publicity_length", "result_notice_length"],
            )
            .await?;
        let calendar = self.reference_data().await?.calendar;
        let (_, receipts) = self
            .procedure_command(
                caller,
                &procedure.id,
                ProcedureCommand::PublishCandidates {
                    lot: lot.to_string(),
                    candidates,
                    publicity,
                    calendar,
                },
            )
            .await?;
        Self::last_receipt(receipts)
    }

    /// 异议 (质疑): a party of the lot objects within its subject's window (the documents, the
    /// opening, the result); one about the result suspends the lot until the organiser answers
    /// (within the rule set's reply period). A party is a bidder that registered for the lot.
    pub async fn raise_objection(
        &self,
        caller: &Caller,
        lot: &str,
        subject: domain::ObjectionSubject,
        text: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Bidder)?;
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        let bids = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "bid",
                    key1: Some(lot),
                    key2: Some(&caller.entity_id),
                    ..Default::default()
                },
                1,
                0,
            )
            .await?;
        let Some(row) = bids.items.first() else {
            return Err(AppError::NotAuthorized);
        };
        if !caller.acts_for(&caller.entity_id) {
            return Err(AppError::NotAuthorized);
        }
        let bid: domain::Bid = crate::witness::replay::decode_state(&row.state)?;
        // Only a bidder that submitted may object to the opening or the result.
        if subject != domain::ObjectionSubject::Documents
            && bid.status != domain::BidStatus::Submitted
        {
            return Err(AppError::NotAuthorized);
        }
        let by_name = self.entity_name(&caller.entity_id).await?;
        let rules = self.objection_rules(&procedure).await?;
        let calendar = self.reference_data().await?.calendar;
        // Entry headers are public: the objection names no log-in.
        let (_, receipts) = self
            .procedure_command(
                &Caller {
                    username: "bidder".into(),
                    ..caller.clone()
                },
                &procedure.id,
                ProcedureCommand::RaiseObjection {
                    lot: lot.to_string(),
                    subject,
                    by: EntityId(caller.entity_id.clone()),
                    by_name,
                    text: text.to_string(),
                    rules,
                    downloaded: bid.downloaded_at_ms.map(Date::of_instant),
                    calendar,
                },
            )
            .await?;
        Self::last_receipt(receipts)
    }

    /// The organiser answers an objection.
    pub async fn answer_objection(
        &self,
        caller: &Caller,
        lot: &str,
        id: u32,
        answer: &str,
    ) -> Result<Receipt, AppError> {
        let procedure = self.organised_lot(caller, lot).await?;
        let (_, receipts) = self
            .procedure_command(
                caller,
                &procedure.id,
                ProcedureCommand::AnswerObjection {
                    lot: lot.to_string(),
                    id,
                    answer: answer.to_string(),
                },
            )
            .await?;
        Self::last_receipt(receipts)
    }

    /// 确定中标人 after the publicity (the result notice is published); the committee's names
    /// are then disclosed with the draw (platform.md principle 4).
    pub async fn award(
        &self,
        caller: &Caller,
        lot: &str,
        winner: &str,
    ) -> Result<Receipt, AppError> {
        let procedure = self.organised_lot(caller, lot).await?;
        let contract_period = self.period(&procedure, &["contract_after_award"]).await?;
        let calendar = self.reference_data().await?.calendar;
        let (_, receipts) = self
            .procedure_command(
                caller,
                &procedure.id,
                ProcedureCommand::Award {
                    lot: lot.to_string(),
                    winner: EntityId(winner.to_string()),
                    contract_period,
                    calendar,
                },
            )
            .await?;
        let receipt = Self::last_receipt(receipts)?;
        // The disclosure is its own transaction; if it fails, the award stands and the trading
        // center discloses from the draw's page (`disclose_panel`).
        if let Some(row) = self
            .store
            .document(&self.evaluation_stream(lot).await?)
            .await?
        {
            let evaluation: Evaluation = decode_state(&row.state)?;
            if let Err(error) = self.disclose_panel_after_award(&evaluation.draw).await {
                tracing::error!(%error, lot, "the committee's names could not be disclosed with the award");
            }
        }
        Ok(receipt)
    }

    /// 合同: the contract document, signed by the tenderee and the winner (SM2 signatures over
    /// `{"lot", "contract_sm3"}` by certificates bound to each).
    pub async fn record_contract(
        &self,
        caller: &Caller,
        lot: &str,
        name: &str,
        content: &[u8],
        signatures: &[(String, String)],
    ) -> Result<Receipt, AppError> {
        let procedure = self.organised_lot(caller, lot).await?;
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        if found.status != LotStatus::Awarded {
            return Err(DomainError::AwardStep {
                step: "签订合同",
                status: found.status.as_str(),
            }
            .into());
        }
        let winner = found
            .award
            .winner
            .clone()
            .ok_or(DomainError::NotACandidate)?;
        let digest = crypto::sm3(content).to_hex();
        let payload = serde_json::json!({"lot": lot, "contract_sm3": digest});
        let now = self.now_ms();
        let mut signed_by = Vec::new();
        let mut signers = Vec::new();
        for (certificate_pem, signature_hex) in signatures {
            let signature = crypto::Signature::from_hex(signature_hex)
                .map_err(|_| AppError::from(crypto::CertError::BadSignature))?;
            let holder = self
                .verify_signed_act(&payload, &signature, certificate_pem, now)
                .await?;
            signed_by.push(holder.id.clone());
            signers.push(
                crypto::Certificate::from_pem(certificate_pem)?
                    .fingerprint()
                    .to_hex(),
            );
        }
        let tenderee = procedure.draft.tenderee.to_string();
        if !signed_by.contains(&tenderee) || !signed_by.contains(&winner.bidder.to_string()) {
            return Err(AppError::refused(
                "CONTRACT_SIGNATURES",
                "合同须由招标人和中标人分别以本单位的数字证书签署",
            ));
        }
        let sm3 = self.store.put_blob(content, now).await?;
        let (_, receipts) = self
            .procedure_command(
                caller,
                &procedure.id,
                ProcedureCommand::RecordContract {
                    lot: lot.to_string(),
                    document: domain::Document {
                        name: name.trim().to_string(),
                        sm3,
                        size: content.len() as u64,
                    },
                    signers,
                    signatures: signatures.to_vec(),
                },
            )
            .await?;
        Self::last_receipt(receipts)
    }

    /// 放弃中标: the winner declines before the contract is signed (实施条例 第74条). Its credit
    /// record is written with the act; the organiser may award the next candidate.
    pub async fn decline_award(
        &self,
        caller: &Caller,
        lot: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Bidder)?;
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        let (_, receipts) = self
            .procedure_command(
                caller,
                &procedure.id,
                ProcedureCommand::DeclineAward {
                    lot: lot.to_string(),
                    by: EntityId(caller.entity_id.clone()),
                    reason: reason.to_string(),
                },
            )
            .await?;
        Self::last_receipt(receipts)
    }

    /// The organiser (or the trading center) records that the contract period passed unsigned
    /// (招标投标法 第46条): the winner's credit record is written with it.
    pub async fn record_signing_lapse(
        &self,
        caller: &Caller,
        lot: &str,
    ) -> Result<Receipt, AppError> {
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        if !(manages(caller, &procedure) || caller.has_any(&[Role::Operator])) {
            return Err(AppError::NotAuthorized);
        }
        self.write_signing_lapse(caller, &procedure, lot).await
    }

    /// Records a lapse (the organiser's, the trading center's or the platform's own watch,
    /// `record_due_lapses`); the domain refuses it while the period runs.
    pub(crate) async fn write_signing_lapse(
        &self,
        caller: &Caller,
        procedure: &Procedure,
        lot: &str,
    ) -> Result<Receipt, AppError> {
        let (_, receipts) = self
            .procedure_command(
                caller,
                &procedure.id,
                ProcedureCommand::RecordSigningLapse {
                    lot: lot.to_string(),
                },
            )
            .await?;
        Self::last_receipt(receipts)
    }

    /// 履约情况 (the organiser) with its outcome, and the end of performance.
    pub async fn record_performance(
        &self,
        caller: &Caller,
        lot: &str,
        text: &str,
        outcome: domain::PerformanceOutcome,
        complete: bool,
    ) -> Result<Receipt, AppError> {
        let procedure = self.organised_lot(caller, lot).await?;
        let command = if complete {
            ProcedureCommand::CompleteLot {
                lot: lot.to_string(),
            }
        } else {
            ProcedureCommand::RecordPerformance {
                lot: lot.to_string(),
                text: text.to_string(),
                by: caller.username.clone(),
                outcome,
            }
        };
        let (_, receipts) = self
            .procedure_command(caller, &procedure.id, command)
            .await?;
        Self::last_receipt(receipts)
    }
}
