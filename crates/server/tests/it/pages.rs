//! The pages, walked as a person would: register through the form, log in, the operator approves
//! through the review queue, anyone checks the ledger.

use crate::support::{client, csrf_of, form, spawn_app};

#[tokio::test]
async fn register_review_and_verify_through_the_pages() {
    let server = spawn_app().await;
    let browser = client();
    let home = browser
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("浙江省公共资源交易平台") && home.contains("/static/style.css"));
    let page = browser
        .get(server.url("/register"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("统一社会信用代码"));

    let prefix = "91330400MA0000011";
    let code = format!("{prefix}{}", domain::Uscc::check_char_for(prefix).unwrap());
    let mut fields = vec![
        ("kind", "organisation"),
        ("code", "913304"),
        ("name", "嘉兴南湖电子科技有限公司"),
        ("region", "330400"),
        ("legal_representative", "沈南"),
        ("contact_name", "沈南"),
        ("contact_phone", "0573-1234567"),
        ("roles", "bidder"),
        ("roles", "tenderee"),
        ("username", "nanhu"),
        ("display_name", "沈南"),
        ("password", "Jiaxing2026pass"),
    ];
    // A bad code: the form comes back with the error next to the field and the input kept.
    let refused = browser
        .post(server.url("/register"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&fields))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("USCC_LENGTH") && html.contains("嘉兴南湖电子科技有限公司"));
    assert!(
        !html.contains("Jiaxing2026pass"),
        "a refused password is not echoed"
    );
    fields[1].1 = &code;
    // A controlling shareholder must be a real code, not a name.
    fields.push(("controller", "温州瓯江建工集团"));
    let refused = browser
        .post(server.url("/register"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&fields))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("CONTROLLER_CODE") && html.contains("温州瓯江建工集团"));
    fields.last_mut().unwrap().1 = "91330102MA2B000015";
    let accepted = browser
        .post(server.url("/register"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&fields))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    assert!(accepted.text().await.unwrap().contains("注册申请已提交"));

    // The applicant logs in and sees the pending status.
    let applicant = client();
    let login = applicant
        .post(server.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("username", "nanhu"),
            ("password", "Jiaxing2026pass"),
            ("next", ""),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let me = applicant
        .get(server.url("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(me.contains("待审核"));

    // The operator approves it from the queue.
    let operator = server.login_page("operator").await;
    let queue = operator
        .get(server.url("/operator/reviews"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains("嘉兴南湖电子科技有限公司"));
    assert!(queue.contains("控股股东或实际控制人") && queue.contains("91330102MA2B000015"));
    let csrf = csrf_of(&queue);
    let without = operator
        .post(server.url(&format!("/operator/reviews/{code}/approve")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403, "no CSRF token, no approval");
    let approve = operator
        .post(server.url(&format!("/operator/reviews/{code}/approve")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("csrf", &csrf)]))
        .send()
        .await
        .unwrap();
    assert_eq!(approve.status(), 303);
    let notice = operator
        .get(server.url(approve.headers()["location"].to_str().unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(notice.contains("已通过"));
    let me = applicant
        .get(server.url("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(me.contains("已通过"));

    // Anyone can look the act up in the ledger, with its proof data for the browser check.
    let public = client();
    let entity = public
        .get(server.url(&format!("/entities/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(entity.contains("嘉兴南湖电子科技有限公司"));
    let ledger = public
        .get(server.url("/ledger"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ledger.contains("市场主体审核通过"));
    let lookup = public
        .get(server.url("/ledger?seq=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(lookup.status(), 303);
    let entry = public
        .get(server.url("/ledger/entries/0"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(entry.contains("id=\"proof-data\"") && entry.contains("/static/ledger.js"));
    let missing = public
        .get(server.url("/ledger/entries/100000"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    // Protected pages send anonymous visitors to log in, and refuse other roles.
    let redirect = public
        .get(server.url("/operator/reviews"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        redirect.headers()["location"],
        "/login?next=%2Foperator%2Freviews"
    );
    // A form posted without a session comes back, after logging in, to the page it was on (its
    // own address answers only posts); without a referring page, to the home page.
    let posted = public
        .post(server.url("/procedures/ZB330100202600001/publish"))
        .header("referer", server.url("/procedures/ZB330100202600001"))
        .header("origin", server.url(""))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf=x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        posted.headers()["location"],
        "/login?next=%2Fprocedures%2FZB330100202600001"
    );
    let posted = public
        .post(server.url("/draws"))
        .header("origin", server.url(""))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf=x")
        .send()
        .await
        .unwrap();
    assert_eq!(posted.headers()["location"], "/login?next=%2F");
    let forbidden = applicant
        .get(server.url("/operator/reviews"))
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), 403);
    assert!(forbidden.text().await.unwrap().contains("NOT_AUTHORIZED"));
}
