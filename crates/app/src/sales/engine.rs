//! The sequencer of a live sale: one task per auction decides its commands in arrival order
//! against the state it holds in memory, and hands each group of decisions to the one committer
//! of the process, which writes the groups of every sale waiting at that moment in one
//! transaction with one signed tree head. A bid is acknowledged only after that commit, so an
//! acknowledged bid survives a crash; the cost of a commit (one fsync, one SM2 signature) is
//! shared by everyone who bid meanwhile, in this sale or any other.
//!
//! A bid's time is its arrival (stamped before it is queued, kept non-decreasing by the
//! sequencer), so the queue's wait never eats a bidder's last millisecond. After each commit the
//! sequencer publishes a snapshot of the sale for live watchers; the snapshot is replaced, never
//! queued, so a slow watcher skips to the newest state instead of holding the sale back.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crypto::PlatformKey;
use domain::{
    Auction, AuctionBid, AuctionCommand, AuctionEvent, AuctionMethod, AuctionPhase, AuctionResult,
    Decider,
};
use ledger::Visibility;
use serde::Serialize;
use store::Store;
use tokio::sync::{mpsc, oneshot, watch};

use crate::witness::append::{NewEntry, append};
use crate::witness::documents::project;
use crate::witness::replay::decode_state;
use crate::{AppError, Clock, Receipt};

/// Most commands in one group commit.
const MAX_GROUP: usize = 4096;
/// A sequencer with nothing to do for this long, and no live watcher, stops.
const IDLE: std::time::Duration = std::time::Duration::from_secs(600);
/// Bids shown in the live snapshot.
const RECENT: usize = 20;

/// A sale as live watchers see it: public facts only (bidders by 竞买号).
#[derive(Clone, Debug, Default, Serialize)]
pub struct AuctionLive {
    pub id: String,
    /// The last ledger entry of the sale reflected here (the SSE event id).
    pub seq: i64,
    pub exists: bool,
    pub method: String,
    pub start_ms: i64,
    /// When free bidding (the listing, the quota auction) ends.
    pub free_end_ms: i64,
    /// When the countdown runs out with the bids so far.
    pub deadline_ms: i64,
    pub start_price_fen: i64,
    pub increment_fen: i64,
    pub current: Option<AuctionBid>,
    pub minimum_next_fen: i64,
    /// Each bid must carry the bidder's SM2 signature (the sale's terms).
    pub signed_bids: bool,
    /// The catalog category (its credit standard applies to the bidders).
    pub category: String,
    /// Quota auctions: the clearing price now (警示价), and when 修改出价 starts (0: never).
    pub clearing_fen: i64,
    pub modify_from_ms: i64,
    pub accepted: u64,
    pub refused: u64,
    pub registered: usize,
    /// The newest accepted bids, newest last.
    pub recent: Vec<AuctionBid>,
    pub result: Option<AuctionResult>,
    pub reserve_fen: Option<i64>,
    /// This snapshot as JSON, made once when it is published (thousands of watchers send it).
    #[serde(skip)]
    pub json: String,
}

impl AuctionLive {
    fn of(id: &str, state: &Option<Auction>, seq: i64, recent: &VecDeque<AuctionBid>) -> Self {
        let Some(auction) = state else {
            return Self {
                id: id.to_string(),
                seq,
                ..Self::default()
            };
        };
        let (method, start_ms, free_end_ms) = match auction.terms.method {
            AuctionMethod::English {
                start_ms,
                free_until_ms,
                ..
            } => ("english", start_ms, free_until_ms),
            AuctionMethod::Listing {
                start_ms,
                listing_end_ms,
                ..
            } => ("listing", start_ms, listing_end_ms),
            AuctionMethod::Quota {
                start_ms, close_ms, ..
            } => ("quota", start_ms, close_ms),
            AuctionMethod::Sealed { start_ms, close_ms } => ("sealed", start_ms, close_ms),
        };
        Self {
            id: id.to_string(),
            seq,
            exists: true,
            method: method.into(),
            start_ms,
            free_end_ms,
            deadline_ms: auction.deadline_ms(),
            start_price_fen: auction.terms.start_price_fen,
            increment_fen: auction.terms.increment_fen,
            current: auction.current().cloned(),
            minimum_next_fen: auction.minimum_next(),
            signed_bids: auction.terms.signed_bids,
            category: auction.info.category.clone(),
            clearing_fen: auction.clearing_price(),
            modify_from_ms: match auction.terms.method {
                AuctionMethod::Quota { modify_from_ms, .. } => modify_from_ms,
                _ => 0,
            },
            accepted: auction.accepted,
            refused: auction.refused,
            registered: auction.registered.len(),
            recent: recent.iter().cloned().collect(),
            result: auction.result.clone(),
            reserve_fen: auction.reserve_fen,
            json: String::new(),
        }
    }

