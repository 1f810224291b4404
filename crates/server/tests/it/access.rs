//! Every route, called by every role: allowed roles get past authorisation, the others are
//! refused with NOT_AUTHENTICATED (anonymous) or NOT_AUTHORIZED.

use domain::Role;
use reqwest::Method;
use server::{Access, ROUTES};

use crate::support::{client, spawn_app};

/// The demo account of each role.
fn account_of(role: Role) -> &'static str {
    match role {
        Role::Operator => "operator",
        Role::Tenderee => "tenderee",
        Role::Agency => "agency",
        Role::Bidder => "bidder",
        Role::Expert => "expert",
        Role::Supervisor => "supervisor",
        Role::Auditor => "auditor",
    }
}

fn allowed(access: Access, role: Option<Role>) -> bool {
    match (access, role) {
        (Access::Public, _) => true,
        (Access::Authenticated, Some(_)) => true,
        (Access::Roles(roles), Some(role)) => roles.contains(&role),
        // No demo account belongs to the pending entity the walk uses.
        (Access::EntityMemberOr(roles), Some(role)) => roles.contains(&role),
        (_, None) => false,
    }
}

#[tokio::test]
async fn every_route_with_every_role() {
    let server = spawn_app().await;
    let pending = server.pending_id().await;
    let mut roles: Vec<Option<Role>> = vec![None];
    roles.extend(Role::ALL.into_iter().map(Some));
    let routes: Vec<_> = ROUTES.to_vec();
    let mut checked = 0;
    for role in roles {
        let (client, csrf) = match role {
            Some(role) => server.login(account_of(role)).await,
            None => (client(), String::new()),
        };
        for (method, path, access) in &routes {
            let concrete = path
                .replace("{seq}", "0")
                .replace("{id}", &pending)
                .replace("{username}", "bidder")
                .replace("{file}", "style.css")
                .replace("{kind}", "calendar")
                .replace("{version}", "1")
                .replace("{fingerprint}", "00");
            let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
            // Routes that end the session get a session of their own.
            let ends_session = path.contains("session") || path.contains("logout");
            let (client, csrf) = match role {
                Some(role) if ends_session => server.login(account_of(role)).await,
                _ => (client.clone(), csrf.clone()),
            };
            let mut request = client.request(method.clone(), server.url(&concrete));
            if method != Method::GET {
                request = request.header("x-csrf-token", &csrf);
                request = if path.starts_with("/api/") {
                    request.json(&serde_json::json!({}))
                } else {
                    request
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body("reason=")
                };
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            let who = role.map_or("anonymous", |r| r.as_str());
            let refused_for_login = status == 401 || location.starts_with("/login?");
            if allowed(*access, role) {
                assert!(
                    !refused_for_login && status != 403,
                    "{who} {method} {path}: allowed but got {status} {location}"
                );
            } else if role.is_none() {
                assert!(
                    refused_for_login,
                    "{who} {method} {path}: expected a log-in refusal, got {status}"
                );
                if path.starts_with("/api/") {
                    let body: serde_json::Value = response.json().await.unwrap();
                    assert_eq!(body["code"], "NOT_AUTHENTICATED");
                }
            } else {
                assert_eq!(status, 403, "{who} {method} {path}: expected 403");
                if path.starts_with("/api/") {
                    let body: serde_json::Value = response.json().await.unwrap();
                    assert_eq!(body["code"], "NOT_AUTHORIZED");
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, ROUTES.len() * 8);
}

#[tokio::test]
async fn openapi_documents_every_api_route() {
    let server = spawn_app().await;
    let doc: serde_json::Value = client()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for (method, path, _) in ROUTES {
        if path.starts_with("/api/v1/") || *path == "/healthz" {
            let operation = &doc["paths"][*path][method.as_str().to_ascii_lowercase()];
            assert!(
                operation.is_object(),
                "{method} {path} is not in the OpenAPI document"
            );
        }
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[test]
fn every_error_code_is_in_the_table() {
    let table: Vec<&str> = server::errors::ERROR_TABLE
        .iter()
        .map(|(code, _, _)| *code)
        .collect();
    for code in domain::DomainError::ALL_CODES {
        assert!(
            table.contains(code),
            "{code} is missing from the error table"
        );
    }
    for code in [
        "BAD_CREDENTIALS",
        "NOT_AUTHENTICATED",
        "NOT_AUTHORIZED",
        "ENTITY_NOT_ACTIVE",
        "PASSWORD_WEAK",
        "ENTITY_KIND",
        "UNKNOWN_ROLE",
        "TOKEN_NAME",
        "TOKEN_VALIDITY",
        "NOT_FOUND",
        "INVALID_REQUEST",
        "INTERNAL",
        "PARTIAL_PROOF_INVALID",
        "EXPERT_INVALID",
        "EXPERT_IMPORT",
    ]
    .into_iter()
    .chain(app::REFUSAL_CODES.iter().copied())
    {
        assert!(
            table.contains(&code),
            "{code} is missing from the error table"
        );
    }
    let mut sorted = table.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), table.len(), "codes are unique");
}
