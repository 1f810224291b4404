//! The platform's rules as pure code: validated identifiers, roles, and the deciders of market
//! entities (市场主体) and user accounts.
//!
//! Architecture invariant: this crate does no I/O. Time (`now`, UTC unix milliseconds) and any
//! randomness are arguments, so every rule is tested with plain tables.

mod account;
mod announcement;
mod auction;
mod bid;
mod bond;
mod calendar;
mod catalog;
mod ceremony;
mod date;
mod disclosure;
mod draw;
mod entity;
mod error;
mod evaluation;
mod expert;
mod ids;
mod panel;
mod period;
mod reference;
mod role;
mod room;
mod rules;
mod tender;

pub use account::{Account, AccountCommand, AccountEvent, AccountStatus, Username};
pub use announcement::{Announcement, AnnouncementKind, Template, Templates};
pub use auction::{
    Allocation, Auction, AuctionBid, AuctionCommand, AuctionEvent, AuctionInfo, AuctionMethod,
    AuctionPhase, AuctionResult, AuctionTerms, DepositSettlement, MAX_PRICE_FEN, MAX_QUANTITY,
    OpenedSealedBid, SaleOpening, SaleSealedBid, SealedSubmission, allocate,
};
pub use bid::{Bid, BidCommand, BidEvent, BidStatus, LotTerms, SealedEnvelope};
pub use bond::{
    Bond, BondCommand, BondEvent, BondForm, BondStatus, Guarantor, GuarantorCommand,
    GuarantorEvent, bond_interest,
};
pub use calendar::{Calendar, CalendarEntry, DayRule, parse_entries as parse_calendar_entries};
pub use catalog::{Catalog, Category, Method};
pub use ceremony::{
    Ceremony, CeremonyCommand, CeremonyEvent, CeremonyStatus, DerivedKey, MAX_HOLDERS, Seat,
};
pub use date::{BEIJING_OFFSET_MS, Date, Weekday, format_beijing_ms};
pub use disclosure::{DisclosureMoment, DisclosureRule, DisclosureRules};
pub use draw::{CategoryDraw, DrawRequest, DrawResult, Exclusion, PoolExpert, draw_experts};
pub use entity::{
    BankAccount, BoundCertificate, Contact, Entity, EntityCommand, EntityEvent, EntityKind,
    EntityStatus, MAX_AMOUNT_FEN, Qualification, Registration, amount_field, has_control_character,
};
pub use error::DomainError;
pub use evaluation::{
    BidLine, Evaluation, EvaluationCommand, EvaluationEvent, EvaluationMethod, EvaluationOutcome,
    EvaluationStatus, EvaluationTerms, Factor, FactorScore, ItemVerdict, ReportSignature,
    ReportToSign, ResultLine, SME_DECLARATION_ITEM, Sheet, SheetGap, aggregate, centi_text,
    committee_size_ok, construction_base, deviation_score, gaps,
};
pub use expert::{
    Classification, EXPERT_CSV_HEADER, Expert, ExpertCategory, ExpertCommand, ExpertEvent,
    ExpertInput, ExpertRecord, ExpertStatus, Leave, Rating, RatingRule, Relation, TitleLevel,
    parse_expert_csv, parse_expert_rows,
};
pub use ids::{EntityId, IdNumber, RegionCode, Uscc, mask_personal_numbers};
pub use panel::{
    BackupQueue, FinalSeats, Panel, PanelCommand, PanelEvent, PanelSeat, PublicReplacement,
    Replacement, ReplacementReason, SeatStatus, check_replacements,
};
pub use period::{DayCount, Period, PeriodKind};
pub use reference::{Publish, Reference, ReferenceEvent, ReferenceKind};
pub use role::Role;
pub use room::{Booking, Room, RoomCommand, RoomEvent, RoomSpec};
pub use rules::{InForce, PeriodRule, ResolvedRules, RuleBook, RuleSet, Threshold, Unit};
pub use tender::{
    Amendment, Award, BidPartial, Candidate, ContractRecord, DeadlineStanding, Document, Lot,
    LotDraft, LotPhase, LotStatus, Objection, OpeningHolder, OpeningKey, OpeningLine,
    OpeningOutcome, PerformanceNote, Procedure, ProcedureCommand, ProcedureDraft, ProcedureEvent,
    ProcedureStatus, SealedBidRef, TenderRuleKeys, TenderRules, deadline_after_clarification,
    deadline_standing, earliest_deadline, sme_consortium_ranges, sme_deduction_ranges,
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
