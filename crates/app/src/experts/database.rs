//! 评标专家库 — the trading center's expert database: experts added one by one or imported all or
//! nothing from a CSV file (every bad row reported with its line and reason), known on the ledger
//! by pseudonyms; suspension, reinstatement, retirement and leave periods. Names and personal
//! numbers are confidential: entries are `parties`-visible, pages and the API show them to the
//! trading center, supervision and audit only, with the ID number masked.

use domain::{
    Classification, Date, DomainError, Expert, ExpertCommand, ExpertInput, ExpertRecord, Leave,
    Role,
};
use serde::{Deserialize, Serialize};
use store::{DocumentFilter, Page};

use crate::witness::append::append;
use crate::witness::documents::{decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// The professional classification shipped with the platform (`data/expert-categories.csv`).
pub const SHIPPED_EXPERT_CATEGORIES: &str = include_str!("../../../../data/expert-categories.csv");

/// An expert as entered in a form or through the API (the fields of one import row).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpertForm {
    pub name: String,
    pub id_number: String,
    /// The employer's 统一社会信用代码.
    pub employer: String,
    pub region: String,
    /// Classification codes separated by `;`.
    pub categories: String,
    pub title: String,
    /// 初级 / 中级 / 副高级 / 正高级.
    pub title_level: String,
    pub practice_years: String,
    /// `YYYY-MM-DD`.
    pub entry_date: String,
}

/// An expert as the trading center and supervision see it (ID number masked).
#[derive(Clone, Debug, Serialize)]
pub struct ExpertView {
    pub pseudonym: String,
    pub name: String,
    pub id_number: String,
    pub employer: String,
    pub region: String,
    pub categories: Vec<String>,
    pub title: String,
    pub title_level: domain::TitleLevel,
    pub practice_years: u32,
    pub entry_date: String,
    pub status: String,
    pub status_reason: String,
    pub leaves: Vec<Leave>,
    pub relations: Vec<domain::Relation>,
    pub ratings: Vec<domain::Rating>,
    pub account: Option<String>,
}

impl From<Expert> for ExpertView {
    fn from(expert: Expert) -> Self {
        let record = expert.record;
        let status_reason = match &expert.status {
            domain::ExpertStatus::Suspended { reason }
            | domain::ExpertStatus::Retired { reason } => reason.clone(),
            domain::ExpertStatus::Active => String::new(),
        };
        Self {
            pseudonym: expert.pseudonym,
            name: record.name,
            id_number: record.id_number.masked(),
            employer: record.employer.to_string(),
            region: record.region.to_string(),
            categories: record.categories,
            title: record.title,
            title_level: record.title_level,
            practice_years: record.practice_years,
            entry_date: record.entry_date.to_string(),
            status: expert.status.as_str().into(),
            status_reason,
            leaves: expert.leaves,
            relations: expert.relations,
            ratings: expert.ratings,
            account: expert.account,
        }
    }
}

fn oversight(caller: &Caller) -> Result<(), AppError> {
    if caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]) {
        Ok(())
    } else {
        Err(AppError::NotAuthorized)
    }
}

impl App {
    pub(crate) fn classification(&self) -> &Classification {
        &self.classification
    }

    /// An expert's pseudonym: `E` and 16 hex digits of a keyed digest of the ID number.
    fn expert_pseudonym(&self, record: &ExpertRecord) -> String {
        let digest = self
            .key
            .keyed_digest(format!("expert\n{}", record.id_number).as_bytes());
        format!("E{}", &digest.to_hex()[..16])
    }

    /// The years of practice the rule set in force asks of an expert (招标投标法 第37条), in the
    /// province of the trading center that keeps the database (the national set where none).
    async fn expert_min_years(&self, caller: &Caller) -> Result<u32, AppError> {
        let today = Date::of_instant(self.now_ms());
        let region = self
            .store
            .entity(&caller.entity_id)
            .await?
            .map_or_else(|| "000000".to_string(), |row| row.region);
        let rules = self.resolve_rules("construction", &region, today).await?;
        Ok(rules.threshold("expert_min_practice_years")? as u32)
    }

