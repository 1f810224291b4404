//! The market's pages: log-in and log-out, registration, 我的账号 (API tokens), the entity
//! register and one entity, the operator's review queue, personal data revealed for a reason.

use std::sync::Arc;

use app::AppError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{DomainError, Role};
use serde::Deserialize;

use crate::access::{MaybeCaller, urlencode};
use crate::errors::ApiError;
use crate::format::{beijing_time, region_name, status_label};
use crate::shared::page::{Layout, app_error_page, layout, render, roles_label};
use crate::shared::page::{ListQuery, page_count_per};
use crate::{AppState, session_cookie};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    username: String,
    error: String,
    error_code: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only same-site paths are followed after log-in.
fn safe_next(next: &str) -> Option<&str> {
    (next.starts_with('/') && !next.starts_with("//") && !next.contains('\\')).then_some(next)
}

pub(crate) async fn login_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(query): Query<NextQuery>,
) -> Response {
    render(LoginPage {
        layout: layout(&state, &caller, "登录", "", &[("登录", "")]),
        next: safe_next(&query.next).unwrap_or("").to_string(),
        username: String::new(),
        error: String::new(),
        error_code: String::new(),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub(crate) async fn login_submit(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    crate::extract::ClientAddr(client): crate::extract::ClientAddr,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    match state
        .app
        .login_from(&client, &form.username, &form.password)
        .await
    {
        Ok(session) => {
            let cookie = session_cookie(
                &state,
                &session.token,
                state.app.settings().session_ttl_ms / 1000,
            );
            let target = match safe_next(&form.next) {
                Some(next) => next.to_string(),
                None => {
                    let account = state
                        .app
                        .account_view(&form.username.trim().to_ascii_lowercase())
                        .await;
                    match account {
                        Ok(a) if a.roles.contains(&Role::Operator) => "/operator/reviews".into(),
                        _ => "/me".into(),
                    }
                }
            };
            ([(header::SET_COOKIE, cookie)], Redirect::to(&target)).into_response()
        }
        Err(error) => {
            let api = ApiError::from(error);
            let status = api.status_for_page();
            let page = LoginPage {
                layout: layout(&state, &caller, "登录", "", &[("登录", "")]),
                next: safe_next(&form.next).unwrap_or("").to_string(),
                username: form.username,
                error: api.message,
                error_code: api.code.into(),
            };
            (status, render(page)).into_response()
        }
    }
}

impl ApiError {
    /// Pages that show a refusal in a form answer 422 (or the error's own status when worse).
    pub(crate) fn status_for_page(&self) -> StatusCode {
        let status = self.status();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            status
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

pub(crate) async fn logout(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(token) = crate::shared::api::session_token(&headers)
        && let Err(error) = state.app.logout(&token).await
    {
        return app_error_page(error);
    }
    (
        [(header::SET_COOKIE, session_cookie(&state, "", 0))],
        Redirect::to("/"),
    )
        .into_response()
}

/// One input of the registration form.
pub(crate) struct FieldView {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) input_type: &'static str,
    pub(crate) required: bool,
    pub(crate) hint: &'static str,
    pub(crate) value: String,
    pub(crate) error: String,
    pub(crate) error_code: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    form: app::NewRegistration,
    fields_main: Vec<FieldView>,
    fields_account: Vec<FieldView>,
    role_choices: Vec<(&'static str, &'static str, bool)>,
    roles_error: String,
    roles_error_code: String,
    form_error: String,
    form_error_code: String,
}

const MAIN_FIELDS: &[(&str, &str, &str, bool, &str)] = &[
    (
        "code",
        "统一社会信用代码 / 身份证号码",
        "text",
        true,
        "组织填写18位统一社会信用代码；自然人填写18位居民身份证号码",
    ),
    (
        "name",
        "名称 / 姓名",
        "text",
        true,
        "与营业执照或身份证件一致",
    ),
    (
        "region",
        "所在地区代码",
        "text",
        true,
        "6位行政区划代码，如 330100（杭州市）、330200（宁波市）",
    ),
    (
        "legal_representative",
        "法定代表人",
        "text",
        true,
        "自然人填写本人姓名",
    ),
    ("address", "地址", "text", false, ""),
    ("contact_name", "联系人", "text", true, ""),
    ("contact_phone", "联系电话", "tel", true, ""),
    ("contact_email", "电子邮箱", "email", false, ""),
    (
        "controller",
        "控股股东或实际控制人",
        "text",
        false,
        "其统一社会信用代码或身份证号码；没有的不填。用于围标串标预警，不对外公开",
    ),
];

const ACCOUNT_FIELDS: &[(&str, &str, &str, bool, &str)] = &[
    (
        "username",
        "用户名",
        "text",
        true,
        "3–32位小写字母、数字、下划线或连字符",
    ),
    ("display_name", "管理员姓名", "text", true, ""),
    (
        "password",
        "密码",
        "password",
        true,
        "至少8位，须同时包含字母和数字",
    ),
];

fn value_of(form: &app::NewRegistration, name: &str) -> String {
    match name {
        "code" => form.code.clone(),
        "name" => form.name.clone(),
        "region" => form.region.clone(),
        "legal_representative" => form.legal_representative.clone(),
        "address" => form.address.clone(),
        "contact_name" => form.contact_name.clone(),
        "contact_phone" => form.contact_phone.clone(),
        "contact_email" => form.contact_email.clone(),
        "controller" => form.controller.clone(),
        "username" => form.username.clone(),
        "display_name" => form.display_name.clone(),
        // A refused password is never sent back.
        _ => String::new(),
    }
}

/// Which input a refusal belongs to.
fn field_of(error: &AppError) -> Option<&'static str> {
    let AppError::Domain(domain) = error else {
        return matches!(error, AppError::WeakPassword).then_some("password");
    };
    Some(match domain {
        DomainError::UsccLength
        | DomainError::UsccCharset
        | DomainError::UsccCheckChar
        | DomainError::IdNumberLength
        | DomainError::IdNumberFormat
        | DomainError::IdNumberBirthDate
        | DomainError::IdNumberCheckDigit
        | DomainError::DuplicateRegistration => "code",
        DomainError::RegionCode => "region",
        DomainError::ControllerCode => "controller",
        DomainError::UsernameFormat | DomainError::UsernameTaken => "username",
        DomainError::NoRole | DomainError::RoleNotSelfService => "roles",
        DomainError::Required { field } | DomainError::TooLong { field, .. } => match *field {
            "名称" => "name",
            "法定代表人" => "legal_representative",
            "地址" => "address",
            "联系人" => "contact_name",
            "联系电话" => "contact_phone",
            "电子邮箱" => "contact_email",
            "姓名" => "display_name",
            _ => return None,
        },
        _ => return None,
    })
}

fn register_page(
    state: &AppState,
    caller: &MaybeCaller,
    form: app::NewRegistration,
    error: Option<&AppError>,
) -> RegisterPage {
    let (field, message, code) = match error {
        Some(e) => {
            let api = ApiError::from(match e {
                AppError::Domain(d) => AppError::Domain(d.clone()),
                AppError::WeakPassword => AppError::WeakPassword,
                other => AppError::Invalid(other.to_string()),
            });
            (field_of(e), api.message, api.code.to_string())
        }
        None => (None, String::new(), String::new()),
    };
    let views = |defs: &[(&'static str, &'static str, &'static str, bool, &'static str)]| {
        defs.iter()
            .map(|(name, label, input_type, required, hint)| FieldView {
                name,
                label,
                input_type,
                required: *required,
                hint,
                value: value_of(&form, name),
                error: if field == Some(*name) {
                    message.clone()
                } else {
                    String::new()
                },
                error_code: if field == Some(*name) {
                    code.clone()
                } else {
                    String::new()
                },
            })
            .collect::<Vec<_>>()
    };
    let fields_main = views(MAIN_FIELDS);
    let fields_account = views(ACCOUNT_FIELDS);
    let role_choices = [Role::Tenderee, Role::Agency, Role::Bidder]
        .into_iter()
        .map(|r| {
            (
                r.as_str(),
                r.label_zh(),
                form.roles.iter().any(|x| x == r.as_str()),
            )
        })
        .collect();
    let (roles_error, roles_error_code) = if field == Some("roles") {
        (message.clone(), code.clone())
    } else {
        (String::new(), String::new())
    };
    let (form_error, form_error_code) = if error.is_some() && field.is_none() {
        (message.clone(), code.clone())
    } else {
        (String::new(), String::new())
    };
    RegisterPage {
        layout: layout(state, caller, "市场主体注册", "", &[("市场主体注册", "")]),
        form,
        fields_main,
        fields_account,
        role_choices,
        roles_error,
        roles_error_code,
        form_error,
        form_error_code,
    }
}

pub(crate) async fn register_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    let form = app::NewRegistration {
        kind: "organisation".into(),
        roles: vec!["bidder".into()],
        ..Default::default()
    };
    render(register_page(&state, &caller, form, None))
}

/// Parses the registration form by hand: `roles` repeats.
fn parse_registration(body: &[u8]) -> app::NewRegistration {
    let mut form = app::NewRegistration::default();
    for (key, value) in form_urlencoded::parse(body) {
        let value = value.into_owned();
        match key.as_ref() {
            "kind" => form.kind = value,
            "code" => form.code = value,
            "name" => form.name = value,
            "region" => form.region = value,
            "legal_representative" => form.legal_representative = value,
            "address" => form.address = value,
            "contact_name" => form.contact_name = value,
            "contact_phone" => form.contact_phone = value,
            "contact_email" => form.contact_email = value,
            "controller" => form.controller = value,
            "roles" => form.roles.push(value),
            "username" => form.username = value,
            "display_name" => form.display_name = value,
            "password" => form.password = value,
            _ => {}
        }
    }
    form
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    layout: Layout,
    heading: String,
    tone: &'static str,
    message: String,
    code: String,
    receipt_seq: String,
    receipt_leaf: String,
    receipt_size: String,
    receipt_root: String,
    links: Vec<(&'static str, String)>,
}

pub(crate) async fn register_submit(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    crate::extract::ClientAddr(client): crate::extract::ClientAddr,
    body: Bytes,
) -> Response {
    let form = parse_registration(&body);
    let mut kept = form.clone();
    kept.password = String::new();
    let result = match state.app.throttle_registration(&client) {
        Ok(()) => state.app.register_entity(form).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(receipts) => {
            let first = &receipts[0];
            render(MessagePage {
                layout: layout(
                    &state,
                    &caller,
                    "注册申请已提交",
                    "",
                    &[("市场主体注册", "/register"), ("已提交", "")],
                ),
                heading: "注册申请已提交".into(),
                tone: "ok",
                message: format!(
                    "「{}」的登记申请已提交并写入交易见证账本，请等待交易中心审核。审核期间可用刚才设置的账号登录查看进度。",
                    kept.name.trim()
                ),
                code: String::new(),
                receipt_seq: first.seq.to_string(),
                receipt_leaf: first.leaf_hash.to_hex(),
                receipt_size: first.tree_head.head.size.to_string(),
                receipt_root: first.tree_head.head.root.to_hex(),
                links: vec![
                    ("登录查看审核进度", "/login".into()),
                    ("返回首页", "/".into()),
                ],
            })
        }
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            render(register_page(&state, &caller, kept, Some(&error))),
        )
            .into_response(),
    }
}

/// An entity as pages show it.
pub(crate) struct EntityPageView {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind_label: &'static str,
    pub(crate) code_label: &'static str,
    pub(crate) code: String,
    pub(crate) region: String,
    pub(crate) legal_representative: String,
    /// 控股股东或实际控制人 (for the entity itself, the trading center and supervision; "" else).
    pub(crate) controller: String,
    pub(crate) address: String,
    pub(crate) contact_name: String,
    pub(crate) contact_phone: String,
    pub(crate) roles: String,
    pub(crate) status: String,
    pub(crate) status_label: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) reject_reason: String,
    pub(crate) registered_at: String,
    pub(crate) reviewed_at: String,
    /// A sentence on a suspension or bar, or "".
    pub(crate) restriction: String,
    /// A USCC whose embedded organisation code's check digit is wrong: a likely typing error,
    /// for the reviewer ("" otherwise).
    pub(crate) code_warning: String,
    /// Where a recognised entity registered ("一处登记、全省通用"), "" when here.
    pub(crate) home: String,
}

fn entity_view(e: app::EntityView) -> EntityPageView {
    let person = e.kind == "natural_person";
    let code_warning = if person {
        String::new()
    } else {
        domain::Uscc::parse(&e.code)
            .ok()
            .and_then(|code| code.organisation_code_warning())
            .unwrap_or_default()
    };
    EntityPageView {
        code_warning,
        id: e.id,
        name: e.name,
        kind_label: if person {
            "自然人"
        } else {
            "法人或其他组织"
        },
        code_label: if person {
            "居民身份证号码"
        } else {
            "统一社会信用代码"
        },
        code: e.code,
        region: format!("{} {}", region_name(&e.region), e.region)
            .trim()
            .to_string(),
        legal_representative: e.legal_representative,
        controller: e.controller,
        address: e.address,
        contact_name: e.contact_name,
        contact_phone: e.contact_phone,
        roles: roles_label(&e.roles),
        status_label: status_label(&e.status),
        status_class: match e.status.as_str() {
            "active" => "ok",
            "pending" => "warn",
            _ => "bad",
        },
        restriction: match e.status.as_str() {
            "suspended" => format!("该主体已被暂停交易：{}", e.restriction_reason),
            "barred" => format!(
                "该主体被禁止参加交易至 {}：{}",
                e.restricted_until, e.restriction_reason
            ),
            _ => String::new(),
        },
        status: e.status,
        reject_reason: e.reject_reason,
        registered_at: beijing_time(e.registered_at_ms),
        reviewed_at: e.reviewed_at_ms.map(beijing_time).unwrap_or_default(),
        home: e.home,
    }
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    layout: Layout,
    account: app::AccountView,
    roles: String,
    account_status: &'static str,
    entity: Option<EntityPageView>,
    csrf: String,
    /// (id, name, created, expires, state label, active)
    tokens: Vec<(String, String, String, String, &'static str, bool)>,
    /// A token just issued: shown once, on this page only (never in a URL or a log).
    new_token: String,
    notice: String,
    notice_tone: &'static str,
}

pub(crate) async fn me(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    let Some(who) = caller.0.clone() else {
        return Redirect::to("/login?next=/me").into_response();
    };
    me_page(&state, &caller, &who, String::new(), String::new(), "info").await
}

async fn me_page(
    state: &AppState,
    caller: &MaybeCaller,
    who: &app::Caller,
    new_token: String,
    notice: String,
    notice_tone: &'static str,
) -> Response {
    let result: Result<Response, AppError> = async {
        let account = state.app.account_view(&who.username).await?;
        let entity = state
            .app
            .entity(Some(who), &who.entity_id)
            .await
            .ok()
            .map(entity_view);
        let tokens = state
            .app
            .api_tokens(who)
            .await?
            .into_iter()
            .map(|t| {
                let label = if t.revoked {
                    "已吊销"
                } else if t.active {
                    "有效"
                } else {
                    "已过期"
                };
                (
                    t.id,
                    t.name,
                    beijing_time(t.created_at_ms),
                    beijing_time(t.expires_at_ms),
                    label,
                    t.active,
                )
            })
            .collect();
        let mut response = render(MePage {
            layout: layout(state, caller, "我的账号", "", &[("我的账号", "")]),
            roles: roles_label(&account.roles),
            account_status: status_label(&account.status),
            account,
            entity,
            csrf: who.csrf.clone().unwrap_or_default(),
            tokens,
            new_token,
            notice,
            notice_tone,
        });
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        Ok(response)
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

/// 签发 API 令牌 from the account page: the token is shown once, in the answer to this post.
pub(crate) async fn create_token_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    body: Bytes,
) -> Response {
    let Some(who) = caller.0.clone() else {
        return Redirect::to("/login?next=/me").into_response();
    };
    let mut name = String::new();
    let mut days = String::new();
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "name" => name = value.into_owned(),
            "valid_days" => days = value.into_owned(),
            _ => {}
        }
    }
    let valid_days = days.trim().parse::<u32>().unwrap_or(0);
    match state.app.create_api_token(&who, &name, valid_days).await {
        Ok((token, _)) => {
            me_page(
                &state,
                &caller,
                &who,
                token,
                "令牌已签发。请立即复制保存：离开本页后将无法再次查看。".into(),
                "ok",
            )
            .await
        }
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => {
            let error = ApiError::from(error);
            me_page(
                &state,
                &caller,
                &who,
                String::new(),
                format!("{}（{}）", error.message, error.code),
                "bad",
            )
            .await
        }
    }
}

/// 吊销 one of the caller's API tokens from the account page.
pub(crate) async fn revoke_token_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    body: Bytes,
) -> Response {
    let Some(who) = caller.0.clone() else {
        return Redirect::to("/login?next=/me").into_response();
    };
    let id = form_urlencoded::parse(&body)
        .find(|(key, _)| key == "id")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let (notice, tone) = match state.app.revoke_api_token(&who, &id).await {
        Ok(()) => ("令牌已吊销，使用它的请求将被拒绝。".to_string(), "ok"),
        Err(AppError::Internal(detail)) => return app_error_page(AppError::Internal(detail)),
        Err(error) => {
            let error = ApiError::from(error);
            (format!("{}（{}）", error.message, error.code), "bad")
        }
    };
    me_page(&state, &caller, &who, String::new(), notice, tone).await
}

