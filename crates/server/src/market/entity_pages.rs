//! Form posts of the entity page: qualifications, the bond bank account, and the trading
//! center's and supervision's sanctions. Each redirects back to the entity page with a notice.

use std::sync::Arc;

use app::AppError;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{BankAccount, Date, Qualification};

use crate::AppState;
use crate::access::urlencode;
use crate::shared::page::SignedIn;
use crate::shared::page::app_error_page;

fn fields(body: &[u8]) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
        .collect()
}

fn back(id: &str, result: Result<String, AppError>) -> Response {
    let (notice, tone) = match result {
        Ok(notice) => (notice, "ok"),
        Err(AppError::Internal(detail)) => return app_error_page(AppError::Internal(detail)),
        Err(error) => (format!("{error}（{}）", error.code()), "bad"),
    };
    Redirect::to(&format!(
        "/entities/{id}?notice={}&tone={tone}",
        urlencode(&notice)
    ))
    .into_response()
}

/// Adds a qualification, or removes the one at index `remove`.
pub(crate) async fn qualifications(
    State(state): State<Arc<AppState>>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let result = async {
        let mut list = state.app.entity(Some(who), &id).await?.qualifications;
        let notice = if let Some(index) = form.get("remove") {
            let index: usize = index
                .parse()
                .map_err(|_| AppError::Invalid("序号无效".into()))?;
            if index >= list.len() {
                return Err(AppError::Invalid("该资质不存在".into()));
            }
            let removed = list.remove(index);
            format!("已删除资质「{}」", removed.name)
        } else {
            let get = |key: &str| form.get(key).cloned().unwrap_or_default();
            let valid_until = Date::parse(&get("valid_until"))?;
            let qualification = Qualification {
                name: get("name"),
                grade: get("grade"),
                certificate_no: get("certificate_no"),
                issuer: get("issuer"),
                valid_until,
            };
            let notice = format!(
                "已添加资质「{} {}」",
                qualification.name, qualification.grade
            );
            list.push(qualification);
            notice
        };
        let receipt = state.app.set_qualifications(who, &id, list).await?;
        Ok(format!("{notice}（见证序号 #{}）", receipt.seq))
    }
    .await;
    back(&id, result)
}

pub(crate) async fn bank_account(
    State(state): State<Arc<AppState>>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let get = |key: &str| form.get(key).cloned().unwrap_or_default();
    let account = BankAccount {
        bank: get("bank"),
        account_name: get("account_name"),
        account_no: get("account_no").replace(' ', ""),
    };
    let result = state
        .app
        .set_bank_account(who, &id, account)
        .await
        .map(|r| format!("已保存基本账户（见证序号 #{}）", r.seq));
    back(&id, result)
}

pub(crate) async fn suspend(
    State(state): State<Arc<AppState>>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let reason = form.get("reason").cloned().unwrap_or_default();
    let result = state
        .app
        .suspend_entity(who, &id, &reason)
        .await
        .map(|r| format!("已暂停该主体的交易资格（见证序号 #{}）", r.seq));
    back(&id, result)
}

pub(crate) async fn bar(
    State(state): State<Arc<AppState>>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let reason = form.get("reason").cloned().unwrap_or_default();
    let result = async {
        let until = Date::parse(form.get("until").map(String::as_str).unwrap_or(""))?;
        let receipt = state.app.bar_entity(who, &id, until, &reason).await?;
        Ok(format!(
            "已禁止该主体参加交易至 {until}（见证序号 #{}）",
            receipt.seq
        ))
    }
    .await;
    back(&id, result)
}

pub(crate) async fn reinstate(
    State(state): State<Arc<AppState>>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let reason = form.get("reason").cloned().unwrap_or_default();
    let result = state
        .app
        .reinstate_entity(who, &id, &reason)
        .await
        .map(|r| format!("已恢复该主体的交易资格（见证序号 #{}）", r.seq));
    back(&id, result)
}

pub(crate) async fn bind_certificate(
    State(state): State<Arc<AppState>>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let pem = form.get("pem").cloned().unwrap_or_default();
    let result = state
        .app
        .bind_certificate(who, &id, &pem)
        .await
        .map(|r| format!("已绑定数字证书（见证序号 #{}）", r.seq));
    back(&id, result)
}

pub(crate) async fn revoke_certificate(
    State(state): State<Arc<AppState>>,
    signed: SignedIn,
    Path((id, fingerprint)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let reason = form.get("reason").cloned().unwrap_or_default();
    let result = state
        .app
        .revoke_certificate(who, &id, &fingerprint, &reason)
        .await
        .map(|r| format!("已吊销该证书（见证序号 #{}）", r.seq));
    back(&id, result)
}
