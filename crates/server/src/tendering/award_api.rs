//! Tendering's JSON API after the opening: the evaluation (start, sheets, conclusion, signatures,
//! the bid files for the committee), the award (candidates, objections, award, contract,
//! performance), bonds and e-guarantee issuers.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::access::MaybeCaller;
use crate::dto::ReasonRequest;
use crate::dto::ReceiptsDto;
use crate::errors::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::request_dto::{GuaranteeRequest, SheetRequest};
use crate::shared::api::json;
use crate::shared::api::{caller, receipts};

type ApiResult<T> = Result<T, ApiError>;

/// 开始评标 (organiser or trading center): the lot is opened and a panel has signed.
#[utoipa::path(post, path = "/api/v1/lots/{code}/evaluation", tag = "评标", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn start_evaluation(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.start_evaluation(caller, &code).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// The evaluation (`app::EvaluationView`): committee experts after the declaration, the
/// organiser, the trading center, supervision and audit.
#[utoipa::path(get, path = "/api/v1/lots/{code}/evaluation", tag = "评标", params(("code" = String, Path), CaseQuery), responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub(crate) async fn evaluation(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<CaseQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(
        &state
            .app
            .evaluation_view_for_case(caller, &code, query.case.as_deref())
            .await?,
    )))
}

/// The case a supervisor or auditor reads confidential material under (the read is witnessed
/// with it); absent for routine online supervision.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseQuery {
    #[param(max_length = 32)]
    #[serde(default)]
    pub(crate) case: Option<String>,
}

/// An expert saves their sheet (`domain::Sheet`: verdicts and scores; drafts may be partial).
#[utoipa::path(put, path = "/api/v1/lots/{code}/evaluation/sheet", tag = "评标", params(("code" = String, Path)), request_body = SheetRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn save_sheet(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(sheet): ApiJson<SheetRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.save_sheet(caller, &code, sheet.into()).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 汇总: concludes when nothing is missing; the sheets are then locked.
#[utoipa::path(post, path = "/api/v1/lots/{code}/evaluation/conclude", tag = "评标", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn conclude_evaluation(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.conclude_evaluation(caller, &code).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// Back to scoring before anyone signed, with a reason.
#[utoipa::path(post, path = "/api/v1/lots/{code}/evaluation/reopen", tag = "评标", params(("code" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn reopen_evaluation(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .reopen_evaluation(caller, &code, &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignatureRequest {
    /// The expert's certificate (PEM), subject = the expert's ID number.
    pub(crate) certificate_pem: String,
    /// SM2 signature (hex) over the canonical JSON of the view's `to_sign` (`ggzy sign`).
    pub(crate) signature: String,
}

/// An expert signs the concluded report.
#[utoipa::path(post, path = "/api/v1/lots/{code}/evaluation/signatures", tag = "评标", params(("code" = String, Path)), request_body = SignatureRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn sign_report(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<SignatureRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .sign_report(caller, &code, &input.certificate_pem, &input.signature)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// A file of an opened bid (committee experts after the declaration, the bidder itself,
/// supervision and audit).
#[utoipa::path(get, path = "/api/v1/lots/{code}/bids/{bidder}/files/{sm3}", tag = "评标", params(("code" = String, Path), ("bidder" = String, Path), ("sm3" = String, Path), CaseQuery), responses((status = 200, content_type = "application/octet-stream"), (status = 403, body = ErrorBody)))]
pub(crate) async fn bid_file(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((code, bidder, sm3)): Path<(String, String, String)>,
    ApiQuery(query): ApiQuery<CaseQuery>,
) -> ApiResult<axum::response::Response> {
    let caller = caller(&maybe)?;
    let (name, content) = state
        .app
        .bid_file_for_case(caller, &code, &bidder, &sm3, query.case.as_deref())
        .await?;
    Ok(crate::shared::api::file_response(&name, content))
}

/// 中标候选人公示 (the organiser): the signed report's candidates, for the rule set's period.
#[utoipa::path(post, path = "/api/v1/lots/{code}/candidates", tag = "定标", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn publish_candidates(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.publish_candidates(caller, &code).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextRequest {
    pub(crate) text: String,
}

/// An objection (异议, 质疑).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ObjectionRequest {
    /// documents, opening or result (the default).
    #[schema(pattern = "^(documents|opening|result)$")]
    #[serde(default)]
    pub(crate) subject: Option<String>,
    pub(crate) text: String,
}

/// 异议 (质疑) by a bidder of the lot within its subject's window; one about the result suspends
/// the lot until answered.
#[utoipa::path(post, path = "/api/v1/lots/{code}/objections", tag = "定标", params(("code" = String, Path)), request_body = ObjectionRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn raise_objection(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<ObjectionRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let subject = match input.subject.as_deref() {
        None => domain::ObjectionSubject::Result,
        Some(text) => domain::ObjectionSubject::parse(text).ok_or_else(|| {
            app::AppError::refused(
                "OBJECTION_SUBJECT",
                "subject 应为 documents（招标文件）、opening（开标及评标过程）或 result（中标结果）",
            )
        })?,
    };
    let receipt = state
        .app
        .raise_objection(caller, &code, subject, &input.text)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// The organiser's answer to an objection.
