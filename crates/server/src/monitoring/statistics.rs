//! 交易数据统计汇总: the public summary (`/statistics`), the supervisors' detailed page
//! (`/supervision/statistics`: warnings and their outcomes, the lots of the selection, the red
//! flags over its open data), each table as CSV or Excel (`/statistics/download`) and the API
//! (`/api/v1/statistics`). Charts are SVG drawn here. Definitions: docs/statistics.md.

use std::collections::HashMap;
use std::sync::Arc;

use app::{AppError, StatisticsView};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::{Date, LotFact, LotOutcome, StatsQuery, Tally};
use serde::Deserialize;

use super::charts::{self, Bar};
use crate::AppState;
use crate::access::MaybeCaller;
use crate::disclosure::portal::domain_label;
use crate::errors::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::format::{beijing_date, region_name, yuan};
use crate::shared::page::{
    Layout, Params, app_error_page, layout, page_count_per, param, render, urlencode,
};

/// Lots per page of the detailed page.
const LOTS_PER_PAGE: u64 = 50;

/// The cardinal indicators the detailed page runs, with cardinal's defaults.
const RED_FLAG_SETTINGS: &str =
    "[R003]\n[R018]\n[R024]\n[R025]\n[R028]\n[R030]\n[R035]\n[R036]\n[R038]\n[R048]\n[R058]\n";

/// The filters, as the API and the pages take them.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct StatsParams {
    /// A trading-catalog category code (e.g. `procurement`); empty: all.
    #[param(max_length = 40)]
    pub(crate) category: Option<String>,
    /// A 6-digit region code: it and every region below it; empty: all.
    #[param(pattern = "^([0-9]{6})?$")]
    pub(crate) region: Option<String>,
    /// A method code (`open_tender`, …, or a sale's `english`, `listing`, `sealed`, `quota`).
    #[param(max_length = 40)]
    pub(crate) method: Option<String>,
    /// First day (YYYY-MM-DD, Beijing time); by default 364 days before `to`.
    #[param(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub(crate) from: Option<String>,
    /// Last day (YYYY-MM-DD); by default today.
    #[param(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub(crate) to: Option<String>,
}

/// A download: the filters, the table and the format.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct DownloadParams {
    #[param(max_length = 40)]
    pub(crate) category: Option<String>,
    #[param(pattern = "^([0-9]{6})?$")]
    pub(crate) region: Option<String>,
    #[param(max_length = 40)]
    pub(crate) method: Option<String>,
    #[param(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub(crate) from: Option<String>,
    #[param(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub(crate) to: Option<String>,
    /// `category`, `region`, `method`, `month` or `lots`.
    #[param(pattern = "^(category|region|method|month|lots)$")]
    pub(crate) table: String,
    /// `csv` or `xlsx`.
    #[param(pattern = "^(csv|xlsx)$")]
    pub(crate) format: String,
}

/// The sale methods' codes and names (a tendering method's come from `domain::Method`).
const SALE_METHODS: [(&str, &str); 4] = [
    ("english", "拍卖（增价）"),
    ("listing", "挂牌"),
    ("sealed", "密封报价"),
    ("quota", "配额竞价"),
];

fn method_label(code: &str) -> String {
    domain::Method::parse(code)
        .map(|m| m.label_zh().to_string())
        .or_else(|| {
            SALE_METHODS
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, l)| l.to_string())
        })
        .unwrap_or_else(|| code.to_string())
}

fn region_label(code: &str) -> String {
    match region_name(code) {
        "" => code.to_string(),
        name => name.to_string(),
    }
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::refused("STATISTICS_FILTER", message)
}

