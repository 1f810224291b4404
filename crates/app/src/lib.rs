//! Use cases. Each command loads the aggregate's events, asks the pure domain to decide with the
//! current time, appends the resulting events to the witness ledger and updates the read tables
//! in one database transaction, then returns a receipt.
//!
//! Also here: authentication (argon2id passwords, sessions, API tokens), ledger queries and
//! proofs, the full verifier behind `ggzy verify`, and the demo data.

mod error;

// One folder per context (the same names as in `domain` and `server`).
mod credit;
mod demo;
mod disclosure;
mod experts;
pub mod federation;
mod market;
mod monitoring;
mod reference;
mod sales;
mod supervision;
mod tendering;
mod witness;

use std::path::Path;
use std::sync::Arc;

use crypto::PlatformKey;
use store::Store;

pub use credit::lists::{ListImportRequest, list_signing_payload, seed_demo_credit};
pub use credit::records::{CreditCheck, CreditListing, CreditView, credit_stream};
pub use demo::seed::{
    DEMO_PASSWORD, DemoAccount, DemoCertificate, DemoExpertCertificate, demo_accounts, seed_demo,
    seed_demo_certificates, seed_demo_expert_certificates,
};
pub use demo::simulated::{
    DEMO_HOLDERS, run_simulated_ceremony, seed_demo_tendering, simulated_holders_round,
};
pub use disclosure::ocds::{
    BIDS_EXTENSION, OcdsSettings, Publisher, compiled_release, lot_release, national_records,
    national_timestamp, records, rfc3339,
};
pub use disclosure::portal::{
    HistoryItem, announcement_doc, entity_doc, entity_is_public, follow_once,
};
pub use error::{AppError, REFUSAL_CODES};
pub use experts::database::{ExpertForm, ExpertView, SHIPPED_EXPERT_CATEGORIES};
pub use experts::draws::{
    DisclosedName, DrawCommitted, DrawContribution, DrawDisclosed, DrawRecord, DrawReplaced,
    DrawRevealed, NewContribution, NewDraw, RecordProof, check_draw, check_failed_draw,
    check_record, check_record_proof, contribution_bytes, draw_seed, draw_stream, name_commitment,
};
pub use experts::panels::{MySeat, PanelView, ReplacementView, SeatView, declaration_text};
pub use experts::rooms::{NewBooking, NewRoom, RoomView};
pub use market::auth::{Caller, NewSession, PasswordPolicy, TokenView};
pub use market::claims::{AccountClaim, CLAIM_ACT, CLAIM_WINDOW_MS, ClaimPayload, SignedClaim};
pub use market::entities::{
    AccountView, CrlRecord, EntityView, NewAccount, NewRegistration, PersonalData,
};
pub use monitoring::statistics::{RedFlag, StatisticsView, sees_supervision};
pub use monitoring::warnings::{WarningPage, WarningView};
pub use reference::versions::{
    ReferenceData, ReferenceVersion, SHIPPED_CALENDAR, SHIPPED_CATALOG, SHIPPED_CREDIT,
    SHIPPED_RULES, SHIPPED_SUPERVISION, SHIPPED_TRUST, SHIPPED_WARNINGS, parse_calendar,
    parse_catalog, parse_credit, parse_rules, parse_supervision, parse_trust, parse_warnings,
};
pub use sales::auctions::{
    AuctionCheck, AuctionConfirmation, ConfirmationLine, DepositNotice, NewAuction, SignedBid,
    SignedDepositNotice, check_auction, check_auction_in_store, check_auction_record,
    check_entry_time, duration_zh, replay_auction, reserve_commitment, seed_demo_auctions,
};
pub use sales::engine::AuctionLive;
pub use sales::sealed::SaleOpeningRequest;
pub use supervision::cases::{
    CaseAct, CaseSummary, CaseView, DecisionDraft, DecisionToSign, MAX_EVIDENCE_BYTES,
    MAX_EVIDENCE_FILES, NewComplaint, NewReport, PenaltyInput, PublishedDecision,
};
pub use supervision::oversight::{
    LotProgress, OVERSIGHT_READ_KIND, OverseenLot, OverseenSale, ReadRecord,
};
pub use tendering::bonds::{BondView, DemoGuarantor, GuaranteeDoc, SignedGuarantee};
pub use tendering::evaluations::{BidView, EvaluationView, report_digest};
pub use tendering::holder::{
    ComplaintRequest, ConfirmRequest, DealRequest, HolderFile, JoinRequest, OpeningRequest,
    PartialsRequest, ProvenEntry, partial_context,
};
pub use tendering::keys::{NewCeremony, NewSeat};
pub use tendering::tender::{
    BidIntake, BidReceipt, MAX_ENVELOPE_BYTES, MyBid, NewAmendment, NewLot, NewProcedure,
    SHIPPED_TEMPLATES, form_label, format_beijing_minute, manages, parse_beijing_minute,
    parse_templates, phase_label, procedure_of_lot, procedure_stream, yuan,
};
pub use witness::append::{NewEntry, Receipt};
pub use witness::verify::{VerifyReport, verify_store};
pub use witness::views::{ConsistencyBundle, EntryView, ProofBundle, SizedConsistency, SizedProof};