    /// Adds the records in one transaction: all of them, or none.
    async fn add_experts(
        &self,
        caller: &Caller,
        records: Vec<ExpertRecord>,
    ) -> Result<Vec<Receipt>, AppError> {
        let mut tx = self.store.begin().await?;
        let now = self.now_ms();
        let mut entries = Vec::new();
        let mut states = Vec::new();
        for record in records {
            let pseudonym = self.expert_pseudonym(&record);
            let stream = Expert::stream(&pseudonym);
            let name = record.name.clone();
            let (decided, mut more) = decide::<Option<Expert>>(
                &mut tx,
                &stream,
                ExpertCommand::Add {
                    pseudonym,
                    record,
                    by: caller.username.clone(),
                },
                &caller.username,
                now,
            )
            .await
            .map_err(|error| match error {
                AppError::Domain(DomainError::ExpertExists) => {
                    AppError::ExpertInvalid(format!("{name}：该专家已在库中"))
                }
                other => other,
            })?;
            if states.iter().any(|(s, _): &(String, _)| *s == stream) {
                return Err(AppError::ExpertInvalid(format!("{name}：重复")));
            }
            entries.append(&mut more);
            states.push((stream, decided.after));
        }
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        for ((stream, state), receipt) in states.iter().zip(&receipts) {
            project(&mut tx, stream, state, receipt.seq).await?;
        }
        tx.commit().await?;
        Ok(receipts)
    }