/// The filters checked: a known category and method, a region code, a period of real days
/// in order. Returns the query and the period's days as shown.
async fn query_of(
    state: &AppState,
    category: &str,
    region: &str,
    method: &str,
    from: &str,
    to: &str,
) -> Result<StatsQuery, AppError> {
    let catalog = state.app.reference_data().await?.catalog;
    let category = category.trim();
    if !category.is_empty() && catalog.category(category).is_err() {
        return Err(refused(format!("交易目录中没有类别“{category}”")));
    }
    let region = region.trim();
    if !region.is_empty() && (region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit())) {
        return Err(refused("地区应为6位行政区划代码"));
    }
    let method = method.trim();
    if !method.is_empty()
        && domain::Method::parse(method).is_none()
        && !SALE_METHODS.iter().any(|(c, _)| *c == method)
    {
        return Err(refused(format!("没有交易方式“{method}”")));
    }
    let day = |text: &str, name: &str| -> Result<Option<Date>, AppError> {
        match text.trim() {
            "" => Ok(None),
            text => Date::parse(text)
                .map(Some)
                .map_err(|_| refused(format!("{name}应为有效日期（YYYY-MM-DD）"))),
        }
    };
    let to = day(to, "截止日期")?.unwrap_or_else(|| Date::of_instant(state.app.now_ms()));
    let from = day(from, "起始日期")?.unwrap_or_else(|| to.add_days(-364));
    if from > to {
        return Err(refused("起始日期不能晚于截止日期"));
    }
    Ok(StatsQuery {
        category: category.to_string(),
        region: region.to_string(),
        method: method.to_string(),
        from: Some(from),
        to: Some(to),
    })
}

fn query_string(query: &StatsQuery) -> String {
    format!(
        "category={}&region={}&method={}&from={}&to={}",
        urlencode(&query.category),
        urlencode(&query.region),
        urlencode(&query.method),
        query.from.map(|d| d.to_string()).unwrap_or_default(),
        query.to.map(|d| d.to_string()).unwrap_or_default(),
    )
}

/// A rate in basis points as a per cent with two decimals (`12.34%`), or `—`.
fn percent(bp: Option<i64>) -> String {
    match bp {
        None => "—".into(),
        Some(bp) => {
            let sign = if bp < 0 { "-" } else { "" };
            format!("{sign}{}.{:02}%", bp.abs() / 100, bp.abs() % 100)
        }
    }
}

/// Hundredths as a decimal (`3.25`), or `—`.
fn centi(value: Option<i64>) -> String {
    value.map_or_else(|| "—".into(), |v| format!("{}.{:02}", v / 100, v % 100))
}

/// Tenths as a decimal (`18.5`), or `—`.
fn deci(value: Option<i64>) -> String {
    value.map_or_else(|| "—".into(), |v| format!("{}.{}", v / 10, v % 10))
}

/// One cell of a table, typed so that Excel gets numbers and CSV plain text.
#[derive(Clone, Debug)]
enum Cell {
    Text(String),
    Count(u64),
    /// 分, shown in 元.
    Money(i64),
    /// Basis points, shown as a per cent.
    Rate(Option<i64>),
    /// Hundredths.
    Centi(Option<i64>),
    /// Tenths.
    Deci(Option<i64>),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Money(fen) => yuan(*fen),
            Cell::Rate(bp) => percent(*bp),
            Cell::Centi(v) => centi(*v),
            Cell::Deci(v) => deci(*v),
        }
    }

    /// As CSV wants it: numbers without separators or units, empty when unknown.
    fn plain(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Money(fen) => {
                let sign = if *fen < 0 { "-" } else { "" };
                format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
            }
            Cell::Rate(bp) => bp.map_or_else(String::new, |bp| {
                let sign = if bp < 0 { "-" } else { "" };
                format!("{sign}{}.{:02}", bp.abs() / 100, bp.abs() % 100)
            }),
            Cell::Centi(v) => v.map_or_else(String::new, |v| format!("{}.{:02}", v / 100, v % 100)),
            Cell::Deci(v) => v.map_or_else(String::new, |v| format!("{}.{}", v / 10, v % 10)),
        }
    }
}

/// A table: its name, headers and rows.
pub(crate) struct Table {
    name: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
}

const GROUP_HEADERS: [&str; 18] = [
    "标段（包）数",
    "已定标",
    "流标",
    "终止",
    "定标项目预算（元）",
    "中标（成交）金额（元）",
    "节资率（%）",
    "平均投标人数",
    "单一投标占比（%）",
    "流标率（%）",
    "平均定标天数",
    "中小企业中标占比（%）",
    "中小企业中标金额占比（%）",
    "出让（转让）宗数",
    "成交宗数",
    "流拍宗数",
    "成交价（元）",
    "溢价率（%）",
];
const WARNING_HEADERS: [&str; 4] = ["预警线索", "待处理", "已排除", "已立案"];

