//! The application's error type: a domain refusal, an authentication or authorisation failure,
//! a missing thing, or an internal failure (whose details are logged, never shown).

use domain::DomainError;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("用户名或密码错误")]
    BadCredentials,
    #[error("未登录或会话已过期")]
    Unauthenticated,
    #[error("无权执行此操作")]
    NotAuthorized,
    #[error("密码至少8位，且须同时包含字母和数字")]
    WeakPassword,
    #[error("主体类型应为 organisation（法人或其他组织）或 natural_person（自然人）")]
    EntityKind,
    #[error("未知角色：{0}")]
    UnknownRole(String),
    #[error("令牌名称应为1到50个字符")]
    TokenName,
    #[error("令牌有效期应为1到366天")]
    TokenValidity,
    #[error("市场主体尚未通过审核")]
    EntityNotActive,
    #[error("{0}")]
    NotFound(&'static str),
    #[error("请求参数无效：{0}")]
    Invalid(String),
    #[error("{0}")]
    Certificate(#[from] crypto::CertError),
    #[error("第{holder}号密钥持有人对「{bidder}」投标文件的解密份额未通过零知识证明验证，已拒收")]
    PartialInvalid { holder: u32, bidder: String },
    #[error("{0}")]
    ExpertInvalid(String),
    #[error("导入文件有误，未导入任何专家：{}", .0.iter().take(20).map(|(line, reason)| format!("第{line}行 {reason}")).collect::<Vec<_>>().join("；"))]
    ExpertImport(Vec<(usize, String)>),
    /// A refusal of the application layer with its own stable code (one of `REFUSAL_CODES`).
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    /// An evidence file over `MAX_EVIDENCE_BYTES`, refused while it streams in.
    pub fn evidence_too_large() -> Self {
        Self::refused("EVIDENCE_TOO_LARGE", "单个证据文件不能超过20 MB")
    }

    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Domain(error) => error.code(),
            Self::BadCredentials => "BAD_CREDENTIALS",
            Self::Unauthenticated => "NOT_AUTHENTICATED",
            Self::NotAuthorized => "NOT_AUTHORIZED",
            Self::EntityNotActive => "ENTITY_NOT_ACTIVE",
            Self::WeakPassword => "PASSWORD_WEAK",
            Self::EntityKind => "ENTITY_KIND",
            Self::UnknownRole(_) => "UNKNOWN_ROLE",
            Self::TokenName => "TOKEN_NAME",
            Self::TokenValidity => "TOKEN_VALIDITY",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Invalid(_) => "INVALID_REQUEST",
            Self::Certificate(error) => error.code(),
            Self::PartialInvalid { .. } => "PARTIAL_PROOF_INVALID",
            Self::ExpertInvalid(_) => "EXPERT_INVALID",
            Self::ExpertImport(_) => "EXPERT_IMPORT",
            Self::Refused { code, .. } => code,
            Self::Internal(_) => "INTERNAL",
        }
    }
}

/// The codes of `AppError::Refused`, for the error table's completeness test.
pub const REFUSAL_CODES: &[&str] = &[
    "ACCOUNT_CLAIM_INVALID",
    "STATISTICS_FILTER",
    "LEDGER_RANGE",
    "DRAW_PSEUDONYM_REQUIRED",
    "DRAW_NOT_PENDING",
    "DRAW_PENDING",
    "DRAW_LOT_PENDING",
    "DRAW_BUSY",
    "DRAW_CONTRIBUTOR_CONFLICT",
    "DRAW_COMMITMENT_MISMATCH",
    "DRAW_CONTRIBUTION_FORMAT",
    "CRL_NOT_NEWER",
    "PASSWORD_COMMON",
    "PASSWORD_HAS_USERNAME",
    "TOO_MANY_ATTEMPTS",
    "TOKEN_FROM_TOKEN",
    "ENVELOPE_INVALID",
    "ENVELOPE_TOO_LARGE",
    "HOLDER_REFUSED",
    "CEREMONY_MESSAGE_INVALID",
    "SEAT_LABEL",
    "DATETIME_FORMAT",
    "METHOD_UNKNOWN",
    "TENDEREE_NOT_QUALIFIED",
    "INVITEE_NOT_BIDDER",
    "DOCUMENT_INVALID",
    "NO_OPENING_KEY",
    "DRAW_NEEDS",
    "EXPERT_CATEGORY_UNKNOWN",
    "DRAW_DATE_PAST",
    "DRAW_CONFIRM_WINDOW",
    "RATING_TOO_EARLY",
    "PANEL_NOT_YET_DISCLOSABLE",
    "EXPERT_ACCOUNT_UNLINKED",
    "EXPERT_ACCOUNT_ROLE",
    "CONTRACT_SIGNATURES",
    "BOND_NOT_ASKED",
    "GUARANTEE_INVALID",
    "DEPOSIT_NOTICE_INVALID",
    "AUCTION_REPLAY",
    "AUCTION_PERIOD",
    "AUCTION_RELIST",
    "AUCTION_TRANSFEROR_BIDS",
    "AUCTION_SIGNATURE_REQUIRED",
    "AUCTION_SIGNATURE_INVALID",
    "TRANSFEROR_NOT_QUALIFIED",
    "BOND_STEP_NONE",
    "EVALUATION_WITHDRAWAL",
    "EVIDENCE_INVALID",
    "EVIDENCE_TOO_LARGE",
    "CASE_DUE_FORMAT",
    "CASE_ACT_UNKNOWN",
    "CASE_FORM_INVALID",
    "PENALTY_FORMAT",
    "OBJECTION_SUBJECT",
    "QUERY_CODE_UNKNOWN",
    "PERFORMANCE_OUTCOME",
    "LIST_SIGNER",
    "HUB_NODE_ORIGIN",
    "HUB_NODE_URL",
    "HUB_NODE_REGION",
    "HUB_NODE_KEY",
    "HUB_NODE_KEY_PINNED",
    "LIST_FORM_INVALID",
    "CREDIT_FORM_INVALID",
];

impl AppError {
    /// A refusal with its own code; `code` must be listed in `REFUSAL_CODES`.
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        debug_assert!(
            REFUSAL_CODES.contains(&code),
            "{code} is not in REFUSAL_CODES"
        );
        Self::Refused {
            code,
            message: message.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        Self::Internal(format!("store: {error}"))
    }
}

impl From<crypto::CryptoError> for AppError {
    fn from(error: crypto::CryptoError) -> Self {
        Self::Internal(format!("crypto: {error}"))
    }
}