    /// 专家入库: one expert, checked against the classification and the entry criteria.
    pub async fn add_expert(&self, caller: &Caller, form: ExpertForm) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let input = ExpertInput {
            name: form.name,
            id_number: form.id_number,
            employer: form.employer,
            region: form.region,
            categories: form.categories,
            title: form.title,
            title_level: form.title_level,
            practice_years: form.practice_years,
            entry_date: form.entry_date,
        };
        let min_years = self.expert_min_years(caller).await?;
        let record = input
            .validate(self.classification(), min_years)
            .map_err(AppError::ExpertInvalid)?;
        let mut receipts = self.add_experts(caller, vec![record]).await?;
        receipts
            .pop()
            .ok_or_else(|| AppError::Internal("no receipt for an added expert".into()))
    }

    /// 批量导入 from an Excel workbook (`.xlsx`): the first sheet, the same columns as the CSV
    /// file; every row is checked and nothing is imported unless every row is good.
    pub async fn import_experts_xlsx(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<Vec<Receipt>, AppError> {
        caller.require(Role::Operator)?;
        let min_years = self.expert_min_years(caller).await?;
        let rows = xlsx_rows(bytes).map_err(|reason| AppError::ExpertImport(vec![(1, reason)]))?;
        let records = domain::parse_expert_rows(rows, self.classification(), min_years)
            .map_err(AppError::ExpertImport)?;
        self.add_experts(caller, records).await
    }

    /// 批量导入: every row is checked; nothing is imported unless every row is good.
    pub async fn import_experts(
        &self,
        caller: &Caller,
        csv: &str,
    ) -> Result<Vec<Receipt>, AppError> {
        caller.require(Role::Operator)?;
        let min_years = self.expert_min_years(caller).await?;
        let records = domain::parse_expert_csv(csv, self.classification(), min_years)
            .map_err(AppError::ExpertImport)?;
        self.add_experts(caller, records).await
    }

    async fn expert_command(
        &self,
        caller: &Caller,
        pseudonym: &str,
        command: ExpertCommand,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let stream = Expert::stream(pseudonym);
        let mut tx = self.store.begin().await?;
        let now = self.now_ms();
        let (decided, entries) =
            decide::<Option<Expert>>(&mut tx, &stream, command, &caller.username, now).await?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("expert command appended nothing".into()))?;
        project(&mut tx, &stream, &decided.after, last.seq).await?;
        tx.commit().await?;
        Ok(last)
    }

    pub async fn suspend_expert(
        &self,
        caller: &Caller,
        pseudonym: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        let command = ExpertCommand::Suspend {
            by: caller.username.clone(),
            reason: reason.trim().to_string(),
        };
        self.expert_command(caller, pseudonym, command).await
    }

    pub async fn reinstate_expert(
        &self,
        caller: &Caller,
        pseudonym: &str,
    ) -> Result<Receipt, AppError> {
        let command = ExpertCommand::Reinstate {
            by: caller.username.clone(),
        };
        self.expert_command(caller, pseudonym, command).await
    }

    pub async fn retire_expert(
        &self,
        caller: &Caller,
        pseudonym: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        let command = ExpertCommand::Retire {
            by: caller.username.clone(),
            reason: reason.trim().to_string(),
        };
        self.expert_command(caller, pseudonym, command).await
    }

    /// A leave period (`YYYY-MM-DD` first and last day).
    pub async fn add_expert_leave(
        &self,
        caller: &Caller,
        pseudonym: &str,
        from: &str,
        to: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        let command = ExpertCommand::AddLeave {
            leave: Leave {
                from: Date::parse(from)?,
                to: Date::parse(to)?,
                reason: reason.trim().to_string(),
            },
            today: Date::of_instant(self.now_ms()),
        };
        self.expert_command(caller, pseudonym, command).await
    }

    /// 声明利害关系: the expert (for themself) or the trading center records a relation to a
    /// market entity; every later draw involving the entity avoids the expert.
    pub async fn declare_expert_relation(
        &self,
        caller: &Caller,
        pseudonym: &str,
        entity: &str,
        relation: &str,
    ) -> Result<Receipt, AppError> {
        let own = caller.has(Role::Expert)
            && self.pseudonym_of_caller(caller).await.ok().as_deref() == Some(pseudonym);
        if !own && !caller.has(Role::Operator) {
            return Err(AppError::NotAuthorized);
        }
        let command = ExpertCommand::DeclareRelation {
            entity: domain::Uscc::parse(entity)?,
            relation: relation.to_string(),
            by: caller.username.clone(),
        };
        let stream = Expert::stream(pseudonym);
        let mut tx = self.store.begin().await?;
        let now = self.now_ms();
        // Entry headers are public: an expert's own act names no log-in.
        let actor = if own {
            "expert"
        } else {
            caller.username.as_str()
        };
        let (decided, entries) =
            decide::<Option<Expert>>(&mut tx, &stream, command, actor, now).await?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("relation appended nothing".into()))?;
        project(&mut tx, &stream, &decided.after, last.seq).await?;
        tx.commit().await?;
        Ok(last)
    }

    /// 关联专家账号: links an existing account with the expert role to the expert (one account
    /// per expert, one expert per account).
    pub async fn link_expert_account(
        &self,
        caller: &Caller,
        pseudonym: &str,
        username: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let account = self.account_view(username).await?;
        // The expert role and nothing else: an account that also bids, tenders or runs the
        // platform must not sit on a panel.
        if account.roles != [Role::Expert] {
            return Err(AppError::refused(
                "EXPERT_ACCOUNT_ROLE",
                "只能关联仅有评标专家角色的账号",
            ));
        }
        let taken = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "expert",
                    key1: Some(&account.username),
                    ..Default::default()
                },
                1,
                0,
            )
            .await?;
        if taken.total > 0 {
            return Err(DomainError::ExpertAccountLinked.into());
        }
        let command = ExpertCommand::LinkAccount {
            username: account.username,
            by: caller.username.clone(),
        };
        self.expert_command(caller, pseudonym, command).await
    }

    /// 开通专家账号: a new account with the expert role only, under the trading center's own
    /// entity (never the employer's, which may be a bidder), linked to the expert. The log-in
    /// name defaults to the expert's number in lower case.
    pub async fn open_expert_account(
        &self,
        caller: &Caller,
        pseudonym: &str,
        username: Option<&str>,
        password: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let row = self
            .store
            .document(&Expert::stream(pseudonym))
            .await?
            .ok_or(DomainError::ExpertNotFound)?;
        let expert: Expert = decode_state(&row.state)?;
        if expert.status != domain::ExpertStatus::Active {
            return Err(DomainError::ExpertNotActive.into());
        }
        if expert.account.is_some() {
            return Err(DomainError::ExpertAccountLinked.into());
        }
        let username = username
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map_or_else(|| Expert::account_name(pseudonym), str::to_string);
        self.create_account(
            caller,
            crate::NewAccount {
                username: username.clone(),
                display_name: expert.record.name,
                entity_id: caller.entity_id.clone(),
                roles: vec!["expert".into()],
                password: password.to_string(),
            },
        )
        .await?;
        self.link_expert_account(caller, pseudonym, &username).await
    }

    /// The expert's own record (for the expert's page).
    pub async fn my_expert_record(&self, caller: &Caller) -> Result<ExpertView, AppError> {
        let pseudonym = self.pseudonym_of_caller(caller).await?;
        let row = self
            .store
            .document(&Expert::stream(&pseudonym))
            .await?
            .ok_or(DomainError::ExpertNotFound)?;
        Ok(decode_state::<Expert>(&row.state)?.into())
    }

    /// The database, newest first (trading center, supervision, audit).
    pub async fn experts(
        &self,
        caller: &Caller,
        status: Option<&str>,
        limit: u64,
        offset: u64,
    ) -> Result<Page<ExpertView>, AppError> {
        oversight(caller)?;
        if let Some(status) = status
            && !matches!(status, "active" | "suspended" | "retired")
        {
            return Err(AppError::Invalid(format!(
                "状态应为 active、suspended 或 retired，收到“{status}”"
            )));
        }
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "expert",
                    status,
                    ..Default::default()
                },
                limit,
                offset,
            )
            .await?;
        Ok(Page {
            items: page
                .items
                .iter()
                .map(|row| decode_state::<Expert>(&row.state).map(ExpertView::from))
                .collect::<Result<_, _>>()?,
            total: page.total,
        })
    }

    pub async fn expert(&self, caller: &Caller, pseudonym: &str) -> Result<ExpertView, AppError> {
        oversight(caller)?;
        let row = self
            .store
            .document(&Expert::stream(pseudonym))
            .await?
            .ok_or(DomainError::ExpertNotFound)?;
        Ok(decode_state::<Expert>(&row.state)?.into())
    }
}

