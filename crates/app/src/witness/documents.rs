//! Aggregates kept as JSON documents (procedures, bids, key ceremonies): how each becomes a
//! `documents` row, how an announcement becomes an `announcements` row, and the one function that
//! runs a command against such an aggregate inside a write transaction.

use domain::{
    Announcement, Bid, BidEvent, Ceremony, CeremonyEvent, Decider, Procedure, ProcedureEvent,
};
use ledger::Visibility;
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::{AnnouncementRow, DocumentRow, WriteTx};

use crate::AppError;
use crate::witness::append::NewEntry;
use crate::witness::replay::load;

/// An aggregate kept as a document.
pub(crate) trait DocumentAggregate: Decider
where
    Self::Event: Serialize + DeserializeOwned,
{
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow>;
    fn event_kind(event: &Self::Event) -> &'static str;
    fn visibility(event: &Self::Event) -> Visibility;
}

fn state_json<T: Serialize>(state: &T) -> String {
    serde_json::to_string(state).unwrap_or_default()
}

impl DocumentAggregate for Option<Procedure> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let procedure = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "procedure".into(),
            key1: procedure.draft.tenderee.to_string(),
            key2: procedure
                .draft
                .agency
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_default(),
            status: match procedure.status {
                domain::ProcedureStatus::Draft => "draft",
                domain::ProcedureStatus::Published => "published",
                domain::ProcedureStatus::Terminated => "terminated",
            }
            .into(),
            sort_ms: procedure.created_at_ms,
            state: state_json(procedure),
            last_seq,
        })
    }

    fn event_kind(event: &ProcedureEvent) -> &'static str {
        event.kind()
    }

    fn visibility(event: &ProcedureEvent) -> Visibility {
        if event.is_public() {
            Visibility::Public
        } else {
            Visibility::Parties
        }
    }
}

impl DocumentAggregate for Option<Bid> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let bid = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "bid".into(),
            key1: bid.lot.clone(),
            key2: bid.bidder.to_string(),
            status: match bid.status {
                domain::BidStatus::Registered => "registered",
                domain::BidStatus::Submitted => "submitted",
                domain::BidStatus::Withdrawn => "withdrawn",
            }
            .into(),
            sort_ms: bid.registered_at_ms,
            state: state_json(bid),
            last_seq,
        })
    }

    fn event_kind(event: &BidEvent) -> &'static str {
        event.kind()
    }

    fn visibility(_: &BidEvent) -> Visibility {
        // Before opening, nobody but the bidder learns anything of its bid (not even who
        // registered): 招标投标法 第22条.
        Visibility::Parties
    }
}

impl DocumentAggregate for Option<Ceremony> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let ceremony = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "ceremony".into(),
            key1: String::new(),
            key2: String::new(),
            status: ceremony.status.as_str().into(),
            sort_ms: ceremony.opened_at_ms,
            state: state_json(ceremony),
            last_seq,
        })
    }

    fn event_kind(event: &CeremonyEvent) -> &'static str {
        event.kind()
    }

    fn visibility(_: &CeremonyEvent) -> Visibility {
        // The transcript is public: commitments, encrypted shares and the resulting key.
        Visibility::Public
    }
}

impl DocumentAggregate for Option<domain::Expert> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let expert = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "expert".into(),
            // The linked account: how an expert caller finds their own record.
            key1: expert.account.clone().unwrap_or_default(),
            key2: expert.record.employer.to_string(),
            status: expert.status.as_str().into(),
            sort_ms: expert.added_at_ms,
            state: state_json(expert),
            last_seq,
        })
    }

    fn event_kind(event: &domain::ExpertEvent) -> &'static str {
        event.kind()
    }

    fn visibility(_: &domain::ExpertEvent) -> Visibility {
        // Names and personal numbers are confidential; the pseudonym in the stream is public.
        Visibility::Parties
    }
}

impl DocumentAggregate for Option<domain::Panel> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let panel = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "panel".into(),
            key1: panel.tenderee.clone(),
            key2: panel.lot.clone(),
            status: if panel.disclosed { "disclosed" } else { "open" }.into(),
            sort_ms: panel.formed_at_ms,
            state: state_json(panel),
            last_seq,
        })
    }

    fn event_kind(event: &domain::PanelEvent) -> &'static str {
        event.kind()
    }

    fn visibility(_: &domain::PanelEvent) -> Visibility {
        // Who sits on a panel stays confidential until the award; the public follows the draw's
        // own stream (pseudonyms, replacements by reason).
        Visibility::Parties
    }
}

impl DocumentAggregate for Option<domain::Room> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let room = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "room".into(),
            key1: room.spec.region.to_string(),
            key2: room.spec.code.clone(),
            status: if room.spec.shared { "shared" } else { "local" }.into(),
            sort_ms: room.added_at_ms,
            state: state_json(room),
            last_seq,
        })
    }

    fn event_kind(event: &domain::RoomEvent) -> &'static str {
        event.kind()
    }

    fn visibility(event: &domain::RoomEvent) -> Visibility {
        match event {
            // The room itself is public facility information.
            domain::RoomEvent::Added { .. } => Visibility::Public,
            // Where and when a lot is evaluated is not: experts could be approached.
            _ => Visibility::Parties,
        }
    }
}

