//! The pages of electronic tendering: announcements, procedures with their lots and the role
//! panels (the tenderee's or agency's drafting, publishing, amending, terminating and opening;
//! the bidder's registration, download, sealed-bid upload and withdrawal), the bidder's own bids,
//! the opening keys and the live opening. They call the same use cases as `tendering::api`.
//!
//! Before a lot is opened, no page shows anything about who bid, or how many, to anyone.

use std::collections::HashMap;
use std::sync::Arc;

use app::{AppError, Caller};
use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{
    AnnouncementKind, BidStatus, CeremonyStatus, DomainError, Lot, LotPhase, LotStatus,
    OpeningOutcome, Procedure, ProcedureStatus, Role,
};

use crate::AppState;
use crate::access::{MaybeCaller, urlencode};
use crate::errors::ApiError;
use crate::format::{
    announcement_kind_label, beijing_time, beijing_time_seconds, parse_yuan, region_name,
    remaining_text, short_hash, size_text, yuan_text,
};
use crate::shared::page::Notice;
use crate::shared::page::PER_PAGE;
use crate::shared::page::Params;
use crate::shared::page::SignedIn;
use crate::shared::page::csrf_of;
use crate::shared::page::fields;
use crate::shared::page::page_count;
use crate::shared::page::page_of;
use crate::shared::page::param;
use crate::shared::page::{Layout, app_error_page, layout, render};

/// Lot rows on the new-procedure form.
const LOT_ROWS: usize = 5;

fn region_text(code: &str) -> String {
    format!("{} {code}", region_name(code)).trim().to_string()
}

/// The name of a market entity as `caller` may see it, or its id.
pub(crate) async fn entity_name(state: &AppState, caller: Option<&Caller>, id: &str) -> String {
    state
        .app
        .entity(caller, id)
        .await
        .map_or_else(|_| id.to_string(), |e| e.name)
}