#[utoipa::path(post, path = "/api/v1/lots/{code}/objections/{id}/answer", tag = "定标", params(("code" = String, Path), ("id" = u32, Path)), request_body = TextRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn answer_objection(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((code, id)): Path<(String, u32)>,
    ApiJson(input): ApiJson<TextRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .answer_objection(caller, &code, id, &input.text)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AwardRequest {
    /// The winner's entity id (统一社会信用代码), one of the candidates.
    pub(crate) winner: String,
}

/// 确定中标人 after the publicity, with no objection open.
#[utoipa::path(post, path = "/api/v1/lots/{code}/award", tag = "定标", params(("code" = String, Path)), request_body = AwardRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn award(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<AwardRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.award(caller, &code, &input.winner).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PartySignature {
    pub(crate) certificate_pem: String,
    /// SM2 over the canonical JSON of `{"lot", "contract_sm3"}`, hex.
    pub(crate) signature: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContractRequest {
    pub(crate) name: String,
    /// The contract file, base64.
    pub(crate) content_base64: String,
    /// The tenderee's and the winner's signatures.
    pub(crate) signatures: Vec<PartySignature>,
}

/// 合同: the document signed by both parties.
#[utoipa::path(post, path = "/api/v1/lots/{code}/contract", tag = "定标", params(("code" = String, Path)), request_body = ContractRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn contract(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<ContractRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    use base64::Engine;
    let caller = caller(&maybe)?;
    let content = base64::engine::general_purpose::STANDARD
        .decode(input.content_base64.trim())
        .map_err(|_| ApiError::with_message("INVALID_REQUEST", "合同文件不是有效的 base64"))?;
    let signatures: Vec<(String, String)> = input
        .signatures
        .into_iter()
        .map(|s| (s.certificate_pem, s.signature))
        .collect();
    let receipt = state
        .app
        .record_contract(caller, &code, &input.name, &content, &signatures)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PerformanceRequest {
    #[serde(default)]
    pub(crate) text: String,
    /// 履约完毕.
    #[serde(default)]
    pub(crate) complete: bool,
    /// `normal` (按约履行, the default), `late` (逾期, with `late_days`) or `failed` (不履行).
    #[serde(default)]
    pub(crate) outcome: String,
    #[serde(default)]
    pub(crate) late_days: Option<u32>,
}

