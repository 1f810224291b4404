//! Pages of the reference data: the public catalog, rule sets, calendar (with a deadline
//! calculator) and version history, and the operator's page to publish a new version.

use std::collections::BTreeMap;
use std::sync::Arc;

use app::AppError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{DayRule, Method, ReferenceKind, Role};
use serde::Deserialize;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::errors::ApiError;
use crate::format::{beijing_time, parse_period_query, threshold_text};
use crate::shared::page::{Layout, app_error_page, error_page, layout, render};

/// The version box shown on each reference page.
pub(crate) struct MetaView {
    pub(crate) kind: &'static str,
    pub(crate) version: u32,
    pub(crate) published_at: String,
    pub(crate) actor: String,
    pub(crate) reason: String,
    pub(crate) seq: u64,
    pub(crate) can_edit: bool,
}

async fn meta(
    state: &AppState,
    caller: &MaybeCaller,
    kind: ReferenceKind,
) -> Result<MetaView, AppError> {
    let current = state.app.reference_current(kind).await?;
    Ok(MetaView {
        kind: kind.as_str(),
        version: current.version,
        published_at: beijing_time(current.published_at_ms),
        actor: current.actor,
        reason: current.reason,
        seq: current.seq,
        can_edit: caller.0.as_ref().is_some_and(|c| c.has(Role::Operator)),
    })
}

pub(crate) struct CategoryView {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) methods: Vec<&'static str>,
    pub(crate) announcements: String,
    pub(crate) supervisor: String,
    pub(crate) rule_category: String,
    pub(crate) rule_title: String,
    pub(crate) source: String,
}

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    layout: Layout,
    title: String,
    meta: MetaView,
    categories: Vec<CategoryView>,
}

