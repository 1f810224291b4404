//! Open data: OCDS 1.1.5 releases with cursor paging, the bulk file, the national data
//! specification's export, and the page that explains them (`/open-data`).

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::access::MaybeCaller;
use crate::errors::ApiError;
use crate::shared::api::site;
use crate::shared::page::{Layout, layout, render};

/// Procedures per page unless asked otherwise.
const DEFAULT_LIMIT: u64 = 20;

fn limit_of(params: &HashMap<String, String>) -> Result<u64, ApiError> {
    match params.get("limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| ApiError::with_message("CURSOR_INVALID", "limit 应为 1 到 100 的整数")),
    }
}

/// The national export's paging: the cursor is the last stream of the previous page.
fn stream_paging(params: &HashMap<String, String>) -> Result<(String, u64), ApiError> {
    let cursor = params.get("cursor").cloned().unwrap_or_default();
    let known = ["procedure/", "auction/"];
    if cursor.len() > 200 || !(cursor.is_empty() || known.iter().any(|k| cursor.starts_with(k))) {
        return Err(ApiError::with_message(
            "CURSOR_INVALID",
            "游标无效，请使用上一页返回的游标",
        ));
    }
    Ok((cursor, limit_of(params)?))
}

/// The releases' and records' paging: the cursor is a ledger place (decimal digits), the place
/// of the last act of the previous page.
fn seq_paging(params: &HashMap<String, String>) -> Result<(Option<i64>, u64), ApiError> {
    let invalid = || {
        ApiError::with_message(
            "CURSOR_INVALID",
            "游标无效，请使用上一页返回的游标（从头开始则省略）",
        )
    };
    let cursor = match params.get("cursor").map(String::as_str) {
        None | Some("") => None,
        Some(text) if text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit()) => {
            Some(text.parse::<i64>().map_err(|_| invalid())?)
        }
        Some(_) => return Err(invalid()),
    };
    Ok((cursor, limit_of(params)?))
}

/// `package` as JSON with the next page's address in `Link: <…>; rel="next"` and its cursor in
/// `X-Next-Cursor`, sent as it is (decimal digits need no encoding) — neither on the last page.
fn paged(package: serde_json::Value, url: &str, next: Option<i64>, limit: u64) -> Response {
    let mut response = Json(package).into_response();
    if let Some(next) = next {
        let link = format!("<{url}?cursor={next}&limit={limit}>; rel=\"next\"");
        if let Ok(link) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, link);
        }
        response
            .headers_mut()
            .insert("x-next-cursor", HeaderValue::from(next));
    }
    response
}

/// The answer when nothing exists after the cursor: OCDS packages need at least one release or
/// record, so no package is sent (the client keeps its cursor and asks again later).
fn nothing_new() -> Response {
    axum::http::StatusCode::NO_CONTENT.into_response()
}

/// `GET /api/v1/ocds/releases`: a release package with the releases of up to `limit`
/// procedures after `cursor`; the next page is in the `Link: <…>; rel="next"` header (and
/// `X-Next-Cursor`), absent on the last page.
#[utoipa::path(get, path = "/api/v1/ocds/releases", tag = "open-data",
    params(
        ("cursor" = Option<String>, Query, pattern = "^[0-9]{0,18}$", description = "上一页返回的游标（账本序号）；省略则从头开始"),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 100, description = "每页的公开行为数，1–100，默认 20"),
    ),
    responses((status = 200, description = "OCDS 1.1 release package（含 bids 扩展）"), (status = 204, description = "游标之后没有新的 release"), (status = 422, description = "游标或 limit 无效")))]
pub(crate) async fn releases(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (cursor, limit) = seq_paging(&params)?;
    let (releases, next) = state.app.ocds_releases(cursor, limit).await?;
    if releases.is_empty() {
        return Ok(nothing_new());
    }
    let site = site(&state, &headers);
    let uri = format!(
        "{site}/api/v1/ocds/releases?cursor={}&limit={limit}",
        cursor.map(|c| c.to_string()).unwrap_or_default()
    );
    let package = state.app.ocds_package(&site, &uri, releases).await?;
    Ok(paged(
        package,
        &format!("{site}/api/v1/ocds/releases"),
        next,
        limit,
    ))
}

/// `GET /api/v1/ocds/records`: a record package — for each contracting process (lot) of up to
/// `limit` procedures after `cursor`, all its releases and the compiled release; paged like the
/// releases.
#[utoipa::path(get, path = "/api/v1/ocds/records", tag = "open-data",
    params(
        ("cursor" = Option<String>, Query, pattern = "^[0-9]{0,18}$", description = "上一页返回的游标（账本序号）；省略则从头开始"),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 100, description = "每页的公开行为数，1–100，默认 20"),
    ),
    responses((status = 200, description = "OCDS 1.1 record package（每个标段一条记录，含 compiledRelease）"), (status = 204, description = "游标之后没有新的 release"), (status = 422, description = "游标或 limit 无效")))]
