//! 评标专家库 — evaluation experts: the professional classification, the expert record with its
//! entry criteria, and all-or-nothing CSV import with every bad row reported.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Date, DomainError, IdNumber, RegionCode, Uscc};

/// One class of the hierarchical professional classification, e.g. `A0101` 工程/施工/房屋建筑.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpertCategory {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

/// The classification: codes nest by prefix (A → A01 → A0101).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classification {
    categories: BTreeMap<String, ExpertCategory>,
}

fn file_error(line: usize, reason: impl Into<String>) -> DomainError {
    DomainError::DataFile {
        line,
        reason: reason.into(),
    }
}

impl Classification {
    /// Parses `code,name,parent` lines; a parent must come first and prefix its children's codes.
    pub fn parse_csv(text: &str) -> Result<Self, DomainError> {
        let mut classification = Self::default();
        let mut header_seen = false;
        for (idx, raw) in text.lines().enumerate() {
            let line = idx + 1;
            let content = raw.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            if !header_seen {
                if content != "code,name,parent" {
                    return Err(file_error(line, "第一行应为表头 code,name,parent"));
                }
                header_seen = true;
                continue;
            }
            let fields: Vec<&str> = content.split(',').map(str::trim).collect();
            if fields.len() != 3 || fields[0].is_empty() || fields[1].is_empty() {
                return Err(file_error(line, "每行应为：编码,名称,上级编码"));
            }
            let (code, name, parent) = (fields[0], fields[1], fields[2]);
            if classification.categories.contains_key(code) {
                return Err(file_error(line, format!("编码 {code} 重复")));
            }
            let parent = if parent.is_empty() {
                None
            } else {
                if !classification.categories.contains_key(parent) {
                    return Err(file_error(
                        line,
                        format!("上级编码 {parent} 不存在（上级须先列出）"),
                    ));
                }
                if !code.starts_with(parent) || code.len() != parent.len() + 2 {
                    return Err(file_error(
                        line,
                        format!("编码 {code} 应为上级编码 {parent} 后加两位"),
                    ));
                }
                Some(parent.to_string())
            };
            classification.categories.insert(
                code.to_string(),
                ExpertCategory {
                    code: code.to_string(),
                    name: name.to_string(),
                    parent,
                },
            );
        }
        if classification.categories.is_empty() {
            return Err(file_error(1, "分类为空"));
        }
        Ok(classification)
    }

    pub fn get(&self, code: &str) -> Option<&ExpertCategory> {
        self.categories.get(code)
    }

    pub fn categories(&self) -> impl Iterator<Item = &ExpertCategory> {
        self.categories.values()
    }

    /// Whether `code` is `ancestor` or lies below it (an expert in A0101 serves a request for A01).
    pub fn is_within(&self, code: &str, ancestor: &str) -> bool {
        code.starts_with(ancestor) && self.categories.contains_key(code)
    }
}

/// 职称级别.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleLevel {
    /// 初级.
    Junior,
    /// 中级.
    Intermediate,
    /// 副高级.
    AssociateSenior,
    /// 正高级.
    Senior,
}

impl TitleLevel {
    pub fn parse_zh(text: &str) -> Option<Self> {
        match text.trim() {
            "初级" => Some(Self::Junior),
            "中级" => Some(Self::Intermediate),
            "副高级" => Some(Self::AssociateSenior),
            "正高级" => Some(Self::Senior),
            _ => None,
        }
    }

    /// 高级职称: 副高级 or 正高级.
    pub fn is_senior(self) -> bool {
        self >= Self::AssociateSenior
    }
}

/// An expert's record in the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpertRecord {
    pub name: String,
    pub id_number: IdNumber,
    /// The employer's 统一社会信用代码.
    pub employer: Uscc,
    pub region: RegionCode,
    /// Classification codes.
    pub categories: Vec<String>,
    /// e.g. 高级工程师.
    pub title: String,
    pub title_level: TitleLevel,
    pub practice_years: u32,
    pub entry_date: Date,
}

