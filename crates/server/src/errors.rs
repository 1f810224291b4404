//! The one table of stable error codes: each code's HTTP status and its Chinese message.
//! `ApiError` is the only place that maps errors to HTTP.

use app::AppError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// (code, HTTP status, default Chinese message). Domain errors bring their own precise message;
/// the default is used when an error has none of its own.
pub const ERROR_TABLE: &[(&str, u16, &str)] = &[
    ("USCC_LENGTH", 422, "统一社会信用代码应为18位"),
    ("USCC_CHARSET", 422, "统一社会信用代码含有不允许的字符"),
    ("USCC_CHECK_CHAR", 422, "统一社会信用代码校验位错误"),
    ("ID_NUMBER_LENGTH", 422, "居民身份证号码应为18位"),
    ("ID_NUMBER_FORMAT", 422, "居民身份证号码格式错误"),
    (
        "ID_NUMBER_BIRTH_DATE",
        422,
        "居民身份证号码中的出生日期无效",
    ),
    ("ID_NUMBER_CHECK_DIGIT", 422, "居民身份证号码校验位错误"),
    (
        "ID_NUMBER_REGION",
        422,
        "居民身份证号码的前两位不是有效的省级行政区划代码",
    ),
    ("REGION_CODE", 422, "行政区划代码应为6位数字"),
    ("FIELD_REQUIRED", 422, "必填项不能为空"),
    ("FIELD_TOO_LONG", 422, "输入过长"),
    ("CONTROL_CHARACTER", 422, "输入含有不可见的控制字符"),
    (
        "AMOUNT_RANGE",
        422,
        "金额超出范围（应大于零且不超过10万亿元）",
    ),
    ("USERNAME_FORMAT", 422, "用户名格式不正确"),
    ("PASSWORD_WEAK", 422, "密码至少8位，且须同时包含字母和数字"),
    ("PASSWORD_COMMON", 422, "该密码过于常见，容易被猜中"),
    ("PASSWORD_HAS_USERNAME", 422, "密码不能包含用户名"),
    ("TOO_MANY_ATTEMPTS", 429, "尝试过于频繁，请稍后再试"),
    ("ENTITY_KIND", 422, "主体类型应为法人或其他组织，或自然人"),
    ("UNKNOWN_ROLE", 422, "未知角色"),
    ("TOKEN_NAME", 422, "令牌名称应为1到50个字符"),
    ("TOKEN_VALIDITY", 422, "令牌有效期应为1到366天"),
    ("TOKEN_FROM_TOKEN", 403, "API 令牌不能再签发令牌"),
    ("DUPLICATE_REGISTRATION", 409, "该市场主体已登记"),
    (
        "CONTROLLER_CODE",
        422,
        "控股股东或实际控制人应为有效的统一社会信用代码或居民身份证号码",
    ),
    ("USERNAME_TAKEN", 409, "该用户名已被使用"),
    ("ENTITY_NOT_FOUND", 404, "市场主体不存在"),
    ("ACCOUNT_NOT_FOUND", 404, "账号不存在"),
    ("ACCOUNT_CLAIM_INVALID", 422, "账号认领无效"),
    ("REGISTRATION_NOT_PENDING", 409, "该登记申请不在待审核状态"),
    (
        "ENTITY_NOT_SHAREABLE",
        409,
        "只有已通过审核、在本节点登记的法人或其他组织可以共享至全省",
    ),
    ("REASON_REQUIRED", 422, "驳回时必须说明理由"),
    (
        "ROLE_NOT_SELF_SERVICE",
        422,
        "市场主体只能申请交易参与方角色",
    ),
    ("NO_ROLE", 422, "至少选择一个角色"),
    ("ACCOUNT_DISABLED", 403, "账号已停用"),
    (
        "ENTITY_NOT_ACTIVE",
        403,
        "市场主体不在可交易状态（未通过审核、暂停交易或被禁止参加交易）",
    ),
    ("INVALID_DATE", 422, "日期无效"),
    ("SEARCH_FILTER_INVALID", 422, "检索条件有误"),
    ("CURSOR_INVALID", 422, "分页参数无效"),
    ("DATA_FILE_INVALID", 422, "数据文件有误"),
    ("RULE_SET_INVALID", 422, "规则集有误"),
    ("NO_RULES_IN_FORCE", 422, "该日期没有有效的规则集"),
    ("RULE_MISSING", 500, "规则集缺少所需的规则"),
    ("CATALOG_INVALID", 422, "交易目录有误"),
    ("DRAW_POOL_SHORT", 422, "专家库中符合条件的专家不足"),
    (
        "TENDER_METHOD_UNSUPPORTED",
        422,
        "本平台的电子招标采购流程不适用于该交易方式",
    ),
    ("TOO_MANY_LOTS", 422, "标段（包）过多"),
    ("LOT_BUDGET", 422, "最高投标限价（预算金额）应大于零"),
    ("INVITEE_REPEATED", 422, "受邀请的投标人重复"),
    (
        "INVITEES_ONLY_FOR_INVITED_TENDER",
        422,
        "只有邀请招标才能指定受邀请的投标人",
    ),
    ("AGENCY_IS_TENDEREE", 422, "代理机构不能是招标人本身"),
    ("PROJECT_CODE", 422, "项目代码格式不正确"),
    ("PROCEDURE_EXISTS", 409, "该项目已存在"),
    ("PROCEDURE_NOT_FOUND", 404, "项目不存在"),
    ("PROCEDURE_TERMINATED", 409, "项目已终止"),
    (
        "PROCEDURE_NOT_DRAFT",
        409,
        "项目已发布，不能再作为草稿修改或发布",
    ),
    ("TOO_FEW_INVITEES", 422, "邀请招标的受邀请投标人不足"),
    ("DEADLINE_TOO_EARLY", 422, "投标截止时间过早"),
    ("PROCEDURE_NOT_PUBLISHED", 409, "项目尚未发布"),
    ("BIDDING_CLOSED", 409, "投标已截止"),
    ("DEADLINE_ADVANCED", 422, "投标截止时间只能推迟，不能提前"),
    ("LOT_NOT_FOUND", 404, "标段（包）不存在"),
    ("BIDDING_STILL_OPEN", 409, "投标尚未截止，不能开标"),
    ("LOT_NOT_BIDDING", 409, "该标段（包）不在投标阶段"),
    ("LOT_NOT_OPENING", 409, "该标段（包）不在开标阶段"),
    ("NOT_KEY_HOLDER", 403, "您不是该开标密钥的持有人"),
    ("PARTIAL_ALREADY_IN", 409, "该持有人的解密份额已提交"),
    (
        "PARTIALS_INCOMPLETE",
        422,
        "解密份额应覆盖本标段（包）的全部投标文件",
    ),
    ("PARTIALS_SHORT", 409, "解密份额不足"),
    (
        "OPENING_RECORD_MISMATCH",
        409,
        "开标记录与开标时封存的投标文件不一致",
    ),
    ("LOT_NOT_SUSPENDABLE", 409, "该标段（包）已结束或已暂停"),
    ("LOT_NOT_SUSPENDED", 409, "该标段（包）未暂停"),
    ("PROCEDURE_FINISHED", 409, "项目各标段（包）均已结束"),
    ("BID_TOO_LATE", 409, "已过投标截止时间，投标文件不予接收"),
    ("ALREADY_REGISTERED_FOR_LOT", 409, "已报名该标段（包）"),
    ("NOT_INVITED", 403, "本项目为邀请招标，您不在受邀请之列"),
    ("NOT_REGISTERED_FOR_LOT", 409, "尚未报名该标段（包）"),
    ("ENVELOPE_UNCHANGED", 409, "该投标文件已递交，与现有的相同"),
    ("NOTHING_TO_WITHDRAW", 409, "没有可撤回的投标文件"),
    ("CEREMONY_EXISTS", 409, "该密钥仪式已存在"),
    ("CEREMONY_ID", 422, "密钥仪式编号格式不正确"),
    ("CEREMONY_SHAPE", 422, "密钥仪式的持有人或门限设置不正确"),
    ("CEREMONY_NOT_FOUND", 404, "密钥仪式不存在"),
    ("CEREMONY_STEP", 409, "密钥仪式当前阶段不接受该操作"),
    ("CEREMONY_ALREADY_DONE", 409, "该持有人已完成这一步"),
    ("CEREMONY_MESSAGE", 422, "密钥仪式消息不完整"),
    ("TEMPLATE_INVALID", 422, "公告模板有误"),
    ("ENVELOPE_INVALID", 422, "投标文件不是有效的密封投标文件"),
    ("ENVELOPE_TOO_LARGE", 413, "投标文件过大"),
    ("HOLDER_REFUSED", 422, "密钥持有人工具拒绝解密"),
    ("CEREMONY_MESSAGE_INVALID", 422, "密钥仪式消息无效"),
    ("SEAT_LABEL", 422, "持有人名称应为1到50个字符"),
    (
        "DATETIME_FORMAT",
        422,
        "时间格式应为 YYYY-MM-DD HH:MM（北京时间）",
    ),
    ("METHOD_UNKNOWN", 422, "未知的交易方式"),
    (
        "TENDEREE_NOT_QUALIFIED",
        422,
        "招标人应为已通过审核、具有招标人角色的市场主体",
    ),
    (
        "INVITEE_NOT_BIDDER",
        422,
        "受邀请的单位不是已通过审核的投标人",
    ),
    ("DOCUMENT_INVALID", 422, "文件无效"),
    ("NO_OPENING_KEY", 409, "尚无可用的开标密钥"),
    ("DRAW_NEEDS", 422, "应至少抽取一个类别、每类至少一人"),
    ("EXPERT_CATEGORY_UNKNOWN", 422, "专业类别不在分类中"),
    ("EXPERT_EXISTS", 409, "该专家已在库中"),
    ("EXPERT_NOT_FOUND", 404, "专家不存在"),
    ("EXPERT_RETIRED", 409, "该专家已退出专家库"),
    ("EXPERT_NOT_ACTIVE", 409, "该专家不在在库状态"),
    ("EXPERT_NOT_SUSPENDED", 409, "该专家未被暂停"),
    ("LEAVE_DATES", 422, "请假时段无效"),
    ("EXPERT_INVALID", 422, "专家信息不符合入库条件"),
    ("EXPERT_IMPORT", 422, "导入文件有误，未导入任何专家"),
    (
        "PARTIAL_PROOF_INVALID",
        422,
        "解密份额未通过零知识证明验证，已拒收",
    ),
    (
        "CERT_WRONG_ENTITY",
        422,
        "证书持有者的代码与该市场主体不一致",
    ),
    ("CERT_ALREADY_BOUND", 409, "该证书已绑定"),
    ("CERT_NOT_FOUND", 404, "该主体没有这张证书"),
    ("CERT_REVOKED", 422, "证书已被吊销"),
    ("CERT_MALFORMED", 422, "证书格式无法解析"),
    ("CERT_ALGORITHM", 422, "证书不是 SM2/SM3 签名算法"),
    ("CERT_UNKNOWN_CA", 422, "证书的签发机构不在信任列表中"),
    ("CERT_EXPIRED", 422, "证书已过期"),
    ("CERT_NOT_YET_VALID", 422, "证书尚未生效"),
    ("CERT_BAD_SIGNATURE", 422, "证书签名验证失败"),
    (
        "CERT_KEY_USAGE",
        422,
        "证书的密钥用途不允许签名，请使用签名证书",
    ),
    ("CERT_PATH", 422, "证书链过长或中级 CA 无权签发证书"),
    ("CRL_NOT_NEWER", 409, "该证书吊销列表不比已导入的更新"),
    ("LEDGER_RANGE", 422, "请求的账本范围或树的规模超出账本"),
    (
        "EXPERT_ACCOUNT_CHOICE",
        422,
        "请给出新账号的密码，或要关联的已有账号",
    ),
    (
        "DRAW_PSEUDONYM_REQUIRED",
        422,
        "交易中心代为办理时须写明专家编号",
    ),
    (
        "DRAW_PENDING",
        409,
        "该次抽取已写入承诺，等待监督人员投入随机数后揭示",
    ),
    (
        "DRAW_LOT_PENDING",
        409,
        "该标段（包）已有待投入随机数的抽取",
    ),
    (
        "DRAW_BUSY",
        409,
        "同一时刻已有该标段（包）的抽取，请稍后重试",
    ),
    (
        "DRAW_CONTRIBUTOR_CONFLICT",
        403,
        "交易中心的账号不能投入随机数，须由监督人员投入",
    ),
    (
        "DRAW_NOT_PENDING",
        409,
        "该次抽取已经揭示（或已失败），不再接受随机数",
    ),
    (
        "DRAW_COMMITMENT_MISMATCH",
        422,
        "所附的承诺值与该次抽取的承诺不符",
    ),
    (
        "DRAW_CONTRIBUTION_FORMAT",
        422,
        "随机数应为64位十六进制数字（32字节）",
    ),
    ("CERT_NOT_CA", 422, "根证书不是 CA 证书"),
    ("EVIDENCE_INVALID", 422, "证据材料无效"),
    ("EVIDENCE_TOO_LARGE", 413, "单个证据文件不能超过20 MB"),
    ("CASE_DUE_FORMAT", 422, "期限应为 YYYY-MM-DD 格式的日期"),
    ("CASE_ACT_UNKNOWN", 422, "未知的办理或提交事项"),
    ("CASE_FORM_INVALID", 400, "请使用页面上的表单提交"),
    ("PENALTY_FORMAT", 422, "处罚种类或处罚内容的格式不正确"),
    (
        "OBJECTION_SUBJECT",
        422,
        "异议（质疑）事项应为招标（采购）文件、开标及评标过程或者中标（成交）结果",
    ),
    ("QUERY_CODE_UNKNOWN", 404, "查询码不正确"),
    ("PERFORMANCE_OUTCOME", 422, "履约结果或逾期天数不正确"),
    ("LIST_SIGNER", 403, "名单须以本交易中心的数字证书签署"),
    ("LIST_FORM_INVALID", 422, "名单导入的表单不完整或格式不正确"),
    ("CREDIT_FORM_INVALID", 422, "信用修复表单不完整或格式不正确"),
    ("CREDIT_STANDARD_INVALID", 422, "信用评价标准有误"),
    ("WARNING_RULES_INVALID", 422, "预警规则有误"),
    ("STATISTICS_FILTER", 422, "统计条件无效"),
    ("WARNING_EXISTS", 409, "该预警线索已存在"),
    ("WARNING_NOT_FOUND", 404, "预警线索不存在"),
    ("WARNING_HANDLED", 409, "该预警线索已处理，不能再处理"),
    ("CREDIT_FACT_UNKNOWN", 422, "信用事项不在信用评价标准中"),
    ("CREDIT_DATES", 422, "信用记录的截止日期早于其日期"),
    ("CREDIT_RECORD_NOT_FOUND", 404, "信用记录不存在"),
    ("CREDIT_STEP", 409, "信用记录当前状态不能办理该事项"),
    ("CREDIT_NOT_REPAIRABLE", 409, "该信用记录尚不能申请信用修复"),
    ("CREDIT_REFUSED", 403, "因信用惩戒措施不能参加该交易环节"),
    ("LIST_ROWS", 422, "名单有误"),
    ("LIST_STALE", 409, "名单截止时间应晚于上次导入"),
    ("LIST_CUTOFF", 422, "名单截止时间应为已经过去的时间"),
    ("LIST_MATCH", 409, "没有待确认的匹配"),
    ("LIST_UNKNOWN", 404, "没有这类外部信用名单"),
    ("SIGNING_PERIOD_RUNNING", 409, "签订合同的期限未过"),
    ("SALE_DEFAULT_RECORDED", 409, "该竞买人的悔拍已经记录"),
    ("SALE_DEFAULT_NOT_BUYER", 409, "只有竞得人才会悔拍"),
    ("NOT_THE_WINNER", 403, "只有中标人本单位可以放弃中标"),
    ("SUPERVISION_INVALID", 422, "行政监督部门清单有误"),
    ("CASE_NOT_FOUND", 404, "案件不存在"),
    ("CASE_EXISTS", 409, "案件已存在"),
    ("CASE_STEP", 409, "案件当前状态不能办理该事项"),
    ("CASE_LATE", 422, "已超过期限"),
    (
        "CASE_NO_STANDING",
        403,
        "投诉人不是该项目的投标人、供应商或者其他利害关系人，不具备投诉资格",
    ),
    (
        "CASE_OBJECTION_FIRST",
        422,
        "投诉前须先向招标人（采购人、代理机构）提出异议（质疑）",
    ),
    (
        "CASE_OBJECTION_PENDING",
        409,
        "异议（质疑）的答复期限尚未届满，答复或者期满后方可投诉",
    ),
    ("CASE_MATERIAL_ONCE", 409, "补正通知只能发出一次"),
    ("CASE_DUE_DATE", 422, "期限应晚于今天"),
    ("CASE_DEPARTMENT", 422, "部门无效"),
    ("CASE_REQUEST_NOT_FOUND", 404, "调取材料的请求不存在"),
    ("CASE_REQUEST_ANSWERED", 409, "该请求已答复"),
    ("CASE_CLOCK_PAUSED", 409, "处理期限已中止计时"),
    ("CASE_CLOCK_RUNNING", 409, "处理期限没有中止计时"),
    ("CASE_PENALTY", 422, "行政处罚程序不符合规定"),
    ("CASE_DECISION_KIND", 422, "该处理决定不适用于本案件"),
    ("BANK_ACCOUNT_NUMBER", 422, "银行账号应为8到32位数字"),
    (
        "BANK_ACCOUNT_NAME",
        422,
        "基本账户的账户名称应与市场主体名称一致",
    ),
    ("BAR_IN_PAST", 422, "禁入截止日期应晚于今天"),
    ("ENTITY_NOT_RESTRICTED", 409, "市场主体未被暂停或禁入"),
    ("NOTHING_CHANGED", 409, "内容与当前版本相同"),
    ("CATEGORY_NOT_IN_CATALOG", 422, "交易目录中没有该类别"),
    (
        "METHOD_NOT_ALLOWED_BY_CATALOG",
        422,
        "交易目录不允许该交易方式",
    ),
    (
        "CONTRACT_SIGNATURES",
        422,
        "合同须由招标人和中标人分别以本单位的数字证书签署",
    ),
    ("AUCTION_EXISTS", 409, "该竞价项目已存在"),
    (
        "AUCTION_TERMS",
        422,
        "竞价规则无效：起始价、加价幅度和时间须合理设置",
    ),
    ("AUCTION_NOT_FOUND", 404, "竞价项目不存在"),
    ("AUCTION_CLOSED", 409, "竞价已结束"),
    ("AUCTION_ALREADY_REGISTERED", 409, "该竞买号已登记"),
    ("AUCTION_NOT_REGISTERED", 409, "未办理竞买登记"),
    ("AUCTION_DEPOSIT_CONFIRMED", 409, "竞买保证金已确认"),
    (
        "AUCTION_DEPOSIT_MISSING",
        409,
        "竞买保证金尚未到账，不能报价",
    ),
    ("AUCTION_DEPOSIT_SHORT", 422, "竞买保证金不足"),
    ("AUCTION_MODIFY_ONLY", 409, "修改出价阶段只能修改已有的报价"),
    ("AUCTION_OUT_OF_BAND", 422, "修改出价超出警示价浮动范围"),
    ("AUCTION_PRICE_RANGE", 422, "报价超出允许的范围"),
    (
        "AUCTION_SEALED_ONLY",
        409,
        "本竞价为密封报价，请递交密封报价文件",
    ),
    ("AUCTION_NOT_SEALED", 409, "本竞价不是密封报价"),
    ("AUCTION_OPENING_STEP", 409, "密封报价开启的步骤不符"),
    ("AUCTION_NOT_OPENED", 409, "密封报价尚未开启，不能结束竞价"),
    ("DEPOSIT_NOTICE_INVALID", 422, "保证金到账通知无效"),
    ("AUCTION_REPLAY", 409, "按账本重放竞价与记录不符"),
    ("AUCTION_PERIOD", 422, "竞价时间不符合规则集的期间规定"),
    ("AUCTION_RELIST", 409, "不能重新挂牌（拍卖）"),
    (
        "AUCTION_SIGNATURE_REQUIRED",
        422,
        "本竞价要求每次报价以数字证书签名",
    ),
    ("AUCTION_SIGNATURE_INVALID", 422, "报价签名无效"),
    (
        "AUCTION_TRANSFEROR_BIDS",
        409,
        "出让人（转让人）不能竞买自己的标的",
    ),
    (
        "TRANSFEROR_NOT_QUALIFIED",
        422,
        "出让人应为已通过审核、具有出让人角色的市场主体",
    ),
    ("AUCTION_NOT_STARTED", 409, "竞价尚未开始"),
    ("AUCTION_TOO_LATE", 409, "竞价时间已过，报价无效"),
    (
        "AUCTION_NOT_ELIGIBLE",
        409,
        "只有挂牌期内报过价的竞买人可以参加限时竞价",
    ),
    (
        "AUCTION_NOT_YOUR_TURN",
        409,
        "您已是当前最高报价人，不能再次加价",
    ),
    ("AUCTION_STILL_OPEN", 409, "竞价尚未结束"),
    ("AUCTION_TOO_LOW", 422, "报价过低"),
    ("AUCTION_QUANTITY", 422, "申购数量超出范围"),
    ("BOND_OVER_CAP", 422, "投标保证金超过规则集上限"),
    ("BOND_EXISTS", 409, "已登记投标保证金"),
    ("BOND_TOO_SMALL", 422, "投标保证金不足"),
    ("BOND_NOT_FOUND", 404, "投标保证金不存在"),
    ("BOND_STEP", 409, "投标保证金当前状态不能进行该操作"),
    ("BOND_REQUIRED", 409, "本标段（包）要求提交投标保证金"),
    ("GUARANTEE_INVALID", 422, "电子保函无效"),
    (
        "EVALUATION_WITHDRAWAL",
        409,
        "评标已开始，回避情形请向交易中心和行政监督部门报告",
    ),
    ("BOND_STEP_NONE", 409, "目前没有可退还的投标保证金"),
    ("BOND_NOT_ASKED", 409, "本标段（包）不要求投标保证金"),
    ("AWARD_STEP", 409, "标段（包）当前状态不能进行该操作"),
    ("NO_CANDIDATES", 409, "评标报告没有中标候选人"),
    (
        "OBJECTION_OUT_OF_TIME",
        409,
        "只能在中标候选人公示期间提出异议",
    ),
    ("OBJECTION_NOT_FOUND", 404, "异议不存在"),
    ("OBJECTION_ANSWERED", 409, "该异议已答复"),
    (
        "OBJECTION_OPEN",
        409,
        "尚有未答复的异议，答复前不能确定中标人",
    ),
    ("PUBLICITY_RUNNING", 409, "中标候选人公示期未满"),
    ("NOT_A_CANDIDATE", 422, "中标人应为公示的中标候选人之一"),
    ("EVALUATION_CHANGED", 409, "评审内容已有变化，请刷新后重试"),
    ("EVALUATION_EXISTS", 409, "该标段（包）已开始评标"),
    ("EVALUATION_NOT_FOUND", 404, "该标段（包）尚未开始评标"),
    (
        "EVALUATION_LOCKED",
        409,
        "评审已汇总或评标报告已签字，评分不能再修改",
    ),
    (
        "EVALUATION_NOT_CONCLUDED",
        409,
        "评审尚未汇总，评标报告不能签字",
    ),
    ("ALREADY_SIGNED", 409, "该专家已签署评标报告"),
    ("EVALUATION_NOT_READY", 409, "评标尚不能开始"),
    ("SHEET_UNKNOWN", 422, "评审表中有本次评标没有的内容"),
    ("EVALUATION_INCOMPLETE", 409, "评审尚未完成"),
    ("EVALUATION_TERMS", 422, "评标办法有误"),
    (
        "EXPERT_ACCOUNT_LINKED",
        409,
        "该专家已关联平台账号，或该账号已关联其他专家",
    ),
    ("RATING_SCORE", 422, "评分应为0到100的整数"),
    ("ALREADY_RATED", 409, "已对该专家在本次评标中的表现作过评价"),
    ("PANEL_EXISTS", 409, "该抽取已组成评标委员会"),
    ("PANEL_NOT_FOUND", 404, "评标委员会不存在"),
    ("PANEL_CLOSED", 409, "评标委员会名单已公布，不能再变更"),
    ("NOT_ON_PANEL", 409, "该专家不在本评标委员会的席位上"),
    (
        "SEAT_NOT_INVITED",
        409,
        "该专家已确认或已被替换，不在待确认状态",
    ),
    (
        "SEAT_NOT_CONFIRMED",
        409,
        "须先确认参加评标，才能签署回避承诺",
    ),
    ("SEAT_ALREADY_DECLARED", 409, "该专家已签署回避承诺"),
    ("CONFIRM_WINDOW_OPEN", 409, "确认期限未到，不能按未确认处理"),
    (
        "ROOM_CODE",
        422,
        "评标室编号应为2到32位字母、数字、连字符或下划线",
    ),
    ("ROOM_CAPACITY_RANGE", 422, "评标室容纳人数应在1到500之间"),
    ("ROOM_EXISTS", 409, "该评标室编号已存在"),
    ("ROOM_NOT_FOUND", 404, "评标室不存在"),
    ("BOOKING_TIMES", 422, "预约时段无效"),
    (
        "ROOM_NOT_SHARED",
        409,
        "该评标室未开放共享，只能用于本市的项目",
    ),
    ("BOOKING_NOT_FOUND", 404, "预约不存在、已取消或已结束"),
    ("ROOM_TOO_SMALL", 422, "评标室容纳人数不足"),
    ("ROOM_DOUBLE_BOOKED", 409, "该评标室在该时段已被预约"),
    ("DRAW_DATE_PAST", 422, "评标日期不能早于今天"),
    ("DRAW_CONFIRM_WINDOW", 422, "确认期限应在5到1440分钟之间"),
    ("RATING_TOO_EARLY", 409, "评标日之后方可评价专家"),
    (
        "PANEL_NOT_YET_DISCLOSABLE",
        409,
        "中标（成交）结果确定后方可公布评标委员会名单",
    ),
    (
        "EXPERT_ACCOUNT_UNLINKED",
        403,
        "该账号尚未关联专家库中的专家",
    ),
    ("EXPERT_ACCOUNT_ROLE", 422, "只能关联仅有评标专家角色的账号"),
    ("BAD_CREDENTIALS", 401, "用户名或密码错误"),
    ("NOT_AUTHENTICATED", 401, "未登录或会话已过期，请重新登录"),
    ("NOT_AUTHORIZED", 403, "无权执行此操作"),
    (
        "CSRF_FAILED",
        403,
        "页面已过期或请求来源不可信，请刷新后重试",
    ),
    ("NOT_FOUND", 404, "请求的内容不存在"),
    ("INVALID_REQUEST", 400, "请求参数无效"),
    ("MALFORMED_JSON", 400, "请求体不是有效的 JSON"),
    ("UNKNOWN_FIELD", 400, "请求中含有未知字段"),
    ("UNSUPPORTED_MEDIA_TYPE", 415, "请求的内容类型不受支持"),
    ("BODY_TOO_LARGE", 413, "请求体过大"),
    ("METHOD_NOT_ALLOWED", 405, "不支持该请求方法"),
    (
        "HUB_NODE_ORIGIN",
        422,
        "节点名称（origin）不能为空，也不能含空白",
    ),
    ("HUB_NODE_URL", 422, "节点地址应以 http:// 开头"),
    ("HUB_NODE_REGION", 422, "节点所在地区应为6位行政区划代码"),
    ("HUB_NODE_KEY", 422, "节点公钥格式有误"),
    ("HUB_NODE_KEY_PINNED", 409, "该节点已固定另一把签名公钥"),
    ("WITNESS_MALFORMED", 400, "副署请求格式有误"),
    ("WITNESS_UNKNOWN_LOG", 404, "本见证方不跟踪该账本"),
    (
        "WITNESS_BAD_SIGNATURE",
        403,
        "树头的签名不能用该账本固定的公钥核验",
    ),
    (
        "WITNESS_FUTURE_CHECKPOINT",
        400,
        "树头的时间晚于见证方的时钟",
    ),
    ("WITNESS_ROLLBACK", 400, "请求的原规模大于树头的规模"),
    ("WITNESS_CONFLICT", 409, "原规模与见证方最近副署的规模不符"),
    (
        "WITNESS_FORK",
        409,
        "同一规模的树头与见证方已副署的树根不同：账本分叉",
    ),
    (
        "WITNESS_BAD_PROOF",
        422,
        "一致性证明未通过核验：该树头与见证方已副署的树头不一致",
    ),
    (
        "INTERNAL",
        500,
        "系统内部错误，请稍后重试，并向交易中心提供请求编号",
    ),
];