fn tally_cells(t: &Tally, with_warnings: bool) -> Vec<Cell> {
    let mut cells = vec![
        Cell::Count(t.lots),
        Cell::Count(t.awarded),
        Cell::Count(t.failed),
        Cell::Count(t.terminated),
        Cell::Money(t.budget_fen),
        Cell::Money(t.award_fen),
        Cell::Rate(t.saving_bp()),
        Cell::Centi(t.bids_per_lot_centi()),
        Cell::Rate(t.single_bid_bp()),
        Cell::Rate(t.failure_bp()),
        Cell::Deci(t.award_days_deci()),
        Cell::Rate(t.sme_bp()),
        Cell::Rate(t.sme_amount_bp()),
        Cell::Count(t.sales),
        Cell::Count(t.sold),
        Cell::Count(t.no_sale),
        Cell::Money(t.sale_price_fen),
        Cell::Rate(t.premium_bp()),
    ];
    if with_warnings {
        cells.extend([
            Cell::Count(t.warnings),
            Cell::Count(t.warnings_open),
            Cell::Count(t.warnings_closed),
            Cell::Count(t.warnings_case),
        ]);
    }
    cells
}

fn lot_status(fact: &LotFact) -> &'static str {
    match fact.outcome {
        LotOutcome::Awarded => "已定标",
        LotOutcome::Failed => "流标",
        LotOutcome::Terminated => "终止",
        LotOutcome::InProgress => "进行中",
    }
}

/// One of the downloadable tables of a selection.
fn table(view: &StatisticsView, which: &str) -> Table {
    let s = &view.statistics;
    let (name, key_header, groups, label): (_, _, _, fn(&str) -> String) = match which {
        "category" => ("按交易领域", "交易领域", &s.by_category, |c| {
            domain_label(c).to_string()
        }),
        "region" => ("按地区", "地区", &s.by_region, region_label),
        "method" => ("按交易方式", "交易方式", &s.by_method, method_label),
        "month" => ("按月份", "月份", &s.by_month, |m| m.to_string()),
        _ => {
            return Table {
                name: "标段明细",
                headers: vec![
                    "统一交易标识码",
                    "项目名称",
                    "交易领域",
                    "地区",
                    "交易方式",
                    "预算（元）",
                    "发布日期",
                    "状态",
                    "投标人数",
                    "中标价（元）",
                    "定标日期",
                    "中小企业中标",
                ],
                rows: view
                    .lots
                    .iter()
                    .map(|f| {
                        vec![
                            Cell::Text(f.lot.clone()),
                            Cell::Text(f.title.clone()),
                            Cell::Text(domain_label(&f.category).to_string()),
                            Cell::Text(region_label(&f.region)),
                            Cell::Text(method_label(&f.method)),
                            Cell::Money(f.budget_fen),
                            Cell::Text(beijing_date(f.announced_ms)),
                            Cell::Text(lot_status(f).to_string()),
                            f.bids
                                .map_or(Cell::Text(String::new()), |b| Cell::Count(u64::from(b))),
                            f.award_fen.map_or(Cell::Text(String::new()), Cell::Money),
                            Cell::Text(f.awarded_ms.map(beijing_date).unwrap_or_default()),
                            Cell::Text(if f.winner_sme { "是" } else { "" }.to_string()),
                        ]
                    })
                    .collect(),
            };
        }
    };
    let mut headers = vec![key_header];
    headers.extend(GROUP_HEADERS);
    if view.with_warnings {
        headers.extend(WARNING_HEADERS);
    }
    let mut rows: Vec<Vec<Cell>> = groups
        .iter()
        .map(|(key, t)| {
            let mut row = vec![Cell::Text(label(key))];
            row.extend(tally_cells(t, view.with_warnings));
            row
        })
        .collect();
    let mut total = vec![Cell::Text("合计".into())];
    total.extend(tally_cells(&s.total, view.with_warnings));
    rows.push(total);
    Table {
        name,
        headers,
        rows,
    }
}

