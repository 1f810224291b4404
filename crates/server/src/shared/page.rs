//! What every page shares: the layout (navigation, the signed-in user), rendering, and errors
//! as pages with their code and request id.

use app::AppError;
use askama::Template;
use axum::extract::Path;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::Redirect;
use axum::response::{Html, IntoResponse, Response};
use domain::Role;
use serde::Deserialize;
use std::collections::HashMap;

use crate::AppState;
use crate::errors::ApiError;
use crate::shared::caller::MaybeCaller;

/// The parts every page shares.
pub(crate) struct Layout {
    pub(crate) title: String,
    pub(crate) nav: &'static str,
    pub(crate) platform_name: String,
    pub(crate) user: Option<UserBox>,
    pub(crate) breadcrumbs: Vec<(String, String)>,
    /// The page's summary for search engines (`<meta name="description">`), when it has one.
    pub(crate) description: String,
    /// Said on every page while this node's ledger waits too long for its witnesses.
    pub(crate) witness_warning: String,
}

/// The signed-in user in the header.
pub(crate) struct UserBox {
    pub(crate) display_name: String,
    pub(crate) role_label: String,
    pub(crate) csrf: String,
    pub(crate) is_operator: bool,
    pub(crate) is_bidder: bool,
    pub(crate) is_expert: bool,
    pub(crate) is_oversight: bool,
    /// 行政监督 or 纪检审计: the online supervision channel.
    pub(crate) is_watch: bool,
}

pub(crate) fn layout(
    state: &AppState,
    caller: &MaybeCaller,
    title: &str,
    nav: &'static str,
    crumbs: &[(&str, &str)],
) -> Layout {
    Layout {
        title: title.to_string(),
        nav,
        platform_name: state.platform_name.clone(),
        user: caller.0.as_ref().map(|c| UserBox {
            display_name: c.display_name.clone(),
            role_label: roles_label(&c.roles),
            csrf: c.csrf.clone().unwrap_or_default(),
            is_operator: c.has(Role::Operator),
            is_bidder: c.has(Role::Bidder),
            is_expert: c.has(Role::Expert),
            is_oversight: c.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]),
            is_watch: c.has_any(&[Role::Supervisor, Role::Auditor]),
        }),
        breadcrumbs: crumbs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        description: String::new(),
        witness_warning: state.app.witnessing_warning().unwrap_or_default(),
    }
}

pub(crate) fn roles_label(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

pub(crate) fn render(template: impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
    code: String,
    request_id: String,
}

/// An error as a page, with its code and the request id.
pub(crate) fn error_page(status: StatusCode, code: &str, message: &str) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "页面不存在",
        StatusCode::FORBIDDEN => "无权访问",
        StatusCode::UNAUTHORIZED => "请先登录",
        s if s.is_server_error() => "系统繁忙",
        _ => "请求未能完成",
    };
    let page = ErrorPage {
        layout: Layout {
            title: heading.into(),
            nav: "",
            platform_name: "公共资源交易平台".into(),
            user: None,
            breadcrumbs: vec![(heading.into(), String::new())],
            description: String::new(),
            witness_warning: String::new(),
        },
        heading: heading.into(),
        message: message.into(),
        code: code.into(),
        request_id: crate::request_id::current(),
    };
    (status, render(page)).into_response()
}

pub(crate) fn app_error_page(error: AppError) -> Response {
    let api = ApiError::from(error);
    error_page(api.status(), api.code, &api.message)
}

pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::new("NOT_FOUND").into_response();
    }
    error_page(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "您访问的页面不存在或已被移除。",
    )
}

pub(crate) async fn method_not_allowed(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::new("METHOD_NOT_ALLOWED").into_response();
    }
    error_page(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "不支持该请求方法。",
    )
}

