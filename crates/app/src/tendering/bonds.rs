//! 投标保证金 / 电子保函 through the application (`docs/evaluation.md`).
//!
//! **The e-guarantee provider API** is a document and a signature: the issuer (a bank, insurer
//! or guarantee company) signs, with a certificate of a CA in the platform's trust store whose
//! subject code is the issuer's 统一社会信用代码, the canonical JSON of `GuaranteeDoc`. The bidder
//! submits it with the certificate; the platform checks the chain, the signature, and that the
//! guarantee names this lot, this bidder as applicant, the tenderee as beneficiary, at least the
//! amount asked, and lasts at least to the bid deadline. The issuer must be on the trading
//! center's list of accepted institutions (`approve_guarantor`), and never the bidder itself. No
//! call to the provider is needed at run time. `DemoGuarantor` is the demo's simulated provider.

use domain::{
    Bond, BondCommand, BondEvent, BondForm, BondStatus, Date, DomainError, EntityId, Guarantor,
    GuarantorCommand, LotStatus, Procedure, Role,
};
use serde::{Deserialize, Serialize};
use store::DocumentFilter;

use crate::tendering::tender::{manages, procedure_of_lot};
use crate::witness::append::append;
use crate::witness::documents::{decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// An electronic guarantee as the issuer signs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeDoc {
    /// The issuer's 统一社会信用代码 (= the certificate's subject code).
    pub issuer: String,
    pub issuer_name: String,
    /// 保函编号.
    pub number: String,
    /// 投保人 / 申请人: the bidder's 统一社会信用代码.
    pub applicant: String,
    /// 受益人: the tenderee's 统一社会信用代码.
    pub beneficiary: String,
    /// The lot's 统一交易标识码.
    pub lot: String,
    pub amount_fen: i64,
    /// `YYYY-MM-DD`.
    pub valid_until: String,
}

/// A guarantee with the issuer's certificate and signature (hex), as submitted.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedGuarantee {
    pub guarantee: GuaranteeDoc,
    pub certificate_pem: String,
    pub signature: String,
}

/// A bond as shown.
#[derive(Clone, Debug, Serialize)]
pub struct BondView {
    pub bidder: String,
    pub bidder_name: String,
    pub amount_fen: i64,
    pub form: BondForm,
    pub status: BondStatus,
    pub recorded_at_ms: i64,
}

fn guarantee_invalid(reason: impl Into<String>) -> AppError {
    AppError::refused(
        "GUARANTEE_INVALID",
        format!("电子保函无效：{}", reason.into()),
    )
}

/// The demo's simulated guarantee provider: a demo CA, an issuer certificate, and its key.
pub struct DemoGuarantor {
    pub issuer: String,
    pub issuer_name: String,
    key: crypto::PlatformKey,
    pub certificate_pem: String,
}

impl DemoGuarantor {
    /// Makes the provider and adds its CA to the trust store in force.
    pub async fn new(app: &App) -> Result<Self, AppError> {
        Self::institution(
            app,
            "浙江省电子保函服务中心（演示）",
            "MA2GUAR1",
            "浙商融资担保有限公司（演示）",
        )
        .await
    }

    /// The demo's simulated bank (竞买保证金 notices), made like the guarantee provider.
    pub async fn new_bank(app: &App) -> Result<Self, AppError> {
        Self::institution(
            app,
            "浙江省金融服务认证中心（演示）",
            "MA2BANK1",
            "浙江演示商业银行股份有限公司",
        )
        .await
    }