    /// The phase at `now_ms` (the snapshot's deadline with the server's clock).
    pub fn phase(&self, now_ms: i64) -> AuctionPhase {
        if now_ms < self.start_ms {
            AuctionPhase::NotStarted
        } else if now_ms < self.free_end_ms {
            AuctionPhase::Free
        } else if now_ms < self.deadline_ms {
            AuctionPhase::Timed
        } else {
            AuctionPhase::Ended
        }
    }
}

/// What a sequenced command comes back with: the receipt of its last entry (none when the
/// sequencer runs without persistence, for the benchmark's ceiling), or the refusal — a refused
/// bid is recorded in the ledger before the refusal is returned.
pub(crate) type Outcome = Result<Option<Receipt>, AppError>;

struct Request {
    command: AuctionCommand,
    actor: String,
    at_ms: i64,
    /// Confidential entries that go with the command when it is recorded (a signed bid's
    /// signature), in the same commit.
    extra: Vec<NewEntry>,
    reply: oneshot::Sender<Outcome>,
}

#[derive(Clone)]
struct Lane {
    queue: mpsc::UnboundedSender<Request>,
    live: watch::Receiver<Arc<AuctionLive>>,
}

/// The running sequencers, by auction id, and their shared committer.
#[derive(Default)]
pub(crate) struct Lanes {
    lanes: Mutex<HashMap<String, Lane>>,
    committer: Mutex<Option<mpsc::UnboundedSender<CommitRequest>>>,
}

/// A sequencer's decided group, to be written.
struct CommitRequest {
    stream: String,
    /// The ledger place the sequencer's state was projected from: the commit is refused as
    /// stale if the stored document moved meanwhile (another writer).
    expected_seq: i64,
    entries: Vec<NewEntry>,
    /// The sale after the group, to project.
    state: Option<Auction>,
    reply: oneshot::Sender<Result<Vec<Receipt>, CommitError>>,
}

enum CommitError {
    /// The stored sale moved since the sequencer loaded it: reload and decide again.
    Stale,
    Failed(AppError),
}

/// Writes the waiting groups of every sale in one transaction, then answers each.
async fn committer_task(context: Context, mut queue: mpsc::UnboundedReceiver<CommitRequest>) {
    let mut batch = Vec::with_capacity(64);
    while let Some(first) = queue.recv().await {
        batch.push(first);
        while let Ok(request) = queue.try_recv() {
            batch.push(request);
        }
        commit_batch(&context, std::mem::take(&mut batch)).await;
    }
}