#[derive(Template)]
#[template(path = "entities.html")]
struct EntitiesPage {
    layout: Layout,
    rows: Vec<EntityPageView>,
    total: u64,
    page: u64,
    pages: u64,
    privileged: bool,
    filters: Vec<(&'static str, &'static str, bool)>,
    status_query: String,
}

const PER_PAGE: u64 = 20;

pub(crate) async fn entities(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(query): Query<ListQuery>,
) -> Response {
    let privileged = caller
        .0
        .as_ref()
        .is_some_and(|c| c.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]));
    let status = if privileged {
        query.status.clone().filter(|s| !s.is_empty())
    } else {
        None
    };
    let page = query.page.unwrap_or(1).max(1);
    match state
        .app
        .entities(caller.0.as_ref(), status.as_deref(), page, PER_PAGE)
        .await
    {
        Ok(list) => {
            let current = status.clone().unwrap_or_default();
            render(EntitiesPage {
                layout: layout(&state, &caller, "市场主体", "entities", &[("市场主体", "")]),
                total: list.total,
                pages: page_count_per(list.total, PER_PAGE),
                page,
                rows: list.items.into_iter().map(entity_view).collect(),
                privileged,
                filters: [
                    ("", "全部"),
                    ("pending", "待审核"),
                    ("active", "已通过"),
                    ("rejected", "已驳回"),
                ]
                .into_iter()
                .map(|(value, label)| (value, label, value == current))
                .collect(),
                status_query: status
                    .map(|s| format!("&status={}", urlencode(&s)))
                    .unwrap_or_default(),
            })
        }
        Err(error) => app_error_page(error),
    }
}