/// The performance outcome from a form or request.
pub(crate) fn performance_outcome(
    outcome: &str,
    late_days: &str,
) -> Result<domain::PerformanceOutcome, app::AppError> {
    match outcome.trim() {
        "" | "normal" => Ok(domain::PerformanceOutcome::Normal),
        "failed" => Ok(domain::PerformanceOutcome::Failed),
        "late" => match late_days.trim().parse::<u32>() {
            Ok(days) if (1..=3650).contains(&days) => Ok(domain::PerformanceOutcome::Late { days }),
            _ => Err(app::AppError::refused(
                "PERFORMANCE_OUTCOME",
                "逾期履行须填写逾期天数（1到3650）",
            )),
        },
        _ => Err(app::AppError::refused(
            "PERFORMANCE_OUTCOME",
            "履约结果应为 normal（按约履行）、late（逾期履行）或 failed（不履行）",
        )),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeclineRequest {
    /// 放弃中标的理由.
    pub(crate) reason: String,
}

/// 放弃中标: the winner declines before the contract (实施条例 第74条); a credit record follows.
#[utoipa::path(post, path = "/api/v1/lots/{code}/decline", tag = "定标", params(("code" = String, Path)), request_body = DeclineRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn decline(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<DeclineRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .decline_award(caller, &code, &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 逾期未签订合同: the organiser or the trading center records that the contract period passed.
#[utoipa::path(post, path = "/api/v1/lots/{code}/signing-lapse", tag = "定标", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn signing_lapse(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state.app.record_signing_lapse(caller, &code).await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 履约情况, or the end of performance.
#[utoipa::path(post, path = "/api/v1/lots/{code}/performance", tag = "定标", params(("code" = String, Path)), request_body = PerformanceRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn performance(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<PerformanceRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .record_performance(
            caller,
            &code,
            &input.text,
            performance_outcome(
                &input.outcome,
                &input.late_days.map(|d| d.to_string()).unwrap_or_default(),
            )?,
            input.complete,
        )
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 电子保函: the issuer's signed guarantee with its certificate (`app::SignedGuarantee`).
#[utoipa::path(post, path = "/api/v1/lots/{code}/bond/guarantee", tag = "投标保证金", params(("code" = String, Path)), request_body = GuaranteeRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn bond_guarantee(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<GuaranteeRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let input: app::SignedGuarantee = input.into();
    let receipt = state
        .app
        .record_bond_guarantee(caller, &code, &input)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransferRequest {
    pub(crate) amount_fen: i64,
    /// The bank's transaction number.
    pub(crate) reference: String,
}

/// 转账缴纳: held when the trading center confirms it.
#[utoipa::path(post, path = "/api/v1/lots/{code}/bond/transfer", tag = "投标保证金", params(("code" = String, Path)), request_body = TransferRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn bond_transfer(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<TransferRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .record_bond_transfer(caller, &code, input.amount_fen, &input.reference)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// The bonds of a lot (`app::BondView`): the trading center and oversight; the organiser after
/// the opening; a bidder its own.
#[utoipa::path(get, path = "/api/v1/lots/{code}/bonds", tag = "投标保证金", params(("code" = String, Path)), responses((status = 200, body = Vec<Object>)))]
pub(crate) async fn bonds(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    Ok(Json(json(&state.app.bonds(caller, &code).await?)))
}

/// Who gave bonds in a lot, before its opening (supervision only, with a reason; the read is
/// recorded in the ledger). Before the opening the bond list names bidders by handle only.
#[utoipa::path(post, path = "/api/v1/lots/{code}/bonds/reveal", tag = "投标保证金", params(("code" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = Object)))]
pub(crate) async fn reveal_bond_bidders(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
    ApiJson(request): ApiJson<ReasonRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = caller(&maybe)?;
    let (bonds, receipt) = state
        .app
        .reveal_bond_bidders(caller, &code, &request.reason)
        .await?;
    Ok(Json(serde_json::json!({
        "bonds": json(&bonds),
        "receipt": json(&receipts(&state, &[receipt])),
    })))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ConfirmBondQuery {
    /// The account the transfer came from, as the bank's arrival record shows it (8–32 digits).
    #[param(pattern = "^[0-9]{8,32}$")]
    pub(crate) payer_account: Option<String>,
}

/// The trading center confirms a transfer (with the paying account, when the bank names it).
#[utoipa::path(post, path = "/api/v1/lots/{code}/bonds/{bidder}/confirm", tag = "投标保证金", params(("code" = String, Path), ("bidder" = String, Path), ConfirmBondQuery), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn confirm_bond(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((code, bidder)): Path<(String, String)>,
    crate::extract::ApiQuery(query): crate::extract::ApiQuery<ConfirmBondQuery>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .confirm_bond(
            caller,
            &code,
            &bidder,
            query.payer_account.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 不予退还, with a reason.
#[utoipa::path(post, path = "/api/v1/lots/{code}/bonds/{bidder}/forfeit", tag = "投标保证金", params(("code" = String, Path), ("bidder" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn forfeit_bond(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path((code, bidder)): Path<(String, String)>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .forfeit_bond(caller, &code, &bidder, &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 退还投标保证金: every bond whose refund period has started, with the interest owed.
#[utoipa::path(post, path = "/api/v1/lots/{code}/bonds/refund", tag = "投标保证金", params(("code" = String, Path)), responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn refund_bonds(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(code): Path<String>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let list = state.app.refund_bonds(caller, &code).await?;
    Ok(Json(receipts(&state, &list)))
}

/// The accepted e-guarantee institutions (电子保函机构名录), public.
#[utoipa::path(get, path = "/api/v1/guarantors", tag = "投标保证金", responses((status = 200, body = Vec<Object>)))]
pub(crate) async fn guarantors(
    State(state): State<Arc<AppState>>,
) -> ApiResult<Json<serde_json::Value>> {
    Ok(Json(json(&state.app.guarantors().await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GuarantorRequest {
    /// 统一社会信用代码 (the subject code of its signing certificate).
    pub(crate) uscc: String,
    pub(crate) name: String,
}

/// 认可电子保函机构 (trading center).
#[utoipa::path(post, path = "/api/v1/guarantors", tag = "投标保证金", request_body = GuarantorRequest, responses((status = 200, body = ReceiptsDto), (status = 422, body = ErrorBody)))]
pub(crate) async fn approve_guarantor(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    ApiJson(input): ApiJson<GuarantorRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .approve_guarantor(caller, &input.uscc, &input.name)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}

/// 移出名录, with a reason.
#[utoipa::path(post, path = "/api/v1/guarantors/{id}/withdraw", tag = "投标保证金", params(("id" = String, Path)), request_body = ReasonRequest, responses((status = 200, body = ReceiptsDto), (status = 409, body = ErrorBody)))]
pub(crate) async fn withdraw_guarantor(
    State(state): State<Arc<AppState>>,
    axum::Extension(maybe): axum::Extension<MaybeCaller>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ReceiptsDto>> {
    let caller = caller(&maybe)?;
    let receipt = state
        .app
        .withdraw_guarantor(caller, &id, &input.reason)
        .await?;
    Ok(Json(receipts(&state, &[receipt])))
}