/// The raw fields of one import row or form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpertInput {
    pub name: String,
    pub id_number: String,
    pub employer: String,
    pub region: String,
    pub categories: String,
    pub title: String,
    pub title_level: String,
    pub practice_years: String,
    pub entry_date: String,
}

impl ExpertInput {
    /// Checks every field and the entry criteria (at least `min_years` in the field and a senior
    /// title, 招标投标法 第37条 — the number comes from the rule set).
    pub fn validate(
        &self,
        classification: &Classification,
        min_years: u32,
    ) -> Result<ExpertRecord, String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 30 {
            return Err("姓名不能为空且不超过30个字".into());
        }
        let id_number = IdNumber::parse(&self.id_number).map_err(|e| format!("身份证号码：{e}"))?;
        let employer = Uscc::parse(&self.employer).map_err(|e| format!("工作单位代码：{e}"))?;
        let region = RegionCode::parse(&self.region).map_err(|e| format!("地区代码：{e}"))?;
        let categories: Vec<String> = self
            .categories
            .split(['；', ';'])
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if categories.is_empty() {
            return Err("至少应有一个专业类别".into());
        }
        if let Some(unknown) = categories.iter().find(|c| classification.get(c).is_none()) {
            return Err(format!("专业类别 {unknown} 不在分类中"));
        }
        let title_level = TitleLevel::parse_zh(&self.title_level).ok_or_else(|| {
            format!(
                "职称级别应为 初级、中级、副高级 或 正高级，不是「{}」",
                self.title_level.trim()
            )
        })?;
        let practice_years: u32 = self
            .practice_years
            .trim()
            .parse()
            .map_err(|_| format!("从业年限应为整数，不是「{}」", self.practice_years.trim()))?;
        let entry_date = Date::parse(&self.entry_date)
            .map_err(|_| format!("入库日期无效：{}", self.entry_date.trim()))?;
        // Born before admission, in a real province.
        IdNumber::parse_on(&self.id_number, entry_date).map_err(|e| format!("身份证号码：{e}"))?;
        if practice_years < min_years {
            return Err(format!(
                "从业年限{practice_years}年，不满{min_years}年，不符合入库条件"
            ));
        }
        if !title_level.is_senior() {
            return Err("须具有高级职称（副高级或正高级），不符合入库条件".into());
        }
        Ok(ExpertRecord {
            name: name.to_string(),
            id_number,
            employer,
            region,
            categories,
            title: self.title.trim().to_string(),
            title_level,
            practice_years,
            entry_date,
        })
    }
}

/// The header of the expert import file.
pub const EXPERT_CSV_HEADER: &str =
    "姓名,身份证号码,工作单位代码,地区代码,专业类别,职称,职称级别,从业年限,入库日期";

/// Parses an import file (CSV, UTF-8). Either every row is good and all records come back, or
/// every bad row is reported as (line, reason) — and nothing is to be imported.
pub fn parse_expert_csv(
    text: &str,
    classification: &Classification,
    min_years: u32,
) -> Result<Vec<ExpertRecord>, Vec<(usize, String)>> {
    let rows = text.lines().enumerate().map(|(idx, raw)| {
        let content = raw.trim().trim_start_matches('\u{feff}');
        (idx + 1, content.split(',').map(str::to_string).collect())
    });
    parse_expert_rows(rows, classification, min_years)
}

