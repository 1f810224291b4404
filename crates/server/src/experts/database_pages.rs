//! The expert database's pages: the list for oversight, the trading center's import.

use std::collections::HashMap;
use std::sync::Arc;

use app::AppError;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::access::MaybeCaller;
use crate::errors::ApiError;
use crate::shared::page::Notice;
use crate::shared::page::PER_PAGE;
use crate::shared::page::Params;
use crate::shared::page::SignedIn;
use crate::shared::page::csrf_of;
use crate::shared::page::page_count;
use crate::shared::page::page_of;
use crate::shared::page::param;
use crate::shared::page::{Layout, app_error_page, layout, render};
use crate::tendering::pages::upload_refusal;

// ---------------------------------------------------------------------------------------------
// The expert database (评标专家库): oversight reads it; the trading center imports.

pub(crate) struct ExpertRowView {
    pub(crate) pseudonym: String,
    pub(crate) name: String,
    pub(crate) id_number: String,
    pub(crate) employer: String,
    pub(crate) categories: String,
    pub(crate) title: String,
    pub(crate) years: u32,
    pub(crate) status: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) leaves: usize,
}

#[derive(Template)]
#[template(path = "experts.html")]
struct ExpertsPage {
    layout: Layout,
    rows: Vec<ExpertRowView>,
    total: u64,
    page: u64,
    pages: u64,
    can_import: bool,
    csrf: String,
    notice: Notice,
    problems: Vec<String>,
    header: &'static str,
    form: HashMap<String, String>,
}

impl ExpertsPage {
    fn value(&self, key: &str) -> String {
        self.form.get(key).cloned().unwrap_or_default()
    }
}

/// The database page with a refused single entry above the form, its values kept.
pub(crate) async fn experts_refused(
    state: &AppState,
    caller: &MaybeCaller,
    api: &ApiError,
    form: HashMap<String, String>,
) -> Response {
    let status = api.status();
    match experts_page(state, caller, 1, Notice::refusal(api), Vec::new(), form).await {
        Ok(page) => (status, page).into_response(),
        Err(error) => app_error_page(error),
    }
}

async fn experts_page(
    state: &AppState,
    caller: &MaybeCaller,
    page: u64,
    notice: Notice,
    problems: Vec<String>,
    form: HashMap<String, String>,
) -> Result<Response, AppError> {
    let who = caller.0.as_ref().ok_or(AppError::Unauthenticated)?;
    let list = state
        .app
        .experts(who, None, PER_PAGE, (page - 1) * PER_PAGE)
        .await?;
    let rows = list
        .items
        .into_iter()
        .map(|e| {
            let (status, status_class) = match e.status.as_str() {
                "active" => ("在库", "ok"),
                "suspended" => ("暂停", "warn"),
                _ => ("已退出", "muted"),
            };
            ExpertRowView {
                pseudonym: e.pseudonym,
                name: e.name,
                id_number: e.id_number,
                employer: e.employer,
                categories: e.categories.join("、"),
                title: e.title,
                years: e.practice_years,
                status,
                status_class,
                leaves: e.leaves.len(),
            }
        })
        .collect();
    Ok(render(ExpertsPage {
        layout: layout(
            state,
            caller,
            "评标专家库",
            "experts",
            &[("评标专家库", "")],
        ),
        rows,
        total: list.total,
        page,
        pages: page_count(list.total),
        can_import: who.has(domain::Role::Operator),
        csrf: csrf_of(caller),
        notice,
        problems,
        header: domain::EXPERT_CSV_HEADER,
        form,
    }))
}

pub(crate) async fn experts(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(params): Params,
) -> Response {
    let notice = if param(&params, "done") == "imported" {
        Notice {
            tone: "ok",
            message: format!("已导入 {} 名专家。", param(&params, "n")),
            ..Notice::default()
        }
    } else {
        Notice::default()
    };
    experts_page(
        &state,
        &caller,
        page_of(&params),
        notice,
        Vec::new(),
        HashMap::new(),
    )
    .await
    .unwrap_or_else(app_error_page)
}

/// 批量导入 from the page: a CSV file; all rows or none, every bad row listed.
pub(crate) async fn import_experts(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let who = &signed.0;
    let result = async {
        let mut multipart =
            multipart.map_err(|_| upload_refusal("请使用页面上的表单选择文件上传"))?;
        let broken = |_| upload_refusal("文件传输中断，请重新上传");
        while let Some(field) = multipart.next_field().await.map_err(broken)? {
            if field.name() != Some("file") {
                continue;
            }
            let content = field.bytes().await.map_err(broken)?;
            // An Excel workbook is a zip file; anything else is read as CSV.
            if content.starts_with(b"PK\x03\x04") {
                return state.app.import_experts_xlsx(who, &content).await;
            }
            let text = String::from_utf8(content.to_vec())
                .map_err(|_| upload_refusal("导入文件应为 Excel（.xlsx）或 UTF-8 编码的 CSV"))?;
            return state.app.import_experts(who, &text).await;
        }
        Err(upload_refusal("请选择要导入的 Excel 或 CSV 文件"))
    }
    .await;
    match result {
        Ok(receipts) => {
            Redirect::to(&format!("/experts?done=imported&n={}", receipts.len())).into_response()
        }
        Err(AppError::ExpertImport(problems)) => {
            let lines = problems
                .iter()
                .map(|(line, reason)| format!("第{line}行：{reason}"))
                .collect();
            let api = ApiError::from(AppError::ExpertImport(Vec::new()));
            let notice = Notice::refusal(&api);
            match experts_page(&state, &caller, 1, notice, lines, HashMap::new()).await {
                Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
                Err(error) => app_error_page(error),
            }
        }
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => {
            let api = ApiError::from(error);
            let status = api.status();
            match experts_page(
                &state,
                &caller,
                1,
                Notice::refusal(&api),
                Vec::new(),
                HashMap::new(),
            )
            .await
            {
                Ok(page) => (status, page).into_response(),
                Err(error) => app_error_page(error),
            }
        }
    }
}
