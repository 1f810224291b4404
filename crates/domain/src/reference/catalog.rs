//! 公共资源交易目录 — the trading catalog: every category of public resource that must be traded on
//! the platform, the trading methods it allows, the rule set it follows, the announcements it must
//! publish and the department that supervises it. "平台外无交易": a procedure can only be created
//! for a category and method that the catalog allows.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{Date, DomainError, RuleBook};

/// A trading method (交易方式).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 公开招标.
    OpenTender,
    /// 邀请招标.
    InvitedTender,
    /// 竞争性谈判.
    CompetitiveNegotiation,
    /// 竞争性磋商.
    CompetitiveConsultation,
    /// 询价.
    Inquiry,
    /// 单一来源采购.
    SingleSource,
    /// 拍卖.
    Auction,
    /// 挂牌.
    Listing,
    /// 网上竞价.
    OnlineBidding,
    /// 协议转让.
    Agreement,
}

impl Method {
    pub const ALL: [Method; 10] = [
        Method::OpenTender,
        Method::InvitedTender,
        Method::CompetitiveNegotiation,
        Method::CompetitiveConsultation,
        Method::Inquiry,
        Method::SingleSource,
        Method::Auction,
        Method::Listing,
        Method::OnlineBidding,
        Method::Agreement,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Method::OpenTender => "公开招标",
            Method::InvitedTender => "邀请招标",
            Method::CompetitiveNegotiation => "竞争性谈判",
            Method::CompetitiveConsultation => "竞争性磋商",
            Method::Inquiry => "询价",
            Method::SingleSource => "单一来源采购",
            Method::Auction => "拍卖",
            Method::Listing => "挂牌",
            Method::OnlineBidding => "网上竞价",
            Method::Agreement => "协议转让",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::OpenTender => "open_tender",
            Method::InvitedTender => "invited_tender",
            Method::CompetitiveNegotiation => "competitive_negotiation",
            Method::CompetitiveConsultation => "competitive_consultation",
            Method::Inquiry => "inquiry",
            Method::SingleSource => "single_source",
            Method::Auction => "auction",
            Method::Listing => "listing",
            Method::OnlineBidding => "online_bidding",
            Method::Agreement => "agreement",
        }
    }

    pub fn parse(text: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// One category of the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable code, e.g. `construction`.
    pub code: String,
    /// e.g. 工程建设项目招标投标.
    pub name: String,
    pub methods: Vec<Method>,
    /// The rule book category whose sets this category follows.
    pub rule_category: String,
    /// The announcements a procedure of this category must publish, e.g. 招标公告.
    pub announcements: Vec<String>,
    /// The supervising department, e.g. 住房和城乡建设部门.
    pub supervisor: String,
    /// The legal basis of its place in the catalog.
    pub source: String,
}

/// The catalog: a version of the list of categories.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub title: String,
    pub categories: Vec<Category>,
}

fn invalid(category: &str, reason: impl Into<String>) -> DomainError {
    DomainError::CatalogInvalid {
        category: category.to_string(),
        reason: reason.into(),
    }
}

impl Catalog {
    /// Checks the catalog against itself and the rule book in force on `today`: unique codes,
    /// at least one method without repeats, at least one announcement, a supervisor, and a
    /// national rule set in force for its rule category.
    pub fn validate(&self, rules: &RuleBook, today: Date) -> Result<(), DomainError> {
        let mut codes = BTreeSet::new();
        if self.categories.is_empty() {
            return Err(invalid("", "交易目录至少应有一个类别"));
        }
        for category in &self.categories {
            let code = category.code.as_str();
            let code_ok = !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !code_ok {
                return Err(invalid(code, "类别代码只能由小写字母、数字和下划线组成"));
            }
            if !codes.insert(code) {
                return Err(invalid(code, "类别代码重复"));
            }
            if category.name.trim().is_empty() || category.supervisor.trim().is_empty() {
                return Err(invalid(code, "缺少名称或监督部门"));
            }
            if category.source.trim().is_empty() {
                return Err(invalid(code, "缺少列入目录的依据"));
            }
            let methods: BTreeSet<Method> = category.methods.iter().copied().collect();
            if methods.is_empty() {
                return Err(invalid(code, "至少应允许一种交易方式"));
            }
            if methods.len() != category.methods.len() {
                return Err(invalid(code, "交易方式重复"));
            }
            if category.announcements.is_empty() {
                return Err(invalid(code, "至少应规定一种应发布的公告"));
            }
            if rules
                .in_force(&category.rule_category, None, today)
                .is_none()
            {
                return Err(invalid(
                    code,
                    format!(
                        "规则类别 {} 在 {today} 没有有效的全国规则集",
                        category.rule_category
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn category(&self, code: &str) -> Result<&Category, DomainError> {
        self.categories
            .iter()
            .find(|c| c.code == code)
            .ok_or_else(|| DomainError::CategoryNotInCatalog {
                category: code.to_string(),
            })
    }

    /// "平台外无交易": refuses a category or method the catalog does not allow.
    pub fn allows(&self, code: &str, method: Method) -> Result<&Category, DomainError> {
        let category = self.category(code)?;
        if category.methods.contains(&method) {
            Ok(category)
        } else {
            Err(DomainError::MethodNotAllowed {
                category: category.name.clone(),
                method: method.label_zh().to_string(),
            })
        }
    }
}
