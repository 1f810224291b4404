//! Shared set-up: an application per backend with a controllable clock and cheap passwords.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use app::{App, PasswordPolicy, Settings};
use crypto::PlatformKey;
use store::testing::{TestDatabase, fresh_databases};

pub(crate) const START_MS: i64 = 1_796_088_600_000;

pub(crate) struct TestApp {
    pub(crate) db: TestDatabase,
    pub(crate) app: App,
    pub(crate) clock: Arc<AtomicI64>,
    /// The platform key, to reopen the same database as a restarted server would.
    pub(crate) key_pem: String,
}

impl TestApp {
    pub(crate) fn advance(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }

    pub(crate) async fn size(&self) -> u64 {
        self.app.store().ledger_size().await.unwrap()
    }

    /// Drops the application (as a crash or restart would) and opens the same database again
    /// with the same key and clock.
    pub(crate) async fn restart(&mut self) {
        let reader = self.clock.clone();
        let reopened = App::open(
            self.db.open().await.unwrap(),
            PlatformKey::from_pkcs8_pem(&self.key_pem).unwrap(),
            Arc::new(move || reader.fetch_add(1, Ordering::SeqCst)),
            self.app.settings().clone(),
        )
        .await
        .unwrap();
        self.app = reopened;
    }

    /// A raw connection for tampering with the database behind the application's back.
    pub(crate) async fn raw(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&self.db.url)
            .await
            .unwrap()
    }
}

pub(crate) async fn build(db: TestDatabase) -> TestApp {
    build_at(db, START_MS).await
}

/// An application whose clock starts at `start_ms` (each read ticks one millisecond).
pub(crate) async fn build_at(db: TestDatabase, start_ms: i64) -> TestApp {
    let store = db.open().await.unwrap();
    let clock = Arc::new(AtomicI64::new(start_ms));
    let reader = clock.clone();
    let settings = Settings {
        origin: "ggzy.test".into(),
        password_policy: PasswordPolicy::for_tests(),
        session_ttl_ms: 3_600_000,
        ..Default::default()
    };
    let key = PlatformKey::generate();
    let key_pem = key.to_pkcs8_pem();
    let app = App::open(
        store,
        key,
        Arc::new(move || reader.fetch_add(1, Ordering::SeqCst)),
        settings,
    )
    .await
    .unwrap();
    TestApp {
        db,
        app,
        clock,
        key_pem,
    }
}

/// One empty application per backend.
pub(crate) async fn apps() -> Vec<TestApp> {
    let mut out = Vec::new();
    for db in fresh_databases().await {
        out.push(build(db).await);
    }
    out
}

/// One application per backend, filled with the demo data.
pub(crate) async fn demo_apps() -> Vec<TestApp> {
    let mut out = apps().await;
    for test in &out {
        assert!(app::seed_demo(&test.app).await.unwrap());
    }
    out.shrink_to_fit();
    out
}

pub(crate) fn registration(code: &str, username: &str) -> app::NewRegistration {
    app::NewRegistration {
        kind: "organisation".into(),
        code: code.into(),
        name: "衢州市衢江建设有限公司".into(),
        region: "330800".into(),
        legal_representative: "徐东".into(),
        address: "衢州市柯城区".into(),
        contact_name: "徐东".into(),
        contact_phone: "0570-3030303".into(),
        contact_email: String::new(),
        roles: vec!["bidder".into()],
        controller: String::new(),
        username: username.into(),
        display_name: "徐东".into(),
        password: "Secret2026x".into(),
    }
}

/// A valid USCC with the given 9-character body (region 330800).
pub(crate) fn uscc(body9: &str) -> String {
    let prefix = format!("91330800{body9}");
    format!("{prefix}{}", domain::Uscc::check_char_for(&prefix).unwrap())
}

/// An operator and a bidder made directly in an empty application.
pub(crate) trait TestCallers {
    async fn caller_for_test_operator(&self) -> app::Caller;
    async fn caller_for_test_bidder(&self) -> app::Caller;
}

impl TestCallers for App {
    async fn caller_for_test_operator(&self) -> app::Caller {
        app::Caller {
            username: "op".into(),
            display_name: "审核员".into(),
            entity_id: String::new(),
            roles: vec![domain::Role::Operator],
            csrf: None,
            api_token: None,
        }
    }

    async fn caller_for_test_bidder(&self) -> app::Caller {
        app::Caller {
            username: "someone".into(),
            display_name: "某人".into(),
            entity_id: String::new(),
            roles: vec![domain::Role::Bidder],
            csrf: None,
            api_token: None,
        }
    }
}

/// A whole draw as the platform makes it: the operator's commitment, then the demo supervisor's
/// contribution (fresh random bytes), which reveals it.
pub(crate) trait DrawNow {
    async fn draw_now(
        &self,
        operator: &app::Caller,
        input: app::NewDraw,
    ) -> Result<(app::DrawCommitted, app::DrawRevealed), app::AppError>;
}

impl DrawNow for App {
    async fn draw_now(
        &self,
        operator: &app::Caller,
        input: app::NewDraw,
    ) -> Result<(app::DrawCommitted, app::DrawRevealed), app::AppError> {
        let committed = self.draw_experts(operator, input).await?;
        let supervisor = self.caller_for("supervisor").await?;
        let value: [u8; 32] = rand::random();
        self.contribute_to_draw(
            &supervisor,
            &committed.id,
            app::NewContribution {
                commitment: committed.commitment.clone(),
                value: hex::encode(value),
            },
        )
        .await
    }
}