/// A qualification row.
pub(crate) struct QualificationRow {
    pub(crate) name: String,
    pub(crate) grade: String,
    pub(crate) certificate_no: String,
    pub(crate) issuer: String,
    pub(crate) valid_until: String,
    pub(crate) expired: bool,
}

/// A bound certificate row.
pub(crate) struct CertificateRow {
    pub(crate) issuer: String,
    pub(crate) serial: String,
    pub(crate) not_after: String,
    pub(crate) state: String,
    pub(crate) state_class: &'static str,
    pub(crate) fingerprint: String,
    pub(crate) revocable: bool,
}

#[derive(Template)]
#[template(path = "entity.html")]
struct EntityPage {
    layout: Layout,
    e: EntityPageView,
    certificates: Vec<CertificateRow>,
    can_revoke: bool,
    qualifications: Vec<QualificationRow>,
    can_edit: bool,
    show_bank: bool,
    bank: String,
    can_sanction: bool,
    can_suspend: bool,
    /// Oversight may reveal the masked personal numbers, with a recorded reason.
    can_reveal: bool,
    csrf: String,
    notice: String,
    notice_tone: String,
    /// (standard, level, level name, measures in force) under each credit standard.
    credit: Vec<(String, String, String, String)>,
    credit_records: usize,
}