/// RFC 4180 CSV with a UTF-8 byte-order mark (so that Excel reads the Chinese).
fn csv_of(table: &Table) -> Vec<u8> {
    fn field(text: &str) -> String {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_string()
        }
    }
    let mut out = String::from("\u{feff}");
    out.push_str(
        &table
            .headers
            .iter()
            .map(|h| field(h))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push_str("\r\n");
    for row in &table.rows {
        out.push_str(
            &row.iter()
                .map(|c| field(&c.plain()))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The table as an Excel workbook: numbers as numbers (元 with two decimals, rates in %).
fn xlsx_of(table: &Table) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(table.name).map_err(fail)?;
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let two = Format::new().set_num_format("0.00");
    let one = Format::new().set_num_format("0.0");
    for (col, header) in table.headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *header, &bold)
            .map_err(fail)?;
        sheet
            .set_column_width(col as u16, if col == 0 { 24 } else { 14 })
            .map_err(fail)?;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let c = col as u16;
            match cell {
                Cell::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
                Cell::Count(n) => sheet.write_number(r, c, *n as f64).map(|_| ()),
                Cell::Money(fen) => sheet
                    .write_number_with_format(r, c, *fen as f64 / 100.0, &money)
                    .map(|_| ()),
                Cell::Rate(Some(bp)) => sheet
                    .write_number_with_format(r, c, *bp as f64 / 100.0, &two)
                    .map(|_| ()),
                Cell::Centi(Some(v)) => sheet
                    .write_number_with_format(r, c, *v as f64 / 100.0, &two)
                    .map(|_| ()),
                Cell::Deci(Some(v)) => sheet
                    .write_number_with_format(r, c, *v as f64 / 10.0, &one)
                    .map(|_| ()),
                Cell::Rate(None) | Cell::Centi(None) | Cell::Deci(None) => Ok(()),
            }
            .map_err(fail)?;
        }
    }
    sheet.set_freeze_panes(1, 1).map_err(fail)?;
    workbook.save_to_buffer().map_err(fail)
}

fn download_response(table: &Table, format: &str) -> Result<Response, AppError> {
    let (body, content_type, extension) = if format == "xlsx" {
        (
            xlsx_of(table)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        (csv_of(table), "text/csv; charset=utf-8", "csv")
    };
    let name = format!("交易数据统计-{}.{extension}", table.name);
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{encoded}"),
            ),
        ],
        body,
    )
        .into_response())
}

/// The figures of a tally as JSON: the counts and sums, and each rate (basis points, or null).
fn tally_json(t: &Tally, with_warnings: bool) -> serde_json::Value {
    let mut value = serde_json::json!({
        "lots": t.lots,
        "awarded": t.awarded,
        "failed": t.failed,
        "terminated": t.terminated,
        "awarded_budget_fen": t.budget_fen,
        "award_fen": t.award_fen,
        "saving_bp": t.saving_bp(),
        "bid_lots": t.bid_lots,
        "bids": t.bids,
        "bids_per_lot_centi": t.bids_per_lot_centi(),
        "single_bid_lots": t.single_bid,
        "single_bid_bp": t.single_bid_bp(),
        "failure_bp": t.failure_bp(),
        "award_days_total": t.award_days,
        "award_days_deci": t.award_days_deci(),
        "sme_awards": t.sme_awards,
        "sme_award_fen": t.sme_award_fen,
        "sme_bp": t.sme_bp(),
        "sme_amount_bp": t.sme_amount_bp(),
        "sales": t.sales,
        "sold": t.sold,
        "no_sale": t.no_sale,
        "sale_start_fen": t.sale_start_fen,
        "sale_price_fen": t.sale_price_fen,
        "premium_bp": t.premium_bp(),
        "sale_bidders": t.sale_bidders,
    });
    if with_warnings {
        value["warnings"] = serde_json::json!({
            "raised": t.warnings,
            "open": t.warnings_open,
            "closed": t.warnings_closed,
            "case": t.warnings_case,
        });
    }
    value
}

fn groups_json(groups: &[(String, Tally)], with_warnings: bool) -> serde_json::Value {
    serde_json::Value::Array(
        groups
            .iter()
            .map(
                |(key, t)| serde_json::json!({ "key": key, "tally": tally_json(t, with_warnings) }),
            )
            .collect(),
    )
}

