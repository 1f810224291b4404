//! The supervisors' channel (在线监督通道): every procedure in a department's jurisdiction
//! followed live on one page — the opening, the evaluation's progress (who has saved a sheet and
//! signed, never the scores), objections and cases — and supervision supervised: each time a
//! supervisor or auditor reads confidential material (opened bids, evaluation sheets, the panel's
//! names), the read is witnessed first, naming who, what, when and under which case, in the
//! stream of every party concerned (`access/entity/{id}`), where that party later sees it.

use domain::{
    Case, Department, DepartmentRole, DomainError, Evaluation, Procedure, Role, Supervision,
};
use ledger::Visibility;
use serde::Serialize;
use store::DocumentFilter;

use crate::tendering::tender::procedure_of_lot;
use crate::witness::append::NewEntry;
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller};

/// The ledger kind of a supervisor's or auditor's read of confidential material.
pub const OVERSIGHT_READ_KIND: &str = "access.oversight_read";

/// A read of one's own data by the trading center, supervision or audit, as its party sees it.
#[derive(Clone, Debug, Serialize)]
pub struct ReadRecord {
    pub seq: u64,
    pub at_ms: i64,
    /// What was read, in Chinese.
    pub what: String,
    /// The lot or procedure it concerned, if any.
    pub lot: String,
    /// The case it was read under; empty for routine online supervision.
    pub case: String,
    /// The reason given (reads of personal data).
    pub reason: String,
    /// The account that read it, and its departments.
    pub by: String,
    pub departments: String,
}

/// One lot in the channel's list.
#[derive(Clone, Debug, Serialize)]
pub struct OverseenLot {
    pub procedure: String,
    pub title: String,
    pub lot: String,
    pub name: String,
    pub category: String,
    pub region: String,
    /// The lot's status code, and its label as the procedure page shows it.
    pub status: String,
    pub phase: String,
    pub deadline_ms: i64,
}

/// One online sale in the channel's list (followed live on its own page).
#[derive(Clone, Debug, Serialize)]
pub struct OverseenSale {
    pub id: String,
    pub title: String,
    pub category: String,
    pub region: String,
    pub closed: bool,
}

/// A lot's progress as the channel shows it: counts and states, never scores or names.
#[derive(Clone, Debug, Serialize)]
pub struct LotProgress {
    pub procedure: Procedure,
    pub lot: String,
    /// The evaluation: committee size, sheets saved, signatures, and whether it concluded.
    pub committee: usize,
    pub sheets: usize,
    pub signatures: usize,
    pub evaluation_status: String,
    /// Cases on the lot or its procedure: (id, kind, status, overdue).
    pub cases: Vec<(String, String, String, bool)>,
}

/// The actor written in the public header of a read record: never who read, which the payload
/// (visible to supervision and audit and to the party) says.
const READ_ACTOR: &str = "oversight";

impl App {
    /// The stream of the reads of entity `id`'s confidential data: a keyed digest, so that the
    /// public headers do not tell which entity is being looked at.
    pub(crate) fn access_stream(&self, id: &str) -> String {
        format!(
            "access/{}",
            self.key
                .keyed_digest(format!("access\n{id}").as_bytes())
                .to_hex()
        )
    }

    /// The oversight departments and supervising departments the caller acts for.
    async fn overseeing(
        &self,
        caller: &Caller,
    ) -> Result<(Supervision, Vec<Department>), AppError> {
        if !caller.has_any(&[Role::Supervisor, Role::Auditor]) {
            return Err(AppError::NotAuthorized);
        }
        let supervision = self.supervision().await?;
        let departments = self.my_departments(caller).await?;
        if departments.is_empty() {
            return Err(AppError::NotAuthorized);
        }
        Ok((supervision, departments))
    }

    fn in_jurisdiction(
        supervision: &Supervision,
        departments: &[Department],
        category: &str,
        region: &str,
    ) -> bool {
        departments
            .iter()
            .any(|d| supervision.has_jurisdiction(&d.code, category, region))
    }