    async fn institution(
        app: &App,
        ca_name: &str,
        body: &str,
        name: &str,
    ) -> Result<Self, AppError> {
        const DAY: i64 = 86_400_000;
        let now = app.now_ms();
        let authority = crypto::CertificateAuthority::new_root(
            &crypto::Subject {
                common_name: ca_name.into(),
                organization: ca_name.into(),
                code: String::new(),
            },
            now - DAY,
            now + 3650 * DAY,
        )?;
        let current = app.reference_current(domain::ReferenceKind::Trust).await?;
        app.publish(
            domain::ReferenceKind::Trust,
            &format!(
                "{}\n# {ca_name}\n{}\n",
                current.text.trim_end(),
                authority.root().to_pem()
            ),
            "演示：认可电子保函演示 CA（不得用于生产）",
            "system",
        )
        .await?;
        let issuer = crate::demo::seed::make_uscc("91", "330100", body);
        let issuer_name = name.to_string();
        let key = crypto::PlatformKey::generate();
        let certificate = authority.issue(
            &crypto::Subject {
                common_name: issuer_name.clone(),
                organization: issuer_name.clone(),
                code: issuer.clone(),
            },
            &key.public_key(),
            9001,
            now - DAY,
            now + 730 * DAY,
        )?;
        let operator = app.caller_for("operator").await?;
        app.approve_guarantor(&operator, &issuer, &issuer_name)
            .await?;
        Ok(Self {
            issuer,
            issuer_name,
            key,
            certificate_pem: certificate.to_pem(),
        })
    }

    /// A provider from its saved parts (`key_pem`, `certificate_pem`, as written by the demo).
    pub fn from_pem(
        issuer: &str,
        issuer_name: &str,
        key_pem: &str,
        certificate_pem: &str,
    ) -> Result<Self, AppError> {
        Ok(Self {
            issuer: issuer.to_string(),
            issuer_name: issuer_name.to_string(),
            key: crypto::PlatformKey::from_pkcs8_pem(key_pem)?,
            certificate_pem: certificate_pem.to_string(),
        })
    }

    /// The provider's private key (PKCS#8 PEM), for the demo to save.
    pub fn key_pem(&self) -> String {
        self.key.to_pkcs8_pem()
    }

    /// Signs a bank's notice that a bidder's deposit for a sale arrived.
    pub fn deposit_notice(
        &self,
        auction: &str,
        payer: &str,
        amount_fen: i64,
        reference: &str,
        received_at_ms: i64,
    ) -> crate::SignedDepositNotice {
        let notice = crate::DepositNotice {
            bank: self.issuer.clone(),
            bank_name: self.issuer_name.clone(),
            reference: reference.to_string(),
            auction: auction.to_string(),
            payer: payer.to_string(),
            amount_fen,
            received_at_ms,
        };
        let value = serde_json::to_value(&notice).unwrap_or_default();
        let signature = crypto::canonical_json_bytes(&value)
            .map(|bytes| self.key.sign(&bytes).to_hex())
            .unwrap_or_default();
        crate::SignedDepositNotice {
            notice,
            certificate_pem: self.certificate_pem.clone(),
            signature,
        }
    }

    /// Issues and signs a guarantee.
    pub fn issue(
        &self,
        number: &str,
        lot: &str,
        applicant: &str,
        beneficiary: &str,
        amount_fen: i64,
        valid_until: &str,
    ) -> SignedGuarantee {
        let guarantee = GuaranteeDoc {
            issuer: self.issuer.clone(),
            issuer_name: self.issuer_name.clone(),
            number: number.to_string(),
            applicant: applicant.to_string(),
            beneficiary: beneficiary.to_string(),
            lot: lot.to_string(),
            amount_fen,
            valid_until: valid_until.to_string(),
        };
        let value = serde_json::to_value(&guarantee).unwrap_or_default();
        let signature = crypto::canonical_json_bytes(&value)
            .map(|bytes| self.key.sign(&bytes).to_hex())
            .unwrap_or_default();
        SignedGuarantee {
            guarantee,
            certificate_pem: self.certificate_pem.clone(),
            signature,
        }
    }
}

impl App {
    /// 认可电子保函机构 (the trading center).
    pub async fn approve_guarantor(
        &self,
        caller: &Caller,
        uscc: &str,
        name: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let uscc = domain::Uscc::parse(uscc)?;
        self.guarantor_command(
            caller,
            uscc.as_ref(),
            GuarantorCommand::Approve {
                uscc: uscc.clone(),
                name: name.to_string(),
                by: caller.username.clone(),
            },
        )
        .await
    }

    /// 移出名录, with a reason: its guarantees are no longer accepted.
    pub async fn withdraw_guarantor(
        &self,
        caller: &Caller,
        uscc: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        self.guarantor_command(
            caller,
            uscc,
            GuarantorCommand::Withdraw {
                reason: reason.to_string(),
            },
        )
        .await
    }

