//! The OpenAPI document (`GET /api/openapi.json`): every JSON handler of every context, named
//! here and nowhere else, completed with what every operation can answer. Imports handlers;
//! nothing imports it but the router.

use axum::Json;

use crate::errors::ErrorBody;
use crate::market::api::*;
use crate::reference::api::*;
use crate::witness::api::*;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "GGZY 公共资源交易平台 API",
        version = "1",
        description = "JSON API of the GGZY public resource trading platform. Errors are `{code, message, request_id}`."
    ),
    paths(
        healthz,
        ledger_head,
        ledger_checkpoint,
        ledger_entries,
        ledger_proof,
        ledger_heads,
        ledger_consistency,
        crate::federation::api::nodes,
        crate::federation::api::node,
        crate::federation::api::mirrored_entries,
        crate::federation::api::mirrored_proof,
        crate::federation::api::add_checkpoint,
        crate::federation::api::cosigned_checkpoint,
        crate::federation::api::witnesses,
        login,
        logout,
        me,
        create_token,
        list_tokens,
        revoke_token,
        register,
        register_by_operator,
        entities,
        entity,
        approve,
        reject,
        create_account,
        account,
        crate::market::claim::claim_payload,
        crate::market::claim::claim,
        reference_current,
        reference_history,
        reference_version,
        reference_publish,
        rules_resolve,
        calendar_deadline,
        set_qualifications,
        set_bank_account,
        suspend,
        personal_data,
        bar,
        reinstate,
        bind_certificate,
        revoke_certificate,
        import_crl,
        crate::tendering::api::create_procedure,
        crate::tendering::api::procedures,
        crate::tendering::api::procedure,
        crate::tendering::api::edit_procedure,
        crate::tendering::api::attach_documents,
        crate::tendering::api::publish_procedure,
        crate::tendering::api::amend_procedure,
        crate::tendering::api::terminate_procedure,
        crate::tendering::api::announcements,
        crate::tendering::api::announcement,
        crate::tendering::api::register_for_lot,
        crate::tendering::api::lot_documents,
        crate::tendering::api::submit_bid,
        crate::tendering::api::withdraw_bid,
        crate::tendering::api::my_bid,
        crate::tendering::api::my_bids,
        crate::tendering::api::start_opening,
        crate::tendering::api::opening_request,
        crate::tendering::api::submit_partials,
        crate::tendering::api::open_ceremony,
        crate::tendering::api::ceremonies,
        crate::tendering::api::ceremony,
        crate::tendering::api::join_ceremony,
        crate::tendering::api::deal_ceremony,
        crate::tendering::api::confirm_ceremony,
        crate::tendering::api::complain_ceremony,
        crate::tendering::api::suspend_lot,
        crate::tendering::api::resume_lot,
        crate::experts::database_api::experts,
        crate::experts::database_api::expert,
        crate::experts::api::draws,
        crate::experts::api::panel,
        crate::experts::api::confirm,
        crate::experts::api::decline,
        crate::experts::api::no_response,
        crate::experts::api::declaration,
        crate::experts::api::rate,
        crate::experts::api::disclose,
        crate::experts::api::my_evaluations,
        crate::experts::api::relation,
        crate::experts::api::account,
        crate::experts::api::rooms,
        crate::experts::api::add_room,
        crate::experts::api::book_room,
        crate::experts::api::cancel_booking,
        crate::tendering::award_api::start_evaluation,
        crate::tendering::award_api::evaluation,
        crate::tendering::award_api::save_sheet,
        crate::tendering::award_api::conclude_evaluation,
        crate::tendering::award_api::reopen_evaluation,
        crate::tendering::award_api::sign_report,
        crate::tendering::award_api::bid_file,
        crate::tendering::award_api::guarantors,
        crate::tendering::award_api::approve_guarantor,
        crate::tendering::award_api::withdraw_guarantor,
        crate::sales::api::auctions,
        crate::sales::api::create,
        crate::sales::api::auction,
        crate::sales::api::events,
        crate::sales::api::verify,
        crate::sales::api::live,
        crate::sales::api::register,
        crate::sales::api::bid,
        crate::sales::api::deposit_notice,
        crate::sales::api::confirm_deposit,
        crate::sales::api::close,
        crate::sales::api::relist,
        crate::sales::api::sealed,
        crate::sales::api::start_opening,
        crate::sales::api::opening,
        crate::sales::api::partials,
        crate::sales::api::confirmation,
        crate::tendering::award_api::bond_guarantee,
        crate::tendering::award_api::bond_transfer,
        crate::tendering::award_api::bonds,
        crate::tendering::award_api::confirm_bond,
        crate::tendering::award_api::reveal_bond_bidders,
        crate::tendering::award_api::forfeit_bond,
        crate::tendering::award_api::refund_bonds,
        crate::tendering::award_api::publish_candidates,
        crate::tendering::award_api::raise_objection,
        crate::tendering::award_api::answer_objection,
        crate::tendering::award_api::award,
        crate::tendering::award_api::contract,
        crate::tendering::award_api::performance,
        crate::monitoring::api::list,
        crate::monitoring::api::one,
        crate::monitoring::api::close,
        crate::monitoring::api::case,
        crate::monitoring::statistics::api,
        crate::monitoring::statistics::download,
        crate::credit::api::listings,
        crate::credit::api::subject,
        crate::credit::api::bulk,
        crate::credit::api::import,
        crate::credit::api::lists,
        crate::credit::api::confirm_match,
        crate::credit::api::repair,
        crate::credit::api::review,
        crate::credit::api::sale_default,
        crate::tendering::award_api::decline,
        crate::tendering::award_api::signing_lapse,
        crate::experts::database_api::add_expert,
        crate::experts::database_api::import_experts,
        crate::experts::database_api::expert_leave,
        crate::experts::database_api::suspend_expert,
        crate::experts::database_api::reinstate_expert,
        crate::experts::database_api::retire_expert,
        crate::experts::database_api::draw,
        crate::experts::database_api::draw_entries,
        crate::experts::database_api::contribute,
        crate::disclosure::portal::search_api,
        crate::disclosure::ocds::releases,
        crate::disclosure::ocds::records,
        crate::disclosure::ocds::bulk_releases,
        crate::disclosure::ocds::bulk_package,
        crate::disclosure::ocds::national,
        crate::supervision::api::departments,
        crate::supervision::api::decisions,
        crate::supervision::api::file_complaint,
        crate::supervision::api::file_report,
        crate::supervision::api::query_report,
        crate::supervision::api::cases,
        crate::supervision::api::case,
        crate::supervision::api::act,
        crate::supervision::api::to_sign,
        crate::supervision::api::decide,
        crate::supervision::api::my_reads
    ),
    components(schemas(ErrorBody))
)]
pub(crate) struct ApiDoc;

