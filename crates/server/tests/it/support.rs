//! `spawn_app`: a real server on port 0 over a fresh SQLite database with the demo data.

use std::sync::Arc;

use app::{App, PasswordPolicy, Settings};
use reqwest::redirect::Policy;
use serde_json::Value;
use store::testing::{TestDatabase, fresh_sqlite};

pub(crate) struct TestServer {
    pub(crate) base: String,
    pub(crate) _db: TestDatabase,
    state: Arc<server::AppState>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// A client that keeps cookies and does not follow redirects.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

pub(crate) async fn spawn_app() -> TestServer {
    spawn_app_with_clock(test_clock()).await.0
}

/// The instant the suite's servers start at: 09:30 Beijing time on `GGZY_TEST_TODAY`
/// (`YYYY-MM-DD`), by default 2026-06-01. The wall clock's date never matters: run the suite
/// with `GGZY_TEST_TODAY=2031-12-20` to see it pass years ahead (`the_demo_works_on_any_date`
/// checks the demo on such dates in every run).
pub(crate) fn test_start_ms() -> i64 {
    let day = std::env::var("GGZY_TEST_TODAY").unwrap_or_else(|_| "2026-06-01".into());
    let day = domain::Date::parse(&day).expect("GGZY_TEST_TODAY is YYYY-MM-DD");
    day.start_ms() + (9 * 60 + 30) * 60_000
}

/// A clock from `test_start_ms` that then runs at real speed (live sales, sessions, throttles).
pub(crate) fn test_clock() -> app::Clock {
    app::clock_from(test_start_ms())
}

/// A server whose clock the test controls; also returns the demo entities' keys and
/// certificates.
pub(crate) async fn spawn_app_with_clock(
    clock: app::Clock,
) -> (TestServer, Vec<app::DemoCertificate>) {
    let db = fresh_sqlite();
    let store = db.open().await.unwrap();
    let settings = Settings {
        origin: "ggzy.test".into(),
        password_policy: PasswordPolicy::for_tests(),
        session_ttl_ms: 3_600_000,
        // The tests count ledger entries around their own acts; the warning test starts the
        // engine itself (`TestServer::start_watchers`).
        watchers: false,
        ..Default::default()
    };
    let app = App::open(store, crypto::PlatformKey::generate(), clock, settings)
        .await
        .unwrap();
    app::seed_demo(&app).await.unwrap();
    let certificates = app::seed_demo_certificates(&app).await.unwrap();
    let state = Arc::new(server::AppState {
        app,
        secure_cookies: false,
        platform_name: "浙江省公共资源交易平台".into(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server::serve(state.clone(), listener, async move {
        let _ = rx.await;
    }));
    (
        TestServer {
            base,
            _db: db,
            state,
            _shutdown: tx,
        },
        certificates,
    )
}

impl TestServer {
    /// The application behind the server (for what only a trusted tool or the demo does, such as
    /// issuing certificates).
    pub(crate) fn app(&self) -> &App {
        &self.state.app
    }

    /// A bearer token of `username` (as a tool would use the API).
    pub(crate) async fn api_token(&self, username: &str) -> String {
        let (client, csrf) = self.login(username).await;
        let body: Value = client
            .post(self.url("/api/v1/tokens"))
            .header("x-csrf-token", csrf)
            .json(&serde_json::json!({"name": "测试", "valid_days": 30}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    /// Starts the warning engine's follower, as a server with the default settings does.
    pub(crate) fn start_watchers(&self) {
        server::start_watchers(self.state.clone());
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Logs in through the API; returns a client holding the cookie, and the CSRF token.
    pub(crate) async fn login(&self, username: &str) -> (reqwest::Client, String) {
        let client = client();
        let response = client
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": app::DEMO_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login {username}");
        let body: Value = response.json().await.unwrap();
        (client, body["csrf_token"].as_str().unwrap().to_string())
    }

    pub(crate) async fn ledger_size(&self) -> u64 {
        let body: Value = client()
            .get(self.url("/healthz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["ledger_size"].as_u64().unwrap()
    }

    /// The id of an entity waiting for review.
    pub(crate) async fn pending_id(&self) -> String {
        let (client, _) = self.login("operator").await;
        let body: Value = client
            .get(self.url("/api/v1/entities?status=pending"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["items"][0]["id"].as_str().unwrap().to_string()
    }
}

/// A URL-encoded form body.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The CSRF token of the first form on a page.
pub(crate) fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf field") + marker.len();
    html[start..start + 64].to_string()
}

impl TestServer {
    /// Logs in through the log-in page, as a browser does; returns the client holding the cookie.
    pub(crate) async fn login_page(&self, username: &str) -> reqwest::Client {
        let browser = client();
        let response = browser
            .post(self.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("username", username),
                ("password", app::DEMO_PASSWORD),
                ("next", ""),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "log-in of {username}");
        browser
    }
}