    async fn guarantor_command(
        &self,
        caller: &Caller,
        uscc: &str,
        command: GuarantorCommand,
    ) -> Result<Receipt, AppError> {
        let stream = Guarantor::stream(uscc);
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let (decided, entries) =
            decide::<Option<Guarantor>>(&mut tx, &stream, command, &caller.username, now).await?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("guarantor command appended nothing".into()))?;
        project(&mut tx, &stream, &decided.after, last.seq).await?;
        tx.commit().await?;
        Ok(last)
    }

    /// The accepted guarantee institutions (public).
    pub async fn guarantors(&self) -> Result<Vec<Guarantor>, AppError> {
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "guarantor",
                    status: Some("approved"),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        rows.items
            .iter()
            .map(|row| decode_state::<Guarantor>(&row.state))
            .collect()
    }

    /// An institution on the trading center's list (guarantees, deposit notices), if approved.
    pub(crate) async fn approved_institution(
        &self,
        uscc: &str,
    ) -> Result<Option<Guarantor>, AppError> {
        Ok(match self.store.document(&Guarantor::stream(uscc)).await? {
            Some(row) => Some(decode_state::<Guarantor>(&row.state)?).filter(|g| g.approved),
            None => None,
        })
    }

    fn bond_stream(&self, lot: &str, bidder: &str) -> String {
        // Opaque, like the bid's: who gives a bond is not public before the opening.
        let digest = self
            .key
            .keyed_digest(format!("bond\n{lot}\n{bidder}").as_bytes());
        format!("bond/{}", &digest.to_hex()[..32])
    }

    async fn bond_command(
        &self,
        actor: &str,
        lot: &str,
        bidder: &str,
        command: BondCommand,
    ) -> Result<Receipt, AppError> {
        let stream = self.bond_stream(lot, bidder);
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let (decided, entries) =
            decide::<Option<Bond>>(&mut tx, &stream, command, actor, now).await?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("bond command appended nothing".into()))?;
        project(&mut tx, &stream, &decided.after, last.seq).await?;
        // 投标保证金不予退还 is a credit fact the platform witnessed: recorded with the act.
        for event in &decided.events {
            if let BondEvent::Forfeited { reason, .. } = event {
                let name = self.entity_name(bidder).await?;
                self.credit_record_in(
                    &mut tx,
                    actor,
                    bidder,
                    domain::SubjectKind::Entity,
                    &name,
                    domain::NewRecord {
                        fact: "bond_withheld".into(),
                        source: domain::RecordSource::Platform {
                            stream: stream.clone(),
                            act: event.kind().into(),
                        },
                        basis: String::new(),
                        date: Date::of_instant(now),
                        until: None,
                        detail: format!("标段（包）{lot}：{reason}"),
                    },
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(last)
    }

    async fn bond_lot(&self, lot: &str) -> Result<(Procedure, i64), AppError> {
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let required = found
            .bond_fen
            .ok_or_else(|| AppError::refused("BOND_NOT_ASKED", "本标段（包）不要求投标保证金"))?;
        // A bond is given while bids are taken.
        if found.status != LotStatus::Bidding || self.now_ms() >= procedure.deadline_ms() {
            return Err(DomainError::BidTooLate.into());
        }
        Ok((procedure, required))
    }

    /// A bidder submits an electronic guarantee; held at once when it checks.
    pub async fn record_bond_guarantee(
        &self,
        caller: &Caller,
        lot: &str,
        signed: &SignedGuarantee,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Bidder)?;
        let (procedure, required) = self.bond_lot(lot).await?;
        let required = self
            .credit_bond_fen(&caller.entity_id, &procedure.draft.category, required)
            .await?;
        let now = self.now_ms();
        let doc = &signed.guarantee;
        let certificate = crypto::Certificate::from_pem(&signed.certificate_pem)?;
        self.trust_store_at(now)
            .await?
            .verify(&certificate, now, |_| false)?;
        if certificate.subject_code().as_deref() != Some(doc.issuer.as_str()) {
            return Err(guarantee_invalid("签发机构与证书不符"));
        }
        // Only institutions on the trading center's list; never the bidder itself.
        let Some(guarantor) = self.approved_institution(&doc.issuer).await? else {
            return Err(guarantee_invalid(
                "签发机构不在交易中心认可的电子保函机构名录中",
            ));
        };
        if doc.issuer == caller.entity_id {
            return Err(guarantee_invalid("投标人不能为自己出具保函"));
        }
        let signature = crypto::Signature::from_hex(&signed.signature)
            .map_err(|_| guarantee_invalid("签名格式错误"))?;
        let value = serde_json::to_value(doc).map_err(|e| AppError::Internal(e.to_string()))?;
        certificate
            .public_key()?
            .verify_json(&value, &signature)
            .map_err(|_| {
                guarantee_invalid("签发机构的签名验证失败（保函内容被改动或非该机构签发）")
            })?;
        if doc.lot != lot {
            return Err(guarantee_invalid("保函所载标段（包）不是本标段（包）"));
        }
        if doc.applicant != caller.entity_id {
            return Err(guarantee_invalid("保函申请人不是本投标人"));
        }
        if doc.beneficiary != procedure.draft.tenderee.as_ref() {
            return Err(guarantee_invalid("保函受益人不是本项目招标人"));
        }
        let valid_until = Date::parse(&doc.valid_until)?;
        if valid_until < Date::of_instant(procedure.deadline_ms())
            || valid_until < Date::of_instant(now)
        {
            return Err(guarantee_invalid("保函有效期应至少至投标截止日"));
        }
        // Entry headers are public: who gives a bond is not told before the opening.
        self.bond_command(
            "bidder",
            lot,
            &caller.entity_id,
            BondCommand::Record {
                lot: lot.to_string(),
                bidder: EntityId(caller.entity_id.clone()),
                amount_fen: doc.amount_fen,
                required_fen: required,
                form: BondForm::Guarantee {
                    issuer: guarantor.name.clone(),
                    number: doc.number.clone(),
                    certificate: certificate.fingerprint().to_hex(),
                    valid_until,
                },
            },
        )
        .await
    }

    /// A bidder records a transfer; held when the trading center confirms it.
    pub async fn record_bond_transfer(
        &self,
        caller: &Caller,
        lot: &str,
        amount_fen: i64,
        reference: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Bidder)?;
        let (procedure, required) = self.bond_lot(lot).await?;
        let required = self
            .credit_bond_fen(&caller.entity_id, &procedure.draft.category, required)
            .await?;
        // Entry headers are public: who gives a bond is not told before the opening.
        self.bond_command(
            "bidder",
            lot,
            &caller.entity_id,
            BondCommand::Record {
                lot: lot.to_string(),
                bidder: EntityId(caller.entity_id.clone()),
                amount_fen,
                required_fen: required,
                form: BondForm::Transfer {
                    reference: reference.trim().to_string(),
                },
            },
        )
        .await
    }

    /// The trading center confirms a transfer arrived in its bond account; `payer_account` is
    /// the account it came from as the bank's arrival record shows it (empty when not stated),
    /// kept as a keyed digest and its last four digits.
    pub async fn confirm_bond(
        &self,
        caller: &Caller,
        lot: &str,
        bidder: &str,
        payer_account: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let account: String = payer_account
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let payer = if account.is_empty() {
            None
        } else {
            domain::account_number(&account)?;
            Some(domain::Payer {
                tag: self
                    .key
                    .keyed_digest(format!("payer\n{account}").as_bytes())
                    .to_hex()[..32]
                    .to_string(),
                tail: account[account.len() - 4..].to_string(),
            })
        };
        // Before the opening the list names bidders by handle only; the handle leads back here.
        let bidder = match self.bidder_of_handle(lot, bidder).await? {
            Some(entity) => entity,
            None => bidder.to_string(),
        };
        self.bond_command(
            &caller.username,
            lot,
            &bidder,
            BondCommand::Confirm { payer },
        )
        .await
    }

    /// The sealed name of a bidder's bond before the opening: `B` and 12 hex digits of a keyed
    /// digest of the lot and the bidder (unlinkable across lots, recomputable only here).
    fn bond_handle(&self, lot: &str, bidder: &str) -> String {
        let digest = self
            .key
            .keyed_digest(format!("bond-handle\n{lot}\n{bidder}").as_bytes());
        format!("B{}", digest.to_hex()[..12].to_ascii_uppercase())
    }

    /// The bidder whose bond in `lot` has this handle, if one has.
    async fn bidder_of_handle(&self, lot: &str, handle: &str) -> Result<Option<String>, AppError> {
        if !(handle.len() == 13 && handle.starts_with('B')) {
            return Ok(None);
        }
        for bond in self.lot_bonds(lot).await? {
            if self.bond_handle(lot, bond.bidder.as_ref()) == handle {
                return Ok(Some(bond.bidder.to_string()));
            }
        }
        Ok(None)
    }

    /// A bond as shown with its bidder's name.
    async fn named_bond_view(&self, bond: Bond) -> Result<BondView, AppError> {
        Ok(BondView {
            bidder_name: self.entity_name(bond.bidder.as_ref()).await?,
            bidder: bond.bidder.to_string(),
            amount_fen: bond.amount_fen,
            form: bond.form,
            status: bond.status,
            recorded_at_ms: bond.recorded_at_ms,
        })
    }

    async fn lot_bonds(&self, lot: &str) -> Result<Vec<Bond>, AppError> {
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "bond",
                    key1: Some(lot),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        rows.items
            .iter()
            .map(|row| decode_state(&row.state))
            .collect()
    }

    /// 开标前查阅投标人: supervision reads who gave bonds in a lot before its opening, for a
    /// reason (a complaint or a case); the read is recorded in the ledger before the answer.
    pub async fn reveal_bond_bidders(
        &self,
        caller: &Caller,
        lot: &str,
        reason: &str,
    ) -> Result<(Vec<BondView>, Receipt), AppError> {
        caller.require(Role::Supervisor)?;
        let reason = crate::market::entities::read_reason(reason)?;
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let receipts = self
            .witness(vec![crate::witness::append::NewEntry {
                stream: format!("access/lot/{lot}"),
                kind: "access.bidders_read".into(),
                visibility: ledger::Visibility::Supervision,
                actor: caller.username.clone(),
                payload: serde_json::json!({"lot": lot, "reason": reason, "by": caller.username}),
            }])
            .await?;
        let receipt = receipts
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Internal("the read was not recorded".into()))?;
        let mut views = Vec::new();
        for bond in self.lot_bonds(lot).await? {
            views.push(self.named_bond_view(bond).await?);
        }
        Ok((views, receipt))
    }

    /// The bond a bid needs, if the lot asks for one: held and at least the amount.
    pub(crate) async fn require_bond(
        &self,
        lot: &str,
        bidder: &str,
        required: i64,
        deadline_ms: i64,
    ) -> Result<(), AppError> {
        let held = match self.store.document(&self.bond_stream(lot, bidder)).await? {
            Some(row) => {
                let bond: Bond = decode_state(&row.state)?;
                // A guarantee must still cover the deadline (an amendment may have moved it).
                let covers = match &bond.form {
                    BondForm::Guarantee { valid_until, .. } => {
                        *valid_until >= Date::of_instant(deadline_ms)
                    }
                    BondForm::Transfer { .. } => true,
                };
                bond.status == BondStatus::Held && bond.amount_fen >= required && covers
            }
            None => false,
        };
        if held {
            Ok(())
        } else {
            Err(DomainError::BondRequired.into())
        }
    }

    /// 退还投标保证金 (the trading center): after the award for those not chosen, after the
    /// contract for the winner (and for everyone when the lot failed or ended), with interest per
    /// the rule set. Returns one receipt per bond refunded now.
    pub async fn refund_bonds(&self, caller: &Caller, lot: &str) -> Result<Vec<Receipt>, AppError> {
        caller.require(Role::Operator)?;
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let awarded_at = found.award.awarded_at_ms;
        let contracted_at = found.award.contract.as_ref().map(|c| c.at_ms);
        let ended = matches!(
            found.status,
            LotStatus::Failed { .. } | LotStatus::Terminated { .. }
        );
        let winner = found.award.winner.as_ref().map(|w| w.bidder.to_string());
        let today = Date::of_instant(self.now_ms());
        let rules = self
            .resolve_rules(
                &procedure.draft.rule_category,
                procedure.draft.region.as_ref(),
                today,
            )
            .await?;
        let calendar = self.reference_data().await?.calendar;
        let construction_period = rules
            .period("bond_refund_after_contract")
            .ok()
            .map(|p| p.period);
        let procurement_period = rules.period("bond_refund").ok().map(|p| p.period);
        let deposit_rate = rules.threshold("bond_interest_bp").ok();
        let late_rate = rules.threshold("bond_late_interest_bp").ok();
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "bond",
                    key1: Some(lot),
                    status: Some("held"),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let now = self.now_ms();
        let mut receipts = Vec::new();
        for row in &rows.items {
            let bond: Bond = decode_state(&row.state)?;
            let is_winner = winner.as_deref() == Some(bond.bidder.as_ref());
            // The moment the refund period starts for this bond, if it has.
            let start = if ended {
                Some(found.ended_at_ms.unwrap_or(now))
            } else if is_winner {
                contracted_at
            } else if construction_period.is_some() {
                // 实施条例 第57条: within 5 days of the contract, for every bidder.
                contracted_at
            } else {
                awarded_at
            };
            let Some(start) = start else { continue };
            let period = construction_period.or(procurement_period);
            let due_ms = period
                .map(|p| p.window_end(Date::of_instant(start), &calendar).end_ms())
                .unwrap_or(now);
            let transferred = matches!(bond.form, BondForm::Transfer { .. });
            let interest_fen = match (transferred, deposit_rate, late_rate) {
                // Construction: the deposit interest from payment to refund.
                (true, Some(rate), _) => domain::bond_interest(
                    bond.amount_fen,
                    rate,
                    bond.held_since_ms.unwrap_or(now),
                    now,
                ),
                // Procurement: interest only when refunded late, from the due day.
                (true, None, Some(rate)) if now > due_ms => {
                    domain::bond_interest(bond.amount_fen, rate, due_ms, now)
                }
                _ => 0,
            };
            // One bond at a time: a refund refused (e.g. made meanwhile by another operator)
            // does not stop the others; it is logged.
            match self
                .bond_command(
                    &caller.username,
                    lot,
                    bond.bidder.as_ref(),
                    BondCommand::Refund {
                        interest_fen,
                        due_ms,
                    },
                )
                .await
            {
                Ok(receipt) => receipts.push(receipt),
                Err(AppError::Internal(detail)) => return Err(AppError::Internal(detail)),
                Err(error) => tracing::warn!(%error, lot, "a bond refund was refused"),
            }
        }
        Ok(receipts)
    }

    /// 不予退还 with a reason (the trading center).
    pub async fn forfeit_bond(
        &self,
        caller: &Caller,
        lot: &str,
        bidder: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        self.bond_command(
            &caller.username,
            lot,
            bidder,
            BondCommand::Forfeit {
                reason: reason.to_string(),
            },
        )
        .await
    }

    /// The bonds of a lot: the trading center and oversight all; the organiser after the
    /// opening; a bidder its own.
    pub async fn bonds(&self, caller: &Caller, lot: &str) -> Result<Vec<BondView>, AppError> {
        let procedure: Procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let oversight = caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]);
        let opened = found.opened_at_ms.is_some();
        let organiser = manages(caller, &procedure) && opened;
        let mut views = Vec::new();
        for bond in self.lot_bonds(lot).await? {
            let own = caller.acts_for(bond.bidder.as_ref());
            if !(oversight || organiser || own) {
                continue;
            }
            // Before the opening who gave a bond is as secret as who bid (招标投标法 第22条):
            // oversight sees amounts and states under a handle; supervision reads the names
            // early only through `reveal_bond_bidders`, which records the read.
            if !opened && !own {
                let handle = self.bond_handle(lot, bond.bidder.as_ref());
                views.push(BondView {
                    bidder_name: format!("投标人（开标前保密）{handle}"),
                    bidder: handle,
                    amount_fen: bond.amount_fen,
                    form: bond.form,
                    status: bond.status,
                    recorded_at_ms: bond.recorded_at_ms,
                });
                continue;
            }
            views.push(self.named_bond_view(bond).await?);
        }
        Ok(views)
    }
}
