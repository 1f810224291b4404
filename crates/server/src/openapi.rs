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
        crate::tender_api::create_procedure,
        crate::tender_api::procedures,
        crate::tender_api::procedure,
        crate::tender_api::edit_procedure,
        crate::tender_api::attach_documents,
        crate::tender_api::publish_procedure,
        crate::tender_api::amend_procedure,
        crate::tender_api::terminate_procedure,
        crate::tender_api::announcements,
        crate::tender_api::announcement,
        crate::tender_api::register_for_lot,
        crate::tender_api::lot_documents,
        crate::tender_api::submit_bid,
        crate::tender_api::withdraw_bid,
        crate::tender_api::my_bid,
        crate::tender_api::my_bids,
        crate::tender_api::start_opening,
        crate::tender_api::opening_request,
        crate::tender_api::submit_partials,
        crate::tender_api::open_ceremony,
        crate::tender_api::ceremonies,
        crate::tender_api::ceremony,
        crate::tender_api::join_ceremony,
        crate::tender_api::deal_ceremony,
        crate::tender_api::confirm_ceremony,
        crate::tender_api::complain_ceremony,
        crate::tender_api::suspend_lot,
        crate::tender_api::resume_lot,
        crate::tender_api::experts,
        crate::tender_api::expert,
        crate::expert_api::draws,
        crate::expert_api::panel,
        crate::expert_api::confirm,
        crate::expert_api::decline,
        crate::expert_api::no_response,
        crate::expert_api::declaration,
        crate::expert_api::rate,
        crate::expert_api::disclose,
        crate::expert_api::my_evaluations,
        crate::expert_api::relation,
        crate::expert_api::account,
        crate::expert_api::rooms,
        crate::expert_api::add_room,
        crate::expert_api::book_room,
        crate::expert_api::cancel_booking,
        crate::expert_api::start_evaluation,
        crate::expert_api::evaluation,
        crate::expert_api::save_sheet,
        crate::expert_api::conclude_evaluation,
        crate::expert_api::reopen_evaluation,
        crate::expert_api::sign_report,
        crate::expert_api::bid_file,
        crate::expert_api::guarantors,
        crate::expert_api::approve_guarantor,
        crate::expert_api::withdraw_guarantor,
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
        crate::expert_api::bond_guarantee,
        crate::expert_api::bond_transfer,
        crate::expert_api::bonds,
        crate::expert_api::confirm_bond,
        crate::expert_api::reveal_bond_bidders,
        crate::expert_api::forfeit_bond,
        crate::expert_api::refund_bonds,
        crate::expert_api::publish_candidates,
        crate::expert_api::raise_objection,
        crate::expert_api::answer_objection,
        crate::expert_api::award,
        crate::expert_api::contract,
        crate::expert_api::performance,
        crate::tender_api::add_expert,
        crate::tender_api::import_experts,
        crate::tender_api::expert_leave,
        crate::tender_api::suspend_expert,
        crate::tender_api::reinstate_expert,
        crate::tender_api::retire_expert,
        crate::tender_api::draw,
        crate::tender_api::draw_entries,
        crate::tender_api::contribute,
        crate::disclosure::portal::search_api,
        crate::disclosure::ocds::releases,
        crate::disclosure::ocds::records,
        crate::disclosure::ocds::bulk_releases,
        crate::disclosure::ocds::bulk_package,
        crate::disclosure::ocds::national
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
/// where log-in and registration are throttled.
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
            if path == "/api/v1/session" || path == "/api/v1/registrations" {
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
