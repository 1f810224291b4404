//! The home page: the portal's blocks per trading domain, the latest announcements, the newest
//! ledger entries.

use std::sync::Arc;

use app::AppError;
use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::format::beijing_time;
use crate::shared::page::{Layout, app_error_page, layout, render};

use crate::witness::pages::{EntryRowView, entry_row_view};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    active_entities: u64,
    ledger_size: u64,
    head_time: String,
    recent: Vec<EntryRowView>,
    announcements: Vec<crate::tendering::pages::AnnouncementRowView>,
    domains: Vec<crate::disclosure::portal::DomainBlock>,
}

pub(crate) async fn home(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    let result: Result<Response, AppError> = async {
        let head = state.app.ledger_head().await?;
        let size = head.head.size;
        let recent = state
            .app
            .ledger_entries(None, size.saturating_sub(10), size)
            .await?
            .iter()
            .rev()
            .map(entry_row_view)
            .collect();
        let active = state.app.entities(None, Some("active"), 1, 1).await?.total;
        Ok(render(HomePage {
            layout: layout(&state, &caller, "首页", "home", &[]),
            active_entities: active,
            ledger_size: size,
            head_time: beijing_time(head.head.timestamp_ms),
            recent,
            announcements: crate::tendering::pages::latest_announcements(&state, 5).await,
            domains: crate::disclosure::portal::domain_blocks(&state, 5).await,
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}