/// At most this many rows and columns are read from a workbook: an expert file has nine columns,
/// and a sheet declaring more cells than this is refused, not allocated.
const XLSX_MAX_ROWS: u32 = 200_000;
const XLSX_MAX_COLUMNS: u32 = 30;

/// The rows of the first sheet of an `.xlsx` workbook as text cells, numbered from 1 like the
/// sheet's own rows. The sheet is read cell by cell (never as one dense range, so a workbook that
/// declares a huge sparse range cannot exhaust memory). Dates become `YYYY-MM-DD`; whole numbers
/// lose their `.0`; an ID number typed as a number (which Excel rounds to 15 digits) is left as is
/// and refused by the row check.
pub(crate) fn xlsx_rows(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, String> {
    use calamine::{DataRef, Reader, Xlsx};
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("不是有效的 Excel（.xlsx）文件：{e}"))?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or("工作簿中没有工作表")?;
    let mut reader = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| format!("无法读取第一个工作表：{e}"))?;
    let mut rows: std::collections::BTreeMap<u32, Vec<String>> = std::collections::BTreeMap::new();
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| format!("无法读取第一个工作表：{e}"))?
    {
        let (row, column) = cell.get_position();
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(text) => text.trim().to_string(),
            DataRef::SharedString(text) => text.trim().to_string(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            DataRef::Float(f) => f.to_string(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(dt) => {
                // Excel's day 0 is 1899-12-30 (with the 1900 leap-year bug before March 1900).
                let days = dt.as_f64().floor() as i64;
                domain::Date::from_ymd(1899, 12, 30)
                    .map(|epoch| epoch.add_days(days).to_string())
                    .unwrap_or_default()
            }
            DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
                text.get(..10).unwrap_or(text).to_string()
            }
            DataRef::Error(e) => format!("#{e:?}"),
        };
        if text.is_empty() {
            continue;
        }
        if row >= XLSX_MAX_ROWS || column >= XLSX_MAX_COLUMNS {
            return Err(format!(
                "工作表过大：最多读取{XLSX_MAX_ROWS}行、{XLSX_MAX_COLUMNS}列"
            ));
        }
        let cells = rows.entry(row).or_default();
        let column = column as usize;
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| (row as usize + 1, cells))
        .collect())
}