/// When confidential ledger entries become public, with each rule's legal source.
pub const SHIPPED_DISCLOSURE: &str = include_str!("../../../data/disclosure.toml");

/// A source of the current time (UTC unix milliseconds). Tests pass a fixed or stepping clock.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    })
}

/// A clock that reads `start_ms` now and then runs at the system clock's speed: tests (and the
/// load generator) fix the date they run on and still see time pass, so nothing they check
/// depends on the day the suite happens to run.
pub fn clock_from(start_ms: i64) -> Clock {
    let started = std::time::Instant::now();
    Arc::new(move || start_ms + started.elapsed().as_millis() as i64)
}

/// Settings of one platform instance.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The origin line of signed tree heads: the platform's name, e.g. `ggzy.zj.example`.
    pub origin: String,
    /// Argon2id cost; tests use a cheaper one.
    pub password_policy: PasswordPolicy,
    /// How long a browser session lasts.
    pub session_ttl_ms: i64,
    /// Whether the auction sequencer commits before it acknowledges (always, except when the
    /// load generator measures the in-memory ceiling: then an acknowledged bid would not
    /// survive a crash).
    pub auction_persistence: bool,
    /// Open data (OCDS): the `ocid` prefix.
    pub ocds: OcdsSettings,
    /// Self-service registrations accepted from one client address per hour (0: no limit).
    pub registrations_per_hour: usize,
    /// Reports (举报) filed without signing in, accepted from one client address per hour
    /// (0: no limit).
    pub reports_per_hour: usize,
    /// Whether the server runs the platform's own watchers that write to the ledger — the
    /// warning engine and the signing-period watch (always, except in tests that count ledger
    /// entries around their own acts and start them themselves when they need them).
    pub watchers: bool,
    /// The witnesses this node asks to cosign its checkpoints (`docs/witness.md`), and how many
    /// of them must (0: all).
    pub witnesses: Vec<federation::witness::WitnessConfig>,
    pub witness_quorum: usize,
    /// How long a new head may wait for its quorum before every page says so.
    pub witness_grace_ms: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            origin: "ggzy.local".into(),
            password_policy: PasswordPolicy::default(),
            session_ttl_ms: 8 * 3600 * 1000,
            auction_persistence: true,
            ocds: OcdsSettings::default(),
            registrations_per_hour: 20,
            reports_per_hour: 20,
            watchers: true,
            witnesses: Vec::new(),
            witness_quorum: 0,
            witness_grace_ms: federation::witness::WITNESS_GRACE_MS,
        }
    }
}