pub(crate) async fn catalog(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    let result = async {
        let data = state.app.reference_data().await?;
        let today = domain::Date::of_instant(state.app.now_ms());
        let categories = data
            .catalog
            .categories
            .iter()
            .map(|c| CategoryView {
                code: c.code.clone(),
                name: c.name.clone(),
                methods: c.methods.iter().map(|m: &Method| m.label_zh()).collect(),
                announcements: c.announcements.join("、"),
                supervisor: c.supervisor.clone(),
                rule_category: c.rule_category.clone(),
                rule_title: data
                    .rules
                    .in_force(&c.rule_category, None, today)
                    .map(|s| s.title.clone())
                    .unwrap_or_default(),
                source: c.source.clone(),
            })
            .collect();
        Ok::<_, AppError>(render(CatalogPage {
            layout: layout(&state, &caller, "交易目录", "catalog", &[("交易目录", "")]),
            title: data.catalog.title.clone(),
            meta: meta(&state, &caller, ReferenceKind::Catalog).await?,
            categories,
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

pub(crate) struct RuleSetView {
    pub(crate) id: String,
    pub(crate) category: String,
    pub(crate) title: String,
    pub(crate) layer: String,
    pub(crate) effective_from: String,
    /// (label, key, wording, source)
    pub(crate) periods: Vec<(String, String, String, String)>,
    /// (label, key, value, source)
    pub(crate) thresholds: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    layout: Layout,
    meta: MetaView,
    sets: Vec<RuleSetView>,
}

pub(crate) async fn rules(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    let result = async {
        let data = state.app.reference_data().await?;
        let sets = data
            .rules
            .sets()
            .iter()
            .map(|set| RuleSetView {
                id: set.id.clone(),
                category: set.category.clone(),
                title: set.title.clone(),
                layer: match &set.province {
                    None => "全国".to_string(),
                    Some(code) => format!("省级 {} {code}", crate::format::region_name(code)),
                },
                effective_from: set.effective_from.to_string(),
                periods: set
                    .periods
                    .iter()
                    .map(|(key, rule)| {
                        (
                            rule.label.clone(),
                            key.clone(),
                            rule.period.describe_zh(),
                            rule.source.clone(),
                        )
                    })
                    .collect(),
                thresholds: set
                    .thresholds
                    .iter()
                    .map(|(key, t)| {
                        (
                            t.label.clone(),
                            key.clone(),
                            threshold_text(t.value, t.unit),
                            t.source.clone(),
                        )
                    })
                    .collect(),
            })
            .collect();
        Ok::<_, AppError>(render(RulesPage {
            layout: layout(
                &state,
                &caller,
                "规则集",
                "catalog",
                &[("交易目录", "/catalog"), ("规则集", "")],
            ),
            meta: meta(&state, &caller, ReferenceKind::Rules).await?,
            sets,
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CalendarQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    days: Option<u32>,
    #[serde(default)]
    count: String,
    #[serde(default)]
    kind: String,
}

/// (date, weekday, arrangement, badge class, name)
type DayRow = (String, &'static str, &'static str, &'static str, String);

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    meta: MetaView,
    years: Vec<(i64, Vec<DayRow>)>,
    form_from: String,
    form_days: String,
    kinds: Vec<(&'static str, &'static str, bool)>,
    counts: Vec<(&'static str, &'static str, bool)>,
    result: String,
    result_tone: &'static str,
    /// Open procedures whose deadline the calendar in force puts on a holiday or under the
    /// minimum: (procedure id, title, deadline, what is wrong).
    attention: Vec<(String, String, String, String)>,
}

pub(crate) async fn calendar(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(query): Query<CalendarQuery>,
) -> Response {
    let result = async {
        let data = state.app.reference_data().await?;
        let mut years: BTreeMap<i64, Vec<_>> = BTreeMap::new();
        for entry in data.calendar.entries() {
            let (arrangement, class, name) = match &entry.rule {
                DayRule::Holiday { name } => ("放假", "warn", name.clone()),
                DayRule::Workday { name } => ("调休上班", "info", name.clone()),
            };
            years.entry(entry.date.year()).or_default().push((
                entry.date.to_string(),
                entry.date.weekday().label_zh(),
                arrangement,
                class,
                name,
            ));
        }
        let (mut result, mut tone) = (String::new(), "info");
        if !query.from.is_empty() {
            match parse_period_query(
                &query.from,
                query.days.unwrap_or(0),
                &query.count,
                &query.kind,
            ) {
                Ok((from, period)) => {
                    let date = period.apply(from, &data.calendar);
                    let what = match period.kind {
                        domain::PeriodKind::WithinFrom => "期限届满日（最后一日）",
                        domain::PeriodKind::NotLessThan => "最早可截止日",
                        domain::PeriodKind::AtLeastBefore => "最迟应完成日",
                    };
                    result = format!(
                        "自 {from} 起，{}：{what}为 {date}（{}）",
                        period.describe_zh(),
                        date.weekday().label_zh()
                    );
                    if !data.calendar.covers_range(from, date) {
                        result.push_str(
                            "。暂定：所跨年度的节假日安排尚未录入，仅按周末计算，发布后可能变化。",
                        );
                    }
                    tone = "ok";
                }
                Err(error) => {
                    result = format!("{}（{}）", error.message, error.code);
                    tone = "bad";
                }
            }
        }
        let kinds = [
            ("within_from", "自…之日起N日内"),
            ("not_less_than", "不得少于N日"),
            ("at_least_before", "至少N日前"),
        ]
        .into_iter()
        .map(|(v, l)| (v, l, v == query.kind))
        .collect();
        let counts = [("calendar_days", "日"), ("working_days", "工作日")]
            .into_iter()
            .map(|(v, l)| (v, l, v == query.count))
            .collect();
        Ok::<_, AppError>(render(CalendarPage {
            layout: layout(
                &state,
                &caller,
                "工作日历",
                "catalog",
                &[("交易目录", "/catalog"), ("工作日历", "")],
            ),
            meta: meta(&state, &caller, ReferenceKind::Calendar).await?,
            years: years.into_iter().collect(),
            form_from: query.from.clone(),
            form_days: query.days.map(|d| d.to_string()).unwrap_or_default(),
            kinds,
            counts,
            result,
            result_tone: tone,
            attention: state
                .app
                .deadlines_needing_attention()
                .await?
                .into_iter()
                .map(|(procedure, standing)| {
                    (
                        procedure.id.clone(),
                        procedure.draft.title.clone(),
                        crate::format::beijing_time(procedure.deadline_ms()),
                        crate::format::deadline_note(&standing, false),
                    )
                })
                .collect(),
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

fn kind_of(text: &str) -> Option<ReferenceKind> {
    ReferenceKind::parse(text)
}

fn unknown_kind() -> Response {
    error_page(StatusCode::NOT_FOUND, "NOT_FOUND", "没有这类参考数据。")
}

fn page_of(kind: ReferenceKind) -> &'static str {
    match kind {
        ReferenceKind::Catalog => "/catalog",
        ReferenceKind::Rules => "/rules",
        ReferenceKind::Calendar => "/calendar",
        ReferenceKind::Trust => "/trust",
        ReferenceKind::Supervision => "/supervision",
        ReferenceKind::Credit => "/credit/standards",
        ReferenceKind::Warnings => "/warning-rules",
    }
}

pub(crate) struct VersionView {
    pub(crate) version: u32,
    pub(crate) time: String,
    pub(crate) actor: String,
    pub(crate) reason: String,
    pub(crate) text: String,
    pub(crate) seq: u64,
}

#[derive(Template)]
#[template(path = "reference_history.html")]
struct HistoryPage {
    layout: Layout,
    label: &'static str,
    back: &'static str,
    versions: Vec<VersionView>,
}

pub(crate) async fn history(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(kind): Path<String>,
) -> Response {
    let Some(kind) = kind_of(&kind) else {
        return unknown_kind();
    };
    match state.app.reference_history(kind).await {
        Ok(list) => render(HistoryPage {
            layout: layout(
                &state,
                &caller,
                "历史版本",
                "catalog",
                &[(kind.label_zh(), page_of(kind)), ("历史版本", "")],
            ),
            label: kind.label_zh(),
            back: page_of(kind),
            versions: list
                .into_iter()
                .map(|v| VersionView {
                    version: v.version,
                    time: beijing_time(v.published_at_ms),
                    actor: v.actor,
                    reason: v.reason,
                    text: v.text,
                    seq: v.seq,
                })
                .collect(),
        }),
        Err(error) => app_error_page(error),
    }
}

#[derive(Template)]
#[template(path = "reference_edit.html")]
struct EditPage {
    layout: Layout,
    kind: &'static str,
    label: &'static str,
    back: &'static str,
    format_hint: &'static str,
    next_version: u32,
    text: String,
    reason: String,
    csrf: String,
    error: String,
    error_code: String,
}

fn format_hint(kind: ReferenceKind) -> &'static str {
    match kind {
        ReferenceKind::Calendar => {
            "CSV：date,kind,name；kind 为 holiday（放假）或 workday（调休上班）"
        }
        ReferenceKind::Rules
        | ReferenceKind::Catalog
        | ReferenceKind::Supervision
        | ReferenceKind::Credit
        | ReferenceKind::Warnings => "TOML 格式，说明见文件开头的注释",
        ReferenceKind::Trust => "PEM 格式的 SM2 根证书，可包含多张；# 开头的行为注释",
    }
}

async fn edit_page(
    state: &AppState,
    caller: &MaybeCaller,
    kind: ReferenceKind,
    text: Option<String>,
    reason: String,
    error: Option<ApiError>,
) -> Result<Response, AppError> {
    let current = state.app.reference_current(kind).await?;
    let (error, error_code) = error
        .map(|e| (e.message, e.code.to_string()))
        .unwrap_or_default();
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditPage {
        layout: layout(
            state,
            caller,
            "发布新版本",
            "catalog",
            &[(kind.label_zh(), page_of(kind)), ("发布新版本", "")],
        ),
        kind: kind.as_str(),
        label: kind.label_zh(),
        back: page_of(kind),
        format_hint: format_hint(kind),
        next_version: current.version + 1,
        text: text.unwrap_or(current.text),
        reason,
        csrf: caller
            .0
            .as_ref()
            .and_then(|c| c.csrf.clone())
            .unwrap_or_default(),
        error,
        error_code,
    };
    Ok((status, render(page)).into_response())
}

pub(crate) async fn edit_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(kind): Path<String>,
) -> Response {
    let Some(kind) = kind_of(&kind) else {
        return unknown_kind();
    };
    edit_page(&state, &caller, kind, None, String::new(), None)
        .await
        .unwrap_or_else(app_error_page)
}

pub(crate) async fn edit_submit(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(kind): Path<String>,
    body: Bytes,
) -> Response {
    let Some(kind) = kind_of(&kind) else {
        return unknown_kind();
    };
    let Some(who) = caller.0.as_ref() else {
        return Redirect::to("/login").into_response();
    };
    let mut text = String::new();
    let mut reason = String::new();
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "text" => text = value.into_owned(),
            "reason" => reason = value.into_owned(),
            _ => {}
        }
    }
    match state.app.publish_reference(who, kind, &text, &reason).await {
        Ok(_) => Redirect::to(page_of(kind)).into_response(),
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => edit_page(
            &state,
            &caller,
            kind,
            Some(text),
            reason,
            Some(ApiError::from(error)),
        )
        .await
        .unwrap_or_else(app_error_page),
    }
}

/// A trusted root as the trust page shows it.
pub(crate) struct RootView {
    pub(crate) name: String,
    pub(crate) fingerprint: String,
    pub(crate) not_before: String,
    pub(crate) not_after: String,
}

#[derive(Template)]
#[template(path = "trust.html")]
struct TrustPage {
    layout: Layout,
    meta: MetaView,
    roots: Vec<RootView>,
    /// (CA, this update, next update, revoked count, stale)
    crls: Vec<(String, String, String, usize, bool)>,
    any_stale: bool,
    csrf: String,
    notice: String,
    notice_tone: &'static str,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NoticeQuery {
    #[serde(default)]
    notice: String,
    #[serde(default)]
    tone: String,
}

pub(crate) async fn trust(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    let result = async {
        let data = state.app.reference_data().await?;
        let crls: Vec<(String, String, String, usize, bool)> = state
            .app
            .crl_status()
            .await?
            .into_iter()
            .map(|(ca, crl, stale)| match crl {
                Some(crl) => (
                    ca,
                    beijing_time(crl.this_update_ms),
                    crl.next_update_ms
                        .map(beijing_time)
                        .unwrap_or_else(|| "未载明".into()),
                    crl.serials.len(),
                    stale,
                ),
                None => (ca, "尚未导入".into(), String::new(), 0, false),
            })
            .collect();
        let any_stale = crls.iter().any(|c| c.4);
        let roots = data
            .trust
            .roots()
            .iter()
            .chain(data.trust.intermediates())
            .map(|root| RootView {
                name: root.subject_common_name(),
                fingerprint: root.fingerprint().to_hex(),
                not_before: beijing_time(root.not_before_ms()),
                not_after: beijing_time(root.not_after_ms()),
            })
            .collect();
        Ok::<_, AppError>(render(TrustPage {
            layout: layout(
                &state,
                &caller,
                "信任根证书",
                "catalog",
                &[("交易目录", "/catalog"), ("信任根证书", "")],
            ),
            meta: meta(&state, &caller, ReferenceKind::Trust).await?,
            roots,
            crls,
            any_stale,
            csrf: caller
                .0
                .as_ref()
                .and_then(|c| c.csrf.clone())
                .unwrap_or_default(),
            notice: query.notice.clone(),
            notice_tone: if query.tone == "bad" { "bad" } else { "ok" },
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

/// The operator imports a CRL from the trust page.
pub(crate) async fn import_crl(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    body: Bytes,
) -> Response {
    let Some(who) = caller.0.as_ref() else {
        return Redirect::to("/login").into_response();
    };
    let pem = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "pem")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let (notice, tone) = match state.app.import_crl(who, &pem).await {
        Ok(receipts) => (
            format!("已导入证书吊销列表，吊销已绑定证书 {} 张。", receipts.len()),
            "ok",
        ),
        Err(AppError::Internal(detail)) => return app_error_page(AppError::Internal(detail)),
        Err(error) => (format!("{error}（{}）", error.code()), "bad"),
    };
    Redirect::to(&format!(
        "/trust?notice={}&tone={tone}",
        crate::access::urlencode(&notice)
    ))
    .into_response()
}
