//! The credit standards (信用评价标准) as data: which facts count, how long each lasts and when it
//! may be repaired, the score or level effect of each fact per domain, the levels and their
//! thresholds, and the measures (惩戒 and 激励) a level or a fact triggers at each gate. Shipped
//! as `data/credit.toml`, published and versioned like the rule sets; every value names its source.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{Catalog, DomainError};

/// Whose credit a fact or a standard concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A market entity (USCC or ID number).
    Entity,
    /// An evaluation expert (by pseudonym).
    Expert,
}

impl SubjectKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Entity => "市场主体",
            Self::Expert => "评标评审专家",
        }
    }
}

/// Where a measure bites.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// 报名 for a lot, 竞买登记 for a sale.
    Register,
    /// 投标, 报价, 密封报价.
    Bid,
    /// Re-checked before the 中标候选人公示.
    Candidate,
    /// Re-checked before the award (确定中标人).
    Award,
    /// Drawn for a panel (experts).
    ExpertPool,
}

impl Gate {
    pub const ALL: [Gate; 5] = [
        Gate::Register,
        Gate::Bid,
        Gate::Candidate,
        Gate::Award,
        Gate::ExpertPool,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Bid => "bid",
            Self::Candidate => "candidate",
            Self::Award => "award",
            Self::ExpertPool => "expert_pool",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Register => "报名/竞买登记",
            Self::Bid => "投标/报价",
            Self::Candidate => "中标候选人公示前核查",
            Self::Award => "确定中标人前核查",
            Self::ExpertPool => "专家抽取",
        }
    }
}

/// A fact that may be recorded, with how long it lasts and when it may be repaired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactRule {
    pub code: String,
    pub name: String,
    pub subject: SubjectKind,
    /// How long a record lasts from its date, in months, when its source names no end; absent:
    /// until withdrawn (e.g. 失信被执行人 case 1, no fixed term).
    #[serde(default)]
    pub months: Option<u32>,
    /// 信用修复: the record may be repaired once this many months have passed since its date;
    /// absent: not repairable on the platform (only its source can withdraw it).
    #[serde(default)]
    pub repair_after_months: Option<u32>,
    pub source: String,
}

/// An external list the trading center imports, and the fact each listed row records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListKind {
    pub code: String,
    pub name: String,
    pub fact: String,
    /// Where the list is published (the channel the tender documents name).
    pub channel: String,
    pub source: String,
}

/// A level and the least score that reaches it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub code: String,
    pub name: String,
    pub min: u32,
}

/// What one fact does under one standard: points off and/or a level it cannot rise above.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreRule {
    pub fact: String,
    #[serde(default)]
    pub deduct: u32,
    /// The best level a subject with this fact may have (a level code).
    #[serde(default)]
    pub cap: Option<String>,
    pub source: String,
}

/// What a level or a fact does where it bites: refusal at gates, a bond percentage, or an
/// incentive (守信激励).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub code: String,
    pub name: String,
    /// Triggered by this level …
    #[serde(default)]
    pub when_level: Option<String>,
    /// … or by any counted record of this fact.
    #[serde(default)]
    pub when_fact: Option<String>,
    /// Refused at these gates.
    #[serde(default)]
    pub refuse: Vec<Gate>,
    /// The bid bond required, in percent of the lot's bond (0 = waived, 200 = doubled).
    #[serde(default)]
    pub bond_percent: Option<u32>,
    /// 守信激励 rather than 失信惩戒.
    #[serde(default)]
    pub incentive: bool,
    pub source: String,
}

/// One credit standard: for the trading domains (catalog categories) it names, or for experts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditStandard {
    pub code: String,
    pub name: String,
    pub subject: SubjectKind,
    /// The catalog categories it applies to (entity standards); empty for the expert standard.
    #[serde(default)]
    pub categories: Vec<String>,
    /// The score before any record (e.g. 100).
    pub base: u32,
    /// Best first; the last must start at 0.
    pub levels: Vec<Level>,
    #[serde(default)]
    pub rules: Vec<ScoreRule>,
    #[serde(default)]
    pub measures: Vec<Measure>,
    pub source: String,
}

impl CreditStandard {
    /// The level a score reaches.
    pub fn level_of(&self, score: i64) -> &Level {
        self.levels
            .iter()
            .find(|level| score >= i64::from(level.min))
            .or(self.levels.last())
            .expect("a validated standard has levels")
    }

    /// The rank of a level (0 = best); unknown codes rank last.
    pub fn rank(&self, code: &str) -> usize {
        self.levels
            .iter()
            .position(|level| level.code == code)
            .unwrap_or(self.levels.len())
    }