/// The application: the store, the platform's witness key, the clock and the settings.
pub struct App {
    pub(crate) store: Arc<Store>,
    pub(crate) key: Arc<PlatformKey>,
    pub(crate) clock: Clock,
    pub(crate) settings: Settings,
    pub(crate) templates: domain::Templates,
    pub(crate) classification: domain::Classification,
    /// The sequencers of live sales (one per auction, started on its first command).
    pub(crate) auctions: sales::engine::Lanes,
    /// API-token callers of the last second.
    pub(crate) tokens: market::auth::TokenCache,
    /// The node's search index and its follower.
    pub(crate) portal: Arc<disclosure::portal::Portal>,
    /// Bid certificates judged in the last second.
    pub(crate) bid_signers: sales::auctions::BidSigners,
    /// Entities' eligibility judged in the last second (`require_may_trade`).
    pub(crate) trade_gate: market::entities::TradeGate,
    /// Failed log-ins and registrations per user name and client address.
    pub(crate) throttle: market::auth::Throttle,
    /// When confidential ledger entries become public (`data/disclosure.toml`).
    pub(crate) disclosure: domain::DisclosureRules,
    /// 竞买号 already traced to their entity ("sale|number" → entity id).
    pub(crate) bidder_entities: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// The reference data last parsed, with the versions it was parsed from: a version
    /// published on any node is seen at the next read, and nothing is parsed twice.
    pub(crate) reference_cache: std::sync::Mutex<Option<(Vec<u32>, ReferenceData)>>,
    /// Credit evaluations judged in the last second (`require_credit`).
    pub(crate) credit_cache: credit::records::CreditCache,
    /// The warning engine's place in the ledger.
    pub(crate) monitoring: monitoring::engine::Engine,
    /// The statistics' book of facts.
    pub(crate) statistics: monitoring::statistics::Book,
    /// Why each witness last refused or could not be reached.
    pub(crate) witness_errors: federation::witness::WitnessErrors,
    /// The witnessing health of the last round.
    pub(crate) witnessing: federation::witness::HealthCache,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "App({:?}, {})", self.store, self.settings.origin)
    }
}

impl App {
    pub fn new(store: Store, key: PlatformKey, clock: Clock, settings: Settings) -> Self {
        Self {
            store: Arc::new(store),
            key: Arc::new(key),
            clock,
            settings,
            auctions: sales::engine::Lanes::default(),
            tokens: market::auth::TokenCache::default(),
            bid_signers: sales::auctions::BidSigners::default(),
            trade_gate: market::entities::TradeGate::default(),
            throttle: market::auth::Throttle::default(),
            disclosure: toml::from_str(SHIPPED_DISCLOSURE)
                .expect("the shipped disclosure rules are checked by a test"),
            bidder_entities: Default::default(),
            reference_cache: Default::default(),
            credit_cache: Default::default(),
            monitoring: Default::default(),
            statistics: Default::default(),
            witness_errors: Default::default(),
            witnessing: Default::default(),
            portal: Arc::new(disclosure::portal::Portal::new(
                search::SearchIndex::in_memory().expect("an index in memory opens"),
            )),
            templates: parse_templates(SHIPPED_TEMPLATES)
                .expect("the shipped announcement templates are checked by a test"),
            classification: domain::Classification::parse_csv(SHIPPED_EXPERT_CATEGORIES)
                .expect("the shipped expert classification is checked by a test"),
        }
    }

    /// Binds the store to this platform's origin and witness key (recorded on first start and
    /// checked on every later one), then returns the application.
    pub async fn open(
        store: Store,
        key: PlatformKey,
        clock: Clock,
        settings: Settings,
    ) -> Result<Self, AppError> {
        store
            .set_meta_once("origin", &settings.origin)
            .await
            .map_err(|e| {
                AppError::Internal(format!("this database belongs to another platform: {e}"))
            })?;
        store
            .set_meta_once("public_key", &key.public_key().to_hex())
            .await
            .map_err(|e| {
                AppError::Internal(format!(
                    "this database was witnessed with another platform key: {e}"
                ))
            })?;
        let app = Self::new(store, key, clock, settings);
        app.seed_reference().await?;
        Ok(app)
    }

    /// Witnesses acts that belong to no aggregate of the domain (tools, load generation): appends
    /// them, signs a head and commits, in one transaction; returns their receipts.
    pub async fn witness(&self, entries: Vec<NewEntry>) -> Result<Vec<Receipt>, AppError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let receipts =
            witness::append::append(&mut tx, &self.key, &self.settings.origin, now, entries)
                .await?;
        tx.commit().await?;
        Ok(receipts)
    }

    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn public_key(&self) -> crypto::PublicKey {
        self.key.public_key()
    }
}

/// Loads the platform's SM2 witness key from `dir/platform-key.pem`, creating it on first start.
pub fn load_or_create_key(dir: &Path) -> std::io::Result<PlatformKey> {
    let path = dir.join("platform-key.pem");
    if path.exists() {
        let pem = std::fs::read_to_string(&path)?;
        return PlatformKey::from_pkcs8_pem(&pem)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()));
    }
    std::fs::create_dir_all(dir)?;
    let key = PlatformKey::generate();
    let tmp = dir.join("platform-key.pem.tmp");
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(key.to_pkcs8_pem().as_bytes())?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(key)
}