/// 交易数据统计: the selection's totals and breakdowns (warnings for supervisors and auditors).
#[utoipa::path(get, path = "/api/v1/statistics", tag = "智慧监管", params(StatsParams), responses((status = 200, body = Object), (status = 422, body = ErrorBody)))]
pub(crate) async fn api(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiQuery(params): ApiQuery<StatsParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let query = query_of(
        &state,
        params.category.as_deref().unwrap_or(""),
        params.region.as_deref().unwrap_or(""),
        params.method.as_deref().unwrap_or(""),
        params.from.as_deref().unwrap_or(""),
        params.to.as_deref().unwrap_or(""),
    )
    .await?;
    let view = state
        .app
        .statistics(maybe.0.as_ref(), &query, false)
        .await?;
    let w = view.with_warnings;
    let s = &view.statistics;
    Ok(Json(serde_json::json!({
        "query": {
            "category": query.category,
            "region": query.region,
            "method": query.method,
            "from": query.from.map(|d| d.to_string()),
            "to": query.to.map(|d| d.to_string()),
        },
        "total": tally_json(&s.total, w),
        "by_category": groups_json(&s.by_category, w),
        "by_region": groups_json(&s.by_region, w),
        "by_method": groups_json(&s.by_method, w),
        "by_month": groups_json(&s.by_month, w),
    })))
}

/// One table of the selection as CSV or Excel.
#[utoipa::path(get, path = "/statistics/download", tag = "智慧监管", params(DownloadParams), responses((status = 200, description = "CSV（UTF-8）或 Excel（xlsx）文件", content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 422, body = ErrorBody)))]
pub(crate) async fn download(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiQuery(params): ApiQuery<DownloadParams>,
) -> Result<Response, ApiError> {
    if !matches!(
        params.table.as_str(),
        "category" | "region" | "method" | "month" | "lots"
    ) {
        return Err(refused("表格应为 category、region、method、month 或 lots").into());
    }
    if !matches!(params.format.as_str(), "csv" | "xlsx") {
        return Err(refused("格式应为 csv 或 xlsx").into());
    }
    let query = query_of(
        &state,
        params.category.as_deref().unwrap_or(""),
        params.region.as_deref().unwrap_or(""),
        params.method.as_deref().unwrap_or(""),
        params.from.as_deref().unwrap_or(""),
        params.to.as_deref().unwrap_or(""),
    )
    .await?;
    let detail = params.table == "lots";
    let view = state
        .app
        .statistics(maybe.0.as_ref(), &query, detail)
        .await?;
    Ok(download_response(
        &table(&view, &params.table),
        &params.format,
    )?)
}

/// A table as the page shows it.
pub(crate) struct ShownTable {
    key: &'static str,
    name: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

fn shown(view: &StatisticsView, key: &'static str) -> ShownTable {
    let table = table(view, key);
    ShownTable {
        key,
        name: table.name,
        headers: table.headers,
        rows: table
            .rows
            .iter()
            .map(|row| row.iter().map(Cell::text).collect())
            .collect(),
    }
}

/// A headline figure.
pub(crate) struct Figure {
    label: &'static str,
    value: String,
}

/// A red flag as the page shows it.
pub(crate) struct FlagRow {
    code: String,
    name: &'static str,
    group: &'static str,
    count: usize,
    /// The first flagged (lot codes for processes, 统一社会信用代码 for organisations).
    flagged: Vec<String>,
}

fn flag_name(code: &str) -> &'static str {
    match code {
        "R003" => "投标期过短",
        "R018" => "仅收到一份投标",
        "R024" => "次低报价与中标价过于接近",
        "R025" => "多次投标均未中标",
        "R028" => "不同投标人报价相同",
        "R030" => "截止时间后的投标中标",
        "R035" => "除中标人外其他投标均被否决",
        "R036" => "最低价投标被否决",
        "R038" => "被否决投标比例过高",
        "R048" => "中标品目过于分散",
        "R058" => "中标价远低于其他报价",
        _ => "",
    }
}

fn group_name(group: &str) -> &'static str {
    match group {
        "OCID" => "交易项目",
        "Buyer" => "采购人",
        "ProcuringEntity" => "采购代理",
        "Tenderer" => "投标人",
        _ => "其他",
    }
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatsPage {
    layout: Layout,
    detailed: bool,
    action: &'static str,
    query: String,
    category: String,
    region: String,
    method: String,
    from: String,
    to: String,
    categories: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    methods: Vec<(String, String)>,
    figures: Vec<Figure>,
    month_chart: String,
    category_chart: String,
    region_chart: String,
    tables: Vec<ShownTable>,
    /// The page's lots: the procedure (for the link) and the cells.
    lots: Vec<(String, Vec<String>)>,
    lot_total: u64,
    page: u64,
    pages: u64,
    flags: Vec<FlagRow>,
    flagged_lots: usize,
}

