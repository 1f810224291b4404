//! What the rules refuse. Each variant has a stable code that clients and tests match on.

/// A refusal by the domain rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("统一社会信用代码应为18位")]
    UsccLength,
    #[error("统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z）")]
    UsccCharset,
    #[error("统一社会信用代码校验位错误")]
    UsccCheckChar,
    #[error("居民身份证号码应为18位")]
    IdNumberLength,
    #[error("居民身份证号码格式错误")]
    IdNumberFormat,
    #[error("居民身份证号码中的出生日期无效")]
    IdNumberBirthDate,
    #[error("居民身份证号码校验位错误")]
    IdNumberCheckDigit,
    #[error("行政区划代码应为6位数字")]
    RegionCode,
    #[error("{field}不能为空")]
    Required { field: &'static str },
    #[error("{field}过长（最多{max}个字符）")]
    TooLong { field: &'static str, max: usize },
    #[error("用户名只能包含小写字母、数字、下划线和连字符，长度3到32")]
    UsernameFormat,
    #[error("该市场主体已登记")]
    DuplicateRegistration,
    #[error("该用户名已被使用")]
    UsernameTaken,
    #[error("市场主体不存在")]
    EntityNotFound,
    #[error("账号不存在")]
    AccountNotFound,
    #[error("该登记申请不在待审核状态")]
    NotPending,
    #[error("驳回时必须说明理由")]
    ReasonRequired,
    #[error("市场主体只能申请交易参与方角色（招标人、代理机构、投标人）")]
    RoleNotSelfService,
    #[error("至少选择一个角色")]
    NoRole,
    #[error("账号已停用")]
    AccountDisabled,
    #[error("日期无效（应为 YYYY-MM-DD 格式的真实日期）")]
    InvalidDate,
    #[error("数据文件第{line}行：{reason}")]
    DataFile { line: usize, reason: String },
    #[error("规则集 {id}：{reason}")]
    RuleSetInvalid { id: String, reason: String },
    #[error("{date} 没有适用于 {category} 的规则集")]
    NoRulesInForce { category: String, date: String },
    #[error("{category} 的规则集中没有 {key}")]
    RuleMissing { category: String, key: String },
    #[error("交易目录类别 {category}：{reason}")]
    CatalogInvalid { category: String, reason: String },
    #[error("交易目录中没有类别 {category}")]
    CategoryNotInCatalog { category: String },
    #[error("交易目录不允许{category}采用{method}方式")]
    MethodNotAllowed { category: String, method: String },
    #[error("内容与当前版本相同，无需发布")]
    NothingChanged,
    #[error("银行账号应为8到32位数字")]
    BankAccountNumber,
    #[error("基本账户的账户名称应与市场主体名称一致")]
    BankAccountName,
    #[error("市场主体不在可交易状态")]
    NotActive,
    #[error("禁入截止日期应晚于今天")]
    BarInPast,
    #[error("市场主体未被暂停或禁入")]
    NotRestricted,
    #[error("证书持有者的代码与该市场主体不一致")]
    CertificateWrongEntity,
    #[error("该证书已绑定")]
    CertificateAlreadyBound,
    #[error("该主体没有这张证书")]
    CertificateNotFound,
    #[error("证书已被吊销")]
    CertificateRevoked,
    #[error("专家库中符合条件的「{category}」类专家不足：需要{needed}名（含备选），仅有{available}名，缺{}名", needed - available)]
    DrawShort {
        category: String,
        needed: u32,
        available: u32,
    },
}

impl DomainError {
    /// The stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UsccLength => "USCC_LENGTH",
            Self::UsccCharset => "USCC_CHARSET",
            Self::UsccCheckChar => "USCC_CHECK_CHAR",
            Self::IdNumberLength => "ID_NUMBER_LENGTH",
            Self::IdNumberFormat => "ID_NUMBER_FORMAT",
            Self::IdNumberBirthDate => "ID_NUMBER_BIRTH_DATE",
            Self::IdNumberCheckDigit => "ID_NUMBER_CHECK_DIGIT",
            Self::RegionCode => "REGION_CODE",
            Self::Required { .. } => "FIELD_REQUIRED",
            Self::TooLong { .. } => "FIELD_TOO_LONG",
            Self::UsernameFormat => "USERNAME_FORMAT",
            Self::DuplicateRegistration => "DUPLICATE_REGISTRATION",
            Self::UsernameTaken => "USERNAME_TAKEN",
            Self::EntityNotFound => "ENTITY_NOT_FOUND",
            Self::AccountNotFound => "ACCOUNT_NOT_FOUND",
            Self::NotPending => "REGISTRATION_NOT_PENDING",
            Self::ReasonRequired => "REASON_REQUIRED",
            Self::RoleNotSelfService => "ROLE_NOT_SELF_SERVICE",
            Self::NoRole => "NO_ROLE",
            Self::AccountDisabled => "ACCOUNT_DISABLED",
            Self::InvalidDate => "INVALID_DATE",
            Self::DataFile { .. } => "DATA_FILE_INVALID",
            Self::RuleSetInvalid { .. } => "RULE_SET_INVALID",
            Self::NoRulesInForce { .. } => "NO_RULES_IN_FORCE",
            Self::RuleMissing { .. } => "RULE_MISSING",
            Self::CatalogInvalid { .. } => "CATALOG_INVALID",
            Self::CategoryNotInCatalog { .. } => "CATEGORY_NOT_IN_CATALOG",
            Self::MethodNotAllowed { .. } => "METHOD_NOT_ALLOWED_BY_CATALOG",
            Self::NothingChanged => "NOTHING_CHANGED",
            Self::BankAccountNumber => "BANK_ACCOUNT_NUMBER",
            Self::BankAccountName => "BANK_ACCOUNT_NAME",
            Self::NotActive => "ENTITY_NOT_ACTIVE",
            Self::BarInPast => "BAR_IN_PAST",
            Self::NotRestricted => "ENTITY_NOT_RESTRICTED",
            Self::CertificateWrongEntity => "CERT_WRONG_ENTITY",
            Self::CertificateAlreadyBound => "CERT_ALREADY_BOUND",
            Self::CertificateNotFound => "CERT_NOT_FOUND",
            Self::CertificateRevoked => "CERT_REVOKED",
            Self::DrawShort { .. } => "DRAW_POOL_SHORT",
        }
    }

    /// Every code this enum can produce, for the error table's completeness test.
    pub const ALL_CODES: &'static [&'static str] = &[
        "USCC_LENGTH",
        "USCC_CHARSET",
        "USCC_CHECK_CHAR",
        "ID_NUMBER_LENGTH",
        "ID_NUMBER_FORMAT",
        "ID_NUMBER_BIRTH_DATE",
        "ID_NUMBER_CHECK_DIGIT",
        "REGION_CODE",
        "FIELD_REQUIRED",
        "FIELD_TOO_LONG",
        "USERNAME_FORMAT",
        "DUPLICATE_REGISTRATION",
        "USERNAME_TAKEN",
        "ENTITY_NOT_FOUND",
        "ACCOUNT_NOT_FOUND",
        "REGISTRATION_NOT_PENDING",
        "REASON_REQUIRED",
        "ROLE_NOT_SELF_SERVICE",
        "NO_ROLE",
        "ACCOUNT_DISABLED",
        "INVALID_DATE",
        "DATA_FILE_INVALID",
        "RULE_SET_INVALID",
        "NO_RULES_IN_FORCE",
        "RULE_MISSING",
        "CATALOG_INVALID",
        "CATEGORY_NOT_IN_CATALOG",
        "METHOD_NOT_ALLOWED_BY_CATALOG",
        "NOTHING_CHANGED",
        "BANK_ACCOUNT_NUMBER",
        "BANK_ACCOUNT_NAME",
        "ENTITY_NOT_ACTIVE",
        "BAR_IN_PAST",
        "ENTITY_NOT_RESTRICTED",
        "CERT_WRONG_ENTITY",
        "CERT_ALREADY_BOUND",
        "CERT_NOT_FOUND",
        "CERT_REVOKED",
        "DRAW_POOL_SHORT",
    ];
}