/// Parses import rows — (line number, cells) from a CSV file or a spreadsheet — with the header
/// first. Blank rows and rows starting with `#` are skipped.
pub fn parse_expert_rows(
    rows: impl IntoIterator<Item = (usize, Vec<String>)>,
    classification: &Classification,
    min_years: u32,
) -> Result<Vec<ExpertRecord>, Vec<(usize, String)>> {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut header_seen = false;
    let mut seen_ids = BTreeMap::new();
    for (line, mut fields) in rows {
        while fields.last().is_some_and(|f| f.trim().is_empty()) {
            fields.pop();
        }
        if fields.is_empty() || fields[0].trim().starts_with('#') {
            continue;
        }
        if !header_seen {
            let header: Vec<String> = fields.iter().map(|f| f.replace(' ', "")).collect();
            if header.join(",") != EXPERT_CSV_HEADER {
                problems.push((line, format!("第一行应为表头：{EXPERT_CSV_HEADER}")));
                return Err(problems);
            }
            header_seen = true;
            continue;
        }
        if fields.len() != 9 {
            problems.push((line, format!("应有9列，实有{}列", fields.len())));
            continue;
        }
        let input = ExpertInput {
            name: fields[0].clone(),
            id_number: fields[1].clone(),
            employer: fields[2].clone(),
            region: fields[3].clone(),
            categories: fields[4].clone(),
            title: fields[5].clone(),
            title_level: fields[6].clone(),
            practice_years: fields[7].clone(),
            entry_date: fields[8].clone(),
        };
        match input.validate(classification, min_years) {
            Ok(record) => {
                if let Some(first) = seen_ids.insert(record.id_number.to_string(), line) {
                    problems.push((line, format!("与第{first}行是同一身份证号码")));
                } else {
                    records.push(record);
                }
            }
            Err(reason) => problems.push((line, reason)),
        }
    }
    if !header_seen {
        problems.push((1, "文件为空".into()));
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

/// Where an expert stands in the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ExpertStatus {
    /// 在库.
    Active,
    /// 暂停 (e.g. after a poor rating or a complaint), with the reason.
    Suspended { reason: String },
    /// 退出专家库.
    Retired { reason: String },
}

impl ExpertStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended { .. } => "suspended",
            Self::Retired { .. } => "retired",
        }
    }
}

/// A leave period (请假/回避时段): the expert is not drawn for evaluations on these days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leave {
    pub from: Date,
    pub to: Date,
    pub reason: String,
}

/// An expert of the database, known by a pseudonym (its stream and its id in draws).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expert {
    pub pseudonym: String,
    pub record: ExpertRecord,
    pub status: ExpertStatus,
    pub leaves: Vec<Leave>,
    /// Relations the expert declared (avoided in every draw that involves the entity).
    #[serde(default)]
    pub relations: Vec<Relation>,
    /// The performance record: the organisers' ratings, oldest first.
    #[serde(default)]
    pub ratings: Vec<Rating>,
    /// The platform account the expert logs in with.
    #[serde(default)]
    pub account: Option<String>,
    pub added_by: String,
    pub added_at_ms: i64,
}

/// A declared relation (利害关系) to a market entity: a former employer within the avoidance
/// period, a close relative's employer, a shareholding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub entity: Uscc,
    /// e.g. 近三年曾任职, 近亲属任职.
    pub relation: String,
    pub by: String,
    pub at_ms: i64,
}

/// The organiser's rating of the expert after one evaluation (评标专家履职评价).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub draw: String,
    pub lot: String,
    pub evaluation_date: Date,
    /// 0–100.
    pub score: u8,
    pub comment: String,
    pub by: String,
    pub at_ms: i64,
}

/// When the performance record keeps an expert out of draws (a rule-set value, see
/// `data/rules.toml`): `count` or more ratings below `below` within `window_days` before the
/// evaluation date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatingRule {
    pub below: u8,
    pub count: u32,
    pub window_days: u32,
}

impl Expert {
    /// The ratings below the rule's bar within its window before `date`.
    pub fn poor_ratings(&self, rule: RatingRule, date: Date) -> u32 {
        let since = date.add_days(-i64::from(rule.window_days));
        self.ratings
            .iter()
            .filter(|r| {
                r.score < rule.below && r.evaluation_date >= since && r.evaluation_date <= date
            })
            .count() as u32
    }

    /// Whether the performance record bars the expert from a draw for `date`.
    pub fn barred_by_record(&self, rule: RatingRule, date: Date) -> bool {
        rule.count > 0 && self.poor_ratings(rule, date) >= rule.count
    }