pub(crate) async fn records(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (cursor, limit) = seq_paging(&params)?;
    let (records, next) = state.app.ocds_records(cursor, limit).await?;
    if records.is_empty() {
        return Ok(nothing_new());
    }
    let site = site(&state, &headers);
    let uri = format!(
        "{site}/api/v1/ocds/records?cursor={}&limit={limit}",
        cursor.map(|c| c.to_string()).unwrap_or_default()
    );
    let mut package = state.app.ocds_package(&site, &uri, Vec::new()).await?;
    if let Some(object) = package.as_object_mut() {
        object.remove("releases");
        object.insert("records".into(), serde_json::json!(records));
    }
    Ok(paged(
        package,
        &format!("{site}/api/v1/ocds/records"),
        next,
        limit,
    ))
}

/// Every release, page after page.
async fn all_releases(state: &AppState) -> Result<Vec<serde_json::Value>, ApiError> {
    let mut cursor: Option<i64> = None;
    let mut out = Vec::new();
    loop {
        let (releases, next) = state.app.ocds_releases(cursor, 100).await?;
        out.extend(releases);
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok(out),
        }
    }
}

/// `GET /api/v1/ocds/bulk/releases.jsonl.gz`: every release, one JSON object per line, gzip.
#[utoipa::path(get, path = "/api/v1/ocds/bulk/releases.jsonl.gz", tag = "open-data",
    responses((status = 200, description = "全部 OCDS release，每行一个 JSON，gzip 压缩")))]
pub(crate) async fn bulk_releases(
    State(state): State<Arc<AppState>>,
) -> Result<Response, ApiError> {
    let releases = all_releases(&state).await?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for release in releases {
        let line =
            serde_json::to_vec(&release).map_err(|e| app::AppError::Internal(e.to_string()))?;
        encoder
            .write_all(&line)
            .and_then(|_| encoder.write_all(b"\n"))
            .map_err(|e| app::AppError::Internal(e.to_string()))?;
    }
    let bytes = encoder
        .finish()
        .map_err(|e| app::AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/gzip"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"releases.jsonl.gz\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/v1/ocds/bulk/package.json`: every release in one release package (what the
/// Open Contracting Partnership's validator takes).
#[utoipa::path(get, path = "/api/v1/ocds/bulk/package.json", tag = "open-data",
    responses((status = 200, description = "全部 OCDS release 组成的一个 release package")))]
pub(crate) async fn bulk_package(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let releases = all_releases(&state).await?;
    if releases.is_empty() {
        return Ok(nothing_new());
    }
    let site = site(&state, &headers);
    let uri = format!("{site}/api/v1/ocds/bulk/package.json");
    Ok(Json(state.app.ocds_package(&site, &uri, releases).await?).into_response())
}

/// `GET /api/v1/export/national`: the same records in the national data specification's
/// field names, one object per data-set record, with the cursor of the next page.
#[utoipa::path(get, path = "/api/v1/export/national", tag = "open-data",
    params(
        ("cursor" = Option<String>, Query, pattern = "^((procedure|auction)/[ -~]{0,190})?$", description = "上一页返回的游标"),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 100, description = "每页的项目数，1–100，默认 20"),
    ),
    responses((status = 200, description = "{records, next_cursor}"), (status = 422, description = "游标或 limit 无效")))]
pub(crate) async fn national(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (cursor, limit) = stream_paging(&params)?;
    let (records, next) = state.app.national_export(&cursor, limit).await?;
    Ok(Json(serde_json::json!({
        "specification": "公共资源交易平台系统数据规范（字段名）",
        "records": records,
        "next_cursor": next,
    })))
}

#[derive(Template)]
#[template(path = "open_data.html")]
struct OpenDataPage {
    layout: Layout,
    ocid_prefix: String,
    platform_code: String,
    publisher: String,
}

/// `GET /open-data`: what is published, where, under which licence and policy.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    let publisher = state
        .app
        .publisher()
        .await
        .map(|p| p.name)
        .unwrap_or_default();
    render(OpenDataPage {
        layout: layout(
            &state,
            &caller,
            "开放数据",
            "open-data",
            &[("开放数据", "")],
        ),
        ocid_prefix: state.app.settings().ocds.ocid_prefix.clone(),
        platform_code: state.app.settings().ocds.platform_code.clone(),
        publisher,
    })
}