fn figures(view: &StatisticsView) -> Vec<Figure> {
    let t = &view.statistics.total;
    let mut figures = vec![
        Figure {
            label: "交易项目（标段、宗）",
            value: (t.lots + t.sales).to_string(),
        },
        Figure {
            label: "成交金额（元）",
            value: yuan(t.turnover_fen()),
        },
        Figure {
            label: "节资率",
            value: percent(t.saving_bp()),
        },
        Figure {
            label: "溢价率",
            value: percent(t.premium_bp()),
        },
        Figure {
            label: "平均投标人数",
            value: centi(t.bids_per_lot_centi()),
        },
        Figure {
            label: "单一投标占比",
            value: percent(t.single_bid_bp()),
        },
        Figure {
            label: "流标率",
            value: percent(t.failure_bp()),
        },
        Figure {
            label: "平均定标天数",
            value: deci(t.award_days_deci()),
        },
        Figure {
            label: "中小企业中标占比",
            value: percent(t.sme_bp()),
        },
    ];
    if view.with_warnings {
        figures.push(Figure {
            label: "预警线索（待处理 / 已排除 / 已立案）",
            value: format!(
                "{}（{} / {} / {}）",
                t.warnings, t.warnings_open, t.warnings_closed, t.warnings_case
            ),
        });
    }
    figures
}

async fn page(
    state: &AppState,
    caller: &MaybeCaller,
    params: &HashMap<String, String>,
    detailed: bool,
) -> Result<Response, AppError> {
    let query = query_of(
        state,
        param(params, "category"),
        param(params, "region"),
        param(params, "method"),
        param(params, "from"),
        param(params, "to"),
    )
    .await?;
    let view = state
        .app
        .statistics(caller.0.as_ref(), &query, detailed)
        .await?;
    let s = &view.statistics;
    // Months while they fit (five years), years beyond.
    let mut periods: Vec<(String, i64)> = Vec::new();
    for (month, t) in &s.by_month {
        let key = if s.by_month.len() > 60 {
            month[..4].to_string()
        } else {
            month.clone()
        };
        match periods.last_mut() {
            Some((last, sum)) if *last == key => *sum += t.turnover_fen(),
            _ => periods.push((key, t.turnover_fen())),
        }
    }
    let month_chart = charts::columns(
        if s.by_month.len() > 60 {
            "各年成交金额（万元）"
        } else {
            "各月成交金额（万元）"
        },
        &periods
            .into_iter()
            .map(|(label, fen)| Bar {
                label,
                value: fen / 1_000_000,
                shown: format!("{} 元", yuan(fen)),
            })
            .collect::<Vec<_>>(),
    );
    let category_chart = charts::rows(
        "各交易领域项目数",
        &s.by_category
            .iter()
            .map(|(code, t)| Bar {
                label: domain_label(code).to_string(),
                value: (t.lots + t.sales) as i64,
                shown: format!("{} 个", t.lots + t.sales),
            })
            .collect::<Vec<_>>(),
    );
    let region_chart = charts::rows(
        "各地区成交金额",
        &s.by_region
            .iter()
            .map(|(code, t)| Bar {
                label: region_label(code),
                value: t.turnover_fen() / 100,
                shown: format!("{} 元", yuan(t.turnover_fen())),
            })
            .collect::<Vec<_>>(),
    );
    let catalog = state.app.reference_data().await?.catalog;
    let categories = catalog
        .categories
        .iter()
        .map(|c| (c.code.clone(), c.name.clone()))
        .collect();
    let mut regions = vec![("330000".to_string(), "浙江省".to_string())];
    regions.extend((1..=11).map(|i| {
        let code = format!("33{i:02}00");
        let name = region_label(&code);
        (code, format!("　{name}"))
    }));
    let methods = domain::Method::ALL
        .iter()
        .map(|m| (m.as_str().to_string(), m.label_zh().to_string()))
        .chain(
            SALE_METHODS
                .iter()
                .map(|(c, l)| (c.to_string(), format!("{l}（网上竞价）"))),
        )
        .collect();
    let tables: Vec<ShownTable> = ["category", "region", "method", "month"]
        .into_iter()
        .map(|key| shown(&view, key))
        .collect();
    let page_no = param(params, "page")
        .parse::<u64>()
        .unwrap_or(1)
        .clamp(1, 100_000);
    let (mut lots, mut flags, mut flagged_lots) = (Vec::new(), Vec::new(), 0);
    let lot_total = view.lots.len() as u64;
    if detailed {
        let all = shown(&view, "lots");
        let start = ((page_no - 1) * LOTS_PER_PAGE) as usize;
        lots = view
            .lots
            .iter()
            .map(|f| f.procedure.clone())
            .zip(all.rows)
            .skip(start)
            .take(LOTS_PER_PAGE as usize)
            .collect();
        let settings = flags::Settings::parse(RED_FLAG_SETTINGS)
            .map_err(|e| AppError::Internal(format!("red-flag settings: {e}")))?;
        let found = state.app.red_flags(&view, &settings).await?;
        let prefix = format!("{}-", state.app.settings().ocds.ocid_prefix);
        let mut any: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        for flag in found.iter().filter(|f| f.group == "OCID") {
            any.extend(flag.flagged.iter().map(String::as_str));
        }
        flagged_lots = any.len();
        flags = found
            .iter()
            .map(|flag| FlagRow {
                name: flag_name(&flag.code),
                group: group_name(&flag.group),
                count: flag.flagged.len(),
                flagged: flag
                    .flagged
                    .iter()
                    .take(20)
                    .map(|id| {
                        id.strip_prefix(&prefix)
                            .or_else(|| id.strip_prefix("CN-USCI-"))
                            .unwrap_or(id)
                            .to_string()
                    })
                    .collect(),
                code: flag.code.clone(),
            })
            .collect();
    }
    let (title, nav, action): (&str, &'static str, &'static str) = if detailed {
        (
            "交易数据统计（监管）",
            "oversight",
            "/supervision/statistics",
        )
    } else {
        ("交易数据统计", "statistics", "/statistics")
    };
    let crumbs: Vec<(&str, &str)> = if detailed {
        vec![("在线监督", "/oversight"), ("交易数据统计", "")]
    } else {
        vec![("交易数据统计", "")]
    };
    Ok(render(StatsPage {
        layout: layout(state, caller, title, nav, &crumbs),
        detailed,
        action,
        query: query_string(&query),
        category: query.category.clone(),
        region: query.region.clone(),
        method: query.method.clone(),
        from: query.from.map(|d| d.to_string()).unwrap_or_default(),
        to: query.to.map(|d| d.to_string()).unwrap_or_default(),
        categories,
        regions,
        methods,
        figures: figures(&view),
        month_chart,
        category_chart,
        region_chart,
        tables,
        lots,
        lot_total,
        page: page_no,
        pages: page_count_per(lot_total, LOTS_PER_PAGE),
        flags,
        flagged_lots,
    }))
}