impl Notice {
    /// The notice of `?done=…&seq=…` after a redirect: fixed texts only, so a link cannot put
    /// words on an official page.
    fn done(params: &HashMap<String, String>) -> Self {
        let message = match param(params, "done") {
            "created" => "项目草稿已保存。请上传招标文件，核对无误后发布招标公告。",
            "documents" => "招标文件已上传。发布前可重新上传以替换。",
            "published" => "招标公告已发布，投标人现在可以报名、下载招标文件并递交投标文件。",
            "amended" => "澄清/修改公告已发布。",
            "terminated" => "项目已终止，终止公告已发布。",
            "registered" => "报名成功。请下载招标文件，并在投标截止前递交密封投标文件。",
            "withdrawn" => "投标文件已撤回。投标截止前可重新递交。",
            "suspended" => "标段（包）已暂停，暂停期间不接受投标、不开标。",
            "resumed" => "标段（包）已恢复。",
            "candidates" => "中标候选人公示已发布。",
            "candidates_confirmed" => {
                "中标（成交）候选人已确认；期满后可确定中标（成交）供应商并发布结果公告。"
            }
            "bond" => "投标保证金已登记：电子保函经核验即有效；转账待交易中心确认到账。",
            "bond_confirmed" => "已确认投标保证金到账。",
            "bonds_refunded" => "已退还可退还的投标保证金（含应付利息）。",
            "objection" => "异议已提交，招标人答复前该标段（包）暂停。",
            "answered" => "异议已答复。",
            "awarded" => "中标人已确定，中标结果公告已发布，评标委员会名单已公布。",
            "contract" => "合同已记录，合同公告已发布。",
            "performance" => "履约情况已记录。",
            "declined" => "已放弃中标，已记入信用记录；招标人可依次确定其他中标候选人。",
            "lapsed" => "已记录中标人逾期未签订合同，已记入其信用记录。",
            "completed" => "该标段（包）已履约完毕。",
            "opening" => {
                "开标已启动：等待密钥持有人提交解密份额；递交的投标文件少于规定数量的，该标段流标。"
            }
            _ => return Self::default(),
        };
        let seq = param(params, "seq").parse::<u64>().ok();
        Self {
            tone: "ok",
            message: message.into(),
            code: String::new(),
            seq: seq.unwrap_or(0),
            has_seq: seq.is_some(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Announcements

/// An announcement as a list row.
pub(crate) struct AnnouncementRowView {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) kind_label: &'static str,
    pub(crate) kind_class: &'static str,
    pub(crate) published: String,
    pub(crate) procedure: String,
    pub(crate) lot: String,
    /// The page of what it announces: a procedure, or an online sale.
    pub(crate) project_url: String,
    pub(crate) is_sale: bool,
}

fn kind_class(kind: &str) -> &'static str {
    match AnnouncementKind::parse(kind) {
        Some(AnnouncementKind::Amendment) => "warn",
        Some(
            AnnouncementKind::OpeningRecord
            | AnnouncementKind::ResultNotice
            | AnnouncementKind::DealNotice,
        ) => "ok",
        Some(
            AnnouncementKind::FailureNotice
            | AnnouncementKind::TerminationNotice
            | AnnouncementKind::NoSaleNotice,
        ) => "bad",
        _ => "info",
    }
}

pub(crate) fn announcement_row(row: &store::AnnouncementRow) -> AnnouncementRowView {
    let is_sale = matches!(
        AnnouncementKind::parse(&row.kind),
        Some(
            AnnouncementKind::AuctionNotice
                | AnnouncementKind::DealNotice
                | AnnouncementKind::NoSaleNotice
        )
    );
    AnnouncementRowView {
        id: row.id.clone(),
        title: row.title.clone(),
        kind_label: announcement_kind_label(&row.kind),
        kind_class: kind_class(&row.kind),
        published: beijing_time(row.published_at_ms),
        procedure: row.procedure_id.clone(),
        lot: row.lot.clone(),
        project_url: if is_sale {
            format!("/auctions/{}", row.procedure_id)
        } else {
            format!("/procedures/{}", row.procedure_id)
        },
        is_sale,
    }
}

#[derive(Template)]
#[template(path = "announcements.html")]
struct AnnouncementsPage {
    layout: Layout,
    rows: Vec<AnnouncementRowView>,
    total: u64,
    page: u64,
    pages: u64,
    filters: Vec<(&'static str, &'static str, bool)>,
    kind_query: String,
}

pub(crate) async fn announcements(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(params): Params,
) -> Response {
    let kind = AnnouncementKind::parse(param(&params, "kind"));
    let kind_code = kind.map_or("", |k| k.as_str());
    let page = page_of(&params);
    let result = async {
        let list = state
            .app
            .announcements("", kind_code, PER_PAGE, (page - 1) * PER_PAGE)
            .await?;
        let filters = std::iter::once(("", "全部"))
            .chain(
                AnnouncementKind::ALL
                    .iter()
                    .map(|k| (k.as_str(), k.label_zh())),
            )
            .map(|(code, label)| (code, label, code == kind_code))
            .collect();
        Ok::<_, AppError>(render(AnnouncementsPage {
            layout: layout(
                &state,
                &caller,
                "交易公告",
                "announcements",
                &[("交易公告", "")],
            ),
            rows: list.items.iter().map(announcement_row).collect(),
            total: list.total,
            page,
            pages: page_count(list.total),
            filters,
            kind_query: if kind_code.is_empty() {
                String::new()
            } else {
                format!("&kind={kind_code}")
            },
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

#[derive(Template)]
#[template(path = "announcement.html")]
struct AnnouncementPage {
    layout: Layout,
    a: AnnouncementRowView,
    body: String,
    region: String,
    seq: i64,
    /// (name, size, SM3) of the procedure's documents.
    attachments: Vec<(String, String, String)>,
}

pub(crate) async fn announcement(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
) -> Response {
    match state.app.announcement(&id).await {
        Ok(row) => {
            let a = announcement_row(&row);
            let title = a.title.clone();
            // The procedure's documents (招标文件 and amendments): name, size and SM3, so a
            // reader can check the file the bidders download.
            let mut attachments = Vec::new();
            if !a.is_sale
                && let Ok(procedure) = state.app.procedure(None, &row.procedure_id).await
            {
                let documents = procedure.documents.iter().chain(
                    procedure
                        .amendments
                        .iter()
                        .filter_map(|m| m.document.as_ref()),
                );
                for document in documents {
                    attachments.push((
                        document.name.clone(),
                        crate::format::size_text(document.size),
                        document.sm3.clone(),
                    ));
                }
            }
            let mut layout = layout(
                &state,
                &caller,
                &title,
                "announcements",
                &[("交易公告", "/announcements"), (&title, "")],
            );
            layout.description = row
                .body
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(120)
                .collect();
            render(AnnouncementPage {
                layout,
                a,
                body: row.body,
                region: region_text(&row.region),
                seq: row.seq,
                attachments,
            })
        }
        Err(error) => app_error_page(error),
    }
}

// ---------------------------------------------------------------------------------------------
// Procedures

/// A procedure as a list row.
pub(crate) struct ProcedureRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) project_code: String,
    pub(crate) method: &'static str,
    pub(crate) category: String,
    pub(crate) region: String,
    pub(crate) deadline: String,
    pub(crate) status_label: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) lots: usize,
}

/// Where a procedure stands as a whole, for lists and the detail page.
fn procedure_status(procedure: &Procedure, now: i64) -> (&'static str, &'static str) {
    match procedure.status {
        ProcedureStatus::Draft => ("草稿", "info"),
        ProcedureStatus::Terminated => ("已终止", "bad"),
        ProcedureStatus::Published if now < procedure.deadline_ms() => ("投标中", "ok"),
        ProcedureStatus::Published => {
            let lots = &procedure.lots;
            if lots
                .iter()
                .any(|l| matches!(l.status, LotStatus::Opening { .. }))
            {
                ("开标中", "warn")
            } else if lots.iter().any(|l| matches!(l.status, LotStatus::Bidding)) {
                ("已截止", "warn")
            } else if lots
                .iter()
                .all(|l| matches!(l.status, LotStatus::Failed { .. }))
            {
                ("流标", "bad")
            } else {
                ("已开标", "ok")
            }
        }
    }
}

fn category_name(catalog: Option<&domain::Catalog>, code: &str) -> String {
    catalog
        .and_then(|c| c.category(code).ok())
        .map_or_else(|| code.to_string(), |c| c.name.clone())
}

fn procedure_row(
    procedure: &Procedure,
    catalog: Option<&domain::Catalog>,
    now: i64,
) -> ProcedureRow {
    let (status_label, status_class) = procedure_status(procedure, now);
    let draft = &procedure.draft;
    ProcedureRow {
        id: procedure.id.clone(),
        title: draft.title.clone(),
        project_code: draft.project_code.clone(),
        method: draft.method.label_zh(),
        category: category_name(catalog, &draft.category),
        region: region_text(draft.region.as_ref()),
        deadline: beijing_time(procedure.deadline_ms()),
        status_label,
        status_class,
        lots: draft.lots.len(),
    }
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct ProceduresPage {
    layout: Layout,
    rows: Vec<ProcedureRow>,
    total: u64,
    page: u64,
    pages: u64,
    show_mine: bool,
    mine: Vec<ProcedureRow>,
}

fn manages_procedures(caller: &MaybeCaller) -> bool {
    caller
        .0
        .as_ref()
        .is_some_and(|c| c.has_any(&[Role::Tenderee, Role::Agency]))
}

pub(crate) async fn procedures(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(params): Params,
) -> Response {
    let page = page_of(&params);
    let result = async {
        let now = state.app.now_ms();
        let data = state.app.reference_data().await?;
        let catalog = Some(&data.catalog);
        let list = state
            .app
            .procedures(None, PER_PAGE, (page - 1) * PER_PAGE)
            .await?;
        let show_mine = manages_procedures(&caller);
        let mine = match caller.0.as_ref() {
            Some(who) if show_mine && !who.entity_id.is_empty() => state
                .app
                .procedures(Some(&who.entity_id), 100, 0)
                .await?
                .items
                .iter()
                .map(|p| procedure_row(p, catalog, now))
                .collect(),
            _ => Vec::new(),
        };
        Ok::<_, AppError>(render(ProceduresPage {
            layout: layout(
                &state,
                &caller,
                "招标项目",
                "procedures",
                &[("招标项目", "")],
            ),
            rows: list
                .items
                .iter()
                .map(|p| procedure_row(p, catalog, now))
                .collect(),
            total: list.total,
            page,
            pages: page_count(list.total),
            show_mine,
            mine,
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

/// The facts of a procedure.
pub(crate) struct ProcedureFacts {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) project_code: String,
    pub(crate) tenderee: String,
    pub(crate) tenderee_id: String,
    pub(crate) agency: String,
    pub(crate) agency_id: String,
    pub(crate) method: &'static str,
    pub(crate) category: String,
    pub(crate) region: String,
    pub(crate) status_label: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) deadline: String,
    /// What the calendar in force says of the deadline: provisional beyond the published
    /// calendar, or on a holiday / under the minimum once that year's calendar is out.
    pub(crate) deadline_note: String,
    pub(crate) deadline_warn: bool,
    /// Milliseconds to the deadline by the server's clock (0 when passed).
    pub(crate) remaining_ms: i64,
    pub(crate) remaining: String,
    pub(crate) counting: bool,
    pub(crate) published_at: String,
    pub(crate) opening_place: String,
    pub(crate) contact: String,
    pub(crate) description: String,
    pub(crate) qualification: String,
    pub(crate) invitees: String,
    pub(crate) documents: String,
    pub(crate) documents_sm3: String,
    pub(crate) key_ceremony: String,
    pub(crate) key_public: String,
    pub(crate) key_holders: String,
    pub(crate) rules: String,
    pub(crate) termination_reason: String,
}

/// A line of an opening record.
pub(crate) struct OpeningRowView {
    pub(crate) n: usize,
    pub(crate) bidder: String,
    pub(crate) price: String,
    pub(crate) form: String,
    pub(crate) opened: bool,
    pub(crate) reason: String,
    pub(crate) envelope: String,
}

fn opening_rows(lot: &Lot) -> Vec<OpeningRowView> {
    lot.opening
        .iter()
        .enumerate()
        .map(|(i, line)| OpeningRowView {
            n: i + 1,
            bidder: line.bidder_name.clone(),
            price: line.price_fen.map(yuan_text).unwrap_or_default(),
            form: line
                .form
                .iter()
                .map(|(k, v)| format!("{}：{v}", app::form_label(k)))
                .collect::<Vec<_>>()
                .join("；"),
            opened: matches!(line.outcome, OpeningOutcome::Opened),
            reason: match &line.outcome {
                OpeningOutcome::Opened => String::new(),
                OpeningOutcome::Failed { reason } => reason.clone(),
            },
            envelope: short_hash(&line.envelope),
        })
        .collect()
}

/// The bidder's own bid in a lot, and what it may do now.
pub(crate) struct BidderPanel {
    pub(crate) registered: bool,
    pub(crate) status_label: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) envelope: String,
    pub(crate) envelope_full: String,
    pub(crate) size: String,
    pub(crate) submitted_at: String,
    pub(crate) submissions: u32,
    pub(crate) downloaded_at: String,
    /// The newest downloaded copy's identifier (文件创建标识码), for `ggzy bid seal --copy`.
    pub(crate) copy: String,
    pub(crate) registered_at: String,
    pub(crate) can_register: bool,
    pub(crate) can_submit: bool,
    pub(crate) can_withdraw: bool,
}

fn bid_status(status: &BidStatus) -> (&'static str, &'static str) {
    match status {
        BidStatus::Registered => ("已报名，未递交投标文件", "warn"),
        BidStatus::Submitted => ("已递交", "ok"),
        BidStatus::Withdrawn => ("已撤回", "bad"),
    }
}

fn bidder_panel(bid: Option<domain::Bid>, bidding: bool) -> BidderPanel {
    let Some(bid) = bid else {
        return BidderPanel {
            registered: false,
            status_label: "未报名",
            status_class: "info",
            envelope: String::new(),
            envelope_full: String::new(),
            size: String::new(),
            submitted_at: String::new(),
            submissions: 0,
            downloaded_at: String::new(),
            copy: String::new(),
            registered_at: String::new(),
            can_register: bidding,
            can_submit: false,
            can_withdraw: false,
        };
    };
    let (status_label, status_class) = bid_status(&bid.status);
    let submitted = bid.status == BidStatus::Submitted;
    BidderPanel {
        registered: true,
        status_label,
        status_class,
        envelope: bid
            .envelope
            .as_ref()
            .filter(|_| submitted)
            .map(|e| short_hash(&e.sm3))
            .unwrap_or_default(),
        envelope_full: bid
            .envelope
            .as_ref()
            .filter(|_| submitted)
            .map(|e| e.sm3.clone())
            .unwrap_or_default(),
        size: bid
            .envelope
            .as_ref()
            .filter(|_| submitted)
            .map(|e| size_text(e.size))
            .unwrap_or_default(),
        submitted_at: bid
            .submitted_at_ms
            .filter(|_| submitted)
            .map(beijing_time_seconds)
            .unwrap_or_default(),
        submissions: bid.submissions,
        downloaded_at: bid.downloaded_at_ms.map(beijing_time).unwrap_or_default(),
        copy: bid.copies.last().cloned().unwrap_or_default(),
        registered_at: beijing_time(bid.registered_at_ms),
        can_register: false,
        can_submit: bidding,
        can_withdraw: bidding && submitted,
    }
}

/// A lot on the detail page.
pub(crate) struct LotView {
    pub(crate) no: u32,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) budget: String,
    pub(crate) phase: String,
    pub(crate) phase_class: &'static str,
    pub(crate) reason: String,
    pub(crate) opened_at: String,
    pub(crate) lines: Vec<OpeningRowView>,
    pub(crate) can_open: bool,
    /// The trading center or supervision may suspend (暂停) the lot, or resume it.
    pub(crate) can_suspend: bool,
    pub(crate) can_resume: bool,
    pub(crate) bidder: Option<BidderPanel>,
    /// 评标办法 in words.
    pub(crate) evaluation: String,
    /// The organiser and oversight follow the evaluation from its page.
    pub(crate) evaluation_link: bool,
    pub(crate) award: AwardView,
    /// 投标保证金 asked, in words (empty when none).
    pub(crate) bond_required: String,
    /// The bonds the caller may see.
    pub(crate) bonds: Vec<BondRow>,
    /// The caller (a registered bidder, while bidding) may give its bond here.
    pub(crate) bond_form: bool,
    pub(crate) may_manage_bonds: bool,
}

pub(crate) struct BondRow {
    pub(crate) bidder: String,
    pub(crate) bidder_name: String,
    pub(crate) amount: String,
    pub(crate) form: String,
    pub(crate) status: String,
    pub(crate) pending: bool,
}

fn bond_row(b: &app::BondView) -> BondRow {
    BondRow {
        bidder: b.bidder.clone(),
        bidder_name: b.bidder_name.clone(),
        amount: yuan_text(b.amount_fen),
        form: match &b.form {
            domain::BondForm::Transfer { reference } => format!("转账（流水号 {reference}）"),
            domain::BondForm::Guarantee {
                issuer,
                number,
                valid_until,
                ..
            } => format!("电子保函（{issuer} {number}，有效期至 {valid_until}）"),
        },
        status: match &b.status {
            domain::BondStatus::Pending => "待交易中心确认到账".into(),
            domain::BondStatus::Held => "有效".into(),
            domain::BondStatus::Refunded {
                at_ms,
                interest_fen,
                late,
            } => format!(
                "{} 已退还{}{}",
                beijing_time(*at_ms),
                if *interest_fen > 0 {
                    format!("，利息 {}", yuan_text(*interest_fen))
                } else {
                    String::new()
                },
                if *late { "（逾期）" } else { "" }
            ),
            domain::BondStatus::Forfeited { reason } => format!("不予退还：{reason}"),
        },
        pending: b.status == domain::BondStatus::Pending,
    }
}

pub(crate) struct ObjectionRow {
    pub(crate) id: u32,
    pub(crate) by_name: String,
    pub(crate) text: String,
    pub(crate) raised_at: String,
    pub(crate) reply_due: String,
    pub(crate) answered: bool,
    pub(crate) answer: String,
    /// Answered after the reply period, or still open after it.
    pub(crate) late: bool,
    /// What it is about, and its code for the complaint form.
    pub(crate) subject: &'static str,
    pub(crate) subject_code: &'static str,
    /// The caller's own objection, answered or past its reply period: it may now complain.
    pub(crate) may_complain: bool,
}

/// After the evaluation: what the page shows and who may act.
#[derive(Default)]
pub(crate) struct AwardView {
    pub(crate) shown: bool,
    /// (rank, name, entity id).
    pub(crate) candidates: Vec<(u32, String, String)>,
    pub(crate) publicity_until: String,
    pub(crate) objections: Vec<ObjectionRow>,
    pub(crate) winner: String,
    pub(crate) contract_due: String,
    pub(crate) contract: String,
    /// (time, text).
    pub(crate) performance: Vec<(String, String)>,
    pub(crate) may_publish: bool,
    /// Government procurement: no 中标候选人公示; the step confirms the candidates.
    pub(crate) procurement: bool,
    pub(crate) may_answer: bool,
    pub(crate) may_award: bool,
    pub(crate) may_contract: bool,
    pub(crate) may_perform: bool,
    /// The winner may decline (放弃中标) before the contract.
    pub(crate) may_decline: bool,
    /// The contract period passed unsigned: the organiser may record it.
    pub(crate) may_lapse: bool,
    pub(crate) may_object: bool,
}

fn award_view(
    lot: &Lot,
    procurement: bool,
    manager: bool,
    registered: Option<&str>,
    now: i64,
) -> AwardView {
    let award = &lot.award;
    let until = award.publicity_until_ms.unwrap_or(0);
    // A party of the lot may object while it runs; the rules decide each subject's window.
    let may_object = registered.is_some()
        && !matches!(
            lot.status,
            domain::LotStatus::Completed
                | domain::LotStatus::Failed { .. }
                | domain::LotStatus::Terminated { .. }
        );
    AwardView {
        shown: !award.candidates.is_empty()
            || lot.status == domain::LotStatus::Evaluated
            || may_object
            || !award.objections.is_empty(),
        candidates: award
            .candidates
            .iter()
            .map(|c| (c.rank, c.name.clone(), c.bidder.to_string()))
            .collect(),
        publicity_until: award
            .publicity_until_ms
            .map(beijing_time)
            .unwrap_or_default(),
        objections: award
            .objections
            .iter()
            .map(|o| ObjectionRow {
                id: o.id,
                by_name: o.by_name.clone(),
                text: o.text.clone(),
                raised_at: beijing_time(o.raised_at_ms),
                reply_due: beijing_time(o.reply_due_ms),
                answered: o.answer.is_some(),
                answer: o.answer.clone().unwrap_or_default(),
                late: o.answered_at_ms.unwrap_or(now) > o.reply_due_ms,
                subject: o.subject.label_zh(),
                subject_code: o.subject.as_str(),
                may_complain: registered == Some(o.by.as_ref())
                    && (o.answer.is_some() || now >= o.reply_due_ms),
            })
            .collect(),
        winner: award
            .winner
            .as_ref()
            .map(|w| w.name.clone())
            .unwrap_or_default(),
        contract_due: award.contract_due_ms.map(beijing_time).unwrap_or_default(),
        contract: award
            .contract
            .as_ref()
            .map(|c| {
                format!(
                    "{}（SM3 {}），{} 双方签署{}",
                    c.document.name,
                    c.document.sm3,
                    beijing_time(c.at_ms),
                    if c.late { "；晚于规定期限" } else { "" }
                )
            })
            .unwrap_or_default(),
        performance: award
            .performance
            .iter()
            .map(|p| {
                let text = match p.outcome {
                    domain::PerformanceOutcome::Normal => p.text.clone(),
                    outcome => format!("【{}】{}", outcome.label(), p.text),
                };
                (beijing_time(p.at_ms), text)
            })
            .collect(),
        may_publish: manager && lot.status == domain::LotStatus::Evaluated,
        procurement,
        may_answer: manager,
        may_award: manager
            && lot.status == domain::LotStatus::CandidatesPublicised
            && now >= until
            && award.open_objections() == 0,
        may_contract: manager && lot.status == domain::LotStatus::Awarded,
        may_decline: lot.status == domain::LotStatus::Awarded
            && registered.is_some()
            && award
                .winner
                .as_ref()
                .is_some_and(|w| Some(w.bidder.as_ref()) == registered),
        may_lapse: manager
            && lot.status == domain::LotStatus::Awarded
            && now > award.contract_due_ms.unwrap_or(i64::MAX),
        may_perform: manager
            && matches!(
                lot.status,
                domain::LotStatus::Contracted | domain::LotStatus::Performing
            ),
        may_object,
    }
}

fn phase_class(procedure: &Procedure, lot: &Lot, now: i64) -> &'static str {
    match procedure.phase(lot, now) {
        LotPhase::Draft => "info",
        LotPhase::Bidding => "ok",
        LotPhase::BiddingClosed => "warn",
        LotPhase::Other => match lot.status {
            LotStatus::Opening { .. } | LotStatus::Suspended { .. } => "warn",
            LotStatus::Failed { .. } | LotStatus::Terminated { .. } => "bad",
            _ => "ok",
        },
    }
}

fn lot_reason(lot: &Lot) -> String {
    match &lot.status {
        LotStatus::Failed { reason }
        | LotStatus::Terminated { reason }
        | LotStatus::Suspended { reason, .. } => reason.clone(),
        _ => String::new(),
    }
}

/// An amendment on the detail page.
pub(crate) struct AmendmentView {
    pub(crate) no: u32,
    pub(crate) text: String,
    pub(crate) at: String,
    pub(crate) deadline_note: String,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    layout: Layout,
    p: ProcedureFacts,
    lots: Vec<LotView>,
    amendments: Vec<AmendmentView>,
    announcements: Vec<AnnouncementRowView>,
    notice: Notice,
    csrf: String,
    manager: bool,
    draft: bool,
    published: bool,
    /// Published and before the deadline.
    bidding: bool,
}

/// The procedure's page with `notice` above it.
async fn procedure_page(
    state: &AppState,
    caller: &MaybeCaller,
    id: &str,
    notice: Notice,
) -> Result<Response, AppError> {
    let who = caller.0.as_ref();
    let procedure = state.app.procedure(who, id).await?;
    let now = state.app.now_ms();
    let data = state.app.reference_data().await?;
    let draft = &procedure.draft;
    let manager = who.is_some_and(|c| app::manages(c, &procedure));
    let operator = who.is_some_and(|c| c.has(Role::Operator));
    let is_bidder = who.is_some_and(|c| c.has(Role::Bidder));
    let published = procedure.status == ProcedureStatus::Published;
    let bidding = published && now < procedure.deadline_ms();
    let (status_label, status_class) = procedure_status(&procedure, now);
    let mut invitees = Vec::new();
    for invitee in &draft.invitees {
        invitees.push(entity_name(state, who, invitee.as_ref()).await);
    }
    let key = procedure.opening_key.as_ref();
    let standing =
        if procedure.status == ProcedureStatus::Terminated || now >= procedure.deadline_ms() {
            domain::DeadlineStanding::default()
        } else {
            state.app.deadline_standing(&procedure).await?
        };
    let remaining_ms = (procedure.deadline_ms() - now).max(0);
    let p = ProcedureFacts {
        id: procedure.id.clone(),
        title: draft.title.clone(),
        project_code: draft.project_code.clone(),
        tenderee: entity_name(state, who, draft.tenderee.as_ref()).await,
        tenderee_id: draft.tenderee.to_string(),
        agency: match &draft.agency {
            Some(agency) => entity_name(state, who, agency.as_ref()).await,
            None => String::new(),
        },
        agency_id: draft
            .agency
            .as_ref()
            .map(|a| a.to_string())
            .unwrap_or_default(),
        method: draft.method.label_zh(),
        category: category_name(Some(&data.catalog), &draft.category),
        region: region_text(draft.region.as_ref()),
        status_label,
        status_class,
        deadline: beijing_time(procedure.deadline_ms()),
        deadline_note: crate::format::deadline_note(&standing, manager),
        deadline_warn: standing.needs_attention(),
        remaining_ms,
        remaining: remaining_text(remaining_ms),
        counting: procedure.status != ProcedureStatus::Terminated && remaining_ms > 0,
        published_at: procedure
            .published_at_ms
            .map(beijing_time)
            .unwrap_or_default(),
        opening_place: draft.opening_place.clone(),
        contact: draft.contact.clone(),
        description: draft.description.clone(),
        qualification: draft.qualification.clone(),
        invitees: invitees.join("、"),
        documents: procedure
            .documents
            .as_ref()
            .map(|d| format!("{}（{}）", d.name, size_text(d.size)))
            .unwrap_or_default(),
        documents_sm3: procedure
            .documents
            .as_ref()
            .map(|d| d.sm3.clone())
            .unwrap_or_default(),
        key_ceremony: key.map(|k| k.ceremony.clone()).unwrap_or_default(),
        key_public: key.map(|k| k.public_key.clone()).unwrap_or_default(),
        key_holders: key
            .map(|k| {
                format!(
                    "{} 个持有人中任意 {} 个共同解密：{}",
                    k.holders.len(),
                    k.threshold,
                    k.holders
                        .iter()
                        .map(|h| h.label.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                )
            })
            .unwrap_or_default(),
        rules: procedure
            .rules
            .as_ref()
            .map(|r| {
                format!(
                    "自招标文件开始发出之日起至投标截止{}；澄清或修改应在投标截止时间{}作出，否则截止时间顺延；递交投标文件的投标人少于{}个的不予开标（规则集：{}）",
                    r.deadline.describe_zh(),
                    r.clarification.describe_zh(),
                    r.min_bidders,
                    r.rule_sets.join("、")
                )
            })
            .unwrap_or_default(),
        termination_reason: procedure.termination_reason.clone().unwrap_or_default(),
    };
    let overseer = who.is_some_and(|c| c.has_any(&[Role::Operator, Role::Supervisor]));
    let lots = if procedure.status == ProcedureStatus::Draft {
        draft
            .lots
            .iter()
            .zip(1..)
            .map(|(lot, no)| LotView {
                no,
                code: String::new(),
                name: lot.name.clone(),
                budget: yuan_text(lot.budget_fen),
                phase: "草稿".into(),
                phase_class: "info",
                reason: String::new(),
                opened_at: String::new(),
                lines: Vec::new(),
                can_open: false,
                can_suspend: false,
                can_resume: false,
                bidder: None,
                evaluation: lot
                    .evaluation
                    .clone()
                    .unwrap_or_else(|| {
                        domain::EvaluationTerms::standard(&procedure.draft.rule_category)
                    })
                    .describe_zh(),
                evaluation_link: false,
                award: AwardView::default(),
                bond_required: lot.bond_fen.map(yuan_text).unwrap_or_default(),
                bonds: Vec::new(),
                bond_form: false,
                may_manage_bonds: false,
            })
            .collect()
    } else {
        let mut lots = Vec::new();
        for lot in &procedure.lots {
            let lot_bidding = procedure.phase(lot, now) == LotPhase::Bidding;
            let mut registered = None;
            let bidder = match who {
                Some(c) if is_bidder && published => {
                    let bid = state.app.my_bid(c, &lot.code).await?;
                    if bid.is_some() {
                        registered = Some(c.entity_id.as_str());
                    }
                    Some(bidder_panel(bid, lot_bidding))
                }
                _ => None,
            };
            let bonds: Vec<BondRow> = match (who, lot.bond_fen) {
                (Some(c), Some(_)) => state
                    .app
                    .bonds(c, &lot.code)
                    .await?
                    .iter()
                    .map(bond_row)
                    .collect(),
                _ => Vec::new(),
            };
            let bond_form = lot.bond_fen.is_some()
                && lot_bidding
                && is_bidder
                && who.is_some_and(|c| c.has(Role::Bidder))
                && bonds.is_empty();
            lots.push(LotView {
                bond_required: lot.bond_fen.map(yuan_text).unwrap_or_default(),
                bonds,
                bond_form,
                may_manage_bonds: operator && lot.bond_fen.is_some(),
                no: lot.no,
                code: lot.code.clone(),
                name: lot.name.clone(),
                budget: yuan_text(lot.budget_fen),
                phase: app::phase_label(&procedure, lot, now),
                phase_class: phase_class(&procedure, lot, now),
                reason: lot_reason(lot),
                opened_at: lot.opened_at_ms.map(beijing_time).unwrap_or_default(),
                lines: opening_rows(lot),
                can_open: (manager || operator)
                    && procedure.phase(lot, now) == LotPhase::BiddingClosed,
                can_suspend: overseer
                    && !matches!(
                        lot.status,
                        domain::LotStatus::Suspended { .. }
                            | domain::LotStatus::Failed { .. }
                            | domain::LotStatus::Terminated { .. }
                            | domain::LotStatus::Completed
                    ),
                can_resume: overseer && matches!(lot.status, domain::LotStatus::Suspended { .. }),
                bidder,
                evaluation: lot
                    .evaluation
                    .as_ref()
                    .map(domain::EvaluationTerms::describe_zh)
                    .unwrap_or_default(),
                award: award_view(
                    lot,
                    procedure.draft.rule_category == "procurement",
                    manager,
                    registered,
                    now,
                ),
                evaluation_link: (manager || operator || overseer)
                    && !matches!(
                        lot.status,
                        domain::LotStatus::Bidding
                            | domain::LotStatus::Opening { .. }
                            | domain::LotStatus::Failed { .. }
                            | domain::LotStatus::Terminated { .. }
                    ),
            });
        }
        lots
    };
    let amendments = procedure
        .amendments
        .iter()
        .map(|a| AmendmentView {
            no: a.no,
            text: a.text.clone(),
            at: beijing_time(a.at_ms),
            deadline_note: if a.deadline_ms == a.old_deadline_ms {
                "投标截止时间不变".into()
            } else if a.postponed_by_rule {
                format!(
                    "投标截止时间依规顺延：{} → {}",
                    beijing_time(a.old_deadline_ms),
                    beijing_time(a.deadline_ms)
                )
            } else {
                format!(
                    "投标截止时间推迟：{} → {}",
                    beijing_time(a.old_deadline_ms),
                    beijing_time(a.deadline_ms)
                )
            },
        })
        .collect();
    let announcements = state
        .app
        .announcements(&procedure.id, "", 100, 0)
        .await?
        .items
        .iter()
        .map(announcement_row)
        .collect();
    let title = draft.title.clone();
    Ok(render(ProcedurePage {
        layout: layout(
            state,
            caller,
            &title,
            "procedures",
            &[("招标项目", "/procedures"), (&title, "")],
        ),
        p,
        lots,
        amendments,
        announcements,
        notice,
        csrf: csrf_of(caller),
        manager,
        draft: procedure.status == ProcedureStatus::Draft,
        published,
        bidding,
    }))
}

pub(crate) async fn procedure(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    procedure_page(&state, &caller, &id, Notice::done(&params))
        .await
        .unwrap_or_else(app_error_page)
}

/// After an act on procedure `id`: back to its page with `?done=`, or the page again with the
/// refusal above it (the error page when the procedure itself cannot be shown).
pub(crate) async fn after(
    state: &AppState,
    caller: &MaybeCaller,
    id: &str,
    anchor: &str,
    done: &str,
    result: Result<Option<u64>, AppError>,
) -> Response {
    match result {
        Ok(seq) => {
            let seq = seq.map(|s| format!("&seq={s}")).unwrap_or_default();
            Redirect::to(&format!(
                "/procedures/{}?done={done}{seq}{anchor}",
                urlencode(id)
            ))
            .into_response()
        }
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => refused(state, caller, id, error).await,
    }
}

/// The procedure's page with a refusal above it, answered with the refusal's status.
pub(crate) async fn refused(
    state: &AppState,
    caller: &MaybeCaller,
    id: &str,
    error: AppError,
) -> Response {
    let api = ApiError::from(error);
    let status = api.status();
    match procedure_page(state, caller, id, Notice::refusal(&api)).await {
        Ok(page) => (status, page).into_response(),
        Err(_) => crate::shared::page::error_page(status, api.code, &api.message),
    }
}

pub(crate) fn first_seq(receipts: &[app::Receipt]) -> Option<u64> {
    receipts.first().map(|r| r.seq)
}

pub(crate) fn lot_anchor(code: &str) -> String {
    format!("#lot-{code}")
}

pub(crate) async fn publish(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let who = &signed.0;
    let result = state
        .app
        .publish_procedure(who, &id)
        .await
        .map(|(_, r)| first_seq(&r));
    after(&state, &caller, &id, "", "published", result).await
}

pub(crate) async fn amend(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    // Both or neither: a date without a time (or the reverse) is refused, not guessed.
    let deadline = format!("{} {}", get("deadline_date"), get("deadline_time"))
        .trim()
        .to_string();
    let input = app::NewAmendment {
        text: get("text"),
        deadline,
    };
    let result = state
        .app
        .amend_procedure(who, &id, input)
        .await
        .map(|(_, r)| first_seq(&r));
    after(&state, &caller, &id, "", "amended", result).await
}

pub(crate) async fn terminate(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let reason = fields(&body).remove("reason").unwrap_or_default();
    let result = state
        .app
        .terminate_procedure(who, &id, &reason)
        .await
        .map(|(_, r)| first_seq(&r));
    after(&state, &caller, &id, "", "terminated", result).await
}

pub(crate) fn upload_refusal(message: &str) -> AppError {
    AppError::Invalid(message.to_string())
}

/// The tender documents, uploaded as `multipart/form-data` (field `documents`).
pub(crate) async fn attach_documents(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let who = &signed.0;
    let result = async {
        let mut multipart =
            multipart.map_err(|_| upload_refusal("请使用页面上的表单选择文件上传"))?;
        let broken = |_| upload_refusal("文件传输中断，请重新上传");
        while let Some(field) = multipart.next_field().await.map_err(broken)? {
            if field.name() != Some("documents") {
                continue;
            }
            let name = field.file_name().unwrap_or("").to_string();
            if name.is_empty() {
                return Err(upload_refusal("请选择要上传的招标文件"));
            }
            let content = field.bytes().await.map_err(|_| {
                upload_refusal(&format!(
                    "文件传输中断或文件过大（最大{}MB），请重新上传",
                    crate::DOCUMENT_LIMIT >> 20
                ))
            })?;
            let (_, receipts) = state
                .app
                .attach_documents(who, &id, &name, &content)
                .await?;
            return Ok(first_seq(&receipts));
        }
        Err(upload_refusal("请选择要上传的招标文件"))
    }
    .await;
    after(&state, &caller, &id, "", "documents", result).await
}

// ---------------------------------------------------------------------------------------------
// The new-procedure form

/// An input with what was typed and its refusal.
#[derive(Default)]
pub(crate) struct Field {
    pub(crate) value: String,
    pub(crate) error: String,
    pub(crate) code: String,
}

impl Field {
    fn of(value: String) -> Self {
        Self {
            value,
            ..Self::default()
        }
    }
}

/// A lot row of the form.
pub(crate) struct LotInput {
    pub(crate) index: usize,
    pub(crate) name: String,
    pub(crate) budget: String,
}

#[derive(Template)]
#[template(path = "procedure_new.html")]
struct NewProcedurePage {
    layout: Layout,
    csrf: String,
    is_agency: bool,
    form_error: String,
    form_error_code: String,
    project_code: Field,
    title: Field,
    category: Field,
    method: Field,
    region: Field,
    tenderee: Field,
    description: Field,
    qualification: Field,
    invitees: Field,
    lots_error: Field,
    lots: Vec<LotInput>,
    deadline_date: Field,
    deadline_time: Field,
    opening_place: Field,
    contact: Field,
}

impl NewProcedurePage {
    fn blank(state: &AppState, caller: &MaybeCaller) -> Self {
        let is_agency = caller
            .0
            .as_ref()
            .is_some_and(|c| c.has(Role::Agency) && !c.has(Role::Tenderee));
        Self {
            layout: layout(
                state,
                caller,
                "新建招标项目",
                "procedures",
                &[("招标项目", "/procedures"), ("新建项目", "")],
            ),
            csrf: csrf_of(caller),
            is_agency,
            form_error: String::new(),
            form_error_code: String::new(),
            project_code: Field::default(),
            title: Field::default(),
            category: Field::of("construction".into()),
            method: Field::of("open_tender".into()),
            region: Field::default(),
            tenderee: Field::default(),
            description: Field::default(),
            qualification: Field::default(),
            invitees: Field::default(),
            lots_error: Field::default(),
            lots: (1..=LOT_ROWS)
                .map(|index| LotInput {
                    index,
                    name: String::new(),
                    budget: String::new(),
                })
                .collect(),
            deadline_date: Field::default(),
            deadline_time: Field::of("09:30".into()),
            opening_place: Field::default(),
            contact: Field::default(),
        }
    }

    fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        Some(match name {
            "project_code" => &mut self.project_code,
            "title" => &mut self.title,
            "category" => &mut self.category,
            "method" => &mut self.method,
            "region" => &mut self.region,
            "tenderee" => &mut self.tenderee,
            "description" => &mut self.description,
            "qualification" => &mut self.qualification,
            "invitees" => &mut self.invitees,
            "lots" => &mut self.lots_error,
            "deadline" => &mut self.deadline_date,
            "opening_place" => &mut self.opening_place,
            "contact" => &mut self.contact,
            _ => return None,
        })
    }

    /// Shows a refusal next to its input (or above the form).
    fn refuse(&mut self, field: &str, error: AppError) {
        let api = ApiError::from(error);
        match self.field_mut(field) {
            Some(f) => {
                f.error = api.message;
                f.code = api.code.to_string();
            }
            None => {
                self.form_error = api.message;
                self.form_error_code = api.code.to_string();
            }
        }
    }
}

/// Which input a refusal of the draft belongs to ("" for the form as a whole).
fn draft_field(error: &AppError, is_agency: bool) -> &'static str {
    match error {
        AppError::Domain(domain) => match domain {
            DomainError::ProjectCode => "project_code",
            DomainError::RegionCode => "region",
            DomainError::Required { field } | DomainError::TooLong { field, .. } => match *field {
                "项目名称" => "title",
                "项目概况与招标范围" => "description",
                "投标人资格要求" => "qualification",
                "联系方式" => "contact",
                "标段（包）" | "标段（包）名称" => "lots",
                _ => "",
            },
            DomainError::LotBudget { .. } | DomainError::TooManyLots { .. } => "lots",
            DomainError::InviteeRepeated
            | DomainError::InviteesNotInvited
            | DomainError::TooFewInvitees { .. } => "invitees",
            DomainError::AgencyIsTenderee => "tenderee",
            DomainError::EntityNotFound if is_agency => "tenderee",
            DomainError::CategoryNotInCatalog { .. } => "category",
            DomainError::MethodNotAllowed { .. } | DomainError::TenderMethodUnsupported { .. } => {
                "method"
            }
            _ => "",
        },
        other => match other.code() {
            "DATETIME_FORMAT" => "deadline",
            "METHOD_UNKNOWN" => "method",
            "TENDEREE_NOT_QUALIFIED" => "tenderee",
            "INVITEE_NOT_BIDDER" => "invitees",
            _ => "",
        },
    }
}

pub(crate) async fn new_procedure_form(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    render(NewProcedurePage::blank(&state, &caller))
}

pub(crate) async fn new_procedure_submit(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    body: Bytes,
) -> Response {
    let who = &signed.0;
    let form = fields(&body);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut page = NewProcedurePage::blank(&state, &caller);
    page.project_code = Field::of(get("project_code"));
    page.title = Field::of(get("title"));
    page.category = Field::of(get("category"));
    page.method = Field::of(get("method"));
    page.region = Field::of(get("region"));
    page.tenderee = Field::of(get("tenderee"));
    page.description = Field::of(get("description"));
    page.qualification = Field::of(get("qualification"));
    page.invitees = Field::of(get("invitees"));
    page.deadline_date = Field::of(get("deadline_date"));
    page.deadline_time = Field::of(get("deadline_time"));
    page.opening_place = Field::of(get("opening_place"));
    page.contact = Field::of(get("contact"));
    for lot in &mut page.lots {
        lot.name = get(&format!("lot_name_{}", lot.index));
        lot.budget = get(&format!("lot_budget_{}", lot.index));
    }

    // Amounts and codes are read here, so each refusal lands next to its input.
    let mut lots = Vec::new();
    let mut refusal: Option<(&'static str, AppError)> = None;
    for lot in &page.lots {
        if lot.name.is_empty() && lot.budget.is_empty() {
            continue;
        }
        match parse_yuan(&lot.budget) {
            Some(budget_fen) => lots.push(app::NewLot {
                name: lot.name.clone(),
                budget_fen,
                description: String::new(),
                evaluation: None,
                bond_fen: None,
            }),
            None => {
                refusal.get_or_insert((
                    "lots",
                    AppError::Invalid(format!(
                        "第{}行的最高投标限价应为以元为单位的金额，最多两位小数，如 1234567.89",
                        lot.index
                    )),
                ));
            }
        }
    }
    let invitees: Vec<String> = page
        .invitees
        .value
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if page.is_agency
        && let Err(error) = domain::Uscc::parse(&page.tenderee.value)
    {
        refusal.get_or_insert(("tenderee", error.into()));
    }
    for invitee in &invitees {
        if let Err(error) = domain::Uscc::parse(invitee) {
            let api = ApiError::from(AppError::from(error));
            refusal.get_or_insert((
                "invitees",
                AppError::Invalid(format!("「{invitee}」：{}", api.message)),
            ));
        }
    }
    let deadline = if page.deadline_date.value.is_empty() || page.deadline_time.value.is_empty() {
        String::new()
    } else {
        format!("{} {}", page.deadline_date.value, page.deadline_time.value)
    };
    if let Some((field, error)) = refusal {
        page.refuse(field, error);
        return (StatusCode::UNPROCESSABLE_ENTITY, render(page)).into_response();
    }
    let input = app::NewProcedure {
        project_code: page.project_code.value.clone(),
        title: page.title.value.clone(),
        category: page.category.value.clone(),
        method: page.method.value.clone(),
        region: page.region.value.clone(),
        tenderee: page.tenderee.value.clone(),
        description: page.description.value.clone(),
        qualification: page.qualification.value.clone(),
        invitees,
        lots,
        deadline,
        opening_place: page.opening_place.value.clone(),
        contact: page.contact.value.clone(),
    };
    match state.app.create_procedure(who, input).await {
        Ok((procedure, receipts)) => {
            let seq = first_seq(&receipts)
                .map(|s| format!("&seq={s}"))
                .unwrap_or_default();
            Redirect::to(&format!("/procedures/{}?done=created{seq}", procedure.id)).into_response()
        }
        Err(AppError::Internal(detail)) => app_error_page(AppError::Internal(detail)),
        Err(error) => {
            let status = form_status(&error);
            let field = draft_field(&error, page.is_agency);
            page.refuse(field, error);
            (status, render(page)).into_response()
        }
    }
}

/// The status of a form page that shows `error` next to the form.
fn form_status(error: &AppError) -> StatusCode {
    match error {
        AppError::NotAuthorized => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

// ---------------------------------------------------------------------------------------------
// Bids

/// One of the bidder's bids as a row.
pub(crate) struct MyBidRow {
    pub(crate) lot: String,
    pub(crate) lot_name: String,
    pub(crate) procedure_id: String,
    pub(crate) procedure_title: String,
    pub(crate) status_label: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) lot_phase: String,
    pub(crate) envelope: String,
    pub(crate) envelope_full: String,
    pub(crate) submitted_at: String,
    pub(crate) deadline: String,
}

#[derive(Template)]
#[template(path = "bids.html")]
struct BidsPage {
    layout: Layout,
    rows: Vec<MyBidRow>,
}

pub(crate) async fn my_bids(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
) -> Response {
    let who = &signed.0;
    match state.app.my_bids(who).await {
        Ok(bids) => {
            let rows = bids
                .into_iter()
                .map(|b| {
                    let (status_label, status_class) = bid_status(&b.bid.status);
                    let submitted = b.bid.status == BidStatus::Submitted;
                    let envelope = b
                        .bid
                        .envelope
                        .as_ref()
                        .filter(|_| submitted)
                        .map(|e| e.sm3.clone())
                        .unwrap_or_default();
                    MyBidRow {
                        lot: b.bid.lot.clone(),
                        lot_name: b.lot_name,
                        procedure_id: b.procedure_id,
                        procedure_title: b.procedure_title,
                        status_label,
                        status_class,
                        lot_phase: b.lot_status,
                        envelope: short_hash(&envelope),
                        envelope_full: envelope,
                        submitted_at: b
                            .bid
                            .submitted_at_ms
                            .filter(|_| submitted)
                            .map(beijing_time_seconds)
                            .unwrap_or_default(),
                        deadline: beijing_time(b.deadline_ms),
                    }
                })
                .collect();
            render(BidsPage {
                layout: layout(&state, &caller, "我的投标", "bids", &[("我的投标", "")]),
                rows,
            })
        }
        Err(error) => app_error_page(error),
    }
}

/// The procedure a lot code belongs to, for redirects and refusals.
fn procedure_id_of(code: &str) -> String {
    app::procedure_of_lot(code).unwrap_or(code).to_string()
}

pub(crate) async fn register(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Response {
    let id = procedure_id_of(&code);
    let who = &signed.0;
    let result = state
        .app
        .register_for_lot(who, &code)
        .await
        .map(|r| Some(r.seq));
    after(
        &state,
        &caller,
        &id,
        &lot_anchor(&code),
        "registered",
        result,
    )
    .await
}

pub(crate) async fn withdraw(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Response {
    let id = procedure_id_of(&code);
    let who = &signed.0;
    let result = state
        .app
        .withdraw_bid(who, &code)
        .await
        .map(|r| Some(r.seq));
    after(
        &state,
        &caller,
        &id,
        &lot_anchor(&code),
        "withdrawn",
        result,
    )
    .await
}

pub(crate) async fn start_opening(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Response {
    let id = procedure_id_of(&code);
    let who = &signed.0;
    let result = state
        .app
        .start_opening(Some(who), &code)
        .await
        .map(|(_, r)| first_seq(&r));
    after(&state, &caller, &id, &lot_anchor(&code), "opening", result).await
}

/// 暂停 a lot (the trading center or supervision), with a reason.
pub(crate) async fn suspend(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    let id = procedure_id_of(&code);
    let who = &signed.0;
    let reason = fields(&body).remove("reason").unwrap_or_default();
    let result = state
        .app
        .suspend_lot(who, &code, &reason)
        .await
        .map(|(_, r)| first_seq(&r));
    after(
        &state,
        &caller,
        &id,
        &lot_anchor(&code),
        "suspended",
        result,
    )
    .await
}

/// 恢复 a suspended lot.
pub(crate) async fn resume(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Response {
    let id = procedure_id_of(&code);
    let who = &signed.0;
    let result = state
        .app
        .resume_lot(who, &code)
        .await
        .map(|(_, r)| first_seq(&r));
    after(&state, &caller, &id, &lot_anchor(&code), "resumed", result).await
}

pub(crate) async fn documents(
    State(state): State<Arc<AppState>>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Response {
    let who = &signed.0;
    match state.app.tender_documents(who, &code).await {
        Ok((document, content, copy)) => super::api::with_copy(
            crate::shared::api::file_response(&document.name, content),
            copy,
        ),
        Err(error) => app_error_page(error),
    }
}

#[derive(Template)]
#[template(path = "bid_receipt.html")]
struct BidReceiptPage {
    layout: Layout,
    lot: String,
    lot_name: String,
    procedure_id: String,
    procedure_title: String,
    file_name: String,
    envelope_sm3: String,
    size: String,
    size_bytes: u64,
    time: String,
    seq: u64,
    leaf: String,
    tree_size: u64,
    root: String,
    deadline: String,
}

/// Streams the `envelope` file part of a multipart form into a bid intake.
async fn stream_bid_part(
    state: &AppState,
    who: &Caller,
    code: &str,
    address: &str,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(app::BidReceipt, String), AppError> {
    let mut multipart =
        multipart.map_err(|_| upload_refusal("请使用页面上的表单选择投标文件递交"))?;
    let broken = |_| upload_refusal("投标文件传输中断，请重新递交");
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        if field.name() != Some("envelope") {
            continue;
        }
        let name = field.file_name().unwrap_or("").to_string();
        if name.is_empty() {
            return Err(upload_refusal("请选择要递交的密封投标文件（.sealed）"));
        }
        let mut intake = state.app.begin_bid(who, code).await?.from_address(address);
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if let Err(error) = intake.push(&chunk).await {
                        intake.abort().await;
                        return Err(error);
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    intake.abort().await;
                    return Err(upload_refusal("投标文件传输中断，请重新递交"));
                }
            }
        }
        return Ok((intake.finish().await?, name));
    }
    Err(upload_refusal("请选择要递交的密封投标文件（.sealed）"))
}

/// 递交 (or replace) the sealed bid from the page: the file part is streamed into the intake.
pub(crate) async fn submit_bid(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    signed: SignedIn,
    Path(code): Path<String>,
    address: crate::extract::ClientAddr,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let id = procedure_id_of(&code);
    let who = &signed.0;
    let (receipt, file_name) =
        match stream_bid_part(&state, who, &code, &address.0, multipart).await {
            Ok(done) => done,
            Err(AppError::Internal(detail)) => return app_error_page(AppError::Internal(detail)),
            Err(error) => return refused(&state, &caller, &id, error).await,
        };
    let procedure = state.app.procedure(Some(who), &id).await.ok();
    let lot_name = procedure
        .as_ref()
        .and_then(|p| p.lot(&code))
        .map(|l| l.name.clone())
        .unwrap_or_default();
    let head = &receipt.receipt.tree_head.head;
    render(BidReceiptPage {
        layout: layout(
            &state,
            &caller,
            "投标文件已递交",
            "bids",
            &[
                ("招标项目", "/procedures"),
                (
                    procedure
                        .as_ref()
                        .map_or(id.as_str(), |p| p.draft.title.as_str()),
                    &format!("/procedures/{id}"),
                ),
                ("递交回执", ""),
            ],
        ),
        lot: receipt.lot.clone(),
        lot_name,
        procedure_title: procedure
            .as_ref()
            .map(|p| p.draft.title.clone())
            .unwrap_or_default(),
        deadline: procedure
            .as_ref()
            .map(|p| beijing_time(p.deadline_ms()))
            .unwrap_or_default(),
        procedure_id: id,
        file_name,
        envelope_sm3: receipt.envelope_sm3.clone(),
        size: size_text(receipt.size),
        size_bytes: receipt.size,
        time: beijing_time_seconds(receipt.received_at_ms),
        seq: receipt.receipt.seq,
        leaf: receipt.receipt.leaf_hash.to_hex(),
        tree_size: head.size,
        root: head.root.to_hex(),
    })
}

// ---------------------------------------------------------------------------------------------
// The live opening

/// A key holder's part in an opening.
pub(crate) struct HolderRow {
    pub(crate) index: u32,
    pub(crate) label: String,
    pub(crate) submitted: bool,
}

#[derive(Template)]
#[template(path = "lot_live.html")]
struct LivePage {
    layout: Layout,
    procedure_id: String,
    procedure_title: String,
    code: String,
    name: String,
    budget: String,
    phase: String,
    phase_class: &'static str,
    deadline: String,
    remaining_ms: i64,
    remaining: String,
    counting: bool,
    refresh: bool,
    opening: bool,
    threshold: u32,
    partials_in: usize,
    /// Fewer partials than the threshold are in.
    waiting: bool,
    holders: Vec<HolderRow>,
    reason: String,
    opened_at: String,
    lines: Vec<OpeningRowView>,
    now: String,
}

pub(crate) async fn live(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> Response {
    let result = async {
        let id = app::procedure_of_lot(&code)?;
        let procedure = state.app.procedure(caller.0.as_ref(), id).await?;
        let lot = procedure.lot(&code).ok_or(DomainError::LotNotFound)?;
        let now = state.app.now_ms();
        let remaining_ms = (procedure.deadline_ms() - now).max(0);
        let terminated = procedure.status == ProcedureStatus::Terminated;
        let still_moving = matches!(
            lot.status,
            LotStatus::Bidding | LotStatus::Opening { .. } | LotStatus::Suspended { .. }
        );
        let key = procedure.opening_key.as_ref();
        let holders = key
            .map(|k| {
                k.holders
                    .iter()
                    .map(|h| HolderRow {
                        index: h.index,
                        label: h.label.clone(),
                        submitted: lot.partials.iter().any(|(i, _)| *i == h.index),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let title = format!("开标直播 · {}", lot.name);
        Ok::<_, AppError>(render(LivePage {
            layout: layout(
                &state,
                &caller,
                &title,
                "procedures",
                &[
                    ("招标项目", "/procedures"),
                    (&procedure.draft.title, &format!("/procedures/{id}")),
                    ("开标直播", ""),
                ],
            ),
            procedure_id: procedure.id.clone(),
            procedure_title: procedure.draft.title.clone(),
            code: lot.code.clone(),
            name: lot.name.clone(),
            budget: yuan_text(lot.budget_fen),
            phase: app::phase_label(&procedure, lot, now),
            phase_class: phase_class(&procedure, lot, now),
            deadline: beijing_time(procedure.deadline_ms()),
            remaining_ms,
            remaining: remaining_text(remaining_ms),
            counting: !terminated && remaining_ms > 0,
            refresh: !terminated && still_moving,
            opening: matches!(lot.status, LotStatus::Opening { .. }),
            threshold: key.map_or(0, |k| k.threshold),
            partials_in: lot.partials.len(),
            waiting: (lot.partials.len() as u64) < key.map_or(0, |k| u64::from(k.threshold)),
            holders,
            reason: lot_reason(lot),
            opened_at: lot.opened_at_ms.map(beijing_time).unwrap_or_default(),
            lines: opening_rows(lot),
            now: beijing_time_seconds(now),
        }))
    }
    .await;
    result.unwrap_or_else(app_error_page)
}

// ---------------------------------------------------------------------------------------------
// Opening keys

/// A seat of a key ceremony.
pub(crate) struct SeatRow {
    pub(crate) index: u32,
    pub(crate) label: String,
    pub(crate) account: String,
    pub(crate) joined: bool,
    pub(crate) dealt: bool,
    pub(crate) confirmed: bool,
}

/// A key ceremony.
pub(crate) struct CeremonyView {
    pub(crate) id: String,
    pub(crate) status_label: &'static str,
    pub(crate) status_class: &'static str,
    pub(crate) threshold: u32,
    pub(crate) seats_count: usize,
    pub(crate) opened_at: String,
    pub(crate) opened_by: String,
    pub(crate) reason: String,
    pub(crate) public_key: String,
    pub(crate) seats: Vec<SeatRow>,
}

#[derive(Template)]
#[template(path = "keys.html")]
struct KeysPage {
    layout: Layout,
    ceremonies: Vec<CeremonyView>,
}

pub(crate) async fn keys(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
) -> Response {
    match state.app.ceremonies().await {
        Ok(list) => {
            let ceremonies = list
                .into_iter()
                .map(|c| {
                    let (status_label, status_class, reason, public_key) = match &c.status {
                        CeremonyStatus::Joining => {
                            ("等待持有人加入", "warn", String::new(), String::new())
                        }
                        CeremonyStatus::Dealing => {
                            ("持有人交换份额中", "warn", String::new(), String::new())
                        }
                        CeremonyStatus::Confirming => {
                            ("持有人确认份额中", "warn", String::new(), String::new())
                        }
                        CeremonyStatus::Active { key } => {
                            ("可用", "ok", String::new(), key.public_key.clone())
                        }
                        CeremonyStatus::Failed { reason } => {
                            ("失败", "bad", reason.clone(), String::new())
                        }
                    };
                    CeremonyView {
                        status_label,
                        status_class,
                        reason,
                        public_key,
                        threshold: c.threshold,
                        seats_count: c.seats.len(),
                        opened_at: beijing_time(c.opened_at_ms),
                        opened_by: c.opened_by.clone(),
                        seats: c
                            .seats
                            .iter()
                            .map(|s| SeatRow {
                                index: s.index,
                                label: s.label.clone(),
                                account: s.account.clone(),
                                joined: s.public_key.is_some(),
                                dealt: s.commitments.is_some(),
                                confirmed: s.confirmed,
                            })
                            .collect(),
                        id: c.id,
                    }
                })
                .collect();
            render(KeysPage {
                layout: layout(&state, &caller, "开标密钥", "keys", &[("开标密钥", "")]),
                ceremonies,
            })
        }
        Err(error) => app_error_page(error),
    }
}

/// The newest announcements, for the home page.
pub(crate) async fn latest_announcements(state: &AppState, n: u64) -> Vec<AnnouncementRowView> {
    match state.app.announcements("", "", n, 0).await {
        Ok(list) => list.items.iter().map(announcement_row).collect(),
        Err(error) => {
            tracing::warn!(%error, "could not list the newest announcements");
            Vec::new()
        }
    }
}
