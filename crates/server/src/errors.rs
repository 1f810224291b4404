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
    ("REGION_CODE", 422, "行政区划代码应为6位数字"),
    ("FIELD_REQUIRED", 422, "必填项不能为空"),
    ("FIELD_TOO_LONG", 422, "输入过长"),
    ("USERNAME_FORMAT", 422, "用户名格式不正确"),
    ("PASSWORD_WEAK", 422, "密码至少8位，且须同时包含字母和数字"),
    ("ENTITY_KIND", 422, "主体类型应为法人或其他组织，或自然人"),
    ("UNKNOWN_ROLE", 422, "未知角色"),
    ("TOKEN_NAME", 422, "令牌名称应为1到50个字符"),
    ("TOKEN_VALIDITY", 422, "令牌有效期应为1到366天"),
    ("DUPLICATE_REGISTRATION", 409, "该市场主体已登记"),
    ("USERNAME_TAKEN", 409, "该用户名已被使用"),
    ("ENTITY_NOT_FOUND", 404, "市场主体不存在"),
    ("ACCOUNT_NOT_FOUND", 404, "账号不存在"),
    ("REGISTRATION_NOT_PENDING", 409, "该登记申请不在待审核状态"),
    ("REASON_REQUIRED", 422, "驳回时必须说明理由"),
    (
        "ROLE_NOT_SELF_SERVICE",
        422,
        "市场主体只能申请交易参与方角色",
    ),
    ("NO_ROLE", 422, "至少选择一个角色"),
    ("ACCOUNT_DISABLED", 403, "账号已停用"),
    ("ENTITY_NOT_ACTIVE", 403, "市场主体尚未通过审核"),
    ("INVALID_DATE", 422, "日期无效"),
    ("DATA_FILE_INVALID", 422, "数据文件有误"),
    ("RULE_SET_INVALID", 422, "规则集有误"),
    ("NO_RULES_IN_FORCE", 422, "该日期没有有效的规则集"),
    ("RULE_MISSING", 500, "规则集缺少所需的规则"),
    ("CATALOG_INVALID", 422, "交易目录有误"),
    ("DRAW_POOL_SHORT", 422, "专家库中符合条件的专家不足"),
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
    ("CERT_NOT_CA", 422, "根证书不是 CA 证书"),
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