/// `GET /statistics`: the public summary.
pub(crate) async fn public_page(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    axum::extract::Query(params): Params,
) -> Response {
    page(&state, &caller, &params, false)
        .await
        .unwrap_or_else(app_error_page)
}

/// `GET /supervision/statistics`: the supervisors' and auditors' detailed page.
pub(crate) async fn detailed_page(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    axum::extract::Query(params): Params,
) -> Response {
    page(&state, &caller, &params, true)
        .await
        .unwrap_or_else(app_error_page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_keeps_numbers_plain() {
        let table = Table {
            name: "t",
            headers: vec!["名称", "金额（元）", "节资率（%）"],
            rows: vec![vec![
                Cell::Text("甲,乙 \"丙\"".into()),
                Cell::Money(123_456_789),
                Cell::Rate(Some(-1234)),
            ]],
        };
        let text = String::from_utf8(csv_of(&table)).unwrap();
        assert_eq!(
            text,
            "\u{feff}名称,金额（元）,节资率（%）\r\n\"甲,乙 \"\"丙\"\"\",1234567.89,-12.34\r\n"
        );
    }

    #[test]
    fn rates_and_decimals_read_as_people_expect() {
        assert_eq!(percent(Some(1234)), "12.34%");
        assert_eq!(percent(Some(-5)), "-0.05%");
        assert_eq!(percent(None), "—");
        assert_eq!(centi(Some(325)), "3.25");
        assert_eq!(deci(Some(185)), "18.5");
    }
}