pub(crate) async fn entity(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    match state.app.entity(caller.0.as_ref(), &id).await {
        Ok(view) => {
            let today = domain::Date::of_instant(state.app.now_ms());
            let who = caller.0.as_ref();
            let member = who.is_some_and(|c| c.acts_for(&view.id));
            let has = |roles: &[Role]| who.is_some_and(|c| c.has_any(roles));
            let qualifications = view
                .qualifications
                .iter()
                .map(|q| QualificationRow {
                    name: q.name.clone(),
                    grade: q.grade.clone(),
                    certificate_no: q.certificate_no.clone(),
                    issuer: q.issuer.clone(),
                    valid_until: q.valid_until.to_string(),
                    expired: q.valid_until < today,
                })
                .collect();
            let now = state.app.now_ms();
            let certificates = view
                .certificates
                .iter()
                .map(|c| {
                    let (state_text, class) = match &c.revoked {
                        Some(reason) => (format!("已吊销：{reason}"), "bad"),
                        None if c.not_after_ms < now => ("已过期".to_string(), "warn"),
                        None => ("有效".to_string(), "ok"),
                    };
                    CertificateRow {
                        issuer: c.issuer.clone(),
                        serial: c.serial.clone(),
                        not_after: beijing_time(c.not_after_ms),
                        state: state_text,
                        state_class: class,
                        fingerprint: c.fingerprint.clone(),
                        revocable: c.revoked.is_none(),
                    }
                })
                .collect();
            let bank = view
                .bank_account
                .as_ref()
                .map(|a| format!("{} · {} · {}", a.bank, a.account_name, a.masked_no()))
                .unwrap_or_default();
            let show_bank = member || has(&[Role::Operator, Role::Supervisor, Role::Auditor]);
            let restricted_or_active =
                matches!(view.status.as_str(), "active" | "suspended" | "barred");
            let e = entity_view(view);
            let title = e.name.clone();
            let (credit, credit_records) = match state.app.credit_view(who, &id).await {
                Ok(credit) => (
                    credit
                        .evaluations
                        .iter()
                        .map(|e| {
                            (
                                e.standard_name.clone(),
                                e.level.clone(),
                                e.level_name.clone(),
                                e.measures
                                    .iter()
                                    .map(|m| m.name.clone())
                                    .collect::<Vec<_>>()
                                    .join("；"),
                            )
                        })
                        .collect(),
                    credit.file.as_ref().map_or(0, |f| f.records.len()),
                ),
                Err(error) => return app_error_page(error),
            };
            render(EntityPage {
                credit,
                credit_records,
                layout: layout(
                    &state,
                    &caller,
                    &title,
                    "entities",
                    &[("市场主体", "/entities"), (&title, "")],
                ),
                e,
                certificates,
                can_revoke: has(&[Role::Operator]),
                qualifications,
                can_edit: member || has(&[Role::Operator]),
                show_bank,
                bank,
                can_sanction: restricted_or_active && has(&[Role::Operator, Role::Supervisor]),
                can_suspend: has(&[Role::Operator]),
                can_reveal: !member && has(&[Role::Operator, Role::Supervisor, Role::Auditor]),
                csrf: who.and_then(|c| c.csrf.clone()).unwrap_or_default(),
                notice: query.notice.clone().unwrap_or_default(),
                notice_tone: match query.tone.as_deref() {
                    Some("bad") => "bad".into(),
                    _ => "ok".into(),
                },
            })
        }
        Err(error) => app_error_page(error),
    }
}