/// Looks a code up in the table.
pub fn describe(code: &str) -> (StatusCode, &'static str) {
    ERROR_TABLE
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, status, message)| {
            (
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                *message,
            )
        })
        .unwrap_or((StatusCode::INTERNAL_SERVER_ERROR, "系统内部错误"))
}

/// The JSON body of every error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable code, e.g. `USCC_CHECK_CHAR`.
    pub code: String,
    /// Chinese message for people.
    pub message: String,
    /// The request's id, to quote to the trading center.
    pub request_id: String,
}

/// An error on its way to becoming an HTTP response.
#[derive(Debug)]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &'static str) -> Self {
        Self {
            code,
            message: describe(code).1.to_string(),
        }
    }

    pub fn with_message(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        describe(self.code).0
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let code = error.code();
        match error {
            AppError::Internal(detail) => {
                // The cause goes to the log with the request id; the caller sees only the id.
                tracing::error!(request_id = %crate::request_id::current(), %detail, "internal error");
                Self::new(code)
            }
            AppError::NotFound(message) => Self::with_message(code, message),
            other => Self::with_message(code, other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = ErrorBody {
            code: self.code.to_string(),
            message: self.message,
            request_id: crate::request_id::current(),
        };
        (status, Json(body)).into_response()
    }
}
