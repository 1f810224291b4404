//! The platform's rules as pure code: the deciders of every aggregate and the pure functions
//! (deadlines, scores, draws, allocations) the use cases call.
//!
//! One folder per trading context, the same names as in `app` and `server`: `market`
//! (entities, accounts, roles, identifiers), `reference` (catalog, rules, calendar, periods),
//! `tendering` (procedures, bids, bonds, the opening-key ceremony, evaluation, announcements),
//! `experts` (database, draw, panel, rooms), `sales` (online sales), `supervision` (who supervises
//! what, complaint clocks, cases), `credit` (standards, records, evaluation, lists), `monitoring` (warning rules,
//! signals, warnings), `disclosure` (what becomes
//! public when). Beside them the shared kernel: `error`, `date`, `fields`. Everything public is
//! re-exported here, so users write `domain::Procedure`, never a path into a folder.
//!
//! Architecture invariant: this crate does no I/O. Time (`now`, UTC unix milliseconds) and any
//! randomness are arguments, so every rule is tested with plain tables.

// The shared kernel: errors, dates, field checks.
mod date;
mod error;
mod fields;

// The contexts, each a folder (the same names in `app` and `server`).
mod credit;
mod disclosure;
mod experts;
mod market;
mod monitoring;
mod reference;
mod sales;
mod supervision;
mod tendering;

