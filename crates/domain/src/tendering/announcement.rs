//! 公告 — announcements generated from standard templates (标准文本) per catalog category and kind,
//! filled from a procedure's structured data. A template is text with `{field}` placeholders; a
//! template set is checked when it is loaded, so a placeholder a kind does not provide is refused
//! then, not when a notice is due.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The kinds of announcement a procedure publishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementKind {
    /// 招标公告 / 采购公告.
    TenderNotice,
    /// 变更/澄清公告 / 更正公告.
    Amendment,
    /// 开标记录.
    OpeningRecord,
    /// 中标候选人公示.
    CandidatesNotice,
    /// 中标（成交）结果公告.
    ResultNotice,
    /// 合同公告.
    ContractNotice,
    /// 流标公告.
    FailureNotice,
    /// 终止公告.
    TerminationNotice,
    /// 出让（转让、交易）公告 of an online sale.
    AuctionNotice,
    /// 成交公示 of an online sale.
    DealNotice,
    /// 流拍公告 of an online sale.
    NoSaleNotice,
}

const COMMON: &[&str] = &[
    "project_title",
    "project_code",
    "procedure_id",
    "tenderee",
    "agency",
    "method",
    "category_name",
    "region",
    "contact",
    "published_date",
];

impl AnnouncementKind {
    /// Whether a procedure of `rule_category` publishes this kind. 政府采购 publishes no
    /// 中标候选人公示: the 中标（成交）结果公告 follows the award (政府采购法实施条例 第43条;
    /// 财政部令第87号 第69条).
    pub fn published_in(self, rule_category: &str) -> bool {
        !(self == Self::CandidatesNotice && rule_category == "procurement")
    }

    pub const ALL: [AnnouncementKind; 11] = [
        Self::TenderNotice,
        Self::Amendment,
        Self::OpeningRecord,
        Self::CandidatesNotice,
        Self::ResultNotice,
        Self::ContractNotice,
        Self::FailureNotice,
        Self::TerminationNotice,
        Self::AuctionNotice,
        Self::DealNotice,
        Self::NoSaleNotice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TenderNotice => "tender_notice",
            Self::Amendment => "amendment",
            Self::OpeningRecord => "opening_record",
            Self::CandidatesNotice => "candidates_notice",
            Self::ResultNotice => "result_notice",
            Self::ContractNotice => "contract_notice",
            Self::FailureNotice => "failure_notice",
            Self::TerminationNotice => "termination_notice",
            Self::AuctionNotice => "auction_notice",
            Self::DealNotice => "deal_notice",
            Self::NoSaleNotice => "no_sale_notice",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::TenderNotice => "招标公告",
            Self::Amendment => "变更/澄清公告",
            Self::OpeningRecord => "开标记录",
            Self::CandidatesNotice => "中标候选人公示",
            Self::ResultNotice => "中标结果公告",
            Self::ContractNotice => "合同公告",
            Self::FailureNotice => "流标公告",
            Self::TerminationNotice => "终止公告",
            Self::AuctionNotice => "竞价公告",
            Self::DealNotice => "成交公示",
            Self::NoSaleNotice => "流拍公告",
        }
    }

    /// The fields this kind provides besides the common ones.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Self::TenderNotice => &[
                "description",
                "qualification",
                "lots",
                "deadline",
                "earliest_deadline",
                "opening_place",
                "documents",
                "opening_key",
                "rules",
                "invitees",
            ],
            Self::Amendment => &[
                "amendment_no",
                "text",
                "old_deadline",
                "deadline",
                "postponement",
            ],
            Self::OpeningRecord => &["lot_code", "lot_name", "opened_at", "count", "record"],
            Self::CandidatesNotice | Self::ResultNotice | Self::ContractNotice => {
                &["lot_code", "lot_name", "text"]
            }
            Self::FailureNotice => &["lot_code", "lot_name", "reason"],
            Self::TerminationNotice => &["reason"],
            Self::AuctionNotice => &[
                "lot_code",
                "lot_name",
                "description",
                "terms",
                "start",
                "end",
                "deposit",
                "rules",
            ],
            Self::DealNotice => &[
                "lot_code",
                "lot_name",
                "bidder_number",
                "winner",
                "price",
                "reserve",
                "text",
            ],
            Self::NoSaleNotice => &["lot_code", "lot_name", "reason", "reserve"],
        }
    }

    fn provides(self, field: &str) -> bool {
        COMMON.contains(&field) || self.fields().contains(&field)
    }
}

