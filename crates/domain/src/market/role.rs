//! The roles a user account can hold.

use serde::{Deserialize, Serialize};

/// A role on the platform. A market entity's accounts hold trading roles; the trading center's,
/// the supervisors' and the auditors' accounts hold platform roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 交易中心 — the trading center's staff.
    Operator,
    /// 招标人 / 采购人 / 出让人.
    Tenderee,
    /// 代理机构.
    Agency,
    /// 投标人 / 供应商 / 竞买人.
    Bidder,
    /// 评标专家.
    Expert,
    /// 行政监督.
    Supervisor,
    /// 纪检监察 / 审计.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Operator,
        Role::Tenderee,
        Role::Agency,
        Role::Bidder,
        Role::Expert,
        Role::Supervisor,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Tenderee => "tenderee",
            Role::Agency => "agency",
            Role::Bidder => "bidder",
            Role::Expert => "expert",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// The Chinese name shown in pages.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Operator => "交易中心",
            Role::Tenderee => "招标人/采购人",
            Role::Agency => "代理机构",
            Role::Bidder => "投标人/供应商/竞买人",
            Role::Expert => "评标专家",
            Role::Supervisor => "行政监督",
            Role::Auditor => "纪检审计",
        }
    }

    /// Roles a market entity may ask for when it registers itself; the others are granted by the
    /// trading center.
    pub fn is_self_service(self) -> bool {
        matches!(self, Role::Tenderee | Role::Agency | Role::Bidder)
    }
}