pub use credit::evaluate::{
    AppliedMeasure, CreditEvaluation, Step as CreditStep, evaluate as evaluate_credit, scaled_bond,
};
pub use credit::lists::{
    CreditList, CreditListCommand, CreditListEvent, LIST_CSV_HEADER, ListImport, ListRow,
    ListedCode, PendingMatch, masked_matches, parse_list_csv,
};
pub use credit::record::{
    CreditCommand, CreditEvent, CreditFile, CreditRecord, NewRecord, RecordSource, RecordStatus,
    RepairApplication, relayed_record_id, status_label as credit_status_label,
};
pub use credit::standard::{
    CreditStandard, CreditStandards, FactRule, Gate, Level, ListKind, Measure, ScoreRule,
    SubjectKind,
};
pub use date::{BEIJING_OFFSET_MS, Date, Weekday, format_beijing_ms};
pub use disclosure::moments::{DisclosureMoment, DisclosureRule, DisclosureRules};
pub use error::DomainError;
pub use experts::draw::{
    CategoryDraw, DrawRequest, DrawResult, Exclusion, PoolExpert, draw_experts,
};
pub use experts::expert::{
    Classification, EXPERT_CSV_HEADER, Expert, ExpertCategory, ExpertCommand, ExpertEvent,
    ExpertInput, ExpertRecord, ExpertStatus, Leave, Rating, RatingRule, Relation, TitleLevel,
    parse_expert_csv, parse_expert_rows,
};
pub use experts::panel::{
    BackupQueue, FinalSeats, Panel, PanelCommand, PanelEvent, PanelSeat, PublicReplacement,
    Replacement, ReplacementReason, SeatStatus, check_replacements,
};
pub use experts::room::{Booking, Room, RoomCommand, RoomEvent, RoomSpec};
pub use fields::{MAX_AMOUNT_FEN, amount_field, has_control_character, text_field};
pub use market::account::{Account, AccountCommand, AccountEvent, AccountStatus, Username};
pub use market::entity::{
    BankAccount, BoundCertificate, Contact, Entity, EntityCommand, EntityEvent, EntityKind,
    EntityStatus, Qualification, Registration, SharedProfile, account_number,
};
pub use market::ids::{EntityId, IdNumber, RegionCode, Uscc, mask_personal_numbers};
pub use market::role::Role;
pub use monitoring::rules::{SIGNALS, SignalRule, WarningRules};
pub use monitoring::signals::{
    BidderFacts, EnvelopeFacts, Evidence, Finding, LotFacts, LotRecord, OpenedFacts, Subject,
    lot_signals, market_signals,
};
pub use monitoring::statistics::{
    LotFact, LotOutcome, SaleFact, Statistics, StatsQuery, Tally, WarningFact, form_declares,
    lot_facts_of, ratio_bp, region_group, sale_fact_of, sale_method, statistics, warning_fact_of,
};
pub use monitoring::warning::{
    Stage, Warning, WarningCommand, WarningEvent, WarningScope, WarningStatus,
};
pub use reference::aggregate::{Publish, Reference, ReferenceEvent, ReferenceKind};
pub use reference::calendar::{
    Calendar, CalendarEntry, DayRule, parse_entries as parse_calendar_entries,
};
pub use reference::catalog::{Catalog, Category, Method};
pub use reference::period::{DayCount, Period, PeriodKind};
pub use reference::rules::{
    InForce, PeriodRule, ResolvedRules, RuleBook, RuleSet, Threshold, Unit,
};
pub use sales::auction::{
    Allocation, Auction, AuctionBid, AuctionCommand, AuctionEvent, AuctionInfo, AuctionMethod,
    AuctionPhase, AuctionResult, AuctionTerms, DeclareDefault, DepositSettlement, MAX_PRICE_FEN,
    MAX_QUANTITY, OpenedSealedBid, SaleDefault, SaleOpening, SaleSealedBid, SealedSubmission,
    allocate,
};
pub use supervision::case::{
    Case, CaseCommand, CaseEvent, CaseKind, CaseStatus, CaseTarget, Decision, DecisionKind, Filing,
    Party, PartyRequest, Penalty, PenaltyProcedure,
};
pub use supervision::clocks::{
    CaseRules, ObjectionFacts, acceptance_due, complaint_last_day, decision_due, working_days_left,
};
pub use supervision::departments::{Department, DepartmentRole, Power, Supervision, region_within};
pub use tendering::announcement::{Announcement, AnnouncementKind, Template, Templates};
pub use tendering::bid::{Bid, BidCommand, BidEvent, BidStatus, LotTerms, SealedEnvelope};
pub use tendering::bond::{
    Bond, BondCommand, BondEvent, BondForm, BondStatus, Guarantor, GuarantorCommand,
    GuarantorEvent, Payer, bond_interest,
};
pub use tendering::ceremony::{
    Ceremony, CeremonyCommand, CeremonyEvent, CeremonyStatus, DerivedKey, MAX_HOLDERS, Seat,
};
pub use tendering::evaluation::{
    BidLine, Evaluation, EvaluationCommand, EvaluationEvent, EvaluationMethod, EvaluationOutcome,
    EvaluationStatus, EvaluationTerms, Factor, FactorScore, ItemVerdict, ReportSignature,
    ReportToSign, ResultLine, SME_DECLARATION_ITEM, Sheet, SheetGap, aggregate, centi_text,
    committee_size_ok, construction_base, deviation_score, gaps,
};
pub use tendering::tender::{
    Amendment, Award, BidPartial, Candidate, ContractRecord, DeadlineStanding, Document, Lot,
    LotDraft, LotPhase, LotStatus, Objection, ObjectionRules, ObjectionSubject, OpeningHolder,
    OpeningKey, OpeningLine, OpeningOutcome, PerformanceNote, PerformanceOutcome, Procedure,
    ProcedureCommand, ProcedureDraft, ProcedureEvent, ProcedureStatus, PublicDecision,
    SealedBidRef, TenderRuleKeys, TenderRules, deadline_after_clarification, deadline_standing,
    earliest_deadline, objection_window, sme_consortium_ranges, sme_deduction_ranges,
    tender_rule_keys,
};

/// A decider: the one shape of every aggregate. `decide` checks a command against the current
/// state and returns the events it causes (or why it is refused); `evolve` folds one event into
/// the state. The state of an aggregate is the fold of its events from `Self::default()`.
pub trait Decider: Default + Clone {
    type Command;
    type Event;
    fn decide(&self, command: Self::Command, now_ms: i64) -> Result<Vec<Self::Event>, DomainError>;
    fn evolve(self, event: &Self::Event) -> Self;

    /// The state after `events`.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self
    where
        Self::Event: 'a,
    {
        events
            .into_iter()
            .fold(Self::default(), |state, event| state.evolve(event))
    }
}