/// One template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// The catalog category, or `*` for every category without its own.
    pub category: String,
    pub kind: AnnouncementKind,
    pub title: String,
    pub body: String,
}

/// A checked set of templates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Templates {
    by_key: BTreeMap<(String, AnnouncementKind), Template>,
}

/// The placeholders of `text`, in order; `None` when a brace is unbalanced.
fn placeholders(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return None;
        }
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        if name.is_empty() || name.contains('{') {
            return None;
        }
        out.push(name);
        rest = &after[close + 1..];
    }
    Some(out)
}

impl Templates {
    /// Checks every template: known kind, balanced braces, only fields the kind provides, no
    /// duplicates, and a `*` template for every kind.
    pub fn new(templates: Vec<Template>) -> Result<Self, DomainError> {
        let mut by_key = BTreeMap::new();
        for template in templates {
            let name = format!("{}/{}", template.category, template.kind.as_str());
            for text in [&template.title, &template.body] {
                let fields = placeholders(text).ok_or_else(|| DomainError::TemplateInvalid {
                    template: name.clone(),
                    reason: "花括号不配对".into(),
                })?;
                if let Some(unknown) = fields.iter().find(|f| !template.kind.provides(f)) {
                    return Err(DomainError::TemplateInvalid {
                        template: name.clone(),
                        reason: format!("该类公告没有字段 {{{unknown}}}"),
                    });
                }
            }
            if template.title.trim().is_empty() || template.body.trim().is_empty() {
                return Err(DomainError::TemplateInvalid {
                    template: name,
                    reason: "标题和正文不能为空".into(),
                });
            }
            let key = (template.category.clone(), template.kind);
            if by_key.insert(key, template).is_some() {
                return Err(DomainError::TemplateInvalid {
                    template: name,
                    reason: "重复的模板".into(),
                });
            }
        }
        for kind in AnnouncementKind::ALL {
            if !by_key.contains_key(&("*".to_string(), kind)) {
                return Err(DomainError::TemplateInvalid {
                    template: format!("*/{}", kind.as_str()),
                    reason: "缺少通用模板".into(),
                });
            }
        }
        Ok(Self { by_key })
    }

    /// The template for `category` and `kind` (the category's own, else the general one).
    pub fn get(&self, category: &str, kind: AnnouncementKind) -> &Template {
        self.by_key
            .get(&(category.to_string(), kind))
            .or_else(|| self.by_key.get(&("*".to_string(), kind)))
            .expect("Templates::new requires a general template for every kind")
    }

    /// Renders title and body; a field the caller did not supply renders as "—".
    pub fn render(
        &self,
        category: &str,
        kind: AnnouncementKind,
        fields: &BTreeMap<&str, String>,
    ) -> (String, String) {
        let template = self.get(category, kind);
        (fill(&template.title, fields), fill(&template.body, fields))
    }
}

fn fill(text: &str, fields: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').unwrap_or(after.len());
        let name = &after[..close];
        match fields.get(name) {
            Some(value) if !value.is_empty() => out.push_str(value),
            _ => out.push('—'),
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// A published announcement: what the portal shows and the ledger witnesses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    /// e.g. `T3301002026000101-1` (procedure, kind, number).
    pub id: String,
    pub procedure: String,
    /// The lot's 统一交易标识码 when the notice concerns one lot.
    pub lot: Option<String>,
    pub kind: AnnouncementKind,
    pub category: String,
    pub region: String,
    pub title: String,
    pub body: String,
    pub published_at_ms: i64,
}

impl Announcement {
    pub fn stream(id: &str) -> String {
        format!("announcement/{id}")
    }
}