    /// The log-in name of the expert's account: the pseudonym (专家编号), lower-case.
    pub fn account_name(pseudonym: &str) -> String {
        pseudonym.to_ascii_lowercase()
    }

    /// The pseudonym behind an expert's log-in name (`e` + 16 hex digits), if it is one.
    pub fn pseudonym_of_account(username: &str) -> Option<String> {
        let hex = username.strip_prefix('e')?;
        (hex.len() == 16
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| format!("E{hex}"))
    }
}

impl Expert {
    pub fn stream(pseudonym: &str) -> String {
        format!("expert/{pseudonym}")
    }
}

/// What may be asked of an expert's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpertCommand {
    /// 入库 (the trading center), with a record that passed the entry criteria.
    Add {
        pseudonym: String,
        record: ExpertRecord,
        by: String,
    },
    Suspend {
        by: String,
        reason: String,
    },
    Reinstate {
        by: String,
    },
    Retire {
        by: String,
        reason: String,
    },
    AddLeave {
        leave: Leave,
        today: Date,
    },
    /// The expert (or the trading center for them) declares a relation to an entity.
    DeclareRelation {
        entity: Uscc,
        relation: String,
        by: String,
    },
    /// The trading center links the expert's platform account (once).
    LinkAccount {
        username: String,
        by: String,
    },
    /// The organiser rates the expert after an evaluation; once per draw.
    Rate {
        draw: String,
        lot: String,
        evaluation_date: Date,
        score: u8,
        comment: String,
        by: String,
    },
}

/// What happened to an expert's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ExpertEvent {
    Added {
        pseudonym: String,
        record: ExpertRecord,
        by: String,
        at_ms: i64,
    },
    Suspended {
        by: String,
        reason: String,
        at_ms: i64,
    },
    Reinstated {
        by: String,
        at_ms: i64,
    },
    Retired {
        by: String,
        reason: String,
        at_ms: i64,
    },
    LeaveAdded {
        leave: Leave,
        at_ms: i64,
    },
    RelationDeclared {
        relation: Relation,
    },
    Rated {
        rating: Rating,
    },
    AccountLinked {
        username: String,
        by: String,
        at_ms: i64,
    },
}

impl ExpertEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Added { .. } => "expert.added",
            Self::Suspended { .. } => "expert.suspended",
            Self::Reinstated { .. } => "expert.reinstated",
            Self::Retired { .. } => "expert.retired",
            Self::LeaveAdded { .. } => "expert.leave_added",
            Self::RelationDeclared { .. } => "expert.relation_declared",
            Self::Rated { .. } => "expert.rated",
            Self::AccountLinked { .. } => "expert.account_linked",
        }
    }
}

fn reason_given(reason: &str) -> Result<(), DomainError> {
    if reason.trim().is_empty() {
        Err(DomainError::ReasonRequired)
    } else {
        crate::fields::text_field("理由", reason, 500)
    }
}

impl crate::Decider for Option<Expert> {
    type Command = ExpertCommand;
    type Event = ExpertEvent;