    /// Records a read of confidential material by a supervisor or auditor before it is shown:
    /// one entry per party concerned (or one for the lot), naming the case when there is one.
    /// Anyone else's read (the organiser, the committee, the bidder itself) is not oversight and
    /// records nothing here.
    pub(crate) async fn record_oversight_read(
        &self,
        caller: &Caller,
        case: Option<&str>,
        procedure: &Procedure,
        lot: &str,
        what: &str,
        parties: &[String],
    ) -> Result<(), AppError> {
        if !caller.has_any(&[Role::Supervisor, Role::Auditor, Role::Operator]) {
            return Ok(());
        }
        let supervision = self.supervision().await?;
        let departments = self.my_departments(caller).await?;
        let watching = caller.has_any(&[Role::Supervisor, Role::Auditor]);
        // Supervision and audit read within their jurisdiction (or under a case they handle);
        // the trading center reads as the platform's operator, witnessed all the same.
        if watching
            && case.is_none_or(|c| c.trim().is_empty())
            && !Self::in_jurisdiction(
                &supervision,
                &departments,
                &procedure.draft.category,
                procedure.draft.region.as_ref(),
            )
        {
            return Err(AppError::NotAuthorized);
        }
        let case = match case.map(str::trim).filter(|c| !c.is_empty()) {
            Some(_) if !watching => return Err(DomainError::CaseNotFound.into()),
            Some(id) => {
                let row = self
                    .store
                    .document(&Case::stream(id))
                    .await?
                    .ok_or(DomainError::CaseNotFound)?;
                let found: Case = decode_state(&row.state)?;
                let concerned = found.filing.target.procedure == procedure.id
                    && departments.iter().any(|d| {
                        found.handled_by(&d.code)
                            || (d.role == DepartmentRole::Oversight
                                && supervision.has_jurisdiction(
                                    &d.code,
                                    &found.filing.target.category,
                                    &found.filing.target.region,
                                ))
                    });
                if !concerned {
                    return Err(DomainError::CaseNotFound.into());
                }
                id.to_string()
            }
            None => String::new(),
        };
        let names: Vec<String> = if watching {
            departments.iter().map(|d| d.name.clone()).collect()
        } else {
            vec!["交易中心".to_string()]
        };
        let payload = |party: Option<&str>| {
            serde_json::json!({
                "what": what,
                "procedure": procedure.id,
                "lot": lot,
                "case": case,
                "by": caller.username,
                "departments": names,
                "entity": party,
            })
        };
        let entries: Vec<NewEntry> = if parties.is_empty() {
            vec![NewEntry {
                stream: format!("access/lot/{lot}"),
                kind: OVERSIGHT_READ_KIND.into(),
                visibility: Visibility::Supervision,
                actor: READ_ACTOR.into(),
                payload: payload(None),
            }]
        } else {
            parties
                .iter()
                .map(|party| NewEntry {
                    stream: self.access_stream(party),
                    kind: OVERSIGHT_READ_KIND.into(),
                    visibility: Visibility::Supervision,
                    actor: READ_ACTOR.into(),
                    payload: payload(Some(party)),
                })
                .collect()
        };
        self.witness(entries).await?;
        Ok(())
    }