impl DocumentAggregate for Option<domain::Evaluation> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let evaluation = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "evaluation".into(),
            key1: evaluation.lot.clone(),
            key2: evaluation.procedure.clone(),
            status: match evaluation.status {
                domain::EvaluationStatus::Scoring => "scoring",
                domain::EvaluationStatus::Concluded { .. } => "concluded",
                domain::EvaluationStatus::Signed { .. } => "signed",
            }
            .into(),
            sort_ms: evaluation.started_at_ms,
            state: state_json(evaluation),
            last_seq,
        })
    }

    fn event_kind(event: &domain::EvaluationEvent) -> &'static str {
        event.kind()
    }

    fn visibility(_: &domain::EvaluationEvent) -> Visibility {
        // Scores and reasons are confidential until the results are published.
        Visibility::Parties
    }
}

impl DocumentAggregate for Option<domain::Bond> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let bond = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "bond".into(),
            key1: bond.lot.clone(),
            key2: bond.bidder.to_string(),
            status: bond.status.as_str().into(),
            sort_ms: bond.recorded_at_ms,
            state: state_json(bond),
            last_seq,
        })
    }

    fn event_kind(event: &domain::BondEvent) -> &'static str {
        event.kind()
    }

    fn visibility(_: &domain::BondEvent) -> Visibility {
        // Who gives a bond would name the bidders before the opening.
        Visibility::Parties
    }
}

impl DocumentAggregate for Option<domain::Guarantor> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let guarantor = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "guarantor".into(),
            key1: guarantor.uscc.clone(),
            key2: String::new(),
            status: if guarantor.approved {
                "approved"
            } else {
                "withdrawn"
            }
            .into(),
            sort_ms: guarantor.at_ms,
            state: state_json(guarantor),
            last_seq,
        })
    }

    fn event_kind(event: &domain::GuarantorEvent) -> &'static str {
        event.kind()
    }

    fn visibility(_: &domain::GuarantorEvent) -> Visibility {
        // The list of accepted guarantee institutions is public.
        Visibility::Public
    }
}

impl DocumentAggregate for Option<domain::Auction> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let auction = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "auction".into(),
            key1: auction.id.clone(),
            // The 出让人, so that it finds its own sales.
            key2: auction.info.transferor.clone(),
            status: if auction.result.is_some() {
                "closed"
            } else {
                "open"
            }
            .into(),
            sort_ms: match auction.terms.method {
                domain::AuctionMethod::English { start_ms, .. }
                | domain::AuctionMethod::Listing { start_ms, .. }
                | domain::AuctionMethod::Quota { start_ms, .. }
                | domain::AuctionMethod::Sealed { start_ms, .. } => start_ms,
            },
            state: state_json(auction),
            last_seq,
        })
    }

    fn event_kind(event: &domain::AuctionEvent) -> &'static str {
        event.kind()
    }

    fn visibility(_: &domain::AuctionEvent) -> Visibility {
        // Every act of a sale is public, bidders by 竞买号 only: anyone can replay it.
        Visibility::Public
    }
}

/// The announcements row of a published announcement.
pub(crate) fn announcement_row(announcement: &Announcement, seq: i64) -> AnnouncementRow {
    AnnouncementRow {
        id: announcement.id.clone(),
        procedure_id: announcement.procedure.clone(),
        lot: announcement.lot.clone().unwrap_or_default(),
        kind: announcement.kind.as_str().into(),
        category: announcement.category.clone(),
        region: announcement.region.clone(),
        title: announcement.title.clone(),
        body: announcement.body.clone(),
        published_at_ms: announcement.published_at_ms,
        seq,
    }
}

/// The ledger kind of a published announcement.
pub(crate) const ANNOUNCEMENT_KIND: &str = "announcement.published";

/// The outcome of a command: the state before and after, and the events.
pub(crate) struct Decided<S: Decider> {
    pub(crate) after: S,
    pub(crate) events: Vec<S::Event>,
}

/// Loads the aggregate at `stream`, decides `command` at `now_ms`, and returns the entries to
/// append (not yet appended) with the outcome.
pub(crate) async fn decide<S>(
    tx: &mut WriteTx<'_>,
    stream: &str,
    command: S::Command,
    actor: &str,
    now_ms: i64,
) -> Result<(Decided<S>, Vec<NewEntry>), AppError>
where
    S: DocumentAggregate,
    S::Event: Serialize + DeserializeOwned,
{
    let (before, _) = load::<S>(tx, stream).await?;
    let events = before.decide(command, now_ms)?;
    let after = events
        .iter()
        .fold(before.clone(), |state, event| state.evolve(event));
    let entries = events
        .iter()
        .map(|event| {
            Ok(NewEntry {
                stream: stream.to_string(),
                kind: S::event_kind(event).into(),
                visibility: S::visibility(event),
                actor: actor.to_string(),
                payload: serde_json::to_value(event)
                    .map_err(|e| AppError::Internal(format!("event encoding: {e}")))?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((Decided { after, events }, entries))
}

/// Writes the document row of `state` with the seq of its last appended entry.
pub(crate) async fn project<S>(
    tx: &mut WriteTx<'_>,
    stream: &str,
    state: &S,
    last_seq: u64,
) -> Result<(), AppError>
where
    S: DocumentAggregate,
    S::Event: Serialize + DeserializeOwned,
{
    if let Some(row) = state.document(stream, last_seq as i64) {
        tx.upsert_document(&row).await?;
    }
    Ok(())
}