pub(crate) async fn static_file(Path(file): Path<String>) -> Response {
    let (body, content_type) = match file.as_str() {
        "style.css" => (
            include_str!("../../static/style.css"),
            "text/css; charset=utf-8",
        ),
        "ledger.js" => (
            include_str!("../../static/ledger.js"),
            "text/javascript; charset=utf-8",
        ),
        "ui.js" => (
            include_str!("../../static/ui.js"),
            "text/javascript; charset=utf-8",
        ),
        "countdown.js" => (
            include_str!("../../static/countdown.js"),
            "text/javascript; charset=utf-8",
        ),
        "auction.js" => (
            include_str!("../../static/auction.js"),
            "text/javascript; charset=utf-8",
        ),
        "evaluation.js" => (
            include_str!("../../static/evaluation.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return error_page(StatusCode::NOT_FOUND, "NOT_FOUND", "文件不存在。"),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    pub(crate) page: Option<u64>,
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) notice: Option<String>,
    #[serde(default)]
    pub(crate) tone: Option<String>,
    #[serde(default)]
    pub(crate) seq: Option<String>,
}

pub(crate) fn page_count_per(total: u64, per_page: u64) -> u64 {
    total.div_ceil(per_page).max(1)
}

/// Rows per list page.
pub(crate) const PER_PAGE: u64 = 20;

/// The last page a list link may ask for (keeps offsets small).
const MAX_PAGE: u64 = 100_000;

pub(crate) type Params = Query<HashMap<String, String>>;

pub(crate) fn param<'a>(params: &'a HashMap<String, String>, key: &str) -> &'a str {
    params.get(key).map_or("", |v| v.trim())
}

pub(crate) fn page_of(params: &HashMap<String, String>) -> u64 {
    param(params, "page")
        .parse::<u64>()
        .unwrap_or(1)
        .clamp(1, MAX_PAGE)
}

pub(crate) fn page_count(total: u64) -> u64 {
    total.div_ceil(PER_PAGE).max(1)
}

pub(crate) fn csrf_of(caller: &MaybeCaller) -> String {
    caller
        .0
        .as_ref()
        .and_then(|c| c.csrf.clone())
        .unwrap_or_default()
}

pub(crate) fn login(next: &str) -> Response {
    Redirect::to(&format!("/login?next={}", urlencode(next))).into_response()
}

/// A message above a page: a completed act (`done`) or a refusal with its code.
#[derive(Default)]
pub(crate) struct Notice {
    pub(crate) tone: &'static str,
    pub(crate) message: String,
    pub(crate) code: String,
    /// The ledger entry that witnesses the act, or 0.
    pub(crate) seq: u64,
    pub(crate) has_seq: bool,
}

/// The form fields of a urlencoded body, trimmed.
pub(crate) fn fields(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
        .collect()
}

impl Notice {
    pub(crate) fn refusal(error: &ApiError) -> Self {
        Self {
            tone: "bad",
            message: error.message.clone(),
            code: error.code.to_string(),
            ..Self::default()
        }
    }
}

/// After a form post: back to `page` with `done`, or the refusal's code and message on the page.
pub(crate) async fn after<F, Fut>(
    result: Result<(), AppError>,
    page: &str,
    done: &str,
    rerender: F,
) -> Response
where
    F: FnOnce(Notice) -> Fut,
    Fut: std::future::Future<Output = Result<Response, AppError>>,
{
    match result {
        Ok(()) => {
            let joiner = if page.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{page}{joiner}done={done}")).into_response()
        }
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => {
            let api = ApiError::from(error);
            let status = api.status();
            match rerender(Notice::refusal(&api)).await {
                Ok(page) => (status, page).into_response(),
                Err(_) => crate::shared::page::error_page(status, api.code, &api.message),
            }
        }
    }
}

/// `text` percent-encoded for a query string.
pub(crate) fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The signed-in caller of a page handler. The access layer sends anyone else to the log-in page
/// before a handler runs (every page route that needs a caller names roles), so this hands the
/// caller over; should a request still arrive without one, it answers the log-in redirect that
/// comes back to the page: the request's own for a GET, the referring page for a form post (a
/// post's address cannot be opened after logging in).
pub(crate) struct SignedIn(pub(crate) app::Caller);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Response> {
        if let Some(caller) = parts
            .extensions
            .get::<MaybeCaller>()
            .and_then(|maybe| maybe.0.clone())
        {
            return Ok(Self(caller));
        }
        Err(login(&return_path(
            &parts.method,
            &parts.uri,
            &parts.headers,
        )))
    }
}

/// Where the log-in page sends a caller back: the page itself for a GET (or HEAD), the page the
/// form was on for anything else — a post's own address cannot be opened after logging in.
pub(crate) fn return_path(
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
) -> String {
    if method == axum::http::Method::GET || method == axum::http::Method::HEAD {
        return uri.path().to_string();
    }
    headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.parse::<axum::http::Uri>().ok())
        .map(|r| r.path().to_string())
        .unwrap_or_else(|| "/".into())
}