    /// Who read the caller's entity's confidential data, when, and under which case (reads by
    /// supervision and audit, and reveals of personal numbers), newest first.
    pub async fn reads_of_me(&self, caller: &Caller) -> Result<Vec<ReadRecord>, AppError> {
        if caller.entity_id.is_empty() || !caller.acts_for(&caller.entity_id) {
            return Ok(Vec::new());
        }
        let rows = self
            .store
            .stream_entries(&self.access_stream(&caller.entity_id))
            .await?;
        let mut records = Vec::new();
        for row in rows.iter().rev() {
            let payload: serde_json::Value = crate::witness::replay::decode(row)?;
            let text = |key: &str| payload[key].as_str().unwrap_or_default().to_string();
            let what = match row.kind.as_str() {
                "access.personal_data_read" => "完整身份证号码和联系电话".to_string(),
                _ => text("what"),
            };
            records.push(ReadRecord {
                seq: row.seq as u64,
                at_ms: row.at_ms,
                what,
                lot: text("lot"),
                case: text("case"),
                reason: text("reason"),
                by: text("by"),
                departments: payload["departments"]
                    .as_array()
                    .map(|names| {
                        names
                            .iter()
                            .filter_map(|n| n.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    })
                    .unwrap_or_default(),
            });
        }
        Ok(records)
    }

    /// The channel's list: every published procedure's lots in the caller's jurisdiction, the
    /// ones still running first.
    pub async fn overseen_lots(&self, caller: &Caller) -> Result<Vec<OverseenLot>, AppError> {
        let (supervision, departments) = self.overseeing(caller).await?;
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "procedure",
                    status: Some("published"),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let mut lots = Vec::new();
        for row in &rows.items {
            let procedure: Procedure = decode_state(&row.state)?;
            let (category, region) = (
                procedure.draft.category.clone(),
                procedure.draft.region.to_string(),
            );
            if !Self::in_jurisdiction(&supervision, &departments, &category, &region) {
                continue;
            }
            for lot in &procedure.lots {
                lots.push(OverseenLot {
                    procedure: procedure.id.clone(),
                    title: procedure.draft.title.clone(),
                    lot: lot.code.clone(),
                    name: lot.name.clone(),
                    category: category.clone(),
                    region: region.clone(),
                    status: lot.status.as_str().to_string(),
                    phase: crate::phase_label(&procedure, lot, self.now_ms()),
                    deadline_ms: procedure.deadline_ms(),
                });
            }
        }
        lots.sort_by_key(|l| {
            let done = matches!(l.status.as_str(), "completed" | "failed" | "terminated");
            (done, -l.deadline_ms)
        });
        Ok(lots)
    }

    /// The channel's online sales in the caller's jurisdiction, the open ones first.
    pub async fn overseen_sales(&self, caller: &Caller) -> Result<Vec<OverseenSale>, AppError> {
        let (supervision, departments) = self.overseeing(caller).await?;
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "auction",
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let mut sales = Vec::new();
        for row in &rows.items {
            let sale: domain::Auction = decode_state(&row.state)?;
            if !Self::in_jurisdiction(
                &supervision,
                &departments,
                &sale.info.category,
                &sale.info.region,
            ) {
                continue;
            }
            sales.push(OverseenSale {
                id: sale.id.clone(),
                title: sale.info.title.clone(),
                category: sale.info.category.clone(),
                region: sale.info.region.clone(),
                closed: sale.result.is_some(),
            });
        }
        sales.sort_by_key(|s| s.closed);
        Ok(sales)
    }

    /// One lot's progress for the channel (read-only; no confidential content).
    pub async fn lot_progress(&self, caller: &Caller, lot: &str) -> Result<LotProgress, AppError> {
        let (supervision, departments) = self.overseeing(caller).await?;
        let procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        if !Self::in_jurisdiction(
            &supervision,
            &departments,
            &procedure.draft.category,
            procedure.draft.region.as_ref(),
        ) {
            return Err(AppError::NotAuthorized);
        }
        let (committee, sheets, signatures, evaluation_status) = match self
            .store
            .document(&self.evaluation_stream(lot).await?)
            .await?
        {
            Some(row) => {
                let evaluation: Evaluation = decode_state(&row.state)?;
                (
                    evaluation.experts.len(),
                    evaluation.sheets.len(),
                    evaluation.signatures.len(),
                    row.status,
                )
            }
            None => (0, 0, 0, String::new()),
        };
        let today = domain::Date::of_instant(self.now_ms());
        let mut cases = Vec::new();
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "case",
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        for row in &rows.items {
            let case: Case = decode_state(&row.state)?;
            let on_lot = case.filing.target.procedure == procedure.id
                && case.filing.target.lot.as_deref().is_none_or(|l| l == lot);
            if on_lot {
                cases.push((
                    case.id.clone(),
                    case.filing.kind.label_zh().to_string(),
                    case.status.label_zh().to_string(),
                    case.overdue(today),
                ));
            }
        }
        Ok(LotProgress {
            procedure,
            lot: lot.to_string(),
            committee,
            sheets,
            signatures,
            evaluation_status,
            cases,
        })
    }
}
