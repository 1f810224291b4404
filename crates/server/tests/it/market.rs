//! Market entities, complete: qualifications and the bond bank account kept by the entity itself,
//! sanctions by the trading center and supervision, and who sees what.

use serde_json::{Value, json};

use crate::support::{client, csrf_of, form, spawn_app};

#[tokio::test]
async fn qualifications_bank_account_and_sanctions() {
    let server = spawn_app().await;
    let (bidder, csrf) = server.login("bidder").await;
    let me: Value = bidder
        .get(server.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = me["entity_id"].as_str().unwrap().to_string();

    // The entity adds a qualification through its page.
    let added = bidder
        .post(server.url(&format!("/entities/{id}/qualifications")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("csrf", &csrf),
            ("name", "市政公用工程施工总承包"),
            ("grade", "二级"),
            ("certificate_no", "D233045678"),
            ("issuer", "宁波市住房和城乡建设局"),
            ("valid_until", "2028-12-31"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 303);
    let bad_date = bidder
        .post(server.url(&format!("/entities/{id}/qualifications")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("csrf", &csrf),
            ("name", "x"),
            ("grade", "x"),
            ("certificate_no", "x"),
            ("issuer", "x"),
            ("valid_until", "2028-02-30"),
        ]))
        .send()
        .await
        .unwrap();
    assert!(
        bad_date.headers()["location"]
            .to_str()
            .unwrap()
            .contains("tone=bad")
    );

    // The bank account through the API: the name must be the entity's own.
    let url = server.url(&format!("/api/v1/entities/{id}/bank-account"));
    let wrong = bidder.put(&url).header("x-csrf-token", &csrf).json(&json!({"bank": "宁波银行", "account_name": "别的公司", "account_no": "12345678901234"})).send().await.unwrap();
    assert_eq!(wrong.status(), 422);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["code"],
        "BANK_ACCOUNT_NAME"
    );
    let ok = bidder.put(&url).header("x-csrf-token", &csrf).json(&json!({"bank": "宁波银行鄞州支行", "account_name": "宁波甬兴建设有限公司", "account_no": "12345678901234"})).send().await.unwrap();
    assert_eq!(ok.status(), 200);

    // Another bidder may not touch it.
    let (other, other_csrf) = server.login("bidder2").await;
    let refused = other
        .put(&url)
        .header("x-csrf-token", &other_csrf)
        .json(&json!({"bank": "x", "account_name": "x", "account_no": "12345678"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    // The public sees qualifications, not the bank account.
    let public: Value = client()
        .get(server.url(&format!("/api/v1/entities/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        public["qualifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["grade"] == "二级" && q["name"] == "市政公用工程施工总承包"),
        "the added qualification is public"
    );
    assert!(public["bank_account"].is_null());
    let own: Value = bidder
        .get(server.url(&format!("/api/v1/entities/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(own["bank_account"]["account_no"], "**********1234");

    // Supervision bars the entity; the bar is public and must end in the future.
    let (supervisor, sup_csrf) = server.login("supervisor").await;
    let past = supervisor
        .post(server.url(&format!("/api/v1/entities/{id}/bar")))
        .header("x-csrf-token", &sup_csrf)
        .json(&json!({"reason": "串通投标", "until": "2020-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(past.json::<Value>().await.unwrap()["code"], "BAR_IN_PAST");
    let barred = supervisor.post(server.url(&format!("/api/v1/entities/{id}/bar"))).header("x-csrf-token", &sup_csrf).json(&json!({"reason": "串通投标，行政处罚决定书浙发改罚〔2026〕1号", "until": "2099-12-31"})).send().await.unwrap();
    assert_eq!(barred.status(), 200);
    let suspend = supervisor
        .post(server.url(&format!("/api/v1/entities/{id}/suspend")))
        .header("x-csrf-token", &sup_csrf)
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(suspend.status(), 403, "suspension is the trading center's");
    let page = client()
        .get(server.url(&format!("/entities/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("禁止参加交易至 2099-12-31") && page.contains("市政公用工程施工总承包"));
    assert!(!page.contains("12345678901234"));
    let (operator, op_csrf) = server.login("operator").await;
    let reinstated = operator
        .post(server.url(&format!("/api/v1/entities/{id}/reinstate")))
        .header("x-csrf-token", &op_csrf)
        .json(&json!({"reason": "处罚决定被撤销"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reinstated.status(), 200);
    let after: Value = client()
        .get(server.url(&format!("/api/v1/entities/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["status"], "active");
}

#[tokio::test]
async fn certificates_of_recognised_cas_bind_and_are_revoked() {
    let server = spawn_app().await;
    let trust = client()
        .get(server.url("/trust"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for region in ["浙江", "上海", "江苏", "安徽"] {
        assert!(trust.contains(region), "{region} root listed");
    }
    let (bidder, csrf) = server.login("bidder").await;
    let me: Value = bidder
        .get(server.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = me["entity_id"].as_str().unwrap().to_string();
    let entity: Value = client()
        .get(server.url(&format!("/api/v1/entities/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bound = entity["certificates"].as_array().unwrap();
    assert_eq!(bound.len(), 1, "the demo bound one certificate");
    let fingerprint = bound[0]["fingerprint"].as_str().unwrap().to_string();

    // A certificate from a CA the platform does not recognise is refused.
    let stranger = crypto::CertificateAuthority::new_root(
        &crypto::Subject {
            common_name: "未认可的CA".into(),
            organization: String::new(),
            code: String::new(),
        },
        0,
        4_102_444_800_000,
    )
    .unwrap();
    let cert = stranger
        .issue(
            &crypto::Subject {
                common_name: "宁波甬兴建设有限公司".into(),
                organization: String::new(),
                code: id.clone(),
            },
            &crypto::PlatformKey::generate().public_key(),
            5,
            0,
            4_102_444_800_000,
        )
        .unwrap();
    let refused = bidder
        .post(server.url(&format!("/api/v1/entities/{id}/certificates")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"pem": cert.to_pem()}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["code"],
        "CERT_UNKNOWN_CA"
    );

    // The operator revokes the bound certificate from the entity page.
    let operator = server.login_page("operator").await;
    let page = operator
        .get(server.url(&format!("/entities/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("数字证书") && page.contains(&fingerprint));
    let op_csrf = csrf_of(&page);
    let revoked = operator
        .post(server.url(&format!("/entities/{id}/certificates/{fingerprint}/revoke")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("csrf", &op_csrf),
            ("reason", "持有人报告私钥泄露"),
        ]))
        .send()
        .await
        .unwrap();
    assert!(
        revoked.headers()["location"]
            .to_str()
            .unwrap()
            .contains("tone=ok")
    );
    let after: Value = client()
        .get(server.url(&format!("/api/v1/entities/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["certificates"][0]["revoked"], "持有人报告私钥泄露");
}