    pub fn level(&self, code: &str) -> Option<&Level> {
        self.levels.iter().find(|level| level.code == code)
    }
}

/// The whole credit rule data: facts, lists and standards.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditStandards {
    pub title: String,
    #[serde(default)]
    pub facts: Vec<FactRule>,
    #[serde(default)]
    pub lists: Vec<ListKind>,
    #[serde(default)]
    pub standards: Vec<CreditStandard>,
}

fn invalid(item: &str, reason: impl Into<String>) -> DomainError {
    DomainError::CreditStandardInvalid {
        item: item.to_string(),
        reason: reason.into(),
    }
}

fn code_ok(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl CreditStandards {
    pub fn fact(&self, code: &str) -> Option<&FactRule> {
        self.facts.iter().find(|fact| fact.code == code)
    }

    pub fn list(&self, code: &str) -> Option<&ListKind> {
        self.lists.iter().find(|list| list.code == code)
    }

    /// The standard for a catalog category's entities.
    pub fn for_category(&self, category: &str) -> Option<&CreditStandard> {
        self.standards.iter().find(|standard| {
            standard.subject == SubjectKind::Entity
                && standard.categories.iter().any(|c| c == category)
        })
    }

    /// The standard for experts.
    pub fn for_experts(&self) -> Option<&CreditStandard> {
        self.standards
            .iter()
            .find(|standard| standard.subject == SubjectKind::Expert)
    }

    /// The standards that concern a subject kind.
    pub fn of_subject(&self, subject: SubjectKind) -> impl Iterator<Item = &CreditStandard> {
        self.standards
            .iter()
            .filter(move |standard| standard.subject == subject)
    }

    /// Checks the data on its own and against the catalog: codes well-formed and unique, every
    /// source given, every reference known, levels best first down to 0, and every catalog
    /// category under exactly one entity standard, with one expert standard.
    pub fn validate(&self, catalog: &Catalog) -> Result<(), DomainError> {
        if self.title.trim().is_empty() {
            return Err(invalid("title", "标题不能为空"));
        }
        let mut seen = BTreeSet::new();
        for fact in &self.facts {
            if !code_ok(&fact.code) || !seen.insert(fact.code.as_str()) {
                return Err(invalid(
                    &fact.code,
                    "事项代码应为2到40位小写字母、数字或下划线，且不重复",
                ));
            }
            if fact.name.trim().is_empty() || fact.source.trim().is_empty() {
                return Err(invalid(&fact.code, "事项应有名称和依据"));
            }
            if fact.months == Some(0) {
                return Err(invalid(&fact.code, "有效期（月）应大于0，无固定期限的不填"));
            }
        }
        let mut lists = BTreeSet::new();
        for list in &self.lists {
            if !code_ok(&list.code) || !lists.insert(list.code.as_str()) {
                return Err(invalid(
                    &list.code,
                    "名单代码应为2到40位小写字母、数字或下划线，且不重复",
                ));
            }
            match self.fact(&list.fact) {
                Some(fact) if fact.subject == SubjectKind::Entity => {}
                _ => {
                    return Err(invalid(
                        &list.code,
                        format!("名单所记事项 {} 不存在或不是市场主体事项", list.fact),
                    ));
                }
            }
            if list.name.trim().is_empty()
                || list.source.trim().is_empty()
                || list.channel.trim().is_empty()
            {
                return Err(invalid(&list.code, "名单应有名称、公布渠道和依据"));
            }
        }
        let mut standards = BTreeSet::new();
        let mut covered = BTreeSet::new();
        let mut experts = 0;
        for standard in &self.standards {
            let item = standard.code.as_str();
            if !code_ok(item) || !standards.insert(item) {
                return Err(invalid(
                    item,
                    "标准代码应为2到40位小写字母、数字或下划线，且不重复",
                ));
            }
            if standard.name.trim().is_empty() || standard.source.trim().is_empty() {
                return Err(invalid(item, "标准应有名称和依据"));
            }
            match standard.subject {
                SubjectKind::Expert => {
                    experts += 1;
                    if !standard.categories.is_empty() {
                        return Err(invalid(
                            item,
                            "专家信用标准不按交易类别区分，categories 应为空",
                        ));
                    }
                }
                SubjectKind::Entity => {
                    if standard.categories.is_empty() {
                        return Err(invalid(item, "市场主体信用标准应列明适用的交易类别"));
                    }
                    for category in &standard.categories {
                        if catalog.category(category).is_err() {
                            return Err(invalid(
                                item,
                                format!("交易类别 {category} 不在交易目录中"),
                            ));
                        }
                        if !covered.insert(category.as_str()) {
                            return Err(invalid(
                                item,
                                format!("交易类别 {category} 适用了多个信用标准"),
                            ));
                        }
                    }
                }
            }
            if standard.levels.is_empty() {
                return Err(invalid(item, "应至少有一个信用等级"));
            }
            let mut codes = BTreeSet::new();
            for pair in standard.levels.windows(2) {
                if pair[0].min <= pair[1].min {
                    return Err(invalid(item, "信用等级应从高到低排列，分数线依次降低"));
                }
            }
            for level in &standard.levels {
                if level.code.trim().is_empty()
                    || level.name.trim().is_empty()
                    || !codes.insert(level.code.as_str())
                {
                    return Err(invalid(item, "信用等级应有不重复的代码和名称"));
                }
                if level.min > standard.base {
                    return Err(invalid(
                        item,
                        format!("等级 {} 的分数线高于基础分", level.code),
                    ));
                }
            }
            if standard.levels.last().is_some_and(|level| level.min != 0) {
                return Err(invalid(item, "最低一级的分数线应为0"));
            }
            let mut ruled = BTreeSet::new();
            for rule in &standard.rules {
                match self.fact(&rule.fact) {
                    Some(fact) if fact.subject == standard.subject => {}
                    _ => {
                        return Err(invalid(
                            item,
                            format!(
                                "评价规则的事项 {} 不存在或不适用于{}",
                                rule.fact,
                                standard.subject.label()
                            ),
                        ));
                    }
                }
                if !ruled.insert(rule.fact.as_str()) {
                    return Err(invalid(item, format!("事项 {} 有多条评价规则", rule.fact)));
                }
                if let Some(cap) = &rule.cap
                    && standard.level(cap).is_none()
                {
                    return Err(invalid(
                        item,
                        format!("事项 {} 的等级上限 {cap} 不是本标准的等级", rule.fact),
                    ));
                }
                if rule.deduct == 0 && rule.cap.is_none() {
                    return Err(invalid(
                        item,
                        format!("事项 {} 既不扣分也不限定等级", rule.fact),
                    ));
                }
                if rule.source.trim().is_empty() {
                    return Err(invalid(
                        item,
                        format!("事项 {} 的评价规则应注明依据", rule.fact),
                    ));
                }
            }
            let mut measures = BTreeSet::new();
            for measure in &standard.measures {
                if !code_ok(&measure.code) || !measures.insert(measure.code.as_str()) {
                    return Err(invalid(
                        item,
                        format!(
                            "措施代码 {} 应为小写字母、数字或下划线且不重复",
                            measure.code
                        ),
                    ));
                }
                if measure.name.trim().is_empty() || measure.source.trim().is_empty() {
                    return Err(invalid(
                        item,
                        format!("措施 {} 应有名称和依据", measure.code),
                    ));
                }
                match (&measure.when_level, &measure.when_fact) {
                    (Some(level), None) if standard.level(level).is_some() => {}
                    (None, Some(fact))
                        if standard.rules.iter().any(|r| &r.fact == fact)
                            || self
                                .fact(fact)
                                .is_some_and(|f| f.subject == standard.subject) => {}
                    _ => {
                        return Err(invalid(
                            item,
                            format!(
                                "措施 {} 应由本标准的一个等级或一个事项触发（二者取其一）",
                                measure.code
                            ),
                        ));
                    }
                }
                if measure.refuse.is_empty() && measure.bond_percent.is_none() && !measure.incentive
                {
                    return Err(invalid(item, format!("措施 {} 没有任何效果", measure.code)));
                }
                if measure.incentive && !measure.refuse.is_empty() {
                    return Err(invalid(
                        item,
                        format!("激励措施 {} 不能拒绝交易", measure.code),
                    ));
                }
                if measure.bond_percent.is_some_and(|p| p > 500) {
                    return Err(invalid(
                        item,
                        format!("措施 {} 的保证金比例超过500%", measure.code),
                    ));
                }
                for gate in &measure.refuse {
                    let expert_gate = *gate == Gate::ExpertPool;
                    if expert_gate != (standard.subject == SubjectKind::Expert) {
                        return Err(invalid(
                            item,
                            format!(
                                "措施 {} 的关口 {} 不适用于{}",
                                measure.code,
                                gate.label(),
                                standard.subject.label()
                            ),
                        ));
                    }
                }
            }
        }
        for category in &catalog.categories {
            if !covered.contains(category.code.as_str()) {
                return Err(invalid(&category.code, "该交易类别没有适用的信用标准"));
            }
        }
        if experts != 1 {
            return Err(invalid("expert", "应有且只有一个专家信用标准"));
        }
        Ok(())
    }
}
