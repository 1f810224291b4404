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
    #[error("居民身份证号码的前两位不是有效的省级行政区划代码")]
    IdNumberRegion,
    #[error("居民身份证号码校验位错误")]
    IdNumberCheckDigit,
    #[error("行政区划代码应为6位数字")]
    RegionCode,
    #[error("{field}不能为空")]
    Required { field: &'static str },
    #[error("{field}过长（最多{max}个字符）")]
    TooLong { field: &'static str, max: usize },
    #[error("{field}含有不可见的控制字符，请删除后重新输入")]
    ControlCharacter { field: &'static str },
    #[error("{field}超出范围（应大于零且不超过10万亿元）")]
    AmountRange { field: &'static str },
    #[error("用户名只能包含小写字母、数字、下划线和连字符，长度3到32")]
    UsernameFormat,
    #[error("该市场主体已登记")]
    DuplicateRegistration,
    #[error("控股股东或实际控制人应为有效的统一社会信用代码或居民身份证号码，且不能是本主体")]
    ControllerCode,
    #[error("该用户名已被使用")]
    UsernameTaken,
    #[error("市场主体不存在")]
    EntityNotFound,
    #[error("账号不存在")]
    AccountNotFound,
    #[error("该登记申请不在待审核状态")]
    NotPending,
    #[error("只有已通过审核、在本节点登记的法人或其他组织可以共享至全省")]
    NotShareable,
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
    #[error("本平台的电子招标采购流程不适用于规则类别 {category} 的{method}方式")]
    TenderMethodUnsupported { category: String, method: String },
    #[error("标段（包）最多{max}个")]
    TooManyLots { max: usize },
    #[error("第{lot}标段（包）的最高投标限价（预算金额）应大于零且不超过10万亿元")]
    LotBudget { lot: u32 },
    #[error("受邀请的投标人重复")]
    InviteeRepeated,
    #[error("只有邀请招标才能指定受邀请的投标人")]
    InviteesNotInvited,
    #[error("代理机构不能是招标人本身")]
    AgencyIsTenderee,
    #[error("项目代码应为6到40位字母、数字或连字符")]
    ProjectCode,
    #[error("该项目已存在")]
    ProcedureExists,
    #[error("项目不存在")]
    ProcedureNotFound,
    #[error("项目已终止")]
    ProcedureTerminated,
    #[error("项目已发布，不能再作为草稿修改或发布")]
    ProcedureNotDraft,
    #[error("邀请招标应邀请{needed}个以上的特定法人或其他组织（现为{invited}个）")]
    TooFewInvitees { needed: u32, invited: u32 },
    #[error("投标截止时间过早：自招标文件开始发出之日起{rule}，最早为{earliest}")]
    DeadlineTooEarly { earliest: String, rule: String },
    #[error("项目尚未发布")]
    ProcedureNotPublished,
    #[error("投标已截止，不能再澄清或修改招标文件")]
    BiddingClosed,
    #[error("投标截止时间只能推迟，不能提前")]
    DeadlineAdvanced,
    #[error("标段（包）不存在")]
    LotNotFound,
    #[error("投标尚未截止，不能开标")]
    BiddingOpen,
    #[error("该标段（包）不在投标阶段")]
    LotNotBidding,
    #[error("该标段（包）不在开标阶段")]
    LotNotOpening,
    #[error("您不是该开标密钥的持有人")]
    NotKeyHolder,
    #[error("该持有人的解密份额已提交")]
    PartialAlreadyIn,
    #[error("解密份额应覆盖本标段（包）的全部投标文件，且顺序一致")]
    PartialsIncomplete,
    #[error("解密份额不足：需要{needed}份，现有{have}份")]
    PartialsShort { needed: u32, have: u32 },
    #[error("开标记录与开标时封存的投标文件不一致")]
    OpeningRecordMismatch,
    #[error("该标段（包）已结束或已暂停")]
    LotNotSuspendable,
    #[error("该标段（包）未暂停")]
    LotNotSuspended,
    #[error("项目各标段（包）均已结束")]
    ProcedureFinished,
    #[error("已过投标截止时间，投标文件不予接收")]
    BidTooLate,
    #[error("已报名该标段（包）")]
    AlreadyRegisteredForLot,
    #[error("本项目为邀请招标，您不在受邀请之列")]
    NotInvited,
    #[error("尚未报名该标段（包）")]
    NotRegisteredForLot,
    #[error("该投标文件已递交，与现有的相同")]
    EnvelopeUnchanged,
    #[error("没有可撤回的投标文件")]
    NothingToWithdraw,
    #[error("该密钥仪式已存在")]
    CeremonyExists,
    #[error("密钥仪式编号应为1到32位字母、数字、连字符或下划线")]
    CeremonyId,
    #[error("持有人应为2到{max}个、编号1..n且账号不重复，门限应在2与持有人数之间")]
    CeremonyShape { max: u32 },
    #[error("密钥仪式不存在")]
    CeremonyNotFound,
    #[error("密钥仪式当前阶段（{status}）不接受该操作")]
    CeremonyStep { status: String },
    #[error("该持有人已完成这一步")]
    CeremonyAlreadyDone,
    #[error("密钥仪式消息不完整：承诺数应等于门限，份额应发给其他每一位持有人")]
    CeremonyMessage,
    #[error("该专家已在库中")]
    ExpertExists,
    #[error("专家不存在")]
    ExpertNotFound,
    #[error("该专家已退出专家库")]
    ExpertRetired,
    #[error("该专家不在在库状态")]
    ExpertNotActive,
    #[error("该专家未被暂停")]
    ExpertNotSuspended,
    #[error("请假时段无效：结束日期不得早于开始日期或今天")]
    LeaveDates,
    #[error("公告模板 {template}：{reason}")]
    TemplateInvalid { template: String, reason: String },
    #[error("该竞价项目已存在")]
    AuctionExists,
    #[error("竞价规则无效：起始价、加价幅度和时间须合理设置")]
    AuctionTerms,
    #[error("竞价项目不存在")]
    AuctionNotFound,
    #[error("竞价已结束")]
    AuctionClosed,
    #[error("该竞买号已登记")]
    AuctionAlreadyRegistered,
    #[error("未办理竞买登记")]
    AuctionNotRegistered,
    #[error("竞买保证金已确认")]
    AuctionDepositConfirmed,
    #[error("竞买保证金尚未到账，不能报价")]
    AuctionDepositMissing,
    #[error("竞买保证金不足：应不少于 {required} 元")]
    AuctionDepositShort { required: String },
    #[error("竞价尚未开始")]
    AuctionNotStarted,
    #[error("竞价时间已过，报价无效")]
    AuctionTooLate,
    #[error("只有挂牌期内报过价的竞买人可以参加限时竞价")]
    AuctionNotEligible,
    #[error("您已是当前最高报价人，不能再次加价")]
    AuctionNotYourTurn,
    #[error("竞价尚未结束")]
    AuctionStillOpen,
    #[error("报价过低：本次报价不得低于 {minimum} 元")]
    AuctionTooLow { minimum: String },
    #[error("报价应大于零且不超过 {max} 元，数量不超过十亿")]
    AuctionPriceRange { max: String },
    #[error("本竞价为密封报价，请递交密封报价文件")]
    AuctionSealedOnly,
    #[error("本竞价不是密封报价")]
    AuctionNotSealed,
    #[error("密封报价开启的步骤不符（尚未截止、已开启、份额重复或与递交的报价不一致）")]
    AuctionOpeningStep,
    #[error("密封报价尚未开启，不能结束竞价")]
    AuctionNotOpened,
    #[error("修改出价阶段只能修改已有的报价，不能新报价")]
    AuctionModifyOnly,
    #[error("修改出价应在警示价上下浮动范围内：{low} 元至 {high} 元")]
    AuctionOutOfBand { low: String, high: String },
    #[error("申购数量应在 {min} 到 {max} 之间")]
    AuctionQuantity { min: u64, max: u64 },
    #[error("第{lot}标段（包）的投标保证金应大于零且不超过 {max} 元（规则集上限）")]
    BondOverCap { lot: u32, max: String },
    #[error("已登记投标保证金")]
    BondExists,
    #[error("投标保证金不足：应不少于 {required} 元")]
    BondTooSmall { required: String },
    #[error("投标保证金不存在")]
    BondNotFound,
    #[error("投标保证金当前状态不能进行该操作")]
    BondStep,
    #[error("本标段（包）要求提交投标保证金：请先缴纳或提交电子保函，经确认后再递交投标文件")]
    BondRequired,
    #[error("标段（包）当前状态（{status}）不能{step}")]
    AwardStep {
        step: &'static str,
        status: &'static str,
    },
    #[error("评标报告没有中标候选人")]
    NoCandidates,
    #[error("{reason}")]
    ObjectionOutOfTime { reason: String },
    #[error("行政监督部门清单有误（{department}）：{reason}")]
    SupervisionInvalid { department: String, reason: String },
    #[error("案件不存在")]
    CaseNotFound,
    #[error("案件已存在")]
    CaseExists,
    #[error("案件当前状态为“{status}”，不能{step}")]
    CaseStep {
        step: &'static str,
        status: &'static str,
    },
    #[error("已超过期限，最后一日为{last}")]
    CaseLate { last: String },
    #[error(
        "投诉人不是该项目的投标人、供应商或者其他利害关系人，不具备投诉资格（招标投标法实施条例 第60条；财政部令第94号 第11条）"
    )]
    CaseNoStanding,
    #[error("投诉前须先就{subject}向招标人（采购人、代理机构）提出{step}（{basis}），尚未提出")]
    CaseObjectionFirst {
        subject: &'static str,
        step: &'static str,
        basis: &'static str,
    },
    #[error("异议（质疑）的答复期限尚未届满（至{due}），答复或者期满后方可投诉")]
    CaseObjectionPending { due: String },
    #[error("补正通知只能发出一次（财政部令第94号 第11条）")]
    CaseMaterialOnce,
    #[error("期限应晚于今天")]
    CaseDueDate,
    #[error("{reason}")]
    CaseDepartment { reason: String },
    #[error("调取材料的请求不存在")]
    CaseRequestNotFound,
    #[error("该请求已答复")]
    CaseRequestAnswered,
    #[error("处理期限已中止计时")]
    CaseClockPaused,
    #[error("处理期限没有中止计时")]
    CaseClockRunning,
    #[error("{reason}")]
    CasePenalty { reason: String },
    #[error("“{kind}”不适用于{case}案件")]
    CaseDecisionKind {
        kind: &'static str,
        case: &'static str,
    },

    #[error("异议不存在")]
    ObjectionNotFound,
    #[error("该异议已答复")]
    ObjectionAnswered,
    #[error("尚有未答复的异议，答复前不能确定中标人")]
    ObjectionOpen,
    #[error("中标候选人公示期至 {until} 结束，公示期满后方可确定中标人")]
    PublicityRunning { until: String },
    #[error("中标人应为公示的中标候选人之一")]
    NotACandidate,
    #[error("评审内容已有变化（其他专家刚刚保存），请刷新后重试")]
    EvaluationChanged,
    #[error("该标段（包）已开始评标")]
    EvaluationExists,
    #[error("该标段（包）尚未开始评标")]
    EvaluationNotFound,
    #[error("评审已汇总或评标报告已签字，评分不能再修改")]
    EvaluationLocked,
    #[error("评审尚未汇总，评标报告不能签字")]
    EvaluationNotConcluded,
    #[error("该专家已签署评标报告")]
    AlreadySigned,
    #[error("评标尚不能开始：{reason}")]
    EvaluationNotReady { reason: String },
    #[error("评审表中有本次评标没有的内容：{what}")]
    SheetUnknown { what: String },
    #[error("评审尚未完成（{count}项），例如：{first}")]
    EvaluationIncomplete { count: usize, first: String },
    #[error("第{lot}标段（包）的评标办法有误：{reason}")]
    EvaluationTerms { lot: u32, reason: String },
    #[error("该专家已关联平台账号")]
    ExpertAccountLinked,
    #[error("评分应为0到100的整数")]
    RatingScore,
    #[error("已对该专家在本次评标中的表现作过评价")]
    AlreadyRated,
    #[error("该抽取已组成评标委员会")]
    PanelExists,
    #[error("评标委员会不存在")]
    PanelNotFound,
    #[error("评标委员会名单已公布，不能再变更")]
    PanelClosed,
    #[error("该专家不在本评标委员会的席位上")]
    NotOnPanel,
    #[error("该专家已确认或已被替换，不在待确认状态")]
    SeatNotInvited,
    #[error("须先确认参加评标，才能签署回避承诺")]
    SeatNotConfirmed,
    #[error("该专家已签署回避承诺")]
    SeatAlreadyDeclared,
    #[error("评标室编号应为2到32位字母、数字、连字符或下划线")]
    RoomCode,
    #[error("评标室容纳人数应在1到500之间")]
    RoomCapacityRange,
    #[error("该评标室编号已存在")]
    RoomExists,
    #[error("评标室不存在")]
    RoomNotFound,
    #[error("预约时段无效：结束应晚于开始，开始不得早于现在，且不超过72小时")]
    BookingTimes,
    #[error("该评标室未开放共享，只能用于本市的项目")]
    RoomNotShared,
    #[error("预约不存在、已取消或已结束")]
    BookingNotFound,
    #[error("确认期限未到（{}），不能按未确认处理", crate::format_beijing_ms(*due_ms))]
    ConfirmWindowOpen { due_ms: i64 },
    #[error("评标室容纳{capacity}人，不足")]
    RoomTooSmall { capacity: u32 },
    #[error("信用评价标准有误（{item}）：{reason}")]
    CreditStandardInvalid { item: String, reason: String },
    #[error("预警规则有误（{item}）：{reason}")]
    WarningRulesInvalid { item: String, reason: String },
    #[error("该预警线索已存在")]
    WarningExists,
    #[error("预警线索不存在")]
    WarningNotFound,
    #[error("该预警线索{status}，不能再处理")]
    WarningHandled { status: &'static str },
    #[error("信用事项 {fact} 不在信用评价标准中，或不适用于该主体")]
    CreditFactUnknown { fact: String },
    #[error("信用记录的截止日期早于其日期")]
    CreditDates,
    #[error("信用记录不存在")]
    CreditRecordNotFound,
    #[error("信用记录当前为“{status}”，不能{step}")]
    CreditStep { step: &'static str, status: String },
    #[error("{}", match from { Some(day) => format!("该信用记录自 {day} 起方可申请信用修复"), None => "该类信用记录不适用平台信用修复，只能由其来源撤销".to_string() })]
    CreditNotRepairable { from: Option<crate::Date> },
    #[error("信用惩戒（{gate}）：{measure}。原因：{because}；依据：{basis}")]
    CreditRefused {
        gate: &'static str,
        measure: String,
        because: String,
        basis: String,
    },
    #[error("名单有 {} 行有误：{}", rows.len(), rows.iter().map(|(line, reason)| format!("第{line}行：{reason}")).collect::<Vec<_>>().join("；"))]
    ListRows { rows: Vec<(usize, String)> },
    #[error("只有中标人本单位可以放弃中标")]
    NotTheWinner,
    #[error("该竞买人的悔拍已经记录")]
    SaleDefaultRecorded,
    #[error("只有已成交竞价的竞得人才会悔拍")]
    SaleDefaultNotBuyer,
    #[error("签订合同的期限未过（{until}），不能记录逾期未签订")]
    SigningPeriodRunning { until: String },
    #[error("名单截止时间应晚于上次导入的截止时间（{}）", crate::format_beijing_ms(*cutoff_ms))]
    ListStale { cutoff_ms: i64 },
    #[error("名单截止时间应为已经过去的时间")]
    ListCutoff,
    #[error("该行没有待确认的匹配，或所选主体不是其候选")]
    ListMatch,
    #[error("没有这类外部信用名单")]
    ListUnknown,
    #[error("该评标室在 {} 至 {} 已被标段 {lot} 预约", crate::format_beijing_ms(*from_ms), crate::format_beijing_ms(*to_ms))]
    RoomDoubleBooked {
        lot: String,
        from_ms: i64,
        to_ms: i64,
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
            Self::IdNumberRegion => "ID_NUMBER_REGION",
            Self::IdNumberCheckDigit => "ID_NUMBER_CHECK_DIGIT",
            Self::RegionCode => "REGION_CODE",
            Self::Required { .. } => "FIELD_REQUIRED",
            Self::TooLong { .. } => "FIELD_TOO_LONG",
            Self::ControlCharacter { .. } => "CONTROL_CHARACTER",
            Self::AmountRange { .. } => "AMOUNT_RANGE",
            Self::UsernameFormat => "USERNAME_FORMAT",
            Self::DuplicateRegistration => "DUPLICATE_REGISTRATION",
            Self::ControllerCode => "CONTROLLER_CODE",
            Self::UsernameTaken => "USERNAME_TAKEN",
            Self::EntityNotFound => "ENTITY_NOT_FOUND",
            Self::AccountNotFound => "ACCOUNT_NOT_FOUND",
            Self::NotPending => "REGISTRATION_NOT_PENDING",
            Self::NotShareable => "ENTITY_NOT_SHAREABLE",
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
            Self::TenderMethodUnsupported { .. } => "TENDER_METHOD_UNSUPPORTED",
            Self::TooManyLots { .. } => "TOO_MANY_LOTS",
            Self::LotBudget { .. } => "LOT_BUDGET",
            Self::InviteeRepeated => "INVITEE_REPEATED",
            Self::InviteesNotInvited => "INVITEES_ONLY_FOR_INVITED_TENDER",
            Self::AgencyIsTenderee => "AGENCY_IS_TENDEREE",
            Self::ProjectCode => "PROJECT_CODE",
            Self::ProcedureExists => "PROCEDURE_EXISTS",
            Self::ProcedureNotFound => "PROCEDURE_NOT_FOUND",
            Self::ProcedureTerminated => "PROCEDURE_TERMINATED",
            Self::ProcedureNotDraft => "PROCEDURE_NOT_DRAFT",
            Self::TooFewInvitees { .. } => "TOO_FEW_INVITEES",
            Self::DeadlineTooEarly { .. } => "DEADLINE_TOO_EARLY",
            Self::ProcedureNotPublished => "PROCEDURE_NOT_PUBLISHED",
            Self::BiddingClosed => "BIDDING_CLOSED",
            Self::DeadlineAdvanced => "DEADLINE_ADVANCED",
            Self::LotNotFound => "LOT_NOT_FOUND",
            Self::BiddingOpen => "BIDDING_STILL_OPEN",
            Self::LotNotBidding => "LOT_NOT_BIDDING",
            Self::LotNotOpening => "LOT_NOT_OPENING",
            Self::NotKeyHolder => "NOT_KEY_HOLDER",
            Self::PartialAlreadyIn => "PARTIAL_ALREADY_IN",
            Self::PartialsIncomplete => "PARTIALS_INCOMPLETE",
            Self::PartialsShort { .. } => "PARTIALS_SHORT",
            Self::OpeningRecordMismatch => "OPENING_RECORD_MISMATCH",
            Self::LotNotSuspendable => "LOT_NOT_SUSPENDABLE",
            Self::LotNotSuspended => "LOT_NOT_SUSPENDED",
            Self::ProcedureFinished => "PROCEDURE_FINISHED",
            Self::BidTooLate => "BID_TOO_LATE",
            Self::AlreadyRegisteredForLot => "ALREADY_REGISTERED_FOR_LOT",
            Self::NotInvited => "NOT_INVITED",
            Self::NotRegisteredForLot => "NOT_REGISTERED_FOR_LOT",
            Self::EnvelopeUnchanged => "ENVELOPE_UNCHANGED",
            Self::NothingToWithdraw => "NOTHING_TO_WITHDRAW",
            Self::CeremonyExists => "CEREMONY_EXISTS",
            Self::CeremonyId => "CEREMONY_ID",
            Self::CeremonyShape { .. } => "CEREMONY_SHAPE",
            Self::CeremonyNotFound => "CEREMONY_NOT_FOUND",
            Self::CeremonyStep { .. } => "CEREMONY_STEP",
            Self::CeremonyAlreadyDone => "CEREMONY_ALREADY_DONE",
            Self::CeremonyMessage => "CEREMONY_MESSAGE",
            Self::TemplateInvalid { .. } => "TEMPLATE_INVALID",
            Self::ExpertExists => "EXPERT_EXISTS",
            Self::ExpertNotFound => "EXPERT_NOT_FOUND",
            Self::ExpertRetired => "EXPERT_RETIRED",
            Self::ExpertNotActive => "EXPERT_NOT_ACTIVE",
            Self::ExpertNotSuspended => "EXPERT_NOT_SUSPENDED",
            Self::LeaveDates => "LEAVE_DATES",
            Self::AuctionExists => "AUCTION_EXISTS",
            Self::AuctionTerms => "AUCTION_TERMS",
            Self::AuctionNotFound => "AUCTION_NOT_FOUND",
            Self::AuctionClosed => "AUCTION_CLOSED",
            Self::AuctionAlreadyRegistered => "AUCTION_ALREADY_REGISTERED",
            Self::AuctionNotRegistered => "AUCTION_NOT_REGISTERED",
            Self::AuctionDepositConfirmed => "AUCTION_DEPOSIT_CONFIRMED",
            Self::AuctionDepositMissing => "AUCTION_DEPOSIT_MISSING",
            Self::AuctionDepositShort { .. } => "AUCTION_DEPOSIT_SHORT",
            Self::AuctionModifyOnly => "AUCTION_MODIFY_ONLY",
            Self::AuctionSealedOnly => "AUCTION_SEALED_ONLY",
            Self::AuctionNotSealed => "AUCTION_NOT_SEALED",
            Self::AuctionOpeningStep => "AUCTION_OPENING_STEP",
            Self::AuctionNotOpened => "AUCTION_NOT_OPENED",
            Self::AuctionPriceRange { .. } => "AUCTION_PRICE_RANGE",
            Self::AuctionOutOfBand { .. } => "AUCTION_OUT_OF_BAND",
            Self::AuctionNotStarted => "AUCTION_NOT_STARTED",
            Self::AuctionTooLate => "AUCTION_TOO_LATE",
            Self::AuctionNotEligible => "AUCTION_NOT_ELIGIBLE",
            Self::AuctionNotYourTurn => "AUCTION_NOT_YOUR_TURN",
            Self::AuctionStillOpen => "AUCTION_STILL_OPEN",
            Self::AuctionTooLow { .. } => "AUCTION_TOO_LOW",
            Self::AuctionQuantity { .. } => "AUCTION_QUANTITY",
            Self::BondOverCap { .. } => "BOND_OVER_CAP",
            Self::BondExists => "BOND_EXISTS",
            Self::BondTooSmall { .. } => "BOND_TOO_SMALL",
            Self::BondNotFound => "BOND_NOT_FOUND",
            Self::BondStep => "BOND_STEP",
            Self::BondRequired => "BOND_REQUIRED",
            Self::AwardStep { .. } => "AWARD_STEP",
            Self::NoCandidates => "NO_CANDIDATES",
            Self::ObjectionOutOfTime { .. } => "OBJECTION_OUT_OF_TIME",
            Self::SupervisionInvalid { .. } => "SUPERVISION_INVALID",
            Self::CaseNotFound => "CASE_NOT_FOUND",
            Self::CaseExists => "CASE_EXISTS",
            Self::CaseStep { .. } => "CASE_STEP",
            Self::CaseLate { .. } => "CASE_LATE",
            Self::CaseNoStanding => "CASE_NO_STANDING",
            Self::CaseObjectionFirst { .. } => "CASE_OBJECTION_FIRST",
            Self::CaseObjectionPending { .. } => "CASE_OBJECTION_PENDING",
            Self::CaseMaterialOnce => "CASE_MATERIAL_ONCE",
            Self::CaseDueDate => "CASE_DUE_DATE",
            Self::CaseDepartment { .. } => "CASE_DEPARTMENT",
            Self::CaseRequestNotFound => "CASE_REQUEST_NOT_FOUND",
            Self::CaseRequestAnswered => "CASE_REQUEST_ANSWERED",
            Self::CaseClockPaused => "CASE_CLOCK_PAUSED",
            Self::CaseClockRunning => "CASE_CLOCK_RUNNING",
            Self::CasePenalty { .. } => "CASE_PENALTY",
            Self::CaseDecisionKind { .. } => "CASE_DECISION_KIND",
            Self::ObjectionNotFound => "OBJECTION_NOT_FOUND",
            Self::ObjectionAnswered => "OBJECTION_ANSWERED",
            Self::ObjectionOpen => "OBJECTION_OPEN",
            Self::PublicityRunning { .. } => "PUBLICITY_RUNNING",
            Self::NotACandidate => "NOT_A_CANDIDATE",
            Self::EvaluationChanged => "EVALUATION_CHANGED",
            Self::EvaluationExists => "EVALUATION_EXISTS",
            Self::EvaluationNotFound => "EVALUATION_NOT_FOUND",
            Self::EvaluationLocked => "EVALUATION_LOCKED",
            Self::EvaluationNotConcluded => "EVALUATION_NOT_CONCLUDED",
            Self::AlreadySigned => "ALREADY_SIGNED",
            Self::EvaluationNotReady { .. } => "EVALUATION_NOT_READY",
            Self::SheetUnknown { .. } => "SHEET_UNKNOWN",
            Self::EvaluationIncomplete { .. } => "EVALUATION_INCOMPLETE",
            Self::EvaluationTerms { .. } => "EVALUATION_TERMS",
            Self::ExpertAccountLinked => "EXPERT_ACCOUNT_LINKED",
            Self::RatingScore => "RATING_SCORE",
            Self::AlreadyRated => "ALREADY_RATED",
            Self::PanelExists => "PANEL_EXISTS",
            Self::PanelNotFound => "PANEL_NOT_FOUND",
            Self::PanelClosed => "PANEL_CLOSED",
            Self::NotOnPanel => "NOT_ON_PANEL",
            Self::SeatNotInvited => "SEAT_NOT_INVITED",
            Self::SeatNotConfirmed => "SEAT_NOT_CONFIRMED",
            Self::SeatAlreadyDeclared => "SEAT_ALREADY_DECLARED",
            Self::RoomCode => "ROOM_CODE",
            Self::RoomCapacityRange => "ROOM_CAPACITY_RANGE",
            Self::RoomExists => "ROOM_EXISTS",
            Self::RoomNotFound => "ROOM_NOT_FOUND",
            Self::BookingTimes => "BOOKING_TIMES",
            Self::RoomNotShared => "ROOM_NOT_SHARED",
            Self::BookingNotFound => "BOOKING_NOT_FOUND",
            Self::ConfirmWindowOpen { .. } => "CONFIRM_WINDOW_OPEN",
            Self::RoomTooSmall { .. } => "ROOM_TOO_SMALL",
            Self::RoomDoubleBooked { .. } => "ROOM_DOUBLE_BOOKED",
            Self::CreditStandardInvalid { .. } => "CREDIT_STANDARD_INVALID",
            Self::WarningRulesInvalid { .. } => "WARNING_RULES_INVALID",
            Self::WarningExists => "WARNING_EXISTS",
            Self::WarningNotFound => "WARNING_NOT_FOUND",
            Self::WarningHandled { .. } => "WARNING_HANDLED",
            Self::CreditFactUnknown { .. } => "CREDIT_FACT_UNKNOWN",
            Self::CreditDates => "CREDIT_DATES",
            Self::CreditRecordNotFound => "CREDIT_RECORD_NOT_FOUND",
            Self::CreditStep { .. } => "CREDIT_STEP",
            Self::CreditNotRepairable { .. } => "CREDIT_NOT_REPAIRABLE",
            Self::CreditRefused { .. } => "CREDIT_REFUSED",
            Self::ListRows { .. } => "LIST_ROWS",
            Self::NotTheWinner => "NOT_THE_WINNER",
            Self::SaleDefaultRecorded => "SALE_DEFAULT_RECORDED",
            Self::SaleDefaultNotBuyer => "SALE_DEFAULT_NOT_BUYER",
            Self::SigningPeriodRunning { .. } => "SIGNING_PERIOD_RUNNING",
            Self::ListStale { .. } => "LIST_STALE",
            Self::ListCutoff => "LIST_CUTOFF",
            Self::ListMatch => "LIST_MATCH",
            Self::ListUnknown => "LIST_UNKNOWN",
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
        "ID_NUMBER_REGION",
        "ID_NUMBER_CHECK_DIGIT",
        "REGION_CODE",
        "FIELD_REQUIRED",
        "FIELD_TOO_LONG",
        "CONTROL_CHARACTER",
        "AMOUNT_RANGE",
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
        "TENDER_METHOD_UNSUPPORTED",
        "TOO_MANY_LOTS",
        "LOT_BUDGET",
        "INVITEE_REPEATED",
        "INVITEES_ONLY_FOR_INVITED_TENDER",
        "AGENCY_IS_TENDEREE",
        "PROJECT_CODE",
        "PROCEDURE_EXISTS",
        "PROCEDURE_NOT_FOUND",
        "PROCEDURE_TERMINATED",
        "PROCEDURE_NOT_DRAFT",
        "TOO_FEW_INVITEES",
        "DEADLINE_TOO_EARLY",
        "PROCEDURE_NOT_PUBLISHED",
        "BIDDING_CLOSED",
        "DEADLINE_ADVANCED",
        "LOT_NOT_FOUND",
        "BIDDING_STILL_OPEN",
        "LOT_NOT_BIDDING",
        "LOT_NOT_OPENING",
        "NOT_KEY_HOLDER",
        "PARTIAL_ALREADY_IN",
        "PARTIALS_INCOMPLETE",
        "PARTIALS_SHORT",
        "OPENING_RECORD_MISMATCH",
        "LOT_NOT_SUSPENDABLE",
        "LOT_NOT_SUSPENDED",
        "PROCEDURE_FINISHED",
        "BID_TOO_LATE",
        "ALREADY_REGISTERED_FOR_LOT",
        "NOT_INVITED",
        "NOT_REGISTERED_FOR_LOT",
        "ENVELOPE_UNCHANGED",
        "NOTHING_TO_WITHDRAW",
        "CEREMONY_EXISTS",
        "CEREMONY_ID",
        "CEREMONY_SHAPE",
        "CEREMONY_NOT_FOUND",
        "CEREMONY_STEP",
        "CEREMONY_ALREADY_DONE",
        "CEREMONY_MESSAGE",
        "TEMPLATE_INVALID",
        "EXPERT_EXISTS",
        "EXPERT_NOT_FOUND",
        "EXPERT_RETIRED",
        "EXPERT_NOT_ACTIVE",
        "EXPERT_NOT_SUSPENDED",
        "LEAVE_DATES",
        "AUCTION_EXISTS",
        "AUCTION_TERMS",
        "AUCTION_NOT_FOUND",
        "AUCTION_CLOSED",
        "AUCTION_ALREADY_REGISTERED",
        "AUCTION_NOT_REGISTERED",
        "AUCTION_DEPOSIT_CONFIRMED",
        "AUCTION_DEPOSIT_MISSING",
        "AUCTION_DEPOSIT_SHORT",
        "AUCTION_MODIFY_ONLY",
        "AUCTION_SEALED_ONLY",
        "AUCTION_NOT_SEALED",
        "AUCTION_OPENING_STEP",
        "AUCTION_NOT_OPENED",
        "AUCTION_PRICE_RANGE",
        "AUCTION_OUT_OF_BAND",
        "AUCTION_NOT_STARTED",
        "AUCTION_TOO_LATE",
        "AUCTION_NOT_ELIGIBLE",
        "AUCTION_NOT_YOUR_TURN",
        "AUCTION_STILL_OPEN",
        "AUCTION_TOO_LOW",
        "AUCTION_QUANTITY",
        "BOND_OVER_CAP",
        "BOND_EXISTS",
        "BOND_TOO_SMALL",
        "BOND_NOT_FOUND",
        "BOND_STEP",
        "BOND_REQUIRED",
        "AWARD_STEP",
        "NO_CANDIDATES",
        "OBJECTION_OUT_OF_TIME",
        "OBJECTION_NOT_FOUND",
        "OBJECTION_ANSWERED",
        "OBJECTION_OPEN",
        "PUBLICITY_RUNNING",
        "NOT_A_CANDIDATE",
        "EVALUATION_CHANGED",
        "EVALUATION_EXISTS",
        "EVALUATION_NOT_FOUND",
        "EVALUATION_LOCKED",
        "EVALUATION_NOT_CONCLUDED",
        "ALREADY_SIGNED",
        "EVALUATION_NOT_READY",
        "SHEET_UNKNOWN",
        "EVALUATION_INCOMPLETE",
        "EVALUATION_TERMS",
        "EXPERT_ACCOUNT_LINKED",
        "RATING_SCORE",
        "ALREADY_RATED",
        "PANEL_EXISTS",
        "PANEL_NOT_FOUND",
        "PANEL_CLOSED",
        "NOT_ON_PANEL",
        "SEAT_NOT_INVITED",
        "SEAT_NOT_CONFIRMED",
        "SEAT_ALREADY_DECLARED",
        "ROOM_CODE",
        "ROOM_CAPACITY_RANGE",
        "ROOM_EXISTS",
        "ROOM_NOT_FOUND",
        "BOOKING_TIMES",
        "ROOM_NOT_SHARED",
        "BOOKING_NOT_FOUND",
        "CONFIRM_WINDOW_OPEN",
        "ROOM_TOO_SMALL",
        "ROOM_DOUBLE_BOOKED",
    ];
}
