//! Warnings as supervision, audit and the committee see them, and the supervisor's acts.

use domain::{DomainError, Procedure, Role, Warning, WarningCommand};
use serde::Serialize;
use store::DocumentFilter;

use crate::tendering::tender::procedure_stream;
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// One warning as a reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct WarningView {
    #[serde(flatten)]
    pub warning: Warning,
    /// Whether the caller may close it or open a case from it (a supervising department with
    /// jurisdiction, while it is open).
    pub may_act: bool,
}

/// A page of warnings.
#[derive(Clone, Debug, Serialize)]
pub struct WarningPage {
    pub total: u64,
    pub items: Vec<Warning>,
}

/// How the caller stands to a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    /// A supervising department with jurisdiction: reads and acts.
    Acts,
    /// An auditor with jurisdiction, or the lot's committee: reads.
    Reads,
    None,
}

impl App {
    async fn standing(&self, caller: &Caller, warning: &Warning) -> Result<Standing, AppError> {
        if caller.has_any(&[Role::Supervisor, Role::Auditor]) {
            let supervision = self.supervision().await?;
            let departments = self.my_departments(caller).await?;
            let scope = &warning.scope;
            let mut standing = Standing::None;
            for department in &departments {
                if supervision.has_jurisdiction(&department.code, &scope.category, &scope.region) {
                    if department.role == domain::DepartmentRole::Supervision {
                        return Ok(Standing::Acts);
                    }
                    standing = Standing::Reads;
                }
            }
            if standing != Standing::None {
                return Ok(standing);
            }
        }
        if caller.has(Role::Expert)
            && let Some(lot) = &warning.finding.lot
            && self.expert_may_evaluate(caller, lot).await?
        {
            return Ok(Standing::Reads);
        }
        Ok(Standing::None)
    }

    async fn load_warning(&self, id: &str) -> Result<Warning, AppError> {
        let row = self
            .store
            .document(&Warning::stream(id))
            .await?
            .ok_or(DomainError::WarningNotFound)?;
        decode_state(&row.state)
    }

    /// The warnings the caller may read, newest first: `status` (`open`, `closed`, `case`) and
    /// `lot` filter them.
    pub async fn warnings(
        &self,
        caller: &Caller,
        status: Option<&str>,
        lot: Option<&str>,
        limit: u64,
        offset: u64,
    ) -> Result<WarningPage, AppError> {
        if !caller.has_any(&[Role::Supervisor, Role::Auditor, Role::Expert]) {
            return Err(AppError::NotAuthorized);
        }
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "warning",
                    key1: lot.filter(|l| !l.is_empty()),
                    status: status.filter(|s| !s.is_empty()),
                    ..Default::default()
                },
                1_000_000,
                0,
            )
            .await?;
        let mut visible = Vec::new();
        for row in &rows.items {
            let warning: Warning = decode_state(&row.state)?;
            if self.standing(caller, &warning).await? != Standing::None {
                visible.push(warning);
            }
        }
        let total = visible.len() as u64;
        let items = visible
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok(WarningPage { total, items })
    }

    /// One warning (not found for anyone who may not read it, so that its existence does not
    /// leak).
    pub async fn warning(&self, caller: &Caller, id: &str) -> Result<WarningView, AppError> {
        let warning = self.load_warning(id).await?;
        match self.standing(caller, &warning).await? {
            Standing::None => Err(DomainError::WarningNotFound.into()),
            standing => Ok(WarningView {
                may_act: standing == Standing::Acts
                    && warning.status == domain::WarningStatus::Open,
                warning,
            }),
        }
    }

    async fn acting_on(&self, caller: &Caller, id: &str) -> Result<Warning, AppError> {
        let warning = self.load_warning(id).await?;
        match self.standing(caller, &warning).await? {
            Standing::Acts => Ok(warning),
            Standing::Reads => Err(AppError::NotAuthorized),
            Standing::None => Err(DomainError::WarningNotFound.into()),
        }
    }

    /// 排除: a supervisor closes a warning with the reason.
    pub async fn close_warning(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        self.acting_on(caller, id).await?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let command = WarningCommand::Close {
            reason: reason.to_string(),
            by: caller.username.clone(),
        };
        let receipt = self
            .warning_command_in(&mut tx, id, command, &caller.username, now)
            .await?
            .ok_or_else(|| AppError::Internal("closing appended nothing".into()))?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// 立案: a supervisor turns a warning into a case of supervision (a report opened on the
    /// department's own initiative, its facts the warning's), in one transaction.
    pub async fn warning_to_case(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(String, Receipt), AppError> {
        let warning = self.acting_on(caller, id).await?;
        let procedure_id = warning
            .scope
            .procedure
            .clone()
            .ok_or(AppError::NotFound("预警线索没有所涉项目，不能立案"))?;
        let row = self
            .store
            .document(&procedure_stream(&procedure_id))
            .await?
            .ok_or(DomainError::ProcedureNotFound)?;
        let procedure: Procedure = decode_state(&row.state)?;
        let facts = format!(
            "预警线索 {}（{}）：{}。涉及：{}。证据为账本条目 {}。",
            warning.id,
            warning.label,
            warning.finding.detail,
            warning
                .finding
                .subjects
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            warning
                .finding
                .evidence
                .iter()
                .map(|e| format!("#{}", e.seq))
                .collect::<Vec<_>>()
                .join("、")
        );
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let (case, _) = self
            .file_by_department_in(
                &mut tx,
                &procedure,
                warning.finding.lot.as_deref(),
                facts,
                warning.source.clone(),
                now,
            )
            .await?;
        let command = WarningCommand::OpenCase {
            case: case.clone(),
            by: caller.username.clone(),
        };
        let receipt = self
            .warning_command_in(&mut tx, id, command, &caller.username, now)
            .await?
            .ok_or_else(|| AppError::Internal("case from warning appended nothing".into()))?;
        tx.commit().await?;
        Ok((case, receipt))
    }
}