    fn decide(&self, command: ExpertCommand, now_ms: i64) -> Result<Vec<ExpertEvent>, DomainError> {
        if let ExpertCommand::Add {
            pseudonym,
            record,
            by,
        } = command
        {
            if self.is_some() {
                return Err(DomainError::ExpertExists);
            }
            return Ok(vec![ExpertEvent::Added {
                pseudonym,
                record,
                by,
                at_ms: now_ms,
            }]);
        }
        let expert = self.as_ref().ok_or(DomainError::ExpertNotFound)?;
        if matches!(expert.status, ExpertStatus::Retired { .. }) {
            return Err(DomainError::ExpertRetired);
        }
        match command {
            ExpertCommand::Add { .. } => unreachable!("handled above"),
            ExpertCommand::Suspend { by, reason } => {
                reason_given(&reason)?;
                if expert.status != ExpertStatus::Active {
                    return Err(DomainError::ExpertNotActive);
                }
                Ok(vec![ExpertEvent::Suspended {
                    by,
                    reason,
                    at_ms: now_ms,
                }])
            }
            ExpertCommand::Reinstate { by } => {
                if !matches!(expert.status, ExpertStatus::Suspended { .. }) {
                    return Err(DomainError::ExpertNotSuspended);
                }
                Ok(vec![ExpertEvent::Reinstated { by, at_ms: now_ms }])
            }
            ExpertCommand::Retire { by, reason } => {
                reason_given(&reason)?;
                Ok(vec![ExpertEvent::Retired {
                    by,
                    reason,
                    at_ms: now_ms,
                }])
            }
            ExpertCommand::AddLeave { leave, today } => {
                reason_given(&leave.reason)?;
                if leave.to < leave.from || leave.to < today {
                    return Err(DomainError::LeaveDates);
                }
                Ok(vec![ExpertEvent::LeaveAdded {
                    leave,
                    at_ms: now_ms,
                }])
            }
            ExpertCommand::DeclareRelation {
                entity,
                relation,
                by,
            } => {
                let relation = relation.trim().to_string();
                if relation.is_empty() {
                    return Err(DomainError::Required {
                        field: "关系说明"
                    });
                }
                crate::fields::text_field("关系说明", &relation, 100)?;
                if expert
                    .relations
                    .iter()
                    .any(|r| r.entity == entity && r.relation == relation)
                {
                    return Err(DomainError::NothingChanged);
                }
                Ok(vec![ExpertEvent::RelationDeclared {
                    relation: Relation {
                        entity,
                        relation,
                        by,
                        at_ms: now_ms,
                    },
                }])
            }
            ExpertCommand::LinkAccount { username, by } => {
                if expert.account.is_some() {
                    return Err(DomainError::ExpertAccountLinked);
                }
                Ok(vec![ExpertEvent::AccountLinked {
                    username,
                    by,
                    at_ms: now_ms,
                }])
            }
            ExpertCommand::Rate {
                draw,
                lot,
                evaluation_date,
                score,
                comment,
                by,
            } => {
                if score > 100 {
                    return Err(DomainError::RatingScore);
                }
                if !comment.trim().is_empty() {
                    crate::fields::text_field("评价意见", &comment, 500)?;
                }
                if expert.ratings.iter().any(|r| r.draw == draw) {
                    return Err(DomainError::AlreadyRated);
                }
                Ok(vec![ExpertEvent::Rated {
                    rating: Rating {
                        draw,
                        lot,
                        evaluation_date,
                        score,
                        comment: comment.trim().to_string(),
                        by,
                        at_ms: now_ms,
                    },
                }])
            }
        }
    }

    fn evolve(self, event: &ExpertEvent) -> Self {
        if let ExpertEvent::Added {
            pseudonym,
            record,
            by,
            at_ms,
        } = event
        {
            return Some(Expert {
                pseudonym: pseudonym.clone(),
                record: record.clone(),
                status: ExpertStatus::Active,
                leaves: Vec::new(),
                relations: Vec::new(),
                ratings: Vec::new(),
                account: None,
                added_by: by.clone(),
                added_at_ms: *at_ms,
            });
        }
        let mut expert = self?;
        match event {
            ExpertEvent::Added { .. } => {}
            ExpertEvent::Suspended { reason, .. } => {
                expert.status = ExpertStatus::Suspended {
                    reason: reason.clone(),
                };
            }
            ExpertEvent::Reinstated { .. } => expert.status = ExpertStatus::Active,
            ExpertEvent::Retired { reason, .. } => {
                expert.status = ExpertStatus::Retired {
                    reason: reason.clone(),
                };
            }
            ExpertEvent::LeaveAdded { leave, .. } => expert.leaves.push(leave.clone()),
            ExpertEvent::RelationDeclared { relation } => expert.relations.push(relation.clone()),
            ExpertEvent::Rated { rating } => expert.ratings.push(rating.clone()),
            ExpertEvent::AccountLinked { username, .. } => expert.account = Some(username.clone()),
        }
        Some(expert)
    }
}