#[derive(Template)]
#[template(path = "reviews.html")]
struct ReviewsPage {
    layout: Layout,
    rows: Vec<EntityPageView>,
    total: u64,
    page: u64,
    pages: u64,
    csrf: String,
    notice: String,
    notice_tone: String,
}

pub(crate) async fn reviews(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(query): Query<ListQuery>,
) -> Response {
    let page = query.page.unwrap_or(1).max(1);
    let result = async {
        let list = state
            .app
            .entities(caller.0.as_ref(), Some("pending"), 1, 1000)
            .await?;
        // The queue is served oldest first: fairness to whoever waited longest.
        let mut items = list.items;
        items.reverse();
        let total = items.len() as u64;
        let start = ((page - 1) * PER_PAGE) as usize;
        let rows = items
            .into_iter()
            .skip(start)
            .take(PER_PAGE as usize)
            .map(entity_view)
            .collect();
        Ok::<_, AppError>(render(ReviewsPage {
            layout: layout(&state, &caller, "主体审核", "reviews", &[("主体审核", "")]),
            rows,
            total,
            page,
            pages: page_count_per(total, PER_PAGE),
            csrf: caller
                .0
                .as_ref()
                .and_then(|c| c.csrf.clone())
                .unwrap_or_default(),
            notice: query.notice.clone().unwrap_or_default(),
            notice_tone: match query.tone.as_deref() {
                Some("bad") => "bad".into(),
                _ => "ok".into(),
            },
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

fn review_redirect(notice: &str, tone: &str) -> Response {
    Redirect::to(&format!(
        "/operator/reviews?notice={}&tone={tone}",
        urlencode(notice)
    ))
    .into_response()
}

pub(crate) async fn review_approve(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> Response {
    let Some(who) = caller.0.as_ref() else {
        return Redirect::to("/login").into_response();
    };
    let name = state
        .app
        .entity(Some(who), &id)
        .await
        .map(|e| e.name)
        .unwrap_or_else(|_| id.clone());
    match state.app.approve_entity(who, &id).await {
        Ok(receipt) => review_redirect(
            &format!("已通过「{name}」的登记申请（见证序号 #{}）。", receipt.seq),
            "ok",
        ),
        Err(AppError::Internal(d)) => app_error_page(AppError::Internal(d)),
        Err(error) => review_redirect(
            &format!("未能通过「{name}」：{error}（{}）", error.code()),
            "bad",
        ),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct RejectForm {
    #[serde(default)]
    reason: String,
}

pub(crate) async fn review_reject(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<RejectForm>,
) -> Response {
    let Some(who) = caller.0.as_ref() else {
        return Redirect::to("/login").into_response();
    };
    let name = state
        .app
        .entity(Some(who), &id)
        .await
        .map(|e| e.name)
        .unwrap_or_else(|_| id.clone());
    match state.app.reject_entity(who, &id, &form.reason).await {
        Ok(receipt) => review_redirect(
            &format!("已驳回「{name}」的登记申请（见证序号 #{}）。", receipt.seq),
            "ok",
        ),
        Err(AppError::Internal(d)) => app_error_page(AppError::Internal(d)),
        Err(error) => review_redirect(
            &format!("未能驳回「{name}」：{error}（{}）", error.code()),
            "bad",
        ),
    }
}

/// 查看完整个人信息: the trading center, supervision or audit reveal a masked ID number and
/// mobile with a reason; the read is recorded first, and the numbers are shown on this answer
/// only (never in a URL, never cached).
pub(crate) async fn reveal_personal_data(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(who) = caller.0.as_ref() else {
        return Redirect::to("/login").into_response();
    };
    let reason = form_urlencoded::parse(&body)
        .find(|(key, _)| key == "reason")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    match state.app.reveal_personal_data(who, &id, &reason).await {
        Ok((data, receipt)) => {
            let mut response = render(MessagePage {
                layout: layout(
                    &state,
                    &caller,
                    "完整个人信息",
                    "entities",
                    &[("市场主体", "/entities"), ("完整个人信息", "")],
                ),
                heading: "完整个人信息（查阅已记录）".into(),
                tone: "info",
                message: format!(
                    "证件号码：{}；联系电话：{}。本次查阅（理由：{}）已写入交易见证账本，仅监督、审计可见。",
                    data.code,
                    data.contact_phone,
                    reason.trim()
                ),
                code: String::new(),
                receipt_seq: receipt.seq.to_string(),
                receipt_leaf: receipt.leaf_hash.to_hex(),
                receipt_size: receipt.tree_head.head.size.to_string(),
                receipt_root: receipt.tree_head.head.root.to_hex(),
                links: vec![("返回主体页面", format!("/entities/{id}"))],
            });
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => {
            let api = ApiError::from(error);
            Redirect::to(&format!(
                "/entities/{id}?notice={}&tone=bad",
                urlencode(&format!("{}（{}）", api.message, api.code))
            ))
            .into_response()
        }
    }
}