async fn commit_batch(context: &Context, mut batch: Vec<CommitRequest>) {
    // Which groups are still fresh, and how many entries each appends.
    let mut counts: Vec<Option<usize>> = Vec::with_capacity(batch.len());
    let result: Result<Vec<Receipt>, AppError> = async {
        let mut tx = context.store.begin().await?;
        let mut entries = Vec::new();
        for request in &mut batch {
            let stored = tx.document_seq(&request.stream).await?;
            if stored == request.expected_seq {
                counts.push(Some(request.entries.len()));
                entries.append(&mut request.entries);
            } else {
                counts.push(None);
            }
        }
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let now = (context.clock)();
        let receipts = append(&mut tx, &context.key, &context.origin, now, entries).await?;
        let mut next = 0;
        for (request, count) in batch.iter().zip(&counts) {
            if let Some(count) = count {
                // The document follows the sale's own stream (a group may carry confidential
                // entries of another stream after its events).
                let last = receipts[next..next + count]
                    .iter()
                    .rev()
                    .find(|r| r.stream == request.stream)
                    .map(|r| r.seq);
                next += count;
                if let Some(last) = last {
                    project(&mut tx, &request.stream, &request.state, last).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(receipts)
    }
    .await;
    match result {
        Ok(receipts) => {
            let mut receipts = receipts.into_iter();
            for (request, count) in batch.into_iter().zip(counts) {
                let answer = match count {
                    Some(count) => Ok(receipts.by_ref().take(count).collect()),
                    None => Err(CommitError::Stale),
                };
                let _ = request.reply.send(answer);
            }
        }
        Err(error) => {
            tracing::error!(%error, "an auction group commit failed");
            for request in batch {
                let _ = request
                    .reply
                    .send(Err(CommitError::Failed(AppError::Internal(
                        "保存报价失败，请重试".into(),
                    ))));
            }
        }
    }
}

/// What a sequencer needs from the application.
pub(crate) struct Context {
    pub store: Arc<Store>,
    pub key: Arc<PlatformKey>,
    pub origin: String,
    pub clock: Clock,
    /// Off only to measure the in-memory ceiling (the load generator).
    pub persist: bool,
}

impl Lanes {
    /// Whether a sale's sequencer is running.
    pub(crate) fn running(&self, id: &str) -> bool {
        let lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        lanes.get(id).is_some_and(|lane| !lane.queue.is_closed())
    }

    fn lane(&self, id: &str, context: impl Fn() -> Context) -> Lane {
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        self.lane_locked(&mut lanes, id, context)
    }

    fn lane_locked(
        &self,
        lanes: &mut HashMap<String, Lane>,
        id: &str,
        context: impl Fn() -> Context,
    ) -> Lane {
        if let Some(lane) = lanes.get(id).filter(|lane| !lane.queue.is_closed()) {
            return lane.clone();
        }
        let commits = {
            let mut committer = self.committer.lock().unwrap_or_else(|e| e.into_inner());
            match committer.as_ref().filter(|c| !c.is_closed()) {
                Some(sender) => sender.clone(),
                None => {
                    let (sender, receiver) = mpsc::unbounded_channel();
                    tokio::spawn(committer_task(context(), receiver));
                    *committer = Some(sender.clone());
                    sender
                }
            }
        };
        let (queue, receiver) = mpsc::unbounded_channel();
        let (publish, live) = watch::channel(Arc::new(AuctionLive {
            id: id.to_string(),
            seq: -1,
            ..AuctionLive::default()
        }));
        let sequencer = Sequencer {
            id: id.to_string(),
            stream: Auction::stream(id),
            context: context(),
            commits,
            state: None,
            last_seq: -2,
            last_at: i64::MIN,
            recent: VecDeque::new(),
            publish,
        };
        tokio::spawn(sequencer.run(receiver));
        let lane = Lane { queue, live };
        lanes.insert(id.to_string(), lane.clone());
        lane
    }

    /// Queues a command stamped with its arrival time.
    /// The command is stamped with the clock and queued under one lock, so the queue's order is
    /// the order of the stamps: a bid that arrived first is never judged after a later one.
    pub(crate) async fn submit(
        &self,
        id: &str,
        command: AuctionCommand,
        actor: &str,
        extra: Vec<NewEntry>,
        clock: &Clock,
        context: impl Fn() -> Context,
    ) -> Outcome {
        let (reply, answer) = oneshot::channel();
        {
            let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
            let lane = self.lane_locked(&mut lanes, id, context);
            lane.queue
                .send(Request {
                    command,
                    actor: actor.to_string(),
                    at_ms: clock(),
                    extra,
                    reply,
                })
                .map_err(|_| AppError::Internal("auction sequencer stopped".into()))?;
        }
        answer
            .await
            .map_err(|_| AppError::Internal("auction sequencer stopped".into()))?
    }

    /// The live snapshots of a sale (starting its sequencer, which loads it).
    pub(crate) fn watch(
        &self,
        id: &str,
        context: impl Fn() -> Context,
    ) -> watch::Receiver<Arc<AuctionLive>> {
        self.lane(id, context).live
    }
}

struct Sequencer {
    id: String,
    stream: String,
    context: Context,
    commits: mpsc::UnboundedSender<CommitRequest>,
    state: Option<Auction>,
    /// The sale's last ledger entry as this sequencer knows it; -2: not loaded.
    last_seq: i64,
    last_at: i64,
    recent: VecDeque<AuctionBid>,
    publish: watch::Sender<Arc<AuctionLive>>,
}

impl Sequencer {
    async fn run(mut self, mut queue: mpsc::UnboundedReceiver<Request>) {
        if let Err(error) = self.load().await {
            tracing::error!(auction = %self.id, %error, "loading a sale for its sequencer");
        }
        let mut group = Vec::with_capacity(64);
        loop {
            let first = match tokio::time::timeout(IDLE, queue.recv()).await {
                Ok(Some(first)) => first,
                Ok(None) => break,
                // Idle, and nobody but its lane watches: stop (the next command starts a new
                // sequencer, which loads the sale from the store).
                Err(_) if self.publish.receiver_count() <= 1 => break,
                Err(_) => continue,
            };
            group.push(first);
            while group.len() < MAX_GROUP {
                match queue.try_recv() {
                    Ok(request) => group.push(request),
                    Err(_) => break,
                }
            }
            self.process(std::mem::take(&mut group)).await;
        }
    }

    /// Loads the sale from its document and the newest bids from its stream.
    async fn load(&mut self) -> Result<(), AppError> {
        let row = self.context.store.document(&self.stream).await?;
        self.adopt(row).await?;
        Ok(())
    }

    async fn adopt(&mut self, row: Option<store::DocumentRow>) -> Result<(), AppError> {
        let (state, seq) = match row {
            Some(row) => (decode_state::<Option<Auction>>(&row.state)?, row.last_seq),
            None => (None, -1),
        };
        self.recent.clear();
        if self.context.persist && seq >= 0 {
            for row in self
                .context
                .store
                .stream_page(&self.stream, -1, 4 * RECENT as u64)
                .await?
            {
                match serde_json::from_str(&row.payload) {
                    Ok(AuctionEvent::BidAccepted { bid }) => {
                        self.last_at = self.last_at.max(bid.at_ms);
                        self.remember(bid);
                    }
                    Ok(
                        AuctionEvent::BidRefused { at_ms, .. } | AuctionEvent::Closed { at_ms, .. },
                    ) => self.last_at = self.last_at.max(at_ms),
                    _ => {}
                }
            }
        }
        if let Some(last) = state.as_ref().and_then(|a| a.current()) {
            self.last_at = self.last_at.max(last.at_ms);
        }
        self.state = state;
        self.last_seq = seq;
        self.announce();
        Ok(())
    }

    fn remember(&mut self, bid: AuctionBid) {
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(bid);
    }

    fn announce(&self) {
        let mut live = AuctionLive::of(&self.id, &self.state, self.last_seq, &self.recent);
        live.json = serde_json::to_string(&live).unwrap_or_default();
        self.publish.send_replace(Arc::new(live));
    }

    async fn process(&mut self, group: Vec<Request>) {
        if !self.context.persist {
            let outcomes = self.decide_group(&group).1;
            for (request, outcome) in group.into_iter().zip(outcomes) {
                let _ = request.reply.send(outcome.map(|_| None));
            }
            self.announce();
            return;
        }
        if self.state.is_none() || self.last_seq < 0 {
            // Not loaded, or created since: read the store before deciding.
            if let Err(error) = self.load().await {
                tracing::error!(auction = %self.id, %error, "loading a sale");
            }
        }
        let saved = (
            self.state.clone(),
            self.last_seq,
            self.last_at,
            self.recent.clone(),
        );
        let last_at = self.last_at;
        let mut answer = self.commit_group(&group).await;
        if matches!(answer, Err(CommitError::Stale)) {
            // Another writer moved the sale: adopt what is stored and decide the group again.
            self.last_at = last_at;
            answer = match self.load().await {
                Ok(()) => self.commit_group(&group).await,
                Err(error) => Err(CommitError::Failed(error)),
            };
        }
        match answer {
            Ok(outcomes) => {
                for (request, outcome) in group.into_iter().zip(outcomes) {
                    let _ = request.reply.send(outcome);
                }
                self.announce();
            }
            Err(error) => {
                let error = match error {
                    CommitError::Failed(error) => error,
                    CommitError::Stale => AppError::Internal("竞价状态已变化，请重试".into()),
                };
                tracing::error!(auction = %self.id, %error, "an auction group was not written");
                for request in group {
                    let _ = request
                        .reply
                        .send(Err(AppError::Internal("保存报价失败，请重试".into())));
                }
                // What was decided in memory did not commit: back to the state before the group,
                // then reload from the store if it answers.
                (self.state, self.last_seq, self.last_at, self.recent) = saved;
                if let Err(error) = self.load().await {
                    tracing::error!(auction = %self.id, %error, "reloading a sale");
                }
            }
        }
    }

    /// Decides every command of the group in order against the state in memory; returns the
    /// events to append and, per command, the index of its last event or its refusal.
    fn decide_group(&mut self, group: &[Request]) -> (Vec<NewEntry>, Vec<Result<usize, AppError>>) {
        let mut entries = Vec::with_capacity(group.len());
        let mut outcomes = Vec::with_capacity(group.len());
        for request in group {
            // A command is judged at its arrival, or — if its clock lags one already decided —
            // at that one's time: the sale's times never go back.
            let at = request.at_ms.max(self.last_at);
            self.last_at = at;
            let decided = self.state.decide(request.command.clone(), at);
            let events = match (decided, &request.command) {
                (Ok(events), _) => Ok(events),
                (
                    Err(refusal),
                    AuctionCommand::Bid {
                        bidder,
                        price_fen,
                        quantity,
                    },
                ) if self
                    .state
                    .as_ref()
                    .is_some_and(|auction| auction.result.is_none()) =>
                {
                    let event = AuctionEvent::BidRefused {
                        bidder: bidder.clone(),
                        price_fen: *price_fen,
                        quantity: *quantity,
                        at_ms: at,
                        code: refusal.code().to_string(),
                    };
                    self.apply(&mut entries, &request.actor, event);
                    entries.extend(request.extra.iter().cloned());
                    outcomes.push(Err(refusal.into()));
                    continue;
                }
                (Err(refusal), _) => Err(refusal),
            };
            match events {
                Ok(events) => {
                    for event in events {
                        self.apply(&mut entries, &request.actor, event);
                    }
                    outcomes.push(Ok(entries.len().saturating_sub(1)));
                    entries.extend(request.extra.iter().cloned());
                }
                Err(refusal) => outcomes.push(Err(refusal.into())),
            }
        }
        (entries, outcomes)
    }

    fn apply(&mut self, entries: &mut Vec<NewEntry>, actor: &str, event: AuctionEvent) {
        if let AuctionEvent::BidAccepted { bid } = &event {
            self.remember(bid.clone());
        }
        let state = std::mem::take(&mut self.state);
        self.state = state.evolve(&event);
        entries.push(NewEntry {
            stream: self.stream.clone(),
            kind: event.kind().into(),
            // Every act of a sale is public, bidders by 竞买号 only: anyone can replay it.
            visibility: Visibility::Public,
            actor: actor.to_string(),
            payload: serde_json::to_value(&event).unwrap_or_default(),
        });
    }

    async fn commit_group(&mut self, group: &[Request]) -> Result<Vec<Outcome>, CommitError> {
        let expected_seq = self.last_seq;
        let (entries, decided) = self.decide_group(group);
        let mut receipts = Vec::new();
        if !entries.is_empty() {
            let (reply, answer) = oneshot::channel();
            self.commits
                .send(CommitRequest {
                    stream: self.stream.clone(),
                    expected_seq,
                    entries,
                    state: self.state.clone(),
                    reply,
                })
                .map_err(|_| CommitError::Failed(AppError::Internal("committer stopped".into())))?;
            receipts = answer.await.map_err(|_| {
                CommitError::Failed(AppError::Internal("committer stopped".into()))
            })??;
            if let Some(last) = receipts.iter().rev().find(|r| r.stream == self.stream) {
                self.last_seq = last.seq as i64;
            }
        }
        Ok(decided
            .into_iter()
            .map(|outcome| outcome.map(|index| receipts.get(index).cloned()))
            .collect())
    }
}