/// `GET /api/openapi.json`.
pub(crate) async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    Json(
        DOC.get_or_init(|| complete(<ApiDoc as utoipa::OpenApi>::openapi()))
            .clone(),
    )
}

/// What every operation can answer besides what its handler documents, from the one place that
/// decides it: the framework and extractor refusals (400, 413, 415, 422: every body and
/// parameter is validated), 404, and — from `access::ROUTES` — 401 and 403 with the security
/// schemes (a bearer API token, or the session cookie) on every route that is not public; 429
/// where log-in, registration and anonymous reports are throttled.
fn complete(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
    };
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
            crate::access::SESSION_COOKIE,
        ))),
    );
    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build(),
        )
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            (axum::http::Method::GET, &mut item.get),
            (axum::http::Method::POST, &mut item.post),
            (axum::http::Method::PUT, &mut item.put),
            (axum::http::Method::DELETE, &mut item.delete),
            (axum::http::Method::PATCH, &mut item.patch),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation.as_mut() else {
                continue;
            };
            let responses = &mut operation.responses.responses;
            let mut add = |code: &str, description: &str| {
                responses
                    .entry(code.to_string())
                    .or_insert_with(|| error(description));
            };
            add("400", "请求无效（参数、路径或请求体格式不正确）");
            add("404", "请求的内容不存在");
            add("422", "请求内容不符合业务规则");
            if method != axum::http::Method::GET && method != axum::http::Method::DELETE {
                add("413", "请求体过大");
                add("415", "请求的内容类型不受支持");
            }
            if method != axum::http::Method::GET {
                add("409", "与当前状态冲突（例如已处理过、不在可办理的阶段）");
            }
            if path == "/api/v1/session"
                || path == "/api/v1/registrations"
                || path == "/api/v1/reports"
            {
                add("429", "尝试过于频繁");
            }
            let public = crate::access::rule_for(&method, path) == Some(crate::Access::Public);
            if !public {
                add("401", "未登录，或令牌无效");
                add("403", "无权执行此操作");
                operation.security = Some(vec![
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                    SecurityRequirement::new("session", Vec::<String>::new()),
                ]);
            }
        }
    }
    doc
}

/// `/api/openapi.json`.
pub(crate) fn routes() -> axum::Router<std::sync::Arc<crate::AppState>> {
    axum::Router::new().route("/api/openapi.json", axum::routing::get(openapi))
}
