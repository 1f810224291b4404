//! Warning pages: `/supervision/warnings` (filters by status and lot; a lot's committee sees
//! its lot's), one warning with its evidence linked to the ledger, and the supervisor's forms
//! (排除 with a reason, 立案).

use std::collections::HashMap;
use std::sync::Arc;

use app::AppError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use domain::{Warning, WarningStatus};

use crate::AppState;
use crate::access::MaybeCaller;
use crate::format::beijing_time;
use crate::shared::page::{
    Layout, Notice, Params, SignedIn, after, app_error_page, csrf_of, fields, layout, param,
    render, urlencode,
};

const PER_PAGE: u64 = 20;

fn done_notice(params: &HashMap<String, String>) -> Notice {
    let message = match param(params, "done") {
        "closed" => "预警线索已排除，理由已写入交易见证账本。",
        _ => return Notice::default(),
    };
    Notice {
        tone: "ok",
        message: message.into(),
        ..Notice::default()
    }
}

/// One warning as a row of the list.
pub(crate) struct WarningRow {
    id: String,
    label: String,
    detail: String,
    lot: String,
    title: String,
    stage: &'static str,
    status: &'static str,
    status_class: &'static str,
    raised: String,
}

fn status_class(status: &WarningStatus) -> &'static str {
    match status {
        WarningStatus::Open => "warn",
        WarningStatus::Closed { .. } => "muted",
        WarningStatus::Case { .. } => "bad",
    }
}

fn row(w: &Warning) -> WarningRow {
    WarningRow {
        id: w.id.clone(),
        label: w.label.clone(),
        detail: w.finding.detail.clone(),
        lot: w.finding.lot.clone().unwrap_or_default(),
        title: w.scope.title.clone(),
        stage: w.stage.label(),
        status: w.status.label(),
        status_class: status_class(&w.status),
        raised: beijing_time(w.raised_at_ms),
    }
}

#[derive(Template)]
#[template(path = "warnings.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<WarningRow>,
    status: String,
    lot: String,
    total: u64,
    page: u64,
    pages: u64,
    query: String,
}

/// `GET /supervision/warnings`.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    axum::extract::Query(params): Params,
) -> Response {
    let status = param(&params, "status").to_string();
    let lot = param(&params, "lot").to_string();
    let page = param(&params, "page")
        .parse::<u64>()
        .unwrap_or(1)
        .clamp(1, 100_000);
    let checked = match super::api::status_filter(Some(&status)) {
        Ok(checked) => checked,
        Err(error) => return app_error_page(error),
    };
    let found = match state
        .app
        .warnings(
            &signed.0,
            checked,
            Some(&lot),
            PER_PAGE,
            (page - 1) * PER_PAGE,
        )
        .await
    {
        Ok(found) => found,
        Err(error) => return app_error_page(error),
    };
    render(ListPage {
        layout: layout(
            &state,
            &caller,
            "预警线索",
            "oversight",
            &[("在线监督", "/oversight"), ("预警线索", "")],
        ),
        rows: found.items.iter().map(row).collect(),
        query: format!("status={}&lot={}", urlencode(&status), urlencode(&lot)),
        status,
        lot,
        pages: found.total.div_ceil(PER_PAGE).max(1),
        total: found.total,
        page,
    })
}

#[derive(Template)]
#[template(path = "warning.html")]
struct OnePage {
    layout: Layout,
    notice: Notice,
    csrf: String,
    warning: Warning,
    stage: &'static str,
    status: &'static str,
    status_class: &'static str,
    raised: String,
    updated: String,
    handled: String,
    case: String,
    may_act: bool,
}

async fn one_page(
    state: &AppState,
    caller: &MaybeCaller,
    who: &app::Caller,
    id: &str,
    notice: Notice,
) -> Result<Response, AppError> {
    let view = state.app.warning(who, id).await?;
    let warning = view.warning;
    let (handled, case) = match &warning.status {
        WarningStatus::Open => (String::new(), String::new()),
        WarningStatus::Closed { reason, by, at_ms } => (
            format!("{} 由 {by} 排除，理由：{reason}", beijing_time(*at_ms)),
            String::new(),
        ),
        WarningStatus::Case { case, by, at_ms } => (
            format!("{} 由 {by} 立案", beijing_time(*at_ms)),
            case.clone(),
        ),
    };
    Ok(render(OnePage {
        layout: layout(
            state,
            caller,
            &format!("预警线索 {}", warning.id),
            "oversight",
            &[
                ("在线监督", "/oversight"),
                ("预警线索", "/supervision/warnings"),
                (warning.id.as_str(), ""),
            ],
        ),
        notice,
        csrf: csrf_of(caller),
        stage: warning.stage.label(),
        status: warning.status.label(),
        status_class: status_class(&warning.status),
        raised: beijing_time(warning.raised_at_ms),
        updated: beijing_time(warning.updated_at_ms),
        handled,
        case,
        may_act: view.may_act,
        warning,
    }))
}

/// `GET /supervision/warnings/{id}`.
pub(crate) async fn one(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(params): Params,
) -> Response {
    match one_page(&state, &caller, &signed.0, &id, done_notice(&params)).await {
        Ok(page) => page,
        Err(error) => app_error_page(error),
    }
}

/// `POST /supervision/warnings/{id}/close`: 排除, with the reason.
pub(crate) async fn close(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = fields(&body);
    let result = state
        .app
        .close_warning(
            &signed.0,
            &id,
            form.get("reason").map_or("", String::as_str),
        )
        .await
        .map(|_| ());
    let back = format!("/supervision/warnings/{id}");
    after(result, &back, "closed", |notice| {
        one_page(&state, &caller, &signed.0, &id, notice)
    })
    .await
}

/// `POST /supervision/warnings/{id}/case`: 立案; on to the new case.
pub(crate) async fn case(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let result = state.app.warning_to_case(&signed.0, &id).await;
    let next = match &result {
        Ok((case, _)) => format!("/cases/{case}"),
        Err(_) => String::new(),
    };
    after(result.map(|_| ()), &next, "act", |notice| {
        one_page(&state, &caller, &signed.0, &id, notice)
    })
    .await
}

#[derive(Template)]
#[template(path = "warning_rules.html")]
struct RulesPage {
    layout: Layout,
    version: u32,
    title: String,
    /// id, label, enabled, thresholds, source.
    signals: Vec<(String, String, bool, String, String)>,
}

/// `GET /warning-rules`: the warning rules in force (public, like every rule).
pub(crate) async fn rules(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    let version = match state
        .app
        .reference_current(domain::ReferenceKind::Warnings)
        .await
    {
        Ok(v) => v.version,
        Err(error) => return app_error_page(error),
    };
    let rules = match state.app.reference_data().await {
        Ok(data) => data.warnings,
        Err(error) => return app_error_page(error),
    };
    render(RulesPage {
        layout: layout(&state, &caller, "预警规则", "rules", &[("预警规则", "")]),
        version,
        title: rules.title.clone(),
        signals: domain::SIGNALS
            .iter()
            .filter_map(|(id, _)| {
                let rule = rules.signals.get(*id)?;
                Some((
                    id.to_string(),
                    rule.label.clone(),
                    rule.enabled,
                    rule.params
                        .iter()
                        .map(|(k, v)| format!("{k} = {v}"))
                        .collect::<Vec<_>>()
                        .join("，"),
                    rule.source.clone(),
                ))
            })
            .collect(),
    })
}
