//! The e-guarantee issuers (保函机构) the trading center approves.

use std::sync::Arc;

use app::AppError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::Role;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::format::beijing_time;
use crate::shared::page::SignedIn;
use crate::shared::page::after;
use crate::shared::page::{Layout, app_error_page, layout, render};
use crate::shared::page::{Notice, Params, csrf_of, fields};

// ---------------------------------------------------------------------------------------------
// Guarantee institutions

#[derive(Template)]
#[template(path = "guarantors.html")]
struct GuarantorsPage {
    layout: Layout,
    /// (name, USCC, listed at).
    rows: Vec<(String, String, String)>,
    can_manage: bool,
    csrf: String,
    notice: Notice,
}

async fn guarantors_page(
    state: &AppState,
    caller: &MaybeCaller,
    notice: Notice,
) -> Result<Response, AppError> {
    let rows = state
        .app
        .guarantors()
        .await?
        .into_iter()
        .map(|g| (g.name, g.uscc, beijing_time(g.at_ms)))
        .collect();
    Ok(render(GuarantorsPage {
        layout: layout(
            state,
            caller,
            "电子保函机构名录",
            "guarantors",
            &[("电子保函机构名录", "")],
        ),
        rows,
        can_manage: caller.0.as_ref().is_some_and(|c| c.has(Role::Operator)),
        csrf: csrf_of(caller),
        notice,
    }))
}

pub(crate) async fn guarantors(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(params): Params,
) -> Response {
    guarantors_page(&state, &caller, crate::experts::pages::done_notice(&params))
        .await
        .unwrap_or_else(app_error_page)
}

/// The trading center's acts on the list: `approve`, `withdraw`.
pub(crate) async fn guarantors_act(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let (done, result) = match get("action").as_str() {
        "approve" => (
            "guarantor",
            state
                .app
                .approve_guarantor(who, &get("uscc"), &get("name"))
                .await,
        ),
        "withdraw" => (
            "guarantor_withdrawn",
            state
                .app
                .withdraw_guarantor(who, &get("uscc"), &get("reason"))
                .await,
        ),
        _ => ("", Err(AppError::Invalid("未知操作".into()))),
    };
    after(result.map(|_| ()), "/guarantors", done, |notice| {
        guarantors_page(&state, &caller, notice)
    })
    .await
}
